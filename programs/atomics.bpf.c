// SPDX-License-Identifier: GPL-2.0
/*
 * atomics: every BPF_ATOMIC operation clang-19 emits at -mcpu=v3, on 64-bit
 * (opcode 0xdb) and 32-bit (0xc3) globals in .bss/.data.
 *
 * Result unused -> plain form (imm 0x00 add, 0x40 or, 0x50 and, 0xa0 xor);
 * result used -> BPF_FETCH form (imm | 0x01); __sync_lock_test_and_set ->
 * xchg (0xe1); __sync_val_compare_and_swap -> cmpxchg (0xf1, r0 implicit);
 * __sync_fetch_and_sub -> neg + fetch_add. Decode with
 * llvm-objdump-19 -dr --mcpu=v4 (older -mcpu values do not print the 32-bit
 * forms).
 *
 * Program atomics_prog, SEC("tc"): runs the sequence below once and returns
 * TC_ACT_OK (0). Final values after one run from a fresh load:
 *   c64 = 100 +5 +7 -2 = 110        old_add64 = 105   old_sub64 = 112
 *   f64 = 0xf0 |0x0f &0x3c ^0x11 -> 0x2d; fetch or 0x100 -> old_or64 0x2d,
 *         fetch and 0x1ff -> old_and64 0x12d, fetch xor 0x3 -> old_xor64
 *         0x12d, final f64 = 0x12e
 *   x64 = 7 -> xchg 8 (old_xchg64 7) -> cmpxchg(8 -> 9) ok (old_cmpxchg64 8)
 *         -> cmpxchg(8 -> 10) fails (old_cmpxchg64_fail 9), final x64 = 9
 *   c32 = 10 +1 -> fetch add 2 (old_add32 11) = 13
 *   f32 = 0x0f |0x30 &0x3c ^0x01 -> 0x3d; fetch or 0x40 (old_or32 0x3d),
 *         fetch and 0x7e (old_and32 0x7d), fetch xor 0x1 (old_xor32 0x7c),
 *         final 0x7d
 *   x32 = 3 -> xchg 4 (old_xchg32 3) -> cmpxchg(4 -> 5) (old_cmpxchg32 4),
 *         final 5
 */
#include "common.h"
#include <linux/pkt_cls.h>

u64 c64 = 100, f64 = 0xf0, x64 = 7;
u32 c32 = 10, f32 = 0x0f, x32 = 3;

u64 old_add64, old_sub64, old_or64, old_and64, old_xor64;
u64 old_xchg64, old_cmpxchg64, old_cmpxchg64_fail;
u32 old_add32, old_or32, old_and32, old_xor32, old_xchg32, old_cmpxchg32;

SEC("tc")
int atomics_prog(struct __sk_buff *skb)
{
	/* 64-bit, results unused: lock add/or/and/xor (no BPF_FETCH). */
	__sync_fetch_and_add(&c64, 5);
	__sync_fetch_and_or(&f64, 0x0f);
	__sync_fetch_and_and(&f64, 0x3c);
	__sync_fetch_and_xor(&f64, 0x11);

	/* 64-bit, results used: fetch forms. */
	old_add64 = __sync_fetch_and_add(&c64, 7);
	old_sub64 = __sync_fetch_and_sub(&c64, 2);
	old_or64 = __sync_fetch_and_or(&f64, 0x100);
	old_and64 = __sync_fetch_and_and(&f64, 0x1ff);
	old_xor64 = __sync_fetch_and_xor(&f64, 0x3);
	old_xchg64 = __sync_lock_test_and_set(&x64, 8);
	old_cmpxchg64 = __sync_val_compare_and_swap(&x64, 8, 9);
	old_cmpxchg64_fail = __sync_val_compare_and_swap(&x64, 8, 10);

	/* 32-bit. */
	__sync_fetch_and_add(&c32, 1);
	__sync_fetch_and_or(&f32, 0x30);
	__sync_fetch_and_and(&f32, 0x3c);
	__sync_fetch_and_xor(&f32, 0x01);
	old_add32 = __sync_fetch_and_add(&c32, 2);
	old_or32 = __sync_fetch_and_or(&f32, 0x40);
	old_and32 = __sync_fetch_and_and(&f32, 0x7e);
	old_xor32 = __sync_fetch_and_xor(&f32, 0x1);
	old_xchg32 = __sync_lock_test_and_set(&x32, 4);
	old_cmpxchg32 = __sync_val_compare_and_swap(&x32, 4, 5);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
