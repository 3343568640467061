/**
 * Decoder for raw BTF blobs (the `.BTF` ELF section, `/sys/kernel/btf/vmlinux`, or a module's
 * split BTF on top of a base). Binary-level checks happen here (header, bounds, info bits,
 * kind numbers, vlen sizes, INT data mask, kind_flag only where a kind defines it, string
 * offsets); model-level checks are in validate.ts and run when the {@link Btf} is built.
 *
 * Kind-specific data after the 12-byte `btf_type` (all u32 unless noted):
 * ```
 * INT        int_data (encoding<<24 | offset<<16 | bits)
 * ARRAY      type, index_type, nelems
 * STRUCT/UNION vlen x {name_off, type, offset}     kflag: offset = bitfield_size<<24 | bit_offset
 * ENUM       vlen x {name_off, val:s32}            kflag: signed
 * ENUM64     vlen x {name_off, val_lo32, val_hi32} kflag: signed
 * FUNC_PROTO vlen x {name_off, type}
 * VAR        linkage
 * DATASEC    vlen x {type, offset, size}
 * DECL_TAG   component_idx:s32
 * FWD        (none; kflag: union)   FUNC (none; vlen = linkage)   FLOAT (none; size)
 * PTR TYPEDEF VOLATILE CONST RESTRICT TYPE_TAG (none; size_or_type = type)
 * ```
 */
import { viewOf } from '../util/bytes.js';
import { Btf } from './btf.js';
import { BtfError } from './errors.js';
import {
  BTF_FUNC_LINKAGE,
  BTF_HEADER_SIZE,
  BTF_INT,
  BTF_INT_MASK,
  BTF_KIND,
  BTF_MAGIC,
  BTF_MAX_NAME_OFFSET,
  BTF_RECORD_SIZES as R,
  BTF_TYPE_SIZE,
  BTF_VAR_LINKAGE,
  BTF_VERSION,
  btfKindName,
} from './kinds.js';
import { BtfStrings } from './strings.js';
import type { BtfEnum64Value, BtfEnumValue, BtfMember, BtfParam, BtfPtr, BtfRef, BtfType, BtfVarSecinfo } from './types.js';

/** Kinds whose vlen must be 0 (index = kind number). */
const VLEN_ZERO = new Uint8Array([0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0]);
/** Kinds that define kind_flag: STRUCT, UNION, ENUM, FWD, DECL_TAG, TYPE_TAG, ENUM64. */
const KFLAG_OK = new Uint8Array([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);

/** Bytes of kind-specific data after the btf_type record. */
function kindDataSize(kind: number, vlen: number): number {
  switch (kind) {
    case BTF_KIND.INT:
      return R.INT;
    case BTF_KIND.ARRAY:
      return R.ARRAY;
    case BTF_KIND.STRUCT:
    case BTF_KIND.UNION:
      return vlen * R.MEMBER;
    case BTF_KIND.ENUM:
      return vlen * R.ENUM;
    case BTF_KIND.ENUM64:
      return vlen * R.ENUM64;
    case BTF_KIND.FUNC_PROTO:
      return vlen * R.PARAM;
    case BTF_KIND.VAR:
      return R.VAR;
    case BTF_KIND.DATASEC:
      return vlen * R.VAR_SECINFO;
    case BTF_KIND.DECL_TAG:
      return R.DECL_TAG;
    default:
      return 0;
  }
}

/** A name from the string section; errors name the type, kind and field. */
function str(strings: BtfStrings, off: number, id: number, kind: string, what: string, index?: number): string {
  if (off === 0) return '';
  if (strings.has(off)) return strings.at(off);
  const field = index === undefined ? what : `${what} ${index}`;
  throw new BtfError('BTF_BAD_STRING', `type [${id}] ${kind}: ${field}: string offset ${off} outside string section (${strings.length} bytes)`);
}

function typeError(id: number, kind: string, msg: string): BtfError {
  return new BtfError('BTF_BAD_TYPE', `type [${id}] ${kind}: ${msg}`);
}

/** Options for {@link parseBtf}. */
export interface ParseBtfOptions {
  /** Expected byte order; when given, the magic must be in this order. Detected otherwise. */
  readonly littleEndian?: boolean;
  /** Base BTF when parsing split BTF (type ids and string offsets continue after it). */
  readonly base?: Btf;
}

/** The decoded `btf_header`. */
export interface BtfHeader {
  readonly littleEndian: boolean;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

/** Detect the byte order from the magic: true = little-endian; throws BTF_BAD_MAGIC. */
export function btfEndianness(bytes: Uint8Array): boolean {
  if (bytes.length < 2) throw new BtfError('BTF_TRUNCATED', `blob of ${bytes.length} bytes has no magic`);
  if (bytes[0] === (BTF_MAGIC & 0xff) && bytes[1] === BTF_MAGIC >> 8) return true;
  if (bytes[0] === BTF_MAGIC >> 8 && bytes[1] === (BTF_MAGIC & 0xff)) return false;
  throw new BtfError('BTF_BAD_MAGIC', `bad magic 0x${(bytes[0]! | (bytes[1]! << 8)).toString(16)}`);
}

/** Decode and check the header (sections inside the blob, aligned, not overlapping). */
export function parseBtfHeader(bytes: Uint8Array, littleEndian?: boolean): BtfHeader {
  const le = btfEndianness(bytes);
  if (littleEndian !== undefined && le !== littleEndian) {
    throw new BtfError('BTF_BAD_MAGIC', `magic is ${le ? 'little' : 'big'}-endian, expected ${littleEndian ? 'little' : 'big'}-endian`);
  }
  if (bytes.length < BTF_HEADER_SIZE) throw new BtfError('BTF_TRUNCATED', `blob of ${bytes.length} bytes is shorter than the header (24)`);
  const v = viewOf(bytes);
  const version = v.getUint8(2);
  const flags = v.getUint8(3);
  const hdrLen = v.getUint32(4, le);
  if (version !== BTF_VERSION) throw new BtfError('BTF_BAD_HEADER', `unsupported version ${version}`);
  if (flags !== 0) throw new BtfError('BTF_BAD_HEADER', `unsupported flags 0x${flags.toString(16)}`);
  if (hdrLen < BTF_HEADER_SIZE) throw new BtfError('BTF_BAD_HEADER', `hdr_len ${hdrLen} is smaller than 24`);
  if (hdrLen > bytes.length) throw new BtfError('BTF_TRUNCATED', `hdr_len ${hdrLen} beyond end of blob (${bytes.length} bytes)`);
  // Kernel btf_parse_hdr: a longer header is accepted only if the unknown tail is zero.
  for (let i = BTF_HEADER_SIZE; i < hdrLen; i++) {
    if (bytes[i] !== 0) throw new BtfError('BTF_BAD_HEADER', `unknown non-zero header byte at ${i} (hdr_len ${hdrLen})`);
  }
  const typeOff = v.getUint32(8, le);
  const typeLen = v.getUint32(12, le);
  const strOff = v.getUint32(16, le);
  const strLen = v.getUint32(20, le);
  const data = bytes.length - hdrLen;
  if (typeOff % 4 !== 0) throw new BtfError('BTF_BAD_HEADER', `type_off ${typeOff} is not 4-byte aligned`);
  if (typeLen % 4 !== 0) throw new BtfError('BTF_BAD_HEADER', `type_len ${typeLen} is not a multiple of 4`);
  if (typeOff > data || typeLen > data - typeOff) {
    throw new BtfError('BTF_TRUNCATED', `type section [${typeOff}, +${typeLen}) beyond end of data (${data} bytes)`);
  }
  if (strOff > data || strLen > data - strOff) {
    throw new BtfError('BTF_TRUNCATED', `string section [${strOff}, +${strLen}) beyond end of data (${data} bytes)`);
  }
  if (strLen > BTF_MAX_NAME_OFFSET + 1) throw new BtfError('BTF_BAD_HEADER', `str_len ${strLen} exceeds the name offset range`);
  if (typeLen > 0 && strLen > 0 && typeOff < strOff + strLen && strOff < typeOff + typeLen) {
    throw new BtfError('BTF_BAD_HEADER', `type section [${typeOff}, +${typeLen}) overlaps string section [${strOff}, +${strLen})`);
  }
  return { littleEndian: le, version, flags, hdrLen, typeOff, typeLen, strOff, strLen };
}

/**
 * Parse a BTF blob into a validated {@link Btf}. Throws {@link BtfError} for malformed
 * input; never a RangeError/TypeError, never unbounded recursion.
 */
export function parseBtf(bytes: Uint8Array, opts: ParseBtfOptions = {}): Btf {
  const h = parseBtfHeader(bytes, opts.littleEndian);
  const le = h.littleEndian;
  const base = opts.base;
  const strings = new BtfStrings(bytes.subarray(h.hdrLen + h.strOff, h.hdrLen + h.strOff + h.strLen), base?.strings);
  const tbytes = bytes.subarray(h.hdrLen + h.typeOff, h.hdrLen + h.typeOff + h.typeLen);
  const v = viewOf(tbytes);
  const end = tbytes.length;
  const startId = base === undefined ? 1 : base.typeCount;
  const types: BtfType[] = [];

  let p = 0;
  while (p < end) {
    const id = startId + types.length;
    if (end - p < BTF_TYPE_SIZE) throw new BtfError('BTF_TRUNCATED', `type [${id}]: header at type offset ${p} truncated`);
    const nameOff = v.getUint32(p, le);
    const info = v.getUint32(p + 4, le);
    const sizeOrType = v.getUint32(p + 8, le);
    p += BTF_TYPE_SIZE;
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const kn = btfKindName(kind);
    if ((info & 0x60ff0000) !== 0) throw typeError(id, kn, `unknown bits set in info 0x${info.toString(16)}`);
    if (kind === BTF_KIND.UNKN || kind > BTF_KIND.ENUM64) throw new BtfError('BTF_BAD_TYPE', `type [${id}]: invalid kind ${kind}`);
    const name = nameOff === 0 ? '' : str(strings, nameOff, id, kn, 'name');
    if (VLEN_ZERO[kind] === 1 && vlen !== 0) throw typeError(id, kn, `vlen ${vlen} must be 0`);
    if (KFLAG_OK[kind] !== 1 && kflag) throw typeError(id, kn, 'kind_flag not allowed');
    const extra = kindDataSize(kind, vlen);
    if (end - p < extra) throw new BtfError('BTF_TRUNCATED', `type [${id}] ${kn}: ${extra} bytes of kind data beyond the type section`);
    switch (kind) {
      case BTF_KIND.INT: {
        const d = v.getUint32(p, le);
        p += R.INT;
        if ((d & ~BTF_INT_MASK) !== 0) throw typeError(id, kn, `invalid int data 0x${d.toString(16)}`);
        const enc = (d >>> 24) & 0xf;
        if ((enc & ~(BTF_INT.SIGNED | BTF_INT.CHAR | BTF_INT.BOOL)) !== 0) throw typeError(id, kn, `unknown int encoding ${enc}`);
        types.push({
          kind: 'INT', id, name, size: sizeOrType, bits: d & 0xff, offset: (d >>> 16) & 0xff,
          signed: (enc & BTF_INT.SIGNED) !== 0, char: (enc & BTF_INT.CHAR) !== 0, bool: (enc & BTF_INT.BOOL) !== 0,
        });
        break;
      }
      case BTF_KIND.PTR:
      case BTF_KIND.TYPEDEF:
      case BTF_KIND.VOLATILE:
      case BTF_KIND.CONST:
      case BTF_KIND.RESTRICT:
        types.push({ kind: kn, id, name, type: sizeOrType } as BtfPtr | BtfRef);
        break;
      case BTF_KIND.TYPE_TAG:
        types.push({ kind: 'TYPE_TAG', id, name, type: sizeOrType, kflag });
        break;
      case BTF_KIND.ARRAY: {
        if (sizeOrType !== 0) throw typeError(id, kn, `size ${sizeOrType} must be 0`);
        types.push({ kind: 'ARRAY', id, name, type: v.getUint32(p, le), indexType: v.getUint32(p + 4, le), nelems: v.getUint32(p + 8, le) });
        p += R.ARRAY;
        break;
      }
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION: {
        const members: BtfMember[] = new Array<BtfMember>(vlen);
        for (let i = 0; i < vlen; i++, p += R.MEMBER) {
          const off = v.getUint32(p + 8, le);
          members[i] = {
            name: str(strings, v.getUint32(p, le), id, kn, 'member', i),
            type: v.getUint32(p + 4, le),
            bitOffset: kflag ? off & 0xffffff : off,
            bitfieldSize: kflag ? off >>> 24 : 0,
          };
        }
        types.push({ kind: kind === BTF_KIND.STRUCT ? 'STRUCT' : 'UNION', id, name, size: sizeOrType, kflag, members });
        break;
      }
      case BTF_KIND.ENUM: {
        const values: BtfEnumValue[] = new Array<BtfEnumValue>(vlen);
        for (let i = 0; i < vlen; i++, p += R.ENUM) {
          values[i] = { name: str(strings, v.getUint32(p, le), id, kn, 'enumerator', i), value: kflag ? v.getInt32(p + 4, le) : v.getUint32(p + 4, le) };
        }
        types.push({ kind: 'ENUM', id, name, size: sizeOrType, signed: kflag, values });
        break;
      }
      case BTF_KIND.ENUM64: {
        const values: BtfEnum64Value[] = new Array<BtfEnum64Value>(vlen);
        for (let i = 0; i < vlen; i++, p += R.ENUM64) {
          values[i] = { name: str(strings, v.getUint32(p, le), id, kn, 'enumerator', i), lo: v.getUint32(p + 4, le), hi: v.getUint32(p + 8, le) };
        }
        types.push({ kind: 'ENUM64', id, name, size: sizeOrType, signed: kflag, values });
        break;
      }
      case BTF_KIND.FWD:
        types.push({ kind: 'FWD', id, name, union: kflag });
        break;
      case BTF_KIND.FUNC: {
        const linkage = BTF_FUNC_LINKAGE[vlen];
        if (linkage === undefined) throw typeError(id, kn, `invalid linkage ${vlen}`);
        types.push({ kind: 'FUNC', id, name, type: sizeOrType, linkage });
        break;
      }
      case BTF_KIND.FUNC_PROTO: {
        const params: BtfParam[] = new Array<BtfParam>(vlen);
        for (let i = 0; i < vlen; i++, p += R.PARAM) {
          params[i] = { name: str(strings, v.getUint32(p, le), id, kn, 'param', i), type: v.getUint32(p + 4, le) };
        }
        types.push({ kind: 'FUNC_PROTO', id, name, returnType: sizeOrType, params });
        break;
      }
      case BTF_KIND.VAR: {
        const l = v.getUint32(p, le);
        p += R.VAR;
        const linkage = BTF_VAR_LINKAGE[l];
        if (linkage === undefined) throw typeError(id, kn, `invalid linkage ${l}`);
        types.push({ kind: 'VAR', id, name, type: sizeOrType, linkage });
        break;
      }
      case BTF_KIND.DATASEC: {
        const vars: BtfVarSecinfo[] = new Array<BtfVarSecinfo>(vlen);
        for (let i = 0; i < vlen; i++, p += R.VAR_SECINFO) {
          vars[i] = { type: v.getUint32(p, le), offset: v.getUint32(p + 4, le), size: v.getUint32(p + 8, le) };
        }
        types.push({ kind: 'DATASEC', id, name, size: sizeOrType, vars });
        break;
      }
      case BTF_KIND.FLOAT:
        types.push({ kind: 'FLOAT', id, name, size: sizeOrType });
        break;
      case BTF_KIND.DECL_TAG: {
        types.push({ kind: 'DECL_TAG', id, name, type: sizeOrType, componentIdx: v.getInt32(p, le), kflag });
        p += R.DECL_TAG;
        break;
      }
    }
  }
  return new Btf(types, strings, base === undefined ? { littleEndian: le } : { littleEndian: le, base });
}
