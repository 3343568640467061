// SPDX-License-Identifier: GPL-2.0
/*
 * scx_fifo: a global FIFO sched_ext scheduler, written the way the kernel's
 * tools/sched_ext schedulers are (one BPF_STRUCT_OPS program per operation,
 * a SEC(".struct_ops.link") struct sched_ext_ops, kfuncs as __ksym).
 *
 *   select_cpu  the kernel's default idle-CPU selection; an idle CPU gets
 *               the task directly (SCX_DSQ_LOCAL, default slice)
 *   enqueue     everything else goes to the tail of user DSQ 0 (FIFO)
 *   dispatch    a CPU with an empty local DSQ takes the head of DSQ 0
 *   init        creates DSQ 0 (sleepable)
 *   exit        records the exit kind and code in .bss
 *
 * Counters in .bss: nr_local (direct dispatches from select_cpu),
 * nr_queued (enqueue calls), nr_moved (successful moves in dispatch).
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx.h"

#define SHARED_DSQ 0

u64 nr_local, nr_queued, nr_moved;
s32 exit_kind;
s64 exit_code;

s32 BPF_STRUCT_OPS(fifo_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);

	if (is_idle) {
		__sync_fetch_and_add(&nr_local, 1);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(fifo_enqueue, struct task_struct *p, u64 enq_flags)
{
	__sync_fetch_and_add(&nr_queued, 1);
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(fifo_dispatch, s32 cpu, struct task_struct *prev)
{
	if (scx_bpf_dsq_move_to_local(SHARED_DSQ))
		__sync_fetch_and_add(&nr_moved, 1);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(fifo_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(fifo_exit, struct scx_exit_info *ei)
{
	exit_kind = ei->kind;
	exit_code = ei->exit_code;
}

SCX_OPS_DEFINE(fifo_ops,
	       .select_cpu = (void *)fifo_select_cpu,
	       .enqueue = (void *)fifo_enqueue,
	       .dispatch = (void *)fifo_dispatch,
	       .init = (void *)fifo_init,
	       .exit = (void *)fifo_exit,
	       .name = "fifo");

char _license[] SEC("license") = "GPL";
