// Live probe of BPF_MAP_TYPE_USER_RINGBUF on the running kernel (test/maps/user-ringbuf.test.ts
// compiles it with `cc ... -lbpf` as root and compares its output with goldens/user-ringbuf.json):
// create-time errnos, the syscall side, then programs/maps_user_ringbuf.bpf.o drained after libbpf's
// user-space producer posts samples (submitted, discarded, one left reserved).
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int first = 1;
static void out(const char *name, long long r) {
  printf("%s\n  \"%s\": %lld", first ? "" : ",", name, r);
  first = 0;
}
static int e(int r) { return r < 0 ? -errno : r; }
static int mk(int key, int val, int max, int flags) {
  LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
  return e(bpf_map_create(BPF_MAP_TYPE_USER_RINGBUF, "ur", key, val, max, &o));
}

struct ur_args { long long drained, seen, bad; };

static void run(int prog, const char *name) {
  struct ur_args a = {0, 0, 0};
  LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof a);
  int err = e(bpf_prog_test_run_opts(prog, &o));
  char n[64];
  snprintf(n, sizeof n, "%s/err", name); out(n, err);
  snprintf(n, sizeof n, "%s/drained", name); out(n, a.drained);
  snprintf(n, sizeof n, "%s/seen", name); out(n, a.seen);
  snprintf(n, sizeof n, "%s/bad", name); out(n, a.bad);
}

static int post(struct user_ring_buffer *rb, unsigned int size, int submit) {
  void *s = user_ring_buffer__reserve(rb, size);
  if (!s) return -errno;
  memset(s, 0xab, size);
  if (submit) user_ring_buffer__submit(rb, s); else user_ring_buffer__discard(rb, s);
  return 0;
}

int main(int argc, char **argv) {
  int r;
  printf("{");
#define C(name, ...) do { r = mk(__VA_ARGS__); out("create/" name, r < 0 ? r : 0); if (r >= 0) close(r); } while (0)
  C("ok", 0, 0, 4096, 0);
  C("key_4", 4, 0, 4096, 0);
  C("value_4", 0, 4, 4096, 0);
  C("max_0", 0, 0, 0, 0);
  C("max_4095", 0, 0, 4095, 0);
  C("max_6144", 0, 0, 6144, 0);
  C("max_8192", 0, 0, 8192, 0);
  C("no_prealloc", 0, 0, 4096, BPF_F_NO_PREALLOC);
  C("numa_node", 0, 0, 4096, BPF_F_NUMA_NODE);
  C("rdonly_prog", 0, 0, 4096, BPF_F_RDONLY_PROG);
  int map = mk(0, 0, 4096, 0);
  int k = 0;
  long long v = 0;
  out("lookup", e(bpf_map_lookup_elem(map, NULL, &v)));
  out("update", e(bpf_map_update_elem(map, NULL, &v, 0)));
  out("delete", e(bpf_map_delete_elem(map, NULL)));
  out("get_next_key", e(bpf_map_get_next_key(map, NULL, &k)));
  out("freeze", e(bpf_map_freeze(map)));
  close(map);
  if (argc < 2) { printf("\n}\n"); return 0; }
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj || bpf_object__load(obj)) { perror("load fixture"); return 1; }
  int all = bpf_program__fd(bpf_object__find_program_by_name(obj, "drain_all"));
  int one = bpf_program__fd(bpf_object__find_program_by_name(obj, "drain_one"));
  struct user_ring_buffer *rb = user_ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "urb")), NULL);
  if (!rb) { perror("user_ring_buffer__new"); return 1; }
  run(all, "empty");
  out("post_4", post(rb, 4, 1));
  out("post_8_discard", post(rb, 8, 0));
  out("post_12", post(rb, 12, 1));
  out("post_0", post(rb, 0, 1));
  run(all, "three");
  out("post_a", post(rb, 16, 1));
  out("post_b", post(rb, 16, 1));
  run(one, "one_a");
  run(one, "one_b");
  run(one, "one_empty");
  // a reserved sample that is never submitted stops the drain
  void *held = user_ring_buffer__reserve(rb, 8);
  out("held", held ? 0 : -errno);
  out("post_after_held", post(rb, 8, 1));
  run(all, "held");
  user_ring_buffer__submit(rb, held);
  run(all, "released");
  // size limits of the producer
  out("reserve_4096", user_ring_buffer__reserve(rb, 4096) ? 0 : -errno);
  out("reserve_4088", post(rb, 4088, 1));
  out("reserve_full", user_ring_buffer__reserve(rb, 8) ? 0 : -errno);
  run(all, "big");
  printf("\n}\n");
  return 0;
}
