import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { ProgArrayMap } from '../../src/maps/prog-array.js';
import { createMap } from '../../src/maps/registry.js';
import type { BpfProgramLike, MapAttr } from '../../src/maps/types.js';
import { BPF_F, BPF_MAP_TYPE, BPF_NOEXIST, BPF_PROG_TYPE_EXT } from '../../src/maps/uapi.js';
import { getU32, mk, testEnv, u32 } from './env.js';

const { EINVAL, E2BIG, ENOENT, EBADF, ENOTSUPP } = ERRNO;

const PA: MapAttr = { type: BPF_MAP_TYPE.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, name: 'jmp_table' };
const XDP = 6;
const KPROBE = 2;

class Prog implements BpfProgramLike {
  refs = 0;
  constructor(
    readonly id: number,
    readonly type: number,
  ) {}
  acquire(): void {
    this.refs++;
  }
  release(): void {
    this.refs--;
  }
}

describe('PROG_ARRAY creation', () => {
  it('needs 4-byte keys and values, no program access flags', () => {
    const env = testEnv();
    expect(createMap(PA, env)).toBeInstanceOf(ProgArrayMap);
    expect(createMap({ ...PA, valueSize: 8 }, env)).toBe(-EINVAL);
    expect(createMap({ ...PA, flags: BPF_F.WRONLY_PROG }, env)).toBe(-EINVAL);
    expect(createMap({ ...PA, flags: BPF_F.MMAPABLE }, env)).toBe(-EINVAL);
  });
});

describe('PROG_ARRAY from user space', () => {
  it('stores programs by fd and reads back their ids', () => {
    const env = testEnv();
    const m = mk<ProgArrayMap>(env, PA);
    const p = new Prog(42, XDP);
    expect(m.update(u32(1), u32(env.fd(p)))).toBe(0);
    expect(p.refs).toBe(1);
    const v = new Uint8Array(4);
    expect(m.lookup(u32(1), v)).toBe(0);
    expect(getU32(v)).toBe(42);
    expect(m.lookup(u32(0), v)).toBe(-ENOENT);
    expect(m.lookup(u32(9), v)).toBe(-ENOENT);
    expect(m.progAt(1)).toBe(p);
    expect(m.progAt(0)).toBeNull();
    expect(m.progAt(4)).toBeNull();
    expect(m.progAt(-1)).toBeNull();
  });

  it('checks flags, index and fd like bpf_fd_array_map_update_elem', () => {
    const env = testEnv();
    const m = mk<ProgArrayMap>(env, PA);
    const fd = env.fd(new Prog(1, XDP));
    expect(m.update(u32(0), u32(fd), BPF_NOEXIST)).toBe(-EINVAL);
    expect(m.update(u32(4), u32(fd))).toBe(-E2BIG);
    expect(m.update(u32(0), u32(12345))).toBe(-EBADF);
    expect(m.update(u32(0), u32(env.fd({ not: 'a program' })))).toBe(-EINVAL);
    // a map is not a program even though it has an id and a type
    expect(m.update(u32(0), u32(env.fd(m)))).toBe(-EINVAL);
  });

  it('keeps every member the owner program type (bpf_prog_map_compatible), never EXT programs', () => {
    const env = testEnv();
    const m = mk<ProgArrayMap>(env, PA);
    expect(m.update(u32(0), u32(env.fd(new Prog(1, BPF_PROG_TYPE_EXT))))).toBe(-EINVAL);
    expect(m.ownerType).toBeNull();
    expect(m.update(u32(0), u32(env.fd(new Prog(1, XDP))))).toBe(0);
    expect(m.ownerType).toBe(XDP);
    expect(m.update(u32(1), u32(env.fd(new Prog(2, KPROBE))))).toBe(-EINVAL);
    expect(m.isCompatible(new Prog(3, XDP))).toBe(true);
    expect(m.isCompatible(new Prog(3, KPROBE))).toBe(false);
    // the first program checked (e.g. the caller at load time) fixes the owner
    const m2 = mk<ProgArrayMap>(env, PA);
    expect(m2.isCompatible(new Prog(5, KPROBE))).toBe(true);
    expect(m2.setSlot(0, new Prog(6, XDP))).toBe(-EINVAL);
  });

  it('releases replaced and deleted programs; delete gives ENOENT or E2BIG', () => {
    const env = testEnv();
    const m = mk<ProgArrayMap>(env, PA);
    const a = new Prog(1, XDP);
    const b = new Prog(2, XDP);
    m.update(u32(2), u32(env.fd(a)));
    m.update(u32(2), u32(env.fd(b)));
    expect([a.refs, b.refs]).toEqual([0, 1]);
    expect(m.delete(u32(2))).toBe(0);
    expect(b.refs).toBe(0);
    expect(m.delete(u32(2))).toBe(-ENOENT);
    expect(m.delete(u32(4))).toBe(-E2BIG);
  });

  it('fills slots from static initialisers and releases them on free', () => {
    const env = testEnv();
    const m = mk<ProgArrayMap>(env, PA);
    const t1 = new Prog(11, XDP);
    const t2 = new Prog(12, XDP);
    expect(m.setSlot(1, t1)).toBe(0);
    expect(m.setSlot(3, t2)).toBe(0);
    expect(m.setSlot(4, t2)).toBe(-E2BIG);
    expect([...m.entries()].map(([k, v]) => [getU32(k), getU32(v)])).toEqual([
      [1, 11],
      [3, 12],
    ]);
    m.free();
    expect([t1.refs, t2.refs]).toEqual([0, 0]);
  });

  it('allows programs only tail calls, and no batches', () => {
    const m = mk<ProgArrayMap>(testEnv(), PA);
    expect([...m.progOps]).toEqual(['tail_call']);
    expect(m.lookupPtr(u32(0), 0, 0)).toBe(0);
    expect(m.lookupBatch(null, new Uint8Array(4), new Uint8Array(4), 1).err).toBe(-ENOTSUPP);
  });
});
