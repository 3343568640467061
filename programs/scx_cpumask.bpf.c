// SPDX-License-Identifier: GPL-2.0
/*
 * scx_cpumask: the bpf_cpumask kfuncs and bpf_kptr_xchg as sched_ext
 * schedulers use them, in BPF_PROG_TYPE_SYSCALL programs a test runs with
 * BPF_PROG_TEST_RUN (the kfuncs are in the tracing, struct_ops and syscall
 * sets):
 *
 *   ops        builds masks A and B from the ctx's two u64 bitmaps (CPUs
 *              0..63, set one CPU at a time), then records in `res` what
 *              every query and operation gives (raw first longs of the
 *              results, firsts, weights, booleans, four distributed picks)
 *   stash      creates a mask with CPU ctx.cpu and swaps it into the map
 *              `stash`, releasing what was there before
 *   unstash    takes the mask out of `stash` (NULL in its place) and
 *              records its first CPU, then releases it
 *   refs       create, acquire, release, release: the object is freed
 */
#include "scx/common.bpf.h"

struct args {
	u64 a;
	u64 b;
	u32 cpu;
	u32 pad;
};

struct result {
	u64 and_bits, or_bits, xor_bits, copy_bits, setall_bits, clear_bits;
	u32 first_a, first_zero_a, first_and, weight_a, weight_setall;
	u32 dist[4], and_dist[4];
	u8 and_nonempty, equal, equal_self, intersects, subset, empty_a, full_a, full_setall;
	u8 test_cpu, test_and_set, after_set, test_and_clear, after_clear;
	s32 stashed_first;
	u32 pad;
};

struct stash_val {
	struct bpf_cpumask __kptr *mask;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct stash_val);
} stash_map SEC(".maps");

struct result res;

static void fill(struct bpf_cpumask *m, u64 bits)
{
	for (u32 i = 0; i < 64; i++)
		if (bits & (1ULL << i))
			bpf_cpumask_set_cpu(i, m);
}

SEC("syscall")
int ops(struct args *ctx)
{
	struct bpf_cpumask *a, *b, *d;
	u32 cpu = ctx->cpu;
	int i;

	a = bpf_cpumask_create();
	b = bpf_cpumask_create();
	d = bpf_cpumask_create();
	if (!a || !b || !d)
		goto out;
	fill(a, ctx->a);
	fill(b, ctx->b);

	res.and_nonempty = bpf_cpumask_and(d, cast_mask(a), cast_mask(b));
	res.and_bits = d->cpumask.bits[0];
	bpf_cpumask_or(d, cast_mask(a), cast_mask(b));
	res.or_bits = d->cpumask.bits[0];
	bpf_cpumask_xor(d, cast_mask(a), cast_mask(b));
	res.xor_bits = d->cpumask.bits[0];
	bpf_cpumask_copy(d, cast_mask(a));
	res.copy_bits = d->cpumask.bits[0];
	res.equal_self = bpf_cpumask_equal(cast_mask(d), cast_mask(a));

	res.first_a = bpf_cpumask_first(cast_mask(a));
	res.first_zero_a = bpf_cpumask_first_zero(cast_mask(a));
	res.first_and = bpf_cpumask_first_and(cast_mask(a), cast_mask(b));
	res.weight_a = bpf_cpumask_weight(cast_mask(a));
	res.equal = bpf_cpumask_equal(cast_mask(a), cast_mask(b));
	res.intersects = bpf_cpumask_intersects(cast_mask(a), cast_mask(b));
	res.subset = bpf_cpumask_subset(cast_mask(a), cast_mask(b));
	res.empty_a = bpf_cpumask_empty(cast_mask(a));
	res.full_a = bpf_cpumask_full(cast_mask(a));
	res.test_cpu = bpf_cpumask_test_cpu(cpu, cast_mask(a));

	res.test_and_set = bpf_cpumask_test_and_set_cpu(cpu, d);
	res.after_set = bpf_cpumask_test_cpu(cpu, cast_mask(d));
	res.test_and_clear = bpf_cpumask_test_and_clear_cpu(cpu, d);
	res.after_clear = bpf_cpumask_test_cpu(cpu, cast_mask(d));

	for (i = 0; i < 4; i++) {
		res.dist[i] = bpf_cpumask_any_distribute(cast_mask(a));
		res.and_dist[i] = bpf_cpumask_any_and_distribute(cast_mask(a), cast_mask(b));
	}

	bpf_cpumask_setall(d);
	res.setall_bits = d->cpumask.bits[0];
	res.weight_setall = bpf_cpumask_weight(cast_mask(d));
	res.full_setall = bpf_cpumask_full(cast_mask(d));
	bpf_cpumask_clear(d);
	res.clear_bits = d->cpumask.bits[0];
out:
	if (a)
		bpf_cpumask_release(a);
	if (b)
		bpf_cpumask_release(b);
	if (d)
		bpf_cpumask_release(d);
	return 0;
}

SEC("syscall")
int stash(struct args *ctx)
{
	struct bpf_cpumask *m, *old;
	struct stash_val *v;
	u32 key = 0;

	v = bpf_map_lookup_elem(&stash_map, &key);
	if (!v)
		return 1;
	m = bpf_cpumask_create();
	if (!m)
		return 2;
	bpf_cpumask_set_cpu(ctx->cpu, m);
	old = bpf_kptr_xchg(&v->mask, m);
	if (old) {
		bpf_cpumask_release(old);
		return 3;
	}
	return 0;
}

SEC("syscall")
int unstash(struct args *ctx)
{
	struct bpf_cpumask *m;
	struct stash_val *v;
	u32 key = 0;

	v = bpf_map_lookup_elem(&stash_map, &key);
	if (!v)
		return 1;
	m = bpf_kptr_xchg(&v->mask, NULL);
	if (!m) {
		res.stashed_first = -1;
		return 0;
	}
	res.stashed_first = bpf_cpumask_first(cast_mask(m));
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int refs(struct args *ctx)
{
	struct bpf_cpumask *m, *m2;

	m = bpf_cpumask_create();
	if (!m)
		return 1;
	m2 = bpf_cpumask_acquire(m);
	bpf_cpumask_release(m);
	res.first_a = bpf_cpumask_first(cast_mask(m2));
	bpf_cpumask_release(m2);
	return 0;
}

char _license[] SEC("license") = "GPL";
