/**
 * Building test frames: Ethernet II with IPv4 (TCP, UDP, ICMP), IPv6 (TCP, UDP) or ARP, with valid
 * IPv4 header and L4 checksums, padded to a minimum length. Used by the demo, tests and benchmarks.
 */

/** Parse `a.b.c.d`. */
export function ipv4(text: string): Uint8Array {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new TypeError(`bad IPv4 address '${text}'`);
  return new Uint8Array(parts);
}

/** Parse a (fully or `::`-compressed) IPv6 address. */
export function ipv6(text: string): Uint8Array {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head === '' || head === undefined ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new TypeError(`bad IPv6 address '${text}'`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** The 16-bit one's-complement sum used by IP checksums (RFC 1071). */
export function onesSum(data: Uint8Array, init = 0): number {
  let s = init;
  for (let i = 0; i + 1 < data.length; i += 2) s += (data[i]! << 8) | data[i + 1]!;
  if (data.length % 2 === 1) s += data[data.length - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The checksum (complement of the sum). */
export function checksum(data: Uint8Array, init = 0): number {
  return ~onesSum(data, init) & 0xffff;
}

/** Options of a frame. */
export interface FrameOptions {
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  payload?: Uint8Array;
  /** Minimum frame length (zero padding); default 60, Ethernet's minimum without FCS. */
  minLength?: number;
  ttl?: number;
  /** Override the IPv4 IHL (for malformed-frame tests). */
  ihl?: number;
}

const MAC_DST = [0x02, 0, 0, 0, 0, 0x02];
const MAC_SRC = [0x02, 0, 0, 0, 0, 0x01];

function concat(parts: readonly (Uint8Array | number[])[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function pad(b: Uint8Array, min: number): Uint8Array {
  if (b.length >= min) return b;
  const out = new Uint8Array(min);
  out.set(b);
  return out;
}

function eth(type: number): number[] {
  return [...MAC_DST, ...MAC_SRC, type >> 8, type & 0xff];
}

function l4(proto: 'tcp' | 'udp' | 'icmp', o: FrameOptions): Uint8Array {
  const payload = o.payload ?? new Uint8Array(0);
  if (proto === 'icmp') {
    const h = new Uint8Array(8 + payload.length);
    h[0] = 8; // echo request
    h[6] = 0;
    h[7] = 1;
    h.set(payload, 8);
    const c = checksum(h);
    h[2] = c >> 8;
    h[3] = c & 0xff;
    return h;
  }
  const sp = o.srcPort ?? 12345;
  const dp = o.dstPort ?? 80;
  if (proto === 'udp') {
    const h = new Uint8Array(8 + payload.length);
    h.set([sp >> 8, sp & 0xff, dp >> 8, dp & 0xff, h.length >> 8, h.length & 0xff], 0);
    h.set(payload, 8);
    return h;
  }
  const h = new Uint8Array(20 + payload.length);
  h.set([sp >> 8, sp & 0xff, dp >> 8, dp & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff], 0);
  h.set(payload, 20);
  return h;
}

const PROTO: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1 };

/** An Ethernet + IPv4 frame. */
export function ipv4Frame(proto: 'tcp' | 'udp' | 'icmp', o: FrameOptions = {}): Uint8Array {
  const src = ipv4(o.src ?? '10.0.0.1');
  const dst = ipv4(o.dst ?? '10.0.0.2');
  const seg = l4(proto, o);
  const ip = new Uint8Array(20);
  ip[0] = 0x40 | (o.ihl ?? 5);
  const total = 20 + seg.length;
  ip[2] = total >> 8;
  ip[3] = total & 0xff;
  ip[6] = 0x40; // DF
  ip[8] = o.ttl ?? 64;
  ip[9] = PROTO[proto]!;
  ip.set(src, 12);
  ip.set(dst, 16);
  const c = checksum(ip);
  ip[10] = c >> 8;
  ip[11] = c & 0xff;
  if (proto !== 'icmp') {
    // Pseudo-header checksum for TCP/UDP.
    const pseudo = concat([src, dst, [0, PROTO[proto]!, seg.length >> 8, seg.length & 0xff]]);
    const sum = checksum(seg, onesSum(pseudo));
    const at = proto === 'tcp' ? 16 : 6;
    seg[at] = sum >> 8;
    seg[at + 1] = sum & 0xff;
  }
  return pad(concat([eth(0x0800), ip, seg]), o.minLength ?? 60);
}

/** An Ethernet + IPv6 frame (fixed header, no extension headers). */
export function ipv6Frame(proto: 'tcp' | 'udp', o: FrameOptions = {}): Uint8Array {
  const src = ipv6(o.src ?? 'fd00::1');
  const dst = ipv6(o.dst ?? 'fd00::2');
  const seg = l4(proto, o);
  const ip = new Uint8Array(40);
  ip[0] = 0x60;
  ip[4] = seg.length >> 8;
  ip[5] = seg.length & 0xff;
  ip[6] = PROTO[proto]!;
  ip[7] = o.ttl ?? 64;
  ip.set(src, 8);
  ip.set(dst, 24);
  const pseudo = concat([src, dst, [0, 0, seg.length >> 8, seg.length & 0xff, 0, 0, 0, PROTO[proto]!]]);
  const sum = checksum(seg, onesSum(pseudo));
  const at = proto === 'tcp' ? 16 : 6;
  seg[at] = sum >> 8;
  seg[at + 1] = sum & 0xff;
  return pad(concat([eth(0x86dd), ip, seg]), o.minLength ?? 60);
}

/** An Ethernet ARP request. */
export function arpFrame(o: { src?: string; dst?: string; minLength?: number } = {}): Uint8Array {
  const arp = concat([[0, 1, 0x08, 0, 6, 4, 0, 1], MAC_SRC, ipv4(o.src ?? '10.0.0.1'), [0, 0, 0, 0, 0, 0], ipv4(o.dst ?? '10.0.0.2')]);
  return pad(concat([[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...MAC_SRC, 0x08, 0x06], arp]), o.minLength ?? 60);
}
