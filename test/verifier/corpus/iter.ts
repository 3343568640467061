/**
 * Corpus group iter: open-coded iterators (programs/verifier_iter.bpf.c, bpf_iter_num of
 * kernel/bpf/bpf_iter.c): loops that converge at the `_next` call with the sum widened there, the
 * iterator's reference and slot rules (a leak, a second new, next without new, a drained NULL, a
 * read of the iterator's bytes). The same verifier code checks sched_ext's bpf_iter_scx_dsq, which
 * this kernel (no CONFIG_SCHED_CLASS_EXT) cannot load. Not here: a counter that indexes memory,
 * which 6.18 marks precise and so walks turn by turn, while bpfemu (no precision marks) widens it
 * at once.
 */
import type { VerifierCase } from './types.js';

const SYSCALL = 31;
const FILE = 'verifier_iter.bpf.o';

function c(name: string, what: string, prog: string): VerifierCase {
  return { name, rule: 'loop', what, progType: SYSCALL, object: { file: FILE, prog } };
}

export const CASES: VerifierCase[] = [
  c('iter-num-sum', 'bpf_for_each(num) over [0, 100) summing the values', 'sum_ok'),
  c('iter-num-nested', 'two nested numbers iterators', 'nested_ok'),
  c('iter-num-value-checked', 'the element, bounds-checked, indexes a stack array', 'value_checked'),
  c('iter-num-no-destroy', 'new and next without destroy: the iterator reference leaks', 'no_destroy'),
  c('iter-num-double-new', 'new twice on the same iterator', 'double_new'),
  c('iter-num-next-uninit', 'next on an iterator never created', 'next_uninit'),
  c('iter-num-deref-unchecked', 'the element read without a NULL check', 'deref_unchecked'),
  c('iter-num-read-slot', 'the iterator\'s stack bytes read as a u64', 'read_slot'),
  c('iter-num-subprog-next', 'a static subprogram advances the caller\'s iterator', 'subprog_next'),
  c('iter-num-subprog-leak', 'a static subprogram creates an iterator and returns without destroying it', 'subprog_leak'),
  c('iter-num-early-break', 'a break out of the loop; the cleanup destroys the iterator on every path', 'early_break'),
  c('iter-num-nested-same-slot', 'a second new on the slots of the active iterator, inside its loop', 'nested_same_slot'),
];
