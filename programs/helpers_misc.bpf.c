// SPDX-License-Identifier: GPL-2.0
/*
 * helpers_misc: time, randomness, CPU and current-task helpers, and
 * bpf_strncmp, from a tc program (SEC "tc", returns TC_ACT_OK = 0). Not
 * syscall: the kernel refuses bpf_ktime_get_coarse_ns in tracing and
 * syscall programs.
 *
 * Environment-dependent raw values (clocks, random numbers, CPU, pid, uid,
 * comm) go to struct misc_env in the .data.env section (its own internal
 * map) so that a differential test can skip that map; struct misc_result
 * result in .bss gets only facts that hold on any kernel:
 *
 *   mono_ok       ktime_get_ns() twice: second >= first                1
 *   boot_ok       ktime_get_boot_ns() >= ktime_get_ns() (boot time
 *                 includes suspend)                                    1
 *   coarse_ok     ktime_get_coarse_ns() <= ktime_get_ns() taken after
 *                 it (the coarse clock is the last tick)               1
 *   jiffies_ok    bpf_jiffies64() > 0                                  1
 *   cpu_ok        bpf_get_smp_processor_id() < 4096                    1
 *   pid_ok        bpf_get_current_pid_tgid(): tgid and pid non-zero    1
 *   comm_ok       bpf_get_current_comm(buf, 16) == 0, buf[0] != 0      1
 *   comm_one      bpf_get_current_comm(buf, 1) == 0 and buf[0] == 0
 *                 (the copy is NUL-terminated within size)            1
 *   strncmp_eq    bpf_strncmp("hello", 6, "hello")                     0
 *   strncmp_lt    bpf_strncmp("hella", 6, "hello")  ('a' < 'o')       <0
 *   strncmp_gt    bpf_strncmp("hellz", 6, "hello")                    >0
 *   strncmp_pre   bpf_strncmp("help", 3, "hello") (first 3 bytes)      0
 * The kernel's strncmp returns -1/0/1 (lib/string.c), so strncmp_lt = -1
 * and strncmp_gt = 1 on Linux. In BPF_PROG_TEST_RUN the "current task" is
 * the caller of bpf(2).
 */
#include "common.h"
#include <linux/pkt_cls.h>

struct misc_result {
	u32 mono_ok;
	u32 boot_ok;
	u32 coarse_ok;
	u32 jiffies_ok;
	u32 cpu_ok;
	u32 pid_ok;
	u32 comm_ok;
	u32 comm_one;
	s32 strncmp_eq;
	s32 strncmp_lt;
	s32 strncmp_gt;
	s32 strncmp_pre;
};

struct misc_env {
	u64 mono_ns;
	u64 boot_ns;
	u64 coarse_ns;
	u64 jiffies;
	u32 random[2];
	u32 cpu;
	u32 pad;
	u64 pid_tgid;
	u64 uid_gid;
	char comm[16];
};

struct misc_env env SEC(".data.env") = {};

/* bpf_strncmp's second string must be a read-only, NUL-terminated map value. */
const char hello[] = "hello";

static __noinline s32 cmp(const char *s, u32 n)
{
	return bpf_strncmp(s, n, hello);
}

struct misc_result result;

SEC("tc")
int misc_prog(struct __sk_buff *skb)
{
	char buf[16] = {};
	char a[8] = "hello", b[8] = "hella", c[8] = "hellz", d[8] = "help";
	u64 t1, t2, coarse;
	u64 pid_tgid;

	t1 = bpf_ktime_get_ns();
	t2 = bpf_ktime_get_ns();
	result.mono_ok = t2 >= t1;
	env.mono_ns = t1;
	env.boot_ns = bpf_ktime_get_boot_ns();
	result.boot_ok = env.boot_ns >= t2;
	coarse = bpf_ktime_get_coarse_ns();
	env.coarse_ns = coarse;
	result.coarse_ok = coarse <= bpf_ktime_get_ns();
	env.jiffies = bpf_jiffies64();
	result.jiffies_ok = env.jiffies > 0;
	env.random[0] = bpf_get_prandom_u32();
	env.random[1] = bpf_get_prandom_u32();
	env.cpu = bpf_get_smp_processor_id();
	result.cpu_ok = env.cpu < 4096;

	pid_tgid = bpf_get_current_pid_tgid();
	env.pid_tgid = pid_tgid;
	result.pid_ok = (u32)pid_tgid != 0 && (pid_tgid >> 32) != 0;
	env.uid_gid = bpf_get_current_uid_gid();
	result.comm_ok = bpf_get_current_comm(buf, sizeof(buf)) == 0 && buf[0] != 0;
	__builtin_memcpy(env.comm, buf, sizeof(buf));
	result.comm_one = bpf_get_current_comm(buf, 1) == 0 && buf[0] == 0;

	result.strncmp_eq = cmp(a, sizeof("hello"));
	result.strncmp_lt = cmp(b, sizeof("hello"));
	result.strncmp_gt = cmp(c, sizeof("hello"));
	result.strncmp_pre = cmp(d, 3);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
