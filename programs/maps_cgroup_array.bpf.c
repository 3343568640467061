// SPDX-License-Identifier: GPL-2.0
/*
 * maps_cgroup_array: BPF_MAP_TYPE_CGROUP_ARRAY with
 * bpf_current_task_under_cgroup (37) and bpf_skb_under_cgroup (33) in a tc
 * program.
 *
 * User space puts a cgroup v2 root in slot 0 (the test run's task, and the
 * socket of its skb, are in it) and a child cgroup in slot 1; slot 2 stays
 * empty. Program under_cgroup, SEC("tc"), writes to `results`:
 *   [0] current_task_under_cgroup(0) -> 1     [1] (1) -> 0
 *   [2] current_task_under_cgroup(2) -> -EAGAIN (-11)
 *   [3] skb_under_cgroup(0) -> 1              [4] (1) -> 0
 *   [5] skb_under_cgroup(9) -> -E2BIG (-7)
 * and returns 0 (TC_ACT_OK).
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u32);
} cgs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
	__type(key, u32);
	__type(value, s64);
} results SEC(".maps");

static __always_inline void put(u32 i, s64 v)
{
	bpf_map_update_elem(&results, &i, &v, BPF_ANY);
}

SEC("tc")
int under_cgroup(struct __sk_buff *skb)
{
	put(0, bpf_current_task_under_cgroup(&cgs, 0));
	put(1, bpf_current_task_under_cgroup(&cgs, 1));
	put(2, bpf_current_task_under_cgroup(&cgs, 2));
	put(3, bpf_skb_under_cgroup(skb, &cgs, 0));
	put(4, bpf_skb_under_cgroup(skb, &cgs, 1));
	put(5, bpf_skb_under_cgroup(skb, &cgs, 9));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
