// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_skb: BPF_PROG_TYPE_CGROUP_SKB programs for both directions.
 * A cgroup_skb program sees the packet from the network header (no
 * Ethernet header) and returns 1 to allow or 0 to drop; bit 1 of the
 * return value (egress only, return 2 or 3) asks for congestion
 * notification. Direct packet reads are allowed (data/data_end), writes are
 * not.
 *
 *   ingress_prog  SEC("cgroup_skb/ingress"): counts packets/bytes in
 *                 cg_stats[0]; drops IPv4 packets whose source is
 *                 192.168.1.66 (returns 0), allows everything else (1).
 *   egress_prog   SEC("cgroup_skb/egress"): counts in cg_stats[1]; drops
 *                 UDP to port 53 (returns 0); allows the rest (1).
 *
 * BPF_PROG_TEST_RUN treats both like a socket filter test run: the frame
 * in data_in goes through eth_type_trans, so skb->len is the frame length
 * minus 14 and data points at the IPv4 header. 60-byte frames: TCP from
 * 10.0.0.1 -> ingress 1, egress 1; UDP to port 53 -> ingress 1, egress 0;
 * from 192.168.1.66 -> ingress 0.
 */
#include "common.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>

struct cg_stat {
	u64 packets;
	u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, struct cg_stat);
} cg_stats SEC(".maps");

static __always_inline void count(u32 dir, u32 len)
{
	struct cg_stat *st = bpf_map_lookup_elem(&cg_stats, &dir);

	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, len);
	}
}

SEC("cgroup_skb/ingress")
int ingress_prog(struct __sk_buff *skb)
{
	void *data, *data_end;
	struct iphdr *ip;

	count(0, skb->len);
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 1;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	ip = data;
	if ((void *)(ip + 1) > data_end)
		return 1;
	return ip->saddr == bpf_htonl(0xc0a80142) ? 0 : 1;
}

SEC("cgroup_skb/egress")
int egress_prog(struct __sk_buff *skb)
{
	void *data, *data_end;
	struct iphdr *ip;
	struct udphdr *udp;

	count(1, skb->len);
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 1;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	ip = data;
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return 1;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return 1;
	return udp->dest == bpf_htons(53) ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
