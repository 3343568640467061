/**
 * BPF_MAP_TYPE_BLOOM_FILTER (kernel/bpf/bloom_filter.c): push adds a value, peek answers 0 (maybe
 * present) or -ENOENT (definitely absent). False positives happen; false negatives never do.
 *
 * Sizing and hashing are the kernel's, so with seed 0 (BPF_F_ZERO_SEED, or no env.random) the set
 * bits and the false positives are exactly the kernel's:
 *   k = map_extra & 0xf (0 means 5) hash functions;
 *   bits = roundup_pow_of_two(max_entries * k / 5 * 7), at least 64; 2^32 when that overflows;
 *   bit i of a value = jhash2/jhash(value, seed + i) & (bits - 1).
 */
import { ERRNO } from '../util/errno.js';
import { roundUp } from '../util/bytes.js';
import { MAX_MAP_BYTES } from './array.js';
import { keyHash } from './jhash.js';
import { BpfMap, progFlags, type ResolvedAttr } from './map.js';
import { roundupPow2 } from './storage.js';
import type { MapEnv, ProgOp } from './types.js';
import { BPF_ANY, BPF_F, BPF_F_ACCESS_MASK, mapFlagsAccessOk } from './uapi.js';

const { EINVAL, E2BIG, ENOENT, EOPNOTSUPP, ENOMEM } = ERRNO;

const BLOOM_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.ZERO_SEED | BPF_F_ACCESS_MASK;
const KMALLOC_MAX_SIZE = 1 << 22;

const OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['push', 'peek']);

/** bloom_map_alloc_check plus bloom_map_alloc's attribute checks: 0 or -errno. */
export function bloomAllocCheck(attr: ResolvedAttr): number {
  if (attr.valueSize > KMALLOC_MAX_SIZE) return -E2BIG;
  if (attr.keySize !== 0 || attr.valueSize === 0 || attr.maxEntries === 0 || attr.flags & ~BLOOM_CREATE_FLAG_MASK || !mapFlagsAccessOk(attr.flags) || (attr.mapExtra & ~0xfn) !== 0n) {
    return -EINVAL;
  }
  return 0;
}

/** The kernel's bitset size in bits for `maxEntries` values and `k` hash functions. */
export function bloomBits(maxEntries: number, k: number): number {
  const prod = maxEntries * k;
  if (prod > 0xffffffff) return 2 ** 32;
  const bits = Math.floor(prod / 5) * 7;
  if (bits > 0xffffffff || bits > 2 ** 31) return 2 ** 32;
  return bits <= 64 ? 64 : roundupPow2(bits);
}

/** BLOOM_FILTER. */
export class BloomFilterMap extends BpfMap {
  readonly progOps = OPS;
  /** Number of hash functions. */
  readonly hashes: number;
  /** Bits in the bitset (a power of two). */
  readonly bits: number;
  readonly seed: number;
  private readonly bitset: Uint8Array;
  private readonly mask: number;

  private constructor(attr: ResolvedAttr, env: MapEnv, bits: number, hashes: number) {
    super(attr, env);
    this.hashes = hashes;
    this.bits = bits;
    this.mask = bits - 1;
    this.bitset = new Uint8Array(roundUp(bits / 8, 8));
    this.seed = attr.flags & BPF_F.ZERO_SEED || env.random === undefined ? 0 : env.random() >>> 0;
  }

  /** bloom_map_alloc after the checks. */
  static create(attr: ResolvedAttr, env: MapEnv): BloomFilterMap | number {
    const k = Number(attr.mapExtra & 0xfn) || 5;
    const bits = bloomBits(attr.maxEntries, k);
    if (bits / 8 > MAX_MAP_BYTES) return -ENOMEM;
    return new BloomFilterMap(attr, env, bits, k);
  }

  private bit(vb: Uint8Array, vo: number, i: number): number {
    // h & bitset_mask in u32 arithmetic; for 2^32 bits the mask is U32_MAX
    const h = keyHash(vb, vo, this.valueSize, (this.seed + i) | 0);
    return this.bits === 2 ** 32 ? h : h & this.mask;
  }

  /** bloom_map_push_elem: set the value's bits (flags must be BPF_ANY). */
  push(vb: Uint8Array, vo: number, flags: number): number {
    if (flags !== BPF_ANY) return -EINVAL;
    for (let i = 0; i < this.hashes; i++) {
      const h = this.bit(vb, vo, i);
      this.bitset[h >>> 3]! |= 1 << (h & 7);
    }
    return 0;
  }

  /** bloom_map_peek_elem: 0 if every bit of the value is set, else -ENOENT. */
  peek(vb: Uint8Array, vo: number): number {
    for (let i = 0; i < this.hashes; i++) {
      const h = this.bit(vb, vo, i);
      if ((this.bitset[h >>> 3]! & (1 << (h & 7))) === 0) return -ENOENT;
    }
    return 0;
  }

  /** Number of set bits (for tests and statistics). */
  get setBits(): number {
    let n = 0;
    for (const b of this.bitset) for (let v = b; v !== 0; v &= v - 1) n++;
    return n;
  }

  protected sysLookup(_key: Uint8Array | null, value: Uint8Array, _flags: number): number {
    return this.peek(value, 0); // the syscall copies the value *in* for bloom filters
  }

  protected sysUpdate(_key: Uint8Array | null, value: Uint8Array, flags: number): number {
    return this.push(value, 0, flags);
  }

  protected sysDelete(_key: Uint8Array | null): number {
    return -EOPNOTSUPP;
  }

  protected sysGetNextKey(_key: Uint8Array | null, _out: Uint8Array): number {
    return -EOPNOTSUPP;
  }

  override pushFromProg(vb: Uint8Array, vo: number, flags: number, _cpu: number): number {
    return this.push(vb, vo, progFlags(flags));
  }

  override peekFromProg(vb: Uint8Array, vo: number, _cpu: number): number {
    return this.peek(vb, vo);
  }

  override popFromProg(_vb: Uint8Array, _vo: number, _cpu: number): number {
    return -EOPNOTSUPP;
  }

  /** A bloom filter has no enumerable elements. */
  override *entries(): Generator<[Uint8Array, Uint8Array]> {
    this.checkLive();
  }

  protected onFree(): void {}
}
