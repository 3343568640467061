// SPDX-License-Identifier: GPL-2.0
/*
 * bench_calls: an XDP packet path split into several bpf-to-bpf calls per
 * packet (call/exit overhead, frame switching, argument passing), with
 * noinline static subprograms and one global subprogram.
 *
 * Per packet, xdp_calls calls: parse_eth -> parse_l3 (-> hash_tuple for
 * IPv4) -> classify (global, verified separately) -> account. That is 4
 * or 5 calls depending on the packet.
 *   parse_eth   returns the EtherType (host order) or 0 if truncated
 *   parse_l3    IPv4: fills struct flow {saddr, daddr, proto} and returns
 *               1; else 0
 *   hash_tuple  a jhash-style mix of the flow, stored in flow.hash
 *   classify    global: 0 TCP, 1 UDP, 2 ICMP, 3 other (from proto)
 *   account     class_count[class] += 1 (.bss array), last_hash = hash
 * Returns XDP_PASS (2), or XDP_DROP (1) for frames shorter than 14 bytes
 * (which BPF_PROG_TEST_RUN refuses anyway). For the 60-byte TCP frame
 * 10.0.0.1 -> 10.0.0.2: class_count[0] += 1, last_hash 0xeae98eb5
 * (addresses are mixed as the little-endian u32 loads of their
 * network-order bytes); for ARP: class_count[3] += 1, last_hash 0.
 */
#include "common.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>

struct flow {
	u32 saddr;
	u32 daddr;
	u32 proto;
	u32 hash;
};

u64 class_count[4];
u32 last_hash;

static __noinline u32 parse_eth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return 0;
	return bpf_ntohs(eth->h_proto);
}

static __noinline u32 rol32(u32 w, u32 s)
{
	return (w << (s & 31)) | (w >> ((32 - s) & 31));
}

static __noinline void hash_tuple(struct flow *f)
{
	u32 a = f->saddr, b = f->daddr, c = f->proto + 0xdeadbeef;

	c ^= b;
	c -= rol32(b, 14);
	a ^= c;
	a -= rol32(c, 11);
	b ^= a;
	b -= rol32(a, 25);
	c ^= b;
	c -= rol32(b, 16);
	f->hash = c;
}

static __noinline int parse_l3(struct xdp_md *ctx, u32 ethertype, struct flow *f)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if (ethertype != ETH_P_IP || (void *)(ip + 1) > data_end)
		return 0;
	f->saddr = ip->saddr;
	f->daddr = ip->daddr;
	f->proto = ip->protocol;
	hash_tuple(f);
	return 1;
}

__noinline int classify(u32 proto)
{
	if (proto == IPPROTO_TCP)
		return 0;
	if (proto == IPPROTO_UDP)
		return 1;
	if (proto == IPPROTO_ICMP)
		return 2;
	return 3;
}

static __noinline void account(u32 class, u32 hash)
{
	class_count[class & 3]++;
	last_hash = hash;
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	struct flow f = {};
	u32 ethertype;

	ethertype = parse_eth(ctx);
	if (!ethertype)
		return XDP_DROP;
	if (!parse_l3(ctx, ethertype, &f))
		f.proto = 255;
	account(classify(f.proto), f.hash);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
