// SPDX-License-Identifier: GPL-2.0
/*
 * dynptr: the dynptr helpers (kernel/bpf/helpers.c, kernel/bpf/ringbuf.c)
 * and kfuncs (net/core/filter.c) at run time, with their errnos: a local
 * dynptr over a map value (bpf_dynptr_from_mem), read, write and slices of
 * it, ringbuf dynptrs reserved, written and submitted or discarded, and skb
 * and xdp dynptrs (programs dynptr_skb, dynptr_cgskb, dynptr_xdp below).
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

extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;

/* pres[i]: the packet programs' results (one run per program from a fresh load). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 20);
	__type(key, u32);
	__type(value, s64);
} pres SEC(".maps");

static __always_inline void put(u32 i, s64 v)
{
	bpf_map_update_elem(&pres, &i, &v, 0);
}

/*
 * dynptr_skb, SEC("tc"), and dynptr_cgskb, SEC("cgroup_skb/ingress") (a
 * read-only skb dynptr there), on an IPv4/TCP frame; pres[i]:
 *   0 from_skb -> 0        1 size -> frame length   2 is_rdonly
 *   3 the EtherType through a slice   4 clone -> 0
 *   5 adjust(clone, 14, 34) -> 0      6 size(clone) -> 20
 *   7 read 4 bytes at 12 of the clone (the IPv4 source) -> 0, 8 their value
 *   9 write 2 bytes at 0 (tc: the destination MAC becomes aa:bb)
 *  10 adjust(clone, 30, 10) -> -EINVAL (start > end is checked first)
 *  11 adjust(clone, 10, 5) -> -EINVAL
 *  12 read past the end -> -E2BIG        13 from_skb with flags 1 -> -EINVAL
 *  14 is_null of that dynptr -> 1        15 write with flags 4 -> -EINVAL
 *  16 size of the NULL dynptr -> -EINVAL as a u32   17 clone of it -> -EINVAL
 */
static __always_inline int skb_ops(struct __sk_buff *skb)
{
	struct bpf_dynptr d, c, n, n2;
	u8 buf[14], b4[4] = {};
	u8 mac[2] = { 0xaa, 0xbb };
	u8 *p;

	put(0, bpf_dynptr_from_skb(skb, 0, &d));
	put(1, bpf_dynptr_size(&d));
	put(2, bpf_dynptr_is_rdonly(&d));
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	put(3, p ? (p[12] << 8 | p[13]) : -1);
	put(4, bpf_dynptr_clone(&d, &c));
	put(5, bpf_dynptr_adjust(&c, 14, 34));
	put(6, bpf_dynptr_size(&c));
	put(7, bpf_dynptr_read(b4, 4, &c, 12, 0));
	put(8, (s64)b4[0] << 24 | b4[1] << 16 | b4[2] << 8 | b4[3]);
	put(9, bpf_dynptr_write(&d, 0, mac, 2, 0));
	put(10, bpf_dynptr_adjust(&c, 30, 10));
	put(11, bpf_dynptr_adjust(&c, 10, 5));
	put(12, bpf_dynptr_read(b4, 4, &d, 200, 0));
	put(13, bpf_dynptr_from_skb(skb, 1, &n));
	put(14, bpf_dynptr_is_null(&n));
	put(15, bpf_dynptr_write(&d, 0, mac, 2, 4));
	put(16, bpf_dynptr_size(&n));
	put(17, bpf_dynptr_clone(&n, &n2));
	return 0;
}

SEC("tc")
int dynptr_skb(struct __sk_buff *skb)
{
	return skb_ops(skb);
}

SEC("cgroup_skb/ingress")
int dynptr_cgskb(struct __sk_buff *skb)
{
	skb_ops(skb);
	return 1;
}

/*
 * dynptr_xdp, SEC("xdp"); pres[i]: 0 from_xdp -> 0, 1 size -> frame length,
 * 2 is_rdonly -> 0, 3 the EtherType through a slice, 4 write 2 bytes at 6
 * (the source MAC becomes aa:bb) -> 0, 5 read 2 bytes at 6 back, 6 a slice
 * past the end is NULL -> 1, 7 write with flags 1 -> -EINVAL. XDP_PASS.
 */
SEC("xdp")
int dynptr_xdp(struct xdp_md *ctx)
{
	struct bpf_dynptr d;
	u8 buf[14], b2[2] = {};
	u8 mac[2] = { 0xaa, 0xbb };
	u8 *p;

	put(0, bpf_dynptr_from_xdp(ctx, 0, &d));
	put(1, bpf_dynptr_size(&d));
	put(2, bpf_dynptr_is_rdonly(&d));
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	put(3, p ? (p[12] << 8 | p[13]) : -1);
	put(4, bpf_dynptr_write(&d, 6, mac, 2, 0));
	bpf_dynptr_read(b2, 2, &d, 6, 0);
	put(5, b2[0] << 8 | b2[1]);
	put(6, bpf_dynptr_slice(&d, 4000, buf, sizeof(buf)) == NULL);
	put(7, bpf_dynptr_write(&d, 6, mac, 2, 1));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
