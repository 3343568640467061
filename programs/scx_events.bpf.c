// SPDX-License-Identifier: GPL-2.0
/*
 * scx_events: a global FIFO scheduler that looks at what the core reports:
 *
 *   select_cpu  with `bad_cpu` >= 0 returns that CPU whatever the task
 *               allows (the core falls back: SCX_EV_SELECT_CPU_FALLBACK);
 *               else scx_bpf_select_cpu_and(p, prev, wake_flags,
 *               p->cpus_ptr & {CPU 1}, 0): an idle CPU 1 is taken directly
 *   running     scx_bpf_locked_rq(): the rq of the task's CPU
 *   tick        scx_bpf_cpu_rq(cpu)->curr is the running task
 *   exit        scx_bpf_events() into `ev` (all nine counters) and into
 *               `ev_head` with a 16-byte size (the first two only)
 *
 * A second scheduler in the object, `events_node_ops`, turns on per-node idle
 * tracking (SCX_OPS_BUILTIN_IDLE_PER_NODE): its select_cpu picks with
 * scx_bpf_pick_idle_cpu_node(p->cpus_ptr, scx_bpf_cpu_node(prev_cpu), 0).
 * The knob `node_mode` breaks the per-node rules: 1 calls a node kfunc
 * without per-node tracking, 2 the flat idle mask with it.
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx/common.bpf.h"

#define SHARED_DSQ 0

const volatile s32 bad_cpu = -1;

struct rq *scx_bpf_cpu_rq(s32 cpu) __ksym __weak;
struct rq *scx_bpf_locked_rq(void) __ksym __weak;
int scx_bpf_cpu_node(s32 cpu) __ksym __weak;
const struct cpumask *scx_bpf_get_idle_cpumask_node(int node) __ksym __weak;
s32 scx_bpf_pick_idle_cpu_node(const struct cpumask *cpus_allowed, int node, u64 flags) __ksym __weak;

const volatile u32 node_mode;
u64 nr_node_idle;
s32 node_of_cpu1 = -7;

struct scx_rq {
	u32 nr_running;
} __attribute__((preserve_access_index));

struct rq {
	int cpu;
	unsigned int nr_running;
	struct task_struct *curr;
	struct scx_rq scx;
} __attribute__((preserve_access_index));

struct scx_event_stats ev;
s64 ev_head[4] = { -1, -1, -1, -1 };
u64 nr_and_idle, nr_and_busy, nr_locked_ok, nr_locked_bad, nr_curr_ok, nr_curr_bad;
s32 exit_kind;

s32 BPF_STRUCT_OPS(events_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	struct bpf_cpumask *m;
	s32 cpu;

	if (bad_cpu >= 0)
		return bad_cpu;
	if (node_mode == 1) {
		const struct cpumask *idle = scx_bpf_get_idle_cpumask_node(0);

		scx_bpf_put_idle_cpumask(idle);
	}
	m = bpf_cpumask_create();
	if (!m)
		return prev_cpu;
	bpf_cpumask_set_cpu(1, m);
	cpu = scx_bpf_select_cpu_and(p, prev_cpu, wake_flags, cast_mask(m), 0);
	bpf_cpumask_release(m);
	if (cpu >= 0) {
		nr_and_idle++;
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
		return cpu;
	}
	nr_and_busy++;
	return prev_cpu;
}

void BPF_STRUCT_OPS(events_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(events_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

void BPF_STRUCT_OPS(events_running, struct task_struct *p)
{
	struct rq *rq = scx_bpf_locked_rq();

	if (rq && rq->cpu == scx_bpf_task_cpu(p))
		nr_locked_ok++;
	else
		nr_locked_bad++;
}

void BPF_STRUCT_OPS(events_tick, struct task_struct *p)
{
	struct rq *rq = scx_bpf_cpu_rq(scx_bpf_task_cpu(p));

	if (rq && rq->curr == p && rq->nr_running >= 1)
		nr_curr_ok++;
	else
		nr_curr_bad++;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(events_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(events_exit, struct scx_exit_info *ei)
{
	exit_kind = ei->kind;
	scx_bpf_events(&ev, sizeof(ev));
	scx_bpf_events((struct scx_event_stats *)ev_head, 16);
}

s32 BPF_STRUCT_OPS(node_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	s32 cpu;

	if (node_mode == 2) {
		const struct cpumask *idle = scx_bpf_get_idle_cpumask();

		scx_bpf_put_idle_cpumask(idle);
	}
	node_of_cpu1 = scx_bpf_cpu_node(1);
	cpu = scx_bpf_pick_idle_cpu_node(p->cpus_ptr, scx_bpf_cpu_node(prev_cpu), 0);
	if (cpu >= 0) {
		nr_node_idle++;
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
		return cpu;
	}
	return prev_cpu;
}

SCX_OPS_DEFINE(events_node_ops,
	       .select_cpu = (void *)node_select_cpu,
	       .flags = SCX_OPS_BUILTIN_IDLE_PER_NODE,
	       .name = "events_node");

SCX_OPS_DEFINE(events_ops,
	       .select_cpu = (void *)events_select_cpu,
	       .enqueue = (void *)events_enqueue,
	       .dispatch = (void *)events_dispatch,
	       .running = (void *)events_running,
	       .tick = (void *)events_tick,
	       .init = (void *)events_init,
	       .exit = (void *)events_exit,
	       .name = "events");

char _license[] SEC("license") = "GPL";
