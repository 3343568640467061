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

/*
 * Program-side updates of socket maps (may_update_sockmap lets sk_lookup
 * programs update and delete entries).
 *
 * update, SEC("sk_lookup"): the socket at upd.src of `socks` goes into
 * `dst` at upd.dst with upd.flags (ret_update; -1000 if there is none),
 * then, unless upd.del is 254, dst's entry upd.del is deleted
 * (ret_delete). Returns SK_PASS.
 * update_cg, SEC("cgroup_skb/ingress"), and update_sockops,
 * SEC("sockops"): the same update from program types the verifier refuses
 * it to ("cannot update sockmap in this context"); delete_sockops,
 * SEC("sockops"): a delete, which sock_ops programs may make.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} dst SEC(".maps");

struct {
	u32 src;
	u32 dst;
	u64 flags;
	u32 del;
	long ret_update;
	long ret_delete;
} upd;

SEC("sk_lookup")
int update(struct bpf_sk_lookup *ctx)
{
	u32 key = upd.src, to = upd.dst, del = upd.del;
	struct bpf_sock *sk = bpf_map_lookup_elem(&socks, &key);

	if (!sk) {
		upd.ret_update = -1000;
		return SK_PASS;
	}
	upd.ret_update = bpf_map_update_elem(&dst, &to, sk, upd.flags);
	bpf_sk_release(sk);
	if (del != 254)
		upd.ret_delete = bpf_map_delete_elem(&dst, &del);
	return SK_PASS;
}

SEC("cgroup_skb/ingress")
int update_cg(struct __sk_buff *skb)
{
	u32 key = 0;
	struct bpf_sock *sk = skb->sk;

	if (sk)
		bpf_map_update_elem(&dst, &key, sk, 0);
	return 1;
}

SEC("sockops")
int update_sockops(struct bpf_sock_ops *ops)
{
	u32 key = 0;
	struct bpf_sock *sk = ops->sk;

	if (sk)
		bpf_map_update_elem(&dst, &key, sk, 0);
	return 1;
}

SEC("sockops")
int delete_sockops(struct bpf_sock_ops *ops)
{
	u32 key = 0;

	bpf_map_delete_elem(&dst, &key);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
