/**
 * The verifier differential fuzzer: generates programs (gen.ts), loads each in the running kernel
 * (the oracle, batched) and in bpfemu (`emuVerify` of test/verifier/emulator.ts), and reports the
 * agreement on accept/reject, on the errno and on the error line, the disagreement classes, and
 * each disagreement with its seed, program and both error lines. Root only (the kernel side).
 *
 *   npm run verifier-diff -- --count 10000            seeds 1..10000
 *   npm run verifier-diff -- --count 500 --seed 7     seeds 7..506
 *   npm run verifier-diff -- --count 500 --record     also write goldens/fuzz.json (the CI slice;
 *                                                     with --shape S, goldens/fuzz-S.json)
 *   npm run verifier-diff -- --count 2000 --shape locks   every program holds a locks block
 *   options: --slice K (seeds recorded, default 500), --show K (disagreements printed, default 10),
 *            --report PATH (every disagreement, default /tmp/verifier-diff-report.txt),
 *            --jobs K (bpfemu worker processes), --timeout MS (per program, default 20000),
 *            --kernel-only (skip bpfemu: the generator's balance only)
 *
 * bpfemu runs in child processes (emu-runner.ts), so that a verification that does not end is
 * reported as a TIMEOUT disagreement instead of stopping the run.
 *
 * Like record.ts, the npm script imports this file through vite's module runner with its
 * arguments in `globalThis.__verifierDiffArgs`; importing it anywhere else runs nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import type { KernelVerdict } from '../corpus/types.js';
import { kernelVerify, probeOracle } from '../oracle.js';
import { existsSync } from 'node:fs';
import { compare, formatDisagreement, formatSummary, outcomeOf, type Outcome } from './compare.js';
import { runEmu } from './emu-runner.js';
import { caseHash, generateMany, SHAPES, type FuzzCase, type Shape } from './gen.js';

/** Where `--record` writes the CI slice of the standard shape. */
export const GOLDEN = new URL('../goldens/fuzz.json', import.meta.url).pathname;

/** The CI slice of a shape: goldens/fuzz.json (standard) or goldens/fuzz-<shape>.json. */
export function goldenOf(shape: Shape): string {
  return shape === 'standard' ? GOLDEN : new URL(`../goldens/fuzz-${shape}.json`, import.meta.url).pathname;
}

/** One recorded program of the CI slice. */
export interface GoldenEntry extends Outcome {
  readonly seed: number;
  /** {@link caseHash} of the generated case: a changed generator shows up as a changed hash. */
  readonly hash: string;
}

/** The CI slice file. */
export interface FuzzGolden {
  readonly kernel: string;
  /** Possible CPUs of the recording machine (bpf_get_smp_processor_id's range depends on it). */
  readonly nrCpus: number;
  readonly start: number;
  readonly count: number;
  readonly cases: readonly GoldenEntry[];
}

/** The golden entry of a case and the kernel's verdict on it. */
export function goldenEntry(c: FuzzCase, v: KernelVerdict | Outcome): GoldenEntry {
  return { seed: c.seed, hash: caseHash(c), ...outcomeOf(v) };
}

/** The slice as written: one case per line, so that a re-record diffs line by line. */
export function formatGolden(g: FuzzGolden): string {
  const head = JSON.stringify({ kernel: g.kernel, nrCpus: g.nrCpus, start: g.start, count: g.count });
  return `${head.slice(0, -1)},\n  "cases": [\n${g.cases.map((c) => `    ${JSON.stringify(c)}`).join(',\n')}\n  ]\n}\n`;
}

/** num_possible_cpus() of this machine (/sys/devices/system/cpu/possible: "0-3" or "0,2-5"). */
export function possibleCpus(): number {
  const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
  let n = 0;
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a! + 1;
  }
  return n;
}

interface Options {
  count: number;
  seed: number;
  record: boolean;
  slice: number;
  show: number;
  report: string;
  kernelOnly: boolean;
  jobs: number | undefined;
  timeout: number;
  shape: Shape;
}

function parse(args: readonly string[]): Options | string {
  const o: Options = { count: 1000, seed: 1, record: false, slice: 500, show: 10, report: '/tmp/verifier-diff-report.txt', kernelOnly: false, jobs: undefined, timeout: 20_000, shape: 'standard' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const num = (): number => {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    try {
      if (a === '--') continue;
      else if (a === '--count') o.count = num();
      else if (a === '--seed') o.seed = num();
      else if (a === '--slice') o.slice = num();
      else if (a === '--show') o.show = num();
      else if (a === '--jobs') o.jobs = num();
      else if (a === '--timeout') o.timeout = num();
      else if (a === '--record') o.record = true;
      else if (a === '--shape') {
        const sh = args[++i] as Shape;
        if (!SHAPES.includes(sh)) return `--shape takes one of ${SHAPES.join(', ')}`;
        o.shape = sh;
      }
      else if (a === '--kernel-only') o.kernelOnly = true;
      else if (a === '--report') o.report = args[++i] ?? '';
      else return `unknown option ${a}`;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
  return o;
}

/** Run the fuzzer; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const o = parse(args);
  if (typeof o === 'string') {
    console.error(`verifier-diff: ${o}\nusage: npm run verifier-diff -- --count N [--seed S] [--record [--slice K]] [--show K] [--report PATH] [--kernel-only] [--shape standard|locks]`);
    return 2;
  }
  const probe = probeOracle();
  if (!probe.available) {
    console.error(`verifier-diff: the kernel oracle is not available: ${probe.reason}`);
    return 1;
  }
  let t = Date.now();
  const cases = generateMany(o.seed, o.count, o.shape);
  const slots = cases.map((c) => c.asm!.split('\n').length);
  console.log(`generated ${cases.length} ${o.shape} programs (seeds ${o.seed}..${o.seed + o.count - 1}) in ${Date.now() - t} ms; ~${Math.round(slots.reduce((a, b) => a + b, 0) / Math.max(1, slots.length))} lines each`);
  t = Date.now();
  const kernel = kernelVerify(cases).map(outcomeOf);
  console.log(`kernel: ${Date.now() - t} ms`);
  if (o.record) {
    const n = Math.min(o.slice, cases.length);
    const g: FuzzGolden = { kernel: release(), nrCpus: possibleCpus(), start: o.seed, count: n, cases: cases.slice(0, n).map((c, i) => goldenEntry(c, kernel[i]!)) };
    writeFileSync(goldenOf(o.shape), formatGolden(g));
    console.log(`recorded seeds ${o.seed}..${o.seed + n - 1} -> ${goldenOf(o.shape)}`);
  }
  const haveEmu = existsSync(new URL('../emulator.ts', import.meta.url));
  let emuSide: Outcome[];
  let slowest = '';
  if (o.kernelOnly || !haveEmu) {
    console.log(o.kernelOnly ? 'bpfemu: skipped (--kernel-only)' : 'bpfemu: test/verifier/emulator.ts (emuVerify) does not exist yet; comparing the kernel with itself');
    emuSide = kernel;
  } else {
    t = Date.now();
    const step = Math.max(100, Math.round(cases.length / 20));
    const run = await runEmu(
      cases.map((c) => c.seed),
      { ...(o.jobs !== undefined ? { jobs: o.jobs } : {}), timeoutMs: o.timeout, shape: o.shape, progress: (n) => n % step === 0 && process.stderr.write(`bpfemu: ${n}/${cases.length}\n`) },
    );
    emuSide = run.outcomes;
    const order = run.ms.map((ms, i) => ({ ms, i })).sort((a, b) => b.ms - a.ms).slice(0, 5);
    slowest = `slowest in bpfemu: ${order.map((x) => `seed ${cases[x.i]!.seed} ${x.ms} ms`).join(', ')}`;
    console.log(`bpfemu: ${Date.now() - t} ms (${run.ms.reduce((a, b) => a + b, 0)} ms of verification); ${slowest}`);
  }
  const s = compare(cases, kernel, emuSide);
  const summary = formatSummary(s, 25);
  console.log(summary);
  const shown = s.disagreements.slice(0, o.show);
  if (shown.length > 0) {
    console.log(`\nfirst ${shown.length} of ${s.disagreements.length} disagreements (all in ${o.report}):`);
    for (const d of shown) console.log(formatDisagreement(d));
  }
  if (o.report !== '') {
    const text = [`verifier-diff --count ${o.count} --seed ${o.seed} --shape ${o.shape} (${new Date().toISOString()}, kernel ${release()})`, summary, slowest, '', ...s.disagreements.map(formatDisagreement)].join('\n');
    writeFileSync(o.report, text + '\n');
  }
  return 0;
}

const args = (globalThis as { __verifierDiffArgs?: readonly string[] }).__verifierDiffArgs;
if (args !== undefined) process.exitCode = await main(args);
