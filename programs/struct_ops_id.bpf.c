// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_id: the predecessor of program association, selftest
 * "test_struct_ops_id_ops_mapping" (struct-ops-assoc.md 6.6, Aug 2025):
 * the program names its struct_ops instance explicitly by map id,
 *
 *   int bpf_kfunc_multi_st_ops_test_1(struct st_ops_args *args, u32 id)
 *
 * which calls test_1 of the *registered* bpf_testmod_multi_st_ops whose id
 * (set by reg() to the map id) matches, or returns -1.
 *
 * Map st_ops_map: SEC(".struct_ops.link"), test_1 = test_1 (returns 1234).
 * .bss: st_ops_id (user space stores st_ops_map's map id here before
 * attaching, from bpf_map_get_info_by_fd), test_pid, test_err.
 * Programs:
 *   test_1          SEC("struct_ops"): returns MAP_MAGIC (1234)
 *   sys_enter_prog  SEC("tp_btf/sys_enter"): only for test_pid's task:
 *                   kfunc(&args, st_ops_id) != 1234 -> test_err++
 *   syscall_prog    SEC("syscall"): the same check; returns 0
 * Expected: with st_ops_id = the map id and the map attached (link
 * created, so reg() ran), a sys_enter event and a test run leave
 * test_err == 0; with st_ops_id = 0 or the map not attached the kfunc
 * returns -1 and test_err counts each call. Emulator only.
 */
#include "kernel.h"
#include "testmod.h"
#include <bpf/bpf_tracing.h>

#define MAP_MAGIC 1234

extern int bpf_kfunc_multi_st_ops_test_1(struct st_ops_args *args, u32 id) __ksym;

u32 st_ops_id;
int test_pid;
int test_err;

SEC("struct_ops")
int BPF_PROG(test_1, struct st_ops_args *args)
{
	return MAP_MAGIC;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_prog, struct pt_regs *regs, long id)
{
	struct st_ops_args args = {};
	struct task_struct *task;
	int ret;

	task = bpf_get_current_task_btf();
	if (!test_pid || task->pid != test_pid)
		return 0;

	ret = bpf_kfunc_multi_st_ops_test_1(&args, st_ops_id);
	if (ret != MAP_MAGIC)
		test_err++;
	return 0;
}

SEC("syscall")
int syscall_prog(void *ctx)
{
	struct st_ops_args args = {};
	int ret;

	ret = bpf_kfunc_multi_st_ops_test_1(&args, st_ops_id);
	if (ret != MAP_MAGIC)
		test_err++;
	return 0;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map = {
	.test_1 = (void *)test_1,
};

char LICENSE[] SEC("license") = "GPL";
