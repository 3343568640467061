// SPDX-License-Identifier: GPL-2.0
/*
 * libbpf_parity: map declarations libbpf creates differently from what
 * their BTF says, as a widely used XDP load balancer declares them.
 *
 *   lru_mapping  ARRAY_OF_MAPS[2] declared with __type(key, u32) and
 *                __type(value, u32) and an inner template: libbpf creates
 *                map-in-map types without BTF key/value ids (the kernel
 *                refuses them there)
 *   events       PERF_EVENT_ARRAY without max_entries: libbpf sizes it to
 *                the number of possible CPUs
 *   pending      QUEUE[4] of u32 declared with __type(value, u32): created
 *                without BTF ids too
 *
 * Program parity_prog, SEC("xdp"): pushes the packet length to `pending`,
 * looks up lru_mapping[0] (NULL: nothing is installed), outputs the length
 * to `events` (no perf event is installed: -ENOENT) and returns XDP_PASS
 * when all three behave as described, XDP_DROP otherwise.
 */
#include "common.h"

struct inner_lru {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u32);
	__array(values, struct inner_lru);
} lru_mapping SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, u32);
} pending SEC(".maps");

SEC("xdp")
int parity_prog(struct xdp_md *ctx)
{
	u32 key = 0;
	u32 len = ctx->data_end - ctx->data;

	if (bpf_map_push_elem(&pending, &len, 0) != 0)
		return XDP_DROP;
	if (bpf_map_lookup_elem(&lru_mapping, &key) != NULL)
		return XDP_DROP;
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &len, sizeof(len)) != -2)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
