/**
 * `npm run bench [-- --filter REGEX] [--json] [--time MS] [--engine fast|reference]`: time the
 * corpus with tinybench and print, per case, instructions per run, M insns/s and ns per run.
 */
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import type { EngineName } from '../src/vm/run.js';
import { CORPUS } from './corpus.js';

interface Row {
  case: string;
  insnsPerRun: number;
  mInsnsPerSec: number;
  nsPerRun: number;
  runs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      filter: { type: 'string' },
      json: { type: 'boolean' },
      time: { type: 'string' },
      engine: { type: 'string' },
    },
  });
  const filter = values.filter === undefined ? undefined : new RegExp(values.filter);
  const engine = (values.engine ?? 'fast') as EngineName;
  if (engine !== 'fast' && engine !== 'reference') throw new Error(`--engine must be fast or reference`);
  const time = Number(values.time ?? 2000);
  const cases = CORPUS.filter((c) => filter === undefined || filter.test(c.name));
  if (cases.length === 0) throw new Error(`no benchmark matches ${String(filter)}`);

  const rows: Row[] = [];
  for (const c of cases) {
    const prepared = c.setup(engine);
    // One Bench per case, so each gets its own warm-up and the JIT state of one case does not
    // leak into the next one's samples.
    const bench = new Bench({ name: c.name, time, warmupTime: 500 });
    bench.add(c.name, () => prepared.run());
    await bench.run();
    const r = bench.tasks[0]!.result;
    if (r.state !== 'completed') throw new Error(`${c.name}: benchmark ${r.state}`);
    const msPerRun = r.period;
    rows.push({
      case: c.name,
      insnsPerRun: prepared.insnsPerRun,
      mInsnsPerSec: prepared.insnsPerRun / msPerRun / 1000,
      nsPerRun: msPerRun * 1e6,
      runs: r.latency.samplesCount,
    });
  }

  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ node: process.version, engine, results: rows }, null, 2)}\n`);
    return;
  }
  const header = ['case', 'insns/run', 'M insns/s', 'ns/run'];
  const body = rows.map((r) => [r.case, String(r.insnsPerRun), r.mInsnsPerSec.toFixed(1), r.nsPerRun.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`engine: ${engine}, node ${process.version}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
