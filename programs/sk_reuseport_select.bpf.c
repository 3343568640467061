// SPDX-License-Identifier: GPL-2.0
/*
 * sk_reuseport_select: an sk_reuseport program (pick) that tries
 * bpf_sk_select_reuseport on every slot of a REUSEPORT_SOCKARRAY and of a
 * SOCKMAP and keeps the return values, then selects the array slot named by
 * the first payload byte of the datagram (data starts at the UDP header).
 *
 *   results[k]      select(socks, k) for k = 0..7 (max_entries 8; 7 past nothing)
 *   results[8]      select(socks, 9)              (past the end)
 *   results[9]      select(sockm, 0)
 *   results[10]     select(sockm, 1)
 *   results[11]     select(sockm, 2)              (an empty slot)
 *   results[12]     select(socks, payload[0])     (the final choice)
 * A datagram without payload is dropped; otherwise SK_PASS.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 8);
} sockm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, s64);
} results SEC(".maps");

static __always_inline void put(u32 i, s64 v)
{
	s64 *p = bpf_map_lookup_elem(&results, &i);

	if (p)
		*p = v;
}

static __always_inline void try_one(struct sk_reuseport_md *md, void *map, u32 key, u32 slot)
{
	put(slot, bpf_sk_select_reuseport(md, map, &key, 0));
}

SEC("sk_reuseport")
int pick(struct sk_reuseport_md *md)
{
	u8 *p = md->data;
	u32 k;

	for (k = 0; k < 8; k++)
		try_one(md, &socks, k, k);
	try_one(md, &socks, 9, 8);
	try_one(md, &sockm, 0, 9);
	try_one(md, &sockm, 1, 10);
	try_one(md, &sockm, 2, 11);
	if ((void *)(p + 9) > md->data_end)
		return SK_DROP;
	k = p[8];
	put(12, bpf_sk_select_reuseport(md, &socks, &k, 0));
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
