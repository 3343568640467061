/** The emulated BPF maps: types, creation, and every family's implementation. */
export * from './uapi.js';
export * from './errors.js';
export * from './types.js';
export * from './jhash.js';
export { BpfMap, arrayGetNextKey, isU32, readU32, writeU32, type BatchSupport, type MapInfo, type ResolvedAttr } from './map.js';
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
