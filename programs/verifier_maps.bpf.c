// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_maps: map values and global data for the verifier corpus
 * (test/verifier/corpus/c.ts). Each program is loaded on its own (XDP).
 *
 *   counter_ok             hash lookup, null check, atomic add; on a miss
 *                          insert 1 (accepted)
 *   counter_no_null_check  the same without the null check (refused)
 *   slot_in_range          value->slots[idx & 3] of a 4-slot value
 *                          (accepted)
 *   slot_out_of_range      value->slots[idx & 7] of a 4-slot value: the
 *                          variable offset may reach past the value
 *                          (refused)
 *   knob_rodata_prune      if (knob) { deref an unchecked lookup }: knob is
 *                          a const volatile in .rodata, frozen by libbpf,
 *                          so the verifier reads 0 and never walks the
 *                          branch (accepted)
 *   knob_data_explored     the same with a writable .data knob: its value is
 *                          unknown, the branch is walked (refused)
 *   bss_counter            an atomic add on a .bss global (accepted)
 *   bss_array_out_of_range a .bss u32[4] indexed with idx & 7 (refused)
 *
 * idx is ctx->rx_queue_index, unknown at load time.
 */
#include "common.h"

struct slots {
	u64 slot[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct slots);
} slot_map SEC(".maps");

const volatile u32 knob = 0;
u32 knob_rw = 7;
u64 hits;
u32 bss_arr[4];

SEC("xdp")
int counter_ok(struct xdp_md *ctx)
{
	u32 key = ctx->ingress_ifindex;
	u64 *v = bpf_map_lookup_elem(&counts, &key);

	if (!v) {
		u64 one = 1;

		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
		return XDP_PASS;
	}
	__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

SEC("xdp")
int counter_no_null_check(struct xdp_md *ctx)
{
	u32 key = ctx->ingress_ifindex;
	u64 *v = bpf_map_lookup_elem(&counts, &key);

	__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

SEC("xdp")
int slot_in_range(struct xdp_md *ctx)
{
	u32 key = 0;
	struct slots *v = bpf_map_lookup_elem(&slot_map, &key);

	if (!v)
		return XDP_PASS;
	v->slot[ctx->rx_queue_index & 3] += 1;
	return XDP_PASS;
}

SEC("xdp")
int slot_out_of_range(struct xdp_md *ctx)
{
	u32 key = 0;
	struct slots *v = bpf_map_lookup_elem(&slot_map, &key);

	if (!v)
		return XDP_PASS;
	v->slot[ctx->rx_queue_index & 7] += 1;
	return XDP_PASS;
}

SEC("xdp")
int knob_rodata_prune(struct xdp_md *ctx)
{
	u32 key = ctx->ingress_ifindex;

	if (knob) {
		u64 *v = bpf_map_lookup_elem(&counts, &key);

		return *v ? XDP_DROP : XDP_PASS;
	}
	return XDP_PASS;
}

SEC("xdp")
int knob_data_explored(struct xdp_md *ctx)
{
	u32 key = ctx->ingress_ifindex;

	if (knob_rw != 7) {
		u64 *v = bpf_map_lookup_elem(&counts, &key);

		return *v ? XDP_DROP : XDP_PASS;
	}
	return XDP_PASS;
}

SEC("xdp")
int bss_counter(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return XDP_PASS;
}

SEC("xdp")
int bss_array_out_of_range(struct xdp_md *ctx)
{
	bss_arr[ctx->rx_queue_index & 7] += 1;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
