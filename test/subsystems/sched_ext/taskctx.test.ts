/**
 * Task local storage as sched_ext schedulers use it (programs/scx_taskctx.bpf.c: a per-task context
 * created in init_task, with a scratch bpf_cpumask kptr inside), on the simulator's tasks as
 * storage owners (src/subsystems/sched_ext/core.ts reap, src/maps/local-storage.ts): every task has
 * its context in every op, the runs it counts there are the runs the core made, and a task that
 * exits loses its storage and its cpumask while the others keep theirs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { localStorageOf } from '../../../src/maps/local-storage.js';
import { openSchedExtSim } from '../../../src/subsystems/sched_ext/simulate.js';
import { Cmd } from '../../../src/kernel/syscall/uapi.js';
import { ERRNO } from '../../../src/util/errno.js';

const OBJ = readFileSync('programs/scx_taskctx.bpf.o');

const WL = {
  tasks: [
    { pid: 100, comm: 'hog', count: 4, behavior: { type: 'cpu' } },
    { pid: 200, comm: 'short', count: 3, exit: '150ms', behavior: { type: 'periodic', run: '2ms', period: '7ms' } },
    { pid: 300, comm: 'late', start: '50ms', exit: '250ms', behavior: { type: 'cpu' } },
  ],
};

describe('scx_taskctx: per-task context in task local storage', () => {
  it('a context per task, runs counted there = runs made; an exited task\'s storage and cpumask are freed, the others\' kept', () => {
    const sim = openSchedExtSim(OBJ, WL, { cpus: 3, durationNs: 400e6 });
    const k = sim.object!.kernel;
    const owners = localStorageOf(k);
    const live = (): number => (k.service('cpumasks') as { live: number }).live;
    const task = (pid: number) => sim.core.taskByPid(pid)!;
    const v = (name: string): bigint => sim.object!.variable(name).getInt();
    const map = sim.object!.map('task_ctxs');
    /** The task's context from user space, by pidfd (ENOENT once the task is reaped). */
    const lookup = (pid: number): { errno: number; runs: bigint } => {
      const fd = owners.openFd(k, 'task', task(pid).ptr);
      const value = new Uint8Array(16);
      const key = new Uint8Array(4);
      new DataView(key.buffer).setInt32(0, fd, true);
      const r = k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: map.fd, key, value });
      return { errno: r < 0 ? -r : 0, runs: new DataView(value.buffer).getBigUint64(8, true) };
    };

    sim.core.runUntil(100e6);
    // 8 tasks started (late starts at 50 ms), each with a context and a scratch cpumask
    expect(v('nr_init_task')).toBe(8n);
    expect(live()).toBe(8);
    expect(lookup(100).errno).toBe(0);
    expect(lookup(100).runs).toBe(BigInt(task(100).runs));

    sim.core.runUntil(300e6);
    // the three short tasks (150 ms) and late (250 ms) are gone with their storage
    for (const pid of [200, 201, 202, 300]) {
      expect(owners.isReleased(task(pid).ptr)).toBe(true);
      expect(lookup(pid).errno).toBe(ERRNO.ENOENT);
    }
    for (const pid of [100, 101, 102, 103]) expect(owners.isReleased(task(pid).ptr)).toBe(false);
    expect(live()).toBe(4);
    expect(v('nr_exit_task')).toBe(4n);
    // exit_task still saw each context (the storage goes after it) with every run the core made
    expect(v('nr_exit_without_ctx')).toBe(0n);
    expect(v('runs_at_exit_task')).toBe(BigInt([200, 201, 202, 300].reduce((a, p) => a + task(p).runs, 0)));

    const r = sim.finish();
    expect(r.summary.exit.kind).toBe('UNREG');
    expect(sim.object!.variable('exit_kind').getInt()).toBe(64n);
    // unregistering ran exit_task for the living tasks too; no op ever missed a context
    expect(v('nr_exit_task')).toBe(8n);
    expect(v('runs_at_exit_task')).toBe(BigInt(r.summary.tasks.reduce((a, t) => a + t.runs, 0)));
    // the living tasks keep their storage (the scheduler went, the tasks did not)
    expect(live()).toBe(4);
    expect(lookup(103).errno).toBe(0);
    expect(v('nr_direct')).toBeGreaterThan(0n);
  });
});
