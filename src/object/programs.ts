/**
 * Programs as they sit in their sections: executable sections are split by STT_FUNC symbols
 * (libbpf bpf_object__add_programs), entry points get their SEC() convention, `.text`
 * functions become subprograms. Instructions are decoded once per section, in the object's
 * byte order (bpfeb objects swap the register nibbles; readInsns normalises them).
 */
import { SHN, STB, STT } from '../elf/index.js';
import { readInsns, type RawInsn } from '../isa/insn.js';
import type { LoadContext } from './context.js';
import { sectionLabel } from './context.js';
import { ObjectError } from './errors.js';
import { classifySection, type SectionInfo } from './sections.js';
import { ERRNO } from '../util/errno.js';

/** A function in a section: an entry point (program section) or a subprogram (.text). */
export interface SectionProgram {
  readonly name: string;
  readonly sectionIndex: number;
  readonly sectionName: string;
  /** First instruction index inside the section. */
  readonly start: number;
  readonly length: number;
  /** Private copy of the instructions (CO-RE patches them in place). */
  readonly insns: RawInsn[];
  /** A `.text` function. */
  readonly isSubprog: boolean;
  /** SEC() convention of an entry point (undefined for subprograms). */
  readonly sec: SectionInfo | undefined;
  readonly autoload: boolean;
}

/** All functions of the object, sorted by section index then offset, plus a lookup. */
export class ProgramTable {
  readonly all: readonly SectionProgram[];
  private readonly bySection = new Map<number, SectionProgram[]>();

  constructor(all: SectionProgram[]) {
    this.all = all;
    for (const p of all) {
      let l = this.bySection.get(p.sectionIndex);
      if (l === undefined) this.bySection.set(p.sectionIndex, (l = []));
      l.push(p);
    }
  }

  /** Entry points (functions outside .text), in libbpf order. */
  entries(): SectionProgram[] {
    return this.all.filter((p) => !p.isSubprog);
  }

  /** The function of section `sec` containing instruction `idx` (libbpf find_prog_by_sec_insn). */
  containing(sec: number, idx: number): SectionProgram | undefined {
    const l = this.bySection.get(sec);
    if (l === undefined) return undefined;
    let lo = 0;
    let hi = l.length - 1;
    while (lo < hi) {
      const m = lo + ((hi - lo + 1) >> 1);
      if (l[m]!.start <= idx) lo = m;
      else hi = m - 1;
    }
    const p = l[lo];
    return p !== undefined && idx >= p.start && idx < p.start + p.length ? p : undefined;
  }

  /** The function starting exactly at instruction `idx` of section `sec`. */
  startingAt(sec: number, idx: number): SectionProgram | undefined {
    const p = this.containing(sec, idx);
    return p !== undefined && p.start === idx ? p : undefined;
  }

  /** The entry point named `name`. */
  entryByName(name: string): SectionProgram | undefined {
    return this.all.find((p) => !p.isSubprog && p.name === name);
  }
}

/** Split every executable section into functions; classify entry points by their section name. */
export function collectPrograms(ctx: LoadContext): ProgramTable {
  const { elf } = ctx;
  const out: SectionProgram[] = [];
  for (const s of elf.sections) {
    const role = ctx.roles[s.index];
    if (role !== 'program' && role !== 'text') continue;
    const where = `programs: ${sectionLabel(s)}`;
    if (s.size % 8 !== 0) throw new ObjectError('OBJ_BAD_SECTION', `${where}: size ${s.size} is not a multiple of 8`);
    const insns = readInsns(s.data, ctx.le);
    const isText = role === 'text';
    const optional = !isText && s.name.startsWith('?');
    const secName = optional ? s.name.slice(1) : s.name;
    let sec: SectionInfo | undefined;
    const syms = elf.symbols.filter((y) => y.shndx === s.index && y.type === STT.FUNC && y.shndx !== SHN.UNDEF);
    if (!isText && syms.length > 0) {
      sec = classifySection(secName);
      if (sec === undefined) throw new ObjectError('OBJ_UNKNOWN_SECTION', `${where}: no SEC() convention matches '${secName}'`);
    }
    syms.sort((a, b) => a.value - b.value || a.index - b.index);
    let end = 0;
    for (const y of syms) {
      const w = `${where}: function '${y.name}'`;
      if (y.name === '') throw new ObjectError('OBJ_BAD_PROGRAM', `${w}: symbol ${y.index} has no name`);
      if (y.value % 8 !== 0 || y.size % 8 !== 0 || y.size === 0) {
        throw new ObjectError('OBJ_BAD_PROGRAM', `${w}: offset ${y.value} / size ${y.size} is not a non-empty whole number of instructions`);
      }
      if (y.value + y.size > s.size) throw new ObjectError('OBJ_BAD_PROGRAM', `${w}: [${y.value}, +${y.size}) crosses the section end (${s.size} bytes)`);
      if (y.value < end) throw new ObjectError('OBJ_BAD_PROGRAM', `${w}: overlaps the previous function (ends at byte ${end})`);
      if (!isText && y.bind === STB.LOCAL) {
        throw new ObjectError('OBJ_BAD_PROGRAM', `${w}: static programs are not supported (libbpf)`, { errno: ERRNO.EOPNOTSUPP });
      }
      end = y.value + y.size;
      const start = y.value / 8;
      const length = y.size / 8;
      out.push({
        name: y.name,
        sectionIndex: s.index,
        sectionName: s.name,
        start,
        length,
        insns: insns.slice(start, start + length),
        isSubprog: isText,
        sec,
        autoload: !optional,
      });
    }
  }
  out.sort((a, b) => a.sectionIndex - b.sectionIndex || a.start - b.start);
  return new ProgramTable(out);
}
