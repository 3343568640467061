/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY (kernel/bpf/arraymap.c perf_event_array_map_ops) with the output path
 * of bpf_perf_event_output / bpf_skb_event_output / bpf_xdp_event_output
 * (kernel/trace/bpf_trace.c __bpf_perf_event_output, net/core/filter.c), and a per-CPU reader like
 * libbpf's perf_buffer.
 *
 * Each slot holds a {@link PerfEventBuffer}: a PERF_COUNT_SW_BPF_OUTPUT event bound to one CPU with a
 * ring of `pageCount` pages. A program may only write to the event of the CPU it runs on. Sample
 * records carry the raw data padded so that the u32 size plus the data is a multiple of 8 (perf's
 * PERF_SAMPLE_RAW), which is the size a perf_buffer callback sees:
 *
 *   record = perf_event_header (8) | u32 size | data | zero padding      (8-byte multiple)
 *
 * When a ring is full the sample is lost (the helper returns -ENOSPC) and counted; the count is
 * delivered as a PERF_RECORD_LOST record (24 bytes) before the next sample that fits.
 */
import { ERRNO } from '../util/errno.js';
import { MapError } from './errors.js';
import { FdArrayMap } from './fd-array.js';
import type { ResolvedAttr } from './map.js';
import type { MapEnv, ProgOp } from './types.js';
import { BPF_F_CTXLEN_MASK_HI, BPF_F_CURRENT_CPU, PAGE_SIZE } from './uapi.js';

const { EBADF, EINVAL, E2BIG, ENOENT, EOPNOTSUPP, EFAULT, ENOSPC } = ERRNO;

const OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['perf_event_output']);
const HEADER = 8;
const LOST_RECORD = 24;

/** What a perf buffer reader receives. */
export type PerfEvent =
  | { readonly type: 'sample'; readonly cpu: number; readonly data: Uint8Array }
  | { readonly type: 'lost'; readonly cpu: number; readonly lost: number };

/** One CPU's BPF output perf event and its ring (what perf_event_open + mmap give libbpf). */
export class PerfEventBuffer {
  /** Ring data bytes (pageCount pages). */
  readonly capacity: number;
  private used = 0;
  private pendingLost = 0;
  private totalLost = 0;
  private queue: PerfEvent[] = [];

  constructor(
    /** The CPU the event is bound to. */
    readonly cpu: number,
    /** Data pages (a power of two, as perf_buffer__new requires). */
    readonly pageCount = 8,
  ) {
    if (!(pageCount > 0 && Number.isInteger(pageCount) && (pageCount & (pageCount - 1)) === 0)) {
      throw new MapError('MAP_BAD_ARGUMENT', `perf buffer: page count ${pageCount} is not a power of 2`);
    }
    this.capacity = pageCount * PAGE_SIZE;
  }

  /** perf_event_output of a raw sample made of `parts` (data, then appended packet bytes): 0 or -ENOSPC. */
  write(parts: readonly Uint8Array[]): number {
    let n = 0;
    for (const p of parts) n += p.length;
    const raw = Math.ceil((n + 4) / 8) * 8 - 4;
    const need = HEADER + 4 + raw + (this.pendingLost > 0 ? LOST_RECORD : 0);
    // CIRC_SPACE: a ring of N bytes holds at most N - 1
    if (this.used + need >= this.capacity) {
      this.pendingLost++;
      this.totalLost++;
      return -ENOSPC;
    }
    if (this.pendingLost > 0) {
      this.queue.push({ type: 'lost', cpu: this.cpu, lost: this.pendingLost });
      this.pendingLost = 0;
    }
    const data = new Uint8Array(raw);
    let o = 0;
    for (const p of parts) {
      data.set(p, o);
      o += p.length;
    }
    this.queue.push({ type: 'sample', cpu: this.cpu, data });
    this.used += need;
    return 0;
  }

  /** Read everything written so far (frees the ring). */
  drain(): PerfEvent[] {
    const out = this.queue;
    this.queue = [];
    this.used = 0;
    return out;
  }

  /** Samples lost since creation. */
  get lost(): number {
    return this.totalLost;
  }
}

/** PERF_EVENT_ARRAY. */
export class PerfEventArrayMap extends FdArrayMap<PerfEventBuffer> {
  readonly progOps = OPS;
  /** No map_fd_sys_lookup_elem: user-space lookups fail with ENOTSUPP. */
  protected readonly sysIdSupported = false;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
  }

  /** Install `buf` at `index` directly (what perf_buffer__new does through fds); 0 or -E2BIG. */
  attach(index: number, buf: PerfEventBuffer): number {
    this.checkLive();
    if (!(index >= 0 && index < this.maxEntries)) return -E2BIG;
    this.replace(index, buf);
    return 0;
  }

  /** Remove the event at `index`; 0, -E2BIG or -ENOENT. */
  detach(index: number): number {
    this.checkLive();
    if (!(index >= 0 && index < this.maxEntries)) return -E2BIG;
    return this.replace(index, undefined) ? 0 : -ENOENT;
  }

  /**
   * bpf_perf_event_output from a program running on `cpu`: `len` bytes of `src` at `soff`, then, for
   * the skb/xdp flavours (`ctx` given), the first `flagsHi & 0xfffff` bytes of the packet.
   * `flagsLo`/`flagsHi` are the low and high 32 bits of the flags argument. Returns 0, -EINVAL (flag
   * bits outside the index and ctx-length fields), -EFAULT (more packet bytes than the packet has),
   * -E2BIG (index >= max_entries), -ENOENT (no event there), -EOPNOTSUPP (the event belongs to
   * another CPU) or -ENOSPC (the ring is full; the sample is counted as lost).
   */
  output(src: Uint8Array, soff: number, len: number, flagsLo: number, flagsHi: number, cpu: number, ctx: Uint8Array | null = null): number {
    let ctxLen = 0;
    if (ctx === null) {
      if (flagsHi !== 0) return -EINVAL;
    } else {
      if ((flagsHi >>> 0) & ~BPF_F_CTXLEN_MASK_HI) return -EINVAL;
      ctxLen = flagsHi & BPF_F_CTXLEN_MASK_HI;
      if (ctxLen > ctx.length) return -EFAULT;
    }
    let index = flagsLo >>> 0;
    if (index === BPF_F_CURRENT_CPU) index = cpu;
    if (index >= this.maxEntries) return -E2BIG;
    const buf = this.slots.get(index);
    if (buf === undefined) return -ENOENT;
    if (buf.cpu !== cpu) return -EOPNOTSUPP;
    const parts = [src.subarray(soff, soff + len)];
    if (ctxLen > 0) parts.push(ctx!.subarray(0, ctxLen));
    return buf.write(parts);
  }

  /** perf_event_fd_array_get_ptr: the fd must be a perf event (EBADF otherwise). */
  protected getPtr(fd: number): PerfEventBuffer | number {
    const obj = this.env.resolveFd?.(fd);
    if (!(obj instanceof PerfEventBuffer)) return -EBADF;
    return obj;
  }

  protected putPtr(_buf: PerfEventBuffer): void {}

  protected sysId(_buf: PerfEventBuffer): number | null {
    return null;
  }
}

/**
 * A perf_buffer: one {@link PerfEventBuffer} per CPU (CPUs 0 .. min(nrCpus, max_entries) - 1), each
 * installed at the index of its CPU.
 */
export class PerfReader {
  readonly buffers: readonly PerfEventBuffer[];
  private closed = false;

  constructor(
    readonly map: PerfEventArrayMap,
    pageCount = 8,
  ) {
    const n = Math.min(map.nrCpus, map.maxEntries);
    const bufs: PerfEventBuffer[] = [];
    for (let cpu = 0; cpu < n; cpu++) {
      const b = new PerfEventBuffer(cpu, pageCount);
      map.attach(cpu, b);
      bufs.push(b);
    }
    this.buffers = bufs;
  }

  /** Everything written since the last poll, CPU by CPU (perf_buffer__consume). */
  poll(): PerfEvent[] {
    const out: PerfEvent[] = [];
    for (const b of this.buffers) out.push(...b.drain());
    return out;
  }

  /** Like poll, with libbpf-style callbacks; returns the number of samples. */
  consume(onSample: (cpu: number, data: Uint8Array) => void, onLost?: (cpu: number, lost: number) => void): number {
    let n = 0;
    for (const e of this.poll()) {
      if (e.type === 'sample') {
        onSample(e.cpu, e.data);
        n++;
      } else onLost?.(e.cpu, e.lost);
    }
    return n;
  }

  /** Remove this reader's events from the map (perf_buffer__free). */
  close(): void {
    if (this.closed || this.map.freed) return;
    this.closed = true;
    for (const b of this.buffers) if (this.map.at(b.cpu) === b) this.map.detach(b.cpu);
  }
}
