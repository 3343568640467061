// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_cbdynptr: the dynptr a bpf_user_ringbuf_drain callback receives
 * (a local dynptr, PTR_TO_DYNPTR | DYNPTR_TYPE_LOCAL) as the 6.18 verifier
 * checks it, one program per rule; the corpus group cbdynptr
 * (test/verifier/corpus/cbdynptr.ts) records the verdicts: reads, slices,
 * bpf_dynptr_write and stores through a slice load (the verifier does not
 * mark the sample read-only); a release, a re-initialisation and a direct
 * load are refused.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} urb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

static long cb_read(struct bpf_dynptr *d, void *ctx)
{
	u32 x = 0;

	bpf_dynptr_read(&x, sizeof(x), d, 0, 0);
	return x & 1;
}

SEC("syscall")
int cb_read_ok(void *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_read, NULL, 0);
}

static long cb_data(struct bpf_dynptr *d, void *ctx)
{
	u32 *p = bpf_dynptr_data(d, 0, sizeof(*p));

	if (!p)
		return 1;
	return *p & 1;
}

SEC("syscall")
int cb_data_ok(void *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_data, NULL, 0);
}

static long cb_data_write(struct bpf_dynptr *d, void *ctx)
{
	u32 *p = bpf_dynptr_data(d, 0, sizeof(*p));

	if (!p)
		return 1;
	*p = 1;
	return 0;
}

SEC("syscall")
int cb_data_write_ok(void *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_data_write, NULL, 0);
}

static long cb_write(struct bpf_dynptr *d, void *ctx)
{
	u32 x = 1;

	bpf_dynptr_write(d, 0, &x, sizeof(x), 0);
	return 0;
}

SEC("syscall")
int cb_write_ok(void *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_write, NULL, 0);
}

static long cb_release(struct bpf_dynptr *d, void *ctx)
{
	bpf_ringbuf_discard_dynptr(d, 0);
	return 0;
}

SEC("syscall")
int cb_release_refused(void *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_release, NULL, 0);
}

static long cb_deref(struct bpf_dynptr *d, void *ctx)
{
	return *(u64 *)d & 1;
}

SEC("syscall")
int cb_deref_refused(void *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_deref, NULL, 0);
}

static long cb_reinit(struct bpf_dynptr *d, void *ctx)
{
	bpf_ringbuf_reserve_dynptr(&rb, 8, 0, d);
	bpf_ringbuf_discard_dynptr(d, 0);
	return 0;
}

SEC("syscall")
int cb_reinit_refused(void *ctx)
{
	return bpf_user_ringbuf_drain(&urb, cb_reinit, NULL, 0);
}

char _license[] SEC("license") = "GPL";
