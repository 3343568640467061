/**
 * Owns src/subsystems/tcp_cc/{sim,cc,report}.ts through simulateTcp: the BPF Reno against the
 * built-in TypeScript Reno ACK by ACK, the BPF CUBIC against the TypeScript CUBIC, and properties
 * computed here from the traces, outside the emulator: Reno's halving and +1 packet per cwnd ACKs,
 * CUBIC's window against the cubic function, two Reno flows converging to a fair share (and an
 * unfair control that must fail that check), determinism of the JSON.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { installTcpCc } from '../../../src/subsystems/tcp_cc/install.js';
import { jainIndex, reportJson, simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';
import type { CongestionControl } from '../../../src/subsystems/tcp_cc/cc.js';
import { tcpRenoCongAvoid } from '../../../src/subsystems/tcp_cc/sock.js';

const MS = 1e6;
const S = 1e9;

function loadCc(file: string, map: string): { kernel: Kernel; obj: BpfObject } {
  const kernel = new Kernel();
  installTcpCc(kernel);
  const obj = BpfObject.open(readFileSync(`programs/${file}`), { kernel });
  obj.load();
  obj.attach();
  void map;
  return { kernel, obj };
}

/** 1000 packets/s (12 Mbit/s with 1500-byte packets), 100 ms: BDP 100 packets. */
const T1 = { bandwidthBps: 12e6, rttNs: 100 * MS, bufferPkts: 50 };

describe('BPF Reno (tcp_reno_* kfuncs) against the built-in TypeScript Reno', () => {
  it('gives the identical cwnd/ssthresh/state after every ACK on the same seeded lossy path', () => {
    const { kernel, obj } = loadCc('tcp_cc_reno.bpf.o', 'bpf_reno');
    const opts = { ...T1, lossRate: 0.002, seed: 7, durationNs: 12 * S, traceAcks: true };
    const bpf = simulateTcp({ ...opts, kernel, flows: [{ cc: obj.map('bpf_reno').structOpsInstance }] });
    const ts = simulateTcp({ ...opts, flows: [{ cc: 'reno' }] });
    const a = bpf.raw.flows[0]!.trace!;
    const b = ts.raw.flows[0]!.trace!;
    expect(a.cwnd.length).toBeGreaterThan(3_000);
    expect(a.cwnd).toEqual(b.cwnd);
    expect(a.ssthresh).toEqual(b.ssthresh);
    expect(a.state).toEqual(b.state);
    expect(a.t).toEqual(b.t);
    expect(bpf.flows[0]!.samples).toEqual(ts.flows[0]!.samples);
    // the path really was lossy and the programs really ran
    expect(bpf.flows[0]!.retransmits).toBeGreaterThan(5);
    const recoveries = a.state.filter((s, i) => s === 3 && a.state[i - 1] !== 3).length;
    expect(obj.variable('recoveries').getInt()).toBe(BigInt(recoveries));
    expect(obj.variable('inits').getInt()).toBe(1n);
    expect(bpf.flows[0]!.ops).toBe('bpf_reno');
  });
});

describe('Reno sawtooth (spec T1), from the per-ACK trace', () => {
  const r = simulateTcp({ ...T1, durationNs: 30 * S, traceAcks: true, flows: [{ cc: 'reno' }] });
  const tr = r.raw.flows[0]!.trace!;

  it('halves on loss: every entry into Recovery sets ssthresh = max(cwnd / 2, 2) of the cwnd before that ACK', () => {
    let entries = 0;
    for (let i = 1; i < tr.state.length; i++) {
      if (tr.state[i] === 3 && tr.state[i - 1] !== 3) {
        entries++;
        expect(tr.ssthresh[i]).toBe(Math.max(Math.floor(tr.cwnd[i - 1]! / 2), 2));
      }
    }
    expect(entries).toBeGreaterThanOrEqual(3);
  });

  it('grows by exactly one packet per cwnd ACKs in congestion avoidance', () => {
    let checked = 0;
    let acksSince = -1;
    for (let i = 1; i < tr.cwnd.length; i++) {
      const inCa = tr.state[i] === 0 && tr.state[i - 1] === 0 && tr.cwnd[i - 1]! >= tr.ssthresh[i - 1]!;
      if (!inCa) {
        acksSince = -1;
        continue;
      }
      if (acksSince >= 0) acksSince++;
      if (tr.cwnd[i]! !== tr.cwnd[i - 1]!) {
        expect(tr.cwnd[i]! - tr.cwnd[i - 1]!).toBe(1);
        if (acksSince >= 0) {
          expect(acksSince).toBe(tr.cwnd[i - 1]!);
          checked++;
        }
        acksSince = 0;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('oscillates between about (BDP + B) / 2 and BDP + B with > 93 % utilisation and no RTO', () => {
    const late = r.flows[0]!.samples.filter((s) => s.tNs > 5 * S);
    const peak = Math.max(...late.map((s) => s.cwnd));
    const trough = Math.min(...late.map((s) => s.cwnd));
    expect(Math.abs(peak - 150)).toBeLessThanOrEqual(3);
    expect(Math.abs(trough - 75)).toBeLessThanOrEqual(3);
    expect(r.summary.utilization).toBeGreaterThan(0.93);
    expect(r.raw.flows[0]!.rtos).toBe(0);
  });
});

describe('CUBIC', () => {
  it('the BPF CUBIC and the TypeScript CUBIC give the identical trajectory', () => {
    const { kernel, obj } = loadCc('tcp_cc_cubic.bpf.o', 'bpf_cubic');
    const opts = { bandwidthBps: 12e6, rttNs: 100 * MS, bufferPkts: 100, durationNs: 14 * S, traceAcks: true, seed: 3, lossRate: 0.0005 };
    const bpf = simulateTcp({ ...opts, kernel, flows: [{ cc: obj.map('bpf_cubic').structOpsInstance }] });
    const ts = simulateTcp({ ...opts, flows: [{ cc: 'cubic' }] });
    expect(bpf.raw.flows[0]!.trace!.cwnd).toEqual(ts.raw.flows[0]!.trace!.cwnd);
    expect(bpf.raw.flows[0]!.trace!.ssthresh).toEqual(ts.raw.flows[0]!.trace!.ssthresh);
    expect(obj.variable('epochs').getInt()).toBeGreaterThan(1n);
  });

  it('follows W(t) = 0.4 (t + minRTT - K)^3 + W_max after a loss, ssthresh = 717/1024 of cwnd (spec T2)', () => {
    const r = simulateTcp({ bandwidthBps: 12e6, rttNs: 100 * MS, bufferPkts: 100, durationNs: 40 * S, traceAcks: true, flows: [{ cc: 'cubic' }] });
    const tr = r.raw.flows[0]!.trace!;
    const minRtt = Math.min(...r.raw.flows[0]!.rttsUs) / 1e6;
    let lastMax = 0;
    let epochs = 0;
    let points = 0;
    for (let i = 1; i < tr.state.length; i++) {
      if (!(tr.state[i] === 3 && tr.state[i - 1] !== 3)) continue;
      const cwndL = tr.cwnd[i - 1]!;
      expect(tr.ssthresh[i]).toBe(Math.max(Math.floor((cwndL * 717) / 1024), 2));
      // W_max as the kernel sets it (fast convergence when below the previous maximum)
      const wMax = cwndL < lastMax ? Math.floor((cwndL * 1741) / 2048) : cwndL;
      lastMax = wMax;
      // the epoch starts at the first congestion-avoidance ACK after Recovery
      let j = i;
      while (j < tr.state.length && tr.state[j] !== 0) j++;
      if (j >= tr.state.length) break;
      const t0 = tr.t[j]!;
      const cwnd0 = tr.cwnd[j]!;
      const K = Math.cbrt((wMax - cwnd0) / 0.4);
      epochs++;
      for (let m = j + 1; m < tr.state.length && tr.state[m] === 0 && tr.cwnd[m]! < wMax; m++) {
        const t = (tr.t[m]! - t0) / 1e9;
        if (t < 2 * minRtt) continue;
        const w = 0.4 * (t + minRtt - K) ** 3 + wMax;
        expect(Math.abs(tr.cwnd[m]! - w)).toBeLessThanOrEqual(Math.max(3, 0.05 * w));
        points++;
      }
    }
    expect(epochs).toBeGreaterThanOrEqual(2);
    expect(points).toBeGreaterThan(1000);
  });
});

describe('fairness (spec T4, shortened)', () => {
  /**
   * Jain's index over the flows' delivered packets in [fromNs, toNs] (spec T4: packets delivered per
   * flow in the window), from the samples' cumulative tp->delivered.
   */
  function binsJain(r: ReturnType<typeof simulateTcp>, fromNs: number, toNs: number): number {
    const got = r.flows.map((f) => {
      const a = f.samples.find((s) => s.tNs >= fromNs)!;
      const b = [...f.samples].reverse().find((s) => s.tNs <= toNs)!;
      return b.delivered - a.delivered;
    });
    return jainIndex(got);
  }

  const path = { bandwidthBps: 24e6, rttNs: 20 * MS, bufferPkts: 40, durationNs: 60 * S };

  it('two Reno flows, the second starting 5 s later, converge to a fair share (Jain >= 0.9, utilisation > 90 %)', () => {
    const r = simulateTcp({ ...path, flows: [{ cc: 'reno' }, { cc: 'reno', startNs: 5 * S }] });
    expect(binsJain(r, 30 * S, 60 * S)).toBeGreaterThanOrEqual(0.9);
    expect(r.summary.utilization).toBeGreaterThan(0.9);
    expect(r.summary.jainFairness).toBeGreaterThan(0.9);
  });

  it('negative control: a control that never reduces (ssthresh = cwnd) against Reno fails the same check', () => {
    const greedy = (): CongestionControl => ({ name: 'greedy', flags: 0, hasCongControl: false, ssthresh: (sk) => sk.cwnd, congAvoid: tcpRenoCongAvoid, undoCwnd: (sk) => sk.cwnd });
    const r = simulateTcp({ ...path, flows: [{ cc: greedy }, { cc: 'reno', startNs: 5 * S }] });
    expect(binsJain(r, 30 * S, 60 * S)).toBeLessThan(0.9);
  });
});

describe('path changes', () => {
  it('an RTT change moves the RTT samples (the route does not reorder)', () => {
    const r = simulateTcp({ bandwidthBps: 12e6, rttNs: 20 * MS, bufferPkts: 20, durationNs: 8 * S, rttChanges: [{ atNs: 3 * S, rttNs: 80 * MS }], flows: [{ cc: 'reno' }] });
    const s = r.flows[0]!.samples.filter((x) => x.rttNs > 0);
    const before = Math.min(...s.filter((x) => x.tNs > 0.5 * S && x.tNs < 3 * S).map((x) => x.rttNs));
    const after = Math.min(...s.filter((x) => x.tNs > 3.5 * S).map((x) => x.rttNs));
    expect(before).toBeGreaterThanOrEqual(20 * MS);
    expect(before).toBeLessThan(45 * MS); // 20 ms + at most the 20-packet queue (20 ms) + serialisation
    expect(after).toBeGreaterThanOrEqual(80 * MS);
    expect(r.raw.flows[0]!.rtos).toBe(0);
  });

  it('a rate change: the flow uses most of each rate and never more', () => {
    const r = simulateTcp({ bandwidthBps: 24e6, rttNs: 20 * MS, durationNs: 10 * S, rateChanges: [{ atNs: 5 * S, bandwidthBps: 6e6 }], flows: [{ cc: 'reno' }] });
    const s = r.flows[0]!.samples;
    const rate = (a: number, b: number): number => {
      const x = s.find((v) => v.tNs >= a)!;
      const y = [...s].reverse().find((v) => v.tNs <= b)!;
      return ((y.delivered - x.delivered) * 1448 * 8 * 1e9) / (y.tNs - x.tNs);
    };
    const cap = (bps: number): number => (bps * 1448) / 1500;
    expect(rate(2 * S, 5 * S)).toBeGreaterThan(0.8 * cap(24e6));
    expect(rate(2 * S, 5 * S)).toBeLessThanOrEqual(cap(24e6) * 1.001);
    expect(rate(6 * S, 10 * S)).toBeGreaterThan(0.8 * cap(6e6));
    expect(rate(6 * S, 10 * S)).toBeLessThanOrEqual(cap(6e6) * 1.001);
  });
});

describe('determinism', () => {
  it('the same seed gives byte-identical JSON; another seed does not', () => {
    const o = { ...T1, lossRate: 0.01, durationNs: 5 * S };
    const a = reportJson(simulateTcp({ ...o, seed: 11, flows: [{ cc: 'reno' }, { cc: 'cubic' }] }));
    const b = reportJson(simulateTcp({ ...o, seed: 11, flows: [{ cc: 'reno' }, { cc: 'cubic' }] }));
    const c = reportJson(simulateTcp({ ...o, seed: 12, flows: [{ cc: 'reno' }, { cc: 'cubic' }] }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
