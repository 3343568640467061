// Live probe of BPF_MAP_TYPE_CGROUP_ARRAY with bpf_current_task_under_cgroup (37) and
// bpf_skb_under_cgroup (33) on the running kernel (test/maps/cgroup-array.test.ts compiles it with
// `cc ... -lbpf` as root and compares its output with goldens/cgroup-array.json). A cgroup v2
// hierarchy is mounted in a temporary directory: slot 0 holds its root (where this process is),
// slot 1 a child cgroup (empty), slot 2 nothing; max_entries is 4.
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LD_MAP_FD(d, fd) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int first = 1;
static void out(const char *name, long long r) {
  printf("%s\n  \"%s\": %lld", first ? "" : ",", name, r);
  first = 0;
}
static int e(int r) { return r < 0 ? -errno : r; }
static int mk(int key, int val, int max, int flags) {
  LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
  return e(bpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "ca", key, val, max, &o));
}

static int load(int type, struct bpf_insn *insns, int n) {
  return e(bpf_prog_load(type, "ca", "GPL", insns, n, NULL));
}

static int run_tc(int prog) {
  unsigned char pkt[60] = {0};
  pkt[12] = 0x08; pkt[14] = 0x45;
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof pkt);
  int err = bpf_prog_test_run_opts(prog, &o);
  return err ? -errno : (int)o.retval;
}

// With an object path: programs/maps_cgroup_array.bpf.o, slots 0 = root and 1 = child, one test
// run of under_cgroup, then the six results.
static int fixture(const char *path, int root, int child) {
  struct bpf_object *obj = bpf_object__open_file(path, NULL);
  if (!obj || bpf_object__load(obj)) { perror("load fixture"); return 1; }
  int prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "under_cgroup"));
  int cgs = bpf_map__fd(bpf_object__find_map_by_name(obj, "cgs"));
  int res = bpf_map__fd(bpf_object__find_map_by_name(obj, "results"));
  unsigned int k = 0, v = root;
  bpf_map_update_elem(cgs, &k, &v, BPF_ANY);
  k = 1; v = child;
  bpf_map_update_elem(cgs, &k, &v, BPF_ANY);
  printf("{\n  \"retval\": %d,\n  \"results\": [", run_tc(prog));
  for (unsigned int i = 0; i < 6; i++) {
    long long r = 0;
    bpf_map_lookup_elem(res, &i, &r);
    printf("%s%lld", i ? ", " : "", r);
  }
  printf("]\n}\n");
  return 0;
}

int main(int argc, char **argv) {
  const char *fx = argc > 1 ? argv[1] : NULL;
  if (!fx) printf("{");
  int r;
#define C(name, ...) if (!fx) do { r = mk(__VA_ARGS__); out("create/" name, r < 0 ? r : 0); if (r >= 0) close(r); } while (0)
  C("ok", 4, 4, 4, 0);
  C("key_8", 8, 4, 4, 0);
  C("value_8", 4, 8, 4, 0);
  C("max_0", 4, 4, 0, 0);
  C("no_prealloc", 4, 4, 4, BPF_F_NO_PREALLOC);
  C("rdonly_prog", 4, 4, 4, BPF_F_RDONLY_PROG);
  C("mmapable", 4, 4, 4, BPF_F_MMAPABLE);
  char dir[] = "/tmp/bpfemu-cg2-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  if (mount("none", dir, "cgroup2", 0, NULL)) { out("cgroup2_mount", -errno); printf("\n}\n"); return 0; }
  char sub[256];
  snprintf(sub, sizeof sub, "%s/bpfemu_ca", dir);
  mkdir(sub, 0755);
  int root = open(dir, O_RDONLY | O_DIRECTORY);
  int child = open(sub, O_RDONLY | O_DIRECTORY);
  if (fx) {
    int rc = fixture(fx, root, child);
    close(root);
    close(child);
    rmdir(sub);
    umount(dir);
    rmdir(dir);
    return rc;
  }
  int file = open("/proc/self/status", O_RDONLY);
  int map = mk(4, 4, 4, 0);
  unsigned int k = 0, v = 0, next = 0;
#define UP(name, key, fd, fl) do { k = key; v = fd; out(name, e(bpf_map_update_elem(map, &k, &v, fl))); } while (0)
  UP("update_root", 0, root, BPF_ANY);
  UP("update_child", 1, child, BPF_ANY);
  UP("update_file", 2, file, BPF_ANY);
  UP("update_bad_fd", 2, 999, BPF_ANY);
  UP("update_map_fd", 2, map, BPF_ANY);
  UP("update_noexist", 3, root, BPF_NOEXIST);
  UP("update_exist", 3, root, BPF_EXIST);
  UP("update_out_of_range", 4, root, BPF_ANY);
  k = 0;
  out("lookup_set", e(bpf_map_lookup_elem(map, &k, &v)));
  k = 2;
  out("lookup_empty", e(bpf_map_lookup_elem(map, &k, &v)));
  out("get_next_key_null", e(bpf_map_get_next_key(map, NULL, &next)));
  out("get_next_key_null_value", next);
  k = 3;
  out("get_next_key_last", e(bpf_map_get_next_key(map, &k, &next)));
  k = 2;
  out("delete_empty", e(bpf_map_delete_elem(map, &k)));
  k = 4;
  out("delete_out_of_range", e(bpf_map_delete_elem(map, &k)));
  // bpf_current_task_under_cgroup(map, index) from a tc program (the test run's task is this
  // process), index 0..5 (syscall programs are sleepable, and those cannot use a cgroup array)
  for (int i = 0; i <= 5; i++) {
    struct bpf_insn p[] = { LD_MAP_FD(1, map), MOV64_IMM(2, i), CALL(BPF_FUNC_current_task_under_cgroup), EXIT() };
    int fd = load(BPF_PROG_TYPE_SCHED_CLS, p, 5);
    char n[64];
    snprintf(n, sizeof n, "current_task_under_cgroup/%d", i);
    out(n, fd < 0 ? fd : run_tc(fd));
    if (fd >= 0) close(fd);
  }
  // a sleepable syscall program may not use a cgroup array at all
  {
    struct bpf_insn p[] = { LD_MAP_FD(1, map), MOV64_IMM(2, 0), CALL(BPF_FUNC_current_task_under_cgroup), EXIT() };
    LIBBPF_OPTS(bpf_prog_load_opts, lo, .prog_flags = BPF_F_SLEEPABLE);
    out("syscall_sleepable_load", e(bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "ca", "GPL", p, 5, &lo)));
  }
  // bpf_skb_under_cgroup(skb, map, index) from a tc program, index 0..5
  for (int i = 0; i <= 5; i++) {
    struct bpf_insn p[] = { LD_MAP_FD(2, map), MOV64_IMM(3, i), CALL(BPF_FUNC_skb_under_cgroup), EXIT() };
    int fd = load(BPF_PROG_TYPE_SCHED_CLS, p, 5);
    char n[64];
    snprintf(n, sizeof n, "skb_under_cgroup/%d", i);
    out(n, fd < 0 ? fd : run_tc(fd));
    if (fd >= 0) close(fd);
  }
  k = 0;
  out("delete_set", e(bpf_map_delete_elem(map, &k)));
  out("freeze", e(bpf_map_freeze(map)));
  close(map);
  close(root);
  close(child);
  rmdir(sub);
  umount(dir);
  rmdir(dir);
  printf("\n}\n");
  return 0;
}
