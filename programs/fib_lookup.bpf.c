// SPDX-License-Identifier: GPL-2.0
/*
 * fib_lookup: bpf_fib_lookup as an XDP or tc forwarder calls it, with the
 * addresses taken from the packet and the rest from a per-run query.
 *
 * Programs fib_xdp (SEC("xdp")) and fib_tc (SEC("tc")) do the same: run n
 * (0..15, counted in `runs`) reads query[n] = { ifindex, flags, plen,
 * tot_len, tbid }, fills struct bpf_fib_lookup from the Ethernet + IPv4 or
 * IPv6 header (family, l4_protocol, tos/flowinfo, source and destination),
 * sets ifindex and tot_len (0 = none; the tc flavour then checks the
 * packet against the egress device) and, with BPF_FIB_LOOKUP_TBID, tbid,
 * and calls bpf_fib_lookup(ctx, &params, plen ? 32 : sizeof(params),
 * flags). results[n] gets the return value and the whole struct after
 * the call. A query's `family` other than 0 replaces the packet's (for
 * the -EAFNOSUPPORT case). Both return XDP_PASS / TC_ACT_OK.
 */
#include "common.h"
#include <stddef.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>

struct query {
	u32 ifindex;
	u32 flags;
	u32 short_plen;
	u32 tot_len;
	u32 tbid;
	u32 family;
};

struct result {
	s64 rc;
	u8 params[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct query);
} query SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct result);
} results SEC(".maps");

u32 runs;

static __always_inline int fill(struct bpf_fib_lookup *p, void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return -1;
		p->family = 2;
		p->l4_protocol = ip->protocol;
		p->tos = ip->tos;
		p->ipv4_src = ip->saddr;
		p->ipv4_dst = ip->daddr;
		return 0;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		p->family = 10;
		p->l4_protocol = ip6->nexthdr;
		p->flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		__builtin_memcpy(p->ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(p->ipv6_dst, &ip6->daddr, 16);
		return 0;
	}
	return -1;
}

static __always_inline void lookup(void *ctx, void *data, void *data_end)
{
	struct bpf_fib_lookup p = {};
	struct result *r;
	struct query *q;
	u32 idx = runs++ & 15;

	q = bpf_map_lookup_elem(&query, &idx);
	r = bpf_map_lookup_elem(&results, &idx);
	if (!q || !r)
		return;
	if (fill(&p, data, data_end))
		return;
	if (q->family)
		p.family = q->family;
	p.ifindex = q->ifindex;
	p.tot_len = q->tot_len;
	if (q->flags & BPF_FIB_LOOKUP_TBID)
		p.tbid = q->tbid;
	if (q->short_plen)
		r->rc = bpf_fib_lookup(ctx, &p, 32, q->flags);
	else
		r->rc = bpf_fib_lookup(ctx, &p, sizeof(p), q->flags);
	__builtin_memcpy(r->params, &p, sizeof(p));
}

SEC("xdp")
int fib_xdp(struct xdp_md *ctx)
{
	lookup(ctx, (void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return XDP_PASS;
}

SEC("tc")
int fib_tc(struct __sk_buff *skb)
{
	lookup(skb, (void *)(long)skb->data, (void *)(long)skb->data_end);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
