// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_assoc_direct_void: like struct_ops_assoc_direct.bpf.c's
 * read_magic, but bpf_prog_get_assoc_struct_ops is declared with no
 * parameter,
 *
 *   extern void *bpf_prog_get_assoc_struct_ops(void) __ksym;
 *
 * so the BTF FUNC_PROTO in .ksyms has zero parameters and the call site
 * does not set r1 (it holds whatever was there: here the ctx pointer).
 * The emulator must supply the calling program the same way (the program
 * argument is implicit either way) and ignore r1.
 *
 * struct bpfemu_demo_ops as in struct_ops_assoc_direct.bpf.c (get @0,
 * magic @8, tag[8] @12, size 24). Map demo_ops_void:
 * SEC(".struct_ops.link"), get = void_get, magic 0x7e57, tag "void".
 *
 * Programs:
 *   read_magic_void  SEC("syscall"): returns ops->magic (0x7e57 = 32343
 *                    once associated with demo_ops_void) or 0xbad (2989)
 *                    when unassociated; magic_seen likewise (-1 for NULL).
 *   void_get         SEC("struct_ops"), demo_ops_void.get: returns
 *                    ops->magic (implicit association), -1 without one.
 * Emulator only.
 */
#include "common.h"
#include "testmod.h"
#include <bpf/bpf_tracing.h>

extern void *bpf_prog_get_assoc_struct_ops(void) __ksym;

struct bpfemu_demo_ops {
	int (*get)(struct st_ops_args *args);
	int magic;
	char tag[8];
};

int magic_seen;

SEC("syscall")
int read_magic_void(void *ctx)
{
	struct bpfemu_demo_ops *ops = bpf_prog_get_assoc_struct_ops();

	if (!ops) {
		magic_seen = -1;
		return 0xbad;
	}
	magic_seen = ops->magic;
	return ops->magic;
}

SEC("struct_ops")
int BPF_PROG(void_get, struct st_ops_args *args)
{
	struct bpfemu_demo_ops *ops = bpf_prog_get_assoc_struct_ops();

	return ops ? ops->magic : -1;
}

SEC(".struct_ops.link")
struct bpfemu_demo_ops demo_ops_void = {
	.get = (void *)void_get,
	.magic = 0x7e57,
	.tag = "void",
};

char LICENSE[] SEC("license") = "GPL";
