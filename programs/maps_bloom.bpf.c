// SPDX-License-Identifier: GPL-2.0
/*
 * maps_bloom: a BLOOM_FILTER map (kernel/bpf/bloom_filter.c). It has no
 * keys: bpf_map_push_elem adds a value, bpf_map_peek_elem answers "maybe
 * present" (0) or "definitely absent" (-ENOENT); no other helper is
 * allowed on it (the verifier rejects lookup/update/delete/pop).
 *
 *   bloom  BLOOM_FILTER, value u32, max_entries 64, map_extra 3 (number of
 *          hash functions), BPF_F_ZERO_SEED so the jhash seed is 0 and the
 *          bit positions are reproducible (otherwise the seed is random)
 *
 * Program bloom_ops, SEC("xdp") (the kernel refuses bloom filters in
 * sleepable programs such as syscall). Results in .bss res[i]:
 *   0..3  push 11, 22, 33, 60             -> 0
 *   4     push 44 with BPF_EXIST          -> -EINVAL (-22: only BPF_ANY)
 *   5..8  peek 11, 22, 33, 60             -> 0 (present)
 *   9     peek 44                         -> -ENOENT (-2)
 *   10    peek (packet length)            -> 0 for a 60-byte packet, -2
 *                                            for 62 bytes
 * A false positive for an absent value is possible in principle; with seed
 * 0, 3 hash functions and this bitset it does not happen for 44 or 62 (the
 * 6.18 kernel returns -2 for both). Returns XDP_PASS (2).
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__uint(map_extra, 3);
	__uint(map_flags, BPF_F_ZERO_SEED);
	__type(value, u32);
} bloom SEC(".maps");

s64 res[11];

static __always_inline long push(u32 v, u64 flags)
{
	return bpf_map_push_elem(&bloom, &v, flags);
}

static __always_inline long peek(u32 v)
{
	return bpf_map_peek_elem(&bloom, &v);
}

SEC("xdp")
int bloom_ops(struct xdp_md *ctx)
{
	res[0] = push(11, BPF_ANY);
	res[1] = push(22, BPF_ANY);
	res[2] = push(33, BPF_ANY);
	res[3] = push(60, BPF_ANY);
	res[4] = push(44, BPF_EXIST);
	res[5] = peek(11);
	res[6] = peek(22);
	res[7] = peek(33);
	res[8] = peek(60);
	res[9] = peek(44);
	res[10] = peek(ctx->data_end - ctx->data);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
