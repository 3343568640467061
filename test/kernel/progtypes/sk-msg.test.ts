/**
 * sk_msg and sk_reuseport programs on emulated events (src/kernel/progtypes/sk-msg.ts) with
 * programs/sk_msg: verdicts, ctx fields and the counters the programs keep, computed here from
 * the C source. bpf_sk_select_reuseport with programs/sk_reuseport_select over table sockets, against
 * golden/sk-reuseport-live.json (recorded on 6.18 by sk-reuseport-live.c).
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

describe('bpf_sk_select_reuseport (programs/sk_reuseport_select pick)', () => {
  interface Live {
    sends: { payload: number; received_by: string; results: number[] }[];
  }
  const G = JSON.parse(readFileSync(new URL('./golden/sk-reuseport-live.json', import.meta.url), 'utf8')) as Live;
  const le = (v: number, n: 4 | 8): Uint8Array => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    return b.slice(0, n);
  };

  /** The sockets and maps of the live run (see sk-reuseport-live.c). */
  function world(): { o: BpfObject; ids: Record<string, number> } {
    const o = BpfObject.open(readFileSync('programs/sk_reuseport_select.bpf.o'));
    o.load();
    const S = o.kernel.sockets;
    const udp = (port: number, reuseport: boolean, localAddress = '127.0.0.1'): number => S.add({ protocol: 'udp', localAddress, localPort: port, state: 'close', reuseport }).id;
    const ids: Record<string, number> = {
      A: udp(47400, true),
      B: udp(47400, true),
      F: udp(47400, true),
      C: udp(47401, true),
      D: S.add({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: 47400, reuseport: true }).id,
      E: udp(47400, true, '::1'),
      G: udp(47402, false),
    };
    const put = (map: string, key: number, name: string): void => o.map(map).update(le(key, 4), le(S.openFd(ids[name]!), 8));
    ['A', 'B', 'C', 'D', 'E'].forEach((n, i) => put('socks', i, n));
    put('sockm', 0, 'F');
    put('sockm', 1, 'G');
    return { o, ids };
  }

  const results = (o: BpfObject): number[] =>
    Array.from({ length: 13 }, (_, i) => {
      const b = o.map('results').lookup(le(i, 4))!;
      return Number(new DataView(b.buffer, b.byteOffset).getBigInt64(0, true));
    });

  it('selects within the group and gives 6.18\'s errnos for empty slots and sockets of other groups; the run reports the selection', () => {
    const { o, ids } = world();
    const fd = o.program('pick').fd;
    const nameOf = (id: number | null | undefined): string => Object.entries(ids).find(([, v]) => v === id)?.[0] ?? 'none';
    for (const send of G.sends) {
      const r = ok(runSkReuseport(o.kernel, fd, { data: Uint8Array.of(0x9c, 0x40, 0xb9, 0x28, 0, 9, 0, 0, send.payload), ctx: { ip_protocol: 17 }, socket: ids.A! }));
      expect(r.verdict).toBe(1);
      expect(results(o)).toEqual(send.results);
      expect(nameOf(r.selected)).toBe(send.received_by);
    }
    o.close();
  });

  it('without a table socket nothing is in the run\'s group; a dropped packet reports no selection', () => {
    const { o, ids } = world();
    const fd = o.program('pick').fd;
    const r = ok(runSkReuseport(o.kernel, fd, { data: Uint8Array.of(0, 0, 0, 0, 0, 9, 0, 0, 1), sock: { protocol: 17, family: 2 } }));
    // A, B (same protocol and family, no group): EBADFD; the socket map's F likewise
    expect(results(o).slice(0, 2)).toEqual([-77, -77]);
    expect(results(o)[9]).toBe(-77);
    expect(r.selected).toBeNull();
    // no payload byte: SK_DROP, though A was selected
    const d = ok(runSkReuseport(o.kernel, fd, { data: new Uint8Array(8), socket: ids.A! }));
    expect([d.verdict, d.selected]).toEqual([0, null]);
    expect(results(o)[0]).toBe(0);
    expect(() => runSkReuseport(o.kernel, fd, { data: new Uint8Array(8), socket: 999 })).toThrow(/socket 999 is not in the socket table/);
    o.close();
  });
});
