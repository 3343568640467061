/**
 * Shared pieces of the isolation tests: a kernel with or without the load-time verifier, a victim
 * tenant (an ARRAY map with known bytes and a program of its own that references it), attacker
 * programs in the project's assembler, and the checks every attack ends with: the typed fault (or
 * the verifier's refusal), the victim's bytes unchanged, and nothing of them in the attacker's
 * output.
 *
 * Region ids are host knowledge the tests hand to the attacker as constants: a worst case (an
 * attacker that guessed them), stronger than any scan.
 */
import { expect } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { implOf } from '../../src/kernel/objects/mapglue.js';
import type { KMap } from '../../src/kernel/objects/objects.js';
import { ArrayMap } from '../../src/maps/array.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import type { Fault, FaultKind } from '../../src/vm/fault.js';
import { Memory } from '../../src/vm/memory.js';
import { del, loadProg, lookup, mkMap, run, u32, update, type Ran } from '../helpers/env.js';

export { del, loadProg, lookup, mkMap, run, u32, update };
export { BPF_MAP_TYPE };

/** Both ways a program may be loaded: without the verifier (the raw runner) and with it. */
export const MODES = [
  { verify: false, name: 'without the verifier' },
  { verify: true, name: 'with the verifier' },
] as const;

/** A fresh kernel. */
export function kernel(verify: boolean): Kernel {
  return new Kernel({ verify });
}

/** The victim's value: 64 bytes that cannot be mistaken for zeros or for the attacker's marks. */
export function victimPattern(): Uint8Array {
  return Uint8Array.from({ length: 64 }, (_, i) => (0xa0 + i * 7) & 0xff);
}

/** The kernel map behind fd `fd`. */
export function kmap(k: Kernel, fd: number): KMap {
  const e = k.fds.get(fd);
  if (e?.kind !== 'map') throw new Error(`fd ${fd} is not a map`);
  return e.obj;
}

/** An ARRAY map of `entries` 64-byte values, all zero. */
export function array64(k: Kernel, entries = 1, name = ''): number {
  return mkMap(k, { type: BPF_MAP_TYPE.ARRAY, key: 4, value: 64, max: entries, name });
}

/** Element `index` of an ARRAY map as user space reads it. */
export function readElem(k: Kernel, fd: number, index: number, size = 64): Uint8Array {
  const v = lookup(k, fd, u32(index), size);
  if (typeof v === 'number') throw new Error(`lookup failed: ${v}`);
  return v;
}

/** A victim tenant: its map (value = {@link victimPattern}) and a program that uses it (so its value region exists, as in a live system). */
export interface Victim {
  readonly map: number;
  readonly prog: number;
  /** Region id of the victim's value (what a lookup by its own program returns). */
  readonly valueRegion: number;
  /** Region id of the victim map's handle (what its program's `lddw map_fd` loads). */
  readonly handleRegion: number;
}

export function victim(k: Kernel): Victim {
  const map = array64(k, 1, 'victim');
  expect(update(k, map, u32(0), victimPattern())).toBe(0);
  // The victim's own program: looks its value up and reads its first byte (verifier-clean).
  const prog = loadProg(
    k,
    `
      stw [r10-4], 0
      lddw r1, map_fd ${map}
      mov r2, r10
      add r2, -4
      call 1
      mov r1, r0
      mov r0, 0
      jeq r1, 0, out
      ldxb r0, [r1+0]
    out:
      exit`,
    { name: 'victim' },
  );
  expect(prog).toBeGreaterThan(0);
  const r = run(k, prog);
  expect([r.err, r.retval]).toEqual([0, victimPattern()[0]]);
  const impl = implOf(kmap(k, map));
  if (!(impl instanceof ArrayMap)) throw new Error('victim map is not an array');
  // The region its lookup returned (created by that lookup, found again here).
  const valueRegion = impl.region(0, 0);
  expect(k.mem.isMapped(valueRegion)).toBe(true);
  return { map, prog, valueRegion, handleRegion: kmap(k, map).handle };
}

/** The victim's value is still exactly {@link victimPattern}, and its own program still reads it. */
export function expectVictimIntact(k: Kernel, v: Victim): void {
  expect(readElem(k, v.map, 0)).toEqual(victimPattern());
}

/** None of the victim's 8-byte words appears in `bytes` (what an attacker could exfiltrate). */
export function expectNoVictimBytes(bytes: Uint8Array): void {
  const p = victimPattern();
  for (let i = 0; i + 8 <= p.length; i += 8) {
    const word = p.subarray(i, i + 8);
    for (let j = 0; j + 8 <= bytes.length; j++) {
      let same = true;
      for (let b = 0; b < 8 && same; b++) if (bytes[j + b] !== word[b]) same = false;
      expect(same, `victim bytes ${i}..${i + 8} found at offset ${j} of the attacker's output`).toBe(false);
    }
  }
}

/** `lddw` text of a 64-bit constant. */
export function imm64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}

/** A guest pointer to offset `off` of region `id`. */
export function ptr(id: number, off = 0): bigint {
  return Memory.pointer(id, off);
}

/** What loading and running an attack gave: refused at load (errno), or the run's result. */
export type Outcome = { readonly refused: number } | { readonly ran: Ran };

/** Load `text` as a syscall program and run it once with `ctx` (when it loads). */
export function attack(k: Kernel, text: string, ctx?: Uint8Array, name = 'attacker'): Outcome {
  const fd = loadProg(k, text, { name });
  if (fd < 0) return { refused: fd };
  return { ran: run(k, fd, ctx) };
}

/**
 * The attack failed as it must: without the verifier the run faulted with one of `kinds` (typed,
 * naming a region for memory faults); with it, the kernel refused the program at load or the run
 * faulted that way. Returns the fault, if there was one.
 */
export function expectStopped(o: Outcome, verify: boolean, kinds: readonly FaultKind[]): Fault | null {
  if ('refused' in o) {
    expect(verify, `refused at load (${o.refused}) although the verifier is off`).toBe(true);
    expect(o.refused).toBeLessThan(0);
    return null;
  }
  const f = o.ran.fault;
  expect(f, `the attack ran to the end (retval ${o.ran.retval})`).not.toBeNull();
  expect(kinds).toContain(f!.kind);
  if (f!.kind === 'foreign_region' || f!.kind === 'unmapped') expect(f!.region).toBeDefined();
  return f;
}
