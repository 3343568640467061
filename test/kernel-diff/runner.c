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
 *       sock=KIND:ADDR:PORT opens a socket before the run and keeps it until
 *       exit: KIND tcp4/tcp6 (listening), tcp6only (listening, IPV6_V6ONLY),
 *       udp4/udp6 (bound). conn=KIND:ADDR:PORT:LPORT connects a TCP client
 *       bound to ADDR:LPORT to ADDR:PORT (an established pair; the server's
 *       side stays in the accept queue). Sockets close with SO_LINGER 0, so
 *       no TIME_WAIT outlives the process.
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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
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

/* sock=/conn= arguments (see the top of this file). */
static void open_socket(char *spec, int conn)
{
	struct sockaddr_storage ss = {}, local = {};
	struct linger lg = { 1, 0 };
	char *kind = spec, *addr, *port, *lport = NULL;
	int v6, tcp, v6only, fd, one = 1;
	socklen_t len;

	addr = strchr(spec, ':');
	if (!addr)
		die("sock=KIND:ADDR:PORT");
	*addr++ = 0;
	if (conn) {
		lport = strrchr(addr, ':');
		if (!lport)
			die("conn=KIND:ADDR:PORT:LPORT");
		*lport++ = 0;
	}
	port = strrchr(addr, ':');
	if (!port)
		die("sock=KIND:ADDR:PORT");
	*port++ = 0;
	v6 = !strncmp(kind, "tcp6", 4) || !strcmp(kind, "udp6");
	tcp = !strncmp(kind, "tcp", 3);
	v6only = !strcmp(kind, "tcp6only");
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)atoi(port));
		if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
			die("bad IPv6 address");
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)atoi(port));
		if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
			die("bad IPv4 address");
		len = sizeof(*a);
	}
	fd = socket(v6 ? AF_INET6 : AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket failed");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)))
		die("IPV6_V6ONLY failed");
	if (conn) {
		memcpy(&local, &ss, len);
		if (v6)
			((struct sockaddr_in6 *)&local)->sin6_port = htons((uint16_t)atoi(lport));
		else
			((struct sockaddr_in *)&local)->sin_port = htons((uint16_t)atoi(lport));
		if (bind(fd, (struct sockaddr *)&local, len))
			die("bind of the client socket failed");
		if (connect(fd, (struct sockaddr *)&ss, len))
			die("connect failed");
		return;
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind failed");
	if (tcp && listen(fd, 16))
		die("listen failed");
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
		else if (!strncmp(a, "sock=", 5))
			open_socket(a + 5, 0);
		else if (!strncmp(a, "conn=", 5))
			open_socket(a + 5, 1);
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
