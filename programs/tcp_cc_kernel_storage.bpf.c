// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_kernel_storage: a Reno (the tcp_reno_* kfuncs) that keeps its
 * per-connection bookkeeping in a BPF_MAP_TYPE_SK_STORAGE map instead of
 * icsk_ca_priv: `init` creates the socket's value
 * (BPF_SK_STORAGE_GET_F_CREATE) and notes the peer's window, `cong_avoid`
 * counts the ACKs and packets it grew on and the largest cwnd, `release`
 * copies the value into the `done` ring (the storage still exists then:
 * the socket's storage goes after its congestion control's release).
 * Registers and runs on Linux 6.18.
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

/* tcp_sock.snd_wnd, which tcp_cc.h does not declare: a CO-RE flavour of tcp_sock */
struct tcp_sock___wnd {
	u32 snd_wnd;
} __attribute__((preserve_access_index));

struct flow_state {
	u64 acks;
	u64 acked_pkts;
	u32 snd_wnd;
	u32 cwnd_max;
	u32 inits;
	u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct flow_state);
} flows SEC(".maps");

#define RING 16
struct flow_state done[RING];
u32 ndone;
u64 create_failed, missing;

SEC("struct_ops")
void BPF_PROG(stg_init, struct sock *sk)
{
	struct flow_state *st = bpf_sk_storage_get(&flows, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	if (!st) {
		create_failed++;
		return;
	}
	st->inits++;
	st->snd_wnd = ((struct tcp_sock___wnd *)sk)->snd_wnd;
}

SEC("struct_ops")
void BPF_PROG(stg_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	struct flow_state *st = bpf_sk_storage_get(&flows, sk, 0, 0);
	u32 cwnd = tcp_sk(sk)->snd_cwnd;

	if (st) {
		st->acks++;
		st->acked_pkts += acked;
		if (cwnd > st->cwnd_max)
			st->cwnd_max = cwnd;
	} else {
		missing++;
	}
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
void BPF_PROG(stg_release, struct sock *sk)
{
	struct flow_state *st = bpf_sk_storage_get(&flows, sk, 0, 0);
	u32 i = ndone;

	if (!st) {
		missing++;
		return;
	}
	if (i < RING) {
		done[i] = *st;
		ndone = i + 1;
	}
}

SEC("struct_ops")
u32 BPF_PROG(stg_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops")
u32 BPF_PROG(stg_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpfemu_storage = {
	.init = (void *)stg_init,
	.release = (void *)stg_release,
	.ssthresh = (void *)stg_ssthresh,
	.cong_avoid = (void *)stg_cong_avoid,
	.undo_cwnd = (void *)stg_undo_cwnd,
	.name = "bpfemu_storage",
};
