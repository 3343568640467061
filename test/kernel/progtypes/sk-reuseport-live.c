// SPDX-License-Identifier: MIT
/*
 * Records golden/sk-reuseport-live.json on the running kernel (root): the fixture
 * programs/sk_reuseport_select.bpf.o (sk_reuseport pick) attached with
 * SO_ATTACH_REUSEPORT_EBPF to a reuseport group of UDP sockets on 127.0.0.1:47400 (A, B, F).
 * REUSEPORT_SOCKARRAY socks: 0 A, 1 B, 2 C (UDP 127.0.0.1:47401, another group), 3 D (a TCP
 * listener on 127.0.0.1:47400 with SO_REUSEPORT), 4 E (UDP [::1]:47400 with SO_REUSEPORT).
 * SOCKMAP sockm: 0 F, 1 G (UDP 127.0.0.1:47402 without SO_REUSEPORT). Datagrams with payload
 * byte 1, 0 and 2 are sent to 127.0.0.1:47400; printed: which socket received each, and the
 * program's results[] after each (the helper's return values, see the fixture).
 *
 *   cc -O2 -Wall -o /tmp/sk-reuseport-live test/kernel/progtypes/sk-reuseport-live.c -lbpf
 *   sudo /tmp/sk-reuseport-live programs/sk_reuseport_select.bpf.o > test/kernel/progtypes/golden/sk-reuseport-live.json
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int sock(int family, int type, const char *addr, int port, int reuse)
{
	int fd = socket(family, type, 0), one = 1;

	if (reuse)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

		inet_pton(AF_INET, addr, &a.sin_addr);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			perror("bind");
	} else {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

		inet_pton(AF_INET6, addr, &a.sin6_addr);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			perror("bind6");
	}
	if (type == SOCK_STREAM)
		listen(fd, 4);
	return fd;
}

static void put(int map, uint32_t k, int fd)
{
	uint64_t v = fd;

	if (bpf_map_update_elem(map, &k, &v, BPF_ANY))
		fprintf(stderr, "update %u: %s\n", k, strerror(errno));
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(47400), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const char *names[] = { "A", "B", "F" };
	struct bpf_object *o;
	int a, b, c, d, e, f, g, cli, prog, socks, sockm, res, fds[3];
	uint8_t payloads[] = { 1, 0, 2 };

	if (argc != 2)
		return 2;
	libbpf_set_print(NULL);
	o = bpf_object__open_file(argv[1], NULL);
	if (o == NULL || libbpf_get_error(o) || bpf_object__load(o)) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	prog = bpf_program__fd(bpf_object__find_program_by_name(o, "pick"));
	socks = bpf_object__find_map_fd_by_name(o, "socks");
	sockm = bpf_object__find_map_fd_by_name(o, "sockm");
	res = bpf_object__find_map_fd_by_name(o, "results");
	a = sock(AF_INET, SOCK_DGRAM, "127.0.0.1", 47400, 1);
	b = sock(AF_INET, SOCK_DGRAM, "127.0.0.1", 47400, 1);
	f = sock(AF_INET, SOCK_DGRAM, "127.0.0.1", 47400, 1);
	c = sock(AF_INET, SOCK_DGRAM, "127.0.0.1", 47401, 1);
	d = sock(AF_INET, SOCK_STREAM, "127.0.0.1", 47400, 1);
	e = sock(AF_INET6, SOCK_DGRAM, "::1", 47400, 1);
	g = sock(AF_INET, SOCK_DGRAM, "127.0.0.1", 47402, 0);
	put(socks, 0, a);
	put(socks, 1, b);
	put(socks, 2, c);
	put(socks, 3, d);
	put(socks, 4, e);
	put(sockm, 0, f);
	put(sockm, 1, g);
	if (setsockopt(a, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, sizeof(prog))) {
		perror("SO_ATTACH_REUSEPORT_EBPF");
		return 1;
	}
	fds[0] = a;
	fds[1] = b;
	fds[2] = f;
	cli = socket(AF_INET, SOCK_DGRAM, 0);
	printf("{\n \"kernel\": \"6.18\",\n \"sends\": [");
	for (int i = 0; i < 3; i++) {
		const char *got = "none";
		char buf[16];

		sendto(cli, &payloads[i], 1, 0, (struct sockaddr *)&dst, sizeof(dst));
		usleep(20000);
		for (int j = 0; j < 3; j++)
			if (recv(fds[j], buf, sizeof(buf), MSG_DONTWAIT) == 1)
				got = names[j];
		printf("%s\n  {\"payload\": %u, \"received_by\": \"%s\", \"results\": [", i ? "," : "", payloads[i], got);
		for (uint32_t k = 0; k < 13; k++) {
			int64_t v = 0;

			bpf_map_lookup_elem(res, &k, &v);
			printf("%s%lld", k ? ", " : "", (long long)v);
		}
		printf("]}");
	}
	printf("\n ]\n}\n");
	close(a), close(b), close(c), close(d), close(e), close(f), close(g), close(cli);
	bpf_object__close(o);
	return 0;
}
