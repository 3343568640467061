// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops: the three kinds of struct_ops variables of a small ops type
 * with function-pointer and data members, and sleepable programs.
 *
 * struct my_ops (not a kernel type; the emulator registers it):
 *   offset  0  int (*test_1)(void)
 *   offset  8  int (*test_2)(int a, int b)
 *   offset 16  int flags
 *   offset 20  char name[16]
 *   size 40 (8-byte aligned)
 *
 * Variables (one struct_ops map each, named after the variable):
 *   my_ops_link      SEC(".struct_ops.link")  BPF_F_LINK; test_1 = test_1,
 *                    test_2 = test_2, flags 0x55, name "my_ops_link"
 *   my_ops_plain     SEC(".struct_ops")       no link (registered by the
 *                    map update); test_2 = test_2_sleepable, flags 0xaa,
 *                    name "my_ops_plain"
 *   my_ops_optional  SEC("?.struct_ops")      autocreate = false; test_1 =
 *                    test_1_optional, flags 1, name "my_ops_optional"
 * Function-pointer slots are zero in the section bytes; .rel.struct_ops*
 * carries R_BPF_64_ABS64 relocations at (variable + member offset) against
 * the program FUNC symbols. test_1_optional is referenced only by the
 * autocreate=false map, so libbpf gives it autoload = false.
 *
 * Programs (BPF_PROG_TYPE_STRUCT_OPS, ctx = u64 array of the arguments):
 *   test_1            SEC("struct_ops/test_1")    returns 0x1234
 *   test_2            SEC("struct_ops/test_2")    returns a + b
 *   test_2_sleepable  SEC("struct_ops.s/test_2")  returns a * b (sleepable)
 *   test_1_optional   SEC("struct_ops/test_1")    returns 7
 * Each increments calls[<index>] in .bss (0, 1, 2, 3 in that order).
 * Emulator only: the kernel has no struct my_ops.
 */
#include "common.h"
#include <bpf/bpf_tracing.h>

struct my_ops {
	int (*test_1)(void);
	int (*test_2)(int a, int b);
	int flags;
	char name[16];
};

u64 calls[4];

SEC("struct_ops/test_1")
int BPF_PROG(test_1)
{
	calls[0]++;
	return 0x1234;
}

SEC("struct_ops/test_2")
int BPF_PROG(test_2, int a, int b)
{
	calls[1]++;
	return a + b;
}

SEC("struct_ops.s/test_2")
int BPF_PROG(test_2_sleepable, int a, int b)
{
	calls[2]++;
	return a * b;
}

SEC("struct_ops/test_1")
int BPF_PROG(test_1_optional)
{
	calls[3]++;
	return 7;
}

SEC(".struct_ops.link")
struct my_ops my_ops_link = {
	.test_1 = (void *)test_1,
	.test_2 = (void *)test_2,
	.flags = 0x55,
	.name = "my_ops_link",
};

SEC(".struct_ops")
struct my_ops my_ops_plain = {
	.test_2 = (void *)test_2_sleepable,
	.flags = 0xaa,
	.name = "my_ops_plain",
};

SEC("?.struct_ops")
struct my_ops my_ops_optional = {
	.test_1 = (void *)test_1_optional,
	.flags = 1,
	.name = "my_ops_optional",
};

char LICENSE[] SEC("license") = "GPL";
