import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { PERM_R } from '../../src/vm/memory.js';
import { ArrayMap } from '../../src/maps/array.js';
import { MapError } from '../../src/maps/errors.js';
import { BpfMap, type ResolvedAttr } from '../../src/maps/map.js';
import { MAP_TYPE_SUPPORT, MapRegistry, createGlobalDataMap, createMap, defaultMapRegistry, validMapName } from '../../src/maps/registry.js';
import type { MapAttr, MapEnv, ProgOp } from '../../src/maps/types.js';
import { BPF_F, BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { getU64, mk, regionBytes, testEnv, u32, u64 } from './env.js';

const { EINVAL, EBADF, EACCES, EOPNOTSUPP, ENOTSUPP, EPERM } = ERRNO;

const ARR: MapAttr = { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'arr' };

describe('createMap generic checks (map_create)', () => {
  const env = testEnv();

  it('rejects map_extra except for bloom filters', () => {
    expect(createMap({ ...ARR, mapExtra: 1n }, env)).toBe(-EINVAL);
    expect(createMap({ type: BPF_MAP_TYPE.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 8, mapExtra: 3n }, env)).toBeInstanceOf(BpfMap);
  });

  it('rejects BPF_F_RDONLY together with BPF_F_WRONLY (bpf_get_file_flag)', () => {
    expect(createMap({ ...ARR, flags: BPF_F.RDONLY | BPF_F.WRONLY }, env)).toBe(-EINVAL);
  });

  it('knows one NUMA node', () => {
    expect(createMap({ ...ARR, flags: BPF_F.NUMA_NODE, numaNode: 1 }, env)).toBe(-EINVAL);
    expect(createMap({ ...ARR, numaNode: 5 }, env)).toBeInstanceOf(BpfMap); // ignored without the flag
  });

  it('rejects unknown and unimplemented types with EINVAL', () => {
    expect(createMap({ ...ARR, type: 99 }, env)).toBe(-EINVAL);
    expect(createMap({ ...ARR, type: BPF_MAP_TYPE.UNSPEC }, env)).toBe(-EINVAL);
    expect(createMap({ ...ARR, type: BPF_MAP_TYPE.ARENA }, env)).toBe(-EINVAL);
  });

  it('checks the name like bpf_obj_name_cpy', () => {
    expect(createMap({ ...ARR, name: 'ok_name.rodata' }, env)).toBeInstanceOf(BpfMap);
    expect(createMap({ ...ARR, name: 'a'.repeat(15) }, env)).toBeInstanceOf(BpfMap);
    expect(createMap({ ...ARR, name: 'a'.repeat(16) }, env)).toBe(-EINVAL);
    expect(createMap({ ...ARR, name: 'bad-name' }, env)).toBe(-EINVAL);
    expect(validMapName('')).toBe(true);
  });

  it('checks BTF ids: a key type needs a value type; fd maps take no BTF (ENOTSUPP)', () => {
    expect(createMap({ ...ARR, btfKeyTypeId: 3 }, env)).toBe(-EINVAL);
    expect(createMap({ ...ARR, btfKeyTypeId: 3, btfValueTypeId: 4 }, env)).toBeInstanceOf(BpfMap);
    expect(createMap({ type: BPF_MAP_TYPE.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2, btfValueTypeId: 4 }, env)).toBe(-ENOTSUPP);
  });

  it('checks special fields against the map type and program access flags (map_check_btf)', () => {
    const lock = [{ kind: 'spin_lock' as const, offset: 0, size: 4 }];
    const timer = [{ kind: 'timer' as const, offset: 0, size: 16 }];
    expect(createMap({ ...ARR, specialFields: lock }, env)).toBeInstanceOf(BpfMap);
    expect(createMap({ ...ARR, specialFields: lock, flags: BPF_F.RDONLY_PROG }, env)).toBe(-EACCES);
    expect(createMap({ ...ARR, type: BPF_MAP_TYPE.PERCPU_ARRAY, specialFields: lock }, env)).toBe(-EOPNOTSUPP);
    expect(createMap({ ...ARR, valueSize: 16, type: BPF_MAP_TYPE.LRU_HASH, specialFields: timer }, env)).toBeInstanceOf(BpfMap);
    expect(createMap({ ...ARR, valueSize: 16, type: BPF_MAP_TYPE.LRU_HASH, specialFields: lock }, env)).toBe(-EOPNOTSUPP);
    expect(createMap({ ...ARR, valueSize: 16, type: BPF_MAP_TYPE.PERCPU_HASH, specialFields: timer }, env)).toBe(-EOPNOTSUPP);
  });

  it('has no BPF tokens (BPF_F_TOKEN_FD gives EBADF after the type checks)', () => {
    expect(createMap({ ...ARR, flags: BPF_F.TOKEN_FD }, env)).toBe(-EBADF);
    expect(createMap({ ...ARR, maxEntries: 0, flags: BPF_F.TOKEN_FD }, env)).toBe(-EINVAL);
  });

  it('throws MAP_BAD_ARGUMENT for non-u32 attributes and fields outside the value', () => {
    expect(() => createMap({ ...ARR, maxEntries: -1 }, env)).toThrow(MapError);
    expect(() => createMap({ ...ARR, valueSize: 1.5 }, env)).toThrow(MapError);
    expect(() => createMap({ ...ARR, specialFields: [{ kind: 'timer', offset: 4, size: 16 }] }, env)).toThrow(MapError);
  });

  it('numbers maps per environment from 1, or with env.allocMapId', () => {
    const e1 = testEnv();
    expect([mk(e1, ARR).id, mk(e1, ARR).id]).toEqual([1, 2]);
    // a failed creation does not use an id
    expect(createMap({ ...ARR, maxEntries: 0 }, e1)).toBe(-EINVAL);
    expect(mk(e1, ARR).id).toBe(3);
    let n = 100;
    const e2: MapEnv = { ...testEnv(), allocMapId: () => n++ };
    expect(mk(e2, ARR).id).toBe(100);
  });
});

describe('MapRegistry', () => {
  class NullMap extends BpfMap {
    readonly progOps: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup']);
    protected sysLookup(): number {
      return -ERRNO.ENOENT;
    }
    protected sysUpdate(): number {
      return 0;
    }
    protected sysDelete(): number {
      return -ERRNO.ENOENT;
    }
    protected sysGetNextKey(): number {
      return -ERRNO.ENOENT;
    }
    protected onFree(): void {}
  }

  it('lets users add a map type and override a built-in one', () => {
    const reg = defaultMapRegistry().register({
      type: BPF_MAP_TYPE.ARENA,
      check: (a: ResolvedAttr) => (a.keySize === 4 ? 0 : -EINVAL),
      create: (a: ResolvedAttr, e: MapEnv) => new NullMap(a, e),
    });
    const env = testEnv();
    const dev = createMap({ type: BPF_MAP_TYPE.ARENA, keySize: 4, valueSize: 4, maxEntries: 1 }, env, reg);
    expect(dev).toBeInstanceOf(NullMap);
    expect(createMap({ type: BPF_MAP_TYPE.ARENA, keySize: 2, valueSize: 4, maxEntries: 1 }, env, reg)).toBe(-EINVAL);
    // the default registry is untouched
    expect(createMap({ type: BPF_MAP_TYPE.ARENA, keySize: 4, valueSize: 4, maxEntries: 1 }, env)).toBe(-EINVAL);
    reg.register({ type: BPF_MAP_TYPE.ARRAY, check: () => -EPERM, create: (a, e) => new NullMap(a, e) });
    expect(createMap(ARR, env, reg)).toBe(-EPERM);
    expect(reg.clone().has(BPF_MAP_TYPE.ARENA)).toBe(true);
  });

  it('rejects registrations without a u32 type', () => {
    expect(() => new MapRegistry().register({ type: -1, check: () => 0, create: () => undefined as never })).toThrow(MapError);
  });
});

describe('MAP_TYPE_SUPPORT', () => {
  it('lists every uapi type with the implemented ones marked', () => {
    expect(MAP_TYPE_SUPPORT).toHaveLength(34);
    const yes = MAP_TYPE_SUPPORT.filter((t) => t.implemented).map((t) => t.name);
    expect(yes).toEqual([
      'hash',
      'array',
      'prog_array',
      'perf_event_array',
      'percpu_hash',
      'percpu_array',
      'stack_trace',
      'cgroup_array',
      'lru_hash',
      'lru_percpu_hash',
      'lpm_trie',
      'array_of_maps',
      'hash_of_maps',
      'devmap',
      'sockmap',
      'cpumap',
      'xskmap',
      'sockhash',
      'cgroup_storage',
      'reuseport_sockarray',
      'percpu_cgroup_storage',
      'queue',
      'stack',
      'sk_storage',
      'devmap_hash',
      'ringbuf',
      'inode_storage',
      'task_storage',
      'bloom_filter',
      'user_ringbuf',
      'cgrp_storage',
      'arena',
    ]);
    expect(defaultMapRegistry().types()).toEqual(MAP_TYPE_SUPPORT.filter((t) => t.implemented).map((t) => t.id));
  });
});

describe('createGlobalDataMap', () => {
  it('makes .data a one-element MMAPABLE array initialised from the section', () => {
    const env = testEnv();
    const m = createGlobalDataMap({ name: 'obj.data', size: 12, init: Uint8Array.of(1, 2, 3) }, env) as ArrayMap;
    expect(m).toBeInstanceOf(ArrayMap);
    expect(m.info()).toMatchObject({ type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 12, maxEntries: 1, flags: BPF_F.MMAPABLE, frozen: false });
    const r = m.directValueRegion(0);
    expect([...regionBytes(env, r).subarray(0, 4)]).toEqual([1, 2, 3, 0]);
    expect(m.update(u32(0), new Uint8Array(12))).toBe(0);
  });

  it('makes .rodata read-only to programs and frozen', () => {
    const env = testEnv();
    const m = createGlobalDataMap({ name: 'obj.rodata', size: 8, init: u64(42), readonly: true }, env) as ArrayMap;
    expect(m.frozen).toBe(true);
    expect(m.flags).toBe(BPF_F.MMAPABLE | BPF_F.RDONLY_PROG);
    expect(env.mem.permOf(m.directValueRegion(0))).toBe(PERM_R);
    expect(m.update(u32(0), u64(1))).toBe(-EPERM);
    const v = new Uint8Array(8);
    m.lookup(u32(0), v);
    expect(getU64(v)).toBe(42n);
  });

  it('passes errors through (an empty section has value_size 0)', () => {
    expect(createGlobalDataMap({ name: 'x.bss', size: 0 }, testEnv())).toBe(-EINVAL);
  });
});
