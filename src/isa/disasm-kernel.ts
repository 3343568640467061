/**
 * Disassembler in the kernel / llvm-objdump C-like syntax (`r0 = 1`, `if r1 > r2 goto +3`,
 * `*(u32 *)(r10 - 4) = r1`, `lock *(u64 *)(r1 + 0) += r2`, `call 1`, `exit`). Immediates are
 * printed in decimal, the 64-bit lddw immediate in hex, as the verifier log does.
 */
import type { RawInsn } from './insn.js';
import { lddwValue } from './insn.js';
import {
  ALU_ADD,
  ALU_AND,
  ALU_ARSH,
  ALU_DIV,
  ALU_LSH,
  ALU_MOD,
  ALU_MOV,
  ALU_MUL,
  ALU_OR,
  ALU_RSH,
  ALU_SUB,
  ALU_XOR,
  ATOMIC_CMPXCHG,
  ATOMIC_FETCH,
  ATOMIC_LOAD_ACQ,
  ATOMIC_OPS,
  ATOMIC_STORE_REL,
  ATOMIC_XCHG,
  CLS_ALU,
  CLS_JMP32,
  JMP_JEQ,
  JMP_JGE,
  JMP_JGT,
  JMP_JLE,
  JMP_JLT,
  JMP_JNE,
  JMP_JSET,
  JMP_JSGE,
  JMP_JSGT,
  JMP_JSLE,
  JMP_JSLT,
  LDDW_CODE,
  LDDW_IMM64,
  LDDW_MAP_FD,
  LDDW_MAP_IDX,
  LDDW_MAP_IDX_VALUE,
  LDDW_MAP_VALUE,
  LDDW_VARIABLE,
  lookupSpec,
  opClass,
  type OpcodeSpec,
} from './opcodes.js';

/** Optional name resolvers so the output can say `call bpf_map_lookup_elem#1`. */
export interface KernelSyntaxOptions {
  helperName?: (id: number) => string | undefined;
  kfuncName?: (imm: number, off: number) => string | undefined;
  /** Describe an lddw pseudo form (map fd/idx/value, variable): return e.g. `map[counters]`. */
  pseudoName?: (src: number, imm: number, nextImm: number) => string | undefined;
}

const ALU_SYM: Readonly<Record<number, string>> = {
  [ALU_ADD]: '+=',
  [ALU_SUB]: '-=',
  [ALU_MUL]: '*=',
  [ALU_DIV]: '/=',
  [ALU_OR]: '|=',
  [ALU_AND]: '&=',
  [ALU_LSH]: '<<=',
  [ALU_RSH]: '>>=',
  [ALU_MOD]: '%=',
  [ALU_XOR]: '^=',
  [ALU_MOV]: '=',
  [ALU_ARSH]: 's>>=',
};

const JMP_SYM: Readonly<Record<number, string>> = {
  [JMP_JEQ]: '==',
  [JMP_JGT]: '>',
  [JMP_JGE]: '>=',
  [JMP_JSET]: '&',
  [JMP_JNE]: '!=',
  [JMP_JSGT]: 's>',
  [JMP_JSGE]: 's>=',
  [JMP_JLT]: '<',
  [JMP_JLE]: '<=',
  [JMP_JSLT]: 's<',
  [JMP_JSLE]: 's<=',
};

const ATOMIC_SYM: Readonly<Record<string, string>> = { add: '+=', or: '|=', and: '&=', xor: '^=' };

function rel(n: number): string {
  return n < 0 ? `${n}` : `+${n}`;
}

function memRef(reg: number, off: number): string {
  return off < 0 ? `(r${reg} - ${-off})` : `(r${reg} + ${off})`;
}

function ptrType(size: number, signed: boolean): string {
  return `${signed ? 's' : 'u'}${size * 8}`;
}

/** Raw fields, for instructions the table does not know. */
export function rawFields(i: RawInsn): string {
  return `(code=0x${i.code.toString(16).padStart(2, '0')} dst=r${i.dst} src=r${i.src} off=${i.off} imm=${i.imm})`;
}

/**
 * Format one instruction. `next` is the following slot (needed for lddw). Unknown encodings
 * print as their raw fields prefixed with `invalid`.
 */
export function formatKernel(i: RawInsn, next?: RawInsn, opts: KernelSyntaxOptions = {}): string {
  const s = lookupSpec(i.code, i.src, i.off, i.imm);
  if (s === undefined) return `invalid ${rawFields(i)}`;
  return formatSpec(s, i, next, opts);
}

function formatSpec(s: OpcodeSpec, i: RawInsn, next: RawInsn | undefined, opts: KernelSyntaxOptions): string {
  const is32 = s.width === 32;
  const d = `${is32 ? 'w' : 'r'}${i.dst}`;
  const sr = `${is32 ? 'w' : 'r'}${i.src}`;
  switch (s.form) {
    case 'alu_k':
    case 'alu_x': {
      const rhs = s.form === 'alu_k' ? `${i.imm}` : sr;
      const signed = i.off === 1 && (s.aluOp === ALU_DIV || s.aluOp === ALU_MOD);
      return `${d} ${signed ? 's' : ''}${ALU_SYM[s.aluOp]!} ${rhs}`;
    }
    case 'neg':
      return `${d} = -${d}`;
    case 'movsx':
      return `${d} = (s${i.off})${sr}`;
    case 'addr_space_cast':
      // kernel/bpf/disasm.c and LLVM: `rX = addr_space_cast(rY, dst_as, src_as)`, imm = dst_as << 16 | src_as
      return `${d} = addr_space_cast(${sr}, ${i.imm >>> 16}, ${i.imm & 0xffff})`;
    case 'end': {
      const kind = s.mnemonic.replace(/\d+$/, '');
      return `r${i.dst} = ${kind}${i.imm} r${i.dst}`;
    }
    case 'ja':
      return `goto ${rel(i.off)}`;
    case 'ja32':
      return `gotol ${rel(i.imm)}`;
    case 'may_goto':
      return `may_goto ${rel(i.off)}`;
    case 'jmp_k':
    case 'jmp_x': {
      const w = opClass(i.code) === CLS_JMP32 ? 'w' : 'r';
      const rhs = s.form === 'jmp_k' ? `${i.imm}` : `${w}${i.src}`;
      return `if ${w}${i.dst} ${JMP_SYM[s.aluOp]!} ${rhs} goto ${rel(i.off)}`;
    }
    case 'call_helper': {
      const n = opts.helperName?.(i.imm);
      return n === undefined ? `call ${i.imm}` : `call ${n}#${i.imm}`;
    }
    case 'call_local':
      return `call pc${rel(i.imm)}`;
    case 'call_kfunc': {
      const n = opts.kfuncName?.(i.imm, i.off);
      return n === undefined ? `call kfunc#${i.imm}${i.off !== 0 ? `@${i.off}` : ''}` : `call ${n}`;
    }
    case 'callx':
      return `callx r${i.dst}`;
    case 'exit':
      return 'exit';
    case 'ldx':
    case 'ldsx':
      return `r${i.dst} = *(${ptrType(s.size, s.form === 'ldsx')} *)${memRef(i.src, i.off)}`;
    case 'st':
      return `*(${ptrType(s.size, false)} *)${memRef(i.dst, i.off)} = ${i.imm}`;
    case 'stx':
      return `*(${ptrType(s.size, false)} *)${memRef(i.dst, i.off)} = r${i.src}`;
    case 'atomic':
      return formatAtomic(s, i);
    case 'lddw':
      return formatLddw(i, next, opts);
    case 'ldabs':
      return `r0 = *(${ptrType(s.size, false)} *)skb[${i.imm}]`;
    case 'ldind':
      return `r0 = *(${ptrType(s.size, false)} *)skb[r${i.src}${i.imm < 0 ? ` - ${-i.imm}` : ` + ${i.imm}`}]`;
  }
}

function formatAtomic(s: OpcodeSpec, i: RawInsn): string {
  const t = ptrType(s.size, false);
  const w = s.size === 8 ? 'r' : 'w';
  const addr = memRef(i.dst, i.off);
  if (i.imm === ATOMIC_LOAD_ACQ) return `${w}${i.dst} = load_acquire((${t} *)${memRef(i.src, i.off)})`;
  if (i.imm === ATOMIC_STORE_REL) return `store_release((${t} *)${addr}, ${w}${i.src})`;
  if (i.imm === ATOMIC_XCHG) return `${w}${i.src} = xchg${s.size === 8 ? '_64' : '32_32'}(${addr.slice(1, -1)}, ${w}${i.src})`;
  if (i.imm === ATOMIC_CMPXCHG) return `${w}0 = cmpxchg${s.size === 8 ? '_64' : '32_32'}(${addr.slice(1, -1)}, ${w}0, ${w}${i.src})`;
  const a = ATOMIC_OPS.find((x) => x.imm === i.imm)!;
  if ((i.imm & ATOMIC_FETCH) !== 0) return `${w}${i.src} = atomic${s.size === 8 ? '64' : ''}_fetch_${a.name}((${t} *)${addr}, ${w}${i.src})`;
  return `lock *(${t} *)${addr} ${ATOMIC_SYM[a.name]!} ${w}${i.src}`;
}

function formatLddw(i: RawInsn, next: RawInsn | undefined, opts: KernelSyntaxOptions): string {
  const hiImm = next?.imm ?? 0;
  const named = opts.pseudoName?.(i.src, i.imm, hiImm);
  switch (i.src) {
    case LDDW_IMM64:
      return next === undefined ? `r${i.dst} = <truncated lddw>` : `r${i.dst} = 0x${lddwValue(i, next).toString(16)} ll`;
    case LDDW_MAP_FD:
      return `r${i.dst} = ${named ?? `map[fd:${i.imm}]`}`;
    case LDDW_MAP_IDX:
      return `r${i.dst} = ${named ?? `map[idx:${i.imm}]`}`;
    case LDDW_MAP_VALUE:
      return `r${i.dst} = ${named ?? `map[fd:${i.imm}][0]+${hiImm}`}`;
    case LDDW_MAP_IDX_VALUE:
      return `r${i.dst} = ${named ?? `map[idx:${i.imm}][0]+${hiImm}`}`;
    case LDDW_VARIABLE:
      return `r${i.dst} = ${named ?? `var[btf_id:${i.imm}]`}`;
    case LDDW_CODE:
      return `r${i.dst} = func pc${rel(i.imm)}`;
    default:
      return `r${i.dst} = lddw src=${i.src} ${i.imm}`;
  }
}

/** Whether a class is 32-bit arithmetic (for callers that colour output). */
export function isAlu32(code: number): boolean {
  return opClass(code) === CLS_ALU;
}
