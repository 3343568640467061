// SPDX-License-Identifier: MIT
/*
 * verifier-oracle: loads a batch of programs into the running kernel and
 * reports the verifier's verdict on each. Compiled at test time by oracle.ts
 * (cc oracle.c -lbpf into a temporary directory), never committed. One
 * process handles a whole batch: requests on stdin, one result line per case
 * on stdout, in order.
 *
 * Request lines (tokens separated by one space; HEX is lowercase hex bytes,
 * "-" for empty):
 *
 *   M TYPE KEY VALUE MAX FLAGS INNER FREEZE NAMEHEX INITHEX
 *       Queue a map for the next case. INNER is the index of an earlier map
 *       of the case (inner map template) or -1. INITHEX is written to key 0
 *       (all-zero key) before FREEZE (0/1) is applied.
 *   M TYPE KEY VALUE MAX FLAGS INNER FREEZE NAMEHEX INITHEX BTFHEX KEYID VALUEID
 *       The same with a BTF for the key and value: BTFHEX (a raw BTF blob) is
 *       loaded with BPF_BTF_LOAD and the map created with btf_fd,
 *       btf_key_type_id KEYID and btf_value_type_id VALUEID (a value holding a
 *       struct bpf_spin_lock needs them).
 *   P PROGTYPE ATTACHTYPE PROGFLAGS BTFFUNCS LICENSEHEX ATTACHBTFHEX INSNHEX
 *       Create the queued maps, patch lddw map pseudo instructions (src_reg 1
 *       map_fd and 2 map_value: imm = index into the maps -> the map's fd, an
 *       index outside them -> fd -1; src_reg 5/6 use fd_array = the map fds),
 *       BPF_PROG_LOAD with log_level 1 and a 16 MiB log buffer, then close
 *       everything. ATTACHBTFHEX names a vmlinux function for attach_btf_id
 *       (libbpf_find_vmlinux_btf_id with ATTACHTYPE). BTFFUNCS 1 gives the
 *       program a BTF and func_info: one FUNC per subprogram (starts = 0 and
 *       the targets of bpf-to-bpf calls and of lddw src_reg 4), all of type
 *       `int (void)`, named main (global) and f1, f2, ... (static).
 *   O PROGTYPE ATTACHTYPE PROGFLAGS PATHHEX PROGHEX
 *       Open the object at PATH with libbpf, autoload only program PROG, give
 *       it the log buffer (level 1), load, close. PROGTYPE/ATTACHTYPE replace
 *       libbpf's guess from the section name when non-zero and different.
 *
 * Result lines:
 *
 *   R ACCEPTED ERRNO TRUNC LOGHEX
 *       ACCEPTED 0/1; ERRNO the load's errno (0 when accepted); TRUNC 1 when
 *       the log overflowed the buffer: the load is then repeated without a
 *       buffer (log level 1, log_buf NULL) so that ERRNO is the verifier's
 *       own, not the ENOSPC of the overflow, and LOG is the buffer's tail.
 *   X MESSAGEHEX
 *       The case could not be set up (map creation, bad request, object not
 *       found); nothing was loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define LOG_SIZE (16u << 20)
#define MAX_MAPS 64
#define MAX_FUNCS 256

struct map_req {
	unsigned type, key, value, max, flags, freeze;
	int inner;
	char name[BPF_OBJ_NAME_LEN];
	unsigned char *init;
	size_t init_len;
	unsigned char *btf;
	size_t btf_len;
	unsigned key_id, value_id;
};

static char *log_buf;
static struct map_req maps[MAX_MAPS];
static int nmaps;

static int unhex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode HEX ("-" = empty) into a new NUL-terminated buffer; NULL if malformed. */
static unsigned char *unhex(const char *s, size_t *len)
{
	size_t n = strcmp(s, "-") ? strlen(s) : 0, i;
	unsigned char *out;

	if (n % 2)
		return NULL;
	out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n / 2; i++) {
		int hi = unhex_nibble(s[2 * i]), lo = unhex_nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	out[n / 2] = 0;
	*len = n / 2;
	return out;
}

static void put_hex(const char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (n == 0) {
		putchar('-');
		return;
	}
	for (i = 0; i < n; i++) {
		putchar(digits[(unsigned char)p[i] >> 4]);
		putchar(digits[(unsigned char)p[i] & 15]);
	}
}

static char pending[512]; /* a setup error of a queued map, reported by the next case */

static void setup_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("X ");
	put_hex(msg, strlen(msg));
	putchar('\n');
}

static void result(int accepted, int err, int trunc)
{
	size_t n = strnlen(log_buf, LOG_SIZE);

	printf("R %d %d %d ", accepted, accepted ? 0 : err, trunc);
	put_hex(log_buf, n);
	putchar('\n');
}

static void reset_maps(void)
{
	int i;

	for (i = 0; i < nmaps; i++) {
		free(maps[i].init);
		free(maps[i].btf);
	}
	nmaps = 0;
}

static void close_fds(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int percpu_type(unsigned t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* Create the queued maps into fds[]; prints an X line and returns -1 on failure. */
static int create_maps(int *fds)
{
	int i, ncpu = libbpf_num_possible_cpus();

	for (i = 0; i < nmaps; i++)
		fds[i] = -1;
	for (i = 0; i < nmaps; i++) {
		struct map_req *m = &maps[i];
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = m->flags);
		int btf_fd = -1;

		if (m->btf_len > 0) {
			btf_fd = bpf_btf_load(m->btf, m->btf_len, NULL);
			if (btf_fd < 0) {
				setup_error("map %d '%s': BTF_LOAD failed: errno %d (%s)", i, m->name, errno, strerror(errno));
				return -1;
			}
			opts.btf_fd = btf_fd;
			opts.btf_key_type_id = m->key_id;
			opts.btf_value_type_id = m->value_id;
		}
		if (m->inner >= 0) {
			if (m->inner >= i) {
				setup_error("map %d: inner map index %d does not name an earlier map", i, m->inner);
				return -1;
			}
			opts.inner_map_fd = fds[m->inner];
		}
		fds[i] = bpf_map_create(m->type, m->name[0] ? m->name : NULL, m->key, m->value, m->max, &opts);
		if (btf_fd >= 0) {
			int e = errno;

			close(btf_fd); /* the map holds its own reference */
			errno = e;
		}
		if (fds[i] < 0) {
			setup_error("map %d '%s': create failed: errno %d (%s)", i, m->name, errno, strerror(errno));
			return -1;
		}
		if (m->init_len > 0) {
			unsigned char *key = calloc(1, m->key ? m->key : 1);
			size_t per = percpu_type(m->type) ? (m->value + 7) / 8 * 8 : m->value;
			int copies = percpu_type(m->type) ? ncpu : 1, c;
			unsigned char *val = calloc(copies, per ? per : 1);

			for (c = 0; c < copies; c++)
				memcpy(val + c * per, m->init, m->init_len < m->value ? m->init_len : m->value);
			if (bpf_map_update_elem(fds[i], key, val, BPF_ANY)) {
				int e = errno;

				free(key);
				free(val);
				setup_error("map %d '%s': writing key 0 failed: errno %d (%s)", i, m->name, e, strerror(e));
				return -1;
			}
			free(key);
			free(val);
		}
		if (m->freeze && bpf_map_freeze(fds[i])) {
			setup_error("map %d '%s': freeze failed: errno %d (%s)", i, m->name, errno, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Load a BTF with `int main(void)` (global) and `int fN(void)` (static) for each
 * subprogram start of the program, and fill info[] (one record per start). */
static int func_btf(const struct bpf_insn *insns, size_t n, struct bpf_func_info *info, int *cnt)
{
	char *start = calloc(n ? n : 1, 1);
	struct btf *btf = btf__new_empty();
	int int_id, proto, fd = -1, k = 0;
	size_t i;

	if (!start || !btf)
		goto out;
	if (n)
		start[0] = 1;
	for (i = 0; i < n; i++) {
		long t = (long)i + insns[i].imm + 1;
		int call = insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_CALL;
		int func = insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && insns[i].src_reg == BPF_PSEUDO_FUNC;

		if ((call || func) && t >= 0 && (size_t)t < n)
			start[t] = 1;
	}
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(btf, int_id);
	for (i = 0; i < n; i++) {
		char name[32];
		int id;

		if (!start[i])
			continue;
		snprintf(name, sizeof(name), k ? "f%d" : "main", k);
		id = btf__add_func(btf, name, k ? BTF_FUNC_STATIC : BTF_FUNC_GLOBAL, proto);
		if (id < 0 || k == MAX_FUNCS)
			goto out;
		info[k].insn_off = (uint32_t)i;
		info[k].type_id = (uint32_t)id;
		k++;
	}
	if (btf__load_into_kernel(btf))
		goto out;
	fd = dup(btf__fd(btf));
	*cnt = k;
out:
	btf__free(btf);
	free(start);
	return fd;
}

static int prog_load(union bpf_attr *attr, int with_log)
{
	log_buf[0] = 0;
	attr->log_level = 1;
	attr->log_buf = with_log ? (uint64_t)(uintptr_t)log_buf : 0;
	attr->log_size = with_log ? LOG_SIZE : 0;
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, attr, sizeof(*attr));
}

static void do_prog(char **tok, int ntok)
{
	unsigned char *lic, *btfname, *code;
	size_t lic_len, btf_len, code_len, i;
	struct bpf_insn *insns;
	int fds[MAX_MAPS], fd, err, trunc = 0, btf_fd = -1, nfunc = 0;
	struct bpf_func_info finfo[MAX_FUNCS];
	union bpf_attr attr;

	if (ntok != 8) {
		setup_error("bad P line (%d tokens)", ntok);
		return;
	}
	lic = unhex(tok[5], &lic_len);
	btfname = unhex(tok[6], &btf_len);
	code = unhex(tok[7], &code_len);
	if (!lic || !btfname || !code || code_len % 8) {
		setup_error("bad hex in P line");
		goto out;
	}
	if (create_maps(fds))
		goto close;
	insns = (struct bpf_insn *)code;
	for (i = 0; i < code_len / 8; i++) {
		if (insns[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (insns[i].src_reg == BPF_PSEUDO_MAP_FD || insns[i].src_reg == BPF_PSEUDO_MAP_VALUE) {
			int k = insns[i].imm;

			insns[i].imm = k >= 0 && k < nmaps ? fds[k] : -1;
		}
		i++; /* skip the second half */
	}
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = (uint32_t)strtoul(tok[1], NULL, 0);
	attr.expected_attach_type = (uint32_t)strtoul(tok[2], NULL, 0);
	attr.prog_flags = (uint32_t)strtoul(tok[3], NULL, 0);
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)(code_len / 8);
	attr.license = (uint64_t)(uintptr_t)lic;
	if (nmaps > 0)
		attr.fd_array = (uint64_t)(uintptr_t)fds;
	if (!strcmp(tok[4], "1")) {
		btf_fd = func_btf(insns, code_len / 8, finfo, &nfunc);
		if (btf_fd < 0) {
			setup_error("program BTF (func_info) could not be built or loaded (more than %d subprograms?)", MAX_FUNCS);
			goto close;
		}
		attr.prog_btf_fd = (uint32_t)btf_fd;
		attr.func_info = (uint64_t)(uintptr_t)finfo;
		attr.func_info_rec_size = sizeof(finfo[0]);
		attr.func_info_cnt = (uint32_t)nfunc;
	}
	if (btf_len > 0) {
		int id = libbpf_find_vmlinux_btf_id((const char *)btfname, attr.expected_attach_type);

		if (id < 0) {
			setup_error("attach target '%s' not found in vmlinux BTF: errno %d (%s)", (const char *)btfname, -id, strerror(-id));
			goto close;
		}
		attr.attach_btf_id = (uint32_t)id;
	}
	fd = prog_load(&attr, 1);
	err = errno;
	if (fd < 0 && err == ENOSPC) {
		/* The log overflowed: keep its tail, learn the verifier's own verdict. */
		char *tail = malloc(LOG_SIZE);

		trunc = 1;
		memcpy(tail, log_buf, LOG_SIZE);
		fd = prog_load(&attr, 0);
		err = errno;
		memcpy(log_buf, tail, LOG_SIZE);
		free(tail);
	}
	result(fd >= 0, err, trunc);
	if (fd >= 0)
		close(fd);
close:
	close_fds(fds, nmaps);
	if (btf_fd >= 0)
		close(btf_fd);
out:
	free(lic);
	free(btfname);
	free(code);
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static void do_object(char **tok, int ntok)
{
	unsigned char *path, *name;
	size_t path_len, name_len;
	struct bpf_object *obj;
	struct bpf_program *p, *want = NULL;
	unsigned type, attach;
	int err;

	if (ntok != 6) {
		setup_error("bad O line (%d tokens)", ntok);
		return;
	}
	path = unhex(tok[4], &path_len);
	name = unhex(tok[5], &name_len);
	if (!path || !name) {
		setup_error("bad hex in O line");
		goto out;
	}
	type = (unsigned)strtoul(tok[1], NULL, 0);
	attach = (unsigned)strtoul(tok[2], NULL, 0);
	obj = bpf_object__open_file((const char *)path, NULL);
	if (!obj) {
		setup_error("open '%s': errno %d (%s)", (const char *)path, errno, strerror(errno));
		goto out;
	}
	bpf_object__for_each_program(p, obj) {
		if (!strcmp(bpf_program__name(p), (const char *)name))
			want = p;
		else
			bpf_program__set_autoload(p, false);
	}
	if (!want) {
		setup_error("no program '%s' in the object", (const char *)name);
		bpf_object__close(obj);
		goto out;
	}
	if (type && bpf_program__type(want) != type)
		bpf_program__set_type(want, type);
	if (attach && bpf_program__expected_attach_type(want) != attach)
		bpf_program__set_expected_attach_type(want, attach);
	bpf_program__set_flags(want, bpf_program__flags(want) | (uint32_t)strtoul(tok[3], NULL, 0));
	log_buf[0] = 0;
	bpf_program__set_log_buf(want, log_buf, LOG_SIZE);
	bpf_program__set_log_level(want, 1);
	err = bpf_object__load(obj);
	result(err == 0 && bpf_program__fd(want) >= 0, err < 0 ? -err : err, 0);
	bpf_object__close(obj);
out:
	free(path);
	free(name);
}

static void queue_map(char **tok, int ntok)
{
	struct map_req *m;
	unsigned char *name;
	size_t len;

	if ((ntok != 10 && ntok != 13) || nmaps == MAX_MAPS) {
		if (!pending[0])
			snprintf(pending, sizeof(pending), "bad M line (%d tokens) or more than %d maps", ntok, MAX_MAPS);
		return;
	}
	m = &maps[nmaps++];
	memset(m, 0, sizeof(*m));
	m->type = (unsigned)strtoul(tok[1], NULL, 0);
	m->key = (unsigned)strtoul(tok[2], NULL, 0);
	m->value = (unsigned)strtoul(tok[3], NULL, 0);
	m->max = (unsigned)strtoul(tok[4], NULL, 0);
	m->flags = (unsigned)strtoul(tok[5], NULL, 0);
	m->inner = (int)strtol(tok[6], NULL, 0);
	m->freeze = (unsigned)strtoul(tok[7], NULL, 0);
	name = unhex(tok[8], &len);
	if (name) {
		snprintf(m->name, sizeof(m->name), "%s", (const char *)name);
		free(name);
	}
	m->init = unhex(tok[9], &m->init_len);
	if (ntok == 13) {
		m->btf = unhex(tok[10], &m->btf_len);
		m->key_id = (unsigned)strtoul(tok[11], NULL, 0);
		m->value_id = (unsigned)strtoul(tok[12], NULL, 0);
	}
}

int main(void)
{
	char *line = NULL, *tok[16];
	size_t cap = 0;
	ssize_t n;

	log_buf = malloc(LOG_SIZE);
	if (!log_buf)
		return 2;
	libbpf_set_print(silent);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		int ntok = 0;
		char *s = line, *save = NULL, *t;

		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		while (ntok < 16 && (t = strtok_r(s, " ", &save))) {
			tok[ntok++] = t;
			s = NULL;
		}
		if (ntok == 0)
			continue;
		if (!strcmp(tok[0], "M")) {
			queue_map(tok, ntok);
			continue;
		}
		if (pending[0])
			setup_error("%s", pending);
		else if (!strcmp(tok[0], "P"))
			do_prog(tok, ntok);
		else if (!strcmp(tok[0], "O"))
			do_object(tok, ntok);
		else
			setup_error("unknown request '%s'", tok[0]);
		reset_maps();
		pending[0] = 0;
		fflush(stdout);
	}
	free(line);
	free(log_buf);
	return 0;
}
