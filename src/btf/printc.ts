/**
 * C printers for BTF: {@link printC} writes a compilable header like
 * `bpftool btf dump file X format c`, {@link describeType} a one-line C spelling of a type.
 *
 * printC follows the behaviour of libbpf's btf_dump (documented in its comments, re-derived
 * here): types are topologically ordered so that anything embedded by value is defined
 * before its container, while pointer-only references need just a forward declaration
 * ("weak" links); named structs/unions/enums/typedefs are emitted at top level, anonymous
 * ones inline; anonymous enums nobody references are emitted as top-level constants;
 * duplicate names get `___N` suffixes; struct holes are filled with `long: 64;`-style
 * padding so the layout is reproduced, and misaligned layouts get
 * `__attribute__((packed))`; 1-byte and 8-byte enums get `mode(byte)`/`mode(word)`.
 * FUNC, VAR, DATASEC and DECL_TAG types are not printed (as bpftool does).
 *
 * Recursion through nested anonymous types and function prototypes is bounded by
 * {@link PRINT_MAX_DEPTH}; deeper (or cyclic) input throws BtfError('BTF_TOO_DEEP').
 */
import type { Btf } from './btf.js';
import { BtfError } from './errors.js';
import type { BtfComposite, BtfEnum, BtfEnum64, BtfType } from './types.js';
import { enum64Value } from './types.js';

/** Bound on printer recursion (struct nesting, prototype parameters). */
export const PRINT_MAX_DEPTH = 256;

/** Largest struct hole printed as `long: 64;` lines (4 KiB); larger ones are BTF_BAD_TYPE. */
export const MAX_PADDING_BITS = 4096 * 8;

/** Options for {@link printC}. */
export interface PrintCOptions {
  /** Wrap in bpftool's `__VMLINUX_H__` guard and preserve_access_index pragma (default true). */
  readonly header?: boolean;
}

const HEADER =
  '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n' +
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
  '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n' +
  '#endif\n\n';
const FOOTER =
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n';

/** GCC's ARM SIMD typedef targets that compilers other than GCC lack (btf_dump emits aliases). */
const MISSING_BASE_TYPES: ReadonlyMap<string, string> = new Map([
  ['__Poly8_t', 'unsigned char'],
  ['__Poly16_t', 'unsigned short'],
  ['__Poly64_t', 'unsigned long long'],
  ['__Poly128_t', 'unsigned __int128'],
]);

const PADS: readonly (readonly [string, number])[] = [
  ['long', 64],
  ['int', 32],
  ['short', 16],
  ['char', 8],
];

const ORDERING = 1;
const ORDERED = 2;
const NOT_EMITTED = 0;
const EMITTING = 1;
const EMITTED = 2;

const indent = (lvl: number) => '\t'.repeat(Math.min(lvl, 13));
const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

class CPrinter {
  private out: string[] = [];
  private readonly n: number;
  private readonly orderState: Uint8Array;
  private readonly emitState: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly referenced: Uint8Array;
  private readonly cachedNames: (string | undefined)[];
  private readonly nameResolved: Uint8Array;
  private readonly typeNames = new Map<string, number>();
  private readonly identNames = new Map<string, number>();
  private queue: number[] = [];
  private depth = 0;

  constructor(
    private readonly btf: Btf,
    /** describeType mode: raw names, anonymous types not expanded. */
    private readonly oneLine: boolean,
  ) {
    // describeType needs no per-type state: keep it O(1) to create, even for vmlinux
    this.n = oneLine ? 1 : btf.typeCount;
    this.orderState = new Uint8Array(this.n);
    this.emitState = new Uint8Array(this.n);
    this.fwdEmitted = new Uint8Array(this.n);
    this.referenced = new Uint8Array(this.n);
    this.nameResolved = new Uint8Array(this.n);
    this.cachedNames = new Array<string | undefined>(this.n);
    // void is always "defined"
    this.orderState[0] = ORDERED;
    this.emitState[0] = EMITTED;
  }

  private t(id: number): BtfType {
    return this.btf.type(id);
  }

  private enter(id: number): void {
    if (++this.depth > PRINT_MAX_DEPTH) {
      throw new BtfError('BTF_TOO_DEEP', `type [${id}]: type nesting deeper than ${PRINT_MAX_DEPTH} while printing`);
    }
  }

  private leave(): void {
    this.depth--;
  }

  private w(s: string): void {
    this.out.push(s);
  }

  take(): string {
    const s = this.out.join('');
    this.out = [];
    return s;
  }

  /** Mark every type referenced by another one (top-level anonymous enums are the rest). */
  markReferenced(): void {
    for (let id = 1; id < this.n; id++) {
      const t = this.t(id);
      switch (t.kind) {
        case 'INT':
        case 'ENUM':
        case 'ENUM64':
        case 'FWD':
        case 'FLOAT':
        case 'VOID':
          break;
        case 'ARRAY':
          this.referenced[t.indexType] = 1;
          this.referenced[t.type] = 1;
          break;
        case 'STRUCT':
        case 'UNION':
          for (const m of t.members) this.referenced[m.type] = 1;
          break;
        case 'FUNC_PROTO':
          for (const p of t.params) this.referenced[p.type] = 1;
          break;
        case 'DATASEC':
          for (const v of t.vars) this.referenced[v.type] = 1;
          break;
        default:
          this.referenced[t.type] = 1;
      }
    }
  }

  /** Dump one type and whatever it needs, as btf_dump__dump_type does. */
  dumpType(id: number): void {
    this.queue = [];
    this.order(id, false);
    for (const q of this.queue) this.emit(q, 0);
  }

  // ---- ordering --------------------------------------------------------------------------

  /** Returns true for a strong link (must be defined first), false for a weak one. */
  private order(id: number, throughPtr: boolean): boolean {
    if (this.orderState[id] === ORDERED) return true;
    const t = this.t(id);
    if (this.orderState[id] === ORDERING) {
      // a loop is fine only when it goes through a pointer to a named struct/union
      if ((t.kind === 'STRUCT' || t.kind === 'UNION') && throughPtr && t.name !== '') return false;
      throw new BtfError('BTF_LOOP', `type [${id}] ${t.kind}: unsatisfiable type cycle while printing`);
    }
    this.enter(id);
    try {
      switch (t.kind) {
        case 'INT':
        case 'FLOAT':
          this.orderState[id] = ORDERED;
          return false;
        case 'PTR': {
          const r = this.order(t.type, true);
          this.orderState[id] = ORDERED;
          return r;
        }
        case 'ARRAY':
          return this.order(t.type, false);
        case 'STRUCT':
        case 'UNION': {
          if (throughPtr && t.name !== '') return false;
          this.orderState[id] = ORDERING;
          for (const m of t.members) this.order(m.type, false);
          if (t.name !== '') this.queue.push(id);
          this.orderState[id] = ORDERED;
          return true;
        }
        case 'ENUM':
        case 'ENUM64':
        case 'FWD':
          if (t.name !== '' || this.referenced[id] === 0) this.queue.push(id);
          this.orderState[id] = ORDERED;
          return true;
        case 'TYPEDEF': {
          const strong = this.order(t.type, throughPtr);
          if (throughPtr && !strong) return false;
          this.queue.push(id);
          this.orderState[id] = ORDERED;
          return true;
        }
        case 'VOLATILE':
        case 'CONST':
        case 'RESTRICT':
        case 'TYPE_TAG':
          return this.order(t.type, throughPtr);
        case 'FUNC_PROTO': {
          let strong = this.order(t.returnType, throughPtr);
          for (const p of t.params) if (this.order(p.type, throughPtr)) strong = true;
          return strong;
        }
        default:
          this.orderState[id] = ORDERED;
          return false;
      }
    } finally {
      this.leave();
    }
  }

  // ---- emission --------------------------------------------------------------------------

  private emit(id: number, contId: number): void {
    if (this.emitState[id] === EMITTED) return;
    const t = this.t(id);
    const topLevel = contId === 0;
    if (this.emitState[id] === EMITTING) {
      if (this.fwdEmitted[id] === 1) return;
      if (t.kind === 'STRUCT' || t.kind === 'UNION') {
        if (id === contId) return; // a struct referring to itself needs no declaration
        if (t.name === '') return; // anonymous loop: nothing sensible to declare
        this.structFwd(id, t);
        this.w(';\n\n');
        this.fwdEmitted[id] = 1;
      } else if (t.kind === 'TYPEDEF') {
        // a typedef doubles as its own forward declaration for pointer uses
        if (t.name !== '__builtin_va_list') {
          this.typedefDef(id, t.type, 0);
          this.w(';\n\n');
        }
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    this.enter(id);
    try {
      switch (t.kind) {
        case 'INT': {
          const alias = MISSING_BASE_TYPES.get(this.typeName(id));
          if (alias !== undefined) this.w(`typedef ${alias} ${this.typeName(id)};\n\n`);
          this.emitState[id] = EMITTED;
          break;
        }
        case 'ENUM':
        case 'ENUM64':
          if (topLevel) {
            this.enumDef(id, t, 0);
            this.w(';\n\n');
          }
          this.emitState[id] = EMITTED;
          break;
        case 'PTR':
        case 'VOLATILE':
        case 'CONST':
        case 'RESTRICT':
        case 'TYPE_TAG':
        case 'ARRAY':
          this.emit(t.type, contId);
          break;
        case 'FWD':
          this.w(`${t.union ? 'union' : 'struct'} ${this.typeName(id)};\n\n`);
          this.emitState[id] = EMITTED;
          break;
        case 'TYPEDEF':
          this.emitState[id] = EMITTING;
          this.emit(t.type, id);
          if (this.fwdEmitted[id] === 0 && t.name !== '__builtin_va_list') {
            this.typedefDef(id, t.type, 0);
            this.w(';\n\n');
          }
          this.emitState[id] = EMITTED;
          break;
        case 'STRUCT':
        case 'UNION':
          this.emitState[id] = EMITTING;
          // A definition (top level or inline anonymous) spells out every member, so the
          // members' own dependencies must be declared first.
          if (topLevel || t.name === '') {
            const newCont = t.name === '' ? contId : id;
            for (const m of t.members) this.emit(m.type, newCont);
          } else if (this.fwdEmitted[id] === 0 && id !== contId) {
            this.structFwd(id, t);
            this.w(';\n\n');
            this.fwdEmitted[id] = 1;
          }
          if (topLevel) {
            this.structDef(id, t, 0);
            this.w(';\n\n');
            this.emitState[id] = EMITTED;
          } else {
            this.emitState[id] = NOT_EMITTED;
          }
          break;
        case 'FUNC_PROTO':
          this.emit(t.returnType, contId);
          for (const p of t.params) this.emit(p.type, contId);
          break;
        default:
          break;
      }
    } finally {
      this.leave();
    }
  }

  // ---- names -----------------------------------------------------------------------------

  private nameDups(map: Map<string, number>, name: string): number {
    const n = (map.get(name) ?? 0) + 1;
    map.set(name, n);
    return n;
  }

  private resolveName(id: number, map: Map<string, number>): string {
    const t = this.t(id);
    if (t.name === '') return '';
    if (this.oneLine) return t.name;
    if (this.nameResolved[id] === 1) return this.cachedNames[id] ?? t.name;
    this.nameResolved[id] = 1;
    if (t.kind === 'FWD' || (t.kind === 'ENUM' && t.values.length === 0)) return t.name;
    const dups = this.nameDups(map, t.name);
    if (dups > 1) this.cachedNames[id] = `${t.name}___${dups}`;
    return this.cachedNames[id] ?? t.name;
  }

  private typeName(id: number): string {
    return this.resolveName(id, this.typeNames);
  }

  private identName(id: number): string {
    return this.resolveName(id, this.identNames);
  }

  // ---- definitions -----------------------------------------------------------------------

  private structFwd(id: number, t: BtfComposite): void {
    const kw = t.kind === 'STRUCT' ? 'struct' : 'union';
    if (this.oneLine && t.name === '') this.w(`${kw} {...}`);
    else this.w(`${kw}${t.name !== '' ? ' ' : ''}${this.typeName(id)}`);
  }

  private safeAlign(id: number): number {
    try {
      return this.btf.alignof(id);
    } catch (e) {
      if (e instanceof BtfError) return 0;
      throw e;
    }
  }

  private safeSize(id: number): number {
    try {
      return this.btf.sizeof(id);
    } catch (e) {
      if (e instanceof BtfError) return 0;
      throw e;
    }
  }

  private isPacked(t: BtfComposite): boolean {
    let maxAlign = 1;
    for (const m of t.members) {
      const a = this.safeAlign(m.type);
      if (a !== 0 && m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return true;
      maxAlign = Math.max(a, maxAlign);
    }
    return t.size % maxAlign !== 0;
  }

  /** Fill the gap [cur, next) bits with `<type>: N;` padding, as btf_dump does. */
  private bitPadding(cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
    if (cur >= next) return;
    if (next - cur > MAX_PADDING_BITS) {
      throw new BtfError('BTF_BAD_TYPE', `struct hole of ${next - cur} bits at bit ${cur} is too large to print as padding`);
    }
    let padType = 'char';
    let padBits = 8;
    let newOff = 0;
    for (const [ty, bits] of PADS) {
      padType = ty;
      padBits = bits;
      newOff = roundUp(cur, bits);
      if (newOff <= next) break;
    }
    if (newOff > cur && newOff <= next) {
      // An explicit `<type>: 0` is needed when the compiler would not align there itself.
      if (inBitfield || (newOff === next && roundUp(cur, nextAlign * 8) !== newOff) || (newOff !== next && next - newOff <= newOff - cur)) {
        this.w(`\n${indent(lvl)}${padType}: ${inBitfield ? newOff - cur : 0};`);
      }
      cur = newOff;
    }
    while (cur !== next) {
      const bits = Math.min(next - cur, padBits);
      if (bits === padBits) {
        this.w(`\n${indent(lvl)}${padType}: ${padBits};`);
        cur += bits;
        continue;
      }
      // the remainder uses the smallest type that covers it
      for (let i = PADS.length - 1; i >= 0; i--) {
        padType = PADS[i]![0];
        padBits = PADS[i]![1];
        if (padBits < bits) continue;
        this.w(`\n${indent(lvl)}${padType}: ${bits};`);
        cur += bits;
        break;
      }
    }
  }

  private structDef(id: number, t: BtfComposite, lvl: number): void {
    const isStruct = t.kind === 'STRUCT';
    const align = this.safeAlign(id);
    const packed = isStruct ? this.isPacked(t) : false;
    this.w(`${isStruct ? 'struct' : 'union'}${t.name !== '' ? ' ' : ''}${this.typeName(id)} {`);
    let off = 0;
    let prevBitfield = false;
    for (const m of t.members) {
      const mAlign = packed ? 1 : this.safeAlign(m.type);
      const inBitfield = prevBitfield && m.bitfieldSize !== 0;
      this.bitPadding(off, m.bitOffset, mAlign, inBitfield, lvl + 1);
      this.w(`\n${indent(lvl + 1)}`);
      this.typeDecl(m.type, m.name, lvl + 1);
      if (m.bitfieldSize !== 0) {
        this.w(`: ${m.bitfieldSize}`);
        off = m.bitOffset + m.bitfieldSize;
        prevBitfield = true;
      } else {
        off = m.bitOffset + this.safeSize(m.type) * 8;
        prevBitfield = false;
      }
      this.w(';');
    }
    if (isStruct) this.bitPadding(off, t.size * 8, align, false, lvl + 1);
    if (t.members.length > 0 || t.size > 0) this.w(`\n${indent(lvl)}}`);
    else this.w('}');
    if (packed) this.w(' __attribute__((packed))');
  }

  private enumDef(id: number, t: BtfEnum | BtfEnum64, lvl: number): void {
    this.w(`enum${t.name !== '' ? ' ' : ''}${this.typeName(id)}`);
    if (t.values.length === 0) return;
    this.w(' {');
    for (const v of t.values) {
      const dups = this.oneLine ? 1 : this.nameDups(this.identNames, v.name);
      const name = dups > 1 ? `${v.name}___${dups}` : v.name;
      const val = 'value' in v ? String(v.value) : `${enum64Value(v, t.signed)}${t.signed ? 'LL' : 'ULL'}`;
      this.w(`\n${indent(lvl + 1)}${name} = ${val},`);
    }
    this.w(`\n${indent(lvl)}}`);
    if (t.size === 1) this.w(' __attribute__((mode(byte)))');
    else if (t.size === 8) {
      // a 32-bit ENUM of 8 bytes, or an ENUM64 whose values all fit 32 bits, needs mode(word)
      const word = t.kind === 'ENUM' || t.values.every((v) => (v as { hi: number }).hi === 0);
      if (word) this.w(' __attribute__((mode(word)))');
    }
  }

  private typedefDef(id: number, target: number, lvl: number): void {
    const name = this.identName(id);
    if (target === 0 && name === '__gnuc_va_list') {
      this.w('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.w('typedef ');
    this.typeDecl(target, name, lvl);
  }

  // ---- declarations ----------------------------------------------------------------------

  /** Write the declaration of `fname` with type `id` (`int (*fname)[4]`, ...). */
  typeDecl(id: number, fname: string, lvl: number): void {
    this.enter(id);
    try {
      const stack: number[] = [];
      let cur = id;
      for (let guard = 0; ; guard++) {
        if (guard > PRINT_MAX_DEPTH) throw new BtfError('BTF_TOO_DEEP', `type [${id}]: declaration chain too long`);
        stack.push(cur);
        if (cur === 0) break;
        const t = this.t(cur);
        if (t.kind === 'PTR' || t.kind === 'VOLATILE' || t.kind === 'CONST' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG' || t.kind === 'ARRAY') cur = t.type;
        else if (t.kind === 'FUNC_PROTO') cur = t.returnType;
        else break;
      }
      this.typeChain(stack, fname, lvl);
    } finally {
      this.leave();
    }
  }

  private emitMods(stack: number[]): void {
    while (stack.length > 0) {
      const t = this.t(stack[stack.length - 1]!);
      if (t.kind === 'VOLATILE') this.w('volatile ');
      else if (t.kind === 'CONST') this.w('const ');
      else if (t.kind === 'RESTRICT') this.w('restrict ');
      else return;
      stack.pop();
    }
  }

  private dropMods(stack: number[]): void {
    while (stack.length > 0) {
      const k = this.t(stack[stack.length - 1]!).kind;
      if (k !== 'VOLATILE' && k !== 'CONST' && k !== 'RESTRICT' && k !== 'TYPE_TAG') return;
      stack.pop();
    }
  }

  private emitName(name: string, lastWasPtr: boolean): void {
    this.w(name !== '' && !lastWasPtr ? ` ${name}` : name);
  }

  /** Write a declaration from its chain (outermost first in `stack`, terminal last). */
  private typeChain(stack: number[], fname: string, lvl: number): void {
    let lastWasPtr = true;
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === 0) {
        this.emitMods(stack);
        this.w('void');
        lastWasPtr = false;
        continue;
      }
      const t = this.t(id);
      switch (t.kind) {
        case 'INT':
        case 'FLOAT':
          this.emitMods(stack);
          this.w(t.name);
          break;
        case 'STRUCT':
        case 'UNION':
          this.emitMods(stack);
          if (t.name === '' && !this.oneLine) this.structDef(id, t, lvl);
          else this.structFwd(id, t);
          break;
        case 'ENUM':
        case 'ENUM64':
          this.emitMods(stack);
          if (t.name === '' && !this.oneLine) this.enumDef(id, t, lvl);
          else this.w(t.name === '' ? 'enum {...}' : `enum ${this.typeName(id)}`);
          break;
        case 'FWD':
          this.emitMods(stack);
          this.w(`${t.union ? 'union' : 'struct'} ${this.typeName(id)}`);
          break;
        case 'TYPEDEF':
          this.emitMods(stack);
          this.w(this.identName(id));
          break;
        case 'PTR':
          this.w(lastWasPtr ? '*' : ' *');
          break;
        case 'VOLATILE':
          this.w(' volatile');
          break;
        case 'CONST':
          this.w(' const');
          break;
        case 'RESTRICT':
          this.w(' restrict');
          break;
        case 'TYPE_TAG':
          this.emitMods(stack);
          this.w(t.kflag ? ` __attribute__((${t.name}))` : ` __attribute__((btf_type_tag("${t.name}")))`);
          break;
        case 'ARRAY': {
          // qualifiers on an array itself carry no meaning (GCC emits them); drop them
          this.dropMods(stack);
          if (stack.length === 0) {
            this.emitName(fname, lastWasPtr);
            this.w(`[${t.nelems}]`);
            return;
          }
          const multidim = this.t(stack[stack.length - 1]!).kind === 'ARRAY';
          if ((fname !== '' || this.oneLine) && !lastWasPtr) this.w(' ');
          if (!multidim) this.w('(');
          this.typeChain(stack, fname, lvl);
          if (!multidim) this.w(')');
          this.w(`[${t.nelems}]`);
          return;
        }
        case 'FUNC_PROTO': {
          this.dropMods(stack);
          if (stack.length > 0) {
            this.w(' (');
            this.typeChain(stack, fname, lvl);
            this.w(')');
          } else {
            this.emitName(fname, lastWasPtr);
          }
          this.w('(');
          const ps = t.params;
          if (ps.length === 0 || (ps.length === 1 && ps[0]!.type === 0)) {
            this.w('void)');
            return;
          }
          for (let i = 0; i < ps.length; i++) {
            if (i > 0) this.w(', ');
            if (i === ps.length - 1 && ps[i]!.type === 0) {
              this.w('...');
              break;
            }
            this.typeDecl(ps[i]!.type, ps[i]!.name, lvl);
          }
          this.w(')');
          return;
        }
        default:
          // FUNC/VAR/DATASEC/DECL_TAG cannot appear inside a declaration
          this.w(`/* ${t.kind} [${id}] */`);
          break;
      }
      lastWasPtr = t.kind === 'PTR';
    }
    this.emitName(fname, lastWasPtr);
  }
}

/** Print every type of `btf` as C declarations, in the style of `bpftool btf dump format c`. */
export function printC(btf: Btf, opts: PrintCOptions = {}): string {
  const p = new CPrinter(btf, false);
  p.markReferenced();
  for (let id = btf.startId; id < btf.typeCount; id++) p.dumpType(id);
  const body = p.take();
  return opts.header === false ? body : HEADER + body + FOOTER;
}

/**
 * A one-line C spelling of a type: `struct task_struct`, `const char *`, `int (*)(void *)`,
 * `char [16]`; FUNC as its declaration (`int prog(struct xdp_md *ctx)`), VAR as `int x`,
 * DATASEC as `datasec .bss`, DECL_TAG as `decl_tag <name> on <target>`. Anonymous
 * structs/unions/enums print as `struct {...}`.
 */
export function describeType(btf: Btf, id: number): string {
  const p = new CPrinter(btf, true);
  const t = btf.type(id);
  switch (t.kind) {
    case 'FUNC':
      p.typeDecl(t.type, t.name, 0);
      return p.take();
    case 'VAR':
      p.typeDecl(t.type, t.name, 0);
      return p.take();
    case 'DATASEC':
      return `datasec ${t.name}`;
    case 'DECL_TAG':
      return `decl_tag ${t.name} on ${describeType(btf, t.type)}${t.componentIdx >= 0 ? ` (component ${t.componentIdx})` : ''}`;
    case 'FWD':
      return `${t.union ? 'union' : 'struct'} ${t.name}`;
    default:
      p.typeDecl(id, '', 0);
      return p.take();
  }
}
