#define _GNU_SOURCE
/* w5_echo_asyncore.c — W5 server on libasyncore: a task per connection,
 * read / write / drain, as asyncio's streams echo. Prints "port N", serves
 * for SECONDS, then prints its user and system CPU time. With W5_TLS_CERT
 * and W5_TLS_KEY (a certificate chain and its key, PEM files) it is the
 * W5-TLS server: the same echo behind ac_server_listen_tls_tasks (built
 * twice, as w5_echo_asyncore and w5_tls_echo_asyncore).
 *
 *   w5_echo_asyncore [SECONDS=11]
 *   W5_TLS_CERT=cert.pem W5_TLS_KEY=key.pem w5_tls_echo_asyncore [SECONDS=11]
 */
#include <asyncore.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

struct conn {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};

static int echo(ac_task *t, void *p) {
  struct conn *c = p;
  ac_future *f;
  ac_value v;
  AC_BEGIN(c);
  for (;;) {
    if (ac_stream_read(c->stream, 65536, &f) != 0) break;
    AC_AWAIT(c, ac_task_await_owned(t, f));
    if (ac_task_outcome(t) != 0) break;
    ac_future_result(ac_task_awaited(t), &v);
    if (v.u.bytes.len == 0) break;
    if (ac_stream_write(c->stream, v.u.bytes.data, v.u.bytes.len) != 0) break;
    if (ac_stream_drain(c->stream, &f) != 0) break;
    AC_AWAIT(c, ac_task_await_owned(t, f));
    if (ac_task_outcome(t) != 0) break;
  }
  ac_stream_close(c->stream);
  AC_END(c);
}

static void stop(ac_loop *loop, void *ud) {
  (void)ud;
  ac_loop_stop(loop);
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 11;
  const char *cert = getenv("W5_TLS_CERT"), *key = getenv("W5_TLS_KEY");
  ac_tls_context *ctx = NULL;
  int rc = 0;
  if (cert != NULL || key != NULL) {
    if (cert == NULL || key == NULL) {
      fprintf(stderr, "W5_TLS_CERT and W5_TLS_KEY name the certificate and key\n");
      return 2;
    }
    rc = ac_tls_context_new(AC_TLS_SERVER, &ctx);
    if (rc == 0) rc = ac_tls_context_load_cert_chain(ctx, cert, key, NULL);
    if (rc != 0) {
      fprintf(stderr, "TLS context: %s\n", ac_last_error_message(rc));
      return 1;
    }
  }
  ac_loop *loop;
  if (ac_loop_new(0, &loop) != 0) return 1;
  ac_server *srv;
  if (ctx != NULL) {
    rc = ac_server_listen_tls_tasks(loop, "127.0.0.1", 0, 0, ctx, NULL, echo, sizeof(struct conn),
                                    offsetof(struct conn, stream), &srv);
    ac_tls_context_unref(ctx);
  } else {
    rc = ac_server_listen_tcp_tasks(loop, "127.0.0.1", 0, 0, echo, sizeof(struct conn),
                                    offsetof(struct conn, stream), &srv);
  }
  if (rc != 0) {
    fprintf(stderr, "listen: %s\n", ac_last_error_message(rc));
    return 1;
  }
  printf("port %d\n", ac_server_port(srv));
  fflush(stdout);
  ac_loop_call_later(loop, seconds, stop, NULL, NULL, NULL);
  ac_loop_run_forever(loop);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("cpu user %.3f s sys %.3f s\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6,
         ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6);
  ac_server_unref(srv);
  ac_loop_set_exception_handler(loop, NULL, NULL, NULL);
  ac_loop_close(loop);
  ac_loop_unref(loop);
  return 0;
}
