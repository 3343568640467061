// SPDX-License-Identifier: GPL-2.0
/*
 * sock_addr: BPF_PROG_TYPE_CGROUP_SOCK_ADDR programs, one per hook kind.
 * They see the address a socket call names (struct bpf_sock_addr: user_ip4 /
 * user_ip6 and user_port in network byte order) and the socket (ctx->sk),
 * may rewrite the address, and return 1 to allow or 0 to refuse (EPERM).
 *
 *   connect4     SEC("cgroup/connect4"): refuses port 23; redirects
 *                10.0.0.1:80 to 127.0.0.1:8080; counts calls in stats[0]
 *                and redirects in stats[1].
 *   bind4        SEC("cgroup/bind4"): refuses ports 1..1023 except 80,
 *                which it allows with bit 1 set (return 3: bind without
 *                CAP_NET_BIND_SERVICE); counts in stats[2].
 *   connect6     SEC("cgroup/connect6"): rewrites [fd00::1]:53 to
 *                [::1]:5353 with one 8-byte store into user_ip6[2..3];
 *                counts in stats[3].
 *   sendmsg4     SEC("cgroup/sendmsg4"): UDP to 10.0.0.53:53 goes to
 *                127.0.0.53 from source 127.0.0.1; counts in stats[4].
 *   recvmsg4     SEC("cgroup/recvmsg4"): answers from 127.0.0.53 appear to
 *                come from 10.0.0.53 (must return 1); counts in stats[5].
 *   getsockname6 SEC("cgroup/getsockname6"): reports port 8080 as 80.
 *   peer4        SEC("cgroup/getpeername4"): counts the socket's family and
 *                protocol (read through ctx->sk) into stats[6].
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

static __always_inline void count(u32 i, u64 n)
{
	u64 *v = bpf_map_lookup_elem(&stats, &i);

	if (v)
		__sync_fetch_and_add(v, n);
}

#define IP4(a, b, c, d) bpf_htonl(((a) << 24) | ((b) << 16) | ((c) << 8) | (d))

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	count(0, 1);
	if (ctx->user_port == bpf_htons(23))
		return 0;
	if (ctx->user_ip4 == IP4(10, 0, 0, 1) && ctx->user_port == bpf_htons(80)) {
		ctx->user_ip4 = IP4(127, 0, 0, 1);
		ctx->user_port = bpf_htons(8080);
		count(1, 1);
	}
	return 1;
}

SEC("cgroup/bind4")
int bind4(struct bpf_sock_addr *ctx)
{
	u16 port = bpf_ntohs(ctx->user_port);

	count(2, 1);
	if (port == 80)
		return 3;
	if (port > 0 && port < 1024)
		return 0;
	return 1;
}

SEC("cgroup/connect6")
int connect6(struct bpf_sock_addr *ctx)
{
	count(3, 1);
	if (ctx->user_ip6[0] == bpf_htonl(0xfd000000) && ctx->user_ip6[1] == 0 && ctx->user_ip6[2] == 0 &&
	    ctx->user_ip6[3] == bpf_htonl(1) && ctx->user_port == bpf_htons(53)) {
		ctx->user_ip6[0] = 0;
		ctx->user_ip6[1] = 0;
		/* user_ip6[2..3] = ::1 as one 8-byte store */
		*(u64 *)&ctx->user_ip6[2] = (u64)bpf_htonl(1) << 32;
		ctx->user_port = bpf_htons(5353);
	}
	return 1;
}

SEC("cgroup/sendmsg4")
int sendmsg4(struct bpf_sock_addr *ctx)
{
	count(4, 1);
	if (ctx->user_ip4 == IP4(10, 0, 0, 53) && ctx->user_port == bpf_htons(53)) {
		ctx->user_ip4 = IP4(127, 0, 0, 53);
		ctx->msg_src_ip4 = IP4(127, 0, 0, 1);
	}
	return 1;
}

SEC("cgroup/recvmsg4")
int recvmsg4(struct bpf_sock_addr *ctx)
{
	count(5, 1);
	if (ctx->user_ip4 == IP4(127, 0, 0, 53))
		ctx->user_ip4 = IP4(10, 0, 0, 53);
	return 1;
}

SEC("cgroup/getsockname6")
int getsockname6(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port == bpf_htons(8080))
		ctx->user_port = bpf_htons(80);
	return 1;
}

SEC("cgroup/getpeername4")
int peer4(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	count(6, ((u64)sk->family << 8) | sk->protocol);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
