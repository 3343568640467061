// SPDX-License-Identifier: MIT
/*
 * test-run-live OBJ PROG: loads one program of a fixture (programs/throw.bpf.o,
 * programs/reslock.bpf.o) with libbpf (the others not autoloaded) and prints the
 * BPF_PROG_TEST_RUN retval for packets of 14 and 64 zero bytes as "RET14 RET64", or
 * "ERR errno" when the load fails. Compiled at test time by test/kernel/kfuncs/throw.test.ts
 * and reslock.test.ts (cc test-run-live.c -lbpf), never committed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_object *o;
	struct bpf_program *p, *t = NULL;
	unsigned char d[64] = { 0 };
	int lens[2] = { 14, 64 };

	if (argc != 3)
		return 2;
	libbpf_set_print(NULL);
	o = bpf_object__open_file(argv[1], NULL);
	if (!o)
		return 2;
	bpf_object__for_each_program(p, o) {
		if (!strcmp(bpf_program__name(p), argv[2]))
			t = p;
		else
			bpf_program__set_autoload(p, false);
	}
	if (!t)
		return 2;
	if (bpf_object__load(o)) {
		printf("ERR %d\n", errno);
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, op, .data_in = d, .data_size_in = lens[i], .repeat = 1);
		if (bpf_prog_test_run_opts(bpf_program__fd(t), &op))
			return 3;
		printf(i ? "%u\n" : "%u ", op.retval);
	}
	return 0;
}
