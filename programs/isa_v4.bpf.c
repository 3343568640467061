// SPDX-License-Identifier: GPL-2.0
/*
 * isa_v4: the instructions clang-19 emits only at -mcpu=v4 (RFC 9669 and
 * kernel Documentation/bpf/standardization/instruction-set.rst):
 *
 *   sdiv/smod   ALU64 0x3f/0x9f and ALU 0x3c/0x9c with off = 1
 *   movsx       ALU64 0xbf with off 8/16/32, ALU 0xbc with off 8/16
 *   ldsx        BPF_MEMSX loads 0x91 (s8), 0x89 (s16), 0x81 (s32)
 *   bswap       ALU64|END 0xd7 with imm 16/32/64 (unconditional)
 *   gotol       JMP32|JA 0x06, the jump offset in imm (inline asm)
 *   may_goto    JMP|JCOND 0xe5 (inline asm goto; the kernel rewrites it
 *               into a loop-budget check)
 *
 * Program isa_v4_prog, SEC("syscall"), ctx struct v4_args: inputs a, b
 * (s64) and x (u64); all other fields are outputs, computed as C defines
 * them for the operation the instruction implements. Division by zero
 * follows RFC 9669 (quotient 0, remainder = dividend) and LLONG_MIN / -1
 * gives LLONG_MIN with remainder 0; C leaves those undefined, so the
 * program only feeds them to the instruction, not to C reasoning.
 * Example: a = -7, b = 2, x = 0x0102030405068090:
 *   sdiv64 -3, smod64 -1, sdiv32 -3, smod32 -1,
 *   movsx8 = (s8)0x90 = -112, movsx16 = (s16)0x8090 = -32624,
 *   movsx32 = (s32)0x05068090, movsx32_8 = (s32)(s8)0x90 = -112,
 *   ldsx8/16/32 = the same three values loaded from memory,
 *   bswap16 0x9080, bswap32 0x90800605, bswap64 0x9080060504030201,
 *   gotol_taken 1 (0 when x == 0), may_goto_iters = number of loop iterations (4 for the
 *   bounded loop below; may_goto only stops it after ~8M iterations).
 * Returns 0.
 */
#include "common.h"

struct v4_args {
	s64 a;
	s64 b;
	u64 x;
	s64 sdiv64;
	s64 smod64;
	s32 sdiv32;
	s32 smod32;
	s64 movsx8;
	s64 movsx16;
	s64 movsx32;
	s32 movsx32_8;
	s32 movsx32_16;
	s64 ldsx8;
	s64 ldsx16;
	s64 ldsx32;
	u64 bswap16;
	u64 bswap32;
	u64 bswap64;
	u64 gotol_taken;
	u64 may_goto_iters;
};

/* Map-value scratch: ldsx is not allowed on ctx, so load from here. */
u64 scratch;

SEC("syscall")
int isa_v4_prog(struct v4_args *args)
{
	s64 a = args->a, b = args->b;
	s32 a32 = a, b32 = b;
	u64 x = args->x;
	u64 iters = 0;

	args->sdiv64 = a / b;
	args->sdiv32 = a32 / b32;
	/* Hide the divisor so clang emits smod instead of a - a / b * b. */
	asm volatile("" : "+r"(b), "+r"(b32));
	args->smod64 = a % b;
	args->smod32 = a32 % b32;

	/* x is a register here, so these are movsx, not ldsx. */
	args->movsx8 = (s8)x;
	args->movsx16 = (s16)x;
	args->movsx32 = (s32)x;
	args->movsx32_8 = (s8)(u32)x;
	args->movsx32_16 = (s16)(u32)x;

	scratch = x;
	args->ldsx8 = *(volatile s8 *)&scratch;
	args->ldsx16 = *(volatile s16 *)&scratch;
	args->ldsx32 = *(volatile s32 *)&scratch;

	args->bswap16 = __builtin_bswap16(x);
	args->bswap32 = __builtin_bswap32(x);
	args->bswap64 = __builtin_bswap64(x);

	/*
	 * gotol: a JMP32|JA over one instruction, taken when x != 0. Both
	 * paths stay reachable (the verifier rejects unreachable insns).
	 */
	{
		u64 taken = 1;

		asm volatile("if %[c] == 0 goto +1\n\t"
			     "gotol +1\n\t"
			     "%[t] = 0\n\t"
			     : [t] "+r"(taken)
			     : [c] "r"(x));
		args->gotol_taken = taken;
	}

	/* may_goto: the kernel's cond_break (bpf_experimental.h) shape. */
	for (int i = 0; i < 4; i++) {
		asm volatile goto("may_goto %l[out]" :::: out);
		iters++;
	}
out:
	args->may_goto_iters = iters;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
