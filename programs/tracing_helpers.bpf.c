// SPDX-License-Identifier: GPL-2.0
/*
 * tracing_helpers: the tracing helpers of src/helpers/tracing.ts from the
 * program types that may call them. Each program writes what the helpers
 * returned into the u64 array `out` (slots below).
 *
 *   fentry_args   SEC("fentry/bpf_fentry_test2") (int a, u64 b):
 *                 [0] bpf_get_func_ip, [1] bpf_get_func_arg_cnt,
 *                 [2] arg 0, [3] arg 1 (via bpf_get_func_arg), [4] the result
 *                 of bpf_get_func_arg(ctx, 2, ...) (-EINVAL), [5] bpf_get_func_ret
 *                 (-EOPNOTSUPP at fentry)
 *   fexit_ret     SEC("fexit/bpf_fentry_test2"): [6] bpf_get_func_ret's
 *                 result, [7] the return value it read
 *   kprobe_stack  SEC("kprobe/do_unlinkat"): [8] bpf_get_func_ip,
 *                 [9] bpf_get_stack(kernel, 4 frames) and the frames in
 *                 [10..13], [14] bpf_get_stack(user stack, skip 1, 2 frames)
 *                 and the frames in [15..16], [17] the build-id flavour
 *                 (one 32-byte record: status in [18], ip in [19]),
 *                 [20] bpf_get_current_cgroup_id,
 *                 [21] bpf_get_current_ancestor_cgroup_id(1),
 *                 [22] bpf_send_signal(SIGUSR1 = 10)
 *   perf_branch   SEC("perf_event"): [23] bpf_read_branch_records with no
 *                 flags, [24] with BPF_F_GET_BRANCH_RECORDS_SIZE, [25] with
 *                 flags 2
 *   task_stack    SEC("syscall"): [26] bpf_get_task_stack(current, 3 frames),
 *                 frames in [27..29], [30] its user stack (BPF_F_USER_STACK)
 *   kprobe_stackid SEC("kprobe/do_unlinkat"): bpf_get_stackid into the
 *                 STACK_TRACE map `stacks` (16 buckets, 4 frames): [31] the
 *                 kernel stack's id, [32] the same again, [33] the user
 *                 stack's, [34] unknown flags (-EINVAL), [35] skipping 200
 *                 frames (-EFAULT)
 *
 * The 6.18 test machine refuses every fentry/fexit program (EPERM, as for
 * tracing_trampoline); -DNO_TRAMPOLINE leaves them out to check that the
 * other programs load there.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 40);
	__type(key, u32);
	__type(value, u64);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__type(key, u32);
	__uint(value_size, 4 * sizeof(u64));
} stacks SEC(".maps");

static __always_inline void put(u32 i, u64 v)
{
	bpf_map_update_elem(&out, &i, &v, BPF_ANY);
}

#ifndef NO_TRAMPOLINE
SEC("fentry/bpf_fentry_test2")
int fentry_args(u64 *ctx)
{
	u64 v = 0;

	put(0, bpf_get_func_ip(ctx));
	put(1, bpf_get_func_arg_cnt(ctx));
	bpf_get_func_arg(ctx, 0, &v);
	put(2, v);
	bpf_get_func_arg(ctx, 1, &v);
	put(3, v);
	put(4, bpf_get_func_arg(ctx, 2, &v));
	put(5, bpf_get_func_ret(ctx, &v));
	return 0;
}

SEC("fexit/bpf_fentry_test2")
int fexit_ret(u64 *ctx)
{
	u64 v = 0;

	put(6, bpf_get_func_ret(ctx, &v));
	put(7, v);
	return 0;
}
#endif

struct build_id_rec {
	s32 status;
	u8 build_id[20];
	u64 ip;
};

SEC("kprobe/do_unlinkat")
int kprobe_stack(struct pt_regs *regs)
{
	u64 frames[4] = {};
	struct build_id_rec rec = {};
	long n;

	put(8, bpf_get_func_ip(regs));
	n = bpf_get_stack(regs, frames, sizeof(frames), 0);
	put(9, n);
	put(10, frames[0]);
	put(11, frames[1]);
	put(12, frames[2]);
	put(13, frames[3]);
	n = bpf_get_stack(regs, frames, 2 * sizeof(u64), BPF_F_USER_STACK | 1);
	put(14, n);
	put(15, frames[0]);
	put(16, frames[1]);
	put(17, bpf_get_stack(regs, &rec, sizeof(rec), BPF_F_USER_STACK | BPF_F_USER_BUILD_ID));
	put(18, rec.status);
	put(19, rec.ip);
	put(20, bpf_get_current_cgroup_id());
	put(21, bpf_get_current_ancestor_cgroup_id(1));
	put(22, bpf_send_signal(10));
	return 0;
}

SEC("perf_event")
int perf_branch(void *ctx)
{
	u8 buf[24];

	put(23, bpf_read_branch_records(ctx, buf, sizeof(buf), 0));
	put(24, bpf_read_branch_records(ctx, NULL, 0, BPF_F_GET_BRANCH_RECORDS_SIZE));
	put(25, bpf_read_branch_records(ctx, buf, sizeof(buf), 2));
	return 0;
}

SEC("syscall")
int task_stack(void *ctx)
{
	u64 frames[3] = {};
	struct task_struct *task = bpf_get_current_task_btf();

	put(26, bpf_get_task_stack(task, frames, sizeof(frames), 0));
	put(27, frames[0]);
	put(28, frames[1]);
	put(29, frames[2]);
	put(30, bpf_get_task_stack(task, frames, sizeof(frames), BPF_F_USER_STACK));
	return 0;
}

SEC("kprobe/do_unlinkat")
int kprobe_stackid(struct pt_regs *regs)
{
	put(31, bpf_get_stackid(regs, &stacks, 0));
	put(32, bpf_get_stackid(regs, &stacks, 0));
	put(33, bpf_get_stackid(regs, &stacks, BPF_F_USER_STACK));
	put(34, bpf_get_stackid(regs, &stacks, 1 << 12));
	put(35, bpf_get_stackid(regs, &stacks, 200));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
