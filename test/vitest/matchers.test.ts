/**
 * bpfemu/vitest matchers and the packet decoder behind toEqualPacket. Decoded fields are checked
 * against the bytes the frame builders wrote (offsets from the RFCs: IPv4 TTL at byte 8 of its
 * header, TCP ports at 0 and 2).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { ipv4Frame, ipv6Frame } from '../../src/util/packets.js';
import { decodePacket, diffPackets } from '../../src/util/packet-decode.js';
import { installBpfMatchers } from '../../src/vitest/matchers.js';

installBpfMatchers();

describe('decodePacket', () => {
  it('names the layers and fields of IPv4/TCP and IPv6/UDP frames as written', () => {
    const f = ipv4Frame('tcp', { dstPort: 8080 });
    const l = decodePacket(f);
    expect(l.map((x) => x.name)).toEqual(['eth', 'ipv4', 'tcp', ...(f.length > 54 ? ['payload'] : [])]);
    expect(l[1]!.fields.ttl).toBe(f[14 + 8]);
    expect(l[2]!.fields.dest).toBe(8080);
    expect(l[2]!.fields.source).toBe((f[34]! << 8) | f[35]!);
    const u = decodePacket(ipv6Frame('udp', { dstPort: 53 }));
    expect(u.map((x) => x.name).slice(0, 3)).toEqual(['eth', 'ipv6', 'udp']);
    expect(u[2]!.fields.dest).toBe(53);
  });

  it('stops at a truncated header', () => {
    expect(decodePacket(ipv4Frame('tcp').subarray(0, 30)).map((x) => x.name)).toEqual(['eth', 'truncated']);
  });

  it('diffs field by field', () => {
    const a = ipv4Frame('tcp', { dstPort: 22 });
    const b = a.slice();
    b[14 + 8] = a[14 + 8]! - 1; // ttl
    expect(diffPackets(b, a)).toEqual([`ipv4.ttl: ${a[22]! - 1} (0x${(a[22]! - 1).toString(16)}), expected ${a[22]} (0x${a[22]!.toString(16)})`]);
    expect(diffPackets(a, a.slice())).toEqual([]);
  });
});

describe('matchers', () => {
  const obj = BpfObject.open(readFileSync('programs/xdp_firewall.bpf.o'), { name: 'xdp_firewall' });
  obj.load();
  const frame = ipv4Frame('udp');
  const r = obj.program('xdp_firewall').testRun({ dataIn: frame });

  it('toEqualPacket passes for the unchanged frame and fails with the field that differs', () => {
    expect(r.dataOut).toEqualPacket(frame);
    const other = frame.slice();
    other[14 + 8]! ^= 1;
    expect(() => expect(r.dataOut).toEqualPacket(other)).toThrow(/packets differ:\n {2}ipv4\.ttl: /);
  });

  it('toHaveMapEntry takes typed or byte keys and values', () => {
    expect(obj.map('proto_stats')).toHaveMapEntry(1, { packets: 1n, bytes: BigInt(frame.length) });
    expect(obj.map('proto_stats')).toHaveMapEntry(new Uint8Array([1, 0, 0, 0]));
    expect(() => expect(obj.map('proto_stats')).toHaveMapEntry(1, { packets: 2n, bytes: 0n })).toThrow(/map 'proto_stats' key 1: .*"packets":"1n".*, expected/);
    expect(() => expect(obj.map('blocklist')).toHaveMapEntry(7)).toThrow(/map 'blocklist' key 7: no entry/);
  });

  it('toFault checks the kind of a program fault', () => {
    const bad = BpfObject.open(readFileSync('programs/verifier_xdp_parse.bpf.o'), { verify: false });
    bad.load();
    const short = ipv4Frame('udp').subarray(0, 36); // the unchecked udp->dest read goes past the end
    expect(() => bad.program('udp_unchecked').testRun({ dataIn: short })).toFault('out_of_bounds');
    expect(() => expect(() => bad.program('udp_unchecked').testRun({ dataIn: short })).toFault('unmapped')).toThrow(/expected a unmapped fault, got: out_of_bounds/);
    expect(() => expect(() => 1).toFault()).toThrow(/the run ended normally/);
  });
});
