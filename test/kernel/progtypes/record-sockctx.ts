/**
 * Records golden/sockctx.json and golden/tracing-helpers.json: BPF_PROG_TEST_RUN of the cases of
 * sockctx-cases.ts (sk_lookup, netfilter) and tracing-cases.ts (tracing helpers) on the running
 * kernel (as root), through testrun-golden.c; sockctx-golden.test.ts and
 * test/helpers/tracing.test.ts replay them in the emulator. Cases marked `cgroup` run inside a
 * temporary cgroup v2 three levels below the root (removed afterwards); the golden stores the ids
 * of its path.
 *
 *   node --input-type=module -e "await (await import('vite')).runnerImport('./test/kernel/progtypes/record-sockctx.ts')"
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleBytes } from '../../../src/isa/asm.js';
import { toHex } from '../../../src/util/bytes.js';
import { inputBytes, outputSpec, type GoldenCase } from './golden.js';
import { SOCKCTX_CASES, TYPE_NUMBERS } from './sockctx-cases.js';
import { TRACING_CASES } from './tracing-cases.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfemu-sockctx-'));
const CG_ROOT = '/sys/fs/cgroup/unified';
const CG_PATH = ['bpfemu-record', 'a', 'b'];
try {
  const bin = join(dir, 'testrun-golden');
  execFileSync('cc', ['-O2', '-Wall', '-o', bin, fileURLToPath(new URL('./testrun-golden.c', import.meta.url))]);
  for (const [file, defs] of [['sockctx', SOCKCTX_CASES], ['tracing-helpers', TRACING_CASES]] as const) {
    const run = (c: (typeof defs)[number]): string => {
      const insns = toHex(assembleBytes(c.asm));
      const dso = c.noDataOut === true ? '-' : String(c.dataSizeOut ?? 8192);
      const line = [TYPE_NUMBERS[c.progType], c.eat, insns, c.ctxIn ?? '-', c.dataIn === null ? '-' : toHex(inputBytes(c.dataIn)), c.ctxSizeOut, dso, c.repeat ?? 0, c.flags ?? 0, c.cpu ?? 0].join(' ');
      let env = process.env;
      if (c.cgroup === true) env = { ...env, CGROUP: join(CG_ROOT, ...CG_PATH) };
      return execFileSync('taskset', ['-c', '0', bin], { input: line + '\n', encoding: 'utf8', env }).trim();
    };
    let cgIds: string[] = [];
    if (defs.some((c) => c.cgroup === true)) {
      // the cgroup v2 hierarchy (hybrid systems mount it at /sys/fs/cgroup/unified)
      if (!readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === CG_ROOT && l.split(' ')[2] === 'cgroup2')) throw new Error(`${CG_ROOT} is not a cgroup2 mount`);
      mkdirSync(join(CG_ROOT, ...CG_PATH), { recursive: true });
      // cgroup ids are the kernfs inode numbers of the directories
      cgIds = CG_PATH.reduce<string[]>((ids, _, i) => [...ids, String(statSync(join(CG_ROOT, ...CG_PATH.slice(0, i + 1)), { bigint: true }).ino)], [String(statSync(CG_ROOT, { bigint: true }).ino)]);
    }
    try {
      const cases: GoldenCase[] = defs.map((c) => {
        const r = JSON.parse(run(c)) as { load?: number; err: number; retval: number; dataSizeOut: number; dataOut: string; ctxOut?: string };
        if (r.load !== undefined) throw new Error(`${c.name}: the kernel refused to load the program (errno ${r.load})`);
        // Shaped as golden.ts runGolden reports (ENOSPC still reports retval and data_out).
        const finished = r.err === 0 || r.err === -28;
        const kernel: { err: number; retval: number; dataSizeOut: number; dataOut?: string; ctxOut?: string } = { err: r.err, retval: finished ? r.retval : 0, dataSizeOut: r.dataSizeOut };
        if (finished) kernel.dataOut = outputSpec(Uint8Array.from(Buffer.from(r.dataOut, 'hex')));
        if (r.err === 0 && c.ctxSizeOut > 0) kernel.ctxOut = r.ctxOut ?? '';
        return { ...c, ...(c.cgroup === true ? { cgroup: cgIds } : {}), kernel };
      });
      const path = fileURLToPath(new URL(`./golden/${file}.json`, import.meta.url));
      writeFileSync(path, JSON.stringify(cases, null, 1) + '\n');
      console.log(`wrote ${cases.length} cases to ${path}`);
    } finally {
      for (let i = CG_PATH.length; i > 0; i--) {
        try {
          rmdirSync(join(CG_ROOT, ...CG_PATH.slice(0, i)));
        } catch {
          // not created
        }
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
