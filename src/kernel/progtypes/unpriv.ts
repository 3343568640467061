/**
 * The helpers 6.18 gives a user without CAP_BPF (bpf_base_func_proto and the type's own protos
 * when bpf_capable() is false), by program type — the only two types such a user may load.
 * Measured on this machine as uid 65534 with no capabilities while
 * kernel.unprivileged_bpf_disabled was 0 (test/verifier/goldens/helper-availability.json, targets
 * socket_filter_unpriv and cgroup_skb_unpriv; test/verifier/availability.test.ts keeps the two in
 * step).
 */
import { ProgType } from '../../object/uapi.js';

const BASE = [1, 2, 3, 5, 7, 8, 12, 14, 15, 25, 26, 42, 46, 47, 68, 87, 88, 89, 105, 106, 120, 122, 125, 130, 131, 132, 133, 134, 160, 182, 195, 208];

/** Helper ids an unprivileged socket filter / cgroup skb program may call. */
export const UNPRIV_HELPERS: ReadonlyMap<number, ReadonlySet<number>> = new Map([
  [ProgType.SOCKET_FILTER, new Set(BASE)],
  [ProgType.CGROUP_SKB, new Set([...BASE, 79, 81, 83, 84, 85, 86, 95, 96, 97, 98, 99, 107, 108, 128, 129])],
]);
