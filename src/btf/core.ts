/**
 * CO-RE relocation engine: given a `.BTF.ext` core_relo record, the object's (local) BTF and
 * the target kernel's BTF, compute the value that replaces the instruction's immediate (or
 * memory offset), as libbpf's bpf_core_calc_relo_insn / bpf_core_patch_insn do (rules learned
 * from libbpf's relo_core.c and libbpf.c: bpf_core_parse_spec, bpf_core_spec_match,
 * bpf_core_add_cands, bpf_core_essential_name_len; this is an independent implementation).
 *
 * How a relocation is resolved:
 * 1. The access string ("0:1:2") is parsed against the local type: the first index is a
 *    pointer-arithmetic index on the root type, then member indices for structs/unions and
 *    element indices for arrays. Anonymous members are walked but only named members and
 *    array indices are "high-level" accessors matched in the target. Type-based kinds need
 *    the string "0"; enum-value kinds name one enumerator index.
 * 2. Candidates are the target types of a compatible kind (ENUM and ENUM64 are
 *    interchangeable) whose *essential* name equals the local one: the part before the last
 *    `___` flavour separator (`task_struct___v2` -> `task_struct`; the separator needs a
 *    non-underscore character on both sides).
 * 3. Each candidate is matched: fields by name through anonymous members, arrays in bounds
 *    (a zero-length trailing array is flexible), field types compatible (any two
 *    composites, pointers, floats; ints without legacy bit offsets; enums/fwds by essential
 *    name; arrays by element). Type-based kinds use libbpf's "compatible" rule, or the
 *    stricter "matches" rule for TYPE_MATCHES. Enum values match by essential name.
 * 4. All matching candidates must produce the same value (and the same bit offset for field
 *    kinds); otherwise the relocation is ambiguous, which is fatal.
 * 5. With no match: FIELD_EXISTS, ENUMVAL_EXISTS and all type-based kinds yield 0 (libbpf
 *    bpf_core_calc_type_relo returns 0 for a missing type, so TYPE_SIZE and TYPE_ID_TARGET
 *    are 0 too); the other field kinds and ENUMVAL_VALUE fail -> the caller poisons the
 *    instruction (libbpf writes `call 0xbad2310`, see {@link corePoisonInsn}).
 *
 * Fatal conditions (libbpf fails the whole load) throw {@link CoreError}: malformed access
 * strings or type ids, anonymous local root types, ambiguity, bitfields that need more than
 * a 64-bit load, and instructions that do not hold the value the local BTF predicts.
 *
 * Differences from libbpf, on purpose or unsupported:
 * - candidates are searched in one target Btf (with its base, if split) rather than
 *   "vmlinux first, then modules";
 * - candidate pruning across relocations of the same local type is done only when the same
 *   {@link CoreRelocator} is reused (libbpf's per-object candidate cache);
 * - LSHIFT_U64 uses each BTF's own byte order (libbpf uses the host's);
 * - ENUMVAL_VALUE of a 32-bit ENUM is sign-extended only when the enum is signed (libbpf
 *   always sign-extends the s32 field);
 * - value comparisons for ALU immediates use the low 32 bits.
 */
import type { Btf } from './btf.js';
import { BpfemuError } from '../util/errors.js';
import { BtfError } from './errors.js';
import { MAX_RESOLVE_DEPTH } from './kinds.js';
import { describeType } from './printc.js';
import { isAnyEnum, isComposite, type BtfComposite, type BtfType } from './types.js';

/** `enum bpf_core_relo_kind` (libbpf relo_core.h / kernel uapi bpf.h). */
export const CORE_RELO_KIND = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;

/** A CO-RE relocation kind name. */
export type CoreReloKindName = keyof typeof CORE_RELO_KIND;

const KIND_NAMES = Object.keys(CORE_RELO_KIND) as CoreReloKindName[];

/** The kind name for a kind number, or undefined when unknown. */
export function coreReloKindName(kind: number): CoreReloKindName | undefined {
  return KIND_NAMES[kind];
}

/** Maximum accessors in a spec (libbpf BPF_CORE_SPEC_MAX_LEN). */
export const CORE_SPEC_MAX_LEN = 64;

/** The helper id libbpf writes into a poisoned instruction: 0xbad2310 ("bad relo"). */
export const CORE_POISON_IMM = 0xbad2310;

/** Fatal CO-RE failures (the load fails, as in libbpf). */
export type CoreErrorCode =
  | 'CORE_BAD_RELO' // unknown kind, malformed access string, bad local type id
  | 'CORE_ANON_TYPE' // relocation against an anonymous local type
  | 'CORE_AMBIGUOUS' // candidates disagree
  | 'CORE_BITFIELD' // bitfield cannot be read with a single <= 64-bit load
  | 'CORE_BAD_TYPE' // a type needed for the computation has no size, or nests too deep
  | 'CORE_BAD_INSN'; // the instruction's form or current value does not fit the relocation

/** Error thrown for fatal CO-RE relocation failures. */
export class CoreError extends BpfemuError<CoreErrorCode> {
  readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** One relocation request (the core_relo record's fields). */
export interface CoreRelo {
  readonly typeId: number;
  readonly accessStr: string;
  readonly kind: number;
}

/**
 * The instruction being relocated, if the caller wants the patch computed and checked.
 * For ld_imm64, `imm2` is the second slot's imm.
 */
export interface CoreInsn {
  readonly code: number;
  readonly src?: number;
  readonly off: number;
  readonly imm: number;
  readonly imm2?: number;
}

/** How to patch the instruction. */
export interface CorePatch {
  /** 'imm' (ALU), 'off' (LDX/ST/STX) or 'imm64' (ld_imm64: lo -> slot 0, hi -> slot 1). */
  readonly field: 'imm' | 'off' | 'imm64';
  /** New imm (s32), off (s16 range) or the low half for imm64. */
  readonly value: number;
  readonly hi?: number;
  /** New opcode when a load/store's size changes. */
  readonly code?: number;
}

/** A successful relocation. */
export interface CoreSuccess {
  readonly ok: true;
  readonly kind: CoreReloKindName;
  /** The new value (imm, or byte offset for memory instructions); exact below 2^53. */
  readonly value: number;
  /** The new value as unsigned 64-bit halves (for ld_imm64). */
  readonly lo: number;
  readonly hi: number;
  /** The value the local BTF gives (what clang put into the instruction). */
  readonly localValue: number;
  /** Whether the instruction's current value must equal `localValue` (libbpf "validate"). */
  readonly validate: boolean;
  /** FIELD_BYTE_OFFSET on a plain field: the new access size in bytes if it differs. */
  readonly size?: number;
  /** FIELD_BYTE_OFFSET: the local field size (the access size clang used). */
  readonly localSize?: number;
  /** Changing the access size would misread the field (signed or non-pointer/int); memory instructions get poisoned. */
  readonly unsafeSize?: boolean;
  /** The matched target root type id, or 0 when nothing matched (existence kinds). */
  readonly targetId: number;
  /** Present when `insn` was given. */
  readonly patch?: CorePatch;
}

/** A relocation that could not be satisfied: the caller poisons the instruction. */
export interface CorePoison {
  readonly ok: false;
  readonly kind: CoreReloKindName;
  readonly reason: string;
}

/** Result of one relocation. */
export type CoreResult = CoreSuccess | CorePoison;

/** Inputs of {@link coreRelocate}. */
export interface CoreRelocateInput {
  readonly local: Btf;
  readonly target: Btf;
  readonly relo: CoreRelo;
  readonly insn?: CoreInsn;
}

/** The instruction libbpf substitutes for a poisoned one: `call 0xbad2310` (both ld_imm64 slots). */
export function corePoisonInsn(): { code: number; dst: number; src: number; off: number; imm: number } {
  return { code: 0x85, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM };
}

// ---- names ------------------------------------------------------------------------------

function isFlavorSep(s: string, i: number): boolean {
  return s[i] !== '_' && s[i + 1] === '_' && s[i + 2] === '_' && s[i + 3] === '_' && s[i + 4] !== '_';
}

/** The name without its `___flavour` suffix (the part before the last `X___Y` separator). */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) if (isFlavorSep(name, i)) return name.slice(0, i + 1);
  return name;
}

function namesMatch(local: string, target: string): boolean {
  if (target === '') return local === '';
  return essentialName(local) === essentialName(target);
}

function kindCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
}

// ---- specs ------------------------------------------------------------------------------

interface Accessor {
  /** Containing composite (named member) or element/root type (array index), resolved. */
  typeId: number;
  idx: number;
  /** Member or enumerator name; undefined for array indices. */
  name: string | undefined;
}

interface Spec {
  btf: Btf;
  rootId: number;
  accessors: Accessor[];
  raw: number[];
  bitOffset: number;
}

const guard = <T>(what: string, f: () => T): T => {
  try {
    return f();
  } catch (e) {
    if (e instanceof BtfError) throw new CoreError('CORE_BAD_TYPE', `${what}: ${e.message}`, { cause: e });
    throw e;
  }
};

function isFieldKind(k: number): boolean {
  return k <= CORE_RELO_KIND.FIELD_RSHIFT_U64;
}
function isTypeKind(k: number): boolean {
  return k === 6 || k === 7 || k === 8 || k === 9 || k === 12;
}
function isEnumKind(k: number): boolean {
  return k === 10 || k === 11;
}

function isFlexArray(btf: Btf, prev: Accessor | undefined, nelems: number): boolean {
  if (prev === undefined || prev.name === undefined || nelems > 0) return false;
  const t = btf.type(prev.typeId) as BtfComposite;
  return prev.idx === t.members.length - 1;
}

/** Parse the local spec from the access string (libbpf bpf_core_parse_spec rules). */
function parseSpec(btf: Btf, relo: CoreRelo, where: string): Spec {
  const s = relo.accessStr;
  const spec: Spec = { btf, rootId: relo.typeId, accessors: [], raw: [], bitOffset: 0 };
  if (!/^\d+(:\d+)*$/.test(s)) throw new CoreError('CORE_BAD_RELO', `${where}: malformed access string '${s}'`);
  if (isTypeKind(relo.kind)) {
    if (s !== '0') throw new CoreError('CORE_BAD_RELO', `${where}: type-based relocation needs access string '0', got '${s}'`);
    return spec;
  }
  const raw = s.split(':').map(Number);
  if (raw.length > CORE_SPEC_MAX_LEN) throw new CoreError('CORE_BAD_RELO', `${where}: access string longer than ${CORE_SPEC_MAX_LEN}`);
  if (raw.some((x) => x > 0x7fffffff)) throw new CoreError('CORE_BAD_RELO', `${where}: access index out of range in '${s}'`);
  spec.raw = raw;
  let id = btf.resolve(relo.typeId);
  let t = btf.type(id);
  const first = raw[0]!;
  if (isEnumKind(relo.kind)) {
    if (!isAnyEnum(t) || raw.length > 1 || first >= t.values.length) {
      throw new CoreError('CORE_BAD_RELO', `${where}: '${s}' is not an enumerator index of [${relo.typeId}] ${t.kind}`);
    }
    spec.accessors.push({ typeId: id, idx: first, name: t.values[first]!.name });
    return spec;
  }
  spec.accessors.push({ typeId: id, idx: first, name: undefined });
  spec.bitOffset = first * btf.sizeof(id) * 8;
  for (let i = 1; i < raw.length; i++) {
    id = btf.resolve(id);
    t = btf.type(id);
    const idx = raw[i]!;
    if (isComposite(t)) {
      if (idx >= t.members.length) throw new CoreError('CORE_BAD_RELO', `${where}: member index ${idx} out of range for [${id}] ${t.kind} (${t.members.length} members)`);
      const m = t.members[idx]!;
      spec.bitOffset += m.bitOffset;
      if (m.name !== '') spec.accessors.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'ARRAY') {
      const flex = isFlexArray(btf, spec.accessors[spec.accessors.length - 1], t.nelems);
      id = btf.resolve(t.type);
      if (!flex && idx >= t.nelems) throw new CoreError('CORE_BAD_RELO', `${where}: array index ${idx} out of range (${t.nelems} elements)`);
      spec.accessors.push({ typeId: id, idx, name: undefined });
      spec.bitOffset += idx * btf.sizeof(id) * 8;
    } else {
      throw new CoreError('CORE_BAD_RELO', `${where}: access index ${i} (${idx}) reaches [${id}] ${t.kind}, which has no members or elements`);
    }
  }
  return spec;
}

// ---- compatibility ----------------------------------------------------------------------

/** Field type compatibility (libbpf bpf_core_fields_are_compat rules). */
function fieldsCompat(local: Btf, lid: number, target: Btf, tid: number): boolean {
  for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
    const lt = local.resolved(lid);
    const tt = target.resolved(tid);
    if (isComposite(lt) && isComposite(tt)) return true;
    if (!kindCompat(lt, tt)) return false;
    switch (lt.kind) {
      case 'PTR':
      case 'FLOAT':
        return true;
      case 'FWD':
      case 'ENUM':
      case 'ENUM64': {
        const ln = essentialName(lt.name);
        const tn = essentialName(tt.name);
        return ln === '' || tn === '' || ln === tn;
      }
      case 'INT':
        return lt.offset === 0 && (tt as typeof lt).offset === 0;
      case 'ARRAY':
        lid = lt.type;
        tid = (tt as typeof lt).type;
        continue;
      default:
        return false;
    }
  }
  throw new CoreError('CORE_BAD_TYPE', `field types [${lid}]/[${tid}] nest deeper than ${MAX_RESOLVE_DEPTH}`);
}

/** Type compatibility for TYPE_* kinds (libbpf __bpf_core_types_are_compat rules). */
function typesCompat(local: Btf, lid: number, target: Btf, tid: number, level: number): boolean {
  if (!kindCompat(local.type(lid), target.type(tid))) return false;
  for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
    lid = local.resolve(lid);
    tid = target.resolve(tid);
    const lt = local.type(lid);
    const tt = target.type(tid);
    if (!kindCompat(lt, tt)) return false;
    switch (lt.kind) {
      case 'VOID':
      case 'STRUCT':
      case 'UNION':
      case 'ENUM':
      case 'ENUM64':
      case 'FWD':
        return true;
      case 'INT':
        return lt.offset === 0 && (tt as typeof lt).offset === 0;
      case 'PTR':
      case 'ARRAY':
        lid = lt.type;
        tid = (tt as typeof lt).type;
        continue;
      case 'FUNC_PROTO': {
        const tp = tt as typeof lt;
        if (lt.params.length !== tp.params.length) return false;
        for (let i = 0; i < lt.params.length; i++) {
          if (level <= 0) throw new CoreError('CORE_BAD_TYPE', `function prototypes nest deeper than ${MAX_RESOLVE_DEPTH}`);
          if (!typesCompat(local, local.resolve(lt.params[i]!.type), target, target.resolve(tp.params[i]!.type), level - 1)) return false;
        }
        lid = lt.returnType;
        tid = tp.returnType;
        continue;
      }
      default:
        return false;
    }
  }
  throw new CoreError('CORE_BAD_TYPE', `types [${lid}]/[${tid}] nest deeper than ${MAX_RESOLVE_DEPTH}`);
}

/** The stricter TYPE_MATCHES relation (libbpf __bpf_core_types_match rules). */
function typesMatch(local: Btf, lid: number, target: Btf, tid: number, behindPtr: boolean, level: number): boolean {
  if (level <= 0) throw new CoreError('CORE_BAD_TYPE', `types nest deeper than ${MAX_RESOLVE_DEPTH} (type match)`);
  for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
    lid = local.resolve(lid);
    tid = target.resolve(tid);
    const lt = local.type(lid);
    const tt = target.type(tid);
    if (!namesMatch(lt.name, tt.name)) return false;
    switch (lt.kind) {
      case 'VOID':
        return tt.kind === 'VOID';
      case 'FWD':
        if (tt.kind === 'FWD') return lt.union === tt.union;
        if (!behindPtr) return false;
        return (tt.kind === 'STRUCT' && !lt.union) || (tt.kind === 'UNION' && lt.union);
      case 'ENUM':
      case 'ENUM64': {
        if (!isAnyEnum(tt) || lt.size !== tt.size || lt.values.length > tt.values.length) return false;
        return lt.values.every((lv) => tt.values.some((tv) => namesMatch(lv.name, tv.name)));
      }
      case 'STRUCT':
      case 'UNION':
        if (behindPtr) {
          if (tt.kind === lt.kind) return true;
          return tt.kind === 'FWD' && tt.union === (lt.kind === 'UNION');
        }
        if (tt.kind !== lt.kind) return false;
        if (lt.members.length > tt.members.length) return false;
        for (const lm of lt.members) {
          let found = false;
          for (const tm of tt.members) {
            if (!namesMatch(lm.name, tm.name)) continue;
            if (typesMatch(local, lm.type, target, tm.type, behindPtr, level - 1)) {
              found = true;
              break;
            }
          }
          if (!found) return false;
        }
        return true;
      case 'INT':
        return tt.kind === 'INT' && lt.size === tt.size && lt.signed === tt.signed;
      case 'PTR':
        if (tt.kind !== 'PTR') return false;
        behindPtr = true;
        lid = lt.type;
        tid = tt.type;
        continue;
      case 'ARRAY':
        if (tt.kind !== 'ARRAY' || lt.nelems !== tt.nelems) return false;
        lid = lt.type;
        tid = tt.type;
        continue;
      case 'FUNC_PROTO': {
        if (tt.kind !== 'FUNC_PROTO' || lt.params.length !== tt.params.length) return false;
        for (let i = 0; i < lt.params.length; i++) {
          if (!typesMatch(local, lt.params[i]!.type, target, tt.params[i]!.type, behindPtr, level - 1)) return false;
        }
        lid = lt.returnType;
        tid = tt.returnType;
        continue;
      }
      default:
        return false;
    }
  }
  throw new CoreError('CORE_BAD_TYPE', `types [${lid}]/[${tid}] nest deeper than ${MAX_RESOLVE_DEPTH} (type match)`);
}

// ---- target matching --------------------------------------------------------------------

/** Find the local accessor's member in target composite `tid`, descending into anonymous members. */
function matchMember(local: Btf, lacc: Accessor, target: Btf, tid: number, spec: Spec): number | undefined {
  tid = target.resolve(tid);
  const tt = target.type(tid);
  if (!isComposite(tt)) return undefined;
  const lm = (local.type(lacc.typeId) as BtfComposite).members[lacc.idx]!;
  for (let i = 0; i < tt.members.length; i++) {
    const m = tt.members[i]!;
    if (spec.raw.length === CORE_SPEC_MAX_LEN) throw new CoreError('CORE_BAD_TYPE', `target nesting exceeds ${CORE_SPEC_MAX_LEN} accessors`);
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (m.name === '') {
      const found = matchMember(local, lacc, target, m.type, spec);
      if (found !== undefined) return found;
    } else if (m.name === lm.name) {
      if (!fieldsCompat(local, lm.type, target, m.type)) return undefined;
      spec.accessors.push({ typeId: tid, idx: i, name: m.name });
      return m.type;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return undefined;
}

/** Match the local spec against candidate `cand`; undefined when it does not match. */
function matchSpec(ls: Spec, kind: number, target: Btf, cand: number): Spec | undefined {
  const spec: Spec = { btf: target, rootId: cand, accessors: [], raw: [], bitOffset: 0 };
  const local = ls.btf;
  if (isTypeKind(kind)) {
    const ok = kind === CORE_RELO_KIND.TYPE_MATCHES ? typesMatch(local, ls.rootId, target, cand, false, MAX_RESOLVE_DEPTH) : typesCompat(local, ls.rootId, target, cand, MAX_RESOLVE_DEPTH);
    return ok ? spec : undefined;
  }
  if (isEnumKind(kind)) {
    const tid = target.resolve(cand);
    const tt = target.type(tid);
    if (!isAnyEnum(tt)) return undefined;
    const want = essentialName(ls.accessors[0]!.name!);
    const idx = tt.values.findIndex((v) => essentialName(v.name) === want);
    if (idx < 0) return undefined;
    spec.accessors.push({ typeId: tid, idx, name: tt.values[idx]!.name });
    spec.raw.push(idx);
    return spec;
  }
  let tid = cand;
  for (let i = 0; i < ls.accessors.length; i++) {
    const la = ls.accessors[i]!;
    tid = target.resolve(tid);
    if (la.name !== undefined) {
      const next = matchMember(local, la, target, tid, spec);
      if (next === undefined) return undefined;
      tid = next;
      continue;
    }
    if (i > 0) {
      const tt = target.type(tid);
      if (tt.kind !== 'ARRAY') return undefined;
      const flex = isFlexArray(target, spec.accessors[spec.accessors.length - 1], tt.nelems);
      if (!flex && la.idx >= tt.nelems) return undefined;
      tid = target.resolve(tt.type);
    }
    if (spec.raw.length === CORE_SPEC_MAX_LEN) throw new CoreError('CORE_BAD_TYPE', `target nesting exceeds ${CORE_SPEC_MAX_LEN} accessors`);
    spec.accessors.push({ typeId: tid, idx: la.idx, name: undefined });
    spec.raw.push(la.idx);
    spec.bitOffset += la.idx * target.sizeof(tid) * 8;
  }
  return spec;
}

// ---- value computation ------------------------------------------------------------------

interface Calc {
  poison: boolean;
  /** Signed or unsigned value as a JS number (exact below 2^53). */
  value: number;
  lo: number;
  hi: number;
  validate: boolean;
  /** Access size for FIELD_BYTE_OFFSET (0 = not a plain field). */
  size: number;
  /** Resolved field type id for FIELD_BYTE_OFFSET (for the size-change safety rule). */
  sizeTypeId: number;
}

function num(value: number, validate = true): Calc {
  const lo = value >>> 0;
  const hi = Math.floor(value / 0x1_0000_0000) >>> 0; // two's complement for negatives
  return { poison: false, value, lo, hi, validate, size: 0, sizeTypeId: 0 };
}

const POISON: Calc = { poison: true, value: 0, lo: 0, hi: 0, validate: true, size: 0, sizeTypeId: 0 };

/** Size of the innermost element type (arrays are accessed element by element). */
function elementSize(btf: Btf, id: number): number {
  let t = btf.resolved(id);
  let eid = btf.resolve(id);
  for (let i = 0; t.kind === 'ARRAY' && i <= MAX_RESOLVE_DEPTH; i++) {
    eid = btf.resolve(t.type);
    t = btf.type(eid);
  }
  return btf.sizeof(eid);
}

function calcField(kind: number, spec: Spec | undefined, where: string): Calc {
  if (kind === CORE_RELO_KIND.FIELD_EXISTS) return num(spec === undefined ? 0 : 1);
  if (spec === undefined) return POISON;
  const btf = spec.btf;
  const acc = spec.accessors[spec.accessors.length - 1]!;
  if (acc.name === undefined) {
    // the access ends on an array element (or the root): only offset and size make sense
    if (kind === CORE_RELO_KIND.FIELD_BYTE_OFFSET) {
      const c = num(spec.bitOffset / 8);
      c.size = elementSize(btf, acc.typeId);
      c.sizeTypeId = btf.resolve(acc.typeId);
      return c;
    }
    if (kind === CORE_RELO_KIND.FIELD_BYTE_SIZE) return num(btf.sizeof(acc.typeId));
    throw new CoreError('CORE_BAD_RELO', `${where}: ${KIND_NAMES[kind]} cannot be applied to an array element access`);
  }
  const owner = btf.type(acc.typeId) as BtfComposite;
  const m = owner.members[acc.idx]!;
  const mtId = btf.resolve(m.type);
  const mt = btf.type(mtId);
  const bitOff = spec.bitOffset;
  let bitSz = m.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    if (mt.kind !== 'INT' && !isAnyEnum(mt)) throw new CoreError('CORE_BAD_TYPE', `${where}: bitfield of non-integer type ${mt.kind}`);
    byteSz = mt.size;
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    // widen the load until it covers the whole bitfield
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new CoreError('CORE_BITFIELD', `${where}: bitfield at bit ${bitOff} (+${bitSz}) cannot be read with a 64-bit load`);
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = btf.sizeof(mtId);
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  switch (kind) {
    case CORE_RELO_KIND.FIELD_BYTE_OFFSET: {
      const c = num(byteOff, !bitfield);
      if (!bitfield) {
        c.size = elementSize(btf, mtId);
        c.sizeTypeId = mtId;
      }
      return c;
    }
    case CORE_RELO_KIND.FIELD_BYTE_SIZE:
      return num(byteSz, !bitfield);
    case CORE_RELO_KIND.FIELD_SIGNED:
      return num((isAnyEnum(mt) && mt.signed) || (mt.kind === 'INT' && mt.signed) ? 1 : 0);
    case CORE_RELO_KIND.FIELD_LSHIFT_U64:
      return num(btf.littleEndian ? 64 - (bitOff + bitSz - byteOff * 8) : (8 - byteSz) * 8 + (bitOff - byteOff * 8), !bitfield);
    default: // FIELD_RSHIFT_U64
      return num(64 - bitSz);
  }
}

function calcType(kind: number, spec: Spec | undefined): Calc {
  if (spec === undefined) return num(0);
  switch (kind) {
    case CORE_RELO_KIND.TYPE_ID_TARGET:
      return num(spec.rootId, false);
    case CORE_RELO_KIND.TYPE_SIZE:
      return num(spec.btf.sizeof(spec.rootId));
    default: // TYPE_EXISTS, TYPE_MATCHES
      return num(1);
  }
}

function calcEnum(kind: number, spec: Spec | undefined): Calc {
  if (kind === CORE_RELO_KIND.ENUMVAL_EXISTS) return num(spec === undefined ? 0 : 1);
  if (spec === undefined) return POISON;
  const acc = spec.accessors[0]!;
  const t = spec.btf.type(acc.typeId);
  if (t.kind === 'ENUM') {
    const v = t.values[acc.idx]!.value;
    return num(t.signed ? v | 0 : v >>> 0);
  }
  if (t.kind !== 'ENUM64') throw new CoreError('CORE_BAD_TYPE', `enumerator owner [${acc.typeId}] is ${t.kind}`);
  const v = t.values[acc.idx]!;
  const neg = t.signed && v.hi >= 0x80000000;
  const value = neg ? -((0xffffffff - v.hi) * 0x1_0000_0000 + (0x1_0000_0000 - v.lo)) : v.hi * 0x1_0000_0000 + v.lo;
  return { poison: false, value, lo: v.lo, hi: v.hi, validate: true, size: 0, sizeTypeId: 0 };
}

function calc(kind: number, spec: Spec | undefined, where: string): Calc {
  if (isFieldKind(kind)) return calcField(kind, spec, where);
  if (isEnumKind(kind)) return calcEnum(kind, spec);
  return calcType(kind, spec);
}

/** True when a load of the new size still reads the same value: pointers, unsigned ints. */
function sizeChangeSafe(local: Btf, lid: number, target: Btf, tid: number): boolean {
  const lt = local.type(lid);
  const tt = target.type(tid);
  if (lt.kind === 'PTR' && tt.kind === 'PTR') return true;
  return lt.kind === 'INT' && tt.kind === 'INT' && !lt.signed && !tt.signed;
}

// ---- the engine -------------------------------------------------------------------------

const essentialIndex = new WeakMap<Btf, Map<string, number[]>>();

/** Target ids by essential name, built once per target Btf. */
function candidatesByName(target: Btf, name: string): readonly number[] {
  let idx = essentialIndex.get(target);
  if (idx === undefined) {
    idx = new Map();
    for (let id = 1; id < target.typeCount; id++) {
      const n = target.type(id).name;
      if (n === '') continue;
      const e = essentialName(n);
      const l = idx.get(e);
      if (l === undefined) idx.set(e, [id]);
      else l.push(id);
    }
    essentialIndex.set(target, idx);
  }
  return idx.get(name) ?? [];
}

function sizeBits(bytes: number): number | undefined {
  return bytes === 8 ? 0x18 : bytes === 4 ? 0x00 : bytes === 2 ? 0x08 : bytes === 1 ? 0x10 : undefined;
}

function sizeBytes(code: number): number {
  return [4, 2, 1, 8][(code >> 3) & 3]!;
}

/**
 * A relocation session over one local and one target BTF. Reusing it for all relocations of
 * an object reproduces libbpf's candidate cache: candidates that fail to match a relocation
 * are dropped for later relocations of the same local type.
 */
export class CoreRelocator {
  private readonly cands = new Map<number, number[]>();

  constructor(
    readonly local: Btf,
    readonly target: Btf,
  ) {}

  /** Resolve one relocation (see the module comment for the rules). */
  relocate(relo: CoreRelo, insn?: CoreInsn): CoreResult {
    const kindName = coreReloKindName(relo.kind);
    const where = `relo ${kindName ?? relo.kind} [${relo.typeId}] '${relo.accessStr}'`;
    if (kindName === undefined) throw new CoreError('CORE_BAD_RELO', `${where}: unknown relocation kind ${relo.kind}`);
    if (!this.local.has(relo.typeId)) throw new CoreError('CORE_BAD_RELO', `${where}: local type id out of range (${this.local.typeCount} types)`);
    const localSpec = guard(where, () => parseSpec(this.local, relo, where));
    const localType = this.local.type(relo.typeId);
    let described: string | undefined;
    const label = (): string => (described ??= `${where} (${guard(where, () => describeType(this.local, relo.typeId))})`);

    if (relo.kind === CORE_RELO_KIND.TYPE_ID_LOCAL) {
      const c = num(relo.typeId, false);
      return this.finish(kindName, c, c, relo.typeId, insn, label, false);
    }
    if (localType.name === '') throw new CoreError('CORE_ANON_TYPE', `${label()}: relocations against anonymous types are not supported`);

    let cands = this.cands.get(relo.typeId);
    if (cands === undefined) {
      const want = essentialName(localType.name);
      cands = candidatesByName(this.target, want).filter((id) => kindCompat(this.target.type(id), localType));
    }
    let chosen: { spec: Spec; calc: Calc; local: Calc } | undefined;
    const kept: number[] = [];
    for (const cand of cands) {
      const spec = guard(where, () => matchSpec(localSpec, relo.kind, this.target, cand));
      if (spec === undefined) continue;
      const lc = guard(where, () => calc(relo.kind, localSpec, where));
      const tc = guard(where, () => calc(relo.kind, spec, where));
      if (chosen === undefined) {
        chosen = { spec, calc: tc, local: lc };
      } else if (isFieldKind(relo.kind) && spec.bitOffset !== chosen.spec.bitOffset) {
        throw new CoreError('CORE_AMBIGUOUS', `${label()}: field offset ambiguity between candidates [${chosen.spec.rootId}] (bit ${chosen.spec.bitOffset}) and [${cand}] (bit ${spec.bitOffset})`);
      } else if (tc.poison !== chosen.calc.poison || tc.lo !== chosen.calc.lo || tc.hi !== chosen.calc.hi) {
        throw new CoreError('CORE_AMBIGUOUS', `${label()}: candidates [${chosen.spec.rootId}] and [${cand}] give different values (${chosen.calc.value} vs ${tc.value})`);
      }
      kept.push(cand);
    }
    // libbpf keeps the candidate list unchanged when nothing matched
    this.cands.set(relo.typeId, kept.length > 0 ? kept : cands);

    if (chosen === undefined) {
      const lc = guard(where, () => calc(relo.kind, localSpec, where));
      const tc = guard(where, () => calc(relo.kind, undefined, where));
      if (tc.poison) return { ok: false, kind: kindName, reason: `${label()}: no matching target type or field in the target BTF` };
      return this.finish(kindName, lc, tc, 0, insn, label, false);
    }
    let unsafe = false;
    if (relo.kind === CORE_RELO_KIND.FIELD_BYTE_OFFSET && chosen.local.size !== chosen.calc.size && chosen.local.size !== 0) {
      unsafe = !sizeChangeSafe(this.local, chosen.local.sizeTypeId, this.target, chosen.calc.sizeTypeId);
    }
    return this.finish(kindName, chosen.local, chosen.calc, chosen.spec.rootId, insn, label, unsafe);
  }

  private finish(kind: CoreReloKindName, lc: Calc, tc: Calc, targetId: number, insn: CoreInsn | undefined, label: () => string, unsafe: boolean): CoreResult {
    const base = {
      ok: true as const,
      kind,
      value: tc.value,
      lo: tc.lo,
      hi: tc.hi,
      localValue: lc.value,
      validate: lc.validate,
      targetId,
    };
    const sized =
      lc.size === 0
        ? {}
        : { localSize: lc.size, ...(tc.size !== 0 && tc.size !== lc.size ? { size: tc.size } : {}), ...(unsafe ? { unsafeSize: true } : {}) };
    const res: CoreSuccess = { ...base, ...sized };
    if (insn === undefined) return res;
    return this.patch(res, lc, tc, insn, label);
  }

  /** Check the instruction against the local value and compute its patch (libbpf bpf_core_patch_insn). */
  private patch(res: CoreSuccess, lc: Calc, tc: Calc, insn: CoreInsn, label: () => string): CoreResult {
    const cls = insn.code & 7;
    const bad = (msg: string) => new CoreError('CORE_BAD_INSN', `${label()}: ${msg}`);
    switch (cls) {
      case 4: // ALU
      case 7: {
        // ALU64
        if ((insn.code & 0x08) !== 0) throw bad(`ALU instruction 0x${insn.code.toString(16)} has no immediate operand`);
        if (lc.validate && (insn.imm | 0) !== (lc.lo | 0)) throw bad(`instruction imm ${insn.imm}, expected ${lc.value}`);
        return { ...res, patch: { field: 'imm', value: tc.lo | 0 } };
      }
      case 1: // LDX
      case 2: // ST
      case 3: {
        // STX
        if (lc.validate && insn.off !== lc.value) throw bad(`instruction offset ${insn.off}, expected ${lc.value}`);
        if (tc.value > 0x7fff) throw bad(`new offset ${tc.value} does not fit the 16-bit offset field`);
        if (res.unsafeSize === true) {
          return { ok: false, kind: res.kind, reason: `${label()}: field size changes from ${lc.size} to ${tc.size} bytes and the field is not a pointer or unsigned integer` };
        }
        let code: number | undefined;
        if (lc.size !== tc.size) {
          if (sizeBytes(insn.code) !== lc.size) throw bad(`instruction accesses ${sizeBytes(insn.code)} bytes, expected ${lc.size}`);
          const bits = sizeBits(tc.size);
          if (bits === undefined) throw bad(`new access size ${tc.size} is not 1, 2, 4 or 8 bytes`);
          code = (insn.code & ~0x18) | bits;
        }
        return { ...res, patch: code === undefined ? { field: 'off', value: tc.value } : { field: 'off', value: tc.value, code } };
      }
      case 0: {
        // LD: only ld_imm64 with plain 64-bit immediate
        if (insn.code !== 0x18 || (insn.src ?? 0) !== 0 || insn.off !== 0) throw bad('ld_imm64 has an unexpected form');
        if (lc.validate && ((insn.imm >>> 0) !== lc.lo || ((insn.imm2 ?? 0) >>> 0) !== lc.hi)) throw bad(`ld_imm64 value does not match expected ${lc.value}`);
        return { ...res, patch: { field: 'imm64', value: tc.lo | 0, hi: tc.hi | 0 } };
      }
      default:
        throw bad(`cannot relocate instruction with opcode 0x${insn.code.toString(16)}`);
    }
  }
}

/** Resolve one CO-RE relocation (a fresh {@link CoreRelocator}, so no candidate pruning). */
export function coreRelocate(input: CoreRelocateInput): CoreResult {
  return new CoreRelocator(input.local, input.target).relocate(input.relo, input.insn);
}
