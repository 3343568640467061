/**
 * What helper implementations need from the emulated kernel. The kernel implements this and
 * sets `machine.host` for every run; helpers reach it through {@link hostOf}. Everything is
 * deterministic: time is virtual, randomness is seeded, the task is configured.
 */
import type { Machine } from '../vm/machine.js';

/** The "current" task as helpers report it. */
export interface TaskInfo {
  readonly pid: number;
  readonly tgid: number;
  readonly uid: number;
  readonly gid: number;
  readonly comm: string;
}

/** Services of the emulated kernel used by helpers. */
export interface HelperHost {
  /** Number of emulated CPUs (num_possible_cpus). */
  readonly nrCpus: number;
  /** The CPU the current run is on. */
  currentCpu(): number;
  /** CLOCK_MONOTONIC in ns (bpf_ktime_get_ns). */
  monotonicNs(): bigint;
  /** CLOCK_BOOTTIME in ns. */
  bootNs(): bigint;
  /** Coarse monotonic clock in ns. */
  coarseNs(): bigint;
  /** jiffies (HZ = 1000 on the emulated machine is assumed: document it where used). */
  jiffies64(): bigint;
  /** Seeded pseudo-random u32 (bpf_get_prandom_u32). */
  prandomU32(): number;
  /** The current task. */
  currentTask(): TaskInfo;
  /** Guest pointer to the emulated `struct task_struct` of the current task (0 if none). */
  currentTaskPointer(): bigint;
  /** Append a line to the trace pipe (bpf_trace_printk and friends). */
  printk(line: string): void;
  /** Arbitrary services registered by other layers (timers, ringbuf wakeups, ...), by name. */
  service<T>(name: string): T | undefined;
}

/** The host of the run `m` belongs to; throws a Fault-free Error if a helper runs without one (a host bug). */
export function hostOf(m: Machine): HelperHost {
  const h = m.host as HelperHost | null;
  if (h === null) throw new Error('helper called on a machine without a kernel host');
  return h;
}
