/**
 * programs/scx_prio.bpf.c, a scheduler written the scx repository's way (scx/common.bpf.h:
 * bpf_for_each over a DSQ, scx_bpf_dsq_move with a slice override, a bpf_cpumask kept with
 * bpf_kptr_xchg): it loads unchanged, and what it does on the core (src/subsystems/sched_ext
 * core.ts, kfuncs.ts) follows its stated policy, replayed here from the event log: each dispatch
 * takes the heaviest task waiting in DSQ 0 (the first enqueued among equals), slices are weight *
 * 20 us, a heavy periodic task waits at most one light slice, and only the primary CPUs run tasks
 * that may run there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { chromeTrace } from '../../../src/subsystems/sched_ext/output.js';
import { simulateSchedExt } from '../../../src/subsystems/sched_ext/simulate.js';
import { MemIo } from '../../cli/memio.js';

const OBJ = readFileSync('programs/scx_prio.bpf.o');
const PER_WEIGHT = 20_000;
const TICK = 1_000_000;

const WL = {
  tasks: [
    { pid: 100, comm: 'hog', count: 3, behavior: { type: 'cpu' } },
    { pid: 200, comm: 'mid', weight: 200, behavior: { type: 'periodic', run: '5ms', period: '17ms' } },
    { pid: 300, comm: 'vip', weight: 300, behavior: { type: 'periodic', run: '3ms', period: '10ms' } },
  ],
};
const WEIGHT: Record<number, number> = { 100: 100, 101: 100, 102: 100, 200: 200, 300: 300 };

describe('scx_prio: bpf_for_each(scx_dsq) and scx_bpf_dsq_move', () => {
  const durationNs = 1e9;
  const r = simulateSchedExt(OBJ, WL, { cpus: 2, durationNs, events: true, spans: true, globals: { nr_primary: 2 } });

  it('loads and runs to the end', () => {
    expect(r.scheduler).toBe('prio');
    expect(r.summary.exit.kind).toBe('UNREG');
    expect(r.object!.variable('exit_kind').getInt()).toBe(64n);
    for (const c of r.summary.cpus) expect(c.busyNs).toBe(durationNs);
  });

  it('every dispatch that moves a task takes the heaviest waiting one, the first enqueued among equals', () => {
    // Replay: a task waits from its enqueue until it is put on a CPU.
    const waiting: number[] = [];
    let checked = 0;
    let pending: { cpu: number; t: number; want: number } | null = null;
    for (const e of r.events) {
      if (pending !== null && e.what === 'run' && e.cpu === pending.cpu && e.t === pending.t) {
        expect(e.pid).toBe(pending.want);
        checked++;
        pending = null;
      }
      if (e.what === 'enqueue') waiting.push(e.pid);
      else if (e.what === 'run') {
        const i = waiting.indexOf(e.pid);
        if (i >= 0) waiting.splice(i, 1);
      } else if (e.what === 'dispatch' && waiting.length > 0) {
        let want = waiting[0]!;
        for (const p of waiting) if (WEIGHT[p]! > WEIGHT[want]!) want = p;
        pending = { cpu: e.cpu, t: e.t, want };
      }
    }
    expect(checked).toBeGreaterThan(200);
    // Each dispatch walks DSQ 0 twice; it moved exactly the tasks it found.
    const moved = r.object!.variable('nr_moved').getInt();
    expect(moved).toBeGreaterThan(200n);
    expect(r.object!.variable('nr_dispatched').getInt()).toBe(BigInt(r.opCalls.get('dispatch')!));
  });

  it('slices are weight * 20 us: no run is longer, and the CPU-bound tasks use them whole', () => {
    const byPid = new Map<number, number[]>();
    for (const s of r.spans) byPid.set(s.pid, [...(byPid.get(s.pid) ?? []), s.end - s.start]);
    for (const [pid, lens] of byPid) for (const l of lens) expect(l).toBeLessThanOrEqual(WEIGHT[pid]! * PER_WEIGHT);
    // A hog's run ends only when its slice does (except the last one, cut by the end of the run).
    for (const pid of [100, 101, 102]) {
      const lens = byPid.get(pid)!.slice(0, -1);
      expect(lens.length).toBeGreaterThan(20);
      for (const l of lens) expect(l).toBe(100 * PER_WEIGHT);
    }
  });

  it('the heaviest task waits at most one hog slice (the next dispatch takes it), plus a tick', () => {
    const vip = r.summary.tasks.find((t) => t.pid === 300)!;
    expect(vip.waitNs.max).toBeLessThanOrEqual(100 * PER_WEIGHT + TICK);
    // it gets all it asks for: 3 ms per period, a period being 10 ms stretched by the wait
    expect(vip.runtimeNs).toBeGreaterThanOrEqual(3e6 * Math.floor(durationNs / (10e6 + vip.waitNs.max)));
  });
});

describe('scx_prio: the primary cpumask (a kptr in a map value)', () => {
  it('tasks that may run anywhere run only on the primary CPUs; a task pinned outside them runs on its CPU, alone', () => {
    const durationNs = 500e6;
    const wl = {
      tasks: [
        { pid: 100, comm: 'hog', count: 5, behavior: { type: 'cpu' } },
        { pid: 300, comm: 'pinned', cpus: [3], behavior: { type: 'periodic', run: '2ms', period: '5ms' } },
      ],
    };
    const r = simulateSchedExt(OBJ, wl, { cpus: 4, durationNs, spans: true });
    expect(r.summary.exit.kind).toBe('UNREG');
    // default: half of the CPUs
    expect(r.object!.variable('nr_primary_cpus').getInt()).toBe(2n);
    const busy = r.summary.cpus.map((c) => c.busyNs);
    expect(busy[0]).toBe(durationNs);
    expect(busy[1]).toBe(durationNs);
    expect(busy[2]).toBe(0);
    for (const s of r.spans) {
      if (s.pid === 300) expect(s.cpu).toBe(3);
      else expect(s.cpu).toBeLessThan(2);
    }
    // the pinned task got its 2 ms of every period (stretched by at most a tick of waiting)
    const pinned = r.summary.tasks.find((t) => t.pid === 300)!;
    expect(pinned.runtimeNs).toBeGreaterThanOrEqual(2e6 * Math.floor(durationNs / (5e6 + pinned.waitNs.max)));
    // CPU-bound tasks of equal weight share the two primary CPUs equally (one slice of slack)
    for (const t of r.summary.tasks.filter((x) => x.pid < 300)) expect(Math.abs(t.runtimeNs - (2 * durationNs) / 5)).toBeLessThanOrEqual(2e6);
  });

  it('nr_primary = 3 of 4: three CPUs busy, the fourth idle', () => {
    const r = simulateSchedExt(OBJ, { tasks: [{ pid: 100, comm: 'hog', count: 6, behavior: { type: 'cpu' } }] }, { cpus: 4, durationNs: 200e6, globals: { nr_primary: 3 } });
    expect(r.summary.cpus.map((c) => c.busyNs)).toEqual([200e6, 200e6, 200e6, 0]);
  });
});

describe('scx_prio through the CLI, and determinism', () => {
  it('bpfemu sim sched-ext runs it (--json), knobs via the API; the same seed gives the same trace', () => {
    const wl = { cpus: 2, tasks: [{ pid: 100, comm: 'hog', count: 3, behavior: { type: 'cpu' } }, { pid: 200, comm: 'burst', weight: 150, behavior: { type: 'bursty', run: ['1ms', '4ms'], sleep: ['1ms', '9ms'] } }] };
    const m = new MemIo({ 'prio.o': OBJ, 'wl.json': JSON.stringify(wl) });
    expect(runCli(['sim', 'sched-ext', 'prio.o', '--workload', 'wl.json', '--duration', '200ms', '--json'], m)).toBe(0);
    const j = JSON.parse(m.stdout) as { exit: { kind: string }; cpus: { busyNs: number }[] };
    expect(j.exit.kind).toBe('UNREG');
    // default primary set: half of 2 CPUs
    expect(j.cpus.map((c) => c.busyNs)).toEqual([200e6, 0]);
    const run = (): string => chromeTrace(simulateSchedExt(OBJ, wl, { durationNs: 300e6, seed: 7, spans: true, globals: { nr_primary: 2 } }), 2);
    const a = run();
    expect(run()).toBe(a);
    expect(chromeTrace(simulateSchedExt(OBJ, wl, { durationNs: 300e6, seed: 8, spans: true, globals: { nr_primary: 2 } }), 2)).not.toBe(a);
  });
});
