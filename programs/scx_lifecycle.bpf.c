// SPDX-License-Identifier: GPL-2.0
/*
 * scx_lifecycle: counts the per-task operations of the kernel's task
 * lifecycle (the default scheduling policy otherwise: no enqueue/dispatch).
 *
 *   init_task  nr_init_fork / nr_init_existing by args->fork
 *   enable     nr_enable;  set_weight: sum_weight += weight, nr_set_weight
 *   disable    nr_disable; exit_task: nr_exit_task (nr_cancelled when
 *              args->cancelled)
 *   init       nr_init (sleepable), exit: exit_kind
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx.h"

u64 nr_init_fork, nr_init_existing, nr_enable, nr_disable, nr_exit_task, nr_cancelled;
u64 nr_set_weight, sum_weight, nr_init;
s32 exit_kind;

s32 BPF_STRUCT_OPS_SLEEPABLE(lc_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	if (args->fork)
		nr_init_fork++;
	else
		nr_init_existing++;
	return 0;
}

void BPF_STRUCT_OPS(lc_enable, struct task_struct *p)
{
	nr_enable++;
}

void BPF_STRUCT_OPS(lc_set_weight, struct task_struct *p, u32 weight)
{
	nr_set_weight++;
	sum_weight += weight;
}

void BPF_STRUCT_OPS(lc_disable, struct task_struct *p)
{
	nr_disable++;
}

void BPF_STRUCT_OPS(lc_exit_task, struct task_struct *p, struct scx_exit_task_args *args)
{
	nr_exit_task++;
	if (args->cancelled)
		nr_cancelled++;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(lc_init)
{
	nr_init++;
	return 0;
}

void BPF_STRUCT_OPS(lc_exit, struct scx_exit_info *ei)
{
	exit_kind = ei->kind;
}

SCX_OPS_DEFINE(lifecycle_ops,
	       .init_task = (void *)lc_init_task,
	       .enable = (void *)lc_enable,
	       .set_weight = (void *)lc_set_weight,
	       .disable = (void *)lc_disable,
	       .exit_task = (void *)lc_exit_task,
	       .init = (void *)lc_init,
	       .exit = (void *)lc_exit,
	       .name = "lifecycle");

char _license[] SEC("license") = "GPL";
