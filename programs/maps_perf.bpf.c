// SPDX-License-Identifier: GPL-2.0
/*
 * maps_perf: a PERF_EVENT_ARRAY written with bpf_perf_event_output from XDP
 * (the XDP flavour of the helper, bpf_xdp_event_output: the upper 32 bits
 * of flags give how many packet bytes to append after the sample data).
 *
 *   events  PERF_EVENT_ARRAY, key/value u32, max_entries 4 (user space
 *           installs perf event fds per CPU; none are installed by a plain
 *           load, so outputs fail with -ENOENT)
 *
 * Program perf_prog, SEC("xdp"). Results in .bss:
 *   res[0] output(sample 16 bytes, BPF_F_CURRENT_CPU)
 *   res[1] output(sample + first 14 packet bytes,
 *                 BPF_F_CURRENT_CPU | (14ULL << 32))
 *   res[2] output(sample, index 3 explicitly)
 *   res[3] output(sample, index 9 >= max_entries)      -> -E2BIG (-7)
 *   res[4] output(sample, flags bit 60: outside the index
 *                 and BPF_F_CTXLEN_MASK fields)         -> -EINVAL (-22)
 *   res[5] output(sample + 65535 packet bytes > packet)  -> -EFAULT (-14)
 * With no perf event installed, res[0..2] are -ENOENT (-2); with an event
 * on the current CPU res[0], res[1] are 0. Returns XDP_PASS (2).
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

struct sample {
	u32 len;
	u32 ifindex;
	u64 marker;
};

s64 res[6];

SEC("xdp")
int perf_prog(struct xdp_md *ctx)
{
	struct sample s = {
		.len = ctx->data_end - ctx->data,
		.ifindex = ctx->ingress_ifindex,
		.marker = 0x5045524631ULL,
	};

	res[0] = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &s, sizeof(s));
	res[1] = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (14ULL << 32), &s,
				       sizeof(s));
	res[2] = bpf_perf_event_output(ctx, &events, 3, &s, sizeof(s));
	res[3] = bpf_perf_event_output(ctx, &events, 9, &s, sizeof(s));
	res[4] = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (1ULL << 60), &s, sizeof(s));
	res[5] = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (65535ULL << 32), &s,
				       sizeof(s));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
