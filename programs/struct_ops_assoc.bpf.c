// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_assoc: re-creation of the kernel selftest scenario
 * "st_ops_assoc" (/work/shared/docs/struct-ops-assoc.md sections 6.1, 6.2),
 * written from that description. v8 kfunc spelling: the second argument of
 * bpf_kfunc_multi_st_ops_test_1_impl is the verifier-supplied program aux
 * (the __prog suffix); the program passes NULL and the kernel/emulator
 * replaces it with the calling program.
 *
 * struct_ops maps (type struct bpf_testmod_multi_st_ops, testmod.h):
 *   st_ops_map_a  SEC(".struct_ops.link"), test_1 = test_1_a (returns 1234)
 *   st_ops_map_b  SEC(".struct_ops.link"), test_1 = test_1_b (returns 5678)
 * Programs:
 *   test_1_a, test_1_b   SEC("struct_ops")       return MAP_A/B_MAGIC
 *   sys_enter_prog_a/_b  SEC("tp_btf/sys_enter") only when test_pid != 0
 *                        and the current task's pid == test_pid: call the
 *                        kfunc and count test_err_a/_b unless it returns
 *                        the magic of "their" map
 *   syscall_prog_a/_b    SEC("syscall")          the same check,
 *                        unconditionally; return 0
 * .bss: test_pid, test_err_a, test_err_b.
 * Expected (6.2): after assoc(syscall_prog_a, map_a), assoc(sys_enter_prog_a,
 * map_a), the same for _b, and attaching both maps: one sys_enter event
 * with test_pid set and test runs of both syscall programs leave
 * test_err_a == test_err_b == 0. assoc(test_1_a, map_a) fails (EINVAL:
 * struct_ops programs are associated only implicitly) and
 * assoc(sys_enter_prog_a, map_b) fails with EBUSY.
 * Emulator only: needs bpf_testmod and BPF_PROG_ASSOC_STRUCT_OPS (6.19+).
 */
#include "kernel.h"
#include "testmod.h"
#include <bpf/bpf_tracing.h>

#define MAP_A_MAGIC 1234
#define MAP_B_MAGIC 5678

extern int bpf_kfunc_multi_st_ops_test_1_impl(struct st_ops_args *args, void *aux__prog) __ksym;

int test_pid;
int test_err_a;
int test_err_b;

SEC("struct_ops")
int BPF_PROG(test_1_a, struct st_ops_args *args)
{
	return MAP_A_MAGIC;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_prog_a, struct pt_regs *regs, long id)
{
	struct st_ops_args args = {};
	struct task_struct *task;
	int ret;

	task = bpf_get_current_task_btf();
	if (!test_pid || task->pid != test_pid)
		return 0;

	ret = bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL);
	if (ret != MAP_A_MAGIC)
		test_err_a++;
	return 0;
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

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_a = {
	.test_1 = (void *)test_1_a,
};

SEC("struct_ops")
int BPF_PROG(test_1_b, struct st_ops_args *args)
{
	return MAP_B_MAGIC;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_prog_b, struct pt_regs *regs, long id)
{
	struct st_ops_args args = {};
	struct task_struct *task;
	int ret;

	task = bpf_get_current_task_btf();
	if (!test_pid || task->pid != test_pid)
		return 0;

	ret = bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL);
	if (ret != MAP_B_MAGIC)
		test_err_b++;
	return 0;
}

SEC("syscall")
int syscall_prog_b(void *ctx)
{
	struct st_ops_args args = {};
	int ret;

	ret = bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL);
	if (ret != MAP_B_MAGIC)
		test_err_b++;
	return 0;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_b = {
	.test_1 = (void *)test_1_b,
};

char LICENSE[] SEC("license") = "GPL";
