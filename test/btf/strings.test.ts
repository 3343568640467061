import { describe, expect, it } from 'vitest';
import { BtfError } from '../../src/btf/errors.js';
import { BtfStrings, StringTableBuilder } from '../../src/btf/strings.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('BtfStrings', () => {
  it('reads NUL-terminated strings by offset, including UTF-8', () => {
    const s = new BtfStrings(enc('\0int\0caf\u00e9\0'));
    expect(s.length).toBe(11); // é is two bytes
    expect(s.at(0)).toBe('');
    expect(s.at(1)).toBe('int');
    expect(s.at(2)).toBe('nt'); // any offset inside the section is a (suffix) string
    expect(s.at(5)).toBe('caf\u00e9');
    expect(s.has(10)).toBe(true);
    expect(s.has(11)).toBe(false);
    expect(() => s.at(11)).toThrow(BtfError);
  });

  it('checks the section shape like the kernel', () => {
    expect(() => new BtfStrings(enc('x\0'))).toThrow(BtfError);
    expect(() => new BtfStrings(enc('\0x'))).toThrow(BtfError);
    expect(() => new BtfStrings(new Uint8Array(0))).toThrow(BtfError);
  });

  it('continues offsets after a base section (split BTF)', () => {
    const base = new BtfStrings(enc('\0a\0'));
    const split = new BtfStrings(enc('b\0'), base);
    expect(split.start).toBe(3);
    expect(split.length).toBe(5);
    expect(split.at(1)).toBe('a');
    expect(split.at(3)).toBe('b');
    expect(split.has(4)).toBe(true);
    expect(() => split.at(5)).toThrow(BtfError);
    expect(new BtfStrings(new Uint8Array(0), base).length).toBe(3);
  });
});

describe('StringTableBuilder', () => {
  it('deduplicates and starts with the empty string', () => {
    const b = new StringTableBuilder();
    expect(b.add('')).toBe(0);
    expect(b.add('int')).toBe(1);
    expect(b.add('x')).toBe(5);
    expect(b.add('int')).toBe(1);
    expect(new TextDecoder().decode(b.bytes())).toBe('\0int\0x\0');
  });

  it('offsets split tables by the base length, keeping 0 for the empty string', () => {
    const b = new StringTableBuilder(100);
    expect(b.add('')).toBe(0);
    expect(b.add('m')).toBe(101);
  });
});
