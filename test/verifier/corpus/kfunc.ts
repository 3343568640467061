/**
 * Corpus group kfunc: kfunc references and KF_* flags (programs/verifier_kfunc.bpf.c): KF_ACQUIRE
 * results released by KF_RELEASE kfuncs on every path (`Unreleased reference`), no use after
 * release, no release of a pointer that was not acquired, KF_RET_NULL results checked before a
 * trusted argument takes them, KF_TRUSTED_ARGS and KF_RCU arguments (kptrs loaded from a map value
 * are untrusted outside an RCU section of a sleepable program, RCU inside one), bpf_kptr_xchg moving
 * references in and out of a `__kptr` field, and the per-program-type kfunc sets (the cpumask set
 * is not registered for socket filters; the generic set with bpf_task_from_pid is for tc).
 */
import type { VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const SCHED_CLS = 3;
const SYSCALL = 31;

function k(name: string, prog: string, what: string, progType = SYSCALL): VerifierCase {
  return { name, rule: 'kfunc', what, progType, object: { file: 'verifier_kfunc.bpf.o', prog }, ...(progType === SYSCALL ? { progFlags: 16 } : {}) };
}

export const CASES: VerifierCase[] = [
  k('kfunc-acquire-release', 'kf_acquire_release_ok', 'bpf_cpumask_create, null check, set_cpu, release'),
  k('kfunc-acquire-leak', 'kf_acquire_leak', 'a created cpumask never released'),
  k('kfunc-leak-one-path', 'kf_leak_one_path', 'released on one path, the other returns holding it'),
  k('kfunc-use-after-release', 'kf_use_after_release', 'a cpumask passed to set_cpu after its release'),
  k('kfunc-double-release', 'kf_double_release', 'the same cpumask released twice'),
  k('kfunc-release-unacquired', 'kf_release_unacquired', 'bpf_task_release of bpf_get_current_task_btf() (trusted, not referenced)'),
  k('kfunc-ret-null-unchecked', 'kf_ret_null_unchecked', 'a KF_RET_NULL result passed to a KF_RCU kfunc before its null check'),
  k('kfunc-release-null', 'kf_release_null', 'bpf_cpumask_release(NULL)'),
  k('kfunc-task-acquire', 'kf_task_acquire_ok', 'bpf_task_acquire of the current task (KF_RCU argument, trusted)'),
  k('kfunc-task-acquire-walked', 'kf_task_acquire_walked', 'bpf_task_acquire of current->parent (a walked pointer, untrusted in a sleepable program)'),
  k('kfunc-task-from-pid', 'kf_task_from_pid_ok', 'bpf_task_from_pid, null check, release'),
  k('kfunc-task-from-pid-leak', 'kf_task_from_pid_leak', 'bpf_task_from_pid result read and never released'),
  k('kfunc-acquire-twice', 'kf_acquire_twice_ok', 'bpf_cpumask_acquire of a referenced cpumask: two references, both released'),
  k('kfunc-trusted-arg-kptr', 'kf_trusted_arg_kptr', 'a kptr loaded from a map value passed to bpf_cpumask_acquire (KF_TRUSTED_ARGS)'),
  k('kfunc-rcu-arg-kptr-outside', 'kf_rcu_arg_kptr_outside', 'a kptr loaded outside an RCU section passed to bpf_cpumask_first (KF_RCU)'),
  k('kfunc-rcu-arg-kptr-inside', 'kf_rcu_arg_kptr_inside_ok', 'a kptr loaded inside an RCU section passed to bpf_cpumask_first (KF_RCU)'),
  k('kfunc-kptr-xchg', 'kf_kptr_xchg_ok', 'a created cpumask moved into the map, the old one released'),
  k('kfunc-kptr-xchg-leak-old', 'kf_kptr_xchg_leak_old', 'the pointer bpf_kptr_xchg returns is never released'),
  k('kfunc-kptr-xchg-use-after-move', 'kf_kptr_xchg_use_after_move', 'a cpumask used after bpf_kptr_xchg moved it into the map'),
  k('kfunc-kptr-xchg-take', 'kf_kptr_xchg_take_ok', 'the kptr taken out (NULL in its place) and released'),
  k('kfunc-kptr-xchg-not-kptr', 'kf_kptr_xchg_not_kptr', 'bpf_kptr_xchg on a map value field that is not a kptr'),
  k('kfunc-kptr-xchg-unreferenced', 'kf_kptr_xchg_unreferenced', 'bpf_kptr_xchg of a pointer that holds no reference'),
  k('kfunc-kptr-store-direct', 'kf_kptr_store_direct', 'a referenced cpumask stored into the kptr field with a plain store'),
  k('kfunc-rcu-walk-inside', 'kf_rcu_walk_inside_ok', 'current->real_parent read inside an RCU section (MEM_RCU) passed to bpf_task_acquire (KF_RCU)'),
  k('kfunc-rcu-walk-after-unlock', 'kf_rcu_walk_after_unlock', 'the same pointer used after bpf_rcu_read_unlock (untrusted again)'),
  k('kfunc-rcu-walk-unlisted-inside', 'kf_rcu_walk_unlisted_inside', 'current->parent (not an RCU-safe member) read inside a section, passed to bpf_task_acquire'),
  k('kfunc-mem-size', 'kf_mem_size_ok', 'bpf_cpumask_populate with an 8-byte stack buffer and src__sz 8'),
  k('kfunc-mem-size-too-big', 'kf_mem_size_too_big', 'bpf_cpumask_populate with an 8-byte stack buffer and src__sz 16'),
  k('kfunc-mem-size-unbounded', 'kf_mem_size_unbounded', 'bpf_cpumask_populate with a size read from the ctx (unbounded)'),
  k('kfunc-not-allowed-socket', 'kf_not_allowed_socket', 'bpf_cpumask_create from a socket filter (not in its kfunc set)', SOCKET_FILTER),
  k('kfunc-task-from-pid-tc', 'kf_task_from_pid_tc_ok', 'bpf_task_from_pid from a tc program (generic kfunc set)', SCHED_CLS),
];
