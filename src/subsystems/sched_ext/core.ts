/**
 * The emulated scheduler core: a deterministic discrete-event simulation on the virtual clock that
 * follows kernel/sched/ext.c's flow (docs sched-ext.md §3) closely enough for a BPF scheduler to
 * behave as it would on a real 6.18 kernel.
 *
 * - CPUs with a local DSQ each, the global DSQ, user DSQs (FIFO or vtime-ordered), built-in idle
 *   tracking and the default CPU selection (flat: no SMT/LLC preference yet).
 * - Wakeup: `select_cpu` (or the default, which direct-dispatches to an idle CPU), then
 *   `runnable` and `enqueue` (or a direct-dispatch verdict, or the global DSQ without `enqueue`).
 * - A CPU that needs a task: keep prev while its slice lasts; local DSQ; global DSQ; `dispatch`
 *   rounds (at most 32) with the dispatch buffer flushed after each; keep prev when nothing else
 *   is there (SCX_OPS_ENQ_LAST aside). Then `stopping`/`enqueue` of prev and `running` of next.
 * - A tick every 1 ms (HZ=1000) on busy CPUs charges the slice (default 20 ms) and calls `tick`;
 *   a zero slice reschedules. Kicks are deferred until the current op returns, as the kernel's
 *   irq work is.
 * - The watchdog scans every timeout/2 and ends the scheduler with SCX_EXIT_ERROR_STALL
 *   "runnable task stall" for a task runnable longer than `timeout_ms` (default 30 s).
 * - Any exit (error, stall, scx_bpf_exit, unregistration) runs the disable path: `disable` and
 *   `exit_task` for every task, then `exit` with the exit info; the tasks then continue under the
 *   built-in fair policy, which is also the policy without a BPF scheduler.
 *
 * Not modelled: SMT/LLC/NUMA topology, higher scheduling classes (cpu_acquire/release), core
 * scheduling, cgroups, hotplug, affinity changes at run time, yield, the exit dump.
 */
import { Fault } from '../../vm/fault.js';
import { Memory, PERM_RW, RegionKind } from '../../vm/memory.js';
import type { Kernel } from '../../kernel/kernel.js';
import { localStorageOf } from '../../maps/local-storage.js';
import type { StructOpsInstance } from '../../kernel/structops.js';
import type { StructLayout } from '../../kernel/objects/ktypes.js';
import { SchedSimError, type Behavior, type TaskSpec } from './workload.js';
import {
  DEQ_SLEEP,
  DSQ_FLAG_BUILTIN,
  DSQ_FLAG_LOCAL_ON,
  ENQ_CPU_SELECTED,
  ENQ_DSQ_PRIQ,
  ENQ_HEAD,
  ENQ_LAST,
  ENQ_PREEMPT,
  ENQ_REENQ,
  ENQ_WAKEUP,
  ExitKind,
  KF,
  KICK_IDLE,
  KICK_PREEMPT,
  KICK_WAIT,
  OPS_FLAGS,
  SCX_DSQ_GLOBAL,
  SCX_DSQ_LOCAL,
  SCX_SLICE_DFL,
  SCX_SLICE_INF,
  DSQ_ITER_REV,
  SCX_EVENTS,
  WAKE_TTWU,
  exitReason,
} from './types.js';

const NS_PER_TICK = 1_000_000;
const SLICE_DFL = Number(SCX_SLICE_DFL);
/** The fair policy's slice (the built-in comparison policy, not CFS/EEVDF). */
export const FAIR_SLICE_NS = 3_000_000;
/** SCX_DSP_MAX_LOOPS. */
const DSP_MAX_LOOPS = 32;
/**
 * Events at one virtual time after which the core declares a livelock (see SchedCore.livelock),
 * plus 10 per task (every task may start, wake and be placed at the same instant).
 */
export const LIVELOCK_EVENTS = 50_000;
/** SCX_WATCHDOG_MAX_TIMEOUT in ms. */
export const WATCHDOG_MAX_MS = 30_000;

/** ops_state of a task (§3): owned by the core, or queued in (owned by) the BPF scheduler. */
const OPSS_NONE = 0;
const OPSS_QUEUED = 1;

/** A dispatch queue. Local DSQs and the global one are built-in; vtime order only for user DSQs. */
export class Dsq {
  readonly tasks: SimTask[] = [];
  /** Entries ordered by vtime (PRIQ) instead of FIFO. */
  priq = false;
  /** Bumped by every insert; the task records it (p->scx.dsq_seq) for the iterators. */
  seq = 0;
  /** Cursors of the iterators walking this DSQ (nodes in the kernel's list). */
  readonly cursors = new Set<DsqIter>();
  constructor(
    readonly id: bigint,
    /** The CPU of a local DSQ, else -1. */
    readonly cpu: number,
  ) {}

  /**
   * Put `t` at index `i`. A cursor stays between the same two neighbours as a list node does: a
   * task added at the cursor's place goes after it only when appended at the tail (list_add_tail);
   * head inserts and vtime inserts (list_add after the previous task) land before it.
   */
  insertAt(i: number, t: SimTask, tail: boolean): void {
    this.tasks.splice(i, 0, t);
    for (const c of this.cursors) if (c.pos >= 0 && (i < c.pos || (i === c.pos && !tail))) c.pos++;
  }

  /** Take the task at index `i` out; cursors after it move back by one. */
  removeAt(i: number): void {
    this.tasks.splice(i, 1);
    for (const c of this.cursors) if (i < c.pos) c.pos--;
  }
}

/**
 * An open-coded DSQ iterator (bpf_iter_scx_dsq_kern): the DSQ (null after a failed `_new`), the
 * DSQ's seq when it was created (later tasks are invisible), the direction, the cursor (the number
 * of tasks before it; -1 before the first `_next`) and the overrides of the next move.
 */
export class DsqIter {
  pos = -1;
  slice: bigint | null = null;
  vtime: bigint | null = null;
  constructor(
    readonly dsq: Dsq | null,
    readonly seq: number,
    readonly rev: boolean,
  ) {}
}

/** A simulated task (its task_struct lives in guest memory). */
export class SimTask {
  state: 'new' | 'sleeping' | 'runnable' | 'running' | 'exited' = 'new';
  cpu = 0;
  lastRanCpu = -1;
  opsState = OPSS_NONE;
  qseq = 0;
  dsq: Dsq | null = null;
  /** p->scx.dsq_seq: the DSQ's seq when the task was inserted. */
  dsqSeq = 0;
  /** The direct-dispatch verdict (ddsp_dsq_id / ddsp_enq_flags), or null. */
  ddsp: { dsq: bigint; flags: bigint } | null = null;
  runnableAt = 0;
  /** CPU time left in the current run phase (Infinity for CPU-bound). */
  burstLeft = 0;
  phase = 0;
  enabled = false;
  /** Fair-policy virtual runtime (ns scaled by 100/weight). */
  vruntime = 0;
  runtimeNs = 0;
  runs = 0;
  migrations = 0;
  readonly waits: number[] = [];
  rng: number;
  constructor(
    readonly spec: TaskSpec,
    readonly bytes: Uint8Array,
    readonly region: number,
    readonly ptr: bigint,
    readonly allowed: Uint8Array,
    private readonly dv: DataView,
    private readonly offs: TaskOffsets,
    seed: number,
  ) {
    this.rng = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ spec.pid) >>> 0 || 1;
  }
  get pid(): number {
    return this.spec.pid;
  }
  get comm(): string {
    return this.spec.comm;
  }
  get weight(): number {
    return this.spec.weight;
  }
  /** A task of the higher (rt) class: never seen by the BPF scheduler. */
  get rt(): boolean {
    return this.spec.rt === true;
  }
  /** p->scx.slice (ns; SCX_SLICE_INF as Infinity). */
  get slice(): number {
    const v = this.dv.getBigUint64(this.offs.slice, true);
    return v === SCX_SLICE_INF ? Infinity : Number(v);
  }
  set slice(ns: number) {
    this.dv.setBigUint64(this.offs.slice, ns === Infinity ? SCX_SLICE_INF : BigInt(Math.max(0, Math.round(ns))), true);
  }
  get sliceRaw(): bigint {
    return this.dv.getBigUint64(this.offs.slice, true);
  }
  set sliceRaw(v: bigint) {
    this.dv.setBigUint64(this.offs.slice, BigInt.asUintN(64, v), true);
  }
  get dsqVtime(): bigint {
    return this.dv.getBigUint64(this.offs.dsqVtime, true);
  }
  set dsqVtime(v: bigint) {
    this.dv.setBigUint64(this.offs.dsqVtime, BigInt.asUintN(64, v), true);
  }
  setCpuField(cpu: number): void {
    this.cpu = cpu;
    this.dv.setUint32(this.offs.cpu, cpu, true);
  }
  setSelectedCpu(cpu: number): void {
    this.dv.setInt32(this.offs.selectedCpu, cpu, true);
  }
  syncRuntime(): void {
    this.dv.setBigUint64(this.offs.sumExec, BigInt(this.runtimeNs), true);
  }
  /** xorshift32 of this task (bursty behaviour). */
  random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng / 0x1_0000_0000;
  }
}

/** Byte offsets in task_struct of the emulated kernel. */
interface TaskOffsets {
  readonly size: number;
  readonly pid: number;
  readonly tgid: number;
  readonly comm: number;
  readonly cpu: number;
  readonly staticPrio: number;
  readonly prio: number;
  readonly normalPrio: number;
  readonly nrCpusAllowed: number;
  readonly cpusPtr: number;
  readonly cpusMask: number;
  readonly sumExec: number;
  readonly weight: number;
  readonly slice: number;
  readonly dsqVtime: number;
  readonly selectedCpu: number;
  readonly scxFlags: number;
}

function taskOffsets(structs: ReadonlyMap<string, StructLayout>): TaskOffsets {
  const s = (name: string): StructLayout => {
    const l = structs.get(name);
    if (l === undefined) throw new SchedSimError('NO_SCHEDULER', `the kernel has no struct ${name}: create it with createSchedExtKernel()`);
    return l;
  };
  const off = (l: StructLayout, m: string): number => {
    const x = l.members.find((y) => y.name === m);
    if (x === undefined) throw new SchedSimError('NO_SCHEDULER', `struct ${l.name} has no member ${m}: create the kernel with createSchedExtKernel()`);
    return x.offset;
  };
  const t = s('task_struct');
  const scx = off(t, 'scx');
  const e = s('sched_ext_entity');
  return {
    size: t.size,
    pid: off(t, 'pid'),
    tgid: off(t, 'tgid'),
    comm: off(t, 'comm'),
    cpu: off(t, 'thread_info') + off(s('thread_info'), 'cpu'),
    staticPrio: off(t, 'static_prio'),
    prio: off(t, 'prio'),
    normalPrio: off(t, 'normal_prio'),
    nrCpusAllowed: off(t, 'nr_cpus_allowed'),
    cpusPtr: off(t, 'cpus_ptr'),
    cpusMask: off(t, 'cpus_mask'),
    sumExec: off(t, 'se') + off(s('sched_entity'), 'sum_exec_runtime'),
    weight: scx + off(e, 'weight'),
    slice: scx + off(e, 'slice'),
    dsqVtime: scx + off(e, 'dsq_vtime'),
    selectedCpu: scx + off(e, 'selected_cpu'),
    scxFlags: scx + off(e, 'flags'),
  };
}

/** One CPU. */
export class SimCpu {
  curr: SimTask | null = null;
  /** In the built-in idle mask (cleared when claimed or when running). */
  idle = true;
  busyNs = 0;
  lastCharge = 0;
  runStart = 0;
  /** Bumped whenever curr changes: events of an older curr are stale. */
  token = 0;
  reschedPending = false;
  /** Runnable tasks of the higher (rt) class waiting for this CPU, FIFO. */
  readonly rtQ: SimTask[] = [];
  /** A sched_ext task had the CPU last (switch_class calls cpu_release only then). */
  scxOwned = false;
  /** rq->scx.cpu_released: cpu_release was called; cpu_acquire comes when sched_ext gets it back. */
  cpuReleased = false;
  constructor(
    readonly id: number,
    readonly local: Dsq,
  ) {}
}

/** A run span for traces: `pid` ran on `cpu` in [start, end). */
export interface Span {
  readonly cpu: number;
  readonly pid: number;
  readonly comm: string;
  readonly start: number;
  readonly end: number;
}

/** An op call or core event, for tests that step the simulation. */
export interface SimEvent {
  readonly t: number;
  readonly cpu: number;
  readonly what: string;
  readonly pid: number;
}

/** How the scheduler ended. */
export interface ExitInfo {
  readonly kind: number;
  readonly exitCode: bigint;
  readonly reason: string;
  readonly message: string;
  readonly atNs: number;
  /** ops.init succeeded (SCX_EFLAG_INITIALIZED). */
  readonly initialized: boolean;
  /** The task current on the CPU where the exit was requested, `comm[pid]` (`swapper/N[0]` when idle). */
  readonly trigger: string;
  /** The debug dump of error exits (scx_dump_state, §5.3), '' otherwise. */
  readonly dump: string;
}

const enum Ev {
  WAKE,
  TICK,
  BURST_END,
  RESCHED,
  WATCHDOG,
  EXIT_TASK,
  START,
}

interface QEvent {
  t: number;
  seq: number;
  kind: Ev;
  cpu: number;
  task: SimTask | null;
  token: number;
}

/** A binary min-heap of events by (time, insertion order): ties are deterministic. */
class EventQueue {
  private readonly h: QEvent[] = [];
  private seq = 0;
  get size(): number {
    return this.h.length;
  }
  push(t: number, kind: Ev, cpu: number, task: SimTask | null, token = 0): void {
    const e: QEvent = { t, seq: this.seq++, kind, cpu, task, token };
    const h = this.h;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  peek(): QEvent | undefined {
    return this.h[0];
  }
  pop(): QEvent | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: QEvent, b: QEvent): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/** (s64)(a - b) < 0 on u64 values. */
function vtimeBefore(a: bigint, b: bigint): boolean {
  return BigInt.asIntN(64, a - b) < 0n;
}

const hex16 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;

/** A buffered insert of `dispatch`. */
interface DspEntry {
  readonly task: SimTask;
  readonly qseq: number;
  readonly dsq: bigint;
  readonly flags: bigint;
}

/** Options of the core. */
export interface CoreOptions {
  readonly nrCpus: number;
  readonly seed: number;
  /** Record run spans (traces, SVG). */
  readonly spans?: boolean;
  /** Record op calls as events (tests). */
  readonly events?: boolean;
  /** SMT siblings per core (default 1): CPUs n·k .. n·k+n−1 form a core. */
  readonly smt?: number;
  /** CPUs per last-level cache (default: all in one). */
  readonly llc?: number;
}

/**
 * The scheduler core of one simulation. Drive it with {@link runUntil}; with a struct_ops instance
 * of `sched_ext_ops` attached ({@link attach}) the BPF scheduler decides, else the fair policy.
 */
export class SchedCore {
  now = 0;
  readonly cpus: SimCpu[];
  readonly tasks: SimTask[] = [];
  private readonly byRegion = new Map<number, SimTask>();
  readonly global = new Dsq(SCX_DSQ_GLOBAL, -1);
  readonly userDsqs = new Map<bigint, Dsq>();
  /** The fair policy's run queue, ordered by vruntime. */
  private readonly fairQ: SimTask[] = [];
  private fairMinV = 0;
  private readonly q = new EventQueue();
  private readonly offs: TaskOffsets;
  readonly spans: Span[] = [];
  readonly events: SimEvent[] = [];

  // ---- the BPF scheduler --------------------------------------------------------------------------
  ops: StructOpsInstance | null = null;
  private has = new Set<string>();
  /** The BPF scheduler is in charge (attached, enabled, not yet exited). */
  scxActive = false;
  exitInfo: ExitInfo | null = null;
  private pendingDisable = false;
  private initialized = false;
  opsFlags = 0n;
  /** The CPU hotplug counter (/sys/kernel/sched_ext/hotplug_seq); no hotplug is emulated. */
  readonly hotplugSeq = 0n;
  timeoutNs = WATCHDOG_MAX_MS * 1e6;
  private maxBatch = 32;
  /** exit_dump_len (0 → SCX_EXIT_DUMP_DFL_LEN). */
  private dumpLen = 32768;
  /** scx_kf_mask of the op running now. */
  kfMask = 0;
  /** The CPU the current op runs on (SCX_DSQ_LOCAL, scx_bpf_dsq_insert in dispatch, kicks). */
  ctxCpu = 0;
  /** The direct-dispatch candidate of select_cpu/enqueue. */
  private candidate: SimTask | null = null;
  private dspBuf: DspEntry[] = [];
  private dspProgress = 0;
  private readonly kicks: [number, bigint][] = [];
  private qseqNext = 1;
  private zeroSliceWarned = false;
  /** Op call counts by member name. */
  readonly opCalls = new Map<string, number>();
  /** The scheduler's event counters (struct scx_event_stats, scx_bpf_events), by SCX_EV_ name. */
  readonly eventStats = new Map<(typeof SCX_EVENTS)[number], number>();
  /** The op running now (null between ops), for scx_bpf_locked_rq. */
  private curOp: string | null = null;
  /** Set by kernel-facing code: called with the message of each emulator-side warning. */
  warn: (msg: string) => void = () => {};

  constructor(
    readonly kernel: Kernel,
    readonly o: CoreOptions,
  ) {
    if (!Number.isInteger(o.nrCpus) || o.nrCpus < 1 || o.nrCpus > 1024) throw new SchedSimError('BAD_OPTION', `cpus: expected 1..1024, got ${o.nrCpus}`);
    if (o.smt !== undefined && (!Number.isInteger(o.smt) || o.smt < 1 || o.nrCpus % o.smt !== 0)) throw new SchedSimError('BAD_OPTION', `smt: expected a divisor of the CPU count, got ${o.smt}`);
    if (o.llc !== undefined && (!Number.isInteger(o.llc) || o.llc < 1 || o.llc % (o.smt ?? 1) !== 0)) throw new SchedSimError('BAD_OPTION', `llc: expected a positive multiple of smt, got ${o.llc}`);
    this.offs = taskOffsets(kernel.types.structs);
    this.cpus = Array.from({ length: o.nrCpus }, (_, i) => new SimCpu(i, new Dsq(SCX_DSQ_LOCAL | BigInt(i), i)));
  }

  get nrCpus(): number {
    return this.cpus.length;
  }

  // ---- tasks -------------------------------------------------------------------------------------

  /** Add a task of the workload; it becomes runnable at its start time. */
  addTask(spec: TaskSpec): SimTask {
    const o = this.offs;
    for (const c of spec.cpus ?? []) if (c >= this.nrCpus) throw new SchedSimError('BAD_WORKLOAD', `task ${spec.pid}: cpu ${c} does not exist (${this.nrCpus} CPUs)`);
    const bytes = new Uint8Array(o.size);
    const region = this.kernel.mem.map(bytes, { kind: RegionKind.KERNEL, perm: PERM_RW, label: `task_struct ${spec.pid} (${spec.comm})`, shared: true });
    const dv = new DataView(bytes.buffer);
    const allowed = new Uint8Array(this.nrCpus);
    for (const c of spec.cpus ?? Array.from({ length: this.nrCpus }, (_, i) => i)) {
      allowed[c] = 1;
      bytes[o.cpusMask + (c >> 3)]! |= 1 << (c & 7);
    }
    dv.setInt32(o.pid, spec.pid, true);
    dv.setInt32(o.tgid, spec.pid, true);
    bytes.set(new TextEncoder().encode(spec.comm).subarray(0, 15), o.comm);
    for (const f of [o.staticPrio, o.prio, o.normalPrio]) dv.setInt32(f, 120 + spec.nice, true);
    dv.setInt32(o.nrCpusAllowed, allowed.reduce((a, b) => a + b, 0), true);
    dv.setBigUint64(o.cpusPtr, Memory.pointer(region, o.cpusMask), true);
    dv.setUint32(o.weight, spec.weight, true);
    const t = new SimTask(spec, bytes, region, Memory.pointer(region, 0), allowed, dv, o, this.o.seed);
    t.slice = SLICE_DFL;
    t.setCpuField(allowed.indexOf(1));
    this.tasks.push(t);
    this.byRegion.set(region, t);
    this.q.push(spec.startNs, Ev.START, -1, t);
    if (spec.exitNs !== undefined) this.q.push(spec.exitNs, Ev.EXIT_TASK, -1, t);
    return t;
  }

  /** The task whose task_struct a guest pointer points into, or undefined. */
  taskAt(ptr: bigint): SimTask | undefined {
    return this.byRegion.get(Memory.split(ptr)[0]);
  }

  taskByPid(pid: number): SimTask | undefined {
    return this.tasks.find((t) => t.pid === pid);
  }

  /** CPU time of the next run phase. */
  private nextBurst(t: SimTask): number {
    const b: Behavior = t.spec.behavior;
    switch (b.type) {
      case 'cpu':
        return Infinity;
      case 'periodic':
        return b.run;
      case 'phases':
        return b.phases[t.phase % b.phases.length]!.run;
      case 'bursty':
        return Math.round(b.run[0] + (b.run[1] - b.run[0]) * t.random());
    }
  }

  /** Sleep after a run phase, or null when the task exits (a non-repeating phase list ended). */
  private nextSleep(t: SimTask): number | null {
    const b = t.spec.behavior;
    switch (b.type) {
      case 'cpu':
        return 0;
      case 'periodic':
        return b.period - b.run;
      case 'phases': {
        const s = b.phases[t.phase % b.phases.length]!.sleep;
        t.phase++;
        return !b.repeat && t.phase >= b.phases.length ? null : s;
      }
      case 'bursty':
        return Math.round(b.sleep[0] + (b.sleep[1] - b.sleep[0]) * t.random());
    }
  }

  // ---- attaching a BPF scheduler (scx_enable) ------------------------------------------------------

  /**
   * Attach the registered `sched_ext_ops` instance (scx_enable, §1.4) and enable the tasks that
   * exist. An error exit during enable is recorded; the attach itself succeeds, as in the kernel.
   */
  attach(inst: StructOpsInstance): void {
    this.ops = inst;
    this.has = new Set(inst.type.members.filter((m) => m.isFunc && inst.program(m.name) !== null).map((m) => m.name));
    this.opsFlags = BigInt.asUintN(64, BigInt(inst.readInt('flags')));
    const tmo = inst.readInt('timeout_ms');
    this.timeoutNs = (tmo === 0 ? WATCHDOG_MAX_MS : tmo) * 1e6;
    const dumpLen = inst.readInt('exit_dump_len');
    this.dumpLen = dumpLen <= 0 ? 32768 : dumpLen;
    const batch = inst.readInt('dispatch_max_batch');
    this.maxBatch = batch === 0 ? 32 : batch;
    this.scxActive = true;
    this.ctxCpu = 0;
    if (this.has.has('init')) {
      const r = this.callOp('init', KF.UNLOCKED, [], 0, 0);
      if (r !== 0) this.exit(ExitKind.ERROR, 0n, `ops.init() failed (${r})`);
      else this.initialized = true;
    } else this.initialized = true;
    const seq = BigInt.asUintN(64, BigInt(inst.readInt('hotplug_seq')));
    if (seq !== 0n && seq !== this.hotplugSeq) this.exit(ExitKind.UNREG_KERN, (1n << 48n) | (1n << 32n), `expected hotplug seq ${seq} did not match actual ${this.hotplugSeq}`);
    if ((this.opsFlags & OPS_FLAGS.ENQ_LAST) !== 0n && !this.has.has('enqueue')) this.exit(ExitKind.ERROR, 0n, 'SCX_OPS_ENQ_LAST requires ops.enqueue() to be implemented');
    if (this.timeoutNs > 0) this.q.push(this.now + this.timeoutNs / 2, Ev.WATCHDOG, -1, null);
    for (const t of this.tasks) if (t.state !== 'new' && t.state !== 'exited') this.enableTask(t, false);
    this.settle();
  }

  private enableTask(t: SimTask, fork: boolean): void {
    if (!this.scxActive || t.enabled || t.rt) return;
    if (this.has.has('init_task')) {
      const args = this.argStruct(16);
      args.bytes[0] = fork ? 1 : 0;
      const r = this.callOp('init_task', KF.UNLOCKED, [t.ptr, args.ptr], t.pid, t.cpu);
      this.freeArg(args);
      if (r !== 0) {
        this.exit(ExitKind.ERROR, 0n, `ops.init_task() failed (${r}) for ${t.comm}[${t.pid}]`);
        return;
      }
    }
    t.slice = SLICE_DFL;
    t.enabled = true;
    if (this.has.has('enable')) this.callOp('enable', KF.REST, [t.ptr], t.pid, t.cpu);
    if (this.has.has('set_weight')) this.callOp('set_weight', KF.REST, [t.ptr, BigInt(t.weight)], t.pid, t.cpu);
  }

  private disableTask(t: SimTask): void {
    if (!t.enabled) return;
    t.enabled = false;
    if (this.has.has('disable')) this.callOp('disable', KF.REST, [t.ptr], t.pid, t.cpu);
    if (this.has.has('exit_task')) {
      const args = this.argStruct(8);
      this.callOp('exit_task', KF.REST, [t.ptr, args.ptr], t.pid, t.cpu);
      this.freeArg(args);
    }
  }

  /** A small zeroed kernel struct for an op argument. */
  private argStruct(size: number): { bytes: Uint8Array; ptr: bigint; region: number } {
    const bytes = new Uint8Array(size);
    const region = this.kernel.mem.map(bytes, { kind: RegionKind.KERNEL, perm: PERM_RW, label: 'sched_ext op argument', shared: true });
    return { bytes, ptr: Memory.pointer(region, 0), region };
  }

  private freeArg(a: { region: number }): void {
    this.kernel.retireRegion(a.region);
  }

  /**
   * Request an exit (scx_exit): the first request wins; the disable path runs when the current
   * event has been handled (the kernel's disable work).
   */
  exit(kind: number, exitCode: bigint, message: string): void {
    if (this.exitInfo !== null || this.ops === null) return;
    const cur = this.cpus[this.ctxCpu]?.curr ?? null;
    const trigger = cur === null ? `swapper/${this.ctxCpu}[0]` : `${cur.comm}[${cur.pid}]`;
    this.exitInfo = { kind, exitCode, reason: exitReason(kind), message, atNs: this.now, initialized: this.initialized, trigger, dump: '' };
    this.pendingDisable = true;
    if (this.o.events === true) this.events.push({ t: this.now, cpu: -1, what: `exit ${kind} ${message}`, pid: 0 });
  }

  /** Unregister from user space (bpf_scx_unreg): SCX_EXIT_UNREG, then the disable path. */
  unregister(): void {
    this.exit(ExitKind.UNREG, 0n, '');
    this.settle();
  }

  /** scx_disable_workfn: disable and exit_task for every task, ops.exit, then the fair policy. */
  private disable(): void {
    this.pendingDisable = false;
    const ei = this.exitInfo!;
    this.scxActive = false;
    // Every runnable task not on a CPU moves to the fair policy (bypass re-enqueues them).
    const waiting = this.tasks.filter((t) => t.state === 'runnable' && !t.rt);
    for (const c of this.cpus) c.local.tasks.length = 0;
    this.global.tasks.length = 0;
    for (const d of this.userDsqs.values()) d.tasks.length = 0;
    this.scxActiveForOps = true;
    if (ei.kind >= ExitKind.ERROR) this.exitInfo = { ...ei, dump: this.buildDump(ei) };
    for (const t of this.tasks) if (t.state !== 'exited') this.disableTask(t);
    if (this.has.has('exit')) {
      const info = this.exitInfoStruct(this.exitInfo!);
      this.callOp('exit', KF.UNLOCKED, [info.ptr], 0, 0);
      for (const r of info.regions) this.kernel.retireRegion(r);
    }
    this.scxActiveForOps = false;
    for (const t of waiting) {
      t.dsq = null;
      t.opsState = OPSS_NONE;
      t.ddsp = null;
      this.fairEnqueue(t);
    }
    for (const c of this.cpus) {
      if (c.curr !== null && !c.curr.rt) c.curr.slice = Math.min(c.curr.slice, FAIR_SLICE_NS);
      this.resched(c.id);
    }
  }
  /** Ops may still be called during the disable path although the scheduler is no longer active. */
  private scxActiveForOps = false;

  /** struct scx_exit_info with reason and msg strings as kernel memory for ops.exit. */
  private exitInfoStruct(ei: ExitInfo): { ptr: bigint; regions: number[] } {
    const str = (s: string): { ptr: bigint; region: number } => {
      const b = new TextEncoder().encode(`${s}\0`);
      const region = this.kernel.mem.map(b, { kind: RegionKind.KERNEL, perm: 1, label: 'scx_exit_info string', shared: true });
      return { ptr: Memory.pointer(region, 0), region };
    };
    const reason = str(ei.reason);
    const msg = str(ei.message);
    const a = this.argStruct(64);
    const dv = new DataView(a.bytes.buffer);
    dv.setUint32(0, ei.kind, true);
    dv.setBigInt64(8, ei.exitCode, true);
    dv.setBigUint64(16, ei.initialized ? 1n : 0n, true);
    dv.setBigUint64(24, reason.ptr, true);
    dv.setBigUint64(48, msg.ptr, true);
    const regions = [a.region, reason.region, msg.region];
    if (ei.dump !== '') {
      const dump = str(ei.dump);
      dv.setBigUint64(56, dump.ptr, true);
      regions.push(dump.region);
    }
    return { ptr: a.ptr, regions };
  }

  /** Text ops.dump / dump_cpu / dump_task add with scx_bpf_dump(), or null outside a dump op. */
  private dumpBuf: string | null = null;

  /** scx_bpf_dump_bstr: false outside a dump op (the caller reports the kernel's error). */
  dumpAppend(text: string): boolean {
    if (this.dumpBuf === null) return false;
    this.dumpBuf += text;
    return true;
  }

  private dumpOp(name: string, mask: number, args: readonly bigint[], cpu: number): string {
    if (!this.has.has(name)) return '';
    this.dumpBuf = '';
    this.callOp(name, mask, args, 0, cpu);
    const out = this.dumpBuf;
    this.dumpBuf = null;
    return out === '' || out.endsWith('\n') ? out : `${out}\n`;
  }

  /**
   * scx_dump_state, in the kernel's outline (§5.3): the trigger and the exit, ops.dump's lines, the
   * busy CPUs with ops.dump_cpu's lines and each of their tasks (`dsq_vtime`, `slice`, `weight`)
   * with ops.dump_task's lines; truncated to exit_dump_len.
   */
  private buildDump(ei: ExitInfo): string {
    const ctx = this.argStruct(40);
    const dv = new DataView(ctx.bytes.buffer);
    dv.setUint32(0, ei.kind, true);
    dv.setBigInt64(8, ei.exitCode, true);
    dv.setBigUint64(24, BigInt(this.now), true);
    let out = `${ei.trigger} triggered exit kind ${ei.kind}:\n  ${ei.reason} (${ei.message})\n\n`;
    const head = this.dumpOp('dump', KF.UNLOCKED, [ctx.ptr], 0);
    if (head !== '') out += `Debug dump:\n${head}\n`;
    out += 'CPU states\n----------\n';
    for (const c of this.cpus) {
      if (c.curr === null && c.local.tasks.length === 0) continue;
      out += `\nCPU ${c.id}: nr_run=${(c.curr === null ? 0 : 1) + c.local.tasks.length} curr=${c.curr === null ? '(idle)' : `${c.curr.comm}[${c.curr.pid}]`}\n`;
      out += this.dumpOp('dump_cpu', KF.REST, [ctx.ptr, BigInt(c.id), c.curr === null ? 1n : 0n], c.id);
      for (const t of c.curr === null ? c.local.tasks : [c.curr, ...c.local.tasks]) {
        out += `\n ${t === c.curr ? 'R' : ' '} ${t.comm}[${t.pid}] dsq_vtime=${t.dsqVtime} slice=${t.sliceRaw} weight=${t.weight}\n`;
        out += this.dumpOp('dump_task', KF.REST, [ctx.ptr, t.ptr], c.id);
      }
    }
    this.freeArg(ctx);
    const max = this.dumpLen - 1;
    const marker = '\n~~~~ TRUNCATED ~~~~\n';
    return out.length <= max ? out : out.slice(0, Math.max(0, max - marker.length)) + marker;
  }

  // ---- op calls ----------------------------------------------------------------------------------

  /** Whether the scheduler implements `member`. */
  implements(member: string): boolean {
    return this.has.has(member);
  }

  /**
   * Call an op with kf mask `mask` on CPU `cpu`; returns the low 32 bits of r0 (0 for void ops).
   * A guest fault (which the kernel's verifier would have prevented) ends the scheduler with an
   * error exit naming the op.
   */
  callOp(name: string, mask: number, args: readonly bigint[], pid: number, cpu: number): number {
    const inst = this.ops;
    if (inst === null || (!this.scxActive && !this.scxActiveForOps)) return 0;
    this.opCalls.set(name, (this.opCalls.get(name) ?? 0) + 1);
    if (this.o.events === true) this.events.push({ t: this.now, cpu, what: name, pid });
    const k = this.kernel;
    const saveMask = this.kfMask;
    const saveCpu = this.ctxCpu;
    this.kfMask = mask;
    if (cpu >= 0) {
      this.ctxCpu = cpu;
      k.cpu = cpu;
    }
    k.setMonotonicNs(BigInt(this.now));
    this.opDepth++;
    const saveOp = this.curOp;
    this.curOp = name;
    try {
      return inst.call(name, args);
    } catch (e) {
      if (!(e instanceof Fault)) throw e;
      this.exit(ExitKind.ERROR, 0n, `ops.${name}() faulted: ${e.detail} at pc ${e.pc}`);
      return 0;
    } finally {
      this.kfMask = saveMask;
      this.ctxCpu = saveCpu;
      this.curOp = saveOp;
      if (--this.opDepth === 0) this.dropIters();
    }
  }

  /** An error exit from a rule the kernel checks (scx_error). */
  error(message: string): void {
    this.exit(ExitKind.ERROR, 0n, message);
  }

  // ---- DSQs --------------------------------------------------------------------------------------

  /** scx_bpf_create_dsq. */
  createDsq(id: bigint, node: number): number {
    if (node < -1 || node >= 1) return -22;
    if ((id & DSQ_FLAG_BUILTIN) !== 0n) return -22;
    if (this.ops === null) return -19;
    if (this.userDsqs.has(id)) return -17;
    this.userDsqs.set(id, new Dsq(id, -1));
    return 0;
  }

  /** scx_bpf_destroy_dsq. */
  destroyDsq(id: bigint): void {
    const d = this.userDsqs.get(id);
    if (d === undefined) return;
    if (d.tasks.length > 0) {
      this.error(`attempting to destroy in-use dsq ${hex16(id)} (nr=${d.tasks.length})`);
      return;
    }
    this.userDsqs.delete(id);
  }

  /** scx_bpf_dsq_nr_queued. */
  nrQueued(id: bigint): number {
    if (this.ops === null) return -19;
    if (id === SCX_DSQ_LOCAL) return this.cpus[this.ctxCpu]!.local.tasks.length;
    if ((id & ~0xffff_ffffn) === (DSQ_FLAG_BUILTIN | DSQ_FLAG_LOCAL_ON)) {
      const c = Number(id & 0xffff_ffffn);
      if (c >= this.nrCpus) {
        this.error(`invalid CPU ${c}`);
        return -2;
      }
      return this.cpus[c]!.local.tasks.length;
    }
    const d = this.userDsqs.get(id);
    return d === undefined ? -2 : d.tasks.length;
  }

  /** The DSQ an id names for task `t` from CPU `cpu` (find_dsq_for_dispatch), with the kernel's errors. */
  private resolveDsq(id: bigint, t: SimTask, cpu: number): Dsq {
    if (id === SCX_DSQ_LOCAL) return this.cpus[cpu]!.local;
    if ((id & ~0xffff_ffffn) === (DSQ_FLAG_BUILTIN | DSQ_FLAG_LOCAL_ON)) {
      const c = Number(id & 0xffff_ffffn);
      if (c >= this.nrCpus) {
        this.error(`invalid CPU ${c} in SCX_DSQ_LOCAL_ON dispatch verdict`);
        return this.global;
      }
      return this.cpus[c]!.local;
    }
    if (id === SCX_DSQ_GLOBAL) return this.global;
    const d = (id & DSQ_FLAG_BUILTIN) === 0n ? this.userDsqs.get(id) : undefined;
    if (d === undefined) {
      this.error(`non-existent DSQ ${`0x${BigInt.asUintN(64, id).toString(16)}`} for ${t.comm}[${t.pid}]`);
      return this.global;
    }
    return d;
  }

  /** dispatch_enqueue + dispatch_to_local_dsq: put `t` on the DSQ `id` names. */
  private dispatchEnqueue(t: SimTask, id: bigint, flags: bigint, cpu: number): void {
    let d = this.resolveDsq(id, t, cpu);
    if (d.cpu >= 0 && t.allowed[d.cpu] !== 1) {
      this.error(`SCX_DSQ_LOCAL[_ON] target CPU ${d.cpu} not allowed for ${t.comm}[${t.pid}]`);
      d = this.global;
    }
    this.insert(d, t, flags);
    if (d.cpu >= 0) {
      if (d.cpu !== t.cpu) t.setCpuField(d.cpu);
      const target = this.cpus[d.cpu]!;
      if ((flags & ENQ_PREEMPT) !== 0n && target.curr !== null) {
        target.curr.slice = 0;
        this.resched(d.cpu);
      } else if (target.curr === null) this.resched(d.cpu);
    }
  }

  /** Insert into a DSQ with the FIFO/PRIQ rules (§2.2). */
  private insert(d: Dsq, t: SimTask, flags: bigint): void {
    let priq = (flags & ENQ_DSQ_PRIQ) !== 0n;
    if (priq && (d.id & DSQ_FLAG_BUILTIN) !== 0n) {
      this.error('cannot use vtime ordering for built-in DSQs');
      priq = false;
    }
    if (d.tasks.length > 0) {
      if (priq && !d.priq) this.error(`DSQ ID ${hex16(d.id)} already had FIFO-enqueued tasks`);
      else if (!priq && d.priq) this.error(`DSQ ID ${hex16(d.id)} already had PRIQ-enqueued tasks`);
    }
    if (priq) {
      d.priq = true;
      // After every task whose vtime is not after v (equal keys keep insertion order).
      const v = t.dsqVtime;
      let lo = 0;
      let hi = d.tasks.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (vtimeBefore(v, d.tasks[mid]!.dsqVtime)) hi = mid;
        else lo = mid + 1;
      }
      d.insertAt(lo, t, false);
    } else {
      if (d.tasks.length === 0) d.priq = false;
      if ((flags & (ENQ_HEAD | ENQ_PREEMPT)) !== 0n) d.insertAt(0, t, false);
      else d.insertAt(d.tasks.length, t, true);
    }
    d.seq = (d.seq + 1) >>> 0;
    t.dsqSeq = d.seq;
    t.dsq = d;
    t.opsState = OPSS_NONE;
    t.ddsp = null;
  }

  private removeFromDsq(t: SimTask): void {
    const d = t.dsq;
    if (d === null) return;
    const i = d.tasks.indexOf(t);
    if (i >= 0) d.removeAt(i);
    t.dsq = null;
  }

  // ---- kfunc entry points (see kfuncs.ts) ----------------------------------------------------------

  /** scx_bpf_dsq_insert(_vtime): a direct-dispatch verdict in select_cpu/enqueue, else buffered. */
  dsqInsert(t: SimTask, id: bigint, slice: bigint, flags: bigint, vtime: bigint | null, kfunc: string): void {
    if ((this.kfMask & (KF.ENQUEUE | KF.DISPATCH)) === 0) {
      this.error(`kfunc with mask 0x${(KF.ENQUEUE | KF.DISPATCH).toString(16)} called from an operation only allowing 0x${this.kfMask.toString(16)}`);
      return;
    }
    if ((flags & (0xffn << 56n)) !== 0n) {
      this.error(`invalid enq_flags 0x${flags.toString(16)}`);
      return;
    }
    if (slice !== 0n) t.sliceRaw = slice;
    else if (t.sliceRaw === 0n) t.sliceRaw = 1n;
    if (vtime !== null) {
      t.dsqVtime = vtime;
      flags |= ENQ_DSQ_PRIQ;
    }
    void kfunc;
    if (this.candidate !== null) {
      if (this.candidate !== t) {
        this.error(`scheduling for ${this.candidate.comm}[${this.candidate.pid}] but trying to direct-dispatch ${t.comm}[${t.pid}]`);
        return;
      }
      if (t.ddsp !== null) {
        this.error(`${t.comm}[${t.pid}] already direct-dispatched`);
        return;
      }
      t.ddsp = { dsq: id, flags };
      return;
    }
    if ((this.kfMask & KF.DISPATCH) === 0) return;
    if (this.dspBuf.length >= this.maxBatch) {
      this.error('dispatch buffer overflow');
      return;
    }
    this.dspBuf.push({ task: t, qseq: t.qseq, dsq: id, flags });
    this.dspProgress++;
  }

  /** scx_bpf_dispatch_nr_slots. */
  dispatchNrSlots(): number {
    if (!this.kfAllowed(KF.DISPATCH)) return 0;
    return this.maxBatch - this.dspBuf.length;
  }

  /** scx_bpf_dispatch_cancel. */
  dispatchCancel(): void {
    if (!this.kfAllowed(KF.DISPATCH)) return;
    if (this.dspBuf.length === 0) this.error('dispatch buffer underflow');
    else this.dspBuf.pop();
  }

  /** scx_kf_allowed: an error exit and false when the op's mask lacks `mask`. */
  kfAllowed(mask: number): boolean {
    if ((this.kfMask & mask) !== 0) return true;
    this.error(`kfunc with mask 0x${mask.toString(16)} called from an operation only allowing 0x${this.kfMask.toString(16)}`);
    return false;
  }

  private flush(cpu: number): void {
    const buf = this.dspBuf;
    this.dspBuf = [];
    for (const e of buf) {
      // Only a task the BPF scheduler still owns, with the qseq seen at insert time, moves (§3.3).
      if (e.task.opsState !== OPSS_QUEUED || e.task.qseq !== e.qseq) continue;
      this.dispatchEnqueue(e.task, e.dsq, e.flags, cpu);
    }
  }

  /** scx_bpf_dsq_move_to_local. */
  moveToLocal(id: bigint): boolean {
    if (!this.kfAllowed(KF.DISPATCH)) return false;
    const cpu = this.ctxCpu;
    this.flush(cpu);
    const d = (id & DSQ_FLAG_BUILTIN) === 0n ? this.userDsqs.get(id) : undefined;
    if (d === undefined) {
      this.error(`invalid DSQ ID ${hex16(id)}`);
      return false;
    }
    if (!this.consume(d, cpu)) return false;
    this.dspProgress++;
    return true;
  }

  // ---- the DSQ iterator and moves out of it (bpf_iter_scx_dsq_*, scx_bpf_dsq_move*) ---------------

  private opDepth = 0;
  /** Live iterators by handle (the handle is kept in the iterator's stack memory). */
  private readonly iters = new Map<number, DsqIter>();
  private iterNextHandle = 1;

  /**
   * bpf_iter_scx_dsq_new: -ENODEV without a scheduler, -EINVAL for flags other than
   * SCX_DSQ_ITER_REV, -ENOENT unless `id` is a user DSQ. Returns [errno or 0, handle]; a failed
   * iterator still gets a handle (its `_next` returns NULL).
   */
  iterNew(id: bigint, flags: bigint): [number, number] {
    let dsq: Dsq | null = null;
    let ret = 0;
    if (this.ops === null) ret = -19;
    else if ((flags & ~DSQ_ITER_REV) !== 0n) ret = -22;
    else {
      dsq = (id & DSQ_FLAG_BUILTIN) === 0n ? (this.userDsqs.get(id) ?? null) : null;
      if (dsq === null) ret = -2;
    }
    const it = new DsqIter(dsq, dsq?.seq ?? 0, (flags & DSQ_ITER_REV) !== 0n);
    const h = this.iterNextHandle++;
    this.iters.set(h, it);
    return [ret, h];
  }

  /** bpf_iter_scx_dsq_next: the next task queued before the iterator was created, or null. */
  iterNext(h: number): SimTask | null {
    const it = this.iters.get(h);
    const d = it?.dsq;
    if (it === undefined || d === null || d === undefined) return null;
    if (it.pos < 0) {
      it.pos = it.rev ? d.tasks.length : 0;
      d.cursors.add(it);
    }
    // u32_before(iter seq, task seq): tasks inserted after the iterator started are skipped
    const visible = (t: SimTask): boolean => ((t.dsqSeq - it.seq) | 0) <= 0;
    if (it.rev) {
      for (let i = it.pos - 1; i >= 0; i--) {
        if (!visible(d.tasks[i]!)) continue;
        it.pos = i;
        return d.tasks[i]!;
      }
      it.pos = 0;
    } else {
      for (let i = it.pos; i < d.tasks.length; i++) {
        if (!visible(d.tasks[i]!)) continue;
        it.pos = i + 1;
        return d.tasks[i]!;
      }
      it.pos = d.tasks.length;
    }
    d.cursors.delete(it);
    it.pos = -1;
    // list_del_init of the cursor: a later _next starts over from the DSQ's head (tail)
    return null;
  }

  /** bpf_iter_scx_dsq_destroy. */
  iterDestroy(h: number): void {
    const it = this.iters.get(h);
    if (it === undefined) return;
    it.dsq?.cursors.delete(it);
    this.iters.delete(h);
  }

  /** scx_bpf_dsq_move_set_slice / _set_vtime: an override for the next move from this iterator. */
  iterSet(h: number, what: 'slice' | 'vtime', v: bigint): void {
    const it = this.iters.get(h);
    if (it === undefined) return;
    if (what === 'slice') it.slice = v;
    else it.vtime = v;
  }

  /**
   * scx_dsq_move (scx_bpf_dsq_move / _vtime): from ops.dispatch or an unlocked context only. `t`
   * moves if it is still on the iterated DSQ and was queued before the iterator started; the
   * slice/vtime overrides then apply, and are cleared either way. A same-CPU local destination
   * takes the task FIFO or at the head (move_local_task_to_local_dsq ignores vtime ordering); any
   * other destination follows dispatch_enqueue (a remote local DSQ must be allowed for the task,
   * vtime ordering only in user DSQs).
   */
  dsqMove(h: number, t: SimTask, id: bigint, flags: bigint): boolean {
    if (this.kfMask !== 0 && !this.kfAllowed(KF.DISPATCH)) return false;
    const it = this.iters.get(h);
    if (it === undefined || it.dsq === null) return false;
    const slice = it.slice;
    const vtime = it.vtime;
    it.slice = null;
    it.vtime = null;
    if (t.dsq !== it.dsq || ((t.dsqSeq - it.seq) | 0) > 0) return false;
    const cpu = this.ctxCpu;
    if (vtime !== null) t.dsqVtime = vtime;
    if (slice !== null) t.sliceRaw = slice;
    this.removeFromDsq(t);
    let local = -1;
    if (id === SCX_DSQ_LOCAL) local = cpu;
    else if ((id & ~0xffff_ffffn) === (DSQ_FLAG_BUILTIN | DSQ_FLAG_LOCAL_ON)) local = Number(id & 0xffff_ffffn);
    this.dispatchEnqueue(t, id, local === t.cpu ? flags & ~ENQ_DSQ_PRIQ : flags, cpu);
    return true;
  }

  private event(name: (typeof SCX_EVENTS)[number]): void {
    if (this.scxActive) this.eventStats.set(name, (this.eventStats.get(name) ?? 0) + 1);
  }

  /** scx_bpf_events: the counters in struct scx_event_stats order. */
  eventCounters(): bigint[] {
    return SCX_EVENTS.map((n) => BigInt(this.eventStats.get(n) ?? 0));
  }

  /** struct rq of each CPU, as kernel memory refreshed when a program asks for it. */
  private readonly rqs: { bytes: Uint8Array; ptr: bigint }[] = [];
  private warnedCpuRq = false;

  /** cpu_rq(cpu) for scx_bpf_cpu_rq (deprecated in 6.18: warns once) and scx_bpf_locked_rq. */
  rq(cpu: number, deprecated: boolean): bigint {
    if (deprecated && !this.warnedCpuRq) {
      this.warnedCpuRq = true;
      this.warn('sched_ext: scx_bpf_cpu_rq() is deprecated; use scx_bpf_locked_rq() when holding rq lock or scx_bpf_cpu_curr() to read remote curr safely.');
    }
    const layout = this.kernel.types.structs.get('rq')!;
    let r = this.rqs[cpu];
    if (r === undefined) {
      const bytes = new Uint8Array(layout.size);
      const region = this.kernel.mem.map(bytes, { kind: RegionKind.KERNEL, perm: 1, label: `rq ${cpu}`, shared: true });
      r = { bytes, ptr: Memory.pointer(region, 0) };
      this.rqs[cpu] = r;
    }
    const dv = new DataView(r.bytes.buffer);
    const off = (m: string): number => layout.members.find((x) => x.name === m)!.offset;
    const scxOff = off('scx') + this.kernel.types.structs.get('scx_rq')!.members.find((x) => x.name === 'nr_running')!.offset;
    const c = this.cpus[cpu]!;
    const nr = c.local.tasks.length + (c.curr !== null ? 1 : 0);
    dv.setUint32(off('nr_running'), nr, true);
    dv.setInt32(off('cpu'), cpu, true);
    dv.setBigUint64(off('clock'), BigInt(this.now), true);
    dv.setBigUint64(off('curr'), c.curr?.ptr ?? 0n, true);
    dv.setUint32(scxOff, nr, true);
    return r.ptr;
  }

  /**
   * scx_bpf_locked_rq: the rq of the CPU the running op holds the lock of (every op that the
   * kernel calls with an rq: not select_cpu, init_task, the dump, cgroup and hotplug ops, init and
   * exit), else the kernel's error and NULL.
   */
  lockedRq(): bigint {
    const op = this.curOp;
    if (op === null || /^(select_cpu|init_task|dump.*|cgroup_.*|cpu_online|cpu_offline|init|exit)$/.test(op)) {
      this.error('accessing rq without holding rq lock');
      return 0n;
    }
    return this.rq(this.ctxCpu, false);
  }

  /** Drop the iterators of a finished program run (the verifier made it destroy them). */
  private dropIters(): void {
    for (const it of this.iters.values()) it.dsq?.cursors.delete(it);
    this.iters.clear();
  }

  /** consume_dispatch_q: the first task of `d` that may run on `cpu` moves to its local DSQ. */
  private consume(d: Dsq, cpu: number): boolean {
    const i = d.tasks.findIndex((t) => t.allowed[cpu] === 1);
    if (i < 0) return false;
    const t = d.tasks[i]!;
    d.removeAt(i);
    t.dsq = null;
    t.setCpuField(cpu);
    this.insert(this.cpus[cpu]!.local, t, 0n);
    return true;
  }

  /** scx_bpf_kick_cpu: deferred until the current op returns. */
  kickCpu(cpu: number, flags: bigint): void {
    if (cpu < 0 || cpu >= this.nrCpus) {
      this.error(`invalid CPU ${cpu}`);
      return;
    }
    if ((flags & KICK_IDLE) !== 0n && (flags & (KICK_PREEMPT | KICK_WAIT)) !== 0n) {
      this.error('PREEMPT/WAIT cannot be used with SCX_KICK_IDLE');
      return;
    }
    this.kicks.push([cpu, flags]);
  }

  /** SMT siblings per core (CPUs 2k, 2k+1 for 2). */
  get smt(): number {
    return this.o.smt ?? 1;
  }

  /** Whether every SMT sibling of `cpu`'s core is idle. */
  coreIdle(cpu: number): boolean {
    const n = this.smt;
    const first = cpu - (cpu % n);
    for (let c = first; c < first + n && c < this.cpus.length; c++) if (!this.cpus[c]!.idle) return false;
    return true;
  }

  /** Whether CPUs `a` and `b` share an LLC (blocks of `llc` CPUs; default: one LLC). */
  private sameLlc(a: number, b: number): boolean {
    const l = this.o.llc ?? this.cpus.length;
    return Math.floor(a / l) === Math.floor(b / l);
  }

  /**
   * scx_select_cpu_dfl (§3.8; ext_idle.c's order, tie-breaking by lowest CPU number): with SMT,
   * prev_cpu if its whole core is idle, then a fully idle core in prev's LLC, then anywhere; then
   * prev_cpu if idle; then an idle CPU in prev's LLC, then anywhere. The CPU returned as idle is
   * claimed (its idle bit cleared).
   */
  selectCpuDfl(t: SimTask, prev: number, and?: (cpu: number) => boolean): { cpu: number; idle: boolean } {
    const cpus = this.cpus;
    const allowed = and === undefined ? t.allowed : t.allowed.map((a, c) => (a === 1 && and(c) ? 1 : 0));
    const prevOk = prev >= 0 && prev < cpus.length && allowed[prev] === 1;
    const claim = (c: number): { cpu: number; idle: boolean } => {
      cpus[c]!.idle = false;
      return { cpu: c, idle: true };
    };
    const scan = (ok: (c: number) => boolean): number => {
      for (let c = 0; c < cpus.length; c++) if (allowed[c] === 1 && cpus[c]!.idle && ok(c)) return c;
      return -1;
    };
    if (this.smt > 1) {
      if (prevOk && this.coreIdle(prev)) return claim(prev);
      let c = prev >= 0 ? scan((x) => this.coreIdle(x) && this.sameLlc(x, prev)) : -1;
      if (c < 0) c = scan((x) => this.coreIdle(x));
      if (c >= 0) return claim(c);
    }
    if (prevOk && cpus[prev]!.idle) return claim(prev);
    let c = prev >= 0 ? scan((x) => this.sameLlc(x, prev)) : -1;
    if (c < 0) c = scan(() => true);
    if (c >= 0) return claim(c);
    return { cpu: prevOk ? prev : allowed.indexOf(1), idle: false };
  }

  /** A cpumask of the CPUs for which `bit` holds, as kernel memory (scx_bpf_get_*_cpumask). */
  cpumask(kind: 'idle' | 'smt' | 'online' | 'none'): bigint {
    let m = this.masks.get(kind);
    if (m === undefined) {
      const bytes = new Uint8Array(this.offsCpumaskSize);
      const region = this.kernel.mem.map(bytes, { kind: RegionKind.KERNEL, perm: 1, label: `cpumask ${kind}`, shared: true });
      m = { bytes, ptr: Memory.pointer(region, 0) };
      this.masks.set(kind, m);
    }
    m.bytes.fill(0);
    for (const c of this.cpus) {
      const on = kind === 'online' || (kind === 'idle' ? c.idle : kind === 'smt' ? this.coreIdle(c.id) : false);
      if (on) m.bytes[c.id >> 3]! |= 1 << (c.id & 7);
    }
    return m.ptr;
  }
  private readonly masks = new Map<string, { bytes: Uint8Array; ptr: bigint }>();
  private get offsCpumaskSize(): number {
    return this.kernel.types.structs.get('cpumask')?.size ?? 1024;
  }

  /** The task running on `cpu` (scx_bpf_cpu_curr), or null. */
  curr(cpu: number): SimTask | null {
    return this.cpus[cpu]?.curr ?? null;
  }

  /** scx_bpf_test_and_clear_cpu_idle. */
  testAndClearIdle(cpu: number): boolean {
    const c = this.cpus[cpu];
    if (c === undefined || !c.idle) return false;
    c.idle = false;
    return true;
  }

  /** scx_bpf_pick_idle_cpu over an allowed-CPU bitmap: claims and returns an idle CPU (on a fully idle core with SCX_PICK_IDLE_CORE), or -EBUSY. */
  pickIdle(allowed: (cpu: number) => boolean, wholeCore = false): number {
    for (const c of this.cpus) {
      if (c.idle && allowed(c.id) && (!wholeCore || this.coreIdle(c.id))) {
        c.idle = false;
        return c.id;
      }
    }
    return -16;
  }

  /** scx_bpf_task_running: the task is its CPU's current task (also while it is being put back). */
  isRunning(t: SimTask): boolean {
    return this.cpus[t.cpu]?.curr === t;
  }

  // ---- the flow ----------------------------------------------------------------------------------

  private resched(cpu: number): void {
    const c = this.cpus[cpu]!;
    if (c.reschedPending) return;
    c.reschedPending = true;
    this.q.push(this.now, Ev.RESCHED, cpu, null);
  }

  /** Deferred work after an event: kicks, then the disable path. */
  private settle(): void {
    for (let guard = 0; guard < 1000 && (this.kicks.length > 0 || this.pendingDisable); guard++) {
      const kicks = this.kicks.splice(0);
      for (const [cpu, flags] of kicks) {
        const c = this.cpus[cpu]!;
        if ((flags & KICK_IDLE) !== 0n) {
          if (c.curr === null) this.resched(cpu);
          continue;
        }
        if ((flags & KICK_PREEMPT) !== 0n && c.curr !== null) c.curr.slice = 0;
        this.resched(cpu);
      }
      if (this.pendingDisable) this.disable();
    }
  }

  /** A task becomes runnable (fork or wakeup): select_task_rq_scx, then enqueue_task_scx. */
  private wake(t: SimTask, fork: boolean): void {
    t.state = 'runnable';
    t.runnableAt = this.now;
    t.burstLeft = this.nextBurst(t);
    if (t.rt) {
      // a higher class: queued on its CPU, which reschedules at once (wakeup preemption)
      const c = this.cpus[t.allowed.indexOf(1)]!;
      c.rtQ.push(t);
      this.resched(c.id);
      return;
    }
    const prev = t.cpu;
    let cpu = prev;
    let selected = false;
    const nrAllowed = t.allowed.reduce((a, b) => a + b, 0);
    if (this.scxActive && nrAllowed > 1 && this.has.has('select_cpu')) {
      this.candidate = t;
      const r = this.callOp('select_cpu', KF.ENQUEUE | KF.SELECT_CPU, [t.ptr, BigInt(prev), fork ? 4n : WAKE_TTWU], t.pid, prev);
      this.candidate = null;
      selected = true;
      if (r < 0 || r >= this.nrCpus) {
        this.error(`invalid CPU ${r} from ops.select_cpu()`);
        cpu = prev;
      } else {
        // the kernel keeps the op's answer in selected_cpu and falls back when it is not allowed
        t.setSelectedCpu(r);
        cpu = t.allowed[r] === 1 ? r : this.selectCpuDfl(t, prev).cpu;
        if (cpu !== r) this.event('SELECT_CPU_FALLBACK');
      }
    } else if (nrAllowed > 1 || t.allowed[prev] !== 1) {
      const d = this.selectCpuDfl(t, prev);
      cpu = d.cpu;
      if (d.idle && this.scxActive) {
        t.slice = SLICE_DFL;
        this.event('REFILL_SLICE_DFL');
        t.ddsp = { dsq: SCX_DSQ_LOCAL, flags: 0n };
      }
    }
    if (cpu !== t.cpu) t.setCpuField(cpu);
    this.enqueueTask(t, ENQ_WAKEUP | (selected ? ENQ_CPU_SELECTED : 0n));
    if (this.cpus[t.cpu]!.curr === null) this.resched(t.cpu);
  }

  /** enqueue_task_scx: runnable, then do_enqueue_task. */
  private enqueueTask(t: SimTask, flags: bigint): void {
    if (this.scxActive && this.has.has('runnable')) this.callOp('runnable', KF.REST, [t.ptr, flags], t.pid, t.cpu);
    this.doEnqueue(t, flags);
  }

  /** do_enqueue_task (§3.2). */
  private doEnqueue(t: SimTask, flags: bigint): void {
    if (!this.scxActive) {
      t.ddsp = null;
      this.fairEnqueue(t);
      return;
    }
    const cpu = t.cpu;
    if (t.ddsp !== null) {
      const v = t.ddsp;
      t.ddsp = null;
      this.dispatchEnqueue(t, v.dsq, v.flags | flags, cpu);
      return;
    }
    if (!this.has.has('enqueue')) {
      t.slice = SLICE_DFL;
      this.event('REFILL_SLICE_DFL');
      this.dispatchEnqueue(t, SCX_DSQ_GLOBAL, flags, cpu);
      return;
    }
    t.opsState = OPSS_QUEUED;
    t.qseq = this.qseqNext++;
    this.candidate = t;
    this.callOp('enqueue', KF.ENQUEUE, [t.ptr, flags], t.pid, cpu);
    this.candidate = null;
    // enqueue may have direct-dispatched the task (TypeScript does not see the op's side effect).
    const verdict = t.ddsp as { dsq: bigint; flags: bigint } | null;
    if (verdict !== null && this.scxActive) {
      t.ddsp = null;
      this.dispatchEnqueue(t, verdict.dsq, verdict.flags | flags, cpu);
    }
  }

  // ---- the fair policy ---------------------------------------------------------------------------

  private fairEnqueue(t: SimTask): void {
    // A waking task gets at most one slice of credit (EEVDF-like placement, simplified).
    if (t.vruntime < this.fairMinV - FAIR_SLICE_NS) t.vruntime = this.fairMinV - FAIR_SLICE_NS;
    const q = this.fairQ;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t.vruntime < q[mid]!.vruntime) hi = mid;
      else lo = mid + 1;
    }
    q.splice(lo, 0, t);
    t.slice = FAIR_SLICE_NS;
    t.opsState = OPSS_NONE;
  }

  private fairPick(cpu: number): SimTask | null {
    const q = this.fairQ;
    const i = q.findIndex((t) => t.allowed[cpu] === 1);
    if (i < 0) return null;
    const t = q[i]!;
    q.splice(i, 1);
    if (t.vruntime > this.fairMinV) this.fairMinV = t.vruntime;
    return t;
  }

  // ---- CPU scheduling ----------------------------------------------------------------------------

  private charge(c: SimCpu): void {
    const t = c.curr;
    const d = this.now - c.lastCharge;
    c.lastCharge = this.now;
    if (t === null || d <= 0) return;
    t.runtimeNs += d;
    t.burstLeft -= d;
    c.busyNs += d;
    t.vruntime += (d * 100) / t.weight;
    const s = t.slice;
    if (s !== Infinity) t.slice = Math.max(0, s - d);
  }

  private endSpan(c: SimCpu, t: SimTask): void {
    if (this.o.spans === true && this.now > c.runStart) this.spans.push({ cpu: c.id, pid: t.pid, comm: t.comm, start: c.runStart, end: this.now });
    t.syncRuntime();
  }

  /** balance_scx + pick_task_scx + put_prev/set_next (§3.3, §3.4). */
  private schedule(cpu: number): void {
    const c = this.cpus[cpu]!;
    c.reschedPending = false;
    this.charge(c);
    const prev = c.curr;
    // A higher class first: an rt task keeps its CPU until it sleeps (FIFO), a waiting one preempts.
    if (prev !== null && prev.rt && prev.state === 'running') return;
    if (c.rtQ.length > 0) {
      this.preemptForRt(c, prev);
      return;
    }
    // balance_scx on a CPU that sched_ext gets back from a higher class
    if (c.cpuReleased && this.scxActive) {
      c.cpuReleased = false;
      if (this.has.has('cpu_acquire')) this.callOp('cpu_acquire', KF.REST, [BigInt(cpu), 0n], 0, cpu);
    }
    const prevWants = prev !== null && prev.state === 'running';
    if (prevWants && prev.slice > 0) return; // keep prev: slice left
    let found = false;
    let keepPrev = false;
    if (this.scxActive) {
      if (c.local.tasks.length > 0) found = true;
      else if (this.consume(this.global, cpu)) found = true;
      else if (this.has.has('dispatch')) {
        let loops = 0;
        for (;;) {
          this.dspBuf = [];
          this.dspProgress = 0;
          this.callOp('dispatch', KF.DISPATCH, [BigInt(cpu), prevWants ? prev.ptr : 0n], prev?.pid ?? 0, cpu);
          this.flush(cpu);
          if (!this.scxActive) break;
          if (prevWants && prev.slice > 0) {
            keepPrev = true;
            break;
          }
          if (c.local.tasks.length > 0 || this.consume(this.global, cpu)) {
            found = true;
            break;
          }
          if (this.dspProgress === 0) break;
          if (++loops >= DSP_MAX_LOOPS) {
            this.kickCpu(cpu, 0n);
            break;
          }
        }
      }
      if (!this.scxActive) found = c.local.tasks.length > 0;
      if (!found && !keepPrev && prevWants && (this.opsFlags & OPS_FLAGS.ENQ_LAST) === 0n) {
        keepPrev = true;
        this.event('DISPATCH_KEEP_LAST');
      }
      if (keepPrev) {
        if (prev!.slice === 0) {
          prev!.slice = SLICE_DFL;
          this.event('REFILL_SLICE_DFL');
        }
        return;
      }
    }
    // Pick next.
    let next: SimTask | null = null;
    if (this.scxActive) next = c.local.tasks.shift() ?? null;
    else {
      // fair: prev goes back to the queue first, so it competes by vruntime.
      if (prevWants) this.fairEnqueue(prev);
      next = c.local.tasks.shift() ?? this.fairPick(cpu);
      if (next === prev && prev !== null) {
        prev.slice = FAIR_SLICE_NS;
        return;
      }
    }
    if (next !== null) next.dsq = null;
    // Put prev (stopping + enqueue) before next runs.
    if (prev !== null && prevWants) {
      // put_prev_task_scx: prev is still the CPU's current task while `stopping` and its enqueue run.
      if (this.scxActive && this.has.has('stopping')) this.callOp('stopping', KF.REST, [prev.ptr, 1n], prev.pid, cpu);
      prev.state = 'runnable';
      prev.runnableAt = this.now;
      if (this.scxActive) this.doEnqueue(prev, next === null && (this.opsFlags & OPS_FLAGS.ENQ_LAST) !== 0n ? ENQ_LAST : 0n);
      this.endSpan(c, prev);
      c.curr = null;
      c.token++;
      if (next === null && this.scxActive && c.local.tasks.length > 0) next = c.local.tasks.shift()!;
    }
    if (next === null) {
      c.curr = null;
      c.idle = true;
      c.scxOwned = false;
      if (this.scxActive && this.has.has('update_idle')) this.callOp('update_idle', KF.REST, [BigInt(cpu), 1n], 0, cpu);
      return;
    }
    this.run(c, next);
  }

  private run(c: SimCpu, t: SimTask): void {
    c.curr = t;
    c.idle = false;
    c.scxOwned = this.scxActive && !t.rt;
    c.token++;
    c.runStart = this.now;
    c.lastCharge = this.now;
    t.state = 'running';
    t.dsq = null;
    if (t.lastRanCpu >= 0 && t.lastRanCpu !== c.id) t.migrations++;
    t.lastRanCpu = c.id;
    if (t.cpu !== c.id) t.setCpuField(c.id);
    t.waits.push(this.now - t.runnableAt);
    t.runs++;
    if (this.o.events === true) this.events.push({ t: this.now, cpu: c.id, what: 'run', pid: t.pid });
    if (t.slice === 0) {
      if (this.scxActive && !this.zeroSliceWarned) {
        this.zeroSliceWarned = true;
        this.warn(`${t.comm}[${t.pid}] has zero slice in pick_task_scx()`);
      }
      t.slice = this.scxActive ? SLICE_DFL : FAIR_SLICE_NS;
    }
    if (t.rt) t.slice = Infinity;
    else if (this.scxActive && this.has.has('running')) this.callOp('running', KF.REST, [t.ptr], t.pid, c.id);
    if (!t.rt) this.armTick(c, t);
    if (t.burstLeft !== Infinity) this.q.push(this.now + Math.max(0, t.burstLeft), Ev.BURST_END, c.id, t, c.token);
  }

  /**
   * An rt task takes the CPU (pick_next_task: the higher class first). A running sched_ext task is
   * put back (put_prev_task_scx: `stopping` with runnable, then the head of this CPU's local DSQ if
   * slice is left, else a fresh enqueue); then switch_class tells the BPF scheduler once that the
   * CPU is gone (`cpu_release` with SCX_CPU_PREEMPT_RT and the rt task), if sched_ext had it.
   */
  private preemptForRt(c: SimCpu, prev: SimTask | null): void {
    const next = c.rtQ.shift()!;
    if (prev !== null && prev.state === 'running') {
      if (this.scxActive && prev.enabled) {
        if (this.has.has('stopping')) this.callOp('stopping', KF.REST, [prev.ptr, 1n], prev.pid, c.id);
        prev.state = 'runnable';
        prev.runnableAt = this.now;
        if (prev.slice > 0) this.insert(c.local, prev, ENQ_HEAD);
        else this.doEnqueue(prev, 0n);
      } else {
        prev.state = 'runnable';
        prev.runnableAt = this.now;
        if (!this.scxActive) this.fairEnqueue(prev);
        else this.doEnqueue(prev, 0n);
      }
      this.endSpan(c, prev);
      c.curr = null;
      c.token++;
    }
    if (c.scxOwned && this.scxActive && !c.cpuReleased) {
      c.cpuReleased = true;
      if (this.has.has('cpu_release')) {
        const args = this.argStruct(16);
        new DataView(args.bytes.buffer).setBigUint64(8, next.ptr, true); // reason 0: SCX_CPU_PREEMPT_RT
        this.callOp('cpu_release', KF.CPU_RELEASE, [BigInt(c.id), args.ptr], next.pid, c.id);
        this.freeArg(args);
      }
    }
    c.scxOwned = false;
    this.run(c, next);
  }

  /**
   * scx_bpf_reenqueue_local (only from cpu_release): every task of this CPU's local DSQ goes back
   * through do_enqueue_task with SCX_ENQ_REENQ (to `enqueue`, or a direct dispatch); the count.
   */
  reenqueueLocal(): number {
    if (!this.kfAllowed(KF.CPU_RELEASE)) return 0;
    const local = this.cpus[this.ctxCpu]!.local;
    const tasks = local.tasks.splice(0);
    for (const t of tasks) {
      t.dsq = null;
      this.doEnqueue(t, ENQ_REENQ);
    }
    return tasks.length;
  }

  /** The running task stops because it sleeps or exits (dequeue_task_scx for the current task). */
  private stopRunning(c: SimCpu, t: SimTask, exiting: boolean): void {
    this.charge(c);
    // dequeue_task_scx of the current task: it is still the CPU's current task for these ops.
    if (this.scxActive && !t.rt) {
      if (this.has.has('stopping')) this.callOp('stopping', KF.REST, [t.ptr, 0n], t.pid, c.id);
      if (this.has.has('quiescent')) this.callOp('quiescent', KF.REST, [t.ptr, DEQ_SLEEP], t.pid, c.id);
    }
    this.endSpan(c, t);
    c.curr = null;
    c.token++;
    this.sleepOrExit(t, exiting);
    this.schedule(c.id);
  }

  private sleepOrExit(t: SimTask, exiting: boolean): void {
    const s = exiting ? null : this.nextSleep(t);
    if (s === null) {
      t.state = 'exited';
      if (this.scxActive) this.disableTask(t);
      this.reap(t);
      return;
    }
    t.state = 'sleeping';
    this.q.push(this.now + s, Ev.WAKE, -1, t);
  }

  /** A task's exit time: it leaves wherever it is. */
  private exitTask(t: SimTask): void {
    switch (t.state) {
      case 'running': {
        const c = this.cpus.find((x) => x.curr === t)!;
        this.stopRunning(c, t, true);
        return;
      }
      case 'runnable':
        if (t.opsState === OPSS_QUEUED && this.scxActive && this.has.has('dequeue')) this.callOp('dequeue', KF.REST, [t.ptr, 0n], t.pid, t.cpu);
        t.opsState = OPSS_NONE;
        this.removeFromDsq(t);
        {
          const i = this.fairQ.indexOf(t);
          if (i >= 0) this.fairQ.splice(i, 1);
          for (const c of this.cpus) {
            const j = c.rtQ.indexOf(t);
            if (j >= 0) c.rtQ.splice(j, 1);
          }
        }
        if (this.scxActive && !t.rt && this.has.has('quiescent')) this.callOp('quiescent', KF.REST, [t.ptr, 0n], t.pid, t.cpu);
        break;
      default:
        break;
    }
    t.state = 'exited';
    if (this.scxActive) this.disableTask(t);
    this.reap(t);
  }

  /**
   * The exited task is freed (free_task after sched_ext_free): its task local storage goes from
   * every TASK_STORAGE map (bpf_task_storage_free), with the kptrs the values held.
   */
  private reap(t: SimTask): void {
    localStorageOf(this.kernel).release(t.ptr);
  }

  private tick(c: SimCpu, t: SimTask): void {
    this.charge(c);
    if (this.scxActive && this.has.has('tick')) this.callOp('tick', KF.REST, [t.ptr], t.pid, c.id);
    if (c.curr !== t) return;
    // The next tick is due whatever happens now: a kept prev keeps ticking; a new curr makes this one stale.
    this.armTick(c, t);
    if (t.slice === 0) this.resched(c.id);
  }

  /**
   * The next tick that matters for the running task: every 1 ms while ops.tick is implemented;
   * otherwise only the tick at which the slice runs out (the ticks in between would only charge
   * the slice), none for SCX_SLICE_INF. A slice that BPF shortens from another op while the task
   * runs is therefore noticed at the tick computed when it was last armed (a documented difference).
   */
  private armTick(c: SimCpu, t: SimTask): void {
    const now = this.now;
    const next = Math.floor(now / NS_PER_TICK) * NS_PER_TICK + NS_PER_TICK;
    if (this.scxActive && this.has.has('tick')) {
      this.q.push(next, Ev.TICK, c.id, t, c.token);
      return;
    }
    const s = t.slice;
    if (s === Infinity) return;
    this.q.push(Math.max(next, Math.ceil((now + s) / NS_PER_TICK) * NS_PER_TICK), Ev.TICK, c.id, t, c.token);
  }

  /** check_rq_for_timeouts over every CPU's runnable tasks. */
  private watchdog(): void {
    if (!this.scxActive) return;
    let worst: SimTask | null = null;
    for (const t of this.tasks) {
      if (t.state !== 'runnable' || t.rt || this.now - t.runnableAt <= this.timeoutNs) continue;
      if (worst === null || t.runnableAt < worst.runnableAt) worst = t;
    }
    if (worst !== null) {
      const ms = Math.floor((this.now - worst.runnableAt) / 1e6);
      this.exit(ExitKind.ERROR_STALL, 0n, `${worst.comm}[${worst.pid}] failed to run for ${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}s`);
      return;
    }
    this.q.push(this.now + this.timeoutNs / 2, Ev.WATCHDOG, -1, null);
  }

  /** Run every event before time `end` (ns), then account up to `end`. */
  runUntil(end: number): void {
    for (;;) {
      const e = this.q.peek();
      if (e === undefined || e.t >= end) break;
      this.q.pop();
      if (e.t !== this.now) this.sameTime = 0;
      this.now = e.t;
      if (++this.sameTime > LIVELOCK_EVENTS + 10 * this.tasks.length) this.livelock();
      this.handle(e);
      this.settle();
    }
    this.now = end;
    for (const c of this.cpus) this.charge(c);
  }

  /** Events handled at the current virtual time. */
  private sameTime = 0;

  /**
   * A scheduler that keeps the CPUs busy without letting virtual time pass (a dispatch that kicks
   * its own CPU forever, kicks bouncing between CPUs) would hang the simulation. In the kernel real
   * time passes meanwhile and the watchdog or the lockup detectors end it; here the scheduler is
   * ended with an error exit naming the livelock (an emulator message), and the fair policy goes on.
   */
  private livelock(): void {
    if (this.scxActive && this.exitInfo === null) {
      this.exit(ExitKind.ERROR, 0n, `bpfemu: livelock: ${this.sameTime} scheduling events at ${this.now} ns without the clock advancing`);
      this.sameTime = 0;
      return;
    }
    throw new SchedSimError('BAD_WORKLOAD', `sched_ext core: ${this.sameTime} events at ${this.now} ns without the clock advancing`);
  }

  private handle(e: QEvent): void {
    const t = e.task;
    switch (e.kind) {
      case Ev.START:
        if (t === null || t.state !== 'new') return;
        t.state = 'sleeping';
        if (this.scxActive) this.enableTask(t, e.t > 0);
        this.wake(t, true);
        return;
      case Ev.WAKE:
        if (t === null || t.state !== 'sleeping') return;
        this.wake(t, false);
        return;
      case Ev.TICK: {
        const c = this.cpus[e.cpu]!;
        if (c.token === e.token && c.curr === t && t !== null) this.tick(c, t);
        return;
      }
      case Ev.BURST_END: {
        const c = this.cpus[e.cpu]!;
        if (c.token !== e.token || c.curr !== t || t === null) return;
        this.charge(c);
        if (t.burstLeft > 0) {
          this.q.push(this.now + t.burstLeft, Ev.BURST_END, c.id, t, c.token);
          return;
        }
        this.stopRunning(c, t, false);
        return;
      }
      case Ev.RESCHED:
        this.schedule(e.cpu);
        return;
      case Ev.WATCHDOG:
        this.watchdog();
        return;
      case Ev.EXIT_TASK:
        if (t !== null && t.state !== 'exited') this.exitTask(t);
        return;
    }
  }
}
