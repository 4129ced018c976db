/*
 * sigint_server.c — a server that stops cleanly on Ctrl-C, in C. As
 * asyncio.run does, ac_run turns the first SIGINT into a cancellation of
 * the main task, which closes the server and waits for it before the run
 * ends with KeyboardInterrupt (-EINTR). The example sends itself SIGINT
 * once a client has been served, so that its output is always the same.
 */
#include <asyncore.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Each connection: one line back, upper-cased. */
struct conn {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};
static int conn_step(ac_task *t, void *p) {
  struct conn *c = p;
  ac_future *f;
  ac_value v;
  int rc;
  AC_BEGIN(c);
  if ((rc = ac_stream_readline(c->stream, &f)) != 0) return rc;
  AC_AWAIT(c, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_future_result(ac_task_awaited(t), &v);
  {
    char line[64];
    size_t n = v.u.bytes.len < sizeof line ? v.u.bytes.len : sizeof line;
    memcpy(line, v.u.bytes.data, n);
    for (size_t i = 0; i < n; ++i)
      if (line[i] >= 'a' && line[i] <= 'z') line[i] = (char)(line[i] - 'a' + 'A');
    ac_stream_write(c->stream, line, n);
  }
  ac_stream_close(c->stream);
  AC_END(c);
}
static void on_connection(ac_server *srv, ac_stream *s, void *ud) {
  (void)srv;
  (void)ud;
  ac_stream_spawn(s, conn_step, sizeof(struct conn), offsetof(struct conn, stream), NULL);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_server *server;
  ac_stream *client;
};

static int main_step(ac_task *t, void *p) {
  struct main_state *m = p;
  ac_loop *loop = ac_task_get_loop(t);
  ac_future *f;
  ac_value v;
  int rc;
  AC_BEGIN(m);
  if ((rc = ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, on_connection, NULL, NULL, &m->server)) != 0)
    return rc;
  printf("serving\n");
  /* One client, served. */
  if ((rc = ac_stream_connect_tcp(loop, "127.0.0.1", ac_server_port(m->server), &m->client, &f)) != 0)
    return rc;
  AC_AWAIT(m, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_stream_write(m->client, "hello\n", 6);
  if ((rc = ac_stream_readline(m->client, &f)) != 0) return rc;
  AC_AWAIT(m, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_future_result(ac_task_awaited(t), &v);
  printf("client got: %.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  ac_stream_unref(m->client);
  m->client = NULL;
  /* Ctrl-C, as a user would press it. */
  printf("sending SIGINT\n");
  kill(getpid(), SIGINT);
  /* serve_forever: until the server closes, or the task is cancelled. */
  if ((rc = ac_server_wait_closed(m->server, &f)) != 0) return rc;
  AC_AWAIT(m, ac_task_await_owned(t, f));
  if (ac_task_outcome(t) == AC_ECANCELLED) printf("cancelled: closing the server\n");
  ac_server_close(m->server);
  if ((rc = ac_server_wait_closed(m->server, &f)) != 0) return rc;
  AC_AWAIT(m, ac_task_await_owned(t, f));
  printf("server closed\n");
  ac_server_unref(m->server);
  m->server = NULL;
  return AC_ECANCELLED; /* the cancellation goes on, as `raise` would */
  AC_END(m);
}

int main(void) {
  /* SIGINT as an interactive program has it (a shell may have started
   * this one with SIGINT ignored; ac_run then leaves it alone). */
  signal(SIGINT, SIG_DFL);
  static struct main_state m;
  int rc = ac_run(main_step, &m, NULL, AC_LOOP_DEFAULT, NULL, NULL);
  if (rc == -EINTR)
    printf("KeyboardInterrupt: stopped cleanly\n");
  else
    printf("ended with %s\n", ac_err_name(rc));
  return 0;
}
