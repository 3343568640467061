// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_kfargs: kfunc arguments and results by their BTF types, as the
 * 6.18 verifier checks them (check_kfunc_args, get_kfunc_ptr_arg_type,
 * process_kf_arg_ptr_to_btf_id, check_kfunc_call's return typing), one
 * program per rule; the corpus group kfargs (test/verifier/corpus/kfargs.ts)
 * records the verdicts: a struct pointer of the wrong BTF type (strict for
 * release arguments, otherwise walking first members at offset 0), pointers
 * that are not BTF pointers where a struct is expected, scalars where a
 * pointer is and pointers where a scalar is, the ctx arguments of the dynptr
 * kfuncs, `__map` and `__ign` parameters, and the rdonly memory
 * bpf_iter_num_next returns. Programs written in assembly pass what C cannot
 * (a pointer in a scalar parameter, an uninitialised register).
 */
#include "common.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct cpumask {
	unsigned long bits[1];
};
struct bpf_cpumask {
	struct cpumask cpumask;
};
struct task_struct {
	int pid;
};
#pragma clang attribute pop

struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern struct bpf_cpumask *bpf_cpumask_acquire(struct bpf_cpumask *cpumask) __ksym;
extern u32 bpf_cpumask_first(const struct cpumask *cpumask) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_cpumask_populate(struct cpumask *cpumask, void *src, unsigned long src__sz) __ksym;
extern void *bpf_arena_alloc_pages(void *p__map, void *addr__ign, u32 page_cnt, int node_id, u64 flags) __ksym;
extern void bpf_arena_free_pages(void *p__map, void *ptr__ign, u32 page_cnt) __ksym;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

#define __imm(name) [name] "i"(name)
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} amap SEC(".maps");

/* --- struct arguments by BTF type --- */

SEC("syscall")
int kfa_type_mismatch(void *c)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return bpf_cpumask_first((const struct cpumask *)t);
}

SEC("syscall")
int kfa_first_member_ok(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	u32 r;

	if (!m)
		return 0;
	r = bpf_cpumask_first((const struct cpumask *)m);
	bpf_cpumask_release(m);
	return r;
}

SEC("syscall")
int kfa_first_member_field_ok(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	u32 r;

	if (!m)
		return 0;
	r = bpf_cpumask_first(&m->cpumask);
	bpf_cpumask_release(m);
	return r;
}

SEC("syscall")
int kfa_release_wrong_type(void *c)
{
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());

	if (!t)
		return 0;
	bpf_cpumask_release((struct bpf_cpumask *)t);
	return 0;
}

SEC("syscall")
int kfa_release_task_as_cpumask(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_task_release((struct task_struct *)m);
	return 0;
}

SEC("syscall")
int kfa_trusted_wrong_type(void *c)
{
	struct bpf_cpumask *m;

	m = bpf_cpumask_acquire((struct bpf_cpumask *)bpf_get_current_task_btf());
	if (m)
		bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int kfa_rcu_wrong_type(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	struct task_struct *t;

	if (!m)
		return 0;
	t = bpf_task_acquire((struct task_struct *)m);
	if (t)
		bpf_task_release(t);
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int kfa_stack_as_task(void *c)
{
	char buf[16] = {};
	struct task_struct *t = bpf_task_acquire((struct task_struct *)buf);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("syscall")
int kfa_map_value_as_task(void *c)
{
	u32 key = 0;
	u64 *v = bpf_map_lookup_elem(&amap, &key);
	struct task_struct *t;

	if (!v)
		return 0;
	t = bpf_task_acquire((struct task_struct *)v);
	if (t)
		bpf_task_release(t);
	return 0;
}

/*
 * The kfuncs the assembly programs call are also called from C (clang emits
 * BTF for an extern only when C code references it).
 */
SEC("syscall")
int kfa_from_pid_ok(void *c)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("syscall")
__attribute__((naked)) int kfa_scalar_as_ptr(void)
{
	asm volatile(
	"r1 = 1234;"
	"call %[bpf_cpumask_first];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_cpumask_first) : __clobber_all);
}

SEC("syscall")
__attribute__((naked)) int kfa_ptr_as_scalar(void)
{
	asm volatile(
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = r10;"
	"r1 += -8;"
	"call %[bpf_task_from_pid];"
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"call %[bpf_task_release];"
	"1: r0 = 0;"
	"exit;"
	:: __imm(bpf_task_from_pid), __imm(bpf_task_release) : __clobber_all);
}

SEC("syscall")
__attribute__((naked)) int kfa_uninit_scalar(void)
{
	asm volatile(
	"call %[bpf_get_prandom_u32];"
	"call %[bpf_task_from_pid];"
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"call %[bpf_task_release];"
	"1: r0 = 0;"
	"exit;"
	:: __imm(bpf_get_prandom_u32), __imm(bpf_task_from_pid), __imm(bpf_task_release) : __clobber_all);
}

SEC("syscall")
__attribute__((naked)) int kfa_uninit_ptr(void)
{
	asm volatile(
	"call %[bpf_get_prandom_u32];"
	"call %[bpf_task_acquire];"
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"call %[bpf_task_release];"
	"1: r0 = 0;"
	"exit;"
	:: __imm(bpf_get_prandom_u32), __imm(bpf_task_acquire), __imm(bpf_task_release) : __clobber_all);
}

SEC("syscall")
__attribute__((naked)) int kfa_walked_offset(void)
{
	/* current + 8: a task_struct pointer at a fixed offset, not a cpumask */
	asm volatile(
	"call %[bpf_get_current_task_btf];"
	"r1 = r0;"
	"r1 += 8;"
	"call %[bpf_cpumask_first];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_get_current_task_btf), __imm(bpf_cpumask_first) : __clobber_all);
}

SEC("syscall")
int kfa_void_sized_btf(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_populate(&m->cpumask, bpf_get_current_task_btf(), 8);
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
__attribute__((naked)) int kfa_release_offset(void)
{
	asm volatile(
	"call %[bpf_cpumask_create];"
	"if r0 == 0 goto 1f;"
	"r1 = r0;"
	"r1 += 8;"
	"call %[bpf_cpumask_release];"
	"1: r0 = 0;"
	"exit;"
	:: __imm(bpf_cpumask_create), __imm(bpf_cpumask_release) : __clobber_all);
}

SEC("syscall")
__attribute__((naked)) int kfa_offset_into_member(void)
{
	/* a created cpumask + 8: inside its bits, not a struct cpumask */
	asm volatile(
	"call %[bpf_cpumask_create];"
	"if r0 == 0 goto 1f;"
	"r6 = r0;"
	"r1 = r0;"
	"r1 += 8;"
	"call %[bpf_cpumask_first];"
	"r1 = r6;"
	"call %[bpf_cpumask_release];"
	"1: r0 = 0;"
	"exit;"
	:: __imm(bpf_cpumask_create), __imm(bpf_cpumask_first), __imm(bpf_cpumask_release) : __clobber_all);
}

/* --- ctx arguments (KF_ARG_PTR_TO_CTX) --- */

SEC("tc")
int kfa_ctx_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_skb(skb, 0, &d);
	return 0;
}

SEC("tc")
int kfa_ctx_stack(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	char buf[200] = {};

	bpf_dynptr_from_skb((struct __sk_buff *)buf, 0, &d);
	return 0;
}

SEC("tc")
__attribute__((naked)) int kfa_ctx_offset(void)
{
	asm volatile(
	"r1 += 8;"
	"r2 = 0;"
	"r3 = r10;"
	"r3 += -16;"
	"call %[bpf_dynptr_from_skb];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_dynptr_from_skb) : __clobber_all);
}

SEC("tc")
__attribute__((naked)) int kfa_ctx_scalar(void)
{
	asm volatile(
	"r1 = 0;"
	"r2 = 0;"
	"r3 = r10;"
	"r3 += -16;"
	"call %[bpf_dynptr_from_skb];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_dynptr_from_skb) : __clobber_all);
}

SEC("xdp")
int kfa_ctx_xdp_ok(struct xdp_md *x)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_xdp(x, 0, &d);
	return 2;
}

SEC("xdp")
int kfa_ctx_xdp_stack(struct xdp_md *x)
{
	struct bpf_dynptr d;
	char buf[32] = {};

	bpf_dynptr_from_xdp((struct xdp_md *)buf, 0, &d);
	return 2;
}

/* --- __map and __ign --- */

SEC("syscall")
int kfa_map_array_ok(void *c)
{
	void *p = bpf_arena_alloc_pages(&amap, NULL, 1, -1, 0);

	return p ? 1 : 0;
}

SEC("syscall")
int kfa_map_not_map(void *c)
{
	u64 x = 0;
	void *p = bpf_arena_alloc_pages(&x, NULL, 1, -1, 0);

	return p ? 1 : 0;
}

SEC("syscall")
int kfa_free_pages_ok(void *c)
{
	bpf_arena_free_pages(&amap, NULL, 1);
	return 0;
}

SEC("syscall")
__attribute__((naked)) int kfa_map_scalar(void)
{
	asm volatile(
	"r1 = 0;"
	"r2 = 0;"
	"r3 = 1;"
	"call %[bpf_arena_free_pages];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_arena_free_pages) : __clobber_all);
}

SEC("syscall")
__attribute__((naked)) int kfa_ign_uninit(void)
{
	asm volatile(
	"r6 = %[amap] ll;"
	"call %[bpf_get_prandom_u32];"
	"r1 = r6;"
	"r3 = 1;"
	"call %[bpf_arena_free_pages];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_arena_free_pages), __imm(bpf_get_prandom_u32), [amap] "i"(&amap) : __clobber_all);
}

SEC("syscall")
__attribute__((naked)) int kfa_ign_ctx_ok(void)
{
	asm volatile(
	"r2 = r1;"
	"r1 = %[amap] ll;"
	"r3 = 1;"
	"call %[bpf_arena_free_pages];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_arena_free_pages), [amap] "i"(&amap) : __clobber_all);
}

/* --- results --- */

SEC("syscall")
int kfr_iter_next_read_ok(void *c)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, 3);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);
	return sum;
}

SEC("syscall")
int kfr_iter_next_write(void *c)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 3);
	while ((v = bpf_iter_num_next(&it)))
		*(volatile int *)v = 1;
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("syscall")
int kfr_iter_next_past_end(void *c)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, 3);
	while ((v = bpf_iter_num_next(&it)))
		sum += ((volatile int *)v)[1];
	bpf_iter_num_destroy(&it);
	return sum;
}

SEC("syscall")
__attribute__((naked)) int kfr_iter_next_unchecked(void)
{
	asm volatile(
	"r1 = r10;"
	"r1 += -8;"
	"r2 = 0;"
	"r3 = 3;"
	"call %[bpf_iter_num_new];"
	"r1 = r10;"
	"r1 += -8;"
	"call %[bpf_iter_num_next];"
	"r6 = *(u32 *)(r0 + 0);"
	"r1 = r10;"
	"r1 += -8;"
	"call %[bpf_iter_num_destroy];"
	"r0 = r6;"
	"exit;"
	:: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy) : __clobber_all);
}

SEC("syscall")
int kfr_create_unchecked_read(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	u64 b = *(volatile unsigned long *)&m->cpumask.bits[0];

	if (m)
		bpf_cpumask_release(m);
	return b;
}

SEC("syscall")
int kfr_create_read_ok(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	u64 b;

	if (!m)
		return 0;
	b = m->cpumask.bits[0];
	bpf_cpumask_release(m);
	return b;
}

SEC("syscall")
int kfr_create_write(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	m->cpumask.bits[0] = 1;
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int kfr_read_after_release(void *c)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_release(m);
	return m->cpumask.bits[0];
}

char _license[] SEC("license") = "GPL";
