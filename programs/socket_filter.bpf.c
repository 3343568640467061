// SPDX-License-Identifier: GPL-2.0
/*
 * socket_filter: legacy packet loads (BPF_LD | BPF_ABS / BPF_IND) in
 * socket filters, next to __sk_buff field reads and bpf_skb_load_bytes.
 *
 * The llvm.bpf.load.{byte,half,word} intrinsics compile to LD_ABS (0x30,
 * 0x28, 0x20) with a constant offset and LD_IND (0x50, 0x48, 0x40) with a
 * register offset. Semantics (kernel, classic BPF heritage): r6 must hold
 * the skb, the result is in r0 in host byte order (half/word are
 * converted from network order), r1-r5 are clobbered, and an offset
 * outside the packet ends the program at once with return value 0.
 * Socket filters start at the network header: in BPF_PROG_TEST_RUN the
 * Ethernet header has been pulled (offset 0 = first IPv4 byte, skb->len =
 * frame length - 14). Direct packet access (data/data_end) is not allowed
 * for this program type.
 *
 * Programs (SEC "socket"); the return value is the number of bytes to
 * keep (0 = drop):
 *   sock_filter   records in .bss: ver_ihl (LD_ABS byte 0), proto (byte
 *                 9), tot_len (half 2), saddr (word 12, host order),
 *                 dport (LD_IND half at ihl*4 + 2), l4_word (LD_IND word at
 *                 ihl*4), first_byte via bpf_skb_load_bytes, skb_len,
 *                 skb_protocol. Drops UDP (returns 0), keeps the rest
 *                 (returns skb->len). For the 60-byte TCP frame to port 80:
 *                 ver_ihl 0x45, proto 6, tot_len 45, saddr 0x0a000001,
 *                 dport 80, l4_word 0x04d20050, first_byte 0x45, skb_len
 *                 46, returns 46.
 *   sock_oob      LD_ABS word at offset 4000 (past the end): the program
 *                 stops there and returns 0; oob_reached stays 0.
 */
#include "common.h"
#include <linux/in.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

struct sock_seen {
	u32 ver_ihl;
	u32 proto;
	u32 tot_len;
	u32 saddr;
	u32 dport;
	u32 l4_word;
	u32 first_byte;
	u32 skb_len;
	u32 skb_protocol;
};

struct sock_seen seen;
u32 oob_reached;

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	u8 first = 0;
	u32 ihl;

	seen.ver_ihl = load_byte(skb, 0);
	seen.proto = load_byte(skb, 9);
	seen.tot_len = load_half(skb, 2);
	seen.saddr = load_word(skb, 12);
	ihl = (seen.ver_ihl & 0xf) * 4;
	seen.dport = load_half(skb, ihl + 2);
	seen.l4_word = load_word(skb, ihl);
	bpf_skb_load_bytes(skb, 0, &first, 1);
	seen.first_byte = first;
	seen.skb_len = skb->len;
	seen.skb_protocol = skb->protocol;
	if (seen.proto == IPPROTO_UDP)
		return 0;
	return skb->len;
}

SEC("socket")
int sock_oob(struct __sk_buff *skb)
{
	u32 w = load_word(skb, 4000);

	oob_reached = 1;
	return w | 1;
}

char LICENSE[] SEC("license") = "GPL";
