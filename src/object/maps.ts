/**
 * User-defined maps: BTF-defined maps in `.maps` (libbpf parse_btf_map_def), their static
 * initialisers in `.rel.maps` (libbpf bpf_object__collect_map_relos), and legacy `SEC("maps")`
 * `struct bpf_map_def` definitions (libbpf 0.x bpf_object__init_user_maps; libbpf 1.x refuses
 * them, the emulator still reads them).
 *
 * A BTF map definition is an anonymous struct whose members encode the attributes:
 * ```
 *  int (*type)[BPF_MAP_TYPE_HASH];   PTR -> ARRAY(nr_elems = value)   type, max_entries,
 *                                                                      map_flags, numa_node,
 *                                                                      key_size, value_size, pinning
 *  __u64 *key;                        PTR -> T                          key / value: size = sizeof(T)
 *  map_extra                          PTR -> ARRAY, or an ENUM/ENUM64 with one value (__ulong)
 *  struct inner *values[];            ARRAY(PTR -> STRUCT, 0 elems)     map-in-map inner template
 *  int (*values[])(void *);           ARRAY(PTR -> FUNC_PROTO, 0)       prog array, last member
 * ```
 * Legacy definitions, one OBJECT symbol each in `maps`:
 * ```
 *  0 type:u32  4 key_size:u32  8 value_size:u32  12 max_entries:u32  16 map_flags:u32
 * ```
 * (at least 16 bytes; map_flags is read when the symbol is 20 bytes or more; any longer tail must
 * be zero, as libbpf 0.x required).
 */
import type { Btf } from '../btf/btf.js';
import { BtfError } from '../btf/errors.js';
import { enum64Value, type BtfComposite, type BtfMember } from '../btf/types.js';
import { R_BPF, STT } from '../elf/index.js';
import { ERRNO } from '../util/errno.js';
import { requireBtf, safeDescribe, sectionLabel, u32At, type LoadContext } from './context.js';
import { ObjectError } from './errors.js';
import type { ProgramTable } from './programs.js';
import type { InitSlot, MapSpec } from './spec.js';
import { MapType, mapTypeName } from './uapi.js';

/** A user map with where its definition sits (for relocation lookups). */
export interface UserMap {
  spec: MapSpec;
  readonly sectionIndex: number;
  /** Byte offset of the definition in its section. */
  readonly offset: number;
  /** Size of the definition (the DATASEC entry or the symbol). */
  readonly size: number;
  /** BTF maps: the definition struct. */
  readonly def?: BtfComposite;
}

interface MapDef {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  numaNode: number;
  pinning: number;
  mapExtra: bigint;
  keyTypeId: number;
  valueTypeId: number;
  inner?: MapDef;
}

function emptyDef(): MapDef {
  return { type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, numaNode: 0, pinning: 0, mapExtra: 0n, keyTypeId: 0, valueTypeId: 0 };
}

function isMapInMap(type: number): boolean {
  return type === MapType.ARRAY_OF_MAPS || type === MapType.HASH_OF_MAPS;
}

/** libbpf get_map_field_int: PTR -> ARRAY, the value is nr_elems. */
function fieldInt(btf: Btf, m: BtfMember, where: string): number {
  const t = btf.resolved(m.type);
  if (t.kind !== 'PTR') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: attribute '${m.name}' is ${t.kind}, expected PTR`);
  const a = btf.type(t.type);
  if (a.kind !== 'ARRAY') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: attribute '${m.name}' points to ${a.kind}, expected ARRAY`);
  return a.nelems;
}

/** libbpf get_map_field_long: an int attribute, or an ENUM/ENUM64 with exactly one value. */
function fieldLong(btf: Btf, m: BtfMember, where: string): bigint {
  const t = btf.resolved(m.type);
  if (t.kind === 'PTR') return BigInt(fieldInt(btf, m, where));
  if (t.kind === 'ENUM' && t.values.length === 1) return BigInt(t.values[0]!.value >>> 0);
  if (t.kind === 'ENUM64' && t.values.length === 1) return BigInt.asUintN(64, enum64Value(t.values[0]!, false));
  throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: attribute '${m.name}' is ${t.kind}, expected PTR or a one-value ENUM`);
}

/** The pointed-to type's id and size of a `key`/`value` attribute. */
function typedField(btf: Btf, m: BtfMember, where: string): { id: number; size: number } {
  const t = btf.type(m.type);
  if (t.kind !== 'PTR') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: '${m.name}' spec is ${t.kind}, expected PTR`);
  try {
    return { id: t.type, size: btf.sizeof(t.type) };
  } catch (e) {
    if (e instanceof BtfError) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: cannot size '${m.name}' type [${t.type}]: ${e.message}`, { cause: e });
    throw e;
  }
}

function setSize(def: MapDef, field: 'keySize' | 'valueSize', sz: number, where: string): void {
  if (def[field] !== 0 && def[field] !== sz) {
    throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: conflicting ${field === 'keySize' ? 'key' : 'value'} size ${def[field]} != ${sz}`);
  }
  def[field] = sz;
}

/** Parse one BTF map definition struct (libbpf parse_btf_map_def). */
function parseDef(btf: Btf, def: BtfComposite, where: string, isInner: boolean): MapDef {
  const d = emptyDef();
  def.members.forEach((m, i) => {
    switch (m.name) {
      case 'type':
        d.type = fieldInt(btf, m, where);
        break;
      case 'max_entries':
        d.maxEntries = fieldInt(btf, m, where);
        break;
      case 'map_flags':
        d.flags = fieldInt(btf, m, where);
        break;
      case 'numa_node':
        d.numaNode = fieldInt(btf, m, where);
        break;
      case 'key_size':
        setSize(d, 'keySize', fieldInt(btf, m, where), where);
        break;
      case 'value_size':
        setSize(d, 'valueSize', fieldInt(btf, m, where), where);
        break;
      case 'key': {
        const f = typedField(btf, m, where);
        setSize(d, 'keySize', f.size, where);
        d.keyTypeId = f.id;
        break;
      }
      case 'value': {
        const f = typedField(btf, m, where);
        setSize(d, 'valueSize', f.size, where);
        d.valueTypeId = f.id;
        break;
      }
      case 'values': {
        const mim = isMapInMap(d.type);
        const pa = d.type === MapType.PROG_ARRAY;
        if (isInner) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: multi-level inner maps are not supported`, { errno: ERRNO.EOPNOTSUPP });
        if (i !== def.members.length - 1) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: 'values' must be the last member`);
        if (!mim && !pa) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: 'values' needs a map-in-map or prog-array type`, { errno: ERRNO.EOPNOTSUPP });
        setSize(d, 'valueSize', 4, where);
        const arr = btf.type(m.type);
        if (arr.kind !== 'ARRAY' || arr.nelems !== 0) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: 'values' is not a zero-sized array`);
        const ptr = btf.resolved(arr.type);
        if (ptr.kind !== 'PTR') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: 'values' elements are ${ptr.kind}, expected PTR`);
        const target = btf.resolved(ptr.type);
        if (pa) {
          if (target.kind !== 'FUNC_PROTO') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: prog-array values point to ${target.kind}, expected FUNC_PROTO`);
          break;
        }
        if (target.kind !== 'STRUCT') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: map-in-map inner definition is ${target.kind}, expected STRUCT`);
        d.inner = parseDef(btf, target, `${where}: inner map`, true);
        break;
      }
      case 'pinning': {
        if (isInner) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: an inner map cannot be pinned`);
        const v = fieldInt(btf, m, where);
        if (v !== 0 && v !== 1) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: invalid pinning value ${v}`);
        d.pinning = v;
        break;
      }
      case 'map_extra':
        d.mapExtra = fieldLong(btf, m, where);
        break;
      default:
        throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: unknown attribute '${m.name}'`, { errno: ERRNO.EOPNOTSUPP });
    }
  });
  if (d.type === 0) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: map type is not specified`);
  return d;
}

function specFromDef(btf: Btf | undefined, name: string, d: MapDef, source: 'btf' | 'legacy'): MapSpec {
  const describe = (id: number): string => (id === 0 || btf === undefined ? '' : safeDescribe(btf, id));
  const spec: MapSpec = {
    name,
    type: d.type,
    typeName: mapTypeName(d.type),
    keySize: d.keySize,
    valueSize: d.valueSize,
    maxEntries: d.maxEntries,
    flags: d.flags,
    mapExtra: d.mapExtra,
    numaNode: d.numaNode,
    pinning: d.pinning,
    btfKeyTypeId: d.keyTypeId,
    btfValueTypeId: d.valueTypeId,
    keyType: describe(d.keyTypeId),
    valueType: describe(d.valueTypeId),
    source,
    autocreate: true,
  };
  return d.inner === undefined ? spec : { ...spec, innerMap: specFromDef(btf, `${name}.inner`, d.inner, source) };
}

/** BTF-defined maps from the `.maps` DATASEC, in DATASEC (offset) order. */
export function collectBtfMaps(ctx: LoadContext): UserMap[] {
  if (ctx.mapsIndex === 0) return [];
  const sec = ctx.elf.section(ctx.mapsIndex);
  const btf = requireBtf(ctx, `maps: ${sectionLabel(sec)}`);
  const ds = btf.datasec('.maps');
  if (ds === undefined) throw new ObjectError('OBJ_BAD_BTF', `maps: no DATASEC '.maps' in BTF`);
  return ds.vars.map((v, i) => {
    const where = `maps: map '${v.name}'`;
    if (v.name === '') throw new ObjectError('OBJ_BAD_MAP_DEF', `maps: map #${i}: empty name`);
    if (v.offset + v.size > sec.size) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: definition [${v.offset}, +${v.size}) beyond ${sectionLabel(sec)} (${sec.size} bytes)`);
    if (v.kind !== 'VAR') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: DATASEC entry is ${v.kind}, expected VAR`);
    if (v.linkage !== 'global') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: unsupported ${v.linkage} linkage`, { errno: ERRNO.EOPNOTSUPP });
    const def = btf.resolved(v.type);
    if (def.kind !== 'STRUCT') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: definition is ${def.kind}, expected STRUCT`);
    if (def.size > v.size) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: definition size ${def.size} exceeds the variable (${v.size})`);
    const d = parseDef(btf, def, where, false);
    return { spec: specFromDef(btf, v.name, d, 'btf'), sectionIndex: ctx.mapsIndex, offset: v.offset, size: v.size, def };
  });
}

const LEGACY_MIN = 16;
const LEGACY_FULL = 20;

/** Legacy `struct bpf_map_def` maps from the `maps` section, by offset. */
export function collectLegacyMaps(ctx: LoadContext): UserMap[] {
  if (ctx.legacyMapsIndex === 0) return [];
  const sec = ctx.elf.section(ctx.legacyMapsIndex);
  const syms = ctx.elf.symbols
    .filter((y) => y.shndx === sec.index && y.type !== STT.SECTION && y.type !== STT.FILE)
    .sort((a, b) => a.value - b.value || a.index - b.index);
  return syms.map((y) => {
    const where = `maps: legacy map '${y.name}'`;
    if (y.name === '') throw new ObjectError('OBJ_BAD_MAP_DEF', `maps: legacy map at offset ${y.value}: empty name`);
    if (y.size < LEGACY_MIN || y.value + y.size > sec.size) {
      throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: definition [${y.value}, +${y.size}) is shorter than ${LEGACY_MIN} bytes or beyond ${sectionLabel(sec)} (${sec.size} bytes)`);
    }
    const at = (k: number) => u32At(sec.data, y.value + 4 * k, ctx.le);
    for (let i = y.value + LEGACY_FULL; i < y.value + y.size; i++) {
      if (sec.data[i] !== 0) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: unrecognized non-zero byte at definition offset ${i - y.value}`);
    }
    const d = emptyDef();
    d.type = at(0);
    d.keySize = at(1);
    d.valueSize = at(2);
    d.maxEntries = at(3);
    d.flags = y.size >= LEGACY_FULL ? at(4) : 0;
    return { spec: specFromDef(ctx.btf, y.name, d, 'legacy'), sectionIndex: sec.index, offset: y.value, size: y.size };
  });
}

/**
 * Static initialisers of prog arrays and map-in-maps: each R_BPF_64_ABS64 in a relocation section
 * for `.maps` at `def + offsetof(values) + 8 * slot` names a program (entry point at the symbol) or
 * a BTF-defined map (by name).
 */
export function applyMapRelocations(ctx: LoadContext, maps: UserMap[], progs: ProgramTable): void {
  if (ctx.mapsIndex === 0) return;
  const relocs = ctx.elf.relocationsFor(ctx.mapsIndex);
  if (relocs.length === 0) return;
  const slots = new Map<UserMap, Map<number, InitSlot>>();
  relocs.forEach((r, i) => {
    const sym = ctx.elf.symbol(r.symbolIndex);
    const where = `maps: .maps relocation ${i} at offset ${r.offset} against '${sym.name}'`;
    if (r.type !== R_BPF.R_64_ABS64) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: relocation type ${r.type} is not R_BPF_64_ABS64`);
    const map = maps.find((m) => m.sectionIndex === ctx.mapsIndex && m.offset <= r.offset && r.offset + 8 <= m.offset + m.size);
    if (map === undefined || map.def === undefined) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: no map definition covers it`);
    const mim = isMapInMap(map.spec.type);
    let slot: InitSlot;
    if (mim) {
      if (sym.shndx !== ctx.mapsIndex) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: '${sym.name}' is not a BTF-defined map`);
      if (map.spec.type === MapType.HASH_OF_MAPS && map.spec.keySize !== 4) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: hash-of-maps '${map.spec.name}' needs key size 4`);
      const target = maps.find((m) => m.sectionIndex === ctx.mapsIndex && m.spec.name === sym.name);
      if (target === undefined) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: '${sym.name}' is not a valid map reference`, { errno: ERRNO.ESRCH });
      slot = { index: 0, kind: 'map', target: target.spec.name };
    } else if (map.spec.type === MapType.PROG_ARRAY) {
      const p = progs.entryByName(sym.name);
      if (p === undefined) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: '${sym.name}' is not a valid program reference`, { errno: ERRNO.ESRCH });
      if (p.sectionIndex !== sym.shndx || p.start * 8 !== sym.value) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: '${sym.name}' is not an entry-point program`);
      slot = { index: 0, kind: 'prog', target: p.name };
    } else {
      throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: map '${map.spec.name}' is neither a prog array nor a map-in-map`);
    }
    const members = map.def.members;
    const last = members[members.length - 1];
    if (last === undefined || last.name !== 'values') throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: map '${map.spec.name}' has no trailing 'values' member`);
    const base = Math.floor(last.bitOffset / 8);
    const rel = r.offset - map.offset;
    if (rel < base || (rel - base) % 8 !== 0) throw new ObjectError('OBJ_BAD_MAP_DEF', `${where}: not at an 8-byte slot of 'values' (which starts at ${base})`);
    let m = slots.get(map);
    if (m === undefined) slots.set(map, (m = new Map()));
    const index = (rel - base) / 8;
    m.set(index, { ...slot, index });
  });
  for (const [map, m] of slots) {
    map.spec = { ...map.spec, initSlots: [...m.values()].sort((a, b) => a.index - b.index) };
  }
}
