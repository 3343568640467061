/**
 * Records golden/sockctx.json: BPF_PROG_TEST_RUN of sk_lookup and netfilter programs on the
 * running kernel (as root), through testrun-golden.c. The cases are defined here (SOCKCTX_CASES);
 * sockctx-golden.test.ts replays them in the emulator.
 *
 *   node --input-type=module -e "await (await import('vite')).runnerImport('./test/kernel/progtypes/record-sockctx.ts')"
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleBytes } from '../../../src/isa/asm.js';
import { toHex } from '../../../src/util/bytes.js';
import { inputBytes, outputSpec, type GoldenCase } from './golden.js';
import { SOCKCTX_CASES, TYPE_NUMBERS } from './sockctx-cases.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfemu-sockctx-'));
try {
  const bin = join(dir, 'testrun-golden');
  execFileSync('cc', ['-O2', '-Wall', '-o', bin, fileURLToPath(new URL('./testrun-golden.c', import.meta.url))]);
  const lines = SOCKCTX_CASES.map((c) => {
    const insns = toHex(assembleBytes(c.asm));
    const dso = c.noDataOut === true ? '-' : String(c.dataSizeOut ?? 8192);
    return [TYPE_NUMBERS[c.progType], c.eat, insns, c.ctxIn ?? '-', c.dataIn === null ? '-' : toHex(inputBytes(c.dataIn)), c.ctxSizeOut, dso, c.repeat ?? 0, c.flags ?? 0, c.cpu ?? 0].join(' ');
  });
  const out = execFileSync('taskset', ['-c', '0', bin], { input: lines.join('\n') + '\n', encoding: 'utf8' }).trim().split('\n');
  const cases: GoldenCase[] = SOCKCTX_CASES.map((c, i) => {
    const r = JSON.parse(out[i]!) as { load?: number; err: number; retval: number; dataSizeOut: number; dataOut: string; ctxOut?: string };
    if (r.load !== undefined) throw new Error(`${c.name}: the kernel refused to load the program (errno ${r.load})`);
    // Shaped as golden.ts runGolden reports (ENOSPC still reports retval and data_out).
    const finished = r.err === 0 || r.err === -28;
    const kernel: { err: number; retval: number; dataSizeOut: number; dataOut?: string; ctxOut?: string } = { err: r.err, retval: finished ? r.retval : 0, dataSizeOut: r.dataSizeOut };
    if (finished) kernel.dataOut = outputSpec(Uint8Array.from(Buffer.from(r.dataOut, 'hex')));
    if (r.err === 0 && c.ctxSizeOut > 0) kernel.ctxOut = r.ctxOut ?? '';
    return { ...c, kernel };
  });
  const path = fileURLToPath(new URL('./golden/sockctx.json', import.meta.url));
  writeFileSync(path, JSON.stringify(cases, null, 1) + '\n');
  console.log(`wrote ${cases.length} cases to ${path}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
