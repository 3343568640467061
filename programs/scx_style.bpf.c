// SPDX-License-Identifier: GPL-2.0
/*
 * scx_style: a weighted vtime scheduler written with the idioms of the scx
 * repository's schedulers rather than with bpfemu's own headers' help:
 *
 *   - private(NAME): a cpumask kptr kept in a global of its own data section
 *     (.data.PRIMARY), not in a map the scheduler declares;
 *   - bpf_for(i, start, end): loops over CPUs with the numbers iterator;
 *   - a UEI-style exit record: reason and message copied out of
 *     scx_exit_info with bpf_probe_read_kernel_str, the kind last;
 *   - __COMPAT-style probing: a kfunc used only if bpf_ksym_exists() says the
 *     kernel has it (scx_bpf_dsq_move_to_local here; the 6.12 name
 *     scx_bpf_consume___compat is the fallback and stays unresolved).
 *
 *   init        the "all CPUs" cpumask (bpf_for over nr_cpu_ids) into the
 *               private global; DSQ 0 (vtime ordered)
 *   select_cpu  scx_bpf_select_cpu_dfl; an idle CPU gets the task directly
 *   enqueue     DSQ 0 by vtime, a sleeper's credit capped at one slice
 *   dispatch    the lowest vtime task of DSQ 0
 *   running / stopping  vtime_now and the charge scaled by 100 / weight
 *   exit        the UEI-style record
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx/common.bpf.h"

#define private(name) SEC(".data." #name) __attribute__((aligned(8)))

#ifndef bpf_for
#define bpf_for(i, start, end)							\
	for (struct bpf_iter_num ___it						\
		     __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),	\
	     *___once __attribute__((unused)) =					\
		     (bpf_iter_num_new(&___it, (start), (end)),			\
		      (void)bpf_iter_num_destroy, (void *)0);			\
	     ({ int *___v = bpf_iter_num_next(&___it);				\
		___v ? ((i) = *___v, 1) : 0; });)
#endif

struct bpf_iter_num {
	u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
bool scx_bpf_consume___compat(u64 dsq_id) __ksym __weak;

#define SHARED_DSQ 0

private(PRIMARY) struct bpf_cpumask __kptr *all_cpus;

struct user_exit_info {
	int kind;
	s64 exit_code;
	char reason[128];
	char msg[1024];
} uei;

u64 vtime_now, nr_cpus_in_mask, nr_compat_consume;

static bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

s32 BPF_STRUCT_OPS(style_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);

	if (is_idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(style_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime;

	if (vtime_before(vtime, vtime_now - SCX_SLICE_DFL))
		vtime = vtime_now - SCX_SLICE_DFL;
	scx_bpf_dsq_insert_vtime(p, SHARED_DSQ, SCX_SLICE_DFL, vtime, enq_flags);
}

void BPF_STRUCT_OPS(style_dispatch, s32 cpu, struct task_struct *prev)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move_to_local)) {
		scx_bpf_dsq_move_to_local(SHARED_DSQ);
	} else {
		nr_compat_consume++;
		scx_bpf_consume___compat(SHARED_DSQ);
	}
}

void BPF_STRUCT_OPS(style_running, struct task_struct *p)
{
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
}

void BPF_STRUCT_OPS(style_stopping, struct task_struct *p, bool runnable)
{
	p->scx.dsq_vtime += (SCX_SLICE_DFL - p->scx.slice) * 100 / p->scx.weight;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(style_init)
{
	struct bpf_cpumask *mask, *old;
	s32 i, nr = scx_bpf_nr_cpu_ids();

	mask = bpf_cpumask_create();
	if (!mask)
		return -12;
	bpf_for(i, 0, nr)
		bpf_cpumask_set_cpu(i, mask);
	nr_cpus_in_mask = bpf_cpumask_weight(cast_mask(mask));
	old = bpf_kptr_xchg(&all_cpus, mask);
	if (old)
		bpf_cpumask_release(old);
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(style_exit, struct scx_exit_info *ei)
{
	bpf_probe_read_kernel_str(uei.reason, sizeof(uei.reason), ei->reason);
	bpf_probe_read_kernel_str(uei.msg, sizeof(uei.msg), ei->msg);
	uei.exit_code = ei->exit_code;
	uei.kind = ei->kind;
}

SCX_OPS_DEFINE(style_ops,
	       .select_cpu = (void *)style_select_cpu,
	       .enqueue = (void *)style_enqueue,
	       .dispatch = (void *)style_dispatch,
	       .running = (void *)style_running,
	       .stopping = (void *)style_stopping,
	       .init = (void *)style_init,
	       .exit = (void *)style_exit,
	       .timeout_ms = 5000,
	       .name = "style");

char _license[] SEC("license") = "GPL";
