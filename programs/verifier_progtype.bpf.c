// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_progtype: program-type rules of the 6.18 verifier, one program
 * per rule; the corpus group progtype (test/verifier/corpus/progtype.ts)
 * records the verdicts: bpf_tail_call with a reference held, inside a spin
 * lock, inside an RCU read-side section and inside a bpf_loop callback,
 * a tail call from a subprogram, and sleepable-only helpers.
 */
#include "common.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u32);
} jt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct lval {
	struct bpf_spin_lock lock;
	u32 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct lval);
} lmap SEC(".maps");

SEC("tc")
int tail_ok(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jt, 0);
	return 0;
}

SEC("tc")
int tail_with_ref(struct __sk_buff *skb)
{
	u64 *r = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!r)
		return 0;
	bpf_tail_call(skb, &jt, 0);
	bpf_ringbuf_discard(r, 0);
	return 0;
}

SEC("tc")
int tail_after_release_ok(struct __sk_buff *skb)
{
	u64 *r = bpf_ringbuf_reserve(&rb, 8, 0);

	if (r)
		bpf_ringbuf_discard(r, 0);
	bpf_tail_call(skb, &jt, 0);
	return 0;
}

SEC("tc")
int tail_in_lock(struct __sk_buff *skb)
{
	u32 key = 0;
	struct lval *v = bpf_map_lookup_elem(&lmap, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_tail_call(skb, &jt, 0);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc")
int tail_in_rcu(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_tail_call(skb, &jt, 0);
	bpf_rcu_read_unlock();
	return 0;
}

struct cb_ctx {
	struct __sk_buff *skb;
};

static int cb_tail(u32 i, void *ctx)
{
	bpf_tail_call(((struct cb_ctx *)ctx)->skb, &jt, 0);
	return 0;
}

SEC("tc")
int tail_in_callback(struct __sk_buff *skb)
{
	struct cb_ctx c = { skb };

	bpf_loop(1, cb_tail, &c, 0);
	return 0;
}

static int cb_tail_var(u32 i, void *ctx)
{
	struct __sk_buff *skb = ((struct cb_ctx *)ctx)->skb;

	bpf_tail_call(skb, &jt, skb->len & 1);
	return 0;
}

SEC("tc")
int tail_in_callback_var_index(struct __sk_buff *skb)
{
	struct cb_ctx c = { skb };

	bpf_loop(1, cb_tail_var, &c, 0);
	return 0;
}

static __attribute__((noinline)) int sub_tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jt, 1);
	return skb->len;
}

SEC("tc")
int tail_in_subprog_ok(struct __sk_buff *skb)
{
	return sub_tail(skb) & 1;
}

static __attribute__((noinline)) int sub_tail_big(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jt, 1);
	return skb->len;
}

SEC("tc")
int tail_in_subprog_big_stack(struct __sk_buff *skb)
{
	volatile char buf[300];

	buf[0] = 1;
	buf[299] = skb->len;
	return (sub_tail_big(skb) + buf[0] + buf[299]) & 1;
}

SEC("syscall")
int sleepable_copy_ok(void *ctx)
{
	char buf[8];

	return bpf_copy_from_user(buf, sizeof(buf), 0);
}

SEC("tp_btf/sched_switch")
int nonsleepable_copy(void *ctx)
{
	char buf[8];

	return bpf_copy_from_user(buf, sizeof(buf), 0) & 0;
}

char _license[] SEC("license") = "GPL";
