// SPDX-License-Identifier: GPL-2.0
/*
 * tc_csum: rewrite the IPv4 source address of a TCP or UDP packet and fix
 * both checksums incrementally, the way a tc NAT does it:
 *   bpf_skb_load_bytes   read the IPv4 header
 *   bpf_l4_csum_replace  TCP/UDP checksum, BPF_F_PSEUDO_HDR (the address
 *                        is part of the pseudo header), for UDP also
 *                        BPF_F_MARK_MANGLED_0 (a zero UDP checksum means
 *                        "none" and must stay 0; a result of 0 becomes
 *                        0xffff)
 *   bpf_l3_csum_replace  IPv4 header checksum
 *   bpf_skb_store_bytes  the new address
 *   bpf_csum_diff        the same 4-byte change as a checksum delta
 *
 * Program csum_rewrite, SEC("tc"): if the packet is Ethernet + IPv4 (IHL 5)
 * + TCP or UDP, the source address becomes 192.168.0.1 and both checksums
 * stay valid (data_out verifies). Returns TC_ACT_OK (0); other packets are
 * left alone. Results in .bss:
 *   res[0] l4_csum_replace                          0
 *   res[1] l3_csum_replace                          0
 *   res[2] skb_store_bytes                          0
 *   res[3] skb_load_bytes past the end (off 9000)   -EFAULT (-14)
 *   res[4] skb_store_bytes with flags 0x80 (unknown) -EINVAL (-22)
 *   res[5] l3_csum_replace with size 3 (only 0, 2, 4 are valid) -EINVAL
 *   diff   bpf_csum_diff(&old, 4, &new, 4, 0) = csum_partial over ~old
 *          and new: a 32-bit partial sum whose exact value is
 *          arch-specific (43190 = 0xa8b6 on x86-64 6.18); only its 16-bit
 *          fold is defined. diff_folded = ~(end-around-carry fold): the sum
 *          is over native-endian 16-bit words, so for 10.0.0.1 ->
 *          192.168.0.1 it is 0x5749 on little-endian hosts, the byte swap
 *          of the network-order value 0x4957 = ~(0xf5ff + 0xfffe + 0xc0a8 +
 *          0x0001 folded).
 */
#include "common.h"
#include <stddef.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>

#define IP_OFF ETH_HLEN
#define L4_OFF (ETH_HLEN + sizeof(struct iphdr))

s64 res[6];
s64 diff;
u32 diff_folded;

static __always_inline u16 fold(u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

SEC("tc")
int csum_rewrite(struct __sk_buff *skb)
{
	__be32 new_addr = bpf_htonl(0xc0a80001);
	struct iphdr ip;
	__be32 old_addr;
	u32 csum_off;
	u64 l4_flags;
	u8 tmp;

	res[3] = bpf_skb_load_bytes(skb, 9000, &tmp, 1);
	res[4] = bpf_skb_store_bytes(skb, 0, &tmp, 1, 0x80);
	res[5] = bpf_l3_csum_replace(skb, IP_OFF + offsetof(struct iphdr, check), 0, 0, 3);

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, IP_OFF, &ip, sizeof(ip)) < 0)
		return TC_ACT_OK;
	if (ip.ihl != 5)
		return TC_ACT_OK;
	if (ip.protocol == IPPROTO_TCP) {
		csum_off = L4_OFF + offsetof(struct tcphdr, check);
		l4_flags = BPF_F_PSEUDO_HDR;
	} else if (ip.protocol == IPPROTO_UDP) {
		csum_off = L4_OFF + offsetof(struct udphdr, check);
		l4_flags = BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0;
	} else {
		return TC_ACT_OK;
	}
	old_addr = ip.saddr;

	diff = bpf_csum_diff(&old_addr, 4, &new_addr, 4, 0);
	diff_folded = fold(diff);

	res[0] = bpf_l4_csum_replace(skb, csum_off, old_addr, new_addr, l4_flags | 4);
	res[1] = bpf_l3_csum_replace(skb, IP_OFF + offsetof(struct iphdr, check), old_addr,
				     new_addr, 4);
	res[2] = bpf_skb_store_bytes(skb, IP_OFF + offsetof(struct iphdr, saddr), &new_addr, 4, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
