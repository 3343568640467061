/**
 * Map-related constants of the BPF uapi, in one place.
 *
 * Source: include/uapi/linux/bpf.h (Linux 6.18): `enum bpf_map_type`, the map-create flag enum
 * (`BPF_F_NO_PREALLOC` ... `BPF_F_NO_USER_CONV`), the element-update flag enum (`BPF_ANY` ...
 * `BPF_F_LOCK`), the ring buffer constants (`BPF_RB_*`, `BPF_RINGBUF_*`) and the perf-event-output
 * flag masks. Type names are the strings libbpf's `map_type_name[]` table (tools/lib/bpf/libbpf.c)
 * holds, which is what bpftool prints.
 */
import { MapType } from '../object/uapi.js';

/** `enum bpf_map_type`, up to BPF_MAP_TYPE_ARENA (33): the object layer's table (src/object sits below src/maps). */
export const BPF_MAP_TYPE = MapType;

/** A map type's uapi number. */
export type MapTypeId = (typeof BPF_MAP_TYPE)[keyof typeof BPF_MAP_TYPE];

/** One row of the map type table. */
export interface MapTypeInfo {
  /** uapi number. */
  readonly id: number;
  /** Enum suffix: `HASH` for BPF_MAP_TYPE_HASH. */
  readonly key: keyof typeof BPF_MAP_TYPE;
  /** Name as libbpf/bpftool print it: `hash`, `lru_percpu_hash`. */
  readonly name: string;
}

const NAMES: Readonly<Record<keyof typeof BPF_MAP_TYPE, string>> = {
  UNSPEC: 'unspec',
  HASH: 'hash',
  ARRAY: 'array',
  PROG_ARRAY: 'prog_array',
  PERF_EVENT_ARRAY: 'perf_event_array',
  PERCPU_HASH: 'percpu_hash',
  PERCPU_ARRAY: 'percpu_array',
  STACK_TRACE: 'stack_trace',
  CGROUP_ARRAY: 'cgroup_array',
  LRU_HASH: 'lru_hash',
  LRU_PERCPU_HASH: 'lru_percpu_hash',
  LPM_TRIE: 'lpm_trie',
  ARRAY_OF_MAPS: 'array_of_maps',
  HASH_OF_MAPS: 'hash_of_maps',
  DEVMAP: 'devmap',
  SOCKMAP: 'sockmap',
  CPUMAP: 'cpumap',
  XSKMAP: 'xskmap',
  SOCKHASH: 'sockhash',
  CGROUP_STORAGE: 'cgroup_storage',
  REUSEPORT_SOCKARRAY: 'reuseport_sockarray',
  PERCPU_CGROUP_STORAGE: 'percpu_cgroup_storage',
  QUEUE: 'queue',
  STACK: 'stack',
  SK_STORAGE: 'sk_storage',
  DEVMAP_HASH: 'devmap_hash',
  STRUCT_OPS: 'struct_ops',
  RINGBUF: 'ringbuf',
  INODE_STORAGE: 'inode_storage',
  TASK_STORAGE: 'task_storage',
  BLOOM_FILTER: 'bloom_filter',
  USER_RINGBUF: 'user_ringbuf',
  CGRP_STORAGE: 'cgrp_storage',
  ARENA: 'arena',
};

/** Every map type, indexed by its uapi number (MAP_TYPES[n].id === n). */
export const MAP_TYPES: readonly MapTypeInfo[] = (Object.keys(BPF_MAP_TYPE) as (keyof typeof BPF_MAP_TYPE)[])
  .map((key) => ({ id: BPF_MAP_TYPE[key], key, name: NAMES[key] }))
  .sort((a, b) => a.id - b.id);

/**
 * Map types whose user-space value is one slot per possible CPU (kernel bpf_map_value_size: percpu
 * array/hash, LRU percpu hash, percpu cgroup storage).
 */
export function isPerCpuValueType(type: number): boolean {
  return type === BPF_MAP_TYPE.PERCPU_ARRAY || type === BPF_MAP_TYPE.PERCPU_HASH || type === BPF_MAP_TYPE.LRU_PERCPU_HASH || type === BPF_MAP_TYPE.PERCPU_CGROUP_STORAGE;
}

/** bpftool's name of a map type (`hash`), or `type<N>` for numbers outside the table. */
export function mapTypeName(type: number): string {
  return MAP_TYPES[type]?.name ?? `type${type}`;
}

/** The uapi number of a bpftool map type name (`lru_hash` -> 9), or undefined. */
export function mapTypeByName(name: string): number | undefined {
  return MAP_TYPES.find((t) => t.name === name)?.id;
}

/** Map-creation flags (`map_flags` of BPF_MAP_CREATE). */
export const BPF_F = {
  NO_PREALLOC: 1 << 0,
  /** LRU maps: one LRU list per CPU instead of a common one. */
  NO_COMMON_LRU: 1 << 1,
  NUMA_NODE: 1 << 2,
  /** Flags of the returned fd: user space may only read / only write. */
  RDONLY: 1 << 3,
  WRONLY: 1 << 4,
  STACK_BUILD_ID: 1 << 5,
  /** Hash seed 0 instead of a random one (hash tables, bloom filters). */
  ZERO_SEED: 1 << 6,
  /** Programs may only read / only write map values. */
  RDONLY_PROG: 1 << 7,
  WRONLY_PROG: 1 << 8,
  CLONE: 1 << 9,
  MMAPABLE: 1 << 10,
  PRESERVE_ELEMS: 1 << 11,
  INNER_MAP: 1 << 12,
  LINK: 1 << 13,
  PATH_FD: 1 << 14,
  VTYPE_BTF_OBJ_FD: 1 << 15,
  TOKEN_FD: 1 << 16,
  SEGV_ON_FAULT: 1 << 17,
  NO_USER_CONV: 1 << 18,
} as const;

/** include/linux/bpf.h BPF_F_ACCESS_MASK: the four access flags. */
export const BPF_F_ACCESS_MASK = BPF_F.RDONLY | BPF_F.RDONLY_PROG | BPF_F.WRONLY | BPF_F.WRONLY_PROG;

/** include/linux/bpf.h bpf_map_flags_access_ok: RDONLY_PROG and WRONLY_PROG are exclusive. */
export function mapFlagsAccessOk(flags: number): boolean {
  const both = BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG;
  return (flags & both) !== both;
}

/** Element-update flags (`flags` of BPF_MAP_UPDATE_ELEM and bpf_map_update_elem()). */
export const BPF_ANY = 0;
/** Create a new element; fail with EEXIST if it exists. */
export const BPF_NOEXIST = 1;
/** Update an existing element; fail with ENOENT if it does not exist. */
export const BPF_EXIST = 2;
/** Copy the value under the value's bpf_spin_lock (needs a spin lock field). */
export const BPF_F_LOCK = 4;

/** bpf_ringbuf_output/submit/discard flags. */
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;
/** bpf_ringbuf_query flags. */
export const BPF_RB_AVAIL_DATA = 0;
export const BPF_RB_RING_SIZE = 1;
export const BPF_RB_CONS_POS = 2;
export const BPF_RB_PROD_POS = 3;

/**
 * Ring buffer record header (8 bytes, little endian on the emulated machine):
 *
 *   +--------------------------------------+--------------------------------+
 *   | len: u32 (bit 31 BUSY, bit 30 DISCARD) | pg_off: u32 (kernel-internal)  |
 *   +--------------------------------------+--------------------------------+
 *
 * followed by `len` data bytes, the whole record padded to 8 bytes.
 */
export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;

/** bpf_perf_event_output flags: low 32 bits = index, or BPF_F_CURRENT_CPU. */
export const BPF_F_INDEX_MASK = 0xffffffff;
export const BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK;
/** bpf_{skb,xdp}_event_output: bits 32..51 of flags = packet bytes to append (BPF_F_CTXLEN_MASK >> 32). */
export const BPF_F_CTXLEN_MASK_HI = 0xfffff;

/** `enum bpf_prog_type` values the map layer needs (prog array compatibility). */
export const BPF_PROG_TYPE_EXT = 28;

/** BPF_OBJ_NAME_LEN: map names are at most 15 characters plus the NUL. */
export const BPF_OBJ_NAME_LEN = 16;

/** PAGE_SIZE of the emulated machine (ring buffer sizes, mmap sizes). */
export const PAGE_SIZE = 4096;
