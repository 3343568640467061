/**
 * Owns the JavaScript tier's engines (vm/tier/cache.ts) and the cases random programs rarely reach:
 * every possible budget of a program with loops, local calls and helpers (budget faults at the same
 * pc with the same count as the interpreter), may_goto running out, wall-clock timeouts, the
 * fallback when `new Function` is forbidden, the 'auto' tier-up policy, and fixtures (callbacks,
 * timers, tail calls, struct_ops) run through the kernel on engine 'js' to the 6.18 results.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CORPUS } from '../../../bench/corpus.js';
import { runSmoke } from '../../../bench/smoke.js';
import { BpfObject } from '../../../src/api/object.js';
import { assemble } from '../../../src/isa/asm.js';
import { engineStats } from '../../../src/vm/interp.js';
import { Machine, type HelperFn } from '../../../src/vm/machine.js';
import { Memory, PERM_RW, RegionKind } from '../../../src/vm/memory.js';
import { buildExecProgram } from '../../../src/vm/program.js';
import { runProgram, type EngineName } from '../../../src/vm/run.js';
import { MAX_TIER_INSNS, TIER_UP_INSNS_PER_SLOT, TIER_UP_RUNS, isTranslated, tierStats } from '../../../src/vm/tier/cache.js';
import { canCompile, setCanCompileForTest } from '../../../src/vm/tier/csp.js';

const add3: HelperFn = (m) => {
  m.setR0((m.lo[1]! + 3) | 0, m.hi[1]!);
};

function machine(): { m: Machine; input: bigint } {
  const mem = new Memory();
  const m = new Machine(mem, 't');
  const id = mem.map(new Uint8Array(32), { kind: RegionKind.INPUT, perm: PERM_RW, label: 'input' });
  return { m, input: Memory.pointer(id, 0) };
}

/** A loop of loads, stores, a helper and a local call, plus a store that faults on the last pass. */
const LOOP = `
  mov %r6, %r1
  mov %r7, 5
  mov %r0, 0
top:
  ldxb %r2, [%r6+3]
  add %r0, %r2
  mov %r1, %r7
  call 1
  stxdw [%r10-8], %r0
  call local f
  sub %r7, 1
  jne %r7, 0, top
  exit
f:
  stdw [%r10-16], 7
  ldxdw %r3, [%r10-16]
  jne %r7, 1, ok
  stb [%r10+0], 1
ok:
  exit`;

describe('budgets, may_goto, timeouts', () => {
  it('faults at the same pc with the same count as the interpreter for every budget', () => {
    const prog = buildExecProgram(assemble(LOOP), { helpers: new Map([[1, add3]]) });
    const outcome = (engine: EngineName, budget: number): string => {
      const { m, input } = machine();
      const r = runProgram(m, prog, [input], { engine, budget });
      return `${r.r0} ${r.steps} ${r.fault?.kind ?? '-'}@${r.fault?.pc ?? '-'} ${r.fault?.address ?? ''}`;
    };
    const full = outcome('interp', 1000);
    const steps = Number(full.split(' ')[1]);
    expect(full).toContain('out_of_bounds@');
    expect(steps).toBeGreaterThan(50);
    for (let b = 1; b <= steps + 1; b++) expect(outcome('js', b)).toBe(outcome('interp', b));
    expect(isTranslated(prog)).toBe(true);
  });

  it('may_goto jumps once its 8M iterations are used up, counted like the interpreter', () => {
    const prog = buildExecProgram(assemble('mov %r0, 0\ntop:\nmay_goto out\nadd %r0, 1\nja top\nout:\nexit'));
    const { m } = machine();
    const js = runProgram(m, prog, [], { engine: 'js', budget: 1 << 30 });
    const interp = runProgram(m, prog, [], { engine: 'interp', budget: 1 << 30 });
    expect(js.fault).toBeNull();
    expect(js.r0).toBe(8n * 1024n * 1024n);
    expect([js.r0, js.steps]).toEqual([interp.r0, interp.steps]);
  });

  it('helper charges that overdraw the slice by up to 2^33 units, under budgets beyond 2^30, count as in the interpreter', () => {
    // A loop calling a helper that charges r1 units, r1 growing to 2^33; then more instructions.
    const charge: HelperFn = (m) => {
      m.charge(m.lo[1]! + m.hi[1]! * 0x100000000);
      m.setR0(0, 0);
    };
    const prog = buildExecProgram(assemble('mov %r6, 1\nlddw %r7, 0x200000000\ntop:\nmov %r1, %r6\ncall 2\nlsh %r6, 3\njle %r6, %r7, top\nmov %r0, %r6\nexit'), { helpers: new Map([[2, charge]]) });
    for (const budget of [Number.MAX_SAFE_INTEGER, 2 ** 34, 2 ** 33 + 5, 2 ** 31 + 7]) {
      const out = (['interp', 'js'] as const).map((e) => {
        const { m } = machine();
        const r = runProgram(m, prog, [], { engine: e, budget });
        return `${r.r0} ${r.steps} ${r.fault?.kind ?? '-'}@${r.fault?.pc ?? '-'}`;
      });
      expect(out[1]).toBe(out[0]);
    }
    expect(isTranslated(prog)).toBe(true);
  });

  it('a runaway loop ends with run_timeout', () => {
    const prog = buildExecProgram(assemble('top:\nadd %r0, 1\nja top\nexit'));
    const { m } = machine();
    const calls = tierStats.calls;
    const r = runProgram(m, prog, [], { engine: 'js', budget: Number.MAX_SAFE_INTEGER, timeoutMs: 30 });
    expect(r.fault?.kind).toBe('run_timeout');
    expect(r.steps).toBeGreaterThan(65536);
    expect(tierStats.calls).toBeGreaterThan(calls);
  });
});

describe('engines', () => {
  afterEach(() => setCanCompileForTest(undefined));

  it('js falls back to the interpreter where new Function is forbidden', () => {
    expect(canCompile()).toBe(true);
    setCanCompileForTest(false);
    const prog = buildExecProgram(assemble(LOOP), { helpers: new Map([[1, add3]]) });
    const { m, input } = machine();
    const entries = engineStats.fastEntries;
    const r = runProgram(m, prog, [input], { engine: 'js' });
    expect(engineStats.fastEntries).toBe(entries + 1);
    expect(isTranslated(prog)).toBe(false);
    const ref = runProgram(machine().m, prog, [machine().input], { engine: 'reference' });
    expect([r.r0, r.steps]).toEqual([ref.r0, ref.steps]);
  });

  it(`auto interprets a program for ${TIER_UP_RUNS} runs and ${TIER_UP_INSNS_PER_SLOT} instructions per slot, then runs it translated`, () => {
    const prog = buildExecProgram(assemble(LOOP), { helpers: new Map([[1, add3]]) });
    const slots = prog.code.length >> 2;
    const steps = runProgram(machine().m, prog, [machine().input], { engine: 'reference' }).steps;
    // The first run (0-based) that starts with both conditions met (helpers here charge nothing).
    let first = TIER_UP_RUNS;
    while (first * steps < TIER_UP_INSNS_PER_SLOT * slots) first++;
    const results: string[] = [];
    for (let i = 0; i < first + 2; i++) {
      const { m, input } = machine();
      const entries = engineStats.fastEntries;
      const calls = tierStats.calls;
      const r = runProgram(m, prog, [input], { engine: 'auto' });
      results.push(`${r.r0} ${r.steps} ${r.fault?.kind}@${r.fault?.pc}`);
      expect([i, engineStats.fastEntries - entries, tierStats.calls - calls]).toEqual(i < first ? [i, 1, 0] : [i, 0, 1]);
    }
    expect(first).toBeGreaterThan(TIER_UP_RUNS);
    expect(new Set(results).size).toBe(1);
  });

  it(`programs over ${MAX_TIER_INSNS} slots stay on the interpreter`, () => {
    const big = buildExecProgram(assemble(`${'add %r0, 1\n'.repeat(MAX_TIER_INSNS)}exit`));
    const entries = engineStats.fastEntries;
    const r = runProgram(machine().m, big, [], { engine: 'js' });
    expect(r.r0).toBe(BigInt(MAX_TIER_INSNS));
    expect(engineStats.fastEntries).toBe(entries + 1);
    expect(isTranslated(big)).toBe(false);
  });
});

describe('fixtures through the kernel on engine js', () => {
  function open(name: string): BpfObject {
    const o = BpfObject.open(readFileSync(new URL(`../../../programs/${name}.bpf.o`, import.meta.url)), { kernelOptions: { engine: 'js' } });
    o.load();
    return o;
  }
  function s64s(b: Uint8Array, n: number, off = 0): number[] {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return Array.from({ length: n }, (_, i) => Number(dv.getBigInt64(off + 8 * i, true)));
  }
  function sys(o: BpfObject, prog: string, size: number, init?: (dv: DataView) => void): Uint8Array {
    const ctx = new Uint8Array(size);
    init?.(new DataView(ctx.buffer));
    expect(o.program(prog).testRun({ ctxIn: ctx, ctxSizeOut: 0 }).retval).toBe(0);
    return ctx;
  }

  it('bpf_loop callbacks (loop) and for_each_map_elem (maps_for_each) give the 6.18 results', () => {
    const calls = tierStats.calls;
    const handovers = tierStats.handovers;
    const ctx = sys(open('loop'), 'loop_prog', 32, (dv) => {
      dv.setUint32(0, 10, true);
      dv.setUint32(4, 4, true);
    });
    expect(s64s(ctx, 3, 8)).toEqual([5, 30, -22]);
    expect(s64s(sys(open('maps_for_each'), 'for_each_prog', 64), 8)).toEqual([8, 280, 4, 120, 5, 1500, 4, -22]);
    // The program and every callback ran translated code, none handed to the interpreter.
    expect(tierStats.calls - calls).toBeGreaterThan(10);
    expect(tierStats.handovers).toBe(handovers);
  });

  it('timer callbacks fire on engine js as on the kernel', () => {
    const o = open('timer');
    expect(s64s(sys(o, 'timer_prog', 88), 11)).toEqual([0, -16, 0, 0, 0, 0, 0, 1, 0, -22, -22]);
    o.kernel.advance(1_000_000n);
    const m = o.map('timers');
    expect(s64s(m.lookup(Uint8Array.of(0, 0, 0, 0))!, 2, 16)).toEqual([1, 100]);
  });

  it('tail calls (tailcall): XDP_TX through the prog array, fall-through flags 1', () => {
    const frame = new Uint8Array(60);
    frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 46, 0, 1, 0, 0, 64, 17]);
    const o = open('tailcall');
    expect(o.program('xdp_entry').testRun({ dataIn: frame }).retval).toBe(3);
    expect(o.variable('empty_fallthrough').getInt()).toBe(1n);
    expect(o.variable('range_fallthrough').getInt()).toBe(1n);
  });

  it('the bench corpus computes its documented results with the interpreter’s instruction counts', () => {
    // Without the four checksum/FNV fixtures, whose load takes ~10 s each (the raw checksum and FNV
    // loops stay in).
    const cases = CORPUS.filter((c) => !/^(csum|fnv1a)-(1500|64k)$/.test(c.name));
    expect(cases.length).toBe(CORPUS.length - 4);
    const compiled = tierStats.compiled;
    const js = runSmoke(cases, 'js');
    const interp = runSmoke(cases, 'interp');
    for (const r of js) expect(r.error ?? '').toBe('');
    expect(js.map((r) => [r.case, r.insns])).toEqual(interp.map((r) => [r.case, r.insns]));
    expect(tierStats.compiled - compiled).toBeGreaterThanOrEqual(cases.length);
  });
});
