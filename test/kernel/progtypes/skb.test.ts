// These tests check the run-time wall (bpfemu's own faults) with programs the load-time verifier
// refuses, so their kernels load unverified; the verifier's verdicts on such programs are covered
// by test/verifier (corpus and fuzz).
import { describe, expect, it } from 'vitest';
import { TcAction } from '../../../src/helpers/packet.js';
import { decodeSkbCtx, runSkb, SK_BUFF } from '../../../src/kernel/progtypes/skb.js';
import { FRAMES, kernel, load, ProgType, skbCtx, testRun, u32At } from './harness.js';

const EFAULT = -14;
const EINVAL = -22;
const ENOTSUPP = -524;

describe('__sk_buff contexts', () => {
  it('stores to fields a type may not write fault (the verifier rejects them at load)', () => {
    const k = kernel({ verify: false });
    const cases: [number, string][] = [
      [ProgType.SCHED_CLS, 'mov r2, 1\nstxw [r1+0], r2\nmov r0, 0\nexit'], // len
      [ProgType.SCHED_CLS, 'mov r2, 1\nstxh [r1+8], r2\nmov r0, 0\nexit'], // narrow mark store
      [ProgType.SOCKET_FILTER, 'mov r2, 1\nstxw [r1+8], r2\nmov r0, 0\nexit'], // mark
      [ProgType.CGROUP_SKB, 'mov r2, 1\nstxw [r1+44], r2\nmov r0, 1\nexit'], // tc_index
      [ProgType.SCHED_CLS, 'mov r2, 1\nstxw [r1+76], r2\nmov r0, 0\nexit'], // data
      [ProgType.LWT_XMIT, 'ldxw r0, [r1+72]\nexit'], // tc_classid is tc-only
      [ProgType.SOCKET_FILTER, 'ldxw r0, [r1+76]\nexit'], // no direct packet access
      [ProgType.CGROUP_SKB, 'ldxw r0, [r1+140]\nmov r0, 1\nexit'], // data_meta
      [ProgType.SCHED_CLS, 'ldxw r0, [r1+88]\nexit'], // family
      [ProgType.SCHED_CLS, 'ldxw r0, [r1+152]\nexit'], // tstamp is 8 bytes
    ];
    for (const [type, text] of cases) {
      const fd = load(k, type, text);
      expect([type, text, testRun(k, fd, { data: FRAMES.v4_tcp80 }).err]).toEqual([type, text, EFAULT]);
      expect(k.lastFault?.kind).toBe('bad_ctx_access');
    }
  });

  it('tc may write the packet directly; cgroup_skb and lwt_in may only read it', () => {
    const k = kernel({ verify: false });
    const write = 'ldxw r2, [r1+76]\nldxw r3, [r1+80]\nmov r4, r2\nadd r4, 1\njgt r4, r3, +2\nmov r5, 0x77\nstxb [r2+0], r5\nmov r0, 1\nexit';
    const tc = testRun(k, load(k, ProgType.SCHED_CLS, write), { data: FRAMES.v4_tcp80 });
    expect([tc.err, tc.dataOut[0]]).toEqual([0, 0x77]);
    for (const t of [ProgType.CGROUP_SKB, ProgType.LWT_IN]) {
      expect(testRun(k, load(k, t, write), { data: FRAMES.v4_tcp80 }).err).toBe(EFAULT);
      expect(k.lastFault?.kind).toBe('read_only');
    }
    const lwtXmit = testRun(k, load(k, ProgType.LWT_XMIT, write), { data: FRAMES.v4_tcp80 });
    expect([lwtXmit.err, lwtXmit.dataOut[14]]).toEqual([0, 0x77]);
  });

  it('tc data_meta equals data (no metadata in a test run) and sk points to the test socket', () => {
    const k = kernel({ verify: false });
    // r0 = (data - data_meta) | sk->family << 8 | (sk->src_ip4 == 10.0.0.1) << 16
    const text = `ldxw r2, [r1+76]
ldxw r3, [r1+140]
mov r0, r2
sub r0, r3
ldxdw r4, [r1+168]
jeq r4, 0, +6
ldxw r5, [r4+4]
lsh r5, 8
or r0, r5
ldxw r5, [r4+24]
jne r5, 0x0100000a, +1
or r0, 0x10000
exit`;
    const r = testRun(k, load(k, ProgType.SCHED_CLS, text), { data: FRAMES.v4_tcp80 });
    expect([r.err, r.retval]).toEqual([0, 0x10200]);
  });

  it('LD_ABS is only for socket filters and tc', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.CGROUP_SKB, 'mov r6, r1\nldabsb 0\nmov r0, 1\nexit');
    expect(testRun(k, fd, { data: FRAMES.v4_tcp80 }).err).toBe(EFAULT);
    expect(k.lastFault?.kind).toBe('invalid');
  });

  it('tc bpf_redirect records the target with BPF_F_INGRESS', () => {
    const k = kernel({ verify: false });
    const r = testRun(k, load(k, ProgType.SCHED_CLS, 'mov r1, 4\nmov r2, 1\ncall 23\nexit'), { data: FRAMES.v4_tcp80 });
    expect(r.retval).toBe(TcAction.REDIRECT);
    expect(k.lastTestRun?.redirect).toEqual({ kind: 'ifindex', ifindex: 4, flags: 1 });
  });

  it('sk_skb and lwt_seg6local have no test run but run directly', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.SK_SKB, 'ldxw r0, [r1+0]\nexit');
    expect(testRun(k, fd, { data: FRAMES.v4_tcp80 }).err).toBe(ENOTSUPP);
    const prog = [...k.liveProgs()].find((p) => p.type === ProgType.SK_SKB)!;
    const r = runSkb(k, prog, { data: FRAMES.v4_tcp80 });
    expect(typeof r === 'number' ? r : [r.retval, r.fault]).toEqual([46, null]);
    expect(testRun(k, load(k, ProgType.LWT_SEG6LOCAL, 'mov r0, 0\nexit'), { data: FRAMES.v4_tcp80 }).err).toBe(ENOTSUPP);
  });

  it('runSkb applies ctx fields and reports the skb', () => {
    const k = kernel({ verify: false });
    load(k, ProgType.SCHED_CLS, 'ldxw r0, [r1+8]\nadd r0, 1\nstxw [r1+8], r0\nexit');
    const prog = [...k.liveProgs()][0]!;
    const r = runSkb(k, prog, { data: FRAMES.v4_tcp80, ctx: { mark: 41, cb: [1, 2, 3, 4, 5], wireLen: 100 }, repeat: 2 });
    if (typeof r === 'number') throw new Error(String(r));
    expect([r.retval, r.skb.mark, r.skb.wireLen, [...r.skb.cb]]).toEqual([43, 43, 100, [1, 2, 3, 4, 5]]);
    expect(runSkb(k, prog, { data: FRAMES.v4_tcp80, ctx: { wireLen: 10 } })).toBe(EINVAL);
    expect(runSkb(k, prog, { data: FRAMES.v4_tcp80, ctx: { ifindex: 3 } })).toBe(-19);
  });

  it('decodeSkbCtx accepts exactly the convert___skb_to_skb fields', () => {
    const c = decodeSkbCtx(skbCtx({ 8: 1, 32: 2, 36: 3, 40: 1, 64: 5, 160: 70, 164: 2, 176: 9 }, { 152: 7n, 184: 8n }));
    expect(c).toEqual({ mark: 1, priority: 2, ingressIfindex: 3, ifindex: 1, cb: [0, 0, 0, 0, 5], tstamp: 7n, wireLen: 70, gsoSegs: 2, gsoSize: 9, hwtstamp: 8n });
    for (const off of [0, 4, 12, 44, 68, 72, 76, 140, 168, 180]) expect(decodeSkbCtx(skbCtx({ [off]: 1 }))).toBe(EINVAL);
    expect(SK_BUFF.size).toBe(192);
    expect(u32At(skbCtx({ 8: 9 }), 8)).toBe(9);
  });
});
