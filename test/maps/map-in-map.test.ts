import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { RegionKind } from '../../src/vm/memory.js';
import type { BpfMap } from '../../src/maps/map.js';
import { ArrayOfMapsMap, HashOfMapsMap, innerMapCompatible, innerMapMeta } from '../../src/maps/map-in-map.js';
import { createMap } from '../../src/maps/registry.js';
import type { MapAttr } from '../../src/maps/types.js';
import { BPF_EXIST, BPF_F, BPF_MAP_TYPE, BPF_NOEXIST } from '../../src/maps/uapi.js';
import { cat, getU32, getU64, mk, regionBytes, testEnv, u32, u64 } from './env.js';

const { EINVAL, E2BIG, EEXIST, ENOENT, EBADF, ENOTSUPP } = ERRNO;

const INNER: MapAttr = { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'inner_a' };
const INNER_H: MapAttr = { type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 8, name: 'inner_h' };

function outerArr(env: ReturnType<typeof testEnv>, inner: BpfMap, extra: Partial<MapAttr> = {}): ArrayOfMapsMap {
  return mk<ArrayOfMapsMap>(env, { type: BPF_MAP_TYPE.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMap: inner, name: 'outer_arr', ...extra });
}

describe('inner map templates (bpf_map_meta_alloc / bpf_map_meta_equal)', () => {
  it('needs an inner map (EBADF), only one level (EINVAL), and a type with map_meta_equal (ENOTSUPP)', () => {
    const env = testEnv();
    const base: MapAttr = { type: BPF_MAP_TYPE.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2 };
    expect(createMap(base, env)).toBe(-EBADF);
    const inner = mk(env, INNER);
    const outer = outerArr(env, inner);
    expect(createMap({ ...base, innerMap: outer }, env)).toBe(-EINVAL);
    expect(createMap({ ...base, innerMap: mk(env, { type: BPF_MAP_TYPE.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 }) }, env)).toBe(-ENOTSUPP);
    expect(createMap({ ...base, valueSize: 8, innerMap: inner }, env)).toBe(-EINVAL);
    expect(createMap({ ...base, type: BPF_MAP_TYPE.HASH_OF_MAPS, valueSize: 8, innerMap: inner }, env)).toBe(-EINVAL);
    expect(createMap({ ...base, btfValueTypeId: 3, btfKeyTypeId: 1, innerMap: inner }, env)).toBe(-ENOTSUPP);
    const freed = mk(env, INNER);
    freed.free();
    expect(createMap({ ...base, innerMap: freed }, env)).toBe(-EBADF);
  });

  it('compares type, sizes, flags and, for arrays without BPF_F_INNER_MAP, max_entries', () => {
    const env = testEnv();
    const meta = innerMapMeta(mk(env, INNER));
    if (typeof meta === 'number') throw new Error('meta');
    expect(innerMapCompatible(meta, mk(env, INNER))).toBe(true);
    expect(innerMapCompatible(meta, mk(env, { ...INNER, maxEntries: 8 }))).toBe(false);
    expect(innerMapCompatible(meta, mk(env, { ...INNER, valueSize: 4 }))).toBe(false);
    expect(innerMapCompatible(meta, mk(env, { ...INNER, flags: BPF_F.RDONLY_PROG }))).toBe(false);
    expect(innerMapCompatible(meta, mk(env, { ...INNER, type: BPF_MAP_TYPE.PERCPU_ARRAY }))).toBe(false);
    expect(innerMapCompatible(meta, mk(env, { ...INNER, specialFields: [{ kind: 'spin_lock', offset: 0, size: 4 }] }))).toBe(false);
    const flex = innerMapMeta(mk(env, { ...INNER, flags: BPF_F.INNER_MAP }));
    if (typeof flex === 'number') throw new Error('meta');
    expect(innerMapCompatible(flex, mk(env, { ...INNER, flags: BPF_F.INNER_MAP, maxEntries: 100 }))).toBe(true);
    const h = innerMapMeta(mk(env, INNER_H));
    if (typeof h === 'number') throw new Error('meta');
    expect(innerMapCompatible(h, mk(env, { ...INNER_H, maxEntries: 1000 }))).toBe(true);
  });
});

describe('ARRAY_OF_MAPS (map_in_map.bpf.c)', () => {
  it('stores inner maps by fd, reads back ids, and gives programs the inner handle', () => {
    const env = testEnv();
    const a = mk(env, INNER);
    const b = mk(env, { ...INNER, name: 'inner_b' });
    const outer = outerArr(env, a);
    expect(outer.setInner(0, a)).toBe(0);
    expect(outer.update(u32(1), u32(env.fd(b)))).toBe(0);
    const v = new Uint8Array(4);
    expect(outer.lookup(u32(1), v)).toBe(0);
    expect(getU32(v)).toBe(b.id);
    // a program: outer lookup -> inner handle -> inner map -> value
    const h = outer.lookupPtr(u32(1), 0, 0);
    expect(h).toBe(b.handleRegion);
    expect(env.mem.kindOf(h)).toBe(RegionKind.MAP);
    const inner = env.mem.ownerOf(h) as BpfMap;
    const val = inner.lookupPtr(u32(1), 0, 0);
    regionBytes(env, val).set(u64(60));
    const out = new Uint8Array(8);
    b.lookup(u32(1), out);
    expect(getU64(out)).toBe(60n);
    expect(outer.lookupPtr(u32(5), 0, 0)).toBe(0);
  });

  it('checks fds and compatibility (EBADF, EINVAL), flags and indexes', () => {
    const env = testEnv();
    const a = mk(env, INNER);
    const outer = outerArr(env, a);
    expect(outer.update(u32(0), u32(4242))).toBe(-EBADF);
    expect(outer.update(u32(0), u32(env.fd({ id: 1, type: 6 })))).toBe(-EINVAL);
    expect(outer.update(u32(0), u32(env.fd(mk(env, { ...INNER, maxEntries: 5 }))))).toBe(-EINVAL);
    expect(outer.update(u32(0), u32(env.fd(a)), BPF_EXIST)).toBe(-EINVAL);
    expect(outer.update(u32(2), u32(env.fd(a)))).toBe(-E2BIG);
    expect(outer.delete(u32(0))).toBe(-ENOENT);
    expect(outer.lookupAndDelete(u32(0), new Uint8Array(4))).toBe(-ENOTSUPP);
    expect([...outer.progOps]).toEqual(['lookup']);
  });

  it('references inner maps: freed with the outer map once nothing else holds them', () => {
    const env = testEnv();
    const a = mk(env, INNER);
    const outer = outerArr(env, a);
    outer.setInner(0, a);
    expect(a.refCount).toBe(2);
    a.release(); // the creator's fd closes
    expect(a.freed).toBe(false);
    outer.free();
    expect(a.freed).toBe(true);
  });

  it('supports the generic lookup and update batches', () => {
    const env = testEnv();
    const a = mk(env, INNER);
    const outer = outerArr(env, a);
    const r = outer.updateBatch(cat(u32(0), u32(1)), cat(u32(env.fd(a)), u32(env.fd(a))), 2);
    expect(r.count).toBe(2);
    const ids = new Uint8Array(8);
    expect(outer.lookupBatch(null, new Uint8Array(8), ids, 2).count).toBe(2);
    expect([getU32(ids, 0), getU32(ids, 4)]).toEqual([a.id, a.id]);
    expect(outer.deleteBatch(u32(0), 1).err).toBe(-ENOTSUPP);
  });
});

describe('HASH_OF_MAPS', () => {
  function outerHash(env: ReturnType<typeof testEnv>, inner: BpfMap): HashOfMapsMap {
    return mk<HashOfMapsMap>(env, { type: BPF_MAP_TYPE.HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMap: inner, name: 'outer_hash' });
  }

  it('stores, replaces and deletes inner maps under keys, releasing them', () => {
    const env = testEnv();
    const h1 = mk(env, INNER_H);
    const h2 = mk(env, { ...INNER_H, maxEntries: 4 });
    const outer = outerHash(env, h1);
    expect(outer.setInner(u32(5), h1)).toBe(0);
    expect(outer.lookupPtr(u32(5), 0, 0)).toBe(h1.handleRegion);
    expect(outer.lookupPtr(u32(7), 0, 0)).toBe(0);
    expect(outer.update(u32(5), u32(env.fd(h2)), BPF_NOEXIST)).toBe(-EEXIST);
    expect(h2.refCount).toBe(1); // the failed update dropped its reference
    expect(outer.update(u32(5), u32(env.fd(h2)), BPF_EXIST)).toBe(0);
    expect(h1.refCount).toBe(1);
    const v = new Uint8Array(4);
    expect(outer.lookup(u32(5), v)).toBe(0);
    expect(getU32(v)).toBe(h2.id);
    expect(outer.innerFor(u32(5))).toBe(h2);
    expect(outer.delete(u32(5))).toBe(0);
    expect(h2.refCount).toBe(1);
    expect(outer.delete(u32(5))).toBe(-ENOENT);
  });

  it('fails with E2BIG when full, ENOENT for BPF_EXIST on a missing key, EINVAL for unknown flags', () => {
    const env = testEnv();
    const h = mk(env, INNER_H);
    const outer = outerHash(env, h);
    const fd = env.fd(h);
    expect(outer.update(u32(1), u32(fd), BPF_EXIST)).toBe(-ENOENT);
    expect(outer.update(u32(1), u32(fd), 4)).toBe(-EINVAL);
    expect(outer.update(u32(1), u32(fd))).toBe(0);
    expect(outer.update(u32(2), u32(fd))).toBe(0);
    expect(outer.update(u32(3), u32(fd))).toBe(-E2BIG);
    expect(outer.update(u32(3), u32(9999))).toBe(-EBADF);
    expect(h.refCount).toBe(3);
    const keys = new Uint8Array(8);
    const ids = new Uint8Array(8);
    const r = outer.lookupAndDeleteBatch(null, keys, ids, 2);
    expect(r.count).toBe(2);
    expect([getU32(ids, 0), getU32(ids, 4)]).toEqual([h.id, h.id]);
    expect(h.refCount).toBe(1);
    expect(outer.lookupAndDelete(u32(1), new Uint8Array(4))).toBe(-ENOTSUPP);
  });
});
