// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_cubic: a CUBIC congestion control for bpfemu's tests, written
 * from the equations of the kernel's tcp_cubic.c (W(t) = C(t - K)^3 +
 * W_max, beta = 717/1024, fast convergence, TCP-friendly region) without
 * HyStart. Time is tcp_jiffies32 (read with bpf_jiffies64(), HZ 1000); the
 * state lives in icsk_ca_priv. It computes the same integers as bpfemu's
 * built-in TypeScript CUBIC (src/subsystems/tcp_cc/cc.ts).
 * Loads on Linux 6.18 (bpftool struct_ops register).
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

#define BETA_SCALE 1024
#define BETA 717
#define CUBE_HZ 10		/* t in 1/1024 s */
#define JHZ 1000
#define CUBE_RTT_SCALE 410
#define FRIENDLY_SCALE 15	/* 8 * (1024 + 717) / 3 / (1024 - 717) */

struct cubic {
	u32 cnt;
	u32 last_max_cwnd;
	u32 last_cwnd;
	u32 last_time;
	u32 origin_point;
	u32 K;
	u32 delay_min;
	u32 epoch_start;
	u32 ack_cnt;
	u32 tcp_cwnd;
};

/* Observed by the tests. */
u64 epochs;
u32 last_K;
u32 last_origin;

static __always_inline u32 jiffies32(void)
{
	return (u32)bpf_jiffies64();
}

/*
 * The largest r with r^3 <= a, for a < 2^64 (r < 2^22): integer Newton
 * steps x' = (2x + a / x^2) / 3 from above, unrolled without branches so
 * that the verifier walks it once; the iterates end at r or r + 1.
 */
static __always_inline u32 cube_root(u64 a)
{
	u64 x = 1ULL << 22, prev = x;
	int i;

#pragma unroll
	for (i = 0; i < 40; i++) {
		prev = x;
		x = (2 * x + a / (x * x)) / 3;
	}
	if (prev < x)
		x = prev;
	if (x * x * x > a)
		x--;
	return x;
}

static __always_inline void reset(struct cubic *ca)
{
	__builtin_memset(ca, 0, sizeof(*ca));
}

static __always_inline void cubic_update(struct cubic *ca, u32 cwnd, u32 acked)
{
	u32 now = jiffies32();
	u64 t, offs, k, delta;
	u32 target, d;

	ca->ack_cnt += acked;
	if (ca->last_cwnd == cwnd && (s32)(now - ca->last_time) <= JHZ / 32)
		return;
	if (ca->epoch_start && now == ca->last_time)
		goto friendly;
	ca->last_cwnd = cwnd;
	ca->last_time = now;
	if (ca->epoch_start == 0) {
		ca->epoch_start = now;
		ca->ack_cnt = acked;
		ca->tcp_cwnd = cwnd;
		if (ca->last_max_cwnd <= cwnd) {
			ca->K = 0;
			ca->origin_point = cwnd;
		} else {
			ca->K = cube_root(((1ULL << 40) / 410) * (ca->last_max_cwnd - cwnd));
			ca->origin_point = ca->last_max_cwnd;
		}
		__sync_fetch_and_add(&epochs, 1);
		last_K = ca->K;
		last_origin = ca->origin_point;
	}
	t = (u32)((s32)(now - ca->epoch_start) + (ca->delay_min + 999) / 1000);
	t = (t << CUBE_HZ) / JHZ;
	k = ca->K;
	offs = t < k ? k - t : t - k;
	delta = (CUBE_RTT_SCALE * offs * offs * offs) >> 40;
	target = t < k ? ca->origin_point - delta : ca->origin_point + delta;
	if (target > cwnd)
		ca->cnt = cwnd / (target - cwnd);
	else
		ca->cnt = 100 * cwnd;
	if (ca->last_max_cwnd == 0 && ca->cnt > 20)
		ca->cnt = 20;
friendly:
	d = (cwnd * FRIENDLY_SCALE) >> 3;
	if (d > 0 && ca->ack_cnt > d) {
		u32 n = (ca->ack_cnt - 1) / d;

		ca->ack_cnt -= n * d;
		ca->tcp_cwnd += n;
	}
	if (ca->tcp_cwnd > cwnd) {
		u32 max_cnt = cwnd / (ca->tcp_cwnd - cwnd);

		if (ca->cnt > max_cnt)
			ca->cnt = max_cnt;
	}
	if (ca->cnt < 2)
		ca->cnt = 2;
}

SEC("struct_ops")
void BPF_PROG(bpf_cubic_init, struct sock *sk)
{
	reset(inet_csk_ca(sk));
}

SEC("struct_ops")
u32 BPF_PROG(bpf_cubic_ssthresh, struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct cubic *ca = inet_csk_ca(sk);
	u32 cwnd = tp->snd_cwnd;
	u32 w;

	ca->epoch_start = 0;
	if (cwnd < ca->last_max_cwnd)
		ca->last_max_cwnd = (cwnd * (BETA_SCALE + BETA)) / (2 * BETA_SCALE);
	else
		ca->last_max_cwnd = cwnd;
	w = (cwnd * BETA) / BETA_SCALE;
	return w > 2 ? w : 2;
}

SEC("struct_ops")
void BPF_PROG(bpf_cubic_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct cubic *ca = inet_csk_ca(sk);

	if (tp->snd_cwnd < tp->snd_ssthresh) {
		/* tcp_reno_cong_avoid's cwnd-limited check is the kernel's; slow start here */
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			return;
	}
	cubic_update(ca, tp->snd_cwnd, acked);
	tcp_cong_avoid_ai(tp, ca->cnt, acked);
}

SEC("struct_ops")
void BPF_PROG(bpf_cubic_set_state, struct sock *sk, u8 new_state)
{
	if (new_state == TCP_CA_Loss)
		reset(inet_csk_ca(sk));
}

SEC("struct_ops")
void BPF_PROG(bpf_cubic_acked, struct sock *sk, const struct ack_sample *sample)
{
	struct cubic *ca = inet_csk_ca(sk);
	s32 rtt = sample->rtt_us;
	u32 delay;

	if (rtt < 0)
		return;
	if (ca->epoch_start && (s32)(jiffies32() - ca->epoch_start) < JHZ)
		return;
	delay = rtt > 0 ? rtt : 1;
	if (ca->delay_min == 0 || ca->delay_min > delay)
		ca->delay_min = delay;
}

SEC("struct_ops")
u32 BPF_PROG(bpf_cubic_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpf_cubic = {
	.init = (void *)bpf_cubic_init,
	.ssthresh = (void *)bpf_cubic_ssthresh,
	.cong_avoid = (void *)bpf_cubic_cong_avoid,
	.set_state = (void *)bpf_cubic_set_state,
	.pkts_acked = (void *)bpf_cubic_acked,
	.undo_cwnd = (void *)bpf_cubic_undo_cwnd,
	.name = "bpf_cubic",
};
