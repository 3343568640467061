// SPDX-License-Identifier: GPL-2.0
/*
 * scx_idle: CPU selection with the idle kfuncs instead of the default.
 *
 *   select_cpu  scx_bpf_pick_idle_cpu(p->cpus_ptr, SCX_PICK_IDLE_CORE) (a
 *               CPU whose SMT siblings are all idle), else any idle CPU
 *               from p->cpus_ptr; a picked CPU gets the task directly
 *   enqueue     the global DSQ
 *   running     samples the idle and SMT-idle masks (bits 0..63), counts
 *               the CPUs in them into idle_seen/smt_idle_seen
 *   stopping    checks the kernel's view of the stopping task:
 *               scx_bpf_task_running(p) and scx_bpf_cpu_curr(task_cpu) == p
 *               (nr_curr_ok counts both true, nr_curr_bad anything else)
 *               and that bpf_ktime_get_ns() equals scx_bpf_now()
 *               (nr_clock_mismatch counts differences)
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx.h"

u64 nr_core_picks, nr_any_picks, idle_seen, smt_idle_seen, nr_curr_ok, nr_curr_bad, nr_clock_mismatch;

s32 BPF_STRUCT_OPS(idle_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, SCX_PICK_IDLE_CORE);

	if (cpu >= 0) {
		nr_core_picks++;
	} else {
		cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
		if (cpu < 0)
			return prev_cpu;
		nr_any_picks++;
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(idle_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(idle_running, struct task_struct *p)
{
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();
	const struct cpumask *smt = scx_bpf_get_idle_smtmask();

	idle_seen += __builtin_popcountll(idle->bits[0]);
	smt_idle_seen += __builtin_popcountll(smt->bits[0]);
	scx_bpf_put_idle_cpumask(idle);
	scx_bpf_put_idle_cpumask(smt);
}

void BPF_STRUCT_OPS(idle_stopping, struct task_struct *p, bool runnable)
{
	struct task_struct *cur;
	bool ok;

	bpf_rcu_read_lock();
	cur = scx_bpf_cpu_curr(scx_bpf_task_cpu(p));
	ok = cur && cur->pid == p->pid && scx_bpf_task_running(p);
	bpf_rcu_read_unlock();
	if (ok)
		nr_curr_ok++;
	else
		nr_curr_bad++;
	if (bpf_ktime_get_ns() != scx_bpf_now())
		nr_clock_mismatch++;
}

SCX_OPS_DEFINE(idle_ops,
	       .select_cpu = (void *)idle_select_cpu,
	       .enqueue = (void *)idle_enqueue,
	       .running = (void *)idle_running,
	       .stopping = (void *)idle_stopping,
	       .name = "idle");

char _license[] SEC("license") = "GPL";
