// SPDX-License-Identifier: GPL-2.0
/*
 * maps_queue_stack: QUEUE (FIFO) and STACK (LIFO) maps, which have no key
 * (key_size 0), driven with bpf_map_push_elem / pop_elem / peek_elem
 * (kernel/bpf/queue_stack_maps.c).
 *
 *   queue  QUEUE, 3 entries of u32
 *   stack  STACK, 3 entries of u32
 *
 * Program qs_ops, SEC("syscall"); for m = 0 (queue) and 1 (stack) the
 * results go to args->res[m][i]:
 *   0..2  push 1, 2, 3 (flags 0)         -> 0, 0, 0
 *   3     push 4 (flags 0), map full     -> -E2BIG (-7)
 *   4     push 5 with BPF_EXIST          -> 0 (queue drops its oldest
 *                                           element 1, stack its bottom
 *                                           element 1)
 *   5     peek                           -> queue 2, stack 5
 *   6..8  pop, pop, pop                  -> queue 2, 3, 5; stack 5, 3, 2
 *   9     pop on empty                   -> -ENOENT (-2)
 *   10    peek on empty                  -> -ENOENT (-2)
 *   11    push with flags 4 (invalid)    -> -EINVAL (-22)
 * Values come back as the popped value, errors as the negative errno.
 * Returns 0; the maps are empty afterwards.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 3);
	__type(value, u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 3);
	__type(value, u32);
} stack SEC(".maps");

struct qs_args {
	s64 res[2][12];
};

static __always_inline s64 pop(void *map)
{
	u32 v = 0;
	long err = bpf_map_pop_elem(map, &v);

	return err ? err : v;
}

static __always_inline s64 peek(void *map)
{
	u32 v = 0;
	long err = bpf_map_peek_elem(map, &v);

	return err ? err : v;
}

static __always_inline void run(void *map, s64 *res)
{
	u32 v;

	v = 1;
	res[0] = bpf_map_push_elem(map, &v, 0);
	v = 2;
	res[1] = bpf_map_push_elem(map, &v, 0);
	v = 3;
	res[2] = bpf_map_push_elem(map, &v, 0);
	v = 4;
	res[3] = bpf_map_push_elem(map, &v, 0);
	v = 5;
	res[4] = bpf_map_push_elem(map, &v, BPF_EXIST);
	res[5] = peek(map);
	res[6] = pop(map);
	res[7] = pop(map);
	res[8] = pop(map);
	res[9] = pop(map);
	res[10] = peek(map);
	v = 6;
	res[11] = bpf_map_push_elem(map, &v, 4);
}

SEC("syscall")
int qs_ops(struct qs_args *args)
{
	run(&queue, args->res[0]);
	run(&stack, args->res[1]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
