// SPDX-License-Identifier: GPL-2.0
/*
 * maps_for_each: bpf_for_each_map_elem (helper 164) over an ARRAY and a
 * HASH, with callbacks that read, modify, stop early and delete.
 *
 * The callback is `long cb(struct bpf_map *map, const void *key, void
 * *value, void *ctx)`, passed like a bpf_loop callback (ld_imm64 against
 * .text + byte offset -> BPF_PSEUDO_FUNC). It returns 0 to continue and 1
 * to stop; the helper returns the number of elements visited (including
 * the one that stopped it).
 *
 * Program for_each_prog, SEC("syscall"), ctx struct fe_args:
 *   arr[i] = 10 * i for i < 8, hash = {1: 100, 2: 200, ..., 5: 500}
 *   arr_visits  = for_each(arr, sum_and_double)   -> 8
 *   arr_sum     = 0 + 10 + ... + 70                -> 280 (values doubled)
 *   stop_visits = for_each(arr, stop_at_key_3)     -> 4 (keys 0..3)
 *   stop_sum    = 0 + 20 + 40 + 60                 -> 120
 *   hash_visits = for_each(hash, sum_delete_3)     -> 5
 *   hash_sum    = 1500 (deleting key 3 from its own callback is allowed
 *                 for hash maps)
 *   hash_after  = for_each(hash, count_only)       -> 4
 *   bad_flags   = for_each(arr, .., flags 1)       -> -EINVAL (-22)
 * Hash visit order is the kernel's bucket order; only order-independent
 * results are recorded. Returns 0.
 */
#include "common.h"

struct bpf_map;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} hash SEC(".maps");

struct fe_args {
	s64 arr_visits;
	u64 arr_sum;
	s64 stop_visits;
	u64 stop_sum;
	s64 hash_visits;
	u64 hash_sum;
	s64 hash_after;
	s64 bad_flags;
};

struct acc {
	u64 sum;
};

static long sum_and_double(struct bpf_map *map, const u32 *key, u64 *val, struct acc *acc)
{
	acc->sum += *val;
	*val *= 2;
	return 0;
}

static long stop_at_key_3(struct bpf_map *map, const u32 *key, u64 *val, struct acc *acc)
{
	acc->sum += *val;
	return *key == 3 ? 1 : 0;
}

static long sum_delete_3(struct bpf_map *map, const u32 *key, u64 *val, struct acc *acc)
{
	acc->sum += *val;
	if (*key == 3)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long count_only(struct bpf_map *map, const u32 *key, u64 *val, struct acc *acc)
{
	return 0;
}

SEC("syscall")
int for_each_prog(struct fe_args *args)
{
	struct acc acc;
	u32 k;
	u64 v;
	int i;

#pragma unroll
	for (i = 0; i < 8; i++) {
		k = i;
		v = 10 * i;
		bpf_map_update_elem(&arr, &k, &v, BPF_ANY);
	}
#pragma unroll
	for (i = 1; i <= 5; i++) {
		k = i;
		v = 100 * i;
		bpf_map_update_elem(&hash, &k, &v, BPF_ANY);
	}

	acc.sum = 0;
	args->arr_visits = bpf_for_each_map_elem(&arr, sum_and_double, &acc, 0);
	args->arr_sum = acc.sum;
	acc.sum = 0;
	args->stop_visits = bpf_for_each_map_elem(&arr, stop_at_key_3, &acc, 0);
	args->stop_sum = acc.sum;
	acc.sum = 0;
	args->hash_visits = bpf_for_each_map_elem(&hash, sum_delete_3, &acc, 0);
	args->hash_sum = acc.sum;
	args->hash_after = bpf_for_each_map_elem(&hash, count_only, &acc, 0);
	args->bad_flags = bpf_for_each_map_elem(&arr, count_only, &acc, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
