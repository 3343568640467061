// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl_helpers: a cgroup/sysctl program (probe) that calls the four sysctl
 * helpers on every access and keeps what they return and write, in
 * out[0] for reads and out[1] for writes (struct rec below):
 *   ret[0] name      bpf_sysctl_get_name(32 bytes, 0)            the full name
 *   ret[1] base      bpf_sysctl_get_name(32, BPF_F_SYSCTL_BASE_NAME)
 *   ret[2] trunc     bpf_sysctl_get_name(8, 0)                   truncated
 *   ret[3] cur       bpf_sysctl_get_current_value(32)
 *   ret[4] cur4      bpf_sysctl_get_current_value(4)             truncated
 *   ret[5] nv        bpf_sysctl_get_new_value(32)
 *   ret[6] nv2       bpf_sysctl_get_new_value(2)
 *   ret[7] btrunc    bpf_sysctl_get_name(8, BPF_F_SYSCTL_BASE_NAME)
 *   ret[8]           bpf_sysctl_set_new_value("bpfemu", 6)
 *   ret[9] odd       bpf_sysctl_get_name(32, 3)                  an unknown flag bit
 *   ret[10]          bpf_sysctl_set_new_value(big, 4096)         PAGE_SIZE bytes
 *                    (called before ret[8]; big is a 4096-byte map value of zeros)
 * Returns 1 (allows every access).
 */
#include "common.h"

struct rec {
	s64 ret[12];
	char name[32];
	char base[32];
	char trunc[8];
	char cur[32];
	char cur4[4];
	char nv[32];
	char nv2[2];
	char btrunc[8];
	char odd[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, struct rec);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, char[4096]);
} big SEC(".maps");

SEC("cgroup/sysctl")
int probe(struct bpf_sysctl *ctx)
{
	u32 k = ctx->write ? 1 : 0, zero = 0;
	struct rec *r = bpf_map_lookup_elem(&out, &k);
	char *page = bpf_map_lookup_elem(&big, &zero);
	char v[8] = "bpfemu";

	if (!r || !page)
		return 1;
	r->ret[0] = bpf_sysctl_get_name(ctx, r->name, sizeof(r->name), 0);
	r->ret[1] = bpf_sysctl_get_name(ctx, r->base, sizeof(r->base), BPF_F_SYSCTL_BASE_NAME);
	r->ret[2] = bpf_sysctl_get_name(ctx, r->trunc, sizeof(r->trunc), 0);
	r->ret[3] = bpf_sysctl_get_current_value(ctx, r->cur, sizeof(r->cur));
	r->ret[4] = bpf_sysctl_get_current_value(ctx, r->cur4, sizeof(r->cur4));
	r->ret[5] = bpf_sysctl_get_new_value(ctx, r->nv, sizeof(r->nv));
	r->ret[6] = bpf_sysctl_get_new_value(ctx, r->nv2, sizeof(r->nv2));
	r->ret[7] = bpf_sysctl_get_name(ctx, r->btrunc, sizeof(r->btrunc), BPF_F_SYSCTL_BASE_NAME);
	r->ret[10] = bpf_sysctl_set_new_value(ctx, page, 4096);
	r->ret[8] = bpf_sysctl_set_new_value(ctx, v, 6);
	r->ret[9] = bpf_sysctl_get_name(ctx, r->odd, sizeof(r->odd), 3);
	return 1;
}

char _license[] SEC("license") = "GPL";
