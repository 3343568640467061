/**
 * The DSQ iterator and the moves out of it (src/subsystems/sched_ext core.ts iterNew/iterNext/
 * dsqMove, kfuncs.ts; kernel/sched/ext.c bpf_iter_scx_dsq_*, scx_dsq_move) with
 * programs/scx_move.bpf.c, one rule per `mode`. Orders are replayed from the event log against
 * each mode's stated policy (newest first, highest pid first) or derived by hand (who starves);
 * the errors are the kernel's messages and errnos.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSchedExtKernel } from '../../../src/subsystems/sched_ext/install.js';
import { simulateSchedExt, type SchedSimResult } from '../../../src/subsystems/sched_ext/simulate.js';

const OBJ = readFileSync('programs/scx_move.bpf.o');
const hogs = (n: number) => ({ tasks: [{ pid: 100, comm: 'hog', count: n, behavior: { type: 'cpu' } }] });
const run = (mode: number, wl: unknown, cpus = 1, durationNs = 300e6): SchedSimResult => simulateSchedExt(OBJ, wl, { cpus, durationNs, events: true, spans: true, globals: { mode } });
const v = (r: SchedSimResult, name: string): bigint => r.object!.variable(name).getInt();

/**
 * Replay the event log: tasks wait from their enqueue until they are put on a CPU; at every
 * dispatch that finds tasks waiting, `choose` names the one the policy takes, and the next task put
 * on that CPU at that instant must be it. Returns how many dispatches were checked.
 */
function replay(r: SchedSimResult, choose: (waiting: readonly number[]) => number): number {
  const waiting: number[] = [];
  let pending: { cpu: number; t: number; want: number } | null = null;
  let checked = 0;
  for (const e of r.events) {
    if (pending !== null && e.what === 'run' && e.cpu === pending.cpu && e.t === pending.t) {
      expect(e.pid, `dispatch at ${e.t} on CPU ${e.cpu}`).toBe(pending.want);
      checked++;
      pending = null;
    }
    if (e.what === 'enqueue') waiting.push(e.pid);
    else if (e.what === 'run') {
      const i = waiting.indexOf(e.pid);
      if (i >= 0) waiting.splice(i, 1);
    } else if (e.what === 'dispatch' && waiting.length > 0) pending = { cpu: e.cpu, t: e.t, want: choose(waiting) };
  }
  return checked;
}

describe('scx_move: bpf_iter_scx_dsq and scx_bpf_dsq_move*', () => {
  it('mode 0, SCX_DSQ_ITER_REV: every dispatch takes the newest waiting task; on one CPU two tasks take turns and the others starve', () => {
    const r = run(0, hogs(4));
    expect(r.summary.exit.kind).toBe('UNREG');
    expect(replay(r, (w) => w[w.length - 1]!)).toBeGreaterThan(10);
    // by hand: on one CPU there is no CPU selection, all four wait in DSQ 0; 103 is the newest,
    // then 102; from then on the one that just ran is always the newest waiting, so 102 and 103
    // take turns and 100, 101 never run
    const ran = new Set(r.spans.map((s) => s.pid));
    expect([...ran].sort()).toEqual([102, 103]);
    expect(v(r, 'nr_moved')).toBe(BigInt(r.opCalls.get('dispatch')!));
  });

  it('mode 1: a walk sees the tasks queued when it began, each once; a second move of a task it already moved is refused', () => {
    const r = run(1, hogs(5), 2);
    expect(r.summary.exit.kind).toBe('UNREG');
    const walks = v(r, 'nr_walks');
    expect(walks).toBe(BigInt(r.opCalls.get('dispatch')!));
    expect(v(r, 'nr_at_start')).toBeGreaterThan(0n);
    expect(v(r, 'nr_visits')).toBe(v(r, 'nr_at_start'));
    expect(v(r, 'nr_requeued')).toBe(v(r, 'nr_visits'));
    expect(v(r, 'nr_refused')).toBe(v(r, 'nr_visits'));
    // requeueing everything in order keeps the order: plain FIFO rotation of the 5 tasks
    const order = r.events.filter((e) => e.what === 'run').map((e) => e.pid);
    const first = order.slice(0, 5);
    expect(new Set(first).size).toBe(5);
    for (let i = 0; i < order.length; i++) expect(order[i]).toBe(first[i % 5]);
  });

  it('mode 2: a move from enqueue is a dispatch-only kfunc there', () => {
    const r = run(2, hogs(4), 2);
    expect(r.summary.exit).toEqual({ kind: 'ERROR', reason: 'runtime error', message: 'kfunc with mask 0x2 called from an operation only allowing 0x4' });
    expect(r.exitInfo!.atNs).toBe(0);
  });

  it('mode 3: vtime ordering into SCX_DSQ_GLOBAL is refused', () => {
    expect(run(3, hogs(3)).summary.exit.message).toBe('cannot use vtime ordering for built-in DSQs');
  });

  it('mode 4: moves into a vtime DSQ with set_vtime(1000 - pid) and set_slice(3 ms): the highest pid waiting runs next, for 3 ms', () => {
    const r = run(4, hogs(4));
    expect(r.summary.exit.kind).toBe('UNREG');
    expect(replay(r, (w) => Math.max(...w))).toBeGreaterThan(10);
    // every run lasts the 3 ms set by the move (the last one is cut by the end of the simulation)
    for (const s of r.spans.slice(0, -1)) expect(s.end - s.start).toBe(3e6);
    // by hand: 103 first, then 102; then they alternate (the one that just ran is queued again)
    expect([...new Set(r.spans.map((s) => s.pid))].sort()).toEqual([102, 103]);
  });

  it('mode 5: bpf_iter_scx_dsq_new errnos (-ENOENT for a built-in or missing DSQ, -EINVAL for other flags); such an iterator yields nothing', () => {
    const r = run(5, hogs(3));
    expect(r.summary.exit.kind).toBe('UNREG');
    expect(v(r, 'err_global')).toBe(-2n);
    expect(v(r, 'err_missing')).toBe(-2n);
    expect(v(r, 'err_flags')).toBe(-22n);
    expect(v(r, 'next_after_error')).toBe(0n);
  });

  it('mode 6: a move into another CPU\'s local DSQ must respect the task\'s affinity', () => {
    const wl = { tasks: [{ pid: 100, comm: 'hog', count: 2, behavior: { type: 'cpu' } }, { pid: 300, comm: 'pinned', cpus: [0], behavior: { type: 'cpu' } }] };
    const r = run(6, wl, 2);
    expect(r.summary.exit).toEqual({ kind: 'ERROR', reason: 'runtime error', message: 'SCX_DSQ_LOCAL[_ON] target CPU 1 not allowed for pinned[300]' });
    // the task went to the global DSQ instead and still never ran outside CPU 0
    for (const s of r.spans) if (s.pid === 300) expect(s.cpu).toBe(0);
  });

  it('the 6.12 names of the moves exist only with legacyNames (6.17 removed them)', () => {
    const names = ['scx_bpf_dispatch_from_dsq', 'scx_bpf_dispatch_vtime_from_dsq', 'scx_bpf_dispatch_from_dsq_set_slice', 'scx_bpf_dispatch_from_dsq_set_vtime'];
    for (const n of names) {
      expect(createSchedExtKernel(1).kernel.kfuncs.get(n)).toBeUndefined();
      expect(createSchedExtKernel(1, { legacyNames: true }).kernel.kfuncs.get(n)?.def.proto).toEqual(createSchedExtKernel(1).kernel.kfuncs.get(n.replace('dispatch_from_dsq', 'dsq_move').replace('dispatch_vtime_from_dsq', 'dsq_move_vtime'))!.def.proto);
    }
  });
});
