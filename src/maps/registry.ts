/**
 * Map creation: the registry of map type implementations (keyed by uapi type number, extensible) and
 * `createMap`, which applies BPF_MAP_CREATE's generic checks (kernel/bpf/syscall.c map_create and
 * map_check_btf) before the type's own (map_alloc_check / map_alloc).
 *
 * Check order: attribute sanity (map_extra, BPF_F_RDONLY with BPF_F_WRONLY, NUMA node, unknown type)
 * -> the type's checks -> object name -> BTF and special fields. The kernel validates the name and
 * BTF after allocating; an attribute set that is wrong in both ways fails on the type check here too.
 *
 * The emulated caller is root (CAP_SYS_ADMIN): BPF_F_ZERO_SEED, LRU maps and the privileged types are
 * allowed; array sizes are not rounded up to a power of two (bypass_spec_v1).
 */
import { ERRNO } from '../util/errno.js';
import { InternalError } from '../util/errors.js';
import { ArenaMap, arenaAllocCheck } from './arena.js';
import { ArrayMap, MAX_MAP_BYTES, arrayAllocCheck, fdArrayAllocCheck } from './array.js';
import { BloomFilterMap, bloomAllocCheck, bloomBits } from './bloom.js';
import { MapError } from './errors.js';
import { fdArraySizeCheck } from './fd-array.js';
import { HashMap } from './hash.js';
import { htabAllocCheck, htabMaxEntries } from './hashtab.js';
import { RedirectMap, redirectAllocCheck } from './redirect.js';
import { LpmTrieMap, lpmAllocCheck } from './lpm-trie.js';
import { LOCAL_STORAGE_OWNER, LocalStorageMap, localStorageAllocCheck } from './local-storage.js';
import { CgroupStorageMap, cgroupStorageAllocCheck } from './cgroup-storage.js';
import { CgroupArrayMap } from './cgroup-array.js';
import { UserRingbufMap } from './user-ringbuf.js';
import { StackTraceMap, stackTraceAllocCheck } from './stack-trace.js';
import { ReuseportArrayMap, SockHashMap, SockMapArray, reuseportAllocCheck, sockHashAllocCheck, sockMapAllocCheck } from './sockmap.js';
import type { BpfMap, ResolvedAttr } from './map.js';
import { ArrayOfMapsMap, HashOfMapsMap, innerMapMeta } from './map-in-map.js';
import { PerfEventArrayMap } from './perf.js';
import { ProgArrayMap } from './prog-array.js';
import { QueueStackMap, queueStackAllocCheck } from './queue-stack.js';
import { RingbufMap, ringbufAllocCheck } from './ringbuf.js';
import type { MapAttr, MapEnv, SpecialFieldKind } from './types.js';
import { BPF_F, BPF_MAP_TYPE, BPF_OBJ_NAME_LEN, MAP_TYPES, PAGE_SIZE, type MapTypeInfo } from './uapi.js';
import { roundUp } from '../util/bytes.js';

const { EINVAL, EBADF, EACCES, EOPNOTSUPP, ENOTSUPP, ENOMEM } = ERRNO;

/** One map type's implementation. */
export interface MapTypeImpl {
  /** The uapi type number it implements. */
  readonly type: number;
  /** map_alloc_check and every failure of map_alloc: 0 or -errno. */
  check(attr: ResolvedAttr, env: MapEnv): number;
  /** map_alloc once check() returned 0 (must not fail). */
  create(attr: ResolvedAttr, env: MapEnv): BpfMap;
}

/** Map type implementations by type number. */
export class MapRegistry {
  private readonly impls = new Map<number, MapTypeImpl>();

  /** Add or replace the implementation of `impl.type`. */
  register(impl: MapTypeImpl): this {
    if (!Number.isInteger(impl.type) || impl.type < 0 || impl.type > 0xffffffff) {
      throw new MapError('MAP_BAD_REGISTRATION', `map registry: type ${String(impl.type)} is not a u32`);
    }
    this.impls.set(impl.type, impl);
    return this;
  }

  /** The implementation of `type`, if registered. */
  get(type: number): MapTypeImpl | undefined {
    return this.impls.get(type);
  }

  /** Whether `type` is registered. */
  has(type: number): boolean {
    return this.impls.has(type);
  }

  /** Registered type numbers, ascending. */
  types(): number[] {
    return [...this.impls.keys()].sort((a, b) => a - b);
  }

  /** A copy to extend without touching this one. */
  clone(): MapRegistry {
    const r = new MapRegistry();
    for (const impl of this.impls.values()) r.register(impl);
    return r;
  }
}

/** Wrap a family's `create` (map | errno) as a MapTypeImpl.create that cannot fail after check(). */
function must(make: (attr: ResolvedAttr, env: MapEnv) => BpfMap | number): (attr: ResolvedAttr, env: MapEnv) => BpfMap {
  return (attr, env) => {
    const m = make(attr, env);
    if (typeof m === 'number') throw new InternalError(`map type ${attr.type}: create failed with ${m} after its checks passed`);
    return m;
  };
}

function arraySize(attr: ResolvedAttr, env: MapEnv): number {
  const ncpu = attr.type === BPF_MAP_TYPE.PERCPU_ARRAY ? env.nrCpus : 1;
  let bytes = attr.maxEntries * roundUp(attr.valueSize, 8) * ncpu;
  if (attr.flags & BPF_F.MMAPABLE) bytes = roundUp(bytes, PAGE_SIZE);
  return bytes > MAX_MAP_BYTES ? -ENOMEM : 0;
}

function hashCheck(attr: ResolvedAttr, env: MapEnv): number {
  const err = htabAllocCheck(attr);
  if (err !== 0) return err;
  const max = htabMaxEntries(attr, env.nrCpus);
  return max < 0 ? max : 0;
}

function metaCheck(attr: ResolvedAttr): number {
  const meta = innerMapMeta(attr.innerMap);
  return typeof meta === 'number' ? meta : 0;
}

function metaOf(attr: ResolvedAttr): ReturnType<typeof innerMapMeta> & object {
  const meta = innerMapMeta(attr.innerMap);
  if (typeof meta === 'number') throw new InternalError(`map-in-map: inner map template vanished after the checks (${meta})`);
  return meta;
}

const hashImpl = (type: number): MapTypeImpl => ({ type, check: hashCheck, create: must(HashMap.create) });
const queueStackImpl = (type: number): MapTypeImpl => ({
  type,
  check: (a) => queueStackAllocCheck(a) || ((a.maxEntries + 1) * a.valueSize > MAX_MAP_BYTES ? -ENOMEM : 0),
  create: must(QueueStackMap.create),
});

/** The built-in implementations. */
export const BUILTIN_MAP_TYPES: readonly MapTypeImpl[] = [
  { type: BPF_MAP_TYPE.ARRAY, check: (a, e) => arrayAllocCheck(a) || arraySize(a, e), create: must(ArrayMap.create) },
  { type: BPF_MAP_TYPE.PERCPU_ARRAY, check: (a, e) => arrayAllocCheck(a) || arraySize(a, e), create: must(ArrayMap.create) },
  hashImpl(BPF_MAP_TYPE.HASH),
  hashImpl(BPF_MAP_TYPE.PERCPU_HASH),
  hashImpl(BPF_MAP_TYPE.LRU_HASH),
  hashImpl(BPF_MAP_TYPE.LRU_PERCPU_HASH),
  {
    type: BPF_MAP_TYPE.PROG_ARRAY,
    check: (a) => fdArrayAllocCheck(a) || fdArraySizeCheck(a),
    create: (a, e) => new ProgArrayMap(a, e),
  },
  {
    type: BPF_MAP_TYPE.PERF_EVENT_ARRAY,
    check: (a) => fdArrayAllocCheck(a) || fdArraySizeCheck(a),
    create: (a, e) => new PerfEventArrayMap(a, e),
  },
  {
    type: BPF_MAP_TYPE.ARRAY_OF_MAPS,
    check: (a) => fdArrayAllocCheck(a) || fdArraySizeCheck(a) || metaCheck(a),
    create: (a, e) => new ArrayOfMapsMap(a, e, metaOf(a)),
  },
  {
    type: BPF_MAP_TYPE.HASH_OF_MAPS,
    // fd_htab_map_alloc_check, then htab_of_map_alloc (the template first)
    check: (a, e) => (a.valueSize !== 4 ? -EINVAL : hashCheck(a, e) || metaCheck(a)),
    create: must((a, e) => HashOfMapsMap.create(a, e, metaOf(a))),
  },
  queueStackImpl(BPF_MAP_TYPE.QUEUE),
  queueStackImpl(BPF_MAP_TYPE.STACK),
  { type: BPF_MAP_TYPE.LPM_TRIE, check: lpmAllocCheck, create: (a, e) => new LpmTrieMap(a, e) },
  ...[BPF_MAP_TYPE.DEVMAP, BPF_MAP_TYPE.DEVMAP_HASH, BPF_MAP_TYPE.CPUMAP, BPF_MAP_TYPE.XSKMAP].map((type) => ({ type, check: redirectAllocCheck, create: (a: ResolvedAttr, e: MapEnv) => new RedirectMap(a, e) })),
  {
    type: BPF_MAP_TYPE.BLOOM_FILTER,
    check: (a) => bloomAllocCheck(a) || (bloomBits(a.maxEntries, Number(a.mapExtra & 0xfn) || 5) / 8 > MAX_MAP_BYTES ? -ENOMEM : 0),
    create: must(BloomFilterMap.create),
  },
  {
    type: BPF_MAP_TYPE.RINGBUF,
    check: (a) => ringbufAllocCheck(a) || (a.maxEntries > MAX_MAP_BYTES ? -ENOMEM : 0),
    create: must(RingbufMap.create),
  },
  ...[...LOCAL_STORAGE_OWNER.keys()].map((type): MapTypeImpl => ({ type, check: localStorageAllocCheck, create: (a, e) => new LocalStorageMap(a, e) })),
  {
    type: BPF_MAP_TYPE.USER_RINGBUF,
    check: (a) => ringbufAllocCheck(a) || (a.maxEntries > MAX_MAP_BYTES ? -ENOMEM : 0),
    create: (a, e) => new UserRingbufMap(a, e),
  },
  {
    type: BPF_MAP_TYPE.CGROUP_ARRAY,
    check: (a) => fdArrayAllocCheck(a) || fdArraySizeCheck(a),
    create: (a, e) => new CgroupArrayMap(a, e),
  },
  ...[BPF_MAP_TYPE.CGROUP_STORAGE, BPF_MAP_TYPE.PERCPU_CGROUP_STORAGE].map((type): MapTypeImpl => ({ type, check: cgroupStorageAllocCheck, create: (a, e) => new CgroupStorageMap(a, e) })),
  { type: BPF_MAP_TYPE.STACK_TRACE, check: stackTraceAllocCheck, create: (a, e) => new StackTraceMap(a, e) },
  { type: BPF_MAP_TYPE.SOCKMAP, check: sockMapAllocCheck, create: (a, e) => new SockMapArray(a, e) },
  { type: BPF_MAP_TYPE.SOCKHASH, check: sockHashAllocCheck, create: (a, e) => new SockHashMap(a, e) },
  { type: BPF_MAP_TYPE.REUSEPORT_SOCKARRAY, check: reuseportAllocCheck, create: (a, e) => new ReuseportArrayMap(a, e) },
  { type: BPF_MAP_TYPE.ARENA, check: arenaAllocCheck, create: (a, e) => new ArenaMap(a, e) },
];

/** A new registry holding the built-in map types. */
export function defaultMapRegistry(): MapRegistry {
  const r = new MapRegistry();
  for (const impl of BUILTIN_MAP_TYPES) r.register(impl);
  return r;
}

const DEFAULT_REGISTRY = defaultMapRegistry();

/** One row of {@link MAP_TYPE_SUPPORT}. */
export interface MapTypeSupport extends MapTypeInfo {
  readonly implemented: boolean;
}

/** Every uapi map type and whether the emulator implements it (for README generation). */
export const MAP_TYPE_SUPPORT: readonly MapTypeSupport[] = MAP_TYPES.map((t) => ({ ...t, implemented: DEFAULT_REGISTRY.has(t.id) }));

/** Map types that reject BTF key/value types (map_check_no_btf: ENOTSUPP). */
const NO_BTF = new Set<number>([
  BPF_MAP_TYPE.PERF_EVENT_ARRAY,
  BPF_MAP_TYPE.CGROUP_ARRAY,
  BPF_MAP_TYPE.ARRAY_OF_MAPS,
  BPF_MAP_TYPE.HASH_OF_MAPS,
]);

const H = BPF_MAP_TYPE;
/** map_check_btf: which map types may hold each kind of special field (others: EOPNOTSUPP). */
const FIELD_TYPES: Readonly<Record<SpecialFieldKind, ReadonlySet<number>>> = {
  spin_lock: new Set([H.HASH, H.ARRAY, H.CGROUP_STORAGE, H.SK_STORAGE, H.INODE_STORAGE, H.TASK_STORAGE, H.CGRP_STORAGE]),
  res_spin_lock: new Set([H.HASH, H.ARRAY, H.CGROUP_STORAGE, H.SK_STORAGE, H.INODE_STORAGE, H.TASK_STORAGE, H.CGRP_STORAGE]),
  timer: new Set([H.HASH, H.LRU_HASH, H.ARRAY]),
  workqueue: new Set([H.HASH, H.LRU_HASH, H.ARRAY]),
  kptr: new Set([H.HASH, H.PERCPU_HASH, H.LRU_HASH, H.LRU_PERCPU_HASH, H.ARRAY, H.PERCPU_ARRAY, H.SK_STORAGE, H.INODE_STORAGE, H.TASK_STORAGE, H.CGRP_STORAGE]),
  refcount: new Set([H.HASH, H.PERCPU_HASH, H.LRU_HASH, H.LRU_PERCPU_HASH, H.ARRAY, H.PERCPU_ARRAY, H.SK_STORAGE, H.INODE_STORAGE, H.TASK_STORAGE, H.CGRP_STORAGE]),
  uptr: new Set([H.TASK_STORAGE]),
  list_head: new Set([H.HASH, H.LRU_HASH, H.ARRAY]),
  rb_root: new Set([H.HASH, H.LRU_HASH, H.ARRAY]),
};

/** bpf_obj_name_cpy: [A-Za-z0-9_.] only, at most BPF_OBJ_NAME_LEN - 1 characters. */
export function validMapName(name: string): boolean {
  return name.length < BPF_OBJ_NAME_LEN && /^[A-Za-z0-9_.]*$/.test(name);
}

const nextIds = new WeakMap<MapEnv, number>();

function allocId(env: MapEnv): number {
  if (env.allocMapId !== undefined) return env.allocMapId();
  const id = nextIds.get(env) ?? 1;
  nextIds.set(env, id + 1);
  return id;
}

function u32(n: number | undefined, what: string, dflt: number): number {
  const v = n ?? dflt;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new MapError('MAP_BAD_ARGUMENT', `create map: ${what} ${String(n)} is not a u32`);
  return v;
}

/**
 * BPF_MAP_CREATE: the new map, or `-errno` as the kernel would return it. Attribute values that are
 * not u32 numbers (or special fields outside the value) are host bugs and throw MAP_BAD_ARGUMENT.
 */
export function createMap(attr: MapAttr, env: MapEnv, registry: MapRegistry = DEFAULT_REGISTRY): BpfMap | number {
  const type = u32(attr.type, 'type', 0);
  const keySize = u32(attr.keySize, 'key_size', 0);
  const valueSize = u32(attr.valueSize, 'value_size', 0);
  const maxEntries = u32(attr.maxEntries, 'max_entries', 0);
  let flags = u32(attr.flags, 'map_flags', 0);
  const numaNode = u32(attr.numaNode, 'numa_node', 0);
  const btfKeyTypeId = u32(attr.btfKeyTypeId, 'btf_key_type_id', 0);
  const btfValueTypeId = u32(attr.btfValueTypeId, 'btf_value_type_id', 0);
  const mapExtra = attr.mapExtra ?? 0n;
  if (mapExtra < 0n || mapExtra > 0xffffffffffffffffn) throw new MapError('MAP_BAD_ARGUMENT', `create map: map_extra ${mapExtra} is not a u64`);
  const specialFields = attr.specialFields ?? [];
  for (const f of specialFields) {
    if (!(Number.isInteger(f.offset) && Number.isInteger(f.size) && f.offset >= 0 && f.size > 0 && f.offset + f.size <= valueSize)) {
      throw new MapError('MAP_BAD_ARGUMENT', `create map: special field ${f.kind} at ${f.offset} (+${f.size}) outside the ${valueSize}-byte value`);
    }
  }
  // map_create: the token flag is set aside first; the emulator has no BPF tokens
  const tokenFlag = (flags & BPF_F.TOKEN_FD) !== 0;
  flags &= ~BPF_F.TOKEN_FD;
  if (btfKeyTypeId !== 0 && btfValueTypeId === 0) return -EINVAL;
  if (type !== BPF_MAP_TYPE.BLOOM_FILTER && type !== BPF_MAP_TYPE.ARENA && mapExtra !== 0n) return -EINVAL;
  if (flags & BPF_F.RDONLY && flags & BPF_F.WRONLY) return -EINVAL; // bpf_get_file_flag
  if (flags & BPF_F.NUMA_NODE && numaNode !== 0) return -EINVAL; // one online node
  const impl = registry.get(type);
  if (impl === undefined) return -EINVAL;
  const resolved: ResolvedAttr = {
    type,
    keySize,
    valueSize,
    maxEntries,
    flags,
    mapExtra,
    numaNode,
    name: attr.name ?? '',
    specialFields,
    btfKeyTypeId,
    btfValueTypeId,
    innerMap: attr.innerMap,
    id: 0,
  };
  const err = impl.check(resolved, env);
  if (err !== 0) return err;
  if (tokenFlag) return -EBADF; // bpf_token_get_from_fd: no such token
  if (!validMapName(resolved.name)) return -EINVAL;
  if (btfValueTypeId !== 0 && NO_BTF.has(type)) return -ENOTSUPP;
  if (specialFields.length > 0) {
    if (flags & (BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG)) return -EACCES;
    for (const f of specialFields) if (!FIELD_TYPES[f.kind].has(type)) return -EOPNOTSUPP;
  }
  return impl.create({ ...resolved, id: allocId(env) }, env);
}

/** A global data section to back with an internal map. */
export interface GlobalDataSpec {
  /** Map name (libbpf: `<object prefix>.data` etc., at most 15 characters). */
  readonly name: string;
  /** Section size in bytes (the value size). */
  readonly size: number;
  /** Initial bytes (`.data`, `.rodata`); `.bss` starts zeroed. */
  readonly init?: Uint8Array | null;
  /** `.rodata`: BPF_F_RDONLY_PROG, and frozen after initialisation. */
  readonly readonly?: boolean;
}

/**
 * The internal map of a `.data`/`.rodata`/`.bss` section, as libbpf creates it: ARRAY, key 4, one
 * element of the section's size, BPF_F_MMAPABLE (+ BPF_F_RDONLY_PROG for `.rodata`), initialised,
 * and frozen when read-only. Returns the map or -errno.
 */
export function createGlobalDataMap(spec: GlobalDataSpec, env: MapEnv, registry: MapRegistry = DEFAULT_REGISTRY): ArrayMap | number {
  const flags = BPF_F.MMAPABLE | (spec.readonly === true ? BPF_F.RDONLY_PROG : 0);
  const m = createMap({ type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: spec.size, maxEntries: 1, flags, name: spec.name }, env, registry);
  if (typeof m === 'number') return m;
  if (!(m instanceof ArrayMap)) throw new InternalError('global data: the ARRAY implementation is not an ArrayMap');
  if (spec.init) m.data.set(spec.init.subarray(0, spec.size));
  if (spec.readonly === true) {
    const err = m.freeze();
    if (err !== 0) {
      m.free();
      return err;
    }
  }
  return m;
}
