// SPDX-License-Identifier: MIT
/*
 * kdiff-runner: the two things the kernel-differential suite needs that
 * bpftool 7.1 cannot do, on programs and maps pinned by `bpftool prog loadall
 * ... pinmaps ...`. Compiled at test time (cc runner.c -lbpf), never committed.
 *
 *   kdiff-runner run PROG_PIN [ctx=FILE] [data=FILE] [ctxout=N] [dataout=N]
 *                             [repeat=N] [uptr=OFF:FILE]
 *       BPF_PROG_TEST_RUN with exactly the attributes given (repeat defaults
 *       to 0: bpftool always sends repeat = 1, which syscall and raw_tp test
 *       runs refuse with EINVAL). uptr=OFF:FILE puts the contents of FILE in
 *       this process's memory and writes its address (u64, little-endian) at
 *       byte OFF of ctx: a user pointer for probe_read_user & co.
 *       Prints {"retval":N,"dataOut":HEX|null,"ctxOut":HEX|null,"ctxIn":HEX|null}
 *       where ctxIn is the ctx_in buffer after the run (a syscall program's
 *       ctx is copied back there), or {"errno":N} when the command fails.
 *   kdiff-runner ringbuf MAP_PIN
 *       Consumes a RINGBUF map with libbpf's ring_buffer__consume (discarded
 *       records are skipped) and prints {"records":[HEX,...]}.
 *
 * Both commands first pin the process to CPU 0 (cpu=N to change), so per-CPU
 * results do not depend on the scheduler: the kernel runs a test run on the
 * calling CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_FILE (1 << 20)

static void die(const char *what)
{
	fprintf(stderr, "kdiff-runner: %s\n", what);
	exit(2);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;

	if (!f)
		die("cannot open input file");
	buf = malloc(MAX_FILE);
	if (!buf)
		die("out of memory");
	*len = fread(buf, 1, MAX_FILE, f);
	if (ferror(f))
		die("cannot read input file");
	fclose(f);
	return buf;
}

static void print_hex(const unsigned char *p, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('"');
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity failed");
}

static int cmd_run(int argc, char **argv)
{
	unsigned char *ctx = NULL, *data = NULL, *ctx_out = NULL, *data_out = NULL;
	unsigned char *user = NULL;
	size_t ctx_len = 0, data_len = 0, user_len = 0;
	long ctx_out_cap = 0, data_out_cap = 0, uptr_off = -1;
	int repeat = 0, fd, err, i;
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (!strncmp(a, "ctx=", 4))
			ctx = read_file(a + 4, &ctx_len);
		else if (!strncmp(a, "data=", 5))
			data = read_file(a + 5, &data_len);
		else if (!strncmp(a, "ctxout=", 7))
			ctx_out_cap = strtol(a + 7, NULL, 0);
		else if (!strncmp(a, "dataout=", 8))
			data_out_cap = strtol(a + 8, NULL, 0);
		else if (!strncmp(a, "repeat=", 7))
			repeat = (int)strtol(a + 7, NULL, 0);
		else if (!strncmp(a, "cpu=", 4))
			; /* handled in main */
		else if (!strncmp(a, "uptr=", 5)) {
			char *colon = strchr(a + 5, ':');

			if (!colon)
				die("uptr=OFF:FILE");
			*colon = 0;
			uptr_off = strtol(a + 5, NULL, 0);
			user = read_file(colon + 1, &user_len);
		} else
			die("unknown run argument");
	}
	if (uptr_off >= 0) {
		uint64_t addr = (uint64_t)(uintptr_t)user;

		if (!ctx || (size_t)uptr_off + 8 > ctx_len)
			die("uptr offset outside ctx");
		memcpy(ctx + uptr_off, &addr, 8);
	}
	fd = bpf_obj_get(argv[0]);
	if (fd < 0)
		die("bpf_obj_get on the program pin failed");
	if (ctx) {
		opts.ctx_in = ctx;
		opts.ctx_size_in = ctx_len;
	}
	if (data) {
		opts.data_in = data;
		opts.data_size_in = data_len;
	}
	if (ctx_out_cap > 0) {
		ctx_out = calloc(1, ctx_out_cap);
		opts.ctx_out = ctx_out;
		opts.ctx_size_out = ctx_out_cap;
	}
	if (data_out_cap > 0) {
		data_out = calloc(1, data_out_cap);
		opts.data_out = data_out;
		opts.data_size_out = data_out_cap;
	}
	opts.repeat = repeat;
	err = bpf_prog_test_run_opts(fd, &opts);
	if (err) {
		printf("{\"errno\":%d}\n", errno);
		return 0;
	}
	printf("{\"retval\":%u,\"dataOut\":", opts.retval);
	if (data_out)
		print_hex(data_out, opts.data_size_out);
	else
		printf("null");
	printf(",\"ctxOut\":");
	if (ctx_out)
		print_hex(ctx_out, opts.ctx_size_out);
	else
		printf("null");
	printf(",\"ctxIn\":");
	if (ctx)
		print_hex(ctx, ctx_len);
	else
		printf("null");
	printf("}\n");
	return 0;
}

static int records;

static int on_record(void *unused, void *data, size_t size)
{
	(void)unused;
	if (records++)
		putchar(',');
	print_hex(data, size);
	return 0;
}

static int cmd_ringbuf(int argc, char **argv)
{
	struct ring_buffer *rb;
	int fd, n;

	if (argc != 1)
		die("ringbuf MAP_PIN");
	fd = bpf_obj_get(argv[0]);
	if (fd < 0)
		die("bpf_obj_get on the map pin failed");
	printf("{\"records\":[");
	rb = ring_buffer__new(fd, on_record, NULL, NULL);
	if (!rb)
		die("ring_buffer__new failed");
	n = ring_buffer__consume(rb);
	if (n < 0)
		die("ring_buffer__consume failed");
	printf("]}\n");
	ring_buffer__free(rb);
	return 0;
}

int main(int argc, char **argv)
{
	int cpu = 0, i;

	if (argc < 3)
		die("usage: kdiff-runner run PROG_PIN [...] | ringbuf MAP_PIN");
	for (i = 3; i < argc; i++)
		if (!strncmp(argv[i], "cpu=", 4))
			cpu = (int)strtol(argv[i] + 4, NULL, 0);
	pin_cpu(cpu);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "ringbuf"))
		return cmd_ringbuf(argc - 2, argv + 2);
	die("unknown command");
	return 2;
}
