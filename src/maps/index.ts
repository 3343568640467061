/**
 * The emulated BPF maps: types, creation, and every family's implementation.
 *
 * Where the emulator deliberately differs from Linux 6.18 (each family's header has the details):
 * - Hash seeds are 0 (as with BPF_F_ZERO_SEED) unless MapEnv.random is given, so bucket order, batch
 *   tokens and bloom filter bits are reproducible, and equal to the kernel's for seed 0.
 * - LRU maps keep an exact recency order (kernel: approximate, per-CPU free lists); an update of an
 *   existing key or a failed BPF_EXIST/BPF_NOEXIST update never evicts.
 * - Storage is allocated lazily even for preallocated maps; single maps above 1 GiB and hash bucket
 *   tables above 2^24 buckets fail with ENOMEM (the kernel would try to allocate them).
 * - onValueFree (timers, kptrs) is called only for values a program was given a pointer to.
 * - BTF is checked for presence only (a key type needs a value type; fd maps take none), not for the
 *   types' shapes; map_create validates the name and BTF before allocating instead of after.
 * - No BPF tokens (BPF_F_TOKEN_FD gives EBADF), one NUMA node, the caller is root.
 * - Ring buffer reservations read as zero (the kernel's hold stale bytes); a prog array keeps its
 *   programs until free() (the kernel clears it when the last user-space fd closes); MAP_FREEZE does
 *   not see writable mmaps (the kernel's EBUSY).
 * - Per-CPU maps written by a program's insert copy value_size bytes (the kernel copies the rounded
 *   size from the program's buffer); user-space calls run as CPU 0.
 */
export * from './uapi.js';
export * from './errors.js';
export * from './types.js';
export * from './jhash.js';
export { BpfMap, arrayGetNextKey, isU32, mapOfHandle, readU32, valueRefOf, writeU32, type BatchSupport, type MapInfo, type ResolvedAttr } from './map.js';
export { ArrayMap, MAX_MAP_BYTES, PCPU_MIN_UNIT_SIZE } from './array.js';
export { HashBase, MAX_BUCKETS } from './hashtab.js';
export { HashMap, isHashFamily } from './hash.js';
export { FdArrayMap } from './fd-array.js';
export { ProgArrayMap } from './prog-array.js';
export { ArrayOfMapsMap, HashOfMapsMap, innerMapCompatible, innerMapMeta, type InnerMapMeta } from './map-in-map.js';
export { PerfEventArrayMap, PerfEventBuffer, PerfReader, type PerfEvent } from './perf.js';
export { QueueStackMap } from './queue-stack.js';
export { LpmTrieMap } from './lpm-trie.js';
export { BloomFilterMap, bloomBits } from './bloom.js';
export { RingbufMap, RingbufRecord, type RingbufSampleCallback } from './ringbuf.js';
export {
  BPF_LOCAL_STORAGE_GET_F_CREATE,
  LOCAL_STORAGE_MAX_VALUE_SIZE,
  LOCAL_STORAGE_OWNER,
  LocalStorageMap,
  LocalStorageOwners,
  OwnerFile,
  isLocalStorageType,
  localStorageAllocCheck,
  localStorageOf,
  ownerKey,
  type OwnerKind,
  type OwnerRef,
} from './local-storage.js';
export { Cgroup, CgroupTree, cgroupsOf } from './cgroups.js';
export { CgroupArrayMap } from './cgroup-array.js';
export { UserRingbufMap, UserRingbufSample } from './user-ringbuf.js';
export { CGROUP_STORAGE_KEY_SIZE, CgroupStorage, CgroupStorageMap, cgroupStorageAllocCheck } from './cgroup-storage.js';
export {
  BUILTIN_MAP_TYPES,
  MAP_TYPE_SUPPORT,
  MapRegistry,
  createGlobalDataMap,
  createMap,
  defaultMapRegistry,
  validMapName,
  type GlobalDataSpec,
  type MapTypeImpl,
  type MapTypeSupport,
} from './registry.js';
export { ArenaMap, ArenaMapping, ARENA_FLAG_MASK, arenaAllocCheck } from './arena.js';
