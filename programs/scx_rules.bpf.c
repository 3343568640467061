// SPDX-License-Identifier: GPL-2.0
/*
 * scx_rules: a FIFO scheduler that breaks one of the kernel's rules on
 * purpose, chosen by the .rodata knob `mode` (set before load):
 *
 *   0  none: behaves like scx_fifo
 *   1  enqueue calls scx_bpf_error("task %d misbehaved after %llu enqueues")
 *      on the 3rd enqueue → SCX_EXIT_ERROR_BPF with that message
 *   2  enqueue calls scx_bpf_dsq_move_to_local(), a dispatch-only kfunc →
 *      SCX_EXIT_ERROR "kfunc with mask 0x2 called from an operation only
 *      allowing 0x4"
 *   3  enqueue inserts into DSQ 77, which was never created → SCX_EXIT_ERROR
 *      "non-existent DSQ 0x4d for <comm>[<pid>]"
 *   4  dispatch calls scx_bpf_exit(42, "enough after %llu dispatches") on
 *      the 10th call → SCX_EXIT_UNREG_BPF, exit code 42
 *   5  enqueue inserts with vtime ordering into SCX_DSQ_GLOBAL →
 *      "cannot use vtime ordering for built-in DSQs"
 *   6  dispatch only kicks its own CPU and never moves a task: the CPU
 *      spins through dispatch without time passing (the kernel's watchdog
 *      would fire; bpfemu ends the scheduler as a livelock)
 *
 * dump and dump_task add lines to the exit dump of error exits; exit records
 * the exit kind and code and the first bytes of the dump in .bss.
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx.h"

#define SHARED_DSQ 0

const volatile u32 mode;

u64 nr_enqueued, nr_dispatched;
s32 exit_kind;
s64 exit_code;
char dump_head[64];

void BPF_STRUCT_OPS(rules_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 n = ++nr_enqueued;

	if (mode == 1 && n == 3)
		scx_bpf_error("task %d misbehaved after %llu enqueues", p->pid, n);
	if (mode == 2)
		scx_bpf_dsq_move_to_local(SHARED_DSQ);
	if (mode == 3) {
		scx_bpf_dsq_insert(p, 77, SCX_SLICE_DFL, enq_flags);
		return;
	}
	if (mode == 5) {
		scx_bpf_dsq_insert_vtime(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, 0, enq_flags);
		return;
	}
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(rules_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 n = ++nr_dispatched;

	if (mode == 4 && n == 10)
		scx_bpf_exit(42, "enough after %llu dispatches", n);
	if (mode == 6) {
		scx_bpf_kick_cpu(cpu, 0);
		return;
	}
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(rules_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(rules_dump, struct scx_dump_ctx *dctx)
{
	scx_bpf_dump("rules: mode %u, %llu enqueued, %llu dispatched\n", mode, nr_enqueued, nr_dispatched);
}

void BPF_STRUCT_OPS(rules_dump_task, struct scx_dump_ctx *dctx, struct task_struct *p)
{
	scx_bpf_dump("rules task %d\n", p->pid);
}

void BPF_STRUCT_OPS(rules_exit, struct scx_exit_info *ei)
{
	exit_kind = ei->kind;
	exit_code = ei->exit_code;
	if (ei->dump)
		bpf_probe_read_kernel_str(dump_head, sizeof(dump_head), ei->dump);
}

SCX_OPS_DEFINE(rules_ops,
	       .enqueue = (void *)rules_enqueue,
	       .dispatch = (void *)rules_dispatch,
	       .init = (void *)rules_init,
	       .exit = (void *)rules_exit,
	       .dump = (void *)rules_dump,
	       .dump_task = (void *)rules_dump_task,
	       .name = "rules");

char _license[] SEC("license") = "GPL";
