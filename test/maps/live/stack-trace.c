// SPDX-License-Identifier: MIT
/*
 * Records test/maps/goldens/stack-trace.json on the running kernel (root): BPF_MAP_CREATE of
 * BPF_MAP_TYPE_STACK_TRACE with each attribute set below (errno or ok), then the syscall-side
 * operations on an empty map (key 0, a key past the buckets, NULL key for get_next_key).
 *
 *   cc -O2 -Wall -o /tmp/stack-trace test/maps/live/stack-trace.c
 *   sudo /tmp/stack-trace > test/maps/goldens/stack-trace.json
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

struct attrs {
	const char *name;
	unsigned key, value, max, flags;
};

static const struct attrs CREATE[] = {
	{ "ok: key 4, value 8, 1 entry", 4, 8, 1, 0 },
	{ "ok: value 127 frames (1016)", 4, 1016, 16, 0 },
	{ "value 128 frames (1024)", 4, 1024, 16, 0 },
	{ "value 12 (not a multiple of 8)", 4, 12, 16, 0 },
	{ "value 4", 4, 4, 16, 0 },
	{ "value 0", 4, 0, 16, 0 },
	{ "key 8", 8, 8, 16, 0 },
	{ "key 0", 0, 8, 16, 0 },
	{ "max_entries 0", 4, 8, 0, 0 },
	{ "max_entries 1000 (not a power of 2)", 4, 8, 1000, 0 },
	{ "max_entries 2^31", 4, 8, 0x80000000u, 0 },
	{ "max_entries 2^31 + 1", 4, 8, 0x80000001u, 0 },
	{ "ok: BPF_F_STACK_BUILD_ID, value 32", 4, 32, 16, BPF_F_STACK_BUILD_ID },
	{ "BPF_F_STACK_BUILD_ID, value 24", 4, 24, 16, BPF_F_STACK_BUILD_ID },
	{ "BPF_F_STACK_BUILD_ID, value 48", 4, 48, 16, BPF_F_STACK_BUILD_ID },
	{ "BPF_F_STACK_BUILD_ID, value 127 records", 4, 127 * 32, 16, BPF_F_STACK_BUILD_ID },
	{ "BPF_F_STACK_BUILD_ID, value 128 records", 4, 128 * 32, 16, BPF_F_STACK_BUILD_ID },
	{ "ok: BPF_F_RDONLY", 4, 8, 16, BPF_F_RDONLY },
	{ "ok: BPF_F_WRONLY", 4, 8, 16, BPF_F_WRONLY },
	{ "ok: BPF_F_NUMA_NODE", 4, 8, 16, BPF_F_NUMA_NODE },
	{ "BPF_F_NO_PREALLOC", 4, 8, 16, BPF_F_NO_PREALLOC },
	{ "BPF_F_RDONLY_PROG", 4, 8, 16, BPF_F_RDONLY_PROG },
	{ "BPF_F_MMAPABLE", 4, 8, 16, BPF_F_MMAPABLE },
	{ "BPF_F_ZERO_SEED", 4, 8, 16, BPF_F_ZERO_SEED },
};

static int create(const struct attrs *a)
{
	union bpf_attr at;
	int fd;

	memset(&at, 0, sizeof(at));
	at.map_type = BPF_MAP_TYPE_STACK_TRACE;
	at.key_size = a->key;
	at.value_size = a->value;
	at.max_entries = a->max;
	at.map_flags = a->flags;
	fd = syscall(__NR_bpf, BPF_MAP_CREATE, &at, sizeof(at));
	return fd < 0 ? -errno : fd;
}

static int op(int cmd, int fd, void *key, void *value, void *next)
{
	union bpf_attr at;

	memset(&at, 0, sizeof(at));
	at.map_fd = fd;
	at.key = (uint64_t)(uintptr_t)key;
	if (next != NULL)
		at.next_key = (uint64_t)(uintptr_t)next;
	else
		at.value = (uint64_t)(uintptr_t)value;
	return syscall(__NR_bpf, cmd, &at, sizeof(at)) < 0 ? -errno : 0;
}

int main(void)
{
	uint32_t key = 0, big = 16, next = 0;
	uint64_t value[2] = { 0 };
	struct attrs ok = { "ops", 4, 16, 16, 0 };
	int fd;

	printf("{\"_comment\": \"BPF_MAP_TYPE_STACK_TRACE create checks and syscall ops on an empty map, recorded by test/maps/live/stack-trace.c as root\",\n \"create\": {\n");
	for (size_t i = 0; i < sizeof(CREATE) / sizeof(CREATE[0]); i++) {
		int r = create(&CREATE[i]);

		printf("  \"%s\": {\"key\": %u, \"value\": %u, \"max\": %u, \"flags\": %u, \"result\": %d}%s\n", CREATE[i].name, CREATE[i].key, CREATE[i].value, CREATE[i].max,
		       CREATE[i].flags, r < 0 ? r : 0, i + 1 < sizeof(CREATE) / sizeof(CREATE[0]) ? "," : "");
		if (r >= 0)
			close(r);
	}
	fd = create(&ok);
	printf(" },\n \"ops\": {\"map\": {\"key\": 4, \"value\": 16, \"max\": 16},\n");
	printf("  \"lookup 0\": %d,\n", op(BPF_MAP_LOOKUP_ELEM, fd, &key, value, NULL));
	printf("  \"lookup 16 (past the buckets)\": %d,\n", op(BPF_MAP_LOOKUP_ELEM, fd, &big, value, NULL));
	printf("  \"update 0\": %d,\n", op(BPF_MAP_UPDATE_ELEM, fd, &key, value, NULL));
	printf("  \"delete 0\": %d,\n", op(BPF_MAP_DELETE_ELEM, fd, &key, NULL, NULL));
	printf("  \"delete 16\": %d,\n", op(BPF_MAP_DELETE_ELEM, fd, &big, NULL, NULL));
	printf("  \"get_next_key NULL\": %d,\n", op(BPF_MAP_GET_NEXT_KEY, fd, NULL, NULL, &next));
	printf("  \"get_next_key 0\": %d,\n", op(BPF_MAP_GET_NEXT_KEY, fd, &key, NULL, &next));
	printf("  \"lookup_and_delete 0\": %d\n", op(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &key, value, NULL));
	printf(" }\n}\n");
	return 0;
}
