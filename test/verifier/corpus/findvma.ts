/**
 * Corpus group findvma: bpf_find_vma (helper 180, kernel/bpf/task_iter.c) as the 6.18 verifier
 * checks it (programs/verifier_findvma.bpf.c): the task argument is a task_struct BTF pointer
 * (trusted, RCU or plain; not a scalar, not another struct, not an untrusted walk), the callback
 * ctx a stack pointer or NULL, and the callback a subprogram entered with r1 = the task, r2 = a
 * read-only `struct vm_area_struct` BTF pointer, r3 = the ctx (r4, r5 not initialised) that must
 * return 0 or 1.
 */
import type { VerifierCase } from './types.js';

const RAW_TP = 17;
const SOCKET_FILTER = 1;

const SYSCALL = 31;

function f(name: string, prog: string, what: string, progType = RAW_TP): VerifierCase {
  return { name, rule: 'findvma', what, progType, ...(progType === SYSCALL ? { progFlags: 16 } : {}), object: { file: 'verifier_findvma.bpf.o', prog } };
}

export const CASES: VerifierCase[] = [
  f('findvma-ok', 'fv_ok', 'callback reads vma->vm_start/vm_end/vm_flags and task->pid, writes the stack ctx'),
  f('findvma-null-ctx', 'fv_null_ctx_ok', 'NULL callback ctx, callback returns 1'),
  f('findvma-ret-2', 'fv_ret_refused', 'callback returns 2 (outside [0, 1])'),
  f('findvma-ret-unknown', 'fv_ret_unknown_refused', 'callback returns vma->vm_flags (an unknown scalar)'),
  f('findvma-vma-write', 'fv_vma_write_refused', 'callback stores into vma->vm_start'),
  f('findvma-vma-beyond', 'fv_vma_beyond_refused', 'callback reads 8 bytes at vma + 200 (past the 192-byte struct)'),
  f('findvma-cb-r4', 'fv_cb_r4_refused', 'callback reads a fourth argument (r4 is not initialised)'),
  f('findvma-vma-as-task', 'fv_vma_as_task_refused', 'the vm_area_struct pointer passed where a task_struct is wanted'),
  f('findvma-task-scalar', 'fv_task_scalar_refused', 'bpf_get_current_task() (a scalar) as the task'),
  f('findvma-task-rcu', 'fv_task_parent_rcu', 'task->real_parent (an RCU pointer in a non-sleepable program) as the task'),
  f('findvma-task-untrusted', 'fv_task_untrusted_refused', 'task->mm->owner (walked through a field that is not trusted) as the task'),
  f('findvma-ctx-map-value', 'fv_ctx_map_value_refused', 'a map value as the callback ctx (stack or NULL wanted)'),
  f('findvma-flags', 'fv_flags_ok', 'flags 1 (ARG_ANYTHING: loads, -EINVAL at run time)'),
  f('findvma-acquired-task', 'fv_acquired_task', 'a bpf_task_acquire reference as the task; the result is used after bpf_task_release (sleepable syscall)', SYSCALL),
  f('findvma-task-null', 'fv_task_null_refused', 'an unchecked bpf_task_acquire result (maybe NULL) as the task (sleepable syscall)', SYSCALL),
  f('findvma-socket-filter', 'fv_socket_filter', 'bpf_find_vma in a socket filter (bpf_base_func_proto)', SOCKET_FILTER),
];
