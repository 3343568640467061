/**
 * skb helpers that change the packet's size or layout, and the redirect/MTU helpers of tc
 * (net/core/filter.c, Linux 6.18): bpf_skb_change_tail, bpf_skb_change_head, bpf_skb_adjust_room
 * (tc and sk_skb flavours), bpf_skb_change_proto, bpf_skb_vlan_push/pop, bpf_check_mtu (tc and
 * XDP), bpf_redirect_neigh and bpf_redirect_peer.
 *
 * The skb is linear (as a test run's is). Room is made by reallocating the frame when the
 * headroom or tailroom is short (the kernel's skb_cow / pskb_expand_head), which moves no offset a
 * program can see; every helper that changes data invalidates packet pointers (remap). Frame
 * offsets of the MAC and network headers follow the kernel's mac_header/network_header updates.
 * The state the kernel keeps beyond __sk_buff (skb->encapsulation, the transport header offset)
 * is kept here per skb.
 *
 * Limits: BPF_SKB_MAX_LEN = SKB_MAX_ALLOC = 4 pages - 320 (shared info) = 16064 bytes; the skb
 * is never GSO and its ip_summed is never CHECKSUM_PARTIAL (test-run skbs), so the GSO branches
 * and __bpf_skb_min_len's csum term do not apply.
 */
import { ERRNO } from '../util/errno.js';
import { ProgType as P } from '../object/uapi.js';
import type { Machine } from '../vm/machine.js';
import { hostOf } from './host.js';
import { CHECKSUM_NONE, CHECKSUM_UNNECESSARY, ETH_HLEN, SkbBuff, TcAction, XdpBuff } from './packet.js';
import type { HelperDef } from './registry.js';
import type { NetService } from './fib.js';

const { EINVAL, EFAULT, ENOMEM, ENODEV, ENOTSUPP } = ERRNO;
/** EALREADY (include/uapi/asm-generic/errno.h). */
const EALREADY = 114;

/** BPF_SKB_MAX_LEN. */
export const BPF_SKB_MAX_LEN = 16064;
/** NET_SKB_PAD: headroom a reallocated frame gets in front of what was asked for. */
const NET_SKB_PAD = 64;
const VLAN_HLEN = 4;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const ETH_P_8021Q = 0x8100;
const ETH_P_8021AD = 0x88a8;

/** BPF_F_ADJ_ROOM_* flags and modes (include/uapi/linux/bpf.h). */
export const AdjRoom = {
  MODE_NET: 0,
  MODE_MAC: 1,
  FIXED_GSO: 1n << 0n,
  ENCAP_L3_IPV4: 1n << 1n,
  ENCAP_L3_IPV6: 1n << 2n,
  ENCAP_L4_GRE: 1n << 3n,
  ENCAP_L4_UDP: 1n << 4n,
  NO_CSUM_RESET: 1n << 5n,
  ENCAP_L2_ETH: 1n << 6n,
  DECAP_L3_IPV4: 1n << 7n,
  DECAP_L3_IPV6: 1n << 8n,
  /** BPF_F_ADJ_ROOM_ENCAP_L2(len): the inner MAC length in bits 56..63. */
  ENCAP_L2_SHIFT: 56n,
} as const;
const A = AdjRoom;
const ENCAP_L3 = A.ENCAP_L3_IPV4 | A.ENCAP_L3_IPV6;
const DECAP_L3 = A.DECAP_L3_IPV4 | A.DECAP_L3_IPV6;
const ADJ_MASK = A.FIXED_GSO | ENCAP_L3 | A.ENCAP_L4_GRE | A.ENCAP_L4_UDP | A.ENCAP_L2_ETH | (0xffn << A.ENCAP_L2_SHIFT) | DECAP_L3;

/** ri->flags of the redirect helpers (include/linux/filter.h). */
export const RedirectFlags = { INGRESS: 1, NEIGH: 2, PEER: 4, NEXTHOP: 8 } as const;

/** BPF_MTU_CHK_SEGS and the bpf_check_mtu results. */
export const MtuCheck = { SEGS: 1, SUCCESS: 0, FRAG_NEEDED: 1, SEGS_TOOBIG: 2 } as const;

/** What the kernel keeps in the sk_buff beyond __sk_buff. */
interface SkbExtra {
  encapsulation: boolean;
  /** Frame offset of the transport header, or -1 while unset. */
  transport: number;
}
const extras = new WeakMap<SkbBuff, SkbExtra>();
function extra(skb: SkbBuff): SkbExtra {
  let e = extras.get(skb);
  if (e === undefined) {
    e = { encapsulation: false, transport: -1 };
    extras.set(skb, e);
  }
  return e;
}

/** The run's skb; r1 must be its ctx. */
function skbOf(m: Machine, helper: string): SkbBuff {
  const c = m.context;
  if (!(c instanceof SkbBuff)) throw m.fail('helper', `${helper}: not in an skb program run`);
  if (m.argRegion(1) !== c.ctxRegion || m.argOffset(1) !== 0) throw m.fail('helper', `${helper}: r1 is not the program's ctx`);
  return c;
}

/** Make `head` bytes of headroom and `tail` of tailroom (skb_cow / pskb_expand_head): reallocate, shifting every frame offset. */
function reserve(skb: SkbBuff, head: number, tail: number): void {
  const b = skb.buf;
  const start = Math.min(b.meta, b.data);
  if (start >= head && b.frame.length - b.end >= tail) return;
  const newStart = Math.max(start, head + NET_SKB_PAD);
  const shift = newStart - start;
  const frame = new Uint8Array(newStart + (b.end - start) + Math.max(tail, b.frame.length - b.end));
  frame.set(b.frame.subarray(start, b.end), newStart);
  b.frame = frame;
  b.meta += shift;
  b.data += shift;
  b.end += shift;
  skb.mac += shift;
  skb.network += shift;
  const e = extra(skb);
  if (e.transport >= 0) e.transport += shift;
}

/** Packet data changed: new packet region (stale pointers fault), LD_ABS re-pointed. */
function changed(m: Machine, skb: SkbBuff, helper: string): void {
  skb.buf.remap(helper);
  if (m.skbData !== null) skb.attachLegacyLoads(m);
}

/** skb_push: `len` bytes in front of data (room reserved by the caller). */
function push(skb: SkbBuff, len: number): void {
  skb.buf.data -= len;
  skb.buf.meta = skb.buf.data;
}

/** bpf_skb_net_hdr_push: `len` zero bytes at `off` from data; mac and network headers move with the data. */
function netHdrPush(skb: SkbBuff, off: number, len: number): void {
  reserve(skb, len, 0);
  const e = extra(skb);
  const transSame = e.transport === skb.network;
  const f = skb.buf.frame;
  push(skb, len);
  const d = skb.buf.data;
  f.copyWithin(d, d + len, d + len + off);
  f.fill(0, d + off, d + off + len);
  skb.mac -= len;
  skb.network -= len;
  if (transSame) e.transport = skb.network;
}

/** bpf_skb_net_hdr_pop: remove `len` bytes at `off` from data (-ENOMEM past the end). */
function netHdrPop(skb: SkbBuff, off: number, len: number): number {
  if (off + len > skb.len) return -ENOMEM;
  const e = extra(skb);
  const transSame = e.transport === skb.network;
  const f = skb.buf.frame;
  const old = skb.buf.data;
  skb.buf.data += len;
  skb.buf.meta = skb.buf.data;
  f.copyWithin(skb.buf.data, old, old + off);
  skb.mac += len;
  skb.network += len;
  if (transSame) e.transport = skb.network;
  return 0;
}

/** skb_mac_header_len: network - mac. */
const macLen = (skb: SkbBuff): number => skb.network - skb.mac;

/** bpf_skb_net_base_len. */
function netBaseLen(skb: SkbBuff): number {
  return skb.protocol === ETH_P_IP ? 20 : skb.protocol === ETH_P_IPV6 ? 40 : 0xffffffff;
}

/** bpf_skb_change_protocol (the dst is never valid in a test run). */
function setProtocol(skb: SkbBuff, proto: number): void {
  skb.protocol = proto;
}

/** The skb's device and a network device by ifindex (__dev_via_ifindex: 0 is the current one). */
function mtuDevice(m: Machine, ifindex: number, current: number): { mtu: number; hardHeaderLen: number } | undefined {
  const net = hostOf(m).service<NetService>('net');
  const dev = net?.device(ifindex === 0 ? current : ifindex);
  if (dev === undefined) return undefined;
  return { mtu: dev.mtu, hardHeaderLen: ETH_HLEN };
}

/** bpf_skb_adjust_room (tc). */
function adjustRoomTc(skb: SkbBuff, lenDiff: number, mode: number, flags: bigint): number {
  const abs = Math.abs(lenDiff);
  const shrink = lenDiff < 0;
  let lenMin = netBaseLen(skb);
  if ((flags & ~(ADJ_MASK | A.NO_CSUM_RESET)) !== 0n) return -EINVAL;
  if (abs > 0xfff) return -EFAULT;
  if (skb.protocol !== ETH_P_IP && skb.protocol !== ETH_P_IPV6) return -ENOTSUPP;
  let off = macLen(skb);
  if (mode === A.MODE_NET) off += netBaseLen(skb);
  else if (mode !== A.MODE_MAC) return -ENOTSUPP;
  if ((flags & DECAP_L3) !== 0n) {
    if (!shrink) return -EINVAL;
    const d = flags & DECAP_L3;
    if (d === A.DECAP_L3_IPV4) lenMin = 20;
    else if (d === A.DECAP_L3_IPV6) lenMin = 40;
    else return -EINVAL;
  }
  const lenCur = skb.len - (skb.network - skb.buf.data);
  if ((shrink && (abs >= lenCur || lenCur - abs < lenMin)) || (!shrink && skb.len + abs > BPF_SKB_MAX_LEN)) return -ENOTSUPP;
  let ret: number;
  if (shrink) {
    if ((flags & ~(A.FIXED_GSO | DECAP_L3 | A.NO_CSUM_RESET)) !== 0n) return -EINVAL;
    ret = netHdrPop(skb, off, abs);
    if (ret === 0) {
      if (skb.protocol === ETH_P_IP && (flags & A.DECAP_L3_IPV6) !== 0n) setProtocol(skb, ETH_P_IPV6);
      else if (skb.protocol === ETH_P_IPV6 && (flags & A.DECAP_L3_IPV4) !== 0n) setProtocol(skb, ETH_P_IP);
    }
  } else ret = netGrow(skb, off, abs, flags);
  if (ret === 0 && (flags & A.NO_CSUM_RESET) === 0n && skb.ipSummed === CHECKSUM_UNNECESSARY) {
    // __skb_reset_checksum_unnecessary
    skb.ipSummed = CHECKSUM_NONE;
    skb.csumLevel = 0;
  }
  return ret;
}

/** bpf_skb_net_grow. */
function netGrow(skb: SkbBuff, off: number, len: number, flags: bigint): number {
  const innerMacLen = Number((flags >> A.ENCAP_L2_SHIFT) & 0xffn);
  const encap = (flags & ENCAP_L3) !== 0n;
  const e = extra(skb);
  let ml = 0;
  if (encap) {
    if (skb.protocol !== ETH_P_IP && skb.protocol !== ETH_P_IPV6) return -ENOTSUPP;
    if ((flags & A.ENCAP_L3_IPV4) !== 0n && (flags & A.ENCAP_L3_IPV6) !== 0n) return -EINVAL;
    if ((flags & A.ENCAP_L4_GRE) !== 0n && (flags & A.ENCAP_L4_UDP) !== 0n) return -EINVAL;
    if ((flags & A.ENCAP_L2_ETH) !== 0n && innerMacLen < ETH_HLEN) return -EINVAL;
    if (e.encapsulation) return -EALREADY;
    ml = macLen(skb);
    if (innerMacLen > len) return -EINVAL;
  }
  netHdrPush(skb, off, len);
  if (encap) {
    e.encapsulation = true;
    // skb_set_network_header(skb, mac_len): the outer header starts after the MAC header
    skb.network = skb.buf.data + ml;
    if ((flags & (A.ENCAP_L4_GRE | A.ENCAP_L4_UDP)) !== 0n) e.transport = skb.buf.data + ml + ((flags & A.ENCAP_L3_IPV6) !== 0n ? 40 : 20);
    if (skb.protocol === ETH_P_IP && (flags & A.ENCAP_L3_IPV6) !== 0n) setProtocol(skb, ETH_P_IPV6);
    else if (skb.protocol === ETH_P_IPV6 && (flags & A.ENCAP_L3_IPV4) !== 0n) setProtocol(skb, ETH_P_IP);
  }
  return 0;
}

/** sk_skb_adjust_room: push or pull at the front of the data. */
function adjustRoomSkSkb(skb: SkbBuff, lenDiff: number, mode: number, flags: bigint): number {
  const abs = Math.abs(lenDiff);
  if (flags !== 0n || mode !== 0) return -EINVAL;
  if (abs > 0xfff) return -EFAULT;
  if (lenDiff >= 0) {
    reserve(skb, abs, 0);
    push(skb, abs);
    skb.buf.frame.fill(0, skb.buf.data, skb.buf.data + abs);
  } else {
    if (abs > skb.len) return -ENOMEM;
    skb.buf.data += abs;
    skb.buf.meta = skb.buf.data;
  }
  return 0;
}

/** __bpf_skb_min_len: the network (or a set transport) header offset. */
function minLen(skb: SkbBuff): number {
  let min = 0;
  const net = skb.network - skb.buf.data;
  if (net > 0) min = net;
  const t = extra(skb).transport;
  if (t >= 0 && t - skb.buf.data > 0) min = t - skb.buf.data;
  return min;
}

/** __vlan_insert_tag with mac_len ETH_HLEN: a 4-byte tag after the MAC addresses. */
function vlanInsert(skb: SkbBuff, proto: number, tci: number): void {
  reserve(skb, VLAN_HLEN, 0);
  const f = skb.buf.frame;
  push(skb, VLAN_HLEN);
  const d = skb.buf.data;
  f.copyWithin(d, d + VLAN_HLEN, d + VLAN_HLEN + 12);
  f[d + 12] = proto >> 8;
  f[d + 13] = proto & 0xff;
  f[d + 14] = (tci >> 8) & 0xff;
  f[d + 15] = tci & 0xff;
  skb.mac -= VLAN_HLEN;
}

/** __skb_vlan_pop: take the tag after the MAC addresses out of the data; returns its TCI or -errno. */
function vlanRemove(skb: SkbBuff): number {
  if (skb.len < ETH_HLEN + VLAN_HLEN) return -EFAULT;
  const f = skb.buf.frame;
  const d = skb.buf.data;
  const tci = (f[d + 14]! << 8) | f[d + 15]!;
  const encap = (f[d + 16]! << 8) | f[d + 17]!;
  f.copyWithin(d + VLAN_HLEN, d, d + 12);
  skb.buf.data += VLAN_HLEN;
  skb.buf.meta = skb.buf.data;
  // vlan_set_encap_proto: an EtherType (>= 0x600) is the new protocol; 802.3 lengths give ETH_P_802_3/802_2
  skb.protocol = encap >= 0x600 ? encap : f[d + 18] === 0xff && f[d + 19] === 0xff ? 0x0001 : 0x0004;
  skb.mac += VLAN_HLEN;
  if (skb.network - skb.buf.data < ETH_HLEN) skb.network = skb.buf.data + ETH_HLEN;
  return tci;
}

const isVlan = (p: number): boolean => p === ETH_P_8021Q || p === ETH_P_8021AD;

const TC = [P.SCHED_CLS, P.SCHED_ACT];
const CTX = { kind: 'ctx' } as const;
const ANY = { kind: 'anything' } as const;

/** The helpers of this family. */
export function skbRoomHelpers(): HelperDef[] {
  const family = 'skb-room';
  return [
    {
      // bpf_skb_change_tail / sk_skb_change_tail
      id: 38,
      name: 'skb_change_tail',
      progTypes: [...TC, P.SK_SKB, P.LWT_XMIT],
      args: ['ctx', 'anything', 'anything'],
      proto: { ret: 'integer', args: [CTX, ANY, ANY], pktChanging: true },
      family,
      fn: (m) => {
        const skb = skbOf(m, 'bpf_skb_change_tail');
        const newLen = m.argU32(2);
        const flags = m.argU64(3);
        if (flags !== 0n || newLen > BPF_SKB_MAX_LEN || newLen < minLen(skb)) return m.setR0Num(-EINVAL);
        if (extra(skb).encapsulation) return m.setR0Num(-ENOTSUPP);
        const b = skb.buf;
        if (newLen > skb.len) {
          reserve(skb, 0, newLen - skb.len);
          b.frame.fill(0, b.end, b.data + newLen);
        }
        b.end = b.data + newLen;
        changed(m, skb, 'bpf_skb_change_tail');
        m.setR0Num(0);
      },
    },
    {
      // bpf_skb_change_head / sk_skb_change_head
      id: 43,
      name: 'skb_change_head',
      progTypes: [...TC, P.SK_SKB, P.LWT_XMIT],
      args: ['ctx', 'anything', 'anything'],
      proto: { ret: 'integer', args: [CTX, ANY, ANY], pktChanging: true },
      family,
      fn: (m) => {
        const skb = skbOf(m, 'bpf_skb_change_head');
        const room = m.argU32(2);
        const flags = m.argU64(3);
        if (flags !== 0n || room > 0x7fffffff || skb.len + room > BPF_SKB_MAX_LEN) return m.setR0Num(-EINVAL);
        reserve(skb, room, 0);
        push(skb, room);
        skb.buf.frame.fill(0, skb.buf.data, skb.buf.data + room);
        // skb_reset_mac_header / skb_reset_mac_len
        skb.mac = skb.buf.data;
        changed(m, skb, 'bpf_skb_change_head');
        m.setR0Num(0);
      },
    },
    {
      // bpf_skb_adjust_room (tc) / sk_skb_adjust_room (sk_skb)
      id: 50,
      name: 'skb_adjust_room',
      progTypes: [...TC, P.SK_SKB],
      args: ['ctx', 'anything', 'anything', 'anything'],
      proto: { ret: 'integer', args: [CTX, ANY, ANY, ANY], pktChanging: true },
      family,
      fn: (m) => {
        const skb = skbOf(m, 'bpf_skb_adjust_room');
        const lenDiff = m.argS32(2);
        const mode = m.argU32(3);
        const flags = m.argU64(4);
        const r = skb.progType === P.SK_SKB ? adjustRoomSkSkb(skb, lenDiff, mode, flags) : adjustRoomTc(skb, lenDiff, mode, flags);
        changed(m, skb, 'bpf_skb_adjust_room');
        m.setR0Num(r);
      },
    },
    {
      // bpf_skb_change_proto: IPv4 <-> IPv6 room after the MAC header (bpf_skb_proto_xlat)
      id: 31,
      name: 'skb_change_proto',
      progTypes: TC,
      args: ['ctx', 'anything', 'anything'],
      proto: { ret: 'integer', args: [CTX, ANY, ANY], pktChanging: true },
      family,
      fn: (m) => {
        const skb = skbOf(m, 'bpf_skb_change_proto');
        const proto = ((m.argU32(2) & 0xff) << 8) | ((m.argU32(2) >> 8) & 0xff);
        const flags = m.argU64(3);
        if (flags !== 0n) return m.setR0Num(-EINVAL);
        let r = -ENOTSUPP;
        if (skb.protocol === ETH_P_IP && proto === ETH_P_IPV6) {
          netHdrPush(skb, macLen(skb), 20);
          setProtocol(skb, ETH_P_IPV6);
          skb.hash = 0;
          skb.swHash = false;
          r = 0;
        } else if (skb.protocol === ETH_P_IPV6 && proto === ETH_P_IP) {
          r = netHdrPop(skb, macLen(skb), 20);
          if (r === 0) {
            setProtocol(skb, ETH_P_IP);
            skb.hash = 0;
            skb.swHash = false;
          }
        }
        changed(m, skb, 'bpf_skb_change_proto');
        m.setR0Num(r);
      },
    },
    {
      // bpf_skb_vlan_push: skb_vlan_push (a present hw-accel tag goes into the data first)
      id: 18,
      name: 'skb_vlan_push',
      progTypes: TC,
      args: ['ctx', 'anything', 'anything'],
      proto: { ret: 'integer', args: [CTX, ANY, ANY], pktChanging: true },
      family,
      fn: (m) => {
        const skb = skbOf(m, 'bpf_skb_vlan_push');
        const raw = m.argU32(2) & 0xffff;
        let proto = ((raw & 0xff) << 8) | (raw >> 8);
        if (!isVlan(proto)) proto = ETH_P_8021Q;
        const tci = m.argU32(3) & 0xffff;
        let r = 0;
        if (skb.vlanPresent !== 0) {
          if (skb.buf.data !== skb.mac) r = -EINVAL;
          else {
            vlanInsert(skb, skb.vlanProto, skb.vlanTci);
            skb.protocol = skb.vlanProto;
            skb.network -= VLAN_HLEN;
          }
        }
        if (r === 0) {
          skb.vlanPresent = 1;
          skb.vlanProto = proto;
          skb.vlanTci = tci;
        }
        changed(m, skb, 'bpf_skb_vlan_push');
        m.setR0Num(r);
      },
    },
    {
      // bpf_skb_vlan_pop: skb_vlan_pop (the hw-accel tag, or the first tag of the data; a next tag becomes the hw-accel one)
      id: 19,
      name: 'skb_vlan_pop',
      progTypes: TC,
      args: ['ctx'],
      proto: { ret: 'integer', args: [CTX], pktChanging: true },
      family,
      fn: (m) => {
        const skb = skbOf(m, 'bpf_skb_vlan_pop');
        const done = (r: number): void => {
          changed(m, skb, 'bpf_skb_vlan_pop');
          m.setR0Num(r);
        };
        if (skb.vlanPresent !== 0) {
          skb.vlanPresent = 0;
          skb.vlanTci = 0;
          skb.vlanProto = 0;
        } else {
          if (!isVlan(skb.protocol)) return done(0);
          if (skb.buf.data !== skb.mac) return done(-EINVAL);
          const t = vlanRemove(skb);
          if (t < 0) return done(t);
        }
        if (!isVlan(skb.protocol)) return done(0);
        if (skb.buf.data !== skb.mac) return done(-EINVAL);
        const proto = skb.protocol;
        const tci = vlanRemove(skb);
        if (tci < 0) return done(tci);
        skb.vlanPresent = 1;
        skb.vlanProto = proto;
        skb.vlanTci = tci;
        done(0);
      },
    },
    {
      // bpf_skb_check_mtu / bpf_xdp_check_mtu
      id: 163,
      name: 'check_mtu',
      gplOnly: true,
      progTypes: [...TC, P.XDP],
      args: ['ctx', 'anything', 'ptr', 'anything', 'anything'],
      proto: { ret: 'integer', args: [CTX, ANY, { kind: 'mem', fixedSize: 4 }, ANY, ANY] },
      family,
      fn: (m) => {
        const c = m.context;
        if (!(c instanceof SkbBuff) && !(c instanceof XdpBuff)) throw m.fail('helper', 'bpf_check_mtu: not in a tc or XDP program run');
        if (m.argRegion(1) !== c.ctxRegion || m.argOffset(1) !== 0) throw m.fail('helper', "bpf_check_mtu: r1 is not the program's ctx");
        const ifindex = m.argU32(2);
        const cell = m.argBytes(3, 4, true, 'mtu_len');
        const dv = new DataView(cell.buffer, cell.byteOffset, 4);
        const mtuLen = dv.getUint32(0, true);
        const lenDiff = m.argS32(4);
        const flags = m.argU64(5);
        const xdp = c instanceof XdpBuff;
        if (xdp ? flags !== 0n : (flags & ~BigInt(MtuCheck.SEGS)) !== 0n) return m.setR0Num(-EINVAL);
        if (!xdp && (flags & BigInt(MtuCheck.SEGS)) !== 0n && (lenDiff !== 0 || mtuLen !== 0)) return m.setR0Num(-EINVAL);
        const dev = mtuDevice(m, ifindex, xdp ? c.ingressIfindex : c.ifindex);
        if (dev === undefined) return m.setR0Num(-ENODEV);
        const devLen = dev.mtu + dev.hardHeaderLen;
        let len = mtuLen !== 0 ? mtuLen + dev.hardHeaderLen : xdp ? c.buf.len : c.len;
        len = (len + lenDiff) | 0;
        dv.setUint32(0, dev.mtu, true);
        m.setR0Num(len <= devLen ? MtuCheck.SUCCESS : MtuCheck.FRAG_NEEDED);
      },
    },
    {
      // bpf_redirect_neigh: TC_ACT_REDIRECT with BPF_F_NEIGH (and BPF_F_NEXTHOP with params)
      id: 152,
      name: 'redirect_neigh',
      progTypes: TC,
      args: ['anything', 'ptr_or_null', 'size_or_zero', 'anything'],
      proto: { ret: 'integer', args: [ANY, { kind: 'mem', nullable: true, rdonly: true }, { kind: 'size_or_zero' }, ANY] },
      family,
      fn: (m) => {
        const c = m.context;
        if (!(c instanceof SkbBuff)) throw m.fail('helper', 'bpf_redirect_neigh: not in a tc program run');
        const ifindex = m.argU32(1);
        const plen = m.argS32(3);
        const flags = m.argU64(4);
        // struct bpf_redir_neigh: 20 bytes (nh_family, ipv4/ipv6 address)
        if ((plen !== 0 && plen < 20) || flags !== 0n) return m.setR0Num(TcAction.SHOT);
        if (plen !== 0) m.argBytes(2, 20, false, 'params');
        c.redirect = { kind: 'ifindex', ifindex, flags: RedirectFlags.NEIGH | (plen !== 0 ? RedirectFlags.NEXTHOP : 0) };
        m.setR0Num(TcAction.REDIRECT);
      },
    },
    {
      // bpf_redirect_peer: TC_ACT_REDIRECT with BPF_F_PEER
      id: 155,
      name: 'redirect_peer',
      progTypes: TC,
      args: ['anything', 'anything'],
      proto: { ret: 'integer', args: [ANY, ANY] },
      family,
      fn: (m) => {
        const c = m.context;
        if (!(c instanceof SkbBuff)) throw m.fail('helper', 'bpf_redirect_peer: not in a tc program run');
        if (m.argU64(2) !== 0n) return m.setR0Num(TcAction.SHOT);
        c.redirect = { kind: 'ifindex', ifindex: m.argU32(1), flags: RedirectFlags.PEER };
        m.setR0Num(TcAction.REDIRECT);
      },
    },
  ];
}
