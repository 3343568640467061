// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_kernel_sockopt: two congestion controls written the way one
 * writes them for the kernel - built against the machine's vmlinux.h,
 * SEC("struct_ops") programs, SEC(".struct_ops") maps, the
 * tcp_reno_* kfuncs - that probe bpf_setsockopt / bpf_getsockopt and
 * bpf_tcp_send_ack from their callbacks.
 *
 * "bpfemu_sopt" runs a table of socket options in `init` and records each
 * return value (and what it could read back) in `res`, then switches the
 * socket to "bpfemu_sopt2" with TCP_CONGESTION. "bpfemu_sopt2"'s `init`,
 * reached from inside that switch, tries to switch to "reno" (the kernel
 * refuses the nested change), and its `cong_avoid` reads the congestion
 * control's name once. The same object runs on Linux 6.18 (loopback TCP)
 * and in bpfemu's simulator; test/subsystems/tcp_cc/goldens/sockopt-6.18.json
 * holds what the kernel recorded.
 */
#include "tcp_cc_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

#define SOL_SOCKET 1
#define SOL_TCP 6
#define SO_SNDBUF 7
#define SO_MAX_PACING_RATE 47
#define TCP_NODELAY 1
#define TCP_CONGESTION 13
#define TCP_MAXSEG 2
#define TCP_KEEPIDLE 4
#define TCP_WINDOW_CLAMP 10
#define SO_KEEPALIVE 9
#define SO_PRIORITY 12
#define SOL_IP 0
#define IP_TOS 1

extern u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked) __ksym;
extern u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

#define NPROBE 48

/* Return value of probe i (0 = not run yet is told apart by `ran`). */
s64 res[NPROBE];
/* A value read back after probe i (a field, or what getsockopt wrote). */
u64 val[NPROBE];
u64 ran;
char name_init[16];
char name_after[16];
char name_nested[16];
char name_cong_avoid[16];
u32 a_inits, a_releases, b_inits, b_releases, b_cong_avoid_probes;
s64 b_nested_switch;
s64 b_cong_avoid_get;
s64 b_cong_avoid_iw;

static __always_inline struct tcp_sock *tcp_of(struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

#define PROBE(i, expr, readback)                                                \
	do {                                                                    \
		res[i] = (expr);                                                \
		val[i] = (readback);                                            \
		ran |= 1ULL << (i);                                               \
	} while (0)

SEC("struct_ops")
void BPF_PROG(sopt_init, struct sock *sk)
{
	struct tcp_sock *tp = tcp_of(sk);
	int v;
	u64 v64;
	char cc[16];
	u16 short2 = 1;

	a_inits++;
	/* 0: the current congestion control's name */
	__builtin_memset(cc, 0xff, sizeof(cc));
	PROBE(0, bpf_getsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, sizeof(cc)), 0);
	__builtin_memcpy(name_init, cc, sizeof(cc));
	/* 1: a 1-byte buffer for a name */
	PROBE(1, bpf_getsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, 1), (u8)cc[0]);
	/* 2, 3: TCP_BPF_SNDCWND_CLAMP 50, then 0 */
	v = 50;
	PROBE(2, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_SNDCWND_CLAMP, &v, sizeof(v)), tp->snd_cwnd_clamp);
	v = 0;
	PROBE(3, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_SNDCWND_CLAMP, &v, sizeof(v)), tp->snd_cwnd_clamp);
	/* 4, 5: TCP_BPF_IW 20, then 0 */
	v = 20;
	PROBE(4, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_IW, &v, sizeof(v)), tp->snd_cwnd);
	v = 0;
	PROBE(5, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_IW, &v, sizeof(v)), tp->snd_cwnd);
	/* 6..9: SO_MAX_PACING_RATE as int, read back as int, as u64, with 2 bytes */
	v = 1000000;
	PROBE(6, bpf_setsockopt(sk, SOL_SOCKET, SO_MAX_PACING_RATE, &v, sizeof(v)), sk->sk_max_pacing_rate);
	v = 0;
	PROBE(7, bpf_getsockopt(sk, SOL_SOCKET, SO_MAX_PACING_RATE, &v, sizeof(v)), (u32)v);
	v64 = 3000000000ULL;
	PROBE(8, bpf_setsockopt(sk, SOL_SOCKET, SO_MAX_PACING_RATE, &v64, sizeof(v64)), sk->sk_max_pacing_rate);
	PROBE(9, bpf_setsockopt(sk, SOL_SOCKET, SO_MAX_PACING_RATE, &short2, sizeof(short2)), sk->sk_max_pacing_rate);
	/* 10: an optname SOL_TCP does not have; 11: a level bpf_setsockopt does not serve */
	v = 1;
	PROBE(10, bpf_setsockopt(sk, SOL_TCP, 9999, &v, sizeof(v)), 0);
	PROBE(11, bpf_setsockopt(sk, 12345, 1, &v, sizeof(v)), 0);
	/* 12, 13: TCP_NODELAY set and get */
	PROBE(12, bpf_setsockopt(sk, SOL_TCP, TCP_NODELAY, &v, sizeof(v)), 0);
	v = -1;
	PROBE(13, bpf_getsockopt(sk, SOL_TCP, TCP_NODELAY, &v, sizeof(v)), (u32)v);
	/* 14: TCP_BPF_SNDCWND_CLAMP cannot be read back */
	v = -1;
	PROBE(14, bpf_getsockopt(sk, SOL_TCP, TCP_BPF_SNDCWND_CLAMP, &v, sizeof(v)), (u32)v);
	/* 15: "cdg" (allocates in icsk_ca_priv) is refused; 16: an unknown name; 17: a 1-byte name */
	__builtin_memcpy(cc, "cdg\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	PROBE(15, bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, 4), 0);
	__builtin_memcpy(cc, "bpfemu_nosuch\0\0", 16);
	PROBE(16, bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, 16), 0);
	PROBE(17, bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, 1), 0);
	/* 18: its own name: nothing changes */
	__builtin_memcpy(cc, "bpfemu_sopt\0\0\0\0", 16);
	PROBE(18, bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, 16), a_inits);
	/* 19: an ACK now */
	PROBE(19, bpf_tcp_send_ack(tp, tp->rcv_nxt), 0);
	/* 20: TCP_BPF_RTO_MIN 50 ms (in µs), TCP_BPF_DELACK_MAX 20 ms */
	v = 50000;
	PROBE(20, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_RTO_MIN, &v, sizeof(v)), 0);
	v = 20000;
	PROBE(21, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_DELACK_MAX, &v, sizeof(v)), 0);
	/* 25..30: TCP_BPF_RTO_MIN and TCP_BPF_DELACK_MAX at 1 ms, 200 ms, 201 ms */
	v = 1000;
	PROBE(25, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_RTO_MIN, &v, sizeof(v)), 0);
	v = 200000;
	PROBE(26, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_RTO_MIN, &v, sizeof(v)), 0);
	v = 201000;
	PROBE(27, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_RTO_MIN, &v, sizeof(v)), 0);
	v = 1000;
	PROBE(28, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_DELACK_MAX, &v, sizeof(v)), 0);
	v = 200000;
	PROBE(29, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_DELACK_MAX, &v, sizeof(v)), 0);
	v = 201000;
	PROBE(30, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_DELACK_MAX, &v, sizeof(v)), 0);
	/* 31: TCP_BPF_IW cannot be read back */
	v = -1;
	PROBE(31, bpf_getsockopt(sk, SOL_TCP, TCP_BPF_IW, &v, sizeof(v)), (u32)v);
	/* 32..37: options served by the socket layers */
	v = 1000;
	PROBE(32, bpf_setsockopt(sk, SOL_TCP, TCP_MAXSEG, &v, sizeof(v)), 0);
	v = 100;
	PROBE(33, bpf_setsockopt(sk, SOL_TCP, TCP_KEEPIDLE, &v, sizeof(v)), 0);
	v = 1;
	PROBE(34, bpf_setsockopt(sk, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)), 0);
	v = 3;
	PROBE(35, bpf_setsockopt(sk, SOL_SOCKET, SO_PRIORITY, &v, sizeof(v)), 0);
	v = -1;
	PROBE(36, bpf_getsockopt(sk, SOL_SOCKET, SO_PRIORITY, &v, sizeof(v)), (u32)v);
	v = 100000;
	PROBE(37, bpf_setsockopt(sk, SOL_TCP, TCP_WINDOW_CLAMP, &v, sizeof(v)), 0);
	/* 38: TCP_BPF_SNDCWND_CLAMP with 8 bytes */
	v64 = 40;
	PROBE(38, bpf_setsockopt(sk, SOL_TCP, TCP_BPF_SNDCWND_CLAMP, &v64, sizeof(v64)), tp->snd_cwnd_clamp);
	/* 39: a 4-byte buffer for the name */
	__builtin_memset(cc, 0xff, sizeof(cc));
	PROBE(39, bpf_getsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, 4), *(u32 *)cc);
	/* 40: SOL_IP IP_TOS */
	v = 0x10;
	PROBE(40, bpf_setsockopt(sk, SOL_IP, IP_TOS, &v, sizeof(v)), 0);
	/* 22: TCP_CONGESTION to the second control (its init runs inside this call) */
	__builtin_memcpy(cc, "bpfemu_sopt2\0\0\0", 16);
	PROBE(22, bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, 16), a_releases * 100 + b_inits);
	/* 23: the name now */
	PROBE(23, bpf_getsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, sizeof(cc)), 0);
	__builtin_memcpy(name_after, cc, sizeof(cc));
	/* 24: SO_SNDBUF: set, then read (the kernel doubles it) */
	v = 100000;
	bpf_setsockopt(sk, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	v = 0;
	PROBE(24, bpf_getsockopt(sk, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), (u32)v);
}

SEC("struct_ops")
void BPF_PROG(sopt_release, struct sock *sk)
{
	a_releases++;
}

SEC("struct_ops")
u32 BPF_PROG(sopt_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops")
void BPF_PROG(sopt_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
u32 BPF_PROG(sopt_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC("struct_ops")
void BPF_PROG(sopt2_init, struct sock *sk)
{
	char cc[16];

	b_inits++;
	__builtin_memcpy(cc, "reno\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	b_nested_switch = bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, 16);
	bpf_getsockopt(sk, SOL_TCP, TCP_CONGESTION, name_nested, sizeof(name_nested));
}

SEC("struct_ops")
void BPF_PROG(sopt2_release, struct sock *sk)
{
	b_releases++;
}

SEC("struct_ops")
void BPF_PROG(sopt2_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	int iw = 30;

	if (b_cong_avoid_probes++ == 0) {
		b_cong_avoid_get = bpf_getsockopt(sk, SOL_TCP, TCP_CONGESTION, name_cong_avoid, sizeof(name_cong_avoid));
		/* data has been sent: the initial window can no longer be set */
		b_cong_avoid_iw = bpf_setsockopt(sk, SOL_TCP, TCP_BPF_IW, &iw, sizeof(iw));
	}
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpfemu_sopt = {
	.init = (void *)sopt_init,
	.release = (void *)sopt_release,
	.ssthresh = (void *)sopt_ssthresh,
	.cong_avoid = (void *)sopt_cong_avoid,
	.undo_cwnd = (void *)sopt_undo_cwnd,
	.name = "bpfemu_sopt",
};

SEC(".struct_ops")
struct tcp_congestion_ops bpfemu_sopt2 = {
	.init = (void *)sopt2_init,
	.release = (void *)sopt2_release,
	.ssthresh = (void *)sopt_ssthresh,
	.cong_avoid = (void *)sopt2_cong_avoid,
	.undo_cwnd = (void *)sopt_undo_cwnd,
	.name = "bpfemu_sopt2",
};
