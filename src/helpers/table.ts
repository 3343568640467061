/**
 * The uapi `enum bpf_func_id` as one table: every helper id with its name, return kind, argument
 * kinds and C prototype.
 *
 * Source: include/uapi/linux/bpf.h as shipped in libbpf's include/uapi (a copy newer than Linux
 * 6.18: it already has BPF_PROG_ASSOC_STRUCT_OPS), its `___BPF_FUNC_MAPPER` list (ids 0..211,
 * bpf_unspec .. bpf_cgrp_storage_delete; the list has been frozen since Linux 6.2, new kernel
 * functionality comes as kfuncs) and the prototypes of its helper documentation. The kinds are derived from those C prototypes, which is coarser than the
 * kernel's `struct bpf_func_proto` (e.g. `size` covers ARG_CONST_SIZE and ARG_CONST_SIZE_OR_ZERO);
 * implementations check their arguments themselves.
 *
 * Used by the helper registry (names and default argument kinds), the disassembler (`call
 * bpf_map_lookup_elem#1`) and the support table (support.ts).
 */
import type { ArgKind, RetKind } from './registry.js';

/** One helper of `enum bpf_func_id`. */
export interface HelperSpec {
  /** BPF_FUNC_* value. */
  readonly id: number;
  /** Name without the `bpf_` prefix. */
  readonly name: string;
  readonly ret: RetKind;
  readonly args: readonly ArgKind[];
  /** C prototype from the uapi documentation, without the name: `long (void *dst, u32 size, ...)`. */
  readonly proto: string;
}

type Row = readonly [id: number, name: string, ret: RetKind, args: readonly ArgKind[], proto: string];

// prettier-ignore
const ROWS: readonly Row[] = [
  [0, 'unspec', 'void', [], ''],
  [1, 'map_lookup_elem', 'ptr_or_null', ['map', 'ptr'], 'void *(struct bpf_map *map, const void *key)'],
  [2, 'map_update_elem', 'integer', ['map', 'ptr', 'ptr', 'anything'], 'long (struct bpf_map *map, const void *key, const void *value, u64 flags)'],
  [3, 'map_delete_elem', 'integer', ['map', 'ptr'], 'long (struct bpf_map *map, const void *key)'],
  [4, 'probe_read', 'integer', ['ptr', 'size', 'ptr'], 'long (void *dst, u32 size, const void *unsafe_ptr)'],
  [5, 'ktime_get_ns', 'integer', [], 'u64 (void)'],
  [6, 'trace_printk', 'integer', ['ptr', 'size', 'anything', 'anything', 'anything'], 'long (const char *fmt, u32 fmt_size, ...)'],
  [7, 'get_prandom_u32', 'integer', [], 'u32 (void)'],
  [8, 'get_smp_processor_id', 'integer', [], 'u32 (void)'],
  [9, 'skb_store_bytes', 'integer', ['ctx', 'anything', 'ptr', 'size', 'anything'], 'long (struct sk_buff *skb, u32 offset, const void *from, u32 len, u64 flags)'],
  [10, 'l3_csum_replace', 'integer', ['ctx', 'anything', 'anything', 'anything', 'anything'], 'long (struct sk_buff *skb, u32 offset, u64 from, u64 to, u64 size)'],
  [11, 'l4_csum_replace', 'integer', ['ctx', 'anything', 'anything', 'anything', 'anything'], 'long (struct sk_buff *skb, u32 offset, u64 from, u64 to, u64 flags)'],
  [12, 'tail_call', 'integer', ['ctx', 'map', 'anything'], 'long (void *ctx, struct bpf_map *prog_array_map, u32 index)'],
  [13, 'clone_redirect', 'integer', ['ctx', 'anything', 'anything'], 'long (struct sk_buff *skb, u32 ifindex, u64 flags)'],
  [14, 'get_current_pid_tgid', 'integer', [], 'u64 (void)'],
  [15, 'get_current_uid_gid', 'integer', [], 'u64 (void)'],
  [16, 'get_current_comm', 'integer', ['ptr', 'size'], 'long (void *buf, u32 size_of_buf)'],
  [17, 'get_cgroup_classid', 'integer', ['ctx'], 'u32 (struct sk_buff *skb)'],
  [18, 'skb_vlan_push', 'integer', ['ctx', 'anything', 'anything'], 'long (struct sk_buff *skb, __be16 vlan_proto, u16 vlan_tci)'],
  [19, 'skb_vlan_pop', 'integer', ['ctx'], 'long (struct sk_buff *skb)'],
  [20, 'skb_get_tunnel_key', 'integer', ['ctx', 'ptr', 'size', 'anything'], 'long (struct sk_buff *skb, struct bpf_tunnel_key *key, u32 size, u64 flags)'],
  [21, 'skb_set_tunnel_key', 'integer', ['ctx', 'ptr', 'size', 'anything'], 'long (struct sk_buff *skb, struct bpf_tunnel_key *key, u32 size, u64 flags)'],
  [22, 'perf_event_read', 'integer', ['map', 'anything'], 'u64 (struct bpf_map *map, u64 flags)'],
  [23, 'redirect', 'integer', ['anything', 'anything'], 'long (u32 ifindex, u64 flags)'],
  [24, 'get_route_realm', 'integer', ['ctx'], 'u32 (struct sk_buff *skb)'],
  [25, 'perf_event_output', 'integer', ['ctx', 'map', 'anything', 'ptr', 'size'], 'long (void *ctx, struct bpf_map *map, u64 flags, void *data, u64 size)'],
  [26, 'skb_load_bytes', 'integer', ['ptr', 'anything', 'ptr', 'size'], 'long (const void *skb, u32 offset, void *to, u32 len)'],
  [27, 'get_stackid', 'integer', ['ctx', 'map', 'anything'], 'long (void *ctx, struct bpf_map *map, u64 flags)'],
  [28, 'csum_diff', 'integer', ['ptr', 'size', 'ptr', 'size', 'anything'], 's64 (__be32 *from, u32 from_size, __be32 *to, u32 to_size, __wsum seed)'],
  [29, 'skb_get_tunnel_opt', 'integer', ['ctx', 'ptr', 'size'], 'long (struct sk_buff *skb, void *opt, u32 size)'],
  [30, 'skb_set_tunnel_opt', 'integer', ['ctx', 'ptr', 'size'], 'long (struct sk_buff *skb, void *opt, u32 size)'],
  [31, 'skb_change_proto', 'integer', ['ctx', 'anything', 'anything'], 'long (struct sk_buff *skb, __be16 proto, u64 flags)'],
  [32, 'skb_change_type', 'integer', ['ctx', 'anything'], 'long (struct sk_buff *skb, u32 type)'],
  [33, 'skb_under_cgroup', 'integer', ['ctx', 'map', 'anything'], 'long (struct sk_buff *skb, struct bpf_map *map, u32 index)'],
  [34, 'get_hash_recalc', 'integer', ['ctx'], 'u32 (struct sk_buff *skb)'],
  [35, 'get_current_task', 'integer', [], 'u64 (void)'],
  [36, 'probe_write_user', 'integer', ['ptr', 'ptr', 'size'], 'long (void *dst, const void *src, u32 len)'],
  [37, 'current_task_under_cgroup', 'integer', ['map', 'anything'], 'long (struct bpf_map *map, u32 index)'],
  [38, 'skb_change_tail', 'integer', ['ctx', 'size', 'anything'], 'long (struct sk_buff *skb, u32 len, u64 flags)'],
  [39, 'skb_pull_data', 'integer', ['ctx', 'size'], 'long (struct sk_buff *skb, u32 len)'],
  [40, 'csum_update', 'integer', ['ctx', 'anything'], 's64 (struct sk_buff *skb, __wsum csum)'],
  [41, 'set_hash_invalid', 'void', ['ctx'], 'void (struct sk_buff *skb)'],
  [42, 'get_numa_node_id', 'integer', [], 'long (void)'],
  [43, 'skb_change_head', 'integer', ['ctx', 'size', 'anything'], 'long (struct sk_buff *skb, u32 len, u64 flags)'],
  [44, 'xdp_adjust_head', 'integer', ['ctx', 'anything'], 'long (struct xdp_buff *xdp_md, int delta)'],
  [45, 'probe_read_str', 'integer', ['ptr', 'size', 'ptr'], 'long (void *dst, u32 size, const void *unsafe_ptr)'],
  [46, 'get_socket_cookie', 'integer', ['btf_id'], 'u64 (struct sock *sk)'],
  [47, 'get_socket_uid', 'integer', ['ctx'], 'u32 (struct sk_buff *skb)'],
  [48, 'set_hash', 'integer', ['ctx', 'anything'], 'long (struct sk_buff *skb, u32 hash)'],
  [49, 'setsockopt', 'integer', ['ptr', 'anything', 'anything', 'ptr', 'size'], 'long (void *bpf_socket, int level, int optname, void *optval, int optlen)'],
  [50, 'skb_adjust_room', 'integer', ['ctx', 'anything', 'anything', 'anything'], 'long (struct sk_buff *skb, s32 len_diff, u32 mode, u64 flags)'],
  [51, 'redirect_map', 'integer', ['map', 'anything', 'anything'], 'long (struct bpf_map *map, u64 key, u64 flags)'],
  [52, 'sk_redirect_map', 'integer', ['ctx', 'map', 'anything', 'anything'], 'long (struct sk_buff *skb, struct bpf_map *map, u32 key, u64 flags)'],
  [53, 'sock_map_update', 'integer', ['ctx', 'map', 'ptr', 'anything'], 'long (struct bpf_sock_ops *skops, struct bpf_map *map, void *key, u64 flags)'],
  [54, 'xdp_adjust_meta', 'integer', ['ctx', 'anything'], 'long (struct xdp_buff *xdp_md, int delta)'],
  [55, 'perf_event_read_value', 'integer', ['map', 'anything', 'ptr', 'size'], 'long (struct bpf_map *map, u64 flags, struct bpf_perf_event_value *buf, u32 buf_size)'],
  [56, 'perf_prog_read_value', 'integer', ['ctx', 'ptr', 'size'], 'long (struct bpf_perf_event_data *ctx, struct bpf_perf_event_value *buf, u32 buf_size)'],
  [57, 'getsockopt', 'integer', ['ptr', 'anything', 'anything', 'ptr', 'size'], 'long (void *bpf_socket, int level, int optname, void *optval, int optlen)'],
  [58, 'override_return', 'integer', ['ctx', 'anything'], 'long (struct pt_regs *regs, u64 rc)'],
  [59, 'sock_ops_cb_flags_set', 'integer', ['ctx', 'anything'], 'long (struct bpf_sock_ops *bpf_sock, int argval)'],
  [60, 'msg_redirect_map', 'integer', ['ctx', 'map', 'anything', 'anything'], 'long (struct sk_msg_buff *msg, struct bpf_map *map, u32 key, u64 flags)'],
  [61, 'msg_apply_bytes', 'integer', ['ctx', 'anything'], 'long (struct sk_msg_buff *msg, u32 bytes)'],
  [62, 'msg_cork_bytes', 'integer', ['ctx', 'anything'], 'long (struct sk_msg_buff *msg, u32 bytes)'],
  [63, 'msg_pull_data', 'integer', ['ctx', 'anything', 'anything', 'anything'], 'long (struct sk_msg_buff *msg, u32 start, u32 end, u64 flags)'],
  [64, 'bind', 'integer', ['ctx', 'ptr', 'size'], 'long (struct bpf_sock_addr *ctx, struct sockaddr *addr, int addr_len)'],
  [65, 'xdp_adjust_tail', 'integer', ['ctx', 'anything'], 'long (struct xdp_buff *xdp_md, int delta)'],
  [66, 'skb_get_xfrm_state', 'integer', ['ctx', 'anything', 'ptr', 'size', 'anything'], 'long (struct sk_buff *skb, u32 index, struct bpf_xfrm_state *xfrm_state, u32 size, u64 flags)'],
  [67, 'get_stack', 'integer', ['ctx', 'ptr', 'size', 'anything'], 'long (void *ctx, void *buf, u32 size, u64 flags)'],
  [68, 'skb_load_bytes_relative', 'integer', ['ptr', 'anything', 'ptr', 'size', 'anything'], 'long (const void *skb, u32 offset, void *to, u32 len, u32 start_header)'],
  [69, 'fib_lookup', 'integer', ['ctx', 'ptr', 'size', 'anything'], 'long (void *ctx, struct bpf_fib_lookup *params, int plen, u32 flags)'],
  [70, 'sock_hash_update', 'integer', ['ctx', 'map', 'ptr', 'anything'], 'long (struct bpf_sock_ops *skops, struct bpf_map *map, void *key, u64 flags)'],
  [71, 'msg_redirect_hash', 'integer', ['ctx', 'map', 'ptr', 'anything'], 'long (struct sk_msg_buff *msg, struct bpf_map *map, void *key, u64 flags)'],
  [72, 'sk_redirect_hash', 'integer', ['ctx', 'map', 'ptr', 'anything'], 'long (struct sk_buff *skb, struct bpf_map *map, void *key, u64 flags)'],
  [73, 'lwt_push_encap', 'integer', ['ctx', 'anything', 'ptr', 'size'], 'long (struct sk_buff *skb, u32 type, void *hdr, u32 len)'],
  [74, 'lwt_seg6_store_bytes', 'integer', ['ctx', 'anything', 'ptr', 'size'], 'long (struct sk_buff *skb, u32 offset, const void *from, u32 len)'],
  [75, 'lwt_seg6_adjust_srh', 'integer', ['ctx', 'anything', 'anything'], 'long (struct sk_buff *skb, u32 offset, s32 delta)'],
  [76, 'lwt_seg6_action', 'integer', ['ctx', 'anything', 'ptr', 'size'], 'long (struct sk_buff *skb, u32 action, void *param, u32 param_len)'],
  [77, 'rc_repeat', 'integer', ['ctx'], 'long (void *ctx)'],
  [78, 'rc_keydown', 'integer', ['ctx', 'anything', 'anything', 'anything'], 'long (void *ctx, u32 protocol, u64 scancode, u32 toggle)'],
  [79, 'skb_cgroup_id', 'integer', ['ctx'], 'u64 (struct sk_buff *skb)'],
  [80, 'get_current_cgroup_id', 'integer', [], 'u64 (void)'],
  [81, 'get_local_storage', 'ptr_or_null', ['map', 'anything'], 'void *(void *map, u64 flags)'],
  [82, 'sk_select_reuseport', 'integer', ['ctx', 'map', 'ptr', 'anything'], 'long (struct sk_reuseport_md *reuse, struct bpf_map *map, void *key, u64 flags)'],
  [83, 'skb_ancestor_cgroup_id', 'integer', ['ctx', 'anything'], 'u64 (struct sk_buff *skb, int ancestor_level)'],
  [84, 'sk_lookup_tcp', 'btf_id', ['ctx', 'ptr', 'size', 'anything', 'anything'], 'struct bpf_sock *(void *ctx, struct bpf_sock_tuple *tuple, u32 tuple_size, u64 netns, u64 flags)'],
  [85, 'sk_lookup_udp', 'btf_id', ['ctx', 'ptr', 'size', 'anything', 'anything'], 'struct bpf_sock *(void *ctx, struct bpf_sock_tuple *tuple, u32 tuple_size, u64 netns, u64 flags)'],
  [86, 'sk_release', 'integer', ['ptr'], 'long (void *sock)'],
  [87, 'map_push_elem', 'integer', ['map', 'ptr', 'anything'], 'long (struct bpf_map *map, const void *value, u64 flags)'],
  [88, 'map_pop_elem', 'integer', ['map', 'ptr'], 'long (struct bpf_map *map, void *value)'],
  [89, 'map_peek_elem', 'integer', ['map', 'ptr'], 'long (struct bpf_map *map, void *value)'],
  [90, 'msg_push_data', 'integer', ['ctx', 'anything', 'anything', 'anything'], 'long (struct sk_msg_buff *msg, u32 start, u32 len, u64 flags)'],
  [91, 'msg_pop_data', 'integer', ['ctx', 'anything', 'anything', 'anything'], 'long (struct sk_msg_buff *msg, u32 start, u32 len, u64 flags)'],
  [92, 'rc_pointer_rel', 'integer', ['ctx', 'anything', 'anything'], 'long (void *ctx, s32 rel_x, s32 rel_y)'],
  [93, 'spin_lock', 'integer', ['spin_lock'], 'long (struct bpf_spin_lock *lock)'],
  [94, 'spin_unlock', 'integer', ['spin_lock'], 'long (struct bpf_spin_lock *lock)'],
  [95, 'sk_fullsock', 'btf_id', ['btf_id'], 'struct bpf_sock *(struct bpf_sock *sk)'],
  [96, 'tcp_sock', 'btf_id', ['btf_id'], 'struct bpf_tcp_sock *(struct bpf_sock *sk)'],
  [97, 'skb_ecn_set_ce', 'integer', ['ctx'], 'long (struct sk_buff *skb)'],
  [98, 'get_listener_sock', 'btf_id', ['btf_id'], 'struct bpf_sock *(struct bpf_sock *sk)'],
  [99, 'skc_lookup_tcp', 'btf_id', ['ctx', 'ptr', 'size', 'anything', 'anything'], 'struct bpf_sock *(void *ctx, struct bpf_sock_tuple *tuple, u32 tuple_size, u64 netns, u64 flags)'],
  [100, 'tcp_check_syncookie', 'integer', ['ptr', 'ptr', 'size', 'ptr', 'size'], 'long (void *sk, void *iph, u32 iph_len, struct tcphdr *th, u32 th_len)'],
  [101, 'sysctl_get_name', 'integer', ['ctx', 'ptr', 'size', 'anything'], 'long (struct bpf_sysctl *ctx, char *buf, size_t buf_len, u64 flags)'],
  [102, 'sysctl_get_current_value', 'integer', ['ctx', 'ptr', 'size'], 'long (struct bpf_sysctl *ctx, char *buf, size_t buf_len)'],
  [103, 'sysctl_get_new_value', 'integer', ['ctx', 'ptr', 'size'], 'long (struct bpf_sysctl *ctx, char *buf, size_t buf_len)'],
  [104, 'sysctl_set_new_value', 'integer', ['ctx', 'ptr', 'size'], 'long (struct bpf_sysctl *ctx, const char *buf, size_t buf_len)'],
  [105, 'strtol', 'integer', ['ptr', 'size', 'anything', 'ptr'], 'long (const char *buf, size_t buf_len, u64 flags, long *res)'],
  [106, 'strtoul', 'integer', ['ptr', 'size', 'anything', 'ptr'], 'long (const char *buf, size_t buf_len, u64 flags, unsigned long *res)'],
  [107, 'sk_storage_get', 'ptr_or_null', ['map', 'ptr', 'ptr', 'anything'], 'void *(struct bpf_map *map, void *sk, void *value, u64 flags)'],
  [108, 'sk_storage_delete', 'integer', ['map', 'ptr'], 'long (struct bpf_map *map, void *sk)'],
  [109, 'send_signal', 'integer', ['anything'], 'long (u32 sig)'],
  [110, 'tcp_gen_syncookie', 'integer', ['ptr', 'ptr', 'size', 'ptr', 'size'], 's64 (void *sk, void *iph, u32 iph_len, struct tcphdr *th, u32 th_len)'],
  [111, 'skb_output', 'integer', ['ctx', 'map', 'anything', 'ptr', 'size'], 'long (void *ctx, struct bpf_map *map, u64 flags, void *data, u64 size)'],
  [112, 'probe_read_user', 'integer', ['ptr', 'size', 'ptr'], 'long (void *dst, u32 size, const void *unsafe_ptr)'],
  [113, 'probe_read_kernel', 'integer', ['ptr', 'size', 'ptr'], 'long (void *dst, u32 size, const void *unsafe_ptr)'],
  [114, 'probe_read_user_str', 'integer', ['ptr', 'size', 'ptr'], 'long (void *dst, u32 size, const void *unsafe_ptr)'],
  [115, 'probe_read_kernel_str', 'integer', ['ptr', 'size', 'ptr'], 'long (void *dst, u32 size, const void *unsafe_ptr)'],
  [116, 'tcp_send_ack', 'integer', ['ptr', 'anything'], 'long (void *tp, u32 rcv_nxt)'],
  [117, 'send_signal_thread', 'integer', ['anything'], 'long (u32 sig)'],
  [118, 'jiffies64', 'integer', [], 'u64 (void)'],
  [119, 'read_branch_records', 'integer', ['ctx', 'ptr', 'size', 'anything'], 'long (struct bpf_perf_event_data *ctx, void *buf, u32 size, u64 flags)'],
  [120, 'get_ns_current_pid_tgid', 'integer', ['anything', 'anything', 'ptr', 'size'], 'long (u64 dev, u64 ino, struct bpf_pidns_info *nsdata, u32 size)'],
  [121, 'xdp_output', 'integer', ['ctx', 'map', 'anything', 'ptr', 'size'], 'long (void *ctx, struct bpf_map *map, u64 flags, void *data, u64 size)'],
  [122, 'get_netns_cookie', 'integer', ['ctx'], 'u64 (void *ctx)'],
  [123, 'get_current_ancestor_cgroup_id', 'integer', ['anything'], 'u64 (int ancestor_level)'],
  [124, 'sk_assign', 'integer', ['ctx', 'btf_id', 'anything'], 'long (struct bpf_sk_lookup *ctx, struct bpf_sock *sk, u64 flags)'],
  [125, 'ktime_get_boot_ns', 'integer', [], 'u64 (void)'],
  [126, 'seq_printf', 'integer', ['btf_id', 'ptr', 'size', 'ptr', 'size'], 'long (struct seq_file *m, const char *fmt, u32 fmt_size, const void *data, u32 data_len)'],
  [127, 'seq_write', 'integer', ['btf_id', 'ptr', 'size'], 'long (struct seq_file *m, const void *data, u32 len)'],
  [128, 'sk_cgroup_id', 'integer', ['ptr'], 'u64 (void *sk)'],
  [129, 'sk_ancestor_cgroup_id', 'integer', ['ptr', 'anything'], 'u64 (void *sk, int ancestor_level)'],
  [130, 'ringbuf_output', 'integer', ['map', 'ptr', 'size', 'anything'], 'long (void *ringbuf, void *data, u64 size, u64 flags)'],
  [131, 'ringbuf_reserve', 'ptr_or_null', ['map', 'size', 'anything'], 'void *(void *ringbuf, u64 size, u64 flags)'],
  [132, 'ringbuf_submit', 'void', ['ptr', 'anything'], 'void (void *data, u64 flags)'],
  [133, 'ringbuf_discard', 'void', ['ptr', 'anything'], 'void (void *data, u64 flags)'],
  [134, 'ringbuf_query', 'integer', ['map', 'anything'], 'u64 (void *ringbuf, u64 flags)'],
  [135, 'csum_level', 'integer', ['ctx', 'anything'], 'long (struct sk_buff *skb, u64 level)'],
  [136, 'skc_to_tcp6_sock', 'btf_id', ['ptr'], 'struct tcp6_sock *(void *sk)'],
  [137, 'skc_to_tcp_sock', 'btf_id', ['ptr'], 'struct tcp_sock *(void *sk)'],
  [138, 'skc_to_tcp_timewait_sock', 'btf_id', ['ptr'], 'struct tcp_timewait_sock *(void *sk)'],
  [139, 'skc_to_tcp_request_sock', 'btf_id', ['ptr'], 'struct tcp_request_sock *(void *sk)'],
  [140, 'skc_to_udp6_sock', 'btf_id', ['ptr'], 'struct udp6_sock *(void *sk)'],
  [141, 'get_task_stack', 'integer', ['btf_id', 'ptr', 'size', 'anything'], 'long (struct task_struct *task, void *buf, u32 size, u64 flags)'],
  [142, 'load_hdr_opt', 'integer', ['ctx', 'ptr', 'size', 'anything'], 'long (struct bpf_sock_ops *skops, void *searchby_res, u32 len, u64 flags)'],
  [143, 'store_hdr_opt', 'integer', ['ctx', 'ptr', 'size', 'anything'], 'long (struct bpf_sock_ops *skops, const void *from, u32 len, u64 flags)'],
  [144, 'reserve_hdr_opt', 'integer', ['ctx', 'size', 'anything'], 'long (struct bpf_sock_ops *skops, u32 len, u64 flags)'],
  [145, 'inode_storage_get', 'ptr_or_null', ['map', 'ptr', 'ptr', 'anything'], 'void *(struct bpf_map *map, void *inode, void *value, u64 flags)'],
  [146, 'inode_storage_delete', 'integer', ['map', 'ptr'], 'int (struct bpf_map *map, void *inode)'],
  [147, 'd_path', 'integer', ['btf_id', 'ptr', 'anything'], 'long (const struct path *path, char *buf, u32 sz)'],
  [148, 'copy_from_user', 'integer', ['ptr', 'size', 'ptr'], 'long (void *dst, u32 size, const void *user_ptr)'],
  [149, 'snprintf_btf', 'integer', ['ptr', 'size', 'ptr', 'size', 'anything'], 'long (char *str, u32 str_size, struct btf_ptr *ptr, u32 btf_ptr_size, u64 flags)'],
  [150, 'seq_printf_btf', 'integer', ['btf_id', 'ptr', 'size', 'anything'], 'long (struct seq_file *m, struct btf_ptr *ptr, u32 ptr_size, u64 flags)'],
  [151, 'skb_cgroup_classid', 'integer', ['ctx'], 'u64 (struct sk_buff *skb)'],
  [152, 'redirect_neigh', 'integer', ['anything', 'ptr', 'size', 'anything'], 'long (u32 ifindex, struct bpf_redir_neigh *params, int plen, u64 flags)'],
  [153, 'per_cpu_ptr', 'ptr_or_null', ['ptr', 'anything'], 'void *(const void *percpu_ptr, u32 cpu)'],
  [154, 'this_cpu_ptr', 'ptr_or_null', ['ptr'], 'void *(const void *percpu_ptr)'],
  [155, 'redirect_peer', 'integer', ['anything', 'anything'], 'long (u32 ifindex, u64 flags)'],
  [156, 'task_storage_get', 'ptr_or_null', ['map', 'btf_id', 'ptr', 'anything'], 'void *(struct bpf_map *map, struct task_struct *task, void *value, u64 flags)'],
  [157, 'task_storage_delete', 'integer', ['map', 'btf_id'], 'long (struct bpf_map *map, struct task_struct *task)'],
  [158, 'get_current_task_btf', 'btf_id', [], 'struct task_struct *(void)'],
  [159, 'bprm_opts_set', 'integer', ['btf_id', 'anything'], 'long (struct linux_binprm *bprm, u64 flags)'],
  [160, 'ktime_get_coarse_ns', 'integer', [], 'u64 (void)'],
  [161, 'ima_inode_hash', 'integer', ['btf_id', 'ptr', 'size'], 'long (struct inode *inode, void *dst, u32 size)'],
  [162, 'sock_from_file', 'btf_id', ['btf_id'], 'struct socket *(struct file *file)'],
  [163, 'check_mtu', 'integer', ['ctx', 'anything', 'ptr', 'anything', 'anything'], 'long (void *ctx, u32 ifindex, u32 *mtu_len, s32 len_diff, u64 flags)'],
  [164, 'for_each_map_elem', 'integer', ['map', 'func', 'ptr_or_null', 'anything'], 'long (struct bpf_map *map, void *callback_fn, void *callback_ctx, u64 flags)'],
  [165, 'snprintf', 'integer', ['ptr', 'size', 'ptr', 'ptr', 'size'], 'long (char *str, u32 str_size, const char *fmt, u64 *data, u32 data_len)'],
  [166, 'sys_bpf', 'integer', ['anything', 'ptr', 'size'], 'long (u32 cmd, void *attr, u32 attr_size)'],
  [167, 'btf_find_by_name_kind', 'integer', ['ptr', 'size', 'anything', 'anything'], 'long (char *name, int name_sz, u32 kind, int flags)'],
  [168, 'sys_close', 'integer', ['anything'], 'long (u32 fd)'],
  [169, 'timer_init', 'integer', ['timer', 'map', 'anything'], 'long (struct bpf_timer *timer, struct bpf_map *map, u64 flags)'],
  [170, 'timer_set_callback', 'integer', ['timer', 'func'], 'long (struct bpf_timer *timer, void *callback_fn)'],
  [171, 'timer_start', 'integer', ['timer', 'anything', 'anything'], 'long (struct bpf_timer *timer, u64 nsecs, u64 flags)'],
  [172, 'timer_cancel', 'integer', ['timer'], 'long (struct bpf_timer *timer)'],
  [173, 'get_func_ip', 'integer', ['ctx'], 'u64 (void *ctx)'],
  [174, 'get_attach_cookie', 'integer', ['ctx'], 'u64 (void *ctx)'],
  [175, 'task_pt_regs', 'integer', ['btf_id'], 'long (struct task_struct *task)'],
  [176, 'get_branch_snapshot', 'integer', ['ptr', 'size', 'anything'], 'long (void *entries, u32 size, u64 flags)'],
  [177, 'trace_vprintk', 'integer', ['ptr', 'size', 'ptr', 'size'], 'long (const char *fmt, u32 fmt_size, const void *data, u32 data_len)'],
  [178, 'skc_to_unix_sock', 'btf_id', ['ptr'], 'struct unix_sock *(void *sk)'],
  [179, 'kallsyms_lookup_name', 'integer', ['ptr', 'size', 'anything', 'ptr'], 'long (const char *name, int name_sz, int flags, u64 *res)'],
  [180, 'find_vma', 'integer', ['btf_id', 'anything', 'func', 'ptr_or_null', 'anything'], 'long (struct task_struct *task, u64 addr, void *callback_fn, void *callback_ctx, u64 flags)'],
  [181, 'loop', 'integer', ['anything', 'func', 'ptr_or_null', 'anything'], 'long (u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags)'],
  [182, 'strncmp', 'integer', ['ptr', 'size', 'ptr'], 'long (const char *s1, u32 s1_sz, const char *s2)'],
  [183, 'get_func_arg', 'integer', ['ctx', 'anything', 'ptr'], 'long (void *ctx, u32 n, u64 *value)'],
  [184, 'get_func_ret', 'integer', ['ctx', 'ptr'], 'long (void *ctx, u64 *value)'],
  [185, 'get_func_arg_cnt', 'integer', ['ctx'], 'long (void *ctx)'],
  [186, 'get_retval', 'integer', [], 'int (void)'],
  [187, 'set_retval', 'integer', ['anything'], 'int (int retval)'],
  [188, 'xdp_get_buff_len', 'integer', ['ctx'], 'u64 (struct xdp_buff *xdp_md)'],
  [189, 'xdp_load_bytes', 'integer', ['ctx', 'anything', 'ptr', 'size'], 'long (struct xdp_buff *xdp_md, u32 offset, void *buf, u32 len)'],
  [190, 'xdp_store_bytes', 'integer', ['ctx', 'anything', 'ptr', 'size'], 'long (struct xdp_buff *xdp_md, u32 offset, void *buf, u32 len)'],
  [191, 'copy_from_user_task', 'integer', ['ptr', 'size', 'ptr', 'btf_id', 'anything'], 'long (void *dst, u32 size, const void *user_ptr, struct task_struct *tsk, u64 flags)'],
  [192, 'skb_set_tstamp', 'integer', ['ctx', 'anything', 'anything'], 'long (struct sk_buff *skb, u64 tstamp, u32 tstamp_type)'],
  [193, 'ima_file_hash', 'integer', ['btf_id', 'ptr', 'size'], 'long (struct file *file, void *dst, u32 size)'],
  [194, 'kptr_xchg', 'ptr_or_null', ['ptr', 'ptr'], 'void *(void *dst, void *ptr)'],
  [195, 'map_lookup_percpu_elem', 'ptr_or_null', ['map', 'ptr', 'anything'], 'void *(struct bpf_map *map, const void *key, u32 cpu)'],
  [196, 'skc_to_mptcp_sock', 'btf_id', ['ptr'], 'struct mptcp_sock *(void *sk)'],
  [197, 'dynptr_from_mem', 'integer', ['ptr', 'size', 'anything', 'dynptr'], 'long (void *data, u64 size, u64 flags, struct bpf_dynptr *ptr)'],
  [198, 'ringbuf_reserve_dynptr', 'integer', ['map', 'size', 'anything', 'dynptr'], 'long (void *ringbuf, u32 size, u64 flags, struct bpf_dynptr *ptr)'],
  [199, 'ringbuf_submit_dynptr', 'void', ['dynptr', 'anything'], 'void (struct bpf_dynptr *ptr, u64 flags)'],
  [200, 'ringbuf_discard_dynptr', 'void', ['dynptr', 'anything'], 'void (struct bpf_dynptr *ptr, u64 flags)'],
  [201, 'dynptr_read', 'integer', ['ptr', 'size', 'dynptr', 'anything', 'anything'], 'long (void *dst, u64 len, const struct bpf_dynptr *src, u64 offset, u64 flags)'],
  [202, 'dynptr_write', 'integer', ['dynptr', 'anything', 'ptr', 'size', 'anything'], 'long (const struct bpf_dynptr *dst, u64 offset, void *src, u64 len, u64 flags)'],
  [203, 'dynptr_data', 'ptr_or_null', ['dynptr', 'anything', 'anything'], 'void *(const struct bpf_dynptr *ptr, u64 offset, u64 len)'],
  [204, 'tcp_raw_gen_syncookie_ipv4', 'integer', ['ptr', 'ptr', 'size'], 's64 (struct iphdr *iph, struct tcphdr *th, u32 th_len)'],
  [205, 'tcp_raw_gen_syncookie_ipv6', 'integer', ['ptr', 'ptr', 'size'], 's64 (struct ipv6hdr *iph, struct tcphdr *th, u32 th_len)'],
  [206, 'tcp_raw_check_syncookie_ipv4', 'integer', ['ptr', 'ptr'], 'long (struct iphdr *iph, struct tcphdr *th)'],
  [207, 'tcp_raw_check_syncookie_ipv6', 'integer', ['ptr', 'ptr'], 'long (struct ipv6hdr *iph, struct tcphdr *th)'],
  [208, 'ktime_get_tai_ns', 'integer', [], 'u64 (void)'],
  [209, 'user_ringbuf_drain', 'integer', ['map', 'func', 'ptr_or_null', 'anything'], 'long (struct bpf_map *map, void *callback_fn, void *ctx, u64 flags)'],
  [210, 'cgrp_storage_get', 'ptr_or_null', ['map', 'btf_id', 'ptr', 'anything'], 'void *(struct bpf_map *map, struct cgroup *cgroup, void *value, u64 flags)'],
  [211, 'cgrp_storage_delete', 'integer', ['map', 'btf_id'], 'long (struct bpf_map *map, struct cgroup *cgroup)'],
];

/** Every helper, indexed by id (HELPER_TABLE[id].id === id). */
export const HELPER_TABLE: readonly HelperSpec[] = ROWS.map(([id, name, ret, args, proto]) => Object.freeze({ id, name, ret, args, proto }));

/** __BPF_FUNC_MAX_ID: one past the highest helper id. */
export const HELPER_MAX_ID = HELPER_TABLE.length;

const BY_NAME = new Map(HELPER_TABLE.map((h) => [h.name, h]));

/** The table entry of helper `id`, or undefined for ids the uapi does not define. */
export function helperSpec(id: number): HelperSpec | undefined {
  return Number.isInteger(id) && id >= 0 && id < HELPER_MAX_ID ? HELPER_TABLE[id] : undefined;
}

/** `bpf_<name>` of helper `id` (the disassembler's and verifier log's spelling), or undefined. */
export function helperName(id: number): string | undefined {
  const s = helperSpec(id);
  return s === undefined || s.id === 0 ? undefined : `bpf_${s.name}`;
}

/** The id of a helper by name, with or without the `bpf_` prefix; undefined if unknown. */
export function helperId(name: string): number | undefined {
  return BY_NAME.get(name.startsWith('bpf_') ? name.slice(4) : name)?.id;
}
