/**
 * Program contexts and BPF_PROG_TEST_RUN rules against Linux 6.18: xdp_md, __sk_buff per type,
 * ctx_in acceptance and rejection, ctx_out, data_out (frags, ENOSPC), LD_ABS/LD_IND, the flow
 * dissector. Each case's result was recorded with BPF_PROG_TEST_RUN on the kernel.
 */
import { describe, expect, it } from 'vitest';
import { goldenCases, runGolden } from './golden.js';

describe('contexts and test runs match the 6.18 kernel', () => {
  for (const c of goldenCases('contexts')) {
    it(c.name, () => {
      expect(runGolden(c)).toEqual(c.kernel);
    });
  }
});
