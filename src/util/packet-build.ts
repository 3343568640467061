/**
 * A layered packet builder for tests: a list of layers, outermost first, turned into wire bytes.
 *
 * ```ts
 * build([{ eth: {} }, { vlan: { vid: 10 } }, { ipv4: { src: '10.0.0.1', dst: '10.0.0.2' } },
 *        { tcp: { dport: 80, flags: ['syn'] } }, { payload: 'hello' }])
 * ```
 *
 * Every "next header" field (EtherType, IP protocol, IPv6 next header, GRE and GENEVE protocol, the
 * UDP port of VXLAN/GENEVE), every length (IPv4 IHL and total length, IPv6 payload length, TCP data
 * offset, UDP length, GENEVE option length) and every checksum (IPv4 header, TCP/UDP/ICMPv6 with the
 * RFC 8200 / RFC 793 pseudo-header, ICMP, optional GRE) is computed unless the layer sets it; a set
 * value is written as given, so malformed packets (a wrong checksum, a short IHL) are one field away.
 * Layers: eth, vlan (802.1Q; the outer tag of two is 802.1ad, TPID 0x88a8), arp, ipv4 (options),
 * ipv6 (hop-by-hop, routing, fragment and destination-options extension headers), tcp (options),
 * udp, icmp, icmpv6, gre, vxlan, geneve (options), payload. IPIP, 6in6, 4in6 and 6in4 are an IP
 * layer after an IP layer. No Node-only APIs.
 */
import { BpfemuError } from './errors.js';
import { checksum, ipv4, ipv6, onesSum } from './packets.js';

/** A MAC address as `aa:bb:cc:dd:ee:ff` or 6 bytes. */
export type Mac = string | Uint8Array;

/** Ethernet II header. */
export interface EthLayer {
  dst?: Mac;
  src?: Mac;
  /** EtherType; default from the next layer. */
  type?: number;
}

/** An 802.1Q / 802.1ad tag (the 4 bytes after the Ethernet addresses or another tag). */
export interface VlanLayer {
  vid?: number;
  pcp?: number;
  dei?: 0 | 1;
  /** TPID of this tag (written in the EtherType field before it); default 0x8100, or 0x88a8 for a tag followed by another tag (QinQ). */
  tpid?: number;
  /** EtherType after the tag; default from the next layer. */
  type?: number;
}

/** ARP for IPv4 over Ethernet (RFC 826). */
export interface ArpLayer {
  /** 1 request (default), 2 reply. */
  op?: number;
  sha?: Mac;
  spa?: string;
  tha?: Mac;
  tpa?: string;
}

/** An IPv4 option: a single byte for EOL (0) and NOP (1), type-length-data otherwise. */
export type Ipv4Option = 'eol' | 'nop' | { type: number; data?: Uint8Array | readonly number[] };

/** IPv4 header (RFC 791). */
export interface Ipv4Layer {
  src?: string;
  dst?: string;
  tos?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in 8-byte units. */
  fragOffset?: number;
  ttl?: number;
  protocol?: number;
  /** Options, padded with EOL to a multiple of 4 bytes. */
  options?: readonly Ipv4Option[];
  /** Overrides: IHL (32-bit words), total length, header checksum. */
  ihl?: number;
  totalLength?: number;
  checksum?: number;
}

/** A TLV option of a hop-by-hop or destination-options header; Pad1/PadN padding is added to a multiple of 8 bytes. */
export interface Ipv6TlvOption {
  type: number;
  data?: Uint8Array | readonly number[];
}

/** An IPv6 extension header (RFC 8200 section 4). */
export type Ipv6Ext =
  | { hopByHop: { options?: readonly Ipv6TlvOption[] } }
  | { destOpts: { options?: readonly Ipv6TlvOption[] } }
  /** Routing header: type 0-style layout (4 bytes after segments-left, then addresses); type 4 (SRH) writes last-entry. */
  | { routing: { routingType?: number; segmentsLeft?: number; addresses?: readonly string[] } }
  /** Fragment header; offset in 8-byte units. */
  | { fragment: { offset?: number; more?: boolean; id?: number } };

/** IPv6 header (RFC 8200). */
export interface Ipv6Layer {
  src?: string;
  dst?: string;
  trafficClass?: number;
  flowLabel?: number;
  hopLimit?: number;
  /** Next header after the fixed header and extensions; default from the next layer. */
  nextHeader?: number;
  ext?: readonly Ipv6Ext[];
  /** Override of the payload length (extensions included). */
  payloadLength?: number;
}

/** TCP flag names, lowest bit first: fin 0x01 ... cwr 0x80, ns 0x100. */
export const TCP_FLAGS = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10, urg: 0x20, ece: 0x40, cwr: 0x80, ns: 0x100 } as const;
export type TcpFlag = keyof typeof TCP_FLAGS;

/** A TCP option (RFC 9293, 7323, 2018). */
export type TcpOption =
  | 'eol'
  | 'nop'
  | 'sackPermitted'
  | { mss: number }
  | { wscale: number }
  | { sack: readonly (readonly [number, number])[] }
  | { timestamp: readonly [number, number] }
  | { kind: number; data?: Uint8Array | readonly number[] };

/** TCP header. */
export interface TcpLayer {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: readonly TcpFlag[] | number;
  window?: number;
  urgent?: number;
  /** Options, padded with EOL to a multiple of 4 bytes. */
  options?: readonly TcpOption[];
  /** Overrides: data offset (32-bit words), checksum. */
  dataOffset?: number;
  checksum?: number;
}

/** UDP header. */
export interface UdpLayer {
  sport?: number;
  /** Default 4789 before VXLAN, 6081 before GENEVE, 53 otherwise. */
  dport?: number;
  length?: number;
  /** Override; 0 means "no checksum" over IPv4. */
  checksum?: number;
}

/** ICMP or ICMPv6 message; default echo request (8 / 128) with identifier and sequence. */
export interface IcmpLayer {
  type?: number;
  code?: number;
  id?: number;
  seq?: number;
  checksum?: number;
}

/** GRE (RFC 2784, key and sequence of RFC 2890). */
export interface GreLayer {
  /** Protocol type; default from the next layer (0x0800, 0x86dd, 0x6558 for Ethernet). */
  protocol?: number;
  /** true: checksum present and computed; a number: present with that value. */
  checksum?: boolean | number;
  key?: number;
  seq?: number;
}

/** VXLAN (RFC 7348): I flag and a 24-bit VNI. */
export interface VxlanLayer {
  vni?: number;
  flags?: number;
}

/** A GENEVE option (RFC 8926); data length must be a multiple of 4. */
export interface GeneveOption {
  class: number;
  type: number;
  data?: Uint8Array | readonly number[];
}

/** GENEVE (RFC 8926). */
export interface GeneveLayer {
  vni?: number;
  /** O (control) and C (critical) bits. */
  oam?: boolean;
  critical?: boolean;
  /** Protocol type; default from the next layer. */
  protocol?: number;
  options?: readonly GeneveOption[];
}

/** One layer of {@link build}. */
export type Layer =
  | { eth: EthLayer }
  | { vlan: VlanLayer }
  | { arp: ArpLayer }
  | { ipv4: Ipv4Layer }
  | { ipv6: Ipv6Layer }
  | { tcp: TcpLayer }
  | { udp: UdpLayer }
  | { icmp: IcmpLayer }
  | { icmpv6: IcmpLayer }
  | { gre: GreLayer }
  | { vxlan: VxlanLayer }
  | { geneve: GeneveLayer }
  | { payload: Uint8Array | string };

/** Options of {@link build}. */
export interface BuildOptions {
  /** Zero-pad the result to at least this many bytes (60 is Ethernet's minimum without FCS); default 0. */
  minLength?: number;
}

/** A layer list {@link build} cannot turn into bytes. */
export class PacketBuildError extends BpfemuError<'PACKET_BUILD'> {
  readonly code = 'PACKET_BUILD' as const;
}

type Kind = 'eth' | 'vlan' | 'arp' | 'ipv4' | 'ipv6' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'gre' | 'vxlan' | 'geneve' | 'payload';

function kindOf(l: Layer): Kind {
  const keys = Object.keys(l);
  if (keys.length !== 1) throw new PacketBuildError(`a layer must have exactly one key, got ${keys.length === 0 ? 'none' : keys.join(', ')}`);
  return keys[0] as Kind;
}

/** Parse a MAC address. */
export function mac(m: Mac): Uint8Array {
  if (typeof m !== 'string') {
    if (m.length !== 6) throw new PacketBuildError(`a MAC address has 6 bytes, got ${m.length}`);
    return m;
  }
  const parts = m.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-f]{1,2}$/i.test(p))) throw new PacketBuildError(`bad MAC address '${m}'`);
  return new Uint8Array(parts.map((p) => parseInt(p, 16)));
}

const ETHERTYPE: Partial<Record<Kind, number>> = { ipv4: 0x0800, ipv6: 0x86dd, arp: 0x0806, vlan: 0x8100, eth: 0x6558 };
const IPPROTO: Partial<Record<Kind, number>> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, gre: 47, ipv4: 4, ipv6: 41 };

function u16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
function u32(b: Uint8Array, o: number, v: number): void {
  u16(b, o, v >>> 16);
  u16(b, o + 2, v & 0xffff);
}

function cat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function bytesOf(d: Uint8Array | readonly number[] | undefined): Uint8Array {
  return d === undefined ? new Uint8Array(0) : d instanceof Uint8Array ? d : new Uint8Array(d);
}

const U32 = 0xffffffff;

function range(what: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new PacketBuildError(`${what}: ${v} is not an integer in [0, ${max}]`);
  return v;
}

function addr4(what: string, s: string): Uint8Array {
  try {
    return ipv4(s);
  } catch {
    throw new PacketBuildError(`${what}: bad IPv4 address '${s}'`);
  }
}
function addr6(what: string, s: string): Uint8Array {
  try {
    return ipv6(s);
  } catch {
    throw new PacketBuildError(`${what}: bad IPv6 address '${s}'`);
  }
}

/** Pad `b` to a multiple of `n` with zero bytes. */
function padTo(b: Uint8Array, n: number): Uint8Array {
  const len = Math.ceil(b.length / n) * n;
  if (len === b.length) return b;
  const out = new Uint8Array(len);
  out.set(b);
  return out;
}

/** The L3 context an L4 checksum needs: the pseudo-header's sum without the L4 length. */
interface Pseudo {
  v6: boolean;
  src: Uint8Array;
  dst: Uint8Array;
}

function pseudoSum(p: Pseudo, proto: number, len: number): number {
  if (p.v6) {
    const h = new Uint8Array(40);
    h.set(p.src, 0);
    h.set(p.dst, 16);
    u32(h, 32, len);
    h[39] = proto;
    return onesSum(h);
  }
  const h = new Uint8Array(12);
  h.set(p.src, 0);
  h.set(p.dst, 4);
  h[9] = proto;
  u16(h, 10, len);
  return onesSum(h);
}

function ipv4Options(opts: readonly Ipv4Option[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const o of opts) {
    if (o === 'eol') parts.push(new Uint8Array([0]));
    else if (o === 'nop') parts.push(new Uint8Array([1]));
    else {
      const d = bytesOf(o.data);
      if (d.length + 2 > 40) throw new PacketBuildError(`ipv4 option ${o.type}: too long`);
      parts.push(cat([new Uint8Array([range('ipv4 option type', o.type, 255), d.length + 2]), d]));
    }
  }
  const b = padTo(cat(parts), 4);
  if (b.length > 40) throw new PacketBuildError(`ipv4 options: ${b.length} bytes, at most 40 fit`);
  return b;
}

function tcpOptions(opts: readonly TcpOption[]): Uint8Array {
  const parts: number[] = [];
  for (const o of opts) {
    if (o === 'eol') parts.push(0);
    else if (o === 'nop') parts.push(1);
    else if (o === 'sackPermitted') parts.push(4, 2);
    else if ('mss' in o) parts.push(2, 4, range('tcp mss', o.mss, 0xffff) >>> 8, o.mss & 0xff);
    else if ('wscale' in o) parts.push(3, 3, range('tcp wscale', o.wscale, 255));
    else if ('sack' in o) {
      parts.push(5, 2 + 8 * o.sack.length);
      for (const [l, r] of o.sack) for (const v of [range('tcp sack edge', l, U32), range('tcp sack edge', r, U32)]) parts.push(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    } else if ('timestamp' in o) {
      parts.push(8, 10);
      for (const v of o.timestamp.map((x) => range('tcp timestamp', x, U32))) parts.push(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    } else parts.push(range('tcp option kind', o.kind, 255), bytesOf(o.data).length + 2, ...bytesOf(o.data));
  }
  const b = padTo(new Uint8Array(parts), 4);
  if (b.length > 40) throw new PacketBuildError(`tcp options: ${b.length} bytes, at most 40 fit`);
  return b;
}

/** TLV options padded with Pad1 (one byte) or PadN to make the 2-byte header plus options a multiple of 8. */
function tlvOptions(opts: readonly Ipv6TlvOption[]): Uint8Array {
  const parts: number[] = [];
  for (const o of opts) {
    const d = bytesOf(o.data);
    parts.push(range('ipv6 option type', o.type, 255), range('ipv6 option length', d.length, 255), ...d);
  }
  const pad = (8 - ((2 + parts.length) % 8)) % 8;
  if (pad === 1) parts.push(0);
  else if (pad > 1) parts.push(1, pad - 2, ...new Array<number>(pad - 2).fill(0));
  return new Uint8Array(parts);
}

const EXT_PROTO = { hopByHop: 0, routing: 43, fragment: 44, destOpts: 60 } as const;

function extKind(e: Ipv6Ext): keyof typeof EXT_PROTO {
  const k = Object.keys(e);
  if (k.length !== 1 || !(k[0]! in EXT_PROTO)) throw new PacketBuildError(`ipv6 extension header: expected one of hopByHop, routing, fragment, destOpts, got ${k.join(', ')}`);
  return k[0] as keyof typeof EXT_PROTO;
}

/** Encode one extension header whose next header is `next`. */
function extHeader(e: Ipv6Ext, next: number): Uint8Array {
  if ('fragment' in e) {
    const h = new Uint8Array(8);
    h[0] = next;
    u16(h, 2, (range('ipv6 fragment offset', e.fragment.offset ?? 0, 0x1fff) << 3) | (e.fragment.more === true ? 1 : 0));
    u32(h, 4, range('ipv6 fragment id', e.fragment.id ?? 0, U32));
    return h;
  }
  if ('routing' in e) {
    const addrs = (e.routing.addresses ?? []).map((a) => addr6('ipv6 routing address', a));
    const rt = e.routing.routingType ?? 0;
    const h = new Uint8Array(8 + 16 * addrs.length);
    h[0] = next;
    h[1] = 2 * addrs.length;
    h[2] = range('ipv6 routing type', rt, 255);
    h[3] = range('ipv6 segments left', e.routing.segmentsLeft ?? addrs.length, 255);
    if (rt === 4) h[4] = Math.max(addrs.length - 1, 0); // SRH last entry
    addrs.forEach((a, i) => h.set(a, 8 + 16 * i));
    return h;
  }
  const opts = tlvOptions(('hopByHop' in e ? e.hopByHop : e.destOpts).options ?? []);
  const h = new Uint8Array(2 + opts.length);
  h[0] = next;
  h[1] = h.length / 8 - 1;
  h.set(opts, 2);
  return h;
}

/** The destination an upper-layer checksum uses (RFC 8200 8.1: the final one when a routing header is present). */
function finalDst(l: Ipv6Layer, dst: Uint8Array): Uint8Array {
  for (const e of l.ext ?? []) {
    if (!('routing' in e)) continue;
    const a = e.routing.addresses ?? [];
    const left = e.routing.segmentsLeft ?? a.length;
    if (a.length > 0 && left > 0) return addr6('ipv6 routing address', (e.routing.routingType ?? 0) === 4 ? a[0]! : a[a.length - 1]!);
  }
  return dst;
}

/**
 * Build a packet from its layers, outermost first. Unset fields get defaults (MACs
 * 02:00:00:00:00:01 -> :02, 10.0.0.1 -> 10.0.0.2, fd00::1 -> fd00::2, TTL 64, ports 12345 -> 80
 * for TCP and 53 for UDP); next-header fields, lengths and checksums are computed unless set.
 */
export function build(layers: readonly Layer[], options: BuildOptions = {}): Uint8Array {
  const kinds = layers.map(kindOf);
  // The enclosing IP header of each layer, for the pseudo-header of TCP/UDP/ICMPv6.
  const pseudo: (Pseudo | null)[] = [];
  let cur: Pseudo | null = null;
  layers.forEach((l, i) => {
    pseudo.push(cur);
    try {
      if ('ipv4' in l) cur = { v6: false, src: addr4('ipv4 src', l.ipv4.src ?? '10.0.0.1'), dst: addr4('ipv4 dst', l.ipv4.dst ?? '10.0.0.2') };
      else if ('ipv6' in l) {
        const dst = addr6('ipv6 dst', l.ipv6.dst ?? 'fd00::2');
        cur = { v6: true, src: addr6('ipv6 src', l.ipv6.src ?? 'fd00::1'), dst: finalDst(l.ipv6, dst) };
      }
    } catch (e) {
      throw e instanceof PacketBuildError ? e.wrap(`layer ${i} (${kinds[i]})`) : e;
    }
  });
  let inner: Uint8Array = new Uint8Array(0);
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    const next = kinds[i + 1];
    const where = `layer ${i} (${kinds[i]})`;
    try {
      inner = encode(l, layers[i + 1], next, kinds[i + 2], inner, pseudo[i] ?? null);
    } catch (e) {
      throw e instanceof PacketBuildError ? e.wrap(where) : e;
    }
  }
  const min = options.minLength ?? 0;
  if (inner.length >= min) return inner;
  const out = new Uint8Array(min);
  out.set(inner);
  return out;
}

function etherType(what: string, nextLayer: Layer | undefined, next: Kind | undefined, after: Kind | undefined): number {
  if (next === undefined || next === 'payload') return 0;
  if (nextLayer !== undefined && 'vlan' in nextLayer) return nextLayer.vlan.tpid ?? (after === 'vlan' ? 0x88a8 : 0x8100);
  const t = ETHERTYPE[next];
  if (t === undefined) throw new PacketBuildError(`${what}: no EtherType for a following ${next} layer; set it`);
  return t;
}

function ipProto(what: string, next: Kind | undefined): number {
  if (next === undefined || next === 'payload') return 59; // IPPROTO_NONE
  const p = IPPROTO[next];
  if (p === undefined) throw new PacketBuildError(`${what}: no protocol number for a following ${next} layer; set it`);
  return p;
}

function encode(l: Layer, nextLayer: Layer | undefined, next: Kind | undefined, after: Kind | undefined, inner: Uint8Array, ps: Pseudo | null): Uint8Array {
  if ('payload' in l) return cat([typeof l.payload === 'string' ? new TextEncoder().encode(l.payload) : l.payload, inner]);
  if ('eth' in l) {
    const h = new Uint8Array(14);
    h.set(mac(l.eth.dst ?? '02:00:00:00:00:02'), 0);
    h.set(mac(l.eth.src ?? '02:00:00:00:00:01'), 6);
    u16(h, 12, range('eth type', l.eth.type ?? etherType('eth', nextLayer, next, after), 0xffff));
    return cat([h, inner]);
  }
  if ('vlan' in l) {
    // (the tag's TPID sits in the previous header's EtherType field, written by that layer)
    const v = l.vlan;
    const h = new Uint8Array(4);
    u16(h, 0, (range('vlan pcp', v.pcp ?? 0, 7) << 13) | (range('vlan dei', v.dei ?? 0, 1) << 12) | range('vlan vid', v.vid ?? 0, 0xfff));
    u16(h, 2, range('vlan type', v.type ?? etherType('vlan', nextLayer, next, after), 0xffff));
    return cat([h, inner]);
  }
  if ('arp' in l) {
    const a = l.arp;
    const h = new Uint8Array(28);
    h.set([0, 1, 0x08, 0, 6, 4], 0);
    u16(h, 6, range('arp op', a.op ?? 1, 0xffff));
    h.set(mac(a.sha ?? '02:00:00:00:00:01'), 8);
    h.set(addr4('arp spa', a.spa ?? '10.0.0.1'), 14);
    h.set(mac(a.tha ?? '00:00:00:00:00:00'), 18);
    h.set(addr4('arp tpa', a.tpa ?? '10.0.0.2'), 24);
    return cat([h, inner]);
  }
  if ('ipv4' in l) {
    const v = l.ipv4;
    const opts = ipv4Options(v.options ?? []);
    const h = new Uint8Array(20 + opts.length);
    h[0] = 0x40 | range('ipv4 ihl', v.ihl ?? h.length / 4, 15);
    h[1] = range('ipv4 tos', v.tos ?? 0, 255);
    u16(h, 2, range('ipv4 totalLength', v.totalLength ?? h.length + inner.length, 0xffff));
    u16(h, 4, range('ipv4 id', v.id ?? 0, 0xffff));
    u16(h, 6, (v.df === true ? 0x4000 : 0) | (v.mf === true ? 0x2000 : 0) | range('ipv4 fragOffset', v.fragOffset ?? 0, 0x1fff));
    h[8] = range('ipv4 ttl', v.ttl ?? 64, 255);
    h[9] = range('ipv4 protocol', v.protocol ?? ipProto('ipv4', next), 255);
    h.set(addr4('ipv4 src', v.src ?? '10.0.0.1'), 12);
    h.set(addr4('ipv4 dst', v.dst ?? '10.0.0.2'), 16);
    h.set(opts, 20);
    u16(h, 10, range('ipv4 checksum', v.checksum ?? checksum(h), 0xffff));
    return cat([h, inner]);
  }
  if ('ipv6' in l) {
    const v = l.ipv6;
    const exts = v.ext ?? [];
    let nh = range('ipv6 nextHeader', v.nextHeader ?? ipProto('ipv6', next), 255);
    const encoded: Uint8Array[] = [];
    for (let j = exts.length - 1; j >= 0; j--) {
      encoded.unshift(extHeader(exts[j]!, nh));
      nh = EXT_PROTO[extKind(exts[j]!)];
    }
    const ext = cat(encoded);
    const h = new Uint8Array(40);
    u32(h, 0, (6 << 28) | (range('ipv6 trafficClass', v.trafficClass ?? 0, 255) << 20) | range('ipv6 flowLabel', v.flowLabel ?? 0, 0xfffff));
    u16(h, 4, range('ipv6 payloadLength', v.payloadLength ?? ext.length + inner.length, 0xffff));
    h[6] = nh;
    h[7] = range('ipv6 hopLimit', v.hopLimit ?? 64, 255);
    h.set(addr6('ipv6 src', v.src ?? 'fd00::1'), 8);
    h.set(addr6('ipv6 dst', v.dst ?? 'fd00::2'), 24);
    return cat([h, ext, inner]);
  }
  if ('tcp' in l) {
    const t = l.tcp;
    const opts = tcpOptions(t.options ?? []);
    const h = new Uint8Array(20 + opts.length);
    u16(h, 0, range('tcp sport', t.sport ?? 12345, 0xffff));
    u16(h, 2, range('tcp dport', t.dport ?? 80, 0xffff));
    u32(h, 4, range('tcp seq', t.seq ?? 0, U32));
    u32(h, 8, range('tcp ack', t.ack ?? 0, U32));
    const flags = typeof t.flags === 'number' ? t.flags : (t.flags ?? []).reduce((a, f) => a | TCP_FLAGS[f], 0);
    u16(h, 12, (range('tcp dataOffset', t.dataOffset ?? h.length / 4, 15) << 12) | range('tcp flags', flags, 0x1ff));
    u16(h, 14, range('tcp window', t.window ?? 65535, 0xffff));
    u16(h, 18, range('tcp urgent', t.urgent ?? 0, 0xffff));
    h.set(opts, 20);
    const seg = cat([h, inner]);
    u16(seg, 16, t.checksum !== undefined ? range('tcp checksum', t.checksum, 0xffff) : l4sum('tcp', seg, ps, 6));
    return seg;
  }
  if ('udp' in l) {
    const u = l.udp;
    const seg = cat([new Uint8Array(8), inner]);
    u16(seg, 0, range('udp sport', u.sport ?? 12345, 0xffff));
    u16(seg, 2, range('udp dport', u.dport ?? (next === 'vxlan' ? 4789 : next === 'geneve' ? 6081 : 53), 0xffff));
    u16(seg, 4, range('udp length', u.length ?? (seg.length > 0xffff ? 0 : seg.length), 0xffff));
    let c = u.checksum === undefined ? undefined : range('udp checksum', u.checksum, 0xffff);
    if (c === undefined) {
      c = l4sum('udp', seg, ps, 17);
      if (c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
    }
    u16(seg, 6, c);
    return seg;
  }
  if ('icmp' in l || 'icmpv6' in l) {
    const v6 = 'icmpv6' in l;
    const m = 'icmpv6' in l ? l.icmpv6 : l.icmp;
    const seg = cat([new Uint8Array(8), inner]);
    seg[0] = range('icmp type', m.type ?? (v6 ? 128 : 8), 255);
    seg[1] = range('icmp code', m.code ?? 0, 255);
    u16(seg, 4, range('icmp id', m.id ?? 0, 0xffff));
    u16(seg, 6, range('icmp seq', m.seq ?? 1, 0xffff));
    u16(seg, 2, m.checksum !== undefined ? range('icmp checksum', m.checksum, 0xffff) : v6 ? l4sum('icmpv6', seg, ps, 58) : checksum(seg));
    return seg;
  }
  if ('gre' in l) {
    const g = l.gre;
    const hasC = g.checksum !== undefined && g.checksum !== false;
    const len = 4 + (hasC ? 4 : 0) + (g.key !== undefined ? 4 : 0) + (g.seq !== undefined ? 4 : 0);
    const h = new Uint8Array(len);
    u16(h, 0, (hasC ? 0x8000 : 0) | (g.key !== undefined ? 0x2000 : 0) | (g.seq !== undefined ? 0x1000 : 0));
    u16(h, 2, range('gre protocol', g.protocol ?? etherType('gre', nextLayer, next, after), 0xffff));
    let o = hasC ? 8 : 4;
    if (g.key !== undefined) {
      u32(h, o, range('gre key', g.key, U32));
      o += 4;
    }
    if (g.seq !== undefined) u32(h, o, range('gre seq', g.seq, U32));
    const pkt = cat([h, inner]);
    if (hasC) u16(pkt, 4, typeof g.checksum === 'number' ? range('gre checksum', g.checksum, 0xffff) : checksum(pkt));
    return pkt;
  }
  if ('vxlan' in l) {
    const h = new Uint8Array(8);
    h[0] = range('vxlan flags', l.vxlan.flags ?? 0x08, 255);
    const vni = range('vxlan vni', l.vxlan.vni ?? 0, 0xffffff);
    h.set([vni >>> 16, (vni >>> 8) & 0xff, vni & 0xff], 4);
    return cat([h, inner]);
  }
  if ('geneve' in l) {
    const g = l.geneve;
    const parts: Uint8Array[] = [];
    for (const o of g.options ?? []) {
      const d = bytesOf(o.data);
      if (d.length % 4 !== 0 || d.length > 124) throw new PacketBuildError(`geneve option ${o.class}/${o.type}: data length ${d.length} is not a multiple of 4 up to 124`);
      const oh = new Uint8Array(4);
      u16(oh, 0, range('geneve option class', o.class, 0xffff));
      oh[2] = range('geneve option type', o.type, 255);
      oh[3] = d.length / 4;
      parts.push(oh, d);
    }
    const opts = cat(parts);
    if (opts.length > 252) throw new PacketBuildError(`geneve options: ${opts.length} bytes, at most 252 fit`);
    const h = new Uint8Array(8);
    h[0] = opts.length / 4; // version 0
    h[1] = (g.oam === true ? 0x80 : 0) | (g.critical === true ? 0x40 : 0);
    u16(h, 2, range('geneve protocol', g.protocol ?? etherType('geneve', nextLayer, next, after), 0xffff));
    const vni = range('geneve vni', g.vni ?? 0, 0xffffff);
    h.set([vni >>> 16, (vni >>> 8) & 0xff, vni & 0xff], 4);
    return cat([h, opts, inner]);
  }
  throw new PacketBuildError(`unknown layer '${Object.keys(l).join(',')}'`);
}

function l4sum(what: string, seg: Uint8Array, ps: Pseudo | null, proto: number): number {
  if (ps === null) throw new PacketBuildError(`${what}: no enclosing IP layer for the pseudo-header checksum; set checksum`);
  return checksum(seg, pseudoSum(ps, proto, seg.length));
}
