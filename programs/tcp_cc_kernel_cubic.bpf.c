// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_kernel_cubic: the kernel's own CUBIC, reached through the kfuncs
 * tcp_cubic.c registers for BPF congestion controls on Linux 6.18
 * (cubictcp_init, cubictcp_recalc_ssthresh, cubictcp_cong_avoid,
 * cubictcp_state, cubictcp_cwnd_event, cubictcp_acked), with a little
 * observation around them for the tests: every ssthresh call's cwnd, result
 * and the W_max the kfunc left in struct bictcp (ring `cuts`), and the
 * moment HyStart ended slow start (`found` turning 1: cwnd, delay_min,
 * curr_rtt, the RTT sample). Registers on Linux 6.18.
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern void cubictcp_init(struct sock *sk) __ksym;
extern u32 cubictcp_recalc_ssthresh(struct sock *sk) __ksym;
extern void cubictcp_cong_avoid(struct sock *sk, u32 ack, u32 acked) __ksym;
extern void cubictcp_state(struct sock *sk, u8 new_state) __ksym;
extern void cubictcp_cwnd_event(struct sock *sk, enum tcp_ca_event ev) __ksym;
extern void cubictcp_acked(struct sock *sk, const struct ack_sample *sample) __ksym;

/* struct bictcp, as the kfuncs keep it in icsk_ca_priv */
struct bictcp {
	u32 cnt, last_max_cwnd, last_cwnd, last_time, bic_origin_point, bic_K;
	u32 delay_min, epoch_start, ack_cnt, tcp_cwnd;
	u16 unused;
	u8 sample_cnt, found;
	u32 round_start, end_seq, last_ack, curr_rtt;
};

#define RING 256
struct cut {
	u32 cwnd, ssthresh, last_max_cwnd;
} cuts[RING];
u32 ncuts;
struct hystart {
	u32 cwnd, delay_min, curr_rtt, rtt_us, round_start, last_ack, now_us;
} exit_at;
u32 hystart_exits;
u64 inits;

SEC("struct_ops")
void BPF_PROG(kcubic_init, struct sock *sk)
{
	inits++;
	cubictcp_init(sk);
}

SEC("struct_ops")
u32 BPF_PROG(kcubic_ssthresh, struct sock *sk)
{
	struct bictcp *ca = inet_csk_ca(sk);
	u32 cwnd = tcp_sk(sk)->snd_cwnd;
	u32 r = cubictcp_recalc_ssthresh(sk);
	u32 i = ncuts;

	if (i < RING) {
		cuts[i].cwnd = cwnd;
		cuts[i].ssthresh = r;
		cuts[i].last_max_cwnd = ca->last_max_cwnd;
		ncuts = i + 1;
	}
	return r;
}

SEC("struct_ops")
void BPF_PROG(kcubic_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	cubictcp_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
void BPF_PROG(kcubic_set_state, struct sock *sk, u8 new_state)
{
	cubictcp_state(sk, new_state);
}

SEC("struct_ops")
void BPF_PROG(kcubic_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	cubictcp_cwnd_event(sk, ev);
}

SEC("struct_ops")
void BPF_PROG(kcubic_acked, struct sock *sk, const struct ack_sample *sample)
{
	struct bictcp *ca = inet_csk_ca(sk);
	u8 before = ca->found;

	cubictcp_acked(sk, sample);
	if (!before && ca->found) {
		hystart_exits++;
		exit_at.cwnd = tcp_sk(sk)->snd_cwnd;
		exit_at.delay_min = ca->delay_min;
		exit_at.curr_rtt = ca->curr_rtt;
		exit_at.rtt_us = sample->rtt_us;
		exit_at.round_start = ca->round_start;
		exit_at.last_ack = ca->last_ack;
		exit_at.now_us = (u32)tcp_sk(sk)->tcp_mstamp;
	}
}

SEC("struct_ops")
u32 BPF_PROG(kcubic_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpfemu_kcubic = {
	.init = (void *)kcubic_init,
	.ssthresh = (void *)kcubic_ssthresh,
	.cong_avoid = (void *)kcubic_cong_avoid,
	.set_state = (void *)kcubic_set_state,
	.cwnd_event = (void *)kcubic_cwnd_event,
	.pkts_acked = (void *)kcubic_acked,
	.undo_cwnd = (void *)kcubic_undo_cwnd,
	.name = "bpfemu_kcubic",
};
