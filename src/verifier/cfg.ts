/**
 * The verifier's passes before the walk (kernel/bpf/verifier.c bpf_check order): subprogram
 * discovery (add_subprog_and_kfunc), jump ranges and subprogram ends (check_subprogs), the
 * opcode/lddw sanity check (resolve_pseudo_ldimm64), the control-flow graph (check_cfg: every
 * instruction reachable, prune points) and register liveness (compute_live_registers).
 * Each failure is the kernel's message with EINVAL; the walk never starts.
 */
import type { RawInsn } from '../isa/insn.js';
import { CLS_JMP, CLS_JMP32, CLS_LD, CLS_LDX, JMP_CALL, JMP_EXIT, JMP_JA, JMP_JCOND, LDDW_CODE, lookupSpec, opClass, specsForCode } from '../isa/opcodes.js';

/** A pre-pass refusal: errno and the kernel's message. */
export class PassError {
  constructor(
    readonly errno: number,
    readonly msg: string,
    readonly pc = -1,
  ) {}
}

const EINVAL = 22;
/** Opcodes of the emulator's ISA that the kernel's instruction table lacks (callx). */
const NOT_IN_KERNEL_TABLE: ReadonlySet<number> = new Set([0x8d]);
const LDDW = 0x18;

/** What the pre-passes found. */
export interface CfgInfo {
  /** Subprogram start pcs, ascending (0 first). */
  readonly subprogs: readonly number[];
  /** Subprogram index of every pc. */
  readonly subOf: Int32Array;
  /** is_prune_point per pc. */
  readonly prune: Uint8Array;
  /** is_force_checkpoint per pc (may_goto). */
  readonly force: Uint8Array;
  /** Live registers (bit r for r0..r9) before each pc. */
  readonly live: Uint16Array;
}

function isPseudoCall(i: RawInsn): boolean {
  return i.code === (CLS_JMP | JMP_CALL) && i.src === 1;
}

function isPseudoFunc(i: RawInsn): boolean {
  return i.code === LDDW && i.src === LDDW_CODE;
}

/** Number of r1..r5 arguments a call reads, for liveness. */
export type ArgCount = (insn: RawInsn) => number;

/** Run the pre-passes; throws {@link PassError}. */
export function checkCfg(insns: readonly RawInsn[], argCount: ArgCount, syncCallback: (i: RawInsn) => boolean = () => false, bpfCapable = true, exceptionCb?: number): CfgInfo {
  const n = insns.length;
  // add_subprog_and_kfunc
  const starts = new Set<number>([0]);
  // the exception callback is a subprogram and a walk root of its own, called or not
  if (exceptionCb !== undefined && exceptionCb > 0 && exceptionCb < n) starts.add(exceptionCb);
  for (let pc = 0; pc < n; pc++) {
    const i = insns[pc]!;
    if (isPseudoCall(i) || isPseudoFunc(i)) {
      const t = pc + i.imm + 1;
      if (t < 0 || t >= n) throw new PassError(EINVAL, 'call to invalid destination', pc);
      starts.add(t);
    }
  }
  const subprogs = [...starts].sort((a, b) => a - b);
  const subOf = new Int32Array(n);
  for (let k = 0; k < subprogs.length; k++) subOf.fill(k, subprogs[k]!, k + 1 < subprogs.length ? subprogs[k + 1]! : n);

  // check_subprogs
  for (let pc = 0; pc < n; pc++) {
    const code = insns[pc]!.code;
    const cls = opClass(code);
    const k = subOf[pc]!;
    const start = subprogs[k]!;
    const end = k + 1 < subprogs.length ? subprogs[k + 1]! : n;
    if ((cls === CLS_JMP || cls === CLS_JMP32) && (code & 0xf0) !== JMP_EXIT && (code & 0xf0) !== JMP_CALL) {
      const t = code === (CLS_JMP32 | JMP_JA) ? pc + insns[pc]!.imm + 1 : pc + insns[pc]!.off + 1;
      if (t < start || t >= end) throw new PassError(EINVAL, `jump out of range from insn ${pc} to ${t}`, pc);
    }
    if (pc === end - 1 && code !== (CLS_JMP | JMP_EXIT) && code !== (CLS_JMP32 | JMP_JA) && code !== (CLS_JMP | JMP_JA)) {
      throw new PassError(EINVAL, 'last insn is not an exit or jmp', pc);
    }
  }

  // resolve_pseudo_ldimm64's shape checks
  for (let pc = 0; pc < n; pc++) {
    const i = insns[pc]!;
    if (opClass(i.code) === CLS_LDX && (((i.code & 0xe0) !== 0x60 && (i.code & 0xe0) !== 0x80) || i.imm !== 0)) {
      throw new PassError(EINVAL, 'BPF_LDX uses reserved fields', pc);
    }
    if (i.code === LDDW) {
      const h = insns[pc + 1];
      if (h === undefined || h.code !== 0 || h.dst !== 0 || h.src !== 0 || h.off !== 0) throw new PassError(EINVAL, 'invalid bpf_ld_imm64 insn', pc);
      if (i.src !== 0 && i.src !== 3 && i.src !== 4) {
        const ok = i.src === 2 || i.src === 6 || ((i.src === 1 || i.src === 5) && h.imm === 0);
        if (!ok) throw new PassError(EINVAL, 'unrecognized bpf_ld_imm64 insn', pc);
      }
      pc++;
      continue;
    }
    if (specsForCode(i.code).length === 0 || NOT_IN_KERNEL_TABLE.has(i.code)) throw new PassError(EINVAL, `unknown opcode ${i.code.toString(16).padStart(2, '0')}`, pc);
  }

  // check_cfg: iterative DFS
  const prune = new Uint8Array(n + 1);
  const force = new Uint8Array(n + 1);
  const DISCOVERED = 1;
  const EXPLORED = 2;
  const state = new Uint8Array(n);
  const succsOf = (t: number): number[] => {
    const i = insns[t]!;
    if (isPseudoFunc(i)) {
      prune[t + 2] = 1;
      prune[t] = 1;
      return [t + 2, t + i.imm + 1];
    }
    const cls = opClass(i.code);
    if (cls !== CLS_JMP && cls !== CLS_JMP32) return [t + (i.code === LDDW ? 2 : 1)];
    const op = i.code & 0xf0;
    if (op === JMP_EXIT) return [];
    if (op === JMP_CALL) {
      prune[t + 1] = 1;
      // callback-calling helpers: a forced checkpoint before the call, where repeated visits of
      // the callback body converge
      if (syncCallback(i)) {
        prune[t] = 1;
        force[t] = 1;
      }
      if (isPseudoCall(i)) {
        prune[t] = 1;
        return [t + 1, t + i.imm + 1];
      }
      return [t + 1];
    }
    if (op === JMP_JA) {
      const w = t + (cls === CLS_JMP ? i.off : i.imm) + 1;
      prune[w] = 1;
      return [w];
    }
    prune[t] = 1;
    if (op === JMP_JCOND) force[t] = 1;
    // push_insn(BRANCH) marks the branch target too
    if (t + i.off + 1 >= 0 && t + i.off + 1 <= n) prune[t + i.off + 1] = 1;
    return [t + 1, t + i.off + 1];
  };
  const roots = exceptionCb !== undefined && exceptionCb > 0 && exceptionCb < n ? [0, exceptionCb] : [0];
  const stack: { t: number; succ: number[]; k: number }[] = [];
  for (const root of roots) {
    if (state[root] !== 0) continue;
    stack.push({ t: root, succ: succsOf(root), k: 0 });
    state[root] = DISCOVERED;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.k < top.succ.length) {
        const w = top.succ[top.k++]!;
        if (w < 0 || w >= n) throw new PassError(EINVAL, `jump out of range from insn ${top.t} to ${w}`, top.t);
        if (state[w] === 0) {
          state[w] = DISCOVERED;
          stack.push({ t: w, succ: succsOf(w), k: 0 });
        } else if (state[w] === DISCOVERED && !bpfCapable) {
          // without CAP_BPF no loop is allowed (push_insn)
          throw new PassError(EINVAL, `back-edge from insn ${top.t} to ${w}`, top.t);
        }
        continue;
      }
      state[top.t] = EXPLORED;
      stack.pop();
    }
  }
  for (let pc = 0; pc < n; pc++) {
    if (state[pc] !== EXPLORED) throw new PassError(EINVAL, `unreachable insn ${pc}`, pc);
    if (insns[pc]!.code === LDDW) {
      if (state[pc + 1] !== 0) throw new PassError(EINVAL, `jump into the middle of ldimm64 insn ${pc}`, pc);
      pc++;
    }
  }
  return { subprogs, subOf, prune, force, live: liveness(insns, subOf, argCount) };
}

/** Registers read (use) and written (def) by one instruction, as bit sets over r0..r9. */
function useDef(i: RawInsn, argCount: ArgCount): [use: number, def: number] {
  const b = (r: number): number => (r <= 9 ? 1 << r : 0);
  const cls = opClass(i.code);
  const op = i.code & 0xf0;
  const x = (i.code & 0x08) !== 0;
  switch (cls) {
    case CLS_LD:
      if (i.code === LDDW) return [0, b(i.dst)];
      // LD_ABS / LD_IND: r6 holds the skb; clobbers r0..r5
      return [b(6) | ((i.code & 0xe0) === 0x40 ? b(i.src) : 0), 0x3f];
    case CLS_LDX:
      return [b(i.src), b(i.dst)];
    case 0x02: // ST
      return [b(i.dst), 0];
    case 0x03: {
      // STX and atomics
      if ((i.code & 0xe0) === 0xc0) {
        if (i.imm === 0xf1) return [b(i.dst) | b(i.src) | 1, 1];
        if (i.imm === 0x100) return [b(i.src), b(i.dst)];
        const fetch = (i.imm & 1) !== 0;
        return [b(i.dst) | b(i.src), fetch ? b(i.src) : 0];
      }
      return [b(i.dst) | b(i.src), 0];
    }
    case 0x04:
    case 0x07:
      if (op === 0xb0) return [x ? b(i.src) : 0, b(i.dst)];
      if (op === 0x80 || op === 0xd0) return [b(i.dst), b(i.dst)];
      return [b(i.dst) | (x ? b(i.src) : 0), b(i.dst)];
    default: {
      // JMP / JMP32
      if (op === JMP_EXIT) return [1, 0];
      if (op === JMP_CALL) {
        const n = isPseudoCall(i) ? 5 : argCount(i);
        return [(1 << (n + 1)) - 2, 0x3f];
      }
      if (op === JMP_JA || op === JMP_JCOND) return [0, 0];
      return [b(i.dst) | (x ? b(i.src) : 0), 0];
    }
  }
}

/** compute_live_registers: backward liveness within each subprogram. */
function liveness(insns: readonly RawInsn[], subOf: Int32Array, argCount: ArgCount): Uint16Array {
  const n = insns.length;
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  const succ: number[][] = new Array(n);
  for (let pc = 0; pc < n; pc++) {
    const i = insns[pc]!;
    const [u, d] = useDef(i, argCount);
    use[pc] = u;
    def[pc] = d;
    const cls = opClass(i.code);
    const op = i.code & 0xf0;
    const s: number[] = [];
    if (i.code === LDDW) {
      s.push(pc + 2);
      pc++;
      succ[pc - 1] = s.filter((t) => t < n && subOf[t] === subOf[pc - 1]);
      succ[pc] = [];
      continue;
    }
    if (cls === CLS_JMP || cls === CLS_JMP32) {
      if (op === JMP_EXIT) {
        // no successor
      } else if (op === JMP_CALL) s.push(pc + 1);
      else if (op === JMP_JA) s.push(pc + (cls === CLS_JMP ? i.off : i.imm) + 1);
      else s.push(pc + 1, pc + i.off + 1);
    } else s.push(pc + 1);
    succ[pc] = s.filter((t) => t >= 0 && t < n && subOf[t] === subOf[pc]);
  }
  const liveIn = new Uint16Array(n);
  let changed = true;
  while (changed) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      let out = 0;
      for (const t of succ[pc] ?? []) out |= liveIn[t]!;
      const v = (use[pc]! | (out & ~def[pc]!)) & 0x3ff;
      if (v !== liveIn[pc]) {
        liveIn[pc] = v;
        changed = true;
      }
    }
  }
  return liveIn;
}

/** Whether an opcode's variant (imm/off/src) is one the ISA defines (for do_check's reserved-field errors). */
export function knownVariant(i: RawInsn): boolean {
  return lookupSpec(i.code, i.src, i.off, i.imm) !== undefined;
}
