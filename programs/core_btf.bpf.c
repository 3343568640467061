// SPDX-License-Identifier: GPL-2.0
/*
 * core_btf: CO-RE through BTF-typed pointers, where the verifier allows
 * direct loads (no bpf_probe_read_kernel): bpf_get_current_task_btf()
 * returns a trusted struct task_struct *, and tp_btf arguments are BTF
 * typed too. Every member access below is a plain LDX whose offset is a
 * FIELD_BYTE_OFFSET relocation; BPF_CORE_READ_BITFIELD (non-probed) loads
 * the containing word directly, using FIELD_BYTE_SIZE/LSHIFT_U64/RSHIFT_U64
 * and FIELD_SIGNED.
 *
 * Program core_btf_prog, SEC("tp_btf/sys_enter"), args (struct pt_regs
 * *regs, long id). Writes struct btf_result in .bss: pid_ok/tgid_ok
 * (direct task->pid/tgid vs bpf_get_current_pid_tgid), parent_ok
 * (task->real_parent->tgid > 0), comm0_ok (task->comm[0] vs
 * bpf_get_current_comm), in_execve (bitfield, normally 0), last_id = the
 * syscall number. Returns 0.
 *
 * Emulator only here: BPF_PROG_TYPE_TRACING programs need an attach target
 * in vmlinux BTF, and the 6.18 test kernel loads them (see README), but
 * BPF_PROG_TEST_RUN does not support tp_btf programs, so there is no
 * kernel result to compare with.
 */
#include "kernel.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct btf_result {
	u32 pid_ok;
	u32 tgid_ok;
	u32 parent_ok;
	u32 comm0_ok;
	u32 in_execve;
	s64 last_id;
};

struct btf_result result;

SEC("tp_btf/sys_enter")
int BPF_PROG(core_btf_prog, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	u64 pid_tgid = bpf_get_current_pid_tgid();
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	result.pid_ok = task->pid == (u32)pid_tgid;
	result.tgid_ok = task->tgid == pid_tgid >> 32;
	result.parent_ok = task->real_parent->tgid > 0;
	result.comm0_ok = task->comm[0] == comm[0];
	result.in_execve = BPF_CORE_READ_BITFIELD(task, in_execve);
	result.last_id = id;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
