// SPDX-License-Identifier: GPL-2.0
/*
 * skb_room: the tc helpers that resize or re-layout a packet, plus the MTU
 * check and the redirect flavours, one call per test run.
 *
 * Program room_tc, SEC("tc"): run n (0..15, counted in `runs`) reads
 * query[n] = { op, a, b, flags } and does:
 *   op 0  bpf_skb_change_tail(skb, a, flags)
 *   op 1  bpf_skb_change_head(skb, a, flags)
 *   op 2  bpf_skb_adjust_room(skb, a, b (mode), flags)
 *   op 3  bpf_skb_change_proto(skb, htons(a), flags)
 *   op 4  bpf_skb_vlan_push(skb, htons(a), b)
 *   op 5  bpf_skb_vlan_pop(skb)
 *   op 6  bpf_skb_vlan_push(skb, htons(a), b) then (0x8100, 20): the second
 *         moves the first tag into the data
 *   op 7  bpf_check_mtu(skb, a (ifindex), &mtu (= b), (s32)flags, flags >> 32)
 *   op 8  bpf_redirect_neigh(a, b ? &params : NULL, b, flags); returns it
 *   op 9  bpf_redirect_peer(a, flags); returns it
 *   op 10 bpf_skb_vlan_push(skb, htons(a), b) then bpf_skb_vlan_pop(skb)
 *   op 11 bpf_skb_adjust_room twice (a, b, flags), the second's result kept
 *   op 12 bpf_skb_adjust_room(a, b, flags) then bpf_skb_change_tail(skb->len + 4)
 * results[n] = { rc, skb->len, skb->protocol, vlan_present, vlan_tci,
 * vlan_proto, the MTU written by bpf_check_mtu }. Returns TC_ACT_OK except
 * for ops 8 and 9; data_out shows what the helpers did to the packet.
 */
#include "common.h"
#include <linux/pkt_cls.h>

struct query {
	u32 op;
	s32 a;
	u32 b;
	u32 pad;
	u64 flags;
};

struct result {
	s64 rc;
	u32 len;
	u32 protocol;
	u32 vlan_present;
	u32 vlan_tci;
	u32 vlan_proto;
	u32 mtu;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct query);
} query SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct result);
} results SEC(".maps");

u32 runs;

SEC("tc")
int room_tc(struct __sk_buff *skb)
{
	struct bpf_redir_neigh nh = { .nh_family = 2, .ipv4_nh = 0x0100000a };
	u32 idx = runs++ & 15, mtu = 0;
	int ret = TC_ACT_OK;
	struct result *r;
	struct query *q;
	s64 rc = -1;

	q = bpf_map_lookup_elem(&query, &idx);
	r = bpf_map_lookup_elem(&results, &idx);
	if (!q || !r)
		return TC_ACT_OK;
	switch (q->op) {
	case 0:
		rc = bpf_skb_change_tail(skb, q->a, q->flags);
		break;
	case 1:
		rc = bpf_skb_change_head(skb, q->a, q->flags);
		break;
	case 2:
		rc = bpf_skb_adjust_room(skb, q->a, q->b, q->flags);
		break;
	case 3:
		rc = bpf_skb_change_proto(skb, bpf_htons(q->a), q->flags);
		break;
	case 4:
		rc = bpf_skb_vlan_push(skb, bpf_htons(q->a), q->b);
		break;
	case 5:
		rc = bpf_skb_vlan_pop(skb);
		break;
	case 6:
		rc = bpf_skb_vlan_push(skb, bpf_htons(q->a), q->b);
		if (!rc)
			rc = bpf_skb_vlan_push(skb, bpf_htons(0x8100), 20);
		break;
	case 7:
		mtu = q->b;
		rc = bpf_check_mtu(skb, q->a, &mtu, (s32)q->flags, q->flags >> 32);
		break;
	case 8:
		if (q->b)
			rc = bpf_redirect_neigh(q->a, &nh, sizeof(nh), q->flags);
		else
			rc = bpf_redirect_neigh(q->a, NULL, 0, q->flags);
		ret = rc;
		break;
	case 9:
		rc = bpf_redirect_peer(q->a, q->flags);
		ret = rc;
		break;
	case 10:
		rc = bpf_skb_vlan_push(skb, bpf_htons(q->a), q->b);
		if (!rc)
			rc = bpf_skb_vlan_pop(skb);
		break;
	case 11:
		rc = bpf_skb_adjust_room(skb, q->a, q->b, q->flags);
		if (!rc)
			rc = bpf_skb_adjust_room(skb, q->a, q->b, q->flags);
		break;
	case 12:
		rc = bpf_skb_adjust_room(skb, q->a, q->b, q->flags);
		if (!rc)
			rc = bpf_skb_change_tail(skb, skb->len + 4, 0);
		break;
	}
	r->rc = rc;
	r->len = skb->len;
	r->protocol = skb->protocol;
	r->vlan_present = skb->vlan_present;
	r->vlan_tci = skb->vlan_tci;
	r->vlan_proto = skb->vlan_proto;
	r->mtu = mtu;
	return ret;
}

char _license[] SEC("license") = "GPL";
