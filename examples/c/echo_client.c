/*
 * echo_client.c — asyncio's TCP echo client (open_connection, write,
 * readline, close, wait_closed), in C.
 *
 *   echo_client ADDRESS LINE...
 *
 * ADDRESS is HOST:PORT or the path of a Unix socket (anything with a '/').
 * Sends each LINE, prints what comes back, then ends its side and closes.
 */
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct client {
  AC_ASYNC_FIELDS;
  char host[256];
  int port;
  const char *unix_path;
  char **lines;
  int n_lines, i;
  ac_stream *stream;
};

static int client_step(ac_task *t, void *p) {
  struct client *c = p;
  ac_future *f;
  ac_value v;
  int rc;
  AC_BEGIN(c);
  if (c->unix_path != NULL)
    rc = ac_stream_connect_unix(ac_task_get_loop(t), c->unix_path, &c->stream, &f);
  else
    rc = ac_stream_connect_tcp(ac_task_get_loop(t), c->host, c->port, &c->stream, &f);
  if (rc != 0) return ac_task_fail(t, rc, "cannot connect");
  AC_AWAIT(c, ac_task_await_owned(t, f));
  AC_CHECK(t);
  printf("connected\n");
  for (c->i = 0; c->i < c->n_lines; ++c->i) {
    ac_stream_write(c->stream, c->lines[c->i], strlen(c->lines[c->i]));
    ac_stream_write(c->stream, "\n", 1);
    if ((rc = ac_stream_readline(c->stream, &f)) != 0) return rc;
    AC_AWAIT(c, ac_task_await_owned(t, f));
    AC_CHECK(t);
    ac_future_result(ac_task_awaited(t), &v);
    printf("echo: %.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  }
  /* Our side is done; the server closes when it sees that. */
  ac_stream_write_eof(c->stream);
  if ((rc = ac_stream_read(c->stream, SIZE_MAX, &f)) != 0) return rc;
  AC_AWAIT(c, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_stream_close(c->stream);
  if ((rc = ac_stream_wait_closed(c->stream, &f)) != 0) return rc;
  AC_AWAIT(c, ac_task_await_owned(t, f));
  AC_CHECK(t);
  printf("closed\n");
  AC_END(c);
}

static void release(void *p) {
  struct client *c = p;
  ac_stream_unref(c->stream);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: echo_client ADDRESS LINE...\n");
    return 2;
  }
  static struct client c;
  const char *addr = argv[1];
  if (strchr(addr, '/') != NULL) {
    c.unix_path = addr;
  } else {
    const char *colon = strrchr(addr, ':');
    if (colon == NULL || (size_t)(colon - addr) >= sizeof c.host) {
      fprintf(stderr, "echo_client: bad address %s\n", addr);
      return 2;
    }
    memcpy(c.host, addr, (size_t)(colon - addr));
    c.port = atoi(colon + 1);
  }
  c.lines = argv + 2;
  c.n_lines = argc - 2;
  ac_error *err = NULL;
  int rc = ac_run(client_step, &c, release, AC_LOOP_DEFAULT, NULL, &err);
  if (rc != 0) {
    fprintf(stderr, "echo_client: %s\n", ac_error_message(err));
    ac_error_unref(err);
    return 1;
  }
  return 0;
}
