#define _GNU_SOURCE
/* server.c — ac_server: bound addresses (the real port for port 0), the
 * callback and task-per-connection forms, Unix sockets, close and
 * wait_closed, address in use, and interoperation with programs that are
 * not ours (Debian's python3 socket module, OpenBSD netcat) in both
 * directions. */
#include <stddef.h>
#include <stdio.h>

#include "net_util.h"

static int finished_connections;

struct echo {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};

/* Echoes lines until EOF, then closes. */
static int echo_step(ac_task *t, void *p) {
  struct echo *e = p;
  ac_future *f;
  ac_value v;
  AC_BEGIN(e);
  for (;;) {
    if (ac_stream_readline(e->stream, &f) != 0) return AC_EINTERNAL;
    AC_AWAIT(e, ac_task_await_owned(t, f));
    AC_CHECK(t);
    ac_future_result(ac_task_awaited(t), &v);
    if (v.u.bytes.len == 0) break;
    if (ac_stream_write(e->stream, v.u.bytes.data, v.u.bytes.len) != 0) break;
    if (ac_stream_drain(e->stream, &f) != 0) return AC_EINTERNAL;
    AC_AWAIT(e, ac_task_await_owned(t, f));
    AC_CHECK(t);
  }
  ac_stream_close(e->stream);
  ++finished_connections;
  AC_END(e);
}

static int n_calls;
static void count_connection(ac_server *srv, ac_stream *s, void *ud) {
  (void)srv;
  (void)s;
  ++*(int *)ud;
}
static int frees;
static void count_free(void *ud) {
  (void)ud;
  ++frees;
}

static ac_stream *dial(ac_loop *loop, int port, int *rc) {
  ac_stream *s = NULL;
  ac_future *c = NULL;
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", port, &s, &c), 0);
  *rc = net_wait(loop, c, 5);
  ac_future_unref(c);
  return s;
}

static void finish(ac_loop *loop) {
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

static void test_port_zero_gives_the_real_port(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  n_calls = 0;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, count_connection, &n_calls, NULL, &srv), 0);
  int port = ac_server_port(srv);
  CHECK(port > 0 && port <= 65535);
  char *addr, expected[32];
  CHECK_RC(ac_server_address(srv, &addr), 0);
  snprintf(expected, sizeof expected, "127.0.0.1:%d", port);
  CHECK_STR(addr, expected);
  ac_free(addr);
  CHECK_INT(ac_server_is_serving(srv), 1);
  int rc;
  ac_stream *s = dial(loop, port, &rc);
  CHECK_RC(rc, 0);
  net_run_until(loop, &n_calls, 5);
  CHECK_INT(n_calls, 1);
  CHECK_INT(ac_server_accepted(srv), 1);
  ac_stream_unref(s);
  ac_server_unref(srv);
  finish(loop);
}

static void test_ipv6_loopback_address_format(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  int rc = ac_server_listen_tcp(loop, "::1", 0, 0, count_connection, &n_calls, NULL, &srv);
  if (rc != 0) { /* no IPv6 here: nothing to check */
    finish(loop);
    return;
  }
  char *addr, expected[32];
  CHECK_RC(ac_server_address(srv, &addr), 0);
  snprintf(expected, sizeof expected, "[::1]:%d", ac_server_port(srv));
  CHECK_STR(addr, expected);
  ac_free(addr);
  ac_server_unref(srv);
  finish(loop);
}

static void test_task_per_connection_serves_clients_concurrently(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  finished_connections = 0;
  CHECK_RC(ac_server_listen_tcp_tasks(loop, "127.0.0.1", 0, 0, echo_step, sizeof(struct echo),
                                      offsetof(struct echo, stream), &srv), 0);
  int port = ac_server_port(srv), rc;
  ac_stream *c[3];
  for (int i = 0; i < 3; ++i) {
    c[i] = dial(loop, port, &rc);
    CHECK_RC(rc, 0);
  }
  /* Interleaved: each client gets its own answers. */
  for (int i = 2; i >= 0; --i) {
    char line[16];
    snprintf(line, sizeof line, "client %d\n", i);
    CHECK_RC(ac_stream_write(c[i], line, strlen(line)), 0);
  }
  for (int i = 0; i < 3; ++i) {
    ac_future *f;
    char line[16];
    snprintf(line, sizeof line, "client %d\n", i);
    CHECK_RC(ac_stream_readline(c[i], &f), 0);
    CHECK_RC(net_wait(loop, f, 5), 0);
    CHECK_STR(net_text(f), line);
    ac_future_unref(f);
    ac_stream_write_eof(c[i]);
  }
  double end = ac_loop_time(loop) + 5;
  while (finished_connections < 3 && ac_loop_time(loop) < end) net_run_for(loop, 0.02);
  CHECK_INT(finished_connections, 3);
  for (int i = 0; i < 3; ++i) ac_stream_unref(c[i]);
  ac_server_unref(srv);
  finish(loop);
}

static void test_unix_server(void) {
  if (!th_have_af_unix()) SKIP("no Unix-domain sockets on this system");
  ac_loop *loop = net_loop();
  char path[64];
  snprintf(path, sizeof path, "/tmp/ac-server-%d.sock", (int)getpid());
  unlink(path);
  ac_server *srv, *again;
  CHECK_RC(ac_server_listen_unix_tasks(loop, path, 0, echo_step, sizeof(struct echo),
                                       offsetof(struct echo, stream), &srv), 0);
  char *addr;
  CHECK_RC(ac_server_address(srv, &addr), 0);
  CHECK_STR(addr, path);
  ac_free(addr);
  CHECK_RC(ac_server_port(srv), AC_EINVAL);
  /* The path is taken. */
  CHECK_RC(ac_server_listen_unix(loop, path, 0, count_connection, &n_calls, NULL, &again),
           AC_EADDRINUSE);
  ac_stream *s;
  ac_future *c, *f;
  CHECK_RC(ac_stream_connect_unix(loop, path, &s, &c), 0);
  CHECK_RC(net_wait(loop, c, 5), 0);
  ac_future_unref(c);
  CHECK_RC(ac_stream_write(s, "via path\n", 9), 0);
  CHECK_RC(ac_stream_readline(s, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "via path\n");
  ac_future_unref(f);
  CHECK_RC(ac_server_close(srv), 0);
  CHECK(access(path, F_OK) != 0);
  ac_stream_unref(s);
  ac_server_unref(srv);
  finish(loop);
}

static void test_close_stops_accepting_and_keeps_connections(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  finished_connections = 0;
  CHECK_RC(ac_server_listen_tcp_tasks(loop, "127.0.0.1", 0, 0, echo_step, sizeof(struct echo),
                                      offsetof(struct echo, stream), &srv), 0);
  int port = ac_server_port(srv), rc;
  ac_stream *s = dial(loop, port, &rc);
  CHECK_RC(rc, 0);
  ac_future *w, *f;
  CHECK_RC(ac_server_wait_closed(srv, &w), 0);
  CHECK_RC(ac_server_close(srv), 0);
  CHECK_RC(ac_server_close(srv), 0);
  CHECK_INT(ac_server_is_serving(srv), 0);
  /* asyncio 3.12.1+: wait_closed also waits for the open connection. */
  net_run_for(loop, 0.05);
  CHECK_INT(ac_future_done(w), 0);
  CHECK_INT(ac_server_connections(srv), 1);
  /* New connections are refused ... */
  ac_stream *late = dial(loop, port, &rc);
  CHECK_RC(rc, AC_ECONNREFUSED);
  ac_stream_unref(late);
  /* ... the existing one is still served. */
  CHECK_RC(ac_stream_write(s, "still here\n", 11), 0);
  CHECK_RC(ac_stream_readline(s, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "still here\n");
  ac_future_unref(f);
  CHECK_RC(ac_server_address(srv, &(char *){NULL}), AC_ECLOSED);
  CHECK_INT(ac_future_done(w), 0);
  /* The client leaves, the handler closes: now wait_closed completes, and
   * a new one is done at once. */
  ac_stream_unref(s);
  CHECK_RC(net_wait(loop, w, 5), 0);
  ac_future_unref(w);
  CHECK_INT(ac_server_connections(srv), 0);
  CHECK_RC(ac_server_wait_closed(srv, &w), 0);
  CHECK_RC(net_wait(loop, w, 5), 0);
  ac_future_unref(w);
  ac_server_unref(srv);
  finish(loop);
}

static void test_tcp_address_in_use(void) {
  ac_loop *loop = net_loop();
  ac_server *a, *b = NULL;
  frees = 0;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, count_connection, &n_calls, count_free, &a), 0);
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", ac_server_port(a), 0, count_connection,
                                &n_calls, count_free, &b), AC_EADDRINUSE);
  CHECK(b == NULL);
  CHECK_INT(frees, 1); /* the failed one's user data, at once */
  ac_server_unref(a);
  CHECK_INT(frees, 1); /* after its handles close */
  finish(loop);
  CHECK_INT(frees, 2);
}

#ifndef _WIN32 /* these tests start POSIX peers */
static void test_python_client_talks_to_our_server(void) {
  const char *py = net_python();
  ac_loop *loop = net_loop();
  ac_server *srv;
  finished_connections = 0;
  CHECK_RC(ac_server_listen_tcp_tasks(loop, "127.0.0.1", 0, 0, echo_step, sizeof(struct echo),
                                      offsetof(struct echo, stream), &srv), 0);
  char port[16];
  snprintf(port, sizeof port, "%d", ac_server_port(srv));
  static const char script[] =
      "import socket, sys\n"
      "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)\n"
      "s.sendall(b'ping from python\\nsecond line\\n')\n"
      "s.shutdown(socket.SHUT_WR)\n"
      "data = b''\n"
      "while True:\n"
      "    chunk = s.recv(4096)\n"
      "    if not chunk: break\n"
      "    data += chunk\n"
      "sys.stdout.write(data.decode())\n";
  char *argv[] = {(char *)py, "-c", (char *)script, port, NULL};
  int out = -1;
  pid_t pid = net_spawn(argv, &out);
  CHECK(pid > 0);
  net_run_until(loop, &finished_connections, 10);
  char buf[256];
  CHECK_INT(net_collect(pid, out, buf, sizeof buf), 0);
  CHECK_STR(buf, "ping from python\nsecond line\n");
  ac_server_unref(srv);
  finish(loop);
}

static void test_netcat_client_talks_to_our_server(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  finished_connections = 0;
  CHECK_RC(ac_server_listen_tcp_tasks(loop, "127.0.0.1", 0, 0, echo_step, sizeof(struct echo),
                                      offsetof(struct echo, stream), &srv), 0);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "printf 'hello netcat\\n' | nc -N -w 5 127.0.0.1 %d",
           ac_server_port(srv));
  char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  int out = -1;
  pid_t pid = net_spawn(argv, &out);
  CHECK(pid > 0);
  net_run_until(loop, &finished_connections, 10);
  char buf[256];
  CHECK_INT(net_collect(pid, out, buf, sizeof buf), 0);
  CHECK_STR(buf, "hello netcat\n");
  ac_server_unref(srv);
  finish(loop);
}

static void test_our_client_talks_to_a_python_server(void) {
  const char *py = net_python();
  static const char script[] =
      "import socket, sys\n"
      "srv = socket.socket()\n"
      "srv.bind(('127.0.0.1', 0))\n"
      "srv.listen(1)\n"
      "srv.settimeout(10)\n"
      "print(srv.getsockname()[1], flush=True)\n"
      "c, _ = srv.accept()\n"
      "c.settimeout(10)\n"
      "f = c.makefile('rb')\n"
      "line = f.readline()\n"
      "c.sendall(b'python got: ' + line)\n"
      "c.close()\n"
      "print('done', flush=True)\n";
  char *argv[] = {(char *)py, "-c", (char *)script, NULL};
  int out = -1;
  pid_t pid = net_spawn(argv, &out);
  CHECK(pid > 0);
  char line[32];
  net_read_line(out, line, sizeof line);
  int port = atoi(line);
  CHECK(port > 0);
  ac_loop *loop = net_loop();
  int rc;
  ac_stream *s = dial(loop, port, &rc);
  CHECK_RC(rc, 0);
  CHECK_RC(ac_stream_write(s, "hello from C\n", 13), 0);
  ac_future *f;
  CHECK_RC(ac_stream_read(s, SIZE_MAX, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_STR(net_text(f), "python got: hello from C\n");
  ac_future_unref(f);
  char buf[64];
  CHECK_INT(net_collect(pid, out, buf, sizeof buf), 0);
  CHECK_STR(buf, "done\n");
  ac_stream_unref(s);
  finish(loop);
}
#endif /* POSIX peers */

static void test_misuse(void) {
  ac_loop *loop = net_loop();
  ac_server *srv = NULL;
  frees = 0;
  CHECK_RC(ac_server_listen_tcp(NULL, "127.0.0.1", 0, 0, count_connection, NULL, count_free, &srv), AC_EINVAL);
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, NULL, NULL, count_free, &srv), AC_EINVAL);
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", -1, 0, count_connection, NULL, count_free, &srv), AC_EINVAL);
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, count_connection, NULL, count_free, NULL), AC_EINVAL);
  CHECK_RC(ac_server_listen_unix(loop, NULL, 0, count_connection, NULL, count_free, &srv), AC_EINVAL);
  CHECK_RC(ac_server_listen_unix(loop, "", 0, count_connection, NULL, count_free, &srv), AC_EINVAL);
  CHECK_INT(frees, 6); /* free_ud ran at once every time */
  CHECK_RC(ac_server_listen_tcp_tasks(loop, "127.0.0.1", 0, 0, echo_step, 4, 0, &srv), AC_EINVAL);
  CHECK_RC(ac_server_listen_tcp_tasks(loop, "127.0.0.1", 0, 0, NULL, 64, 0, &srv), AC_EINVAL);
  CHECK(srv == NULL);
  CHECK_RC(ac_server_close(NULL), AC_EINVAL);
  CHECK_RC(ac_server_port(NULL), AC_EINVAL);
  CHECK_RC(ac_server_is_serving(NULL), AC_EINVAL);
  CHECK_RC(ac_server_wait_closed(NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_server_close((ac_server *)loop), AC_EINVAL);
  CHECK(ac_server_ref(NULL) == NULL);
  ac_server_unref(NULL);
  finish(loop);
  /* A closed loop refuses new servers. */
  ac_loop *closed = net_loop();
  ac_loop_close(closed);
  CHECK_RC(ac_server_listen_tcp(closed, "127.0.0.1", 0, 0, count_connection, NULL, NULL, &srv), AC_ECLOSED);
  ac_loop_unref(closed);
}

static void skipped(void) {}

int main(void) {
  alarm(120);
  RUN(test_port_zero_gives_the_real_port);
  RUN(test_ipv6_loopback_address_format);
  RUN(test_task_per_connection_serves_clients_concurrently);
  RUN(test_unix_server);
  RUN(test_close_stops_accepting_and_keeps_connections);
  RUN(test_tcp_address_in_use);
#ifndef _WIN32
  if (net_python() != NULL) {
    RUN(test_python_client_talks_to_our_server);
    RUN(test_our_client_talks_to_a_python_server);
  } else
#endif
  {
    th_run("test_python_client_talks_to_our_server # SKIP " NET_NO_PEERS_REASON, skipped);
    th_run("test_our_client_talks_to_a_python_server # SKIP " NET_NO_PEERS_REASON, skipped);
  }
#ifdef _WIN32
  th_run("test_netcat_client_talks_to_our_server # SKIP " NET_NO_PEERS_REASON, skipped);
#else
  if (access("/usr/bin/nc", X_OK) == 0)
    RUN(test_netcat_client_talks_to_our_server);
  else
    th_run("test_netcat_client_talks_to_our_server # SKIP no /usr/bin/nc", skipped);
#endif
  RUN(test_misuse);
  return th_finish();
}
