// SPDX-License-Identifier: GPL-2.0
/*
 * globals: global data in every flavour the loader must turn into internal
 * array maps (libbpf bpf_object__init_internal_map), one map per section:
 *
 *   .bss            zero-initialised globals (NOBITS, no file bytes)
 *   .data           initialised globals
 *   .rodata         const volatile knobs, a static const lookup table, and
 *                   the bpf_printk format string (static, referenced by the
 *                   section symbol + offset in the ld_imm64 imm)
 *   .data.custom    a named data section (its own internal map)
 *   .rodata.custom  a named read-only section (its own internal map, frozen)
 *
 * Program xdp_globals (SEC "xdp"): verdict XDP_DROP when the EtherType equals
 * the knob drop_ethertype (default 0x86dd = IPv6), else XDP_PASS. Each run
 * updates: total_packets += 1, last_len = packet length, hist[len/64 % 8]
 * += 1, static_hits += 2, the function-local static calls += 1,
 * custom_counter += custom_step, last_weight = weights[len % 4].
 * After one 60-byte IPv4 packet from a fresh load: total_packets 1,
 * last_len 60, hist[0] 1, static_hits 2, custom_counter 7 + 3 = 10,
 * last_weight = weights[0] = 10, verdict XDP_PASS (2).
 */
#include "common.h"
#include <linux/if_ether.h>

/* .rodata: knobs a loader may rewrite before load (then frozen). */
const volatile u16 drop_ethertype = ETH_P_IPV6;
const volatile u8 verbose = 1;

/* .rodata.custom */
const volatile u32 custom_step SEC(".rodata.custom") = 3;

/* .data */
u64 last_len = 0xdeadbeef;
u32 weights[4] = { 10, 20, 30, 40 };
u32 last_weight = 0xffffffff;

/* .data.custom */
u64 custom_counter SEC(".data.custom") = 7;

/* .bss */
u64 total_packets;
u32 hist[8];

/* A file-scope static: a LOCAL symbol, referenced by section + offset. */
static u64 static_hits;

/* Read-only table indexed at run time, so it stays in .rodata. */
static const u8 parity[16] = { 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0 };
u8 last_parity;

SEC("xdp")
int xdp_globals(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	u64 len = data_end - data;
	/* Function-local static: symbol "xdp_globals.calls" in .bss. */
	static u32 calls;

	calls++;
	total_packets++;
	last_len = len;
	hist[(len / 64) & 7]++;
	static_hits += 2;
	custom_counter += custom_step;
	last_weight = weights[len & 3];
	last_parity = parity[len & 15];

	if (verbose)
		bpf_printk("xdp_globals: len=%llu calls=%u", len, calls);

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(drop_ethertype))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
