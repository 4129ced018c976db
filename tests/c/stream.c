#define _GNU_SOURCE
/* stream.c — ac_stream: connecting (TCP, Unix, by name), the reader
 * (read, readexactly, readuntil, readline, at_eof, limits, cancellation),
 * the writer (write, drain and water marks, write_eof), closing, addresses
 * and misuse. Everything on 127.0.0.1 or Unix paths, against a server of
 * ours (server.c tests the server) unless said otherwise. */
#include <stddef.h>
#include <stdio.h>

#include "net_util.h"

/* ---- an echo handler: a task per connection, line by line ---- */

struct echo {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};

static int echo_step(ac_task *t, void *p) {
  struct echo *e = p;
  ac_future *f;
  ac_value v;
  AC_BEGIN(e);
  for (;;) {
    if (ac_stream_read(e->stream, 65536, &f) != 0) return AC_EINTERNAL;
    AC_AWAIT(e, ac_task_await_owned(t, f));
    AC_CHECK(t);
    ac_future_result(ac_task_awaited(t), &v);
    if (v.u.bytes.len == 0) break; /* EOF */
    if (ac_stream_write(e->stream, v.u.bytes.data, v.u.bytes.len) != 0) break;
    if (ac_stream_drain(e->stream, &f) != 0) return AC_EINTERNAL;
    AC_AWAIT(e, ac_task_await_owned(t, f));
    AC_CHECK(t);
  }
  ac_stream_close(e->stream);
  AC_END(e);
}

/* Connections the test server accepted, kept for the tests to act on. */
static ac_stream *accepted[8];
static int n_accepted;

static void keep_connection(ac_server *srv, ac_stream *s, void *ud) {
  (void)srv;
  (void)ud;
  if (n_accepted < 8) accepted[n_accepted++] = ac_stream_ref(s);
}
static void echo_connection(ac_server *srv, ac_stream *s, void *ud) {
  (void)srv;
  (void)ud;
  ac_stream_spawn(s, echo_step, sizeof(struct echo), offsetof(struct echo, stream), NULL);
}
static void release_accepted(void) {
  for (int i = 0; i < n_accepted; ++i) ac_stream_unref(accepted[i]);
  n_accepted = 0;
}

/* A server on 127.0.0.1 with a free port; *port receives it. */
static ac_server *serve(ac_loop *loop, ac_server_connection_fn fn, int *port) {
  ac_server *srv = NULL;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, fn, NULL, NULL, &srv), 0);
  *port = ac_server_port(srv);
  CHECK(*port > 0);
  return srv;
}

/* A client connected to 127.0.0.1:port. */
static ac_stream *dial(ac_loop *loop, int port) {
  ac_stream *s = NULL;
  ac_future *c = NULL;
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", port, &s, &c), 0);
  CHECK_RC(net_wait(loop, c, 5), 0);
  ac_future_unref(c);
  return s;
}

/* A client and the server's end of the same connection. */
static ac_stream *pair(ac_loop *loop, ac_server **srv, ac_stream **server_end) {
  int port;
  n_accepted = 0;
  *srv = serve(loop, keep_connection, &port);
  ac_stream *c = dial(loop, port);
  net_run_until(loop, &n_accepted, 5);
  CHECK_INT(n_accepted, 1);
  *server_end = accepted[0];
  return c;
}

static void teardown(ac_loop *loop, ac_server *srv, ac_stream *a) {
  ac_stream_unref(a);
  release_accepted();
  ac_server_unref(srv);
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

static void test_tcp_echo_roundtrip(void) {
  ac_loop *loop = net_loop();
  int port;
  ac_server *srv = serve(loop, echo_connection, &port);
  ac_stream *s = dial(loop, port);
  char buf[128];
  CHECK_RC(ac_stream_write(s, "hello\n", 6), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "hello\n");
  CHECK_RC(ac_stream_write(s, "one\ntwo\n", 8), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "one\n");
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "two\n");
  /* Our EOF ends the echo task, which closes: we read EOF. */
  CHECK_RC(ac_stream_write_eof(s), 0);
  NET_TEXT(loop, ac_stream_read(s, 100, &nt_f_), buf);
  CHECK_STR(buf, "");
  CHECK_INT(ac_stream_at_eof(s), 1);
  teardown(loop, srv, s);
}

static void test_read_returns_what_is_there_up_to_n(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  CHECK_RC(ac_stream_write(peer, "abcdef", 6), 0);
  NET_TEXT(loop, ac_stream_read(s, 4, &nt_f_), buf);
  CHECK_STR(buf, "abcd");
  NET_TEXT(loop, ac_stream_read(s, 100, &nt_f_), buf);
  CHECK_STR(buf, "ef");
  /* read(0) is empty at once */
  NET_TEXT(loop, ac_stream_read(s, 0, &nt_f_), buf);
  CHECK_STR(buf, "");
  CHECK_INT(ac_stream_at_eof(s), 0);
  teardown(loop, srv, s);
}

static void test_read_all_until_eof(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  CHECK_RC(ac_stream_write(peer, "part1,", 6), 0);
  CHECK_RC(ac_stream_write(peer, "part2", 5), 0);
  CHECK_RC(ac_stream_close(peer), 0);
  NET_TEXT(loop, ac_stream_read(s, SIZE_MAX, &nt_f_), buf);
  CHECK_STR(buf, "part1,part2");
  CHECK_INT(ac_stream_at_eof(s), 1);
  teardown(loop, srv, s);
}

static void test_readexactly_and_incomplete_partial(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  CHECK_RC(ac_stream_write(peer, "12345678", 8), 0);
  NET_TEXT(loop, ac_stream_readexactly(s, 5, &nt_f_), buf);
  CHECK_STR(buf, "12345");
  CHECK_RC(ac_stream_write_eof(peer), 0);
  ac_future *f;
  CHECK_RC(ac_stream_readexactly(s, 10, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), AC_EINCOMPLETE);
  ac_error *err = ac_future_error(f);
  ac_value partial;
  CHECK_RC(ac_error_payload(err, &partial), 0);
  CHECK_INT(partial.kind, AC_VALUE_BYTES);
  CHECK_INT(partial.u.bytes.len, 3);
  CHECK(memcmp(partial.u.bytes.data, "678", 3) == 0);
  ac_future_unref(f);
  CHECK_INT(ac_stream_at_eof(s), 1);
  teardown(loop, srv, s);
}

static void test_readuntil_separator(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  /* The separator arrives split across writes. */
  CHECK_RC(ac_stream_write(peer, "key=value\r", 10), 0);
  ac_future *f;
  CHECK_RC(ac_stream_readuntil(s, "\r\n", 2, &f), 0);
  net_run_for(loop, 0.05);
  CHECK_INT(ac_future_done(f), 0);
  CHECK_RC(ac_stream_write(peer, "\nrest", 5), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "key=value\r\n");
  ac_future_unref(f);
  NET_TEXT(loop, ac_stream_read(s, 100, &nt_f_), buf);
  CHECK_STR(buf, "rest");
  teardown(loop, srv, s);
}

static void test_readuntil_limit_keeps_the_data(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  CHECK_RC(ac_stream_set_limit(s, 8), 0);
  CHECK_RC(ac_stream_write(peer, "0123456789abcdef\n", 17), 0);
  ac_future *f;
  CHECK_RC(ac_stream_readline(s, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), AC_ELIMIT);
  ac_future_unref(f);
  /* Nothing was lost: the bytes are still there. */
  NET_TEXT(loop, ac_stream_readexactly(s, 17, &nt_f_), buf);
  CHECK_STR(buf, "0123456789abcdef\n");
  /* Within the limit it works. */
  CHECK_RC(ac_stream_write(peer, "short\n", 6), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "short\n");
  teardown(loop, srv, s);
}

/* Found by fuzzing: with the reader paused past twice the limit, a
 * readexactly needing more than the buffer held waited forever while the
 * rest sat in the socket. asyncio resumes reading for any waiting read. */
static void test_readexactly_beyond_twice_the_limit(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  CHECK_RC(ac_stream_set_limit(s, 1), 0);
  CHECK_RC(ac_stream_write(peer, "0123456789", 10), 0);
  /* Let the reader take the first write in and pause (10 > 2 * 1). */
  for (int i = 0; i < 500 && ac_stream_buffered(s) < 10; i++) ac_loop_step(loop, 0.01, NULL, NULL);
  CHECK_INT(ac_stream_buffered(s), 10);
  CHECK_RC(ac_stream_write(peer, "abcdefghij", 10), 0);
  net_run_for(loop, 0.05);
  CHECK_INT(ac_stream_buffered(s), 10);
  NET_TEXT(loop, ac_stream_readexactly(s, 15, &nt_f_), buf);
  CHECK_STR(buf, "0123456789abcde");
  NET_TEXT(loop, ac_stream_readexactly(s, 5, &nt_f_), buf);
  CHECK_STR(buf, "fghij");
  teardown(loop, srv, s);
}

static void test_readline_at_eof_gives_partial_line(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  CHECK_RC(ac_stream_write(peer, "last", 4), 0);
  CHECK_RC(ac_stream_close(peer), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "last");
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "");
  /* readuntil fails with the (empty) partial instead */
  ac_future *f;
  CHECK_RC(ac_stream_readuntil(s, ";", 1, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), AC_EINCOMPLETE);
  ac_future_unref(f);
  teardown(loop, srv, s);
}

static void test_cancelled_read_loses_no_data(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  /* A readexactly waiting for 10 bytes gets 4, then is cancelled. */
  ac_future *f;
  CHECK_RC(ac_stream_readexactly(s, 10, &f), 0);
  CHECK_RC(ac_stream_write(peer, "abcd", 4), 0);
  net_run_for(loop, 0.05);
  CHECK_INT(ac_future_done(f), 0);
  CHECK_INT(ac_stream_buffered(s), 4);
  CHECK_RC(ac_future_cancel(f, NULL), 1);
  ac_future_unref(f);
  /* The next read gets them. */
  CHECK_RC(ac_stream_write(peer, "ef", 2), 0);
  NET_TEXT(loop, ac_stream_readexactly(s, 6, &nt_f_), buf);
  CHECK_STR(buf, "abcdef");
  teardown(loop, srv, s);
}

static void test_read_with_timeout_loses_no_data(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  /* wait_for a line that only half arrives: AC_ETIMEDOUT, bytes kept. */
  CHECK_RC(ac_stream_write(peer, "half a ", 7), 0);
  ac_future *r, *w;
  CHECK_RC(ac_stream_readline(s, &r), 0);
  CHECK_RC(ac_wait_for(loop, r, 0.05, &w), 0);
  CHECK_RC(net_wait(loop, w, 5), AC_ETIMEDOUT);
  CHECK_INT(ac_future_cancelled(r), 1);
  ac_future_unref(w);
  ac_future_unref(r);
  CHECK_RC(ac_stream_write(peer, "line\n", 5), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "half a line\n");
  teardown(loop, srv, s);
}

static void test_second_pending_read_is_refused(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  ac_future *f, *g = NULL;
  CHECK_RC(ac_stream_read(s, 10, &f), 0);
  CHECK_RC(ac_stream_readline(s, &g), AC_ESTATE);
  CHECK(g == NULL);
  CHECK_RC(ac_stream_write(peer, "x", 1), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "x");
  ac_future_unref(f);
  teardown(loop, srv, s);
}

static void test_half_close_peer_still_answers(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  CHECK_RC(ac_stream_write(s, "question", 8), 0);
  CHECK_RC(ac_stream_write_eof(s), 0);
  CHECK_RC(ac_stream_write(s, "more", 4), AC_ESTATE);
  NET_TEXT(loop, ac_stream_read(peer, SIZE_MAX, &nt_f_), buf);
  CHECK_STR(buf, "question");
  CHECK_INT(ac_stream_at_eof(peer), 1);
  /* The other direction still works. */
  CHECK_RC(ac_stream_write(peer, "answer", 6), 0);
  NET_TEXT(loop, ac_stream_readexactly(s, 6, &nt_f_), buf);
  CHECK_STR(buf, "answer");
  teardown(loop, srv, s);
}

static void test_drain_waits_for_low_water(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  CHECK_RC(ac_stream_set_write_buffer_limits(s, 4096, 1024), 0);
  /* Write far more than the socket buffers take while nobody reads. The
   * server end stops reading at 2 * limit, so the kernel buffers fill. */
  CHECK_RC(ac_stream_set_limit(peer, 1024), 0);
  static char chunk[65536];
  memset(chunk, 'z', sizeof chunk);
  size_t total = 0;
  for (int i = 0; i < 200 && ac_stream_write_buffer_size(s) <= 4096; ++i) {
    CHECK_RC(ac_stream_write(s, chunk, sizeof chunk), 0);
    total += sizeof chunk;
    net_run_for(loop, 0.005);
  }
  CHECK(ac_stream_write_buffer_size(s) > 4096);
  ac_future *d;
  CHECK_RC(ac_stream_drain(s, &d), 0);
  net_run_for(loop, 0.05);
  CHECK_INT(ac_future_done(d), 0);
  /* The peer reads everything: the buffer drains, drain completes. */
  size_t got = 0;
  while (got < total) {
    ac_future *r;
    CHECK_RC(ac_stream_read(peer, 1 << 20, &r), 0);
    CHECK_RC(net_wait(loop, r, 5), 0);
    ac_value v;
    ac_future_result(r, &v);
    got += v.u.bytes.len;
    ac_future_unref(r);
  }
  CHECK_INT(got, total);
  CHECK_RC(net_wait(loop, d, 5), 0);
  ac_future_unref(d);
  CHECK_INT(ac_stream_write_buffer_size(s), 0);
  /* Not above the high mark: drain is done at once (through the loop). */
  CHECK_RC(ac_stream_drain(s, &d), 0);
  CHECK_INT(ac_future_done(d), 1);
  ac_future_unref(d);
  teardown(loop, srv, s);
}

static void test_close_flushes_then_peer_sees_eof(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  ac_future *r, *w;
  CHECK_RC(ac_stream_read(s, 10, &r), 0);
  CHECK_RC(ac_stream_write(s, "bye", 3), 0);
  CHECK_RC(ac_stream_close(s), 0);
  CHECK_RC(ac_stream_close(s), 0); /* idempotent */
  CHECK_INT(ac_stream_is_closing(s), 1);
  /* The pending read fails; later calls are refused. */
  CHECK_RC(net_wait(loop, r, 5), AC_ECLOSED);
  ac_future_unref(r);
  CHECK_RC(ac_stream_read(s, 10, &r), AC_ECLOSED);
  CHECK_RC(ac_stream_write(s, "x", 1), AC_ECLOSED);
  CHECK_RC(ac_stream_wait_closed(s, &w), 0);
  CHECK_RC(net_wait(loop, w, 5), 0);
  ac_future_unref(w);
  NET_TEXT(loop, ac_stream_read(peer, SIZE_MAX, &nt_f_), buf);
  CHECK_STR(buf, "bye");
  teardown(loop, srv, s);
}

static void test_last_unref_closes_the_stream(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char buf[128];
  CHECK_RC(ac_stream_write(s, "gone", 4), 0);
  ac_stream_unref(s);
  NET_TEXT(loop, ac_stream_read(peer, SIZE_MAX, &nt_f_), buf);
  CHECK_STR(buf, "gone");
  teardown(loop, srv, NULL);
}

static void test_addresses(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  ac_stream *peer;
  ac_stream *s = pair(loop, &srv, &peer);
  char *srv_addr, *local, *remote, *peer_local, *peer_remote;
  CHECK_RC(ac_server_address(srv, &srv_addr), 0);
  CHECK_RC(ac_stream_peer_address(s, &remote), 0);
  CHECK_RC(ac_stream_local_address(s, &local), 0);
  CHECK_RC(ac_stream_peer_address(peer, &peer_remote), 0);
  CHECK_RC(ac_stream_local_address(peer, &peer_local), 0);
  CHECK_STR(remote, srv_addr);
  CHECK_STR(peer_local, srv_addr);
  CHECK_STR(peer_remote, local);
  CHECK(strncmp(local, "127.0.0.1:", 10) == 0);
  ac_free(srv_addr);
  ac_free(local);
  ac_free(remote);
  ac_free(peer_local);
  ac_free(peer_remote);
  teardown(loop, srv, s);
}

static void test_unix_socket_roundtrip(void) {
  if (!th_have_af_unix()) SKIP("no Unix-domain sockets on this system");
  ac_loop *loop = net_loop();
  char path[64];
  snprintf(path, sizeof path, "/tmp/ac-stream-%d.sock", (int)getpid());
  unlink(path);
  ac_server *srv = NULL;
  CHECK_RC(ac_server_listen_unix(loop, path, 0, echo_connection, NULL, NULL, &srv), 0);
  ac_stream *s;
  ac_future *c;
  CHECK_RC(ac_stream_connect_unix(loop, path, &s, &c), 0);
  CHECK_RC(net_wait(loop, c, 5), 0);
  ac_future_unref(c);
  char buf[128];
  CHECK_RC(ac_stream_write(s, "over unix\n", 10), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "over unix\n");
  char *remote;
  CHECK_RC(ac_stream_peer_address(s, &remote), 0);
  CHECK_STR(remote, path);
  ac_free(remote);
  ac_stream_unref(s);
  ac_server_close(srv);
  CHECK(access(path, F_OK) != 0); /* the server removed its socket file */
  teardown(loop, srv, NULL);
}

static void test_connect_by_name_resolves(void) {
  ac_loop *loop = net_loop();
  int port;
  ac_server *srv = serve(loop, echo_connection, &port);
  ac_stream *s;
  ac_future *c;
  /* "localhost" may resolve to ::1 first: the server only listens on
   * 127.0.0.1, so this also covers trying the next address. */
  CHECK_RC(ac_stream_connect_tcp(loop, "localhost", port, &s, &c), 0);
  CHECK_RC(net_wait(loop, c, 10), 0);
  ac_future_unref(c);
  char buf[128];
  CHECK_RC(ac_stream_write(s, "named\n", 6), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "named\n");
  teardown(loop, srv, s);
}

static void test_io_before_connect_waits_for_it(void) {
  ac_loop *loop = net_loop();
  int port;
  ac_server *srv = serve(loop, echo_connection, &port);
  ac_stream *s;
  ac_future *c, *r;
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", port, &s, &c), 0);
  CHECK_RC(ac_stream_write(s, "early\n", 6), 0);
  CHECK_RC(ac_stream_readline(s, &r), 0);
  CHECK_RC(net_wait(loop, r, 5), 0);
  CHECK_STR(net_text(r), "early\n");
  CHECK_INT(ac_future_done(c), 1);
  ac_future_unref(r);
  ac_future_unref(c);
  teardown(loop, srv, s);
}

static void test_misuse(void) {
  ac_loop *loop = net_loop();
  ac_stream *s = NULL;
  ac_future *f = NULL;
  CHECK_RC(ac_stream_connect_tcp(NULL, "127.0.0.1", 1, &s, &f), AC_EINVAL);
  CHECK_RC(ac_stream_connect_tcp(loop, NULL, 1, &s, &f), AC_EINVAL);
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", 0, &s, &f), AC_EINVAL);
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", 70000, &s, &f), AC_EINVAL);
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", 1, NULL, &f), AC_EINVAL);
  CHECK_RC(ac_stream_connect_unix(loop, NULL, &s, &f), AC_EINVAL);
  CHECK(s == NULL && f == NULL);
  CHECK_RC(ac_stream_read(NULL, 1, &f), AC_EINVAL);
  CHECK_RC(ac_stream_write(NULL, "x", 1), AC_EINVAL);
  CHECK_RC(ac_stream_close(NULL), AC_EINVAL);
  CHECK_RC(ac_stream_at_eof(NULL), AC_EINVAL);
  CHECK_RC(ac_stream_drain(NULL, &f), AC_EINVAL);
  CHECK_RC(ac_stream_spawn(NULL, echo_step, 16, 0, NULL), AC_EINVAL);
  CHECK(ac_stream_ref(NULL) == NULL);
  ac_stream_unref(NULL);
  /* Not a stream at all. */
  CHECK_RC(ac_stream_close((ac_stream *)loop), AC_EINVAL);

  int port;
  n_accepted = 0;
  ac_server *srv = serve(loop, keep_connection, &port);
  s = dial(loop, port);
  CHECK_RC(ac_stream_readuntil(s, "", 0, &f), AC_EINVAL);
  CHECK_RC(ac_stream_readuntil(s, NULL, 1, &f), AC_EINVAL);
  CHECK_RC(ac_stream_read(s, 1, NULL), AC_EINVAL);
  CHECK_RC(ac_stream_write(s, NULL, 3), AC_EINVAL);
  CHECK_RC(ac_stream_set_limit(s, 0), AC_EINVAL);
  CHECK_RC(ac_stream_set_write_buffer_limits(s, 10, 20), AC_EINVAL);
  CHECK_RC(ac_stream_spawn(s, echo_step, 4, 0, NULL), AC_EINVAL);
  CHECK_RC(ac_stream_spawn(s, NULL, 16, 0, NULL), AC_EINVAL);
  char *a = NULL;
  CHECK_RC(ac_stream_peer_address(s, NULL), AC_EINVAL);
  ac_stream_close(s);
  CHECK_RC(ac_stream_peer_address(s, &a), AC_ECLOSED);
  CHECK_RC(ac_stream_write_eof(s), AC_ECLOSED);
  net_run_for(loop, 0.02);
  teardown(loop, srv, s);
}

int main(void) {
  alarm(120); /* a hard bound, should a watchdog fail */
  RUN(test_tcp_echo_roundtrip);
  RUN(test_read_returns_what_is_there_up_to_n);
  RUN(test_read_all_until_eof);
  RUN(test_readexactly_and_incomplete_partial);
  RUN(test_readuntil_separator);
  RUN(test_readuntil_limit_keeps_the_data);
  RUN(test_readexactly_beyond_twice_the_limit);
  RUN(test_readline_at_eof_gives_partial_line);
  RUN(test_cancelled_read_loses_no_data);
  RUN(test_read_with_timeout_loses_no_data);
  RUN(test_second_pending_read_is_refused);
  RUN(test_half_close_peer_still_answers);
  RUN(test_drain_waits_for_low_water);
  RUN(test_close_flushes_then_peer_sees_eof);
  RUN(test_last_unref_closes_the_stream);
  RUN(test_addresses);
  RUN(test_unix_socket_roundtrip);
  RUN(test_connect_by_name_resolves);
  RUN(test_io_before_connect_waits_for_it);
  RUN(test_misuse);
  return th_finish();
}
