/**
 * Corpus group progtype: program-type rules (programs/verifier_progtype.bpf.c): bpf_tail_call with a
 * reference held, inside a bpf_spin_lock section, inside an RCU read-side section and inside a
 * bpf_loop callback; tail calls from a subprogram (refused when the caller's frames hold more than
 * 256 bytes of stack); sleepable-only helpers in a sleepable and a non-sleepable program.
 */
import type { VerifierCase } from './types.js';

const SCHED_CLS = 3;
const TRACING = 26;
const SYSCALL = 31;

function p(name: string, prog: string, what: string, progType = SCHED_CLS, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'progtype', what, progType, object: { file: 'verifier_progtype.bpf.o', prog }, ...extra };
}

export const CASES: VerifierCase[] = [
  p('progtype-tail-call', 'tail_ok', 'a plain tail call'),
  p('progtype-tail-call-with-ref', 'tail_with_ref', 'a tail call while a ringbuf record is held'),
  p('progtype-tail-call-after-release', 'tail_after_release_ok', 'a tail call after the record is discarded'),
  p('progtype-tail-call-in-lock', 'tail_in_lock', 'a tail call inside a bpf_spin_lock section'),
  p('progtype-tail-call-in-rcu', 'tail_in_rcu', 'a tail call inside an RCU read-side section'),
  p('progtype-tail-call-in-callback', 'tail_in_callback', 'a tail call inside a bpf_loop callback'),
  p('progtype-tail-call-in-callback-var-index', 'tail_in_callback_var_index', 'a tail call with a variable index inside a bpf_loop callback'),
  p('progtype-tail-call-in-subprog', 'tail_in_subprog_ok', 'a tail call from a bpf-to-bpf callee'),
  p('progtype-tail-call-subprog-big-stack', 'tail_in_subprog_big_stack', 'a tail call from a callee whose caller has 300 bytes of stack'),
  p('progtype-sleepable-helper', 'sleepable_copy_ok', 'bpf_copy_from_user in a sleepable syscall program', SYSCALL, { progFlags: 16 }),
  p('progtype-sleepable-helper-nonsleepable', 'nonsleepable_copy', 'bpf_copy_from_user in a tp_btf program (not sleepable)', TRACING, { attachType: 23 }),
];
