/**
 * Arena accesses and addr_space_cast on the three engines (fast interpreter, reference, JS tier):
 * the PROBE_MEM32 semantics of vm/arena.ts (from the 6.18 sources, not a live run: this kernel
 * refuses arena maps) checked against values worked out here by hand, and the engines against each other.
 */
import { describe, expect, it } from 'vitest';
import type { RawInsn } from '../../src/isa/insn.js';
import type { ArenaSpace } from '../../src/vm/arena.js';
import { Machine } from '../../src/vm/machine.js';
import { Memory } from '../../src/vm/memory.js';
import { buildExecProgram } from '../../src/vm/program.js';
import { runProgram, type EngineName } from '../../src/vm/run.js';
import { tierStats } from '../../src/vm/tier/cache.js';

const ins = (code: number, dst: number, src: number, off: number, imm: number): RawInsn => ({ code, dst, src, off, imm });
const lddw = (dst: number, v: bigint): RawInsn[] => [ins(0x18, dst, 0, 0, Number(BigInt.asIntN(32, v & 0xffffffffn))), ins(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n)))];
const cast = (dst: number, src: number, imm: number): RawInsn => ins(0xbf, dst, src, 1, imm);
const mov = (dst: number, imm: number): RawInsn => ins(0xb7, dst, 0, 0, imm);

/** user_vm_start = 0x5_0000_0000 (upper half 5), one populated page: window page 1 (0x1000..0x1fff). */
function space(): { arena: ArenaSpace; pages: Map<number, Uint8Array> } {
  const pages = new Map<number, Uint8Array>([[1, new Uint8Array(4096)]]);
  return { arena: { userHi: 5, page: (pn) => pages.get(pn) }, pages };
}

interface Out {
  regs: bigint[];
  page: Uint8Array;
}

function run(engine: EngineName, raw: RawInsn[], arenaPcs: number[]): Out {
  const { arena, pages } = space();
  const prog = buildExecProgram(raw, { arena, arenaAccesses: new Set(arenaPcs) });
  const m = new Machine(new Memory(), 'arena');
  const res = runProgram(m, prog, [], { engine, budget: 10_000 });
  expect(res.fault).toBeNull();
  return { regs: Array.from({ length: 10 }, (_, r) => (BigInt(m.hi[r]! >>> 0) << 32n) | BigInt(m.lo[r]! >>> 0)), page: pages.get(1)! };
}

/** Build the program and the pcs of its arena accesses (marked with `A(...)`). */
function program(parts: (RawInsn | RawInsn[] | { arena: RawInsn })[]): { raw: RawInsn[]; pcs: number[] } {
  const raw: RawInsn[] = [];
  const pcs: number[] = [];
  for (const p of parts) {
    if (Array.isArray(p)) raw.push(...p);
    else if ('arena' in p) {
      pcs.push(raw.length);
      raw.push(p.arena);
    } else raw.push(p);
  }
  return { raw, pcs };
}
const A = (i: RawInsn): { arena: RawInsn } => ({ arena: i });

const ENGINES: EngineName[] = ['fast', 'reference', 'js'];

describe('addr_space_cast', () => {
  const p = program([
    lddw(1, 0x7f00_0000_1234n),
    cast(2, 1, 1), // as(1) -> as(0): low 32 bits
    cast(3, 2, 0x10000), // as(0) -> as(1): user_vm_start's upper half | low
    mov(4, 0),
    cast(5, 4, 0x10000), // zero stays zero
    lddw(6, 0xffff_ffff_0000_0000n),
    cast(7, 6, 0x10000), // low half 0: still 0
    mov(0, 0),
    ins(0x95, 0, 0, 0, 0),
  ]);
  for (const e of ENGINES) {
    it(`casts both ways on ${e}`, () => {
      const { regs } = run(e, p.raw, p.pcs);
      expect(regs[2]).toBe(0x1234n);
      expect(regs[3]).toBe(0x5_0000_1234n);
      expect(regs[5]).toBe(0n);
      expect(regs[7]).toBe(0n);
    });
  }

  it('faults invalid when another address-space pair runs (the verifier refuses it at load)', () => {
    const prog = buildExecProgram([cast(1, 1, 2), mov(0, 0), ins(0x95, 0, 0, 0, 0)]);
    const res = runProgram(new Machine(new Memory(), 'x'), prog, [], { engine: 'fast' });
    expect(res.fault?.kind).toBe('invalid');
    expect(res.fault?.detail).toContain('addr_space_cast insn can only convert between address space 1 and 0');
  });
});

describe('PROBE_MEM32 accesses', () => {
  const p = program([
    lddw(1, 0x5_0000_1000n),
    cast(2, 1, 1), // r2 = 0x1000 (page 1)
    lddw(3, 0x1122_3344_5566_7788n),
    A(ins(0x7b, 2, 3, 8, 0)), // *(u64 *)(r2 + 8) = r3
    A(ins(0x61, 4, 2, 8, 0)), // r4 = *(u32 *)(r2 + 8)
    mov(5, 7),
    A(ins(0x79, 5, 2, 0x1000, 0)), // r5 = *(u64 *)(r2 + 4096): page 2 not populated -> 0
    A(ins(0x7b, 2, 3, 0x1000, 0)), // store to page 2: dropped
    A(ins(0x91, 6, 2, 8, 0)), // r6 = *(s8 *)(r2 + 8) = (s8)0x88
    mov(7, 1),
    A(ins(0xdb, 2, 7, 16, 0x01)), // r7 = atomic_fetch_add((u64 *)(r2 + 16), r7): r7 = 0, mem = 1
    mov(8, 5),
    A(ins(0xdb, 2, 8, 0x1000, 0x01)), // fetch-add on page 2: no effect, r8 stays 5
    A(ins(0x79, 9, 2, 0xffc, 0)), // u64 at 0x1ffc crosses into page 2 -> 0
    mov(0, 9),
    A(ins(0x6a, 2, 0, 0xffe, 0x5aa5)), // *(u16 *)(r2 + 0xffe) = 0x5aa5: last two bytes of page 1
    mov(1, 0),
    A(ins(0x79, 1, 1, -8, 0)), // below the window: guard -> r1 = 0
    mov(0, 0),
    A(ins(0xc3, 2, 0, 24, 0xf1)), // cmpxchg32 at +24 (holds 0) with r0 = 0: stores w0 (0) and r0 = old (0)
    ins(0x95, 0, 0, 0, 0),
  ]);
  const expected = (out: Out): void => {
    expect(out.regs[4]).toBe(0x5566_7788n);
    expect(out.regs[5]).toBe(0n);
    expect(out.regs[6]).toBe(BigInt.asUintN(64, -0x78n));
    expect(out.regs[7]).toBe(0n);
    expect(out.regs[8]).toBe(5n);
    expect(out.regs[9]).toBe(0n);
    expect(out.regs[1]).toBe(0n);
    const dv = new DataView(out.page.buffer);
    expect(dv.getBigUint64(8, true)).toBe(0x1122_3344_5566_7788n);
    expect(dv.getBigUint64(16, true)).toBe(1n);
    expect(dv.getUint16(0xffe, true)).toBe(0x5aa5);
  };
  for (const e of ENGINES) {
    it(`loads, stores and atomics on ${e}`, () => {
      const calls = tierStats.calls;
      expected(run(e, p.raw, p.pcs));
      if (e === 'js') expect(tierStats.calls).toBeGreaterThan(calls);
    });
  }
  it('the engines agree register for register and byte for byte', () => {
    const [a, b, c] = ENGINES.map((e) => run(e, p.raw, p.pcs));
    expect(b!.regs).toEqual(a!.regs);
    expect(c!.regs).toEqual(a!.regs);
    expect(b!.page).toEqual(a!.page);
    expect(c!.page).toEqual(a!.page);
  });
  it('an unmarked load through the same value is an ordinary access and faults', () => {
    const raw = [...lddw(1, 0x5_0000_1000n), cast(2, 1, 1), ins(0x61, 0, 2, 0, 0), ins(0x95, 0, 0, 0, 0)];
    const res = runProgram(new Machine(new Memory(), 'x'), buildExecProgram(raw, { arena: space().arena }), [], { engine: 'fast' });
    expect(res.fault).not.toBeNull();
  });
});

describe('random arena access sequences: fast, reference and js agree', () => {
  /** xorshift32, seeded: the same programs on every run. */
  function rng(seed: number): () => number {
    let x = seed | 0 || 1;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
  }
  const SIZES = [0x00, 0x08, 0x10, 0x18]; // W H B DW
  const ATOMIC_IMMS = [0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x100, 0x110];

  function randomProgram(seed: number): { raw: RawInsn[]; pcs: number[] } {
    const r = rng(seed);
    const parts: (RawInsn | RawInsn[] | { arena: RawInsn })[] = [];
    // r1..r5: window offsets around pages 1 and 2 (page 0 and 3 unpopulated), r6..r9 values
    const bases = [0x0ff0, 0x1000, 0x1ff8, 0x2000, 0x2ffc];
    for (let k = 1; k <= 5; k++) parts.push(lddw(k, (5n << 32n) | BigInt(bases[r() % bases.length]! + (r() % 16))), cast(k, k, 1));
    for (let k = 6; k <= 9; k++) parts.push(lddw(k, (BigInt(r()) << 32n) | BigInt(r())));
    parts.push(lddw(0, BigInt(r())));
    for (let n = 0; n < 40; n++) {
      const base = 1 + (r() % 5);
      const val = 6 + (r() % 4);
      const off = ((r() % 64) - 32) * (r() % 2 === 0 ? 1 : 97);
      const sz = SIZES[r() % 4]!;
      switch (r() % 5) {
        case 0: parts.push(A(ins(0x61 | sz, val, base, off, 0))); break; // ldx
        case 1: parts.push(A(ins(0x81 | (sz === 0x18 ? 0 : sz), val, base, off, 0))); break; // ldsx (W/H/B)
        case 2: parts.push(A(ins(0x62 | sz, base, 0, off, r() | 0))); break; // st
        case 3: parts.push(A(ins(0x63 | sz, base, val, off, 0))); break; // stx
        default: {
          const imm = ATOMIC_IMMS[r() % ATOMIC_IMMS.length]!;
          const asz = imm === 0x100 || imm === 0x110 ? sz : r() % 2 === 0 ? 0x00 : 0x18;
          parts.push(A(ins(0xc3 | asz, imm === 0x100 ? val : base, imm === 0x100 ? base : val, off, imm)));
        }
      }
    }
    parts.push(ins(0x95, 0, 0, 0, 0));
    return program(parts);
  }

  function runPages(engine: EngineName, raw: RawInsn[], pcs: number[]): { regs: bigint[]; pages: string } {
    const pages = new Map<number, Uint8Array>([
      [1, new Uint8Array(4096).map((_, i) => (i * 7) & 0xff)],
      [2, new Uint8Array(4096).map((_, i) => (i * 13 + 1) & 0xff)],
    ]);
    const prog = buildExecProgram(raw, { arena: { userHi: 5, page: (pn) => pages.get(pn) }, arenaAccesses: new Set(pcs) });
    const m = new Machine(new Memory(), 'arena-diff');
    const res = runProgram(m, prog, [], { engine, budget: 10_000 });
    expect(res.fault).toBeNull();
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    return { regs: Array.from({ length: 10 }, (_, k) => (BigInt(m.hi[k]! >>> 0) << 32n) | BigInt(m.lo[k]! >>> 0)), pages: hex(pages.get(1)!) + hex(pages.get(2)!) };
  }

  it('on 300 seeded programs of 40 loads, stores and atomics across pages and into unpopulated ones', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { raw, pcs } = randomProgram(seed * 7919);
      const [f, r, j] = (['fast', 'reference', 'js'] as const).map((e) => runPages(e, raw, pcs));
      expect(r, `seed ${seed}: reference vs fast`).toEqual(f);
      expect(j, `seed ${seed}: js vs fast`).toEqual(f);
    }
  });
});
