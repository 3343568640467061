/**
 * Owns the tier's control-flow analysis (cfg.ts) and the choice between its forms (translate.ts
 * `tierForm`): the loop-free `dag` form for acyclic code reached from pc 0 only, without local
 * calls or callback addresses and with at most MAX_DAG_LABELS labels; the `switch` form for
 * everything else, with structured loops (loops of blocks entered only at their head) and local
 * calls to one-block leaves run inline. Each case runs on the tier and is compared with the
 * interpreter (r0, the instruction count, the fault, r0..r9); the random programs of
 * differential.test.ts cover every form at every budget.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/isa/asm.js';
import { Machine, type HelperFn } from '../../../src/vm/machine.js';
import { Memory, PERM_RW, RegionKind } from '../../../src/vm/memory.js';
import { type ExecProgram } from '../../../src/vm/machine.js';
import { buildExecProgram } from '../../../src/vm/program.js';
import { runProgram, type EngineName } from '../../../src/vm/run.js';
import { tierStats } from '../../../src/vm/tier/cache.js';
import { MAX_DAG_LABELS } from '../../../src/vm/tier/cfg.js';
import { tierForm, translateSource } from '../../../src/vm/tier/translate.js';

const add3: HelperFn = (m) => {
  m.setR0((m.lo[1]! + 3) | 0, m.hi[1]!);
};

function build(text: string): ExecProgram {
  return buildExecProgram(assemble(text), { helpers: new Map([[7, add3]]), name: 'forms' });
}

function run(prog: ExecProgram, engine: EngineName, budget = 100_000): string {
  const mem = new Memory();
  const m = new Machine(mem, 't');
  const input = new Uint8Array(16).map((_, i) => i * 7 + 1);
  const id = mem.map(input, { kind: RegionKind.INPUT, perm: PERM_RW, label: 'input' });
  const r = runProgram(m, prog, [Memory.pointer(id, 0), 16n], { engine, budget });
  const regs = Array.from({ length: 10 }, (_, i) => `${m.hi[i]}:${m.lo[i]}`).join(',');
  return `${r.r0} ${r.steps} ${r.fault?.kind ?? ''}@${r.fault?.pc ?? ''} ${regs}`;
}

/** The tier and the interpreter agree on `prog` at every budget from 1 to one past its full run. */
function agreesAtEveryBudget(prog: ExecProgram): void {
  const full = Number(run(prog, 'interp').split(' ')[1]);
  for (let b = 1; b <= full + 1; b++) expect(run(prog, 'js', b)).toBe(run(prog, 'interp', b));
}

/** A run of `prog` over several time slices agrees with the interpreter without a hand-over to it. */
function agreesPastSlicesInPlace(prog: ExecProgram): void {
  const handovers = tierStats.handovers;
  expect(run(prog, 'js', 1_000_000)).toBe(run(prog, 'interp', 1_000_000));
  expect(tierStats.handovers).toBe(handovers);
}

/** `pad` no-op moves, then a loop of `n` rounds calling the one-block leaf f (r0 = the sum of n..1, r7 = 100 + that). */
function leafLoop(n: number, pad = 0): string {
  return `${'mov %r2, 0\n'.repeat(pad)}
    mov %r6, ${n}
    mov %r7, 100
    mov %r0, 0
  loop:
    mov %r1, %r6
    call local f
    add %r7, %r6
    sub %r6, 1
    jne %r6, 0, loop
    exit
  f:
    add %r0, %r1
    exit`;
}

/** `n` conditional jumps, each to its own target further down (n labels). */
function fan(n: number): string {
  const lines = ['mov %r0, 0', 'ldxb %r2, [%r1+3]'];
  for (let i = 0; i < n; i++) lines.push(`jeq %r2, ${i + 100}, t${i}`);
  for (let i = n - 1; i >= 0; i--) lines.push(`t${i}:`, 'add %r0, 1');
  lines.push('exit');
  return lines.join('\n');
}

describe('tier control-flow forms', () => {
  it('a forward-only program is translated without a loop, and agrees with the interpreter at every budget', () => {
    const prog = build(`
      ldxb %r2, [%r1+3]
      mov %r0, 1
      jgt %r2, 10, big
      mov %r1, %r2
      call 7
      ja out
    big:
      mov %r0, 2
    out:
      exit`);
    expect(tierForm(prog)).toBe('dag');
    const src = translateSource(prog);
    expect(src).not.toMatch(/for \(;;\)|switch \(pc\)/);
    agreesAtEveryBudget(prog);
  });

  it('a backward jump to a shared tail keeps the dag form: the tail is emitted after its predecessors', () => {
    const prog = build(`
      ldxb %r2, [%r1+3]
      mov %r0, 5
      ja body
    tail:
      add %r0, 100
      exit
    body:
      jeq %r2, 22, tail
      add %r0, 1
      jne %r2, 22, tail
      exit`);
    expect(tierForm(prog)).toBe('dag');
    // The tail (pc 3) comes after the block that jumps to it (pc 5): its label closes later.
    const src = translateSource(prog);
    expect(src.indexOf('} if (left < 2)')).toBeGreaterThan(src.indexOf('break L3'));
    expect(run(prog, 'js')).toBe(run(prog, 'interp'));
    expect(run(prog, 'js').split(' ')[0]).toBe('105'); // byte 3 of the input is 22: 5 + 100
  });

  it('loops, local calls and code reached only as a callback keep the switch form', () => {
    const loop = build(`
      mov %r0, 0
      mov %r2, 4
    top:
      add %r0, %r2
      sub %r2, 1
      jne %r2, 0, top
      exit`);
    expect(tierForm(loop)).toBe('switch');
    expect(run(loop, 'js')).toBe(run(loop, 'interp'));
    const call = build(`
      mov %r0, 1
      call local f
      exit
    f:
      mov %r0, 2
      exit`);
    expect(tierForm(call)).toBe('switch');
    expect(run(call, 'js')).toBe(run(call, 'interp'));
    // Code after the exit that no jump reaches (a callback whose address the kernel path turns
    // into a plain constant) is entered at another pc: the dag form has one entry.
    const after = build(`
      mov %r0, 3
      exit
      mov %r0, 4
      exit`);
    expect(tierForm(after)).toBe('switch');
  });

  it('a leaf callee runs inline at its local call, exactly at every budget (its own case when a slice cannot pay it)', () => {
    const prog = build(`
      mov %r6, 3
      mov %r0, 0
    loop:
      mov %r1, %r6
      call local f
      sub %r6, 1
      jne %r6, 0, loop
      exit
    f:
      add %r0, %r1
      mov %r6, 99
      exit`);
    expect(tierForm(prog)).toBe('switch');
    // The call does not dispatch to the callee (pc 7); the callee's own case stays for slices.
    const src = translateSource(prog);
    expect(src).not.toContain('pc = 7; continue main');
    expect(src).toContain('case 7:');
    // r6 is restored at the callee's exit: 3 + 2 + 1.
    expect(run(prog, 'js').split(' ')[0]).toBe('6');
    agreesAtEveryBudget(prog);
  });

  it('a leaf callee that leaves r6..r9 alone runs inline without saving them, exactly at every budget (saved when it leaves for its own case)', () => {
    const prog = build(leafLoop(4));
    const src = translateSource(prog);
    expect(src).not.toContain('pc = 9; continue main');
    // r7 = 100 + 4 + 3 + 2 + 1 after the loop, r0 = the same sum without the 100.
    expect(run(prog, 'js')).toMatch(/^10 /);
    expect(run(prog, 'js')).toContain(',0:110,');
    agreesAtEveryBudget(prog);
    // A run longer than a time slice (65,536 units), padded so that the slice's end falls on
    // every block of the loop in turn, the leaf's included: the leaf then runs in its own case,
    // whose exit restores r6..r9 from the frame.
    for (let pad = 0; pad < 7; pad++) {
      const long = build(leafLoop(10000, pad));
      // The loop is a structured one: a slice ending at the leaf is taken in place, without a
      // hand-over to the interpreter (the return address has no case of its own).
      expect(translateSource(long)).toMatch(/R\d+: for \(;;\)/);
      agreesPastSlicesInPlace(long);
    }
  });

  it('a dag program whose run crosses the end of a time slice (entered by a tail call late in a long run) takes the next slice exactly', () => {
    // b: 6 blocks of 8 instructions, acyclic, jumps forward.
    const blocks = Array.from({ length: 6 }, (_, i) => `${'add %r0, 3\n'.repeat(6)}jeq %r0, ${i}, b${i + 1}\nb${i + 1}:`).join('\n');
    const b = build(`mov %r0, 0\n${blocks}\nadd %r0, 1\nexit`);
    expect(tierForm(b)).toBe('dag');
    let target: ExecProgram | null = null;
    const tail: HelperFn = (m) => {
      m.tailTarget = target;
    };
    // a: a loop of 65,480 instructions, some padding, then the tail call: the slice (65,536
    // units) ends at a different instruction of b for each padding.
    for (let pad = 0; pad < 56; pad += 5) {
      const a = buildExecProgram(assemble(`mov %r6, 32740\nloop:\nsub %r6, 1\njne %r6, 0, loop\n${'mov %r2, 0\n'.repeat(pad)}call 9\nexit`), { helpers: new Map([[9, tail]]), name: 'a' });
      target = b;
      const out = (['reference', 'interp', 'js'] as const).map((e) => run(a, e, 1_000_000));
      expect(out[1]).toBe(out[0]);
      expect(out[2]).toBe(out[0]);
      expect(out[0]).toMatch(/^109 /); // 6 blocks of 6 × 3, plus 1
    }
  });

  it('a loop of several blocks runs as a structured loop: back edges continue it, forward edges break to labels, exits leave it', () => {
    // A helper call splits the body; an if/else inside; a way out from the middle; a may_goto.
    const prog = build(`
      mov %r6, 0
      mov %r7, 40
      mov %r0, 0
    top:
      mov %r1, %r6
      call 7
      jgt %r0, 30, odd
      add %r6, 2
      ja join
    odd:
      add %r6, 1
    join:
      jeq %r6, 77, out
      may_goto out
      sub %r7, 1
      jne %r7, 0, top
    out:
      mov %r0, %r6
      exit`);
    expect(tierForm(prog)).toBe('switch');
    const src = translateSource(prog);
    expect(src).toMatch(/R3: for \(;;\)/);
    expect(src).toContain('continue R3;');
    expect(src).not.toContain('pc = 3; continue main');
    agreesAtEveryBudget(prog);
    // The same loop running past the end of a slice (65,536 units) at every block in turn.
    for (let pad = 0; pad < 9; pad++) {
      const long = build(`${'mov %r2, 0\n'.repeat(pad)}
        mov %r6, 0
        mov %r7, 7000
        mov %r0, 0
      top:
        mov %r1, %r6
        call 7
        jgt %r0, 30, odd
        add %r6, 2
        ja join
      odd:
        add %r6, 1
      join:
        sub %r7, 1
        jne %r7, 0, top
        mov %r0, %r6
        exit`);
      agreesPastSlicesInPlace(long);
    }
  });

  it('a loop entered in its middle, and the outer of two nested loops, keep dispatching through the switch', () => {
    const middle = build(`
      mov %r6, 5
      mov %r0, 0
      ldxb %r2, [%r1+0]
      jeq %r2, 1, inner
    top:
      add %r0, 2
    inner:
      add %r0, 1
      sub %r6, 1
      jne %r6, 0, top
      exit`);
    expect(translateSource(middle)).not.toMatch(/R\d+: for/);
    expect(run(middle, 'js')).toBe(run(middle, 'interp'));
    const nested = build(`
      mov %r6, 4
      mov %r0, 0
    outer:
      mov %r7, 3
    inner:
      add %r0, %r7
      mov %r1, %r0
      call 7
      sub %r7, 1
      jne %r7, 0, inner
      sub %r6, 1
      jne %r6, 0, outer
      exit`);
    const src = translateSource(nested);
    expect(src).toMatch(/R3: for \(;;\)/);
    expect(src).not.toMatch(/R2: for/);
    agreesAtEveryBudget(nested);
  });

  it(`uses the dag form up to ${MAX_DAG_LABELS} labels and the switch form beyond`, () => {
    const at = build(fan(MAX_DAG_LABELS));
    const over = build(fan(MAX_DAG_LABELS + 1));
    expect(tierForm(at)).toBe('dag');
    expect(tierForm(over)).toBe('switch');
    for (const p of [at, over]) expect(run(p, 'js')).toBe(run(p, 'interp'));
  });
});
