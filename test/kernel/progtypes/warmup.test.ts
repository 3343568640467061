/**
 * The test-run warm-up (src/kernel/progtypes/warmup.ts): its programs load and run in a scratch
 * kernel, and the user's kernel observes nothing of it (ids, fds, clock, PRNG, trace pipe).
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { runWarmUp, warmUpProgram } from '../../../src/kernel/progtypes/warmup.js';
import { Cmd } from '../../../src/kernel/syscall/uapi.js';
import { ProgType } from '../../../src/object/uapi.js';
import { assembleBytes } from '../../../src/isa/asm.js';
import { ipv4Frame } from '../../../src/util/packets.js';
import { engineStats } from '../../../src/vm/interp.js';
import { tierStats } from '../../../src/vm/tier/cache.js';

function ids(k: Kernel, cmd: number): number[] {
  const out: number[] = [];
  const a = { start_id: 0, next_id: 0 };
  while (k.bpf(cmd, a) === 0) {
    out.push(a.next_id);
    a.start_id = a.next_id;
  }
  return out;
}

/** The warm-up program as text, assembled by the assembler (warmup.ts encodes it by hand). */
function warmUpText(data: number, end: number, array: number, hash: number): string {
  return `
    mov r6, r1
    ldxw r2, [r6+${data}]
    ldxw r3, [r6+${end}]
    mov r4, r2
    add r4, 34
    jgt r4, r3, out
    ldxb r5, [r2+23]
    stxw [r10-4], r5
    ldxw r7, [r2+26]
    stxw [r10-8], r7
    lddw r1, map_fd ${array}
    mov r2, r10
    add r2, -4
    call 1
    jeq r0, 0, out
    mov r1, 1
    lock add [r0+0], r1
    call 5
    stxdw [r10-16], r0
    lddw r1, map_fd ${hash}
    mov r2, r10
    add r2, -8
    mov r3, r10
    add r3, -16
    mov r4, 0
    call 2
  out:
    mov r0, 2
    exit`;
}

describe('test-run warm-up', () => {
  it('its hand-encoded program is the assembler\'s output of the same text', () => {
    for (const [data, end, array, hash] of [[0, 4, 3, 4], [76, 80, 3, 4], [0, 4, 17, 1000]] as const) {
      expect(warmUpProgram(data, end, array, hash)).toEqual(assembleBytes(warmUpText(data, end, array, hash)));
    }
  });

  it('runs its XDP and tc programs to the end: 2 programs x 2 frames x (12 + 1) repetitions, r0 = 2', () => {
    const r = runWarmUp(new Kernel());
    expect(r.runs).toBe(52);
    expect(r.retvals).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
  });

  it("runs on the user kernel's engine: on 'js' translated, without entering the interpreter", () => {
    const entries = engineStats.fastEntries;
    const compiled = tierStats.compiled;
    const r = runWarmUp(new Kernel({ engine: 'js' }));
    expect(r.retvals).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(tierStats.compiled - compiled).toBe(2);
    expect(engineStats.fastEntries).toBe(entries);
  });

  it('leaves the user kernel as it was: no new ids, the same clock, PRNG and trace pipe', () => {
    for (const warmUp of [true, false]) {
      const k = new Kernel({ warmUp, seed: 7 });
      const insns = assembleBytes('mov r0, 2\nexit');
      const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.XDP, insn_cnt: 2, insns, license: 'GPL' });
      const before = { now: k.monotonicNs(), progs: ids(k, Cmd.PROG_GET_NEXT_ID), maps: ids(k, Cmd.MAP_GET_NEXT_ID) };
      const f = ipv4Frame('udp');
      expect(k.bpf(Cmd.PROG_TEST_RUN, { prog_fd: fd, data_in: f, data_size_in: f.length })).toBe(0);
      runWarmUp(k); // explicitly as well: the once-per-process guard may have fired in another test
      expect({ now: k.monotonicNs(), progs: ids(k, Cmd.PROG_GET_NEXT_ID), maps: ids(k, Cmd.MAP_GET_NEXT_ID) }).toEqual(before);
      expect(before.progs).toEqual([1]);
      expect(k.tracePipe).toEqual([]);
      // The next fd is the one after the program's: the scratch kernel's fds are its own.
      expect(k.bpf(Cmd.MAP_CREATE, { map_type: 2, key_size: 4, value_size: 4, max_entries: 1 })).toBe(fd + 1);
    }
  });
});
