// SPDX-License-Identifier: MIT
/*
 * iters-live OBJ CASE...: runs the rt_* programs of programs/iters_kern.bpf.o on the live kernel
 * over a known set of tasks and cgroups, for test/kernel/kfuncs/iters.test.ts (which compiles it
 * with `cc -O2 iters-live.c -lbpf -lpthread`; never committed). Needs root and cgroup v2 at
 * /sys/fs/cgroup/unified or /sys/fs/cgroup (exit status 9 without).
 *
 * The set: cgroups B (a new directory under the cgroup v2 root), B/a, B/a/x, B/a/y, B/b; process P1 with
 * three more threads (P1.t1..P1.t3, named in the thread list's order as /proc/P1/task lists it)
 * and process P2, moved into B/a in that order. A CASE is NAME:PROG:PID:FLAGS:CG:FILTER with
 * PID and FILTER a task symbol or 0, CG a cgroup symbol (root for the hierarchy's root) or 0.
 * Output: one line per symbol (`task SYM PID`, `cgroup SYM ID`), then per case
 * `case NAME RETVAL RET N FIRST KEPT V...` with V = pid/tgid (task programs) or cgid/level (rt_css).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct rt_args {
	int pid;
	unsigned int flags;
	unsigned long long cgid;
	int filter;
	unsigned int pad;
};

#define RT_MAX 64
struct rt_out {
	long long ret;
	unsigned int n;
	int first;
	unsigned int kept;
	unsigned int pad;
	int pid[RT_MAX];
	int tgid[RT_MAX];
	unsigned long long cgid[RT_MAX];
	int level[RT_MAX];
};

static int block_fd;
static char base[256];
static const char *cg_names[] = { "B", "a", "x", "y", "b" };
static const char *cg_paths[] = { "", "/a", "/a/x", "/a/y", "/b" };
static unsigned long long cg_ids[5];
static char task_syms[8][16];
static int task_pids[8];
static int ntasks;

static void *idle_thread(void *arg)
{
	char c;

	(void)arg;
	while (read(block_fd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static pid_t spawn(int threads, int fd)
{
	pid_t p = fork();

	if (p == 0) {
		pthread_t t;

		block_fd = fd;
		for (int i = 0; i < threads; i++)
			pthread_create(&t, NULL, idle_thread, NULL);
		idle_thread(NULL);
		_exit(0);
	}
	return p;
}

static int count_threads(pid_t p, int *tids, int max)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", p);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		if (n < max)
			tids[n] = atoi(d->d_name);
		n++;
	}
	closedir(dir);
	return n;
}

static void add_task(const char *sym, int pid)
{
	snprintf(task_syms[ntasks], sizeof(task_syms[0]), "%s", sym);
	task_pids[ntasks++] = pid;
	printf("task %s %d\n", sym, pid);
}

static int move_to(const char *rel, pid_t p)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s/cgroup.procs", base, rel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", p);
	return fclose(f);
}

static long long task_sym(const char *s)
{
	if (!strcmp(s, "0"))
		return 0;
	for (int i = 0; i < ntasks; i++)
		if (!strcmp(task_syms[i], s))
			return task_pids[i];
	return -1;
}

static long long cg_sym(const char *s)
{
	if (!strcmp(s, "0"))
		return 0;
	if (!strcmp(s, "root"))
		return 1;
	for (int i = 0; i < 5; i++)
		if (!strcmp(cg_names[i], s))
			return (long long)cg_ids[i];
	return -1;
}

/* where cgroup v2 is mounted: /sys/fs/cgroup/unified (hybrid layout) or /sys/fs/cgroup */
static const char *cgroup2_root(void)
{
	struct statfs fs;

	if (!statfs("/sys/fs/cgroup/unified", &fs) && fs.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup/unified";
	if (!statfs("/sys/fs/cgroup", &fs) && fs.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup";
	exit(9);
}

/* the cgroup id (kernfs node id, generation in the high half) from the directory's file handle */
static unsigned long long cgroup_id(const char *path)
{
	struct {
		struct file_handle fh;
		unsigned long long id;
	} h = { .fh.handle_bytes = sizeof(unsigned long long) };
	int mount_id;

	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return 0;
	return h.id;
}

static int run_case(struct bpf_object *o, int out_fd, char *spec)
{
	char *name = strtok(spec, ":"), *prog = strtok(NULL, ":"), *pid = strtok(NULL, ":");
	char *flags = strtok(NULL, ":"), *cg = strtok(NULL, ":"), *filter = strtok(NULL, ":");
	struct rt_args a = { 0 };
	struct rt_out r;
	struct bpf_program *p;
	unsigned int zero = 0;

	if (!filter)
		return -1;
	p = bpf_object__find_program_by_name(o, prog);
	if (!p)
		return -1;
	a.pid = task_sym(pid);
	a.flags = strtoul(flags, NULL, 0);
	a.cgid = cg_sym(cg);
	a.filter = task_sym(filter);
	LIBBPF_OPTS(bpf_test_run_opts, op, .ctx_in = &a, .ctx_size_in = sizeof(a));
	if (bpf_prog_test_run_opts(bpf_program__fd(p), &op))
		return -1;
	if (bpf_map_lookup_elem(out_fd, &zero, &r))
		return -1;
	printf("case %s %u %lld %u %d %u", name, op.retval, r.ret, r.n, r.first, r.kept);
	for (unsigned int i = 0; i < r.kept && i < RT_MAX; i++) {
		if (!strcmp(prog, "rt_css"))
			printf(" %llu/%d", r.cgid[i], r.level[i]);
		else
			printf(" %d/%d", r.pid[i], r.tgid[i]);
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *o;
	struct bpf_program *p;
	int fds[2], tids[8], n = 0, rc = 0;
	pid_t p1, p2;
	if (argc < 2)
		return 2;
	libbpf_set_print(NULL);
	snprintf(base, sizeof(base), "%s/bpfemu-iters-%d", cgroup2_root(), getpid());
	for (int i = 0; i < 5; i++) {
		char path[300];

		snprintf(path, sizeof(path), "%s%s", base, cg_paths[i]);
		if (mkdir(path, 0755))
			return 3;
		cg_ids[i] = cgroup_id(path);
		printf("cgroup %s %llu\n", cg_names[i], cg_ids[i]);
	}
	if (pipe(fds))
		return 3;
	p1 = spawn(3, fds[0]);
	for (int i = 0; i < 2000 && (n = count_threads(p1, tids, 8)) != 4; i++)
		usleep(1000);
	if (n != 4)
		rc = 4;
	p2 = spawn(0, fds[0]);
	if (!rc) {
		char sym[16];

		add_task("P1", p1);
		for (int i = 1, t = 1; i < 4; i++) {
			if (tids[i] == p1)
				continue;
			snprintf(sym, sizeof(sym), "P1.t%d", t++);
			add_task(sym, tids[i]);
		}
		add_task("P2", p2);
		if (tids[0] != p1 || move_to("/a", p1) || move_to("/a", p2))
			rc = 5;
	}
	o = bpf_object__open_file(argv[1], NULL);
	if (!rc && !o)
		rc = 6;
	if (!rc) {
		bpf_object__for_each_program(p, o)
			bpf_program__set_autoload(p, !strncmp(bpf_program__name(p), "rt_", 3));
		if (bpf_object__load(o))
			rc = 7;
	}
	for (int i = 2; !rc && i < argc; i++)
		if (run_case(o, bpf_map__fd(bpf_object__find_map_by_name(o, "rt_out")), argv[i]))
			rc = 8;
	fflush(stdout);
	kill(p1, SIGKILL);
	kill(p2, SIGKILL);
	waitpid(p1, NULL, 0);
	waitpid(p2, NULL, 0);
	for (int i = 4; i >= 0; i--) {
		char path[300];

		snprintf(path, sizeof(path), "%s%s", base, cg_paths[i]);
		for (int k = 0; k < 200 && rmdir(path) && errno == EBUSY; k++)
			usleep(5000);
	}
	return rc;
}
