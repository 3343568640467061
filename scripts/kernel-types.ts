/**
 * Regenerate src/kernel/objects/data/kernel-types.ts from this machine's /sys/kernel/btf/vmlinux (Linux
 * 6.18 when committed): the uapi context and helper-argument structs BPF programs built against
 * vmlinux.h relocate against (CO-RE), a deterministic subset of the kernel-internal structs tracing
 * programs read (task_struct, sk_buff, sock, file, dentry, ...: the members listed in KERNEL below,
 * at the kernel's offsets, in structs of the kernel's sizes), and the `btf_trace_*` prototypes of
 * common tracepoints (tp_btf). Run: `npm run kernel-types`.
 *
 * Rules: typedefs and modifiers are resolved; integers become u8..u64/s8..s64 (char, bool kept);
 * enums their integer; pointers `struct NAME *` (unions, functions and anonymous types: `void *`);
 * a struct embedded by value joins the list (all its members, or those KERNEL lists); an anonymous
 * struct reached through a typedef (`kuid_t`, `atomic_t`) joins under the typedef's name, an
 * anonymous struct or union type of a named member (`in6_addr.in6_u`, `icsk_ack`) under
 * `<struct>__<member>` (a union's members overlap at offset 0; CO-RE matches composites by member
 * name, not by the composite's name or kind); members of anonymous structs and unions are lifted
 * into the parent at their offsets (so a union's members overlap, as in C); a named union by value
 * becomes bytes; bitfields keep their bit offset and width.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseBtf } from '../src/btf/parse.js';
import type { Btf } from '../src/btf/btf.js';

const STRUCTS = [
  '__sk_buff', 'xdp_md', 'bpf_sock', 'bpf_sock_tuple', 'bpf_tcp_sock', 'bpf_xdp_sock', 'sk_msg_md', 'sk_reuseport_md',
  'bpf_sock_addr', 'bpf_sock_ops', 'bpf_sysctl', 'bpf_sockopt', 'bpf_sk_lookup', 'bpf_perf_event_data', 'bpf_perf_event_value',
  'bpf_raw_tracepoint_args', 'bpf_cgroup_dev_ctx', 'bpf_flow_keys', 'bpf_fib_lookup', 'bpf_tunnel_key', 'bpf_xfrm_state',
  'bpf_pidns_info', 'bpf_redir_neigh', 'bpf_spin_lock', 'bpf_timer', 'bpf_dynptr',
];

/**
 * Kernel-internal structs and the members kept of each (`*`: all). Members not listed are left out
 * (CO-RE finds the listed ones by name at the kernel's offsets; the struct keeps the kernel's size).
 */
const KERNEL: Readonly<Record<string, readonly string[] | '*'>> = {
  task_struct: [
    'thread_info', '__state', 'stack', 'flags', 'on_cpu', 'prio', 'static_prio', 'normal_prio', 'rt_priority', 'policy', 'nr_cpus_allowed',
    'mm', 'active_mm', 'exit_state', 'exit_code', 'exit_signal', 'pdeath_signal', 'sched_reset_on_fork', 'sched_contributes_to_load',
    'sched_migrated', 'in_execve', 'in_iowait', 'pid', 'tgid', 'real_parent', 'parent', 'group_leader', 'thread_pid', 'utime', 'stime',
    'gtime', 'nvcsw', 'nivcsw', 'start_time', 'start_boottime', 'min_flt', 'maj_flt', 'real_cred', 'cred', 'comm', 'fs', 'files',
    'nsproxy', 'signal', 'sighand', 'loginuid', 'sessionid', 'cgroups',
  ],
  thread_info: '*',
  cred: ['usage', 'uid', 'gid', 'suid', 'sgid', 'euid', 'egid', 'fsuid', 'fsgid', 'securebits', 'cap_inheritable', 'cap_permitted', 'cap_effective', 'cap_bset', 'cap_ambient', 'user_ns', 'group_info'],
  mm_struct: [
    'mmap_base', 'task_size', 'pgd', 'mm_users', 'mm_count', 'map_count', 'hiwater_rss', 'hiwater_vm', 'total_vm', 'locked_vm', 'data_vm', 'exec_vm', 'stack_vm',
    'start_code', 'end_code', 'start_data', 'end_data', 'start_brk', 'brk', 'start_stack', 'arg_start', 'arg_end', 'env_start', 'env_end', 'owner', 'exe_file',
  ],
  // bpf_find_vma's callback argument (kernel/bpf/task_iter.c)
  vm_area_struct: ['vm_start', 'vm_end', 'vm_mm', 'vm_flags', 'vm_pgoff', 'vm_file'],
  nsproxy: '*',
  pid_namespace: ['pid_allocated', 'child_reaper', 'level', 'pid_max', 'parent', 'user_ns', 'ns'],
  ns_common: ['ns_type', 'stashed', 'inum'],
  file: ['f_mode', 'f_op', 'f_mapping', 'private_data', 'f_inode', 'f_flags', 'f_cred', 'f_path', 'f_pos'],
  path: '*',
  vfsmount: '*',
  dentry: ['d_flags', 'd_parent', 'd_name', 'd_inode', 'd_op', 'd_sb', 'd_time', 'd_fsdata'],
  qstr: '*',
  inode: [
    'i_mode', 'i_opflags', 'i_uid', 'i_gid', 'i_flags', 'i_op', 'i_sb', 'i_mapping', 'i_ino', 'i_nlink', 'i_rdev', 'i_size', 'i_atime_sec', 'i_mtime_sec',
    'i_ctime_sec', 'i_atime_nsec', 'i_mtime_nsec', 'i_ctime_nsec', 'i_generation', 'i_blkbits', 'i_blocks', 'i_private',
  ],
  super_block: ['s_dev', 's_blocksize_bits', 's_blocksize', 's_maxbytes', 's_type', 's_op', 's_flags', 's_magic', 's_root', 's_bdev', 's_fs_info', 's_id'],
  linux_binprm: ['vma', 'mm', 'p', 'executable', 'interpreter', 'file', 'cred', 'argc', 'envc', 'filename', 'interp', 'fdpath', 'buf'],
  sk_buff: [
    'next', 'prev', 'dev', 'sk', 'tstamp', 'cb', 'len', 'data_len', 'mac_len', 'hdr_len', 'queue_mapping', 'cloned', 'pkt_type', 'ip_summed', 'tc_index',
    'priority', 'skb_iif', 'hash', 'vlan_proto', 'vlan_tci', 'napi_id', 'mark', 'inner_protocol', 'protocol', 'transport_header', 'network_header',
    'mac_header', 'tail', 'end', 'head', 'data', 'truesize', 'users',
  ],
  net_device: ['real_num_tx_queues', 'gso_max_size', 'mtu', 'flags', 'hard_header_len', 'ifindex', 'real_num_rx_queues', 'nd_net', 'name', 'ifalias', 'min_mtu', 'max_mtu', 'type', 'addr_len', 'perm_addr', 'dev_addr'],
  sock_common: [
    'skc_addrpair', 'skc_daddr', 'skc_rcv_saddr', 'skc_hash', 'skc_portpair', 'skc_dport', 'skc_num', 'skc_family', 'skc_state', 'skc_reuse', 'skc_reuseport',
    'skc_ipv6only', 'skc_bound_dev_if', 'skc_prot', 'skc_net', 'skc_v6_daddr', 'skc_v6_rcv_saddr', 'skc_cookie', 'skc_refcnt',
  ],
  sock: [
    '__sk_common', 'sk_drops', 'sk_rcvbuf', 'sk_rcvlowat', 'sk_err', 'sk_socket', 'sk_wmem_queued', 'sk_pacing_status', 'sk_pacing_rate', 'sk_max_pacing_rate',
    'sk_priority', 'sk_mark', 'sk_uid', 'sk_protocol', 'sk_type', 'sk_gso_type', 'sk_gso_max_size', 'sk_txhash', 'sk_sndbuf', 'sk_ack_backlog', 'sk_max_ack_backlog',
  ],
  inet_sock: ['sk', 'pinet6', 'inet_saddr', 'uc_ttl', 'inet_sport', 'inet_id', 'tos', 'min_ttl', 'mc_ttl', 'uc_index', 'mc_index', 'mc_addr'],
  inet_connection_sock: [
    'icsk_inet', 'icsk_rto', 'icsk_rto_min', 'icsk_ca_ops', 'icsk_sync_mss', 'icsk_ca_state', 'icsk_ca_initialized', 'icsk_ca_setsockopt',
    'icsk_ca_dst_locked', 'icsk_retransmits', 'icsk_pending', 'icsk_backoff', 'icsk_syn_retries', 'icsk_probes_out', 'icsk_ack', 'icsk_ca_priv',
  ],
  tcp_sock: [
    'inet_conn', 'reordering', 'snd_wnd', 'mss_cache', 'snd_cwnd', 'prr_out', 'lost_out', 'sacked_out', 'copied_seq', 'rttvar_us', 'retrans_out', 'lost',
    'snd_ssthresh', 'rtt_min', 'segs_out', 'data_segs_out', 'bytes_sent', 'write_seq', 'lsndtime', 'mdev_us', 'ecn_flags', 'tcp_mstamp', 'rcv_nxt', 'snd_nxt',
    'snd_una', 'srtt_us', 'packets_out', 'delivered', 'delivered_ce', 'app_limited', 'rcv_wnd', 'bytes_received', 'segs_in', 'data_segs_in', 'max_packets_out',
    'cwnd_usage_seq', 'rate_delivered', 'rate_interval_us', 'delivered_mstamp', 'bytes_acked', 'snd_cwnd_cnt', 'snd_cwnd_clamp', 'snd_cwnd_used',
    'snd_cwnd_stamp', 'prior_cwnd', 'prr_delivered', 'prior_ssthresh', 'high_seq', 'retrans_stamp', 'undo_marker', 'undo_retrans', 'bytes_retrans', 'total_retrans',
  ],
  in6_addr: '*',
  minmax: '*',
  minmax_sample: '*',
  request: ['q', 'mq_ctx', 'mq_hctx', 'cmd_flags', 'rq_flags', 'tag', 'internal_tag', 'timeout', '__data_len', '__sector', 'bio', 'biotail', 'part', 'alloc_time_ns', 'start_time_ns', 'io_start_time_ns', 'stats_sectors', 'nr_phys_segments', 'state', 'deadline'],
  bio: ['bi_next', 'bi_bdev', 'bi_opf', 'bi_flags', 'bi_ioprio', 'bi_status', 'bi_iter', 'bi_end_io', 'bi_private', 'issue_time_ns', 'bi_vcnt', 'bi_max_vecs', 'bi_io_vec'],
  bvec_iter: '*',
  // the css and css_task iterators' objects (kernel/bpf/cgroup_iter.c, src/kernel/objects/cgroup-objects.ts)
  css_set: ['dfl_cgrp'],
  cgroup_subsys_state: ['cgroup', 'id', 'flags', 'serial_nr', 'parent', 'nr_descendants'],
  cgroup: ['self', 'flags', 'level', 'max_depth', 'nr_descendants', 'kn'],
  kernfs_node: ['flags', 'mode', 'name', 'id'],
  block_device: ['bd_start_sect', 'bd_nr_sectors', 'bd_disk', 'bd_queue', 'bd_stamp', 'bd_dev', 'bd_holders', 'bd_writers'],
};

const TRACEPOINTS = [
  'sched_switch', 'sched_wakeup', 'sched_wakeup_new', 'sched_process_exec', 'sched_process_exit', 'sched_process_fork',
  'xdp_exception', 'xdp_redirect_err', 'block_rq_issue', 'block_rq_complete', 'block_io_start', 'softirq_raise', 'softirq_entry',
  'mm_vmscan_direct_reclaim_begin', 'kfree_skb', 'tcp_retransmit_skb', 'inet_sock_set_state', 'net_dev_queue',
];

/** Structs the emulated kernel defines on its own (src/kernel/defaults.ts, kobjects.ts). */
const EMULATOR_STRUCTS = new Set(['pt_regs']);

interface Member { name: string; type: string; offset: number; bits?: number; bitOffset?: number }

/** A struct to extract: by name, or a synthesized one (an anonymous type) by its type id. */
interface Job { name: string; id?: number }

function main(): void {
  const bytes = new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux'));
  const btf = parseBtf(bytes);
  const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  const queue: Job[] = [...STRUCTS, ...Object.keys(KERNEL)].map((name) => ({ name }));
  const done = new Map<string, { size: number; members: Member[] }>();
  while (queue.length > 0) {
    const job = queue.shift()!;
    if (done.has(job.name)) continue;
    const id = job.id ?? btf.findByName(job.name, 'STRUCT')[0]?.id;
    if (id === undefined) throw new Error(`struct ${job.name} is not in this vmlinux`);
    const all: RawMember[] = [];
    lift(btf, id, 0, all);
    const keep = KERNEL[job.name] ?? '*';
    if (keep !== '*') {
      for (const n of keep) if (!all.some((m) => m.name === n)) throw new Error(`struct ${job.name} has no member ${n}`);
    }
    const members = all
      .filter((m) => keep === '*' || keep.includes(m.name))
      // a member name seen twice (a union of same-named views) keeps its first place, as findMember does
      .filter((m, i, arr) => arr.findIndex((x) => x.name === m.name) === i)
      .map((m) => {
        const type = typeStr(btf, m.type, queue, true, `${job.name}__${m.name}`);
        return m.bits === 0 ? { name: m.name, type, offset: m.offset } : { name: m.name, type, offset: m.offset, bits: m.bits, bitOffset: m.bitOffset };
      });
    done.set(job.name, { size: btf.sizeof(id), members });
  }
  const tps: { name: string; params: { name: string; type: string }[] }[] = [];
  for (const tp of TRACEPOINTS) {
    const td = btf.findByName(`btf_trace_${tp}`, 'TYPEDEF')[0];
    if (td === undefined || td.kind !== 'TYPEDEF') throw new Error(`btf_trace_${tp} is not in this vmlinux`);
    const ptr = btf.type(td.type);
    if (ptr.kind !== 'PTR') throw new Error(`btf_trace_${tp} is not a pointer`);
    const proto = btf.type(ptr.type);
    if (proto.kind !== 'FUNC_PROTO') throw new Error(`btf_trace_${tp} is not a function pointer`);
    tps.push({ name: tp, params: proto.params.slice(1).map((p, i) => ({ name: p.name || `arg${i}`, type: typeStr(btf, p.type, queue, false, '') })) });
  }
  const order = [...done.keys()];
  const out = [
    '/**',
    ` * Generated by scripts/kernel-types.ts from /sys/kernel/btf/vmlinux of Linux ${release}: the uapi`,
    ' * context and helper-argument structs with the kernel\'s layouts, and the btf_trace_* prototypes',
    ' * of common tracepoints. Do not edit; run `npm run kernel-types` on a 6.18 machine.',
    ' */',
    "import type { KStructDef } from '../ktypes.js';",
    '',
    `/** The kernel the data was read from. */`,
    `export const KERNEL_TYPES_RELEASE = ${JSON.stringify(release)};`,
    '',
    '/** Structs in dependency order (a struct embedded by value comes before its user). */',
    'export const KERNEL_CTX_STRUCTS: readonly KStructDef[] = [',
    ...sortDeps(order, done).map((n) => `  ${JSON.stringify({ name: n, size: done.get(n)!.size, members: done.get(n)!.members })},`),
    '];',
    '',
    '/** Raw tracepoints: the arguments after `void *__data` of each btf_trace_<name>. */',
    'export const KERNEL_TRACEPOINTS: readonly { readonly name: string; readonly params: readonly { readonly name: string; readonly type: string }[] }[] = [',
    ...tps.map((t) => `  ${JSON.stringify(t)},`),
    '];',
    '',
  ];
  writeFileSync('src/kernel/objects/data/kernel-types.ts', out.join('\n'));
  console.log(`wrote ${done.size} structs and ${tps.length} tracepoints from ${release}`);
}

/** A member before filtering: name, BTF type, byte offset, bitfield width and absolute bit offset. */
interface RawMember { name: string; type: number; offset: number; bits: number; bitOffset: number }

/** Members of composite `id` at byte `base`, anonymous members lifted. */
function lift(btf: Btf, id: number, base: number, out: RawMember[]): void {
  for (const m of btf.composite(id).members) {
    const mt = btf.resolved(m.type);
    const bitOffset = base * 8 + m.bitOffset;
    if (m.name === '' && (mt.kind === 'STRUCT' || mt.kind === 'UNION')) {
      lift(btf, mt.id, Math.floor(bitOffset / 8), out);
      continue;
    }
    if (m.bitfieldSize !== 0) {
      // a bitfield: the byte offset of its storage unit (the unit of its type's size holding its first bit)
      const unit = btf.sizeof(mt.id);
      out.push({ name: m.name, type: m.type, offset: Math.floor(bitOffset / (unit * 8)) * unit, bits: m.bitfieldSize, bitOffset });
      continue;
    }
    out.push({ name: m.name, type: m.type, offset: Math.floor(bitOffset / 8), bits: 0, bitOffset });
  }
}

/** The typedef name `id` goes through before reaching an anonymous struct, or ''. */
function typedefName(btf: Btf, id: number): string {
  let t = btf.type(id);
  let name = '';
  for (let depth = 0; depth < 16 && (t.kind === 'TYPEDEF' || t.kind === 'CONST' || t.kind === 'VOLATILE' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG'); depth++) {
    if (t.kind === 'TYPEDEF') name = t.name;
    t = btf.type(t.type);
  }
  return name;
}

/**
 * The type string of BTF type `id`. `byValueJoins`: a struct by value joins the queue; `anonName`
 * names an anonymous composite type reached without a typedef (a named member's own type).
 */
function typeStr(btf: Btf, id: number, queue: Job[], byValueJoins: boolean, anonName: string): string {
  const t = btf.resolved(id);
  switch (t.kind) {
    case 'VOID':
      return 'void';
    case 'INT':
      if (t.bool) return 'bool';
      if (t.size === 1 && (t.char || t.name === 'char')) return 'char';
      return `${t.signed ? 's' : 'u'}${t.size * 8}`;
    case 'ENUM':
    case 'ENUM64':
      return `${t.signed ? 's' : 'u'}${t.size * 8}`;
    case 'PTR': {
      const p = btf.resolved(t.type);
      if (p.kind === 'STRUCT' && p.name !== '') return `struct ${p.name} *`;
      if (p.kind === 'FWD' && !p.union) return `struct ${p.name} *`;
      if (p.kind === 'INT' || p.kind === 'VOID') return `${typeStr(btf, t.type, queue, false, '')} *`;
      return 'void *';
    }
    case 'ARRAY': {
      let n = t.nelems;
      let e = btf.resolved(t.type);
      while (e.kind === 'ARRAY') {
        n *= e.nelems;
        e = btf.resolved(e.type);
      }
      return `${typeStr(btf, e.id, queue, byValueJoins, anonName)}[${n}]`;
    }
    case 'STRUCT':
    case 'UNION': {
      if (!byValueJoins) return `u8[${t.size}]`;
      if (t.name !== '') {
        if (t.kind === 'UNION') return `u8[${t.size}]`;
        // the emulator defines these itself (with the same size): referenced, not extracted
        if (!EMULATOR_STRUCTS.has(t.name)) queue.push({ name: t.name });
        return `struct ${t.name}`;
      }
      const name = typedefName(btf, id) || anonName;
      if (name === '') return `u8[${t.size}]`;
      queue.push({ name, id: t.id });
      return `struct ${name}`;
    }
    default:
      return 'void *';
  }
}

/** `names` ordered so that a struct comes after the structs it embeds by value. */
function sortDeps(names: string[], defs: Map<string, { members: Member[] }>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const m of defs.get(n)?.members ?? []) {
      const dep = /^struct (\w+)(\[\d+\])?$/.exec(m.type)?.[1];
      if (dep !== undefined && defs.has(dep)) visit(dep);
    }
    out.push(n);
  };
  for (const n of names) visit(n);
  return out;
}

main();
