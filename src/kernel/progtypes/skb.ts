/**
 * `struct __sk_buff` program types: tc (SCHED_CLS/SCHED_ACT), socket filter, cgroup_skb, the
 * lightweight-tunnel types and sk_skb, with bpf_prog_test_run_skb (net/bpf/test_run.c and the
 * ctx rules of net/core/filter.c, Linux 6.18; every rule below was checked on the 6.18 kernel).
 *
 * Test run (socket filter, tc, cgroup_skb, lwt_in/out/xmit; sk_skb and lwt_seg6local have none):
 * - flags, cpu and batch_size must be 0 (EINVAL); 14 <= data_size_in <= 3712 (4096 - NET_SKB_PAD
 *   64 - 320 of shared info; EINVAL);
 * - the frame goes through eth_type_trans on the loopback device: skb->protocol is the EtherType
 *   (>= 0x600; else ETH_P_802_3 when the payload starts with 0xffff, ETH_P_802_2 otherwise),
 *   pkt_type is PACKET_HOST for destination 00:00:00:00:00:00 (the loopback address),
 *   PACKET_MULTICAST for group addresses (loopback has no broadcast address, so ff:..:ff is
 *   multicast too) and PACKET_OTHERHOST otherwise; IPv4 frames need a full IPv4 header and IPv6
 *   frames a full IPv6 header (EINVAL);
 * - tc programs see the frame from the Ethernet header; the others from the network header
 *   (skb->len = frame - 14) and their data_out gets the 14 bytes back as zeros;
 * - the test run's socket has the family and addresses of the packet (cgroup_skb and sk_skb read
 *   them as family/local_ip4/remote_ip4/...), `sk` is non-NULL;
 * - ctx_in (__sk_buff) may set mark, priority, ingress_ifindex, ifindex (0/1 or a device: ENODEV),
 *   cb, tstamp, wire_len (0 → skb->len; else >= skb->len and <= 65536), gso_segs (<= 65535),
 *   gso_size and hwtstamp; anything else non-zero is EINVAL; longer than 192 bytes: zero tail or
 *   E2BIG. Without ctx_in and ctx_out wire_len stays 0;
 * - ctx_out returns mark, priority, ingress_ifindex, ifindex (1), tstamp, cb, wire_len, gso_segs
 *   and hwtstamp; other fields keep their ctx_in value (writes to tc_index, tc_classid and
 *   queue_mapping are visible to the program only);
 * - repeat reruns the program on the same skb.
 *
 * Writes to fields a type may not write are rejected by the kernel's verifier at load; the
 * emulator faults at the store (bad_ctx_access).
 */
import { ERRNO } from '../../util/errno.js';
import { ProgType } from '../../object/uapi.js';
import { PERM_R, PERM_RW, RegionKind, Memory } from '../../vm/memory.js';
import type { Fault } from '../../vm/fault.js';
import type { CtxRead, CtxReads } from '../../vm/machine.js';
import { ETH_HLEN, PAGE_SIZE, PacketBuffer, SKB_SHINFO_SIZE, SkbBuff, type RedirectRecord, type SkbSock } from '../../helpers/packet.js';
import type { Kernel } from '../kernel.js';
import type { Machine } from '../../vm/machine.js';
import type { KProg } from '../objects/objects.js';
import { mapCtx, timedRuns } from './common.js';
import { CtxRegion, ctxIn, ctxLayout, rangeIsZero, type CtxBackend, type CtxField, type CtxPolicy } from './ctx.js';
import type { ProgTypeOps, TestRunInput, TestRunOutput } from './registry.js';
import { LOOPBACK_IFINDEX } from './xdp.js';

const { EINVAL, ENODEV } = ERRNO;

/** NET_SKB_PAD + NET_IP_ALIGN on x86-64. */
export const SKB_HEADROOM = 64;
/** GSO_LEGACY_MAX_SIZE and GSO_MAX_SEGS. */
const GSO_LEGACY_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;
/** NO_QUEUE_MAPPING: queue_mapping stores at or above it are dropped. */
const NO_QUEUE_MAPPING = 0xffff;

/** struct __sk_buff (include/uapi/linux/bpf.h), 192 bytes. */
export const SK_BUFF = ctxLayout('__sk_buff', 192, [
  ['len', 0, 'u32'],
  ['pkt_type', 4, 'u32'],
  ['mark', 8, 'u32'],
  ['queue_mapping', 12, 'u32'],
  ['protocol', 16, 'u32'],
  ['vlan_present', 20, 'u32'],
  ['vlan_tci', 24, 'u32'],
  ['vlan_proto', 28, 'u32'],
  ['priority', 32, 'u32'],
  ['ingress_ifindex', 36, 'u32'],
  ['ifindex', 40, 'u32'],
  ['tc_index', 44, 'u32'],
  ['cb', 48, 'cb', 5],
  ['hash', 68, 'u32'],
  ['tc_classid', 72, 'u32'],
  ['data', 76, 'pkt'],
  ['data_end', 80, 'pkt'],
  ['napi_id', 84, 'u32'],
  ['family', 88, 'u32'],
  ['remote_ip4', 92, 'u32-exact'],
  ['local_ip4', 96, 'u32-exact'],
  ['remote_ip6', 100, 'u32-exact', 4],
  ['local_ip6', 116, 'u32-exact', 4],
  ['remote_port', 132, 'u32'],
  ['local_port', 136, 'u32'],
  ['data_meta', 140, 'pkt'],
  ['flow_keys', 144, 'ptr'],
  ['tstamp', 152, 'u64'],
  ['wire_len', 160, 'u32'],
  ['gso_segs', 164, 'u32'],
  ['sk', 168, 'ptr'],
  ['gso_size', 176, 'u32'],
  ['tstamp_type', 180, 'u8'],
  ['hwtstamp', 184, 'u64'],
]);

const BASE_READ = ['len', 'pkt_type', 'mark', 'queue_mapping', 'protocol', 'vlan_present', 'vlan_tci', 'vlan_proto', 'priority', 'ingress_ifindex', 'ifindex', 'tc_index', 'cb', 'hash', 'napi_id', 'gso_segs', 'gso_size', 'sk'];
const SOCK_FIELDS = ['family', 'remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'remote_port', 'local_port'];

function policy(read: readonly string[], write: readonly string[]): CtxPolicy {
  return { read: new Set(read), write: new Set(write) };
}

/**
 * Readable and writable __sk_buff fields per program type (sk_filter_is_valid_access,
 * tc_cls_act_is_valid_access, cg_skb_is_valid_access, lwt_is_valid_access, sk_skb_is_valid_access,
 * flow_dissector_is_valid_access; measured on 6.18).
 */
export const SKB_POLICIES: ReadonlyMap<number, CtxPolicy> = new Map([
  [ProgType.SOCKET_FILTER, policy(BASE_READ, ['cb'])],
  [ProgType.SCHED_CLS, policy([...BASE_READ, 'tc_classid', 'data', 'data_end', 'data_meta', 'tstamp', 'wire_len', 'tstamp_type', 'hwtstamp'], ['mark', 'queue_mapping', 'priority', 'tc_index', 'cb', 'tc_classid', 'tstamp'])],
  [ProgType.SCHED_ACT, policy([...BASE_READ, 'tc_classid', 'data', 'data_end', 'data_meta', 'tstamp', 'wire_len', 'tstamp_type', 'hwtstamp'], ['mark', 'queue_mapping', 'priority', 'tc_index', 'cb', 'tc_classid', 'tstamp'])],
  [ProgType.CGROUP_SKB, policy([...BASE_READ, 'data', 'data_end', ...SOCK_FIELDS, 'tstamp', 'hwtstamp'], ['mark', 'priority', 'cb', 'tstamp'])],
  [ProgType.LWT_IN, policy([...BASE_READ, 'data', 'data_end'], ['mark', 'priority', 'cb'])],
  [ProgType.LWT_OUT, policy([...BASE_READ, 'data', 'data_end'], ['mark', 'priority', 'cb'])],
  [ProgType.LWT_XMIT, policy([...BASE_READ, 'data', 'data_end'], ['mark', 'priority', 'cb'])],
  [ProgType.LWT_SEG6LOCAL, policy([...BASE_READ, 'data', 'data_end'], ['mark', 'priority', 'cb'])],
  [ProgType.SK_SKB, policy([...BASE_READ.filter((f) => f !== 'mark'), 'data', 'data_end', ...SOCK_FIELDS], ['priority', 'tc_index'])],
  [ProgType.FLOW_DISSECTOR, policy(['data', 'data_end', 'flow_keys'], [])],
]);

/** Types whose programs may write the packet directly (may_access_direct_pkt_data). */
const PACKET_WRITERS: ReadonlySet<number> = new Set([ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.LWT_XMIT, ProgType.SK_SKB]);

function swap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

function le32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

/** A u32 __sk_buff field as register halves (the high half 0). */
function u32Read(get: (s: SkbBuff) => number): (s: SkbBuff, out: Int32Array) => void {
  return (s, out) => {
    out[0] = get(s) | 0;
    out[1] = 0;
  };
}

/**
 * The __sk_buff fields whose bpf_convert_ctx_access reads are plain numbers or packet pointers, by
 * name: the slow path (SkbCtx) and the tier's direct ctx loads (skbCtxReadsFor) both read through
 * these. `cb` is per index (below).
 */
const SKB_READ: Readonly<Record<string, (s: SkbBuff, out: Int32Array) => void>> = {
  len: u32Read((s) => s.len),
  pkt_type: u32Read((s) => s.pktType),
  mark: u32Read((s) => s.mark),
  queue_mapping: u32Read((s) => s.queueMapping),
  protocol: u32Read((s) => swap16(s.protocol)),
  vlan_present: u32Read((s) => s.vlanPresent),
  vlan_tci: u32Read((s) => s.vlanTci),
  vlan_proto: u32Read((s) => swap16(s.vlanProto)),
  priority: u32Read((s) => s.priority),
  ingress_ifindex: u32Read((s) => s.ingressIfindex),
  ifindex: u32Read((s) => s.ifindex),
  tc_index: u32Read((s) => s.tcIndex),
  hash: u32Read((s) => s.hash),
  tc_classid: u32Read((s) => s.tcClassid),
  napi_id: u32Read((s) => s.napiId),
  wire_len: u32Read((s) => s.wireLen),
  gso_segs: u32Read((s) => s.gsoSegs),
  gso_size: u32Read((s) => s.gsoSize),
  data: (s, out) => s.buf.pointerInto(s.buf.data, out),
  data_end: (s, out) => s.buf.pointerInto(s.buf.end, out),
  data_meta: (s, out) => s.buf.pointerInto(s.buf.meta, out),
};
/** {@link SKB_READ} by field index of SK_BUFF (cb[i] included); undefined for the other fields. */
const SKB_READ_AT = SK_BUFF.fields.map((f) => (f.kind === 'cb' ? u32Read((s) => s.cb[f.index]!) : SKB_READ[f.name]));

/** The __sk_buff loads the JavaScript tier reads directly for a program of `type` (its policy's readable fields of SKB_READ_AT). */
export function skbCtxReadsFor(type: number): CtxReads | undefined {
  let r = SKB_CTX_READS.get(type);
  if (r === undefined && SKB_POLICIES.has(type)) SKB_CTX_READS.set(type, (r = skbCtxReads(type)));
  return r;
}

const SKB_CTX_READS = new Map<number, CtxReads>();

function skbCtxReads(type: number): CtxReads {
  const pol = SKB_POLICIES.get(type)!;
  const fields = new Map<number, CtxRead>();
  SK_BUFF.fields.forEach((f, i) => {
    const read = SKB_READ_AT[i];
    if (read !== undefined && pol.read.has(f.name)) fields.set(f.off, { size: f.size, pointer: f.kind === 'pkt', read: (c, out) => read(c as SkbBuff, out) });
  });
  return { region: (m) => (m.context instanceof SkbBuff ? m.context.ctxRegion : 0), fields };
}

/** The __sk_buff fields after bpf_convert_ctx_access, read from and written to the skb. */
class SkbCtx implements CtxBackend {
  constructor(private readonly s: SkbBuff) {}

  read(f: CtxField, out: Int32Array): void {
    const s = this.s;
    const direct = SKB_READ_AT[SK_BUFF.byByte[f.off]!];
    if (direct !== undefined) return direct(s, out);
    const sk = s.sock;
    let v: number | bigint;
    switch (f.name) {
      case 'family':
        v = sk?.family ?? 0;
        break;
      case 'remote_ip4':
        v = sk === null ? 0 : le32(sk.remote4, 0);
        break;
      case 'local_ip4':
        v = sk === null ? 0 : le32(sk.local4, 0);
        break;
      case 'remote_ip6':
        v = sk === null ? 0 : le32(sk.remote6, f.index * 4);
        break;
      case 'local_ip6':
        v = sk === null ? 0 : le32(sk.local6, f.index * 4);
        break;
      case 'remote_port':
        // skc_dport (network order) loaded as a u16, shifted left by 16 on little-endian.
        v = sk === null ? 0 : (swap16(sk.remotePort) << 16) >>> 0;
        break;
      case 'local_port':
        v = sk?.localPort ?? 0;
        break;
      case 'flow_keys':
        v = s.flowKeysRegion === 0 ? 0n : Memory.pointer(s.flowKeysRegion, 0);
        break;
      case 'tstamp':
        v = s.tstamp;
        break;
      case 'sk':
        v = s.sockRegion === 0 ? 0n : Memory.pointer(s.sockRegion, 0);
        break;
      case 'tstamp_type':
        v = s.tstampType;
        break;
      default:
        v = s.hwtstamp;
    }
    if (typeof v === 'number') {
      out[0] = v | 0;
      out[1] = 0;
    } else {
      const u = BigInt.asUintN(64, v);
      out[0] = Number(u & 0xffffffffn) | 0;
      out[1] = Number(u >> 32n) | 0;
    }
  }

  write(f: CtxField, lo: number, hi: number): void {
    const s = this.s;
    switch (f.name) {
      case 'mark':
        s.mark = lo >>> 0;
        break;
      case 'priority':
        s.priority = lo >>> 0;
        break;
      case 'queue_mapping':
        if (lo >>> 0 < NO_QUEUE_MAPPING) s.queueMapping = lo & 0xffff;
        break;
      case 'tc_index':
        // skb->tc_index is a u16.
        s.tcIndex = lo & 0xffff;
        break;
      case 'tc_classid':
        // qdisc_skb_cb->tc_classid is a u16.
        s.tcClassid = lo & 0xffff;
        break;
      case 'cb':
        s.cb[f.index] = lo >>> 0;
        break;
      case 'tstamp':
        s.tstamp = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
        break;
    }
  }
}

/** The __sk_buff backend of an skb (flow dissector runs share it). */
export function skbBackend(s: SkbBuff): CtxBackend {
  return new SkbCtx(s);
}

/**
 * struct bpf_sock of the test run's socket (80 bytes; bpf_sock_convert_ctx_access reads): family,
 * addresses, ports, state TCP_CLOSE (7), rx_queue_mapping -1.
 */
function bpfSockBytes(sk: SkbSock): Uint8Array {
  const b = new Uint8Array(80);
  const dv = new DataView(b.buffer);
  dv.setUint32(4, sk.family, true);
  b.set(sk.local4, 24);
  b.set(sk.local6, 28);
  dv.setUint32(44, sk.localPort, true);
  dv.setUint16(48, sk.remotePort, false);
  b.set(sk.remote4, 52);
  b.set(sk.remote6, 56);
  dv.setUint32(72, 7, true);
  dv.setInt32(76, -1, true);
  return b;
}

/** eth_type_trans on the loopback device (address and broadcast address all zero). */
function ethTypeTrans(frame: Uint8Array, mac: number): { protocol: number; pktType: number } {
  const dst = frame.subarray(mac, mac + 6);
  let pktType: number;
  if (dst.every((x) => x === 0)) pktType = 0; // PACKET_HOST
  else if ((dst[0]! & 1) !== 0) pktType = 2; // PACKET_MULTICAST
  else pktType = 3; // PACKET_OTHERHOST
  const proto = (frame[mac + 12]! << 8) | frame[mac + 13]!;
  if (proto >= 0x600) return { protocol: proto, pktType };
  // Raw 802.3 (IPX) frames start with 0xffff; everything else is 802.2 LLC.
  const raw = frame[mac + 14] === 0xff && frame[mac + 15] === 0xff;
  return { protocol: raw ? 0x0001 : 0x0004, pktType };
}

/** __sk_buff fields a test run takes from ctx_in (convert___skb_to_skb), all optional. */
export interface SkbCtxIn {
  readonly mark?: number;
  readonly priority?: number;
  readonly ingressIfindex?: number;
  readonly ifindex?: number;
  readonly cb?: readonly number[];
  readonly tstamp?: bigint;
  readonly wireLen?: number;
  readonly gsoSegs?: number;
  readonly gsoSize?: number;
  readonly hwtstamp?: bigint;
}

/** Input of a direct skb run ({@link runSkb}). */
export interface SkbRunInput {
  /** The Ethernet frame. */
  readonly data: Uint8Array;
  /** ctx_in fields; absent = the test run without ctx (wire_len stays 0). */
  readonly ctx?: SkbCtxIn;
  readonly repeat?: number;
  /** Further machine setup before each run (a cgroup hook binds the program's cgroup storage). */
  readonly setup?: (m: Machine) => void;
}

/** Outcome of a direct skb run. */
export interface SkbRunResult {
  readonly retval: number;
  readonly fault: Fault | null;
  /** The frame after the run (non-tc types: with the 14 header bytes zeroed). */
  readonly dataOut: Uint8Array;
  /** The skb after the run, for ctx_out and inspection. */
  readonly skb: SkbBuff;
  readonly redirect: RedirectRecord | null;
  readonly durationNs: number;
}

/** The __sk_buff field covering byte `at` of a ctx_in, for messages. */
function skbFieldAt(at: number): string {
  const f = SK_BUFF.fields.find((x) => at >= x.off && at < x.off + x.size);
  return f === undefined ? `byte ${at}` : f.index !== undefined && SK_BUFF.fields.filter((x) => x.name === f.name).length > 1 ? `${f.name}[${f.index}]` : f.name;
}

/** The first non-zero byte of ctx[from, to), or -1. */
function firstNonZero(ctx: Uint8Array, from: number, to: number): number {
  for (let i = from; i < Math.min(to, ctx.length); i++) if (ctx[i] !== 0) return i;
  return -1;
}

/**
 * Decode a raw __sk_buff ctx_in with convert___skb_to_skb's zero-field rule; -EINVAL otherwise
 * (`why` gets the field that may not be set).
 */
export function decodeSkbCtx(ctx: Uint8Array, why?: (reason: string) => void): SkbCtxIn | number {
  const o = (n: string): number => SK_BUFF.field(n).off;
  const allowed: [number, number][] = [
    [o('mark'), 4],
    [o('priority'), 12],
    [o('cb'), 20],
    [o('tstamp'), 16],
    [o('gso_size'), 4],
    [o('hwtstamp'), 8],
  ];
  let at = 0;
  const refuse = (from: number, to: number): number => {
    why?.(`field '${skbFieldAt(firstNonZero(ctx, from, to))}' of __sk_buff may not be set in ctx_in (only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp may)`);
    return -EINVAL;
  };
  for (const [off, len] of allowed) {
    if (!rangeIsZero(ctx, at, off)) return refuse(at, off);
    at = off + len;
  }
  if (!rangeIsZero(ctx, at, SK_BUFF.size)) return refuse(at, SK_BUFF.size);
  const dv = new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength);
  const cb: number[] = [];
  for (let i = 0; i < 5; i++) cb.push(dv.getUint32(o('cb') + 4 * i, true));
  return {
    mark: dv.getUint32(o('mark'), true),
    priority: dv.getUint32(o('priority'), true),
    ingressIfindex: dv.getUint32(o('ingress_ifindex'), true),
    ifindex: dv.getUint32(o('ifindex'), true),
    cb,
    tstamp: dv.getBigUint64(o('tstamp'), true),
    wireLen: dv.getUint32(o('wire_len'), true),
    gsoSegs: dv.getUint32(o('gso_segs'), true),
    gsoSize: dv.getUint32(o('gso_size'), true),
    hwtstamp: dv.getBigUint64(o('hwtstamp'), true),
  };
}

/**
 * Build the skb of bpf_prog_test_run_skb for `input.data` and run `prog` (of a type in
 * SKB_POLICIES) on it. Returns -errno where the kernel's test run would refuse the input.
 */
export function runSkb(k: Kernel, prog: KProg, input: SkbRunInput): SkbRunResult | number {
  const type = prog.type;
  const pol = SKB_POLICIES.get(type);
  if (pol === undefined) return -EINVAL;
  const size = input.data.length;
  if (size < ETH_HLEN || size > PAGE_SIZE - SKB_HEADROOM - SKB_SHINFO_SIZE) return k.refuse(-EINVAL, `skb test runs need ${ETH_HLEN} to ${PAGE_SIZE - SKB_HEADROOM - SKB_SHINFO_SIZE} bytes of data_in, got ${size}`);
  const isL2 = type === ProgType.SCHED_CLS || type === ProgType.SCHED_ACT;
  const c = input.ctx;
  if (c !== undefined && (c.ifindex ?? 0) > LOOPBACK_IFINDEX) return -ENODEV;
  const frame = new Uint8Array(SKB_HEADROOM + Math.ceil(size / 64) * 64 + SKB_SHINFO_SIZE);
  frame.set(input.data, SKB_HEADROOM);
  const mac = SKB_HEADROOM;
  const network = mac + ETH_HLEN;
  const end = mac + size;
  const eth = ethTypeTrans(frame, mac);
  // The test run's socket: family and addresses from the network header.
  const sock: SkbSock = { family: 0, local4: new Uint8Array(4), remote4: new Uint8Array(4), local6: new Uint8Array(16), remote6: new Uint8Array(16), localPort: 0, remotePort: 0 };
  if (eth.protocol === 0x0800) {
    if (end - network < 20) return k.refuse(-EINVAL, `an IPv4 frame (ethertype 0x0800) needs a full 20-byte IPv4 header; data_in has ${end - network} bytes after the Ethernet header`);
    sock.family = 2;
    sock.local4.set(frame.subarray(network + 12, network + 16));
    sock.remote4.set(frame.subarray(network + 16, network + 20));
  } else if (eth.protocol === 0x86dd) {
    if (end - network < 40) return k.refuse(-EINVAL, `an IPv6 frame (ethertype 0x86dd) needs a full 40-byte IPv6 header; data_in has ${end - network} bytes after the Ethernet header`);
    sock.family = 10;
    sock.local6.set(frame.subarray(network + 8, network + 24));
    sock.remote6.set(frame.subarray(network + 24, network + 40));
  }
  const data = isL2 ? mac : network;
  let wireLen = 0;
  if (c !== undefined) {
    // convert___skb_to_skb: wire_len 0 means skb->len.
    const wire = c.wireLen ?? 0;
    if (wire !== 0 && (wire < end - data || wire > GSO_LEGACY_MAX_SIZE)) return k.refuse(-EINVAL, `__sk_buff.wire_len ${wire} must be 0 or between the packet length ${end - data} and ${GSO_LEGACY_MAX_SIZE}`);
    if ((c.gsoSegs ?? 0) > GSO_MAX_SEGS) return k.refuse(-EINVAL, `__sk_buff.gso_segs ${c.gsoSegs} is above ${GSO_MAX_SEGS}`);
    wireLen = wire === 0 ? end - data : wire;
  }
  const label = `skb packet of ${prog.name || 'prog'}`;
  const buf = new PacketBuffer(k.mem, frame, data, data, end, PACKET_WRITERS.has(type) ? PERM_RW : PERM_R, label, true);
  const skb = new SkbBuff(buf, type);
  skb.mac = mac;
  skb.network = network;
  skb.protocol = eth.protocol;
  skb.pktType = eth.pktType;
  skb.ifindex = LOOPBACK_IFINDEX;
  skb.sock = sock;
  if (c !== undefined) {
    skb.mark = (c.mark ?? 0) >>> 0;
    skb.priority = (c.priority ?? 0) >>> 0;
    skb.ingressIfindex = (c.ingressIfindex ?? 0) >>> 0;
    skb.tstamp = c.tstamp ?? 0n;
    (c.cb ?? []).forEach((v, i) => {
      if (i < 5) skb.cb[i] = v >>> 0;
    });
    skb.wireLen = wireLen;
    skb.gsoSegs = c.gsoSegs ?? 0;
    skb.gsoSize = (c.gsoSize ?? 0) >>> 0;
    skb.hwtstamp = c.hwtstamp ?? 0n;
  }
  skb.sockRegion = k.mem.map(bpfSockBytes(sock), { kind: RegionKind.KERNEL, perm: PERM_R, label: `bpf_sock of the test-run skb of ${prog.name || 'prog'}` });
  const ctx = mapCtx(k, new Uint8Array(SK_BUFF.size), `__sk_buff of ${prog.name || 'prog'}`, true, new CtxRegion(SK_BUFF, pol, new SkbCtx(skb)));
  skb.ctxRegion = ctx.region;
  try {
    const r = timedRuns(k, prog, [ctx.ptr], input.repeat ?? 0, (m) => {
      m.context = skb;
      skb.attachLegacyLoads(m);
      input.setup?.(m);
    });
    let dataOut: Uint8Array;
    if (isL2) dataOut = buf.bytes().slice();
    else {
      // The test run pushes the link-layer header back, zeroed.
      dataOut = new Uint8Array(ETH_HLEN + buf.len);
      dataOut.set(buf.bytes(), ETH_HLEN);
    }
    return { retval: Number(r.r0 & 0xffffffffn), fault: r.fault, dataOut, skb, redirect: skb.redirect, durationNs: r.durationNs };
  } finally {
    k.retireRegion(ctx.region);
    k.retireRegion(skb.sockRegion);
    for (const id of buf.regions) k.retireRegion(id);
  }
}

/** convert_skb_to___skb: the fields ctx_out reports, over the ctx_in bytes. */
function encodeSkbCtxOut(ctx: Uint8Array, s: SkbBuff): Uint8Array {
  const out = ctx.slice();
  const dv = new DataView(out.buffer);
  const o = (n: string, i = 0): number => SK_BUFF.field(n, i).off;
  dv.setUint32(o('mark'), s.mark, true);
  dv.setUint32(o('priority'), s.priority, true);
  dv.setUint32(o('ingress_ifindex'), s.ingressIfindex, true);
  dv.setUint32(o('ifindex'), s.ifindex, true);
  dv.setBigUint64(o('tstamp'), BigInt.asUintN(64, s.tstamp), true);
  for (let i = 0; i < 5; i++) dv.setUint32(o('cb', i), s.cb[i]!, true);
  dv.setUint32(o('wire_len'), s.wireLen, true);
  dv.setUint32(o('gso_segs'), s.gsoSegs, true);
  dv.setBigUint64(o('hwtstamp'), BigInt.asUintN(64, s.hwtstamp), true);
  return out;
}

/** bpf_prog_test_run_skb. */
function testRunSkb(k: Kernel, t: TestRunInput): TestRunOutput | number {
  if (t.flags !== 0 || t.cpu !== 0 || t.batchSize !== 0) return k.refuse(-EINVAL, 'skb test runs take no flags, cpu or batch_size');
  const data = t.dataIn ?? new Uint8Array(0);
  if (data.length < ETH_HLEN || data.length > PAGE_SIZE - SKB_HEADROOM - SKB_SHINFO_SIZE) return k.refuse(-EINVAL, `skb test runs need ${ETH_HLEN} to ${PAGE_SIZE - SKB_HEADROOM - SKB_SHINFO_SIZE} bytes of data_in, got ${data.length}`);
  let raw: Uint8Array | null = null;
  let ctx: SkbCtxIn | undefined;
  if (t.ctxIn !== null || t.hasCtxOut) {
    const c = ctxIn(t.ctxIn ?? new Uint8Array(0), SK_BUFF.size);
    if (typeof c === 'number') return c;
    raw = c;
    // The device lookup (ENODEV) comes before the field checks (EINVAL).
    const ifindex = new DataView(c.buffer).getUint32(SK_BUFF.field('ifindex').off, true);
    if (ifindex > LOOPBACK_IFINDEX) return k.refuse(-ENODEV, `__sk_buff.ifindex ${ifindex}: the emulated kernel has only loopback (ifindex ${LOOPBACK_IFINDEX})`);
    const d = decodeSkbCtx(c, (r) => k.refuse(-EINVAL, r));
    if (typeof d === 'number') return d;
    ctx = d;
  }
  const r = runSkb(k, t.prog, { data, repeat: t.repeat, ...(ctx !== undefined ? { ctx } : {}) });
  if (typeof r === 'number') return r;
  if (r.fault !== null) return k.reportFault(r.fault);
  return {
    retval: r.retval,
    durationNs: r.durationNs,
    dataOut: r.dataOut,
    redirect: r.redirect,
    ...(raw !== null ? { ctxOut: encodeSkbCtxOut(raw, r.skb) } : {}),
  };
}

/** The __sk_buff program types with bpf_prog_test_run_skb. */
export const SOCKET_FILTER_PROG: ProgTypeOps = { type: ProgType.SOCKET_FILTER, name: 'socket_filter', testRun: testRunSkb, ctxReads: () => skbCtxReadsFor(ProgType.SOCKET_FILTER) };
export const SCHED_CLS_PROG: ProgTypeOps = { type: ProgType.SCHED_CLS, name: 'sched_cls', testRun: testRunSkb, ctxReads: () => skbCtxReadsFor(ProgType.SCHED_CLS) };
export const SCHED_ACT_PROG: ProgTypeOps = { type: ProgType.SCHED_ACT, name: 'sched_act', testRun: testRunSkb, ctxReads: () => skbCtxReadsFor(ProgType.SCHED_ACT) };
export const CGROUP_SKB_PROG: ProgTypeOps = { type: ProgType.CGROUP_SKB, name: 'cgroup_skb', testRun: testRunSkb, ctxReads: () => skbCtxReadsFor(ProgType.CGROUP_SKB) };
export const LWT_IN_PROG: ProgTypeOps = { type: ProgType.LWT_IN, name: 'lwt_in', testRun: testRunSkb, ctxReads: () => skbCtxReadsFor(ProgType.LWT_IN) };
export const LWT_OUT_PROG: ProgTypeOps = { type: ProgType.LWT_OUT, name: 'lwt_out', testRun: testRunSkb, ctxReads: () => skbCtxReadsFor(ProgType.LWT_OUT) };
export const LWT_XMIT_PROG: ProgTypeOps = { type: ProgType.LWT_XMIT, name: 'lwt_xmit', testRun: testRunSkb, ctxReads: () => skbCtxReadsFor(ProgType.LWT_XMIT) };
/** No test run in the kernel (ENOTSUPP); runnable through {@link runSkb}. */
export const LWT_SEG6LOCAL_PROG: ProgTypeOps = { type: ProgType.LWT_SEG6LOCAL, name: 'lwt_seg6local', ctxReads: () => skbCtxReadsFor(ProgType.LWT_SEG6LOCAL) };
/** No test run in the kernel (ENOTSUPP); runnable through {@link runSkb}. */
export const SK_SKB_PROG: ProgTypeOps = { type: ProgType.SK_SKB, name: 'sk_skb', ctxReads: () => skbCtxReadsFor(ProgType.SK_SKB) };

/** Every __sk_buff type. */
export const SKB_PROG_TYPES: readonly ProgTypeOps[] = [SOCKET_FILTER_PROG, SCHED_CLS_PROG, SCHED_ACT_PROG, CGROUP_SKB_PROG, LWT_IN_PROG, LWT_OUT_PROG, LWT_XMIT_PROG, LWT_SEG6LOCAL_PROG, SK_SKB_PROG];
