/**
 * Owns the receiving socket of src/subsystems/tcp_cc/sim.ts (FlowConfig.receiver): the receiver's
 * congestion control gets CA_EVENT_ECN_IS_CE / ECN_NO_CE per data segment (__tcp_ecn_check_ce),
 * delayed ACKs (__tcp_ack_snd_check), ECE from TCP_ECN_DEMAND_CWR, CWR clearing it, and
 * bpf_tcp_send_ack from the receiver. Checked with the vmlinux.h-built DCTCP fixture
 * (tcp_cc_kernel_dctcp) against counts computed outside the emulator: with every k-th packet
 * CE-marked and no loss, exactly floor(n / k) of the first n packets are marked, so the sender's
 * delivered_ce must be floor(delivered / k) when every ACK's ECE is exact.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { builtinReno, type CongestionControl } from '../../../src/subsystems/tcp_cc/cc.js';
import { CA_EVENT, installTcpCc } from '../../../src/subsystems/tcp_cc/install.js';
import { simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';
import { liveBss } from './live-util.js';

const MS = 1e6;
const S = 1e9;

function load(file: string, map: string): { kernel: Kernel; obj: BpfObject; cc: ReturnType<BpfObject['map']>['structOpsInstance']; n: (v: string) => number } {
  const kernel = new Kernel();
  installTcpCc(kernel);
  const obj = BpfObject.open(readFileSync(`programs/${file}.bpf.o`), { kernel });
  obj.load();
  obj.attach();
  return { kernel, obj, cc: obj.map(map).structOpsInstance, n: (v) => Number(obj.variable(v).getInt()) };
}

const path = { bandwidthBps: 12e6, rttNs: 10 * MS, bufferPkts: 1000, durationNs: 2 * S };

describe('the receiving socket', () => {
  it('its congestion control gets ECN_IS_CE for every CE-marked data segment and ECN_NO_CE for every other one', () => {
    const { kernel, cc, n } = load('tcp_cc_kernel_dctcp', 'bpfemu_dctcp');
    const r = simulateTcp({ kernel, ...path, flows: [{ cc, receiver: { cc: 'same' } }], ceMarkEvery: 4 });
    const f = r.raw.flows[0]!;
    expect(r.raw.drops).toBe(0);
    const segs = n('ce_events') + n('no_ce_events');
    expect(segs).toBeGreaterThan(500);
    expect(n('ce_events')).toBe(Math.floor(segs / 4));
    expect(n('ce_events')).toBe(f.ceReceived);
    // ACK every packet without delayed ACKs: ECE is exact whatever the receiver does
    expect(f.deliveredCe).toBe(Math.floor(f.deliveredPkts / 4));
    expect(f.rxAcks).toBe(segs);
    expect(n('inits')).toBe(2); // sender and receiver
  });

  for (const k of [3, 5, 20]) {
    it(`with delayed ACKs, DCTCP's special ACK (bpf_tcp_send_ack) keeps every ACK's ECE exact: delivered_ce = floor(delivered / ${k})`, () => {
      const { kernel, cc, n } = load('tcp_cc_kernel_dctcp', 'bpfemu_dctcp');
      const r = simulateTcp({ kernel, ...path, flows: [{ cc, receiver: { cc: 'same', delayedAck: true } }], ceMarkEvery: k });
      const f = r.raw.flows[0]!;
      expect(r.raw.drops).toBe(0);
      expect(f.deliveredCe).toBe(Math.floor(f.deliveredPkts / k));
      expect(n('special_acks')).toBeGreaterThan(0);
      expect(f.sendAcks).toBe(n('special_acks'));
      // fewer ACKs than segments: some were delayed
      expect(f.rxAcks).toBeLessThan(n('ce_events') + n('no_ce_events') + f.sendAcks);
    });
  }

  it('a receiver without the CE state machine (RFC 3168 echo: ECE until the sender\'s CWR) does not report the marks exactly', () => {
    const { kernel, cc } = load('tcp_cc_dctcp', 'bpf_dctcp');
    const r = simulateTcp({ kernel, ...path, flows: [{ cc, receiver: { cc: 'same', delayedAck: true } }], ceMarkEvery: 5 });
    const f = r.raw.flows[0]!;
    expect(f.sendAcks).toBe(0);
    expect(f.deliveredCe).not.toBe(Math.floor(f.deliveredPkts / 5));
  });

  it('a receiver whose control does not need ECN gets no CE events; delayed ACKs halve the ACKs after the 16 quick ones', () => {
    const calls: { op: string; arg: number }[] = [];
    const reno = builtinReno();
    const rec = (): CongestionControl => ({
      ...reno,
      name: 'rec',
      init: () => void calls.push({ op: 'init', arg: 0 }),
      release: () => void calls.push({ op: 'release', arg: 0 }),
      cwndEvent: (_sk, ev) => void calls.push({ op: 'cwnd_event', arg: ev }),
    });
    const r = simulateTcp({ ...path, flows: [{ cc: 'reno', receiver: { cc: rec, delayedAck: true } }], durationNs: 1 * S });
    const f = r.raw.flows[0]!;
    expect(calls.map((c) => c.op)).toEqual(['init', 'release']);
    // no loss, in-order data: one ACK per two segments, plus the quick ACKs at the start
    const segs = f.deliveredPkts;
    expect(f.rxAcks).toBeGreaterThanOrEqual(Math.floor(segs / 2));
    expect(f.rxAcks).toBeLessThanOrEqual(Math.ceil(segs / 2) + 16 + 10);
    // a control that needs ECN does get them, one per segment
    const calls2: number[] = [];
    const ecn = (): CongestionControl => ({ ...reno, name: 'ecnrec', flags: 2, cwndEvent: (_sk, ev) => void calls2.push(ev) });
    const r2 = simulateTcp({ ...path, flows: [{ cc: ecn, receiver: { cc: ecn } }], ceMarkEvery: 7, durationNs: 1 * S });
    const f2 = r2.raw.flows[0]!;
    const rx = calls2.filter((e) => e === CA_EVENT.ECN_IS_CE || e === CA_EVENT.ECN_NO_CE);
    expect(rx.filter((e) => e === CA_EVENT.ECN_IS_CE).length).toBe(f2.ceReceived);
    expect(rx.filter((e) => e === CA_EVENT.ECN_IS_CE).length).toBe(Math.floor(rx.length / 7));
  });

  it('an ACK for data never sent (a bogus rcv_nxt given to bpf_tcp_send_ack) is dropped by the sender, as tcp_ack drops it', () => {
    const reno = builtinReno();
    let sent = 0;
    const bogus = (): CongestionControl => ({
      ...reno,
      name: 'bogus',
      flags: 2,
      cwndEvent: (sk, ev) => {
        if (ev === CA_EVENT.ECN_NO_CE && sent++ < 50) sk.sockopt!.sendAck(0xfffff000);
      },
    });
    const ecn = (): CongestionControl => ({ ...reno, name: 'ecn', flags: 2 });
    const good = simulateTcp({ ...path, durationNs: 500 * MS, flows: [{ cc: ecn, receiver: { cc: ecn } }] });
    const r = simulateTcp({ ...path, durationNs: 500 * MS, flows: [{ cc: ecn, receiver: { cc: bogus } }] });
    expect(r.raw.flows[0]!.sendAcks).toBe(50);
    // the same transfer as without the bogus ACKs
    expect(r.raw.flows[0]!.deliveredPkts).toBe(good.raw.flows[0]!.deliveredPkts);
    expect(r.raw.flows[0]!.retransmits).toBe(0);
  });

  it('without ECN the DCTCP fixture switches its socket to reno from init (bpf_setsockopt(TCP_CONGESTION)), as on 6.18', () => {
    const { kernel, cc, n } = load('tcp_cc_kernel_dctcp', 'bpfemu_dctcp');
    // the sender is the TypeScript Reno (no ECN negotiated); the receiver selected bpfemu_dctcp
    const r = simulateTcp({ kernel, ...path, flows: [{ cc: 'reno', receiver: { cc } }], durationNs: 200 * MS });
    expect(r.raw.flows[0]!.deliveredPkts).toBeGreaterThan(50);
    expect([n('inits'), n('fallbacks'), n('fallback_rc'), n('releases'), n('no_ce_events')]).toEqual([1, 1, 0, 0, 0]);
  });
});

const isRoot = process.getuid?.() === 0;
const hasTools = spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status === 0 && spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const live = isRoot && hasTools && readFileSync('/proc/version', 'utf8').includes(' 6.18');
const why = !isRoot ? 'not root' : !hasTools ? 'no bpftool or python3' : 'not a 6.18 kernel';

describe('against the running kernel', () => {
  it.skipIf(!live)(`tcp_cc_kernel_dctcp runs on 6.18: on both ends of a loopback connection the receiver gets ECN_NO_CE events; on one end it falls back to reno with bpf_setsockopt returning 0${live ? '' : ` (skipped: ${why})`}`, () => {
    const run = (server: string[]): Record<string, number> => {
      execFileSync('bpftool', ['struct_ops', 'register', 'programs/tcp_cc_kernel_dctcp.bpf.o'], { stdio: 'pipe' });
      try {
        execFileSync('python3', ['test/subsystems/tcp_cc/loopback.py', 'bpfemu_dctcp', ...server], { stdio: 'pipe' });
        return liveBss('kdctcp_init') as Record<string, number>;
      } finally {
        spawnSync('bpftool', ['struct_ops', 'unregister', 'name', 'bpfemu_dctcp'], { stdio: 'ignore' });
      }
    };
    const both = run(['bpfemu_dctcp']);
    expect(both.inits).toBe(2);
    expect(both.fallbacks).toBe(0);
    expect(both.no_ce_events).toBeGreaterThan(0);
    expect(both.windows).toBeGreaterThan(0);
    const one = run([]);
    expect([one.inits, one.fallbacks, one.fallback_rc, one.releases]).toEqual([1, 1, 0, 0]);
  });
});
