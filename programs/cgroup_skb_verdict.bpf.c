// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_skb_verdict: cgroup_skb programs whose return value is set from
 * user space, to record what the kernel does with each verdict.
 *
 * egress_a, egress_b, SEC("cgroup_skb/egress"): return st.verdict[0] and
 * st.verdict[1] (0 drop, 1 pass, 2 drop + congestion notification, 3 pass +
 * CN; masked to 0..3) for UDP packets to port 9 (anything else: 1), and
 * count them in st.seen[0] and st.seen[1].
 * ingress_a, SEC("cgroup_skb/ingress"): returns st.verdict[2] & 1 for
 * UDP packets to port 9 (else 1); counts in st.seen[2].
 */
#include "common.h"
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>

/* One global, so that user space sees one layout. */
struct {
	u32 verdict[3];
	u64 seen[3];
} st;

static __always_inline int to_port9(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr udp;

	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.version != 4 || ip.protocol != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &udp, sizeof(udp)))
		return 0;
	return udp.dest == bpf_htons(9);
}

SEC("cgroup_skb/egress")
int egress_a(struct __sk_buff *skb)
{
	if (!to_port9(skb))
		return 1;
	st.seen[0]++;
	return st.verdict[0] & 3;
}

SEC("cgroup_skb/egress")
int egress_b(struct __sk_buff *skb)
{
	if (!to_port9(skb))
		return 1;
	st.seen[1]++;
	return st.verdict[1] & 3;
}

SEC("cgroup_skb/ingress")
int ingress_a(struct __sk_buff *skb)
{
	if (!to_port9(skb))
		return 1;
	st.seen[2]++;
	return st.verdict[2] & 1;
}

char LICENSE[] SEC("license") = "GPL";
