// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_devmap_ctx: an XDP program for a DEVMAP entry (SEC "xdp/devmap",
 * expected_attach_type BPF_XDP_DEVMAP), the only kind allowed to read
 * struct xdp_md's egress_ifindex (xdp_is_valid_access). It runs after a
 * redirect into the devmap, on the way out of the target device.
 *
 * Program xdp_devmap_prog records all six xdp_md fields into
 * devmap_fields[0] (lengths instead of raw pointers, as in xdp_ctx) and
 * returns XDP_PASS (2); packets to egress ifindex 0xffff are dropped
 * (XDP_DROP, 1) to give the field a visible effect.
 *
 * The kernel loads it, but BPF_PROG_TEST_RUN refuses devmap/cpumap
 * programs (EINVAL), so only the emulator can run it directly.
 */
#include "common.h"

struct devmap_fields {
	u32 len;
	u32 meta_len;
	u32 ingress_ifindex;
	u32 rx_queue_index;
	u32 egress_ifindex;
	u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct devmap_fields);
} devmap_fields SEC(".maps");

SEC("xdp/devmap")
int xdp_devmap_prog(struct xdp_md *ctx)
{
	struct devmap_fields *f;
	void *data, *data_end, *meta;
	u32 zero = 0;

	f = bpf_map_lookup_elem(&devmap_fields, &zero);
	if (!f)
		return XDP_ABORTED;
	/* Read the packet pointers only now: clang would otherwise spill the
	 * 32-bit ctx loads across the call, which the verifier rejects for
	 * pointers ("invalid size of register spill"). */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	meta = (void *)(long)ctx->data_meta;
	f->len = data_end - data;
	f->meta_len = data - meta;
	f->ingress_ifindex = ctx->ingress_ifindex;
	f->rx_queue_index = ctx->rx_queue_index;
	f->egress_ifindex = ctx->egress_ifindex;
	return f->egress_ifindex == 0xffff ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
