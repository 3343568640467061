/**
 * Clocks: bpf_ktime_get_ns (CLOCK_MONOTONIC), bpf_ktime_get_boot_ns (CLOCK_BOOTTIME),
 * bpf_ktime_get_coarse_ns (CLOCK_MONOTONIC_COARSE), bpf_ktime_get_tai_ns (CLOCK_TAI) and
 * bpf_jiffies64 (kernel/bpf/helpers.c), all read from the host's virtual clock: time moves only
 * when the emulator is told to advance it.
 *
 * The host has no wall clock; CLOCK_REALTIME is taken from the optional service `realtimeNs`
 * (a function returning ns), else {@link DEFAULT_REALTIME_AT_BOOT_NS} + CLOCK_BOOTTIME. CLOCK_TAI is
 * CLOCK_REALTIME + 37 s (the TAI-UTC offset since 2017, what the kernel's tk->tai_offset holds
 * once NTP has set it).
 */
import type { Machine } from '../vm/machine.js';
import { hostOf, type HelperHost } from './host.js';
import { ProgType as P } from '../object/uapi.js';
import { NET_TYPES } from './progtypes.js';
import type { HelperDef, HelperProto } from './registry.js';

/** CLOCK_REALTIME at boot of the emulated machine: 2024-01-01T00:00:00Z. */
export const DEFAULT_REALTIME_AT_BOOT_NS = 1_704_067_200_000_000_000n;
/** TAI - UTC in ns. */
export const TAI_OFFSET_NS = 37_000_000_000n;

/** CLOCK_REALTIME of the host (see the module comment). */
export function realtimeNs(host: HelperHost): bigint {
  const f = host.service<() => bigint>('realtimeNs');
  return f !== undefined ? f() : DEFAULT_REALTIME_AT_BOOT_NS + host.bootNs();
}

function ret(m: Machine, v: bigint): void {
  m.setR0Big(v);
}

/**
 * bpf_ktime_get_coarse_ns: the types whose get_func_proto reaches bpf_sk_base_func_proto, and the
 * cgroup skb/sock/sock_addr/sysctl protos; not cgroup_device, cgroup_sockopt, netfilter nor the
 * tracing types (measured on 6.18).
 */
const COARSE_TYPES: readonly number[] = [...NET_TYPES.filter((t) => t !== P.CGROUP_SOCKOPT && t !== P.NETFILTER), P.LWT_SEG6LOCAL];

/** Every clock's verifier prototype: no arguments, an integer (u64) result. */
const CLOCK_PROTO: HelperProto = { ret: 'integer', args: [] };

/** The clock helper family. */
export function timeHelpers(): HelperDef[] {
  const family = 'time';
  const proto = CLOCK_PROTO;
  return [
    { id: 5, name: 'ktime_get_ns', fn: (m) => ret(m, hostOf(m).monotonicNs()), proto, family },
    { id: 125, name: 'ktime_get_boot_ns', fn: (m) => ret(m, hostOf(m).bootNs()), proto, family },
    { id: 160, name: 'ktime_get_coarse_ns', fn: (m) => ret(m, hostOf(m).coarseNs()), progTypes: COARSE_TYPES, proto, family },
    { id: 208, name: 'ktime_get_tai_ns', fn: (m) => ret(m, realtimeNs(hostOf(m)) + TAI_OFFSET_NS), proto, family },
    { id: 118, name: 'jiffies64', fn: (m) => ret(m, hostOf(m).jiffies64()), proto, family },
  ];
}
