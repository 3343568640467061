// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_kernel_helpers: which helpers each tcp_congestion_ops member may
 * call (bpf_tcp_ca_get_func_proto). A Reno on the kfuncs whose `release` (or `cong_avoid`) calls the helper chosen at
 * build time: build.sh builds one object per choice, and
 * test/subsystems/tcp_cc/goldens/helpers-6.18.json records whether Linux
 * 6.18 registers each of them.
 *
 *   RELEASE_SETSOCKOPT  bpf_setsockopt in release       (the default)
 *   RELEASE_GETSOCKOPT  bpf_getsockopt in release
 *   RELEASE_SEND_ACK    bpf_tcp_send_ack in release
 *   COARSE_NS           bpf_ktime_get_coarse_ns in cong_avoid
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

#define SOL_TCP 6
#define TCP_CONGESTION 13

#if !defined(RELEASE_SETSOCKOPT) && !defined(RELEASE_GETSOCKOPT) && !defined(RELEASE_SEND_ACK) && !defined(COARSE_NS)
#define RELEASE_SETSOCKOPT
#endif

s64 last;

SEC("struct_ops")
void BPF_PROG(helpers_release, struct sock *sk)
{
	char cc[16] = "reno";

#if defined(RELEASE_SETSOCKOPT)
	last = bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, sizeof(cc));
#elif defined(RELEASE_GETSOCKOPT)
	last = bpf_getsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, sizeof(cc));
#elif defined(RELEASE_SEND_ACK)
	last = bpf_tcp_send_ack(sk, 0) + cc[0];
#else
	last = cc[0];
#endif
}

SEC("struct_ops")
u32 BPF_PROG(helpers_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops")
void BPF_PROG(helpers_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
#ifdef COARSE_NS
	last = bpf_ktime_get_coarse_ns();
#endif
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
u32 BPF_PROG(helpers_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpfemu_helpers = {
	.release = (void *)helpers_release,
	.ssthresh = (void *)helpers_ssthresh,
	.cong_avoid = (void *)helpers_cong_avoid,
	.undo_cwnd = (void *)helpers_undo_cwnd,
	.name = "bpfemu_helpers",
};
