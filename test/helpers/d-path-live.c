// SPDX-License-Identifier: MIT
/*
 * Records test/helpers/golden/d-path-live.json on the running kernel (root): the fixture
 * programs/d_path.bpf.o's iterator dpath_iter (iter/task_file) runs over this process's open file
 * PATH (created with its directories, removed afterwards) and calls bpf_d_path on it with each
 * buffer size of SIZES. Printed: the path, each size, the helper's return value and the buffer's
 * bytes (hex; filled with '.' before the call). The LSM program of the fixture is not loaded
 * (this kernel refuses LSM and fentry loads with EPERM).
 *
 *   cc -O2 -Wall -o /tmp/d-path-live test/helpers/d-path-live.c -lbpf
 *   sudo /tmp/d-path-live programs/d_path.bpf.o > test/helpers/golden/d-path-live.json
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define DIR1 "/tmp/bpfemu-d-path"
#define DIR2 DIR1 "/sub"
#define PATH DIR2 "/file.txt"
#define NSIZES 10
#define BUF 128

/* 0, 1, 2, a component's worth, one short of the path + NUL, exactly, one more, the buffer. */
static const uint32_t SIZES[NSIZES] = { 0, 1, 2, 5, 13, 31, 32, 33, 64, 128 };

struct bss {
	uint32_t target_tgid;
	uint32_t target_fd;
	uint32_t sizes[NSIZES];
	long rets[NSIZES];
	char bufs[NSIZES][BUF];
	uint32_t runs;
};

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_link *link;
	static struct bss bss_data;
	struct bss *bss = &bss_data;
	struct bpf_map *m, *bss_map = NULL;
	uint32_t zero = 0;
	char buf[256];
	int fd, it;

	if (argc != 2)
		return 2;
	mkdir(DIR1, 0755);
	mkdir(DIR2, 0755);
	fd = open(PATH, O_CREAT | O_RDWR, 0644);
	if (fd < 0)
		return 3;
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj)
		return 4;
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, strcmp(bpf_program__name(p), "dpath_iter") == 0);
	bpf_object__for_each_map(m, obj)
		if (strstr(bpf_map__name(m), ".bss"))
			bss_map = m;
	if (!bss_map || bpf_map__value_size(bss_map) != sizeof(*bss))
		return 6;
	/* the .bss's initial value: the target and the sizes (libbpf 1.1 maps .bss live only for skeletons) */
	memset(bss, 0, sizeof(*bss));
	bss->target_tgid = getpid();
	bss->target_fd = fd;
	memcpy(bss->sizes, SIZES, sizeof(SIZES));
	if (bpf_map__set_initial_value(bss_map, bss, sizeof(*bss)))
		return 6;
	if (bpf_object__load(obj))
		return 5;
	link = bpf_program__attach_iter(bpf_object__find_program_by_name(obj, "dpath_iter"), NULL);
	if (!link)
		return 7;
	it = bpf_iter_create(bpf_link__fd(link));
	if (it < 0)
		return 8;
	while (read(it, buf, sizeof(buf)) > 0)
		;
	if (bpf_map_lookup_elem(bpf_map__fd(bss_map), &zero, bss))
		return 9;
	printf("{\n  \"kernel\": \"");
	{
		FILE *f = fopen("/proc/sys/kernel/osrelease", "r");
		int c;

		while (f && (c = fgetc(f)) != EOF && c != '\n')
			putchar(c);
		if (f)
			fclose(f);
	}
	printf("\",\n  \"path\": \"%s\",\n  \"runs\": %u,\n  \"calls\": [\n", PATH, bss->runs);
	for (int i = 0; i < NSIZES; i++) {
		printf("    { \"size\": %u, \"ret\": %ld, \"buf\": \"", SIZES[i], bss->rets[i]);
		for (int j = 0; j < BUF; j++)
			printf("%02x", (unsigned char)bss->bufs[i][j]);
		printf("\" }%s\n", i + 1 < NSIZES ? "," : "");
	}
	printf("  ]\n}\n");
	close(it);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	close(fd);
	unlink(PATH);
	rmdir(DIR2);
	rmdir(DIR1);
	return 0;
}
