/**
 * The sched_ext load test (issue 16): 64 CPUs and 1,000 tasks (500 CPU-bound, 500 bursty) for 10
 * simulated seconds, with the FIFO and vtime fixture schedulers and the built-in fair policy. Wall
 * time per run, and the rate of simulated op calls. Part of `npm run bench` (skipped with
 * --no-extras); `--sched-ext-only` runs just this.
 */
import { simulateSchedExt } from '../src/subsystems/sched_ext/simulate.js';
import { fixtureBytes } from './objects.js';

/** One scheduler's load-test result. */
export interface SchedExtLoadRow {
  readonly scheduler: string;
  readonly cpus: number;
  readonly tasks: number;
  readonly simulatedS: number;
  readonly wallMs: number;
  /** BPF op calls during the run (0 for the fair policy). */
  readonly opCalls: number;
  readonly exit: string;
}

/** The workload of the load test. */
export const LOAD_WORKLOAD = {
  cpus: 64,
  tasks: [
    { pid: 1000, comm: 'hog', count: 500, behavior: { type: 'cpu' } },
    { pid: 5000, comm: 'burst', count: 500, behavior: { type: 'bursty', run: ['1ms', '10ms'], sleep: ['1ms', '20ms'] } },
  ],
};

/** Run the load test for each scheduler. */
export function schedExtLoad(durationNs = 10e9): SchedExtLoadRow[] {
  const rows: SchedExtLoadRow[] = [];
  for (const name of ['scx_fifo', 'scx_vtime', null] as const) {
    const bytes = name === null ? null : fixtureBytes(name);
    const t0 = performance.now();
    const r = simulateSchedExt(bytes, LOAD_WORKLOAD, { durationNs, seed: 1 });
    const wallMs = performance.now() - t0;
    let ops = 0;
    for (const n of r.opCalls.values()) ops += n;
    rows.push({ scheduler: name ?? 'fair (built-in)', cpus: 64, tasks: 1000, simulatedS: durationNs / 1e9, wallMs, opCalls: ops, exit: r.summary.exit.kind });
  }
  return rows;
}

/** The rows as a text table. */
export function schedExtLoadText(rows: readonly SchedExtLoadRow[]): string {
  const lines = ['sched_ext load test (64 CPUs, 1,000 tasks: 500 CPU-bound, 500 bursty; 10 simulated s):'];
  for (const r of rows) {
    const rate = r.opCalls === 0 ? '' : `, ${Math.round(r.opCalls / (r.wallMs / 1000)).toLocaleString('en-US')} op calls/s (${r.opCalls.toLocaleString('en-US')} calls)`;
    lines.push(`  ${r.scheduler.padEnd(16)} ${(r.wallMs / 1000).toFixed(2).padStart(6)} s wall${rate}, exit ${r.exit}`);
  }
  return `${lines.join('\n')}\n`;
}
