/**
 * The kernel's CUBIC as the kfuncs a BPF congestion control may call on Linux 6.18
 * (net/ipv4/tcp_cubic.c registers cubictcp_init, cubictcp_recalc_ssthresh, cubictcp_cong_avoid,
 * cubictcp_state, cubictcp_cwnd_event and cubictcp_acked for STRUCT_OPS programs; the 6.18
 * machine's BTF tags exactly these six with `bpf_kfunc`). The state is the kernel's
 * `struct bictcp` in the socket's icsk_ca_priv, with the layout of the machine's BTF, so a BPF
 * control that mixes these kfuncs with its own code sees the same bytes the kernel keeps.
 *
 * Behaviour follows the spec (../shared/docs/tcp-cc.md §5.2) with the module's default
 * parameters: beta 717/1024, bic_scale 41, fast convergence, TCP friendliness, HyStart on (ACK
 * train and delay detection, low window 16, ACK delta 2 ms). Time is the emulated kernel's
 * tcp_jiffies32 (HZ 1000) and tcp_mstamp (µs).
 *
 * One known difference: cubic_root. The kernel approximates the cube root with a 64-entry table
 * and one Newton step (about 0.2 % error on average); this is the exact integer cube root, so
 * `bic_K` (units of 1/1024 s) can differ from the kernel's by a unit or so.
 */
import type { TcpSock } from './sock.js';
import { ICSK_FIELDS, SOCK_FIELDS } from './layout.js';
import { isCwndLimited, tcpCongAvoidAi, tcpSlowStart } from './sock.js';

/** struct bictcp offsets (BTF of the 6.18 machine). */
const B = {
  cnt: 0,
  last_max_cwnd: 4,
  last_cwnd: 8,
  last_time: 12,
  bic_origin_point: 16,
  bic_K: 20,
  delay_min: 24,
  epoch_start: 28,
  ack_cnt: 32,
  tcp_cwnd: 36,
  unused: 40,
  sample_cnt: 42,
  found: 43,
  round_start: 44,
  end_seq: 48,
  last_ack: 52,
  curr_rtt: 56,
} as const;
/** sizeof(struct bictcp). */
export const SIZEOF_BICTCP = 60;

const BICTCP_BETA_SCALE = 1024;
const BETA = 717;
const BICTCP_HZ = 10;
const HZ = 1000;
const CUBE_RTT_SCALE = 41 * 10;
const BETA_SCALE = Math.floor((8 * (BICTCP_BETA_SCALE + BETA)) / 3 / (BICTCP_BETA_SCALE - BETA));
const CUBE_FACTOR = (1n << BigInt(10 + 3 * BICTCP_HZ)) / BigInt(CUBE_RTT_SCALE);
const HYSTART_ACK_TRAIN = 1;
const HYSTART_DELAY = 2;
const HYSTART_DETECT = HYSTART_ACK_TRAIN | HYSTART_DELAY;
const HYSTART_LOW_WINDOW = 16;
const HYSTART_ACK_DELTA_US = 2000;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN = 4000;
const HYSTART_DELAY_MAX = 16000;
const TCP_CA_LOSS = 4;
const CA_EVENT_TX_START = 0;
const SK_PACING_NONE = 0;

/** Integer cube root: the largest r with r³ <= a. */
export function cubeRootExact(a: bigint): number {
  let lo = 0n;
  let hi = 1n << 22n;
  while (lo < hi) {
    const mid = (lo + hi + 1n) >> 1n;
    if (mid * mid * mid <= a) lo = mid;
    else hi = mid - 1n;
  }
  return Number(lo);
}

/** The bictcp state of one socket, read and written in its icsk_ca_priv. */
class Bictcp {
  private readonly base: number;
  constructor(private readonly sk: TcpSock) {
    this.base = ICSK_FIELDS.icsk_ca_priv!.off;
  }
  get(f: keyof typeof B): number {
    if (f === 'sample_cnt' || f === 'found') return this.sk.bytes[this.base + B[f]]!;
    return this.sk.dv.getUint32(this.base + B[f], true);
  }
  set(f: keyof typeof B, v: number): void {
    if (f === 'sample_cnt' || f === 'found') this.sk.bytes[this.base + B[f]] = v & 0xff;
    else this.sk.dv.setUint32(this.base + B[f], v >>> 0, true);
  }
  /** bictcp_reset: zero everything before `unused`, found = 0. */
  reset(): void {
    this.sk.bytes.fill(0, this.base, this.base + B.unused);
    this.set('found', 0);
  }
}

/** What the CUBIC kfuncs need from the kernel besides the socket. */
export interface CubicClock {
  /** tcp_jiffies32. */
  jiffies(): number;
}

const s32 = (v: number): number => v | 0;

/** bictcp_hystart_reset. */
function hystartReset(sk: TcpSock, ca: Bictcp): void {
  const now = sk.u32('tcp_mstamp');
  ca.set('round_start', now);
  ca.set('last_ack', now);
  ca.set('end_seq', sk.u32('snd_nxt'));
  ca.set('curr_rtt', 0xffffffff);
  ca.set('sample_cnt', 0);
}

/** cubictcp_init. */
export function cubictcpInit(sk: TcpSock): void {
  const ca = new Bictcp(sk);
  ca.reset();
  hystartReset(sk, ca);
}

/** cubictcp_recalc_ssthresh (the `ssthresh` member). */
export function cubictcpRecalcSsthresh(sk: TcpSock): number {
  const ca = new Bictcp(sk);
  const cwnd = sk.cwnd;
  ca.set('epoch_start', 0);
  if (cwnd < ca.get('last_max_cwnd')) ca.set('last_max_cwnd', Math.floor((cwnd * (BICTCP_BETA_SCALE + BETA)) / (2 * BICTCP_BETA_SCALE)));
  else ca.set('last_max_cwnd', cwnd);
  return Math.max(Math.floor((cwnd * BETA) / BICTCP_BETA_SCALE), 2);
}

/** cubictcp_state. */
export function cubictcpState(sk: TcpSock, newState: number): void {
  if (newState !== TCP_CA_LOSS) return;
  const ca = new Bictcp(sk);
  ca.reset();
  hystartReset(sk, ca);
}

/** cubictcp_cwnd_event: after an idle period the epoch moves forward by the idle time. */
export function cubictcpCwndEvent(sk: TcpSock, ev: number, clock: CubicClock): void {
  if (ev !== CA_EVENT_TX_START) return;
  const ca = new Bictcp(sk);
  const now = clock.jiffies();
  const delta = s32(now - sk.u32('lsndtime'));
  const epoch = ca.get('epoch_start');
  if (epoch !== 0 && delta > 0) {
    let e = (epoch + delta) >>> 0;
    if (s32(e - now) > 0) e = now;
    ca.set('epoch_start', e);
  }
}

/** bictcp_update: ca->cnt for this ACK. */
function bictcpUpdate(ca: Bictcp, cwnd: number, acked: number, clock: CubicClock): void {
  const now = clock.jiffies();
  ca.set('ack_cnt', ca.get('ack_cnt') + acked);
  if (ca.get('last_cwnd') === cwnd && s32(now - ca.get('last_time')) <= Math.floor(HZ / 32)) return;
  if (!(ca.get('epoch_start') !== 0 && now === ca.get('last_time'))) {
    ca.set('last_cwnd', cwnd);
    ca.set('last_time', now);
    if (ca.get('epoch_start') === 0) {
      ca.set('epoch_start', now);
      ca.set('ack_cnt', acked);
      ca.set('tcp_cwnd', cwnd);
      const lastMax = ca.get('last_max_cwnd');
      if (lastMax <= cwnd) {
        ca.set('bic_K', 0);
        ca.set('bic_origin_point', cwnd);
      } else {
        ca.set('bic_K', cubeRootExact(CUBE_FACTOR * BigInt(lastMax - cwnd)));
        ca.set('bic_origin_point', lastMax);
      }
    }
    // t = (now - epoch_start + usecs_to_jiffies(delay_min)) << BICTCP_HZ / HZ, in u64
    const delayJ = Math.ceil((ca.get('delay_min') * HZ) / 1_000_000);
    let t = BigInt.asUintN(64, BigInt(s32(now - ca.get('epoch_start'))) + BigInt(delayJ));
    t = (t << BigInt(BICTCP_HZ)) / BigInt(HZ);
    const k = BigInt(ca.get('bic_K'));
    const offs = t < k ? k - t : t - k;
    const delta = Number(BigInt.asUintN(32, (BigInt(CUBE_RTT_SCALE) * offs * offs * offs) >> BigInt(10 + 3 * BICTCP_HZ)));
    const origin = ca.get('bic_origin_point');
    const target = (t < k ? origin - delta : origin + delta) >>> 0;
    let cnt = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : (100 * cwnd) >>> 0;
    if (ca.get('last_max_cwnd') === 0 && cnt > 20) cnt = 20;
    ca.set('cnt', cnt);
  }
  // TCP friendliness
  const d = (cwnd * BETA_SCALE) >>> 3;
  let ackCnt = ca.get('ack_cnt');
  if (d > 0 && ackCnt > d) {
    const n = Math.floor((ackCnt - 1) / d);
    ackCnt -= n * d;
    ca.set('ack_cnt', ackCnt);
    ca.set('tcp_cwnd', ca.get('tcp_cwnd') + n);
  }
  const tcpCwnd = ca.get('tcp_cwnd');
  if (tcpCwnd > cwnd) {
    const maxCnt = Math.floor(cwnd / (tcpCwnd - cwnd));
    if (ca.get('cnt') > maxCnt) ca.set('cnt', maxCnt);
  }
  ca.set('cnt', Math.max(ca.get('cnt'), 2));
}

/** cubictcp_cong_avoid. */
export function cubictcpCongAvoid(sk: TcpSock, _ack: number, acked: number, clock: CubicClock): void {
  if (!isCwndLimited(sk)) return;
  if (sk.cwnd < sk.ssthresh) {
    acked = tcpSlowStart(sk, acked);
    if (acked === 0) return;
  }
  const ca = new Bictcp(sk);
  bictcpUpdate(ca, sk.cwnd, acked, clock);
  tcpCongAvoidAi(sk, ca.get('cnt'), acked);
}

/** hystart_ack_delay: min(1 ms, 4 GSO-sized bursts at the pacing rate), 0 without a rate. */
function hystartAckDelay(sk: TcpSock): number {
  const rate = sk.dv.getBigUint64(SOCK_FIELDS.sk_pacing_rate!.off, true);
  if (rate === 0n) return 0;
  const gso = BigInt(sk.dv.getUint32(SOCK_FIELDS.sk_gso_max_size!.off, true));
  const d = (gso * 4n * 1_000_000n) / rate;
  return Number(d < 1000n ? d : 1000n);
}

/** hystart_update: slow start ends (ssthresh = cwnd) on an ACK train or a delay increase. */
function hystartUpdate(sk: TcpSock, ca: Bictcp, delay: number): void {
  if (s32(sk.u32('snd_una') - ca.get('end_seq')) > 0) hystartReset(sk, ca);
  if (sk.cwnd < HYSTART_LOW_WINDOW) return;
  if ((HYSTART_DETECT & HYSTART_ACK_TRAIN) !== 0) {
    const now = sk.u32('tcp_mstamp');
    if (s32(now - ca.get('last_ack')) <= HYSTART_ACK_DELTA_US) {
      ca.set('last_ack', now);
      let threshold = (ca.get('delay_min') + hystartAckDelay(sk)) >>> 0;
      if (sk.dv.getUint32(SOCK_FIELDS.sk_pacing_status!.off, true) === SK_PACING_NONE) threshold >>>= 1;
      if (s32(now - ca.get('round_start')) > threshold) {
        ca.set('found', 1);
        sk.ssthresh = sk.cwnd;
      }
    }
  }
  if ((HYSTART_DETECT & HYSTART_DELAY) !== 0) {
    if (ca.get('sample_cnt') < HYSTART_MIN_SAMPLES) {
      if (ca.get('curr_rtt') > delay) ca.set('curr_rtt', delay);
      ca.set('sample_cnt', ca.get('sample_cnt') + 1);
    } else {
      const dm = ca.get('delay_min');
      const thresh = Math.min(Math.max(dm >>> 3, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX);
      if (ca.get('curr_rtt') > dm + thresh) {
        ca.set('found', 1);
        sk.ssthresh = sk.cwnd;
      }
    }
  }
}

/** cubictcp_acked (the `pkts_acked` member): delay_min, then HyStart in slow start. */
export function cubictcpAcked(sk: TcpSock, rttUs: number, clock: CubicClock): void {
  if (rttUs < 0) return;
  const ca = new Bictcp(sk);
  const epoch = ca.get('epoch_start');
  if (epoch !== 0 && s32(clock.jiffies() - epoch) < HZ) return;
  const delay = rttUs === 0 ? 1 : rttUs >>> 0;
  const dm = ca.get('delay_min');
  if (dm === 0 || dm > delay) ca.set('delay_min', delay);
  if (ca.get('found') === 0 && sk.cwnd < sk.ssthresh) hystartUpdate(sk, ca, delay);
}
