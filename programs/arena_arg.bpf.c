// SPDX-License-Identifier: GPL-2.0
/*
 * arena_arg: a global function with an `arg:arena` parameter (__arg_arena)
 * called with arena addresses: `__arena` globals and a page from
 * bpf_arena_alloc_pages. The function adds to the u64 its parameter points
 * to; the program returns what it reads back. This kernel refuses arena maps,
 * so the object is checked against bpfemu only (test/verifier/arena.test.ts),
 * by the rules of the 6.18 sources; the tag itself is recorded live in corpus
 * group argarena.
 *
 * Program add_twice (syscall): counter += 5 through add_to, a fresh page's
 * first u64 += 7, counter += that u64 (7): returns 12 on the first run.
 */
#include "common.h"

#define MAP_TYPE_ARENA 33
#define __arena __attribute__((address_space(1)))
#define __arg_arena __attribute__((btf_decl_tag("arg:arena")))
#define __noinline __attribute__((noinline))

struct {
	__uint(type, MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
} arena SEC(".maps");

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id, __u64 flags) __ksym;

__u64 __arena counter;

__noinline int add_to(__u64 __arena *p __arg_arena, __u64 v)
{
	if (!p)
		return -1;
	*p += v;
	return 0;
}

SEC("syscall")
int add_twice(void *c)
{
	__u64 __arena *page = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);

	add_to(&counter, 5);
	if (!page)
		return -1;
	add_to(page, 7);
	add_to(&counter, *page);
	return counter;
}

char _license[] SEC("license") = "GPL";
