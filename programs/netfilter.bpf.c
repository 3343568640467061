// SPDX-License-Identifier: GPL-2.0
/*
 * netfilter: a BPF_PROG_TYPE_NETFILTER program (SEC("netfilter")), a
 * netfilter hook function. The ctx (struct bpf_nf_ctx) holds two kernel
 * pointers: the hook state (hook number, protocol family) and the skb.
 * Returns NF_ACCEPT (1) or NF_DROP (0).
 *
 *   nf_filter  counts calls per hook in nf_stats[hook] (hooks 0..4) and
 *              bytes (skb->len) in nf_stats[5]; drops IPv6 at
 *              PRE_ROUTING and packets longer than 1000 bytes at LOCAL_IN.
 *
 * The uapi headers of the pinned toolchain (linux-libc-dev 6.1) predate
 * netfilter programs, so the two kernel structs are declared here with only
 * the members read (their offsets are 6.18's: hook and pf are the first two
 * bytes of nf_hook_state, len is at 112 in sk_buff on x86-64).
 */
#include "common.h"

#define NF_DROP 0
#define NF_ACCEPT 1
#define NF_INET_PRE_ROUTING 0
#define NF_INET_LOCAL_IN 1
#define NFPROTO_IPV6 10

struct nf_hook_state {
	u8 hook;
	u8 pf;
};

struct sk_buff {
	u8 pad[112];
	u32 len;
};

struct bpf_nf_ctx {
	const struct nf_hook_state *state;
	struct sk_buff *skb;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} nf_stats SEC(".maps");

static __always_inline void add(u32 i, u64 n)
{
	u64 *v = bpf_map_lookup_elem(&nf_stats, &i);

	if (v)
		__sync_fetch_and_add(v, n);
}

SEC("netfilter")
int nf_filter(struct bpf_nf_ctx *ctx)
{
	u8 hook = ctx->state->hook;
	u8 pf = ctx->state->pf;
	u32 len = ctx->skb->len;

	if (hook < 5)
		add(hook, 1);
	add(5, len);
	if (hook == NF_INET_PRE_ROUTING && pf == NFPROTO_IPV6)
		return NF_DROP;
	if (hook == NF_INET_LOCAL_IN && len > 1000)
		return NF_DROP;
	return NF_ACCEPT;
}

char LICENSE[] SEC("license") = "GPL";
