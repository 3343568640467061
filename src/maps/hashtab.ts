/**
 * The hash table behind HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and HASH_OF_MAPS
 * (kernel/bpf/hashtab.c), kept in typed arrays so a million elements cost tens of bytes each.
 *
 * Elements live in slots 0..capacity-1 (capacity grows by doubling up to max_entries):
 *
 *   buckets[h & (n_buckets - 1)]  -> first slot + 1 of the bucket's chain (0 = empty)
 *   next[slot]                    -> next slot + 1 in the chain
 *   hashes[slot]                  jhash of the key (seed 0 unless env.random is given)
 *   keys (Slab)                   key bytes
 *   gens[slot]                    bumped when the slot is freed (iteration safety)
 *
 * Like the kernel: n_buckets = roundup_pow_of_two(max_entries), keys hash with jhash2/jhash, a new
 * element goes to the head of its bucket, and get_next_key / batch lookups / for_each walk buckets
 * in index order and chains from the head. With seed 0 (BPF_F_ZERO_SEED, or no env.random) the
 * iteration order is the kernel's.
 *
 * LRU maps keep an exact doubly linked recency list per LRU list (one list, or one per CPU with
 * BPF_F_NO_COMMON_LRU): program lookups and every update make an element most recent; inserting
 * into a full list evicts its least recent element. The kernel's LRU (kernel/bpf/bpf_lru_list.c) is
 * approximate: per-CPU free lists, reference bits and batched shrinking mean it may evict before the
 * map is full or evict a recently used element. The emulator's is exact and deterministic.
 */
import { ERRNO } from '../util/errno.js';
import { MapError } from './errors.js';
import { BpfMap, readU32, writeU32, type ResolvedAttr } from './map.js';
import { keyHash } from './jhash.js';
import { Slab, copyBytes, growInt32, rangeEquals, roundupPow2 } from './storage.js';
import type { BatchOptions, BatchResult, ForEachCallback, MapEnv } from './types.js';
import { BPF_EXIST, BPF_F, BPF_F_ACCESS_MASK, BPF_F_LOCK, BPF_MAP_TYPE, BPF_NOEXIST, mapFlagsAccessOk } from './uapi.js';
import { PCPU_MIN_UNIT_SIZE } from './array.js';
import { roundUp } from '../util/bytes.js';

const { EINVAL, E2BIG, EEXIST, ENOENT, ENOTSUPP, ENOSPC, ENOMEM } = ERRNO;

const HTAB_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.NO_COMMON_LRU | BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F.ZERO_SEED;
/** KMALLOC_MAX_SIZE (x86-64: 4 MiB) minus sizeof(struct htab_elem) (48). */
const HTAB_KV_LIMIT = (1 << 22) - 48;
/** Kernel htab_map_alloc: n_buckets > U32_MAX / sizeof(struct bucket) (16) fails with E2BIG. */
const KERNEL_MAX_BUCKETS = Math.floor(0xffffffff / 16);
/** The emulator's own limit on the bucket table (ENOMEM above; the kernel's would be 256 MiB here). */
export const MAX_BUCKETS = 1 << 24;

/** Whether a type is in the hash family with per-CPU values. */
export function isPercpuHash(type: number): boolean {
  return type === BPF_MAP_TYPE.PERCPU_HASH || type === BPF_MAP_TYPE.LRU_PERCPU_HASH;
}

/** Whether a type is an LRU hash. */
export function isLruHash(type: number): boolean {
  return type === BPF_MAP_TYPE.LRU_HASH || type === BPF_MAP_TYPE.LRU_PERCPU_HASH;
}

/** htab_map_alloc_check (root, so BPF_F_ZERO_SEED is allowed): 0 or -errno. */
export function htabAllocCheck(attr: ResolvedAttr): number {
  const percpu = isPercpuHash(attr.type);
  const lru = isLruHash(attr.type);
  const percpuLru = (attr.flags & BPF_F.NO_COMMON_LRU) !== 0;
  const prealloc = (attr.flags & BPF_F.NO_PREALLOC) === 0;
  const numa = (attr.flags & BPF_F.NUMA_NODE) !== 0;
  if (attr.flags & ~HTAB_CREATE_FLAG_MASK || !mapFlagsAccessOk(attr.flags)) return -EINVAL;
  if (!lru && percpuLru) return -EINVAL;
  if (lru && !prealloc) return -ENOTSUPP;
  if (numa && (percpu || percpuLru)) return -EINVAL;
  if (attr.maxEntries === 0 || attr.keySize === 0 || attr.valueSize === 0) return -EINVAL;
  if (attr.keySize + attr.valueSize >= HTAB_KV_LIMIT) return -E2BIG;
  if (percpu && roundUp(attr.valueSize, 8) > PCPU_MIN_UNIT_SIZE) return -E2BIG;
  return 0;
}

/**
 * htab_map_alloc's sizing: max_entries rounded to a multiple of the CPU count for per-CPU LRU lists,
 * then the bucket count. Returns the adjusted max_entries or -errno.
 */
export function htabMaxEntries(attr: ResolvedAttr, nrCpus: number): number {
  let max = attr.maxEntries;
  if (attr.flags & BPF_F.NO_COMMON_LRU) {
    // roundup(max, ncpus), or rounddown when that overflows a u32
    const up = Math.ceil(max / nrCpus) * nrCpus;
    max = up > 0xffffffff ? Math.floor(max / nrCpus) * nrCpus : up;
  }
  if (max > 2 ** 31) return -E2BIG;
  const nBuckets = roundupPow2(max);
  if (nBuckets > KERNEL_MAX_BUCKETS) return -E2BIG;
  if (nBuckets > MAX_BUCKETS) return -ENOMEM;
  return max;
}

/** The hash table machinery shared by the hash map family and HASH_OF_MAPS. */
export abstract class HashBase extends BpfMap {
  readonly nBuckets: number;
  /** jhash seed (0 with BPF_F_ZERO_SEED or without env.random). */
  readonly seed: number;
  protected readonly bucketMask: number;
  protected readonly keys: Slab;
  protected capacity = 0;
  private buckets: Int32Array | null = null;
  private next = new Int32Array(0);
  private hashes = new Int32Array(0);
  private gens = new Int32Array(0);
  private top = 0;
  private readonly freeSlots: number[] = [];
  private elems = 0;
  /** LRU state (null for non-LRU maps). */
  private readonly lruLists: number;
  private readonly lruCap: number;
  private lruPrev: Int32Array<ArrayBuffer> | null = null;
  private lruNext: Int32Array<ArrayBuffer> | null = null;
  private lruHome: Int32Array<ArrayBuffer> | null = null;
  private readonly lruHead: Int32Array;
  private readonly lruTail: Int32Array;
  private readonly lruCount: Int32Array;
  protected readonly lru: boolean;
  /** Scratch for bucket snapshots (for_each, batches): slot, gen pairs. */
  private scratch = new Int32Array(16);

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    this.nBuckets = roundupPow2(attr.maxEntries);
    this.bucketMask = this.nBuckets - 1;
    this.seed = attr.flags & BPF_F.ZERO_SEED || env.random === undefined ? 0 : env.random() >>> 0;
    this.keys = new Slab(attr.keySize, attr.maxEntries);
    this.lru = isLruHash(attr.type);
    this.lruLists = this.lru && attr.flags & BPF_F.NO_COMMON_LRU ? env.nrCpus : 1;
    this.lruCap = this.lru ? Math.floor(attr.maxEntries / this.lruLists) : 0;
    this.lruHead = new Int32Array(this.lruLists);
    this.lruTail = new Int32Array(this.lruLists);
    this.lruCount = new Int32Array(this.lruLists);
  }

  /** Number of elements. */
  get count(): number {
    return this.elems;
  }

  /** Subclass arrays indexed by slot must cover `cap` slots. */
  protected abstract growElems(cap: number): void;
  /** An element leaves the map (delete, replacement is not this, eviction, map free): free its value. */
  protected abstract releaseElem(slot: number): void;
  /** The user-space value of `slot` into out[off..] (batch lookups). */
  protected abstract userValueInto(slot: number, out: Uint8Array, off: number, flags: number): void;

  // ---- lookups --------------------------------------------------------------------------------------

  /** jhash of the key at kb[ko..]. */
  protected hashKey(kb: Uint8Array, ko: number): number {
    return keyHash(kb, ko, this.keySize, this.seed) | 0;
  }

  /** The slot holding the key at kb[ko..] (hash `h`), or -1. */
  protected find(kb: Uint8Array, ko: number, h: number): number {
    const buckets = this.buckets;
    if (buckets === null) return -1;
    const ks = this.keySize;
    const keys = this.keys;
    for (let s = buckets[h & this.bucketMask]! - 1; s >= 0; s = this.next[s]! - 1) {
      if (this.hashes[s] === h && rangeEquals(keys.chunk(s), keys.offset(s), kb, ko, ks)) return s;
    }
    return -1;
  }

  /** Copy the key of `slot` to out[off..]. */
  protected keyInto(slot: number, out: Uint8Array, off: number): void {
    copyBytes(out, off, this.keys.chunk(slot), this.keys.offset(slot), this.keySize);
  }

  // ---- insertion and removal ------------------------------------------------------------------------

  /** Whether inserting a new element would exceed max_entries (non-LRU maps fail with E2BIG). */
  protected get full(): boolean {
    return this.elems >= this.maxEntries;
  }

  /**
   * Insert the key at kb[ko..] with hash `h` as a new element at the head of its bucket (and, for LRU
   * maps, the most recent element of `cpu`'s list, evicting that list's least recent element when
   * it is full). The caller checked the key is absent and, for non-LRU maps, that the map is not full.
   */
  protected insert(kb: Uint8Array, ko: number, h: number, cpu: number): number {
    let list = 0;
    if (this.lru) {
      list = this.lruLists > 1 ? cpu % this.lruLists : 0;
      if (this.lruCount[list]! >= this.lruCap) this.remove(this.lruTail[list]! - 1);
    }
    const slot = this.allocSlot();
    copyBytes(this.keys.chunk(slot), this.keys.offset(slot), kb, ko, this.keySize);
    this.hashes[slot] = h;
    this.linkHead(slot);
    if (this.lru) {
      if (this.lruHome !== null) this.lruHome[slot] = list;
      this.lruPushFront(list, slot);
    }
    this.elems++;
    return slot;
  }

  /** Remove `slot` from the map: unlink it, release its value, free the slot. */
  protected remove(slot: number): void {
    this.unlink(slot);
    if (this.lru) this.lruRemove(slot);
    this.releaseElem(slot);
    this.gens[slot] = (this.gens[slot]! + 1) | 0;
    this.freeSlots.push(slot);
    this.elems--;
  }

  /** Move `slot` to the head of its bucket (the kernel links a replacing element there). */
  protected moveToBucketHead(slot: number): void {
    const b = this.hashes[slot]! & this.bucketMask;
    if (this.buckets![b] === slot + 1) return;
    this.unlink(slot);
    this.linkHead(slot);
  }

  /** Mark `slot` most recently used (LRU maps). */
  protected touch(slot: number): void {
    if (!this.lru || this.lruHead[this.lruListOf(slot)] === slot + 1) return;
    this.lruRemove(slot);
    this.lruPushFront(this.lruListOf(slot), slot);
  }

  private allocSlot(): number {
    const reuse = this.freeSlots.pop();
    if (reuse !== undefined) return reuse;
    const slot = this.top++;
    if (slot >= this.capacity) this.grow(slot + 1);
    return slot;
  }

  private grow(need: number): void {
    let cap = Math.max(16, this.capacity * 2);
    while (cap < need) cap *= 2;
    cap = Math.min(cap, this.maxEntries);
    this.next = growInt32(this.next, cap, 0);
    this.hashes = growInt32(this.hashes, cap, 0);
    this.gens = growInt32(this.gens, cap, 0);
    this.keys.ensure(cap);
    if (this.lru) {
      this.lruPrev = growInt32(this.lruPrev ?? new Int32Array(0), cap, 0);
      this.lruNext = growInt32(this.lruNext ?? new Int32Array(0), cap, 0);
      if (this.lruLists > 1) this.lruHome = growInt32(this.lruHome ?? new Int32Array(0), cap, 0);
    }
    this.growElems(cap);
    this.capacity = cap;
  }

  private linkHead(slot: number): void {
    const buckets = (this.buckets ??= new Int32Array(this.nBuckets));
    const b = this.hashes[slot]! & this.bucketMask;
    this.next[slot] = buckets[b]!;
    buckets[b] = slot + 1;
  }

  private unlink(slot: number): void {
    const buckets = this.buckets!;
    const b = this.hashes[slot]! & this.bucketMask;
    let s = buckets[b]! - 1;
    if (s === slot) {
      buckets[b] = this.next[slot]!;
      return;
    }
    while (s >= 0) {
      const n = this.next[s]! - 1;
      if (n === slot) {
        this.next[s] = this.next[slot]!;
        return;
      }
      s = n;
    }
  }

  private lruListOf(slot: number): number {
    return this.lruHome === null ? 0 : this.lruHome[slot]!;
  }

  private lruPushFront(list: number, slot: number): void {
    const prev = this.lruPrev!;
    const next = this.lruNext!;
    const head = this.lruHead[list]!;
    prev[slot] = 0;
    next[slot] = head;
    if (head !== 0) prev[head - 1] = slot + 1;
    else this.lruTail[list] = slot + 1;
    this.lruHead[list] = slot + 1;
    this.lruCount[list]!++;
  }

  private lruRemove(slot: number): void {
    const prev = this.lruPrev!;
    const next = this.lruNext!;
    const list = this.lruListOf(slot);
    const p = prev[slot]!;
    const n = next[slot]!;
    if (p !== 0) next[p - 1] = n;
    else this.lruHead[list] = n;
    if (n !== 0) prev[n - 1] = p;
    else this.lruTail[list] = p;
    this.lruCount[list]!--;
  }

  /** Keys of `list`'s LRU order, most recent first (for tests and debugging). */
  lruOrder(list = 0): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (!this.lru) return out;
    for (let s = this.lruHead[list]! - 1; s >= 0; s = this.lruNext![s]! - 1) {
      const k = new Uint8Array(this.keySize);
      this.keyInto(s, k, 0);
      out.push(k);
    }
    return out;
  }

  // ---- iteration ------------------------------------------------------------------------------------

  /** First non-empty bucket >= b, or -1. */
  private bucketFrom(b: number): number {
    const buckets = this.buckets;
    if (buckets === null) return -1;
    for (let i = b; i < this.nBuckets; i++) if (buckets[i] !== 0) return i;
    return -1;
  }

  /** htab_map_get_next_key: the next key in bucket order; an absent key restarts from the first. */
  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    let b = 0;
    if (key !== null) {
      const h = this.hashKey(key, 0);
      const s = this.find(key, 0, h);
      if (s >= 0) {
        const n = this.next[s]! - 1;
        if (n >= 0) {
          this.keyInto(n, out, 0);
          return 0;
        }
        b = (h & this.bucketMask) + 1;
      }
    }
    const nb = this.bucketFrom(b);
    if (nb < 0) return -ENOENT;
    this.keyInto(this.buckets![nb]! - 1, out, 0);
    return 0;
  }

  /** Snapshot bucket `b`'s chain as (slot, gen) pairs into the scratch array; returns the length. */
  private snapshotBucket(b: number): number {
    let n = 0;
    for (let s = this.buckets![b]! - 1; s >= 0; s = this.next[s]! - 1) {
      if (2 * n + 2 > this.scratch.length) this.scratch = growInt32(this.scratch, this.scratch.length * 2, 0);
      this.scratch[2 * n] = s;
      this.scratch[2 * n + 1] = this.gens[s]!;
      n++;
    }
    return n;
  }

  /**
   * bpf_for_each_hash_elem over the value regions `regionOf(slot)` gives: buckets in order, chains
   * from the head; an element the callback deletes (or one freed before its turn) is skipped.
   */
  protected forEachSlot(cb: ForEachCallback, flags: number, regionOf: (slot: number) => number): number {
    if (flags !== 0) return -EINVAL;
    let visited = 0;
    if (this.buckets === null) return 0;
    for (let b = 0; b < this.nBuckets; b++) {
      if (this.buckets[b] === 0) continue;
      const n = this.snapshotBucket(b);
      const snap = this.scratch.slice(0, 2 * n);
      for (let i = 0; i < n; i++) {
        const s = snap[2 * i]!;
        if (this.gens[s] !== snap[2 * i + 1]) continue;
        visited++;
        if (cb(this.keys.chunk(s), this.keys.offset(s), regionOf(s))) return visited;
      }
    }
    return visited;
  }

  /**
   * __htab_map_lookup_and_delete_batch: whole buckets at a time from the bucket number in `inBatch`
   * (a little-endian u32); -ENOSPC when the first bucket does not fit in `count`, -ENOENT after the
   * last bucket. The returned token is the next bucket number.
   */
  protected override lookupBatchImpl(inBatch: Uint8Array | null, keys: Uint8Array, values: Uint8Array, count: number, opts: BatchOptions, del: boolean): BatchResult {
    const ef = opts.elemFlags ?? 0;
    if (!Number.isInteger(ef) || ef < 0 || ef & ~BPF_F_LOCK || (ef & BPF_F_LOCK && !this.hasSpinLock)) return { err: -EINVAL, count: 0, outBatch: null };
    if ((opts.flags ?? 0) !== 0) return { err: -EINVAL, count: 0, outBatch: null };
    if (count === 0) return { err: 0, count: 0, outBatch: null };
    if (inBatch !== null && inBatch.length !== 4) throw new MapError('MAP_BAD_ARGUMENT', `map ${this.name}: lookup_batch: a hash map's batch token is 4 bytes, got ${inBatch.length}`);
    let batch = inBatch === null ? 0 : readU32(inBatch, 0);
    if (batch >= this.nBuckets) return { err: -ENOENT, count: 0, outBatch: null };
    const ks = this.keySize;
    const vs = this.userValueSize;
    let total = 0;
    let err = 0;
    for (;;) {
      const n = this.buckets === null || this.buckets[batch] === 0 ? 0 : this.snapshotBucket(batch);
      if (n > count - total) {
        if (total === 0) err = -ENOSPC;
        break;
      }
      if (n > 0) {
        const snap = this.scratch.slice(0, 2 * n);
        for (let i = 0; i < n; i++) {
          const s = snap[2 * i]!;
          this.keyInto(s, keys, (total + i) * ks);
          this.userValueInto(s, values, (total + i) * vs, ef);
        }
        if (del) for (let i = 0; i < n; i++) this.remove(snap[2 * i]!);
        total += n;
      }
      batch++;
      if (batch >= this.nBuckets) {
        err = -ENOENT;
        break;
      }
    }
    const out = new Uint8Array(4);
    writeU32(out, 0, batch);
    return { err, count: total, outBatch: out };
  }

  /** check_flags: EEXIST for BPF_NOEXIST on an existing key, ENOENT for BPF_EXIST on a missing one. */
  protected static checkFlags(exists: boolean, flags: number): number {
    const f = flags & ~BPF_F_LOCK;
    if (exists && f === BPF_NOEXIST) return -EEXIST;
    if (!exists && f === BPF_EXIST) return -ENOENT;
    return 0;
  }

  /** Every live slot (map free). */
  protected *liveSlots(): Generator<number> {
    if (this.buckets === null) return;
    for (let b = 0; b < this.nBuckets; b++) {
      for (let s = this.buckets[b]! - 1; s >= 0; s = this.next[s]! - 1) yield s;
    }
  }
}
