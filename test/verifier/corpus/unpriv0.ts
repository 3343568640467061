/**
 * Corpus group unpriv0: loads by an unprivileged user (uid 65534, no capabilities, not even
 * CAP_BPF), recorded while kernel.unprivileged_bpf_disabled was 0 (this machine keeps it at 2,
 * which refuses every such load with EPERM; the recording sets 0 and restores 2): only socket
 * filters and cgroup skb programs load, at most 4,096 instructions, no bpf-to-bpf or kernel
 * function calls, no loops (back-edges), the helpers of bpf_base_func_proto without CAP_BPF, and
 * the pointer-leak and uninitialised-stack rules of the CAP_BPF-only profile. bpfemu loads these
 * cases with `privileged: 'none'`.
 */
import type { VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const SCHED_CLS = 3;
const XDP = 6;
const CGROUP_SKB = 8;

const ARRAY = { type: 2, keySize: 4, valueSize: 8, maxEntries: 1 } as const;

function u(name: string, what: string, progType: number, asm: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'unpriv0', what, progType, asm, profile: 'none', ...extra };
}

const LOOKUP = 'stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall 1';

export const CASES: VerifierCase[] = [
  u('unpriv0-socket-filter', 'a socket filter loads', SOCKET_FILTER, 'mov r0, 0\nexit'),
  u('unpriv0-cgroup-skb', 'a cgroup skb program loads', CGROUP_SKB, 'mov r0, 1\nexit'),
  u('unpriv0-xdp', 'an XDP program is refused before the verifier', XDP, 'mov r0, 2\nexit'),
  u('unpriv0-tc', 'a tc program is refused before the verifier', SCHED_CLS, 'mov r0, 0\nexit'),
  u('unpriv0-bpf-to-bpf', 'a bpf-to-bpf call', SOCKET_FILTER, 'call local f\nmov r0, 0\nexit\nf:\nmov r0, 0\nexit'),
  u('unpriv0-kfunc', 'a kfunc call', SOCKET_FILTER, 'call kfunc 1\nmov r0, 0\nexit'),
  u('unpriv0-bounded-loop', 'a bounded loop (a back-edge)', SOCKET_FILTER, 'mov r1, 0\nl:\nadd r1, 1\njlt r1, 4, l\nmov r0, 0\nexit'),
  u('unpriv0-helper-prandom', 'bpf_get_prandom_u32 is in the unprivileged base set', SOCKET_FILTER, 'call 7\nmov r0, 0\nexit'),
  u('unpriv0-helper-ktime', 'bpf_ktime_get_ns', SOCKET_FILTER, 'call 5\nmov r0, 0\nexit'),
  u('unpriv0-helper-loop', 'bpf_loop needs CAP_BPF', SOCKET_FILTER, 'mov r1, 1\nmov r2, 0\nmov r3, 0\nmov r4, 0\ncall 181\nmov r0, 0\nexit'),
  u('unpriv0-helper-trace-printk', 'bpf_trace_printk needs CAP_PERFMON', SOCKET_FILTER, 'mov r1, r10\nadd r1, -8\nstdw [r10-8], 0\nmov r2, 8\ncall 6\nmov r0, 0\nexit'),
  u('unpriv0-ret-ptr', 'the frame pointer returned', SOCKET_FILTER, 'mov r0, r10\nexit'),
  u('unpriv0-uninit-stack', 'a read of never-written stack', SOCKET_FILTER, 'ldxdw r0, [r10-8]\nexit'),
  u('unpriv0-map-lookup', 'an array map lookup', SOCKET_FILTER, `${LOOKUP}\nmov r0, 0\nexit`, { maps: [ARRAY] }),
  u('unpriv0-map-ptr-store', 'a map value pointer stored into the map', SOCKET_FILTER, `${LOOKUP}\njeq r0, 0, +1\nstxdw [r0+0], r0\nmov r0, 0\nexit`, { maps: [ARRAY] }),
  u('unpriv0-too-many-insns', '4,097 instructions', SOCKET_FILTER, `${'mov r0, 0\n'.repeat(4096)}exit`),
  u('unpriv0-4096-insns', '4,096 instructions', SOCKET_FILTER, `${'mov r0, 0\n'.repeat(4095)}exit`),
];
