/**
 * Owns the conformance cases (test/conformance/cases) on the JavaScript tier: every case passes on
 * engine 'js' as it does on the interpreter, and every case that gets as far as running enters
 * translated code (no silent fallback to the interpreter), except the one too large to translate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCase } from '../../../src/conformance/format.js';
import { caseInsns, checkCase } from '../../../src/conformance/runner.js';
import { MAX_TIER_INSNS, tierStats } from '../../../src/vm/tier/cache.js';

const dir = join(import.meta.dirname, '../../conformance/cases');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.data'))
  .sort();

describe('conformance cases on the JavaScript tier', () => {
  it.each(files)('%s', (file) => {
    const c = parseCase(readFileSync(join(dir, file), 'utf8'), file);
    const before = tierStats.calls;
    const compiledBefore = tierStats.compiled;
    const v = checkCase(c, { engine: 'js' });
    expect(v.detail).toBe('');
    expect(v.pass).toBe(true);
    const ran = v.outcome.ok || v.outcome.error.stage === 'run';
    if (ran && caseInsns(c).length <= MAX_TIER_INSNS) {
      expect(tierStats.compiled).toBe(compiledBefore + 1);
      expect(tierStats.calls).toBeGreaterThan(before);
    } else if (ran) {
      // Too large to translate (jmp-ja32-far): the interpreter ran it.
      expect(tierStats.compiled).toBe(compiledBefore);
    }
  });
});
