// SPDX-License-Identifier: GPL-2.0
/*
 * maps_lpm: an LPM_TRIE (longest-prefix match; BPF_F_NO_PREALLOC is
 * mandatory for this map type) populated and queried from a program
 * (kernel/bpf/lpm_trie.c).
 *
 * Key: struct { u32 prefixlen; u8 addr[4]; } - prefixlen in host order,
 * the address in network order, compared bit by bit from the first byte.
 *
 * Program lpm_ops, SEC("xdp") (not syscall: the kernel refuses LPM tries
 * in sleepable programs, "Sleepable programs can only use array, hash,
 * ringbuf and local storage maps"). Results go to .bss res[i]:
 *   0..3  insert 10.0.0.0/8 -> 1, 10.1.0.0/16 -> 2, 10.1.2.0/24 -> 3,
 *         0.0.0.0/0 -> 9                            -> 0 each
 *   4     insert 10.1.0.0/16 again, BPF_NOEXIST      -> -EEXIST (-17)
 *   5     insert prefixlen 33                        -> -EINVAL (-22)
 *   6..10 lookup /32 of 10.1.2.3, 10.1.9.9, 10.9.9.9, 192.168.0.1,
 *         10.1.2.255                                 -> 3, 2, 1, 9, 3
 *   11    delete 10.1.0.0/16                         -> 0
 *   12    lookup 10.1.9.9 again                      -> 1
 *   13    delete 10.1.0.0/16 again                   -> -ENOENT (-2)
 *   14    lookup with prefixlen 16 of 10.1.2.3       -> 1 (only prefixes
 *         of length <= 16 match: 10.0.0.0/8; the /24 is longer)
 * Then the packet's IPv4 source address (Ethernet + IPv4 assumed, else
 * skipped: user_match stays -1) is looked up as a /32: user_match = the
 * matched value (10.0.0.1 -> 1, 192.168.1.66 -> 9 from the default route).
 * Lookups return the value or -1. Returns XDP_PASS (2). A second run gets
 * res[0..3] = 0 again (BPF_ANY overwrites) and res[11] = 0.
 */
#include "common.h"
#include <linux/if_ether.h>
#include <linux/ip.h>

struct lpm_key {
	u32 prefixlen;
	u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, u32);
} lpm SEC(".maps");

s64 res[15];
s32 user_match;

static __always_inline long add(u32 plen, u8 a, u8 b, u8 c, u8 d, u32 val, u64 flags)
{
	struct lpm_key k = { .prefixlen = plen, .addr = { a, b, c, d } };

	return bpf_map_update_elem(&lpm, &k, &val, flags);
}

static __always_inline long del(u32 plen, u8 a, u8 b, u8 c, u8 d)
{
	struct lpm_key k = { .prefixlen = plen, .addr = { a, b, c, d } };

	return bpf_map_delete_elem(&lpm, &k);
}

static __always_inline s64 find(u32 plen, u8 a, u8 b, u8 c, u8 d)
{
	struct lpm_key k = { .prefixlen = plen, .addr = { a, b, c, d } };
	u32 *v = bpf_map_lookup_elem(&lpm, &k);

	return v ? *v : -1;
}

SEC("xdp")
int lpm_ops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct lpm_key k = { .prefixlen = 32 };
	u32 *v;

	res[0] = add(8, 10, 0, 0, 0, 1, BPF_ANY);
	res[1] = add(16, 10, 1, 0, 0, 2, BPF_ANY);
	res[2] = add(24, 10, 1, 2, 0, 3, BPF_ANY);
	res[3] = add(0, 0, 0, 0, 0, 9, BPF_ANY);
	res[4] = add(16, 10, 1, 0, 0, 4, BPF_NOEXIST);
	res[5] = add(33, 10, 1, 2, 3, 5, BPF_ANY);
	res[6] = find(32, 10, 1, 2, 3);
	res[7] = find(32, 10, 1, 9, 9);
	res[8] = find(32, 10, 9, 9, 9);
	res[9] = find(32, 192, 168, 0, 1);
	res[10] = find(32, 10, 1, 2, 255);
	res[11] = del(16, 10, 1, 0, 0);
	res[12] = find(32, 10, 1, 9, 9);
	res[13] = del(16, 10, 1, 0, 0);
	res[14] = find(16, 10, 1, 2, 3);

	user_match = -1;
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__builtin_memcpy(k.addr, &ip->saddr, 4);
	v = bpf_map_lookup_elem(&lpm, &k);
	if (v)
		user_match = *v;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
