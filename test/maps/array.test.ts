import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { PERM_R, PERM_RW, PERM_W, RegionKind } from '../../src/vm/memory.js';
import { ArrayMap } from '../../src/maps/array.js';
import { createMap } from '../../src/maps/registry.js';
import { MapValueRef, type MapAttr } from '../../src/maps/types.js';
import { BPF_ANY, BPF_EXIST, BPF_F, BPF_F_LOCK, BPF_MAP_TYPE, BPF_NOEXIST } from '../../src/maps/uapi.js';
import { cat, getU32, getU64, mk, regionBytes, testEnv, u32, u64 } from './env.js';

const { EINVAL, E2BIG, EEXIST, ENOENT, ENOTSUPP, ENOMEM, EPERM, EACCES } = ERRNO;

const ARR: MapAttr = { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'arr' };
const PCPU: MapAttr = { type: BPF_MAP_TYPE.PERCPU_ARRAY, keySize: 4, valueSize: 12, maxEntries: 3, name: 'pc' };

describe('array_map_alloc_check', () => {
  const env = testEnv();
  const errno = (a: Partial<MapAttr>, base = ARR): number | 'ok' => {
    const m = createMap({ ...base, ...a }, env);
    return typeof m === 'number' ? m : 'ok';
  };

  it('accepts sane attributes', () => {
    expect(errno({})).toBe('ok');
    expect(errno({ flags: BPF_F.MMAPABLE | BPF_F.RDONLY_PROG })).toBe('ok');
    expect(errno({ flags: BPF_F.INNER_MAP })).toBe('ok');
    expect(errno({ flags: BPF_F.NUMA_NODE, numaNode: 0 })).toBe('ok');
  });

  it('rejects zero sizes, a key other than 4 bytes and unknown flags with EINVAL', () => {
    expect(errno({ maxEntries: 0 })).toBe(-EINVAL);
    expect(errno({ keySize: 8 })).toBe(-EINVAL);
    expect(errno({ valueSize: 0 })).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.NO_PREALLOC })).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG })).toBe(-EINVAL);
  });

  it('allows MMAPABLE/INNER_MAP only on ARRAY, PRESERVE_ELEMS only on PERF_EVENT_ARRAY, NUMA not per-CPU', () => {
    expect(errno({ flags: BPF_F.MMAPABLE }, PCPU)).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.INNER_MAP }, PCPU)).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.PRESERVE_ELEMS })).toBe(-EINVAL);
    expect(errno({ flags: BPF_F.NUMA_NODE }, PCPU)).toBe(-EINVAL);
  });

  it('limits per-CPU values to PCPU_MIN_UNIT_SIZE (E2BIG) and sizes to the emulator cap (ENOMEM)', () => {
    expect(errno({ valueSize: 32768 }, PCPU)).toBe('ok');
    expect(errno({ valueSize: 32769 }, PCPU)).toBe(-E2BIG);
    expect(errno({ valueSize: 0x80000000 })).toBe(-E2BIG);
    expect(errno({ maxEntries: 0xffffffff })).toBe(-ENOMEM);
  });
});

describe('ARRAY from user space', () => {
  it('starts zeroed and reads back updates', () => {
    const env = testEnv();
    const m = mk(env, ARR);
    const v = new Uint8Array(8);
    expect(m.lookup(u32(3), v)).toBe(0);
    expect(getU64(v)).toBe(0n);
    expect(m.update(u32(3), u64(0x1122334455n))).toBe(0);
    expect(m.lookup(u32(3), v)).toBe(0);
    expect(getU64(v)).toBe(0x1122334455n);
  });

  it('gives ENOENT for a lookup past the end and E2BIG for an update past the end', () => {
    const m = mk(testEnv(), ARR);
    expect(m.lookup(u32(4), new Uint8Array(8))).toBe(-ENOENT);
    expect(m.update(u32(4), u64(1))).toBe(-E2BIG);
    expect(m.update(u32(0xffffffff), u64(1))).toBe(-E2BIG);
  });

  it('treats update flags like array_map_update_elem', () => {
    const m = mk(testEnv(), ARR);
    expect(m.update(u32(0), u64(1), BPF_ANY)).toBe(0);
    expect(m.update(u32(0), u64(1), BPF_EXIST)).toBe(0);
    expect(m.update(u32(0), u64(1), BPF_NOEXIST)).toBe(-EEXIST);
    expect(m.update(u32(0), u64(1), 3)).toBe(-EINVAL);
    expect(m.update(u32(0), u64(1), 8)).toBe(-EINVAL);
    // BPF_F_LOCK without a bpf_spin_lock in the value
    expect(m.update(u32(0), u64(1), BPF_F_LOCK)).toBe(-EINVAL);
    // the index check comes before the NOEXIST check
    expect(m.update(u32(9), u64(1), BPF_NOEXIST)).toBe(-E2BIG);
  });

  it('refuses delete with EINVAL', () => {
    const m = mk(testEnv(), ARR);
    expect(m.delete(u32(0))).toBe(-EINVAL);
    expect(m.delete(u32(99))).toBe(-EINVAL);
  });

  it('walks keys in index order (array_map_get_next_key)', () => {
    const m = mk(testEnv(), ARR);
    const next = new Uint8Array(4);
    expect(m.getNextKey(null, next)).toBe(0);
    expect(getU32(next)).toBe(0);
    expect(m.getNextKey(u32(1), next)).toBe(0);
    expect(getU32(next)).toBe(2);
    expect(m.getNextKey(u32(3), next)).toBe(-ENOENT);
    expect(m.getNextKey(u32(77), next)).toBe(0);
    expect(getU32(next)).toBe(0);
    expect([...m.entries()].map(([k]) => getU32(k))).toEqual([0, 1, 2, 3]);
  });

  it('has no lookup_and_delete (ENOTSUPP)', () => {
    const m = mk(testEnv(), ARR);
    expect(m.lookupAndDelete(u32(0), new Uint8Array(8))).toBe(-ENOTSUPP);
  });
});

describe('PERCPU_ARRAY layout', () => {
  it('reads and writes nrCpus x round_up(value_size, 8) bytes from user space', () => {
    const env = testEnv({ nrCpus: 3 });
    const m = mk(env, PCPU);
    expect(m.userValueSize).toBe(3 * 16);
    const v = new Uint8Array(48);
    for (let i = 0; i < 48; i++) v[i] = i + 1;
    expect(m.update(u32(1), v)).toBe(0);
    const out = new Uint8Array(48);
    expect(m.lookup(u32(1), out)).toBe(0);
    // the padding bytes travel too (copy_map_value_long)
    expect([...out]).toEqual([...v]);
  });

  it('lets a program see and update only its CPU copy', () => {
    const env = testEnv({ nrCpus: 2 });
    const m = mk(env, PCPU);
    const r0 = m.lookupPtr(u32(0), 0, 0);
    const r1 = m.lookupPtr(u32(0), 0, 1);
    expect(r0).not.toBe(r1);
    expect(regionBytes(env, r0)).toHaveLength(12);
    expect(m.updateFromProg(u32(0), 0, cat(u32(7), u32(8), u32(9)), 0, BPF_ANY, 1)).toBe(0);
    expect(getU32(regionBytes(env, r1), 4)).toBe(8);
    expect(getU32(regionBytes(env, r0), 4)).toBe(0);
    const out = new Uint8Array(32);
    m.lookup(u32(0), out);
    expect(getU32(out, 16)).toBe(7);
    expect(getU32(out, 0)).toBe(0);
  });

  it('returns NULL for bpf_map_lookup_percpu_elem with cpu >= nr_cpus', () => {
    const m = mk(testEnv({ nrCpus: 2 }), PCPU);
    expect(m.lookupPtr(u32(0), 0, 2)).toBe(0);
  });

  it('user-space updates check flags like bpf_percpu_array_update', () => {
    const m = mk(testEnv({ nrCpus: 2 }), PCPU);
    const v = new Uint8Array(32);
    expect(m.update(u32(0), v, BPF_NOEXIST)).toBe(-EEXIST);
    expect(m.update(u32(3), v)).toBe(-E2BIG);
    expect(m.update(u32(0), v, 3)).toBe(-EINVAL);
    expect(m.update(u32(0), v, BPF_EXIST)).toBe(0);
  });
});

describe('ARRAY from programs', () => {
  it('returns a stable value region per element, kind MAP_VALUE, owned by a MapValueRef', () => {
    const env = testEnv();
    const m = mk(env, ARR);
    const id = m.lookupPtr(u32(2), 0, 0);
    expect(id).toBeGreaterThan(0);
    expect(m.lookupPtr(u32(2), 0, 1)).toBe(id);
    expect(env.mem.kindOf(id)).toBe(RegionKind.MAP_VALUE);
    expect(env.mem.permOf(id)).toBe(PERM_RW);
    const ref = env.mem.ownerOf(id);
    expect(ref).toBeInstanceOf(MapValueRef);
    expect((ref as MapValueRef).map).toBe(m);
    expect((ref as MapValueRef).elem).toBe(2);
    // writes through the region are what user space reads
    regionBytes(env, id)[0] = 0x5a;
    const v = new Uint8Array(8);
    m.lookup(u32(2), v);
    expect(v[0]).toBe(0x5a);
    expect(m.lookupPtr(u32(4), 0, 0)).toBe(0);
  });

  it('reads keys and values in place at an offset', () => {
    const env = testEnv();
    const m = mk(env, ARR);
    const guest = cat(new Uint8Array(3), u32(1), u64(77));
    expect(m.updateFromProg(guest, 3, guest, 7, BPF_ANY, 0)).toBe(0);
    expect(getU64(regionBytes(env, m.lookupPtr(guest, 3, 0)))).toBe(77n);
    expect(m.updateFromProg(guest, 3, guest, 7, BPF_NOEXIST, 0)).toBe(-EEXIST);
    expect(m.updateFromProg(u32(5), 0, guest, 7, BPF_ANY, 0)).toBe(-E2BIG);
    expect(m.updateFromProg(u32(1), 0, guest, 7, 2 ** 33, 0)).toBe(-EINVAL);
    expect(m.deleteFromProg(u32(1), 0, 0)).toBe(-EINVAL);
  });

  it('maps BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG to region permissions', () => {
    const env = testEnv();
    const ro = mk(env, { ...ARR, flags: BPF_F.RDONLY_PROG });
    const wo = mk(env, { ...ARR, flags: BPF_F.WRONLY_PROG });
    expect(env.mem.permOf(ro.lookupPtr(u32(0), 0, 0))).toBe(PERM_R);
    expect(env.mem.permOf(wo.lookupPtr(u32(0), 0, 0))).toBe(PERM_W);
  });

  it('iterates every index for bpf_for_each_map_elem, stopping when the callback says so', () => {
    const env = testEnv();
    const m = mk(env, { ...ARR, maxEntries: 8 });
    const seen: number[] = [];
    expect(m.forEachFromProg((kb, ko, vr) => {
      seen.push(getU32(kb, ko));
      expect(env.mem.isMapped(vr)).toBe(true);
      return false;
    }, 0, 0)).toBe(8);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // stop at key 3: 4 visited (the stopping one counts)
    expect(m.forEachFromProg((kb, ko) => getU32(kb, ko) === 3, 0, 0)).toBe(4);
    expect(m.forEachFromProg(() => false, 1, 0)).toBe(-EINVAL);
  });

  it('gives the direct value region of a one-element array', () => {
    const env = testEnv();
    const g = mk<ArrayMap>(env, { ...ARR, maxEntries: 1, valueSize: 16 });
    expect(g.directValueRegion(0)).toBe(g.lookupPtr(u32(0), 0, 0));
    expect(g.directValueRegion(15)).toBeGreaterThan(0);
    expect(g.directValueRegion(16)).toBe(-EINVAL);
    expect(mk<ArrayMap>(env, ARR).directValueRegion(0)).toBe(-ENOTSUPP);
  });
});

describe('mmap of BPF_F_MMAPABLE arrays', () => {
  it('exposes the live, page-aligned value area', () => {
    const env = testEnv();
    const m = mk<ArrayMap>(env, { ...ARR, flags: BPF_F.MMAPABLE });
    const mm = m.mmap(true);
    expect(mm).toBeInstanceOf(Uint8Array);
    expect((mm as Uint8Array).length).toBe(4096);
    (mm as Uint8Array)[8] = 3; // element 1
    const v = new Uint8Array(8);
    m.lookup(u32(1), v);
    expect(v[0]).toBe(3);
  });

  it('refuses without MMAPABLE, writable when frozen or RDONLY_PROG', () => {
    const env = testEnv();
    expect(mk<ArrayMap>(env, ARR).mmap(false)).toBe(-EINVAL);
    const f = mk<ArrayMap>(env, { ...ARR, flags: BPF_F.MMAPABLE });
    expect(f.freeze()).toBe(0);
    expect(f.mmap(true)).toBe(-EPERM);
    expect(f.mmap(false)).toBeInstanceOf(Uint8Array);
    const ro = mk<ArrayMap>(env, { ...ARR, flags: BPF_F.MMAPABLE | BPF_F.RDONLY_PROG });
    expect(ro.mmap(true)).toBe(-EACCES);
    const sf = mk<ArrayMap>(env, { ...ARR, flags: BPF_F.MMAPABLE, specialFields: [{ kind: 'spin_lock', offset: 0, size: 4 }] });
    expect(sf.mmap(false)).toBe(-ENOTSUPP);
  });
});

describe('batch commands (generic_map_lookup_batch / update_batch)', () => {
  it('returns keys and values in index order with the last key as token, ENOENT at the end', () => {
    // libbpf on Linux 6.18, ARRAY of 5, count 2: (0, cnt 2, out 1) (0, 2, 3) (-ENOENT, 1, 4)
    const m = mk(testEnv(), { ...ARR, maxEntries: 5 });
    for (let i = 0; i < 5; i++) m.update(u32(i), u64(i * 10));
    const keys = new Uint8Array(8);
    const vals = new Uint8Array(16);
    let tok: Uint8Array | null = null;
    const got: [number, number, number][] = [];
    for (;;) {
      const r = m.lookupBatch(tok, keys, vals, 2);
      got.push([r.err, r.count, getU32(r.outBatch!)]);
      if (r.err !== 0) break;
      tok = r.outBatch;
    }
    expect(got).toEqual([
      [0, 2, 1],
      [0, 2, 3],
      [-ENOENT, 1, 4],
    ]);
    expect(getU64(vals, 0)).toBe(40n);
  });

  it('returns count 0 and no token for count 0; checks elem_flags', () => {
    const m = mk(testEnv(), ARR);
    expect(m.lookupBatch(null, new Uint8Array(0), new Uint8Array(0), 0)).toEqual({ err: 0, count: 0, outBatch: null });
    expect(m.lookupBatch(null, new Uint8Array(4), new Uint8Array(8), 1, { elemFlags: BPF_F_LOCK }).err).toBe(-EINVAL);
    expect(m.lookupBatch(null, new Uint8Array(4), new Uint8Array(8), 1, { elemFlags: 1 }).err).toBe(-EINVAL);
  });

  it('updates in order and stops at the first error with the count done', () => {
    const m = mk(testEnv(), ARR);
    const r = m.updateBatch(cat(u32(0), u32(1), u32(9), u32(2)), cat(u64(1), u64(2), u64(3), u64(4)), 4);
    expect(r.err).toBe(-E2BIG);
    expect(r.count).toBe(2);
    const v = new Uint8Array(8);
    m.lookup(u32(2), v);
    expect(getU64(v)).toBe(0n);
  });

  it('has no delete or lookup_and_delete batch (ENOTSUPP)', () => {
    const m = mk(testEnv(), ARR);
    expect(m.deleteBatch(u32(0), 1).err).toBe(-ENOTSUPP);
    expect(m.lookupAndDeleteBatch(null, u32(0), new Uint8Array(8), 1).err).toBe(-ENOTSUPP);
  });
});

describe('free', () => {
  it('retires every value region and the handle', () => {
    const env = testEnv();
    const m = mk(env, ARR);
    const a = m.lookupPtr(u32(0), 0, 0);
    const b = m.lookupPtr(u32(3), 0, 0);
    m.free();
    expect(env.retired).toEqual(expect.arrayContaining([a, b, m.handleRegion]));
    env.drain();
    expect(env.mem.isMapped(a)).toBe(false);
  });
});
