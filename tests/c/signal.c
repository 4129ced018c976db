#define _GNU_SOURCE
/* signal.c — signal handlers on loops (asyncio's add_signal_handler):
 * real signals sent with kill(getpid()) and from a child process, handlers
 * run as callbacks, one per signal per loop, refusals, removal at close and
 * no leak into other loops, a failing handler reported, and ac_run's
 * asyncio.run-style SIGINT (the first cancels the main task). */
#include <stdio.h>
#include <string.h>

#include "net_util.h"

struct hits {
  int n;
  int last_sig;
  int freed;
  int rc; /* what the handler returns */
};

static int count_signal(ac_loop *loop, int sig, void *ud) {
  struct hits *h = ud;
  h->n++;
  h->last_sig = sig;
  /* An ordinary callback: the whole API is usable here. */
  CHECK(ac_loop_is_running(loop) == 1);
  return h->rc;
}
static void mark_freed(void *ud) { ((struct hits *)ud)->freed++; }

#ifndef _WIN32
/* SIGUSR1's disposition is the default one (nobody watches it). */
static int is_default(int sig) {
  struct sigaction sa;
  sigaction(sig, NULL, &sa);
  return sa.sa_handler == SIG_DFL;
}

static void test_kill_self_runs_handler_on_loop(void) {
  ac_loop *loop = net_loop();
  struct hits h = {0};
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGUSR1, count_signal, &h, mark_freed), 0);
  CHECK(!is_default(SIGUSR1));
  CHECK_INT(kill(getpid(), SIGUSR1), 0);
  CHECK_INT(h.n, 0); /* never in signal context */
  net_run_until(loop, &h.n, 5);
  CHECK_INT(h.n, 1);
  CHECK_INT(h.last_sig, SIGUSR1);
  CHECK_INT(kill(getpid(), SIGUSR1), 0);
  net_run_until(loop, &(int){0}, 0.1);
  CHECK_INT(h.n, 2);
  CHECK_INT(ac_loop_remove_signal_handler(loop, SIGUSR1), 1);
  CHECK_INT(h.freed, 1);
  CHECK_INT(ac_loop_remove_signal_handler(loop, SIGUSR1), 0);
  CHECK(is_default(SIGUSR1));
  th_close(loop);
}

static void test_signal_from_child_process(void) {
  ac_loop *loop = net_loop();
  struct hits h = {0};
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGUSR2, count_signal, &h, NULL), 0);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "kill -USR2 %d", (int)getpid());
  ac_process *p = NULL;
  CHECK_RC(ac_process_shell(loop, cmd, NULL, &p), 0);
  net_run_until(loop, &h.n, 10);
  CHECK_INT(h.n, 1);
  CHECK_INT(h.last_sig, SIGUSR2);
  ac_future *w = NULL;
  CHECK_RC(ac_process_wait(p, &w), 0);
  CHECK_RC(net_wait(loop, w, 10), 0);
  ac_future_unref(w);
  ac_process_unref(p);
  th_close(loop);
  CHECK(is_default(SIGUSR2));
}

static void test_refusals(void) {
  ac_loop *loop = net_loop();
  struct hits h = {0};
  int rc = ac_loop_add_signal_handler(loop, SIGKILL, count_signal, &h, mark_freed);
  CHECK_RC(rc, AC_EMISUSE);
  CHECK_STR(ac_last_error_message(rc), "sig 9 cannot be caught");
  CHECK_STR(ac_err_class(rc), "RuntimeError");
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGSTOP, count_signal, &h, mark_freed), AC_EMISUSE);
  CHECK_RC(ac_loop_add_signal_handler(loop, 0, count_signal, &h, mark_freed), AC_EINVAL);
  CHECK_RC(ac_loop_add_signal_handler(loop, 100000, count_signal, &h, mark_freed), AC_EINVAL);
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGUSR1, NULL, &h, mark_freed), AC_EINVAL);
  CHECK_INT(h.freed, 5); /* free_ud runs at once on every refusal */
  CHECK_RC(ac_loop_remove_signal_handler(loop, 0), AC_EINVAL);
  CHECK_RC(ac_loop_remove_signal_handler(NULL, SIGUSR1), AC_EINVAL);
  th_close(loop);
}

/* One handler per signal per loop: the second replaces the first. */
static void test_one_handler_per_signal(void) {
  ac_loop *loop = net_loop();
  struct hits a = {0}, b = {0};
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGUSR1, count_signal, &a, mark_freed), 0);
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGUSR1, count_signal, &b, mark_freed), 0);
  CHECK_INT(a.freed, 1);
  kill(getpid(), SIGUSR1);
  net_run_until(loop, &b.n, 5);
  CHECK_INT(a.n, 0);
  CHECK_INT(b.n, 1);
  th_close(loop); /* the close removes it */
  CHECK_INT(b.freed, 1);
  CHECK(is_default(SIGUSR1));
}

/* Handlers belong to their loop: another loop's signal never reaches a
 * loop without a handler, both loops with one each see it, and closing
 * one loop leaves the other's in place. */
static void test_loops_do_not_share_handlers(void) {
  ac_loop *a = net_loop(), *b = net_loop();
  struct hits ha = {0}, hb = {0};
  CHECK_RC(ac_loop_add_signal_handler(a, SIGUSR1, count_signal, &ha, mark_freed), 0);
  CHECK_INT(ac_loop_remove_signal_handler(b, SIGUSR1), 0);
  kill(getpid(), SIGUSR1);
  net_run_until(a, &ha.n, 5);
  net_run_for(b, 0.05);
  CHECK_INT(ha.n, 1);
  CHECK_INT(hb.n, 0);
  CHECK_RC(ac_loop_add_signal_handler(b, SIGUSR1, count_signal, &hb, mark_freed), 0);
  kill(getpid(), SIGUSR1);
  net_run_until(a, &(int){0}, 0.05);
  net_run_until(b, &hb.n, 5);
  CHECK_INT(ha.n, 2);
  CHECK_INT(hb.n, 1);
  th_close(a);
  CHECK_INT(ha.freed, 1);
  CHECK_INT(hb.freed, 0);
  CHECK(!is_default(SIGUSR1)); /* b still watches it */
  kill(getpid(), SIGUSR1);
  net_run_until(b, &(int){0}, 0.05);
  CHECK_INT(hb.n, 2);
  th_close(b);
  CHECK_INT(hb.freed, 1);
  CHECK(is_default(SIGUSR1));
}

/* A handler that fails goes to the loop's exception handler. */
static char reported[128];
static void record_exception(ac_loop *loop, const char *message, ac_error *error,
                             ac_future *future, void *ud) {
  (void)ud;
  (void)future;
  snprintf(reported, sizeof reported, "%s|%s|%s", message,
           ac_err_name(ac_error_code(error)), ac_loop_exception_subject(loop));
}
static void test_failing_handler_is_reported(void) {
  ac_loop *loop = net_loop();
  CHECK_RC(ac_loop_set_exception_handler(loop, record_exception, NULL, NULL), 0);
  struct hits h = {0};
  h.rc = AC_EINVAL;
  reported[0] = '\0';
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGHUP, count_signal, &h, NULL), 0);
  kill(getpid(), SIGHUP);
  net_run_until(loop, &h.n, 5);
  net_run_for(loop, 0.02);
  CHECK_STR(reported, "Exception in signal handler|EINVAL|handle");
  /* The handler stays installed, as asyncio's. */
  kill(getpid(), SIGHUP);
  net_run_until(loop, &(int){0}, 0.1);
  CHECK_INT(h.n, 2);
  th_close(loop);
}

/* ---- ac_run and SIGINT ---- */

struct runner {
  AC_ASYNC_FIELDS;
  int swallow;
};

static void send_sigint(ac_loop *loop, void *ud) {
  (void)loop;
  (void)ud;
  trace("SIGINT sent");
  kill(getpid(), SIGINT);
}

static int run_main(ac_task *t, void *p) {
  struct runner *r = p;
  AC_BEGIN(r);
  trace("main started");
  ac_loop_call_soon(ac_task_get_loop(t), send_sigint, NULL, NULL, NULL);
  AC_AWAIT(r, ac_task_sleep(t, 30));
  if (ac_task_outcome(t) == AC_ECANCELLED) {
    trace("main cancelled, cleaning up");
    if (!r->swallow) return AC_ECANCELLED;
    ac_task_uncancel(t);
  }
  trace("main returns");
  AC_END(r);
}

static void test_run_first_sigint_cancels_main(void) {
  signal(SIGINT, SIG_DFL);
  trace_clear();
  struct runner *r = calloc(1, sizeof *r);
  ac_error *err = NULL;
  int rc = ac_run(run_main, r, free, AC_LOOP_DEFAULT, NULL, &err);
  CHECK_RC(rc, -EINTR);
  CHECK_STR(ac_err_class(rc), "InterruptedError");
  CHECK(err != NULL);
  if (err != NULL) CHECK_STR(ac_error_message(err), "KeyboardInterrupt");
  ac_error_unref(err);
  CHECK_TRACE("main started\nSIGINT sent\nmain cancelled, cleaning up\n");
  CHECK(is_default(SIGINT));

  /* A main task that swallows the cancellation returns normally. */
  r = calloc(1, sizeof *r);
  r->swallow = 1;
  CHECK_RC(ac_run(run_main, r, free, AC_LOOP_DEFAULT, NULL, NULL), 0);
  CHECK_TRACE("main started\nSIGINT sent\nmain cancelled, cleaning up\nmain returns\n");
  CHECK(is_default(SIGINT));
}

/* SIGINT ignored (as in a background job): ac_run leaves it alone. */
static void test_run_leaves_ignored_sigint(void) {
  signal(SIGINT, SIG_IGN);
  trace_clear();
  struct runner *r = calloc(1, sizeof *r);
  struct runner *unused = r;
  (void)unused;
  /* The SIGINT is ignored, so the sleep would run 30 s: cancel instead. */
  r->swallow = 0;
  ac_loop *loop = net_loop();
  struct hits h = {0};
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGINT, count_signal, &h, NULL), 0);
  CHECK_INT(ac_loop_remove_signal_handler(loop, SIGINT), 1);
  th_close(loop);
  free(r);
  struct sigaction sa;
  sigaction(SIGINT, NULL, &sa);
  /* libuv puts back the default once nobody watches: as asyncio's
   * remove_signal_handler. */
  CHECK(sa.sa_handler == SIG_DFL);
  signal(SIGINT, SIG_DFL);
}

int main(void) {
  RUN(test_kill_self_runs_handler_on_loop);
  RUN(test_signal_from_child_process);
  RUN(test_refusals);
  RUN(test_one_handler_per_signal);
  RUN(test_loops_do_not_share_handlers);
  RUN(test_failing_handler_is_reported);
  RUN(test_run_first_sigint_cancels_main);
  RUN(test_run_leaves_ignored_sigint);
  return th_finish();
}
#else
/* Windows: console events are its signals. libuv turns Ctrl-C into
 * SIGINT, Ctrl-Break into SIGBREAK (21), a closed console into SIGHUP (1)
 * and a resize into SIGWINCH (28); those handlers can be added, one per
 * signal per loop as on POSIX, and every other number is refused with
 * AC_ENOTSUP and a message that says so. (No event is delivered here: a
 * console control event needs a console, which a test run has not.) */
static void test_windows_console_signals(void) {
  ac_loop *loop = net_loop();
  struct hits a = {0}, b = {0};
  static const int ok[] = {SIGINT, 21, 1, 28};
  for (int i = 0; i < 4; ++i)
    CHECK_RC(ac_loop_add_signal_handler(loop, ok[i], count_signal, &a, mark_freed), 0);
  CHECK_INT(a.freed, 0);
  /* One handler per signal: the second replaces (and frees) the first. */
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGINT, count_signal, &b, mark_freed), 0);
  CHECK_INT(a.freed, 1);
  CHECK_INT(ac_loop_remove_signal_handler(loop, SIGINT), 1);
  CHECK_INT(b.freed, 1);
  CHECK_INT(ac_loop_remove_signal_handler(loop, SIGINT), 0);
  th_close(loop); /* the close removes the other three */
  CHECK_INT(a.freed, 4);
  CHECK_INT(a.n + b.n, 0);
}

static void test_windows_refusals(void) {
  ac_loop *loop = net_loop();
  struct hits h = {0};
  static const int refused[] = {SIGTERM, SIGSEGV, SIGABRT, 10 /* SIGUSR1 on Linux */, 0};
  for (int i = 0; i < 5; ++i) {
    int rc = ac_loop_add_signal_handler(loop, refused[i], count_signal, &h, mark_freed);
    CHECK_RC(rc, AC_ENOTSUP);
    CHECK_STR(ac_last_error_message(rc),
              "Windows delivers only SIGINT, SIGBREAK, SIGHUP and SIGWINCH");
  }
  CHECK_INT(h.freed, 5); /* free_ud runs at once on every refusal */
  CHECK_RC(ac_loop_add_signal_handler(loop, SIGINT, NULL, &h, mark_freed), AC_EINVAL);
  CHECK_RC(ac_loop_remove_signal_handler(NULL, SIGINT), AC_EINVAL);
  th_close(loop);
}

int main(void) {
  RUN(test_windows_console_signals);
  RUN(test_windows_refusals);
  return th_finish();
}
#endif
