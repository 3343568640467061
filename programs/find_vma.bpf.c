// SPDX-License-Identifier: GPL-2.0
/*
 * find_vma: bpf_find_vma at run time. find_vma_run (raw_tp, test-run) looks up
 * the mapping of the current task containing input.addr with input.flags and
 * stores what the helper returned and what the callback saw (vm_start, vm_end,
 * vm_flags, vm_pgoff, whether vm_file is set, task->pid, how often it ran) in
 * the output map. test/helpers/find-vma.test.ts compares the emulator with the
 * values 6.18 gave for a process's own mappings (test/helpers/find-vma-live.c).
 */
#include "kernel.h"

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
	struct file *vm_file;
} __attribute__((preserve_access_index));

struct input {
	u64 addr;
	u64 flags;
};

struct result {
	s64 ret;
	u64 start;
	u64 end;
	u64 flags;
	u64 pgoff;
	u64 has_file;
	u32 calls;
	s32 pid;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct input);
} input SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct result);
} output SEC(".maps");

static long record_vma(struct task_struct *task, struct vm_area_struct *vma, struct result *r)
{
	r->calls++;
	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->flags = vma->vm_flags;
	r->pgoff = vma->vm_pgoff;
	r->has_file = vma->vm_file != 0;
	r->pid = task->pid;
	return 0;
}

SEC("raw_tp")
int find_vma_run(void *ctx)
{
	u32 k = 0;
	struct input *in = bpf_map_lookup_elem(&input, &k);
	struct result r = {};

	if (!in)
		return 1;
	r.ret = bpf_find_vma(bpf_get_current_task_btf(), in->addr, record_vma, &r, in->flags);
	bpf_map_update_elem(&output, &k, &r, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
