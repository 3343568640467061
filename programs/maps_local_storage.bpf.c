// SPDX-License-Identifier: GPL-2.0
/*
 * maps_local_storage: task local storage (BPF_MAP_TYPE_TASK_STORAGE) through
 * bpf_task_storage_get (156) and bpf_task_storage_delete (157), on the
 * current task (bpf_get_current_task_btf).
 *
 * Program task_storage_ops, SEC("syscall"), ctx struct ls_args (s64 each):
 *   r[0] get without F_CREATE on a task without storage -> NULL (1)
 *   r[1] get with F_CREATE and an init value {100, 7}   -> calls 100
 *        (the program then adds 1 through the pointer)
 *   r[2] get again without flags                        -> calls 101
 *   r[3] tag of that value                              -> 7
 *   r[4] get with flags 2 (unknown)                     -> NULL (1)
 *   r[5] delete                                         -> 0
 *   r[6] delete again                                   -> -ENOENT (-2)
 *   r[7] get with F_CREATE and no init value            -> zeroed: calls 0
 *   r[8] delete with a NULL task                        -> -EINVAL (-22)
 * The last value stays: {calls = 0 + 5, tag = 42}, readable from user space
 * through the task's pidfd. Returns 0.
 */
#include "common.h"

struct task_struct;

struct tval {
	u64 calls;
	u64 tag;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tval);
} tstore SEC(".maps");

struct ls_args {
	s64 r[9];
};

SEC("syscall")
int task_storage_ops(struct ls_args *a)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct tval init = { .calls = 100, .tag = 7 };
	struct tval *v;

	v = bpf_task_storage_get(&tstore, t, 0, 0);
	a->r[0] = v == 0;
	v = bpf_task_storage_get(&tstore, t, &init, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return 1;
	a->r[1] = v->calls;
	v->calls++;
	v = bpf_task_storage_get(&tstore, t, 0, 0);
	if (!v)
		return 2;
	a->r[2] = v->calls;
	a->r[3] = v->tag;
	v = bpf_task_storage_get(&tstore, t, 0, 2);
	a->r[4] = v == 0;
	a->r[5] = bpf_task_storage_delete(&tstore, t);
	a->r[6] = bpf_task_storage_delete(&tstore, t);
	v = bpf_task_storage_get(&tstore, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return 3;
	a->r[7] = v->calls;
	v->calls += 5;
	v->tag = 42;
	a->r[8] = bpf_task_storage_delete(&tstore, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
