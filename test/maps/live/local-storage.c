// Live probe of the local-storage map family on the running kernel (test/maps/local-storage.test.ts
// compiles it with `cc ... -lbpf` as root and compares its output with goldens/local-storage.json).
// Prints one JSON object: create-time errnos per case and type, then syscall-side errnos per type;
// with an object path, the fixture's results instead (see fixture()).
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int btf_fd, t_int, t_val, t_lockval;
static int first = 1;

static void out(const char *type, const char *name, int r) {
  printf("%s\n  \"%s/%s\": %d", first ? "" : ",", type, name, r < 0 ? r : 0);
  first = 0;
}

static int mk(int type, int key, int val, int max, int flags, int kid, int vid) {
  LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags, .btf_fd = (kid || vid) ? btf_fd : 0, .btf_key_type_id = kid, .btf_value_type_id = vid);
  int fd = bpf_map_create(type, "ls", key, val, max, &o);
  return fd < 0 ? -errno : fd;
}

static void creates(const char *tn, int type) {
  int r;
#define C(name, ...) do { r = mk(type, __VA_ARGS__); out(tn, name, r); if (r >= 0) close(r); } while (0)
  C("ok", 4, 8, 0, BPF_F_NO_PREALLOC, t_int, t_val);
  C("ok_clone", 4, 8, 0, BPF_F_NO_PREALLOC | BPF_F_CLONE, t_int, t_val);
  C("ok_spin_lock", 4, 8, 0, BPF_F_NO_PREALLOC, t_int, t_lockval);
  C("prealloc", 4, 8, 0, 0, t_int, t_val);
  C("max_entries_1", 4, 8, 1, BPF_F_NO_PREALLOC, t_int, t_val);
  C("key_size_8", 8, 8, 0, BPF_F_NO_PREALLOC, t_int, t_val);
  C("value_size_0", 4, 0, 0, BPF_F_NO_PREALLOC, t_int, t_val);
  C("no_btf", 4, 8, 0, BPF_F_NO_PREALLOC, 0, 0);
  C("no_btf_key", 4, 8, 0, BPF_F_NO_PREALLOC, 0, t_val);
  C("rdonly_prog", 4, 8, 0, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG, t_int, t_val);
  C("mmapable", 4, 8, 0, BPF_F_NO_PREALLOC | BPF_F_MMAPABLE, t_int, t_val);
  C("rdonly", 4, 8, 0, BPF_F_NO_PREALLOC | BPF_F_RDONLY, t_int, t_val);
  C("value_size_65536", 4, 65536, 0, BPF_F_NO_PREALLOC, t_int, t_val);
  // the largest value size (BPF_LOCAL_STORAGE_MAX_VALUE_SIZE) by bisection
  int lo = 1, hi = 1 << 20;
  while (lo + 1 < hi) {
    int mid = (lo + hi) / 2;
    r = mk(type, 4, mid, 0, BPF_F_NO_PREALLOC, t_int, t_val);
    if (r >= 0) close(r);
    // E2BIG: above the limit; anything else (EINVAL: the BTF value type is 8 bytes) passed the size check
    if (r == -E2BIG) hi = mid; else lo = mid;
  }
  printf(",\n  \"%s/max_value_size\": %d", tn, lo);
}

static int lk(int map, int key, unsigned long long *v) { return bpf_map_lookup_elem(map, &key, v) ? -errno : 0; }
static int up(int map, int key, unsigned long long v, int flags) { return bpf_map_update_elem(map, &key, &v, flags) ? -errno : 0; }
static int del(int map, int key) { return bpf_map_delete_elem(map, &key) ? -errno : 0; }

static void ops(const char *tn, int type, int owner, int wrong) {
  int map = mk(type, 4, 8, 0, BPF_F_NO_PREALLOC, t_int, t_val);
  unsigned long long v = 0;
  int next = 0, bad = -1, big = 999;
  out(tn, "op/create", map);
  if (map < 0) return;
  out(tn, "op/lookup_empty", lk(map, owner, &v));
  out(tn, "op/update_exist_empty", up(map, owner, 1, BPF_EXIST));
  out(tn, "op/update_flags_3", up(map, owner, 1, 3));
  out(tn, "op/update_f_lock", up(map, owner, 1, BPF_F_LOCK));
  out(tn, "op/delete_empty", del(map, owner));
  out(tn, "op/update_any", up(map, owner, 0x1122334455667788ULL, BPF_ANY));
  int r = lk(map, owner, &v);
  out(tn, "op/lookup", r);
  printf(",\n  \"%s/op/lookup_value_ok\": %d", tn, v == 0x1122334455667788ULL);
  out(tn, "op/update_noexist", up(map, owner, 2, BPF_NOEXIST));
  out(tn, "op/update_exist", up(map, owner, 3, BPF_EXIST));
  lk(map, owner, &v);
  printf(",\n  \"%s/op/lookup_value_3\": %d", tn, v == 3);
  out(tn, "op/get_next_key_null", bpf_map_get_next_key(map, NULL, &next) ? -errno : 0);
  out(tn, "op/get_next_key", bpf_map_get_next_key(map, &owner, &next) ? -errno : 0);
  out(tn, "op/lookup_and_delete", bpf_map_lookup_and_delete_elem(map, &owner, &v) ? -errno : 0);
  unsigned int cnt = 1;
  int keys[1], vals[2];
  out(tn, "op/lookup_batch", bpf_map_lookup_batch(map, NULL, &next, keys, vals, &cnt, NULL) ? -errno : 0);
  out(tn, "op/lookup_fd_minus_1", lk(map, bad, &v));
  out(tn, "op/lookup_fd_999", lk(map, big, &v));
  out(tn, "op/update_fd_999", up(map, big, 1, 0));
  out(tn, "op/delete_fd_999", del(map, big));
  out(tn, "op/lookup_wrong_fd", lk(map, wrong, &v));
  out(tn, "op/update_wrong_fd", up(map, wrong, 1, 0));
  out(tn, "op/delete_wrong_fd", del(map, wrong));
  out(tn, "op/lookup_map_fd", lk(map, map, &v));
  out(tn, "op/delete", del(map, owner));
  out(tn, "op/delete_again", del(map, owner));
  out(tn, "op/freeze", bpf_map_freeze(map) ? -errno : 0);
  close(map);
}

// With an object path: load programs/maps_local_storage.bpf.o, test-run task_storage_ops and read the
// value it left for this process through a pidfd.
static int fixture(const char *path) {
  struct bpf_object *obj = bpf_object__open_file(path, NULL);
  if (!obj || bpf_object__load(obj)) { perror("load fixture"); return 1; }
  int prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "task_storage_ops"));
  int map = bpf_map__fd(bpf_object__find_map_by_name(obj, "tstore"));
  long long r[9] = {0};
  LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = r, .ctx_size_in = sizeof(r));
  int err = bpf_prog_test_run_opts(prog, &o);
  printf("{\n  \"err\": %d,\n  \"retval\": %u,\n  \"r\": [", err ? -errno : 0, o.retval);
  for (int i = 0; i < 9; i++) printf("%s%lld", i ? ", " : "", r[i]);
  int pidfd = syscall(SYS_pidfd_open, getpid(), 0);
  unsigned long long v[2] = {0, 0};
  err = bpf_map_lookup_elem(map, &pidfd, v) ? -errno : 0;
  printf("],\n  \"pidfd_lookup\": %d,\n  \"value\": [%llu, %llu]\n}\n", err, v[0], v[1]);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1) return fixture(argv[1]);
  struct btf *b = btf__new_empty();
  t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
  int t_u64 = btf__add_int(b, "unsigned long long", 8, 0);
  t_val = btf__add_struct(b, "val", 8);
  btf__add_field(b, "x", t_u64, 0, 0);
  int t_u32 = btf__add_int(b, "unsigned int", 4, 0);
  int t_lock = btf__add_struct(b, "bpf_spin_lock", 4);
  btf__add_field(b, "val", t_u32, 0, 0);
  t_lockval = btf__add_struct(b, "lockval", 8);
  btf__add_field(b, "lock", t_lock, 0, 0);
  btf__add_field(b, "n", t_u32, 32, 0);
  if (btf__load_into_kernel(b)) { perror("btf load"); return 1; }
  btf_fd = btf__fd(b);
  printf("{");
  const char *names[] = {"sk_storage", "inode_storage", "task_storage", "cgrp_storage"};
  int types[] = {BPF_MAP_TYPE_SK_STORAGE, BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_TASK_STORAGE, 32 /* BPF_MAP_TYPE_CGRP_STORAGE: newer than the system uapi headers */};
  for (int i = 0; i < 4; i++) creates(names[i], types[i]);
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  int file = open("/proc/self/status", O_RDONLY);
  int pidfd = syscall(SYS_pidfd_open, getpid(), 0);
  int cg = open("/sys/fs/cgroup/cpu", O_RDONLY | O_DIRECTORY);
  ops("sk_storage", BPF_MAP_TYPE_SK_STORAGE, sock, file);
  ops("inode_storage", BPF_MAP_TYPE_INODE_STORAGE, file, sock);
  ops("task_storage", BPF_MAP_TYPE_TASK_STORAGE, pidfd, file);
  ops("cgrp_storage", 32, cg, file);
  // a pidfd of a task that has exited and been reaped
  pid_t child = fork();
  if (child == 0) _exit(0);
  int dead = syscall(SYS_pidfd_open, child, 0);
  waitpid(child, NULL, 0);
  int map = mk(BPF_MAP_TYPE_TASK_STORAGE, 4, 8, 0, BPF_F_NO_PREALLOC, t_int, t_val);
  unsigned long long v;
  out("task_storage", "op/lookup_reaped", lk(map, dead, &v));
  out("task_storage", "op/update_reaped", up(map, dead, 1, 0));
  out("task_storage", "op/delete_reaped", del(map, dead));
  printf("\n}\n");
  return 0;
}
