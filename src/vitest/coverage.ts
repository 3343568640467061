/**
 * Coverage of BPF programs for a vitest run (Node only): `installBpfCoverage()` in a vitest setup
 * file counts every program every Kernel of the test file runs and, after the file's tests, writes
 * an lcov tracefile per test process into `coverage/bpf/` (genhtml and CI services merge them).
 *
 *   // vitest.config.ts: test: { setupFiles: ['bpfemu/vitest/coverage-setup'] }   (or your own file:)
 *   import { installBpfCoverage } from 'bpfemu/vitest';
 *   installBpfCoverage({ dir: 'coverage/bpf', root: 'programs' });
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { enableCoverage, toLcov, type CoverageCollector } from '../api/coverage.js';

/** Options of {@link installBpfCoverage}. */
export interface BpfCoverageOptions {
  /** Directory of the tracefiles (default `coverage/bpf`). */
  readonly dir?: string;
  /** Prefix of the source paths in the tracefiles (the directory clang compiled in). */
  readonly root?: string;
}

/**
 * Write what `collector` counted as `<dir>/bpf-<pid>-<n>.info`; returns the path, or null when
 * nothing ran.
 */
export function writeBpfCoverage(collector: CoverageCollector, o: BpfCoverageOptions = {}): string | null {
  const report = collector.report();
  if (report.files.length === 0) return null;
  const dir = o.dir ?? 'coverage/bpf';
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `bpf-${process.pid}-${++written}.info`);
  writeFileSync(path, toLcov(report, o.root !== undefined ? { root: o.root } : {}));
  return path;
}

let written = 0;

/** Count coverage from now on and write it after this test file's tests (see the top of this file). */
export function installBpfCoverage(o: BpfCoverageOptions = {}): CoverageCollector {
  const c = enableCoverage();
  afterAll(() => {
    writeBpfCoverage(c, o);
    c.clear();
  });
  return c;
}
