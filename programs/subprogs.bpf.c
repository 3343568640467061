// SPDX-License-Identifier: GPL-2.0
/*
 * subprogs: bpf-to-bpf calls from two program sections into .text.
 *
 * Both relocation forms for calls into .text appear:
 *   - static subprograms (mix, scale): R_BPF_64_32 against the .text
 *     section symbol, the call's imm = target instruction - 1;
 *   - global subprograms (global_sum, global_len_class): R_BPF_64_32
 *     against the GLOBAL FUNC symbol, imm = -1.
 * mix() calls scale() inside .text: resolved by the compiler, no relocation.
 * The kernel verifies global subprograms on their own (BTF-typed args:
 * scalars and the ctx pointer only), static ones in the caller's context.
 *
 * Programs (ctx __sk_buff):
 *   tc_prog   SEC("tc")      stores tc_result, returns TC_ACT_OK (0)
 *   sock_prog SEC("socket")  stores sock_result, returns skb->len (keep all)
 * Also built big-endian as subprogs_be.bpf.o (-target bpfeb).
 */
#include "common.h"
#include <linux/pkt_cls.h>

const volatile u32 seed = 0x9e3779b9;
u32 multiplier = 3;
u64 tc_result;
u64 sock_result;

static __noinline u32 scale(u32 x)
{
	return x * multiplier;
}

static __noinline u32 mix(u32 a, u32 b)
{
	return (a ^ (b << 5)) + scale(b >> 3) + seed;
}

__noinline u64 global_sum(u64 a, u64 b, u64 c)
{
	return a + 2 * b + 3 * c;
}

__noinline int global_len_class(struct __sk_buff *skb)
{
	if (!skb)
		return -1;
	if (skb->len < 64)
		return 0;
	return skb->len < 512 ? 1 : 2;
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	u32 m = mix(skb->len, skb->protocol);

	tc_result = global_sum(m, global_len_class(skb), skb->len);
	return TC_ACT_OK;
}

SEC("socket")
int sock_prog(struct __sk_buff *skb)
{
	sock_result = global_sum(mix(skb->len, 7), scale(skb->len), global_len_class(skb));
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
