/**
 * Corpus group rcu: RCU read-side sections (bpf_rcu_read_lock / bpf_rcu_read_unlock kfuncs,
 * programs/verifier_rcu.bpf.c): pairs, a helper and a bpf-to-bpf call inside a section load; 6.18
 * refuses a nested lock, an unlock without a lock, an exit inside a section (also on one path
 * only) and a sleepable helper inside one. Not here: what a section makes trusted (MEM_RCU
 * pointers read from task_struct and friends), which needs tracing programs this kernel cannot load.
 */
import type { VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const SYSCALL = 31;

function r(name: string, progType: number, prog: string, what: string): VerifierCase {
  return { name, rule: 'rcu', what, progType, object: { file: 'verifier_rcu.bpf.o', prog }, ...(progType === SYSCALL ? { progFlags: 16 } : {}) };
}

export const CASES: VerifierCase[] = [
  r('rcu-pair', SYSCALL, 'rcu_pair_ok', 'lock then unlock'),
  r('rcu-nested', SYSCALL, 'rcu_nested', 'a second lock inside a section'),
  r('rcu-unlock-only', SYSCALL, 'rcu_unlock_only', 'an unlock without a lock'),
  r('rcu-exit-locked', SYSCALL, 'rcu_exit_locked', 'an exit inside a section'),
  r('rcu-sk-exit-locked', SOCKET_FILTER, 'rcu_sk_exit_locked', 'an exit inside a section (socket filter)'),
  r('rcu-sk-pair', SOCKET_FILTER, 'rcu_sk_pair_ok', 'lock then unlock (socket filter)'),
  r('rcu-sleepable-helper', SYSCALL, 'rcu_sleepable_helper', 'bpf_copy_from_user (might sleep) inside a section of a sleepable program'),
  r('rcu-sleepable-helper-outside', SYSCALL, 'rcu_sleepable_helper_outside_ok', 'bpf_copy_from_user before the section'),
  r('rcu-helper', SOCKET_FILTER, 'rcu_helper_ok', 'a helper that does not sleep inside a section'),
  r('rcu-subprog-call', SOCKET_FILTER, 'rcu_subprog_call_ok', 'a bpf-to-bpf call inside a section'),
  r('rcu-branch-unlock-one-path', SOCKET_FILTER, 'rcu_branch_unlock_one_path', 'unlocked on one path only: the other exits inside the section'),
];
