// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_global: global functions verified once against their BTF
 * signature, with the argument tags of 6.18 (decl_tag "arg:ctx", "arg:nonnull",
 * "arg:nullable", "arg:trusted"), one program per rule; the corpus group
 * global (test/verifier/corpus/global.ts) records the verdicts.
 */
#include "common.h"

#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))
#define __arg_nonnull __attribute__((btf_decl_tag("arg:nonnull")))
#define __arg_nullable __attribute__((btf_decl_tag("arg:nullable")))
#define __arg_trusted __attribute__((btf_decl_tag("arg:trusted")))

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct task_struct {
	int pid;
	struct task_struct *parent;
};
#pragma clang attribute pop

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

__noinline int g_ctx(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("tc")
int global_ctx_ok(struct __sk_buff *skb)
{
	return g_ctx(skb) & 1;
}

SEC("tc")
int global_ctx_not_ctx(struct __sk_buff *skb)
{
	struct __sk_buff fake = {};

	return g_ctx(&fake) & 1;
}

__noinline int g_arg_ctx(void *ctx __arg_ctx)
{
	return bpf_get_hash_recalc(ctx);
}

SEC("tc")
int global_arg_ctx_ok(struct __sk_buff *skb)
{
	return g_arg_ctx(skb) & 1;
}

__noinline int g_mem_deref(int *p)
{
	return *p;
}

SEC("tc")
int global_mem_nullable_deref(struct __sk_buff *skb)
{
	int x = skb->len;

	return g_mem_deref(&x) & 1;
}

__noinline int g_mem_checked(int *p)
{
	if (!p)
		return 0;
	return *p;
}

SEC("tc")
int global_mem_checked_ok(struct __sk_buff *skb)
{
	int x = skb->len;

	return (g_mem_checked(&x) + g_mem_checked(NULL)) & 1;
}

__noinline int g_nonnull(int *p __arg_nonnull)
{
	return *p;
}

SEC("tc")
int global_nonnull_ok(struct __sk_buff *skb)
{
	int x = skb->len;

	return g_nonnull(&x) & 1;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, int);
} hmap SEC(".maps");

SEC("tc")
int global_nonnull_maybe_null(struct __sk_buff *skb)
{
	u32 key = 0;

	return g_nonnull(bpf_map_lookup_elem(&hmap, &key)) & 1;
}

SEC("tc")
int global_nullable_maybe_null_ok(struct __sk_buff *skb)
{
	u32 key = 0;

	return g_mem_checked(bpf_map_lookup_elem(&hmap, &key)) & 1;
}

__noinline int g_trusted(struct task_struct *t __arg_trusted)
{
	struct task_struct *a = bpf_task_acquire(t);

	if (a)
		bpf_task_release(a);
	return 0;
}

SEC("syscall")
int global_trusted_ok(void *ctx)
{
	return g_trusted(bpf_get_current_task_btf());
}

SEC("syscall")
int global_trusted_untrusted(void *ctx)
{
	return g_trusted(bpf_get_current_task_btf()->parent);
}

__noinline int g_trusted_nullable(struct task_struct *t __arg_trusted __arg_nullable)
{
	struct task_struct *a = bpf_task_acquire(t);

	if (a)
		bpf_task_release(a);
	return 0;
}

SEC("syscall")
int global_trusted_nullable_unchecked(void *ctx)
{
	return g_trusted_nullable(bpf_get_current_task_btf());
}

__noinline int g_task_untagged(struct task_struct *t)
{
	return t ? 1 : 0;
}

SEC("syscall")
int global_kernel_struct_untagged(void *ctx)
{
	return g_task_untagged(bpf_get_current_task_btf());
}

char _license[] SEC("license") = "GPL";
