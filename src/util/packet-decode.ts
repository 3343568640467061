/**
 * A packet decoder for tests and reports: Ethernet (with 802.1Q/802.1ad VLAN tags), ARP, IPv4 (with
 * options), IPv6 (with hop-by-hop, routing, fragment and destination-options headers), TCP (with
 * options), UDP, ICMP/ICMPv6, GRE, and the inner packets of IPIP/6in6/4in6/6in4, GRE, VXLAN (UDP
 * 4789) and GENEVE (UDP 6081, with options) into named fields, the rest (Ethernet padding included)
 * as payload. Each checksummed layer reports `checksumOk` (IPv4 header; TCP/UDP/ICMPv6 with the
 * pseudo-header of the enclosing IP header; ICMP; GRE with the C bit); it is absent when the
 * checksum cannot be checked (a fragment, no enclosing IP header, bytes missing). Truncated headers
 * end the decoding with a `truncated` layer. No Node-only APIs.
 */
/** One decoded header: its name and its fields in wire order. */
export interface PacketLayer {
  readonly name: string;
  readonly offset: number;
  readonly fields: Readonly<Record<string, number | string>>;
  /** Whether the layer's checksum verifies; absent when the layer has none or it cannot be checked. */
  readonly checksumOk?: boolean;
}

function mac(b: Uint8Array, o: number): string {
  return Array.from(b.subarray(o, o + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

function ip4(b: Uint8Array, o: number): string {
  return Array.from(b.subarray(o, o + 4)).join('.');
}

function ip6(b: Uint8Array, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[o + i]! << 8) | b[o + i + 1]!).toString(16));
  return parts.join(':');
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** RFC 1071 one's-complement sum of `b[from, to)` added to `init`. */
function sum16(b: Uint8Array, from: number, to: number, init: number): number {
  let s = init;
  for (let i = from; i + 1 < to; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if ((to - from) % 2 === 1) s += b[to - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The enclosing IP header of an upper layer: addresses for its pseudo-header, where the IP payload ends. */
interface IpCtx {
  v6: boolean;
  src: Uint8Array;
  dst: Uint8Array;
  end: number;
  /** A fragment, or bytes of the IP payload missing: the upper-layer checksum cannot be verified. */
  fragment: boolean;
}

function pseudo(ip: IpCtx, proto: number, len: number): number {
  let s = sum16(ip.src, 0, ip.src.length, 0);
  s = sum16(ip.dst, 0, ip.dst.length, s);
  s += proto + (len >>> 16) + (len & 0xffff);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** IPv4 options as `nop`, `eol` or `TYPE:HEX` (data without type and length), comma-separated. */
function ipv4Options(b: Uint8Array, from: number, to: number): string {
  const out: string[] = [];
  let i = from;
  while (i < to) {
    const t = b[i]!;
    if (t === 0 || t === 1) {
      out.push(t === 0 ? 'eol' : 'nop');
      i++;
      continue;
    }
    const len = b[i + 1];
    if (len === undefined || len < 2 || i + len > to) {
      out.push(`${t}:bad-length`);
      break;
    }
    out.push(`${t}:${hex(b.subarray(i + 2, i + len))}`);
    i += len;
  }
  return out.join(',');
}

function be32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** TCP options as `mss=N`, `wscale=N`, `sackPermitted`, `sack=L-R L-R`, `timestamp=VAL/ECR`, `nop`, `eol` or `kindN:HEX`. */
function tcpOptions(b: Uint8Array, from: number, to: number): string {
  const out: string[] = [];
  let i = from;
  while (i < to) {
    const k = b[i]!;
    if (k === 0 || k === 1) {
      out.push(k === 0 ? 'eol' : 'nop');
      i++;
      continue;
    }
    const len = b[i + 1];
    if (len === undefined || len < 2 || i + len > to) {
      out.push(`kind${k}:bad-length`);
      break;
    }
    if (k === 2 && len === 4) out.push(`mss=${(b[i + 2]! << 8) | b[i + 3]!}`);
    else if (k === 3 && len === 3) out.push(`wscale=${b[i + 2]!}`);
    else if (k === 4 && len === 2) out.push('sackPermitted');
    else if (k === 5 && (len - 2) % 8 === 0) {
      const blocks: string[] = [];
      for (let j = i + 2; j < i + len; j += 8) blocks.push(`${be32(b, j)}-${be32(b, j + 4)}`);
      out.push(`sack=${blocks.join(' ')}`);
    } else if (k === 8 && len === 10) out.push(`timestamp=${be32(b, i + 2)}/${be32(b, i + 6)}`);
    else out.push(`kind${k}:${hex(b.subarray(i + 2, i + len))}`);
    i += len;
  }
  return out.join(',');
}

/** Hop-by-hop / destination options without Pad1 and PadN, as `TYPE:HEX`, comma-separated. */
function tlvOptions(b: Uint8Array, from: number, to: number): string {
  const out: string[] = [];
  let i = from;
  while (i < to) {
    const t = b[i]!;
    if (t === 0) {
      i++;
      continue;
    }
    const len = b[i + 1];
    if (len === undefined || i + 2 + len > to) {
      out.push(`${t}:bad-length`);
      break;
    }
    if (t !== 1) out.push(`${t}:${hex(b.subarray(i + 2, i + 2 + len))}`);
    i += 2 + len;
  }
  return out.join(',');
}

type Next = 'eth' | 'vlan' | 'arp' | 'ipv4' | 'ipv6' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'gre' | 'vxlan' | 'geneve' | 'ext' | null;

function byEtherType(t: number): Next {
  return t === 0x0800 ? 'ipv4' : t === 0x86dd ? 'ipv6' : t === 0x0806 ? 'arp' : t === 0x6558 ? 'eth' : t === 0x8100 || t === 0x88a8 ? 'vlan' : null;
}

function byProto(p: number): Next {
  return p === 6 ? 'tcp' : p === 17 ? 'udp' : p === 1 ? 'icmp' : p === 58 ? 'icmpv6' : p === 47 ? 'gre' : p === 4 ? 'ipv4' : p === 41 ? 'ipv6' : p === 0 || p === 43 || p === 44 || p === 60 ? 'ext' : null;
}

/** Nested headers decoded at most (encapsulation depth bound). */
const MAX_LAYERS = 64;

/** Decode `b` from its Ethernet header on. */
export function decodePacket(b: Uint8Array): PacketLayer[] {
  const out: PacketLayer[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const need = (o: number, n: number, name: string): boolean => {
    if (o + n <= b.length) return true;
    out.push({ name: 'truncated', offset: o, fields: { expected: name, bytes: b.length - o } });
    return false;
  };
  const push = (name: string, offset: number, fields: Record<string, number | string>, ok?: boolean): void => {
    out.push(ok === undefined ? { name, offset, fields } : { name, offset, fields, checksumOk: ok });
  };
  let o = 0;
  let next: Next = 'eth';
  let ip: IpCtx | null = null;
  /** The protocol number an IPv6 extension header chain is at. */
  let extProto = 0;
  let prevType = 0;
  while (next !== null && out.length < MAX_LAYERS) {
    const at = o;
    switch (next) {
      case 'eth': {
        if (!need(o, 14, 'eth')) return out;
        prevType = dv.getUint16(o + 12);
        push('eth', o, { dst: mac(b, o), src: mac(b, o + 6), type: prevType });
        o += 14;
        next = byEtherType(prevType);
        break;
      }
      case 'vlan': {
        if (!need(o, 4, 'vlan')) return out;
        const tci = dv.getUint16(o);
        const type = dv.getUint16(o + 2);
        push('vlan', o, { tpid: prevType, pcp: tci >> 13, dei: (tci >> 12) & 1, vid: tci & 0xfff, type });
        prevType = type;
        o += 4;
        next = byEtherType(type);
        break;
      }
      case 'arp': {
        if (!need(o, 28, 'arp')) return out;
        push('arp', o, { htype: dv.getUint16(o), ptype: dv.getUint16(o + 2), op: dv.getUint16(o + 6), sha: mac(b, o + 8), spa: ip4(b, o + 14), tha: mac(b, o + 18), tpa: ip4(b, o + 24) });
        o += 28;
        next = null;
        break;
      }
      case 'ipv4': {
        if (!need(o, 20, 'ipv4')) return out;
        const ihl = (b[o]! & 0xf) * 4;
        const proto = b[o + 9]!;
        const totLen = dv.getUint16(o + 2);
        const fragOff = dv.getUint16(o + 6);
        const fields: Record<string, number | string> = { version: b[o]! >> 4, ihl: ihl / 4, tos: b[o + 1]!, totLen, id: dv.getUint16(o + 4), fragOff, ttl: b[o + 8]!, protocol: proto, check: dv.getUint16(o + 10), saddr: ip4(b, o + 12), daddr: ip4(b, o + 16) };
        const hdrEnd = Math.min(o + Math.max(ihl, 20), b.length);
        if (ihl > 20) fields.options = ipv4Options(b, o + 20, hdrEnd);
        const ok = ihl >= 20 && o + ihl <= b.length ? sum16(b, o, o + ihl, 0) === 0xffff : undefined;
        push('ipv4', o, fields, ok);
        const end = Math.min(b.length, totLen >= ihl ? o + totLen : b.length);
        ip = { v6: false, src: b.slice(o + 12, o + 16), dst: b.slice(o + 16, o + 20), end, fragment: (fragOff & 0x3fff) !== 0 || o + totLen > b.length };
        o = hdrEnd;
        // a later fragment carries no upper-layer header
        next = (fragOff & 0x1fff) !== 0 ? null : byProto(proto);
        if (next === 'ext') next = null;
        break;
      }
      case 'ipv6': {
        if (!need(o, 40, 'ipv6')) return out;
        extProto = b[o + 6]!;
        const w = dv.getUint32(o);
        const payloadLen = dv.getUint16(o + 4);
        push('ipv6', o, { version: w >>> 28, trafficClass: (w >>> 20) & 0xff, flowLabel: w & 0xfffff, payloadLen, nextHeader: extProto, hopLimit: b[o + 7]!, saddr: ip6(b, o + 8), daddr: ip6(b, o + 24) });
        ip = { v6: true, src: b.slice(o + 8, o + 24), dst: b.slice(o + 24, o + 40), end: Math.min(b.length, o + 40 + payloadLen), fragment: o + 40 + payloadLen > b.length };
        o += 40;
        next = byProto(extProto);
        break;
      }
      case 'ext': {
        if (!need(o, 8, 'ipv6 extension header')) return out;
        const nh = b[o]!;
        if (extProto === 44) {
          const f = dv.getUint16(o + 2);
          push('fragment', o, { nextHeader: nh, offset: f >> 3, more: f & 1, id: dv.getUint32(o + 4) });
          if (ip !== null) ip.fragment = true;
          o += 8;
          next = f >> 3 !== 0 ? null : byProto(nh);
        } else {
          const len = (b[o + 1]! + 1) * 8;
          if (!need(o, len, 'ipv6 extension header')) return out;
          if (extProto === 43) {
            const addrs: string[] = [];
            const type = b[o + 2]!;
            const left = b[o + 3]!;
            for (let j = o + 8; j + 16 <= o + len; j += 16) addrs.push(ip6(b, j));
            push('routing', o, { nextHeader: nh, len: b[o + 1]!, routingType: type, segmentsLeft: left, addresses: addrs.join(',') });
            // RFC 8200 8.1: the upper-layer checksum uses the final destination
            if (ip !== null && left > 0 && addrs.length > 0) {
              const j = type === 4 ? o + 8 : o + len - 16;
              ip.dst = b.slice(j, j + 16);
            }
          } else push(extProto === 0 ? 'hopByHop' : 'destOpts', o, { nextHeader: nh, len: b[o + 1]!, options: tlvOptions(b, o + 2, o + len) });
          o += len;
          next = byProto(nh);
        }
        extProto = nh;
        break;
      }
      case 'tcp': {
        if (!need(o, 20, 'tcp')) return out;
        const doff = (b[o + 12]! >> 4) * 4;
        const fields: Record<string, number | string> = { source: dv.getUint16(o), dest: dv.getUint16(o + 2), seq: dv.getUint32(o + 4), ackSeq: dv.getUint32(o + 8), doff: doff / 4, flags: dv.getUint16(o + 12) & 0x1ff, window: dv.getUint16(o + 14), check: dv.getUint16(o + 16), urgPtr: dv.getUint16(o + 18) };
        const hdrEnd = Math.min(o + Math.max(doff, 20), b.length);
        if (doff > 20) fields.options = tcpOptions(b, o + 20, hdrEnd);
        push('tcp', o, fields, l4ok(ip, o, 6));
        o = hdrEnd;
        next = null;
        break;
      }
      case 'udp': {
        if (!need(o, 8, 'udp')) return out;
        const dest = dv.getUint16(o + 2);
        const len = dv.getUint16(o + 4);
        const check = dv.getUint16(o + 6);
        let ok: boolean | undefined;
        if (ip !== null && !ip.fragment && len >= 8 && o + len <= b.length) ok = check === 0 && !ip.v6 ? true : sum16(b, o, o + len, pseudo(ip, 17, len)) === 0xffff;
        push('udp', o, { source: dv.getUint16(o), dest, len, check }, ok);
        o += 8;
        next = dest === 4789 ? 'vxlan' : dest === 6081 ? 'geneve' : null;
        break;
      }
      case 'icmp':
      case 'icmpv6': {
        const name = next;
        if (!need(o, 4, name)) return out;
        let ok: boolean | undefined;
        if (ip !== null && !ip.fragment) ok = name === 'icmp' ? sum16(b, o, ip.end, 0) === 0xffff : l4ok(ip, o, 58);
        const fields: Record<string, number | string> = { type: b[o]!, code: b[o + 1]!, check: dv.getUint16(o + 2) };
        const echo = name === 'icmp' ? b[o] === 0 || b[o] === 8 : b[o] === 128 || b[o] === 129;
        if (echo && o + 8 <= b.length) {
          fields.id = dv.getUint16(o + 4);
          fields.seq = dv.getUint16(o + 6);
        }
        push(name, o, fields, ok);
        o = Math.min(o + (name === 'icmp' || echo ? 8 : 4), b.length);
        next = null;
        break;
      }
      case 'gre': {
        if (!need(o, 4, 'gre')) return out;
        const f = dv.getUint16(o);
        const c = (f & 0x8000) !== 0;
        const k = (f & 0x2000) !== 0;
        const sq = (f & 0x1000) !== 0;
        const len = 4 + (c ? 4 : 0) + (k ? 4 : 0) + (sq ? 4 : 0);
        if (!need(o, len, 'gre')) return out;
        const protocol = dv.getUint16(o + 2);
        const fields: Record<string, number | string> = { flags: f, protocol };
        let p = o + 4;
        if (c) {
          fields.check = dv.getUint16(p);
          p += 4;
        }
        if (k) {
          fields.key = dv.getUint32(p);
          p += 4;
        }
        if (sq) fields.seq = dv.getUint32(p);
        push('gre', o, fields, c && ip !== null && !ip.fragment ? sum16(b, o, ip.end, 0) === 0xffff : undefined);
        o += len;
        prevType = protocol;
        next = byEtherType(protocol);
        break;
      }
      case 'vxlan': {
        if (!need(o, 8, 'vxlan')) return out;
        push('vxlan', o, { flags: b[o]!, vni: (b[o + 4]! << 16) | (b[o + 5]! << 8) | b[o + 6]! });
        o += 8;
        next = 'eth';
        break;
      }
      case 'geneve': {
        if (!need(o, 8, 'geneve')) return out;
        const optLen = (b[o]! & 0x3f) * 4;
        if (!need(o, 8 + optLen, 'geneve')) return out;
        const protocol = dv.getUint16(o + 2);
        const opts: string[] = [];
        for (let j = o + 8; j + 4 <= o + 8 + optLen; ) {
          const dlen = (b[j + 3]! & 0x1f) * 4;
          opts.push(`${dv.getUint16(j).toString(16).padStart(4, '0')}/${b[j + 2]!}:${hex(b.subarray(j + 4, Math.min(j + 4 + dlen, o + 8 + optLen)))}`);
          j += 4 + dlen;
        }
        push('geneve', o, { version: b[o]! >> 6, optLen: optLen / 4, oam: b[o + 1]! >> 7, critical: (b[o + 1]! >> 6) & 1, protocol, vni: (b[o + 4]! << 16) | (b[o + 5]! << 8) | b[o + 6]!, options: opts.join(',') });
        o += 8 + optLen;
        prevType = protocol;
        next = byEtherType(protocol);
        break;
      }
    }
    if (o <= at && next !== null) break; // no progress: never loop
  }

  function l4ok(ctx: IpCtx | null, from: number, proto: number): boolean | undefined {
    if (ctx === null || ctx.fragment || ctx.end < from) return undefined;
    return sum16(b, from, ctx.end, pseudo(ctx, proto, ctx.end - from)) === 0xffff;
  }

  if (o < b.length) {
    out.push({ name: 'payload', offset: o, fields: { bytes: b.length - o, hex: Array.from(b.subarray(o, o + 64), (x) => x.toString(16).padStart(2, '0')).join('') + (b.length - o > 64 ? '…' : '') } });
  }
  return out;
}

/**
 * The differences between two packets, layer by layer and field by field (`ipv4.ttl: 63, expected
 * 64`; a repeated header of a tunnel is `ipv4[1]`), then any byte difference the fields do not show;
 * empty when the bytes are equal.
 */
export function diffPackets(actual: Uint8Array, expected: Uint8Array): string[] {
  const a = decodePacket(actual);
  const e = decodePacket(expected);
  const out: string[] = [];
  const n = Math.max(a.length, e.length);
  // an inner header of a tunnel is named with its occurrence: ipv4, then ipv4[1]
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const la = a[i];
    const le = e[i];
    if (la === undefined || le === undefined || la.name !== le.name) {
      out.push(`layer ${i}: ${la?.name ?? '(none)'}, expected ${le?.name ?? '(none)'}`);
      continue;
    }
    const nth = seen.get(la.name) ?? 0;
    seen.set(la.name, nth + 1);
    const label = nth === 0 ? la.name : `${la.name}[${nth}]`;
    for (const k of new Set([...Object.keys(le.fields), ...Object.keys(la.fields)])) {
      if (la.fields[k] !== le.fields[k]) out.push(`${label}.${k}: ${show(la.fields[k])}, expected ${show(le.fields[k])}`);
    }
  }
  if (out.length === 0 && (actual.length !== expected.length || actual.some((x, i) => x !== expected[i]))) {
    const i = actual.findIndex((x, j) => x !== expected[j]);
    out.push(actual.length !== expected.length ? `length ${actual.length}, expected ${expected.length}` : `byte ${i}: 0x${actual[i]!.toString(16)}, expected 0x${expected[i]!.toString(16)}`);
  }
  return out;
}

function show(v: number | string | undefined): string {
  return v === undefined ? '(absent)' : typeof v === 'number' ? `${v} (0x${v.toString(16)})` : v;
}
