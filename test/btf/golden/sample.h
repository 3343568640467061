#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned long long u64;

typedef unsigned int u32;

struct inner {
	int a;
	char b[3];
};

struct bits {
	unsigned int x: 3;
	int y: 5;
	u64 z: 40;
	struct inner in;
};

enum color {
	RED = 0,
	GREEN = 5,
	BLUE = -1,
};

enum big {
	BIG_A = 1ULL,
	BIG_B = 4294967296ULL,
	BIG_MAX = 18446744073709551615ULL,
};

union opaque;

struct task_struct;

struct task_struct {
	int pid;
	int tgid;
	struct {
		int anon_a;
		union {
			long anon_b;
			char anon_c;
		};
	};
	struct inner arr[4];
	unsigned int flags: 4;
	unsigned int mode: 12;
	enum color c;
	struct task_struct *parent;
	int (*cb)(struct task_struct *, int, ...);
	const char * restrict name;
	void (*fns[2])(void);
	int __attribute__((btf_type_tag("user"))) *user;
	union opaque *opaque;
	enum big big;
	volatile int vi;
	char data[0];
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
