// SPDX-License-Identifier: GPL-2.0
/*
 * tracing_trampoline: BPF programs attached through a BPF trampoline
 * (fentry, fexit; lsm uses the same mechanism on bpf_lsm_* hooks). ctx is
 * an array of u64 arguments (BPF_PROG unpacks it; fexit gets the return
 * value after the arguments, lsm the previous verdict), and pointer
 * arguments are BTF-typed, so member reads are direct loads.
 *
 *   fentry_test1     SEC("fentry/bpf_fentry_test1") (int a): fentry_a = a.
 *   fexit_test2      SEC("fexit/bpf_fentry_test2")  (int a, u64 b, int
 *                    ret): fexit_a, fexit_b, fexit_ret.
 *   fentry_unlinkat  SEC("fentry/do_unlinkat") (int dfd, struct filename
 *                    *name): unlink_dfd = dfd, name->name (a direct BTF
 *                    pointer read) copied with bpf_probe_read_kernel_str
 *                    into unlink_name.
 *   lsm_file_open    SEC("lsm/file_open") (struct file *file, int ret):
 *                    lsm_calls += 1; returns ret (keeps the previous
 *                    verdict; 0 = allow).
 * All return 0 except lsm_file_open.
 *
 * bpf_fentry_test1/2 are the kernel's test targets (net/bpf/test_run.c):
 * BPF_PROG_TEST_RUN on an *attached* fentry/fexit program calls
 * bpf_fentry_test1(1) (returns 2) and bpf_fentry_test2(2, 3) (returns 5),
 * so a kernel run gives fentry_a 1, fexit_a 2, fexit_b 3, fexit_ret 5.
 *
 * Emulator only here: the 6.18 test kernel refuses to load trampoline
 * programs (fentry, fexit, fmod_ret, lsm) with EPERM and no verifier log,
 * while tp_btf and iter load (see tracing_btf.bpf.c).
 */
#include "kernel.h"
#include <bpf/bpf_tracing.h>

s32 fentry_a;
s32 fexit_a;
u64 fexit_b;
s32 fexit_ret;
s32 unlink_dfd;
char unlink_name[32];
u64 lsm_calls;

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(fentry_test1, int a)
{
	fentry_a = a;
	return 0;
}

SEC("fexit/bpf_fentry_test2")
int BPF_PROG(fexit_test2, int a, u64 b, int ret)
{
	fexit_a = a;
	fexit_b = b;
	fexit_ret = ret;
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(fentry_unlinkat, int dfd, struct filename *name)
{
	unlink_dfd = dfd;
	bpf_probe_read_kernel_str(unlink_name, sizeof(unlink_name), name->name);
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(lsm_file_open, struct file *file, int ret)
{
	lsm_calls++;
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
