// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_spin_lock: bpf_spin_lock rules for the verifier corpus
 * (test/verifier/corpus/c.ts). The lock lives in a map value whose BTF
 * type has a struct bpf_spin_lock field. Each program (tc) is loaded on
 * its own:
 *
 *   lock_ok             lock, update, unlock (accepted)
 *   lock_leak_one_path  unlocks only when skb->len > 100 (refused: exit
 *                       with the lock held)
 *   lock_helper_call    calls bpf_get_prandom_u32 while holding the lock
 *                       (refused)
 *   lock_twice          takes the same lock twice (refused)
 *   lock_direct_read    reads the lock word with a plain load (refused)
 */
#include "common.h"
#include <linux/pkt_cls.h>

struct locked {
	struct bpf_spin_lock lock;
	u32 pad;
	u64 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct locked);
} locks SEC(".maps");

SEC("tc")
int lock_ok(struct __sk_buff *skb)
{
	u32 key = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &key);

	if (!v)
		return TC_ACT_OK;
	bpf_spin_lock(&v->lock);
	v->n += skb->len;
	bpf_spin_unlock(&v->lock);
	return TC_ACT_OK;
}

SEC("tc")
int lock_leak_one_path(struct __sk_buff *skb)
{
	u32 key = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &key);

	if (!v)
		return TC_ACT_OK;
	bpf_spin_lock(&v->lock);
	v->n += 1;
	if (skb->len > 100)
		bpf_spin_unlock(&v->lock);
	return TC_ACT_OK;
}

SEC("tc")
int lock_helper_call(struct __sk_buff *skb)
{
	u32 key = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &key);

	if (!v)
		return TC_ACT_OK;
	bpf_spin_lock(&v->lock);
	v->n = bpf_get_prandom_u32();
	bpf_spin_unlock(&v->lock);
	return TC_ACT_OK;
}

SEC("tc")
int lock_twice(struct __sk_buff *skb)
{
	u32 key = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &key);

	if (!v)
		return TC_ACT_OK;
	bpf_spin_lock(&v->lock);
	bpf_spin_lock(&v->lock);
	v->n += 1;
	bpf_spin_unlock(&v->lock);
	bpf_spin_unlock(&v->lock);
	return TC_ACT_OK;
}

SEC("tc")
int lock_direct_read(struct __sk_buff *skb)
{
	u32 key = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &key);

	if (!v)
		return TC_ACT_OK;
	return *(volatile u32 *)&v->lock ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
