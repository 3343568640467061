/**
 * Bob Jenkins' lookup3 hash as the kernel uses it (include/linux/jhash.h): hash tables and bloom
 * filters hash keys with `jhash2` when the length is a multiple of 4 and `jhash` otherwise. Words
 * are read little endian, as on the x86-64/arm64 hosts the kernel runs on. With seed 0
 * (BPF_F_ZERO_SEED) the emulator's bucket order and bloom bits are the kernel's.
 *
 * State: three u32 lanes a, b, c, all starting at 0xdeadbeef + length + seed; 12-byte blocks are
 * added and mixed; the last (partial) block is added and put through the final mix; c is the hash.
 */

const INITVAL = 0xdeadbeef;

/** jhash(key, length, initval) over `len` bytes of `buf` at `off`; returns an unsigned 32-bit hash. */
export function jhash(buf: Uint8Array, off: number, len: number, seed: number): number {
  let a = (INITVAL + len + seed) | 0;
  let b = a;
  let c = a;
  let k = off;
  let n = len;
  while (n > 12) {
    a = (a + le32(buf, k)) | 0;
    b = (b + le32(buf, k + 4)) | 0;
    c = (c + le32(buf, k + 8)) | 0;
    // __jhash_mix
    a = (a - c) | 0; a ^= rol(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rol(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol(b, 4); b = (b + a) | 0;
    n -= 12;
    k += 12;
  }
  if (n === 0) return c >>> 0;
  // The tail: byte i of the block goes to lane i >> 2 at bit 8 * (i & 3) (the kernel's fallthrough switch).
  for (let i = n - 1; i >= 0; i--) {
    const v = buf[k + i]! << ((i & 3) * 8);
    if (i >= 8) c = (c + v) | 0;
    else if (i >= 4) b = (b + v) | 0;
    else a = (a + v) | 0;
  }
  return final(a, b, c);
}

/** jhash2(words, nwords, initval) over `words` little-endian u32s of `buf` at `off`. */
export function jhash2(buf: Uint8Array, off: number, words: number, seed: number): number {
  let a = (INITVAL + (words << 2) + seed) | 0;
  let b = a;
  let c = a;
  let k = off;
  let n = words;
  while (n > 3) {
    a = (a + le32(buf, k)) | 0;
    b = (b + le32(buf, k + 4)) | 0;
    c = (c + le32(buf, k + 8)) | 0;
    a = (a - c) | 0; a ^= rol(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rol(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol(b, 4); b = (b + a) | 0;
    n -= 3;
    k += 12;
  }
  if (n === 0) return c >>> 0;
  if (n === 3) c = (c + le32(buf, k + 8)) | 0;
  if (n >= 2) b = (b + le32(buf, k + 4)) | 0;
  a = (a + le32(buf, k)) | 0;
  return final(a, b, c);
}

/** The hash a kernel hash table or bloom filter computes for a key (kernel htab_map_hash). */
export function keyHash(buf: Uint8Array, off: number, len: number, seed: number): number {
  return (len & 3) === 0 ? jhash2(buf, off, len >>> 2, seed) : jhash(buf, off, len, seed);
}

function final(a0: number, b0: number, c0: number): number {
  let a = a0;
  let b = b0;
  let c = c0;
  c ^= b; c = (c - rol(b, 14)) | 0;
  a ^= c; a = (a - rol(c, 11)) | 0;
  b ^= a; b = (b - rol(a, 25)) | 0;
  c ^= b; c = (c - rol(b, 16)) | 0;
  a ^= c; a = (a - rol(c, 4)) | 0;
  b ^= a; b = (b - rol(a, 14)) | 0;
  c ^= b; c = (c - rol(b, 24)) | 0;
  return c >>> 0;
}

function rol(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function le32(buf: Uint8Array, o: number): number {
  return buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16) | (buf[o + 3]! << 24);
}
