// SPDX-License-Identifier: GPL-2.0
/*
 * sk_msg: the socket-map verdict program types that the kernel cannot
 * test-run.
 *
 *   msg_verdict   SEC("sk_msg"): a message sent on a socket in a sockmap.
 *                 Drops messages that start with "DROP"; counts messages in
 *                 msg_stats[0] and their bytes (ctx->size) in msg_stats[1];
 *                 [2] the local port of IPv4 messages (host order) plus the
 *                 remote port (network order, in the upper 16 bits of the
 *                 u32). Returns SK_PASS / SK_DROP.
 *   reuse_select  SEC("sk_reuseport"): picks among sockets bound to one
 *                 port. Drops UDP whose first payload byte is 0xff (the data
 *                 starts at the UDP header) and TCP with an odd hash; counts
 *                 in msg_stats[3], sums len in [4] and bind_inany in [5].
 */
#include "common.h"

#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} msg_stats SEC(".maps");

static __always_inline void add(u32 i, u64 n)
{
	u64 *v = bpf_map_lookup_elem(&msg_stats, &i);

	if (v)
		__sync_fetch_and_add(v, n);
}

SEC("sk_msg")
int msg_verdict(struct sk_msg_md *msg)
{
	char *data = msg->data;
	char *end = msg->data_end;

	add(0, 1);
	add(1, msg->size);
	if (msg->family == 2)
		add(2, msg->local_port + msg->remote_port);
	if (data + 4 <= end && data[0] == 'D' && data[1] == 'R' && data[2] == 'O' && data[3] == 'P')
		return SK_DROP;
	return SK_PASS;
}

SEC("sk_reuseport")
int reuse_select(struct sk_reuseport_md *reuse)
{
	u8 *data = reuse->data;
	u8 *end = reuse->data_end;

	add(3, 1);
	add(4, reuse->len);
	add(5, reuse->bind_inany);
	if (reuse->ip_protocol == IPPROTO_UDP && data + 9 <= end && data[8] == 0xff)
		return SK_DROP;
	if (reuse->ip_protocol == IPPROTO_TCP && (reuse->hash & 1))
		return SK_DROP;
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
