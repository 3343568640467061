// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_userstr: bpf_copy_from_user_str (6.18, KF_SLEEPABLE) as the
 * verifier checks it, one program per rule, each loaded on its own; corpus
 * group userstr (test/verifier/corpus/userstr.ts) records the verdicts:
 * refused in a non-sleepable program and inside an RCU section, its
 * dst/dst__sz memory pair (too big, unbounded, bounded, NULL with size 0,
 * read-only), the buffer initialised by the call, unknown flags. The
 * run-time program is user_str.bpf.c's copy_prog.
 */
#include "common.h"

extern int bpf_copy_from_user_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign, u64 flags) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
struct task_struct {
	int pid;
};
extern int bpf_copy_from_user_task_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign, struct task_struct *tsk, u64 flags) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

const char kstr[8] = "kernel!";

/* a non-sleepable program */
SEC("tc")
int in_tc(struct __sk_buff *skb)
{
	char b[8];

	return bpf_copy_from_user_str(b, sizeof(b), NULL, 0) & 1;
}

SEC("syscall")
int in_rcu(void *ctx)
{
	char b[8];
	int r;

	bpf_rcu_read_lock();
	r = bpf_copy_from_user_str(b, sizeof(b), NULL, 0);
	bpf_rcu_read_unlock();
	return r;
}

SEC("syscall")
int after_rcu_ok(void *ctx)
{
	char b[8];

	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return bpf_copy_from_user_str(b, sizeof(b), NULL, 0);
}

/* dst__sz larger than the buffer */
SEC("syscall")
int size_too_big(void *ctx)
{
	char b[8];

	return bpf_copy_from_user_str(b, 16, NULL, 0);
}

struct len_args {
	u32 len;
};

/* dst__sz unbounded */
SEC("syscall")
int size_unbounded(struct len_args *a)
{
	char b[16];

	return bpf_copy_from_user_str(b, a->len, NULL, 0);
}

/* dst__sz bounded by a check */
SEC("syscall")
int size_bounded_ok(struct len_args *a)
{
	char b[16];
	u32 n = a->len;

	if (n > sizeof(b))
		return 0;
	return bpf_copy_from_user_str(b, n, NULL, 0);
}

/* dst__sz 0 with a NULL buffer */
SEC("syscall")
int size_zero_null(void *ctx)
{
	return bpf_copy_from_user_str(NULL, 0, NULL, 0);
}

/* the buffer uninitialised stack: the kfunc writes it (read afterwards) */
SEC("syscall")
int reads_result_ok(void *ctx)
{
	char b[8];

	bpf_copy_from_user_str(b, sizeof(b), NULL, 0);
	return b[0];
}

/* a flags value unknown to the verifier: only the kfunc checks it */
SEC("syscall")
int var_flags_ok(struct len_args *a)
{
	char b[8];

	return bpf_copy_from_user_str(b, sizeof(b), NULL, a->len);
}

/* the destination is a read-only map value (.rodata) */
SEC("syscall")
int dst_rodata(void *ctx)
{
	return bpf_copy_from_user_str((void *)kstr, sizeof(kstr), NULL, 0);
}

/* bpf_copy_from_user_task_str on a referenced task */
SEC("syscall")
int task_str_ok(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	char b[8];
	int r;

	if (!t)
		return 0;
	r = bpf_copy_from_user_task_str(b, sizeof(b), NULL, t, 0);
	bpf_task_release(t);
	return r;
}

/* a NULL task */
SEC("syscall")
int task_str_null_task(void *ctx)
{
	char b[8];

	return bpf_copy_from_user_task_str(b, sizeof(b), NULL, NULL, 0);
}

/* the task not checked for NULL */
SEC("syscall")
int task_str_unchecked(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	char b[8];
	int r;

	r = bpf_copy_from_user_task_str(b, sizeof(b), NULL, t, 0);
	if (t)
		bpf_task_release(t);
	return r;
}

/* a non-sleepable program */
SEC("tc")
int task_str_tc(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_task_from_pid(1);
	char b[8];
	int r;

	if (!t)
		return 0;
	r = bpf_copy_from_user_task_str(b, sizeof(b), NULL, t, 0);
	bpf_task_release(t);
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
