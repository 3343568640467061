// SPDX-License-Identifier: GPL-2.0
/*
 * scx_preempt: tasks with a weight above 100 (nice < 0) preempt.
 *
 *   enqueue   every task goes to the local DSQ of its CPU; a task with
 *             p->scx.weight > 100 goes with SCX_ENQ_PREEMPT: it is put at
 *             the head and the running task's slice is zeroed, so it runs
 *             at once. Others go to the tail.
 *
 * Counter nr_preempt_enq counts the preempting enqueues.
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx.h"

u64 nr_preempt_enq;

void BPF_STRUCT_OPS(preempt_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (p->scx.weight > 100) {
		nr_preempt_enq++;
		enq_flags |= SCX_ENQ_PREEMPT;
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
}

SCX_OPS_DEFINE(preempt_ops,
	       .enqueue = (void *)preempt_enqueue,
	       .name = "preempt");

char _license[] SEC("license") = "GPL";
