// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_dctcp: a DCTCP congestion control for bpfemu's tests, written
 * from the equations of the kernel's tcp_dctcp.c: once per window of data
 * alpha <- alpha - alpha/16 + (marked << 6) / delivered (alpha scaled to
 * 1024), the reduction on ECE is cwnd * alpha / 2048, a real loss halves.
 * It needs ECN (TCP_CONG_NEEDS_ECN). The receiver side (ECN_IS_CE /
 * ECN_NO_CE events, bpf_tcp_send_ack) is not in this control.
 *
 * Observed by the tests: every window's delivered and marked counts and
 * the alpha computed from them (ring `wins`), and every ssthresh call's
 * cwnd, alpha and result (ring `cuts`).
 * Loads on Linux 6.18 (bpftool struct_ops register).
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char _license[] SEC("license") = "GPL";

#define MAX_ALPHA 1024U
#define SHIFT_G 4
#define RING 1024

struct dctcp {
	u32 old_delivered;
	u32 old_delivered_ce;
	u32 alpha;
	u32 next_seq;
	u32 loss_cwnd;
};

struct win {
	u32 delivered;
	u32 marked;
	u32 alpha;
} wins[RING];
u32 windows;
struct cut {
	u32 cwnd;
	u32 alpha;
	u32 ssthresh;
} cuts[RING];
u32 ncuts;

static __always_inline void reset_window(const struct tcp_sock *tp, struct dctcp *ca)
{
	ca->next_seq = tp->snd_nxt;
	ca->old_delivered = tp->delivered;
	ca->old_delivered_ce = tp->delivered_ce;
}

SEC("struct_ops")
void BPF_PROG(dctcp_init, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct dctcp *ca = inet_csk_ca(sk);

	ca->alpha = MAX_ALPHA;
	ca->loss_cwnd = 0;
	reset_window(tp, ca);
}

SEC("struct_ops")
u32 BPF_PROG(dctcp_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct dctcp *ca = inet_csk_ca(sk);
	u32 cwnd = tp->snd_cwnd;
	u32 cut = (u32)(((u64)cwnd * ca->alpha) >> 11);
	u32 ret = cwnd - cut > 2 ? cwnd - cut : 2;
	u32 i = ncuts % RING;

	ca->loss_cwnd = cwnd;
	cuts[i].cwnd = cwnd;
	cuts[i].alpha = ca->alpha;
	cuts[i].ssthresh = ret;
	ncuts++;
	return ret;
}

SEC("struct_ops")
void BPF_PROG(dctcp_update_alpha, struct sock *sk, u32 flags)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct dctcp *ca = inet_csk_ca(sk);
	u32 delivered, marked, alpha, dec;

	/* once per window: snd_una at or after next_seq */
	if ((s32)(tp->snd_una - ca->next_seq) < 0)
		return;
	delivered = tp->delivered - ca->old_delivered;
	marked = tp->delivered_ce - ca->old_delivered_ce;
	alpha = ca->alpha;
	dec = alpha >> SHIFT_G;
	/* min_not_zero(alpha, alpha >> g) */
	alpha -= dec ? dec : alpha;
	if (marked) {
		alpha += (marked << (10 - SHIFT_G)) / (delivered ? delivered : 1);
		if (alpha > MAX_ALPHA)
			alpha = MAX_ALPHA;
	}
	ca->alpha = alpha;
	wins[windows % RING].delivered = delivered;
	wins[windows % RING].marked = marked;
	wins[windows % RING].alpha = alpha;
	windows++;
	reset_window(tp, ca);
}

static __always_inline void react_to_loss(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct dctcp *ca = inet_csk_ca(sk);
	u32 half = tp->snd_cwnd >> 1;

	ca->loss_cwnd = tp->snd_cwnd;
	tp->snd_ssthresh = half > 2 ? half : 2;
}

SEC("struct_ops")
void BPF_PROG(dctcp_state, struct sock *sk, u8 new_state)
{
	if (new_state == TCP_CA_Recovery &&
	    BPF_CORE_READ_BITFIELD(inet_csk(sk), icsk_ca_state) != TCP_CA_Recovery)
		react_to_loss(sk);
}

SEC("struct_ops")
void BPF_PROG(dctcp_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	if (ev == CA_EVENT_LOSS)
		react_to_loss(sk);
}

SEC("struct_ops")
void BPF_PROG(dctcp_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
u32 BPF_PROG(dctcp_undo_cwnd, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct dctcp *ca = inet_csk_ca(sk);

	return tp->snd_cwnd > ca->loss_cwnd ? tp->snd_cwnd : ca->loss_cwnd;
}

SEC(".struct_ops")
struct tcp_congestion_ops bpf_dctcp = {
	.init = (void *)dctcp_init,
	.in_ack_event = (void *)dctcp_update_alpha,
	.cwnd_event = (void *)dctcp_cwnd_event,
	.ssthresh = (void *)dctcp_ssthresh,
	.cong_avoid = (void *)dctcp_cong_avoid,
	.undo_cwnd = (void *)dctcp_undo_cwnd,
	.set_state = (void *)dctcp_state,
	.flags = TCP_CONG_NEEDS_ECN,
	.name = "bpf_dctcp",
};
