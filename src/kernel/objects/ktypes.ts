/**
 * The emulated kernel's type information: a small C-type vocabulary and a builder that turns
 * registrations (struct_ops types, kfunc prototypes, hook points, kernel structs) into the
 * emulator's own "vmlinux" BTF. Loaders resolve kfunc names, struct_ops wrapper types and attach
 * targets against it exactly as libbpf resolves them against /sys/kernel/btf/vmlinux.
 *
 * Type strings are a small C subset: `void`, `bool`, `char`, `int`, `unsigned int`, `long`,
 * `unsigned long`, `long long`, `u8`..`u64`, `s8`..`s64`, `__u8`..`__u64`, `size_t`,
 * `struct NAME` (registered, or an opaque forward declaration), `enum NAME` (registered with
 * `addEnum`), any of those followed by `*`s,
 * `const`, and a trailing `[N]` for arrays (`char[16]`).
 */
import type { Btf } from '../../btf/btf.js';
import { BtfBuilder, encodeBtf, type MemberSpec } from '../../btf/encode.js';

/** A struct member in a kernel struct definition. */
export interface KStructMember {
  readonly name: string;
  /** C type, or a function-pointer member given as its prototype. */
  readonly type: string | KFuncProto;
  /** Byte offset; computed with C alignment rules when omitted. */
  readonly offset?: number;
  /** Bitfield width in bits (an integer type); packed C-style into units of the type's size. */
  readonly bits?: number;
  /** A bitfield's bit offset in the struct (a layout read from a real BTF); packed when omitted. */
  readonly bitOffset?: number;
}

/** A function prototype. */
export interface KFuncProto {
  readonly ret: string;
  readonly params: readonly { readonly name: string; readonly type: string }[];
}

/** A kernel struct definition. Opaque structs give only size and alignment. */
export interface KStructDef {
  readonly name: string;
  readonly members?: readonly KStructMember[];
  readonly size?: number;
  readonly align?: number;
}

interface Scalar {
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  readonly char?: boolean;
  readonly bool?: boolean;
}

/**
 * Built-in scalar spellings → the BTF INT names and encodings pahole gives vmlinux (`long unsigned
 * int`, `short int`; `char` is unsigned without an encoding flag since Linux 6.2 builds with
 * -funsigned-char), so that CO-RE type matching against the emulated vmlinux behaves as against a
 * real one.
 */
const SCALARS: Readonly<Record<string, Scalar>> = {
  bool: { name: '_Bool', size: 1, signed: false, bool: true },
  _Bool: { name: '_Bool', size: 1, signed: false, bool: true },
  char: { name: 'char', size: 1, signed: false },
  'unsigned char': { name: 'unsigned char', size: 1, signed: false },
  short: { name: 'short int', size: 2, signed: true },
  'unsigned short': { name: 'short unsigned int', size: 2, signed: false },
  int: { name: 'int', size: 4, signed: true },
  'unsigned int': { name: 'unsigned int', size: 4, signed: false },
  long: { name: 'long int', size: 8, signed: true },
  'unsigned long': { name: 'long unsigned int', size: 8, signed: false },
  'long long': { name: 'long long int', size: 8, signed: true },
  'unsigned long long': { name: 'long long unsigned int', size: 8, signed: false },
};

/** Kernel typedefs of scalars (include/linux/types.h). */
const TYPEDEFS: Readonly<Record<string, string>> = {
  u8: 'unsigned char',
  u16: 'unsigned short',
  u32: 'unsigned int',
  u64: 'unsigned long long',
  s8: 'signed char',
  s16: 'short',
  s32: 'int',
  s64: 'long long',
  __u8: 'unsigned char',
  __u16: 'unsigned short',
  __u32: 'unsigned int',
  __u64: 'unsigned long long',
  __s8: 'signed char',
  __s16: 'short',
  __s32: 'int',
  __s64: 'long long',
  size_t: 'unsigned long',
};

/** Parsed form of a type string. */
interface Parsed {
  readonly base: string;
  readonly isStruct: boolean;
  readonly isConst: boolean;
  readonly ptr: number;
}

function parseType(t: string): Parsed {
  let s = t.trim().replace(/\s+/g, ' ');
  let ptr = 0;
  while (s.endsWith('*')) {
    ptr++;
    s = s.slice(0, -1).trim();
  }
  let isConst = false;
  if (s.startsWith('const ')) {
    isConst = true;
    s = s.slice(6);
  }
  if (s.endsWith(' const')) {
    isConst = true;
    s = s.slice(0, -6);
  }
  const isStruct = s.startsWith('struct ');
  return { base: isStruct ? s.slice(7) : s, isStruct, isConst, ptr };
}

/** Size and alignment of a type string given the known structs. */
export function typeLayout(t: string, structs: ReadonlyMap<string, StructLayout>): { size: number; align: number } {
  const arr = /^(.*)\[(\d+)\]$/.exec(t.trim());
  if (arr !== null) {
    const e = typeLayout(arr[1]!, structs);
    return { size: e.size * Number(arr[2]), align: e.align };
  }
  const p = parseType(t);
  if (p.ptr > 0) return { size: 8, align: 8 };
  // `enum NAME`: a registered 4-byte enum (KernelTypes.addEnum).
  if (p.base.startsWith('enum ')) return { size: 4, align: 4 };
  if (p.isStruct) {
    const s = structs.get(p.base);
    if (s === undefined) throw new TypeError(`struct ${p.base} is not defined (use a pointer or register it)`);
    return { size: s.size, align: s.align };
  }
  const sc = SCALARS[p.base] ?? SCALARS[TYPEDEFS[p.base] ?? ''] ?? (p.base === 'signed char' ? { name: 'signed char', size: 1, signed: true } : undefined);
  if (sc === undefined) {
    if (p.base === 'void') throw new TypeError('void has no size');
    throw new TypeError(`unknown type '${t}'`);
  }
  return { size: sc.size, align: sc.size };
}

/** The computed layout of a registered struct. */
export interface StructLayout {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly members: readonly { readonly name: string; readonly type: string | KFuncProto; readonly offset: number; readonly size: number; readonly bitOffset?: number; readonly bits?: number }[];
}

/** Lay out a struct with C rules (natural alignment, tail padding). */
export function layoutStruct(def: KStructDef, structs: ReadonlyMap<string, StructLayout>): StructLayout {
  if (def.members === undefined) {
    if (def.size === undefined) throw new TypeError(`opaque struct ${def.name} needs a size`);
    return { name: def.name, size: def.size, align: def.align ?? Math.min(8, def.size), members: [] };
  }
  let bit = 0;
  let align = 1;
  const members: StructLayout['members'][number][] = [];
  for (const m of def.members) {
    const l = typeof m.type === 'string' ? typeLayout(m.type, structs) : { size: 8, align: 8 };
    align = Math.max(align, l.align);
    if (m.bits !== undefined && m.bitOffset !== undefined) {
      const unit = l.size * 8;
      members.push({ name: m.name, type: m.type, offset: Math.floor(m.bitOffset / unit) * l.size, size: l.size, bitOffset: m.bitOffset, bits: m.bits });
      bit = Math.max(bit, m.bitOffset + m.bits);
      continue;
    }
    if (m.bits !== undefined) {
      // A bitfield starts a new storage unit of its type when it would straddle one.
      const unit = l.size * 8;
      if (Math.floor(bit / unit) !== Math.floor((bit + m.bits - 1) / unit)) bit = Math.ceil(bit / unit) * unit;
      members.push({ name: m.name, type: m.type, offset: Math.floor(bit / (l.size * 8)) * l.size, size: l.size, bitOffset: bit, bits: m.bits });
      bit += m.bits;
      continue;
    }
    const at = m.offset ?? Math.ceil(Math.ceil(bit / 8) / l.align) * l.align;
    members.push({ name: m.name, type: m.type, offset: at, size: l.size });
    bit = Math.max(bit, (at + l.size) * 8);
  }
  const off = Math.ceil(bit / 8);
  const size = def.size ?? Math.ceil(off / align) * align;
  return { name: def.name, size, align: def.align ?? align, members };
}

/**
 * Incrementally builds the emulated vmlinux BTF. Call the `add*` methods, then {@link build}.
 * Ids are stable for a given sequence of registrations.
 */
export class KernelTypes {
  private readonly b = new BtfBuilder({ littleEndian: true });
  private readonly cache = new Map<string, number>();
  readonly structs = new Map<string, StructLayout>();
  private readonly structIds = new Map<string, number>();
  private readonly enumIds = new Map<string, number>();
  private built: Btf | undefined;

  /** BTF id of a type string (creating INT/PTR/CONST/FWD types as needed). */
  typeId(t: string): number {
    const key = t.trim().replace(/\s+/g, ' ');
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const arr = /^(.*)\[(\d+)\]$/.exec(key);
    const p = parseType(key);
    let id: number;
    if (arr !== null) {
      id = this.b.array(this.typeId(arr[1]!), Number(arr[2]));
    } else if (p.ptr > 0) {
      const inner = key.slice(0, key.lastIndexOf('*')).trim();
      id = this.b.ptr(inner === 'void' || inner === 'const void' ? (inner === 'void' ? 0 : this.b.const(0)) : this.typeId(inner));
    } else if (p.isConst) {
      id = this.b.const(this.typeId(p.isStruct ? `struct ${p.base}` : p.base));
    } else if (p.base.startsWith('enum ')) {
      const e = this.enumIds.get(p.base.slice(5));
      if (e === undefined) throw new TypeError(`${p.base} is not defined (register it with addEnum first)`);
      id = e;
    } else if (p.isStruct) {
      id = this.structIds.get(p.base) ?? this.b.fwd(p.base);
      if (!this.structIds.has(p.base)) this.structIds.set(p.base, id);
    } else if (p.base === 'void') {
      id = 0;
    } else if (TYPEDEFS[p.base] !== undefined) {
      id = this.b.typedef(p.base, this.typeId(TYPEDEFS[p.base]!));
    } else {
      const sc = SCALARS[p.base] ?? (p.base === 'signed char' ? { name: 'signed char', size: 1, signed: true } : undefined);
      if (sc === undefined) throw new TypeError(`unknown type '${t}'`);
      id = this.b.int(sc.name, sc.size, { signed: sc.signed, ...(sc.char ? { char: true } : {}), ...(sc.bool ? { bool: true } : {}) });
    }
    this.cache.set(key, id);
    this.built = undefined;
    return id;
  }

  /** A FUNC_PROTO for `proto`. */
  protoId(proto: KFuncProto): number {
    return this.b.funcProto(
      this.typeId(proto.ret),
      proto.params.map((p) => [p.name, this.typeId(p.type)] as const),
    );
  }

  /** Define a struct; returns its BTF id. Members may reference earlier structs by value. */
  addStruct(def: KStructDef): number {
    if (this.structs.has(def.name)) throw new TypeError(`struct ${def.name} is already defined`);
    // Types made before this definition (`struct NAME *` of an earlier prototype) point at a forward
    // declaration; from now on `struct NAME ...` means the struct, so those cached ids are dropped.
    // (`includes` first: building a RegExp per cached key made this the costliest step of a new kernel)
    const needle = `struct ${def.name}`;
    let refers: RegExp | undefined;
    for (const key of [...this.cache.keys()]) if (key.includes(needle) && (refers ??= new RegExp(`^(const )?struct ${def.name}( |\\*|$)`)).test(key)) this.cache.delete(key);
    const layout = layoutStruct(def, this.structs);
    this.structs.set(def.name, layout);
    // A self-referential `struct NAME *` member (task_struct's real_parent) must point at the struct,
    // not at a forward declaration: resolve every other member type first, then create that pointer
    // to the id the struct gets next (ids are assigned in order).
    const selfPtr = `struct ${def.name} *`;
    const isSelf = (t: string | KFuncProto): boolean => typeof t === 'string' && t.trim().replace(/\s+/g, ' ').replace(/\s*\*$/, ' *') === selfPtr;
    const ids = layout.members.map((m) => (isSelf(m.type) ? -1 : typeof m.type === 'string' ? this.typeId(m.type) : this.b.ptr(this.protoId(m.type))));
    let self = this.cache.get(selfPtr);
    if (self === undefined && ids.includes(-1)) {
      self = this.b.ptr(this.b.length + 2);
      this.cache.set(selfPtr, self);
    }
    const members: MemberSpec[] = layout.members.map((m, i) => ({
      name: m.name,
      type: ids[i] === -1 ? self! : ids[i]!,
      bitOffset: m.bitOffset ?? m.offset * 8,
      ...(m.bits !== undefined ? { bitfieldSize: m.bits } : {}),
    }));
    const id = this.b.struct(def.name, members, layout.size);
    this.structIds.set(def.name, id);
    this.cache.set(`struct ${def.name}`, id);
    this.built = undefined;
    return id;
  }

  /** Define a global kernel function (kfunc, fentry target); returns the FUNC id. */
  addFunc(name: string, proto: KFuncProto): number {
    const id = this.b.func(name, this.protoId(proto), 'global');
    this.built = undefined;
    return id;
  }

  /** Define a global kernel variable (a VAR, as vmlinux has for typed `__ksym`s); returns its id. */
  addVar(name: string, type: string): number {
    const id = this.b.var(name, this.typeId(type), 'global');
    this.built = undefined;
    return id;
  }

  /** Define an enum (4-byte, unsigned unless a value is negative); returns its id. */
  addEnum(name: string, values: readonly (readonly [string, number])[]): number {
    const id = this.b.enum(name, values);
    this.enumIds.set(name, id);
    this.built = undefined;
    return id;
  }

  /** Define a 64-bit enum (ENUM64, as pahole emits enums with values beyond 32 bits); returns its id. */
  addEnum64(name: string, values: readonly (readonly [string, bigint])[]): number {
    const id = this.b.enum64(name, values);
    this.enumIds.set(name, id);
    this.built = undefined;
    return id;
  }

  /** `typedef void (*btf_trace_<name>)(void *__data, params...)`: a raw tracepoint for tp_btf. */
  addTracepoint(name: string, params: KFuncProto['params']): number {
    const proto = this.protoId({ ret: 'void', params: [{ name: '__data', type: 'void *' }, ...params] });
    const id = this.b.typedef(`btf_trace_${name}`, this.b.ptr(proto));
    this.built = undefined;
    return id;
  }

  /** Struct id by name, if defined. */
  structId(name: string): number | undefined {
    return this.structIds.get(name);
  }

  /** The BTF as built so far. */
  build(): Btf {
    this.built ??= this.b.build();
    return this.built;
  }

  /** Raw BTF bytes. */
  encode(): Uint8Array {
    // the BTF already built, not a second build (and validation) of the same types
    return encodeBtf(this.build());
  }
}
