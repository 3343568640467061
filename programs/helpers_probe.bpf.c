// SPDX-License-Identifier: GPL-2.0
/*
 * helpers_probe: bpf_probe_read_kernel(_str), bpf_probe_read_user(_str)
 * and bpf_copy_from_user, from a syscall program (sleepable, so
 * bpf_copy_from_user may fault pages in).
 *
 * Kernel memory with known contents: the program's own .rodata string
 * `kstr` lives in a map value, i.e. at a kernel address, so probe-reading
 * it is deterministic. User memory: the caller passes a pointer to its own
 * buffer in args->uptr (for BPF_PROG_TEST_RUN, an address in the calling
 * process), with args->ulen bytes.
 *
 * Program probe_prog, SEC("syscall"), ctx struct probe_args:
 *   rk      probe_read_kernel(kbuf, 16, kstr)              0, kbuf = kstr
 *   rk_str  probe_read_kernel_str(kbuf2, 16, kstr)         12 (strlen
 *           of "bpfemu-kstr" + NUL; the rest of kbuf2 keeps 0x55 bytes)
 *   rk_null probe_read_kernel(tmp, 8, NULL)                -ERANGE (-34)
 *           on x86-64: copy_from_kernel_nofault refuses user-range
 *           addresses before touching them (arch/x86/mm/maccess.c); other
 *           arches fault and return -EFAULT. tmp is zeroed either way
 *           (null_zeroed = 1).
 *   ru      probe_read_user(ubuf, 16, uptr)                0 (-EFAULT when
 *           uptr is not a readable user address)
 *   ru_str  probe_read_user_str(ubuf2, 16, uptr)           strlen + 1 of
 *           the user string, capped at 16
 *   ru_kern probe_read_user(tmp, 8, kstr) (a kernel address) -EFAULT (-14)
 *   cfu     copy_from_user(ubuf3, 8, uptr)                 0 (-EFAULT for a
 *           bad uptr)
 * With uptr -> "user says hi": ru 0, ru_str 13, ubuf = ubuf2 = "user says
 * hi", ubuf3 = "user say". With uptr = 0x10: ru, ru_str, cfu = -14 and the
 * buffers are zero.
 * kbuf, kbuf2, ubuf, ubuf2, ubuf3 are copied into args. Returns 0.
 */
#include "common.h"

const char kstr[16] = "bpfemu-kstr";

struct probe_args {
	u64 uptr;
	u32 ulen;
	u32 null_zeroed;
	s64 rk;
	s64 rk_str;
	s64 rk_null;
	s64 ru;
	s64 ru_str;
	s64 ru_kern;
	s64 cfu;
	char kbuf[16];
	char kbuf2[16];
	char ubuf[16];
	char ubuf2[16];
	char ubuf3[8];
};

SEC("syscall")
int probe_prog(struct probe_args *args)
{
	char buf[16], tmp[8];
	const void *uptr = (const void *)args->uptr;

	args->rk = bpf_probe_read_kernel(buf, sizeof(buf), kstr);
	__builtin_memcpy(args->kbuf, buf, sizeof(buf));
	__builtin_memset(buf, 0x55, sizeof(buf));
	args->rk_str = bpf_probe_read_kernel_str(buf, sizeof(buf), kstr);
	__builtin_memcpy(args->kbuf2, buf, sizeof(buf));

	__builtin_memset(tmp, 0xaa, sizeof(tmp));
	args->rk_null = bpf_probe_read_kernel(tmp, sizeof(tmp), NULL);
	args->null_zeroed = *(u64 *)tmp == 0;

	__builtin_memset(buf, 0, sizeof(buf));
	args->ru = bpf_probe_read_user(buf, sizeof(buf), uptr);
	__builtin_memcpy(args->ubuf, buf, sizeof(buf));
	__builtin_memset(buf, 0, sizeof(buf));
	args->ru_str = bpf_probe_read_user_str(buf, sizeof(buf), uptr);
	__builtin_memcpy(args->ubuf2, buf, sizeof(buf));

	args->ru_kern = bpf_probe_read_user(tmp, sizeof(tmp), kstr);

	__builtin_memset(tmp, 0, sizeof(tmp));
	args->cfu = bpf_copy_from_user(tmp, sizeof(tmp), uptr);
	__builtin_memcpy(args->ubuf3, tmp, sizeof(tmp));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
