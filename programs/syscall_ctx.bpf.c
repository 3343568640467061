// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_ctx: BPF_PROG_TYPE_SYSCALL programs and their context, a plain
 * user buffer (ctx_in of BPF_PROG_TEST_RUN, at most 65535 bytes) that the
 * program reads and writes and the kernel copies back into ctx_in's memory
 * after the run (there is no ctx_out, data_in/out or repeat for this type).
 * Every ctx access must be at a constant offset (no pointer arithmetic on
 * ctx), so loops over ctx arrays are unrolled or work on a stack copy; the
 * run fails with EINVAL unless ctx_size_in covers the largest offset the
 * program touches.
 *
 * Programs, SEC("syscall"), ctx struct sys_args:
 *   sys_sum      out_sum = sum of in[0..n) (n = min(nr, 8)), out_max =
 *                max of the same values, out_n = n; returns n
 *   sys_reverse  out_str = in_str reversed up to its NUL (at most 15
 *                chars) and NUL-terminated; returns the length
 *   sys_count    increments calls in .bss and writes it to out_calls;
 *                returns the new count (1, 2, ... across runs of the same
 *                load)
 * Example ctx: nr 5, in {3, -1, 10, 7, 2}, in_str "bpfemu" -> sys_sum
 * returns 5 with out_sum 21, out_max 10; sys_reverse returns 6 with
 * out_str "umefpb".
 */
#include "common.h"

struct sys_args {
	u32 nr;
	s32 in[8];
	char in_str[16];
	u32 out_n;
	s64 out_sum;
	s32 out_max;
	char out_str[16];
	u32 out_calls;
};

u32 calls;

SEC("syscall")
int sys_sum(struct sys_args *args)
{
	u32 n = args->nr;
	s64 sum = 0;
	s32 max = -2147483647 - 1;
	u32 i;

	if (n > 8)
		n = 8;
#pragma unroll
	for (i = 0; i < 8; i++) {
		if (i >= n)
			break;
		sum += args->in[i];
		if (args->in[i] > max)
			max = args->in[i];
	}
	args->out_n = n;
	args->out_sum = sum;
	args->out_max = max;
	return n;
}

SEC("syscall")
int sys_reverse(struct sys_args *args)
{
	char in[16], tmp[16] = {};
	int len = 0, i;

	__builtin_memcpy(in, args->in_str, sizeof(in));
	for (i = 0; i < 15; i++) {
		if (!in[i])
			break;
		len++;
	}
	for (i = 0; i < 15; i++) {
		if (i >= len)
			break;
		tmp[i] = in[(len - 1 - i) & 15];
	}
	__builtin_memcpy(args->out_str, tmp, sizeof(tmp));
	return len;
}

SEC("syscall")
int sys_count(struct sys_args *args)
{
	args->out_calls = ++calls;
	return calls;
}

char LICENSE[] SEC("license") = "GPL";
