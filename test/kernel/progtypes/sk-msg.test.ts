/**
 * sk_msg and sk_reuseport programs on emulated events (src/kernel/progtypes/sk-msg.ts) with
 * programs/sk_msg: verdicts, ctx fields and the counters the programs keep, computed here from
 * the C source.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { runSkMsg, runSkReuseport, type SockProgRun } from '../../../src/kernel/progtypes/sk-msg.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function open(): BpfObject {
  const o = BpfObject.open(readFileSync('programs/sk_msg.bpf.o'));
  o.load();
  return o;
}

function stats(o: BpfObject): bigint[] {
  const m = o.map('msg_stats');
  return Array.from({ length: 6 }, (_, i) => new DataView(m.lookup(Uint8Array.of(i, 0, 0, 0))!.buffer).getBigUint64(0, true));
}

function ok(r: SockProgRun | number): SockProgRun {
  if (typeof r === 'number') throw new Error(`run failed: ${r}`);
  expect(r.fault).toBeNull();
  return r;
}

describe('sk_msg (programs/sk_msg msg_verdict)', () => {
  it('passes messages, drops the ones starting with DROP; counts messages, bytes and IPv4 ports', () => {
    const o = open();
    const fd = o.program('msg_verdict').fd;
    const v4 = { family: 2, local_port: 8080, remote_port: 0x3930 << 16 };
    expect(ok(runSkMsg(o.kernel, fd, { data: text('hello'), ctx: v4 })).verdict).toBe(1);
    expect(ok(runSkMsg(o.kernel, fd, { data: text('DROP this'), ctx: v4 })).verdict).toBe(0);
    expect(ok(runSkMsg(o.kernel, fd, { data: text('DRO'), ctx: { family: 10 } })).verdict).toBe(1);
    // 3 messages; 5 + 9 + 3 bytes; two IPv4 messages: 2 * (8080 + 0x39300000)
    expect(stats(o).slice(0, 3)).toEqual([3n, 17n, 2n * (8080n + (0x3930n << 16n))]);
    o.close();
  });

  it('size can be set apart from the data; a program of another type is EINVAL', () => {
    const o = open();
    ok(runSkMsg(o.kernel, o.program('msg_verdict').fd, { data: text('abc'), ctx: { size: 4096 } }));
    expect(stats(o)[1]).toBe(4096n);
    expect(runSkMsg(o.kernel, o.program('reuse_select').fd, { data: text('abc') })).toBe(-22);
    expect(() => runSkMsg(o.kernel, o.program('msg_verdict').fd, { data: text('abc'), ctx: { sk: 1 } })).toThrow(/no settable field 'sk'/);
    o.close();
  });
});

describe('sk_reuseport (programs/sk_msg reuse_select)', () => {
  it('drops UDP with 0xff after the UDP header and TCP with an odd hash; sums len and bind_inany', () => {
    const o = open();
    const fd = o.program('reuse_select').fd;
    const udp = (b: number): Uint8Array => Uint8Array.of(0, 53, 0x30, 0x39, 0, 9, 0, 0, b);
    expect(ok(runSkReuseport(o.kernel, fd, { data: udp(0xff), ctx: { ip_protocol: 17, eth_protocol: 0x0008 } })).verdict).toBe(0);
    expect(ok(runSkReuseport(o.kernel, fd, { data: udp(0x01), ctx: { ip_protocol: 17, bind_inany: 1 } })).verdict).toBe(1);
    expect(ok(runSkReuseport(o.kernel, fd, { data: new Uint8Array(20), ctx: { ip_protocol: 6, hash: 0x1235 } })).verdict).toBe(0);
    expect(ok(runSkReuseport(o.kernel, fd, { data: new Uint8Array(20), ctx: { ip_protocol: 6, hash: 0x1234, len: 1500 } })).verdict).toBe(1);
    expect(stats(o).slice(3, 6)).toEqual([4n, 9n + 9n + 20n + 1500n, 1n]);
    o.close();
  });
});
