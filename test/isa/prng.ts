/** A small seeded PRNG (mulberry32) for property and differential tests: same seed, same stream. */
export class Prng {
  private s: number;

  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform uint32. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [lo, hi] (inclusive; hi - lo < 2^32). */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.u32() / 0x100000000) * (hi - lo + 1));
  }

  /** Uniform int32. */
  i32(): number {
    return this.u32() | 0;
  }

  /** Signed 16-bit value. */
  i16(): number {
    return (this.u32() << 16) >> 16;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  /** One element of a non-empty array. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }

  /** An "interesting" int32: edge values half the time, uniform otherwise. */
  edgyI32(): number {
    if (this.chance(0.5)) return this.i32();
    return this.pick([0, 1, -1, 2, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0xffff, 0x8000, -0x8000, 0x80, 0xff, 16, -16]);
  }
}
