import { describe, expect, it } from 'vitest';
import { Slab, copyBytes, growInt32, isPow2, rangeEquals, roundupPow2 } from '../../src/maps/storage.js';
import { MapError } from '../../src/maps/errors.js';

describe('Slab', () => {
  it('keeps views valid while growing', () => {
    const s = new Slab(12, 100000);
    s.ensure(1);
    const v = s.view(0, 0, 12);
    v[3] = 42;
    s.ensure(50000);
    expect(s.chunks.length).toBeGreaterThan(1);
    expect(s.view(0, 0, 12)[3]).toBe(42);
    v[4] = 7;
    expect(s.chunk(0)[s.offset(0) + 4]).toBe(7);
    // records in later chunks are addressable and distinct
    s.view(49999, 0, 12).fill(9);
    expect(s.view(49998, 0, 12).every((b) => b === 0)).toBe(true);
  });

  it('never allocates past maxRecords', () => {
    const s = new Slab(8, 3);
    s.ensure(1000);
    expect(s.bytes).toBe(24);
  });

  it('rejects a bad stride', () => {
    expect(() => new Slab(0, 1)).toThrow(MapError);
  });
});

describe('helpers', () => {
  it('grows Int32Arrays with a fill value', () => {
    const a = growInt32(Int32Array.of(1, 2), 4, -1);
    expect([...a]).toEqual([1, 2, -1, -1]);
    const same = Int32Array.of(5);
    expect(growInt32(same, 1, 0)).toBe(same);
  });

  it('copies and compares ranges', () => {
    const a = Uint8Array.from({ length: 64 }, (_, i) => i);
    const b = new Uint8Array(64);
    copyBytes(b, 1, a, 2, 40);
    expect(b[1]).toBe(2);
    expect(b[40]).toBe(41);
    expect(rangeEquals(a, 2, b, 1, 40)).toBe(true);
    expect(rangeEquals(a, 2, b, 1, 41)).toBe(false);
  });

  it('rounds to powers of two', () => {
    expect([1, 2, 3, 5, 1024, 1025].map(roundupPow2)).toEqual([1, 2, 4, 8, 1024, 2048]);
    expect(roundupPow2(2 ** 31 + 1)).toBe(2 ** 32);
    expect([1, 2, 4096, 2 ** 31, 2 ** 32].every(isPow2)).toBe(true);
    expect([0, 3, 4097, -4, 1.5].some(isPow2)).toBe(false);
  });
});
