import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { R_BPF, SHF, SHN, SHT, STB, STT, STV, constName } from '../../src/elf/constants.js';
import { ElfError, type ElfErrorCode } from '../../src/elf/errors.js';
import { parseElf } from '../../src/elf/reader.js';
import { sampleSpec, SAMPLE_CODE as CODE, writeElf } from './elf-writer.js';

function codeOf(f: () => unknown): ElfErrorCode | 'none' | 'other' {
  try {
    f();
    return 'none';
  } catch (e) {
    return e instanceof ElfError ? e.code : 'other';
  }
}

describe('parseElf', () => {
  for (const le of [true, false]) {
    describe(le ? 'little-endian' : 'big-endian', () => {
      const { bytes } = writeElf(sampleSpec(le));
      const f = parseElf(bytes);

      it('reads the header', () => {
        expect(f.littleEndian).toBe(le);
        expect(f.type).toBe(1);
        expect(f.machine).toBe(247);
        expect(f.flags).toBe(0);
        expect(f.sections[f.shstrndx]!.name).toBe('.strtab');
      });

      it('reads sections with names, types, bytes', () => {
        expect(f.sections.map((s) => s.name)).toEqual(['', '.strtab', '.text', 'xdp', '.data', '.bss', '.maps', '.relxdp', '.rel.extra', '.rela.maps', '.symtab']);
        const xdp = f.sectionByName('xdp')!;
        expect(xdp.index).toBe(3);
        expect(xdp.type).toBe(SHT.PROGBITS);
        expect(xdp.flags).toBe(SHF.ALLOC | SHF.EXECINSTR);
        expect(xdp.size).toBe(32);
        expect(xdp.addralign).toBe(8);
        expect(Array.from(xdp.data)).toEqual(Array.from(CODE));
        const bss = f.sectionByName('.bss')!;
        expect(bss.size).toBe(64);
        expect(bss.data.length).toBe(0);
        expect(f.sectionByName('.nope')).toBeUndefined();
        expect(f.section(4).name).toBe('.data');
        expect(f.sectionsOfType(SHT.REL).map((s) => s.name)).toEqual(['.relxdp', '.rel.extra']);
        const rel = f.sectionByName('.relxdp')!;
        expect(rel.link).toBe(f.symtabIndex);
        expect(rel.info).toBe(3);
        expect(rel.entsize).toBe(16);
      });

      it('reads symbols', () => {
        expect(f.symbols.length).toBe(8);
        const prog = f.symbols[4]!;
        expect(prog).toEqual({ index: 4, name: 'prog', value: 0, size: 32, bind: STB.GLOBAL, type: STT.FUNC, visibility: 0, shndx: 3 });
        expect(f.symbols[1]!.shndx).toBe(SHN.ABS);
        expect(f.symbols[5]!.bind).toBe(STB.WEAK);
        expect(f.symbols[5]!.shndx).toBe(SHN.UNDEF);
        expect(f.symbols[6]!.visibility).toBe(STV.HIDDEN);
        expect(f.symbols[6]!.value).toBe(0x20);
        expect(f.symbols[7]!.value).toBe(2 ** 40);
        expect(f.symbolName(2)).toBe('.text');
        expect(f.symbolName(3)).toBe('counter');
        expect(f.symbol(3).name).toBe('counter');
        expect(f.symbolsByName('prog').map((s) => s.index)).toEqual([4]);
      });

      it('collects relocations by sh_info across REL sections, and RELA addends', () => {
        expect(f.relocationsFor(3)).toEqual([
          { offset: 0, symbolIndex: 3, type: R_BPF.R_64_64 },
          { offset: 16, symbolIndex: 5, type: R_BPF.R_64_32 },
        ]);
        expect(f.relocationsFor(6)).toEqual([{ offset: 8, symbolIndex: 4, type: R_BPF.R_64_ABS64, addend: -8 }]);
        expect(f.relocationsFor(2)).toEqual([]);
      });

      it('lookup helpers throw ELF_NOT_FOUND', () => {
        expect(codeOf(() => f.section(99))).toBe('ELF_NOT_FOUND');
        expect(codeOf(() => f.symbol(99))).toBe('ELF_NOT_FOUND');
        expect(codeOf(() => f.symbolName(-1))).toBe('ELF_NOT_FOUND');
      });
    });
  }

  it('gives identical results for LE and BE encodings of the same object', () => {
    const a = parseElf(writeElf(sampleSpec(true)).bytes);
    const b = parseElf(writeElf(sampleSpec(false)).bytes);
    const strip = (f: typeof a) => ({
      sections: f.sections.map((s) => ({ ...s, offset: 0, data: Array.from(s.type === SHT.REL || s.type === SHT.RELA || s.type === SHT.SYMTAB ? [] : s.data) })),
      symbols: f.symbols,
      relocs: f.sections.map((s) => f.relocationsFor(s.index)),
    });
    expect(strip(b)).toEqual(strip(a));
  });

  it('constName maps values back to names', () => {
    expect(constName(SHT, 8)).toBe('NOBITS');
    expect(constName(R_BPF, 10)).toBe('R_64_32');
    expect(constName(STT, 99)).toBeUndefined();
  });
});

describe('parseElf rejects malformed input with codes', () => {
  const good = () => writeElf(sampleSpec(true));
  const patch = (f: (b: Uint8Array, v: DataView, shoff: number, idx: Map<string, number>) => void): Uint8Array => {
    const w = good();
    const b = w.bytes.slice();
    f(b, new DataView(b.buffer), w.shoff, w.index);
    return b;
  };
  const sh = (shoff: number, i: number, field: number) => shoff + i * 64 + field;

  const cases: [string, () => Uint8Array, ElfErrorCode][] = [
    ['empty file', () => new Uint8Array(0), 'ELF_TRUNCATED'],
    ['truncated header', () => good().bytes.subarray(0, 40), 'ELF_TRUNCATED'],
    ['truncated section table', () => good().bytes.subarray(0, good().bytes.length - 10), 'ELF_TRUNCATED'],
    ['bad magic', () => patch((b) => (b[1] = 0x46)), 'ELF_BAD_MAGIC'],
    ['ELFCLASS32', () => patch((b) => (b[4] = 1)), 'ELF_BAD_CLASS'],
    ['bad EI_DATA', () => patch((b) => (b[5] = 3)), 'ELF_BAD_ENCODING'],
    ['bad EI_VERSION', () => patch((b) => (b[6] = 2)), 'ELF_BAD_VERSION'],
    ['bad e_version', () => patch((_b, v) => v.setUint32(20, 7, true)), 'ELF_BAD_VERSION'],
    ['ET_EXEC', () => patch((_b, v) => v.setUint16(16, 2, true)), 'ELF_BAD_TYPE'],
    ['x86-64 machine', () => patch((_b, v) => v.setUint16(18, 62, true)), 'ELF_BAD_MACHINE'],
    ['bad e_shentsize', () => patch((_b, v) => v.setUint16(58, 40, true)), 'ELF_BAD_HEADER'],
    ['bad e_ehsize', () => patch((_b, v) => v.setUint16(52, 10, true)), 'ELF_BAD_HEADER'],
    ['e_shstrndx out of range', () => patch((_b, v) => v.setUint16(62, 200, true)), 'ELF_BAD_HEADER'],
    ['e_shstrndx not a strtab', () => patch((_b, v) => v.setUint16(62, 2, true)), 'ELF_BAD_HEADER'],
    ['e_shoff zero', () => patch((_b, v) => v.setUint32(40, 0, true)), 'ELF_BAD_HEADER'],
    ['e_shoff huge', () => patch((_b, v) => v.setUint32(44, 0x10, true)), 'ELF_TRUNCATED'],
    ['e_shoff >= 2^53', () => patch((_b, v) => v.setUint32(44, 0x400000, true)), 'ELF_TOO_LARGE'],
    ['section beyond file', () => patch((_b, v, s) => v.setUint32(sh(s, 4, 32), 0x100000, true)), 'ELF_TRUNCATED'],
    ['section offset beyond file', () => patch((_b, v, s) => v.setUint32(sh(s, 4, 24), 0xfffffff0, true)), 'ELF_TRUNCATED'],
    ['section name offset outside strtab', () => patch((_b, v, s) => v.setUint32(sh(s, 3, 0), 0x10000, true)), 'ELF_BAD_STRING'],
    ['symtab entsize', () => patch((_b, v, s, i) => v.setUint32(sh(s, i.get('.symtab')!, 56), 16, true)), 'ELF_BAD_SECTION'],
    ['symtab link not strtab', () => patch((_b, v, s, i) => v.setUint32(sh(s, i.get('.symtab')!, 40), 3, true)), 'ELF_BAD_SECTION'],
    ['rel entsize', () => patch((_b, v, s, i) => v.setUint32(sh(s, i.get('.relxdp')!, 56), 24, true)), 'ELF_BAD_SECTION'],
    ['rel size not multiple', () => patch((_b, v, s, i) => v.setUint32(sh(s, i.get('.relxdp')!, 32), 15, true)), 'ELF_BAD_SECTION'],
    ['rel sh_link not symtab', () => patch((_b, v, s, i) => v.setUint32(sh(s, i.get('.relxdp')!, 40), 2, true)), 'ELF_BAD_SECTION'],
    ['rel sh_info out of range', () => patch((_b, v, s, i) => v.setUint32(sh(s, i.get('.relxdp')!, 44), 99, true)), 'ELF_BAD_SECTION'],
    ['rel sh_info zero', () => patch((_b, v, s, i) => v.setUint32(sh(s, i.get('.relxdp')!, 44), 0, true)), 'ELF_BAD_SECTION'],
    ['addralign not a power of two', () => patch((_b, v, s) => v.setUint32(sh(s, 2, 48), 12, true)), 'ELF_BAD_SECTION'],
    [
      'symbol shndx out of range',
      () => patch((_b, v, s, i) => v.setUint16(v.getUint32(sh(s, i.get('.symtab')!, 24), true) + 3 * 24 + 6, 77, true)),
      'ELF_BAD_SYMBOL',
    ],
    [
      'symbol shndx SHN_XINDEX without table',
      () => patch((_b, v, s, i) => v.setUint16(v.getUint32(sh(s, i.get('.symtab')!, 24), true) + 3 * 24 + 6, 0xffff, true)),
      'ELF_BAD_SYMBOL',
    ],
    [
      'symbol name offset outside strtab',
      () => patch((_b, v, s, i) => v.setUint32(v.getUint32(sh(s, i.get('.symtab')!, 24), true) + 3 * 24, 0x7fffffff, true)),
      'ELF_BAD_STRING',
    ],
    [
      'symbol st_value >= 2^53',
      () => patch((_b, v, s, i) => v.setUint32(v.getUint32(sh(s, i.get('.symtab')!, 24), true) + 3 * 24 + 12, 0xffffffff, true)),
      'ELF_TOO_LARGE',
    ],
    [
      'relocation symbol index out of range',
      () => patch((_b, v, s, i) => v.setUint32(v.getUint32(sh(s, i.get('.relxdp')!, 24), true) + 12, 99, true)),
      'ELF_BAD_RELOCATION',
    ],
    [
      'relocation offset outside target',
      () => patch((_b, v, s, i) => v.setUint32(v.getUint32(sh(s, i.get('.relxdp')!, 24), true), 24, true)),
      'ELF_BAD_RELOCATION',
    ],
    [
      'unterminated string table',
      () =>
        patch((b, v, s) => {
          const off = v.getUint32(sh(s, 1, 24), true);
          const size = v.getUint32(sh(s, 1, 32), true);
          b[off + size - 1] = 0x41;
        }),
      'ELF_BAD_STRING',
    ],
  ];
  for (const [name, make, code] of cases) {
    it(name, () => expect(codeOf(() => parseElf(make()))).toBe(code));
  }

  it('rejects a second symbol table', () => {
    const spec = sampleSpec(true);
    spec.sections.push({ name: '.symtab2', type: SHT.SYMTAB, data: new Uint8Array(24), link: 1, entsize: 24 });
    expect(codeOf(() => parseElf(writeElf(spec).bytes))).toBe('ELF_BAD_SECTION');
  });

  it('rejects relocations of a relocation section', () => {
    const spec = sampleSpec(true);
    spec.relocs!.push({ target: '.relxdp', name: '.rel.rel', entries: [] });
    expect(codeOf(() => parseElf(writeElf(spec).bytes))).toBe('ELF_BAD_SECTION');
  });

  it('accepts an object without symbols or relocations', () => {
    const f = parseElf(writeElf({ sections: [{ name: '.text', type: SHT.PROGBITS, data: new Uint8Array(8) }] }).bytes);
    expect(f.symbols.length).toBe(1);
    expect(f.sectionByName('.text')!.size).toBe(8);
  });

  it('supports extended section numbering (e_shnum 0, count in section 0)', () => {
    const w = writeElf(sampleSpec(false));
    const b = w.bytes.slice();
    const v = new DataView(b.buffer);
    const n = v.getUint16(60, false);
    v.setUint16(60, 0, false);
    v.setUint32(w.shoff + 32 + 4, n, false);
    v.setUint16(62, SHN.XINDEX, false);
    v.setUint32(w.shoff + 40, 1, false);
    const f = parseElf(b);
    expect(f.sections.length).toBe(n);
    expect(f.shstrndx).toBe(1);
  });
});

const PROGRAMS = new URL('../../programs/', import.meta.url);
const fixtures = existsSync(PROGRAMS) ? readdirSync(PROGRAMS).filter((n) => n.endsWith('.bpf.o')) : [];

describe('clang-built fixtures in programs/', () => {
  it.skipIf(fixtures.length === 0)(`parse, with consistent symbols and relocations${fixtures.length === 0 ? ' (skipped: no programs/*.bpf.o yet)' : ''}`, () => {
    for (const name of fixtures) {
      const f = parseElf(new Uint8Array(readFileSync(new URL(name, PROGRAMS))));
      expect(f.machine, name).toBe(247);
      expect(f.sectionByName('.text'), name).toBeDefined();
      expect(f.sectionByName('.BTF'), name).toBeDefined();
      for (const sym of f.symbols) {
        if (sym.type !== STT.FUNC) continue;
        const sec = f.section(sym.shndx);
        expect(sym.value + sym.size, `${name}: ${sym.name}`).toBeLessThanOrEqual(sec.size);
        expect(sec.flags & SHF.EXECINSTR, `${name}: ${sym.name}`).toBe(SHF.EXECINSTR);
      }
      for (const rel of f.sectionsOfType(SHT.REL)) {
        // clang names them ".rel" + target; the reader only relies on sh_info.
        expect(rel.name, name).toBe('.rel' + f.section(rel.info).name);
        expect(f.relocationsFor(rel.info).length, name).toBeGreaterThanOrEqual(rel.size / 16);
      }
    }
  });
});
