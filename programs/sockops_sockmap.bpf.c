// SPDX-License-Identifier: GPL-2.0
/*
 * sockops_sockmap: a sockops program (add_socks) that puts the socket of each
 * callback into a SOCKMAP and a SOCKHASH with bpf_sock_map_update and
 * bpf_sock_hash_update, and keeps every helper's return value.
 *
 * For the first callback of each op below 16 it writes results[op * 8 + i]:
 *   0  sock_map_update(key op, BPF_NOEXIST)     (a free slot)
 *   1  sock_map_update(key op, BPF_NOEXIST)     (now taken)
 *   2  sock_map_update(key 100, BPF_ANY)        (past max_entries 16)
 *   3  sock_map_update(key op, flags 4)         (unknown flags)
 *   4  sock_map_update(key 15, BPF_EXIST)       (an empty slot)
 *   5  sock_hash_update(key op, BPF_ANY)
 *   6  sock_hash_update(key op, BPF_EXIST)      (replaces itself)
 *   7  1 (the op was seen)
 * Only the established and listen callbacks may update (the others: -EOPNOTSUPP).
 * Returns 1.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 16);
	__uint(key_size, 4);
	__uint(value_size, 8);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 16);
	__uint(key_size, 4);
	__uint(value_size, 8);
} sockh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 128);
	__type(key, u32);
	__type(value, s64);
} results SEC(".maps");

static __always_inline void put(u32 i, s64 v)
{
	s64 *p = bpf_map_lookup_elem(&results, &i);

	if (p)
		*p = v;
}

SEC("sockops")
int add_socks(struct bpf_sock_ops *ctx)
{
	u32 op = ctx->op;
	u32 key, seen;
	s64 *done;

	if (op >= 16)
		return 1;
	seen = op * 8 + 7;
	done = bpf_map_lookup_elem(&results, &seen);
	if (!done || *done)
		return 1;
	*done = 1;
	key = op;
	put(op * 8 + 0, bpf_sock_map_update(ctx, &socks, &key, BPF_NOEXIST));
	put(op * 8 + 1, bpf_sock_map_update(ctx, &socks, &key, BPF_NOEXIST));
	key = 100;
	put(op * 8 + 2, bpf_sock_map_update(ctx, &socks, &key, BPF_ANY));
	key = op;
	put(op * 8 + 3, bpf_sock_map_update(ctx, &socks, &key, 4));
	key = 15;
	put(op * 8 + 4, bpf_sock_map_update(ctx, &socks, &key, BPF_EXIST));
	key = op;
	put(op * 8 + 5, bpf_sock_hash_update(ctx, &sockh, &key, BPF_ANY));
	put(op * 8 + 6, bpf_sock_hash_update(ctx, &sockh, &key, BPF_EXIST));
	return 1;
}

char _license[] SEC("license") = "GPL";
