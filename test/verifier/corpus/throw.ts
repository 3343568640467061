/**
 * Corpus group throw: BPF exceptions (programs/throw.bpf.c): bpf_throw with the default exception
 * callback and with one named by the "exception_callback:<fn>" decl tag, thrown from the main
 * program, static and global subprograms; what 6.18 refuses (a throw in a bpf_loop callback, with a
 * reference, a lock or an RCU section held, from a type outside the generic kfunc set; a callback
 * with two arguments, one called directly, one or a default cookie outside the program's return
 * range).
 */
import type { VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const SCHED_CLS = 3;
const XDP = 6;
const CGROUP_SKB = 8;

function t(name: string, progType: number, prog: string, what: string): VerifierCase {
  return { name, rule: 'throw', what, progType, object: { file: 'throw.bpf.o', prog } };
}

export const CASES: VerifierCase[] = [
  t('throw-default', SCHED_CLS, 'throw_default', 'bpf_throw(7) with the default callback'),
  t('throw-cb', SCHED_CLS, 'throw_cb', 'bpf_throw with an exception callback returning cookie + 100'),
  t('throw-static-subprog', SCHED_CLS, 'throw_static_subprog', 'thrown two static frames down'),
  t('throw-global-subprog', SCHED_CLS, 'throw_global_subprog', 'thrown from a global function'),
  t('throw-in-loop-cb', SCHED_CLS, 'throw_in_loop', 'thrown inside a bpf_loop callback'),
  t('throw-assert-bounds', SCHED_CLS, 'assert_bounds', 'a bpf_assert-style check narrows the index'),
  t('throw-cb-rand-tc', SCHED_CLS, 'throw_cb_rand', 'a callback returning an unbounded scalar in tc (no return range)'),
  t('throw-cb-two-args', SCHED_CLS, 'throw_cb_two_args', 'an exception callback with two arguments'),
  t('throw-cb-called', SCHED_CLS, 'throw_cb_called', 'the exception callback also called directly'),
  t('throw-with-ref', SCHED_CLS, 'throw_with_ref', 'bpf_throw with a socket reference held'),
  t('throw-after-release', SCHED_CLS, 'throw_after_release', 'the socket reference released before bpf_throw'),
  t('throw-with-lock', SCHED_CLS, 'throw_with_lock', 'bpf_throw holding a bpf_spin_lock'),
  t('throw-in-rcu', SCHED_CLS, 'throw_in_rcu', 'bpf_throw inside bpf_rcu_read_lock'),
  t('throw-socket-filter', SOCKET_FILTER, 'throw_socket', 'bpf_throw from a socket filter'),
  t('throw-xdp', XDP, 'throw_xdp', 'bpf_throw from XDP with the default callback'),
  t('throw-always', SCHED_CLS, 'throw_always', 'every path throws'),
  t('throw-cg-cb-rand', CGROUP_SKB, 'cg_throw_cb_rand', 'cgroup_skb (returns 0..1): a callback returning an unbounded scalar'),
  t('throw-cg-cb-bit', CGROUP_SKB, 'cg_throw_cb_bit', 'cgroup_skb: a callback returning cookie & 1'),
  t('throw-cg-default', CGROUP_SKB, 'cg_throw_default', 'cgroup_skb: the default callback with cookie 7'),
  t('throw-cg-default-len', CGROUP_SKB, 'cg_throw_default_len', 'cgroup_skb: the default callback with the packet length as cookie'),
  t('throw-in-exception-cb', SCHED_CLS, 'throw_cb_throws', 'the exception callback throws'),
  t('throw-cb-static', SCHED_CLS, 'throw_cb_static', 'a static function as the exception callback'),
  t('throw-ref-in-caller', SCHED_CLS, 'throw_ref_in_caller', 'a static subprogram throws while its caller holds a socket reference'),
];
