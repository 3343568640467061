/**
 * Schedulers that place tasks on CPUs themselves with SCX_DSQ_LOCAL_ON (src/subsystems/sched_ext
 * core.ts: local DSQs of other CPUs, kicks, the affinity rule): programs/scx_pinned.bpf.c (a home
 * CPU per task) and programs/scx_central.bpf.c (one CPU decides for all). Expectations come from
 * each scheduler's stated policy, computed here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateSchedExt } from '../../../src/subsystems/sched_ext/simulate.js';

const obj = (name: string): Uint8Array => readFileSync(`programs/${name}.bpf.o`);
const SLICE = 20_000_000;

describe('scx_pinned: SCX_DSQ_LOCAL_ON | home CPU', () => {
  it('every task runs only on pid % nr_cpus and the tasks of a CPU share it equally', () => {
    const M = 4;
    const durationNs = 1e9;
    const wl = { tasks: [{ pid: 100, comm: 'hog', count: 9, behavior: { type: 'cpu' } }, { pid: 300, comm: 'tick', count: 2, behavior: { type: 'periodic', run: '1ms', period: '10ms' } }] };
    const r = simulateSchedExt(obj('scx_pinned'), wl, { cpus: M, durationNs, spans: true });
    expect(r.summary.exit.kind).toBe('UNREG');
    for (const s of r.spans) expect(s.cpu).toBe(s.pid % M);
    for (const t of r.summary.tasks) expect(t.migrations).toBe(0);
    // CPU-bound tasks per home CPU share what the periodic tasks leave (they wake onto their home
    // CPU's local DSQ and wait there for the running slice to end).
    const hogs = r.summary.tasks.filter((t) => t.comm.startsWith('hog'));
    for (let c = 0; c < M; c++) {
      const mine = hogs.filter((t) => t.pid % M === c);
      const others = r.summary.tasks.filter((t) => !t.comm.startsWith('hog') && t.pid % M === c).reduce((a, t) => a + t.runtimeNs, 0);
      for (const t of mine) expect(Math.abs(t.runtimeNs - (durationNs - others) / mine.length)).toBeLessThanOrEqual(SLICE);
    }
    expect(r.object!.variable('nr_fallback').getInt()).toBe(0n);
  });
});

describe('scx_central: one CPU dispatches for all', () => {
  it('only CPU 0 inserts, every CPU stays busy and the CPU-bound tasks share equally', () => {
    const M = 4;
    const N = 8;
    const durationNs = 1e9;
    const r = simulateSchedExt(obj('scx_central'), { tasks: [{ pid: 100, comm: 'hog', count: N, behavior: { type: 'cpu' } }] }, { cpus: M, durationNs, events: true });
    expect(r.summary.exit.kind).toBe('UNREG');
    for (const c of r.summary.cpus) expect(c.busyNs).toBe(durationNs);
    for (const t of r.summary.tasks) expect(Math.abs(t.runtimeNs - (M * durationNs) / N)).toBeLessThanOrEqual(SLICE);
    // Every enqueued task went through the queue map and was inserted by CPU 0: the inserts are
    // the enqueues minus the N - M pids still queued at the end.
    const g = r.object!;
    expect(g.variable('nr_overflow').getInt()).toBe(0n);
    expect(g.variable('nr_central_dispatches').getInt()).toBe(BigInt(r.opCalls.get('enqueue')! - (N - M)));
    // select_cpu always answers CPU 0, so every wakeup was enqueued there first.
    expect(r.events.filter((e) => e.what === 'select_cpu').length).toBe(N);
  });

  it('placing a task on a CPU it may not use is the kernel error "target CPU not allowed"', () => {
    const r = simulateSchedExt(obj('scx_central'), { tasks: [{ pid: 100, comm: 'hog', count: 6, behavior: { type: 'cpu' } }, { pid: 200, comm: 'pin', cpus: [1], behavior: { type: 'periodic', run: '2ms', period: '10ms' } }] }, { cpus: 4, durationNs: 200e6 });
    expect(r.summary.exit.kind).toBe('ERROR');
    expect(r.summary.exit.message).toMatch(/^SCX_DSQ_LOCAL\[_ON\] target CPU [023] not allowed for pin\[200\]$/);
    // The fair policy takes over: the pinned task still runs, on CPU 1 only.
    expect(r.summary.tasks.find((t) => t.pid === 200)!.runtimeNs).toBeGreaterThan(0);
  });
});

describe('scx_idle: the idle kfuncs', () => {
  it('SCX_PICK_IDLE_CORE picks a CPU of a fully idle core; the idle masks show the claimed CPUs as busy', () => {
    // 4 CPUs in 2-thread cores {0,1} {2,3}. At t=0, a claims CPU 0 (core 0 idle), then b claims
    // CPU 2 (core 1 idle). When they start running, CPUs 1 and 3 are idle and no core is.
    const r = simulateSchedExt(obj('scx_idle'), { tasks: [{ pid: 1, comm: 'a', behavior: { type: 'cpu' } }, { pid: 2, comm: 'b', behavior: { type: 'cpu' } }] }, { cpus: 4, smt: 2, durationNs: 1e6, events: true });
    expect(r.events.filter((e) => e.what === 'run').map((e) => e.cpu)).toEqual([0, 2]);
    const g = r.object!;
    expect(g.variable('nr_core_picks').getInt()).toBe(2n);
    expect(g.variable('idle_seen').getInt()).toBe(4n);
    expect(g.variable('smt_idle_seen').getInt()).toBe(0n);
  });

  it('in stopping, the task is still its CPU\'s current task (scx_bpf_cpu_curr, scx_bpf_task_running)', () => {
    const r = simulateSchedExt(obj('scx_idle'), { tasks: [{ pid: 1, comm: 'hog', count: 5, behavior: { type: 'cpu' } }, { pid: 9, comm: 'io', behavior: { type: 'periodic', run: '1ms', period: '4ms' } }] }, { cpus: 2, durationNs: 300e6 });
    const g = r.object!;
    expect(r.opCalls.get('stopping')).toBeGreaterThan(20);
    expect(g.variable('nr_curr_ok').getInt()).toBe(BigInt(r.opCalls.get('stopping')!));
    expect(g.variable('nr_curr_bad').getInt()).toBe(0n);
    // bpf_ktime_get_ns() and scx_bpf_now() are one clock.
    expect(g.variable('nr_clock_mismatch').getInt()).toBe(0n);
  });
});

describe('scx_preempt: SCX_ENQ_PREEMPT', () => {
  const run = (nice: number) =>
    simulateSchedExt(obj('scx_preempt'), { tasks: [{ pid: 1, comm: 'hog', behavior: { type: 'cpu' } }, { pid: 2, comm: 'urgent', nice, behavior: { type: 'periodic', run: '1ms', period: '10ms' } }] }, { cpus: 1, durationNs: 1e9 });
  it('a preempting insert into the local DSQ runs the task at once; without it the task waits for the slice', () => {
    const r = run(-5);
    const urgent = r.summary.tasks[1]!;
    expect(urgent.runs).toBe(100);
    expect(urgent.waitNs.max).toBe(0);
    expect(r.summary.tasks[0]!.runtimeNs).toBe(1e9 - 100e6);
    expect(r.object!.variable('nr_preempt_enq').getInt()).toBe(100n);
    // Negative control: nice 0 (weight 100) does not preempt and waits behind the hog's slice.
    const c = run(0);
    expect(c.object!.variable('nr_preempt_enq').getInt()).toBe(0n);
    expect(c.summary.tasks[1]!.waitNs.max).toBeGreaterThan(10e6);
  });
});
