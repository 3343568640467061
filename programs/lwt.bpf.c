// SPDX-License-Identifier: GPL-2.0
/*
 * lwt: the lightweight-tunnel program types (BPF_PROG_TYPE_LWT_IN, LWT_OUT,
 * LWT_XMIT), attached to a route; they see the packet from its network
 * header. Return codes: BPF_OK (0), BPF_DROP (2), BPF_REDIRECT (7).
 *
 *   lwt_in_filter   SEC("lwt_in"): drops IPv4 TCP to port 23 (telnet);
 *                   counts packets in lwt_stats[0] and bytes (skb->len) in
 *                   lwt_stats[1], drops in lwt_stats[2].
 *   lwt_out_mark    SEC("lwt_out"): writes priority 5 and cb[0] = the IPv4
 *                   TTL; counts in lwt_stats[3]; BPF_OK.
 *   lwt_xmit_ttl    SEC("lwt_xmit"): decrements the IPv4 TTL in place (lwt_xmit
 *                   may write the packet) and fixes the header checksum
 *                   (RFC 1624 incremental update); drops a TTL of 0 or 1;
 *                   counts in lwt_stats[4].
 */
#include "common.h"
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} lwt_stats SEC(".maps");

static __always_inline void add(u32 i, u64 n)
{
	u64 *v = bpf_map_lookup_elem(&lwt_stats, &i);

	if (v)
		__sync_fetch_and_add(v, n);
}

SEC("lwt_in")
int lwt_in_filter(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	struct tcphdr *tcp;

	add(0, 1);
	add(1, skb->len);
	if ((void *)(ip + 1) > end || ip->version != 4 || ip->protocol != IPPROTO_TCP)
		return BPF_OK;
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > end)
		return BPF_OK;
	if (tcp->dest == bpf_htons(23)) {
		add(2, 1);
		return BPF_DROP;
	}
	return BPF_OK;
}

SEC("lwt_out")
int lwt_out_mark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;

	add(3, 1);
	skb->priority = 5;
	if ((void *)(ip + 1) <= end && ip->version == 4)
		skb->cb[0] = ip->ttl;
	return BPF_OK;
}

SEC("lwt_xmit")
int lwt_xmit_ttl(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	u32 sum;

	add(4, 1);
	if ((void *)(ip + 1) > end || ip->version != 4)
		return BPF_OK;
	if (ip->ttl <= 1)
		return BPF_DROP;
	/* RFC 1624: HC' = ~(~HC + ~m + m') with m the TTL/protocol word */
	sum = (u16)~bpf_ntohs(ip->check) + (u16)~(ip->ttl << 8) + (u16)((ip->ttl - 1) << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->ttl--;
	ip->check = bpf_htons(~sum & 0xffff);
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
