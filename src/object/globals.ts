/**
 * Global data maps (libbpf bpf_object__init_internal_map): one single-element ARRAY per non-empty
 * `.data*`, `.rodata*` and `.bss*` section, in section order, then one `.kconfig` map for the
 * kconfig externs. Value = the whole section (`.bss` and `.kconfig`: zeros), key 4 bytes.
 *
 * Flags: `.rodata*` and `.kconfig` get BPF_F_RDONLY_PROG (and are frozen after load);
 * BPF_F_MMAPABLE is set when the section's DATASEC has at least one non-static VAR (libbpf
 * map_is_mmapable; `.rodata.str1.1` has no DATASEC, so it is not mmapable).
 *
 * Names (libbpf internal_map_name): a section name with a second '.' (`.data.custom`,
 * `.rodata.str1.1`) is used alone; otherwise up to `15 - max(7, len(section))` characters of the
 * object name come first (`xdp_maps.bss`, `xdp_map.kconfig`). At most 15 characters, characters
 * other than `[A-Za-z0-9_.]` become '_'. With no object name the map is named after its section.
 */
import type { Btf } from '../btf/btf.js';
import { ERRNO } from '../util/errno.js';
import { safeDescribe, sectionLabel, type LoadContext } from './context.js';
import { ObjectError } from './errors.js';
import type { ExternTable } from './externs.js';
import type { InternalVariable, MapSpec } from './spec.js';
import { MapFlag, MapType, mapTypeName } from './uapi.js';

/**
 * Largest global data map value the loader materialises (16 MiB). The kernel refuses array
 * values above KMALLOC_MAX_SIZE (4 MiB on x86-64) anyway; the bound keeps a corrupt `.bss`
 * size from allocating gigabytes. Larger sections are OBJ_BAD_SECTION (E2BIG).
 */
export const MAX_GLOBAL_DATA = 16 << 20;

/** BPF_OBJ_NAME_LEN (16, including the NUL). */
const OBJ_NAME_LEN = 16;

/** libbpf's name for the internal map of section `section` in object `objName`. */
export function internalMapName(objName: string, section: string): string {
  let sfx = Math.max(7, section.length);
  if (sfx >= OBJ_NAME_LEN) sfx = OBJ_NAME_LEN - 1;
  const pfx = section.indexOf('.', 1) !== -1 ? 0 : Math.min(OBJ_NAME_LEN - sfx - 1, objName.length);
  const name = (objName.slice(0, pfx) + section.slice(0, sfx)).slice(0, OBJ_NAME_LEN - 1);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

/** A global data map with the section it stands for. */
export interface InternalMap {
  readonly spec: MapSpec;
  /** ELF section index (0 for `.kconfig`). */
  readonly sectionIndex: number;
}

function variablesOf(btf: Btf | undefined, section: string): { id: number; vars: InternalVariable[] } {
  const ds = btf?.datasec(section);
  if (btf === undefined || ds === undefined) return { id: 0, vars: [] };
  return {
    id: ds.id,
    vars: ds.vars.map((v) => ({ name: v.name, offset: v.offset, size: v.size, typeId: v.id, linkage: v.linkage })),
  };
}

function internalSpec(ctx: LoadContext, section: string, size: number, readonly: boolean, data: Uint8Array): MapSpec {
  const { id, vars } = variablesOf(ctx.btf, section);
  const mmapable = vars.some((v) => v.linkage !== 'static');
  return {
    name: internalMapName(ctx.objName, section),
    type: MapType.ARRAY,
    typeName: mapTypeName(MapType.ARRAY),
    keySize: 4,
    valueSize: size,
    maxEntries: 1,
    flags: (readonly ? MapFlag.RDONLY_PROG : 0) | (mmapable ? MapFlag.MMAPABLE : 0),
    mapExtra: 0n,
    numaNode: 0,
    pinning: 0,
    btfKeyTypeId: 0,
    btfValueTypeId: id,
    keyType: '',
    valueType: id === 0 || ctx.btf === undefined ? '' : safeDescribe(ctx.btf, id),
    source: 'internal',
    autocreate: true,
    internal: { section, readonly, variables: vars },
    data,
  };
}

/** The global data maps of the object's data sections, in section order. */
export function collectDataMaps(ctx: LoadContext): InternalMap[] {
  const out: InternalMap[] = [];
  for (const s of ctx.elf.sections) {
    const role = ctx.roles[s.index];
    if (role !== 'data' && role !== 'rodata' && role !== 'bss') continue;
    if (s.size > MAX_GLOBAL_DATA) {
      throw new ObjectError('OBJ_BAD_SECTION', `globals: ${sectionLabel(s)}: ${s.size} bytes exceed the ${MAX_GLOBAL_DATA}-byte limit`, { errno: ERRNO.E2BIG });
    }
    const data = role === 'bss' ? new Uint8Array(s.size) : s.data.slice();
    out.push({ spec: internalSpec(ctx, s.name, s.size, role === 'rodata', data), sectionIndex: s.index });
  }
  return out;
}

/** The `.kconfig` map laid out by the extern table, or undefined when there are no kconfig externs. */
export function kconfigMap(ctx: LoadContext, externs: ExternTable): InternalMap | undefined {
  if (externs.kconfigSize === 0) return undefined;
  if (externs.kconfigSize > MAX_GLOBAL_DATA) {
    throw new ObjectError('OBJ_BAD_EXTERN', `externs: the .kconfig map would be ${externs.kconfigSize} bytes (limit ${MAX_GLOBAL_DATA})`, { errno: ERRNO.E2BIG });
  }
  const spec = internalSpec(ctx, '.kconfig', externs.kconfigSize, true, new Uint8Array(externs.kconfigSize));
  const vars: InternalVariable[] = externs.list
    .filter((e) => e.spec.kind === 'kconfig')
    .map((e) => ({ name: e.spec.name, offset: e.spec.kconfig!.offset, size: e.spec.kconfig!.size, typeId: e.spec.typeId, linkage: 'extern' }));
  // libbpf turns the kconfig VARs into allocated globals, so the map is mmapable.
  return { spec: { ...spec, flags: MapFlag.RDONLY_PROG | MapFlag.MMAPABLE, internal: { section: '.kconfig', readonly: true, variables: vars } }, sectionIndex: 0 };
}
