/**
 * Tests for src/verifier/tnum.ts: every operation is checked against brute force over the
 * members of small random tnums (at most 4 unknown bits, anywhere in the 64), and a few exact
 * values are pinned to what Linux 6.18.44 printed as `var_off` (see scalar.test.ts for how those
 * logs were obtained).
 */
import { describe, expect, it } from 'vitest';
import {
  type Tnum,
  TNUM_UNKNOWN,
  fls64,
  formatTnum,
  tnumAdd,
  tnumAnd,
  tnumArsh,
  tnumBswap16,
  tnumBswap32,
  tnumBswap64,
  tnumCast,
  tnumClearSubreg,
  tnumConst,
  tnumConstSubreg,
  tnumIn,
  tnumIntersect,
  tnumIsAligned,
  tnumIsConst,
  tnumIsUnknown,
  tnumLsh,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumOverlap,
  tnumRange,
  tnumRsh,
  tnumStep,
  tnumSub,
  tnumSubreg,
  tnumSubregIsConst,
  tnumUnion,
  tnumWithSubreg,
  tnumXor,
} from '../../src/verifier/tnum.js';

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** Deterministic PRNG (xorshift32) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

function rand64(r: () => number): bigint {
  return (BigInt(Math.floor(r() * 0x100000000)) << 32n) | BigInt(Math.floor(r() * 0x100000000));
}

/** A tnum with up to 4 unknown bits at random positions (biased to low bits and the sign bits). */
function randTnum(r: () => number): Tnum {
  let mask = 0n;
  const n = Math.floor(r() * 5);
  const hot = [0, 1, 2, 3, 7, 15, 31, 32, 62, 63];
  for (let i = 0; i < n; i++) {
    const bit = r() < 0.5 ? hot[Math.floor(r() * hot.length)]! : Math.floor(r() * 64);
    mask |= 1n << BigInt(bit);
  }
  let value = rand64(r);
  if (r() < 0.4) value &= 0xffn; // many small values
  return { value: value & ~mask & M64, mask };
}

/** All members of a tnum (enumerates the submasks of its mask). */
function members(t: Tnum): bigint[] {
  const out: bigint[] = [];
  let sub = t.mask;
  for (;;) {
    out.push(t.value | sub);
    if (sub === 0n) break;
    sub = (sub - 1n) & t.mask;
  }
  return out;
}

function contains(t: Tnum, v: bigint): boolean {
  return (u64(v) & ~t.mask & M64) === t.value;
}

/** The tightest tnum holding every value (computed bit by bit, independently of tnum.ts). */
function hull(vals: readonly bigint[]): Tnum {
  let same = M64;
  const first = u64(vals[0]!);
  for (const v of vals) same &= ~(u64(v) ^ first) & M64;
  return { value: first & same, mask: ~same & M64 };
}

function swapBytes(v: bigint, bytes: number): bigint {
  let out = 0n;
  for (let i = 0; i < bytes; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

const TRIALS = 200;

describe('tnum soundness against brute force', () => {
  const binary: [string, (a: Tnum, b: Tnum) => Tnum, (x: bigint, y: bigint) => bigint][] = [
    ['add', tnumAdd, (x, y) => x + y],
    ['sub', tnumSub, (x, y) => x - y],
    ['mul', tnumMul, (x, y) => x * y],
    ['and', tnumAnd, (x, y) => x & y],
    ['or', tnumOr, (x, y) => x | y],
    ['xor', tnumXor, (x, y) => x ^ y],
  ];
  for (const [name, op, concrete] of binary) {
    it(`${name} contains every concrete result`, () => {
      const r = rng(name.length * 7919);
      for (let i = 0; i < TRIALS; i++) {
        const a = randTnum(r);
        const b = randTnum(r);
        const res = op(a, b);
        expect(res.value & res.mask).toBe(0n);
        for (const x of members(a)) for (const y of members(b)) expect(contains(res, concrete(x, y))).toBe(true);
      }
    });
  }

  it('and, or and xor are exact (the hull of the concrete results)', () => {
    const r = rng(4242);
    for (let i = 0; i < TRIALS; i++) {
      const a = randTnum(r);
      const b = randTnum(r);
      const all = (f: (x: bigint, y: bigint) => bigint): bigint[] => members(a).flatMap((x) => members(b).map((y) => f(x, y)));
      expect(tnumAnd(a, b)).toEqual(hull(all((x, y) => x & y)));
      expect(tnumOr(a, b)).toEqual(hull(all((x, y) => x | y)));
      expect(tnumXor(a, b)).toEqual(hull(all((x, y) => x ^ y)));
    }
  });

  it('neg, shifts, casts, subregister views and byte swaps contain every concrete result', () => {
    const r = rng(99);
    for (let i = 0; i < TRIALS; i++) {
      const a = randTnum(r);
      const s = Math.floor(r() * 64);
      const s32 = s & 31;
      const checks: [Tnum, (x: bigint) => bigint][] = [
        [tnumNeg(a), (x) => -x],
        [tnumLsh(a, s), (x) => x << BigInt(s)],
        [tnumRsh(a, s), (x) => x >> BigInt(s)],
        [tnumArsh(a, s, 64), (x) => BigInt.asIntN(64, x) >> BigInt(s)],
        [tnumArsh(a, s32, 32), (x) => BigInt.asUintN(32, BigInt.asIntN(32, x) >> BigInt(s32))],
        [tnumCast(a, 1), (x) => x & 0xffn],
        [tnumCast(a, 2), (x) => x & 0xffffn],
        [tnumSubreg(a), (x) => x & M32],
        [tnumClearSubreg(a), (x) => x & ~M32],
        [tnumBswap16(a), (x) => swapBytes(x, 2)],
        [tnumBswap32(a), (x) => swapBytes(x, 4)],
        [tnumBswap64(a), (x) => swapBytes(x, 8)],
      ];
      for (const [res, f] of checks) for (const x of members(a)) expect(contains(res, f(x))).toBe(true);
    }
  });

  it('intersect is exact for overlapping tnums, union is their hull, overlap and in match the sets', () => {
    const r = rng(5);
    for (let i = 0; i < TRIALS; i++) {
      const a = randTnum(r);
      // Half the time derive b from a so the sets overlap.
      const b = r() < 0.5 ? { value: (members(a)[0]! & ~a.mask) & ~0xfn, mask: (a.mask | 0xfn) & M64 } : randTnum(r);
      const bb = { value: b.value & ~b.mask & M64, mask: b.mask };
      const ma = new Set(members(a));
      const mb = members(bb);
      const common = mb.filter((x) => ma.has(x));
      expect(tnumOverlap(a, bb)).toBe(common.length > 0);
      if (common.length > 0) expect(new Set(members(tnumIntersect(a, bb)))).toEqual(new Set(common));
      expect(tnumUnion(a, bb)).toEqual(hull([...ma, ...mb]));
      expect(tnumIn(a, bb)).toBe(mb.every((x) => ma.has(x)));
    }
  });

  it('with/const subreg compose the halves', () => {
    const r = rng(17);
    for (let i = 0; i < TRIALS; i++) {
      const a = randTnum(r);
      const b = randTnum(r);
      const w = tnumWithSubreg(a, b);
      for (const x of members(a)) for (const y of members(b)) expect(contains(w, (x & ~M32) | (y & M32))).toBe(true);
      const c = BigInt(Math.floor(r() * 0x100000000));
      const k = tnumConstSubreg(a, c);
      expect(tnumSubregIsConst(k)).toBe(true);
      expect(k.value & M32).toBe(c);
    }
  });

  it('range holds every value of [min, max]', () => {
    const r = rng(23);
    for (let i = 0; i < TRIALS; i++) {
      const lo = r() < 0.5 ? BigInt(Math.floor(r() * 5000)) : rand64(r);
      const hi = lo + BigInt(Math.floor(r() * 300));
      if (hi > M64) continue;
      const t = tnumRange(lo, hi);
      for (let v = lo; v <= hi; v += 1n + BigInt(Math.floor(r() * 7))) expect(contains(t, v)).toBe(true);
      expect(contains(t, hi)).toBe(true);
    }
    expect(tnumRange(0n, M64)).toEqual(TNUM_UNKNOWN);
    expect(tnumRange(5n, 5n)).toEqual(tnumConst(5n));
  });

  it('step returns the smallest member above z, clamped to the members', () => {
    const r = rng(31);
    for (let i = 0; i < TRIALS; i++) {
      const t = randTnum(r);
      const ms = members(t).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      const tmin = ms[0]!;
      const tmax = ms[ms.length - 1]!;
      for (let j = 0; j < 8; j++) {
        const z = r() < 0.7 ? ms[Math.floor(r() * ms.length)]! + BigInt(Math.floor(r() * 5)) - 2n : rand64(r);
        if (z < 0n || z > M64) continue;
        const want = z >= tmax ? tmax : z < tmin ? tmin : ms.find((m) => m > z)!;
        expect(tnumStep(t, z)).toBe(want);
      }
    }
  });

  it('alignment looks at the low bits of value|mask', () => {
    expect(tnumIsAligned({ value: 0x10n, mask: 0x30n }, 8)).toBe(true);
    expect(tnumIsAligned({ value: 0x10n, mask: 0x34n }, 8)).toBe(false);
    expect(tnumIsAligned({ value: 0x3n, mask: 0n }, 0)).toBe(true);
    expect(tnumIsAligned(tnumConst(-8n), 8n)).toBe(true);
  });
});

describe('tnum exact values', () => {
  it('constants wrap mod 2^64 and print as the kernel does', () => {
    expect(tnumConst(-1n)).toEqual({ value: M64, mask: 0n });
    expect(tnumIsConst(tnumConst(7n))).toBe(true);
    expect(tnumIsUnknown(TNUM_UNKNOWN)).toBe(true);
    // `var_off=(0x0; 0xff)` after `r6 &= 255`; the unknown tnum is `(0x0; 0xffffffffffffffff)`.
    expect(formatTnum(tnumAnd(TNUM_UNKNOWN, tnumConst(255n)))).toBe('(0x0; 0xff)');
    expect(formatTnum(TNUM_UNKNOWN)).toBe('(0x0; 0xffffffffffffffff)');
  });

  it('mul is the 6.18 long multiplication with unions', () => {
    // Kernel: `r0 &= 2; r0 |= 1; r0 *= 3` printed var_off=(0x1; 0xa) (the older hma form gives
    // (0x1; 0xe)); then `w0 *= -3` printed var_off=(0xffffffe5; 0x1a), which is the product's
    // low half intersected with the range [0xffffffe5, 0xfffffff7] by the bounds sync.
    const x = tnumOr(tnumAnd(TNUM_UNKNOWN, tnumConst(2n)), tnumConst(1n));
    const y = tnumMul(x, tnumConst(3n));
    expect(formatTnum(y)).toBe('(0x1; 0xa)');
    const z = tnumSubreg(tnumMul(y, tnumConst(-3n)));
    expect(formatTnum(z)).toBe('(0xffffffc5; 0x3a)');
    expect(formatTnum(tnumIntersect(z, tnumRange(0xffffffe5n, 0xfffffff7n)))).toBe('(0xffffffe5; 0x1a)');
  });

  it('byte swaps match the kernel (be16 of [0,255], bswap16 and bswap32 of 0x3f00)', () => {
    expect(formatTnum(tnumBswap16({ value: 0n, mask: 0xffn }))).toBe('(0x0; 0xff00)');
    expect(formatTnum(tnumBswap32({ value: 0n, mask: 0xffn }))).toBe('(0x0; 0xff000000)');
    expect(formatTnum(tnumBswap64({ value: 0n, mask: 0xffn }))).toBe('(0x0; 0xff00000000000000)');
    expect(formatTnum(tnumBswap16({ value: 0n, mask: 0x3f00n }))).toBe('(0x0; 0x3f)');
    expect(formatTnum(tnumBswap32({ value: 0n, mask: 0x3f00n }))).toBe('(0x0; 0x3f0000)');
  });

  it('range, arsh and fls64 corner cases', () => {
    expect(tnumRange(256n, 496n)).toEqual({ value: 0x100n, mask: 0xffn });
    expect(tnumRange(BigInt.asUintN(64, -128n), M64)).toEqual({ value: BigInt.asUintN(64, -128n), mask: 0x7fn });
    expect(tnumArsh(tnumConst(-5n), 1, 64)).toEqual(tnumConst(-3n));
    expect(tnumArsh(tnumConst(0x80000000n), 4, 32)).toEqual(tnumConst(0xf8000000n));
    expect(fls64(0n)).toBe(0);
    expect(fls64(1n)).toBe(1);
    expect(fls64(M64)).toBe(64);
  });
});
