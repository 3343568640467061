// SPDX-License-Identifier: MIT
/*
 * find-vma-live OBJ: loads find_vma_run of programs/find_vma.bpf.o with libbpf and test-runs it
 * for addresses of this process (a stack variable, main, a heap block, the middle of an anonymous
 * mapping, the page after it (unmapped), a file mapping of OBJ at offset 4096, page 1, and with
 * flags 1), then prints JSON: the pid, the results, and this process's /proc/self/maps read right
 * after the runs (nothing is allocated in between). Compiled at test time by
 * test/helpers/find-vma.test.ts (cc find-vma-live.c -lbpf), never committed; run as root.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct input {
	uint64_t addr;
	uint64_t flags;
};

struct result {
	int64_t ret;
	uint64_t start, end, flags, pgoff, has_file;
	uint32_t calls;
	int32_t pid;
};

#define NPROBES 8
static const char *names[NPROBES] = { "stack", "text", "heap", "anon", "hole", "file", "page1", "flags" };
static struct input in[NPROBES];
static struct result out[NPROBES];
static char maps[1 << 20];

int main(int argc, char **argv)
{
	struct bpf_object *o;
	struct bpf_program *p;
	int in_fd, out_fd, fd;
	uint32_t k = 0;
	volatile int local = 0;
	char *anon, *file;
	ssize_t n, len = 0;

	if (argc != 2)
		return 2;
	libbpf_set_print(NULL);
	o = bpf_object__open_file(argv[1], NULL);
	if (!o || bpf_object__load(o)) {
		printf("{\"error\": \"load\"}\n");
		return 3;
	}
	p = bpf_object__find_program_by_name(o, "find_vma_run");
	in_fd = bpf_map__fd(bpf_object__find_map_by_name(o, "input"));
	out_fd = bpf_map__fd(bpf_object__find_map_by_name(o, "output"));
	fd = open(argv[1], O_RDONLY);
	file = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
	anon = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(anon + 2 * 4096, 4096);
	in[2].addr = (uintptr_t)malloc(64);
	if (anon == MAP_FAILED || file == MAP_FAILED)
		return 4;
	in[0].addr = (uintptr_t)&local;
	in[1].addr = (uintptr_t)&main;
	in[3].addr = (uintptr_t)anon + 4096 + 100;
	in[4].addr = (uintptr_t)anon + 2 * 4096;
	in[5].addr = (uintptr_t)file + 8;
	in[6].addr = 4096;
	in[7].addr = (uintptr_t)&local;
	in[7].flags = 1;
	for (int i = 0; i < NPROBES; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, op);
		if (bpf_map_update_elem(in_fd, &k, &in[i], 0) || bpf_prog_test_run_opts(bpf_program__fd(p), &op) ||
		    bpf_map_lookup_elem(out_fd, &k, &out[i]))
			return 5;
	}
	fd = open("/proc/self/maps", O_RDONLY);
	while ((n = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += n;
	maps[len] = 0;
	printf("{\n \"pid\": %d,\n \"probes\": [\n", getpid());
	for (int i = 0; i < NPROBES; i++) {
		struct result *r = &out[i];
		printf("  {\"name\": \"%s\", \"addr\": \"0x%llx\", \"flags\": %llu, \"ret\": %lld, \"start\": \"0x%llx\", \"end\": \"0x%llx\", "
		       "\"vmFlags\": \"0x%llx\", \"pgoff\": %llu, \"hasFile\": %llu, \"calls\": %u, \"pid\": %d}%s\n",
		       names[i], (unsigned long long)in[i].addr, (unsigned long long)in[i].flags, (long long)r->ret,
		       (unsigned long long)r->start, (unsigned long long)r->end, (unsigned long long)r->flags,
		       (unsigned long long)r->pgoff, (unsigned long long)r->has_file, r->calls, r->pid, i + 1 < NPROBES ? "," : "");
	}
	printf(" ],\n \"maps\": [\n");
	for (char *line = strtok(maps, "\n"), *next; line; line = next) {
		next = strtok(NULL, "\n");
		printf("  \"");
		for (char *c = line; *c; c++)
			if (*c == '"' || *c == '\\')
				printf("\\%c", *c);
			else
				putchar(*c);
		printf("\"%s\n", next ? "," : "");
	}
	printf(" ]\n}\n");
	return 0;
}
