/**
 * Assembler for the mnemonic dialect of the public bpf_conformance / uBPF test files, with labels.
 *
 * One instruction per line; `#`, `;` and `//` start comments; `name:` defines a label (alone on its
 * line or before an instruction). Registers are `%rN` or `rN` (N = 0..10). Operands:
 *
 *   add dst, src|imm            ALU64 (also `add64`); `add32` for ALU; sdiv/smod set off = 1
 *   neg dst / le16 dst          one register; byte swaps are le16/32/64, be16/32/64, bswap16/32/64
 *   movsx1632 dst, src          movsx<from bits><to bits>
 *   addr_space_cast dst, src, dst_as, src_as    ALU64 MOV X off = 1, imm = dst_as << 16 | src_as
 *   jeq dst, src|imm, target    target = +N | -N | N | label; `ja target`, `ja32 target`
 *   call N | call helper N      helper call (src 0);  `call %rN` / `call helper %rN`: callx
 *   call local target           local call (src 1);   `call kfunc N[, M]` / `call runtime N`: kfunc
 *   ldxw dst, [src+off]         also ldxsb/ldxsh/ldxsw;  stw [dst+off], imm;  stxw [dst-8], src
 *   lock [fetch] add32 [dst+off], src     also or/and/xor, xchg, cmpxchg (no suffix or `64`: 64-bit)
 *   ldxacqw dst, [src+off]      load-acquire;  stxrelw [dst+off], src: store-release (b/h/w/dw)
 *   lddw dst, imm64             hex is an unsigned 64-bit pattern, decimal may be negative
 *   lddw dst, map_fd N | map_idx N | map_value N OFF | map_idx_value N OFF | var N | code target
 *   ldabsw imm / ldindw src, imm          legacy packet loads (b/h/w)
 *   may_goto target;  exit;  .raw 0xDWORD[, ...]   (raw slots, as in a conformance `-- raw` section)
 *
 * A 32-bit immediate may be written signed (-2^31..2^31-1) or as its unsigned bit pattern (up to
 * 0xffffffff); anything outside is an error, never truncated. As in bpf_conformance, the first
 * `exit` defines the label `exit` unless the program defines one itself.
 */
import { BpfemuError } from '../util/errors.js';
import type { RawInsn } from './insn.js';
import { LDDW, writeInsns } from './insn.js';
import {
  ATOMIC_CMPXCHG,
  ATOMIC_FETCH,
  ATOMIC_LOAD_ACQ,
  ATOMIC_OPS,
  ATOMIC_STORE_REL,
  ATOMIC_XCHG,
  CLS_JMP,
  CLS_STX,
  JMP_CALL,
  JMP_EXIT,
  LDDW_CODE,
  LDDW_IMM64,
  LDDW_MAP_FD,
  LDDW_MAP_IDX,
  LDDW_MAP_IDX_VALUE,
  LDDW_MAP_VALUE,
  LDDW_VARIABLE,
  MODE_ATOMIC,
  OPCODES,
  PSEUDO_CALL_HELPER,
  PSEUDO_CALL_KFUNC,
  PSEUDO_CALL_LOCAL,
  SRC_X,
  SZ_B,
  SZ_DW,
  SZ_H,
  SZ_W,
  type OpcodeSpec,
} from './opcodes.js';

/** Error codes of the assembler. */
export type AsmErrorCode =
  /** A line that does not parse (bad memory operand, stray characters, empty operand). */
  | 'SYNTAX'
  | 'UNKNOWN_MNEMONIC'
  | 'OPERAND_COUNT'
  /** Not a register, or a register above r10. */
  | 'BAD_REGISTER'
  /** Not a number where one is required. */
  | 'BAD_NUMBER'
  /** An immediate, offset or jump distance that does not fit its field. */
  | 'OUT_OF_RANGE'
  | 'UNKNOWN_LABEL'
  | 'DUPLICATE_LABEL';

/** A line the assembler rejects; `line` is 1-based (shifted by the `lineOffset` option). */
export class AsmError extends BpfemuError<AsmErrorCode> {
  constructor(
    readonly code: AsmErrorCode,
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

/** Options of {@link assemble}. */
export interface AsmOptions {
  /** Added to reported line numbers (when the text is embedded in a larger file). */
  lineOffset?: number;
  /** Define the label `exit` at the first `exit` instruction (bpf_conformance does; default true). */
  defaultExitLabel?: boolean;
}

const INT16_MIN = -0x8000;
const INT16_MAX = 0x7fff;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT32_MAX = 0xffffffff;

const LABEL_RE = /^[A-Za-z_.$][\w.$]*$/;
const NUMBER_RE = /^[+-]?(?:0x[0-9a-f]+|0b[01]+|0o[0-7]+|\d+)$/i;

/** A jump/call whose field is filled in once every label is known. */
interface Fixup {
  slot: number;
  label: string;
  field: 'off' | 'imm';
  line: number;
}

interface Ctx {
  out: RawInsn[];
  fixups: Fixup[];
  line: number;
}

function err(ctx: { line: number }, code: AsmErrorCode, detail: string): never {
  throw new AsmError(code, ctx.line, detail);
}

/** Parse an integer literal (decimal, 0x, 0b, 0o; optional sign) as a BigInt, or undefined. */
export function parseIntLiteral(text: string): bigint | undefined {
  const t = text.trim();
  if (!NUMBER_RE.test(t)) return undefined;
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  const v = BigInt(body.toLowerCase());
  return neg ? -v : v;
}

function number(ctx: Ctx, text: string, what: string, min: bigint, max: bigint): bigint {
  const v = parseIntLiteral(text);
  if (v === undefined) err(ctx, 'BAD_NUMBER', `${what}: expected a number, got '${text}'`);
  if (v < min || v > max) err(ctx, 'OUT_OF_RANGE', `${what} ${text} is out of range (${min}..${max})`);
  return v;
}

/** A 32-bit immediate: signed, or an unsigned bit pattern up to 0xffffffff. */
function imm32(ctx: Ctx, text: string, what = 'immediate'): number {
  return Number(number(ctx, text, what, BigInt(INT32_MIN), BigInt(UINT32_MAX))) | 0;
}

function reg(ctx: Ctx, text: string): number {
  const m = /^%?r(\d+)$/i.exec(text.trim());
  if (m === null) err(ctx, 'BAD_REGISTER', `expected a register, got '${text}'`);
  const n = Number(m[1]);
  if (n > 10) err(ctx, 'BAD_REGISTER', `register r${n} does not exist (r0..r10)`);
  return n;
}

function isReg(text: string): boolean {
  return /^%?r\d+$/i.test(text.trim());
}

/** `[reg]`, `[reg+off]`, `[reg - off]`. */
function memOperand(ctx: Ctx, text: string): [reg: number, off: number] {
  const m = /^\[\s*(%?r\d+)\s*(?:([+-])\s*(0x[0-9a-f]+|\d+)\s*)?\]$/i.exec(text.trim());
  if (m === null) err(ctx, 'SYNTAX', `expected a memory operand like [r1+8], got '${text}'`);
  const r = reg(ctx, m[1]!);
  const off = m[2] === undefined ? 0 : Number(number(ctx, `${m[2]}${m[3]!}`, 'offset', BigInt(INT16_MIN), BigInt(INT16_MAX)));
  return [r, off];
}

/**
 * A jump or call target: `+N`/`-N`/`N` is relative to the next instruction; a label is resolved
 * at the end. Returns the relative value (0 while a label is pending).
 */
function target(ctx: Ctx, text: string, field: 'off' | 'imm'): number {
  const t = text.trim();
  const [min, max] = field === 'off' ? [INT16_MIN, INT16_MAX] : [INT32_MIN, INT32_MAX];
  if (NUMBER_RE.test(t)) return Number(number(ctx, t, 'jump offset', BigInt(min), BigInt(max)));
  if (!LABEL_RE.test(t)) err(ctx, 'SYNTAX', `expected a jump target (+N, -N or a label), got '${text}'`);
  ctx.fixups.push({ slot: ctx.out.length, label: t, field, line: ctx.line });
  return 0;
}

function insn(code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn {
  return { code, dst, src, off, imm };
}

function arity(ctx: Ctx, mnemonic: string, ops: readonly string[], n: number): void {
  if (ops.length !== n) err(ctx, 'OPERAND_COUNT', `${mnemonic} takes ${n} operand${n === 1 ? '' : 's'}, got ${ops.length}`);
}

/** Apply a spec's variant field to a fresh instruction. */
function base(s: OpcodeSpec): RawInsn {
  const i = insn(s.code);
  if (s.variant !== undefined) i[s.variant.field] = s.variant.value;
  return i;
}

// --- Mnemonic table, derived from OPCODES -----------------------------------------------------

/** Specs by mnemonic for the regular forms (everything except call, lock, lddw). */
const BY_MNEMONIC: ReadonlyMap<string, readonly OpcodeSpec[]> = (() => {
  const m = new Map<string, OpcodeSpec[]>();
  const add = (name: string, s: OpcodeSpec): void => {
    const list = m.get(name) ?? [];
    list.push(s);
    m.set(name, list);
  };
  for (const s of OPCODES) {
    if (s.form === 'atomic' || s.form === 'lddw' || s.form.startsWith('call')) continue;
    add(s.mnemonic, s);
    // `add64` etc. are accepted for ALU64 (bpf_conformance strips a `64` suffix).
    if ((s.form === 'alu_k' || s.form === 'alu_x' || s.form === 'neg') && s.width === 64) add(`${s.mnemonic}64`, s);
    // uBPF's older name for bswap.
    if (s.form === 'end' && s.mnemonic.startsWith('bswap')) add(s.mnemonic.replace('bswap', 'swap'), s);
  }
  return m;
})();

const SIZE_BY_SUFFIX: Readonly<Record<string, number>> = { b: SZ_B, h: SZ_H, w: SZ_W, dw: SZ_DW };

/** Mnemonics of load-acquire / store-release (Linux 6.15), by size suffix. */
export const ACQ_REL_MNEMONICS = { load: 'ldxacq', store: 'stxrel' } as const;

/** Keywords of the lddw pseudo forms (RFC 9669 §5.4 src_reg values), with their operand count. */
export const LDDW_KEYWORDS: Readonly<Record<string, { src: number; args: 1 | 2 }>> = {
  map_fd: { src: LDDW_MAP_FD, args: 1 },
  map_value: { src: LDDW_MAP_VALUE, args: 2 },
  var: { src: LDDW_VARIABLE, args: 1 },
  code: { src: LDDW_CODE, args: 1 },
  map_idx: { src: LDDW_MAP_IDX, args: 1 },
  map_idx_value: { src: LDDW_MAP_IDX_VALUE, args: 2 },
};

// --- Encoders -----------------------------------------------------------------------------------

function encodeRegular(ctx: Ctx, mnemonic: string, specs: readonly OpcodeSpec[], ops: readonly string[]): RawInsn {
  const s0 = specs[0]!;
  switch (s0.form) {
    case 'alu_k':
    case 'alu_x': {
      arity(ctx, mnemonic, ops, 2);
      const x = isReg(ops[1]!);
      const s = specs.find((t) => t.form === (x ? 'alu_x' : 'alu_k'))!;
      const i = base(s);
      i.dst = reg(ctx, ops[0]!);
      if (x) i.src = reg(ctx, ops[1]!);
      else i.imm = imm32(ctx, ops[1]!);
      return i;
    }
    case 'neg':
    case 'end': {
      arity(ctx, mnemonic, ops, 1);
      const i = base(s0);
      i.dst = reg(ctx, ops[0]!);
      return i;
    }
    case 'movsx': {
      arity(ctx, mnemonic, ops, 2);
      const i = base(s0);
      i.dst = reg(ctx, ops[0]!);
      i.src = reg(ctx, ops[1]!);
      return i;
    }
    case 'addr_space_cast': {
      arity(ctx, mnemonic, ops, 4);
      const i = base(s0);
      i.dst = reg(ctx, ops[0]!);
      i.src = reg(ctx, ops[1]!);
      const dstAs = imm32(ctx, ops[2]!);
      const srcAs = imm32(ctx, ops[3]!);
      if (dstAs < 0 || dstAs > 0xffff || srcAs < 0 || srcAs > 0xffff) err(ctx, 'SYNTAX', `addr_space_cast: address spaces are 0..65535, got ${ops[2]!} and ${ops[3]!}`);
      i.imm = (dstAs << 16) | srcAs;
      return i;
    }
    case 'ja':
    case 'may_goto': {
      arity(ctx, mnemonic, ops, 1);
      const i = base(s0);
      i.off = target(ctx, ops[0]!, 'off');
      return i;
    }
    case 'ja32': {
      arity(ctx, mnemonic, ops, 1);
      const i = base(s0);
      i.imm = target(ctx, ops[0]!, 'imm');
      return i;
    }
    case 'jmp_k':
    case 'jmp_x': {
      arity(ctx, mnemonic, ops, 3);
      const x = isReg(ops[1]!);
      const i = base(specs.find((t) => t.form === (x ? 'jmp_x' : 'jmp_k'))!);
      i.dst = reg(ctx, ops[0]!);
      if (x) i.src = reg(ctx, ops[1]!);
      else i.imm = imm32(ctx, ops[1]!);
      i.off = target(ctx, ops[2]!, 'off');
      return i;
    }
    case 'exit':
      arity(ctx, mnemonic, ops, 0);
      return base(s0);
    case 'ldx':
    case 'ldsx': {
      arity(ctx, mnemonic, ops, 2);
      const i = base(s0);
      i.dst = reg(ctx, ops[0]!);
      [i.src, i.off] = memOperand(ctx, ops[1]!);
      return i;
    }
    case 'st': {
      arity(ctx, mnemonic, ops, 2);
      const i = base(s0);
      [i.dst, i.off] = memOperand(ctx, ops[0]!);
      i.imm = imm32(ctx, ops[1]!);
      return i;
    }
    case 'stx': {
      arity(ctx, mnemonic, ops, 2);
      const i = base(s0);
      [i.dst, i.off] = memOperand(ctx, ops[0]!);
      i.src = reg(ctx, ops[1]!);
      return i;
    }
    case 'ldabs': {
      arity(ctx, mnemonic, ops, 1);
      const i = base(s0);
      i.imm = imm32(ctx, ops[0]!);
      return i;
    }
    case 'ldind': {
      arity(ctx, mnemonic, ops, 2);
      const i = base(s0);
      i.src = reg(ctx, ops[0]!);
      i.imm = imm32(ctx, ops[1]!);
      return i;
    }
    default:
      return err(ctx, 'UNKNOWN_MNEMONIC', `unknown mnemonic '${mnemonic}'`);
  }
}

/**
 * `call N`, `call helper N|%rN`, `call %rN`, `call local target`, `call label`,
 * `call kfunc N[, M]`, `call runtime N` (M = kfunc module BTF index, carried in off).
 */
function encodeCall(ctx: Ctx, ops: readonly string[]): RawInsn {
  const CALL = CLS_JMP | JMP_CALL;
  if (ops.length === 0) err(ctx, 'OPERAND_COUNT', 'call needs a target');
  const words = ops[0]!.split(/\s+/);
  const mode = words.length > 1 ? words[0]!.toLowerCase() : undefined;
  const what = words.length > 1 ? words.slice(1).join(' ') : words[0]!;
  if (words.length > 2) err(ctx, 'SYNTAX', `unexpected '${ops[0]}' in call`);
  const rest = ops.slice(1);
  switch (mode) {
    case undefined:
    case 'helper':
      if (rest.length !== 0) err(ctx, 'OPERAND_COUNT', 'call takes one target');
      if (isReg(what)) return insn(CALL | SRC_X, reg(ctx, what));
      if (mode === undefined && LABEL_RE.test(what) && parseIntLiteral(what) === undefined) {
        return insn(CALL, 0, PSEUDO_CALL_LOCAL, 0, target(ctx, what, 'imm'));
      }
      return insn(CALL, 0, PSEUDO_CALL_HELPER, 0, imm32(ctx, what, 'helper id'));
    case 'local':
      if (rest.length !== 0) err(ctx, 'OPERAND_COUNT', 'call local takes one target');
      return insn(CALL, 0, PSEUDO_CALL_LOCAL, 0, target(ctx, what, 'imm'));
    case 'kfunc':
    case 'runtime': {
      if (rest.length > 1) err(ctx, 'OPERAND_COUNT', `call ${mode} takes an id and an optional module index`);
      const off = rest.length === 1 ? Number(number(ctx, rest[0]!, 'kfunc module index', BigInt(INT16_MIN), BigInt(INT16_MAX))) : 0;
      return insn(CALL, 0, PSEUDO_CALL_KFUNC, off, imm32(ctx, what, 'kfunc id'));
    }
    default:
      return err(ctx, 'SYNTAX', `unknown call mode '${mode}' (helper, local, kfunc, runtime)`);
  }
}

/** `lock [fetch] op[32|64] [dst+off], src`, op = add/or/and/xor/xchg/cmpxchg. */
function encodeLock(ctx: Ctx, ops: readonly string[]): RawInsn {
  if (ops.length !== 2) err(ctx, 'OPERAND_COUNT', 'lock takes an operation, a memory operand and a register');
  const first = ops[0]!;
  const bracket = first.indexOf('[');
  if (bracket < 0) err(ctx, 'SYNTAX', `lock: expected a memory operand, got '${first}'`);
  const words = first.slice(0, bracket).trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  const fetch = words[0] === 'fetch';
  if (fetch) words.shift();
  if (words.length !== 1) err(ctx, 'SYNTAX', `lock: expected [fetch] <op>, got '${first.slice(0, bracket).trim()}'`);
  const m = /^(add|or|and|xor|xchg|cmpxchg)(32|64)?$/.exec(words[0]!);
  if (m === null) err(ctx, 'UNKNOWN_MNEMONIC', `lock: unknown atomic operation '${words[0]}'`);
  const name = m[1]!;
  let imm: number;
  if (name === 'xchg' || name === 'cmpxchg') {
    if (fetch) err(ctx, 'SYNTAX', `lock: ${name} always fetches; drop 'fetch'`);
    imm = name === 'xchg' ? ATOMIC_XCHG : ATOMIC_CMPXCHG;
  } else {
    imm = ATOMIC_OPS.find((a) => a.name === name && !a.fetch)!.imm | (fetch ? ATOMIC_FETCH : 0);
  }
  const size = m[2] === '32' ? SZ_W : SZ_DW;
  const [dst, off] = memOperand(ctx, first.slice(bracket));
  return insn(CLS_STX | MODE_ATOMIC | size, dst, reg(ctx, ops[1]!), off, imm);
}

/** `ldxacq{b,h,w,dw} dst, [src+off]` and `stxrel{b,h,w,dw} [dst+off], src`. */
function encodeAcqRel(ctx: Ctx, mnemonic: string, ops: readonly string[]): RawInsn | undefined {
  const m = /^(ldxacq|stxrel)(b|h|w|dw)$/.exec(mnemonic);
  if (m === null) return undefined;
  arity(ctx, mnemonic, ops, 2);
  const code = CLS_STX | MODE_ATOMIC | SIZE_BY_SUFFIX[m[2]!]!;
  if (m[1] === ACQ_REL_MNEMONICS.load) {
    const [src, off] = memOperand(ctx, ops[1]!);
    return insn(code, reg(ctx, ops[0]!), src, off, ATOMIC_LOAD_ACQ);
  }
  const [dst, off] = memOperand(ctx, ops[0]!);
  return insn(code, dst, reg(ctx, ops[1]!), off, ATOMIC_STORE_REL);
}

/** `lddw dst, imm64` or a pseudo form (`map_fd N`, `map_value N OFF`, `code target`, ...). */
function encodeLddw(ctx: Ctx, ops: readonly string[]): [RawInsn, RawInsn] {
  if (ops.length < 2) err(ctx, 'OPERAND_COUNT', `lddw takes a register and a value, got ${ops.length} operand${ops.length === 1 ? '' : 's'}`);
  const dst = reg(ctx, ops[0]!);
  const words = ops.slice(1).join(' ').trim().split(/\s+/);
  const kw = LDDW_KEYWORDS[words[0]!.toLowerCase()];
  if (kw === undefined) {
    if (words.length !== 1) err(ctx, 'OPERAND_COUNT', 'lddw takes a register and one 64-bit value');
    const t = words[0]!;
    const v = parseIntLiteral(t);
    if (v === undefined) err(ctx, 'BAD_NUMBER', `lddw: expected a 64-bit value or a pseudo form (${Object.keys(LDDW_KEYWORDS).join(', ')}), got '${t}'`);
    // Hex is an unsigned 64-bit pattern; decimal may be negative (bpf_conformance _decode_imm64).
    const isHex = /^[+-]?0[xbo]/i.test(t);
    const min = isHex ? 0n : -(1n << 63n);
    if (v < min || v > (1n << 64n) - 1n) err(ctx, 'OUT_OF_RANGE', `lddw value ${t} does not fit in 64 bits`);
    const u = BigInt.asUintN(64, v);
    return [insn(LDDW, dst, LDDW_IMM64, 0, Number(u & 0xffffffffn) | 0), insn(0, 0, 0, 0, Number(u >> 32n) | 0)];
  }
  if (words.length !== kw.args + 1) err(ctx, 'OPERAND_COUNT', `lddw ${words[0]} takes ${kw.args} value${kw.args === 1 ? '' : 's'}`);
  const lo =
    kw.src === LDDW_CODE ? target(ctx, words[1]!, 'imm') : imm32(ctx, words[1]!, words[0]!);
  const hi = kw.args === 2 ? imm32(ctx, words[2]!, `${words[0]} offset`) : 0;
  return [insn(LDDW, dst, kw.src, 0, lo), insn(0, 0, 0, 0, hi)];
}

/** `.raw 0xDWORD, ...`: slots given as little-endian 64-bit words (conformance `-- raw` format). */
function encodeRaw(ctx: Ctx, ops: readonly string[]): RawInsn[] {
  if (ops.length === 0) err(ctx, 'OPERAND_COUNT', '.raw needs at least one 64-bit word');
  return ops.flatMap((o) => o.trim().split(/\s+/)).map((t) => rawWord(ctx, t));
}

function rawWord(ctx: Ctx, t: string): RawInsn {
  const v = number(ctx, t, '.raw word', 0n, (1n << 64n) - 1n);
  return slotFromWord(v);
}

/** The slot whose 8 little-endian bytes are the 64-bit value `v` (conformance raw dword). */
export function slotFromWord(v: bigint): RawInsn {
  const lo = Number(v & 0xffffffffn);
  const hi = Number((v >> 32n) & 0xffffffffn);
  return {
    code: lo & 0xff,
    dst: (lo >>> 8) & 0x0f,
    src: (lo >>> 12) & 0x0f,
    off: ((lo >>> 16) << 16) >> 16,
    imm: hi | 0,
  };
}

// --- Line splitting -------------------------------------------------------------------------------

function stripComment(line: string): string {
  let cut = line.length;
  for (const marker of ['#', ';', '//']) {
    const k = line.indexOf(marker);
    if (k >= 0 && k < cut) cut = k;
  }
  return line.slice(0, cut);
}

/** Split operands on commas outside brackets. */
function splitOperands(ctx: Ctx, text: string): string[] {
  const t = text.trim();
  if (t === '') return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of t) {
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  if (out.some((o) => o === '')) err(ctx, 'SYNTAX', `empty operand in '${t}'`);
  return out;
}

/** Assemble mnemonic text into instruction slots. Throws {@link AsmError}. */
export function assemble(text: string, opts: AsmOptions = {}): RawInsn[] {
  const lineOffset = opts.lineOffset ?? 0;
  const ctx: Ctx = { out: [], fixups: [], line: 0 };
  const labels = new Map<string, number>();
  let firstExit = -1;
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    ctx.line = li + 1 + lineOffset;
    let rest = stripComment(lines[li]!).trim();
    // Labels: `name:` possibly followed by an instruction.
    for (;;) {
      const m = /^([A-Za-z_.$][\w.$]*)\s*:(.*)$/.exec(rest);
      if (m === null) break;
      const name = m[1]!;
      if (labels.has(name)) err(ctx, 'DUPLICATE_LABEL', `label '${name}' is already defined`);
      labels.set(name, ctx.out.length);
      rest = m[2]!.trim();
    }
    if (rest === '') continue;
    const sp = rest.search(/\s/);
    const mnemonic = (sp < 0 ? rest : rest.slice(0, sp)).toLowerCase();
    const ops = splitOperands(ctx, sp < 0 ? '' : rest.slice(sp + 1));
    if (mnemonic === 'lddw') {
      ctx.out.push(...encodeLddw(ctx, ops));
      continue;
    }
    if (mnemonic === '.raw') {
      ctx.out.push(...encodeRaw(ctx, ops));
      continue;
    }
    let i: RawInsn | undefined;
    if (mnemonic === 'call') i = encodeCall(ctx, ops);
    else if (mnemonic === 'lock') i = encodeLock(ctx, ops);
    else i = encodeAcqRel(ctx, mnemonic, ops);
    if (i === undefined) {
      const specs = BY_MNEMONIC.get(mnemonic);
      if (specs === undefined) err(ctx, 'UNKNOWN_MNEMONIC', `unknown mnemonic '${mnemonic}'`);
      i = encodeRegular(ctx, mnemonic, specs, ops);
    }
    if (i.code === (CLS_JMP | JMP_EXIT) && firstExit < 0) firstExit = ctx.out.length;
    ctx.out.push(i);
  }
  if ((opts.defaultExitLabel ?? true) && firstExit >= 0 && !labels.has('exit')) labels.set('exit', firstExit);
  for (const f of ctx.fixups) {
    const at = labels.get(f.label);
    if (at === undefined) throw new AsmError('UNKNOWN_LABEL', f.line, `unknown label '${f.label}'`);
    const rel = at - f.slot - 1;
    const [min, max] = f.field === 'off' ? [INT16_MIN, INT16_MAX] : [INT32_MIN, INT32_MAX];
    if (rel < min || rel > max) throw new AsmError('OUT_OF_RANGE', f.line, `label '${f.label}' is ${rel} instructions away, beyond the ${f.field === 'off' ? '16' : '32'}-bit field`);
    ctx.out[f.slot]![f.field] = rel;
  }
  return ctx.out;
}

/** Assemble to little-endian bytes. */
export function assembleBytes(text: string, opts: AsmOptions = {}): Uint8Array {
  return writeInsns(assemble(text, opts));
}
