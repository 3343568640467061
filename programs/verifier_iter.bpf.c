// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_iter: open-coded iterators (the numbers iterator bpf_iter_num of
 * kernel/bpf/bpf_iter.c) for the verifier corpus (test/verifier/corpus/iter.ts).
 * Each program is loaded on its own as BPF_PROG_TYPE_SYSCALL.
 *
 *   sum_ok            bpf_for_each(num) over [0, 100) summing the values
 *                     (accepted: the loop converges at the _next call, the
 *                     sum widened there)
 *   nested_ok         two nested iterators (accepted)
 *   value_checked     the element, bounds-checked, indexes a stack array
 *                     (accepted)
 *   no_destroy        new and next without destroy (refused: the
 *                     iterator's reference leaks)
 *   double_new        new twice on the same iterator (refused)
 *   next_uninit       next on an iterator that was never created (refused)
 *   deref_unchecked   *next() without a NULL check (refused: NULL when the
 *                     iterator is drained)
 *   read_slot         the iterator's stack bytes read as a u64 (refused)
 *   subprog_next      a static subprogram advances the caller's iterator
 *                     (accepted)
 *   subprog_leak      a static subprogram creates an iterator and returns
 *                     without destroying it (refused)
 *   early_break       breaks out of the loop on the first even value
 *                     (accepted: the cleanup destroys it on every path)
 *   nested_same_slot  a second iterator created in the loop body on the
 *                     first one's stack slots (refused)
 */
#include "common.h"

struct bpf_iter_num {
	u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

/* libbpf 1.1 has no bpf_for_each; the same for-loop with a cleanup destroy */
#define for_each_num(cur, start, end)						\
	for (struct bpf_iter_num ___it						\
		     __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),	\
	     *___once __attribute__((unused)) =					\
		     (bpf_iter_num_new(&___it, (start), (end)),			\
		      (void)bpf_iter_num_destroy, (void *)0);			\
	     ((cur) = bpf_iter_num_next(&___it));)

u64 out;

SEC("syscall")
int sum_ok(void *ctx)
{
	int *v;
	u64 sum = 0;

	for_each_num(v, 0, 100)
		sum += *v;
	out = sum;
	return 0;
}

SEC("syscall")
int nested_ok(void *ctx)
{
	int *a, *b;
	u64 sum = 0;

	for_each_num(a, 0, 10)
		for_each_num(b, 0, 10)
			sum += *a * *b;
	out = sum;
	return 0;
}

SEC("syscall")
int value_checked(void *ctx)
{
	u64 slots[16] = {};
	int *v;

	for_each_num(v, 0, 16) {
		int x = *v;

		if (x >= 0 && x < 16)
			slots[x] = 1;
	}
	out = slots[5];
	return 0;
}

SEC("syscall")
int no_destroy(void *ctx)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 3);
	while ((v = bpf_iter_num_next(&it)))
		out += *v;
	return 0;
}

SEC("syscall")
int double_new(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("syscall")
int next_uninit(void *ctx)
{
	struct bpf_iter_num it;
	int *v;

	v = bpf_iter_num_next(&it);
	if (v)
		out = *v;
	return 0;
}

SEC("syscall")
int deref_unchecked(void *ctx)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 3);
	v = bpf_iter_num_next(&it);
	out = *v;
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("syscall")
int read_slot(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	out = *(volatile u64 *)&it;
	bpf_iter_num_destroy(&it);
	return 0;
}

static __attribute__((noinline)) int take(struct bpf_iter_num *it)
{
	int *v = bpf_iter_num_next(it);

	return v ? *v : -1;
}

SEC("syscall")
int subprog_next(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 5);
	out = take(&it) + take(&it);
	bpf_iter_num_destroy(&it);
	return 0;
}

static __attribute__((noinline)) int make(int n)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, n);
	return 0;
}

SEC("syscall")
int subprog_leak(void *ctx)
{
	return make(3);
}

SEC("syscall")
int early_break(void *ctx)
{
	int *v;

	for_each_num(v, 1, 50) {
		if ((*v & 1) == 0) {
			out = *v;
			break;
		}
	}
	return 0;
}

SEC("syscall")
int nested_same_slot(void *ctx)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 3);
	while ((v = bpf_iter_num_next(&it))) {
		bpf_iter_num_new(&it, 0, 3);
		out += *v;
	}
	bpf_iter_num_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
