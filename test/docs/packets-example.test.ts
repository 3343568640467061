/**
 * The README's packet-tools example (`<!-- example: packets -->`) runs as documented: every
 * `console.log` line prints what its trailing comment says. It runs in process against the sources
 * (the import from 'bpfemu' is bound to src/index.ts), so it needs no build.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as bpfemu from '../../src/index.js';

it('the packets example prints what its comments say', () => {
  const readme = readFileSync('README.md', 'utf8');
  const m = /<!-- example: packets -->\n```js\n([\s\S]*?)```/.exec(readme);
  expect(m).not.toBeNull();
  const lines = m![1]!.split('\n');
  const imp = /^import \{ ([^}]+) \} from 'bpfemu';$/.exec(lines[0]!);
  expect(imp).not.toBeNull();
  const names = imp![1]!.split(',').map((n) => n.trim());
  const expected = lines.filter((l) => l.startsWith('console.log(')).map((l) => /\/\/ (.*)$/.exec(l)![1]!.trim());
  const printed: string[] = [];
  const fakeConsole = { log: (...a: unknown[]) => printed.push(a.map(String).join(' ')) };
  const body = lines.slice(1).join('\n');
  const values = names.map((n) => (bpfemu as Record<string, unknown>)[n]);
  expect(values.every((v) => typeof v === 'function')).toBe(true);
  new Function(...names, 'console', body)(...values, fakeConsole);
  expect(printed).toEqual(expected);
  expect(expected.length).toBe(6);
});
