/**
 * Workloads of the sched_ext simulator: tasks with a weight, allowed CPUs, start/exit times and a
 * behaviour, parsed from plain JSON with every field checked (a bad workload is a typed error
 * naming the task and the field, never a crash).
 *
 * ```json
 * { "cpus": 4,
 *   "tasks": [
 *     { "pid": 100, "comm": "hog", "nice": 0, "behavior": { "type": "cpu" } },
 *     { "pid": 200, "comm": "io", "count": 8, "cpus": [0, 1], "start": "5ms", "exit": "2s",
 *       "behavior": { "type": "periodic", "run": "2ms", "period": "10ms" } },
 *     { "pid": 300, "weight": 250, "behavior": { "type": "phases", "phases": [{ "run": "5ms", "sleep": "1ms" }] } },
 *     { "pid": 400, "behavior": { "type": "bursty", "run": ["1ms", "8ms"], "sleep": ["1ms", "30ms"] } } ] }
 * ```
 * Durations are numbers of nanoseconds or strings with a unit (`ns`, `us`, `ms`, `s`). `weight`
 * is p->scx.weight (1..10000) and wins over `nice` (-20..19, default 0 → weight 100). `count`
 * replicates a task with consecutive pids (comm gets `-<i>`). `"class": "rt"` makes a task of a
 * higher scheduling class (SCHED_FIFO, pinned to the one CPU of its `cpus`): it preempts whatever
 * sched_ext runs there and is never seen by the BPF scheduler.
 */
import { BpfemuError } from '../../util/errors.js';
import { niceToScxWeight } from './types.js';

/** Errors of workloads and simulator options. */
export class SchedSimError extends BpfemuError<'BAD_WORKLOAD' | 'BAD_OPTION' | 'NO_SCHEDULER'> {
  constructor(
    readonly code: 'BAD_WORKLOAD' | 'BAD_OPTION' | 'NO_SCHEDULER',
    message: string,
  ) {
    super(message);
  }
}

/** A task's behaviour, durations in ns. */
export type Behavior =
  | { readonly type: 'cpu' }
  | { readonly type: 'periodic'; readonly run: number; readonly period: number }
  | { readonly type: 'phases'; readonly phases: readonly { readonly run: number; readonly sleep: number }[]; readonly repeat: boolean }
  | { readonly type: 'bursty'; readonly run: readonly [number, number]; readonly sleep: readonly [number, number] };

/** One task of a parsed workload. */
export interface TaskSpec {
  readonly pid: number;
  readonly comm: string;
  readonly weight: number;
  readonly nice: number;
  /** Allowed CPUs; undefined = all. */
  readonly cpus: readonly number[] | undefined;
  readonly startNs: number;
  readonly exitNs: number | undefined;
  readonly behavior: Behavior;
  /** A task of a higher class (`"class": "rt"`), pinned to `cpus[0]`; absent for sched_ext tasks. */
  readonly rt?: boolean;
}

/** A parsed workload. */
export interface Workload {
  readonly cpus: number | undefined;
  readonly tasks: readonly TaskSpec[];
}

const UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

/** A duration: ns as a number, or `<number><unit>`. */
export function parseDuration(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const m = /^(\d+(?:\.\d+)?)\s*(ns|us|ms|s)$/.exec(v.trim());
    if (m !== null) {
      const ns = Math.round(Number(m[1]) * UNITS[m[2]!]!);
      if (Number.isSafeInteger(ns)) return ns;
    }
  }
  throw new SchedSimError('BAD_WORKLOAD', `${where}: expected a duration (ns, or a number with ns/us/ms/s), got ${JSON.stringify(v)}`);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function int(v: unknown, where: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new SchedSimError('BAD_WORKLOAD', `${where}: expected an integer in ${lo}..${hi}, got ${JSON.stringify(v)}`);
  return v;
}

function behaviorOf(v: unknown, where: string): Behavior {
  if (!isObj(v)) throw new SchedSimError('BAD_WORKLOAD', `${where}: expected an object with a "type"`);
  switch (v.type) {
    case 'cpu':
      return { type: 'cpu' };
    case 'periodic': {
      const run = parseDuration(v.run, `${where}.run`);
      const period = parseDuration(v.period, `${where}.period`);
      if (run <= 0 || period <= run) throw new SchedSimError('BAD_WORKLOAD', `${where}: need 0 < run < period`);
      return { type: 'periodic', run, period };
    }
    case 'phases': {
      if (!Array.isArray(v.phases) || v.phases.length === 0 || v.phases.length > 10000) throw new SchedSimError('BAD_WORKLOAD', `${where}.phases: expected a non-empty array`);
      const phases = v.phases.map((p: unknown, i: number) => {
        if (!isObj(p)) throw new SchedSimError('BAD_WORKLOAD', `${where}.phases[${i}]: expected {run, sleep}`);
        const run = parseDuration(p.run, `${where}.phases[${i}].run`);
        if (run <= 0) throw new SchedSimError('BAD_WORKLOAD', `${where}.phases[${i}].run: must be > 0`);
        return { run, sleep: parseDuration(p.sleep ?? 0, `${where}.phases[${i}].sleep`) };
      });
      return { type: 'phases', phases, repeat: v.repeat !== false };
    }
    case 'bursty': {
      const pair = (x: unknown, w: string): [number, number] => {
        if (!Array.isArray(x) || x.length !== 2) throw new SchedSimError('BAD_WORKLOAD', `${w}: expected [min, max]`);
        const a = parseDuration(x[0], `${w}[0]`);
        const b = parseDuration(x[1], `${w}[1]`);
        if (a > b) throw new SchedSimError('BAD_WORKLOAD', `${w}: min > max`);
        return [a, b];
      };
      const run = pair(v.run, `${where}.run`);
      if (run[0] <= 0) throw new SchedSimError('BAD_WORKLOAD', `${where}.run: min must be > 0`);
      return { type: 'bursty', run, sleep: pair(v.sleep, `${where}.sleep`) };
    }
    default:
      throw new SchedSimError('BAD_WORKLOAD', `${where}.type: expected cpu, periodic, phases or bursty, got ${JSON.stringify(v.type)}`);
  }
}

/** Most tasks a workload may have. */
export const MAX_TASKS = 100_000;

/** Parse and check a workload (the JSON value, not the text). */
export function parseWorkload(v: unknown): Workload {
  if (!isObj(v)) throw new SchedSimError('BAD_WORKLOAD', 'workload: expected an object with "tasks"');
  const cpus = v.cpus === undefined ? undefined : int(v.cpus, 'workload.cpus', 1, 1024);
  if (!Array.isArray(v.tasks)) throw new SchedSimError('BAD_WORKLOAD', 'workload.tasks: expected an array');
  const tasks: TaskSpec[] = [];
  const pids = new Set<number>();
  v.tasks.forEach((t: unknown, i: number) => {
    const where = `workload.tasks[${i}]`;
    if (!isObj(t)) throw new SchedSimError('BAD_WORKLOAD', `${where}: expected an object`);
    const pid = int(t.pid, `${where}.pid`, 1, 4194303);
    const count = t.count === undefined ? 1 : int(t.count, `${where}.count`, 1, MAX_TASKS);
    const comm = t.comm === undefined ? `task${pid}` : t.comm;
    if (typeof comm !== 'string') throw new SchedSimError('BAD_WORKLOAD', `${where}.comm: expected a string`);
    const nice = t.nice === undefined ? 0 : int(t.nice, `${where}.nice`, -20, 19);
    const weight = t.weight === undefined ? niceToScxWeight(nice) : int(t.weight, `${where}.weight`, 1, 10000);
    let allowed: number[] | undefined;
    if (t.cpus !== undefined) {
      if (!Array.isArray(t.cpus) || t.cpus.length === 0) throw new SchedSimError('BAD_WORKLOAD', `${where}.cpus: expected a non-empty array of CPU numbers`);
      allowed = [...new Set(t.cpus.map((c: unknown, j: number) => int(c, `${where}.cpus[${j}]`, 0, 1023)))].sort((a, b) => a - b);
    }
    const startNs = t.start === undefined ? 0 : parseDuration(t.start, `${where}.start`);
    const exitNs = t.exit === undefined ? undefined : parseDuration(t.exit, `${where}.exit`);
    if (exitNs !== undefined && exitNs <= startNs) throw new SchedSimError('BAD_WORKLOAD', `${where}.exit: must be after start`);
    const behavior = behaviorOf(t.behavior ?? { type: 'cpu' }, `${where}.behavior`);
    if (t.class !== undefined && t.class !== 'ext' && t.class !== 'rt') throw new SchedSimError('BAD_WORKLOAD', `${where}.class: expected "ext" or "rt"`);
    const rt = t.class === 'rt';
    if (rt && allowed?.length !== 1) throw new SchedSimError('BAD_WORKLOAD', `${where}.class: an rt task needs exactly one CPU in cpus`);
    for (let j = 0; j < count; j++) {
      const p = pid + j;
      if (p > 4194303) throw new SchedSimError('BAD_WORKLOAD', `${where}: pid ${p} out of range`);
      if (pids.has(p)) throw new SchedSimError('BAD_WORKLOAD', `${where}: pid ${p} is used twice`);
      pids.add(p);
      const name = count === 1 ? comm : `${comm}-${j}`;
      tasks.push({ pid: p, comm: new TextEncoder().encode(name).length > 15 ? name.slice(0, 15) : name, weight, nice, cpus: allowed, startNs, exitNs, behavior, ...(rt ? { rt } : {}) });
      if (tasks.length > MAX_TASKS) throw new SchedSimError('BAD_WORKLOAD', `workload: more than ${MAX_TASKS} tasks`);
    }
  });
  return { cpus, tasks };
}
