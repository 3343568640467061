// SPDX-License-Identifier: GPL-2.0
/*
 * bench_checksum: byte-crunching loops for the benchmarks, over the packet
 * (XDP) and over a 64 KiB global buffer (syscall). All loops are bounded
 * so the verifier accepts them by walking every iteration.
 *
 * Algorithms:
 *   csum    RFC 1071 Internet checksum: sum of big-endian 16-bit words (an
 *           odd last byte is the high byte of a final word), folded with
 *           end-around carry, then complemented (16-bit result)
 *   fnv1a   32-bit FNV-1a: h = 0x811c9dc5; per byte h = (h ^ b) * 0x01000193
 *
 * XDP programs (return XDP_PASS; result in .bss pkt_csum / pkt_fnv):
 *   xdp_csum   checksum of the whole frame (up to 1500 bytes)
 *   xdp_fnv1a  FNV-1a of the whole frame (up to 1500 bytes)
 * Syscall programs over buf[65536] (.bss), results returned (retval) and
 * stored in buf_csum / buf_fnv:
 *   sys_fill   buf[i] = (i * 7 + 3) & 0xff; returns 0
 *   sys_csum   checksum of buf; after sys_fill: 0x3fc0 (retval 16320)
 *   sys_fnv1a  FNV-1a of buf; after sys_fill: 0xabaa9dc5 (retval is the u32
 *              2880085445)
 * For the 1500-byte benchmark frame described in programs/README.md:
 * pkt_csum 0x0dcb (3531), pkt_fnv 0x7b50e541 (2068899137).
 */
#include "common.h"

#define BUF_SIZE 65536
#define MAX_PKT 1500
#define FNV_OFFSET 0x811c9dc5u
#define FNV_PRIME 0x01000193u

u8 buf[BUF_SIZE];
u32 buf_csum;
u32 buf_fnv;
u32 pkt_csum;
u32 pkt_fnv;

static __always_inline u32 fold16(u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

SEC("xdp")
int xdp_csum(struct xdp_md *ctx)
{
	u8 *data = (void *)(long)ctx->data;
	u8 *data_end = (void *)(long)ctx->data_end;
	u32 sum = 0;
	u32 i;

	for (i = 0; i < MAX_PKT; i += 2) {
		u8 *p = data + i;

		if (p + 2 > data_end) {
			if (p + 1 <= data_end)
				sum += (u32)p[0] << 8;
			break;
		}
		sum += ((u32)p[0] << 8) | p[1];
	}
	pkt_csum = fold16(sum);
	return XDP_PASS;
}

SEC("xdp")
int xdp_fnv1a(struct xdp_md *ctx)
{
	u8 *data = (void *)(long)ctx->data;
	u8 *data_end = (void *)(long)ctx->data_end;
	u32 h = FNV_OFFSET;
	u32 i;

	for (i = 0; i < MAX_PKT; i++) {
		u8 *p = data + i;

		if (p + 1 > data_end)
			break;
		h = (h ^ *p) * FNV_PRIME;
	}
	pkt_fnv = h;
	return XDP_PASS;
}

SEC("syscall")
int sys_fill(void *ctx)
{
	u32 i;

	for (i = 0; i < BUF_SIZE; i++)
		buf[i] = (i * 7 + 3) & 0xff;
	return 0;
}

SEC("syscall")
int sys_csum(void *ctx)
{
	u32 sum = 0;
	u32 i;

	for (i = 0; i < BUF_SIZE; i += 2)
		sum += ((u32)buf[i] << 8) | buf[i + 1];
	buf_csum = fold16(sum);
	return buf_csum;
}

SEC("syscall")
int sys_fnv1a(void *ctx)
{
	u32 h = FNV_OFFSET;
	u32 i;

	for (i = 0; i < BUF_SIZE; i++)
		h = (h ^ buf[i]) * FNV_PRIME;
	buf_fnv = h;
	return h;
}

char LICENSE[] SEC("license") = "GPL";
