// SPDX-License-Identifier: GPL-2.0
/*
 * override_return: kprobe programs that make the probed function fail
 * with bpf_override_return, as fault-injection tools do.
 *
 * fail_openat, SEC("kprobe/__x64_sys_openat"): when the open flags (the
 * syscall's third argument, read from the inner pt_regs) have O_CREAT set,
 * the call returns -EACCES (-13) instead of running; otherwise nothing.
 * Counts overrides in `overrides`, keeps ctx->ax after the call in
 * `last_ax` (the helper sets the return register).
 * fail_unlink, SEC("kprobe/do_unlinkat"): always overrides with -EPERM;
 * do_unlinkat is not on the error-injection list, so the kernel refuses to
 * attach it (EINVAL).
 */
#include "tcp_cc_vmlinux.h"
#include <bpf/bpf_helpers.h>

#define O_CREAT 0100

__u64 overrides, last_ax;

SEC("kprobe/__x64_sys_openat")
int fail_openat(struct pt_regs *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->di;
	unsigned long flags = 0;

	bpf_probe_read_kernel(&flags, sizeof(flags), &regs->dx);
	if (flags & O_CREAT) {
		bpf_override_return(ctx, -13);
		last_ax = ctx->ax;
		overrides++;
	}
	return 0;
}

SEC("kprobe/do_unlinkat")
int fail_unlink(struct pt_regs *ctx)
{
	bpf_override_return(ctx, -1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
