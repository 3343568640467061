/**
 * The interpreter's type-feedback warm-up (src/vm/warmup.ts): its program reaches every decoded op
 * of the opcode table, runs to the same result on the fast and the reference interpreter, and runs
 * once per process without being counted as a program entry.
 */
import { describe, expect, it } from 'vitest';
import { OPCODES, LDDW_IMM64 } from '../../src/isa/opcodes.js';
import { decodeProgram } from '../../src/isa/decode.js';
import { engineStats, execute } from '../../src/vm/interp.js';
import { TIME_SLICE, UNLIMITED_BUDGET } from '../../src/vm/machine.js';
import { executeReference } from '../../src/vm/reference.js';
import { runWarmUpProgram, warmUp, warmUpProgram } from '../../src/vm/warmup.js';

describe('interpreter warm-up', () => {
  it('executes every decoded op of the opcode table', () => {
    const raw = warmUpProgram(1);
    const d = decodeProgram(raw, { resolveHelper: () => 0, resolveKfunc: () => 0 });
    const ops = new Set<number>();
    for (let pc = 0; pc < d.length; pc++) ops.add(d.code[pc * 4]! & 0xff);
    // lddw's map/variable forms decode to the same op as the plain 64-bit immediate.
    const want = new Set(OPCODES.filter((s) => s.form !== 'lddw' || s.variant?.value === LDDW_IMM64).map((s) => s.op));
    expect([...want].filter((op) => !ops.has(op))).toEqual([]);
    // Every atomic sub-operation and every load/store form appears in the raw program.
    const seen = new Set(raw.map((i) => `${i.code}/${i.imm}`));
    for (const s of OPCODES.filter((x) => x.form === 'atomic')) expect(seen.has(`${s.code}/${s.variant!.value}`)).toBe(true);
  });

  it('also runs every arena (PROBE_MEM32) op the decoder can produce', () => {
    const pcs = new Set<number>();
    const d = decodeProgram(warmUpProgram(1, pcs), { resolveHelper: () => 0, resolveKfunc: () => 0, arenaAccesses: pcs });
    const ops = new Set<number>();
    for (let pc = 0; pc < d.length; pc++) ops.add(d.code[pc * 4]! & 0xff);
    const arenaOps = [0xa1, 0xa9, 0xb1, 0xb9, 0xc1, 0xc9, 0xd1, 0xa2, 0xaa, 0xb2, 0xba, 0xa3, 0xab, 0xb3, 0xbb, 0xe3, 0xeb, 0xf3, 0xfb, 0xe0];
    expect(arenaOps.filter((op) => !ops.has(op))).toEqual([]);
  });

  it('runs to the same result on the fast and the reference interpreter', () => {
    const fast = runWarmUpProgram(execute);
    const ref = runWarmUpProgram(executeReference);
    expect(fast.r0).toEqual([2, 0]); // the tail-called program's return value
    expect(fast.r0).toEqual(ref.r0);
    expect(fast.steps).toBe(ref.steps);
    expect(fast.steps).toBeGreaterThan(1000);
    // A helper charges most of a time slice, so the fast loop takes its next slice (and the clock
    // detour) during the warm-up: the steps include that charge, on both engines.
    expect(fast.steps).toBeGreaterThan(TIME_SLICE);
    expect(Buffer.from(fast.stack).equals(Buffer.from(ref.stack))).toBe(true);
  });

  it("runs to the same end under the emulated kernel's unlimited budget (the kernel warms up with it)", () => {
    const small = runWarmUpProgram(execute);
    for (const engine of [execute, executeReference]) {
      const big = runWarmUpProgram(engine, 1, UNLIMITED_BUDGET);
      expect(big.r0).toEqual(small.r0);
      expect(big.steps).toBe(small.steps);
      expect(Buffer.from(big.stack).equals(Buffer.from(small.stack))).toBe(true);
    }
  });

  it('ends in a budget fault when the budget is smaller than the program', () => {
    const fault = (engine: typeof execute): unknown => {
      try {
        runWarmUpProgram(engine, 1, 100);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const ref = fault(executeReference) as { kind: string; pc: number };
    expect(ref.kind).toBe('budget_exceeded');
    expect(fault(execute)).toMatchObject({ kind: 'budget_exceeded', pc: ref.pc });
  });

  it('runs once per process and is not counted as a program entry', () => {
    const before = engineStats.fastEntries;
    warmUp(execute);
    expect(warmUp(execute)).toBe(false);
    expect(engineStats.fastEntries).toBe(before);
  });
});
