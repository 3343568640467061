import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { BloomFilterMap, bloomBits } from '../../src/maps/bloom.js';
import { createMap } from '../../src/maps/registry.js';
import type { MapAttr } from '../../src/maps/types.js';
import { BPF_EXIST, BPF_F, BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { mk, testEnv, u32 } from './env.js';

const { EINVAL, E2BIG, ENOENT, EOPNOTSUPP, ENOTSUPP } = ERRNO;

const B: MapAttr = { type: BPF_MAP_TYPE.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 64, mapExtra: 3n, flags: BPF_F.ZERO_SEED, name: 'bloom' };

describe('bloom_map_alloc', () => {
  it('checks key size, value size, entries, flags and map_extra', () => {
    const env = testEnv();
    expect(createMap(B, env)).toBeInstanceOf(BloomFilterMap);
    expect(createMap({ ...B, keySize: 4 }, env)).toBe(-EINVAL);
    expect(createMap({ ...B, valueSize: 0 }, env)).toBe(-EINVAL);
    expect(createMap({ ...B, maxEntries: 0 }, env)).toBe(-EINVAL);
    expect(createMap({ ...B, flags: BPF_F.NO_PREALLOC }, env)).toBe(-EINVAL);
    expect(createMap({ ...B, mapExtra: 16n }, env)).toBe(-EINVAL);
    expect(createMap({ ...B, mapExtra: 15n }, env)).toBeInstanceOf(BloomFilterMap);
    expect(createMap({ ...B, valueSize: (1 << 22) + 1 }, env)).toBe(-E2BIG);
  });

  it('sizes the bitset like the kernel (k * n * 7 / 5 rounded to a power of two, at least 64)', () => {
    expect(bloomBits(64, 3)).toBe(512); // 192 / 5 * 7 = 266
    expect(bloomBits(1, 1)).toBe(64);
    expect(bloomBits(10000, 5)).toBe(131072); // 70000 -> 2^17
    expect(bloomBits(2 ** 31, 5)).toBe(2 ** 32); // overflow
    const m = mk<BloomFilterMap>(testEnv(), { ...B, mapExtra: 0n });
    expect(m.hashes).toBe(5);
    expect(m.bits).toBe(bloomBits(64, 5));
  });
});

describe('BLOOM_FILTER from programs (maps_bloom.bpf.c)', () => {
  it('matches the kernel with seed 0: present values peek 0, 44 and 62 are absent', () => {
    const m = mk(testEnv(), B);
    const push = (v: number, f = 0): number => m.pushFromProg(u32(v), 0, f, 0);
    const peek = (v: number): number => m.peekFromProg(u32(v), 0, 0);
    expect([push(11), push(22), push(33), push(60)]).toEqual([0, 0, 0, 0]);
    expect(push(44, BPF_EXIST)).toBe(-EINVAL);
    expect([peek(11), peek(22), peek(33), peek(60)]).toEqual([0, 0, 0, 0]);
    expect(peek(44)).toBe(-ENOENT);
    expect(peek(62)).toBe(-ENOENT);
    expect(m.popFromProg(new Uint8Array(4), 0, 0)).toBe(-EOPNOTSUPP);
  });

  it('never gives false negatives', () => {
    const m = mk<BloomFilterMap>(testEnv(), { ...B, maxEntries: 100, mapExtra: 0n, valueSize: 6 });
    const val = (i: number): Uint8Array => Uint8Array.of(i, i >> 8, 1, 2, 3, i & 7);
    for (let i = 0; i < 100; i++) expect(m.pushFromProg(val(i), 0, 0, 0)).toBe(0);
    for (let i = 0; i < 100; i++) expect(m.peekFromProg(val(i), 0, 0)).toBe(0);
    // and is not saturated: most absent values are reported absent
    let fp = 0;
    for (let i = 1000; i < 2000; i++) if (m.peekFromProg(val(i), 0, 0) === 0) fp++;
    expect(fp).toBeLessThan(100);
    expect(m.setBits).toBeGreaterThan(100);
  });

  it('depends on the seed (env.random) unless BPF_F_ZERO_SEED', () => {
    const a = mk<BloomFilterMap>(testEnv({ random: () => 1234 }), { ...B, flags: 0 });
    expect(a.seed).toBe(1234);
    expect(mk<BloomFilterMap>(testEnv({ random: () => 1234 }), B).seed).toBe(0);
  });
});

describe('BLOOM_FILTER from user space', () => {
  it('pushes with update(NULL) and tests with lookup(NULL, value)', () => {
    const m = mk(testEnv(), B);
    expect(m.update(null, u32(5))).toBe(0);
    expect(m.update(null, u32(5), BPF_EXIST)).toBe(-EINVAL);
    expect(m.lookup(null, u32(5))).toBe(0);
    expect(m.lookup(null, u32(44))).toBe(-ENOENT);
  });

  it('refuses delete and get_next_key (EOPNOTSUPP), lookup_and_delete (ENOTSUPP)', () => {
    const m = mk(testEnv(), B);
    expect(m.delete(null)).toBe(-EOPNOTSUPP);
    expect(m.getNextKey(null, new Uint8Array(0))).toBe(-EOPNOTSUPP);
    expect(m.lookupAndDelete(null, new Uint8Array(4))).toBe(-ENOTSUPP);
    expect([...m.entries()]).toEqual([]);
  });
});
