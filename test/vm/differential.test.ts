/**
 * Differential test: random valid programs (progen.ts) run on the fast and the reference engine
 * must agree on r0, the fault (kind, pc, address), the register file, the instruction count,
 * and the final bytes of every stack frame and of the input region.
 *
 * A fixed seed range runs in CI. To explore: BPFEMU_DIFF_SEED=<base> BPFEMU_DIFF_COUNT=<n>.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/asm.js';
import { engineStats } from '../../src/vm/interp.js';
import { MAX_FRAMES, Machine, Stop, type HelperFn } from '../../src/vm/machine.js';
import { Memory, PERM_RW, RegionKind } from '../../src/vm/memory.js';
import { buildExecProgram } from '../../src/vm/program.js';
import { runProgram, type EngineName } from '../../src/vm/run.js';
import { toHex } from '../../src/util/bytes.js';
import { generateProgram, MIX_HELPER_ID, UNWIND_HELPER_ID } from './progen.js';

const BASE = Number(process.env['BPFEMU_DIFF_SEED'] ?? 1);
const COUNT = Number(process.env['BPFEMU_DIFF_COUNT'] ?? 2500);

/** A deterministic helper that reads r1/r2 and mixes them into r0. */
const mix: HelperFn = (m) => {
  m.setR0((Math.imul(m.lo[1]!, 0x9e3779b1) ^ m.hi[2]!) | 0, (m.hi[1]! + m.lo[2]!) | 0);
};
const unwind: HelperFn = (m) => {
  if (m.lo[1] === 0 && m.hi[1] === 0) throw new Stop(0, 0);
  m.setR0(m.lo[1]!, m.hi[1]!);
};
const HELPERS = new Map<number, HelperFn>([
  [MIX_HELPER_ID, mix],
  [UNWIND_HELPER_ID, unwind],
]);

interface Snapshot {
  r0: bigint;
  fault: string | null;
  steps: number;
  regs: string;
  stacks: string;
  input: string;
}

function runOn(engine: EngineName, prog: ReturnType<typeof buildExecProgram>, input: Uint8Array): Snapshot {
  const mem = new Memory();
  const m = new Machine(mem, 'diff');
  const bytes = input.slice();
  const id = mem.map(bytes, { kind: RegionKind.INPUT, perm: PERM_RW, label: 'input' });
  const res = runProgram(m, prog, [Memory.pointer(id, 0), BigInt(bytes.length)], { engine, budget: 200_000 });
  let stacks = '';
  for (let d = 0; d < MAX_FRAMES; d++) stacks += toHex(mem.bytes(m.stackRegion[d]!));
  const f = res.fault;
  return {
    r0: res.r0,
    fault: f === null ? null : `${f.kind}@${f.pc}${f.address !== undefined ? `:${f.address.toString(16)}` : ''}`,
    steps: res.steps,
    regs: Array.from({ length: 11 }, (_, r) => `${(m.hi[r]! >>> 0).toString(16)}:${(m.lo[r]! >>> 0).toString(16)}`).join(' '),
    stacks,
    input: toHex(bytes),
  };
}

describe('fast vs reference interpreter', () => {
  it(`agrees on ${COUNT} random programs (seeds ${BASE}..${BASE + COUNT - 1})`, () => {
    const before = engineStats.fastEntries;
    let faults = 0;
    let insns = 0;
    const kinds = new Map<string, number>();
    for (let seed = BASE; seed < BASE + COUNT; seed++) {
      const g = generateProgram(seed);
      const prog = buildExecProgram(assemble(g.text), { helpers: HELPERS, name: `seed${seed}` });
      const fast = runOn('fast', prog, g.input);
      const ref = runOn('reference', prog, g.input);
      if (JSON.stringify(fast, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v)) !== JSON.stringify(ref, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v))) {
        // Print what is needed to reproduce: the seed and the program.
        console.error(`differential mismatch, seed ${seed}:\n${g.text}`);
        expect({ seed, ...fast }).toEqual({ seed, ...ref });
      }
      if (fast.fault !== null) {
        faults++;
        const k = fast.fault.split('@')[0]!;
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      } else insns += fast.steps;
    }
    // Every run entered the fast interpreter exactly once (no silent fallback to the reference).
    expect(engineStats.fastEntries - before).toBe(COUNT);
    // The generator must exercise both outcomes, and real work.
    expect(faults).toBeGreaterThan(COUNT / 100);
    expect(faults).toBeLessThan(COUNT / 2);
    expect(insns / (COUNT - faults)).toBeGreaterThan(50);
    expect(kinds.has('out_of_bounds')).toBe(true);
  });
});
