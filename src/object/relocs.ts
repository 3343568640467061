/**
 * Code relocations (libbpf bpf_object__collect_prog_relos / bpf_program__record_reloc): each
 * SHT_REL entry for an executable section is attached to the function containing its
 * instruction and classified by its symbol:
 *
 * ```
 *  symbol                                   insn    record
 *  UND GLOBAL/WEAK NOTYPE (an extern)       call    extern_call  (kfunc call)
 *                                           lddw    extern_ld64  (kconfig, ksym, kfunc address)
 *  .text section symbol / GLOBAL FUNC       call    call         target = st_value/8 + imm + 1
 *  (same)                                   lddw    func_addr    target = (st_value + imm) / 8
 *  OBJECT in .maps or legacy maps           lddw    map          map at st_value
 *  symbol in .data* .rodata* .bss*          lddw    data         value offset = st_value + imm
 * ```
 * Relocation types must match the instruction (R_BPF_64_64 on lddw, R_BPF_64_32 on call).
 * Relocations in gaps between functions are skipped, as libbpf does for eliminated weak
 * functions.
 */
import { R_BPF, SHN } from '../elf/index.js';
import { LDDW } from '../isa/insn.js';
import { isExternSymbol, isSubprogSymbol, sectionLabel, symbolLabel, type LoadContext } from './context.js';
import { ObjectError } from './errors.js';
import type { ExternTable } from './externs.js';
import type { ProgramTable, SectionProgram } from './programs.js';
import { Pseudo } from './uapi.js';

const CALL = 0x85;

/** One classified code relocation (`idx` is relative to the function start). */
export type CodeReloc =
  | { readonly type: 'map'; readonly idx: number; readonly map: number }
  | { readonly type: 'data'; readonly idx: number; readonly map: number; readonly symOff: number }
  | { readonly type: 'extern_call'; readonly idx: number; readonly ext: number }
  | { readonly type: 'extern_ld64'; readonly idx: number; readonly ext: number }
  | { readonly type: 'call'; readonly idx: number; readonly symOff: number }
  | { readonly type: 'func_addr'; readonly idx: number; readonly symOff: number };

/** Where the maps of each kind live in the final map list. */
export interface MapLookup {
  /** Map index for a definition at (section, offset) in `.maps` or legacy `maps`. */
  userMap(section: number, offset: number): number | undefined;
  /** Map index of the global data map of a section. */
  dataMap(section: number): number | undefined;
}

/** Collect and classify every code relocation, per function. */
export function collectCodeRelocs(ctx: LoadContext, progs: ProgramTable, maps: MapLookup, externs: ExternTable): Map<SectionProgram, Map<number, CodeReloc>> {
  const { elf } = ctx;
  const out = new Map<SectionProgram, Map<number, CodeReloc>>();
  for (const s of elf.sections) {
    const role = ctx.roles[s.index];
    if (role !== 'program' && role !== 'text') continue;
    elf.relocationsFor(s.index).forEach((r, i) => {
      const sym = elf.symbol(r.symbolIndex);
      const name = symbolLabel(elf, sym);
      const where = `programs: ${sectionLabel(s)}: relocation ${i} at insn ${r.offset / 8}: symbol '${name}'`;
      const bad = (msg: string) => new ObjectError('OBJ_BAD_RELOCATION', `${where}: ${msg}`);
      if (r.offset % 8 !== 0) throw bad(`offset ${r.offset} is not instruction aligned`);
      const secIdx = r.offset / 8;
      const prog = progs.containing(s.index, secIdx);
      if (prog === undefined) return;
      const idx = secIdx - prog.start;
      const insn = prog.insns[idx]!;
      const isCall = insn.code === CALL;
      const isLddw = insn.code === LDDW;
      if (!isCall && !isLddw) throw bad(`instruction opcode 0x${insn.code.toString(16)} is neither call nor lddw`);
      if (isLddw && idx + 1 >= prog.length) throw bad(`lddw has no second slot in function '${prog.name}'`);
      const wantType = isCall ? R_BPF.R_64_32 : R_BPF.R_64_64;
      if (r.type !== wantType) throw bad(`relocation type ${r.type} does not fit ${isCall ? 'call (R_BPF_64_32)' : 'lddw (R_BPF_64_64)'}`);
      let rec: CodeReloc;
      if (isExternSymbol(sym)) {
        const ext = externs.bySymbol.get(sym.index);
        if (ext === undefined) throw bad('extern without a collected extern');
        rec = isCall ? { type: 'extern_call', idx, ext } : { type: 'extern_ld64', idx, ext };
      } else if (isCall) {
        if (insn.src !== Pseudo.CALL) throw bad(`call with src_reg ${insn.src} is not a bpf-to-bpf call`);
        if (ctx.textIndex === 0 || sym.shndx !== ctx.textIndex) throw bad('call target is not in .text');
        if (sym.value % 8 !== 0) throw bad(`call target offset ${sym.value} is not instruction aligned`);
        rec = { type: 'call', idx, symOff: sym.value };
      } else if (sym.shndx === SHN.UNDEF || sym.shndx >= SHN.LORESERVE) {
        throw bad(`symbol in special section 0x${sym.shndx.toString(16)} (uninitialised global?)`);
      } else if (isSubprogSymbol(sym, ctx.textIndex)) {
        if (sym.value % 8 !== 0 || insn.imm % 8 !== 0) throw bad(`function address ${sym.value}+${insn.imm} is not instruction aligned`);
        rec = { type: 'func_addr', idx, symOff: sym.value };
      } else if (sym.shndx === ctx.mapsIndex || sym.shndx === ctx.legacyMapsIndex) {
        const map = maps.userMap(sym.shndx, sym.value);
        if (map === undefined) throw bad(`no map defined at offset ${sym.value} of section '${elf.section(sym.shndx).name}'`);
        rec = { type: 'map', idx, map };
      } else {
        const map = maps.dataMap(sym.shndx);
        if (map === undefined) throw bad(`section '${elf.section(sym.shndx).name}' is neither maps nor global data`);
        rec = { type: 'data', idx, map, symOff: sym.value };
      }
      let m = out.get(prog);
      if (m === undefined) out.set(prog, (m = new Map()));
      if (m.has(idx)) throw bad('a second relocation for the same instruction');
      m.set(idx, rec);
    });
  }
  return out;
}
