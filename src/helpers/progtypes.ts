/**
 * Program-type groups for helper availability, after the kernel's get_func_proto chains (Linux
 * 6.18): bpf_base_func_proto (kernel/bpf/helpers.c) serves every program type, with its CAP_BPF and
 * CAP_PERFMON tiers open since the emulated caller is root; bpf_tracing_func_proto
 * (kernel/trace/bpf_trace.c) adds the tracing-only helpers for the types whose get_func_proto
 * falls back to it; bpf_sk_base_func_proto (net/core/filter.c) adds the networking ones.
 */
import { ProgType as P } from '../object/uapi.js';

/**
 * Types whose get_func_proto reaches bpf_tracing_func_proto: kprobe, tracepoint, perf_event,
 * raw_tp (raw_tp_prog_func_proto), tracing and LSM (tracing_prog_func_proto) and syscall
 * (syscall_prog_func_proto → tracing_prog_func_proto).
 */
export const TRACING_TYPES: readonly number[] = [P.KPROBE, P.TRACEPOINT, P.PERF_EVENT, P.RAW_TRACEPOINT, P.RAW_TRACEPOINT_WRITABLE, P.TRACING, P.LSM, P.SYSCALL];

/**
 * is_tracing_prog_type (kernel/bpf/verifier.c): these may not use maps holding a bpf_spin_lock
 * or a bpf_timer ("tracing progs cannot use bpf_timer yet", check_map_prog_compatibility).
 */
export const STRICT_TRACING_TYPES: readonly number[] = [P.KPROBE, P.TRACEPOINT, P.PERF_EVENT, P.RAW_TRACEPOINT, P.RAW_TRACEPOINT_WRITABLE];

/** Networking and cgroup types whose get_func_proto reaches bpf_sk_base_func_proto or its cgroup cousins. */
export const NET_TYPES: readonly number[] = [
  P.SOCKET_FILTER, P.SCHED_CLS, P.SCHED_ACT, P.XDP, P.CGROUP_SKB, P.CGROUP_SOCK, P.LWT_IN, P.LWT_OUT, P.LWT_XMIT,
  P.SOCK_OPS, P.SK_SKB, P.SK_MSG, P.CGROUP_SOCK_ADDR, P.SK_REUSEPORT, P.FLOW_DISSECTOR, P.CGROUP_SYSCTL,
  P.CGROUP_SOCKOPT, P.SK_LOOKUP, P.NETFILTER,
];

/** Every program type number the uapi defines. */
export const ALL_TYPES: readonly number[] = Object.values(P).filter((t) => t !== P.UNSPEC);

/** ALL_TYPES without `except`. */
export function allTypesExcept(...except: (readonly number[])[]): readonly number[] {
  const drop = new Set(except.flat());
  return ALL_TYPES.filter((t) => !drop.has(t));
}
