/**
 * Disassembler for the bpf_conformance / uBPF mnemonic dialect (the syntax {@link assemble}
 * reads), and the program-level `disassemble` that also offers the kernel C-like syntax.
 *
 * Every slot prints as something the assembler turns back into the same bytes: an encoding the
 * dialect cannot express (unknown opcode, non-zero reserved field, register above r10, a broken
 * lddw pair) prints as `.raw 0x<little-endian 64-bit word>`.
 */
import { formatKernel, type KernelSyntaxOptions } from './disasm-kernel.js';
import { ACQ_REL_MNEMONICS } from './asm.js';
import type { RawInsn } from './insn.js';
import { LDDW, lddwValue } from './insn.js';
import {
  ATOMIC_CMPXCHG,
  ATOMIC_FETCH,
  ATOMIC_LOAD_ACQ,
  ATOMIC_OPS,
  ATOMIC_STORE_REL,
  ATOMIC_XCHG,
  LDDW_CODE,
  LDDW_IMM64,
  LDDW_MAP_FD,
  LDDW_MAP_IDX,
  LDDW_MAP_IDX_VALUE,
  LDDW_MAP_VALUE,
  LDDW_VARIABLE,
  lookupSpec,
  type Form,
  type OpcodeSpec,
} from './opcodes.js';

/** Where an instruction sits, so jump targets can print as labels. */
export interface MnemonicContext {
  /** pc of the instruction. */
  pc: number;
  /** Label name of an absolute target pc, or undefined to print `+N`. */
  labelOf?: (target: number) => string | undefined;
}

const SUFFIX_BY_SIZE: Readonly<Record<number, string>> = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' };

/** Forms whose `src` field names a register (the others keep it zero or use it as a variant). */
const SRC_IS_REG: ReadonlySet<Form> = new Set<Form>(['alu_x', 'movsx', 'jmp_x', 'ldx', 'ldsx', 'stx', 'atomic', 'ldind']);

/** The 8 bytes of a slot as the little-endian 64-bit word of a conformance `-- raw` section. */
export function slotWord(i: RawInsn): bigint {
  const lo = ((i.code & 0xff) | ((i.dst & 15) << 8) | ((i.src & 15) << 12) | ((i.off & 0xffff) << 16)) >>> 0;
  return (BigInt(i.imm >>> 0) << 32n) | BigInt(lo);
}

/** `.raw 0x...` for one slot. */
export function formatRaw(i: RawInsn): string {
  return `.raw 0x${slotWord(i).toString(16).padStart(16, '0')}`;
}

function r(n: number): string {
  return `%r${n}`;
}

function mem(reg: number, off: number): string {
  return off === 0 ? `[${r(reg)}]` : `[${r(reg)}${off < 0 ? '-' : '+'}${Math.abs(off)}]`;
}

function rel(n: number, pc: number, ctx: MnemonicContext | undefined): string {
  const label = ctx?.labelOf?.(pc + 1 + n);
  if (label !== undefined) return label;
  return n < 0 ? `${n}` : `+${n}`;
}

/** Whether the dialect can express this encoding exactly (see the module comment). */
function representable(s: OpcodeSpec, i: RawInsn, next: RawInsn | undefined): boolean {
  for (const f of s.zero) if (i[f] !== 0) return false;
  if (i.dst > 10) return false;
  if (SRC_IS_REG.has(s.form) && i.src > 10) return false;
  if (s.form === 'lddw') {
    if (next === undefined || next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) return false;
    const hiFree = i.src === LDDW_IMM64 || i.src === LDDW_MAP_VALUE || i.src === LDDW_MAP_IDX_VALUE;
    if (!hiFree && next.imm !== 0) return false;
  }
  return true;
}

/**
 * Format one instruction in the mnemonic dialect. `next` is the following slot (needed for lddw);
 * `ctx` gives the pc for label output.
 */
export function formatMnemonic(i: RawInsn, next?: RawInsn, ctx?: MnemonicContext): string {
  const s = lookupSpec(i.code, i.src, i.off, i.imm);
  if (s === undefined || !representable(s, i, next)) return formatRaw(i);
  const pc = ctx?.pc ?? 0;
  const mn = s.mnemonic;
  switch (s.form) {
    case 'alu_k':
      return `${mn} ${r(i.dst)}, ${i.imm}`;
    case 'alu_x':
    case 'movsx':
      return `${mn} ${r(i.dst)}, ${r(i.src)}`;
    case 'addr_space_cast':
      return `${mn} ${r(i.dst)}, ${r(i.src)}, ${i.imm >>> 16}, ${i.imm & 0xffff}`;
    case 'neg':
    case 'end':
      return `${mn} ${r(i.dst)}`;
    case 'ja':
    case 'may_goto':
      return `${mn} ${rel(i.off, pc, ctx)}`;
    case 'ja32':
      return `${mn} ${rel(i.imm, pc, ctx)}`;
    case 'jmp_k':
      return `${mn} ${r(i.dst)}, ${i.imm}, ${rel(i.off, pc, ctx)}`;
    case 'jmp_x':
      return `${mn} ${r(i.dst)}, ${r(i.src)}, ${rel(i.off, pc, ctx)}`;
    case 'call_helper':
      return `call ${i.imm}`;
    case 'call_local':
      return `call local ${rel(i.imm, pc, ctx)}`;
    case 'call_kfunc':
      return i.off === 0 ? `call kfunc ${i.imm}` : `call kfunc ${i.imm}, ${i.off}`;
    case 'callx':
      return `call ${r(i.dst)}`;
    case 'exit':
      return 'exit';
    case 'ldx':
    case 'ldsx':
      return `${mn} ${r(i.dst)}, ${mem(i.src, i.off)}`;
    case 'st':
      return `${mn} ${mem(i.dst, i.off)}, ${i.imm}`;
    case 'stx':
      return `${mn} ${mem(i.dst, i.off)}, ${r(i.src)}`;
    case 'atomic':
      return formatAtomic(s, i);
    case 'lddw':
      return formatLddw(i, next!, pc, ctx);
    case 'ldabs':
      return `${mn} ${i.imm}`;
    case 'ldind':
      return `${mn} ${r(i.src)}, ${i.imm}`;
  }
}

function formatAtomic(s: OpcodeSpec, i: RawInsn): string {
  const sfx = SUFFIX_BY_SIZE[s.size]!;
  if (i.imm === ATOMIC_LOAD_ACQ) return `${ACQ_REL_MNEMONICS.load}${sfx} ${r(i.dst)}, ${mem(i.src, i.off)}`;
  if (i.imm === ATOMIC_STORE_REL) return `${ACQ_REL_MNEMONICS.store}${sfx} ${mem(i.dst, i.off)}, ${r(i.src)}`;
  const w = s.size === 4 ? '32' : '';
  let op: string;
  if (i.imm === ATOMIC_XCHG) op = `xchg${w}`;
  else if (i.imm === ATOMIC_CMPXCHG) op = `cmpxchg${w}`;
  else {
    const a = ATOMIC_OPS.find((x) => x.imm === i.imm)!;
    op = `${(i.imm & ATOMIC_FETCH) !== 0 ? 'fetch ' : ''}${a.name}${w}`;
  }
  return `lock ${op} ${mem(i.dst, i.off)}, ${r(i.src)}`;
}

function formatLddw(i: RawInsn, next: RawInsn, pc: number, ctx: MnemonicContext | undefined): string {
  const d = r(i.dst);
  switch (i.src) {
    case LDDW_IMM64:
      return `lddw ${d}, 0x${lddwValue(i, next).toString(16)}`;
    case LDDW_MAP_FD:
      return `lddw ${d}, map_fd ${i.imm}`;
    case LDDW_MAP_VALUE:
      return `lddw ${d}, map_value ${i.imm} ${next.imm}`;
    case LDDW_VARIABLE:
      return `lddw ${d}, var ${i.imm}`;
    case LDDW_CODE:
      return `lddw ${d}, code ${rel(i.imm, pc, ctx)}`;
    case LDDW_MAP_IDX:
      return `lddw ${d}, map_idx ${i.imm}`;
    default:
      return `lddw ${d}, map_idx_value ${i.imm} ${next.imm}`;
  }
}

/** Output syntax of {@link disassemble}. */
export type Syntax = 'kernel' | 'mnemonic';

/** Options of {@link disassemble}. */
export interface DisasmOptions {
  /** 'kernel' (llvm-objdump C-like, the default) or 'mnemonic' (assembler dialect). */
  syntax?: Syntax;
  /** Prefix each line with its pc (`  12: `); default true. Turn off to feed the text to the assembler. */
  pcs?: boolean;
  /** Mnemonic syntax only: print jump/call targets as labels `L<pc>:` instead of `+N`. */
  labels?: boolean;
  /** Name resolvers for the kernel syntax. */
  kernel?: KernelSyntaxOptions;
}

/** Whether slot `pc` starts a two-slot lddw (a well-formed one, for the chosen syntax). */
function isPair(insns: readonly RawInsn[], pc: number, syntax: Syntax): boolean {
  const i = insns[pc]!;
  if (i.code !== LDDW || pc + 1 >= insns.length) return false;
  if (syntax === 'kernel') return lookupSpec(i.code, i.src, i.off, i.imm) !== undefined;
  return !formatMnemonic(i, insns[pc + 1]).startsWith('.raw');
}

/** Absolute targets of jumps, local calls and lddw code addresses (for labels). */
function targetsOf(insns: readonly RawInsn[]): Set<number> {
  const out = new Set<number>();
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    const s = lookupSpec(i.code, i.src, i.off, i.imm);
    if (s === undefined || !representable(s, i, insns[pc + 1])) continue;
    if (s.form === 'ja' || s.form === 'jmp_k' || s.form === 'jmp_x' || s.form === 'may_goto') out.add(pc + 1 + i.off);
    else if (s.form === 'ja32' || s.form === 'call_local' || (s.form === 'lddw' && i.src === LDDW_CODE)) out.add(pc + 1 + i.imm);
    if (s.form === 'lddw') pc++;
  }
  return out;
}

/**
 * Disassemble a program, one line per instruction (an lddw pair is one line; its pc advances by
 * 2, as in llvm-objdump). With `labels`, label lines `L<pc>:` precede jump targets.
 */
export function disassemble(insns: readonly RawInsn[], opts: DisasmOptions = {}): string[] {
  const syntax = opts.syntax ?? 'kernel';
  const pcs = opts.pcs ?? true;
  const width = String(Math.max(0, insns.length - 1)).length;
  // Only instruction starts can carry a label; the second half of a pair cannot.
  const starts = new Set<number>();
  for (let pc = 0; pc < insns.length; pc++) {
    starts.add(pc);
    if (isPair(insns, pc, syntax)) pc++;
  }
  const labelled = syntax === 'mnemonic' && opts.labels === true ? new Set([...targetsOf(insns)].filter((t) => starts.has(t))) : new Set<number>();
  const ctxFor = (pc: number): MnemonicContext => ({ pc, labelOf: (t) => (labelled.has(t) ? `L${t}` : undefined) });
  const lines: string[] = [];
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    const next = insns[pc + 1];
    if (labelled.has(pc)) lines.push(`L${pc}:`);
    const text = syntax === 'kernel' ? formatKernel(i, next, opts.kernel) : formatMnemonic(i, next, ctxFor(pc));
    lines.push(pcs ? `${String(pc).padStart(width)}: ${text}` : text);
    if (isPair(insns, pc, syntax)) pc++;
  }
  return lines;
}
