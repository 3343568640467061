/**
 * Owns the rate samples of src/subsystems/tcp_cc/sim.ts (net/ipv4/tcp_rate.c: tcp_rate_skb_sent,
 * tcp_rate_skb_delivered, tcp_rate_gen, tcp_rate_check_app_limited) that cong_control receives
 * and tp->rate_delivered / rate_interval_us / delivered_mstamp, and pacing at sk_pacing_rate
 * (tcp_update_skb_after_send), checked against the path's configured bottleneck rate and the
 * configured pacing rate, which the emulator does not compute from the samples.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import type { CongestionControl, RateSampleLite } from '../../../src/subsystems/tcp_cc/cc.js';
import { installTcpCc } from '../../../src/subsystems/tcp_cc/install.js';
import { goodputCapacity, simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';
import { tcpMinRtt } from '../../../src/subsystems/tcp_cc/sock.js';

const MS = 1e6;
const MSS = 1448;

/** A cong_control control with a fixed window that records every sample. */
function fixedWindow(cwnd: number, out: (RateSampleLite & { t: number; minRtt: number; rateDelivered: number; rateIntervalUs: number })[]): () => CongestionControl {
  return () => ({
    name: 'fixed',
    flags: 0,
    hasCongControl: true,
    init: (sk) => void (sk.cwnd = cwnd),
    ssthresh: (sk) => sk.cwnd,
    undoCwnd: (sk) => sk.cwnd,
    congControl: (sk, _ack, _flag, rs) => {
      out.push({ ...rs, t: Number(sk.dv.getBigUint64(1656, true)), minRtt: tcpMinRtt(sk), rateDelivered: sk.u32('rate_delivered'), rateIntervalUs: sk.u32('rate_interval_us') });
      sk.cwnd = cwnd;
    },
  });
}

describe('rate samples (tcp_rate.c)', () => {
  it('a flow that keeps the bottleneck busy measures its rate: delivered / interval_us is the link\'s payload rate within 2 %', () => {
    const samples: Parameters<typeof fixedWindow>[1] = [];
    const bw = 24e6;
    // 2 BDP of window over a 2-BDP buffer: the bottleneck never idles after the first RTTs
    const r = simulateTcp({ bandwidthBps: bw, rttNs: 20 * MS, bufferPkts: 200, durationNs: 2e9, flows: [{ cc: fixedWindow(80, samples) }] });
    expect(r.raw.drops).toBe(0);
    const cap = goodputCapacity(bw, MSS); // payload bits per second of the link
    const late = samples.filter((s) => s.t > 500_000 && s.intervalUs! > 0);
    expect(late.length).toBeGreaterThan(1000);
    for (const s of late) {
      const rate = (s.delivered * MSS * 8 * 1e6) / s.intervalUs!;
      expect(Math.abs(rate / cap - 1)).toBeLessThan(0.02);
      // the sample's interval is at least the minimum RTT, and delivered counts this ACK's packets
      expect(s.intervalUs!).toBeGreaterThanOrEqual(s.minRtt);
      expect(s.delivered).toBeGreaterThanOrEqual(s.ackedSacked);
      expect(s.isAppLimited).toBe(false);
    }
    // tp->rate_delivered / rate_interval_us hold the last sample
    const last = late.at(-1)!;
    expect(Math.abs((last.rateDelivered * MSS * 8 * 1e6) / last.rateIntervalUs / cap - 1)).toBeLessThan(0.02);
  });

  it('the first ACK samples one packet over its ACK phase (one RTT); samples shorter than the minimum RTT are refused (-1)', () => {
    const samples: Parameters<typeof fixedWindow>[1] = [];
    simulateTcp({ bandwidthBps: 24e6, rttNs: 20 * MS, durationNs: 300 * MS, flows: [{ cc: fixedWindow(20, samples) }] });
    expect(samples[0]!.delivered).toBe(1);
    expect(samples[0]!.sndIntervalUs).toBe(0);
    expect(samples[0]!.intervalUs).toBe(samples[0]!.rcvIntervalUs);
    expect(Math.abs(samples[0]!.intervalUs! - samples[0]!.rttUs)).toBeLessThanOrEqual(1);
    for (const s of samples) if (s.intervalUs === -1) expect(s.delivered === -1 || Math.max(s.sndIntervalUs!, s.rcvIntervalUs!) < s.minRtt).toBe(true);
  });

  it('an application-limited flow marks its samples app-limited after the pauses, and they never raise rate_delivered above the link', () => {
    const samples: Parameters<typeof fixedWindow>[1] = [];
    const bw = 24e6;
    simulateTcp({ bandwidthBps: bw, rttNs: 20 * MS, bufferPkts: 200, durationNs: 2e9, flows: [{ cc: fixedWindow(80, samples), app: { onNs: 100 * MS, offNs: 100 * MS } }] });
    expect(samples.some((s) => s.isAppLimited === true)).toBe(true);
    expect(samples.some((s) => s.isAppLimited === false && s.intervalUs! > 0)).toBe(true);
    const cap = goodputCapacity(bw, MSS);
    for (const s of samples) if (s.rateIntervalUs > 0) expect((s.rateDelivered * MSS * 8 * 1e6) / s.rateIntervalUs).toBeLessThan(cap * 1.02);
  });

  it('pacing: a control that sets sk_pacing_status and sk_pacing_rate is paced at that rate (no queue); without a rate it is not', () => {
    const bw = 24e6;
    const cap = goodputCapacity(bw, MSS);
    const paced = (rateBytes: number): (() => CongestionControl) => () => ({
      name: 'paced',
      flags: 0,
      hasCongControl: true,
      init: (sk) => {
        sk.cwnd = 400;
        sk.dv.setUint32(428, 1, true); // sk_pacing_status = SK_PACING_NEEDED
        sk.dv.setBigUint64(488, BigInt(rateBytes), true);
      },
      ssthresh: (sk) => sk.cwnd,
      undoCwnd: (sk) => sk.cwnd,
      congControl: (sk) => void (sk.cwnd = 400),
    });
    // half the link's payload rate, in bytes/s of TCP segments (payload + 32 header bytes)
    const half = ((cap / 2) * ((MSS + 32) / MSS)) / 8;
    const r = simulateTcp({ bandwidthBps: bw, rttNs: 20 * MS, bufferPkts: 1000, durationNs: 3e9, flows: [{ cc: paced(half) }] });
    const f = r.raw.flows[0]!;
    expect(Math.abs(f.throughputBps / (cap / 2) - 1)).toBeLessThan(0.03);
    // below the link rate the bottleneck queue stays empty: every RTT sample is the base RTT
    const late = f.rttsUs.slice(100);
    expect(Math.max(...late)).toBeLessThan(20_000 + 2 * 500); // base RTT + two packet times
    // the same control without a rate: 400 packets at once fill the queue
    const u = simulateTcp({ bandwidthBps: bw, rttNs: 20 * MS, bufferPkts: 1000, durationNs: 3e9, flows: [{ cc: paced(0) }] }).raw.flows[0]!;
    expect(Math.max(...u.rttsUs.slice(100))).toBeGreaterThan(100_000);
  });

  it('a BPF cong_control reads the same struct rate_sample (tcp_cc_fixed still owns the window)', () => {
    const kernel = new Kernel();
    installTcpCc(kernel);
    const obj = BpfObject.open(readFileSync('programs/tcp_cc_fixed.bpf.o'), { kernel });
    obj.load();
    obj.attach();
    const r = simulateTcp({ kernel, bandwidthBps: 24e6, rttNs: 20 * MS, durationNs: 500 * MS, flows: [{ cc: obj.map('bpf_fixed').structOpsInstance }] });
    expect(Number(obj.variable('acked_sacked').getInt())).toBeGreaterThan(0);
    expect(Number(obj.variable('acked_sacked').getInt())).toBeLessThanOrEqual(r.raw.flows[0]!.deliveredPkts);
  });
});
