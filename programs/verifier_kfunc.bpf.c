// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_kfunc: kfunc references and KF_* flags as the 6.18 verifier
 * checks them, one program per rule; the corpus group kfunc
 * (test/verifier/corpus/kfunc.ts) records the verdicts: references from
 * KF_ACQUIRE kfuncs (bpf_cpumask_create, bpf_task_acquire) released by
 * KF_RELEASE kfuncs on every path, no use after release, release only of an
 * acquired pointer, KF_RET_NULL results checked before use, KF_TRUSTED_ARGS
 * and KF_RCU arguments, and bpf_kptr_xchg moving a reference into a map
 * value's __kptr field and the old one out.
 */
#include "common.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct cpumask {
	unsigned long bits[1];
};
struct bpf_cpumask {
	struct cpumask cpumask;
};
struct task_struct {
	int pid;
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct task_struct *group_leader;
};
#pragma clang attribute pop

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern struct bpf_cpumask *bpf_cpumask_acquire(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym;
extern u32 bpf_cpumask_first(const struct cpumask *cpumask) __ksym;
extern int bpf_cpumask_populate(struct cpumask *cpumask, void *src, unsigned long src__sz) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct val {
	struct bpf_cpumask __kptr *mask;
	u64 plain;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct val);
} kmap SEC(".maps");

static struct val *lookup(void)
{
	u32 key = 0;

	return bpf_map_lookup_elem(&kmap, &key);
}

SEC("syscall")
int kf_acquire_release_ok(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_set_cpu(0, m);
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int kf_acquire_leak(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_set_cpu(0, m);
	return 0;
}

SEC("syscall")
int kf_leak_one_path(int *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	if (*c == 7)
		return 1;
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int kf_use_after_release(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_release(m);
	bpf_cpumask_set_cpu(0, m);
	return 0;
}

SEC("syscall")
int kf_double_release(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_release(m);
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int kf_release_unacquired(void *c)
{
	struct task_struct *t = bpf_get_current_task_btf();

	bpf_task_release(t);
	return 0;
}

SEC("syscall")
int kf_ret_null_unchecked(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	bpf_cpumask_set_cpu(0, m);
	if (m)
		bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int kf_release_null(void *c)
{
	bpf_cpumask_release(NULL);
	return 0;
}

SEC("syscall")
int kf_task_acquire_ok(void *c)
{
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("syscall")
int kf_task_acquire_walked(void *c)
{
	struct task_struct *t = bpf_get_current_task_btf()->parent;
	struct task_struct *a = bpf_task_acquire(t);

	if (a)
		bpf_task_release(a);
	return 0;
}

SEC("syscall")
int kf_task_from_pid_ok(void *c)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	bpf_task_release(t);
	return 0;
}

SEC("syscall")
int kf_task_from_pid_leak(void *c)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	return t->pid;
}

SEC("syscall")
int kf_acquire_twice_ok(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create(), *n;

	if (!m)
		return 0;
	n = bpf_cpumask_acquire(m);
	bpf_cpumask_release(n);
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int kf_trusted_arg_kptr(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *m, *n;

	if (!v)
		return 0;
	m = v->mask;
	if (!m)
		return 0;
	n = bpf_cpumask_acquire(m);
	bpf_cpumask_release(n);
	return 0;
}

SEC("syscall")
int kf_rcu_arg_kptr_outside(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *m;

	if (!v)
		return 0;
	m = v->mask;
	if (!m)
		return 0;
	return bpf_cpumask_first(&m->cpumask);
}

SEC("syscall")
int kf_rcu_arg_kptr_inside_ok(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *m;
	int r = 0;

	if (!v)
		return 0;
	bpf_rcu_read_lock();
	m = v->mask;
	if (m)
		r = bpf_cpumask_first(&m->cpumask);
	bpf_rcu_read_unlock();
	return r;
}

SEC("syscall")
int kf_kptr_xchg_ok(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *m, *old;

	if (!v)
		return 0;
	m = bpf_cpumask_create();
	if (!m)
		return 0;
	old = bpf_kptr_xchg(&v->mask, m);
	if (old)
		bpf_cpumask_release(old);
	return 0;
}

SEC("syscall")
int kf_kptr_xchg_leak_old(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *m;

	if (!v)
		return 0;
	m = bpf_cpumask_create();
	if (!m)
		return 0;
	bpf_kptr_xchg(&v->mask, m);
	return 0;
}

SEC("syscall")
int kf_kptr_xchg_use_after_move(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *m, *old;

	if (!v)
		return 0;
	m = bpf_cpumask_create();
	if (!m)
		return 0;
	old = bpf_kptr_xchg(&v->mask, m);
	if (old)
		bpf_cpumask_release(old);
	bpf_cpumask_set_cpu(0, m);
	return 0;
}

SEC("syscall")
int kf_kptr_xchg_take_ok(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *m;

	if (!v)
		return 0;
	m = bpf_kptr_xchg(&v->mask, NULL);
	if (m)
		bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int kf_kptr_xchg_not_kptr(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *m, *old;

	if (!v)
		return 0;
	m = bpf_cpumask_create();
	if (!m)
		return 0;
	old = bpf_kptr_xchg((struct bpf_cpumask **)&v->plain, m);
	if (old)
		bpf_cpumask_release(old);
	return 0;
}

SEC("syscall")
int kf_kptr_xchg_unreferenced(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *old;

	if (!v)
		return 0;
	old = bpf_kptr_xchg(&v->mask, (struct bpf_cpumask *)bpf_get_current_task_btf());
	if (old)
		bpf_cpumask_release(old);
	return 0;
}

SEC("syscall")
int kf_kptr_store_direct(void *c)
{
	struct val *v = lookup();
	struct bpf_cpumask *m;

	if (!v)
		return 0;
	m = bpf_cpumask_create();
	if (!m)
		return 0;
	v->mask = m;
	return 0;
}

SEC("syscall")
int kf_rcu_walk_inside_ok(void *c)
{
	struct task_struct *p, *a;

	bpf_rcu_read_lock();
	p = bpf_get_current_task_btf()->real_parent;
	a = bpf_task_acquire(p);
	bpf_rcu_read_unlock();
	if (a)
		bpf_task_release(a);
	return 0;
}

SEC("syscall")
int kf_rcu_walk_after_unlock(void *c)
{
	struct task_struct *p, *a;

	bpf_rcu_read_lock();
	p = bpf_get_current_task_btf()->real_parent;
	bpf_rcu_read_unlock();
	a = bpf_task_acquire(p);
	if (a)
		bpf_task_release(a);
	return 0;
}

SEC("syscall")
int kf_rcu_walk_unlisted_inside(void *c)
{
	struct task_struct *p, *a;

	bpf_rcu_read_lock();
	p = bpf_get_current_task_btf()->parent;
	a = bpf_task_acquire(p);
	bpf_rcu_read_unlock();
	if (a)
		bpf_task_release(a);
	return 0;
}

SEC("syscall")
int kf_mem_size_ok(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	u64 bits = 5;
	int r;

	if (!m)
		return 0;
	r = bpf_cpumask_populate(&m->cpumask, &bits, sizeof(bits));
	bpf_cpumask_release(m);
	return r;
}

SEC("syscall")
int kf_mem_size_too_big(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	u64 bits = 5;
	int r;

	if (!m)
		return 0;
	r = bpf_cpumask_populate(&m->cpumask, &bits, 16);
	bpf_cpumask_release(m);
	return r;
}

SEC("syscall")
int kf_mem_size_unbounded(u64 *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	u64 bits[4] = {};
	int r;

	if (!m)
		return 0;
	r = bpf_cpumask_populate(&m->cpumask, bits, *c);
	bpf_cpumask_release(m);
	return r;
}

SEC("socket")
int kf_not_allowed_socket(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (m)
		bpf_cpumask_release(m);
	return 0;
}

SEC("tc")
int kf_task_from_pid_tc_ok(void *c)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (t)
		bpf_task_release(t);
	return 0;
}

char _license[] SEC("license") = "GPL";
