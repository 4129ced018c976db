/*
 * echo_server.c — asyncio's TCP echo server (start_server with a handler
 * per connection), in C.
 *
 *   echo_server [HOST [PORT]] [--unix PATH] [--connections N]
 *
 * Listens (default 127.0.0.1, port 0: any free port), prints
 * "serving on ADDRESS", and echoes every line each client sends until the
 * client ends its side. With --connections N it stops after N clients
 * have come and gone.
 */
#include <asyncore.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int connections_left = -1; /* -1: serve forever */
static ac_future *all_served;     /* done when connections_left hits 0 */

/* One connection: read a line, write it back, until EOF. */
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
    if (ac_task_outcome(t) != 0) break; /* reset, or a line over the limit */
    ac_future_result(ac_task_awaited(t), &line);
    if (line.u.bytes.len == 0) break; /* the client is done */
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
  const char *host, *unix_path;
  int port;
  ac_server *server;
};

static int main_step(ac_task *t, void *p) {
  struct main_state *m = p;
  int rc;
  char *address;
  AC_BEGIN(m);
  if (m->unix_path != NULL)
    rc = ac_server_listen_unix_tasks(ac_task_get_loop(t), m->unix_path, 0, handle_client,
                                     sizeof(struct client), offsetof(struct client, stream),
                                     &m->server);
  else
    rc = ac_server_listen_tcp_tasks(ac_task_get_loop(t), m->host, m->port, 0, handle_client,
                                    sizeof(struct client), offsetof(struct client, stream),
                                    &m->server);
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
  AC_END(m);
}

int main(int argc, char **argv) {
  struct main_state m;
  memset(&m, 0, sizeof m);
  m.host = "127.0.0.1";
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--unix") == 0 && i + 1 < argc) {
      m.unix_path = argv[++i];
    } else if (strcmp(argv[i], "--connections") == 0 && i + 1 < argc) {
      connections_left = atoi(argv[++i]);
    } else if (positional == 0) {
      m.host = argv[i];
      ++positional;
    } else {
      m.port = atoi(argv[i]);
    }
  }
  ac_error *err = NULL;
  int rc = ac_run(main_step, &m, NULL, AC_LOOP_DEFAULT, NULL, &err);
  if (rc != 0) {
    fprintf(stderr, "echo_server: %s: %s\n", ac_error_message(err), ac_strerror(rc));
    ac_error_unref(err);
    return 1;
  }
  return 0;
}
