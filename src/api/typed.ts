/**
 * Typed values from BTF: decode the bytes of a map key or value, or of a global variable, into
 * JavaScript values by their BTF type, and encode such values back with range checks. The typed
 * views of maps (`map.typed()`) and globals (`obj.globals`) are built on it.
 *
 * How C types map to JavaScript (by type, so a field always has the same JavaScript type):
 *   integers of 1, 2 or 4 bytes      number
 *   integers of 8 bytes (u64, s64)   bigint (a number is accepted on write)
 *   _Bool                            boolean
 *   char arrays                      string (up to the first NUL; written NUL-padded)
 *   enums                            the enumerator's name, or a number for an unnamed value
 *   float, double                    number
 *   pointers                         bigint (the raw value)
 *   arrays                           arrays of their element type
 *   structs and unions               objects by member name (anonymous members' fields inline)
 * Writing refuses what does not fit: an integer out of its type's range, a fraction, an unknown
 * enumerator or member, an array or string that is too long.
 */
import type { Btf } from '../btf/btf.js';
import type { BtfType } from '../btf/types.js';
import { ERRNO } from '../util/errno.js';
import { BpfError } from './errors.js';

/** A JavaScript value of a BTF type (see the table at the top of this file). */
export type TypedValue = number | bigint | boolean | string | null | TypedValue[] | { [member: string]: TypedValue };

/** A codec for one BTF type. */
export class BtfCodec {
  /** Size of the type in bytes. */
  readonly size: number;

  constructor(
    private readonly btf: Btf,
    readonly typeId: number,
    /** What the values are, for error messages: `map 'x' key`, `variable 'y'`. */
    private readonly what: string,
  ) {
    this.size = btf.sizeof(typeId);
  }

  /** Decode `size` bytes at `off`. */
  decode(bytes: Uint8Array, off = 0): TypedValue {
    if (off + this.size > bytes.length) throw this.error(`needs ${this.size} bytes, got ${bytes.length - off}`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.dec(this.typeId, dv, off, this.what);
  }

  /** Encode `value` into a new buffer of {@link size} bytes. */
  encode(value: TypedValue): Uint8Array {
    const out = new Uint8Array(this.size);
    this.enc(this.typeId, new DataView(out.buffer), 0, value, this.what);
    return out;
  }

  private error(msg: string): BpfError {
    return new BpfError(ERRNO.EINVAL, `${this.what}: ${msg}`);
  }

  private t(id: number): BtfType {
    return this.btf.resolved(id);
  }

  private dec(id: number, dv: DataView, off: number, path: string): TypedValue {
    const t = this.t(id);
    switch (t.kind) {
      case 'INT': {
        if (t.bool) return dv.getUint8(off) !== 0;
        return readInt(dv, off, t.size, t.signed);
      }
      case 'ENUM':
      case 'ENUM64': {
        const v = readInt(dv, off, t.size, t.signed);
        const n = BigInt(v);
        for (const e of t.values) if (enumValue(e, t.signed) === n) return e.name;
        return v;
      }
      case 'PTR':
        return dv.getBigUint64(off, true);
      case 'FLOAT':
        return t.size === 4 ? dv.getFloat32(off, true) : dv.getFloat64(off, true);
      case 'ARRAY': {
        const elem = this.t(t.type);
        if (elem.kind === 'INT' && elem.size === 1 && (elem.char || elem.name === 'char')) {
          let s = '';
          for (let i = 0; i < t.nelems; i++) {
            const c = dv.getUint8(off + i);
            if (c === 0) break;
            s += String.fromCharCode(c);
          }
          return s;
        }
        const es = this.btf.sizeof(t.type);
        const out: TypedValue[] = [];
        for (let i = 0; i < t.nelems; i++) out.push(this.dec(t.type, dv, off + i * es, `${path}[${i}]`));
        return out;
      }
      case 'STRUCT':
      case 'UNION': {
        const o: { [k: string]: TypedValue } = {};
        this.decMembers(t.id, dv, off, o, path);
        return o;
      }
      default:
        throw this.error(`${path}: cannot decode a ${t.kind}`);
    }
  }

  private decMembers(id: number, dv: DataView, off: number, o: { [k: string]: TypedValue }, path: string): void {
    const t = this.btf.composite(id);
    for (const m of t.members) {
      const mt = this.t(m.type);
      if (m.name === '' && (mt.kind === 'STRUCT' || mt.kind === 'UNION')) {
        this.decMembers(mt.id, dv, off + m.bitOffset / 8, o, path);
        continue;
      }
      if (m.bitfieldSize !== 0) {
        o[m.name] = readBits(dv, off, m.bitOffset, m.bitfieldSize, mt.kind === 'INT' ? mt.signed : false, this.btf.sizeof(m.type));
        continue;
      }
      o[m.name] = this.dec(m.type, dv, off + m.bitOffset / 8, `${path}.${m.name}`);
    }
  }

  private enc(id: number, dv: DataView, off: number, v: TypedValue, path: string): void {
    const t = this.t(id);
    switch (t.kind) {
      case 'INT': {
        if (t.bool) {
          if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw this.error(`${path}: expected a boolean, got ${show(v)}`);
          dv.setUint8(off, v === true || v === 1 ? 1 : 0);
          return;
        }
        writeInt(dv, off, t.size, checkInt(v, t.size, t.signed, () => this.error(`${path}: ${show(v)} does not fit ${intName(t.size, t.signed)}`)));
        return;
      }
      case 'ENUM':
      case 'ENUM64': {
        let n: bigint;
        if (typeof v === 'string') {
          const e = t.values.find((x) => x.name === v);
          if (e === undefined) throw this.error(`${path}: '${v}' is not an enumerator of enum ${t.name || '(anon)'} (${t.values.map((x) => x.name).join(', ')})`);
          n = enumValue(e, t.signed);
        } else n = checkInt(v, t.size, t.signed, () => this.error(`${path}: ${show(v)} does not fit enum ${t.name || '(anon)'}`));
        writeInt(dv, off, t.size, n);
        return;
      }
      case 'PTR':
        dv.setBigUint64(off, checkInt(v, 8, false, () => this.error(`${path}: ${show(v)} is not a pointer value`)), true);
        return;
      case 'FLOAT':
        if (typeof v !== 'number') throw this.error(`${path}: expected a number, got ${show(v)}`);
        if (t.size === 4) dv.setFloat32(off, v, true);
        else dv.setFloat64(off, v, true);
        return;
      case 'ARRAY': {
        const elem = this.t(t.type);
        if (typeof v === 'string' && elem.kind === 'INT' && elem.size === 1) {
          const b = new TextEncoder().encode(v);
          if (b.length > t.nelems) throw this.error(`${path}: '${v}' is ${b.length} bytes, the array holds ${t.nelems}`);
          for (let i = 0; i < b.length; i++) dv.setUint8(off + i, b[i]!);
          return;
        }
        if (!Array.isArray(v)) throw this.error(`${path}: expected an array of ${t.nelems}, got ${show(v)}`);
        if (v.length > t.nelems) throw this.error(`${path}: ${v.length} elements, the array holds ${t.nelems}`);
        const es = this.btf.sizeof(t.type);
        v.forEach((x, i) => this.enc(t.type, dv, off + i * es, x, `${path}[${i}]`));
        return;
      }
      case 'STRUCT':
      case 'UNION': {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw this.error(`${path}: expected an object, got ${show(v)}`);
        const seen = new Set<string>();
        this.encMembers(t.id, dv, off, v, path, seen);
        for (const k of Object.keys(v)) if (!seen.has(k)) throw this.error(`${path}: ${t.kind.toLowerCase()} ${t.name || '(anon)'} has no member '${k}'`);
        return;
      }
      default:
        throw this.error(`${path}: cannot encode a ${t.kind}`);
    }
  }

  private encMembers(id: number, dv: DataView, off: number, v: { [k: string]: TypedValue }, path: string, seen: Set<string>): void {
    const t = this.btf.composite(id);
    for (const m of t.members) {
      const mt = this.t(m.type);
      if (m.name === '' && (mt.kind === 'STRUCT' || mt.kind === 'UNION')) {
        this.encMembers(mt.id, dv, off + m.bitOffset / 8, v, path, seen);
        continue;
      }
      if (!(m.name in v)) continue; // absent members stay zero
      seen.add(m.name);
      const x = v[m.name]!;
      if (m.bitfieldSize !== 0) {
        const signed = mt.kind === 'INT' && mt.signed;
        const n = checkInt(x, 8, signed, () => this.error(`${path}.${m.name}: ${show(x)} is not an integer`));
        const lo = signed ? -(1n << BigInt(m.bitfieldSize - 1)) : 0n;
        const hi = signed ? (1n << BigInt(m.bitfieldSize - 1)) - 1n : (1n << BigInt(m.bitfieldSize)) - 1n;
        if (n < lo || n > hi) throw this.error(`${path}.${m.name}: ${show(x)} does not fit a ${m.bitfieldSize}-bit field`);
        writeBits(dv, off, m.bitOffset, m.bitfieldSize, n);
        continue;
      }
      this.enc(m.type, dv, off + m.bitOffset / 8, x, `${path}.${m.name}`);
    }
  }
}

function show(v: TypedValue): string {
  return typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
}

function intName(size: number, signed: boolean): string {
  return `${signed ? 's' : 'u'}${size * 8}`;
}

function enumValue(e: { value?: number; lo?: number; hi?: number }, signed: boolean): bigint {
  if (e.value !== undefined) return signed ? BigInt(e.value | 0) : BigInt(e.value >>> 0);
  const v = (BigInt(e.hi! >>> 0) << 32n) | BigInt(e.lo! >>> 0);
  return signed ? BigInt.asIntN(64, v) : v;
}

/** An integer of `size` bytes: a number for sizes up to 4, a bigint for 8. */
function readInt(dv: DataView, off: number, size: number, signed: boolean): number | bigint {
  switch (size) {
    case 1:
      return signed ? dv.getInt8(off) : dv.getUint8(off);
    case 2:
      return signed ? dv.getInt16(off, true) : dv.getUint16(off, true);
    case 4:
      return signed ? dv.getInt32(off, true) : dv.getUint32(off, true);
    case 8:
      return signed ? dv.getBigInt64(off, true) : dv.getBigUint64(off, true);
    default: {
      // 16-byte integers (__int128): little-endian BigInt
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(dv.getUint8(off + i));
      return signed ? BigInt.asIntN(size * 8, v) : v;
    }
  }
}

function writeInt(dv: DataView, off: number, size: number, v: bigint): void {
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    dv.setUint8(off + i, Number(x & 0xffn));
    x >>= 8n;
  }
}

/** `v` as a bigint within the range of a `size`-byte integer of that signedness, or the error. */
function checkInt(v: TypedValue, size: number, signed: boolean, err: () => BpfError): bigint {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  else throw err();
  const bits = BigInt(size * 8);
  const lo = signed ? -(1n << (bits - 1n)) : 0n;
  const hi = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (n < lo || n > hi) throw err();
  return n;
}

/** A bitfield of `width` bits at bit `bitOff` of the struct at `off` (little-endian). */
function readBits(dv: DataView, off: number, bitOff: number, width: number, signed: boolean, unitSize: number): number | bigint {
  let v = 0n;
  const first = Math.floor(bitOff / 8);
  const last = Math.floor((bitOff + width - 1) / 8);
  for (let i = last; i >= first; i--) v = (v << 8n) | BigInt(dv.getUint8(off + i));
  v = (v >> BigInt(bitOff - first * 8)) & ((1n << BigInt(width)) - 1n);
  if (signed) v = BigInt.asIntN(width, v);
  return unitSize === 8 ? v : Number(v);
}

function writeBits(dv: DataView, off: number, bitOff: number, width: number, value: bigint): void {
  const first = Math.floor(bitOff / 8);
  const last = Math.floor((bitOff + width - 1) / 8);
  let cur = 0n;
  for (let i = last; i >= first; i--) cur = (cur << 8n) | BigInt(dv.getUint8(off + i));
  const shift = BigInt(bitOff - first * 8);
  const mask = ((1n << BigInt(width)) - 1n) << shift;
  cur = (cur & ~mask) | ((BigInt.asUintN(width, value) << shift) & mask);
  for (let i = first; i <= last; i++) {
    dv.setUint8(off + i, Number(cur & 0xffn));
    cur >>= 8n;
  }
}
