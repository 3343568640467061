// SPDX-License-Identifier: GPL-2.0
/*
 * scx_central: one CPU (CPU 0) makes every scheduling decision.
 *
 *   select_cpu  always the central CPU, nothing dispatched
 *   enqueue     pushes the pid to a FIFO queue map and kicks the central CPU
 *   dispatch    on CPU 0: for every other CPU whose local DSQ is empty, pops
 *               a pid and inserts the task with SCX_DSQ_LOCAL_ON | cpu, then
 *               kicks that CPU; CPU 0 itself runs nothing but what is left
 *               when all others are busy. On any other CPU: asks CPU 0 for
 *               work with a kick.
 *
 * Counters: nr_central_dispatches (inserts, all made by CPU 0),
 * nr_other_dispatch (dispatch calls on other CPUs), nr_overflow (queue full:
 * the task went to the global DSQ). The central CPU does not check affinity:
 * a task that may not run on the CPU it picks ends the scheduler with the
 * kernel's "SCX_DSQ_LOCAL[_ON] target CPU %d not allowed" error.
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx.h"

#define CENTRAL_CPU 0
#define MAX_CPUS 64

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4096);
	__type(value, s32);
} central_q SEC(".maps");

u64 nr_central_dispatches, nr_other_dispatch, nr_overflow;

s32 BPF_STRUCT_OPS(central_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	return CENTRAL_CPU;
}

void BPF_STRUCT_OPS(central_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 pid = p->pid;

	if (bpf_map_push_elem(&central_q, &pid, 0)) {
		nr_overflow++;
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	scx_bpf_kick_cpu(CENTRAL_CPU, 0);
}

static bool dispatch_one(s32 cpu)
{
	struct task_struct *p;
	s32 pid;

	if (bpf_map_pop_elem(&central_q, &pid))
		return false;
	p = bpf_task_from_pid(pid);
	if (!p)
		return true;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | cpu, SCX_SLICE_DFL, 0);
	bpf_task_release(p);
	nr_central_dispatches++;
	return true;
}

void BPF_STRUCT_OPS(central_dispatch, s32 cpu, struct task_struct *prev)
{
	u32 nr = scx_bpf_nr_cpu_ids();
	s32 c;

	if (cpu != CENTRAL_CPU) {
		nr_other_dispatch++;
		scx_bpf_kick_cpu(CENTRAL_CPU, 0);
		return;
	}
	for (c = 1; c < MAX_CPUS && c < nr; c++) {
		if (scx_bpf_dsq_nr_queued(SCX_DSQ_LOCAL_ON | c) > 0)
			continue;
		if (!dispatch_one(c))
			return;
		scx_bpf_kick_cpu(c, SCX_KICK_IDLE);
	}
	/* every other CPU has work: the central CPU takes one itself */
	dispatch_one(CENTRAL_CPU);
}

SCX_OPS_DEFINE(central_ops,
	       .select_cpu = (void *)central_select_cpu,
	       .enqueue = (void *)central_enqueue,
	       .dispatch = (void *)central_dispatch,
	       .name = "central");

char _license[] SEC("license") = "GPL";
