/**
 * BTF encoder and builder: turns model types back into a BTF blob (any byte order), and
 * offers a small fluent builder for tests and for the emulator's own kernel-side types.
 * `parseBtf(encodeBtf(x)).types` deep-equals `x.types` (string offsets are re-assigned, so
 * the bytes of a clang blob are not reproduced exactly).
 */
import { Btf } from './btf.js';
import { BtfError } from './errors.js';
import {
  BTF_FUNC_LINKAGE,
  BTF_HEADER_SIZE,
  BTF_INT,
  BTF_KIND,
  BTF_MAGIC,
  BTF_PTR_SIZE,
  BTF_RECORD_SIZES as R,
  BTF_TYPE_SIZE,
  BTF_VAR_LINKAGE,
  BTF_VERSION,
  MAX_RESOLVE_DEPTH,
  type BtfLinkage,
} from './kinds.js';
import { StringTableBuilder } from './strings.js';
import type { BtfMember, BtfType, BtfTypeSpec } from './types.js';

/** Options for {@link encodeBtf}. */
export interface EncodeBtfOptions {
  /** Byte order of the output; defaults to the Btf's own, or little-endian. */
  readonly littleEndian?: boolean;
}

function info(kind: number, vlen: number, kflag: boolean): number {
  return ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;
}

/** Encode a Btf's own types (for split BTF, ids and string offsets continue after the base). */
export function encodeBtf(btf: Btf, opts: EncodeBtfOptions = {}): Uint8Array {
  const le = opts.littleEndian ?? btf.littleEndian;
  const sb = new StringTableBuilder(btf.base === undefined ? 0 : btf.base.strings.length);
  let typeLen = 0;
  for (const t of btf.types) typeLen += BTF_TYPE_SIZE + recordBytes(t);
  const types = new Uint8Array(typeLen);
  const v = new DataView(types.buffer);
  let p = 0;
  const u32 = (x: number) => {
    v.setUint32(p, x >>> 0, le);
    p += 4;
  };
  const head = (t: BtfType, kind: number, vlen: number, kflag: boolean, sizeOrType: number) => {
    u32(sb.add(t.name));
    u32(info(kind, vlen, kflag));
    u32(sizeOrType);
  };
  for (const t of btf.types) {
    switch (t.kind) {
      case 'VOID':
        throw new BtfError('BTF_BAD_TYPE', 'cannot encode the void pseudo-type');
      case 'INT': {
        head(t, BTF_KIND.INT, 0, false, t.size);
        const enc = (t.signed ? BTF_INT.SIGNED : 0) | (t.char ? BTF_INT.CHAR : 0) | (t.bool ? BTF_INT.BOOL : 0);
        u32((enc << 24) | (t.offset << 16) | t.bits);
        break;
      }
      case 'PTR':
      case 'TYPEDEF':
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
        head(t, BTF_KIND[t.kind], 0, false, t.type);
        break;
      case 'TYPE_TAG':
        head(t, BTF_KIND.TYPE_TAG, 0, t.kflag, t.type);
        break;
      case 'ARRAY':
        head(t, BTF_KIND.ARRAY, 0, false, 0);
        u32(t.type);
        u32(t.indexType);
        u32(t.nelems);
        break;
      case 'STRUCT':
      case 'UNION':
        head(t, BTF_KIND[t.kind], t.members.length, t.kflag, t.size);
        for (const m of t.members) {
          u32(sb.add(m.name));
          u32(m.type);
          u32(t.kflag ? ((m.bitfieldSize << 24) | m.bitOffset) >>> 0 : m.bitOffset);
        }
        break;
      case 'ENUM':
        head(t, BTF_KIND.ENUM, t.values.length, t.signed, t.size);
        for (const e of t.values) {
          u32(sb.add(e.name));
          u32(e.value);
        }
        break;
      case 'ENUM64':
        head(t, BTF_KIND.ENUM64, t.values.length, t.signed, t.size);
        for (const e of t.values) {
          u32(sb.add(e.name));
          u32(e.lo);
          u32(e.hi);
        }
        break;
      case 'FWD':
        head(t, BTF_KIND.FWD, 0, t.union, 0);
        break;
      case 'FUNC':
        head(t, BTF_KIND.FUNC, BTF_FUNC_LINKAGE.indexOf(t.linkage), false, t.type);
        break;
      case 'FUNC_PROTO':
        head(t, BTF_KIND.FUNC_PROTO, t.params.length, false, t.returnType);
        for (const prm of t.params) {
          u32(sb.add(prm.name));
          u32(prm.type);
        }
        break;
      case 'VAR':
        head(t, BTF_KIND.VAR, 0, false, t.type);
        u32(BTF_VAR_LINKAGE.indexOf(t.linkage));
        break;
      case 'DATASEC':
        head(t, BTF_KIND.DATASEC, t.vars.length, false, t.size);
        for (const x of t.vars) {
          u32(x.type);
          u32(x.offset);
          u32(x.size);
        }
        break;
      case 'FLOAT':
        head(t, BTF_KIND.FLOAT, 0, false, t.size);
        break;
      case 'DECL_TAG':
        head(t, BTF_KIND.DECL_TAG, 0, t.kflag, t.type);
        u32(t.componentIdx);
        break;
    }
  }
  const strs = sb.bytes();
  const out = new Uint8Array(BTF_HEADER_SIZE + types.length + strs.length);
  const h = new DataView(out.buffer);
  h.setUint16(0, BTF_MAGIC, le);
  h.setUint8(2, BTF_VERSION);
  h.setUint8(3, 0);
  h.setUint32(4, BTF_HEADER_SIZE, le);
  h.setUint32(8, 0, le);
  h.setUint32(12, types.length, le);
  h.setUint32(16, types.length, le);
  h.setUint32(20, strs.length, le);
  out.set(types, BTF_HEADER_SIZE);
  out.set(strs, BTF_HEADER_SIZE + types.length);
  return out;
}

function recordBytes(t: BtfType): number {
  switch (t.kind) {
    case 'INT':
      return R.INT;
    case 'ARRAY':
      return R.ARRAY;
    case 'STRUCT':
    case 'UNION':
      return t.members.length * R.MEMBER;
    case 'ENUM':
      return t.values.length * R.ENUM;
    case 'ENUM64':
      return t.values.length * R.ENUM64;
    case 'FUNC_PROTO':
      return t.params.length * R.PARAM;
    case 'VAR':
      return R.VAR;
    case 'DATASEC':
      return t.vars.length * R.VAR_SECINFO;
    case 'DECL_TAG':
      return R.DECL_TAG;
    default:
      return 0;
  }
}

/** A member for {@link BtfBuilder.struct}: offsets are computed when omitted. */
export interface MemberSpec {
  readonly name: string;
  readonly type: number;
  /** Explicit bit offset; by default the next naturally aligned position. */
  readonly bitOffset?: number;
  /** Bitfield width (sets the struct's kind_flag). */
  readonly bitfieldSize?: number;
}

/**
 * Fluent builder of BTF types. Each method appends one type and returns its id; layouts of
 * structs/unions follow the C rules for the BPF target when offsets are not given.
 */
export class BtfBuilder {
  private readonly specs: BtfTypeSpec[] = [];
  private readonly start: number;
  private arraySizeType = 0;

  constructor(private readonly opts: { base?: Btf; littleEndian?: boolean } = {}) {
    this.start = opts.base === undefined ? 1 : opts.base.typeCount;
  }

  /** Number of types added so far. */
  get length(): number {
    return this.specs.length;
  }

  /** Append any type description; returns its id. */
  add(spec: BtfTypeSpec): number {
    this.specs.push(spec);
    return this.start + this.specs.length - 1;
  }

  /** INT `name` of `size` bytes (bits default to size * 8). */
  int(name: string, size: number, o: { signed?: boolean; char?: boolean; bool?: boolean; bits?: number; offset?: number } = {}): number {
    return this.add({ kind: 'INT', name, size, bits: o.bits ?? size * 8, offset: o.offset ?? 0, signed: o.signed ?? false, char: o.char ?? false, bool: o.bool ?? false });
  }

  /** PTR to `type`. */
  ptr(type: number): number {
    return this.add({ kind: 'PTR', name: '', type });
  }

  /** ARRAY of `nelems` `type`; the index type defaults to clang's `__ARRAY_SIZE_TYPE__`. */
  array(type: number, nelems: number, indexType?: number): number {
    let idx = indexType;
    if (idx === undefined) {
      if (this.arraySizeType === 0) this.arraySizeType = this.int('__ARRAY_SIZE_TYPE__', 4);
      idx = this.arraySizeType;
    }
    return this.add({ kind: 'ARRAY', name: '', type, indexType: idx, nelems });
  }

  /** STRUCT with members laid out as C would (or at the given offsets); `size` defaults to the layout size. */
  struct(name: string, members: readonly MemberSpec[], size?: number): number {
    return this.composite('STRUCT', name, members, size);
  }

  /** UNION (every member at offset 0). */
  union(name: string, members: readonly MemberSpec[], size?: number): number {
    return this.composite('UNION', name, members, size);
  }

  /** ENUM with `[name, value]` pairs; `signed` defaults to any negative value present. */
  enum(name: string, values: readonly (readonly [string, number])[], o: { size?: number; signed?: boolean } = {}): number {
    const signed = o.signed ?? values.some(([, x]) => x < 0);
    return this.add({ kind: 'ENUM', name, size: o.size ?? 4, signed, values: values.map(([n, x]) => ({ name: n, value: signed ? x | 0 : x >>> 0 })) });
  }

  /** ENUM64 with `[name, bigint]` pairs. */
  enum64(name: string, values: readonly (readonly [string, bigint])[], o: { size?: number; signed?: boolean } = {}): number {
    const signed = o.signed ?? values.some(([, x]) => x < 0n);
    return this.add({
      kind: 'ENUM64',
      name,
      size: o.size ?? 8,
      signed,
      values: values.map(([n, x]) => {
        const u = BigInt.asUintN(64, x);
        return { name: n, lo: Number(u & 0xffffffffn), hi: Number(u >> 32n) };
      }),
    });
  }

  /** FWD declaration of a struct (or union). */
  fwd(name: string, union = false): number {
    return this.add({ kind: 'FWD', name, union });
  }

  /** TYPEDEF `name` of `type`. */
  typedef(name: string, type: number): number {
    return this.add({ kind: 'TYPEDEF', name, type });
  }

  /** CONST `type`. */
  const(type: number): number {
    return this.add({ kind: 'CONST', name: '', type });
  }

  /** VOLATILE `type`. */
  volatile(type: number): number {
    return this.add({ kind: 'VOLATILE', name: '', type });
  }

  /** RESTRICT `type`. */
  restrict(type: number): number {
    return this.add({ kind: 'RESTRICT', name: '', type });
  }

  /** TYPE_TAG `name` on `type`. */
  typeTag(name: string, type: number, kflag = false): number {
    return this.add({ kind: 'TYPE_TAG', name, type, kflag });
  }

  /** FUNC_PROTO returning `ret` with `[name, type]` params; `variadic` appends `...`. */
  funcProto(ret: number, params: readonly (readonly [string, number])[], variadic = false): number {
    const ps = params.map(([name, type]) => ({ name, type }));
    if (variadic) ps.push({ name: '', type: 0 });
    return this.add({ kind: 'FUNC_PROTO', name: '', returnType: ret, params: ps });
  }

  /** FUNC `name` with prototype `proto`. */
  func(name: string, proto: number, linkage: BtfLinkage = 'global'): number {
    return this.add({ kind: 'FUNC', name, type: proto, linkage });
  }

  /** VAR `name` of `type`. */
  var(name: string, type: number, linkage: BtfLinkage = 'global'): number {
    return this.add({ kind: 'VAR', name, type, linkage });
  }

  /** DATASEC `name` with its `{type, offset, size}` entries. */
  datasec(name: string, vars: readonly { type: number; offset: number; size: number }[], size = 0): number {
    return this.add({ kind: 'DATASEC', name, size, vars: vars.map((x) => ({ ...x })) });
  }

  /** FLOAT `name` of `size` bytes. */
  float(name: string, size: number): number {
    return this.add({ kind: 'FLOAT', name, size });
  }

  /** DECL_TAG `name` on `type` (component -1 = the type itself). */
  declTag(name: string, type: number, componentIdx = -1, kflag = false): number {
    return this.add({ kind: 'DECL_TAG', name, type, componentIdx, kflag });
  }

  /** The validated Btf of everything added. */
  build(): Btf {
    return Btf.fromTypes(this.specs, this.opts);
  }

  /** The encoded blob of everything added. */
  encode(o: EncodeBtfOptions = {}): Uint8Array {
    return encodeBtf(this.build(), o);
  }

  private spec(id: number): BtfTypeSpec | undefined {
    return this.specs[id - this.start];
  }

  /** Size and alignment of an already-added (or base) type, for layout. */
  private layoutOf(id: number, depth = 0): { size: number; align: number } {
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('BTF_TOO_DEEP', `builder: type [${id}] nests too deeply`);
    if (id < this.start && this.opts.base !== undefined && id > 0) {
      const b = this.opts.base;
      return { size: b.sizeof(id), align: b.alignof(id) };
    }
    const s = this.spec(id);
    if (s === undefined) throw new BtfError('BTF_BAD_ID', `builder: type [${id}] is not defined yet`);
    switch (s.kind) {
      case 'INT':
      case 'ENUM':
      case 'ENUM64':
      case 'FLOAT':
        return { size: s.size, align: Math.min(s.size, BTF_PTR_SIZE) };
      case 'PTR':
        return { size: BTF_PTR_SIZE, align: BTF_PTR_SIZE };
      case 'TYPEDEF':
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
      case 'TYPE_TAG':
        return this.layoutOf(s.type, depth + 1);
      case 'ARRAY': {
        const e = this.layoutOf(s.type, depth + 1);
        return { size: e.size * s.nelems, align: e.align };
      }
      case 'STRUCT':
      case 'UNION': {
        let align = 1;
        for (const m of s.members) align = Math.max(align, this.layoutOf(m.type, depth + 1).align);
        return { size: s.size, align };
      }
      default:
        throw new BtfError('BTF_NO_SIZE', `builder: type [${id}] ${s.kind} has no layout`);
    }
  }

  private composite(kind: 'STRUCT' | 'UNION', name: string, members: readonly MemberSpec[], size?: number): number {
    const out: BtfMember[] = [];
    let off = 0; // bits
    let maxAlign = 1;
    let end = 0;
    const kflag = members.some((m) => (m.bitfieldSize ?? 0) > 0);
    for (const m of members) {
      const { size: msz, align } = this.layoutOf(m.type);
      maxAlign = Math.max(maxAlign, align);
      const bf = m.bitfieldSize ?? 0;
      let at: number;
      if (m.bitOffset !== undefined) at = m.bitOffset;
      else if (kind === 'UNION') at = 0;
      else if (bf > 0) {
        // A bitfield goes at the current bit unless it would straddle its type's unit.
        const unit = msz * 8;
        at = Math.floor(off / unit) === Math.floor((off + bf - 1) / unit) ? off : Math.ceil(off / unit) * unit;
      } else at = Math.ceil(off / (align * 8)) * align * 8;
      out.push({ name: m.name, type: m.type, bitOffset: at, bitfieldSize: bf });
      const mend = at + (bf > 0 ? bf : msz * 8);
      if (kind === 'STRUCT') off = mend;
      end = Math.max(end, mend);
    }
    const natural = Math.ceil(Math.ceil(end / 8) / maxAlign) * maxAlign;
    return this.add({ kind, name, size: size ?? natural, kflag, members: out });
  }
}
