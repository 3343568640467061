/**
 * The layered packet builder (src/util/packet-build.ts) and the decoder's layers beyond the basic
 * ones (src/util/packet-decode.ts: options, IPv6 extension headers, tunnels, checksumOk). Expected
 * bytes are written by hand from the RFCs' header diagrams (791, 8200, 9293/7323/2018, 768, 2784/
 * 2890, 7348, 8926, 826); checksums are checked with the one's-complement sum below, written here
 * independently of src/util/packets.ts. fixtures/scapy-packets.json holds packets built by scapy
 * (make-scapy-goldens.py), an independent implementation, next to the layer lists that must give the
 * same bytes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { build, PacketBuildError, type Layer } from '../../src/util/packet-build.js';
import { decodePacket, diffPackets } from '../../src/util/packet-decode.js';

/** RFC 1071: the 16-bit one's-complement sum of big-endian words (odd byte padded with zero). */
function refSum(...parts: (Uint8Array | number[])[]): number {
  const bytes = parts.flatMap((p) => Array.from(p));
  if (bytes.length % 2 === 1) bytes.push(0);
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    s += bytes[i]! * 256 + bytes[i + 1]!;
    s = (s % 0x10000) + Math.floor(s / 0x10000);
  }
  return s;
}

/** A region whose checksum field is right sums to 0xffff. */
function sumsToOnes(...parts: (Uint8Array | number[])[]): boolean {
  return refSum(...parts) === 0xffff;
}

const be16 = (b: Uint8Array, o: number): number => b[o]! * 256 + b[o + 1]!;
const A1 = [10, 0, 0, 1];
const A2 = [10, 0, 0, 2];
const MACS = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
/** fd00::N as bytes. */
const v6 = (n: number): number[] => [0xfd, 0, ...new Array<number>(13).fill(0), n];

/** The expected diff text of the outer UDP checksum of two packets. */
function diffCheck(a: Uint8Array, e: Uint8Array): string {
  const c = (b: Uint8Array): string => `${be16(b, 40)} (0x${be16(b, 40).toString(16)})`;
  return `${c(a)}, expected ${c(e)}`;
}

function zeroed(b: Uint8Array, ...at: number[]): number[] {
  const c = Array.from(b);
  for (const o of at) c[o] = c[o + 1] = 0;
  return c;
}

describe('build: byte layouts from the RFCs', () => {
  it('Ethernet + 802.1Q + IPv4 with options (IHL 7) + UDP: fields, lengths and checksums', () => {
    const b = build([{ eth: {} }, { vlan: { vid: 10, pcp: 3 } }, { ipv4: { options: ['nop', { type: 148, data: [0, 0] }] } }, { udp: { sport: 1000, dport: 2000 } }, { payload: 'ab' }]);
    // prettier-ignore
    const expected = [
      ...MACS, 0x81, 0x00,                              // eth, TPID 802.1Q
      0x60, 0x0a, 0x08, 0x00,                           // TCI pcp 3 vid 10, EtherType IPv4
      0x47, 0, 0, 38, 0, 0, 0, 0, 64, 17, 0, 0, ...A1, ...A2, // IHL 7, total 28+8+2, ttl 64, UDP
      0x01, 0x94, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,   // NOP, router alert (148, len 4), EOL padding
      0x03, 0xe8, 0x07, 0xd0, 0, 10, 0, 0, 0x61, 0x62,   // UDP 1000 -> 2000 len 10, "ab"
    ];
    expect(zeroed(b, 18 + 10, 46 + 6)).toEqual(expected);
    expect(sumsToOnes(b.subarray(18, 46))).toBe(true); // IPv4 header checksum
    expect(sumsToOnes(A1, A2, [0, 17, 0, 10], b.subarray(46))).toBe(true); // UDP with pseudo-header
    expect(be16(b, 46 + 6)).not.toBe(0);
  });

  it('QinQ: the outer tag is 802.1ad (0x88a8), the inner 802.1Q; tpid and type can be set', () => {
    const b = build([{ eth: {} }, { vlan: { vid: 100 } }, { vlan: { vid: 200, dei: 1 } }, { payload: new Uint8Array([1, 2]) }]);
    expect(Array.from(b)).toEqual([...MACS, 0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x10, 0xc8, 0, 0, 1, 2]);
    const c = build([{ eth: {} }, { vlan: { vid: 1, tpid: 0x9100, type: 0x1234 } }]);
    expect(Array.from(c.subarray(12))).toEqual([0x91, 0x00, 0x00, 0x01, 0x12, 0x34]);
  });

  it('TCP SYN with the Linux option layout (MSS, SACK-permitted, timestamps, NOP, window scale): data offset 10', () => {
    const b = build([{ eth: {} }, { ipv4: {} }, { tcp: { sport: 40000, dport: 80, seq: 0x01020304, flags: ['syn'], window: 64240, options: [{ mss: 1460 }, 'sackPermitted', { timestamp: [1, 0] }, 'nop', { wscale: 7 }] } }]);
    const t = b.subarray(34);
    // prettier-ignore
    expect(zeroed(t, 16)).toEqual([
      0x9c, 0x40, 0x00, 0x50, 1, 2, 3, 4, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
      0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07,
    ]);
    expect(be16(b, 16)).toBe(60); // IPv4 total length
    expect(sumsToOnes(A1, A2, [0, 6, 0, 40], t)).toBe(true);
    // options not filling a word are padded with EOL; flags as a number; SACK blocks
    const p = build([{ ipv4: {} }, { tcp: { flags: 0x1ff, options: [{ mss: 536 }, { wscale: 2 }] } }]).subarray(20);
    expect(p[12]).toBe(0x71); // data offset 7, NS bit
    expect(p[13]).toBe(0xff);
    expect(Array.from(p.subarray(20))).toEqual([2, 4, 2, 0x18, 3, 3, 2, 0]);
    const s = build([{ ipv4: {} }, { tcp: { options: ['nop', 'nop', { sack: [[1, 2]] }] } }]).subarray(40);
    expect(Array.from(s)).toEqual([1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2]);
  });

  it('IPv6 extension headers chain their next-header fields; the UDP checksum uses the routing header final destination', () => {
    const b = build([
      { eth: {} },
      { ipv6: { hopLimit: 9, ext: [{ hopByHop: { options: [{ type: 5, data: [0, 0] }] } }, { routing: { addresses: ['fd00::99'], segmentsLeft: 1 } }, { fragment: { id: 0x12345678 } }, { destOpts: {} }] } },
      { udp: { sport: 1, dport: 2 } },
      { payload: 'x' },
    ]);
    const ip = b.subarray(14);
    expect(ip[0]! >> 4).toBe(6);
    expect(be16(ip, 4)).toBe(8 + 24 + 8 + 8 + 9); // payload length: extensions + UDP
    expect(ip[6]).toBe(0); // hop-by-hop first
    expect(ip[7]).toBe(9);
    const ext = Array.from(ip.subarray(40, 40 + 48));
    // prettier-ignore
    expect(ext).toEqual([
      43, 0, 5, 2, 0, 0, 1, 0,                          // HBH -> routing: router alert + PadN(0)
      44, 2, 0, 1, 0, 0, 0, 0, ...v6(0x99),             // routing type 0, 1 segment left -> fragment
      60, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,              // fragment offset 0 -> destination options
      17, 0, 1, 4, 0, 0, 0, 0,                          // destination options: PadN(4) -> UDP
    ]);
    const udp = ip.subarray(88);
    expect(sumsToOnes(v6(1), v6(0x99), [0, 0, 0, 9, 0, 0, 0, 17], udp)).toBe(true);
    expect(sumsToOnes(v6(1), v6(2), [0, 0, 0, 9, 0, 0, 0, 17], udp)).toBe(false);
    const d = decodePacket(b);
    expect(d.map((l) => l.name)).toEqual(['eth', 'ipv6', 'hopByHop', 'routing', 'fragment', 'destOpts', 'udp', 'payload']);
    expect(d[2]!.fields).toEqual({ nextHeader: 43, len: 0, options: '5:0000' });
    expect(d[3]!.fields).toEqual({ nextHeader: 44, len: 2, routingType: 0, segmentsLeft: 1, addresses: 'fd00:0:0:0:0:0:0:99' });
    expect(d[4]!.fields).toEqual({ nextHeader: 60, offset: 0, more: 0, id: 0x12345678 });
    expect(d[6]!.checksumOk).toBeUndefined(); // behind a fragment header: not checked
  });

  it('ICMP and ICMPv6 echo requests', () => {
    const b = build([{ ipv6: {} }, { icmpv6: { id: 7, seq: 3 } }, { payload: 'hi' }]);
    const m = b.subarray(40);
    expect(zeroed(m, 2)).toEqual([128, 0, 0, 0, 0, 7, 0, 3, 0x68, 0x69]);
    expect(sumsToOnes(v6(1), v6(2), [0, 0, 0, 10, 0, 0, 0, 58], m)).toBe(true);
    const c = build([{ ipv4: {} }, { icmp: { type: 0, id: 1, seq: 2 } }]).subarray(20);
    expect(zeroed(c, 2)).toEqual([0, 0, 0, 0, 0, 1, 0, 2]);
    expect(sumsToOnes(c)).toBe(true);
  });

  it('ARP reply (RFC 826)', () => {
    const b = build([{ eth: { dst: 'ff:ff:ff:ff:ff:ff' } }, { arp: { op: 2, sha: '02:aa:bb:cc:dd:ee', spa: '192.168.0.1', tha: '02:00:00:00:00:09', tpa: '192.168.0.9' } }]);
    // prettier-ignore
    expect(Array.from(b.subarray(12))).toEqual([0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 2, 2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 192, 168, 0, 1, 2, 0, 0, 0, 0, 9, 192, 168, 0, 9]);
  });

  it('GRE with checksum and key (RFC 2784/2890) carrying IPv4', () => {
    const b = build([{ eth: {} }, { ipv4: {} }, { gre: { checksum: true, key: 0xabcd } }, { ipv4: { src: '1.1.1.1', dst: '2.2.2.2' } }, { icmp: {} }]);
    expect(b[14 + 9]).toBe(47);
    const g = b.subarray(34);
    expect(zeroed(g.subarray(0, 12), 4)).toEqual([0xa0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd]);
    expect(sumsToOnes(g)).toBe(true);
    const d = decodePacket(b);
    expect(d.map((l) => l.name)).toEqual(['eth', 'ipv4', 'gre', 'ipv4', 'icmp']);
    expect(d[2]!.fields).toMatchObject({ flags: 0xa000, protocol: 0x0800, key: 0xabcd });
    expect(d.map((l) => l.checksumOk)).toEqual([undefined, true, true, true, true]);
    // Ethernet over GRE: protocol 0x6558 (transparent Ethernet bridging); seq
    const e = build([{ ipv4: {} }, { gre: { seq: 5 } }, { eth: {} }]).subarray(20);
    expect(Array.from(e.subarray(0, 8))).toEqual([0x10, 0, 0x65, 0x58, 0, 0, 0, 5]);
  });

  it('IPIP, 6in4, 4in6 and 6in6 set the outer protocol / next header', () => {
    expect(build([{ ipv4: {} }, { ipv4: {} }])[9]).toBe(4);
    expect(build([{ ipv4: {} }, { ipv6: {} }])[9]).toBe(41);
    expect(build([{ ipv6: {} }, { ipv4: {} }])[6]).toBe(4);
    expect(build([{ ipv6: {} }, { ipv6: {} }])[6]).toBe(41);
    expect(build([{ ipv6: {} }])[6]).toBe(59); // no next header
    const d = decodePacket(build([{ eth: {} }, { ipv6: {} }, { ipv4: {} }, { udp: {} }]));
    expect(d.map((l) => l.name)).toEqual(['eth', 'ipv6', 'ipv4', 'udp']);
    expect(d[3]!.checksumOk).toBe(true);
  });

  it('VXLAN (UDP 4789, RFC 7348) carrying Ethernet', () => {
    const b = build([{ eth: {} }, { ipv4: {} }, { udp: {} }, { vxlan: { vni: 42 } }, { eth: {} }, { ipv4: { src: '192.168.1.1' } }, { tcp: {} }]);
    expect(be16(b, 34 + 2)).toBe(4789);
    expect(Array.from(b.subarray(42, 50))).toEqual([0x08, 0, 0, 0, 0, 0, 42, 0]);
    const d = decodePacket(b);
    expect(d.map((l) => l.name)).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'tcp']);
    expect(d[3]!.fields).toEqual({ flags: 8, vni: 42 });
    expect(d[5]!.fields.saddr).toBe('192.168.1.1');
    expect(d.filter((l) => l.checksumOk !== undefined).map((l) => [l.name, l.checksumOk])).toEqual([['ipv4', true], ['udp', true], ['ipv4', true], ['tcp', true]]);
  });

  it('GENEVE (UDP 6081, RFC 8926) with an option carrying IPv4', () => {
    const b = build([{ ipv6: {} }, { udp: {} }, { geneve: { vni: 7, critical: true, options: [{ class: 0x0102, type: 0x80, data: [1, 2, 3, 4] }] } }, { ipv4: {} }]);
    expect(be16(b, 40 + 2)).toBe(6081);
    expect(Array.from(b.subarray(48, 64))).toEqual([0x02, 0x40, 0x08, 0x00, 0, 0, 7, 0, 0x01, 0x02, 0x80, 0x01, 1, 2, 3, 4]);
    const d = decodePacket(build([{ eth: {} }, { ipv6: {} }, { udp: {} }, { geneve: { vni: 7, options: [{ class: 0x0102, type: 0x80, data: [1, 2, 3, 4] }] } }, { eth: {} }, { arp: {} }]));
    expect(d.map((l) => l.name)).toEqual(['eth', 'ipv6', 'udp', 'geneve', 'eth', 'arp']);
    expect(d[3]!.fields).toEqual({ version: 0, optLen: 2, oam: 0, critical: 0, protocol: 0x6558, vni: 7, options: '0102/128:01020304' });
    expect(d[2]!.checksumOk).toBe(true);
  });
});

describe('build: the same bytes as scapy', () => {
  const golden = JSON.parse(readFileSync('test/util/fixtures/scapy-packets.json', 'utf8')) as { cases: { name: string; layers: Layer[]; hex: string }[] };
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const b = build(c.layers);
    expect(Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')).toBe(c.hex);
    // and the decoder finds every checksum right
    expect(decodePacket(b).filter((l) => l.checksumOk === false)).toEqual([]);
  });
});

describe('build: overrides and errors', () => {
  it('writes a set checksum, IHL, length or data offset as given; the decoder reports checksumOk false', () => {
    const b = build([{ eth: {} }, { ipv4: { checksum: 0xbeef } }, { tcp: { checksum: 0x1234 } }]);
    expect(be16(b, 24)).toBe(0xbeef);
    expect(be16(b, 34 + 16)).toBe(0x1234);
    const d = decodePacket(b);
    expect([d[1]!.checksumOk, d[2]!.checksumOk]).toEqual([false, false]);
    const u = build([{ ipv4: { ihl: 6, totalLength: 1000, ttl: 1, df: true, id: 9 } }, { udp: { length: 3, checksum: 0 } }]);
    expect(u[0]).toBe(0x46);
    expect(be16(u, 2)).toBe(1000);
    expect(be16(u, 6)).toBe(0x4000);
    expect(be16(u, 24)).toBe(3);
    expect(build([{ ipv4: {} }, { tcp: { dataOffset: 15 } }])[32]! >> 4).toBe(15);
    expect(build([{ eth: {} }, { payload: 'x' }], { minLength: 60 })).toHaveLength(60);
  });

  it('a computed UDP checksum of zero is sent as 0xffff (RFC 768)', () => {
    // Search for a payload whose checksum computes to zero: one word adjusts the sum.
    const base = build([{ ipv4: {} }, { udp: { checksum: 0 } }, { payload: new Uint8Array(2) }]);
    const s = refSum(A1, A2, [0, 17, 0, 10], base.subarray(20));
    const word = 0xffff - s; // makes the sum 0xffff, so the checksum ~0xffff = 0
    const b = build([{ ipv4: {} }, { udp: {} }, { payload: new Uint8Array([word >> 8, word & 0xff]) }]);
    expect(be16(b, 26)).toBe(0xffff);
    expect(decodePacket(new Uint8Array([...MACS, 8, 0, ...b]))[2]!.checksumOk).toBe(true);
  });

  it('refuses bad values with PACKET_BUILD errors naming the layer', () => {
    const err = (layers: Layer[]): PacketBuildError => {
      try {
        build(layers);
      } catch (e) {
        if (e instanceof PacketBuildError) return e;
        throw e;
      }
      throw new Error('no error');
    };
    expect(err([{ eth: {} }, { ipv4: { src: '10.0.0.256' } }]).message).toMatch(/^layer 1 \(ipv4\): ipv4 src: bad IPv4 address '10\.0\.0\.256'/);
    expect(err([{ vlan: { vid: 5000 } }]).message).toMatch(/vlan vid: 5000 is not an integer in \[0, 4095\]/);
    expect(err([{ tcp: {} }]).message).toMatch(/no enclosing IP layer/);
    expect(err([{ eth: { dst: 'nope' } }]).code).toBe('PACKET_BUILD');
    expect(err([{ ipv4: { options: [{ type: 7, data: new Uint8Array(40) }] } }]).message).toMatch(/too long/);
    expect(err([{ eth: {}, ipv4: {} } as unknown as Layer]).message).toMatch(/exactly one key/);
    expect(err([{ ipv4: {} }, { tcp: { seq: 2 ** 32 } }]).message).toMatch(/^layer 1 \(tcp\): tcp seq: 4294967296 is not an integer/);
    expect(err([{ ipv4: {} }, { tcp: { options: [{ mss: 70000 }] } }]).message).toMatch(/tcp mss: 70000/);
    expect(err([{ ipv4: {} }, { udp: { checksum: -1 } }]).message).toMatch(/udp checksum: -1/);
    expect(err([{ eth: {} }, { tcp: { checksum: 0 } }]).message).toMatch(/^layer 0 \(eth\): eth: no EtherType for a following tcp layer/);
  });
});

describe('decode: round trips of what the builder makes', () => {
  it('decodes IPv4 and TCP options into the fields it was built from', () => {
    const b = build([{ eth: { src: '02:11:22:33:44:55' } }, { vlan: { vid: 3 } }, { ipv4: { tos: 4, id: 77, ttl: 5, options: [{ type: 130, data: [1, 2, 3] }, 'nop'] } }, { tcp: { sport: 1, dport: 2, seq: 3, ack: 4, flags: ['syn', 'ack'], window: 5, options: [{ mss: 1400 }, 'nop', { wscale: 14 }, 'sackPermitted', { timestamp: [100, 200] }, 'nop', 'nop', { sack: [[10, 20], [30, 40]] }] } }, { payload: 'data' }]);
    const d = decodePacket(b);
    expect(d.map((l) => l.name)).toEqual(['eth', 'vlan', 'ipv4', 'tcp', 'payload']);
    expect(d[0]!.fields.src).toBe('02:11:22:33:44:55');
    expect(d[1]!.fields).toEqual({ tpid: 0x8100, pcp: 0, dei: 0, vid: 3, type: 0x0800 });
    expect(d[2]!.fields).toMatchObject({ ihl: 7, tos: 4, id: 77, ttl: 5, protocol: 6, totLen: b.length - 18, options: '130:010203,nop,eol,eol' });
    expect(d[3]!.fields).toMatchObject({ source: 1, dest: 2, seq: 3, ackSeq: 4, flags: 0x12, window: 5, options: 'mss=1400,nop,wscale=14,sackPermitted,timestamp=100/200,nop,nop,sack=10-20 30-40' });
    expect(d[3]!.fields.doff).toBe((20 + 4 + 1 + 3 + 2 + 10 + 2 + 18) / 4);
    expect(d[4]!.fields).toEqual({ bytes: 4, hex: '64617461' });
    expect([d[2]!.checksumOk, d[3]!.checksumOk]).toEqual([true, true]);
  });

  it('diffPackets names the inner header of a tunnel by its occurrence', () => {
    const layers = (ttl: number): Layer[] => [{ eth: {} }, { ipv4: {} }, { udp: {} }, { vxlan: {} }, { eth: {} }, { ipv4: { ttl, checksum: 0 } }];
    expect(diffPackets(build(layers(3)), build(layers(4)))).toEqual([`udp.check: ${diffCheck(build(layers(3)), build(layers(4)))}`, 'ipv4[1].ttl: 3 (0x3), expected 4 (0x4)']);
  });

  it('checksumOk turns false when a byte of the covered region changes', () => {
    const b = build([{ eth: {} }, { ipv6: {} }, { tcp: {} }, { payload: 'abcdef' }]);
    expect(decodePacket(b)[2]!.checksumOk).toBe(true);
    b[b.length - 1]! ^= 1;
    expect(decodePacket(b)[2]!.checksumOk).toBe(false);
  });

  it('never throws on prefixes or random corruptions of a tunnelled packet', () => {
    const b = build([{ eth: {} }, { vlan: {} }, { ipv6: { ext: [{ hopByHop: {} }] } }, { udp: {} }, { geneve: { options: [{ class: 1, type: 2, data: [0, 0, 0, 0] }] } }, { eth: {} }, { ipv4: { options: ['nop'] } }, { gre: { key: 1 } }, { ipv4: {} }, { tcp: { options: [{ mss: 1 }] } }]);
    for (let n = 0; n <= b.length; n++) expect(() => decodePacket(b.subarray(0, n))).not.toThrow();
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
    for (let i = 0; i < 1000; i++) {
      const c = b.slice();
      for (let j = 0; j < 3; j++) c[rnd() % c.length] = rnd() & 0xff;
      const d = decodePacket(c);
      expect(d.length).toBeLessThanOrEqual(65);
    }
  });
});
