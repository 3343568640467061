// Live probe of BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH on the running kernel
// (test/maps/sockmap.test.ts compiles it with `cc ... -lbpf` as root and compares its output with
// goldens/sockmap.json): BPF_MAP_CREATE errnos, then the syscall side with real sockets on
// 127.0.0.1 (a TCP listener on port 47031, both ends of an established connection from 47032, an
// unbound TCP socket, a bound and an unbound UDP socket), a regular file, a closed fd and values
// above S32_MAX; lookups (value_size 4: ENOSPC; 8: the cookie, printed as 1 when it equals
// SO_COOKIE), deletes and the get_next_key order of a SOCKHASH.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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
  return e(bpf_map_create(type, "sm", key, val, max, &o));
}

static struct sockaddr_in at(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  return a;
}
static int sock(int type, int port, int listen_too) {
  struct linger lg = {1, 0};
  int one = 1, fd = socket(AF_INET, type, 0);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
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
  const int M = BPF_MAP_TYPE_SOCKMAP, H = BPF_MAP_TYPE_SOCKHASH;
  printf("{");
  out("create/map_ok4", mk(M, 4, 4, 4, 0) >= 0 ? 0 : mk(M, 4, 4, 4, 0));
  out("create/map_ok8", mk(M, 4, 8, 4, 0) >= 0 ? 0 : -1);
  out("create/map_key8", mk(M, 8, 4, 4, 0));
  out("create/map_val2", mk(M, 4, 2, 4, 0));
  out("create/map_max0", mk(M, 4, 4, 0, 0));
  out("create/map_no_prealloc", mk(M, 4, 4, 4, BPF_F_NO_PREALLOC));
  out("create/map_rdonly", mk(M, 4, 4, 4, BPF_F_RDONLY) >= 0 ? 0 : -1);
  out("create/map_rdonly_prog", mk(M, 4, 4, 4, BPF_F_RDONLY_PROG));
  out("create/hash_ok", mk(H, 16, 8, 4, 0) >= 0 ? 0 : -1);
  out("create/hash_key0", mk(H, 0, 4, 4, 0));
  out("create/hash_key512", mk(H, 512, 4, 4, 0) >= 0 ? 0 : -1);
  out("create/hash_key513", mk(H, 513, 4, 4, 0));
  out("create/hash_val16", mk(H, 4, 16, 4, 0));
  out("create/hash_max0", mk(H, 4, 4, 0, 0));
  out("create/hash_max_huge", mk(H, 4, 4, 0x80000001, 0));
  out("create/hash_no_prealloc", mk(H, 4, 4, 4, BPF_F_NO_PREALLOC));

  int lst = sock(SOCK_STREAM, 47031, 1);
  int cli = sock(SOCK_STREAM, 47032, 0);
  struct sockaddr_in srv = at(47031);
  if (connect(cli, (void *)&srv, sizeof srv)) perror("connect");
  int acc = accept(lst, NULL, NULL);
  int tcp_unbound = sock(SOCK_STREAM, 0, 0);
  int udp_bound = sock(SOCK_DGRAM, 47033, 0);
  int udp_unbound = sock(SOCK_DGRAM, 0, 0);
  int file = open("/proc/self/status", O_RDONLY);
  int m4 = mk(M, 4, 4, 4, 0), m8 = mk(M, 4, 8, 4, 0);
  int closed = dup(file);
  close(closed);
  unsigned int k, v;
  unsigned long long v8, got;
#define UPD(name, map, key, val, fl) (k = (key), v = (val), out(name, e(bpf_map_update_elem(map, &k, &v, fl))))
  UPD("map/update_listener", m4, 0, lst, BPF_ANY);
  UPD("map/update_client", m4, 1, cli, BPF_ANY);
  UPD("map/update_accepted", m4, 2, acc, BPF_NOEXIST);
  UPD("map/update_noexist_taken", m4, 2, acc, BPF_NOEXIST);
  UPD("map/update_exist_empty", m4, 3, cli, BPF_EXIST);
  UPD("map/update_tcp_unbound", m4, 3, tcp_unbound, BPF_ANY);
  UPD("map/update_udp_bound", m4, 3, udp_bound, BPF_ANY);
  UPD("map/update_udp_unbound", m4, 3, udp_unbound, BPF_ANY);
  UPD("map/update_file", m4, 3, file, BPF_ANY);
  UPD("map/update_closed", m4, 3, closed, BPF_ANY);
  UPD("map/update_map_fd", m4, 3, m8, BPF_ANY);
  UPD("map/update_key_past_end", m4, 4, lst, BPF_ANY);
  UPD("map/update_flags_2", m4, 0, lst, 2 + 1);
  UPD("map/update_fd_negative", m4, 3, 0x80000000u, BPF_ANY);
  k = 0;
  out("map/lookup_value4", e(bpf_map_lookup_elem(m4, &k, &v)));
  k = 0; v8 = lst;
  out("map/update8_listener", e(bpf_map_update_elem(m8, &k, &v8, BPF_ANY)));
  k = 1; v8 = 0x100000000ull | (unsigned)cli;
  out("map/update8_fd_above_s32", e(bpf_map_update_elem(m8, &k, &v8, BPF_ANY)));
  k = 0; got = 0;
  out("map/lookup8", e(bpf_map_lookup_elem(m8, &k, &got)));
  out("map/lookup8_is_cookie", got == cookie(lst));
  k = 1;
  out("map/lookup8_empty", e(bpf_map_lookup_elem(m8, &k, &got)));
  k = 9;
  out("map/lookup8_past_end", e(bpf_map_lookup_elem(m8, &k, &got)));
  k = 1;
  out("map/delete", e(bpf_map_delete_elem(m4, &k)));
  out("map/delete_again", e(bpf_map_delete_elem(m4, &k)));
  k = 4;
  out("map/delete_past_end", e(bpf_map_delete_elem(m4, &k)));
  unsigned int nk = 77;
  out("map/next_null", e(bpf_map_get_next_key(m4, NULL, &nk)));
  out("map/next_null_key", nk);
  k = 3;
  out("map/next_last", e(bpf_map_get_next_key(m4, &k, &nk)));
  k = 1;
  out("map/next_1", e(bpf_map_get_next_key(m4, &k, &nk)) ? -1 : nk);

  int h = mk(H, 4, 8, 8, 0);
  int socks[3] = {lst, cli, acc};
  for (unsigned int i = 0; i < 6; i++) {
    char name[32];
    k = 100 + i * 7;
    v8 = socks[i % 3];
    snprintf(name, sizeof name, "hash/update_%u", k);
    out(name, e(bpf_map_update_elem(h, &k, &v8, BPF_ANY)));
  }
  k = 100;
  out("hash/update_noexist_taken", e(bpf_map_update_elem(h, &k, &v8, BPF_NOEXIST)));
  k = 1;
  out("hash/update_exist_absent", e(bpf_map_update_elem(h, &k, &v8, BPF_EXIST)));
  k = 100; got = 0;
  out("hash/lookup", e(bpf_map_lookup_elem(h, &k, &got)));
  out("hash/lookup_is_cookie", got == cookie(lst));
  k = 1;
  out("hash/lookup_absent", e(bpf_map_lookup_elem(h, &k, &got)));
  k = 114;
  out("hash/delete", e(bpf_map_delete_elem(h, &k)));
  out("hash/delete_again", e(bpf_map_delete_elem(h, &k)));
  v8 = udp_unbound;
  k = 200;
  out("hash/update_udp_unbound", e(bpf_map_update_elem(h, &k, &v8, BPF_ANY)));
  // get_next_key from NULL through the end: the keys in the kernel's order
  unsigned int cur, *pk = NULL;
  for (int i = 0; i < 10; i++) {
    char name[32];
    int r = e(bpf_map_get_next_key(h, pk, &cur));
    snprintf(name, sizeof name, "hash/next_%d", i);
    out(name, r ? r : (long long)cur);
    if (r) break;
    k = cur;
    pk = &k;
  }
  k = 5;
  out("hash/next_of_absent", e(bpf_map_get_next_key(h, &k, &cur)) ? -1 : (long long)cur);
  // fill up: max_entries 8, 5 used; the fourth insert finds the map full
  for (unsigned int i = 0; i < 4; i++) {
    char name[32];
    k = 300 + i;
    v8 = lst;
    snprintf(name, sizeof name, "hash/fill_%u", k);
    out(name, e(bpf_map_update_elem(h, &k, &v8, BPF_ANY)));
  }
  printf("\n}\n");
  return 0;
}
