// SPDX-License-Identifier: GPL-2.0
/*
 * tracing_btf: BTF-based tracing programs that need no trampoline
 * (BPF_PROG_TYPE_TRACING with attach type BPF_TRACE_ITER or
 * BPF_TRACE_RAW_TP). The attach target is found in vmlinux BTF at load
 * time (libbpf sets attach_btf_id from the section name: bpf_iter_task,
 * btf_trace_sys_enter), the ctx of tp_btf is an array of u64 arguments
 * (BPF_PROG unpacks it), and pointer arguments are BTF-typed, so member
 * reads are direct loads.
 *
 *   iter_task         SEC("iter/task"), ctx struct bpf_iter__task *: one
 *                     line "<pid> <comm>\n" per task through BPF_SEQ_PRINTF
 *                     (bpf_seq_printf), and a final "tasks: <n>\n" line
 *                     when ctx->task is NULL (the iterator's last call).
 *                     Returns 0.
 *   tp_btf_sys_enter  SEC("tp_btf/sys_enter"), args (struct pt_regs *regs,
 *                     long id): btf_calls += 1, btf_last_id = id. Returns 0.
 *
 * The 6.18 test kernel loads both (bpftool's feature probe wrongly reports
 * "tracing" as unavailable: it probes without an attach target).
 * BPF_PROG_TEST_RUN supports neither (EFAULT for tp_btf).
 * `bpftool iter pin tracing_btf.bpf.o <bpffs path>` attaches the object's
 * first program (hence iter_task comes first); reading the pinned file runs
 * it. Trampoline-based programs are in tracing_trampoline.bpf.c.
 */
#include "kernel.h"
#include <bpf/bpf_tracing.h>

u64 btf_calls;
s64 btf_last_id;
u64 iter_tasks;

SEC("iter/task")
int iter_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task) {
		BPF_SEQ_PRINTF(seq, "tasks: %llu\n", iter_tasks);
		return 0;
	}
	iter_tasks++;
	BPF_SEQ_PRINTF(seq, "%d %s\n", task->pid, task->comm);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf_sys_enter, struct pt_regs *regs, long id)
{
	btf_calls++;
	btf_last_id = id;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
