/**
 * Program and attach types: `enum bpf_prog_type` and `enum bpf_attach_type` of
 * include/uapi/linux/bpf.h (values through Linux 6.18; the order of the enums is the ABI).
 */

/** enum bpf_prog_type, by kernel name without the BPF_PROG_TYPE_ prefix. */
export const ProgType = {
  UNSPEC: 0,
  SOCKET_FILTER: 1,
  KPROBE: 2,
  SCHED_CLS: 3,
  SCHED_ACT: 4,
  TRACEPOINT: 5,
  XDP: 6,
  PERF_EVENT: 7,
  CGROUP_SKB: 8,
  CGROUP_SOCK: 9,
  LWT_IN: 10,
  LWT_OUT: 11,
  LWT_XMIT: 12,
  SOCK_OPS: 13,
  SK_SKB: 14,
  CGROUP_DEVICE: 15,
  SK_MSG: 16,
  RAW_TRACEPOINT: 17,
  CGROUP_SOCK_ADDR: 18,
  LWT_SEG6LOCAL: 19,
  LIRC_MODE2: 20,
  SK_REUSEPORT: 21,
  FLOW_DISSECTOR: 22,
  CGROUP_SYSCTL: 23,
  RAW_TRACEPOINT_WRITABLE: 24,
  CGROUP_SOCKOPT: 25,
  TRACING: 26,
  STRUCT_OPS: 27,
  EXT: 28,
  LSM: 29,
  SK_LOOKUP: 30,
  SYSCALL: 31,
  NETFILTER: 32,
} as const;
export type ProgTypeName = keyof typeof ProgType;

/** enum bpf_attach_type, by kernel name without the BPF_ prefix. */
export const AttachType = {
  CGROUP_INET_INGRESS: 0,
  CGROUP_INET_EGRESS: 1,
  CGROUP_INET_SOCK_CREATE: 2,
  CGROUP_SOCK_OPS: 3,
  SK_SKB_STREAM_PARSER: 4,
  SK_SKB_STREAM_VERDICT: 5,
  CGROUP_DEVICE: 6,
  SK_MSG_VERDICT: 7,
  CGROUP_INET4_BIND: 8,
  CGROUP_INET6_BIND: 9,
  CGROUP_INET4_CONNECT: 10,
  CGROUP_INET6_CONNECT: 11,
  CGROUP_INET4_POST_BIND: 12,
  CGROUP_INET6_POST_BIND: 13,
  CGROUP_UDP4_SENDMSG: 14,
  CGROUP_UDP6_SENDMSG: 15,
  LIRC_MODE2: 16,
  FLOW_DISSECTOR: 17,
  CGROUP_SYSCTL: 18,
  CGROUP_UDP4_RECVMSG: 19,
  CGROUP_UDP6_RECVMSG: 20,
  CGROUP_GETSOCKOPT: 21,
  CGROUP_SETSOCKOPT: 22,
  TRACE_RAW_TP: 23,
  TRACE_FENTRY: 24,
  TRACE_FEXIT: 25,
  MODIFY_RETURN: 26,
  LSM_MAC: 27,
  TRACE_ITER: 28,
  CGROUP_INET4_GETPEERNAME: 29,
  CGROUP_INET6_GETPEERNAME: 30,
  CGROUP_INET4_GETSOCKNAME: 31,
  CGROUP_INET6_GETSOCKNAME: 32,
  XDP_DEVMAP: 33,
  CGROUP_INET_SOCK_RELEASE: 34,
  XDP_CPUMAP: 35,
  SK_LOOKUP: 36,
  XDP: 37,
  SK_SKB_VERDICT: 38,
  SK_REUSEPORT_SELECT: 39,
  SK_REUSEPORT_SELECT_OR_MIGRATE: 40,
  PERF_EVENT: 41,
  TRACE_KPROBE_MULTI: 42,
  LSM_CGROUP: 43,
  STRUCT_OPS: 44,
  NETFILTER: 45,
  TCX_INGRESS: 46,
  TCX_EGRESS: 47,
  TRACE_UPROBE_MULTI: 48,
  CGROUP_UNIX_CONNECT: 49,
  CGROUP_UNIX_SENDMSG: 50,
  CGROUP_UNIX_RECVMSG: 51,
  CGROUP_UNIX_GETPEERNAME: 52,
  CGROUP_UNIX_GETSOCKNAME: 53,
  NETKIT_PRIMARY: 54,
  NETKIT_PEER: 55,
  TRACE_KPROBE_SESSION: 56,
  TRACE_UPROBE_SESSION: 57,
} as const;
export type AttachTypeName = keyof typeof AttachType;

function invert<T extends Record<string, number>>(t: T): Map<number, keyof T & string> {
  return new Map(Object.entries(t).map(([k, v]) => [v, k as keyof T & string]));
}
const PROG_NAMES = invert(ProgType);
const ATTACH_NAMES = invert(AttachType);

/** Kernel name of a program type number (`XDP`, `SCHED_CLS`), or `type<n>`. */
export function progTypeName(n: number): string {
  return PROG_NAMES.get(n) ?? `type${n}`;
}

/** Kernel name of an attach type number, or `attach<n>`. */
export function attachTypeName(n: number): string {
  return ATTACH_NAMES.get(n) ?? `attach${n}`;
}

/** bpftool's lowercase program type names (`xdp`, `sched_cls`, `struct_ops`). */
export function progTypeLabel(n: number): string {
  return progTypeName(n).toLowerCase();
}

/**
 * enum bpf_map_type, by kernel name without the BPF_MAP_TYPE_ prefix (include/uapi/linux/bpf.h,
 * through Linux 6.18). The one table of map type numbers: src/maps re-exports it as BPF_MAP_TYPE.
 */
export const MapType = {
  UNSPEC: 0,
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  STACK_TRACE: 7,
  CGROUP_ARRAY: 8,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  ARRAY_OF_MAPS: 12,
  HASH_OF_MAPS: 13,
  DEVMAP: 14,
  SOCKMAP: 15,
  CPUMAP: 16,
  XSKMAP: 17,
  SOCKHASH: 18,
  /** Also spelled BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED. */
  CGROUP_STORAGE: 19,
  REUSEPORT_SOCKARRAY: 20,
  /** Also spelled BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED. */
  PERCPU_CGROUP_STORAGE: 21,
  QUEUE: 22,
  STACK: 23,
  SK_STORAGE: 24,
  DEVMAP_HASH: 25,
  STRUCT_OPS: 26,
  RINGBUF: 27,
  INODE_STORAGE: 28,
  TASK_STORAGE: 29,
  BLOOM_FILTER: 30,
  USER_RINGBUF: 31,
  CGRP_STORAGE: 32,
  ARENA: 33,
} as const;
export type MapTypeName = keyof typeof MapType;

const MAP_NAMES = invert(MapType);

/** Kernel name of a map type number (`HASH`, `PROG_ARRAY`), or `type<n>`. */
export function mapTypeName(n: number): string {
  return MAP_NAMES.get(n) ?? `type${n}`;
}

/** Map-create flags the object layer sets or reads (the `BPF_F_*` enum of uapi bpf.h). */
export const MapFlag = {
  NO_PREALLOC: 0x1,
  RDONLY_PROG: 0x80,
  MMAPABLE: 0x400,
  INNER_MAP: 0x1000,
  LINK: 0x2000,
} as const;

/** Pseudo `src_reg` values of lddw and call (uapi bpf.h BPF_PSEUDO_*). */
export const Pseudo = {
  /** call: bpf-to-bpf call. */
  CALL: 1,
  /** call: kfunc call. */
  KFUNC_CALL: 2,
  /** lddw: kernel BTF variable (typed or typeless ksym). */
  BTF_ID: 3,
  /** lddw: address of a subprogram (callback). */
  FUNC: 4,
  /** lddw: map by index into the loader's map array. */
  MAP_IDX: 5,
  /** lddw: map value by map index, offset in the second slot. */
  MAP_IDX_VALUE: 6,
} as const;
