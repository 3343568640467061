// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_rdonly: the kfunc bpf_rdonly_cast as the verifier checks it, one
 * program per rule, each loaded on its own; corpus group rdonly
 * (test/verifier/corpus/rdonly.ts) records the verdicts: a struct cast
 * (PTR_TO_BTF_ID | PTR_UNTRUSTED) read by BTF field, walked to a pointer
 * member, written, read past its end, passed to a kfunc that wants a
 * trusted pointer, a union's byte array read as a word inside and past
 * its end; a void cast (type id 0: untrusted read-only memory)
 * read at any offset and written; a type id that is not a constant, names
 * no type, or names an int. The run-time program is rdonly_cast.bpf.c.
 */
#include "common.h"
#include <bpf/bpf_core_read.h>

extern void *bpf_rdonly_cast(const void *obj__ign, u32 btf_id__k) __ksym;

#ifndef bpf_core_cast
#define bpf_core_cast(ptr, type) \
	((typeof(type) *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))
#endif

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

struct in6_addr {
	union {
		u8 u6_addr8[16];
		u32 u6_addr32[4];
	} in6_u;
} __attribute__((preserve_access_index));

struct sk_buff {
	unsigned int len;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

struct args {
	u32 id;
	u32 off;
};

SEC("syscall")
int task_ok(void *ctx)
{
	struct task_struct *t = bpf_core_cast((void *)bpf_get_current_task(), struct task_struct);

	return t->pid + t->tgid;
}

SEC("syscall")
int task_walk_ok(void *ctx)
{
	struct task_struct *t = bpf_core_cast((void *)bpf_get_current_task(), struct task_struct);

	return t->real_parent->pid;
}

SEC("tc")
int skb_ok(struct __sk_buff *skb)
{
	struct sk_buff *s = bpf_core_cast(skb, struct sk_buff);

	return s->len & 1;
}

SEC("syscall")
int scalar_ok(void *ctx)
{
	struct task_struct *t = bpf_core_cast((void *)0x1000, struct task_struct);

	return t->pid;
}

SEC("syscall")
int task_write(void *ctx)
{
	struct task_struct *t = bpf_core_cast((void *)bpf_get_current_task(), struct task_struct);

	t->pid = 1;
	return 0;
}

SEC("syscall")
int task_past_end(void *ctx)
{
	struct task_struct *t = bpf_core_cast((void *)bpf_get_current_task(), struct task_struct);

	return *(int *)((char *)t + 0x10000);
}

SEC("syscall")
int task_to_kfunc(void *ctx)
{
	struct task_struct *t = bpf_core_cast((void *)bpf_get_current_task(), struct task_struct);
	struct task_struct *r = bpf_task_acquire(t);

	if (r)
		bpf_task_release(r);
	return 0;
}

SEC("syscall")
int void_ok(void *ctx)
{
	u64 *p = bpf_rdonly_cast((void *)bpf_get_current_task(), 0);

	return p[1000] & 1;
}

SEC("syscall")
int void_write(void *ctx)
{
	u64 *p = bpf_rdonly_cast((void *)bpf_get_current_task(), 0);

	p[2] = 0;
	return 0;
}

SEC("syscall")
int id_var(struct args *a)
{
	struct task_struct *t = bpf_rdonly_cast((void *)bpf_get_current_task(), a->id);

	return t->pid;
}

SEC("syscall")
int id_unknown(void *ctx)
{
	struct task_struct *t = bpf_rdonly_cast((void *)bpf_get_current_task(), 0x7ffffff);

	return t->pid;
}

SEC("syscall")
int id_int(void *ctx)
{
	int *p = bpf_rdonly_cast((void *)bpf_get_current_task(), bpf_core_type_id_kernel(int));

	return *p;
}

/* a u32 at byte 12 of the union's first member, u8[16]: inside it */
SEC("syscall")
int in6_word_ok(void *ctx)
{
	struct in6_addr *ip = bpf_core_cast(ctx, struct in6_addr);

	return ip->in6_u.u6_addr32[3];
}

/* a u32 at byte 14: past the end of every member */
SEC("syscall")
int in6_past_member(void *ctx)
{
	struct in6_addr *ip = bpf_core_cast(ctx, struct in6_addr);

	return *(u32 *)((char *)ip + 14);
}

char LICENSE[] SEC("license") = "GPL";
