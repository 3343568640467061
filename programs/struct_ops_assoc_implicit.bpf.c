// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_assoc_implicit: struct_ops_assoc.bpf.c with the 2026 kfunc
 * spelling (struct-ops-assoc.md 4.2(b), 6.6): after Ihor Solodrai's
 * KF_IMPLICIT_ARGS series the program calls
 * bpf_kfunc_multi_st_ops_test_1_assoc(&args), declared __weak __ksym with
 * only the explicit argument; the kernel prototype has a trailing
 * struct bpf_prog_aux *aux that the verifier fills in. ELF difference from
 * struct_ops_assoc.bpf.o: the kfunc symbol is WEAK UND and there is no
 * "r2 = 0" before the calls.
 *
 * Same programs, maps, globals and expected results as
 * struct_ops_assoc.bpf.c: test_1_a/test_1_b (struct_ops, 1234/5678),
 * sys_enter_prog_a/_b (tp_btf/sys_enter), syscall_prog_a/_b (syscall),
 * st_ops_map_a/_b (.struct_ops.link), .bss test_pid, test_err_a,
 * test_err_b; after the st_ops_assoc steps test_err_a == test_err_b == 0.
 * Emulator only (bpf_testmod, BPF_PROG_ASSOC_STRUCT_OPS, KF_IMPLICIT_ARGS).
 */
#include "kernel.h"
#include "testmod.h"
#include <bpf/bpf_tracing.h>

#define MAP_A_MAGIC 1234
#define MAP_B_MAGIC 5678

/*
 * KF_IMPLICIT_ARGS form (2026): the BPF-visible prototype has no aux
 * argument; the kernel's _impl twin takes it and the verifier supplies it.
 */
extern int bpf_kfunc_multi_st_ops_test_1_assoc(struct st_ops_args *args) __weak __ksym;

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

	ret = bpf_kfunc_multi_st_ops_test_1_assoc(&args);
	if (ret != MAP_A_MAGIC)
		test_err_a++;
	return 0;
}

SEC("syscall")
int syscall_prog_a(void *ctx)
{
	struct st_ops_args args = {};
	int ret;

	ret = bpf_kfunc_multi_st_ops_test_1_assoc(&args);
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

	ret = bpf_kfunc_multi_st_ops_test_1_assoc(&args);
	if (ret != MAP_B_MAGIC)
		test_err_b++;
	return 0;
}

SEC("syscall")
int syscall_prog_b(void *ctx)
{
	struct st_ops_args args = {};
	int ret;

	ret = bpf_kfunc_multi_st_ops_test_1_assoc(&args);
	if (ret != MAP_B_MAGIC)
		test_err_b++;
	return 0;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_b = {
	.test_1 = (void *)test_1_b,
};

char LICENSE[] SEC("license") = "GPL";
