/**
 * The verifier's view of each program type's context (struct bpf_verifier_ops.is_valid_access and
 * the parts of check_return_code, check_ld_abs and may_access_direct_pkt_data that depend on the
 * type), for the load-time verifier (src/verifier/api.ts {@link VCtx}).
 *
 * The ctx rules are derived from the same layouts and policies the run-time ctx regions use
 * (ctx.ts, skb.ts, xdp.ts): a field's kind fixes which sizes and offsets may be read or written,
 * the policy which fields; the verifier additionally learns the type of what a load yields
 * (packet pointers, flow keys, the socket, or a scalar of the load's width). The types without a
 * layout follow their 6.18 is_valid_access functions (kernel/trace/bpf_trace.c, net/core/filter.c,
 * kernel/bpf/syscall.c): plain byte arrays with bounds, alignment and read-only rules.
 * Every rule here was checked against Linux 6.18 (test/kernel/progtypes/vctx.test.ts).
 */
import { AttachType as A, ProgType as P } from '../../object/uapi.js';
import type { CtxAccessResult, VCtx } from '../../verifier/api.js';
import type { CtxField, CtxLayout, CtxPolicy } from './ctx.js';
import { SK_BUFF, SKB_POLICIES } from './skb.js';
import { XDP_MD, xdpPolicy } from './xdp.js';
import { fieldAccess } from './fieldctx.js';
import { fieldCtxOf } from './sockctx.js';

/** MAX_BPF_FUNC_ARGS: the u64 argument array of raw_tp and BTF-typed tracing programs. */
const MAX_BPF_FUNC_ARGS = 12;
/** sizeof(struct pt_regs) on x86-64 (kprobe ctx). */
const PT_REGS_SIZE = 168;
/** sizeof(struct bpf_perf_event_data) on x86-64: pt_regs, then u64 sample_period and u64 addr. */
const PERF_EVENT_DATA_SIZE = 184;
/** PERF_MAX_TRACE_SIZE: the largest tracepoint record. */
const PERF_MAX_TRACE_SIZE = 8192;
/** U16_MAX: syscall programs' ctx bound. */
const U16_MAX = 0xffff;

const NO: CtxAccessResult = { ok: false };
const WRITE_OK: CtxAccessResult = { ok: true, type: 'scalar' };
const SCALAR: readonly CtxAccessResult[] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((w) => ({ ok: true, type: 'scalar', width: w === 8 ? 0 : w }) as const);

/** The scalar a load of `size` bytes yields (coerce_reg_to_size: a narrower load is zero-extended). */
function scalar(size: number): CtxAccessResult {
  return SCALAR[size]!;
}

/** Pointer types of the pointer-valued ctx fields, by field name. */
const POINTER_FIELDS: Readonly<Record<string, CtxAccessResult>> = {
  data: { ok: true, type: 'pkt' },
  data_end: { ok: true, type: 'pkt_end' },
  data_meta: { ok: true, type: 'pkt_meta' },
  flow_keys: { ok: true, type: 'flow_keys' },
  sk: { ok: true, type: 'sock_common_or_null' },
};

/**
 * is_valid_access of a layout-described ctx (see the kind table in ctx.ts):
 *   u32        loads of 1, 2, 4 bytes naturally aligned inside the field; 4-byte stores
 *   u32-exact  4-byte loads and stores at the field
 *   pkt, ptr   loads of the field's whole size (4: packet pointers, 8: flow keys / sk); no stores
 *   u64        8-byte loads and stores at the field;  u8  1-byte loads at the field
 *   cb         as u32 for loads; stores of 1, 2, 4 aligned; 8 bytes over an even/odd cb pair
 */
function layoutAccess(layout: CtxLayout, policy: CtxPolicy, off: number, size: number, write: boolean): CtxAccessResult {
  if (!Number.isInteger(off) || off < 0 || off >= layout.size) return NO;
  const i = layout.byByte[off]!;
  if (i < 0) return NO;
  const f = layout.fields[i]!;
  if (!(write ? policy.write : policy.read).has(f.name)) return NO;
  if (f.kind === 'cb') {
    if (size === 8) return cbPair(layout, f, off) ? (write ? WRITE_OK : scalar(8)) : NO;
    if ((size !== 1 && size !== 2 && size !== 4) || off % size !== 0) return NO;
    return write ? WRITE_OK : scalar(size);
  }
  if (write) {
    if (f.kind !== 'u32' && f.kind !== 'u32-exact' && f.kind !== 'u64') return NO;
    return off === f.off && size === f.size ? WRITE_OK : NO;
  }
  if (f.kind === 'u32') {
    if ((size !== 1 && size !== 2 && size !== 4) || off % size !== 0) return NO;
    return scalar(size);
  }
  if (off !== f.off || size !== f.size) return NO;
  if (f.kind === 'pkt' || f.kind === 'ptr') return POINTER_FIELDS[f.name] ?? NO;
  return scalar(size);
}

/** An 8-byte cb access at `off` covers cb[2k] and cb[2k + 1]. */
function cbPair(layout: CtxLayout, f: CtxField, off: number): boolean {
  if (off !== f.off || f.index % 2 !== 0) return false;
  const j = off + 4 < layout.size ? layout.byByte[off + 4]! : -1;
  return j >= 0 && layout.fields[j]!.kind === 'cb';
}

/** bpf_tracing_ctx_access / raw_tp_prog_is_valid_access: aligned reads below `limit`, any size. */
function arrayRead(limit: number, off: number, size: number, write: boolean): CtxAccessResult {
  if (write || !validSize(size) || off < 0 || off >= limit || off % size !== 0) return NO;
  return scalar(size);
}

function validSize(size: number): boolean {
  return size === 1 || size === 2 || size === 4 || size === 8;
}

/** kprobe_prog_is_valid_access: read-only pt_regs, aligned, entirely inside the struct. */
function kprobeAccess(off: number, size: number, write: boolean): CtxAccessResult {
  if (write || !validSize(size) || off < 0 || off >= PT_REGS_SIZE || off % size !== 0 || off + size > PT_REGS_SIZE) return NO;
  return scalar(size);
}

/**
 * tp_prog_is_valid_access: the record after its 8-byte common header, read-only, aligned. The
 * kernel compares `off < sizeof(void *)` unsigned, so negative aligned offsets pass too (6.18 loads
 * `r0 = *(u64 *)(r1 - 8)` in a tracepoint program).
 */
function tracepointAccess(off: number, size: number, write: boolean): CtxAccessResult {
  if (write || !validSize(size) || (off >= 0 && off < 8) || off >= PERF_MAX_TRACE_SIZE || off % size !== 0) return NO;
  return scalar(size);
}

/**
 * pe_prog_is_valid_access: pt_regs members are read as whole 8-byte longs; sample_period and addr
 * (u64) also narrower, naturally aligned (bpf_ctx_narrow_access_ok).
 */
function perfEventAccess(off: number, size: number, write: boolean): CtxAccessResult {
  if (write || !validSize(size) || off < 0 || off >= PERF_EVENT_DATA_SIZE || off % size !== 0) return NO;
  if (off >= PT_REGS_SIZE) return off + size <= PERF_EVENT_DATA_SIZE ? scalar(size) : NO;
  return size === 8 ? scalar(8) : NO;
}

/** syscall_prog_is_valid_access: the caller's buffer, read and written at aligned offsets below U16_MAX. */
function syscallAccess(off: number, size: number): CtxAccessResult {
  if (!validSize(size) || off < 0 || off >= U16_MAX || off % size !== 0) return NO;
  return scalar(size);
}

/**
 * raw_tp_writable_prog_is_valid_access: the first u64 is the tracepoint's writable buffer
 * (PTR_TO_TP_BUFFER, given here as `ctx_mem`), read as 8 bytes; the rest as raw_tp.
 */
function rawTpWritableAccess(off: number, size: number, write: boolean): CtxAccessResult {
  if (off === 0) return size === 8 && !write ? { ok: true, type: 'ctx_mem' } : NO;
  return arrayRead(MAX_BPF_FUNC_ARGS * 8, off, size, write);
}

/** An argument of a BTF-typed ctx: an integer (or enum, bool) or a pointer. */
export type VCtxArg = 'scalar' | 'ptr' | { readonly ptr: string; readonly nullable?: boolean };

/** What BTF-typed ctx types (tracing, LSM, struct_ops) need to know of the attach target. */
export interface VCtxInfo {
  /**
   * The attach target's arguments in order (for tp_btf without the hidden `void *__data`; for
   * iterators the fields of `struct bpf_iter__<name>`); default: 12 scalars.
   */
  readonly args?: readonly VCtxArg[];
  /** The return value, readable after the arguments (fexit, fmod_ret, LSM). */
  readonly retval?: VCtxArg;
}

/**
 * btf_ctx_access: each argument (and the return value) has a u64 slot, read at its start (an
 * offset that is a multiple of 8): a scalar with any size, a pointer only as 8 bytes ("func
 * 'bpf_iter_task' size 4 must be 8").
 *
 * Missing: a pointer argument loads as a BTF pointer in the kernel (`trusted_ptr_task_struct()`,
 * `trusted_ptr_or_null_task_struct()` for iterator objects); {@link CtxAccessResult} has no such
 * type yet, so it is given as an unknown 64-bit scalar.
 */
function btfArgsAccess(info: VCtxInfo | undefined, off: number, size: number, write: boolean, trusted: boolean): CtxAccessResult {
  if (write || !validSize(size) || off < 0 || off >= MAX_BPF_FUNC_ARGS * 8 || off % size !== 0 || off % 8 !== 0) return NO;
  const args = info?.args ?? DEFAULT_BTF_ARGS;
  const i = off / 8;
  const arg = i < args.length ? args[i] : i === args.length ? info?.retval : undefined;
  if (arg === undefined) return NO;
  if (arg === 'scalar') return scalar(size);
  if (size !== 8) return NO;
  if (arg === 'ptr') return scalar(8);
  return { ok: true, type: 'btf_id', btfName: arg.ptr, nullable: arg.nullable === true, ...(trusted ? { trusted } : {}) };
}

/** prog_args_trusted (kernel/bpf/btf.c): tp_btf and iter tracing programs, LSM and struct_ops get PTR_TRUSTED arguments. */
function argsTrusted(progType: number, attachType: number): boolean {
  if (progType === P.TRACING) return attachType === A.TRACE_RAW_TP || attachType === A.TRACE_ITER;
  return progType === P.LSM || progType === P.STRUCT_OPS;
}

const DEFAULT_BTF_ARGS: readonly VCtxArg[] = new Array<VCtxArg>(MAX_BPF_FUNC_ARGS).fill('scalar');

function vctx(name: string, access: (off: number, size: number, write: boolean) => CtxAccessResult, ldAbs = false, pktWrite = false): VCtx {
  return { name, access, ldAbs, pktWrite };
}

/** may_access_skb: the types that may use BPF_LD_ABS / BPF_LD_IND. */
const LD_ABS_TYPES: ReadonlySet<number> = new Set([P.SOCKET_FILTER, P.SCHED_CLS, P.SCHED_ACT]);

/** may_access_direct_pkt_data(BPF_WRITE): the types that may store into the packet. */
const PKT_WRITE_TYPES: ReadonlySet<number> = new Set([P.SCHED_CLS, P.SCHED_ACT, P.XDP, P.LWT_XMIT, P.SK_SKB, P.SK_MSG, P.CGROUP_SOCKOPT]);

/**
 * The verifier's ctx rules of a program of `progType` loaded with `attachType`. Types whose ctx
 * the emulator does not model refuse every access.
 */
export function verifierCtxOf(progType: number, attachType: number, info?: VCtxInfo): VCtx {
  const ldAbs = LD_ABS_TYPES.has(progType);
  const pktWrite = PKT_WRITE_TYPES.has(progType);
  const skb = SKB_POLICIES.get(progType);
  if (skb !== undefined) return vctx(SK_BUFF.name, (off, size, write) => layoutAccess(SK_BUFF, skb, off, size, write), ldAbs, pktWrite);
  switch (progType) {
    case P.XDP: {
      const policy = xdpPolicy(attachType);
      return vctx(XDP_MD.name, (off, size, write) => layoutAccess(XDP_MD, policy, off, size, write), ldAbs, pktWrite);
    }
    case P.SYSCALL:
      return vctx('syscall ctx', (off, size) => syscallAccess(off, size));
    case P.RAW_TRACEPOINT:
      return vctx('bpf_raw_tracepoint_args', (off, size, write) => arrayRead(MAX_BPF_FUNC_ARGS * 8, off, size, write));
    case P.RAW_TRACEPOINT_WRITABLE:
      return vctx('bpf_raw_tracepoint_args', rawTpWritableAccess);
    case P.KPROBE:
      return vctx('pt_regs', kprobeAccess);
    case P.TRACEPOINT:
      return vctx('tracepoint record', tracepointAccess);
    case P.PERF_EVENT:
      return vctx('bpf_perf_event_data', perfEventAccess);
    case P.TRACING:
    case P.LSM:
    case P.STRUCT_OPS:
    case P.EXT:
      return vctx('u64 args', (off, size, write) => btfArgsAccess(info, off, size, write, argsTrusted(progType, attachType)));
    default: {
      // cgroup, socket and netfilter types: field tables shared with their run-time regions
      const f = fieldCtxOf(progType, attachType);
      if (f !== undefined) return vctx(f.name, (off, size, write) => fieldAccess(f, off, size, write), ldAbs, pktWrite);
      return vctx('ctx', () => NO, ldAbs, pktWrite);
    }
  }
}

/** cgroup_sock_addr attach types whose programs must return 1 (recvmsg, getpeername, getsockname). */
const SOCK_ADDR_ONE: ReadonlySet<number> = new Set([
  A.CGROUP_UDP4_RECVMSG, A.CGROUP_UDP6_RECVMSG, A.CGROUP_INET4_GETPEERNAME, A.CGROUP_INET6_GETPEERNAME, A.CGROUP_INET4_GETSOCKNAME,
  A.CGROUP_INET6_GETSOCKNAME, A.CGROUP_UNIX_RECVMSG, A.CGROUP_UNIX_GETPEERNAME, A.CGROUP_UNIX_GETSOCKNAME,
]);

/**
 * check_return_code's range for the main program's R0 at exit, or null for any scalar.
 *
 * Not covered: LSM (the hook's BTF return type decides: int hooks [-MAX_ERRNO, 0], bool hooks
 * [0, 1], void hooks any; null here), struct_ops (per member; null here), and the kprobe/uprobe
 * session attach types ([0, 1]).
 */
export function retRangeOf(progType: number, attachType: number): readonly [number, number] | null {
  switch (progType) {
    case P.CGROUP_SKB:
      return attachType === A.CGROUP_INET_EGRESS ? [0, 3] : [0, 1];
    case P.CGROUP_SOCK_ADDR:
      if (SOCK_ADDR_ONE.has(attachType)) return [1, 1];
      if (attachType === A.CGROUP_INET4_BIND || attachType === A.CGROUP_INET6_BIND) return [0, 3];
      return [0, 1];
    case P.CGROUP_SOCK:
    case P.SOCK_OPS:
    case P.CGROUP_DEVICE:
    case P.CGROUP_SYSCTL:
    case P.CGROUP_SOCKOPT:
    case P.SK_LOOKUP:
    case P.NETFILTER:
      return [0, 1];
    case P.TRACING:
      if (attachType === A.TRACE_FENTRY || attachType === A.TRACE_FEXIT) return [0, 0];
      return attachType === A.TRACE_ITER ? [0, 1] : null;
    case P.KPROBE:
      return attachType === A.TRACE_KPROBE_SESSION || attachType === A.TRACE_UPROBE_SESSION ? [0, 1] : null;
    default:
      return null;
  }
}
