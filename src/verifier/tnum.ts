/**
 * Tracked numbers ("tnums") as the Linux 6.18 verifier keeps them for every scalar: a 64-bit
 * `value` and `mask`, where a bit set in `mask` is unknown and every other bit is known to equal
 * the same bit of `value` (invariant: `value & mask == 0`). Restated from kernel/bpf/tnum.c; every
 * operation wraps modulo 2^64 like the C original.
 *
 *   bit i:   mask=0,value=0 -> known 0    mask=0,value=1 -> known 1    mask=1 -> unknown (x)
 *
 * All quantities are `bigint` in [0, 2^64). This module is pure math (no verifier state), used by
 * src/verifier/scalar.ts and by the verifier core for pointer offsets and alignment.
 */

/** A tracked number: the set of u64 values `v` with `(v & ~mask) == value`. */
export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;

/** Wraps a bigint to u64 (the C `u64` conversion). */
export function u64(x: bigint): bigint {
  return BigInt.asUintN(64, x);
}

function mk(value: bigint, mask: bigint): Tnum {
  return { value, mask };
}

/** The completely unknown tnum `(0; 0xffffffffffffffff)` (tnum.c `tnum_unknown`). */
export const TNUM_UNKNOWN: Tnum = mk(0n, M64);

/** A known constant; `v` is taken mod 2^64 (tnum.c `tnum_const`). */
export function tnumConst(v: bigint): Tnum {
  return mk(u64(v), 0n);
}

/** Number of the highest set bit, 1-based, 0 for 0 (the kernel's `fls64`). */
export function fls64(x: bigint): number {
  const hi = Number(x >> 32n);
  if (hi !== 0) return 64 - Math.clz32(hi);
  return 32 - Math.clz32(Number(x & 0xffffffffn));
}

/** The smallest tnum holding every u64 in [min, max] (tnum.c `tnum_range`; unsigned bounds). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const lo = u64(min);
  const hi = u64(max);
  const bits = fls64(lo ^ hi);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return mk(lo & ~delta & M64, delta);
}

/** Logical left shift of both parts by `shift` (0..63), dropping bits above 2^64 (`tnum_lshift`). */
export function tnumLsh(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift & 63);
  return mk((a.value << s) & M64, (a.mask << s) & M64);
}

/** Logical right shift of both parts (`tnum_rshift`). */
export function tnumRsh(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift & 63);
  return mk(a.value >> s, a.mask >> s);
}

/**
 * Arithmetic right shift of both parts as 64- or 32-bit signed numbers (`tnum_arshift`); the
 * 32-bit form works on the low half and returns it zero-extended.
 */
export function tnumArsh(a: Tnum, shift: number, bits: 32 | 64): Tnum {
  if (bits === 32) {
    const s = BigInt(shift & 31);
    return mk(BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s), BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s));
  }
  const s = BigInt(shift & 63);
  return mk(u64(BigInt.asIntN(64, a.value) >> s), u64(BigInt.asIntN(64, a.mask) >> s));
}

/** Sum with carry uncertainty (`tnum_add`). */
export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return mk(sv & ~mu & M64, mu);
}

/** Difference with borrow uncertainty (`tnum_sub`). */
export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return mk(dv & ~mu & M64, mu);
}

/** Two's complement negation, `0 - a` (`tnum_neg`). */
export function tnumNeg(a: Tnum): Tnum {
  return tnumSub(mk(0n, 0n), a);
}

/** Bitwise and (`tnum_and`). */
export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return mk(v, alpha & beta & ~v & M64);
}

/** Bitwise or (`tnum_or`). */
export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return mk(v, mu & ~v & M64);
}

/** Bitwise xor (`tnum_xor`). */
export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return mk(v & ~mu & M64, mu);
}

/** The smallest tnum containing both `a` and `b` (`tnum_union`). */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const v = a.value & b.value;
  const mu = (a.value ^ b.value) | a.mask | b.mask;
  return mk(v & ~mu & M64, mu);
}

/**
 * Product by long multiplication over the bits of `a`: a known 1 adds `b`, an unknown bit takes
 * the union of adding and not adding it (`tnum_mul`, the 6.18 form).
 */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  let acc = mk(0n, 0n);
  let av = a.value;
  let am = a.mask;
  let bb = b;
  while (av !== 0n || am !== 0n) {
    if (av & 1n) acc = tnumAdd(acc, bb);
    else if (am & 1n) acc = tnumUnion(acc, tnumAdd(acc, bb));
    av >>= 1n;
    am >>= 1n;
    bb = tnumLsh(bb, 1);
  }
  return acc;
}

/**
 * Intersection of two tnums known to describe the same value (`tnum_intersect`); where they
 * disagree on a known bit the result has a known 1, as in the kernel.
 */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return mk(v & ~mu & M64, mu);
}

/** Keeps the low `bytes` bytes of both parts (`tnum_cast`). */
export function tnumCast(a: Tnum, bytes: number): Tnum {
  if (bytes >= 8) return a;
  const m = (1n << BigInt(bytes * 8)) - 1n;
  return mk(a.value & m, a.mask & m);
}

/** Whether every member of `a` is a multiple of `size` (`tnum_is_aligned`). */
export function tnumIsAligned(a: Tnum, size: bigint | number): boolean {
  const s = BigInt(size);
  if (s === 0n) return true;
  return ((a.value | a.mask) & (s - 1n)) === 0n;
}

/** Whether `b` is a subset of `a` (`tnum_in(a, b)`), as used by state pruning. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if (b.mask & ~a.mask) return false;
  return a.value === (b.value & ~a.mask);
}

/** Whether the tnum has no unknown bit (`tnum_is_const`). */
export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

/** Whether every bit is unknown (`tnum_is_unknown`). */
export function tnumIsUnknown(a: Tnum): boolean {
  return a.mask === M64;
}

/** Whether two tnums share at least one member (the known bits they both know agree). */
export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const known = ~(a.mask | b.mask) & M64;
  return (a.value & known) === (b.value & known);
}

/** The low 32 bits, zero-extended (`tnum_subreg`). */
export function tnumSubreg(a: Tnum): Tnum {
  return mk(a.value & M32, a.mask & M32);
}

/** Whether the low 32 bits are known (`tnum_subreg_is_const`). */
export function tnumSubregIsConst(a: Tnum): boolean {
  return (a.mask & M32) === 0n;
}

/** The high 32 bits kept in place, the low 32 bits known zero (`tnum_clear_subreg`). */
export function tnumClearSubreg(a: Tnum): Tnum {
  return tnumLsh(tnumRsh(a, 32), 32);
}

/** The high half of `reg` with the low half of `sub` (`tnum_with_subreg`). */
export function tnumWithSubreg(reg: Tnum, sub: Tnum): Tnum {
  return tnumOr(tnumClearSubreg(reg), tnumSubreg(sub));
}

/** The high half of `a` with the low half set to the constant `v` (`tnum_const_subreg`). */
export function tnumConstSubreg(a: Tnum, v: bigint): Tnum {
  return tnumWithSubreg(a, tnumConst(BigInt.asUintN(32, v)));
}

function swab(x: bigint, bytes: number): bigint {
  let r = 0n;
  for (let i = 0; i < bytes; i++) r = (r << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
  return r;
}

/** Swaps the two low bytes and clears the rest (`tnum_bswap16`, BPF_END 16). */
export function tnumBswap16(a: Tnum): Tnum {
  return mk(swab(a.value, 2), swab(a.mask, 2));
}

/** Reverses the four low bytes and clears the rest (`tnum_bswap32`). */
export function tnumBswap32(a: Tnum): Tnum {
  return mk(swab(a.value, 4), swab(a.mask, 4));
}

/** Reverses all eight bytes (`tnum_bswap64`). */
export function tnumBswap64(a: Tnum): Tnum {
  return mk(swab(a.value, 8), swab(a.mask, 8));
}

/**
 * The smallest member of `t` greater than `z`, clamped to [t.value, t.value|t.mask]
 * (`tnum_step`): `t.value` when `z` is below every member, the largest member when `z` is not
 * below it.
 */
export function tnumStep(t: Tnum, z: bigint): bigint {
  const tmax = t.value | t.mask;
  if (z >= tmax) return tmax;
  if (z < t.value) return t.value;
  // Members are t.value + s for submasks s of t.mask; find the smallest s above d = z - t.value
  // by incrementing d "inside the mask": non-mask positions are filled with 1s so the carry
  // ripples through them, and positions below d's highest non-mask 1 are filled too.
  const d = z - t.value;
  const carry = (1n << BigInt(fls64(d & ~t.mask & M64))) - 1n;
  const filled = d | carry | (~t.mask & M64);
  const inc = u64(filled + 1n) & t.mask;
  return t.value | inc;
}

/** The kernel's `tnum_strn` text, `(0x0; 0xff)` (hex with `0x`, also for zero). */
export function formatTnum(t: Tnum): string {
  return `(0x${t.value.toString(16)}; 0x${t.mask.toString(16)})`;
}
