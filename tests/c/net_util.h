/*
 * net_util.h — helpers shared by the network tests: a real-clock loop,
 * bounded waits (a watchdog cancels what it waits for, so a failure never
 * hangs), bytes results, and child processes (clients and servers that are
 * not ours).
 */
#ifndef ASYNCORE_TEST_NET_UTIL_H
#define ASYNCORE_TEST_NET_UTIL_H

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#ifndef _WIN32
#include <spawn.h>
#include <sys/wait.h>
#endif

#include "harness.h"

#ifdef _WIN32
/* Windows has no alarm(); the test runner's timeout bounds the run. */
static inline unsigned net_no_alarm(unsigned seconds) {
  (void)seconds;
  return 0;
}
#define alarm net_no_alarm
/* Peers (Python, netcat) are started with posix_spawn: POSIX only. */
#define NET_NO_PEERS_REASON "peers are started with posix_spawn (POSIX only)"
#else
#define NET_NO_PEERS_REASON "no /usr/bin/python3"
extern char **environ;
#endif

/* I/O needs the real clock. */
static inline ac_loop *net_loop(void) {
  ac_loop *loop = NULL;
  CHECK_RC(ac_loop_new(AC_LOOP_DEFAULT, &loop), 0);
  return loop;
}

static inline void net_watchdog_cb(ac_loop *loop, void *ud) {
  (void)loop;
  ac_future_cancel((ac_future *)ud, "watchdog");
}

/* Runs the loop until f is done or `seconds` passed (then f is cancelled);
 * returns f's outcome. */
static inline int net_wait(ac_loop *loop, ac_future *f, double seconds) {
  ac_call *h = NULL;
  CHECK_RC(ac_loop_call_later(loop, seconds, net_watchdog_cb, f, NULL, &h), 0);
  int rc = ac_loop_run_until_complete(loop, f);
  ac_call_cancel(h);
  ac_call_unref(h);
  return rc;
}

/* Steps the loop until *flag is set or `seconds` passed. */
static inline void net_run_until(ac_loop *loop, const int *flag, double seconds) {
  double end = ac_loop_time(loop) + seconds;
  while (!*flag && ac_loop_time(loop) < end) ac_loop_step(loop, 0.02, NULL, NULL);
}
/* Steps the loop for about `seconds`. */
static inline void net_run_for(ac_loop *loop, double seconds) {
  int never = 0;
  net_run_until(loop, &never, seconds);
}

/* The bytes result of a done future as a string (NUL-terminated by the
 * library), or "<error NAME>". */
static inline const char *net_text(ac_future *f) {
  static char buf[96];
  ac_value v;
  int rc = ac_future_result(f, &v);
  if (rc != 0) {
    snprintf(buf, sizeof buf, "<error %s>", ac_err_name(rc));
    return buf;
  }
  if (v.kind != AC_VALUE_BYTES) return "<not bytes>";
  return v.u.bytes.len == 0 ? "" : (const char *)v.u.bytes.data;
}

/* Awaits a future made by `call` (which fills `fut`) and returns its
 * result text; the future is released. */
#define NET_TEXT(loop, call, out_buf)                                   \
  do {                                                                  \
    ac_future *nt_f_ = NULL;                                            \
    CHECK_RC((call), 0);                                                \
    net_wait((loop), nt_f_, 5);                                         \
    snprintf((out_buf), sizeof(out_buf), "%s", net_text(nt_f_));       \
    ac_future_unref(nt_f_);                                             \
  } while (0)

/* The first of these that exists and runs, or NULL: Debian's python3. */
static inline const char *net_python(void) {
#ifdef _WIN32
  return NULL;
#endif
  static const char *const candidates[] = {"/usr/bin/python3", NULL};
  for (int i = 0; candidates[i] != NULL; ++i)
    if (access(candidates[i], X_OK) == 0) return candidates[i];
  return NULL;
}

#ifndef _WIN32
/* Starts argv with its stdout on a pipe (*out_fd, non-blocking off).
 * Returns the pid or -1. */
static inline pid_t net_spawn(char *const argv[], int *out_fd) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return -1;
  }
  *out_fd = fds[0];
  return pid;
}

/* Reads the child's output until EOF into buf (NUL-terminated), waits for
 * it and returns its exit status (-1 if it did not exit normally). */
static inline int net_collect(pid_t pid, int fd, char *buf, size_t cap) {
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
    if (n == cap - 1) break;
  }
  buf[n] = '\0';
  close(fd);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Reads a line from the child's output (blocking, bounded by alarm()). */
static inline int net_read_line(int fd, char *buf, size_t cap) {
  size_t n = 0;
  while (n + 1 < cap) {
    char c;
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (c == '\n') break;
    buf[n++] = c;
  }
  buf[n] = '\0';
  return (int)n;
}
#endif

#endif
