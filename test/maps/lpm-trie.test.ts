import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { LpmTrieMap } from '../../src/maps/lpm-trie.js';
import { createMap } from '../../src/maps/registry.js';
import type { MapAttr } from '../../src/maps/types.js';
import { BPF_ANY, BPF_EXIST, BPF_F, BPF_MAP_TYPE, BPF_NOEXIST } from '../../src/maps/uapi.js';
import { getU32, mk, regionBytes, testEnv, u32 } from './env.js';

const { EINVAL, EEXIST, ENOENT, ENOSPC, ENOTSUPP } = ERRNO;

const L: MapAttr = { type: BPF_MAP_TYPE.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 16, flags: BPF_F.NO_PREALLOC, name: 'lpm' };

const key = (plen: number, a: number, b: number, c: number, d: number): Uint8Array => Uint8Array.of(plen, 0, 0, 0, a, b, c, d);
const keys = (m: LpmTrieMap): string[] => [...m.entries()].map(([k]) => `${k.subarray(4).join('.')}/${getU32(k)}`);

describe('trie_alloc', () => {
  it('requires BPF_F_NO_PREALLOC and bounds key and value sizes (EINVAL)', () => {
    const env = testEnv();
    expect(createMap(L, env)).toBeInstanceOf(LpmTrieMap);
    expect(createMap({ ...L, flags: 0 }, env)).toBe(-EINVAL);
    expect(createMap({ ...L, flags: BPF_F.NO_PREALLOC | BPF_F.ZERO_SEED }, env)).toBe(-EINVAL);
    expect(createMap({ ...L, maxEntries: 0 }, env)).toBe(-EINVAL);
    expect(createMap({ ...L, keySize: 4 }, env)).toBe(-EINVAL);
    expect(createMap({ ...L, keySize: 260 }, env)).toBeInstanceOf(LpmTrieMap);
    expect(createMap({ ...L, keySize: 261 }, env)).toBe(-EINVAL);
    expect(createMap({ ...L, valueSize: 0 }, env)).toBe(-EINVAL);
  });
});

describe('LPM_TRIE from programs (maps_lpm.bpf.c)', () => {
  it('inserts, matches the longest prefix, deletes exact prefixes', () => {
    const env = testEnv();
    const m = mk(env, L);
    const add = (k: Uint8Array, v: number, f = BPF_ANY): number => m.updateFromProg(k, 0, u32(v), 0, f, 0);
    const look = (k: Uint8Array): number => {
      const id = m.lookupPtr(k, 0, 0);
      return id === 0 ? -1 : getU32(regionBytes(env, id));
    };
    const res = [
      add(key(8, 10, 0, 0, 0), 1),
      add(key(16, 10, 1, 0, 0), 2),
      add(key(24, 10, 1, 2, 0), 3),
      add(key(0, 0, 0, 0, 0), 9),
      add(key(16, 10, 1, 0, 0), 2, BPF_NOEXIST),
      add(key(33, 10, 1, 0, 0), 2),
      look(key(32, 10, 1, 2, 3)),
      look(key(32, 10, 1, 9, 9)),
      look(key(32, 10, 9, 9, 9)),
      look(key(32, 192, 168, 0, 1)),
      look(key(32, 10, 1, 2, 255)),
      m.deleteFromProg(key(16, 10, 1, 0, 0), 0, 0),
      look(key(32, 10, 1, 9, 9)),
      m.deleteFromProg(key(16, 10, 1, 0, 0), 0, 0),
      look(key(16, 10, 1, 2, 3)),
    ];
    expect(res).toEqual([0, 0, 0, 0, -EEXIST, -EINVAL, 3, 2, 1, 9, 3, 0, 1, -ENOENT, 1]);
    // a second run: BPF_ANY overwrites
    expect(add(key(8, 10, 0, 0, 0), 1)).toBe(0);
    expect(look(key(33, 10, 0, 0, 0))).toBe(-1); // prefixlen > max: NULL
  });

  it('keeps an old value pointer on replacement (the kernel swaps in a new node)', () => {
    const env = testEnv();
    const m = mk(env, L);
    m.update(key(8, 10, 0, 0, 0), u32(1));
    const old = m.lookupPtr(key(32, 10, 0, 0, 1), 0, 0);
    m.update(key(8, 10, 0, 0, 0), u32(2));
    expect(env.retired).toContain(old);
    expect(getU32(regionBytes(env, old))).toBe(1);
    expect(getU32(regionBytes(env, m.lookupPtr(key(32, 10, 0, 0, 1), 0, 0)))).toBe(2);
  });
});

describe('LPM_TRIE from user space', () => {
  it('applies the update flags: EXIST on a new prefix is ENOENT, NOEXIST on an existing one EEXIST', () => {
    const m = mk(testEnv(), L);
    expect(m.update(key(8, 10, 0, 0, 0), u32(1), BPF_EXIST)).toBe(-ENOENT);
    expect(m.update(key(8, 10, 0, 0, 0), u32(1), BPF_NOEXIST)).toBe(0);
    expect(m.update(key(8, 10, 0, 0, 0), u32(1), BPF_NOEXIST)).toBe(-EEXIST);
    expect(m.update(key(8, 10, 0, 0, 0), u32(5), BPF_EXIST)).toBe(0);
    expect(m.update(key(8, 10, 0, 0, 0), u32(5), 4)).toBe(-EINVAL);
    const v = new Uint8Array(4);
    expect(m.lookup(key(32, 10, 2, 3, 4), v)).toBe(0);
    expect(getU32(v)).toBe(5);
    expect(m.lookup(key(32, 11, 2, 3, 4), v)).toBe(-ENOENT);
    expect(m.lookup(key(40, 10, 2, 3, 4), v)).toBe(-ENOENT);
    expect(m.delete(key(40, 10, 0, 0, 0))).toBe(-EINVAL);
    expect(m.lookupAndDelete(key(8, 10, 0, 0, 0), v)).toBe(-ENOTSUPP);
  });

  it('fails with ENOSPC when full (an intermediate node does not count)', () => {
    const m = mk<LpmTrieMap>(testEnv(), { ...L, maxEntries: 2 });
    expect(m.update(key(24, 10, 0, 0, 0), u32(1))).toBe(0);
    expect(m.update(key(24, 10, 0, 1, 0), u32(2))).toBe(0); // adds an intermediate /23 node
    expect(m.update(key(24, 10, 0, 2, 0), u32(3))).toBe(-ENOSPC);
    expect(m.update(key(24, 10, 0, 1, 0), u32(4))).toBe(0); // replacing is fine
    expect(m.count).toBe(2);
    // a prefix that exists only as an intermediate node counts as new
    expect(m.update(key(23, 10, 0, 0, 0), u32(5))).toBe(-ENOSPC);
    expect(m.update(key(23, 10, 0, 0, 0), u32(5), BPF_EXIST)).toBe(-ENOENT);
  });

  it('iterates in the kernel postorder (bpftool map dump on Linux 6.18)', () => {
    const m = mk<LpmTrieMap>(testEnv(), { ...L, maxEntries: 32 });
    const add = (p: number, a: number, b: number, c: number, d: number, v: number): void => {
      expect(m.update(key(p, a, b, c, d), u32(v))).toBe(0);
    };
    add(16, 192, 168, 0, 0, 1);
    add(24, 192, 168, 0, 0, 2);
    add(24, 192, 168, 128, 0, 3);
    add(24, 192, 168, 1, 0, 5);
    add(8, 10, 0, 0, 0, 6);
    add(0, 0, 0, 0, 0, 7);
    add(32, 10, 1, 2, 3, 8);
    add(23, 192, 168, 0, 0, 9);
    expect(keys(m)).toEqual(['10.1.2.3/32', '10.0.0.0/8', '192.168.0.0/24', '192.168.1.0/24', '192.168.0.0/23', '192.168.128.0/24', '192.168.0.0/16', '0.0.0.0/0']);
    expect(m.delete(key(23, 192, 168, 0, 0))).toBe(0);
    expect(m.delete(key(16, 192, 168, 0, 0))).toBe(0);
    expect(keys(m)).toEqual(['10.1.2.3/32', '10.0.0.0/8', '192.168.0.0/24', '192.168.1.0/24', '192.168.128.0/24', '0.0.0.0/0']);
  });

  it('get_next_key: NULL or an unknown key gives the first, the last gives ENOENT', () => {
    const m = mk(testEnv(), L);
    const next = new Uint8Array(8);
    expect(m.getNextKey(null, next)).toBe(-ENOENT);
    m.update(key(8, 10, 0, 0, 0), u32(1));
    m.update(key(16, 10, 1, 0, 0), u32(2));
    expect(m.getNextKey(null, next)).toBe(0);
    expect([...next]).toEqual([...key(16, 10, 1, 0, 0)]);
    expect(m.getNextKey(key(24, 99, 0, 0, 0), next)).toBe(0);
    expect([...next]).toEqual([...key(16, 10, 1, 0, 0)]);
    expect(m.getNextKey(key(16, 10, 1, 0, 0), next)).toBe(0);
    expect([...next]).toEqual([...key(8, 10, 0, 0, 0)]);
    expect(m.getNextKey(key(8, 10, 0, 0, 0), next)).toBe(-ENOENT);
  });

  it('deletes nodes with two children by turning them intermediate', () => {
    const m = mk<LpmTrieMap>(testEnv(), L);
    m.update(key(16, 10, 1, 0, 0), u32(1));
    m.update(key(24, 10, 1, 0, 0), u32(2));
    m.update(key(24, 10, 1, 128, 0), u32(3));
    expect(m.delete(key(16, 10, 1, 0, 0))).toBe(0);
    expect(m.delete(key(16, 10, 1, 0, 0))).toBe(-ENOENT);
    const v = new Uint8Array(4);
    expect(m.lookup(key(32, 10, 1, 5, 5), v)).toBe(-ENOENT);
    expect(m.lookup(key(32, 10, 1, 0, 5), v)).toBe(0);
    expect(getU32(v)).toBe(2);
    expect(m.delete(key(24, 10, 1, 0, 0))).toBe(0);
    expect(m.delete(key(24, 10, 1, 128, 0))).toBe(0);
    expect(m.count).toBe(0);
    expect(keys(m)).toEqual([]);
  });

  it('supports the generic lookup, update and delete batches', () => {
    const m = mk(testEnv(), L);
    const ks = new Uint8Array(16);
    ks.set(key(8, 10, 0, 0, 0), 0);
    ks.set(key(16, 10, 1, 0, 0), 8);
    expect(m.updateBatch(ks, new Uint8Array(8).fill(1), 2).count).toBe(2);
    const r = m.lookupBatch(null, new Uint8Array(32), new Uint8Array(16), 4);
    expect(r.err).toBe(-ENOENT);
    expect(r.count).toBe(2);
    expect(m.deleteBatch(ks, 2)).toEqual({ err: 0, count: 2, outBatch: null });
  });
});
