/**
 * The libbpf-like object API: `BpfObject.open(bytes, { kernel })`, `.load()`, `.program(name)`,
 * `.map(name)`, `.variable(name)`, `.attach()`, `.close()`. It turns an {@link ObjectSpec} into live
 * kernel objects the way libbpf's bpf_object__prepare/bpf_object__load do, and it talks to the
 * emulated kernel only through `kernel.bpf()` (plus the emulator's hook attach for kprobe and
 * tracepoint programs, which need perf events in a real kernel).
 *
 * Load order (libbpf): struct_ops kernel types (bpf_map__init_kern_struct_ops) → BTF_LOAD →
 * .kconfig values → ksym/kfunc resolution → maps (inner-map templates first, global data written and
 * .rodata frozen) → programs (map references patched to fds, kfunc calls to kernel BTF ids) →
 * static prog-array and map-in-map slots → struct_ops values get program fds.
 */
import type { VerifierResult, VerifierStats } from '../verifier/api.js';
import { writeInsns, type RawInsn } from '../isa/insn.js';
import { POISON_HELPER_ID } from '../isa/decode.js';
import { LDDW_MAP_FD, LDDW_MAP_IDX, LDDW_MAP_IDX_VALUE, LDDW_MAP_VALUE } from '../isa/opcodes.js';
import { Kernel, type KernelOptions } from '../kernel/kernel.js';
import type { KernelObjects } from '../kernel/objects/kobjects.js';
import { isErrorInjectable } from '../helpers/override.js';

/** BPF_FUNC_override_return. */
const BPF_FUNC_OVERRIDE_RETURN = 58;
import { fireHook, hookKindOf, type HookEvent, type HookRunResult } from '../kernel/progtypes/tracing.js';
import { attachToHook } from '../kernel/syscall/cmd-link.js';
import { structOpsOf, type StructOpsInstance } from '../kernel/structops.js';
import { BPF_F_LINK, BPF_F_RDONLY_PROG, BPF_F_REPLACE, Cmd, LinkType } from '../kernel/syscall/uapi.js';
import type { KMap, KProg } from '../kernel/objects/objects.js';
import { loadObjectSpec, type LoadObjectOptions } from '../object/load.js';
import type { ExternSpec, MapSpec, ObjectSpec, ProgramSpec } from '../object/spec.js';
import { AttachType, ProgType, progTypeLabel } from '../object/uapi.js';
import type { Btf } from '../btf/btf.js';
import { BPF_MAP_TYPE, isPerCpuValueType, mapTypeName } from '../maps/uapi.js';
import { RingbufMap } from '../maps/ringbuf.js';
import { ArenaMap, type ArenaMapping } from '../maps/arena.js';
import { PerfEventArrayMap } from '../maps/perf.js';
import { PerfBufferReader, RingbufReader } from './events.js';
import { concatBytes } from '../util/bytes.js';
import { ERRNO } from '../util/errno.js';
import { loadableBtf } from './btfload.js';
import { BpfError, ProgramFaultError } from './errors.js';
import type { Fault } from '../vm/fault.js';
import { BtfCodec, type TypedValue } from './typed.js';
import { typedGlobals, typedMap, type TypedMap } from './typed-views.js';

const { EINVAL, ENOENT, ESRCH, EBUSY, ENOTSUPP, EPERM } = ERRNO;

/** Map types libbpf creates without BTF key/value type ids (bpf_object__create_map's list). */
const NO_BTF_IDS: ReadonlySet<number> = new Set([
  BPF_MAP_TYPE.PERF_EVENT_ARRAY,
  BPF_MAP_TYPE.CGROUP_ARRAY,
  BPF_MAP_TYPE.STACK_TRACE,
  BPF_MAP_TYPE.ARRAY_OF_MAPS,
  BPF_MAP_TYPE.HASH_OF_MAPS,
  BPF_MAP_TYPE.DEVMAP,
  BPF_MAP_TYPE.DEVMAP_HASH,
  BPF_MAP_TYPE.CPUMAP,
  BPF_MAP_TYPE.XSKMAP,
  BPF_MAP_TYPE.SOCKMAP,
  BPF_MAP_TYPE.SOCKHASH,
  BPF_MAP_TYPE.QUEUE,
  BPF_MAP_TYPE.STACK,
  BPF_MAP_TYPE.ARENA,
]);

/** Options of {@link BpfObject.open}. */
export interface OpenOptions {
  /** The kernel to load into (default: a new Kernel with `kernelOptions`). */
  kernel?: Kernel;
  kernelOptions?: KernelOptions;
  /** Object name (internal map names); default ''. */
  name?: string;
  /**
   * CO-RE target: 'kernel' (default) relocates against the emulated kernel's BTF (the types its
   * emulated objects are laid out with); 'local' uses the object's own BTF; or a parsed vmlinux BTF.
   * With 'local' or a BTF, the kernel's emulated objects (task_struct, ...) are laid out from that
   * BTF from then on, so CO-RE reads land on the fields they name.
   */
  coreTarget?: 'kernel' | 'local' | Btf;
  /** `__kconfig` values by name (`CONFIG_X: 'y' | 'm' | 'n' | number | string`). */
  kconfig?: Readonly<Record<string, string | number | bigint | boolean>>;
  /**
   * Run the load-time verifier on every program (default true), as the kernel does. `false` loads
   * programs the kernel would refuse and leaves them to the run-time checks: unsafe, and a test
   * that passes that way proves nothing about the real kernel.
   */
  verify?: boolean;
  /** log_level of the verifier log kept on each program (1, 2 or 4 = statistics only; default 4). */
  verifierLogLevel?: number;
  /**
   * Verify as a loader with CAP_BPF but without CAP_PERFMON would be (`false`), to learn whether the
   * program loads for such a user: pointers may not leak, stack must be written before it is read
   * (Kernel.verifierPrivileged). `'none'`: an unprivileged user without even CAP_BPF (loads only
   * while the kernel's kernel.unprivileged_bpf_disabled is 0): also socket filters and cgroup skb
   * programs only, at most 4,096 instructions, no bpf-to-bpf or kfunc calls, no loops, the helpers
   * 6.18 gives such a user. Default true (root).
   */
  privileged?: boolean | 'none';
  /**
   * Whether the loader has CAP_SYS_BOOT (default: `privileged === true`, root has it): without it the
   * verifier refuses calls of destructive kfuncs (crash_kexec, KernelOptions.crashKexec), as 6.18
   * does whatever the other capabilities.
   */
  capSysBoot?: boolean;
}

/** Test-run input (BPF_PROG_TEST_RUN). */
export interface TestRunOptions {
  dataIn?: Uint8Array;
  ctxIn?: Uint8Array;
  /** Capacity of data_out (default: dataIn.length + 4096 when dataIn is given). */
  dataSizeOut?: number;
  /** Capacity of ctx_out (default: ctxIn.length, or none). */
  ctxSizeOut?: number;
  /** BPF_PROG_TEST_RUN repeat: a non-negative integer below 2^32 (0 runs once). */
  repeat?: number;
  cpu?: number;
  flags?: number;
  /** Wall-clock limit of each run of this test run in ms (default: the kernel's runTimeoutMs). */
  runTimeoutMs?: number;
}

/** Test-run numbers must be integers in [0, 2^32): NaN, fractions and negatives are EINVAL, not truncated. */
function checkTestRunNumbers(o: TestRunOptions, name: string): void {
  for (const key of ['dataSizeOut', 'ctxSizeOut', 'repeat', 'cpu', 'flags'] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new BpfError(EINVAL, `test_run: program '${name}': ${key} must be an integer in [0, 2^32), got ${v}`);
    }
  }
  const t = o.runTimeoutMs;
  if (t !== undefined && (typeof t !== 'number' || Number.isNaN(t) || t <= 0)) {
    throw new BpfError(EINVAL, `test_run: program '${name}': runTimeoutMs must be a positive number of ms (or Infinity), got ${t}`);
  }
}

/**
 * Test-run output. For syscall programs `ctxOut` is the ctx after the run (the kernel writes it back
 * into ctx_in, which is also updated in place).
 */
export interface TestRunResult {
  readonly retval: number;
  readonly dataOut: Uint8Array | null;
  readonly ctxOut: Uint8Array | null;
  readonly durationNs: number;
}

/** Options of {@link BpfObject.fire}. */
export interface FireOptions {
  /** Return faults in the results instead of throwing the first as a ProgramFaultError. */
  collectFaults?: boolean;
}

/** One attached program's run by {@link BpfObject.fire}. */
export interface FireResult {
  readonly prog: KProg;
  /** The program's name in the object (not truncated to the kernel's 15 characters). */
  readonly program: string;
  /** r0 as a u32, as `testRun` reports it. */
  readonly retval: number;
  /** The fault of a run that faulted (only with `collectFaults`; otherwise fire() throws it). */
  readonly fault: Fault | null;
  /** kprobe: the value the program made the probed function return with bpf_override_return (a u64), or null. */
  readonly override?: bigint | null;
}

/** KERNEL_VERSION(a, b, c) as include/generated/uapi/linux/version.h computes it. */
export function kernelVersionCode(v: readonly [number, number, number]): number {
  return (v[0] << 16) + (v[1] << 8) + Math.min(v[2], 255);
}

function structEssentialName(name: string): string {
  const i = name.indexOf('___');
  return i > 0 ? name.slice(0, i) : name;
}

/** What bpf_map__init_kern_struct_ops learns from kernel BTF (find_struct_ops_kern_types). */
interface KernStructOps {
  /** BTF id of `struct <name>`. */
  readonly typeId: number;
  /** BTF id of `struct bpf_struct_ops_<name>`. */
  readonly valueTypeId: number;
  readonly valueSize: number;
  /** Offset of `data` in the wrapper. */
  readonly dataOffset: number;
  readonly members: readonly { readonly name: string; readonly index: number; readonly offset: number; readonly size: number; readonly isFunc: boolean }[];
}

/** Find `bpf_struct_ops_<name>` and `<name>` in kernel BTF, as libbpf does. */
function kernStructOpsType(btf: Btf, name: string): KernStructOps | undefined {
  const wrapper = btf.findByName(`bpf_struct_ops_${name}`, 'STRUCT')[0];
  const type = btf.findByName(name, 'STRUCT')[0];
  if (wrapper === undefined || type === undefined) return undefined;
  const data = btf.members(wrapper.id).find((m) => btf.resolve(m.type) === type.id);
  if (data === undefined) return undefined;
  const members = btf.members(type.id).map((m, index) => {
    const t = btf.resolved(m.type);
    const isFunc = t.kind === 'PTR' && btf.resolved(t.type).kind === 'FUNC_PROTO';
    return { name: m.name, index, offset: Math.floor(m.bitOffset / 8), size: btf.sizeof(m.type), isFunc };
  });
  return { typeId: type.id, valueTypeId: wrapper.id, valueSize: btf.sizeof(wrapper.id), dataOffset: Math.floor(data.bitOffset / 8), members };
}

/** A link (or libbpf's pseudo-link for a non-link struct_ops map). */
export class BpfLink {
  private destroyed = false;
  constructor(
    private readonly obj: BpfObject,
    /** The link fd, or the map fd for a non-link struct_ops "link". */
    readonly fd: number,
    private readonly kind: 'link' | 'struct_ops_map' | 'hook',
    private readonly map: BpfObjectMap | null,
  ) {}

  /** bpf_link__update_map: a real struct_ops link only; the new map's value is written first (EBUSY ignored). */
  updateMap(map: BpfObjectMap): void {
    if (this.kind !== 'link' || this.map === null) throw new BpfError(EINVAL, 'update_map: not a struct_ops link');
    const err = map.writeStructOpsValue();
    if (err < 0 && err !== -EBUSY) throw new BpfError(-err, `update_map: map '${map.name}'`);
    BpfError.check(this.obj.kernel.bpf(Cmd.LINK_UPDATE, { link_fd: this.fd, new_map_fd: map.fd }), `update_map: link ${this.fd}`);
  }

  /**
   * The whole output of an iterator link (`bpftool iter pin` + `cat`, libbpf's bpf_iter_create +
   * read): a new session with BPF_ITER_CREATE, read until a read returns nothing, closed again.
   * Throws BpfError (EINVAL when this is not an iterator link; EAGAIN or E2BIG from a read, as
   * `cat` would fail) or ProgramFaultError when the program faults.
   */
  readIterBytes(): Uint8Array {
    const k = this.obj.kernel;
    const fd = BpfError.check(k.bpf(Cmd.ITER_CREATE, { link_fd: this.fd }), `iter create: link ${this.fd}`);
    const parts: Uint8Array[] = [];
    try {
      for (;;) {
        k.lastFault = null;
        const r = k.read(fd);
        if (typeof r === 'number') {
          if (k.lastFault !== null) throw new ProgramFaultError(k.lastFault);
          BpfError.check(r, `iter read: link ${this.fd}`);
          break;
        }
        if (r.length === 0) break;
        parts.push(r);
      }
    } finally {
      k.close(fd);
    }
    return concatBytes(parts);
  }

  /** {@link readIterBytes} as UTF-8 text. */
  readIter(): string {
    return new TextDecoder().decode(this.readIterBytes());
  }

  /** BPF_LINK_DETACH (keeps the fd). */
  detach(): void {
    if (this.kind === 'link' || this.kind === 'hook') BpfError.check(this.obj.kernel.bpf(Cmd.LINK_DETACH, { link_fd: this.fd }), 'link detach');
  }

  /** bpf_link__destroy: close the link fd; a non-link struct_ops map is deleted instead (unreg). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.kind === 'struct_ops_map') {
      const key = new Uint8Array(4);
      this.obj.kernel.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: this.fd, key });
      return;
    }
    this.obj.kernel.close(this.fd);
  }
}

/** One program of an object. */
export class BpfProgram {
  fd = -1;
  autoload: boolean;
  /** Set by struct_ops initialisation (attach_btf_id / expected_attach_type of struct_ops programs). */
  attachBtfId = 0;
  expectedAttachType: number;

  constructor(
    private readonly obj: BpfObject,
    readonly spec: ProgramSpec,
  ) {
    this.autoload = spec.autoload;
    this.expectedAttachType = spec.expectedAttachType;
  }

  get name(): string {
    return this.spec.name;
  }
  get type(): number {
    return this.spec.type;
  }

  /** The verifier's statistics of the load (null when loaded with `verify: false` or not loaded). */
  get verifierStats(): VerifierStats | null {
    return this.fd < 0 ? null : this.kernelProg.verifierStats;
  }

  /** The verifier's log of the load (log level 4: time, stack depth, processed instructions). */
  get verifierLog(): string {
    return this.fd < 0 ? '' : this.kernelProg.verifierLog;
  }

  /** The kernel's program object (after load). */
  get kernelProg(): KProg {
    const e = this.obj.kernel.fds.get(this.fd);
    if (e?.kind !== 'prog') throw new BpfError(ENOENT, `program '${this.name}' is not loaded`);
    return e.obj;
  }

  /** BPF_PROG_TEST_RUN with bpftool-like defaults. Throws ProgramFaultError when the program faults. */
  testRun(o: TestRunOptions = {}): TestRunResult {
    const k = this.obj.kernel;
    if (this.fd < 0) throw new BpfError(EINVAL, `test_run: program '${this.name}' is not loaded`);
    checkTestRunNumbers(o, this.name);
    const attr: Record<string, number | Uint8Array> = { prog_fd: this.fd };
    let dataOut: Uint8Array | null = null;
    if (o.dataIn !== undefined) {
      attr.data_in = o.dataIn;
      attr.data_size_in = o.dataIn.length;
      dataOut = new Uint8Array(o.dataSizeOut ?? o.dataIn.length + 4096);
      attr.data_out = dataOut;
      attr.data_size_out = dataOut.length;
    }
    if (o.ctxIn !== undefined) {
      attr.ctx_in = o.ctxIn;
      attr.ctx_size_in = o.ctxIn.length;
    }
    let ctxOut: Uint8Array | null = null;
    // ctx_out by default only for types whose test run returns a ctx (not syscall/tracing ones,
    // which refuse ctx_out; syscall programs write back into ctx_in instead).
    const noCtxOut = [ProgType.SYSCALL, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.TRACING].includes(this.type as 31);
    const ctxCap = o.ctxSizeOut ?? (noCtxOut ? 0 : (o.ctxIn?.length ?? 0));
    if (ctxCap > 0) {
      ctxOut = new Uint8Array(ctxCap);
      attr.ctx_out = ctxOut;
      attr.ctx_size_out = ctxCap;
    }
    if (o.repeat !== undefined) attr.repeat = o.repeat;
    if (o.cpu !== undefined) attr.cpu = o.cpu;
    if (o.flags !== undefined) attr.flags = o.flags;
    k.lastFault = null;
    const err = o.runTimeoutMs === undefined ? k.bpf(Cmd.PROG_TEST_RUN, attr) : k.withRunTimeout(o.runTimeoutMs, () => k.bpf(Cmd.PROG_TEST_RUN, attr));
    if (err < 0 && k.lastFault !== null) throw new ProgramFaultError(this.obj.fullNames(k.lastFault));
    // the rule the kernel's errno stands for, when the emulator noted it
    const why = err < 0 && k.lastErrorReason !== null ? `: ${k.lastErrorReason}` : '';
    BpfError.check(err, `test_run: program '${this.name}'${why}`);
    const syscallCtx = this.type === ProgType.SYSCALL && o.ctxIn !== undefined ? o.ctxIn.slice() : null;
    return {
      retval: attr.retval as number,
      dataOut: dataOut === null ? null : dataOut.subarray(0, Math.min(dataOut.length, attr.data_size_out as number)),
      ctxOut: ctxOut === null ? syscallCtx : ctxOut.subarray(0, Math.min(ctxOut.length, attr.ctx_size_out as number)),
      durationNs: attr.duration as number,
    };
  }

  /**
   * Attach a tracing-type program: tp_btf/fentry/fexit/fmod_ret/lsm through BPF_LINK_CREATE, iter
   * programs through BPF_LINK_CREATE with no link info (bpf_program__attach_iter(prog, NULL); read
   * them with {@link BpfLink.readIter}), raw_tp through BPF_RAW_TRACEPOINT_OPEN, kprobe/tracepoint
   * directly to the emulated hook (`hook`, default the SEC() target).
   */
  attach(hook?: string): BpfLink {
    const k = this.obj.kernel;
    if (this.fd < 0) throw new BpfError(EINVAL, `attach: program '${this.name}' is not loaded`);
    const s = this.spec;
    if (s.type === ProgType.TRACING || s.type === ProgType.LSM) {
      if (hook !== undefined && hook !== s.attachTarget) throw new BpfError(EINVAL, `attach: ${s.section} programs attach to their SEC() target`);
      const fd = BpfError.check(k.bpf(Cmd.LINK_CREATE, { prog_fd: this.fd, attach_type: this.expectedAttachType }), `attach ${this.name}`);
      return new BpfLink(this.obj, fd, 'link', null);
    }
    if (s.type === ProgType.RAW_TRACEPOINT || s.type === ProgType.RAW_TRACEPOINT_WRITABLE) {
      const fd = BpfError.check(k.bpf(Cmd.RAW_TRACEPOINT_OPEN, { name: hook ?? s.attachTarget, prog_fd: this.fd }), `attach ${this.name}`);
      return new BpfLink(this.obj, fd, 'link', null);
    }
    const kind = hookKindOf(this.kernelProg);
    if (kind === 'kprobe' || kind === 'tracepoint') {
      const h = k.hooks.get(kind, hook ?? s.attachTarget);
      if (h === undefined) throw new BpfError(ENOENT, `attach ${this.name}: no ${kind} hook '${hook ?? s.attachTarget}'`);
      const p = this.kernelProg;
      // perf_event_attach_bpf_prog: a program calling bpf_override_return attaches only to an
      // error-injectable function (helpers/override.ts)
      if (kind === 'kprobe' && p.insns.some((i) => i.code === 0x85 && i.src === 0 && i.imm === BPF_FUNC_OVERRIDE_RETURN) && !isErrorInjectable(h.def.name)) {
        throw new BpfError(EINVAL, `attach ${this.name}: the program calls bpf_override_return and ${h.def.name} is not on the error-injection list`);
      }
      k.progInc(p);
      const link = attachToHook(k, p, h, LinkType.PERF_EVENT, 0);
      return new BpfLink(this.obj, k.newFd({ kind: 'link', obj: link }), 'hook', null);
    }
    throw new BpfError(EINVAL, `attach ${this.name}: ${s.typeName} programs have no emulated attach point`);
  }

  /**
   * bpf_program__attach_cgroup: a cgroup link (BPF_LINK_CREATE, multi semantics) of this program
   * at its expected attach type in the cgroup whose directory fd is `cgroupFd`
   * (`cgroupsOf(kernel).openFd(kernel, cg)`). Closing the link detaches it.
   */
  attachCgroup(cgroupFd: number): BpfLink {
    if (this.fd < 0) throw new BpfError(EINVAL, `attach_cgroup: program '${this.name}' is not loaded`);
    const fd = BpfError.check(this.obj.kernel.bpf(Cmd.LINK_CREATE, { prog_fd: this.fd, target_fd: cgroupFd, attach_type: this.expectedAttachType }), `attach_cgroup ${this.name}`);
    return new BpfLink(this.obj, fd, 'link', null);
  }

  /**
   * bpf_prog_attach_opts: BPF_PROG_ATTACH of this program to a cgroup (no flag: the one program;
   * BPF_F_ALLOW_OVERRIDE; BPF_F_ALLOW_MULTI, with `replace` for BPF_F_REPLACE). `attachType`
   * defaults to the expected attach type. Throws a BpfError with the kernel's errno.
   */
  attachToCgroup(cgroupFd: number, opts: { flags?: number; replace?: BpfProgram; attachType?: number; expectedRevision?: bigint } = {}): void {
    if (this.fd < 0) throw new BpfError(EINVAL, `prog_attach: program '${this.name}' is not loaded`);
    const attr = {
      target_fd: cgroupFd,
      attach_bpf_fd: this.fd,
      attach_type: opts.attachType ?? this.expectedAttachType,
      attach_flags: (opts.flags ?? 0) | (opts.replace !== undefined ? BPF_F_REPLACE : 0),
      replace_bpf_fd: opts.replace?.fd ?? 0,
      expected_revision: opts.expectedRevision ?? 0n,
    };
    BpfError.check(this.obj.kernel.bpf(Cmd.PROG_ATTACH, attr), `prog_attach ${this.name}`);
  }

  /** bpf_prog_detach2: BPF_PROG_DETACH of this program from a cgroup (at its expected attach type by default). */
  detachFromCgroup(cgroupFd: number, attachType?: number): void {
    BpfError.check(this.obj.kernel.bpf(Cmd.PROG_DETACH, { target_fd: cgroupFd, attach_bpf_fd: this.fd, attach_type: attachType ?? this.expectedAttachType }), `prog_detach ${this.name}`);
  }

  /**
   * bpf_program__assoc_struct_ops with libbpf's pre-checks (EINVAL without a syscall: program not
   * loaded, a struct_ops program, map not created, not a struct_ops map), then the command.
   */
  assocStructOps(map: BpfObjectMap, opts: { flags?: number } | null = null): void {
    // OPTS_VALID: unknown option fields are like non-zero bytes past the known struct: EINVAL.
    const unknown = opts === null ? [] : Object.keys(opts).filter((k) => k !== 'flags');
    if (unknown.length > 0) throw new BpfError(EINVAL, `bpf_prog_assoc_struct_ops_opts has unknown fields: ${unknown.join(', ')}`);
    if (this.fd < 0) throw new BpfError(EINVAL, `prog '${this.name}': can't associate BPF program without FD (was it loaded?)`);
    if (this.type === ProgType.STRUCT_OPS) throw new BpfError(EINVAL, `prog '${this.name}': can't associate struct_ops program`);
    if (map.fd < 0) throw new BpfError(EINVAL, `map '${map.name}': can't associate BPF map without FD (was it created?)`);
    if (map.spec.type !== BPF_MAP_TYPE.STRUCT_OPS) throw new BpfError(EINVAL, `map '${map.name}': can't associate BPF map other than struct_ops`);
    BpfError.check(this.obj.kernel.bpf(Cmd.PROG_ASSOC_STRUCT_OPS, { map_fd: map.fd, prog_fd: this.fd, flags: opts?.flags ?? 0 }), `prog '${this.name}': assoc struct_ops map '${map.name}'`);
  }

  /** Close the program fd. */
  close(): void {
    if (this.fd >= 0) this.obj.kernel.close(this.fd);
    this.fd = -1;
  }
}

/** One map of an object. */
export class BpfObjectMap {
  fd = -1;
  /** Map value as libbpf keeps it before load (global data initial bytes). */
  initial: Uint8Array | undefined;
  /** struct_ops: the kernel-side value with program fds (kern_vdata). */
  kernVdata: Uint8Array | undefined;
  /** struct_ops: data offsets of function slots and the program bound to each. */
  readonly structOpsSlots: { offset: number; prog: BpfProgram }[] = [];
  autocreate: boolean;
  valueSize: number;
  vmlinuxValueTypeId = 0;

  constructor(
    private readonly obj: BpfObject,
    readonly spec: MapSpec,
  ) {
    this.initial = spec.data?.slice();
    this.autocreate = spec.autocreate;
    this.valueSize = spec.valueSize;
  }

  get name(): string {
    return this.spec.name;
  }

  /** The object this map belongs to. */
  get object(): BpfObject {
    return this.obj;
  }

  /** The kernel's map object (after create). */
  get kernelMap(): KMap {
    const e = this.obj.kernel.mapEntry(this.fd);
    if (typeof e === 'number') throw new BpfError(ENOENT, `map '${this.name}' is not created`);
    return e.map;
  }

  /** Bytes of a user-space value (per-CPU maps: one rounded slot per CPU). */
  get userValueSize(): number {
    return isPerCpuValueType(this.spec.type) ? Math.ceil(this.valueSize / 8) * 8 * this.obj.kernel.nrCpus : this.valueSize;
  }

  private keyArg(key: Uint8Array | null): Uint8Array | null {
    if (key !== null && key.length !== this.spec.keySize) throw new BpfError(EINVAL, `map '${this.name}': key is ${key.length} bytes, key_size is ${this.spec.keySize}`);
    return key;
  }

  /** BPF_MAP_LOOKUP_ELEM; undefined for ENOENT. */
  lookup(key: Uint8Array | null, flags = 0): Uint8Array | undefined {
    const value = new Uint8Array(this.userValueSize);
    const err = this.obj.kernel.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: this.fd, key: this.keyArg(key), value, flags });
    if (err === -ENOENT) return undefined;
    BpfError.check(err, `map '${this.name}': lookup`);
    return value;
  }

  /** Per-CPU lookup: one value per CPU. */
  lookupPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    const v = this.lookup(key);
    if (v === undefined) return undefined;
    const slot = Math.ceil(this.valueSize / 8) * 8;
    return Array.from({ length: this.obj.kernel.nrCpus }, (_, c) => v.slice(c * slot, c * slot + this.valueSize));
  }

  /** BPF_MAP_UPDATE_ELEM. */
  update(key: Uint8Array | null, value: Uint8Array, flags = 0): void {
    // libbpf validates the value size before the syscall (the kernel would read past a short one)
    if (value.length !== this.userValueSize) {
      const percpu = this.userValueSize !== this.valueSize ? ` (a per-CPU value: ${this.obj.kernel.nrCpus} CPUs x ${Math.ceil(this.valueSize / 8) * 8} bytes)` : '';
      throw new BpfError(EINVAL, `map '${this.name}': value is ${value.length} bytes, value_size is ${this.valueSize}${percpu ? `; ${this.userValueSize} bytes expected${percpu}` : ''}`);
    }
    BpfError.check(this.obj.kernel.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: this.fd, key: this.keyArg(key), value, flags }), `map '${this.name}': update`);
  }

  /** BPF_MAP_DELETE_ELEM. */
  delete(key: Uint8Array | null): void {
    BpfError.check(this.obj.kernel.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: this.fd, key: this.keyArg(key) }), `map '${this.name}': delete`);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM (queue/stack pop when key is null); undefined for ENOENT. */
  lookupAndDelete(key: Uint8Array | null, flags = 0): Uint8Array | undefined {
    const value = new Uint8Array(this.userValueSize);
    const err = this.obj.kernel.bpf(Cmd.MAP_LOOKUP_AND_DELETE_ELEM, { map_fd: this.fd, key: this.keyArg(key), value, flags });
    if (err === -ENOENT) return undefined;
    BpfError.check(err, `map '${this.name}': lookup_and_delete`);
    return value;
  }

  /** Keys in BPF_MAP_GET_NEXT_KEY order. */
  keys(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let prev: Uint8Array | null = null;
    for (;;) {
      const next = new Uint8Array(this.spec.keySize);
      const err = this.obj.kernel.bpf(Cmd.MAP_GET_NEXT_KEY, { map_fd: this.fd, key: prev, next_key: next });
      if (err === -ENOENT) return out;
      BpfError.check(err, `map '${this.name}': get_next_key`);
      out.push(next);
      prev = next;
      if (out.length > 1 << 24) throw new BpfError(EINVAL, `map '${this.name}': iteration does not end`);
    }
  }

  /** [key, value] pairs in get_next_key order (entries deleted meanwhile are skipped). */
  entries(): [Uint8Array, Uint8Array][] {
    const out: [Uint8Array, Uint8Array][] = [];
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }

  /**
   * The map seen through its BTF key and value types: keys and values as JavaScript values
   * (integers, structs as objects, enums by name, per-CPU values as arrays; see api/typed.ts).
   * Throws for a map without a BTF value type.
   */
  typed<K extends TypedValue = TypedValue, V extends TypedValue = TypedValue>(): TypedMap<K, V> {
    const self = this;
    const bytes = {
      name: this.name,
      valueSize: this.valueSize,
      perCpu: isPerCpuValueType(this.spec.type),
      nrCpus: this.obj.kernel.nrCpus,
      lookup: (k: Uint8Array | null) => self.lookup(k),
      update: (k: Uint8Array | null, v: Uint8Array, f?: number) => self.update(k, v, f),
      delete: (k: Uint8Array | null) => self.delete(k),
      keys: () => self.keys(),
    };
    return typedMap(bytes, this.obj.spec.btf, this.spec.btfKeyTypeId, this.spec.btfValueTypeId) as TypedMap<K, V>;
  }

  /** A consumer of this RINGBUF map (records as bytes, or decoded by a BTF type: `drain('event')`). */
  ringbuf(): RingbufReader {
    const impl = this.kernelMap.impl;
    if (!(impl instanceof RingbufMap)) throw new BpfError(EINVAL, `map '${this.name}' is a ${mapTypeName(this.spec.type)}, not a ringbuf`);
    return new RingbufReader(impl, this.obj.spec.btf, this.name);
  }

  /**
   * The user-space mapping of this ARENA map that load() made (libbpf mmaps an arena right after
   * creating it, at map_extra when set): reads and writes at user addresses, on the same pages
   * programs use; untouched pages are allocated on first touch (BPF_F_SEGV_ON_FAULT: MapError MAP_SEGV).
   */
  arena(): ArenaMapping {
    if (this.arenaMapping === undefined) throw new BpfError(EINVAL, `map '${this.name}' is a ${mapTypeName(this.spec.type)}${this.fd < 0 ? ' not created yet' : ''}, not a mapped arena`);
    return this.arenaMapping;
  }

  /** Set by load() for an ARENA map. */
  arenaMapping: ArenaMapping | undefined;

  /** A perf buffer over this PERF_EVENT_ARRAY: one buffer per CPU, installed now (perf_buffer__new). */
  perfBuffer(pageCount = 8): PerfBufferReader {
    const impl = this.kernelMap.impl;
    if (!(impl instanceof PerfEventArrayMap)) throw new BpfError(EINVAL, `map '${this.name}' is a ${mapTypeName(this.spec.type)}, not a perf event array`);
    return new PerfBufferReader(impl, this.obj.spec.btf, this.name, pageCount);
  }

  /** BPF_MAP_FREEZE. */
  freeze(): void {
    BpfError.check(this.obj.kernel.bpf(Cmd.MAP_FREEZE, { map_fd: this.fd }), `map '${this.name}': freeze`);
  }

  /** Replace the value of a struct_ops map or global data before load (bpf_map__set_initial_value). */
  setInitialValue(value: Uint8Array): void {
    if (this.fd >= 0) throw new BpfError(EBUSY, `map '${this.name}': already created`);
    if (value.length !== this.valueSize) throw new BpfError(EINVAL, `map '${this.name}': initial value must be ${this.valueSize} bytes`);
    this.initial = value.slice();
  }

  /** The struct_ops value update (returns -errno; EBUSY means already populated). */
  writeStructOpsValue(): number {
    if (this.kernVdata === undefined || this.fd < 0) return -EINVAL;
    return this.obj.kernel.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: this.fd, key: new Uint8Array(4), value: this.kernVdata, flags: 0 });
  }

  /**
   * bpf_map__attach_struct_ops: update the map with the programs (EBUSY ignored only for link maps),
   * then BPF_LINK_CREATE for link maps, or a pseudo-link whose destroy deletes the element.
   */
  attachStructOps(): BpfLink {
    if (this.spec.type !== BPF_MAP_TYPE.STRUCT_OPS || this.fd < 0) throw new BpfError(EINVAL, `map '${this.name}': not a created struct_ops map`);
    const link = (this.spec.structOps?.link ?? false) === true;
    const err = this.writeStructOpsValue();
    if (err < 0 && !(err === -EBUSY && link)) throw new BpfError(-err, `map '${this.name}': failed to update struct_ops map`);
    if (!link) return new BpfLink(this.obj, this.fd, 'struct_ops_map', this);
    const fd = BpfError.check(this.obj.kernel.bpf(Cmd.LINK_CREATE, { prog_fd: this.fd, attach_type: AttachType.STRUCT_OPS }), `map '${this.name}': attach struct_ops`);
    return new BpfLink(this.obj, fd, 'link', this);
  }

  /** The kernel-side instance of a struct_ops map (to call members from TypeScript). */
  get structOpsInstance(): StructOpsInstance {
    const st = structOpsOf(this.kernelMap);
    if (st === undefined) throw new BpfError(EINVAL, `map '${this.name}' is not a struct_ops map`);
    return st.instance;
  }

  close(): void {
    if (this.fd >= 0) this.obj.kernel.close(this.fd);
    this.fd = -1;
  }
}

/** A global variable (`.bss`, `.data`, `.rodata`, `.kconfig`) by name. */
export class GlobalVariable {
  constructor(
    private readonly obj: BpfObject,
    readonly map: BpfObjectMap,
    readonly name: string,
    readonly offset: number,
    readonly size: number,
    /** The BTF VAR of the variable (0: none known). */
    readonly varTypeId = 0,
  ) {}

  /** Whether the variable's BTF type is a signed integer or enum (unknown types count as signed). */
  private get signed(): boolean {
    const btf = this.obj.spec.btf;
    if (btf === undefined || this.varTypeId === 0) return true;
    const v = btf.type(this.varTypeId);
    const t = btf.resolved(v.kind === 'VAR' ? v.type : v.id);
    return t.kind === 'INT' || t.kind === 'ENUM' || t.kind === 'ENUM64' ? t.signed : true;
  }

  /** The variable by its BTF type (see api/typed.ts); throws without BTF. */
  get value(): TypedValue {
    return this.codec().decode(this.get());
  }

  /** Write the variable by its BTF type, range-checked. */
  set value(v: TypedValue) {
    this.set(this.codec().encode(v));
  }

  /** The codec of the variable's type. */
  codec(): BtfCodec {
    const btf = this.obj.spec.btf;
    if (btf === undefined || this.varTypeId === 0) throw new BpfError(EINVAL, `variable ${this.name} has no BTF type: use get()/set() with bytes`);
    const v = btf.type(this.varTypeId);
    return new BtfCodec(btf, v.kind === 'VAR' ? v.type : v.id, `variable '${this.name}'`);
  }

  /** Current bytes: the initial value before load, the map's value after. */
  get(): Uint8Array {
    if (this.map.fd < 0) return (this.map.initial ?? new Uint8Array(this.map.valueSize)).slice(this.offset, this.offset + this.size);
    const v = this.map.lookup(new Uint8Array(4));
    if (v === undefined) throw new BpfError(ENOENT, `variable ${this.name}`);
    return v.slice(this.offset, this.offset + this.size);
  }

  /** Write bytes: into the initial value before load (works for `const volatile`), into the map after. */
  set(bytes: Uint8Array): void {
    if (bytes.length !== this.size) throw new BpfError(EINVAL, `variable ${this.name} is ${this.size} bytes, got ${bytes.length}`);
    if (this.map.fd < 0) {
      this.map.initial ??= new Uint8Array(this.map.valueSize);
      this.map.initial.set(bytes, this.offset);
      return;
    }
    const key = new Uint8Array(4);
    const v = this.map.lookup(key);
    if (v === undefined) throw new BpfError(ENOENT, `variable ${this.name}`);
    if (this.map.kernelMap.frozen) {
      throw new BpfError(EPERM, `variable ${this.name} is in ${this.map.spec.internal?.section ?? this.map.name}, frozen at load (const volatile): set it before load()`);
    }
    v.set(bytes, this.offset);
    this.map.update(key, v);
  }

  /**
   * The value as a little-endian integer (sizes 1, 2, 4, 8): signed or unsigned as its BTF type
   * says (signed when there is no BTF).
   */
  getInt(): bigint {
    const b = this.get();
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return this.signed ? BigInt.asIntN(b.length * 8, v) : v;
  }

  /**
   * Set a little-endian integer of the variable's size. Refuses (EINVAL) a fraction or a value
   * outside the type's range (its BTF signedness; without BTF, either signed or unsigned range).
   */
  setInt(value: bigint | number): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new BpfError(EINVAL, `variable ${this.name}: ${value} is not an integer`);
    const n = BigInt(value);
    const bits = BigInt(this.size * 8);
    const btf = this.obj.spec.btf !== undefined && this.varTypeId !== 0;
    const lo = btf && !this.signed ? 0n : -(1n << (bits - 1n));
    const hi = btf && this.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    const kind = btf ? (this.signed ? 'signed ' : 'unsigned ') : '';
    if (n < lo || n > hi) throw new BpfError(EINVAL, `variable ${this.name}: ${value} does not fit its ${this.size}-byte ${kind}type (${lo}..${hi})`);
    const b = new Uint8Array(this.size);
    let v = BigInt.asUintN(this.size * 8, n);
    for (let i = 0; i < this.size; i++) {
      b[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    this.set(b);
  }

  /** The object this variable belongs to. */
  get object(): BpfObject {
    return this.obj;
  }
}

/** An opened (and then loaded) BPF object. */
export class BpfObject {
  readonly programs: readonly BpfProgram[];
  readonly maps: readonly BpfObjectMap[];
  private btfFd = -1;
  private loaded = false;
  private closed = false;
  private readonly links: BpfLink[] = [];

  /** Links created by {@link attach}. */
  get attachedLinks(): readonly BpfLink[] {
    return this.links;
  }
  private readonly extFds: Map<number, { kind: 'kfunc' | 'ksym_var' | 'const'; value: bigint } | null> = new Map();

  /** Whether programs are verified at load ({@link OpenOptions.verify}); undefined: the kernel's setting. */
  private get verify(): boolean {
    return this.opts.verify ?? this.kernel.verifierEnabled;
  }

  private constructor(
    readonly spec: ObjectSpec,
    readonly kernel: Kernel,
    private readonly opts: OpenOptions,
  ) {
    this.programs = spec.programs.map((p) => new BpfProgram(this, p));
    this.maps = spec.maps.map((m) => new BpfObjectMap(this, m));
  }

  /** bpf_object__open_mem: parse and link the object (CO-RE applied). */
  static open(bytes: Uint8Array, opts: OpenOptions = {}): BpfObject {
    const kernel = opts.kernel ?? new Kernel(opts.kernelOptions ?? {});
    const lo: LoadObjectOptions = { ...(opts.name !== undefined ? { name: opts.name } : {}) };
    const target = opts.coreTarget ?? 'kernel';
    // the kernel's vmlinux BTF gets its id now and is built only if the object has CO-RE relocations
    if (target === 'kernel') kernel.reserveVmlinuxId();
    const spec = loadObjectSpec(bytes, target === 'local' ? lo : target === 'kernel' ? { ...lo, get coreTarget() { return kernel.vmlinuxBtf; } } : { ...lo, coreTarget: target });
    // Emulated kernel objects (tasks, typed ksyms) must have the layout the program was relocated
    // against: with a foreign or the local BTF as CO-RE target, they are laid out from it.
    if (target !== 'kernel') kernel.service<KernelObjects>('kobjects')?.setTargetBtf(target === 'local' ? (spec.btf ?? null) : target);
    return new BpfObject(spec, kernel, opts);
  }

  /** The program named `name` (the C function name). */
  program(name: string): BpfProgram {
    const p = this.programs.find((x) => x.name === name);
    if (p === undefined) throw new BpfError(ENOENT, `no program '${name}' in the object (${this.programs.map((x) => x.name).join(', ')})`);
    return p;
  }

  /** The map named `name` (variable name, or section / libbpf name for global data). */
  map(name: string): BpfObjectMap {
    const m = this.maps.find((x) => x.name === name || x.spec.internal?.section === name);
    if (m === undefined) throw new BpfError(ENOENT, `no map '${name}' in the object (${this.maps.map((x) => x.name).join(', ')})`);
    return m;
  }

  /** A global variable by name. */
  variable(name: string): GlobalVariable {
    for (const m of this.maps) {
      const v = m.spec.internal?.variables.find((x) => x.name === name);
      if (v !== undefined) return new GlobalVariable(this, m, name, v.offset, v.size, v.typeId);
    }
    throw new BpfError(ENOENT, `no global variable '${name}'`);
  }

  /**
   * Every global variable with a BTF type, as a property read and written by that type:
   * `obj.globals.blocked_port = 9999` (range-checked; before load it sets the initial value, which
   * is how `const volatile` knobs are set), `obj.globals.stats` after a run.
   */
  get globals(): Record<string, TypedValue> {
    const vars = new Map<string, { variable: () => GlobalVariable; codec: BtfCodec }>();
    for (const m of this.maps) {
      for (const v of m.spec.internal?.variables ?? []) {
        if (v.linkage === 'extern' || v.typeId === 0 || vars.has(v.name)) continue;
        const gv = new GlobalVariable(this, m, v.name, v.offset, v.size, v.typeId);
        vars.set(v.name, { variable: () => gv, codec: gv.codec() });
      }
    }
    return typedGlobals(vars);
  }

  /** bpf_object__load. Throws BpfError (with the verifier log in the message) on failure. */
  load(): void {
    if (this.loaded) throw new BpfError(EINVAL, 'object already loaded');
    if (this.closed) throw new BpfError(EINVAL, 'object is closed');
    try {
      this.initStructOps();
      this.loadBtf();
      this.fillKconfig();
      this.resolveExterns();
      for (const m of this.maps) if (m.autocreate) this.createMap(m);
      for (const p of this.programs) if (p.autoload) this.loadProgram(p);
      this.initSlots();
      this.prepareStructOps();
      this.loaded = true;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * Skeleton attach: auto-attachable programs (iter programs get an iterator link, as libbpf's
   * attach_iter makes), then struct_ops maps in map order.
   */
  attach(): BpfLink[] {
    const out: BpfLink[] = [];
    for (const p of this.programs) {
      if (p.fd < 0) continue;
      const t = p.type;
      const auto =
        t === ProgType.TRACING ||
        t === ProgType.LSM ||
        ((t === ProgType.RAW_TRACEPOINT || t === ProgType.RAW_TRACEPOINT_WRITABLE || t === ProgType.KPROBE || t === ProgType.TRACEPOINT) && p.spec.attachTarget !== '');
      if (!auto) continue;
      out.push(p.attach());
    }
    for (const m of this.maps) if (m.fd >= 0 && m.spec.type === BPF_MAP_TYPE.STRUCT_OPS) out.push(m.attachStructOps());
    this.links.push(...out);
    return out;
  }

  /** Fire an emulated hook (e.g. raw_tp `sys_enter` with `[regs, id]`): attached programs run in order. */
  fire(kind: 'raw_tp' | 'fentry' | 'lsm' | 'kprobe' | 'tracepoint', name: string, ev: HookEvent, opts: FireOptions = {}): FireResult[] {
    const out = fireHook(this.kernel, kind, name, ev).map((r: HookRunResult): FireResult => {
      const p = this.programs.find((q) => q.fd >= 0 && q.kernelProg === r.prog);
      return { prog: r.prog, program: p?.name ?? r.prog.name, retval: Number(BigInt.asUintN(32, r.retval)), fault: r.fault, ...(r.override !== undefined ? { override: r.override } : {}) };
    });
    if (opts.collectFaults !== true) {
      const f = out.find((r) => r.fault !== null);
      if (f !== undefined) throw new ProgramFaultError(this.fullNames(f.fault!));
    }
    return out;
  }

  /** `fault` naming its program by the object's name for it, not the kernel's 15-character one. */
  fullNames(fault: Fault): Fault {
    const short = fault.extra.program;
    if (short === undefined) return fault;
    const p = this.programs.find((q) => q.fd >= 0 && q.kernelProg.name === short && q.name !== short);
    return p === undefined ? fault : fault.with({ program: p.name });
  }

  /**
   * bpf_prog_query_opts for a cgroup (BPF_PROG_QUERY): the programs attached at `attachType` to
   * the cgroup whose directory fd is `cgroupFd` (or, `effective`, those a task there runs), with
   * the cgroup's attach flags, each program's attach flags (not for an effective query) and the
   * revision. Asks for the count first, then for the ids.
   */
  queryCgroup(cgroupFd: number, attachType: number, opts: { effective?: boolean } = {}): { attachFlags: number; progIds: number[]; progAttachFlags: number[] | null; revision: bigint } {
    const k = this.kernel;
    const base = { target_fd: cgroupFd, attach_type: attachType, query_flags: opts.effective === true ? 1 : 0 };
    const head: Record<string, number | bigint | Uint8Array> = { ...base, prog_cnt: 0, attach_flags: 0, revision: 0n };
    BpfError.check(k.bpf(Cmd.PROG_QUERY, head), 'prog_query');
    const n = head.prog_cnt as number;
    const ids = new Uint8Array(Math.max(n, 1) * 4);
    const flags = opts.effective === true ? null : new Uint8Array(Math.max(n, 1) * 4);
    const q: Record<string, number | bigint | Uint8Array> = { ...base, prog_cnt: n, attach_flags: 0, revision: 0n, prog_ids: ids };
    if (flags !== null) q.prog_attach_flags = flags;
    BpfError.check(k.bpf(Cmd.PROG_QUERY, q), 'prog_query');
    const m = Math.min(n, q.prog_cnt as number);
    const words = (b: Uint8Array): number[] => Array.from({ length: m }, (_, i) => new DataView(b.buffer).getUint32(i * 4, true));
    return { attachFlags: q.attach_flags as number, progIds: words(ids), progAttachFlags: flags === null ? null : words(flags), revision: q.revision as bigint };
  }

  /** bpf_object__close: destroy links, close programs and maps (struct_ops maps last). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.links) l.destroy();
    for (const p of this.programs) p.close();
    for (const m of this.maps) m.close();
    if (this.btfFd >= 0) this.kernel.close(this.btfFd);
    this.btfFd = -1;
  }

  // ---- load steps ---------------------------------------------------------------------------------

  /** bpf_map__init_kern_struct_ops for every struct_ops map, then libbpf's autoload adjustment. */
  private initStructOps(): void {
    const referencedBy = new Map<BpfProgram, boolean>();
    for (const m of this.maps) {
      const st = m.spec.structOps;
      if (st === undefined) continue;
      for (const mem of st.members) if (mem.program !== undefined) {
        const p = this.program(mem.program);
        referencedBy.set(p, (referencedBy.get(p) ?? false) || m.autocreate);
      }
      if (!m.autocreate) continue;
      const kt = kernStructOpsType(this.kernel.vmlinuxBtf, structEssentialName(st.typeName));
      if (kt === undefined) {
        const ess = structEssentialName(st.typeName);
        const hint = ess.startsWith('bpf_testmod') ? ' (the bpf_testmod test types exist with KernelOptions.testmod, bpfemu --testmod)' : '';
        throw new BpfError(ENOTSUPP, `struct_ops init_kern ${m.name}: struct bpf_struct_ops_${ess} is not found in kernel BTF${hint}`);
      }
      const vdata = new Uint8Array(kt.valueSize);
      for (const mem of st.members) {
        const km = kt.members.find((x) => x.name === mem.name);
        const local = st.data.subarray(mem.offset, mem.offset + mem.size);
        if (km === undefined) {
          if (local.some((b) => b !== 0) || mem.program !== undefined) {
            if (mem.program !== undefined && local.every((b) => b === 0)) {
              this.program(mem.program).autoload = false;
              continue;
            }
            throw new BpfError(ENOTSUPP, `struct_ops init_kern ${m.name}: member ${mem.name} not found in kernel BTF`);
          }
          continue;
        }
        if ((mem.kind === 'func') !== km.isFunc) throw new BpfError(ENOTSUPP, `struct_ops init_kern ${m.name}: member ${mem.name} kind differs from the kernel's`);
        if (mem.kind === 'func') {
          if (mem.program === undefined) continue;
          const p = this.program(mem.program);
          if (p.type !== ProgType.STRUCT_OPS) throw new BpfError(ENOTSUPP, `struct_ops init_kern ${m.name}: program ${p.name} is not a struct_ops program`);
          if (p.attachBtfId !== 0 && (p.attachBtfId !== kt.typeId || p.expectedAttachType !== km.index)) {
            throw new BpfError(EINVAL, `struct_ops init_kern ${m.name}: program ${p.name} is already used for another struct_ops type or member`);
          }
          p.attachBtfId = kt.typeId;
          p.expectedAttachType = km.index;
          m.structOpsSlots.push({ offset: kt.dataOffset + km.offset, prog: p });
        } else {
          if (mem.size !== km.size) throw new BpfError(ENOTSUPP, `struct_ops init_kern ${m.name}: member ${mem.name} size ${mem.size} differs from the kernel's ${km.size}`);
          vdata.set(local, kt.dataOffset + km.offset);
        }
      }
      m.kernVdata = vdata;
      m.valueSize = kt.valueSize;
      m.vmlinuxValueTypeId = kt.valueTypeId;
    }
    for (const [p, anyAuto] of referencedBy) p.autoload = anyAuto;
  }

  private loadBtf(): void {
    const btf = this.spec.btf;
    if (btf === undefined) return;
    const strings = new Set<string>();
    for (const p of this.spec.programs) for (const l of p.lineInfo) {
      strings.add(l.file);
      strings.add(l.text);
    }
    const lb = loadableBtf(btf, strings);
    this.lbtf = lb;
    this.btfFd = BpfError.check(this.kernel.bpf(Cmd.BTF_LOAD, { btf: lb.bytes, btf_size: lb.bytes.length }), 'load object BTF');
  }
  private lbtf: ReturnType<typeof loadableBtf> | undefined;

  /** .kconfig values (libbpf bpf_object__read_kconfig_mem + defaults it computes itself). */
  private fillKconfig(): void {
    const m = this.maps.find((x) => x.spec.internal?.section === '.kconfig');
    if (m === undefined) return;
    const data = m.initial ?? new Uint8Array(m.valueSize);
    m.initial = data;
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const user = this.opts.kconfig ?? {};
    for (const e of this.spec.externs) {
      if (e.kind !== 'kconfig' || e.kconfig === undefined) continue;
      const kc = e.kconfig;
      let v: string | number | bigint | boolean | undefined = user[e.name];
      if (v === undefined && e.name === 'LINUX_KERNEL_VERSION') v = kernelVersionCode(this.kernel.version);
      if (v === undefined && e.name === 'LINUX_HAS_SYSCALL_WRAPPER') v = 1;
      if (v === undefined && e.name === 'LINUX_HAS_BPF_COOKIE') v = 1;
      if (v === undefined) {
        if (e.weak) continue;
        throw new BpfError(ESRCH, `extern (kcfg) '${e.name}': value not found (pass it in OpenOptions.kconfig)`);
      }
      const n =
        kc.type === 'bool' || kc.type === 'tristate'
          ? v === true || v === 'y' ? 1 : v === 'm' ? 2 : v === false || v === 'n' ? 0 : Number(v)
          : typeof v === 'string' && kc.type !== 'char_array' ? Number(v) : v;
      if (kc.type === 'char_array') {
        const b = new TextEncoder().encode(String(n));
        data.set(b.subarray(0, kc.size - 1), kc.offset);
      } else {
        const big = BigInt.asUintN(kc.size * 8, BigInt(typeof n === 'boolean' ? Number(n) : (n as number | bigint)));
        for (let i = 0; i < kc.size; i++) dv.setUint8(kc.offset + i, Number((big >> BigInt(8 * i)) & 0xffn));
      }
    }
  }

  /** ksym and kfunc externs against the kernel's BTF and symbols (libbpf bpf_object__resolve_externs). */
  private resolveExterns(): void {
    this.spec.externs.forEach((e, idx) => {
      if (e.kind === 'kconfig') return;
      const vmlinux = this.kernel.vmlinuxBtf;
      const name = e.essentialName;
      if (e.kind === 'kfunc') {
        const kf = vmlinux.findByName(name, 'FUNC')[0];
        if (kf === undefined) {
          if (!e.weak) throw new BpfError(ESRCH, `extern (func ksym) '${e.name}': not found in kernel or module BTFs`);
          this.extFds.set(idx, null);
          return;
        }
        this.extFds.set(idx, { kind: 'kfunc', value: BigInt(kf.id) });
        return;
      }
      if (e.typeless) {
        const addr = this.kernel.service<(n: string) => bigint | undefined>('kallsyms')?.(name);
        if (addr === undefined) {
          if (!e.weak) throw new BpfError(ESRCH, `extern (ksym) '${e.name}': failed to find kernel symbol`);
          this.extFds.set(idx, null);
          return;
        }
        this.extFds.set(idx, { kind: 'const', value: addr });
        return;
      }
      const v = vmlinux.findByName(name, 'VAR')[0];
      if (v === undefined) {
        if (!e.weak) throw new BpfError(ESRCH, `extern (var ksym) '${e.name}': not found in kernel BTF`);
        this.extFds.set(idx, null);
        return;
      }
      this.extFds.set(idx, { kind: 'ksym_var', value: BigInt(v.id) });
    });
  }

  private createMap(m: BpfObjectMap): void {
    const s = m.spec;
    const k = this.kernel;
    let innerFd = 0;
    if (s.innerMap !== undefined) {
      const inner = new BpfObjectMap(this, s.innerMap);
      this.createMap(inner);
      innerFd = inner.fd;
    }
    const attr: Record<string, number | bigint | string | Uint8Array> = {
      map_type: s.type,
      key_size: s.keySize,
      value_size: m.valueSize,
      // libbpf sizes a perf event array without max_entries to the possible CPUs
      max_entries: s.type === BPF_MAP_TYPE.PERF_EVENT_ARRAY && s.maxEntries === 0 ? k.nrCpus : s.maxEntries,
      map_flags: s.flags,
      map_name: s.name.slice(0, 15).replace(/[^A-Za-z0-9_.]/g, '_'),
      numa_node: s.numaNode,
      map_extra: s.mapExtra,
    };
    if (innerFd > 0) attr.inner_map_fd = innerFd;
    if (s.type === BPF_MAP_TYPE.STRUCT_OPS) {
      attr.map_flags = s.structOps?.link === true ? BPF_F_LINK : 0;
      attr.btf_fd = this.btfFd;
      attr.btf_vmlinux_value_type_id = m.vmlinuxValueTypeId;
    } else if (this.btfFd >= 0 && s.btfValueTypeId !== 0 && !NO_BTF_IDS.has(s.type)) {
      attr.btf_fd = this.btfFd;
      attr.btf_key_type_id = s.btfKeyTypeId;
      attr.btf_value_type_id = s.btfValueTypeId;
    }
    let fd = k.bpf(Cmd.MAP_CREATE, attr);
    if (fd < 0 && attr.btf_value_type_id !== undefined && s.type !== BPF_MAP_TYPE.STRUCT_OPS) {
      // libbpf retries without BTF whenever creating the map with its BTF fails.
      delete attr.btf_fd;
      delete attr.btf_key_type_id;
      delete attr.btf_value_type_id;
      fd = k.bpf(Cmd.MAP_CREATE, attr);
    }
    if (innerFd > 0) k.close(innerFd);
    m.fd = BpfError.check(fd, `map '${s.name}': failed to create`);
    if (s.type === BPF_MAP_TYPE.ARENA) {
      // libbpf bpf_object__create_maps: mmap(map_extra, size, RW, MAP_SHARED[|MAP_FIXED]) then copy
      // the `.addr_space.1` globals to the start of the arena
      const impl = m.kernelMap.impl;
      const u = impl instanceof ArenaMap ? impl.mmap(s.mapExtra) : -EINVAL;
      if (typeof u === 'number') BpfError.check(u, `map '${s.name}': failed to mmap arena`);
      else {
        m.arenaMapping = u;
        if (s.arenaData !== undefined) u.write(u.start, s.arenaData);
      }
    }
    if (s.internal !== undefined && m.initial !== undefined) {
      m.update(new Uint8Array(4), m.initial);
      if (s.internal.readonly || (s.flags & BPF_F_RDONLY_PROG) !== 0) m.freeze();
    }
  }

  private loadProgram(p: BpfProgram): void {
    const k = this.kernel;
    const s = p.spec;
    const insns: RawInsn[] = s.insns.map((i) => ({ ...i }));
    for (let pc = 0; pc < insns.length; pc++) {
      const i = insns[pc]!;
      if (i.code === 0x18 && (i.src === LDDW_MAP_IDX || i.src === LDDW_MAP_IDX_VALUE)) {
        const m = this.maps[i.imm];
        if (m === undefined || m.fd < 0) throw new BpfError(ENOENT, `prog '${s.name}': relocation at insn ${pc} refers to map '${m?.name ?? i.imm}', which was not created`);
        i.src = i.src === LDDW_MAP_IDX ? LDDW_MAP_FD : LDDW_MAP_VALUE;
        i.imm = m.fd;
        pc++;
      } else if (i.code === 0x18 && i.src === 3) {
        const r = this.extFds.get(i.imm);
        const hi = insns[pc + 1]!;
        if (r === undefined || r === null) {
          i.src = 0;
          i.imm = 0;
          hi.imm = 0;
        } else if (r.kind === 'ksym_var') {
          i.imm = Number(r.value);
        } else {
          // kfunc existence check and typeless ksyms become constants (the kernel would load the address).
          const v = r.kind === 'kfunc' ? 0xffffffff81000000n + r.value : r.value;
          i.src = 0;
          i.imm = Number(v & 0xffffffffn) | 0;
          hi.imm = Number(v >> 32n) | 0;
        }
        pc++;
      } else if (i.code === 0x85 && i.src === 2) {
        const r = this.extFds.get(i.imm);
        if (r === undefined || r === null) {
          // A missing __weak kfunc: poisoned, faulting only if reached (libbpf poisons it too).
          i.src = 0;
          i.imm = POISON_HELPER_ID;
        } else i.imm = Number(r.value);
      } else if (i.code === 0x18) pc++;
    }
    let attachBtfId = p.attachBtfId;
    if (s.attachBtf && s.type !== ProgType.STRUCT_OPS) {
      attachBtfId = this.attachBtfIdFor(s);
    }
    const attr: Record<string, number | Uint8Array | string> = {
      prog_type: s.type,
      insn_cnt: insns.length,
      insns: writeInsns(insns, true),
      license: s.license,
      prog_name: s.name.slice(0, 15),
      expected_attach_type: p.expectedAttachType,
      attach_btf_id: attachBtfId,
      kern_version: this.spec.kernVersion,
      prog_flags: s.sleepable ? 1 << 4 : 0,
    };
    if (this.btfFd >= 0 && this.lbtf !== undefined && s.funcInfo.length > 0) {
      attr.prog_btf_fd = this.btfFd;
      const fi = new Uint8Array(s.funcInfo.length * 8);
      const fdv = new DataView(fi.buffer);
      s.funcInfo.forEach((f, j) => {
        fdv.setUint32(j * 8, f.pc, true);
        fdv.setUint32(j * 8 + 4, f.typeId, true);
      });
      attr.func_info = fi;
      attr.func_info_cnt = s.funcInfo.length;
      attr.func_info_rec_size = 8;
      if (s.lineInfo.length > 0) {
        const li = new Uint8Array(s.lineInfo.length * 16);
        const ldv = new DataView(li.buffer);
        const lb = this.lbtf;
        s.lineInfo.forEach((l, j) => {
          ldv.setUint32(j * 16, l.pc, true);
          ldv.setUint32(j * 16 + 4, lb.strOff(l.file), true);
          ldv.setUint32(j * 16 + 8, lb.strOff(l.text), true);
          ldv.setUint32(j * 16 + 12, ((l.line << 10) | (l.column & 0x3ff)) >>> 0, true);
        });
        attr.line_info = li;
        attr.line_info_cnt = s.lineInfo.length;
        attr.line_info_rec_size = 16;
      }
    }
    // log level 4 without a buffer: the statistics, kept on the program
    const priv = this.opts.privileged ?? true;
    const boot = this.opts.capSysBoot ?? priv === true;
    let fd = k.withPrivileges(priv, () => k.withVerifier(this.verify, () => k.bpf(Cmd.PROG_LOAD, { ...attr, log_level: this.opts.verifierLogLevel ?? 4 })), boot);
    if (fd < 0) {
      // A program type the emulated kernel has no implementation of: say so (the kernel's answer
      // to an unknown type is a bare EINVAL).
      if (k.progTypes.get(s.type) === undefined) {
        throw new BpfError(-fd, `prog '${s.name}': program type ${progTypeLabel(s.type)} (${s.type}, SEC("${s.section}")) is not emulated by bpfemu (BPF_PROG_LOAD refuses it)`);
      }
      // Retry with the verifier log for the error message, as libbpf does.
      const log = new Uint8Array(1 << 20);
      const err = fd;
      k.lastVerifierResult = null;
      k.withPrivileges(priv, () => k.withVerifier(this.verify, () => k.bpf(Cmd.PROG_LOAD, { ...attr, log_level: this.opts.verifierLogLevel ?? 1, log_buf: log, log_size: log.length })), boot);
      const vr = k.lastVerifierResult as VerifierResult | null;
      const text = vr !== null && !vr.ok ? vr.error.log.trim() : new TextDecoder().decode(log.subarray(0, Math.max(0, log.indexOf(0)))).trim();
      const where = vr !== null && !vr.ok && vr.error.pc >= 0 ? `\n-- at pc ${vr.error.pc}: ${vr.error.insn}${vr.error.source !== undefined ? ` (${vr.error.source.file}:${vr.error.source.line}: ${vr.error.source.text})` : ''}` : '';
      throw new BpfError(-err, `prog '${s.name}': BPF program load failed${text !== '' ? `\n${text}` : ''}${where}`, vr !== null && !vr.ok ? { cause: vr.error } : undefined);
    }
    p.fd = fd;
  }

  /** attach_btf_id for tp_btf/fentry/fexit/fmod_ret/lsm/iter programs (libbpf find_attach_btf_id). */
  private attachBtfIdFor(s: ProgramSpec): number {
    const btf = this.kernel.vmlinuxBtf;
    const lsm = s.type === ProgType.LSM;
    const rawTp = s.expectedAttachType === AttachType.TRACE_RAW_TP;
    const iter = s.expectedAttachType === AttachType.TRACE_ITER;
    const name = rawTp ? `btf_trace_${s.attachTarget}` : lsm ? `bpf_lsm_${s.attachTarget}` : iter ? `bpf_iter_${s.attachTarget}` : s.attachTarget;
    const t = btf.findByName(name, rawTp ? 'TYPEDEF' : 'FUNC')[0];
    if (t === undefined) throw new BpfError(ESRCH, `prog '${s.name}': failed to find kernel BTF type ID of '${s.attachTarget}'`);
    return t.id;
  }

  /** Static `.values = {...}` of prog arrays and map-in-map. */
  private initSlots(): void {
    for (const m of this.maps) {
      if (m.fd < 0 || m.spec.initSlots === undefined) continue;
      for (const slot of m.spec.initSlots) {
        const fd = slot.kind === 'prog' ? this.program(slot.target).fd : this.map(slot.target).fd;
        if (fd < 0) throw new BpfError(EINVAL, `map '${m.name}': slot ${slot.index} target '${slot.target}' was not loaded`);
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, slot.index, true);
        const v = new Uint8Array(4);
        new DataView(v.buffer).setUint32(0, fd, true);
        m.update(key, v);
      }
    }
  }

  /** bpf_object_prepare_struct_ops: program fds into kern_vdata (the map is written at attach). */
  private prepareStructOps(): void {
    for (const m of this.maps) {
      if (m.kernVdata === undefined) continue;
      const dv = new DataView(m.kernVdata.buffer);
      for (const slot of m.structOpsSlots) {
        if (slot.prog.fd < 0) continue;
        dv.setBigUint64(slot.offset, BigInt(slot.prog.fd), true);
      }
    }
  }

  /** Extern specs (exposed for tooling). */
  get externs(): readonly ExternSpec[] {
    return this.spec.externs;
  }
}
