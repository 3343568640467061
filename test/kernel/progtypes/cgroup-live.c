// SPDX-License-Identifier: MIT
/*
 * Records golden/cgroup-live.json on the running kernel (root): the fixtures' cgroup programs
 * attached to a fresh cgroup v2 (/sys/fs/cgroup/unified/bpfemu-cg-live, removed afterwards) and
 * exercised by real socket calls from a process inside it:
 *   sock_addr connect4: connect() to 10.0.0.1:80 reaches a listener on 127.0.0.1:8080 (the
 *     program's rewrite), connect() to port 23 fails EPERM; the stats counters afterwards;
 *   sock_addr bind4: bind() to ports 22 (EPERM), 80 and 8080;
 *   cgroup_misc sock_create: socket(SOCK_RAW) fails EPERM; a UDP socket gets SO_MARK 7 and
 *     SO_PRIORITY 6, a TCP one SO_MARK 7 and priority 0; the counters;
 *   cgroup_misc getsockopt/setsockopt: IP_TOS reads as 0x10 with optlen 1; SO_RCVBUF of 2 MiB
 *     fails EPERM, of 64 KiB works; setsockopt(IP_TOS, 16) sets IP_TTL instead;
 *   cgroup_misc dev: open() of /dev/null and /dev/zero works, /dev/full (1:7) fails EPERM;
 *   cgroup_misc sysctl: a read of /proc/sys/kernel/domainname works, a write at offset 1 fails
 *     EPERM (nothing is written).
 *
 *   cc -O2 -Wall -o /tmp/cgroup-live test/kernel/progtypes/cgroup-live.c -lbpf
 *   sudo /tmp/cgroup-live programs > test/kernel/progtypes/golden/cgroup-live.json
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define CG "/sys/fs/cgroup/unified/bpfemu-cg-live"

static int cgfd;
static int printf_tos, printf_tos_len;
static char extra[1024];

static struct bpf_object *load(const char *dir, const char *name)
{
	char path[512];
	struct bpf_object *o;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, name);
	o = bpf_object__open_file(path, NULL);
	if (o == NULL || libbpf_get_error(o) || bpf_object__load(o)) {
		fprintf(stderr, "load %s failed\n", path);
		exit(1);
	}
	return o;
}

static void attach(struct bpf_object *o, const char *prog, enum bpf_attach_type t)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o, prog);

	if (bpf_prog_attach(bpf_program__fd(p), cgfd, t, BPF_F_ALLOW_MULTI)) {
		perror(prog);
		exit(1);
	}
}

static uint64_t counter(struct bpf_object *o, const char *map, uint32_t i)
{
	uint64_t v = 0;

	bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(o, map)), &i, &v);
	return v;
}

static int try_connect(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), r;

	inet_pton(AF_INET, ip, &a.sin_addr);
	r = connect(s, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0;
	close(s);
	return r;
}

static int try_bind(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0), r, one = 1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	r = bind(s, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0;
	close(s);
	return r;
}

int main(int argc, char **argv)
{
	struct bpf_object *sa, *cm;
	struct sockaddr_in l = { .sin_family = AF_INET, .sin_port = htons(8080), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int lfd, one = 1, c80, c23, b22, b80, b8080, raw, mark_u, prio_u, mark_t, prio_t;
	socklen_t len = sizeof(int);
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
	sa = load(argv[1], "sock_addr");
	cm = load(argv[1], "cgroup_misc");
	/* the listener exists before the hooks */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&l, sizeof(l)) || listen(lfd, 4)) {
		perror("listener");
		return 1;
	}
	attach(sa, "connect4", BPF_CGROUP_INET4_CONNECT);
	attach(sa, "bind4", BPF_CGROUP_INET4_BIND);
	attach(cm, "sock_create", BPF_CGROUP_INET_SOCK_CREATE);
	attach(cm, "getsockopt", BPF_CGROUP_GETSOCKOPT);
	attach(cm, "setsockopt", BPF_CGROUP_SETSOCKOPT);
	attach(cm, "dev", BPF_CGROUP_DEVICE);
	attach(cm, "sysctl", BPF_CGROUP_SYSCTL);
	c80 = try_connect("10.0.0.1", 80);
	c23 = try_connect("10.0.0.1", 23);
	b22 = try_bind(22);
	b80 = try_bind(80);
	b8080 = try_bind(8081);
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	raw = raw < 0 ? -errno : (close(raw), 0);
	{
		int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0);

		getsockopt(u, SOL_SOCKET, SO_MARK, &mark_u, &len);
		getsockopt(u, SOL_SOCKET, SO_PRIORITY, &prio_u, &len);
		getsockopt(t, SOL_SOCKET, SO_MARK, &mark_t, &len);
		getsockopt(t, SOL_SOCKET, SO_PRIORITY, &prio_t, &len);
		close(u);
		close(t);
	}
	{
		int t = socket(AF_INET, SOCK_STREAM, 0), tos = 0, ttl = 0, big = 2 << 20, small = 64 << 10, v16 = 16;
		socklen_t l2 = sizeof(int);
		int tos_r, big_r, small_r, tos_set, fdn, fdz, fdf, sys_r, sys_w;
		char buf[64];

		tos_r = getsockopt(t, SOL_IP, IP_TOS, &tos, &l2) ? -errno : 0;
		printf_tos = tos;
		printf_tos_len = l2;
		big_r = setsockopt(t, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) ? -errno : 0;
		small_r = setsockopt(t, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ? -errno : 0;
		tos_set = setsockopt(t, SOL_IP, IP_TOS, &v16, sizeof(v16)) ? -errno : 0;
		l2 = sizeof(int);
		getsockopt(t, SOL_IP, IP_TTL, &ttl, &l2);
		close(t);
		fdn = open("/dev/null", O_RDWR);
		fdn = fdn < 0 ? -errno : (close(fdn), 0);
		fdz = open("/dev/zero", O_RDONLY);
		fdz = fdz < 0 ? -errno : (close(fdz), 0);
		fdf = open("/dev/full", O_RDONLY);
		fdf = fdf < 0 ? -errno : (close(fdf), 0);
		t = open("/proc/sys/kernel/domainname", O_RDWR);
		sys_r = read(t, buf, sizeof(buf)) < 0 ? -errno : 0;
		sys_w = pwrite(t, "x", 1, 1) < 0 ? -errno : 0;
		close(t);
		snprintf(extra, sizeof(extra), " \"sockopt\": {\"ip_tos\": %d, \"ip_tos_value\": %d, \"ip_tos_optlen\": %d, \"so_rcvbuf_2m\": %d, \"so_rcvbuf_64k\": %d, \"set_ip_tos_16\": %d, \"ip_ttl_after\": %d},\n \"dev\": {\"null\": %d, \"zero\": %d, \"full\": %d},\n \"sysctl\": {\"read\": %d, \"write_at_1\": %d},\n",
			 tos_r, printf_tos, printf_tos_len, big_r, small_r, tos_set, ttl, fdn, fdz, fdf, sys_r, sys_w);
	}
	printf("{\"_comment\": \"cgroup programs of sock_addr and cgroup_misc attached to a cgroup v2 and driven by socket calls, recorded by cgroup-live.c as root\",\n");
	printf(" \"connect\": {\"10.0.0.1:80\": %d, \"10.0.0.1:23\": %d},\n", c80, c23);
	printf(" \"bind\": {\"22\": %d, \"80\": %d, \"8081\": %d},\n", b22, b80, b8080);
	printf(" \"socket\": {\"raw\": %d, \"udp\": {\"mark\": %d, \"priority\": %d}, \"tcp\": {\"mark\": %d, \"priority\": %d}},\n", raw, mark_u, prio_u, mark_t, prio_t);
	printf("%s", extra);
	printf(" \"stats\": [%llu, %llu, %llu],\n", (unsigned long long)counter(sa, "stats", 0), (unsigned long long)counter(sa, "stats", 1), (unsigned long long)counter(sa, "stats", 2));
	printf(" \"counts0\": %llu\n}\n", (unsigned long long)counter(cm, "counts", 0));
	close(lfd);
	/* leave the cgroup, then remove it */
	f = fopen("/sys/fs/cgroup/unified/cgroup.procs", "w");
	if (f != NULL) {
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}
	bpf_object__close(sa);
	bpf_object__close(cm);
	close(cgfd);
	rmdir(CG);
	return 0;
}
