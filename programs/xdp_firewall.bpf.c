// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_firewall: the main demo. A small XDP firewall that
 *   - parses Ethernet, IPv4 (any IHL) and IPv6 (fixed header only),
 *   - counts packets and bytes per protocol class in proto_stats
 *     (ARRAY[4]: 0 TCP, 1 UDP, 2 ICMP/ICMPv6, 3 other, incl. non-IP),
 *   - drops IPv4 packets whose source address is in blocklist (HASH,
 *     key = IPv4 address in network byte order, value = hit counter that
 *     the program increments),
 *   - drops TCP (IPv4 and IPv6) to the port in the const volatile knob
 *     blocked_tcp_port (default 22),
 *   - drops frames too short for the headers they announce,
 *   - counts drops per reason in drop_stats (ARRAY[3]: 0 blocklist,
 *     1 blocked port, 2 malformed),
 *   - with the knob monitor_only = true, counts everything but passes all.
 * Verdict: XDP_DROP (1) or XDP_PASS (2).
 *
 * User space fills blocklist; the knobs are .rodata (set before load).
 * Expected, fresh load with 192.168.1.66 in the blocklist, 60-byte frames:
 *   TCP 10.0.0.1 -> 10.0.0.2:80   PASS  proto_stats[0] {1, 60}
 *   TCP 10.0.0.1 -> 10.0.0.2:22   DROP  drop_stats[1] 1
 *   UDP 10.0.0.1 -> :53           PASS  proto_stats[1] {1, 60}
 *   ICMP echo                     PASS  proto_stats[2] {1, 60}
 *   UDP from 192.168.1.66         DROP  drop_stats[0] 1, blocklist hit 1
 *   IPv6/UDP (62 bytes)           PASS  proto_stats[1] += {1, 62}
 *   ARP                           PASS  proto_stats[3] {1, 60}
 *   UDP with IHL 15 in a 60-byte frame: DROP, drop_stats[2] 1
 * Protocol counters include dropped packets, so after these eight frames:
 * proto_stats = [{2, 120}, {4, 242}, {1, 60}, {1, 60}], drop_stats =
 * [1, 1, 1], blocklist[192.168.1.66] = 1.
 */
#include "common.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>

enum { P_TCP, P_UDP, P_ICMP, P_OTHER, P_MAX };
enum { D_BLOCKLIST, D_PORT, D_MALFORMED, D_MAX };

const volatile u16 blocked_tcp_port = 22;
const volatile bool monitor_only = false;

struct counter {
	u64 packets;
	u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, P_MAX);
	__type(key, u32);
	__type(value, struct counter);
} proto_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, D_MAX);
	__type(key, u32);
	__type(value, u64);
} drop_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __be32);
	__type(value, u64);
} blocklist SEC(".maps");

static __always_inline u32 proto_class(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return P_TCP;
	case IPPROTO_UDP:
		return P_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return P_ICMP;
	default:
		return P_OTHER;
	}
}

static __always_inline void count_proto(u32 class, u64 len)
{
	struct counter *c = bpf_map_lookup_elem(&proto_stats, &class);

	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, len);
	}
}

static __always_inline int drop(u32 reason)
{
	u64 *c = bpf_map_lookup_elem(&drop_stats, &reason);

	if (c)
		__sync_fetch_and_add(c, 1);
	return monitor_only ? XDP_PASS : XDP_DROP;
}

static __always_inline bool tcp_port_blocked(struct tcphdr *tcp, void *data_end)
{
	if ((void *)(tcp + 1) > data_end)
		return false;
	return tcp->dest == bpf_htons(blocked_tcp_port);
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	u64 len = data_end - data;
	struct ethhdr *eth = data;
	u64 *hits;

	if ((void *)(eth + 1) > data_end) {
		count_proto(P_OTHER, len);
		return drop(D_MALFORMED);
	}

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		u32 ihl;

		if ((void *)(ip + 1) > data_end) {
			count_proto(P_OTHER, len);
			return drop(D_MALFORMED);
		}
		count_proto(proto_class(ip->protocol), len);
		ihl = ip->ihl * 4;
		if (ihl < sizeof(*ip) || (void *)ip + ihl > data_end)
			return drop(D_MALFORMED);

		hits = bpf_map_lookup_elem(&blocklist, &ip->saddr);
		if (hits) {
			__sync_fetch_and_add(hits, 1);
			return drop(D_BLOCKLIST);
		}
		if (ip->protocol == IPPROTO_TCP &&
		    tcp_port_blocked((void *)ip + (ihl & 0x3c), data_end))
			return drop(D_PORT);
		return XDP_PASS;
	}

	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end) {
			count_proto(P_OTHER, len);
			return drop(D_MALFORMED);
		}
		count_proto(proto_class(ip6->nexthdr), len);
		if (ip6->nexthdr == IPPROTO_TCP && tcp_port_blocked((void *)(ip6 + 1), data_end))
			return drop(D_PORT);
		return XDP_PASS;
	}

	count_proto(P_OTHER, len);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
