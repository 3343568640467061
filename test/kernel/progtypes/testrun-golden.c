// SPDX-License-Identifier: MIT
/*
 * BPF_PROG_TEST_RUN of raw programs on the running kernel, for the goldens of record-sockctx.ts
 * (which compiles and drives this; needs root). One case per stdin line:
 *
 *   TYPE EAT INSNS_HEX CTX_IN_HEX|- DATA_IN_HEX|- CTX_SIZE_OUT DATA_SIZE_OUT|- REPEAT FLAGS CPU
 *
 * DATA_SIZE_OUT "-" passes no data_out buffer; otherwise an 8192-byte buffer with that
 * data_size_out. One JSON line per case: {"load": errno} when the load fails, else
 * {"err", "retval", "dataSizeOut", "dataOut", "ctxOut"} (hex; ctxOut only with CTX_SIZE_OUT > 0).
 * With CGROUP=<cgroup v2 directory> in the environment the runner first moves itself into that
 * cgroup (for bpf_get_current_cgroup_id & co).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

static unsigned char *unhex(const char *s, size_t *n)
{
	size_t len = strlen(s);
	unsigned char *b;

	*n = 0;
	if (strcmp(s, "-") == 0)
		return NULL;
	b = calloc(len / 2 + 1, 1);
	for (size_t i = 0; i + 1 < len; i += 2) {
		unsigned v;

		sscanf(s + i, "%2x", &v);
		b[(*n)++] = v;
	}
	return b;
}

static void hex(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

static char line[1 << 20], a_insns[1 << 19], a_ctx[1 << 16], a_data[1 << 16], a_dso[32];
static char logbuf[1 << 16];

int main(void)
{
	const char *cg = getenv("CGROUP");

	if (cg != NULL) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		f = fopen(path, "w");
		if (f == NULL || fprintf(f, "%d\n", getpid()) < 0 || fclose(f) != 0) {
			perror("cgroup.procs");
			return 1;
		}
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		unsigned type, eat, ctx_size_out, repeat, flags, cpu;
		size_t ni, nc, nd;
		unsigned char *insns, *ctx, *data;
		static unsigned char data_out[8192], ctx_out[4096];
		union bpf_attr a;
		int fd, err;

		if (sscanf(line, "%u %u %s %s %s %u %s %u %u %u", &type, &eat, a_insns, a_ctx, a_data, &ctx_size_out, a_dso, &repeat, &flags, &cpu) != 10) {
			printf("{\"bad\": true}\n");
			continue;
		}
		insns = unhex(a_insns, &ni);
		ctx = unhex(a_ctx, &nc);
		data = unhex(a_data, &nd);
		memset(&a, 0, sizeof(a));
		a.prog_type = type;
		a.expected_attach_type = eat;
		/* syscall programs are sleepable (as harness.ts loads them) */
		a.prog_flags = type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0;
		a.insns = (uint64_t)(uintptr_t)insns;
		a.insn_cnt = ni / 8;
		a.license = (uint64_t)(uintptr_t)"GPL";
		a.log_buf = (uint64_t)(uintptr_t)logbuf;
		a.log_size = sizeof(logbuf);
		a.log_level = 1;
		fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
		if (fd < 0) {
			printf("{\"load\": %d}\n", errno);
			fflush(stdout);
			continue;
		}
		memset(&a, 0, sizeof(a));
		memset(data_out, 0, sizeof(data_out));
		memset(ctx_out, 0, sizeof(ctx_out));
		a.test.prog_fd = fd;
		if (data != NULL) {
			a.test.data_in = (uint64_t)(uintptr_t)data;
			a.test.data_size_in = nd;
		}
		if (strcmp(a_dso, "-") != 0) {
			a.test.data_out = (uint64_t)(uintptr_t)data_out;
			a.test.data_size_out = strtoul(a_dso, NULL, 0);
		}
		if (ctx != NULL) {
			a.test.ctx_in = (uint64_t)(uintptr_t)ctx;
			a.test.ctx_size_in = nc;
		}
		if (ctx_size_out > 0) {
			a.test.ctx_out = (uint64_t)(uintptr_t)ctx_out;
			a.test.ctx_size_out = ctx_size_out;
		}
		a.test.repeat = repeat;
		a.test.flags = flags;
		a.test.cpu = cpu;
		err = syscall(__NR_bpf, BPF_PROG_TEST_RUN, &a, sizeof(a)) < 0 ? -errno : 0;
		printf("{\"err\": %d, \"retval\": %u, \"dataSizeOut\": %u, \"dataOut\": \"", err, a.test.retval, a.test.data_size_out);
		hex(data_out, a.test.data_size_out < sizeof(data_out) ? a.test.data_size_out : 0);
		printf("\"");
		if (ctx_size_out > 0) {
			printf(", \"ctxOut\": \"");
			hex(ctx_out, a.test.ctx_size_out < ctx_size_out ? a.test.ctx_size_out : ctx_size_out);
			printf("\"");
		}
		printf("}\n");
		fflush(stdout);
		close(fd);
		free(insns);
		free(ctx);
		free(data);
	}
	return 0;
}
