/**
 * Entry points: run a program to completion, and invoke a BPF callback from a helper. Both catch
 * only guest faults ({@link Fault}) and early stops ({@link Stop}); any other exception is a host
 * bug and propagates.
 */
import { Fault } from './fault.js';
import { execute } from './interp.js';
import { DEFAULT_BUDGET, MAX_FRAMES, MAY_GOTO_LIMIT, Stop, type Engine, type ExecProgram, type Machine } from './machine.js';
import { executeReference } from './reference.js';
import { executeAuto, executeJs } from './tier/cache.js';
import { Scope } from './memory.js';

/**
 * Which engine runs a program: 'fast' (or its alias 'interp') the interpreter, 'reference' the BigInt
 * oracle, 'js' the JavaScript tier from the first run, 'auto' the interpreter until a program has
 * run a few times, then the tier (tier/cache.ts). Where `new Function` is forbidden, 'js' and 'auto'
 * run the interpreter.
 */
export type EngineName = 'fast' | 'reference' | 'interp' | 'js' | 'auto';

export const ENGINES: Readonly<Record<EngineName, Engine>> = { fast: execute, reference: executeReference, interp: execute, js: executeJs, auto: executeAuto };

/** Options of one top-level run. */
export interface RunOptions {
  /** Instruction budget (default {@link DEFAULT_BUDGET}). */
  budget?: number;
  /** 'fast' (default, alias 'interp'), 'reference' (BigInt, supports tracing), 'js' or 'auto' (see {@link EngineName}). */
  engine?: EngineName;
  /** Called before every instruction; forces the reference engine. */
  trace?: (m: Machine, prog: ExecProgram, pc: number) => void;
  /** Entry pc (default 0). */
  entry?: number;
  /** Wall-clock limit of the run in ms (default: none); exceeding it is a `run_timeout` fault. */
  timeoutMs?: number;
  /**
   * The caller already called `m.beginRun` (and granted what it hands the run, e.g. in a setup step):
   * do not start the run's capabilities afresh.
   */
  begun?: boolean;
  /**
   * Scope of the grants of the regions `args` point to (default Scope.RUN). The kernel passes
   * Scope.PROGRAM: it unmaps the ctx regions it passes when the test run or hook call ends.
   */
  argScope?: number;
}

/** Outcome of a run: r0, or the fault that stopped it, and the instructions executed (helper costs not included). */
export interface RunResult {
  /** r0 as an unsigned 64-bit value (0 when faulted). */
  readonly r0: bigint;
  readonly fault: Fault | null;
  /** Instructions executed, including callbacks and tail-called programs. */
  readonly steps: number;
  /** r0's low and high 32 bits (signed int32 each): r0 without building a BigInt. */
  readonly r0Lo: number;
  readonly r0Hi: number;
}

/** A {@link RunResult} whose BigInt r0 is only built when asked for (most repeated runs never ask). */
export class RunOutcome implements RunResult {
  constructor(
    readonly r0Lo: number,
    readonly r0Hi: number,
    readonly fault: Fault | null,
    readonly steps: number,
  ) {}

  get r0(): bigint {
    const h = this.r0Hi >>> 0;
    const l = this.r0Lo >>> 0;
    return h < 0x200000 ? BigInt(h * 0x100000000 + l) : (BigInt(h) << 32n) | BigInt(l);
  }
}

/**
 * Program arguments r1..r5: BigInts, or the same already split into register halves
 * ({@link argRegs}), which repeated runs convert once instead of on every run.
 */
export type RunArgs = readonly bigint[] | Int32Array;

/** Split `args` into [lo, hi] pairs for r1..r5 (at most five). */
export function argRegs(args: readonly bigint[]): Int32Array {
  const n = args.length < 5 ? args.length : 5;
  const out = new Int32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const u = BigInt.asUintN(64, args[i]!);
    out[2 * i] = Number(u & 0xffffffffn) | 0;
    out[2 * i + 1] = Number(u >> 32n) | 0;
  }
  return out;
}

/** Set r1.. from `args`; the other registers keep their values. */
export function setArgs(m: Machine, args: RunArgs): void {
  const lo = m.lo;
  const hi = m.hi;
  if (args instanceof Int32Array) {
    const n = args.length >> 1;
    for (let i = 0; i < n; i++) {
      lo[i + 1] = args[2 * i]!;
      hi[i + 1] = args[2 * i + 1]!;
    }
    return;
  }
  const n = args.length < 5 ? args.length : 5;
  for (let i = 0; i < n; i++) setReg(m, i + 1, args[i]!);
}

const NO_OPTIONS: RunOptions = {};

/**
 * Run `prog` with r1..r5 = `args` (missing ones are 0) from frame 0 of `m`. Returns r0 or the fault.
 * The run may reach its own stack frames, the regions `args` point to, what `m`'s policy allows and
 * what helpers grant it; its frames start zeroed.
 */
export function runProgram(m: Machine, prog: ExecProgram, args: RunArgs, opts: RunOptions = NO_OPTIONS): RunResult {
  const budget = opts.budget ?? DEFAULT_BUDGET;
  const engine = opts.trace !== undefined ? executeReference : opts.engine === undefined || opts.engine === 'fast' ? execute : ENGINES[opts.engine];
  const prevEngine = m.engine;
  const prevTracer = m.tracer;
  m.engine = engine;
  m.tracer = opts.trace ?? null;
  try {
    const fault = runOnce(m, prog, args, budget, opts.timeoutMs ?? Infinity, opts.begun === true, opts.argScope ?? Scope.RUN, opts.entry ?? 0);
    return fault === null ? new RunOutcome(m.lo[0]!, m.hi[0]!, null, budget - m.left - m.charged) : new RunOutcome(0, 0, fault, budget - m.left - m.charged);
  } finally {
    m.engine = prevEngine;
    m.tracer = prevTracer;
    m.depth = 0;
  }
}

/**
 * The body of {@link runProgram} on `m.engine` (set by the caller), without a result object: returns
 * the fault, or null with r0 in m.lo[0] and m.hi[0]; instructions executed = budget - m.left -
 * m.charged. Callers that repeat a run (BPF_PROG_TEST_RUN's repetitions) resolve the options once
 * and call this per repetition, allocating nothing.
 */
export function runOnce(m: Machine, prog: ExecProgram, args: RunArgs, budget: number, timeLimitMs: number, begun: boolean, argScope: number, entry: number): Fault | null {
  m.budget = budget;
  m.left = budget;
  m.timeLimitMs = timeLimitMs;
  m.depth = 0;
  m.tailCalls = 0;
  m.tailTarget = null;
  m.prog = prog;
  // Capabilities of the previous run go, the stack frames it used are renewed and zeroed.
  if (!begun) m.beginRun(prog.owner ?? prog);
  // r0..r10 (a loop: TypedArray.prototype.fill is a builtin call that costs more than 22 stores).
  const lo = m.lo;
  const hi = m.hi;
  for (let i = 0; i < 11; i++) {
    lo[i] = 0;
    hi[i] = 0;
  }
  setArgs(m, args);
  // What the caller passes in r1..r5 (ctx, input) is the run's to use.
  m.grantArgs(argScope);
  m.setFramePointer(0);
  m.noteFrames(prog, 0);
  m.mayGoto[0] = MAY_GOTO_LIMIT;
  try {
    m.engine!(m, prog, entry, 0);
    return null;
  } catch (e) {
    if (e instanceof Fault) return locate(e, m);
    if (e instanceof Stop) {
      m.setR0(e.lo, e.hi);
      return null;
    }
    throw e;
  }
}

/** Add the faulting instruction's text and source line (from the program executing at the fault). */
export function locate(f: Fault, m: Machine): Fault {
  if (f.extra.insn !== undefined) return f;
  const info = m.prog?.describePc?.(f.pc);
  return info === undefined ? f : f.with({ ...info, program: m.prog?.name ?? f.extra.program ?? '?' });
}

/**
 * Register `r` = `v` (truncated to 64 bits). Values in [0, 2^53) — scalars, and guest pointers whose
 * region id is below 2^21 — go through one double (Number() of a BigInt is exact there).
 */
function setReg(m: Machine, r: number, v: bigint): void {
  const n = Number(v);
  if (n >= 0 && n <= 0x1fffffffffffff) {
    m.lo[r] = n | 0; // ToInt32: n modulo 2^32
    m.hi[r] = Math.floor(n / 0x100000000);
    return;
  }
  const u = BigInt.asUintN(64, v);
  m.lo[r] = Number(u & 0xffffffffn) | 0;
  m.hi[r] = Number(u >> 32n) | 0;
}

/** r0 of the last callback run by {@link invokeCallbackRaw}: [low, high]. */
export const CALLBACK_R0 = new Int32Array(2);

/**
 * Call the BPF function at `pc` of `prog` from inside a helper (bpf_loop, for_each_map_elem, timer
 * callbacks run synchronously): a new frame with r1..r5 = args (missing ones 0); the caller's
 * registers are restored afterwards. Returns the callback's r0. Faults propagate to the enclosing run.
 */
export function invokeCallback(m: Machine, prog: ExecProgram, pc: number, args: RunArgs): bigint {
  invokeCallbackRaw(m, prog, pc, args);
  const h = CALLBACK_R0[1]! >>> 0;
  const l = CALLBACK_R0[0]! >>> 0;
  return h < 0x200000 ? BigInt(h * 0x100000000 + l) : (BigInt(h) << 32n) | BigInt(l);
}

/** {@link invokeCallback} leaving r0 in {@link CALLBACK_R0} instead of building a BigInt (hot callers: bpf_loop). */
export function invokeCallbackRaw(m: Machine, prog: ExecProgram, pc: number, args: RunArgs): void {
  const d = m.depth + 1;
  if (d >= MAX_FRAMES) throw m.fail('call_depth', `callback would exceed ${MAX_FRAMES} frames`);
  // The caller's r0..r10 go to this depth's slot of m.cbSaved (no allocation per callback).
  const lo = m.lo;
  const hi = m.hi;
  const save = m.cbSaved;
  const base = d * 22;
  for (let i = 0; i < 11; i++) {
    save[base + i] = lo[i]!;
    save[base + 11 + i] = hi[i]!;
  }
  const savedProg = m.prog;
  const savedPc = m.pc;
  for (let i = 1; i <= 5; i++) {
    lo[i] = 0;
    hi[i] = 0;
  }
  setArgs(m, args);
  m.depth = d;
  m.setFramePointer(d);
  m.noteFrames(prog, d);
  m.mayGoto[d] = MAY_GOTO_LIMIT;
  const engine = m.engine ?? execute;
  try {
    engine(m, prog, pc, d);
    CALLBACK_R0[0] = lo[0]!;
    CALLBACK_R0[1] = hi[0]!;
  } finally {
    for (let i = 0; i < 11; i++) {
      lo[i] = save[base + i]!;
      hi[i] = save[base + 11 + i]!;
    }
    m.depth = d - 1;
    m.prog = savedProg;
    m.pc = savedPc;
  }
}
