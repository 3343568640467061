/**
 * The verifier's walk (kernel/bpf/verifier.c do_check and what it calls): symbolic execution of
 * every path from instruction 0 with the register and stack states of state.ts, branches pushed
 * and popped depth-first, states pruned at the CFG's prune points when an explored state covers
 * them, loops unrolled until pruned or decided, and every instruction checked with the kernel's
 * rules and messages: ALU on scalars and pointers, loads and stores (mem.ts), conditional jumps
 * with range narrowing, calls (calls.ts) and exits with their return-value rules.
 *
 * Two capability profiles: root (bpf_capable, allow_ptr_leaks, allow_uninit_stack, bypass_spec_v1
 * and v4) and CAP_BPF without CAP_PERFMON (`privileged: false`: the last four false, so the
 * walk also simulates speculative execution: the not-taken side of a decided branch and the
 * truncated side of `ptr += reg` are walked as speculative paths, whose EACCES/EPERM/EINVAL errors
 * end the path (a barrier in 6.18) instead of refusing the program; ALU sanitation limits must
 * agree across paths). Scalars are treated as precise everywhere (no precision backtracking): pruning is then
 * sound but can be weaker than the kernel's, which only shows in the processed-instruction count.
 */
import { isProbeMemBase } from './rdonly-cast.js';
import type { RawInsn } from '../isa/insn.js';
import { checkThrow } from './throw.js';
import { checkNotInPreempt } from './preempt.js';
import { ADDR_SPACE_CAST_OFF, CAST_IMM_KERN, CAST_IMM_USER, CLS_ALU, CLS_ALU64, CLS_JMP, CLS_JMP32, CLS_LD, CLS_LDX, CLS_ST, CLS_STX, opClass } from '../isa/opcodes.js';
import type { VerifierInput, VerifierResult, VerifierStats, VFunc, VKfunc } from './api.js';
import { VerifierError, type VerifierErrorCode } from './api.js';
import { checkCfg, PassError, type CfgInfo } from './cfg.js';
import { alignment, formatInsn, LOG_LEVEL2, LOG_STATS, VLog } from './log.js';
import { constReg, isConstScalar, isNullScalar, isPointer, NOT_INIT, ptrReg, regTypeStr, scalarReg, UNKNOWN_SCALAR, withReg, type Reg } from './reg.js';
import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_DIV,
  BPF_END,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JNE,
  BPF_LSH,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_XOR,
  isBranchTaken,
  narrowBranch,
  scalarAlu,
  scalarConst,
  scalarEnd,
  scalarUnknown,
  scalarWidth,
  scalarEquals,
  type Scalar,
} from './scalar.js';
import { copyState, formatFrame, iterDepthsDiffer, statesEqual, type Frame, type Ref, type VState } from './state.js';
import { iterActiveAtR1 } from './iter.js';
import { formatTnum, tnumAdd, tnumConst, tnumIsConst, tnumSub } from './tnum.js';
import { checkMemAccess, checkLdAbs } from './mem.js';
import { checkHelperCall, checkKfuncCall, checkLocalCall, prepareFuncExit } from './calls.js';
import { kfuncSpinAllowed, resLockHeld, resLockOff } from './res-lock.js';
import { isTrustedReg } from './trust.js';

/** BPF_MAP_TYPE_ARENA (the verifier reads only VMap.type). */
const BPF_MAP_TYPE_ARENA = 33;

export const ERR = { EPERM: 1, E2BIG: 7, EBADF: 9, EACCES: 13, EFAULT: 14, EINVAL: 22, ENOSPC: 28, ENOTSUPP: 524 } as const;
const CODE_OF: Readonly<Record<number, VerifierErrorCode>> = { 1: 'EPERM', 7: 'E2BIG', 9: 'EBADF', 13: 'EACCES', 14: 'EFAULT', 22: 'EINVAL', 524: 'ENOTSUPP' };

/** BPF_COMPLEXITY_LIMIT_INSNS. */
export const COMPLEXITY_LIMIT = 1_000_000;
/** BPF_COMPLEXITY_LIMIT_JMP_SEQ. */
const JMP_SEQ_LIMIT = 8192;
/** MAX_CALL_FRAMES. */
export const MAX_FRAMES = 8;
/** MAX_BPF_STACK. */
export const MAX_STACK = 512;
/** BPF_MAX_VAR_OFF. */
export const MAX_VAR_OFF = 1 << 29;

/** A refusal raised anywhere in the walk: the errno and the message lines. */
export class Reject {
  constructor(
    readonly errno: number,
    readonly msg: string,
  ) {}
}

/** A checkpoint (struct bpf_verifier_state_list entry). */
interface Node {
  readonly st: VState;
  /** stateHash of `st`: states equal up to id renaming have equal hashes (cheap loop-check filter). */
  readonly hash: number;
  readonly pc: number;
  /** Paths still being explored below this checkpoint. */
  branches: number;
  /** Pruning hits and misses (eviction heuristic). */
  hits: number;
  misses: number;
  readonly parent: Node | null;
}

/** A pushed branch (struct bpf_verifier_stack_elem). */
interface Pending {
  readonly st: VState;
  readonly pc: number;
  readonly prevPc: number;
  readonly logPos: number;
  readonly parent: Node | null;
}

const ALU_NAMES = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian'] as const;

/** The walk over one program. */
export class Verifier {
  readonly insns: readonly RawInsn[];
  readonly n: number;
  readonly log: VLog;
  cfg!: CfgInfo;
  cur!: VState;
  pc = 0;
  prevPc = 0;
  private parent: Node | null = null;
  private readonly pending: Pending[] = [];
  /** Checkpoints per pc: still explored (by hash) and fully explored. */
  private readonly explored: ({ active: Map<number, Node[]>; activeCount: number; done: Node[] } | undefined)[];
  private curStates = 0;
  private idGen = 0;
  insnProcessed = 0;
  private jmpsProcessed = 0;
  private prevJmps = 0;
  private prevInsns = 0;
  private totalStates = 0;
  private peakStates = 0;
  private maxStatesPerInsn = 0;
  /** Stack depth per subprogram (bytes). */
  readonly stackDepth: number[];
  /** save_aux_ptr_type: the pointer type each load/store instruction was first seen with. */
  private readonly auxPtr: (string | undefined)[];
  /** pcs of PROBE_MEM loads (isProbeMemBase). */
  private readonly probeLoads = new Set<number>();
  /** prog->aux->arena: the program uses an arena map (a pseudo lddw names one). */
  private readonly hasArena: boolean;
  /** pcs of 64-bit ALU insns on an arena pointer: the kernel makes them 32-bit (needs_zext, do_misc_fixups). */
  private readonly arenaAlu32 = new Set<number>();
  /** Registers and slots touched by the current instruction (for `; R0=...`). */
  scratchRegs = 0;
  scratchSlots = new Set<number>();
  /**
   * The capability profile (bpf_check's snapshot): `privileged: false` is CAP_BPF without
   * CAP_PERFMON, where allow_ptr_leaks, allow_uninit_stack and bypass_spec_v1/v4 are false.
   */
  readonly allowPtrLeaks: boolean;
  /** bpf_capable: false for a user without CAP_BPF (no loops, no calls to other functions). */
  readonly bpfCapable: boolean;
  /** insn_aux nospec: a speculative path that failed here; speculative paths stop before it. */
  private readonly nospec: Uint8Array;
  /** insn_aux nospec_result (Spectre v4 stores): speculative paths stop after it. */
  private readonly nospecResult: Uint8Array;
  /** insn_aux alu_state/alu_limit of sanitized ADD/SUB instructions (update_alu_sanitation_state). */
  private readonly aluAux = new Map<number, { state: number; limit: number }>();
  private prevLogPos = 0;
  private prevInsnPrintLen = 0;
  private lastLinfo = -1;
  /** Instructions some path reached. */
  readonly visited: Uint8Array;
  /** Global functions called so far, verified after the main program (do_check_subprogs). */
  private readonly globalsCalled = new Map<number, VFunc>();
  /** The exception callback's subprogram (verified on its own, returning as the program does), or -1. */
  excCbSub = -1;
  /** Subprograms called as async callbacks (verified as their own roots). */
  readonly asyncRoots: { pc: number; st: VState }[] = [];

  constructor(readonly input: VerifierInput) {
    this.allowPtrLeaks = input.privileged === undefined || input.privileged === true;
    this.bpfCapable = input.privileged !== 'none';
    this.insns = input.insns;
    this.n = input.insns.length;
    this.log = new VLog(input.logLevel);
    this.explored = new Array(this.n);
    this.auxPtr = new Array(this.n);
    this.hasArena = [...input.pseudo.values()].some((t) => (t.kind === 'map_ptr' || t.kind === 'map_value') && t.map.type === BPF_MAP_TYPE_ARENA);
    this.stackDepth = [];
    this.visited = new Uint8Array(this.n);
    this.nospec = new Uint8Array(this.n);
    this.nospecResult = new Uint8Array(this.n);
  }

  /** The current store needs a speculation barrier after it (Spectre v4, check_stack_write_fixed_off). */
  markNospecResult(): void {
    this.nospecResult[this.pc] = 1;
  }

  /** sanitize_speculative_path: walk `pc` later as a speculative path, prevPc the current insn. */
  private pushSpeculative(pc: number): VState {
    const q = this.pushBranch(pc);
    q.speculative = true;
    return q;
  }

  /** update_alu_sanitation_state: an ADD/SUB sanitized one way must be sanitized the same way on every path. */
  private updateAluSanitation(dstNo: number, op: number, state: number, limit: number): void {
    const aux = this.aluAux.get(this.pc);
    if (aux !== undefined && (aux.state !== state || aux.limit !== limit)) {
      this.reject(ERR.EACCES, `R${dstNo} tried to ${op === BPF_ADD ? 'add' : 'sub'} from different maps, paths or scalars, pointer arithmetic with it prohibited for !root`);
    }
    this.aluAux.set(this.pc, { state, limit });
  }

  /** retrieve_ptr_limit: how far the pointer may move (u32), or the sanitize_err reason. */
  private ptrLimit(ptr: Reg, maskToLeft: boolean): number | 'type' | 'limit' {
    let max: number;
    let lim: number;
    if (ptr.type === 'fp') {
      max = 512 + (maskToLeft ? 1 : 0);
      lim = Number(BigInt.asUintN(32, -(ptr.s.var.value + BigInt(ptr.off))));
    } else if (ptr.type === 'map_value' && ptr.map !== null) {
      max = ptr.map.valueSize;
      lim = Number(BigInt.asUintN(32, (maskToLeft ? ptr.s.smin : ptr.s.umax) + BigInt(ptr.off)));
    } else return 'type';
    if (lim >= max) return 'limit';
    return max - lim;
  }

  // --- small utilities used by mem.ts and calls.ts -------------------------------------------------

  markGlobalCalled(sub: number, fn: VFunc): void {
    if (!this.globalsCalled.has(sub)) this.globalsCalled.set(sub, fn);
  }

  newId(): number {
    return ++this.idGen;
  }

  reject(errno: number, msg: string): never {
    throw new Reject(errno, msg);
  }

  frame(): Frame {
    return this.cur.frames[this.cur.frames.length - 1]!;
  }

  regs(): Reg[] {
    return this.frame().regs;
  }

  /** check_reg_arg(SRC_OP). */
  readReg(r: number): Reg {
    if (r > 10) this.reject(ERR.EINVAL, `R${r} is invalid`);
    this.scratchRegs |= 1 << r;
    const reg = this.regs()[r]!;
    if (reg.type === 'not_init') this.reject(ERR.EACCES, `R${r} !read_ok`);
    return reg;
  }

  /** check_reg_arg(DST_OP / DST_OP_NO_MARK): r10 is read only. */
  checkDst(r: number): void {
    if (r > 10) this.reject(ERR.EINVAL, `R${r} is invalid`);
    this.scratchRegs |= 1 << r;
    if (r === 10) this.reject(ERR.EACCES, 'frame pointer is read only');
  }

  setReg(r: number, reg: Reg): void {
    this.regs()[r] = reg;
    this.scratchRegs |= 1 << r;
  }

  /** Every register and spilled register of every frame, with a setter (bpf_for_each_reg_in_vstate). */
  forEachReg(st: VState, fn: (reg: Reg) => Reg | undefined): void {
    for (const f of st.frames) {
      for (let r = 0; r < 11; r++) {
        const nr = fn(f.regs[r]!);
        if (nr !== undefined) f.regs[r] = nr;
      }
      for (let spi = 0; spi < f.stack.length; spi++) {
        const s = f.stack[spi]!;
        if (s.types[7] !== 1) continue;
        const nr = fn(s.spilled);
        if (nr !== undefined) f.stack[spi] = { types: s.types, spilled: nr };
      }
    }
  }

  /** Record the deepest stack use of a subprogram (grow_stack_state). */
  growStack(frame: Frame, bytes: number): void {
    const size = Math.ceil(bytes / 8) * 8;
    if ((this.stackDepth[frame.subprog] ?? 0) < size) this.stackDepth[frame.subprog] = size;
    const slots = size / 8;
    while (frame.stack.length < slots) frame.stack.push({ types: [0, 0, 0, 0, 0, 0, 0, 0], spilled: NOT_INIT });
  }

  /** save_aux_ptr_type: one load/store instruction may not see ctx on one path and another pointer on another. */
  saveAuxPtr(type: string): void {
    const prev = this.auxPtr[this.pc];
    if (prev === undefined) {
      this.auxPtr[this.pc] = type;
      return;
    }
    // reg_type_mismatch_ok: these pointer types get their accesses rewritten, so one insn cannot serve two of them
    const okMismatch = (t: string): boolean => t !== 'ctx' && !t.startsWith('sock') && !t.startsWith('ptr_') && t !== 'tcp_sock' && t !== 'xdp_sock' && t !== 'arena';
    if (prev !== type && (!okMismatch(type) || !okMismatch(prev))) this.reject(ERR.EINVAL, 'same insn cannot be used with different pointers');
  }

  /** Push the other successor of a branch (push_stack); returns the copy to adjust. */
  pushBranch(pc: number, st: VState = this.cur): VState {
    const copy = copyState(st);
    this.pending.push({ st: copy, pc, prevPc: this.pc, logPos: this.log.pos, parent: this.parent });
    if (this.parent !== null) this.parent.branches++;
    if (this.pending.length > JMP_SEQ_LIMIT) this.reject(ERR.E2BIG, `The sequence of ${this.pending.length} jumps is too complex.`);
    return copy;
  }

  /** The source line of a pc as `; text @ file:N` (verbose_linfo), once per change. */
  private linfo(pc: number): void {
    const li = this.input.lineOf?.(pc);
    if (li === undefined) return;
    const key = li.line * 100000 + li.file.length;
    if (key === this.lastLinfo) return;
    this.lastLinfo = key;
    this.log.put(`; ${li.text.trimStart()} @ ${li.file}:${li.line}\n`);
  }

  /** print_verifier_state of the current frame. */
  stateText(all: boolean): string {
    const f = this.frame();
    return formatFrame(f, all ? -1 : this.scratchRegs, all ? null : this.scratchSlots, this.cur.refs);
  }

  /** print_insn_state: append the scratched registers to the instruction line, or start a new line. */
  printInsnState(): void {
    if (!this.log.trace) return;
    if (this.scratchRegs === 0 && this.scratchSlots.size === 0) return;
    const text = this.stateText(false);
    if (this.prevLogPos !== 0 && this.log.endsAt(this.prevLogPos)) {
      this.log.reset(this.prevLogPos - 1);
      this.log.put(`${' '.repeat(alignment(this.prevInsnPrintLen - 1))};${text}\n`);
    } else this.log.put(`${this.pc}:${text}\n`);
    this.scratchRegs = 0;
    this.scratchSlots.clear();
  }

  // --- the walk ------------------------------------------------------------------------------------

  run(): VerifierResult {
    const t0 = now();
    const argCount = (i: RawInsn): number => {
      if (i.src === 2) return this.input.kfunc(i.imm)?.nargs ?? 5;
      const p = this.input.helper(i.imm)?.proto;
      return p === undefined ? 5 : p.args.length;
    };
    let err: Reject | null = null;
    let pc = -1;
    try {
      // callback-calling helpers and iterator `_next` kfuncs get forced checkpoints
      // add_subprog_and_kfunc: without CAP_BPF, no bpf-to-bpf, callback or kfunc references
      if (!this.bpfCapable && this.insns.some((i) => (i.code === 0x85 && (i.src === 1 || i.src === 2)) || (i.code === 0x18 && i.src === 4))) {
        throw new PassError(ERR.EPERM, 'loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN', -1);
      }
      this.cfg = checkCfg(this.insns, argCount, (i) => (i.src === 0 && [181, 164, 180, 209].includes(i.imm)) || (i.src === 2 && this.input.kfunc(i.imm)?.iter?.kind === 'next'), this.bpfCapable, this.input.exceptionCb);
      for (let k = 0; k < this.cfg.subprogs.length; k++) this.stackDepth.push(0);
    } catch (e) {
      if (!(e instanceof PassError)) throw e;
      err = new Reject(e.errno, e.msg);
    }
    if (err === null && this.input.exceptionCbError !== undefined) err = new Reject(ERR.EINVAL, this.input.exceptionCbError);
    if (err === null) err = this.checkSleepable();
    if (err === null) {
      try {
        // the exception callback is verified on its own, as a global function (its argument a scalar)
        const cb = this.input.exceptionCb;
        const cbFn = cb === undefined ? undefined : this.input.funcs?.find((f) => f.pc === cb);
        if (cb !== undefined && cbFn !== undefined && this.cfg.subOf[cb] !== undefined) {
          this.excCbSub = this.cfg.subOf[cb]!;
          this.markGlobalCalled(this.excCbSub, cbFn);
        }
        this.doCheck(this.initialState(), 0);
        while (this.asyncRoots.length > 0) {
          const r = this.asyncRoots.shift()!;
          this.parent = null;
          this.doCheck(r.st, r.pc);
        }
        const done = new Set<number>();
        for (;;) {
          const next = [...this.globalsCalled.keys()].filter((k) => !done.has(k)).sort((a, b) => a - b)[0];
          if (next === undefined) break;
          done.add(next);
          this.checkGlobal(next, this.globalsCalled.get(next)!);
        }
        // every path verified: the level-1 trace is gone before the stack check (6.18 logs only its message, measured)
        if (this.log.trace && !this.log.level2) this.log.reset(0);
        this.checkMaxStackDepth();
      } catch (e) {
        if (!(e instanceof Reject)) throw e;
        err = e;
        pc = this.pc;
      }
    }
    const timeUs = Math.round((now() - t0) * 1000);
    const stats: VerifierStats = {
      insnsProcessed: this.insnProcessed,
      maxStatesPerInsn: this.maxStatesPerInsn,
      totalStates: this.totalStates,
      peakStates: this.peakStates,
      stackDepth: this.stackDepth.slice(),
      timeUs,
    };
    if (err === null && this.log.trace && (this.log.level & LOG_LEVEL2) === 0) this.log.reset(0);
    if (err !== null) this.log.put(err.msg.endsWith('\n') || err.msg.endsWith('\u0000') ? err.msg.replace(/\u0000$/, '') : `${err.msg}\n`);
    if ((this.log.level & LOG_STATS) !== 0) {
      this.log.put(`verification time ${timeUs} usec\n`);
      this.log.put(`stack depth ${stats.stackDepth.join('+')}\n`);
    }
    this.log.put(
      `processed ${this.insnProcessed} insns (limit ${COMPLEXITY_LIMIT}) max_states_per_insn ${this.maxStatesPerInsn} total_states ${this.totalStates} peak_states ${this.peakStates} mark_read 0\n`,
    );
    const logText = this.log.text();
    if (err === null) {
      const arenaAccesses = new Set<number>();
      for (let k = 0; k < this.n; k++) if (this.auxPtr[k] === 'arena') arenaAccesses.add(k);
      return {
        ok: true,
        log: logText,
        stats,
        visited: this.visited,
        ...(arenaAccesses.size > 0 || this.arenaAlu32.size > 0 ? { arenaAccesses, arenaAlu32: new Set(this.arenaAlu32) } : {}),
        ...(this.probeLoads.size > 0 ? { probeLoads: new Set(this.probeLoads) } : {}),
      };
    }
    const insnPc = pc >= 0 && pc < this.n ? pc : -1;
    const li = insnPc >= 0 ? this.input.lineOf?.(insnPc) : undefined;
    const insnText = insnPc >= 0 ? formatInsn(this.insns[insnPc]!, this.insns[insnPc + 1], insnPc, this.names()).replace(/^\(\w\w\) /, '') : '';
    const code = CODE_OF[err.errno] ?? 'EINVAL';
    return {
      ok: false,
      error: new VerifierError(code, err.errno, insnPc, insnText, err.msg.replace(/\n$/, ''), li === undefined ? undefined : { file: li.file, line: li.line, text: li.text.trim() }, logText, stats),
    };
  }

  /** do_check_common for a global function: its arguments typed from the BTF prototype. */
  private checkGlobal(sub: number, fn: VFunc): void {
    this.log.put(`Validating ${fn.name}() func#${sub}...\n`);
    const start = this.log.pos;
    if (sub === this.excCbSub && (fn.args.length !== 1 || fn.args[0]!.kind !== 'scalar')) this.reject(ERR.EINVAL, 'exception cb only supports single integer argument');
    const regs: Reg[] = new Array(11).fill(NOT_INIT);
    fn.args.forEach((a, k) => {
      if (a.kind === 'unsupported') this.reject(ERR.EINVAL, `Arg#${k} type ${a.type} in ${fn.name}() is not supported yet.`);
      if (a.kind === 'invalid') this.reject(ERR.EINVAL, a.msg);
      if (a.kind === 'trusted') {
        regs[k + 1] = ptrReg('btf_id', { btfName: a.name, trust: 'trusted', maybeNull: a.nullable, ...(a.nullable ? { id: this.newId() } : {}) });
        return;
      }
      // an arg:arena parameter is an unknown scalar (an arena pointer or a scalar was passed)
      regs[k + 1] = a.kind === 'ctx' ? ptrReg('ctx') : a.kind === 'scalar' || a.kind === 'arena' ? UNKNOWN_SCALAR : ptrReg('mem', { memSize: a.size, maybeNull: a.nullable, ...(a.nullable ? { id: this.newId() } : {}) });
    });
    regs[10] = ptrReg('fp', { frameno: 0 });
    const st: VState = { frames: [{ regs, stack: [], callsite: -1, frameno: 0, subprog: sub, cbRet: null, async: false }], refs: [], lockId: 0, lockOff: 0, mayGotoDepth: 0, cbDepth: 0 };
    this.parent = null;
    this.doCheck(st, fn.pc);
    if (this.log.trace && !this.log.level2) this.log.reset(start);
    this.log.put(`Func#${sub} ('${fn.name}') is safe for any args that match its prototype\n`);
  }

  /** in_rcu_cs: inside an RCU read-side section, holding a spin lock, or a non-sleepable program. */
  inRcuCs(): boolean {
    return this.cur.rcuLock === true || this.cur.lockId !== 0 || this.cur.lockOff !== 0 || resLockHeld(this.cur) || (this.input.progFlags & 16) === 0;
  }

  /** check_attach_btf_id's sleepable rules. */
  private checkSleepable(): Reject | null {
    const sleepable = (this.input.progFlags & 16) !== 0;
    const t = this.input.progType;
    if (t === 31 && !sleepable) return new Reject(ERR.EINVAL, 'Syscall programs can only be sleepable');
    if (sleepable && ![26, 29, 27, 31, 2].includes(t)) {
      return new Reject(ERR.EINVAL, 'Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable');
    }
    return null;
  }

  names(): { helperName(id: number): string | undefined; kfuncName(imm: number): string | undefined; lddwValue(pc: number): bigint | undefined } {
    return {
      helperName: (id) => this.input.helperName(id),
      kfuncName: (imm) => this.input.kfunc(imm)?.name,
      lddwValue: () => undefined,
    };
  }

  private initialState(): VState {
    const regs: Reg[] = new Array(11).fill(NOT_INIT);
    regs[1] = ptrReg('ctx');
    regs[10] = ptrReg('fp', { frameno: 0 });
    return { frames: [{ regs, stack: [], callsite: -1, frameno: 0, subprog: 0, cbRet: null, async: false }], refs: [], lockId: 0, lockOff: 0, mayGotoDepth: 0, cbDepth: 0 };
  }

  /** do_check from `pc` with state `st`, until every pushed branch is explored. */
  private doCheck(st: VState, pc: number): void {
    this.cur = st;
    this.pc = pc;
    let printState = true;
    for (;;) {
      if (++this.insnProcessed > COMPLEXITY_LIMIT) {
        this.reject(ERR.E2BIG, `BPF program is too large. Processed ${this.insnProcessed} insn`);
      }
      const pcNow = this.pc;
      let pruned = false;
      if (this.cfg.prune[pcNow] === 1) pruned = this.isStateVisited(pcNow);
      if (pruned) {
        if (this.log.trace) {
          if (this.log.level2) this.log.put(printState ? `\nfrom ${this.prevPc} to ${pcNow}${this.cur.speculative === true ? ' (speculative execution)' : ''}: safe\n` : `${pcNow}: safe\n`);
        }
        if (!this.popPath()) return;
        printState = true;
        continue;
      }
      if (this.log.trace) {
        if (printState) {
          if (this.log.level2 && this.insnProcessed > 1) this.log.put(`\nfrom ${this.prevPc} to ${pcNow}${this.cur.speculative === true ? ' (speculative execution)' : ''}:${this.stateText(true)}\n`);
          else this.log.put(`${pcNow}:${this.stateText(true)}\n`);
          this.scratchRegs = 0;
          this.scratchSlots.clear();
          printState = false;
        } else this.printInsnState();
        this.linfo(pcNow);
        this.prevLogPos = this.log.pos;
        this.log.put(`${pcNow}: ${formatInsn(this.insns[pcNow]!, this.insns[pcNow + 1], pcNow, this.names())}\n`);
        this.prevInsnPrintLen = this.log.pos - this.prevLogPos;
        this.prevLogPos = this.log.pos;
      }
      this.prevPc = pcNow;
      const spec = this.cur.speculative === true;
      if (!spec) this.visited[pcNow] = 1;
      let r: 'next' | 'exit' | 'frame';
      if (spec && this.nospec[pcNow] === 1) r = 'exit';
      else if (!spec) r = this.step(this.insns[pcNow]!);
      else {
        try {
          r = this.step(this.insns[pcNow]!);
          // a Spectre v4 barrier after this insn ends the speculative path
          if (this.nospecResult[pcNow] === 1) r = 'exit';
        } catch (e) {
          // error_recoverable_with_nospec: a barrier before this insn, the speculative path ends here
          if (!(e instanceof Reject) || (e.errno !== ERR.EACCES && e.errno !== ERR.EPERM && e.errno !== ERR.EINVAL)) throw e;
          this.nospec[pcNow] = 1;
          this.aluAux.delete(pcNow);
          r = 'exit';
        }
      }
      if (r === 'exit') {
        if (!this.popPath()) return;
        printState = true;
      } else if (r === 'frame') printState = true;
    }
  }

  /** The current path is done (exit or pruned): pop the next branch; false when none is left. */
  private popPath(): boolean {
    this.updateBranchCounts(this.parent);
    const p = this.pending.pop();
    if (p === undefined) return false;
    if (this.log.trace && !this.log.level2) this.log.reset(p.logPos);
    this.cur = p.st;
    this.pc = p.pc;
    this.prevPc = p.prevPc;
    this.parent = p.parent;
    this.scratchRegs = 0;
    this.scratchSlots.clear();
    this.prevLogPos = 0;
    return true;
  }

  private updateBranchCounts(n: Node | null): void {
    while (n !== null) {
      n.branches--;
      if (n.branches > 0) break;
      // fully explored: from now on it prunes
      const l = this.explored[n.pc]!;
      const bucket = l.active.get(n.hash)!;
      bucket.splice(bucket.indexOf(n), 1);
      if (bucket.length === 0) l.active.delete(n.hash);
      l.activeCount--;
      l.done.push(n);
      n = n.parent;
    }
  }

  /** is_state_visited: prune against an explored state, detect infinite loops, add a checkpoint. */
  private isStateVisited(pc: number): boolean {
    const list = this.explored[pc];
    const live = this.cfg.live[pc]!;
    const force = this.cfg.force[pc] === 1;
    let add = force || (this.jmpsProcessed - this.prevJmps >= 2 && this.insnProcessed - this.prevInsns >= 8);
    const curHash = stateHash(this.cur);
    if (list !== undefined) {
      if (list.activeCount > 0) {
        // states still being explored (ancestors on this path, or pending siblings)
        const isCallbackCall = this.isCallbackCallInsn(pc);
        const iterNextK = this.iterNextKfunc(pc);
        if (iterNextK !== undefined) {
          // an iterator loop converges: equal to a state still being explored here, ignoring the
          // iterator's depth, with the iterator active
          for (const bucket of list.active.values()) {
            for (const sl of bucket) if (statesEqual(sl.st, this.cur, live, false) && iterActiveAtR1(this.cur, iterNextK)) return true;
          }
        } else if (force || isCallbackCall) {
          for (const bucket of list.active.values()) {
            for (const sl of bucket) {
              if (force && !isCallbackCall && sl.st.mayGotoDepth !== this.cur.mayGotoDepth && statesEqual(sl.st, this.cur, live, false)) return true;
              if (isCallbackCall && statesEqual(sl.st, this.cur, live, false)) return true;
            }
          }
        } else {
          for (const sl of list.active.get(curHash) ?? []) {
            if (this.maybeLooping(sl.st) && statesEqual(sl.st, this.cur, 0x3ff, true) && !iterDepthsDiffer(sl.st, this.cur) && sl.st.mayGotoDepth === this.cur.mayGotoDepth && sl.st.cbDepth === this.cur.cbDepth) {
              const curText = this.stateText(true);
              const saved = this.cur;
              this.cur = sl.st;
              const oldText = this.stateText(true);
              this.cur = saved;
              this.reject(ERR.EINVAL, `infinite loop detected at insn ${pc}\ncur state:${curText}\nold state:${oldText}`);
            }
          }
        }
        if (!force && this.jmpsProcessed - this.prevJmps < 20 && this.insnProcessed - this.prevInsns < 100) add = false;
      }
      for (let i = 0; i < list.done.length; i++) {
        const sl = list.done[i]!;
        if (statesEqual(sl.st, this.cur, live, false)) {
          sl.hits++;
          return true;
        }
        // evict states that keep missing (the kernel's miss_cnt heuristic)
        if (add && ++sl.misses > sl.hits * 3 + 3) {
          list.done.splice(i--, 1);
          this.curStates--;
        }
      }
    }
    if (!add) return false;
    this.prevJmps = this.jmpsProcessed;
    this.prevInsns = this.insnProcessed;
    const node: Node = { st: copyState(this.cur), hash: curHash, pc, branches: 1, parent: this.parent, hits: 0, misses: 0 };
    this.parent = node;
    const l = list ?? (this.explored[pc] = { active: new Map(), activeCount: 0, done: [] });
    const bucket = l.active.get(curHash);
    if (bucket === undefined) l.active.set(curHash, [node]);
    else bucket.push(node);
    l.activeCount++;
    this.totalStates++;
    this.curStates++;
    if (this.curStates > this.peakStates) this.peakStates = this.curStates;
    const n = l.activeCount + l.done.length;
    if (n > this.maxStatesPerInsn) this.maxStatesPerInsn = n;
    return false;
  }

  /** states_maybe_looping: same frames and callsites, and the innermost registers look alike. */
  private maybeLooping(old: VState): boolean {
    if (old.frames.length !== this.cur.frames.length) return false;
    for (let i = 0; i < old.frames.length; i++) if (old.frames[i]!.callsite !== this.cur.frames[i]!.callsite) return false;
    return true;
  }

  /**
   * prepare_func_exit's widening for sync callbacks: back at the callback-calling instruction, the
   * scalars that changed since this path's previous checkpoint there (same frames and call sites)
   * become unknown, as the kernel widens imprecise scalars (bpfemu has no precision marks, so every
   * changed scalar is widened), so a callback loop that accumulates into the caller's stack converges.
   */
  widenAtCallsite(): void {
    let prev = this.parent;
    for (; prev !== null; prev = prev.parent) {
      if (prev.pc !== this.pc || prev.st.frames.length !== this.cur.frames.length) continue;
      let same = true;
      for (let f = 0; f < prev.st.frames.length; f++) if (prev.st.frames[f]!.callsite !== this.cur.frames[f]!.callsite) same = false;
      if (same) break;
    }
    if (prev !== null) widenScalars(prev.st, this.cur);
  }

  /** The iterator `_next` kfunc called at pc (is_iter_next_insn), or undefined. */
  private iterNextKfunc(pc: number): VKfunc | undefined {
    const i = this.insns[pc]!;
    if (i.code !== 0x85 || i.src !== 2) return undefined;
    const k = this.input.kfunc(i.imm);
    return k?.iter?.kind === 'next' ? k : undefined;
  }

  /** find_prev_entry: this path's previous checkpoint at the current pc with the same frames (skipping the one just added), or null. */
  prevVisit(): VState | null {
    let prev = this.parent !== null && this.parent.pc === this.pc ? this.parent.parent : this.parent;
    while (prev !== null && prev.pc !== this.pc) prev = prev.parent;
    if (prev === null || prev.st.frames.length !== this.cur.frames.length) return null;
    for (let f = 0; f < prev.st.frames.length; f++) if (prev.st.frames[f]!.callsite !== this.cur.frames[f]!.callsite) return null;
    return prev.st;
  }

  /** widen_imprecise_scalars of `cur` against `old`. */
  widen(old: VState, cur: VState): void {
    widenScalars(old, cur);
  }

  /** Whether pc is a helper/kfunc call that takes a callback (bpf_calls_callback). */
  private isCallbackCallInsn(pc: number): boolean {
    const i = this.insns[pc]!;
    if (i.code !== 0x85 || i.src !== 0) return false;
    return this.input.helper(i.imm)?.proto?.callback !== undefined;
  }

  /** One instruction; returns 'next' (continue at this.pc), 'exit' (path done) or 'frame' (frame changed). */
  private step(i: RawInsn): 'next' | 'exit' | 'frame' {
    const cls = opClass(i.code);
    switch (cls) {
      case CLS_ALU:
      case CLS_ALU64:
        this.checkAlu(i);
        this.pc++;
        return 'next';
      case CLS_LDX: {
        const src = this.readReg(i.src);
        this.checkDst(i.dst);
        const ldsx = (i.code & 0xe0) === 0x80;
        checkMemAccess(this, i.src, i.off, SIZE[(i.code >> 3) & 3]!, false, i.dst, false, ldsx, null);
        this.saveAuxPtr(regTypeStr(src));
        if (isProbeMemBase(src)) this.probeLoads.add(this.pc);
        this.pc++;
        return 'next';
      }
      case CLS_ST: {
        if ((i.code & 0xe0) !== 0x60 || i.src !== 0) this.reject(ERR.EINVAL, 'BPF_ST uses reserved fields');
        const dst = this.readReg(i.dst);
        checkMemAccess(this, i.dst, i.off, SIZE[(i.code >> 3) & 3]!, true, -1, false, false, BigInt(i.imm));
        this.saveAuxPtr(regTypeStr(dst));
        this.pc++;
        return 'next';
      }
      case CLS_STX: {
        if ((i.code & 0xe0) === 0xc0) {
          this.checkAtomic(i);
          this.pc++;
          return 'next';
        }
        if ((i.code & 0xe0) !== 0x60 || i.imm !== 0) this.reject(ERR.EINVAL, 'BPF_STX uses reserved fields');
        this.readReg(i.src);
        const dst = this.readReg(i.dst);
        checkMemAccess(this, i.dst, i.off, SIZE[(i.code >> 3) & 3]!, true, i.src, false, false, null);
        this.saveAuxPtr(regTypeStr(dst));
        this.pc++;
        return 'next';
      }
      case CLS_LD: {
        const mode = i.code & 0xe0;
        if (mode === 0x20 || mode === 0x40) {
          checkLdAbs(this, i);
          this.pc++;
          return 'next';
        }
        if (mode !== 0) this.reject(ERR.EINVAL, 'invalid BPF_LD mode');
        this.checkLdImm(i);
        this.pc += 2;
        return 'next';
      }
      default:
        return this.checkJmp(i);
    }
  }

  // --- lddw --------------------------------------------------------------------------------------

  private checkLdImm(i: RawInsn): void {
    if ((i.code & 0x18) !== 0x18) this.reject(ERR.EINVAL, 'invalid BPF_LD_IMM insn');
    if (i.off !== 0) this.reject(ERR.EINVAL, 'BPF_LD_IMM64 uses reserved fields');
    this.checkDst(i.dst);
    const hi = this.insns[this.pc + 1]!;
    if (i.src === 0) {
      this.setReg(i.dst, constReg(BigInt.asUintN(64, (BigInt(hi.imm >>> 0) << 32n) | BigInt(i.imm >>> 0))));
      return;
    }
    const t = this.input.pseudo.get(this.pc);
    if (i.src === 4) {
      const target = this.pc + i.imm + 1;
      // check_ld_imm for BPF_PSEUDO_FUNC: a callback needs BTF func_info, and a static function
      const funcs = this.input.funcs ?? [];
      if (funcs.length === 0) this.reject(ERR.EINVAL, 'missing btf func_info');
      if (funcs.find((f) => f.pc === target)?.global === true) this.reject(ERR.EINVAL, 'callback function not static');
      this.setReg(i.dst, ptrReg('func', { subprog: this.cfg.subOf[target]! }));
      return;
    }
    if (t === undefined) this.reject(ERR.EINVAL, 'bpf verifier is misconfigured');
    switch (t.kind) {
      case 'map_ptr':
        this.setReg(i.dst, ptrReg('map_ptr', { map: t.map }));
        return;
      case 'map_value':
        // check_ld_imm: the address of an arena (its user_vm_start + off) is a scalar
        if (t.map.type === BPF_MAP_TYPE_ARENA) this.setReg(i.dst, UNKNOWN_SCALAR);
        else this.setReg(i.dst, ptrReg('map_value', { map: t.map, off: t.off }));
        return;
      case 'ksym':
        this.setReg(i.dst, t.percpu ? ptrReg('btf_id', { btfName: t.typeName, percpu: true }) : ptrReg('mem', { memSize: t.size, rdonly: true }));
        return;
      default:
        this.setReg(i.dst, UNKNOWN_SCALAR);
    }
  }

  // --- ALU -----------------------------------------------------------------------------------------

  private checkAlu(i: RawInsn): void {
    const op = i.code & 0xf0;
    const is64 = opClass(i.code) === CLS_ALU64;
    const x = (i.code & 0x08) !== 0;
    if (op === BPF_END || op === BPF_NEG) {
      if (op === BPF_NEG) {
        if (x || i.src !== 0 || i.off !== 0 || i.imm !== 0) this.reject(ERR.EINVAL, 'BPF_NEG uses reserved fields');
      } else if (i.src !== 0 || i.off !== 0 || (i.imm !== 16 && i.imm !== 32 && i.imm !== 64) || (is64 && x)) {
        this.reject(ERR.EINVAL, 'BPF_END uses reserved fields');
      }
      const d = this.readReg(i.dst);
      if (!this.allowPtrLeaks && isPointer(d)) this.reject(ERR.EACCES, `R${i.dst} pointer arithmetic prohibited`);
      this.checkDst(i.dst);
      if (d.type !== 'scalar') {
        this.setReg(i.dst, UNKNOWN_SCALAR);
        return;
      }
      if (op === BPF_NEG) this.setReg(i.dst, scalarReg(scalarAlu(BPF_NEG, d.s, d.s, is64)));
      else {
        const kind = is64 ? 'bswap' : x ? 'be' : 'le';
        this.setReg(i.dst, scalarReg(scalarEnd(kind, i.imm as 16 | 32 | 64, d.s)));
      }
      return;
    }
    if (op === BPF_MOV && x && is64 && i.off === ADDR_SPACE_CAST_OFF) {
      // check_alu_op: BPF_ADDR_SPACE_CAST
      if (i.imm !== CAST_IMM_KERN && i.imm !== CAST_IMM_USER) this.reject(ERR.EINVAL, 'addr_space_cast insn can only convert between address space 1 and 0');
      if (!this.hasArena) this.reject(ERR.EINVAL, 'addr_space_cast insn can only be used in a program that has an associated arena');
      this.readReg(i.src);
      this.checkDst(i.dst);
      // as(1) -> as(0) gives PTR_TO_ARENA (32-bit); as(0) -> as(1) an unknown scalar
      this.setReg(i.dst, i.imm === CAST_IMM_KERN ? ptrReg('arena') : UNKNOWN_SCALAR);
      return;
    }
    if (op === BPF_MOV) {
      if (x && !this.allowPtrLeaks && (i.code & 0x08) !== 0 && isPointer(this.regs()[i.src]!)) {
        // a 32-bit or sign-extending copy would launder part of the address into a scalar
        if (!is64) this.reject(ERR.EACCES, `R${i.src} partial copy of pointer`);
        if (i.off !== 0) this.reject(ERR.EACCES, `R${i.src} sign-extension part of pointer`);
      }
      if (x) {
        if (!is64) {
          if ((i.off !== 0 && i.off !== 8 && i.off !== 16) || i.imm !== 0) this.reject(ERR.EINVAL, 'BPF_MOV uses reserved fields');
        } else if ((i.off !== 0 && i.off !== 8 && i.off !== 16 && i.off !== 32) || i.imm !== 0) this.reject(ERR.EINVAL, 'BPF_MOV uses reserved fields');
        this.readReg(i.src);
      } else if (i.src !== 0 || i.off !== 0) this.reject(ERR.EINVAL, 'BPF_MOV uses reserved fields');
      this.checkDst(i.dst);
      if (!x) {
        this.setReg(i.dst, constReg(is64 ? BigInt.asUintN(64, BigInt(i.imm)) : BigInt(i.imm >>> 0)));
        return;
      }
      const regs = this.regs();
      const src = regs[i.src]!;
      if (is64) {
        if (i.off === 0) {
          let s = src;
          if (s.type === 'scalar' && s.addConst) {
            s = withReg(s, { id: 0, off: 0, addConst: false });
            regs[i.src] = s;
          }
          if (s.type === 'scalar' && s.id === 0 && !isConstScalar(s)) {
            s = withReg(s, { id: this.newId() });
            regs[i.src] = s;
          }
          this.setReg(i.dst, s);
        } else if (src.type === 'scalar') {
          const noSext = src.s.umax < 1n << BigInt(i.off - 1);
          let s = src;
          if (noSext && s.id === 0 && !isConstScalar(s)) {
            s = withReg(s, { id: this.newId() });
            regs[i.src] = s;
          }
          this.setReg(i.dst, scalarReg(scalarAlu(BPF_MOV, s.s, s.s, true, i.off), noSext ? s.id : 0));
        } else this.setReg(i.dst, UNKNOWN_SCALAR);
        return;
      }
      if (src.type === 'scalar') {
        if (i.off === 0) {
          const u32 = scalarWidth(src.s) <= 32;
          let s = src;
          if (u32 && s.id === 0 && !isConstScalar(s)) {
            s = withReg(s, { id: this.newId() });
            regs[i.src] = s;
          }
          this.setReg(i.dst, scalarReg(scalarAlu(BPF_MOV, s.s, s.s, false, 0), u32 ? s.id : 0));
        } else {
          const noSext = src.s.umax < 1n << BigInt(i.off - 1);
          let s = src;
          if (noSext && s.id === 0 && !isConstScalar(s)) {
            s = withReg(s, { id: this.newId() });
            regs[i.src] = s;
          }
          this.setReg(i.dst, scalarReg(scalarAlu(BPF_MOV, s.s, s.s, false, i.off), noSext ? s.id : 0));
        }
      } else this.setReg(i.dst, UNKNOWN_SCALAR);
      return;
    }
    if (op > BPF_END) this.reject(ERR.EINVAL, `invalid BPF_ALU opcode ${(op >> 4).toString(16)}`);
    if (x) {
      if (i.imm !== 0 || (i.off !== 0 && i.off !== 1) || (i.off === 1 && op !== BPF_MOD && op !== BPF_DIV)) this.reject(ERR.EINVAL, 'BPF_ALU uses reserved fields');
      this.readReg(i.src);
    } else if (i.src !== 0 || (i.off !== 0 && i.off !== 1) || (i.off === 1 && op !== BPF_MOD && op !== BPF_DIV)) this.reject(ERR.EINVAL, 'BPF_ALU uses reserved fields');
    this.readReg(i.dst);
    if ((op === BPF_MOD || op === BPF_DIV) && !x && i.imm === 0) this.reject(ERR.EINVAL, 'div by zero');
    if ((op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) && !x && (i.imm < 0 || i.imm >= (is64 ? 64 : 32))) this.reject(ERR.EINVAL, `invalid shift ${i.imm}`);
    this.checkDst(i.dst);
    this.adjustRegMinMax(i, op, is64, x);
  }

  /** adjust_reg_min_max_vals. */
  private adjustRegMinMax(i: RawInsn, op: number, is64: boolean, x: boolean): void {
    const regs = this.regs();
    const dst = regs[i.dst]!;
    const src: Reg = x ? regs[i.src]! : constReg(BigInt.asUintN(64, BigInt(i.imm)));
    if (dst.type === 'arena') {
      // any arithmetic on an arena pointer; a 64-bit one is made 32-bit (needs_zext)
      if (is64) this.arenaAlu32.add(this.pc);
      return;
    }
    if (x && src.type !== 'scalar') {
      if (dst.type !== 'scalar') {
        if (op === BPF_SUB && this.allowPtrLeaks) {
          this.setReg(i.dst, UNKNOWN_SCALAR);
          return;
        }
        this.reject(ERR.EACCES, `R${i.dst} pointer ${ALU_NAMES[op >> 4]} pointer prohibited`);
      }
      this.adjustPtr(i, op, is64, src, dst, true);
      return;
    }
    if (dst.type !== 'scalar') {
      this.adjustPtr(i, op, is64, dst, src, false);
      return;
    }
    // sanitize_val_alu: the same ADD/SUB may not be pointer arithmetic on another path (BPF_ALU_NON_POINTER)
    if (!this.allowPtrLeaks && x && (op === BPF_ADD || op === BPF_SUB) && this.nospec[this.pc] !== 1) this.updateAluSanitation(i.dst, op, 8, 0);
    const res = scalarAlu(op, dst.s, src.s, is64, i.off);
    // A linked scalar plus a constant stays linked with that delta (BPF_ADD_CONST), once.
    if (op === BPF_ADD && is64 && dst.id !== 0 && isConstScalar(src)) {
      const val = src.s.var.value;
      if (!dst.addConst && val <= 0x7fffffffn) {
        this.setReg(i.dst, withReg(scalarReg(res, dst.id), { addConst: true, off: Number(val) }));
        return;
      }
    }
    this.setReg(i.dst, scalarReg(res));
  }

  /** adjust_ptr_min_max_vals: `ptr op scalar` (or `scalar += ptr` when `swapped`). */
  private adjustPtr(i: RawInsn, op: number, is64: boolean, ptr: Reg, offReg: Reg, swapped: boolean): void {
    const dstNo = i.dst;
    if (!is64) {
      if (op === BPF_SUB && this.allowPtrLeaks) {
        this.setReg(dstNo, UNKNOWN_SCALAR);
        return;
      }
      this.reject(ERR.EACCES, `R${dstNo} 32-bit pointer arithmetic prohibited`);
    }
    if (ptr.maybeNull) this.reject(ERR.EACCES, `R${dstNo} pointer arithmetic on ${regTypeStr(ptr)} prohibited, null-check it first`);
    const o = offReg.s;
    const known = tnumIsConst(o.var);
    switch (ptr.type) {
      case 'ctx':
      case 'map_value':
      case 'map_key':
      case 'fp':
      case 'pkt_meta':
      case 'pkt':
      case 'btf_id':
      case 'mem':
      case 'func':
        break;
      case 'flow_keys':
        if (known) break;
        this.reject(ERR.EACCES, `R${dstNo} pointer arithmetic on ${regTypeStr(ptr)} prohibited`);
        break;
      case 'map_ptr':
        if (known && o.smin === 0n && op === BPF_ADD) break;
        this.reject(ERR.EACCES, `R${dstNo} pointer arithmetic on ${regTypeStr(ptr)} prohibited`);
        break;
      default:
        this.reject(ERR.EACCES, `R${dstNo} pointer arithmetic on ${regTypeStr(ptr)} prohibited`);
    }
    if ((known && (o.smin !== o.smax || o.umin !== o.umax)) || o.smin > o.smax || o.umin > o.umax) {
      this.setReg(dstNo, UNKNOWN_SCALAR);
      return;
    }
    const typeStr = regTypeStr(ptr);
    this.saneOffset(o, 0, typeStr);
    this.saneOffset(ptr.s, ptr.off, typeStr);
    // sanitize_ptr_alu without bypass_spec_v1, for `ptr +/- reg` (not for an insn a speculative path failed at)
    const sanitize = !this.allowPtrLeaks && (i.code & 0x08) !== 0 && (op === BPF_ADD || op === BPF_SUB) && this.nospec[this.pc] !== 1;
    const err = 'pointer arithmetic with it prohibited for !root';
    const maskToLeft = (op === BPF_ADD && o.smin < 0n) || (op === BPF_SUB && o.smin >= 0n);
    let aluState = 0;
    let preLimit = -1;
    if (sanitize && this.cur.speculative !== true) {
      const offIsDst = swapped;
      if (!known && o.smin < 0n !== o.smax < 0n) this.reject(ERR.EACCES, `R${offIsDst ? i.dst : i.src} has unknown scalar with mixed signed bounds, ${err}`);
      const lim = this.ptrLimit(ptr, maskToLeft);
      if (lim === 'type') this.reject(ERR.EACCES, `R${offIsDst ? i.src : i.dst} has pointer with unsupported alu operation, ${err}`);
      if (lim === 'limit') this.reject(ERR.EACCES, `R${dstNo} tried to ${op === BPF_ADD ? 'add' : 'sub'} beyond pointer bounds, ${err}`);
      preLimit = lim;
      // BPF_ALU_NEG_VALUE, BPF_ALU_IMMEDIATE, BPF_ALU_SANITIZE_SRC / _DST
      aluState = (o.smin < 0n ? 4 : 0) | (known ? 16 : 0) | (swapped ? 2 : 1);
    }
    // the masked (truncated) offset is simulated as a speculative path with the pointer unmoved
    if (sanitize && !known) this.pushSpeculative(this.pc + 1).frames.at(-1)!.regs[dstNo] = ptr;
    const p = ptr.s;
    let res: Reg;
    const isPkt = ptr.type === 'pkt' || ptr.type === 'pkt_meta';
    switch (op) {
      case BPF_ADD: {
        const sum = ptr.off + Number(o.smin);
        if (known && sum === (sum | 0)) {
          res = withReg(ptr, { off: sum });
          break;
        }
        let smin = p.smin + o.smin;
        let smax = p.smax + o.smax;
        if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
          smin = S64_MIN;
          smax = S64_MAX;
        }
        let umin = p.umin + o.umin;
        let umax = p.umax + o.umax;
        if (umin > U64_MAX || umax > U64_MAX) {
          umin = 0n;
          umax = U64_MAX;
        }
        const s = ptrScalar(tnumAdd(p.var, o.var), smin, smax, umin, umax);
        res = withReg(ptr, { s });
        if (isPkt) res = withReg(res, { id: this.newId(), range: 0 });
        break;
      }
      case BPF_SUB: {
        if (swapped) this.reject(ERR.EACCES, `R${dstNo} tried to subtract pointer from scalar`);
        if (ptr.type === 'fp') this.reject(ERR.EACCES, `R${dstNo} subtraction from stack pointer prohibited`);
        const diff = ptr.off - Number(o.smin);
        if (known && diff === (diff | 0)) {
          res = withReg(ptr, { off: diff });
          break;
        }
        let smin = p.smin - o.smax;
        let smax = p.smax - o.smin;
        if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
          smin = S64_MIN;
          smax = S64_MAX;
        }
        let umin: bigint;
        let umax: bigint;
        if (p.umin < o.umax) {
          umin = 0n;
          umax = U64_MAX;
        } else {
          umin = p.umin - o.umax;
          umax = p.umax - o.umin;
        }
        const s = ptrScalar(tnumSub(p.var, o.var), smin, smax, umin, umax);
        res = withReg(ptr, { s });
        if (isPkt) res = withReg(res, { id: this.newId(), ...(o.smin < 0n ? { range: 0 } : {}) });
        break;
      }
      case BPF_AND:
      case BPF_OR:
      case BPF_XOR:
        this.reject(ERR.EACCES, `R${dstNo} bitwise operator ${ALU_NAMES[op >> 4]} on pointer prohibited`);
        break;
      default:
        this.reject(ERR.EACCES, `R${dstNo} pointer arithmetic with ${ALU_NAMES[op >> 4]} operator prohibited`);
    }
    this.saneOffset(res!.s, res!.off, typeStr);
    if (!this.allowPtrLeaks) this.sanitizeCheckBounds(dstNo, res!);
    if (preLimit >= 0) {
      // the commit window: the limit recorded for this insn is how far the result moved
      const post = this.ptrLimit(res!, maskToLeft);
      if (post === 'limit' || post === 'type') this.reject(ERR.EACCES, `R${dstNo} tried to ${op === BPF_ADD ? 'add' : 'sub'} beyond pointer bounds, ${err}`);
      this.updateAluSanitation(dstNo, op, aluState, Math.abs((preLimit - post) | 0));
    }
    this.setReg(dstNo, res!);
  }

  /** sanitize_check_bounds (no bypass_spec_v1): the result of pointer arithmetic must stay inside its object. */
  private sanitizeCheckBounds(regno: number, r: Reg): void {
    if (r.type === 'fp') {
      if (!tnumIsConst(r.s.var)) this.reject(ERR.EACCES, `R${regno} variable stack access prohibited for !root, var_off=${formatTnum(r.s.var)} off=${r.off}`);
      const off = r.off + Number(BigInt.asIntN(64, r.s.var.value));
      if (off >= 0 || off < -512) this.reject(ERR.EACCES, `R${regno} stack pointer arithmetic goes out of range, prohibited for !root; off=${off}`);
    } else if (r.type === 'map_value' && r.map !== null) {
      if (BigInt(r.off) + r.s.smin < 0n || BigInt(r.off) + r.s.umax + 1n > BigInt(r.map.valueSize)) this.reject(ERR.EACCES, `R${regno} pointer arithmetic of map value goes out of range, prohibited for !root`);
    }
  }

  /** check_reg_sane_offset. */
  private saneOffset(s: Scalar, off: number, typeStr: string): void {
    const known = tnumIsConst(s.var);
    const val = BigInt.asIntN(64, s.var.value);
    if (known && (val >= BigInt(MAX_VAR_OFF) || val <= -BigInt(MAX_VAR_OFF))) this.reject(ERR.EINVAL, `math between ${typeStr} pointer and ${val} is not allowed`);
    if (off >= MAX_VAR_OFF || off <= -MAX_VAR_OFF) this.reject(ERR.EINVAL, `${typeStr} pointer offset ${off} is not allowed`);
    if (s.smin === S64_MIN) this.reject(ERR.EINVAL, `math between ${typeStr} pointer and register with unbounded min value is not allowed`);
    if (s.smin >= BigInt(MAX_VAR_OFF) || s.smin <= -BigInt(MAX_VAR_OFF)) this.reject(ERR.EINVAL, `value ${s.smin} makes ${typeStr} pointer be out of bounds`);
  }

  // --- atomics -------------------------------------------------------------------------------------

  private checkAtomic(i: RawInsn): void {
    const size = SIZE[(i.code >> 3) & 3]!;
    const imm = i.imm;
    const rmw = [0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1];
    if (imm === 0x100 || imm === 0x110) {
      // load-acquire / store-release
      if (imm === 0x100) {
        this.readReg(i.src);
        this.checkDst(i.dst);
        const src = this.regs()[i.src]!;
        if (src.type === 'ctx' || src.type === 'pkt' || src.type === 'pkt_meta' || src.type === 'flow_keys') {
          this.reject(ERR.EACCES, `BPF_ATOMIC loads from R${i.src} ${regTypeStr(src)} is not allowed`);
        }
        if (src.type === 'arena') this.saveAuxPtr('arena');
        checkMemAccess(this, i.src, i.off, size, false, i.dst, true, false, null);
      } else {
        this.readReg(i.src);
        const dst = this.readReg(i.dst);
        if (dst.type === 'ctx' || dst.type === 'pkt' || dst.type === 'pkt_meta' || dst.type === 'flow_keys') {
          this.reject(ERR.EACCES, `BPF_ATOMIC stores into R${i.dst} ${regTypeStr(dst)} is not allowed`);
        }
        if (dst.type === 'arena') this.saveAuxPtr('arena');
        checkMemAccess(this, i.dst, i.off, size, true, i.src, true, false, null);
      }
      return;
    }
    if (!rmw.includes(imm)) this.reject(ERR.EINVAL, `BPF_ATOMIC uses invalid atomic opcode ${(imm >>> 0).toString(16).padStart(2, '0')}`);
    if (size !== 4 && size !== 8) this.reject(ERR.EINVAL, 'invalid atomic operand size');
    this.readReg(i.src);
    const dst = this.readReg(i.dst);
    if (imm === 0xf1) this.readReg(0);
    // atomic_ptr_type_ok: on an arena, what the x86 JIT supports (bpf_jit_supports_insn: no and/or/xor with fetch)
    const arenaUnsupported = dst.type === 'arena' && (imm === 0x41 || imm === 0x51 || imm === 0xa1);
    if (dst.type === 'ctx' || dst.type === 'pkt' || dst.type === 'pkt_meta' || dst.type === 'flow_keys' || dst.type === 'sock_common' || dst.type === 'sock' || dst.type === 'tcp_sock' || arenaUnsupported) {
      this.reject(ERR.EACCES, `BPF_ATOMIC stores into R${i.dst} ${regTypeStr(dst)} is not allowed`);
    }
    if (dst.type === 'arena') this.saveAuxPtr('arena');
    let loadReg = -1;
    if ((imm & 1) !== 0) {
      loadReg = imm === 0xf1 ? 0 : i.src;
      this.checkDst(loadReg);
    }
    checkMemAccess(this, i.dst, i.off, size, false, -1, true, false, null);
    if (loadReg >= 0) checkMemAccess(this, i.dst, i.off, size, false, loadReg, true, false, null);
    checkMemAccess(this, i.dst, i.off, size, true, -1, true, false, null);
  }

  // --- jumps, calls, exit -------------------------------------------------------------------------

  private checkJmp(i: RawInsn): 'next' | 'exit' | 'frame' {
    const cls = opClass(i.code);
    const op = i.code & 0xf0;
    this.jmpsProcessed++;
    if (op === 0x80) {
      if ((i.code & 0x08) !== 0 || (i.src !== 2 && i.off !== 0) || (i.src !== 0 && i.src !== 1 && i.src !== 2) || i.dst !== 0 || cls === CLS_JMP32) {
        this.reject(ERR.EINVAL, 'BPF_CALL uses reserved fields');
      }
      if (this.cur.lockId !== 0 || this.cur.lockOff !== 0 || resLockHeld(this.cur)) {
        if ((i.src === 0 && i.imm !== 94) || (i.src === 2 && !kfuncSpinAllowed(this.input.kfunc(i.imm)?.name ?? ''))) this.reject(ERR.EINVAL, 'function calls are not allowed while holding a lock');
      }
      if (i.src === 1) {
        const r = checkLocalCall(this, i);
        if (r === 'next') this.scratchRegs |= 1;
        return r;
      }
      if (i.src === 2) {
        // bpf_throw's arguments are checked, its path ends (v.regs() still has the cookie in R1)
        if (this.input.kfunc(i.imm)?.name === 'bpf_throw') {
          this.readReg(1);
          checkThrow(this);
          return 'exit';
        }
        checkKfuncCall(this, i);
      } else checkHelperCall(this, i);
      this.scratchRegs |= 1;
      this.pc++;
      return 'next';
    }
    if (op === 0x00) {
      if ((i.code & 0x08) !== 0 || i.src !== 0 || i.dst !== 0 || (cls === CLS_JMP && i.imm !== 0) || (cls === CLS_JMP32 && i.off !== 0)) {
        this.reject(ERR.EINVAL, 'BPF_JA uses reserved fields');
      }
      this.pc += (cls === CLS_JMP ? i.off : i.imm) + 1;
      return 'next';
    }
    if (op === 0x90) {
      if ((i.code & 0x08) !== 0 || i.imm !== 0 || i.src !== 0 || i.dst !== 0 || cls === CLS_JMP32) this.reject(ERR.EINVAL, 'BPF_EXIT uses reserved fields');
      return this.processExit();
    }
    this.checkCondJmp(i, cls === CLS_JMP32);
    return 'next';
  }

  /** process_bpf_exit_full. */
  private processExit(): 'exit' | 'frame' {
    const main = this.cur.frames.length === 1;
    if (main && (this.cur.lockId !== 0 || this.cur.lockOff !== 0 || resLockHeld(this.cur))) {
      this.reject(ERR.EINVAL, 'BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region');
    }
    if (main && !this.frame().async) {
      if (this.cur.refs.length > 0) {
        const lines = this.cur.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`);
        this.reject(ERR.EINVAL, `${lines.join('\n')}\nBPF_EXIT instruction in main prog would lead to reference leak`);
      }
      if (this.cur.rcuLock === true) this.reject(ERR.EINVAL, 'BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region');
      checkNotInPreempt(this, 'BPF_EXIT instruction in main prog');
    }
    if (!main) {
      prepareFuncExit(this);
      return 'frame';
    }
    this.checkReturnCode();
    return 'exit';
  }

  /** check_return_code for the main program (and async callbacks). */
  private checkReturnCode(): void {
    const f = this.frame();
    // LSM and struct_ops func-ptr's return type could be "void": nothing is checked, R0 need not be set.
    if ((f.subprog === 0 || f.subprog === this.excCbSub) && !f.async && this.input.voidReturn === true) return;
    const r0 = this.readReg(0);
    if (!this.allowPtrLeaks && isPointer(r0)) this.reject(ERR.EACCES, 'R0 leaks addr as return value');
    if (f.subprog !== 0 && !f.async && f.subprog !== this.excCbSub) {
      if (r0.type !== 'scalar') this.reject(ERR.EINVAL, `At subprogram exit the register R0 is not a scalar value (${regTypeStr(r0)})`);
      return;
    }
    let range: readonly [number, number] | null = this.input.retRange;
    let ctx = 'At program exit';
    if (f.async) {
      ctx = 'At async callback return';
      range = [0, 0];
    }
    if (range === null) return;
    if (r0.type !== 'scalar') this.reject(ERR.EINVAL, `${ctx} the register R0 is not a known value (${regTypeStr(r0)})`);
    if (!(BigInt(range[0]) <= r0.s.smin && r0.s.smax <= BigInt(range[1]))) this.reject(ERR.EINVAL, invalidScalar(r0.s, range, ctx, 'R0'));
  }

  /** check_cond_jmp_op. */
  private checkCondJmp(i: RawInsn, is32: boolean): void {
    const op = i.code & 0xf0;
    if (op > 0xe0 || op === 0x00) this.reject(ERR.EINVAL, `invalid BPF_JMP/JMP32 opcode ${(op >> 4).toString(16)}`);
    if (op === 0xe0) {
      if (i.code !== 0xe5 || i.src !== 0 || i.dst !== 0 || i.imm !== 0) this.reject(ERR.EINVAL, `invalid may_goto imm ${i.imm}`);
      const q = this.pushBranch(this.pc + 1);
      q.mayGotoDepth++;
      // widen_imprecise_scalars: scalars that changed since this may_goto's previous checkpoint on
      // this path become unknown in the continuing state, so the loop converges (soundly: an
      // unknown scalar used for a bound is refused)
      // (the checkpoint just added for this visit is skipped: the previous visit's is wanted)
      let prev = this.parent !== null && this.parent.pc === this.pc ? this.parent.parent : this.parent;
      while (prev !== null && prev.pc !== this.pc) prev = prev.parent;
      if (prev !== null && prev.st.frames.length === q.frames.length) widenScalars(prev.st, q);
      this.pc += i.off + 1;
      return;
    }
    const dst = this.readReg(i.dst);
    let src: Reg;
    const x = (i.code & 0x08) !== 0;
    if (x) {
      if (i.imm !== 0) this.reject(ERR.EINVAL, 'BPF_JMP/JMP32 uses reserved fields');
      src = this.readReg(i.src);
      if (!this.allowPtrLeaks && isPointer(src)) this.reject(ERR.EACCES, `R${i.src} pointer comparison prohibited`);
    } else {
      if (i.src !== 0) this.reject(ERR.EINVAL, 'BPF_JMP/JMP32 uses reserved fields');
      src = constReg(is32 ? BigInt(i.imm >>> 0) : BigInt.asUintN(64, BigInt(i.imm)));
    }
    const pred = this.branchTaken(dst, src, op, is32);
    if (pred !== -1 && !this.allowPtrLeaks) {
      // sanitize_speculative_path: the side never taken is walked speculatively, the compared registers unknown
      const q = this.pushSpeculative(pred === 1 ? this.pc + 1 : this.pc + i.off + 1);
      const fr = q.frames[q.frames.length - 1]!;
      fr.regs[i.dst] = UNKNOWN_SCALAR;
      if (x) fr.regs[i.src] = UNKNOWN_SCALAR;
    }
    if (pred === 1) {
      this.printInsnState();
      this.pc += i.off + 1;
      return;
    }
    if (pred === 0) {
      this.printInsnState();
      this.pc++;
      return;
    }
    const target = this.pc + i.off + 1;
    if (dst.type === 'scalar' && src.type === 'scalar') {
      // reg_set_min_max: the taken side goes to the pushed branch, the fall-through stays here
      const t = narrowBranch(op, dst.s, src.s, is32, true);
      const f = narrowBranch(op, dst.s, src.s, is32, false);
      const apply = (st: VState, n: [Scalar, Scalar]): void => {
        const fr = st.frames[st.frames.length - 1]!;
        fr.regs[i.dst] = withReg(fr.regs[i.dst]!, { s: n[0] });
        if (x) fr.regs[i.src] = withReg(fr.regs[i.src]!, { s: n[1] });
        this.syncLinked(st, fr.regs[i.dst]!);
        if (x) this.syncLinked(st, fr.regs[i.src]!);
      };
      if (t !== null && f !== null) {
        apply(this.pushBranch(target), t);
        apply(this.cur, f);
        this.printInsnState();
        this.pc++;
      } else if (t !== null) {
        apply(this.cur, t);
        this.printInsnState();
        this.pc = target;
      } else {
        if (f !== null) apply(this.cur, f);
        this.printInsnState();
        this.pc++;
      }
      return;
    }
    const other = this.pushBranch(target);
    if (!is32 && !x && i.imm === 0 && (op === BPF_JEQ || op === BPF_JNE) && dst.maybeNull) {
      this.markPtrOrNull(this.cur, dst.id, dst.refObjId, op === BPF_JNE);
      this.markPtrOrNull(other, dst.id, dst.refObjId, op === BPF_JEQ);
    } else if (x && !is32 && isPktAny(dst) && isPktAny(src)) {
      this.matchPktPointers(op, i, dst, src, other);
    } else if (x && !is32) {
      this.matchPktPointers(op, i, dst, src, other);
      if (!this.allowPtrLeaks && isPointer(dst)) this.reject(ERR.EACCES, `R${i.dst} pointer comparison prohibited`);
    } else if (!this.allowPtrLeaks && isPointer(dst)) this.reject(ERR.EACCES, `R${i.dst} pointer comparison prohibited`);
    this.printInsnState();
    this.pc++;
  }

  /** is_branch_taken with the pointer special cases. */
  private branchTaken(a: Reg, b: Reg, op: number, is32: boolean): 1 | 0 | -1 {
    const pktAny = (r: Reg): boolean => r.type === 'pkt' || r.type === 'pkt_meta' || r.type === 'pkt_end';
    if (pktAny(a) && pktAny(b) && !is32) return this.pktBranchTaken(a, b, op);
    if (isPointer(a) || isPointer(b)) {
      let p = a;
      let s = b;
      let o = op;
      if (!(s.type === 'scalar' && (is32 ? tnumIsConst({ value: s.s.var.value & 0xffffffffn, mask: s.s.var.mask & 0xffffffffn }) : tnumIsConst(s.s.var)))) {
        o = flipOp(op);
        p = b;
        s = a;
      }
      if (!(s.type === 'scalar' && tnumIsConst(s.s.var))) return -1;
      if (!regNotNull(p)) return -1;
      const v = is32 ? s.s.var.value & 0xffffffffn : s.s.var.value;
      if (v !== 0n) return -1;
      if (o === BPF_JEQ) return 0;
      if (o === BPF_JNE) return 1;
      return -1;
    }
    return isBranchTaken(op, a.s, b.s, is32);
  }

  private pktBranchTaken(a: Reg, b: Reg, op: number): 1 | 0 | -1 {
    let pkt: Reg;
    let o = op;
    if (b.type === 'pkt_end') pkt = a;
    else if (a.type === 'pkt_end') {
      pkt = b;
      o = flipOp(op);
    } else return -1;
    if (pkt.range >= 0) return -1;
    switch (o) {
      case BPF_JLE:
      case BPF_JGT:
        if (pkt.range === BEYOND_PKT_END) return o === BPF_JGT ? 1 : 0;
        break;
      case BPF_JLT:
      case BPF_JGE:
        if (pkt.range === BEYOND_PKT_END || pkt.range === AT_PKT_END) return o === BPF_JGE ? 1 : 0;
        break;
    }
    return -1;
  }

  /** sync_linked_regs: scalars sharing an id receive the same bounds. */
  private syncLinked(st: VState, known: Reg): void {
    if (known.type !== 'scalar' || known.id === 0) return;
    this.forEachReg(st, (r) => {
      if (r.type !== 'scalar' || r.id !== known.id || r === known) return undefined;
      if ((!r.addConst && !known.addConst) || r.off === known.off) return withReg(r, { s: known.s });
      const delta = BigInt.asUintN(64, BigInt(r.off - known.off));
      return withReg(r, { s: scalarAlu(BPF_ADD, known.s, scalarConst(delta), true) });
    });
  }

  /** mark_ptr_or_null_regs. */
  private markPtrOrNull(st: VState, id: number, refObjId: number, isNull: boolean): void {
    if (id === 0) return;
    this.forEachReg(st, (r) => {
      if (!r.maybeNull || r.id !== id) return undefined;
      if (isNull) return constReg(0n);
      // a map-in-map lookup's value is the inner map
      const keepId = r.type === 'map_value' && r.map !== null && (r.map.spinLockOff >= 0 || resLockOff(r.map) >= 0);
      // mark_ptr_or_null_reg: a SOCKMAP/SOCKHASH lookup's value is a socket
      if (r.type === 'map_value' && (r.map?.type === 15 || r.map?.type === 18)) return withReg(r, { type: 'sock', map: null, maybeNull: false, id: 0 });
      return withReg(r, { maybeNull: false, id: keepId ? r.id : 0 });
    });
    // only the acquiring pointer's NULL branch drops the reference (ref_obj_id == id), not a cast's (bpf_tcp_sock)
    if (isNull && refObjId !== 0 && refObjId === id) st.refs = st.refs.filter((r) => r.id !== refObjId);
  }

  /** try_match_pkt_pointers: narrow packet ranges after `pkt op pkt_end`. */
  private matchPktPointers(op: number, i: RawInsn, dst: Reg, src: Reg, other: VState): void {
    const pktVsEnd = (dst.type === 'pkt' && src.type === 'pkt_end') || (dst.type === 'pkt_meta' && initPkt(src, 'pkt'));
    const endVsPkt = (dst.type === 'pkt_end' && src.type === 'pkt') || (initPkt(dst, 'pkt') && src.type === 'pkt_meta');
    const me = this.cur;
    switch (op) {
      case BPF_JGT:
        if (pktVsEnd) {
          findGoodPkt(me, dst, false);
          markPktEnd(other, i.dst, true);
        } else if (endVsPkt) {
          findGoodPkt(other, src, true);
          markPktEnd(me, i.src, false);
        }
        break;
      case BPF_JLT:
        if (pktVsEnd) {
          findGoodPkt(other, dst, true);
          markPktEnd(me, i.dst, false);
        } else if (endVsPkt) {
          findGoodPkt(me, src, false);
          markPktEnd(other, i.src, true);
        }
        break;
      case BPF_JGE:
        if (pktVsEnd) {
          findGoodPkt(me, dst, true);
          markPktEnd(other, i.dst, false);
        } else if (endVsPkt) {
          findGoodPkt(other, src, false);
          markPktEnd(me, i.src, true);
        }
        break;
      case BPF_JLE:
        if (pktVsEnd) {
          findGoodPkt(other, dst, false);
          markPktEnd(me, i.dst, true);
        } else if (endVsPkt) {
          findGoodPkt(me, src, true);
          markPktEnd(other, i.src, false);
        }
        break;
    }
  }

  /** check_max_stack_depth over the static call graph. */
  private checkMaxStackDepth(): void {
    const depthOf = (k: number): number => Math.ceil((this.stackDepth[k] ?? 0) / 16) * 16;
    const callees = (k: number): number[] => {
      const out: number[] = [];
      const start = this.cfg.subprogs[k]!;
      const end = k + 1 < this.cfg.subprogs.length ? this.cfg.subprogs[k + 1]! : this.n;
      for (let pc = start; pc < end; pc++) {
        const i = this.insns[pc]!;
        if ((i.code === 0x85 && i.src === 1) || (i.code === 0x18 && i.src === 4)) out.push(this.cfg.subOf[pc + i.imm + 1]!);
      }
      return out;
    };
    const walk = (k: number, total: number, frames: number): void => {
      const t = total + depthOf(k);
      if (t > MAX_STACK) this.reject(ERR.EACCES, `combined stack size of ${frames} calls is ${t}. Too large`);
      for (const c of callees(k)) if (frames < MAX_FRAMES + 1) walk(c, t, frames + 1);
    };
    walk(0, 0, 1);
  }
}

const SIZE = [4, 2, 1, 8] as const;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
/** Packet range markers (AT_PKT_END, BEYOND_PKT_END). */
export const AT_PKT_END = -1;
export const BEYOND_PKT_END = -2;
const MAX_PACKET_OFF = 0xffff;

/** Scalars of `cur` that differ from `old` (registers and spilled registers) become unknown. */
function widenScalars(old: VState, cur: VState): void {
  for (let f = 0; f < cur.frames.length; f++) {
    const fo = old.frames[f]!;
    const fc = cur.frames[f]!;
    for (let r = 0; r < 10; r++) {
      const a = fo.regs[r]!;
      const b = fc.regs[r]!;
      if (a.type === 'scalar' && b.type === 'scalar' && !scalarEquals(a.s, b.s)) fc.regs[r] = UNKNOWN_SCALAR;
    }
    for (let spi = 0; spi < fc.stack.length; spi++) {
      const so = fo.stack[spi];
      const sc = fc.stack[spi]!;
      if (so === undefined || sc.types[7] !== 1 || so.types[7] !== 1) continue;
      if (sc.spilled.type === 'scalar' && so.spilled.type === 'scalar' && !scalarEquals(so.spilled.s, sc.spilled.s)) fc.stack[spi] = { types: sc.types, spilled: UNKNOWN_SCALAR };
    }
  }
}

/** A hash of the innermost frame's registers that ignores ids (equal states hash equally). */
function stateHash(st: VState): number {
  const f = st.frames[st.frames.length - 1]!;
  let h = st.frames.length;
  for (let r = 0; r < 10; r++) {
    const reg = f.regs[r]!;
    h = Math.imul(h ^ reg.type.length ^ (reg.type.charCodeAt(0) << 8), 0x9e3779b1);
    h = Math.imul(h ^ reg.off, 0x85ebca6b);
    h = Math.imul(h ^ Number(reg.s.var.value & 0xffffffffn) ^ Number(reg.s.var.mask & 0xffffn), 0xc2b2ae35);
  }
  return h;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** A pointer's variable part from raw bounds (32-bit views unbounded, as the kernel keeps them). */
function ptrScalar(v: { value: bigint; mask: bigint }, smin: bigint, smax: bigint, umin: bigint, umax: bigint): Scalar {
  const u = scalarUnknown();
  return { ...u, var: v, smin, smax, umin, umax };
}

function flipOp(op: number): number {
  switch (op) {
    case BPF_JGT:
      return BPF_JLT;
    case BPF_JLT:
      return BPF_JGT;
    case BPF_JGE:
      return BPF_JLE;
    case BPF_JLE:
      return BPF_JGE;
    case 0x60:
      return 0xc0;
    case 0xc0:
      return 0x60;
    case 0x70:
      return 0xd0;
    case 0xd0:
      return 0x70;
    default:
      return op;
  }
}

/**
 * reg_not_null: a BTF pointer only when trusted (a plain or RCU one may be NULL: 6.18 keeps both
 * branches of `vma->vm_file != 0` in a bpf_find_vma callback, measured by programs/find_vma.bpf.o).
 */
function regNotNull(r: Reg): boolean {
  if (r.maybeNull) return false;
  if (r.type === 'btf_id') return isTrustedReg(r);
  return r.type === 'map_value' || r.type === 'map_key' || r.type === 'sock_common' || r.type === 'sock' || r.type === 'tcp_sock' || r.type === 'mem' || r.type === 'map_ptr';
}

function initPkt(r: Reg, type: string): boolean {
  return r.type === type && r.off === 0 && tnumIsConst(r.s.var) && r.s.var.value === 0n;
}

/** find_good_pkt_pointers. */
function findGoodPkt(st: VState, dst: Reg, rightOpen: boolean): void {
  if (dst.off < 0 || (dst.off === 0 && rightOpen)) return;
  if (dst.s.umax > BigInt(MAX_PACKET_OFF) || dst.s.umax + BigInt(dst.off) > BigInt(MAX_PACKET_OFF)) return;
  const newRange = dst.off + (rightOpen ? 1 : 0);
  for (const f of st.frames) {
    for (let r = 0; r < 11; r++) {
      const reg = f.regs[r]!;
      if (reg.type === dst.type && reg.id === dst.id) f.regs[r] = withReg(reg, { range: Math.max(reg.range, newRange) });
    }
    for (let spi = 0; spi < f.stack.length; spi++) {
      const s = f.stack[spi]!;
      if (s.types[7] === 1 && s.spilled.type === dst.type && s.spilled.id === dst.id) {
        f.stack[spi] = { types: s.types, spilled: withReg(s.spilled, { range: Math.max(s.spilled.range, newRange) }) };
      }
    }
  }
}

/** mark_pkt_end. */
function markPktEnd(st: VState, regno: number, open: boolean): void {
  const f = st.frames[st.frames.length - 1]!;
  const reg = f.regs[regno]!;
  if (reg.type !== 'pkt') return;
  f.regs[regno] = withReg(reg, { range: open ? BEYOND_PKT_END : AT_PKT_END });
}

/** verbose_invalid_scalar. */
export function invalidScalar(s: Scalar, range: readonly [number, number], ctx: string, name: string): string {
  let t = `${ctx} the register ${name} has`;
  let unknown = true;
  if (s.smin > S64_MIN) {
    t += ` smin=${s.smin}`;
    unknown = false;
  }
  if (s.smax < S64_MAX) {
    t += ` smax=${s.smax}`;
    unknown = false;
  }
  if (unknown) t += ' unknown scalar value';
  return `${t} should have been in [${range[0]}, ${range[1]}]`;
}

/** Verify a program; never throws for a guest-visible refusal. */
export function verify(input: VerifierInput): VerifierResult {
  return new Verifier(input).run();
}

export { isNullScalar, scalarConst, tnumConst, BPF_AND, BPF_DIV, BPF_MUL, BPF_OR, BPF_RSH, BPF_XOR, BPF_ARSH };
export type { Ref };

/** A packet pointer of any kind (try_match_pkt_pointers' operands). */
function isPktAny(r: Reg): boolean {
  return r.type === 'pkt' || r.type === 'pkt_meta' || r.type === 'pkt_end';
}
