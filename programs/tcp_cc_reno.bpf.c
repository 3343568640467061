// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_cc_reno: Reno as a BPF congestion control, built from the kernel's
 * generic kfuncs (tcp_reno_ssthresh / tcp_reno_cong_avoid /
 * tcp_reno_undo_cwnd). It must behave exactly like the kernel's built-in
 * "reno" (and bpfemu's TypeScript reference). `init` counts the sockets
 * it was attached to; `set_state` counts entries into Recovery.
 * Loads on Linux 6.18 (bpftool struct_ops register).
 */
#include "tcp_cc.h"
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

/* Overridable for the registration checks against the kernel (not by build.sh). */
#ifndef CC_NAME
#define CC_NAME "bpf_reno"
#endif
#ifndef CC_FLAGS
#define CC_FLAGS 0
#endif

u64 inits;
u64 recoveries;

SEC("struct_ops")
void BPF_PROG(bpf_reno_init, struct sock *sk)
{
	__sync_fetch_and_add(&inits, 1);
}

#ifndef CC_NO_SSTHRESH
SEC("struct_ops")
u32 BPF_PROG(bpf_reno_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}
#endif

#ifndef CC_NO_CONG_AVOID
SEC("struct_ops")
void BPF_PROG(bpf_reno_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}
#endif

SEC("struct_ops")
void BPF_PROG(bpf_reno_set_state, struct sock *sk, u8 new_state)
{
	if (new_state == TCP_CA_Recovery)
		__sync_fetch_and_add(&recoveries, 1);
}

SEC("struct_ops")
u32 BPF_PROG(bpf_reno_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops")
struct tcp_congestion_ops bpf_reno = {
	.init = (void *)bpf_reno_init,
#ifndef CC_NO_SSTHRESH
	.ssthresh = (void *)bpf_reno_ssthresh,
#endif
#ifndef CC_NO_CONG_AVOID
	.cong_avoid = (void *)bpf_reno_cong_avoid,
#endif
	.set_state = (void *)bpf_reno_set_state,
	.undo_cwnd = (void *)bpf_reno_undo_cwnd,
	.name = CC_NAME,
	.flags = CC_FLAGS,
};
