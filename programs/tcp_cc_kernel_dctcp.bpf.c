// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_kernel_dctcp: a complete DCTCP written the way one writes it for
 * the kernel - against the machine's vmlinux.h, SEC("struct_ops") programs
 * in a SEC(".struct_ops") map - from the equations of the DCTCP paper and
 * RFC 8257 as bpfemu's spec restates them (../shared/docs/tcp-cc.md 5.3):
 *
 *  sender:   once per window alpha <- alpha - alpha/16 + (marked << 6) /
 *            delivered (alpha scaled to 1024); an ECE reduction cuts cwnd
 *            by cwnd * alpha / 2048; a real loss halves.
 *  receiver: a CE state machine on CA_EVENT_ECN_IS_CE / ECN_NO_CE: when
 *            the CE state flips while a delayed ACK is pending, first an
 *            ACK for the data before this segment with the old state
 *            (bpf_tcp_send_ack), then an immediate ACK (ICSK_ACK_NOW);
 *            TCP_ECN_DEMAND_CWR mirrors the state, so every ACK's ECE bit
 *            tells exactly whether the data it acknowledges was marked.
 *  no ECN:   init switches the socket to `fallback` ("reno") with
 *            bpf_setsockopt(TCP_CONGESTION).
 *
 * Counters for the tests: receiver events, special ACKs, windows, fallbacks.
 */
#include "tcp_cc_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

#define SOL_TCP 6
#define TCP_CONGESTION 13
#define TCP_CONG_NEEDS_ECN 0x2
#define TCP_ECN_OK 1
#define TCP_ECN_DEMAND_CWR 4
#define MAX_ALPHA 1024U
#define SHIFT_G 4

extern void tcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked) __ksym;

struct dctcp_state {
	u32 old_delivered;
	u32 old_delivered_ce;
	u32 prior_rcv_nxt;
	u32 alpha;
	u32 next_seq;
	u32 ce_state;
	u32 loss_cwnd;
};

char fallback[16] = "reno";
u64 inits, releases, windows, ce_events, no_ce_events, special_acks, fallbacks;
s64 fallback_rc;

static __always_inline struct tcp_sock *tp_of(struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

static __always_inline struct dctcp_state *state_of(struct sock *sk)
{
	return (struct dctcp_state *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
}

static __always_inline void new_window(struct tcp_sock *tp, struct dctcp_state *ca)
{
	ca->next_seq = tp->snd_nxt;
	ca->old_delivered = tp->delivered;
	ca->old_delivered_ce = tp->delivered_ce;
}

SEC("struct_ops")
void BPF_PROG(kdctcp_init, struct sock *sk)
{
	struct tcp_sock *tp = tp_of(sk);
	struct dctcp_state *ca = state_of(sk);
	int st = sk->__sk_common.skc_state;

	inits++;
	if ((tp->ecn_flags & TCP_ECN_OK) || st == TCP_LISTEN || st == TCP_CLOSE) {
		ca->prior_rcv_nxt = tp->rcv_nxt;
		ca->alpha = MAX_ALPHA;
		ca->loss_cwnd = 0;
		ca->ce_state = 0;
		new_window(tp, ca);
		return;
	}
	/* ECN was not negotiated: this socket is better off with Reno */
	fallbacks++;
	fallback_rc = bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, fallback, sizeof(fallback));
}

SEC("struct_ops")
void BPF_PROG(kdctcp_release, struct sock *sk)
{
	releases++;
}

SEC("struct_ops")
u32 BPF_PROG(kdctcp_ssthresh, struct sock *sk)
{
	struct tcp_sock *tp = tp_of(sk);
	struct dctcp_state *ca = state_of(sk);
	u32 cwnd = tp->snd_cwnd;
	u32 cut = (cwnd * ca->alpha) >> 11;

	ca->loss_cwnd = cwnd;
	return cwnd - cut > 2 ? cwnd - cut : 2;
}

SEC("struct_ops")
void BPF_PROG(kdctcp_in_ack_event, struct sock *sk, u32 flags)
{
	struct tcp_sock *tp = tp_of(sk);
	struct dctcp_state *ca = state_of(sk);
	u32 delivered, marked, alpha, dec;

	if ((s32)(tp->snd_una - ca->next_seq) < 0)
		return;
	delivered = tp->delivered - ca->old_delivered;
	marked = tp->delivered_ce - ca->old_delivered_ce;
	alpha = ca->alpha;
	dec = alpha >> SHIFT_G;
	alpha -= dec ? dec : alpha;
	if (marked) {
		if (!delivered)
			delivered = 1;
		alpha += (marked << (10 - SHIFT_G)) / delivered;
		if (alpha > MAX_ALPHA)
			alpha = MAX_ALPHA;
	}
	ca->alpha = alpha;
	windows++;
	new_window(tp, ca);
}

static __always_inline void loss_halves(struct tcp_sock *tp, struct dctcp_state *ca)
{
	u32 cwnd = tp->snd_cwnd;

	ca->loss_cwnd = cwnd;
	tp->snd_ssthresh = cwnd >> 1 > 2 ? cwnd >> 1 : 2;
}

SEC("struct_ops")
void BPF_PROG(kdctcp_set_state, struct sock *sk, u8 new_state)
{
	struct inet_connection_sock *icsk = (struct inet_connection_sock *)sk;

	if (new_state == TCP_CA_Recovery && icsk->icsk_ca_state != TCP_CA_Recovery)
		loss_halves(tp_of(sk), state_of(sk));
}

/* The receiver's CE state machine. */
static __always_inline void ce_state_is(struct sock *sk, u32 ce)
{
	struct inet_connection_sock *icsk = (struct inet_connection_sock *)sk;
	struct tcp_sock *tp = tp_of(sk);
	struct dctcp_state *ca = state_of(sk);

	if (ca->ce_state != ce) {
		if (icsk->icsk_ack.pending & ICSK_ACK_TIMER) {
			/* ACK the data before this segment with the old state */
			if (ca->ce_state)
				tp->ecn_flags |= TCP_ECN_DEMAND_CWR;
			else
				tp->ecn_flags &= ~TCP_ECN_DEMAND_CWR;
			if (bpf_tcp_send_ack(sk, ca->prior_rcv_nxt) == 0)
				special_acks++;
		}
		icsk->icsk_ack.pending |= ICSK_ACK_NOW;
	}
	ca->prior_rcv_nxt = tp->rcv_nxt;
	ca->ce_state = ce;
	if (ce)
		tp->ecn_flags |= TCP_ECN_DEMAND_CWR;
	else
		tp->ecn_flags &= ~TCP_ECN_DEMAND_CWR;
}

SEC("struct_ops")
void BPF_PROG(kdctcp_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	switch (ev) {
	case CA_EVENT_ECN_IS_CE:
		ce_events++;
		ce_state_is(sk, 1);
		break;
	case CA_EVENT_ECN_NO_CE:
		no_ce_events++;
		ce_state_is(sk, 0);
		break;
	case CA_EVENT_LOSS:
		loss_halves(tp_of(sk), state_of(sk));
		break;
	default:
		break;
	}
}

SEC("struct_ops")
void BPF_PROG(kdctcp_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
u32 BPF_PROG(kdctcp_undo_cwnd, struct sock *sk)
{
	struct tcp_sock *tp = tp_of(sk);
	u32 loss = state_of(sk)->loss_cwnd;

	return tp->snd_cwnd > loss ? tp->snd_cwnd : loss;
}

SEC(".struct_ops")
struct tcp_congestion_ops bpfemu_dctcp = {
	.init = (void *)kdctcp_init,
	.release = (void *)kdctcp_release,
	.ssthresh = (void *)kdctcp_ssthresh,
	.in_ack_event = (void *)kdctcp_in_ack_event,
	.set_state = (void *)kdctcp_set_state,
	.cwnd_event = (void *)kdctcp_cwnd_event,
	.cong_avoid = (void *)kdctcp_cong_avoid,
	.undo_cwnd = (void *)kdctcp_undo_cwnd,
	.flags = TCP_CONG_NEEDS_ECN,
	.name = "bpfemu_dctcp",
};
