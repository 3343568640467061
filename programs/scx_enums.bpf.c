// SPDX-License-Identifier: GPL-2.0
/*
 * scx_enums: a global FIFO scheduler written against newer scx headers, whose
 * enums.autogen.bpf.h turns sched_ext constants into `const volatile u64
 * __SCX_...` variables that user space fills from the kernel's BTF before
 * load (SCX_ENUM_INIT); the constant names are then macros for them. Left at
 * 0, SCX_DSQ_LOCAL would name user DSQ 0 and every slice would be 0.
 *
 *   init        records the values it sees in `seen`
 *   select_cpu  an idle CPU (default selection) gets the task directly
 *   enqueue     user DSQ 1 (FIFO); dispatch: DSQ 1 to the local DSQ
 * Needs a kernel with CONFIG_SCHED_CLASS_EXT (bpfemu: bpfemu sim sched-ext).
 */
#include "scx/common.bpf.h"

const volatile u64 __SCX_DSQ_LOCAL __attribute__((weak));
const volatile u64 __SCX_DSQ_GLOBAL __attribute__((weak));
const volatile u64 __SCX_SLICE_DFL __attribute__((weak));
const volatile u64 __SCX_ENQ_WAKEUP __attribute__((weak));
const volatile u64 __SCX_KICK_PREEMPT __attribute__((weak));
const volatile u64 __SCX_NO_SUCH_CONSTANT __attribute__((weak));

#define SCX_DSQ_LOCAL __SCX_DSQ_LOCAL
#define SCX_DSQ_GLOBAL __SCX_DSQ_GLOBAL
#define SCX_SLICE_DFL __SCX_SLICE_DFL
#define SCX_ENQ_WAKEUP __SCX_ENQ_WAKEUP
#define SCX_KICK_PREEMPT __SCX_KICK_PREEMPT

#define MY_DSQ 1

u64 seen[6];
u64 nr_wakeup_enq;

s32 BPF_STRUCT_OPS(enums_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);

	if (is_idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(enums_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (enq_flags & SCX_ENQ_WAKEUP)
		nr_wakeup_enq++;
	scx_bpf_dsq_insert(p, MY_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(enums_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(MY_DSQ);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(enums_init)
{
	seen[0] = SCX_DSQ_LOCAL;
	seen[1] = SCX_DSQ_GLOBAL;
	seen[2] = SCX_SLICE_DFL;
	seen[3] = SCX_ENQ_WAKEUP;
	seen[4] = SCX_KICK_PREEMPT;
	seen[5] = __SCX_NO_SUCH_CONSTANT;
	return scx_bpf_create_dsq(MY_DSQ, -1);
}

SCX_OPS_DEFINE(enums_ops,
	       .select_cpu = (void *)enums_select_cpu,
	       .enqueue = (void *)enums_enqueue,
	       .dispatch = (void *)enums_dispatch,
	       .init = (void *)enums_init,
	       .name = "enums");

char _license[] SEC("license") = "GPL";
