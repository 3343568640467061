/**
 * Compact element storage. Maps keep keys and values in big typed arrays instead of one object per
 * element, so a million-entry hash costs tens of bytes per entry.
 *
 * A {@link Slab} holds fixed-stride records in chunks that never move once allocated: a value
 * region handed to a program is a `subarray` view into a chunk and stays valid while the map grows.
 *
 *   record r  ->  chunk r >>> shift, byte offset (r & mask) * stride
 */
import { MapError } from './errors.js';

/** Largest chunk the slab allocates, in bytes (a chunk holds at least one record). */
const CHUNK_BYTES = 1 << 18;

/** Fixed-stride records in never-moving chunks, allocated on demand. */
export class Slab {
  readonly stride: number;
  /** log2(records per chunk). */
  readonly shift: number;
  readonly mask: number;
  readonly chunks: Uint8Array[] = [];
  private readonly perChunk: number;
  private readonly maxRecords: number;

  constructor(stride: number, maxRecords: number) {
    if (!(stride > 0) || !Number.isInteger(stride)) throw new MapError('MAP_BAD_ARGUMENT', `slab: bad stride ${stride}`);
    this.stride = stride;
    this.maxRecords = maxRecords;
    let shift = 0;
    while (shift < 30 && (2 << shift) * stride <= CHUNK_BYTES && 1 << shift < maxRecords) shift++;
    this.shift = shift;
    this.perChunk = 1 << shift;
    this.mask = this.perChunk - 1;
  }

  /** Make records [0, n) addressable. */
  ensure(n: number): void {
    const need = Math.ceil(Math.min(n, this.maxRecords) / this.perChunk);
    while (this.chunks.length < need) {
      const left = this.maxRecords - this.chunks.length * this.perChunk;
      this.chunks.push(new Uint8Array(Math.min(this.perChunk, left) * this.stride));
    }
  }

  /** The chunk holding record `r` (ensure() first). */
  chunk(r: number): Uint8Array {
    return this.chunks[r >>> this.shift]!;
  }

  /** Byte offset of record `r` inside its chunk. */
  offset(r: number): number {
    return (r & this.mask) * this.stride;
  }

  /** A view of `len` bytes at byte `off` of record `r`. */
  view(r: number, off: number, len: number): Uint8Array {
    const o = this.offset(r) + off;
    return this.chunk(r).subarray(o, o + len);
  }

  /** Bytes currently allocated. */
  get bytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }
}

/** `arr` grown to at least `n` elements (new ones set to `fill`), or `arr` itself if large enough. */
export function growInt32(arr: Int32Array<ArrayBuffer>, n: number, fill: number): Int32Array<ArrayBuffer> {
  if (arr.length >= n) return arr;
  const out = new Int32Array(n);
  out.set(arr);
  if (fill !== 0) out.fill(fill, arr.length);
  return out;
}

/** Copy `len` bytes (short copies without allocating a view). */
export function copyBytes(dst: Uint8Array, doff: number, src: Uint8Array, soff: number, len: number): void {
  if (len <= 32) {
    for (let i = 0; i < len; i++) dst[doff + i] = src[soff + i]!;
  } else {
    dst.set(src.subarray(soff, soff + len), doff);
  }
}

/** Byte equality of two ranges. */
export function rangeEquals(a: Uint8Array, aoff: number, b: Uint8Array, boff: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[aoff + i] !== b[boff + i]) return false;
  return true;
}

/** Smallest power of two >= n (n >= 1); kernel roundup_pow_of_two. */
export function roundupPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Whether n is a power of two. */
export function isPow2(n: number): boolean {
  return n > 0 && Number.isInteger(n) && 2 ** Math.round(Math.log2(n)) === n;
}
