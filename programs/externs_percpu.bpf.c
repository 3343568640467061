// SPDX-License-Identifier: GPL-2.0
/*
 * externs_percpu: typed __ksym variables (per-CPU kernel variables that
 * have a BTF VAR in vmlinux), split from externs.bpf.c because loading
 * them needs the kernel to find their address with kallsyms_lookup_name,
 * i.e. CONFIG_KALLSYMS_ALL (the 6.18 test kernel does not have it and
 * rejects the load with ENOENT "ldimm64 failed to find the address").
 *
 * libbpf resolves a typed ksym to its vmlinux BTF id and rewrites the
 * ld_imm64 to src_reg = BPF_PSEUDO_BTF_ID (3), imm = btf id, insn[1].imm
 * = module BTF fd (libbpf bpf_object__relocate_data). A __weak typed ksym
 * that is missing becomes a plain 0 constant.
 *
 *   bpf_prog_active            int, per CPU: bpf_this_cpu_ptr and
 *                              bpf_per_cpu_ptr(.., cpu 0)
 *   bpfemu_no_such_percpu_var  __weak, missing everywhere
 *
 * Program percpu_prog, SEC("syscall"), ctx struct percpu_args (outputs):
 *   this_cpu_ok 1 when bpf_this_cpu_ptr gave a readable int >= 0,
 *   cpu0_ok 1 when bpf_per_cpu_ptr(&bpf_prog_active, 0) is non-NULL,
 *   cpu_big_null 1 (bpf_per_cpu_ptr with cpu 1 << 20 returns NULL),
 *   weak_exists 0. Returns 0.
 */
#include "common.h"

extern const int bpf_prog_active __ksym;
extern const int bpfemu_no_such_percpu_var __ksym __weak;

struct percpu_args {
	u32 this_cpu_ok;
	u32 cpu0_ok;
	u32 cpu_big_null;
	u32 weak_exists;
};

SEC("syscall")
int percpu_prog(struct percpu_args *args)
{
	const int *p;

	p = bpf_this_cpu_ptr(&bpf_prog_active);
	args->this_cpu_ok = *p >= 0;
	p = bpf_per_cpu_ptr(&bpf_prog_active, 0);
	args->cpu0_ok = p != 0;
	p = bpf_per_cpu_ptr(&bpf_prog_active, 1 << 20);
	args->cpu_big_null = p == 0;
	args->weak_exists = bpf_ksym_exists(&bpfemu_no_such_percpu_var);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
