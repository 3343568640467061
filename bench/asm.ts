/**
 * The assembled hot loops of the corpus: tight loops that isolate one interpreter cost each (ALU,
 * byte loads, 64-bit multiply, local calls, helper calls), run through `runProgram`.
 */
import type { HelperFn } from '../src/vm/machine.js';
import { asmCase, type BenchCase } from './harness.js';

/** Deterministic pseudo-random bytes (xorshift32). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const CHECKSUM_INPUT = bytes(64 * 1024, 7);
const FNV_INPUT = bytes(4096, 11);

function byteSum(b: Uint8Array): bigint {
  let s = 0;
  for (const v of b) s += v;
  return BigInt(s);
}

function fnv1a64(b: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const v of b) h = BigInt.asUintN(64, (h ^ BigInt(v)) * 0x100000001b3n);
  return h;
}

function aluLoopResult(n: number): bigint {
  let r0 = 0n;
  let r1 = 1n;
  for (let i = 0; i < n; i++) {
    r0 = BigInt.asUintN(64, r0 + r1);
    r0 ^= 0x5a5an;
    r1 = BigInt.asUintN(64, r1 << 1n) | 1n;
    r1 &= 0xffffn;
    r0 = BigInt.asUintN(64, r0 - 3n);
  }
  return r0;
}

const ALU_ITERS = 100_000;
const CALL_ITERS = 50_000;

/** A trivial helper: r0 = r1 + 1. */
const inc: HelperFn = (m) => {
  m.setR0((m.lo[1]! + 1) | 0, m.hi[1]!);
};

/** The assembled cases, in report order. */
export const ASM_CASES: readonly BenchCase[] = [
  asmCase({
    name: 'alu-loop',
    description: `${ALU_ITERS} iterations of 64-bit add/xor/lsh/or/and/sub and a counted jne`,
    asm: `
      mov %r0, 0
      mov %r1, 1
      mov %r2, ${ALU_ITERS}
    loop:
      add %r0, %r1
      xor %r0, 0x5a5a
      lsh %r1, 1
      or %r1, 1
      and %r1, 0xffff
      sub %r0, 3
      sub %r2, 1
      jne %r2, 0, loop
      exit`,
    expect: aluLoopResult(ALU_ITERS),
  }),
  asmCase({
    name: 'checksum-64k',
    description: 'byte sum over a 64 KiB input region (ldxb, add, pointer compare)',
    asm: `
      mov %r0, 0
      mov %r3, %r1
      add %r1, %r2
    loop:
      ldxb %r4, [%r3]
      add %r0, %r4
      add %r3, 1
      jlt %r3, %r1, loop
      exit`,
    input: CHECKSUM_INPUT,
    expect: byteSum(CHECKSUM_INPUT),
  }),
  asmCase({
    name: 'fnv1a-4k',
    description: '64-bit FNV-1a over a 4 KiB buffer (xor, 64-bit mul by the FNV prime)',
    asm: `
      lddw %r0, 0xcbf29ce484222325
      lddw %r5, 0x100000001b3
      mov %r3, %r1
      add %r1, %r2
    loop:
      ldxb %r4, [%r3]
      xor %r0, %r4
      mul %r0, %r5
      add %r3, 1
      jlt %r3, %r1, loop
      exit`,
    input: FNV_INPUT,
    expect: fnv1a64(FNV_INPUT),
  }),
  asmCase({
    name: 'local-calls',
    description: `${CALL_ITERS} bpf-to-bpf calls (new frame, r6-r9 saved and restored)`,
    asm: `
      mov %r0, 0
      mov %r6, ${CALL_ITERS}
    loop:
      mov %r1, %r6
      call local f
      sub %r6, 1
      jne %r6, 0, loop
      exit
    f:
      add %r0, %r1
      exit`,
    expect: BigInt((CALL_ITERS * (CALL_ITERS + 1)) / 2),
  }),
  asmCase({
    name: 'helper-calls',
    description: `${CALL_ITERS} calls of a trivial helper (r0 = r1 + 1)`,
    asm: `
      mov %r6, 0
      mov %r7, ${CALL_ITERS}
    loop:
      mov %r1, %r6
      call 1
      mov %r6, %r0
      sub %r7, 1
      jne %r7, 0, loop
      mov %r0, %r6
      exit`,
    helpers: new Map([[1, inc]]),
    expect: BigInt(CALL_ITERS),
  }),
];
