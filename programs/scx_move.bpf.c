// SPDX-License-Identifier: GPL-2.0
/*
 * scx_move: the DSQ iterator and the moves out of it, one rule at a time,
 * chosen by the .rodata knob `mode` (set before load). Tasks are queued in
 * DSQ 0 (FIFO) by enqueue unless a mode says otherwise.
 *
 *   0  LIFO: dispatch walks DSQ 0 backwards (SCX_DSQ_ITER_REV) and moves the
 *      first task it sees, the newest, to the local DSQ
 *   1  requeue: dispatch walks DSQ 0 moving every task it sees back to
 *      DSQ 0's tail; a second move of the same task in the same walk is
 *      refused (it was queued after the walk began), and the walk ends after
 *      the tasks that were there when it began; then the head goes local
 *   2  enqueue moves a task out of an iterated DSQ: a dispatch-only kfunc
 *      from enqueue -> SCX_EXIT_ERROR
 *   3  dispatch moves with vtime ordering into SCX_DSQ_GLOBAL -> error
 *      "cannot use vtime ordering for built-in DSQs"
 *   4  dispatch moves every task of DSQ 0 into the vtime DSQ 1 with
 *      scx_bpf_dsq_move_set_vtime(1000 - pid) and a 3 ms slice, then
 *      consumes DSQ 1: the highest pid waiting runs first, for 3 ms
 *   5  the iterator's errors: new on SCX_DSQ_GLOBAL, on DSQ 99 (missing) and
 *      with flags 1 are recorded; next then gives NULL and a move false
 *   6  dispatch on CPU 0 moves a task pinned to CPU 0 into CPU 1's local
 *      DSQ -> error "SCX_DSQ_LOCAL[_ON] target CPU 1 not allowed for ..."
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx/common.bpf.h"

#define MAIN_DSQ 0
#define VTIME_DSQ 1
#define SLICE_3MS 3000000ULL

const volatile u32 mode;

u64 nr_visits, nr_requeued, nr_refused, nr_at_start, nr_walks, nr_moved;
s64 err_global, err_missing, err_flags;
u64 next_after_error, move_after_error;
s32 exit_kind;

void BPF_STRUCT_OPS(move_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct task_struct *q;

	scx_bpf_dsq_insert(p, MAIN_DSQ, SCX_SLICE_DFL, enq_flags);
	if (mode == 2) {
		bpf_for_each(scx_dsq, q, MAIN_DSQ, 0) {
			scx_bpf_dsq_move(BPF_FOR_EACH_ITER, q, SCX_DSQ_GLOBAL, 0);
			break;
		}
	}
}

static void requeue_all(void)
{
	struct task_struct *p;

	nr_walks++;
	nr_at_start += scx_bpf_dsq_nr_queued(MAIN_DSQ);
	bpf_for_each(scx_dsq, p, MAIN_DSQ, 0) {
		nr_visits++;
		if (scx_bpf_dsq_move(BPF_FOR_EACH_ITER, p, MAIN_DSQ, 0))
			nr_requeued++;
		if (!scx_bpf_dsq_move(BPF_FOR_EACH_ITER, p, MAIN_DSQ, 0))
			nr_refused++;
	}
}

static void to_vtime_dsq(void)
{
	struct task_struct *p;

	bpf_for_each(scx_dsq, p, MAIN_DSQ, 0) {
		scx_bpf_dsq_move_set_vtime(BPF_FOR_EACH_ITER, 1000 - p->pid);
		scx_bpf_dsq_move_set_slice(BPF_FOR_EACH_ITER, SLICE_3MS);
		if (scx_bpf_dsq_move_vtime(BPF_FOR_EACH_ITER, p, VTIME_DSQ, 0))
			nr_moved++;
	}
}

static void iter_errors(void)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;

	err_global = bpf_iter_scx_dsq_new(&it, SCX_DSQ_GLOBAL, 0);
	p = bpf_iter_scx_dsq_next(&it);
	if (p)
		next_after_error++;
	bpf_iter_scx_dsq_destroy(&it);
	err_missing = bpf_iter_scx_dsq_new(&it, 99, 0);
	bpf_iter_scx_dsq_destroy(&it);
	err_flags = bpf_iter_scx_dsq_new(&it, MAIN_DSQ, 1);
	p = bpf_iter_scx_dsq_next(&it);
	if (p)
		next_after_error++;
	bpf_iter_scx_dsq_destroy(&it);
}

void BPF_STRUCT_OPS(move_dispatch, s32 cpu, struct task_struct *prev)
{
	struct task_struct *p;

	switch (mode) {
	case 0:
		bpf_for_each(scx_dsq, p, MAIN_DSQ, SCX_DSQ_ITER_REV) {
			if (scx_bpf_dsq_move(BPF_FOR_EACH_ITER, p, SCX_DSQ_LOCAL, 0))
				nr_moved++;
			break;
		}
		return;
	case 1:
		requeue_all();
		break;
	case 3:
		bpf_for_each(scx_dsq, p, MAIN_DSQ, 0) {
			scx_bpf_dsq_move_vtime(BPF_FOR_EACH_ITER, p, SCX_DSQ_GLOBAL, 0);
			break;
		}
		break;
	case 4:
		to_vtime_dsq();
		scx_bpf_dsq_move_to_local(VTIME_DSQ);
		return;
	case 5:
		iter_errors();
		break;
	case 6:
		if (cpu != 0)
			break;
		bpf_for_each(scx_dsq, p, MAIN_DSQ, 0) {
			if (p->nr_cpus_allowed == 1) {
				scx_bpf_dsq_move(BPF_FOR_EACH_ITER, p, SCX_DSQ_LOCAL_ON | 1, 0);
				break;
			}
		}
		break;
	}
	scx_bpf_dsq_move_to_local(MAIN_DSQ);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(move_init)
{
	s32 ret = scx_bpf_create_dsq(MAIN_DSQ, -1);

	return ret ?: scx_bpf_create_dsq(VTIME_DSQ, -1);
}

void BPF_STRUCT_OPS(move_exit, struct scx_exit_info *ei)
{
	exit_kind = ei->kind;
}

SCX_OPS_DEFINE(move_ops,
	       .enqueue = (void *)move_enqueue,
	       .dispatch = (void *)move_dispatch,
	       .init = (void *)move_init,
	       .exit = (void *)move_exit,
	       .name = "move");

char _license[] SEC("license") = "GPL";
