/**
 * bpf_fib_lookup (net/core/filter.c bpf_xdp_fib_lookup / bpf_skb_fib_lookup, Linux 6.18) over the
 * emulated network the user configures (kernel/objects/net.ts, the 'net' service): devices with
 * their addresses, MTU, MAC and forwarding switches, routes in numbered tables, and neighbours.
 *
 * The lookup is the kernel's, reduced to what the emulated network has:
 *   - plen < 64 or unknown flags: -EINVAL; a family other than AF_INET/AF_INET6: -EAFNOSUPPORT;
 *     IPv6 link-local, loopback or multicast addresses: NOT_FWDED before anything else (IPv6);
 *     an unknown params->ifindex: -ENODEV; forwarding off on it: FWD_DISABLED.
 *   - Without BPF_FIB_LOOKUP_DIRECT the default policy rules: the local table (255: the
 *     devices' own addresses, type local), then main (254), then default (253); with DIRECT the
 *     main table, or params->tbid with BPF_FIB_LOOKUP_TBID (a missing table: NOT_FWDED).
 *     Longest prefix first, then the lowest metric; BPF_FIB_LOOKUP_OUTPUT keeps only routes whose
 *     device is params->ifindex. No route: NOT_FWDED; blackhole/unreachable/prohibit give their
 *     codes; any type but unicast NOT_FWDED.
 *   - MTU (always for XDP, for skb when tot_len is set): the route's mtu or the device's;
 *     tot_len above it gives FRAG_NEEDED with mtu_result. An skb without tot_len is checked
 *     against the egress device (is_skb_forwardable: len <= mtu + 14 + 4) and mtu_result is the
 *     device MTU.
 *   - Results: rt_metric, ifindex of the next hop, the gateway into the destination, the source
 *     address with BPF_FIB_LOOKUP_SRC (the route's preferred source, else the device's first
 *     address; IPv6 without one: NO_SRC_ADDR), then unless BPF_FIB_LOOKUP_SKIP_NEIGH the
 *     neighbour of the next hop (none: NO_NEIGH) giving dmac, and the device MAC as smac;
 *     h_vlan_proto/h_vlan_TCI (the tbid word) cleared.
 */
import { ERRNO } from '../util/errno.js';
import { ProgType as P } from '../object/uapi.js';
import type { Machine } from '../vm/machine.js';
import { hostOf } from './host.js';
import { SkbBuff, XdpBuff } from './packet.js';
import type { HelperDef } from './registry.js';

const { EINVAL, ENODEV } = ERRNO;
/** EAFNOSUPPORT (include/uapi/asm-generic/errno.h). */
const EAFNOSUPPORT = 97;

/** enum bpf_fib_lookup return codes (include/uapi/linux/bpf.h). */
export const FibResult = {
  SUCCESS: 0,
  BLACKHOLE: 1,
  UNREACHABLE: 2,
  PROHIBIT: 3,
  NOT_FWDED: 4,
  FWD_DISABLED: 5,
  UNSUPP_LWT: 6,
  NO_NEIGH: 7,
  FRAG_NEEDED: 8,
  NO_SRC_ADDR: 9,
} as const;

/** BPF_FIB_LOOKUP_* flags. */
export const FibFlags = { DIRECT: 1, OUTPUT: 2, SKIP_NEIGH: 4, TBID: 8, SRC: 16, MARK: 32 } as const;
const FIB_MASK = 63;
/** sizeof(struct bpf_fib_lookup). */
export const BPF_FIB_LOOKUP_SIZE = 64;
/** RT_TABLE_DEFAULT, RT_TABLE_MAIN, RT_TABLE_LOCAL. */
export const RT_TABLE = { DEFAULT: 253, MAIN: 254, LOCAL: 255 } as const;

/** A network device as the lookup sees it. */
export interface FibDevice {
  readonly ifindex: number;
  readonly mtu: number;
  readonly mac: Uint8Array;
  readonly up: boolean;
  /** net.ipv4.conf.DEV.forwarding / net.ipv6.conf.DEV.forwarding. */
  readonly forwarding4: boolean;
  readonly forwarding6: boolean;
}

/** One route. Addresses are network-order bytes (4 or 16). */
export interface FibRoute {
  readonly family: number;
  readonly dst: Uint8Array;
  readonly plen: number;
  readonly type: 'unicast' | 'local' | 'blackhole' | 'unreachable' | 'prohibit';
  readonly table: number;
  readonly gateway: Uint8Array | null;
  /** Next-hop device (0: none, for the reject types). */
  readonly dev: number;
  readonly metric: number;
  /** The MTU the lookup uses for this route (0: the device's). */
  readonly mtu: number;
  readonly prefsrc: Uint8Array | null;
}

/** The emulated network as bpf_fib_lookup uses it (the kernel provides it as the 'net' service). */
export interface NetService {
  device(ifindex: number): FibDevice | undefined;
  /** Every route of `family`, connected and local ones included. */
  routes(family: number): readonly FibRoute[];
  /** A device's addresses of `family`, in the order added. */
  addresses(ifindex: number, family: number): readonly Uint8Array[];
  /** The link-layer address of a valid neighbour entry, or undefined. */
  neighbour(ifindex: number, addr: Uint8Array): Uint8Array | undefined;
}

/** Bits `plen` of `a` and `b` agree. */
export function prefixMatch(a: Uint8Array, b: Uint8Array, plen: number): boolean {
  for (let i = 0; i < a.length && plen > 0; i++, plen -= 8) {
    const mask = plen >= 8 ? 0xff : (0xff << (8 - plen)) & 0xff;
    if (((a[i]! ^ b[i]!) & mask) !== 0) return false;
  }
  return true;
}

/** rt6_need_strict: multicast (ff00::/8), link-local (fe80::/10) or loopback (::1). */
function v6Strict(a: Uint8Array): boolean {
  if (a[0] === 0xff) return true;
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return true;
  return a.subarray(0, 15).every((x) => x === 0) && a[15] === 1;
}

/** What the route lookup picked: a route, or the error code before one was found. */
function pickRoute(net: NetService, family: number, dst: Uint8Array, tables: readonly number[], oif: number): FibRoute | null {
  const all = net.routes(family);
  for (const t of tables) {
    let best: FibRoute | null = null;
    for (const r of all) {
      if (r.table !== t || !prefixMatch(r.dst, dst, r.plen)) continue;
      if (oif !== 0 && r.type === 'unicast' && r.dev !== oif) continue;
      if (best === null || r.plen > best.plen || (r.plen === best.plen && r.metric < best.metric)) best = r;
    }
    if (best !== null) return best;
  }
  return null;
}

/** bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup on the params bytes `p`; returns the code, or undefined with `out.mtu`. */
function fibLookup(net: NetService, p: DataView, flags: number, checkMtu: boolean, out: { mtu: number; dev: FibDevice | null }): number {
  const b = new Uint8Array(p.buffer, p.byteOffset, BPF_FIB_LOOKUP_SIZE);
  const family = p.getUint8(0);
  const v4 = family === 2;
  const alen = v4 ? 4 : 16;
  const src = b.slice(16, 16 + alen);
  const dst = b.slice(32, 32 + alen);
  if (!v4 && (v6Strict(dst) || v6Strict(src))) return FibResult.NOT_FWDED;
  const ifindex = p.getUint32(8, true);
  const dev = net.device(ifindex);
  if (dev === undefined) return -ENODEV;
  if (!(v4 ? dev.forwarding4 : dev.forwarding6)) return FibResult.FWD_DISABLED;
  const oif = (flags & FibFlags.OUTPUT) !== 0 ? ifindex : 0;
  let tables: number[];
  if ((flags & FibFlags.DIRECT) !== 0) {
    let tbid: number = RT_TABLE.MAIN;
    if ((flags & FibFlags.TBID) !== 0) {
      tbid = p.getUint32(48, true);
      p.setUint32(48, 0, true);
    }
    if (!net.routes(family).some((r) => r.table === tbid) && tbid !== RT_TABLE.MAIN && tbid !== RT_TABLE.LOCAL) return FibResult.NOT_FWDED;
    tables = [tbid];
  } else tables = [RT_TABLE.LOCAL, RT_TABLE.MAIN, RT_TABLE.DEFAULT];
  const r = pickRoute(net, family, dst, tables, oif);
  if (r === null) return FibResult.NOT_FWDED;
  switch (r.type) {
    case 'unicast':
      break;
    case 'blackhole':
      return FibResult.BLACKHOLE;
    case 'unreachable':
      return FibResult.UNREACHABLE;
    case 'prohibit':
      return FibResult.PROHIBIT;
    default:
      return FibResult.NOT_FWDED;
  }
  const nh = net.device(r.dev);
  if (nh === undefined) return FibResult.NOT_FWDED;
  let mtu = 0;
  if (checkMtu) {
    mtu = r.mtu !== 0 ? r.mtu : nh.mtu;
    if (p.getUint16(6, true) > mtu) {
      p.setUint16(6, mtu, true);
      return FibResult.FRAG_NEEDED;
    }
  }
  p.setUint32(12, r.metric >>> 0, true);
  p.setUint32(8, nh.ifindex, true);
  out.dev = nh;
  if ((flags & FibFlags.SRC) !== 0) {
    const s = r.prefsrc ?? net.addresses(nh.ifindex, family)[0];
    if (s === undefined) {
      if (!v4) return FibResult.NO_SRC_ADDR;
      b.fill(0, 16, 20);
    } else b.set(s, 16);
  }
  if (r.gateway !== null) b.set(r.gateway, 32);
  if ((flags & FibFlags.SKIP_NEIGH) === 0) {
    const mac = net.neighbour(nh.ifindex, b.slice(32, 32 + alen));
    if (mac === undefined) return FibResult.NO_NEIGH;
    b.set(mac, 58);
    b.set(nh.mac, 52);
  }
  // bpf_fib_set_fwd_params
  p.setUint32(48, 0, true);
  if (mtu !== 0) p.setUint16(6, mtu, true);
  out.mtu = mtu;
  return FibResult.SUCCESS;
}

/** The 'net' service, or a fault naming the helper. */
function netOf(m: Machine, helper: string): NetService {
  const n = hostOf(m).service<NetService>('net');
  if (n === undefined) throw m.fail('helper', `${helper}: this kernel has no network configuration`);
  return n;
}

/** The FIB helper family. */
export function fibHelpers(): HelperDef[] {
  return [
    {
      // bpf_xdp_fib_lookup / bpf_skb_fib_lookup: ARG_PTR_TO_MEM | MEM_WRITE sized by ARG_CONST_SIZE
      id: 69,
      name: 'fib_lookup',
      gplOnly: true,
      progTypes: [P.SCHED_CLS, P.SCHED_ACT, P.XDP],
      args: ['ctx', 'ptr', 'size', 'anything'],
      proto: { ret: 'integer', args: [{ kind: 'ctx' }, { kind: 'mem' }, { kind: 'size' }, { kind: 'anything' }] },
      family: 'fib',
      fn: (m) => {
        const c = m.context;
        if (!(c instanceof SkbBuff) && !(c instanceof XdpBuff)) throw m.fail('helper', 'bpf_fib_lookup: not in a tc or XDP program run');
        if (m.argRegion(1) !== c.ctxRegion || m.argOffset(1) !== 0) throw m.fail('helper', "bpf_fib_lookup: r1 is not the program's ctx");
        const plen = m.argS32(3);
        if (plen <= 0) throw m.fail('helper', `bpf_fib_lookup: r3 (size) is ${plen}, not a valid size`);
        const params = m.argBytes(2, plen, true, 'params');
        const flags = m.argU32(4);
        if (plen < BPF_FIB_LOOKUP_SIZE || (flags & ~FIB_MASK) !== 0) return m.setR0Num(-EINVAL);
        const family = params[0];
        if (family !== 2 && family !== 10) return m.setR0Num(-EAFNOSUPPORT);
        const net = netOf(m, 'bpf_fib_lookup');
        const dv = new DataView(params.buffer, params.byteOffset, BPF_FIB_LOOKUP_SIZE);
        const xdp = c instanceof XdpBuff;
        const checkMtu = xdp || dv.getUint16(6, true) !== 0;
        const out = { mtu: 0, dev: null as FibDevice | null };
        let rc = fibLookup(net, dv, flags, checkMtu, out);
        if (!xdp && rc === FibResult.SUCCESS && !checkMtu && out.dev !== null) {
          // is_skb_forwardable: up, and skb->len <= mtu + hard_header_len (14) + VLAN_HLEN (4)
          if (!out.dev.up || c.len > out.dev.mtu + 18) rc = FibResult.FRAG_NEEDED;
          dv.setUint16(6, out.dev.mtu & 0xffff, true);
        }
        m.setR0Num(rc);
      },
    },
  ];
}
