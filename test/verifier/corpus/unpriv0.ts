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


/** A socket filter of the unprivileged user: `body` then `out: r0 = 0; exit`. */
function s(name: string, what: string, body: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return u(name, what, SOCKET_FILTER, `${body}\nout:\nmov r0, 0\nexit`, extra);
}

/** r6 = the value of maps[0] at key 0 (null-checked), r9 = the ctx. */
const VALUE = 'mov r9, r1\nstw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall 1\njeq r0, 0, out\nmov r6, r0';
/** r7 = the value of maps[1] at key 0 (null-checked). */
const VALUE2 = 'stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 1\ncall 1\njeq r0, 0, out\nmov r7, r0';
const A16 = { type: 2, keySize: 4, valueSize: 16, maxEntries: 1 } as const;
const a16 = { maps: [A16] };
const a16x2 = { maps: [A16, A16] };

/**
 * sanitize_ptr_alu / sanitize_val_alu, pointer comparisons, stack pointer offsets, the
 * speculative walk of branches the verifier knows are not taken (sanitize_speculative_path) and
 * Spectre v4 stack stores (bypass_spec_v1/v4 false without CAP_BPF/CAP_PERFMON).
 */
const SPEC: VerifierCase[] = [
  s('unpriv0-map-var-in-range', 'a map value pointer plus an index that stays inside the value', `${VALUE}\nldxw r2, [r9+0]\nand r2, 7\nadd r6, r2\nldxb r0, [r6+0]`, a16),
  s('unpriv0-map-var-out-of-range', 'a map value pointer plus an index that may run past the value', `${VALUE}\nldxw r2, [r9+0]\nand r2, 31\nadd r6, r2`, a16),
  s('unpriv0-map-sub-var-in-range', 'a map value pointer at +8 minus an index 0..7', `${VALUE}\nadd r6, 8\nldxw r2, [r9+0]\nand r2, 7\nsub r6, r2\nldxb r0, [r6+0]`, a16),
  s('unpriv0-map-sub-var-out-of-range', 'a map value pointer minus an index 0..7 (below the value)', `${VALUE}\nldxw r2, [r9+0]\nand r2, 7\nsub r6, r2`, a16),
  s('unpriv0-map-const-out-of-range', 'a map value pointer plus a constant register past the value', `${VALUE}\nmov r2, 32\nadd r6, r2`, a16),
  s('unpriv0-map-imm-out-of-range', 'a map value pointer plus an immediate past the value', `${VALUE}\nadd r6, 32`, a16),
  s('unpriv0-mixed-bounds', 'a map value pointer plus a scalar that may be negative or positive', `${VALUE}\nldxw r2, [r9+0]\nand r2, 7\nsub r2, 4\nadd r6, 8\nadd r6, r2`, a16),
  s('unpriv0-positive-bounds', 'a map value pointer plus a scalar known to be 0..3', `${VALUE}\nldxw r2, [r9+0]\nand r2, 7\nrsh r2, 1\nand r2, 3\nadd r6, r2`, a16),
  s('unpriv0-different-paths', 'one add of a variable index to a map value pointer at two different offsets (two paths)', `${VALUE}\nldxw r2, [r9+0]\nand r2, 3\nldxw r3, [r9+4]\njeq r3, 0, +1\nadd r6, 4\nadd r6, r2\nldxb r0, [r6+0]`, a16),
  s('unpriv0-same-paths', 'one add of a variable index to a map value pointer at the same offset on two paths', `${VALUE}\nldxw r2, [r9+0]\nand r2, 3\nldxw r3, [r9+4]\njeq r3, 0, +1\nmov r3, 1\nadd r6, r2\nldxb r0, [r6+0]`, a16),
  s('unpriv0-different-maps', 'one add of a variable index to values of two different maps (two paths)', `${VALUE}\n${VALUE2}\nldxw r2, [r9+0]\nand r2, 3\nldxw r3, [r9+4]\njeq r3, 0, +1\nmov r6, r7\nadd r6, r2\nldxb r0, [r6+0]`, a16x2),
  s('unpriv0-map-ptr-add', 'pointer arithmetic on a map pointer', 'lddw r1, map_fd 0\nmov r2, 8\nadd r1, r2', a16),
  s('unpriv0-map-ptr-add-zero', 'a map pointer plus a zero register', 'lddw r1, map_fd 0\nmov r2, 0\nadd r1, r2', a16),
  s('unpriv0-ctx-ptr-add-reg', 'the ctx pointer plus a register', 'mov r2, 4\nadd r1, r2'),
  s('unpriv0-null-ptr-add', 'pointer arithmetic on a map value or null', 'stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall 1\nadd r0, 4', a16),
  s('unpriv0-ptr-cmp', 'comparing two stack pointers', 'mov r2, r10\nmov r3, r10\nadd r3, -8\njgt r2, r3, out'),
  s('unpriv0-ptr-cmp-imm', 'comparing a stack pointer with a constant', 'mov r2, r10\njeq r2, 5, out'),
  s('unpriv0-ptr-null-check', 'the NULL check of a map lookup', 'stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall 1\njeq r0, 0, out\nldxb r0, [r0+0]', a16),
  s('unpriv0-ptr-cmp-scalar', 'comparing a scalar with a pointer register', 'mov r2, r10\nmov r3, 1\njeq r3, r2, out'),
  s('unpriv0-stack-var-off', 'a stack pointer plus a variable offset', 'stdw [r10-16], 0\nstdw [r10-8], 0\nldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nadd r3, -16\nadd r3, r2\nldxdw r0, [r3+0]'),
  s('unpriv0-stack-const-reg', 'a stack pointer plus a constant register', 'stdw [r10-16], 0\nmov r2, -16\nmov r3, r10\nadd r3, r2\nldxdw r0, [r3+0]'),
  s('unpriv0-stack-above-frame', 'a stack pointer moved above the frame by a register', 'mov r2, 8\nmov r3, r10\nadd r3, r2'),
  s('unpriv0-stack-below-frame', 'a stack pointer moved below 512 bytes by a register', 'mov r2, -520\nmov r3, r10\nadd r3, r2'),
  s('unpriv0-stack-imm-above-frame', 'a stack pointer moved above the frame by an immediate', 'mov r3, r10\nadd r3, 8'),
  s('unpriv0-spec-dead-uninit', 'a never-taken fall-through reads never-written stack', 'mov r1, 0\njeq r1, 0, out\nldxdw r0, [r10-8]\nexit'),
  s('unpriv0-spec-dead-leak', 'a never-taken fall-through returns the frame pointer', 'mov r1, 0\njeq r1, 0, out\nmov r0, r10\nexit'),
  s('unpriv0-spec-dead-target', 'a never-taken jump target returns the frame pointer', 'mov r1, 0\njne r1, 0, leak\nja out\nleak:\nmov r0, r10\nexit'),
  s('unpriv0-spec-dead-bad-insn', 'a never-taken fall-through calls a helper refused to the user', 'mov r1, 0\njeq r1, 0, out\ncall 181'),
  s('unpriv0-spec-dead-oob', 'a never-taken fall-through reads past a map value', `${VALUE}\nmov r1, 0\njeq r1, 0, out\nldxdw r0, [r6+16]\nexit`, a16),
  s('unpriv0-spec-bounds', 'a bounds check whose other side reads past the value', `${VALUE}\nldxw r2, [r9+0]\njgt r2, 7, out\nadd r6, r2\nldxb r0, [r6+0]`, a16),
  s('unpriv0-spec-ptr-store', 'a never-taken fall-through stores a pointer into a map value', `${VALUE}\nmov r1, 0\njeq r1, 0, out\nstxdw [r6+0], r6`, a16),
  s('unpriv0-paths-ranges', 'one add of an index 0..3 on one path and 0..7 on the other to a map value pointer', `${VALUE}\nldxw r2, [r9+0]\nldxw r3, [r9+4]\njeq r3, 0, wide\nand r2, 3\nja join\nwide:\nand r2, 7\njoin:\nadd r6, r2\nldxb r0, [r6+0]`, a16),
  s('unpriv0-paths-stack-consts', 'one add of -8 on one path and -16 on the other (registers) to the frame pointer', 'stdw [r10-16], 0\nstdw [r10-8], 0\nldxw r3, [r1+4]\nmov r2, -8\njeq r3, 0, +1\nmov r2, -16\nmov r4, r10\nadd r4, r2\nldxdw r0, [r4+0]'),
  s('unpriv0-paths-stack-same', 'one add of -8 on both paths (registers) to the frame pointer', 'stdw [r10-8], 0\nldxw r3, [r1+4]\nmov r2, -8\njeq r3, 0, +1\nmov r2, -8\nmov r4, r10\nadd r4, r2\nldxdw r0, [r4+0]'),
  s('unpriv0-paths-ptr-scalar', 'one add that is pointer arithmetic on one path and scalar arithmetic on the other', `${VALUE}\nldxw r2, [r9+0]\nand r2, 3\nldxw r3, [r9+4]\njeq r3, 0, +1\nmov r6, 5\nadd r6, r2`, a16),
  s('unpriv0-paths-scalar-scalar', 'one scalar add reached on two paths', 'ldxw r2, [r1+0]\nldxw r3, [r1+4]\njeq r3, 0, +1\nmov r2, 5\nadd r2, r3\nmov r0, r2'),
  s('unpriv0-paths-sub-add-sign', 'one add of a negative index on one path and a non-negative one on the other', `${VALUE}\nadd r6, 8\nldxw r3, [r9+4]\nmov r2, -4\njeq r3, 0, +1\nmov r2, 4\nadd r6, r2\nldxb r0, [r6+0]`, a16),
  s('unpriv0-spec-dead-exit', 'a never-taken fall-through that returns normally', 'mov r1, 0\njeq r1, 0, out\nmov r0, 1\nexit'),
  s('unpriv0-spec-dead-v4-store', 'a never-taken fall-through that writes fresh stack (Spectre v4 barrier) then reads unwritten stack', 'mov r1, 0\njeq r1, 0, out\nstdw [r10-8], 0\nldxdw r0, [r10-16]\nexit'),
  s('unpriv0-spec-dead-misc-store', 'a never-taken fall-through that overwrites misc stack then reads unwritten stack', 'ldxw r2, [r1+0]\nstxdw [r10-8], r2\nmov r1, 0\njeq r1, 0, out\nstxdw [r10-8], r2\nldxdw r0, [r10-16]\nexit'),
  s('unpriv0-spec-ptr-alu-trunc', 'a variable add whose truncated side is walked, then a jump on the pointer', `${VALUE}\nldxw r2, [r9+0]\nand r2, 7\nadd r6, r2\nldxb r0, [r6+8]\nmov r0, 0\nexit`, a16),
  s('unpriv0-spec-nested', 'two decided branches in a row, each with a speculative side', 'mov r1, 0\nmov r2, 1\njeq r1, 0, +2\nmov r0, r10\nexit\njne r2, 1, +1\nja out\nmov r0, r10\nexit'),
  s('unpriv0-spill-const-lost', 'a constant 4 spilled and filled back, then added to a map value pointer (no scalar spills without CAP_BPF)', `${VALUE}\nmov r2, 4\nstxdw [r10-16], r2\nldxdw r2, [r10-16]\nadd r6, r2\nldxw r0, [r6+0]`, a16),
  s('unpriv0-spill-zero-kept', 'a zero spilled and filled back, then added to a map value pointer (zero bytes are kept)', `${VALUE}\nmov r2, 0\nstxdw [r10-16], r2\nldxdw r2, [r10-16]\nadd r6, r2\nldxw r0, [r6+0]`, a16),
  s('unpriv0-prune-misc-vs-unwritten', 'a join where one path wrote a stack slot and the other did not, then a read (no pruning across it)', `ldxw r3, [r1+4]\n${'mov r5, 0\n'.repeat(8)}ja +0\nja +0\njeq r3, 0, +1\nstdw [r10-8], 1\nldxdw r0, [r10-8]`),
  s('unpriv0-prune-misc-both', 'a join where both paths wrote the stack slot, then a read', `ldxw r3, [r1+4]\nstdw [r10-8], 2\n${'mov r5, 0\n'.repeat(8)}ja +0\nja +0\njeq r3, 0, +1\nstdw [r10-8], 1\nldxdw r0, [r10-8]`),
  s('unpriv0-v4-spill-overwrite', 'a spilled pointer overwritten by a scalar store (Spectre v4)', 'stxdw [r10-8], r1\nstdw [r10-8], 0\nldxdw r0, [r10-8]'),
  s('unpriv0-v4-spill-partial', 'a spilled pointer overwritten in part', 'stxdw [r10-8], r1\nstw [r10-8], 0'),
  s('unpriv0-v4-spill-refill', 'a spilled pointer filled back and dereferenced', 'stxdw [r10-8], r1\nldxdw r2, [r10-8]\nldxw r0, [r2+0]'),
];

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
  ...SPEC,
];
