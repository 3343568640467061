// SPDX-License-Identifier: MIT
/*
 * Records test/helpers/golden/sk-assign-live.json on the running kernel (root): the fixture
 * programs/sk_assign.bpf.o's sk_lookup program `assign`, test-run (BPF_PROG_TEST_RUN) once per
 * case over a SOCKMAP holding real sockets: 0 a TCP listener on 127.0.0.1, 1 a bound UDP socket,
 * 2 an established TCP socket, 3 a dual-stack TCP listener on ::, 4 a connected UDP socket. Each
 * case sets the program's cfg (keys, flags, action) and the lookup (family, protocol); printed: the
 * two bpf_sk_assign results, the run's retval and errno, and which socket ctx_out's cookie names.
 * Then the program `update` puts sockets of that SOCKMAP into a second one (`dst`) and deletes
 * entries, one test run per step (the results, then which socket each dst slot holds), and the
 * programs update_cg (cgroup_skb), update_sockops and delete_sockops (sockops) are loaded alone:
 * the errno and whether the verifier said "cannot update sockmap in this context".
 *
 *   cc -O2 -Wall -o /tmp/sk-assign-live test/helpers/sk-assign-live.c -lbpf
 *   sudo /tmp/sk-assign-live programs/sk_assign.bpf.o > test/helpers/golden/sk-assign-live.json
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct cfg {
	uint32_t key[2];
	uint64_t flags[2];
	long ret[2];
	uint32_t action;
};

struct kcase {
	const char *name;
	uint32_t key0, key1;
	uint64_t flags0, flags1;
	uint32_t action;
	int family, protocol;
};

/* 254: no call; 255: NULL. BPF_SK_LOOKUP_F_REPLACE 1, _NO_REUSEPORT 2. */
static const struct kcase CASES[] = {
	{ "tcp listener", 0, 254, 0, 0, 1, AF_INET, IPPROTO_TCP },
	{ "udp socket on a tcp lookup", 1, 254, 0, 0, 1, AF_INET, IPPROTO_TCP },
	{ "established tcp", 2, 254, 0, 0, 1, AF_INET, IPPROTO_TCP },
	{ "bound udp", 1, 254, 0, 0, 1, AF_INET, IPPROTO_UDP },
	{ "connected udp", 4, 254, 0, 0, 1, AF_INET, IPPROTO_UDP },
	{ "second without replace", 0, 3, 0, 0, 1, AF_INET, IPPROTO_TCP },
	{ "second with replace", 0, 3, 0, 1, 1, AF_INET, IPPROTO_TCP },
	{ "ipv4 socket on an ipv6 lookup", 0, 254, 0, 0, 1, AF_INET6, IPPROTO_TCP },
	{ "dual-stack listener on an ipv6 lookup", 3, 254, 0, 0, 1, AF_INET6, IPPROTO_TCP },
	{ "null", 255, 254, 0, 0, 1, AF_INET, IPPROTO_TCP },
	{ "null replacing", 0, 255, 0, 1, 1, AF_INET, IPPROTO_TCP },
	{ "null without replace", 0, 255, 0, 0, 1, AF_INET, IPPROTO_TCP },
	{ "bad flags", 0, 254, 4, 0, 1, AF_INET, IPPROTO_TCP },
	{ "no_reuseport", 0, 254, 2, 0, 1, AF_INET, IPPROTO_TCP },
	{ "selected then drop", 0, 254, 0, 0, 0, AF_INET, IPPROTO_TCP },
	{ "nothing selected, drop", 254, 254, 0, 0, 0, AF_INET, IPPROTO_TCP },
	{ "nothing selected, pass", 254, 254, 0, 0, 1, AF_INET, IPPROTO_TCP },
};

/* struct bpf_sk_lookup (uapi). */
struct lookup {
	uint64_t cookie;
	uint32_t family, protocol, remote_ip4, remote_ip6[4];
	uint16_t remote_port, pad;
	uint32_t local_ip4, local_ip6[4], local_port, ingress_ifindex;
};

static uint64_t cookie_of(int fd)
{
	uint64_t c = 0;
	socklen_t l = sizeof(c);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &l);
	return c;
}

struct upd {
	uint32_t src, dst;
	uint64_t flags;
	uint32_t del;
	long ret_update, ret_delete;
};

/* src, dst, flags, del (254: none). BPF_NOEXIST 1. */
static const struct upd_case {
	uint32_t src, dst;
	uint64_t flags;
	uint32_t del;
} UPDATES[] = {
	{ 0, 0, 0, 254 }, { 1, 1, 0, 254 }, { 2, 2, 0, 254 }, { 3, 3, 0, 254 }, { 4, 4, 0, 254 },
	{ 1, 0, 1, 254 }, { 1, 0, 5, 254 }, { 0, 8, 0, 254 }, { 3, 5, 0, 4 }, { 0, 6, 0, 7 },
};

static int saw_refusal;

static int printer(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (strstr(line, "cannot update sockmap in this context"))
		saw_refusal = 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	socklen_t al = sizeof(a);
	int fds[5], one = 1, zero6 = 0;
	uint64_t cookies[5];
	const char *names[5] = { "tcp listener", "bound udp", "established tcp", "dual-stack listener", "connected udp" };
	struct bpf_object *obj;
	struct bpf_map *m, *bss = NULL, *socks;
	int prog;

	if (argc != 2)
		return 2;
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fds[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fds[0], (struct sockaddr *)&a, sizeof(a)) || listen(fds[0], 8) || getsockname(fds[0], (struct sockaddr *)&a, &al))
		return 3;
	fds[1] = socket(AF_INET, SOCK_DGRAM, 0);
	{
		struct sockaddr_in u = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		if (bind(fds[1], (struct sockaddr *)&u, sizeof(u)))
			return 3;
	}
	fds[2] = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fds[2], (struct sockaddr *)&a, sizeof(a)))
		return 3;
	fds[3] = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(fds[3], IPPROTO_IPV6, IPV6_V6ONLY, &zero6, sizeof(zero6));
	if (bind(fds[3], (struct sockaddr *)&a6, sizeof(a6)) || listen(fds[3], 8))
		return 3;
	fds[4] = socket(AF_INET, SOCK_DGRAM, 0);
	{
		struct sockaddr_in u;
		socklen_t ul = sizeof(u);

		getsockname(fds[1], (struct sockaddr *)&u, &ul);
		if (connect(fds[4], (struct sockaddr *)&u, sizeof(u)))
			return 3;
	}
	for (int i = 0; i < 5; i++)
		cookies[i] = cookie_of(fds[i]);

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj)
		return 4;
	{
		struct bpf_program *p;

		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), "assign") || !strcmp(bpf_program__name(p), "update"));
	}
	if (bpf_object__load(obj))
		return 4;
	bpf_object__for_each_map(m, obj)
		if (strstr(bpf_map__name(m), ".bss"))
			bss = m;
	if (!bss || bpf_map__value_size(bss) != sizeof(struct cfg) + sizeof(struct upd))
		return 5;
	socks = bpf_object__find_map_by_name(obj, "socks");
	prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "assign"));
	if (!socks || prog < 0)
		return 5;
	printf("{\n  \"kernel\": \"");
	{
		FILE *f = fopen("/proc/sys/kernel/osrelease", "r");
		int c;

		while (f && (c = fgetc(f)) != EOF && c != '\n')
			putchar(c);
		if (f)
			fclose(f);
	}
	printf("\",\n  \"sockmap\": [");
	for (uint32_t i = 0; i < 5; i++) {
		uint64_t v = fds[i];
		int err = bpf_map_update_elem(bpf_map__fd(socks), &i, &v, BPF_ANY) ? -errno : 0;

		printf("%s{ \"socket\": \"%s\", \"update\": %d }", i ? ", " : "", names[i], err);
	}
	printf("],\n  \"cases\": [\n");
	for (size_t c = 0; c < sizeof(CASES) / sizeof(CASES[0]); c++) {
		const struct kcase *k = &CASES[c];
		struct cfg cfg = { .key = { k->key0, k->key1 }, .flags = { k->flags0, k->flags1 }, .action = k->action };
		struct lookup in = { .family = k->family, .protocol = k->protocol, .remote_port = htons(40000), .local_port = ntohs(a.sin_port) }, out;
		uint32_t zero = 0;
		const char *sel = "none";
		int err;
		LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &in, .ctx_size_in = sizeof(in), .ctx_out = &out, .ctx_size_out = sizeof(out));

		if (k->family == AF_INET) {
			in.remote_ip4 = htonl(INADDR_LOOPBACK);
			in.local_ip4 = htonl(INADDR_LOOPBACK);
		} else {
			in.remote_ip6[3] = htonl(1);
			in.local_ip6[3] = htonl(1);
		}
		unsigned char whole[sizeof(struct cfg) + sizeof(struct upd)] = { 0 };

		memcpy(whole, &cfg, sizeof(cfg));
		if (bpf_map_update_elem(bpf_map__fd(bss), &zero, whole, BPF_ANY))
			return 6;
		memset(&out, 0, sizeof(out));
		err = bpf_prog_test_run_opts(prog, &o) ? -errno : 0;
		if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, whole))
			return 7;
		memcpy(&cfg, whole, sizeof(cfg));
		for (int i = 0; i < 5; i++)
			if (out.cookie && out.cookie == cookies[i])
				sel = names[i];
		if (out.cookie && !strcmp(sel, "none"))
			sel = "other";
		printf("    { \"name\": \"%s\", \"key\": [%u, %u], \"flags\": [%llu, %llu], \"action\": %u, \"family\": %d, \"protocol\": %d, "
		       "\"ret\": [%ld, %ld], \"err\": %d, \"retval\": %u, \"selected\": \"%s\" }%s\n",
		       k->name, k->key0, k->key1, (unsigned long long)k->flags0, (unsigned long long)k->flags1, k->action, k->family, k->protocol,
		       k->key0 == 254 ? 0 : cfg.ret[0], k->key1 == 254 ? 0 : cfg.ret[1], err, o.retval, sel,
		       c + 1 < sizeof(CASES) / sizeof(CASES[0]) ? "," : "");
	}
	printf("  ],\n  \"updates\": [\n");
	{
		int uprog = bpf_program__fd(bpf_object__find_program_by_name(obj, "update"));
		int dst = bpf_map__fd(bpf_object__find_map_by_name(obj, "dst"));

		for (size_t c = 0; c < sizeof(UPDATES) / sizeof(UPDATES[0]); c++) {
			const struct upd_case *u = &UPDATES[c];
			unsigned char whole[sizeof(struct cfg) + sizeof(struct upd)] = { 0 };
			struct upd up = { .src = u->src, .dst = u->dst, .flags = u->flags, .del = u->del };
			struct lookup in = { .family = AF_INET, .protocol = IPPROTO_TCP, .remote_port = htons(40000), .local_port = ntohs(a.sin_port) };
			uint32_t zero = 0;
			int err;
			LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &in, .ctx_size_in = sizeof(in));

			in.remote_ip4 = htonl(INADDR_LOOPBACK);
			in.local_ip4 = htonl(INADDR_LOOPBACK);
			memcpy(whole + sizeof(struct cfg), &up, sizeof(up));
			if (bpf_map_update_elem(bpf_map__fd(bss), &zero, whole, BPF_ANY))
				return 8;
			err = bpf_prog_test_run_opts(uprog, &o) ? -errno : 0;
			if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, whole))
				return 9;
			memcpy(&up, whole + sizeof(struct cfg), sizeof(up));
			printf("    { \"src\": %u, \"dst\": %u, \"flags\": %llu, \"del\": %u, \"update\": %ld, \"delete\": %ld, \"err\": %d }%s\n",
			       u->src, u->dst, (unsigned long long)u->flags, u->del, up.ret_update, u->del == 254 ? 0 : up.ret_delete, err,
			       c + 1 < sizeof(UPDATES) / sizeof(UPDATES[0]) ? "," : "");
		}
		printf("  ],\n  \"dst\": {");
		for (uint32_t k = 0, first = 1; k < 8; k++) {
			uint64_t c;

			if (bpf_map_lookup_elem(dst, &k, &c) == 0) {
				const char *n = "other";

				for (int i = 0; i < 5; i++)
					if (c == cookies[i])
						n = names[i];
				printf("%s\"%u\": \"%s\"", first ? "" : ", ", k, n);
				first = 0;
			}
		}
		printf("},\n  \"loads\": {");
	}
	{
		static const char *const progs[] = { "update_cg", "update_sockops", "delete_sockops" };

		libbpf_set_print(printer);
		for (int i = 0; i < 3; i++) {
			struct bpf_object *o2 = bpf_object__open_file(argv[1], NULL);
			struct bpf_program *p;
			int err;

			if (!o2)
				return 10;
			bpf_object__for_each_program(p, o2)
				bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), progs[i]));
			saw_refusal = 0;
			err = bpf_object__load(o2);
			printf("%s\"%s\": { \"err\": %d, \"refusal\": %s }", i ? ", " : "", progs[i], err, saw_refusal ? "true" : "false");
			bpf_object__close(o2);
		}
	}
	printf("}\n}\n");
	bpf_object__close(obj);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
	return 0;
}
