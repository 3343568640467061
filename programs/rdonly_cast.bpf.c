// SPDX-License-Identifier: GPL-2.0
/*
 * rdonly_cast: the kfunc bpf_rdonly_cast through libbpf's bpf_core_cast()
 * (CO-RE TYPE_ID_TARGET against the kernel's BTF), run time. cast_prog
 * (syscall) reads through cast pointers, each load a PROBE_MEM load:
 * its ctx cast to struct in6_addr, the current task's pid and tgid
 * compared with bpf_get_current_pid_tgid(), and a field of NULL and of a
 * user-space address given in the ctx (a fault reads 0). Results go back
 * into the ctx (struct cast_args). Kernel-differential case
 * syscall_rdonly_cast.
 */
#include "common.h"
#include <bpf/bpf_core_read.h>

extern void *bpf_rdonly_cast(const void *obj__ign, u32 btf_id__k) __ksym;

/* libbpf >= 1.4 ships the same macro */
#ifndef bpf_core_cast
#define bpf_core_cast(ptr, type) \
	((typeof(type) *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))
#endif

struct in6_addr {
	union {
		u8 u6_addr8[16];
		u32 u6_addr32[4];
	} in6_u;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct cast_args {
	u32 words[4];	/* in: read back through a struct in6_addr cast */
	u64 addr;	/* in: an address cast to struct task_struct */
	u32 out[4];	/* out: words 3, 0 and byte 5 through the cast, the sum */
	u32 pid_ok;	/* out: task->pid == (u32)pid_tgid */
	u32 tgid_ok;	/* out: task->tgid == pid_tgid >> 32 */
	u32 null_pid;	/* out: ((struct task_struct *)NULL)->pid */
	u32 addr_pid;	/* out: ((struct task_struct *)addr)->pid */
};

SEC("syscall")
int cast_prog(struct cast_args *a)
{
	struct in6_addr *ip = bpf_core_cast(a, struct in6_addr);
	struct task_struct *t = bpf_core_cast((void *)bpf_get_current_task(), struct task_struct);
	struct task_struct *n = bpf_core_cast((void *)0, struct task_struct);
	struct task_struct *u = bpf_core_cast((void *)a->addr, struct task_struct);
	u64 pt = bpf_get_current_pid_tgid();

	a->out[0] = ip->in6_u.u6_addr32[3];
	a->out[1] = ip->in6_u.u6_addr32[0];
	a->out[2] = ip->in6_u.u6_addr8[5];
	a->out[3] = ip->in6_u.u6_addr32[1] + ip->in6_u.u6_addr32[2];
	a->pid_ok = t->pid == (u32)pt;
	a->tgid_ok = t->tgid == (u32)(pt >> 32);
	a->null_pid = n->pid;
	a->addr_pid = u->pid;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
