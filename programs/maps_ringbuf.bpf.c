// SPDX-License-Identifier: GPL-2.0
/*
 * maps_ringbuf: a RINGBUF map (kernel/bpf/ringbuf.c) written with
 * bpf_ringbuf_output, reserve + submit, reserve + discard, and inspected
 * with bpf_ringbuf_query.
 *
 * Each record takes an 8-byte header (u32 len with BUSY bit 31 and DISCARD
 * bit 30, u32 page offset) plus the data rounded up to 8 bytes; positions
 * only grow. Discarded records still occupy space until consumed.
 *
 * Program rb_ops, SEC("syscall"), ctx struct rb_args; res[i], from a fresh
 * map with no consumer:
 *   0  output(struct event {1, 100}, 16 bytes, flags 0)   -> 0
 *   1  query(BPF_RB_AVAIL_DATA)                           -> 24
 *   2  reserve(16) != NULL, fill {2, 200}, submit(BPF_RB_NO_WAKEUP) -> 1
 *   3  reserve(16) != NULL, discard(0)                    -> 1
 *   4  output(13 bytes of "hello, ring!", BPF_RB_FORCE_WAKEUP) -> 0
 *   5  query(BPF_RB_AVAIL_DATA)                           -> 96
 *   6  query(BPF_RB_RING_SIZE)                            -> 4096
 *   7  query(BPF_RB_CONS_POS)                             -> 0
 *   8  query(BPF_RB_PROD_POS)                             -> 96
 *   9  reserve(8192) == NULL (larger than the ring)       -> 1
 *   10 output(event, 16, flags 4 = invalid)               -> -EINVAL (-22)
 *   11 query(flags 99 = unknown)                          -> 0
 * A user-space consumer then sees, in order: event {1, 100}, event
 * {2, 200}, a discarded 16-byte record, the 13-byte string. Returns 0.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct event {
	u32 seq;
	u32 pad;
	u64 value;
};

struct rb_args {
	s64 res[12];
};

SEC("syscall")
int rb_ops(struct rb_args *args)
{
	struct event ev = { .seq = 1, .value = 100 };
	char msg[13] = "hello, ring!";
	struct event *e;
	void *big;

	args->res[0] = bpf_ringbuf_output(&rb, &ev, sizeof(ev), 0);
	args->res[1] = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);

	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	args->res[2] = e != NULL;
	if (e) {
		e->seq = 2;
		e->pad = 0;
		e->value = 200;
		bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	}
	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	args->res[3] = e != NULL;
	if (e)
		bpf_ringbuf_discard(e, 0);

	args->res[4] = bpf_ringbuf_output(&rb, msg, sizeof(msg), BPF_RB_FORCE_WAKEUP);
	args->res[5] = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
	args->res[6] = bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE);
	args->res[7] = bpf_ringbuf_query(&rb, BPF_RB_CONS_POS);
	args->res[8] = bpf_ringbuf_query(&rb, BPF_RB_PROD_POS);

	big = bpf_ringbuf_reserve(&rb, 8192, 0);
	args->res[9] = big == NULL;
	if (big)
		bpf_ringbuf_discard(big, 0);

	args->res[10] = bpf_ringbuf_output(&rb, &ev, sizeof(ev), 4);
	args->res[11] = bpf_ringbuf_query(&rb, 99);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
