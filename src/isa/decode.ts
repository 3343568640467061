/**
 * Decode-once: validate a program and turn it into the flat typed array the interpreter runs.
 *
 * Decoded slot layout (4 × int32 per 8-byte instruction slot, so pcs match llvm-objdump):
 *
 *   word 0:  op | dst << 8 | src << 12    op = opcode byte, or an XOP_* pseudo-code
 *   word 1:  off                          jumps and local calls: absolute target pc
 *   word 2:  imm                          K shifts: already masked to 5/6 bits
 *   word 3:  aux                          K arithmetic, K jumps, st: imm >> 31 (sign half);
 *                                         lddw: high 32 bits; helper/kfunc: table slot;
 *                                         poisoned insn: index into `poison`
 *
 * Every check the kernel's verifier makes on the *shape* of a program (RFC 9669 reserved fields,
 * registers, jump ranges, lddw pairs, subprogram boundaries, falling off the end) happens here,
 * so the hot loop never re-checks them.
 */
import { BpfemuError } from '../util/errors.js';
import { formatKernel, rawFields } from './disasm-kernel.js';
import type { RawInsn } from './insn.js';
import {
  ALU_ARSH,
  ALU_LSH,
  ALU_RSH,
  ATOMIC_CMPXCHG,
  ATOMIC_FETCH,
  ATOMIC_LOAD_ACQ,
  ATOMIC_STORE_REL,
  CAST_IMM_KERN,
  CAST_IMM_USER,
  CLS_LD,
  CLS_LDX,
  CLS_ST,
  CLS_STX,
  MODE_PROBE_ATOMIC,
  MODE_PROBE_MEM,
  MODE_PROBE_MEMSX,
  MODE_PROBE_MEM32,
  MODE_PROBE_MEM32SX,
  LDDW_CODE,
  LDDW_MAP_FD,
  LDDW_MAP_IDX,
  LDDW_VARIABLE,
  MODE_IMM,
  SZ_DW,
  XOP_LDDW_HI,
  XOP_POISON,
  POISON_INVALID,
  lookupSpec,
  specsForCode,
  type OpcodeSpec,
} from './opcodes.js';

/** Error codes of the program validator. */
export type VerifyErrorCode =
  | 'EMPTY_PROGRAM'
  | 'TOO_LARGE'
  | 'BAD_OPCODE'
  | 'RESERVED_FIELD'
  | 'BAD_REGISTER'
  | 'BAD_LDDW'
  | 'JUMP_OUT_OF_RANGE'
  | 'JUMP_INTO_LDDW'
  | 'JUMP_ACROSS_SUBPROG'
  | 'BAD_CALL_TARGET'
  | 'FALLS_OFF_END'
  | 'UNKNOWN_HELPER'
  | 'UNKNOWN_KFUNC';

/** A program rejected at load time; names the pc, the instruction and, if known, the source line. */
export class VerifyError extends BpfemuError<VerifyErrorCode> {
  constructor(
    readonly code: VerifyErrorCode,
    /** Instruction index (slot) of the offending instruction, or -1 for whole-program errors. */
    readonly pc: number,
    /** The instruction in kernel syntax, or '' for whole-program errors. */
    readonly insn: string,
    detail: string,
    readonly source?: string,
  ) {
    super(pc < 0 ? detail : `pc ${pc}: ${insn}: ${detail}${source !== undefined ? ` (${source})` : ''}`);
  }
}

/** The kernel's BPF_COMPLEXITY_LIMIT_INSNS: the largest program it accepts (1M instructions). */
export const MAX_INSNS = 1_000_000;

/** libbpf's poison marker for unsatisfiable CO-RE relocations: `call 0xbad2310` (relo_core.c). */
export const POISON_HELPER_ID = 0xbad2310;

/** Load-time resolution hooks. */
export interface DecodeOptions {
  /** Map a helper id to its slot in the run-time helper table, or -1 if the helper is unknown. */
  resolveHelper?: (id: number) => number;
  /** Map a kfunc call (imm = btf id, off = module index) to its slot in the kfunc table, or -1. */
  resolveKfunc?: (imm: number, off: number) => number;
  /** Source location of a pc (`file.c:12`), used in error messages. */
  sourceOf?: (pc: number) => string | undefined;
  /** Reasons for poisoned instructions, by pc; such pcs become XOP_POISON. */
  poison?: ReadonlyMap<number, string>;
  /** Largest accepted program, in slots (default MAX_INSNS). */
  maxInsns?: number;
  /**
   * pcs of loads, stores and atomics through an arena pointer (the verifier's PTR_TO_ARENA
   * accesses): decoded in the kernel's rewritten modes BPF_PROBE_MEM32 / PROBE_MEM32SX /
   * PROBE_ATOMIC (convert_ctx_accesses), so the interpreter's ordinary loads never test for arenas.
   */
  arenaAccesses?: ReadonlySet<number>;
  /**
   * pcs of loads through BTF pointers (the verifier's PTR_TO_BTF_ID and rdonly_untrusted memory
   * loads): decoded in the kernel's rewritten modes BPF_PROBE_MEM / BPF_PROBE_MEMSX, where a
   * faulting address reads 0.
   */
  probeLoads?: ReadonlySet<number>;
}

/** A validated, decoded program. */
export interface DecodedProgram {
  /** The instructions as given (disassembly, traces, dumps). */
  readonly raw: readonly RawInsn[];
  /** 4 words per slot, see the module comment. */
  readonly code: Int32Array;
  /** Number of slots. */
  readonly length: number;
  /** Start pcs of the subprograms, ascending; the first is 0. */
  readonly subprogs: readonly number[];
  /** Messages of poisoned instructions, indexed by word 3 of an XOP_POISON slot. */
  readonly poison: readonly string[];
}

const SLOT = 4;

/** Validate `raw` and decode it. Throws {@link VerifyError}. */
export function decodeProgram(raw: readonly RawInsn[], opts: DecodeOptions = {}): DecodedProgram {
  const n = raw.length;
  const fail = (code: VerifyErrorCode, pc: number, detail: string): never => {
    const insn = pc >= 0 && pc < n ? formatKernel(raw[pc]!, raw[pc + 1]) : '';
    throw new VerifyError(code, pc, insn, detail, pc >= 0 ? opts.sourceOf?.(pc) : undefined);
  };
  if (n === 0) fail('EMPTY_PROGRAM', -1, 'program has no instructions');
  const max = opts.maxInsns ?? MAX_INSNS;
  if (n > max) fail('TOO_LARGE', -1, `program has ${n} instructions, the limit is ${max}`);

  const specs: (OpcodeSpec | undefined)[] = new Array(n);
  const isHi = new Uint8Array(n);
  /** Instructions that would write r10, with their run-time fault message. */
  const readOnlyR10 = new Map<number, string>();
  // Pass 1: per-instruction shape.
  for (let pc = 0; pc < n; pc++) {
    if (isHi[pc]) continue;
    const i = raw[pc]!;
    if (opts.poison?.has(pc) || (i.code === 0x85 && i.src === 0 && i.imm === POISON_HELPER_ID)) {
      // A poisoned lddw keeps its second slot, which must not be decoded on its own.
      if (i.code === (CLS_LD | MODE_IMM | SZ_DW) && pc + 1 < n) isHi[pc + 1] = 1;
      specs[pc] = undefined;
      continue;
    }
    const s = lookupSpec(i.code, i.src, i.off, i.imm);
    if (s === undefined) {
      const same = specsForCode(i.code);
      if (same.length === 0) fail('BAD_OPCODE', pc, `unknown opcode 0x${i.code.toString(16).padStart(2, '0')}`);
      const field = same[0]!.variant!.field;
      fail('BAD_OPCODE', pc, `invalid ${field} ${field === 'off' ? i.off : field === 'imm' ? i.imm : i.src} for opcode 0x${i.code.toString(16).padStart(2, '0')}`);
    }
    const spec = s!;
    specs[pc] = spec;
    for (const f of spec.zero) {
      if (i[f] !== 0) fail('RESERVED_FIELD', pc, `reserved field ${f} must be 0, got ${i[f]}`);
    }
    if (i.dst > 10) fail('BAD_REGISTER', pc, `invalid dst register r${i.dst}`);
    if (i.src > 10 && !spec.zero.includes('src') && spec.form !== 'lddw' && spec.form !== 'call_helper') {
      fail('BAD_REGISTER', pc, `invalid src register r${i.src}`);
    }
    // Writes to r10 are the verifier's business, as in the kernel (check_reg_arg refuses them on
    // the paths it walks; dead code may hold them): decoded here as an instruction that faults
    // `invalid` when it runs, so a program loaded without the verifier still cannot move r10.
    if (spec.writesDst && i.dst === 10) readOnlyR10.set(pc, 'frame pointer r10 is read only');
    // check_alu_op refuses other address-space pairs when it walks the insn; decoded to fault if run.
    if (spec.form === 'addr_space_cast' && i.imm !== CAST_IMM_KERN && i.imm !== CAST_IMM_USER) readOnlyR10.set(pc, 'addr_space_cast insn can only convert between address space 1 and 0');
    if (spec.form === 'atomic' && (i.imm & ATOMIC_FETCH) !== 0 && i.imm !== ATOMIC_CMPXCHG && i.imm !== ATOMIC_LOAD_ACQ && i.imm !== ATOMIC_STORE_REL && i.src === 10) {
      readOnlyR10.set(pc, 'atomic fetch would write r10 (frame pointer is read only)');
    }
    if (spec.form === 'lddw') {
      if (pc + 1 >= n) fail('BAD_LDDW', pc, 'lddw is missing its second half');
      const h = raw[pc + 1]!;
      if (h.code !== 0 || h.dst !== 0 || h.src !== 0 || h.off !== 0) {
        fail('BAD_LDDW', pc, `second half of lddw must be code 0 with zero dst/src/off, got ${rawFields(h)}`);
      }
      if ((i.src === LDDW_MAP_FD || i.src === LDDW_MAP_IDX || i.src === LDDW_VARIABLE || i.src === LDDW_CODE) && h.imm !== 0) {
        fail('BAD_LDDW', pc, `lddw with src ${i.src} needs a zero second immediate, got ${h.imm}`);
      }
      isHi[pc + 1] = 1;
    }
  }

  // Pass 2: subprogram starts (pc 0, local call targets, code addresses).
  const starts = new Set<number>([0]);
  const targetOf = (pc: number, rel: number): number => pc + 1 + rel;
  const checkTarget = (pc: number, t: number, what: string): void => {
    if (t < 0 || t >= n) fail(what === 'call' ? 'BAD_CALL_TARGET' : 'JUMP_OUT_OF_RANGE', pc, `${what} target ${t} is outside the program (0..${n - 1})`);
    if (isHi[t]) fail('JUMP_INTO_LDDW', pc, `${what} target ${t} is the second half of an lddw`);
  };
  for (let pc = 0; pc < n; pc++) {
    const s = specs[pc];
    if (s === undefined || isHi[pc]) continue;
    if (s.form === 'call_local') {
      const t = targetOf(pc, raw[pc]!.imm);
      checkTarget(pc, t, 'call');
      starts.add(t);
    } else if (s.form === 'lddw' && raw[pc]!.src === LDDW_CODE) {
      const t = targetOf(pc, raw[pc]!.imm);
      checkTarget(pc, t, 'call');
      starts.add(t);
    }
  }
  const subprogs = [...starts].sort((a, b) => a - b);
  const subOf = new Int32Array(n);
  for (let k = 0; k < subprogs.length; k++) {
    const end = k + 1 < subprogs.length ? subprogs[k + 1]! : n;
    subOf.fill(k, subprogs[k]!, end);
  }

  // Pass 3: jumps stay inside their subprogram; no subprogram falls off its end
  // (kernel check_subprogs: "jump out of range", "last insn is not an exit or jmp").
  const code = new Int32Array(n * SLOT);
  const poisonMsgs: string[] = [];
  for (let pc = 0; pc < n; pc++) {
    const w = pc * SLOT;
    const i = raw[pc]!;
    if (isHi[pc]) {
      code[w] = XOP_LDDW_HI;
      continue;
    }
    const s = specs[pc];
    if (s === undefined) {
      code[w] = XOP_POISON;
      code[w + 3] = poisonMsgs.length;
      poisonMsgs.push(opts.poison?.get(pc) ?? 'poisoned instruction (unsatisfiable CO-RE relocation)');
      continue;
    }
    const r10 = readOnlyR10.get(pc);
    if (r10 !== undefined) {
      // word 2 = 1: the fault is `invalid`, not `poisoned`
      code[w] = XOP_POISON;
      code[w + 2] = POISON_INVALID;
      code[w + 3] = poisonMsgs.length;
      poisonMsgs.push(r10);
      continue;
    }
    code[w] = s.op | (i.dst << 8) | (i.src << 12);
    if (opts.arenaAccesses?.has(pc) === true) {
      const mode =
        s.form === 'ldx' || s.form === 'st' || s.form === 'stx' ? MODE_PROBE_MEM32 : s.form === 'ldsx' ? MODE_PROBE_MEM32SX : s.form === 'atomic' ? MODE_PROBE_ATOMIC : -1;
      if (mode < 0) fail('BAD_OPCODE', pc, 'only loads, stores and atomics can access an arena');
      const cls = s.form === 'ldx' || s.form === 'ldsx' ? CLS_LDX : s.form === 'st' ? CLS_ST : CLS_STX;
      code[w] = (cls | mode | (i.code & 0x18)) | (i.dst << 8) | (i.src << 12);
    }
    if (opts.probeLoads?.has(pc) === true) {
      if (s.form !== 'ldx' && s.form !== 'ldsx') fail('BAD_OPCODE', pc, 'only loads can be PROBE_MEM loads');
      code[w] = (CLS_LDX | (s.form === 'ldsx' ? MODE_PROBE_MEMSX : MODE_PROBE_MEM) | (i.code & 0x18)) | (i.dst << 8) | (i.src << 12);
    }
    code[w + 1] = i.off;
    code[w + 2] = i.imm;
    switch (s.form) {
      case 'ja':
      case 'ja32':
      case 'jmp_k':
      case 'jmp_x':
      case 'may_goto': {
        const t = targetOf(pc, s.form === 'ja32' ? i.imm : i.off);
        checkTarget(pc, t, 'jump');
        if (subOf[t] !== subOf[pc]) fail('JUMP_ACROSS_SUBPROG', pc, `jump target ${t} is in another subprogram`);
        code[w + 1] = t;
        // K comparisons see imm sign-extended to 64 bits (RFC 9669 §4.3).
        code[w + 3] = i.imm >> 31;
        break;
      }
      case 'call_local':
        code[w + 1] = targetOf(pc, i.imm);
        break;
      case 'st':
        code[w + 3] = i.imm >> 31;
        break;
      case 'lddw':
        code[w + 3] = raw[pc + 1]!.imm;
        if (i.src === LDDW_CODE) code[w + 1] = targetOf(pc, i.imm);
        break;
      case 'alu_k':
        if (s.aluOp === ALU_LSH || s.aluOp === ALU_RSH || s.aluOp === ALU_ARSH) {
          // RFC 9669 §4.1: shift amounts are masked to 5 (32-bit) or 6 (64-bit) bits.
          code[w + 2] = i.imm & (s.width === 64 ? 63 : 31);
        }
        code[w + 3] = i.imm >> 31;
        break;
      case 'call_helper': {
        const slot = opts.resolveHelper === undefined ? -1 : opts.resolveHelper(i.imm);
        if (slot < 0) fail('UNKNOWN_HELPER', pc, `unknown or unsupported helper ${i.imm}`);
        code[w + 3] = slot;
        break;
      }
      case 'call_kfunc': {
        const slot = opts.resolveKfunc === undefined ? -1 : opts.resolveKfunc(i.imm, i.off);
        if (slot < 0) fail('UNKNOWN_KFUNC', pc, `unknown kfunc ${i.imm}${i.off !== 0 ? ` (module ${i.off})` : ''}`);
        code[w + 3] = slot;
        break;
      }
      default:
        break;
    }
  }
  for (let k = 0; k < subprogs.length; k++) {
    const end = (k + 1 < subprogs.length ? subprogs[k + 1]! : n) - 1;
    let last = end;
    if (last > 0 && isHi[last]) last--;
    const s = specs[last];
    const f = s?.form;
    if (s !== undefined && f !== 'exit' && f !== 'ja' && f !== 'ja32') {
      fail('FALLS_OFF_END', last, k + 1 < subprogs.length ? `execution can fall through into subprogram at pc ${end + 1}` : 'execution can fall off the end of the program');
    }
  }
  return { raw, code, length: n, subprogs, poison: poisonMsgs };
}

/** Whether pc `pc` of `code` is an lddw (the loader patches its immediate). */
export function isLddwAt(p: DecodedProgram, pc: number): boolean {
  return (p.code[pc * SLOT]! & 0xff) === (CLS_LD | MODE_IMM | SZ_DW);
}

/** Replace the 64-bit constant an lddw loads (used when the loader resolves maps and globals). */
export function setLddwConstant(p: DecodedProgram, pc: number, lo: number, hi: number): void {
  const w = pc * SLOT;
  p.code[w + 2] = lo | 0;
  p.code[w + 3] = hi | 0;
}
