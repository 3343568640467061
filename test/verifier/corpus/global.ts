/**
 * Corpus group global: global functions verified once against their BTF signature
 * (programs/verifier_global.bpf.c), with 6.18's argument tags: a ctx parameter (by type or
 * `arg:ctx`), memory parameters nullable unless `arg:nonnull`, `arg:trusted` kernel pointers
 * (`arg:nullable` ones must be checked), and a kernel struct pointer without a tag. Not here:
 * `arg:arena` (group argarena).
 */
import type { VerifierCase } from './types.js';

const SCHED_CLS = 3;
const SYSCALL = 31;

function g(name: string, prog: string, what: string, progType = SCHED_CLS): VerifierCase {
  return { name, rule: 'global', what, progType, object: { file: 'verifier_global.bpf.o', prog }, ...(progType === SYSCALL ? { progFlags: 16 } : {}) };
}

export const CASES: VerifierCase[] = [
  g('global-ctx', 'global_ctx_ok', 'a global function taking the ctx (struct __sk_buff *) gets it'),
  g('global-ctx-not-ctx', 'global_ctx_not_ctx', 'a stack copy passed where the ctx is expected'),
  g('global-arg-ctx', 'global_arg_ctx_ok', 'a void * parameter tagged arg:ctx is the ctx (bpf_get_hash_recalc takes it)'),
  g('global-mem-nullable-deref', 'global_mem_nullable_deref', 'an int * parameter dereferenced without a NULL check'),
  g('global-mem-checked', 'global_mem_checked_ok', 'an int * parameter checked, called with a stack pointer and NULL'),
  g('global-nonnull', 'global_nonnull_ok', 'an arg:nonnull int * parameter dereferenced directly'),
  g('global-nonnull-maybe-null', 'global_nonnull_maybe_null', 'an unchecked map lookup result passed to an arg:nonnull parameter'),
  g('global-nullable-maybe-null', 'global_nullable_maybe_null_ok', 'an unchecked map lookup result passed to a nullable parameter'),
  g('global-trusted', 'global_trusted_ok', 'an arg:trusted task passed to bpf_task_acquire, called with the current task', SYSCALL),
  g('global-trusted-untrusted', 'global_trusted_untrusted', 'an untrusted (walked) task passed to an arg:trusted parameter', SYSCALL),
  g('global-trusted-nullable-unchecked', 'global_trusted_nullable_unchecked', 'an arg:trusted arg:nullable task passed to bpf_task_acquire unchecked', SYSCALL),
  g('global-kernel-struct-untagged', 'global_kernel_struct_untagged', 'a struct task_struct * parameter without a tag', SYSCALL),
];
