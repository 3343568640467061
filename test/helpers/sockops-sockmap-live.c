// SPDX-License-Identifier: MIT
/*
 * Records test/helpers/golden/sockops-sockmap-live.json on the running kernel (root): the
 * fixture programs/sockops_sockmap.bpf.o (sockops add_socks) attached to a fresh cgroup v2
 * (/sys/fs/cgroup/unified/bpfemu-sockops-live, removed afterwards); a process inside it listens
 * on 127.0.0.1:<port>, connects to it and accepts. Printed: every results[] entry of the ops that
 * ran (the helper return values, see the fixture), and which socket each SOCKMAP/SOCKHASH key
 * holds (by SO_COOKIE: listener, client or server, the accepted one).
 *
 *   cc -O2 -Wall -o /tmp/sockops-live test/helpers/sockops-sockmap-live.c -lbpf
 *   sudo /tmp/sockops-live programs/sockops_sockmap.bpf.o > test/helpers/golden/sockops-sockmap-live.json
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define CG "/sys/fs/cgroup/unified/bpfemu-sockops-live"

static const char *who(uint64_t c, const uint64_t *cookies)
{
	static const char *names[] = { "listener", "client", "server" };

	for (int i = 0; i < 3; i++)
		if (c == cookies[i])
			return names[i];
	return "other";
}

static void holders(const char *name, int fd, const uint64_t *cookies)
{
	int first = 1;

	printf(" \"%s\": {", name);
	for (uint32_t k = 0; k < 16; k++) {
		uint64_t c;

		if (bpf_map_lookup_elem(fd, &k, &c) == 0) {
			printf("%s\"%u\": \"%s\"", first ? "" : ", ", k, who(c, cookies));
			first = 0;
		}
	}
	printf("}");
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(47311), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct bpf_object *o;
	struct bpf_program *p;
	uint64_t cookies[3];
	socklen_t len = sizeof(uint64_t);
	int cgfd, lfd, cfd, sfd, res, first = 1, one = 1;
	FILE *f;

	if (argc != 2)
		return 2;
	libbpf_set_print(NULL);
	mkdir(CG, 0755);
	cgfd = open(CG, O_RDONLY | O_DIRECTORY);
	f = fopen(CG "/cgroup.procs", "w");
	if (cgfd < 0 || f == NULL || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
		perror(CG);
		return 1;
	}
	o = bpf_object__open_file(argv[1], NULL);
	if (o == NULL || libbpf_get_error(o) || bpf_object__load(o)) {
		fprintf(stderr, "load %s failed\n", argv[1]);
		return 1;
	}
	p = bpf_object__find_program_by_name(o, "add_socks");
	if (bpf_prog_attach(bpf_program__fd(p), cgfd, BPF_CGROUP_SOCK_OPS, BPF_F_ALLOW_MULTI)) {
		perror("attach");
		return 1;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4)) {
		perror("listener");
		return 1;
	}
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cfd, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		return 1;
	}
	sfd = accept(lfd, NULL, NULL);
	getsockopt(lfd, SOL_SOCKET, SO_COOKIE, &cookies[0], &len);
	getsockopt(cfd, SOL_SOCKET, SO_COOKIE, &cookies[1], &len);
	getsockopt(sfd, SOL_SOCKET, SO_COOKIE, &cookies[2], &len);
	res = bpf_object__find_map_fd_by_name(o, "results");
	printf("{\n \"kernel\": \"6.18\",\n \"results\": {");
	for (uint32_t op = 0; op < 16; op++) {
		int64_t v[8];

		for (uint32_t i = 0; i < 8; i++) {
			uint32_t k = op * 8 + i;

			bpf_map_lookup_elem(res, &k, &v[i]);
		}
		if (!v[7])
			continue;
		printf("%s\"%u\": [%lld, %lld, %lld, %lld, %lld, %lld, %lld]", first ? "" : ", ", op, (long long)v[0], (long long)v[1],
		       (long long)v[2], (long long)v[3], (long long)v[4], (long long)v[5], (long long)v[6]);
		first = 0;
	}
	printf("},\n");
	holders("sockmap", bpf_object__find_map_fd_by_name(o, "socks"), cookies);
	printf(",\n");
	holders("sockhash", bpf_object__find_map_fd_by_name(o, "sockh"), cookies);
	printf("\n}\n");
	close(sfd);
	close(cfd);
	close(lfd);
	f = fopen("/sys/fs/cgroup/unified/cgroup.procs", "w");
	if (f != NULL) {
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}
	bpf_object__close(o);
	close(cgfd);
	rmdir(CG);
	return 0;
}
