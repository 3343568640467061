// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_redirect: bpf_redirect and bpf_redirect_map into the three XDP
 * redirect map types. All create and load without devices or sockets;
 * in BPF_PROG_TEST_RUN (without BPF_F_TEST_XDP_LIVE_FRAMES) the verdict is
 * only reported, nothing is transmitted.
 *
 *   tx_ports  DEVMAP[4] (key u32, value u32 ifindex), empty after load
 *   cpus      CPUMAP[2] (value u32 queue size), empty after load
 *   xsks      XSKMAP[2] (value u32 socket fd), empty after load
 *
 * bpf_redirect_map(map, key, flags): the low 2 bits of flags are the
 * action returned when the lookup fails (XDP_ABORTED/DROP/PASS/TX); on
 * success it returns XDP_REDIRECT (4). bpf_redirect(ifindex, 0) always
 * returns XDP_REDIRECT for XDP (flags must be 0, else XDP_ABORTED).
 *
 *   redirect_ifindex  bpf_redirect(1, 0)                   -> 4
 *   redirect_bad      bpf_redirect(1, 1)                   -> 0 (ABORTED)
 *   redirect_dev      redirect_map(tx_ports, 0, XDP_PASS)  -> 2 while the
 *                     slot is empty; 4 once user space stores an ifindex
 *   redirect_cpu      redirect_map(cpus, 1, XDP_DROP)      -> 1 while empty
 *   redirect_xsk      redirect_map(xsks, rx_queue_index, XDP_PASS) -> 2
 *                     while empty (the AF_XDP pattern)
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u32);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u32);
} xsks SEC(".maps");

SEC("xdp")
int redirect_ifindex(struct xdp_md *ctx)
{
	return bpf_redirect(1, 0);
}

SEC("xdp")
int redirect_bad(struct xdp_md *ctx)
{
	return bpf_redirect(1, 1);
}

SEC("xdp")
int redirect_dev(struct xdp_md *ctx)
{
	return bpf_redirect_map(&tx_ports, 0, XDP_PASS);
}

SEC("xdp")
int redirect_cpu(struct xdp_md *ctx)
{
	return bpf_redirect_map(&cpus, 1, XDP_DROP);
}

SEC("xdp")
int redirect_xsk(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
