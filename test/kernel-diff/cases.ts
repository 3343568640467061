/**
 * The differential cases: fixtures of programs/ that the 6.18 kernel loads, run with packets built
 * by src/util/packets.ts and contexts laid out as the uapi structs (or the fixture's ctx struct for
 * syscall programs). Each case is loaded fresh; runs within a case share the load, so a sequence
 * compares accumulated map state. Values the kernel and the emulator legitimately do not share are
 * excluded with a `differs` entry that says why.
 */
import { arpFrame, ipv4Frame, ipv6Frame } from '../../src/util/packets.js';
import { le, type CaseDef, type Differs, type MapWrite, type NetDef } from './model.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

// ---- frames ------------------------------------------------------------------------------------

const V4_TCP80 = ipv4Frame('tcp', { srcPort: 1234, dstPort: 80, payload: text('hello') });
const V4_TCP22 = ipv4Frame('tcp', { srcPort: 1234, dstPort: 22, payload: text('hello') });
const V4_UDP53 = ipv4Frame('udp', { srcPort: 5353, dstPort: 53, payload: text('query') });
const V4_UDP9 = ipv4Frame('udp', { srcPort: 40000, dstPort: 9, payload: text('bpfemu') });
const V4_ICMP = ipv4Frame('icmp', { payload: text('ping') });
const V4_BLOCKED = ipv4Frame('udp', { src: '192.168.1.66', srcPort: 1, dstPort: 2 });
const V4_FROM_10_1_2_3 = ipv4Frame('udp', { src: '10.1.2.3', srcPort: 7, dstPort: 9 });
const V4_FROM_172 = ipv4Frame('tcp', { src: '172.16.5.4', srcPort: 40000, dstPort: 443 });
const V4_IHL15 = ipv4Frame('udp', { ihl: 15, srcPort: 1, dstPort: 2 });
const V4_UDP_ODD = ipv4Frame('udp', { srcPort: 1, dstPort: 2, payload: text('odd length!'), minLength: 61 });
const V4_TCP_130 = ipv4Frame('tcp', { srcPort: 1, dstPort: 8080, payload: new Uint8Array(76).fill(0x61) });
const V6_UDP = ipv6Frame('udp', { src: '::1', dst: '::2', srcPort: 1, dstPort: 2 });
const V6_TCP22 = ipv6Frame('tcp', { src: 'fd00::1', dst: 'fd00::2', srcPort: 1234, dstPort: 22 });
const ARP = arpFrame();
const LWT_TELNET = ipv4Frame('tcp', { srcPort: 40000, dstPort: 23, payload: text('login') });
const LWT_TTL1 = ipv4Frame('udp', { ttl: 1, srcPort: 1, dstPort: 2 });
/** 1500 bytes: IPv4/UDP 1000 -> 2000, payload byte i = 7i mod 256 (programs/README.md). */
const BIG = ipv4Frame('udp', { srcPort: 1000, dstPort: 2000, payload: Uint8Array.from({ length: 1458 }, (_, i) => (7 * i) & 0xff) });
/** An IPv4 header cut short: 14 + 10 bytes. */
const SHORT_V4 = V4_TCP80.slice(0, 24);

// ---- contexts ----------------------------------------------------------------------------------

/** A zeroed buffer with little-endian fields written at their offsets. */
function struct(size: number, fields: readonly (readonly [offset: number, value: number | bigint, width: 1 | 2 | 4 | 8])[] = []): Uint8Array {
  const out = new Uint8Array(size);
  for (const [off, v, w] of fields) out.set(le(v, w), off);
  return out;
}

/** struct xdp_md (24 bytes): data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex. */
function xdpMd(f: { data?: number; dataEnd: number; dataMeta?: number; ingress?: number; rxQueue?: number; egress?: number }): Uint8Array {
  return struct(24, [
    [0, f.data ?? 0, 4],
    [4, f.dataEnd, 4],
    [8, f.dataMeta ?? 0, 4],
    [12, f.ingress ?? 0, 4],
    [16, f.rxQueue ?? 0, 4],
    [20, f.egress ?? 0, 4],
  ]);
}

/**
 * struct __sk_buff (192 bytes on 6.18) with the fields BPF_PROG_TEST_RUN accepts in ctx_in
 * (net/bpf/test_run.c convert___skb_to_skb): mark @8, priority @32, ingress_ifindex @36,
 * ifindex @40, cb[5] @48, tstamp @152, wire_len @160, gso_segs @164, gso_size @176,
 * hwtstamp @184; `len` @0 only to provoke the EINVAL for a field that must be zero.
 */
function skb(f: { len?: number; mark?: number; priority?: number; ingress?: number; ifindex?: number; cb?: readonly number[]; tstamp?: bigint; wireLen?: number; gsoSegs?: number; gsoSize?: number; hwtstamp?: bigint } = {}): Uint8Array {
  const fields: [number, number | bigint, 1 | 2 | 4 | 8][] = [
    [0, f.len ?? 0, 4],
    [8, f.mark ?? 0, 4],
    [32, f.priority ?? 0, 4],
    [36, f.ingress ?? 0, 4],
    [40, f.ifindex ?? 0, 4],
    [152, f.tstamp ?? 0n, 8],
    [160, f.wireLen ?? 0, 4],
    [164, f.gsoSegs ?? 0, 4],
    [176, f.gsoSize ?? 0, 4],
    [184, f.hwtstamp ?? 0n, 8],
  ];
  (f.cb ?? []).forEach((v, i) => fields.push([48 + 4 * i, v, 4]));
  return struct(192, fields);
}

/** struct bpf_sk_lookup (72 bytes): family @8, protocol @12, remote_ip4/6 @16/@20, remote_port (__be16) @36, local_ip4/6 @40/@44, local_port @60. */
function skLookup(f: { family: number; protocol: number; remote: readonly number[]; local: readonly number[]; remotePort: number; localPort: number }): Uint8Array {
  const b = struct(72, [[8, f.family, 4], [12, f.protocol, 4], [60, f.localPort, 4]]);
  b.set(f.remote, f.remote.length === 16 ? 20 : 16);
  b.set(f.local, f.local.length === 16 ? 44 : 40);
  b[36] = f.remotePort >>> 8;
  b[37] = f.remotePort & 0xff;
  return b;
}

/** struct sys_args of syscall_ctx (88 bytes). */
function sysArgs(nr: number, values: readonly number[], str: string): Uint8Array {
  const b = struct(88, [[0, nr, 4], ...values.map((v, i) => [4 + 4 * i, v, 4] as const)]);
  b.set(text(str).subarray(0, 16), 36);
  return b;
}

/** struct v4_args of isa_v4 (144 bytes): inputs a, b, x. */
const v4Args = (a: bigint, b: bigint, x: bigint): Uint8Array => struct(144, [[0, a, 8], [8, b, 8], [16, x, 8]]);

/** A pinned LPM key {u32 prefixlen; u8 addr[4]}. */
const lpmKey = (plen: number, a: readonly number[]): Uint8Array => Uint8Array.of(...le(plen, 4), ...a);

/** struct query of fib_lookup (24 bytes) as a setup write of entry `i`. */
function fibQuery(i: number, q: { ifindex: number; flags?: number; short?: boolean; totLen?: number; tbid?: number; family?: number }): MapWrite {
  return { map: 'query', key: le(i, 4), value: struct(24, [[0, q.ifindex, 4], [4, q.flags ?? 0, 4], [8, q.short === true ? 1 : 0, 4], [12, q.totLen ?? 0, 4], [16, q.tbid ?? 0, 4], [20, q.family ?? 0, 4]]) };
}

/** The network of the fib_lookup cases: two bridges (ifindex 2 and 3), routes of every type, neighbours. */
const FIB_NET: NetDef = {
  forwarding: true,
  devices: [
    { name: 'd0', mac: '02:00:00:00:00:10', mtu: 1500, addresses: ['10.1.0.1/24', 'fd00:1::1/64'] },
    { name: 'd1', mac: '02:00:00:00:00:20', mtu: 1400, addresses: ['10.2.0.1/24', 'fd00:2::1/64'] },
  ],
  routes: [
    { dst: '10.9.0.0/16', via: '10.2.0.254', metric: 5 },
    { dst: '10.9.8.0/24', via: '10.1.0.254', metric: 7 },
    { dst: '10.66.0.0/16', type: 'blackhole' },
    { dst: '10.67.0.0/16', type: 'unreachable' },
    { dst: '10.68.0.0/16', type: 'prohibit' },
    { dst: '10.70.0.0/16', dev: 'd1', mtu: 1300 },
    { dst: '10.71.0.0/16', dev: 'd1', mtu: 1300, mtuLock: true },
    { dst: 'fd00:70::/48', dev: 'd1', mtu: 1300 },
    { dst: '10.80.0.0/16', via: '10.1.0.254', table: 100 },
    { dst: 'fd00:9::/48', via: 'fd00:2::fe' },
  ],
  neighbours: [
    { dev: 'd1', addr: '10.2.0.254', mac: '02:aa:00:00:00:01' },
    { dev: 'd0', addr: '10.1.0.254', mac: '02:aa:00:00:00:02' },
    { dev: 'd1', addr: 'fd00:2::fe', mac: '02:aa:00:00:00:03' },
    { dev: 'd0', addr: '10.1.0.7', mac: '02:aa:00:00:00:07' },
  ],
};
const fibV4 = (dst: string, size?: number): Uint8Array => ipv4Frame('udp', { src: '10.1.0.7', dst, srcPort: 1000, dstPort: 2000, ...(size !== undefined ? { minLength: size } : {}) });
const fibV6 = (dst: string): Uint8Array => ipv6Frame('udp', { src: 'fd00:1::7', dst, srcPort: 1000, dstPort: 2000 });

/** struct query of skb_room (24 bytes) as a setup write of entry `i`. */
function roomQuery(i: number, op: number, a = 0, b = 0, flags = 0n): MapWrite {
  return { map: 'query', key: le(i, 4), value: struct(24, [[0, op, 4], [4, a, 4], [8, b, 4], [16, flags, 8]]) };
}
/** An IPv4 frame with an 802.1Q tag (TCI 5) between the MAC addresses and the EtherType. */
const V4_TAGGED = Uint8Array.of(...V4_TCP80.subarray(0, 12), 0x81, 0x00, 0x00, 0x05, ...V4_TCP80.subarray(12));
/** bpf_skb_adjust_room flags. */
const ADJ = { ENCAP_L3_IPV4: 2n, ENCAP_L4_UDP: 16n, DECAP_L3_IPV4: 128n } as const;

// ---- shared exclusions -------------------------------------------------------------------------

const XDP_POINTERS: Differs = { map: '.data.env', reason: 'xdp_env: the raw data/data_end/data_meta pointers (kernel addresses vs emulator region addresses)' };

/**
 * BPF_F_MMAPABLE (0x400) of a global-data map whose section has only static variables or no BTF
 * (`.rodata.str1.1`, `.rodata.cst16`, format strings): a libbpf version difference, not a kernel
 * one. The kernel side loads with bpftool 7.1's libbpf 1.1, which sets it on every internal map;
 * the emulator follows libbpf >= 1.2 (4fcac46c7e10, map_is_mmapable: only sections with a
 * non-static variable).
 */
const mmapable = (map: string): Differs => ({ map, flags: 0x400, reason: 'BPF_F_MMAPABLE of a static-only global-data map: libbpf 1.1 (bpftool 7.1) sets it, libbpf >= 1.2 (emulator) does not' });

/** Every case; names are golden file names. */
export const CASES: readonly CaseDef[] = [
  // ---- XDP ---------------------------------------------------------------------------------------
  {
    name: 'xdp_maps_sequence',
    object: 'xdp_maps',
    kind: 'xdp',
    features: ['hash', 'array', 'percpu_array', 'atomics', 'sequence'],
    runs: [V4_TCP80, V4_UDP53, V6_UDP, ARP, V4_TCP22, V4_ICMP, V6_TCP22].map((data) => ({ prog: 'xdp_count', data })),
    note: 'proto_stats per L4 protocol; cpu_bytes only in CPU 0 (runs pinned to CPU 0)',
  },
  {
    name: 'xdp_maps_truncated',
    object: 'xdp_maps',
    kind: 'xdp',
    features: ['array', 'percpu_array', 'bounds checks'],
    runs: [{ prog: 'xdp_count', data: SHORT_V4 }, { prog: 'xdp_count', data: V4_TCP80.slice(0, 14) }],
  },
  {
    name: 'xdp_globals_once',
    object: 'globals',
    kind: 'xdp',
    features: ['globals', '.rodata/.data/.bss', 'custom sections', 'function statics', 'trace_printk'],
    runs: [{ prog: 'xdp_globals', data: V4_TCP80 }],
    differs: [mmapable('.rodata.cst16')],
  },
  {
    name: 'xdp_globals_sequence',
    object: 'globals',
    kind: 'xdp',
    features: ['globals', 'sequence'],
    runs: [V4_TCP80, V6_UDP, V4_TCP_130, V4_UDP_ODD, BIG].map((data) => ({ prog: 'xdp_globals', data })),
    differs: [mmapable('.rodata.cst16')],
  },
  {
    name: 'xdp_tailcall_entry',
    object: 'tailcall',
    kind: 'xdp',
    features: ['tail calls', 'prog_array static init', 'empty/out-of-range slots', 'sequence'],
    runs: [{ prog: 'xdp_entry', data: V4_TCP80 }, { prog: 'xdp_entry', data: ARP }],
  },
  {
    name: 'xdp_tailcall_direct',
    object: 'tailcall',
    kind: 'xdp',
    features: ['tail calls'],
    runs: [{ prog: 'tail_1', data: V4_TCP80 }, { prog: 'tail_2', data: V4_TCP80 }],
  },
  {
    name: 'xdp_map_in_map',
    object: 'map_in_map',
    kind: 'xdp',
    features: ['map-in-map', 'array_of_maps', 'hash_of_maps', 'sequence'],
    runs: [V4_TCP80, V6_UDP, BIG].map((data) => ({ prog: 'mim_prog', data })),
  },
  {
    name: 'xdp_lpm_ops',
    object: 'maps_lpm',
    kind: 'xdp',
    features: ['lpm_trie', 'update/lookup/delete errnos', 'sequence'],
    runs: [V4_TCP80, V4_BLOCKED, ARP].map((data) => ({ prog: 'lpm_ops', data })),
  },
  {
    name: 'xdp_lpm_routes',
    object: 'bench_lpm',
    kind: 'xdp',
    features: ['lpm_trie', 'bpf_loop', 'get_next_key order', 'user-space update', 'sequence'],
    setup: [{ map: 'routes', key: lpmKey(12, [172, 16, 0, 0]), value: le(7, 4) }],
    runs: [
      { prog: 'lpm_populate', data: V4_TCP80 },
      ...[V4_TCP80, V4_FROM_10_1_2_3, V4_BLOCKED, V4_FROM_172, ARP].map((data) => ({ prog: 'lpm_lookup', data })),
    ],
  },
  {
    name: 'xdp_bloom_60',
    object: 'maps_bloom',
    kind: 'xdp',
    features: ['bloom_filter', 'BPF_F_ZERO_SEED', 'map_extra'],
    runs: [{ prog: 'bloom_ops', data: V4_TCP80 }],
  },
  {
    name: 'xdp_bloom_62',
    object: 'maps_bloom',
    kind: 'xdp',
    features: ['bloom_filter'],
    runs: [{ prog: 'bloom_ops', data: V6_UDP }, { prog: 'bloom_ops', data: V4_TCP80 }],
  },
  {
    name: 'xdp_perf_output',
    object: 'maps_perf',
    kind: 'xdp',
    features: ['perf_event_array', 'perf_event_output errnos'],
    runs: [{ prog: 'perf_prog', data: V4_TCP80 }],
  },
  {
    name: 'xdp_adjust_encap',
    object: 'xdp_adjust',
    kind: 'xdp',
    features: ['adjust_head', 'data_out'],
    runs: [{ prog: 'xdp_encap', data: V4_TCP80 }, { prog: 'xdp_encap', data: BIG }],
  },
  {
    name: 'xdp_adjust_decap',
    object: 'xdp_adjust',
    kind: 'xdp',
    features: ['adjust_head', 'data_out'],
    runs: [{ prog: 'xdp_decap', data: V4_TCP80 }],
  },
  {
    name: 'xdp_adjust_trim',
    object: 'xdp_adjust',
    kind: 'xdp',
    features: ['adjust_tail', 'data_out'],
    runs: [{ prog: 'xdp_trim', data: V4_UDP53 }, { prog: 'xdp_trim', data: V4_UDP_ODD }],
  },
  {
    name: 'xdp_adjust_grow',
    object: 'xdp_adjust',
    kind: 'xdp',
    features: ['adjust_tail', 'data_out'],
    runs: [{ prog: 'xdp_grow', data: V4_TCP80 }, { prog: 'xdp_grow', data: BIG }],
  },
  {
    name: 'xdp_adjust_meta',
    object: 'xdp_adjust',
    kind: 'xdp',
    features: ['adjust_meta', 'data_out'],
    runs: [{ prog: 'xdp_meta', data: V4_TCP80 }],
  },
  {
    name: 'xdp_adjust_all_in_one_load',
    object: 'xdp_adjust',
    kind: 'xdp',
    features: ['adjust_head', 'adjust_tail', 'adjust_meta', 'data_out', 'sequence'],
    runs: ['xdp_meta', 'xdp_grow', 'xdp_trim', 'xdp_decap', 'xdp_encap'].map((prog) => ({ prog, data: V6_TCP22 })),
  },
  {
    name: 'xdp_adjust_meta_ctx',
    object: 'xdp_adjust',
    kind: 'xdp',
    features: ['adjust_meta', 'xdp_md ctx_in/ctx_out', 'metadata'],
    runs: [
      { prog: 'xdp_meta', data: V4_UDP53, ctx: xdpMd({ data: 4, dataEnd: 60, ingress: 1 }) },
      { prog: 'xdp_grow', data: V4_UDP53, ctx: xdpMd({ data: 12, dataEnd: 60, ingress: 1 }) },
      { prog: 'xdp_encap', data: V4_UDP53, ctx: xdpMd({ data: 8, dataEnd: 60 }) },
    ],
    note: 'ctx_out reports data/data_end after the program moved them; data_out starts at data_meta',
  },
  {
    name: 'xdp_redirect_all',
    object: 'xdp_redirect',
    kind: 'xdp',
    features: ['redirect', 'redirect_map', 'devmap', 'cpumap', 'xskmap'],
    runs: ['redirect_ifindex', 'redirect_bad', 'redirect_dev', 'redirect_cpu', 'redirect_xsk'].map((prog) => ({ prog, data: V4_TCP80 })),
  },
  {
    name: 'xdp_redirect_devmap_filled',
    object: 'xdp_redirect',
    kind: 'xdp',
    features: ['redirect_map', 'devmap', 'user-space update'],
    setup: [{ map: 'tx_ports', key: le(0, 4), value: le(1, 4) }],
    runs: [{ prog: 'redirect_dev', data: V4_TCP80 }],
    note: 'tx_ports[0] = 1 (lo): redirect_map finds it and returns XDP_REDIRECT',
  },
  {
    name: 'xdp_ctx_default',
    object: 'xdp_ctx',
    kind: 'xdp',
    features: ['xdp_md ctx rewriting'],
    differs: [XDP_POINTERS],
    runs: [{ prog: 'xdp_ctx_prog', data: V4_TCP80 }],
  },
  {
    name: 'xdp_ctx_in_meta',
    object: 'xdp_ctx',
    kind: 'xdp',
    features: ['xdp_md ctx_in/ctx_out', 'metadata'],
    differs: [XDP_POINTERS],
    runs: [
      { prog: 'xdp_ctx_prog', data: V4_TCP80, ctx: xdpMd({ data: 8, dataEnd: 60, ingress: 1 }) },
      { prog: 'xdp_ctx_prog', data: V6_UDP, ctx: xdpMd({ data: 0, dataEnd: 62, ingress: 1 }) },
    ],
  },
  {
    name: 'xdp_ctx_in_rejected',
    object: 'xdp_ctx',
    kind: 'xdp',
    features: ['test_run ctx_in checks'],
    differs: [XDP_POINTERS],
    runs: [
      { prog: 'xdp_ctx_prog', data: V4_TCP80, ctx: xdpMd({ dataEnd: 60, dataMeta: 4 }) },
      { prog: 'xdp_ctx_prog', data: V4_TCP80, ctx: xdpMd({ dataEnd: 59 }) },
      { prog: 'xdp_ctx_prog', data: V4_TCP80, ctx: xdpMd({ data: 6, dataEnd: 60 }) },
      { prog: 'xdp_ctx_prog', data: V4_TCP80, ctx: xdpMd({ dataEnd: 60, egress: 1 }) },
      { prog: 'xdp_ctx_prog', data: V4_TCP80, ctx: xdpMd({ dataEnd: 60, ingress: 1, rxQueue: 7 }) },
      { prog: 'xdp_ctx_prog', data: V4_TCP80.slice(0, 13) },
    ],
    note: 'EINVAL for data_meta != 0, metadata not a multiple of 4, egress_ifindex, a queue the device lacks, and data shorter than ETH_HLEN; data_end one byte short of the data is accepted (run 1)',
  },
  {
    name: 'xdp_devmap_prog_refused',
    object: 'xdp_devmap_ctx',
    kind: 'xdp',
    features: ['test_run program checks'],
    runs: [{ prog: 'xdp_devmap_prog', data: V4_TCP80 }],
    note: 'xdp/devmap programs cannot be test-run (EINVAL)',
  },
  {
    name: 'xdp_checksums_1500',
    object: 'bench_checksum',
    kind: 'xdp',
    features: ['bounded loops', 'packet reads'],
    runs: [{ prog: 'xdp_csum', data: BIG }, { prog: 'xdp_fnv1a', data: BIG }, { prog: 'xdp_csum', data: V4_UDP_ODD }],
  },
  {
    name: 'xdp_calls_sequence',
    object: 'bench_calls',
    kind: 'xdp',
    features: ['subprograms', 'global subprogram', 'sequence'],
    runs: [V4_TCP80, V4_UDP53, V4_ICMP, ARP, V6_UDP].map((data) => ({ prog: 'xdp_calls', data })),
  },
  {
    name: 'xdp_tailcall_chain',
    object: 'bench_tailcall',
    kind: 'xdp',
    features: ['tail calls', 'prog_array static init', 'sequence'],
    runs: [{ prog: 'stage_0', data: V4_TCP80 }, { prog: 'stage_3', data: V4_TCP80 }],
  },
  {
    name: 'xdp_firewall_frames',
    object: 'xdp_firewall',
    kind: 'xdp',
    features: ['hash', 'array', 'const volatile', 'user-space update', 'sequence'],
    setup: [{ map: 'blocklist', key: Uint8Array.of(192, 168, 1, 66), value: le(0, 8) }],
    runs: [V4_TCP80, V4_TCP22, V4_UDP53, V4_ICMP, V4_BLOCKED, V6_UDP, ARP, V4_IHL15, V6_TCP22, V4_BLOCKED].map((data) => ({ prog: 'xdp_firewall', data })),
  },

  // ---- tc ----------------------------------------------------------------------------------------
  {
    name: 'tc_subprogs',
    object: 'subprogs',
    kind: 'tc',
    features: ['subprograms', 'global subprogram', 'globals'],
    runs: [{ prog: 'tc_prog', data: V4_TCP80 }, { prog: 'tc_prog', data: BIG }],
  },
  {
    name: 'tc_atomics_twice',
    object: 'atomics',
    kind: 'tc',
    features: ['atomics', 'globals', 'sequence'],
    runs: [{ prog: 'atomics_prog', data: V4_TCP80 }, { prog: 'atomics_prog', data: V4_TCP80 }],
  },
  {
    name: 'tc_helpers_misc',
    object: 'helpers_misc',
    kind: 'tc',
    features: ['time/identity helpers', 'strncmp'],
    differs: [
      { map: '.data.env', bytes: [0, 40], reason: 'misc_env mono/boot/coarse ns, jiffies and two prandom values: clocks and a random generator (cpu, uid_gid and comm are compared: runs on CPU 0, task pinned)' },
      { map: '.data.env', bytes: [48, 8], reason: 'misc_env pid_tgid: the pid of the bpftool process' },
    ],
    runs: [{ prog: 'misc_prog', data: V4_TCP80 }],
  },
  {
    name: 'tc_helpers_print',
    object: 'helpers_print',
    kind: 'tc',
    features: ['trace_printk', 'trace_vprintk', 'snprintf'],
    runs: [{ prog: 'print_prog', data: V4_TCP80 }],
    differs: [mmapable('.rodata'), mmapable('.rodata.cst16'), mmapable('.rodata.str1.1')],
  },
  {
    name: 'tc_spin_lock',
    object: 'spin_lock',
    kind: 'tc',
    features: ['spin_lock', 'array', 'sequence'],
    runs: [V4_TCP80, V4_UDP_ODD, V4_TCP_130, BIG].map((data) => ({ prog: 'lock_prog', data })),
  },
  {
    name: 'tc_csum_tcp',
    object: 'tc_csum',
    kind: 'tc',
    features: ['skb_load_bytes', 'skb_store_bytes', 'l3/l4_csum_replace', 'csum_diff', 'data_out'],
    runs: [{ prog: 'csum_rewrite', data: V4_TCP80 }],
  },
  {
    name: 'tc_csum_udp',
    object: 'tc_csum',
    kind: 'tc',
    features: ['l4_csum_replace MANGLED_0', 'data_out'],
    runs: [{ prog: 'csum_rewrite', data: V4_UDP53 }, { prog: 'csum_rewrite', data: BIG }],
  },
  {
    name: 'tc_csum_untouched',
    object: 'tc_csum',
    kind: 'tc',
    features: ['skb helpers errnos'],
    runs: [{ prog: 'csum_rewrite', data: V4_ICMP }, { prog: 'csum_rewrite', data: ARP }, { prog: 'csum_rewrite', data: V4_IHL15 }],
  },
  {
    name: 'tc_sock_lookup',
    object: 'sock_lookup',
    kind: 'tc',
    features: ['sk_lookup_tcp', 'sk_lookup_udp', 'skc_lookup_tcp', 'sk_release', 'tcp_sock', 'sk_fullsock', 'get_listener_sock', 'socket table', 'sequence'],
    sockets: [
      { kind: 'tcp4', addr: '127.0.0.1', port: 47001 },
      { kind: 'udp4', addr: '127.0.0.1', port: 47003 },
      { kind: 'tcp6', addr: '::1', port: 47004 },
      { kind: 'tcp6', addr: '::', port: 47005 },
      { kind: 'tcp6only', addr: '::', port: 47006 },
    ],
    runs: [
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 40000, dstPort: 47001 }),
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 40000, dstPort: 47002 }),
      ipv4Frame('udp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 5000, dstPort: 47003 }),
      ipv6Frame('tcp', { src: '::1', dst: '::1', srcPort: 40000, dstPort: 47004 }),
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 40000, dstPort: 47005 }),
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 40000, dstPort: 47006 }),
    ].map((data) => ({ prog: 'lookup_prog', data })),
    note: 'listener; no socket; bound UDP; IPv6 listener (src_ip4 127.0.0.6); IPv4 to a dual-stack [::] listener; IPv4 to an IPV6_V6ONLY one (NULL)',
  },
  {
    name: 'xdp_sock_lookup',
    object: 'sock_lookup',
    kind: 'xdp',
    features: ['sk_lookup_tcp', 'sk_lookup_udp', 'skc_lookup_tcp', 'sk_release', 'XDP flavours', 'socket table'],
    sockets: [
      { kind: 'tcp4', addr: '127.0.0.1', port: 47021, clientPort: 47022 },
      { kind: 'udp6', addr: '::1', port: 47023 },
      { kind: 'tcp6', addr: '::', port: 47024 },
    ],
    runs: [
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 40000, dstPort: 47021 }),
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 47022, dstPort: 47021 }),
      ipv6Frame('udp', { src: '::1', dst: '::1', srcPort: 5000, dstPort: 47023 }),
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 40000, dstPort: 47024 }),
      ipv4Frame('udp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 40000, dstPort: 47025 }),
    ].map((data) => ({ prog: 'lookup_xdp', data })),
    note: 'listener; server side of an established pair; bound IPv6 UDP; IPv4 to a dual-stack listener; no socket',
  },
  {
    name: 'tc_sock_lookup_established',
    object: 'sock_lookup',
    kind: 'tc',
    features: ['sk_lookup_tcp', 'skc_lookup_tcp', 'established sockets', 'v4-mapped addresses', 'sequence'],
    sockets: [{ kind: 'tcp4', addr: '127.0.0.1', port: 47011, clientPort: 47012 }],
    runs: [
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 47012, dstPort: 47011 }),
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 47011, dstPort: 47012 }),
      ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 47013, dstPort: 47011 }),
    ].map((data) => ({ prog: 'lookup_prog', data })),
    differs: [{ map: 'results', bytes: [132, 8], reason: 'bpf_tcp_sock mss_cache and rtt_min of a live loopback connection (path MSS and measured RTT); the emulated sockets keep a new socket\'s 536 and ~0U' }],
    note: 'the server side (in the accept queue) and the client side of one connection, then the listener for another source port',
  },
  {
    name: 'xdp_fib_lookup_v4',
    object: 'fib_lookup',
    kind: 'xdp',
    features: ['fib_lookup', 'routes, gateways, neighbours', 'route types', 'mtu', 'flags', 'errnos', 'sequence'],
    net: FIB_NET,
    setup: [
      fibQuery(0, { ifindex: 2 }),
      fibQuery(1, { ifindex: 2 }),
      fibQuery(2, { ifindex: 2 }),
      fibQuery(3, { ifindex: 2 }),
      fibQuery(4, { ifindex: 2 }),
      fibQuery(5, { ifindex: 2 }),
      fibQuery(6, { ifindex: 2 }),
      fibQuery(7, { ifindex: 2 }),
      fibQuery(8, { ifindex: 2, flags: 4 | 16 }),
      fibQuery(9, { ifindex: 2, totLen: 1350 }),
      fibQuery(10, { ifindex: 99 }),
      fibQuery(11, { ifindex: 2, flags: 64 }),
      fibQuery(12, { ifindex: 2, short: true }),
      fibQuery(13, { ifindex: 2, family: 7 }),
      fibQuery(14, { ifindex: 2 }),
      fibQuery(15, { ifindex: 2, flags: 1 | 8, tbid: 100 }),
    ],
    runs: [
      ...['10.9.1.1', '10.9.8.1', '10.66.1.1', '10.67.1.1', '10.68.1.1', '10.99.1.1', '10.1.0.1', '10.1.0.99', '10.1.0.99', '10.70.1.1', '10.9.1.1', '10.9.1.1', '10.9.1.1', '10.9.1.1'].map((d) => ({ prog: 'fib_xdp', data: fibV4(d) })),
      { prog: 'fib_tc', data: fibV4('10.9.1.1') },
      { prog: 'fib_tc', data: fibV4('10.80.1.1') },
    ],
    note: 'gateway by longest prefix; blackhole/unreachable/prohibit; no route and a local address NOT_FWDED; no neighbour; SKIP_NEIGH|SRC; an unlocked IPv4 route mtu is not used (device MTU); ENODEV; bad flags, short plen EINVAL; family 7 EAFNOSUPPORT; tc checks the device MTU; DIRECT|TBID table 100',
  },
  {
    name: 'xdp_fib_lookup_v6_output',
    object: 'fib_lookup',
    kind: 'xdp',
    features: ['fib_lookup', 'IPv6', 'BPF_FIB_LOOKUP_OUTPUT', 'is_skb_forwardable'],
    net: FIB_NET,
    setup: [
      fibQuery(0, { ifindex: 2 }),
      fibQuery(1, { ifindex: 2 }),
      fibQuery(2, { ifindex: 2 }),
      fibQuery(3, { ifindex: 2 }),
      fibQuery(4, { ifindex: 2, flags: 4 | 16 }),
      fibQuery(5, { ifindex: 2, flags: 2 }),
      fibQuery(6, { ifindex: 3, flags: 2 }),
      fibQuery(7, { ifindex: 2 }),
      fibQuery(8, { ifindex: 2, totLen: 1350 }),
      fibQuery(9, { ifindex: 2, totLen: 1350 }),
    ],
    runs: [
      { prog: 'fib_xdp', data: fibV6('fd00:9::1') },
      { prog: 'fib_xdp', data: fibV6('fd00:2::5') },
      { prog: 'fib_xdp', data: fibV6('fe80::1') },
      { prog: 'fib_xdp', data: fibV6('fd00:77::1') },
      { prog: 'fib_xdp', data: fibV6('fd00:2::5') },
      { prog: 'fib_xdp', data: fibV4('10.9.1.1') },
      { prog: 'fib_xdp', data: fibV4('10.9.1.1') },
      { prog: 'fib_tc', data: fibV4('10.9.1.1', 1500) },
      { prog: 'fib_xdp', data: fibV4('10.71.1.1') },
      { prog: 'fib_xdp', data: fibV6('fd00:70::1') },
    ],
    note: 'IPv6 gateway; no neighbour; link-local NOT_FWDED; no route; SKIP_NEIGH|SRC; OUTPUT on the wrong and the right device; a 1500-byte skb against the 1400 MTU of d1; a locked IPv4 route mtu gives FRAG_NEEDED, an unlocked IPv6 one is not used',
  },
  {
    name: 'xdp_fib_lookup_fwd_disabled',
    object: 'fib_lookup',
    kind: 'xdp',
    features: ['fib_lookup', 'forwarding off'],
    net: { ...FIB_NET, forwarding: false },
    setup: [fibQuery(0, { ifindex: 2 }), fibQuery(1, { ifindex: 1 }), fibQuery(2, { ifindex: 2 })],
    runs: [{ prog: 'fib_xdp', data: fibV4('10.9.1.1') }, { prog: 'fib_xdp', data: fibV4('10.9.1.1') }, { prog: 'fib_xdp', data: fibV6('fd00:9::1') }],
  },
  {
    name: 'tc_skb_room_resize',
    object: 'skb_room',
    kind: 'tc',
    differs: [mmapable('.rodata')],
    features: ['skb_change_tail', 'skb_change_head', 'skb_adjust_room', 'encapsulation', 'errnos', 'data_out'],
    setup: [
      roomQuery(0, 0, 200),
      roomQuery(1, 0, 40),
      roomQuery(2, 0, 13),
      roomQuery(3, 0, 2000),
      roomQuery(4, 0, 16065),
      roomQuery(5, 0, 100, 0, 1n),
      roomQuery(6, 1, 14),
      roomQuery(7, 1, 16, 0, 1n),
      roomQuery(8, 2, 8, 1),
      roomQuery(9, 2, 28, 1, ADJ.ENCAP_L3_IPV4 | ADJ.ENCAP_L4_UDP),
      roomQuery(10, 2, -8, 1),
      roomQuery(11, 2, 0x1000, 1),
      roomQuery(12, 2, 8, 2),
      roomQuery(13, 2, 8, 1, ADJ.DECAP_L3_IPV4),
      roomQuery(14, 11, 28, 1, ADJ.ENCAP_L3_IPV4 | ADJ.ENCAP_L4_UDP),
      roomQuery(15, 12, 28, 1, ADJ.ENCAP_L3_IPV4),
    ],
    runs: Array.from({ length: 16 }, () => ({ prog: 'room_tc', data: V4_TCP80 })),
    note: 'change_tail grow/trim/below the network offset/2000/above 16064/flags; change_head 14 and flags; adjust_room +8 MAC, +28 encap, -8, 0x1000 EFAULT, mode 2 ENOTSUPP, grow with DECAP EINVAL, encap twice EALREADY, change_tail after encap ENOTSUPP',
  },
  {
    name: 'tc_skb_room_proto_vlan',
    object: 'skb_room',
    kind: 'tc',
    differs: [mmapable('.rodata')],
    features: ['skb_change_proto', 'skb_vlan_push', 'skb_vlan_pop', 'check_mtu', 'redirect_neigh', 'redirect_peer', 'data_out'],
    setup: [
      roomQuery(0, 3, 0x86dd),
      roomQuery(1, 3, 0x0800),
      roomQuery(2, 3, 0x86dd),
      roomQuery(3, 3, 0x86dd, 0, 1n),
      roomQuery(4, 4, 0x8100, 5),
      roomQuery(5, 6, 0x88a8, 10),
      roomQuery(6, 4, 0x1234, 7),
      roomQuery(7, 5),
      roomQuery(8, 5),
      roomQuery(9, 10, 0x8100, 9),
      roomQuery(10, 7, 0, 0),
      roomQuery(11, 7, 0, 65600),
      roomQuery(12, 7, 7, 0),
      roomQuery(13, 7, 0, 0, 2n << 32n),
      roomQuery(14, 8, 1, 0),
      roomQuery(15, 9, 1, 0, 1n),
    ],
    runs: [V4_TCP80, V6_TCP22, V6_TCP22, V4_TCP80, V4_TCP80, V4_TCP80, V4_TCP80, V4_TCP80, V4_TAGGED, V4_TCP80, V4_TCP80, V4_TCP80, V4_TCP80, V4_TCP80, V4_TCP80, V4_TCP80].map((data) => ({ prog: 'room_tc', data })),
    note: 'change_proto 4->6, 6->4, 6->6 ENOTSUPP, flags; vlan push (hw-accel only), push twice (first tag into the data), unknown proto -> 802.1Q, pop without a tag, pop of a tag in the data, push+pop; check_mtu on lo, above it, unknown ifindex, bad flags; redirect_neigh; redirect_peer with flags (SHOT)',
  },
  ...([0, 1, 2] as const).map((syncookies): CaseDef => ({
    name: `tc_syncookie_${syncookies}`,
    object: 'syncookie',
    kind: 'tc',
    features: ['tcp_gen_syncookie', 'tcp_check_syncookie', 'skc_lookup_tcp', `net.ipv4.tcp_syncookies=${syncookies}`],
    net: { forwarding: false, devices: [], syncookies },
    sockets: [{ kind: 'tcp4', addr: '127.0.0.1', port: 47051 }],
    runs: [40000, 40001].map((srcPort) => ({ prog: 'cookie_tc', data: ipv4Frame('tcp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort, dstPort: 47051 }) })),
    differs: [{ map: 'results', bytes: [56, 8], reason: 'the SYN cookie itself: the kernel keys it with a per-boot secret (siphash), the emulator with its own hash; both check their own' }],
    note: '0: gen -ENOENT, check -EINVAL; 1: gen -ENOENT (the SYN queue is not full), check -ENOENT (no recent overflow); 2: gen gives MSS 536 and a cookie the check accepts, a wrong cookie -ENOENT',
  })),
  {
    name: 'tc_ctx_in_out',
    object: 'tc_ctx',
    kind: 'tc',
    features: ['__sk_buff ctx rewriting', 'ctx_in/ctx_out', 'ctx writes'],
    runs: [{ prog: 'tc_ctx_prog', data: V4_TCP80, ctx: skb({ mark: 5, cb: [1, 2, 3, 4, 5] }) }],
  },
  {
    name: 'tc_ctx_fields',
    object: 'tc_ctx',
    kind: 'tc',
    features: ['__sk_buff ctx_in fields', 'sequence'],
    runs: [
      { prog: 'tc_ctx_prog', data: V6_UDP, ctx: skb({ priority: 3, ingress: 1, ifindex: 1, wireLen: 100, gsoSegs: 2, gsoSize: 1400, tstamp: 123456789n, hwtstamp: 987654321n, cb: [0xffffffff, 0, 7] }) },
      { prog: 'tc_ctx_prog', data: ARP },
    ],
  },
  {
    name: 'tc_ctx_in_rejected',
    object: 'tc_ctx',
    kind: 'tc',
    features: ['test_run ctx_in checks'],
    runs: [
      { prog: 'tc_ctx_prog', data: V4_TCP80, ctx: skb({ len: 60 }) },
      { prog: 'tc_ctx_prog', data: V4_TCP80, ctx: skb({ wireLen: 20 }) },
      { prog: 'tc_ctx_prog', data: V4_TCP80, ctx: skb({ ifindex: 9999 }) },
      { prog: 'tc_ctx_prog', data: V4_TCP80.slice(0, 10) },
      { prog: 'tc_ctx_prog', data: V4_TCP80, ctx: skb({ mark: 1 }) },
    ],
    note: 'EINVAL for a non-writable field and wire_len < len, ENODEV for a missing device, EINVAL for data shorter than ETH_HLEN; the last run succeeds',
  },

  // ---- socket filter / cgroup_skb ------------------------------------------------------------------
  {
    name: 'socket_subprogs',
    object: 'subprogs',
    kind: 'socket',
    features: ['subprograms', 'global subprogram', 'globals'],
    runs: [{ prog: 'sock_prog', data: V4_TCP80 }, { prog: 'sock_prog', data: BIG }],
  },
  {
    name: 'socket_ld_abs',
    object: 'socket_filter',
    kind: 'socket',
    features: ['LD_ABS/LD_IND', 'skb_load_bytes', 'sequence'],
    runs: [V4_TCP80, V4_UDP53, V4_TCP_130].map((data) => ({ prog: 'sock_filter', data })),
  },
  {
    name: 'socket_ld_abs_oob',
    object: 'socket_filter',
    kind: 'socket',
    features: ['LD_ABS out of range'],
    runs: [{ prog: 'sock_oob', data: V4_UDP53 }, { prog: 'sock_filter', data: ARP }, { prog: 'sock_filter', data: SHORT_V4 }],
  },
  {
    name: 'socket_ctx_in_out',
    object: 'socket_filter',
    kind: 'socket',
    features: ['__sk_buff ctx_in/ctx_out', 'LD_ABS/LD_IND'],
    runs: [
      { prog: 'sock_filter', data: V4_TCP80, ctx: skb({ mark: 9, priority: 2, cb: [5, 4, 3, 2, 1], tstamp: 42n }) },
      { prog: 'sock_filter', data: V4_UDP53, ctx: skb({ wireLen: 1000, gsoSegs: 3, gsoSize: 500 }) },
      { prog: 'sock_filter', data: V4_TCP80, ctx: skb({ len: 1 }) },
    ],
  },
  {
    name: 'cgroup_skb_ctx_in',
    object: 'cgroup_skb',
    kind: 'cgroup_skb',
    features: ['cgroup_skb', '__sk_buff ctx_in/ctx_out'],
    runs: [
      { prog: 'egress_prog', data: V4_UDP53, ctx: skb({ mark: 0x1234, cb: [1] }) },
      { prog: 'ingress_prog', data: V4_BLOCKED, ctx: skb({ priority: 6, ifindex: 1 }) },
    ],
  },
  {
    name: 'cgroup_skb_in_out',
    object: 'cgroup_skb',
    kind: 'cgroup_skb',
    features: ['cgroup_skb', 'direct packet access', 'array', 'sequence'],
    runs: [
      { prog: 'ingress_prog', data: V4_TCP80 },
      { prog: 'ingress_prog', data: V4_BLOCKED },
      { prog: 'egress_prog', data: V4_UDP53 },
      { prog: 'egress_prog', data: V4_TCP80 },
      { prog: 'ingress_prog', data: V6_UDP },
    ],
  },

  {
    name: 'cgroup_skb_verdict',
    object: 'cgroup_skb_verdict',
    kind: 'cgroup_skb',
    features: ['cgroup_skb', 'egress return bits', 'bpf_skb_load_bytes', 'global data', 'sequence'],
    runs: [
      { prog: 'egress_a', data: V4_UDP9 },
      { prog: 'egress_b', data: V4_UDP53 },
      { prog: 'ingress_a', data: V4_UDP9 },
      { prog: 'egress_b', data: V4_UDP9 },
      { prog: 'ingress_a', data: V4_TCP80 },
    ],
    note: 'st.verdict stays 0: port-9 UDP gets 0 from every program and is counted in st.seen, anything else 1',
  },

  // ---- lwt ---------------------------------------------------------------------------------------
  {
    name: 'lwt_in_out_xmit',
    object: 'lwt',
    kind: 'lwt',
    features: ['lwt_in', 'lwt_out', 'lwt_xmit', 'network-header data', 'direct packet write (xmit)', '__sk_buff writes', 'sequence'],
    runs: [
      ...[V4_TCP80, LWT_TELNET, V6_UDP, V4_UDP53].map((data) => ({ prog: 'lwt_in_filter', data })),
      ...[V4_TCP80, V6_UDP].map((data) => ({ prog: 'lwt_out_mark', data, ctx: skb({ cb: [9] }) })),
      ...[V4_TCP80, LWT_TTL1, V6_UDP].map((data) => ({ prog: 'lwt_xmit_ttl', data })),
    ],
    note: 'telnet dropped at lwt_in (BPF_DROP 2); lwt_out writes priority and cb[0]; lwt_xmit decrements the TTL and fixes the checksum, drops TTL 1',
  },

  // ---- sk_lookup ---------------------------------------------------------------------------------
  {
    name: 'sk_lookup_ports',
    object: 'sk_lookup',
    kind: 'sk_lookup',
    features: ['sk_lookup', 'bpf_sk_lookup ctx_in/ctx_out', 'narrow ctx loads', 'hash', 'sequence'],
    runs: [
      { prog: 'lookup', ctx: skLookup({ family: 2, protocol: 6, remote: [10, 0, 0, 1], local: [10, 0, 0, 2], remotePort: 40000, localPort: 80 }) },
      { prog: 'lookup', ctx: skLookup({ family: 2, protocol: 6, remote: [192, 168, 1, 9], local: [10, 0, 0, 2], remotePort: 40001, localPort: 7 }) },
      { prog: 'lookup', ctx: skLookup({ family: 2, protocol: 17, remote: [10, 0, 0, 3], local: [10, 0, 0, 2], remotePort: 19, localPort: 5353 }) },
      { prog: 'lookup', ctx: skLookup({ family: 10, protocol: 6, remote: [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], local: [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34], remotePort: 5, localPort: 9 }) },
      { prog: 'lookup', ctx: skLookup({ family: 2, protocol: 6, remote: [10, 0, 0, 1], local: [10, 0, 0, 2], remotePort: 40000, localPort: 80 }) },
      { prog: 'lookup', ctx: skLookup({ family: 1, protocol: 6, remote: [], local: [], remotePort: 1, localPort: 1 }) },
      { prog: 'lookup', ctx: skLookup({ family: 2, protocol: 6, remote: [], local: [], remotePort: 1, localPort: 70000 }) },
    ],
    note: 'TCP to 7/9 and UDP from 19 are dropped; AF_UNIX is EAFNOSUPPORT, local_port 70000 ERANGE (the runs fail before the program)',
  },

  // ---- syscall -----------------------------------------------------------------------------------
  {
    name: 'syscall_cpumask',
    object: 'scx_cpumask',
    kind: 'syscall',
    features: ['bpf_cpumask kfuncs', 'bpf_kptr_xchg', 'kptr in a map value', 'acquire/release'],
    differs: [{ map: '.bss', bytes: [68, 32], reason: 'bpf_cpumask_any_distribute/_any_and_distribute continue from a per-CPU variable the rest of the kernel also moves' }],
    runs: [
      { prog: 'ops', ctx: struct(24, [[0, 0x00ff00ff00ff00f0n, 8], [8, 0x0f0f0f0f0f0f0f0fn, 8], [16, 1, 4]]) },
      { prog: 'ops', ctx: struct(24, [[0, -1n, 8], [8, 2, 8], [16, 0, 4]]) },
      { prog: 'ops', ctx: struct(24, [[0, 0, 8], [8, -1n, 8], [16, 100, 4]]) },
      { prog: 'stash', ctx: struct(24, [[16, 1, 4]]) },
      { prog: 'stash', ctx: struct(24, [[16, 0, 4]]) },
      { prog: 'unstash', ctx: struct(24) },
      { prog: 'unstash', ctx: struct(24) },
      { prog: 'refs', ctx: struct(24) },
      { prog: 'stash', ctx: struct(24, [[16, 1, 4]]) },
    ],
  },
  {
    name: 'syscall_loop',
    object: 'loop',
    kind: 'syscall',
    features: ['bpf_loop', 'callbacks', 'syscall ctx'],
    runs: [
      { prog: 'loop_prog', ctx: struct(32, [[0, 10, 4], [4, 4, 4]]) },
      { prog: 'loop_prog', ctx: struct(32, [[0, 3, 4], [4, 99, 4]]) },
      { prog: 'loop_prog', ctx: struct(32, [[0, (1 << 23) + 1, 4]]) },
    ],
  },
  {
    name: 'syscall_isa_v4',
    object: 'isa_v4',
    kind: 'syscall',
    features: ['ISA v4', 'sdiv/smod', 'movsx', 'ldsx', 'bswap', 'gotol', 'may_goto'],
    runs: [
      { prog: 'isa_v4_prog', ctx: v4Args(-7n, 2n, 0x0102030405068090n) },
      { prog: 'isa_v4_prog', ctx: v4Args(-(1n << 63n), -1n, 0n) },
      { prog: 'isa_v4_prog', ctx: v4Args(12345n, 0n, 0xffffffffffff7f7fn) },
      { prog: 'isa_v4_prog', ctx: v4Args(0x7fffffffn + 1n, -3n, 0x80008000n) },
    ],
  },
  {
    name: 'syscall_externs',
    object: 'externs',
    kind: 'syscall',
    features: ['externs', 'kconfig', 'typeless ksym', 'kfuncs', 'weak kfunc'],
    kconfig: ['CONFIG_BPF_SYSCALL', 'CONFIG_BPF_LSM', 'CONFIG_HZ'],
    ksyms: { bpf_prog_put: 0xffffffff81234560n },
    runs: [{ prog: 'externs_prog', ctx: new Uint8Array(32) }],
  },
  {
    name: 'syscall_maps_hash',
    object: 'maps_hash',
    kind: 'syscall',
    features: ['percpu_hash', 'lru_hash', 'lru_percpu_hash', 'update flags errnos', 'lookup_percpu_elem', 'LRU eviction'],
    runs: [{ prog: 'hash_ops', ctx: new Uint8Array(272) }],
  },
  {
    name: 'syscall_queue_stack',
    object: 'maps_queue_stack',
    kind: 'syscall',
    features: ['queue', 'stack', 'push/pop/peek errnos'],
    runs: [{ prog: 'qs_ops', ctx: new Uint8Array(192) }, { prog: 'qs_ops', ctx: new Uint8Array(192) }],
  },
  {
    name: 'syscall_timer',
    object: 'timer',
    kind: 'syscall',
    features: ['bpf_timer', 'timer callbacks', 'init/start/cancel errnos'],
    runs: [{ prog: 'timer_prog', ctx: new Uint8Array(88) }],
    settleMs: 100,
    note: 'the 0 ns timer fires within milliseconds in softirq context (timers[0] = {fired 1, key_seen 100}); the cancelled one never does',
  },
  {
    name: 'syscall_ringbuf',
    object: 'maps_ringbuf',
    kind: 'syscall',
    features: ['ringbuf', 'reserve/submit/discard', 'query'],
    runs: [{ prog: 'rb_ops', ctx: new Uint8Array(96) }],
    differs: [mmapable('.rodata.cst16'), mmapable('.rodata.str1.1')],
  },
  {
    name: 'syscall_dynptr',
    object: 'dynptr',
    kind: 'syscall',
    features: ['dynptr_from_mem', 'dynptr_read/write/data', 'ringbuf_reserve/submit/discard_dynptr', 'dynptr errnos'],
    runs: [{ prog: 'dynptr_ops', ctx: new Uint8Array(192) }],
  },
  {
    name: 'tc_dynptr',
    object: 'dynptr',
    kind: 'tc',
    features: ['dynptr_from_skb', 'dynptr_slice', 'dynptr_clone/adjust/size/is_null/is_rdonly', 'skb dynptr read/write', 'data_out'],
    runs: [{ prog: 'dynptr_skb', data: V4_TCP80 }],
  },
  {
    name: 'cgroup_skb_dynptr',
    object: 'dynptr',
    kind: 'cgroup_skb',
    features: ['dynptr_from_skb (read-only)', 'dynptr_slice', 'dynptr_clone/adjust/size/is_null/is_rdonly'],
    runs: [{ prog: 'dynptr_cgskb', data: V4_TCP80 }],
  },
  {
    name: 'xdp_dynptr',
    object: 'dynptr',
    kind: 'xdp',
    features: ['dynptr_from_xdp', 'dynptr_slice', 'xdp dynptr read/write', 'data_out'],
    runs: [{ prog: 'dynptr_xdp', data: V4_TCP80 }],
  },
  {
    name: 'syscall_for_each',
    object: 'maps_for_each',
    kind: 'syscall',
    features: ['for_each_map_elem', 'array', 'hash', 'delete in callback'],
    runs: [{ prog: 'for_each_prog', ctx: new Uint8Array(64) }],
  },
  {
    name: 'syscall_ctx_programs',
    object: 'syscall_ctx',
    kind: 'syscall',
    features: ['syscall ctx', 'globals', 'sequence'],
    runs: [
      { prog: 'sys_sum', ctx: sysArgs(5, [3, -1, 10, 7, 2], 'bpfemu') },
      { prog: 'sys_sum', ctx: sysArgs(12, [1, 2, 3, 4, 5, 6, 7, -2147483648], '') },
      { prog: 'sys_reverse', ctx: sysArgs(0, [], 'bpfemu') },
      { prog: 'sys_reverse', ctx: sysArgs(0, [], 'a much longer string') },
      { prog: 'sys_count', ctx: sysArgs(0, [], '') },
      { prog: 'sys_count', ctx: sysArgs(0, [], '') },
      { prog: 'sys_count', ctx: sysArgs(0, [], '') },
    ],
  },
  {
    name: 'syscall_ctx_rejected',
    object: 'syscall_ctx',
    kind: 'syscall',
    features: ['test_run ctx checks'],
    runs: [
      { prog: 'sys_sum', ctx: sysArgs(5, [3, -1, 10, 7, 2], 'bpfemu').slice(0, 40) },
      { prog: 'sys_count', ctx: sysArgs(0, [], ''), data: V4_TCP80 },
      { prog: 'sys_count', ctx: new Uint8Array(65536) },
      { prog: 'sys_count', ctx: sysArgs(0, [], '') },
    ],
    note: 'EINVAL: ctx smaller than the largest offset the program touches, data_in given, ctx above 65535 bytes; the last run counts 1',
  },
  {
    name: 'syscall_maps_hash_twice',
    object: 'maps_hash',
    kind: 'syscall',
    features: ['percpu_hash', 'lru_hash', 'lru_percpu_hash', 'LRU eviction', 'sequence'],
    runs: [{ prog: 'hash_ops', ctx: new Uint8Array(272) }, { prog: 'hash_ops', ctx: new Uint8Array(272) }],
    note: 'the second run finds k3 left by the first and evicts from a full LRU; all runs on CPU 0',
  },
  {
    name: 'syscall_for_each_twice',
    object: 'maps_for_each',
    kind: 'syscall',
    features: ['for_each_map_elem', 'sequence'],
    runs: [{ prog: 'for_each_prog', ctx: new Uint8Array(64) }, { prog: 'for_each_prog', ctx: new Uint8Array(64) }],
  },
  {
    name: 'syscall_probe_read',
    object: 'helpers_probe',
    kind: 'syscall',
    features: ['probe_read_kernel(_str)', 'probe_read_user(_str)', 'copy_from_user'],
    runs: [
      { prog: 'probe_prog', ctx: struct(144, [[8, 16, 4]]), user: { offset: 0, bytes: Uint8Array.of(...text('user says hi'), 0, 0, 0, 0) } },
      { prog: 'probe_prog', ctx: struct(144, [[0, 0x10, 8], [8, 16, 4]]) },
    ],
    differs: [{ run: 0, field: 'ctxOut', bytes: [0, 8], reason: 'uptr: the address of the user buffer (runner process vs emulated user memory)' }],
  },
  {
    // struct str_args of programs/user_str.bpf.c: 144 bytes, uptr @0; each user buffer is 32+ bytes
    // so that the word-at-a-time copy never reads past it on the kernel side
    name: 'syscall_copy_from_user_str',
    object: 'user_str',
    kind: 'syscall',
    features: ['bpf_copy_from_user_str (KF_SLEEPABLE)', 'BPF_F_PAD_ZEROS'],
    runs: [
      { prog: 'copy_prog', ctx: new Uint8Array(144), user: { offset: 0, bytes: Uint8Array.of(...text('user says hi'), 0, ...new Array<number>(19).fill(0x77)) } },
      { prog: 'copy_prog', ctx: new Uint8Array(144), user: { offset: 0, bytes: Uint8Array.of(...text('abcdefghijklmnopqrstuvwxyz0123456789ABC'), 0) } },
      { prog: 'copy_prog', ctx: new Uint8Array(144), user: { offset: 0, bytes: Uint8Array.of(0, ...new Array<number>(31).fill(0x77)) } },
      { prog: 'copy_prog', ctx: struct(144, [[0, 0x10, 8]]) },
    ],
    differs: [0, 1, 2].map((run) => ({ run, field: 'ctxOut' as const, bytes: [0, 8] as const, reason: 'uptr: the address of the user buffer (runner process vs emulated user memory)' })),
  },
  {
    // struct cast_args of programs/rdonly_cast.bpf.c: 56 bytes, words @0, addr @16, results from @24;
    // addr NULL, a low unmapped user address, then a mapped user buffer (the x86-64 JIT makes every
    // PROBE_MEM load below TASK_SIZE_MAX read 0, mapped or not)
    name: 'syscall_rdonly_cast',
    object: 'rdonly_cast',
    kind: 'syscall',
    features: ['bpf_rdonly_cast via bpf_core_cast (CO-RE TYPE_ID_TARGET)', 'PROBE_MEM loads'],
    runs: [
      { prog: 'cast_prog', ctx: struct(56, [[0, 0x11223344, 4], [4, 0x55667788, 4], [8, 0x99aabbcc, 4], [12, 0xddeeff00, 4]]) },
      { prog: 'cast_prog', ctx: struct(56, [[0, 0xfffffffe, 4], [4, 7, 4], [8, 0x80000000, 4], [12, 1, 4], [16, 0x1000, 8]]) },
      { prog: 'cast_prog', ctx: struct(56, [[0, 1, 4], [4, 2, 4], [8, 3, 4], [12, 4, 4]]), user: { offset: 16, bytes: new Uint8Array(1280).fill(0x5a) } },
    ],
    differs: [{ run: 2, field: 'ctxOut', bytes: [16, 8], reason: 'addr: the address of the user buffer (runner process vs emulated user memory)' }],
  },
  {
    // the same ctx and buffers through bpf_copy_from_user_task_str on the current task
    name: 'syscall_copy_from_user_task_str',
    object: 'user_str',
    kind: 'syscall',
    features: ['bpf_copy_from_user_task_str (KF_SLEEPABLE)', 'BPF_F_PAD_ZEROS', 'bpf_task_from_pid'],
    runs: [
      { prog: 'copy_task_prog', ctx: new Uint8Array(144), user: { offset: 0, bytes: Uint8Array.of(...text('user says hi'), 0, ...new Array<number>(19).fill(0x77)) } },
      { prog: 'copy_task_prog', ctx: new Uint8Array(144), user: { offset: 0, bytes: Uint8Array.of(...text('abcdefghijklmnopqrstuvwxyz0123456789ABC'), 0) } },
      { prog: 'copy_task_prog', ctx: new Uint8Array(144), user: { offset: 0, bytes: Uint8Array.of(0, ...new Array<number>(31).fill(0x77)) } },
      { prog: 'copy_task_prog', ctx: struct(144, [[0, 0x10, 8]]) },
    ],
    differs: [0, 1, 2].map((run) => ({ run, field: 'ctxOut' as const, bytes: [0, 8] as const, reason: 'uptr: the address of the user buffer (runner process vs emulated user memory)' })),
  },
  {
    name: 'syscall_checksums_64k',
    object: 'bench_checksum',
    kind: 'syscall',
    features: ['bounded loops', 'large .bss', 'sequence'],
    runs: [{ prog: 'sys_fill' }, { prog: 'sys_csum' }, { prog: 'sys_fnv1a' }],
  },
  {
    name: 'syscall_loop_xorshift',
    object: 'bench_loop',
    kind: 'syscall',
    features: ['bpf_loop'],
    runs: [{ prog: 'loop_bench', ctx: struct(40, [[0, 1000, 4], [8, 1, 8]]) }, { prog: 'loop_bench', ctx: struct(40, [[0, 77, 4], [8, 0, 8]]) }],
  },

  // ---- raw_tp -------------------------------------------------------------------------------------
  {
    name: 'raw_tp_args',
    object: 'tracing',
    kind: 'raw_tp',
    features: ['raw_tp ctx (u64 args)', 'globals', 'sequence'],
    runs: [{ prog: 'raw_tp_sys_enter', ctx: struct(16, [[8, 59, 8]]) }, { prog: 'raw_tp_sys_enter', ctx: struct(16, [[0, 0xffff888000001000n, 8], [8, -1, 8]]) }],
  },
  {
    name: 'raw_tp_core',
    object: 'core',
    kind: 'raw_tp',
    features: ['CO-RE', 'field/type/enum relocations', 'bpf_get_current_task'],
    differs: [{ map: '.data.env', reason: 'core_env: pid and parent tgid of the caller, sizeof(task_struct), its vmlinux BTF id and the pid offset: the real kernel\'s layout vs the emulated task_struct' }],
    runs: [{ prog: 'core_prog' }],
  },
];

/** Cases by name (checked unique). */
export function caseByName(name: string): CaseDef {
  const c = CASES.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no case ${name}`);
  return c;
}
