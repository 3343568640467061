/**
 * BPF_MAP_TYPE_STACK_TRACE (kernel/bpf/stackmap.c): bpf_get_stackid stores a call stack in the
 * bucket its hash picks and returns the bucket id; user space reads a stack by id. Checks and
 * errnos measured on Linux 6.18 (test/maps/goldens/stack-trace.json):
 * - create: key_size 4, value_size a non-zero multiple of 8 (BPF_F_STACK_BUILD_ID: of 32, the size
 *   of struct bpf_stack_build_id) holding at most 127 entries (kernel.perf_event_max_stack),
 *   max_entries > 0, flags within BPF_F_NUMA_NODE | RDONLY | WRONLY | STACK_BUILD_ID (EINVAL);
 *   n_buckets = max_entries rounded up to a power of two, above 2^31 E2BIG; the bucket table and
 *   the preallocated elements beyond the emulator's allocation cap ENOMEM (2^31 buckets on 6.18);
 * - lookup: the stack's entries, zero beyond them; ENOENT for an empty or out-of-range bucket;
 *   update EINVAL; delete: E2BIG past the buckets, ENOENT when empty; get_next_key: the next
 *   occupied bucket (from 0 for a NULL, unknown or empty key), ENOENT after the last;
 *   lookup_and_delete: the stack, then the bucket is emptied;
 * - bpf_get_stackid (helpers/tracing.ts calls {@link StackTraceMap.getStackId}): jhash2 of the
 *   entries' u32 words with initval 0, bucket = hash & (n_buckets - 1); the same stack returns its
 *   id; another stack in the bucket is -EEXIST unless BPF_F_REUSE_STACKID (replaces it);
 *   BPF_F_FAST_STACK_CMP trusts an equal hash; every element in use is -ENOMEM.
 */
import { ERRNO } from '../util/errno.js';
import { jhash2 } from './jhash.js';
import { BpfMap, type ResolvedAttr } from './map.js';
import type { MapEnv, ProgOp } from './types.js';
import { BPF_F } from './uapi.js';
import { MAX_MAP_BYTES } from './array.js';

const { EINVAL, E2BIG, ENOENT, ENOMEM, EEXIST } = ERRNO;

/** BPF_F_STACK_BUILD_ID (map flag). */
export const BPF_F_STACK_BUILD_ID = 1 << 5;
/** bpf_get_stackid flags. */
export const BPF_F_FAST_STACK_CMP = 1 << 9;
export const BPF_F_REUSE_STACKID = 1 << 10;
/** sysctl kernel.perf_event_max_stack. */
const MAX_STACK = 127;
/** sizeof(struct bpf_stack_build_id); BPF_STACK_BUILD_ID_IP. */
const BUILD_ID_SIZE = 32;
const BUILD_ID_IP = 2;
/** sizeof(struct stack_map_bucket) header: fnode (8), hash (4), nr (4). */
const BUCKET_HEADER = 16;

const CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY | BPF_F_STACK_BUILD_ID;

/** The bytes one stack entry takes: an ip, or a build-id record. */
function entrySize(flags: number): number {
  return flags & BPF_F_STACK_BUILD_ID ? BUILD_ID_SIZE : 8;
}

function roundupPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** stack_map_alloc's checks: 0 or -errno. */
export function stackTraceAllocCheck(attr: ResolvedAttr): number {
  if (attr.flags & ~CREATE_FLAG_MASK) return -EINVAL;
  const es = entrySize(attr.flags);
  if (attr.maxEntries === 0 || attr.keySize !== 4 || attr.valueSize < 8 || attr.valueSize % es !== 0) return -EINVAL;
  if (attr.valueSize / es > MAX_STACK) return -EINVAL;
  const buckets = roundupPow2(attr.maxEntries);
  if (buckets > 2 ** 31) return -E2BIG;
  if (buckets * 8 + attr.maxEntries * (BUCKET_HEADER + attr.valueSize) > MAX_MAP_BYTES) return -ENOMEM;
  return 0;
}

interface Bucket {
  readonly hash: number;
  /** The stack's ips (innermost first). */
  readonly ips: readonly bigint[];
}

/** STACK_TRACE. */
export class StackTraceMap extends BpfMap {
  /** Programs reach it only through bpf_get_stackid. */
  readonly progOps: ReadonlySet<ProgOp> = new Set<ProgOp>();
  readonly nBuckets: number;
  private readonly buckets: (Bucket | undefined)[];
  private used = 0;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    this.nBuckets = roundupPow2(attr.maxEntries);
    this.buckets = new Array<Bucket | undefined>(this.nBuckets);
  }

  /** Whether entries are build-id records. */
  get buildId(): boolean {
    return (this.flags & BPF_F_STACK_BUILD_ID) !== 0;
  }

  /** How many entries a stack keeps (value_size / entry size). */
  get maxDepth(): number {
    return this.valueSize / entrySize(this.flags);
  }

  /**
   * __bpf_get_stackid for a trace already cut to max_depth + skip entries: the bucket id or -errno.
   * `flags` are bpf_get_stackid's (checked by the helper).
   */
  getStackId(trace: readonly bigint[], skip: number, flags: number): number {
    if (trace.length <= skip) return -ERRNO.EFAULT;
    const ips = trace.slice(skip);
    const words = new Uint8Array(ips.length * 8);
    const dv = new DataView(words.buffer);
    ips.forEach((ip, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, ip), true));
    const hash = jhash2(words, 0, ips.length * 2, 0) >>> 0;
    const id = hash & (this.nBuckets - 1);
    const bucket = this.buckets[id];
    const hashMatches = bucket !== undefined && bucket.hash === hash;
    if (hashMatches && flags & BPF_F_FAST_STACK_CMP) return id;
    if (hashMatches && bucket.ips.length === ips.length && bucket.ips.every((v, i) => v === BigInt.asUintN(64, ips[i]!))) return id;
    if (bucket !== undefined && !(flags & BPF_F_REUSE_STACKID)) return -EEXIST;
    // pcpu_freelist_pop before the swap: with every element in a bucket even a replacement fails
    if (this.used >= this.maxEntries) return -ENOMEM;
    this.buckets[id] = { hash, ips: ips.map((v) => BigInt.asUintN(64, v)) };
    if (bucket === undefined) this.used++;
    return id;
  }

  /** The stack in bucket `id` as the value bytes (entries, zero after them). */
  private copy(id: number, out: Uint8Array): boolean {
    const b = id < this.nBuckets ? this.buckets[id] : undefined;
    if (b === undefined) return false;
    out.fill(0);
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    b.ips.forEach((ip, i) => {
      if (this.buildId) {
        dv.setInt32(i * BUILD_ID_SIZE, BUILD_ID_IP, true);
        dv.setBigUint64(i * BUILD_ID_SIZE + 24, ip, true);
      } else dv.setBigUint64(i * 8, ip, true);
    });
    return true;
  }

  private bucketOf(key: Uint8Array | null): number {
    return key === null ? -1 : new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  protected sysLookup(key: Uint8Array | null, out: Uint8Array): number {
    return this.copy(this.bucketOf(key), out) ? 0 : -ENOENT;
  }

  protected sysUpdate(): number {
    return -EINVAL;
  }

  protected sysDelete(key: Uint8Array | null): number {
    const id = this.bucketOf(key);
    if (id >= this.nBuckets) return -E2BIG;
    if (this.buckets[id] === undefined) return -ENOENT;
    this.buckets[id] = undefined;
    this.used--;
    return 0;
  }

  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    let id = this.bucketOf(key);
    if (id < 0 || id >= this.nBuckets || this.buckets[id] === undefined) id = 0;
    else id++;
    while (id < this.nBuckets && this.buckets[id] === undefined) id++;
    if (id >= this.nBuckets) return -ENOENT;
    new DataView(out.buffer, out.byteOffset, 4).setUint32(0, id, true);
    return 0;
  }

  protected override sysLookupAndDelete(key: Uint8Array | null, out: Uint8Array): number {
    const id = this.bucketOf(key);
    if (!this.copy(id, out)) return -ENOENT;
    this.buckets[id] = undefined;
    this.used--;
    return 0;
  }

  protected onFree(): void {
    this.buckets.fill(undefined);
    this.used = 0;
  }
}
