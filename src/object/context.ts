/**
 * Shared state of one load: the parsed ELF, each section's role (libbpf bpf_object__elf_collect
 * rules), the object BTF and `.BTF.ext`, and small helpers the stages share.
 */
import type { Btf } from '../btf/btf.js';
import { BtfError } from '../btf/errors.js';
import type { BtfExt } from '../btf/ext.js';
import { describeType } from '../btf/printc.js';
import { SHF, SHN, SHT, STB, STT, type ElfFile, type ElfSection, type ElfSymbol } from '../elf/index.js';
import { ObjectError } from './errors.js';
import type { SectionRole } from './spec.js';

/** Per-load state passed between the stages. */
export interface LoadContext {
  readonly elf: ElfFile;
  readonly le: boolean;
  /** Object name for internal map names. */
  readonly objName: string;
  /** Role of each section, by index. */
  readonly roles: readonly SectionRole[];
  /** Index of a non-empty `.text`, or 0. */
  readonly textIndex: number;
  /** Index of `.maps`, or 0. */
  readonly mapsIndex: number;
  /** Index of the legacy `maps` section, or 0. */
  readonly legacyMapsIndex: number;
  readonly btf: Btf | undefined;
  readonly ext: BtfExt | undefined;
}

const STRUCT_OPS_SECTIONS = new Set(['.struct_ops', '.struct_ops.link', '?.struct_ops', '?.struct_ops.link']);

/** True for DWARF section names (`.debug_*`), whose relocations libbpf ignores too. */
function isDwarf(name: string): boolean {
  return name.startsWith('.debug_') || name === '.debug';
}

function hasPrefix(name: string, base: string): boolean {
  return name === base || name.startsWith(`${base}.`);
}

/**
 * Give each section a role the way libbpf's bpf_object__elf_collect does: well-known names first,
 * then PROGBITS by flags and name prefix, NOBITS `.bss*`, relocation sections. Empty PROGBITS
 * sections (an empty `.text`, an empty `.data`) are ignored, as in libbpf.
 */
export function classifySections(elf: ElfFile): SectionRole[] {
  return elf.sections.map((s): SectionRole => {
    if (s.index === 0) return 'ignored';
    const n = s.name;
    if (s.type === SHT.STRTAB) return 'strtab';
    if (s.type === SHT.SYMTAB) return 'symtab';
    if (s.type === SHT.LLVM_ADDRSIG) return 'ignored';
    if (isDwarf(n)) return 'debug';
    if (n === 'license') return 'license';
    if (n === 'version') return 'version';
    if (n === 'maps') return 'legacy_maps';
    if (n === '.maps') return 'maps';
    if (n === '.BTF') return 'btf';
    if (n === '.BTF.ext') return 'btf_ext';
    if (s.type === SHT.REL || s.type === SHT.RELA) {
      return n.startsWith('.rel') && isDwarf(n.slice(n.startsWith('.rela') ? 5 : 4)) ? 'debug' : 'relocation';
    }
    if (s.type === SHT.PROGBITS && s.size > 0) {
      if ((s.flags & SHF.EXECINSTR) !== 0) return n === '.text' ? 'text' : 'program';
      if (n === ARENA_SECTION) return 'arena';
      if (hasPrefix(n, '.data')) return 'data';
      if (hasPrefix(n, '.rodata')) return 'rodata';
      if (STRUCT_OPS_SECTIONS.has(n)) return 'struct_ops';
      return 'ignored';
    }
    if (s.type === SHT.NOBITS && s.size > 0 && hasPrefix(n, '.bss')) return 'bss';
    return 'ignored';
  });
}

/** libbpf ARENA_SEC: the section clang puts `__attribute__((address_space(1)))` globals in. */
export const ARENA_SECTION = '.addr_space.1';

/** libbpf sym_is_extern: an undefined GLOBAL/WEAK NOTYPE symbol with a name. */
export function isExternSymbol(sym: ElfSymbol): boolean {
  return sym.shndx === SHN.UNDEF && (sym.bind === STB.GLOBAL || sym.bind === STB.WEAK) && sym.type === STT.NOTYPE && sym.name !== '';
}

/** libbpf sym_is_subprog: a `.text` section symbol (static functions) or GLOBAL/WEAK FUNC in `.text`. */
export function isSubprogSymbol(sym: ElfSymbol, textIndex: number): boolean {
  if (textIndex === 0 || sym.shndx !== textIndex) return false;
  if (sym.bind === STB.LOCAL && sym.type === STT.SECTION) return true;
  return (sym.bind === STB.GLOBAL || sym.bind === STB.WEAK) && sym.type === STT.FUNC;
}

/** A symbol's name for messages: a section symbol is named after its section. */
export function symbolLabel(elf: ElfFile, sym: ElfSymbol): string {
  if (sym.name !== '' || sym.type !== STT.SECTION) return sym.name;
  const sec = elf.sections[sym.shndx];
  return sec === undefined ? `<section ${sym.shndx}>` : sec.name;
}

/** `section N (name)` for messages. */
export function sectionLabel(s: ElfSection): string {
  return `section ${s.index} (${s.name})`;
}

/** The BTF or OBJ_NO_BTF naming who needed it. */
export function requireBtf(ctx: LoadContext, who: string): Btf {
  if (ctx.btf === undefined) throw new ObjectError('OBJ_NO_BTF', `${who}: the object has no .BTF section`);
  return ctx.btf;
}

/** describeType that never throws (malformed input shows as `[id]`). */
export function safeDescribe(btf: Btf, id: number): string {
  try {
    return describeType(btf, id);
  } catch (e) {
    if (e instanceof BtfError) return `[${id}]`;
    throw e;
  }
}

/**
 * Run `f`, prefixing a breadcrumb to any BtfError it throws (class, code and cause unchanged);
 * ObjectErrors already carry their own.
 */
export function within<T>(context: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof BtfError) throw e.wrap(context);
    throw e;
  }
}

/** Read a u32 from section data in the object's byte order (caller checks bounds). */
export function u32At(data: Uint8Array, off: number, le: boolean): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(off, le);
}
