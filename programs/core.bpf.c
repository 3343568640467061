// SPDX-License-Identifier: GPL-2.0
/*
 * core: CO-RE relocations (BTF.ext core_relo records) of every kind the
 * libbpf 1.1 macros produce, in a raw_tp program the kernel can load and
 * test-run (BPF_PROG_TEST_RUN on raw_tp runs it in the caller's context).
 *
 * Kinds (enum bpf_core_relo_kind):
 *   FIELD_BYTE_OFFSET (0)  BPF_CORE_READ(task, pid), the nested
 *                          thread_info.cpu, the pointer chain
 *                          real_parent->tgid, the array element comm[2]
 *   FIELD_BYTE_SIZE (1), FIELD_LSHIFT_U64 (4), FIELD_RSHIFT_U64 (5),
 *   FIELD_SIGNED (3)       BPF_CORE_READ_BITFIELD_PROBED(task, in_execve)
 *                          and bpf_core_field_size(task->comm)
 *   FIELD_EXISTS (2)       on pid (1) and on a member only our ___flavour
 *                          type has (0)
 *   TYPE_ID_LOCAL (6), TYPE_ID_TARGET (7)
 *   TYPE_EXISTS (8)        struct task_struct (1), a made-up struct (0)
 *   TYPE_SIZE (9)          struct task_struct (kernel's size)
 *   ENUMVAL_EXISTS (10), ENUMVAL_VALUE (11)
 *                          enum bpf_map_type (uapi) and a ___flavour of it
 *                          naming BPF_MAP_TYPE_ARENA, which the 6.1 uapi
 *                          header lacks (33 on kernels >= 6.9)
 *   TYPE_MATCHES (12)      struct task_struct (0 with libbpf 1.1 on 6.18:
 *                          after typedefs are skipped, integer types must
 *                          match by name and signedness; our "unsigned
 *                          long" is the kernel's "long unsigned int", and
 *                          -target bpf's char is signed while kernels since
 *                          6.2 use -funsigned-char) and a ___flavour with
 *                          only int members (1)
 *
 * Program core_prog, SEC("raw_tp/sys_enter"). Deterministic outputs go to
 * struct core_result in .bss: each CO-RE read compared with the matching
 * helper (pid/tgid with bpf_get_current_pid_tgid, comm with
 * bpf_get_current_comm, thread_info.cpu with bpf_get_smp_processor_id),
 * exists/size/enum results. Environment-dependent raw values (pid, type
 * sizes and ids) go to .data.env so differential tests can skip that map.
 * Expected on 6.18 (result): pid_ok tgid_ok comm_ok cpu_ok parent_ok 1,
 * pid_exists 1, flavour_member_exists 0, task_exists 1, fake_exists 0,
 * comm_size 16, bloom_exists 1, bloom_value 30, arena_exists 1,
 * arena_value 33, fake_enum_exists 0, task_matches 0, task_ids_matches 1,
 * local_id_nonzero 1, in_execve 0.
 * Returns 0.
 */
#include "kernel.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* A flavour that TYPE_MATCHES accepts (pid_t and int are both "int"). */
struct task_struct___ids {
	int pid;
	int tgid;
};

struct bpfemu_no_such_type {
	int x;
};

/* Flavour of the uapi enum: BPF_MAP_TYPE_ARENA appeared in 6.9. */
enum bpf_map_type___bpfemu {
	BPF_MAP_TYPE_ARENA = 33,
	BPFEMU_MAP_TYPE_NONE = 1000,
};

struct core_result {
	u32 pid_ok;
	u32 tgid_ok;
	u32 comm_ok;
	u32 comm2_ok;
	u32 cpu_ok;
	u32 parent_ok;
	u32 in_execve;
	u32 pid_exists;
	u32 flavour_member_exists;
	u32 task_exists;
	u32 fake_exists;
	u32 comm_size;
	u32 bloom_exists;
	u32 bloom_value;
	u32 arena_exists;
	u32 arena_value;
	u32 fake_enum_exists;
	u32 task_matches;
	u32 task_ids_matches;
	u32 local_id_nonzero;
};

struct core_env {
	s32 pid;
	s32 parent_tgid;
	u32 task_size;
	u32 task_kernel_id;
	u32 pid_offset;
};

struct core_result result;
struct core_env env SEC(".data.env") = {};

SEC("raw_tp/sys_enter")
int core_prog(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	u64 pid_tgid = bpf_get_current_pid_tgid();
	char comm[16], core_comm[16];
	char c2 = 0;
	int i;

	env.pid = BPF_CORE_READ(task, pid);
	env.parent_tgid = BPF_CORE_READ(task, real_parent, tgid);
	env.task_size = bpf_core_type_size(struct task_struct);
	env.task_kernel_id = bpf_core_type_id_kernel(struct task_struct);
	env.pid_offset = bpf_core_field_offset(task->pid);

	result.pid_ok = env.pid == (u32)pid_tgid;
	result.tgid_ok = BPF_CORE_READ(task, tgid) == pid_tgid >> 32;
	result.parent_ok = env.parent_tgid > 0;
	result.cpu_ok = BPF_CORE_READ(task, thread_info.cpu) == bpf_get_smp_processor_id();

	bpf_get_current_comm(comm, sizeof(comm));
	BPF_CORE_READ_STR_INTO(&core_comm, task, comm);
	result.comm_ok = 1;
	for (i = 0; i < 16; i++) {
		if (comm[i] != core_comm[i])
			result.comm_ok = 0;
		if (!comm[i])
			break;
	}
	bpf_core_read(&c2, 1, &task->comm[2]);
	result.comm2_ok = c2 == comm[2];

	result.in_execve = BPF_CORE_READ_BITFIELD_PROBED(task, in_execve);
	result.pid_exists = bpf_core_field_exists(task->pid);
	result.flavour_member_exists =
		bpf_core_field_exists(((struct task_struct___bpfemu *)task)->bpfemu_no_such_member);
	result.task_exists = bpf_core_type_exists(struct task_struct);
	result.fake_exists = bpf_core_type_exists(struct bpfemu_no_such_type);
	result.comm_size = bpf_core_field_size(task->comm);
	result.bloom_exists = bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_BLOOM_FILTER);
	result.bloom_value = bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_BLOOM_FILTER);
	result.arena_exists = bpf_core_enum_value_exists(enum bpf_map_type___bpfemu, BPF_MAP_TYPE_ARENA);
	result.arena_value = bpf_core_enum_value(enum bpf_map_type___bpfemu, BPF_MAP_TYPE_ARENA);
	result.fake_enum_exists =
		bpf_core_enum_value_exists(enum bpf_map_type___bpfemu, BPFEMU_MAP_TYPE_NONE);
	result.task_matches = bpf_core_type_matches(struct task_struct);
	result.task_ids_matches = bpf_core_type_matches(struct task_struct___ids);
	result.local_id_nonzero = bpf_core_type_id_local(struct task_struct) != 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
