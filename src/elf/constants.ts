/**
 * ELF constants used by the reader, with their numeric values.
 *
 * Sources: the System V gABI ("ELF-64 Object File Format" and the generic ABI chapter 4,
 * https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html), LLVM's
 * `llvm/include/llvm/BinaryFormat/ELF.h` for the LLVM-specific section type, and the
 * "BPF LLVM Relocations" document (kernel Documentation/bpf/llvm_reloc.rst, mirroring LLVM's
 * `ELFRelocs/BPF.def`) for the `R_BPF_*` numbers.
 */

/** `e_ident` byte offsets and values (gABI "ELF Identification"). */
export const EI = {
  MAG0: 0,
  CLASS: 4,
  DATA: 5,
  VERSION: 6,
  OSABI: 7,
  NIDENT: 16,
} as const;

/** `EI_CLASS` values. */
export const ELFCLASS = { NONE: 0, CLASS32: 1, CLASS64: 2 } as const;

/** `EI_DATA` values: 1 = two's complement little-endian, 2 = big-endian. */
export const ELFDATA = { NONE: 0, LSB: 1, MSB: 2 } as const;

/** `EV_CURRENT`, the only ELF version. */
export const EV_CURRENT = 1;

/** `e_type` values. */
export const ET = { NONE: 0, REL: 1, EXEC: 2, DYN: 3, CORE: 4 } as const;

/** `e_machine` for BPF (gABI registry, value 247). */
export const EM_BPF = 247;

/** Sizes of the fixed ELF64 records, in bytes. */
export const ELF64_SIZES = {
  EHDR: 64,
  SHDR: 64,
  SYM: 24,
  REL: 16,
  RELA: 24,
} as const;

/** Section header types (`sh_type`). */
export const SHT = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  HASH: 5,
  DYNAMIC: 6,
  NOTE: 7,
  NOBITS: 8,
  REL: 9,
  SHLIB: 10,
  DYNSYM: 11,
  INIT_ARRAY: 14,
  FINI_ARRAY: 15,
  PREINIT_ARRAY: 16,
  GROUP: 17,
  SYMTAB_SHNDX: 18,
  /** LLVM's address-significance table (`.llvm_addrsig`); loaders ignore it. */
  LLVM_ADDRSIG: 0x6fff4c03,
} as const;

/** Section header flags (`sh_flags`), a bit set. */
export const SHF = {
  WRITE: 0x1,
  ALLOC: 0x2,
  EXECINSTR: 0x4,
  MERGE: 0x10,
  STRINGS: 0x20,
  INFO_LINK: 0x40,
  LINK_ORDER: 0x80,
  OS_NONCONFORMING: 0x100,
  GROUP: 0x200,
  TLS: 0x400,
  COMPRESSED: 0x800,
  EXCLUDE: 0x80000000,
} as const;

/** Special section indices (`st_shndx`, `e_shstrndx`). */
export const SHN = {
  UNDEF: 0,
  LORESERVE: 0xff00,
  ABS: 0xfff1,
  COMMON: 0xfff2,
  XINDEX: 0xffff,
} as const;

/** Symbol binding, the high nibble of `st_info`. */
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;

/** Symbol type, the low nibble of `st_info`. */
export const STT = {
  NOTYPE: 0,
  OBJECT: 1,
  FUNC: 2,
  SECTION: 3,
  FILE: 4,
  COMMON: 5,
  TLS: 6,
} as const;

/** Symbol visibility, the low two bits of `st_other`. */
export const STV = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as const;

/**
 * BPF relocation types (`ELF64_R_TYPE(r_info)`), from the kernel's
 * Documentation/bpf/llvm_reloc.rst and LLVM's `ELFRelocs/BPF.def`.
 */
export const R_BPF = {
  NONE: 0,
  /** `ld_imm64`: S + A written into the two 32-bit imm halves. */
  R_64_64: 1,
  /** 64-bit data word: S + A. */
  R_64_ABS64: 2,
  /** 32-bit data word: S + A. */
  R_64_ABS32: 3,
  /** 32-bit data word, not for dynamic loaders (.BTF / .BTF.ext). */
  R_64_NODYLD32: 4,
  /** `call` imm: (S + A) / 8 - 1. */
  R_64_32: 10,
} as const;

/**
 * Number of bytes, starting at `r_offset`, that a BPF relocation of each type touches; the
 * reader checks `r_offset + width <= target section size`. Unknown types get width 1.
 */
export const R_BPF_WIDTH: Readonly<Record<number, number>> = {
  [R_BPF.NONE]: 0,
  [R_BPF.R_64_64]: 16, // the whole two-slot ld_imm64 instruction
  [R_BPF.R_64_ABS64]: 8,
  [R_BPF.R_64_ABS32]: 4,
  [R_BPF.R_64_NODYLD32]: 4,
  [R_BPF.R_64_32]: 8, // one call instruction
};

/** Reverse lookup of a constant table: value -> key (first key wins). */
export function constName(table: Readonly<Record<string, number>>, value: number): string | undefined {
  for (const [k, v] of Object.entries(table)) if (v === value) return k;
  return undefined;
}
