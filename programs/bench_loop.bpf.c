// SPDX-License-Identifier: GPL-2.0
/*
 * bench_loop: a bpf_loop-driven loop for the benchmarks: the helper calls
 * a static callback n times (n up to 1 << 23), so the cost is dominated by
 * callback invocations (call into .text, 4 args, return).
 *
 * Program loop_bench, SEC("syscall"), ctx struct loop_bench_args:
 *   in  n, seed
 *   out iterations (bpf_loop's return value), state (xorshift64 applied
 *       n times to seed; seed 0 is replaced by 1), acc (sum of the low 32
 *       bits of every state)
 * xorshift64 step: x ^= x << 13; x ^= x >> 7; x ^= x << 17.
 * Example: n 1000, seed 1 -> iterations 1000, state 0x9e8b2325c8f3382d,
 * acc 0x1e9220c28f0. Returns 0.
 */
#include "common.h"

struct loop_bench_args {
	u32 n;
	u32 pad;
	u64 seed;
	s64 iterations;
	u64 state;
	u64 acc;
};

struct xs_state {
	u64 x;
	u64 acc;
};

static int step(u32 index, void *data)
{
	struct xs_state *s = data;
	u64 x = s->x;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->x = x;
	s->acc += (u32)x;
	return 0;
}

SEC("syscall")
int loop_bench(struct loop_bench_args *args)
{
	struct xs_state s = { .x = args->seed ? args->seed : 1, .acc = 0 };

	args->iterations = bpf_loop(args->n, step, &s, 0);
	args->state = s.x;
	args->acc = s.acc;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
