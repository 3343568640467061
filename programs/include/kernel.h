/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel.h - the few kernel-internal types the fixtures use, declared by
 * hand because there is no vmlinux.h.
 *
 * Types marked preserve_access_index are CO-RE types: clang records every
 * member access as a BTF.ext core_relo against *this* local definition,
 * and the loader re-resolves the offset against the running kernel's BTF
 * by name (libbpf bpf_core_calc_relo_insn). So only the members we touch
 * are listed and their local offsets do not matter.
 */
#ifndef BPFEMU_KERNEL_H
#define BPFEMU_KERNEL_H

#include "common.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* Nested struct member of task_struct (x86: first member of task_struct). */
struct thread_info {
	unsigned long flags;
	u32 cpu;
};

struct mm_struct {
	unsigned long total_vm;
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int flags;
	/* Bitfields: read with BPF_CORE_READ_BITFIELD(_PROBED). */
	unsigned int sched_reset_on_fork:1;
	unsigned int sched_contributes_to_load:1;
	unsigned int in_execve:1;
	unsigned int in_iowait:1;
	struct mm_struct *mm;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
};

/*
 * A CO-RE "flavour": libbpf strips the ___suffix when matching, so this is
 * another local view of struct task_struct, with one member that no kernel
 * has (bpf_core_field_exists() on it is 0).
 */
struct task_struct___bpfemu {
	int pid;
	int bpfemu_no_such_member;
};

/* iter/task context (bpf_iter.h in the kernel). */
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
	u64 session_id;
	u64 seq_num;
};
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

/* fentry/fexit argument of do_unlinkat (include/linux/fs.h). */
struct filename {
	const char *name;
};

struct file;

#pragma clang attribute pop

/*
 * x86-64 struct pt_regs with the uapi member names (rdi, rsi, ...), which
 * is what bpf_tracing.h expects for __TARGET_ARCH_x86 outside vmlinux.h.
 * The uapi <asm/ptrace.h> cannot be used: with -target bpf, __x86_64__ is
 * not defined and it would declare the i386 layout. kprobe programs read
 * this ctx at fixed offsets (the kernel's layout is identical).
 */
struct pt_regs {
	unsigned long r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	unsigned long rax, rcx, rdx, rsi, rdi, orig_rax;
	unsigned long rip, cs, eflags, rsp, ss;
};

/*
 * Context of tracepoint/syscalls/sys_enter_openat, as printed by
 * /sys/kernel/tracing/events/syscalls/sys_enter_openat/format: 8 bytes of
 * common fields, then __syscall_nr and one 8-byte slot per argument.
 */
struct sys_enter_openat_ctx {
	u64 common;
	s32 syscall_nr;
	s32 pad;
	u64 dfd;
	const char *filename;
	u64 flags;
	u64 mode;
};

#endif /* BPFEMU_KERNEL_H */
