// SPDX-License-Identifier: GPL-2.0
/*
 * scx_taskctx: a global FIFO scheduler that keeps a per-task context in task
 * local storage, the way schedulers of the scx repository do (a context
 * created in init_task, looked up in every op, with a per-task scratch
 * bpf_cpumask held as a kptr inside it):
 *
 *   init_task   creates the task's context (BPF_LOCAL_STORAGE_GET_F_CREATE)
 *               and its scratch cpumask (bpf_kptr_xchg into the context)
 *   select_cpu  scratch = p->cpus_ptr & idle CPUs; its first CPU is claimed
 *               and the task inserted into that CPU's local DSQ; else
 *               prev_cpu
 *   enqueue     DSQ 0, FIFO; dispatch: DSQ 0 to the local DSQ
 *   running     counts the task's runs in its context
 *   exit_task   adds the context's runs to `runs_at_exit_task`
 * A task without a context is an error ("no context for <pid>"). When a task
 * is freed its storage goes, and the scratch cpumask with it.
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx/common.bpf.h"

#define SHARED_DSQ 0

struct task_ctx {
	struct bpf_cpumask __kptr *scratch;
	u64 runs;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

u64 nr_init_task, nr_exit_task, nr_exit_without_ctx, runs_at_exit_task, nr_direct;
s32 exit_kind;

static struct task_ctx *ctx_of(struct task_struct *p)
{
	struct task_ctx *c = bpf_task_storage_get(&task_ctxs, p, 0, 0);

	if (!c)
		scx_bpf_error("no context for %d", p->pid);
	return c;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(taskctx_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	struct bpf_cpumask *m, *old;
	struct task_ctx *c;

	c = bpf_task_storage_get(&task_ctxs, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return -12;
	m = bpf_cpumask_create();
	if (!m)
		return -12;
	old = bpf_kptr_xchg(&c->scratch, m);
	if (old)
		bpf_cpumask_release(old);
	nr_init_task++;
	return 0;
}

s32 BPF_STRUCT_OPS(taskctx_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	const struct cpumask *idle;
	struct bpf_cpumask *scratch;
	struct task_ctx *c;
	u32 cpu;

	c = ctx_of(p);
	if (!c)
		return prev_cpu;
	scratch = c->scratch;
	if (!scratch)
		return prev_cpu;
	idle = scx_bpf_get_idle_cpumask();
	bpf_cpumask_and(scratch, p->cpus_ptr, idle);
	scx_bpf_put_idle_cpumask(idle);
	cpu = bpf_cpumask_first(cast_mask(scratch));
	if (cpu < scx_bpf_nr_cpu_ids() && scx_bpf_test_and_clear_cpu_idle(cpu)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
		nr_direct++;
		return cpu;
	}
	return prev_cpu;
}

void BPF_STRUCT_OPS(taskctx_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(taskctx_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

void BPF_STRUCT_OPS(taskctx_running, struct task_struct *p)
{
	struct task_ctx *c = ctx_of(p);

	if (c)
		c->runs++;
}

void BPF_STRUCT_OPS(taskctx_exit_task, struct task_struct *p, struct scx_exit_task_args *args)
{
	struct task_ctx *c = bpf_task_storage_get(&task_ctxs, p, 0, 0);

	nr_exit_task++;
	if (!c) {
		nr_exit_without_ctx++;
		return;
	}
	runs_at_exit_task += c->runs;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(taskctx_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(taskctx_exit, struct scx_exit_info *ei)
{
	exit_kind = ei->kind;
}

SCX_OPS_DEFINE(taskctx_ops,
	       .select_cpu = (void *)taskctx_select_cpu,
	       .enqueue = (void *)taskctx_enqueue,
	       .dispatch = (void *)taskctx_dispatch,
	       .running = (void *)taskctx_running,
	       .init_task = (void *)taskctx_init_task,
	       .exit_task = (void *)taskctx_exit_task,
	       .init = (void *)taskctx_init,
	       .exit = (void *)taskctx_exit,
	       .name = "taskctx");

char _license[] SEC("license") = "GPL";
