// SPDX-License-Identifier: GPL-2.0
/*
 * scx_pinned: every task has a home CPU (pid % nr_cpu_ids) and only runs
 * there: select_cpu returns the home CPU and enqueue inserts the task
 * straight into that CPU's local DSQ with SCX_DSQ_LOCAL_ON | cpu. There is
 * no dispatch: local DSQs are all the CPUs need. A task whose home CPU it
 * may not run on goes to the global DSQ (nr_fallback counts them).
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx.h"

u64 nr_pinned, nr_fallback;

static s32 home_cpu(struct task_struct *p)
{
	u32 n = scx_bpf_nr_cpu_ids();

	return n ? (u32)p->pid % n : 0;
}

s32 BPF_STRUCT_OPS(pinned_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	return home_cpu(p);
}

void BPF_STRUCT_OPS(pinned_enqueue, struct task_struct *p, u64 enq_flags)
{
	u32 cpu = home_cpu(p);
	const struct cpumask *mask = p->cpus_ptr;
	unsigned long word = 0;

	if (cpu < 8192)
		bpf_probe_read_kernel(&word, sizeof(word), &mask->bits[cpu / 64]);
	if (!(word & (1UL << (cpu % 64)))) {
		nr_fallback++;
		scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	nr_pinned++;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | cpu, SCX_SLICE_DFL, enq_flags);
}

SCX_OPS_DEFINE(pinned_ops,
	       .select_cpu = (void *)pinned_select_cpu,
	       .enqueue = (void *)pinned_enqueue,
	       .name = "pinned");

char _license[] SEC("license") = "GPL";
