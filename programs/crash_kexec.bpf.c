// SPDX-License-Identifier: GPL-2.0
/*
 * crash_kexec: the destructive kfunc crash_kexec (KF_DESTRUCTIVE, 6.18
 * kernel/bpf/helpers.c generic set, only in builds with CONFIG_CRASH_DUMP)
 * for test/kernel/kfuncs/crash-kexec.test.ts. This machine's kernel has no
 * crash_kexec in its BTF, so the object loads only into an emulated kernel
 * opened with KernelOptions.crashKexec. Each program is loaded on its own.
 */
#include "common.h"

/* x86-64 struct pt_regs (21 unsigned longs, 168 bytes) */
struct pt_regs {
	unsigned long r[21];
};

extern void crash_kexec(struct pt_regs *regs) __ksym;

/* crash_kexec returns when no crash kernel is loaded: the program goes on */
SEC("tc")
int kexec_tc(struct __sk_buff *skb)
{
	struct pt_regs regs = {};

	crash_kexec(&regs);
	return 7;
}

/* socket filters are not among the generic set's program types */
SEC("socket")
int kexec_socket(struct __sk_buff *skb)
{
	struct pt_regs regs = {};

	crash_kexec(&regs);
	return 7;
}

/* an argument error: 8 bytes of stack passed for the 168-byte struct */
SEC("tc")
int kexec_small(struct __sk_buff *skb)
{
	u64 x = 0;

	crash_kexec((struct pt_regs *)&x);
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
