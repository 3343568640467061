/**
 * Scalar register bounds as the Linux 6.18 verifier tracks them: a tnum plus signed/unsigned
 * 64-bit and 32-bit ranges (five views of one value), restated from kernel/bpf/verifier.c:
 * `reg_bounds_sync` (__update_reg_bounds with the tnum_step single-value rule,
 * __reg_deduce_bounds three times, __reg_bound_offset), `adjust_scalar_min_max_vals` and its
 * scalar{,32}_min_max_* helpers, `maybe_fork_scalars`, `scalar_byte_swap`,
 * `coerce_reg_to_size`/`coerce_{reg,subreg}_to_size_sx`, `zext_32_to_64`,
 * `is_scalar_branch_taken`, `regs_refine_cond_op`/`reg_set_min_max`,
 * `reg_bounds_sanity_check`, `range_within`, and the log's `print_scalar_ranges`.
 *
 * The target is the kernel this project runs on (6.18.44 with its stable backports), checked by
 * differential runs against it (test/verifier/scalar.test.ts replays its logs). Where that kernel
 * differs from what upstream source says, the measured behaviour wins and is commented
 * ("observed"): 64-bit movsx keeps an s32 range that already fits the narrow width.
 *
 * Representation: every field is a `bigint`; `umin/umax` in [0, 2^64), `smin/smax` in
 * [-2^63, 2^63), `u32min/u32max` in [0, 2^32), `s32min/s32max` in [-2^31, 2^31). Values are
 * immutable; each operation builds a new {@link Scalar}. Internally the kernel's C code is
 * mirrored on a mutable working copy ({@link Reg}) with explicit wrap-around, because the
 * kernel's exact (sometimes lossy) order of updates is what the log shows.
 *
 * Pure math: no register ids, no precision marks, no pointers (those are the caller's).
 */
import {
  type Tnum,
  TNUM_UNKNOWN,
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
  tnumWithSubreg,
  tnumXor,
  fls64,
} from './tnum.js';

/** A scalar's five views (struct bpf_reg_state's var_off and min/max fields). */
export interface Scalar {
  readonly var: Tnum;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly umin: bigint;
  readonly umax: bigint;
  readonly s32min: bigint;
  readonly s32max: bigint;
  readonly u32min: bigint;
  readonly u32max: bigint;
}

// --- opcodes (include/uapi/linux/bpf_common.h, bpf.h) ------------------------------------------
/** ALU operation codes (the `op` nibble of an ALU/ALU64 opcode). */
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;
/** Jump operation codes (the `op` nibble of a JMP/JMP32 opcode). */
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;
/** `BPF_JSET | BPF_X`: the kernel's internal code for "JSET not taken" (rev_opcode of JSET). */
const BPF_JSET_NOT = 0x48;

// --- fixed-width arithmetic ---------------------------------------------------------------------
const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = (1n << 32n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const S32_MIN = -(1n << 31n);
const S32_MAX = (1n << 31n) - 1n;

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** The kernel's mutable register bounds, mirrored while an operation runs. */
interface Reg {
  var: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: bigint;
  s32max: bigint;
  u32min: bigint;
  u32max: bigint;
}

const work = (s: Scalar): Reg => ({ ...s });
const freeze = (r: Reg): Scalar => ({
  var: r.var,
  smin: r.smin,
  smax: r.smax,
  umin: r.umin,
  umax: r.umax,
  s32min: r.s32min,
  s32max: r.s32max,
  u32min: r.u32min,
  u32max: r.u32max,
});

// --- marking (verifier.c ___mark_reg_known, __mark_reg_unbounded, __mark_reg_unknown) ---------
function markKnown(r: Reg, imm: bigint): void {
  const v = u64(imm);
  r.var = tnumConst(v);
  r.smin = r.smax = s64(v);
  r.umin = r.umax = v;
  r.s32min = r.s32max = s32(v);
  r.u32min = r.u32max = u32(v);
}

function markKnown32(r: Reg, imm: bigint): void {
  r.var = tnumConstSubreg(r.var, imm);
  r.s32min = r.s32max = s32(imm);
  r.u32min = r.u32max = u32(imm);
}

function mark64Unbounded(r: Reg): void {
  r.smin = S64_MIN;
  r.smax = S64_MAX;
  r.umin = 0n;
  r.umax = U64_MAX;
}

function mark32Unbounded(r: Reg): void {
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
  r.u32min = 0n;
  r.u32max = U32_MAX;
}

function markUnbounded(r: Reg): void {
  mark64Unbounded(r);
  mark32Unbounded(r);
}

function markUnknown(r: Reg): void {
  r.var = TNUM_UNKNOWN;
  markUnbounded(r);
}

/** A known constant `v` (taken mod 2^64) in all five views (`__mark_reg_known`). */
export function scalarConst(v: bigint): Scalar {
  const r = {} as Reg;
  markKnown(r, v);
  return freeze(r);
}

/** A completely unknown scalar, printed `scalar()` (`__mark_reg_unknown`). */
export function scalarUnknown(): Scalar {
  const r = {} as Reg;
  markUnknown(r);
  return freeze(r);
}

/** The scalars in the unsigned range [umin, umax], synced like any fresh bound. */
export function scalarRange(umin: bigint, umax: bigint): Scalar {
  const r = work(scalarUnknown());
  r.umin = u64(umin);
  r.umax = u64(umax);
  r.var = tnumRange(r.umin, r.umax);
  syncReg(r);
  return freeze(r);
}

/** A value loaded from unknown memory with a `bytes`-wide load, zero- or sign-extending (ldx/ldsx). */
export function scalarFromWidth(bytes: 1 | 2 | 4 | 8, signed: boolean): Scalar {
  if (bytes === 8) return scalarUnknown();
  return signed ? scalarCoerceSx(scalarUnknown(), bytes) : scalarCoerce(scalarUnknown(), bytes);
}

// --- reg_bounds_sync ---------------------------------------------------------------------------

function updateBounds32(r: Reg): void {
  const t = tnumSubreg(r.var);
  r.s32min = max(r.s32min, s32(t.value | (t.mask & 0x80000000n)));
  r.s32max = min(r.s32max, s32(t.value | (t.mask & 0x7fffffffn)));
  r.u32min = max(r.u32min, t.value);
  r.u32max = min(r.u32max, t.value | t.mask);
}

function updateBounds64(r: Reg): void {
  const t = r.var;
  r.smin = max(r.smin, s64(t.value | (t.mask & (1n << 63n))));
  r.smax = min(r.smax, s64(t.value | (t.mask & S64_MAX)));
  r.umin = max(r.umin, t.value);
  r.umax = min(r.umax, t.value | t.mask);
  // 6.18 stable ("Improve bounds when tnum has a single possible value"): when the u64 range
  // and the tnum have exactly one member in common, the register is that constant.
  const next = tnumStep(t, r.umin);
  const uminIn = (r.umin & ~t.mask & U64_MAX) === t.value;
  const tmax = t.value | t.mask;
  if (uminIn && next > r.umax) markKnown(r, r.umin);
  else if (!uminIn && next === tmax) markKnown(r, tmax);
  else if (!uminIn && next <= r.umax && tnumStep(t, next) > r.umax) markKnown(r, next);
}

function updateBounds(r: Reg): void {
  updateBounds32(r);
  updateBounds64(r);
}

/** (s32) of a u32 value, without allocating through BigInt.asIntN. */
const s32of = (x: bigint): bigint => (x >= 0x80000000n ? x - 0x100000000n : x);

function deduce32(r: Reg): void {
  // Only the 32-bit views change here, so the 64-bit halves are computed once.
  const uminHi = r.umin >> 32n;
  const umaxHi = r.umax >> 32n;
  const uminLo = r.umin & U32_MAX;
  const umaxLo = r.umax & U32_MAX;
  const sminHi = r.smin >> 32n;
  const smaxHi = r.smax >> 32n;
  const sminLo = r.smin & U32_MAX;
  const smaxLo = r.smax & U32_MAX;
  // The upper halves of the u64 (s64) range are equal: the low halves form a u32 (s32) range.
  if (uminHi === umaxHi) {
    r.u32min = max(r.u32min, uminLo);
    r.u32max = min(r.u32max, umaxLo);
    if (s32of(uminLo) <= s32of(umaxLo)) {
      r.s32min = max(r.s32min, s32of(uminLo));
      r.s32max = min(r.s32max, s32of(umaxLo));
    }
  }
  if (sminHi === smaxHi) {
    if (sminLo <= smaxLo) {
      r.u32min = max(r.u32min, sminLo);
      r.u32max = min(r.u32max, smaxLo);
    }
    if (s32of(sminLo) <= s32of(smaxLo)) {
      r.s32min = max(r.s32min, s32of(sminLo));
      r.s32max = min(r.s32max, s32of(smaxLo));
    }
  }
  // Upper halves are two consecutive numbers (mod 2^32) and the low halves go from negative to
  // positive.
  if (((uminHi + 1n) & U32_MAX) === (umaxHi & U32_MAX) && uminLo >= 0x80000000n && umaxLo < 0x80000000n) {
    r.s32min = max(r.s32min, s32of(uminLo));
    r.s32max = min(r.s32max, s32of(umaxLo));
  }
  if (((sminHi + 1n) & U32_MAX) === (smaxHi & U32_MAX) && sminLo >= 0x80000000n && smaxLo < 0x80000000n) {
    r.s32min = max(r.s32min, s32of(sminLo));
    r.s32max = min(r.s32max, s32of(smaxLo));
  }
  // A u32 range that does not cross the s32 sign boundary is an s32 range, and vice versa.
  if (s32of(r.u32min) <= s32of(r.u32max)) {
    r.s32min = max(r.s32min, s32of(r.u32min));
    r.s32max = min(r.s32max, s32of(r.u32max));
  }
  const s32minU = r.s32min & U32_MAX;
  const s32maxU = r.s32max & U32_MAX;
  if (s32minU <= s32maxU) {
    r.u32min = max(r.u32min, s32minU);
    r.u32max = min(r.u32max, s32maxU);
  } else if (r.u32max < s32minU) {
    // The s32 range wraps; the u32 range lies inside its non-negative part.
    r.s32min = s32of(r.u32min);
    r.u32max = min(r.u32max, s32maxU);
  } else if (s32maxU < r.u32min) {
    // ... inside its negative part.
    r.s32max = s32of(r.u32max);
    r.u32min = max(r.u32min, s32minU);
  }
}

function deduce64(r: Reg): void {
  if (s64(r.umin) <= s64(r.umax)) {
    r.smin = max(r.smin, s64(r.umin));
    r.smax = min(r.smax, s64(r.umax));
  }
  if (u64(r.smin) <= u64(r.smax)) {
    r.umin = max(r.umin, u64(r.smin));
    r.umax = min(r.umax, u64(r.smax));
  } else if (r.umax < u64(r.smin)) {
    r.smin = s64(r.umin);
    r.umax = min(r.umax, u64(r.smax));
  } else if (u64(r.smax) < r.umin) {
    r.smax = s64(r.umax);
    r.umin = max(r.umin, u64(r.smin));
  }
}

function deduceMixed(r: Reg): void {
  // Replace the low halves of the 64-bit bounds by the u32 bounds when that tightens them.
  // `x & ~0xffffffff` on a signed bigint keeps its sign, like the C code on s64.
  const newUmin = (r.umin & ~U32_MAX) | r.u32min;
  const newUmax = (r.umax & ~U32_MAX) | r.u32max;
  r.umin = max(r.umin, newUmin);
  r.umax = min(r.umax, newUmax);
  const newSmin = (r.smin & ~U32_MAX) | r.u32min;
  const newSmax = (r.smax & ~U32_MAX) | r.u32max;
  r.smin = max(r.smin, newSmin);
  r.smax = min(r.smax, newSmax);
  // After a sign-extending load: the s64 range fits s32 and the s32 range is non-negative.
  if (r.s32min >= 0n && r.smin >= S32_MIN && r.smax <= S32_MAX) {
    r.smin = r.s32min;
    r.smax = r.s32max;
    r.umin = r.s32min;
    r.umax = r.s32max;
    r.var = tnumIntersect(r.var, tnumRange(r.smin, r.smax));
  }
}

function deduceBounds(r: Reg): void {
  deduce32(r);
  deduce64(r);
  deduceMixed(r);
}

function boundOffset(r: Reg): void {
  const var64 = tnumIntersect(r.var, tnumRange(r.umin, r.umax));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(r.u32min, r.u32max));
  r.var = tnumOr(tnumClearSubreg(var64), var32);
}

function syncReg(r: Reg): void {
  updateBounds(r);
  // Three rounds in 6.18 (the s64/s32 sign-boundary deductions feed each other); measured
  // against 6.18.44: a two-round sync leaves e.g. umin32 looser than the kernel prints.
  deduceBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  boundOffset(r);
  updateBounds(r);
}

/**
 * The kernel's `reg_bounds_sanity_check` message for inconsistent views, or null when the views
 * agree (min <= max everywhere and a constant tnum matches its ranges).
 */
export function scalarSanityCheck(s: Scalar): string | null {
  if (s.umin > s.umax || s.smin > s.smax || s.u32min > s.u32max || s.s32min > s.s32max) {
    return 'range bounds violation';
  }
  if (tnumIsConst(s.var)) {
    const uv = s.var.value;
    if (s.umin !== uv || s.umax !== uv || s.smin !== s64(uv) || s.smax !== s64(uv)) {
      return 'const tnum out of sync with range bounds';
    }
  }
  if (tnumSubregIsConst(s.var)) {
    const uv = s.var.value & U32_MAX;
    if (s.u32min !== uv || s.u32max !== uv || s.s32min !== s32(uv) || s.s32max !== s32(uv)) {
      return 'const subreg tnum out of sync with range bounds';
    }
  }
  return null;
}

/** The same tnum with all four ranges reset to their widest (`__mark_reg_unbounded`). */
export function scalarMarkUnbounded(s: Scalar): Scalar {
  const r = work(s);
  markUnbounded(r);
  return freeze(r);
}

/** `reg_bounds_sync` applied to a copy; null when the synced views are inconsistent (infeasible). */
export function boundsSync(s: Scalar): Scalar | null {
  const r = work(s);
  syncReg(r);
  const out = freeze(r);
  return scalarSanityCheck(out) === null ? out : null;
}

/** `reg_bounds_sync` applied to a copy, with no consistency check (what the kernel stores). */
export function boundsSyncRaw(s: Scalar): Scalar {
  const r = work(s);
  syncReg(r);
  return freeze(r);
}

// --- zero extension and truncation -------------------------------------------------------------

function assign32Into64(r: Reg): void {
  r.umin = r.u32min;
  r.umax = r.u32max;
  if (r.s32min >= 0n && r.s32max >= 0n) {
    r.smin = r.s32min;
    r.smax = r.s32max;
  } else {
    r.smin = 0n;
    r.smax = U32_MAX;
  }
}

function zext32(r: Reg): void {
  r.var = tnumSubreg(r.var);
  assign32Into64(r);
}

/** The low 32 bits zero-extended, as after any 32-bit ALU op (`zext_32_to_64`, then synced). */
export function scalarZext32(s: Scalar): Scalar {
  const r = work(s);
  zext32(r);
  syncReg(r);
  return freeze(r);
}

function coerceToSize(r: Reg, size: number): void {
  r.var = tnumCast(r.var, size);
  const mask = (1n << BigInt(size * 8)) - 1n;
  if ((r.umin & ~mask) === (r.umax & ~mask)) {
    r.umin &= mask;
    r.umax &= mask;
  } else {
    r.umin = 0n;
    r.umax = mask;
  }
  r.smin = r.umin;
  r.smax = r.umax;
  if (size < 4) mark32Unbounded(r);
  syncReg(r);
}

/** Truncation to `bytes` bytes with zero extension, as for a narrow load (`coerce_reg_to_size`). */
export function scalarCoerce(s: Scalar, bytes: 1 | 2 | 4): Scalar {
  const r = work(s);
  coerceToSize(r, bytes);
  return freeze(r);
}

function sext(v: bigint, bytes: number): bigint {
  return BigInt.asIntN(bytes * 8, v);
}

function coerceToSizeSx(r: Reg, size: number): void {
  if (tnumIsConst(r.var)) {
    markKnown(r, sext(r.var.value, size));
    return;
  }
  const bits = BigInt(size * 8);
  const topMax = (u64(r.smax) >> bits) << bits;
  const topMin = (u64(r.smin) >> bits) << bits;
  if (topMax === topMin) {
    const a = sext(r.smax, size);
    const b = sext(r.smin, size);
    const hi = max(a, b);
    const lo = min(a, b);
    if (hi >= 0n === lo >= 0n) {
      r.smin = r.s32min = lo;
      r.smax = r.s32max = hi;
      r.umin = u64(lo);
      r.u32min = u32(lo);
      r.umax = u64(hi);
      r.u32max = u32(hi);
      r.var = tnumRange(lo, hi);
      return;
    }
  }
  const lim = 1n << (bits - 1n);
  if (r.s32min >= -lim && r.s32max <= lim - 1n) {
    // 6.18.44 (observed, not in upstream's coerce_reg_to_size_sx): when the s32 range already
    // fits the narrow signed width, sign extension keeps it; the u32 range stays, the 64-bit
    // signed range becomes the s32 one and everything else is re-derived. (s8) of s32 [-5,5]
    // with u32 [3, 0xffffffff] gives smin=smin32=-5,smax=smax32=5,umin=umin32=3.
    r.smin = r.s32min;
    r.smax = r.s32max;
    r.umin = 0n;
    r.umax = U64_MAX;
    r.var = TNUM_UNKNOWN;
    syncReg(r);
    return;
  }
  // set_sext64_default_val
  r.smin = r.s32min = -lim;
  r.smax = r.s32max = lim - 1n;
  r.umin = r.u32min = 0n;
  r.umax = U64_MAX;
  r.u32max = U32_MAX;
  r.var = TNUM_UNKNOWN;
}

/**
 * Sign extension of the low `bytes` bytes to 64 bits, as for ldsx and 64-bit movsx
 * (`coerce_reg_to_size_sx`; the kernel does not re-sync afterwards).
 */
export function scalarCoerceSx(s: Scalar, bytes: 1 | 2 | 4): Scalar {
  const r = work(s);
  coerceToSizeSx(r, bytes);
  return freeze(r);
}

function coerceSubregToSizeSx(r: Reg, size: number): void {
  if (tnumIsConst(r.var)) {
    const v = sext(r.var.value, size);
    r.var = tnumConst(v);
    r.s32min = r.s32max = s32(v);
    r.u32min = r.u32max = u32(v);
    return;
  }
  const bits = BigInt(size * 8);
  const topMax = (u32(r.s32max) >> bits) << bits;
  const topMin = (u32(r.s32min) >> bits) << bits;
  if (topMax === topMin) {
    const a = sext(r.s32max, size);
    const b = sext(r.s32min, size);
    const hi = max(a, b);
    const lo = min(a, b);
    if (lo >= 0n === hi >= 0n) {
      r.s32min = lo;
      r.s32max = hi;
      r.u32min = u32(lo);
      r.u32max = u32(hi);
      r.var = tnumSubreg(tnumRange(lo, hi));
      return;
    }
  }
  const lim = 1n << (bits - 1n);
  r.s32min = -lim;
  r.s32max = lim - 1n;
  r.u32min = 0n;
  r.u32max = U32_MAX;
  r.var = tnumSubreg(TNUM_UNKNOWN);
}

/**
 * Sign extension of the low `bytes` bytes into the 32-bit subregister, zero-extended to 64 bits
 * and synced: the result of `w = (s8)w` / `w = (s16)w` (`coerce_subreg_to_size_sx`).
 */
export function scalarCoerceSubregSx(s: Scalar, bytes: 1 | 2): Scalar {
  const r = work(s);
  coerceSubregToSizeSx(r, bytes);
  zext32(r);
  syncReg(r);
  return freeze(r);
}

// --- ALU ---------------------------------------------------------------------------------------

function isConstFor(src: Reg, is64: boolean): boolean {
  if (is64) return tnumIsConst(src.var) && src.smin === src.smax && src.umin === src.umax;
  return tnumSubregIsConst(src.var) && src.s32min === src.s32max && src.u32min === src.u32max;
}

/** `is_safe_to_compute_dst_reg_range`: div/mod never, shifts only by a known in-range amount. */
function safeToCompute(op: number, src: Reg, is64: boolean): boolean {
  switch (op) {
    case BPF_ADD:
    case BPF_SUB:
    case BPF_NEG:
    case BPF_AND:
    case BPF_XOR:
    case BPF_OR:
    case BPF_MUL:
    case BPF_END:
      return true;
    case BPF_LSH:
    case BPF_RSH:
    case BPF_ARSH:
      return isConstFor(src, is64) && src.umax < (is64 ? 64n : 32n);
    default:
      return false;
  }
}

function add32(d: Reg, s: Reg): void {
  const a = d.s32min + s.s32min;
  const b = d.s32max + s.s32max;
  if (a !== s32(a) || b !== s32(b)) {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  } else {
    d.s32min = a;
    d.s32max = b;
  }
  const lo = d.u32min + s.u32min;
  const hi = d.u32max + s.u32max;
  const loOv = lo > U32_MAX;
  const hiOv = hi > U32_MAX;
  if (!loOv && hiOv) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  } else {
    d.u32min = u32(lo);
    d.u32max = u32(hi);
  }
}

function add64(d: Reg, s: Reg): void {
  const a = d.smin + s.smin;
  const b = d.smax + s.smax;
  if (a !== s64(a) || b !== s64(b)) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = a;
    d.smax = b;
  }
  const lo = d.umin + s.umin;
  const hi = d.umax + s.umax;
  if (lo <= U64_MAX && hi > U64_MAX) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = u64(lo);
    d.umax = u64(hi);
  }
}

function sub32(d: Reg, s: Reg): void {
  const a = d.s32min - s.s32max;
  const b = d.s32max - s.s32min;
  if (a !== s32(a) || b !== s32(b)) {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  } else {
    d.s32min = a;
    d.s32max = b;
  }
  const lo = d.u32min - s.u32max;
  const hi = d.u32max - s.u32min;
  if (lo < 0n && hi >= 0n) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  } else {
    d.u32min = u32(lo);
    d.u32max = u32(hi);
  }
}

function sub64(d: Reg, s: Reg): void {
  const a = d.smin - s.smax;
  const b = d.smax - s.smin;
  if (a !== s64(a) || b !== s64(b)) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = a;
    d.smax = b;
  }
  const lo = d.umin - s.umax;
  const hi = d.umax - s.umin;
  if (lo < 0n && hi >= 0n) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = u64(lo);
    d.umax = u64(hi);
  }
}

function mul32(d: Reg, s: Reg): void {
  const hi = d.u32max * s.u32max;
  const lo = d.u32min * s.u32min;
  if (hi > U32_MAX || lo > U32_MAX) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  } else {
    d.u32min = lo;
    d.u32max = hi;
  }
  const p = [d.s32min * s.s32min, d.s32min * s.s32max, d.s32max * s.s32min, d.s32max * s.s32max];
  if (p.some((x) => x !== s32(x))) {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  } else {
    d.s32min = p.reduce(min);
    d.s32max = p.reduce(max);
  }
}

function mul64(d: Reg, s: Reg): void {
  const hi = d.umax * s.umax;
  const lo = d.umin * s.umin;
  if (hi > U64_MAX || lo > U64_MAX) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = lo;
    d.umax = hi;
  }
  const p = [d.smin * s.smin, d.smin * s.smax, d.smax * s.smin, d.smax * s.smax];
  if (p.some((x) => x !== s64(x))) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = p.reduce(min);
    d.smax = p.reduce(max);
  }
}

/** s32 bounds from u32 bounds when they do not cross the sign boundary, else unbounded. */
function s32FromU32(d: Reg): void {
  if (s32(d.u32min) <= s32(d.u32max)) {
    d.s32min = s32(d.u32min);
    d.s32max = s32(d.u32max);
  } else {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  }
}

function s64FromU64(d: Reg): void {
  if (s64(d.umin) <= s64(d.umax)) {
    d.smin = s64(d.umin);
    d.smax = s64(d.umax);
  } else {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  }
}

function and32(d: Reg, s: Reg): void {
  const t = tnumSubreg(d.var);
  if (tnumSubregIsConst(s.var) && tnumSubregIsConst(d.var)) {
    markKnown32(d, t.value);
    return;
  }
  d.u32min = t.value;
  d.u32max = min(d.u32max, s.u32max);
  s32FromU32(d);
}

function and64(d: Reg, s: Reg): void {
  if (tnumIsConst(s.var) && tnumIsConst(d.var)) {
    markKnown(d, d.var.value);
    return;
  }
  d.umin = d.var.value;
  d.umax = min(d.umax, s.umax);
  s64FromU64(d);
  updateBounds(d);
}

function or32(d: Reg, s: Reg): void {
  const t = tnumSubreg(d.var);
  if (tnumSubregIsConst(s.var) && tnumSubregIsConst(d.var)) {
    markKnown32(d, t.value);
    return;
  }
  d.u32min = max(d.u32min, s.u32min);
  d.u32max = t.value | t.mask;
  s32FromU32(d);
}

function or64(d: Reg, s: Reg): void {
  if (tnumIsConst(s.var) && tnumIsConst(d.var)) {
    markKnown(d, d.var.value);
    return;
  }
  d.umin = max(d.umin, s.umin);
  d.umax = d.var.value | d.var.mask;
  s64FromU64(d);
  updateBounds(d);
}

function xor32(d: Reg, s: Reg): void {
  const t = tnumSubreg(d.var);
  if (tnumSubregIsConst(s.var) && tnumSubregIsConst(d.var)) {
    markKnown32(d, t.value);
    return;
  }
  d.u32min = t.value;
  d.u32max = t.value | t.mask;
  s32FromU32(d);
}

function xor64(d: Reg, s: Reg): void {
  if (tnumIsConst(s.var) && tnumIsConst(d.var)) {
    markKnown(d, d.var.value);
    return;
  }
  d.umin = d.var.value;
  d.umax = d.var.value | d.var.mask;
  s64FromU64(d);
  updateBounds(d);
}

function lsh32Bounds(d: Reg, umin: bigint, umax: bigint): void {
  d.s32min = S32_MIN;
  d.s32max = S32_MAX;
  if (umax > 31n || d.u32max > 1n << (31n - umax)) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  } else {
    d.u32min = u32(d.u32min << umin);
    d.u32max = u32(d.u32max << umax);
  }
}

function lsh64Bounds(d: Reg, umin: bigint, umax: bigint): void {
  // `<<32` moves the s32 range into the upper half (the compiler's `<<32 s>>32` sign-extension
  // idiom); 6.18.44 does this for negative ranges too (`w1` in [-5,5], `r1 <<= 32` gives
  // smin=0xfffffffb00000000,smax=0x500000000).
  const by32 = umin === 32n && umax === 32n;
  d.smax = by32 ? d.s32max << 32n : S64_MAX;
  d.smin = by32 ? d.s32min << 32n : S64_MIN;
  if (d.umax > 1n << (63n - umax)) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = u64(d.umin << umin);
    d.umax = u64(d.umax << umax);
  }
}

function lsh32(d: Reg, s: Reg): void {
  const sub = tnumSubreg(d.var);
  lsh32Bounds(d, s.u32min, s.u32max);
  d.var = tnumSubreg(tnumLsh(sub, Number(s.u32min)));
  mark64Unbounded(d);
  updateBounds32(d);
}

function lsh64(d: Reg, s: Reg): void {
  lsh64Bounds(d, s.umin, s.umax);
  lsh32Bounds(d, s.umin, s.umax);
  d.var = tnumLsh(d.var, Number(s.umin));
  updateBounds(d);
}

function rsh32(d: Reg, s: Reg): void {
  const sub = tnumSubreg(d.var);
  d.s32min = S32_MIN;
  d.s32max = S32_MAX;
  d.var = tnumRsh(sub, Number(s.u32min));
  d.u32min >>= s.u32max;
  d.u32max >>= s.u32min;
  mark64Unbounded(d);
  updateBounds32(d);
}

function rsh64(d: Reg, s: Reg): void {
  d.smin = S64_MIN;
  d.smax = S64_MAX;
  d.var = tnumRsh(d.var, Number(s.umin));
  d.umin >>= s.umax;
  d.umax >>= s.umin;
  mark32Unbounded(d);
  updateBounds(d);
}

function arsh32(d: Reg, s: Reg): void {
  const sh = s.u32min;
  d.s32min = d.s32min >> sh;
  d.s32max = d.s32max >> sh;
  d.var = tnumArsh(tnumSubreg(d.var), Number(sh), 32);
  d.u32min = 0n;
  d.u32max = U32_MAX;
  mark64Unbounded(d);
  updateBounds32(d);
}

function arsh64(d: Reg, s: Reg): void {
  const sh = s.umin;
  d.smin >>= sh;
  d.smax >>= sh;
  d.var = tnumArsh(d.var, Number(sh), 64);
  d.umin = 0n;
  d.umax = U64_MAX;
  mark32Unbounded(d);
  updateBounds(d);
}

/**
 * The scalar result of `dst OP= src` (`adjust_scalar_min_max_vals`, and for MOV the bounds part
 * of `check_alu_op`). `op` is the ALU op nibble (BPF_ADD ... BPF_ARSH); `is64` selects ALU64; `off`
 * is the instruction's offset field (1 = sdiv/smod, 8/16/32 = movsx). For an immediate source
 * pass `scalarConst(BigInt(imm))` (sign-extended imm, as the kernel does). A 32-bit op yields the
 * zero-extended 64-bit result. div/mod and shifts by an unknown or out-of-range amount give an
 * unknown scalar, as in the kernel. NEG ignores `src`; for END use {@link scalarEnd}. For
 * AND/OR by a constant call {@link maybeForkScalars} first (the kernel may split the path).
 */
export function scalarAlu(op: number, dst: Scalar, src: Scalar, is64: boolean, off = 0): Scalar {
  if (op === BPF_MOV) return scalarMov(dst, src, is64, off);
  const d = work(dst);
  const s = op === BPF_NEG ? work(dst) : work(src);
  if (!safeToCompute(op, s, is64)) {
    markUnknown(d);
    return freeze(d);
  }
  switch (op) {
    case BPF_ADD:
      add32(d, s);
      add64(d, s);
      d.var = tnumAdd(d.var, s.var);
      break;
    case BPF_SUB:
      sub32(d, s);
      sub64(d, s);
      d.var = tnumSub(d.var, s.var);
      break;
    case BPF_NEG: {
      markKnown(d, 0n);
      sub32(d, s);
      sub64(d, s);
      d.var = tnumNeg(s.var);
      break;
    }
    case BPF_MUL:
      d.var = tnumMul(d.var, s.var);
      mul32(d, s);
      mul64(d, s);
      break;
    case BPF_AND:
      d.var = tnumAnd(d.var, s.var);
      and32(d, s);
      and64(d, s);
      break;
    case BPF_OR:
      d.var = tnumOr(d.var, s.var);
      or32(d, s);
      or64(d, s);
      break;
    case BPF_XOR:
      d.var = tnumXor(d.var, s.var);
      xor32(d, s);
      xor64(d, s);
      break;
    case BPF_LSH:
      if (is64) lsh64(d, s);
      else lsh32(d, s);
      break;
    case BPF_RSH:
      if (is64) rsh64(d, s);
      else rsh32(d, s);
      break;
    case BPF_ARSH:
      if (is64) arsh64(d, s);
      else arsh32(d, s);
      break;
    default:
      break;
  }
  if (!is64) zext32(d);
  syncReg(d);
  return freeze(d);
}

/**
 * `maybe_fork_scalars` (6.18.44, before BPF_AND/BPF_OR with a constant source, `src.var` fully
 * known): when the destination's s64 range is exactly [-1, 0] (else its s32 range), the kernel
 * splits the path. It pushes a state that re-executes the *same* instruction with the destination
 * set to 0 (`from 4 to 4: R9=0` in the log) and continues the current path with -1. Returns the
 * two destination values *before* the op (`cur` to feed {@link scalarAlu} now, `pushed` for the
 * pushed state), or null when there is no fork. The s32 case sets only the low half (the 64-bit
 * ranges are left as they were, as `__mark_reg32_known` does).
 */
export function maybeForkScalars(op: number, dst: Scalar, src: Scalar): { cur: Scalar; pushed: Scalar } | null {
  if ((op !== BPF_AND && op !== BPF_OR) || !tnumIsConst(src.var)) return null;
  const cur = work(dst);
  const pushed = work(dst);
  if (dst.smin === -1n && dst.smax === 0n) {
    markKnown(pushed, 0n);
    markKnown(cur, -1n);
  } else if (dst.s32min === -1n && dst.s32max === 0n) {
    markKnown32(pushed, 0n);
    markKnown32(cur, U32_MAX);
  } else {
    return null;
  }
  return { cur: freeze(cur), pushed: freeze(pushed) };
}

/**
 * `dst = src` and its movsx forms (`check_alu_op` BPF_MOV|BPF_X): 64-bit copy; 32-bit copy with
 * zero extension; movsx 8/16/32 (64-bit) and 8/16 (32-bit) sign-extend. Ids are the caller's.
 */
export function scalarMov(_dst: Scalar, src: Scalar, is64: boolean, off = 0): Scalar {
  const r = work(src);
  if (is64) {
    if (off === 0) return src;
    coerceToSizeSx(r, off >> 3);
    return freeze(r);
  }
  if (off !== 0) coerceSubregToSizeSx(r, off >> 3);
  zext32(r);
  syncReg(r);
  return freeze(r);
}

/**
 * Byte swap (`scalar_byte_swap`): `le`/`be` (class ALU) swap only when the target order differs
 * from the host (x86-64 is little-endian, so `be` swaps and `le` only truncates); `bswap` (class
 * ALU64) always swaps. 16- and 32-bit forms truncate to that width.
 */
export function scalarEnd(op: 'le' | 'be' | 'bswap', bits: 16 | 32 | 64, s: Scalar): Scalar {
  const r = work(s);
  if (op !== 'le') {
    r.var = bits === 16 ? tnumBswap16(r.var) : bits === 32 ? tnumBswap32(r.var) : tnumBswap64(r.var);
    markUnbounded(r);
  }
  if (bits !== 64) coerceToSize(r, bits / 8);
  syncReg(r);
  return freeze(r);
}

/** `zext` in the kernel's sense for 32-bit results: alias of {@link scalarZext32} kept for the core. */
export const scalarZext = scalarZext32;

// --- conditional jumps -------------------------------------------------------------------------

interface View {
  t: Tnum;
  umin: bigint;
  umax: bigint;
  smin: bigint;
  smax: bigint;
}

function view(r: Scalar, is32: boolean): View {
  return is32
    ? { t: tnumSubreg(r.var), umin: r.u32min, umax: r.u32max, smin: r.s32min, smax: r.s32max }
    : { t: r.var, umin: r.umin, umax: r.umax, smin: r.smin, smax: r.smax };
}

function isConstIn(r: Scalar, is32: boolean): boolean {
  return is32 ? tnumSubregIsConst(r.var) : tnumIsConst(r.var);
}

/**
 * Whether `if a OP b` is always taken (1), never (0) or undecided (-1) for two scalars
 * (`is_scalar_branch_taken`); `is32` selects JMP32 (compares the 32-bit views).
 */
export function isBranchTaken(jmpOp: number, a: Scalar, b: Scalar, is32: boolean): 1 | 0 | -1 {
  const x = view(a, is32);
  const y = view(b, is32);
  switch (jmpOp) {
    case BPF_JEQ:
    case BPF_JNE: {
      const eq = jmpOp === BPF_JEQ;
      if (tnumIsConst(x.t) && tnumIsConst(y.t)) return (x.t.value === y.t.value) === eq ? 1 : 0;
      const never = eq ? 0 : 1;
      if (x.umin > y.umax || x.umax < y.umin) return never;
      if (x.smin > y.smax || x.smax < y.smin) return never;
      if (!is32) {
        if (a.u32min > b.u32max || a.u32max < b.u32min) return never;
        if (a.s32min > b.s32max || a.s32max < b.s32min) return never;
      }
      // Known bits that disagree: no common value.
      if (!tnumOverlap(x.t, y.t)) return never;
      return -1;
    }
    case BPF_JSET: {
      let p = a;
      let q = b;
      let tp = x.t;
      let tq = y.t;
      if (!isConstIn(q, is32)) {
        [p, q] = [q, p];
        [tp, tq] = [tq, tp];
      }
      if (!isConstIn(q, is32)) return -1;
      if (~tp.mask & tp.value & tq.value) return 1;
      if (!((tp.mask | tp.value) & tq.value)) return 0;
      return -1;
    }
    case BPF_JGT:
      if (x.umin > y.umax) return 1;
      if (x.umax <= y.umin) return 0;
      return -1;
    case BPF_JSGT:
      if (x.smin > y.smax) return 1;
      if (x.smax <= y.smin) return 0;
      return -1;
    case BPF_JLT:
      if (x.umax < y.umin) return 1;
      if (x.umin >= y.umax) return 0;
      return -1;
    case BPF_JSLT:
      if (x.smax < y.smin) return 1;
      if (x.smin >= y.smax) return 0;
      return -1;
    case BPF_JGE:
      if (x.umin >= y.umax) return 1;
      if (x.umax < y.umin) return 0;
      return -1;
    case BPF_JSGE:
      if (x.smin >= y.smax) return 1;
      if (x.smax < y.smin) return 0;
      return -1;
    case BPF_JLE:
      if (x.umax <= y.umin) return 1;
      if (x.umin > y.umax) return 0;
      return -1;
    case BPF_JSLE:
      if (x.smax <= y.smin) return 1;
      if (x.smin > y.smax) return 0;
      return -1;
    default:
      return -1;
  }
}

/** The op that holds on the other branch (`rev_opcode`). */
function revOp(op: number): number {
  switch (op) {
    case BPF_JEQ:
      return BPF_JNE;
    case BPF_JNE:
      return BPF_JEQ;
    case BPF_JSET:
      return BPF_JSET_NOT;
    case BPF_JSET_NOT:
      return BPF_JSET;
    case BPF_JGT:
      return BPF_JLE;
    case BPF_JLE:
      return BPF_JGT;
    case BPF_JGE:
      return BPF_JLT;
    case BPF_JLT:
      return BPF_JGE;
    case BPF_JSGT:
      return BPF_JSLE;
    case BPF_JSLE:
      return BPF_JSGT;
    case BPF_JSGE:
      return BPF_JSLT;
    case BPF_JSLT:
      return BPF_JSGE;
    default:
      return op;
  }
}

/** The op with its operands swapped (`flip_opcode`). */
function flipOp(op: number): number {
  switch (op) {
    case BPF_JGT:
      return BPF_JLT;
    case BPF_JLT:
      return BPF_JGT;
    case BPF_JGE:
      return BPF_JLE;
    case BPF_JLE:
      return BPF_JGE;
    case BPF_JSGT:
      return BPF_JSLT;
    case BPF_JSLT:
      return BPF_JSGT;
    case BPF_JSGE:
      return BPF_JSLE;
    case BPF_JSLE:
      return BPF_JSGE;
    default:
      return op;
  }
}

function isRegConst(r: Reg, is32: boolean): boolean {
  return is32 ? tnumSubregIsConst(r.var) : tnumIsConst(r.var);
}

/** `regs_refine_cond_op`: narrows r1 and r2 (in place) so that `r1 OP r2` holds. */
function refine(r1: Reg, r2: Reg, opIn: number, is32: boolean): void {
  let op = opIn;
  if (op === BPF_JGE || op === BPF_JGT || op === BPF_JSGE || op === BPF_JSGT) {
    op = flipOp(op);
    [r1, r2] = [r2, r1];
  }
  switch (op) {
    case BPF_JEQ:
      if (is32) {
        r1.u32min = max(r1.u32min, r2.u32min);
        r1.u32max = min(r1.u32max, r2.u32max);
        r1.s32min = max(r1.s32min, r2.s32min);
        r1.s32max = min(r1.s32max, r2.s32max);
        r2.u32min = r1.u32min;
        r2.u32max = r1.u32max;
        r2.s32min = r1.s32min;
        r2.s32max = r1.s32max;
        const t = tnumIntersect(tnumSubreg(r1.var), tnumSubreg(r2.var));
        r1.var = tnumWithSubreg(r1.var, t);
        r2.var = tnumWithSubreg(r2.var, t);
      } else {
        r1.umin = max(r1.umin, r2.umin);
        r1.umax = min(r1.umax, r2.umax);
        r1.smin = max(r1.smin, r2.smin);
        r1.smax = min(r1.smax, r2.smax);
        r2.umin = r1.umin;
        r2.umax = r1.umax;
        r2.smin = r1.smin;
        r2.smax = r1.smax;
        r1.var = tnumIntersect(r1.var, r2.var);
        r2.var = r1.var;
      }
      break;
    case BPF_JNE: {
      if (!isRegConst(r2, is32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, is32)) break;
      const val = is32 ? r2.var.value & U32_MAX : r2.var.value;
      // Shave a bound that equals the constant (wrapping like the C ++/--).
      if (is32) {
        if (r1.u32min === val) r1.u32min = u32(r1.u32min + 1n);
        if (r1.u32max === val) r1.u32max = u32(r1.u32max - 1n);
        if (r1.s32min === s32(val)) r1.s32min = s32(r1.s32min + 1n);
        if (r1.s32max === s32(val)) r1.s32max = s32(r1.s32max - 1n);
      } else {
        if (r1.umin === val) r1.umin = u64(r1.umin + 1n);
        if (r1.umax === val) r1.umax = u64(r1.umax - 1n);
        if (r1.smin === s64(val)) r1.smin = s64(r1.smin + 1n);
        if (r1.smax === s64(val)) r1.smax = s64(r1.smax - 1n);
      }
      break;
    }
    case BPF_JSET: {
      if (!isRegConst(r2, is32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, is32)) break;
      const val = is32 ? r2.var.value & U32_MAX : r2.var.value;
      // Only a single-bit mask teaches which bit is set.
      if (val === 0n || (val & (val - 1n)) !== 0n) break;
      if (is32) r1.var = tnumWithSubreg(r1.var, tnumOr(tnumSubreg(r1.var), tnumConst(val)));
      else r1.var = tnumOr(r1.var, tnumConst(val));
      break;
    }
    case BPF_JSET_NOT: {
      if (!isRegConst(r2, is32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, is32)) break;
      const val = is32 ? r2.var.value & U32_MAX : r2.var.value;
      // The kernel forgets the ranges before narrowing the tnum (avoids invariant violations on
      // dead branches); the sync that follows rebuilds them from the tnum.
      markUnbounded(r1);
      if (is32) r1.var = tnumWithSubreg(r1.var, tnumAnd(tnumSubreg(r1.var), tnumConst(~val)));
      else r1.var = tnumAnd(r1.var, tnumConst(~val));
      break;
    }
    case BPF_JLE:
      if (is32) {
        r1.u32max = min(r1.u32max, r2.u32max);
        r2.u32min = max(r1.u32min, r2.u32min);
      } else {
        r1.umax = min(r1.umax, r2.umax);
        r2.umin = max(r1.umin, r2.umin);
      }
      break;
    case BPF_JLT:
      if (is32) {
        r1.u32max = min(r1.u32max, u32(r2.u32max - 1n));
        r2.u32min = max(u32(r1.u32min + 1n), r2.u32min);
      } else {
        r1.umax = min(r1.umax, u64(r2.umax - 1n));
        r2.umin = max(u64(r1.umin + 1n), r2.umin);
      }
      break;
    case BPF_JSLE:
      if (is32) {
        r1.s32max = min(r1.s32max, r2.s32max);
        r2.s32min = max(r1.s32min, r2.s32min);
      } else {
        r1.smax = min(r1.smax, r2.smax);
        r2.smin = max(r1.smin, r2.smin);
      }
      break;
    case BPF_JSLT:
      if (is32) {
        r1.s32max = min(r1.s32max, s32(r2.s32max - 1n));
        r2.s32min = max(s32(r1.s32min + 1n), r2.s32min);
      } else {
        r1.smax = min(r1.smax, s64(r2.smax - 1n));
        r2.smin = max(s64(r1.smin + 1n), r2.smin);
      }
      break;
    default:
      break;
  }
}

/** What `reg_set_min_max` leaves on both sides of an undecided `if a OP b`. */
export interface BranchRegs {
  /** (dst, src) on the taken side (the pushed branch). */
  readonly taken: readonly [Scalar, Scalar];
  /** (dst, src) on the fall-through side. */
  readonly fallThrough: readonly [Scalar, Scalar];
  /** The `verifier bug: REG INVARIANTS VIOLATION ...` log lines, in the kernel's order. */
  readonly log: readonly string[];
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/**
 * `reg_bounds_sanity_check` as 6.18.44 runs it outside selftests: a register whose views are
 * inconsistent gets its four ranges reset (`__mark_reg_unbounded`, the tnum is kept) and the log
 * gets a `verifier bug: REG INVARIANTS VIOLATION (ctx): ...` line; the path is *not* abandoned.
 * `ctx` is the kernel's label ("alu", "true_reg1", ...). Returns the register and the line (or null).
 */
export function kernelSanityCheck(s: Scalar, ctx: string): { s: Scalar; log: string | null } {
  const msg = scalarSanityCheck(s);
  if (msg === null) return { s, log: null };
  const log =
    `verifier bug: REG INVARIANTS VIOLATION (${ctx}): ${msg} u64=[${hex(s.umin)}, ${hex(s.umax)}] ` +
    `s64=[${hex(u64(s.smin))}, ${hex(u64(s.smax))}] u32=[${hex(s.u32min)}, ${hex(s.u32max)}] ` +
    `s32=[${hex(u32(s.s32min))}, ${hex(u32(s.s32max))}] var_off=(${hex(s.var.value)}, ${hex(s.var.mask)})`;
  return { s: scalarMarkUnbounded(s), log };
}

/**
 * `reg_set_min_max` for two scalars (`b` is the immediate as a constant for BPF_K): refines the
 * fall-through side with the reversed op, then the taken side with OP (`regs_refine_cond_op`),
 * syncs all four registers, then runs {@link kernelSanityCheck} on true_reg1, true_reg2,
 * false_reg1, false_reg2. `sameReg` is `if rX OP rX`: the kernel then refines one register
 * through both pointers (`if r6 > r6` narrows the taken side to [umin+1, umax-1]); the result
 * has that register twice. Linked registers (`sync_linked_regs`) are the caller's.
 */
export function regSetMinMax(jmpOp: number, a: Scalar, b: Scalar, is32: boolean, sameReg = false): BranchRegs {
  const side = (op: number): [Reg, Reg] => {
    const r1 = work(a);
    const r2 = sameReg ? r1 : work(b);
    refine(r1, r2, op, is32);
    syncReg(r1);
    syncReg(r2);
    return [r1, r2];
  };
  const f = side(revOp(jmpOp));
  const t = side(jmpOp);
  const log: string[] = [];
  const check = (pair: [Reg, Reg], i: 0 | 1, ctx: string): void => {
    const r = pair[i];
    const c = kernelSanityCheck(freeze(r), ctx);
    if (c.log === null) return;
    log.push(c.log);
    markUnbounded(r);
  };
  check(t, 0, 'true_reg1');
  check(t, 1, 'true_reg2');
  check(f, 0, 'false_reg1');
  check(f, 1, 'false_reg2');
  return { taken: [freeze(t[0]), freeze(t[1])], fallThrough: [freeze(f[0]), freeze(f[1])], log };
}

/**
 * The (dst, src) scalars on one side of an undecided `if a OP b`, as {@link regSetMinMax} leaves
 * them. 6.18.44 never drops a side here: a refinement that contradicts itself is logged as a
 * verifier bug and the register continues unbounded, so this returns null only for the type's
 * sake (decided branches come from {@link isBranchTaken}).
 */
export function narrowBranch(
  jmpOp: number,
  a: Scalar,
  b: Scalar,
  is32: boolean,
  taken: boolean,
  sameReg = false,
): [Scalar, Scalar] | null {
  const r = regSetMinMax(jmpOp, a, b, is32, sameReg);
  const [x, y] = taken ? r.taken : r.fallThrough;
  return [x, y];
}

/** One side of `if a OP b` refined and synced, without the sanity check (may be inconsistent). */
export function narrowBranchRaw(
  jmpOp: number,
  a: Scalar,
  b: Scalar,
  is32: boolean,
  taken: boolean,
  sameReg = false,
): [Scalar, Scalar] {
  const r1 = work(a);
  const r2 = sameReg ? r1 : work(b);
  refine(r1, r2, taken ? jmpOp : revOp(jmpOp), is32);
  syncReg(r1);
  syncReg(r2);
  return [freeze(r1), freeze(r2)];
}

// --- pruning -----------------------------------------------------------------------------------

/** Whether all five views are identical. */
export function scalarEquals(a: Scalar, b: Scalar): boolean {
  return (
    a.var.value === b.var.value &&
    a.var.mask === b.var.mask &&
    a.smin === b.smin &&
    a.smax === b.smax &&
    a.umin === b.umin &&
    a.umax === b.umax &&
    a.s32min === b.s32min &&
    a.s32max === b.s32max &&
    a.u32min === b.u32min &&
    a.u32max === b.u32max
  );
}

/** Whether `cur` is contained in `old` (`range_within` on all four ranges and `tnum_in`). */
export function scalarWithin(old: Scalar, cur: Scalar): boolean {
  return (
    old.umin <= cur.umin &&
    old.umax >= cur.umax &&
    old.smin <= cur.smin &&
    old.smax >= cur.smax &&
    old.u32min <= cur.u32min &&
    old.u32max >= cur.u32max &&
    old.s32min <= cur.s32min &&
    old.s32max >= cur.s32max &&
    tnumIn(old.var, cur.var)
  );
}

/** Whether the scalar is a known constant (its tnum has no unknown bit). */
export function scalarIsConst(s: Scalar): boolean {
  return tnumIsConst(s.var);
}

/** Whether `v` (mod 2^64) is a member of all five views (for tests and assertions). */
export function scalarContains(s: Scalar, v: bigint): boolean {
  const x = u64(v);
  const lo = x & U32_MAX;
  return (
    (x & ~s.var.mask & U64_MAX) === s.var.value &&
    x >= s.umin &&
    x <= s.umax &&
    s64(x) >= s.smin &&
    s64(x) <= s.smax &&
    lo >= s.u32min &&
    lo <= s.u32max &&
    s32(lo) >= s.s32min &&
    s32(lo) <= s.s32max
  );
}

// --- log text (kernel/bpf/log.c print_scalar_ranges, verbose_snum/unum) --------------------------

/** log.c `is_snum_decimal`: signed numbers in [-32768, 32767] print in decimal. */
function snumDecimal(v: bigint): boolean {
  return v >= -32768n && v <= 32767n;
}

/** log.c `verbose_snum`: decimal when small, else `%#llx` of the u64 bit pattern. */
export function formatSnum(v: bigint): string {
  return snumDecimal(v) ? v.toString() : `0x${u64(v).toString(16)}`;
}

/** log.c `verbose_unum`: decimal up to 65535, else `%#llx`. */
export function formatUnum(v: bigint): string {
  return v <= 65535n ? v.toString() : `0x${v.toString(16)}`;
}

/**
 * The kernel's log text for a scalar register (log.c `print_reg_state`): `P` when precise, a
 * constant as a bare number, else `scalar(attrs,ranges,var_off=...)` with default views omitted
 * and equal min (max) values merged as `smin=umin=smin32=...`. `attrs` are the caller's leading
 * attributes (`id=1`, `id=1-1`), printed only for non-constants as the kernel does.
 */
export function formatScalar(s: Scalar, opts?: { precise?: boolean; attrs?: readonly string[] }): string {
  const p = opts?.precise ? 'P' : '';
  if (tnumIsConst(s.var)) return p + formatSnum(s64(s.var.value));
  const parts: string[] = [...(opts?.attrs ?? [])];
  const m: { name: string; val: bigint; omit: boolean }[] = [
    { name: 'smin', val: s.smin, omit: s.smin === S64_MIN },
    { name: 'smax', val: s.smax, omit: s.smax === S64_MAX },
    { name: 'umin', val: s.umin, omit: s.umin === 0n },
    { name: 'umax', val: s.umax, omit: s.umax === U64_MAX },
    // 32-bit signed values in hex are shown without sign extension (as their u32 pattern).
    { name: 'smin32', val: snumDecimal(s.s32min) ? s.s32min : u32(s.s32min), omit: s.s32min === S32_MIN },
    { name: 'smax32', val: snumDecimal(s.s32max) ? s.s32max : u32(s.s32max), omit: s.s32max === S32_MAX },
    { name: 'umin32', val: s.u32min, omit: s.u32min === 0n },
    { name: 'umax32', val: s.u32max, omit: s.u32max === U32_MAX },
  ];
  // The kernel keeps every value as a u64 and compares bit patterns.
  const bits = (e: { val: bigint }): bigint => u64(e.val);
  const neg = (e: { name: string; val: bigint }): boolean => e.name[0] === 's' && s64(bits(e)) < 0n;
  for (let i = 0; i < m.length; i++) {
    const m1 = m[i]!;
    if (m1.omit) continue;
    let text = `${m1.name}=`;
    const n1 = neg(m1);
    for (let j = i + 2; j < m.length; j += 2) {
      const m2 = m[j]!;
      if (m2.omit || bits(m2) !== bits(m1)) continue;
      if (neg(m2) !== n1) continue;
      m2.omit = true;
      text += `${m2.name}=`;
    }
    text += m1.name[0] === 's' ? formatSnum(s64(bits(m1))) : formatUnum(bits(m1));
    parts.push(text);
  }
  if (!tnumIsUnknown(s.var)) parts.push(`var_off=${formatTnum(s.var)}`);
  return `${p}scalar(${parts.join(',')})`;
}

/** Number of significant bits of the unsigned maximum (`get_reg_width`), for mov id linking. */
export function scalarWidth(s: Scalar): number {
  return fls64(s.umax);
}
