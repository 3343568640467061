/**
 * Dynptr helpers (kernel/bpf/helpers.c, kernel/bpf/ringbuf.c): bpf_dynptr_from_mem,
 * bpf_ringbuf_reserve_dynptr, bpf_ringbuf_submit_dynptr, bpf_ringbuf_discard_dynptr,
 * bpf_dynptr_read, bpf_dynptr_write and bpf_dynptr_data, with their verifier prototypes, and the
 * dynptr's memory layout shared with the dynptr kfuncs.
 *
 * A dynptr is the kernel's `struct bpf_dynptr_kern` in the program's 16 stack bytes: the data
 * pointer (8 bytes: the region id in the high half, as every emulated pointer), then a u32 of size
 * (bits 0-23), type (bits 28-30) and read-only flag (bit 31), then a u32 offset into the data. A
 * NULL dynptr is 16 zero bytes. Every access through a dynptr is checked against the run's
 * capabilities like a load or store (a forged dynptr faults, it never reaches foreign memory).
 *
 * A ringbuf dynptr's record stays reserved until submit or discard; a run that ends with one
 * outstanding faults at its end and the record is discarded, as for bpf_ringbuf_reserve.
 */
import { RingbufMap, RingbufRecord } from '../maps/ringbuf.js';
import { Fault } from '../vm/fault.js';
import type { Machine } from '../vm/machine.js';
import { flagsArg, mapArg, memArgOrZero } from './args.js';
import { SkbBuff, XdpBuff } from './packet.js';
import type { HelperHost } from './host.js';
import type { HelperDef, HelperProto } from './registry.js';

/** enum bpf_dynptr_type. */
export const DYNPTR = { INVALID: 0, LOCAL: 1, RINGBUF: 2, SKB: 3, XDP: 4 } as const;
/** DYNPTR_MAX_SIZE / DYNPTR_SIZE_MASK: 24 bits of size. */
export const DYNPTR_MAX_SIZE = 0xffffff;
const TYPE_SHIFT = 28;
const RDONLY_BIT = 0x80000000;
const E2BIG = 7;
const EFAULT = 14;
const EINVAL = 22;

/** A dynptr as read from the guest's memory. */
export interface Dynptr {
  /** The 16 bytes of the dynptr (writable view). */
  readonly raw: Uint8Array;
  /** Data pointer: region id and offset (0, 0 for a NULL dynptr). */
  readonly id: number;
  readonly off: number;
  readonly size: number;
  readonly type: number;
  readonly rdonly: boolean;
  /** The dynptr's own offset into the data (bpf_dynptr_adjust). */
  readonly start: number;
}

/** The dynptr `reg` points to (16 bytes the program may write), checked like a helper argument. */
export function dynptrArg(m: Machine, reg: number, helper: string): Dynptr {
  return dynptrAt(m, m.hi[reg]!, m.lo[reg]! >>> 0, `${helper} r${reg} (dynptr)`);
}

/** The dynptr at (region id, offset), 16 bytes the program may write (a kfunc's dynptr argument). */
export function dynptrAt(m: Machine, id: number, off: number, what: string): Dynptr {
  const raw = m.bytesAt(id, off, 16, true, what);
  const dv = new DataView(raw.buffer, raw.byteOffset, 16);
  const word = dv.getUint32(8, true);
  return {
    raw,
    off: dv.getUint32(0, true),
    id: dv.getInt32(4, true),
    size: word & DYNPTR_MAX_SIZE,
    type: (word >>> TYPE_SHIFT) & 7,
    rdonly: (word & RDONLY_BIT) !== 0,
    start: dv.getUint32(12, true),
  };
}

/** bpf_dynptr_init: write a dynptr of `type` over `size` bytes at (id, off). */
export function dynptrInit(raw: Uint8Array, id: number, off: number, type: number, size: number, start = 0, rdonly = false): void {
  const dv = new DataView(raw.buffer, raw.byteOffset, 16);
  dv.setUint32(0, off >>> 0, true);
  dv.setInt32(4, id | 0, true);
  dv.setUint32(8, ((size & DYNPTR_MAX_SIZE) | (type << TYPE_SHIFT) | (rdonly ? RDONLY_BIT : 0)) >>> 0, true);
  dv.setUint32(12, start >>> 0, true);
}

/** bpf_dynptr_set_null. */
export function dynptrSetNull(raw: Uint8Array): void {
  raw.fill(0);
}

/** Whether the dynptr is NULL (its data pointer is). */
export function dynptrIsNull(d: Dynptr): boolean {
  return d.id === 0 && d.off === 0;
}

/** bpf_dynptr_check_off_len: 0 or -E2BIG. */
export function dynptrCheckOffLen(d: Dynptr, offset: number, len: number): number {
  if (offset > d.size || len > d.size - offset) return -E2BIG;
  return 0;
}

/**
 * The bytes [offset, offset + len) of a local or ringbuf dynptr's data, checked against the run's
 * capabilities (a forged dynptr faults here).
 */
export function dynptrBytes(m: Machine, d: Dynptr, offset: number, len: number, write: boolean, helper: string): Uint8Array {
  return m.bytesAt(d.id, d.off + d.start + offset, len, write, `${helper}: dynptr data`);
}

/**
 * The run's packet behind an skb or xdp dynptr (its data pointer names the program's ctx region,
 * as the kernel's names the sk_buff / xdp_buff); a dynptr of another run or a forged one faults.
 */
export function dynptrPacket(m: Machine, d: Dynptr, what: string): SkbBuff | XdpBuff {
  const c = m.context;
  if (d.type === DYNPTR.SKB && c instanceof SkbBuff && c.ctxRegion === d.id) return c;
  if (d.type === DYNPTR.XDP && c instanceof XdpBuff && c.ctxRegion === d.id) return c;
  throw m.fail('helper', `${what}: not a dynptr of this run's packet`);
}

/**
 * __bpf_skb_load_bytes / __bpf_xdp_load_bytes and their store twins for an skb or xdp dynptr:
 * copy between `buf` and the packet at the dynptr's offset + `offset`; 0 or -errno.
 */
export function dynptrPacketCopy(m: Machine, d: Dynptr, offset: number, buf: Uint8Array, write: boolean, what: string): number {
  const p = dynptrPacket(m, d, what);
  const off = d.start + offset;
  if (p instanceof SkbBuff) {
    if (off > 0x7fffffff || off + buf.length > p.buf.len) return -EFAULT;
    const at = p.buf.data + off;
    if (write) p.buf.frame.set(buf, at);
    else buf.set(p.buf.frame.subarray(at, at + buf.length));
    return 0;
  }
  if (off + buf.length > p.buffLen) return -EINVAL;
  p.copy(off, buf, write);
  return 0;
}

/** runState key: ringbuf records reserved through a dynptr and not yet released, with the reserving pc. */
const RESERVED = Symbol('ringbuf dynptr reservations');

function reservations(m: Machine): Map<RingbufRecord, number> {
  let r = m.runState.get(RESERVED) as Map<RingbufRecord, number> | undefined;
  if (r === undefined) m.runState.set(RESERVED, (r = new Map()));
  return r;
}

function fromMem(m: Machine): void {
  const H = 'bpf_dynptr_from_mem';
  const d = dynptrArg(m, 4, H);
  const size = m.argU32(2);
  const flags = flagsArg(m, 3);
  if (size > DYNPTR_MAX_SIZE) {
    dynptrSetNull(d.raw);
    m.setR0Num(-E2BIG);
    return;
  }
  if (flags !== 0) {
    dynptrSetNull(d.raw);
    m.setR0Num(-EINVAL);
    return;
  }
  const off = memArgOrZero(m, 1, size, false, H, 'data');
  dynptrInit(d.raw, m.hi[1]!, off, DYNPTR.LOCAL, size);
  m.setR0Num(0);
}

function reserveDynptr(m: Machine): void {
  const H = 'bpf_ringbuf_reserve_dynptr';
  const map = mapArg(m, 1, H, 'ringbuf');
  if (!(map instanceof RingbufMap)) throw m.fail('helper', `${H} r1: map '${map.name || map.id}' is not a ring buffer`);
  const d = dynptrArg(m, 4, H);
  const size = m.argU32(2);
  const flags = flagsArg(m, 3);
  let err = 0;
  if (size > DYNPTR_MAX_SIZE) err = -E2BIG;
  else if (flags !== 0) err = -EINVAL;
  else {
    const region = map.reserve(size, 0);
    const rec = region > 0 ? map.recordAt(region) : null;
    // a reservation that does not fit is -EINVAL (as 6.18 answers; recorded in syscall_dynptr)
    if (rec === null) err = -EINVAL;
    else {
      reservations(m).set(rec, m.pc);
      m.grant(region);
      dynptrInit(d.raw, region, 0, DYNPTR.RINGBUF, size);
    }
  }
  if (err !== 0) dynptrSetNull(d.raw);
  m.setR0Num(err);
}

function commitDynptr(discard: boolean): (m: Machine) => void {
  const H = discard ? 'bpf_ringbuf_discard_dynptr' : 'bpf_ringbuf_submit_dynptr';
  return (m) => {
    const d = dynptrArg(m, 1, H);
    if (dynptrIsNull(d)) return;
    const owner = m.mem.isMapped(d.id) ? m.mem.ownerOf(d.id) : undefined;
    if (!(owner instanceof RingbufRecord) || !owner.live || d.type !== DYNPTR.RINGBUF || d.off !== 0) {
      throw m.fail('helper', `${H} r1 (dynptr): not a ringbuf dynptr whose record is still reserved`);
    }
    m.bytesAt(d.id, 0, 0, false, `${H} r1 (dynptr)`);
    owner.map.commit(owner, m.lo[2]! >>> 0, discard);
    reservations(m).delete(owner);
    dynptrSetNull(d.raw);
  };
}

function read(m: Machine): void {
  const H = 'bpf_dynptr_read';
  const len = m.argU32(2);
  const d = dynptrArg(m, 3, H);
  const offset = m.argU32(4);
  const dstOff = memArgOrZero(m, 1, len, true, H, 'dst');
  if (dynptrIsNull(d) || m.hi[5] !== 0 || m.lo[5] !== 0) return m.setR0Num(-EINVAL);
  const err = dynptrCheckOffLen(d, offset, len);
  if (err !== 0) return m.setR0Num(err);
  if (d.type === DYNPTR.SKB || d.type === DYNPTR.XDP) {
    const tmp = new Uint8Array(len);
    const r = dynptrPacketCopy(m, d, offset, tmp, false, H);
    if (r === 0) m.mem.bytes(m.hi[1]!).set(tmp, dstOff);
    return m.setR0Num(r);
  }
  if (d.type !== DYNPTR.LOCAL && d.type !== DYNPTR.RINGBUF) return m.setR0Num(-EINVAL);
  if (len > 0) m.mem.bytes(m.hi[1]!).set(dynptrBytes(m, d, offset, len, false, H).slice(), dstOff);
  m.setR0Num(0);
}

function write(m: Machine): void {
  const H = 'bpf_dynptr_write';
  const d = dynptrArg(m, 1, H);
  const offset = m.argU32(2);
  const len = m.argU32(4);
  const srcOff = memArgOrZero(m, 3, len, false, H, 'src');
  if (dynptrIsNull(d) || d.rdonly) return m.setR0Num(-EINVAL);
  const err = dynptrCheckOffLen(d, offset, len);
  if (err !== 0) return m.setR0Num(err);
  const src = m.mem.bytes(m.hi[3]!).slice(srcOff, srcOff + len);
  if (d.type === DYNPTR.SKB) {
    // __bpf_skb_store_bytes: BPF_F_RECOMPUTE_CSUM (1) and BPF_F_INVALIDATE_HASH (2) only
    const flags = flagsArg(m, 5);
    if (flags < 0 || (flags & ~3) !== 0) return m.setR0Num(-EINVAL);
    const r = dynptrPacketCopy(m, d, offset, src, true, H);
    if (r === 0 && (flags & 2) !== 0) (dynptrPacket(m, d, H) as SkbBuff).hash = 0;
    return m.setR0Num(r);
  }
  if (d.type === DYNPTR.XDP) {
    if (m.hi[5] !== 0 || m.lo[5] !== 0) return m.setR0Num(-EINVAL);
    return m.setR0Num(dynptrPacketCopy(m, d, offset, src, true, H));
  }
  if (d.type !== DYNPTR.LOCAL && d.type !== DYNPTR.RINGBUF) return m.setR0Num(-EINVAL);
  if (m.hi[5] !== 0 || m.lo[5] !== 0) return m.setR0Num(-EINVAL);
  if (len > 0) dynptrBytes(m, d, offset, len, true, H).set(src);
  m.setR0Num(0);
}

function data(m: Machine): void {
  const H = 'bpf_dynptr_data';
  const d = dynptrArg(m, 1, H);
  const offset = m.argU32(2);
  const len = m.argU32(3);
  if (dynptrIsNull(d) || dynptrCheckOffLen(d, offset, len) !== 0 || d.rdonly) return m.setR0(0, 0);
  if (d.type !== DYNPTR.LOCAL && d.type !== DYNPTR.RINGBUF) return m.setR0(0, 0);
  // the slice must lie in memory this run may use (a forged dynptr faults)
  dynptrBytes(m, d, offset, len, false, H);
  m.setR0(d.off + d.start + offset, d.id);
}

/** Fault a run that left ringbuf dynptr records reserved (the verifier's "Unreleased reference"), discarding them. */
export function dynptrRunEnd(m: Machine, fault: Fault | null): Fault | null {
  const r = m.runState.get(RESERVED) as Map<RingbufRecord, number> | undefined;
  if (r === undefined || r.size === 0) return fault;
  let first: [RingbufRecord, number] | undefined;
  for (const e of r) {
    first ??= e;
    if (e[0].live) e[0].map.commit(e[0], 0, true);
  }
  r.clear();
  if (fault !== null || first === undefined) return fault;
  return new Fault('invalid', first[1], `ringbuf dynptr reserved at pc ${first[1]} in '${first[0].map.name || first[0].map.id}' was neither submitted nor discarded before the program exited`, {
    program: m.prog?.name ?? '?',
  });
}

/** Register the end-of-run check. */
export function installDynptrChecks(host: HelperHost): void {
  host.onRunStateEnd(dynptrRunEnd);
}

/** Verifier prototypes (kernel/bpf/helpers.c, ringbuf.c). */
const FROM_MEM_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'mem', uninit: true }, { kind: 'size_or_zero' }, { kind: 'anything' }, { kind: 'dynptr', uninit: true, dynptrType: 'local' }] };
const RESERVE_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'map' }, { kind: 'anything' }, { kind: 'anything' }, { kind: 'dynptr', uninit: true, dynptrType: 'ringbuf' }] };
const COMMIT_PROTO: HelperProto = { ret: 'void', args: [{ kind: 'dynptr', dynptrType: 'ringbuf', release: true }, { kind: 'anything' }] };
const READ_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'mem', uninit: true }, { kind: 'size_or_zero' }, { kind: 'dynptr', rdonly: true }, { kind: 'anything' }, { kind: 'anything' }] };
const WRITE_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'dynptr', rdonly: true }, { kind: 'anything' }, { kind: 'mem', rdonly: true }, { kind: 'size_or_zero' }, { kind: 'anything' }] };
const DATA_PROTO: HelperProto = { ret: 'dynptr_mem_or_null', args: [{ kind: 'dynptr', rdonly: true }, { kind: 'anything' }, { kind: 'alloc_size' }] };

/** The dynptr family. */
export function dynptrHelpers(): HelperDef[] {
  const family = 'dynptr';
  return [
    { id: 197, name: 'dynptr_from_mem', fn: fromMem, proto: FROM_MEM_PROTO, family },
    { id: 198, name: 'ringbuf_reserve_dynptr', fn: reserveDynptr, proto: RESERVE_PROTO, family },
    { id: 199, name: 'ringbuf_submit_dynptr', fn: commitDynptr(false), proto: COMMIT_PROTO, family },
    { id: 200, name: 'ringbuf_discard_dynptr', fn: commitDynptr(true), proto: COMMIT_PROTO, family },
    { id: 201, name: 'dynptr_read', fn: read, proto: READ_PROTO, family },
    { id: 202, name: 'dynptr_write', fn: write, proto: WRITE_PROTO, family },
    { id: 203, name: 'dynptr_data', fn: data, proto: DATA_PROTO, family },
  ];
}
