// SPDX-License-Identifier: GPL-2.0
/*
 * sock_ops: a BPF_PROG_TYPE_SOCK_OPS program, tcp_tune (SEC("sockops")). The kernel
 * calls it at TCP events with ctx->op naming the event; for the "_INIT"
 * ops the program answers through ctx->reply, and it may set the flow hash
 * (sk_txhash). Every read is a whole u32 (the kernel refuses narrower loads
 * of these fields).
 *
 *   BPF_SOCK_OPS_TIMEOUT_INIT    reply 10 (the SYN RTO in jiffies) when the
 *                                remote port is 443, else -1 (default)
 *   BPF_SOCK_OPS_RWND_INIT       reply 40 segments
 *   BPF_SOCK_OPS_NEEDS_ECN       reply 1 for local_port 8080
 *   BPF_SOCK_OPS_TCP_CONNECT_CB  sk_txhash = 0x1234; counts connects
 *   BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB / PASSIVE_...: counts, and adds
 *                                snd_cwnd and srtt_us into ops_stats[3/4]
 * ops_stats[op] counts every op below 8; ops_stats[8] the IPv6 events.
 * Returns 1.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
} ops_stats SEC(".maps");

static __always_inline void add(u32 i, u64 n)
{
	u64 *v = bpf_map_lookup_elem(&ops_stats, &i);

	if (v)
		__sync_fetch_and_add(v, n);
}

SEC("sockops")
int tcp_tune(struct bpf_sock_ops *ctx)
{
	u32 op = ctx->op;

	if (op < 8)
		add(op, 1);
	if (ctx->family == 10)
		add(8, 1);
	switch (op) {
	case BPF_SOCK_OPS_TIMEOUT_INIT:
		ctx->reply = ctx->remote_port == bpf_htonl(443) ? 10 : -1;
		break;
	case BPF_SOCK_OPS_RWND_INIT:
		ctx->reply = 40;
		break;
	case BPF_SOCK_OPS_NEEDS_ECN:
		ctx->reply = ctx->local_port == 8080;
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		ctx->sk_txhash = 0x1234;
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		add(9, ctx->snd_cwnd);
		add(10, ctx->srtt_us);
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
