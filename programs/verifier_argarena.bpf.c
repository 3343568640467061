// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_argarena: global functions with an "arg:arena" parameter (the
 * __arg_arena tag) as the 6.18 verifier checks them (btf_prepare_func_args,
 * btf_check_func_arg_match, do_check_common), one program per rule; the
 * corpus group argarena (test/verifier/corpus/argarena.ts) records the
 * verdicts. No arena map is needed for the tag itself: the caller may pass
 * a scalar (or an arena pointer), nothing else; the callee sees an unknown
 * scalar; the tag takes no other tag and only pointer parameters.
 */
#include "common.h"

#define __arg_arena __attribute__((btf_decl_tag("arg:arena")))
#define __arg_nullable __attribute__((btf_decl_tag("arg:nullable")))
#define __noinline __attribute__((noinline))

/* the empty asm keeps clang from folding a call with a constant argument */
__noinline int aa_plain(void *p __arg_arena)
{
	asm volatile("" : "+r"(p));
	return (long)p & 0xff;
}

SEC("tc")
int aa_scalar_ok(struct __sk_buff *skb)
{
	return aa_plain((void *)(long)skb->len);
}

SEC("tc")
int aa_null_ok(struct __sk_buff *skb)
{
	return aa_plain(0);
}

SEC("tc")
int aa_stack(struct __sk_buff *skb)
{
	int x = 0;

	return aa_plain(&x);
}

SEC("tc")
int aa_ctx(struct __sk_buff *skb)
{
	return aa_plain(skb);
}

__noinline int aa_deref(int *p __arg_arena)
{
	asm volatile("" : "+r"(p));
	return *p;
}

SEC("tc")
int aa_callee_deref(struct __sk_buff *skb)
{
	return aa_deref((int *)(long)skb->len);
}

__noinline int aa_with_nullable(void *p __arg_arena __arg_nullable)
{
	asm volatile("" : "+r"(p));
	return (long)p & 0xff;
}

SEC("tc")
int aa_combined(struct __sk_buff *skb)
{
	return aa_with_nullable(0);
}

__noinline int aa_int(long v __arg_arena)
{
	asm volatile("" : "+r"(v));
	return v & 0xff;
}

SEC("tc")
int aa_not_ptr(struct __sk_buff *skb)
{
	return aa_int(skb->len);
}

char _license[] SEC("license") = "GPL";
