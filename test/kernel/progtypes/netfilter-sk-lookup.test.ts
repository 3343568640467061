/**
 * The sk_lookup and netfilter fixtures (programs/sk_lookup, programs/netfilter) through the API:
 * netfilter against golden/netfilter-fixture.json (recorded on 6.18 by nf-fixture-golden.c, since
 * bpftool's libbpf 1.1 cannot load SEC("netfilter")); sk_lookup's verdicts and counters (its
 * kernel comparison is the kernel-differential case sk_lookup_ports).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject, BpfError } from '../../../src/api/index.js';
import { FRAMES } from './harness.js';

interface NfGolden {
  readonly runs: readonly { frame: string; hook: number; pf: number; err: number; retval: number }[];
  readonly nf_stats: readonly number[];
}
const NF = JSON.parse(readFileSync(new URL('./golden/netfilter-fixture.json', import.meta.url), 'utf8')) as NfGolden;

function frame(name: string): Uint8Array {
  if (name === 'v6') return FRAMES.v6_udp;
  if (name === 'v4') return FRAMES.v4_tcp80;
  const b = new Uint8Array(1500);
  b.set(FRAMES.v4_tcp80);
  for (let i = FRAMES.v4_tcp80.length; i < 1500; i++) b[i] = (7 * i) & 0xff;
  return b;
}

function u64s(o: BpfObject, map: string, n: number): number[] {
  const m = o.map(map);
  return Array.from({ length: n }, (_, i) => Number(new DataView(m.lookup(Uint8Array.of(i, 0, 0, 0))!.buffer).getBigUint64(0, true)));
}

describe('programs/netfilter against 6.18', () => {
  it('verdicts, errnos and nf_stats of the recorded runs', () => {
    const o = BpfObject.open(readFileSync('programs/netfilter.bpf.o'));
    o.load();
    const got = NF.runs.map((r) => {
      const ctxIn = r.hook < 0 ? undefined : Uint8Array.from({ length: 48 }, (_, i) => (i === 0 ? r.hook : i === 1 ? r.pf : 0));
      try {
        const out = o.program('nf_filter').testRun({ dataIn: frame(r.frame), ...(ctxIn !== undefined ? { ctxIn, ctxSizeOut: 0 } : {}) });
        return { ...r, err: 0, retval: out.retval };
      } catch (e) {
        if (e instanceof BpfError) return { ...r, err: -e.errno, retval: 0 };
        throw e;
      }
    });
    expect(got).toEqual(NF.runs);
    expect(u64s(o, 'nf_stats', 8)).toEqual(NF.nf_stats);
    expect(new Set(NF.runs.map((r) => r.retval))).toEqual(new Set([0, 1]));
    o.close();
  });
});

describe('programs/sk_lookup', () => {
  function skl(family: number, protocol: number, remotePort: number, localPort: number, remote: number[], local: number[]): Uint8Array {
    const b = new Uint8Array(72);
    const dv = new DataView(b.buffer);
    dv.setUint32(8, family, true);
    dv.setUint32(12, protocol, true);
    b.set(remote, remote.length === 16 ? 20 : 16);
    b.set(local, local.length === 16 ? 44 : 40);
    dv.setUint16(36, remotePort, false);
    dv.setUint32(60, localPort, true);
    return b;
  }

  it('drops TCP to 7 and 9 and UDP from 19, passes the rest; counts per port, family and address byte', () => {
    const o = BpfObject.open(readFileSync('programs/sk_lookup.bpf.o'));
    o.load();
    const p = o.program('lookup');
    const run = (ctx: Uint8Array): number => p.testRun({ ctxIn: ctx }).retval;
    const v6local = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd];
    expect([
      run(skl(2, 6, 1000, 80, [10, 0, 0, 1], [10, 0, 0, 2])),
      run(skl(2, 6, 1000, 7, [20, 0, 0, 1], [10, 0, 0, 2])),
      run(skl(2, 17, 1000, 7, [30, 0, 0, 1], [10, 0, 0, 2])),
      run(skl(2, 17, 19, 53, [40, 0, 0, 1], [10, 0, 0, 2])),
      run(skl(10, 6, 1000, 9, new Array<number>(16).fill(0), v6local)),
    ]).toEqual([1, 0, 1, 0, 0]);
    // [0] IPv4 4, [1] IPv6 1, [2] drops 3, [3] 10+20+30+40, [4] the last two bytes of local_ip6 as a LE u16
    expect(u64s(o, 'lk_stats', 5)).toEqual([4, 1, 3, 100, 0xcdab]);
    const out = p.testRun({ ctxIn: skl(2, 6, 1000, 80, [10, 0, 0, 1], [10, 0, 0, 2]) });
    expect(out.ctxOut).toEqual(skl(2, 6, 1000, 80, [10, 0, 0, 1], [10, 0, 0, 2]));
    o.close();
  });

  it('has no data_in (EINVAL) and needs a family the kernel looks up (EAFNOSUPPORT)', () => {
    const o = BpfObject.open(readFileSync('programs/sk_lookup.bpf.o'));
    o.load();
    const p = o.program('lookup');
    expect(() => p.testRun({ dataIn: FRAMES.v4_tcp80, ctxIn: skl(2, 6, 1, 1, [], []) })).toThrow(expect.objectContaining({ errno: 22 }));
    expect(() => p.testRun({ ctxIn: skl(1, 6, 1, 1, [], []) })).toThrow(expect.objectContaining({ errno: 97 }));
    o.close();
  });
});
