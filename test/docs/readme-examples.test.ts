/**
 * Every README code example marked `<!-- example: NAME -->` runs as documented. A JavaScript
 * example runs in process with its imports bound to the sources ('bpfemu' is src/index.ts,
 * 'bpfemu/vitest' src/vitest/index.ts, 'node:fs' and 'vitest' the real modules); each `console.log(...)` line
 * that ends in a `// comment` must print that comment (as Node's console.log formats it), where `<n>` stands for a number and `…` for
 * anything. A shell example (`$ npx bpfemu ...` lines followed by their output) runs the built CLI
 * and compares its output the same way. The association example runs against the built package in
 * example.test.ts; the packets example has its own test (packets-example.test.ts), the vitest coverage
 * setup its own (coverage-example.test.ts).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { format } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as bpfemu from '../../src/index.js';
import * as vitest from 'vitest';
import * as bpfemuVitest from '../../src/vitest/index.js';
import { ensureBuilt, ROOT } from '../cli/built.js';

const MODULES: Record<string, Record<string, unknown>> = {
  bpfemu: bpfemu as Record<string, unknown>,
  'bpfemu/vitest': bpfemuVitest as Record<string, unknown>,
  'node:fs': fs as unknown as Record<string, unknown>,
  vitest: vitest as unknown as Record<string, unknown>,
};

/** Examples tested elsewhere (see the module comment). */
const ELSEWHERE = new Set(['assoc', 'packets', 'vitest-coverage']);

interface Example {
  readonly name: string;
  readonly lang: string;
  readonly body: string;
}

function examples(readme: string): Example[] {
  const out: Example[] = [];
  for (const m of readme.matchAll(/<!-- example: ([\w-]+) -->\n```(\w*)\n([\s\S]*?)```/g)) out.push({ name: m[1]!, lang: m[2]!, body: m[3]! });
  return out;
}

/** A documented output as a regex: `<n>` is a number, `…` anything, the rest literal. */
function pattern(expected: string): RegExp {
  const parts = expected.split(/(<n>|…)/).map((p) => (p === '<n>' ? '-?\\d+(?:\\.\\d+)?n?' : p === '…' ? '.*' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`, 's');
}

function runJs(body: string): { printed: string[]; expected: string[] } {
  const lines = body.split('\n');
  const names: string[] = [];
  const values: unknown[] = [];
  const code: string[] = [];
  for (const line of lines) {
    const imp = /^import \{ ([^}]+) \} from '([^']+)';$/.exec(line);
    if (imp === null) {
      code.push(line);
      continue;
    }
    const mod = MODULES[imp[2]!];
    if (mod === undefined) throw new Error(`example imports an unknown module ${imp[2]}`);
    for (const n of imp[1]!.split(',').map((s) => s.trim())) {
      if (!(n in mod)) throw new Error(`'${imp[2]}' has no export ${n}`);
      names.push(n);
      values.push(mod[n]);
    }
  }
  const expected = code.filter((l) => /console\.log\(.*\/\/ /.test(l)).map((l) => /\/\/ (.*)$/.exec(l)![1]!.trim());
  const printed: string[] = [];
  const console = { log: (...a: unknown[]) => printed.push(format(...a)) };
  new Function(...names, 'console', code.join('\n'))(...values, console);
  return { printed, expected };
}

const readme = fs.readFileSync('README.md', 'utf8');
const all = examples(readme);

describe('README examples', () => {
  it('marks the examples users copy', () => {
    expect(all.map((e) => e.name).sort()).toEqual(['api-bpf', 'api-events', 'api-iter', 'api-testrun', 'api-typed', 'api-vitest', 'assoc', 'attach-fire', 'cli-fault', 'cli-run', 'cli-tools', 'packets', 'vitest-coverage', 'web-api']);
  });

  it('the example inputs in docs/examples are what the README says they are', () => {
    expect(new Uint8Array(fs.readFileSync('docs/examples/tcp22.bin'))).toEqual(bpfemu.packets.ipv4Frame('tcp', { dstPort: 22 }));
    const ctx = new DataView(new Uint8Array(fs.readFileSync('docs/examples/ctx88.bin')).buffer);
    expect(ctx.byteLength).toBe(88); // struct sys_args of programs/syscall_ctx.bpf.c
    expect(ctx.getUint32(0, true)).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => ctx.getInt32(4 + 4 * i, true))).toEqual([3, -1, 10, 7, 2]);
  });

  for (const ex of all.filter((e) => !ELSEWHERE.has(e.name) && e.lang === 'js')) {
    it(`${ex.name} prints what its comments say`, () => {
      const { printed, expected } = runJs(ex.body);
      expect(expected.length, 'an example with nothing checked').toBeGreaterThan(0);
      expect(printed.length).toBe(expected.length);
      printed.forEach((p, i) => expect(p, `console.log #${i + 1}`).toMatch(pattern(expected[i]!)));
    });
  }

  for (const ex of all.filter((e) => e.lang === 'sh' || e.lang === '')) {
    it(`${ex.name}: the CLI prints what the README shows`, () => {
      ensureBuilt();
      const blocks = ex.body.split(/^\$ /m).filter((b) => b.trim() !== '');
      expect(blocks.length).toBeGreaterThan(0);
      for (const b of blocks) {
        const [cmdLine, ...want] = b.replace(/\n$/, '').split('\n');
        const argv = cmdLine!.replace(/\s+#.*$/, '').split(/\s+/);
        expect(argv.slice(0, 2)).toEqual(['npx', 'bpfemu']);
        let out: string;
        try {
          out = execFileSync(process.execPath, ['dist/cli/main.js', ...argv.slice(2)], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (e) {
          const err = e as { stdout: string; stderr: string; status: number };
          out = err.stdout + err.stderr;
        }
        const got = out === '' ? [] : out.replace(/\n$/, '').split('\n').map((l) => l.trimEnd());
        expect(got.length, `${cmdLine}\n${out}`).toBe(want.length);
        got.forEach((g, i) => expect(g, cmdLine).toMatch(pattern(want[i]!)));
      }
    });
  }
});
