// SPDX-License-Identifier: GPL-2.0
/*
 * scx_stall: a broken sched_ext scheduler. select_cpu keeps the previous
 * CPU without dispatching, enqueue takes ownership of every task and never
 * inserts it anywhere, and there is no dispatch: no task ever runs, so the
 * kernel's watchdog ends the scheduler with SCX_EXIT_ERROR_STALL ("runnable
 * task stall") once a task has waited longer than timeout_ms (1 s here).
 * exit records the exit kind in .bss.
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx.h"

u64 nr_enqueued;
s32 exit_kind;

s32 BPF_STRUCT_OPS(stall_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	return prev_cpu;
}

void BPF_STRUCT_OPS(stall_enqueue, struct task_struct *p, u64 enq_flags)
{
	nr_enqueued++;
}

void BPF_STRUCT_OPS(stall_exit, struct scx_exit_info *ei)
{
	exit_kind = ei->kind;
}

SCX_OPS_DEFINE(stall_ops,
	       .select_cpu = (void *)stall_select_cpu,
	       .enqueue = (void *)stall_enqueue,
	       .exit = (void *)stall_exit,
	       .timeout_ms = 1000,
	       .name = "stall");

char _license[] SEC("license") = "GPL";
