// SPDX-License-Identifier: MIT
/*
 * Tries BPF_MAP_CREATE of BPF_MAP_TYPE_ARENA on the running kernel (root) with the attribute sets
 * below and prints each errno (0 = created) as JSON. test/maps/goldens/arena.json holds what 6.18 on
 * the project's machine answered: EPERM for every one of them, valid or not (the refusal comes
 * before arena_map_alloc's checks), which is why the arena emulation follows the kernel sources.
 *
 *   cc -O2 -Wall -o /tmp/arena test/maps/live/arena.c
 *   sudo /tmp/arena > test/maps/goldens/arena.json      (then put back the "release" field)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#ifndef BPF_F_SEGV_ON_FAULT
#define BPF_F_SEGV_ON_FAULT (1U << 17)
#endif

struct attrs {
	const char *name;
	unsigned key, value, max, flags;
	uint64_t extra;
};

static const struct attrs CREATE[] = {
	{ "ok: 10 pages, mmapable", 0, 0, 10, BPF_F_MMAPABLE, 0 },
	{ "ok: map_extra 1 << 32", 0, 0, 10, BPF_F_MMAPABLE, 1ULL << 32 },
	{ "ok: segv on fault", 0, 0, 10, BPF_F_MMAPABLE | BPF_F_SEGV_ON_FAULT, 0 },
	{ "no BPF_F_MMAPABLE", 0, 0, 10, 0, 0 },
	{ "key 4", 4, 0, 10, BPF_F_MMAPABLE, 0 },
	{ "max_entries 0", 0, 0, 0, BPF_F_MMAPABLE, 0 },
	{ "map_extra not page aligned", 0, 0, 10, BPF_F_MMAPABLE, 4097 },
	{ "more than 4 GiB", 0, 0, (1U << 20) + 1, BPF_F_MMAPABLE, 0 },
};

int main(void)
{
	printf("{\n");
	for (unsigned i = 0; i < sizeof(CREATE) / sizeof(CREATE[0]); i++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_type = 33; /* BPF_MAP_TYPE_ARENA */
		a.key_size = CREATE[i].key;
		a.value_size = CREATE[i].value;
		a.max_entries = CREATE[i].max;
		a.map_flags = CREATE[i].flags;
		a.map_extra = CREATE[i].extra;
		int fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
		int err = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		printf("  \"%s\": %d%s\n", CREATE[i].name, err, i + 1 < sizeof(CREATE) / sizeof(CREATE[0]) ? "," : "");
	}
	printf("}\n");
	return 0;
}
