// SPDX-License-Identifier: GPL-2.0
/*
 * dynptr: the dynptr helpers (kernel/bpf/helpers.c, kernel/bpf/ringbuf.c)
 * at run time, with their errnos: a local dynptr over a map value
 * (bpf_dynptr_from_mem), read, write and slices of it, and ringbuf
 * dynptrs reserved, written and submitted or discarded.
 *
 * Program dynptr_ops, SEC("syscall"), ctx struct dyn_args; res[i], from a
 * fresh load (bufs[0] zeroed, rb empty, no consumer):
 *   0  from_mem(bufs[0], 64, 0, &d)                    -> 0
 *   1  write(&d, 4, &x, 8, 0)                          -> 0
 *   2  read(out, 8, &d, 4, 0)                          -> 0
 *   3  the u64 read back                                -> x
 *   4  read(out, 8, &d, 60, 0) (past the end)          -> -E2BIG
 *   5  read(out, 8, &d, 65, 0) (offset past the end)   -> -E2BIG
 *   6  write(&d, 0, &x, 8, 1) (flags)                  -> -EINVAL
 *   7  read(out, 8, &d, 0, 1) (flags)                  -> -EINVAL
 *   8  *data(&d, 8, 8) (bytes 8..15: x's high half)    -> 0x11223344
 *   9  data(&d, 60, 8) == NULL                         -> 1
 *  10  data(&d, 64, 0) != NULL (empty slice at the end) -> 1
 *  11  from_mem(bufs[0], 64, 1, &d) (flags)            -> -EINVAL
 *  12  read(out, 1, &d, 0, 0) (the dynptr is now NULL) -> -EINVAL
 *  13  data(&d, 0, 1) == NULL                          -> 1
 *  14  ringbuf_reserve_dynptr(&rb, 16, 0, &r)          -> 0
 *  15  write(&r, 0, &x, 8, 0)                          -> 0
 *  16  data(&r, 8, 8) != NULL, set to 42, submit       -> 1
 *  17  ringbuf_reserve_dynptr(&rb, 8192, 0, &r) (too big) -> -EINVAL
 *  18  read(out, 1, &r, 0, 0) after the failed reserve -> -EINVAL
 *  19  ringbuf_reserve_dynptr(&rb, 8, 1, &r) (flags)   -> -EINVAL
 *  20  ringbuf_reserve_dynptr(&rb, 8, 0, &r), discarded -> 0
 *  21  query(BPF_RB_AVAIL_DATA)                         -> 40
 *  22  write(&d2, 0, &x, 8, 0) on a 4-byte dynptr      -> -E2BIG
 *  23  from_mem(bufs[0] + 56, 8, 0, &d2), read 8 at 0  -> bytes 56..63
 * Returns 0. bufs[0] ends as x at 4..11 and x at 56..63 with byte 59
 * changed; the ring holds one 16-byte record {x, 42} and a discarded one.
 */
#include "common.h"

struct buf {
	u8 b[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct buf);
} bufs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct dyn_args {
	s64 res[24];
};

SEC("syscall")
int dynptr_ops(struct dyn_args *a)
{
	struct bpf_dynptr d, r, d2;
	u64 x = 0x1122334455667788ULL;
	u64 out = 0;
	u32 k = 0;
	struct buf *v;
	u64 *p;
	u8 *q;

	v = bpf_map_lookup_elem(&bufs, &k);
	if (!v)
		return 1;

	a->res[0] = bpf_dynptr_from_mem(v, sizeof(*v), 0, &d);
	a->res[1] = bpf_dynptr_write(&d, 4, &x, sizeof(x), 0);
	a->res[2] = bpf_dynptr_read(&out, sizeof(out), &d, 4, 0);
	a->res[3] = out;
	a->res[4] = bpf_dynptr_read(&out, sizeof(out), &d, 60, 0);
	a->res[5] = bpf_dynptr_read(&out, sizeof(out), &d, 65, 0);
	a->res[6] = bpf_dynptr_write(&d, 0, &x, sizeof(x), 1);
	a->res[7] = bpf_dynptr_read(&out, sizeof(out), &d, 0, 1);
	p = bpf_dynptr_data(&d, 8, 8);
	a->res[8] = p ? (s64)*p : -1;
	a->res[9] = bpf_dynptr_data(&d, 60, 8) == NULL;
	a->res[10] = bpf_dynptr_data(&d, 64, 0) != NULL;
	a->res[11] = bpf_dynptr_from_mem(v, sizeof(*v), 1, &d);
	a->res[12] = bpf_dynptr_read(&out, 1, &d, 0, 0);
	a->res[13] = bpf_dynptr_data(&d, 0, 1) == NULL;

	a->res[14] = bpf_ringbuf_reserve_dynptr(&rb, 16, 0, &r);
	a->res[15] = bpf_dynptr_write(&r, 0, &x, sizeof(x), 0);
	p = bpf_dynptr_data(&r, 8, 8);
	a->res[16] = p != NULL;
	if (p)
		*p = 42;
	bpf_ringbuf_submit_dynptr(&r, 0);

	a->res[17] = bpf_ringbuf_reserve_dynptr(&rb, 8192, 0, &r);
	a->res[18] = bpf_dynptr_read(&out, 1, &r, 0, 0);
	bpf_ringbuf_discard_dynptr(&r, 0);
	a->res[19] = bpf_ringbuf_reserve_dynptr(&rb, 8, 1, &r);
	bpf_ringbuf_discard_dynptr(&r, 0);
	a->res[20] = bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &r);
	bpf_ringbuf_discard_dynptr(&r, 0);
	a->res[21] = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);

	bpf_dynptr_from_mem(v, 4, 0, &d2);
	a->res[22] = bpf_dynptr_write(&d2, 0, &x, sizeof(x), 0);
	bpf_dynptr_from_mem((u8 *)v + 56, 8, 0, &d2);
	bpf_dynptr_write(&d2, 0, &x, sizeof(x), 0);
	q = bpf_dynptr_data(&d2, 3, 1);
	if (q)
		*q = 0xab;
	out = 0;
	bpf_dynptr_read(&out, sizeof(out), &d2, 0, 0);
	a->res[23] = out;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
