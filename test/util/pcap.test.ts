/**
 * The classic pcap reader and writer (src/util/pcap.ts). The fixtures le-us.pcap (little-endian,
 * microseconds) and be-ns.pcap (big-endian, nanoseconds) were written by fixtures/make-pcaps.py with
 * Python's struct module, independently of bpfemu; their first frame was built and checksummed by
 * that script too, so it also checks the packet builder.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPcap, PcapError, readPcap, writePcap } from '../../src/util/pcap.js';
import { build } from '../../src/util/packet-build.js';

const LE = new Uint8Array(readFileSync('test/util/fixtures/le-us.pcap'));
const BE = new Uint8Array(readFileSync('test/util/fixtures/be-ns.pcap'));

/** The records make-pcaps.py writes. */
const RECORDS = [
  { sec: 1700000000, nsec: 123456789, len: 46, orig: 46 },
  { sec: 1700000001, nsec: 5000, len: 60, orig: 60 },
  { sec: 1700000002, nsec: 999999000, len: 20, orig: 1514 },
];

function pcapError(b: Uint8Array): PcapError {
  try {
    readPcap(b);
  } catch (e) {
    if (e instanceof PcapError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('readPcap', () => {
  it('reads both byte orders and both timestamp units', () => {
    for (const [bytes, ns, le] of [
      [LE, false, true],
      [BE, true, false],
    ] as const) {
      const f = readPcap(bytes);
      expect([f.linkType, f.snapLen, f.nanosecond, f.littleEndian, f.versionMajor, f.versionMinor]).toEqual([1, 65535, ns, le, 2, 4]);
      expect(f.packets.map((p) => ({ sec: p.ts.sec, nsec: p.ts.nsec, len: p.data.length, orig: p.origLen }))).toEqual(
        // microsecond files lose the sub-microsecond digits
        RECORDS.map((r) => ({ ...r, nsec: ns ? r.nsec : Math.floor(r.nsec / 1000) * 1000 })),
      );
      expect(Array.from(f.packets[1]!.data)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(Array.from(f.packets[2]!.data)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
  });

  it("the first frame equals the builder's eth/ipv4/udp 'ping' frame (checksums computed by Python)", () => {
    expect(readPcap(LE).packets[0]!.data).toEqual(build([{ eth: {} }, { ipv4: {} }, { udp: { sport: 12345, dport: 53 } }, { payload: 'ping' }]));
  });

  it('refuses bad input with typed errors naming where', () => {
    expect(pcapError(new Uint8Array(0)).code).toBe('PCAP_TRUNCATED');
    const ng = new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]);
    expect(pcapError(ng).code).toBe('PCAP_MAGIC');
    expect(pcapError(ng).message).toMatch(/magic 0x0a0d0d0a is not a pcap magic.*pcapng is not supported/);
    expect(pcapError(LE.subarray(0, 20)).message).toMatch(/file header: 20 bytes of 24/);
    expect(pcapError(LE.subarray(0, 24 + 10)).message).toMatch(/record 0 at offset 24: header cut short \(10 bytes of 16\)/);
    expect(pcapError(LE.subarray(0, LE.length - 1)).message).toMatch(/record 2 at offset 162: incl_len 20 but 19 bytes remain/);
    // every prefix and a huge incl_len: a PcapError or a result, never another exception
    for (let n = 0; n < LE.length; n++) {
      try {
        readPcap(LE.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(PcapError);
      }
    }
    const huge = LE.slice();
    new DataView(huge.buffer).setUint32(24 + 8, 0xffffffff, true);
    expect(pcapError(huge).code).toBe('PCAP_TRUNCATED');
    expect(isPcap(LE) && isPcap(BE) && !isPcap(ng) && !isPcap(new Uint8Array(2))).toBe(true);
  });
});

describe('writePcap', () => {
  it('writes what the Python script wrote, byte for byte (little-endian, microseconds)', () => {
    const f = readPcap(LE);
    expect(writePcap(f.packets, { snapLen: 65535 })).toEqual(LE);
  });

  it('round-trips nanosecond timestamps and defaults bytes-only packets', () => {
    const f = readPcap(BE);
    const w = writePcap(f.packets, { nanosecond: true });
    const back = readPcap(w);
    expect(back.nanosecond).toBe(true);
    expect(back.snapLen).toBe(262144);
    expect(back.packets).toEqual(f.packets);
    const d = readPcap(writePcap([new Uint8Array([1, 2, 3])]));
    expect(d.packets).toEqual([{ ts: { sec: 0, nsec: 0 }, data: new Uint8Array([1, 2, 3]), origLen: 3 }]);
  });

  it('refuses values it cannot write', () => {
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        if (e instanceof PcapError) return `${e.code}: ${e.message}`;
        throw e;
      }
      return 'no error';
    };
    expect(err(() => writePcap([{ data: new Uint8Array(4), origLen: 2 }]))).toMatch(/PCAP_VALUE: pcap: packet 0 origLen 2 is less than its 4 captured bytes/);
    expect(err(() => writePcap([{ data: new Uint8Array(1), ts: { sec: 0, nsec: 1e9 } }]))).toMatch(/ts\.nsec/);
    expect(err(() => writePcap([{ data: new Uint8Array(1), ts: { sec: -1, nsec: 0 } }]))).toMatch(/ts\.sec: -1 is not a u32/);
  });
});
