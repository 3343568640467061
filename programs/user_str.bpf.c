// SPDX-License-Identifier: GPL-2.0
/*
 * user_str: the bpf_copy_from_user_str kfunc (6.18, KF_SLEEPABLE) for the
 * verifier corpus (test/verifier/corpus/userstr.ts) and the
 * kernel-differential suite (test/kernel-diff case
 * syscall_copy_from_user_str).
 *
 * Program copy_prog, SEC("syscall"), ctx struct str_args: the caller passes
 * a user pointer in uptr (BPF_PROG_TEST_RUN: an address in the calling
 * process) and the program copies from it with several sizes and flags,
 * each destination filled with 0xaa first so that the bytes the kfunc
 * leaves alone show; results and buffers are copied into args:
 *   r16      copy(b16, 16, uptr, 0)
 *   r16_pad  copy(b16_pad, 16, uptr, BPF_F_PAD_ZEROS)
 *   r4       copy(b4, 4, uptr, 0)                     (truncation)
 *   r32      copy(b32, 32, uptr, 0)                   (word-at-a-time copy)
 *   r_flags  copy(b_flags, 8, uptr, 2)                (unknown flag)
 *   r_kern   copy(b_kern, 8, kstr, 0)                 (a kernel address)
 *   r_bad    copy(b_bad, 8, 0x10, 0)                  (unmapped user page)
 *   r_bad_pad copy(b_bad_pad, 8, 0x10, BPF_F_PAD_ZEROS)
 * The verifier's refusals are in verifier_userstr.bpf.c (this object loads
 * whole, as the differential suite's loader wants).
 */
#include "common.h"

#define PAD_ZEROS 1

extern int bpf_copy_from_user_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign, u64 flags) __ksym;
struct task_struct {
	int pid;
};
extern int bpf_copy_from_user_task_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign, struct task_struct *tsk, u64 flags) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

const char kstr[8] = "kernel!";

struct str_args {
	u64 uptr;
	s32 r16;
	s32 r16_pad;
	s32 r4;
	s32 r32;
	s32 r_flags;
	s32 r_kern;
	s32 r_bad;
	s32 r_bad_pad;
	char b16[16];
	char b16_pad[16];
	char b4[4];
	char b32[32];
	char b_flags[8];
	char b_kern[8];
	char b_bad[8];
	char b_bad_pad[8];
};

SEC("syscall")
int copy_prog(struct str_args *a)
{
	const void *u = (const void *)a->uptr;
	const void *bad = (const void *)0x10;
	char b[32];

	__builtin_memset(b, 0xaa, 16);
	a->r16 = bpf_copy_from_user_str(b, 16, u, 0);
	__builtin_memcpy(a->b16, b, 16);

	__builtin_memset(b, 0xaa, 16);
	a->r16_pad = bpf_copy_from_user_str(b, 16, u, PAD_ZEROS);
	__builtin_memcpy(a->b16_pad, b, 16);

	__builtin_memset(b, 0xaa, 4);
	a->r4 = bpf_copy_from_user_str(b, 4, u, 0);
	__builtin_memcpy(a->b4, b, 4);

	__builtin_memset(b, 0xaa, 32);
	a->r32 = bpf_copy_from_user_str(b, 32, u, 0);
	__builtin_memcpy(a->b32, b, 32);

	__builtin_memset(b, 0xaa, 8);
	a->r_flags = bpf_copy_from_user_str(b, 8, u, 2);
	__builtin_memcpy(a->b_flags, b, 8);

	__builtin_memset(b, 0xaa, 8);
	a->r_kern = bpf_copy_from_user_str(b, 8, kstr, 0);
	__builtin_memcpy(a->b_kern, b, 8);

	__builtin_memset(b, 0xaa, 8);
	a->r_bad = bpf_copy_from_user_str(b, 8, bad, 0);
	__builtin_memcpy(a->b_bad, b, 8);

	__builtin_memset(b, 0xaa, 8);
	a->r_bad_pad = bpf_copy_from_user_str(b, 8, bad, PAD_ZEROS);
	__builtin_memcpy(a->b_bad_pad, b, 8);
	return 0;
}

/*
 * Program copy_task_prog: the same calls through bpf_copy_from_user_task_str
 * on the current task (bpf_task_from_pid of the caller's tgid), into struct
 * str_args too (r_flags: flags 2; r_kern: kstr; r_bad: 0x10; task missing: all
 * results -3, ESRCH).
 */
SEC("syscall")
int copy_task_prog(struct str_args *a)
{
	const void *u = (const void *)a->uptr;
	const void *bad = (const void *)0x10;
	struct task_struct *t = bpf_task_from_pid(bpf_get_current_pid_tgid() >> 32);
	char b[32];

	if (!t) {
		a->r16 = a->r16_pad = a->r4 = a->r32 = a->r_flags = a->r_kern = a->r_bad = a->r_bad_pad = -3;
		return 0;
	}
	__builtin_memset(b, 0xaa, 16);
	a->r16 = bpf_copy_from_user_task_str(b, 16, u, t, 0);
	__builtin_memcpy(a->b16, b, 16);

	__builtin_memset(b, 0xaa, 16);
	a->r16_pad = bpf_copy_from_user_task_str(b, 16, u, t, PAD_ZEROS);
	__builtin_memcpy(a->b16_pad, b, 16);

	__builtin_memset(b, 0xaa, 4);
	a->r4 = bpf_copy_from_user_task_str(b, 4, u, t, 0);
	__builtin_memcpy(a->b4, b, 4);

	__builtin_memset(b, 0xaa, 32);
	a->r32 = bpf_copy_from_user_task_str(b, 32, u, t, 0);
	__builtin_memcpy(a->b32, b, 32);

	__builtin_memset(b, 0xaa, 8);
	a->r_flags = bpf_copy_from_user_task_str(b, 8, u, t, 2);
	__builtin_memcpy(a->b_flags, b, 8);

	__builtin_memset(b, 0xaa, 8);
	a->r_kern = bpf_copy_from_user_task_str(b, 8, kstr, t, 0);
	__builtin_memcpy(a->b_kern, b, 8);

	__builtin_memset(b, 0xaa, 8);
	a->r_bad = bpf_copy_from_user_task_str(b, 8, bad, t, 0);
	__builtin_memcpy(a->b_bad, b, 8);

	__builtin_memset(b, 0xaa, 8);
	a->r_bad_pad = bpf_copy_from_user_task_str(b, 8, bad, t, PAD_ZEROS);
	__builtin_memcpy(a->b_bad_pad, b, 8);
	bpf_task_release(t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
