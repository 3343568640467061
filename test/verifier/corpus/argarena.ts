/**
 * Corpus group argarena: global functions with an `arg:arena` parameter (programs/verifier_argarena.bpf.c,
 * the `__arg_arena` tag): the caller passes a scalar or an arena pointer (anything else is `R%d is
 * not a pointer to arena or scalar.`), the function sees an unknown scalar, and the tag takes no
 * other tag (`arena cannot be combined with any other tags`) and only pointer parameters. The tag
 * needs no arena map, so this kernel (which refuses arena maps) verifies these programs live;
 * arena pointers as arguments are covered from the sources in test/verifier/arena.test.ts.
 */
import type { VerifierCase } from './types.js';

const SCHED_CLS = 3;

function a(name: string, prog: string, what: string): VerifierCase {
  return { name, rule: 'argarena', what, progType: SCHED_CLS, object: { file: 'verifier_argarena.bpf.o', prog } };
}

export const CASES: VerifierCase[] = [
  a('argarena-scalar', 'aa_scalar_ok', 'a scalar (skb->len) passed to a void * arg:arena parameter'),
  a('argarena-null', 'aa_null_ok', 'NULL passed to an arg:arena parameter'),
  a('argarena-stack', 'aa_stack', 'a stack pointer passed to an arg:arena parameter'),
  a('argarena-ctx', 'aa_ctx', 'the ctx passed to an arg:arena parameter'),
  a('argarena-callee-deref', 'aa_callee_deref', 'the function dereferences its arg:arena parameter (a scalar to it)'),
  a('argarena-combined', 'aa_combined', 'arg:arena together with arg:nullable'),
  a('argarena-not-ptr', 'aa_not_ptr', 'arg:arena on a long parameter'),
];
