// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_ctx: every struct xdp_md field an ordinary XDP program may read.
 * (egress_ifindex is only readable with expected_attach_type
 * BPF_XDP_DEVMAP: see xdp_devmap_ctx.bpf.c.)
 *
 * The verifier rewrites these 32-bit ctx loads into loads from struct
 * xdp_buff (data, data_end, data_meta become full 64-bit packet pointers;
 * ingress_ifindex reads rxq->dev->ifindex, rx_queue_index
 * rxq->queue_index).
 *
 * Program xdp_ctx_prog, SEC("xdp"), records into xdp_fields[0] (ARRAY):
 *   len        data_end - data
 *   meta_len   data - data_meta
 *   ingress_ifindex, rx_queue_index
 *   first_meta the first metadata byte when meta_len > 0, else 0xffff
 * Raw pointer values (kernel addresses) go to .data.env only. Returns
 * XDP_PASS (2).
 *
 * BPF_PROG_TEST_RUN: ctx_in is a struct xdp_md where data = metadata
 * length (the first `data` bytes of data_in become metadata), data_end =
 * the data_in size, data_meta = 0, ingress_ifindex must name a device
 * (rx_queue_index one of its queues), egress_ifindex = 0. Example with a
 * 60-byte data_in and ctx {data 8, data_end 60, ingress_ifindex 1}: len
 * 52, meta_len 8, ingress_ifindex 1, rx_queue_index 0. Without ctx_in:
 * meta_len 0 and ingress_ifindex = the loopback device (1).
 */
#include "common.h"

struct xdp_fields {
	u32 len;
	u32 meta_len;
	u32 ingress_ifindex;
	u32 rx_queue_index;
	u32 first_meta;
	u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct xdp_fields);
} xdp_fields SEC(".maps");

struct xdp_env {
	u64 data;
	u64 data_end;
	u64 data_meta;
};

struct xdp_env env SEC(".data.env") = {};

SEC("xdp")
int xdp_ctx_prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	u8 *meta = (void *)(long)ctx->data_meta;
	struct xdp_fields *f;
	u32 zero = 0;

	f = bpf_map_lookup_elem(&xdp_fields, &zero);
	if (!f)
		return XDP_ABORTED;
	f->len = data_end - data;
	f->meta_len = data - (void *)meta;
	f->ingress_ifindex = ctx->ingress_ifindex;
	f->rx_queue_index = ctx->rx_queue_index;
	f->first_meta = 0xffff;
	if ((void *)(meta + 1) <= data)
		f->first_meta = *meta;
	env.data = (u64)data;
	env.data_end = (u64)data_end;
	env.data_meta = (u64)meta;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
