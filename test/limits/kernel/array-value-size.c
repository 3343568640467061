// SPDX-License-Identifier: GPL-2.0
/*
 * Measures the largest value_size BPF_MAP_CREATE accepts for an ARRAY map (max_entries 1), with and
 * without BPF_F_MMAPABLE, and prints one JSON line per size: what test/limits/goldens/
 * kernel-limits.json records (run as root on the Linux 6.18 reference machine):
 *
 *   cc -O2 -o array-value-size array-value-size.c && ./array-value-size
 *
 * A global data section (.data, .rodata, .bss) becomes such a map with value_size = the section
 * size, so the same bound is the kernel's limit on global data (also checked with bpftool prog load
 * of an object whose .bss is 2^31 - 1 and 2^31 bytes: map created / "failed to create: Argument
 * list too long(-7)").
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int create(unsigned value_size, unsigned flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = value_size;
	a.max_entries = 1;
	a.map_flags = flags;
	int fd = syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int main(void)
{
	static const unsigned sizes[] = { 4096, 1u << 20, 1u << 22, (1u << 22) + 8, 1u << 24, 1u << 26, 1u << 28,
					  1u << 30, 0x7fffffffu, 0x80000000u, 0xfffffff8u };
	for (int m = 0; m < 2; m++)
		for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			printf("{\"mmapable\": %s, \"valueSize\": %u, \"result\": %d}\n", m ? "true" : "false", sizes[i],
			       create(sizes[i], m ? BPF_F_MMAPABLE : 0));
	return 0;
}
