/**
 * The largest ctx byte a program can touch: the emulator's stand-in for the verifier's
 * `prog->aux->max_ctx_offset` (kernel/bpf/verifier.c check_ctx_access and, for syscall programs,
 * check_helper_mem_access on PTR_TO_CTX). BPF_PROG_TEST_RUN of a syscall program refuses a
 * ctx_size_in below it with EINVAL before running anything.
 *
 * The kernel gets the number from its path-by-path abstract interpretation. The emulator has no
 * verifier, so this is a small forward data-flow analysis over the instructions that tracks just
 * enough: which registers and 8-byte stack slots hold "ctx + constant", and which registers hold
 * small constants (to size helper memory arguments and fold branches on known values). Paths
 * merge at join points (a value survives a merge only if it is the same on every incoming path),
 * so where the verifier would know a pointer on each path separately this analysis may lose it.
 * Accesses are counted from every state the pass visits, including those seen before a later
 * merge weakened them; each such state holds on some real path, so nothing is over-counted.
 * Losing a pointer only lowers the result; an access through a register the analysis no longer
 * knows as ctx is then caught at run time as a fault, as before.
 *
 * Merging only ever drops facts, so the analysis ends: each pc is revisited at most once per fact
 * its first state held.
 *
 * Ctx accesses at a variable offset are not counted (the verifier rejects them outright); kfunc
 * arguments are not counted (their memory arguments are typed by BTF, which this pass does not
 * read).
 */
import type { RawInsn } from '../isa/insn.js';
import type { ArgKind } from '../helpers/registry.js';

/** An abstract value: unknown, a known 64-bit constant, ctx + off, or frame pointer + off. */
type Val = { readonly t: 'ctx' | 'fp' | 'k'; readonly v: number } | null;

interface State {
  readonly regs: Val[];
  /** 8-byte spills by frame offset (fp-relative). */
  readonly stack: Map<number, Val>;
}

const UNKNOWN: Val = null;

const CLS_LD = 0x00, CLS_LDX = 0x01, CLS_ST = 0x02, CLS_STX = 0x03, CLS_ALU = 0x04, CLS_JMP = 0x05, CLS_JMP32 = 0x06, CLS_ALU64 = 0x07;
const SIZE_BYTES = [4, 2, 1, 8] as const; // BPF_W, BPF_H, BPF_B, BPF_DW by (code >> 3) & 3

function same(a: Val, b: Val): boolean {
  return a === b || (a !== null && b !== null && a.t === b.t && a.v === b.v);
}

function clone(s: State): State {
  return { regs: s.regs.slice(), stack: new Map(s.stack) };
}

/** Merge `src` into `dst`; true if `dst` lost information. */
function join(dst: State, src: State): boolean {
  let changed = false;
  for (let r = 0; r < 11; r++) {
    if (dst.regs[r] !== null && !same(dst.regs[r]!, src.regs[r]!)) {
      dst.regs[r] = UNKNOWN;
      changed = true;
    }
  }
  for (const [off, v] of dst.stack) {
    if (!src.stack.has(off) || !same(v, src.stack.get(off)!)) {
      dst.stack.delete(off);
      changed = true;
    }
  }
  return changed;
}

function entryState(ctxInR1: boolean): State {
  const regs: Val[] = new Array<Val>(11).fill(UNKNOWN);
  if (ctxInR1) regs[1] = { t: 'ctx', v: 0 };
  regs[10] = { t: 'fp', v: 0 };
  return { regs, stack: new Map() };
}

/** Constant result of a 64-bit ALU op, or undefined when it is not tracked. */
function alu64(op: number, a: number, b: number): number | undefined {
  let r: number;
  switch (op) {
    case 0x00: r = a + b; break;
    case 0x10: r = a - b; break;
    case 0x20: r = a * b; break;
    case 0x40: r = Number(BigInt.asIntN(64, BigInt(a) | BigInt(b))); break;
    case 0x50: r = Number(BigInt.asIntN(64, BigInt(a) & BigInt(b))); break;
    case 0x60: r = b >= 0 && b < 64 ? Number(BigInt.asIntN(64, BigInt(a) << BigInt(b))) : NaN; break;
    default: return undefined;
  }
  return Number.isSafeInteger(r) ? r : undefined;
}

/** Outcome of a conditional jump on known constants: true (taken), false (not taken) or undefined. */
function foldBranch(op: number, a: number, b: number, is32: boolean): boolean | undefined {
  let x = BigInt(a), y = BigInt(b);
  const bits = is32 ? 32 : 64;
  const ux = BigInt.asUintN(bits, x), uy = BigInt.asUintN(bits, y);
  x = BigInt.asIntN(bits, x);
  y = BigInt.asIntN(bits, y);
  switch (op) {
    case 0x10: return ux === uy;
    case 0x50: return ux !== uy;
    case 0x20: return ux > uy;
    case 0x30: return ux >= uy;
    case 0xa0: return ux < uy;
    case 0xb0: return ux <= uy;
    case 0x40: return (ux & uy) !== 0n;
    case 0x60: return x > y;
    case 0x70: return x >= y;
    case 0xc0: return x < y;
    case 0xd0: return x <= y;
    default: return undefined;
  }
}

/**
 * The largest `offset + size` of a ctx access in `insns` (0 if none is found). `helperArgs` gives
 * a helper's argument kinds; a ctx pointer in a `ptr` argument followed by a constant `size` /
 * `size_or_zero` argument counts as an access of that many bytes.
 */
export function maxCtxOffset(insns: readonly RawInsn[], helperArgs: (id: number) => readonly ArgKind[] | undefined): number {
  const n = insns.length;
  const states: (State | undefined)[] = new Array<State | undefined>(n);
  const work: number[] = [];
  let max = 0;
  const touch = (base: Val, off: number, size: number): void => {
    if (base !== null && base.t === 'ctx') max = Math.max(max, base.v + off + size);
  };
  const flow = (pc: number, s: State): void => {
    if (pc < 0 || pc >= n) return;
    const cur = states[pc];
    if (cur === undefined) states[pc] = clone(s);
    else if (!join(cur, s)) return;
    work.push(pc);
  };
  flow(0, entryState(true));
  while (work.length > 0) {
    const pc = work.pop()!;
    const s = clone(states[pc]!);
    const i = insns[pc]!;
    const cls = i.code & 7;
    const regs = s.regs;
    const setReg = (r: number, v: Val): void => {
      if (r < 10) regs[r] = v;
    };
    switch (cls) {
      case CLS_LD: {
        if (i.code === 0x18) {
          setReg(i.dst, i.src === 0 ? kConst(i.imm, insns[pc + 1]?.imm ?? 0) : UNKNOWN);
          flow(pc + 2, s);
        } else {
          for (let r = 0; r < 6; r++) regs[r] = UNKNOWN; // legacy packet loads clobber r1-r5 and set r0
          flow(pc + 1, s);
        }
        continue;
      }
      case CLS_LDX: {
        const size = SIZE_BYTES[(i.code >> 3) & 3]!;
        const base = regs[i.src] ?? null;
        touch(base, i.off, size);
        let v: Val = UNKNOWN;
        if (base !== null && base.t === 'fp' && size === 8) v = s.stack.get(base.v + i.off) ?? UNKNOWN;
        setReg(i.dst, v);
        flow(pc + 1, s);
        continue;
      }
      case CLS_ST:
      case CLS_STX: {
        const size = SIZE_BYTES[(i.code >> 3) & 3]!;
        const base = regs[i.dst] ?? null;
        touch(base, i.off, size);
        const mode = i.code & 0xe0;
        if (base !== null && base.t === 'fp') {
          const at = base.v + i.off;
          for (const k of [...s.stack.keys()]) if (k < at + size && at < k + 8) s.stack.delete(k);
          if (mode === 0x60 && size === 8) s.stack.set(at, cls === CLS_STX ? (regs[i.src] ?? null) : { t: 'k', v: i.imm });
        }
        if (mode === 0xc0) {
          // Atomics: fetch variants and cmpxchg write a register.
          if (i.imm === 0xf1) regs[0] = UNKNOWN;
          else if ((i.imm & 1) !== 0) setReg(i.src, UNKNOWN);
        }
        flow(pc + 1, s);
        continue;
      }
      case CLS_ALU:
      case CLS_ALU64: {
        const op = i.code & 0xf0;
        const srcVal: Val = (i.code & 0x08) !== 0 ? (regs[i.src] ?? null) : { t: 'k', v: i.imm };
        const d = regs[i.dst] ?? null;
        let out: Val = UNKNOWN;
        if (cls === CLS_ALU64) {
          if (op === 0xb0) out = i.off === 0 ? srcVal : UNKNOWN; // movsx is not tracked
          else if (op === 0x00 || op === 0x10) {
            const k = srcVal !== null && srcVal.t === 'k' ? srcVal.v : undefined;
            if (d !== null && d.t !== 'k' && k !== undefined) out = { t: d.t, v: op === 0x00 ? d.v + k : d.v - k };
            else if (op === 0x00 && d !== null && d.t === 'k' && srcVal !== null && srcVal.t !== 'k') out = { t: srcVal.t, v: srcVal.v + d.v };
            else if (d !== null && d.t === 'k' && k !== undefined) out = kNum(alu64(op, d.v, k));
          } else if (d !== null && d.t === 'k' && srcVal !== null && srcVal.t === 'k') out = kNum(alu64(op, d.v, srcVal.v));
        } else if (op === 0xb0 && srcVal !== null && srcVal.t === 'k' && i.off === 0) {
          out = { t: 'k', v: srcVal.v >>> 0 };
        }
        setReg(i.dst, out);
        flow(pc + 1, s);
        continue;
      }
      case CLS_JMP:
      case CLS_JMP32: {
        const op = i.code & 0xf0;
        if (op === 0x90) continue; // exit
        if (op === 0x00) {
          flow(pc + 1 + (cls === CLS_JMP32 ? i.imm : i.off), s); // ja / gotol
          continue;
        }
        if (op === 0x80) {
          if (cls === CLS_JMP && i.src === 0) {
            const args = helperArgs(i.imm);
            if (args !== undefined) {
              for (let a = 0; a + 1 < args.length && a < 4; a++) {
                const sz = regs[a + 2] ?? null;
                if (args[a] === 'ptr' && (args[a + 1] === 'size' || args[a + 1] === 'size_or_zero') && sz !== null && sz.t === 'k') touch(regs[a + 1] ?? null, 0, sz.v);
              }
            }
          } else if (cls === CLS_JMP && i.src === 1) {
            // bpf-to-bpf call: the callee starts with the caller's r1-r5 and a fresh frame.
            const callee = entryState(false);
            // A pointer into the caller's frame is not tracked across the call.
            for (let r = 1; r <= 5; r++) callee.regs[r] = regs[r]?.t === 'fp' ? UNKNOWN : (regs[r] ?? null);
            flow(pc + 1 + i.imm, callee);
          }
          for (let r = 0; r <= 5; r++) regs[r] = UNKNOWN;
          flow(pc + 1, s);
          continue;
        }
        if (op === 0xe0) {
          flow(pc + 1, s); // may_goto
          flow(pc + 1 + i.off, s);
          continue;
        }
        const a = regs[i.dst] ?? null;
        const b: Val = (i.code & 0x08) !== 0 ? (regs[i.src] ?? null) : { t: 'k', v: i.imm };
        const taken = a !== null && b !== null && a.t === 'k' && b.t === 'k' ? foldBranch(op, a.v, b.v, cls === CLS_JMP32) : undefined;
        if (taken !== true) flow(pc + 1, s);
        if (taken !== false) flow(pc + 1 + i.off, s);
        continue;
      }
    }
  }
  return max;
}

function kNum(v: number | undefined): Val {
  return v === undefined ? UNKNOWN : { t: 'k', v };
}

function kConst(lo: number, hi: number): Val {
  const v = Number(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0)));
  return Number.isSafeInteger(v) ? { t: 'k', v } : UNKNOWN;
}
