// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_findvma: bpf_find_vma (helper 180) as the 6.18 verifier checks
 * it, one program per rule; the corpus group findvma
 * (test/verifier/corpus/findvma.ts) records the verdicts. The callback is
 * verified as a subprogram entered from the call with r1 = the task
 * argument, r2 = a struct vm_area_struct pointer (read-only BTF memory),
 * r3 = the callback ctx, and must return 0 or 1.
 */
#include "kernel.h"

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
} __attribute__((preserve_access_index));

/* kernel.h's mm_struct lists total_vm only; the owner through a flavour */
struct mm_struct___fv {
	struct task_struct *owner;
} __attribute__((preserve_access_index));

struct span {
	u64 start;
	u64 end;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct span);
} spans SEC(".maps");

static long cb_ok(struct task_struct *task, struct vm_area_struct *vma, struct span *s)
{
	s->start = vma->vm_start;
	s->end = vma->vm_end + (vma->vm_flags & 1) + task->pid;
	return 0;
}

SEC("raw_tp")
int fv_ok(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct span s = {};

	bpf_find_vma(task, (u64)(unsigned long)&s, cb_ok, &s, 0);
	return s.start != 0;
}

static long cb_null_ctx(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	return 1;
}

SEC("raw_tp")
int fv_null_ctx_ok(void *ctx)
{
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_null_ctx, NULL, 0);
}

static long cb_ret2(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	return 2;
}

SEC("raw_tp")
int fv_ret_refused(void *ctx)
{
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_ret2, NULL, 0);
}

static long cb_ret_flags(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	return vma->vm_flags;
}

SEC("raw_tp")
int fv_ret_unknown_refused(void *ctx)
{
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_ret_flags, NULL, 0);
}

static long cb_write(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	vma->vm_start = 0;
	return 0;
}

SEC("raw_tp")
int fv_vma_write_refused(void *ctx)
{
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_write, NULL, 0);
}

static long cb_beyond(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	/* not a CO-RE access: a fixed offset past the struct's 192 bytes */
	return *(volatile u64 *)((char *)vma + 200) & 1;
}

SEC("raw_tp")
int fv_vma_beyond_refused(void *ctx)
{
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_beyond, NULL, 0);
}

static long cb_r4(struct task_struct *task, struct vm_area_struct *vma, void *ctx, u64 extra)
{
	return extra & 1;
}

SEC("raw_tp")
int fv_cb_r4_refused(void *ctx)
{
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_r4, NULL, 0);
}

static long cb_vma_as_task(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	/* the vma handed back to the helper where a task is wanted */
	return bpf_find_vma((struct task_struct *)vma, 0, cb_null_ctx, NULL, 0) & 1;
}

SEC("raw_tp")
int fv_vma_as_task_refused(void *ctx)
{
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_vma_as_task, NULL, 0);
}

SEC("raw_tp")
int fv_task_scalar_refused(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return bpf_find_vma(task, 0, cb_null_ctx, NULL, 0);
}

SEC("raw_tp")
int fv_task_parent_rcu(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return bpf_find_vma(task->real_parent, 0, cb_null_ctx, NULL, 0);
}

SEC("raw_tp")
int fv_task_untrusted_refused(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return bpf_find_vma(((struct mm_struct___fv *)task->mm)->owner, 0, cb_null_ctx, NULL, 0);
}

SEC("raw_tp")
int fv_ctx_map_value_refused(void *ctx)
{
	u32 k = 0;
	struct span *s = bpf_map_lookup_elem(&spans, &k);

	if (!s)
		return 0;
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_ok, s, 0);
}

SEC("raw_tp")
int fv_flags_ok(void *ctx)
{
	/* flags are ARG_ANYTHING: a non-zero value loads (-EINVAL at run time) */
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_null_ctx, NULL, 1) & 1;
}

SEC("socket")
int fv_socket_filter(void *ctx)
{
	/* bpf_base_func_proto offers bpf_find_vma to every type; the task must be trusted */
	return bpf_find_vma(bpf_get_current_task_btf(), 0, cb_null_ctx, NULL, 0) & 1;
}

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("syscall")
int fv_acquired_task(void *ctx)
{
	/* bpf_task_acquire is not offered to raw_tp: a sleepable syscall program.
	 * A referenced task; the helper's result is a plain scalar that outlives the release */
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());
	long r;

	if (!t)
		return 0;
	r = bpf_find_vma(t, 0, cb_null_ctx, NULL, 0);
	bpf_task_release(t);
	return r & 1;
}

SEC("syscall")
int fv_task_null_refused(void *ctx)
{
	/* a task that may be NULL (not checked) */
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());
	long r = bpf_find_vma(t, 0, cb_null_ctx, NULL, 0);

	if (t)
		bpf_task_release(t);
	return r & 1;
}

char _license[] SEC("license") = "GPL";
