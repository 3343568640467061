/**
 * Corpus group `ret`: the return-value rules at program exit (check_return_code) — R0 must be
 * initialised, the per program type / expected attach type ranges (cgroup_skb ingress [0,1] and
 * egress [0,3], sock_ops, cgroup_sock, cgroup_sock_addr incl. the [1,1] recvmsg/getpeername
 * variants, cgroup_device, cgroup_sysctl, cgroup_sockopt, sk_lookup, netfilter, tracing
 * iter [0,1], kprobe session [0,1], tp_btf any), the types that take any scalar (socket filter,
 * tc, xdp, raw_tp, kprobe, ...), pointers in R0 as root, and what static subprograms may return.
 * Every rule has an accepted and a refused case. Tracing programs name their attach target with
 * `attachBtf` (vmlinux BTF). Not covered: fentry/fexit/fmod_ret and lsm (this kernel refuses
 * every such load with EPERM and an empty log, before the verifier; it is built without ftrace,
 * probably the reason), struct_ops (needs a struct_ops map).
 */
import type { VerifierCase } from './types.js';

/** enum bpf_prog_type. */
const T = {
  socketFilter: 1,
  kprobe: 2,
  schedCls: 3,
  tracepoint: 5,
  xdp: 6,
  perfEvent: 7,
  cgroupSkb: 8,
  cgroupSock: 9,
  sockOps: 13,
  skSkb: 14,
  cgroupDevice: 15,
  skMsg: 16,
  rawTp: 17,
  sockAddr: 18,
  flowDissector: 22,
  cgroupSysctl: 23,
  cgroupSockopt: 25,
  tracing: 26,
  skLookup: 30,
  syscall: 31,
  netfilter: 32,
} as const;

/** enum bpf_attach_type. */
const A = {
  ingress: 0,
  egress: 1,
  sockCreate: 2,
  sockOps: 3,
  skSkbVerdict: 5,
  device: 6,
  skMsgVerdict: 7,
  inet4Bind: 8,
  inet4Connect: 10,
  inet4PostBind: 12,
  udp4Sendmsg: 14,
  flowDissector: 17,
  sysctl: 18,
  udp4Recvmsg: 19,
  getsockopt: 21,
  setsockopt: 22,
  rawTp: 23,
  iter: 28,
  inet4Getpeername: 29,
  sockRelease: 34,
  skLookup: 36,
  netfilter: 45,
  kprobeSession: 56,
} as const;

function c(name: string, what: string, progType: number, asm: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'ret', what, progType, asm, ...extra };
}

/** `r0 = v; exit` for a type / attach type. */
function ret(name: string, what: string, progType: number, v: string | number, extra: Partial<VerifierCase> = {}): VerifierCase {
  const load = typeof v === 'number' ? `mov r0, ${v}` : v;
  return c(name, what, progType, `${load}\nexit`, extra);
}

/** R0 = an unknown 32-bit scalar read from the ctx at `off` (a u32 field of the type's ctx). */
const unknownAt = (off: number, then = ''): string => `ldxw r0, [r1+${off}]${then === '' ? '' : '\n' + then}`;

export const CASES: VerifierCase[] = [
  // --- R0 must be initialised at exit ---
  c('ret-r0-unset-socket-filter', 'socket filter exiting with R0 never written is refused', T.socketFilter, 'exit'),
  c('ret-r0-unset-xdp', 'XDP exiting with R0 never written is refused', T.xdp, 'mov r1, 0\nexit'),
  c('ret-r0-unset-cgroup-skb', 'cgroup_skb exiting with R0 never written is refused (before any range check)', T.cgroupSkb, 'exit'),
  c('ret-r0-unset-one-path', 'R0 written on one path only: the other path to exit is refused', T.socketFilter, 'ldxw r2, [r1+0]\njeq r2, 0, +1\nmov r0, 1\nexit'),
  c('ret-r0-set-both-paths', 'R0 written on both paths is accepted', T.socketFilter, 'ldxw r2, [r1+0]\nmov r0, 0\njeq r2, 0, +1\nmov r0, 1\nexit'),

  // --- Types that take any scalar ---
  ret('ret-socket-filter-any', 'socket filter may return any scalar (7)', T.socketFilter, 7),
  ret('ret-socket-filter-negative', 'socket filter may return -1', T.socketFilter, -1),
  ret('ret-socket-filter-unknown', 'socket filter may return an unknown scalar', T.socketFilter, unknownAt(0)),
  ret('ret-xdp-7', 'XDP may return 7 (beyond XDP_REDIRECT = 4)', T.xdp, 7),
  ret('ret-xdp-negative', 'XDP may return -1', T.xdp, -1),
  ret('ret-xdp-unknown', 'XDP may return an unknown scalar', T.xdp, 'ldxw r0, [r1+12]'),
  ret('ret-xdp-u64', 'XDP may return a value with the upper 32 bits set', T.xdp, 'lddw r0, 0x100000000'),
  ret('ret-sched-cls-any', 'tc (sched_cls) may return any scalar (12345)', T.schedCls, 12345),
  ret('ret-raw-tp-any', 'raw_tracepoint may return any scalar (5)', T.rawTp, 5),
  ret('ret-kprobe-any', 'kprobe may return any scalar (5)', T.kprobe, 5),
  ret('ret-tracepoint-any', 'tracepoint may return any scalar (5)', T.tracepoint, 5),
  ret('ret-perf-event-any', 'perf_event may return any scalar (5)', T.perfEvent, 5),
  ret('ret-syscall-any', 'syscall program (sleepable, as it must be) may return any scalar (5)', T.syscall, 5, { progFlags: 16 }),
  ret('ret-sk-skb-any', 'sk_skb stream verdict may return any scalar (5)', T.skSkb, 5, { attachType: A.skSkbVerdict }),
  ret('ret-sk-msg-any', 'sk_msg may return any scalar (5)', T.skMsg, 5, { attachType: A.skMsgVerdict }),
  ret('ret-flow-dissector-any', 'flow_dissector may return any scalar (5)', T.flowDissector, 5, { attachType: A.flowDissector }),

  // --- cgroup_skb: ingress [0,1], egress [0,3] ---
  ret('ret-cgroup-skb-ingress-0', 'cgroup_skb ingress returning 0 is accepted', T.cgroupSkb, 0, { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-1', 'cgroup_skb ingress returning 1 is accepted', T.cgroupSkb, 1, { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-2', 'cgroup_skb ingress returning 2 is refused ([0,1])', T.cgroupSkb, 2, { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-3', 'cgroup_skb ingress returning 3 is refused ([0,1])', T.cgroupSkb, 3, { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-negative', 'cgroup_skb ingress returning -1 is refused', T.cgroupSkb, -1, { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-unknown', 'cgroup_skb ingress returning an unknown scalar (skb->len) is refused', T.cgroupSkb, unknownAt(0), { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-masked-1', 'cgroup_skb ingress returning skb->len & 1 is accepted', T.cgroupSkb, unknownAt(0, 'and r0, 1'), { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-masked-3', 'cgroup_skb ingress returning skb->len & 3 is refused', T.cgroupSkb, unknownAt(0, 'and r0, 3'), { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-upper-bits', 'cgroup_skb ingress returning 0x100000000 (low half 0)', T.cgroupSkb, 'lddw r0, 0x100000000', { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-branch-bound', 'cgroup_skb ingress: R0 = skb->len bounded to [0,1] by a branch is accepted', T.cgroupSkb, unknownAt(0, 'jle r0, 1, +1\nmov r0, 0'), { attachType: A.ingress }),
  ret('ret-cgroup-skb-ingress-branch-bound-off-by-one', 'cgroup_skb ingress: the same bound with jle r0, 2 is refused', T.cgroupSkb, unknownAt(0, 'jle r0, 2, +1\nmov r0, 0'), { attachType: A.ingress }),
  ret('ret-cgroup-skb-egress-2', 'cgroup_skb egress returning 2 (congestion notification) is accepted', T.cgroupSkb, 2, { attachType: A.egress }),
  ret('ret-cgroup-skb-egress-3', 'cgroup_skb egress returning 3 is accepted', T.cgroupSkb, 3, { attachType: A.egress }),
  ret('ret-cgroup-skb-egress-4', 'cgroup_skb egress returning 4 is refused ([0,3])', T.cgroupSkb, 4, { attachType: A.egress }),
  ret('ret-cgroup-skb-egress-masked-3', 'cgroup_skb egress returning skb->len & 3 is accepted', T.cgroupSkb, unknownAt(0, 'and r0, 3'), { attachType: A.egress }),
  ret('ret-cgroup-skb-egress-masked-7', 'cgroup_skb egress returning skb->len & 7 is refused', T.cgroupSkb, unknownAt(0, 'and r0, 7'), { attachType: A.egress }),

  // --- Other cgroup and socket types: [0,1] ---
  ret('ret-sock-ops-1', 'sock_ops returning 1 is accepted', T.sockOps, 1, { attachType: A.sockOps }),
  ret('ret-sock-ops-2', 'sock_ops returning 2 is refused', T.sockOps, 2, { attachType: A.sockOps }),
  ret('ret-cgroup-sock-create-1', 'cgroup_sock (sock_create) returning 1 is accepted', T.cgroupSock, 1, { attachType: A.sockCreate }),
  ret('ret-cgroup-sock-create-2', 'cgroup_sock (sock_create) returning 2 is refused', T.cgroupSock, 2, { attachType: A.sockCreate }),
  ret('ret-cgroup-sock-post-bind-0', 'cgroup_sock (post_bind4) returning 0 is accepted', T.cgroupSock, 0, { attachType: A.inet4PostBind }),
  ret('ret-cgroup-sock-post-bind-2', 'cgroup_sock (post_bind4) returning 2 is refused', T.cgroupSock, 2, { attachType: A.inet4PostBind }),
  ret('ret-cgroup-sock-release-1', 'cgroup_sock (sock_release) returning 1 is accepted', T.cgroupSock, 1, { attachType: A.sockRelease }),
  ret('ret-cgroup-sock-release-2', 'cgroup_sock (sock_release) returning 2 is refused', T.cgroupSock, 2, { attachType: A.sockRelease }),
  ret('ret-sock-addr-connect4-1', 'cgroup_sock_addr connect4 returning 1 is accepted', T.sockAddr, 1, { attachType: A.inet4Connect }),
  ret('ret-sock-addr-connect4-2', 'cgroup_sock_addr connect4 returning 2 is refused', T.sockAddr, 2, { attachType: A.inet4Connect }),
  ret('ret-sock-addr-sendmsg4-0', 'cgroup_sock_addr sendmsg4 returning 0 is accepted', T.sockAddr, 0, { attachType: A.udp4Sendmsg }),
  ret('ret-sock-addr-sendmsg4-2', 'cgroup_sock_addr sendmsg4 returning 2 is refused', T.sockAddr, 2, { attachType: A.udp4Sendmsg }),
  ret('ret-sock-addr-bind4-3', 'cgroup_sock_addr bind4 returning 3 (bit 1 = skip the capability check) is accepted', T.sockAddr, 3, { attachType: A.inet4Bind }),
  ret('ret-sock-addr-bind4-4', 'cgroup_sock_addr bind4 returning 4 is refused', T.sockAddr, 4, { attachType: A.inet4Bind }),
  ret('ret-sock-addr-recvmsg4-1', 'cgroup_sock_addr recvmsg4 returning 1 is accepted ([1,1])', T.sockAddr, 1, { attachType: A.udp4Recvmsg }),
  ret('ret-sock-addr-recvmsg4-0', 'cgroup_sock_addr recvmsg4 returning 0 is refused ([1,1])', T.sockAddr, 0, { attachType: A.udp4Recvmsg }),
  ret('ret-sock-addr-getpeername4-1', 'cgroup_sock_addr getpeername4 returning 1 is accepted ([1,1])', T.sockAddr, 1, { attachType: A.inet4Getpeername }),
  ret('ret-sock-addr-getpeername4-0', 'cgroup_sock_addr getpeername4 returning 0 is refused ([1,1])', T.sockAddr, 0, { attachType: A.inet4Getpeername }),
  ret('ret-cgroup-device-1', 'cgroup_device returning 1 is accepted', T.cgroupDevice, 1, { attachType: A.device }),
  ret('ret-cgroup-device-2', 'cgroup_device returning 2 is refused', T.cgroupDevice, 2, { attachType: A.device }),
  ret('ret-cgroup-sysctl-1', 'cgroup_sysctl returning 1 is accepted', T.cgroupSysctl, 1, { attachType: A.sysctl }),
  ret('ret-cgroup-sysctl-2', 'cgroup_sysctl returning 2 is refused', T.cgroupSysctl, 2, { attachType: A.sysctl }),
  ret('ret-cgroup-getsockopt-1', 'cgroup_sockopt getsockopt returning 1 is accepted', T.cgroupSockopt, 1, { attachType: A.getsockopt }),
  ret('ret-cgroup-getsockopt-2', 'cgroup_sockopt getsockopt returning 2 is refused', T.cgroupSockopt, 2, { attachType: A.getsockopt }),
  ret('ret-cgroup-setsockopt-0', 'cgroup_sockopt setsockopt returning 0 is accepted', T.cgroupSockopt, 0, { attachType: A.setsockopt }),
  ret('ret-cgroup-setsockopt-negative', 'cgroup_sockopt setsockopt returning -1 is refused', T.cgroupSockopt, -1, { attachType: A.setsockopt }),
  ret('ret-sk-lookup-1', 'sk_lookup returning SK_PASS (1) is accepted', T.skLookup, 1, { attachType: A.skLookup }),
  ret('ret-sk-lookup-2', 'sk_lookup returning 2 is refused', T.skLookup, 2, { attachType: A.skLookup }),
  ret('ret-netfilter-1', 'netfilter returning NF_ACCEPT (1) is accepted', T.netfilter, 1, { attachType: A.netfilter }),
  ret('ret-netfilter-2', 'netfilter returning 2 is refused', T.netfilter, 2, { attachType: A.netfilter }),

  // --- Tracing (attach_btf_id from vmlinux BTF) ---
  ret('ret-raw-tp-btf-any', 'tp_btf (BTF raw tracepoint) may return any scalar (5)', T.tracing, 5, { attachType: A.rawTp, attachBtf: 'sched_switch' }),
  ret('ret-iter-task-1', 'iter/task returning 1 is accepted ([0,1])', T.tracing, 1, { attachType: A.iter, attachBtf: 'task' }),
  ret('ret-iter-task-2', 'iter/task returning 2 is refused ([0,1])', T.tracing, 2, { attachType: A.iter, attachBtf: 'task' }),
  ret('ret-kprobe-session-1', 'kprobe session returning 1 is accepted ([0,1])', T.kprobe, 1, { attachType: A.kprobeSession }),
  ret('ret-kprobe-session-2', 'kprobe session returning 2 is refused ([0,1])', T.kprobe, 2, { attachType: A.kprobeSession }),

  // --- Pointers in R0 (root: allow_ptr_leaks) ---
  ret('ret-ptr-ctx-socket-filter', 'socket filter returning its ctx pointer as root', T.socketFilter, 'mov r0, r1'),
  ret('ret-ptr-stack-xdp', 'XDP returning a stack pointer as root', T.xdp, 'mov r0, r10\nadd r0, -8'),
  ret('ret-ptr-pkt-xdp', 'XDP returning a packet pointer as root', T.xdp, 'ldxw r0, [r1+0]'),
  ret('ret-ptr-ctx-cgroup-skb', 'cgroup_skb returning its ctx pointer: not a known value for the range check', T.cgroupSkb, 'mov r0, r1', { attachType: A.ingress }),
  ret('ret-ptr-ctx-iter', 'iter/task returning its ctx pointer: not a known value for the [0,1] check', T.tracing, 'mov r0, r1', { attachType: A.iter, attachBtf: 'task' }),
  ret('ret-ptr-map-value-socket-filter', 'socket filter returning a map value pointer as root', T.socketFilter, 'lddw r0, map_value 0 0', { maps: [{ type: 2, keySize: 4, valueSize: 8, maxEntries: 1, name: 'arr' }] }),
  ret('ret-ptr-map-socket-filter', 'socket filter returning a map pointer (lddw map_fd) as root', T.socketFilter, 'lddw r0, map_fd 0', { maps: [{ type: 2, keySize: 4, valueSize: 8, maxEntries: 1, name: 'arr' }] }),

  // --- Static subprograms: no range check at their exit ---
  c('ret-subprog-out-of-range-unused', 'cgroup_skb: a static subprogram returning 5 is fine when main returns 0', T.cgroupSkb, 'call local f\nmov r0, 0\nexit\nf:\nmov r0, 5\nexit', { attachType: A.ingress }),
  c('ret-subprog-out-of-range-returned', 'cgroup_skb: main returning the subprogram\'s 5 is refused at main exit', T.cgroupSkb, 'call local f\nexit\nf:\nmov r0, 5\nexit', { attachType: A.ingress }),
  c('ret-subprog-ctx-pointer', 'a static subprogram returning the ctx pointer to its caller is accepted', T.socketFilter, 'call local f\nldxw r0, [r0+0]\nexit\nf:\nmov r0, r1\nexit'),
  c('ret-subprog-stack-pointer', 'a static subprogram returning a pointer into its own stack frame is refused', T.socketFilter, 'call local f\nmov r0, 0\nexit\nf:\nmov r0, r10\nadd r0, -8\nexit'),
  c('ret-subprog-caller-stack-pointer', 'a static subprogram returning a pointer into its caller\'s frame (passed in R1) is refused too', T.socketFilter, 'stdw [r10-8], 3\nmov r1, r10\nadd r1, -8\ncall local f\nldxdw r0, [r0+0]\nexit\nf:\nmov r0, r1\nexit'),
];
