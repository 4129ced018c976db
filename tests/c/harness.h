/*
 * harness.h — the C test harness: TAP output, checks, and an event trace.
 *
 * A test file defines `static void test_x(void)` functions and lists them in
 * `main` with RUN(test_x). Checks stop the current test on failure (the
 * process goes on to the next test) and the exit status is non-zero if any
 * test failed. Tests that depend on time build their loop with
 * AC_LOOP_VIRTUAL_CLOCK and compare traces, never real durations.
 *
 * A test that cannot run on this system calls SKIP("reason"): it stops there
 * and is reported as skipped (TAP "# SKIP"), never as passed.
 *
 *   trace("step %d", n);             append one event (a line)
 *   CHECK_TRACE("step 1\nstep 2\n"); compare and clear the trace
 */
#ifndef ASYNCORE_TEST_HARNESS_H
#define ASYNCORE_TEST_HARNESS_H

#include <asyncore.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

extern jmp_buf th_jump;
extern int th_failed_checks;

void th_fail(const char *file, int line, const char *fmt, ...);
void th_skip(const char *reason);
void th_run(const char *name, void (*fn)(void));
int th_finish(void);

void trace(const char *fmt, ...);
const char *trace_text(void);
void trace_clear(void);

/* Whether this system has Unix-domain stream sockets (AF_UNIX): always on
 * POSIX; on Windows only where Winsock makes one (Windows 10 1803 and
 * later; not Wine). */
int th_have_af_unix(void);

/* A loop on the virtual clock that fails the test if it cannot be made. */
ac_loop *th_loop(void);
/* Closes and drops a loop made by th_loop (checks the close succeeds). */
void th_close(ac_loop *loop);

#define RUN(fn) th_run(#fn, fn)
#define SKIP(reason) th_skip(reason)

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) th_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);       \
  } while (0)
#define CHECK_INT(actual, expected)                                     \
  do {                                                                  \
    long long th_a_ = (long long)(actual), th_e_ = (long long)(expected); \
    if (th_a_ != th_e_)                                                 \
      th_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld",    \
              #actual, th_a_, #expected, th_e_);                        \
  } while (0)
/* Compare an error code, printing names. */
#define CHECK_RC(actual, expected)                                      \
  do {                                                                  \
    int th_a_ = (int)(actual), th_e_ = (int)(expected);                 \
    if (th_a_ != th_e_)                                                 \
      th_fail(__FILE__, __LINE__, "%s returned %d (%s), expected %s (%d)", \
              #actual, th_a_, ac_err_name(th_a_), ac_err_name(th_e_), th_e_); \
  } while (0)
#define CHECK_DOUBLE(actual, expected)                                  \
  do {                                                                  \
    double th_a_ = (actual), th_e_ = (expected);                        \
    if (!(th_a_ - th_e_ < 1e-9 && th_e_ - th_a_ < 1e-9))                \
      th_fail(__FILE__, __LINE__, "%s == %.9g, expected %.9g", #actual, \
              th_a_, th_e_);                                            \
  } while (0)
#define CHECK_STR(actual, expected)                                     \
  do {                                                                  \
    const char *th_a_ = (actual), *th_e_ = (expected);                  \
    if (th_a_ == NULL || strcmp(th_a_, th_e_) != 0)                     \
      th_fail(__FILE__, __LINE__, "%s ==\n\"%s\"\nexpected\n\"%s\"",    \
              #actual, th_a_ ? th_a_ : "(null)", th_e_);                \
  } while (0)
#define CHECK_TRACE(expected)                                           \
  do {                                                                  \
    CHECK_STR(trace_text(), expected);                                  \
    trace_clear();                                                      \
  } while (0)

#endif
