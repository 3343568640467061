// SPDX-License-Identifier: GPL-2.0
/*
 * iters_kern: the open-coded iterators over kernel objects of 6.18
 * (kernel/bpf/task_iter.c, kernel/bpf/cgroup_iter.c): bpf_iter_task,
 * bpf_iter_css and bpf_iter_css_task. Two kinds of program:
 *
 *   v_*   verifier corpus cases (test/verifier/corpus/iterk.ts), each loaded
 *         on its own; SEC("syscall") programs are sleepable, SEC("tc") and
 *         SEC("iter/task") ones are not.
 *   rt_*  run-time programs (test/kernel/kfuncs/iters.test.ts), test-run with
 *         a struct rt_args ctx; results in map rt_out.
 */
#include "common.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct kernfs_node {
	u64 id;
};
struct cgroup;
struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys_state *parent;
};
struct cgroup {
	struct cgroup_subsys_state self;
	int level;
	struct kernfs_node *kn;
};
struct css_set {
	struct cgroup *dfl_cgrp;
};
struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct css_set *cgroups;
};
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
};
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};
#pragma clang attribute pop

struct bpf_iter_task {
	u64 __opaque[3];
} __attribute__((aligned(8)));
struct bpf_iter_css {
	u64 __opaque[3];
} __attribute__((aligned(8)));
struct bpf_iter_css_task {
	u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task__nullable, unsigned int flags) __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __ksym;
extern int bpf_iter_css_new(struct bpf_iter_css *it, struct cgroup_subsys_state *start, unsigned int flags) __ksym;
extern struct cgroup_subsys_state *bpf_iter_css_next(struct bpf_iter_css *it) __ksym;
extern void bpf_iter_css_destroy(struct bpf_iter_css *it) __ksym;
extern int bpf_iter_css_task_new(struct bpf_iter_css_task *it, struct cgroup_subsys_state *css, unsigned int flags) __ksym;
extern struct task_struct *bpf_iter_css_task_next(struct bpf_iter_css_task *it) __ksym;
extern void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;

/* flags (include/uapi/linux/bpf.h, kernel/bpf/task_iter.c, include/linux/cgroup.h) */
#define ALL_PROCS 0
#define ALL_THREADS 1
#define PROC_THREADS 2
#define ITER_PRE 2
#define ITER_POST 3
#define ITER_UP 4
#define CSS_PROCS 1

/* libbpf 1.1 has no bpf_for_each: the same for-loop with a cleanup destroy */
#define for_each_it(type, cur, ...)						\
	for (struct bpf_iter_##type ___it					\
		     __attribute__((aligned(8), cleanup(bpf_iter_##type##_destroy))),	\
	     *___once __attribute__((unused)) =					\
		     (bpf_iter_##type##_new(&___it, ##__VA_ARGS__),		\
		      (void)bpf_iter_##type##_destroy, (void *)0);		\
	     ((cur) = bpf_iter_##type##_next(&___it));)

u64 out;

/* ---- verifier cases ---------------------------------------------------- */

/* all processes inside an RCU section (accepted) */
SEC("syscall")
int v_task_rcu_ok(void *ctx)
{
	struct task_struct *t;
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(task, t, NULL, ALL_PROCS)
		n += t->pid;
	bpf_rcu_read_unlock();
	out = n;
	return 0;
}

/* a sleepable program without an RCU section (refused: KF_RCU_PROTECTED) */
SEC("syscall")
int v_task_no_rcu(void *ctx)
{
	struct task_struct *t;
	u64 n = 0;

	for_each_it(task, t, NULL, ALL_PROCS)
		n += t->pid;
	out = n;
	return 0;
}

/* the RCU section ends between new and next (refused) */
SEC("syscall")
int v_task_unlock_inside(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, ALL_PROCS);
	bpf_rcu_read_unlock();
	t = bpf_iter_task_next(&it);
	if (t)
		out = t->pid;
	bpf_iter_task_destroy(&it);
	return 0;
}

/* the RCU section ends before destroy (accepted or not: destroy is not RCU protected) */
SEC("syscall")
int v_task_destroy_outside(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, ALL_PROCS);
	t = bpf_iter_task_next(&it);
	if (t)
		out = t->pid;
	bpf_rcu_read_unlock();
	bpf_iter_task_destroy(&it);
	return 0;
}

/* a non-sleepable program needs no explicit RCU section (accepted) */
SEC("tc")
int v_task_tc_ok(void *ctx)
{
	struct task_struct *t;
	u64 n = 0;

	for_each_it(task, t, NULL, ALL_THREADS)
		n++;
	out = n;
	return 0;
}

/* the threads of the current task (trusted) */
SEC("syscall")
int v_task_current_ok(void *ctx)
{
	struct task_struct *t, *cur = bpf_get_current_task_btf();
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(task, t, cur, PROC_THREADS)
		n++;
	bpf_rcu_read_unlock();
	out = n;
	return 0;
}

/* an RCU pointer (current->real_parent) as the task (refused: KF_TRUSTED_ARGS) */
SEC("syscall")
int v_task_rcu_arg(void *ctx)
{
	struct task_struct *t, *cur = bpf_get_current_task_btf();
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(task, t, cur->real_parent, PROC_THREADS)
		n++;
	bpf_rcu_read_unlock();
	out = n;
	return 0;
}

/* an acquired reference (bpf_task_from_pid) as the task (accepted) */
SEC("syscall")
int v_task_ref_arg(void *ctx)
{
	struct task_struct *t, *p = bpf_task_from_pid(1);
	u64 n = 0;

	if (!p)
		return 0;
	bpf_rcu_read_lock();
	for_each_it(task, t, p, PROC_THREADS)
		n++;
	bpf_rcu_read_unlock();
	bpf_task_release(p);
	out = n;
	return 0;
}

/* bpf_task_from_pid's result unchecked for NULL (nullable: accepted by the verifier) */
SEC("syscall")
int v_task_maybe_null_arg(void *ctx)
{
	struct task_struct *t, *p = bpf_task_from_pid(1);
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(task, t, p, PROC_THREADS)
		n++;
	bpf_rcu_read_unlock();
	if (p)
		bpf_task_release(p);
	out = n;
	return 0;
}

/* a scalar as the task (refused) */
SEC("syscall")
int v_task_scalar_arg(void *ctx)
{
	struct task_struct *t;
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(task, t, (struct task_struct *)(long)out, PROC_THREADS)
		n++;
	bpf_rcu_read_unlock();
	out = n;
	return 0;
}

/* the element read without a NULL check (refused; the log names its type) */
SEC("syscall")
int v_task_elem_unchecked(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, ALL_PROCS);
	t = bpf_iter_task_next(&it);
	out = t->pid;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}

/* an element as the task of a nested PROC_THREADS iterator (trusted or not) */
SEC("syscall")
int v_task_elem_nested(void *ctx)
{
	struct task_struct *t, *u;
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(task, t, NULL, ALL_PROCS) {
		for_each_it(task, u, t, PROC_THREADS)
			n++;
	}
	bpf_rcu_read_unlock();
	out = n;
	return 0;
}

/* an element passed to bpf_task_acquire and released (accepted) */
SEC("syscall")
int v_task_elem_acquire(void *ctx)
{
	struct task_struct *t, *r;
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(task, t, NULL, ALL_PROCS) {
		r = bpf_task_acquire(t);
		if (r) {
			n += r->pid;
			bpf_task_release(r);
		}
	}
	bpf_rcu_read_unlock();
	out = n;
	return 0;
}

/* the element read after the RCU section ended (the iterator destroyed inside it) */
SEC("syscall")
int v_task_elem_after_unlock(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, ALL_PROCS);
	t = bpf_iter_task_next(&it);
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	if (t)
		out = t->pid;
	return 0;
}

/* the section ends after next and a new one begins before destroy */
SEC("syscall")
int v_task_relock_destroy(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, ALL_PROCS);
	t = bpf_iter_task_next(&it);
	bpf_rcu_read_unlock();
	if (t)
		out = t->pid;
	bpf_rcu_read_lock();
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}

/* no destroy: the iterator leaks */
SEC("syscall")
int v_task_no_destroy(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, ALL_PROCS);
	t = bpf_iter_task_next(&it);
	if (t)
		out = t->pid;
	bpf_rcu_read_unlock();
	return 0;
}

/* a task iterator passed to bpf_iter_css_next (refused) */
SEC("syscall")
int v_task_wrong_next(void *ctx)
{
	struct bpf_iter_task it;
	struct cgroup_subsys_state *c;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, ALL_PROCS);
	c = bpf_iter_css_next((struct bpf_iter_css *)&it);
	if (c)
		out = 1;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}

/* css descendants of an acquired cgroup inside an RCU section (accepted) */
SEC("syscall")
int v_css_ok(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct cgroup_subsys_state *pos;
	u64 n = 0;

	if (!cg)
		return 0;
	bpf_rcu_read_lock();
	for_each_it(css, pos, &cg->self, ITER_PRE)
		n += pos->cgroup->kn->id;
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* the same without an RCU section in a sleepable program (refused) */
SEC("syscall")
int v_css_no_rcu(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct cgroup_subsys_state *pos;
	u64 n = 0;

	if (!cg)
		return 0;
	for_each_it(css, pos, &cg->self, ITER_POST)
		n++;
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* an RCU css (current->cgroups->dfl_cgrp->self) as the start (refused: trusted args) */
SEC("syscall")
int v_css_rcu_start(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct cgroup_subsys_state *pos;
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(css, pos, &cur->cgroups->dfl_cgrp->self, ITER_UP)
		n++;
	bpf_rcu_read_unlock();
	out = n;
	return 0;
}

/* a possibly-NULL cgroup as the start (refused) */
SEC("syscall")
int v_css_null_start(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct cgroup_subsys_state *pos;
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(css, pos, &cg->self, ITER_PRE)
		n++;
	bpf_rcu_read_unlock();
	if (cg)
		bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* the css element read without a NULL check (refused; the log names its type) */
SEC("syscall")
int v_css_elem_unchecked(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct bpf_iter_css it;
	struct cgroup_subsys_state *pos;

	if (!cg)
		return 0;
	bpf_rcu_read_lock();
	bpf_iter_css_new(&it, &cg->self, ITER_PRE);
	pos = bpf_iter_css_next(&it);
	out = (u64)pos->cgroup;
	bpf_iter_css_destroy(&it);
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return 0;
}

/* a css element as the start of a css_task iterator (trusted or not) */
SEC("syscall")
int v_css_elem_tasks(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct cgroup_subsys_state *pos;
	struct task_struct *t;
	u64 n = 0;

	if (!cg)
		return 0;
	bpf_rcu_read_lock();
	for_each_it(css, pos, &cg->self, ITER_PRE) {
		for_each_it(css_task, t, pos, CSS_PROCS)
			n++;
	}
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* css_task in a sleepable program, no RCU section needed (accepted) */
SEC("syscall")
int v_css_task_ok(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct task_struct *t;
	u64 n = 0;

	if (!cg)
		return 0;
	for_each_it(css_task, t, &cg->self, CSS_PROCS)
		n += t->pid;
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* css_task in a non-sleepable tc program (refused: the allow-list) */
SEC("tc")
int v_css_task_tc(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct task_struct *t;
	u64 n = 0;

	if (!cg)
		return 0;
	for_each_it(css_task, t, &cg->self, CSS_PROCS)
		n++;
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* css_task in an iter/task program (non-sleepable, allowed) */
SEC("iter/task")
int v_css_task_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *t;
	struct cgroup *cg;
	u64 n = 0;

	if (!ctx->task)
		return 0;
	cg = bpf_cgroup_from_id(1);
	if (!cg)
		return 0;
	for_each_it(css_task, t, &cg->self, 0)
		n++;
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* css_task inside an RCU section of a sleepable program (accepted or not) */
SEC("syscall")
int v_css_task_in_rcu(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct task_struct *t;
	u64 n = 0;

	if (!cg)
		return 0;
	bpf_rcu_read_lock();
	for_each_it(css_task, t, &cg->self, CSS_PROCS)
		n++;
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* the css_task element read without a NULL check (refused; the log names its type) */
SEC("syscall")
int v_css_task_elem_unchecked(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct bpf_iter_css_task it;
	struct task_struct *t;

	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, CSS_PROCS);
	t = bpf_iter_css_task_next(&it);
	out = t->pid;
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	return 0;
}

/* a css_task element as the task of a PROC_THREADS iterator (trusted or not) */
SEC("syscall")
int v_css_task_elem_trusted(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct task_struct *t, *u;
	u64 n = 0;

	if (!cg)
		return 0;
	bpf_rcu_read_lock();
	for_each_it(css_task, t, &cg->self, CSS_PROCS) {
		for_each_it(task, u, t, PROC_THREADS)
			n++;
	}
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* a css_task element passed to bpf_task_acquire (KF_RCU: an RCU or trusted pointer) */
SEC("syscall")
int v_css_task_elem_acquire(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct task_struct *t, *r;
	u64 n = 0;

	if (!cg)
		return 0;
	for_each_it(css_task, t, &cg->self, CSS_PROCS) {
		r = bpf_task_acquire(t);
		if (r) {
			n += r->pid;
			bpf_task_release(r);
		}
	}
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* a NULL constant as the task of PROC_THREADS (the verifier accepts; -EINVAL at run time) */
SEC("syscall")
int v_task_null_proc_threads(void *ctx)
{
	struct task_struct *t;
	u64 n = 0;

	bpf_rcu_read_lock();
	for_each_it(task, t, NULL, PROC_THREADS)
		n++;
	bpf_rcu_read_unlock();
	out = n;
	return 0;
}

/* the css iterator in a non-sleepable iter/task program without an explicit RCU section */
SEC("iter/task")
int v_css_iter_prog(struct bpf_iter__task *ctx)
{
	struct cgroup_subsys_state *pos;
	struct cgroup *cg;
	u64 n = 0;

	if (!ctx->task)
		return 0;
	cg = bpf_cgroup_from_id(1);
	if (!cg)
		return 0;
	for_each_it(css, pos, &cg->self, ITER_PRE)
		n++;
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* the task iterator in a sleepable iter.s/task program without an RCU section */
SEC("iter.s/task")
int v_task_iter_s_no_rcu(struct bpf_iter__task *ctx)
{
	struct task_struct *t;
	u64 n = 0;

	for_each_it(task, t, NULL, ALL_PROCS)
		n++;
	out = n;
	return 0;
}

/* css_task in a sleepable iter.s/task program */
SEC("iter.s/task")
int v_css_task_iter_s(struct bpf_iter__task *ctx)
{
	struct task_struct *t;
	struct cgroup *cg = bpf_cgroup_from_id(1);
	u64 n = 0;

	if (!cg)
		return 0;
	for_each_it(css_task, t, &cg->self, CSS_PROCS)
		n++;
	bpf_cgroup_release(cg);
	out = n;
	return 0;
}

/* the task iterator in a socket filter (every program type may call it) */
SEC("socket")
int v_task_socket_filter(void *ctx)
{
	struct task_struct *t;
	u64 n = 0;

	for_each_it(task, t, NULL, ALL_PROCS)
		n++;
	out = n;
	return 0;
}

/* ---- run-time programs ------------------------------------------------- */

/* ctx of the rt_* programs (BPF_PROG_TEST_RUN ctx_in) */
struct rt_args {
	s32 pid;	/* task of bpf_iter_task_new (0: NULL) */
	u32 flags;
	u64 cgid;	/* cgroup of the css / css_task iterators */
	s32 filter;	/* record only elements of this thread group (0: all) */
	u32 pad;
};

#define RT_MAX 64
/* what a run saw: new()'s return, the element count, the first element's pid and the recorded ones */
struct rt_out {
	s64 ret;
	u32 n;
	s32 first;
	u32 kept;
	u32 pad;
	s32 pid[RT_MAX];
	s32 tgid[RT_MAX];
	u64 cgid[RT_MAX];
	s32 level[RT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct rt_out);
} rt_out SEC(".maps");

static struct rt_out *rt_begin(void)
{
	u32 zero = 0;
	struct rt_out *o = bpf_map_lookup_elem(&rt_out, &zero);

	if (o) {
		o->ret = 0;
		o->n = 0;
		o->first = -1;
		o->kept = 0;
	}
	return o;
}

static void rt_task_seen(struct rt_out *o, struct task_struct *t, s32 filter)
{
	u32 k = o->kept;

	if (o->n++ == 0)
		o->first = t->pid;
	if (filter && t->tgid != filter)
		return;
	if (k < RT_MAX) {
		o->pid[k] = t->pid;
		o->tgid[k] = t->tgid;
		o->kept = k + 1;
	}
}

/* the task iterator with args->flags over args->pid's task (0: NULL) */
SEC("syscall")
int rt_task(struct rt_args *args)
{
	struct rt_out *o = rt_begin();
	struct task_struct *p = NULL, *t;
	struct bpf_iter_task it;

	if (!o)
		return 1;
	if (args->pid) {
		p = bpf_task_from_pid(args->pid);
		if (!p)
			return 2;
	}
	bpf_rcu_read_lock();
	o->ret = bpf_iter_task_new(&it, p, args->flags);
	while ((t = bpf_iter_task_next(&it)))
		rt_task_seen(o, t, args->filter);
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	if (p)
		bpf_task_release(p);
	return 0;
}

/* the css iterator with args->flags from cgroup args->cgid: cgroup ids and levels in order */
SEC("syscall")
int rt_css(struct rt_args *args)
{
	struct cgroup *cg = bpf_cgroup_from_id(args->cgid);
	struct rt_out *o = rt_begin();
	struct cgroup_subsys_state *pos;
	struct bpf_iter_css it;
	u32 k;

	if (!cg)
		return 2;
	if (!o) {
		bpf_cgroup_release(cg);
		return 1;
	}
	bpf_rcu_read_lock();
	o->ret = bpf_iter_css_new(&it, &cg->self, args->flags);
	while ((pos = bpf_iter_css_next(&it))) {
		k = o->kept;
		o->n++;
		if (k < RT_MAX) {
			o->cgid[k] = pos->cgroup->kn->id;
			o->level[k] = pos->cgroup->level;
			o->kept = k + 1;
		}
	}
	bpf_iter_css_destroy(&it);
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return 0;
}

/* the css_task iterator with args->flags over cgroup args->cgid */
SEC("syscall")
int rt_css_task(struct rt_args *args)
{
	struct cgroup *cg = bpf_cgroup_from_id(args->cgid);
	struct rt_out *o = rt_begin();
	struct bpf_iter_css_task it;
	struct task_struct *t;

	if (!cg)
		return 2;
	if (!o) {
		bpf_cgroup_release(cg);
		return 1;
	}
	o->ret = bpf_iter_css_task_new(&it, &cg->self, args->flags);
	while ((t = bpf_iter_css_task_next(&it)))
		rt_task_seen(o, t, args->filter);
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
