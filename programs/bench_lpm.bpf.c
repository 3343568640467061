// SPDX-License-Identifier: GPL-2.0
/*
 * bench_lpm: LPM_TRIE lookups on the packet's IPv4 source address, the
 * routing-table-style benchmark.
 *
 *   routes  LPM_TRIE (BPF_F_NO_PREALLOC), key {u32 prefixlen; u8 addr[4]},
 *           value u32 route id, max_entries 1024
 *
 * Programs, SEC("xdp"):
 *   lpm_populate  inserts 0.0.0.0/0 -> 1, 10.0.0.0/8 -> 2, and for
 *                 i = 0..255: 10.i.0.0/16 -> 1000 + i and 10.i.i.0/24 ->
 *                 2000 + i (514 prefixes); returns XDP_PASS. Run it once.
 *   lpm_lookup    looks up the IPv4 source address (/32) and counts the
 *                 matched route id's class in route_hits (.bss): [0] no
 *                 match, [1] default, [2] /8, [3] /16, [4] /24;
 *                 last_route = the id (0 when nothing matches). Non-IPv4
 *                 frames count as [0] and leave last_route alone.
 *                 Returns XDP_PASS.
 * After lpm_populate: source 10.0.0.1 -> route 2000 (10.0.0.0/24), class 4;
 * 10.1.2.3 -> 1001 (/16), class 3; 192.168.1.66 -> 1 (default), class 1.
 */
#include "common.h"
#include <linux/if_ether.h>
#include <linux/ip.h>

struct route_key {
	u32 prefixlen;
	u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct route_key);
	__type(value, u32);
} routes SEC(".maps");

u64 route_hits[5];
u32 last_route;

static int add_route(u32 index, void *ctx)
{
	struct route_key k = { .prefixlen = 16, .addr = { 10, index & 0xff, 0, 0 } };
	u32 id = 1000 + index;

	bpf_map_update_elem(&routes, &k, &id, BPF_ANY);
	k.prefixlen = 24;
	k.addr[2] = index & 0xff;
	id = 2000 + index;
	bpf_map_update_elem(&routes, &k, &id, BPF_ANY);
	return 0;
}

SEC("xdp")
int lpm_populate(struct xdp_md *ctx)
{
	struct route_key k = { .prefixlen = 0 };
	u32 id = 1;

	bpf_map_update_elem(&routes, &k, &id, BPF_ANY);
	k.prefixlen = 8;
	k.addr[0] = 10;
	id = 2;
	bpf_map_update_elem(&routes, &k, &id, BPF_ANY);
	bpf_loop(256, add_route, NULL, 0);
	return XDP_PASS;
}

SEC("xdp")
int lpm_lookup(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct route_key k = { .prefixlen = 32 };
	u32 *id, class;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP)) {
		route_hits[0]++;
		return XDP_PASS;
	}
	__builtin_memcpy(k.addr, &ip->saddr, 4);
	id = bpf_map_lookup_elem(&routes, &k);
	if (!id) {
		route_hits[0]++;
		last_route = 0;
		return XDP_PASS;
	}
	last_route = *id;
	if (*id >= 2000)
		class = 4;
	else if (*id >= 1000)
		class = 3;
	else if (*id == 2)
		class = 2;
	else
		class = 1;
	route_hits[class]++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
