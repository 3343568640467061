/**
 * Golden specs: every committed fixture's specToJSON output, compared with
 * test/object/golden/<fixture>.json. Regenerate with
 *   UPDATE_GOLDEN=1 npx vitest run test/object/golden.test.ts
 * and review the diff against the fixture's header comment and llvm-objdump-19 -dr.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadObjectSpec, objectNameFromPath, specToJSON } from '../../src/object/index.js';
import { fixtureObjects } from '../elf/mutate.js';

const dir = new URL('./golden/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden object specs', () => {
  const fixtures = [...fixtureObjects()];

  it('covers every committed fixture (programs/SHA256SUMS lists them)', () => {
    const listed = readFileSync(new URL('../../programs/SHA256SUMS', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.endsWith('.bpf.o'))
      .map((l) => l.split('  ')[1]!);
    expect(fixtures.map(([n]) => n).sort()).toEqual(listed.sort());
  });

  for (const [file, bytes] of fixtures) {
    const name = file.replace(/\.bpf\.o$/, '');
    it(name, () => {
      const text = `${JSON.stringify(specToJSON(loadObjectSpec(bytes, { name: objectNameFromPath(file) })), null, 1)}\n`;
      const path = new URL(`${name}.json`, dir);
      if (update || !existsSync(path)) {
        if (!update) throw new Error(`missing golden ${name}.json (run with UPDATE_GOLDEN=1)`);
        writeFileSync(path, text);
        return;
      }
      expect(text).toBe(readFileSync(path, 'utf8'));
    });
  }
});
