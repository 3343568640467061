/**
 * `npm run bench [-- options]`: time the corpus and print, per case, instructions per run, M insns/s,
 * ns per run, bytes allocated per run and the real kernel's ns per run next to it; then object load
 * times and the memory of a 1-million-entry hash map.
 *
 *   --filter REGEX    cases whose name matches
 *   --smoke           run every case once with repeat 1 and check its documented results (not timed)
 *   --json            print the results as JSON instead of tables (--out FILE writes them to FILE)
 *   --markdown FILE   also write the README performance table (from this same run) to FILE
 *   --time MS         timed duration per case (default 1500)
 *   --repeat N        BPF_PROG_TEST_RUN repeat of packet cases (default 1000)
 *   --engine NAME     fast (default; alias interp), js (the JavaScript tier), auto or reference; a
 *                     comma-separated list (interp,js) times every case on each, back to back, and
 *                     adds the tier's speedup per case and its geometric mean
 *   --no-kernel       skip the kernel side-by-side
 *   --no-extras       skip load times, the hash map memory, the sched_ext, TCP and unit-test suite cases
 *   --sched-ext-only  run only the sched_ext load test (64 CPUs, 1,000 tasks, 10 simulated s)
 *   --tcp-cc-only     run only the TCP congestion-control load test (1 Gbit/s, 10 ms, 10 simulated s)
 *   --suite-only      run only the unit-test suite case (a fresh process: 20 fixtures, 200 test runs)
 *   --fixed-only      run only the fixed cost per XDP test-run repetition (a two-instruction program)
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { messageOf } from '../src/util/errors.js';
import type { EngineName } from '../src/vm/run.js';
import { selectCases } from './corpus.js';
import { BenchError, type BenchCase } from './harness.js';
import { KernelRunner, type KernelResult } from './kernel.js';
import { bytesPerRun, canMeasureAllocation, coldLoad, fixtureNames, hashMapChild, hashMapMemory, loadOnce, loadTimes, type HashMapMemory, type LoadTime } from './memory.js';
import { fixtureBytes } from './objects.js';
import { runSmoke } from './smoke.js';
import { markdownReport, textReport, type BenchReport, type CaseRow } from './report.js';
import { schedExtLoad, schedExtLoadText, type SchedExtLoadRow } from './sched-ext.js';
import { tcpCcLoad, tcpCcLoadText, type TcpCcLoadRow } from './tcp-cc.js';
import { fixedCost, fixedCostText, type FixedCostRow } from './fixed.js';
import { SUITE, SUITE_RUNS_EACH, suiteLoad, suiteOnce, suiteText, type SuiteRow } from './suite.js';

const HASHMAP_ENTRIES = 1 << 20;

/** Time one case: tinybench over `call()`, instructions counted over the same calls. */
async function timeCase(c: BenchCase, engine: EngineName, repeat: number, timeMs: number): Promise<CaseRow> {
  const p = c.setup({ engine, repeat });
  let calls = 0;
  const insns0 = p.insnsExecuted();
  const bench = new Bench({ name: c.name, time: timeMs, warmupTime: Math.min(500, timeMs / 3) });
  bench.add(c.name, () => {
    p.call();
    calls++;
  });
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new BenchError('SETUP', `${c.name}: benchmark ${r.state}${'error' in r ? `: ${messageOf(r.error)}` : ''}`);
  const runs = calls * p.runsPerCall;
  const insnsPerRun = (p.insnsExecuted() - insns0) / runs;
  const nsPerRun = (r.period * 1e6) / p.runsPerCall;
  // Enough calls for ~50 ms of work, at most 2000.
  const allocCalls = Math.max(1, Math.min(2000, Math.round(50 / r.period)));
  return {
    case: c.name,
    path: c.path,
    description: c.description,
    runsPerCall: p.runsPerCall,
    insnsPerRun,
    mInsnsPerSec: insnsPerRun / nsPerRun * 1000,
    nsPerRun,
    rmePct: r.latency.rme,
    samples: r.latency.samplesCount,
    bytesPerRun: await bytesPerRun(p, allocCalls),
  };
}

function child(spec: string): void {
  const [what, arg] = spec.split(':');
  if (what === 'hashmap') {
    process.stdout.write(JSON.stringify(hashMapChild(Number(arg))));
    return;
  }
  if (what === 'load' && arg !== undefined) {
    process.stdout.write(JSON.stringify(loadOnce(arg, fixtureBytes(arg))));
    return;
  }
  throw new BenchError('USAGE', `unknown child task ${spec}`);
}

function smoke(cases: readonly BenchCase[], engine: EngineName, withSuite: boolean): void {
  const t0 = performance.now();
  const results = runSmoke(cases, engine);
  if (withSuite) {
    // The unit-test suite case: one fresh process, every return value checked.
    try {
      const r = suiteOnce(engine);
      const ok = r.wrong.length === 0 && r.runs === SUITE.length * SUITE_RUNS_EACH;
      results.push({ case: 'unit-test-suite', ok, insns: 0, ...(ok ? {} : { error: `${r.runs} runs; ${r.wrong.join('; ')}` }) });
    } catch (e) {
      results.push({ case: 'unit-test-suite', ok: false, insns: 0, error: messageOf(e) });
    }
  }
  for (const r of results) process.stdout.write(r.ok ? `ok    ${r.case} (${r.insns} insns)\n` : `FAIL  ${r.case}: ${r.error ?? ''}\n`);
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(`bench smoke (${engine}, ${((performance.now() - t0) / 1000).toFixed(1)} s): ${results.length - failed} passed, ${failed} failed\n`);
  if (failed > 0) process.exitCode = 1;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      filter: { type: 'string' },
      smoke: { type: 'boolean' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      markdown: { type: 'string' },
      time: { type: 'string' },
      repeat: { type: 'string' },
      engine: { type: 'string' },
      'no-kernel': { type: 'boolean' },
      'no-extras': { type: 'boolean' },
      child: { type: 'string' },
      'sched-ext-only': { type: 'boolean' },
      'tcp-cc-only': { type: 'boolean' },
      'suite-only': { type: 'boolean' },
      'fixed-only': { type: 'boolean' },
    },
  });
  if (values.child !== undefined) return child(values.child);
  // A comma-separated list times each case on each engine back to back (rows get an engine column).
  const engines = (values.engine ?? 'fast').split(',') as EngineName[];
  for (const e of engines) if (!['fast', 'reference', 'interp', 'js', 'auto'].includes(e)) throw new BenchError('USAGE', '--engine must be fast, interp, js, auto or reference, or a comma-separated list of them');
  const filter = values.filter === undefined ? undefined : new RegExp(values.filter);
  const cases = selectCases(filter);
  if (cases.length === 0) throw new BenchError('USAGE', `no benchmark matches ${String(filter)}`);
  if (values.smoke === true) {
    for (const e of engines) smoke(cases, e, filter === undefined);
    return;
  }
  if (values['fixed-only'] === true) {
    process.stdout.write(fixedCostText(fixedCost()));
    return;
  }
  if (values['suite-only'] === true) {
    process.stdout.write(suiteText(suiteLoad()));
    return;
  }
  if (values['tcp-cc-only'] === true) {
    process.stdout.write(tcpCcLoadText(tcpCcLoad()));
    return;
  }
  if (values['sched-ext-only'] === true) {
    process.stdout.write(schedExtLoadText(schedExtLoad()));
    return;
  }

  const timeMs = Number(values.time ?? 1500);
  const repeat = Number(values.repeat ?? 1000);
  if (!(timeMs > 0) || !Number.isInteger(repeat) || repeat < 1) throw new BenchError('USAGE', '--time and --repeat must be positive');
  const log = (s: string): void => {
    process.stderr.write(s);
  };
  if (!canMeasureAllocation()) log('bench: bytes/run not measured (start node with --expose-gc; `npm run bench` does)\n');

  const rows: CaseRow[] = [];
  for (const c of cases) {
    for (const e of engines) {
      log(`bench: ${c.name}${engines.length > 1 ? ` (${e})` : ''} ...\n`);
      const row = await timeCase(c, e, repeat, timeMs);
      rows.push(engines.length > 1 ? { ...row, engine: e } : row);
    }
  }

  let kernelNote = 'skipped (--no-kernel)';
  const kernel = new Map<string, KernelResult>();
  if (values['no-kernel'] !== true) {
    const runner = KernelRunner.open();
    if (typeof runner === 'string') kernelNote = `skipped: ${runner}`;
    else {
      kernelNote = 'bpftool prog run ... repeat N (BPF_PROG_TEST_RUN, JIT), duration = average ns per repetition';
      try {
        for (const c of cases) {
          if (c.kernel === undefined) continue;
          log(`bench: kernel ${c.name} ...\n`);
          kernel.set(c.name, runner.run(c.kernel, 200));
        }
      } finally {
        runner.close();
      }
    }
  }
  for (const r of rows) {
    const k = kernel.get(r.case);
    if (k !== undefined) r.kernel = 'nsPerRun' in k ? { ...k, ratio: r.nsPerRun / k.nsPerRun } : k;
  }

  let load: BenchReport['load'];
  let hashMap: HashMapMemory | { skipped: string } | undefined;
  let schedExt: SchedExtLoadRow[] | undefined;
  let tcpCc: TcpCcLoadRow[] | undefined;
  let suite: SuiteRow[] | undefined;
  let fixed: FixedCostRow[] | undefined;
  if (values['no-extras'] !== true) {
    const script = fileURLToPath(import.meta.url);
    log('bench: load times ...\n');
    const fixtures: LoadTime[] = loadTimes(10);
    const largest = fixtureNames()[0]!;
    load = { largest, cold: coldLoad(script, largest), fixtures };
    log('bench: 1M-entry hash map ...\n');
    hashMap = hashMapMemory(script, HASHMAP_ENTRIES);
    log('bench: sched_ext load test ...\n');
    schedExt = schedExtLoad();
    log('bench: TCP congestion-control load test ...\n');
    tcpCc = tcpCcLoad();
    log('bench: unit-test suite ...\n');
    suite = suiteLoad();
    log('bench: fixed cost per repetition ...\n');
    fixed = fixedCost();
  }

  const report: BenchReport = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    engine: engines.join(','),
    repeat,
    timeMs,
    kernel: kernelNote,
    cases: rows,
    ...(load !== undefined ? { load } : {}),
    ...(hashMap !== undefined ? { hashMap } : {}),
  };
  if (values.markdown !== undefined) writeFileSync(values.markdown, markdownReport(report));
  if (values.json === true || values.out !== undefined) {
    const text = `${JSON.stringify({ ...report, ...(schedExt === undefined ? {} : { schedExt }), ...(tcpCc === undefined ? {} : { tcpCc }), ...(suite === undefined ? {} : { suite }), ...(fixed === undefined ? {} : { fixed }) }, null, 2)}\n`;
    if (values.out !== undefined) writeFileSync(values.out, text);
    else process.stdout.write(text);
    if (values.json !== true) process.stdout.write(textReport(report) + (schedExt === undefined ? '' : schedExtLoadText(schedExt)) + (tcpCc === undefined ? '' : tcpCcLoadText(tcpCc)) + (suite === undefined ? '' : suiteText(suite)) + (fixed === undefined ? '' : fixedCostText(fixed)));
    return;
  }
  process.stdout.write(textReport(report) + (schedExt === undefined ? '' : schedExtLoadText(schedExt)) + (tcpCc === undefined ? '' : tcpCcLoadText(tcpCc)) + (suite === undefined ? '' : suiteText(suite)) + (fixed === undefined ? '' : fixedCostText(fixed)));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof BenchError ? `${e.code}: ` : ''}${messageOf(e)}\n`);
  process.exitCode = 1;
});
