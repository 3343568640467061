/**
 * The kernel's rules as the scheduler core and the kfuncs enforce them (src/subsystems/sched_ext
 * core.ts, kfuncs.ts), with programs/scx_rules.bpf.c breaking one rule per `mode`: each ends the
 * scheduler with the kind and message of docs/sched-ext.md §4–5, ops.exit sees the same kind, and
 * the tasks keep running afterwards under the fair policy.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateSchedExt } from '../../../src/subsystems/sched_ext/simulate.js';

const OBJ = readFileSync('programs/scx_rules.bpf.o');
const WL = { tasks: [{ pid: 300, comm: 'hog', count: 4, behavior: { type: 'cpu' } }] };
const run = (mode: number) => simulateSchedExt(OBJ, WL, { cpus: 2, durationNs: 500e6, globals: { mode } });

describe('scx_rules', () => {
  it('mode 0 follows the rules: runs to the end, unregistered from user space', () => {
    const r = run(0);
    expect(r.summary.exit.kind).toBe('UNREG');
    expect(r.object!.variable('exit_kind').getInt()).toBe(64n);
  });

  it('scx_bpf_error: SCX_EXIT_ERROR_BPF with the formatted message; the tasks then run under the fair policy', () => {
    const r = run(1);
    // The first two tasks found idle CPUs; enqueue saw the other two, then the first expired slice.
    expect(r.summary.exit).toEqual({ kind: 'ERROR_BPF', reason: 'scx_bpf_error', message: 'task 300 misbehaved after 3 enqueues' });
    expect(r.exitInfo!.atNs).toBe(20e6);
    expect(r.object!.variable('exit_kind').getInt()).toBe(1025n);
    expect(r.summary.cpus.every((c) => c.busyNs === 500e6)).toBe(true);
  });

  it('an error exit builds the debug dump: trigger, exit, ops.dump and dump_task lines, the busy CPUs and their tasks; ops.exit reads it', () => {
    const r = run(1);
    const d = r.exitInfo!.dump;
    const lines = d.split('\n');
    // The error came from enqueue on CPU 0, at 20 ms, while hog-0 was still CPU 0's current task.
    expect(lines[0]).toBe('hog-0[300] triggered exit kind 1025:');
    expect(lines[1]).toBe('  scx_bpf_error (task 300 misbehaved after 3 enqueues)');
    expect(d).toContain('rules: mode 1, 3 enqueued, ');
    expect(d).toContain('CPU states');
    // At 20 ms both slices ran out; CPU 0 went first (dispatch moved hog-2 in, then hog-0's enqueue
    // failed); the dump is taken right after that event, with CPU 1 still on hog-1.
    expect(d).toMatch(/\nCPU 0: nr_run=1 curr=hog-2\[302\]\n\n R hog-2\[302\] dsq_vtime=0 slice=20000000 weight=100\nrules task 302\n/);
    expect(d).toMatch(/\nCPU 1: nr_run=1 curr=hog-1\[301\]\n\n R hog-1\[301\] dsq_vtime=0 slice=0 weight=100\nrules task 301\n/);
    const head = new TextDecoder().decode(r.object!.variable('dump_head').get()).replace(/\0.*$/s, '');
    expect(head).toBe(d.slice(0, 63));
    // No dump for exits that are not errors.
    expect(run(4).exitInfo!.dump).toBe('');
  });

  it('a dispatch-only kfunc from enqueue: the kf_mask rule', () => {
    const r = run(2);
    expect(r.summary.exit).toEqual({ kind: 'ERROR', reason: 'runtime error', message: 'kfunc with mask 0x2 called from an operation only allowing 0x4' });
  });

  it('inserting into a DSQ that does not exist names the DSQ and the task; the task falls back to the global DSQ', () => {
    const r = run(3);
    expect(r.summary.exit.kind).toBe('ERROR');
    expect(r.summary.exit.message).toBe('non-existent DSQ 0x4d for hog-2[302]');
    // Nothing stalls: every task got CPU time.
    for (const t of r.summary.tasks) expect(t.runtimeNs).toBeGreaterThan(0);
  });

  it('scx_bpf_exit: SCX_EXIT_UNREG_BPF with the exit code ops.exit sees', () => {
    const r = run(4);
    expect(r.summary.exit).toEqual({ kind: 'UNREG_BPF', reason: 'unregistered from BPF', message: 'enough after 10 dispatches' });
    expect(r.exitInfo!.exitCode).toBe(42n);
    expect(r.object!.variable('exit_code').getInt()).toBe(42n);
  });

  it('vtime ordering on a built-in DSQ is refused', () => {
    expect(run(5).summary.exit.message).toBe('cannot use vtime ordering for built-in DSQs');
  });

  it('a dispatch that only kicks its own CPU: ended as a livelock instead of hanging, then the tasks run', () => {
    // A task that sleeps after 1 ms: its CPU goes through dispatch, which kicks itself, forever.
    const r = simulateSchedExt(OBJ, { tasks: [{ pid: 7, comm: 'nap', behavior: { type: 'periodic', run: '1ms', period: '5ms' } }] }, { cpus: 2, durationNs: 100e6, globals: { mode: 6 } });
    expect(r.summary.exit.kind).toBe('ERROR');
    expect(r.summary.exit.message).toMatch(/^bpfemu: livelock: \d+ scheduling events at 1000000 ns without the clock advancing$/);
    expect(r.exitInfo!.atNs).toBe(1e6);
    expect(r.summary.tasks[0]!.runtimeNs).toBe(20e6); // 1 ms of every 5 ms, before and after
  });
});

describe('scx_tick: ops.tick and SCX_OPS_ENQ_LAST', () => {
  it('a slice zeroed by tick ends the run at that tick; with nothing else runnable the task is enqueued with SCX_ENQ_LAST', () => {
    const tps = 5;
    const durationNs = 100e6;
    const r = simulateSchedExt(readFileSync('programs/scx_tick.bpf.o'), { tasks: [{ pid: 1, comm: 'solo', behavior: { type: 'cpu' } }] }, { cpus: 1, durationNs, globals: { ticks_per_slice: tps }, events: true });
    const g = r.object!;
    const runs = durationNs / (tps * 1e6);
    // One run per tps ticks; every expiry but the last (at the end of the run) re-enqueues with ENQ_LAST.
    expect(g.variable('nr_running').getInt()).toBe(BigInt(runs));
    expect(g.variable('nr_ticks').getInt()).toBe(BigInt(runs * tps - 1));
    expect(g.variable('nr_enq_wakeup').getInt()).toBe(1n);
    expect(g.variable('nr_enq_last').getInt()).toBe(BigInt(runs - 1));
    expect(r.events.filter((e) => e.what === 'run').map((e) => e.t)).toEqual(Array.from({ length: runs }, (_, i) => i * tps * 1e6));
  });
});
