// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_preempt: preemption sections (bpf_preempt_disable and
 * bpf_preempt_enable, kfuncs of kernel/bpf/helpers.c's common set) as the
 * 6.18 verifier checks them, one program per rule; corpus group preempt
 * (test/verifier/corpus/preempt.ts) records the verdicts. The kfuncs nest
 * (a count); an enable without a disable, an exit from the main program
 * inside a section, sleepable helpers and kfuncs inside one are refused;
 * helpers that do not sleep, static and global functions, RCU sections and
 * spin locks inside one are looked at too.
 */
#include "common.h"

extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_throw(u64 cookie) __ksym;
extern int bpf_copy_from_user_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign, u64 flags) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} jmp SEC(".maps");

struct lelem {
	struct bpf_spin_lock lock;
	int v;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct lelem);
} locks SEC(".maps");

SEC("tc")
int pair_ok(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	return 0;
}

SEC("socket")
int pair_socket_ok(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
int nest3_ok(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
int unmatched_enable(struct __sk_buff *skb)
{
	bpf_preempt_enable();
	return 0;
}

/* two disables, three enables: the third has nothing to match */
SEC("tc")
int enable_too_many(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
int exit_disabled(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	return 0;
}

/* three disables, two enables: still inside at the exit */
SEC("tc")
int exit_nest_missing_one(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	return 0;
}

/* enabled on one path only */
SEC("tc")
int exit_one_path(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	if (skb->len > 100)
		return 1;
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
int helper_inside_ok(struct __sk_buff *skb)
{
	u32 r;

	bpf_preempt_disable();
	r = bpf_get_prandom_u32();
	bpf_preempt_enable();
	return r & 1;
}

SEC("syscall")
int sleepable_helper_inside(void *ctx)
{
	char buf[8];

	bpf_preempt_disable();
	bpf_copy_from_user(buf, sizeof(buf), NULL);
	bpf_preempt_enable();
	return 0;
}

SEC("syscall")
int sleepable_helper_after_ok(void *ctx)
{
	char buf[8];

	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_copy_from_user(buf, sizeof(buf), NULL);
	return 0;
}

SEC("syscall")
int sleepable_kfunc_inside(void *ctx)
{
	char buf[8];

	bpf_preempt_disable();
	bpf_copy_from_user_str(buf, sizeof(buf), NULL, 0);
	bpf_preempt_enable();
	return 0;
}

SEC("syscall")
int sleepable_kfunc_after_ok(void *ctx)
{
	char buf[8];

	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_copy_from_user_str(buf, sizeof(buf), NULL, 0);
	return 0;
}

static __noinline int static_fn(int v)
{
	return v + 1;
}

SEC("tc")
int static_call_inside_ok(struct __sk_buff *skb)
{
	int r;

	bpf_preempt_disable();
	r = static_fn(skb->len);
	bpf_preempt_enable();
	return r & 1;
}

static __noinline int enable_fn(int v)
{
	bpf_preempt_enable();
	return v;
}

/* disabled in the main program, enabled in a static subprogram */
SEC("tc")
int enable_in_subprog_ok(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	return enable_fn(0);
}

static __noinline int disable_fn(int v)
{
	bpf_preempt_disable();
	return v;
}

/* a static subprogram returns with preemption disabled, the caller enables */
SEC("tc")
int disable_in_subprog_ok(struct __sk_buff *skb)
{
	int r = disable_fn(0);

	bpf_preempt_enable();
	return r;
}

/* a static subprogram returns with preemption disabled, nobody enables */
SEC("tc")
int disable_in_subprog_leak(struct __sk_buff *skb)
{
	return disable_fn(0);
}

__noinline int global_fn(int v)
{
	return v + 2;
}

SEC("tc")
int global_call_inside(struct __sk_buff *skb)
{
	int r;

	bpf_preempt_disable();
	r = global_fn(skb->len);
	bpf_preempt_enable();
	return r & 1;
}

__noinline int global_disable(int v)
{
	bpf_preempt_disable();
	return v;
}

/* a global function that disables without enabling */
SEC("tc")
int global_unbalanced(struct __sk_buff *skb)
{
	int r = global_disable(skb->len);

	return r & 1;
}

__noinline int global_sleeps(int v)
{
	char buf[8];

	bpf_copy_from_user(buf, sizeof(buf), NULL);
	return v;
}

SEC("syscall")
int global_sleepable_inside(void *ctx)
{
	int r;

	bpf_preempt_disable();
	r = global_sleeps(1);
	bpf_preempt_enable();
	return r;
}

SEC("syscall")
int global_sleepable_after_ok(void *ctx)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	return global_sleeps(1);
}

SEC("tc")
int tail_call_inside(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_tail_call(skb, &jmp, 0);
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
int tail_call_after_ok(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_tail_call(skb, &jmp, 0);
	return 0;
}

SEC("tc")
int throw_inside(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	if (skb->len > 100)
		bpf_throw(0);
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
int throw_after_ok(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	if (skb->len > 100)
		bpf_throw(0);
	return 0;
}

SEC("tc")
int rcu_inside_ok(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	bpf_preempt_enable();
	return 0;
}

/* the sections interleave: rcu, preempt, rcu end, preempt end */
SEC("tc")
int rcu_interleaved_ok(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_preempt_disable();
	bpf_rcu_read_unlock();
	bpf_preempt_enable();
	return 0;
}

/* an RCU section left open inside a preemption section */
SEC("tc")
int rcu_left_open(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_rcu_read_lock();
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
int spin_lock_inside_ok(struct __sk_buff *skb)
{
	u32 k = 0;
	struct lelem *e = bpf_map_lookup_elem(&locks, &k);

	if (!e)
		return 0;
	bpf_preempt_disable();
	bpf_spin_lock(&e->lock);
	e->v++;
	bpf_spin_unlock(&e->lock);
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
int disable_under_spin_lock(struct __sk_buff *skb)
{
	u32 k = 0;
	struct lelem *e = bpf_map_lookup_elem(&locks, &k);

	if (!e)
		return 0;
	bpf_spin_lock(&e->lock);
	bpf_preempt_disable();
	e->v++;
	bpf_preempt_enable();
	bpf_spin_unlock(&e->lock);
	return 0;
}

/* an unchecked loop count of disables and enables in turn: state pruning keeps the count */
SEC("tc")
int loop_balanced_ok(struct __sk_buff *skb)
{
	for (int i = 0; i < 4; i++) {
		bpf_preempt_disable();
		bpf_preempt_enable();
	}
	return 0;
}

static int loop_cb(u32 i, void *ctx)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
int callback_balanced_ok(struct __sk_buff *skb)
{
	bpf_loop(4, loop_cb, NULL, 0);
	return 0;
}

static int loop_cb_leak(u32 i, void *ctx)
{
	bpf_preempt_disable();
	return 0;
}

SEC("tc")
int callback_leak(struct __sk_buff *skb)
{
	bpf_loop(4, loop_cb_leak, NULL, 0);
	return 0;
}

SEC("tc")
int callback_inside_ok(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_loop(4, loop_cb, NULL, 0);
	bpf_preempt_enable();
	return 0;
}

SEC("socket")
int ld_abs_inside(struct __sk_buff *skb)
{
	u64 r;

	bpf_preempt_disable();
	/* LD_ABS (r6 = the skb, r0 = byte 0 of the packet) */
	asm volatile("r6 = %1; r0 = *(u8 *)skb[0]; %0 = r0" : "=r"(r) : "r"(skb) : "r0", "r1", "r2", "r3", "r4", "r5", "r6");
	bpf_preempt_enable();
	return r;
}

char LICENSE[] SEC("license") = "GPL";
