/*
 * proc_util.h — helpers shared by the process tests (process.c on POSIX,
 * subprocess.c everywhere): start a child with its three stdio modes, run
 * a shell command the same way, wait for a returncode with a bound.
 */
#ifndef ASYNCORE_TEST_PROC_UTIL_H
#define ASYNCORE_TEST_PROC_UTIL_H

#include "net_util.h"

/* Options with the three stdio modes given, the rest defaults. */
static inline ac_process_options stdio_options(int in, int out, int err) {
  ac_process_options o;
  ac_process_options_init(&o);
  o.stdin_mode = in;
  o.stdout_mode = out;
  o.stderr_mode = err;
  return o;
}

static inline ac_process *start(ac_loop *loop, const char *const *argv, int in, int out,
                                int err) {
  ac_process_options o = stdio_options(in, out, err);
  ac_process *p = NULL;
  CHECK_RC(ac_process_exec(loop, argv, &o, &p), 0);
  return p;
}

static inline ac_process *shell(ac_loop *loop, const char *cmd, int in, int out, int err) {
  ac_process_options o = stdio_options(in, out, err);
  ac_process *p = NULL;
  CHECK_RC(ac_process_shell(loop, cmd, &o, &p), 0);
  return p;
}

/* Waits (20 s at most) for the child and returns its returncode. */
static inline int wait_code(ac_loop *loop, ac_process *p) {
  ac_future *f = NULL;
  CHECK_RC(ac_process_wait(p, &f), 0);
  CHECK_RC(net_wait(loop, f, 20), 0);
  int64_t code = -1000;
  CHECK_RC(ac_future_result_int64(f, &code), 0);
  ac_future_unref(f);
  return (int)code;
}

#endif
