// SPDX-License-Identifier: GPL-2.0
/*
 * reslock: resilient spin locks (bpf_res_spin_lock, bpf_res_spin_unlock and
 * their _irqsave/_irqrestore forms, 6.18) for the verifier corpus
 * (test/verifier/corpus/reslock.ts) and the run-time tests. Each program is
 * loaded on its own. A res lock may fail: it is held only where the kfunc
 * returned 0.
 */
#include "common.h"

/* the kernel's BTF: struct bpf_res_spin_lock { u32 val; } (4 bytes) */
struct bpf_res_spin_lock {
	u32 val;
};

extern int bpf_res_spin_lock(struct bpf_res_spin_lock *lock) __ksym;
extern void bpf_res_spin_unlock(struct bpf_res_spin_lock *lock) __ksym;
extern int bpf_res_spin_lock_irqsave(struct bpf_res_spin_lock *lock, unsigned long *flags__irq_flag) __ksym;
extern void bpf_res_spin_unlock_irqrestore(struct bpf_res_spin_lock *lock, unsigned long *flags__irq_flag) __ksym;

struct elem {
	struct bpf_res_spin_lock lock;
	int v;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, struct elem);
} rlocks SEC(".maps");

struct plain_elem {
	struct bpf_spin_lock lock;
	int v;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct plain_elem);
} plocks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} nolock SEC(".maps");

static __always_inline struct elem *get(u32 k)
{
	return bpf_map_lookup_elem(&rlocks, &k);
}

/* lock, update, unlock on the 0 path */
SEC("tc")
int ok(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	e->v++;
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* the return value ignored: unlocked on the path where the lock failed too */
SEC("tc")
int unchecked(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	bpf_res_spin_lock(&e->lock);
	e->v++;
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* unlocked only where the lock failed */
SEC("tc")
int unlock_on_failure(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock)) {
		bpf_res_spin_unlock(&e->lock);
		return 0;
	}
	return 1;
}

SEC("tc")
int unlock_no_lock(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

SEC("tc")
int exit_held(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	e->v++;
	return 1;
}

/* the same pointer locked twice */
SEC("tc")
int aa_same(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	if (!bpf_res_spin_lock(&e->lock))
		bpf_res_spin_unlock(&e->lock);
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/*
 * two lookups of the same key: the verifier cannot tell they are one lock;
 * at run time the second lock detects the AA deadlock and fails. Returns
 * the second lock's return value.
 */
SEC("tc")
int aa_runtime(struct __sk_buff *skb)
{
	struct elem *a = get(0), *b = get(0);
	int r;

	if (!a || !b)
		return 1;
	if (bpf_res_spin_lock(&a->lock))
		return 2;
	r = bpf_res_spin_lock(&b->lock);
	if (!r)
		bpf_res_spin_unlock(&b->lock);
	bpf_res_spin_unlock(&a->lock);
	return r;
}

/* two different locks nested, released in reverse order */
SEC("tc")
int nest2(struct __sk_buff *skb)
{
	struct elem *a = get(0), *b = get(1);

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return 0;
	if (bpf_res_spin_lock(&b->lock)) {
		bpf_res_spin_unlock(&a->lock);
		return 0;
	}
	a->v += b->v;
	bpf_res_spin_unlock(&b->lock);
	bpf_res_spin_unlock(&a->lock);
	return 1;
}

/* two different locks released in the order they were taken */
SEC("tc")
int nest2_out_of_order(struct __sk_buff *skb)
{
	struct elem *a = get(0), *b = get(1);

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return 0;
	if (bpf_res_spin_lock(&b->lock)) {
		bpf_res_spin_unlock(&a->lock);
		return 0;
	}
	bpf_res_spin_unlock(&a->lock);
	bpf_res_spin_unlock(&b->lock);
	return 1;
}

/* nested locks: every element looked up first (no helper call inside a section) */
#define LOOK(n) struct elem *e##n = get(n); if (!e##n) return 0;
#define LOCK(n) if (bpf_res_spin_lock(&e##n->lock)) goto out##n;
#define UNLOCK(n) bpf_res_spin_unlock(&e##n->lock); out##n:

/* eight locks held at once */
SEC("tc")
int nest8(struct __sk_buff *skb)
{
	LOOK(0) LOOK(1) LOOK(2) LOOK(3) LOOK(4) LOOK(5) LOOK(6) LOOK(7)
	LOCK(0) LOCK(1) LOCK(2) LOCK(3) LOCK(4) LOCK(5) LOCK(6) LOCK(7)
	UNLOCK(7) UNLOCK(6) UNLOCK(5) UNLOCK(4) UNLOCK(3) UNLOCK(2) UNLOCK(1) UNLOCK(0)
	return 1;
}

/* 31 locks held at once */
SEC("tc")
int nest31(struct __sk_buff *skb)
{
	LOOK(0) LOOK(1) LOOK(2) LOOK(3) LOOK(4) LOOK(5) LOOK(6) LOOK(7) LOOK(8) LOOK(9) LOOK(10) LOOK(11) LOOK(12) LOOK(13) LOOK(14) LOOK(15) LOOK(16) LOOK(17) LOOK(18) LOOK(19) LOOK(20) LOOK(21) LOOK(22) LOOK(23) LOOK(24) LOOK(25) LOOK(26) LOOK(27) LOOK(28) LOOK(29) LOOK(30)
	LOCK(0) LOCK(1) LOCK(2) LOCK(3) LOCK(4) LOCK(5) LOCK(6) LOCK(7) LOCK(8) LOCK(9) LOCK(10) LOCK(11) LOCK(12) LOCK(13) LOCK(14) LOCK(15) LOCK(16) LOCK(17) LOCK(18) LOCK(19) LOCK(20) LOCK(21) LOCK(22) LOCK(23) LOCK(24) LOCK(25) LOCK(26) LOCK(27) LOCK(28) LOCK(29) LOCK(30)
	UNLOCK(30) UNLOCK(29) UNLOCK(28) UNLOCK(27) UNLOCK(26) UNLOCK(25) UNLOCK(24) UNLOCK(23) UNLOCK(22) UNLOCK(21) UNLOCK(20) UNLOCK(19) UNLOCK(18) UNLOCK(17) UNLOCK(16) UNLOCK(15) UNLOCK(14) UNLOCK(13) UNLOCK(12) UNLOCK(11) UNLOCK(10) UNLOCK(9) UNLOCK(8) UNLOCK(7) UNLOCK(6) UNLOCK(5) UNLOCK(4) UNLOCK(3) UNLOCK(2) UNLOCK(1) UNLOCK(0)
	return 1;
}

/* 32 locks held at once */
SEC("tc")
int nest32(struct __sk_buff *skb)
{
	LOOK(0) LOOK(1) LOOK(2) LOOK(3) LOOK(4) LOOK(5) LOOK(6) LOOK(7) LOOK(8) LOOK(9) LOOK(10) LOOK(11) LOOK(12) LOOK(13) LOOK(14) LOOK(15) LOOK(16) LOOK(17) LOOK(18) LOOK(19) LOOK(20) LOOK(21) LOOK(22) LOOK(23) LOOK(24) LOOK(25) LOOK(26) LOOK(27) LOOK(28) LOOK(29) LOOK(30) LOOK(31)
	LOCK(0) LOCK(1) LOCK(2) LOCK(3) LOCK(4) LOCK(5) LOCK(6) LOCK(7) LOCK(8) LOCK(9) LOCK(10) LOCK(11) LOCK(12) LOCK(13) LOCK(14) LOCK(15) LOCK(16) LOCK(17) LOCK(18) LOCK(19) LOCK(20) LOCK(21) LOCK(22) LOCK(23) LOCK(24) LOCK(25) LOCK(26) LOCK(27) LOCK(28) LOCK(29) LOCK(30) LOCK(31)
	UNLOCK(31) UNLOCK(30) UNLOCK(29) UNLOCK(28) UNLOCK(27) UNLOCK(26) UNLOCK(25) UNLOCK(24) UNLOCK(23) UNLOCK(22) UNLOCK(21) UNLOCK(20) UNLOCK(19) UNLOCK(18) UNLOCK(17) UNLOCK(16) UNLOCK(15) UNLOCK(14) UNLOCK(13) UNLOCK(12) UNLOCK(11) UNLOCK(10) UNLOCK(9) UNLOCK(8) UNLOCK(7) UNLOCK(6) UNLOCK(5) UNLOCK(4) UNLOCK(3) UNLOCK(2) UNLOCK(1) UNLOCK(0)
	return 1;
}

/* 33 locks held at once */
SEC("tc")
int nest33(struct __sk_buff *skb)
{
	LOOK(0) LOOK(1) LOOK(2) LOOK(3) LOOK(4) LOOK(5) LOOK(6) LOOK(7) LOOK(8) LOOK(9) LOOK(10) LOOK(11) LOOK(12) LOOK(13) LOOK(14) LOOK(15) LOOK(16) LOOK(17) LOOK(18) LOOK(19) LOOK(20) LOOK(21) LOOK(22) LOOK(23) LOOK(24) LOOK(25) LOOK(26) LOOK(27) LOOK(28) LOOK(29) LOOK(30) LOOK(31) LOOK(32)
	LOCK(0) LOCK(1) LOCK(2) LOCK(3) LOCK(4) LOCK(5) LOCK(6) LOCK(7) LOCK(8) LOCK(9) LOCK(10) LOCK(11) LOCK(12) LOCK(13) LOCK(14) LOCK(15) LOCK(16) LOCK(17) LOCK(18) LOCK(19) LOCK(20) LOCK(21) LOCK(22) LOCK(23) LOCK(24) LOCK(25) LOCK(26) LOCK(27) LOCK(28) LOCK(29) LOCK(30) LOCK(31) LOCK(32)
	UNLOCK(32) UNLOCK(31) UNLOCK(30) UNLOCK(29) UNLOCK(28) UNLOCK(27) UNLOCK(26) UNLOCK(25) UNLOCK(24) UNLOCK(23) UNLOCK(22) UNLOCK(21) UNLOCK(20) UNLOCK(19) UNLOCK(18) UNLOCK(17) UNLOCK(16) UNLOCK(15) UNLOCK(14) UNLOCK(13) UNLOCK(12) UNLOCK(11) UNLOCK(10) UNLOCK(9) UNLOCK(8) UNLOCK(7) UNLOCK(6) UNLOCK(5) UNLOCK(4) UNLOCK(3) UNLOCK(2) UNLOCK(1) UNLOCK(0)
	return 1;
}

/* a bpf_spin_lock taken while a res lock is held */
SEC("tc")
int mix_res_then_spin(struct __sk_buff *skb)
{
	struct elem *e = get(0);
	u32 k = 0;
	struct plain_elem *p = bpf_map_lookup_elem(&plocks, &k);

	if (!e || !p)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_spin_lock(&p->lock);
	p->v++;
	bpf_spin_unlock(&p->lock);
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* a res lock taken while a bpf_spin_lock is held */
SEC("tc")
int mix_spin_then_res(struct __sk_buff *skb)
{
	struct elem *e = get(0);
	u32 k = 0;
	struct plain_elem *p = bpf_map_lookup_elem(&plocks, &k);

	if (!e || !p)
		return 0;
	bpf_spin_lock(&p->lock);
	if (!bpf_res_spin_lock(&e->lock)) {
		e->v++;
		bpf_res_spin_unlock(&e->lock);
	}
	bpf_spin_unlock(&p->lock);
	return 1;
}

/* bpf_res_spin_lock on a bpf_spin_lock field */
SEC("tc")
int res_on_spin_field(struct __sk_buff *skb)
{
	u32 k = 0;
	struct plain_elem *p = bpf_map_lookup_elem(&plocks, &k);

	if (!p)
		return 0;
	if (bpf_res_spin_lock((struct bpf_res_spin_lock *)&p->lock))
		return 0;
	bpf_res_spin_unlock((struct bpf_res_spin_lock *)&p->lock);
	return 1;
}

/* bpf_res_spin_lock on a map value without a lock */
SEC("tc")
int res_no_field(struct __sk_buff *skb)
{
	u32 k = 0;
	u64 *p = bpf_map_lookup_elem(&nolock, &k);

	if (!p)
		return 0;
	if (bpf_res_spin_lock((struct bpf_res_spin_lock *)p))
		return 0;
	bpf_res_spin_unlock((struct bpf_res_spin_lock *)p);
	return 1;
}

SEC("tc")
int irqsave_ok(struct __sk_buff *skb)
{
	struct elem *e = get(0);
	unsigned long flags;

	if (!e)
		return 0;
	if (bpf_res_spin_lock_irqsave(&e->lock, &flags))
		return 0;
	e->v++;
	bpf_res_spin_unlock_irqrestore(&e->lock, &flags);
	return 1;
}

/* irqsave paired with the plain unlock */
SEC("tc")
int irqsave_plain_unlock(struct __sk_buff *skb)
{
	struct elem *e = get(0);
	unsigned long flags;

	if (!e)
		return 0;
	if (bpf_res_spin_lock_irqsave(&e->lock, &flags))
		return 0;
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* the plain lock paired with irqrestore of flags never saved */
SEC("tc")
int irqrestore_no_save(struct __sk_buff *skb)
{
	struct elem *e = get(0);
	unsigned long flags = 0;

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_res_spin_unlock_irqrestore(&e->lock, &flags);
	return 1;
}

/* the irq flag slot overwritten inside the section */
SEC("tc")
int irqsave_flag_clobbered(struct __sk_buff *skb)
{
	struct elem *e = get(0);
	volatile unsigned long flags;

	if (!e)
		return 0;
	if (bpf_res_spin_lock_irqsave(&e->lock, (unsigned long *)&flags))
		return 0;
	flags = 0;
	bpf_res_spin_unlock_irqrestore(&e->lock, (unsigned long *)&flags);
	return 1;
}

/* two irqsave locks restored in the wrong order */
SEC("tc")
int irqsave_out_of_order(struct __sk_buff *skb)
{
	struct elem *a = get(0), *b = get(1);
	unsigned long fa, fb;

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock_irqsave(&a->lock, &fa))
		return 0;
	if (bpf_res_spin_lock_irqsave(&b->lock, &fb)) {
		bpf_res_spin_unlock_irqrestore(&a->lock, &fa);
		return 0;
	}
	bpf_res_spin_unlock_irqrestore(&a->lock, &fa);
	bpf_res_spin_unlock_irqrestore(&b->lock, &fb);
	return 1;
}

/* two irqsave locks restored in reverse order */
SEC("tc")
int irqsave_nest2(struct __sk_buff *skb)
{
	struct elem *a = get(0), *b = get(1);
	unsigned long fa, fb;

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock_irqsave(&a->lock, &fa))
		return 0;
	if (bpf_res_spin_lock_irqsave(&b->lock, &fb)) {
		bpf_res_spin_unlock_irqrestore(&a->lock, &fa);
		return 0;
	}
	bpf_res_spin_unlock_irqrestore(&b->lock, &fb);
	bpf_res_spin_unlock_irqrestore(&a->lock, &fa);
	return 1;
}

/* a helper call inside the section */
SEC("tc")
int helper_inside(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	e->v = bpf_get_prandom_u32();
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* a bpf_loop-free static subprogram call inside the section */
static __noinline int add_one(int v)
{
	return v + 1;
}

SEC("tc")
int subprog_inside(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	e->v = add_one(e->v);
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* the lock word read directly */
SEC("tc")
int direct_read(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	return e->lock.val;
}

/* irqrestore of the inner lock with the outer lock's flag */
SEC("tc")
int irq_flag_swapped(struct __sk_buff *skb)
{
	struct elem *a = get(0), *b = get(1);
	unsigned long fa, fb;

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock_irqsave(&a->lock, &fa))
		return 0;
	if (bpf_res_spin_lock_irqsave(&b->lock, &fb)) {
		bpf_res_spin_unlock_irqrestore(&a->lock, &fa);
		return 0;
	}
	bpf_res_spin_unlock_irqrestore(&b->lock, &fa);
	bpf_res_spin_unlock_irqrestore(&a->lock, &fb);
	return 1;
}

/* one flag slot saved twice (two locks) */
SEC("tc")
int irq_flag_reused(struct __sk_buff *skb)
{
	struct elem *a = get(0), *b = get(1);
	unsigned long f;

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock_irqsave(&a->lock, &f))
		return 0;
	if (bpf_res_spin_lock_irqsave(&b->lock, &f)) {
		bpf_res_spin_unlock_irqrestore(&a->lock, &f);
		return 0;
	}
	bpf_res_spin_unlock_irqrestore(&b->lock, &f);
	bpf_res_spin_unlock_irqrestore(&a->lock, &f);
	return 1;
}

/* a plain res lock nested inside an irqsave one */
SEC("tc")
int irq_then_plain(struct __sk_buff *skb)
{
	struct elem *a = get(0), *b = get(1);
	unsigned long fa;

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock_irqsave(&a->lock, &fa))
		return 0;
	if (!bpf_res_spin_lock(&b->lock))
		bpf_res_spin_unlock(&b->lock);
	bpf_res_spin_unlock_irqrestore(&a->lock, &fa);
	return 1;
}

__noinline int global_fn(int v)
{
	return v + 1;
}

/* a global function called inside the section */
SEC("tc")
int global_inside(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	e->v = global_fn(e->v);
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

static __noinline int take(struct elem *e)
{
	return bpf_res_spin_lock(&e->lock);
}

/* locked in a static subprogram, unlocked by the caller */
SEC("tc")
int lock_in_subprog(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (take(e))
		return 0;
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* the lock pointer at a variable offset */
SEC("tc")
int var_off(struct __sk_buff *skb)
{
	struct elem *e = get(0);
	u32 i = skb->len & 1;

	if (!e)
		return 0;
	if (bpf_res_spin_lock((struct bpf_res_spin_lock *)((char *)e + i * 4)))
		return 0;
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* the lock pointer at the wrong constant offset (the int after it) */
SEC("tc")
int wrong_off(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock((struct bpf_res_spin_lock *)&e->v))
		return 0;
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* the lock taken inside an RCU read-side section and released before its end */
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tc")
int in_rcu(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	bpf_rcu_read_lock();
	if (!bpf_res_spin_lock(&e->lock)) {
		e->v++;
		bpf_res_spin_unlock(&e->lock);
	}
	bpf_rcu_read_unlock();
	return 1;
}

/* bpf_rcu_read_lock called with the lock held */
SEC("tc")
int rcu_inside(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* the value written through the pointer after the unlock (allowed: the lock only guards the section) */
SEC("tc")
int write_after_unlock(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_res_spin_unlock(&e->lock);
	e->v = 7;
	return e->v;
}

/* the accepted pairing in a socket filter and in a cgroup skb program */
SEC("socket")
int ok_socket(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e || bpf_res_spin_lock(&e->lock))
		return 0;
	e->v++;
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

SEC("cgroup_skb/ingress")
int ok_cgroup_skb(struct __sk_buff *skb)
{
	struct elem *e = get(0);

	if (!e || bpf_res_spin_lock(&e->lock))
		return 0;
	e->v++;
	bpf_res_spin_unlock(&e->lock);
	return 1;
}

/* an open-coded numbers iterator inside the section (accepted by 6.18) */
struct bpf_iter_num {
	u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

SEC("tc")
int iter_inside(struct __sk_buff *skb)
{
	struct elem *e = get(0);
	struct bpf_iter_num it;
	int *n, sum = 0;

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_iter_num_new(&it, 0, 3);
	while ((n = bpf_iter_num_next(&it)))
		sum += *n;
	bpf_iter_num_destroy(&it);
	e->v = sum;
	bpf_res_spin_unlock(&e->lock);
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
