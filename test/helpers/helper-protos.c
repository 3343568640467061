// SPDX-License-Identifier: MIT
/*
 * Records which BPF helpers each program type may call on the running kernel (get_func_proto),
 * which of those are GPL-only, how the verifier judges a few argument setups of each helper, and
 * which packet helpers invalidate packet pointers, as test/helpers/helper-protos.json. Needs root.
 *
 *   cc -O2 -Wall -o /tmp/helper-protos test/helpers/helper-protos.c -lbpf
 *   sudo /tmp/helper-protos > test/helpers/helper-protos.json
 *
 * Availability: for every (program type, helper id 1..211) it loads the two-instruction program
 * `call <id>; exit` with a GPL license and log level 1. The verifier checks the helper's
 * availability before anything else of the call: a log saying "program of this type cannot use
 * helper" means unavailable; anything else (argument errors, "R0 !read_ok", acceptance) means
 * available. Each available helper is loaded once more with a non-GPL license: "cannot call
 * GPL-restricted function" marks it GPL-only for that type. The program types needing a BTF
 * attach target get one from vmlinux BTF (libbpf_find_vmlinux_btf_id). fentry/fexit and LSM
 * programs are missing: the 6.18 kernel of this machine refuses to load them (EPERM), so their
 * tables cannot be measured here.
 *
 * Argument probes (argProbes): every helper is called, on every type that offers it, with r1-r5
 * set up in a few ways (zeros, the ctx, a stack pointer, a map, a size of 8; see PROBES); the
 * verifier's verdict names the first argument its prototype refuses ("R2 type=scalar
 * expected=fp, ..."), or says it accepted them all ("ok", or "R0 !read_ok" after a void helper);
 * types with the same verdicts are grouped.
 *
 * Read-only probes (rdonlyProbes): memory arguments in a read-only map value (RDONLY_PROBES).
 *
 * Packet probes (pktProbes): whether a call of each packet helper invalidates packet pointers
 * (see load_pkt_probe).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>

#define LOG_SIZE 65536
#define MAX_HELPER 211

struct ptype {
	const char *name;
	unsigned type, attach, flags;
	const char *btf; /* vmlinux attach target, or NULL */
};

static const struct ptype TYPES[] = {
	{ "socket_filter", BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, NULL },
	{ "kprobe", BPF_PROG_TYPE_KPROBE, 0, 0, NULL },
	{ "sched_cls", BPF_PROG_TYPE_SCHED_CLS, 0, 0, NULL },
	{ "sched_act", BPF_PROG_TYPE_SCHED_ACT, 0, 0, NULL },
	{ "tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0, 0, NULL },
	{ "xdp", BPF_PROG_TYPE_XDP, 0, 0, NULL },
	{ "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, 0, NULL },
	{ "cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0, NULL },
	{ "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0, NULL },
	{ "cgroup_sock", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0, NULL },
	{ "lwt_in", BPF_PROG_TYPE_LWT_IN, 0, 0, NULL },
	{ "lwt_out", BPF_PROG_TYPE_LWT_OUT, 0, 0, NULL },
	{ "lwt_xmit", BPF_PROG_TYPE_LWT_XMIT, 0, 0, NULL },
	{ "sock_ops", BPF_PROG_TYPE_SOCK_OPS, 0, 0, NULL },
	{ "sk_skb", BPF_PROG_TYPE_SK_SKB, 0, 0, NULL },
	{ "cgroup_device", BPF_PROG_TYPE_CGROUP_DEVICE, 0, 0, NULL },
	{ "sk_msg", BPF_PROG_TYPE_SK_MSG, 0, 0, NULL },
	{ "raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, NULL },
	{ "cgroup_sock_addr", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0, NULL },
	{ "lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, 0, NULL },
	{ "sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT, 0, 0, NULL },
	{ "flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, 0, 0, NULL },
	{ "cgroup_sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL, 0, 0, NULL },
	{ "raw_tracepoint_writable", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0, NULL },
	{ "cgroup_sockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0, NULL },
	{ "tracing/tp_btf", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, 0, "sched_switch" },
	{ "tracing/iter", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, 0, "task" },
	{ "sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0, NULL },
	{ "syscall", BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE, NULL },
	{ "netfilter", 32 /* BPF_PROG_TYPE_NETFILTER */, 45 /* BPF_NETFILTER */, 0, NULL },
};

static char logbuf[LOG_SIZE];

/* A hash map (4-byte keys, 8-byte values) for the argument probes. */
static int map_fd = -1;
/* A frozen array map, read-only for programs (BPF_F_RDONLY_PROG), value "abc" padded to 16 bytes. */
static int rdonly_fd = -1;

static int create_rdonly_map(void)
{
	union bpf_attr a;
	uint32_t key = 0;
	char value[16] = "abc";
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = sizeof(value);
	a.max_entries = 1;
	a.map_flags = BPF_F_RDONLY_PROG;
	fd = syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0)
		return fd;
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)value;
	if (syscall(__NR_bpf, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)) < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	if (syscall(__NR_bpf, BPF_MAP_FREEZE, &a, sizeof(a)) < 0)
		return -1;
	return fd;
}

static int create_map(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	return syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst;
	i.src_reg = src;
	i.off = off;
	i.imm = imm;
	return i;
}

/*
 * Load `<setup>; call id; exit`, where setup[i] says what r(i+1) holds at the call: '-' as at
 * entry (r1 the ctx, r2-r5 uninitialised), 'z' 0, 'k' 8, 'c' the ctx, 's' r10 - 16 (stack), 'm'
 * the hash map. Returns the fd (closed) or -errno, the log in logbuf.
 */
static int load(const struct ptype *t, int btf_id, const char *setup, int id, const char *license)
{
	struct bpf_insn insns[24];
	union bpf_attr a;
	int n = 0, fd;

	for (int r = 2; r <= 5; r++)
		if (setup[r - 1] == 'c')
			insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, r, 1, 0, 0);
	for (int r = 1; r <= 5; r++) {
		switch (setup[r - 1]) {
		case 'z':
			insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, 0);
			break;
		case 'k':
			insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, 8);
			break;
		case 's':
			insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, r, 10, 0, 0);
			insns[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, r, 0, 0, -16);
			break;
		case 'm':
			insns[n++] = insn(BPF_LD | BPF_DW | BPF_IMM, r, BPF_PSEUDO_MAP_FD, 0, map_fd);
			insns[n++] = insn(0, 0, 0, 0, 0);
			break;
		case 'r':
			insns[n++] = insn(BPF_LD | BPF_DW | BPF_IMM, r, BPF_PSEUDO_MAP_VALUE, 0, rdonly_fd);
			insns[n++] = insn(0, 0, 0, 0, 0);
			break;
		}
	}
	insns[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, id);
	insns[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	memset(&a, 0, sizeof(a));
	a.prog_type = t->type;
	a.expected_attach_type = t->attach;
	a.prog_flags = t->flags;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)license;
	a.log_buf = (uint64_t)(uintptr_t)logbuf;
	a.log_size = LOG_SIZE;
	a.log_level = 1;
	if (btf_id > 0)
		a.attach_btf_id = btf_id;
	logbuf[0] = 0;
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd >= 0) {
		close(fd);
		return fd;
	}
	return -errno;
}

#define VERDICT_SIZE 512

/* The verifier's verdict: "ok", or the log lines after the last instruction line, JSON-escaped. */
static void verdict(int r, char *out)
{
	char *start = logbuf, *p, *end, *o = out, *lim = out + VERDICT_SIZE - 3;

	if (r >= 0) {
		strcpy(out, "ok");
		return;
	}
	for (p = logbuf; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		char *q = p;

		while (*q >= '0' && *q <= '9')
			q++;
		if (q > p && *q == ':')
			start = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
	}
	end = strstr(start, "processed ");
	if (end == NULL)
		end = start + strlen(start);
	while (end > start && end[-1] == '\n')
		end--;
	for (p = start; p < end && o < lim; p++) {
		if (*p == '\n') {
			*o++ = ' ';
			*o++ = '|';
			*o++ = ' ';
		} else if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = *p;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
}

/* A prog array for the packet probe of bpf_tail_call. */
static int prog_array_fd = -1;

static int create_prog_array(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_PROG_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	return syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

/*
 * Packet probes: does a helper invalidate packet pointers (bpf_helper_changes_pkt_data)? The
 * program checks one byte of packet in r7, calls the helper with arguments the verifier accepts
 * (setup: 'c' the ctx, 'z' 0, 'k' 1, 's' an initialised 8-byte stack slot, 'p' a prog array), then
 * reads the byte through r7: "R7 invalid mem access 'scalar'" means the call invalidated it.
 */
struct pkt_probe {
	int id;
	int xdp;             /* 1: an XDP program (data at 0, data_end at 4), 0: tc (76, 80) */
	const char *setup;
};

static const struct pkt_probe PKT_PROBES[] = {
	{ 5, 0, "" }, { 9, 0, "czskz" }, { 10, 0, "czzzz" }, { 11, 0, "czzzz" }, { 12, 0, "cpz" },
	{ 17, 0, "c" }, { 23, 0, "zz" }, { 24, 0, "c" }, { 26, 0, "czsk" }, { 28, 0, "zzzzz" },
	{ 32, 0, "cz" }, { 34, 0, "c" }, { 39, 0, "cz" }, { 40, 0, "cz" }, { 41, 0, "c" }, { 48, 0, "cz" },
	{ 68, 0, "czskz" }, { 97, 0, "c" }, { 135, 0, "cz" }, { 44, 1, "cz" }, { 54, 1, "cz" },
	{ 65, 1, "cz" }, { 188, 1, "c" }, { 189, 1, "czsk" }, { 190, 1, "czsk" },
};

static int load_pkt_probe(const struct pkt_probe *pp)
{
	struct bpf_insn insns[32];
	union bpf_attr a;
	int n = 0, fd;

	insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	insns[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, 7, 6, pp->xdp ? 0 : 76, 0);
	insns[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, 8, 6, pp->xdp ? 4 : 80, 0);
	insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 2, 7, 0, 0);
	insns[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, 1);
	insns[n++] = insn(BPF_JMP | BPF_JLE | BPF_X, 2, 8, 2, 0);
	insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	insns[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	insns[n++] = insn(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 0);
	for (int r = 1; pp->setup[r - 1] != 0; r++) {
		switch (pp->setup[r - 1]) {
		case 'c':
			insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, r, 6, 0, 0);
			break;
		case 'z':
			insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, 0);
			break;
		case 'k':
			insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, 1);
			break;
		case 's':
			insns[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, r, 10, 0, 0);
			insns[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, r, 0, 0, -8);
			break;
		case 'p':
			insns[n++] = insn(BPF_LD | BPF_DW | BPF_IMM, r, BPF_PSEUDO_MAP_FD, 0, prog_array_fd);
			insns[n++] = insn(0, 0, 0, 0, 0);
			break;
		}
	}
	insns[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, pp->id);
	insns[n++] = insn(BPF_LDX | BPF_MEM | BPF_B, 0, 7, 0, 0);
	insns[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	memset(&a, 0, sizeof(a));
	a.prog_type = pp->xdp ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)logbuf;
	a.log_size = LOG_SIZE;
	a.log_level = 1;
	logbuf[0] = 0;
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd >= 0) {
		close(fd);
		return fd;
	}
	return -errno;
}

/*
 * Read-only probes (rdonlyProbes): memory arguments pointing into a read-only map value ('r' in
 * the setup): the verifier refuses it where the helper writes the memory (MEM_WRITE: "write into
 * map forbidden") and accepts it where it reads (MEM_RDONLY) or wants a constant string.
 */
struct typed_probe {
	int id;
	const char *type;
	const char *setup;
};

static const struct typed_probe RDONLY_PROBES[] = {
	{ 1, "socket_filter", "mr---" }, { 2, "socket_filter", "mrrz-" }, { 6, "socket_filter", "rk---" },
	{ 16, "socket_filter", "rk---" }, { 112, "socket_filter", "rkz--" }, { 113, "socket_filter", "rkz--" },
	{ 114, "socket_filter", "rkz--" }, { 115, "socket_filter", "rkz--" }, { 4, "kprobe", "rkz--" },
	{ 45, "kprobe", "rkz--" }, { 148, "syscall", "rkz--" }, { 26, "sched_cls", "czrk-" },
	{ 68, "sched_cls", "czrkz" }, { 9, "sched_cls", "czrkz" }, { 28, "sched_cls", "rkrkz" },
	{ 189, "xdp", "czrk-" }, { 190, "xdp", "czrk-" }, { 105, "socket_filter", "rkzr-" },
	{ 105, "socket_filter", "rkzs-" }, { 106, "socket_filter", "rkzr-" }, { 182, "socket_filter", "rkr--" },
	{ 165, "socket_filter", "rkrzz" }, { 165, "socket_filter", "zzrzz" }, { 165, "socket_filter", "zzrrk" },
	{ 177, "socket_filter", "rkzz-" }, { 177, "socket_filter", "rkrk-" },
};

/* Register setups of the argument probes (see load). */
static const char *PROBES[] = { "zzzzz", "czzzz", "mzzzz", "msszz", "szzzz", "skzzz", "czszz", "cmzsz", "zszzz" };

static void print_list(const char *key, const int *ids, int n, int last)
{
	printf("\"%s\": [", key);
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? ", " : "", ids[i]);
	printf("]%s", last ? "" : ", ");
}

#define MAX_TYPES 64
#define MAX_PROBES 16

static char verdicts[MAX_TYPES][MAX_PROBES][VERDICT_SIZE];

int main(void)
{
	int n = sizeof(TYPES) / sizeof(TYPES[0]);
	int nprobes = sizeof(PROBES) / sizeof(PROBES[0]);
	static int avail[MAX_HELPER + 1], gpl[MAX_HELPER + 1];
	static unsigned char allowed[MAX_TYPES][MAX_HELPER + 1];
	int btf_ids[MAX_TYPES] = { 0 }, printed = 0;
	struct utsname u;

	map_fd = create_map();
	if (map_fd < 0) {
		perror("BPF_MAP_CREATE");
		return 1;
	}
	uname(&u);
	printf("{\"_comment\": \"helpers (enum bpf_func_id) each program type may call, the GPL-only ones among them, and the verifier's verdicts on argument probes, recorded by test/helpers/helper-protos.c as root\",\n");
	printf(" \"release\": \"%s\",\n \"nrCpus\": %ld,\n \"types\": {\n", u.release, sysconf(_SC_NPROCESSORS_CONF));
	for (int ti = 0; ti < n; ti++) {
		const struct ptype *t = &TYPES[ti];
		int na = 0, ng = 0;

		if (t->btf != NULL) {
			btf_ids[ti] = libbpf_find_vmlinux_btf_id(t->btf, t->attach);
			if (btf_ids[ti] <= 0) {
				fprintf(stderr, "%s: no vmlinux BTF id for %s\n", t->name, t->btf);
				return 1;
			}
		}
		for (int id = 1; id <= MAX_HELPER; id++) {
			int r = load(t, btf_ids[ti], "-----", id, "GPL");

			if (strstr(logbuf, "cannot use helper") != NULL)
				continue;
			if (strstr(logbuf, "invalid func") != NULL || strstr(logbuf, "unknown func") != NULL)
				continue;
			if (r < 0 && strstr(logbuf, "call") == NULL) {
				fprintf(stderr, "%s: helper %d: the load failed (%d) before the call:\n%s\n", t->name, id, r, logbuf);
				return 1;
			}
			avail[na++] = id;
			allowed[ti][id] = 1;
			load(t, btf_ids[ti], "-----", id, "Proprietary");
			if (strstr(logbuf, "GPL-restricted") != NULL)
				gpl[ng++] = id;
		}
		printf("  \"%s\": {\"progType\": %u, \"attachType\": %u, \"progFlags\": %u, ", t->name, t->type, t->attach, t->flags);
		print_list("allowed", avail, na, 0);
		print_list("gplOnly", gpl, ng, 1);
		printf("}%s\n", ti + 1 < n ? "," : "");
	}
	printf(" },\n");
	/*
	 * The argument probes of every helper on every type that offers it, types with the same
	 * verdicts grouped: {"<id>": [{"types": [...], "<probe>": "<verdict>", ...}, ...]}.
	 */
	printf(" \"argProbes\": {\n");
	for (int id = 1; id <= MAX_HELPER; id++) {
		int done[MAX_TYPES] = { 0 }, groups = 0;

		for (int ti = 0; ti < n; ti++) {
			if (!allowed[ti][id])
				continue;
			for (int pi = 0; pi < nprobes; pi++)
				verdict(load(&TYPES[ti], btf_ids[ti], PROBES[pi], id, "GPL"), verdicts[ti][pi]);
		}
		for (int ti = 0; ti < n; ti++) {
			if (!allowed[ti][id] || done[ti])
				continue;
			printf("%s", groups++ ? ",\n    " : printed++ ? ",\n  " : "  ");
			if (groups == 1)
				printf("\"%d\": [", id);
			printf("{\"types\": [");
			for (int tj = ti, k = 0; tj < n; tj++) {
				int same = allowed[tj][id] && !done[tj];

				for (int pi = 0; same && pi < nprobes; pi++)
					same = strcmp(verdicts[ti][pi], verdicts[tj][pi]) == 0;
				if (!same)
					continue;
				done[tj] = 1;
				printf("%s\"%s\"", k++ ? ", " : "", TYPES[tj].name);
			}
			printf("]");
			for (int pi = 0; pi < nprobes; pi++)
				printf(", \"%s\": \"%s\"", PROBES[pi], verdicts[ti][pi]);
			printf("}");
		}
		if (groups > 0)
			printf("]");
	}
	printf("\n },\n");
	/* {"<id>": {"type": ..., "setup": ..., "verdict": ...}} */
	prog_array_fd = create_prog_array();
	if (prog_array_fd < 0) {
		perror("BPF_MAP_CREATE prog array");
		return 1;
	}
	rdonly_fd = create_rdonly_map();
	if (rdonly_fd < 0) {
		perror("read-only map");
		return 1;
	}
	printf(" \"rdonlyProbes\": [\n");
	for (size_t i = 0; i < sizeof(RDONLY_PROBES) / sizeof(RDONLY_PROBES[0]); i++) {
		const struct typed_probe *tp = &RDONLY_PROBES[i];
		const struct ptype *t = NULL;
		char v[VERDICT_SIZE];

		for (int ti = 0; ti < n; ti++)
			if (strcmp(TYPES[ti].name, tp->type) == 0)
				t = &TYPES[ti];
		if (t == NULL) {
			fprintf(stderr, "no type %s\n", tp->type);
			return 1;
		}
		verdict(load(t, 0, tp->setup, tp->id, "GPL"), v);
		printf("%s  {\"id\": %d, \"type\": \"%s\", \"setup\": \"%s\", \"verdict\": \"%s\"}", i ? ",\n" : "", tp->id, tp->type, tp->setup, v);
	}
	printf("\n ],\n");
	printf(" \"pktProbes\": {\n");
	for (size_t i = 0; i < sizeof(PKT_PROBES) / sizeof(PKT_PROBES[0]); i++) {
		char v[VERDICT_SIZE];

		verdict(load_pkt_probe(&PKT_PROBES[i]), v);
		printf("%s  \"%d\": {\"type\": \"%s\", \"setup\": \"%s\", \"verdict\": \"%s\"}", i ? ",\n" : "", PKT_PROBES[i].id,
		       PKT_PROBES[i].xdp ? "xdp" : "sched_cls", PKT_PROBES[i].setup, v);
	}
	printf("\n }\n}\n");
	return 0;
}
