// SPDX-License-Identifier: GPL-2.0
/*
 * externs: every kind of extern libbpf resolves at load time.
 *
 *   __kconfig  LINUX_KERNEL_VERSION (libbpf computes it from uname), a bool
 *              (CONFIG_BPF_SYSCALL), a tristate (CONFIG_BPF_LSM, read as
 *              enum libbpf_tristate), an int (CONFIG_HZ) and a __weak one
 *              no kernel has (CONFIG_BPFEMU_NOT_AN_OPTION -> 0). They sit in
 *              BTF DATASEC .kconfig only (no ELF section); each use is an
 *              ld_imm64 against an UND symbol that libbpf backs with an
 *              internal .kconfig map.
 *   __ksym     typeless: bpf_prog_put (a kernel text symbol; libbpf puts
 *              its kallsyms address into the ld_imm64). Typed __ksym
 *              variables are in externs_percpu.bpf.c: the test kernel lacks
 *              CONFIG_KALLSYMS_ALL, so it cannot resolve them.
 *   kfunc      bpf_rcu_read_lock/bpf_rcu_read_unlock: call -1 (src_reg 1)
 *              + R_BPF_64_32 against an UND GLOBAL symbol, BTF FUNC extern
 *              in DATASEC .ksyms.
 *   weak kfunc bpf_bpfemu_no_such_kfunc, __weak __ksym (WEAK UND symbol),
 *              guarded by bpf_ksym_exists(): an ld_imm64 against the same
 *              symbol that resolves to 0 when the kfunc is missing.
 *
 * Program externs_prog, SEC("syscall"), ctx struct extern_args (outputs).
 * On the 6.18.44 test kernel (CONFIG_HZ=250): kernel_version 0x06122c
 * (KERNEL_VERSION(6, 18, 44)), syscall_cfg 1, lsm_cfg 1 (TRI_YES), hz 250,
 * missing_cfg 0, prog_put_nonzero 1, weak_exists 0, weak_ret -1 (the
 * guarded call is skipped). Returns 0.
 */
#include "common.h"

extern u32 LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_LSM __kconfig __weak;
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPFEMU_NOT_AN_OPTION __kconfig __weak;

extern const void bpf_prog_put __ksym;

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern int bpf_bpfemu_no_such_kfunc(int x) __weak __ksym;

struct extern_args {
	u32 kernel_version;
	u32 syscall_cfg;
	u32 lsm_cfg;
	s32 hz;
	u32 missing_cfg;
	u32 prog_put_nonzero;
	u32 weak_exists;
	s32 weak_ret;
};

SEC("syscall")
int externs_prog(struct extern_args *args)
{
	u64 addr;

	args->kernel_version = LINUX_KERNEL_VERSION;
	args->syscall_cfg = CONFIG_BPF_SYSCALL;
	args->lsm_cfg = CONFIG_BPF_LSM;
	args->hz = CONFIG_HZ;
	args->missing_cfg = CONFIG_BPFEMU_NOT_AN_OPTION;
	addr = (u64)&bpf_prog_put;
	barrier_var(addr);
	args->prog_put_nonzero = addr != 0;

	bpf_rcu_read_lock();
	args->weak_exists = bpf_ksym_exists(bpf_bpfemu_no_such_kfunc);
	args->weak_ret = -1;
	if (bpf_ksym_exists(bpf_bpfemu_no_such_kfunc))
		args->weak_ret = bpf_bpfemu_no_such_kfunc(1);
	bpf_rcu_read_unlock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
