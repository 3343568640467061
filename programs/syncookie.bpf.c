// SPDX-License-Identifier: GPL-2.0
/*
 * syncookie: bpf_tcp_gen_syncookie and bpf_tcp_check_syncookie as a tc SYN
 * proxy calls them, on the listener bpf_skc_lookup_tcp finds for the packet.
 *
 * Program cookie_tc, SEC("tc"), on an Ethernet + IPv4 (IHL 5) + TCP SYN
 * with a 20-byte TCP header: run n (0..7) fills results[n] with
 *   [0] found       the listener was found (1) or not (0; nothing else runs)
 *   [1] gen         bpf_tcp_gen_syncookie(sk, iph, 20, th, 20): < 0 an errno,
 *                   else the MSS (bits 32..47); the cookie (low 32 bits)
 *                   is [7] (it is keyed by a secret: not compared)
 *   [2] gen_doff    th_len 24 with doff 5: -EINVAL
 *   [3] gen_nosyn   the header without SYN: -EINVAL
 *   [4] check_ok    the ACK (seq + 1, ack_seq = cookie + 1): 0 when a
 *                   cookie was made, -ENOENT without a recent "overflow"
 *   [5] check_bad   the same with ack_seq = cookie + 5: -ENOENT
 *   [6] check_syn   the SYN itself: -ENOENT
 *   [7] cookie
 * Returns TC_ACT_OK.
 */
#include "common.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, s64[8]);
} results SEC(".maps");

u32 runs;

SEC("tc")
int cookie_tc(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct iphdr iph;
	struct tcphdr th, th2;
	struct bpf_sock *sk;
	u32 idx = runs++ & 7;
	s64 *r, gen;
	u32 cookie = 0;

	r = bpf_map_lookup_elem(&results, &idx);
	if (!r)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &iph, sizeof(iph)) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN + sizeof(iph), &th, sizeof(th)))
		return TC_ACT_OK;
	t.ipv4.saddr = iph.saddr;
	t.ipv4.daddr = iph.daddr;
	t.ipv4.sport = th.source;
	t.ipv4.dport = th.dest;
	sk = (struct bpf_sock *)bpf_skc_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	r[0] = 1;
	gen = bpf_tcp_gen_syncookie(sk, &iph, sizeof(iph), &th, sizeof(th));
	r[1] = gen < 0 ? gen : gen >> 32;
	if (gen >= 0)
		cookie = (u32)gen;
	r[7] = cookie;
	{
		struct { struct tcphdr h; u32 pad; } big = { .h = th };

		r[2] = bpf_tcp_gen_syncookie(sk, &iph, sizeof(iph), (struct tcphdr *)&big, sizeof(big));
	}
	th2 = th;
	th2.syn = 0;
	r[3] = bpf_tcp_gen_syncookie(sk, &iph, sizeof(iph), &th2, sizeof(th2));
	th2 = th;
	th2.syn = 0;
	th2.ack = 1;
	th2.seq = bpf_htonl(bpf_ntohl(th.seq) + 1);
	th2.ack_seq = bpf_htonl(cookie + 1);
	r[4] = bpf_tcp_check_syncookie(sk, &iph, sizeof(iph), &th2, sizeof(th2));
	th2.ack_seq = bpf_htonl(cookie + 5);
	r[5] = bpf_tcp_check_syncookie(sk, &iph, sizeof(iph), &th2, sizeof(th2));
	r[6] = bpf_tcp_check_syncookie(sk, &iph, sizeof(iph), &th, sizeof(th));
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
