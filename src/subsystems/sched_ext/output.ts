/**
 * What a simulation shows besides its summary: a Chrome/Perfetto trace-event JSON timeline (one
 * track per CPU, one complete event per run span, an instant event at the scheduler's exit) and
 * an SVG Gantt chart (one row per CPU, a colour per task). Both are deterministic functions of the
 * result, so the same seed gives byte-identical files.
 */
import type { SchedSimResult, SchedSummary } from './simulate.js';

/** Chrome trace-event JSON (the "JSON Object Format"), timestamps in µs. */
export function chromeTrace(r: SchedSimResult, nrCpus: number): string {
  const ev: unknown[] = [{ name: 'process_name', ph: 'M', pid: 0, tid: 0, args: { name: `sched_ext: ${r.scheduler}` } }];
  for (let c = 0; c < nrCpus; c++) ev.push({ name: 'thread_name', ph: 'M', pid: 0, tid: c, args: { name: `CPU ${c}` } });
  for (const s of r.spans) ev.push({ name: `${s.comm}[${s.pid}]`, cat: 'run', ph: 'X', ts: s.start / 1000, dur: (s.end - s.start) / 1000, pid: 0, tid: s.cpu, args: { pid: s.pid } });
  const ei = r.exitInfo;
  if (ei !== null) ev.push({ name: `exit: ${r.summary.exit.kind}`, cat: 'scx', ph: 'i', s: 'g', ts: ei.atNs / 1000, pid: 0, tid: 0, args: { reason: ei.reason, message: ei.message } });
  return `${JSON.stringify({ traceEvents: ev, displayTimeUnit: 'ms' })}\n`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A stable colour per pid (golden-angle hues). */
function colour(pid: number, index: number): string {
  void pid;
  const hue = Math.round((index * 137.508) % 360);
  return `hsl(${hue},60%,55%)`;
}

/** Options of {@link ganttSvg}. */
export interface GanttOptions {
  /** Chart width in px (default 900). */
  readonly width?: number;
  /** Show only [0, untilNs) (default: the whole run). */
  readonly untilNs?: number;
}

/** An SVG Gantt chart of the run spans. */
export function ganttSvg(r: SchedSimResult, nrCpus: number, o: GanttOptions = {}): string {
  const sum: SchedSummary = r.summary;
  const end = Math.min(o.untilNs ?? sum.durationNs, sum.durationNs);
  const left = 60;
  const width = o.width ?? 900;
  const rowH = 22;
  const top = 28;
  const plotW = width - left - 10;
  const pids = sum.tasks.map((t) => t.pid);
  const idx = new Map(pids.map((p, i) => [p, i]));
  const x = (ns: number): number => left + (ns / end) * plotW;
  const legendRows = Math.ceil(Math.min(pids.length, 24) / 6);
  const height = top + nrCpus * rowH + 30 + legendRows * 16 + 10;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${left}" y="16" font-size="13">${esc(`sched_ext ${r.scheduler}: ${nrCpus} CPUs, ${end / 1e6} ms, exit ${sum.exit.kind}${sum.exit.message !== '' ? ` (${sum.exit.message})` : ''}`)}</text>`);
  for (let c = 0; c < nrCpus; c++) {
    const y = top + c * rowH;
    out.push(`<text x="4" y="${y + 15}">CPU ${c}</text><rect x="${left}" y="${y}" width="${plotW}" height="${rowH - 4}" fill="#f2f2f2"/>`);
  }
  for (const s of r.spans) {
    if (s.start >= end) continue;
    const x0 = x(s.start);
    const w = Math.max(0.5, x(Math.min(s.end, end)) - x0);
    out.push(`<rect x="${x0.toFixed(2)}" y="${top + s.cpu * rowH}" width="${w.toFixed(2)}" height="${rowH - 4}" fill="${colour(s.pid, idx.get(s.pid) ?? 0)}"><title>${esc(`${s.comm}[${s.pid}] ${s.start / 1e6}-${s.end / 1e6} ms`)}</title></rect>`);
  }
  const ay = top + nrCpus * rowH + 4;
  for (let i = 0; i <= 4; i++) {
    const ns = (end * i) / 4;
    out.push(`<text x="${x(ns).toFixed(2)}" y="${ay + 10}" text-anchor="middle">${(ns / 1e6).toFixed(0)} ms</text>`);
  }
  if (r.exitInfo !== null && r.exitInfo.atNs <= end) out.push(`<line x1="${x(r.exitInfo.atNs).toFixed(2)}" y1="${top - 4}" x2="${x(r.exitInfo.atNs).toFixed(2)}" y2="${ay}" stroke="red" stroke-width="1.5"/>`);
  sum.tasks.slice(0, 24).forEach((t, i) => {
    const lx = left + (i % 6) * 140;
    const ly = ay + 26 + Math.floor(i / 6) * 16;
    out.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${colour(t.pid, i)}"/><text x="${lx + 14}" y="${ly}">${esc(`${t.comm}[${t.pid}]`)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const ms = (ns: number): string => (ns / 1e6).toFixed(3);

/** The human-readable summary the CLI prints without --json. */
export function textSummary(r: SchedSimResult): string {
  const s = r.summary;
  const lines = [`scheduler: ${r.scheduler}`, `exit: ${s.exit.kind}${s.exit.reason !== '' ? ` (${s.exit.reason})` : ''}${s.exit.message !== '' ? `: ${s.exit.message}` : ''}${r.exitInfo !== null ? ` at ${ms(r.exitInfo.atNs)} ms` : ''}`, `duration: ${ms(s.durationNs)} ms`, ''];
  const head = ['pid', 'comm', 'runtime ms', 'runs', 'wait p50 ms', 'p99 ms', 'max ms', 'migrations'];
  const body = s.tasks.map((t) => [`${t.pid}`, t.comm, ms(t.runtimeNs), `${t.runs}`, ms(t.waitNs.p50), ms(t.waitNs.p99), ms(t.waitNs.max), `${t.migrations}`]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => (i === 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  lines.push(fmt(head), ...body.map(fmt), '');
  lines.push('cpu  busy ms  idle ms', ...s.cpus.map((c) => `${`${c.cpu}`.padStart(3)}  ${ms(c.busyNs).padStart(7)}  ${ms(c.idleNs).padStart(7)}`));
  return `${lines.join('\n')}\n`;
}
