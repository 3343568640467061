/**
 * BPF_MAP_TYPE_RINGBUF (kernel/bpf/ringbuf.c): a multi-producer, single-consumer byte ring.
 * Programs reserve records and submit or discard them, or output a copy in one call; user space
 * consumes records in order (like libbpf's ring_buffer__consume).
 *
 * Positions only grow; the data offset of position p is p & (size - 1). A record is an 8-byte
 * header plus the data, padded to 8 bytes:
 *
 *   +----------------------------------------+-------------------+------------------+
 *   | len | BUSY (bit 31) | DISCARD (bit 30) | pg_off (u32)      | data, padding... |
 *   +----------------------------------------+-------------------+------------------+
 *
 * BUSY is set from reserve until submit/discard; the consumer stops at a busy record and skips
 * discarded ones. pg_off is the kernel's page offset of the header inside its `struct bpf_ringbuf`
 * vmap (3 meta pages, then the data: 3 + (offset >> 12)); consumers ignore it.
 *
 * The kernel maps the data pages twice so a record that wraps around the end stays contiguous. Here a
 * reserved record that wraps gets its own buffer, copied into the ring when it is committed.
 */
import { ERRNO } from '../util/errno.js';
import { PERM_RW, RegionKind } from '../vm/memory.js';
import { BpfMap, type ResolvedAttr } from './map.js';
import { isPow2 } from './storage.js';
import type { MapEnv, ProgOp } from './types.js';
import {
  BPF_F,
  BPF_RB_AVAIL_DATA,
  BPF_RB_CONS_POS,
  BPF_RB_FORCE_WAKEUP,
  BPF_RB_NO_WAKEUP,
  BPF_RB_PROD_POS,
  BPF_RB_RING_SIZE,
  BPF_RINGBUF_BUSY_BIT,
  BPF_RINGBUF_DISCARD_BIT,
  BPF_RINGBUF_HDR_SZ,
  PAGE_SIZE,
} from './uapi.js';
import { MAX_MAP_BYTES } from './array.js';

const { EINVAL, EAGAIN, ENOTSUPP, ENOMEM } = ERRNO;

const RINGBUF_CREATE_FLAG_MASK = BPF_F.NUMA_NODE;
/** RINGBUF_MAX_RECORD_SZ = UINT_MAX / 4. */
const MAX_RECORD = Math.floor(0xffffffff / 4);
/** Pages before the data in the kernel's vmap: the non-mmapable struct part, consumer page, producer page. */
const META_PAGES = 3;

const OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['ringbuf']);

/** ringbuf_map_alloc's checks: no key, no value, max_entries a power of 2 and a page multiple. */
export function ringbufAllocCheck(attr: ResolvedAttr): number {
  if (attr.flags & ~RINGBUF_CREATE_FLAG_MASK) return -EINVAL;
  if (attr.keySize !== 0 || attr.valueSize !== 0 || !isPow2(attr.maxEntries) || attr.maxEntries % PAGE_SIZE !== 0) return -EINVAL;
  return 0;
}

/** A reserved record: owner of its region until submit/discard. */
export class RingbufRecord {
  /** False once submitted or discarded. */
  live = true;
  /** The region programs write the data through (reserved memory reads as zero). */
  region = 0;

  constructor(
    readonly map: RingbufMap,
    /** Producer position of the header. */
    readonly pos: number,
    readonly size: number,
    /** Private buffer of a record that wraps around the ring end, else null. */
    readonly wrapBuf: Uint8Array | null,
  ) {}
}

/** A consumed record, as ring_buffer__consume hands it to its callback. */
export type RingbufSampleCallback = (data: Uint8Array) => number | void;

/** RINGBUF. */
export class RingbufMap extends BpfMap {
  readonly progOps = OPS;
  /** The data area (max_entries bytes). */
  readonly data: Uint8Array;
  private readonly dv: DataView;
  private readonly mask: number;
  private consumerPos = 0;
  private producerPos = 0;
  private pendingPos = 0;
  /** Wakeups the kernel would have sent to a waiting consumer (irq_work_queue calls). */
  wakeups = 0;
  private readonly records = new Set<RingbufRecord>();

  private constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    this.data = new Uint8Array(attr.maxEntries);
    this.dv = new DataView(this.data.buffer);
    this.mask = attr.maxEntries - 1;
  }

  /** ringbuf_map_alloc after the checks. */
  static create(attr: ResolvedAttr, env: MapEnv): RingbufMap | number {
    if (attr.maxEntries > MAX_MAP_BYTES) return -ENOMEM;
    return new RingbufMap(attr, env);
  }

  override get userValueSize(): number {
    return 0;
  }

  /** Ring size in bytes. */
  get size(): number {
    return this.mask + 1;
  }

  /** Consumer position (what user space has read up to). */
  get consumer(): number {
    return this.consumerPos;
  }

  /** Producer position (end of the last reserved record). */
  get producer(): number {
    return this.producerPos;
  }

  // ---- producer side (helpers) ----------------------------------------------------------------------

  /**
   * __bpf_ringbuf_reserve: room for `size` bytes, or null when the record is too large, the ring is
   * full, or the oldest uncommitted record would be overrun.
   */
  private reserveRecord(size: number): RingbufRecord | null {
    if (!(size >= 0 && size <= MAX_RECORD)) return null;
    const len = roundUp8(size + BPF_RINGBUF_HDR_SZ);
    if (len > this.size) return null;
    const cons = this.consumerPos;
    let pend = this.pendingPos;
    const prod = this.producerPos;
    const newProd = prod + len;
    // advance pending_pos over records committed since
    while (pend < prod) {
      const hdrLen = this.dv.getUint32(pend & this.mask, true);
      if (hdrLen & BPF_RINGBUF_BUSY_BIT) break;
      pend += roundUp8((hdrLen & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ);
    }
    this.pendingPos = pend;
    if (newProd - cons > this.mask || newProd - pend > this.mask) return null;
    const off = prod & this.mask;
    this.dv.setUint32(off, (size | BPF_RINGBUF_BUSY_BIT) >>> 0, true);
    this.dv.setUint32(off + 4, META_PAGES + Math.floor(off / PAGE_SIZE), true);
    this.producerPos = newProd;
    const doff = off + BPF_RINGBUF_HDR_SZ;
    const contiguous = doff + size <= this.size;
    const wrapBuf = contiguous ? null : new Uint8Array(size);
    const bytes = wrapBuf ?? this.data.subarray(doff, doff + size);
    if (contiguous) bytes.fill(0);
    const rec = new RingbufRecord(this, prod, size, wrapBuf);
    rec.region = this.mem.map(bytes, { kind: RegionKind.RINGBUF, perm: PERM_RW, label: `${this.name} record @${prod}`, owner: rec });
    this.records.add(rec);
    return rec;
  }

  /** bpf_ringbuf_reserve: the record's region id, or 0 (NULL); any flag gives NULL. */
  reserve(size: number, flags: number): number {
    if (flags !== 0) return 0;
    return this.reserveRecord(size)?.region ?? 0;
  }

  /** bpf_ringbuf_submit / bpf_ringbuf_discard: commit a reserved record (flags pick the wakeup). */
  commit(rec: RingbufRecord, flags: number, discard: boolean): void {
    if (!rec.live || rec.map !== this) return;
    rec.live = false;
    this.records.delete(rec);
    const off = rec.pos & this.mask;
    if (rec.wrapBuf !== null) {
      const doff = off + BPF_RINGBUF_HDR_SZ;
      const first = this.size - doff;
      this.data.set(rec.wrapBuf.subarray(0, first), doff);
      this.data.set(rec.wrapBuf.subarray(first), 0);
    }
    let len = this.dv.getUint32(off, true) ^ BPF_RINGBUF_BUSY_BIT;
    if (discard) len |= BPF_RINGBUF_DISCARD_BIT;
    this.dv.setUint32(off, len >>> 0, true);
    // The record is the consumer's now: a pointer kept by the program faults (unmapped) from here on.
    this.mem.unmap(rec.region);
    // wake the consumer if it waits for exactly this record
    const consOff = this.consumerPos & this.mask;
    if (flags & BPF_RB_FORCE_WAKEUP) this.wakeups++;
    else if (consOff === off && !(flags & BPF_RB_NO_WAKEUP)) this.wakeups++;
  }

  /** bpf_ringbuf_output: reserve, copy `len` bytes of src, submit. 0, -EINVAL (flags) or -EAGAIN (no room). */
  output(src: Uint8Array, soff: number, len: number, flags: number): number {
    if (!(flags >= 0 && flags <= 0xffffffff) || flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) return -EINVAL;
    const rec = this.reserveRecord(len);
    if (rec === null) return -EAGAIN;
    const dst = this.mem.bytes(rec.region);
    dst.set(src.subarray(soff, soff + len));
    this.commit(rec, flags, false);
    return 0;
  }

  /** bpf_ringbuf_query: available bytes, ring size, consumer or producer position; 0 for other flags. */
  query(flags: number): number {
    switch (flags) {
      case BPF_RB_AVAIL_DATA:
        return this.producerPos - this.consumerPos;
      case BPF_RB_RING_SIZE:
        return this.size;
      case BPF_RB_CONS_POS:
        return this.consumerPos;
      case BPF_RB_PROD_POS:
        return this.producerPos;
      default:
        return 0;
    }
  }

  /** The live reservation behind a region id (for submit/discard helpers), or null. */
  recordAt(regionId: number): RingbufRecord | null {
    const o = this.mem.ownerOf(regionId);
    return o instanceof RingbufRecord && o.map === this && o.live ? o : null;
  }

  /** Records reserved and not yet committed (a program must commit them before it exits). */
  get outstanding(): number {
    return this.records.size;
  }

  // ---- consumer side (user space) -------------------------------------------------------------------

  /**
   * ring_buffer__consume: hand committed records to `cb` in order, skipping discarded ones, stopping
   * at a busy (reserved, uncommitted) record. A negative return from `cb` stops consumption after
   * that record and is returned. Returns the number of records handed out.
   */
  consume(cb: RingbufSampleCallback = () => 0, max = Infinity): number {
    this.checkLive();
    let cnt = 0;
    let cons = this.consumerPos;
    while (cons < this.producerPos) {
      const off = cons & this.mask;
      const len = this.dv.getUint32(off, true);
      if (len & BPF_RINGBUF_BUSY_BIT) break;
      cons += roundUp8((len & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ);
      if ((len & BPF_RINGBUF_DISCARD_BIT) === 0) {
        const r = cb(this.readData(off + BPF_RINGBUF_HDR_SZ, len));
        if (typeof r === 'number' && r < 0) {
          this.consumerPos = cons;
          return r;
        }
        cnt++;
      }
      this.consumerPos = cons;
      if (cnt >= max) break;
    }
    return cnt;
  }

  /** Consume everything committed and return the records' data (copies). */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.consume((d) => {
      out.push(d);
    });
    return out;
  }

  /** A copy of `len` data bytes starting at ring offset `off` (wrapping around the end). */
  private readData(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const start = off & this.mask;
    const first = Math.min(len, this.size - start);
    out.set(this.data.subarray(start, start + first));
    if (first < len) out.set(this.data.subarray(0, len - first), first);
    return out;
  }

  // ---- the map commands user space may not use ------------------------------------------------------

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

  /** A ring buffer has no keyed elements. */
  override *entries(): Generator<[Uint8Array, Uint8Array]> {
    this.checkLive();
  }

  protected onFree(): void {
    for (const r of this.records) {
      r.live = false;
      this.env.retire(r.region);
    }
    this.records.clear();
  }
}

function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
