/**
 * Model-level validation shared by {@link parseBtf} and `Btf.fromTypes`: value ranges, type
 * ids in range, kind requirements between types, and bounded, acyclic reference chains.
 *
 * Rules follow the kernel's btf_check_meta/resolve passes (kernel/bpf/btf.c) where they make
 * sense for a reader: INT sizes and encodings, ENUM/FLOAT sizes, union members at offset 0,
 * bitfields inside their struct, FUNC -> FUNC_PROTO, DATASEC -> VAR (or FUNC for `.ksyms`,
 * as libbpf produces), DECL_TAG component indices, void only as the last (variadic)
 * parameter. Identifier spelling is not checked. Member offsets of non-bitfields against the
 * struct size are not checked (clang's `.maps` structs and vmlinux obey them; queries stay
 * safe without it).
 *
 * Reference chains (PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, ARRAY element, VAR,
 * FUNC, DECL_TAG, FUNC_PROTO return type) form a functional graph; a cycle is BTF_LOOP and a chain longer than
 * MAX_RESOLVE_DEPTH is BTF_TOO_DEEP (the kernel's resolve stack has the same bound).
 */
import { MAX_RESOLVE_DEPTH } from './kinds.js';
import { BtfError } from './errors.js';
import type { BtfType } from './types.js';

/** Lookup used during validation: any id below `count` (base ids included). */
export interface TypeLookup {
  count: number;
  get(id: number): BtfType;
  /** Chain depth of an id below the own range (from the base), or undefined to compute. */
  baseDepth(id: number): number;
}

const isU32 = (x: number) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff;

function label(t: BtfType): string {
  return `type [${t.id}] ${t.kind}${t.name === '' ? '' : ` '${t.name}'`}`;
}

function bad(t: BtfType, msg: string): BtfError {
  return new BtfError('BTF_BAD_TYPE', `${label(t)}: ${msg}`);
}

/** The next id in a type's reference chain, or -1 when the kind ends chains. */
export function chainNext(t: BtfType): number {
  switch (t.kind) {
    case 'PTR':
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
    case 'ARRAY':
    case 'VAR':
    case 'FUNC':
    case 'DECL_TAG':
      return t.type;
    case 'FUNC_PROTO':
      return t.returnType;
    default:
      return -1;
  }
}

/** Value-range and kind checks for one type in isolation. */
export function checkTypeShape(t: BtfType): void {
  const u32 = (x: number, what: string) => {
    if (!isU32(x)) throw bad(t, `${what} ${x} is not a u32`);
  };
  switch (t.kind) {
    case 'VOID':
      throw bad(t, 'void is not a real type');
    case 'INT': {
      if (![1, 2, 4, 8, 16].includes(t.size)) throw bad(t, `size ${t.size} is not 1, 2, 4, 8 or 16`);
      if (!Number.isInteger(t.bits) || t.bits < 0 || t.bits > 128) throw bad(t, `nr_bits ${t.bits} exceeds 128`);
      if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset > 255) throw bad(t, `bits_offset ${t.offset} out of range`);
      if (t.offset + t.bits > t.size * 8) throw bad(t, `bits_offset ${t.offset} + nr_bits ${t.bits} exceed size ${t.size}`);
      if (Number(t.signed) + Number(t.char) + Number(t.bool) > 1) throw bad(t, 'more than one encoding flag');
      return;
    }
    case 'PTR':
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
      u32(t.type, 'type');
      return;
    case 'ARRAY':
      u32(t.type, 'element type');
      u32(t.indexType, 'index type');
      u32(t.nelems, 'nelems');
      return;
    case 'STRUCT':
    case 'UNION': {
      u32(t.size, 'size');
      if (t.members.length > 0xffff) throw bad(t, `${t.members.length} members exceed vlen`);
      t.members.forEach((m, i) => {
        u32(m.type, `member ${i} type`);
        if (t.kflag) {
          if (!Number.isInteger(m.bitOffset) || m.bitOffset < 0 || m.bitOffset > 0xffffff) throw bad(t, `member ${i}: bit offset ${m.bitOffset} does not fit 24 bits`);
          if (!Number.isInteger(m.bitfieldSize) || m.bitfieldSize < 0 || m.bitfieldSize > 128) throw bad(t, `member ${i}: bitfield size ${m.bitfieldSize} exceeds 128`);
        } else {
          u32(m.bitOffset, `member ${i} bit offset`);
          if (m.bitfieldSize !== 0) throw bad(t, `member ${i}: bitfield size without kind_flag`);
        }
        if (t.kind === 'UNION' && m.bitOffset !== 0) throw bad(t, `member ${i}: union member at bit offset ${m.bitOffset}`);
        if (m.bitfieldSize > 0 && m.bitOffset + m.bitfieldSize > t.size * 8) {
          throw bad(t, `member ${i}: bitfield [${m.bitOffset}, +${m.bitfieldSize}) outside ${t.size} bytes`);
        }
      });
      return;
    }
    case 'ENUM':
    case 'ENUM64': {
      if (![1, 2, 4, 8].includes(t.size)) throw bad(t, `size ${t.size} is not 1, 2, 4 or 8`);
      if (t.values.length > 0xffff) throw bad(t, `${t.values.length} values exceed vlen`);
      if (t.kind === 'ENUM') {
        for (const v of t.values) {
          if (!Number.isInteger(v.value) || v.value < -0x80000000 || v.value > 0xffffffff) throw bad(t, `value ${v.value} of '${v.name}' is not 32-bit`);
        }
      } else {
        for (const v of t.values) if (!isU32(v.lo) || !isU32(v.hi)) throw bad(t, `value of '${v.name}' has invalid halves`);
      }
      return;
    }
    case 'FWD':
      return;
    case 'FUNC':
      u32(t.type, 'type');
      return;
    case 'FUNC_PROTO': {
      u32(t.returnType, 'return type');
      if (t.params.length > 0xffff) throw bad(t, `${t.params.length} params exceed vlen`);
      t.params.forEach((p, i) => {
        u32(p.type, `param ${i} type`);
        if (p.type === 0 && (i !== t.params.length - 1 || p.name !== '')) throw bad(t, `param ${i}: void is only allowed as the last, unnamed (variadic) parameter`);
      });
      return;
    }
    case 'VAR':
      u32(t.type, 'type');
      return;
    case 'DATASEC': {
      u32(t.size, 'size');
      if (t.vars.length > 0xffff) throw bad(t, `${t.vars.length} vars exceed vlen`);
      t.vars.forEach((v, i) => {
        u32(v.type, `var ${i} type`);
        u32(v.offset, `var ${i} offset`);
        u32(v.size, `var ${i} size`);
        // clang leaves size 0 until btf_fixup_datasec; only a sized section can be checked.
        if (t.size !== 0 && v.offset + v.size > t.size) throw bad(t, `var ${i} [${v.offset}, +${v.size}) outside section size ${t.size}`);
      });
      return;
    }
    case 'FLOAT':
      if (![2, 4, 8, 12, 16].includes(t.size)) throw bad(t, `size ${t.size} is not 2, 4, 8, 12 or 16`);
      return;
    case 'DECL_TAG':
      u32(t.type, 'type');
      if (!Number.isInteger(t.componentIdx) || t.componentIdx < -1 || t.componentIdx > 0x7fffffff) throw bad(t, `component_idx ${t.componentIdx} is invalid`);
      return;
  }
}

/**
 * Validate own types `[start, start + types.length)` against `lookup` (which also covers base
 * ids). Returns the chain depth of each own type.
 */
export function validateTypes(types: readonly BtfType[], start: number, lookup: TypeLookup): Uint8Array {
  const n = types.length;
  for (let i = 0; i < n; i++) {
    const t = types[i]!;
    if (t.id !== start + i) throw new BtfError('BTF_BAD_ID', `type at index ${i} has id ${t.id}, expected ${start + i}`);
    checkTypeShape(t);
  }
  const get = (t: BtfType, id: number, what: string): BtfType => {
    if (!Number.isInteger(id) || id < 0 || id >= lookup.count) {
      throw new BtfError('BTF_BAD_ID', `${label(t)}: ${what} type id ${id} out of range (${lookup.count} types)`);
    }
    return lookup.get(id);
  };
  for (const t of types) {
    switch (t.kind) {
      case 'STRUCT':
      case 'UNION':
        t.members.forEach((m, i) => get(t, m.type, `member ${i}`));
        break;
      case 'ARRAY':
        get(t, t.type, 'element');
        get(t, t.indexType, 'index');
        break;
      case 'FUNC_PROTO':
        get(t, t.returnType, 'return');
        t.params.forEach((p, i) => get(t, p.type, `param ${i}`));
        break;
      case 'FUNC': {
        const p = get(t, t.type, 'prototype');
        if (p.kind !== 'FUNC_PROTO') throw new BtfError('BTF_BAD_ID', `${label(t)}: type [${t.type}] is ${p.kind}, not FUNC_PROTO`);
        break;
      }
      case 'DATASEC':
        t.vars.forEach((v, i) => {
          const vt = get(t, v.type, `var ${i}`);
          if (vt.kind !== 'VAR' && vt.kind !== 'FUNC') throw new BtfError('BTF_BAD_ID', `${label(t)}: var ${i} [${v.type}] is ${vt.kind}, not VAR or FUNC`);
        });
        break;
      case 'DECL_TAG': {
        const target = get(t, t.type, 'target');
        const k = target.kind;
        if (k !== 'STRUCT' && k !== 'UNION' && k !== 'VAR' && k !== 'FUNC' && k !== 'TYPEDEF') {
          throw new BtfError('BTF_BAD_ID', `${label(t)}: target [${t.type}] is ${k}, which cannot be tagged`);
        }
        if (t.componentIdx >= 0) {
          let count = -1;
          if (target.kind === 'STRUCT' || target.kind === 'UNION') count = target.members.length;
          else if (target.kind === 'FUNC') {
            const proto = get(target, target.type, 'prototype');
            if (proto.kind === 'FUNC_PROTO') count = proto.params.length;
          }
          if (t.componentIdx >= count) throw new BtfError('BTF_BAD_ID', `${label(t)}: component_idx ${t.componentIdx} out of range for ${k} [${t.type}]`);
        }
        break;
      }
      case 'VAR':
      case 'PTR':
      case 'TYPEDEF':
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
      case 'TYPE_TAG':
        get(t, t.type, 'referenced');
        break;
      default:
        break;
    }
  }

  // Chain depths, iteratively (a crafted chain may be as long as the type count).
  const depth = new Uint8Array(n); // depth + 1 once known, 0 = unknown
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    if (depth[i] !== 0) continue;
    let cur = start + i;
    let d = 0;
    for (;;) {
      const k = cur - start;
      if (cur < start) {
        d = cur === 0 ? 0 : lookup.baseDepth(cur);
        break;
      }
      if (depth[k] !== 0) {
        d = depth[k]! - 1;
        break;
      }
      if (onStack[k] !== 0) {
        const t = types[k]!;
        throw new BtfError('BTF_LOOP', `${label(t)}: reference loop through type [${cur}]`);
      }
      const next = chainNext(types[k]!);
      if (next < 0) {
        depth[k] = 1;
        d = 0;
        break;
      }
      onStack[k] = 1;
      stack.push(k);
      cur = next;
    }
    while (stack.length > 0) {
      const k = stack.pop()!;
      onStack[k] = 0;
      d++;
      if (d > MAX_RESOLVE_DEPTH) {
        const t = types[k]!;
        throw new BtfError('BTF_TOO_DEEP', `${label(t)}: reference chain deeper than ${MAX_RESOLVE_DEPTH}`);
      }
      depth[k] = d + 1;
    }
  }
  for (let i = 0; i < n; i++) depth[i] = depth[i]! - 1;
  return depth;
}

/** Human label for messages: `type [5] STRUCT 'foo'`. */
export function typeLabel(t: BtfType): string {
  return label(t);
}
