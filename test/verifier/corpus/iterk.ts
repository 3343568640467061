/**
 * Corpus group iterk: the open-coded iterators over kernel objects (programs/iters_kern.bpf.c:
 * bpf_iter_task, bpf_iter_css and bpf_iter_css_task of kernel/bpf/task_iter.c and cgroup_iter.c)
 * — KF_RCU_PROTECTED (an RCU read-side section in sleepable programs, none needed in the others),
 * the trusted-argument rules of their `task`/`css` arguments (trusted, acquired, RCU, NULL,
 * scalar), the type of their elements (read unchecked, passed on, kept past the section), the
 * css_task allow-list (LSM, iter and sleepable programs) and the iterator slot rules for them.
 */
import type { VerifierCase } from './types.js';

const SYSCALL = 31;
const SCHED_CLS = 3;
const TRACING = 26;
const BPF_TRACE_ITER = 28;
const FILE = 'iters_kern.bpf.o';

function c(name: string, what: string, prog: string, progType = SYSCALL): VerifierCase {
  return { name, rule: 'iter', what, progType, object: { file: FILE, prog } };
}

export const CASES: VerifierCase[] = [
  c('iterk-task-rcu', 'all processes inside bpf_rcu_read_lock in a sleepable program', 'v_task_rcu_ok'),
  c('iterk-task-no-rcu', 'the task iterator in a sleepable program without an RCU section', 'v_task_no_rcu'),
  c('iterk-task-unlock-inside', 'the RCU section ends between new and next', 'v_task_unlock_inside'),
  c('iterk-task-destroy-outside', 'the RCU section ends before destroy', 'v_task_destroy_outside'),
  c('iterk-task-tc', 'the task iterator in a non-sleepable tc program without an RCU section', 'v_task_tc_ok', SCHED_CLS),
  c('iterk-task-current', 'the threads of bpf_get_current_task_btf() (trusted)', 'v_task_current_ok'),
  c('iterk-task-rcu-arg', 'current->real_parent (an RCU pointer) as the task', 'v_task_rcu_arg'),
  c('iterk-task-ref-arg', 'an acquired bpf_task_from_pid reference as the task', 'v_task_ref_arg'),
  c('iterk-task-maybe-null-arg', 'bpf_task_from_pid\'s result, not checked for NULL, as the task (task__nullable)', 'v_task_maybe_null_arg'),
  c('iterk-task-scalar-arg', 'a scalar as the task', 'v_task_scalar_arg'),
  c('iterk-task-elem-unchecked', 'the task element read without a NULL check', 'v_task_elem_unchecked'),
  c('iterk-task-elem-nested', 'a task element as the task of a nested PROC_THREADS iterator', 'v_task_elem_nested'),
  c('iterk-task-elem-acquire', 'a task element passed to bpf_task_acquire and released', 'v_task_elem_acquire'),
  c('iterk-task-elem-after-unlock', 'a task element read after the RCU section ended (the iterator destroyed inside it)', 'v_task_elem_after_unlock'),
  c('iterk-task-relock-destroy', 'the RCU section ends after next; destroy in a second section', 'v_task_relock_destroy'),
  c('iterk-task-null-proc-threads', 'a NULL constant as the task of PROC_THREADS', 'v_task_null_proc_threads'),
  c('iterk-task-no-destroy', 'a task iterator never destroyed', 'v_task_no_destroy'),
  c('iterk-task-wrong-next', 'a task iterator passed to bpf_iter_css_next', 'v_task_wrong_next'),
  c('iterk-css', 'css descendants (pre-order) of an acquired cgroup inside an RCU section', 'v_css_ok'),
  c('iterk-css-no-rcu', 'the css iterator in a sleepable program without an RCU section', 'v_css_no_rcu'),
  c('iterk-css-rcu-start', 'current->cgroups->dfl_cgrp->self (RCU) as the start', 'v_css_rcu_start'),
  c('iterk-css-null-start', 'a possibly-NULL cgroup\'s css as the start', 'v_css_null_start'),
  c('iterk-css-elem-unchecked', 'the css element read without a NULL check', 'v_css_elem_unchecked'),
  c('iterk-css-elem-tasks', 'a css element as the css of a nested css_task iterator', 'v_css_elem_tasks'),
  c('iterk-css-task', 'css_task in a sleepable program without an RCU section', 'v_css_task_ok'),
  c('iterk-css-task-tc', 'css_task in a non-sleepable tc program', 'v_css_task_tc', SCHED_CLS),
  { ...c('iterk-css-task-iter', 'css_task in an iter/task program', 'v_css_task_iter', TRACING), attachType: BPF_TRACE_ITER },
  { ...c('iterk-css-iter-prog', 'the css iterator in an iter/task program (non-sleepable) without bpf_rcu_read_lock', 'v_css_iter_prog', TRACING), attachType: BPF_TRACE_ITER },
  { ...c('iterk-task-iter-s-no-rcu', 'the task iterator in a sleepable iter.s/task program without an RCU section', 'v_task_iter_s_no_rcu', TRACING), attachType: BPF_TRACE_ITER, progFlags: 16 },
  { ...c('iterk-css-task-iter-s', 'css_task in a sleepable iter.s/task program', 'v_css_task_iter_s', TRACING), attachType: BPF_TRACE_ITER, progFlags: 16 },
  c('iterk-task-socket-filter', 'the task iterator in a socket filter', 'v_task_socket_filter', 1),
  c('iterk-css-task-in-rcu', 'css_task inside an RCU section of a sleepable program', 'v_css_task_in_rcu'),
  c('iterk-css-task-elem-trusted', 'a css_task element as the task of a nested PROC_THREADS iterator', 'v_css_task_elem_trusted'),
  c('iterk-css-task-elem-acquire', 'a css_task element passed to bpf_task_acquire (KF_RCU)', 'v_css_task_elem_acquire'),
  c('iterk-css-task-elem-unchecked', 'the css_task element read without a NULL check', 'v_css_task_elem_unchecked'),
];
