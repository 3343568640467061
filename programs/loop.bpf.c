// SPDX-License-Identifier: GPL-2.0
/*
 * loop: bpf_loop (helper 181) with a static callback in .text.
 *
 * The callback address is an ld_imm64 (src_reg 0) with R_BPF_64_64 against
 * the .text section symbol and imm = the callback's byte offset in .text;
 * the loader turns it into src_reg = BPF_PSEUDO_FUNC (4). The callback calls
 * another static function (a .text -> .text call, no relocation).
 *
 * Program loop_prog, SEC("syscall"), ctx struct loop_args:
 *   in:  nr_loops, stop_at
 *   out: iterations = bpf_loop's return value (callbacks run; -E2BIG when
 *        nr_loops > 1 << 23), sum = sum of square(i) over the callbacks run
 *        (the callback returns 1 and stops once i == stop_at), flags_err =
 *        bpf_loop(1, noop_cb, ctx, flags=1) (nonzero flags -> -EINVAL = -22;
 *        noop_cb sits at a nonzero offset in .text, so imm != 0).
 * Example: nr_loops 10, stop_at 4 -> iterations 5, sum 0+1+4+9+16 = 30.
 * Returns 0.
 */
#include "common.h"

struct loop_args {
	u32 nr_loops;
	u32 stop_at;
	s64 iterations;
	u64 sum;
	s64 flags_err;
};

struct loop_state {
	u64 sum;
	u32 stop_at;
};

static __noinline u64 square(u32 x)
{
	return (u64)x * x;
}

static int loop_cb(u32 index, void *data)
{
	struct loop_state *st = data;

	st->sum += square(index);
	return index == st->stop_at ? 1 : 0;
}

static int noop_cb(u32 index, void *data)
{
	return 0;
}

SEC("syscall")
int loop_prog(struct loop_args *args)
{
	struct loop_state st = { .sum = 0, .stop_at = args->stop_at };

	args->iterations = bpf_loop(args->nr_loops, loop_cb, &st, 0);
	args->sum = st.sum;
	args->flags_err = bpf_loop(1, noop_cb, &st, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
