// SPDX-License-Identifier: MIT
/*
 * Records golden/cgroup-attach-live.json on the running kernel (root): a script of BPF_PROG_ATTACH,
 * BPF_PROG_DETACH, BPF_PROG_QUERY and BPF_LINK_CREATE calls on a private three-level cgroup v2
 * hierarchy (/sys/fs/cgroup/unified/bpfemu-attach/a/b, created afresh for each group of steps)
 * at BPF_CGROUP_INET_SOCK_CREATE, with socket() calls from a process placed in one of the cgroups
 * ("fire": the errno a UDP socket() gets, EPERM when the effective programs deny). Every step
 * and its result go to the JSON, so test/kernel/progtypes/cgroup-attach.test.ts replays the same
 * steps in the emulator. Programs are `r0 = K; exit` loaded with raw bpf(): prog i of the JSON's
 * "progs" table. Attributes are written at their uapi offsets (this machine's <linux/bpf.h>
 * predates query.revision).
 *
 *   cc -O2 -Wall -o /tmp/cgroup-attach-live test/kernel/progtypes/cgroup-attach-live.c
 *   sudo /tmp/cgroup-attach-live > test/kernel/progtypes/golden/cgroup-attach-live.json
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOP "/sys/fs/cgroup/unified/bpfemu-attach"
#define SOCK_CREATE 2
#define POST_BIND4 12
#define NPROG 78

/* programs 72..77: {prog type, expected attach type}: cgroup_skb without and with egress,
 * sockops, sock_addr connect4, device, cgroup/sock without one */
static const int extra[6][2] = { { 8, 0 }, { 8, 1 }, { 13, 0 }, { 18, 10 }, { 15, 0 }, { 9, 0 } };

enum { ATT, DET, QRY, FIRE, LNK, UNLNK, RST, LDET, LUPD };
static const char *opname[] = { "attach", "detach", "query", "fire", "link", "unlink", "reset", "link_detach", "link_update" };

/* Special prog/cgroup operands: no fd (0, what libbpf's bpf_prog_detach passes), a closed fd, a
 * non-bpf fd (/dev/null). */
#define NONE -1
#define BADFD -2
#define NULLFD -3

struct step {
	int op, cg, prog, type;
	unsigned flags;
	int replace;  /* attach: replace_bpf_fd operand; query: array capacity */
	int paflags;  /* query: 1 pass a prog_attach_flags array, 2 prog_ids unmapped */
	int rev;      /* attach/detach: expected_revision */
	int tail;     /* attach: a non-zero byte at offset 32, past expected_revision */
	int relkind;  /* attach/link: relative_fd/id is 1 a prog fd, 2 a prog id, 3 a link fd, 4 the raw value relv */
	int relv;
};

/* progs: 0-3 allow, 4 deny (sock_create), 5 cgroup/sock loaded for post_bind4, 6 cgroup_skb,
 * 7..71 allow (for the 64-program limit), 72.. other types (extra[]) */
static int pfd[NPROG], pid_[NPROG];
static int cgfd[3];
static int links[8], nlinks;
static int nullfd;

static long sys_bpf(int cmd, void *attr)
{
	return syscall(__NR_bpf, cmd, attr, 168);
}
static void put32(uint8_t *a, int off, uint32_t v) { memcpy(a + off, &v, 4); }
static void put64(uint8_t *a, int off, uint64_t v) { memcpy(a + off, &v, 8); }
static uint32_t get32(uint8_t *a, int off) { uint32_t v; memcpy(&v, a + off, 4); return v; }
static uint64_t get64(uint8_t *a, int off) { uint64_t v; memcpy(&v, a + off, 8); return v; }

static int load(uint32_t type, uint32_t eat, int ret)
{
	uint64_t insns[2];
	uint8_t a[168] = { 0 };
	/* BPF_MOV64_IMM r0, ret; BPF_EXIT */
	insns[0] = 0xb7 | ((uint64_t)(uint32_t)ret << 32);
	insns[1] = 0x95;
	put32(a, 0, type);
	put32(a, 4, 2);
	put64(a, 8, (uintptr_t)insns);
	put64(a, 16, (uintptr_t)"GPL");
	put32(a, 68, eat);
	int fd = sys_bpf(5, a);
	if (fd < 0) {
		perror("prog load");
		exit(1);
	}
	uint8_t info[256] = { 0 }, ia[168] = { 0 };
	put32(ia, 0, fd);
	put32(ia, 4, sizeof(info));
	put64(ia, 8, (uintptr_t)info);
	if (sys_bpf(15, ia)) {
		perror("info");
		exit(1);
	}
	return fd;
}

static int relof(const struct step *s)
{
	switch (s->relkind) {
	case 1: return pfd[s->relv];
	case 2: return pid_[s->relv];
	case 3: return links[s->relv];
	case 4: return s->relv;
	}
	return 0;
}

static int fdof(int operand, const int *table)
{
	if (operand == NONE) return 0;
	if (operand == BADFD) return 999;
	if (operand == NULLFD) return nullfd;
	return table[operand];
}

static int idx_of_id(uint32_t id)
{
	for (int i = 0; i < NPROG; i++) if ((uint32_t)pid_[i] == id) return i;
	return -100;
}

static void mkcgs(void)
{
	rmdir(TOP "/a/b/c");
	rmdir(TOP "/a/b");
	rmdir(TOP "/a");
	for (int i = 0; i < 3; i++) if (cgfd[i] > 0) close(cgfd[i]);
	if (mkdir(TOP "/a", 0755) || mkdir(TOP "/a/b", 0755) || mkdir(TOP "/a/b/c", 0755)) {
		perror("mkdir");
		exit(1);
	}
	cgfd[0] = open(TOP "/a", O_RDONLY | O_DIRECTORY);
	cgfd[1] = open(TOP "/a/b", O_RDONLY | O_DIRECTORY);
	cgfd[2] = open(TOP "/a/b/c", O_RDONLY | O_DIRECTORY);
}

static const char *cgpath[] = { TOP "/a/cgroup.procs", TOP "/a/b/cgroup.procs", TOP "/a/b/c/cgroup.procs" };

/* socket(AF_INET, SOCK_DGRAM) from a child moved into cgroup cg: 0 or -errno */
static int fire(int cg)
{
	pid_t p = fork();
	if (p == 0) {
		FILE *f = fopen(cgpath[cg], "w");
		if (f == NULL || fprintf(f, "0\n") < 0 || fclose(f)) _exit(200);
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		_exit(s < 0 ? errno : 0);
	}
	int st;
	waitpid(p, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 200) {
		fprintf(stderr, "fire child failed\n");
		exit(1);
	}
	return -WEXITSTATUS(st);
}

#define S(...) ((struct step){ __VA_ARGS__ })
#define A_ (1u)
#define M_ (2u)
#define R_ (4u)

static struct step steps[512];
static int nsteps;
static void add(struct step s) { steps[nsteps++] = s; }

static void script(void)
{
	/* single program (no flags) */
	add(S(RST));
	add(S(ATT, 0, 0, SOCK_CREATE, 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(ATT, 0, 1, SOCK_CREATE, 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(ATT, 0, 1, SOCK_CREATE, 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(ATT, 0, 2, SOCK_CREATE, A_));
	add(S(ATT, 0, 2, SOCK_CREATE, M_));
	add(S(ATT, 1, 2, SOCK_CREATE, 0));
	add(S(ATT, 1, 2, SOCK_CREATE, A_));
	add(S(ATT, 1, 2, SOCK_CREATE, M_));
	add(S(LNK, 1, 2, SOCK_CREATE));
	add(S(LNK, 0, 2, SOCK_CREATE));
	add(S(DET, 0, 3, SOCK_CREATE));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(DET, 0, NONE, SOCK_CREATE));
	add(S(ATT, 0, 4, SOCK_CREATE, 0));
	add(S(FIRE, 1));
	add(S(FIRE, 0));
	add(S(QRY, 2, 0, SOCK_CREATE, 1, 8));
	add(S(DET, 0, NONE, SOCK_CREATE));
	add(S(FIRE, 1));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 0));
	/* override */
	add(S(RST));
	add(S(ATT, 0, 4, SOCK_CREATE, A_));
	add(S(FIRE, 1));
	add(S(ATT, 1, 0, SOCK_CREATE, 0));
	add(S(FIRE, 1));
	add(S(FIRE, 2));
	add(S(FIRE, 0));
	add(S(QRY, 1, 0, SOCK_CREATE, 1, 8));
	add(S(QRY, 2, 0, SOCK_CREATE, 1, 8));
	add(S(QRY, 0, 0, SOCK_CREATE, 1, 8));
	add(S(QRY, 1, 0, SOCK_CREATE, 0, 8, 1));
	add(S(ATT, 2, 1, SOCK_CREATE, 0));
	add(S(ATT, 2, 1, SOCK_CREATE, A_));
	add(S(ATT, 1, 1, SOCK_CREATE, A_));
	add(S(ATT, 0, 2, SOCK_CREATE, A_));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(DET, 1, NONE, SOCK_CREATE));
	add(S(FIRE, 1));
	add(S(QRY, 1, 0, SOCK_CREATE, 1, 8));
	add(S(ATT, 0, 4, SOCK_CREATE, A_));
	add(S(ATT, 0, 4, SOCK_CREATE, 0));
	add(S(FIRE, 2));
	add(S(ATT, 1, 0, SOCK_CREATE, M_));
	add(S(ATT, 1, 1, SOCK_CREATE, M_));
	add(S(FIRE, 1));
	add(S(ATT, 2, 3, SOCK_CREATE, 0));
	add(S(QRY, 2, 0, SOCK_CREATE, 1, 8));
	add(S(ATT, 2, 2, SOCK_CREATE, A_));
	add(S(DET, 1, NONE, SOCK_CREATE));
	add(S(DET, 1, 3, SOCK_CREATE));
	add(S(DET, 0, 0, SOCK_CREATE));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(QRY, 2, 0, SOCK_CREATE, 1, 8));
	add(S(ATT, 0, 4, SOCK_CREATE, A_));
	add(S(QRY, 2, 0, SOCK_CREATE, 1, 8));
	add(S(FIRE, 2));
	/* multi */
	add(S(RST));
	add(S(ATT, 0, 0, SOCK_CREATE, M_));
	add(S(ATT, 0, 1, SOCK_CREATE, M_));
	add(S(ATT, 0, 0, SOCK_CREATE, M_));
	add(S(ATT, 0, 2, SOCK_CREATE, M_ | R_, 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(ATT, 0, 3, SOCK_CREATE, M_ | R_, 4));
	add(S(ATT, 0, 3, SOCK_CREATE, R_, 1));
	add(S(ATT, 0, 3, SOCK_CREATE, M_ | A_));
	add(S(ATT, 0, 3, SOCK_CREATE, M_ | R_, BADFD));
	add(S(ATT, 0, 3, SOCK_CREATE, M_ | R_, NONE));
	add(S(ATT, 0, 3, SOCK_CREATE, M_, 1));
	add(S(ATT, 0, 3, SOCK_CREATE, 0));
	add(S(ATT, 0, 3, SOCK_CREATE, A_));
	add(S(LNK, 0, 3, SOCK_CREATE));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(ATT, 0, 3, SOCK_CREATE, M_));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(ATT, 1, 4, SOCK_CREATE, M_));
	add(S(ATT, 2, 0, SOCK_CREATE, M_));
	add(S(QRY, 2, 0, SOCK_CREATE, 1, 8));
	add(S(FIRE, 2));
	add(S(QRY, 2, 0, SOCK_CREATE, 1, 2));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 1, 1));
	add(S(QRY, 0, 0, SOCK_CREATE, 1, 8, 1));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 0, 1));
	add(S(UNLNK, 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(DET, 0, 1, SOCK_CREATE));
	add(S(DET, 0, 1, SOCK_CREATE));
	add(S(DET, 0, NONE, SOCK_CREATE));
	add(S(DET, 0, 2, SOCK_CREATE));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(DET, 0, 3, SOCK_CREATE));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(ATT, 0, 1, SOCK_CREATE, 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	/* limits, types, fds, flags */
	add(S(RST));
	for (int i = 0; i < 64; i++) add(S(ATT, 0, 7 + i, SOCK_CREATE, M_));
	add(S(ATT, 0, 7 + 64, SOCK_CREATE, M_));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 64));
	add(S(QRY, 2, 0, SOCK_CREATE, 1, 70));
	add(S(RST));
	add(S(ATT, 0, 5, SOCK_CREATE, 0));
	add(S(ATT, 0, 5, POST_BIND4, 0));
	add(S(ATT, 0, 6, SOCK_CREATE, 0));
	add(S(ATT, 0, 0, 999, 0));
	add(S(ATT, 0, 0, SOCK_CREATE, 1u << 10));
	add(S(ATT, 0, 0, SOCK_CREATE, 1u << 3));
	add(S(ATT, BADFD, 0, SOCK_CREATE, 0));
	add(S(ATT, NULLFD, 0, SOCK_CREATE, 0));
	add(S(ATT, 0, BADFD, SOCK_CREATE, 0));
	add(S(ATT, 0, NULLFD, SOCK_CREATE, 0));
	add(S(ATT, 0, NONE, SOCK_CREATE, 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 2, 8));
	add(S(QRY, BADFD, 0, SOCK_CREATE, 0, 8));
	add(S(QRY, NULLFD, 0, SOCK_CREATE, 0, 8));
	add(S(QRY, 0, 0, 999, 0, 8));
	add(S(QRY, 0, 0, POST_BIND4, 0, 8));
	add(S(DET, BADFD, NONE, SOCK_CREATE));
	add(S(DET, 0, NONE, 999));
	add(S(DET, 0, 5, SOCK_CREATE));
	add(S(ATT, 0, 5, POST_BIND4, M_));
	add(S(DET, 0, 6, POST_BIND4));
	add(S(DET, 0, 5, POST_BIND4));
	/* placement without an anchor, preorder, revisions, attr tail, link detach */
	add(S(RST));
	add(S(ATT, 0, 0, SOCK_CREATE, M_));
	add(S(ATT, 0, 1, SOCK_CREATE, M_ | (1u << 3)));
	add(S(ATT, 0, 2, SOCK_CREATE, M_ | (1u << 4)));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(ATT, 1, 3, SOCK_CREATE, M_ | (1u << 6)));
	add(S(ATT, 1, 7, SOCK_CREATE, M_));
	add(S(ATT, 1, 8, SOCK_CREATE, M_ | (1u << 6)));
	add(S(ATT, 2, 9, SOCK_CREATE, M_));
	add(S(ATT, 2, 10, SOCK_CREATE, M_ | (1u << 6)));
	add(S(QRY, 1, 0, SOCK_CREATE, 0, 8, 1));
	add(S(QRY, 2, 0, SOCK_CREATE, 1, 16));
	add(S(ATT, 0, 11, SOCK_CREATE, M_, .rev = 1));
	add(S(ATT, 0, 11, SOCK_CREATE, M_, .rev = 4));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(DET, 0, 11, SOCK_CREATE, .rev = 4));
	add(S(DET, 0, 11, SOCK_CREATE, .rev = 5));
	add(S(ATT, 0, 12, SOCK_CREATE, M_, .tail = 1));
	add(S(LNK, 0, 12, SOCK_CREATE));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(LDET, 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(LDET, 0));
	add(S(UNLNK, 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(RST));
	add(S(ATT, 0, 0, SOCK_CREATE, (1u << 3)));
	add(S(ATT, 0, 1, SOCK_CREATE, (1u << 4)));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(ATT, 0, 2, SOCK_CREATE, (1u << 6)));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(ATT, 1, 3, SOCK_CREATE, A_ | (1u << 6)));
	add(S(ATT, 0, 4, SOCK_CREATE, (1u << 6)));
	add(S(QRY, 1, 0, SOCK_CREATE, 1, 8));
	/* other attach types against the programs' expected attach types */
	add(S(RST));
	add(S(ATT, 0, 6, 0, 0));
	add(S(ATT, 0, 6, 1, 0));
	add(S(ATT, 0, 72, 1, 0));
	add(S(ATT, 0, 73, 1, 0));
	add(S(DET, 0, 73, 1));
	add(S(ATT, 0, 73, 1, 0));
	add(S(QRY, 0, 0, 1, 0, 8));
	add(S(QRY, 0, 0, 0, 0, 8));
	add(S(ATT, 0, 73, 0, 0));
	add(S(ATT, 0, 72, 0, 0));
	add(S(ATT, 0, 74, 3, 0));
	add(S(ATT, 0, 74, 6, 0));
	add(S(ATT, 0, 75, 10, 0));
	add(S(ATT, 0, 75, 8, 0));
	add(S(ATT, 0, 76, 6, 0));
	add(S(ATT, 0, 76, 3, 0));
	add(S(ATT, 0, 77, 2, 0));
	add(S(ATT, 0, 77, 12, 0));
	add(S(ATT, 0, 0, 10, 0));
	add(S(LNK, 0, 72, 0));
	add(S(LNK, 0, 73, 0));
	add(S(LNK, 0, 74, 3));
	add(S(QRY, 0, 0, 3, 0, 8));
	add(S(QRY, 0, 0, 10, 0, 8));
	add(S(QRY, 0, 0, 6, 0, 8));
	add(S(QRY, 0, 0, 2, 0, 8));
	add(S(QRY, 0, 0, 3, 0, 8, 2));
	add(S(QRY, 0, 0, 3, 0, 0, 2));
	add(S(QRY, 1, 0, 3, 1, 8, 2));
	add(S(QRY, 0, 0, 5, 0, 8, 2));
	/* placement relative to an anchor program (by fd or BPF_F_ID); anchors given as links are not modelled */
	add(S(RST));
	add(S(ATT, 0, 0, SOCK_CREATE, M_ | (1u << 3), .relkind = 1, .relv = 5));
	add(S(ATT, 0, 0, SOCK_CREATE, M_));
	add(S(ATT, 0, 1, SOCK_CREATE, M_ | (1u << 3), .relkind = 1, .relv = 0));
	add(S(ATT, 0, 2, SOCK_CREATE, M_ | (1u << 4), .relkind = 1, .relv = 1));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(ATT, 0, 3, SOCK_CREATE, M_ | (1u << 3), .relkind = 1, .relv = 7));
	add(S(ATT, 0, 3, SOCK_CREATE, M_ | (1u << 3), .relkind = 4, .relv = 999));
	add(S(ATT, 0, 3, SOCK_CREATE, M_, .relkind = 1, .relv = 0));
	add(S(ATT, 0, 3, SOCK_CREATE, M_ | (1u << 3) | (1u << 4), .relkind = 1, .relv = 0));
	add(S(ATT, 0, 3, SOCK_CREATE, M_ | (1u << 3) | (1u << 5), .relkind = 2, .relv = 2));
	add(S(ATT, 0, 7, SOCK_CREATE, M_ | (1u << 4) | (1u << 5), .relkind = 4, .relv = 0x7fffffff));
	add(S(ATT, 0, 7, SOCK_CREATE, M_ | (1u << 4), .relkind = 1, .relv = 7));
	add(S(ATT, 0, 7, SOCK_CREATE, M_ | (1u << 4), .relkind = 1, .relv = 0));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(LNK, 0, 11, SOCK_CREATE, (1u << 3)));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(ATT, 0, 12, SOCK_CREATE, M_ | (1u << 3) | (1u << 2), 0, .relkind = 1, .relv = 1));
	add(S(ATT, 0, 12, SOCK_CREATE, M_ | (1u << 3), .relkind = 1, .relv = 12));
	/* links: placement flags, revisions, BPF_LINK_UPDATE */
	add(S(RST));
	add(S(LNK, 0, 0, SOCK_CREATE));
	add(S(LNK, 0, 1, SOCK_CREATE, (1u << 3)));
	add(S(LNK, 0, 2, SOCK_CREATE, (1u << 4)));
	add(S(LNK, 0, 3, SOCK_CREATE, A_));
	add(S(LNK, 0, 3, SOCK_CREATE, M_));
	add(S(LNK, 0, 3, SOCK_CREATE, (1u << 6)));
	add(S(LNK, 0, 3, SOCK_CREATE, 0, .rev = 1));
	add(S(LNK, 0, 3, SOCK_CREATE, 0, .rev = 4));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8, 1));
	add(S(LUPD, 0, 4));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(FIRE, 1));
	add(S(LUPD, 0, 7, 0, R_, 4));
	add(S(LUPD, 0, 7, 0, R_, 0));
	add(S(LUPD, 0, 6));
	add(S(LUPD, 0, 5));
	add(S(LUPD, 0, 4));
	add(S(LUPD, 0, 8, 0, 1u << 1));
	add(S(LUPD, 0, 8));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(LDET, 0));
	add(S(LUPD, 0, 7));
	add(S(QRY, 0, 0, SOCK_CREATE, 0, 8));
	add(S(FIRE, 1));
}

static void print_ids(uint32_t *ids, int n)
{
	printf("[");
	for (int i = 0; i < n; i++) printf("%s%d", i ? ", " : "", idx_of_id(ids[i]));
	printf("]");
}

int main(void)
{
	int first = 1;

	nullfd = open("/dev/null", O_RDONLY);
	mkdir(TOP, 0755);
	for (int i = 0; i < NPROG; i++) {
		int type = i >= 72 ? extra[i - 72][0] : i == 6 ? 8 /* CGROUP_SKB */ : 9 /* CGROUP_SOCK */;
		int eat = i >= 72 ? extra[i - 72][1] : i == 5 ? POST_BIND4 : i == 6 ? 0 : SOCK_CREATE;
		pfd[i] = load(type, eat, i == 4 ? 0 : 1);
		uint8_t info[256] = { 0 }, ia[168] = { 0 };
		put32(ia, 0, pfd[i]);
		put32(ia, 4, sizeof(info));
		put64(ia, 8, (uintptr_t)info);
		sys_bpf(15, ia);
		pid_[i] = get32(info, 4);
	}
	script();
	printf("{\"_comment\": \"BPF_PROG_ATTACH/DETACH/QUERY and LINK_CREATE at BPF_CGROUP_INET_SOCK_CREATE on a/b/c below a private cgroup v2, recorded by cgroup-attach-live.c as root; prog 4 returns 0, 5 is a cgroup/sock post_bind4 program, 6 a cgroup_skb one, the others return 1; -1 no fd (0), -2 a closed fd, -3 /dev/null\",\n");
	printf(" \"progs\": %d,\n \"steps\": [\n", NPROG);
	for (int i = 0; i < nsteps; i++) {
		struct step *s = &steps[i];
		uint8_t a[168] = { 0 };
		long r = 0;
		printf("%s  {\"op\": \"%s\"", first ? "" : ",\n", opname[s->op]);
		first = 0;
		switch (s->op) {
		case RST:
			for (int j = 0; j < nlinks; j++) close(links[j]);
			nlinks = 0;
			mkcgs();
			break;
		case ATT:
			printf(", \"cg\": %d, \"prog\": %d, \"type\": %d, \"flags\": %u, \"replace\": %d", s->cg, s->prog, s->type, s->flags, s->replace);
			put32(a, 0, fdof(s->cg, cgfd));
			put32(a, 4, fdof(s->prog, pfd));
			put32(a, 8, s->type);
			put32(a, 12, s->flags);
			put32(a, 16, s->flags & R_ ? fdof(s->replace, pfd) : 0);
			put64(a, 24, s->rev);
			put32(a, 20, relof(s));
			if (s->relkind) printf(", \"relkind\": %d, \"relv\": %d", s->relkind, s->relv);
			a[32] = s->tail;
			if (s->rev || s->tail) printf(", \"rev\": %d, \"tail\": %d", s->rev, s->tail);
			r = sys_bpf(8, a);
			break;
		case DET:
			printf(", \"cg\": %d, \"prog\": %d, \"type\": %d", s->cg, s->prog, s->type);
			put32(a, 0, fdof(s->cg, cgfd));
			put32(a, 4, fdof(s->prog, pfd));
			put32(a, 8, s->type);
			put64(a, 24, s->rev);
			if (s->rev) printf(", \"rev\": %d", s->rev);
			r = sys_bpf(9, a);
			break;
		case LNK:
			printf(", \"cg\": %d, \"prog\": %d, \"type\": %d", s->cg, s->prog, s->type);
			if (s->flags || s->rev) printf(", \"flags\": %u, \"rev\": %d", s->flags, s->rev);
			put32(a, 0, fdof(s->prog, pfd));
			put32(a, 4, fdof(s->cg, cgfd));
			put32(a, 8, s->type);
			put32(a, 12, s->flags);
			put64(a, 24, s->rev);
			put32(a, 16, relof(s));
			if (s->relkind) printf(", \"relkind\": %d, \"relv\": %d", s->relkind, s->relv);
			r = sys_bpf(28, a);
			if (r >= 0) {
				links[nlinks++] = r;
				r = 0;
			}
			break;
		case LDET:
			printf(", \"link\": %d", s->cg);
			put32(a, 0, links[s->cg]);
			r = sys_bpf(34, a);
			break;
		case LUPD:
			printf(", \"link\": %d, \"prog\": %d, \"flags\": %u, \"replace\": %d", s->cg, s->prog, s->flags, s->replace);
			put32(a, 0, links[s->cg]);
			put32(a, 4, fdof(s->prog, pfd));
			put32(a, 8, s->flags);
			put32(a, 12, s->flags & R_ ? fdof(s->replace, pfd) : 0);
			r = sys_bpf(29, a);
			break;
		case UNLNK:
			printf(", \"link\": %d", s->cg);
			close(links[s->cg]);
			links[s->cg] = -1;
			break;
		case FIRE:
			printf(", \"cg\": %d", s->cg);
			r = fire(s->cg);
			printf(", \"ret\": %ld}", r);
			continue;
		case QRY: {
			uint32_t ids[80], pf[80];
			memset(ids, 0xff, sizeof(ids));
			memset(pf, 0xff, sizeof(pf));
			printf(", \"cg\": %d, \"type\": %d, \"qflags\": %u, \"cap\": %d, \"paflags\": %d", s->cg, s->type, s->flags, s->replace, s->paflags);
			put32(a, 0, fdof(s->cg, cgfd));
			put32(a, 4, s->type);
			put32(a, 8, s->flags);
			put32(a, 12, 0xdead);
			/* paflags 2: prog_ids points at an unmapped page */
			put64(a, 16, s->paflags == 2 ? 8 : (uintptr_t)ids);
			put32(a, 24, s->replace);
			if (s->paflags == 1) put64(a, 32, (uintptr_t)pf);
			put64(a, 56, 0xbeef);
			r = sys_bpf(16, a);
			int n = 0;
			while (n < 80 && ids[n] != 0xffffffff) n++;
			int m = 0;
			while (m < 80 && pf[m] != 0xffffffff) m++;
			printf(", \"attach_flags\": %u, \"prog_cnt\": %u, \"revision\": %llu, \"ids\": ", get32(a, 12), get32(a, 24), (unsigned long long)get64(a, 56));
			print_ids(ids, n);
			printf(", \"prog_attach_flags\": [");
			for (int j = 0; j < m; j++) printf("%s%u", j ? ", " : "", pf[j]);
			printf("]");
			break;
		}
		}
		printf(", \"ret\": %ld}", r < 0 ? -(long)errno : r);
	}
	printf("\n ]\n}\n");
	for (int j = 0; j < nlinks; j++) if (links[j] >= 0) close(links[j]);
	for (int i = 0; i < 3; i++) close(cgfd[i]);
	rmdir(TOP "/a/b/c");
	rmdir(TOP "/a/b");
	rmdir(TOP "/a");
	rmdir(TOP);
	return 0;
}
