/**
 * struct_ops variables (libbpf init_struct_ops_maps and bpf_object__collect_st_ops_relos; see
 * /work/shared/docs/struct-ops-assoc.md 7.1-7.2). Each VAR of the DATASEC named after a
 * `.struct_ops`, `.struct_ops.link`, `?.struct_ops` or `?.struct_ops.link` section becomes a
 * STRUCT_OPS map named after the variable:
 *
 *   type STRUCT_OPS, key 4, value = sizeof(local struct), max_entries 1,
 *   flags BPF_F_LINK for `.struct_ops.link`, autocreate = false for the `?` forms.
 *
 * Errors keep libbpf's errnos: an anonymous type is ENOTSUP, a non-struct or a variable beyond
 * its section EINVAL. Each R_BPF_64_ABS64 in a relocation section of that data section binds the
 * member at `r_offset - variable offset` (found by bit offset; it must be a function pointer) to
 * the program whose FUNC symbol it names, which must be a struct_ops entry point (EINVAL
 * otherwise). libbpf only marks the first variable of a `?` section as autocreate = false (it
 * strips the '?' after the first one); here every variable of such a section is.
 */
import type { Btf } from '../btf/btf.js';
import { BtfError } from '../btf/errors.js';
import type { BtfComposite } from '../btf/types.js';
import { R_BPF, SHN } from '../elf/index.js';
import { ERRNO } from '../util/errno.js';
import { requireBtf, sectionLabel, type LoadContext } from './context.js';
import { ObjectError } from './errors.js';
import type { ProgramTable } from './programs.js';
import type { MapSpec, StructOpsMember } from './spec.js';
import { MapFlag, MapType, ProgType, mapTypeName } from './uapi.js';

/** A struct_ops map with its place in its section. */
export interface StructOpsMap {
  spec: MapSpec;
  readonly sectionIndex: number;
  readonly offset: number;
  readonly type: BtfComposite;
}

/** libbpf resolve_func_ptr: a pointer (through typedefs/modifiers) to a FUNC_PROTO. */
function isFuncPtr(btf: Btf, id: number): boolean {
  const t = btf.resolved(id);
  return t.kind === 'PTR' && btf.resolved(t.type).kind === 'FUNC_PROTO';
}

function memberSize(btf: Btf, id: number): number {
  try {
    return btf.sizeof(id);
  } catch (e) {
    if (e instanceof BtfError) return 0;
    throw e;
  }
}

const fail = (msg: string, errno: number = ERRNO.EINVAL) => new ObjectError('OBJ_BAD_STRUCT_OPS', msg, { errno });

/** Collect struct_ops variables and bind their function-pointer members to programs. */
export function collectStructOps(ctx: LoadContext, progs: ProgramTable): StructOpsMap[] {
  const out: StructOpsMap[] = [];
  for (const s of ctx.elf.sections) {
    if (ctx.roles[s.index] !== 'struct_ops') continue;
    const where = `struct_ops: ${sectionLabel(s)}`;
    const btf = requireBtf(ctx, where);
    const ds = btf.datasec(s.name);
    if (ds === undefined) throw fail(`${where}: no DATASEC '${s.name}' in BTF`);
    const optional = s.name.startsWith('?');
    const link = (optional ? s.name.slice(1) : s.name) === '.struct_ops.link';
    const maps: StructOpsMap[] = ds.vars.map((v) => {
      const w = `${where}: variable '${v.name}'`;
      if (v.kind !== 'VAR') throw fail(`${w}: DATASEC entry is ${v.kind}, expected VAR`);
      const typeId = btf.resolve(v.type);
      const t = btf.type(typeId);
      if (t.name === '') throw fail(`${w}: anonymous types are not supported`, ERRNO.EOPNOTSUPP);
      if (t.kind !== 'STRUCT') throw fail(`${w}: ${t.name} is ${t.kind}, not a struct`);
      if (v.offset + t.size > s.size) throw fail(`${w}: [${v.offset}, +${t.size}) is beyond the end of the section (${s.size} bytes)`);
      const members: StructOpsMember[] = t.members.map((m) => ({
        name: m.name,
        offset: Math.floor(m.bitOffset / 8),
        size: m.bitfieldSize > 0 ? 0 : memberSize(btf, m.type),
        kind: isFuncPtr(btf, m.type) ? ('func' as const) : ('data' as const),
      }));
      const spec: MapSpec = {
        name: v.name,
        type: MapType.STRUCT_OPS,
        typeName: mapTypeName(MapType.STRUCT_OPS),
        keySize: 4,
        valueSize: t.size,
        maxEntries: 1,
        flags: link ? MapFlag.LINK : 0,
        mapExtra: 0n,
        numaNode: 0,
        pinning: 0,
        btfKeyTypeId: 0,
        btfValueTypeId: typeId,
        keyType: '',
        valueType: `struct ${t.name}`,
        source: 'struct_ops',
        autocreate: !optional,
        structOps: { typeName: t.name, localTypeId: typeId, link, autocreate: !optional, members, data: s.data.slice(v.offset, v.offset + t.size) },
      };
      return { spec, sectionIndex: s.index, offset: v.offset, type: t };
    });
    ctx.elf.relocationsFor(s.index).forEach((r, i) => {
      const sym = ctx.elf.symbol(r.symbolIndex);
      const w = `${where}: relocation ${i} at offset ${r.offset} against '${sym.name}'`;
      if (r.type !== R_BPF.R_64_ABS64) throw fail(`${w}: relocation type ${r.type} is not R_BPF_64_ABS64`);
      const map = maps.find((m) => m.offset <= r.offset && r.offset < m.offset + m.type.size);
      if (map === undefined) throw fail(`${w}: no struct_ops variable covers it`);
      const moff = r.offset - map.offset;
      if (sym.shndx === SHN.UNDEF || sym.shndx >= SHN.LORESERVE) throw fail(`${w}: the symbol is not defined in a section`);
      if (sym.value % 8 !== 0) throw fail(`${w}: invalid target program offset ${sym.value}`);
      const idx = map.type.members.findIndex((m) => m.bitOffset === moff * 8);
      const member = map.type.members[idx];
      if (member === undefined) throw fail(`${w}: no member of struct ${map.type.name} at offset ${moff}`);
      if (!isFuncPtr(btf, member.type)) throw fail(`${w}: member '${member.name}' is not a function pointer`);
      const prog = progs.startingAt(sym.shndx, sym.value / 8);
      if (prog === undefined || prog.isSubprog) throw fail(`${w}: no program starts there for member '${member.name}'`);
      if (prog.sec?.def.progType !== ProgType.STRUCT_OPS) throw fail(`${w}: program '${prog.name}' is not a struct_ops program`);
      const so = map.spec.structOps!;
      const members = so.members.map((m, k) => (k === idx ? { ...m, program: prog.name } : m));
      map.spec = { ...map.spec, structOps: { ...so, members } };
    });
    out.push(...maps);
  }
  return out;
}
