/**
 * A packet decoder for tests and reports: Ethernet (with 802.1Q/802.1ad VLAN tags), ARP, IPv4
 * (options skipped by IHL), IPv6 (fixed header), TCP, UDP and ICMP/ICMPv6 headers into named
 * fields, the rest as payload. Truncated headers end the decoding with a `truncated` layer. No
 * Node-only APIs.
 */

/** One decoded header: its name and its fields in wire order. */
export interface PacketLayer {
  readonly name: string;
  readonly offset: number;
  readonly fields: Readonly<Record<string, number | string>>;
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

/** Decode `b` from its Ethernet header on. */
export function decodePacket(b: Uint8Array): PacketLayer[] {
  const out: PacketLayer[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const need = (o: number, n: number, name: string): boolean => {
    if (o + n <= b.length) return true;
    out.push({ name: 'truncated', offset: o, fields: { expected: name, bytes: b.length - o } });
    return false;
  };
  let o = 0;
  if (!need(o, 14, 'eth')) return out;
  let type = dv.getUint16(12);
  out.push({ name: 'eth', offset: 0, fields: { dst: mac(b, 0), src: mac(b, 6), type } });
  o = 14;
  while (type === 0x8100 || type === 0x88a8) {
    if (!need(o, 4, 'vlan')) return out;
    const tci = dv.getUint16(o);
    type = dv.getUint16(o + 2);
    out.push({ name: 'vlan', offset: o, fields: { tpid: dv.getUint16(o - 2), pcp: tci >> 13, dei: (tci >> 12) & 1, vid: tci & 0xfff, type } });
    o += 4;
  }
  let proto = -1;
  if (type === 0x0806) {
    if (!need(o, 28, 'arp')) return out;
    out.push({ name: 'arp', offset: o, fields: { htype: dv.getUint16(o), ptype: dv.getUint16(o + 2), op: dv.getUint16(o + 6), sha: mac(b, o + 8), spa: ip4(b, o + 14), tha: mac(b, o + 18), tpa: ip4(b, o + 24) } });
    o += 28;
  } else if (type === 0x0800) {
    if (!need(o, 20, 'ipv4')) return out;
    const ihl = (b[o]! & 0xf) * 4;
    proto = b[o + 9]!;
    out.push({
      name: 'ipv4',
      offset: o,
      fields: { version: b[o]! >> 4, ihl: ihl / 4, tos: b[o + 1]!, totLen: dv.getUint16(o + 2), id: dv.getUint16(o + 4), fragOff: dv.getUint16(o + 6), ttl: b[o + 8]!, protocol: proto, check: dv.getUint16(o + 10), saddr: ip4(b, o + 12), daddr: ip4(b, o + 16) },
    });
    o += Math.max(ihl, 20);
  } else if (type === 0x86dd) {
    if (!need(o, 40, 'ipv6')) return out;
    proto = b[o + 6]!;
    const w = dv.getUint32(o);
    out.push({ name: 'ipv6', offset: o, fields: { version: w >>> 28, trafficClass: (w >>> 20) & 0xff, flowLabel: w & 0xfffff, payloadLen: dv.getUint16(o + 4), nextHeader: proto, hopLimit: b[o + 7]!, saddr: ip6(b, o + 8), daddr: ip6(b, o + 24) } });
    o += 40;
  }
  if (proto === 6) {
    if (!need(o, 20, 'tcp')) return out;
    const doff = (b[o + 12]! >> 4) * 4;
    out.push({ name: 'tcp', offset: o, fields: { source: dv.getUint16(o), dest: dv.getUint16(o + 2), seq: dv.getUint32(o + 4), ackSeq: dv.getUint32(o + 8), doff: doff / 4, flags: dv.getUint16(o + 12) & 0x1ff, window: dv.getUint16(o + 14), check: dv.getUint16(o + 16), urgPtr: dv.getUint16(o + 18) } });
    o += Math.max(doff, 20);
  } else if (proto === 17) {
    if (!need(o, 8, 'udp')) return out;
    out.push({ name: 'udp', offset: o, fields: { source: dv.getUint16(o), dest: dv.getUint16(o + 2), len: dv.getUint16(o + 4), check: dv.getUint16(o + 6) } });
    o += 8;
  } else if (proto === 1 || proto === 58) {
    if (!need(o, 4, proto === 1 ? 'icmp' : 'icmpv6')) return out;
    out.push({ name: proto === 1 ? 'icmp' : 'icmpv6', offset: o, fields: { type: b[o]!, code: b[o + 1]!, check: dv.getUint16(o + 2) } });
    o += proto === 1 ? 8 : 4;
    o = Math.min(o, b.length);
  }
  if (o < b.length) {
    out.push({ name: 'payload', offset: o, fields: { bytes: b.length - o, hex: Array.from(b.subarray(o, o + 64), (x) => x.toString(16).padStart(2, '0')).join('') + (b.length - o > 64 ? '…' : '') } });
  }
  return out;
}

/**
 * The differences between two packets, layer by layer and field by field (`ipv4.ttl: 63, expected
 * 64`), then any byte difference the fields do not show; empty when the bytes are equal.
 */
export function diffPackets(actual: Uint8Array, expected: Uint8Array): string[] {
  const a = decodePacket(actual);
  const e = decodePacket(expected);
  const out: string[] = [];
  const n = Math.max(a.length, e.length);
  for (let i = 0; i < n; i++) {
    const la = a[i];
    const le = e[i];
    if (la === undefined || le === undefined || la.name !== le.name) {
      out.push(`layer ${i}: ${la?.name ?? '(none)'}, expected ${le?.name ?? '(none)'}`);
      continue;
    }
    for (const k of new Set([...Object.keys(le.fields), ...Object.keys(la.fields)])) {
      if (la.fields[k] !== le.fields[k]) out.push(`${la.name}.${k}: ${show(la.fields[k])}, expected ${show(le.fields[k])}`);
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
