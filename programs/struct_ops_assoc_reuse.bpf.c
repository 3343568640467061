// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_assoc_reuse: re-creation of the selftest scenario
 * "st_ops_assoc_reuse" (struct-ops-assoc.md 6.1, 6.3): one struct_ops
 * program installed in two maps, which poisons its association.
 *
 * struct_ops maps, both SEC(".struct_ops.link"), both test_1 = test_1_a:
 *   st_ops_map_a, st_ops_map_b
 * Programs:
 *   test_1_a        SEC("struct_ops"): if recur == 0 { recur++; ret =
 *                   kfunc(args); if ret != -1 then test_err_a++; recur-- };
 *                   returns MAP_A_MAGIC (1234). Updating the second map
 *                   poisons test_1_a's association, so the inner kfunc
 *                   call finds no struct_ops and returns -1.
 *   syscall_prog_a  SEC("syscall"): kfunc(&args) must return 1234, else
 *                   test_err_a++. Returns 0.
 *   syscall_prog_b  SEC("syscall"): kfunc(&args) must return 1234 (map_b's
 *                   test_1 is test_1_a too), else test_err_b++. Returns 0.
 * .bss: test_err_a, recur, test_err_b.
 * Expected (6.3): assoc(syscall_prog_a, map_a) = 0, assoc(syscall_prog_b,
 * map_b) = 0, attach both maps, test-run both syscall programs (retval 0):
 * test_err_a == test_err_b == 0. An emulator that kept the first map
 * instead of poisoning would re-enter test_1_a (blocked by recur, 1234)
 * and make test_err_a non-zero.
 * Emulator only (bpf_testmod, BPF_PROG_ASSOC_STRUCT_OPS).
 */
#include "common.h"
#include "testmod.h"
#include <bpf/bpf_tracing.h>

#define MAP_A_MAGIC 1234

extern int bpf_kfunc_multi_st_ops_test_1_impl(struct st_ops_args *args, void *aux__prog) __ksym;

int test_err_a;
int recur;
int test_err_b;

SEC("struct_ops")
int BPF_PROG(test_1_a, struct st_ops_args *args)
{
	int ret;

	if (!recur) {
		recur++;
		ret = bpf_kfunc_multi_st_ops_test_1_impl(args, NULL);
		if (ret != -1)
			test_err_a++;
		recur--;
	}
	return MAP_A_MAGIC;
}

SEC("syscall")
int syscall_prog_a(void *ctx)
{
	struct st_ops_args args = {};
	int ret;

	ret = bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL);
	if (ret != MAP_A_MAGIC)
		test_err_a++;
	return 0;
}

SEC("syscall")
int syscall_prog_b(void *ctx)
{
	struct st_ops_args args = {};
	int ret;

	ret = bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL);
	if (ret != MAP_A_MAGIC)
		test_err_b++;
	return 0;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_a = {
	.test_1 = (void *)test_1_a,
};

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_b = {
	.test_1 = (void *)test_1_a,
};

char LICENSE[] SEC("license") = "GPL";
