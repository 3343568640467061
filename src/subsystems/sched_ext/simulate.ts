/**
 * `simulateSchedExt(obj, workload, options)`: load a sched_ext scheduler object into a fresh
 * sched_ext-capable emulated kernel, attach its `sched_ext_ops` map, run the workload for the
 * given virtual duration and summarise what happened. `obj = null` runs the built-in fair policy
 * instead, for comparison. {@link openSchedExtSim} gives the same set-up without running it, so
 * tests can step the core and look at its events.
 */
import { BpfObject } from '../../api/index.js';
import type { Btf } from '../../btf/btf.js';
import { enum64Value } from '../../btf/types.js';
import { BPF_MAP_TYPE } from '../../maps/uapi.js';
import { SchedCore, type ExitInfo, type SimEvent, type Span } from './core.js';
import { createSchedExtKernel, type SchedExtState } from './install.js';
import { exitKindName } from './types.js';
import { SchedSimError, parseWorkload, type Workload } from './workload.js';

/** Options of a simulation. */
export interface SchedSimOptions {
  /** CPUs (default: the workload's `cpus`, else 4). */
  readonly cpus?: number;
  /** Virtual duration in ns (default 5 s). */
  readonly durationNs?: number;
  /** Seed of the bursty behaviours' random numbers (default 1). */
  readonly seed?: number;
  /** The struct_ops map to attach (default: the object's only sched_ext_ops map). */
  readonly ops?: string;
  /** `.rodata`/`.data`/`.bss` variables to set before load (`const volatile` knobs). */
  readonly globals?: Readonly<Record<string, number | bigint>>;
  /** Record run spans (for traces and SVG). */
  readonly spans?: boolean;
  /** Record every op call (for tests). */
  readonly events?: boolean;
  /** Also register the pre-6.13 kfunc names (absent from 6.18). */
  readonly legacyNames?: boolean;
  /** SMT siblings per core (default 1). */
  readonly smt?: number;
  /** CPUs per last-level cache (default: one LLC). */
  readonly llc?: number;
}

/** Wait-latency percentiles of a task, in ns. */
export interface WaitStats {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** The summary `bpfemu sim sched-ext --json` prints. */
export interface SchedSummary {
  readonly exit: { readonly kind: string; readonly reason: string; readonly message: string };
  readonly durationNs: number;
  readonly cpus: readonly { readonly cpu: number; readonly busyNs: number; readonly idleNs: number }[];
  readonly tasks: readonly { readonly pid: number; readonly comm: string; readonly runtimeNs: number; readonly runs: number; readonly waitNs: WaitStats; readonly migrations: number }[];
}

/** What a simulation returns. */
export interface SchedSimResult {
  readonly summary: SchedSummary;
  /** The exit as the kernel records it (kind number, exit code, time), null for the fair policy. */
  readonly exitInfo: ExitInfo | null;
  /** Run spans (when `spans` was set). */
  readonly spans: readonly Span[];
  /** Op calls (when `events` was set). */
  readonly events: readonly SimEvent[];
  /** Op call counts by member. */
  readonly opCalls: ReadonlyMap<string, number>;
  /** The loaded object (null for the fair policy), to read its globals. */
  readonly object: BpfObject | null;
  /** The scheduler's name (`sched_ext_ops.name`) or "fair". */
  readonly scheduler: string;
}

/** A simulation set up and not yet run. */
export interface SchedSim {
  readonly core: SchedCore;
  readonly object: BpfObject | null;
  readonly state: SchedExtState;
  readonly durationNs: number;
  readonly scheduler: string;
  /** Run to `durationNs`, unregister the scheduler (SCX_EXIT_UNREG if still running) and summarise. */
  finish(): SchedSimResult;
}

/**
 * SCX_ENUM_INIT (tools/sched_ext/include/scx/compat.h, enums.autogen.h): newer scx headers turn the
 * sched_ext enum constants into `const volatile u64 __SCX_...` .rodata variables that user space
 * fills from the kernel's BTF before load. As that user space, set every such variable whose name
 * after the `__` is an enumerator of the emulated kernel's BTF (others keep their value, as
 * __COMPAT_ENUM_OR_ZERO leaves them 0); knobs given in `globals` are applied afterwards.
 */
export function scxEnumInit(object: BpfObject, btf: Btf): number {
  const values = new Map<string, bigint>();
  for (const t of btf.ofKind('ENUM')) if (t.kind === 'ENUM') for (const v of t.values) values.set(v.name, BigInt(v.value));
  for (const t of btf.ofKind('ENUM64')) if (t.kind === 'ENUM64') for (const v of t.values) values.set(v.name, enum64Value(v, t.signed));
  let n = 0;
  for (const m of object.maps) {
    const internal = m.spec.internal;
    if (internal === undefined || !internal.readonly) continue;
    for (const v of internal.variables) {
      if (!v.name.startsWith('__') || v.linkage === 'extern') continue;
      const value = values.get(v.name.slice(2));
      if (value === undefined) continue;
      object.variable(v.name).setInt(BigInt.asUintN(v.size * 8, value));
      n++;
    }
  }
  return n;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.min(i, sorted.length - 1)]!;
}

/** Set up a simulation: kernel, object load and attach, tasks. */
export function openSchedExtSim(obj: Uint8Array | null, workload: Workload | unknown, o: SchedSimOptions = {}): SchedSim {
  const wl: Workload = isWorkload(workload) ? workload : parseWorkload(workload);
  const nrCpus = o.cpus ?? wl.cpus ?? 4;
  if (!Number.isInteger(nrCpus) || nrCpus < 1 || nrCpus > 1024) throw new SchedSimError('BAD_OPTION', `cpus: expected 1..1024, got ${nrCpus}`);
  const durationNs = o.durationNs ?? 5e9;
  if (!Number.isSafeInteger(durationNs) || durationNs <= 0) throw new SchedSimError('BAD_OPTION', `duration: expected a positive number of ns, got ${durationNs}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed)) throw new SchedSimError('BAD_OPTION', `seed: expected an integer, got ${seed}`);
  // The kernel's clock starts with the simulation, so bpf_ktime_get_ns() and scx_bpf_now() agree.
  const { kernel, state } = createSchedExtKernel(nrCpus, { legacyNames: o.legacyNames === true, kernel: { monotonicStartNs: 0n } });
  const core = new SchedCore(kernel, { nrCpus, seed, spans: o.spans === true, events: o.events === true, ...(o.smt !== undefined ? { smt: o.smt } : {}), ...(o.llc !== undefined ? { llc: o.llc } : {}) });
  state.core = core;
  for (const t of wl.tasks) core.addTask(t);
  let object: BpfObject | null = null;
  let scheduler = 'fair';
  if (obj !== null) {
    // a copy: BpfObject's global-data variables write their initial values into the bytes it was
    // opened from, and the caller's buffer must not carry one run's knobs into the next
    object = BpfObject.open(Uint8Array.from(obj), { kernel, name: 'sched' });
    scxEnumInit(object, kernel.vmlinuxBtf);
    for (const [name, v] of Object.entries(o.globals ?? {})) object.variable(name).setInt(v);
    object.load();
    const candidates = object.maps.filter((m) => m.spec.type === BPF_MAP_TYPE.STRUCT_OPS && (o.ops === undefined || m.name === o.ops));
    if (candidates.length === 0) throw new SchedSimError('NO_SCHEDULER', o.ops === undefined ? 'the object has no struct_ops map' : `the object has no struct_ops map '${o.ops}'`);
    if (candidates.length > 1) throw new SchedSimError('NO_SCHEDULER', `the object has ${candidates.length} struct_ops maps (${candidates.map((m) => m.name).join(', ')}): choose one with --ops`);
    const map = candidates[0]!;
    map.attachStructOps();
    const inst = state.attached;
    if (inst === null || inst.map !== map.kernelMap) throw new SchedSimError('NO_SCHEDULER', `map '${map.name}' is not a sched_ext_ops map`);
    scheduler = new TextDecoder().decode(inst.data.subarray(inst.member('name').offset, inst.member('name').offset + 128)).replace(/\0.*$/s, '');
    core.attach(inst);
  }
  return {
    core,
    object,
    state,
    durationNs,
    scheduler,
    finish(): SchedSimResult {
      core.runUntil(durationNs);
      if (object !== null) core.unregister();
      return { summary: summarize(core, durationNs), exitInfo: core.exitInfo, spans: core.spans, events: core.events, opCalls: core.opCalls, object, scheduler };
    },
  };
}

function isWorkload(v: unknown): v is Workload {
  return typeof v === 'object' && v !== null && Array.isArray((v as Workload).tasks) && (v as Workload).tasks.every((t) => typeof t === 'object' && t !== null && 'behavior' in t && 'startNs' in t);
}

/** Run a scheduler object (or the fair policy with `obj = null`) on a workload. */
export function simulateSchedExt(obj: Uint8Array | null, workload: Workload | unknown, o: SchedSimOptions = {}): SchedSimResult {
  return openSchedExtSim(obj, workload, o).finish();
}

/** The summary of a finished core. */
export function summarize(core: SchedCore, durationNs: number): SchedSummary {
  const ei = core.exitInfo;
  return {
    exit: ei === null ? { kind: 'NONE', reason: '', message: '' } : { kind: exitKindName(ei.kind), reason: ei.reason, message: ei.message },
    durationNs,
    cpus: core.cpus.map((c) => ({ cpu: c.id, busyNs: c.busyNs, idleNs: durationNs - c.busyNs })),
    tasks: core.tasks.map((t) => {
      const w = [...t.waits].sort((a, b) => a - b);
      return { pid: t.pid, comm: t.comm, runtimeNs: t.runtimeNs, runs: t.runs, waitNs: { p50: percentile(w, 50), p99: percentile(w, 99), max: w.length === 0 ? 0 : w[w.length - 1]! }, migrations: t.migrations };
    }),
  };
}
