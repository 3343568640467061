/**
 * The sched_ext simulator through its API (src/subsystems/sched_ext/simulate.ts and core.ts):
 * the fixture schedulers of programs/ run on the emulated core, and what they do is checked
 * against properties computed here, independently of the core: FIFO wait bounds, CPU shares
 * proportional to weights, the watchdog's stall exit, determinism.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSchedExtSim, simulateSchedExt } from '../../../src/subsystems/sched_ext/simulate.js';
import { chromeTrace } from '../../../src/subsystems/sched_ext/output.js';

const obj = (name: string): Uint8Array => readFileSync(`programs/${name}.bpf.o`);
const SLICE = 20_000_000;
const TICK = 1_000_000;

describe('scx_fifo: a global FIFO', () => {
  it('N CPU-bound tasks on M CPUs wait at most ceil((N-M)/M) slices (+1 tick), run in FIFO rotation and share the CPUs equally', () => {
    const N = 7;
    const M = 3;
    const durationNs = 2e9;
    const r = simulateSchedExt(obj('scx_fifo'), { tasks: [{ pid: 100, comm: 'hog', count: N, behavior: { type: 'cpu' } }] }, { cpus: M, durationNs, events: true });
    expect(r.scheduler).toBe('fifo');
    // Independent bound: a task put back at the tail has at most N - M tasks ahead of it, and the
    // M CPUs each take one of them per slice; slices end on a tick.
    const bound = Math.ceil((N - M) / M) * SLICE + TICK;
    for (const t of r.summary.tasks) {
      expect(t.waitNs.max).toBeLessThanOrEqual(bound);
      expect(t.runs).toBeGreaterThan(10);
    }
    // Every CPU is busy all the time and the CPU time is shared equally (one slice of slack each).
    for (const c of r.summary.cpus) expect(c.busyNs).toBe(durationNs);
    const fair = (M * durationNs) / N;
    for (const t of r.summary.tasks) expect(Math.abs(t.runtimeNs - fair)).toBeLessThanOrEqual(SLICE);
    // FIFO order: the sequence of tasks put on CPUs is a fixed rotation of the N tasks.
    const order = r.events.filter((e) => e.what === 'run').map((e) => e.pid);
    const first = order.slice(0, N);
    expect(new Set(first).size).toBe(N);
    for (let i = 0; i < order.length; i++) expect(order[i]).toBe(first[i % N]);
    // The scheduler ran until the end and was unregistered by user space; ops.exit saw it.
    expect(r.summary.exit).toEqual({ kind: 'UNREG', reason: 'unregistered from user space', message: '' });
    expect(r.object!.variable('exit_kind').getInt()).toBe(64n);
    // The first M tasks found idle CPUs; every other enqueued task was moved by a dispatch except
    // the N - M still waiting in DSQ 0 at the end.
    expect(r.object!.variable('nr_local').getInt()).toBe(BigInt(M));
    expect(r.object!.variable('nr_queued').getInt()).toBe(BigInt(r.opCalls.get('enqueue')!));
    expect(r.object!.variable('nr_moved').getInt()).toBe(BigInt(r.opCalls.get('enqueue')! - (N - M)));
  });

  it('a task that sleeps and wakes on an idle CPU is direct-dispatched by select_cpu and never queued', () => {
    const r = simulateSchedExt(obj('scx_fifo'), { tasks: [{ pid: 10, comm: 'io', behavior: { type: 'periodic', run: '1ms', period: '10ms' } }] }, { cpus: 2, durationNs: 1e9 });
    const t = r.summary.tasks[0]!;
    expect(t.runs).toBe(100);
    expect(t.runtimeNs).toBe(100 * TICK);
    expect(t.waitNs.max).toBe(0);
    expect(r.object!.variable('nr_queued').getInt()).toBe(0n);
    expect(r.object!.variable('nr_local').getInt()).toBe(100n);
  });
});

describe('scx_vtime: weighted virtual time', () => {
  it('CPU shares are proportional to p->scx.weight within 2% over a long run', () => {
    const weights = [100, 200, 300, 400, 500, 600];
    const durationNs = 30e9;
    const M = 2;
    const r = simulateSchedExt(obj('scx_vtime'), { tasks: weights.map((w, i) => ({ pid: 100 + i, comm: `w${w}`, weight: w, behavior: { type: 'cpu' } })) }, { cpus: M, durationNs });
    const total = r.summary.tasks.reduce((a, t) => a + t.runtimeNs, 0);
    expect(total).toBe(M * durationNs);
    const sumW = weights.reduce((a, b) => a + b, 0);
    for (const [i, t] of r.summary.tasks.entries()) {
      const expected = weights[i]! / sumW;
      const share = t.runtimeNs / total;
      expect(Math.abs(share - expected) / expected).toBeLessThan(0.02);
    }
    expect(r.object!.variable('nr_charged').getInt()).toBeGreaterThan(1000n);
  });

  it('equal weights get equal shares', () => {
    const r = simulateSchedExt(obj('scx_vtime'), { tasks: [{ pid: 1, comm: 'hog', count: 5, behavior: { type: 'cpu' } }] }, { cpus: 2, durationNs: 5e9 });
    for (const t of r.summary.tasks) expect(Math.abs(t.runtimeNs - 2e9)).toBeLessThanOrEqual(SLICE);
  });
});

describe('the built-in fair policy (no BPF scheduler)', () => {
  it('shares CPU time in proportion to weight too', () => {
    const weights = [100, 300, 600];
    const r = simulateSchedExt(null, { tasks: weights.map((w, i) => ({ pid: 10 + i, weight: w, behavior: { type: 'cpu' } })) }, { cpus: 1, durationNs: 10e9 });
    expect(r.scheduler).toBe('fair');
    expect(r.summary.exit.kind).toBe('NONE');
    const sumW = weights.reduce((a, b) => a + b, 0);
    for (const [i, t] of r.summary.tasks.entries()) expect(Math.abs(t.runtimeNs / 10e9 - weights[i]! / sumW) / (weights[i]! / sumW)).toBeLessThan(0.02);
  });
});

describe('scx_stall: the watchdog', () => {
  it('ends a scheduler that never dispatches with SCX_EXIT_ERROR_STALL at the first scan after timeout_ms, then the tasks run', () => {
    const timeoutNs = 1e9; // the fixture's .timeout_ms = 1000
    const startNs = 200e6;
    const durationNs = 4e9;
    const r = simulateSchedExt(obj('scx_stall'), { tasks: [{ pid: 42, comm: 'victim', start: startNs, behavior: { type: 'cpu' } }] }, { cpus: 2, durationNs });
    // Scans run every timeout/2 from enable (t=0); the first one strictly after start + timeout fires.
    const scan = timeoutNs / 2;
    const exitAt = (Math.floor((startNs + timeoutNs) / scan) + 1) * scan;
    const waited = exitAt - startNs;
    expect(r.exitInfo!.atNs).toBe(exitAt);
    expect(r.exitInfo!.kind).toBe(1026);
    expect(r.summary.exit).toEqual({ kind: 'ERROR_STALL', reason: 'runnable task stall', message: `victim[42] failed to run for ${Math.floor(waited / 1e9)}.${String(Math.floor(waited / 1e6) % 1000).padStart(3, '0')}s` });
    // ops.exit received the exit info; the BPF scheduler owned the task (enqueue ran, nothing else).
    expect(r.object!.variable('exit_kind').getInt()).toBe(1026n);
    expect(r.object!.variable('nr_enqueued').getInt()).toBe(1n);
    // After the exit the fair policy runs the task for the rest of the run.
    const t = r.summary.tasks[0]!;
    expect(t.runtimeNs).toBe(durationNs - exitAt);
    expect(t.waitNs.max).toBe(waited);
  });
});

describe('determinism', () => {
  const wl = {
    tasks: [
      { pid: 100, comm: 'burst', count: 6, behavior: { type: 'bursty', run: ['1ms', '15ms'], sleep: ['0ms', '30ms'] } },
      { pid: 200, comm: 'hog', count: 2, behavior: { type: 'cpu' } },
    ],
  };
  it('the same seed gives the identical summary and trace; another seed a different one', () => {
    const run = (seed: number): string[] => {
      const r = simulateSchedExt(obj('scx_vtime'), wl, { cpus: 3, durationNs: 1e9, seed, spans: true });
      return [JSON.stringify(r.summary), chromeTrace(r, 3)];
    };
    const a = run(7);
    const b = run(7);
    expect(b[0]).toBe(a[0]);
    expect(b[1]).toBe(a[1]);
    expect(run(8)[0]).not.toBe(a[0]);
  });
});

describe('stepping', () => {
  it('tests can run the core in steps and look at its op calls', () => {
    const sim = openSchedExtSim(obj('scx_fifo'), { tasks: [{ pid: 1, comm: 'a', behavior: { type: 'cpu' } }, { pid: 2, comm: 'b', behavior: { type: 'cpu' } }] }, { cpus: 1, durationNs: 100e6, events: true });
    sim.core.runUntil(1);
    // t=0: one allowed CPU, so no select_cpu (the kernel asks only when there is a choice): both
    // tasks go through enqueue to DSQ 0, the idle CPU's dispatch moves a, a runs.
    expect(sim.core.events.map((e) => `${e.what}:${e.pid}`)).toEqual(['init:0', 'enqueue:1', 'enqueue:2', 'dispatch:0', 'run:1']);
    sim.core.runUntil(SLICE + 1);
    // At the end of a's slice (a tick): dispatch (prev = a) moves b, then a is enqueued, b runs.
    expect(sim.core.events.slice(5).map((e) => `${e.what}:${e.pid}`)).toEqual(['dispatch:1', 'enqueue:1', 'run:2']);
    const r = sim.finish();
    expect(r.summary.tasks.map((t) => t.runtimeNs)).toEqual([60e6, 40e6]);
  });
});

describe('topology: SMT siblings and LLCs in the default CPU selection', () => {
  const twoHogs = { tasks: [{ pid: 1, comm: 'a', behavior: { type: 'cpu' } }, { pid: 2, comm: 'b', behavior: { type: 'cpu' } }] };
  const firstCpus = (smt: number): number[] => {
    const r = simulateSchedExt(obj('scx_fifo'), twoHogs, { cpus: 4, smt, durationNs: 1e6, events: true });
    return r.events.filter((e) => e.what === 'run').map((e) => e.cpu);
  };
  it('with 2 threads per core the second task goes to an idle core (CPU 2), not to CPU 0\'s sibling', () => {
    expect(firstCpus(1)).toEqual([0, 1]);
    expect(firstCpus(2)).toEqual([0, 2]);
  });

  it('prev_cpu busy: an idle CPU in prev\'s LLC comes before a lower-numbered one elsewhere', () => {
    const sim = openSchedExtSim(null, { tasks: [{ pid: 1, comm: 'a', behavior: { type: 'cpu' } }] }, { cpus: 4, llc: 2, durationNs: 1e6 });
    const { core } = sim;
    const t = core.tasks[0]!;
    core.cpus[2]!.idle = false; // prev_cpu 2 is busy; 0, 1 and 3 are idle
    expect(core.selectCpuDfl(t, 2)).toEqual({ cpu: 3, idle: true });
    expect(core.cpus[3]!.idle).toBe(false); // claimed
    expect(core.selectCpuDfl(t, 2)).toEqual({ cpu: 0, idle: true }); // the LLC is full now
  });
});

describe('task lifetimes', () => {
  it('a task starts at its start time and leaves at its exit time, wherever it is', () => {
    const wl = {
      tasks: [
        { pid: 1, comm: 'early', exit: '30ms', behavior: { type: 'cpu' } },
        { pid: 2, comm: 'late', start: '50ms', behavior: { type: 'cpu' } },
        { pid: 3, comm: 'queued', exit: '70ms', behavior: { type: 'cpu' } },
      ],
    };
    const r = simulateSchedExt(obj('scx_vtime'), wl, { cpus: 1, durationNs: 100e6, events: true });
    const [early, late, queued] = r.summary.tasks;
    // One CPU: early runs 0-20, queued 20-40 (early left at 30 while waiting), late from 50.
    expect(early!.runtimeNs).toBe(20e6);
    expect(queued!.runtimeNs + late!.runtimeNs).toBe(100e6 - 20e6);
    expect(r.events.filter((e) => e.what === 'run' && e.pid === 2)[0]!.t).toBeGreaterThanOrEqual(50e6);
    expect(r.events.some((e) => e.what === 'run' && e.pid === 3 && e.t >= 70e6)).toBe(false);
    expect(r.events.filter((e) => e.what === 'enable').map((e) => e.pid)).toEqual([1, 3, 2]);
  });
});
