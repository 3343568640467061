/** Packet helpers against Linux 6.18: each case's result was recorded with BPF_PROG_TEST_RUN on the kernel. */
import { describe, expect, it } from 'vitest';
import { goldenCases, runGolden } from './golden.js';

describe('packet helpers match the 6.18 kernel', () => {
  for (const c of goldenCases('helpers')) {
    it(c.name, () => {
      expect(runGolden(c)).toEqual(c.kernel);
    });
  }
});
