/*
 * tls_echo_server.c — asyncio's echo server with ssl= (start_server(...,
 * ssl=ctx)), in C.
 *
 *   tls_echo_server CERT KEY [HOST [PORT]] [--connections N]
 *
 * Listens with TLS (certificate chain CERT, private key KEY), prints
 * "serving on ADDRESS" and echoes every line each client sends until the
 * client closes (its close_notify reads as EOF). With --connections N it
 * stops after N clients. examples/tls/make_certs.sh makes a certificate.
 */
#include <asyncore.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int connections_left = -1;
static ac_future *all_served;

struct client {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};

static int handle_client(ac_task *t, void *p) {
  struct client *c = p;
  ac_future *f;
  ac_value line;
  AC_BEGIN(c);
  for (;;) {
    if (ac_stream_readline(c->stream, &f) != 0) break;
    AC_AWAIT(c, ac_task_await_owned(t, f));
    if (ac_task_outcome(t) != 0) break;
    ac_future_result(ac_task_awaited(t), &line);
    if (line.u.bytes.len == 0) break; /* the client's close_notify */
    if (ac_stream_write(c->stream, line.u.bytes.data, line.u.bytes.len) != 0) break;
    if (ac_stream_drain(c->stream, &f) != 0) break;
    AC_AWAIT(c, ac_task_await_owned(t, f));
    if (ac_task_outcome(t) != 0) break;
  }
  ac_stream_close(c->stream);
  if (connections_left > 0 && --connections_left == 0) ac_future_set_result_none(all_served);
  AC_END(c);
}

struct main_state {
  AC_ASYNC_FIELDS;
  const char *cert, *key, *host;
  int port;
  ac_tls_context *ctx;
  ac_server *server;
};

static int main_step(ac_task *t, void *p) {
  struct main_state *m = p;
  int rc;
  char *address;
  AC_BEGIN(m);
  if ((rc = ac_tls_context_new(AC_TLS_SERVER, &m->ctx)) != 0 ||
      (rc = ac_tls_context_load_cert_chain(m->ctx, m->cert, m->key, NULL)) != 0)
    return ac_task_fail(t, rc, ac_last_error_message(rc));
  rc = ac_server_listen_tls_tasks(ac_task_get_loop(t), m->host, m->port, 0, m->ctx, NULL,
                                  handle_client, sizeof(struct client),
                                  offsetof(struct client, stream), &m->server);
  if (rc != 0) return ac_task_fail(t, rc, "cannot listen");
  if (ac_server_address(m->server, &address) == 0) {
    printf("serving on %s\n", address);
    fflush(stdout);
    ac_free(address);
  }
  if (ac_future_new(ac_task_get_loop(t), &all_served) != 0) return AC_ENOMEM;
  AC_AWAIT(m, ac_task_await(t, all_served));
  ac_server_close(m->server);
  ac_server_unref(m->server);
  ac_future_unref(all_served);
  ac_tls_context_unref(m->ctx);
  AC_END(m);
}

int main(int argc, char **argv) {
  struct main_state m;
  memset(&m, 0, sizeof m);
  m.host = "127.0.0.1";
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--connections") == 0 && i + 1 < argc) {
      connections_left = atoi(argv[++i]);
    } else if (positional == 0) {
      m.cert = argv[i], ++positional;
    } else if (positional == 1) {
      m.key = argv[i], ++positional;
    } else if (positional == 2) {
      m.host = argv[i], ++positional;
    } else {
      m.port = atoi(argv[i]);
    }
  }
  if (m.cert == NULL || m.key == NULL) {
    fprintf(stderr, "usage: tls_echo_server CERT KEY [HOST [PORT]] [--connections N]\n");
    return 2;
  }
  ac_error *err = NULL;
  int rc = ac_run(main_step, &m, NULL, AC_LOOP_DEFAULT, NULL, &err);
  if (rc != 0) {
    fprintf(stderr, "tls_echo_server: %s\n", ac_error_message(err));
    ac_error_unref(err);
    return 1;
  }
  return 0;
}
