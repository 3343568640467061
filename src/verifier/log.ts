/**
 * The verifier log (struct bpf_verifier_log, kernel/bpf/log.c): a text buffer that can be rewound
 * (level 1 drops the text of every path that finished safely), the largest length it ever reached
 * (`log_true_size` counts rewound text), and the kernel's instruction syntax as print_bpf_insn
 * writes it (`(07) r1 += -8`, `(15) if r0 == 0x0 goto pc+1`, `(61) r2 = *(u32 *)(r1 +4)`).
 */
import type { RawInsn } from '../isa/insn.js';
import { lddwValue } from '../isa/insn.js';
import { ATOMIC_CMPXCHG, ATOMIC_FETCH, ATOMIC_LOAD_ACQ, ATOMIC_OPS, ATOMIC_STORE_REL, ATOMIC_XCHG, CLS_JMP32, lookupSpec, opClass } from '../isa/opcodes.js';

/** log_level bits. */
export const LOG_LEVEL1 = 1;
export const LOG_LEVEL2 = 2;
export const LOG_STATS = 4;

/** An append-only text with rewinding, as the kernel keeps it. */
export class VLog {
  private parts: string[] = [];
  private len = 0;
  /** The largest length the text reached (log_true_size - 1). */
  maxLen = 0;

  constructor(readonly level: number) {}

  /** Whether anything is logged at all (bpf_verifier_log_needed). */
  get on(): boolean {
    return this.level !== 0;
  }

  /** Whether instruction traces are logged (level 1 or 2). */
  get trace(): boolean {
    return (this.level & (LOG_LEVEL1 | LOG_LEVEL2)) !== 0;
  }

  get level2(): boolean {
    return (this.level & LOG_LEVEL2) !== 0;
  }

  /** Current end position. */
  get pos(): number {
    return this.len;
  }

  /** Append text (verbose()). */
  put(s: string): void {
    if (this.level === 0 || s === '') return;
    this.parts.push(s);
    this.len += s.length;
    if (this.len > this.maxLen) this.maxLen = this.len;
  }

  /** Rewind to `pos` (bpf_vlog_reset); cheap when only the last parts are dropped. */
  reset(pos: number): void {
    if (pos >= this.len) return;
    while (this.parts.length > 0 && this.len - this.parts[this.parts.length - 1]!.length >= pos) this.len -= this.parts.pop()!.length;
    if (this.len > pos) {
      const last = this.parts.pop()!;
      const keep = last.length - (this.len - pos);
      this.parts.push(last.slice(0, keep));
      this.len = pos;
    }
  }

  /** Whether the text ends at `pos` (nothing printed since). */
  endsAt(pos: number): boolean {
    return this.len === pos;
  }

  text(): string {
    if (this.parts.length > 1) this.parts = [this.parts.join('')];
    return this.parts[0] ?? '';
  }
}

const ALU_STR = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian'] as const;
const JMP_STR: Readonly<Record<number, string>> = { 0x10: '==', 0x20: '>', 0x30: '>=', 0x40: '&', 0x50: '!=', 0x60: 's>', 0x70: 's>=', 0xa0: '<', 0xb0: '<=', 0xc0: 's<', 0xd0: 's<=' };
const SIZE_STR: Readonly<Record<number, string>> = { 0x00: 'u32', 0x08: 'u16', 0x10: 'u8', 0x18: 'u64' };
const SSIZE_STR: Readonly<Record<number, string>> = { 0x00: 's32', 0x08: 's16', 0x10: 's8', 0x18: 's64' };

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}

function off(o: number): string {
  return o < 0 ? `${o}` : `+${o}`;
}

/** Names of call targets for `call bpf_map_lookup_elem#1`. */
export interface InsnNames {
  helperName(id: number): string | undefined;
  kfuncName(imm: number): string | undefined;
  /** lddw: the value to print for a pseudo form (the kernel prints the resolved address). */
  lddwValue?(pc: number): bigint | undefined;
}

/** print_bpf_insn: one instruction in the verifier log's syntax, without the `N: ` prefix. */
export function formatInsn(i: RawInsn, next: RawInsn | undefined, pc: number, names: InsnNames): string {
  const code = i.code;
  const head = `(${code.toString(16).padStart(2, '0')})`;
  const cls = opClass(code);
  const spec = lookupSpec(code, i.src, i.off, i.imm);
  if (spec === undefined) return `${head} unknown opcode`;
  switch (spec.form) {
    case 'alu_k':
    case 'alu_x': {
      const w = spec.width === 64 ? 'r' : 'w';
      const op = (code >> 4) & 0xf;
      const rhs = spec.form === 'alu_k' ? `${i.imm}` : `${w}${i.src}`;
      const sym = i.off === 1 && (op === 3 || op === 9) ? `s${ALU_STR[op]!}` : ALU_STR[op]!;
      return `${head} ${w}${i.dst} ${sym} ${rhs}`;
    }
    case 'movsx': {
      const w = spec.width === 64 ? 'r' : 'w';
      return `${head} ${w}${i.dst} = (s${i.off})${w}${i.src}`;
    }
    case 'addr_space_cast':
      // print_bpf_insn: "(%02x) r%d = addr_space_cast(r%d, %u, %u)", imm >> 16 then (u16)imm
      return `${head} r${i.dst} = addr_space_cast(r${i.src}, ${i.imm >>> 16}, ${i.imm & 0xffff})`;
    case 'neg': {
      const w = spec.width === 64 ? 'r' : 'w';
      return `${head} ${w}${i.dst} = -${w}${i.dst}`;
    }
    case 'end': {
      const kind = spec.mnemonic.replace(/\d+$/, '');
      return `${head} r${i.dst} = ${kind}${i.imm} r${i.dst}`;
    }
    case 'ldx':
    case 'ldsx':
      return `${head} r${i.dst} = *(${(spec.form === 'ldsx' ? SSIZE_STR : SIZE_STR)[code & 0x18]} *)(r${i.src} ${off(i.off)})`;
    case 'st':
      return `${head} *(${SIZE_STR[code & 0x18]} *)(r${i.dst} ${off(i.off)}) = ${i.imm}`;
    case 'stx':
      return `${head} *(${SIZE_STR[code & 0x18]} *)(r${i.dst} ${off(i.off)}) = r${i.src}`;
    case 'atomic': {
      const dw = (code & 0x18) === 0x18;
      const t = SIZE_STR[code & 0x18]!;
      const w = dw ? 'r' : 'w';
      const a = ATOMIC_OPS.find((x) => x.imm === (i.imm & ~ATOMIC_FETCH));
      if (i.imm === ATOMIC_LOAD_ACQ) return `${head} ${w}${i.dst} = load_acquire((${t} *)(r${i.src} ${off(i.off)}))`;
      if (i.imm === ATOMIC_STORE_REL) return `${head} store_release((${t} *)(r${i.dst} ${off(i.off)}), ${w}${i.src})`;
      if (i.imm === ATOMIC_XCHG) return `${head} ${w}${i.src} = atomic${dw ? '64' : ''}_xchg((${t} *)(r${i.dst} ${off(i.off)}), ${w}${i.src})`;
      if (i.imm === ATOMIC_CMPXCHG) return `${head} ${w}0 = atomic${dw ? '64' : ''}_cmpxchg((${t} *)(r${i.dst} ${off(i.off)}), ${w}0, ${w}${i.src})`;
      if ((i.imm & ATOMIC_FETCH) !== 0) return `${head} ${w}${i.src} = atomic${dw ? '64' : ''}_fetch_${a?.name ?? '?'}((${t} *)(r${i.dst} ${off(i.off)}), ${w}${i.src})`;
      return `${head} lock *(${t} *)(r${i.dst} ${off(i.off)}) ${ALU_STR[(i.imm >> 4) & 0xf]} ${w}${i.src}`;
    }
    case 'lddw': {
      const v = names.lddwValue?.(pc) ?? (next !== undefined ? lddwValue(i, next) : 0n);
      return `${head} r${i.dst} = 0x${v.toString(16)}`;
    }
    case 'ldabs':
      return `${head} r0 = *(${SIZE_STR[code & 0x18]} *)skb[${i.imm}]`;
    case 'ldind':
      return `${head} r0 = *(${SIZE_STR[code & 0x18]} *)skb[r${i.src} + ${i.imm}]`;
    case 'ja':
      return `${head} goto pc${off(i.off)}`;
    case 'ja32':
      return `${head} gotol pc${off(i.imm)}`;
    case 'may_goto':
      return `${head} may_goto pc${off(i.off)}`;
    case 'jmp_k':
    case 'jmp_x': {
      const w = cls === CLS_JMP32 ? 'w' : 'r';
      const rhs = spec.form === 'jmp_k' ? hex(i.imm) : `${w}${i.src}`;
      return `${head} if ${w}${i.dst} ${JMP_STR[code & 0xf0]!} ${rhs} goto pc${off(i.off)}`;
    }
    case 'call_helper': {
      const n = names.helperName(i.imm);
      return `${head} call ${n ?? 'unknown'}#${i.imm}`;
    }
    case 'call_local':
      return `${head} call pc${off(i.imm)}`;
    case 'call_kfunc': {
      const n = names.kfuncName(i.imm);
      return `${head} call ${n ?? 'kernel-function'}#${i.imm}`;
    }
    case 'callx':
      return `${head} callx r${i.dst}`;
    case 'exit':
      return `${head} exit`;
  }
}

/** Column padding before `; R0=...` appended to an instruction line (vlog_alignment). */
export function alignment(lineLen: number): number {
  const col = Math.ceil(Math.max(lineLen + 5, 40) / 8) * 8 - 2;
  return col - lineLen;
}
