/**
 * The smoke run: every selected case set up with repeat 1, called once, and checked against its
 * documented results. Not timed; CI runs it (`npm run bench -- --smoke`) to prove the corpus still
 * loads, runs and computes what the fixtures' comments say.
 */
import { messageOf } from '../src/util/errors.js';
import type { EngineName } from '../src/vm/run.js';
import type { BenchCase } from './harness.js';

/** Outcome of one case in the smoke run. */
export interface SmokeResult {
  readonly case: string;
  readonly ok: boolean;
  /** Instructions of the checked call. */
  readonly insns: number;
  /** Why it failed (error code and message), when it did. */
  readonly error?: string;
}

/** Run each case once and check it; never throws for a failing case (the result says so). */
export function runSmoke(cases: readonly BenchCase[], engine: EngineName = 'fast'): SmokeResult[] {
  return cases.map((c) => {
    try {
      const p = c.setup({ engine, repeat: 1 });
      const before = p.insnsExecuted();
      p.call();
      p.verify();
      return { case: c.name, ok: true, insns: p.insnsExecuted() - before };
    } catch (e) {
      const code = e instanceof Error && 'code' in e ? `${String(e.code)}: ` : '';
      return { case: c.name, ok: false, insns: 0, error: `${code}${messageOf(e)}` };
    }
  });
}
