// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_xdp_parse: XDP packet parsing for the verifier corpus
 * (test/verifier/corpus/c.ts). Each program is loaded on its own; the
 * goldens record whether the 6.18 verifier accepts it. Pairs differ in one
 * bounds check:
 *
 *   udp_checked          eth -> ipv4 -> udp with every header checked
 *                        against data_end; drops UDP to port 53 (accepted)
 *   udp_unchecked        the same without the udp + 1 > data_end check: the
 *                        read of udp->dest is past the proven 34 bytes
 *                        (refused; the motivating "false green" example)
 *   udp_ihl_checked      the udp header found at ip + ihl * 4 (a variable
 *                        offset), checked after the addition (accepted)
 *   eth_off_by_one       checks data + 13 instead of data + 14, then reads
 *                        h_proto (bytes 12..13): refused
 *   pkt_sum_loop         a bounded loop summing up to 64 packet bytes, each
 *                        byte checked before it is read (accepted)
 *   pkt_sum_loop_short   a loop reading 16 bytes after one 8-byte check
 *                        (refused)
 *   adjust_head_stale    reads eth->h_proto through a pointer taken before
 *                        bpf_xdp_adjust_head (refused: the helper
 *                        invalidates packet pointers)
 *   adjust_head_reload   reloads data/data_end after the helper and checks
 *                        again (accepted)
 */
#include "common.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>

SEC("xdp")
int udp_checked(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	return udp->dest == bpf_htons(53) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int udp_unchecked(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	/* missing: if ((void *)(udp + 1) > data_end) return XDP_PASS; */
	return udp->dest == bpf_htons(53) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int udp_ihl_checked(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	return udp->dest == bpf_htons(53) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int eth_off_by_one(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if (data + sizeof(*eth) - 1 > data_end)
		return XDP_PASS;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int pkt_sum_loop(struct xdp_md *ctx)
{
	u8 *data = (void *)(long)ctx->data;
	u8 *data_end = (void *)(long)ctx->data_end;
	u32 sum = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 64; i++) {
		u8 *p = data + i;

		if (p + 1 > data_end)
			break;
		sum += *p;
	}
	return sum & 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int pkt_sum_loop_short(struct xdp_md *ctx)
{
	u8 *data = (void *)(long)ctx->data;
	u8 *data_end = (void *)(long)ctx->data_end;
	u32 sum = 0;

	if (data + 8 > data_end)
		return XDP_PASS;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++)
		sum += data[i];
	return sum & 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int adjust_head_stale(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, 0))
		return XDP_PASS;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int adjust_head_reload(struct xdp_md *ctx)
{
	void *data, *data_end;
	struct ethhdr *eth;

	if (bpf_xdp_adjust_head(ctx, 0))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
