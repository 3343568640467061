/**
 * ELF64 reader for BPF relocatable objects (little- and big-endian).
 *
 * Everything is checked eagerly in {@link parseElf}: the header, every section header
 * (bounds, names, link/info targets, entsize), every symbol (name, section index, 64-bit
 * fields) and every relocation in every SHT_REL/SHT_RELA section (symbol index, offset and
 * width inside the target section). The returned {@link ElfFile} is therefore fully
 * validated; its lookup helpers only throw `ELF_NOT_FOUND` for questions about things that do
 * not exist. Section *contents* (BTF, code) are not interpreted here.
 *
 * Not supported (rejected or passed through as raw bytes): ELFCLASS32 (`ELF_BAD_CLASS`),
 * machines other than EM_BPF (`ELF_BAD_MACHINE`), types other than ET_REL (`ELF_BAD_TYPE`),
 * SHF_COMPRESSED sections (their `data` is the compressed bytes), program headers (ignored).
 *
 * ```
 * Elf64_Ehdr (64 B)                       Elf64_Shdr (64 B)
 *  0 e_ident[16]  16 e_type:u16            0 sh_name:u32   4 sh_type:u32
 * 18 e_machine:u16 20 e_version:u32        8 sh_flags:u64 16 sh_addr:u64
 * 24 e_entry:u64  32 e_phoff:u64          24 sh_offset:u64 32 sh_size:u64
 * 40 e_shoff:u64  48 e_flags:u32          40 sh_link:u32  44 sh_info:u32
 * 52 e_ehsize:u16 54 e_phentsize:u16      48 sh_addralign:u64 56 sh_entsize:u64
 * 56 e_phnum:u16  58 e_shentsize:u16
 * 60 e_shnum:u16  62 e_shstrndx:u16
 *
 * Elf64_Sym (24 B)                        Elf64_Rel (16 B) / Elf64_Rela (24 B)
 *  0 st_name:u32 4 st_info:u8 (bind<<4|type)  0 r_offset:u64
 *  5 st_other:u8 (visibility in bits 0-1)     8 r_info:u64 (sym<<32 | type)
 *  6 st_shndx:u16 8 st_value:u64 16 st_size:u64 16 r_addend:s64 (RELA only)
 * ```
 */
import { viewOf } from '../util/bytes.js';
import {
  EI,
  ELF64_SIZES,
  ELFCLASS,
  ELFDATA,
  EM_BPF,
  ET,
  EV_CURRENT,
  R_BPF_WIDTH,
  SHN,
  SHT,
  STT,
} from './constants.js';
import { ElfError } from './errors.js';

/** One section header plus its bytes (`data` is empty for SHT_NOBITS and SHT_NULL). */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  readonly data: Uint8Array;
}

/** One symbol-table entry; `shndx` is the raw index (or SHN_* value) after SHN_XINDEX lookup. */
export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly bind: number;
  readonly type: number;
  readonly visibility: number;
  readonly shndx: number;
}

/** One relocation; `addend` is present only for SHT_RELA entries. */
export interface ElfRelocation {
  readonly offset: number;
  readonly symbolIndex: number;
  readonly type: number;
  readonly addend?: number;
}

/** A parsed, validated ELF64 relocatable BPF object. */
export class ElfFile {
  readonly littleEndian: boolean;
  readonly type: number;
  readonly machine: number;
  readonly flags: number;
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  readonly shstrndx: number;
  /** Index of the SHT_SYMTAB section, or 0 when the object has none. */
  readonly symtabIndex: number;
  private readonly relocs: ReadonlyMap<number, readonly ElfRelocation[]>;
  private byName: Map<string, ElfSection> | undefined;

  /** Internal: use {@link parseElf}. */
  constructor(init: {
    littleEndian: boolean;
    type: number;
    machine: number;
    flags: number;
    sections: readonly ElfSection[];
    symbols: readonly ElfSymbol[];
    shstrndx: number;
    symtabIndex: number;
    relocs: ReadonlyMap<number, readonly ElfRelocation[]>;
  }) {
    this.littleEndian = init.littleEndian;
    this.type = init.type;
    this.machine = init.machine;
    this.flags = init.flags;
    this.sections = init.sections;
    this.symbols = init.symbols;
    this.shstrndx = init.shstrndx;
    this.symtabIndex = init.symtabIndex;
    this.relocs = init.relocs;
  }

  /** The first section with this name, or undefined. */
  sectionByName(name: string): ElfSection | undefined {
    if (this.byName === undefined) {
      this.byName = new Map();
      for (const s of this.sections) if (s.index !== 0 && !this.byName.has(s.name)) this.byName.set(s.name, s);
    }
    return this.byName.get(name);
  }

  /** The section at `index`; throws ELF_NOT_FOUND when out of range. */
  section(index: number): ElfSection {
    const s = this.sections[index];
    if (s === undefined) {
      throw new ElfError('ELF_NOT_FOUND', `section index ${index} out of range (${this.sections.length} sections)`);
    }
    return s;
  }

  /** The symbol at `index`; throws ELF_NOT_FOUND when out of range. */
  symbol(index: number): ElfSymbol {
    const s = this.symbols[index];
    if (s === undefined) {
      throw new ElfError('ELF_NOT_FOUND', `symbol index ${index} out of range (${this.symbols.length} symbols)`);
    }
    return s;
  }

  /**
   * A symbol's display name: its own name, or for an unnamed STT_SECTION symbol the name of
   * the section it stands for (as llvm-readelf prints it).
   */
  symbolName(index: number): string {
    const sym = this.symbol(index);
    if (sym.name !== '' || sym.type !== STT.SECTION) return sym.name;
    const sec = this.sections[sym.shndx];
    return sec === undefined ? '' : sec.name;
  }

  /** Every symbol named `name` (any binding), in table order. */
  symbolsByName(name: string): ElfSymbol[] {
    return this.symbols.filter((s) => s.index !== 0 && s.name === name);
  }

  /**
   * Every relocation that applies to section `targetSectionIndex`, gathered from all
   * SHT_REL/SHT_RELA sections whose `sh_info` names it (the name ".rel<target>" is not used),
   * in section order then entry order.
   */
  relocationsFor(targetSectionIndex: number): readonly ElfRelocation[] {
    return this.relocs.get(targetSectionIndex) ?? [];
  }

  /** Sections of a given `sh_type`. */
  sectionsOfType(type: number): ElfSection[] {
    return this.sections.filter((s) => s.type === type && s.index !== 0);
  }
}

const TWO32 = 0x1_0000_0000;

/** Little helper bound to one DataView and byte order. */
class Reader {
  constructor(
    readonly view: DataView,
    readonly le: boolean,
  ) {}

  u8(off: number): number {
    return this.view.getUint8(off);
  }

  u16(off: number): number {
    return this.view.getUint16(off, this.le);
  }

  u32(off: number): number {
    return this.view.getUint32(off, this.le);
  }

  /** A u64 that must be below 2^53; `what` names the field for the error. */
  u64(off: number, what: () => string): number {
    const lo = this.view.getUint32(off + (this.le ? 0 : 4), this.le);
    const hi = this.view.getUint32(off + (this.le ? 4 : 0), this.le);
    if (hi >= 0x20_0000) throw new ElfError('ELF_TOO_LARGE', `${what()}: 64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} exceeds 2^53`);
    return hi * TWO32 + lo;
  }

  /** An s64 that must be within ±2^53. */
  s64(off: number, what: () => string): number {
    const lo = this.view.getUint32(off + (this.le ? 0 : 4), this.le);
    const hi = this.view.getInt32(off + (this.le ? 4 : 0), this.le);
    if (hi >= 0x20_0000 || hi < -0x20_0000) throw new ElfError('ELF_TOO_LARGE', `${what()}: 64-bit value out of the ±2^53 range`);
    return hi * TWO32 + lo;
  }
}

/** Read a NUL-terminated string at `off` inside `table`; throws ELF_BAD_STRING. */
function readString(table: Uint8Array, off: number, what: () => string): string {
  if (off >= table.length) {
    if (off === 0 && table.length === 0) return '';
    throw new ElfError('ELF_BAD_STRING', `${what()}: name offset ${off} outside string table (${table.length} bytes)`);
  }
  let end = off;
  while (end < table.length && table[end] !== 0) end++;
  if (end === table.length) {
    throw new ElfError('ELF_BAD_STRING', `${what()}: name at offset ${off} is not NUL-terminated`);
  }
  let s = '';
  for (let i = off; i < end; i++) {
    const c = table[i]!;
    if (c >= 0x80) return new TextDecoder().decode(table.subarray(off, end));
    s += String.fromCharCode(c);
  }
  return s;
}

interface RawShdr {
  nameOff: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

/**
 * Parse and validate an ELF64 EM_BPF ET_REL object. Throws {@link ElfError} for any
 * malformed input; never a RangeError or TypeError.
 */
export function parseElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < EI.NIDENT) {
    throw new ElfError('ELF_TRUNCATED', `file of ${bytes.length} bytes is shorter than e_ident (16)`);
  }
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('ELF_BAD_MAGIC', 'not an ELF file (bad magic)');
  }
  const cls = bytes[EI.CLASS]!;
  if (cls !== ELFCLASS.CLASS64) {
    throw new ElfError('ELF_BAD_CLASS', `EI_CLASS ${cls} is not ELFCLASS64 (only 64-bit objects are supported)`);
  }
  const data = bytes[EI.DATA]!;
  if (data !== ELFDATA.LSB && data !== ELFDATA.MSB) {
    throw new ElfError('ELF_BAD_ENCODING', `EI_DATA ${data} is neither little (1) nor big (2) endian`);
  }
  if (bytes[EI.VERSION] !== EV_CURRENT) {
    throw new ElfError('ELF_BAD_VERSION', `EI_VERSION ${bytes[EI.VERSION]!} is not EV_CURRENT`);
  }
  if (bytes.length < ELF64_SIZES.EHDR) {
    throw new ElfError('ELF_TRUNCATED', `file of ${bytes.length} bytes is shorter than the ELF64 header (64)`);
  }
  const le = data === ELFDATA.LSB;
  const r = new Reader(viewOf(bytes), le);

  const type = r.u16(16);
  const machine = r.u16(18);
  const version = r.u32(20);
  if (version !== EV_CURRENT) throw new ElfError('ELF_BAD_VERSION', `e_version ${version} is not EV_CURRENT`);
  if (type !== ET.REL) throw new ElfError('ELF_BAD_TYPE', `e_type ${type} is not ET_REL (1)`);
  if (machine !== EM_BPF) throw new ElfError('ELF_BAD_MACHINE', `e_machine ${machine} is not EM_BPF (247)`);
  const shoff = r.u64(40, () => 'e_shoff');
  const flags = r.u32(48);
  const ehsize = r.u16(52);
  const shentsize = r.u16(58);
  let shnum = r.u16(60);
  let shstrndx = r.u16(62);
  if (ehsize < ELF64_SIZES.EHDR) throw new ElfError('ELF_BAD_HEADER', `e_ehsize ${ehsize} is smaller than 64`);

  // Section header table. Extended numbering (gABI): e_shnum == 0 with e_shoff != 0 means
  // the count is in section 0's sh_size; e_shstrndx == SHN_XINDEX means it is in sh_link.
  if (shoff === 0) {
    if (shnum !== 0) throw new ElfError('ELF_BAD_HEADER', `e_shnum ${shnum} with e_shoff 0`);
    throw new ElfError('ELF_BAD_HEADER', 'no section header table (e_shoff 0)');
  }
  if (shentsize !== ELF64_SIZES.SHDR) {
    throw new ElfError('ELF_BAD_HEADER', `e_shentsize ${shentsize} is not 64`);
  }
  if (shoff + ELF64_SIZES.SHDR > bytes.length) {
    throw new ElfError('ELF_TRUNCATED', `section header table at 0x${shoff.toString(16)} beyond end of file (${bytes.length} bytes)`);
  }
  if (shnum === 0) {
    shnum = r.u64(shoff + 32, () => 'section 0: extended section count');
  }
  if (shstrndx === SHN.XINDEX) shstrndx = r.u32(shoff + 40);
  if (shnum === 0) throw new ElfError('ELF_BAD_HEADER', 'section header table is empty');
  if (shoff + shnum * ELF64_SIZES.SHDR > bytes.length) {
    throw new ElfError('ELF_TRUNCATED', `section header table (${shnum} entries at 0x${shoff.toString(16)}) beyond end of file (${bytes.length} bytes)`);
  }
  if (shstrndx === SHN.UNDEF || shstrndx >= shnum) {
    throw new ElfError('ELF_BAD_HEADER', `e_shstrndx ${shstrndx} out of range (${shnum} sections)`);
  }

  const raw: RawShdr[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * ELF64_SIZES.SHDR;
    const what = (f: string) => () => `section ${i}: ${f}`;
    raw.push({
      nameOff: r.u32(o),
      type: r.u32(o + 4),
      flags: r.u64(o + 8, what('sh_flags')),
      addr: r.u64(o + 16, what('sh_addr')),
      offset: r.u64(o + 24, what('sh_offset')),
      size: r.u64(o + 32, what('sh_size')),
      link: r.u32(o + 40),
      info: r.u32(o + 44),
      addralign: r.u64(o + 48, what('sh_addralign')),
      entsize: r.u64(o + 56, what('sh_entsize')),
    });
  }

  // Bounds of every section's bytes.
  const datas: Uint8Array[] = raw.map((h, i) => {
    if (i === 0 || h.type === SHT.NULL || h.type === SHT.NOBITS) return bytes.subarray(0, 0);
    if (h.offset > bytes.length || h.size > bytes.length - h.offset) {
      throw new ElfError('ELF_TRUNCATED', `section ${i}: bytes [0x${h.offset.toString(16)}, +0x${h.size.toString(16)}) beyond end of file (${bytes.length} bytes)`);
    }
    if (h.addralign > 1 && !Number.isInteger(Math.log2(h.addralign))) {
      throw new ElfError('ELF_BAD_SECTION', `section ${i}: sh_addralign ${h.addralign} is not a power of two`);
    }
    return bytes.subarray(h.offset, h.offset + h.size);
  });

  const shstr = raw[shstrndx]!;
  if (shstr.type !== SHT.STRTAB) {
    throw new ElfError('ELF_BAD_HEADER', `e_shstrndx ${shstrndx} is not a string table (type ${shstr.type})`);
  }
  const shstrData = datas[shstrndx]!;
  const sections: ElfSection[] = raw.map((h, i) => ({
    index: i,
    name: i === 0 ? '' : readString(shstrData, h.nameOff, () => `section ${i}`),
    type: h.type,
    flags: h.flags,
    addr: h.addr,
    offset: h.offset,
    size: h.size,
    link: h.link,
    info: h.info,
    addralign: h.addralign,
    entsize: h.entsize,
    data: datas[i]!,
  }));
  const label = (s: ElfSection) => `section ${s.index} (${s.name})`;

  // Symbol table: an ET_REL file has at most one SHT_SYMTAB.
  let symtabIndex = 0;
  for (const s of sections) {
    if (s.type !== SHT.SYMTAB) continue;
    if (symtabIndex !== 0) throw new ElfError('ELF_BAD_SECTION', `${label(s)}: second SHT_SYMTAB (first is section ${symtabIndex})`);
    symtabIndex = s.index;
  }
  const symbols: ElfSymbol[] = [];
  if (symtabIndex !== 0) {
    const st = sections[symtabIndex]!;
    if (st.entsize !== ELF64_SIZES.SYM) throw new ElfError('ELF_BAD_SECTION', `${label(st)}: sh_entsize ${st.entsize} is not 24`);
    if (st.size % ELF64_SIZES.SYM !== 0) throw new ElfError('ELF_BAD_SECTION', `${label(st)}: size ${st.size} is not a multiple of 24`);
    const strtab = sections[st.link];
    if (strtab === undefined || st.link === 0 || strtab.type !== SHT.STRTAB) {
      throw new ElfError('ELF_BAD_SECTION', `${label(st)}: sh_link ${st.link} is not a string table`);
    }
    let shndxTable: Uint8Array | undefined;
    for (const s of sections) {
      if (s.type === SHT.SYMTAB_SHNDX && s.link === symtabIndex) {
        if (s.size !== (st.size / ELF64_SIZES.SYM) * 4) throw new ElfError('ELF_BAD_SECTION', `${label(s)}: size ${s.size} does not match the symbol count`);
        shndxTable = s.data;
      }
    }
    const sv = new Reader(viewOf(st.data), le);
    const xv = shndxTable === undefined ? undefined : new Reader(viewOf(shndxTable), le);
    const n = st.size / ELF64_SIZES.SYM;
    for (let i = 0; i < n; i++) {
      const o = i * ELF64_SIZES.SYM;
      const what = () => `symbol ${i}`;
      const nameOff = sv.u32(o);
      const info = sv.u8(o + 4);
      const other = sv.u8(o + 5);
      let shndx = sv.u16(o + 6);
      const value = sv.u64(o + 8, () => `symbol ${i}: st_value`);
      const size = sv.u64(o + 16, () => `symbol ${i}: st_size`);
      if (shndx === SHN.XINDEX) {
        if (xv === undefined) throw new ElfError('ELF_BAD_SYMBOL', `${what()}: st_shndx SHN_XINDEX without a SHT_SYMTAB_SHNDX section`);
        shndx = xv.u32(i * 4);
        if (shndx === 0 || shndx >= sections.length) throw new ElfError('ELF_BAD_SYMBOL', `${what()}: extended section index ${shndx} out of range (${sections.length} sections)`);
      } else if (shndx !== SHN.UNDEF && shndx < SHN.LORESERVE && shndx >= sections.length) {
        throw new ElfError('ELF_BAD_SYMBOL', `${what()}: section index ${shndx} out of range (${sections.length} sections)`);
      } else if (shndx >= SHN.LORESERVE && shndx !== SHN.ABS && shndx !== SHN.COMMON) {
        throw new ElfError('ELF_BAD_SYMBOL', `${what()}: unsupported special section index 0x${shndx.toString(16)}`);
      }
      const name = readString(strtab.data, nameOff, what);
      symbols.push({ index: i, name, value, size, bind: info >> 4, type: info & 0xf, visibility: other & 3, shndx });
    }
  }

  // Relocation sections, grouped by target (sh_info).
  const relocs = new Map<number, ElfRelocation[]>();
  for (const s of sections) {
    if (s.type !== SHT.REL && s.type !== SHT.RELA) continue;
    const rela = s.type === SHT.RELA;
    const entsize = rela ? ELF64_SIZES.RELA : ELF64_SIZES.REL;
    if (s.entsize !== entsize) throw new ElfError('ELF_BAD_SECTION', `${label(s)}: sh_entsize ${s.entsize} is not ${entsize}`);
    if (s.size % entsize !== 0) throw new ElfError('ELF_BAD_SECTION', `${label(s)}: size ${s.size} is not a multiple of ${entsize}`);
    if (s.link !== symtabIndex || symtabIndex === 0) {
      throw new ElfError('ELF_BAD_SECTION', `${label(s)}: sh_link ${s.link} is not the symbol table (${symtabIndex === 0 ? 'none' : symtabIndex})`);
    }
    const target = sections[s.info];
    if (target === undefined || s.info === 0) {
      throw new ElfError('ELF_BAD_SECTION', `${label(s)}: sh_info ${s.info} is not a valid target section (${sections.length} sections)`);
    }
    if (target.type === SHT.REL || target.type === SHT.RELA || target.type === SHT.SYMTAB || target.type === SHT.STRTAB) {
      throw new ElfError('ELF_BAD_SECTION', `${label(s)}: target ${label(target)} cannot be relocated (type ${target.type})`);
    }
    const rv = new Reader(viewOf(s.data), le);
    const n = s.size / entsize;
    let list = relocs.get(target.index);
    if (list === undefined) relocs.set(target.index, (list = []));
    for (let i = 0; i < n; i++) {
      const o = i * entsize;
      const what = () => `${label(s)}: relocation ${i}`;
      const offset = rv.u64(o, what);
      const type = rv.u32(o + 8 + (le ? 0 : 4));
      const symbolIndex = rv.u32(o + 8 + (le ? 4 : 0));
      if (symbolIndex >= symbols.length) {
        throw new ElfError('ELF_BAD_RELOCATION', `${what()}: symbol index ${symbolIndex} out of range (${symbols.length} symbols)`);
      }
      const width = R_BPF_WIDTH[type] ?? 1;
      if (offset > target.size || width > target.size - offset) {
        throw new ElfError('ELF_BAD_RELOCATION', `${what()}: offset 0x${offset.toString(16)} (+${width}) outside ${label(target)} (${target.size} bytes)`);
      }
      if (rela) list.push({ offset, symbolIndex, type, addend: rv.s64(o + 16, what) });
      else list.push({ offset, symbolIndex, type });
    }
  }

  return new ElfFile({ littleEndian: le, type, machine, flags, sections, symbols, shstrndx, symtabIndex, relocs });
}
