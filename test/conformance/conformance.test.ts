import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCase } from '../../src/conformance/format.js';
import { caseInsns, checkCase } from '../../src/conformance/runner.js';
import { OPCODES, lookupSpec, slotsOf } from '../../src/isa/opcodes.js';
import { engineStats } from '../../src/vm/interp.js';

const dir = join(import.meta.dirname, 'cases');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.data'))
  .sort();

describe('conformance cases', () => {
  it('has at least 150 cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(150);
  });

  it('uses every encoding of the opcode table at least once', () => {
    const key = (code: number, v: unknown): string => JSON.stringify([code, v ?? null]);
    const used = new Set<string>();
    for (const file of files) {
      let insns;
      try {
        insns = caseInsns(parseCase(readFileSync(join(dir, file), 'utf8'), file));
      } catch {
        continue; // assembler-error cases
      }
      for (let pc = 0; pc < insns.length; pc += slotsOf(insns[pc]!.code)) {
        const i = insns[pc]!;
        const s = lookupSpec(i.code, i.src, i.off, i.imm);
        if (s !== undefined) used.add(key(s.code, s.variant));
      }
    }
    const missing = OPCODES.filter((s) => !used.has(key(s.code, s.variant))).map((s) => `${s.mnemonic} 0x${s.code.toString(16)} ${JSON.stringify(s.variant ?? {})}`);
    expect(missing).toEqual([]);
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
