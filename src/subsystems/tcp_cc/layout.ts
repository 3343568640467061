/**
 * Linux 6.18 (x86-64) layouts of the kernel structs a TCP congestion control sees, as data.
 *
 * Source: /sys/kernel/btf/vmlinux of the 6.18 machine bpfemu is developed on, dumped with
 * `bpftool btf dump file /sys/kernel/btf/vmlinux format c`; every offset and size below was
 * computed by compiling `__builtin_offsetof`/`sizeof` against that dump with clang-19, and the
 * `icsk_ca_state` bitfield was read from `format raw` (bits_offset 9984, bitfield_size 5). The
 * same facts are committed as test/subsystems/tcp_cc/goldens/vmlinux-6.18-layout.json, which the
 * tests compare against this table.
 *
 * Only the members congestion controls use are listed: CO-RE relocations resolve by name, so a
 * BPF object built against the full vmlinux.h finds these at the kernel's offsets.
 */

/** One field: byte offset and size within its struct. */
export interface FieldFact {
  readonly off: number;
  readonly size: number;
  /** The C type the emulated BTF gives the field. */
  readonly type: string;
}

export const SIZEOF = {
  sock_common: 136,
  sock: 784,
  inet_sock: 1016,
  inet_connection_sock: 1400,
  tcp_sock: 2304,
  tcp_congestion_ops: 192,
  ack_sample: 12,
  rate_sample: 72,
} as const;

/** struct sock (the first member of inet_sock, itself the first of inet_connection_sock and tcp_sock). */
export const SOCK_FIELDS: Readonly<Record<string, FieldFact>> = {
  sk_pacing_status: { off: 428, size: 4, type: 'u32' },
  sk_pacing_rate: { off: 488, size: 8, type: 'unsigned long' },
  sk_max_pacing_rate: { off: 504, size: 8, type: 'unsigned long' },
  sk_gso_max_size: { off: 556, size: 4, type: 'unsigned int' },
};
/** sock.__sk_common.skc_state (`sk_state`). */
export const SKC_STATE_OFF = 18;

/** struct inet_connection_sock. `icsk_ca_state` is a 5-bit field at bit 0 of byte 1248. */
export const ICSK_FIELDS: Readonly<Record<string, FieldFact>> = {
  icsk_rto: { off: 1184, size: 4, type: '__u32' },
  icsk_ca_ops: { off: 1208, size: 8, type: 'const struct tcp_congestion_ops *' },
  icsk_sync_mss: { off: 1240, size: 8, type: 'void *' },
  icsk_retransmits: { off: 1249, size: 1, type: '__u8' },
  icsk_ca_priv: { off: 1296, size: 104, type: 'u64[13]' },
};
export const ICSK_CA_STATE_BYTE = 1248;
/** inet_connection_sock.icsk_ack.pending. */
export const ICSK_ACK_PENDING_OFF = 1256;

/** struct tcp_sock (offsets from the start of tcp_sock). */
export const TCP_FIELDS: Readonly<Record<string, FieldFact>> = {
  reordering: { off: 1408, size: 4, type: 'u32' },
  snd_wnd: { off: 1436, size: 4, type: 'u32' },
  mss_cache: { off: 1440, size: 4, type: 'u32' },
  snd_cwnd: { off: 1444, size: 4, type: 'u32' },
  prr_out: { off: 1448, size: 4, type: 'u32' },
  lost_out: { off: 1452, size: 4, type: 'u32' },
  sacked_out: { off: 1456, size: 4, type: 'u32' },
  rttvar_us: { off: 1476, size: 4, type: 'u32' },
  retrans_out: { off: 1480, size: 4, type: 'u32' },
  lost: { off: 1488, size: 4, type: 'u32' },
  snd_ssthresh: { off: 1492, size: 4, type: 'u32' },
  rtt_min: { off: 1496, size: 24, type: 'struct minmax' },
  lsndtime: { off: 1584, size: 4, type: 'u32' },
  mdev_us: { off: 1588, size: 4, type: 'u32' },
  ecn_flags: { off: 1640, size: 1, type: 'u8' },
  tcp_mstamp: { off: 1656, size: 8, type: 'u64' },
  rcv_nxt: { off: 1664, size: 4, type: 'u32' },
  snd_nxt: { off: 1668, size: 4, type: 'u32' },
  snd_una: { off: 1672, size: 4, type: 'u32' },
  srtt_us: { off: 1680, size: 4, type: 'u32' },
  packets_out: { off: 1684, size: 4, type: 'u32' },
  delivered: { off: 1692, size: 4, type: 'u32' },
  delivered_ce: { off: 1696, size: 4, type: 'u32' },
  app_limited: { off: 1716, size: 4, type: 'u32' },
  max_packets_out: { off: 1772, size: 4, type: 'u32' },
  cwnd_usage_seq: { off: 1776, size: 4, type: 'u32' },
  rate_delivered: { off: 1780, size: 4, type: 'u32' },
  rate_interval_us: { off: 1784, size: 4, type: 'u32' },
  delivered_mstamp: { off: 1816, size: 8, type: 'u64' },
  bytes_acked: { off: 1824, size: 8, type: 'u64' },
  snd_cwnd_cnt: { off: 1932, size: 4, type: 'u32' },
  snd_cwnd_clamp: { off: 1936, size: 4, type: 'u32' },
  snd_cwnd_used: { off: 1940, size: 4, type: 'u32' },
  snd_cwnd_stamp: { off: 1944, size: 4, type: 'u32' },
  prior_cwnd: { off: 1948, size: 4, type: 'u32' },
  prr_delivered: { off: 1952, size: 4, type: 'u32' },
  prior_ssthresh: { off: 2168, size: 4, type: 'u32' },
  high_seq: { off: 2172, size: 4, type: 'u32' },
  retrans_stamp: { off: 2176, size: 4, type: 'u32' },
  undo_marker: { off: 2180, size: 4, type: 'u32' },
  undo_retrans: { off: 2184, size: 4, type: 'int' },
  total_retrans: { off: 2200, size: 4, type: 'u32' },
};
/**
 * `is_cwnd_limited` is bit 3 of byte 1463 of tcp_sock (spec §4); not declared in the emulated BTF
 * (BPF reads it through tcp_is_cwnd_limited only in the kernel's own code).
 */
export const IS_CWND_LIMITED_BYTE = 1463;
export const IS_CWND_LIMITED_BIT = 3;

/** struct ack_sample. */
export const ACK_SAMPLE_FIELDS: Readonly<Record<string, FieldFact>> = {
  pkts_acked: { off: 0, size: 4, type: 'u32' },
  rtt_us: { off: 4, size: 4, type: 's32' },
  in_flight: { off: 8, size: 4, type: 'u32' },
};

/** struct rate_sample. */
export const RATE_SAMPLE_FIELDS: Readonly<Record<string, FieldFact>> = {
  prior_mstamp: { off: 0, size: 8, type: 'u64' },
  prior_delivered: { off: 8, size: 4, type: 'u32' },
  prior_delivered_ce: { off: 12, size: 4, type: 'u32' },
  delivered: { off: 16, size: 4, type: 's32' },
  delivered_ce: { off: 20, size: 4, type: 's32' },
  interval_us: { off: 24, size: 8, type: 'long' },
  snd_interval_us: { off: 32, size: 4, type: 'u32' },
  rcv_interval_us: { off: 36, size: 4, type: 'u32' },
  rtt_us: { off: 40, size: 8, type: 'long' },
  losses: { off: 48, size: 4, type: 'int' },
  acked_sacked: { off: 52, size: 4, type: 'u32' },
  prior_in_flight: { off: 56, size: 4, type: 'u32' },
  last_end_seq: { off: 60, size: 4, type: 'u32' },
  is_app_limited: { off: 64, size: 1, type: 'bool' },
  is_retrans: { off: 65, size: 1, type: 'bool' },
  is_ack_delayed: { off: 66, size: 1, type: 'bool' },
};

/** struct tcp_congestion_ops member offsets (name, flags and the function slots). */
export const CA_OPS_OFFSETS: Readonly<Record<string, number>> = {
  ssthresh: 0,
  cong_avoid: 8,
  set_state: 16,
  cwnd_event: 24,
  in_ack_event: 32,
  pkts_acked: 40,
  min_tso_segs: 48,
  cong_control: 56,
  undo_cwnd: 64,
  sndbuf_expand: 72,
  get_info: 80,
  name: 88,
  owner: 104,
  list: 112,
  key: 128,
  flags: 132,
  init: 136,
  release: 144,
};

/**
 * Writable ranges of tcp_sock for a BPF congestion control (net/ipv4/bpf_tcp_ca.c
 * bpf_tcp_ca_btf_struct_access, spec §1.4): [offset, end). A write must start at the field's start
 * (any offset inside icsk_ca_priv) and end within it.
 */
export const WRITABLE: readonly { readonly name: string; readonly off: number; readonly end: number; readonly anyOffset?: boolean }[] = [
  { name: 'sk_pacing_status', off: 428, end: 432 },
  { name: 'sk_pacing_rate', off: 488, end: 496 },
  { name: 'icsk_ack.pending', off: 1256, end: 1257 },
  { name: 'icsk_ca_priv', off: 1296, end: 1400, anyOffset: true },
  { name: 'snd_cwnd', off: 1444, end: 1448 },
  { name: 'snd_ssthresh', off: 1492, end: 1496 },
  { name: 'ecn_flags', off: 1640, end: 1641 },
  { name: 'app_limited', off: 1716, end: 1720 },
  { name: 'snd_cwnd_cnt', off: 1932, end: 1936 },
  { name: 'snd_cwnd_stamp', off: 1944, end: 1948 },
];
