/** The README's runnable struct_ops example runs as documented (against the built package). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../cli/built.js';

it('the association example prints EBUSY, no errors, and the instance id and test_1 result', () => {
  ensureBuilt();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- example: assoc -->\n```js\n([\s\S]*?)```/.exec(readme);
  expect(m).not.toBeNull();
  // The package imports itself by name, so the script must live inside the repository.
  const dir = mkdtempSync(join(ROOT, '.example-'));
  try {
    const file = join(dir, 'assoc.mjs');
    writeFileSync(file, m![1]!);
    const out = execFileSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toBe('re-association: EBUSY\nerrors: 0n 0n\nid = 2 test_1() = 1234\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
