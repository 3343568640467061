import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { PERM_NONE, RegionKind } from '../../src/vm/memory.js';
import { MapError } from '../../src/maps/errors.js';
import { mapOfHandle, valueRefOf } from '../../src/maps/map.js';
import type { MapAttr } from '../../src/maps/types.js';
import { BPF_F, BPF_F_LOCK, BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { getU32, getU64, mk, regionBytes, testEnv, u32, u64 } from './env.js';

const { EINVAL, EPERM, EFAULT, ENOTSUPP } = ERRNO;

const ARR: MapAttr = { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'arr' };
const HASH: MapAttr = { type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 8, name: 'h' };

describe('syscall access checks (map_get_sys_perms)', () => {
  it('BPF_F_RDONLY: reads work, writes fail with EPERM', () => {
    const m = mk(testEnv(), { ...HASH, flags: BPF_F.RDONLY });
    expect(m.update(u32(1), u64(1))).toBe(-EPERM);
    expect(m.delete(u32(1))).toBe(-EPERM);
    expect(m.lookupAndDelete(u32(1), new Uint8Array(8))).toBe(-EPERM);
    expect(m.updateBatch(u32(1), u64(1), 1).err).toBe(-EPERM);
    expect(m.deleteBatch(u32(1), 1).err).toBe(-EPERM);
    expect(m.lookup(u32(1), new Uint8Array(8))).toBe(-ERRNO.ENOENT);
    // the flag belongs to the fd, not to the map
    expect(m.flags & BPF_F.RDONLY).toBe(0);
    expect(m.fdFlags).toBe(BPF_F.RDONLY);
    // programs are not affected
    expect(m.updateFromProg(u32(1), 0, u64(5), 0, 0, 0)).toBe(0);
  });

  it('BPF_F_WRONLY: writes work, reads fail with EPERM', () => {
    const m = mk(testEnv(), { ...HASH, flags: BPF_F.WRONLY });
    expect(m.update(u32(1), u64(1))).toBe(0);
    expect(m.lookup(u32(1), new Uint8Array(8))).toBe(-EPERM);
    expect(m.getNextKey(null, new Uint8Array(4))).toBe(-EPERM);
    expect(m.lookupBatch(null, new Uint8Array(4), new Uint8Array(8), 1).err).toBe(-EPERM);
    expect(m.lookupAndDelete(u32(1), new Uint8Array(8))).toBe(-EPERM);
  });

  it('MAP_FREEZE: later user-space writes fail with EPERM, programs still write', () => {
    const m = mk(testEnv(), ARR);
    expect(m.update(u32(0), u64(1))).toBe(0);
    expect(m.freeze()).toBe(0);
    expect(m.frozen).toBe(true);
    expect(m.update(u32(0), u64(2))).toBe(-EPERM);
    expect(m.updateBatch(u32(0), u64(2), 1).err).toBe(-EPERM);
    // a frozen map's fd is not writable any more, so freezing again is EPERM (checked before "frozen")
    expect(m.freeze()).toBe(-EPERM);
    expect(m.updateFromProg(u32(0), 0, u64(3), 0, 0, 0)).toBe(0);
    const v = new Uint8Array(8);
    expect(m.lookup(u32(0), v)).toBe(0);
    expect(getU64(v)).toBe(3n);
  });

  it('cannot freeze a map with special fields (ENOTSUPP) or a read-only fd (EPERM)', () => {
    const env = testEnv();
    expect(mk(env, { ...ARR, specialFields: [{ kind: 'timer', offset: 0, size: 8 }] }).freeze()).toBe(-ENOTSUPP);
    expect(mk(env, { ...ARR, flags: BPF_F.RDONLY }).freeze()).toBe(-EPERM);
  });
});

describe('flags and keys', () => {
  it('rejects lookup flags other than BPF_F_LOCK, and BPF_F_LOCK without a spin lock', () => {
    const m = mk(testEnv(), ARR);
    expect(m.lookup(u32(0), new Uint8Array(8), 1)).toBe(-EINVAL);
    expect(m.lookup(u32(0), new Uint8Array(8), BPF_F_LOCK)).toBe(-EINVAL);
    expect(m.lookupAndDelete(u32(0), new Uint8Array(8), 2)).toBe(-EINVAL);
  });

  it('accepts BPF_F_LOCK when the value has a bpf_spin_lock', () => {
    const m = mk(testEnv(), { ...ARR, specialFields: [{ kind: 'spin_lock', offset: 0, size: 4 }] });
    expect(m.update(u32(0), u64(0xaabbccdd_11223344n), BPF_F_LOCK)).toBe(0);
    const v = new Uint8Array(8);
    expect(m.lookup(u32(0), v, BPF_F_LOCK)).toBe(0);
    // the lock word is neither written nor read by user space
    expect(getU32(v, 0)).toBe(0);
    expect(getU32(v, 4)).toBe(0xaabbccdd);
  });

  it('needs a key for keyed maps (EFAULT) and none for keyless ones (EINVAL)', () => {
    const env = testEnv();
    const m = mk(env, HASH);
    expect(m.lookup(null, new Uint8Array(8))).toBe(-EFAULT);
    expect(m.update(null, u64(1))).toBe(-EFAULT);
    expect(m.delete(null)).toBe(-EFAULT);
    const q = mk(env, { type: BPF_MAP_TYPE.QUEUE, keySize: 0, valueSize: 4, maxEntries: 2 });
    expect(q.update(u32(1), u32(1))).toBe(-EINVAL);
    expect(q.update(null, u32(1))).toBe(0);
  });

  it('throws MAP_BAD_ARGUMENT for wrongly sized buffers (a host bug, not an errno)', () => {
    const m = mk(testEnv(), HASH);
    const bad = (f: () => unknown): void => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MapError);
      expect((err as MapError).code).toBe('MAP_BAD_ARGUMENT');
    };
    bad(() => m.lookup(u32(1), new Uint8Array(4)));
    bad(() => m.update(new Uint8Array(3), u64(1)));
    bad(() => m.getNextKey(null, new Uint8Array(8)));
    bad(() => m.lookupBatch(null, new Uint8Array(4), new Uint8Array(8), 2));
    bad(() => m.updateBatch(u32(1), u64(1), -1));
  });
});

describe('special fields (copy_map_value / check_and_init_map_value / bpf_obj_free_fields)', () => {
  const SF: MapAttr = {
    type: BPF_MAP_TYPE.HASH,
    keySize: 4,
    valueSize: 32,
    maxEntries: 4,
    specialFields: [
      { kind: 'timer', offset: 8, size: 16 },
      { kind: 'spin_lock', offset: 0, size: 4 },
    ],
  };

  it('skips them on user-space writes and reads them as zero', () => {
    const env = testEnv();
    const m = mk(env, SF);
    const val = new Uint8Array(32).fill(0xee);
    expect(m.update(u32(1), val)).toBe(0);
    const id = m.lookupPtr(u32(1), 0, 0);
    const live = regionBytes(env, id);
    expect([...live.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect(live[4]).toBe(0xee);
    expect(live[8]).toBe(0);
    expect(live[24]).toBe(0xee);
    // a program writes into the timer and lock fields; user space never sees them
    live.fill(0x11, 8, 24);
    live[0] = 1;
    const out = new Uint8Array(32);
    m.lookup(u32(1), out);
    expect([...out.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect(out.subarray(8, 24).every((b) => b === 0)).toBe(true);
    expect(out[5]).toBe(0xee);
  });

  it('calls onValueFree for a value a program saw when it is deleted, and not for others', () => {
    const env = testEnv();
    const m = mk(env, SF);
    m.update(u32(1), new Uint8Array(32));
    m.update(u32(2), new Uint8Array(32));
    const id = m.lookupPtr(u32(1), 0, 0);
    regionBytes(env, id).fill(0x22, 8, 24);
    expect(m.delete(u32(1))).toBe(0);
    expect(m.delete(u32(2))).toBe(0);
    expect(env.freedValues).toHaveLength(1);
    expect(env.freedValues[0]!.regionId).toBe(id);
    expect(env.freedValues[0]!.value[8]).toBe(0x22);
  });
});

describe('map object', () => {
  it('owns a no-access handle region whose owner is the map', () => {
    const env = testEnv();
    const m = mk(env, ARR);
    expect(env.mem.kindOf(m.handleRegion)).toBe(RegionKind.MAP);
    expect(env.mem.permOf(m.handleRegion)).toBe(PERM_NONE);
    expect(env.mem.ownerOf(m.handleRegion)).toBe(m);
  });

  it('reports its attributes', () => {
    const m = mk(testEnv(), { ...HASH, flags: BPF_F.NO_PREALLOC | BPF_F.RDONLY });
    expect(m.info()).toMatchObject({ type: 1, typeName: 'hash', name: 'h', keySize: 4, valueSize: 8, maxEntries: 8, flags: BPF_F.NO_PREALLOC, frozen: false });
  });

  it('is freed by the last release, and throws MAP_FREED afterwards', () => {
    const env = testEnv();
    const m = mk(env, ARR);
    m.acquire();
    expect(m.refCount).toBe(2);
    m.release();
    expect(m.freed).toBe(false);
    m.release();
    expect(m.freed).toBe(true);
    expect(env.retired).toContain(m.handleRegion);
    expect(() => m.lookup(u32(0), new Uint8Array(8))).toThrow(MapError);
    try {
      m.update(u32(0), u64(0));
    } catch (e) {
      expect((e as MapError).code).toBe('MAP_FREED');
    }
  });
});

describe('helper-facing lookups', () => {
  it('finds the map behind a handle pointer and the element behind a value pointer', () => {
    const env = testEnv();
    const m = mk(env, ARR);
    const ro = mk(env, { ...ARR, flags: BPF_F.RDONLY_PROG });
    expect(mapOfHandle(env.mem, m.handleRegion)).toBe(m);
    const id = m.lookupPtr(u32(1), 0, 0);
    expect(mapOfHandle(env.mem, id)).toBeNull();
    expect(mapOfHandle(env.mem, 0)).toBeNull();
    expect(valueRefOf(env.mem, id)).toMatchObject({ map: m, elem: 1, cpu: 0, alive: true });
    expect(valueRefOf(env.mem, m.handleRegion)).toBeNull();
    expect([m.progWritable, ro.progWritable]).toEqual([true, false]);
  });
});
