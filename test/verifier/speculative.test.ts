/**
 * The speculative-path simulation of the profiles without CAP_PERFMON (corpus groups unpriv and
 * unpriv0): the number of instructions 6.18 processed, recorded in the goldens, counts the
 * speculative paths too, so bpfemu's count must equal it case by case.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelVerdict, VerifierCase } from './corpus/types.js';
import { CASES as UNPRIV } from './corpus/unpriv.js';
import { CASES as UNPRIV0 } from './corpus/unpriv0.js';
import { emuVerify } from './emulator.js';

const GOLDENS = join(import.meta.dirname, 'goldens');

/** Count differences with a cause outside the speculative walk (README "Verifier", known differences). */
const KNOWN: Record<string, string> = {
  'unpriv0-spill-zero-kept': 'no stack liveness: a zero slot nothing reads later keeps the NULL path from being pruned at the exit',
};

function goldens(group: string): Record<string, KernelVerdict> {
  return (JSON.parse(readFileSync(join(GOLDENS, `${group}.json`), 'utf8')) as { cases: Record<string, KernelVerdict> }).cases;
}

describe('speculative paths: processed-instruction counts equal 6.18\'s', () => {
  for (const [group, cases] of [['unpriv', UNPRIV], ['unpriv0', UNPRIV0]] as [string, VerifierCase[]][]) {
    it(`${group}: accepted cases`, () => {
      const g = goldens(group);
      const diffs: string[] = [];
      let n = 0;
      for (const c of cases) {
        const k = g[c.name]!;
        // a refused program's count depends on where the kernel stopped; only accepted ones are compared
        if (!k.accepted) continue;
        n++;
        const e = emuVerify(c);
        if (KNOWN[c.name] !== undefined) {
          if (e.insnsProcessed === k.insnsProcessed) diffs.push(`${c.name}: listed in KNOWN but now agrees`);
          continue;
        }
        if (e.insnsProcessed !== k.insnsProcessed) diffs.push(`${c.name}: kernel ${k.insnsProcessed}, bpfemu ${e.insnsProcessed}`);
      }
      expect(n).toBeGreaterThan(5);
      expect(diffs, diffs.join('\n')).toEqual([]);
    });
  }
});
