/**
 * cgroup_skb attached to a cgroup and fired on a packet (src/kernel/progtypes/cgroup-skb.ts): the
 * fixture cgroup_skb_verdict's two egress programs and one ingress program, in a child cgroup of
 * the current task, with the verdicts of each case of golden/cgroup-skb-live.json (recorded on 6.18
 * by cgroup-skb-live.c with a UDP datagram over loopback): the sender's errno, whether the datagram
 * arrives and how often each program ran must be the kernel's. The errno and arrival follow from
 * the hook's result as the kernel's UDP path uses it (ip_send_skb / udp_send_skb, from the
 * sources): -EPERM fails sendto; NET_XMIT_DROP drops the datagram with sendto succeeding; the
 * datagram arrives when egress passed it (0 or NET_XMIT_CN) and ingress returned 0.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { attachCgroup, fireCgroup } from '../../../src/kernel/progtypes/cgroup.js';
import { fireCgroupSkb, NET_XMIT_CN, NET_XMIT_DROP } from '../../../src/kernel/progtypes/cgroup-skb.js';
import { cgroupsOf } from '../../../src/maps/cgroups.js';
import { ipv4Frame } from '../../../src/util/packets.js';
import { liveProbeGate } from '../../maps/live/probe.js';

interface Case {
  readonly verdict: readonly [number, number, number];
  readonly errno: number;
  readonly delivered: boolean;
  readonly seen: readonly [number, number, number];
}
const G = JSON.parse(readFileSync(new URL('./golden/cgroup-skb-live.json', import.meta.url), 'utf8')) as { readonly cases: readonly Case[] };

const EPERM = 1;

function setup(): BpfObject {
  const k = new Kernel();
  const cg = cgroupsOf(k);
  const app = cg.mkdir(cg.root, 'app');
  cg.current = app;
  const o = BpfObject.open(readFileSync('programs/cgroup_skb_verdict.bpf.o'), { name: 'cgroup_skb_verdict', kernel: k });
  o.load();
  for (const p of ['egress_a', 'egress_b', 'ingress_a']) expect(attachCgroup(k, o.program(p).fd, app)).toBeGreaterThan(0);
  return o;
}

describe('cgroup_skb attach and fire', () => {
  it('gives 6.18\'s sendto errno, delivery and run counts for every pair of egress verdicts and ingress verdict', () => {
    const o = setup();
    const frame = ipv4Frame('udp', { src: '127.0.0.1', dst: '127.0.0.1', srcPort: 40000, dstPort: 9, payload: new TextEncoder().encode('bpfemu') });
    const got = G.cases.map((c) => {
      o.globals.st = { verdict: c.verdict.map(BigInt), seen: [0n, 0n, 0n] } as never;
      const out = fireCgroupSkb(o.kernel, 'cgroup_skb/egress', frame);
      const delivered = out.pass && fireCgroupSkb(o.kernel, 'cgroup_skb/ingress', frame).verdict === 0;
      const seen = (o.globals.st as { seen: bigint[] }).seen.map(Number);
      return { verdict: c.verdict, errno: out.verdict === -EPERM ? EPERM : 0, delivered, seen };
    });
    expect(got).toEqual(G.cases);
  });

  it('reports the kernel value of the hook: CN and DROP with the congestion bit, -EPERM without', () => {
    const o = setup();
    const frame = ipv4Frame('udp', { dstPort: 9 });
    const verdict = (a: number, b: number): number => {
      o.globals.st = { verdict: [BigInt(a), BigInt(b), 1n], seen: [0n, 0n, 0n] } as never;
      return fireCgroupSkb(o.kernel, 'cgroup_skb/egress', frame).verdict;
    };
    expect([verdict(1, 1), verdict(3, 1), verdict(2, 1), verdict(0, 1), verdict(3, 0)]).toEqual([0, NET_XMIT_CN, NET_XMIT_DROP, -EPERM, NET_XMIT_DROP]);
    // a packet to another port passes both programs untouched (they return 1)
    expect(fireCgroupSkb(o.kernel, 'cgroup_skb/egress', ipv4Frame('udp', { dstPort: 53 })).verdict).toBe(0);
  });

  it('runs only the programs of the current cgroup and its ancestors', () => {
    const o = setup();
    const cg = cgroupsOf(o.kernel);
    cg.current = cg.root;
    o.globals.st = { verdict: [0n, 0n, 0n], seen: [0n, 0n, 0n] } as never;
    const r = fireCgroupSkb(o.kernel, 'cgroup_skb/egress', ipv4Frame('udp', { dstPort: 9 }));
    expect([r.verdict, r.runs.length]).toEqual([0, 0]);
    expect(() => fireCgroup(o.kernel, 'cgroup_skb/egress')).toThrow(RangeError);
  });

  const gate = liveProbeGate('6.18');
  it.skipIf(!gate.live || spawnSync('cc', ['-O2', '-o', '/tmp/bpfemu-cgroup-skb-live', new URL('./cgroup-skb-live.c', import.meta.url).pathname, '-lbpf']).status !== 0)(
    `the running kernel still gives the golden (live; ${gate.live ? 'root on 6.18' : `skipped: ${gate.why}`})`,
    () => {
      const r = spawnSync('/tmp/bpfemu-cgroup-skb-live', ['programs/cgroup_skb_verdict.bpf.o'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { cases: unknown }).cases).toEqual(G.cases);
    },
  );
});
