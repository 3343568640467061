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
 * The kernel's limit on a global data section: its map is an ARRAY with value_size = the section
 * size, and array_map_alloc_check refuses value_size > INT_MAX with E2BIG. Measured on Linux 6.18
 * (test/limits/kernel/array-value-size.c, goldens in test/limits/goldens/kernel-limits.json):
 * BPF_MAP_CREATE of an ARRAY with value_size 2^31 - 1 succeeds, 2^31 is E2BIG (with or without
 * BPF_F_MMAPABLE); `bpftool prog load` of an object whose `.bss` is 2^31 bytes fails with "map
 * '….bss': failed to create: Argument list too long(-7)", one of 2^31 - 1 bytes creates its map.
 * Larger sections are refused at open: OBJ_BAD_SECTION with errno E2BIG.
 */
export const KERNEL_MAX_GLOBAL_DATA = 0x7fffffff;

/**
 * The emulator's own bound (1 GiB, maps/array.ts MAX_MAP_BYTES, where BPF_MAP_CREATE would fail
 * with ENOMEM): a section the kernel accepts but the emulator cannot hold is refused at open too
 * (OBJ_BAD_SECTION, errno ENOMEM), before any of it is allocated.
 */
export const MAX_GLOBAL_DATA = 1 << 30;

/** Why a global data section of `size` bytes cannot be loaded, or undefined. */
export function globalDataLimit(size: number): { errno: number; why: string } | undefined {
  if (size > KERNEL_MAX_GLOBAL_DATA) return { errno: ERRNO.E2BIG, why: `exceed the kernel's limit of ${KERNEL_MAX_GLOBAL_DATA} bytes for a map value (E2BIG)` };
  if (size > MAX_GLOBAL_DATA) return { errno: ERRNO.ENOMEM, why: `exceed the emulator's ${MAX_GLOBAL_DATA}-byte limit for a map (ENOMEM)` };
  return undefined;
}

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

/**
 * Refuse a data section over the size limits (OBJ_BAD_SECTION). The loader calls this first, before
 * the BTF DATASEC fixup reads the section sizes, so an oversized section is named as such.
 */
export function checkDataSectionSizes(elf: LoadContext['elf'], roles: readonly string[]): void {
  for (const s of elf.sections) {
    const role = roles[s.index];
    if (role !== 'data' && role !== 'rodata' && role !== 'bss') continue;
    const limit = globalDataLimit(s.size);
    if (limit !== undefined) throw new ObjectError('OBJ_BAD_SECTION', `globals: ${sectionLabel(s)}: ${s.size} bytes ${limit.why}`, { errno: limit.errno });
  }
}

/** The global data maps of the object's data sections, in section order. */
export function collectDataMaps(ctx: LoadContext): InternalMap[] {
  const out: InternalMap[] = [];
  checkDataSectionSizes(ctx.elf, ctx.roles);
  for (const s of ctx.elf.sections) {
    const role = ctx.roles[s.index];
    if (role !== 'data' && role !== 'rodata' && role !== 'bss') continue;
    const data = role === 'bss' ? new Uint8Array(s.size) : s.data.slice();
    out.push({ spec: internalSpec(ctx, s.name, s.size, role === 'rodata', data), sectionIndex: s.index });
  }
  return out;
}

/** The `.kconfig` map laid out by the extern table, or undefined when there are no kconfig externs. */
export function kconfigMap(ctx: LoadContext, externs: ExternTable): InternalMap | undefined {
  if (externs.kconfigSize === 0) return undefined;
  const limit = globalDataLimit(externs.kconfigSize);
  if (limit !== undefined) throw new ObjectError('OBJ_BAD_EXTERN', `externs: the .kconfig map would be ${externs.kconfigSize} bytes: they ${limit.why}`, { errno: limit.errno });
  const spec = internalSpec(ctx, '.kconfig', externs.kconfigSize, true, new Uint8Array(externs.kconfigSize));
  const vars: InternalVariable[] = externs.list
    .filter((e) => e.spec.kind === 'kconfig')
    .map((e) => ({ name: e.spec.name, offset: e.spec.kconfig!.offset, size: e.spec.kconfig!.size, typeId: e.spec.typeId, linkage: 'extern' }));
  // libbpf turns the kconfig VARs into allocated globals, so the map is mmapable.
  return { spec: { ...spec, flags: MapFlag.RDONLY_PROG | MapFlag.MMAPABLE, internal: { section: '.kconfig', readonly: true, variables: vars } }, sectionIndex: 0 };
}
