// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_get_info: a Reno whose map also fills get_info. The kernel has no
 * cfi stub for tcp_congestion_ops.get_info, so loading the program for
 * that member fails (Linux 6.18: BPF_PROG_LOAD ENOTSUPP, "attach to
 * unsupported member get_info of struct tcp_congestion_ops").
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops")
u32 BPF_PROG(gi_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops")
void BPF_PROG(gi_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
u32 BPF_PROG(gi_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC("struct_ops")
size_t BPF_PROG(gi_get_info, struct sock *sk, u32 ext, int *attr, union tcp_cc_info *info)
{
	return 0;
}

SEC(".struct_ops")
struct tcp_congestion_ops bpf_get_info = {
	.ssthresh = (void *)gi_ssthresh,
	.cong_avoid = (void *)gi_cong_avoid,
	.undo_cwnd = (void *)gi_undo_cwnd,
	.get_info = (void *)gi_get_info,
	.name = "bpf_get_info",
};
