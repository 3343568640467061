/**
 * The bench report: one JSON-serialisable object per run (what `--json` prints, so later runs can be
 * compared), and its renderings as terminal tables and as the README's Markdown table.
 */
import type { TimedPath } from './harness.js';
import type { HashMapMemory, LoadTime } from './memory.js';

/** Kernel timing attached to a row. */
export type KernelColumn = { readonly nsPerRun: number; readonly repeat: number; readonly ratio: number } | { readonly skipped: string };

/** One timed case. */
export interface CaseRow {
  readonly case: string;
  readonly path: TimedPath;
  readonly description: string;
  /** Program runs per timed call (frames of the mix × repeat). */
  readonly runsPerCall: number;
  readonly insnsPerRun: number;
  readonly mInsnsPerSec: number;
  /** Wall time of a timed call divided by its runs. */
  readonly nsPerRun: number;
  /** tinybench's relative margin of error of the call latency, %. */
  readonly rmePct: number;
  readonly samples: number;
  /** Bytes allocated per run (heap + ArrayBuffers), null when not measurable. */
  readonly bytesPerRun: number | null;
  /** The real kernel on the same case: emulator ns/run ÷ kernel ns/run in `ratio`. */
  kernel?: KernelColumn;
  /** The engine of this row, when the run timed several (`--engine interp,js`). */
  readonly engine?: string;
}

/**
 * With rows of the interpreter ('fast' or 'interp') and of the tier ('js') for the same cases: the
 * tier's speedup per case (interpreter ns/run ÷ tier ns/run) and the geometric means over all such
 * cases and over the raw (runProgram) ones.
 */
export function tierSpeedups(r: BenchReport): { perCase: { case: string; path: TimedPath; speedup: number }[]; geomean: number; geomeanRaw: number } | null {
  const perCase: { case: string; path: TimedPath; speedup: number }[] = [];
  for (const t of r.cases) {
    if (t.engine !== 'js') continue;
    const i = r.cases.find((c) => c.case === t.case && (c.engine === 'fast' || c.engine === 'interp'));
    if (i !== undefined) perCase.push({ case: t.case, path: t.path, speedup: i.nsPerRun / t.nsPerRun });
  }
  if (perCase.length === 0) return null;
  const gm = (xs: number[]): number => (xs.length === 0 ? NaN : Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length));
  return { perCase, geomean: gm(perCase.map((p) => p.speedup)), geomeanRaw: gm(perCase.filter((p) => p.path === 'runProgram').map((p) => p.speedup)) };
}

/** Everything one bench run measured. */
export interface BenchReport {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly engine: string;
  readonly repeat: number;
  readonly timeMs: number;
  /** How the kernel column was obtained, or why it is empty. */
  readonly kernel: string;
  readonly cases: readonly CaseRow[];
  readonly load?: {
    /** The largest fixture (file size). */
    readonly largest: string;
    /** Its first load in a fresh process. */
    readonly cold: { openMs: number; loadMs: number } | { skipped: string };
    readonly fixtures: readonly LoadTime[];
  };
  readonly hashMap?: HashMapMemory | { skipped: string };
}

function table(header: string[], body: string[][], leftCols = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < leftCols ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return `${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${body.map((b) => `${line(b)}\n`).join('')}`;
}

const f0 = (n: number): string => n.toFixed(0);
const f1 = (n: number): string => n.toFixed(1);

function kernelCells(k: KernelColumn | undefined): [string, string] {
  if (k === undefined) return ['-', '-'];
  if ('skipped' in k) return ['skipped', '-'];
  return [f0(k.nsPerRun), `${f1(k.ratio)}x`];
}

function bytesCell(b: number | null): string {
  return b === null ? '-' : f0(b);
}

/** The terminal rendering. */
export function textReport(r: BenchReport): string {
  let s = `bpfemu bench: engine ${r.engine}, node ${r.node}, ${r.cpu} (${r.cores} cores), ${r.date}\n`;
  s += `packet cases: BPF_PROG_TEST_RUN repeat ${r.repeat} per frame; ns/run = wall time of the call ÷ runs\n\n`;
  const eng = r.cases.some((c) => c.engine !== undefined);
  s += table(
    ['case', ...(eng ? ['engine'] : []), 'path', 'insns/run', 'M insns/s', 'ns/run', '±%', 'B/run', 'kernel ns/run', 'ratio'],
    r.cases.map((c) => [c.case, ...(eng ? [c.engine ?? ''] : []), c.path === 'runProgram' ? 'runProgram' : 'test_run', f0(c.insnsPerRun), f1(c.mInsnsPerSec), f0(c.nsPerRun), f1(c.rmePct), bytesCell(c.bytesPerRun), ...kernelCells(c.kernel)]),
    eng ? 3 : 2,
  );
  const sp = tierSpeedups(r);
  if (sp !== null) {
    s += `
tier (js) vs interpreter, ns/run ratio: ${sp.perCase.map((p) => `${p.case} ${p.speedup.toFixed(2)}x`).join(', ')}
`;
    s += `geometric mean: ${sp.geomean.toFixed(2)}x over all ${sp.perCase.length} cases, ${sp.geomeanRaw.toFixed(2)}x over the raw (runProgram) cases
`;
  }
  s += `\nkernel: ${r.kernel}\n`;
  for (const c of r.cases) if (c.kernel !== undefined && 'skipped' in c.kernel) s += `  ${c.case}: kernel skipped: ${c.kernel.skipped}\n`;
  if (r.load !== undefined) {
    const l = r.load;
    const ok = l.fixtures.filter((f) => f.error === undefined);
    const largest = l.fixtures.find((f) => f.fixture === l.largest);
    const worst = ok.reduce((a, b) => (b.totalMs > a.totalMs ? b : a), ok[0]!);
    s += `\nobject load (open = parse + link + CO-RE, load = instantiate), warm median of 10:\n`;
    if (largest !== undefined) s += `  largest fixture ${l.largest} (${largest.bytes} bytes): open ${largest.openMs.toFixed(2)} ms + load ${largest.loadMs.toFixed(2)} ms = ${largest.totalMs.toFixed(2)} ms\n`;
    if ('skipped' in l.cold) s += `  cold (fresh process): skipped: ${l.cold.skipped}\n`;
    else s += `  cold (first load in a fresh process): open ${l.cold.openMs.toFixed(1)} ms + load ${l.cold.loadMs.toFixed(1)} ms\n`;
    if (worst !== undefined) s += `  slowest of ${ok.length} fixtures: ${worst.fixture} ${worst.totalMs.toFixed(2)} ms\n`;
    const slowVerify = l.fixtures.reduce((a, b) => (b.verifyMs > a.verifyMs ? b : a), l.fixtures[0]!);
    if (largest !== undefined) s += `  verification (all programs, each alone): largest fixture ${largest.fixture} ${largest.verifyMs.toFixed(2)} ms; slowest ${slowVerify.fixture} ${slowVerify.verifyMs.toFixed(2)} ms\n`;
    s += `  verification per fixture (ms): ${l.fixtures.map((f) => `${f.fixture} ${f.verifyMs.toFixed(2)}`).join(', ')}\n`;
    for (const f of l.fixtures) if (f.error !== undefined) s += `  ${f.fixture}: not loaded: ${f.error}\n`;
  }
  if (r.hashMap !== undefined) {
    const h = r.hashMap;
    if ('skipped' in h) s += `\nhash map: skipped: ${h.skipped}\n`;
    else s += `\n${h.entries}-entry HASH map (u32 -> u64), ${h.filledVia}: peak RSS ${f0(h.peakRssMiB)} MiB, heap + ArrayBuffers +${f1(h.heapGrowthMiB)} MiB (${f1(h.bytesPerEntry)} B/entry), ${f0(h.nsPerUpdate)} ns/update\n`;
  }
  return s;
}

/** The README fragment: the performance table of this run plus machine, Node version and date. */
export function markdownReport(r: BenchReport): string {
  const eng = r.cases.some((c) => c.engine !== undefined);
  const rows = r.cases.map((c) => {
    const [kns, ratio] = kernelCells(c.kernel);
    return `| ${c.case} |${eng ? ` ${c.engine ?? ''} |` : ''} ${f0(c.insnsPerRun)} | ${f1(c.mInsnsPerSec)} | ${f0(c.nsPerRun)} | ${bytesCell(c.bytesPerRun)} | ${kns} | ${ratio} |`;
  });
  let s = `Machine: ${r.cpu} (${r.cores} cores), Node ${r.node}, ${r.date.slice(0, 10)}, engine ${r.engine}; packet cases use BPF_PROG_TEST_RUN with repeat ${r.repeat}.\n\n`;
  s += eng ? '| case | engine | insns/run | M insns/s | ns/run | B/run | kernel ns/run | ratio |\n|---|---|--:|--:|--:|--:|--:|--:|\n' : '| case | insns/run | M insns/s | ns/run | B/run | kernel ns/run | ratio |\n|---|--:|--:|--:|--:|--:|--:|\n';
  s += `${rows.join('\n')}\n`;
  const sp = tierSpeedups(r);
  if (sp !== null) s += `\nTier (js) ÷ interpreter speed, same run: ${sp.perCase.map((p) => `${p.case} ${p.speedup.toFixed(2)}×`).join(', ')}; geometric mean ${sp.geomean.toFixed(2)}× over all cases, ${sp.geomeanRaw.toFixed(2)}× over the raw (runProgram) cases.\n`;
  return s;
}
