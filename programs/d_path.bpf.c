// SPDX-License-Identifier: GPL-2.0
/*
 * d_path: bpf_d_path on one file with buffer sizes from 0 to past the
 * path's length, to record what the helper returns and writes.
 *
 * For each i < NSIZES, sz = dp.sizes[i] (set by the test, at most BUF):
 * dp.bufs[i] is first filled with '.', then dp.rets[i] = bpf_d_path(path,
 * dp.bufs[i], sz). So bufs[i] shows the bytes the helper wrote and the ones it
 * left (the path ends with a NUL inside sz on success and is moved to the
 * start of the buffer; on -ENAMETOOLONG the kernel leaves what it prepended
 * at the end of the buffer).
 *
 * dpath_iter, SEC("iter/task_file"): the kernel side - the file numbered
 * dp.target_fd of the task whose tgid is dp.target_tgid (an iterator program may
 * call bpf_d_path; 6.18 refuses fentry and LSM loads on the machine of the
 * goldens, but runs iterators).
 * dpath_lsm, SEC("lsm/file_open"): the same for the opened file (the
 * emulator's side; file_open is one of the LSM hooks bpf_d_path allows).
 */
#include "tcp_cc_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define NSIZES 10
#define BUF 128

char LICENSE[] SEC("license") = "GPL";

/* One global, so that user space sees one layout (.bss of this struct only). */
struct {
	__u32 target_tgid;
	__u32 target_fd;
	__u32 sizes[NSIZES];
	long rets[NSIZES];
	char bufs[NSIZES][BUF];
	__u32 runs;
} dp;

static __always_inline void measure(struct path *path)
{
	for (int i = 0; i < NSIZES; i++) {
		__u32 sz = dp.sizes[i];

		for (int j = 0; j < BUF; j++)
			dp.bufs[i][j] = '.';
		if (sz > BUF)
			sz = BUF;
		dp.rets[i] = bpf_d_path(path, dp.bufs[i], sz);
	}
	dp.runs++;
}

SEC("iter/task_file")
int dpath_iter(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;

	if (!task || !file || task->tgid != dp.target_tgid || ctx->fd != dp.target_fd)
		return 0;
	measure((struct path *)&file->f_path);
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(dpath_lsm, struct file *file)
{
	measure((struct path *)&file->f_path);
	return 0;
}

/*
 * dpath_refused, SEC("fentry/do_unlinkat"): do_unlinkat is not one of the
 * functions btf_allowlist_d_path names, so the verifier refuses the call
 * ("helper call is not allowed in probe").
 */
SEC("fentry/do_unlinkat")
int BPF_PROG(dpath_refused, int dfd, struct filename *name)
{
	dp.rets[0] = bpf_d_path((struct path *)name, dp.bufs[0], 8);
	return 0;
}
