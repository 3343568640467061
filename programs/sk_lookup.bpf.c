// SPDX-License-Identifier: GPL-2.0
/*
 * sk_lookup: a BPF_PROG_TYPE_SK_LOOKUP program (SEC("sk_lookup")). It runs
 * when the stack looks up a socket for an arriving packet, sees the 4-tuple
 * (struct bpf_sk_lookup) and returns SK_PASS (1) or SK_DROP (0).
 *
 *   lookup  drops TCP to local ports 7 (echo) and 9 (discard) and UDP from
 *           remote port 19 (chargen); passes everything else. It counts
 *           lookups per local port in by_port (hash), and in lk_stats: [0]
 *           IPv4, [1] IPv6, [2] drops, [3] the sum of remote_ip4's first
 *           byte (a narrow load), [4] the last 16 bits of local_ip6 (a
 *           2-byte load).
 */
#include "common.h"

#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} by_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} lk_stats SEC(".maps");

static __always_inline void add(u32 i, u64 n)
{
	u64 *v = bpf_map_lookup_elem(&lk_stats, &i);

	if (v)
		__sync_fetch_and_add(v, n);
}

SEC("sk_lookup")
int lookup(struct bpf_sk_lookup *ctx)
{
	u32 port = ctx->local_port;
	u64 one = 1, *n;

	n = bpf_map_lookup_elem(&by_port, &port);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&by_port, &port, &one, BPF_NOEXIST);
	if (ctx->family == 2) {
		add(0, 1);
		add(3, *(u8 *)&ctx->remote_ip4);
	} else {
		add(1, 1);
		add(4, *(u16 *)((u8 *)ctx->local_ip6 + 14));
	}
	if ((ctx->protocol == IPPROTO_TCP && (port == 7 || port == 9)) ||
	    (ctx->protocol == IPPROTO_UDP && ctx->remote_port == bpf_htons(19))) {
		add(2, 1);
		return SK_DROP;
	}
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
