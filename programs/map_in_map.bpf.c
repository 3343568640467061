// SPDX-License-Identifier: GPL-2.0
/*
 * map_in_map: ARRAY_OF_MAPS and HASH_OF_MAPS with __array(values, ...)
 * inner-map definitions.
 *
 *   outer_arr    ARRAY_OF_MAPS[2], inner template struct inner_array,
 *                statically initialised: [0] = inner_a, [1] = inner_b
 *   outer_hash   HASH_OF_MAPS[4], inner template struct inner_hash,
 *                statically initialised: key 5 = inner_h
 *   outer_inline ARRAY_OF_MAPS[1] whose inner template is an anonymous
 *                struct written inline (libbpf creates the template map
 *                only to create the outer map); left empty
 *
 * ELF shape: the static initialisers are R_BPF_64_ABS64 relocations in
 * .rel.maps at (outer + 32 + 8 * index) against the inner maps' OBJECT
 * symbols (libbpf bpf_object__collect_map_relos); the index is the key.
 *
 * Program mim_prog, SEC("xdp"), per packet:
 *   inner_a[0] += 1 via outer_arr[0]; inner_b[1] += packet length via
 *   outer_arr[1]; inner_h[0x11] += 1 via outer_hash[5];
 *   lookups of outer_hash[7] and outer_inline[0] (empty) count misses += 2.
 * Returns XDP_PASS. After one 60-byte packet: inner_a[0] 1, inner_b[1] 60,
 * inner_h{17: 1}, misses 2.
 */
#include "common.h"

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} inner_h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, u32);
	__array(values, struct inner_array);
} outer_arr SEC(".maps") = {
	.values = { [0] = &inner_a, [1] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, u32);
	__array(values, struct inner_hash);
} outer_hash SEC(".maps") = {
	.values = { [5] = &inner_h },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		__uint(max_entries, 1);
		__type(key, u32);
		__type(value, u64);
	});
} outer_inline SEC(".maps");

u64 misses;

static void add(void *outer, u32 outer_key, u32 inner_key, u64 delta)
{
	void *inner = bpf_map_lookup_elem(outer, &outer_key);
	u64 *val;

	if (!inner) {
		misses++;
		return;
	}
	val = bpf_map_lookup_elem(inner, &inner_key);
	if (val) {
		*val += delta;
		return;
	}
	bpf_map_update_elem(inner, &inner_key, &delta, BPF_NOEXIST);
}

SEC("xdp")
int mim_prog(struct xdp_md *ctx)
{
	u64 len = ctx->data_end - ctx->data;

	add(&outer_arr, 0, 0, 1);
	add(&outer_arr, 1, 1, len);
	add(&outer_hash, 5, 0x11, 1);
	add(&outer_hash, 7, 0, 1);
	add(&outer_inline, 0, 0, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
