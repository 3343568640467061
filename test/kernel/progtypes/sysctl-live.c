// SPDX-License-Identifier: MIT
/*
 * Records golden/sysctl-live.json on the running kernel (root): the fixture
 * programs/sysctl_helpers.bpf.o (cgroup/sysctl probe) attached to a fresh cgroup v2
 * (/sys/fs/cgroup/unified/bpfemu-sysctl-live, removed afterwards). In a new UTS namespace (the
 * host's domain name is untouched) with domain name "orig", a process inside the cgroup reads
 * /proc/sys/kernel/domainname, then writes "newname\n" to it; printed: each access's helper
 * return values and buffers (hex, see the fixture), what read() and write() returned, and the
 * domain name afterwards (the program's bpf_sysctl_set_new_value replaced the written value).
 *
 *   cc -O2 -Wall -o /tmp/sysctl-live test/kernel/progtypes/sysctl-live.c -lbpf
 *   sudo /tmp/sysctl-live programs/sysctl_helpers.bpf.o > test/kernel/progtypes/golden/sysctl-live.json
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define CG "/sys/fs/cgroup/unified/bpfemu-sysctl-live"

struct rec {
	int64_t ret[12];
	char name[32];
	char base[32];
	char trunc[8];
	char cur[32];
	char cur4[4];
	char nv[32];
	char nv2[2];
	char btrunc[8];
	char odd[32];
};

static void hex(const char *key, const char *b, int n, int last)
{
	printf("    \"%s\": \"", key);
	for (int i = 0; i < n; i++)
		printf("%02x", (unsigned char)b[i]);
	printf("\"%s\n", last ? "" : ",");
}

static void dump(int map, uint32_t k, const char *what)
{
	struct rec r;

	memset(&r, 0, sizeof(r));
	bpf_map_lookup_elem(map, &k, &r);
	printf("  \"%s\": {\n    \"ret\": [", what);
	for (int i = 0; i < 11; i++)
		printf("%s%lld", i ? ", " : "", (long long)r.ret[i]);
	printf("],\n");
	hex("name", r.name, 32, 0);
	hex("base", r.base, 32, 0);
	hex("trunc", r.trunc, 8, 0);
	hex("cur", r.cur, 32, 0);
	hex("cur4", r.cur4, 4, 0);
	hex("nv", r.nv, 32, 0);
	hex("nv2", r.nv2, 2, 0);
	hex("btrunc", r.btrunc, 8, 0);
	hex("odd", r.odd, 32, 1);
	printf("  },\n");
}

int main(int argc, char **argv)
{
	struct bpf_object *o;
	char buf[64] = { 0 };
	int cgfd, fd, rd, wr, map;
	FILE *f;

	if (argc != 2)
		return 2;
	libbpf_set_print(NULL);
	if (unshare(CLONE_NEWUTS) || setdomainname("orig", 4)) {
		perror("uts");
		return 1;
	}
	mkdir(CG, 0755);
	cgfd = open(CG, O_RDONLY | O_DIRECTORY);
	f = fopen(CG "/cgroup.procs", "w");
	if (cgfd < 0 || f == NULL || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
		perror(CG);
		return 1;
	}
	o = bpf_object__open_file(argv[1], NULL);
	if (o == NULL || libbpf_get_error(o) || bpf_object__load(o)) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	if (bpf_prog_attach(bpf_program__fd(bpf_object__find_program_by_name(o, "probe")), cgfd, BPF_CGROUP_SYSCTL, BPF_F_ALLOW_MULTI)) {
		perror("attach");
		return 1;
	}
	map = bpf_object__find_map_fd_by_name(o, "out");
	fd = open("/proc/sys/kernel/domainname", O_RDONLY);
	rd = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	fd = open("/proc/sys/kernel/domainname", O_WRONLY);
	wr = write(fd, "newname\n", 8);
	if (wr < 0)
		wr = -errno;
	close(fd);
	printf("{\n  \"kernel\": \"6.18\",\n");
	dump(map, 0, "read");
	dump(map, 1, "write");
	printf("  \"read_returned\": %d,\n  \"write_returned\": %d,\n", rd, wr);
	memset(buf, 0, sizeof(buf));
	getdomainname(buf, sizeof(buf) - 1);
	printf("  \"domainname_after\": \"%s\"\n}\n", buf);
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
