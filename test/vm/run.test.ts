/** Entry points of src/vm/run.ts: argument conversion, run outcomes, engine selection. */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/asm.js';
import { Machine } from '../../src/vm/machine.js';
import { Memory } from '../../src/vm/memory.js';
import { buildExecProgram } from '../../src/vm/program.js';
import { RunOutcome, argRegs, runProgram, type EngineName } from '../../src/vm/run.js';

// r0 = r1 ^ r2 (64-bit), so the result shows both arguments arrived whole.
const XOR = buildExecProgram(assemble('mov r0, r1\nxor r0, r2\nexit'), { name: 'xor' });

const VALUES: readonly bigint[] = [0n, 1n, 0xffffffffn, 0x1_0000_0000n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n, -1n, -(1n << 63n), 0x1234_5678_9abc_def0n];

describe('run arguments and outcomes', () => {
  it('argRegs splits BigInts into register halves, truncating to 64 bits and at most five', () => {
    expect([...argRegs([0x1_0000_0002n, -1n])]).toEqual([2, 1, -1, -1]);
    expect([...argRegs([1n << 64n])]).toEqual([0, 0]);
    expect(argRegs([1n, 2n, 3n, 4n, 5n, 6n]).length).toBe(10);
  });

  it.each<EngineName>(['fast', 'reference'])('%s: BigInt and pre-split arguments give the same r0, with and without BigInt r0', (engine) => {
    const m = new Machine(new Memory(), 't');
    for (const a of VALUES) {
      for (const b of [0n, 0x8000_0000_0000_0001n]) {
        const want = BigInt.asUintN(64, a ^ b);
        const r1 = runProgram(m, XOR, [a, b], { engine });
        const r2 = runProgram(m, XOR, argRegs([a, b]), { engine });
        expect(r1.r0).toBe(want);
        expect(r2.r0).toBe(want);
        expect([r2.r0Lo, r2.r0Hi]).toEqual([Number(want & 0xffffffffn) | 0, Number(want >> 32n) | 0]);
        expect(r1.steps).toBe(3);
      }
    }
  });

  it('RunOutcome builds r0 from its halves, above 2^53 too', () => {
    expect(new RunOutcome(-1, -1, null, 0).r0).toBe((1n << 64n) - 1n);
    expect(new RunOutcome(5, 0x200000, null, 0).r0).toBe((0x200000n << 32n) | 5n);
    expect(new RunOutcome(-2, 0x1fffff, null, 0).r0).toBe((0x1fffffn << 32n) | 0xfffffffen);
  });
});
