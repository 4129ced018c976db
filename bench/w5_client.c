#define _GNU_SOURCE
/* w5_client.c — the common W5 client: C connections to 127.0.0.1:PORT,
 * each sending a 1 KiB message and waiting for the whole echo before the
 * next (one in flight per connection), for SECONDS after a warm-up of
 * WARMUP seconds. Prints messages per second. Plain libuv, so it is the
 * same program for every server.
 *
 * Given the server's process id, it also reads the server's user and
 * system CPU time (/proc/PID/stat, the sum over its threads) when the
 * measured window opens and when it closes, and prints the difference: the
 * server's CPU over exactly the messages counted.
 *
 * Fails (exit 1) if a connection cannot be made, breaks or is closed by
 * the server before the end, or if no message came back.
 *
 *   w5_client PORT [CONNECTIONS=50] [SECONDS=10] [WARMUP=0.5] [SERVER_PID]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "proc_cpu.h"

#define MSG 1024

struct conn {
  uv_tcp_t tcp;
  uv_connect_t creq;
  uv_write_t wreq;
  size_t got;
  char rbuf[65536];
};

static char message[MSG];
static uint64_t count, start_ns, end_ns;
static int measuring, done, failed;
static int server_pid;
static double cpu_start[2], cpu_end[2]; /* the server's user, system seconds */

/* The server's user and system CPU seconds so far. */
static void server_cpu(double out[2]) { proc_cpu(server_pid, out); }

static void send_one(struct conn *c);

static void on_write(uv_write_t *req, int status) {
  (void)req;
  if (status < 0 && !done) {
    fprintf(stderr, "w5_client: write: %s\n", uv_strerror(status));
    failed = 1;
  }
}

static void on_alloc(uv_handle_t *h, size_t s, uv_buf_t *b) {
  (void)s;
  struct conn *c = h->data;
  *b = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  (void)b;
  struct conn *c = s->data;
  if (n < 0) {
    if (!done) {
      fprintf(stderr, "w5_client: connection %s before the end\n",
              n == UV_EOF ? "closed by the server" : uv_strerror((int)n));
      failed = 1;
    }
    if (!uv_is_closing((uv_handle_t *)s)) uv_close((uv_handle_t *)s, NULL);
    return;
  }
  c->got += (size_t)n;
  while (c->got >= MSG) {
    c->got -= MSG;
    if (measuring) ++count;
    if (!done) send_one(c);
  }
}

static void send_one(struct conn *c) {
  uv_buf_t b = uv_buf_init(message, MSG);
  uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_write);
}

static void on_connect(uv_connect_t *req, int status) {
  struct conn *c = req->data;
  if (status < 0) {
    fprintf(stderr, "w5_client: connect: %s\n", uv_strerror(status));
    exit(1);
  }
  uv_tcp_nodelay(&c->tcp, 1);
  uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
  send_one(c);
}

static void on_warm(uv_timer_t *t) {
  (void)t;
  server_cpu(cpu_start);
  measuring = 1;
  start_ns = uv_hrtime();
}
static void close_all(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}
static void on_end(uv_timer_t *t) {
  end_ns = uv_hrtime();
  measuring = 0;
  server_cpu(cpu_end);
  done = 1;
  uv_walk(t->loop, close_all, NULL);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int port = atoi(argv[1]);
  int n = argc > 2 ? atoi(argv[2]) : 50;
  double seconds = argc > 3 ? atof(argv[3]) : 10;
  double warmup = argc > 4 ? atof(argv[4]) : 0.5;
  server_pid = argc > 5 ? atoi(argv[5]) : 0;
  memset(message, 'm', sizeof message);
  uv_loop_t *loop = uv_default_loop();
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", port, &addr);
  struct conn *conns = calloc((size_t)n, sizeof *conns);
  for (int i = 0; i < n; ++i) {
    uv_tcp_init(loop, &conns[i].tcp);
    uv_tcp_nodelay(&conns[i].tcp, 1);
    conns[i].tcp.data = &conns[i];
    conns[i].creq.data = &conns[i];
    uv_tcp_connect(&conns[i].creq, &conns[i].tcp, (struct sockaddr *)&addr, on_connect);
  }
  uv_timer_t warm, end;
  uv_timer_init(loop, &warm);
  uv_timer_init(loop, &end);
  uint64_t warm_ms = (uint64_t)(warmup * 1000);
  uv_timer_start(&warm, on_warm, warm_ms, 0);
  uv_timer_start(&end, on_end, warm_ms + (uint64_t)(seconds * 1000), 0);
  uv_run(loop, UV_RUN_DEFAULT);
  double dt = (double)(end_ns - start_ns) * 1e-9;
  printf("%.0f msgs/s (%llu messages in %.3f s)\n", (double)count / dt,
         (unsigned long long)count, dt);
  if (server_pid > 0)
    printf("server cpu user %.3f s sys %.3f s\n", cpu_end[0] - cpu_start[0],
           cpu_end[1] - cpu_start[1]);
  free(conns);
  if (count == 0) fprintf(stderr, "w5_client: no message came back\n");
  return failed || count == 0 ? 1 : 0;
}
