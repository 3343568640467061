/**
 * A higher scheduling class on the simulated core (src/subsystems/sched_ext core.ts preemptForRt,
 * reenqueueLocal; workload `"class": "rt"`): an rt task preempts the sched_ext task on its CPU at
 * once, the BPF scheduler hears `cpu_release` (SCX_CPU_PREEMPT_RT, the rt task) once per loss and
 * `cpu_acquire` when the CPU comes back, and scx_bpf_reenqueue_local hands the preempted task back
 * to it (programs/scx_release.bpf.c). Expected runtimes and counts are worked out by hand from
 * the workload.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateSchedExt, type SchedSimResult } from '../../../src/subsystems/sched_ext/simulate.js';
import { parseWorkload } from '../../../src/subsystems/sched_ext/workload.js';

const OBJ = readFileSync('programs/scx_release.bpf.o');
// one sched_ext hog (it starts on CPU 0) and an rt task on CPU 0: 5 ms of every 20 ms from 3 ms
const WL = { tasks: [{ pid: 100, comm: 'hog', behavior: { type: 'cpu' } }, { pid: 300, comm: 'rt', class: 'rt', cpus: [0], start: '3ms', behavior: { type: 'periodic', run: '5ms', period: '20ms' } }] };
const run = (mode: number): SchedSimResult => simulateSchedExt(OBJ, WL, { cpus: 2, durationNs: 100e6, spans: true, globals: { mode } });
const v = (r: SchedSimResult, n: string): bigint => r.object!.variable(n).getInt();

function rtChecks(r: SchedSimResult): void {
  const rt = r.summary.tasks.find((t) => t.pid === 300)!;
  // the rt task preempts at once and runs its 5 ms five times (at 3, 23, 43, 63, 83 ms)
  expect(rt.waitNs.max).toBe(0);
  expect(rt.runtimeNs).toBe(25e6);
  expect(r.spans.filter((s) => s.pid === 300).map((s) => [s.cpu, s.start, s.end])).toEqual([3, 23, 43, 63, 83].map((t) => [0, t * 1e6, (t + 5) * 1e6]));
  // nothing else runs on CPU 0 meanwhile
  const cpu0 = r.spans.filter((s) => s.cpu === 0).sort((a, b) => a.start - b.start);
  for (let i = 1; i < cpu0.length; i++) expect(cpu0[i]!.start).toBeGreaterThanOrEqual(cpu0[i - 1]!.end);
}

describe('scx_release: cpu_release, cpu_acquire, scx_bpf_reenqueue_local', () => {
  it('mode 0: the preempted task is re-enqueued (SCX_ENQ_REENQ), the kick sends it to the idle CPU 1, and it never waits again', () => {
    const r = run(0);
    expect(r.summary.exit.kind).toBe('UNREG');
    rtChecks(r);
    const hog = r.summary.tasks.find((t) => t.pid === 100)!;
    expect(hog.runtimeNs).toBe(100e6);
    expect(hog.waitNs.max).toBe(0);
    expect(hog.migrations).toBe(1);
    // one release (CPU 0 is idle at the later rt wakeups: no sched_ext task loses it), one acquire
    expect([v(r, 'nr_release'), v(r, 'nr_acquire'), v(r, 'nr_reenq_ret'), v(r, 'nr_reenq_enqueue')]).toEqual([1n, 1n, 1n, 1n]);
    expect(v(r, 'last_reason')).toBe(0n); // SCX_CPU_PREEMPT_RT
    expect(v(r, 'last_rt_pid')).toBe(300n);
  });

  it('mode 1: without re-enqueueing, the preempted task waits at the head of CPU 0\'s local DSQ and resumes there after each rt run', () => {
    const r = run(1);
    rtChecks(r);
    const hog = r.summary.tasks.find((t) => t.pid === 100)!;
    expect(hog.runtimeNs).toBe(75e6);
    expect(hog.waitNs.max).toBe(5e6);
    expect(hog.migrations).toBe(0);
    expect([v(r, 'nr_release'), v(r, 'nr_acquire'), v(r, 'nr_reenq_enqueue')]).toEqual([5n, 5n, 0n]);
    // (the run from 88 ms is still open when the simulation ends, so it has no span)
    for (const t of [8, 28, 48, 68]) expect(r.spans.some((s) => s.pid === 100 && s.cpu === 0 && s.start === t * 1e6)).toBe(true);
  });

  it('mode 2: scx_bpf_reenqueue_local outside cpu_release', () => {
    expect(run(2).summary.exit.message).toBe('kfunc with mask 0x1 called from an operation only allowing 0x2');
  });

  it('an rt task must be pinned to one CPU', () => {
    expect(() => parseWorkload({ tasks: [{ pid: 1, class: 'rt', behavior: { type: 'cpu' } }] })).toThrow(/workload.tasks\[0\].class: an rt task needs exactly one CPU in cpus/);
    expect(() => parseWorkload({ tasks: [{ pid: 1, class: 'idle', cpus: [0] }] })).toThrow(/expected "ext" or "rt"/);
  });

  it('without a BPF scheduler the rt task preempts the fair policy the same way', () => {
    const r = simulateSchedExt(null, WL, { cpus: 2, durationNs: 100e6, spans: true });
    rtChecks(r);
  });
});
