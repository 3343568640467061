/**
 * libbpf's `SEC()` conventions: program section name → program type, expected attach type and
 * flags. Source: libbpf src/libbpf.c `section_defs[]` (libbpf 1.x). Matching follows libbpf's
 * sec_def_matches(): a pattern ending in `+` matches the bare prefix or `prefix/...`; a pattern
 * ending in `/` matches any name with that prefix; any other pattern must match exactly. The first
 * matching entry wins, so more specific names come first.
 */
import { AttachType, ProgType } from './uapi.js';

/** One row of the table. */
export interface SectionDef {
  readonly pattern: string;
  readonly progType: number;
  readonly attachType: number;
  /** Program may sleep (`.s` variants, `syscall`). */
  readonly sleepable?: boolean;
  /** XDP frags support (`xdp.frags`). */
  readonly xdpFrags?: boolean;
  /** The text after `/` names a BTF attach target (tp_btf, fentry, lsm, iter, ...). */
  readonly attachBtf?: boolean;
  /** kretprobe / uretprobe. */
  readonly retprobe?: boolean;
}

const P = ProgType;
const A = AttachType;
const d = (pattern: string, progType: number, attachType: number, extra: Partial<SectionDef> = {}): SectionDef => ({ pattern, progType, attachType, ...extra });

/** The table, in libbpf's order. */
export const SECTION_DEFS: readonly SectionDef[] = [
  d('socket', P.SOCKET_FILTER, 0),
  d('sk_reuseport/migrate', P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT_OR_MIGRATE),
  d('sk_reuseport', P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT),
  d('kprobe+', P.KPROBE, 0),
  d('uprobe+', P.KPROBE, 0),
  d('uprobe.s+', P.KPROBE, 0, { sleepable: true }),
  d('kretprobe+', P.KPROBE, 0, { retprobe: true }),
  d('uretprobe+', P.KPROBE, 0, { retprobe: true }),
  d('uretprobe.s+', P.KPROBE, 0, { retprobe: true, sleepable: true }),
  d('kprobe.multi+', P.KPROBE, A.TRACE_KPROBE_MULTI),
  d('kretprobe.multi+', P.KPROBE, A.TRACE_KPROBE_MULTI, { retprobe: true }),
  d('kprobe.session+', P.KPROBE, A.TRACE_KPROBE_SESSION),
  d('uprobe.multi+', P.KPROBE, A.TRACE_UPROBE_MULTI),
  d('uretprobe.multi+', P.KPROBE, A.TRACE_UPROBE_MULTI, { retprobe: true }),
  d('uprobe.multi.s+', P.KPROBE, A.TRACE_UPROBE_MULTI, { sleepable: true }),
  d('uretprobe.multi.s+', P.KPROBE, A.TRACE_UPROBE_MULTI, { retprobe: true, sleepable: true }),
  d('ksyscall+', P.KPROBE, 0),
  d('kretsyscall+', P.KPROBE, 0, { retprobe: true }),
  d('usdt+', P.KPROBE, 0),
  d('usdt.s+', P.KPROBE, 0, { sleepable: true }),
  d('tc/ingress', P.SCHED_CLS, A.TCX_INGRESS),
  d('tc/egress', P.SCHED_CLS, A.TCX_EGRESS),
  d('tcx/ingress', P.SCHED_CLS, A.TCX_INGRESS),
  d('tcx/egress', P.SCHED_CLS, A.TCX_EGRESS),
  d('tc', P.SCHED_CLS, 0),
  d('classifier', P.SCHED_CLS, 0),
  d('action', P.SCHED_ACT, 0),
  d('netkit/primary', P.SCHED_CLS, A.NETKIT_PRIMARY),
  d('netkit/peer', P.SCHED_CLS, A.NETKIT_PEER),
  d('tracepoint+', P.TRACEPOINT, 0),
  d('tp+', P.TRACEPOINT, 0),
  d('raw_tracepoint+', P.RAW_TRACEPOINT, 0),
  d('raw_tp+', P.RAW_TRACEPOINT, 0),
  d('raw_tracepoint.w+', P.RAW_TRACEPOINT_WRITABLE, 0),
  d('raw_tp.w+', P.RAW_TRACEPOINT_WRITABLE, 0),
  d('tp_btf+', P.TRACING, A.TRACE_RAW_TP, { attachBtf: true }),
  d('fentry+', P.TRACING, A.TRACE_FENTRY, { attachBtf: true }),
  d('fmod_ret+', P.TRACING, A.MODIFY_RETURN, { attachBtf: true }),
  d('fexit+', P.TRACING, A.TRACE_FEXIT, { attachBtf: true }),
  d('fentry.s+', P.TRACING, A.TRACE_FENTRY, { attachBtf: true, sleepable: true }),
  d('fmod_ret.s+', P.TRACING, A.MODIFY_RETURN, { attachBtf: true, sleepable: true }),
  d('fexit.s+', P.TRACING, A.TRACE_FEXIT, { attachBtf: true, sleepable: true }),
  d('freplace+', P.EXT, 0, { attachBtf: true }),
  d('lsm+', P.LSM, A.LSM_MAC, { attachBtf: true }),
  d('lsm.s+', P.LSM, A.LSM_MAC, { attachBtf: true, sleepable: true }),
  d('lsm_cgroup+', P.LSM, A.LSM_CGROUP, { attachBtf: true }),
  d('iter+', P.TRACING, A.TRACE_ITER, { attachBtf: true }),
  d('iter.s+', P.TRACING, A.TRACE_ITER, { attachBtf: true, sleepable: true }),
  d('syscall', P.SYSCALL, 0, { sleepable: true }),
  d('xdp.frags/devmap', P.XDP, A.XDP_DEVMAP, { xdpFrags: true }),
  d('xdp/devmap', P.XDP, A.XDP_DEVMAP),
  d('xdp.frags/cpumap', P.XDP, A.XDP_CPUMAP, { xdpFrags: true }),
  d('xdp/cpumap', P.XDP, A.XDP_CPUMAP),
  d('xdp.frags', P.XDP, A.XDP, { xdpFrags: true }),
  d('xdp', P.XDP, A.XDP),
  d('perf_event', P.PERF_EVENT, 0),
  d('lwt_in', P.LWT_IN, 0),
  d('lwt_out', P.LWT_OUT, 0),
  d('lwt_xmit', P.LWT_XMIT, 0),
  d('lwt_seg6local', P.LWT_SEG6LOCAL, 0),
  d('sockops', P.SOCK_OPS, A.CGROUP_SOCK_OPS),
  d('sk_skb/stream_parser', P.SK_SKB, A.SK_SKB_STREAM_PARSER),
  d('sk_skb/stream_verdict', P.SK_SKB, A.SK_SKB_STREAM_VERDICT),
  d('sk_skb/verdict', P.SK_SKB, A.SK_SKB_VERDICT),
  d('sk_skb', P.SK_SKB, 0),
  d('sk_msg', P.SK_MSG, A.SK_MSG_VERDICT),
  d('lirc_mode2', P.LIRC_MODE2, A.LIRC_MODE2),
  d('flow_dissector', P.FLOW_DISSECTOR, A.FLOW_DISSECTOR),
  d('cgroup_skb/ingress', P.CGROUP_SKB, A.CGROUP_INET_INGRESS),
  d('cgroup_skb/egress', P.CGROUP_SKB, A.CGROUP_INET_EGRESS),
  d('cgroup/skb', P.CGROUP_SKB, 0),
  d('cgroup/sock_create', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE),
  d('cgroup/sock_release', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_RELEASE),
  d('cgroup/sock', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE),
  d('cgroup/post_bind4', P.CGROUP_SOCK, A.CGROUP_INET4_POST_BIND),
  d('cgroup/post_bind6', P.CGROUP_SOCK, A.CGROUP_INET6_POST_BIND),
  d('cgroup/bind4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_BIND),
  d('cgroup/bind6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_BIND),
  d('cgroup/connect4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT),
  d('cgroup/connect6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT),
  d('cgroup/connect_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_CONNECT),
  d('cgroup/sendmsg4', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_SENDMSG),
  d('cgroup/sendmsg6', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_SENDMSG),
  d('cgroup/sendmsg_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_SENDMSG),
  d('cgroup/recvmsg4', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_RECVMSG),
  d('cgroup/recvmsg6', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_RECVMSG),
  d('cgroup/recvmsg_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_RECVMSG),
  d('cgroup/getpeername4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETPEERNAME),
  d('cgroup/getpeername6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETPEERNAME),
  d('cgroup/getpeername_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETPEERNAME),
  d('cgroup/getsockname4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETSOCKNAME),
  d('cgroup/getsockname6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETSOCKNAME),
  d('cgroup/getsockname_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETSOCKNAME),
  d('cgroup/sysctl', P.CGROUP_SYSCTL, A.CGROUP_SYSCTL),
  d('cgroup/getsockopt', P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT),
  d('cgroup/setsockopt', P.CGROUP_SOCKOPT, A.CGROUP_SETSOCKOPT),
  d('cgroup/dev', P.CGROUP_DEVICE, A.CGROUP_DEVICE),
  d('struct_ops+', P.STRUCT_OPS, 0),
  d('struct_ops.s+', P.STRUCT_OPS, 0, { sleepable: true }),
  d('sk_lookup', P.SK_LOOKUP, A.SK_LOOKUP),
  d('netfilter', P.NETFILTER, A.NETFILTER),
];

/** The result of classifying a section name. */
export interface SectionInfo {
  readonly def: SectionDef;
  /** Text after the matched prefix and `/` (attach target, e.g. `sys_enter` of `tp_btf/sys_enter`). */
  readonly target: string;
}

function matches(pattern: string, name: string): boolean {
  if (pattern.endsWith('+')) {
    const p = pattern.slice(0, -1);
    return name === p || name.startsWith(`${p}/`);
  }
  if (pattern.endsWith('/')) return name.startsWith(pattern);
  return name === pattern;
}

/** Classify a program section name as libbpf does; undefined if no convention matches. */
export function classifySection(name: string): SectionInfo | undefined {
  for (const def of SECTION_DEFS) {
    if (matches(def.pattern, name)) {
      const prefix = def.pattern.replace(/[+/]$/, '');
      const target = name.length > prefix.length + 1 ? name.slice(prefix.length + 1) : '';
      return { def, target };
    }
  }
  return undefined;
}
