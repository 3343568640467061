/**
 * Seeded mutation helpers for the ELF/BTF robustness tests: a small PRNG (mulberry32) and
 * byte-level mutators. Every mutation returns a description so a failure names it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** mulberry32: a tiny 32-bit PRNG, good enough for reproducible fuzzing. */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Next u32. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }

  /** One element of a non-empty list. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** Values that tend to hit edge cases in offset/size/index fields. */
export function interesting(rng: Rng, limit: number): number {
  const choices = [0, 1, 2, 3, 4, 7, 8, 12, 16, 24, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, limit - 1, limit, limit + 1, rng.u32(), rng.int(limit + 64)];
  return rng.pick(choices) >>> 0;
}

/** A mutated copy of `input` and what was done to it. */
export interface Mutation {
  bytes: Uint8Array;
  what: string;
}

/** Truncate to a random length. */
export function truncate(rng: Rng, input: Uint8Array): Mutation {
  const n = rng.int(input.length);
  return { bytes: input.slice(0, n), what: `truncate to ${n}` };
}

/** Flip 1-4 random bytes, optionally within [lo, hi). */
export function flipBytes(rng: Rng, input: Uint8Array, lo = 0, hi = input.length): Mutation {
  const out = input.slice();
  const k = 1 + rng.int(4);
  const spots: string[] = [];
  for (let i = 0; i < k && hi > lo; i++) {
    const at = lo + rng.int(hi - lo);
    const v = rng.int(256);
    out[at] = v;
    spots.push(`${at}=${v}`);
  }
  return { bytes: out, what: `set bytes ${spots.join(',')}` };
}

/** Overwrite a u8/u16/u32 field at `off` with an interesting value. */
export function setField(rng: Rng, input: Uint8Array, off: number, width: 1 | 2 | 4, le: boolean, name: string, limit = input.length): Mutation {
  const out = input.slice();
  if (off + width > out.length) return { bytes: out, what: `no-op (${name} beyond end)` };
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const x = interesting(rng, limit);
  if (width === 1) v.setUint8(off, x & 0xff);
  else if (width === 2) v.setUint16(off, x & 0xffff, le);
  else v.setUint32(off, x, le);
  return { bytes: out, what: `${name} @${off} := 0x${(width === 4 ? x : x & (width === 2 ? 0xffff : 0xff)).toString(16)}` };
}

/** The committed fixture objects (programs/*.bpf.o), as name -> bytes. */
export function fixtureObjects(): Map<string, Uint8Array> {
  const dir = new URL('../../programs/', import.meta.url);
  const out = new Map<string, Uint8Array>();
  if (!existsSync(dir)) return out;
  for (const n of readdirSync(dir).sort()) if (n.endsWith('.bpf.o')) out.set(n, new Uint8Array(readFileSync(new URL(n, dir))));
  return out;
}
