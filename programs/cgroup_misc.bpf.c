// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_misc: the smaller cgroup program types.
 *
 *   sock_create  SEC("cgroup/sock_create"): refuses raw sockets
 *                (type SOCK_RAW), marks the others with mark 7 and, for
 *                UDP, priority 6; counts its calls in the cgroup storage
 *                per_cg of the cgroup it is attached to.
 *   post_bind4   SEC("cgroup/post_bind4"): refuses a bind to port 9999
 *                (src_port, host order) or to 10.9.9.9.
 *   dev          SEC("cgroup/dev"): allows only character devices
 *                (access_type & 0xffff == BPF_DEVCG_DEV_CHAR) 1:3 (null)
 *                and 1:5 (zero), and only read/write (not mknod).
 *   sysctl       SEC("cgroup/sysctl"): refuses writes at a non-zero file
 *                position; sets file_pos to 0 for the others.
 *   getsockopt   SEC("cgroup/getsockopt"): for SOL_IP/IP_TOS answers 0x10
 *                in the first option byte and clears an error retval;
 *                leaves other options alone.
 *   setsockopt   SEC("cgroup/setsockopt"): refuses SOL_SOCKET/SO_RCVBUF
 *                above 1 MiB; turns SOL_IP/IP_TOS into IP_TTL.
 * counts[i] counts calls of program i (in this order).
 */
#include "common.h"

#define SOCK_RAW 3
#define IPPROTO_UDP 17
#define SOL_SOCKET 1
#define SO_RCVBUF 8
#define SOL_IP 0
#define IP_TOS 1
#define IP_TTL 2

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, u64);
} per_cg SEC(".maps");

static __always_inline void count(u32 i)
{
	u64 *v = bpf_map_lookup_elem(&counts, &i);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	u64 *calls = bpf_get_local_storage(&per_cg, 0);

	__sync_fetch_and_add(calls, 1);
	count(0);
	if (sk->type == SOCK_RAW)
		return 0;
	sk->mark = 7;
	if (sk->protocol == IPPROTO_UDP)
		sk->priority = 6;
	return 1;
}

SEC("cgroup/post_bind4")
int post_bind4(struct bpf_sock *sk)
{
	count(1);
	if (sk->src_port == 9999)
		return 0;
	if (sk->src_ip4 == bpf_htonl(0x0a090909))
		return 0;
	return 1;
}

SEC("cgroup/dev")
int dev(struct bpf_cgroup_dev_ctx *ctx)
{
	u32 type = ctx->access_type & 0xffff;
	u32 access = ctx->access_type >> 16;

	count(2);
	if (type != BPF_DEVCG_DEV_CHAR || (access & BPF_DEVCG_ACC_MKNOD))
		return 0;
	return ctx->major == 1 && (ctx->minor == 3 || ctx->minor == 5);
}

SEC("cgroup/sysctl")
int sysctl(struct bpf_sysctl *ctx)
{
	count(3);
	if (ctx->write && ctx->file_pos != 0)
		return 0;
	ctx->file_pos = 0;
	return 1;
}

SEC("cgroup/getsockopt")
int getsockopt(struct bpf_sockopt *ctx)
{
	u8 *optval = ctx->optval;
	u8 *end = ctx->optval_end;

	count(4);
	if (ctx->level != SOL_IP || ctx->optname != IP_TOS)
		return 1;
	if (optval + 1 > end)
		return 1;
	optval[0] = 0x10;
	ctx->optlen = 1;
	/* keeps clang from merging the two adjacent u32 stores into one u64
	 * store, which the verifier refuses (ctx fields are stored whole) */
	asm volatile("" ::: "memory");
	ctx->retval = 0;
	return 1;
}

SEC("cgroup/setsockopt")
int setsockopt(struct bpf_sockopt *ctx)
{
	u32 *optval = ctx->optval;
	u32 *end = ctx->optval_end;

	count(5);
	if (ctx->level == SOL_SOCKET && ctx->optname == SO_RCVBUF) {
		if (optval + 1 > end)
			return 1;
		return *optval <= (1 << 20);
	}
	if (ctx->level == SOL_IP && ctx->optname == IP_TOS)
		ctx->optname = IP_TTL;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
