/** The README's generated tables match the code; its commands exist. */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/cli.js';
import { updateReadme } from './tables.js';

it('README tables (helpers, maps, program types, kfuncs) are generated from the code', () => {
  const readme = readFileSync('README.md', 'utf8');
  const want = updateReadme(readme);
  if (process.env.UPDATE_README === '1') {
    if (want !== readme) writeFileSync('README.md', want);
    return;
  }
  expect(readme).toBe(want);
});

it('README shows the two-command quickstart and documents every CLI command', () => {
  const readme = readFileSync('README.md', 'utf8');
  expect(readme).toContain('npm ci && npm start');
  expect(readme).toContain('npm test');
  for (const c of COMMANDS) expect(readme).toContain(`bpfemu ${c.name}`);
});
