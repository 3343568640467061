/**
 * The JavaScript tier's code cache, tier-up policy and engines.
 *
 * Each {@link ExecProgram} gets at most one translated function (translate.ts), kept in a WeakMap
 * so it lives exactly as long as the program. Two engines use it, with the {@link Engine} contract
 * of the interpreter (run `prog` from `pc` until the frame at `baseDepth` exits):
 *
 *   executeJs     translate on first use (engine 'js')
 *   executeAuto   interpret a program until it has run {@link TIER_UP_RUNS} times and executed
 *                 {@link TIER_UP_INSNS_PER_SLOT} instructions per slot, then translate (engine
 *                 'auto'); callbacks follow their program's state
 *
 * Both fall back to the interpreter when `new Function` is forbidden (csp.ts), when a program is
 * larger than {@link MAX_TIER_INSNS} slots, or when translation fails, and hand a run over to the
 * interpreter mid-program where translate.ts says so.
 */
import { execute } from '../interp.js';
import { TIME_SLICE, type ExecProgram, type Machine } from '../machine.js';
import { canCompile } from './csp.js';
import { EXIT_DONE, EXIT_HANDOVER, translate, type TierFn } from './translate.js';

/** Top-level runs a program is interpreted (at least) before engine 'auto' translates it. */
export const TIER_UP_RUNS = 2;
/**
 * Engine 'auto' also waits until the interpreter has executed this many instructions per slot of
 * the program in its runs so far: translation costs about its size (measured: ~20 ms plus ~60 ms
 * for V8's first compile of a 1,145-slot program, when the interpreter ran it in 15 ms), so only
 * programs whose runs add up to much more than their size win from it.
 */
export const TIER_UP_INSNS_PER_SLOT = 32;
/**
 * Larger programs stay on the interpreter: the generated source is about 150 bytes per slot and V8
 * compiles a large function slowly (measured: 11,431 slots took 0.4 s to translate and 0.7 s more
 * in the first run; 57,145 slots 0.6 s and 5 s).
 */
export const MAX_TIER_INSNS = 4096;

/** Counters for tests and the bench: one increment per event, never per instruction. */
export const tierStats = {
  /** Translated functions built. */
  compiled: 0,
  /** Of those, built in the loop-free `dag` form (translate.ts). */
  dag: 0,
  /** Calls of translated functions. */
  calls: 0,
  /** Hand-overs to the interpreter in the middle of a translated run. */
  handovers: 0,
  /** Runs (or run parts) that stayed on the interpreter: not translatable, or not yet tiered up. */
  interpreted: 0,
};

interface Entry {
  runs: number;
  /** Instructions (budget units) the interpreter executed in this program's runs under 'auto'. */
  units: number;
  fn: TierFn | null;
  /** Translation was tried and is not possible (too large, no `new Function`, an error). */
  refused: boolean;
}

const cache = new WeakMap<ExecProgram, Entry>();
/**
 * The entry looked up last, in front of the WeakMap (a test run's repetitions enter the same program
 * again and again). Holds one program strongly until another one runs.
 */
let lastProg: ExecProgram | null = null;
let lastEntry: Entry | null = null;

function entryOf(prog: ExecProgram): Entry {
  if (prog === lastProg) return lastEntry!;
  let e = cache.get(prog);
  if (e === undefined) {
    e = { runs: 0, units: 0, fn: null, refused: false };
    cache.set(prog, e);
  }
  lastProg = prog;
  lastEntry = e;
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
    const t = translate(prog);
    e.fn = t.fn;
    tierStats.compiled++;
    if (t.form === 'dag') tierStats.dag++;
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
  const fn = entryOf(prog).fn ?? compiled(prog);
  if (fn === null) {
    tierStats.interpreted++;
    execute(m, prog, pc, baseDepth);
    return;
  }
  runTier(m, prog, pc, baseDepth, fn);
}

/**
 * Engine 'auto': the interpreter until a program has run {@link TIER_UP_RUNS} times and executed
 * {@link TIER_UP_INSNS_PER_SLOT} instructions per slot, then translated code.
 */
export function executeAuto(m: Machine, prog: ExecProgram, pc: number, baseDepth: number): void {
  const e = entryOf(prog);
  if (e.fn === null) {
    if (baseDepth === 0) e.runs++;
    if (e.refused || e.runs <= TIER_UP_RUNS || e.units < TIER_UP_INSNS_PER_SLOT * (prog.code.length >> 2) || compiled(prog) === null) {
      tierStats.interpreted++;
      const before = m.left;
      try {
        execute(m, prog, pc, baseDepth);
      } finally {
        e.units += before - m.left;
      }
      return;
    }
  }
  runTier(m, prog, pc, baseDepth, e.fn!);
}
