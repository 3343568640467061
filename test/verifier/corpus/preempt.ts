/**
 * Corpus group preempt: preemption sections (bpf_preempt_disable / bpf_preempt_enable kfuncs,
 * programs/verifier_preempt.bpf.c): the count of nested disables, an enable without a disable, an
 * exit from the main program (on one path, through a static subprogram) still inside a section,
 * sleepable helpers, kfuncs and global functions inside one, tail calls, bpf_throw and LD_ABS inside
 * one, RCU sections and spin locks combined with one, sections in loops and bpf_loop callbacks.
 */
import type { VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const SCHED_CLS = 3;
const SYSCALL = 31;

function p(name: string, progType: number, prog: string, what: string): VerifierCase {
  return { name, rule: 'preempt', what, progType, object: { file: 'verifier_preempt.bpf.o', prog }, ...(progType === SYSCALL ? { progFlags: 16 } : {}) };
}

export const CASES: VerifierCase[] = [
  p('preempt-pair', SCHED_CLS, 'pair_ok', 'disable then enable'),
  p('preempt-pair-socket', SOCKET_FILTER, 'pair_socket_ok', 'disable then enable in a socket filter'),
  p('preempt-nest3', SCHED_CLS, 'nest3_ok', 'three disables, three enables'),
  p('preempt-unmatched-enable', SCHED_CLS, 'unmatched_enable', 'an enable without a disable'),
  p('preempt-enable-too-many', SCHED_CLS, 'enable_too_many', 'two disables, three enables'),
  p('preempt-exit-disabled', SCHED_CLS, 'exit_disabled', 'return with preemption disabled'),
  p('preempt-exit-nest-missing-one', SCHED_CLS, 'exit_nest_missing_one', 'three disables, two enables, return'),
  p('preempt-exit-one-path', SCHED_CLS, 'exit_one_path', 'enabled on one path only'),
  p('preempt-helper-inside', SCHED_CLS, 'helper_inside_ok', 'bpf_get_prandom_u32 inside a section'),
  p('preempt-sleepable-helper-inside', SYSCALL, 'sleepable_helper_inside', 'bpf_copy_from_user (might sleep) inside a section'),
  p('preempt-sleepable-helper-after', SYSCALL, 'sleepable_helper_after_ok', 'bpf_copy_from_user after the section'),
  p('preempt-sleepable-kfunc-inside', SYSCALL, 'sleepable_kfunc_inside', 'bpf_copy_from_user_str (KF_SLEEPABLE) inside a section'),
  p('preempt-sleepable-kfunc-after', SYSCALL, 'sleepable_kfunc_after_ok', 'bpf_copy_from_user_str after the section'),
  p('preempt-static-call-inside', SCHED_CLS, 'static_call_inside_ok', 'a static subprogram called inside a section'),
  p('preempt-enable-in-subprog', SCHED_CLS, 'enable_in_subprog_ok', 'disabled in the main program, enabled in a static subprogram'),
  p('preempt-disable-in-subprog', SCHED_CLS, 'disable_in_subprog_ok', 'disabled in a static subprogram, enabled by the caller'),
  p('preempt-disable-in-subprog-leak', SCHED_CLS, 'disable_in_subprog_leak', 'disabled in a static subprogram, never enabled'),
  p('preempt-global-call-inside', SCHED_CLS, 'global_call_inside', 'a global function called inside a section'),
  p('preempt-global-unbalanced', SCHED_CLS, 'global_unbalanced', 'a global function that disables and returns'),
  p('preempt-global-sleepable-inside', SYSCALL, 'global_sleepable_inside', 'a global function that may sleep called inside a section'),
  p('preempt-global-sleepable-after', SYSCALL, 'global_sleepable_after_ok', 'a global function that may sleep called after the section'),
  p('preempt-tail-call-inside', SCHED_CLS, 'tail_call_inside', 'bpf_tail_call inside a section'),
  p('preempt-tail-call-after', SCHED_CLS, 'tail_call_after_ok', 'bpf_tail_call after the section'),
  p('preempt-throw-inside', SCHED_CLS, 'throw_inside', 'bpf_throw inside a section'),
  p('preempt-throw-after', SCHED_CLS, 'throw_after_ok', 'bpf_throw after the section'),
  p('preempt-rcu-inside', SCHED_CLS, 'rcu_inside_ok', 'an RCU section inside a preemption section'),
  p('preempt-rcu-interleaved', SCHED_CLS, 'rcu_interleaved_ok', 'RCU and preemption sections interleaved'),
  p('preempt-rcu-left-open', SCHED_CLS, 'rcu_left_open', 'an RCU section left open at the exit'),
  p('preempt-spin-lock-inside', SCHED_CLS, 'spin_lock_inside_ok', 'bpf_spin_lock inside a section'),
  p('preempt-disable-under-spin-lock', SCHED_CLS, 'disable_under_spin_lock', 'bpf_preempt_disable while holding a bpf_spin_lock'),
  p('preempt-loop-balanced', SCHED_CLS, 'loop_balanced_ok', 'a bounded loop disabling and enabling in turn'),
  p('preempt-callback-balanced', SCHED_CLS, 'callback_balanced_ok', 'a bpf_loop callback disabling and enabling'),
  p('preempt-callback-leak', SCHED_CLS, 'callback_leak', 'a bpf_loop callback returning with preemption disabled'),
  p('preempt-callback-inside', SCHED_CLS, 'callback_inside_ok', 'bpf_loop called inside a section'),
  p('preempt-ld-abs-inside', SOCKET_FILTER, 'ld_abs_inside', 'LD_ABS inside a section'),
];
