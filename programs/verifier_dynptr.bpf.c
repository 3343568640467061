// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_dynptr: the dynptr kfuncs (kernel/bpf/helpers.c, net/core/filter.c)
 * as the verifier sees them, one program per rule; the corpus group dynptr
 * (test/verifier/corpus/dynptr.ts) records 6.18's verdict on each.
 *
 *   *_ok programs load; the others are refused for the rule their name says:
 *   an skb dynptr in XDP, a read-only slice written, slice_rdwr where packet
 *   writes are not allowed, a slice used without a NULL check, past its size,
 *   after a packet-changing call or after bpf_dynptr_write on the skb, a clone
 *   of a dynptr never initialised, a ringbuf dynptr used after its clone was
 *   submitted, a clone that is never released.
 */
#include "common.h"

extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} vrb SEC(".maps");

SEC("tc")
int skb_slice_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (!p)
		return 0;
	return p[12];
}

SEC("tc")
int skb_slice_rdwr_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, buf, sizeof(buf));
	if (!p)
		return 0;
	p[0] = 0xff;
	return 0;
}

SEC("cgroup_skb/ingress")
int cgskb_slice_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (!p)
		return 1;
	return p[12] & 1;
}

SEC("cgroup_skb/ingress")
int cgskb_slice_rdwr(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, buf, sizeof(buf));
	if (!p)
		return 1;
	p[0] = 0xff;
	return 1;
}

SEC("xdp")
int xdp_slice_ok(struct xdp_md *ctx)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 *p;

	bpf_dynptr_from_xdp(ctx, 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, buf, sizeof(buf));
	if (!p)
		return XDP_PASS;
	p[0] = p[6];
	return XDP_PASS;
}

SEC("xdp")
int xdp_from_skb(struct xdp_md *ctx)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_skb((struct __sk_buff *)ctx, 0, &d);
	return XDP_PASS;
}

SEC("tc")
int skb_slice_rdonly_write(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (!p)
		return 0;
	p[0] = 0xff;
	return 0;
}

SEC("tc")
int skb_slice_unchecked(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	return p[12];
}

SEC("tc")
int skb_slice_past(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (!p)
		return 0;
	return *(p + 14);
}

SEC("tc")
int skb_slice_after_pull(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (!p)
		return 0;
	bpf_skb_pull_data(skb, 0);
	return p[12];
}

SEC("tc")
int skb_slice_after_write(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	u8 buf[14];
	u8 b = 1;
	u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (!p)
		return 0;
	bpf_dynptr_write(&d, 0, &b, 1, 0);
	return p[12];
}

SEC("tc")
int skb_helpers_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr d, c;
	u8 b[4] = {};
	int r = 0;

	bpf_dynptr_from_skb(skb, 0, &d);
	r += bpf_dynptr_is_null(&d);
	r += bpf_dynptr_is_rdonly(&d);
	r += bpf_dynptr_size(&d);
	r += bpf_dynptr_clone(&d, &c);
	r += bpf_dynptr_adjust(&c, 2, 6);
	r += bpf_dynptr_read(b, sizeof(b), &c, 0, 0);
	r += bpf_dynptr_write(&d, 0, b, 2, 0);
	return r + b[0];
}

SEC("tc")
int skb_clone_uninit(struct __sk_buff *skb)
{
	struct bpf_dynptr d, c;

	return bpf_dynptr_clone(&d, &c);
}

SEC("tc")
int skb_size_uninit(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	return bpf_dynptr_size(&d);
}

SEC("syscall")
int rb_clone_ok(void *ctx)
{
	struct bpf_dynptr d, c;
	u64 x = 1;

	bpf_ringbuf_reserve_dynptr(&vrb, 8, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_dynptr_write(&c, 0, &x, sizeof(x), 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("syscall")
int rb_clone_use_after_submit(void *ctx)
{
	struct bpf_dynptr d, c;
	u64 x = 1;

	bpf_ringbuf_reserve_dynptr(&vrb, 8, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_ringbuf_submit_dynptr(&c, 0);
	return bpf_dynptr_write(&d, 0, &x, sizeof(x), 0);
}

SEC("syscall")
int rb_slice_ok(void *ctx)
{
	struct bpf_dynptr d;
	u64 *p;

	bpf_ringbuf_reserve_dynptr(&vrb, 8, 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, NULL, 8);
	if (p)
		*p = 7;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("syscall")
int rb_slice_after_discard(void *ctx)
{
	struct bpf_dynptr d;
	u64 *p;

	bpf_ringbuf_reserve_dynptr(&vrb, 8, 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, NULL, 8);
	bpf_ringbuf_discard_dynptr(&d, 0);
	if (p)
		*p = 7;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
