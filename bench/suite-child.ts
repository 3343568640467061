/**
 * The "unit-test suite" case's child process: what a user's test file does, through the public API
 * only: open and load 20 fixture objects, then make 200 test runs among them (10 per program, one
 * UDP frame each), checking every return value. Prints one JSON object: the time from process start
 * to the end of module loading, of opening and loading, of the runs, and in total (ms).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpfObject } from '../src/api/index.js';
import { ipv4Frame } from '../src/util/packets.js';
import { SUITE, SUITE_RUNS_EACH, type SuiteChildResult } from './suite.js';

const importedMs = performance.now();

function main(): void {
  const programs = join(process.argv[2] ?? '.', 'programs');
  const engine = process.argv[3];
  const t0 = performance.now();
  const loaded = SUITE.map(([obj, prog, want]) => {
    const o = BpfObject.open(readFileSync(join(programs, `${obj}.bpf.o`)), engine === undefined ? {} : { kernelOptions: { engine: engine as 'fast' } });
    o.load();
    return { p: o.program(prog), want, name: `${obj}/${prog}` };
  });
  const t1 = performance.now();
  const frame = ipv4Frame('udp', { dstPort: 53 });
  const wrong: string[] = [];
  let runs = 0;
  for (let i = 0; i < SUITE_RUNS_EACH; i++) {
    for (const l of loaded) {
      const r = l.p.testRun({ dataIn: frame });
      runs++;
      if (r.retval !== l.want) wrong.push(`${l.name} run ${i}: retval ${r.retval}, expected ${l.want}`);
    }
  }
  const t2 = performance.now();
  const result: SuiteChildResult = { importMs: importedMs, loadMs: t1 - t0, runMs: t2 - t1, totalMs: t2, runs, wrong };
  process.stdout.write(JSON.stringify(result));
}

main();
