// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_demo: the object behind `npm start` (the struct_ops part of
 * the demo). Four struct_ops maps of struct bpf_testmod_multi_st_ops, all
 * SEC(".struct_ops.link"):
 *
 *   doubler   test_1 = double_it   returns 2 * args->a
 *   squarer   test_1 = square_it   returns args->a * args->a
 *   shared_x  test_1 = shared_probe
 *   shared_y  test_1 = shared_probe   (the same program in two maps)
 *
 * shared_probe calls the dispatch kfunc itself (guarded by `recur`) and
 * stores what it got in shared_inner: once both shared_x and shared_y are
 * updated its association is poisoned, so the inner call returns -1
 * (with only shared_x updated it would recurse into itself: 7).
 * shared_probe returns 7.
 *
 * Syscall programs, ctx struct demo_args { u64 a; s32 result; }: each
 * calls bpf_kfunc_multi_st_ops_test_1_impl(&(struct st_ops_args){a}, NULL)
 * and stores the result; they differ only so that each can be associated
 * with a different map (an association is fixed once made):
 *   dispatch_double  (assoc doubler)   a = 21 -> result 42
 *   dispatch_square  (assoc squarer)   a = 12 -> result 144
 *   dispatch_shared  (assoc shared_x)  result 7, shared_inner -1
 * Unassociated, each returns result -1. dispatch_calls counts runs.
 * This is also the struct_ops dispatch chain of the benchmarks (syscall ->
 * kfunc -> struct_ops program). Emulator only.
 */
#include "common.h"
#include "testmod.h"
#include <bpf/bpf_tracing.h>

extern int bpf_kfunc_multi_st_ops_test_1_impl(struct st_ops_args *args, void *aux__prog) __ksym;

struct demo_args {
	u64 a;
	s32 result;
	u32 pad;
};

int recur;
int shared_inner;
u64 dispatch_calls;

SEC("struct_ops")
int BPF_PROG(double_it, struct st_ops_args *args)
{
	return args->a * 2;
}

SEC("struct_ops")
int BPF_PROG(square_it, struct st_ops_args *args)
{
	return args->a * args->a;
}

SEC("struct_ops")
int BPF_PROG(shared_probe, struct st_ops_args *args)
{
	if (!recur) {
		recur++;
		shared_inner = bpf_kfunc_multi_st_ops_test_1_impl(args, NULL);
		recur--;
	}
	return 7;
}

static __always_inline int dispatch(struct demo_args *ctx)
{
	struct st_ops_args args = { .a = ctx->a };

	dispatch_calls++;
	ctx->result = bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL);
	return 0;
}

SEC("syscall")
int dispatch_double(struct demo_args *ctx)
{
	return dispatch(ctx);
}

SEC("syscall")
int dispatch_square(struct demo_args *ctx)
{
	return dispatch(ctx);
}

SEC("syscall")
int dispatch_shared(struct demo_args *ctx)
{
	return dispatch(ctx);
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops doubler = {
	.test_1 = (void *)double_it,
};

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops squarer = {
	.test_1 = (void *)square_it,
};

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops shared_x = {
	.test_1 = (void *)shared_probe,
};

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops shared_y = {
	.test_1 = (void *)shared_probe,
};

char LICENSE[] SEC("license") = "GPL";
