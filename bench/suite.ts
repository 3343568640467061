/**
 * The "unit-test suite" case (issue 14): the shape of a user's test file, run as a fresh process —
 * import the package, open and load 20 fixture objects, make 200 test runs among them
 * (suite-child.ts) — timed from spawn to exit, in turns with a bare `node -e 0` so the two are
 * measured side by side. This module imports only Node built-ins: the child's module graph is the
 * package's, as in a user's test process.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** [object, program, retval of every run]: XDP, tc and socket-filter fixtures run with one UDP frame. */
export const SUITE: readonly (readonly [string, string, number])[] = [
  ['atomics', 'atomics_prog', 0],
  ['core_ctx', 'skb_fields', 0],
  ['globals', 'xdp_globals', 2],
  ['helpers_misc', 'misc_prog', 0],
  ['helpers_print', 'print_prog', 0],
  ['legacy_maps', 'legacy_prog', 2],
  ['xdp_maps', 'xdp_count', 2],
  ['map_in_map', 'mim_prog', 2],
  ['maps_bloom', 'bloom_ops', 2],
  ['maps_lpm', 'lpm_ops', 2],
  ['maps_perf', 'perf_prog', 2],
  ['socket_filter', 'sock_filter', 0],
  ['spin_lock', 'lock_prog', 0],
  ['subprogs', 'tc_prog', 0],
  ['tailcall', 'tail_1', 3],
  ['tc_csum', 'csum_rewrite', 0],
  ['tc_ctx', 'tc_ctx_prog', 0],
  ['xdp_adjust', 'xdp_encap', 3],
  ['xdp_ctx', 'xdp_ctx_prog', 2],
  ['xdp_firewall', 'xdp_firewall', 2],
];

/** Test runs per program (200 in all). */
export const SUITE_RUNS_EACH = 10;

/** What one child reports (ms; importMs from process start). */
export interface SuiteChildResult {
  readonly importMs: number;
  readonly loadMs: number;
  readonly runMs: number;
  readonly totalMs: number;
  readonly runs: number;
  readonly wrong: readonly string[];
}

/** The case's result: medians over the rounds. */
export interface SuiteRow {
  readonly engine: string;
  readonly rounds: number;
  readonly wallMs: number;
  readonly nodeMs: number;
  readonly importMs: number;
  readonly loadMs: number;
  readonly runMs: number;
  readonly runs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** The repository root (suite.js lives in bench/ or dist-bench/bench/). */
function root(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join('dist-bench', 'bench')) ? join(here, '..', '..') : join(here, '..');
}

/** One child run: its own report, and the wall time from spawn to exit. */
export function suiteOnce(engine?: string): SuiteChildResult & { wallMs: number } {
  const child = join(dirname(fileURLToPath(import.meta.url)), 'suite-child.js');
  const t = performance.now();
  const out = execFileSync(process.execPath, [child, root(), ...(engine === undefined ? [] : [engine])], { encoding: 'utf8' });
  const wallMs = performance.now() - t;
  return { ...(JSON.parse(out) as SuiteChildResult), wallMs };
}

/** `rounds` turns of (the suite in a fresh process, `node -e 0`); medians. Throws on a wrong retval. */
export function suiteLoad(rounds = 5, engines: readonly string[] = ['fast', 'js']): SuiteRow[] {
  return engines.map((engine) => {
    const res: (SuiteChildResult & { wallMs: number })[] = [];
    const node: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = suiteOnce(engine);
      if (r.wrong.length > 0 || r.runs !== SUITE.length * SUITE_RUNS_EACH) throw new Error(`unit-test suite: ${r.runs} runs, ${r.wrong.join('; ')}`);
      res.push(r);
      const t = performance.now();
      execFileSync(process.execPath, ['-e', '0']);
      node.push(performance.now() - t);
    }
    return {
      engine,
      rounds,
      wallMs: median(res.map((r) => r.wallMs)),
      nodeMs: median(node),
      importMs: median(res.map((r) => r.importMs)),
      loadMs: median(res.map((r) => r.loadMs)),
      runMs: median(res.map((r) => r.runMs)),
      runs: res[0]!.runs,
    };
  });
}

/** The rows as a text table. */
export function suiteText(rows: readonly SuiteRow[]): string {
  const lines = [`Unit-test suite (fresh process: import, open and load ${SUITE.length} fixtures, ${SUITE.length * SUITE_RUNS_EACH} test runs; medians, in turns with node -e 0):`];
  for (const r of rows) {
    lines.push(
      `  ${r.engine.padEnd(5)} ${r.wallMs.toFixed(0).padStart(5)} ms spawn to exit (node -e 0: ${r.nodeMs.toFixed(0)} ms, ${(r.wallMs / r.nodeMs).toFixed(1)}x); import ${r.importMs.toFixed(0)} ms, open+load ${r.loadMs.toFixed(0)} ms, ${r.runs} runs ${r.runMs.toFixed(0)} ms`,
    );
  }
  return `${lines.join('\n')}\n`;
}
