/**
 * bpf_throw (src/kernel/kfuncs/throw.ts) end to end through programs/throw.bpf.o: each program's
 * test-run return value for a 14-byte packet (no throw) and a 64-byte one (throws), on the fast
 * interpreter, the reference interpreter and the JS tier, against the values 6.18 gave
 * (golden/throw-runs.json: the default callback returns the cookie; a named exception callback's
 * return value is the program's; thrown from static and global subprograms every frame unwinds).
 * As root the live kernel is checked against the golden too (skipped visibly elsewhere). The
 * verifier's rules for bpf_throw are in test/verifier (corpus group throw).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import type { EngineName } from '../../../src/vm/run.js';
import { tierStats } from '../../../src/vm/tier/cache.js';

const OBJ_PATH = new URL('../../../programs/throw.bpf.o', import.meta.url).pathname;
const OBJ = readFileSync(OBJ_PATH);
const GOLDEN = JSON.parse(readFileSync(new URL('./golden/throw-runs.json', import.meta.url), 'utf8')) as { runs: Record<string, [number, number]> };
const ENGINES: EngineName[] = ['fast', 'reference', 'js'];

/** Load program `name` alone and test-run it with 14 and 64 zero bytes. */
function runs(name: string, engine: EngineName): [number, number] {
  const o = BpfObject.open(OBJ, { kernelOptions: { engine } });
  for (const p of o.programs) p.autoload = p.name === name;
  o.load();
  const p = o.program(name);
  const r = [14, 64].map((n) => p.testRun({ dataIn: new Uint8Array(n) }).retval >>> 0);
  return [r[0]!, r[1]!];
}

describe('bpf_throw: test-run return values against 6.18', () => {
  for (const engine of ENGINES) {
    it(`${engine}: every program returns what the kernel returned`, () => {
      const got = Object.fromEntries(Object.keys(GOLDEN.runs).map((n) => [n, runs(n, engine)]));
      expect(got).toEqual(GOLDEN.runs);
    });
  }
  it("a callback named only by the decl tag is appended by the loader (libbpf 1.3+'s behaviour) and runs as throw_cb's does", () => {
    // the same code as throw_cb without the dead reference that libbpf 1.1 needs; 6.18 through
    // libbpf 1.1 refuses it (the callback is not in the func info), so its expected values are
    // throw_cb's live ones
    for (const engine of ENGINES) expect(runs('throw_cb_tag_only', engine)).toEqual(GOLDEN.runs.throw_cb);
  });
  it('runs repeated on one loaded program keep returning the same values (the unwind leaves no frame behind); on js through translated code', () => {
    const calls = tierStats.calls;
    const o = BpfObject.open(OBJ, { kernelOptions: { engine: 'js' } });
    for (const p of o.programs) p.autoload = p.name === 'throw_static_subprog';
    o.load();
    const p = o.program('throw_static_subprog');
    const seq = Array.from({ length: 40 }, (_, i) => p.testRun({ dataIn: new Uint8Array(i % 2 === 0 ? 64 : 14) }).retval);
    expect(seq).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 103 : 11)));
    expect(tierStats.calls).toBeGreaterThan(calls);
  });
});

function liveRunner(): string | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'throw-live-'));
    const bin = join(dir, 'throw-live');
    execFileSync('cc', ['-O2', new URL('./test-run-live.c', import.meta.url).pathname, '-lbpf', '-o', bin], { stdio: 'pipe' });
    return bin;
  } catch {
    return null;
  }
}
const BIN = liveRunner();
describe.skipIf(BIN === null)(`bpf_throw: the live kernel against the golden${BIN === null ? ' (SKIPPED: needs root, cc and libbpf-dev)' : ''}`, () => {
  it('every program returns the recorded values', () => {
    const got = Object.fromEntries(Object.keys(GOLDEN.runs).map((n) => [n, execFileSync(BIN!, [OBJ_PATH, n], { encoding: 'utf8' }).trim().split(' ').map(Number)]));
    expect(got).toEqual(GOLDEN.runs);
  });
});
