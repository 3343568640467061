// SPDX-License-Identifier: GPL-2.0
/*
 * tracing: the classic tracing program types, which the 6.18 test kernel
 * loads (bpftool prog loadall) and which attach by name:
 *
 *   raw_tp_sys_enter  SEC("raw_tp/sys_enter"), BPF_PROG_TYPE_RAW_TRACEPOINT:
 *                     ctx = u64 args[] of the tracepoint (regs, id). Stores
 *                     raw_last_id = args[1], raw_count += 1. Returns 0.
 *                     BPF_PROG_TEST_RUN accepts a ctx_in of the u64 args
 *                     (no data/repeat): args {0, 59} -> raw_last_id 59.
 *   tp_openat         SEC("tracepoint/syscalls/sys_enter_openat"),
 *                     BPF_PROG_TYPE_TRACEPOINT: ctx = the event record
 *                     (struct sys_enter_openat_ctx in kernel.h). Stores
 *                     open_flags and the first 32 bytes of the user-space
 *                     filename (bpf_probe_read_user_str) into open_name;
 *                     open_name_len = that helper's result. Returns 0.
 *   kp_unlinkat       SEC("kprobe/do_unlinkat"), BPF_KPROBE(dfd, name):
 *                     ctx = struct pt_regs; the arguments come from rdi,
 *                     rsi. Stores unlink_dfd and the kernel filename string
 *                     (name->name via two probe reads). Returns 0.
 * BPF_PROG_TEST_RUN does not support tracepoint and kprobe programs; they
 * are exercised by attaching (unlinkat/openat syscalls) or in the emulator.
 */
#include "kernel.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

u64 raw_count;
s64 raw_last_id;
u64 open_flags;
s64 open_name_len;
char open_name[32];
s64 unlink_dfd;
char unlink_name[32];

SEC("raw_tp/sys_enter")
int raw_tp_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	raw_last_id = ctx->args[1];
	raw_count++;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat(struct sys_enter_openat_ctx *ctx)
{
	open_flags = ctx->flags;
	open_name_len = bpf_probe_read_user_str(open_name, sizeof(open_name), ctx->filename);
	return 0;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(kp_unlinkat, int dfd, struct filename *name)
{
	const char *s = BPF_CORE_READ(name, name);

	unlink_dfd = dfd;
	bpf_probe_read_kernel_str(unlink_name, sizeof(unlink_name), s);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
