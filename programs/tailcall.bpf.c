// SPDX-License-Identifier: GPL-2.0
/*
 * tailcall: a PROG_ARRAY with a static initialiser, three XDP programs in
 * one "xdp" section, and tail calls into a filled slot, an empty slot and an
 * out-of-range index.
 *
 * ELF shape: jmp_table's definition in .maps is all zeros; .rel.maps has
 * R_BPF_64_ABS64 at (jmp_table + 24 + 8 * slot) for slot 1 -> tail_1 and
 * slot 3 -> tail_2 (libbpf bpf_object__init_prog_arrays fills the array
 * after loading the programs). The three programs share section "xdp" and
 * are told apart by their FUNC symbols.
 *
 * Flow of xdp_entry (kernel semantics, bpf_tail_call helper 12):
 *   tail call slot 2 (empty)        -> falls through, empty_fallthrough = 1
 *   tail call slot 9 (>= max 4)     -> falls through, range_fallthrough = 1
 *   tail call slot 1 -> tail_1: tail_1_runs += 1, tail call slot 3
 *     -> tail_2: tail_2_runs += 1, returns XDP_TX (3)
 * So a run returns 3 and leaves empty_fallthrough = range_fallthrough = 1,
 * tail_1_runs = tail_2_runs = 1. If slot 1 were empty the entry would
 * return XDP_ABORTED (0); if slot 3 were empty tail_1 would return
 * XDP_DROP (1).
 */
#include "common.h"

u32 empty_fallthrough;
u32 range_fallthrough;
u32 tail_1_runs;
u32 tail_2_runs;

int tail_1(struct xdp_md *ctx);
int tail_2(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(u32));
	__array(values, int (struct xdp_md *));
} jmp_table SEC(".maps") = {
	.values = {
		[1] = (void *)&tail_1,
		[3] = (void *)&tail_2,
	},
};

SEC("xdp")
int tail_1(struct xdp_md *ctx)
{
	tail_1_runs++;
	bpf_tail_call(ctx, &jmp_table, 3);
	return XDP_DROP;
}

SEC("xdp")
int tail_2(struct xdp_md *ctx)
{
	tail_2_runs++;
	return XDP_TX;
}

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp_table, 2);
	empty_fallthrough = 1;
	bpf_tail_call(ctx, &jmp_table, 9);
	range_fallthrough = 1;
	bpf_tail_call(ctx, &jmp_table, 1);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
