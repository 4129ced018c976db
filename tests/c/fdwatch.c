#define _GNU_SOURCE
/* fdwatch.c — any descriptor (asyncore/fdwatch.h): readers and writers on
 * real pipes (one per fd, a second add replaces), readiness futures, a
 * descriptor closed behind the loop's back (a clear -EBADF, no spin),
 * refusals, and the sock_* operations on real non-blocking sockets. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "net_util.h"

static int calls[4];
static int freed;
static int reports;
static int report_code;

static void on_ready(ac_loop *loop, void *ud) {
  (void)loop;
  calls[(intptr_t)ud]++;
}
static void count_free(void *ud) {
  (void)ud;
  freed++;
}
static void on_report(ac_loop *loop, const char *message, ac_error *error, ac_future *f,
                      void *ud) {
  (void)loop, (void)message, (void)f, (void)ud;
  reports++;
  report_code = ac_error_code(error);
}

static void reset(void) {
  memset(calls, 0, sizeof calls);
  freed = reports = report_code = 0;
}

static void steps(ac_loop *loop, int n) {
  for (int i = 0; i < n; i++) ac_loop_step(loop, 0.01, NULL, NULL);
}

static void finish(ac_loop *loop) {
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

static void test_reader_writer_on_pipe(void) {
  ac_loop *loop = net_loop();
  int p[2];
  reset();
  CHECK_RC(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  CHECK_RC(ac_loop_add_reader(loop, p[0], on_ready, (void *)0, count_free), 0);
  steps(loop, 3);
  CHECK_INT(calls[0], 0); /* nothing to read */
  CHECK_INT(write(p[1], "x", 1), 1);
  steps(loop, 3);
  CHECK_INT(calls[0], 3); /* level-triggered: once per iteration while readable */
  /* A second reader replaces the first (whose free_ud runs). */
  CHECK_RC(ac_loop_add_reader(loop, p[0], on_ready, (void *)1, count_free), 0);
  CHECK_INT(freed, 1);
  steps(loop, 1);
  CHECK_INT(calls[1], 1);
  CHECK_INT(calls[0], 3);
  char c;
  CHECK_INT(read(p[0], &c, 1), 1);
  steps(loop, 2);
  CHECK_INT(calls[1], 1);
  /* A writer beside it on the other end. */
  CHECK_RC(ac_loop_add_writer(loop, p[1], on_ready, (void *)2, count_free), 0);
  steps(loop, 2);
  CHECK_INT(calls[2], 2);
  CHECK_INT(ac_loop_remove_writer(loop, p[1]), 1);
  CHECK_INT(ac_loop_remove_writer(loop, p[1]), 0);
  CHECK_INT(ac_loop_remove_reader(loop, p[0]), 1);
  CHECK_INT(ac_loop_remove_reader(loop, p[0]), 0);
  CHECK_INT(freed, 3);
  steps(loop, 2);
  CHECK_INT(calls[2], 2);
  close(p[0]);
  close(p[1]);
  finish(loop);
}

static void test_wait_futures(void) {
  ac_loop *loop = net_loop();
  int p[2];
  CHECK_RC(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  ac_future *r, *r2, *w;
  CHECK_RC(ac_wait_readable(loop, p[0], &r), 0);
  CHECK_RC(ac_wait_readable(loop, p[0], &r2), 0);
  CHECK_RC(ac_wait_writable(loop, p[1], &w), 0);
  CHECK_RC(net_wait(loop, w, 5), 0);
  steps(loop, 2);
  CHECK(!ac_future_done(r));
  CHECK_INT(ac_future_cancel(r2, NULL), 1);
  CHECK_INT(write(p[1], "y", 1), 1);
  CHECK_RC(net_wait(loop, r, 5), 0);
  CHECK(ac_future_cancelled(r2));
  ac_future_unref(r);
  ac_future_unref(r2);
  ac_future_unref(w);
  /* Pending at close: AC_ECLOSED. */
  char c;
  CHECK_INT(read(p[0], &c, 1), 1);
  CHECK_RC(ac_wait_readable(loop, p[0], &r), 0);
  finish(loop);
  CHECK_RC(ac_future_result(r, NULL), AC_ECLOSED);
  ac_future_unref(r);
  close(p[0]);
  close(p[1]);
}

static void test_closed_behind_the_loops_back(void) {
  ac_loop *loop = net_loop();
  int p[2];
  reset();
  CHECK_RC(ac_loop_set_exception_handler(loop, on_report, NULL, NULL), 0);
  CHECK_RC(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  CHECK_RC(ac_loop_add_reader(loop, p[0], on_ready, (void *)0, count_free), 0);
  ac_future *r;
  CHECK_RC(ac_wait_readable(loop, p[0], &r), 0);
  steps(loop, 1);
  close(p[0]); /* the host forgets to remove its reader */
  CHECK_INT(write(p[1], "z", 1), -1); /* EPIPE: nobody reads any more */
  steps(loop, 3);
  CHECK_INT(calls[0], 0);
  CHECK_INT(reports, 1);
  CHECK_INT(report_code, -EBADF);
  CHECK_INT(freed, 1);
  CHECK_RC(ac_future_result(r, NULL), -EBADF);
  ac_future_unref(r);
  /* Closed before it is added (and never polled: no abort, no spin). */
  CHECK_RC(ac_loop_add_reader(loop, p[0], on_ready, NULL, count_free), -EBADF);
  CHECK_INT(freed, 2);
  CHECK_STR(ac_last_error_message(-EBADF), "Invalid file descriptor");
  CHECK_RC(ac_wait_writable(loop, p[0], &r), -EBADF);
  /* Added and closed before the loop ever polled it. */
  int q[2];
  CHECK_RC(pipe2(q, O_NONBLOCK | O_CLOEXEC), 0);
  CHECK_RC(ac_loop_add_reader(loop, q[0], on_ready, NULL, count_free), 0);
  close(q[0]);
  steps(loop, 2);
  CHECK_INT(reports, 2);
  CHECK_INT(freed, 3);
  close(q[1]);
  close(p[1]);
  /* A regular file cannot be polled. */
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  CHECK_RC(ac_loop_add_reader(loop, fd, on_ready, NULL, count_free), -EPERM);
  close(fd);
  CHECK_RC(ac_loop_add_reader(loop, -1, on_ready, NULL, count_free), AC_EINVAL);
  CHECK_RC(ac_loop_add_reader(loop, 0, NULL, NULL, count_free), AC_EINVAL);
  CHECK_INT(freed, 6);
  finish(loop);
}

static void test_close_releases_callbacks(void) {
  ac_loop *loop = net_loop();
  int p[2];
  reset();
  CHECK_RC(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  CHECK_RC(ac_loop_add_reader(loop, p[0], on_ready, NULL, count_free), 0);
  CHECK_RC(ac_loop_add_writer(loop, p[1], on_ready, NULL, count_free), 0);
  finish(loop);
  CHECK_INT(freed, 2);
  close(p[0]);
  close(p[1]);
}

static int tcp_socket(void) {
  return socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static int listener(int *port) {
  int s = tcp_socket();
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  CHECK_RC(bind(s, (struct sockaddr *)&a, sizeof a), 0);
  CHECK_RC(listen(s, 8), 0);
  CHECK_RC(getsockname(s, (struct sockaddr *)&a, &len), 0);
  *port = ntohs(a.sin_port);
  return s;
}

#define BIG (4 << 20)

static void test_sock_operations(void) {
  ac_loop *loop = net_loop();
  int port;
  int ls = listener(&port);
  char addr[64];
  snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
  ac_future *acc, *con;
  CHECK_RC(ac_sock_accept(loop, ls, &acc), 0); /* waits: nobody connects yet */
  CHECK(!ac_future_done(acc));
  int c = tcp_socket();
  int small = 32768;
  CHECK_RC(setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  CHECK_RC(ac_sock_connect(loop, c, addr, &con), 0);
  CHECK_RC(net_wait(loop, con, 5), 0);
  CHECK_RC(net_wait(loop, acc, 5), 0);
  int64_t sfd = -1;
  CHECK_RC(ac_future_result_int64(acc, &sfd), 0);
  CHECK((fcntl((int)sfd, F_GETFL) & O_NONBLOCK) != 0);
  CHECK_RC(setsockopt((int)sfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  ac_future_unref(acc);
  ac_future_unref(con);
  /* sendall of more than the socket buffers hold, against recv. */
  char *big = malloc(BIG);
  for (int i = 0; i < BIG; i++) big[i] = (char)(i * 7);
  ac_future *sent;
  CHECK_RC(ac_sock_sendall(loop, c, big, BIG, &sent), 0);
  free(big); /* copied */
  CHECK(!ac_future_done(sent));
  size_t got = 0;
  int ok = 1;
  while (got < BIG && ok) {
    ac_future *r;
    CHECK_RC(ac_sock_recv(loop, (int)sfd, 65536, &r), 0);
    CHECK_RC(net_wait(loop, r, 5), 0);
    ac_value v;
    CHECK_RC(ac_future_result(r, &v), 0);
    for (size_t i = 0; i < v.u.bytes.len; i++)
      if (((char *)v.u.bytes.data)[i] != (char)((got + i) * 7)) ok = 0;
    got += v.u.bytes.len;
    if (v.u.bytes.len == 0) ok = 0;
    ac_future_unref(r);
  }
  CHECK(ok);
  CHECK_INT(got, BIG);
  CHECK_RC(net_wait(loop, sent, 5), 0);
  ac_future_unref(sent);
  /* EOF: an empty recv. */
  close(c);
  ac_future *r;
  CHECK_RC(ac_sock_recv(loop, (int)sfd, 10, &r), 0);
  CHECK_RC(net_wait(loop, r, 5), 0);
  CHECK_STR(net_text(r), "");
  ac_future_unref(r);
  close((int)sfd);
  /* A refused connection. */
  int lp;
  int gone = listener(&lp);
  close(gone);
  snprintf(addr, sizeof addr, "127.0.0.1:%d", lp);
  c = tcp_socket();
  CHECK_RC(ac_sock_connect(loop, c, addr, &con), 0);
  CHECK_RC(net_wait(loop, con, 5), -ECONNREFUSED);
  CHECK_STR(ac_err_class(ac_error_code(ac_future_error(con))), "ConnectionRefusedError");
  ac_future_unref(con);
  close(c);
  /* A blocking socket is refused, as asyncio's ValueError. */
  int b = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK_RC(ac_sock_recv(loop, b, 10, &r), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "the socket must be non-blocking");
  close(b);
  CHECK_RC(ac_sock_recv(loop, b, 10, &r), -EBADF);
  close(ls);
  finish(loop);
}

/* Many watches: 300 pipes read by the loop. Not every watch's descriptor
 * is checked before every poll any more: the ones whose polling changed
 * are (libuv hands them to epoll next), and all of them every
 * 300 / 64 polls. A reader closed behind the loop's back is still found
 * within those polls; one closed and then changed (its writer removed) is
 * found before libuv sees it. */
enum { kMany = 300 };
static void test_many_watches_closed_behind_the_loops_back(void) {
  ac_loop *loop = net_loop();
  static int p[kMany][2];
  int s[2];
  reset();
  CHECK_RC(ac_loop_set_exception_handler(loop, on_report, NULL, NULL), 0);
  for (int i = 0; i < kMany; i++) {
    CHECK_RC(pipe2(p[i], O_NONBLOCK | O_CLOEXEC), 0);
    CHECK_RC(ac_loop_add_reader(loop, p[i][0], on_ready, (void *)0, count_free), 0);
  }
  CHECK_RC(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s), 0);
  CHECK_RC(ac_loop_add_reader(loop, s[0], on_ready, (void *)1, count_free), 0);
  CHECK_RC(ac_loop_add_writer(loop, s[0], on_ready, (void *)2, count_free), 0);
  steps(loop, 8);
  CHECK_INT(calls[0], 0);
  CHECK_INT(calls[1], 0);
  int writable = calls[2];
  CHECK(writable > 0);
  /* A reader that nothing changes. */
  close(p[150][0]);
  steps(loop, 8);
  CHECK_INT(reports, 1);
  CHECK_INT(report_code, -EBADF);
  CHECK_INT(freed, 1);
  /* A watch changed right after its descriptor was closed. */
  close(s[0]);
  CHECK_RC(ac_loop_remove_writer(loop, s[0]), 1);
  CHECK_INT(freed, 2);
  steps(loop, 1);
  CHECK_INT(reports, 2);
  CHECK_INT(freed, 3);
  CHECK_INT(calls[0] + calls[1], 0);
  /* The others still work. */
  CHECK_INT(write(p[7][1], "x", 1), 1);
  steps(loop, 1);
  CHECK_INT(calls[0], 1);
  finish(loop);
  CHECK_INT(freed, kMany + 2);
  for (int i = 0; i < kMany; i++) {
    if (i != 150) close(p[i][0]);
    close(p[i][1]);
  }
  close(s[1]);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  RUN(test_reader_writer_on_pipe);
  RUN(test_wait_futures);
  RUN(test_closed_behind_the_loops_back);
  RUN(test_many_watches_closed_behind_the_loops_back);
  RUN(test_close_releases_callbacks);
  RUN(test_sock_operations);
  return th_finish();
}
