/**
 * sk_lookup and netfilter test runs against Linux 6.18 (golden/sockctx.json, recorded by
 * record-sockctx.ts from the cases of sockctx-cases.ts): each case's verdict, errno, data_size_out
 * and ctx_out must match the kernel's.
 */
import { describe, expect, it } from 'vitest';
import { goldenCases, runGolden } from './golden.js';
import { SOCKCTX_CASES } from './sockctx-cases.js';

describe('sk_lookup and netfilter test runs match the 6.18 kernel', () => {
  const cases = goldenCases('sockctx');
  it('the golden has every case of sockctx-cases.ts, with both verdicts and several errnos', () => {
    expect(cases.map((c) => c.name)).toEqual(SOCKCTX_CASES.map((c) => c.name));
    const results = new Set(cases.map((c) => `${c.progType}:${c.kernel.err}:${c.kernel.retval}`));
    for (const r of ['sk_lookup:0:0', 'sk_lookup:0:1', 'sk_lookup:-97:0', 'sk_lookup:-34:0', 'netfilter:0:0', 'netfilter:0:1', 'netfilter:-71:0']) expect(results).toContain(r);
  });
  for (const c of cases) {
    it(c.name, () => {
      expect(runGolden(c)).toEqual(c.kernel);
    });
  }
});
