// SPDX-License-Identifier: GPL-2.0
/*
 * sock_lookup: socket lookups from tc the way a tc load balancer or
 * firewall does them, with the tuple taken from the packet:
 *   bpf_sk_lookup_tcp / bpf_sk_lookup_udp   full sockets (a request socket
 *                                           gives its listener, TIME_WAIT
 *                                           gives NULL)
 *   bpf_skc_lookup_tcp                      any socket, sock_common fields
 *   bpf_tcp_sock, bpf_sk_fullsock, bpf_get_listener_sock on the result
 *   bpf_sk_release                          every reference dropped
 *
 * Program lookup_prog, SEC("tc") (lookup_xdp, SEC("xdp"), the same with the
 * XDP flavours of the lookups and direct packet access, without bpf_tcp_sock,
 * bpf_sk_fullsock and bpf_get_listener_sock, which XDP may not call):
 * Ethernet + IPv4 or IPv6 + TCP or UDP
 * (no IPv4 options, no IPv6 extension headers); the tuple is (source addr,
 * source port) -> (destination addr, destination port) of the packet, in
 * the caller's network namespace (BPF_F_CURRENT_NETNS). Each run fills
 * results[n] (n = the run's number, 0..7) with what the lookups found, and
 * returns TC_ACT_OK (0). For TCP packets it also tries three lookups the
 * kernel answers with NULL whatever sockets exist: a 13-byte tuple, flags
 * 1, and netns id 0x100000000 (above S32_MAX); each NULL adds one to
 * null_checks (3 per TCP run).
 */
#include "common.h"
#include <stddef.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>

struct sock_view {
	u32 found;
	u32 family;
	u32 type;
	u32 protocol;
	u32 state;
	u32 src_port;
	u32 dst_port;
	u32 src_ip4;
	u32 dst_ip4;
	u32 src_ip6_3;
	u32 bound_dev_if;
	u32 mark;
	u32 priority;
	s32 rx_queue_mapping;
};

struct result {
	struct sock_view sk;	/* bpf_sk_lookup_{tcp,udp} */
	struct sock_view skc;	/* bpf_skc_lookup_tcp (sock_common fields only) */
	u32 fullsock;		/* bpf_sk_fullsock(sk) != NULL */
	u32 listener;		/* bpf_get_listener_sock(sk) != NULL */
	u32 has_tcp;		/* bpf_tcp_sock(sk) != NULL */
	u32 snd_cwnd;
	u32 snd_ssthresh;
	u32 mss_cache;
	u32 rtt_min;
	u32 packets_out;
	u32 total_retrans;
	u32 pad;
	u64 bytes_received;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, struct result);
} results SEC(".maps");

u32 runs;
u32 null_checks;

static __always_inline void common_fields(struct sock_view *v, struct bpf_sock *sk)
{
	v->found = 1;
	v->family = sk->family;
	v->state = sk->state;
	v->src_port = sk->src_port;
	v->dst_port = sk->dst_port;
	v->src_ip4 = sk->src_ip4;
	v->dst_ip4 = sk->dst_ip4;
	v->src_ip6_3 = sk->src_ip6[3];
	v->bound_dev_if = sk->bound_dev_if;
}

/* The lookups of one run on `t` (its `size`), results into r. */
static __always_inline void lookups(void *ctx, struct bpf_sock_tuple *t, u32 size, u8 ipproto, struct result *r, bool tc)
{
	struct bpf_sock *sk, *skc, *l;
	struct bpf_tcp_sock *tp;

	if (ipproto == IPPROTO_TCP)
		sk = bpf_sk_lookup_tcp(ctx, t, size, BPF_F_CURRENT_NETNS, 0);
	else if (ipproto == IPPROTO_UDP)
		sk = bpf_sk_lookup_udp(ctx, t, size, BPF_F_CURRENT_NETNS, 0);
	else
		return;

	if (sk) {
		common_fields(&r->sk, sk);
		r->sk.type = sk->type;
		r->sk.protocol = sk->protocol;
		r->sk.mark = sk->mark;
		r->sk.priority = sk->priority;
		r->sk.rx_queue_mapping = sk->rx_queue_mapping;
		if (tc) {
			r->fullsock = bpf_sk_fullsock(sk) != NULL;
			l = bpf_get_listener_sock(sk);
			r->listener = l != NULL;
			tp = bpf_tcp_sock(sk);
			if (tp) {
				r->has_tcp = 1;
				r->snd_cwnd = tp->snd_cwnd;
				r->snd_ssthresh = tp->snd_ssthresh;
				r->mss_cache = tp->mss_cache;
				r->rtt_min = tp->rtt_min;
				r->packets_out = tp->packets_out;
				r->total_retrans = tp->total_retrans;
				r->bytes_received = tp->bytes_received;
			}
		}
		bpf_sk_release(sk);
	}

	if (ipproto != IPPROTO_TCP)
		return;

	skc = bpf_skc_lookup_tcp(ctx, t, size, BPF_F_CURRENT_NETNS, 0);
	if (skc) {
		common_fields(&r->skc, skc);
		bpf_sk_release(skc);
	}

	sk = bpf_sk_lookup_tcp(ctx, t, 13, BPF_F_CURRENT_NETNS, 0);
	if (sk)
		bpf_sk_release(sk);
	else
		null_checks++;
	sk = bpf_sk_lookup_tcp(ctx, t, size, BPF_F_CURRENT_NETNS, 1);
	if (sk)
		bpf_sk_release(sk);
	else
		null_checks++;
	sk = bpf_sk_lookup_tcp(ctx, t, size, 0x100000000ULL, 0);
	if (sk)
		bpf_sk_release(sk);
	else
		null_checks++;
	return;
}

SEC("tc")
int lookup_prog(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct result *r;
	u32 idx = runs++ & 7, size, l4;
	u16 proto = bpf_ntohs(skb->protocol);
	u8 ipproto;

	r = bpf_map_lookup_elem(&results, &idx);
	if (!r)
		return TC_ACT_OK;
	if (proto == ETH_P_IP) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
			return TC_ACT_OK;
		t.ipv4.saddr = ip.saddr;
		t.ipv4.daddr = ip.daddr;
		ipproto = ip.protocol;
		l4 = ETH_HLEN + sizeof(ip);
		if (bpf_skb_load_bytes(skb, l4, &t.ipv4.sport, 4))
			return TC_ACT_OK;
		size = sizeof(t.ipv4);
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)))
			return TC_ACT_OK;
		__builtin_memcpy(t.ipv6.saddr, &ip6.saddr, 16);
		__builtin_memcpy(t.ipv6.daddr, &ip6.daddr, 16);
		ipproto = ip6.nexthdr;
		l4 = ETH_HLEN + sizeof(ip6);
		if (bpf_skb_load_bytes(skb, l4, &t.ipv6.sport, 4))
			return TC_ACT_OK;
		size = sizeof(t.ipv6);
	} else {
		return TC_ACT_OK;
	}

	lookups(skb, &t, size, ipproto, r, true);
	return TC_ACT_OK;
}

SEC("xdp")
int lookup_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct bpf_sock_tuple t = {};
	struct ethhdr *eth = data;
	struct result *r;
	u32 idx = runs++ & 7;

	r = bpf_map_lookup_elem(&results, &idx);
	if (!r || (void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		__be16 *ports = (void *)(ip + 1);

		if ((void *)(ports + 2) > end)
			return XDP_PASS;
		t.ipv4.saddr = ip->saddr;
		t.ipv4.daddr = ip->daddr;
		t.ipv4.sport = ports[0];
		t.ipv4.dport = ports[1];
		lookups(ctx, &t, sizeof(t.ipv4), ip->protocol, r, false);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		__be16 *ports = (void *)(ip6 + 1);

		if ((void *)(ports + 2) > end)
			return XDP_PASS;
		__builtin_memcpy(t.ipv6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(t.ipv6.daddr, &ip6->daddr, 16);
		t.ipv6.sport = ports[0];
		t.ipv6.dport = ports[1];
		lookups(ctx, &t, sizeof(t.ipv6), ip6->nexthdr, r, false);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
