// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_maps: BTF-defined HASH, ARRAY and PERCPU_ARRAY maps used from one XDP
 * program that parses Ethernet, IPv4 and IPv6 headers.
 *
 * Per packet:
 *   pkt_count (ARRAY[1])        slot 0 += 1
 *   cpu_bytes (PERCPU_ARRAY[1]) slot 0 += packet length (this CPU's copy)
 *   proto_stats (HASH)          key = L4 protocol number (IPv4 protocol or
 *                               IPv6 next header), value {packets, bytes}
 * Verdict: IPv6 -> XDP_DROP (1); IPv4 -> XDP_PASS (2); anything else,
 * including truncated headers -> XDP_PASS.
 */
#include "common.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

struct proto_stat {
	u64 packets;
	u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} pkt_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct proto_stat);
} proto_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} cpu_bytes SEC(".maps");

static void account(u32 proto, u64 len)
{
	struct proto_stat *st, init = { .packets = 1, .bytes = len };

	st = bpf_map_lookup_elem(&proto_stats, &proto);
	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, len);
	} else {
		bpf_map_update_elem(&proto_stats, &proto, &init, BPF_NOEXIST);
	}
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	u64 len = data_end - data;
	struct ethhdr *eth = data;
	u32 zero = 0;
	u64 *val;

	val = bpf_map_lookup_elem(&pkt_count, &zero);
	if (val)
		__sync_fetch_and_add(val, 1);
	val = bpf_map_lookup_elem(&cpu_bytes, &zero);
	if (val)
		*val += len;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		account(ip->protocol, len);
		return XDP_PASS;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		account(ip6->nexthdr, len);
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
