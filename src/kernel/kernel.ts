/**
 * The emulated kernel: the fd table, programs/maps/links/BTF with ids and reference counts, a
 * deferred-free queue, the virtual clock, the machines programs run on, and the registries
 * (helpers, kfuncs, map types, struct_ops types, program types, hook points).
 *
 * `bpf(cmd, attr)` is the syscall: it takes the raw `union bpf_attr` bytes (pointers into
 * {@link UserMemory}) or a typed object with the same C field names, and returns an fd, 0, or
 * `-errno`, never throwing for guest-visible failures.
 */
import type { VerifierResult } from '../verifier/api.js';
import type { Btf } from '../btf/btf.js';
import { HelperRegistry, type HelperDef } from '../helpers/registry.js';
import type { HelperHost, TaskInfo, TimerService } from '../helpers/host.js';
import { ERRNO } from '../util/errno.js';
import { Fault } from '../vm/fault.js';
import { CoverageCollector, globalCoverage } from './coverage.js';
import { runMock, type CallMock } from './mocks.js';
import { UNLIMITED_BUDGET, Machine, MAY_GOTO_LIMIT, Stop, type AccessPolicy, type ExecProgram, type HelperFn } from '../vm/machine.js';
import { Memory, PERM_R, RegionKind, Scope, SLOT_MASK } from '../vm/memory.js';
import { MapValueRef } from '../maps/types.js';
import { BpfMap } from '../maps/map.js';
import { chargedHelper, helperCost, sizeRegisters } from '../helpers/cost.js';
import { ENGINES, RunOutcome, runOnce, runProgram, setArgs, type EngineName, type RunArgs, type RunOptions, type RunResult } from '../vm/run.js';
import { Attr, ATTR_SIZE, encodeTyped, type TypedAttr } from './syscall/attr.js';
import { KernelError } from './errors.js';
import { FdTable, IdAllocator } from './syscall/fdtable.js';
import { KfuncRegistry, kernelProto, type KfuncDef } from './kfuncs.js';
import { KernelTypes, type KFuncProto, type KStructDef } from './objects/ktypes.js';
import { KBtf, KLink, KMap, KProg } from './objects/objects.js';
import { ProgTypeRegistry, type ProgTypeOps, type TestRunOutput } from './progtypes/registry.js';
import { installDefaults, RUN_ONLY_KERNEL } from './defaults.js';
import { installCrashKexec } from './kfuncs/crash-kexec.js';
import { builtinHelpers } from '../helpers/index.js';
import {
  assocStructOps,
  disassocStructOps,
  STRUCT_OPS_DATA_OFF,
  structOpsFree,
  structOpsOf,
  StructOpsRegistry,
  type RegisteredStructOps,
  type StructOpsMember,
  type StructOpsTypeDef,
} from './structops.js';
import { UserMemory } from './syscall/usermem.js';
import { COMMAND_HANDLERS } from './syscall/commands.js';
import { HookRegistry, type HookDef } from './hooks.js';
import { iterRead, MAX_RW_COUNT, type IterSession } from './objects/iter.js';
import { PAGE_SIZE } from './syscall/uapi.js';
import type { MapEnv } from '../maps/types.js';
import { implOf, mapEnv } from './objects/mapglue.js';
import { ProgArrayMap } from '../maps/prog-array.js';
import { SocketTable } from './objects/sockets.js';
import { NetConfig } from './objects/net.js';

const { EBADF, EINVAL, E2BIG, EFAULT } = ERRNO;

/** Options of a {@link Kernel}; every default is reproducible. */
export interface KernelOptions {
  /** num_possible_cpus (default 2). */
  nrCpus?: number;
  /** CPU programs run on unless a test run says otherwise (default 0). */
  cpu?: number;
  /** Reported kernel version (default 6.18.0). */
  version?: readonly [number, number, number];
  /** CLOCK_MONOTONIC at boot of the emulated kernel, in ns (default 1 s). */
  monotonicStartNs?: bigint;
  /** CLOCK_BOOTTIME - CLOCK_MONOTONIC (suspended time), in ns (default 0). */
  bootOffsetNs?: bigint;
  /** The current task (default pid/tgid 4242, uid/gid 0, comm "bpfemu"). */
  task?: Partial<TaskInfo>;
  /** Seed of bpf_get_prandom_u32 (default 1). */
  seed?: number;
  /** Receives each trace_printk line (they are also kept in `kernel.tracePipe`). */
  printk?: (line: string) => void;
  /**
   * Bytes of trace_printk output `kernel.tracePipe` keeps (default 1,441,792: the kernel's default
   * per-CPU trace buffer, TRACE_BUF_SIZE_DEFAULT); older lines are dropped and counted in
   * `kernel.tracePipeDropped`, as an overwriting ring buffer drops the oldest events.
   */
  tracePipeBytes?: number;
  /**
   * Count line and branch coverage of every run (`kernel.coverage.report()`): true for a collector
   * of this kernel, a collector to share, false for none. Default: the process-wide collector when
   * `enableCoverage()` was called, else none. Covered runs use the reference interpreter.
   */
  coverage?: boolean | CoverageCollector;
  /**
   * Instruction budget of a run (helper and kfunc calls are charged by their cost). Default: none
   * (UNLIMITED_BUDGET), as in the kernel, where a verified program runs to its end however long
   * that takes; a runaway is stopped by {@link runTimeoutMs}.
   */
  budget?: number;
  /**
   * Wall-clock limit of any single run in ms (default 10,000): a run still going after it faults
   * with `run_timeout`. It is checked every TIME_SLICE budget units, so it costs nothing per
   * instruction; Infinity turns it off.
   */
  runTimeoutMs?: number;
  /**
   * Most timer callbacks one `kernel.advance()` runs (default 100,000). A timer that keeps re-arming
   * itself at or before the current time would otherwise never let the clock move on; when the bound
   * is hit, advance() throws KernelError TIMER_LIMIT with the clock at the last callback's deadline.
   */
  maxTimerCallbacks?: number;
  /**
   * Wall-clock limit of one BPF_PROG_TEST_RUN's repetitions in ms (default 30,000). The kernel ends
   * a test run with EINTR when a signal arrives (bpf_test_timer_continue); the emulator has no
   * signals, so a `repeat` that keeps it busy longer than this ends the same way.
   */
  testRunTimeoutMs?: number;
  /**
   * Engine (default 'fast', the interpreter; alias 'interp'): 'js' translates programs to JavaScript
   * (vm/tier/), 'auto' does so after a program's first runs, 'reference' is the BigInt oracle.
   * Without this option, the repetitions of a BPF_PROG_TEST_RUN with `repeat` > 1 run on 'auto'
   * (about 2x faster for the XDP bench cases, see README Performance).
   */
  engine?: EngineName;
  /**
   * Run the load-time verifier at BPF_PROG_LOAD (default true), as the kernel does. `false` loads
   * whatever decodes, and leaves memory safety to the run-time checks alone: unsafe, for
   * experiments only.
   */
  verify?: boolean;
  /**
   * At the process's first BPF_PROG_LOAD (default true): run the interpreter's type-feedback
   * warm-up (vm/warmup.ts; on the engines that interpret) and warm up the test-run path of the
   * program's type in a private scratch kernel (progtypes/warmup.ts), so that V8 compiles both
   * while the verifier works and neither lands in the first runs or their `durationNs`. The scratch
   * kernel changes nothing this kernel can observe. `false` for kernels that only load programs.
   */
  warmUp?: boolean;
  /**
   * The sysctl kernel.bpf_stats_enabled (default false): collect run_cnt/run_time_ns of every
   * program run. Without it they are collected only while a BPF_ENABLE_STATS fd is open.
   */
  statsEnabled?: boolean;
  /** Extra or overriding helpers. */
  helpers?: readonly HelperDef[];
  /** Extra kfuncs. */
  kfuncs?: readonly KfuncDef[];
  /** Extra kernel structs for the emulated vmlinux BTF. */
  structs?: readonly KStructDef[];
  /** struct_ops types to register. */
  structOps?: readonly StructOpsTypeDef[];
  /** Extra hook points. */
  hooks?: readonly HookDef[];
  /** Register the opt-in bpf_testmod-like test subsystem (multi-instance struct_ops). */
  testmod?: boolean;
  /**
   * Emulate a 6.18 build with CONFIG_CRASH_DUMP (default false, like this project's reference
   * machine): the destructive kfunc crash_kexec is in the vmlinux BTF (kfuncs/crash-kexec.ts).
   */
  crashKexec?: boolean;
  /** Extra or overriding program types. */
  progTypes?: readonly ProgTypeOps[];
}

/** What an fd refers to. */
export type FdEntry =
  | { readonly kind: 'prog'; readonly obj: KProg }
  | { readonly kind: 'map'; readonly obj: KMap; readonly flags: number }
  | { readonly kind: 'link'; readonly obj: KLink }
  | { readonly kind: 'btf'; readonly obj: KBtf }
  | { readonly kind: 'iter'; readonly obj: IterSession }
  /** An fd of BPF_ENABLE_STATS: run statistics are collected while one is open. */
  | { readonly kind: 'stats' }
  | { readonly kind: 'file'; readonly name: string };

/** Hard limit on nested program runs (kfunc → struct_ops → kfunc ...); the kernel has none but its stack. */
export const MAX_NESTED_RUNS = 64;

/** Default {@link KernelOptions.runTimeoutMs}. */
export const DEFAULT_RUN_TIMEOUT_MS = 10_000;
/** Default {@link KernelOptions.maxTimerCallbacks}. */
export const DEFAULT_MAX_TIMER_CALLBACKS = 100_000;
/** kernel/trace/trace.c TRACE_BUF_SIZE_DEFAULT: bytes of the default (per-CPU) trace buffer. */
export const TRACE_BUF_SIZE_DEFAULT = 1_441_792;

/** A KernelOptions count: an integer >= min (NaN, fractions and negatives are refused). */
function checkCount(name: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) throw new KernelError('BAD_OPTION', `kernel options: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/** A KernelOptions duration in ms: a positive number, or Infinity for none. */
function checkMs(name: string, v: number): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v <= 0) throw new KernelError('BAD_OPTION', `kernel options: ${name} must be a positive number of ms (or Infinity), got ${v}`);
  return v;
}

/** Whether program `p` references map `owner` (a BpfMap implementation or a struct_ops KMap). */
function usesMap(p: KProg, owner: unknown): boolean {
  for (const km of p.usedMaps) if (km === owner || km.impl === owner) return true;
  return false;
}

export class Kernel implements HelperHost {
  readonly mem = new Memory();
  readonly user = new UserMemory();
  readonly fds = new FdTable<FdEntry>([
    [0, { kind: 'file', name: 'stdin' }],
    [1, { kind: 'file', name: 'stdout' }],
    [2, { kind: 'file', name: 'stderr' }],
  ]);
  readonly progIds = new IdAllocator<KProg>();
  readonly mapIds = new IdAllocator<KMap>();
  readonly linkIds = new IdAllocator<KLink>();
  readonly btfIds = new IdAllocator<KBtf>();

  readonly helpers: HelperRegistry;
  readonly kfuncs = new KfuncRegistry();
  readonly structOps = new StructOpsRegistry();
  readonly progTypes = new ProgTypeRegistry();
  readonly hooks = new HookRegistry();
  readonly types = new KernelTypes();
  /** Lines of the trace ring (oldest first from traceHead); see {@link tracePipe}. */
  private traceLines: string[] = [];
  private traceHead = 0;
  private traceBytes = 0;
  /** Lines dropped from the trace ring because it was full (oldest first). */
  tracePipeDropped = 0;
  /** Capacity of the trace ring in bytes (see {@link KernelOptions.tracePipeBytes}). */
  readonly tracePipeBytes: number;

  readonly nrCpus: number;
  cpu: number;
  readonly version: readonly [number, number, number];
  readonly budget: number;
  /** See {@link KernelOptions.testRunTimeoutMs}. */
  readonly testRunTimeoutMs: number;
  /** See {@link KernelOptions.runTimeoutMs}; {@link withRunTimeout} changes it for a while. */
  private runTimeout: number;
  /** See {@link KernelOptions.maxTimerCallbacks}. */
  readonly maxTimerCallbacks: number;
  /** kernel.bpf_stats_enabled (see {@link KernelOptions.statsEnabled}). */
  readonly statsSysctl: boolean;
  /** Open BPF_ENABLE_STATS fds. */
  private statsFds = 0;
  /** Whether runs are counted now (bpf_stats_enabled_key). */
  private statsOn = false;
  engine: EngineName;
  /** Whether {@link KernelOptions.engine} was given (otherwise repeated test runs tier up: 'auto'). */
  private readonly engineChosen: boolean;
  /** The wall-clock limit of each run in ms ({@link KernelOptions.runTimeoutMs}). */
  get runTimeoutMs(): number {
    return this.runTimeout;
  }

  /** Run `fn` with another per-run wall-clock limit (a test run's own `runTimeoutMs`), then restore it. */
  withRunTimeout<T>(ms: number, fn: () => T): T {
    const saved = this.runTimeout;
    this.runTimeout = checkMs('runTimeoutMs', ms);
    try {
      return fn();
    } finally {
      this.runTimeout = saved;
    }
  }

  /** See {@link KernelOptions.warmUp}. */
  readonly warmUp: boolean;
  /** Whether BPF_PROG_LOAD runs the verifier ({@link KernelOptions.verify}). */
  verifierEnabled: boolean;
  /**
   * The loader's capabilities as BPF_PROG_LOAD's verifier sees them: true = root (CAP_BPF and
   * CAP_PERFMON), false = CAP_BPF without CAP_PERFMON (no pointer leaks, no uninitialised stack
   * reads, no Spectre bypass), 'none' = an unprivileged user without CAP_BPF (also: socket filter
   * and cgroup skb programs only, 4,096 instructions, no calls to other functions, no loops, the
   * unprivileged helper set). See {@link OpenOptions.privileged}.
   */
  verifierPrivileged: boolean | 'none' = true;
  /**
   * Whether the loader has CAP_SYS_BOOT, which calls of destructive kfuncs (crash_kexec) need
   * (default true: root). See {@link OpenOptions.capSysBoot}.
   */
  verifierCapSysBoot = true;
  /**
   * Run `fn` with the verifier's capability profile set (an object opened with `privileged: false`
   * or `'none'`; CAP_SYS_BOOT defaults to root's, i.e. `privileged === true`), then restore.
   */
  withPrivileges<T>(privileged: boolean | 'none', fn: () => T, capSysBoot: boolean = privileged === true): T {
    const saved = this.verifierPrivileged;
    const savedBoot = this.verifierCapSysBoot;
    this.verifierPrivileged = privileged;
    this.verifierCapSysBoot = capSysBoot;
    try {
      return fn();
    } finally {
      this.verifierPrivileged = saved;
      this.verifierCapSysBoot = savedBoot;
    }
  }
  /** Run `fn` with the verifier on or off (an object opened with `verify: false`), then restore. */
  withVerifier<T>(on: boolean, fn: () => T): T {
    const saved = this.verifierEnabled;
    this.verifierEnabled = on;
    try {
      return fn();
    } finally {
      this.verifierEnabled = saved;
    }
  }

  /** The verdict of the last BPF_PROG_LOAD that reached the verifier. */
  lastVerifierResult: VerifierResult | null = null;

  private vmlinuxObj: KBtf | undefined;
  /** vmlinux's BTF object id once given (reserveVmlinuxId or the first build), else 0. */
  private vmlinuxId = 0;
  private readonly deferred: (() => void)[] = [];
  private readonly retired: number[] = [];
  private readonly machines: Machine[] = [];
  private runDepth = 0;
  private syscallDepth = 0;
  private monoNs: bigint;
  private readonly bootOffsetNs: bigint;
  private rng: number;
  private readonly task: TaskInfo;
  private readonly printkSink: ((line: string) => void) | undefined;
  private readonly services = new Map<string, unknown>();
  private readonly helperTables = new Map<string, Map<number, HelperFn>>();

  constructor(o: KernelOptions = {}) {
    this.nrCpus = o.nrCpus ?? 2;
    this.cpu = o.cpu ?? 0;
    this.version = o.version ?? [6, 18, 0];
    this.budget = checkCount('budget', o.budget ?? UNLIMITED_BUDGET, 1);
    this.coverage = o.coverage instanceof CoverageCollector ? o.coverage : o.coverage === true ? new CoverageCollector() : o.coverage === false ? null : globalCoverage();
    this.coverageTracer = this.coverage === null ? null : this.coverage.tracerFor((exec) => {
      for (const p of this.progIds.values()) if (p.exec === exec) return p;
      return undefined;
    });
    this.testRunTimeoutMs = checkMs('testRunTimeoutMs', o.testRunTimeoutMs ?? 30_000);
    this.runTimeout = checkMs('runTimeoutMs', o.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS);
    this.maxTimerCallbacks = checkCount('maxTimerCallbacks', o.maxTimerCallbacks ?? DEFAULT_MAX_TIMER_CALLBACKS, 1);
    this.tracePipeBytes = checkCount('tracePipeBytes', o.tracePipeBytes ?? TRACE_BUF_SIZE_DEFAULT, 0);
    this.statsSysctl = o.statsEnabled ?? false;
    this.statsOn = this.statsSysctl;
    this.engine = o.engine ?? 'fast';
    this.engineChosen = o.engine !== undefined;
    this.verifierEnabled = o.verify ?? true;
    this.warmUp = o.warmUp ?? true;
    this.monoNs = o.monotonicStartNs ?? 1_000_000_000n;
    this.bootOffsetNs = o.bootOffsetNs ?? 0n;
    this.rng = (o.seed ?? 1) >>> 0 || 1;
    this.task = { pid: 4242, tgid: 4242, uid: 0, gid: 0, comm: 'bpfemu', ...o.task };
    this.printkSink = o.printk;
    this.helpers = new HelperRegistry(builtinHelpers());
    for (const h of o.helpers ?? []) this.helpers.register(h);
    this.types.addStruct({ name: 'bpf_struct_ops_common_value', members: [{ name: 'refcnt', type: 'unsigned int' }, { name: 'state', type: 'unsigned int' }] });
    this.types.addStruct({ name: 'bpf_prog_aux', size: 8, align: 8 });
    for (const s of o.structs ?? []) this.types.addStruct(s);
    installDefaults(this, o.progTypes ?? [], (o as { [RUN_ONLY_KERNEL]?: boolean })[RUN_ONLY_KERNEL] === true);
    this.provide('sockets', new SocketTable(this.mem, (r) => this.retireRegion(r), (f) => this.fds.install(f)));
    this.provide('net', new NetConfig());
    // map_release_uref of prog arrays (prog_array_map_clear): the last user reference empties the slots,
    // breaking program -> prog array -> program cycles.
    this.urefReleasers.push((m) => {
      const impl = implOf(m);
      if (!(impl instanceof ProgArrayMap)) return;
      const key = new Uint8Array(4);
      for (let i = 0; i < m.maxEntries; i++) {
        new DataView(key.buffer).setUint32(0, i, true);
        impl.delete(key);
      }
    });
    // The map implementation's own storage goes with the kernel object.
    this.mapFreers.push((m) => implOf(m)?.free());
    for (const h of o.hooks ?? []) this.addHook(h);
    for (const t of o.structOps ?? []) this.registerStructOps(t);
    for (const f of o.kfuncs ?? []) this.registerKfunc(f);
    if (o.crashKexec === true) installCrashKexec(this);
    if (o.testmod === true) {
      const tm = this.service<(k: Kernel) => void>('testmod');
      if (tm === undefined) throw new KernelError('NOT_REGISTERED', 'the test subsystem is not installed');
      tm(this);
    }
  }

  // ---- registrations ----------------------------------------------------------------------------

  /** The emulated socket table: sockets that bpf_sk_lookup_* and the other socket helpers find. */
  get sockets(): SocketTable {
    return this.service<SocketTable>('sockets')!;
  }

  /** The emulated network (devices, routes, neighbours) that bpf_fib_lookup reads. */
  get net(): NetConfig {
    return this.service<NetConfig>('net')!;
  }

  /** The emulated vmlinux BTF (rebuilt after registrations). */
  get vmlinux(): KBtf {
    if (this.vmlinuxObj === undefined || this.vmlinuxObj.btf !== this.types.build()) {
      const btf = this.types.build();
      const old = this.vmlinuxObj;
      this.vmlinuxObj = new KBtf(btf, this.types.encode(), 'vmlinux', true);
      this.vmlinuxObj.id = old?.id ?? (this.vmlinuxId !== 0 ? this.vmlinuxId : this.btfIds.alloc(this.vmlinuxObj));
      this.vmlinuxId = this.vmlinuxObj.id;
    }
    return this.vmlinuxObj;
  }

  /**
   * Give the vmlinux BTF its object id now, as a first read would, without building it (building
   * is most of the cost of a kernel that never needs its types, such as one that loads and runs an
   * XDP program without CO-RE). The BTF id order is then the same whether or not it is read.
   */
  reserveVmlinuxId(): void {
    if (this.vmlinuxId === 0) this.vmlinuxId = this.btfIds.reserve();
  }

  /** The vmlinux BTF as a parsed {@link Btf}. */
  get vmlinuxBtf(): Btf {
    return this.vmlinux.btf;
  }

  /** Register a kfunc (and its BTF FUNC; KF_IMPLICIT_ARGS kfuncs also get their `_impl` twin). */
  registerKfunc(def: KfuncDef): number {
    const id = this.types.addFunc(def.name, def.proto);
    if (def.implicitProg === 'implicit') this.types.addFunc(`${def.name}_impl`, kernelProto(def));
    this.kfuncs.add(def, id);
    return id;
  }

  /** Register a kernel struct in the vmlinux BTF. */
  registerStruct(def: KStructDef): number {
    return this.types.addStruct(def);
  }

  /** Register a struct_ops type: `struct <name>` and its `bpf_struct_ops_<name>` wrapper. */
  registerStructOps(def: StructOpsTypeDef): RegisteredStructOps {
    if (this.structOps.get(def.name) !== undefined) throw new KernelError('BAD_REGISTRATION', `struct_ops type ${def.name} is already registered`);
    const typeId = this.types.addStruct({ name: def.name, members: def.members });
    const layout = this.types.structs.get(def.name)!;
    const valueSize = Math.ceil((STRUCT_OPS_DATA_OFF + layout.size) / 64) * 64;
    const valueTypeId = this.types.addStruct({
      name: `bpf_struct_ops_${def.name}`,
      members: [
        { name: 'common', type: 'struct bpf_struct_ops_common_value', offset: 0 },
        { name: 'data', type: `struct ${def.name}`, offset: STRUCT_OPS_DATA_OFF },
      ],
      size: valueSize,
      align: 64,
    });
    const members: StructOpsMember[] = layout.members.map((m, index) => ({
      index,
      name: m.name,
      offset: m.offset,
      size: m.size,
      isFunc: typeof m.type !== 'string',
      ...(typeof m.type !== 'string' ? { proto: m.type } : {}),
    }));
    const r: RegisteredStructOps = { def, layout, members, typeId, valueTypeId, valueSize, funcsCnt: members.filter((m) => m.isFunc).length };
    this.structOps.add(r);
    return r;
  }

  /** Register a hook point (raw tracepoint, fentry target, LSM hook, iterator). */
  addHook(def: HookDef): void {
    this.hooks.add(def, this.types);
  }

  /** Register a named service for helpers or plugins. */
  provide(name: string, value: unknown): void {
    this.services.set(name, value);
  }

  service<T>(name: string): T | undefined {
    return this.services.get(name) as T | undefined;
  }

  // ---- the syscall -----------------------------------------------------------------------------

  /**
   * bpf(cmd, attr, size): `attr` is the raw union bytes (`size` defaults to their length) or a
   * typed object. Returns the result (fd or 0) or `-errno`.
   */
  bpf(cmd: number, attr: Uint8Array | TypedAttr, size?: number): number {
    if (attr instanceof Uint8Array) return this.sysBpf(cmd, attr, size ?? attr.length);
    const { attr: raw, finish } = encodeTyped(cmd, attr, this.user);
    try {
      return this.sysBpf(cmd, raw.bytes, ATTR_SIZE);
    } finally {
      finish();
    }
  }

  private readonly attrPool: Attr[] = [];

  /**
   * Why the last top-level bpf() call failed, in words, where the emulator knows more than the
   * errno says (which test-run rule a ctx or data broke); null otherwise. The kernel itself only
   * returns the errno: this is for the API's and the CLI's error messages.
   */
  lastErrorReason: string | null = null;

  /** Return `errno` after noting why ({@link lastErrorReason}). */
  refuse(errno: number, reason: string): number {
    this.lastErrorReason = reason;
    return errno;
  }

  /** __sys_bpf: size and tail checks, then dispatch; deferred frees run before returning to "user space". */
  private sysBpf(cmd: number, bytes: Uint8Array, size: number): number {
    if (size > PAGE_SIZE) return -E2BIG;
    if (size > bytes.length) return -EFAULT;
    for (let i = ATTR_SIZE; i < size; i++) if (bytes[i] !== 0) return -E2BIG;
    // One attribute buffer per syscall nesting depth (bpf_sys_bpf nests), zeroed and reused.
    const attr = (this.attrPool[this.syscallDepth] ??= Attr.zero());
    attr.bytes.fill(0);
    attr.bytes.set(bytes.subarray(0, Math.min(size, ATTR_SIZE)));
    const handler = COMMAND_HANDLERS.get(cmd);
    if (this.syscallDepth === 0) this.lastErrorReason = null;
    this.syscallDepth++;
    let r: number;
    try {
      r = handler === undefined ? -EINVAL : handler(this, attr);
    } finally {
      this.syscallDepth--;
    }
    // Output fields go back to the caller's buffer.
    bytes.set(attr.bytes.subarray(0, Math.min(size, ATTR_SIZE)));
    this.settle();
    return r;
  }

  /** bpf_enable_runtime_stats: a new stats fd; runs are counted until the last one closes. */
  openStatsFd(): number {
    const fd = this.newFd({ kind: 'stats' });
    if (fd >= 0) {
      this.statsFds++;
      this.statsOn = true;
    }
    return fd;
  }

  /** Whether program runs are counted now (the sysctl, or an open BPF_ENABLE_STATS fd). */
  get statsEnabled(): boolean {
    return this.statsOn;
  }

  /** close(fd): drop the fd's references. 0 or -EBADF. */
  close(fd: number): number {
    const e = this.fds.get(fd);
    if (e === undefined) return -EBADF;
    this.fds.remove(fd);
    switch (e.kind) {
      case 'prog':
        this.progPut(e.obj);
        break;
      case 'map':
        this.mapPutWithUref(e.obj);
        break;
      case 'link':
        this.linkPut(e.obj);
        break;
      case 'btf':
        this.btfPut(e.obj);
        break;
      case 'iter':
        e.obj.release(this);
        break;
      case 'stats':
        this.statsFds--;
        this.statsOn = this.statsSysctl || this.statsFds > 0;
        break;
      case 'file':
        break;
    }
    this.settle();
    return 0;
  }

  /**
   * read(fd, maxBytes): read(2) of a BPF iterator fd (BPF_ITER_CREATE): the next bytes of its
   * output (kernel/bpf/bpf_iter.c bpf_seq_read; at most `maxBytes`, default 128 KiB like cat's
   * buffer), an empty array once it is exhausted, or -errno: EBADF for a closed fd, EINVAL for an
   * fd that cannot be read (program, map, link, BTF, the standard streams) or a bad count, EAGAIN
   * and E2BIG from the iterator, EFAULT when the program faults (see `lastFault`).
   */
  read(fd: number, maxBytes = 128 * 1024): Uint8Array | number {
    const e = this.fds.get(fd);
    if (e === undefined) return -EBADF;
    if (e.kind !== 'iter' || !Number.isInteger(maxBytes) || maxBytes < 0) return -EINVAL;
    const r = iterRead(this, e.obj, Math.min(maxBytes, MAX_RW_COUNT));
    this.settle();
    return r;
  }

  /** Install a new fd for an object (takes over one reference). */
  newFd(e: FdEntry): number {
    return this.fds.install(e);
  }

  // ---- object lookup (the kernel's __bpf_prog_get / __bpf_map_get, with a reference) -------------

  /** bpf_prog_get: EBADF if not open, EINVAL if not a program; takes a reference. */
  progGet(fd: number): KProg | number {
    const e = this.fds.get(fd);
    if (e === undefined) return -EBADF;
    if (e.kind !== 'prog') return -EINVAL;
    e.obj.refcnt++;
    return e.obj;
  }

  /** bpf_map_get: EBADF if not open, EINVAL if not a map; takes a reference. */
  mapGet(fd: number): KMap | number {
    const e = this.fds.get(fd);
    if (e === undefined) return -EBADF;
    if (e.kind !== 'map') return -EINVAL;
    e.obj.refcnt++;
    return e.obj;
  }

  /** __bpf_map_get without a reference, with the fd's open flags. */
  mapEntry(fd: number): { map: KMap; flags: number } | number {
    const e = this.fds.get(fd);
    if (e === undefined) return -EBADF;
    if (e.kind !== 'map') return -EINVAL;
    return { map: e.obj, flags: e.flags };
  }

  /** bpf_link_get_from_fd: EBADF / EINVAL; takes a reference. */
  linkGet(fd: number): KLink | number {
    const e = this.fds.get(fd);
    if (e === undefined) return -EBADF;
    if (e.kind !== 'link') return -EINVAL;
    e.obj.refcnt++;
    return e.obj;
  }

  /** btf_get_by_fd without a reference: EBADF / EINVAL. */
  btfFromFd(fd: number): KBtf | number {
    const e = this.fds.get(fd);
    if (e === undefined) return -EBADF;
    if (e.kind !== 'btf') return -EINVAL;
    return e.obj;
  }

  // ---- reference counting ------------------------------------------------------------------------

  progInc(p: KProg): void {
    p.refcnt++;
  }

  /** bpf_prog_put: at 0 the id goes at once and the free is deferred. */
  progPut(p: KProg): void {
    if (--p.refcnt > 0) return;
    if (p.id !== 0) this.progIds.free(p.id);
    p.id = 0;
    this.defer(() => this.freeProg(p));
  }

  private freeProg(p: KProg): void {
    if (p.freed) return;
    p.freed = true;
    for (const m of p.usedMaps) this.mapPut(m);
    p.usedMaps = [];
    if (p.btf !== null) this.btfPut(p.btf);
    // After used maps/BTFs are released: disassociate (docs §3.3 "program free").
    disassocStructOps(this, p);
    for (const hook of this.releaseHooks) hook(p);
  }

  /** Callbacks run when a program is freed (hooks detach, timers cancel, ...). */
  readonly releaseHooks: ((p: KProg) => void)[] = [];

  mapInc(m: KMap): void {
    m.refcnt++;
  }

  mapIncWithUref(m: KMap): void {
    m.refcnt++;
    m.usercnt++;
  }

  /** bpf_map_put: at 0 the id goes at once and the free is deferred. */
  mapPut(m: KMap): void {
    if (--m.refcnt > 0) return;
    if (m.id !== 0) this.mapIds.free(m.id);
    m.id = 0;
    this.defer(() => this.freeMap(m));
  }

  /** bpf_map_put_with_uref. */
  mapPutWithUref(m: KMap): void {
    if (--m.usercnt === 0) this.mapReleaseUref(m);
    this.mapPut(m);
  }

  /** Called when a map value with special fields is freed (timers cancel). */
  readonly valueFreeHooks: ((map: BpfMap, region: number, value: Uint8Array) => void)[] = [];

  private mapEnv: MapEnv | undefined;
  /** The environment shared by this kernel's maps. */
  get mapEnvironment(): MapEnv {
    this.mapEnv ??= mapEnv(this);
    return this.mapEnv;
  }

  /** map_release_uref hooks by map implementation (prog arrays clear their slots). */
  readonly urefReleasers: ((m: KMap) => void)[] = [];
  /** map free hooks by map implementation. */
  readonly mapFreers: ((m: KMap) => void)[] = [];

  private mapReleaseUref(m: KMap): void {
    for (const f of this.urefReleasers) f(m);
  }

  private freeMap(m: KMap): void {
    if (m.freed) return;
    m.freed = true;
    const st = structOpsOf(m);
    if (st !== undefined) {
      structOpsFree(this, m, st);
      if (m.handle !== 0) this.retireRegion(m.handle); // generic maps retire their own handle in free()
    }
    for (const f of this.mapFreers) f(m);
    if (m.btf !== null) this.btfPut(m.btf);
  }

  linkPut(l: KLink): void {
    if (--l.refcnt > 0) return;
    if (l.id !== 0) this.linkIds.free(l.id);
    l.id = 0;
    l.ops.release(l);
    if (l.prog !== null) {
      const p = l.prog;
      l.prog = null;
      this.progPut(p);
    }
  }

  btfPut(b: KBtf): void {
    if (b.kernel) return;
    if (--b.refcnt > 0) return;
    if (b.id !== 0) this.btfIds.free(b.id);
    b.id = 0;
  }

  /** Live programs (for safety nets and `bpftool prog list`-like views). */
  *liveProgs(): IterableIterator<KProg> {
    yield* this.progIds.values();
  }

  // ---- association -------------------------------------------------------------------------------

  /** bpf_prog_assoc_struct_ops (after the syscall checks). */
  assocStructOps(prog: KProg, map: KMap): number {
    return assocStructOps(this, prog, map);
  }

  disassocStructOps(prog: KProg): void {
    disassocStructOps(this, prog);
  }

  // ---- deferred work -------------------------------------------------------------------------------

  /** Queue work for after the current syscall / run (RCU callbacks, workqueue frees). */
  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  /** Unmap a region once no program can be using it (end of the outermost run). */
  retireRegion(id: number): void {
    if (this.runDepth > 0) this.retired.push(id);
    else this.mem.unmap(id);
  }

  /** Run deferred frees and retire regions, unless a syscall or program is still in progress. */
  settle(): void {
    if (this.runDepth > 0 || this.syscallDepth > 0) return;
    this.drain();
  }

  /** Process the deferred queue to completion (a grace period). */
  drain(): void {
    while (this.deferred.length > 0) this.deferred.shift()!();
    if (this.runDepth === 0) while (this.retired.length > 0) this.mem.unmap(this.retired.pop()!);
  }

  // ---- time ------------------------------------------------------------------------------------------

  monotonicNs(): bigint {
    return this.monoNs;
  }
  bootNs(): bigint {
    return this.monoNs + this.bootOffsetNs;
  }
  coarseNs(): bigint {
    // CLOCK_MONOTONIC_COARSE advances in jiffies (HZ=1000 here).
    return (this.monoNs / 1_000_000n) * 1_000_000n;
  }
  jiffies64(): bigint {
    // INITIAL_JIFFIES is (unsigned long)(-300 * HZ); with HZ=1000 the emulator starts there too.
    return BigInt.asUintN(64, -300_000n + this.monoNs / 1_000_000n);
  }

  /**
   * Advance the virtual clock by `ns`, firing due timers in deadline order. Deferred frees run first
   * (docs §6.5: frees complete before time moves on).
   */
  advance(ns: bigint | number): void {
    if (typeof ns === 'number' ? !Number.isSafeInteger(ns) || ns < 0 : ns < 0n) throw new KernelError('BAD_OPTION', `advance: expected a non-negative integer number of ns, got ${ns}`);
    this.drain();
    const target = this.monoNs + BigInt(ns);
    const timers = this.service<TimerService>('timers');
    let fired = 0;
    for (;;) {
      if (timers === undefined || fired >= this.maxTimerCallbacks) break;
      if (!timers.fireDue(this, target)) break;
      fired++;
      this.drain();
    }
    if (fired >= this.maxTimerCallbacks && timers !== undefined && timers.fireDue(this, target, true)) {
      // Still due after the bound: a timer re-arming itself at or before the current time.
      throw new KernelError('TIMER_LIMIT', `advance: ${fired} timer callbacks without reaching the target time (${this.monoNs} of ${target} ns): a timer keeps re-arming itself at or before the current time`);
    }
    this.monoNs = target;
    this.drain();
  }

  /** Set the clock (used by the timer service while firing). */
  setMonotonicNs(ns: bigint): void {
    if (ns > this.monoNs) this.monoNs = ns;
  }

  // ---- identity, randomness, printk ----------------------------------------------------------------

  currentCpu(): number {
    return this.cpu;
  }
  currentTask(): TaskInfo {
    return this.task;
  }
  currentTaskPointer(): bigint {
    const f = this.service<() => bigint>('currentTaskPointer');
    return f === undefined ? 0n : f();
  }
  /** xorshift32; deterministic per seed. */
  prandomU32(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }
  /**
   * Append a line to the trace ring. Lines beyond `tracePipeBytes` push the oldest ones out, as the
   * kernel's overwriting trace buffer does; they are counted in `tracePipeDropped`.
   */
  printk(line: string): void {
    const lines = this.traceLines;
    lines.push(line);
    this.traceBytes += line.length + 1;
    while (this.traceBytes > this.tracePipeBytes && this.traceHead < lines.length) {
      this.traceBytes -= lines[this.traceHead]!.length + 1;
      this.traceHead++;
      this.tracePipeDropped++;
    }
    // Compact once the dropped prefix is the larger part: amortised O(1) per line.
    if (this.traceHead > 1024 && this.traceHead * 2 > lines.length) {
      this.traceLines = lines.slice(this.traceHead);
      this.traceHead = 0;
    }
    this.printkSink?.(line);
  }

  /**
   * The lines bpf_trace_printk & co. wrote that the trace ring still holds, oldest first (a copy).
   * Each counts its length + 1 (the newline) against `tracePipeBytes`.
   */
  get tracePipe(): string[] {
    return this.traceHead === 0 ? this.traceLines.slice() : this.traceLines.slice(this.traceHead);
  }

  /** Empty the trace ring (like `echo > trace`); the dropped count stays. */
  clearTracePipe(): void {
    this.traceLines = [];
    this.traceHead = 0;
    this.traceBytes = 0;
  }

  // ---- running programs ----------------------------------------------------------------------------

  /** The helper implementations a program of `progType` loaded with `attachType` may call, by id. */
  helperTable(progType: number, attachType = 0): Map<number, HelperFn> {
    const key = `${progType}:${attachType}`;
    let t = this.helperTables.get(key);
    if (t === undefined) {
      t = new Map();
      // Each call is charged against the run's budget by its cost (helpers/cost.ts).
      for (const h of this.helpers.all()) if (this.helpers.allowed(h.id, progType, attachType)) t.set(h.id, this.callable(h));
      this.helperTables.set(key, t);
    }
    return t;
  }

  /**
   * Mocks by helper id, and by kfunc name ({@link mockHelper}, {@link mockKfunc}). Pre-filled
   * (a packed array: reading an id without a mock is no hole lookup on every helper call).
   */
  private readonly helperMocks: (CallMock | undefined)[] = new Array<CallMock | undefined>(256).fill(undefined);
  private readonly kfuncMocks = new Map<string, CallMock>();

  /**
   * Replace what helper `name` (`get_prandom_u32` or `bpf_get_prandom_u32`, or its id) does with
   * `mock`, for programs loaded before and after; null restores it. See kernel/mocks.ts.
   */
  mockHelper(name: string | number, mock: CallMock | null): void {
    const def = typeof name === 'number' ? this.helpers.get(name) : this.helpers.all().find((h) => h.name === name.replace(/^bpf_/, ''));
    if (def === undefined) throw new KernelError('NOT_REGISTERED', `mockHelper: no helper '${name}' is implemented (mocks replace implemented helpers)`);
    this.helperMocks[def.id] = mock ?? undefined;
  }

  /** Replace what kfunc `name` does with `mock`, for programs loaded before and after; null restores it. */
  mockKfunc(name: string, mock: CallMock | null): void {
    if (this.kfuncs.get(name) === undefined) throw new KernelError('NOT_REGISTERED', `mockKfunc: no kfunc '${name}' is registered`);
    if (mock === null) this.kfuncMocks.delete(name);
    else this.kfuncMocks.set(name, mock);
  }

  /**
   * What a program calls for helper `h`: its cost charged (helpers/cost.ts), then the mock when one
   * is set at call time, or the implementation. One closure for helpers without size arguments
   * (the common case), the two wrappers otherwise.
   */
  private callable(h: HelperDef): HelperFn {
    const name = `bpf_${h.name}`;
    if (sizeRegisters(h).length !== 0) return chargedHelper({ ...h, fn: this.mockable(h.id, name, h.fn) });
    const base = helperCost(h);
    const mocks = this.helperMocks;
    const id = h.id;
    const charged = (fn: (m: Machine) => void): HelperFn => (m: Machine) => {
      m.charge(base);
      const mock = mocks[id];
      if (mock === undefined) fn(m);
      else runMock(m, mock, name);
    };
    const out = charged(h.fn);
    const forMap = h.forMap;
    if (forMap !== undefined) {
      // A call site on a known map (the tier): the same charge and mock check around the helper's
      // form for that map.
      const mem = this.mem;
      out.site = (lo, hi) => {
        const s = hi & SLOT_MASK;
        const map = lo === 0 && hi !== 0 && mem.slotId[s] === hi && mem.slotKind[s] === RegionKind.MAP ? mem.slotOwner[s] : undefined;
        const f = map instanceof BpfMap ? forMap(map) : null;
        return f === null ? null : charged(f);
      };
    }
    return out;
  }

  /** `fn`, or the mock of helper `id` when one is set at call time. */
  private mockable(id: number, name: string, fn: HelperFn): HelperFn {
    const mocks = this.helperMocks;
    return (m: Machine) => {
      const mock = mocks[id];
      if (mock === undefined) fn(m);
      else runMock(m, mock, name);
    };
  }

  /** A program's kfunc table with mocks consulted at call time (cmd-prog builds programs with it). */
  mockableKfuncs(fns: ReadonlyMap<number, HelperFn>): Map<number, HelperFn> {
    const out = new Map<number, HelperFn>();
    for (const [imm, fn] of fns) {
      const name = this.kfuncs.byBtfId(imm)?.def.name;
      if (name === undefined) {
        out.set(imm, fn);
        continue;
      }
      const mocks = this.kfuncMocks;
      out.set(imm, (m: Machine) => {
        const mock = mocks.get(name);
        if (mock === undefined) fn(m);
        else runMock(m, mock, name);
      });
    }
    return out;
  }

  /** Forget cached helper tables (after registering helpers). */
  invalidateHelperTables(): void {
    this.helperTables.clear();
  }

  /**
   * Create the machine the next run at this depth uses, if it does not exist yet (test runs call
   * this before they start timing, so a kernel's first run does not time the machine's allocation).
   */
  prepareRun(): void {
    this.machineAt(this.runDepth);
  }

  private machineAt(depth: number): Machine {
    let m = this.machines[depth];
    if (m === undefined) {
      m = new Machine(this.mem, `run${depth}`);
      m.host = this;
      m.policy = this.accessPolicy;
      this.machines[depth] = m;
    }
    return m;
  }

  /**
   * What a run may reach beyond its own stack frames and what the kernel granted it (ctx, packet,
   * helper results): the maps its program references (`used_maps`: handles and values, global data
   * included), with PROGRAM scope, and those of a program it tail-called, for the rest of the run;
   * values of an inner map a map-in-map lookup gave it in this run; shared kernel objects (tasks,
   * kernel variables). Everything else is `foreign_region`.
   */
  private readonly accessPolicy: AccessPolicy = {
    scopeOf: (m, id) => {
      const mem = this.mem;
      switch (mem.kindOf(id)) {
        case RegionKind.MAP: {
          const owner = mem.ownerOf(id);
          const entry = m.capOwner;
          if (entry instanceof KProg && usesMap(entry, owner)) return Scope.PROGRAM;
          const cur = m.prog?.owner;
          return cur !== entry && cur instanceof KProg && usesMap(cur, owner) ? Scope.RUN : Scope.NONE;
        }
        case RegionKind.MAP_VALUE: {
          const ref = mem.ownerOf(id);
          if (!(ref instanceof MapValueRef) || !(ref.map instanceof BpfMap)) return Scope.NONE;
          const handle = ref.map.handleRegion;
          return m.reach(handle) ? Math.min(m.scopeOf(handle), Scope.PROGRAM) : Scope.NONE;
        }
        case RegionKind.KERNEL:
          return mem.isShared(id) ? Scope.PROGRAM : Scope.NONE;
        default:
          return Scope.NONE;
      }
    },
  };

  /**
   * Run `prog` from its entry with r1..r5 = `args`. `setup` prepares the machine (ctx, packet) for
   * the program type. A top-level run returns its fault; a nested run (from a kfunc or helper)
   * shares the outer run's budget and wall-clock limit and lets a fault end the outer run too.
   *
   * The run starts with fresh capabilities (see Machine.beginRun): its stack frames, the regions
   * `args` point to, those `grants` point to (pointers the kernel passes inside the ctx), what
   * `setup` grants, and what the access policy allows.
   */
  execute(
    prog: KProg,
    args: RunArgs,
    o: { setup?: (m: Machine) => void; budget?: number; engine?: EngineName; trace?: (m: Machine, p: ExecProgram, pc: number) => void; entry?: number; grants?: readonly bigint[] } = {},
  ): RunResult {
    const depth = this.runDepth;
    if (depth >= MAX_NESTED_RUNS) throw this.machineAt(depth - 1).fail('call_depth', `more than ${MAX_NESTED_RUNS} nested program runs`);
    const m = this.machineAt(depth);
    const outer = depth > 0 ? this.machineAt(depth - 1) : null;
    m.context = null;
    m.skbData = null;
    m.skbNetworkOffset = 14;
    m.skbMacOffset = 0;
    // Map.prototype.clear allocates a new table even when the map is empty.
    if (m.runState.size !== 0) m.runState.clear();
    m.beginRun(prog);
    if (o.grants !== undefined) for (const p of o.grants) m.grant(Memory.split(p)[0]);
    o.setup?.(m);
    this.runDepth++;
    // bpf_prog_run's stats: only while bpf_stats_enabled_key is on, in wall-clock ns as the kernel's.
    const counting = this.statsOn;
    const started = counting ? performance.now() : 0;
    try {
      if (outer === null) {
        const trace = o.trace ?? this.tracer ?? this.coverageTracer ?? undefined;
        this.coverage?.endRun();
        // One options object reused (this runs once per BPF_PROG_TEST_RUN repetition); the rare
        // tracing and entry runs get their own.
        let ro = this.runOptions;
        ro.budget = o.budget ?? this.budget;
        ro.engine = o.engine ?? this.engine;
        ro.timeoutMs = this.runTimeout;
        if (trace !== undefined || o.entry !== undefined) {
          ro = { budget: ro.budget, engine: ro.engine, timeoutMs: ro.timeoutMs, begun: true, argScope: Scope.PROGRAM };
          if (trace !== undefined) ro.trace = trace;
          if (o.entry !== undefined) ro.entry = o.entry;
        }
        const r = runProgram(m, prog.exec, args, ro);
        if (m.runState.size === 0 && this.runEndHooks.length === 0) return r;
        const fault = this.runEnd(m, r.fault);
        return fault === r.fault ? r : fault === null ? new RunOutcome(r.r0Lo, r.r0Hi, null, r.steps) : new RunOutcome(0, 0, fault, r.steps);
      }
      // Nested: run on this machine with the outer run's remaining budget; faults propagate.
      const budget = outer.left;
      m.engine = outer.engine ?? ENGINES[this.engine];
      m.tracer = outer.tracer;
      m.budget = budget;
      m.left = budget;
      m.timeLimitMs = outer.timeLimitMs;
      m.clockStartMs = outer.clockStartMs;
      m.depth = 0;
      m.tailCalls = 0;
      m.tailTarget = null;
      m.lo.fill(0);
      m.hi.fill(0);
      setArgs(m, args);
      m.grantArgs();
      m.setFramePointer(0);
      m.noteFrames(prog.exec, 0);
      m.mayGoto[0] = MAY_GOTO_LIMIT;
      try {
        m.engine(m, prog.exec, o.entry ?? 0, 0);
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
        m.setR0(e.lo, e.hi);
      } finally {
        outer.left = Math.max(0, outer.left - (budget - m.left));
        outer.charged += m.charged;
      }
      return new RunOutcome(m.lo[0]!, m.hi[0]!, null, budget - m.left - m.charged);
    } finally {
      this.runDepth--;
      if (counting) {
        prog.runCount++;
        prog.runTimeNs += BigInt(Math.round((performance.now() - started) * 1e6));
      }
      if (this.runDepth === 0) this.settle();
    }
  }

  /**
   * bpf_test_run's loop: `n` (>= 1) top-level runs of `prog` with the same argument registers and
   * `setup`, each exactly as {@link execute} runs it, stopping at the first fault; `each(i)` runs
   * after every 256th repetition (i = 255, 511, ...: the test run's interrupt check, which
   * bpf_test_timer_continue makes as often). Returns the machine (r0 of the last run in
   * lo[0]/hi[0]) and the fault. The repetitions resolve the run options once and allocate nothing;
   * traced, covered and counted runs (bpf_stats) go through {@link execute} one by one.
   */
  repeatRuns(prog: KProg, regs: Int32Array, n: number, setup: (m: Machine) => void, each: (i: number) => void): { m: Machine; fault: Fault | null } {
    if (this.runDepth !== 0 || this.statsOn || this.tracer !== null || this.coverageTracer !== null) {
      const o = { setup };
      let r: RunResult | null = null;
      for (let i = 0; i < n; i++) {
        r = this.execute(prog, regs, o);
        if (r.fault !== null) break;
        if ((i & 255) === 255) each(i);
      }
      const m = this.machineAt(0);
      if (r!.fault === null) m.setR0(r!.r0Lo, r!.r0Hi);
      return { m, fault: r!.fault };
    }
    const m = this.machineAt(0);
    const exec = prog.exec;
    const budget = this.budget;
    const timeout = this.runTimeout;
    const prevEngine = m.engine;
    const prevTracer = m.tracer;
    // A repeated test run on the default engine tiers up (the interpreter for its first
    // repetitions, then translated code); a chosen engine is used as it is.
    m.engine = ENGINES[n > 1 && !this.engineChosen && this.engine === 'fast' ? 'auto' : this.engine];
    m.tracer = null;
    let fault: Fault | null = null;
    try {
      for (let i = 0; i < n; i++) {
        // What execute does for a top-level run, in the same order.
        m.context = null;
        m.skbData = null;
        m.skbNetworkOffset = 14;
        m.skbMacOffset = 0;
        if (m.runState.size !== 0) m.runState.clear();
        m.beginRun(prog);
        setup(m);
        this.runDepth++;
        try {
          fault = runOnce(m, exec, regs, budget, timeout, true, Scope.PROGRAM, 0);
          if (m.runState.size !== 0 || this.runEndHooks.length !== 0) fault = this.runEnd(m, fault);
        } finally {
          m.depth = 0;
          this.runDepth--;
          this.settle();
        }
        if (fault !== null) break;
        if ((i & 255) === 255) each(i);
      }
    } finally {
      m.engine = prevEngine;
      m.tracer = prevTracer;
    }
    return { m, fault };
  }

  /** The run-end hooks: the per-run state checks when a helper left state, then those of every run. */
  private runEnd(m: Machine, fault: Fault | null): Fault | null {
    if (m.runState.size !== 0) for (const h of this.runStateHooks) fault = h(m, fault);
    for (const h of this.runEndHooks) fault = h(m, fault);
    return fault;
  }

  /**
   * Run a struct_ops program for a member call: ctx = an array of u64 arguments; returns the low
   * 32 bits of r0 as a signed int (docs §9 item 9).
   */
  callStructOpsProgram(prog: KProg, args: readonly bigint[]): number {
    const ctx = new Uint8Array(Math.max(8, args.length * 8));
    const dv = new DataView(ctx.buffer);
    args.forEach((a, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, a), true));
    const region = this.mem.map(ctx, { kind: RegionKind.CTX, perm: PERM_R, label: `struct_ops ctx of ${prog.name}` });
    // Pointer arguments go with the call: from TypeScript all of them, from a running program (a
    // kfunc calling the member) only those the caller itself may reach (capabilities delegate).
    const caller = this.runDepth > 0 ? this.machineAt(this.runDepth - 1) : null;
    const grants = caller === null ? args : args.filter((a) => caller.reach(Memory.split(a)[0]));
    try {
      const r = this.execute(prog, [Memory.pointer(region, 0)], { grants });
      if (r.fault !== null) throw r.fault;
      return Number(BigInt.asIntN(32, r.r0));
    } finally {
      this.retireRegion(region);
    }
  }

  /** The options of top-level runs without tracing or an entry pc (see {@link execute}). */
  private readonly runOptions: RunOptions = { budget: 0, engine: 'fast', timeoutMs: Infinity, begun: true, argScope: Scope.PROGRAM };

  /**
   * Called before every instruction of every top-level run when set (and for the nested runs they
   * start): switches runs to the reference interpreter. Used by `bpfemu run --trace`.
   */
  tracer: ((m: Machine, prog: ExecProgram, pc: number) => void) | null = null;

  /** The coverage collector of this kernel's runs ({@link KernelOptions.coverage}), or null. */
  readonly coverage: CoverageCollector | null;
  /** Its tracer (runs use it when no other tracer is set; a `--trace` run is not counted). */
  private readonly coverageTracer: ((m: Machine, prog: ExecProgram, pc: number) => void) | null;

  /** The last guest fault of a run started through bpf() (BPF_PROG_TEST_RUN returns -EFAULT for it). */
  lastFault: Fault | null = null;

  /**
   * What the last successful BPF_PROG_TEST_RUN produced, including what the syscall cannot return
   * (the redirect target of a packet program); null after a refused run.
   */
  lastTestRun: TestRunOutput | null = null;

  /**
   * A program faulted during BPF_PROG_TEST_RUN: the kernel has no equivalent (its verifier rejects
   * such programs), so the syscall fails with EFAULT and the fault is kept in `lastFault` for the
   * API layer to report with its pc, instruction and source line.
   */
  reportFault(f: Fault): number {
    this.lastFault = f;
    return -EFAULT;
  }

  /** HelperHost.runCallback: a callback of `program` (a KProg) as a top-level run. */
  runCallback(program: unknown, entryPc: number, args: readonly bigint[]): { r0: bigint; fault: Fault | null } {
    if (!(program instanceof KProg)) throw new KernelError('BAD_STATE', 'runCallback: not a loaded program');
    const r = this.execute(program, args, { entry: entryPc });
    return { r0: r.r0, fault: r.fault };
  }

  holdProgram(program: unknown): void {
    if (program instanceof KProg) this.progInc(program);
  }

  releaseProgram(program: unknown): void {
    if (program instanceof KProg) {
      this.progPut(program);
      this.settle();
    }
  }

  onMapValueFree(fn: (map: BpfMap, region: number, value: Uint8Array) => void): void {
    this.valueFreeHooks.push(fn);
  }

  /** HelperHost.mapUserRefs: usercnt of the map object behind a map implementation (0 once its id is gone). */
  mapUserRefs(map: BpfMap): number {
    for (const m of this.mapIds.values()) if (implOf(m) === map) return m.usercnt;
    return 0;
  }

  /** HelperHost.onMapUrefRelease: run `fn` when a map loses its last user-space reference (timers go then). */
  onMapUrefRelease(fn: (map: BpfMap) => void): void {
    this.urefReleasers.push((m) => {
      const impl = implOf(m);
      if (impl !== undefined) fn(impl);
    });
  }

  /** Hooks run after every top-level run; each may turn a clean run into a fault. */
  private readonly runEndHooks: ((m: Machine, fault: Fault | null) => Fault | null)[] = [];
  /** Hooks run, before those, after a top-level run in which a helper left state in m.runState (held locks, open reservations). */
  private readonly runStateHooks: ((m: Machine, fault: Fault | null) => Fault | null)[] = [];

  onRunEnd(fn: (m: Machine, fault: Fault | null) => Fault | null): void {
    this.runEndHooks.push(fn);
  }

  onRunStateEnd(fn: (m: Machine, fault: Fault | null) => Fault | null): void {
    this.runStateHooks.push(fn);
  }

  /** Whether a program run is in progress. */
  get running(): boolean {
    return this.runDepth > 0;
  }

  /** A fault as a readable error for TypeScript callers. */
  static describeFault(f: Fault): string {
    return f.toString();
  }

  /** Build a KFuncProto from C types (convenience for registrations). */
  static proto(ret: string, ...params: [string, string][]): KFuncProto {
    return { ret, params: params.map(([name, type]) => ({ name, type })) };
  }
}
