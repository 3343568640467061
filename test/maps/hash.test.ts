import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { HashMap } from '../../src/maps/hash.js';
import { MAX_BUCKETS } from '../../src/maps/hashtab.js';
import { keyHash } from '../../src/maps/jhash.js';
import { createMap } from '../../src/maps/registry.js';
import { MapValueRef, type MapAttr } from '../../src/maps/types.js';
import { BPF_ANY, BPF_EXIST, BPF_F, BPF_F_LOCK, BPF_MAP_TYPE, BPF_NOEXIST } from '../../src/maps/uapi.js';
import { cat, getU32, getU64, mk, regionBytes, testEnv, u32, u64 } from './env.js';

const { EINVAL, E2BIG, EEXIST, ENOENT, ENOTSUPP, ENOSPC, ENOMEM } = ERRNO;

const H: MapAttr = { type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 16, name: 'h', flags: BPF_F.ZERO_SEED };
const PCPU: MapAttr = { ...H, type: BPF_MAP_TYPE.PERCPU_HASH, valueSize: 4 };
const LRU: MapAttr = { ...H, type: BPF_MAP_TYPE.LRU_HASH, maxEntries: 4 };

const keysOf = (m: HashMap): number[] => [...m.entries()].map(([k]) => k[0]!);

describe('htab_map_alloc_check / htab_map_alloc', () => {
  const env = testEnv();
  const errno = (a: Partial<MapAttr>, base: MapAttr = H): number | 'ok' => {
    const m = createMap({ ...base, ...a }, env);
    return typeof m === 'number' ? m : 'ok';
  };

  it('rejects zero sizes and unknown flags with EINVAL', () => {
    expect(errno({ maxEntries: 0 })).toBe(-EINVAL);
    expect(errno({ keySize: 0 })).toBe(-EINVAL);
    expect(errno({ valueSize: 0 })).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.MMAPABLE })).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG })).toBe(-EINVAL);
  });

  it('allows BPF_F_NO_COMMON_LRU only on LRU maps and BPF_F_NO_PREALLOC not on them (ENOTSUPP)', () => {
    expect(errno({ flags: BPF_F.NO_COMMON_LRU })).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.NO_COMMON_LRU }, LRU)).toBe('ok');
    expect(errno({ flags: BPF_F.NO_PREALLOC }, LRU)).toBe(-ENOTSUPP);
    expect(errno({ flags: BPF_F.NO_PREALLOC })).toBe('ok');
  });

  it('refuses a NUMA node on per-CPU maps and per-CPU LRU lists', () => {
    expect(errno({ flags: BPF_F.NUMA_NODE }, PCPU)).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.NUMA_NODE | BPF_F.NO_COMMON_LRU }, LRU)).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.NUMA_NODE })).toBe('ok');
  });

  it('limits element and per-CPU value sizes (E2BIG)', () => {
    expect(errno({ keySize: 1 << 21, valueSize: (1 << 21) - 48 })).toBe(-E2BIG);
    expect(errno({ keySize: 1 << 21, valueSize: (1 << 21) - 49 })).toBe('ok');
    expect(errno({ valueSize: 32769 }, PCPU)).toBe(-E2BIG);
  });

  it('limits max_entries: E2BIG past 2^31 or 2^28 buckets, ENOMEM past the emulator bucket cap', () => {
    expect(errno({ maxEntries: 2 ** 31 + 1 })).toBe(-E2BIG);
    expect(errno({ maxEntries: 2 ** 28 })).toBe(-E2BIG);
    expect(errno({ maxEntries: MAX_BUCKETS + 1 })).toBe(-ENOMEM);
    expect(errno({ maxEntries: MAX_BUCKETS })).toBe('ok');
  });

  it('rounds max_entries up to a multiple of the CPU count for per-CPU LRU lists', () => {
    const m = mk(testEnv({ nrCpus: 3 }), { ...LRU, maxEntries: 4, flags: BPF_F.NO_COMMON_LRU });
    expect(m.maxEntries).toBe(6);
  });
});

describe('HASH from user space', () => {
  it('inserts, reads, replaces and deletes', () => {
    const m = mk<HashMap>(testEnv(), H);
    const v = new Uint8Array(8);
    expect(m.lookup(u32(1), v)).toBe(-ENOENT);
    expect(m.update(u32(1), u64(10))).toBe(0);
    expect(m.update(u32(1), u64(11))).toBe(0);
    expect(m.lookup(u32(1), v)).toBe(0);
    expect(getU64(v)).toBe(11n);
    expect(m.count).toBe(1);
    expect(m.delete(u32(1))).toBe(0);
    expect(m.delete(u32(1))).toBe(-ENOENT);
    expect(m.count).toBe(0);
  });

  it('applies check_flags: EEXIST for NOEXIST on a present key, ENOENT for EXIST on a missing one', () => {
    const m = mk(testEnv(), H);
    expect(m.update(u32(2), u64(20), BPF_EXIST)).toBe(-ENOENT);
    expect(m.update(u32(2), u64(20), BPF_NOEXIST)).toBe(0);
    expect(m.update(u32(2), u64(21), BPF_NOEXIST)).toBe(-EEXIST);
    expect(m.update(u32(2), u64(22), BPF_EXIST)).toBe(0);
    expect(m.update(u32(2), u64(22), 3)).toBe(-EINVAL);
    expect(m.update(u32(2), u64(22), BPF_F_LOCK)).toBe(-EINVAL); // no spin lock
  });

  it('fails with E2BIG when full, but still replaces existing keys', () => {
    const m = mk(testEnv(), { ...H, maxEntries: 3 });
    for (let i = 0; i < 3; i++) expect(m.update(u32(i), u64(i))).toBe(0);
    expect(m.update(u32(3), u64(3))).toBe(-E2BIG);
    expect(m.update(u32(1), u64(100))).toBe(0);
    expect(m.delete(u32(0))).toBe(0);
    expect(m.update(u32(3), u64(3))).toBe(0);
  });

  it('iterates in the kernel bucket order with seed 0', () => {
    // Linux 6.18, HASH key 4 value 8 entries 16 flags BPF_F_ZERO_SEED, keys 1..12 inserted in order:
    // bpftool map dump printed keys 10 4 5 7 2 1 8 12 11 9 6 3
    const m = mk<HashMap>(testEnv(), H);
    for (let k = 1; k <= 12; k++) m.update(u32(k), u64(k));
    expect(keysOf(m)).toEqual([10, 4, 5, 7, 2, 1, 8, 12, 11, 9, 6, 3]);
  });

  it('iterates like the kernel with odd key sizes (jhash) and long keys (jhash2 mixing)', () => {
    // Linux 6.18, BPF_F_ZERO_SEED: key 5 bytes [k,0,0,0,9], entries 8 -> 5 4 7 3 6 2 1
    const env = testEnv();
    const m5 = mk<HashMap>(env, { ...H, keySize: 5, valueSize: 4, maxEntries: 8 });
    for (let k = 1; k <= 7; k++) m5.update(Uint8Array.of(k, 0, 0, 0, 9), u32(1));
    expect(keysOf(m5)).toEqual([5, 4, 7, 3, 6, 2, 1]);
    // key 16 bytes [k,0,0,0,7,0,0,0,0,0,0,0,k,k,0,0], entries 32 -> 2 4 5 1 6 9 3 10 7 8
    const m16 = mk<HashMap>(env, { ...H, keySize: 16, valueSize: 4, maxEntries: 32 });
    for (let k = 1; k <= 10; k++) m16.update(Uint8Array.of(k, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, k, k, 0, 0), u32(1));
    expect(keysOf(m16)).toEqual([2, 4, 5, 1, 6, 9, 3, 10, 7, 8]);
    // key 13 bytes, entries 32 -> 10 4 6 2 1 8 9 5 7 3
    const m13 = mk<HashMap>(env, { ...H, keySize: 13, valueSize: 4, maxEntries: 32 });
    for (let k = 1; k <= 10; k++) m13.update(Uint8Array.of(k, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, k), u32(1));
    expect(keysOf(m13)).toEqual([10, 4, 6, 2, 1, 8, 9, 5, 7, 3]);
  });

  it('get_next_key: NULL or an absent key starts from the first key, the last gives ENOENT', () => {
    const m = mk<HashMap>(testEnv(), H);
    for (const k of [3, 4]) m.update(u32(k), u64(k));
    const order = keysOf(m);
    const next = new Uint8Array(4);
    expect(m.getNextKey(null, next)).toBe(0);
    expect(getU32(next)).toBe(order[0]);
    expect(m.getNextKey(u32(99), next)).toBe(0);
    expect(getU32(next)).toBe(order[0]);
    expect(m.getNextKey(u32(order[0]!), next)).toBe(0);
    expect(getU32(next)).toBe(order[1]);
    expect(m.getNextKey(u32(order[1]!), next)).toBe(-ENOENT);
    expect(mk(testEnv(), H).getNextKey(null, next)).toBe(-ENOENT);
  });

  it('moves a replaced key to the head of its bucket, like the kernel relinking a new element', () => {
    const m = mk<HashMap>(testEnv(), { ...H, maxEntries: 2 }); // 2 buckets
    const bucket = (k: number): number => keyHash(u32(k), 0, 4, 0) & 1;
    const k1 = 1;
    let k2 = 2;
    while (bucket(k2) !== bucket(k1)) k2++;
    m.update(u32(k1), u64(1));
    m.update(u32(k2), u64(2));
    expect(keysOf(m)).toEqual([k2, k1]); // new elements go to the head
    m.update(u32(k1), u64(3)); // replaced: the new element is linked at the head
    expect(keysOf(m)).toEqual([k1, k2]);
  });

  it('lookupAndDelete returns the value and removes the element', () => {
    const m = mk(testEnv(), H);
    m.update(u32(5), u64(55));
    const v = new Uint8Array(8);
    expect(m.lookupAndDelete(u32(5), v)).toBe(0);
    expect(getU64(v)).toBe(55n);
    expect(m.lookupAndDelete(u32(5), v)).toBe(-ENOENT);
    expect(m.lookupAndDelete(u32(5), v, BPF_F_LOCK)).toBe(-EINVAL);
  });

  it('uses env.random for the seed unless BPF_F_ZERO_SEED', () => {
    const seeded = mk<HashMap>(testEnv({ random: () => 0x12345678 }), { ...H, flags: 0 });
    expect(seeded.seed).toBe(0x12345678);
    expect(mk<HashMap>(testEnv({ random: () => 7 }), H).seed).toBe(0);
    expect(mk<HashMap>(testEnv(), { ...H, flags: 0 }).seed).toBe(0);
    // a different seed gives another (still complete) order
    for (let k = 1; k <= 12; k++) seeded.update(u32(k), u64(k));
    expect(keysOf(seeded).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe('HASH from programs: value pointers', () => {
  it('gives one stable region per element until it goes away', () => {
    const env = testEnv();
    const m = mk(env, H);
    m.update(u32(1), u64(10));
    const id = m.lookupPtr(u32(1), 0, 0);
    expect(id).toBeGreaterThan(0);
    expect(m.lookupPtr(u32(1), 0, 1)).toBe(id);
    expect(m.lookupPtr(u32(2), 0, 0)).toBe(0);
    regionBytes(env, id)[0] = 99;
    const v = new Uint8Array(8);
    m.lookup(u32(1), v);
    expect(v[0]).toBe(99);
    // growing the map does not move existing values
    for (let k = 2; k <= 16; k++) m.update(u32(k), u64(k));
    regionBytes(env, id)[1] = 7;
    m.lookup(u32(1), v);
    expect(v[1]).toBe(7);
  });

  it('keeps a pointer taken before a delete readable, with the old value, until the run ends', () => {
    const env = testEnv();
    const m = mk(env, H);
    m.update(u32(1), u64(0xabc));
    const id = m.lookupPtr(u32(1), 0, 0);
    expect(m.deleteFromProg(u32(1), 0, 0)).toBe(0);
    expect(env.retired).toContain(id);
    expect((env.mem.ownerOf(id) as MapValueRef).alive).toBe(false);
    // the freed slot is reused by a new element; the old pointer still sees the old value
    m.update(u32(2), u64(0xdef));
    expect(getU64(regionBytes(env, id))).toBe(0xabcn);
    const id2 = m.lookupPtr(u32(2), 0, 0);
    expect(id2).not.toBe(id);
    expect(getU64(regionBytes(env, id2))).toBe(0xdefn);
    env.drain();
    expect(env.mem.isMapped(id)).toBe(false);
    expect(m.deleteFromProg(u32(1), 0, 0)).toBe(-ENOENT);
  });

  it('replaces the element on update: an old pointer keeps the old value, a new lookup sees the new one', () => {
    const env = testEnv();
    const m = mk(env, H);
    m.update(u32(1), u64(1));
    const old = m.lookupPtr(u32(1), 0, 0);
    expect(m.updateFromProg(u32(1), 0, u64(2), 0, BPF_ANY, 0)).toBe(0);
    expect(getU64(regionBytes(env, old))).toBe(1n);
    const cur = m.lookupPtr(u32(1), 0, 0);
    expect(cur).not.toBe(old);
    expect(getU64(regionBytes(env, cur))).toBe(2n);
  });

  it('updates in place with BPF_F_LOCK', () => {
    const env = testEnv();
    const m = mk(env, { ...H, valueSize: 16, specialFields: [{ kind: 'spin_lock', offset: 0, size: 4 }] });
    m.update(u32(1), new Uint8Array(16));
    const id = m.lookupPtr(u32(1), 0, 0);
    expect(m.update(u32(1), cat(u64(0xffffffff), u64(5)), BPF_F_LOCK)).toBe(0);
    expect(m.lookupPtr(u32(1), 0, 0)).toBe(id);
    expect(getU64(regionBytes(env, id), 8)).toBe(5n);
    expect(getU32(regionBytes(env, id), 0)).toBe(0); // the lock is not copied
    expect(m.update(u32(2), new Uint8Array(16), BPF_F_LOCK | BPF_EXIST)).toBe(-ENOENT);
    expect(m.update(u32(2), new Uint8Array(16), BPF_F_LOCK)).toBe(0);
  });

  it('visits every element for for_each, and tolerates deleting the current one', () => {
    const env = testEnv();
    const m = mk(env, H);
    for (let k = 1; k <= 5; k++) m.update(u32(k), u64(k * 100));
    let sum = 0n;
    const visits = m.forEachFromProg((kb, ko, vr) => {
      const k = getU32(kb, ko);
      sum += getU64(regionBytes(env, vr));
      if (k === 3) expect(m.deleteFromProg(kb, ko, 0)).toBe(0);
      return false;
    }, 0, 0);
    expect(visits).toBe(5);
    expect(sum).toBe(1500n);
    expect(m.forEachFromProg(() => false, 0, 0)).toBe(4);
    expect(m.forEachFromProg(() => true, 0, 0)).toBe(1);
    expect(m.forEachFromProg(() => false, 1, 0)).toBe(-EINVAL);
  });
});

describe('PERCPU_HASH', () => {
  it('keeps one value per CPU: user space writes all, a program writes its own', () => {
    const env = testEnv({ nrCpus: 3 });
    const m = mk(env, PCPU);
    expect(m.userValueSize).toBe(24);
    // a program's insert sets its CPU's copy and zeroes the others (pcpu_init_value)
    expect(m.updateFromProg(u32(1), 0, u32(7), 0, BPF_NOEXIST, 2)).toBe(0);
    const v = new Uint8Array(24);
    expect(m.lookup(u32(1), v)).toBe(0);
    expect([getU32(v, 0), getU32(v, 8), getU32(v, 16)]).toEqual([0, 0, 7]);
    // user space writes every CPU, padding included
    const all = cat(u64(0x100000001n), u64(2), u64(3));
    expect(m.update(u32(1), all, BPF_EXIST)).toBe(0);
    m.lookup(u32(1), v);
    expect([...v]).toEqual([...all]);
    // in place: the region of CPU 1 sees it
    const r1 = m.lookupPtr(u32(1), 0, 1);
    expect(getU32(regionBytes(env, r1))).toBe(2);
    expect(regionBytes(env, r1)).toHaveLength(4);
    expect(m.updateFromProg(u32(1), 0, u32(9), 0, BPF_EXIST, 1)).toBe(0);
    expect(m.lookupPtr(u32(1), 0, 1)).toBe(r1);
    expect(getU32(regionBytes(env, r1))).toBe(9);
    m.lookup(u32(1), v);
    expect(getU32(v, 0)).toBe(1);
  });

  it('rejects BPF_F_LOCK and unknown flags, and lookup_percpu_elem past the CPUs', () => {
    const m = mk(testEnv({ nrCpus: 2 }), PCPU);
    expect(m.updateFromProg(u32(1), 0, u32(1), 0, BPF_F_LOCK, 0)).toBe(-EINVAL);
    expect(m.updateFromProg(u32(1), 0, u32(1), 0, 0, 0)).toBe(0);
    expect(m.lookupPtr(u32(1), 0, 2)).toBe(0);
    expect(m.lookupPtr(u32(1), 0, 1)).toBeGreaterThan(0);
  });

  it('runs the maps_hash.bpf.c sequence on this CPU', () => {
    const env = testEnv({ nrCpus: 2 });
    for (const type of [BPF_MAP_TYPE.PERCPU_HASH, BPF_MAP_TYPE.LRU_HASH, BPF_MAP_TYPE.LRU_PERCPU_HASH]) {
      const m = mk(env, { type, keySize: 4, valueSize: 8, maxEntries: 8 });
      const k1 = u32(1);
      const res = [
        m.updateFromProg(k1, 0, u64(10), 0, BPF_NOEXIST, 0),
        m.updateFromProg(k1, 0, u64(11), 0, BPF_NOEXIST, 0),
        m.updateFromProg(u32(2), 0, u64(20), 0, BPF_EXIST, 0),
        m.updateFromProg(k1, 0, u64(12), 0, BPF_EXIST, 0),
        Number(getU64(regionBytes(env, m.lookupPtr(k1, 0, 0)))),
        m.updateFromProg(k1, 0, u64(13), 0, 4, 0),
        m.deleteFromProg(k1, 0, 0),
        m.deleteFromProg(k1, 0, 0),
        m.lookupPtr(k1, 0, 0) === 0 ? 1 : 0,
        m.updateFromProg(u32(3), 0, u64(30), 0, BPF_ANY, 0),
      ];
      expect(res).toEqual([0, -EEXIST, -ENOENT, 0, 12, -EINVAL, 0, -ENOENT, 1, 0]);
    }
  });
});

describe('LRU_HASH', () => {
  it('evicts the least recently used element when full; program lookups and updates count as use', () => {
    const m = mk<HashMap>(testEnv(), LRU);
    for (let k = 1; k <= 4; k++) expect(m.update(u32(k), u64(k))).toBe(0);
    expect(m.lookupPtr(u32(1), 0, 0)).toBeGreaterThan(0); // 1 is now most recent
    expect(m.updateFromProg(u32(2), 0, u64(22), 0, BPF_EXIST, 0)).toBe(0); // then 2
    expect(m.update(u32(5), u64(5))).toBe(0); // evicts 3
    expect(keysOf(m).sort()).toEqual([1, 2, 4, 5]);
    expect(m.update(u32(6), u64(6))).toBe(0); // evicts 4
    expect(keysOf(m).sort()).toEqual([1, 2, 5, 6]);
    expect(m.lruOrder().map((k) => k[0])).toEqual([6, 5, 2, 1]);
  });

  it('does not count user-space lookups as use (map_lookup_elem_sys_only)', () => {
    const m = mk<HashMap>(testEnv(), LRU);
    for (let k = 1; k <= 4; k++) m.update(u32(k), u64(k));
    expect(m.lookup(u32(1), new Uint8Array(8))).toBe(0);
    m.update(u32(5), u64(5));
    expect(m.lookup(u32(1), new Uint8Array(8))).toBe(-ENOENT);
  });

  it('retires the region of an evicted element', () => {
    const env = testEnv();
    const m = mk<HashMap>(env, LRU);
    m.update(u32(1), u64(1));
    const id = m.lookupPtr(u32(1), 0, 0);
    for (let k = 2; k <= 5; k++) m.update(u32(k), u64(k));
    expect(env.retired).toContain(id);
    expect(getU64(regionBytes(env, id))).toBe(1n);
  });

  it('never fails with E2BIG, and rejects BPF_F_LOCK', () => {
    const m = mk<HashMap>(testEnv(), { ...LRU, maxEntries: 4 });
    for (let k = 100; k < 116; k++) expect(m.update(u32(k), u64(k))).toBe(0);
    expect(m.count).toBe(4);
    expect(keysOf(m).sort()).toEqual([112, 113, 114, 115]);
    expect(m.update(u32(1), u64(1), BPF_F_LOCK)).toBe(-EINVAL);
  });

  it('keeps one list per CPU with BPF_F_NO_COMMON_LRU and evicts from the inserting CPU list', () => {
    const env = testEnv({ nrCpus: 2 });
    const m = mk<HashMap>(env, { ...LRU, maxEntries: 4, flags: BPF_F.NO_COMMON_LRU | BPF_F.ZERO_SEED });
    // two per CPU list
    expect(m.updateFromProg(u32(1), 0, u64(1), 0, 0, 0)).toBe(0);
    expect(m.updateFromProg(u32(2), 0, u64(2), 0, 0, 0)).toBe(0);
    expect(m.updateFromProg(u32(3), 0, u64(3), 0, 0, 1)).toBe(0);
    expect(m.updateFromProg(u32(4), 0, u64(4), 0, 0, 0)).toBe(0); // CPU 0's list is full: evicts 1
    expect(keysOf(m).sort()).toEqual([2, 3, 4]);
    expect(m.lruOrder(0).map((k) => k[0])).toEqual([4, 2]);
    expect(m.lruOrder(1).map((k) => k[0])).toEqual([3]);
  });
});

describe('hash batch commands (__htab_map_lookup_and_delete_batch)', () => {
  function filled(): HashMap {
    const m = mk<HashMap>(testEnv(), H);
    for (let k = 1; k <= 12; k++) m.update(u32(k), u64(k * 10));
    return m;
  }

  it('returns whole buckets with the next bucket number as token (libbpf on Linux 6.18)', () => {
    // kernel, count 3 per call: [10 4 5] out 10; [7 2 1] out 12; [8] out 13; [12 11 9] out 14; -ENOENT [6 3] out 16
    const m = filled();
    const keys = new Uint8Array(12);
    const vals = new Uint8Array(24);
    let tok: Uint8Array | null = null;
    const got: [number, number[], number][] = [];
    for (;;) {
      const r = m.lookupBatch(tok, keys, vals, 3);
      const ks = Array.from({ length: r.count }, (_, i) => getU32(keys, i * 4));
      got.push([r.err, ks, getU32(r.outBatch!)]);
      ks.forEach((k, i) => expect(getU64(vals, i * 8)).toBe(BigInt(k * 10)));
      if (r.err !== 0) break;
      tok = r.outBatch;
    }
    expect(got).toEqual([
      [0, [10, 4, 5], 10],
      [0, [7, 2, 1], 12],
      [0, [8], 13],
      [0, [12, 11, 9], 14],
      [-ENOENT, [6, 3], 16],
    ]);
  });

  it('fails with ENOSPC when the first bucket does not fit, ENOENT for a token past the end', () => {
    // kernel: count 1 from the start -> -ENOSPC, count 0, out 1
    const m = filled();
    const r = m.lookupBatch(null, new Uint8Array(4), new Uint8Array(8), 1);
    expect(r.err).toBe(-ENOSPC);
    expect(r.count).toBe(0);
    expect(getU32(r.outBatch!)).toBe(1);
    expect(m.lookupBatch(u32(16), new Uint8Array(4), new Uint8Array(8), 1)).toEqual({ err: -ENOENT, count: 0, outBatch: null });
    expect(m.lookupBatch(null, new Uint8Array(4), new Uint8Array(8), 1, { flags: 1 }).err).toBe(-EINVAL);
  });

  it('deletes what it returns with lookup_and_delete_batch', () => {
    const m = filled();
    const keys = new Uint8Array(64);
    const vals = new Uint8Array(128);
    const r = m.lookupAndDeleteBatch(null, keys, vals, 16);
    expect(r.err).toBe(-ENOENT);
    expect(r.count).toBe(12);
    expect(m.count).toBe(0);
  });

  it('deletes keys in order and stops at the first missing one (kernel: count 1 for [1, 99, 2])', () => {
    const m = filled();
    const r = m.deleteBatch(cat(u32(1), u32(99), u32(2)), 3);
    expect(r).toEqual({ err: -ENOENT, count: 1, outBatch: null });
    expect(m.count).toBe(11);
  });

  it('updates in order; elem_flags may only hold BPF_F_LOCK (generic_map_update_batch)', () => {
    const m = mk<HashMap>(testEnv(), { ...H, maxEntries: 2 });
    expect(m.updateBatch(cat(u32(1), u32(2)), cat(u64(1), u64(2)), 2)).toEqual({ err: 0, count: 2, outBatch: null });
    expect(m.updateBatch(cat(u32(1), u32(3)), cat(u64(1), u64(3)), 2)).toEqual({ err: -E2BIG, count: 1, outBatch: null });
    expect(m.updateBatch(u32(1), u64(1), 1, { elemFlags: BPF_NOEXIST }).err).toBe(-EINVAL);
  });

  it('returns per-CPU values for per-CPU maps', () => {
    const m = mk<HashMap>(testEnv({ nrCpus: 2 }), PCPU);
    m.update(u32(1), cat(u64(1), u64(2)));
    const vals = new Uint8Array(16 * 16);
    const r = m.lookupBatch(null, new Uint8Array(64), vals, 16);
    expect(r.count).toBe(1);
    expect([getU64(vals, 0), getU64(vals, 8)]).toEqual([1n, 2n]);
  });
});

describe('free', () => {
  it('retires value regions and frees special fields of values programs saw', () => {
    const env = testEnv();
    const m = mk(env, { ...H, valueSize: 16, specialFields: [{ kind: 'timer', offset: 0, size: 16 }] });
    m.update(u32(1), new Uint8Array(16));
    m.update(u32(2), new Uint8Array(16));
    const id = m.lookupPtr(u32(1), 0, 0);
    m.free();
    expect(env.retired).toContain(id);
    expect(env.freedValues.map((f) => f.regionId)).toEqual([id]);
  });
});
