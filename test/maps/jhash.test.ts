import { describe, expect, it } from 'vitest';
import { jhash, jhash2, keyHash } from '../../src/maps/jhash.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('jhash (lookup3 hashlittle)', () => {
  it('matches lookup3.c driver5 vectors', () => {
    expect(jhash(new Uint8Array(0), 0, 0, 0)).toBe(0xdeadbeef);
    const s = enc('Four score and seven years ago');
    expect(jhash(s, 0, 30, 0)).toBe(0x17770551);
    expect(jhash(s, 0, 30, 1)).toBe(0xcd628161);
  });

  it('hashes at an offset the same as a copy', () => {
    const s = enc('xxFour score and seven years ago');
    expect(jhash(s, 2, 30, 0)).toBe(0x17770551);
  });

  it('jhash2 over words equals jhash over the same little-endian bytes', () => {
    // both are lookup3 over the same bytes when the length is a multiple of 4
    for (const n of [4, 8, 12, 16, 24, 28]) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      expect(jhash2(b, 0, n / 4, 7)).toBe(jhash(b, 0, n, 7));
      expect(keyHash(b, 0, n, 7)).toBe(jhash(b, 0, n, 7));
    }
  });

  it('returns unsigned values', () => {
    for (let i = 0; i < 100; i++) {
      const h = jhash(Uint8Array.of(i, i >> 1, 3), 0, 3, i);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 32);
    }
  });
});
