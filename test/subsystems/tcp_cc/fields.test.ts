/**
 * Owns what src/subsystems/tcp_cc/sim.ts keeps for congestion controls to read besides the
 * window: tp->rtt_min (the windowed minimum filter tcp_min_rtt() reads, 300 s window) and
 * tp->bytes_acked, checked against the simulation's own RTT samples and snd_una; sk_pacing_rate as
 * tcp_update_pacing_rate sets it; and the clocks
 * (bpf_ktime_get_ns, bpf_jiffies64 in fixture tcp_cc_kernel_clock) following the simulated time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { installTcpCc } from '../../../src/subsystems/tcp_cc/install.js';
import { builtinReno, type CongestionControl } from '../../../src/subsystems/tcp_cc/cc.js';
import { simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';
import { rttMinReset, rttMinUpdate, tcpMinRtt, TcpSock } from '../../../src/subsystems/tcp_cc/sock.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { liveBss } from './live-util.js';

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

  it('sk_pacing_rate is mss x max(cwnd, packets_out) / srtt at 200 % in slow start below ssthresh / 2, else 120 % (tcp_update_pacing_rate)', () => {
    const ratios: { ss: boolean; r: number }[] = [];
    const reno = builtinReno();
    const cc = (): CongestionControl => ({
      ...reno,
      name: 'pacing',
      congAvoid: (sk, ack, acked) => {
        // what the previous ACK left: the window has moved by at most one ACK's worth since
        const rate = Number(sk.dv.getBigUint64(488, true));
        const srtt = sk.u32('srtt_us') / 8 / 1e6;
        const base = (1448 * Math.max(sk.cwnd, sk.packetsOut)) / srtt;
        if (srtt > 0 && rate > 0) ratios.push({ ss: sk.cwnd < sk.ssthresh / 2, r: rate / base });
        reno.congAvoid!(sk, ack, acked);
      },
    });
    simulateTcp({ bandwidthBps: 20e6, rttNs: 40 * MS, bufferPkts: 60, durationNs: 3e9, flows: [{ cc }] });
    const ss = ratios.filter((x) => x.ss);
    const ca = ratios.filter((x) => !x.ss);
    expect(ss.length).toBeGreaterThan(20);
    expect(ca.length).toBeGreaterThan(1000);
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    expect(Math.abs(median(ca.map((x) => x.r)) - 1.2)).toBeLessThan(0.03);
    expect(median(ss.map((x) => x.r))).toBeGreaterThan(1.6);
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

describe('clocks in a congestion control', () => {
  it('bpf_ktime_get_ns and bpf_jiffies64 follow the simulated time (init at the flow start, release at the end; HZ 1000)', () => {
    const kernel = new Kernel();
    installTcpCc(kernel);
    const obj = BpfObject.open(readFileSync('programs/tcp_cc_kernel_clock.bpf.o'), { kernel });
    obj.load();
    obj.attach();
    const t0 = kernel.monotonicNs();
    const r = simulateTcp({ kernel, bandwidthBps: 10e6, rttNs: 20 * MS, durationNs: 2e9, flows: [{ cc: obj.map('bpfemu_clock').structOpsInstance, startNs: 250 * MS }] });
    const v = (n: string): bigint => obj.variable(n).getInt() as bigint;
    expect(v('init_ns') - t0).toBe(250_000_000n);
    const span = Number(v('release_ns') - v('init_ns'));
    // release runs at the last simulated event, within one RTT of the end
    expect(span).toBeLessThanOrEqual(1.75e9);
    expect(span).toBeGreaterThan(1.75e9 - 20 * MS);
    expect(Math.abs(Number(v('release_jiffies') - v('init_jiffies')) - span / 1e6)).toBeLessThanOrEqual(1);
    // ACKs come at least every packet time of a backlogged flow: no gap near a second
    expect(Number(v('max_gap_ns'))).toBeLessThan(300 * MS);
    expect(Number(v('calls'))).toBeGreaterThan(1000);
    expect(r.raw.flows[0]!.deliveredPkts).toBeGreaterThan(1000);
  });
});

const isRoot = process.getuid?.() === 0;
const hasTools = spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status === 0 && spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const live = isRoot && hasTools && readFileSync('/proc/version', 'utf8').includes(' 6.18');
const why = !isRoot ? 'not root' : !hasTools ? 'no bpftool or python3' : 'not a 6.18 kernel';

describe('against the running kernel', () => {
  it.skipIf(!live)(`tcp_cc_kernel_clock registers and runs on 6.18; there bpf_jiffies64 ticks at the machine's CONFIG_HZ (250, where bpfemu assumes 1000)${live ? '' : ` (skipped: ${why})`}`, () => {
    execFileSync('bpftool', ['struct_ops', 'register', 'programs/tcp_cc_kernel_clock.bpf.o'], { stdio: 'pipe' });
    try {
      execFileSync('python3', ['test/subsystems/tcp_cc/loopback.py', 'bpfemu_clock'], { stdio: 'pipe' });
      const b = liveBss('clk_init') as Record<string, number>;
      const span = b.release_ns! - b.init_ns!;
      expect(span).toBeGreaterThan(0);
      expect(b.calls).toBeGreaterThan(0);
      const ticks = b.release_jiffies! - b.init_jiffies!;
      expect(ticks).toBeLessThanOrEqual(Math.ceil(span / 4e6) + 1);
      expect(ticks).toBeGreaterThanOrEqual(Math.floor(span / 4e6) - 1);
    } finally {
      spawnSync('bpftool', ['struct_ops', 'unregister', 'name', 'bpfemu_clock'], { stdio: 'ignore' });
    }
  });
});
