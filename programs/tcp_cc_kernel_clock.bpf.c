// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_kernel_clock: a Reno (the tcp_reno_* kfuncs) that reads the clocks
 * a congestion control may use - bpf_ktime_get_ns() and bpf_jiffies64() -
 * when a connection starts (init) and ends (release), and the largest gap
 * between two ACKs it grew on. Registers and runs on Linux 6.18.
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

u64 init_ns, init_jiffies, release_ns, release_jiffies, last_ns, max_gap_ns, calls;

SEC("struct_ops")
void BPF_PROG(clk_init, struct sock *sk)
{
	init_ns = bpf_ktime_get_ns();
	init_jiffies = bpf_jiffies64();
	last_ns = init_ns;
}

SEC("struct_ops")
void BPF_PROG(clk_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	u64 now = bpf_ktime_get_ns();

	if (now - last_ns > max_gap_ns)
		max_gap_ns = now - last_ns;
	last_ns = now;
	calls++;
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
void BPF_PROG(clk_release, struct sock *sk)
{
	release_ns = bpf_ktime_get_ns();
	release_jiffies = bpf_jiffies64();
}

SEC("struct_ops")
u32 BPF_PROG(clk_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops")
u32 BPF_PROG(clk_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpfemu_clock = {
	.init = (void *)clk_init,
	.release = (void *)clk_release,
	.ssthresh = (void *)clk_ssthresh,
	.cong_avoid = (void *)clk_cong_avoid,
	.undo_cwnd = (void *)clk_undo_cwnd,
	.name = "bpfemu_clock",
};
