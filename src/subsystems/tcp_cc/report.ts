/**
 * `simulateTcp`: the public entry of the TCP congestion-control simulator, and its outputs: the
 * summary and JSON shape of issue 17 (`{"summary":{...},"flows":[{ops, throughputBps,
 * retransmits, samples:[{tNs, cwnd, ssthresh, inflight, rttNs, state}]}]}`), CSV and an SVG plot of
 * cwnd and RTT over time per flow.
 */
import { Kernel } from '../../kernel/kernel.js';
import type { StructOpsInstance } from '../../kernel/structops.js';
import { bpfCongestionControl, builtinCubic, builtinReno, TcpSimError, type CongestionControl } from './cc.js';

export { TcpSimError } from './cc.js';
import { installTcpCc } from './install.js';
import { simulate, type FlowSample, type SimResult } from './sim.js';

/** A flow's congestion control: a built-in reference by name, a registered BPF instance, or your own. */
export type TcpCcChoice = 'reno' | 'cubic' | StructOpsInstance | (() => CongestionControl);

/** Options of {@link simulateTcp}. */
export interface SimulateTcpOptions {
  /** The flows; each gets its own socket (default start 0). */
  readonly flows: readonly {
    readonly cc: TcpCcChoice;
    readonly startNs?: number;
    readonly label?: string;
    /** Receiver window in packets (default 4096). */
    readonly rwndPkts?: number;
    /** Application-limited phases: data for onNs, then none for offNs, repeating. */
    readonly app?: { readonly onNs: number; readonly offNs: number };
    /**
     * A receiving socket with its own congestion control (`'same'`: another instance of the
     * sender's, as when both ends run DCTCP) and optional delayed ACKs; see FlowConfig.receiver.
     */
    readonly receiver?: { readonly cc?: TcpCcChoice | 'same'; readonly delayedAck?: boolean };
  }[];
  readonly bandwidthBps: number;
  readonly rttNs: number;
  /** Drop-tail buffer in packets (default: one BDP, at least 2). */
  readonly bufferPkts?: number;
  readonly lossRate?: number;
  readonly ecnK?: number;
  /** CE-mark every k-th packet of ECN-capable flows (a deterministic marker for DCTCP tests). */
  readonly ceMarkEvery?: number;
  readonly rateChanges?: readonly { readonly atNs: number; readonly bandwidthBps: number }[];
  /** Base RTT changes (route changes that do not reorder packets). */
  readonly rttChanges?: readonly { readonly atNs: number; readonly rttNs: number }[];
  /** Scripted losses: the first `times` transmissions of packet `seq` of flow `flow` are dropped. */
  readonly dropScript?: readonly { readonly flow: number; readonly seq: number; readonly times: number }[];
  readonly durationNs: number;
  readonly seed?: number;
  readonly mss?: number;
  readonly sampleNs?: number;
  readonly traceAcks?: boolean;
  /** The kernel BPF instances live in (default: a new kernel with the subsystem installed). */
  readonly kernel?: Kernel;
}

/** The summary across flows. */
export interface TcpSummary {
  readonly throughputBps: number;
  readonly utilization: number;
  readonly meanRttNs: number;
  readonly p99RttNs: number;
  readonly retransmits: number;
  readonly jainFairness: number;
}

/** What {@link simulateTcp} returns; `toJSON()` gives the issue's JSON shape. */
export interface TcpSimReport {
  readonly summary: TcpSummary;
  readonly flows: readonly { readonly ops: string; readonly throughputBps: number; readonly retransmits: number; readonly samples: readonly FlowSample[] }[];
  /** Everything the simulation recorded (per-ACK traces when asked, RTT samples, drops). */
  readonly raw: SimResult;
}

/** Jain's fairness index (Σx)² / (n·Σx²); 1 for a single flow or all equal. */
export function jainIndex(xs: readonly number[]): number {
  if (xs.length === 0) return 1;
  let s = 0;
  let s2 = 0;
  for (const x of xs) {
    s += x;
    s2 += x * x;
  }
  return s2 === 0 ? 1 : (s * s) / (xs.length * s2);
}

/** Bits per second of payload a link of `bandwidthBps` carries at most (52 header bytes per packet). */
export function goodputCapacity(bandwidthBps: number, mss = 1448): number {
  return (bandwidthBps * mss) / (mss + 52);
}

/** Most packets one run may carry at the bottleneck rate (about 10 minutes of BPF-driven ACKs). */
export const MAX_PACKET_SLOTS = 50_000_000;

/** Validate the numeric options (typed errors naming the option). */
function check(o: SimulateTcpOptions): void {
  const pos = (name: string, v: number | undefined, allowZero = false): void => {
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new TcpSimError('BAD_OPTION', `simulateTcp: ${name} must be a positive number, got ${v}`);
  };
  pos('bandwidthBps', o.bandwidthBps);
  pos('rttNs', o.rttNs);
  pos('durationNs', o.durationNs);
  pos('bufferPkts', o.bufferPkts, true);
  pos('ecnK', o.ecnK, true);
  pos('ceMarkEvery', o.ceMarkEvery);
  pos('mss', o.mss);
  pos('sampleNs', o.sampleNs);
  if (o.lossRate !== undefined && !(o.lossRate >= 0 && o.lossRate < 1)) throw new TcpSimError('BAD_OPTION', `simulateTcp: lossRate must be in [0, 1), got ${o.lossRate}`);
  if (o.flows.length === 0) throw new TcpSimError('BAD_OPTION', 'simulateTcp: at least one flow is needed');
  if (o.flows.length > 64) throw new TcpSimError('BAD_OPTION', `simulateTcp: at most 64 flows, got ${o.flows.length}`);
  if (o.durationNs > 3600e9) throw new TcpSimError('BAD_OPTION', `simulateTcp: durationNs at most one hour, got ${o.durationNs}`);
  for (const c of o.rateChanges ?? []) if (!(c.atNs >= 0 && c.bandwidthBps > 0 && Number.isFinite(c.bandwidthBps))) throw new TcpSimError('BAD_OPTION', `simulateTcp: a rate change needs atNs >= 0 and a positive bandwidthBps, got ${c.atNs}/${c.bandwidthBps}`);
  for (const c of o.rttChanges ?? []) if (!(c.atNs >= 0 && c.rttNs > 0 && Number.isFinite(c.rttNs))) throw new TcpSimError('BAD_OPTION', `simulateTcp: an RTT change needs atNs >= 0 and a positive rttNs, got ${c.atNs}/${c.rttNs}`);
  // A bound on the work: the packets the bottleneck can carry in the run (each is an ACK event).
  const maxBw = Math.max(o.bandwidthBps, ...(o.rateChanges ?? []).map((c) => c.bandwidthBps));
  const slots = (maxBw * o.durationNs) / 1e9 / (((o.mss ?? 1448) + 52) * 8);
  if (slots > MAX_PACKET_SLOTS) throw new TcpSimError('BAD_OPTION', `simulateTcp: bandwidth x duration is ${Math.round(slots).toLocaleString('en-US')} packets, at most ${MAX_PACKET_SLOTS.toLocaleString('en-US')} per run`);
}

/** Run flows with their congestion controls over a simulated path (deterministic for a seed). */
export function simulateTcp(o: SimulateTcpOptions): TcpSimReport {
  check(o);
  const kernel = o.kernel ?? new Kernel();
  const sub = installTcpCc(kernel);
  const jiffies = (): number => Number(kernel.jiffies64() & 0xffffffffn);
  const frees: (() => void)[] = [];
  const mss = o.mss ?? 1448;
  const bdp = (o.bandwidthBps * o.rttNs) / 1e9 / ((mss + 52) * 8);
  try {
    const make = (choice: TcpCcChoice): CongestionControl => {
      if (choice === 'reno') return builtinReno();
      if (choice === 'cubic') return builtinCubic(jiffies);
      if (typeof choice === 'function') return choice();
      if (choice.kernel !== kernel) throw new TcpSimError('BAD_OPTION', 'simulateTcp: a BPF congestion control must live in the simulation kernel (pass `kernel`)');
      if (choice.type.def.name !== 'tcp_congestion_ops') throw new TcpSimError('BAD_OPTION', `simulateTcp: struct_ops map ${choice.map.name} is a ${choice.type.def.name}, not a tcp_congestion_ops`);
      // a socket can only select a registered congestion control (tcp_ca_find)
      if (![...sub.list.values()].some((r) => r.inst === choice)) throw new TcpSimError('BAD_OPTION', `simulateTcp: congestion control in map ${choice.map.name} is not registered (attach the struct_ops map first)`);
      const b = bpfCongestionControl(choice);
      frees.push(b.free);
      return b;
    };
    const flows = o.flows.map((f) => {
      const cc = make(f.cc);
      const rx = f.receiver;
      const receiver = rx === undefined ? undefined : { delayedAck: rx.delayedAck === true, ...(rx.cc !== undefined ? { cc: make(rx.cc === 'same' ? f.cc : rx.cc) } : {}) };
      if (f.app !== undefined && !(f.app.onNs > 0 && f.app.offNs >= 0 && Number.isFinite(f.app.onNs + f.app.offNs))) throw new TcpSimError('BAD_OPTION', `simulateTcp: flow app.onNs must be > 0 and app.offNs >= 0, got ${f.app.onNs}/${f.app.offNs}`);
      if (f.rwndPkts !== undefined && !(Number.isInteger(f.rwndPkts) && f.rwndPkts >= 1 && f.rwndPkts <= 1 << 24)) throw new TcpSimError('BAD_OPTION', `simulateTcp: flow rwndPkts must be an integer in [1, 2^24], got ${f.rwndPkts}`);
      return {
        cc,
        ...(f.startNs !== undefined ? { startNs: f.startNs } : {}),
        ...(f.label !== undefined ? { label: f.label } : {}),
        ...(f.rwndPkts !== undefined ? { rwndPkts: f.rwndPkts } : {}),
        ...(f.app !== undefined ? { app: f.app } : {}),
        ...(receiver !== undefined ? { receiver } : {}),
      };
    });
    const raw = simulate({
      kernel,
      path: {
        bandwidthBps: o.bandwidthBps,
        rttNs: o.rttNs,
        bufferPkts: o.bufferPkts ?? Math.max(2, Math.round(bdp)),
        ...(o.lossRate !== undefined ? { lossRate: o.lossRate } : {}),
        ...(o.ecnK !== undefined ? { ecnK: o.ecnK } : {}),
        ...(o.ceMarkEvery !== undefined ? { ceMarkEvery: o.ceMarkEvery } : {}),
        ...(o.rateChanges !== undefined ? { rateChanges: o.rateChanges } : {}),
        ...(o.rttChanges !== undefined ? { rttChanges: o.rttChanges } : {}),
        ...(o.dropScript !== undefined ? { dropScript: o.dropScript } : {}),
      },
      flows,
      durationNs: o.durationNs,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      mss,
      ...(o.sampleNs !== undefined ? { sampleNs: o.sampleNs } : {}),
      ...(o.traceAcks === true ? { traceAcks: true } : {}),
    });
    const rtts = raw.flows.flatMap((f) => f.rttsUs).sort((a, b) => a - b);
    const mean = rtts.length === 0 ? 0 : rtts.reduce((s, x) => s + x, 0) / rtts.length;
    const p99 = rtts.length === 0 ? 0 : rtts[Math.min(rtts.length - 1, Math.ceil(0.99 * rtts.length) - 1)]!;
    const total = raw.flows.reduce((s, f) => s + f.throughputBps, 0);
    const delivered = raw.flows.reduce((s, f) => s + f.deliveredPkts, 0);
    const summary: TcpSummary = {
      throughputBps: Math.round(total),
      utilization: round6((delivered * mss * 8 * 1e9) / o.durationNs / goodputCapacity(o.bandwidthBps, mss)),
      meanRttNs: Math.round(mean * 1000),
      p99RttNs: Math.round(p99 * 1000),
      retransmits: raw.flows.reduce((s, f) => s + f.retransmits, 0),
      jainFairness: round6(jainIndex(raw.flows.map((f) => f.throughputBps))),
    };
    return {
      summary,
      flows: raw.flows.map((f) => ({ ops: f.ops, throughputBps: Math.round(f.throughputBps), retransmits: f.retransmits, samples: f.samples })),
      raw,
    };
  } finally {
    for (const f of frees) f();
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The issue's JSON object (exactly these keys, in this order). */
export function reportJson(r: TcpSimReport): string {
  const s = r.summary;
  return JSON.stringify({
    summary: { throughputBps: s.throughputBps, utilization: s.utilization, meanRttNs: s.meanRttNs, p99RttNs: s.p99RttNs, retransmits: s.retransmits, jainFairness: s.jainFairness },
    flows: r.flows.map((f) => ({
      ops: f.ops,
      throughputBps: f.throughputBps,
      retransmits: f.retransmits,
      samples: f.samples.map((x) => ({ tNs: x.tNs, cwnd: x.cwnd, ssthresh: x.ssthresh, inflight: x.inflight, rttNs: x.rttNs, state: x.state })),
    })),
  });
}

/** CSV: one row per flow and sample. */
export function reportCsv(r: TcpSimReport): string {
  const lines = ['flow,ops,tNs,cwnd,ssthresh,inflight,rttNs,state'];
  r.flows.forEach((f, i) => {
    for (const x of f.samples) lines.push(`${i},${csvField(f.ops)},${x.tNs},${x.cwnd},${x.ssthresh},${x.inflight},${x.rttNs},${x.state}`);
  });
  return `${lines.join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * SVG: two stacked panels sharing the time axis, cwnd (packets) on top and RTT (ms) below, one
 * path per flow and panel, with axes, ticks and a legend.
 */
export function reportSvg(r: TcpSimReport, title = 'bpfemu sim tcp'): string {
  const W = 900;
  const H = 560;
  const left = 70;
  const right = 20;
  const panelH = 200;
  const tops = [50, 310];
  const all = r.flows.flatMap((f) => f.samples);
  const tMax = Math.max(1, ...all.map((s) => s.tNs));
  const cwndMax = niceMax(Math.max(1, ...all.map((s) => s.cwnd)));
  const rttMax = niceMax(Math.max(1e-3, ...all.map((s) => s.rttNs / 1e6)));
  const x = (t: number): number => left + ((W - left - right) * t) / tMax;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${xmlEscape(title)}</text>`);
  const panels: [string, number, (s: FlowSample) => number][] = [
    ['cwnd (packets)', cwndMax, (s) => s.cwnd],
    ['RTT (ms)', rttMax, (s) => s.rttNs / 1e6],
  ];
  panels.forEach(([label, max, val], p) => {
    const top = tops[p]!;
    const y = (v: number): number => top + panelH - (panelH * Math.min(v, max)) / max;
    out.push(`<rect x="${left}" y="${top}" width="${W - left - right}" height="${panelH}" fill="none" stroke="#888"/>`);
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      out.push(`<line x1="${left - 4}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
      out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`);
    }
    out.push(`<text x="16" y="${top + panelH / 2}" transform="rotate(-90 16 ${top + panelH / 2})" text-anchor="middle">${label}</text>`);
    r.flows.forEach((f, i) => {
      const pts = f.samples.filter((s) => p === 0 || s.rttNs > 0).map((s) => `${x(s.tNs).toFixed(1)},${y(val(s)).toFixed(1)}`);
      if (pts.length === 0) return;
      out.push(`<path class="flow flow-${i}" d="M${pts.join('L')}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.3"/>`);
    });
  });
  for (let i = 0; i <= 5; i++) {
    const t = (tMax * i) / 5;
    out.push(`<text x="${x(t).toFixed(1)}" y="${tops[1]! + panelH + 18}" text-anchor="middle">${fmt(t / 1e9)}</text>`);
  }
  out.push(`<text x="${(left + W - right) / 2}" y="${tops[1]! + panelH + 38}" text-anchor="middle">time (s)</text>`);
  r.flows.forEach((f, i) => {
    const yy = 40 + 16 * i;
    out.push(`<line x1="${W - right - 190}" x2="${W - right - 170}" y1="${yy}" y2="${yy}" stroke="${COLORS[i % COLORS.length]}" stroke-width="3"/>`);
    out.push(`<text x="${W - right - 165}" y="${yy + 4}">${xmlEscape(`flow ${i}: ${f.ops} (${(f.throughputBps / 1e6).toFixed(1)} Mbit/s)`)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1);
}
