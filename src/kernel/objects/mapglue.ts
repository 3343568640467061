/**
 * Glue between kernel map objects (KMap: ids, refcounts, fds, BTF) and the map implementations of
 * maps/ (BpfMap: storage and semantics). Also finds special fields (bpf_spin_lock, bpf_timer, ...) in
 * a map's value type, as the kernel's btf_parse_fields does.
 */
import type { Btf } from '../../btf/btf.js';
import { ArenaMap } from '../../maps/arena.js';
import { ArrayMap } from '../../maps/array.js';
import { BpfMap } from '../../maps/map.js';
import type { MapEnv, SpecialField, SpecialFieldKind } from '../../maps/types.js';
import { ERRNO } from '../../util/errno.js';
import { Memory } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import type { KMap } from './objects.js';

const { EINVAL, ERANGE } = ERRNO;

/** The BpfMap behind a KMap, if it is a generic map. */
export function implOf(map: KMap): BpfMap | undefined {
  return map.impl instanceof BpfMap ? map.impl : undefined;
}

/** What `lddw rX, map` loads: the map's handle region. */
export function mapHandlePointer(map: KMap): bigint {
  return Memory.pointer(map.handle, 0);
}

/**
 * BPF_PSEUDO_MAP_VALUE: the address of `off` in the value of a single-entry ARRAY
 * (array_map_direct_value_addr: -ENOTSUPP unless max_entries is 1, -EINVAL for off >= value_size;
 * maps without direct value access: -EINVAL).
 */
export function mapDirectValue(map: KMap, off: number): bigint | number {
  const impl = implOf(map);
  // arena_map_direct_value_addr: user_vm_start (the verifier adds off), ERANGE past the user range
  if (impl instanceof ArenaMap) return BigInt(off) > impl.userVmEnd - impl.userVmStart ? -ERANGE : impl.userVmStart + BigInt(off);
  if (!(impl instanceof ArrayMap)) return -EINVAL;
  const region = impl.directValueRegion(off);
  return region < 0 ? region : Memory.pointer(region, off);
}

/** Special-field struct names (kernel btf_field_type names). */
const SPECIAL: Readonly<Record<string, { kind: SpecialFieldKind; size: number }>> = {
  bpf_spin_lock: { kind: 'spin_lock', size: 4 },
  bpf_res_spin_lock: { kind: 'res_spin_lock', size: 4 },
  bpf_timer: { kind: 'timer', size: 16 },
  bpf_wq: { kind: 'workqueue', size: 16 },
  bpf_list_head: { kind: 'list_head', size: 16 },
  bpf_rb_root: { kind: 'rb_root', size: 16 },
  bpf_refcount: { kind: 'refcount', size: 4 },
};

/** The `kptr`, `kptr_untrusted`, `percpu_kptr` or `uptr` type tag right behind a pointer, with the struct it tags, if any. */
function kptrTag(btf: Btf, id: number): { tag: string; struct: string } | undefined {
  for (let i = 0; i < 8 && id !== 0; i++) {
    const t = btf.type(id);
    if (t.kind === 'TYPE_TAG') {
      if (!['kptr', 'kptr_untrusted', 'percpu_kptr', 'uptr'].includes(t.name)) return undefined;
      const target = btf.resolved(t.type);
      return { tag: t.name, struct: target.kind === 'STRUCT' || target.kind === 'UNION' ? target.name : '' };
    }
    if (t.kind !== 'CONST' && t.kind !== 'VOLATILE' && t.kind !== 'RESTRICT') return undefined;
    id = t.type;
  }
  return undefined;
}

/** Special fields of a value type (nested structs and arrays of them included), by byte offset. */
export function specialFields(btf: Btf, typeId: number, base = 0, depth = 0, out: SpecialField[] = []): SpecialField[] {
  if (depth > 16) return out;
  const t = btf.resolved(typeId);
  // a pointer whose pointee carries a `kptr`-family type tag (btf_find_kptr)
  if (t.kind === 'PTR' && depth > 0) {
    const tag = kptrTag(btf, t.type);
    if (tag !== undefined) out.push({ kind: tag.tag === 'uptr' ? 'uptr' : 'kptr', offset: base, size: 8, kptr: tag });
    return out;
  }
  // global data (btf_find_datasec_var): the special fields of each variable, at its offset
  if (t.kind === 'DATASEC' && depth === 0) {
    for (const v of btf.datasecs().find((d) => d.id === t.id)?.vars ?? []) if (v.kind === 'VAR') specialFields(btf, v.type, base + v.offset, depth + 1, out);
    return out;
  }
  if (t.kind === 'STRUCT' || t.kind === 'UNION') {
    const sp = SPECIAL[t.name];
    if (sp !== undefined && depth > 0) {
      out.push({ kind: sp.kind, offset: base, size: sp.size });
      return out;
    }
    for (const m of btf.members(t.id)) {
      if (m.bitfieldSize !== undefined && m.bitfieldSize !== 0) continue;
      specialFields(btf, m.type, base + Math.floor(m.bitOffset / 8), depth + 1, out);
    }
  } else if (t.kind === 'ARRAY') {
    const elem = btf.resolved(t.type);
    if ((elem.kind === 'STRUCT' || elem.kind === 'UNION') && SPECIAL[elem.name] !== undefined) {
      const sz = btf.sizeof(elem.id);
      for (let i = 0; i < t.nelems; i++) specialFields(btf, elem.id, base + i * sz, depth + 1, out);
    }
  }
  return out;
}

/** The map environment of a kernel (shared by all its maps). */
export function mapEnv(k: Kernel): MapEnv {
  return {
    mem: k.mem,
    nrCpus: k.nrCpus,
    retire: (id) => k.retireRegion(id),
    resolveFd: (fd) => {
      const e = k.fds.get(fd);
      if (e === undefined) return undefined;
      if (e.kind === 'prog') return e.obj;
      if (e.kind === 'map') return implOf(e.obj) ?? e.obj;
      return e;
    },
    onValueFree: (map, region, value) => {
      for (const f of k.valueFreeHooks) f(map, region, value);
    },
    allocMapId: () => 0,
  };
}
