// SPDX-License-Identifier: GPL-2.0
/*
 * bench_tailcall: a chain of 8 XDP programs linked by tail calls through a
 * statically initialised PROG_ARRAY (chain[i] = stage_i). stage_0 is the
 * entry; stage_i increments hops[i] and tail-calls chain[i + 1]; stage_7
 * returns XDP_PASS (2). A missing slot falls through and returns
 * XDP_ABORTED (0), so a broken chain is visible in the verdict.
 * One run of stage_0: retval 2, hops = [1, 1, 1, 1, 1, 1, 1, 1]
 * (8 programs, 7 tail calls; the kernel allows 33 per chain).
 */
#include "common.h"

#define STAGES 8

u64 hops[STAGES];

#define DECLARE_STAGE(n) int stage_##n(struct xdp_md *ctx);
DECLARE_STAGE(0) DECLARE_STAGE(1) DECLARE_STAGE(2) DECLARE_STAGE(3)
DECLARE_STAGE(4) DECLARE_STAGE(5) DECLARE_STAGE(6) DECLARE_STAGE(7)

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, STAGES);
	__uint(key_size, sizeof(u32));
	__array(values, int (struct xdp_md *));
} chain SEC(".maps") = {
	.values = {
		(void *)&stage_0, (void *)&stage_1, (void *)&stage_2, (void *)&stage_3,
		(void *)&stage_4, (void *)&stage_5, (void *)&stage_6, (void *)&stage_7,
	},
};

#define DEFINE_STAGE(n)						\
	SEC("xdp")						\
	int stage_##n(struct xdp_md *ctx)			\
	{							\
		hops[n]++;					\
		bpf_tail_call(ctx, &chain, (n) + 1);		\
		return XDP_ABORTED;				\
	}

DEFINE_STAGE(0)
DEFINE_STAGE(1)
DEFINE_STAGE(2)
DEFINE_STAGE(3)
DEFINE_STAGE(4)
DEFINE_STAGE(5)
DEFINE_STAGE(6)

SEC("xdp")
int stage_7(struct xdp_md *ctx)
{
	hops[7]++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
