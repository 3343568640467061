/**
 * A deterministic packet-level simulation of TCP senders sharing one bottleneck, driving their
 * congestion controls the way Linux 6.18's tcp_ack() does (spec §3):
 *
 *   sender ──(instant)──► bottleneck FIFO (rate R, buffer B, drop-tail / ECN mark above K,
 *                         random loss) ──(RTT/2)──► receiver ──(RTT/2, ACK per packet)──► sender
 *
 * Per ACK: SACK tagging and cumulative advance (`tcp_clean_rtx_queue`), RTT estimator,
 * `pkts_acked`, `in_ack_event`, the loss/recovery state machine (`tcp_fastretrans_alert`:
 * `ssthresh` + `set_state(Recovery)` on loss, PRR during CWR/Recovery, `set_state(Open)` +
 * cwnd = ssthresh + `COMPLETE_CWR` at the end, undo through `undo_cwnd` when every retransmission
 * was DSACKed), then `cong_avoid` (or `cong_control`), then the send path. RTO: `ssthresh`,
 * `cwnd_event(LOSS)`, `set_state(Loss)`, cwnd 1, exponential backoff.
 *
 * Differences from the kernel's stack (also in README "TCP congestion control"): sequence space
 * in whole segments (one MSS per packet, no TSO/GSO, no Nagle; pacing only when a control sets
 * sk_pacing_status); loss detection by the classic three-SACK rule instead of RACK-TLP (a lost
 * retransmission is found by the RTO); no F-RTO, no timestamps-based undo; the RTO is
 * srtt + max(4·rttvar, 200 ms); sender NIC and reverse path are never congested.
 *
 * Receivers: by default the path's receiver ACKs every packet and echoes ECE per CE-marked packet
 * (DCTCP-style), its response computed when the packet enters the bottleneck (the path is FIFO
 * with a fixed propagation delay per direction, so a flow's packets arrive in the order they were
 * enqueued). With FlowConfig.receiver a receiving socket with its own congestion control handles
 * each segment when it arrives (ECN events, ECE from DEMAND_CWR, delayed ACKs, bpf_tcp_send_ack).
 */
import type { Kernel } from '../../kernel/kernel.js';
import { CA_ACK, CA_EVENT, TCP_CA, TCP_CONG_NEEDS_ECN } from './install.js';
import { bpfCongestionControl, builtinCubic, builtinReno, TcpSimError, type CongestionControl, type RateSampleLite } from './cc.js';
import { TcpSockopt, type SockoptHost } from './sockopt.js';
import type { TcpCcSubsystem } from './install.js';
import { ERRNO } from '../../util/errno.js';
import { localStorageOf } from '../../maps/local-storage.js';
import { ICSK_ACK_PENDING_OFF, SOCK_FIELDS, TCP_FIELDS } from './layout.js';
import { MIN_RTT_WLEN_JIFFIES, rttMinReset, rttMinUpdate, TCP_INFINITE_SSTHRESH, tcpMinRtt, TcpSock } from './sock.js';

/** The shared path. */
export interface PathConfig {
  /** Bottleneck rate in bits per second. */
  readonly bandwidthBps: number;
  /** Base (propagation) round-trip time in ns. */
  readonly rttNs: number;
  /** Bottleneck buffer in packets (drop-tail). */
  readonly bufferPkts: number;
  /** Probability that a packet is lost at random before the queue (default 0). */
  readonly lossRate?: number;
  /** Mark CE instead of queueing past this many packets, for ECN-capable flows (DCTCP); default off. */
  readonly ecnK?: number;
  /**
   * Deterministic marker (spec T3): CE on every k-th packet an ECN-capable flow sends into the
   * queue, whatever the queue length (default off).
   */
  readonly ceMarkEvery?: number;
  /**
   * Scripted losses (tests of the call order, spec §6 R1-R3): drop the first `times` transmissions
   * of packet `seq` (0-based segment number) of flow `flow`.
   */
  readonly dropScript?: readonly { readonly flow: number; readonly seq: number; readonly times: number }[];
  /** Bottleneck rate changes: from `atNs` on the rate is `bandwidthBps`. */
  readonly rateChanges?: readonly { readonly atNs: number; readonly bandwidthBps: number }[];
  /**
   * Base RTT changes (a route change): packets entering the bottleneck from `atNs` on see `rttNs`.
   * The path never reorders: a packet (and its ACK) does not overtake one sent before it, so a
   * shorter RTT takes effect once the packets on the old route have arrived.
   */
  readonly rttChanges?: readonly { readonly atNs: number; readonly rttNs: number }[];
}

/** One flow. */
export interface FlowConfig {
  readonly cc: CongestionControl;
  /** Label in outputs (default: the congestion control's name). */
  readonly label?: string;
  /** Start time in ns (default 0). */
  readonly startNs?: number;
  /** Receiver window in packets (default 4096). */
  readonly rwndPkts?: number;
  /**
   * Application-limited phases: from its start the flow has data for `onNs`, then none for
   * `offNs`, repeating (default: always backlogged). Sending after an idle period longer than the
   * RTO restarts the window (tcp_slow_start_after_idle: CA_EVENT_CWND_RESTART).
   */
  readonly app?: { readonly onNs: number; readonly offNs: number };
  /**
   * A receiving socket of its own (default: none, the path's receiver ACKs every packet and echoes
   * ECE per CE-marked packet). With it the receiver runs the kernel's receive-side rules
   * (tcp_data_queue, __tcp_ecn_check_ce, __tcp_ack_snd_check): its congestion control `cc` (when
   * it has TCP_CONG_NEEDS_ECN) gets `cwnd_event(CA_EVENT_ECN_IS_CE / ECN_NO_CE)` for every data
   * segment, ACKs carry ECE while its `ecn_flags` has TCP_ECN_DEMAND_CWR (a CWR from the sender
   * clears it), `bpf_tcp_send_ack` from it sends an ACK to the sender, and with `delayedAck` it ACKs
   * every second full segment, at once when out of order, in quick-ACK mode or asked
   * (ICSK_ACK_NOW), else after 40 ms (ICSK_ACK_TIMER pending meanwhile).
   */
  readonly receiver?: { readonly cc?: CongestionControl; readonly delayedAck?: boolean };
}

/** Simulation options. */
export interface SimConfig {
  readonly kernel: Kernel;
  readonly path: PathConfig;
  readonly flows: readonly FlowConfig[];
  readonly durationNs: number;
  /** Seed of the random loss (default 1). */
  readonly seed?: number;
  /** Payload bytes per packet (mss_cache, default 1448; 52 bytes of headers go on the wire). */
  readonly mss?: number;
  /** Sample interval of the per-flow time series (default: max(RTT/2, duration/2000)). */
  readonly sampleNs?: number;
  /** Record cwnd after every ACK (and RTO) of every flow in `trace` (tests). */
  readonly traceAcks?: boolean;
  /**
   * The congestion control a socket switches to with bpf_setsockopt(TCP_CONGESTION, name): a new
   * instance for that socket, or undefined when no control of that name is registered (ENOENT).
   * Default: the kernel's registered controls (tcp_cong_list: the built-in `reno` and `cubic` as
   * the TypeScript references, BPF ones as their programs; `bbr` is not simulated and throws).
   */
  readonly resolveCc?: (name: string) => CongestionControl | undefined;
}

/** One time-series sample. */
export interface FlowSample {
  readonly tNs: number;
  readonly cwnd: number;
  readonly ssthresh: number;
  readonly inflight: number;
  /** Latest RTT sample in ns (0 before the first). */
  readonly rttNs: number;
  /** icsk_ca_state (0 Open ... 4 Loss). */
  readonly state: number;
  /** Packets delivered so far (tp->delivered; not part of the JSON output). */
  readonly delivered: number;
}

/** Per-flow result. */
export interface FlowResult {
  readonly ops: string;
  readonly throughputBps: number;
  readonly retransmits: number;
  readonly deliveredPkts: number;
  readonly rtos: number;
  /** ACKs the flow's congestion controls sent with bpf_tcp_send_ack (sender and receiver). */
  readonly sendAcks: number;
  /** ACKs the receiving socket sent (with `receiver`; else one per data packet). */
  readonly rxAcks: number;
  /** CE-marked data packets that reached the receiver (first copies). */
  readonly ceReceived: number;
  /** tp->delivered_ce of the sender at the end: packets it counted as CE-echoed. */
  readonly deliveredCe: number;
  /** Local-storage values (bpf_sk_storage) the flow's sockets held when they were destroyed. */
  readonly storageDropped: number;
  /** The congestion control the socket ended with (bpf_setsockopt(TCP_CONGESTION) may switch it). */
  readonly finalCc: string;
  readonly samples: FlowSample[];
  /** RTT samples in µs. */
  readonly rttsUs: number[];
  /** With traceAcks: (time ns, cwnd, ssthresh, state) after every ACK or RTO. */
  readonly trace?: { t: number[]; cwnd: number[]; ssthresh: number[]; state: number[] };
}

/** The whole run. */
export interface SimResult {
  readonly flows: FlowResult[];
  readonly acks: number;
  readonly drops: number;
  readonly ceMarks: number;
  readonly durationNs: number;
  readonly linkBits: number;
}

// Scoreboard flags per packet.
const SACKED = 1;
const LOST = 2;
const RETRANS = 4;
const EVER_RETRANS = 8;

// tcp_input.c FLAG_* bits the congestion controls see through cong_control's `flag`.
const FLAG_DATA = 0x01;
const FLAG_SND_UNA_ADVANCED = 0x400;
const FLAG_DATA_ACKED = 0x04;
const FLAG_RETRANS_DATA_ACKED = 0x08;
const FLAG_DATA_SACKED = 0x20;
const FLAG_ECE = 0x40;
const FLAG_DSACKING_ACK = 0x800;
void FLAG_DATA;

/** tcp_sock offsets the sender refreshes before calling the congestion control. */
const SYNC_OFFSETS = {
  snd_una: TCP_FIELDS.snd_una!.off,
  snd_nxt: TCP_FIELDS.snd_nxt!.off,
  delivered: TCP_FIELDS.delivered!.off,
  delivered_ce: TCP_FIELDS.delivered_ce!.off,
  lost: TCP_FIELDS.lost!.off,
  high_seq: TCP_FIELDS.high_seq!.off,
  prr_delivered: TCP_FIELDS.prr_delivered!.off,
  prr_out: TCP_FIELDS.prr_out!.off,
  undo_marker: TCP_FIELDS.undo_marker!.off,
  undo_retrans: TCP_FIELDS.undo_retrans!.off,
  tcp_mstamp: TCP_FIELDS.tcp_mstamp!.off,
} as const;

const HEADER_BYTES = 52;
const BYTES_ACKED_OFF = TCP_FIELDS.bytes_acked!.off;
const DELIVERED_MSTAMP_OFF = TCP_FIELDS.delivered_mstamp!.off;
const SK_PACING_RATE_OFF = SOCK_FIELDS.sk_pacing_rate!.off;
const SK_MAX_PACING_RATE_OFF = SOCK_FIELDS.sk_max_pacing_rate!.off;
const SK_GSO_MAX_SIZE_OFF = SOCK_FIELDS.sk_gso_max_size!.off;
const SK_PACING_STATUS_OFF = SOCK_FIELDS.sk_pacing_status!.off;
/** skb->len of a data segment beyond its payload: the TCP header with timestamps (52 - 20 IP). */
const TCP_HEADER_BYTES = 32;
/** GSO_LEGACY_MAX_SIZE: sk_gso_max_size of a socket on a device without big TCP. */
const GSO_MAX_SIZE = 65536;
const RTO_MAX_US = 120_000_000;
const RTO_INIT_US = 1_000_000;
const TCP_ECN_OK = 1;
const { ENOENT } = ERRNO;

/** mulberry32: a small seeded PRNG, enough for Bernoulli loss. */
function prng(seed: number): () => number {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EV_ACK = 0;
const EV_RTO = 1;
const EV_START = 2;
const EV_RATE = 3;
const EV_APP = 4;
const EV_RTT = 5;
const EV_DATA = 6;
const EV_DELACK = 7;
const EV_PACE = 8;

// ecn_flags bits (include/net/tcp.h) and icsk_ack.pending bits (inet_connection_sock.h).
const TCP_ECN_DEMAND_CWR = 4;
const TCP_ECN_SEEN = 8;
const ICSK_ACK_SCHED = 1;
const ICSK_ACK_TIMER = 2;
const ICSK_ACK_NOW = 16;
/** TCP_MAX_QUICKACKS, and the delayed-ACK timeout (TCP_ATO_MIN, HZ/25). */
const TCP_MAX_QUICKACKS = 16;
const DELACK_NS = 40e6;

/** The receiving socket of a flow (FlowConfig.receiver). */
class Receiver {
  readonly sock: TcpSock;
  cc: CongestionControl | undefined;
  opts: TcpSockopt | undefined;
  /** rcv_wup in packets: rcv_nxt when the last ACK was sent. */
  rcvWup = 0;
  /** Highest sequence received (out-of-order data above rcv_nxt exists iff rcvMax >= rcv_nxt). */
  rcvMax = -1;
  quick = 0;
  /** The connection is established (the receiver's control has been initialised). */
  established = false;
  /** Data has arrived (tcp_event_data_recv's first-time quick ACKs are done). */
  started = false;
  delackGen = 0;
  acks = 0;
  ceReceived = 0;
  constructor(
    kernel: Kernel,
    label: string,
    readonly delayed: boolean,
    cc: CongestionControl | undefined,
  ) {
    this.sock = new TcpSock(kernel, `${label} (receiver)`);
    this.cc = cc;
  }
  get pending(): number {
    return this.sock.bytes[ICSK_ACK_PENDING_OFF]!;
  }
  set pending(v: number) {
    this.sock.bytes[ICSK_ACK_PENDING_OFF] = v;
  }
}

function swapIn(arr: number[], i: number, j: number): void {
  const t = arr[i]!;
  arr[i] = arr[j]!;
  arr[j] = t;
}

/** Event queue: a binary heap on (time, insertion order) over parallel arrays. */
class EventQueue {
  private time: number[] = [];
  private seq: number[] = [];
  private kind: number[] = [];
  private flow: number[] = [];
  private a: number[] = [];
  private b: number[] = [];
  private n = 0;
  private counter = 0;
  get size(): number {
    return this.n;
  }
  private less(i: number, j: number): boolean {
    return this.time[i]! < this.time[j]! || (this.time[i] === this.time[j] && this.seq[i]! < this.seq[j]!);
  }
  private swap(i: number, j: number): void {
    swapIn(this.time, i, j);
    swapIn(this.seq, i, j);
    swapIn(this.kind, i, j);
    swapIn(this.flow, i, j);
    swapIn(this.a, i, j);
    swapIn(this.b, i, j);
  }
  push(time: number, kind: number, flow: number, a: number, b: number): void {
    let i = this.n++;
    this.time[i] = time;
    this.seq[i] = this.counter++;
    this.kind[i] = kind;
    this.flow[i] = flow;
    this.a[i] = a;
    this.b[i] = b;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  /** Pop the earliest event into `out`. */
  pop(out: { time: number; kind: number; flow: number; a: number; b: number }): void {
    out.time = this.time[0]!;
    out.kind = this.kind[0]!;
    out.flow = this.flow[0]!;
    out.a = this.a[0]!;
    out.b = this.b[0]!;
    const last = --this.n;
    if (last > 0) {
      this.swap(0, last);
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < last && this.less(l, m)) m = l;
        if (r < last && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
  }
}

// ACK event payload: a = cumulative ack (packets), b = packed (sack seq + 1) * 4 + dsack*2 + ece.

class Flow {
  readonly sock: TcpSock;
  /** The current congestion control (icsk_ca_ops). */
  cc: CongestionControl;
  readonly opts: TcpSockopt;
  sendAcks = 0;
  storageDropped = 0;
  /** tp->tcp_wstamp_ns (earliest departure of the next packet when paced) and data_segs_out. */
  wstampNs = 0;
  dataSegsOut = 0;
  paceArmed = false;
  bytesAcked = 0;
  /** The receiving socket (FlowConfig.receiver). */
  rx: Receiver | undefined;
  /** TCP_ECN_QUEUE_CWR: the next new data segment carries CWR. */
  queueCwr = false;
  sndUna = 0;
  sndNxt = 0;
  flags = new Uint8Array(1 << 12);
  sentNs = new Float64Array(1 << 12);
  // tcp_rate.c's per-skb `tx` snapshot, taken at every (re)transmission
  txDelivered = new Float64Array(1 << 12);
  txDeliveredCe = new Float64Array(1 << 12);
  txDeliveredUs = new Float64Array(1 << 12);
  txFirstTxUs = new Float64Array(1 << 12);
  /** bit 0: the snapshot is live (cleared once the packet was SACKed); bit 1: sent app-limited. */
  txState = new Uint8Array(1 << 12);
  /** tp->first_tx_mstamp and tp->delivered_mstamp (µs). */
  firstTxUs = 0;
  deliveredUs = 0;
  rateDelivered = 0;
  rateIntervalUs = 0;
  // receiver
  rcvNxt = 0;
  received = new Uint8Array(1 << 12);
  // loss detection: the three highest SACKed sequence numbers
  sack1 = -1;
  sack2 = -1;
  sack3 = -1;
  lossPtr = 0;
  rexmitPtr = 0;
  highSeq = 0;
  undoMarker = false;
  undoRetrans = 0;
  prrDelivered = 0;
  prrOut = 0;
  cwndUsageSeq = 0;
  // RTO
  rtoUs = RTO_INIT_US;
  backoff = 0;
  rtoGen = 0;
  rtoArmed = false;
  srttUs = 0;
  rttvarUs = 0;
  // accounting
  delivered = 0;
  deliveredCe = 0;
  lostTotal = 0;
  retransmits = 0;
  rtos = 0;
  lastRttNs = 0;
  started = false;
  /** Time of the last data send (ns), -1 before the first. */
  lastSendNs = -1;
  ecn: boolean;
  /** ECT packets sent into the bottleneck (for ceMarkEvery). */
  ectSent = 0;
  readonly rttsUs: number[] = [];
  readonly samples: FlowSample[] = [];
  readonly trace: { t: number[]; cwnd: number[]; ssthresh: number[]; state: number[] } | undefined;

  constructor(
    readonly index: number,
    readonly cfg: FlowConfig,
    kernel: Kernel,
    readonly mss: number,
    trace: boolean,
    host: (f: Flow) => SockoptHost,
  ) {
    this.sock = new TcpSock(kernel, cfg.label ?? cfg.cc.name);
    this.cc = cfg.cc;
    this.ecn = (cfg.cc.flags & TCP_CONG_NEEDS_ECN) !== 0;
    this.opts = new TcpSockopt(this.sock, host(this));
    this.sock.sockopt = this.opts;
    if (cfg.receiver !== undefined) this.rx = new Receiver(kernel, cfg.label ?? cfg.cc.name, cfg.receiver.delayedAck === true, cfg.receiver.cc);
    this.trace = trace ? { t: [], cwnd: [], ssthresh: [], state: [] } : undefined;
  }

  ensure(seq: number): void {
    if (seq < this.flags.length) return;
    let n = this.flags.length;
    while (n <= seq) n *= 2;
    const grow = <T extends Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.flags = grow(this.flags, (k) => new Uint8Array(k));
    this.sentNs = grow(this.sentNs, (k) => new Float64Array(k));
    this.txDelivered = grow(this.txDelivered, (k) => new Float64Array(k));
    this.txDeliveredCe = grow(this.txDeliveredCe, (k) => new Float64Array(k));
    this.txDeliveredUs = grow(this.txDeliveredUs, (k) => new Float64Array(k));
    this.txFirstTxUs = grow(this.txFirstTxUs, (k) => new Float64Array(k));
    this.txState = grow(this.txState, (k) => new Uint8Array(k));
    this.received = grow(this.received, (k) => new Uint8Array(k));
  }
}

/** Run a simulation. Deterministic: the same config (and seed) gives the same result. */
export function simulate(cfg: SimConfig): SimResult {
  const k = cfg.kernel;
  const mss = cfg.mss ?? 1448;
  const wireBits = (mss + HEADER_BYTES) * 8;
  const path = cfg.path;
  let bw = path.bandwidthBps;
  let halfRtt = path.rttNs / 2;
  let lastAckAt = 0;
  const loss = path.lossRate ?? 0;
  const rand = prng(cfg.seed ?? 1);
  const duration = cfg.durationNs;
  const sampleNs = cfg.sampleNs ?? Math.max(path.rttNs / 2, duration / 2000);
  const sub = k.service<TcpCcSubsystem>('tcp_cc');
  // The kernel's clock follows the simulation: bpf_ktime_get_ns / bpf_jiffies64 in a program see
  // the simulated time (plus the kernel's boot offset). Advanced once per event.
  let now = 0;
  let advanced = 0;
  let jiffiesNow = Number(k.jiffies64() & 0xffffffffn);
  const setNow = (t: number): void => {
    now = t;
    const target = Math.floor(t);
    if (target > advanced) {
      k.advance(target - advanced);
      advanced = target;
      jiffiesNow = Number(k.jiffies64() & 0xffffffffn);
    }
  };
  const jiffies32 = (): number => jiffiesNow;

  // The sockets own bpf_sk_storage values; they go when the socket is destroyed.
  const owners = localStorageOf(k);
  // CC instances made for bpf_setsockopt(TCP_CONGESTION) switches, freed at the end.
  const frees: (() => void)[] = [];
  const resolveCc =
    cfg.resolveCc ??
    ((name: string): CongestionControl | undefined => {
      const r = sub?.find(name);
      if (r === undefined) return undefined;
      if (r.inst !== null) {
        const b = bpfCongestionControl(r.inst);
        frees.push(b.free);
        return b;
      }
      if (name === 'reno') return builtinReno();
      if (name === 'cubic') return builtinCubic(jiffies32);
      throw new TcpSimError('NOT_EMULATED', `bpf_setsockopt(TCP_CONGESTION, "${name}"): the built-in ${name} is registered but not simulated`);
    });
  /** What a flow's socket options need from the simulation. */
  const host = (f: Flow): SockoptHost => ({
    ccName: () => f.cc.name,
    dataSent: () => f.sndNxt > 0,
    sendAck: () => {
      // The sender has received no data: its ACK carries nothing new for the peer.
      f.sendAcks++;
      return 0;
    },
    switchCc: (name) => {
      const next = resolveCc(name);
      if (next === undefined) return -ENOENT;
      // tcp_reinit_congestion_control: the old control's release (only after its init returned),
      // icsk_ca_priv zeroed, ECT per the new control's NEEDS_ECN, then its init.
      const s = f.sock;
      if (s.caInitialized) f.cc.release?.(s);
      f.cc = next;
      s.clearCaPriv();
      f.ecn = (next.flags & TCP_CONG_NEEDS_ECN) !== 0 && (s.ecnFlags & TCP_ECN_OK) !== 0;
      s.caInitialized = false;
      if (f.started) {
        syncSock(f);
        next.init?.(s);
        s.caInitialized = true;
      }
      return 0;
    },
  });
  /** The receiving socket's options: its ACKs go to the sender; it may switch its own control. */
  const rxHost = (f: Flow, r: Receiver): SockoptHost => ({
    ccName: () => r.cc?.name ?? 'reno',
    dataSent: () => false,
    sendAck: (rcvNxtBytes) => {
      // __tcp_send_ack(sk, rcv_nxt): an ACK for that point, ECE as the socket's state says.
      f.sendAcks++;
      sendRxAck(f, r, Math.floor((rcvNxtBytes >>> 0) / mss), -1, 0);
      return 0;
    },
    switchCc: (name) => {
      const next = resolveCc(name);
      if (next === undefined) return -ENOENT;
      const s = r.sock;
      if (s.caInitialized) r.cc?.release?.(s);
      r.cc = next;
      s.clearCaPriv();
      s.caInitialized = false;
      if (r.established) {
        next.init?.(s);
        s.caInitialized = true;
      }
      return 0;
    },
  });
  const flows = cfg.flows.map((f, i) => new Flow(i, f, k, mss, cfg.traceAcks === true, host));
  for (const f of flows) {
    if (f.rx === undefined) continue;
    f.rx.opts = new TcpSockopt(f.rx.sock, rxHost(f, f.rx));
    f.rx.sock.sockopt = f.rx.opts;
  }
  const q = new EventQueue();
  // the default receiver's counts (a receiving socket keeps its own)
  const acksByFlow = flows.map(() => 0);
  const ceByFlow = flows.map(() => 0);
  // bottleneck FIFO: departure times of queued packets (ring)
  let qTimes = new Float64Array(1024);
  let qHead = 0;
  let qLen = 0;
  let linkFree = 0;
  let drops = 0;
  let ceMarks = 0;
  let acks = 0;
  let linkBits = 0;

  const queueLen = (t: number): number => {
    while (qLen > 0 && qTimes[qHead]! <= t) {
      qHead = (qHead + 1) % qTimes.length;
      qLen--;
    }
    return qLen;
  };
  const enqueueTime = (dep: number): void => {
    if (qLen === qTimes.length) {
      const n = new Float64Array(qTimes.length * 2);
      for (let i = 0; i < qLen; i++) n[i] = qTimes[(qHead + i) % qTimes.length]!;
      qTimes = n;
      qHead = 0;
    }
    qTimes[(qHead + qLen) % qTimes.length] = dep;
    qLen++;
  };

  /** A packet of flow f enters the bottleneck now; schedules the receiver's ACK. */
  const scripted = new Map<string, number>();
  for (const d of path.dropScript ?? []) scripted.set(`${d.flow}:${d.seq}`, d.times);
  const transmit = (f: Flow, seq: number, cwr = false): void => {
    if (scripted.size > 0) {
      const key = `${f.index}:${seq}`;
      const left = scripted.get(key) ?? 0;
      if (left > 0) {
        scripted.set(key, left - 1);
        drops++;
        return;
      }
    }
    if (loss > 0 && rand() < loss) {
      drops++;
      return;
    }
    const ql = queueLen(now);
    if (ql >= path.bufferPkts) {
      drops++;
      return;
    }
    let ce = false;
    if (f.ecn) {
      f.ectSent++;
      if ((path.ecnK !== undefined && ql >= path.ecnK) || (path.ceMarkEvery !== undefined && f.ectSent % path.ceMarkEvery === 0)) {
        ce = true;
        ceMarks++;
      }
    }
    const dep = Math.max(now, linkFree) + (wireBits * 1e9) / bw;
    linkFree = dep;
    enqueueTime(dep);
    linkBits += wireBits;
    if (f.rx !== undefined) {
      // the receiving socket processes the segment when it arrives
      q.push(dep + halfRtt, EV_DATA, f.index, seq, (ce ? 1 : 0) | (cwr ? 2 : 0));
      return;
    }
    // receiver (ACK every packet)
    f.ensure(seq);
    let sack = -1;
    let dsack = 0;
    if (seq < f.rcvNxt || f.received[seq] === 1) {
      dsack = 1;
      sack = seq;
    } else {
      f.received[seq] = 1;
      if (ce) ceByFlow[f.index]!++;
      if (seq === f.rcvNxt) {
        while (f.received[f.rcvNxt] === 1) {
          f.rcvNxt++;
          f.ensure(f.rcvNxt);
        }
      } else sack = seq;
    }
    const ackAt = Math.max(dep + 2 * halfRtt, lastAckAt);
    lastAckAt = ackAt;
    acksByFlow[f.index]!++;
    q.push(ackAt, EV_ACK, f.index, f.rcvNxt, (sack + 1) * 4 + dsack * 2 + (ce ? 1 : 0));
  };

  const cc = (f: Flow): CongestionControl => f.cc;
  const setState = (f: Flow, st: number): void => {
    cc(f).setState?.(f.sock, st);
    f.sock.caState = st;
  };
  const event = (f: Flow, ev: number): void => cc(f).cwndEvent?.(f.sock, ev);
  const seqBytes = (pkts: number): number => Math.imul(pkts, mss) >>> 0;

  const O = SYNC_OFFSETS;
  const syncSock = (f: Flow): void => {
    const dv = f.sock.dv;
    dv.setUint32(O.snd_una, seqBytes(f.sndUna), true);
    dv.setUint32(O.snd_nxt, seqBytes(f.sndNxt), true);
    dv.setUint32(O.delivered, f.delivered, true);
    dv.setUint32(O.delivered_ce, f.deliveredCe, true);
    dv.setUint32(O.lost, f.lostTotal, true);
    dv.setUint32(O.high_seq, seqBytes(f.highSeq), true);
    dv.setUint32(O.prr_delivered, f.prrDelivered, true);
    dv.setUint32(O.prr_out, f.prrOut, true);
    dv.setUint32(O.undo_marker, f.undoMarker ? seqBytes(f.sndUna) || 1 : 0, true);
    dv.setUint32(O.undo_retrans, f.undoRetrans, true);
    // tcp_mstamp (u64 µs) as two halves: no BigInt per ACK
    const us = Math.floor(now / 1000);
    dv.setUint32(O.tcp_mstamp, us >>> 0, true);
    dv.setUint32(O.tcp_mstamp + 4, Math.floor(us / 4294967296), true);
  };

  const armRto = (f: Flow, restart: boolean): void => {
    if (f.sock.packetsOut === 0) {
      f.rtoArmed = false;
      f.rtoGen++;
      return;
    }
    if (f.rtoArmed && !restart) return;
    f.rtoGen++;
    f.rtoArmed = true;
    const us = Math.min(f.rtoUs * 2 ** f.backoff, RTO_MAX_US);
    q.push(now + us * 1000, EV_RTO, f.index, f.rtoGen, 0);
  };

  /** tcp_write_xmit: retransmit lost packets first, then new data, while in_flight < cwnd. */
  const xmit = (f: Flow): void => {
    const s = f.sock;
    const rwnd = f.cfg.rwndPkts ?? 4096;
    const reducing = s.caState === TCP_CA.CWR || s.caState === TCP_CA.Recovery;
    let sent = 0;
    while (s.inFlight < s.cwnd) {
      // tcp_pacing_check: a paced socket waits for its departure time
      if (f.wstampNs > now && s.dv.getUint32(SK_PACING_STATUS_OFF, true) !== 0) {
        if (!f.paceArmed) {
          f.paceArmed = true;
          q.push(f.wstampNs, EV_PACE, f.index, 0, 0);
        }
        break;
      }
      // lost, not yet retransmitted
      if (s.lostOut > s.retransOut) {
        let p = Math.max(f.rexmitPtr, f.sndUna);
        while (p < f.sndNxt && (f.flags[p]! & (LOST | RETRANS | SACKED)) !== LOST) p++;
        f.rexmitPtr = p;
        if (p < f.sndNxt) {
          f.flags[p]! |= RETRANS | EVER_RETRANS;
          s.retransOut = s.retransOut + 1;
          f.retransmits++;
          s.setU32('total_retrans', f.retransmits);
          if (f.undoMarker) f.undoRetrans++;
          f.sentNs[p] = now;
          rateSent(f, p);
          if (reducing) f.prrOut++;
          paceSent(f);
          transmit(f, p);
          sent++;
          continue;
        }
      }
      if (f.sndNxt - f.sndUna >= rwnd) break;
      if (!appHasData(f)) {
        // tcp_rate_check_app_limited: the window is not full for lack of data
        if (s.inFlight < s.cwnd && s.lostOut <= s.retransOut) s.setU32('app_limited', f.delivered + s.inFlight || 1);
        break;
      }
      if (s.packetsOut === 0 && !cc(f).hasCongControl && f.lastSendNs >= 0 && now - f.lastSendNs > f.rtoUs * 1000) cwndRestart(f);
      if (s.inFlight === 0) event(f, CA_EVENT.TX_START);
      const seq = f.sndNxt++;
      f.ensure(seq);
      f.flags[seq] = 0;
      f.sentNs[seq] = now;
      rateSent(f, seq);
      s.packetsOut = s.packetsOut + 1;
      if (reducing) f.prrOut++;
      // tcp_ecn_send: TCP_ECN_QUEUE_CWR puts CWR on the next new data segment
      const cwr = f.queueCwr;
      f.queueCwr = false;
      paceSent(f);
      transmit(f, seq, cwr);
      sent++;
    }
    if (sent > 0) {
      s.setU32('lsndtime', jiffies32());
      f.lastSendNs = now;
    }
    // tcp_cwnd_validate
    const limited = s.inFlight >= s.cwnd;
    if (f.sndUna >= f.cwndUsageSeq || limited || (!s.isCwndLimitedFlag && s.packetsOut > s.maxPacketsOut)) {
      s.isCwndLimitedFlag = limited;
      s.setU32('max_packets_out', s.packetsOut);
      f.cwndUsageSeq = f.sndNxt;
      s.setU32('cwnd_usage_seq', seqBytes(f.sndNxt));
    }
    syncSock(f);
    armRto(f, false);
  };

  /** Whether the application has data now (the `app` on/off pattern). */
  const appHasData = (f: Flow): boolean => {
    const app = f.cfg.app;
    if (app === undefined) return true;
    const phase = (now - (f.cfg.startNs ?? 0)) % (app.onNs + app.offNs);
    return phase < app.onNs;
  };

  /**
   * tcp_cwnd_restart (spec §2.2, tcp_output.c [mem]): after an idle period longer than the RTO,
   * CA_EVENT_CWND_RESTART, ssthresh = tcp_current_ssthresh, cwnd halved per RTO of idle time but not
   * below min(initial cwnd, cwnd).
   */
  const cwndRestart = (f: Flow): void => {
    const s = f.sock;
    const restartCwnd = Math.min(10, s.cwnd);
    let delta = now - f.lastSendNs;
    event(f, CA_EVENT.CWND_RESTART);
    s.ssthresh = currentSsthresh(f);
    let cwnd = s.cwnd;
    const rtoNs = f.rtoUs * 1000;
    while ((delta -= rtoNs) > 0 && cwnd > restartCwnd) cwnd >>>= 1;
    s.cwnd = Math.max(cwnd, restartCwnd);
    s.setU32('snd_cwnd_stamp', jiffies32());
    s.setU32('snd_cwnd_used', 0);
  };

  const currentSsthresh = (f: Flow): number => {
    const s = f.sock;
    if (s.caState === TCP_CA.CWR || s.caState === TCP_CA.Recovery) return s.ssthresh;
    return Math.max(s.ssthresh, (s.cwnd >>> 1) + (s.cwnd >>> 2));
  };

  /** tcp_init_cwnd_reduction. */
  const initCwndReduction = (f: Flow): void => {
    const s = f.sock;
    f.highSeq = f.sndNxt;
    s.cwndCnt = 0;
    s.priorCwnd = s.cwnd;
    f.prrDelivered = 0;
    f.prrOut = 0;
    syncSock(f);
    s.ssthresh = cc(f).ssthresh(s);
    if (f.ecn) f.queueCwr = true;
  };

  /** tcp_end_cwnd_reduction. */
  const endCwndReduction = (f: Flow): void => {
    const s = f.sock;
    if (cc(f).hasCongControl) return;
    if (s.ssthresh < TCP_INFINITE_SSTHRESH && (s.caState === TCP_CA.CWR || f.undoMarker)) {
      s.cwnd = s.ssthresh;
      s.setU32('snd_cwnd_stamp', jiffies32());
    }
    event(f, CA_EVENT.COMPLETE_CWR);
  };

  /** tcp_cwnd_reduction (PRR). */
  const prr = (f: Flow, newly: number, newlyLost: number, flag: number): void => {
    const s = f.sock;
    if (newly <= 0 || s.priorCwnd === 0) return;
    f.prrDelivered += newly;
    const inflight = s.inFlight;
    const delta = s.ssthresh - inflight;
    let sndcnt: number;
    if (delta < 0) {
      sndcnt = Math.floor((s.ssthresh * f.prrDelivered + s.priorCwnd - 1) / s.priorCwnd) - f.prrOut;
    } else {
      sndcnt = Math.max(f.prrDelivered - f.prrOut, newly);
      if ((flag & FLAG_SND_UNA_ADVANCED) !== 0 && newlyLost === 0) sndcnt++;
      sndcnt = Math.min(delta, sndcnt);
    }
    sndcnt = Math.max(sndcnt, f.prrOut === 0 ? 1 : 0);
    s.cwnd = inflight + sndcnt;
  };

  /** Mark lost every un-SACKed packet below the third-highest SACKed one (three-SACK rule). */
  const markLost = (f: Flow): number => {
    if (f.sack3 < 0) return 0;
    const s = f.sock;
    let n = 0;
    let p = Math.max(f.lossPtr, f.sndUna);
    for (; p < f.sack3; p++) {
      const fl = f.flags[p]!;
      if ((fl & (SACKED | LOST)) === 0 && (fl & RETRANS) === 0) {
        f.flags[p] = fl | LOST;
        n++;
      }
    }
    f.lossPtr = p;
    if (n > 0) {
      s.lostOut = s.lostOut + n;
      f.lostTotal += n;
    }
    return n;
  };

  const sample = (f: Flow, t: number): void => {
    const s = f.sock;
    f.samples.push({ tNs: Math.round(t), cwnd: s.cwnd, ssthresh: s.ssthresh, inflight: s.inFlight, rttNs: f.lastRttNs, state: s.caState, delivered: f.delivered });
  };
  const traceNow = (f: Flow): void => {
    if (f.trace === undefined) return;
    f.trace.t.push(now);
    f.trace.cwnd.push(f.sock.cwnd);
    f.trace.ssthresh.push(f.sock.ssthresh);
    f.trace.state.push(f.sock.caState);
  };

  /**
   * tcp_update_pacing_rate (controls without cong_control, after every ACK): sk_pacing_rate =
   * mss × max(cwnd, packets_out) / srtt × 200 % in slow start below ssthresh / 2, else 120 %
   * (sysctl_tcp_pacing_ss_ratio / ca_ratio), at most sk_max_pacing_rate. The sender paces only
   * when sk_pacing_status is set (as with BBR); otherwise the rate is what a control reads.
   */
  const updatePacingRate = (s: TcpSock): void => {
    const srtt = s.u32('srtt_us');
    const ratio = s.cwnd < s.ssthresh / 2 ? 200 : 120;
    const prod = s.u32('mss_cache') * ((1_000_000 / 100) * 8) * ratio * Math.max(s.cwnd, s.packetsOut);
    let rate: bigint;
    if (prod < Number.MAX_SAFE_INTEGER) rate = BigInt(srtt !== 0 ? Math.floor(prod / srtt) : prod);
    else {
      rate = BigInt(s.u32('mss_cache')) * 80_000n * BigInt(ratio) * BigInt(Math.max(s.cwnd, s.packetsOut));
      if (srtt !== 0) rate /= BigInt(srtt);
    }
    const max = s.dv.getBigUint64(SK_MAX_PACING_RATE_OFF, true);
    s.dv.setBigUint64(SK_PACING_RATE_OFF, rate < max ? rate : max, true);
  };

  /**
   * __tcp_transmit_skb + tcp_update_skb_after_send: with sk_pacing_status set (SK_PACING_NEEDED or
   * SK_PACING_FQ) and a pacing rate, each data segment after the first ten pushes the next
   * departure by its length at sk_pacing_rate, less up to half of it as credit for time the flow
   * spent behind its schedule.
   */
  const paceSent = (f: Flow): void => {
    const s = f.sock;
    const prior = f.wstampNs;
    if (f.wstampNs < now) f.wstampNs = now;
    f.dataSegsOut++;
    if (s.dv.getUint32(SK_PACING_STATUS_OFF, true) === 0) return;
    const rate = s.dv.getBigUint64(SK_PACING_RATE_OFF, true);
    if (rate === 0n || rate === 0xffffffffffffffffn || f.dataSegsOut <= 10) return;
    let lenNs = Math.floor(((mss + TCP_HEADER_BYTES) * 1e9) / Number(rate));
    const credit = f.wstampNs - prior;
    lenNs -= Math.min(Math.floor(lenNs / 2), credit);
    f.wstampNs += lenNs;
  };

  /** tcp_rate_skb_sent: the delivery state a packet carries when it leaves (before packets_out grows). */
  const rateSent = (f: Flow, seq: number): void => {
    const s = f.sock;
    const us = Math.floor(now / 1000);
    if (s.packetsOut === 0) {
      f.firstTxUs = us;
      f.deliveredUs = us;
    }
    f.txFirstTxUs[seq] = f.firstTxUs;
    f.txDeliveredUs[seq] = f.deliveredUs;
    f.txDelivered[seq] = f.delivered;
    f.txDeliveredCe[seq] = f.deliveredCe;
    f.txState[seq] = 1 | (s.u32('app_limited') !== 0 ? 2 : 0);
  };

  /** The rate sample of the ACK being processed (tcp_ack's `struct rate_sample rs`, zeroed per ACK). */
  const rs = { hasPrior: false, priorDelivered: 0, priorDeliveredCe: 0, priorUs: 0, appLimited: false, retrans: false, lastEndSeq: -1, intervalUs: 0 };
  const rateReset = (): void => {
    rs.hasPrior = false;
    rs.priorDelivered = 0;
    rs.priorDeliveredCe = 0;
    rs.priorUs = 0;
    rs.appLimited = false;
    rs.retrans = false;
    rs.lastEndSeq = -1;
    rs.intervalUs = 0;
  };

  /** tcp_rate_skb_delivered: packet p was (S)ACKed; the newest-sent one so far gives the sample. */
  const rateDelivered = (f: Flow, p: number, sacked: boolean): void => {
    if ((f.txState[p]! & 1) === 0) return;
    const txUs = Math.floor(f.sentNs[p]! / 1000);
    if (rs.priorDelivered === 0 || txUs > f.firstTxUs || (txUs === f.firstTxUs && p > rs.lastEndSeq)) {
      rs.hasPrior = true;
      rs.priorDelivered = f.txDelivered[p]!;
      rs.priorDeliveredCe = f.txDeliveredCe[p]!;
      rs.priorUs = f.txDeliveredUs[p]!;
      rs.appLimited = (f.txState[p]! & 2) !== 0;
      rs.retrans = (f.flags[p]! & EVER_RETRANS) !== 0;
      rs.lastEndSeq = p;
      f.firstTxUs = txUs;
      rs.intervalUs = Math.max(txUs - f.txFirstTxUs[p]!, 0);
    }
    if (sacked) f.txState[p] = f.txState[p]! & ~1;
  };

  /** tcp_rate_gen: the sample over the interval, and tp->rate_delivered / rate_interval_us. */
  const rateGen = (f: Flow, delivered: number, lost: number, priorInFlight: number, rttUs: number): RateSampleLite => {
    const s = f.sock;
    const nowUs = Math.floor(now / 1000);
    const appLimited = s.u32('app_limited');
    if (appLimited !== 0 && ((f.delivered - appLimited) | 0) > 0) s.setU32('app_limited', 0);
    if (delivered > 0) {
      f.deliveredUs = nowUs;
      s.dv.setUint32(DELIVERED_MSTAMP_OFF, nowUs >>> 0, true);
      s.dv.setUint32(DELIVERED_MSTAMP_OFF + 4, Math.floor(nowUs / 4294967296), true);
    }
    const out: RateSampleLite = {
      delivered: -1,
      deliveredCe: 0,
      ackedSacked: delivered,
      priorInFlight,
      rttUs,
      losses: lost,
      priorMstampUs: rs.hasPrior ? rs.priorUs : 0,
      priorDelivered: rs.priorDelivered,
      priorDeliveredCe: rs.priorDeliveredCe,
      intervalUs: -1,
      sndIntervalUs: 0,
      rcvIntervalUs: 0,
      isAppLimited: rs.appLimited,
      isRetrans: rs.retrans,
      lastEndSeq: rs.lastEndSeq < 0 ? 0 : seqBytes(rs.lastEndSeq + 1),
    };
    if (!rs.hasPrior) return out;
    out.delivered = f.delivered - rs.priorDelivered;
    out.deliveredCe = f.deliveredCe - rs.priorDeliveredCe;
    const snd = rs.intervalUs;
    const ack = Math.max(nowUs - rs.priorUs, 0);
    out.sndIntervalUs = snd;
    out.rcvIntervalUs = ack;
    const interval = Math.max(snd, ack);
    if (interval < tcpMinRtt(s)) return out; // interval_us = -1: shorter than min RTT, not a sample
    out.intervalUs = interval;
    if (!rs.appLimited || out.delivered * f.rateIntervalUs >= f.rateDelivered * interval) {
      f.rateDelivered = out.delivered;
      f.rateIntervalUs = interval;
      s.setU32('rate_delivered', out.delivered);
      s.setU32('rate_interval_us', interval);
    }
    return out;
  };

  /** An ACK from the receiving socket for `ackPkts` (tcp_send_ack / __tcp_send_ack). */
  const sendRxAck = (f: Flow, r: Receiver, ackPkts: number, sack: number, dsack: number): void => {
    const ece = (r.sock.ecnFlags & TCP_ECN_DEMAND_CWR) !== 0 ? 1 : 0;
    const ackAt = Math.max(now + halfRtt, lastAckAt);
    lastAckAt = ackAt;
    r.acks++;
    q.push(ackAt, EV_ACK, f.index, ackPkts, (sack + 1) * 4 + dsack * 2 + ece);
    // tcp_event_ack_sent, only for an ACK of the current rcv_nxt (DCTCP's special ACK is not one)
    if (ackPkts === f.rcvNxt) {
      r.pending = 0;
      r.rcvWup = f.rcvNxt;
      r.delackGen++;
      if (r.quick > 0) r.quick--;
    }
  };

  /**
   * A data segment reaches the receiving socket (tcp_rcv_established → tcp_data_queue,
   * tcp_event_data_recv / tcp_data_queue_ofo with __tcp_ecn_check_ce, then __tcp_ack_snd_check).
   */
  const onData = (f: Flow, seq: number, bits: number): void => {
    const r = f.rx!;
    const rs = r.sock;
    const ce = (bits & 1) !== 0;
    f.ensure(seq);
    // tcp_ecn_accept_cwr: a CWR from the sender ends the echo and asks for an ACK now
    if ((bits & 2) !== 0) {
      rs.ecnFlags = rs.ecnFlags & ~TCP_ECN_DEMAND_CWR;
      r.pending = r.pending | ICSK_ACK_NOW;
    }
    if (seq < f.rcvNxt || f.received[seq] === 1) {
      // a duplicate: D-SACK and an immediate ACK (tcp_enter_quickack_mode)
      r.quick = Math.max(r.quick, TCP_MAX_QUICKACKS);
      sendRxAck(f, r, f.rcvNxt, seq, 1);
      return;
    }
    f.received[seq] = 1;
    if (seq > r.rcvMax) r.rcvMax = seq;
    const inOrder = seq === f.rcvNxt;
    if (inOrder) {
      const hadOfo = r.rcvMax > seq;
      while (f.received[f.rcvNxt] === 1) {
        f.rcvNxt++;
        f.ensure(f.rcvNxt);
      }
      // the out-of-order queue drained: one immediate ACK
      if (hadOfo && r.rcvMax < f.rcvNxt) r.pending = r.pending | ICSK_ACK_NOW;
    }
    r.pending = r.pending | ICSK_ACK_SCHED;
    if (!r.started) {
      // tcp_event_data_recv, first data: quick ACKs for a start
      r.started = true;
      r.quick = TCP_MAX_QUICKACKS;
    }
    rs.setU32('rcv_nxt', seqBytes(f.rcvNxt));
    const us = Math.floor(now / 1000);
    rs.dv.setUint32(SYNC_OFFSETS.tcp_mstamp, us >>> 0, true);
    rs.dv.setUint32(SYNC_OFFSETS.tcp_mstamp + 4, Math.floor(us / 4294967296), true);
    // __tcp_ecn_check_ce (ECN negotiated: the segment is ECT(0) or CE)
    if ((rs.ecnFlags & TCP_ECN_OK) !== 0) {
      const needsEcn = r.cc !== undefined && (r.cc.flags & TCP_CONG_NEEDS_ECN) !== 0;
      if (ce) {
        r.ceReceived++;
        if (needsEcn) r.cc!.cwndEvent?.(rs, CA_EVENT.ECN_IS_CE);
        if ((rs.ecnFlags & TCP_ECN_DEMAND_CWR) === 0) {
          r.quick = Math.max(r.quick, 2);
          rs.ecnFlags = rs.ecnFlags | TCP_ECN_DEMAND_CWR;
        }
      } else if (needsEcn) r.cc!.cwndEvent?.(rs, CA_EVENT.ECN_NO_CE);
      rs.ecnFlags = rs.ecnFlags | TCP_ECN_SEEN;
    }
    // __tcp_ack_snd_check
    const ofo = r.rcvMax >= f.rcvNxt;
    if (!r.delayed || f.rcvNxt - r.rcvWup > 1 || r.quick > 0 || (r.pending & ICSK_ACK_NOW) !== 0 || ofo) {
      sendRxAck(f, r, f.rcvNxt, inOrder ? -1 : seq, 0);
    } else if ((r.pending & ICSK_ACK_TIMER) === 0) {
      // tcp_send_delayed_ack
      r.pending = r.pending | ICSK_ACK_TIMER;
      r.delackGen++;
      q.push(now + DELACK_NS, EV_DELACK, f.index, r.delackGen, 0);
    }
  };

  const onDelack = (f: Flow, gen: number): void => {
    const r = f.rx!;
    if (gen !== r.delackGen || (r.pending & ICSK_ACK_TIMER) === 0) return;
    sendRxAck(f, r, f.rcvNxt, -1, 0);
  };

  const onAck = (f: Flow, ack: number, packed: number): void => {
    const s = f.sock;
    const ece = (packed & 1) !== 0 && f.ecn;
    const dsack = (packed & 2) !== 0;
    const sackSeq = (packed >> 2) - 1;
    if (ack < f.sndUna) return; // old ACK
    if (ack > f.sndNxt) return; // tcp_ack: an ACK of unsent data is dropped (e.g. a bogus bpf_tcp_send_ack)
    acks++;
    syncSock(f);
    rateReset();
    const priorInFlight = s.inFlight;
    const priorPackets = s.packetsOut;
    const deliveredBefore = f.delivered;
    const lostBefore = f.lostTotal;
    let flag = 0;
    let newestSent = -1;
    if (ece) flag |= FLAG_ECE;
    // SACK tagging
    if (sackSeq >= 0 && !dsack && sackSeq >= ack && sackSeq < f.sndNxt && (f.flags[sackSeq]! & SACKED) === 0) {
      const fl = f.flags[sackSeq]!;
      f.flags[sackSeq] = (fl | SACKED) & ~(LOST | RETRANS); // a SACKed packet is neither lost nor being retransmitted
      s.sackedOut = s.sackedOut + 1;
      if ((fl & LOST) !== 0) s.lostOut = s.lostOut - 1;
      if ((fl & RETRANS) !== 0) s.retransOut = s.retransOut - 1;
      f.delivered++;
      if (ece) f.deliveredCe++;
      flag |= FLAG_DATA_SACKED;
      if ((fl & EVER_RETRANS) === 0) newestSent = Math.max(newestSent, f.sentNs[sackSeq]!);
      rateDelivered(f, sackSeq, true);
      if (sackSeq > f.sack1) {
        f.sack3 = f.sack2;
        f.sack2 = f.sack1;
        f.sack1 = sackSeq;
      }
    }
    if (dsack) {
      flag |= FLAG_DSACKING_ACK;
      if (f.undoMarker && sackSeq >= 0 && (f.flags[sackSeq]! & EVER_RETRANS) !== 0 && f.undoRetrans > 0) f.undoRetrans--;
    }
    // cumulative ACK (tcp_clean_rtx_queue)
    let pktsAcked = 0;
    if (ack > f.sndUna) {
      flag |= FLAG_SND_UNA_ADVANCED | FLAG_DATA_ACKED;
      for (let p = f.sndUna; p < ack; p++) {
        const fl = f.flags[p]!;
        rateDelivered(f, p, false);
        if ((fl & SACKED) === 0) {
          f.delivered++;
          if (ece) f.deliveredCe++;
          if ((fl & EVER_RETRANS) === 0) newestSent = Math.max(newestSent, f.sentNs[p]!);
        } else s.sackedOut = s.sackedOut - 1;
        if ((fl & LOST) !== 0) s.lostOut = s.lostOut - 1;
        if ((fl & RETRANS) !== 0) s.retransOut = s.retransOut - 1;
        if ((fl & EVER_RETRANS) !== 0) flag |= FLAG_RETRANS_DATA_ACKED;
      }
      pktsAcked = ack - f.sndUna;
      s.packetsOut = s.packetsOut - pktsAcked;
      // tcp_snd_una_update: bytes_acked (u64) grows by the newly acknowledged bytes
      f.bytesAcked += pktsAcked * mss;
      s.dv.setUint32(BYTES_ACKED_OFF, f.bytesAcked >>> 0, true);
      s.dv.setUint32(BYTES_ACKED_OFF + 4, Math.floor(f.bytesAcked / 4294967296), true);
      f.sndUna = ack;
      f.backoff = 0;
      if (f.sack1 < ack) f.sack1 = f.sack2 = f.sack3 = -1;
      else if (f.sack2 < ack) f.sack2 = f.sack3 = -1;
      else if (f.sack3 < ack) f.sack3 = -1;
    }
    syncSock(f);
    const newlyDelivered = f.delivered - deliveredBefore;
    const slow = (flag & (FLAG_DATA_SACKED | FLAG_ECE | FLAG_DSACKING_ACK)) !== 0 || pktsAcked === 0;
    const ackFlags = slow ? CA_ACK.SLOWPATH | (ece ? CA_ACK.ECE : 0) : CA_ACK.WIN_UPDATE;
    if (priorPackets === 0) {
      cc(f).inAckEvent?.(s, ackFlags);
      return;
    }
    // RTT (Karn: only never-retransmitted packets), estimator as tcp_rtt_estimator
    let rttUs = -1;
    if (newestSent >= 0) {
      rttUs = Math.max(1, Math.round((now - newestSent) / 1000));
      f.lastRttNs = rttUs * 1000;
      f.rttsUs.push(rttUs);
      if (f.srttUs === 0) {
        f.srttUs = rttUs;
        f.rttvarUs = rttUs / 2;
      } else {
        f.rttvarUs = 0.75 * f.rttvarUs + 0.25 * Math.abs(f.srttUs - rttUs);
        f.srttUs = 0.875 * f.srttUs + 0.125 * rttUs;
      }
      f.rtoUs = Math.round(f.srttUs + Math.max(4 * f.rttvarUs, f.opts.rtoMinUs));
      s.setU32('srtt_us', Math.round(f.srttUs * 8));
      // tcp_update_rtt_min (every sample here: no delayed-ACK flag on the sender's samples)
      rttMinUpdate(s, MIN_RTT_WLEN_JIFFIES, jiffies32(), rttUs);
      s.setU32('mdev_us', Math.round(f.rttvarUs * 4));
      s.setU32('rttvar_us', Math.round(f.rttvarUs * 4));
      s.rto = Math.ceil(f.rtoUs / 1000);
    }
    cc(f).pktsAcked?.(s, pktsAcked, rttUs, mss * newlyDelivered);
    cc(f).inAckEvent?.(s, ackFlags);

    // tcp_fastretrans_alert (for dubious ACKs)
    const newlyLost = markLost(f);
    const dubious = (flag & FLAG_SND_UNA_ADVANCED) === 0 || (flag & (FLAG_DATA_SACKED | FLAG_ECE)) !== 0 || s.caState !== TCP_CA.Open || newlyLost > 0;
    if (dubious) {
      if (ece) s.priorSsthresh = 0;
      let st = s.caState;
      if (st !== TCP_CA.Open && f.sndUna >= f.highSeq) {
        if (st === TCP_CA.CWR && f.sndUna !== f.highSeq) {
          endCwndReduction(f);
          setState(f, TCP_CA.Open);
        } else if (st === TCP_CA.Recovery || st === TCP_CA.Loss) {
          // tcp_try_undo_recovery: every retransmission DSACKed → undo
          if (f.undoMarker && f.undoRetrans === 0 && s.priorSsthresh !== 0) {
            s.cwnd = cc(f).undoCwnd(s);
            if (s.priorSsthresh > s.ssthresh) s.ssthresh = s.priorSsthresh;
            f.undoMarker = false;
          }
          setState(f, TCP_CA.Open);
          if (st === TCP_CA.Recovery) endCwndReduction(f);
          f.undoMarker = false;
        }
        st = s.caState;
      }
      if (st === TCP_CA.Open || st === TCP_CA.Disorder || st === TCP_CA.CWR) {
        if (s.lostOut === 0) {
          // tcp_try_to_open
          if (ece && st < TCP_CA.CWR) {
            s.priorSsthresh = 0;
            f.undoMarker = false;
            initCwndReduction(f);
            setState(f, TCP_CA.CWR);
          } else if (st !== TCP_CA.CWR) {
            const want = s.sackedOut + s.lostOut + s.retransOut > 0 ? TCP_CA.Disorder : TCP_CA.Open;
            if (want !== st) {
              setState(f, want);
              f.highSeq = f.sndNxt;
            }
          }
        } else {
          // tcp_enter_recovery
          s.priorSsthresh = 0;
          f.undoMarker = true;
          f.undoRetrans = 0;
          if (st !== TCP_CA.CWR) {
            if (!ece) s.priorSsthresh = currentSsthresh(f);
            initCwndReduction(f);
          }
          setState(f, TCP_CA.Recovery);
        }
      }
    }
    syncSock(f);
    // tcp_rate_gen, then tcp_cong_control
    const sample = rateGen(f, newlyDelivered, f.lostTotal - lostBefore, priorInFlight, rttUs);
    const st = s.caState;
    if (cc(f).hasCongControl) {
      cc(f).congControl!(s, seqBytes(ack), flag, sample);
    } else if (st === TCP_CA.CWR || st === TCP_CA.Recovery) {
      prr(f, newlyDelivered, f.lostTotal - lostBefore, flag);
    } else if ((flag & FLAG_DATA_ACKED) !== 0) {
      cc(f).congAvoid?.(s, seqBytes(ack), newlyDelivered);
      s.setU32('snd_cwnd_stamp', jiffies32());
    }
    if (!cc(f).hasCongControl) updatePacingRate(s);
    traceNow(f);
    xmit(f);
    if (pktsAcked > 0) armRto(f, true);
  };

  const onRto = (f: Flow, gen: number): void => {
    if (gen !== f.rtoGen || !f.rtoArmed) return;
    const s = f.sock;
    f.rtoArmed = false;
    if (s.packetsOut === 0) return;
    f.rtos++;
    syncSock(f);
    // tcp_enter_loss: everything outstanding and not SACKed is lost; retransmissions are forgotten
    const st = s.caState;
    const newEpisode = st <= TCP_CA.Disorder || f.highSeq <= f.sndUna || (st === TCP_CA.Loss && s.retransOut === 0 && f.undoRetrans === 0);
    let lost = 0;
    for (let p = f.sndUna; p < f.sndNxt; p++) {
      const fl = f.flags[p]!;
      if ((fl & SACKED) !== 0) continue;
      if ((fl & LOST) === 0) lost++;
      f.flags[p] = (fl | LOST) & ~RETRANS;
    }
    s.lostOut = s.lostOut + lost;
    f.lostTotal += lost;
    s.retransOut = 0;
    f.rexmitPtr = f.sndUna;
    if (newEpisode) {
      s.priorSsthresh = currentSsthresh(f);
      s.priorCwnd = s.cwnd;
      s.ssthresh = cc(f).ssthresh(s);
      event(f, CA_EVENT.LOSS);
      f.undoMarker = true;
      f.undoRetrans = 0;
    }
    if (f.ecn) f.queueCwr = true;
    s.cwnd = s.inFlight + 1;
    s.cwndCnt = 0;
    s.setU32('snd_cwnd_stamp', jiffies32());
    setState(f, TCP_CA.Loss);
    f.highSeq = f.sndNxt;
    f.backoff = Math.min(f.backoff + 1, 16);
    traceNow(f);
    xmit(f);
    armRto(f, true);
  };

  const startFlow = (f: Flow): void => {
    const s = f.sock;
    sub?.socks.set(s.region, s);
    s.skState = 1; // TCP_ESTABLISHED
    s.cwnd = 10;
    s.ssthresh = TCP_INFINITE_SSTHRESH;
    s.setU32('snd_cwnd_clamp', 0xffffffff);
    s.setU32('mss_cache', mss);
    s.setU32('reordering', 3);
    s.setU32('snd_wnd', (f.cfg.rwndPkts ?? 4096) * mss);
    s.rto = RTO_INIT_US / 1000;
    s.ecnFlags = f.ecn ? TCP_ECN_OK : 0; // a control with TCP_CONG_NEEDS_ECN always negotiates ECN
    s.setU32('snd_cwnd_stamp', jiffies32());
    rttMinReset(s, jiffies32(), 0xffffffff); // tcp_init_sock: minmax_reset(&tp->rtt_min, now, ~0U)
    s.dv.setBigUint64(SK_MAX_PACING_RATE_OFF, 0xffffffffffffffffn, true); // sk_max_pacing_rate: ~0UL
    s.dv.setUint32(SK_GSO_MAX_SIZE_OFF, GSO_MAX_SIZE, true);
    syncSock(f);
    f.started = true;
    const r = f.rx;
    if (r !== undefined) {
      // the receiving socket is established at the same moment (tcp_init_transfer on both ends)
      const rs = r.sock;
      sub?.socks.set(rs.region, rs);
      rs.skState = 1;
      rs.cwnd = 10;
      rs.ssthresh = TCP_INFINITE_SSTHRESH;
      rs.setU32('snd_cwnd_clamp', 0xffffffff);
      rs.setU32('mss_cache', mss);
      rs.ecnFlags = f.ecn ? TCP_ECN_OK : 0;
      r.established = true;
      r.cc?.init?.(rs);
      rs.caInitialized = true;
    }
    cc(f).init?.(s);
    s.caInitialized = true;
    traceNow(f);
    xmit(f);
  };

  for (const f of flows) {
    const start = f.cfg.startNs ?? 0;
    q.push(start, EV_START, f.index, 0, 0);
    const app = f.cfg.app;
    if (app !== undefined) {
      if (!(app.onNs > 0 && app.offNs >= 0)) throw new RangeError(`flow ${f.index}: app.onNs must be > 0 and app.offNs >= 0`);
      // the start of every on-phase wakes the sender
      if (app.offNs > 0) for (let t = start + app.onNs + app.offNs; t <= duration; t += app.onNs + app.offNs) q.push(t, EV_APP, f.index, 0, 0);
    }
  }
  for (const c of path.rateChanges ?? []) q.push(c.atNs, EV_RATE, -1, c.bandwidthBps, 0);
  for (const c of path.rttChanges ?? []) q.push(c.atNs, EV_RTT, -1, c.rttNs, 0);

  const ev = { time: 0, kind: 0, flow: 0, a: 0, b: 0 };
  let nextSample = 0;
  try {
    while (q.size > 0) {
      q.pop(ev);
      if (ev.time > duration) break;
      while (nextSample <= ev.time) {
        for (const f of flows) if (f.started) sample(f, nextSample);
        nextSample += sampleNs;
      }
      setNow(ev.time);
      const f = flows[ev.flow];
      switch (ev.kind) {
        case EV_ACK:
          onAck(f!, ev.a, ev.b);
          break;
        case EV_RTO:
          onRto(f!, ev.a);
          break;
        case EV_START:
          startFlow(f!);
          break;
        case EV_APP:
          if (f!.started) xmit(f!);
          break;
        case EV_DATA:
          onData(f!, ev.a, ev.b);
          break;
        case EV_PACE:
          f!.paceArmed = false;
          xmit(f!);
          break;
        case EV_DELACK:
          onDelack(f!, ev.a);
          break;
        case EV_RTT:
          halfRtt = ev.a / 2;
          break;
        case EV_RATE:
          bw = ev.a;
          break;
      }
    }
    while (nextSample <= duration) {
      for (const f of flows) if (f.started) sample(f, nextSample);
      nextSample += sampleNs;
    }
  } finally {
    for (const f of flows) {
      // socket destruction: the control's release (tcp_cleanup_congestion_control), then the
      // socket's local storage goes (sk_destruct → bpf_sk_storage_free)
      if (f.started && f.sock.caInitialized) f.cc.release?.(f.sock);
      f.storageDropped += owners.release(f.sock.region);
      sub?.socks.delete(f.sock.region);
      f.sock.free();
      const r = f.rx;
      if (r !== undefined) {
        if (f.started && r.sock.caInitialized) r.cc?.release?.(r.sock);
        f.storageDropped += owners.release(r.sock.region);
        sub?.socks.delete(r.sock.region);
        r.sock.free();
      }
    }
    for (const free of frees) free();
  }
  return {
    flows: flows.map((f) => {
      const active = duration - Math.min(duration, f.cfg.startNs ?? 0);
      return {
        ops: f.cfg.label ?? f.cfg.cc.name,
        throughputBps: active > 0 ? (f.delivered * mss * 8 * 1e9) / active : 0,
        retransmits: f.retransmits,
        deliveredPkts: f.delivered,
        rtos: f.rtos,
        sendAcks: f.sendAcks,
        rxAcks: f.rx?.acks ?? acksByFlow[f.index]!,
        ceReceived: f.rx?.ceReceived ?? ceByFlow[f.index]!,
        deliveredCe: f.deliveredCe,
        storageDropped: f.storageDropped,
        finalCc: f.cc.name,
        samples: f.samples,
        rttsUs: f.rttsUs,
        ...(f.trace !== undefined ? { trace: f.trace } : {}),
      };
    }),
    acks,
    drops,
    ceMarks,
    durationNs: duration,
    linkBits,
  };
}
