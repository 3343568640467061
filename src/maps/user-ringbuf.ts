/**
 * BPF_MAP_TYPE_USER_RINGBUF (kernel/bpf/ringbuf.c): a ring buffer user space produces into and
 * programs consume with bpf_user_ringbuf_drain (helpers/user-ringbuf.ts).
 *
 * The user-space producer side is this map's API, with libbpf's user_ring_buffer semantics:
 * `reserve(size)` (a record of round_up(size + 8, 8) bytes at the producer position, its header
 * BUSY; -E2BIG when it can never fit, -ENOSPC when it does not fit now), then `submit(sample)` or
 * `discard(sample)`. The kernel side (`peek` / `consume`, what the drain helper uses) follows
 * __bpf_user_ringbuf_peek: no data or a BUSY header stops the drain, a DISCARD header is skipped.
 * Positions only grow, as in the kernel; the bytes of each record live in the sample itself (the
 * kernel's double-mapped data pages keep every record contiguous; so does this).
 *
 * Create-time checks are the ring buffer's (max_entries a power of 2 and a page multiple, no key or
 * value, only BPF_F_NUMA_NODE); lookup, update, delete and get_next_key give ENOTSUPP (measured on
 * 6.18: goldens/user-ringbuf.json). Not emulated: the mmap'ed consumer/producer pages themselves
 * (positions are readable as `consumerPos` / `producerPos`) and epoll wakeups.
 */
import { ERRNO } from '../util/errno.js';
import { roundUp } from '../util/bytes.js';
import { BpfMap, type ResolvedAttr } from './map.js';
import type { MapEnv, ProgOp } from './types.js';
import { BPF_RINGBUF_HDR_SZ } from './uapi.js';

const { E2BIG, ENOSPC, ENOTSUPP, ENODATA, EAGAIN, EINVAL } = ERRNO;

/** include/linux/bpf.h DYNPTR_MAX_SIZE: a sample must fit a dynptr (24 bits of size). */
const DYNPTR_MAX_SIZE = (1 << 24) - 1;

/** One sample a producer reserved. */
export class UserRingbufSample {
  state: 'reserved' | 'submitted' | 'discarded' = 'reserved';
  constructor(
    readonly map: UserRingbufMap,
    /** Producer position of its header. */
    readonly pos: number,
    /** The sample's bytes, to fill before submit. */
    readonly data: Uint8Array,
  ) {}

  /** round_up(size + BPF_RINGBUF_HDR_SZ, 8): the bytes it takes in the ring. */
  get totalLen(): number {
    return roundUp(this.data.length + BPF_RINGBUF_HDR_SZ, 8);
  }
}

const PROG_OPS: ReadonlySet<ProgOp> = new Set<ProgOp>();

/** A user ring buffer. */
export class UserRingbufMap extends BpfMap {
  /** Programs reach it only through bpf_user_ringbuf_drain. */
  readonly progOps = PROG_OPS;
  consumerPos = 0;
  producerPos = 0;
  /** A drain is running (the kernel's rb->busy): a nested drain gets -EBUSY. */
  draining = false;
  /** Samples between the consumer and producer positions, in order. */
  private readonly pending: UserRingbufSample[] = [];

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
  }

  /** Bytes of data the ring holds (max_entries). */
  get ringSize(): number {
    return this.maxEntries;
  }

  // ---- user-space producer (libbpf user_ring_buffer__reserve/submit/discard) ---------------------

  /** Reserve a sample of `size` bytes: the sample, or -E2BIG / -ENOSPC. */
  reserve(size: number): UserRingbufSample | number {
    this.checkLive();
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) return -EINVAL;
    const total = roundUp(size + BPF_RINGBUF_HDR_SZ, 8);
    if (total > this.ringSize) return -E2BIG;
    if (this.ringSize - (this.producerPos - this.consumerPos) < total) return -ENOSPC;
    const s = new UserRingbufSample(this, this.producerPos, new Uint8Array(size));
    this.pending.push(s);
    this.producerPos += total;
    return s;
  }

  /** Post a reserved sample to the kernel. */
  submit(s: UserRingbufSample): void {
    this.settle(s, 'submitted');
  }

  /** Give a reserved sample up: the kernel skips it. */
  discard(s: UserRingbufSample): void {
    this.settle(s, 'discarded');
  }

  private settle(s: UserRingbufSample, state: 'submitted' | 'discarded'): void {
    if (s.map !== this || s.state !== 'reserved') throw new Error(`user ringbuf ${this.name || this.id}: sample at ${s.pos} is not reserved`);
    s.state = state;
  }

  /** Reserve, fill and submit `bytes` in one call: 0 or -errno. */
  push(bytes: Uint8Array): number {
    const s = this.reserve(bytes.length);
    if (typeof s === 'number') return s;
    s.data.set(bytes);
    this.submit(s);
    return 0;
  }

  // ---- kernel side (bpf_user_ringbuf_drain) --------------------------------------------------------

  /**
   * __bpf_user_ringbuf_peek: the next submitted sample; -ENODATA when there is none or it is still
   * reserved; -EAGAIN after skipping a discarded one; -E2BIG for one too large for a dynptr.
   */
  peek(): UserRingbufSample | number {
    const s = this.pending[0];
    if (s === undefined || this.consumerPos >= this.producerPos) return -ENODATA;
    if (s.data.length > DYNPTR_MAX_SIZE) return -E2BIG;
    if (s.state === 'discarded') {
      this.pending.shift();
      this.consumerPos += s.totalLen;
      return -EAGAIN;
    }
    if (s.state === 'reserved') return -ENODATA;
    return s;
  }

  /** __bpf_user_ringbuf_sample_release: the consumer moves past `s`. */
  consume(s: UserRingbufSample): void {
    if (this.pending[0] !== s) return;
    this.pending.shift();
    this.consumerPos += s.totalLen;
  }

  // ---- syscall side -------------------------------------------------------------------------------

  protected sysLookup(): number {
    return -ENOTSUPP;
  }

  protected sysUpdate(): number {
    return -ENOTSUPP;
  }

  protected sysDelete(): number {
    return -ENOTSUPP;
  }

  protected sysGetNextKey(): number {
    return -ENOTSUPP;
  }

  protected onFree(): void {
    this.pending.length = 0;
  }
}
