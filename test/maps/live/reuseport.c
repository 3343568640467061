// Live probe of BPF_MAP_TYPE_REUSEPORT_SOCKARRAY on the running kernel (test/maps/sockmap.test.ts
// compiles it with `cc ... -lbpf` as root and compares its output with goldens/reuseport.json):
// BPF_MAP_CREATE errnos, then updates with real sockets on 127.0.0.1 — TCP listeners with and
// without SO_REUSEPORT, an established socket, bound UDP with SO_REUSEPORT, an unbound one, a
// socket already in another slot or in a SOCKMAP — a regular file and a closed fd; lookups,
// deletes and get_next_key.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

static int first = 1;
static void out(const char *name, long long r) {
  printf("%s\n  \"%s\": %lld", first ? "" : ",", name, r);
  first = 0;
}
static int e(int r) { return r < 0 ? -errno : r; }
static int mk(int type, int key, int val, int max, int flags) {
  LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
  return e(bpf_map_create(type, "ra", key, val, max, &o));
}
static struct sockaddr_in at(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  return a;
}
static int sock(int type, int port, int reuseport, int listen_too) {
  struct linger lg = {1, 0};
  int one = 1, fd = socket(AF_INET, type, 0);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  if (reuseport) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (port) {
    struct sockaddr_in a = at(port);
    if (bind(fd, (void *)&a, sizeof a)) perror("bind");
  }
  if (listen_too && listen(fd, 8)) perror("listen");
  return fd;
}
static unsigned long long cookie(int fd) {
  unsigned long long c = 0;
  socklen_t l = sizeof c;
  getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &l);
  return c;
}

int main(void) {
  const int R = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
  printf("{");
  out("create/ok4", mk(R, 4, 4, 4, 0) >= 0 ? 0 : -1);
  out("create/ok8", mk(R, 4, 8, 4, 0) >= 0 ? 0 : -1);
  out("create/key8", mk(R, 8, 8, 4, 0));
  out("create/val2", mk(R, 4, 2, 4, 0));
  out("create/max0", mk(R, 4, 8, 0, 0));
  out("create/mmapable", mk(R, 4, 8, 4, BPF_F_MMAPABLE));
  out("create/no_prealloc", mk(R, 4, 8, 4, BPF_F_NO_PREALLOC));
  out("create/rdonly_prog", mk(R, 4, 8, 4, BPF_F_RDONLY_PROG) >= 0 ? 0 : mk(R, 4, 8, 4, BPF_F_RDONLY_PROG));

  int l1 = sock(SOCK_STREAM, 47041, 1, 1);
  int l2 = sock(SOCK_STREAM, 47041, 1, 1);
  int plain = sock(SOCK_STREAM, 47042, 0, 1);
  int cli = sock(SOCK_STREAM, 47043, 0, 0);
  struct sockaddr_in srv = at(47042);
  if (connect(cli, (void *)&srv, sizeof srv)) perror("connect");
  int udp = sock(SOCK_DGRAM, 47044, 1, 0);
  int udp_unbound = sock(SOCK_DGRAM, 0, 1, 0);
  int in_map = sock(SOCK_STREAM, 47045, 1, 1);
  int file = open("/proc/self/status", O_RDONLY);
  int ra = mk(R, 4, 8, 4, 0), ra4 = mk(R, 4, 4, 4, 0), sm = mk(BPF_MAP_TYPE_SOCKMAP, 4, 8, 4, 0);
  int closed = dup(file);
  close(closed);
  unsigned int k;
  unsigned long long v, got;
#define UPD(name, map, key, val, fl) (k = (key), v = (val), out(name, e(bpf_map_update_elem(map, &k, &v, fl))))
  k = 0; v = in_map;
  out("sockmap/insert", e(bpf_map_update_elem(sm, &k, &v, BPF_ANY)));
  UPD("update/listener", ra, 0, l1, BPF_ANY);
  UPD("update/listener2", ra, 1, l2, BPF_NOEXIST);
  UPD("update/same_socket_again", ra, 2, l1, BPF_ANY);
  UPD("update/noexist_taken", ra, 1, l2, BPF_NOEXIST);
  UPD("update/exist_empty", ra, 2, l2, BPF_EXIST);
  UPD("update/no_reuseport", ra, 2, plain, BPF_ANY);
  UPD("update/established", ra, 2, cli, BPF_ANY);
  UPD("update/udp", ra, 2, udp, BPF_ANY);
  UPD("update/udp_unbound", ra, 3, udp_unbound, BPF_ANY);
  UPD("update/in_sockmap", ra, 3, in_map, BPF_ANY);
  UPD("update/file", ra, 3, file, BPF_ANY);
  UPD("update/closed", ra, 3, closed, BPF_ANY);
  UPD("update/past_end", ra, 4, l1, BPF_ANY);
  UPD("update/flags", ra, 3, l1, 3);
  UPD("update/fd_above_s32", ra, 3, 0x100000000ull, BPF_ANY);
  k = 0; v = l2;
  out("sockmap/insert_reuseport_member", e(bpf_map_update_elem(sm, &k, &v, BPF_ANY)));
  k = 0; got = 0;
  out("lookup", e(bpf_map_lookup_elem(ra, &k, &got)));
  out("lookup_is_cookie", got == cookie(l1));
  k = 3;
  out("lookup_empty", e(bpf_map_lookup_elem(ra, &k, &got)));
  k = 7;
  out("lookup_past_end", e(bpf_map_lookup_elem(ra, &k, &got)));
  k = 0;
  unsigned int v4 = l1;
  out("update4/listener_taken_elsewhere", e(bpf_map_update_elem(ra4, &k, &v4, BPF_ANY)));
  out("lookup4", e(bpf_map_lookup_elem(ra4, &k, &v4)));
  k = 1;
  out("delete", e(bpf_map_delete_elem(ra, &k)));
  out("delete_again", e(bpf_map_delete_elem(ra, &k)));
  k = 4;
  out("delete_past_end", e(bpf_map_delete_elem(ra, &k)));
  k = 0; v = l2;
  out("update/after_delete_elsewhere", e(bpf_map_update_elem(ra, &k, &v, BPF_ANY)));
  unsigned int nk = 9;
  k = 3;
  out("next_last", e(bpf_map_get_next_key(ra, &k, &nk)));
  k = 9;
  out("next_past_end", e(bpf_map_get_next_key(ra, &k, &nk)) ? -1 : (long long)nk);
  printf("\n}\n");
  return 0;
}
