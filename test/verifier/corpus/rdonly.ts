/**
 * Corpus group rdonly: the kfunc bpf_rdonly_cast (programs/verifier_rdonly.bpf.c, bpf_core_cast's
 * CO-RE TYPE_ID_TARGET ids against the kernel BTF): a struct cast read by field, walked to a
 * pointer member, from the tc ctx and from a scalar address, written, read past its end, passed to
 * a kfunc that wants a trusted pointer, a union's u8[16] read as a u32 inside and past its end; a
 * void cast (type id 0) read far from its start and written; a type id that is not a constant,
 * names no type, or names an int.
 */
import type { VerifierCase } from './types.js';

const SCHED_CLS = 3;
const SYSCALL = 31;

function r(name: string, progType: number, prog: string, what: string): VerifierCase {
  return { name, rule: 'rdonly', what, progType, object: { file: 'verifier_rdonly.bpf.o', prog } };
}

export const CASES: VerifierCase[] = [
  r('rdonly-task-ok', SYSCALL, 'task_ok', 'the current task cast to struct task_struct, pid and tgid read'),
  r('rdonly-task-walk', SYSCALL, 'task_walk_ok', 'the cast task walked to real_parent, its pid read'),
  r('rdonly-skb-ok', SCHED_CLS, 'skb_ok', 'the tc ctx cast to struct sk_buff, len read'),
  r('rdonly-scalar-ok', SYSCALL, 'scalar_ok', 'a constant address cast to struct task_struct and read'),
  r('rdonly-task-write', SYSCALL, 'task_write', 'a store to a field of the cast task'),
  r('rdonly-past-end', SYSCALL, 'task_past_end', 'a read 64 KiB into the cast task, past its end'),
  r('rdonly-to-kfunc', SYSCALL, 'task_to_kfunc', 'the cast (untrusted) task passed to bpf_task_acquire'),
  r('rdonly-in6-word', SYSCALL, 'in6_word_ok', 'the ctx cast to struct in6_addr, a u32 at byte 12 of its first union member u8[16]'),
  r('rdonly-in6-past-member', SYSCALL, 'in6_past_member', 'the ctx cast to struct in6_addr, a u32 at byte 14 (past every member)'),
  r('rdonly-void-ok', SYSCALL, 'void_ok', 'type id 0: void memory read 8000 bytes from its start'),
  r('rdonly-void-write', SYSCALL, 'void_write', 'type id 0: a store to the void memory'),
  r('rdonly-id-var', SYSCALL, 'id_var', 'the type id read from ctx, not a constant'),
  r('rdonly-id-unknown', SYSCALL, 'id_unknown', 'a type id past the kernel BTF'),
  r('rdonly-id-int', SYSCALL, 'id_int', 'the type id of int'),
];
