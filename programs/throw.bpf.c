// SPDX-License-Identifier: GPL-2.0
/*
 * throw: BPF exceptions (bpf_throw and exception callbacks, 6.18) for the
 * verifier corpus (test/verifier/corpus/throw.ts) and the run-time tests.
 * Each program is loaded on its own; the tc programs are run with a packet
 * whose length decides whether they throw (len > 20 throws).
 *
 * bpf_throw(cookie) unwinds every frame and returns from the program with the
 * exception callback's return value. The callback is named by a BTF decl_tag
 * "exception_callback:<fn>" on the main program (bpf_experimental.h's
 * __exception_cb); without one the kernel's default callback runs.
 *
 * libbpf 1.1 (the headers and the live loader here) does not know the tag, so
 * a program whose callback is otherwise unreferenced would be loaded without
 * it: each such program also calls its callback behind the frozen .rodata
 * knob `never` (0), a branch the verifier proves dead.
 */
#include "common.h"

extern void bpf_throw(u64 cookie) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

#define __exception_cb(name) __attribute__((btf_decl_tag("exception_callback:" #name)))
/* bpf_assert-style: throw with cookie 0 unless the condition holds */
#define throw_unless(cond, cookie) do { if (!(cond)) bpf_throw(cookie); } while (0)

const volatile int never = 0;
u64 sink;
/* reference the callback without calling it: its address stored behind the dead knob */
#define KEEP(fn) do { if (never) sink = (u64)(void *)fn; } while (0)

struct elem {
	struct bpf_spin_lock lock;
	int v;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct elem);
} locked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} slots SEC(".maps");

__noinline int cb_plus100(u64 cookie)
{
	return cookie + 100;
}

__noinline int cb_rand(u64 cookie)
{
	return bpf_get_prandom_u32();
}

__noinline int cb_two_args(u64 cookie, u64 other)
{
	return cookie + other;
}

/* no callback: the default one runs */
SEC("tc")
int throw_default(struct __sk_buff *skb)
{
	if (skb->len > 20)
		bpf_throw(7);
	return 1;
}

SEC("tc")
__exception_cb(cb_plus100)
int throw_cb(struct __sk_buff *skb)
{
	KEEP(cb_plus100);
	if (skb->len > 20)
		bpf_throw(skb->len);
	return 1;
}

static __noinline int deep2(struct __sk_buff *skb)
{
	if (skb->len > 20)
		bpf_throw(3);
	return skb->len & 1;
}

static __noinline int deep1(struct __sk_buff *skb)
{
	return deep2(skb) + 10;
}

/* thrown two static frames down */
SEC("tc")
__exception_cb(cb_plus100)
int throw_static_subprog(struct __sk_buff *skb)
{
	KEEP(cb_plus100);
	return deep1(skb) + 1;
}

__noinline int global_thrower(int len)
{
	if (len > 20)
		bpf_throw(5);
	return len & 1;
}

/* thrown from a global function */
SEC("tc")
__exception_cb(cb_plus100)
int throw_global_subprog(struct __sk_buff *skb)
{
	KEEP(cb_plus100);
	return global_thrower(skb->len) + 2;
}

static int loop_cb(u32 i, void *ctx)
{
	u32 *len = ctx;

	if (i == 2 && *len > 20)
		bpf_throw(9);
	return 0;
}

/* thrown inside a bpf_loop callback */
SEC("tc")
__exception_cb(cb_plus100)
int throw_in_loop(struct __sk_buff *skb)
{
	u32 len = skb->len;

	KEEP(cb_plus100);
	bpf_loop(4, loop_cb, &len, 0);
	return 3;
}

/* the assertion narrows the index: slots[idx] is in range after it */
SEC("tc")
int assert_bounds(struct __sk_buff *skb)
{
	u32 idx = skb->len - 14;
	u64 *v;

	throw_unless(idx < 8, 11);
	v = bpf_map_lookup_elem(&slots, &idx);
	if (!v)
		return 0;
	return 2;
}

/* the callback returns an unbounded scalar */
SEC("tc")
__exception_cb(cb_rand)
int throw_cb_rand(struct __sk_buff *skb)
{
	KEEP(cb_rand);
	if (skb->len > 20)
		bpf_throw(1);
	return 1;
}

/* the callback takes two arguments */
SEC("tc")
__exception_cb(cb_two_args)
int throw_cb_two_args(struct __sk_buff *skb)
{
	KEEP(cb_two_args);
	if (skb->len > 20)
		bpf_throw(1);
	return 1;
}

/* the callback is also called directly on a live path */
SEC("tc")
__exception_cb(cb_plus100)
int throw_cb_called(struct __sk_buff *skb)
{
	if (skb->len > 20)
		bpf_throw(1);
	return cb_plus100(skb->len) & 1;
}

/* bpf_throw with a socket reference held */
SEC("tc")
int throw_with_ref(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), -1, 0);
	if (!sk)
		return 0;
	if (skb->len > 20)
		bpf_throw(1);
	bpf_sk_release(sk);
	return 1;
}

/* the reference released before the throw */
SEC("tc")
int throw_after_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), -1, 0);
	if (!sk)
		return 0;
	bpf_sk_release(sk);
	if (skb->len > 20)
		bpf_throw(1);
	return 1;
}

/* bpf_throw while holding a bpf_spin_lock */
SEC("tc")
int throw_with_lock(struct __sk_buff *skb)
{
	u32 k = 0;
	struct elem *e = bpf_map_lookup_elem(&locked, &k);

	if (!e)
		return 0;
	bpf_spin_lock(&e->lock);
	if (skb->len > 20)
		bpf_throw(1);
	e->v++;
	bpf_spin_unlock(&e->lock);
	return 1;
}

/* bpf_throw inside an RCU read section */
SEC("tc")
int throw_in_rcu(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	if (skb->len > 20)
		bpf_throw(1);
	bpf_rcu_read_unlock();
	return 1;
}

/* bpf_throw from a socket filter (not a type of the generic kfunc set) */
SEC("socket")
int throw_socket(struct __sk_buff *skb)
{
	if (skb->len > 20)
		bpf_throw(1);
	return 1;
}

/* bpf_throw from an XDP program with the default callback */
SEC("xdp")
int throw_xdp(struct xdp_md *ctx)
{
	if (ctx->data_end - ctx->data > 20)
		bpf_throw(5);
	return XDP_PASS;
}

__noinline int cb_bit(u64 cookie)
{
	return cookie & 1;
}

/* cgroup_skb returns 0 or 1: a callback returning an unbounded scalar */
SEC("cgroup_skb/ingress")
__exception_cb(cb_rand)
int cg_throw_cb_rand(struct __sk_buff *skb)
{
	KEEP(cb_rand);
	if (skb->len > 20)
		bpf_throw(1);
	return 1;
}

/* cgroup_skb: a callback returning cookie & 1 */
SEC("cgroup_skb/ingress")
__exception_cb(cb_bit)
int cg_throw_cb_bit(struct __sk_buff *skb)
{
	KEEP(cb_bit);
	if (skb->len > 20)
		bpf_throw(3);
	return 1;
}

/* cgroup_skb with the default callback and cookie 7 (outside 0..1) */
SEC("cgroup_skb/ingress")
int cg_throw_default(struct __sk_buff *skb)
{
	if (skb->len > 20)
		bpf_throw(7);
	return 1;
}

/* the modern libbpf shape: the callback is referenced by nothing but the tag
 * (libbpf 1.1 leaves it out, so the live kernel refuses this one; bpfemu's
 * loader appends it as libbpf 1.3+ does) */
SEC("tc")
__exception_cb(cb_plus100)
int throw_cb_tag_only(struct __sk_buff *skb)
{
	if (skb->len > 20)
		bpf_throw(skb->len);
	return 1;
}

/* cgroup_skb with the default callback and an unbounded cookie */
SEC("cgroup_skb/ingress")
int cg_throw_default_len(struct __sk_buff *skb)
{
	if (skb->len > 20)
		bpf_throw(skb->len);
	return 1;
}

__noinline int cb_throws(u64 cookie)
{
	if (cookie > 5)
		bpf_throw(1);
	return 0;
}

/* an exception callback that throws itself */
SEC("tc")
__exception_cb(cb_throws)
int throw_cb_throws(struct __sk_buff *skb)
{
	KEEP(cb_throws);
	if (skb->len > 20)
		bpf_throw(9);
	return 1;
}

static __noinline int cb_static(u64 cookie)
{
	return cookie + 1;
}

/* a static function as the exception callback */
SEC("tc")
__exception_cb(cb_static)
int throw_cb_static(struct __sk_buff *skb)
{
	KEEP(cb_static);
	if (skb->len > 20)
		bpf_throw(9);
	return 1;
}

static __noinline int thrower(u32 len)
{
	if (len > 20)
		bpf_throw(1);
	return 0;
}

/* the caller holds a socket reference while a static subprogram throws */
SEC("tc")
int throw_ref_in_caller(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	int r;

	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), -1, 0);
	if (!sk)
		return 0;
	r = thrower(skb->len);
	bpf_sk_release(sk);
	return r;
}

/* every path throws */
SEC("tc")
int throw_always(struct __sk_buff *skb)
{
	bpf_throw(4);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
