/**
 * CO-RE application (libbpf bpf_object__relocate_core): every `.BTF.ext` core_relo record is
 * resolved against the target BTF (the user's, e.g. a vmlinux, or the object's own BTF) and
 * patched into the instruction of the function that contains it, before subprograms are
 * linked, so each appended copy carries the patched code. One {@link CoreRelocator} serves the
 * whole object (libbpf's per-object candidate cache).
 *
 * An unsatisfiable relocation poisons its instruction as libbpf's bpf_core_poison_insn does:
 * `call 0xbad2310` (both slots of an lddw); the verifier rejects it only if it is reachable.
 * Fatal conditions (ambiguous candidates, malformed records, an instruction that does not hold
 * the value the local BTF predicts) fail the load with OBJ_BAD_CORE, the CoreError as cause.
 * Records for sections without functions, or outside every function, are skipped (libbpf skips
 * them too).
 *
 * Without a user target the object's own BTF stands in for the kernel's, as a kernel would
 * have it: `___flavour` types are local views that no kernel contains, so they are not
 * candidates (otherwise `task_struct` and `task_struct___v2` in one object would make every
 * relocation against either ambiguous). Relocations against a flavour resolve to the plain type
 * of the same essential name, if the object has one. Unlike libbpf, functions of `?sec` (autoload = false) sections are relocated as
 * well, so the spec is complete whichever programs the user loads.
 */
import { Btf } from '../btf/btf.js';
import { BtfError } from '../btf/errors.js';
import { CoreError, CoreRelocator, coreReloKindName, corePoisonInsn, essentialName, type CoreInsn } from '../btf/core.js';
import { isAnyEnum, isComposite, type BtfType } from '../btf/types.js';
import { LDDW } from '../isa/insn.js';
import { safeDescribe, type LoadContext } from './context.js';
import { ObjectError } from './errors.js';
import type { ProgramTable, SectionProgram } from './programs.js';
import type { CoreReloSpec, PoisonSpec } from './spec.js';

/** CO-RE results of one function, with function-relative pcs. */
export interface FunctionCore {
  readonly relos: CoreReloSpec[];
  readonly poisoned: PoisonSpec[];
}

/**
 * The access string in C terms: `struct task_struct::thread_info.cpu`, `...::comm[2]`,
 * `enum e::NAME`; just the type for type-based kinds. Falls back to the raw string.
 */
export function describeAccess(btf: Btf, typeId: number, accessStr: string, kind: number): string {
  const root = safeDescribe(btf, typeId);
  if (kind >= 6 && kind <= 9) return root;
  if (kind === 12) return root;
  try {
    const idx = accessStr.split(':').map(Number);
    let id = btf.resolve(typeId);
    if (kind === 10 || kind === 11) {
      const t = btf.type(id);
      const v = isAnyEnum(t) ? t.values[idx[0]!] : undefined;
      return v === undefined ? `${root} (${accessStr})` : `${root}::${v.name}`;
    }
    let path = idx[0] === 0 ? '' : `[${idx[0]!}]`;
    for (let i = 1; i < idx.length; i++) {
      const t = btf.type(id);
      if (isComposite(t)) {
        const m = t.members[idx[i]!];
        if (m === undefined) return `${root} (${accessStr})`;
        if (m.name !== '') path += `${path === '' ? '' : '.'}${m.name}`;
        id = btf.resolve(m.type);
      } else if (t.kind === 'ARRAY') {
        path += `[${idx[i]!}]`;
        id = btf.resolve(t.type);
      } else {
        return `${root} (${accessStr})`;
      }
    }
    return path === '' ? root : `${root}::${path}`;
  } catch (e) {
    if (e instanceof BtfError) return `${root} (${accessStr})`;
    throw e;
  }
}

/** The object BTF as a kernel would hold it: flavoured struct/union/enum types made anonymous (same ids). */
export function kernelView(btf: Btf): Btf {
  let changed = false;
  const types = btf.types.map((t): BtfType => {
    if ((isComposite(t) || isAnyEnum(t)) && t.name !== '' && essentialName(t.name) !== t.name) {
      changed = true;
      return { ...t, name: '' };
    }
    return t;
  });
  if (!changed) return btf;
  return new Btf(types, btf.strings, btf.base === undefined ? { littleEndian: btf.littleEndian } : { littleEndian: btf.littleEndian, base: btf.base });
}

/** Apply every CO-RE relocation to the functions' instructions, in place. */
export function applyCore(ctx: LoadContext, progs: ProgramTable, opts: { readonly coreTarget?: Btf }): Map<SectionProgram, FunctionCore> {
  const out = new Map<SectionProgram, FunctionCore>();
  const ext = ctx.ext;
  const local = ctx.btf;
  if (ext === undefined || local === undefined || ext.coreRelos.length === 0) return out;
  // read only now: a kernel's vmlinux BTF is built on first use (an object without CO-RE never needs it)
  const relocator = new CoreRelocator(local, opts.coreTarget ?? kernelView(local));
  for (const block of ext.coreRelos) {
    const sec = ctx.elf.sectionByName(block.section);
    if (sec === undefined) continue;
    block.records.forEach((rec, i) => {
      const secIdx = rec.insnOff / 8;
      const prog = progs.containing(sec.index, secIdx);
      if (prog === undefined) return;
      const pc = secIdx - prog.start;
      const insn = prog.insns[pc]!;
      const kindName = coreReloKindName(rec.kind);
      const access = describeAccess(local, rec.typeId, rec.accessStr, rec.kind);
      const label = `CO-RE relocation #${i} (${kindName === undefined ? `kind ${rec.kind}` : kindName.toLowerCase()} of ${access} (${rec.accessStr}))`;
      const where = `programs: section ${sec.name}: function '${prog.name}': insn ${pc}: ${label}`;
      const isLddw = insn.code === LDDW;
      if (isLddw && pc + 1 >= prog.length) throw new ObjectError('OBJ_BAD_CORE', `${where}: lddw has no second slot`);
      const cinsn: CoreInsn = isLddw ? { code: insn.code, src: insn.src, off: insn.off, imm: insn.imm, imm2: prog.insns[pc + 1]!.imm } : { code: insn.code, src: insn.src, off: insn.off, imm: insn.imm };
      let res;
      try {
        res = relocator.relocate({ typeId: rec.typeId, accessStr: rec.accessStr, kind: rec.kind }, cinsn);
      } catch (e) {
        if (e instanceof CoreError || e instanceof BtfError) throw new ObjectError('OBJ_BAD_CORE', `${where}: ${e.message}`, { cause: e });
        throw e;
      }
      let fc = out.get(prog);
      if (fc === undefined) out.set(prog, (fc = { relos: [], poisoned: [] }));
      const base = { pc, index: i, kind: kindName!, typeId: rec.typeId, typeName: safeDescribe(local, rec.typeId), accessStr: rec.accessStr, access };
      if (!res.ok) {
        const p = corePoisonInsn();
        prog.insns[pc] = { ...p };
        if (isLddw) prog.insns[pc + 1] = { ...p };
        fc.relos.push({ ...base, result: null });
        fc.poisoned.push({ pc, reason: `${label} failed: ${res.reason}` });
        return;
      }
      const patch = res.patch!;
      if (patch.field === 'imm') prog.insns[pc] = { ...insn, imm: patch.value };
      else if (patch.field === 'off') prog.insns[pc] = { ...insn, off: patch.value, code: patch.code ?? insn.code };
      else {
        prog.insns[pc] = { ...insn, imm: patch.value };
        prog.insns[pc + 1] = { ...prog.insns[pc + 1]!, imm: patch.hi ?? 0 };
      }
      fc.relos.push({ ...base, result: res.value });
    });
  }
  return out;
}
