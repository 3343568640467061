/**
 * The unit-test suite bench case (bench/suite.ts): 20 distinct fixtures whose programs give the
 * listed return value on every one of their 10 runs, as its child process checks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUITE, SUITE_RUNS_EACH } from '../../bench/suite.js';
import { BpfObject } from '../../src/api/index.js';
import { ipv4Frame } from '../../src/util/packets.js';

describe('unit-test suite case', () => {
  it('opens 20 distinct fixtures for 200 runs', () => {
    expect(new Set(SUITE.map(([o]) => o)).size).toBe(20);
    expect(SUITE.length * SUITE_RUNS_EACH).toBe(200);
  });

  it.each(SUITE.map((s) => [`${s[0]}/${s[1]}`, ...s] as const))('%s returns its listed value on every run', (_n, obj, prog, want) => {
    const o = BpfObject.open(readFileSync(`programs/${obj}.bpf.o`));
    o.load();
    const frame = ipv4Frame('udp', { dstPort: 53 });
    const got = Array.from({ length: SUITE_RUNS_EACH }, () => o.program(prog).testRun({ dataIn: frame }).retval);
    expect(got).toEqual(Array(SUITE_RUNS_EACH).fill(want));
  });
});
