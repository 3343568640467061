// SPDX-License-Identifier: GPL-2.0
/*
 * arena_list: a linked list in a BPF arena (BPF_MAP_TYPE_ARENA), in the style
 * of the kernel selftests' arena_list: elements come from a bump allocator
 * that takes one page at a time from bpf_arena_alloc_pages; the list head,
 * its length and the allocator state are `__arena` globals (address space 1,
 * section .addr_space.1, which libbpf places at the start of the arena).
 * User space reads the same pages through its mmap of the arena.
 *
 * Programs, SEC("syscall") (sleepable, as the arena kfuncs require), ctx
 * struct list_args:
 *   list_push   pushes n elements with values start, start + step, ...
 *               (n at most 64 per run); 0, or 1 with err = -ENOMEM when
 *               the arena has no page left
 *   list_sum    walks the list from its head: sum of the values, length,
 *               the head's user address, pages taken so far, and `magic`
 *               (an initialised __arena global)
 *   list_pop    removes up to n elements from the head; returns how many
 *   page_ops    bpf_arena_alloc_pages / bpf_arena_free_pages edge cases and
 *               fault-is-zero loads, results in struct page_args
 *
 * Example: push n 3 start 10 step 5 (values 10 15 20), then list_sum gives
 * sum 45, len 3, pages 1 (3 x 16-byte elements fit one page).
 */
#include "common.h"

/* linux-libc-dev 6.1 predates BPF_MAP_TYPE_ARENA (33) and BPF_F_SEGV_ON_FAULT */
#define MAP_TYPE_ARENA 33
#define __arena __attribute__((address_space(1)))
#define NUMA_NO_NODE (-1)
#define PAGE_SIZE 4096
#define ARENA_PAGES 8

struct {
	__uint(type, MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, ARENA_PAGES);
} arena SEC(".maps");

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id, __u64 flags) __ksym;
void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym;

struct elem {
	struct elem __arena *next;
	__u64 value;
};

struct elem __arena *__arena list_head;
__u64 __arena list_len;
__u64 __arena pages_taken;
char __arena *__arena bump_page;
__u32 __arena bump_off;
__u64 __arena magic = 0x600dcafe;

static void __arena *bump_alloc(__u32 size)
{
	void __arena *p;

	size = (size + 7) & ~7;
	if (!bump_page || bump_off + size > PAGE_SIZE) {
		bump_page = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
		if (!bump_page)
			return NULL;
		pages_taken++;
		bump_off = 0;
	}
	p = bump_page + bump_off;
	bump_off += size;
	return p;
}

struct list_args {
	__u64 n;
	__u64 start;
	__u64 step;
	__u64 sum;
	__u64 len;
	__u64 head;
	__u64 pages;
	__u64 magic;
	__s64 err;
};

SEC("syscall")
int list_push(struct list_args *a)
{
	__u64 n = a->n, v = a->start, step = a->step;

	for (int i = 0; i < 64; i++) {
		struct elem __arena *e;

		if (i >= n)
			break;
		e = bump_alloc(sizeof(*e));
		if (!e) {
			a->err = -12;
			return 1;
		}
		e->value = v;
		e->next = list_head;
		list_head = e;
		list_len++;
		v += step;
	}
	return 0;
}

SEC("syscall")
int list_sum(struct list_args *a)
{
	struct elem __arena *e = list_head;
	__u64 sum = 0, len = 0;

	for (int i = 0; i < 512 && e; i++) {
		sum += e->value;
		len++;
		e = e->next;
	}
	a->sum = sum;
	a->len = len;
	a->head = (__u64)list_head;
	a->pages = pages_taken;
	a->magic = magic;
	return len == list_len ? 0 : 1;
}

SEC("syscall")
int list_pop(struct list_args *a)
{
	__u64 n = a->n, popped = 0;

	for (int i = 0; i < 64; i++) {
		struct elem __arena *e = list_head;

		if (i >= n || !e)
			break;
		list_head = e->next;
		list_len--;
		popped++;
	}
	return popped;
}

struct page_args {
	__u64 zero_pages;	/* alloc of 0 pages: NULL */
	__u64 too_many;		/* alloc of more pages than the arena: NULL */
	__u64 bad_flags;	/* alloc with flags != 0: NULL */
	__u64 first;		/* one page */
	__u64 fixed;		/* at first + 2 pages */
	__u64 fixed_again;	/* the same address again: NULL */
	__u64 unaligned;	/* at first + 2 pages + 8: NULL */
	__u64 read_back;	/* a value written to first and read back */
	__u64 after_free;	/* read of first after freeing it: 0 */
	__u64 after_store;	/* store to the freed page, then read: 0 */
	__u64 unallocated;	/* read of first + 1 page (never allocated): 0 */
	__u64 realloc;		/* alloc of one page after the free: first again */
};

SEC("syscall")
int page_ops(struct page_args *a)
{
	__u64 __arena *p;
	__u64 __arena *q;

	a->zero_pages = (__u64)bpf_arena_alloc_pages(&arena, NULL, 0, NUMA_NO_NODE, 0);
	a->too_many = (__u64)bpf_arena_alloc_pages(&arena, NULL, ARENA_PAGES + 1, NUMA_NO_NODE, 0);
	a->bad_flags = (__u64)bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 1);
	p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	a->first = (__u64)p;
	if (!p)
		return 1;
	q = bpf_arena_alloc_pages(&arena, (char __arena *)p + 2 * PAGE_SIZE, 1, NUMA_NO_NODE, 0);
	a->fixed = (__u64)q;
	a->fixed_again = (__u64)bpf_arena_alloc_pages(&arena, (char __arena *)p + 2 * PAGE_SIZE, 1, NUMA_NO_NODE, 0);
	a->unaligned = (__u64)bpf_arena_alloc_pages(&arena, (char __arena *)p + 2 * PAGE_SIZE + 8, 1, NUMA_NO_NODE, 0);
	*p = 0x1122334455667788ULL;
	a->read_back = *(volatile __u64 __arena *)p;
	a->unallocated = *(volatile __u64 __arena *)((char __arena *)p + PAGE_SIZE);
	bpf_arena_free_pages(&arena, p, 1);
	a->after_free = *(volatile __u64 __arena *)p;
	*(volatile __u64 __arena *)p = 7;
	a->after_store = *(volatile __u64 __arena *)p;
	a->realloc = (__u64)bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
