/**
 * Field-table contexts: the ctx structs of the cgroup, socket and netfilter program types
 * (bpf_sock, bpf_sock_addr, bpf_sock_ops, bpf_cgroup_dev_ctx, bpf_sysctl, bpf_sockopt,
 * bpf_sk_lookup, sk_msg_md, sk_reuseport_md, bpf_nf_ctx). Each is a list of fields with the rule
 * its type's is_valid_access applies; one table gives both the load-time verifier's answer
 * ({@link fieldAccess}) and the run-time region ({@link FieldCtxRegion}), so they cannot disagree.
 *
 * Rules (measured on Linux 6.18 by loading one program per offset, size and direction:
 * test/kernel/progtypes/vctx-golden.c, golden/vctx.json):
 *
 *   read      sizes a load may have, at offsets inside one element of the field
 *     narrow    1, 2, 4 (or 8) bytes naturally aligned inside the element (bpf_ctx_narrow_access_ok)
 *     wide16    as narrow without 1-byte loads (sk_reuseport_md.eth_protocol)
 *     low       any power of two up to the element's size, at its first byte only
 *     exact     the element's size at its first byte
 *   u32       a 2-byte element that may also be loaded as 4 bytes at its start (__be16 ports)
 *   wide      an array of u32 that may also be loaded (and stored, if writable) as 8 bytes at
 *             8-aligned ctx offsets (user_ip6, msg_src_ip6)
 *   write     the element's size at its first byte
 *   ptr       an 8-byte pointer field, loaded whole; what it yields for the verifier
 *
 * Run time: the region serves loads and stores from a byte image of the uapi struct (values little
 * endian, as the program sees them after the kernel's ctx rewriting); pointer fields hold guest
 * pointers. A load or store the rules refuse faults (bad_ctx_access) where the kernel's verifier
 * would have refused the program at load.
 */
import type { CtxAccessResult } from '../../verifier/api.js';
import type { SpecialRegion } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import { mapCtx } from './common.js';

/** How a field may be loaded (see the table above). */
export type ReadRule = 'narrow' | 'wide16' | 'low' | 'exact';

/** What a pointer field yields. */
export type PtrKind = 'sock' | 'sock_or_null' | 'sock_common_or_null' | 'pkt' | 'pkt_end' | { readonly btf: string };

/** One field of a field-table ctx. */
export interface FieldDef {
  readonly name: string;
  readonly off: number;
  /** Element size in bytes (2, 4 or 8). */
  readonly size: number;
  /** Elements (arrays: remote_ip6[4]). */
  readonly count?: number;
  /** Load rule; absent: not readable. Pointer fields use `ptr` instead. */
  readonly read?: ReadRule;
  readonly u32?: boolean;
  readonly wide?: boolean;
  readonly write?: boolean;
  readonly ptr?: PtrKind;
}

/** A ctx struct as seen by one program type and attach type. */
export interface FieldCtx {
  /** The uapi struct name (`bpf_sock_addr`). */
  readonly name: string;
  readonly size: number;
  readonly fields: readonly FieldDef[];
  /** Field index by byte (-1: padding or invisible). */
  readonly byByte: Int16Array;
}

/** Build a field-table ctx (fields must not overlap). */
export function fieldCtx(name: string, size: number, fields: readonly FieldDef[]): FieldCtx {
  const byByte = new Int16Array(size).fill(-1);
  fields.forEach((f, i) => {
    const end = f.off + f.size * (f.count ?? 1);
    if (f.off < 0 || end > size) throw new RangeError(`${name}.${f.name} lies outside the ${size}-byte struct`);
    for (let b = f.off; b < end; b++) {
      if (byByte[b] !== -1) throw new RangeError(`${name}.${f.name} overlaps ${fields[byByte[b]!]!.name}`);
      byByte[b] = i;
    }
  });
  return { name, size, fields, byByte };
}

/** A field, with only the rules kept that `keep` allows (a type's view of a shared struct). */
export function restrict(f: FieldDef, o: { read?: boolean; write?: boolean }): FieldDef {
  const { read, write, ptr, ...rest } = f;
  return { ...rest, ...(o.read !== false && read !== undefined ? { read } : {}), ...(o.read !== false && ptr !== undefined ? { ptr } : {}), ...(o.write === true && write === true ? { write } : {}) };
}

const NO: CtxAccessResult = { ok: false };
const WRITE_OK: CtxAccessResult = { ok: true, type: 'scalar' };
const SCALAR: readonly CtxAccessResult[] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((w) => ({ ok: true, type: 'scalar', width: w === 8 ? 0 : w }) as const);

function pow2(size: number): boolean {
  return size === 1 || size === 2 || size === 4 || size === 8;
}

/** What the verifier sees of a pointer field: a socket, a packet pointer or a trusted BTF pointer. */
function ptrResult(p: PtrKind): CtxAccessResult {
  if (typeof p === 'object') return { ok: true, type: 'btf_id', btfName: p.btf, nullable: false };
  return { ok: true, type: p };
}

/** The field covering byte `off`, or undefined. */
function fieldAt(c: FieldCtx, off: number): FieldDef | undefined {
  if (!Number.isInteger(off) || off < 0 || off >= c.size) return undefined;
  const i = c.byByte[off]!;
  return i < 0 ? undefined : c.fields[i];
}

/** is_valid_access of a field-table ctx: refused, or what the load yields. */
export function fieldAccess(c: FieldCtx, off: number, size: number, write: boolean): CtxAccessResult {
  const f = fieldAt(c, off);
  if (f === undefined || !pow2(size)) return NO;
  const elem = f.off + Math.floor((off - f.off) / f.size) * f.size;
  const arrayEnd = f.off + f.size * (f.count ?? 1);
  const wide = f.wide === true && size === 8 && off % 8 === 0 && off + 8 <= arrayEnd;
  if (write) {
    if (f.write !== true) return NO;
    return (off === elem && size === f.size) || wide ? WRITE_OK : NO;
  }
  if (f.ptr !== undefined) return off === f.off && size === 8 ? ptrResult(f.ptr) : NO;
  if (f.read === undefined) return NO;
  if (wide) return SCALAR[8]!;
  if (f.u32 === true && size === 4 && off === elem) return SCALAR[4]!;
  if (off % size !== 0 || off + size > elem + f.size) return NO;
  switch (f.read) {
    case 'exact':
      return off === elem && size === f.size ? SCALAR[size]! : NO;
    case 'low':
      return off === elem ? SCALAR[size]! : NO;
    case 'wide16':
      return size >= 2 ? SCALAR[size]! : NO;
    case 'narrow':
      return SCALAR[size]!;
  }
}

/** Called after the program stores to a field (value as written, little endian). */
export type FieldWriteHook = (f: FieldDef, off: number, size: number) => void;

/**
 * The run-time ctx region of a field-table ctx over `bytes` (the struct's image). Loads and stores
 * the rules refuse return false (the machine faults bad_ctx_access).
 */
export class FieldCtxRegion implements SpecialRegion {
  private readonly dv: DataView;

  constructor(
    readonly ctx: FieldCtx,
    readonly bytes: Uint8Array,
    private readonly onWrite?: FieldWriteHook,
  ) {
    if (bytes.length < ctx.size) throw new RangeError(`${ctx.name} image has ${bytes.length} bytes, needs ${ctx.size}`);
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  load(off: number, size: number, out: Int32Array): boolean {
    if (!fieldAccess(this.ctx, off, size, false).ok) return false;
    const dv = this.dv;
    switch (size) {
      case 1:
        out[0] = dv.getUint8(off);
        out[1] = 0;
        break;
      case 2:
        out[0] = dv.getUint16(off, true);
        out[1] = 0;
        break;
      case 4:
        out[0] = dv.getInt32(off, true);
        out[1] = 0;
        break;
      default:
        out[0] = dv.getInt32(off, true);
        out[1] = dv.getInt32(off + 4, true);
    }
    return true;
  }

  store(off: number, size: number, lo: number, hi: number): boolean {
    if (!fieldAccess(this.ctx, off, size, true).ok) return false;
    const dv = this.dv;
    if (size === 8) {
      dv.setInt32(off, lo, true);
      dv.setInt32(off + 4, hi, true);
    } else if (size === 4) dv.setInt32(off, lo, true);
    else if (size === 2) dv.setUint16(off, lo & 0xffff, true);
    else dv.setUint8(off, lo & 0xff);
    this.onWrite?.(fieldAt(this.ctx, off)!, off, size);
    return true;
  }

  yieldsPointer(off: number): boolean {
    return fieldAt(this.ctx, off)?.ptr !== undefined;
  }
}

/** Little-endian field writes into a struct image (building a ctx before a run). */
export class StructImage {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;

  constructor(readonly ctx: FieldCtx) {
    this.bytes = new Uint8Array(ctx.size);
    this.dv = new DataView(this.bytes.buffer);
  }

  private field(name: string, index: number): FieldDef {
    const f = this.ctx.fields.find((x) => x.name === name);
    if (f === undefined || index < 0 || index >= (f.count ?? 1)) throw new RangeError(`${this.ctx.name} has no field ${name}[${index}]`);
    return f;
  }

  /** Set `name[index]` to `v` (an element of 2, 4 or 8 bytes). */
  set(name: string, v: number | bigint, index = 0): this {
    const f = this.field(name, index);
    const off = f.off + index * f.size;
    if (f.size === 8) this.dv.setBigUint64(off, BigInt.asUintN(64, BigInt(v)), true);
    else if (f.size === 4) this.dv.setUint32(off, Number(BigInt.asUintN(32, BigInt(v))), true);
    else this.dv.setUint16(off, Number(BigInt.asUintN(16, BigInt(v))), true);
    return this;
  }

  /** Copy raw bytes (addresses in network order) into `name` from its start. */
  setBytes(name: string, b: Uint8Array): this {
    const f = this.field(name, 0);
    if (b.length > f.size * (f.count ?? 1)) throw new RangeError(`${this.ctx.name}.${name} holds ${f.size * (f.count ?? 1)} bytes, got ${b.length}`);
    this.bytes.set(b, f.off);
    return this;
  }

  get(name: string, index = 0): number | bigint {
    const f = this.field(name, index);
    const off = f.off + index * f.size;
    return f.size === 8 ? this.dv.getBigUint64(off, true) : f.size === 4 ? this.dv.getUint32(off, true) : this.dv.getUint16(off, true);
  }
}

/** A field-table ctx mapped for a run: its guest pointer, the region id, the image it serves. */
export interface MappedFieldCtx {
  readonly ptr: bigint;
  readonly region: number;
  readonly image: Uint8Array;
}

/**
 * Map `image` as the ctx region of `ctx` (writes land in `image`); the caller retires the region.
 * `label` names it in faults.
 */
export function mapFieldCtx(k: Kernel, ctx: FieldCtx, image: Uint8Array, label: string, onWrite?: FieldWriteHook): MappedFieldCtx {
  const { ptr, region } = mapCtx(k, image, label, true, new FieldCtxRegion(ctx, image, onWrite));
  return { ptr, region, image };
}
