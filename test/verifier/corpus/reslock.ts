/**
 * Corpus group reslock: resilient spin locks (programs/reslock.bpf.c): bpf_res_spin_lock /
 * bpf_res_spin_unlock and the _irqsave / _irqrestore forms on a struct bpf_res_spin_lock in a map
 * value — the return value checked (held only on the 0 path), unlock without a lock, exit with a
 * lock held, the same lock twice (AA), nesting depth and unlock order, mixing with bpf_spin_lock,
 * the irq flag rules, helper and subprogram calls inside the section, the lock word read directly.
 */
import type { VerifierCase } from './types.js';

const SCHED_CLS = 3;

function r(name: string, prog: string, what: string): VerifierCase {
  return { name, rule: 'reslock', what, progType: SCHED_CLS, object: { file: 'reslock.bpf.o', prog } };
}

export const CASES: VerifierCase[] = [
  r('reslock-ok', 'ok', 'lock, update, unlock where the lock returned 0'),
  r('reslock-unchecked', 'unchecked', 'the return value ignored: unlocked where the lock may have failed'),
  r('reslock-unlock-on-failure', 'unlock_on_failure', 'unlocked only on the path where the lock failed'),
  r('reslock-unlock-no-lock', 'unlock_no_lock', 'bpf_res_spin_unlock without a lock'),
  r('reslock-exit-held', 'exit_held', 'return with the lock held'),
  r('reslock-aa-same', 'aa_same', 'the same pointer locked twice (AA)'),
  r('reslock-aa-runtime', 'aa_runtime', 'two lookups of one key locked in turn (the verifier cannot tell)'),
  r('reslock-nest2', 'nest2', 'two locks nested, released in reverse order'),
  r('reslock-nest2-out-of-order', 'nest2_out_of_order', 'two locks released in the order they were taken'),
  r('reslock-nest8', 'nest8', 'eight locks held at once'),
  r('reslock-nest31', 'nest31', '31 locks held at once'),
  r('reslock-nest32', 'nest32', '32 locks held at once'),
  r('reslock-nest33', 'nest33', '33 locks held at once'),
  r('reslock-mix-res-then-spin', 'mix_res_then_spin', 'bpf_spin_lock taken while a res lock is held'),
  r('reslock-mix-spin-then-res', 'mix_spin_then_res', 'a res lock taken while a bpf_spin_lock is held'),
  r('reslock-on-spin-field', 'res_on_spin_field', 'bpf_res_spin_lock on a bpf_spin_lock field'),
  r('reslock-no-field', 'res_no_field', 'bpf_res_spin_lock on a map value without a lock'),
  r('reslock-irqsave-ok', 'irqsave_ok', 'irqsave and irqrestore with one flag slot'),
  r('reslock-irqsave-plain-unlock', 'irqsave_plain_unlock', 'irqsave paired with the plain unlock'),
  r('reslock-irqrestore-no-save', 'irqrestore_no_save', 'the plain lock paired with irqrestore of flags never saved'),
  r('reslock-irqsave-flag-clobbered', 'irqsave_flag_clobbered', 'the irq flag slot overwritten inside the section'),
  r('reslock-irqsave-out-of-order', 'irqsave_out_of_order', 'two irqsave locks restored in the order they were taken'),
  r('reslock-irqsave-nest2', 'irqsave_nest2', 'two irqsave locks restored in reverse order'),
  r('reslock-helper-inside', 'helper_inside', 'a helper call inside the section'),
  r('reslock-subprog-inside', 'subprog_inside', 'a static subprogram call inside the section'),
  r('reslock-direct-read', 'direct_read', 'the lock word read with a plain load'),
  r('reslock-irq-flag-swapped', 'irq_flag_swapped', 'the inner lock restored with the outer lock\'s flag'),
  r('reslock-irq-flag-reused', 'irq_flag_reused', 'one flag slot saved by two irqsave locks'),
  r('reslock-irq-then-plain', 'irq_then_plain', 'a plain res lock nested inside an irqsave one'),
  r('reslock-global-inside', 'global_inside', 'a global function called inside the section'),
  r('reslock-lock-in-subprog', 'lock_in_subprog', 'locked in a static subprogram, unlocked by the caller'),
  r('reslock-var-off', 'var_off', 'the lock pointer at a variable offset'),
  r('reslock-wrong-off', 'wrong_off', 'the lock pointer at the int after the lock'),
  r('reslock-in-rcu', 'in_rcu', 'locked and unlocked inside an RCU read-side section'),
  r('reslock-rcu-inside', 'rcu_inside', 'bpf_rcu_read_lock called with the lock held'),
  r('reslock-write-after-unlock', 'write_after_unlock', 'the value written after the unlock'),
  { ...r('reslock-socket-filter', 'ok_socket', 'the accepted pairing in a socket filter'), progType: 1 },
  { ...r('reslock-cgroup-skb', 'ok_cgroup_skb', 'the accepted pairing in a cgroup skb program'), progType: 8 },
  r('reslock-iter-inside', 'iter_inside', 'a bpf_iter_num loop inside the section'),
];
