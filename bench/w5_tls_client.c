#define _GNU_SOURCE
/* w5_tls_client.c — the common W5-TLS client: W5 (w5_client.c) over TLS
 * 1.3 with TLS_AES_128_GCM_SHA256 only, on OpenSSL with non-blocking
 * sockets and epoll, so it is the same program for every server.
 *
 * First HANDSHAKES fresh connections, at most CONNECTIONS at a time, each:
 * TCP connect, a full TLS 1.3 handshake (no session resumption), one 1 KiB
 * echo, close_notify, close. Prints the handshakes per second.
 *
 * Then the echo: CONNECTIONS connections, each sending a 1 KiB message and
 * waiting for the whole echo before the next (one in flight per
 * connection), for SECONDS after WARMUP seconds. Prints messages per
 * second and, given the server's process id, the server's user and system
 * CPU time over the measured window (as w5_client).
 *
 * Fails (exit 1) if a connection cannot be made or breaks, if the server
 * negotiated anything but TLS 1.3 with TLS_AES_128_GCM_SHA256, or if no
 * message came back.
 *
 *   w5_tls_client PORT [CONNECTIONS=50] [SECONDS=10] [WARMUP=0.5]
 *                 [SERVER_PID] [HANDSHAKES=1000]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proc_cpu.h"

#define MSG 1024
#define SUITE "TLS_AES_128_GCM_SHA256"

enum state { CONNECTING, HANDSHAKE, WRITING, READING };

struct conn {
  int fd;
  SSL *ssl;
  enum state st;
  size_t got;
  int want_out; /* EPOLLOUT is being watched */
};

static SSL_CTX *ctx;
static int ep;
static struct sockaddr_in addr;
static char message[MSG];
static char rbuf[65536];
static int server_pid;
static int echo_phase;  /* 0: handshakes, 1: echo */
static int measuring, finished, checked;
static uint64_t count;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what) {
  unsigned long e = ERR_get_error();
  fprintf(stderr, "w5_tls_client: %s: %s (%s)\n", what, e ? ERR_reason_error_string(e) : "-",
          strerror(errno));
  exit(1);
}

/* The server's user and system CPU seconds so far. */
static void server_cpu(double out[2]) { proc_cpu(server_pid, out); }

static void watch(struct conn *c, int out) {
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) die("epoll_ctl");
  c->want_out = out;
}

static void open_conn(struct conn *c) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) die("socket");
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0 && errno != EINPROGRESS)
    die("connect");
  c->ssl = SSL_new(ctx);
  if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) die("SSL_new");
  SSL_set_connect_state(c->ssl);
  c->st = CONNECTING;
  c->got = 0;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) die("epoll_ctl");
  c->want_out = 1;
}

static void close_conn(struct conn *c, int notify) {
  if (notify) SSL_shutdown(c->ssl); /* close_notify; the answer is not awaited */
  SSL_free(c->ssl);
  close(c->fd); /* leaves epoll with it */
  c->ssl = NULL;
  c->fd = -1;
}

/* Handles an SSL call's failure: 0 to wait for the socket, else exits. */
static void wait_or_die(struct conn *c, int r, const char *what) {
  int e = SSL_get_error(c->ssl, r);
  if (e == SSL_ERROR_WANT_READ) {
    if (c->want_out) watch(c, 0);
    return;
  }
  if (e == SSL_ERROR_WANT_WRITE) {
    if (!c->want_out) watch(c, 1);
    return;
  }
  if (finished) return;
  fprintf(stderr, "w5_tls_client: %s: ssl error %d\n", what, e);
  die(what);
}

/* Moves a connection on as far as it goes; returns 1 when it finished its
 * one echo in the handshake phase (the caller closes it). */
static int drive(struct conn *c) {
  for (;;) {
    int r;
    size_t n = 0;
    switch (c->st) {
      case CONNECTING: {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          errno = err;
          die("connect");
        }
        c->st = HANDSHAKE;
        break;
      }
      case HANDSHAKE:
        r = SSL_do_handshake(c->ssl);
        if (r != 1) {
          wait_or_die(c, r, "handshake");
          return 0;
        }
        if (!checked) {
          const char *suite = SSL_CIPHER_standard_name(SSL_get_current_cipher(c->ssl));
          if (SSL_version(c->ssl) != TLS1_3_VERSION || suite == NULL || strcmp(suite, SUITE) != 0) {
            fprintf(stderr, "w5_tls_client: negotiated %s %s\n", SSL_get_version(c->ssl),
                    suite ? suite : "?");
            exit(1);
          }
          printf("negotiated %s %s\n", SSL_get_version(c->ssl), suite);
          checked = 1;
        }
        c->st = WRITING;
        break;
      case WRITING:
        r = SSL_write_ex(c->ssl, message, MSG, &n);
        if (r != 1) {
          wait_or_die(c, (int)r, "write");
          return 0;
        }
        c->st = READING;
        c->got = 0;
        if (c->want_out) watch(c, 0);
        /* The echo is not back yet: wait for the socket (as w5_client
         * does) unless records wait in the read-ahead buffer. */
        if (!SSL_has_pending(c->ssl)) return 0;
        break;
      case READING:
        r = SSL_read_ex(c->ssl, rbuf, sizeof rbuf, &n);
        if (r != 1) {
          int e = SSL_get_error(c->ssl, r);
          if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && !finished)) {
            fprintf(stderr, "w5_tls_client: connection closed by the server before the end\n");
            exit(1);
          }
          wait_or_die(c, r, "read");
          return 0;
        }
        c->got += n;
        if (c->got < MSG) break;
        if (c->got > MSG) {
          fprintf(stderr, "w5_tls_client: more bytes than sent came back\n");
          exit(1);
        }
        if (!echo_phase) return 1;
        if (measuring) ++count;
        if (finished) return 0;
        c->st = WRITING;
        break;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int port = atoi(argv[1]);
  int n = argc > 2 ? atoi(argv[2]) : 50;
  double seconds = argc > 3 ? atof(argv[3]) : 10;
  double warmup = argc > 4 ? atof(argv[4]) : 0.5;
  server_pid = argc > 5 ? atoi(argv[5]) : 0;
  int handshakes = argc > 6 ? atoi(argv[6]) : 1000;
  if (n < 1) n = 1;
  memset(message, 'm', sizeof message);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == NULL) die("SSL_CTX_new");
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  if (SSL_CTX_set_ciphersuites(ctx, SUITE) != 1) die("ciphersuites");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); /* a benchmark: any certificate */
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  /* One read() takes what the socket holds (the records of an echo at
   * once), not a header and then a body per record. */
  SSL_CTX_set_read_ahead(ctx, 1);
  ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct conn *conns = calloc((size_t)n, sizeof *conns);
  struct epoll_event evs[64];

  /* Phase 1: fresh connections. */
  int started = 0, ended = 0;
  double t0 = now();
  for (int i = 0; i < n && started < handshakes; ++i, ++started) open_conn(&conns[i]);
  while (ended < handshakes) {
    int k = epoll_wait(ep, evs, 64, 10000);
    if (k == 0) {
      fprintf(stderr, "w5_tls_client: no progress in 10 s (handshakes)\n");
      return 1;
    }
    for (int i = 0; i < k; ++i) {
      struct conn *c = evs[i].data.ptr;
      if (c->fd < 0) continue;
      if (drive(c)) {
        close_conn(c, 1);
        ++ended;
        if (started < handshakes) {
          open_conn(c);
          ++started;
        }
      }
    }
  }
  double dt = now() - t0;
  if (handshakes > 0)
    printf("%.0f handshakes/s (%d in %.3f s)\n", handshakes / dt, handshakes, dt);

  /* Phase 2: the echo. */
  echo_phase = 1;
  for (int i = 0; i < n; ++i) open_conn(&conns[i]);
  double start = now(), t_warm = start + warmup, t_end = t_warm + seconds, m0 = 0, m1 = 0;
  double cpu0[2] = {0, 0}, cpu1[2] = {0, 0};
  for (;;) {
    double t = now();
    if (!measuring && t >= t_warm) {
      server_cpu(cpu0);
      measuring = 1;
      m0 = now();
    }
    if (t >= t_end) {
      m1 = now();
      measuring = 0;
      server_cpu(cpu1);
      finished = 1;
      break;
    }
    double next = (measuring ? t_end : t_warm) - t;
    int ms = (int)(next * 1000) + 1;
    int k = epoll_wait(ep, evs, 64, ms < 10000 ? ms : 10000);
    for (int i = 0; i < k; ++i) drive(evs[i].data.ptr);
  }
  for (int i = 0; i < n; ++i) close_conn(&conns[i], 1);
  dt = m1 - m0;
  printf("%.0f msgs/s (%llu messages in %.3f s)\n", (double)count / dt,
         (unsigned long long)count, dt);
  if (server_pid > 0)
    printf("server cpu user %.3f s sys %.3f s\n", cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]);
  free(conns);
  close(ep);
  SSL_CTX_free(ctx);
  if (count == 0) fprintf(stderr, "w5_tls_client: no message came back\n");
  return count == 0 ? 1 : 0;
}
