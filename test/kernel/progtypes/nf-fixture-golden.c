// SPDX-License-Identifier: MIT
/*
 * Records golden/netfilter-fixture.json: programs/netfilter.bpf.o run by BPF_PROG_TEST_RUN on the
 * running kernel (root). bpftool 7.1's libbpf 1.1 does not know SEC("netfilter"), so this loads
 * the object with libbpf, sets the program type (BPF_PROG_TYPE_NETFILTER = 32, expected attach
 * BPF_NETFILTER = 45) itself, and runs the inputs of nf-fixture.test.ts:
 *
 *   cc -O2 -Wall -o /tmp/nf-golden test/kernel/progtypes/nf-fixture-golden.c -lbpf
 *   sudo taskset -c 0 /tmp/nf-golden programs/netfilter.bpf.o > test/kernel/progtypes/golden/netfilter-fixture.json
 *
 * Each run: data_in (hex) and an optional struct nf_hook_state (hook, pf); output: retval or the
 * errno, then the 8 counters of nf_stats.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct input {
	const char *frame; /* name of a frame below */
	int hook, pf;      /* -1: no ctx_in */
};

/* 60-byte IPv4/TCP, 62-byte IPv6/UDP (harness.ts FRAMES), and a 1500-byte IPv4 frame. */
static const char V4[] = "02000000000202000000000108004500002d00010000400666c80a0000010a00000204d2005000000001000000005002200032e6000068656c6c6f00";
static const char V6[] = "02000000000202000000000186dd600000000008114000000000000000000000000000000001000000000000000000000000000000020001000200080000";

static const struct input INPUTS[] = {
	{ "v4", -1, -1 }, { "v4", 1, 2 }, { "big", 1, 2 }, { "big", 3, 2 }, { "v6", 0, 10 }, { "v6", 4, 10 }, { "v4", 2, 2 }, { "v4", 1, 10 },
};

static size_t frame(const char *name, unsigned char *out)
{
	const char *hex = strcmp(name, "v6") == 0 ? V6 : V4;
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = v;
	}
	if (strcmp(name, "big") == 0) {
		/* IPv4 frame of 1500 bytes: the header above, then pattern bytes */
		for (size_t i = n; i < 1500; i++)
			out[i] = (7 * i) & 0xff;
		n = 1500;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	unsigned char data[1600], state[48];
	int pfd, mfd;

	if (argc != 2)
		return 2;
	libbpf_set_print(NULL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (obj == NULL || libbpf_get_error(obj))
		return 1;
	prog = bpf_object__find_program_by_name(obj, "nf_filter");
	bpf_program__set_type(prog, 32);
	bpf_program__set_expected_attach_type(prog, 45);
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	pfd = bpf_program__fd(prog);
	map = bpf_object__find_map_by_name(obj, "nf_stats");
	mfd = bpf_map__fd(map);
	printf("{\"_comment\": \"programs/netfilter.bpf.o test-run on the kernel by nf-fixture-golden.c\",\n \"runs\": [\n");
	for (size_t i = 0; i < sizeof(INPUTS) / sizeof(INPUTS[0]); i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o);
		size_t n = frame(INPUTS[i].frame, data);
		int err;

		o.data_in = data;
		o.data_size_in = n;
		if (INPUTS[i].hook >= 0) {
			memset(state, 0, sizeof(state));
			state[0] = INPUTS[i].hook;
			state[1] = INPUTS[i].pf;
			o.ctx_in = state;
			o.ctx_size_in = sizeof(state);
		}
		err = bpf_prog_test_run_opts(pfd, &o) ? -errno : 0;
		printf("  {\"frame\": \"%s\", \"hook\": %d, \"pf\": %d, \"err\": %d, \"retval\": %u}%s\n", INPUTS[i].frame, INPUTS[i].hook, INPUTS[i].pf, err, err ? 0 : o.retval,
		       i + 1 < sizeof(INPUTS) / sizeof(INPUTS[0]) ? "," : "");
	}
	printf(" ],\n \"nf_stats\": [");
	for (uint32_t k = 0; k < 8; k++) {
		uint64_t v = 0;

		bpf_map_lookup_elem(mfd, &k, &v);
		printf("%s%llu", k ? ", " : "", (unsigned long long)v);
	}
	printf("]\n}\n");
	bpf_object__close(obj);
	return 0;
}
