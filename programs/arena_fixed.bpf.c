// SPDX-License-Identifier: GPL-2.0
/*
 * arena_fixed: an arena whose user address comes from the object (map_extra,
 * libbpf's __ulong) and whose user-space faults are SIGSEGV for pages no
 * program allocated (BPF_F_SEGV_ON_FAULT).
 *
 * Program, SEC("syscall"), ctx struct fixed_args:
 *   take_page   allocates one page (at the lowest free address, or at
 *               `want` when it is not 0), stores `value` in its first 8
 *               bytes and returns 0; `got` is the page's user address (0 and
 *               return 1 when the allocation fails)
 * Example: want 0, value 7 -> got 0x7f0000000000, the first page.
 */
#include "common.h"

#define MAP_TYPE_ARENA 33
#define F_SEGV_ON_FAULT (1U << 17)
#define __arena __attribute__((address_space(1)))
#define NUMA_NO_NODE (-1)
/* libbpf 1.1's bpf_helpers.h has no __ulong yet (1.3 added it) */
#ifndef __ulong
#define __ulong(name, val) enum { ___bpf_concat(__unique_value, __COUNTER__) = val } name
#endif

struct {
	__uint(type, MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE | F_SEGV_ON_FAULT);
	__uint(max_entries, 4);
	__ulong(map_extra, 0x7f0000000000ULL);
} fixed SEC(".maps");

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id, __u64 flags) __ksym;

struct fixed_args {
	__u64 want;
	__u64 value;
	__u64 got;
};

SEC("syscall")
int take_page(struct fixed_args *a)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&fixed, (void __arena *)a->want, 1, NUMA_NO_NODE, 0);

	a->got = (__u64)p;
	if (!p)
		return 1;
	*p = a->value;
	return 0;
}

char _license[] SEC("license") = "GPL";
