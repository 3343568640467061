import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCase } from '../../src/conformance/format.js';
import { checkCase } from '../../src/conformance/runner.js';
import { engineStats } from '../../src/vm/interp.js';

const dir = join(import.meta.dirname, 'cases');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.data'))
  .sort();

describe('conformance cases', () => {
  it('has at least 150 cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(150);
  });

  describe.each(['fast', 'reference'] as const)('%s engine', (engine) => {
    it.each(files)('%s', (file) => {
      const c = parseCase(readFileSync(join(dir, file), 'utf8'), file);
      const before = engineStats.fastEntries;
      const v = checkCase(c, { engine });
      expect(v.detail).toBe('');
      expect(v.pass).toBe(true);
      // A case that got as far as running used the engine it asked for.
      if (engine === 'reference') expect(engineStats.fastEntries).toBe(before);
    });
  });
});
