// SPDX-License-Identifier: GPL-2.0
/*
 * spin_lock: bpf_spin_lock/bpf_spin_unlock on a struct bpf_spin_lock inside
 * a map value. The map's BTF value type must contain the lock (the kernel
 * finds it through BTF: btf_record with a BPF_SPIN_LOCK field), and only
 * one lock may be held at a time, with no helper calls while holding it.
 *
 *   locked  ARRAY[2] of struct locked_val { struct bpf_spin_lock lock;
 *           u32 count; u64 sum; u64 last; }
 *
 * Program lock_prog, SEC("tc"): for key = skb->len & 1, under the lock:
 * count += 1, sum += skb->len, last = skb->len. Returns TC_ACT_OK (0).
 * After one 60-byte packet: locked[0] = {count 1, sum 60, last 60}.
 * (Lookup from user space copies the value without the lock word unless
 * BPF_F_LOCK is given; the lock word reads as 0.)
 */
#include "common.h"
#include <linux/pkt_cls.h>

struct locked_val {
	struct bpf_spin_lock lock;
	u32 count;
	u64 sum;
	u64 last;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, struct locked_val);
} locked SEC(".maps");

SEC("tc")
int lock_prog(struct __sk_buff *skb)
{
	u32 key = skb->len & 1;
	u32 len = skb->len;
	struct locked_val *v;

	v = bpf_map_lookup_elem(&locked, &key);
	if (!v)
		return TC_ACT_OK;
	bpf_spin_lock(&v->lock);
	v->count++;
	v->sum += len;
	v->last = len;
	bpf_spin_unlock(&v->lock);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
