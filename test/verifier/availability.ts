/**
 * Which helpers each program type may call (the kernel's get_func_proto), probed on the running
 * kernel: for every program type of the project's table (with the attach type or target its loads
 * need) and every helper id 1..211, a three-instruction program `call N; r0 = 0; exit`. 6.18 answers
 * "program of this type cannot use helper X#N" (EINVAL) when the type's proto table lacks the
 * helper; any other outcome (accepted, an argument error, "helper call might sleep") means the
 * helper is there. `npm run verifier-goldens -- --availability` (root) writes
 * goldens/helper-availability.json; test/verifier/availability.test.ts compares bpfemu with it.
 */
import type { KernelVerdict, VerifierCase } from './corpus/types.js';

/** The last helper id of 6.18's enum bpf_func_id (bpf_cgrp_storage_delete). */
export const MAX_HELPER_ID = 211;

/** One program type (and attach type) whose helper table is probed. */
export interface AvailabilityTarget {
  readonly name: string;
  readonly progType: number;
  readonly attachType?: number;
  readonly attachBtf?: string;
  readonly progFlags?: number;
  /** Loaded by an unprivileged user (the oracle's `none` profile; bpfemu's `privileged: 'none'`). */
  readonly profile?: 'none';
}

/**
 * The program types bpfemu loads (src/kernel/progtypes), with the expected attach type libbpf gives
 * their usual section (`xdp` BPF_XDP, `sockops` BPF_CGROUP_SOCK_OPS, ...: some helpers depend on
 * it; with attach type 0, 6.18 has no bpf_xdp_adjust_meta for XDP) or the attach target the load
 * needs. Not here: fentry/fexit/LSM (this kernel build refuses every load with EPERM before
 * the verifier runs), struct_ops (needs a struct_ops map), ext (needs a target program).
 */
export const TARGETS: readonly AvailabilityTarget[] = [
  { name: 'socket_filter', progType: 1 },
  { name: 'kprobe', progType: 2 },
  { name: 'sched_cls', progType: 3 },
  { name: 'sched_act', progType: 4 },
  { name: 'tracepoint', progType: 5 },
  { name: 'xdp', progType: 6, attachType: 37 },
  { name: 'perf_event', progType: 7 },
  { name: 'cgroup_skb', progType: 8 },
  { name: 'cgroup_sock', progType: 9, attachType: 2 },
  { name: 'lwt_in', progType: 10 },
  { name: 'lwt_out', progType: 11 },
  { name: 'lwt_xmit', progType: 12 },
  { name: 'sock_ops', progType: 13, attachType: 3 },
  { name: 'sk_skb', progType: 14 },
  { name: 'cgroup_device', progType: 15, attachType: 6 },
  { name: 'sk_msg', progType: 16, attachType: 7 },
  { name: 'raw_tracepoint', progType: 17 },
  { name: 'cgroup_sock_addr', progType: 18, attachType: 10 },
  { name: 'lwt_seg6local', progType: 19 },
  { name: 'sk_reuseport', progType: 21, attachType: 39 },
  { name: 'flow_dissector', progType: 22, attachType: 17 },
  { name: 'cgroup_sysctl', progType: 23, attachType: 18 },
  { name: 'raw_tracepoint_writable', progType: 24 },
  { name: 'cgroup_sockopt', progType: 25, attachType: 21 },
  { name: 'tracing_tp_btf', progType: 26, attachType: 23, attachBtf: 'sched_switch' },
  { name: 'tracing_iter', progType: 26, attachType: 28, attachBtf: 'task' },
  { name: 'sk_lookup', progType: 30, attachType: 36 },
  { name: 'syscall', progType: 31, progFlags: 16 },
  { name: 'netfilter', progType: 32, attachType: 45 },
];

/**
 * The program types an unprivileged user may load (uid 65534, no capabilities), recorded while
 * kernel.unprivileged_bpf_disabled was 0 (this machine keeps 2).
 */
export const UNPRIV_TARGETS: readonly AvailabilityTarget[] = [
  { name: 'socket_filter_unpriv', progType: 1, profile: 'none' },
  { name: 'cgroup_skb_unpriv', progType: 8, profile: 'none' },
];

/** The probe of helper `id` in `t`. */
export function probeCase(t: AvailabilityTarget, id: number): VerifierCase {
  return {
    name: `avail-${t.name}-${id}`,
    rule: 'availability',
    what: `helper #${id} in ${t.name}`,
    progType: t.progType,
    ...(t.attachType !== undefined ? { attachType: t.attachType } : {}),
    ...(t.attachBtf !== undefined ? { attachBtf: t.attachBtf } : {}),
    ...(t.progFlags !== undefined ? { progFlags: t.progFlags } : {}),
    ...(t.profile !== undefined ? { profile: t.profile } : {}),
    asm: `call ${id}\nmov r0, 0\nexit`,
  };
}

/** What a probe says: the type has the helper, lacks it, or (bpfemu only) the emulator does not implement it. */
export type Availability = 'has' | 'lacks' | 'unimplemented';

/** Classify a verdict of {@link probeCase}. */
export function availabilityOf(v: KernelVerdict): Availability {
  if (v.accepted) return 'has';
  const line = v.errorLine ?? '';
  if (line.includes('(bpfemu does not implement this helper)')) return 'unimplemented';
  if (v.errno === 'EINVAL' && /^program of this type cannot use helper /.test(line)) return 'lacks';
  return 'has';
}

/**
 * The probe of kfunc `name` (BTF id `btfId` in the kernel probed: the running one's vmlinux, or the
 * emulated one's) in `t`: `call kfunc ID; r0 = 0; exit`. 6.18 answers "calling kernel function X is
 * not allowed" (EACCES) when no id set registered for the type holds it.
 */
export function kfuncProbeCase(t: AvailabilityTarget, name: string, btfId: number): VerifierCase {
  return { ...probeCase(t, 0), name: `avail-${t.name}-${name}`, what: `kfunc ${name} in ${t.name}`, asm: `call kfunc ${btfId}\nmov r0, 0\nexit` };
}

/** Classify a verdict of {@link kfuncProbeCase}. */
export function kfuncAvailabilityOf(v: KernelVerdict): Availability {
  return !v.accepted && /^calling kernel function \S+ is not allowed/.test(v.errorLine ?? '') ? 'lacks' : 'has';
}

/** The golden: per target, the helper ids 6.18 has for it (ascending), and the kfuncs of `kfuncNames` it may call. */
export interface AvailabilityGolden {
  readonly kernel: string;
  readonly targets: Readonly<Record<string, readonly number[]>>;
  /** The kfuncs probed: the emulator's generic ones that the running vmlinux also has. */
  readonly kfuncNames: readonly string[];
  readonly kfuncs: Readonly<Record<string, readonly string[]>>;
}
