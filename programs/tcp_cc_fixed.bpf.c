// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_fixed: a cong_control congestion control (the BBR-style entry
 * point, 6.10+ signature sk, ack, flag, rs): it sets cwnd to `fixed_cwnd`
 * on every ACK and never reduces on loss. It counts the ACKs and the
 * packets the rate samples report delivered, and writes sk_pacing_rate
 * (a field a BPF congestion control may write).
 * Loads on Linux 6.18 (bpftool struct_ops register).
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

/* Completes the header's forward declaration; CO-RE relocates the members. */
struct rate_sample {
	u32 acked_sacked;
	u32 prior_in_flight;
	s32 delivered;
} __attribute__((preserve_access_index));

u32 fixed_cwnd = 40;
u64 acks;
u64 acked_sacked;

SEC("struct_ops")
void BPF_PROG(fixed_cong_control, struct sock *sk, u32 ack, int flag, const struct rate_sample *rs)
{
	struct tcp_sock *tp = tcp_sk(sk);

	acks++;
	acked_sacked += rs->acked_sacked;
	tp->snd_cwnd = fixed_cwnd;
	sk->sk_pacing_rate = ~0UL;
}

SEC("struct_ops")
u32 BPF_PROG(fixed_ssthresh, struct sock *sk)
{
	return tcp_sk(sk)->snd_ssthresh;
}

SEC("struct_ops")
u32 BPF_PROG(fixed_undo_cwnd, struct sock *sk)
{
	return tcp_sk(sk)->snd_cwnd;
}

SEC(".struct_ops")
struct tcp_congestion_ops bpf_fixed = {
	.cong_control = (void *)fixed_cong_control,
	.ssthresh = (void *)fixed_ssthresh,
	.undo_cwnd = (void *)fixed_undo_cwnd,
	.name = "bpf_fixed",
};
