/**
 * Owns the JavaScript tier's agreement with the interpreter and the reference: the random programs
 * of the interpreter's differential test (test/vm/progen.ts) run on all three engines, which must
 * agree on r0, the fault (kind, pc, address, region), the instruction count, the register file and
 * the final bytes of every stack frame and of the input region; each with a full budget and with a
 * budget that runs out in the middle. The test also checks that the tier really ran (a translated
 * function per program, no silent fallback) and how often it handed a run to the interpreter.
 *
 * To explore: BPFEMU_TIER_SEED=<base> BPFEMU_TIER_COUNT=<n>.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/isa/asm.js';
import { MAX_FRAMES, Machine, Stop, type HelperFn } from '../../../src/vm/machine.js';
import { Memory, PERM_RW, RegionKind } from '../../../src/vm/memory.js';
import { buildExecProgram } from '../../../src/vm/program.js';
import { runProgram, type EngineName } from '../../../src/vm/run.js';
import { isTranslated, tierStats } from '../../../src/vm/tier/cache.js';
import { forceTierForm, tierForm } from '../../../src/vm/tier/translate.js';
import { toHex } from '../../../src/util/bytes.js';
import { generateProgram, MIX_HELPER_ID, UNWIND_HELPER_ID } from '../progen.js';

const BASE = Number(process.env['BPFEMU_TIER_SEED'] ?? 1);
const COUNT = Number(process.env['BPFEMU_TIER_COUNT'] ?? 1000);

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
/**
 * The mixing helper charging most of a time slice (65,536 units) as well, the amount taken from
 * its argument: the runs then cross slice ends at varying points of the code after the calls,
 * which short random programs never reach otherwise.
 */
const CHARGING = new Map<number, HelperFn>([
  [
    MIX_HELPER_ID,
    (m) => {
      m.charge(50_000 + (m.lo[1]! & 0x3fff));
      mix(m);
    },
  ],
  [UNWIND_HELPER_ID, unwind],
]);

function runOn(engine: EngineName, prog: ReturnType<typeof buildExecProgram>, input: Uint8Array, budget: number): string {
  const mem = new Memory();
  const m = new Machine(mem, 'diff');
  const bytes = input.slice();
  const id = mem.map(bytes, { kind: RegionKind.INPUT, perm: PERM_RW, label: 'input' });
  const res = runProgram(m, prog, [Memory.pointer(id, 0), BigInt(bytes.length)], { engine, budget });
  let stacks = '';
  for (let d = 0; d < MAX_FRAMES; d++) stacks += toHex(mem.bytes(m.stackRegion[d]!));
  const f = res.fault;
  return JSON.stringify({
    r0: res.r0.toString(16),
    fault: f === null ? null : `${f.kind}@${f.pc}:${f.address?.toString(16) ?? ''}:${f.region ?? ''}:${f.size ?? ''}:${f.extra.access ?? ''}:${f.detail}`,
    steps: res.steps,
    regs: Array.from({ length: 11 }, (_, r) => `${(m.hi[r]! >>> 0).toString(16)}:${(m.lo[r]! >>> 0).toString(16)}`).join(' '),
    stacks,
    input: toHex(bytes),
  });
}

/** Run seeds base..base+count-1 on the three engines; returns how many programs were translated in the dag form. */
function agree(base: number, count: number, loopFree = false, helpers = HELPERS): number {
    const before = { ...tierStats };
    let faults = 0;
    let budgetFaults = 0;
    let dag = 0;
    for (let seed = base; seed < base + count; seed++) {
      const g = generateProgram(seed, { loopFree });
      const prog = buildExecProgram(assemble(g.text), { helpers, name: `seed${seed}` });
      const full = runOn('reference', prog, g.input, 200_000);
      const steps = (JSON.parse(full) as { steps: number }).steps;
      // A second budget that runs out somewhere in the middle of the run.
      const cut = 1 + ((seed * 7919) % Math.max(1, steps));
      for (const budget of [200_000, cut]) {
        const ref = budget === 200_000 ? full : runOn('reference', prog, g.input, budget);
        const interp = runOn('interp', prog, g.input, budget);
        const js = runOn('js', prog, g.input, budget);
        if (js !== ref || interp !== ref) {
          console.error(`tier differential mismatch, seed ${seed}, budget ${budget}:\n${g.text}`);
          expect({ seed, budget, js: JSON.parse(js) as unknown, interp: JSON.parse(interp) as unknown }).toEqual({ seed, budget, js: JSON.parse(ref) as unknown, interp: JSON.parse(ref) as unknown });
        }
        if (ref.includes('"fault":"')) faults++;
        if (ref.includes('budget_exceeded')) budgetFaults++;
      }
      // The tier really ran this program: it has a translated function.
      expect(isTranslated(prog)).toBe(true);
      if (tierForm(prog) === 'dag') dag++;
    }
    // One translation per program, and translated code entered at least once per js run.
    expect(tierStats.compiled - before.compiled).toBe(count);
    expect(tierStats.dag - before.dag).toBe(dag);
    expect(tierStats.calls - before.calls).toBeGreaterThanOrEqual(2 * count);
    // No js run fell back to the interpreter without a translated function.
    expect(tierStats.interpreted - before.interpreted).toBe(0);
    // Cut budgets end in budget faults (handed to the interpreter for the exact pc), not all of them.
    expect(budgetFaults).toBeGreaterThan(count / 4);
    // (A charging helper's budget fault happens in the helper, without a hand-over.)
    if (helpers === HELPERS) expect(tierStats.handovers - before.handovers).toBeGreaterThanOrEqual(budgetFaults);
    expect(faults).toBeLessThan(2 * count);
    return dag;
}

describe('JavaScript tier vs interpreter vs reference', () => {
  it(`agrees on ${COUNT} random programs (seeds ${BASE}..${BASE + COUNT - 1}), full and cut budgets`, () => {
    const dag = agree(BASE, COUNT);
    // Both control-flow forms ran: loop-free programs in the dag form, the others in the switch form.
    expect(dag).toBeGreaterThan(COUNT / 100);
    expect(dag).toBeLessThan(COUNT / 2);
  });

  it(`agrees on ${Math.ceil(COUNT / 2)} loop-free programs with shared tails (backward jumps), most in the dag form`, () => {
    const n = Math.ceil(COUNT / 2);
    // The rest have code no jump reaches (after a random \`ja\`), which keeps the switch form.
    expect(agree(BASE, n, true)).toBeGreaterThan(n / 2);
  });

  it('agrees when helpers charge most of a time slice (runs cross slice ends at varying points), both forms', () => {
    agree(BASE, Math.ceil(COUNT / 4), false, CHARGING);
    expect(agree(BASE, Math.ceil(COUNT / 4), true, CHARGING)).toBeGreaterThan(COUNT / 8);
  });

  it('agrees in the switch form without structured loops (every jump through the switch)', () => {
    forceTierForm('dispatch');
    try {
      expect(agree(BASE, Math.ceil(COUNT / 4))).toBe(0);
      agree(BASE, Math.ceil(COUNT / 8), false, CHARGING);
    } finally {
      forceTierForm(undefined);
    }
  });

  it('agrees in the switch form on programs that would be translated in the dag form', () => {
    forceTierForm('switch');
    try {
      expect(agree(BASE, Math.ceil(COUNT / 4), true)).toBe(0);
    } finally {
      forceTierForm(undefined);
    }
  });
});
