/**
 * `loadObjectSpec`: a clang `.bpf.o` to an {@link ObjectSpec}, in libbpf's order:
 *
 *  1. ELF (src/elf, fully validated) and section roles;
 *  2. `.BTF` with DATASEC sizes / VAR offsets fixed from the symbol table (libbpf
 *     btf_fixup_datasec), `.BTF.ext`;
 *  3. functions split by STT_FUNC symbols, entry points classified by SEC() name;
 *  4. externs (sorted, kconfig laid out; the `.kconfig` DATASEC gets those offsets);
 *  5. maps: legacy `maps`, `.maps` (+ `.rel.maps` initialisers), global data, `.kconfig`,
 *     struct_ops variables (+ their relocations);
 *  6. code relocations; 7. CO-RE; 8. linking and the index forms.
 *
 * Errors: ObjectError for object-level problems; ElfError and BtfError from the lower layers
 * propagate with their class and code (BTF ones with a breadcrumb prefix); CoreError becomes
 * ObjectError('OBJ_BAD_CORE') with the CoreError as `cause`. Unlike libbpf, a corrupt `.BTF` or
 * `.BTF.ext` is always an error (libbpf ignores them when the object does not need BTF).
 */
import { Btf } from '../btf/btf.js';
import { parseBtfExt, type BtfExt } from '../btf/ext.js';
import { fixupDatasecs } from '../btf/fixup.js';
import { parseBtf } from '../btf/parse.js';
import type { BtfDatasec, BtfType } from '../btf/types.js';
import { parseElf, SHT, STB, STT, STV, type ElfFile } from '../elf/index.js';
import { cString } from '../util/bytes.js';
import { ERRNO } from '../util/errno.js';
import { BpfemuError } from '../util/errors.js';
import { classifySections, sectionLabel, u32At, within, type LoadContext } from './context.js';
import { applyCore } from './corerelo.js';
import { ObjectError } from './errors.js';
import { collectExterns, type ExternTable } from './externs.js';
import { checkDataSectionSizes, collectDataMaps, kconfigMap } from './globals.js';
import { linkProgram } from './link.js';
import { applyMapRelocations, collectBtfMaps, collectLegacyMaps } from './maps.js';
import { collectPrograms } from './programs.js';
import { collectCodeRelocs, type MapLookup } from './relocs.js';
import type { LineInfoSpec, MapSpec, ObjectSpec, ProgramSpec } from './spec.js';
import { collectStructOps } from './structops.js';
import { attachTypeName, progTypeName } from './uapi.js';

/** Options of {@link loadObjectSpec}. */
export interface LoadObjectOptions {
  /**
   * Object name for internal map names (libbpf: the file name up to its first '.', e.g.
   * `xdp_maps` for `xdp_maps.bpf.o`; see {@link objectNameFromPath}). Default '': internal maps
   * are named after their sections (`.bss`, `.rodata`).
   */
  readonly name?: string;
  /** Target BTF for CO-RE (e.g. a vmlinux); default: the object's own BTF. Read only when the object has CO-RE relocations. */
  readonly coreTarget?: Btf;
}

/** libbpf's object name for a path: the base name up to its first '.'. */
export function objectNameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot === -1 ? base : base.slice(0, dot);
}

/** Longest license libbpf keeps (char license[64], NUL included). */
const LICENSE_MAX = 63;

function findVarSymbol(elf: ElfFile, name: string) {
  return elf.symbols.find((y) => y.type === STT.OBJECT && (y.bind === STB.GLOBAL || y.bind === STB.WEAK) && y.name === name);
}

/** Parse `.BTF`, fix DATASECs up from the ELF, parse `.BTF.ext`. */
function loadBtf(elf: ElfFile, roles: readonly string[]): { btf: Btf | undefined; ext: BtfExt | undefined } {
  const btfSec = elf.sections.find((s) => roles[s.index] === 'btf');
  const extSec = elf.sections.find((s) => roles[s.index] === 'btf_ext');
  for (const s of [btfSec, extSec]) {
    if (s !== undefined && s.type !== SHT.PROGBITS) throw new ObjectError('OBJ_BAD_SECTION', `btf: ${sectionLabel(s)} has type ${s.type}, expected PROGBITS`);
  }
  if (btfSec === undefined) return { btf: undefined, ext: undefined };
  let btf = within('btf: .BTF', () => parseBtf(btfSec.data, { littleEndian: elf.littleEndian }));
  btf = within('btf: datasec fixup', () =>
    fixupDatasecs(
      btf,
      (name) => elf.sectionByName(name)?.size,
      (name) => findVarSymbol(elf, name)?.value,
      {
        isHidden: (name) => {
          const v = findVarSymbol(elf, name)?.visibility;
          return v === STV.HIDDEN || v === STV.INTERNAL;
        },
      },
    ),
  );
  const b = btf;
  const ext = extSec === undefined ? undefined : within('btf', () => parseBtfExt(extSec.data, elf.littleEndian, b));
  return { btf, ext };
}

/** Give the `.kconfig` DATASEC the extern layout (size, offsets, sorted by offset), as libbpf does. */
function layoutKconfig(btf: Btf | undefined, externs: ExternTable): Btf | undefined {
  if (btf === undefined || externs.kconfigSize === 0) return btf;
  const ds = btf.types.find((t): t is BtfDatasec => t.kind === 'DATASEC' && t.name === '.kconfig');
  if (ds === undefined) return btf;
  const offsets = new Map<number, number>();
  for (const e of externs.list) if (e.spec.kind === 'kconfig') offsets.set(e.spec.typeId, e.spec.kconfig!.offset);
  const vars = ds.vars
    .map((v, k) => ({ v: { ...v, offset: offsets.get(v.type) ?? v.offset }, k }))
    .sort((a, b) => a.v.offset - b.v.offset || a.k - b.k)
    .map((x) => x.v);
  const types: BtfType[] = btf.types.slice();
  types[ds.id - btf.startId] = { ...ds, size: externs.kconfigSize, vars };
  return new Btf(types, btf.strings, btf.base === undefined ? { littleEndian: btf.littleEndian } : { littleEndian: btf.littleEndian, base: btf.base });
}

/**
 * libbpf's arena rules (bpf_object__init_maps, init_arena_map_data, libbpf 1.6 as in Linux 6.18): at
 * most one ARENA map; `.addr_space.1` globals need one ("to use global __arena variables the ARENA map
 * should be explicitly declared in SEC(\".maps\")", ENOENT) that holds them (E2BIG); the section's
 * bytes become the map's `arenaData`, relocations against it point into the arena.
 */
function linkArena<T extends { spec: MapSpec }>(ctx: LoadContext, user: T[]): { user: T[]; arenaSection: number; arenaIndex: number } {
  const arenaSection = ctx.elf.sections.find((s) => ctx.roles[s.index] === 'arena')?.index ?? 0;
  let arenaIndex = -1;
  user.forEach((m, i) => {
    if (m.spec.type !== BPF_MAP_TYPE_ARENA) return;
    if (arenaIndex >= 0) throw new ObjectError('OBJ_BAD_MAP_DEF', `map '${m.spec.name}': only single ARENA map is supported (map '${user[arenaIndex]!.spec.name}' is also ARENA)`, { errno: ERRNO.EINVAL });
    arenaIndex = i;
  });
  if (arenaSection === 0) return { user, arenaSection, arenaIndex };
  const sec = ctx.elf.section(arenaSection);
  if (arenaIndex < 0) throw new ObjectError('OBJ_BAD_MAP_DEF', `elf: sec '${sec.name}': to use global __arena variables the ARENA map should be explicitly declared in SEC(".maps")`, { errno: ERRNO.ENOENT });
  const arena = user[arenaIndex]!;
  const mmapSize = arena.spec.maxEntries * ARENA_PAGE;
  if (Math.ceil(sec.data.length / ARENA_PAGE) * ARENA_PAGE > mmapSize) {
    throw new ObjectError('OBJ_BAD_MAP_DEF', `elf: sec '${sec.name}': declared ARENA map size (${mmapSize}) is too small to hold global __arena variables of size ${sec.data.length}`, { errno: ERRNO.E2BIG });
  }
  const out = user.slice();
  out[arenaIndex] = { ...arena, spec: { ...arena.spec, arenaData: new Uint8Array(sec.data) } };
  return { user: out, arenaSection, arenaIndex };
}

/** BPF_MAP_TYPE_ARENA and the page size libbpf's bpf_map_mmap_sz uses for it. */
const BPF_MAP_TYPE_ARENA = 33;
const ARENA_PAGE = 4096;

/** Load an object into its spec; throws ObjectError, ElfError or BtfError (see the module comment). */
export function loadObjectSpec(bytes: Uint8Array, opts: LoadObjectOptions = {}): ObjectSpec {
  const elf = parseElf(bytes);
  if (elf.symtabIndex === 0) throw new ObjectError('OBJ_NO_SYMTAB', 'elf: no symbol table (stripped object?)');
  const roles = classifySections(elf);
  const idxOf = (role: string) => elf.sections.find((s) => roles[s.index] === role)?.index ?? 0;
  const duplicate = (['maps', 'legacy_maps', 'btf', 'btf_ext', 'license', 'version'] as const).find((r) => roles.filter((x) => x === r).length > 1);
  if (duplicate !== undefined) throw new ObjectError('OBJ_BAD_SECTION', `elf: more than one '${duplicate}' section`);

  let license = '';
  let kernVersion = 0;
  for (const s of elf.sections) {
    if (roles[s.index] === 'license') license = cString(s.data, 0, Math.min(s.data.length, LICENSE_MAX));
    if (roles[s.index] === 'version') {
      if (s.data.length !== 4) throw new ObjectError('OBJ_BAD_SECTION', `elf: ${sectionLabel(s)} is ${s.data.length} bytes, expected 4`);
      kernVersion = u32At(s.data, 0, elf.littleEndian);
    }
  }

  checkDataSectionSizes(elf, roles);
  const { btf: rawBtf, ext } = loadBtf(elf, roles);
  let ctx: LoadContext = {
    elf,
    le: elf.littleEndian,
    objName: opts.name ?? '',
    roles,
    textIndex: idxOf('text'),
    mapsIndex: idxOf('maps'),
    legacyMapsIndex: idxOf('legacy_maps'),
    btf: rawBtf,
    ext,
  };

  const progs = collectPrograms(ctx);
  const externs = within('externs', () => collectExterns(ctx));
  ctx = { ...ctx, btf: layoutKconfig(ctx.btf, externs) };

  const legacy = within('maps', () => collectLegacyMaps(ctx));
  const btfMaps = within('maps', () => collectBtfMaps(ctx));
  within('maps', () => applyMapRelocations(ctx, btfMaps, progs));
  const data = collectDataMaps(ctx);
  const kconfig = kconfigMap(ctx, externs);
  const structOps = within('struct_ops', () => collectStructOps(ctx, progs));
  const { user, arenaSection, arenaIndex } = within('maps', () => linkArena(ctx, [...legacy, ...btfMaps]));
  const maps: MapSpec[] = [...user.map((m) => m.spec), ...data.map((m) => m.spec), ...(kconfig === undefined ? [] : [kconfig.spec]), ...structOps.map((m) => m.spec)];
  const lookup: MapLookup = {
    userMap: (sec, off) => {
      const i = user.findIndex((m) => m.sectionIndex === sec && m.offset === off);
      return i === -1 ? undefined : i;
    },
    dataMap: (sec) => {
      if (sec === arenaSection && arenaSection !== 0) return arenaIndex;
      const i = data.findIndex((m) => m.sectionIndex === sec);
      return i === -1 ? undefined : user.length + i;
    },
  };
  const kconfigIndex = kconfig === undefined ? -1 : user.length + data.length;

  const relocs = within('relocations', () => collectCodeRelocs(ctx, progs, lookup, externs));
  const core = applyCore(ctx, progs, opts);
  const mapNames = maps.map((m) => m.name);

  const programs: ProgramSpec[] = progs.entries().map((p) => {
    const linked = linkProgram({ ctx, progs, relocs, core, externs, mapNames, kconfigMap: kconfigIndex }, p);
    const def = p.sec!.def;
    return {
      name: p.name,
      section: p.sectionName,
      sectionIndex: p.sectionIndex,
      sectionOffset: p.start,
      ownLength: p.length,
      type: def.progType,
      typeName: progTypeName(def.progType),
      expectedAttachType: def.attachType,
      // attach type 0 is BPF_CGROUP_INET_INGRESS for cgroup_skb/ingress and "none" elsewhere
      expectedAttachTypeName: def.attachType === 0 && def.pattern !== 'cgroup_skb/ingress' ? '' : attachTypeName(def.attachType),
      attachTarget: p.sec!.target,
      attachBtf: def.attachBtf === true,
      sleepable: def.sleepable === true,
      xdpFrags: def.xdpFrags === true,
      autoload: p.autoload,
      license,
      ...linked,
    };
  });

  return {
    name: ctx.objName,
    byteOrder: elf.littleEndian ? 'little' : 'big',
    license,
    kernVersion,
    programs,
    maps,
    externs: externs.list.map((e) => e.spec),
    btf: ctx.btf,
    hasBtfExt: ext !== undefined,
    sections: elf.sections
      .filter((s) => s.index !== 0)
      .map((s) => ({ index: s.index, name: s.name, type: s.type, flags: s.flags, size: s.size, role: roles[s.index]! })),
  };
}

/** The result of {@link safeLoadObjectSpec}. */
export type LoadResult = { readonly ok: true; readonly spec: ObjectSpec } | { readonly ok: false; readonly error: BpfemuError };

/** {@link loadObjectSpec} returning bpfemu's typed errors as values (other exceptions still throw). */
export function safeLoadObjectSpec(bytes: Uint8Array, opts: LoadObjectOptions = {}): LoadResult {
  try {
    return { ok: true, spec: loadObjectSpec(bytes, opts) };
  } catch (e) {
    if (e instanceof BpfemuError) return { ok: false, error: e };
    throw e;
  }
}

/**
 * The source position of instruction `pc` of a linked program: the last line_info record at
 * or before `pc` within the same function (undefined without line info).
 */
export function sourceOf(prog: ProgramSpec, pc: number): LineInfoSpec | undefined {
  const li = prog.lineInfo;
  let lo = 0;
  let hi = li.length - 1;
  let found = -1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    if (li[m]!.pc <= pc) {
      found = m;
      lo = m + 1;
    } else hi = m - 1;
  }
  if (found === -1) return undefined;
  const rec = li[found]!;
  const fn = prog.functions.find((f) => pc >= f.pc && pc < f.pc + f.length);
  return fn !== undefined && rec.pc < fn.pc ? undefined : rec;
}
