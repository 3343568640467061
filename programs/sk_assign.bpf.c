// SPDX-License-Identifier: GPL-2.0
/*
 * sk_assign: an sk_lookup program that selects sockets of a SOCKMAP with
 * bpf_sk_assign, to record the helper's checks and what the lookup ends
 * with.
 *
 * assign, SEC("sk_lookup"): for j in 0, 1: key = cfg.key[j]; 254 skips the
 * call, 255 passes NULL, otherwise the socket at that key of `socks` (a
 * missing one leaves ret[j] = -1000); ret[j] = bpf_sk_assign(ctx, sk,
 * cfg.flags[j]); the socket reference is released. Returns cfg.action
 * (SK_DROP 0 or SK_PASS 1).
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} socks SEC(".maps");

struct {
	u32 key[2];
	u64 flags[2];
	long ret[2];
	u32 action;
} cfg;

static __always_inline void one(struct bpf_sk_lookup *ctx, int j)
{
	struct bpf_sock *sk = NULL;
	u32 key = cfg.key[j];

	if (key == 254)
		return;
	if (key != 255) {
		sk = bpf_map_lookup_elem(&socks, &key);
		if (!sk) {
			cfg.ret[j] = -1000;
			return;
		}
	}
	cfg.ret[j] = bpf_sk_assign(ctx, sk, cfg.flags[j]);
	if (sk)
		bpf_sk_release(sk);
}

SEC("sk_lookup")
int assign(struct bpf_sk_lookup *ctx)
{
	one(ctx, 0);
	one(ctx, 1);
	return cfg.action & 1;
}

char LICENSE[] SEC("license") = "GPL";
