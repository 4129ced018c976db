/*
 * tls_echo_client.c — asyncio's echo client with ssl= (open_connection(...,
 * ssl=ctx, server_hostname=...)), in C.
 *
 *   tls_echo_client CAFILE HOST:PORT NAME LINE...
 *
 * Trusts the CA certificates in CAFILE, connects with TLS checking that the
 * server's certificate names NAME, sends each LINE, prints what comes back,
 * then closes (sending close_notify).
 */
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct client {
  AC_ASYNC_FIELDS;
  const char *cafile, *name;
  char host[256];
  int port;
  char **lines;
  int n_lines, i;
  ac_tls_context *ctx;
  ac_stream *stream;
};

static int client_step(ac_task *t, void *p) {
  struct client *c = p;
  ac_future *f;
  ac_value v;
  int rc;
  char *version;
  AC_BEGIN(c);
  if ((rc = ac_tls_context_new(AC_TLS_CLIENT, &c->ctx)) != 0 ||
      (rc = ac_tls_context_load_verify_locations(c->ctx, c->cafile, NULL)) != 0)
    return ac_task_fail(t, rc, ac_last_error_message(rc));
  rc = ac_stream_connect_tls(ac_task_get_loop(t), c->host, c->port, c->ctx, c->name, NULL,
                             &c->stream, &f);
  if (rc != 0) return ac_task_fail(t, rc, "cannot connect");
  AC_AWAIT(c, ac_task_await_owned(t, f));
  AC_CHECK(t);
  if (ac_stream_tls_info(c->stream, AC_TLS_INFO_VERSION, &version, NULL) == 0) {
    printf("connected with %s\n", version);
    ac_free(version);
  }
  for (c->i = 0; c->i < c->n_lines; ++c->i) {
    ac_stream_write(c->stream, c->lines[c->i], strlen(c->lines[c->i]));
    ac_stream_write(c->stream, "\n", 1);
    if ((rc = ac_stream_readline(c->stream, &f)) != 0) return rc;
    AC_AWAIT(c, ac_task_await_owned(t, f));
    AC_CHECK(t);
    ac_future_result(ac_task_awaited(t), &v);
    printf("echo: %.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  }
  ac_stream_close(c->stream); /* close_notify, then the socket */
  if ((rc = ac_stream_wait_closed(c->stream, &f)) != 0) return rc;
  AC_AWAIT(c, ac_task_await_owned(t, f));
  AC_CHECK(t);
  printf("closed\n");
  AC_END(c);
}

static void release(void *p) {
  struct client *c = p;
  ac_stream_unref(c->stream);
  ac_tls_context_unref(c->ctx);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: tls_echo_client CAFILE HOST:PORT NAME LINE...\n");
    return 2;
  }
  static struct client c;
  c.cafile = argv[1];
  const char *colon = strrchr(argv[2], ':');
  if (colon == NULL || (size_t)(colon - argv[2]) >= sizeof c.host) {
    fprintf(stderr, "tls_echo_client: bad address %s\n", argv[2]);
    return 2;
  }
  memcpy(c.host, argv[2], (size_t)(colon - argv[2]));
  c.port = atoi(colon + 1);
  c.name = argv[3];
  c.lines = argv + 4;
  c.n_lines = argc - 4;
  ac_error *err = NULL;
  int rc = ac_run(client_step, &c, release, AC_LOOP_DEFAULT, NULL, &err);
  if (rc != 0) {
    fprintf(stderr, "tls_echo_client: %s\n", ac_error_message(err));
    ac_error_unref(err);
    return 1;
  }
  return 0;
}
