// SPDX-License-Identifier: GPL-2.0
/*
 * core_ctx: a program written the vmlinux.h way, whose context reads are
 * CO-RE relocations against the kernel's own struct __sk_buff (here a local
 * flavour, __sk_buff___vmlinux, with preserve_access_index, as vmlinux.h
 * declares every struct), and a tp_btf program on sched_switch, a tracepoint
 * the kernel's BTF describes (btf_trace_sched_switch).
 *
 * Program skb_fields, SEC("tc"): res[0] = skb->len, res[1] = skb->protocol
 * (network order), res[2] = skb->ifindex, all read through the flavour
 * struct; returns TC_ACT_OK (0). A 60-byte IPv4 frame gives 60, 0x0008 and
 * 1 (loopback) on Linux 6.18.
 *
 * Program on_switch, SEC("tp_btf/sched_switch"): counts switches in
 * switches and keeps the preempt flag of the last one in last_preempt.
 */
#include "common.h"
#include <bpf/bpf_tracing.h>

struct __sk_buff___vmlinux {
	__u32 len;
	__u32 protocol;
	__u32 ifindex;
} __attribute__((preserve_access_index));

struct task_struct;

u64 res[3];
u64 switches;
u64 last_preempt;

SEC("tc")
int skb_fields(struct __sk_buff *ctx)
{
	struct __sk_buff___vmlinux *skb = (void *)ctx;

	res[0] = skb->len;
	res[1] = skb->protocol;
	res[2] = skb->ifindex;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	switches++;
	last_preempt = preempt;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
