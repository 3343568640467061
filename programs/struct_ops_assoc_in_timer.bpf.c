// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_assoc_in_timer: re-creation of the selftest scenarios
 * "st_ops_assoc_in_timer" and "st_ops_assoc_in_timer_no_uref"
 * (struct-ops-assoc.md 6.1, 6.4, 6.5): a timer callback armed by a
 * struct_ops program reaches that program's association.
 *
 * Maps:
 *   array_map   ARRAY[1], key int, value struct elem { struct bpf_timer }
 *   st_ops_map  SEC(".struct_ops.link"), test_1 = test_1
 * Programs:
 *   test_1        SEC("struct_ops"): if recur == 0, arm array_map[0]'s
 *                 timer (bpf_timer_init(.., CLOCK_MONOTONIC),
 *                 set_callback(timer_cb), start(timer_ns, 0)); returns
 *                 MAP_MAGIC (1234). Returns 0 if the lookup fails.
 *   timer_cb      static subprogram of test_1 (a callback: ld_imm64 of
 *                 .text + offset): recur++, timer_test_1_ret = kfunc(&args),
 *                 recur--, timer_cb_run++; returns 0. As part of test_1's
 *                 instruction stream it uses test_1's association.
 *   syscall_prog  SEC("syscall"): kfunc(&args) must return 1234, else
 *                 test_err++. Returns 0.
 * .bss: recur, test_err, timer_ns, timer_test_1_ret, timer_cb_run.
 * Expected: in_timer (6.4): assoc(syscall_prog, st_ops_map), attach, run
 * syscall_prog with timer_ns 0 -> once timer_cb_run != 0,
 * timer_test_1_ret == 1234 and test_err == 0. no_uref (6.5): timer_ns =
 * 500000000, run, then drop the link, syscall_prog and the map fd before
 * the timer fires -> the map is freed, test_1 loses its association and
 * timer_test_1_ret == -1, test_err == 0.
 * Emulator only (bpf_testmod, BPF_PROG_ASSOC_STRUCT_OPS).
 */
#include "common.h"
#include "testmod.h"
#include <bpf/bpf_tracing.h>

#define MAP_MAGIC 1234
#define CLOCK_MONOTONIC 1

extern int bpf_kfunc_multi_st_ops_test_1_impl(struct st_ops_args *args, void *aux__prog) __ksym;

struct elem {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} array_map SEC(".maps");

int recur;
int test_err;
u64 timer_ns;
int timer_test_1_ret;
int timer_cb_run;

static int timer_cb(void *map, int *key, struct elem *value)
{
	struct st_ops_args args = {};

	recur++;
	timer_test_1_ret = bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL);
	recur--;

	timer_cb_run++;
	return 0;
}

SEC("struct_ops")
int BPF_PROG(test_1, struct st_ops_args *args)
{
	struct bpf_timer *timer;
	int key = 0;

	if (!recur) {
		timer = bpf_map_lookup_elem(&array_map, &key);
		if (!timer)
			return 0;

		bpf_timer_init(timer, &array_map, CLOCK_MONOTONIC);
		bpf_timer_set_callback(timer, timer_cb);
		bpf_timer_start(timer, timer_ns, 0);
	}
	return MAP_MAGIC;
}

SEC("syscall")
int syscall_prog(void *ctx)
{
	struct st_ops_args args = {};
	int ret;

	ret = bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL);
	if (ret != MAP_MAGIC)
		test_err++;
	return 0;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map = {
	.test_1 = (void *)test_1,
};

char LICENSE[] SEC("license") = "GPL";
