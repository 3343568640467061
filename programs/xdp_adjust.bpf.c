// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_adjust: bpf_xdp_adjust_head, bpf_xdp_adjust_tail and
 * bpf_xdp_adjust_meta. Each program is run on its own; all are in
 * section "xdp". After any adjust call the verifier forgets packet bounds,
 * so data/data_end are reloaded from ctx.
 *
 * BPF_PROG_TEST_RUN gives XDP programs XDP_PACKET_HEADROOM (256) bytes of
 * headroom and copies back data_meta..data_end (metadata included) as
 * data_out (net/bpf/test_run.c). The returned values are in .bss res[].
 *
 *   xdp_encap  adjust_head(-14): prepend a copy of the Ethernet header with
 *              EtherType 0x88b5 (IEEE local experimental) and the original
 *              MACs swapped; data_out = 14 new bytes + the original packet.
 *              res[0] = 0. Returns XDP_TX (3).
 *   xdp_decap  adjust_head(+14): strip the Ethernet header; data_out = the
 *              packet without its first 14 bytes. res[1] = 0; then
 *              adjust_head(-1000) (more than the headroom) -> res[2] =
 *              -EINVAL (-22), packet unchanged. Returns XDP_PASS (2).
 *   xdp_trim   adjust_tail(-4): drop the last 4 bytes (res[3] = 0);
 *              adjust_tail(-10000) -> res[4] = -EINVAL. Returns XDP_PASS.
 *   xdp_grow   adjust_tail(+16): 16 new bytes at the end, which the
 *              program fills with 0xab (res[5] = 0); the kernel zeroes
 *              grown tail bytes before the program sees them. Returns
 *              XDP_PASS.
 *   xdp_meta   adjust_meta(-8): 8 bytes of metadata before data, filled
 *              with the u64 0x1122334455667788 (res[6] = 0); adjust_meta(-3)
 *              -> res[7] = -EACCES (-13): an 11-byte metadata length is not
 *              a multiple of 4 (xdp_metalen_invalid; out-of-range moves are
 *              -EINVAL instead). data_out = 8 metadata bytes (88 77 .. 11)
 *              + the packet. Returns XDP_PASS.
 */
#include "common.h"
#include <linux/if_ether.h>

s64 res[8];

SEC("xdp")
int xdp_encap(struct xdp_md *ctx)
{
	struct ethhdr *outer, *inner;
	void *data_end;

	res[0] = bpf_xdp_adjust_head(ctx, -(int)sizeof(struct ethhdr));
	if (res[0])
		return XDP_ABORTED;
	outer = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	inner = outer + 1;
	if ((void *)(inner + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(outer->h_dest, inner->h_source, ETH_ALEN);
	__builtin_memcpy(outer->h_source, inner->h_dest, ETH_ALEN);
	outer->h_proto = bpf_htons(0x88b5);
	return XDP_TX;
}

SEC("xdp")
int xdp_decap(struct xdp_md *ctx)
{
	res[1] = bpf_xdp_adjust_head(ctx, sizeof(struct ethhdr));
	res[2] = bpf_xdp_adjust_head(ctx, -1000);
	return XDP_PASS;
}

SEC("xdp")
int xdp_trim(struct xdp_md *ctx)
{
	res[3] = bpf_xdp_adjust_tail(ctx, -4);
	res[4] = bpf_xdp_adjust_tail(ctx, -10000);
	return XDP_PASS;
}

SEC("xdp")
int xdp_grow(struct xdp_md *ctx)
{
	u8 *data, *data_end, *tail;
	u32 off;

	res[5] = bpf_xdp_adjust_tail(ctx, 16);
	if (res[5])
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	/* No arithmetic on data_end: address the tail from data instead. */
	off = (u32)(data_end - data) - 16;
	if (off > 4096)
		return XDP_PASS;
	tail = data + off;
	if (tail + 16 > data_end)
		return XDP_PASS;
	__builtin_memset(tail, 0xab, 16);
	return XDP_PASS;
}

SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	u64 *meta;

	res[6] = bpf_xdp_adjust_meta(ctx, -8);
	if (res[6])
		return XDP_PASS;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return XDP_PASS;
	*meta = 0x1122334455667788ULL;
	res[7] = bpf_xdp_adjust_meta(ctx, -3);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
