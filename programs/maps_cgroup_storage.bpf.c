// SPDX-License-Identifier: GPL-2.0
/*
 * maps_cgroup_storage: BPF_MAP_TYPE_CGROUP_STORAGE and PERCPU_CGROUP_STORAGE
 * through bpf_get_local_storage (81) in a cgroup_skb program.
 *
 * Program count_egress, SEC("cgroup_skb/egress"): adds one packet and
 * skb->len bytes to the shared storage and one to this CPU's per-CPU
 * storage, then allows the packet (1) only while the shared counter is odd.
 * A test run gets storage of its own, fresh and zeroed, shared by its
 * repetitions: repeat 1 -> 1, repeat 2 -> 0, repeat 3 -> 1. Attached to a
 * cgroup, the storage is the cgroup's (user space reads it by
 * {cgroup id, BPF_CGROUP_INET_EGRESS}).
 */
#include "common.h"

struct cval {
	u64 packets;
	u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, struct cval);
} cstore SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, u64);
} pstore SEC(".maps");

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
	struct cval *c = bpf_get_local_storage(&cstore, 0);
	u64 *p = bpf_get_local_storage(&pstore, 0);

	c->packets++;
	c->bytes += skb->len;
	*p += 1;
	return c->packets & 1;
}

char LICENSE[] SEC("license") = "GPL";
