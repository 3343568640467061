/**
 * Owns the JavaScript tier's control transfers between programs and frames, each checked against
 * the interpreter and the reference: a tail call from a subprogram frame whose target returns into
 * its caller's frame of another program, a fault inside a tail-call target, callbacks a helper runs
 * at a block start and in the middle of a block (the hand-over to the interpreter), and callx.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/isa/asm.js';
import { Machine, type ExecProgram, type HelperFn } from '../../../src/vm/machine.js';
import { Memory } from '../../../src/vm/memory.js';
import { buildExecProgram } from '../../../src/vm/program.js';
import { invokeCallbackRaw, CALLBACK_R0, runProgram, type EngineName } from '../../../src/vm/run.js';
import { isTranslated, tierStats } from '../../../src/vm/tier/cache.js';

const ENGINES: EngineName[] = ['reference', 'interp', 'js'];

function outcome(engine: EngineName, prog: ExecProgram): string {
  const m = new Machine(new Memory(), 'calls');
  const r = runProgram(m, prog, [5n], { engine, budget: 10_000 });
  return `r0=${r.r0} steps=${r.steps} fault=${r.fault?.kind ?? '-'}@${r.fault?.pc ?? '-'}:${r.fault?.extra.program ?? ''}`;
}

function agree(prog: ExecProgram): string {
  const [ref, interp, js] = ENGINES.map((e) => outcome(e, prog));
  expect(interp).toBe(ref);
  expect(js).toBe(ref);
  expect(isTranslated(prog)).toBe(true);
  return ref!;
}

describe('tail calls', () => {
  /** Helper 9: a tail call into `target` (what bpf_tail_call does on success). */
  function tailTo(target: () => ExecProgram): HelperFn {
    return (m) => {
      m.tailTarget = target();
    };
  }

  it('from a subprogram frame: the target exits into the caller frame of the first program', () => {
    const b = buildExecProgram(assemble('mov %r0, 7\ncall local g\nexit\ng:\nadd %r0, 1\nexit'), { name: 'b' });
    const a = buildExecProgram(assemble('call local f\nadd %r0, 100\nexit\nf:\nmov %r1, 5\ncall 9\nmov %r0, 1\nexit'), { name: 'a', helpers: new Map([[9, tailTo(() => b)]]) });
    const calls = tierStats.calls;
    expect(agree(a)).toBe('r0=108 steps=10 fault=-@-:');
    // a, then b after the tail call, then a again after b's exit, per js run
    expect(tierStats.calls - calls).toBe(3);
    expect(isTranslated(b)).toBe(true);
  });

  it('a fault in the target names the target program and its pc', () => {
    const b = buildExecProgram(assemble('mov %r0, 1\nmov %r2, 0\nldxb %r0, [%r2+0]\nexit'), { name: 'b' });
    const a = buildExecProgram(assemble('mov %r6, 3\ncall 9\nexit'), { name: 'a', helpers: new Map([[9, tailTo(() => b)]]) });
    expect(agree(a)).toBe('r0=0 steps=5 fault=unmapped@2:b');
  });
});

describe('callbacks and callx', () => {
  /** Helper 8: runs the callback at pc r2 of the running program with r1 as argument, r0 = its r0 + 1000. */
  const loopOnce: HelperFn = (m) => {
    invokeCallbackRaw(m, m.prog!, m.lo[2]!, [BigInt(m.lo[1]!)]);
    m.setR0((CALLBACK_R0[0]! + 1000) | 0, 0);
  };

  it('a callback at a block start (a call target) runs translated, with its own frame', () => {
    // pc 6 (cb) is a block start because `call local cb` names it.
    const text = 'mov %r1, 4\nmov %r2, 6\ncall 8\nexit\ncall local cb\nexit\ncb:\nmov %r0, %r1\nmul %r0, 3\nstxdw [%r10-8], %r0\nexit';
    const p = buildExecProgram(assemble(text), { helpers: new Map([[8, loopOnce]]) });
    const handovers = tierStats.handovers;
    expect(agree(p)).toBe('r0=1012 steps=8 fault=-@-:');
    expect(tierStats.handovers).toBe(handovers);
  });

  it('a callback entry in the middle of a block is handed to the interpreter, with the same result', () => {
    const text = 'mov %r1, 4\nmov %r2, 6\ncall 8\nexit\nmov %r0, 0\nadd %r0, 1\nmov %r0, %r1\nmul %r0, 3\nexit';
    const p = buildExecProgram(assemble(text), { helpers: new Map([[8, loopOnce]]) });
    const handovers = tierStats.handovers;
    expect(agree(p)).toBe('r0=1012 steps=7 fault=-@-:');
    expect(tierStats.handovers).toBe(handovers + 1);
  });

  it('callx: a known id calls the helper, an unknown id faults at the call', () => {
    const inc: HelperFn = (m) => m.setR0((m.lo[1]! + 1) | 0, 0);
    const ok = buildExecProgram(assemble('mov %r1, 41\nmov %r3, 8\ncall %r3\nexit'), { helpers: new Map([[8, inc]]) });
    expect(agree(ok)).toBe('r0=42 steps=4 fault=-@-:');
    const bad = buildExecProgram(assemble('mov %r1, 41\nlddw %r3, 0x100000008\ncall %r3\nexit'), { helpers: new Map([[8, inc]]) });
    expect(agree(bad)).toBe('r0=0 steps=3 fault=unknown_helper@3:prog');
  });
});
