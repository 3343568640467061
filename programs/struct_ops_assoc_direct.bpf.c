// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_assoc_direct: programs that read their associated struct_ops
 * instance directly through the emulator-extension kfunc
 *
 *   extern void *bpf_prog_get_assoc_struct_ops(void *aux__prog) __ksym;
 *
 * In the kernel bpf_prog_get_assoc_struct_ops is an internal function, not
 * a kfunc (struct-ops-assoc.md 4.1); bpfemu exposes it with a __prog-style
 * implicit argument: whatever the program passes (NULL here) is replaced by
 * the calling program. It returns the associated map's kdata (the struct
 * below, with function slots holding programs) or NULL when the program is
 * unassociated or poisoned. (struct_ops_assoc_direct_void.bpf.c declares
 * it without parameters.)
 *
 * struct bpfemu_demo_ops (emulator-registered struct_ops type):
 *   offset 0   int (*get)(struct st_ops_args *args)
 *   offset 8   int magic
 *   offset 12  char tag[8]
 *   size 24
 * Map demo_ops: SEC(".struct_ops.link"), get = demo_get, magic 0x600d,
 * tag "bpfemu".
 *
 * Programs:
 *   read_magic  SEC("syscall"): ops = bpf_prog_get_assoc_struct_ops(NULL);
 *               NULL -> magic_seen = -1, returns 0xbad (2989); else
 *               magic_seen = ops->magic, tag_seen = ops->tag, returns
 *               ops->magic. After assoc(read_magic, demo_ops): returns
 *               0x600d (24589), magic_seen 0x600d, tag_seen "bpfemu".
 *   demo_get    SEC("struct_ops"), demo_ops.get: implicitly associated
 *               with demo_ops by the map update; returns ops->magic +
 *               args->a (or -1 without an association) and sets
 *               get_calls += 1.
 * Emulator only.
 */
#include "common.h"
#include "testmod.h"
#include <bpf/bpf_tracing.h>

extern void *bpf_prog_get_assoc_struct_ops(void *aux__prog) __ksym;

struct bpfemu_demo_ops {
	int (*get)(struct st_ops_args *args);
	int magic;
	char tag[8];
};

int magic_seen;
char tag_seen[8];
int get_calls;

SEC("syscall")
int read_magic(void *ctx)
{
	struct bpfemu_demo_ops *ops = bpf_prog_get_assoc_struct_ops(NULL);

	if (!ops) {
		magic_seen = -1;
		return 0xbad;
	}
	magic_seen = ops->magic;
	__builtin_memcpy(tag_seen, ops->tag, sizeof(tag_seen));
	return ops->magic;
}

SEC("struct_ops")
int BPF_PROG(demo_get, struct st_ops_args *args)
{
	struct bpfemu_demo_ops *ops = bpf_prog_get_assoc_struct_ops(NULL);

	get_calls++;
	if (!ops)
		return -1;
	return ops->magic + args->a;
}

SEC(".struct_ops.link")
struct bpfemu_demo_ops demo_ops = {
	.get = (void *)demo_get,
	.magic = 0x600d,
	.tag = "bpfemu",
};

char LICENSE[] SEC("license") = "GPL";
