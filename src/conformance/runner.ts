/**
 * Runs conformance cases and plugin requests: assemble (if needed), validate and decode, map the
 * input memory, run on the chosen engine, and report r0 or the error with its stage and code.
 *
 * The environment is the one bpf_conformance assumes of a plugin: r1 points to a copy of the input
 * memory (an INPUT region; NULL when there is none), r2 holds its length, and helper 5 is "unwind".
 * The input bytes are also the packet for LD_ABS/LD_IND, so the legacy loads can be tested.
 */
import { AsmError, assemble } from '../isa/asm.js';
import { VerifyError } from '../isa/decode.js';
import type { RawInsn } from '../isa/insn.js';
import { Machine, Stop, type HelperFn } from '../vm/machine.js';
import { Memory, PERM_RW, RegionKind } from '../vm/memory.js';
import { buildExecProgram } from '../vm/program.js';
import { runProgram, type EngineName } from '../vm/run.js';
import type { CaseStage, ConformanceCase } from './format.js';

/** bpf_conformance's "unwind" helper id. */
export const UNWIND_HELPER_ID = 5;

/**
 * Helper 5 of the bpf_conformance plugin contract: returns its first argument; when that is 0 the
 * whole program stops with r0 = 0 (uBPF's `unwind` test helper).
 */
export const unwindHelper: HelperFn = (m) => {
  const lo = m.lo[1]!;
  const hi = m.hi[1]!;
  if (lo === 0 && hi === 0) throw new Stop(0, 0);
  m.setR0(lo, hi);
};

/** The helper table of conformance runs. */
export function conformanceHelpers(): Map<number, HelperFn> {
  return new Map([[UNWIND_HELPER_ID, unwindHelper]]);
}

/** Options of a conformance run. */
export interface ConformanceRunOptions {
  /** 'fast' (default) or 'reference'. */
  engine?: EngineName;
  /** Instruction budget (default: the case's, else the VM default). */
  budget?: number;
  /** Extra or replacement helpers (merged over {@link conformanceHelpers}). */
  helpers?: ReadonlyMap<number, HelperFn>;
}

/** An error a run ended with. */
export interface CaseError {
  readonly stage: CaseStage;
  /** AsmError/VerifyError code, or the fault kind for run errors. */
  readonly code: string;
  readonly message: string;
  /** pc of a load or run error (-1 when not tied to an instruction). */
  readonly pc: number;
}

/** What a run produced. */
export type CaseOutcome = { readonly ok: true; readonly r0: bigint; readonly steps: number } | { readonly ok: false; readonly error: CaseError };

/** Validate, load and run `insns` with `mem` as input. Never throws for guest-visible problems. */
export function runInsns(insns: readonly RawInsn[], mem: Uint8Array | null, opts: ConformanceRunOptions = {}): CaseOutcome {
  const helpers = conformanceHelpers();
  if (opts.helpers !== undefined) for (const [id, f] of opts.helpers) helpers.set(id, f);
  let prog;
  try {
    prog = buildExecProgram(insns, { name: 'conformance', helpers });
  } catch (e) {
    if (e instanceof VerifyError) return { ok: false, error: { stage: 'load', code: e.code, message: e.message, pc: e.pc } };
    throw e;
  }
  const memory = new Memory();
  const m = new Machine(memory, 'conformance');
  try {
    let r1 = 0n;
    let r2 = 0n;
    if (mem !== null && mem.length > 0) {
      const bytes = mem.slice();
      const id = memory.map(bytes, { kind: RegionKind.INPUT, perm: PERM_RW, label: 'input' });
      m.skbData = bytes;
      r1 = Memory.pointer(id, 0);
      r2 = BigInt(bytes.length);
    }
    const res = runProgram(m, prog, [r1, r2], { engine: opts.engine ?? 'fast', ...(opts.budget !== undefined ? { budget: opts.budget } : {}) });
    if (res.fault !== null) return { ok: false, error: { stage: 'run', code: res.fault.kind, message: res.fault.toString(), pc: res.fault.pc } };
    return { ok: true, r0: res.r0, steps: res.steps };
  } finally {
    m.dispose();
  }
}

/** The slots of a case's program; throws AsmError for a bad `-- asm` section. */
export function caseInsns(c: ConformanceCase): readonly RawInsn[] {
  return c.program.kind === 'raw' ? c.program.insns : assemble(c.program.text, { lineOffset: c.program.lineOffset });
}

/** Assemble (if needed) and run one case. */
export function runCase(c: ConformanceCase, opts: ConformanceRunOptions = {}): CaseOutcome {
  let insns: readonly RawInsn[];
  try {
    insns = caseInsns(c);
  } catch (e) {
    if (e instanceof AsmError) return { ok: false, error: { stage: 'asm', code: e.code, message: e.message, pc: -1 } };
    throw e;
  }
  const budget = opts.budget ?? c.budget;
  return runInsns(insns, c.mem, { ...opts, ...(budget !== undefined ? { budget } : {}) });
}

/** Pass/fail of one case on one engine. */
export interface CaseVerdict {
  readonly pass: boolean;
  /** Why it failed (empty when it passed). */
  readonly detail: string;
  readonly outcome: CaseOutcome;
}

function hex64(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** Run a case and compare with its expectation. */
export function checkCase(c: ConformanceCase, opts: ConformanceRunOptions = {}): CaseVerdict {
  const outcome = runCase(c, opts);
  const ex = c.expect;
  if (ex.kind === 'result') {
    if (!outcome.ok) return { pass: false, detail: `expected r0 = ${hex64(ex.value)}, got ${outcome.error.stage} error ${outcome.error.code}: ${outcome.error.message}`, outcome };
    if (outcome.r0 !== ex.value) return { pass: false, detail: `expected r0 = ${hex64(ex.value)}, got ${hex64(outcome.r0)}`, outcome };
    return { pass: true, detail: '', outcome };
  }
  const want = `${ex.stage !== undefined ? `${ex.stage}:` : ''}${ex.code}`;
  if (outcome.ok) return { pass: false, detail: `expected error ${want}, got r0 = ${hex64(outcome.r0)}`, outcome };
  const e = outcome.error;
  if (e.code !== ex.code || (ex.stage !== undefined && ex.stage !== e.stage)) {
    return { pass: false, detail: `expected error ${want}, got ${e.stage}:${e.code}: ${e.message}`, outcome };
  }
  if (ex.message !== undefined && !e.message.includes(ex.message)) {
    return { pass: false, detail: `expected the ${want} message to contain '${ex.message}', got '${e.message}'`, outcome };
  }
  return { pass: true, detail: '', outcome };
}
