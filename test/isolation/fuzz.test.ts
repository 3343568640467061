/**
 * Seeded fuzzing of pointer provenance: attacker programs forge pointers (region ids of every live
 * region of the kernel with random offsets and generations, region-id arithmetic on their own map
 * value pointer, numbers read from a ctx filled with real pointers) and read, write, copy with
 * bpf_probe_read_kernel, parse with bpf_strtol and pass as map handles or values to
 * bpf_map_update_elem. Two victim tenants with known bytes (an ARRAY value and a HASH element)
 * live in the same kernel. After every program: the victims' bytes are exactly what they were,
 * none of their 8-byte words is in anything the attacker can read back (its own map value, its out
 * map, its ctx), and a run that stopped stopped with a typed fault. The oracle is the victims'
 * initial bytes, not the emulator's access checks.
 */
import { describe, expect, it } from 'vitest';
import { Fault } from '../../src/vm/fault.js';
import { Memory } from '../../src/vm/memory.js';
import { BPF_MAP_TYPE, array64, expectVictimIntact, imm64, kernel, loadProg, readElem, run, u32, update, victim, victimPattern, lookup, mkMap, type Victim } from './harness.js';
import type { Kernel } from '../../src/kernel/kernel.js';

/** mulberry32: a small seeded generator (independent of the code under test). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The second victim: a HASH element (key 7) with its own pattern. */
function hashPattern(): Uint8Array {
  return Uint8Array.from({ length: 64 }, (_, i) => (0x31 + i * 13) & 0xff);
}

interface World {
  readonly k: Kernel;
  readonly v: Victim;
  readonly hash: number;
  /** The attacker's own map (its value pointer is the base of region-id arithmetic) and its out map. */
  readonly own: number;
  readonly out: number;
}

function world(verify: boolean): World {
  const k = kernel(verify);
  const v = victim(k);
  const hash = mkMap(k, { type: BPF_MAP_TYPE.HASH, key: 4, value: 64, max: 4, name: 'victim_hash' });
  expect(update(k, hash, u32(7), hashPattern())).toBe(0);
  return { k, v, hash, own: array64(k, 1, 'own'), out: array64(k, 1, 'out') };
}

/** Every live region id of the kernel (what a perfect guesser of ids would try). */
function liveIds(k: Kernel): number[] {
  const ids: number[] = [];
  const slots = k.mem.slotId;
  for (let s = 1; s < slots.length; s++) if (slots[s] !== 0 && k.mem.isMapped(slots[s]!)) ids.push(slots[s]!);
  return ids;
}

/** One attacker program (assembler text) and its ctx. */
function attacker(w: World, r: () => number, ids: readonly number[]): { text: string; ctx: Uint8Array } {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const off = (): number => pick([0, 0, 8, 16, 56, -8, 64, 4096, Math.floor(r() * 128) - 32]);
  const id = (): number => {
    const base = pick(ids);
    // Sometimes another generation of the same slot (a stale or future id) or a near neighbour.
    const x = r();
    if (x < 0.15) return (base + (1 << 24) * (1 + Math.floor(r() * 3))) >>> 0;
    if (x < 0.25) return (base + Math.floor(r() * 5) - 2) >>> 0;
    return base;
  };
  const ctx = new Uint8Array(64);
  const dv = new DataView(ctx.buffer);
  for (let j = 0; j < 8; j++) dv.setBigUint64(j * 8, Memory.pointer(id(), off() & 0xffffffff), true);
  const lines: string[] = [
    'mov r8, r1',
    'stw [r10-4], 0',
    `lddw r1, map_fd ${w.own}`,
    'mov r2, r10',
    'add r2, -4',
    'call 1',
    'jeq r0, 0, out',
    'mov r6, r0',
  ];
  const ownId = (): bigint => BigInt(pick(ids));
  const n = 1 + Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    // r7 = a forged pointer
    const how = r();
    if (how < 0.4) lines.push(`lddw r7, ${imm64(Memory.pointer(id(), off() & 0xffffffff))}`);
    else if (how < 0.65) lines.push('mov r7, r6', `lddw r2, ${imm64(((BigInt(id()) - ownId()) << 32n) + BigInt(off()))}`, 'add r7, r2');
    else if (how < 0.85) lines.push(`ldxdw r7, [r8+${8 * Math.floor(r() * 8)}]`);
    else lines.push('mov r7, r6', `lddw r2, ${imm64(BigInt(Math.floor(r() * 2 ** 32)) << 32n)}`, 'add r7, r2');
    const slot = 8 * Math.floor(r() * 8);
    const o = off();
    const sign = o < 0 ? '-' : '+';
    const a = `[r7${sign}${Math.abs(o)}]`;
    const act = r();
    if (act < 0.2) lines.push(`ldxdw r3, ${a}`, `stxdw [r6+${slot}], r3`);
    else if (act < 0.3) lines.push(`ldxw r3, ${a}`, `stxw [r6+${slot}], r3`);
    else if (act < 0.45) lines.push(`stdw ${a}, ${Math.floor(r() * 1000)}`);
    else if (act < 0.55) lines.push(`stxdw ${a}, r6`);
    else if (act < 0.68) lines.push('mov r1, r6', `add r1, ${slot}`, 'mov r2, 8', 'mov r3, r7', 'call 113');
    else if (act < 0.78) lines.push('mov r1, r7', 'mov r2, r10', 'add r2, -4', 'mov r3, r6', 'mov r4, 0', 'call 2');
    else if (act < 0.9) lines.push(`lddw r1, map_fd ${w.out}`, 'mov r2, r10', 'add r2, -4', 'mov r3, r7', 'mov r4, 0', 'call 2');
    else lines.push('mov r1, r7', 'mov r2, 8', 'mov r3, 0', 'mov r4, r10', 'add r4, -16', 'call 105', 'ldxdw r3, [r10-16]', `stxdw [r6+${slot}], r3`);
  }
  lines.push('out:', 'mov r0, 0', 'exit');
  return { text: lines.join('\n'), ctx };
}

/** 8-byte words of the victims that must never show up in the attacker's view. */
function victimWords(): Uint8Array[] {
  const words: Uint8Array[] = [];
  for (const p of [victimPattern(), hashPattern()]) for (let i = 0; i + 8 <= p.length; i += 4) words.push(p.subarray(i, i + 8));
  return words;
}

function leaks(bytes: Uint8Array, words: readonly Uint8Array[]): string | null {
  for (const w of words) {
    for (let j = 0; j + 8 <= bytes.length; j++) {
      let same = true;
      for (let b = 0; b < 8 && same; b++) if (bytes[j + b] !== w[b]) same = false;
      if (same) return `victim word ${Buffer.from(w).toString('hex')} at offset ${j}`;
    }
  }
  return null;
}

const TYPED = new Set(['out_of_bounds', 'unmapped', 'read_only', 'not_readable', 'foreign_region', 'bad_ctx_access', 'helper', 'invalid']);

function campaign(verify: boolean, seed: number, programs: number): { ran: number; faulted: number; refused: number } {
  const words = victimWords();
  let w = world(verify);
  let ids = liveIds(w.k);
  const r = rng(seed);
  let ran = 0;
  let faulted = 0;
  let refused = 0;
  for (let p = 0; p < programs; p++) {
    // A fresh world now and then, so region ids and generations vary.
    if (p % 500 === 499) {
      w = world(verify);
      ids = liveIds(w.k);
    }
    const { text, ctx } = attacker(w, r, ids);
    const fd = loadProg(w.k, text, { name: 'attacker' });
    if (fd < 0) {
      expect(verify, `program ${p} (seed ${seed}) refused without the verifier: ${fd}\n${text}`).toBe(true);
      refused++;
      continue;
    }
    const res = run(w.k, fd, ctx);
    ran++;
    if (res.fault !== null) {
      faulted++;
      expect(res.fault).toBeInstanceOf(Fault);
      if (!TYPED.has(res.fault.kind)) expect.fail(`program ${p} (seed ${seed}): untyped stop ${res.fault.kind}\n${text}`);
    } else if (res.err !== 0) {
      expect.fail(`program ${p} (seed ${seed}): test run failed with ${res.err} and no fault\n${text}`);
    }
    // The victims, byte for byte.
    const vv = readElem(w.k, w.v.map, 0);
    const hv = lookup(w.k, w.hash, u32(7), 64);
    if (leaks(readElem(w.k, w.own, 0), words) ?? leaks(readElem(w.k, w.out, 0), words) ?? leaks(ctx, words)) {
      expect.fail(`program ${p} (seed ${seed}) exfiltrated ${leaks(readElem(w.k, w.own, 0), words) ?? leaks(readElem(w.k, w.out, 0), words) ?? leaks(ctx, words)}\n${text}`);
    }
    if (!bytesEqual(vv, victimPattern()) || !(hv instanceof Uint8Array) || !bytesEqual(hv, hashPattern())) {
      expect.fail(`program ${p} (seed ${seed}) changed a victim\n${text}`);
    }
    w.k.close(fd);
  }
  expectVictimIntact(w.k, w.v);
  return { ran, faulted, refused };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('isolation: forged-pointer fuzzing', () => {
  it('20,000 unverified attacker programs never read or change a victim byte; every stop is a typed fault', () => {
    let faulted = 0;
    let ran = 0;
    for (let s = 1; s <= 4; s++) {
      const c = campaign(false, s, 5000);
      ran += c.ran;
      faulted += c.faulted;
    }
    expect(ran).toBe(20_000);
    // The campaign is not vacuous: most programs touch something they may not.
    expect(faulted).toBeGreaterThan(10_000);
  });

  it('2,000 programs with the verifier: refused at load or stopped, victims intact', () => {
    const c = campaign(true, 99, 2000);
    expect(c.refused + c.ran).toBe(2000);
    expect(c.refused).toBeGreaterThan(1000);
  });
});
