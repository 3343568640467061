/**
 * Owns the JavaScript tier's map helper call sites (HelperFn.site, HelperDef.forMap): a
 * `bpf_map_lookup_elem` / `bpf_map_update_elem` call whose r1 the translator knows (`lddw r1, map`
 * in the same block) runs the helper's form for that map. Checked against the interpreter (the
 * oracle): results, map contents, mocks set after translation, and every budget up to the end of a
 * run (budget faults at the same pc with the same count), with the site forms counted so the test
 * fails if they stop running.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { ipv4, ipv4Frame, ipv6Frame, arpFrame } from '../../../src/util/packets.js';
import type { HelperFn, Machine } from '../../../src/vm/machine.js';
import type { EngineName } from '../../../src/vm/run.js';
import { translateSource } from '../../../src/vm/tier/translate.js';

const FRAMES = [ipv4Frame('tcp', { dstPort: 80 }), ipv4Frame('tcp', { dstPort: 22 }), ipv4Frame('udp'), ipv4Frame('icmp'), ipv6Frame('udp'), arpFrame()];

function open(name: string, engine: EngineName, budget?: number): BpfObject {
  const kernel = new Kernel({ engine, ...(budget !== undefined ? { budget } : {}) });
  const o = BpfObject.open(readFileSync(`programs/${name}.bpf.o`), { kernel, name });
  o.load();
  return o;
}

/** Every map of `o` as `name: key=value ...` (hex), for comparing engines. */
function maps(o: BpfObject, names: readonly string[]): string {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  return names.map((n) => `${n}: ${o.map(n).entries().map(([k, v]) => `${hex(k)}=${hex(v)}`).join(' ')}`).join('\n');
}

/** Wrap the `site` of every helper of `o`'s program `prog` so each call of a site form is counted. */
function countSites(o: BpfObject, prog: string): { calls: number } {
  const c = { calls: 0 };
  const exec = (o.program(prog) as unknown as { kernelProg: { exec: { helpers: HelperFn[] } } }).kernelProg.exec;
  for (const h of exec.helpers) {
    const site = h.site;
    if (site === undefined) continue;
    h.site = (lo, hi) => {
      const f = site(lo, hi);
      return f === null ? null : (m: Machine) => {
        c.calls++;
        f(m);
      };
    };
  }
  return c;
}

describe('map helper call sites on the tier', () => {
  it('xdp_maps and xdp_firewall: every lookup and update call translates to a site form', () => {
    // The calls of helpers 1 and 2 in `llvm-objdump -d` of each program, each after `lddw r1, map`.
    for (const [obj, prog, n] of [['xdp_maps', 'xdp_count', 6], ['xdp_firewall', 'xdp_firewall', 14]] as const) {
      const o = open(obj, 'js');
      const src = translateSource((o.program(prog) as unknown as { kernelProg: { exec: Parameters<typeof translateSource>[0] } }).kernelProg.exec);
      expect(src.match(/ = P\.helpers\[\d+\]\.site\(/g)?.length, `${obj} sites`).toBe(n);
    }
  });

  it('give the interpreter’s results and map contents, and ran', () => {
    for (const [obj, prog, names] of [
      ['xdp_maps', 'xdp_count', ['pkt_count', 'cpu_bytes', 'proto_stats']],
      ['xdp_firewall', 'xdp_firewall', ['proto_stats', 'drop_stats', 'blocklist']],
    ] as const) {
      const out: string[] = [];
      let siteCalls = 0;
      for (const engine of ['fast', 'js'] as const) {
        const o = open(obj, engine);
        if (obj === 'xdp_firewall') o.map('blocklist').update(ipv4('10.0.0.1'), new Uint8Array(8));
        const c = countSites(o, prog);
        const rets = FRAMES.map((f) => o.program(prog).testRun({ dataIn: f, repeat: 3 }).retval);
        out.push(`${rets.join(',')}\n${maps(o, names)}`);
        if (engine === 'js') siteCalls = c.calls;
        else expect(c.calls).toBe(0);
      }
      expect(out[1], obj).toBe(out[0]);
      expect(siteCalls, obj).toBeGreaterThan(FRAMES.length);
    }
  });

  it('a mock set after translation is what a site calls', () => {
    const rets: string[] = [];
    for (const engine of ['fast', 'js'] as const) {
      const o = open('xdp_maps', engine);
      const p = o.program('xdp_count');
      p.testRun({ dataIn: FRAMES[2]! }); // translated (js) with the real helper
      const seen: bigint[] = [];
      o.kernel.mockHelper('bpf_map_lookup_elem', (args) => {
        seen.push(args[0]!);
        return 0;
      });
      p.testRun({ dataIn: FRAMES[2]! });
      o.kernel.mockHelper('bpf_map_lookup_elem', null);
      p.testRun({ dataIn: FRAMES[2]! });
      rets.push(`${seen.length} ${maps(o, ['pkt_count', 'proto_stats'])}`);
    }
    expect(rets[1]).toBe(rets[0]);
    // Three lookups reached the mock (all NULL: the update path ran instead), and the counters
    // count two runs, not three.
    expect(rets[0]!.startsWith('3 ')).toBe(true);
    expect(rets[0]).toContain('00000000=0200000000000000');
  });

  it('every budget: the same fault pc, count and map contents as the interpreter', () => {
    const frame = ipv4Frame('udp');
    const outcome = (engine: EngineName, budget: number): string => {
      const o = open('xdp_maps', engine, budget);
      try {
        const r = o.program('xdp_count').testRun({ dataIn: frame });
        return `ok ${r.retval} ${maps(o, ['pkt_count', 'proto_stats'])}`;
      } catch (e) {
        const f = (e as { fault?: { kind: string; pc: number } }).fault;
        if (f === undefined) throw e;
        return `${f.kind} ${f.pc} ${maps(o, ['pkt_count', 'proto_stats'])}`;
      }
    };
    let faults = 0;
    // 25 instructions and three helper calls (8 + 8 + 16 units): the full run needs 57.
    for (let b = 1; b <= 60; b++) {
      const want = outcome('fast', b);
      expect(outcome('js', b), `budget ${b}`).toBe(want);
      if (want.startsWith('budget_exceeded')) faults++;
    }
    expect(faults).toBeGreaterThan(40);
  });
});
