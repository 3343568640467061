// SPDX-License-Identifier: GPL-2.0
/*
 * scx_release: a global FIFO scheduler that hears when a higher scheduling
 * class (an rt task) takes one of its CPUs, as scx_qmap does:
 *
 *   select_cpu   default selection; an idle CPU gets the task directly
 *   enqueue      DSQ 0, then kicks an idle CPU the task may use; counts the
 *                enqueues of tasks re-enqueued from a released CPU
 *                (SCX_ENQ_REENQ)
 *   dispatch     DSQ 0 to the local DSQ
 *   cpu_release  records the reason and the rt task, then (mode 0) hands the
 *                CPU's local DSQ back with scx_bpf_reenqueue_local() so the
 *                preempted task can run elsewhere; mode 1 leaves it there
 *   cpu_acquire  counts the CPU coming back
 * Mode 2 calls scx_bpf_reenqueue_local() from dispatch: an error.
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx/common.bpf.h"

#define SHARED_DSQ 0

const volatile u32 mode;

u64 nr_release, nr_acquire, nr_reenq_enqueue, nr_reenq_ret;
s32 last_reason = -1, last_rt_pid = -1;

s32 BPF_STRUCT_OPS(release_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);

	if (is_idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(release_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 cpu;

	if (enq_flags & SCX_ENQ_REENQ)
		nr_reenq_enqueue++;
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
	cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

void BPF_STRUCT_OPS(release_dispatch, s32 cpu, struct task_struct *prev)
{
	if (mode == 2)
		scx_bpf_reenqueue_local();
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

void BPF_STRUCT_OPS(release_cpu_release, s32 cpu, struct scx_cpu_release_args *args)
{
	nr_release++;
	last_reason = args->reason;
	last_rt_pid = args->task->pid;
	if (mode == 0)
		nr_reenq_ret += scx_bpf_reenqueue_local();
}

void BPF_STRUCT_OPS(release_cpu_acquire, s32 cpu, struct scx_cpu_acquire_args *args)
{
	nr_acquire++;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(release_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

SCX_OPS_DEFINE(release_ops,
	       .select_cpu = (void *)release_select_cpu,
	       .enqueue = (void *)release_enqueue,
	       .dispatch = (void *)release_dispatch,
	       .cpu_release = (void *)release_cpu_release,
	       .cpu_acquire = (void *)release_cpu_acquire,
	       .init = (void *)release_init,
	       .name = "release");

char _license[] SEC("license") = "GPL";
