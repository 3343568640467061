/**
 * Corpus group kfargs: kfunc arguments and results by their BTF types (programs/verifier_kfargs.bpf.c):
 * a struct pointer of another BTF type (process_kf_arg_ptr_to_btf_id: strict for release
 * arguments, otherwise a walk of first members at offset 0, so a `struct bpf_cpumask *` is a
 * `struct cpumask *`), pointers that are not BTF pointers where a kernel struct is expected,
 * scalars where a pointer is and pointers (or nothing) where a scalar is, the ctx argument of
 * bpf_dynptr_from_skb (KF_ARG_PTR_TO_CTX), and the results: bpf_iter_num_next's `int *` is read-only memory of 4 bytes that may be NULL,
 * bpf_cpumask_create's a BTF pointer that may be NULL and that a program may read, not write.
 * This kernel build registers no arena kfunc (`calling kernel function bpf_arena_alloc_pages is
 * not allowed`, case kfargs-map-array, a known difference): their `__map` and `__ign` parameters
 * are checked from the 6.18 sources in test/verifier/kfunc-args.test.ts.
 */
import type { VerifierCase } from './types.js';

const SCHED_CLS = 3;
const XDP = 6;
const SYSCALL = 31;

function k(name: string, prog: string, what: string, progType = SYSCALL): VerifierCase {
  return { name, rule: 'kfargs', what, progType, object: { file: 'verifier_kfargs.bpf.o', prog }, ...(progType === SYSCALL ? { progFlags: 16 } : {}) };
}

export const CASES: VerifierCase[] = [
  k('kfargs-type-mismatch', 'kfa_type_mismatch', 'the current task passed to bpf_cpumask_first (struct cpumask *)'),
  k('kfargs-first-member', 'kfa_first_member_ok', 'a struct bpf_cpumask * passed as a struct cpumask * (its first member, offset 0)'),
  k('kfargs-first-member-field', 'kfa_first_member_field_ok', '&m->cpumask of a struct bpf_cpumask passed to bpf_cpumask_first'),
  k('kfargs-release-wrong-type', 'kfa_release_wrong_type', 'an acquired task released with bpf_cpumask_release (strict match)'),
  k('kfargs-release-task-as-cpumask', 'kfa_release_task_as_cpumask', 'a created cpumask released with bpf_task_release'),
  k('kfargs-trusted-wrong-type', 'kfa_trusted_wrong_type', 'the current task passed to bpf_cpumask_acquire (KF_TRUSTED_ARGS, walked)'),
  k('kfargs-rcu-wrong-type', 'kfa_rcu_wrong_type', 'a created cpumask passed to bpf_task_acquire (KF_RCU)'),
  k('kfargs-stack-as-task', 'kfa_stack_as_task', 'a stack buffer passed as a struct task_struct *'),
  k('kfargs-map-value-as-task', 'kfa_map_value_as_task', 'a map value passed as a struct task_struct *'),
  k('kfargs-from-pid', 'kfa_from_pid_ok', 'bpf_task_from_pid(1), checked, released'),
  k('kfargs-scalar-as-ptr', 'kfa_scalar_as_ptr', 'the scalar 1234 passed as a const struct cpumask *'),
  k('kfargs-ptr-as-scalar', 'kfa_ptr_as_scalar', 'a stack pointer passed as the s32 pid of bpf_task_from_pid'),
  k('kfargs-uninit-scalar', 'kfa_uninit_scalar', 'bpf_task_from_pid with r1 never written after a helper call'),
  k('kfargs-uninit-ptr', 'kfa_uninit_ptr', 'bpf_task_acquire with r1 never written after a helper call'),
  k('kfargs-walked-offset', 'kfa_walked_offset', 'current + 8 (a task_struct pointer at a fixed offset) passed as a cpumask'),
  k('kfargs-void-sized-btf', 'kfa_void_sized_btf', 'the current task (a BTF pointer) passed as the void * buffer of bpf_cpumask_populate'),
  k('kfargs-release-offset', 'kfa_release_offset', 'a created cpumask + 8 passed to bpf_cpumask_release'),
  k('kfargs-offset-into-member', 'kfa_offset_into_member', 'a created cpumask + 8 (inside its bits) passed to bpf_cpumask_first'),
  k('kfargs-ctx', 'kfa_ctx_ok', 'bpf_dynptr_from_skb of the ctx', SCHED_CLS),
  k('kfargs-ctx-stack', 'kfa_ctx_stack', 'bpf_dynptr_from_skb of a stack buffer', SCHED_CLS),
  k('kfargs-ctx-offset', 'kfa_ctx_offset', 'bpf_dynptr_from_skb of ctx + 8', SCHED_CLS),
  k('kfargs-ctx-scalar', 'kfa_ctx_scalar', 'bpf_dynptr_from_skb of NULL', SCHED_CLS),
  k('kfargs-ctx-xdp', 'kfa_ctx_xdp_ok', 'bpf_dynptr_from_xdp of the ctx', XDP),
  k('kfargs-ctx-xdp-stack', 'kfa_ctx_xdp_stack', 'bpf_dynptr_from_xdp of a stack buffer', XDP),
  k('kfargs-map-array', 'kfa_map_array_ok', 'bpf_arena_alloc_pages of an array map (`__map`: any map pointer)'),
  k('kfargs-ret-iter-next-read', 'kfr_iter_next_read_ok', 'the int bpf_iter_num_next returns read after the NULL check'),
  k('kfargs-ret-iter-next-write', 'kfr_iter_next_write', 'the int bpf_iter_num_next returns written'),
  k('kfargs-ret-iter-next-past-end', 'kfr_iter_next_past_end', 'the int after the one bpf_iter_num_next returns read'),
  k('kfargs-ret-iter-next-unchecked', 'kfr_iter_next_unchecked', 'the bpf_iter_num_next result read without a NULL check'),
  k('kfargs-ret-create-unchecked', 'kfr_create_unchecked_read', 'a bpf_cpumask_create result read without a NULL check'),
  k('kfargs-ret-create-read', 'kfr_create_read_ok', 'a bpf_cpumask_create result read after the NULL check'),
  k('kfargs-ret-create-write', 'kfr_create_write', 'a bpf_cpumask_create result written'),
  k('kfargs-ret-read-after-release', 'kfr_read_after_release', 'a cpumask read after its release'),
];
