/**
 * The JavaScript tier's code cache, tier-up policy and engines.
 *
 * Each {@link ExecProgram} gets at most one translated function (translate.ts), kept in a WeakMap
 * so it lives exactly as long as the program. Two engines use it, with the {@link Engine} contract
 * of the interpreter (run `prog` from `pc` until the frame at `baseDepth` exits):
 *
 *   executeJs     translate on first use (engine 'js')
 *   executeAuto   interpret the first {@link TIER_UP_RUNS} top-level runs of a program, then
 *                 translate (engine 'auto'); callbacks follow their program's state
 *
 * Both fall back to the interpreter when `new Function` is forbidden (csp.ts), when a program is
 * larger than {@link MAX_TIER_INSNS} slots, or when translation fails, and hand a run over to the
 * interpreter mid-program where translate.ts says so.
 */
import { execute } from '../interp.js';
import { TIME_SLICE, type ExecProgram, type Machine } from '../machine.js';
import { canCompile } from './csp.js';
import { EXIT_DONE, EXIT_HANDOVER, translate, type TierFn } from './translate.js';

/** Top-level runs a program is interpreted before engine 'auto' translates it. */
export const TIER_UP_RUNS = 2;
/** Larger programs stay on the interpreter (a source of several MB compiles slowly). */
export const MAX_TIER_INSNS = 100_000;

/** Counters for tests and the bench: one increment per event, never per instruction. */
export const tierStats = {
  /** Translated functions built. */
  compiled: 0,
  /** Calls of translated functions. */
  calls: 0,
  /** Hand-overs to the interpreter in the middle of a translated run. */
  handovers: 0,
  /** Runs (or run parts) that stayed on the interpreter: not translatable, or not yet tiered up. */
  interpreted: 0,
};

interface Entry {
  runs: number;
  fn: TierFn | null;
  /** Translation was tried and is not possible (too large, no `new Function`, an error). */
  refused: boolean;
}

const cache = new WeakMap<ExecProgram, Entry>();

function entryOf(prog: ExecProgram): Entry {
  let e = cache.get(prog);
  if (e === undefined) {
    e = { runs: 0, fn: null, refused: false };
    cache.set(prog, e);
  }
  return e;
}

/** The translated function of `prog`, translating it now if needed; null when it cannot be. */
export function compiled(prog: ExecProgram): TierFn | null {
  const e = entryOf(prog);
  if (e.fn !== null) return e.fn;
  if (e.refused) return null;
  if (!canCompile() || prog.code.length >> 2 > MAX_TIER_INSNS) {
    e.refused = true;
    return null;
  }
  try {
    e.fn = translate(prog);
    tierStats.compiled++;
  } catch (err) {
    // A translator bug must not become a guest result: only a refusal of `new Function` itself
    // (EvalError under a content-security policy) falls back quietly.
    if (!(err instanceof EvalError)) throw err;
    e.refused = true;
  }
  return e.fn;
}

/** Whether `prog` has a translated function already (tests, the bench). */
export function isTranslated(prog: ExecProgram): boolean {
  return cache.get(prog)?.fn != null;
}

/**
 * Run translated code from `prog`/`pc` until the frame at `baseDepth` exits, following tail calls
 * and returns into other programs' frames, and handing over to the interpreter where asked.
 */
function runTier(m: Machine, startProg: ExecProgram, entryPc: number, baseDepth: number, first: TierFn): void {
  // The slice/reserve split of interp.ts: a run of its own starts a slice; a callback continues its
  // caller's.
  const callerReserve = m.reserve;
  if (baseDepth === 0) m.reserve = m.left > TIME_SLICE ? m.left - TIME_SLICE : 0;
  let prog = startProg;
  let pc = entryPc;
  let fn: TierFn | null = first;
  try {
    for (;;) {
      if (fn === null) {
        tierStats.interpreted++;
        execute(m, prog, pc, baseDepth);
        return;
      }
      m.prog = prog;
      tierStats.calls++;
      const r = fn(m, pc, baseDepth);
      if (r === EXIT_DONE) return;
      prog = m.prog!;
      pc = m.pc;
      if (r === EXIT_HANDOVER) {
        tierStats.handovers++;
        execute(m, prog, pc, baseDepth);
        return;
      }
      fn = compiled(prog);
    }
  } finally {
    if (baseDepth === 0) m.reserve = callerReserve;
  }
}

/** Engine 'js': translated code from the first run (the interpreter where it cannot be). */
export function executeJs(m: Machine, prog: ExecProgram, pc: number, baseDepth: number): void {
  const fn = compiled(prog);
  if (fn === null) {
    tierStats.interpreted++;
    execute(m, prog, pc, baseDepth);
    return;
  }
  runTier(m, prog, pc, baseDepth, fn);
}

/** Engine 'auto': the interpreter for a program's first {@link TIER_UP_RUNS} runs, then translated code. */
export function executeAuto(m: Machine, prog: ExecProgram, pc: number, baseDepth: number): void {
  const e = entryOf(prog);
  if (e.fn === null) {
    if (baseDepth === 0) e.runs++;
    if (e.refused || e.runs <= TIER_UP_RUNS || compiled(prog) === null) {
      tierStats.interpreted++;
      execute(m, prog, pc, baseDepth);
      return;
    }
  }
  runTier(m, prog, pc, baseDepth, e.fn!);
}
