/**
 * The bench smoke path (what CI runs as `npm run bench -- --smoke`): every corpus case sets up, runs
 * once and produces the results its fixture documents; a case that computes something else fails.
 */
import { describe, expect, it } from 'vitest';
import { CORPUS, selectCases } from '../../bench/corpus.js';
import { asmCase, type BenchCase } from '../../bench/harness.js';
import { runSmoke } from '../../bench/smoke.js';

describe('bench smoke', () => {
  const results = runSmoke(CORPUS);

  it.each(CORPUS.map((c) => c.name))('%s runs once and checks its expected results', (name) => {
    const r = results.find((x) => x.case === name)!;
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.insns).toBeGreaterThan(0);
  });

  it('covers the corpus the issue asks for, with unique names', () => {
    const names = CORPUS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const want of ['xdp-maps-mix', 'csum-1500', 'fnv1a-1500', 'csum-64k', 'fnv1a-64k', 'bpf-loop-1000', 'calls-mix', 'tailcall-chain', 'lpm-lookup-mix', 'struct-ops-chain']) {
      expect(names).toContain(want);
    }
    // Packet cases carry a kernel side-by-side spec; syscall and assembled cases cannot.
    expect(CORPUS.filter((c) => c.kernel !== undefined).map((c) => c.name)).toEqual(['xdp-maps-mix', 'xdp-firewall-mix', 'csum-1500', 'fnv1a-1500', 'calls-mix', 'tailcall-chain', 'lpm-lookup-mix']);
  });

  it('counts executed instructions per run exactly', () => {
    const byName = new Map(results.map((r) => [r.case, r.insns]));
    // 3 setup + 8 per iteration + exit.
    expect(byName.get('alu-loop')).toBe(3 + 8 * 100_000 + 1);
    // 65536 bytes, 4 instructions per byte, 3 setup + exit.
    expect(byName.get('checksum-64k')).toBe(4 * 65536 + 4);
    // Eight programs, seven tail calls: the whole chain counts as one run.
    expect(byName.get('tailcall-chain')).toBe(55);
  });

  it('selects cases by regex', () => {
    expect(selectCases(/^csum-/).map((c) => c.name)).toEqual(['csum-1500', 'csum-64k']);
    expect(selectCases(/nothing-matches/)).toEqual([]);
  });

  it('reports a case whose result differs from the expected one', () => {
    const wrong: BenchCase = asmCase({ name: 'wrong', description: 'returns 1, expects 2', asm: 'mov %r0, 1\nexit', expect: 2n });
    const [r] = runSmoke([wrong]);
    expect(r!.ok).toBe(false);
    expect(r!.error).toMatch(/^WRONG_RESULT/);
  });

  it('reports a case that faults', () => {
    const faulting: BenchCase = asmCase({ name: 'null', description: 'loads through NULL', asm: 'mov %r1, 0\nldxw %r0, [%r1]\nexit', expect: 0n });
    const [r] = runSmoke([faulting]);
    expect(r!.ok).toBe(false);
    expect(r!.error).toMatch(/^FAULT/);
  });
});
