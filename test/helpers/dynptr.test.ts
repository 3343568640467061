/**
 * Dynptr helpers (src/helpers/dynptr.ts) at run time, without the verifier: what the verifier
 * would have refused faults here instead of reaching memory (a forged dynptr, a dynptr over memory
 * the run may not write, submitting a local dynptr), a ringbuf dynptr left reserved faults at the
 * run's end with its record discarded, and a failed reservation leaves a NULL dynptr. The fixture's
 * results against 6.18 are the kernel-differential case syscall_dynptr (test/kernel-diff).
 */
import { describe, expect, it } from 'vitest';
import { RingbufMap } from '../../src/maps/ringbuf.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { load, mapImpl, mkMap, newKernel, ret, run } from './env.js';

/** A local dynptr at fp-16 over the 16-byte value of array `arr` (r7 = the value). */
function local(arr: number): string {
  return `
    stw [r10-4], 0
    mov r2, r10
    add r2, -4
    lddw r1, map_fd ${arr}
    call 1
    jeq r0, 0, out
    mov r7, r0
    mov r1, r0
    mov r2, 16
    mov r3, 0
    mov r4, r10
    add r4, -16
    call 197`;
}

describe('dynptr helpers (run time)', () => {
  it('a local dynptr reads and writes its map value, bounded by its size', () => {
    const k = newKernel();
    const arr = mkMap(k, { type: BPF_MAP_TYPE.ARRAY, key: 4, value: 16, max: 1 });
    // write 0x55 bytes at 12..15 through the dynptr, read back 4 bytes at 12, and a read past the end
    const fd = load(k, `${local(arr)}
      stw [r10-24], 0x55555555
      mov r1, r10
      add r1, -16
      mov r2, 12
      mov r3, r10
      add r3, -24
      mov r4, 4
      mov r5, 0
      call 202
      jne r0, 0, out
      ldxw r0, [r7+12]
      exit
    out:
      mov r0, -1
      exit`);
    expect(ret(k, fd) >>> 0).toBe(0x55555555);
    const past = load(k, `${local(arr)}
      mov r1, r10
      add r1, -24
      mov r2, 8
      mov r3, r10
      add r3, -16
      mov r4, 12
      mov r5, 0
      call 201
      exit
    out:
      mov r0, -1
      exit`);
    expect(ret(k, past)).toBe(-7);
  });

  it('a forged dynptr (data pointer to a region the run cannot reach) faults, it never reads or writes there', () => {
    const k = newKernel();
    // the dynptr's data pointer is region 0x7fff0000 offset 0, size 8, type LOCAL
    const fd = load(k, `
      stw [r10-16], 0
      stw [r10-12], 0x7fff0000
      stw [r10-8], 0x10000008
      stw [r10-4], 0
      mov r1, r10
      add r1, -24
      mov r2, 8
      mov r3, r10
      add r3, -16
      mov r4, 0
      mov r5, 0
      call 201
      mov r0, 0
      exit`);
    const f = run(k, fd).fault;
    expect(f).not.toBeNull();
    expect(['unmapped', 'foreign_region']).toContain(f!.kind);
  });

  it('submitting a local dynptr faults; a failed reservation leaves a NULL dynptr that submit ignores', () => {
    const k = newKernel();
    const arr = mkMap(k, { type: BPF_MAP_TYPE.ARRAY, key: 4, value: 16, max: 1 });
    const rb = mkMap(k, { type: BPF_MAP_TYPE.RINGBUF, key: 0, value: 0, max: 4096 });
    const submitLocal = load(k, `${local(arr)}
      mov r1, r10
      add r1, -16
      mov r2, 0
      call 199
    out:
      mov r0, 0
      exit`);
    expect(run(k, submitLocal).fault?.kind).toBe('helper');
    const tooBig = load(k, `
      lddw r1, map_fd ${rb}
      mov r2, 8192
      mov r3, 0
      mov r4, r10
      add r4, -16
      call 198
      mov r6, r0
      mov r1, r10
      add r1, -16
      mov r2, 0
      call 199
      ldxdw r1, [r10-16]
      ldxdw r2, [r10-8]
      or r1, r2
      jne r1, 0, bad
      mov r0, r6
      exit
    bad:
      mov r0, 1
      exit`);
    expect(ret(k, tooBig)).toBe(-22);
    expect((mapImpl(k, rb) as RingbufMap).query(0)).toBe(0);
  });

  it('a ringbuf dynptr left reserved faults at the end of the run, and its record is discarded', () => {
    const k = newKernel();
    const rb = mkMap(k, { type: BPF_MAP_TYPE.RINGBUF, key: 0, value: 0, max: 4096 });
    const leak = load(k, `
      lddw r1, map_fd ${rb}
      mov r2, 16
      mov r3, 0
      mov r4, r10
      add r4, -16
      call 198
      mov r0, 0
      exit`);
    const f = run(k, leak).fault;
    expect(f?.kind).toBe('invalid');
    expect(f?.pc).toBe(6);
    const impl = mapImpl(k, rb) as RingbufMap;
    expect(impl.outstanding).toBe(0);
    // the discarded 16-byte record (8-byte header) is all the ring holds
    expect(impl.query(0)).toBe(24);
  });

  it('a slice of a ringbuf dynptr writes the record; after submit the slice no longer reaches it', () => {
    const k = newKernel();
    const rb = mkMap(k, { type: BPF_MAP_TYPE.RINGBUF, key: 0, value: 0, max: 4096 });
    const fd = load(k, `
      lddw r1, map_fd ${rb}
      mov r2, 8
      mov r3, 0
      mov r4, r10
      add r4, -16
      call 198
      mov r1, r10
      add r1, -16
      mov r2, 0
      mov r3, 8
      call 203
      mov r6, r0
      stdw [r6+0], 7
      mov r1, r10
      add r1, -16
      mov r2, 0
      call 199
      stdw [r6+0], 8
      mov r0, 0
      exit`);
    const f = run(k, fd).fault;
    expect(f?.pc).toBe(18);
    expect(f?.kind).toBe('unmapped');
  });
});
