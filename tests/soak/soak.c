#define _GNU_SOURCE
/*
 * soak.c — a bounded soak of the stream and server code: an echo server
 * (asyncio's start_server, one task per connection that reads, writes back
 * and drains) and churning clients, all on one loop in one thread, round
 * after round. After every round, once the loop has drained, it checks that
 * every server handler that started has ended, that no task is left
 * pending, that the process holds as many descriptors as before the round,
 * and samples the resident set size. At the end it fails if the RSS after
 * the last round exceeds the RSS after round 1 (the warm-up round) by more
 * than 10%.
 *
 *   soak [--rounds N] [--seconds S] [--seed X] [--quiet]
 *
 * --rounds N runs N rounds (default 60); --seconds S runs rounds until S
 * seconds have passed (at least 3 rounds), whichever comes first when both
 * are given. Exit status 0 when every check held, 1 otherwise; the last
 * line is a summary.
 *
 * The clients of a round:
 *  - workers, each making short connections one after another: connect,
 *    a few messages (each echo read back with readexactly and compared byte
 *    for byte), then one of: half-close and read EOF (the clean end);
 *    a reset (SO_LINGER 0, then close), sometimes with a message whose echo
 *    is never read; or no message at all, closed or reset at once;
 *  - slow readers: they send a large block at once, shrink their read
 *    limit and read the echo in small pieces with a pause between them, so
 *    the server's writes back up and its drain must wait; one reads it all,
 *    the others close or reset in the middle of the stream;
 *  - long-lived connections, opened before round 1 and closed after the
 *    last, exchanging a message each round.
 * Every byte is a function of its connection and offset, so every echoed
 * byte is checked for content as well as count.
 *
 * The client side cannot reach its socket through the API, so a reset
 * finds the descriptor by its addresses (local port, peer port) in
 * /proc/self/fd and sets SO_LINGER 0 on it before ac_stream_close.
 */
#include <asyncore.h>
#include <dirent.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- sizes */

enum {
  WORKERS = 32,          /* concurrent short-connection workers */
  CONNS_PER_WORKER = 12, /* connections each worker makes per round */
  MAX_MESSAGE = 4096,    /* largest message of a short connection */
  SLOW_READERS = 3,      /* slow readers per round: one of each kind */
  SLOW_BYTES = 8 << 20,  /* what each sends: more than the kernel buffers
                            on loopback take (the server's send buffer
                            grows to 4 MiB), so the server's writes back up */
  SLOW_READ = 32768,     /* its read size, and its stream limit */
  SLOW_RCVBUF = 131072,  /* its kernel receive buffer */
  LONG_LIVED = 4,        /* connections kept across rounds */
  BACKLOG = 1024,
};
#define DEFAULT_ROUNDS 60 /* about 50 s alone on 2 cores */
#define SLOW_PAUSE 0.001  /* seconds between two reads of a slow reader */
#define RSS_SLACK 0.10    /* allowed growth from round 1 to the last */
#define SETTLE_POLLS 5000 /* 2 ms polls before a round counts as hung */

/* ---------------------------------------------------------------- state */

static ac_loop *g_loop;
static int g_port;
static uint64_t g_seed = 1;
static int g_quiet;
static long g_failures;
static uint32_t g_next_conn_id = 1;

/* Server side, cumulative. */
static long srv_started, srv_ended, srv_eof, srv_reset, srv_pipe;
static long srv_drain_waits;
static uint64_t srv_bytes;

/* Client side, cumulative. */
static long cli_connections, cli_clean, cli_resets, cli_silent, cli_slow_mid;
static uint64_t cli_bytes_checked;

static void fail(const char *fmt, ...) {
  ++g_failures;
  if (g_failures > 30) return; /* enough to diagnose */
  va_list ap;
  va_start(ap, fmt);
  fputs("soak: FAIL: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* ---------------------------------------------------------------- bytes */

static uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

static uint64_t rng_next(uint64_t *state) {
  *state += 0x9e3779b97f4a7c15ULL;
  return mix64(*state);
}

/* The bytes of connection `id` from offset `off`: one mixed word per 8. */
static void fill(uint8_t *buf, uint32_t id, uint64_t off, size_t len) {
  uint64_t word = 0;
  for (size_t i = 0; i < len; ++i) {
    uint64_t pos = off + i;
    if (i == 0 || (pos & 7) == 0) word = mix64(((uint64_t)id << 40) ^ (pos >> 3) ^ g_seed);
    buf[i] = (uint8_t)(word >> ((pos & 7) * 8));
  }
}

/* 1 when data[0..len) are the bytes of connection `id` at `off`. */
static int matches(const uint8_t *data, uint32_t id, uint64_t off, size_t len) {
  uint8_t tmp[4096];
  while (len > 0) {
    size_t n = len < sizeof tmp ? len : sizeof tmp;
    fill(tmp, id, off, n);
    if (memcmp(tmp, data, n) != 0) return 0;
    data += n;
    off += n;
    len -= n;
  }
  return 1;
}

/* ---------------------------------------------------------------- process */

static int soak_no_signal(ac_loop *loop, int sig, void *ud) {
  (void)loop;
  (void)sig;
  (void)ud;
  return 0;
}

/* Open descriptors (the directory's own one not counted). */
static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1;
}

/* Resident set size in KiB. */
static long rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL) return -1;
  long size = 0, resident = -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The largest TCP send buffer the kernel may grow to, or -1. */
static long tcp_wmem_max(void) {
  FILE *f = fopen("/proc/sys/net/ipv4/tcp_wmem", "r");
  if (f == NULL) return -1;
  long lo, def, hi;
  int n = fscanf(f, "%ld %ld %ld", &lo, &def, &hi);
  fclose(f);
  return n == 3 ? hi : -1;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int port_of(const struct sockaddr_storage *a) {
  if (a->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)a)->sin_port);
  if (a->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
  return -1;
}

/* The descriptor of client stream `s`, found by its local port and the
 * server's port; -1 when not found. */
static int client_fd(ac_stream *s) {
  char *addr = NULL;
  if (ac_stream_local_address(s, &addr) != 0) return -1;
  const char *colon = strrchr(addr, ':');
  int local = colon != NULL ? atoi(colon + 1) : -1;
  ac_free(addr);
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) return -1;
  int found = -1;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd == dirfd(d)) continue;
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0 || port_of(&a) != local) continue;
    len = sizeof a;
    if (getpeername(fd, (struct sockaddr *)&a, &len) != 0 || port_of(&a) != g_port) continue;
    found = fd;
    break;
  }
  closedir(d);
  return found;
}

/* Makes the next close of client stream `s` a reset (SO_LINGER 0).
 * Returns 0, or -1 when its socket was not found. */
static int arm_reset(ac_stream *s) {
  int fd = client_fd(s);
  struct linger lg = {1, 0};
  return fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0 ? 0 : -1;
}

/* Prints the open descriptors (when their count is wrong). */
static void list_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d)) continue;
    char path[320], target[256];
    snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    fprintf(stderr, "soak:   fd %s -> %s\n", e->d_name, target);
  }
  closedir(d);
}

/* ---------------------------------------------------------------- server */

/* One connection: read what comes, write it back, drain; until EOF or a
 * connection error. */
struct echo {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
  int code;
  const char *where;
};

static int echo_step(ac_task *t, void *p) {
  struct echo *c = p;
  ac_future *f;
  ac_value v;
  int rc;
  AC_BEGIN(c);
  ++srv_started;
  for (;;) {
    c->where = "read";
    if ((rc = ac_stream_read(c->stream, 65536, &f)) != 0) {
      c->code = rc;
      break;
    }
    AC_AWAIT(c, ac_task_await_owned(t, f));
    if ((c->code = ac_task_outcome(t)) != 0) break;
    if (ac_future_result(ac_task_awaited(t), &v) != 0 || v.kind != AC_VALUE_BYTES) {
      c->code = AC_EINVAL;
      break;
    }
    if (v.u.bytes.len == 0) break; /* EOF: the client is done */
    srv_bytes += v.u.bytes.len;
    c->where = "write";
    if ((c->code = ac_stream_write(c->stream, v.u.bytes.data, v.u.bytes.len)) != 0) break;
    if (ac_stream_write_buffer_size(c->stream) > AC_STREAM_DEFAULT_HIGH_WATER) ++srv_drain_waits;
    c->where = "drain";
    if ((c->code = ac_stream_drain(c->stream, &f)) != 0) break;
    AC_AWAIT(c, ac_task_await_owned(t, f));
    if ((c->code = ac_task_outcome(t)) != 0) break;
  }
  if (c->code == 0)
    ++srv_eof;
  else if (c->code == AC_ECONNRESET)
    ++srv_reset;
  else if (c->code == AC_EPIPE)
    ++srv_pipe;
  else
    fail("server handler: %s at %s", ac_err_name(c->code), c->where);
  ac_stream_close(c->stream);
  if (ac_stream_wait_closed(c->stream, &f) != 0) {
    fail("server handler: wait_closed refused");
  } else {
    AC_AWAIT(c, ac_task_await_owned(t, f));
    if (ac_task_outcome(t) != 0) fail("server handler: wait_closed: %s", ac_err_name(ac_task_outcome(t)));
  }
  ++srv_ended;
  AC_END(c);
}

/* ---------------------------------------------------------------- clients */

enum end_kind { END_CLEAN, END_RESET, END_RESET_UNREAD, END_SILENT_CLOSE, END_SILENT_RESET };

static enum end_kind pick_end(uint64_t *rng) {
  unsigned r = (unsigned)(rng_next(rng) % 100);
  if (r < 70) return END_CLEAN;
  if (r < 80) return END_RESET;
  if (r < 88) return END_RESET_UNREAD;
  if (r < 94) return END_SILENT_CLOSE;
  return END_SILENT_RESET;
}

/* A worker: CONNS_PER_WORKER short connections, one after another. */
struct worker {
  AC_ASYNC_FIELDS;
  uint64_t rng;
  int left;
  enum end_kind end;
  uint32_t id;
  ac_stream *s;
  int msgs;
  size_t len;
  uint64_t off;
  uint8_t buf[MAX_MESSAGE];
};

static void worker_free(void *p) {
  struct worker *w = p;
  ac_stream_unref(w->s);
  free(w);
}

/* Closes w->s and waits for it; a reset first when `reset`. */
#define CLOSE_STREAM(st, t, s, reset, who)                                        \
  do {                                                                            \
    if ((reset) && arm_reset(s) != 0) fail("%s: socket not found for a reset", who); \
    ac_stream_close(s);                                                           \
    if (ac_stream_wait_closed((s), &f) != 0) {                                    \
      fail("%s: wait_closed refused", who);                                       \
    } else {                                                                      \
      AC_AWAIT(st, ac_task_await_owned(t, f));                                    \
      if (ac_task_outcome(t) != 0)                                                \
        fail("%s: wait_closed: %s", who, ac_err_name(ac_task_outcome(t)));        \
    }                                                                             \
  } while (0)

static int worker_step(ac_task *t, void *p) {
  struct worker *w = p;
  ac_future *f;
  ac_value v;
  int rc;
  AC_BEGIN(w);
  for (; w->left > 0; --w->left) {
    w->end = pick_end(&w->rng);
    w->id = g_next_conn_id++;
    w->off = 0;
    if ((rc = ac_stream_connect_tcp(g_loop, "127.0.0.1", g_port, &w->s, &f)) != 0) {
      fail("connect refused: %s", ac_err_name(rc));
      continue;
    }
    AC_AWAIT(w, ac_task_await_owned(t, f));
    if ((rc = ac_task_outcome(t)) != 0) {
      fail("connect: %s", ac_err_name(rc));
      ac_stream_unref(w->s);
      w->s = NULL;
      continue;
    }
    ++cli_connections;
    if (w->end == END_SILENT_CLOSE || w->end == END_SILENT_RESET) {
      ++cli_silent;
      CLOSE_STREAM(w, t, w->s, w->end == END_SILENT_RESET, "silent client");
      ac_stream_unref(w->s);
      w->s = NULL;
      continue;
    }
    /* A few messages, each echo read back and compared. */
    for (w->msgs = 1 + (int)(rng_next(&w->rng) % 4); w->msgs > 0; --w->msgs) {
      w->len = 1 + (size_t)(rng_next(&w->rng) % MAX_MESSAGE);
      fill(w->buf, w->id, w->off, w->len);
      if ((rc = ac_stream_write(w->s, w->buf, w->len)) != 0) {
        fail("client write: %s", ac_err_name(rc));
        break;
      }
      if ((rc = ac_stream_readexactly(w->s, w->len, &f)) != 0) {
        fail("client readexactly refused: %s", ac_err_name(rc));
        break;
      }
      AC_AWAIT(w, ac_task_await_owned(t, f));
      if ((rc = ac_task_outcome(t)) != 0) {
        fail("client readexactly: %s", ac_err_name(rc));
        break;
      }
      ac_future_result(ac_task_awaited(t), &v);
      if (v.kind != AC_VALUE_BYTES || v.u.bytes.len != w->len ||
          !matches(v.u.bytes.data, w->id, w->off, w->len)) {
        fail("connection %u: wrong echo at offset %llu (%zu bytes)", w->id,
             (unsigned long long)w->off, w->len);
        break;
      }
      cli_bytes_checked += w->len;
      w->off += w->len;
    }
    if (w->end == END_CLEAN) {
      /* Half-close; the server echoes nothing more and closes. */
      if ((rc = ac_stream_write_eof(w->s)) != 0) fail("client write_eof: %s", ac_err_name(rc));
      if ((rc = ac_stream_read(w->s, SIZE_MAX, &f)) != 0) {
        fail("client read to EOF refused: %s", ac_err_name(rc));
      } else {
        AC_AWAIT(w, ac_task_await_owned(t, f));
        if ((rc = ac_task_outcome(t)) != 0) {
          fail("client read to EOF: %s", ac_err_name(rc));
        } else {
          ac_future_result(ac_task_awaited(t), &v);
          if (v.kind != AC_VALUE_BYTES || v.u.bytes.len != 0)
            fail("connection %u: bytes after the last echo", w->id);
        }
      }
      ++cli_clean;
      CLOSE_STREAM(w, t, w->s, 0, "client");
    } else {
      if (w->end == END_RESET_UNREAD) {
        /* One more message whose echo is never read. */
        w->len = 1 + (size_t)(rng_next(&w->rng) % MAX_MESSAGE);
        fill(w->buf, w->id, w->off, w->len);
        if ((rc = ac_stream_write(w->s, w->buf, w->len)) != 0)
          fail("client write: %s", ac_err_name(rc));
      }
      ++cli_resets;
      /* A reset needs the writes handed to the kernel first (close waits
       * for them otherwise); a short message always is. */
      if (ac_stream_write_buffer_size(w->s) != 0) fail("client: write buffer not empty");
      CLOSE_STREAM(w, t, w->s, 1, "resetting client");
    }
    ac_stream_unref(w->s);
    w->s = NULL;
  }
  AC_END(w);
}

/* A slow reader: sends SLOW_BYTES at once, reads the echo in small pieces
 * with a pause between them. */
enum slow_kind { SLOW_FULL, SLOW_CLOSE, SLOW_RESET };

struct slow {
  AC_ASYNC_FIELDS;
  enum slow_kind kind;
  uint32_t id;
  ac_stream *s;
  uint64_t got;
};

static void slow_free(void *p) {
  struct slow *sl = p;
  ac_stream_unref(sl->s);
  free(sl);
}

static int slow_step(ac_task *t, void *p) {
  struct slow *sl = p;
  ac_future *f;
  ac_value v;
  int rc;
  AC_BEGIN(sl);
  sl->id = g_next_conn_id++;
  if ((rc = ac_stream_connect_tcp(g_loop, "127.0.0.1", g_port, &sl->s, &f)) != 0) {
    fail("slow connect refused: %s", ac_err_name(rc));
    return AC_STEP_DONE;
  }
  AC_AWAIT(sl, ac_task_await_owned(t, f));
  if ((rc = ac_task_outcome(t)) != 0) {
    fail("slow connect: %s", ac_err_name(rc));
    return AC_STEP_DONE;
  }
  ++cli_connections;
  /* A small limit: the stream stops reading from the socket beyond twice
   * that, so the kernel buffers fill and the server's writes back up. */
  ac_stream_set_limit(sl->s, SLOW_READ);
  /* And a fixed kernel receive buffer (no autotuning), so that what the
   * kernel holds stays well under what it sends. */
  {
    int fd = client_fd(sl->s), size = SLOW_RCVBUF;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0)
      fail("slow reader: cannot shrink the receive buffer");
  }
  {
    uint8_t *data = malloc(SLOW_BYTES);
    if (data == NULL) return AC_ENOMEM;
    fill(data, sl->id, 0, SLOW_BYTES);
    rc = ac_stream_write(sl->s, data, SLOW_BYTES); /* buffered; no drain */
    free(data);
    if (rc != 0) {
      fail("slow write: %s", ac_err_name(rc));
      CLOSE_STREAM(sl, t, sl->s, 0, "slow reader");
      return AC_STEP_DONE;
    }
  }
  if (sl->kind == SLOW_FULL) ac_stream_write_eof(sl->s);
  while (sl->got < SLOW_BYTES) {
    if ((rc = ac_stream_read(sl->s, SLOW_READ, &f)) != 0) {
      fail("slow read refused: %s", ac_err_name(rc));
      break;
    }
    AC_AWAIT(sl, ac_task_await_owned(t, f));
    if ((rc = ac_task_outcome(t)) != 0) {
      fail("slow read: %s", ac_err_name(rc));
      break;
    }
    ac_future_result(ac_task_awaited(t), &v);
    if (v.u.bytes.len == 0) {
      fail("slow reader %u: EOF after %llu of %d bytes", sl->id, (unsigned long long)sl->got,
           SLOW_BYTES);
      break;
    }
    if (sl->got + v.u.bytes.len > SLOW_BYTES || !matches(v.u.bytes.data, sl->id, sl->got, v.u.bytes.len)) {
      fail("slow reader %u: wrong echo at offset %llu", sl->id, (unsigned long long)sl->got);
      break;
    }
    sl->got += v.u.bytes.len;
    cli_bytes_checked += v.u.bytes.len;
    /* Stop in the middle once past half and once everything sent has
     * reached the kernel (closing waits for buffered writes otherwise). */
    if (sl->kind != SLOW_FULL && sl->got >= SLOW_BYTES / 2 &&
        ac_stream_write_buffer_size(sl->s) == 0)
      break;
    AC_AWAIT(sl, ac_task_sleep(t, SLOW_PAUSE));
    if ((rc = ac_task_outcome(t)) != 0) return rc;
  }
  if (sl->kind == SLOW_FULL) {
    if (sl->got == SLOW_BYTES) {
      if ((rc = ac_stream_read(sl->s, SIZE_MAX, &f)) != 0) {
        fail("slow read to EOF refused: %s", ac_err_name(rc));
      } else {
        AC_AWAIT(sl, ac_task_await_owned(t, f));
        if ((rc = ac_task_outcome(t)) != 0) {
          fail("slow read to EOF: %s", ac_err_name(rc));
        } else {
          ac_future_result(ac_task_awaited(t), &v);
          if (v.u.bytes.len != 0) fail("slow reader %u: bytes after the echo", sl->id);
        }
      }
    }
    ++cli_clean;
    CLOSE_STREAM(sl, t, sl->s, 0, "slow reader");
  } else {
    if (sl->got < SLOW_BYTES) ++cli_slow_mid;
    ++cli_resets;
    CLOSE_STREAM(sl, t, sl->s, sl->kind == SLOW_RESET, "slow reader");
  }
  AC_END(sl);
}

/* ---------------------------------------------------------------- rounds */

struct round_stats {
  long rss_kib;
  int fds;
};

struct main_state {
  AC_ASYNC_FIELDS;
  long max_rounds;
  double max_seconds, started_at;
  ac_server *server;
  ac_stream *ll[LONG_LIVED];
  uint32_t ll_id[LONG_LIVED];
  uint64_t ll_off[LONG_LIVED];
  uint8_t ll_buf[MAX_MESSAGE];
  size_t ll_len;
  int i, polls;
  long round;
  ac_task *tasks[WORKERS + SLOW_READERS];
  int ntasks;
  int fd_base;
  long rss_first, rss_last, rss_max;
  int fds_last;
  long round_conns0;
  uint64_t round_bytes0;
};

static void count_task(ac_task *task, void *ud) {
  (void)task;
  ++*(int *)ud;
}

static int pending_tasks(void) {
  int n = 0;
  ac_loop_foreach_task(g_loop, count_task, &n);
  return n;
}

static void on_exception(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                         void *ud) {
  (void)loop;
  (void)future;
  (void)ud;
  fail("loop exception handler: %s%s%s", message != NULL ? message : "",
       error != NULL ? ": " : "", error != NULL ? ac_error_message(error) : "");
}

/* Settled: every connection the clients made was accepted and its handler
 * has ended (but those of the long-lived connections, still running). */
static int settled(const struct main_state *m, int open_long_lived) {
  return ac_server_accepted(m->server) == cli_connections && srv_started == cli_connections &&
         srv_ended == srv_started - open_long_lived;
}

static int main_step(ac_task *t, void *p) {
  struct main_state *m = p;
  ac_future *f;
  ac_value v;
  int rc;
  AC_BEGIN(m);
  g_loop = ac_task_get_loop(t);
  ac_loop_set_exception_handler(g_loop, on_exception, NULL, NULL);
  if ((rc = ac_server_listen_tcp_tasks(g_loop, "127.0.0.1", 0, BACKLOG, echo_step,
                                       sizeof(struct echo), offsetof(struct echo, stream),
                                       &m->server)) != 0)
    return ac_task_fail(t, rc, "cannot listen");
  g_port = ac_server_port(m->server);

  /* The long-lived connections, before the first count of descriptors. */
  for (m->i = 0; m->i < LONG_LIVED; ++m->i) {
    m->ll_id[m->i] = g_next_conn_id++;
    if ((rc = ac_stream_connect_tcp(g_loop, "127.0.0.1", g_port, &m->ll[m->i], &f)) != 0)
      return ac_task_fail(t, rc, "long-lived connect");
    AC_AWAIT(m, ac_task_await_owned(t, f));
    AC_CHECK(t);
    ++cli_connections;
  }
  for (m->polls = 0; !settled(m, LONG_LIVED) && m->polls < SETTLE_POLLS; ++m->polls)
    AC_AWAIT(m, ac_task_sleep(t, 0.002));
  if (!settled(m, LONG_LIVED)) return ac_task_fail(t, AC_ESTATE, "long-lived handlers did not start");
  m->fd_base = count_fds();
  m->started_at = now_seconds();

  for (m->round = 1;; ++m->round) {
    if (m->round > m->max_rounds) break;
    if (m->max_seconds > 0 && m->round > 3 && now_seconds() - m->started_at >= m->max_seconds) break;
    m->round_conns0 = cli_connections;
    m->round_bytes0 = cli_bytes_checked;
    m->ntasks = 0;
    for (m->i = 0; m->i < WORKERS; ++m->i) {
      struct worker *w = calloc(1, sizeof *w);
      if (w == NULL) return AC_ENOMEM;
      w->rng = mix64(g_seed ^ ((uint64_t)m->round << 20) ^ (uint64_t)m->i);
      w->left = CONNS_PER_WORKER;
      if ((rc = ac_task_new(g_loop, worker_step, w, worker_free, 0, &m->tasks[m->ntasks])) != 0)
        return ac_task_fail(t, rc, "worker task");
      ++m->ntasks;
    }
    for (m->i = 0; m->i < SLOW_READERS; ++m->i) {
      struct slow *sl = calloc(1, sizeof *sl);
      if (sl == NULL) return AC_ENOMEM;
      sl->kind = (enum slow_kind)(m->i % 3);
      if ((rc = ac_task_new(g_loop, slow_step, sl, slow_free, 0, &m->tasks[m->ntasks])) != 0)
        return ac_task_fail(t, rc, "slow reader task");
      ++m->ntasks;
    }
    /* The long-lived connections exchange one message each meanwhile. */
    for (m->i = 0; m->i < LONG_LIVED; ++m->i) {
      m->ll_len = 1 + (size_t)(mix64(g_seed ^ (uint64_t)m->round * 7919 ^ (uint64_t)m->i) % MAX_MESSAGE);
      fill(m->ll_buf, m->ll_id[m->i], m->ll_off[m->i], m->ll_len);
      if ((rc = ac_stream_write(m->ll[m->i], m->ll_buf, m->ll_len)) != 0)
        return ac_task_fail(t, rc, "long-lived write");
      if ((rc = ac_stream_readexactly(m->ll[m->i], m->ll_len, &f)) != 0)
        return ac_task_fail(t, rc, "long-lived read");
      AC_AWAIT(m, ac_task_await_owned(t, f));
      AC_CHECK(t);
      ac_future_result(ac_task_awaited(t), &v);
      if (v.u.bytes.len != m->ll_len ||
          !matches(v.u.bytes.data, m->ll_id[m->i], m->ll_off[m->i], m->ll_len))
        fail("long-lived connection %d: wrong echo in round %ld", m->i, m->round);
      m->ll_off[m->i] += m->ll_len;
      cli_bytes_checked += m->ll_len;
    }
    for (m->i = 0; m->i < m->ntasks; ++m->i) {
      AC_AWAIT(m, ac_task_await(t, ac_task_future(m->tasks[m->i])));
      if ((rc = ac_task_outcome(t)) != 0) fail("client task: %s", ac_err_name(rc));
      ac_task_unref(m->tasks[m->i]);
      m->tasks[m->i] = NULL;
    }
    /* Every handler ends: its client is gone. */
    for (m->polls = 0; !settled(m, LONG_LIVED) && m->polls < SETTLE_POLLS; ++m->polls)
      AC_AWAIT(m, ac_task_sleep(t, 0.002));
    if (!settled(m, LONG_LIVED)) {
      fail("round %ld: hung: %lld accepted, %ld connected, %ld handlers started, %ld ended",
           m->round, (long long)ac_server_accepted(m->server), cli_connections, srv_started,
           srv_ended);
      break;
    }
    /* One more loop iteration for the close callbacks. */
    AC_AWAIT(m, ac_task_sleep(t, 0));
    if ((rc = pending_tasks()) != 1 + LONG_LIVED)
      fail("round %ld: %d tasks pending, %d expected", m->round, rc, 1 + LONG_LIVED);
    m->fds_last = count_fds();
    if (m->fds_last != m->fd_base) {
      fail("round %ld: %d descriptors open, %d before round 1", m->round, m->fds_last, m->fd_base);
      list_fds();
    }
    /* What the process holds, not what the allocator keeps cached. */
    malloc_trim(0);
    m->rss_last = rss_kib();
    if (m->round == 1) m->rss_first = m->rss_last;
    if (m->rss_last > m->rss_max) m->rss_max = m->rss_last;
    if (!g_quiet)
      printf("round %ld: %ld connections, %llu bytes checked, rss %ld KiB, %d fds\n", m->round,
             cli_connections - m->round_conns0,
             (unsigned long long)(cli_bytes_checked - m->round_bytes0), m->rss_last, m->fds_last);
    fflush(stdout);
    if (g_failures > 0) break;
  }

  /* The long-lived connections end cleanly. */
  for (m->i = 0; m->i < LONG_LIVED; ++m->i) {
    ac_stream_write_eof(m->ll[m->i]);
    if ((rc = ac_stream_read(m->ll[m->i], SIZE_MAX, &f)) != 0)
      return ac_task_fail(t, rc, "long-lived read to EOF");
    AC_AWAIT(m, ac_task_await_owned(t, f));
    AC_CHECK(t);
    ac_future_result(ac_task_awaited(t), &v);
    if (v.u.bytes.len != 0) fail("long-lived connection %d: bytes after the last echo", m->i);
    ac_stream_close(m->ll[m->i]);
    if ((rc = ac_stream_wait_closed(m->ll[m->i], &f)) != 0) return ac_task_fail(t, rc, "wait_closed");
    AC_AWAIT(m, ac_task_await_owned(t, f));
    AC_CHECK(t);
    ac_stream_unref(m->ll[m->i]);
    m->ll[m->i] = NULL;
    ++cli_clean;
  }
  for (m->polls = 0; !settled(m, 0) && m->polls < SETTLE_POLLS; ++m->polls)
    AC_AWAIT(m, ac_task_sleep(t, 0.002));
  if (!settled(m, 0)) fail("long-lived handlers did not end");
  ac_server_close(m->server);
  if ((rc = ac_server_wait_closed(m->server, &f)) != 0) return ac_task_fail(t, rc, "server wait_closed");
  AC_AWAIT(m, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_server_unref(m->server);
  m->server = NULL;
  if ((rc = pending_tasks()) != 1) fail("%d tasks pending at the end, 1 expected", rc);
  AC_END(m);
}

static void main_free(void *p) {
  struct main_state *m = p;
  for (int i = 0; i < LONG_LIVED; ++i) ac_stream_unref(m->ll[i]);
  for (int i = 0; i < m->ntasks; ++i) ac_task_unref(m->tasks[i]);
  ac_server_unref(m->server);
}

static void usage(void) {
  fprintf(stderr, "usage: soak [--rounds N] [--seconds S] [--seed X] [--quiet]\n");
  exit(2);
}

int main(int argc, char **argv) {
  static struct main_state m;
  m.max_rounds = DEFAULT_ROUNDS;
  int rounds_given = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      m.max_rounds = atol(argv[++i]);
      rounds_given = 1;
    } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      m.max_seconds = atof(argv[++i]);
    } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      g_seed = strtoull(argv[++i], NULL, 0);
    } else if (strcmp(argv[i], "--quiet") == 0) {
      g_quiet = 1;
    } else {
      usage();
    }
  }
  if (m.max_seconds > 0 && !rounds_given) m.max_rounds = 1L << 40;
  if (m.max_rounds < 3) m.max_rounds = 3; /* warm-up, and at least two to compare */

  /* libuv opens a pipe pair once per process, with its first loop: one
   * loop made and closed first, so that the count before and after the run
   * compares like with like. */
  {
    ac_loop *warm = NULL;
    if (ac_loop_new(AC_LOOP_DEFAULT, &warm) == 0) {
      /* And its signal machinery's process-wide pipe, which ac_run's
       * SIGINT handler opens. */
      ac_loop_add_signal_handler(warm, SIGUSR2, soak_no_signal, NULL, NULL);
      ac_loop_remove_signal_handler(warm, SIGUSR2);
      ac_loop_close(warm);
      ac_loop_unref(warm);
    }
  }
  int fd_initial = count_fds();
  double t0 = now_seconds();
  ac_error *err = NULL;
  int rc = ac_run(main_step, &m, main_free, AC_LOOP_DEFAULT, NULL, &err);
  double elapsed = now_seconds() - t0;
  if (rc != 0) {
    fail("main task: %s: %s", ac_err_name(rc), err != NULL ? ac_error_message(err) : "");
    ac_error_unref(err);
  }
  int fd_end = count_fds();
  if (fd_end != fd_initial) {
    fail("%d descriptors open at the end, %d at the start", fd_end, fd_initial);
    list_fds();
  }
  long rounds = m.round - 1;
  if (rounds < 2 && g_failures == 0) fail("only %ld rounds ran", rounds);
  if (m.rss_first > 0 && (double)m.rss_last > (double)m.rss_first * (1.0 + RSS_SLACK))
    fail("RSS grew from %ld KiB after round 1 to %ld KiB after round %ld (more than %.0f%%)",
         m.rss_first, m.rss_last, rounds, RSS_SLACK * 100);
  if (srv_drain_waits == 0 && rounds >= 2) {
    long wmem = tcp_wmem_max();
    if (wmem >= 0 && wmem < SLOW_BYTES / 2)
      fail("no drain ever waited: the slow readers did not slow anything");
    else
      printf("soak: note: no drain waited; the kernel's send buffer (up to %ld bytes) took "
             "the slow readers' blocks\n", wmem);
  }
  if (srv_reset + srv_pipe == 0 && rounds >= 2) fail("the server never saw a reset");
  printf("soak: %s: %ld rounds in %.1f s, %ld connections (%ld clean, %ld reset or closed early, "
         "%ld silent, %ld slow stopped mid-stream), %llu bytes checked; server: %ld handlers, "
         "%ld EOF, %ld ECONNRESET, %ld EPIPE, %ld drain waits, %llu bytes; "
         "RSS %ld KiB after round 1, %ld KiB last, %ld KiB max; fds %d at start, %d at end\n",
         g_failures == 0 ? "ok" : "FAILED", rounds, elapsed, cli_connections, cli_clean, cli_resets,
         cli_silent, cli_slow_mid, (unsigned long long)cli_bytes_checked, srv_ended, srv_eof,
         srv_reset, srv_pipe, srv_drain_waits, (unsigned long long)srv_bytes, m.rss_first,
         m.rss_last, m.rss_max, fd_initial, fd_end);
  return g_failures == 0 ? 0 : 1;
}
