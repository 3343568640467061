/**
 * Congestion controls as the simulated sender calls them: the `tcp_congestion_ops` members in the
 * kernel's argument order. Two kinds: a BPF struct_ops instance (each member runs its program with
 * the u64 argument array, `sk` being the guest pointer of the simulated tcp_sock) and the built-in
 * TypeScript references (Reno on the tcp_cong.c building blocks, CUBIC after tcp_cubic.c's
 * equations, spec §5).
 */
import { BpfemuError } from '../../util/errors.js';
import { Fault } from '../../vm/fault.js';
import { Memory, PERM_R, RegionKind } from '../../vm/memory.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { StructOpsInstance } from '../../kernel/structops.js';
import { ACK_SAMPLE_FIELDS, RATE_SAMPLE_FIELDS, SIZEOF } from './layout.js';
import { caName, TCP_CA } from './install.js';
import { inSlowStart, isCwndLimited, tcpCongAvoidAi, tcpRenoCongAvoid, tcpRenoSsthresh, tcpRenoUndoCwnd, tcpSlowStart, type TcpSock } from './sock.js';

/**
 * A simulator error: a bad option, a BPF congestion control that faulted (its fault as `cause`),
 * or something a program asked for that the simulation does not model (`NOT_EMULATED`).
 */
export class TcpSimError extends BpfemuError<'BAD_OPTION' | 'PROGRAM_FAULT' | 'NOT_EMULATED'> {
  constructor(
    readonly code: 'BAD_OPTION' | 'PROGRAM_FAULT' | 'NOT_EMULATED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * struct rate_sample of one ACK as tcp_rate.c builds it (net/ipv4/tcp_rate.c, tcp_ack): the
 * delivery rate over the sample's interval is delivered / intervalUs; `delivered` and
 * `intervalUs` are -1 when the ACK gives no valid sample (no prior, or an interval shorter than
 * the minimum RTT).
 */
export interface RateSampleLite {
  /** Packets delivered over the sample's interval (tp->delivered - prior_delivered), or -1. */
  delivered: number;
  deliveredCe: number;
  /** Packets newly ACKed or SACKed by this ACK. */
  ackedSacked: number;
  priorInFlight: number;
  rttUs: number;
  losses: number;
  /** tp->delivered_mstamp when the newest delivered packet was sent (µs; 0: no sample). */
  priorMstampUs?: number;
  priorDelivered?: number;
  priorDeliveredCe?: number;
  /** max(send phase, ACK phase) in µs, or -1. */
  intervalUs?: number;
  sndIntervalUs?: number;
  rcvIntervalUs?: number;
  isAppLimited?: boolean;
  isRetrans?: boolean;
  /** End sequence (bytes) of the newest delivered packet. */
  lastEndSeq?: number;
}

/** One congestion control attached to one socket. Absent optional members are NULL slots. */
export interface CongestionControl {
  readonly name: string;
  readonly flags: number;
  readonly hasCongControl: boolean;
  init?(sk: TcpSock): void;
  release?(sk: TcpSock): void;
  ssthresh(sk: TcpSock): number;
  congAvoid?(sk: TcpSock, ack: number, acked: number): void;
  congControl?(sk: TcpSock, ack: number, flag: number, rs: RateSampleLite): void;
  setState?(sk: TcpSock, state: number): void;
  cwndEvent?(sk: TcpSock, ev: number): void;
  inAckEvent?(sk: TcpSock, flags: number): void;
  pktsAcked?(sk: TcpSock, pktsAcked: number, rttUs: number, inFlightBytes: number): void;
  undoCwnd(sk: TcpSock): number;
}

/** The built-in Reno (net/ipv4/tcp_cong.c tcp_reno: ssthresh, cong_avoid, undo_cwnd). */
export function builtinReno(): CongestionControl {
  return {
    name: 'reno',
    flags: 1,
    hasCongControl: false,
    ssthresh: tcpRenoSsthresh,
    congAvoid: tcpRenoCongAvoid,
    undoCwnd: tcpRenoUndoCwnd,
  };
}

// CUBIC parameters (tcp_cubic.c module defaults, spec §5.2); HyStart is not modelled (hystart=0).
const BICTCP_BETA_SCALE = 1024;
const BETA = 717;
const BICTCP_HZ = 10;
const HZ = 1000;
const CUBE_RTT_SCALE = 410; // bic_scale * 10
const BETA_SCALE = Math.floor((8 * (BICTCP_BETA_SCALE + BETA)) / 3 / (BICTCP_BETA_SCALE - BETA)); // 15
const CUBE_FACTOR = (1n << 40n) / 410n;

/** Integer cube root: the largest r with r^3 <= a (a < 2^64). */
export function cubeRoot(a: bigint): number {
  let lo = 0n;
  let hi = 1n << 22n;
  while (lo < hi) {
    const mid = (lo + hi + 1n) >> 1n;
    if (mid * mid * mid <= a) lo = mid;
    else hi = mid - 1n;
  }
  return Number(lo);
}

interface CubicState {
  cnt: number;
  lastMaxCwnd: number;
  lastCwnd: number;
  lastTime: number;
  originPoint: number;
  K: number;
  delayMin: number;
  epochStart: number;
  ackCnt: number;
  tcpCwnd: number;
}

/**
 * The built-in CUBIC reference: tcp_cubic.c's bictcp_update / recalc_ssthresh / state / acked
 * equations (spec §5.2) with fast convergence and TCP-friendliness, without HyStart. `jiffies`
 * is the kernel's tcp_jiffies32 (HZ 1000). The BPF twin in programs/tcp_cc_cubic.bpf.c computes
 * the same integers.
 */
export function builtinCubic(jiffies: () => number): CongestionControl {
  const s: CubicState = { cnt: 0, lastMaxCwnd: 0, lastCwnd: 0, lastTime: 0, originPoint: 0, K: 0, delayMin: 0, epochStart: 0, ackCnt: 0, tcpCwnd: 0 };
  const reset = (): void => {
    Object.assign(s, { cnt: 0, lastMaxCwnd: 0, lastCwnd: 0, lastTime: 0, originPoint: 0, K: 0, delayMin: 0, epochStart: 0, ackCnt: 0, tcpCwnd: 0 });
  };
  const update = (cwnd: number, acked: number): void => {
    const now = jiffies();
    s.ackCnt = (s.ackCnt + acked) >>> 0;
    if (s.lastCwnd === cwnd && ((now - s.lastTime) | 0) <= Math.floor(HZ / 32)) return;
    if (!(s.epochStart !== 0 && now === s.lastTime)) {
      s.lastCwnd = cwnd;
      s.lastTime = now;
      if (s.epochStart === 0) {
        s.epochStart = now;
        s.ackCnt = acked;
        s.tcpCwnd = cwnd;
        if (s.lastMaxCwnd <= cwnd) {
          s.K = 0;
          s.originPoint = cwnd;
        } else {
          s.K = cubeRoot(CUBE_FACTOR * BigInt(s.lastMaxCwnd - cwnd));
          s.originPoint = s.lastMaxCwnd;
        }
      }
      const delayJ = Math.ceil(s.delayMin / (1_000_000 / HZ));
      const t = BigInt((((now - s.epochStart) | 0) + delayJ) >>> 0) * BigInt(1 << BICTCP_HZ) / BigInt(HZ);
      const k = BigInt(s.K);
      const offs = t < k ? k - t : t - k;
      const delta = Number((BigInt(CUBE_RTT_SCALE) * offs * offs * offs) >> 40n);
      const target = t < k ? s.originPoint - delta : s.originPoint + delta;
      if (target > cwnd) s.cnt = Math.floor(cwnd / (target - cwnd));
      else s.cnt = 100 * cwnd;
      if (s.lastMaxCwnd === 0 && s.cnt > 20) s.cnt = 20;
    }
    // TCP friendliness
    const d = (cwnd * BETA_SCALE) >>> 3;
    if (d > 0 && s.ackCnt > d) {
      // while (ack_cnt > d) { ack_cnt -= d; tcp_cwnd++; }
      const n = Math.floor((s.ackCnt - 1) / d);
      s.ackCnt -= n * d;
      s.tcpCwnd += n;
    }
    if (s.tcpCwnd > cwnd) {
      const maxCnt = Math.floor(cwnd / (s.tcpCwnd - cwnd));
      if (s.cnt > maxCnt) s.cnt = maxCnt;
    }
    s.cnt = Math.max(s.cnt, 2);
  };
  return {
    name: 'cubic',
    flags: 0,
    hasCongControl: false,
    init: () => reset(),
    ssthresh(sk) {
      const cwnd = sk.cwnd;
      s.epochStart = 0;
      if (cwnd < s.lastMaxCwnd) s.lastMaxCwnd = Math.floor((cwnd * (BICTCP_BETA_SCALE + BETA)) / (2 * BICTCP_BETA_SCALE));
      else s.lastMaxCwnd = cwnd;
      return Math.max(Math.floor((cwnd * BETA) / BICTCP_BETA_SCALE), 2);
    },
    congAvoid(sk, _ack, acked) {
      if (!isCwndLimited(sk)) return;
      if (inSlowStart(sk)) {
        acked = tcpSlowStart(sk, acked);
        if (acked === 0) return;
      }
      update(sk.cwnd, acked);
      tcpCongAvoidAi(sk, s.cnt, acked);
    },
    setState(_sk, state) {
      if (state === TCP_CA.Loss) reset();
    },
    pktsAcked(_sk, _n, rttUs) {
      if (rttUs < 0) return;
      if (s.epochStart !== 0 && ((jiffies() - s.epochStart) | 0) < HZ) return;
      const delay = Math.max(rttUs, 1);
      if (s.delayMin === 0 || s.delayMin > delay) s.delayMin = delay;
    },
    undoCwnd: tcpRenoUndoCwnd,
  };
}

/** Guest-visible argument buffers of one BPF-driven socket (ack_sample, rate_sample). */
class SampleBuffers {
  readonly ack = new Uint8Array(SIZEOF.ack_sample);
  readonly ackDv = new DataView(this.ack.buffer);
  readonly ackPtr: bigint;
  readonly rs = new Uint8Array(SIZEOF.rate_sample);
  readonly rsDv = new DataView(this.rs.buffer);
  readonly rsPtr: bigint;
  private readonly regions: number[];
  constructor(readonly kernel: Kernel) {
    const a = kernel.mem.map(this.ack, { kind: RegionKind.KERNEL, perm: PERM_R, label: 'struct ack_sample' });
    const r = kernel.mem.map(this.rs, { kind: RegionKind.KERNEL, perm: PERM_R, label: 'struct rate_sample' });
    this.regions = [a, r];
    this.ackPtr = Memory.pointer(a, 0);
    this.rsPtr = Memory.pointer(r, 0);
  }
  free(): void {
    for (const r of this.regions) this.kernel.retireRegion(r);
  }
}

const u = (n: number): bigint => BigInt(n >>> 0);

/** A BPF congestion control: the programs of a registered `tcp_congestion_ops` instance. */
export function bpfCongestionControl(inst: StructOpsInstance): CongestionControl & { free(): void } {
  const has = (m: string): boolean => inst.program(m) !== null;
  const bufs = new SampleBuffers(inst.kernel);
  const call = (member: string, args: readonly bigint[]): number => {
    try {
      return inst.call(member, args);
    } catch (e) {
      if (e instanceof Fault) throw new TcpSimError('PROGRAM_FAULT', `congestion control ${caName(inst)}: ${member}: ${e.toString()}`, { cause: e });
      throw e;
    }
  };
  const A = ACK_SAMPLE_FIELDS;
  const R = RATE_SAMPLE_FIELDS;
  const cc: CongestionControl & { free(): void } = {
    name: caName(inst),
    flags: inst.readInt('flags') >>> 0,
    hasCongControl: has('cong_control'),
    ssthresh: (sk) => call('ssthresh', [sk.pointer]) >>> 0,
    undoCwnd: (sk) => call('undo_cwnd', [sk.pointer]) >>> 0,
    free: () => bufs.free(),
  };
  if (has('init')) cc.init = (sk) => void call('init', [sk.pointer]);
  if (has('release')) cc.release = (sk) => void call('release', [sk.pointer]);
  if (has('cong_avoid')) cc.congAvoid = (sk, ack, acked) => void call('cong_avoid', [sk.pointer, u(ack), u(acked)]);
  if (has('set_state')) cc.setState = (sk, st) => void call('set_state', [sk.pointer, BigInt(st & 0xff)]);
  if (has('cwnd_event')) cc.cwndEvent = (sk, ev) => void call('cwnd_event', [sk.pointer, u(ev)]);
  if (has('in_ack_event')) cc.inAckEvent = (sk, flags) => void call('in_ack_event', [sk.pointer, u(flags)]);
  if (has('pkts_acked')) {
    cc.pktsAcked = (sk, n, rttUs, inFlight) => {
      bufs.ackDv.setUint32(A.pkts_acked!.off, n >>> 0, true);
      bufs.ackDv.setInt32(A.rtt_us!.off, rttUs | 0, true);
      bufs.ackDv.setUint32(A.in_flight!.off, inFlight >>> 0, true);
      call('pkts_acked', [sk.pointer, bufs.ackPtr]);
    };
  }
  if (has('cong_control')) {
    cc.congControl = (sk, ack, flag, rs) => {
      const dv = bufs.rsDv;
      dv.setBigUint64(R.prior_mstamp!.off, BigInt(rs.priorMstampUs ?? 0), true);
      dv.setUint32(R.prior_delivered!.off, (rs.priorDelivered ?? 0) >>> 0, true);
      dv.setUint32(R.prior_delivered_ce!.off, (rs.priorDeliveredCe ?? 0) >>> 0, true);
      dv.setInt32(R.delivered!.off, rs.delivered, true);
      dv.setInt32(R.delivered_ce!.off, rs.deliveredCe, true);
      dv.setBigInt64(R.interval_us!.off, BigInt(rs.intervalUs ?? -1), true);
      dv.setUint32(R.snd_interval_us!.off, (rs.sndIntervalUs ?? 0) >>> 0, true);
      dv.setUint32(R.rcv_interval_us!.off, (rs.rcvIntervalUs ?? 0) >>> 0, true);
      dv.setUint32(R.acked_sacked!.off, rs.ackedSacked >>> 0, true);
      dv.setUint32(R.prior_in_flight!.off, rs.priorInFlight >>> 0, true);
      dv.setBigInt64(R.rtt_us!.off, BigInt(rs.rttUs), true);
      dv.setInt32(R.losses!.off, rs.losses, true);
      dv.setUint32(R.last_end_seq!.off, (rs.lastEndSeq ?? 0) >>> 0, true);
      bufs.rs[R.is_app_limited!.off] = rs.isAppLimited === true ? 1 : 0;
      bufs.rs[R.is_retrans!.off] = rs.isRetrans === true ? 1 : 0;
      call('cong_control', [sk.pointer, u(ack), BigInt.asUintN(64, BigInt(flag)), bufs.rsPtr]);
    };
  }
  return cc;
}
