// Live probe of BPF_MAP_TYPE_CGROUP_STORAGE / PERCPU_CGROUP_STORAGE on the running kernel
// (test/maps/cgroup-storage.test.ts compiles it with `cc ... -lbpf` as root and compares its output
// with goldens/cgroup-storage.json). Prints create-time errnos, then, with a cgroup_skb program using
// bpf_get_local_storage: test runs (the storage a test run gets), and the syscall side once the
// program is attached to a cgroup v2 directory (mounted in a temporary directory). With an object
// path, the fixture's test runs instead (see fixture()).
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

// Instruction encoders (the kernel's filter.h macros are not uapi).
#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define BPF_LD_MAP_FD(d, fd) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define BPF_MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define BPF_MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define BPF_ALU64_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define BPF_EMIT_CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define BPF_LDX_MEM(sz, d, s, o) INSN(BPF_LDX | (sz) | BPF_MEM, d, s, o, 0)
#define BPF_STX_MEM(sz, d, s, o) INSN(BPF_STX | (sz) | BPF_MEM, d, s, o, 0)
#define BPF_EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int first = 1;
static void out(const char *name, long long r) {
  printf("%s\n  \"%s\": %lld", first ? "" : ",", name, r);
  first = 0;
}
static int mk(int type, int key, int val, int max, int flags) {
  LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
  int fd = bpf_map_create(type, "cs", key, val, max, &o);
  return fd < 0 ? -errno : fd;
}
static int e(int r) { return r < 0 ? -errno : r; }

static void creates(const char *tn, int type) {
  char n[64];
  int r;
#define C(name, ...) do { r = mk(type, __VA_ARGS__); snprintf(n, sizeof n, "%s/%s", tn, name); out(n, r < 0 ? r : 0); if (r >= 0) close(r); } while (0)
  C("ok_key16", 16, 8, 0, 0);
  C("key_12", 12, 8, 0, 0);
  C("ok_key8", 8, 8, 0, 0);
  C("key_4", 4, 8, 0, 0);
  C("key_24", 24, 8, 0, 0);
  C("value_0", 16, 0, 0, 0);
  C("max_entries_1", 16, 8, 1, 0);
  C("no_prealloc", 16, 8, 0, BPF_F_NO_PREALLOC);
  C("rdonly_prog", 16, 8, 0, BPF_F_RDONLY_PROG);
  C("rdonly_wronly_prog", 16, 8, 0, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
  C("mmapable", 16, 8, 0, BPF_F_MMAPABLE);
  C("value_32768", 16, 32768, 0, 0);
  C("value_32769", 16, 32769, 0, 0);
  C("value_65407", 16, 65407, 0, 0);
  C("value_65408", 16, 65408, 0, 0);
  C("value_4096", 16, 4096, 0, 0);
  C("value_4097", 16, 4097, 0, 0);
}

// r0 = bpf_get_local_storage(map, 0); *(u64 *)r0 += 1; r1 = *(u64 *)r0; return r1 & 1 (allow odd runs)
static int load_prog(int map, int type) {
  struct bpf_insn insns[] = {
    BPF_LD_MAP_FD(BPF_REG_1, map),
    BPF_MOV64_IMM(BPF_REG_2, 0),
    BPF_EMIT_CALL(BPF_FUNC_get_local_storage),
    BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0),
    BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1),
    BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),
    BPF_MOV64_REG(BPF_REG_0, BPF_REG_1),
    BPF_ALU64_IMM(BPF_AND, BPF_REG_0, 1),
    BPF_EXIT_INSN(),
  };
  LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_CGROUP_INET_EGRESS);
  (void)type;
  return e(bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "cs", "GPL", insns, sizeof insns / sizeof insns[0], &o));
}

static int run(int prog, int repeat) {
  unsigned char pkt[60] = {0};
  pkt[12] = 0x08; pkt[14] = 0x45;
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof pkt, .repeat = repeat);
  int err = bpf_prog_test_run_opts(prog, &o);
  return err ? -errno : (int)o.retval;
}

// With an object path: test-run programs/maps_cgroup_storage.bpf.o's count_egress with repeat 1, 2, 3.
static int fixture(const char *path) {
  struct bpf_object *obj = bpf_object__open_file(path, NULL);
  if (!obj || bpf_object__load(obj)) { perror("load fixture"); return 1; }
  int prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "count_egress"));
  printf("{\n  \"repeat_1\": %d,\n  \"repeat_2\": %d,\n  \"repeat_3\": %d,\n  \"repeat_1_again\": %d\n}\n", run(prog, 1), run(prog, 2), run(prog, 3), run(prog, 1));
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1) return fixture(argv[1]);
  printf("{");
  creates("cgroup_storage", BPF_MAP_TYPE_CGROUP_STORAGE);
  creates("percpu_cgroup_storage", BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
  int map = mk(BPF_MAP_TYPE_CGROUP_STORAGE, 16, 8, 0, 0);
  int prog = load_prog(map, 0);
  out("prog_load", prog < 0 ? prog : 0);
  // each BPF_PROG_TEST_RUN gets fresh zeroed storage: retval is (1 & 1) every time
  out("test_run_1", run(prog, 1));
  out("test_run_1_again", run(prog, 1));
  // repeat 2: the same storage for both repetitions -> the last one sees 2 -> 0
  out("test_run_repeat_2", run(prog, 2));
  out("test_run_repeat_3", run(prog, 3));
  struct cskey { unsigned long long id; unsigned int at; unsigned int pad; } key = {0, 0, 0}, next;
  unsigned long long v = 0;
  out("lookup_unattached", e(bpf_map_lookup_elem(map, &key, &v)));
  out("get_next_key_empty", e(bpf_map_get_next_key(map, NULL, &next)));
  // a cgroup v2 directory
  char dir[] = "/tmp/bpfemu-cg2-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  if (mount("none", dir, "cgroup2", 0, NULL)) { out("cgroup2_mount", -errno); printf("\n}\n"); return 0; }
  char sub[256];
  snprintf(sub, sizeof sub, "%s/bpfemu_cs", dir);
  mkdir(sub, 0755);
  int cg = open(sub, O_RDONLY | O_DIRECTORY);
  struct stat st;
  fstat(cg, &st);
  out("attach", e(bpf_prog_attach(prog, cg, BPF_CGROUP_INET_EGRESS, 0)));
  key.id = st.st_ino;
  key.at = BPF_CGROUP_INET_EGRESS;
  out("lookup_attached", e(bpf_map_lookup_elem(map, &key, &v)));
  out("lookup_attached_value", (long long)v);
  struct cskey other = key;
  other.at = BPF_CGROUP_INET_INGRESS;
  out("lookup_other_attach_type", e(bpf_map_lookup_elem(map, &other, &v)));
  v = 41;
  out("update_any", e(bpf_map_update_elem(map, &key, &v, BPF_ANY)));
  out("update_exist", e(bpf_map_update_elem(map, &key, &v, BPF_EXIST)));
  out("update_noexist", e(bpf_map_update_elem(map, &key, &v, BPF_NOEXIST)));
  out("update_f_lock", e(bpf_map_update_elem(map, &key, &v, BPF_F_LOCK)));
  out("update_missing", e(bpf_map_update_elem(map, &other, &v, BPF_ANY)));
  v = 0;
  bpf_map_lookup_elem(map, &key, &v);
  out("lookup_after_update", (long long)v);
  out("delete", e(bpf_map_delete_elem(map, &key)));
  memset(&next, 0xff, sizeof next);
  out("get_next_key_null", e(bpf_map_get_next_key(map, NULL, &next)));
  out("next_is_key", next.id == key.id && next.at == key.at);
  out("get_next_key_last", e(bpf_map_get_next_key(map, &key, &next)));
  out("get_next_key_missing", e(bpf_map_get_next_key(map, &other, &next)));
  // the program's storage while attached is the linked one: a test run still gets a fresh one
  out("test_run_attached", run(prog, 1));
  v = 0;
  bpf_map_lookup_elem(map, &key, &v);
  out("lookup_after_test_run", (long long)v);
  out("detach", e(bpf_prog_detach2(prog, cg, BPF_CGROUP_INET_EGRESS)));
  out("lookup_detached", e(bpf_map_lookup_elem(map, &key, &v)));
  // a second map of the same storage type in one program: EBUSY at load
  int map2 = mk(BPF_MAP_TYPE_CGROUP_STORAGE, 16, 8, 0, 0);
  struct bpf_insn two[] = {
    BPF_LD_MAP_FD(BPF_REG_1, map), BPF_MOV64_IMM(BPF_REG_2, 0), BPF_EMIT_CALL(BPF_FUNC_get_local_storage),
    BPF_LD_MAP_FD(BPF_REG_1, map2), BPF_MOV64_IMM(BPF_REG_2, 0), BPF_EMIT_CALL(BPF_FUNC_get_local_storage),
    BPF_MOV64_IMM(BPF_REG_0, 1), BPF_EXIT_INSN(),
  };
  LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = BPF_CGROUP_INET_EGRESS);
  out("two_maps_same_type", e(bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "cs2", "GPL", two, 8 + 2, &lo)));
  close(cg);
  rmdir(sub);
  umount(dir);
  rmdir(dir);
  printf("\n}\n");
  return 0;
}
