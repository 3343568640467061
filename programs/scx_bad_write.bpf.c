// SPDX-License-Identifier: GPL-2.0
/*
 * scx_bad_write: a sched_ext scheduler whose enable stores into
 * p->scx.weight. Only scx.slice, scx.dsq_vtime and scx.disallow are writable
 * from BPF (bpf_scx_btf_struct_access), so the kernel's verifier refuses
 * the program with EACCES and the object does not load. ok_enable, the same
 * store into p->scx.slice, is accepted (it is in a second, optional map).
 * sleepy_enqueue, a sleepable program on enqueue (only init_task, cgroup_*,
 * cpu_online/offline, init and exit may sleep), is refused at load with
 * EINVAL (bpf_scx_check_member; third, optional map).
 */
#include "scx.h"

void BPF_STRUCT_OPS(bad_enable, struct task_struct *p)
{
	p->scx.weight = 1;
}

void BPF_STRUCT_OPS(ok_enable, struct task_struct *p)
{
	p->scx.slice = 1;
}

SCX_OPS_DEFINE(bad_ops,
	       .enable = (void *)bad_enable,
	       .name = "bad_write");

SEC("?.struct_ops.link") struct sched_ext_ops ok_ops = {
	.enable = (void *)ok_enable,
	.name = "ok_write",
};

void BPF_STRUCT_OPS_SLEEPABLE(sleepy_enqueue, struct task_struct *p, u64 enq_flags)
{
}

SEC("?.struct_ops.link") struct sched_ext_ops sleepy_ops = {
	.enqueue = (void *)sleepy_enqueue,
	.name = "sleepy",
};

char _license[] SEC("license") = "GPL";
