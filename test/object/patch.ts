/**
 * Byte patches of fixture objects for targeted error tests: each helper finds the structure with
 * the ELF reader and returns a modified copy (the input is never changed).
 */
import { readFileSync } from 'node:fs';
import { parseElf, SHT, type ElfFile } from '../../src/elf/index.js';

/** A committed fixture's bytes. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../programs/${name}.bpf.o`, import.meta.url)));
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function shoff(b: Uint8Array, le: boolean): number {
  return Number(view(b).getBigUint64(40, le));
}

/** Offset of the NUL-terminated string `s` in `.strtab` (a whole string, not a suffix). */
export function strOffset(bytes: Uint8Array, s: string): number {
  const e = parseElf(bytes);
  const st = e.sections[e.shstrndx]!;
  const want = new TextEncoder().encode(`\0${s}\0`);
  const d = st.data;
  for (let i = 0; i + want.length <= d.length; i++) {
    let ok = true;
    for (let k = 0; k < want.length && ok; k++) ok = d[i + k] === want[k];
    if (ok) return i + 1;
  }
  throw new Error(`string '${s}' not in .strtab`);
}

function sectionIndex(e: ElfFile, name: string): number {
  const s = e.sections.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no section ${name}`);
  return s.index;
}

/** Change fields of the section header named `name`. */
export function patchSection(bytes: Uint8Array, name: string, f: { nameOff?: number; type?: number; size?: number }): Uint8Array {
  const e = parseElf(bytes);
  const out = bytes.slice();
  const v = view(out);
  const o = shoff(out, e.littleEndian) + 64 * sectionIndex(e, name);
  if (f.nameOff !== undefined) v.setUint32(o, f.nameOff, e.littleEndian);
  if (f.type !== undefined) v.setUint32(o + 4, f.type, e.littleEndian);
  if (f.size !== undefined) v.setBigUint64(o + 32, BigInt(f.size), e.littleEndian);
  return out;
}

/** Change fields of the (first) symbol named `name`. */
export function patchSymbol(bytes: Uint8Array, name: string, f: { nameOff?: number; info?: number; shndx?: number; value?: number }): Uint8Array {
  const e = parseElf(bytes);
  const sym = e.symbols.find((s) => s.name === name);
  if (sym === undefined) throw new Error(`no symbol ${name}`);
  const out = bytes.slice();
  const v = view(out);
  const o = e.sections[e.symtabIndex]!.offset + 24 * sym.index;
  if (f.nameOff !== undefined) v.setUint32(o, f.nameOff, e.littleEndian);
  if (f.info !== undefined) v.setUint8(o + 4, f.info);
  if (f.shndx !== undefined) v.setUint16(o + 6, f.shndx, e.littleEndian);
  if (f.value !== undefined) v.setBigUint64(o + 8, BigInt(f.value), e.littleEndian);
  return out;
}

/** Change relocation `i` of the SHT_REL section whose target is section `target`. */
export function patchReloc(bytes: Uint8Array, target: string, i: number, f: { offset?: number; type?: number }): Uint8Array {
  const e = parseElf(bytes);
  const t = sectionIndex(e, target);
  const rs = e.sections.find((s) => s.type === SHT.REL && s.info === t);
  if (rs === undefined) throw new Error(`no relocations for ${target}`);
  const out = bytes.slice();
  const v = view(out);
  const o = rs.offset + 16 * i;
  const le = e.littleEndian;
  if (f.offset !== undefined) v.setBigUint64(o, BigInt(f.offset), le);
  if (f.type !== undefined) v.setUint32(o + 8 + (le ? 0 : 4), f.type, le);
  return out;
}

/** Change fields of instruction `pc` (section-relative) of section `section` (little-endian objects). */
export function patchInsn(bytes: Uint8Array, section: string, pc: number, f: { code?: number; imm?: number }): Uint8Array {
  const e = parseElf(bytes);
  const s = e.sections[sectionIndex(e, section)]!;
  const out = bytes.slice();
  const v = view(out);
  const o = s.offset + 8 * pc;
  if (f.code !== undefined) v.setUint8(o, f.code);
  if (f.imm !== undefined) v.setInt32(o + 4, f.imm, e.littleEndian);
  return out;
}
