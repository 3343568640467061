/**
 * The emulated mappings (src/kernel/objects/vma.ts): /proc/PID/maps permissions to VM_* bits, the
 * checks on a new mapping, and the lookup bpf_find_vma does, against a linear scan over random
 * layouts. The helper itself is tested in test/helpers/find-vma.test.ts against 6.18.
 */
import { describe, expect, it } from 'vitest';
import { findVmaIndex, insertVma, permsToFlags, validateVma, type Vma } from '../../../src/kernel/objects/vma.js';

describe('permsToFlags', () => {
  it('maps each letter to its VM_* bit (VM_READ 1, VM_WRITE 2, VM_EXEC 4, VM_SHARED 8)', () => {
    expect(permsToFlags('r--p')).toBe(1n);
    expect(permsToFlags('rw-p')).toBe(3n);
    expect(permsToFlags('r-xp')).toBe(5n);
    expect(permsToFlags('rwxs')).toBe(15n);
    expect(permsToFlags('---p')).toBe(0n);
  });
  it('refuses anything else with a message', () => {
    for (const bad of ['', 'rwx', 'rwxq', 'xwrp', 'rw-pp']) expect(permsToFlags(bad)).toMatch(/is not of the form/);
  });
});

describe('validateVma', () => {
  it('anonymous mappings default vm_pgoff to their start page, file mappings to 0', () => {
    expect(validateVma({ start: 0x7000, end: 0x9000 }, [])).toEqual({ start: 0x7000n, end: 0x9000n, flags: 0n, pgoff: 7n, file: undefined });
    expect(validateVma({ start: 0x7000, end: 0x9000, file: '/f' }, [])).toMatchObject({ pgoff: 0n, file: '/f' });
    expect(validateVma({ start: 0x7000, end: 0x9000, file: '/f', offset: 0x3000 }, [])).toMatchObject({ pgoff: 3n });
  });
  it('adjacent mappings are fine, overlapping ones are not', () => {
    const a = validateVma({ start: 0x1000, end: 0x3000 }, []) as Vma;
    expect(validateVma({ start: 0x3000, end: 0x4000 }, [a])).toMatchObject({ start: 0x3000n });
    expect(validateVma({ start: 0x0, end: 0x1000 }, [a])).toMatchObject({ start: 0n });
    expect(validateVma({ start: 0x2000, end: 0x5000 }, [a])).toMatch(/overlaps the mapping 0x1000-0x3000/);
  });
  it('takes the top of the 64-bit space ([vsyscall])', () => {
    expect(validateVma({ start: 0xffffffffff600000n, end: 0xffffffffff601000n, perms: '--xp' }, [])).toMatchObject({ flags: 4n });
    expect(validateVma({ start: 0xfffffffffffff000n, end: 1n << 64n }, [])).toMatch(/not a u64/);
  });
});

describe('findVmaIndex', () => {
  it('agrees with a linear scan over random layouts and addresses', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      let list: Vma[] = [];
      let page = rnd(4);
      const count = rnd(12);
      for (let i = 0; i < count; i++) {
        const len = 1 + rnd(3);
        const v = validateVma({ start: page * 4096, end: (page + len) * 4096 }, list);
        if (typeof v === 'string') throw new Error(v);
        list = insertVma(list, v);
        page += len + rnd(3);
      }
      for (let k = 0; k < 50; k++) {
        const addr = BigInt(rnd((page + 2) * 4096));
        const want = list.findIndex((v) => v.start <= addr && addr < v.end);
        expect(findVmaIndex(list, addr)).toBe(want);
      }
    }
  });
});
