/**
 * Interpreter behaviour beyond plain instruction semantics (those are in the conformance cases):
 * fault details, budget and step counts, call depth, tail calls, callbacks, special regions,
 * may_goto, tracing, and the guest/host error boundary. Every test runs on both engines.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/asm.js';
import { engineStats } from '../../src/vm/interp.js';
import { DEFAULT_BUDGET, MAX_FRAMES, Machine, STACK_SIZE, Stop, type ExecProgram, type HelperFn } from '../../src/vm/machine.js';
import { Memory, PERM_R, PERM_RW, RegionKind, type SpecialRegion } from '../../src/vm/memory.js';
import { buildExecProgram } from '../../src/vm/program.js';
import { invokeCallback, runProgram, type EngineName, type RunOptions } from '../../src/vm/run.js';

const ENGINES: EngineName[] = ['fast', 'reference'];

interface Env {
  mem: Memory;
  m: Machine;
  input: number;
  inputBytes: Uint8Array;
}

function env(inputLen = 16, perm = PERM_RW): Env {
  const mem = new Memory();
  const m = new Machine(mem, 't');
  const inputBytes = Uint8Array.from({ length: inputLen }, (_, i) => i * 17);
  const input = mem.map(inputBytes, { kind: RegionKind.INPUT, perm, label: 'input' });
  return { mem, m, input, inputBytes };
}

function prog(text: string, helpers: [number, HelperFn][] = [], name = 'p'): ExecProgram {
  return buildExecProgram(assemble(text), { helpers: new Map(helpers), name });
}

function run(engine: EngineName, e: Env, p: ExecProgram, opts: RunOptions = {}) {
  return runProgram(e.m, p, [Memory.pointer(e.input, 0), BigInt(e.inputBytes.length)], { engine, ...opts });
}

describe.each(ENGINES)('%s engine', (engine) => {
  describe('faults carry kind, pc, address, size, access and region', () => {
    it('out of bounds read at the end of a region', () => {
      const e = env();
      const r = run(engine, e, prog('mov %r0, 0\nldxw %r0, [%r1+14]\nexit'));
      expect(r.r0).toBe(0n);
      const f = r.fault!;
      expect(f.kind).toBe('out_of_bounds');
      expect(f.pc).toBe(1);
      expect(f.address).toBe(Memory.pointer(e.input, 14));
      expect(f.size).toBe(4);
      expect(f.extra.access).toBe('read');
      expect(f.region).toBe(e.mem.describe(e.input));
    });

    it('write to a read-only region, plain and atomic', () => {
      const e = env(16, PERM_R);
      expect(run(engine, e, prog('ldxw %r0, [%r1+12]\nexit')).fault).toBeNull();
      const w = run(engine, e, prog('stw [%r1+4], 1\nexit')).fault!;
      expect([w.kind, w.pc, w.extra.access, w.size]).toEqual(['read_only', 0, 'write', 4]);
      const a = run(engine, e, prog('mov %r2, 1\nlock add32 [%r1+4], %r2\nexit')).fault!;
      expect([a.kind, a.pc]).toEqual(['read_only', 1]);
      expect(e.inputBytes[4]).toBe(4 * 17);
    });

    it('NULL is unmapped', () => {
      const e = env();
      const f = run(engine, e, prog('mov %r1, 0\nldxdw %r0, [%r1+8]\nexit')).fault!;
      expect([f.kind, f.pc, f.address, f.size]).toEqual(['unmapped', 1, 8n, 8]);
    });

    it('a stack underflow in a nested frame faults at the 64-bit address r10 - 513, split (issue 12, bug 1)', () => {
      const e = env();
      const text = 'call local f1\nexit\nf1:\ncall local f2\nexit\nf2:\ncall local f3\nexit\nf3:\nldxb %r0, [%r10-513]\nexit';
      const f = run(engine, e, prog(text)).fault!;
      expect(f.pc).toBe(6);
      const address = Memory.pointer(e.m.stackRegion[3]!, 0) - 1n;
      expect(f.address).toBe(address);
      // The split address names the region id below frame 3's (frame 2's stack here), at an
      // offset no region has.
      const below = Number(address >> 32n);
      expect(below).toBe(e.m.stackRegion[2]);
      expect([f.kind, f.region]).toEqual(['out_of_bounds', e.mem.describe(below)]);
    });

    it('an offset that carries past 2^32 reaches the next region id, as the 64-bit address says', () => {
      const e = env();
      const bytes = new Uint8Array([0x42, 0, 0, 0, 0, 0, 0, 0]);
      const next = e.mem.map(bytes, { kind: RegionKind.OTHER, perm: PERM_RW, label: 'next' });
      expect(next).toBe(e.input + 1);
      e.m.grant(next);
      const r = run(engine, e, prog('lddw %r2, 0xffffffff\nadd %r1, %r2\nldxb %r0, [%r1+1]\nexit'), { begun: true });
      expect(r.fault).toBeNull();
      expect(r.r0).toBe(0x42n);
      // Without a grant the same address is outside the run's capabilities.
      const f = run(engine, e, prog('lddw %r2, 0xffffffff\nadd %r1, %r2\nldxb %r0, [%r1+1]\nexit')).fault!;
      expect([f.kind, f.address]).toEqual(['foreign_region', Memory.pointer(next, 0)]);
    });

    it('a helper failure is a fault at the call', () => {
      const e = env();
      const bad: HelperFn = (m) => {
        throw m.fail('helper', 'invalid argument');
      };
      const f = run(engine, e, prog('mov %r0, 0\ncall 9\nexit', [[9, bad]])).fault!;
      expect([f.kind, f.pc, f.detail]).toEqual(['helper', 1, 'invalid argument']);
    });

    it('callx to an unknown id, a poisoned instruction and LD_ABS outside a packet program', () => {
      const e = env();
      expect(run(engine, e, prog('mov %r0, 0\nmov %r3, 12\ncall %r3\nexit')).fault).toMatchObject({ kind: 'unknown_helper', pc: 2 });
      const poisoned = buildExecProgram(assemble('mov %r0, 1\nmov %r0, 2\nexit'), { poison: new Map([[1, 'relo #0: no such field']]) });
      expect(run(engine, e, poisoned).fault).toMatchObject({ kind: 'poisoned', pc: 1, detail: 'relo #0: no such field' });
      expect(run(engine, e, prog('ldabsw 0\nexit')).fault).toMatchObject({ kind: 'invalid', pc: 0 });
    });

    it('a host bug in a helper propagates instead of becoming a guest result', () => {
      const e = env();
      const buggy: HelperFn = () => {
        throw new TypeError('host bug');
      };
      expect(() => run(engine, e, prog('call 9\nexit', [[9, buggy]]))).toThrow(TypeError);
    });
  });

  describe('budget and step counts', () => {
    it('counts executed instructions, callees included', () => {
      const e = env();
      const r = run(engine, e, prog('mov %r0, 0\ncall local f\nadd %r0, 1\nexit\nf:\nmov %r0, 5\nexit'));
      expect([r.r0, r.steps, r.fault]).toEqual([6n, 6, null]);
    });

    it('counts the instructions before a fault', () => {
      const e = env();
      const r = run(engine, e, prog('mov %r0, 0\nmov %r0, 1\nldxb %r0, [%r1+99]\nexit'));
      expect(r.fault?.kind).toBe('out_of_bounds');
      expect(r.steps).toBe(3);
    });

    it('stops an infinite loop at the budget, at the pc it reached', () => {
      const e = env();
      const r = run(engine, e, prog('mov %r0, 0\nloop:\nadd %r0, 1\nja loop\nexit'), { budget: 101 });
      expect(r.fault).toMatchObject({ kind: 'budget_exceeded', pc: 1 });
      expect(r.steps).toBe(101);
    });

    it('counts exactly when a helper charges more than 2^31 units of a budget beyond 2^32', () => {
      // The fast loop keeps its slice count an int32 and moves a larger overdraft into the reserve.
      const c = 2 ** 33;
      const charging: [number, HelperFn][] = [[7, (m) => m.charge(c)]];
      const text = 'mov %r6, 3\nloop:\ncall 7\nsub %r6, 1\njne %r6, 0, loop\nmov %r0, 42\nexit';
      const ok = run(engine, env(), prog(text, charging), { budget: 3 * c + 1000 });
      expect([ok.r0, ok.steps, ok.fault]).toEqual([42n, 12, null]);
      // Budget for two charges and five instructions: the sixth (the sub after the second call) faults.
      const cut = run(engine, env(), prog(text, charging), { budget: 2 * c + 5 });
      expect(cut.fault).toMatchObject({ kind: 'budget_exceeded', pc: 2 });
      expect(cut.steps).toBe(5);
    });

    it('uses a generous default budget', () => {
      const e = env();
      const r = run(engine, e, prog('ja -1\nexit'), engine === 'fast' ? {} : { budget: 5000 });
      expect(r.fault?.kind).toBe('budget_exceeded');
      expect(r.steps).toBe(engine === 'fast' ? DEFAULT_BUDGET : 5000);
    });
  });

  describe('calls', () => {
    it('faults at the call that would create a ninth frame', () => {
      const e = env();
      const r = run(engine, e, prog('mov %r0, 0\ncall local f\nexit\nf:\nadd %r0, 1\ncall local f\nexit'));
      expect(r.fault).toMatchObject({ kind: 'call_depth', pc: 4 });
      expect(e.m.depth).toBe(0);
    });

    it('gives each frame its own stack and restores r10', () => {
      const e = env();
      const r = run(engine, e, prog('stdw [%r10-8], 7\ncall local f\nldxdw %r0, [%r10-8]\nexit\nf:\nstdw [%r10-8], 9\nmov %r0, %r10\nexit'));
      expect(r.r0).toBe(7n);
      expect(e.mem.bytes(e.m.stackRegion[1]!)[STACK_SIZE - 8]).toBe(9);
      expect(e.m.hi[10]).toBe(e.m.stackRegion[0]);
      expect(e.m.lo[10]).toBe(STACK_SIZE);
    });

    it('switches programs on a tail call and never returns to the caller', () => {
      const e = env();
      const target = prog('ldxb %r0, [%r1+1]\nadd %r0, 1000\nexit', [], 'target');
      const tail: HelperFn = (m) => {
        m.tailTarget = target;
        m.tailCalls++;
        m.setR0(0, 0);
      };
      const r = run(engine, e, prog('mov %r6, 1\ncall 12\nmov %r0, 55\nexit', [[12, tail]], 'caller'));
      expect(r.fault).toBeNull();
      expect(r.r0).toBe(1000n + 17n);
      expect(r.steps).toBe(5);
      expect(e.m.tailCalls).toBe(1);
      expect(e.m.prog?.name).toBe('target');
    });

    it('runs callbacks from a helper with invokeCallback, restoring the caller registers', () => {
      const e = env();
      const entries = engineStats.fastEntries;
      // A bpf_loop-like helper: calls the callback at pc r2 for i = 0..r1-1 with (i, r3), sums r0s.
      const loop: HelperFn = (m) => {
        const n = m.argNum(1);
        const pc = m.argNum(2);
        const ctx = m.argU64(3);
        let sum = 0n;
        for (let i = 0; i < n; i++) sum += invokeCallback(m, m.prog!, pc, [BigInt(i), ctx]);
        m.setR0Big(sum);
      };
      const text = `
        mov %r6, 66
        stdw [%r10-8], 5
        mov %r1, 4
        mov %r2, 10
        mov %r3, 100
        call 20
        ldxdw %r1, [%r10-8]
        add %r0, %r1
        add %r0, %r6
        exit
      cb:
        mov %r6, 0
        stdw [%r10-8], 0
        mov %r0, %r1
        mul %r0, 10
        add %r0, %r2
        exit`;
      const p = prog(text, [[20, loop]]);
      const r = run(engine, e, p);
      // sum over i of (10 i + 100) = 460, plus the caller's stack slot 5 and r6 = 66.
      expect(r.fault).toBeNull();
      expect(r.r0).toBe(460n + 5n + 66n);
      expect(e.m.lo[3]).toBe(100);
      if (engine === 'fast') expect(engineStats.fastEntries - entries).toBe(1 + 4);
      else expect(engineStats.fastEntries).toBe(entries);
    });

    it('lets a fault inside a callback end the whole run', () => {
      const e = env();
      const cb: HelperFn = (m) => m.setR0Big(invokeCallback(m, m.prog!, 3, []));
      const r = run(engine, e, prog('call 21\nmov %r0, 1\nexit\nmov %r1, 0\nldxb %r0, [%r1]\nexit', [[21, cb]]));
      expect(r.fault).toMatchObject({ kind: 'unmapped', pc: 4 });
    });

    it('limits callback nesting to the frame limit', () => {
      const e = env();
      const deep: HelperFn = (m) => {
        m.depth = MAX_FRAMES - 1;
        m.setR0Big(invokeCallback(m, m.prog!, 2, []));
      };
      expect(run(engine, e, prog('call 22\nexit\nexit', [[22, deep]])).fault?.kind).toBe('call_depth');
    });

    it('ends the run early with Stop', () => {
      const e = env();
      const stop: HelperFn = () => {
        throw new Stop(7, 1);
      };
      expect(run(engine, e, prog('call 23\nmov %r0, 0\nexit', [[23, stop]]))).toMatchObject({ r0: 0x100000007n, fault: null });
    });
  });

  describe('may_goto', () => {
    it('falls through while the frame budget lasts, then jumps; each frame has its own', () => {
      const e = env();
      const limit: HelperFn = (m) => {
        m.mayGoto[m.depth] = 3;
      };
      const text = `
        mov %r0, 0
        call 24
      loop:
        may_goto done
        add %r0, 1
        ja loop
      done:
        call local f
        exit
      f:
        may_goto +1
        add %r0, 100
        exit`;
      const r = run(engine, e, prog(text, [[24, limit]]));
      expect(r.r0).toBe(103n);
    });
  });

  describe('special regions', () => {
    /** A ctx whose u32 at offset 0 loads as a 64-bit pointer to the input, as after ctx rewriting. */
    function ctxEnv() {
      const e = env();
      const stored: [number, number, number, number][] = [];
      const special: SpecialRegion = {
        load(off, size, out) {
          if (off === 0 && size === 4) {
            out[0] = 0;
            out[1] = e.input;
            return true;
          }
          if (off === 4 && size === 4) {
            out[0] = 0x80000001 | 0;
            out[1] = 0;
            return true;
          }
          return false;
        },
        store(off, size, lo, hi) {
          if (off !== 8 || size !== 4) return false;
          stored.push([off, size, lo, hi]);
          return true;
        },
        // The pointer field: what it yields joins the run's capabilities.
        yieldsPointer: (off) => off === 0,
      };
      const ctx = e.mem.map(new Uint8Array(16), { kind: RegionKind.CTX, perm: PERM_RW, label: 'ctx', special });
      return { e, ctx, stored };
    }

    it('returns the handler value, including a pointer from a 4-byte load', () => {
      const { e, ctx } = ctxEnv();
      const p = prog('ldxw %r2, [%r1+0]\nldxb %r0, [%r2+3]\nexit');
      const r = runProgram(e.m, p, [Memory.pointer(ctx, 0)], { engine });
      expect(r.fault).toBeNull();
      expect(r.r0).toBe(3n * 17n);
    });

    it('sign-extends a signed load of a special field', () => {
      const { e, ctx } = ctxEnv();
      const r = runProgram(e.m, prog('ldxsw %r0, [%r1+4]\nexit'), [Memory.pointer(ctx, 0)], { engine });
      expect(r.r0).toBe(0xffffffff80000001n);
    });

    it('passes stores to the handler and faults on what it refuses', () => {
      const { e, ctx, stored } = ctxEnv();
      const ok = runProgram(e.m, prog('mov %r2, -1\nstxw [%r1+8], %r2\nmov %r0, 0\nexit'), [Memory.pointer(ctx, 0)], { engine });
      expect(ok.fault).toBeNull();
      expect(stored).toEqual([[8, 4, -1, 0]]);
      const badLoad = runProgram(e.m, prog('ldxdw %r0, [%r1+4]\nexit'), [Memory.pointer(ctx, 0)], { engine });
      expect(badLoad.fault).toMatchObject({ kind: 'bad_ctx_access', pc: 0, size: 8 });
      const badStore = runProgram(e.m, prog('stb [%r1+8], 1\nexit'), [Memory.pointer(ctx, 0)], { engine });
      expect(badStore.fault).toMatchObject({ kind: 'bad_ctx_access', pc: 0 });
      // ctx - 4 borrows from the region half: the address names the region id below the ctx's,
      // which this run was never granted.
      const negative = runProgram(e.m, prog('ldxw %r0, [%r1-4]\nexit'), [Memory.pointer(ctx, 0)], { engine });
      expect(negative.fault).toMatchObject({ kind: 'foreign_region', address: Memory.pointer(ctx, 0) - 4n });
      const atomic = runProgram(e.m, prog('mov %r2, 1\nlock add32 [%r1+8], %r2\nexit'), [Memory.pointer(ctx, 0)], { engine });
      expect(atomic.fault?.kind).toBe('bad_ctx_access');
    });
  });
});

describe('engine selection', () => {
  it('counts one fast-path entry per fast run and none for the reference engine', () => {
    const e = env();
    const p = prog('mov %r0, 1\nexit');
    const before = engineStats.fastEntries;
    runProgram(e.m, p, [], { engine: 'reference' });
    expect(engineStats.fastEntries).toBe(before);
    runProgram(e.m, p, []);
    expect(engineStats.fastEntries).toBe(before + 1);
  });

  it('traces every instruction on the reference engine', () => {
    const e = env();
    const pcs: number[] = [];
    const before = engineStats.fastEntries;
    const r = runProgram(e.m, prog('mov %r0, 0\njeq %r0, 0, +1\nmov %r0, 9\nlddw %r1, 5\nexit'), [], { trace: (_m, _p, pc) => pcs.push(pc) });
    expect(r.r0).toBe(0n);
    expect(pcs).toEqual([0, 1, 3, 5]);
    expect(engineStats.fastEntries).toBe(before);
  });

  it('starts at an entry pc', () => {
    const e = env();
    expect(runProgram(e.m, prog('mov %r0, 1\nexit\nmov %r0, 2\nexit'), [], { entry: 2 }).r0).toBe(2n);
  });
});
