// SPDX-License-Identifier: GPL-2.0
/*
 * scx_tick: time slices cut by ops.tick, and SCX_OPS_ENQ_LAST.
 *
 *   running   resets the tick count of the run
 *   tick      after `ticks_per_slice` ticks (.rodata, default 5) sets
 *             p->scx.slice = 0, which makes the core reschedule
 *   enqueue   counts wakeups (SCX_ENQ_WAKEUP) and last-task enqueues
 *             (SCX_ENQ_LAST: nothing else was runnable), then inserts into
 *             the local DSQ
 *   .flags    SCX_OPS_ENQ_LAST: a task whose slice ends with nothing else
 *             to run goes through enqueue instead of simply continuing
 * Written for one CPU-bound task on one CPU (one global tick counter).
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx.h"

const volatile u32 ticks_per_slice = 5;

u32 run_ticks;
u64 nr_ticks, nr_enq_last, nr_enq_wakeup, nr_running;

void BPF_STRUCT_OPS(tick_running, struct task_struct *p)
{
	run_ticks = 0;
	nr_running++;
}

void BPF_STRUCT_OPS(tick_tick, struct task_struct *p)
{
	nr_ticks++;
	if (++run_ticks >= ticks_per_slice)
		p->scx.slice = 0;
}

void BPF_STRUCT_OPS(tick_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (enq_flags & SCX_ENQ_LAST)
		nr_enq_last++;
	if (enq_flags & SCX_ENQ_WAKEUP)
		nr_enq_wakeup++;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
}

SCX_OPS_DEFINE(tick_ops,
	       .running = (void *)tick_running,
	       .tick = (void *)tick_tick,
	       .enqueue = (void *)tick_enqueue,
	       .flags = SCX_OPS_ENQ_LAST,
	       .name = "tick");

char _license[] SEC("license") = "GPL";
