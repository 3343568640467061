/**
 * Tracing helpers over an emulated call stack, cgroup and signal log (kernel/bpf/stackmap.c,
 * kernel/trace/bpf_trace.c, kernel/bpf/helpers.c, Linux 6.18):
 *
 *   bpf_get_stack (67), bpf_get_task_stack (141)   the task's kernel or user call stack
 *   bpf_get_stackid (27)                            the stack's id in a STACK_TRACE map
 *   bpf_get_func_ip (173)                           the traced function's address
 *   bpf_get_func_arg (183), _ret (184), _arg_cnt (185)   fentry/fexit/fmod_ret/LSM arguments
 *   bpf_get_current_cgroup_id (80), bpf_get_current_ancestor_cgroup_id (123)
 *   bpf_send_signal (109), bpf_send_signal_thread (117)   recorded, not delivered
 *   bpf_read_branch_records (119)                   -ENOENT: the emulated CPU has no LBR
 *
 * The emulated state, set from user code through the functions below (each stored as a host
 * service, so it belongs to one kernel):
 * - call stacks per task pid ({@link setTaskStack}), and one for the duration of a callback
 *   ({@link withCallStack}: the stack "of this event"); a stack is a list of return addresses,
 *   innermost first, kernel and user apart. Without one a task's stacks are empty;
 * - the current task's cgroup: the emulated cgroup v2 hierarchy of maps/cgroups.ts
 *   (`cgroupsOf(kernel).current`, default the root, id 1), which CGROUP_ARRAY, cgroup storage and
 *   bpf_current_task_under_cgroup use too;
 * - signals the programs sent ({@link sentSignals});
 * - function addresses for bpf_get_func_ip ({@link setFuncAddress}; default: a fixed address per
 *   function name in the kernel text range, see {@link funcAddress}).
 *
 * Availability follows 6.18's get_func_proto tables as recorded on the kernel
 * (test/helpers/helper-protos.json); bpf_get_stackid is GPL-only except for perf_event programs in
 * the kernel (bpf_get_stackid_proto_pe), one flag here. Not emulated: user build ids (the
 * BPF_F_USER_BUILD_ID records say BPF_STACK_BUILD_ID_IP with the address).
 */
import { AttachType as A, ProgType as P } from '../object/uapi.js';
import type { Machine } from '../vm/machine.js';
import { RegionKind } from '../vm/memory.js';
import { ctxArg, mapArg, memArgOrZero, memArg } from './args.js';
import { BPF_F_FAST_STACK_CMP, BPF_F_REUSE_STACKID, StackTraceMap } from '../maps/stack-trace.js';
import { cgroupsOf, type Cgroup } from '../maps/cgroups.js';
import { hostOf, type HelperHost } from './host.js';
import { TRACING_TYPES } from './progtypes.js';
import type { HelperDef, HelperProto } from './registry.js';

const EINVAL = 22;
const EFAULT = 14;
const ENOENT = 2;
const EOPNOTSUPP = 95;
const EPERM = 1;

/** BPF_F_SKIP_FIELD_MASK, BPF_F_USER_STACK, BPF_F_USER_BUILD_ID. */
export const BPF_F_SKIP_FIELD_MASK = 0xff;
export const BPF_F_USER_STACK = 1 << 8;
export const BPF_F_USER_BUILD_ID = 1 << 11;
/** BPF_F_GET_BRANCH_RECORDS_SIZE. */
export const BPF_F_GET_BRANCH_RECORDS_SIZE = 1;
/** sysctl kernel.perf_event_max_stack (default). */
export const PERF_EVENT_MAX_STACK = 127;
/** sizeof(struct bpf_stack_build_id); BPF_STACK_BUILD_ID_IP. */
const BUILD_ID_SIZE = 32;
const BUILD_ID_IP = 2;
/** _NSIG: valid signals are 0..64. */
const NSIG = 64;

/** A call stack: return addresses, innermost first. */
export interface CallStack {
  readonly kernel?: readonly bigint[];
  readonly user?: readonly bigint[];
}

/** One signal a program sent. */
export interface SentSignal {
  readonly sig: number;
  /** bpf_send_signal_thread: the thread only (PIDTYPE_PID), else the process (PIDTYPE_TGID). */
  readonly thread: boolean;
  readonly pid: number;
  readonly tgid: number;
}

interface TracingState {
  readonly stacks: Map<number, CallStack>;
  eventStack: CallStack | null;
  readonly signals: SentSignal[];
  readonly funcAddrs: Map<string, bigint>;
}

const SERVICE = 'tracing';

function state(host: HelperHost): TracingState {
  let s = host.service<TracingState>(SERVICE);
  if (s === undefined) {
    s = { stacks: new Map(), eventStack: null, signals: [], funcAddrs: new Map() };
    host.provide(SERVICE, s);
  }
  return s;
}

/** Set the call stack of the task `pid` (what its events and bpf_get_task_stack see). */
export function setTaskStack(host: HelperHost, pid: number, stack: CallStack): void {
  state(host).stacks.set(pid, stack);
}

/** Run `fn` with `stack` as the current task's call stack (the stack of one event), then restore. */
export function withCallStack<T>(host: HelperHost, stack: CallStack, fn: () => T): T {
  const s = state(host);
  const saved = s.eventStack;
  s.eventStack = stack;
  try {
    return fn();
  } finally {
    s.eventStack = saved;
  }
}

/** The signals programs sent so far (oldest first). */
export function sentSignals(host: HelperHost): readonly SentSignal[] {
  return state(host).signals;
}

/** Give function `name` the address bpf_get_func_ip reports. */
export function setFuncAddress(host: HelperHost, name: string, addr: bigint): void {
  state(host).funcAddrs.set(name, BigInt.asUintN(64, addr));
}

/**
 * A function's address: the one set with {@link setFuncAddress}, else a fixed one derived from
 * its name (FNV-1a, 16-byte aligned) in the x86-64 kernel text range 0xffffffff81000000..+16 MiB.
 */
export function funcAddress(host: HelperHost, name: string): bigint {
  const set = state(host).funcAddrs.get(name);
  if (set !== undefined) return set;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return 0xffffffff81000000n + BigInt((h & 0xfffff) << 4);
}

/** The stack of the current task: the event's, else the task's own. */
function currentStack(host: HelperHost): CallStack {
  const s = state(host);
  return s.eventStack ?? s.stacks.get(host.currentTask().pid) ?? {};
}

/** The hook (attach target) the running program is attached to: its name, or undefined. */
interface ProgLike {
  readonly type: number;
  readonly expectedAttachType: number;
  readonly attachBtfId: number;
}
interface HookLike {
  readonly def: { readonly name: string; readonly params: readonly unknown[] };
  readonly links: readonly { readonly prog: unknown }[];
}
interface HooksService {
  byBtfId(id: number): HookLike | undefined;
  all(): HookLike[];
}

function progOf(m: Machine): ProgLike | undefined {
  const o = m.prog?.owner as Partial<ProgLike> | undefined;
  return o !== undefined && typeof o.type === 'number' ? (o as ProgLike) : undefined;
}

/** The hook of the running program: by its attach BTF id (trampolines), else the first it is linked to. */
function hookOf(m: Machine): HookLike | undefined {
  const hooks = (hostOf(m) as unknown as { hooks?: HooksService }).hooks;
  const prog = progOf(m);
  if (hooks === undefined || prog === undefined) return undefined;
  if (prog.attachBtfId !== 0) {
    const h = hooks.byBtfId(prog.attachBtfId);
    if (h !== undefined) return h;
  }
  const owner = m.prog?.owner;
  return hooks.all().find((h) => h.links.some((l) => l.prog === owner));
}

/**
 * __bpf_get_stack: copy up to size / elem_size addresses (after `skip`) into buf, zero the rest
 * of buf, return the bytes copied; on an error zero buf and return it.
 */
function getStack(m: Machine, name: string, stack: CallStack, bufReg: number, crossTask: boolean): void {
  const size = m.argU32(bufReg + 1);
  const flags = m.argU64(bufReg + 2);
  const off = memArgOrZero(m, bufReg, size, true, name, 'buf');
  const buf = size === 0 ? new Uint8Array(0) : m.mem.bytes(m.hi[bufReg]!).subarray(off, off + size);
  const fail = (err: number): void => {
    buf.fill(0);
    m.setR0Big(BigInt(-err));
  };
  if ((flags & ~BigInt(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID)) !== 0n) return fail(EINVAL);
  const f = Number(flags);
  const skip = f & BPF_F_SKIP_FIELD_MASK;
  const user = (f & BPF_F_USER_STACK) !== 0;
  const buildId = (f & BPF_F_USER_BUILD_ID) !== 0;
  if (!user && buildId) return fail(EINVAL);
  const elem = buildId ? BUILD_ID_SIZE : 8;
  if (size % elem !== 0) return fail(EINVAL);
  // get_perf_callchain does not walk another task's user stack
  if (crossTask && user) return fail(EOPNOTSUPP);
  const num = size / elem;
  const maxDepth = Math.min(num + skip, PERF_EVENT_MAX_STACK);
  const frames = (user ? stack.user : stack.kernel) ?? [];
  const nr = Math.min(frames.length, maxDepth);
  if (nr < skip) return fail(EFAULT);
  const n = Math.min(nr - skip, num);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  buf.fill(0);
  for (let i = 0; i < n; i++) {
    const ip = BigInt.asUintN(64, frames[skip + i]!);
    if (buildId) {
      dv.setInt32(i * elem, BUILD_ID_IP, true);
      dv.setBigUint64(i * elem + 24, ip, true);
    } else dv.setBigUint64(i * 8, ip, true);
  }
  m.setR0(n * elem, 0);
}

/** bpf_get_stack(ctx, buf, size, flags): the current task's stack at the event. */
function bpfGetStack(m: Machine): void {
  ctxArg(m, 1, 'bpf_get_stack');
  getStack(m, 'bpf_get_stack', currentStack(hostOf(m)), 2, false);
}

/**
 * bpf_get_stackid(ctx, map, flags): the current stack (kernel, or user with BPF_F_USER_STACK),
 * at most the map's depth after `skip` entries, stored in the STACK_TRACE map; its id or -errno.
 */
function bpfGetStackid(m: Machine): void {
  const H = 'bpf_get_stackid';
  ctxArg(m, 1, H);
  const map = mapArg(m, 2, H);
  if (!(map instanceof StackTraceMap)) throw m.fail('helper', `${H} r2 (map): map '${map.name}' is not a stack_trace map`);
  const flags = m.argU64(3);
  if ((flags & ~BigInt(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID)) !== 0n) return m.setR0Big(BigInt(-EINVAL));
  const f = Number(flags);
  const skip = f & BPF_F_SKIP_FIELD_MASK;
  const stack = currentStack(hostOf(m));
  const frames = ((f & BPF_F_USER_STACK) !== 0 ? stack.user : stack.kernel) ?? [];
  const maxDepth = Math.min(map.maxDepth + skip, PERF_EVENT_MAX_STACK);
  m.setR0Num(map.getStackId(frames.slice(0, maxDepth), skip, f));
}

/** The pid of the task_struct `ptr` points to (the current task, init or an added task), or undefined. */
function taskPid(host: HelperHost, ptr: bigint): number | undefined {
  if (ptr === host.currentTaskPointer()) return host.currentTask().pid;
  const ko = host.service<{ taskList(build?: boolean): { pid: number; obj: { pointer: bigint } }[] }>('kobjects');
  return ko?.taskList().find((t) => t.obj.pointer === ptr)?.pid;
}

/** bpf_get_task_stack(task, buf, size, flags): that task's stack; another task's user stack is -EOPNOTSUPP. */
function bpfGetTaskStack(m: Machine): void {
  const H = 'bpf_get_task_stack';
  const host = hostOf(m);
  const ptr = m.argU64(1);
  const pid = taskPid(host, ptr);
  if (pid === undefined) throw m.fail('helper', `${H} r1 (task): 0x${ptr.toString(16)} is not a task_struct of the emulated kernel`);
  const current = pid === host.currentTask().pid;
  const stack = current ? currentStack(host) : (state(host).stacks.get(pid) ?? {});
  getStack(m, H, stack, 2, !current);
}

/** bpf_get_func_ip(ctx): the traced function's address (kprobes at a function entry, trampolines). */
function bpfGetFuncIp(m: Machine): void {
  ctxArg(m, 1, 'bpf_get_func_ip');
  const hook = hookOf(m);
  m.setR0Big(hook === undefined ? 0n : funcAddress(hostOf(m), hook.def.name));
}

/** The u64 argument array of a trampoline ctx and the traced function's argument count. */
function trampolineArgs(m: Machine, helper: string): { view: DataView; nrArgs: number } {
  ctxArg(m, 1, helper);
  const id = m.hi[1]!;
  if (m.mem.kindOf(id) !== RegionKind.CTX) throw m.fail('helper', `${helper} r1 (ctx): not the program's context`);
  const bytes = m.mem.bytes(id);
  const hook = hookOf(m);
  const nrArgs = hook?.def.params.length ?? Math.floor(bytes.length / 8);
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), nrArgs };
}

/** bpf_get_func_arg(ctx, n, *value): argument n, or -EINVAL (value 0) past the last. */
function bpfGetFuncArg(m: Machine): void {
  const H = 'bpf_get_func_arg';
  const { view, nrArgs } = trampolineArgs(m, H);
  const n = m.argU64(2);
  const off = memArg(m, 3, 8, true, H, 'value');
  const out = new DataView(m.mem.bytes(m.hi[3]!).buffer, m.mem.bytes(m.hi[3]!).byteOffset + off, 8);
  if (n >= BigInt(nrArgs) || (Number(n) + 1) * 8 > view.byteLength) {
    out.setBigUint64(0, 0n, true);
    m.setR0Big(BigInt(-EINVAL));
    return;
  }
  out.setBigUint64(0, view.getBigUint64(Number(n) * 8, true), true);
  m.setR0(0, 0);
}

/** bpf_get_func_ret(ctx, *value): fexit/fmod_ret read the return value after the arguments; fentry -EOPNOTSUPP. */
function bpfGetFuncRet(m: Machine): void {
  const H = 'bpf_get_func_ret';
  const { view, nrArgs } = trampolineArgs(m, H);
  const off = memArg(m, 2, 8, true, H, 'value');
  const prog = progOf(m);
  if (prog === undefined || (prog.expectedAttachType !== A.TRACE_FEXIT && prog.expectedAttachType !== A.MODIFY_RETURN)) {
    m.setR0Big(BigInt(-EOPNOTSUPP));
    return;
  }
  const b = m.mem.bytes(m.hi[2]!);
  const v = (nrArgs + 1) * 8 <= view.byteLength ? view.getBigUint64(nrArgs * 8, true) : 0n;
  new DataView(b.buffer, b.byteOffset + off, 8).setBigUint64(0, v, true);
  m.setR0(0, 0);
}

/** bpf_get_func_arg_cnt(ctx): the traced function's argument count. */
function bpfGetFuncArgCnt(m: Machine): void {
  m.setR0(trampolineArgs(m, 'bpf_get_func_arg_cnt').nrArgs, 0);
}

/** bpf_get_current_cgroup_id: the id of the current task's cgroup (v2). */
function bpfGetCurrentCgroupId(m: Machine): void {
  m.setR0Big(cgroupsOf(hostOf(m)).current.id);
}

/** bpf_get_current_ancestor_cgroup_id(level): the ancestor at `level` (0: the root), 0 for a level outside [0, the cgroup's level]. */
function bpfGetCurrentAncestorCgroupId(m: Machine): void {
  const level = m.argS32(1);
  let c: Cgroup | null = cgroupsOf(hostOf(m)).current;
  if (level < 0 || level > c.level) return m.setR0(0, 0);
  for (let up = c.level - level; up > 0 && c !== null; up--) c = c.parent;
  m.setR0Big(c?.id ?? 0n);
}

/**
 * bpf_send_signal_common: -EPERM for a kernel thread or init (pid 1), -EINVAL for a signal
 * above 64; else the signal is recorded for the current process (or thread) and 0 returned.
 * Signal 0 only checks permission: nothing is recorded.
 */
function sendSignal(thread: boolean): (m: Machine) => void {
  return (m) => {
    const host = hostOf(m);
    const sig = m.argU32(1);
    const t = host.currentTask();
    if (t.pid === 0 || t.tgid === 1) return m.setR0Big(BigInt(-EPERM));
    if (sig > NSIG) return m.setR0Big(BigInt(-EINVAL));
    if (sig !== 0) state(host).signals.push({ sig, thread, pid: t.pid, tgid: t.tgid });
    m.setR0(0, 0);
  };
}

/** bpf_read_branch_records: bad flags -EINVAL; no branch stack on the emulated CPU: -ENOENT. */
function bpfReadBranchRecords(m: Machine): void {
  ctxArg(m, 1, 'bpf_read_branch_records');
  const flags = m.argU64(4);
  m.setR0Big(BigInt((flags & ~BigInt(BPF_F_GET_BRANCH_RECORDS_SIZE)) !== 0n ? -EINVAL : -ENOENT));
}

const STACK_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'ctx' }, { kind: 'mem', uninit: true }, { kind: 'size_or_zero' }, { kind: 'anything' }] };
const TASK_STACK_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'btf_id', btfType: 'task_struct' }, { kind: 'mem', uninit: true }, { kind: 'size_or_zero' }, { kind: 'anything' }] };
const STACKID_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'ctx' }, { kind: 'map' }, { kind: 'anything' }] };
const CTX_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'ctx' }] };
const NO_ARGS: HelperProto = { ret: 'integer', args: [] };
const ONE_ARG: HelperProto = { ret: 'integer', args: [{ kind: 'anything' }] };
const FUNC_ARG_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'ctx' }, { kind: 'anything' }, { kind: 'mem', uninit: true, fixedSize: 8 }] };
const FUNC_RET_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'ctx' }, { kind: 'mem', uninit: true, fixedSize: 8 }] };
const BRANCH_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'ctx' }, { kind: 'mem', uninit: true, nullable: true }, { kind: 'size_or_zero' }, { kind: 'anything' }] };

/**
 * Trampoline programs (bpf_prog_has_trampoline): fentry, fexit and fmod_ret tracing programs and
 * BPF LSM programs.
 */
const TRAMPOLINE_TYPES: readonly number[] = [P.TRACING, P.LSM];
const TRAMPOLINE_ATTACH: readonly number[] = [A.TRACE_FENTRY, A.TRACE_FEXIT, A.MODIFY_RETURN, A.LSM_MAC];

/**
 * bpf_get_func_ip: get_func_proto offers it to every tracing type, but the verifier
 * (check_get_func_ip) takes it only from kprobes (expected attach type 0, kprobe_multi, session)
 * and fentry/fexit/fmod_ret programs; the emulator offers it only there.
 */
const FUNC_IP_ATTACH: readonly number[] = [0, A.TRACE_FENTRY, A.TRACE_FEXIT, A.MODIFY_RETURN, A.TRACE_KPROBE_MULTI, A.TRACE_KPROBE_SESSION];

/** The tracing helper family. */
export function tracingHelpers(): HelperDef[] {
  const family = 'tracing';
  return [
    { id: 27, name: 'get_stackid', fn: bpfGetStackid, proto: STACKID_PROTO, gplOnly: true, progTypes: TRACING_TYPES, family },
    { id: 67, name: 'get_stack', fn: bpfGetStack, proto: STACK_PROTO, gplOnly: true, progTypes: TRACING_TYPES, family },
    { id: 141, name: 'get_task_stack', fn: bpfGetTaskStack, proto: TASK_STACK_PROTO, family },
    { id: 173, name: 'get_func_ip', fn: bpfGetFuncIp, proto: CTX_PROTO, gplOnly: true, progTypes: [P.KPROBE, P.TRACING], attachTypes: FUNC_IP_ATTACH, family },
    { id: 183, name: 'get_func_arg', fn: bpfGetFuncArg, proto: FUNC_ARG_PROTO, gplOnly: true, progTypes: TRAMPOLINE_TYPES, attachTypes: TRAMPOLINE_ATTACH, family },
    { id: 184, name: 'get_func_ret', fn: bpfGetFuncRet, proto: FUNC_RET_PROTO, gplOnly: true, progTypes: TRAMPOLINE_TYPES, attachTypes: TRAMPOLINE_ATTACH, family },
    { id: 185, name: 'get_func_arg_cnt', fn: bpfGetFuncArgCnt, proto: CTX_PROTO, gplOnly: true, progTypes: TRAMPOLINE_TYPES, attachTypes: TRAMPOLINE_ATTACH, family },
    { id: 80, name: 'get_current_cgroup_id', fn: bpfGetCurrentCgroupId, proto: NO_ARGS, family },
    { id: 123, name: 'get_current_ancestor_cgroup_id', fn: bpfGetCurrentAncestorCgroupId, proto: ONE_ARG, family },
    { id: 109, name: 'send_signal', fn: sendSignal(false), proto: ONE_ARG, family },
    { id: 117, name: 'send_signal_thread', fn: sendSignal(true), proto: ONE_ARG, family },
    { id: 119, name: 'read_branch_records', fn: bpfReadBranchRecords, proto: BRANCH_PROTO, gplOnly: true, progTypes: [P.PERF_EVENT], family },
  ];
}
