/**
 * A tiny ELF64 writer for tests: builds EM_BPF ET_REL objects in either byte order so the
 * reader can be tested without clang. Layout: header, section bytes (8-aligned), section
 * header table. Section 1 is `.strtab` (names of sections and symbols, as clang does), the
 * symbol table comes last.
 */
import { ELF64_SIZES, EM_BPF, ET, R_BPF, SHF, SHN, SHT, STB, STT, STV } from '../../src/elf/constants.js';

export interface WSection {
  name: string;
  type: number;
  flags?: number;
  data?: Uint8Array;
  /** For SHT_NOBITS: the size to record. */
  size?: number;
  /** Section index or name. */
  link?: number | string;
  info?: number | string;
  addralign?: number;
  entsize?: number;
}

export interface WSymbol {
  name: string;
  value?: number;
  size?: number;
  bind?: number;
  type?: number;
  other?: number;
  /** Section index, special SHN_* value or section name. */
  shndx: number | string;
}

export interface WReloc {
  offset: number;
  symbol: number;
  type: number;
  addend?: number;
}

export interface WRelocSection {
  /** Name of the relocated section (its sh_info). */
  target: string;
  entries: WReloc[];
  rela?: boolean;
  /** Section name; defaults to ".rel" + target. */
  name?: string;
}

export interface WElf {
  littleEndian?: boolean;
  machine?: number;
  type?: number;
  flags?: number;
  sections: WSection[];
  /** Symbols after the mandatory null symbol 0. */
  symbols?: WSymbol[];
  relocs?: WRelocSection[];
}

export interface WrittenElf {
  bytes: Uint8Array;
  shoff: number;
  /** Name -> section index. */
  index: Map<string, number>;
}

function put64(v: DataView, off: number, x: number, le: boolean): void {
  const lo = x >>> 0;
  const hi = Math.floor(x / 0x1_0000_0000) >>> 0;
  v.setUint32(off + (le ? 0 : 4), lo, le);
  v.setUint32(off + (le ? 4 : 0), hi, le);
}

/** Serialise `spec` into ELF bytes. */
export function writeElf(spec: WElf): WrittenElf {
  const le = spec.littleEndian ?? true;
  const enc = new TextEncoder();
  // String table shared by section and symbol names.
  const strParts: number[] = [0];
  const strOff = new Map<string, number>([['', 0]]);
  const str = (s: string): number => {
    let o = strOff.get(s);
    if (o === undefined) {
      o = strParts.length;
      strOff.set(s, o);
      for (const b of enc.encode(s)) strParts.push(b);
      strParts.push(0);
    }
    return o;
  };

  interface Full extends WSection {
    data: Uint8Array;
  }
  const all: Full[] = [{ name: '', type: SHT.NULL, data: new Uint8Array(0) }];
  all.push({ name: '.strtab', type: SHT.STRTAB, data: new Uint8Array(0) }); // filled later
  for (const s of spec.sections) all.push({ ...s, data: s.data ?? new Uint8Array(0) });
  const index = new Map<string, number>();
  all.forEach((s, i) => {
    if (!index.has(s.name)) index.set(s.name, i);
  });
  const symtabIndex = all.length + (spec.relocs?.length ?? 0);
  for (const rs of spec.relocs ?? []) {
    const rela = rs.rela ?? false;
    const es = rela ? ELF64_SIZES.RELA : ELF64_SIZES.REL;
    const d = new Uint8Array(rs.entries.length * es);
    const v = new DataView(d.buffer);
    rs.entries.forEach((e, i) => {
      put64(v, i * es, e.offset, le);
      v.setUint32(i * es + 8 + (le ? 0 : 4), e.type, le);
      v.setUint32(i * es + 8 + (le ? 4 : 0), e.symbol, le);
      if (rela) {
        const a = e.addend ?? 0;
        put64(v, i * es + 16, a < 0 ? 0 : a, le);
        if (a < 0) {
          v.setInt32(i * es + 16 + (le ? 0 : 4), a | 0, le);
          v.setInt32(i * es + 16 + (le ? 4 : 0), -1, le);
        }
      }
    });
    const name = rs.name ?? (rela ? '.rela' : '.rel') + rs.target;
    index.set(name, all.length);
    all.push({ name, type: rela ? SHT.RELA : SHT.REL, data: d, link: symtabIndex, info: rs.target, entsize: es, addralign: 8 });
  }
  const resolve = (x: number | string | undefined): number => {
    if (x === undefined) return 0;
    if (typeof x === 'number') return x;
    const i = index.get(x);
    if (i === undefined) throw new Error(`writeElf: unknown section ${x}`);
    return i;
  };
  const syms: WSymbol[] = [{ name: '', shndx: 0 }, ...(spec.symbols ?? [])];
  const symData = new Uint8Array(syms.length * ELF64_SIZES.SYM);
  const sv = new DataView(symData.buffer);
  syms.forEach((s, i) => {
    const o = i * ELF64_SIZES.SYM;
    sv.setUint32(o, s.name === '' ? 0 : str(s.name), le);
    sv.setUint8(o + 4, ((s.bind ?? 0) << 4) | (s.type ?? 0));
    sv.setUint8(o + 5, s.other ?? 0);
    sv.setUint16(o + 6, resolve(s.shndx), le);
    put64(sv, o + 8, s.value ?? 0, le);
    put64(sv, o + 16, s.size ?? 0, le);
  });
  all.push({ name: '.symtab', type: SHT.SYMTAB, data: symData, link: 1, info: 1, entsize: ELF64_SIZES.SYM, addralign: 8 });
  index.set('.symtab', all.length - 1);
  for (const s of all) str(s.name);
  all[1]!.data = new Uint8Array(strParts);

  // Layout.
  let off = ELF64_SIZES.EHDR;
  const offsets: number[] = [];
  for (const s of all) {
    off = Math.ceil(off / 8) * 8;
    offsets.push(off);
    if (s.type !== SHT.NOBITS) off += s.data.length;
  }
  const shoff = Math.ceil(off / 8) * 8;
  const total = shoff + all.length * ELF64_SIZES.SHDR;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1, 0]);
  v.setUint16(16, spec.type ?? ET.REL, le);
  v.setUint16(18, spec.machine ?? EM_BPF, le);
  v.setUint32(20, 1, le);
  put64(v, 40, shoff, le);
  v.setUint32(48, spec.flags ?? 0, le);
  v.setUint16(52, ELF64_SIZES.EHDR, le);
  v.setUint16(58, ELF64_SIZES.SHDR, le);
  v.setUint16(60, all.length, le);
  v.setUint16(62, 1, le);
  all.forEach((s, i) => {
    if (s.type !== SHT.NOBITS) out.set(s.data, offsets[i]!);
    const o = shoff + i * ELF64_SIZES.SHDR;
    if (i === 0) return;
    v.setUint32(o, str(s.name), le);
    v.setUint32(o + 4, s.type, le);
    put64(v, o + 8, s.flags ?? 0, le);
    put64(v, o + 24, offsets[i]!, le);
    put64(v, o + 32, s.type === SHT.NOBITS ? (s.size ?? 0) : s.data.length, le);
    v.setUint32(o + 40, resolve(s.link), le);
    v.setUint32(o + 44, resolve(s.info), le);
    put64(v, o + 48, s.addralign ?? 1, le);
    put64(v, o + 56, s.entsize ?? 0, le);
  });
  return { bytes: out, shoff, index };
}

/** The code bytes of the sample's `xdp` section. */
export const SAMPLE_CODE = new Uint8Array([
  0x18, 0x01, 0, 0, 0, 0, 0, 0, /* ld_imm64 */ 0, 0, 0, 0, 0, 0, 0, 0,
  0x85, 0x10, 0, 0, 0xff, 0xff, 0xff, 0xff, /* call -1 */ 0x95, 0, 0, 0, 0, 0, 0, 0,
]);

/** A clang-like object: .text, xdp, .data, .bss, .maps, relocations in two sections. */
export function sampleSpec(littleEndian: boolean): WElf {
  return {
    littleEndian,
    sections: [
      { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: new Uint8Array(16), addralign: 8 },
      { name: 'xdp', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: SAMPLE_CODE, addralign: 8 },
      { name: '.data', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new Uint8Array([1, 2, 3, 4]), addralign: 4 },
      { name: '.bss', type: SHT.NOBITS, flags: SHF.ALLOC | SHF.WRITE, size: 64, addralign: 8 },
      { name: '.maps', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new Uint8Array(32), addralign: 8 },
    ],
    symbols: [
      { name: 'x.c', type: STT.FILE, shndx: SHN.ABS },
      { name: '', type: STT.SECTION, shndx: '.text' },
      { name: 'counter', type: STT.OBJECT, bind: STB.GLOBAL, value: 0, size: 4, shndx: '.data' },
      { name: 'prog', type: STT.FUNC, bind: STB.GLOBAL, value: 0, size: 32, shndx: 'xdp' },
      { name: 'kfunc', type: STT.NOTYPE, bind: STB.WEAK, shndx: SHN.UNDEF },
      { name: 'hidden_var', type: STT.OBJECT, bind: STB.GLOBAL, other: STV.HIDDEN, value: 0x20, size: 8, shndx: '.bss' },
      { name: 'big', type: STT.OBJECT, bind: STB.GLOBAL, value: 2 ** 40, size: 0, shndx: '.maps' },
    ],
    relocs: [
      { target: 'xdp', entries: [{ offset: 0, symbol: 3, type: R_BPF.R_64_64 }] },
      { target: 'xdp', name: '.rel.extra', entries: [{ offset: 16, symbol: 5, type: R_BPF.R_64_32 }] },
      { target: '.maps', rela: true, entries: [{ offset: 8, symbol: 4, type: R_BPF.R_64_ABS64, addend: -8 }] },
    ],
  };
}

