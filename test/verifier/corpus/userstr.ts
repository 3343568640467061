/**
 * Corpus group userstr: the KF_SLEEPABLE kfunc bpf_copy_from_user_str (programs/verifier_userstr.bpf.c, and user_str.bpf.c for the run-time program):
 * accepted in a sleepable (syscall) program, refused in a non-sleepable one and inside an RCU read
 * section (inside a preemption section: group preempt); its `dst`/`dst__sz` memory pair (a size
 * larger than the buffer, unbounded, bounded, 0 with NULL, read-only memory), the buffer initialised
 * by the call, and a flags value the verifier does not know; bpf_copy_from_user_task_str's task argument.
 */
import type { VerifierCase } from './types.js';

const SCHED_CLS = 3;
const SYSCALL = 31;

function u(name: string, progType: number, prog: string, what: string): VerifierCase {
  return { name, rule: 'userstr', what, progType, object: { file: prog === 'copy_prog' ? 'user_str.bpf.o' : 'verifier_userstr.bpf.o', prog }, ...(progType === SYSCALL ? { progFlags: 16 } : {}) };
}

export const CASES: VerifierCase[] = [
  u('userstr-syscall', SYSCALL, 'copy_prog', 'eight calls with sizes 16, 4, 32 and 8 in a sleepable syscall program'),
  u('userstr-tc', SCHED_CLS, 'in_tc', 'called from a non-sleepable tc program'),
  u('userstr-in-rcu', SYSCALL, 'in_rcu', 'called inside an RCU read section'),
  u('userstr-after-rcu', SYSCALL, 'after_rcu_ok', 'called after an RCU read section'),
  u('userstr-size-too-big', SYSCALL, 'size_too_big', 'dst__sz 16 for an 8-byte buffer'),
  u('userstr-size-unbounded', SYSCALL, 'size_unbounded', 'dst__sz read from ctx, unbounded'),
  u('userstr-size-bounded', SYSCALL, 'size_bounded_ok', 'dst__sz read from ctx, checked against the buffer size'),
  u('userstr-size-zero-null', SYSCALL, 'size_zero_null', 'dst NULL, dst__sz 0'),
  u('userstr-reads-result', SYSCALL, 'reads_result_ok', 'the uninitialised buffer read after the call'),
  u('userstr-var-flags', SYSCALL, 'var_flags_ok', 'flags unknown to the verifier'),
  u('userstr-dst-rodata', SYSCALL, 'dst_rodata', 'the destination in .rodata'),
  u('userstr-task-ok', SYSCALL, 'task_str_ok', 'bpf_copy_from_user_task_str on a task from bpf_task_from_pid'),
  u('userstr-task-null', SYSCALL, 'task_str_null_task', 'bpf_copy_from_user_task_str with a NULL task'),
  u('userstr-task-unchecked', SYSCALL, 'task_str_unchecked', 'bpf_copy_from_user_task_str with a task not checked for NULL'),
  u('userstr-task-tc', SCHED_CLS, 'task_str_tc', 'bpf_copy_from_user_task_str in a non-sleepable tc program'),
];
