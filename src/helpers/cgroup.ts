/**
 * Cgroup helpers over the cgroup map types (kernel/bpf/helpers.c, kernel/bpf/cgroup.c,
 * net/core/filter.c): bpf_get_local_storage (81) over CGROUP_STORAGE / PERCPU_CGROUP_STORAGE
 * (maps/cgroup-storage.ts); bpf_current_task_under_cgroup (37) and bpf_skb_under_cgroup (33) over
 * CGROUP_ARRAY (maps/cgroup-array.ts) and the emulated hierarchy (maps/cgroups.ts).
 *
 * `*_under_cgroup(…, map, index)`: -E2BIG for an index past max_entries, -EAGAIN for an empty slot,
 * else 1 when the current task's (or the skb socket's) cgroup is the slot's cgroup or below it, 0
 * otherwise (measured on 6.18: goldens/cgroup-array.json). A test run's skb socket belongs to the
 * current task's cgroup, as the kernel's test-run socket is made by the calling task.
 *
 * bpf_get_local_storage(map, flags) returns the storage of the program's current (cgroup, attach
 * type) for that map's storage type: the one bound to the run with {@link bindCgroupStorage} (the
 * code that fires attached cgroup programs binds `map.link(cgroupId, attachType)`), or else fresh
 * zeroed storage linked nowhere, for the rest of the run (what a BPF_PROG_TEST_RUN gets). Per-CPU
 * maps give the current CPU's copy. The result is never NULL (RET_PTR_TO_MAP_VALUE). The verifier
 * wants flags to be a known zero; at run time they are ignored, as in the kernel.
 * Availability measured on 6.18 (test/helpers/helper-protos.json): the cgroup program types.
 */
import { CgroupArrayMap } from '../maps/cgroup-array.js';
import { CgroupStorageMap, type CgroupStorage } from '../maps/cgroup-storage.js';
import { cgroupsOf } from '../maps/cgroups.js';
import { ERRNO } from '../util/errno.js';
import { mapTypeName } from '../maps/uapi.js';
import { ProgType as P } from '../object/uapi.js';
import type { Machine } from '../vm/machine.js';
import { ctxArg, mapArg } from './args.js';
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

/** The CGROUP_ARRAY in register `reg`. */
function cgroupArrayArg(m: Machine, reg: number, helper: string): CgroupArrayMap {
  const map = mapArg(m, reg, helper);
  if (!(map instanceof CgroupArrayMap)) {
    throw m.fail('helper', `${helper}: map '${map.name || map.id}' of type ${mapTypeName(map.type)} cannot be used with this helper (the verifier rejects the program)`);
  }
  return map;
}

/** 1/0 for membership of the current cgroup under slot `index`, or -E2BIG / -EAGAIN. */
function underCgroup(m: Machine, map: CgroupArrayMap, index: number): number {
  if (index >= map.maxEntries) return -ERRNO.E2BIG;
  const cg = map.at(index);
  if (cg === undefined) return -ERRNO.EAGAIN;
  return cgroupsOf(m).current.isDescendantOf(cg) ? 1 : 0;
}

function currentTaskUnderCgroup(m: Machine): void {
  const map = cgroupArrayArg(m, 1, 'bpf_current_task_under_cgroup');
  m.setR0Num(underCgroup(m, map, m.argU32(2)));
}

function skbUnderCgroup(m: Machine): void {
  ctxArg(m, 1, 'bpf_skb_under_cgroup');
  const map = cgroupArrayArg(m, 2, 'bpf_skb_under_cgroup');
  m.setR0Num(underCgroup(m, map, m.argU32(3)));
}

/** bpf_get_local_storage_proto: RET_PTR_TO_MAP_VALUE (never NULL), flags ARG_ANYTHING. */
export const GET_LOCAL_STORAGE_PROTO: HelperProto = { ret: 'map_value', args: [{ kind: 'map' }, { kind: 'anything' }] };

/** Program types offering bpf_get_local_storage (measured on 6.18). */
export const CGROUP_STORAGE_TYPES: readonly number[] = [P.CGROUP_SKB, P.CGROUP_SOCK, P.SOCK_OPS, P.CGROUP_DEVICE, P.CGROUP_SOCK_ADDR, P.CGROUP_SYSCTL, P.CGROUP_SOCKOPT];

/** Program types offering bpf_skb_under_cgroup (measured on 6.18): tc and lwt. */
export const SKB_UNDER_CGROUP_TYPES: readonly number[] = [P.SCHED_CLS, P.SCHED_ACT, P.LWT_IN, P.LWT_OUT, P.LWT_XMIT, P.LWT_SEG6LOCAL];

/** The cgroup helper family. */
export function cgroupHelpers(): HelperDef[] {
  const family = 'cgroup';
  const MAP = { kind: 'map' } as const;
  const ANY = { kind: 'anything' } as const;
  return [
    { id: 81, name: 'get_local_storage', fn: getLocalStorage, proto: GET_LOCAL_STORAGE_PROTO, progTypes: CGROUP_STORAGE_TYPES, family },
    { id: 37, name: 'current_task_under_cgroup', fn: currentTaskUnderCgroup, proto: { ret: 'integer', args: [MAP, ANY] }, family },
    { id: 33, name: 'skb_under_cgroup', fn: skbUnderCgroup, proto: { ret: 'integer', args: [{ kind: 'ctx' }, MAP, ANY] }, progTypes: SKB_UNDER_CGROUP_TYPES, family },
  ];
}
