// SPDX-License-Identifier: GPL-2.0
/*
 * maps_user_ringbuf: BPF_MAP_TYPE_USER_RINGBUF drained with
 * bpf_user_ringbuf_drain (209).
 *
 * User space produces samples (reserve, then submit or discard). Program
 * drain_all, SEC("syscall"), ctx struct ur_args:
 *   drained  = bpf_user_ringbuf_drain(&urb, count_cb, &a->seen, 0)
 *              (count_cb adds 1 to seen for every sample and goes on)
 *   bad      = bpf_user_ringbuf_drain(&urb, count_cb, &a->seen, 4) -> -EINVAL
 * Program drain_one: drained = drain(&urb, stop_cb, &a->seen, 0), where
 * stop_cb counts and returns 1: one sample per call.
 * The samples' bytes are not read here (that needs bpf_dynptr_read).
 * Both return 0.
 */
#include "common.h"

struct bpf_dynptr;

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} urb SEC(".maps");

struct ur_args {
	s64 drained;
	s64 seen;
	s64 bad;
};

static long count_cb(struct bpf_dynptr *sample, void *ctx)
{
	*(s64 *)ctx += 1;
	return 0;
}

static long stop_cb(struct bpf_dynptr *sample, void *ctx)
{
	*(s64 *)ctx += 1;
	return 1;
}

SEC("syscall")
int drain_all(struct ur_args *a)
{
	s64 seen = 0;

	a->drained = bpf_user_ringbuf_drain(&urb, count_cb, &seen, 0);
	a->bad = bpf_user_ringbuf_drain(&urb, count_cb, &seen, 4);
	a->seen = seen;
	return 0;
}

SEC("syscall")
int drain_one(struct ur_args *a)
{
	s64 seen = 0;

	a->drained = bpf_user_ringbuf_drain(&urb, stop_cb, &seen, 0);
	a->seen = seen;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
