/**
 * What the core reports to schedulers (src/subsystems/sched_ext core.ts eventStats, rq, lockedRq,
 * selectCpuDfl with a mask; kfuncs.ts): scx_bpf_events' counters against counts derived by hand
 * from the workload, its size rule, scx_bpf_locked_rq / scx_bpf_cpu_rq contents, and
 * scx_bpf_select_cpu_and restricted to a cpumask (programs/scx_events.bpf.c).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateSchedExt } from '../../../src/subsystems/sched_ext/simulate.js';

const OBJ = readFileSync('programs/scx_events.bpf.o');
const EV = ['SELECT_CPU_FALLBACK', 'DISPATCH_LOCAL_DSQ_OFFLINE', 'DISPATCH_KEEP_LAST', 'ENQ_SKIP_EXITING', 'ENQ_SKIP_MIGRATION_DISABLED', 'REFILL_SLICE_DFL', 'BYPASS_DURATION', 'BYPASS_DISPATCH', 'BYPASS_ACTIVATE'];

function counters(bytes: Uint8Array, n: number): Record<string, bigint> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Object.fromEntries(EV.slice(0, n).map((name, i) => [name, dv.getBigInt64(i * 8, true)]));
}

describe('scx_bpf_events and the rq kfuncs', () => {
  it('one CPU-bound task alone on one CPU: every 20 ms slice ends with nothing else to run, so prev is kept and its slice refilled', () => {
    const r = simulateSchedExt(OBJ, { tasks: [{ pid: 10, comm: 'solo', behavior: { type: 'cpu' } }] }, { cpus: 1, durationNs: 210e6, ops: 'events_ops' });
    expect(r.summary.exit.kind).toBe('UNREG');
    const ev = counters(r.object!.variable('ev').get(), 9);
    // by hand: slices expire at 20, 40, ..., 200 ms: ten keeps, ten refills; nothing else happens
    expect(ev).toEqual({ ...Object.fromEntries(EV.map((n) => [n, 0n])), DISPATCH_KEEP_LAST: 10n, REFILL_SLICE_DFL: 10n });
    // a 16-byte struct gets the first two counters; the rest of the buffer is left alone
    const head = r.object!.variable('ev_head').get();
    const dv = new DataView(head.buffer, head.byteOffset, 32);
    expect([0, 8, 16, 24].map((o) => dv.getBigInt64(o, true))).toEqual([0n, 0n, -1n, -1n]);
    // scx_bpf_locked_rq in running is the task's CPU's rq; scx_bpf_cpu_rq(cpu)->curr in tick is the task
    const v = (n: string): bigint => r.object!.variable(n).getInt();
    expect(v('nr_locked_bad')).toBe(0n);
    expect(v('nr_locked_ok')).toBe(BigInt(r.opCalls.get('running')!));
    expect(v('nr_curr_bad')).toBe(0n);
    expect(v('nr_curr_ok')).toBe(BigInt(r.opCalls.get('tick')!));
    expect(v('nr_curr_ok')).toBeGreaterThan(200n);
  });

  it('select_cpu answering a CPU the task may not use: the core falls back, one SCX_EV_SELECT_CPU_FALLBACK per wakeup', () => {
    const wl = { tasks: [{ pid: 20, comm: 'nap', cpus: [0, 1], behavior: { type: 'periodic', run: '1ms', period: '5ms' } }] };
    const r = simulateSchedExt(OBJ, wl, { cpus: 3, durationNs: 100e6, globals: { bad_cpu: 2 }, spans: true, ops: 'events_ops' });
    const ev = counters(r.object!.variable('ev').get(), 9);
    expect(ev['SELECT_CPU_FALLBACK']).toBe(BigInt(r.opCalls.get('select_cpu')!));
    expect(ev['SELECT_CPU_FALLBACK']).toBeGreaterThan(15n);
    for (const s of r.spans) expect(s.cpu).toBeLessThan(2);
  });

  it('scx_bpf_select_cpu_and within {CPU 1}: a task that wakes with CPU 1 idle always gets it; when CPU 1 is busy, -EBUSY', () => {
    const wl = { tasks: [{ pid: 30, comm: 'nap', behavior: { type: 'periodic', run: '1ms', period: '10ms' } }] };
    const r = simulateSchedExt(OBJ, wl, { cpus: 2, durationNs: 100e6, spans: true, ops: 'events_ops' });
    const v = (n: string): bigint => r.object!.variable(n).getInt();
    expect(v('nr_and_idle')).toBe(BigInt(r.opCalls.get('select_cpu')!));
    expect(v('nr_and_busy')).toBe(0n);
    for (const s of r.spans) expect(s.cpu).toBe(1);
    // two CPU-bound tasks keep CPU 1 busy: later wakers find it taken
    const busy = simulateSchedExt(OBJ, { tasks: [{ pid: 40, comm: 'hog', count: 2, behavior: { type: 'cpu' } }, ...wl.tasks.map((t) => ({ ...t, start: '5ms' }))] }, { cpus: 2, durationNs: 100e6, ops: 'events_ops' });
    expect(busy.object!.variable('nr_and_busy').getInt()).toBeGreaterThan(0n);
  });

  it('a run\'s .rodata knobs do not leak into the caller\'s object bytes (the next run sees the defaults)', () => {
    const bytes = Uint8Array.from(OBJ);
    simulateSchedExt(bytes, { tasks: [{ pid: 1, comm: 'x', cpus: [0, 1], behavior: { type: 'cpu' } }] }, { cpus: 3, durationNs: 5e6, globals: { bad_cpu: 2 }, ops: 'events_ops' });
    expect(bytes).toEqual(Uint8Array.from(OBJ));
  });

  it('per-node idle kfuncs (one node): with SCX_OPS_BUILTIN_IDLE_PER_NODE they pick idle CPUs; without it, or the flat mask with it, the kernel\'s errors', () => {
    const wl = { tasks: [{ pid: 50, comm: 'nap', count: 2, behavior: { type: 'periodic', run: '1ms', period: '4ms' } }] };
    const r = simulateSchedExt(OBJ, wl, { cpus: 2, durationNs: 50e6, ops: 'events_node_ops' });
    expect(r.scheduler).toBe('events_node');
    expect(r.summary.exit.kind).toBe('UNREG');
    expect(r.object!.variable('node_of_cpu1').getInt()).toBe(0n);
    // two tasks, two CPUs, mostly asleep: every wakeup finds an idle CPU
    expect(r.object!.variable('nr_node_idle').getInt()).toBe(BigInt(r.opCalls.get('select_cpu')!));
    expect(simulateSchedExt(OBJ, wl, { cpus: 2, durationNs: 50e6, ops: 'events_ops', globals: { node_mode: 1 } }).summary.exit.message).toBe('per-node idle tracking is disabled');
    expect(simulateSchedExt(OBJ, wl, { cpus: 2, durationNs: 50e6, ops: 'events_node_ops', globals: { node_mode: 2 } }).summary.exit.message).toBe('SCX_OPS_BUILTIN_IDLE_PER_NODE enabled');
  });
});
