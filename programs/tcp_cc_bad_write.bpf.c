// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_bad_write: a congestion control the kernel must refuse at load:
 * its ssthresh stores to tcp_sock.snd_nxt, which is not among the fields
 * a BPF congestion control may write (bpf_tcp_ca_btf_struct_access), so
 * BPF_PROG_LOAD fails with EACCES "no write support to tcp_sock at off
 * 1668" on Linux 6.18. Its cong_avoid writes snd_cwnd (allowed).
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
u32 BPF_PROG(bad_ssthresh, struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	tp->snd_nxt = 0;
	return 2;
}

SEC("struct_ops")
void BPF_PROG(good_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);

	tp->snd_cwnd = tp->snd_cwnd + 1;
}

SEC("struct_ops")
u32 BPF_PROG(good_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bad_write = {
	.ssthresh = (void *)bad_ssthresh,
	.cong_avoid = (void *)good_cong_avoid,
	.undo_cwnd = (void *)good_undo_cwnd,
	.name = "bad_write",
};
