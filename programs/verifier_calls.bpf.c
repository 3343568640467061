// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_calls: subprograms and bpf_loop callbacks for the verifier
 * corpus (test/verifier/corpus/c.ts). Each program is loaded on its own.
 *
 * Static subprograms are verified in the caller's context, so they see the
 * caller's packet range; global ones are verified on their own with only
 * their BTF argument types:
 *
 *   static_inherits_range   the caller proves 4 bytes, a static subprogram
 *                           reads bytes 0..3 (accepted)
 *   static_past_range       the caller proves 4 bytes, the subprogram reads
 *                           byte 4 (refused)
 *   global_deref_checked    a global function null-checks its int * argument
 *                           before reading it (accepted)
 *   global_deref_unchecked  the global function reads it unchecked (refused:
 *                           a global pointer argument may be NULL)
 *
 * bpf_loop(4, cb, &state, 0) with callbacks returning:
 *   loop_ret0 0 (accepted); loop_ret2 2 (refused: callbacks return 0 or 1);
 *   loop_rand bpf_get_prandom_u32() (refused); loop_rand_masked ... & 1
 *   (accepted); loop_ctx_sum adds i into the caller's state through its ctx
 *   argument (accepted).
 */
#include "common.h"

struct loop_state {
	u64 sum;
};

static __noinline int sum4(u8 *p)
{
	return p[0] + p[1] + p[2] + p[3];
}

static __noinline int read_byte4(u8 *p)
{
	return p[4];
}

__noinline int global_read_checked(int *p)
{
	if (!p)
		return 0;
	return *p;
}

__noinline int global_read_unchecked(int *p)
{
	return *p;
}

SEC("xdp")
int static_inherits_range(struct xdp_md *ctx)
{
	u8 *data = (void *)(long)ctx->data;
	u8 *data_end = (void *)(long)ctx->data_end;

	if (data + 4 > data_end)
		return XDP_PASS;
	return sum4(data) & 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int static_past_range(struct xdp_md *ctx)
{
	u8 *data = (void *)(long)ctx->data;
	u8 *data_end = (void *)(long)ctx->data_end;

	if (data + 4 > data_end)
		return XDP_PASS;
	return read_byte4(data) & 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int global_deref_checked(struct xdp_md *ctx)
{
	int x = ctx->rx_queue_index;

	return global_read_checked(&x) & 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int global_deref_unchecked(struct xdp_md *ctx)
{
	int x = ctx->rx_queue_index;

	return global_read_unchecked(&x) & 1 ? XDP_DROP : XDP_PASS;
}

static int cb_ret0(u32 i, void *ctx)
{
	return 0;
}

static int cb_ret2(u32 i, void *ctx)
{
	return 2;
}

static int cb_rand(u32 i, void *ctx)
{
	return bpf_get_prandom_u32();
}

static int cb_rand_masked(u32 i, void *ctx)
{
	return bpf_get_prandom_u32() & 1;
}

static int cb_sum(u32 i, void *ctx)
{
	struct loop_state *s = ctx;

	s->sum += i;
	return 0;
}

SEC("xdp")
int loop_ret0(struct xdp_md *ctx)
{
	bpf_loop(4, cb_ret0, NULL, 0);
	return XDP_PASS;
}

SEC("xdp")
int loop_ret2(struct xdp_md *ctx)
{
	bpf_loop(4, cb_ret2, NULL, 0);
	return XDP_PASS;
}

SEC("xdp")
int loop_rand(struct xdp_md *ctx)
{
	bpf_loop(4, cb_rand, NULL, 0);
	return XDP_PASS;
}

SEC("xdp")
int loop_rand_masked(struct xdp_md *ctx)
{
	bpf_loop(4, cb_rand_masked, NULL, 0);
	return XDP_PASS;
}

SEC("xdp")
int loop_ctx_sum(struct xdp_md *ctx)
{
	struct loop_state s = { 0 };

	bpf_loop(4, cb_sum, &s, 0);
	return s.sum == 6 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
