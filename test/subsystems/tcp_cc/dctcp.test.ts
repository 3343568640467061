/**
 * Owns the ECN side of src/subsystems/tcp_cc/sim.ts (CE marking, ECE echo, delivered_ce, CWR with
 * PRR) through the BPF DCTCP fixture: alpha converging to the marked fraction, the reduction by
 * alpha/2 at every CWR entry, and step marking at K keeping the queue near K (spec T3), checked
 * here against the equations, outside the emulator.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { installTcpCc } from '../../../src/subsystems/tcp_cc/install.js';
import { simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';

const MS = 1e6;
const S = 1e9;

function dctcp(): { kernel: Kernel; obj: BpfObject } {
  const kernel = new Kernel();
  installTcpCc(kernel);
  const obj = BpfObject.open(readFileSync('programs/tcp_cc_dctcp.bpf.o'), { kernel });
  obj.load();
  obj.attach();
  return { kernel, obj };
}

const u32s = (b: Uint8Array): number[] => Array.from({ length: b.length / 4 }, (_, i) => new DataView(b.buffer, b.byteOffset).getUint32(i * 4, true));

describe('DCTCP (BPF) over the ECN path', () => {
  for (const k of [2, 4, 10]) {
    it(`alpha follows alpha - min_not_zero(alpha, alpha >> 4) + (M << 6) / D every window and converges to 1024/${k} when every ${k}th packet is CE-marked`, () => {
      const { kernel, obj } = dctcp();
      const r = simulateTcp({ kernel, flows: [{ cc: obj.map('bpf_dctcp').structOpsInstance }], bandwidthBps: 12e6, rttNs: 10 * MS, bufferPkts: 1000, ceMarkEvery: k, durationNs: 4 * S });
      expect(r.raw.drops).toBe(0);
      expect(r.raw.ceMarks).toBeGreaterThan(100);
      const windows = Number(obj.variable('windows').getInt());
      expect(windows).toBeGreaterThan(200);
      expect(windows).toBeLessThan(1024); // the ring holds them all
      const w = u32s(obj.variable('wins').get());
      const win = (i: number): { d: number; m: number; alpha: number } => ({ d: w[3 * i]!, m: w[3 * i + 1]!, alpha: w[3 * i + 2]! });
      // the recurrence, window by window, from alpha = 1024 at init
      let alpha = 1024;
      let markedTotal = 0;
      let deliveredTotal = 0;
      for (let i = 0; i < windows; i++) {
        const x = win(i);
        const dec = alpha >> 4;
        alpha -= dec !== 0 ? dec : alpha;
        if (x.m > 0) alpha = Math.min(alpha + Math.floor((x.m << 6) / Math.max(x.d, 1)), 1024);
        expect(x.alpha).toBe(alpha);
        if (i >= 150) {
          markedTotal += x.m;
          deliveredTotal += x.d;
        }
      }
      // the marker really marked 1/k of the delivered packets, and alpha's mean is 1024/k +- 16
      expect(Math.abs(markedTotal / deliveredTotal - 1 / k)).toBeLessThan(0.01);
      const late = Array.from({ length: windows - 150 }, (_, i) => win(150 + i).alpha);
      const mean = late.reduce((a, b) => a + b, 0) / late.length;
      expect(Math.abs(mean - 1024 / k)).toBeLessThanOrEqual(16);
      // with k >= 4 the windows are large enough for every alpha to stay within +-16 (spec T3); with
      // k = 2 DCTCP's equilibrium window is ~4 packets and (M << 6) / D jitters by +-8 per window
      if (k >= 4) for (const a of late) expect(Math.abs(a - 1024 / k)).toBeLessThanOrEqual(16);
    });
  }

  it('every ECE reduction sets ssthresh = max(cwnd - cwnd * alpha / 2048, 2)', () => {
    const { kernel, obj } = dctcp();
    simulateTcp({ kernel, flows: [{ cc: obj.map('bpf_dctcp').structOpsInstance }], bandwidthBps: 12e6, rttNs: 20 * MS, bufferPkts: 1000, ceMarkEvery: 5, durationNs: 3 * S, traceAcks: true });
    const n = Number(obj.variable('ncuts').getInt());
    expect(n).toBeGreaterThan(20);
    const c = u32s(obj.variable('cuts').get());
    for (let i = 0; i < Math.min(n, 1024); i++) {
      const [cwnd, alpha, ss] = [c[3 * i]!, c[3 * i + 1]!, c[3 * i + 2]!];
      expect(ss).toBe(Math.max(cwnd - Math.floor((cwnd * alpha) / 2048), 2));
    }
  });

  it('step marking at K = 20 on a 100-packet BDP path: no loss, > 95 % utilisation in steady state, queue bounded by K', () => {
    const { kernel, obj } = dctcp();
    const r = simulateTcp({ kernel, flows: [{ cc: obj.map('bpf_dctcp').structOpsInstance }], bandwidthBps: 12e6, rttNs: 100 * MS, bufferPkts: 400, ecnK: 20, durationNs: 16 * S });
    expect(r.raw.drops).toBe(0);
    expect(r.summary.retransmits).toBe(0);
    // steady state (after alpha_on_init = 1024 has decayed and cwnd has grown back): 12 s .. 16 s
    const samples = r.flows[0]!.samples;
    const a = samples.find((s) => s.tNs >= 12 * S)!;
    const b = samples[samples.length - 1]!;
    const goodput = ((b.delivered - a.delivered) * 1448 * 8 * 1e9) / (b.tNs - a.tNs);
    expect(goodput / ((12e6 * 1448) / 1500)).toBeGreaterThan(0.95);
    // 1000 packets/s: q queued packets add q ms; marking at 20 keeps the queue at most K + 10 and it reaches K
    const queues = samples.filter((s) => s.tNs >= 12 * S && s.rttNs > 0).map((s) => (s.rttNs - 100 * MS) / MS);
    expect(Math.max(...queues)).toBeLessThanOrEqual(30);
    expect(Math.max(...queues)).toBeGreaterThanOrEqual(20);
  });
});
