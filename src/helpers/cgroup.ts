/**
 * Cgroup helpers over the cgroup map types (kernel/bpf/helpers.c, kernel/bpf/cgroup.c):
 * bpf_get_local_storage (81) over CGROUP_STORAGE / PERCPU_CGROUP_STORAGE (maps/cgroup-storage.ts).
 *
 * bpf_get_local_storage(map, flags) returns the storage of the program's current (cgroup, attach
 * type) for that map's storage type: the one bound to the run with {@link bindCgroupStorage} (the
 * code that fires attached cgroup programs binds `map.link(cgroupId, attachType)`), or else fresh
 * zeroed storage linked nowhere, for the rest of the run (what a BPF_PROG_TEST_RUN gets). Per-CPU
 * maps give the current CPU's copy. The result is never NULL (RET_PTR_TO_MAP_VALUE). The verifier
 * wants flags to be a known zero; at run time they are ignored, as in the kernel.
 * Availability measured on 6.18 (test/helpers/helper-protos.json): the cgroup program types.
 */
import { CgroupStorageMap, type CgroupStorage } from '../maps/cgroup-storage.js';
import { mapTypeName } from '../maps/uapi.js';
import { ProgType as P } from '../object/uapi.js';
import type { Machine } from '../vm/machine.js';
import { mapArg } from './args.js';
import { hostOf } from './host.js';
import type { HelperDef, HelperProto } from './registry.js';

/** Make `storage` (from `map.link(...)`) what bpf_get_local_storage returns for `map` in the rest of the run on `m`. */
export function bindCgroupStorage(m: Machine, map: CgroupStorageMap, storage: CgroupStorage): void {
  m.runState.set(map, storage);
}

/** Unlinked storage of test runs, per run context (one BPF_PROG_TEST_RUN call, all its repetitions). */
const testRunStorage = new WeakMap<object, Map<CgroupStorageMap, CgroupStorage>>();

function getLocalStorage(m: Machine): void {
  const H = 'bpf_get_local_storage';
  const map = mapArg(m, 1, H);
  if (!(map instanceof CgroupStorageMap)) {
    throw m.fail('helper', `${H}: map '${map.name || map.id}' of type ${mapTypeName(map.type)} cannot be used with this helper (the verifier rejects the program)`);
  }
  const cpu = hostOf(m).currentCpu();
  let s = m.runState.get(map) as CgroupStorage | undefined;
  if (s === undefined) {
    const ctx = m.context;
    if (ctx !== null) {
      let per = testRunStorage.get(ctx);
      if (per === undefined) testRunStorage.set(ctx, (per = new Map()));
      s = per.get(map) ?? map.runStorage();
      per.set(map, s);
    } else s = map.runStorage();
    m.runState.set(map, s);
  }
  if (map.storages().includes(s)) {
    m.setR0(0, map.regionOf(s, cpu));
    return;
  }
  // unlinked storage: one region per run and CPU, gone when the run ends
  let regions = m.runState.get(s) as number[] | undefined;
  if (regions === undefined) m.runState.set(s, (regions = []));
  let region = regions[cpu];
  if (region === undefined) {
    region = map.transientRegionOf(s, cpu);
    map.env.retire(region);
    regions[cpu] = region;
  }
  m.setR0(0, region);
}

/** bpf_get_local_storage_proto: RET_PTR_TO_MAP_VALUE (never NULL), flags ARG_ANYTHING. */
export const GET_LOCAL_STORAGE_PROTO: HelperProto = { ret: 'map_value', args: [{ kind: 'map' }, { kind: 'anything' }] };

/** Program types offering bpf_get_local_storage (measured on 6.18). */
export const CGROUP_STORAGE_TYPES: readonly number[] = [P.CGROUP_SKB, P.CGROUP_SOCK, P.SOCK_OPS, P.CGROUP_DEVICE, P.CGROUP_SOCK_ADDR, P.CGROUP_SYSCTL, P.CGROUP_SOCKOPT];

/** The cgroup helper family. */
export function cgroupHelpers(): HelperDef[] {
  const family = 'cgroup';
  return [{ id: 81, name: 'get_local_storage', fn: getLocalStorage, proto: GET_LOCAL_STORAGE_PROTO, progTypes: CGROUP_STORAGE_TYPES, family }];
}
