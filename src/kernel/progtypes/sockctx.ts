/**
 * The ctx structs of the cgroup, socket and netfilter program types as field tables
 * (./fieldctx.ts), with each type's view per attach type: what its is_valid_access lets a program
 * read and write (net/core/filter.c, kernel/bpf/cgroup.c, net/netfilter/nf_bpf_link.c). Layouts are
 * include/uapi/linux/bpf.h's; every rule was measured on Linux 6.18 (golden/vctx.json, recorded
 * by test/kernel/progtypes/vctx-golden.c).
 */
import { AttachType as A, ProgType as P } from '../../object/uapi.js';
import { fieldCtx, restrict, type FieldCtx, type FieldDef } from './fieldctx.js';

const u32 = (name: string, off: number, read: FieldDef['read'] = 'exact', more: Partial<FieldDef> = {}): FieldDef => ({ name, off, size: 4, read, ...more });
const u64 = (name: string, off: number): FieldDef => ({ name, off, size: 8, read: 'exact' });
const ptr = (name: string, off: number, p: NonNullable<FieldDef['ptr']>): FieldDef => ({ name, off, size: 8, ptr: p });

// ---- struct bpf_sock (80 bytes): cgroup/sock programs and the socket a ctx points to ----------------

/** Every readable field of struct bpf_sock; bound_dev_if, mark and priority are also writable (sock_create/release). */
const BPF_SOCK_FIELDS: readonly FieldDef[] = [
  u32('bound_dev_if', 0, 'exact', { write: true }),
  u32('family', 4, 'low'),
  u32('type', 8, 'low'),
  u32('protocol', 12, 'low'),
  u32('mark', 16, 'exact', { write: true }),
  u32('priority', 20, 'exact', { write: true }),
  u32('src_ip4', 24, 'narrow'),
  u32('src_ip6', 28, 'narrow', { count: 4 }),
  u32('src_port', 44, 'low'),
  { name: 'dst_port', off: 48, size: 2, read: 'narrow', u32: true },
  u32('dst_ip4', 52, 'narrow'),
  u32('dst_ip6', 56, 'narrow', { count: 4 }),
  u32('state', 72, 'low'),
  u32('rx_queue_mapping', 76, 'low'),
];

/** struct bpf_sock through a socket pointer (bpf_sock_is_valid_access): every field, read-only. */
export const BPF_SOCK = fieldCtx('bpf_sock', 80, BPF_SOCK_FIELDS.map((f) => restrict(f, { read: true })));

/**
 * cgroup/sock (sock_filter_is_valid_access): sock_create and sock_release see the socket's
 * identity and may set bound_dev_if, mark and priority; post_bind4/6 see the bound source address
 * and port of their family instead and write nothing.
 */
function cgroupSockCtx(eat: number): FieldCtx {
  const create = eat === A.CGROUP_INET_SOCK_CREATE || eat === A.CGROUP_INET_SOCK_RELEASE;
  const v4 = eat === A.CGROUP_INET4_POST_BIND;
  const v6 = eat === A.CGROUP_INET6_POST_BIND;
  const fields = BPF_SOCK_FIELDS.filter((f) => {
    switch (f.name) {
      case 'bound_dev_if':
      case 'mark':
      case 'priority':
        return create;
      case 'src_ip4':
        return v4;
      case 'src_ip6':
        return v6;
      case 'src_port':
        return v4 || v6;
      default:
        return true;
    }
  }).map((f) => restrict(f, { read: true, write: create }));
  return fieldCtx('bpf_sock', 80, fields);
}

// ---- struct bpf_sock_addr (72 bytes): cgroup/bind, connect, sendmsg, recvmsg, getpeername, getsockname ----

const SOCK_ADDR_V6: ReadonlySet<number> = new Set([A.CGROUP_INET6_BIND, A.CGROUP_INET6_CONNECT, A.CGROUP_UDP6_SENDMSG, A.CGROUP_UDP6_RECVMSG, A.CGROUP_INET6_GETPEERNAME, A.CGROUP_INET6_GETSOCKNAME]);
const SOCK_ADDR_V4: ReadonlySet<number> = new Set([A.CGROUP_INET4_BIND, A.CGROUP_INET4_CONNECT, A.CGROUP_UDP4_SENDMSG, A.CGROUP_UDP4_RECVMSG, A.CGROUP_INET4_GETPEERNAME, A.CGROUP_INET4_GETSOCKNAME]);

/**
 * sock_addr_is_valid_access: user_ip4 (v4 types) or user_ip6 (v6 types, also as two u64) and
 * user_port read and written; msg_src_ip4/6 only for sendmsg4/6; user_family, family, type and
 * protocol as whole u32; the socket.
 */
function sockAddrCtx(eat: number): FieldCtx {
  const v6 = SOCK_ADDR_V6.has(eat);
  const v4 = SOCK_ADDR_V4.has(eat);
  const fields: FieldDef[] = [u32('user_family', 0)];
  if (v4) fields.push(u32('user_ip4', 4, 'narrow', { write: true }));
  if (v6) fields.push(u32('user_ip6', 8, 'narrow', { count: 4, wide: true, write: true }));
  fields.push(u32('user_port', 24, 'narrow', { write: true }), u32('family', 28), u32('type', 32), u32('protocol', 36));
  if (eat === A.CGROUP_UDP4_SENDMSG) fields.push(u32('msg_src_ip4', 40, 'narrow', { write: true }));
  if (eat === A.CGROUP_UDP6_SENDMSG) fields.push(u32('msg_src_ip6', 44, 'narrow', { count: 4, wide: true, write: true }));
  fields.push(ptr('sk', 64, 'sock'));
  return fieldCtx('bpf_sock_addr', 72, fields);
}

/** The full bpf_sock_addr layout (every field), for building ctx images. */
export const BPF_SOCK_ADDR = fieldCtx('bpf_sock_addr', 72, [
  u32('user_family', 0), u32('user_ip4', 4), u32('user_ip6', 8, 'exact', { count: 4 }), u32('user_port', 24), u32('family', 28), u32('type', 32), u32('protocol', 36),
  u32('msg_src_ip4', 40), u32('msg_src_ip6', 44, 'exact', { count: 4 }), ptr('sk', 64, 'sock'),
]);

// ---- struct bpf_sock_ops (224 bytes) -------------------------------------------------------------

const SOCK_OPS_U32 = [
  'family', 'remote_ip4', 'local_ip4', 'remote_ip6', 'remote_ip6', 'remote_ip6', 'remote_ip6', 'local_ip6', 'local_ip6', 'local_ip6', 'local_ip6', 'remote_port', 'local_port', 'is_fullsock',
  'snd_cwnd', 'srtt_us', 'bpf_sock_ops_cb_flags', 'state', 'rtt_min', 'snd_ssthresh', 'rcv_nxt', 'snd_nxt', 'snd_una', 'mss_cache', 'ecn_flags', 'rate_delivered', 'rate_interval_us',
  'packets_out', 'retrans_out', 'total_retrans', 'segs_in', 'data_segs_in', 'segs_out', 'data_segs_out', 'lost_out', 'sacked_out', 'sk_txhash',
] as const;

function sockOpsFields(): FieldDef[] {
  const out: FieldDef[] = [u32('op', 0), u32('reply', 4, 'exact', { write: true }), u32('args', 8, 'exact', { count: 3 })];
  let off = 20;
  for (let i = 0; i < SOCK_OPS_U32.length; ) {
    const name = SOCK_OPS_U32[i]!;
    let n = 1;
    while (SOCK_OPS_U32[i + n] === name) n++;
    out.push(u32(name, off, 'exact', { ...(n > 1 ? { count: n } : {}), ...(name === 'sk_txhash' ? { write: true } : {}) }));
    off += 4 * n;
    i += n;
  }
  out.push(u64('bytes_received', 168), u64('bytes_acked', 176), ptr('sk', 184, 'sock_or_null'), ptr('skb_data', 192, 'pkt'), ptr('skb_data_end', 200, 'pkt_end'), u32('skb_len', 208), u32('skb_tcp_flags', 212, 'low'), u64('skb_hwtstamp', 216));
  return out;
}

/**
 * sock_ops_is_valid_access: every u32 as a whole u32 (skb_tcp_flags also narrower at its start),
 * the u64 counters whole; writes to reply (args[0]) and sk_txhash only.
 */
export const BPF_SOCK_OPS = fieldCtx('bpf_sock_ops', 224, sockOpsFields());

// ---- small cgroup ctxs -----------------------------------------------------------------------------

/** cgroup_dev_is_valid_access: access_type narrow, major and minor whole; read-only. */
export const BPF_CGROUP_DEV_CTX = fieldCtx('bpf_cgroup_dev_ctx', 12, [u32('access_type', 0, 'narrow'), u32('major', 4), u32('minor', 8)]);

/** sysctl_is_valid_access: write and file_pos narrow; file_pos writable. */
export const BPF_SYSCTL = fieldCtx('bpf_sysctl', 8, [u32('write', 0, 'narrow'), u32('file_pos', 4, 'narrow', { write: true })]);

/**
 * cg_sockopt_is_valid_access: the socket, optval/optval_end as packet pointers, level, optname,
 * optlen whole; setsockopt may rewrite level, optname and optlen, getsockopt optlen and retval
 * (which only getsockopt sees).
 */
function sockoptCtx(eat: number): FieldCtx {
  const get = eat === A.CGROUP_GETSOCKOPT;
  const fields: FieldDef[] = [
    ptr('sk', 0, 'sock'),
    ptr('optval', 8, 'pkt'),
    ptr('optval_end', 16, 'pkt_end'),
    u32('level', 24, 'exact', { write: !get }),
    u32('optname', 28, 'exact', { write: !get }),
    u32('optlen', 32, 'exact', { write: true }),
  ];
  if (get) fields.push(u32('retval', 36, 'exact', { write: true }));
  return fieldCtx('bpf_sockopt', 40, fields);
}

/** The full bpf_sockopt layout, for building ctx images. */
export const BPF_SOCKOPT = sockoptCtx(A.CGROUP_GETSOCKOPT);

// ---- socket-lookup, sk_msg, reuseport, netfilter -------------------------------------------------------

/**
 * sk_lookup_is_valid_access: read-only; every u32 narrow; remote_port a __be16 (also loaded as 4
 * bytes for compatibility) followed by 2 bytes of zero padding that read as a __u16.
 */
export const BPF_SK_LOOKUP = fieldCtx('bpf_sk_lookup', 72, [
  ptr('sk', 0, 'sock_or_null'),
  u32('family', 8, 'narrow'),
  u32('protocol', 12, 'narrow'),
  u32('remote_ip4', 16, 'narrow'),
  u32('remote_ip6', 20, 'narrow', { count: 4 }),
  { name: 'remote_port', off: 36, size: 2, read: 'narrow', u32: true },
  { name: 'pad', off: 38, size: 2, read: 'narrow' },
  u32('local_ip4', 40, 'narrow'),
  u32('local_ip6', 44, 'narrow', { count: 4 }),
  u32('local_port', 60, 'narrow'),
  u32('ingress_ifindex', 64, 'narrow'),
]);

/** sk_msg_is_valid_access: packet pointers, the socket, the addresses and size as whole u32; read-only. */
export const SK_MSG_MD = fieldCtx('sk_msg_md', 80, [
  ptr('data', 0, 'pkt'),
  ptr('data_end', 8, 'pkt_end'),
  u32('family', 16),
  u32('remote_ip4', 20),
  u32('local_ip4', 24),
  u32('remote_ip6', 28, 'exact', { count: 4 }),
  u32('local_ip6', 44, 'exact', { count: 4 }),
  u32('remote_port', 60),
  u32('local_port', 64),
  u32('size', 68),
  ptr('sk', 72, 'sock'),
]);

/** sk_reuseport_is_valid_access: read-only; eth_protocol (a __be16 in the kernel) as 2 or 4 bytes, hash whole. */
export const SK_REUSEPORT_MD = fieldCtx('sk_reuseport_md', 56, [
  ptr('data', 0, 'pkt'),
  ptr('data_end', 8, 'pkt_end'),
  u32('len', 16, 'narrow'),
  u32('eth_protocol', 20, 'wide16'),
  u32('ip_protocol', 24, 'narrow'),
  u32('bind_inany', 28, 'narrow'),
  u32('hash', 32),
  ptr('sk', 40, 'sock'),
  ptr('migrating_sk', 48, 'sock_common_or_null'),
]);

/** nf_is_valid_access: struct bpf_nf_ctx, two trusted kernel pointers. */
export const BPF_NF_CTX = fieldCtx('bpf_nf_ctx', 16, [ptr('state', 0, { btf: 'nf_hook_state' }), ptr('skb', 8, { btf: 'sk_buff' })]);

/** The field-table ctx of a program type and attach type, or undefined for the other types. */
export function fieldCtxOf(progType: number, attachType: number): FieldCtx | undefined {
  switch (progType) {
    case P.CGROUP_SOCK:
      return cgroupSockCtx(attachType);
    case P.CGROUP_SOCK_ADDR:
      return sockAddrCtx(attachType);
    case P.SOCK_OPS:
      return BPF_SOCK_OPS;
    case P.CGROUP_DEVICE:
      return BPF_CGROUP_DEV_CTX;
    case P.CGROUP_SYSCTL:
      return BPF_SYSCTL;
    case P.CGROUP_SOCKOPT:
      return sockoptCtx(attachType);
    case P.SK_LOOKUP:
      return BPF_SK_LOOKUP;
    case P.SK_MSG:
      return SK_MSG_MD;
    case P.SK_REUSEPORT:
      return SK_REUSEPORT_MD;
    case P.NETFILTER:
      return BPF_NF_CTX;
    default:
      return undefined;
  }
}
