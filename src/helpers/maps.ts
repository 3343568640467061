/**
 * Map helpers (kernel/bpf/helpers.c, kernel/bpf/bpf_iter.c): bpf_map_lookup_elem,
 * bpf_map_update_elem, bpf_map_delete_elem, bpf_map_push_elem, bpf_map_pop_elem,
 * bpf_map_peek_elem, bpf_map_lookup_percpu_elem and bpf_for_each_map_elem. Each checks that its
 * map supports the operation (check_map_func_compatibility) and that keys and values are
 * readable/writable for the map's key and value sizes, then calls the map's program-side API
 * with the current CPU. Lookups return the value's region pointer, or NULL.
 */
import { BPF_MAP_TYPE } from '../maps/uapi.js';
import { SockMapBase, type SockMapSocket } from '../maps/sockmap.js';
import type { Machine } from '../vm/machine.js';
import { Memory, PERM_R, RegionKind, SLOT_MASK } from '../vm/memory.js';
import { callbackArg, flagsArg, mapArg, memArg, stackOrNullArg } from './args.js';
import { hostOf } from './host.js';
import { callBoolCallback } from './loop.js';
import type { HelperDef, HelperProto } from './registry.js';
import type { BpfMap } from '../maps/map.js';
import type { HelperFn } from '../vm/machine.js';

function lookupElem(m: Machine): void {
  const H = 'bpf_map_lookup_elem';
  const map = mapArg(m, 1, H, 'lookup');
  const ko = memArg(m, 2, map.keySize, false, H, 'key');
  // memArg proved r2's region mapped: its bytes by slot.
  const id = map.lookupPtr(m.mem.slotBytes[m.hi[2]! & SLOT_MASK]!, ko, hostOf(m).currentCpu());
  // A map-in-map lookup hands over an inner map: it joins this run's capabilities.
  if (id > 0 && (map.type === BPF_MAP_TYPE.ARRAY_OF_MAPS || map.type === BPF_MAP_TYPE.HASH_OF_MAPS)) m.grant(id);
  // A socket-map lookup hands over a socket (its struct bpf_sock view).
  if (id > 0 && (map.type === BPF_MAP_TYPE.SOCKMAP || map.type === BPF_MAP_TYPE.SOCKHASH)) m.grant(id);
  m.setR0(0, id > 0 ? id : 0);
}

/**
 * The map argument of a call site whose r1 the translator knows to be `map`'s handle (HelperDef.forMap):
 * true when r1 still is that handle and this run holds the map's grant, i.e. when {@link mapArg}
 * would return `map` (its operation check was done when the site was built); false sends the call
 * to the generic helper, which resolves or faults exactly as before.
 */
function siteMapOk(m: Machine, handle: number, slot: number): boolean {
  return m.hi[1] === handle && m.lo[1] === 0 && m.mem.slotId[slot] === handle && m.access.cap[slot] !== 0;
}

/** Maps whose program-side lookup gives a value region nothing else must be granted for. */
function plainValues(map: BpfMap): boolean {
  const t = map.type;
  return t !== BPF_MAP_TYPE.ARRAY_OF_MAPS && t !== BPF_MAP_TYPE.HASH_OF_MAPS && t !== BPF_MAP_TYPE.SOCKMAP && t !== BPF_MAP_TYPE.SOCKHASH && !(map instanceof SockMapBase);
}

/** {@link lookupElem} for a call site on `map` (see HelperDef.forMap). */
function lookupFor(map: BpfMap): HelperFn | null {
  if (!map.progOps.has('lookup') || !plainValues(map)) return null;
  const handle = map.handleRegion;
  const slot = handle & SLOT_MASK;
  const ks = map.keySize;
  return (m: Machine) => {
    if (!siteMapOk(m, handle, slot)) return lookupElem(m);
    const ko = memArg(m, 2, ks, false, 'bpf_map_lookup_elem', 'key');
    const id = map.lookupPtr(m.mem.slotBytes[m.hi[2]! & SLOT_MASK]!, ko, hostOf(m).currentCpu());
    m.setR0(0, id > 0 ? id : 0);
  };
}

/** {@link updateElem} for a call site on `map` (see HelperDef.forMap). */
function updateFor(map: BpfMap): HelperFn | null {
  if (!map.progOps.has('update') || !plainValues(map)) return null;
  const handle = map.handleRegion;
  const slot = handle & SLOT_MASK;
  const ks = map.keySize;
  return (m: Machine) => {
    if (!siteMapOk(m, handle, slot)) return updateElem(m);
    updatePlain(m, map, memArg(m, 2, ks, false, 'bpf_map_update_elem', 'key'));
  };
}

function updateElem(m: Machine): void {
  const H = 'bpf_map_update_elem';
  const map = mapArg(m, 1, H, 'update');
  const ko = memArg(m, 2, map.keySize, false, H, 'key');
  if (map instanceof SockMapBase) {
    // the value is a socket the program holds (ARG_PTR_TO_BTF_ID_SOCK_COMMON), NULL allowed at run time
    let sock: SockMapSocket | null = null;
    if (m.argU64(3) !== 0n) {
      const v = hostOf(m).service<{ byView(region: number): { sock: unknown } | undefined }>('sockets')?.byView(m.argRegion(3));
      if (v === undefined || m.argOffset(3) !== 0) throw m.fail('helper', `${H}: r3 is not a socket pointer (a SOCKMAP/SOCKHASH value is a socket)`);
      sock = v.sock as SockMapSocket;
    }
    const flags = flagsArg(m, 4);
    return m.setR0Num(map.updateSocketFromProg(m.mem.bytes(m.hi[2]!).slice(ko, ko + map.keySize), sock, flags > 2 || flags < 0 ? 3 : flags));
  }
  updatePlain(m, map, ko);
}

/** The update of a map whose values are bytes, the key at `ko` in r2's region: the value from r3, flags from r4. */
function updatePlain(m: Machine, map: BpfMap, ko: number): void {
  const vo = memArg(m, 3, map.valueSize, false, 'bpf_map_update_elem', 'value');
  const bytes = m.mem.slotBytes;
  m.setR0Num(map.updateFromProg(bytes[m.hi[2]! & SLOT_MASK]!, ko, bytes[m.hi[3]! & SLOT_MASK]!, vo, flagsArg(m, 4), hostOf(m).currentCpu()));
}

function deleteElem(m: Machine): void {
  const H = 'bpf_map_delete_elem';
  const map = mapArg(m, 1, H, 'delete');
  const ko = memArg(m, 2, map.keySize, false, H, 'key');
  m.setR0Num(map.deleteFromProg(m.mem.bytes(m.hi[2]!), ko, hostOf(m).currentCpu()));
}

function pushElem(m: Machine): void {
  const H = 'bpf_map_push_elem';
  const map = mapArg(m, 1, H, 'push');
  const vo = memArg(m, 2, map.valueSize, false, H, 'value');
  m.setR0Num(map.pushFromProg(m.mem.bytes(m.hi[2]!), vo, flagsArg(m, 3), hostOf(m).currentCpu()));
}

function popElem(m: Machine): void {
  const H = 'bpf_map_pop_elem';
  const map = mapArg(m, 1, H, 'pop');
  const vo = memArg(m, 2, map.valueSize, true, H, 'value');
  m.setR0Num(map.popFromProg(m.mem.bytes(m.hi[2]!), vo, hostOf(m).currentCpu()));
}

function peekElem(m: Machine): void {
  const H = 'bpf_map_peek_elem';
  const map = mapArg(m, 1, H, 'peek');
  // a bloom filter tests the value it is given; queues and stacks write the element there
  const vo = memArg(m, 2, map.valueSize, map.type !== BPF_MAP_TYPE.BLOOM_FILTER, H, 'value');
  m.setR0Num(map.peekFromProg(m.mem.bytes(m.hi[2]!), vo, hostOf(m).currentCpu()));
}

function lookupPercpuElem(m: Machine): void {
  const H = 'bpf_map_lookup_percpu_elem';
  const map = mapArg(m, 1, H, 'lookup_percpu');
  const ko = memArg(m, 2, map.keySize, false, H, 'key');
  const cpu = m.argU32(3);
  if (cpu >= hostOf(m).nrCpus) {
    m.setR0(0, 0);
    return;
  }
  const id = map.lookupPtr(m.mem.bytes(m.hi[2]!), ko, cpu);
  m.setR0(0, id > 0 ? id : 0);
}

/**
 * bpf_for_each_map_elem(map, callback_fn, callback_ctx, flags): the callback gets (map, &key,
 * &value, ctx) with a read-only copy of the key, valid during the call.
 */
function forEachMapElem(m: Machine): void {
  const H = 'bpf_for_each_map_elem';
  const map = mapArg(m, 1, H, 'for_each');
  const cb = callbackArg(m, 2, H);
  stackOrNullArg(m, 3, H, 'callback ctx');
  const ctx = m.argU64(3);
  const flags = flagsArg(m, 4);
  const mem = m.mem;
  const ks = map.keySize;
  const key = new Uint8Array(ks);
  const keyRegion = mem.map(key, { kind: RegionKind.OTHER, perm: PERM_R, label: `${H} key of ${map.name || map.id}` });
  m.grant(keyRegion);
  const mapPtr = Memory.pointer(map.handleRegion, 0);
  const keyPtr = Memory.pointer(keyRegion, 0);
  try {
    const n = map.forEachFromProg(
      (kb, ko, valueRegion) => {
        for (let i = 0; i < ks; i++) key[i] = kb[ko + i]!;
        return callBoolCallback(m, cb, [mapPtr, keyPtr, Memory.pointer(valueRegion, 0), ctx, 0n], H);
      },
      flags,
      hostOf(m).currentCpu(),
    );
    m.setR0Num(n);
  } finally {
    mem.unmap(keyRegion);
  }
}

/**
 * Verifier prototypes (kernel/bpf/helpers.c, kernel/bpf/bpf_iter.c): keys and values are sized by
 * the map argument; pop and peek write the value (MEM_UNINIT | MEM_WRITE); the for_each callback
 * returns 0 (continue) or 1 (stop).
 */
const MAP = { kind: 'map' } as const;
const KEY = { kind: 'map_key' } as const;
const VALUE = { kind: 'map_value' } as const;
const ANY = { kind: 'anything' } as const;
const MAP_PROTOS = {
  lookup: { ret: 'map_value_or_null', args: [MAP, KEY] },
  update: { ret: 'integer', args: [MAP, KEY, VALUE, ANY] },
  delete: { ret: 'integer', args: [MAP, KEY] },
  push: { ret: 'integer', args: [MAP, VALUE, ANY] },
  popPeek: { ret: 'integer', args: [MAP, { kind: 'map_value', uninit: true }] },
  lookupPercpu: { ret: 'map_value_or_null', args: [MAP, KEY, ANY] },
  forEach: { ret: 'integer', args: [MAP, { kind: 'func' }, { kind: 'stack_or_null' }, ANY], callback: { arg: 1, retRange: [0, 1] } },
} as const satisfies Record<string, HelperProto>;

/** The map helper family. */
export function mapHelpers(): HelperDef[] {
  const family = 'maps';
  const P = MAP_PROTOS;
  return [
    { id: 1, name: 'map_lookup_elem', fn: lookupElem, proto: P.lookup, family, forMap: lookupFor },
    { id: 2, name: 'map_update_elem', fn: updateElem, proto: P.update, family, forMap: updateFor },
    { id: 3, name: 'map_delete_elem', fn: deleteElem, proto: P.delete, family },
    { id: 87, name: 'map_push_elem', fn: pushElem, proto: P.push, family },
    { id: 88, name: 'map_pop_elem', fn: popElem, proto: P.popPeek, family },
    { id: 89, name: 'map_peek_elem', fn: peekElem, proto: P.popPeek, family },
    { id: 195, name: 'map_lookup_percpu_elem', fn: lookupPercpuElem, proto: P.lookupPercpu, family },
    { id: 164, name: 'for_each_map_elem', fn: forEachMapElem, proto: P.forEach, family },
  ];
}
