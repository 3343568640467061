/**
 * The `Btf` container: an immutable, validated list of types plus its string section, with
 * the queries the loader, the CO-RE engine and the printers need. Construct it with
 * {@link parseBtf} (bytes) or {@link Btf.fromTypes} (model objects).
 */
import { BtfError } from './errors.js';
import { BTF_PTR_SIZE, BTF_KIND, MAX_RESOLVE_DEPTH, type BtfKindName, type BtfLinkage } from './kinds.js';
import { BtfStrings, StringTableBuilder } from './strings.js';
import {
  VOID,
  type BtfComposite,
  type BtfFuncProto,
  type BtfType,
  type BtfTypeSpec,
} from './types.js';
import { typeLabel, validateTypes } from './validate.js';

/** A struct/union member with its offsets spelled out. */
export interface BtfMemberInfo {
  /** Index in the containing struct/union. */
  readonly index: number;
  readonly name: string;
  readonly type: number;
  /** Offset in bits from the start of the outermost type the lookup started at. */
  readonly bitOffset: number;
  /** `floor(bitOffset / 8)`. */
  readonly byteOffset: number;
  /** Bitfield width, 0 for a plain member. */
  readonly bitfieldSize: number;
}

/** The result of a member lookup by name through anonymous members. */
export interface BtfMemberPath extends BtfMemberInfo {
  /** Every member walked, outermost first (anonymous members, then the named one). */
  readonly path: readonly BtfMemberInfo[];
}

/** One variable (or extern function) of a DATASEC, joined with its VAR/FUNC type. */
export interface BtfDatasecVar {
  /** Id of the VAR or FUNC type. */
  readonly id: number;
  readonly name: string;
  readonly kind: 'VAR' | 'FUNC';
  /** The VAR's type (or FUNC's prototype). */
  readonly type: number;
  readonly linkage: BtfLinkage;
  readonly offset: number;
  readonly size: number;
}

/** A DATASEC with its variables. */
export interface BtfDatasecInfo {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly vars: readonly BtfDatasecVar[];
}

/** Options shared by the constructors. */
export interface BtfOptions {
  /** Byte order for re-encoding; defaults to little-endian. */
  readonly littleEndian?: boolean;
  /** Base BTF for split BTF (e.g. a module's BTF on top of vmlinux). */
  readonly base?: Btf;
}

/** An immutable, validated set of BTF types. */
export class Btf {
  readonly littleEndian: boolean;
  readonly base: Btf | undefined;
  /** Id of the first own type: 1, or the base's type count for split BTF. */
  readonly startId: number;
  /** Own types; `types[i].id === startId + i`. */
  readonly types: readonly BtfType[];
  readonly strings: BtfStrings;
  private readonly depths: Uint8Array;
  private nameIndex: Map<string, number[]> | undefined;

  /** Internal: validates `types` (ids must be consecutive from `startId`). */
  constructor(types: readonly BtfType[], strings: BtfStrings, opts: BtfOptions = {}) {
    this.littleEndian = opts.littleEndian ?? true;
    this.base = opts.base;
    this.startId = opts.base === undefined ? 1 : opts.base.typeCount;
    this.types = types;
    this.strings = strings;
    const base = opts.base;
    this.depths = validateTypes(types, this.startId, {
      count: this.startId + types.length,
      get: (id) => (id < this.startId ? (base === undefined ? VOID : base.type(id)) : types[id - this.startId]!),
      baseDepth: (id) => (base === undefined ? 0 : base.chainDepth(id)),
    });
  }

  /** Build a Btf from type descriptions (ids assigned from `startId` in order). */
  static fromTypes(specs: readonly BtfTypeSpec[], opts: BtfOptions = {}): Btf {
    const start = opts.base === undefined ? 1 : opts.base.typeCount;
    const sb = new StringTableBuilder(opts.base === undefined ? 0 : opts.base.strings.length);
    const types = specs.map((s, i) => {
      const t = { ...s, id: start + i } as BtfType;
      sb.add(t.name);
      return t;
    });
    const strings = new BtfStrings(sb.bytes(), opts.base?.strings);
    return new Btf(types, strings, opts);
  }

  /** Number of type ids including void and the base's (libbpf's btf__type_cnt). */
  get typeCount(): number {
    return this.startId + this.types.length;
  }

  /** The type with this id (0 is the void pseudo-type); throws BTF_BAD_ID. */
  type(id: number): BtfType {
    if (Number.isInteger(id)) {
      if (id >= this.startId) {
        const t = this.types[id - this.startId];
        if (t !== undefined) return t;
      } else if (id === 0) {
        return VOID;
      } else if (id > 0 && this.base !== undefined) {
        return this.base.type(id);
      }
    }
    throw new BtfError('BTF_BAD_ID', `type id ${id} out of range (${this.typeCount} types)`);
  }

  /** True when `id` names a type (void included). */
  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.typeCount;
  }

  /** The type's name ('' for anonymous types and void). */
  name(id: number): string {
    return this.type(id).name;
  }

  /** The type's kind name ('VOID' for id 0). */
  kindName(id: number): string {
    return this.type(id).kind;
  }

  /** The string at a string-section offset (for .BTF.ext records). */
  stringAt(off: number): string {
    return this.strings.at(off);
  }

  /** Chain depth of a type (internal: used by split BTF validation). */
  chainDepth(id: number): number {
    if (id === 0) return 0;
    if (id < this.startId) return this.base === undefined ? 0 : this.base.chainDepth(id);
    return this.depths[id - this.startId] ?? 0;
  }

  /** Every type (base first, then own) named `name`, optionally of one kind. */
  findByName(name: string, kind?: BtfKindName): BtfType[] {
    if (this.nameIndex === undefined) {
      const idx = new Map<string, number[]>();
      for (const t of this.types) {
        if (t.name === '') continue;
        const l = idx.get(t.name);
        if (l === undefined) idx.set(t.name, [t.id]);
        else l.push(t.id);
      }
      this.nameIndex = idx;
    }
    const own = (this.nameIndex.get(name) ?? []).map((id) => this.type(id));
    const all = this.base === undefined ? own : [...this.base.findByName(name), ...own];
    return kind === undefined ? all : all.filter((t) => t.kind === kind);
  }

  /** The single type named `name` of `kind`; throws BTF_NOT_FOUND if none, BTF_BAD_ID if several. */
  findOne(name: string, kind: BtfKindName): BtfType {
    const l = this.findByName(name, kind);
    if (l.length === 0) throw new BtfError('BTF_NOT_FOUND', `no ${kind} named '${name}'`);
    if (l.length > 1) throw new BtfError('BTF_BAD_ID', `${l.length} ${kind} types named '${name}'`);
    return l[0]!;
  }

  /** Skip TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG (libbpf skip_mods_and_typedefs). */
  resolve(id: number): number {
    let cur = id;
    for (let i = 0; i <= MAX_RESOLVE_DEPTH; i++) {
      const t = this.type(cur);
      if (t.kind === 'TYPEDEF' || t.kind === 'VOLATILE' || t.kind === 'CONST' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG') cur = t.type;
      else return cur;
    }
    throw new BtfError('BTF_TOO_DEEP', `type [${id}]: typedef/modifier chain deeper than ${MAX_RESOLVE_DEPTH}`);
  }

  /** The type after {@link resolve}. */
  resolved(id: number): BtfType {
    return this.type(this.resolve(id));
  }

  /** Skip VOLATILE, CONST, RESTRICT and TYPE_TAG but not typedefs. */
  skipModifiers(id: number): number {
    let cur = id;
    for (let i = 0; i <= MAX_RESOLVE_DEPTH; i++) {
      const t = this.type(cur);
      if (t.kind === 'VOLATILE' || t.kind === 'CONST' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG') cur = t.type;
      else return cur;
    }
    throw new BtfError('BTF_TOO_DEEP', `type [${id}]: modifier chain deeper than ${MAX_RESOLVE_DEPTH}`);
  }

  /**
   * Size in bytes (libbpf btf__resolve_size): INT/ENUM/STRUCT/UNION/DATASEC/FLOAT their size,
   * PTR 8, arrays `nelems * element` (must fit u32), typedef/modifier/VAR/DECL_TAG follow.
   * Throws BTF_NO_SIZE for void, FWD, FUNC and FUNC_PROTO.
   */
  sizeof(id: number): number {
    let cur = id;
    let mult = 1;
    for (let i = 0; i <= MAX_RESOLVE_DEPTH; i++) {
      const t = this.type(cur);
      switch (t.kind) {
        case 'INT':
        case 'ENUM':
        case 'ENUM64':
        case 'STRUCT':
        case 'UNION':
        case 'DATASEC':
        case 'FLOAT':
          return this.checkedSize(id, mult * t.size);
        case 'PTR':
          return this.checkedSize(id, mult * BTF_PTR_SIZE);
        case 'TYPEDEF':
        case 'VOLATILE':
        case 'CONST':
        case 'RESTRICT':
        case 'TYPE_TAG':
        case 'VAR':
        case 'DECL_TAG':
          cur = t.type;
          break;
        case 'ARRAY':
          mult *= t.nelems;
          if (mult > 0xffffffff) throw new BtfError('BTF_NO_SIZE', `type [${id}]: array size overflows u32`);
          cur = t.type;
          break;
        default:
          throw new BtfError('BTF_NO_SIZE', `type [${id}]: ${t.kind === 'VOID' ? 'void' : typeLabel(t)} has no size`);
      }
    }
    throw new BtfError('BTF_TOO_DEEP', `type [${id}]: size chain deeper than ${MAX_RESOLVE_DEPTH}`);
  }

  private checkedSize(id: number, size: number): number {
    if (size > 0xffffffff) throw new BtfError('BTF_NO_SIZE', `type [${id}]: size ${size} overflows u32`);
    return size;
  }

  /**
   * Natural alignment (libbpf btf__align_of): scalars min(size, 8), pointers 8, arrays their
   * element's, structs/unions the largest member alignment, or 1 when the layout shows the
   * type is packed (a plain member misaligned, or size not a multiple of the alignment).
   */
  alignof(id: number): number {
    return this.alignAt(id, 0);
  }

  private alignAt(id: number, depth: number): number {
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('BTF_TOO_DEEP', `type [${id}]: nesting deeper than ${MAX_RESOLVE_DEPTH} in alignof`);
    const t = this.type(id);
    switch (t.kind) {
      case 'INT':
      case 'ENUM':
      case 'ENUM64':
      case 'FLOAT':
        return Math.min(t.size, BTF_PTR_SIZE);
      case 'PTR':
        return BTF_PTR_SIZE;
      case 'TYPEDEF':
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
      case 'TYPE_TAG':
      case 'ARRAY':
      case 'VAR':
        return this.alignAt(t.type, depth + 1);
      case 'STRUCT':
      case 'UNION': {
        let max = 1;
        for (const m of t.members) {
          const a = this.alignAt(m.type, depth + 1);
          if (a > max) max = a;
          if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return 1;
        }
        return t.size % max !== 0 ? 1 : max;
      }
      default:
        throw new BtfError('BTF_NO_SIZE', `type [${id}]: ${t.kind === 'VOID' ? 'void' : typeLabel(t)} has no alignment`);
    }
  }

  /** The composite type behind `id` after typedefs/modifiers; throws BTF_BAD_ID otherwise. */
  composite(id: number): BtfComposite {
    const t = this.resolved(id);
    if (t.kind !== 'STRUCT' && t.kind !== 'UNION') {
      throw new BtfError('BTF_BAD_ID', `type [${id}] is ${t.kind}, not a struct or union`);
    }
    return t;
  }

  /** The members of a struct/union (through typedefs/modifiers) with byte and bit offsets. */
  members(id: number): BtfMemberInfo[] {
    return this.composite(id).members.map((m, index) => ({
      index,
      name: m.name,
      type: m.type,
      bitOffset: m.bitOffset,
      byteOffset: Math.floor(m.bitOffset / 8),
      bitfieldSize: m.bitfieldSize,
    }));
  }

  /**
   * Find a member by name as C does, descending into anonymous struct/union members; the
   * offsets are relative to `id`. Returns undefined when there is no such member.
   */
  findMember(id: number, name: string): BtfMemberPath | undefined {
    const path: BtfMemberInfo[] = [];
    const walk = (tid: number, base: number, depth: number): boolean => {
      if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('BTF_TOO_DEEP', `type [${id}]: anonymous member nesting deeper than ${MAX_RESOLVE_DEPTH}`);
      const t = this.composite(tid);
      for (let index = 0; index < t.members.length; index++) {
        const m = t.members[index]!;
        const info: BtfMemberInfo = {
          index,
          name: m.name,
          type: m.type,
          bitOffset: base + m.bitOffset,
          byteOffset: Math.floor((base + m.bitOffset) / 8),
          bitfieldSize: m.bitfieldSize,
        };
        if (m.name === name && name !== '') {
          path.push(info);
          return true;
        }
        if (m.name === '') {
          const inner = this.resolved(m.type);
          if (inner.kind === 'STRUCT' || inner.kind === 'UNION') {
            path.push(info);
            if (walk(m.type, info.bitOffset, depth + 1)) return true;
            path.pop();
          }
        }
      }
      return false;
    };
    if (!walk(id, 0, 0)) return undefined;
    const last = path[path.length - 1]!;
    return { ...last, path };
  }

  /** All DATASECs with their variables. */
  datasecs(): BtfDatasecInfo[] {
    const out: BtfDatasecInfo[] = [];
    for (const t of this.types) if (t.kind === 'DATASEC') out.push(this.datasecInfo(t.id));
    return out;
  }

  /** The DATASEC named `name` (e.g. '.bss', '.maps', '.ksyms'), or undefined. */
  datasec(name: string): BtfDatasecInfo | undefined {
    const t = this.findByName(name, 'DATASEC')[0];
    return t === undefined ? undefined : this.datasecInfo(t.id);
  }

  private datasecInfo(id: number): BtfDatasecInfo {
    const t = this.type(id);
    if (t.kind !== 'DATASEC') throw new BtfError('BTF_BAD_ID', `type [${id}] is ${t.kind}, not DATASEC`);
    return {
      id,
      name: t.name,
      size: t.size,
      vars: t.vars.map((v) => {
        const vt = this.type(v.type);
        if (vt.kind !== 'VAR' && vt.kind !== 'FUNC') throw new BtfError('BTF_BAD_ID', `datasec '${t.name}': entry [${v.type}] is ${vt.kind}`);
        return { id: v.type, name: vt.name, kind: vt.kind, type: vt.type, linkage: vt.linkage, offset: v.offset, size: v.size };
      }),
    };
  }

  /** The FUNC_PROTO of a FUNC, of a FUNC_PROTO itself, or of a pointer to one. */
  funcProto(id: number): BtfFuncProto {
    let t = this.type(this.resolve(id));
    if (t.kind === 'FUNC') t = this.type(t.type);
    else if (t.kind === 'PTR') t = this.resolved(t.type);
    if (t.kind !== 'FUNC_PROTO') throw new BtfError('BTF_BAD_ID', `type [${id}] is not a function or function prototype`);
    return t;
  }

  /** Parameter names of a function ('' for unnamed, '...' for the variadic marker). */
  paramNames(id: number): string[] {
    return this.funcProto(id).params.map((p) => (p.type === 0 ? '...' : p.name));
  }

  /** All types of one kind (base included). */
  ofKind(kind: BtfKindName): BtfType[] {
    const own = this.types.filter((t) => t.kind === kind);
    return this.base === undefined ? own : [...this.base.ofKind(kind), ...own];
  }
}

/** The kind number of a model type (0 for void). */
export function kindNumber(t: BtfType): number {
  return t.kind === 'VOID' ? 0 : BTF_KIND[t.kind];
}
