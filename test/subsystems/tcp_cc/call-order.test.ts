/**
 * Owns the call order of src/subsystems/tcp_cc/sim.ts against the kernel's (spec §3.2-3.5, §6 R1,
 * R2, R5): a recording control around the built-in Reno sees a scripted single drop (fast
 * recovery), RTOs from Open and from Recovery, idle restarts; cong_control controls (TypeScript and
 * the BPF fixture tcp_cc_fixed) own the window.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { installTcpCc } from '../../../src/subsystems/tcp_cc/install.js';
import { builtinReno, type CongestionControl } from '../../../src/subsystems/tcp_cc/cc.js';
import { CA_ACK, CA_EVENT, TCP_CA } from '../../../src/subsystems/tcp_cc/install.js';
import { simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';

interface Call {
  readonly op: string;
  readonly arg: number;
  readonly cwnd: number;
  readonly ssthresh: number;
}

function recorder(): { cc: () => CongestionControl; calls: Call[] } {
  const calls: Call[] = [];
  const reno = builtinReno();
  return {
    calls,
    cc: () => ({
      name: 'rec',
      flags: 0,
      hasCongControl: false,
      init: (sk) => void calls.push({ op: 'init', arg: 0, cwnd: sk.cwnd, ssthresh: sk.ssthresh }),
      release: (sk) => void calls.push({ op: 'release', arg: 0, cwnd: sk.cwnd, ssthresh: sk.ssthresh }),
      ssthresh: (sk) => {
        calls.push({ op: 'ssthresh', arg: 0, cwnd: sk.cwnd, ssthresh: sk.ssthresh });
        return reno.ssthresh(sk);
      },
      congAvoid: (sk, ack, acked) => {
        calls.push({ op: 'cong_avoid', arg: acked, cwnd: sk.cwnd, ssthresh: sk.ssthresh });
        reno.congAvoid!(sk, ack, acked);
      },
      setState: (sk, st) => void calls.push({ op: 'set_state', arg: st, cwnd: sk.cwnd, ssthresh: sk.ssthresh }),
      cwndEvent: (sk, ev) => void calls.push({ op: 'cwnd_event', arg: ev, cwnd: sk.cwnd, ssthresh: sk.ssthresh }),
      inAckEvent: (sk, fl) => void calls.push({ op: 'in_ack_event', arg: fl, cwnd: sk.cwnd, ssthresh: sk.ssthresh }),
      pktsAcked: (sk, n) => void calls.push({ op: 'pkts_acked', arg: n, cwnd: sk.cwnd, ssthresh: sk.ssthresh }),
      undoCwnd: (sk) => {
        calls.push({ op: 'undo_cwnd', arg: 0, cwnd: sk.cwnd, ssthresh: sk.ssthresh });
        return reno.undoCwnd(sk);
      },
    }),
  };
}

const PATH = { bandwidthBps: 12e6, rttNs: 100e6, bufferPkts: 1000, durationNs: 3e9 };
const notPerAck = (c: Call): boolean => !['pkts_acked', 'in_ack_event', 'cong_avoid'].includes(c.op);

describe('call order (spec R1, R2)', () => {
  it('a single drop: dupacks are pkts_acked(0) + in_ack_event(SLOWPATH); ssthresh then set_state(Recovery); no cong_avoid in Recovery; set_state(Open), cwnd = ssthresh, COMPLETE_CWR, then cong_avoid', () => {
    const { cc, calls } = recorder();
    const r = simulateTcp({ ...PATH, flows: [{ cc }], dropScript: [{ flow: 0, seq: 60, times: 1 }] });
    expect(r.raw.flows[0]!.retransmits).toBe(1);
    expect(r.raw.flows[0]!.rtos).toBe(0);
    expect(calls[0]!.op).toBe('init');
    expect(calls[calls.length - 1]!.op).toBe('release');
    const events = calls.filter(notPerAck).map((c) => `${c.op}(${c.arg})`);
    expect(events).toEqual(['init(0)', `cwnd_event(${CA_EVENT.TX_START})`, `set_state(${TCP_CA.Disorder})`, 'ssthresh(0)', `set_state(${TCP_CA.Recovery})`, `set_state(${TCP_CA.Open})`, `cwnd_event(${CA_EVENT.COMPLETE_CWR})`, 'release(0)']);
    const iSs = calls.findIndex((c) => c.op === 'ssthresh');
    // the ACK that triggers recovery: pkts_acked(0) and in_ack_event(SLOWPATH) right before ssthresh
    expect(calls.slice(iSs - 2, iSs).map((c) => `${c.op}(${c.arg})`)).toEqual(['pkts_acked(0)', `in_ack_event(${CA_ACK.SLOWPATH})`]);
    expect(calls[iSs + 1]!.op).toBe('set_state');
    const iOpen = calls.findIndex((c, i) => i > iSs && c.op === 'set_state' && c.arg === TCP_CA.Open);
    expect(calls.slice(iSs, iOpen).some((c) => c.op === 'cong_avoid')).toBe(false);
    // at COMPLETE_CWR the window is ssthresh (Reno: half the cwnd at the ssthresh call), cong_avoid follows on the same ACK
    const cwr = calls[iOpen + 1]!;
    expect(cwr.op).toBe('cwnd_event');
    expect(cwr.cwnd).toBe(cwr.ssthresh);
    expect(cwr.ssthresh).toBe(Math.max(calls[iSs]!.cwnd >> 1, 2));
    expect(calls[iOpen + 2]!.op).toBe('cong_avoid');
    expect(calls[iOpen + 2]!.cwnd).toBe(cwr.ssthresh);
    // a pure in-order ACK is WIN_UPDATE
    expect(calls.filter((c) => c.op === 'in_ack_event' && c.arg === CA_ACK.WIN_UPDATE).length).toBeGreaterThan(1000);
  });

  it('RTO from Open (the whole first window lost): ssthresh, cwnd_event(LOSS), set_state(Loss) with cwnd 1; the next RTO of the episode only set_state(Loss)', () => {
    const { cc, calls } = recorder();
    const dropScript = [{ flow: 0, seq: 0, times: 2 }, ...Array.from({ length: 9 }, (_, i) => ({ flow: 0, seq: i + 1, times: 1 }))];
    const r = simulateTcp({ ...PATH, durationNs: 6e9, flows: [{ cc }], dropScript });
    expect(r.raw.flows[0]!.rtos).toBe(2);
    const events = calls.filter(notPerAck).map((c) => `${c.op}(${c.arg})`);
    expect(events.slice(0, 6)).toEqual(['init(0)', `cwnd_event(${CA_EVENT.TX_START})`, 'ssthresh(0)', `cwnd_event(${CA_EVENT.LOSS})`, `set_state(${TCP_CA.Loss})`, `set_state(${TCP_CA.Loss})`]);
    const ss = calls.find((c) => c.op === 'ssthresh')!;
    expect(ss.cwnd).toBe(10);
    for (const c of calls.filter((x) => x.op === 'set_state' && x.arg === TCP_CA.Loss)) {
      expect(c.cwnd).toBe(1); // tcp_enter_loss: cwnd = in_flight + 1 before set_state
      expect(c.ssthresh).toBe(5);
    }
    // Loss ends when snd_una passes high_seq: set_state(Open), no COMPLETE_CWR (that is for CWR/Recovery)
    expect(events[6]).toBe(`set_state(${TCP_CA.Open})`);
    expect(events).not.toContain(`cwnd_event(${CA_EVENT.COMPLETE_CWR})`);
  });

  it('RTO during Recovery (the fast retransmission lost): set_state(Loss) without a second ssthresh (same episode, spec 3.5)', () => {
    const { cc, calls } = recorder();
    const r = simulateTcp({ ...PATH, durationNs: 6e9, flows: [{ cc }], dropScript: [{ flow: 0, seq: 60, times: 2 }] });
    expect(r.raw.flows[0]!.rtos).toBe(1);
    const events = calls.filter(notPerAck).map((c) => `${c.op}(${c.arg})`);
    const iRec = events.indexOf(`set_state(${TCP_CA.Recovery})`);
    expect(events[iRec - 1]).toBe('ssthresh(0)');
    expect(events[iRec + 1]).toBe(`set_state(${TCP_CA.Loss})`);
    expect(events.filter((e) => e === 'ssthresh(0)')).toHaveLength(1);
    expect(events).not.toContain(`cwnd_event(${CA_EVENT.LOSS})`);
  });

  it('application-limited: after each idle period longer than the RTO, CWND_RESTART then TX_START; the window restarts as tcp_cwnd_restart; a receiver window caps packets in flight', () => {
    const { cc, calls } = recorder();
    const r = simulateTcp({ ...PATH, bufferPkts: 100, durationNs: 10e9, flows: [{ cc, app: { onNs: 1.5e9, offNs: 2e9 } }] });
    expect(r.raw.flows[0]!.rtos).toBe(0);
    const restarts = calls.map((c, i) => ({ c, i })).filter(({ c }) => c.op === 'cwnd_event' && c.arg === CA_EVENT.CWND_RESTART);
    expect(restarts).toHaveLength(2); // idle phases end at 3.5 s and 7 s
    for (const { c, i } of restarts) {
      const next = calls[i + 1]!;
      expect(`${next.op}(${next.arg})`).toBe(`cwnd_event(${CA_EVENT.TX_START})`);
      // idle > 1.5 s, RTO < 1 s: at least one halving, not below min(10, cwnd)
      expect(next.cwnd).toBeLessThanOrEqual(Math.max(10, c.cwnd >> 1));
      expect(next.cwnd).toBeGreaterThanOrEqual(Math.min(10, c.cwnd));
      // ssthresh = tcp_current_ssthresh = max(ssthresh, 3/4 cwnd) in Open
      expect(next.ssthresh).toBe(Math.max(c.ssthresh, (c.cwnd >> 1) + (c.cwnd >> 2)));
    }
    const capped = simulateTcp({ ...PATH, durationNs: 3e9, flows: [{ cc: 'reno', rwndPkts: 30 }] });
    expect(Math.max(...capped.flows[0]!.samples.map((x) => x.inflight))).toBe(30);
    // 30 packets per ~100 ms RTT: about 300 packets/s of the 1000 the link carries
    expect(capped.summary.utilization).toBeGreaterThan(0.2);
    expect(capped.summary.utilization).toBeLessThan(0.32);
  });

  it('a cong_control control (spec R5): called on every ACK with data outstanding, no cong_avoid, no PRR, no COMPLETE_CWR', () => {
    const calls: Call[] = [];
    const samples: { acked: number; prior: number }[] = [];
    const cc = (): CongestionControl => ({
      name: 'cc',
      flags: 0,
      hasCongControl: true,
      ssthresh: (sk) => {
        calls.push({ op: 'ssthresh', arg: 0, cwnd: sk.cwnd, ssthresh: sk.ssthresh });
        return Math.max(sk.cwnd >> 1, 2);
      },
      congControl: (sk, _ack, _flag, rs) => {
        calls.push({ op: 'cong_control', arg: rs.ackedSacked, cwnd: sk.cwnd, ssthresh: sk.ssthresh });
        samples.push({ acked: rs.ackedSacked, prior: rs.priorInFlight });
        sk.cwnd = 40; // a fixed window: only this control sets it
      },
      cwndEvent: (sk, ev) => void calls.push({ op: 'cwnd_event', arg: ev, cwnd: sk.cwnd, ssthresh: sk.ssthresh }),
      setState: (sk, st) => void calls.push({ op: 'set_state', arg: st, cwnd: sk.cwnd, ssthresh: sk.ssthresh }),
      undoCwnd: (sk) => sk.cwnd,
    });
    const r = simulateTcp({ ...PATH, flows: [{ cc }], dropScript: [{ flow: 0, seq: 60, times: 1 }] });
    const n = calls.filter((c) => c.op === 'cong_control').length;
    expect(n).toBe(r.raw.acks);
    expect(calls.some((c) => c.op === 'cwnd_event' && c.arg === CA_EVENT.COMPLETE_CWR)).toBe(false);
    // recovery still runs the state machine (ssthresh + Recovery), but the window is the control's: 40 throughout
    expect(calls.filter((c) => c.op === 'set_state').map((c) => c.arg)).toEqual([TCP_CA.Disorder, TCP_CA.Recovery, TCP_CA.Open]);
    for (const c of calls.filter((x) => x.op === 'cong_control').slice(1)) expect(c.cwnd).toBe(40);
    expect(Math.max(...r.flows[0]!.samples.map((x) => x.inflight))).toBeLessThanOrEqual(40);
    // rate samples: every ACK of new data delivered one packet (ACK per packet), dupacks of SACKed data too
    expect(samples.filter((x) => x.acked === 1).length).toBeGreaterThan(0.95 * n);
  });

  it('a BPF cong_control (tcp_cc_fixed): gets (sk, ack, flag, rs) on every ACK, reads the rate sample, owns cwnd', () => {
    const kernel = new Kernel();
    installTcpCc(kernel);
    const obj = BpfObject.open(readFileSync('programs/tcp_cc_fixed.bpf.o'), { kernel });
    obj.load();
    obj.attach();
    const r = simulateTcp({ ...PATH, kernel, flows: [{ cc: obj.map('bpf_fixed').structOpsInstance }], dropScript: [{ flow: 0, seq: 60, times: 1 }] });
    expect(obj.variable('acks').getInt()).toBe(BigInt(r.raw.acks));
    // the rate samples' acked_sacked add up to every packet delivered
    expect(obj.variable('acked_sacked').getInt()).toBe(BigInt(r.raw.flows[0]!.deliveredPkts));
    expect(r.flows[0]!.retransmits).toBe(1);
    const late = r.flows[0]!.samples.filter((x) => x.tNs > 0.5e9);
    for (const x of late) expect(x.cwnd).toBe(40);
  });
});
