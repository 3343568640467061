/**
 * Linking (libbpf bpf_object__relocate_calls / bpf_object__reloc_code / relocate_data): each
 * entry point gets a private copy of its code; every `.text` function it reaches through a
 * bpf-to-bpf call or a callback address is appended once, depth-first in the order the calls
 * appear (a newly appended function is processed before the caller continues), and each call's
 * imm becomes `target - (pc + 1)`. Calls without a relocation are calls within the same section
 * (`.text` to `.text`): `target = section pc + imm + 1`. Then the data relocations of the
 * program and of every appended function are applied in the index forms (see spec.ts), and the
 * `.BTF.ext` func_info/line_info records of each appended range are copied with their byte
 * offsets turned into linked instruction indices (libbpf adjust_prog_btf_ext_info): if the
 * program itself has none, that kind is dropped; if it has some and an appended function has
 * none, the load fails.
 *
 * Stricter than libbpf: a call or callback must target the first instruction of a `.text`
 * function (libbpf silently takes the function containing the target).
 */
import type { BtfExtSection, BtfFuncInfo, BtfLineInfo } from '../btf/ext.js';
import { cloneInsn, LDDW, type RawInsn } from '../isa/insn.js';
import type { LoadContext } from './context.js';
import type { FunctionCore } from './corerelo.js';
import { ObjectError } from './errors.js';
import type { ExternTable } from './externs.js';
import type { ProgramTable, SectionProgram } from './programs.js';
import type { CodeReloc } from './relocs.js';
import type { CoreReloSpec, FuncInfoSpec, FunctionSpan, LineInfoSpec, PoisonSpec, RelocationSpec } from './spec.js';
import { Pseudo } from './uapi.js';

const CALL = 0x85;

/** What the linker needs besides the functions. */
export interface LinkInputs {
  readonly ctx: LoadContext;
  readonly progs: ProgramTable;
  readonly relocs: ReadonlyMap<SectionProgram, ReadonlyMap<number, CodeReloc>>;
  readonly core: ReadonlyMap<SectionProgram, FunctionCore>;
  readonly externs: ExternTable;
  /** Map names by index. */
  readonly mapNames: readonly string[];
  /** Index of the `.kconfig` map, or -1. */
  readonly kconfigMap: number;
}

/** A linked program's code and the per-pc tables. */
export interface LinkedProgram {
  readonly insns: RawInsn[];
  readonly functions: FunctionSpan[];
  readonly funcInfo: FuncInfoSpec[];
  readonly lineInfo: LineInfoSpec[];
  readonly relocations: RelocationSpec[];
  readonly coreRelos: CoreReloSpec[];
  readonly poisoned: PoisonSpec[];
}

interface Frame {
  readonly fn: SectionProgram;
  readonly base: number;
  i: number;
}

/**
 * The `.text` function a BTF decl tag "exception_callback:<fn>" on `main`'s FUNC names (BPF
 * exceptions, bpf_experimental.h's __exception_cb), or undefined when there is none; a tag naming a
 * function that is not in `.text` is an error, as in libbpf.
 */
function exceptionCallbackOf(inp: LinkInputs, main: SectionProgram): SectionProgram | undefined {
  const btf = inp.ctx.btf;
  if (btf === undefined) return undefined;
  const PREFIX = 'exception_callback:';
  const mainFuncs = new Set<number>();
  btf.types.forEach((t, i) => {
    if (t.kind === 'FUNC' && t.name === main.name) mainFuncs.add(btf.startId + i);
  });
  const tag = btf.types.find((t) => t.kind === 'DECL_TAG' && t.componentIdx === -1 && mainFuncs.has(t.type) && t.name.startsWith(PREFIX));
  if (tag === undefined || tag.kind !== 'DECL_TAG') return undefined;
  const name = tag.name.slice(PREFIX.length);
  const fn = inp.progs.all.find((p) => p.isSubprog && p.name === name);
  if (fn === undefined) throw new ObjectError('OBJ_BAD_SUBPROG', `programs: program '${main.name}': exception callback '${name}' is not a .text function`);
  return fn;
}

/** Records of one .BTF.ext kind inside a function's byte range. */
function extRecords<T extends { insnOff: number }>(blocks: readonly BtfExtSection<T>[], fn: SectionProgram): T[] {
  const out: T[] = [];
  const lo = fn.start * 8;
  const hi = (fn.start + fn.length) * 8;
  for (const b of blocks) {
    if (b.section !== fn.sectionName) continue;
    for (const r of b.records) if (r.insnOff >= lo && r.insnOff < hi) out.push(r);
  }
  return out;
}

/** Link one entry point. */
export function linkProgram(inp: LinkInputs, main: SectionProgram): LinkedProgram {
  const { ctx, progs } = inp;
  const where = `programs: program '${main.name}'`;
  const insns: RawInsn[] = main.insns.map(cloneInsn);
  const functions: FunctionSpan[] = [{ name: main.name, pc: 0, length: main.length }];
  const placed = new Map<SectionProgram, number>([[main, 0]]);
  const relocations: RelocationSpec[] = [];
  const order: { fn: SectionProgram; base: number }[] = [{ fn: main, base: 0 }];
  const stack: Frame[] = [{ fn: main, base: 0, i: 0 }];
  // libbpf (1.3+) appends the exception callback the main program names even when nothing calls it
  const excCb = exceptionCallbackOf(inp, main);
  let excCbPending = excCb !== undefined;

  for (;;) {
    if (stack.length === 0) {
      if (!excCbPending) break;
      excCbPending = false;
      if (!placed.has(excCb!)) {
        const subPc = insns.length;
        placed.set(excCb!, subPc);
        for (const x of excCb!.insns) insns.push(cloneInsn(x));
        functions.push({ name: excCb!.name, pc: subPc, length: excCb!.length });
        order.push({ fn: excCb!, base: subPc });
        stack.push({ fn: excCb!, base: subPc, i: 0 });
      }
      continue;
    }
    const f = stack[stack.length - 1]!;
    if (f.i >= f.fn.length) {
      stack.pop();
      continue;
    }
    const idx = f.i++;
    const pc = f.base + idx;
    const insn = insns[pc]!;
    const rel = inp.relocs.get(f.fn)?.get(idx);
    const isCall = insn.code === CALL && insn.src === Pseudo.CALL;
    const isFuncAddr = rel?.type === 'func_addr';
    if (!isCall && !isFuncAddr) continue;
    if (rel?.type === 'extern_call') continue;
    const w = `${where}: function '${f.fn.name}' insn ${idx}`;
    let target: number;
    let secIdx: number;
    if (rel?.type === 'call') {
      target = rel.symOff / 8 + insn.imm + 1;
      secIdx = ctx.textIndex;
    } else if (rel?.type === 'func_addr') {
      if (insn.code !== LDDW) throw new ObjectError('OBJ_BAD_SUBPROG', `${w}: function address on a non-lddw instruction`);
      const byte = rel.symOff + insn.imm;
      if (byte % 8 !== 0) throw new ObjectError('OBJ_BAD_SUBPROG', `${w}: function address ${byte} is not instruction aligned`);
      target = byte / 8;
      secIdx = ctx.textIndex;
    } else if (rel === undefined) {
      if (insn.dst !== 0 || insn.off !== 0) throw new ObjectError('OBJ_BAD_SUBPROG', `${w}: bpf-to-bpf call with dst ${insn.dst} / off ${insn.off}`);
      if (!f.fn.isSubprog) throw new ObjectError('OBJ_BAD_SUBPROG', `${w}: call without a relocation outside .text (imm ${insn.imm})`);
      target = f.fn.start + idx + insn.imm + 1;
      secIdx = f.fn.sectionIndex;
    } else {
      throw new ObjectError('OBJ_BAD_SUBPROG', `${w}: call instruction with a ${rel.type} relocation`);
    }
    const sub = progs.startingAt(secIdx, target);
    if (sub === undefined || !sub.isSubprog) {
      throw new ObjectError('OBJ_BAD_SUBPROG', `${w}: target .text instruction ${target} is not the start of a subprogram`);
    }
    let subPc = placed.get(sub);
    if (subPc === undefined) {
      subPc = insns.length;
      placed.set(sub, subPc);
      for (const x of sub.insns) insns.push(cloneInsn(x));
      functions.push({ name: sub.name, pc: subPc, length: sub.length });
      order.push({ fn: sub, base: subPc });
      stack.push({ fn: sub, base: subPc, i: 0 });
    }
    const rels = subPc - pc - 1;
    if (rels < -0x80000000 || rels > 0x7fffffff) throw new ObjectError('OBJ_BAD_SUBPROG', `${w}: call distance ${rels} does not fit imm`);
    insns[pc] = { ...insn, src: isFuncAddr ? Pseudo.FUNC : insn.src, imm: rels };
    relocations.push({ pc, kind: isFuncAddr ? 'func_addr' : 'call', target: sub.name, offset: subPc });
  }

  // Data relocations of every placed function, in the index forms.
  for (const { fn, base } of order) {
    const m = inp.relocs.get(fn);
    if (m === undefined) continue;
    for (const r of m.values()) {
      const pc = base + r.idx;
      const i0 = insns[pc]!;
      switch (r.type) {
        case 'map':
          insns[pc] = { ...i0, src: Pseudo.MAP_IDX, imm: r.map };
          relocations.push({ pc, kind: 'map', target: inp.mapNames[r.map]!, offset: 0 });
          break;
        case 'data': {
          const off = (i0.imm + r.symOff) | 0;
          insns[pc] = { ...i0, src: Pseudo.MAP_IDX_VALUE, imm: r.map };
          insns[pc + 1] = { ...insns[pc + 1]!, imm: off };
          relocations.push({ pc, kind: 'map_value', target: inp.mapNames[r.map]!, offset: off });
          break;
        }
        case 'extern_ld64': {
          const e = inp.externs.list[r.ext]!.spec;
          if (e.kind === 'kconfig') {
            insns[pc] = { ...i0, src: Pseudo.MAP_IDX_VALUE, imm: inp.kconfigMap };
            insns[pc + 1] = { ...insns[pc + 1]!, imm: e.kconfig!.offset };
            relocations.push({ pc, kind: 'kconfig', target: e.name, offset: e.kconfig!.offset });
          } else {
            insns[pc] = { ...i0, src: Pseudo.BTF_ID, imm: r.ext };
            insns[pc + 1] = { ...insns[pc + 1]!, imm: 0 };
            relocations.push({ pc, kind: e.kind === 'kfunc' ? 'kfunc_addr' : 'ksym', target: e.name, offset: 0 });
          }
          break;
        }
        case 'extern_call': {
          const e = inp.externs.list[r.ext]!.spec;
          if (e.kind !== 'kfunc') throw new ObjectError('OBJ_BAD_RELOCATION', `${where}: call to extern '${e.name}', which is a ${e.kind}, not a kfunc`);
          insns[pc] = { ...i0, src: Pseudo.KFUNC_CALL, imm: r.ext, off: 0 };
          relocations.push({ pc, kind: 'kfunc_call', target: e.name, offset: 0 });
          break;
        }
        case 'call':
        case 'func_addr':
          break;
      }
    }
  }
  relocations.sort((a, b) => a.pc - b.pc);

  const coreRelos: CoreReloSpec[] = [];
  const poisoned: PoisonSpec[] = [];
  for (const { fn, base } of order) {
    const c = inp.core.get(fn);
    if (c === undefined) continue;
    for (const r of c.relos) coreRelos.push({ ...r, pc: r.pc + base });
    for (const p of c.poisoned) poisoned.push({ ...p, pc: p.pc + base });
  }

  const { funcInfo, lineInfo } = linkExtInfo(ctx, order, where);
  return { insns, functions, funcInfo, lineInfo, relocations, coreRelos, poisoned };
}

function linkExtInfo(ctx: LoadContext, order: readonly { fn: SectionProgram; base: number }[], where: string): { funcInfo: FuncInfoSpec[]; lineInfo: LineInfoSpec[] } {
  const { ext, btf } = ctx;
  if (ext === undefined) return { funcInfo: [], lineInfo: [] };
  const one = <T extends { insnOff: number }, R>(blocks: readonly BtfExtSection<T>[], what: string, map: (r: T, pc: number) => R): R[] => {
    const out: R[] = [];
    for (let k = 0; k < order.length; k++) {
      const { fn, base } = order[k]!;
      const recs = extRecords(blocks, fn);
      if (recs.length === 0) {
        if (k === 0) return [];
        throw new ObjectError('OBJ_BAD_BTF', `${where}: function '${fn.name}' has no .BTF.ext ${what} while the program has`);
      }
      for (const r of recs) out.push(map(r, base + r.insnOff / 8 - fn.start));
    }
    return out;
  };
  const funcInfo = one<BtfFuncInfo, FuncInfoSpec>(ext.funcInfo, 'func_info', (r, pc) => ({ pc, typeId: r.typeId, name: btf?.name(r.typeId) ?? '' }));
  const lineInfo = one<BtfLineInfo, LineInfoSpec>(ext.lineInfo, 'line_info', (r, pc) => ({ pc, file: r.fileName, line: r.line, column: r.column, text: r.lineText }));
  return { funcInfo, lineInfo };
}
