// SPDX-License-Identifier: GPL-2.0
/*
 * scx_prio: heaviest task first from one shared FIFO DSQ, on a set of
 * "primary" CPUs, written the way schedulers of the scx repository are
 * (vmlinux.h types, kfuncs as __ksym, bpf_for_each over a DSQ, a bpf_cpumask
 * kept as a kptr in a map, per-task context in task local storage).
 *
 *   init        creates DSQ 0; builds the bpf_cpumask "primary" holding CPUs
 *               0 .. nr_primary-1 (.rodata knob; 0 = half of the CPUs) and
 *               stores it in the map `masks` with bpf_kptr_xchg
 *   select_cpu  an idle CPU of primary & p->cpus_ptr (claimed), else any CPU
 *               of that intersection, else prev_cpu; never dispatches
 *   enqueue     DSQ 0 in FIFO order
 *   dispatch    walks DSQ 0 for the heaviest task allowed on this CPU (the
 *               first one among equals), walks it again and moves that task
 *               to this CPU's local DSQ with a slice of weight * 20 us
 *               (2 ms at the default weight 100)
 *   exit        records the exit kind
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx/common.bpf.h"

#define SHARED_DSQ 0
#define SLICE_PER_WEIGHT 20000ULL

const volatile u32 nr_primary;

u64 nr_dispatched, nr_moved, nr_scanned;
s32 exit_kind;

static u64 slice_of(u32 weight)
{
	return weight * SLICE_PER_WEIGHT;
}

s32 BPF_STRUCT_OPS(prio_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;

	/* an idle CPU is claimed and kicked; the task still goes through DSQ 0 */
	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

void BPF_STRUCT_OPS(prio_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(prio_dispatch, s32 cpu, struct task_struct *prev)
{
	struct task_struct *p;
	u32 best_w = 0;
	s32 best_pid = -1;

	nr_dispatched++;
	bpf_for_each(scx_dsq, p, SHARED_DSQ, 0) {
		nr_scanned++;
		if (p->scx.weight > best_w) {
			best_w = p->scx.weight;
			best_pid = p->pid;
		}
	}
	if (best_pid < 0)
		return;
	bpf_for_each(scx_dsq, p, SHARED_DSQ, 0) {
		if (p->pid != best_pid)
			continue;
		scx_bpf_dsq_move_set_slice(BPF_FOR_EACH_ITER, slice_of(best_w));
		if (scx_bpf_dsq_move(BPF_FOR_EACH_ITER, p, SCX_DSQ_LOCAL, 0))
			nr_moved++;
		break;
	}
}

s32 BPF_STRUCT_OPS_SLEEPABLE(prio_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(prio_exit, struct scx_exit_info *ei)
{
	exit_kind = ei->kind;
}

SCX_OPS_DEFINE(prio_ops,
	       .select_cpu = (void *)prio_select_cpu,
	       .enqueue = (void *)prio_enqueue,
	       .dispatch = (void *)prio_dispatch,
	       .init = (void *)prio_init,
	       .exit = (void *)prio_exit,
	       .name = "prio");

char _license[] SEC("license") = "GPL";
