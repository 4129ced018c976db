#define _GNU_SOURCE
/* w5_echo_raw_libuv.c — W5 reference server: a plain uv_read/uv_write echo
 * on 127.0.0.1. Prints "port N", serves for SECONDS, then prints its user
 * and system CPU time.
 *
 *   w5_echo_raw_libuv [SECONDS=11]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uv.h>

struct wreq {
  uv_write_t req;
  uv_buf_t buf;
};

static void on_alloc(uv_handle_t *h, size_t s, uv_buf_t *b) {
  (void)h;
  b->base = malloc(s);
  b->len = s;
}
static void on_write(uv_write_t *req, int status) {
  (void)status;
  struct wreq *w = (struct wreq *)req;
  free(w->buf.base);
  free(w);
}
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  if (n > 0) {
    struct wreq *w = malloc(sizeof *w);
    w->buf = uv_buf_init(b->base, (unsigned)n);
    uv_write(&w->req, s, &w->buf, 1, on_write);
    return;
  }
  free(b->base);
  if (n < 0) uv_close((uv_handle_t *)s, (uv_close_cb)free);
}
static void on_connection(uv_stream_t *server, int status) {
  if (status < 0) return;
  uv_tcp_t *c = malloc(sizeof *c);
  uv_tcp_init(server->loop, c);
  if (uv_accept(server, (uv_stream_t *)c) == 0) {
    uv_tcp_nodelay(c, 1);
    uv_read_start((uv_stream_t *)c, on_alloc, on_read);
  } else {
    uv_close((uv_handle_t *)c, (uv_close_cb)free);
  }
}
static void on_end(uv_timer_t *t) { uv_stop(t->loop); }

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 11;
  uv_loop_t *loop = uv_default_loop();
  uv_tcp_t server;
  uv_tcp_init(loop, &server);
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  uv_tcp_bind(&server, (struct sockaddr *)&addr, 0);
  uv_listen((uv_stream_t *)&server, 128, on_connection);
  int len = sizeof addr;
  uv_tcp_getsockname(&server, (struct sockaddr *)&addr, &len);
  printf("port %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  uv_timer_t end;
  uv_timer_init(loop, &end);
  uv_timer_start(&end, on_end, (uint64_t)(seconds * 1000), 0);
  uv_run(loop, UV_RUN_DEFAULT);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("cpu user %.3f s sys %.3f s\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6,
         ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6);
  return 0;
}
