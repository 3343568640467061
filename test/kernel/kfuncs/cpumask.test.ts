/**
 * BPF cpumasks and bpf_kptr_xchg (src/kernel/kfuncs/cpumask.ts) through programs/scx_cpumask.bpf.c
 * on a 48-CPU kernel: every query and operation against the same bit arithmetic done here on
 * BigInts, the kernel's edge rules (CPUs >= nr_cpu_ids ignored or false, setall filling whole
 * longs, distribution starting after CPU 0 and wrapping), reference counts (freed at zero), and a
 * cpumask kept in a map value's __kptr field: swapped in and out, and released when the value is
 * overwritten from user space or the map goes away. The 6.18 kernel's own answers on this machine
 * are in test/kernel-diff (case syscall_cpumask).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';

const NR = 48;
const NRMASK = (1n << BigInt(NR)) - 1n;
const ALL64 = (1n << 64n) - 1n;

function open(): BpfObject {
  const obj = BpfObject.open(readFileSync('programs/scx_cpumask.bpf.o'), { kernelOptions: { nrCpus: NR } });
  obj.load();
  return obj;
}

function ctx(a: bigint, b: bigint, cpu: number): Uint8Array {
  const out = new Uint8Array(24);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, a, true);
  dv.setBigUint64(8, b, true);
  dv.setUint32(16, cpu, true);
  return out;
}

/** struct result of the fixture, decoded. */
function result(obj: BpfObject): Record<string, bigint | number | number[]> {
  const b = obj.variable('res').get();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u64 = (o: number): bigint => dv.getBigUint64(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const names8 = ['and_nonempty', 'equal', 'equal_self', 'intersects', 'subset', 'empty_a', 'full_a', 'full_setall', 'test_cpu', 'test_and_set', 'after_set', 'test_and_clear', 'after_clear'];
  const r: Record<string, bigint | number | number[]> = {
    and_bits: u64(0),
    or_bits: u64(8),
    xor_bits: u64(16),
    copy_bits: u64(24),
    setall_bits: u64(32),
    clear_bits: u64(40),
    first_a: u32(48),
    first_zero_a: u32(52),
    first_and: u32(56),
    weight_a: u32(60),
    weight_setall: u32(64),
    dist: [0, 1, 2, 3].map((i) => u32(68 + 4 * i)),
    and_dist: [0, 1, 2, 3].map((i) => u32(84 + 4 * i)),
    stashed_first: dv.getInt32(116, true),
  };
  names8.forEach((n, i) => (r[n] = b[100 + i]!));
  return r;
}

const bits = (m: bigint): number[] => [...Array(64).keys()].filter((i) => (m >> BigInt(i)) & 1n);
const firstOf = (m: bigint): number => bits(m & NRMASK)[0] ?? NR;

/** cpumask_any_distribute from a per-CPU `prev` (0 at boot): the next set CPU after prev, wrapping. */
function distribute(m: bigint, prev: { v: number }): number {
  const set = bits(m & NRMASK);
  const next = set.find((c) => c > prev.v) ?? set[0] ?? NR;
  if (next < NR) prev.v = next;
  return next;
}

describe('bpf_cpumask_* against bit arithmetic (nr_cpu_ids 48)', () => {
  const inputs: [bigint, bigint, number][] = [
    [0x00ff_00ff_00ff_00f0n, 0x0f0f_0f0f_0f0f_0f0fn, 4],
    [0xffff_ffff_ffff_ffffn, 0x0000_8000_0000_0001n, 47],
    [0n, 0xffff_ffff_ffffn, 3],
    [0xffff_ffff_ffffn, 0xffff_ffff_ffffn, 48],
    [0x8000_0000_0000_0002n, 0x2n, 100],
  ];
  for (const [a0, b0, cpu] of inputs) {
    it(`A=${a0.toString(16)} B=${b0.toString(16)} cpu=${cpu}`, () => {
      const obj = open();
      const r0 = obj.program('ops').testRun({ ctxIn: ctx(a0, b0, cpu) });
      expect(r0.retval).toBe(0);
      const r = result(obj);
      // set_cpu drops CPUs >= nr_cpu_ids, so A and B are the inputs' first 48 bits
      const A = a0 & NRMASK;
      const B = b0 & NRMASK;
      const inA = cpu < NR && ((A >> BigInt(cpu)) & 1n) === 1n;
      const prev = { v: 0 };
      const dist: number[] = [];
      const andDist: number[] = [];
      for (let i = 0; i < 4; i++) {
        dist.push(distribute(A, prev));
        andDist.push(distribute(A & B, prev));
      }
      expect(r).toEqual({
        and_bits: A & B,
        or_bits: A | B,
        xor_bits: A ^ B,
        copy_bits: A,
        // bitmap_fill writes whole longs; weight/full look at nr_cpu_ids bits only
        setall_bits: ALL64,
        clear_bits: 0n,
        first_a: firstOf(A),
        first_zero_a: bits(~A & NRMASK)[0] ?? NR,
        first_and: firstOf(A & B),
        weight_a: bits(A).length,
        weight_setall: NR,
        dist,
        and_dist: andDist,
        stashed_first: 0,
        and_nonempty: (A & B) !== 0n ? 1 : 0,
        equal: A === B ? 1 : 0,
        equal_self: 1,
        intersects: (A & B) !== 0n ? 1 : 0,
        subset: (A & ~B) === 0n ? 1 : 0,
        empty_a: A === 0n ? 1 : 0,
        full_a: A === NRMASK ? 1 : 0,
        full_setall: 1,
        test_cpu: inA ? 1 : 0,
        // on a copy of A: test_and_set answers the old bit, then the bit is set (never for cpu >= 48)
        test_and_set: inA ? 1 : 0,
        after_set: cpu < NR ? 1 : 0,
        test_and_clear: cpu < NR ? 1 : 0,
        after_clear: 0,
      });
    });
  }
});

describe('reference counts and kptrs', () => {
  it('create, acquire, release, release: the object is gone after the second release', () => {
    const obj = open();
    const live = (): number => (obj.kernel.service('cpumasks') as { live: number }).live;
    expect(live()).toBe(0);
    expect(obj.program('refs').testRun({ ctxIn: ctx(0n, 0n, 0) }).retval).toBe(0);
    expect(live()).toBe(0);
    // ops creates three and releases three
    obj.program('ops').testRun({ ctxIn: ctx(1n, 2n, 0) });
    expect(live()).toBe(0);
  });

  it('bpf_kptr_xchg keeps a cpumask in a map value: swapped in (the old one back out), taken out, NULL when empty', () => {
    const obj = open();
    const live = (): number => (obj.kernel.service('cpumasks') as { live: number }).live;
    const run = (prog: string, cpu: number): number => obj.program(prog).testRun({ ctxIn: ctx(0n, 0n, cpu) }).retval;
    expect(run('stash', 5)).toBe(0);
    expect(live()).toBe(1);
    // a user-space read of the value sees the kptr field as zero
    expect([...obj.map('stash_map').lookup(new Uint8Array(4))!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // the second stash gets the first mask back and releases it
    expect(run('stash', 9)).toBe(3);
    expect(live()).toBe(1);
    expect(run('unstash', 0)).toBe(0);
    expect(result(obj)['stashed_first']).toBe(9);
    expect(live()).toBe(0);
    expect(run('unstash', 0)).toBe(0);
    expect(result(obj)['stashed_first']).toBe(-1);
  });

  it('the map releases a stashed cpumask when user space overwrites the value, and when the map is freed', () => {
    const obj = open();
    const live = (): number => (obj.kernel.service('cpumasks') as { live: number }).live;
    obj.program('stash').testRun({ ctxIn: ctx(0n, 0n, 1) });
    expect(live()).toBe(1);
    obj.map('stash_map').update(new Uint8Array(4), new Uint8Array(8));
    expect(live()).toBe(0);
    obj.program('stash').testRun({ ctxIn: ctx(0n, 0n, 2) });
    expect(live()).toBe(1);
    obj.close();
    expect(live()).toBe(0);
  });
});
