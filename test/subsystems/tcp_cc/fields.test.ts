/**
 * Owns the tcp_sock fields src/subsystems/tcp_cc/sim.ts keeps for congestion controls to read
 * besides the window: tp->rtt_min (the windowed minimum filter tcp_min_rtt() reads, 300 s window)
 * and tp->bytes_acked, checked against the simulation's own RTT samples and snd_una.
 */
import { describe, expect, it } from 'vitest';
import { builtinReno, type CongestionControl } from '../../../src/subsystems/tcp_cc/cc.js';
import { simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';
import { rttMinReset, rttMinUpdate, tcpMinRtt, TcpSock } from '../../../src/subsystems/tcp_cc/sock.js';
import { Kernel } from '../../../src/kernel/kernel.js';

const MS = 1e6;

describe('fields a congestion control reads', () => {
  it('rtt_min is the minimum RTT sample so far and bytes_acked is snd_una in bytes, at every cong_avoid', () => {
    const seen: { minRtt: number; bytesAcked: number; sndUna: number }[] = [];
    const reno = builtinReno();
    const cc = (): CongestionControl => ({
      ...reno,
      name: 'reader',
      congAvoid: (sk, ack, acked) => {
        const lo = sk.dv.getUint32(1824, true);
        const hi = sk.dv.getUint32(1828, true);
        seen.push({ minRtt: tcpMinRtt(sk), bytesAcked: hi * 4294967296 + lo, sndUna: sk.u32('snd_una') });
        reno.congAvoid!(sk, ack, acked);
      },
    });
    // the base RTT drops from 40 ms to 20 ms after 1 s: the minimum follows at once
    const r = simulateTcp({ bandwidthBps: 20e6, rttNs: 40 * MS, bufferPkts: 60, durationNs: 3e9, lossRate: 0.001, seed: 4, rttChanges: [{ atNs: 1e9, rttNs: 20 * MS }], flows: [{ cc }] });
    const rtts = r.raw.flows[0]!.rttsUs;
    expect(seen.length).toBeGreaterThan(1000);
    for (let i = 0; i < seen.length; i++) {
      expect(seen[i]!.bytesAcked).toBe(seen[i]!.sndUna);
      if (i > 0) expect(seen[i]!.minRtt).toBeLessThanOrEqual(seen[i - 1]!.minRtt);
      expect(rtts).toContain(seen[i]!.minRtt);
    }
    expect(seen.at(-1)!.minRtt).toBe(Math.min(...rtts));
    expect(Math.min(...rtts)).toBeLessThan(25_000);
    expect(seen[0]!.minRtt).toBeGreaterThan(40_000);
  });

  it('the minimum filter forgets a minimum older than its window (lib/win_minmax.c)', () => {
    const sk = new TcpSock(new Kernel(), 'minmax');
    const win = 1000;
    rttMinReset(sk, 0, 0xffffffff);
    expect(rttMinUpdate(sk, win, 0, 50)).toBe(50);
    expect(rttMinUpdate(sk, win, 300, 80)).toBe(50); // a quarter window later: a second-best sample
    expect(rttMinUpdate(sk, win, 600, 90)).toBe(50); // half a window later: a third
    // one window after the minimum it expires and the second-best takes its place
    expect(rttMinUpdate(sk, win, 1001, 95)).toBe(80);
    expect(rttMinUpdate(sk, win, 1400, 99)).toBe(90);
    // nothing left in the window at all: the new sample is the minimum
    expect(rttMinUpdate(sk, win, 5000, 120)).toBe(120);
    sk.free();
  });
});
