/**
 * What helper implementations need from the emulated kernel. The kernel implements this and
 * sets `machine.host` for every run; helpers reach it through {@link hostOf}. Everything is
 * deterministic: time is virtual, randomness is seeded, the task is configured.
 */
import type { Fault } from '../vm/fault.js';
import type { Machine } from '../vm/machine.js';
import type { BpfMap } from '../maps/map.js';
import type { Memory } from '../vm/memory.js';

/** The "current" task as helpers report it. */
export interface TaskInfo {
  readonly pid: number;
  readonly tgid: number;
  readonly uid: number;
  readonly gid: number;
  readonly comm: string;
}

/** Flat user-space memory as helpers see it (copy_from_user and friends); null/false on a fault. */
export interface UserAddressSpace {
  read(addr: number, len: number): Uint8Array | null;
  write(addr: number, bytes: Uint8Array): boolean;
}

/** Services of the emulated kernel used by helpers. */
export interface HelperHost {
  /** The guest address space every run of this kernel uses. */
  readonly mem: Memory;
  /** Number of emulated CPUs (num_possible_cpus). */
  readonly nrCpus: number;
  /** The CPU programs run on; timer callbacks run on the CPU their timer was started on. */
  cpu: number;
  /**
   * User-space memory: what region-0 guest pointers (plain numbers below 2^32) address, for
   * bpf_probe_read_user, bpf_copy_from_user, %s of a user pointer and bpf_probe_write_user.
   */
  readonly user: UserAddressSpace;
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
  /** Register a service (the kernel asks for 'timers' when its clock advances: see TimerService). */
  provide(name: string, value: unknown): void;
  /**
   * Run a callback of a loaded program as its own top-level run (timer callbacks): `program` is the
   * `ExecProgram.owner` of the code that registered it, `entryPc` the callback's first instruction.
   */
  runCallback(program: unknown, entryPc: number, args: readonly bigint[]): { r0: bigint; fault: Fault | null };
  /** Keep a program alive while something (an armed timer) refers to it. */
  holdProgram(program: unknown): void;
  /** Drop a reference taken with {@link holdProgram}. */
  releaseProgram(program: unknown): void;
  /** Move CLOCK_MONOTONIC forward to `ns` (never backwards); used while firing timers. */
  setMonotonicNs(ns: bigint): void;
  /** Register a hook run when a map value with special fields is freed (cancel its timers). */
  onMapValueFree(fn: (map: BpfMap, region: number, value: Uint8Array) => void): void;
  /**
   * Register a hook run at the end of every top-level run that left per-run state in m.runState
   * (check spin locks / ringbuf reservations); runs without such state skip these hooks.
   */
  onRunStateEnd(fn: (m: Machine, fault: Fault | null) => Fault | null): void;
  /**
   * A map's user-space references (usercnt: fds and pins). bpf_timer_init and
   * bpf_timer_set_callback fail with EPERM when it is 0. Hosts without it count as "held".
   */
  mapUserRefs?(map: BpfMap): number;
  /** Register a hook run when a map loses its last user-space reference (map_release_uref). */
  onMapUrefRelease?(fn: (map: BpfMap) => void): void;
}

/**
 * What the kernel expects under the service name 'timers': fire the earliest timer due at or before
 * `until` (advancing the clock to its deadline) and return true, or return false if none is due.
 * With `peek`, only say whether one is due.
 */
export interface TimerService {
  fireDue(host: HelperHost, until: bigint, peek?: boolean): boolean;
}

/** The host of the run `m` belongs to; throws a Fault-free Error if a helper runs without one (a host bug). */
export function hostOf(m: Machine): HelperHost {
  const h = m.host as HelperHost | null;
  if (h === null) throw new Error('helper called on a machine without a kernel host');
  return h;
}
