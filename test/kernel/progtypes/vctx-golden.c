// SPDX-License-Identifier: MIT
/*
 * Records, on the running kernel, the verifier's ctx rules of the program types bpfemu emulates, as
 * test/kernel/progtypes/golden/vctx.json. Needs root.
 *
 *   cc -O2 -Wall -o /tmp/vctx-golden test/kernel/progtypes/vctx-golden.c -lbpf
 *   sudo /tmp/vctx-golden > test/kernel/progtypes/golden/vctx.json
 *
 * Per program type:
 *   reads   every accepted `r0 = *(uN *)(r1 + off)` (N = 1, 2, 4, 8) with what r0 holds after it,
 *           from the log at level 2: a pointer type (pkt, pkt_end, pkt_meta, flow_keys,
 *           sock_common_or_null, tp_buffer, ...) or `scalar` with its umax (hex; "" = unknown);
 *   writes  every accepted `*(uN *)(r1 + off) = r2` (r2 = 0);
 *   ldAbs   whether `r6 = r1; r0 = *(u8 *)skb[0]` (BPF_LD_ABS) loads;
 *   pktWrite  whether a bounds-checked one-byte store into the packet loads (null: no packet);
 *   retRange  the range `r0 = 0x7fff0000; exit` is refused with ("should have been in [a, b]"), or
 *           null when it loads.
 * retRanges: the same return-range probe for the types and attach types bpfemu does not emulate.
 * Offsets probed (`probed`): -8 .. limit - 1 (the ctx size and a bit more), and a few beyond for
 * the large ctxs.
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

#define LOG_SIZE (1 << 20)

struct ptype {
	const char *name;
	unsigned type, attach, flags;
	int limit;            /* probe offsets -8 .. limit - 1 */
	int extra[8];         /* and these (0-terminated) */
	int data, data_end;   /* packet pointer offsets for the pktWrite probe, -1: none */
	const char *btf;      /* vmlinux attach target (libbpf_find_vmlinux_btf_id), or NULL */
};

static const struct ptype TYPES[] = {
	{ "socket_filter", BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, 200, { 0 }, -1, -1 },
	{ "sched_cls", BPF_PROG_TYPE_SCHED_CLS, 0, 0, 200, { 0 }, 76, 80 },
	{ "sched_act", BPF_PROG_TYPE_SCHED_ACT, 0, 0, 200, { 0 }, 76, 80 },
	{ "xdp", BPF_PROG_TYPE_XDP, 0, 0, 32, { 0 }, 0, 4 },
	{ "xdp/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0, 32, { 0 }, 0, 4 },
	{ "xdp/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, 0, 32, { 0 }, 0, 4 },
	{ "cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0, 200, { 0 }, 76, 80 },
	{ "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0, 200, { 0 }, 76, 80 },
	{ "lwt_in", BPF_PROG_TYPE_LWT_IN, 0, 0, 200, { 0 }, 76, 80 },
	{ "lwt_out", BPF_PROG_TYPE_LWT_OUT, 0, 0, 200, { 0 }, 76, 80 },
	{ "lwt_xmit", BPF_PROG_TYPE_LWT_XMIT, 0, 0, 200, { 0 }, 76, 80 },
	{ "lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, 0, 200, { 0 }, 76, 80 },
	{ "sk_skb", BPF_PROG_TYPE_SK_SKB, 0, 0, 200, { 0 }, 76, 80 },
	{ "flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, 0, 0, 200, { 0 }, 76, 80 },
	{ "syscall", BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE, 96, { 4096, 32760, 32764, 32766, 32767, 0 }, -1, -1 },
	{ "raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, 104, { 0 }, -1, -1 },
	{ "raw_tracepoint_writable", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0, 104, { 0 }, -1, -1 },
	{ "kprobe", BPF_PROG_TYPE_KPROBE, 0, 0, 176, { 0 }, -1, -1 },
	{ "tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0, 0, 64, { 4096, 8184, 8188, 8190, 8191, 8192, 0 }, -1, -1 },
	{ "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, 0, 192, { 0 }, -1, -1 },
	/* sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state) */
	{ "tracing/tp_btf", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, 0, 104, { 0 }, -1, -1, "sched_switch" },
	/* struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; } */
	{ "tracing/iter", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, 0, 104, { 0 }, -1, -1, "task" },
	/* The cgroup, socket and netfilter types (helper F, issue 12). */
	{ "cgroup_sock/sock_create", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0, 88, { 0 }, -1, -1 },
	{ "cgroup_sock/sock_release", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, 0, 88, { 0 }, -1, -1 },
	{ "cgroup_sock/post_bind4", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, 0, 88, { 0 }, -1, -1 },
	{ "cgroup_sock/post_bind6", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, 0, 88, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/bind4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/bind6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/connect6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/sendmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/sendmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/recvmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/recvmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/getpeername4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/getpeername6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/getsockname4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, 0, 80, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/getsockname6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME, 0, 80, { 0 }, -1, -1 },
	{ "sock_ops", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0, 232, { 0 }, -1, -1 },
	{ "cgroup_device", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, 0, 20, { 0 }, -1, -1 },
	{ "cgroup_sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0, 16, { 0 }, -1, -1 },
	{ "cgroup_sockopt/get", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0, 48, { 0 }, -1, -1 },
	{ "cgroup_sockopt/set", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, 0, 48, { 0 }, -1, -1 },
	{ "sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0, 80, { 0 }, -1, -1 },
	{ "sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, 0, 88, { 0 }, -1, -1 },
	{ "sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, 0, 64, { 0 }, -1, -1 },
	{ "sk_reuseport/migrate", BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, 0, 64, { 0 }, -1, -1 },
	{ "netfilter", 32 /* BPF_PROG_TYPE_NETFILTER */, 45 /* BPF_NETFILTER */, 0, 24, { 0 }, -1, -1 },
};

/* Types that are only probed for their return range (retRanges). */
static const struct ptype RET_TYPES[] = {
	{ "cgroup_sock/sock_create", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock/post_bind4", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, 0, 0, { 0 }, -1, -1 },
	{ "sock_ops", BPF_PROG_TYPE_SOCK_OPS, 0, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_device", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, 0, 0, { 0 }, -1, -1 },
	{ "sk_msg", BPF_PROG_TYPE_SK_MSG, 0, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/bind4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/bind6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/connect6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/sendmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/recvmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/recvmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/getpeername4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/getpeername6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/getsockname4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/getsockname6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/unix_connect", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 49, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/unix_recvmsg", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 51, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/unix_getpeername", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 52, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sock_addr/unix_getsockname", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 53, 0, 0, { 0 }, -1, -1 },
	{ "sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT, 0, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sockopt/get", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0, 0, { 0 }, -1, -1 },
	{ "cgroup_sockopt/set", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, 0, 0, { 0 }, -1, -1 },
	{ "sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0, 0, { 0 }, -1, -1 },
	{ "netfilter", 32 /* BPF_PROG_TYPE_NETFILTER */, 45 /* BPF_NETFILTER */, 0, 0, { 0 }, -1, -1 },
};

static char logbuf[LOG_SIZE];

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

static int btf_id;
/* r0 of the access probes: 1 for the types whose programs must return exactly 1, else 0 */
static int probe_ret;

static int load(const struct ptype *t, const struct bpf_insn *insns, int n, int level)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = t->type;
	a.expected_attach_type = t->attach;
	a.prog_flags = t->flags;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)logbuf;
	a.log_size = LOG_SIZE;
	a.log_level = level;
	a.attach_btf_id = btf_id;
	logbuf[0] = 0;
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return -errno;
}

static const uint8_t SIZE_CODE[9] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };

/*
 * What r0 holds after instruction 0 (the level-2 log line "0: (..) r0 = *(..)  ; R0=..."): the
 * pointer type, or "scalar:" and the umax in hex ("scalar:" alone when unknown).
 */
static void loaded_type(char *out, size_t cap)
{
	char *line = strstr(logbuf, "\n0: (");
	char *r0, *end;

	snprintf(out, cap, "?");
	if (line == NULL)
		return;
	r0 = strstr(line, "R0=");
	end = strchr(line + 1, '\n');
	if (r0 == NULL || (end != NULL && r0 > end)) {
		/* BTF-typed ctx: a "func ... arg1 has btf_id" line, then the state as "1: R0=..." */
		r0 = strstr(line, "\n1: R0=");
		if (r0 == NULL)
			return;
		r0 += 4;
	}
	r0 += 3;
	if (strncmp(r0, "scalar", 6) == 0 || (*r0 >= '0' && *r0 <= '9')) {
		char *um = strstr(r0, "umax=");
		char *sp = strpbrk(r0, " \n");

		if (*r0 >= '0' && *r0 <= '9') {
			/* a constant: print it as its own umax */
			snprintf(out, cap, "scalar:%llx", strtoull(r0, NULL, 0));
			return;
		}
		if (um != NULL && (sp == NULL || um < sp)) {
			/* "smax=umax=smax32=umax32=255": the value ends the chain of names */
			char *v = um + 5;

			while (*v != 0 && !(*v >= '0' && *v <= '9') && strchr(v, '=') != NULL)
				v = strchr(v, '=') + 1;
			snprintf(out, cap, "scalar:%llx", strtoull(v, NULL, 0));
			return;
		}
		snprintf(out, cap, "scalar:");
		return;
	}
	{
		size_t k = strcspn(r0, "( \n");

		snprintf(out, cap, "%.*s", (int)k, r0);
	}
}

static void probe_offsets(const struct ptype *t, int *offs, int *n)
{
	*n = 0;
	for (int off = -8; off < t->limit; off++)
		offs[(*n)++] = off;
	for (int i = 0; t->extra[i] != 0; i++)
		offs[(*n)++] = t->extra[i];
}

/* The range `r0 = 0x7fff0000; exit` is refused with, or null when it loads. */
static int print_ret_range(const struct ptype *t)
{
	struct bpf_insn p[2];
	char *s;
	long lo = 0, hi = 0;

	p[0] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0x7fff0000);
	p[1] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	if (load(t, p, 2, 1) == 0) {
		printf("null");
		return 0;
	}
	s = strstr(logbuf, "should have been in [");
	if (s == NULL || sscanf(s, "should have been in [%ld, %ld]", &lo, &hi) != 2) {
		fprintf(stderr, "%s: unexpected refusal of the return-range probe:\n%s\n", t->name, logbuf);
		return 1;
	}
	printf("[%ld, %ld]", lo, hi);
	return 0;
}

int main(void)
{
	static const int sizes[] = { 1, 2, 4, 8 };
	int n = sizeof(TYPES) / sizeof(TYPES[0]);
	struct utsname u;

	uname(&u);
	printf("{\"_comment\": \"verifier ctx rules per program type (reads with the loaded type, writes, BPF_LD_ABS, direct packet writes, return range), recorded by test/kernel/progtypes/vctx-golden.c as root\",\n");
	printf(" \"release\": \"%s\",\n \"types\": {\n", u.release);
	for (int ti = 0; ti < n; ti++) {
		const struct ptype *t = &TYPES[ti];
		int offs[512], noffs;
		struct bpf_insn p[16];
		char ty[128];

		probe_offsets(t, offs, &noffs);
		probe_ret = strstr(t->name, "recvmsg") != NULL || strstr(t->name, "getpeername") != NULL || strstr(t->name, "getsockname") != NULL;
		btf_id = t->btf != NULL ? libbpf_find_vmlinux_btf_id(t->btf, t->attach) : 0;
		if (btf_id < 0) {
			fprintf(stderr, "%s: no vmlinux BTF id for %s\n", t->name, t->btf);
			return 1;
		}
		printf("  \"%s\": {\"progType\": %u, \"attachType\": %u, \"progFlags\": %u,\n   \"probed\": {\"from\": -8, \"to\": %d, \"extra\": [", t->name, t->type, t->attach, t->flags, t->limit);
		for (int i = 0; t->extra[i] != 0; i++)
			printf("%s%d", i ? ", " : "", t->extra[i]);
		printf("]},\n   \"reads\": {");
		for (int si = 0; si < 4; si++) {
			int sz = sizes[si], k = 0;

			printf("%s\"%d\": {", si ? ", " : "", sz);
			for (int oi = 0; oi < noffs; oi++) {
				p[0] = insn(BPF_LDX | BPF_MEM | SIZE_CODE[sz], 0, 1, offs[oi], 0);
				p[1] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, probe_ret);
				p[2] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
				if (load(t, p, 3, 2) != 0)
					continue;
				loaded_type(ty, sizeof(ty));
				printf("%s\"%d\": \"%s\"", k++ ? ", " : "", offs[oi], ty);
			}
			printf("}");
		}
		printf("},\n   \"writes\": {");
		for (int si = 0; si < 4; si++) {
			int sz = sizes[si], k = 0;

			printf("%s\"%d\": [", si ? ", " : "", sz);
			for (int oi = 0; oi < noffs; oi++) {
				p[0] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0);
				p[1] = insn(BPF_STX | BPF_MEM | SIZE_CODE[sz], 1, 2, offs[oi], 0);
				p[2] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, probe_ret);
				p[3] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
				if (load(t, p, 4, 1) == 0)
					printf("%s%d", k++ ? ", " : "", offs[oi]);
			}
			printf("]");
		}
		printf("},\n");
		/* BPF_LD_ABS */
		p[0] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
		p[1] = insn(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 0);
		p[2] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		p[3] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		p[2] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, probe_ret);
		printf("   \"ldAbs\": %s,\n", load(t, p, 4, 1) == 0 ? "true" : "false");
		/* a bounds-checked one-byte packet store */
		if (t->data >= 0) {
			p[0] = insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, t->data, 0);
			p[1] = insn(BPF_LDX | BPF_MEM | BPF_W, 3, 1, t->data_end, 0);
			p[2] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0);
			p[3] = insn(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 1);
			p[4] = insn(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 1, 0);
			p[5] = insn(BPF_ST | BPF_MEM | BPF_B, 2, 0, 0, 0);
			p[6] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
			p[7] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
			printf("   \"pktWrite\": %s,\n", load(t, p, 8, 1) == 0 ? "true" : "false");
		} else {
			printf("   \"pktWrite\": null,\n");
		}
		printf("   \"retRange\": ");
		if (print_ret_range(t) != 0)
			return 1;
		printf("}%s\n", ti + 1 < n ? "," : "");
	}
	printf(" },\n \"retRanges\": {\n");
	btf_id = 0;
	for (size_t i = 0; i < sizeof(RET_TYPES) / sizeof(RET_TYPES[0]); i++) {
		printf("%s  \"%s\": {\"progType\": %u, \"attachType\": %u, \"retRange\": ", i ? ",\n" : "", RET_TYPES[i].name, RET_TYPES[i].type,
		       RET_TYPES[i].attach);
		if (print_ret_range(&RET_TYPES[i]) != 0)
			return 1;
		printf("}");
	}
	printf("\n }\n}\n");
	return 0;
}
