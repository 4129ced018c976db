#define _GNU_SOURCE
/* sockopt.c — socket options read back with getsockopt (TCP_NODELAY,
 * SO_KEEPALIVE and its timers, SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY), a
 * client's local address, happy eyeballs against an address that never
 * answers (a listener whose backlog is full) next to one that does, a
 * server's close_clients / abort_clients / wait_closed / serve_forever with
 * connections open, half-closed and mid-write, and sendfile (kernel path,
 * offsets, and the read/write fallback for a pipe); UDP's SO_REUSEPORT
 * (two endpoints sharing a port) and SO_BROADCAST. */
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "net_util.h"

static int open_fds(void) {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) return -1;
  while (readdir(d) != NULL) ++n;
  closedir(d);
  return n;
}

static int sockopt_int(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, name, &v, &len) != 0) return -1000 - errno;
  return v;
}

static void finish(ac_loop *loop) {
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

/* A server that keeps every connection it accepts. */
#define MAX_CONNS 8
struct keep {
  ac_stream *conns[MAX_CONNS];
  int n;
};
static void keep_connection(ac_server *srv, ac_stream *s, void *ud) {
  (void)srv;
  struct keep *k = ud;
  if (k->n < MAX_CONNS) k->conns[k->n++] = ac_stream_ref(s);
}
static void keep_release(struct keep *k) {
  for (int i = 0; i < k->n; ++i) ac_stream_unref(k->conns[i]);
  k->n = 0;
}

static ac_stream *dial(ac_loop *loop, int port, const ac_connect_options *o) {
  ac_stream *s = NULL;
  ac_future *c = NULL;
  CHECK_RC(ac_stream_connect_tcp_ex(loop, "127.0.0.1", port, o, &s, &c), 0);
  CHECK_RC(net_wait(loop, c, 5), 0);
  ac_future_unref(c);
  return s;
}

static void test_nodelay_is_on_by_default_and_switchable(void) {
  ac_loop *loop = net_loop();
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  int port = ac_server_port(srv);
  ac_stream *c = dial(loop, port, NULL);
  net_run_until(loop, &k.n, 5);
  CHECK_INT(k.n, 1);
  CHECK_INT(sockopt_int(ac_stream_fileno(c), IPPROTO_TCP, TCP_NODELAY), 1);
  CHECK_INT(sockopt_int(ac_stream_fileno(k.conns[0]), IPPROTO_TCP, TCP_NODELAY), 1);
  CHECK_INT(ac_stream_get_nodelay(c), 1);
  CHECK_RC(ac_stream_set_nodelay(c, 0), 0);
  CHECK_INT(sockopt_int(ac_stream_fileno(c), IPPROTO_TCP, TCP_NODELAY), 0);
  CHECK_INT(ac_stream_get_nodelay(c), 0);
  CHECK_RC(ac_stream_set_nodelay(c, 1), 0);
  CHECK_INT(sockopt_int(ac_stream_fileno(c), IPPROTO_TCP, TCP_NODELAY), 1);
  CHECK_RC(ac_stream_set_nodelay(c, 2), AC_EINVAL);
  /* Chosen at connect time. */
  ac_connect_options o;
  ac_connect_options_init(&o);
  o.nodelay = 0;
  ac_stream *d = dial(loop, port, &o);
  CHECK_INT(sockopt_int(ac_stream_fileno(d), IPPROTO_TCP, TCP_NODELAY), 0);
  /* Closed: refused. */
  ac_stream_abort(d);
  CHECK_RC(ac_stream_set_nodelay(d, 1), AC_ECLOSED);
  CHECK_INT(ac_stream_fileno(d), -1);
  ac_stream_unref(d);
  ac_stream_unref(c);
  keep_release(&k);
  ac_server_unref(srv);
  finish(loop);
}

static void test_keepalive_with_timers(void) {
  ac_loop *loop = net_loop();
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  ac_stream *c = dial(loop, ac_server_port(srv), NULL);
  int fd = ac_stream_fileno(c);
  CHECK_INT(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  CHECK_RC(ac_stream_set_keepalive(c, 1, 30, 5, 4), 0);
  CHECK_INT(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  CHECK_INT(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
  CHECK_INT(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL), 5);
  CHECK_INT(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
  /* 0 leaves a timer as it is. */
  CHECK_RC(ac_stream_set_keepalive(c, 1, 0, 7, 0), 0);
  CHECK_INT(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
  CHECK_INT(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL), 7);
  CHECK_RC(ac_stream_set_keepalive(c, 0, 0, 0, 0), 0);
  CHECK_INT(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  CHECK_RC(ac_stream_set_keepalive(c, 1, -1, 0, 0), AC_EINVAL);
  CHECK_RC(ac_stream_set_keepalive(c, 3, 0, 0, 0), AC_EINVAL);
  /* The kernel's own limit (TCP_KEEPINTVL <= 32767). */
  CHECK_RC(ac_stream_set_keepalive(c, 1, 0, 100000, 0), AC_EINVAL);
  CHECK_RC(ac_stream_set_keepalive(NULL, 1, 0, 0, 0), AC_EINVAL);
  ac_stream_unref(c);
  keep_release(&k);
  ac_server_unref(srv);
  finish(loop);
}

static void test_unix_streams_have_no_tcp_options(void) {
  ac_loop *loop = net_loop();
  char path[64];
  snprintf(path, sizeof path, "/tmp/ac-sockopt-%d.sock", (int)getpid());
  unlink(path);
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_unix(loop, path, 0, keep_connection, &k, NULL, &srv), 0);
  ac_stream *s;
  ac_future *c;
  CHECK_RC(ac_stream_connect_unix(loop, path, &s, &c), 0);
  CHECK_RC(net_wait(loop, c, 5), 0);
  ac_future_unref(c);
  CHECK(ac_stream_fileno(s) >= 0);
  CHECK_RC(ac_stream_set_nodelay(s, 1), AC_EINVAL);
  CHECK_RC(ac_stream_set_keepalive(s, 1, 0, 0, 0), AC_EINVAL);
  ac_stream_unref(s);
  net_run_until(loop, &k.n, 5);
  keep_release(&k);
  ac_server_unref(srv);
  finish(loop);
}

static void test_server_options_read_back(void) {
  ac_loop *loop = net_loop();
  ac_server *a, *b, *c;
  struct keep k = {0};
  /* Default: SO_REUSEADDR on, SO_REUSEPORT off. */
  CHECK_RC(ac_server_listen_tcp_ex(loop, "127.0.0.1", 0, 0, NULL, keep_connection, &k, NULL, &a), 0);
  CHECK_INT(sockopt_int(ac_server_fileno(a), SOL_SOCKET, SO_REUSEADDR), 1);
  CHECK_INT(sockopt_int(ac_server_fileno(a), SOL_SOCKET, SO_REUSEPORT), 0);
  ac_server_unref(a);
  ac_server_options o;
  ac_server_options_init(&o);
  o.reuse_address = 0;
  CHECK_RC(ac_server_listen_tcp_ex(loop, "127.0.0.1", 0, 0, &o, keep_connection, &k, NULL, &a), 0);
  CHECK_INT(sockopt_int(ac_server_fileno(a), SOL_SOCKET, SO_REUSEADDR), 0);
  ac_server_unref(a);
  /* SO_REUSEPORT: two listeners on one port; a third without is refused. */
  ac_server_options_init(&o);
  o.reuse_port = 1;
  CHECK_RC(ac_server_listen_tcp_ex(loop, "127.0.0.1", 0, 0, &o, keep_connection, &k, NULL, &a), 0);
  int port = ac_server_port(a);
  CHECK_INT(sockopt_int(ac_server_fileno(a), SOL_SOCKET, SO_REUSEPORT), 1);
  CHECK_RC(ac_server_listen_tcp_ex(loop, "127.0.0.1", port, 0, &o, keep_connection, &k, NULL, &b), 0);
  CHECK_INT(ac_server_port(b), port);
  CHECK_RC(ac_server_listen_tcp_ex(loop, "127.0.0.1", port, 0, NULL, keep_connection, &k, NULL, &c),
           AC_EADDRINUSE);
  ac_server_unref(a);
  ac_server_unref(b);
  /* IPV6_V6ONLY, where IPv6 is there. */
  ac_server_options_init(&o);
  o.ipv6_only = 1;
  if (ac_server_listen_tcp_ex(loop, "::1", 0, 0, &o, keep_connection, &k, NULL, &a) == 0) {
    CHECK_INT(sockopt_int(ac_server_fileno(a), IPPROTO_IPV6, IPV6_V6ONLY), 1);
    ac_server_unref(a);
    o.ipv6_only = 0;
    CHECK_RC(ac_server_listen_tcp_ex(loop, "::", 0, 0, &o, keep_connection, &k, NULL, &a), 0);
    CHECK_INT(sockopt_int(ac_server_fileno(a), IPPROTO_IPV6, IPV6_V6ONLY), 0);
    /* Dual stack: an IPv4 client reaches it. */
    ac_stream *s = dial(loop, ac_server_port(a), NULL);
    net_run_until(loop, &k.n, 5);
    CHECK_INT(k.n, 1);
    char *peer;
    CHECK_RC(ac_stream_peer_address(k.conns[0], &peer), 0);
    CHECK(strncmp(peer, "[::ffff:127.0.0.1]:", 19) == 0);
    ac_free(peer);
    ac_stream_unref(s);
    keep_release(&k);
    ac_server_unref(a);
  }
  /* Bad options. */
  o.ipv6_only = 2;
  CHECK_RC(ac_server_listen_tcp_ex(loop, "127.0.0.1", 0, 0, &o, keep_connection, &k, NULL, &a), AC_EINVAL);
  finish(loop);
}

static void test_client_local_address(void) {
  ac_loop *loop = net_loop();
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "0.0.0.0", 0, 0, keep_connection, &k, NULL, &srv), 0);
  int port = ac_server_port(srv);
  /* A free port to bind the client to. */
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = {.sin_family = AF_INET};
  sin.sin_addr.s_addr = htonl(0x7f000002);
  CHECK_INT(bind(probe, (struct sockaddr *)&sin, sizeof sin), 0);
  socklen_t len = sizeof sin;
  getsockname(probe, (struct sockaddr *)&sin, &len);
  int local_port = ntohs(sin.sin_port);
  close(probe);

  ac_connect_options o;
  ac_connect_options_init(&o);
  o.local_host = "127.0.0.2";
  o.local_port = local_port;
  ac_stream *c = dial(loop, port, &o);
  char *local, *peer, expected[32];
  snprintf(expected, sizeof expected, "127.0.0.2:%d", local_port);
  CHECK_RC(ac_stream_local_address(c, &local), 0);
  CHECK_STR(local, expected);
  ac_free(local);
  net_run_until(loop, &k.n, 5);
  CHECK_INT(k.n, 1);
  CHECK_RC(ac_stream_peer_address(k.conns[0], &peer), 0);
  CHECK_STR(peer, expected);
  ac_free(peer);
  ac_stream_unref(c);

  /* A local address of the other family: the only attempt fails. */
  ac_stream *s;
  ac_future *f;
  o.local_host = "::1";
  o.local_port = 0;
  CHECK_RC(ac_stream_connect_tcp_ex(loop, "127.0.0.1", port, &o, &s, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), -EADDRNOTAVAIL);
  ac_future_unref(f);
  ac_stream_unref(s);
  /* Not numeric, bad port: refused at once. */
  o.local_host = "localhost";
  CHECK_RC(ac_stream_connect_tcp_ex(loop, "127.0.0.1", port, &o, &s, &f), AC_EINVAL);
  o.local_host = NULL;
  o.local_port = 70000;
  CHECK_RC(ac_stream_connect_tcp_ex(loop, "127.0.0.1", port, &o, &s, &f), AC_EINVAL);
  keep_release(&k);
  ac_server_unref(srv);
  finish(loop);
}

/* A listener on 127.0.0.2:port whose accept queue is full (backlog 0, one
 * connection never accepted): the kernel drops further SYNs, so a connect
 * to it neither succeeds nor fails. Returns the listener; *filler is the
 * connection that fills the queue. */
static int blackhole(int port, int *filler) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  sin.sin_addr.s_addr = htonl(0x7f000002);
  if (bind(l, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(l, 0) != 0) {
    close(l);
    return -1;
  }
  *filler = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(*filler, (struct sockaddr *)&sin, sizeof sin) != 0) {
    close(*filler);
    close(l);
    return -1;
  }
  return l;
}

static void test_happy_eyeballs_passes_a_blackhole(void) {
  ac_loop *loop = net_loop();
  int fds_before = open_fds();
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  int port = ac_server_port(srv);
  int filler = -1;
  int hole = blackhole(port, &filler);
  CHECK(hole >= 0);
  const char *addrs[] = {"127.0.0.2", "127.0.0.1"};
  ac_connect_options o;
  ac_connect_options_init(&o);
  o.happy_eyeballs_delay = 0.05;
  ac_stream *s;
  ac_future *f;
  CHECK_RC(ac_stream_connect_tcp_addresses(loop, addrs, 2, port, &o, &s, &f), 0);
  CHECK(ac_stream_fileno(s) == -1); /* no winner yet */
  CHECK_RC(net_wait(loop, f, 10), 0);
  ac_future_unref(f);
  char *peer, expected[32];
  snprintf(expected, sizeof expected, "127.0.0.1:%d", port);
  CHECK_RC(ac_stream_peer_address(s, &peer), 0);
  CHECK_STR(peer, expected);
  ac_free(peer);
  net_run_until(loop, &k.n, 5);
  CHECK_INT(k.n, 1);
  /* The stream works. */
  CHECK_RC(ac_stream_write(k.conns[0], "hi\n", 3), 0);
  CHECK_RC(ac_stream_readline(s, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "hi\n");
  ac_future_unref(f);
  ac_stream_unref(s);

  /* Cancelled while the blackhole attempt runs: nothing is left over. */
  const char *only_hole[] = {"127.0.0.2", "127.0.0.2"};
  CHECK_RC(ac_stream_connect_tcp_addresses(loop, only_hole, 2, port, &o, &s, &f), 0);
  net_run_for(loop, 0.12); /* both attempts started */
  CHECK_INT(ac_future_done(f), 0);
  CHECK(ac_future_cancel(f, NULL) == 1);
  CHECK_INT(ac_stream_is_closing(s), 1);
  ac_future_unref(f);
  ac_stream_unref(s);
  net_run_for(loop, 0.05);

  /* Without happy eyeballs the addresses go one after the other: a
   * refused one first is passed. */
  ac_server_close(srv);
  keep_release(&k);
  ac_server_unref(srv);
  net_run_for(loop, 0.05);
  close(filler);
  close(hole);
  CHECK_INT(open_fds(), fds_before);
  finish(loop);
}

static void test_all_addresses_refused(void) {
  ac_loop *loop = net_loop();
  int fds_before = open_fds();
  /* A port nobody listens on: bind one, do not listen. */
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = {.sin_family = AF_INET};
  sin.sin_addr.s_addr = htonl(0x7f000001);
  bind(probe, (struct sockaddr *)&sin, sizeof sin);
  socklen_t len = sizeof sin;
  getsockname(probe, (struct sockaddr *)&sin, &len);
  int port = ntohs(sin.sin_port);
  const char *addrs[] = {"127.0.0.1", "127.0.0.3", "127.0.0.4"};
  ac_connect_options o;
  ac_connect_options_init(&o);
  ac_stream *s;
  ac_future *f;
  for (int he = 0; he < 2; ++he) {
    o.happy_eyeballs_delay = he ? 10.0 : -1; /* a failure starts the next at once */
    CHECK_RC(ac_stream_connect_tcp_addresses(loop, addrs, 3, port, &o, &s, &f), 0);
    CHECK_RC(net_wait(loop, f, 5), AC_ECONNREFUSED);
    /* asyncio's message: every attempt, in the order they failed. */
    char want[256];
    snprintf(want, sizeof want,
             "Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', %d), "
             "[Errno 111] Connect call failed ('127.0.0.3', %d), "
             "[Errno 111] Connect call failed ('127.0.0.4', %d)",
             port, port, port);
    CHECK_STR(ac_error_message(ac_future_error(f)), want);
    CHECK_STR(ac_err_class(ac_error_code(ac_future_error(f))), "ConnectionRefusedError");
    ac_future_unref(f);
    CHECK_INT(ac_stream_is_closing(s), 1);
    ac_stream_unref(s);
  }
  /* Not numeric. */
  const char *names[] = {"localhost"};
  CHECK_RC(ac_stream_connect_tcp_addresses(loop, names, 1, port, &o, &s, &f), AC_EINVAL);
  CHECK_RC(ac_stream_connect_tcp_addresses(loop, addrs, 0, port, &o, &s, &f), AC_EINVAL);
  close(probe);
  net_run_for(loop, 0.02);
  CHECK_INT(open_fds(), fds_before);
  finish(loop);
}

/* ---- servers closing their clients ---- */

static int64_t read_all(ac_loop *loop, ac_stream *s, int *rc, char *first, size_t first_cap) {
  ac_future *f;
  CHECK_RC(ac_stream_read(s, SIZE_MAX, &f), 0);
  *rc = net_wait(loop, f, 10);
  int64_t n = -1;
  if (*rc == 0) {
    ac_value v;
    ac_future_result(f, &v);
    n = (int64_t)v.u.bytes.len;
    if (first != NULL) {
      size_t c = v.u.bytes.len < first_cap - 1 ? v.u.bytes.len : first_cap - 1;
      memcpy(first, v.u.bytes.data, c);
      first[c] = '\0';
    }
  }
  ac_future_unref(f);
  return n;
}

enum { kBig = 8 << 20 };

/* Three clients: idle, half-closed (sent EOF), and one the server is
 * writing 8 MiB to while it does not read. */
static void three_clients(ac_loop *loop, ac_server *srv, struct keep *k, ac_stream *c[3],
                          ac_future **pending_read) {
  int port = ac_server_port(srv);
  for (int i = 0; i < 3; ++i) c[i] = dial(loop, port, NULL);
  int three = 0;
  double end = ac_loop_time(loop) + 5;
  while (k->n < 3 && ac_loop_time(loop) < end) ac_loop_step(loop, 0.02, NULL, NULL);
  (void)three;
  CHECK_INT(k->n, 3);
  CHECK_INT(ac_server_connections(srv), 3);
  /* Which accepted stream is which: by the client's local port. */
  ac_stream *by_client[3] = {0};
  for (int i = 0; i < 3; ++i) {
    char *local;
    ac_stream_local_address(c[i], &local);
    for (int j = 0; j < 3; ++j) {
      char *peer;
      ac_stream_peer_address(k->conns[j], &peer);
      if (strcmp(peer, local) == 0) by_client[i] = k->conns[j];
      ac_free(peer);
    }
    ac_free(local);
  }
  for (int i = 0; i < 3; ++i) {
    CHECK(by_client[i] != NULL);
    k->conns[i] = by_client[i];
  }
  /* Client 1 half-closes; the server sees EOF. */
  CHECK_RC(ac_stream_write_eof(c[1]), 0);
  ac_future *f;
  CHECK_RC(ac_stream_read(k->conns[1], 100, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "");
  ac_future_unref(f);
  /* The server writes 8 MiB to client 2, which does not read. */
  char *big = malloc(kBig);
  memset(big, 'x', kBig);
  CHECK_RC(ac_stream_write(k->conns[2], big, kBig), 0);
  free(big);
  net_run_for(loop, 0.05);
  CHECK(ac_stream_write_buffer_size(k->conns[2]) > 0);
  /* The server waits to read from client 0. */
  CHECK_RC(ac_stream_read(k->conns[0], 100, pending_read), 0);
}

static void test_close_clients_flushes_and_wait_closed_waits(void) {
  ac_loop *loop = net_loop();
  int fds_before = open_fds();
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  ac_stream *c[3];
  ac_future *pending, *w;
  three_clients(loop, srv, &k, c, &pending);
  CHECK_RC(ac_server_wait_closed(srv, &w), 0);
  CHECK_RC(ac_server_close(srv), 0);
  net_run_for(loop, 0.02);
  CHECK_INT(ac_future_done(w), 0); /* closed, connections open */
  CHECK_INT(ac_server_close_clients(srv), 3);
  /* The server's pending read fails with AC_ECLOSED. */
  CHECK_RC(net_wait(loop, pending, 5), AC_ECLOSED);
  ac_future_unref(pending);
  int rc;
  char head[8];
  CHECK_INT(read_all(loop, c[0], &rc, head, sizeof head), 0);
  CHECK_RC(rc, 0); /* EOF */
  CHECK_INT(read_all(loop, c[1], &rc, head, sizeof head), 0);
  CHECK_RC(rc, 0);
  /* The 8 MiB are all delivered before EOF: close flushes. */
  CHECK_INT(read_all(loop, c[2], &rc, head, sizeof head), kBig);
  CHECK_RC(rc, 0);
  CHECK_STR(head, "xxxxxxx");
  CHECK_RC(net_wait(loop, w, 5), 0);
  ac_future_unref(w);
  CHECK_INT(ac_server_connections(srv), 0);
  for (int i = 0; i < 3; ++i) ac_stream_unref(c[i]);
  keep_release(&k);
  ac_server_unref(srv);
  net_run_for(loop, 0.02);
  CHECK_INT(open_fds(), fds_before);
  finish(loop);
}

static void test_abort_clients_drops_buffered_output(void) {
  ac_loop *loop = net_loop();
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  ac_stream *c[3];
  ac_future *pending, *w, *drain;
  three_clients(loop, srv, &k, c, &pending);
  CHECK_RC(ac_stream_drain(k.conns[2], &drain), 0);
  /* Open server: wait_closed waits for both conditions. */
  CHECK_RC(ac_server_wait_closed(srv, &w), 0);
  CHECK_INT(ac_server_abort_clients(srv), 3);
  CHECK_INT(ac_stream_is_closing(k.conns[2]), 1);
  CHECK_INT(ac_stream_write_buffer_size(k.conns[2]), 0);
  CHECK_RC(net_wait(loop, pending, 5), AC_ECLOSED);
  ac_future_unref(pending);
  CHECK_RC(net_wait(loop, drain, 5), AC_ECLOSED);
  ac_future_unref(drain);
  int rc;
  CHECK_INT(read_all(loop, c[0], &rc, NULL, 0), 0);
  CHECK_RC(rc, 0);
  CHECK_INT(read_all(loop, c[1], &rc, NULL, 0), 0);
  CHECK_RC(rc, 0);
  /* Only what the kernel had taken arrives, then EOF. */
  int64_t got = read_all(loop, c[2], &rc, NULL, 0);
  CHECK_RC(rc, 0);
  CHECK(got >= 0 && got < kBig);
  net_run_for(loop, 0.02);
  CHECK_INT(ac_server_connections(srv), 0);
  CHECK_INT(ac_future_done(w), 0); /* still serving */
  /* A new client is still accepted; then close: now it completes once
   * that one is gone too. */
  ac_stream *late = dial(loop, ac_server_port(srv), NULL);
  net_run_until(loop, &(int){0}, 0.05);
  CHECK_INT(ac_server_connections(srv), 1);
  CHECK_RC(ac_server_close(srv), 0);
  net_run_for(loop, 0.02);
  CHECK_INT(ac_future_done(w), 0);
  ac_stream_unref(late);              /* the client goes ... */
  CHECK_INT(ac_server_close_clients(srv), 1); /* ... and the server side closes */
  CHECK_RC(net_wait(loop, w, 5), 0);
  ac_future_unref(w);
  for (int i = 0; i < 3; ++i) ac_stream_unref(c[i]);
  keep_release(&k);
  ac_server_unref(srv);
  finish(loop);
}

static void test_serve_forever(void) {
  ac_loop *loop = net_loop();
  struct keep k = {0};
  ac_server *srv;
  ac_future *f, *g;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  CHECK_RC(ac_server_serve_forever(srv, &f), 0);
  CHECK_RC(ac_server_serve_forever(srv, &g), AC_ESTATE);
  CHECK_STR(ac_last_error_message(AC_ESTATE), "server is already being awaited on serve_forever()");
  ac_stream *c = dial(loop, ac_server_port(srv), NULL);
  net_run_until(loop, &k.n, 5);
  CHECK_INT(k.n, 1);
  CHECK_INT(ac_future_done(f), 0);
  /* close() cancels it, as asyncio's. */
  CHECK_RC(ac_server_close(srv), 0);
  CHECK_INT(ac_future_cancelled(f), 1);
  ac_future_unref(f);
  CHECK_RC(ac_server_serve_forever(srv, &g), AC_ECLOSED);
  ac_stream_unref(c);
  keep_release(&k);
  ac_server_unref(srv);
  /* Cancelling it closes the server. */
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  CHECK_RC(ac_server_serve_forever(srv, &f), 0);
  CHECK(ac_future_cancel(f, NULL) == 1);
  CHECK_INT(ac_server_is_serving(srv), 0);
  CHECK_RC(ac_server_wait_closed(srv, &g), 0);
  CHECK_RC(net_wait(loop, g, 5), 0);
  ac_future_unref(g);
  ac_future_unref(f);
  ac_server_unref(srv);
  finish(loop);
}

/* ---- sendfile ---- */

static char *make_file(size_t size, char *path, size_t cap) {
  snprintf(path, cap, "/tmp/ac-sendfile-%d", (int)getpid());
  char *data = malloc(size);
  for (size_t i = 0; i < size; ++i) data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
  FILE *fp = fopen(path, "wb");
  fwrite(data, 1, size, fp);
  fclose(fp);
  return data;
}

static int64_t future_int(ac_future *f) {
  ac_value v;
  if (ac_future_result(f, &v) != 0 || v.kind != AC_VALUE_INT64) return -1;
  return v.u.i64;
}

static void test_sendfile_kernel_path(void) {
  ac_loop *loop = net_loop();
  int fds_before = open_fds();
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  ac_stream *c = dial(loop, ac_server_port(srv), NULL);
  net_run_until(loop, &k.n, 5);
  ac_stream *s = k.conns[0];
  enum { kSize = 24 * 1024 * 1024 + 17 };
  char path[64];
  char *data = make_file(kSize, path, sizeof path);
  /* Buffered output goes first. */
  CHECK_RC(ac_stream_write(s, "HEAD", 4), 0);
  ac_future *f;
  CHECK_RC(ac_stream_sendfile_path(s, path, 100, 0, &f), 0);
  CHECK_RC(ac_stream_write(s, "x", 1), AC_ESTATE);
  ac_future *g;
  CHECK_RC(ac_stream_sendfile_path(s, path, 0, 0, &g), AC_ESTATE);
  /* The client reads while it runs. */
  ac_future *r;
  CHECK_RC(ac_stream_readexactly(c, 4 + kSize - 100, &r), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_INT(future_int(f), kSize - 100);
  ac_future_unref(f);
  CHECK_RC(net_wait(loop, r, 10), 0);
  ac_value v;
  ac_future_result(r, &v);
  CHECK(memcmp(v.u.bytes.data, "HEAD", 4) == 0);
  CHECK(memcmp((char *)v.u.bytes.data + 4, data + 100, kSize - 100) == 0);
  ac_future_unref(r);
  /* From a descriptor, offset and count: the file position follows. */
  int fd = open(path, O_RDONLY);
  CHECK_RC(ac_stream_sendfile(s, fd, 1000, 5000, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_INT(future_int(f), 5000);
  ac_future_unref(f);
  CHECK_INT(lseek(fd, 0, SEEK_CUR), 6000);
  CHECK_RC(ac_stream_readexactly(c, 5000, &r), 0);
  CHECK_RC(net_wait(loop, r, 10), 0);
  ac_future_result(r, &v);
  CHECK(memcmp(v.u.bytes.data, data + 1000, 5000) == 0);
  ac_future_unref(r);
  /* Count past the end: what the file has. */
  CHECK_RC(ac_stream_sendfile(s, fd, kSize - 10, 1000, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_INT(future_int(f), 10);
  ac_future_unref(f);
  close(fd);
  /* Writes work again. */
  CHECK_RC(ac_stream_write(s, "END", 3), 0);
  CHECK_RC(ac_stream_readexactly(c, 13, &r), 0);
  CHECK_RC(net_wait(loop, r, 10), 0);
  ac_future_result(r, &v);
  CHECK(memcmp(v.u.bytes.data, data + kSize - 10, 10) == 0);
  CHECK(memcmp((char *)v.u.bytes.data + 10, "END", 3) == 0);
  ac_future_unref(r);
  /* Bad input. */
  CHECK_RC(ac_stream_sendfile_path(s, "/nonexistent/file", 0, 0, &f), AC_ENOENT);
  CHECK_RC(ac_stream_sendfile(s, -1, 0, 0, &f), AC_EINVAL);
  CHECK_RC(ac_stream_sendfile(s, 0, -1, 0, &f), AC_EINVAL);
  unlink(path);
  free(data);
  ac_stream_unref(c);
  keep_release(&k);
  ac_server_unref(srv);
  net_run_for(loop, 0.02);
  CHECK_INT(open_fds(), fds_before);
  finish(loop);
}

static void test_sendfile_falls_back_for_a_pipe(void) {
  ac_loop *loop = net_loop();
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  ac_stream *c = dial(loop, ac_server_port(srv), NULL);
  net_run_until(loop, &k.n, 5);
  ac_stream *s = k.conns[0];
  int p[2];
  CHECK_INT(pipe(p), 0);
  char buf[20000];
  for (size_t i = 0; i < sizeof buf; ++i) buf[i] = (char)('0' + i % 10);
  CHECK_INT(write(p[1], buf, sizeof buf), (int)sizeof buf);
  close(p[1]);
  ac_future *f, *r;
  CHECK_RC(ac_stream_sendfile(s, p[0], 0, 0, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_INT(future_int(f), (int)sizeof buf);
  ac_future_unref(f);
  close(p[0]);
  CHECK_RC(ac_stream_close(s), 0);
  CHECK_RC(ac_stream_read(c, SIZE_MAX, &r), 0);
  CHECK_RC(net_wait(loop, r, 10), 0);
  ac_value v;
  ac_future_result(r, &v);
  CHECK_INT(v.u.bytes.len, sizeof buf);
  CHECK(memcmp(v.u.bytes.data, buf, sizeof buf) == 0);
  ac_future_unref(r);
  ac_stream_unref(c);
  keep_release(&k);
  ac_server_unref(srv);
  finish(loop);
}

static void test_sendfile_to_a_closing_peer(void) {
  ac_loop *loop = net_loop();
  struct keep k = {0};
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_connection, &k, NULL, &srv), 0);
  ac_stream *c = dial(loop, ac_server_port(srv), NULL);
  net_run_until(loop, &k.n, 5);
  ac_stream *s = k.conns[0];
  enum { kSize = 16 * 1024 * 1024 };
  char path[64];
  char *data = make_file(kSize, path, sizeof path);
  ac_future *f;
  CHECK_RC(ac_stream_sendfile_path(s, path, 0, 0, &f), 0);
  net_run_for(loop, 0.02);
  /* The server stream closes while the kernel waits for the client. */
  ac_stream_abort(s);
  CHECK_RC(net_wait(loop, f, 5), AC_ECLOSED);
  ac_future_unref(f);
  ac_stream_unref(c);
  /* The client goes away mid-transfer: the connection's error, and no
   * SIGPIPE. */
  c = dial(loop, ac_server_port(srv), NULL);
  int two = 2;
  net_run_until(loop, &(int){0}, 0.05);
  CHECK_INT(k.n, two);
  s = k.conns[1];
  CHECK_RC(ac_stream_sendfile_path(s, path, 0, 0, &f), 0);
  net_run_for(loop, 0.02);
  ac_stream_abort(c);
  int rc = net_wait(loop, f, 5);
  CHECK(rc == AC_EPIPE || rc == AC_ECONNRESET);
  ac_future_unref(f);
  unlink(path);
  free(data);
  ac_stream_unref(c);
  keep_release(&k);
  ac_server_unref(srv);
  finish(loop);
}

/* ---- UDP options ---- */

static int udp_port(ac_udp *u) {
  char *a;
  CHECK_RC(ac_udp_local_address(u, &a), 0);
  int port = atoi(strrchr(a, ':') + 1);
  ac_free(a);
  return port;
}

static void test_udp_options(void) {
  ac_loop *loop = net_loop();
  int fds_before = open_fds();
  /* Defaults: neither option, and a second bind of the port is refused. */
  ac_udp *a, *b, *c;
  CHECK_RC(ac_udp_bind_ex(loop, "127.0.0.1", 0, NULL, &a), 0);
  int fd = ac_udp_fileno(a);
  CHECK(fd >= 0);
  CHECK_INT(sockopt_int(fd, SOL_SOCKET, SO_REUSEPORT), 0);
  CHECK_INT(sockopt_int(fd, SOL_SOCKET, SO_BROADCAST), 0);
  CHECK_INT(sockopt_int(fd, SOL_SOCKET, SO_REUSEADDR), 0);
  CHECK_RC(ac_udp_bind(loop, "127.0.0.1", udp_port(a), &b), AC_EADDRINUSE);
  /* Without SO_BROADCAST a broadcast address is refused (EACCES), then
   * allowed once switched on. */
  CHECK_RC(ac_udp_send(a, "x", 1, "127.255.255.255:9"), -EACCES);
  CHECK_RC(ac_udp_set_broadcast(a, 1), 0);
  CHECK_INT(sockopt_int(fd, SOL_SOCKET, SO_BROADCAST), 1);
  CHECK_RC(ac_udp_send(a, "x", 1, "127.255.255.255:9"), 0);
  CHECK_RC(ac_udp_set_broadcast(a, 0), 0);
  CHECK_INT(sockopt_int(fd, SOL_SOCKET, SO_BROADCAST), 0);
  CHECK_RC(ac_udp_set_broadcast(a, 2), AC_EINVAL);
  CHECK_RC(ac_udp_set_broadcast(NULL, 1), AC_EINVAL);
  ac_udp_close(a);
  CHECK_INT(ac_udp_fileno(a), -1);
  CHECK_RC(ac_udp_set_broadcast(a, 1), AC_ECLOSED);
  ac_udp_unref(a);
  CHECK_RC(ac_udp_fileno(NULL), AC_EINVAL);

  /* allow_broadcast at bind. */
  ac_udp_options o;
  ac_udp_options_init(&o);
  CHECK_INT(o.reuse_port, 0);
  CHECK_INT(o.allow_broadcast, 0);
  o.allow_broadcast = 1;
  CHECK_RC(ac_udp_bind_ex(loop, "127.0.0.1", 0, &o, &a), 0);
  CHECK_INT(sockopt_int(ac_udp_fileno(a), SOL_SOCKET, SO_BROADCAST), 1);
  ac_udp_unref(a);
  o.allow_broadcast = 2;
  a = NULL;
  CHECK_RC(ac_udp_bind_ex(loop, "127.0.0.1", 0, &o, &a), AC_EINVAL);
  CHECK(a == NULL);

  /* reuse_port: two endpoints on one port, datagrams spread over both
   * (the kernel hashes the sender's address: eight senders). */
  ac_udp_options_init(&o);
  o.reuse_port = 1;
  CHECK_RC(ac_udp_bind_ex(loop, "127.0.0.1", 0, &o, &a), 0);
  int port = udp_port(a);
  CHECK_RC(ac_udp_bind_ex(loop, "127.0.0.1", port, &o, &b), 0);
  CHECK_INT(sockopt_int(ac_udp_fileno(a), SOL_SOCKET, SO_REUSEPORT), 1);
  CHECK_INT(sockopt_int(ac_udp_fileno(b), SOL_SOCKET, SO_REUSEPORT), 1);
  CHECK_INT(udp_port(b), port);
  /* One without the option cannot join them. */
  CHECK_RC(ac_udp_bind(loop, "127.0.0.1", port, &c), AC_EADDRINUSE);
  ac_future *ra, *rb;
  CHECK_RC(ac_udp_recv(a, &ra), 0); /* receiving starts with a receive */
  CHECK_RC(ac_udp_recv(b, &rb), 0);
  char to[32];
  snprintf(to, sizeof to, "127.0.0.1:%d", port);
  enum { kSenders = 8 };
  for (int i = 0; i < kSenders; ++i) {
    CHECK_RC(ac_udp_bind(loop, "127.0.0.1", 0, &c), 0);
    CHECK_RC(ac_udp_send(c, "d", 1, to), 0);
    ac_udp_unref(c);
  }
  int64_t got = 0;
  double end = ac_loop_time(loop) + 5;
  while (ac_loop_time(loop) < end) {
    got = ac_future_done(ra) + ac_future_done(rb) + ac_udp_queued(a) + ac_udp_queued(b);
    if (got == kSenders) break;
    ac_loop_step(loop, 0.02, NULL, NULL);
  }
  CHECK_INT(got, kSenders);
  CHECK_INT(ac_udp_dropped(a) + ac_udp_dropped(b), 0);
  ac_future_unref(ra);
  ac_future_unref(rb);
  ac_udp_unref(a);
  ac_udp_unref(b);
  net_run_for(loop, 0.02);
  CHECK_INT(open_fds(), fds_before);
  finish(loop);
}

int main(void) {
  alarm(120); /* SIGPIPE keeps its default: it would kill the test */
  RUN(test_nodelay_is_on_by_default_and_switchable);
  RUN(test_keepalive_with_timers);
  RUN(test_unix_streams_have_no_tcp_options);
  RUN(test_server_options_read_back);
  RUN(test_client_local_address);
  RUN(test_happy_eyeballs_passes_a_blackhole);
  RUN(test_all_addresses_refused);
  RUN(test_close_clients_flushes_and_wait_closed_waits);
  RUN(test_abort_clients_drops_buffered_output);
  RUN(test_serve_forever);
  RUN(test_sendfile_kernel_path);
  RUN(test_sendfile_falls_back_for_a_pipe);
  RUN(test_sendfile_to_a_closing_peer);
  RUN(test_udp_options);
  return th_finish();
}
