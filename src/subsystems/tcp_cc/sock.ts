/**
 * The emulated TCP socket a congestion control sees: a `struct tcp_sock` byte image with the Linux
 * 6.18 layout ({@link TCP_FIELDS}), mapped into guest memory so that BPF programs read and write
 * it through their `struct sock *` argument, and accessed from TypeScript by the sender and the
 * kfuncs through typed getters. Units are the kernel's: cwnd in packets, `srtt_us` is µs × 8,
 * `mdev_us` µs × 4, sequence numbers in bytes (u32, wrapping).
 */
import { Memory, PERM_RW, RegionKind } from '../../vm/memory.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { TcpSockopt } from './sockopt.js';
import { ICSK_CA_STATE_BYTE, ICSK_FIELDS, IS_CWND_LIMITED_BIT, IS_CWND_LIMITED_BYTE, SIZEOF, SKC_STATE_OFF, SOCK_FIELDS, TCP_FIELDS } from './layout.js';

const T = TCP_FIELDS;
const o = (name: string): number => T[name]!.off;

/** Byte offsets used on every ACK, resolved once. */
const OFF = {
  snd_cwnd: o('snd_cwnd'),
  snd_ssthresh: o('snd_ssthresh'),
  snd_cwnd_cnt: o('snd_cwnd_cnt'),
  snd_cwnd_clamp: o('snd_cwnd_clamp'),
  snd_cwnd_stamp: o('snd_cwnd_stamp'),
  prior_cwnd: o('prior_cwnd'),
  prior_ssthresh: o('prior_ssthresh'),
  packets_out: o('packets_out'),
  sacked_out: o('sacked_out'),
  lost_out: o('lost_out'),
  retrans_out: o('retrans_out'),
  max_packets_out: o('max_packets_out'),
} as const;

/** TCP_INFINITE_SSTHRESH. */
export const TCP_INFINITE_SSTHRESH = 0x7fffffff;

/** A tcp_sock image plus its guest mapping. */
export class TcpSock {
  readonly bytes = new Uint8Array(SIZEOF.tcp_sock);
  readonly dv = new DataView(this.bytes.buffer);
  readonly region: number;
  /** Guest pointer to the struct (what `struct sock *sk` holds). */
  readonly pointer: bigint;

  constructor(readonly kernel: Kernel, label: string) {
    this.region = kernel.mem.map(this.bytes, { kind: RegionKind.KERNEL, perm: PERM_RW, label: `struct tcp_sock of ${label}` });
    this.pointer = Memory.pointer(this.region, 0);
  }

  /** Unmap the image (the simulated connection is gone). */
  free(): void {
    this.kernel.retireRegion(this.region);
  }

  u32(field: string): number {
    return this.dv.getUint32(T[field]!.off, true);
  }
  setU32(field: string, v: number): void {
    this.dv.setUint32(T[field]!.off, v >>> 0, true);
  }

  get cwnd(): number {
    return this.dv.getUint32(OFF.snd_cwnd, true);
  }
  set cwnd(v: number) {
    this.dv.setUint32(OFF.snd_cwnd, v >>> 0, true);
  }
  get ssthresh(): number {
    return this.dv.getUint32(OFF.snd_ssthresh, true);
  }
  set ssthresh(v: number) {
    this.dv.setUint32(OFF.snd_ssthresh, v >>> 0, true);
  }
  get cwndCnt(): number {
    return this.dv.getUint32(OFF.snd_cwnd_cnt, true);
  }
  set cwndCnt(v: number) {
    this.dv.setUint32(OFF.snd_cwnd_cnt, v >>> 0, true);
  }
  get cwndClamp(): number {
    return this.dv.getUint32(OFF.snd_cwnd_clamp, true);
  }
  get priorCwnd(): number {
    return this.dv.getUint32(OFF.prior_cwnd, true);
  }
  set priorCwnd(v: number) {
    this.dv.setUint32(OFF.prior_cwnd, v >>> 0, true);
  }
  get priorSsthresh(): number {
    return this.dv.getUint32(OFF.prior_ssthresh, true);
  }
  set priorSsthresh(v: number) {
    this.dv.setUint32(OFF.prior_ssthresh, v >>> 0, true);
  }
  get packetsOut(): number {
    return this.dv.getUint32(OFF.packets_out, true);
  }
  set packetsOut(v: number) {
    this.dv.setUint32(OFF.packets_out, v >>> 0, true);
  }
  get sackedOut(): number {
    return this.dv.getUint32(OFF.sacked_out, true);
  }
  set sackedOut(v: number) {
    this.dv.setUint32(OFF.sacked_out, v >>> 0, true);
  }
  get lostOut(): number {
    return this.dv.getUint32(OFF.lost_out, true);
  }
  set lostOut(v: number) {
    this.dv.setUint32(OFF.lost_out, v >>> 0, true);
  }
  get retransOut(): number {
    return this.dv.getUint32(OFF.retrans_out, true);
  }
  set retransOut(v: number) {
    this.dv.setUint32(OFF.retrans_out, v >>> 0, true);
  }
  /** tcp_packets_in_flight: packets_out - (sacked_out + lost_out) + retrans_out. */
  get inFlight(): number {
    return this.packetsOut - (this.sackedOut + this.lostOut) + this.retransOut;
  }
  /** The socket's options (bpf_setsockopt / bpf_getsockopt), set by the simulator that owns it. */
  sockopt: TcpSockopt | undefined = undefined;
  /** icsk_ca_initialized (bit 5 of byte 1248): the congestion control's `init` has returned. */
  get caInitialized(): boolean {
    return (this.bytes[ICSK_CA_STATE_BYTE]! & 0x20) !== 0;
  }
  set caInitialized(v: boolean) {
    const b = this.bytes[ICSK_CA_STATE_BYTE]!;
    this.bytes[ICSK_CA_STATE_BYTE] = v ? b | 0x20 : b & ~0x20;
  }
  /** Zero icsk_ca_priv (tcp_assign / tcp_reinit_congestion_control). */
  clearCaPriv(): void {
    const f = ICSK_FIELDS.icsk_ca_priv!;
    this.bytes.fill(0, f.off, f.off + f.size);
  }
  /** icsk_ca_state (5-bit field at bit 0 of byte 1248). */
  get caState(): number {
    return this.bytes[ICSK_CA_STATE_BYTE]! & 0x1f;
  }
  set caState(v: number) {
    this.bytes[ICSK_CA_STATE_BYTE] = (this.bytes[ICSK_CA_STATE_BYTE]! & ~0x1f) | (v & 0x1f);
  }
  get isCwndLimitedFlag(): boolean {
    return (this.bytes[IS_CWND_LIMITED_BYTE]! & (1 << IS_CWND_LIMITED_BIT)) !== 0;
  }
  set isCwndLimitedFlag(v: boolean) {
    const b = this.bytes[IS_CWND_LIMITED_BYTE]!;
    this.bytes[IS_CWND_LIMITED_BYTE] = v ? b | (1 << IS_CWND_LIMITED_BIT) : b & ~(1 << IS_CWND_LIMITED_BIT);
  }
  get maxPacketsOut(): number {
    return this.dv.getUint32(OFF.max_packets_out, true);
  }
  /** sk_state (sock.__sk_common.skc_state). */
  set skState(v: number) {
    this.bytes[SKC_STATE_OFF] = v;
  }
  set pacingRate(v: bigint) {
    this.dv.setBigUint64(SOCK_FIELDS.sk_pacing_rate!.off, v, true);
  }
  set rto(jiffies: number) {
    this.dv.setUint32(ICSK_FIELDS.icsk_rto!.off, jiffies >>> 0, true);
  }
  set tcpMstamp(us: bigint) {
    this.dv.setBigUint64(T.tcp_mstamp!.off, us, true);
  }
  get ecnFlags(): number {
    return this.bytes[T.ecn_flags!.off]!;
  }
  set ecnFlags(v: number) {
    this.bytes[T.ecn_flags!.off] = v;
  }
}

// ------------------------------------------------------------------------------------------------
// The generic congestion-avoidance functions (net/ipv4/tcp_cong.c, spec §5.1). They back both the
// kfuncs a BPF congestion control calls and the built-in TypeScript Reno.

/** tcp_in_slow_start. */
export function inSlowStart(sk: TcpSock): boolean {
  return sk.cwnd < sk.ssthresh;
}

/** tcp_is_cwnd_limited (include/net/tcp.h). */
export function isCwndLimited(sk: TcpSock): boolean {
  if (sk.isCwndLimitedFlag) return true;
  if (inSlowStart(sk)) return sk.cwnd < 2 * sk.maxPacketsOut;
  return false;
}

/** tcp_slow_start: grow by `acked` up to ssthresh; returns the leftover acked packets. */
export function tcpSlowStart(sk: TcpSock, acked: number): number {
  const cwnd = sk.cwnd;
  const next = Math.min(cwnd + acked, sk.ssthresh) >>> 0;
  const left = (acked - (next - cwnd)) >>> 0;
  sk.cwnd = Math.min(next, sk.cwndClamp);
  return left;
}

/** tcp_cong_avoid_ai: +1 packet per `w` packets acked. */
export function tcpCongAvoidAi(sk: TcpSock, w: number, acked: number): void {
  w >>>= 0;
  if (sk.cwndCnt >= w) {
    sk.cwndCnt = 0;
    sk.cwnd = sk.cwnd + 1;
  }
  sk.cwndCnt = sk.cwndCnt + acked;
  if (w !== 0 && sk.cwndCnt >= w) {
    const delta = Math.floor(sk.cwndCnt / w);
    sk.cwndCnt = sk.cwndCnt - delta * w;
    sk.cwnd = sk.cwnd + delta;
  }
  sk.cwnd = Math.min(sk.cwnd, sk.cwndClamp);
}

/** tcp_reno_cong_avoid. */
export function tcpRenoCongAvoid(sk: TcpSock, _ack: number, acked: number): void {
  if (!isCwndLimited(sk)) return;
  if (inSlowStart(sk)) {
    acked = tcpSlowStart(sk, acked);
    if (acked === 0) return;
  }
  tcpCongAvoidAi(sk, sk.cwnd, acked);
}

/** tcp_reno_ssthresh: max(cwnd / 2, 2). */
export function tcpRenoSsthresh(sk: TcpSock): number {
  return Math.max(sk.cwnd >>> 1, 2);
}

/** tcp_reno_undo_cwnd: max(cwnd, prior_cwnd). */
export function tcpRenoUndoCwnd(sk: TcpSock): number {
  return Math.max(sk.cwnd, sk.priorCwnd);
}

// ------------------------------------------------------------------------------------------------
// tp->rtt_min: a windowed minimum filter (lib/win_minmax.c, Kathleen Nichols' algorithm) of the
// RTT samples, kept in the socket's `struct minmax` (three {t, v} u32 pairs; the current minimum
// is s[0].v, what tcp_min_rtt() reads). tcp_update_rtt_min feeds it every RTT sample with a window
// of sysctl_tcp_min_rtt_wlen (300 s) in jiffies.

const RTT_MIN_OFF = TCP_FIELDS.rtt_min!.off;

/** sysctl_tcp_min_rtt_wlen × HZ (1000). */
export const MIN_RTT_WLEN_JIFFIES = 300 * 1000;

function mmGet(sk: TcpSock, i: number): [number, number] {
  return [sk.dv.getUint32(RTT_MIN_OFF + 8 * i, true), sk.dv.getUint32(RTT_MIN_OFF + 8 * i + 4, true)];
}
function mmSet(sk: TcpSock, i: number, t: number, v: number): void {
  sk.dv.setUint32(RTT_MIN_OFF + 8 * i, t >>> 0, true);
  sk.dv.setUint32(RTT_MIN_OFF + 8 * i + 4, v >>> 0, true);
}

/** minmax_reset: all three samples become (t, v). */
export function rttMinReset(sk: TcpSock, t: number, v: number): void {
  for (let i = 0; i < 3; i++) mmSet(sk, i, t, v);
}

/** tcp_min_rtt: the current windowed minimum (µs). */
export function tcpMinRtt(sk: TcpSock): number {
  return mmGet(sk, 0)[1];
}

/** minmax_running_min(&tp->rtt_min, win, t, meas); returns the new minimum. */
export function rttMinUpdate(sk: TcpSock, win: number, t: number, meas: number): number {
  const [t0, v0] = mmGet(sk, 0);
  const [, v1] = mmGet(sk, 1);
  const [t2, v2] = mmGet(sk, 2);
  if (meas <= v0 || ((t - t2) >>> 0) > win) {
    rttMinReset(sk, t, meas);
    return meas;
  }
  if (meas <= v1) {
    mmSet(sk, 1, t, meas);
    mmSet(sk, 2, t, meas);
  } else if (meas <= v2) mmSet(sk, 2, t, meas);
  // minmax_subwin_update
  const dt = (t - t0) >>> 0;
  if (dt > win) {
    const s1 = mmGet(sk, 1);
    const s2 = mmGet(sk, 2);
    mmSet(sk, 0, s1[0], s1[1]);
    mmSet(sk, 1, s2[0], s2[1]);
    mmSet(sk, 2, t, meas);
    if (((t - mmGet(sk, 0)[0]) >>> 0) > win) {
      const n1 = mmGet(sk, 1);
      const n2 = mmGet(sk, 2);
      mmSet(sk, 0, n1[0], n1[1]);
      mmSet(sk, 1, n2[0], n2[1]);
      mmSet(sk, 2, t, meas);
    }
  } else if (mmGet(sk, 1)[0] === t0 && dt > win / 4) {
    mmSet(sk, 1, t, meas);
    mmSet(sk, 2, t, meas);
  } else if (mmGet(sk, 2)[0] === mmGet(sk, 1)[0] && dt > win / 2) mmSet(sk, 2, t, meas);
  return mmGet(sk, 0)[1];
}
