// SPDX-License-Identifier: GPL-2.0
/*
 * scx_prio: heaviest task first from one shared FIFO DSQ, on a set of
 * "primary" CPUs, written the way schedulers of the scx repository are
 * (vmlinux.h types, kfuncs as __ksym, bpf_for_each over a DSQ, a bpf_cpumask
 * kept as a kptr in a map):
 *
 *   init        creates DSQ 0; builds the bpf_cpumask "primary" holding CPUs
 *               0 .. nr_primary-1 (.rodata knob; 0 = half of the CPUs, at
 *               least one) and stores it in the map `masks` with
 *               bpf_kptr_xchg
 *   select_cpu  an idle CPU of primary & p->cpus_ptr (claimed), else one of
 *               that intersection (distributed), else prev_cpu; it never
 *               dispatches, every task goes through DSQ 0
 *   enqueue     DSQ 0 in FIFO order
 *   dispatch    walks DSQ 0 for the heaviest task that may run on this CPU
 *               (the first one among equals; a CPU outside primary only
 *               takes tasks that cannot run on any primary CPU), walks it
 *               again and moves that task to this CPU's local DSQ with a
 *               slice of weight * 20 us (2 ms at the default weight 100)
 *   exit        records the exit kind
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx/common.bpf.h"

#define SHARED_DSQ 0
#define SLICE_PER_WEIGHT 20000ULL
#define MAX_CPUS 64

const volatile u32 nr_primary;

struct sched_masks {
	struct bpf_cpumask __kptr *primary;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct sched_masks);
} masks SEC(".maps");

u64 nr_dispatched, nr_moved, nr_scanned, nr_primary_cpus;
s32 exit_kind;

static u64 slice_of(u32 weight)
{
	return weight * SLICE_PER_WEIGHT;
}

static struct bpf_cpumask *primary_mask(void)
{
	struct sched_masks *m;
	u32 zero = 0;

	m = bpf_map_lookup_elem(&masks, &zero);
	return m ? m->primary : NULL;
}

s32 BPF_STRUCT_OPS(prio_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	struct bpf_cpumask *primary = primary_mask();
	u32 nr = scx_bpf_nr_cpu_ids();
	u32 cpu;

	if (!primary)
		return prev_cpu;
	for (cpu = 0; cpu < MAX_CPUS && cpu < nr; cpu++) {
		if (bpf_cpumask_test_cpu(cpu, cast_mask(primary)) &&
		    bpf_cpumask_test_cpu(cpu, p->cpus_ptr) &&
		    scx_bpf_test_and_clear_cpu_idle(cpu))
			return cpu;
	}
	cpu = bpf_cpumask_any_and_distribute(cast_mask(primary), p->cpus_ptr);
	return cpu < nr ? cpu : prev_cpu;
}

void BPF_STRUCT_OPS(prio_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

/* whether this CPU may take @p: allowed here, and a CPU outside primary only
 * takes tasks that no primary CPU can run */
static bool may_take(struct task_struct *p, s32 cpu, struct bpf_cpumask *primary, bool here_primary)
{
	if (!bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
		return false;
	return here_primary || !bpf_cpumask_intersects(cast_mask(primary), p->cpus_ptr);
}

void BPF_STRUCT_OPS(prio_dispatch, s32 cpu, struct task_struct *prev)
{
	struct bpf_cpumask *primary = primary_mask();
	struct task_struct *p;
	bool here_primary;
	u32 best_w = 0;
	s32 best_pid = -1;

	if (!primary)
		return;
	here_primary = bpf_cpumask_test_cpu(cpu, cast_mask(primary));
	nr_dispatched++;
	bpf_for_each(scx_dsq, p, SHARED_DSQ, 0) {
		nr_scanned++;
		if (p->scx.weight > best_w && may_take(p, cpu, primary, here_primary)) {
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
	struct bpf_cpumask *mask, *old;
	struct sched_masks *m;
	u32 zero = 0, n, i;
	s32 ret;

	ret = scx_bpf_create_dsq(SHARED_DSQ, -1);
	if (ret)
		return ret;
	m = bpf_map_lookup_elem(&masks, &zero);
	if (!m)
		return -2;
	mask = bpf_cpumask_create();
	if (!mask)
		return -12;
	n = nr_primary ?: scx_bpf_nr_cpu_ids() / 2;
	if (!n)
		n = 1;
	for (i = 0; i < MAX_CPUS && i < n; i++)
		bpf_cpumask_set_cpu(i, mask);
	nr_primary_cpus = bpf_cpumask_weight(cast_mask(mask));
	old = bpf_kptr_xchg(&m->primary, mask);
	if (old)
		bpf_cpumask_release(old);
	return 0;
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
