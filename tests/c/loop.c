#define _POSIX_C_SOURCE 200809L
/* loop.c — the event loop: ordering, timers, the virtual clock, stepping,
 * stop, close, thread-safe submissions, and misuse. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "harness.h"

static int frees;
static void count_free(void *ud) {
  (void)ud;
  ++frees;
}
static void trace_cb(ac_loop *loop, void *ud) {
  trace("%s at %g", (const char *)ud, ac_loop_time(loop));
}
static void stop_cb(ac_loop *loop, void *ud) {
  (void)ud;
  trace("stop");
  ac_loop_stop(loop);
}

static void test_call_soon_is_fifo_and_never_inline(void) {
  ac_loop *loop = th_loop();
  static const char *names[] = {"a", "b", "c", "d"};
  for (int i = 0; i < 4; ++i) CHECK_RC(ac_loop_call_soon(loop, trace_cb, (void *)names[i], NULL, NULL), 0);
  CHECK_TRACE("");  // nothing ran inline
  CHECK_RC(ac_loop_call_soon(loop, stop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_TRACE("a at 0\nb at 0\nc at 0\nd at 0\nstop\n");
  th_close(loop);
}

static void test_timers_in_deadline_order_ties_in_scheduling_order(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_call_later(loop, 2, trace_cb, "two", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, trace_cb, "one-first", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_at(loop, 1, trace_cb, "one-second", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, trace_cb, "one-third", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 0, trace_cb, "zero", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 3, stop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_TRACE("zero at 0\none-first at 1\none-second at 1\none-third at 1\ntwo at 2\nstop\n");
  CHECK_DOUBLE(ac_loop_time(loop), 3);
  th_close(loop);
}

static void test_virtual_clock_sleeps_an_hour_instantly(void) {
  ac_loop *loop = th_loop();
  ac_future *f;
  CHECK_RC(ac_sleep(loop, 3600, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 3600);
  ac_future_unref(f);
  th_close(loop);
}

static void test_real_clock_is_monotonic_seconds(void) {
  ac_loop *loop;
  CHECK_RC(ac_loop_new(0, &loop), 0);
  double t0 = ac_loop_time(loop);
  ac_future *f;
  CHECK_RC(ac_sleep(loop, 0.01, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  CHECK(ac_loop_time(loop) - t0 >= 0.01);
  ac_future_unref(f);
  th_close(loop);
}

static void test_handle_cancel_runs_free_ud_once(void) {
  ac_loop *loop = th_loop();
  ac_call *soon, *later;
  frees = 0;
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "soon", count_free, &soon), 0);
  CHECK_RC(ac_loop_call_later(loop, 5, trace_cb, "later", count_free, &later), 0);
  CHECK_DOUBLE(ac_call_when(later), 5);
  CHECK_DOUBLE(ac_call_when(soon), -1);
  CHECK_RC(ac_call_cancel(soon), 1);
  CHECK_RC(ac_call_cancel(later), 1);
  CHECK_INT(frees, 2);
  CHECK_RC(ac_call_cancel(later), 0);
  CHECK_RC(ac_call_cancelled(later), 1);
  CHECK_INT(frees, 2);
  CHECK_RC(ac_loop_call_later(loop, 10, stop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_TRACE("stop\n");
  ac_call_unref(soon);
  ac_call_unref(later);
  th_close(loop);
}

static void test_free_ud_after_run_and_at_close(void) {
  ac_loop *loop = th_loop();
  frees = 0;
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "ran", count_free, NULL), 0);
  CHECK_RC(ac_loop_call_soon(loop, stop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_INT(frees, 1);
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "never", count_free, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, trace_cb, "never", count_free, NULL), 0);
  CHECK_RC(ac_loop_call_soon_threadsafe(loop, trace_cb, "never", count_free), 0);
  th_close(loop);
  CHECK_INT(frees, 4);
  CHECK_TRACE("ran at 0\nstop\n");
}

static void test_stop_runs_callbacks_already_ready(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "before", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_soon(loop, stop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "after-stop", NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_TRACE("before at 0\nstop\nafter-stop at 0\n");
  /* stop before run: one iteration, then return */
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "one", NULL, NULL), 0);
  CHECK_RC(ac_loop_stop(loop), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_TRACE("one at 0\n");
  th_close(loop);
}

/* A callback cancels a timer that fell due with it and is queued behind it
 * in the same batch: the timer leaves the batch (asyncio skips a cancelled
 * handle), and the batch runs nothing beyond what was ready when it began —
 * with nothing else ready the loop goes on to the next iteration. */
static ac_call *due_timer;
static void cancel_due_cb(ac_loop *loop, void *ud) {
  trace("%s at %g", (const char *)ud, ac_loop_time(loop));
  CHECK_RC(ac_call_cancel(due_timer), 1);
  if (((const char *)ud)[0] == 's') ac_loop_stop(loop);
}

static void test_cancelling_a_due_timer_of_the_running_batch(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_call_later(loop, 0, trace_cb, "cancelled", NULL, &due_timer), 0);
  CHECK_RC(ac_loop_call_soon(loop, cancel_due_cb, "cancel", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, stop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_TRACE("cancel at 0\nstop\n");
  ac_call_unref(due_timer);
  /* The same with a stop: the rest of the batch runs, the timer not. */
  CHECK_RC(ac_loop_call_later(loop, 0, trace_cb, "cancelled", NULL, &due_timer), 0);
  CHECK_RC(ac_loop_call_soon(loop, cancel_due_cb, "stop-too", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "after", NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_TRACE("stop-too at 1\nafter at 1\n");
  ac_call_unref(due_timer);
  th_close(loop);
}

/* A storm: 100,000 timers fall due together and the first cancels every
 * other one while they wait in the ready queue. Each cancellation takes
 * its timer out where it is (a tombstone, as asyncio leaves a cancelled
 * handle in its queue), not by a walk over the queue: a walk each would be
 * some 2.5 billion steps here. The others run in order; every free_ud runs
 * once. */
enum { kStorm = 100000 };
static ac_call *storm[kStorm];
static int storm_last, storm_ran, storm_bad;
static void storm_cb(ac_loop *loop, void *ud) {
  int i = (int)(intptr_t)ud;
  if (i <= storm_last || (i % 2 == 0 && i != 0)) ++storm_bad;
  storm_last = i;
  ++storm_ran;
  if (i == 0) {
    ac_loop_stats st;
    int cancelled = 0;
    for (int k = 2; k < kStorm; k += 2) cancelled += ac_call_cancel(storm[k]);
    CHECK_INT(cancelled, kStorm / 2 - 1);
    CHECK_RC(ac_loop_get_stats(loop, &st, sizeof st), (int)sizeof st);
    CHECK_INT((int)st.ready, kStorm / 2);
  }
}

static void test_cancel_storm_of_due_timers(void) {
  ac_loop *loop = th_loop();
  frees = 0;
  storm_last = -1;
  for (int i = 0; i < kStorm; ++i)
    CHECK_RC(ac_loop_call_later(loop, 1, storm_cb, (void *)(intptr_t)i, count_free, &storm[i]), 0);
  CHECK_RC(ac_loop_call_later(loop, 2, stop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_TRACE("stop\n");
  CHECK_INT(storm_ran, kStorm / 2 + 1);
  CHECK_INT(storm_bad, 0);
  CHECK_INT(storm_last, kStorm - 1);
  CHECK_INT(frees, kStorm);
  for (int i = 0; i < kStorm; ++i) ac_call_unref(storm[i]);
  th_close(loop);
}

static void reenter_cb(ac_loop *loop, void *ud) {
  ac_future *f = ud;
  trace("run_forever=%s", ac_err_name(ac_loop_run_forever(loop)));
  trace("run_until_complete=%s", ac_err_name(ac_loop_run_until_complete(loop, f)));
  trace("step=%s", ac_err_name(ac_loop_step(loop, 0, NULL, NULL)));
  trace("close=%s", ac_err_name(ac_loop_close(loop)));
  ac_future_set_result_none(f);
}

static void test_reentrant_run_is_refused(void) {
  ac_loop *loop = th_loop();
  ac_future *f;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_loop_call_soon(loop, reenter_cb, f, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  CHECK_TRACE("run_forever=AC_ERUNNING\nrun_until_complete=AC_ERUNNING\nstep=AC_ERUNNING\nclose=AC_ERUNNING\n");
  ac_future_unref(f);
  th_close(loop);
}

/* asyncio allows one running loop per thread: from a callback or step of a
 * running loop, running any other loop is refused (RuntimeError "Cannot run
 * the event loop while another loop is running"), and so is ac_run
 * ("asyncio.run() cannot be called from a running event loop"). */
struct nest {
  ac_loop *other;
  ac_future *other_f;
  int frees;
};
static void free_nest_state(void *p) { ++((struct nest *)p)->frees; }
static int never_step(ac_task *t, void *p) {
  (void)t;
  (void)p;
  trace("nested main ran");
  return AC_STEP_DONE;
}
static void try_nested_runs(struct nest *n) {
  trace("other run_until_complete=%s",
        ac_err_name(ac_loop_run_until_complete(n->other, n->other_f)));
  trace("other run_forever=%s", ac_err_name(ac_loop_run_forever(n->other)));
  trace("other step=%s", ac_err_name(ac_loop_step(n->other, 0, NULL, NULL)));
  ac_error *e = NULL;
  ac_value v;
  int before = n->frees;
  trace("ac_run=%s", ac_err_name(ac_run(never_step, n, free_nest_state, 0, &v, &e)));
  trace("state freed %d, error %s: %s", n->frees - before, ac_err_name(ac_error_code(e)),
        ac_error_message(e) != NULL ? ac_error_message(e) : "(none)");
  ac_error_unref(e);
}
static void nest_cb(ac_loop *loop, void *ud) {
  (void)loop;
  try_nested_runs(ud);
}
static int nest_step(ac_task *t, void *p) {
  (void)t;
  try_nested_runs(p);
  return AC_STEP_DONE;
}

static void test_running_inside_another_running_loop_is_refused(void) {
  ac_loop *loop = th_loop();
  struct nest n = {0};
  n.other = th_loop();
  CHECK_RC(ac_future_new(n.other, &n.other_f), 0);
  CHECK_RC(ac_future_set_result_none(n.other_f), 0);
  const char *expected =
      "other run_until_complete=AC_ERUNNING\n"
      "other run_forever=AC_ERUNNING\n"
      "other step=AC_ERUNNING\n"
      "ac_run=AC_ERUNNING\n"
      "state freed 1, error AC_ERUNNING: asyncio.run() cannot be called from a running event loop\n";
  /* From a callback of run_until_complete. */
  ac_future *f;
  CHECK_RC(ac_sleep(loop, 0, &f), 0);
  CHECK_RC(ac_loop_call_soon(loop, nest_cb, &n, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  ac_future_unref(f);
  CHECK_TRACE(expected);
  /* From a task's step, under host stepping. */
  ac_task *t;
  CHECK_RC(ac_task_new(loop, nest_step, &n, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 1);
  CHECK_RC(ac_future_done(ac_task_future(t)), 1);
  ac_task_unref(t);
  CHECK_TRACE(expected);
  /* Once the run is over, the other loop runs, and so does ac_run. */
  CHECK_RC(ac_loop_run_until_complete(n.other, n.other_f), 0);
  CHECK_RC(ac_run(never_step, &n, free_nest_state, AC_LOOP_VIRTUAL_CLOCK, NULL, NULL), 0);
  CHECK_TRACE("nested main ran\n");
  CHECK_INT(n.frees, 3);
  ac_future_unref(n.other_f);
  th_close(n.other);
  th_close(loop);
}

static void test_run_until_complete_reports_stop_and_errors(void) {
  ac_loop *loop = th_loop();
  ac_future *f;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_loop_call_soon(loop, stop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), AC_ESTOPPED);
  CHECK_TRACE("stop\n");
  CHECK_RC(ac_future_set_error_code(f, AC_ECONNRESET, "peer went away"), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), AC_ECONNRESET);
  ac_future_unref(f);
  th_close(loop);
}

static int count_cb_runs;
static void count_cb(ac_loop *loop, void *ud) {
  (void)loop;
  (void)ud;
  ++count_cb_runs;
}
static void resubmit_cb(ac_loop *loop, void *ud) {
  (void)ud;
  ++count_cb_runs;
  ac_loop_call_soon(loop, resubmit_cb, NULL, NULL, NULL);
}

static void test_step_runs_at_most_the_budget(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_set_ready_budget(loop, 0), AC_EINVAL);
  CHECK_RC(ac_loop_set_ready_budget(loop, 3), 0);
  count_cb_runs = 0;
  for (int i = 0; i < 5; ++i) CHECK_RC(ac_loop_call_soon(loop, count_cb, NULL, NULL, NULL), 0);
  int pending = -1;
  double next = 0;
  CHECK_RC(ac_loop_step(loop, 0, &pending, &next), 3);
  CHECK_INT(pending, 1);
  CHECK_DOUBLE(next, -1);
  CHECK_RC(ac_loop_step(loop, 0, &pending, &next), 2);
  CHECK_INT(pending, 0);
  CHECK_INT(count_cb_runs, 5);
  /* A callback that reschedules itself forever cannot starve the poll. */
  count_cb_runs = 0;
  CHECK_RC(ac_loop_call_soon(loop, resubmit_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_step(loop, 0, &pending, NULL), 3);
  CHECK_INT(count_cb_runs, 3);
  CHECK_INT(pending, 1);
  /* Timers: the next deadline is reported. */
  CHECK_RC(ac_loop_call_later(loop, 7, count_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_step(loop, 0, &pending, &next), 3);
  CHECK_DOUBLE(next, ac_loop_time(loop) + 7);
  CHECK_RC(ac_loop_step(loop, -1, NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_loop_step(loop, NAN, NULL, NULL), AC_EINVAL);
  th_close(loop);
}

static void test_step_with_virtual_clock_jumps_to_next_timer(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_call_later(loop, 0.5, trace_cb, "half", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 1.5, trace_cb, "one-and-half", NULL, NULL), 0);
  int pending;
  CHECK_RC(ac_loop_step(loop, 0, &pending, NULL), 1);
  CHECK_INT(pending, 1);
  CHECK_RC(ac_loop_step(loop, 0, &pending, NULL), 1);
  CHECK_INT(pending, 0);
  CHECK_TRACE("half at 0.5\none-and-half at 1.5\n");
  th_close(loop);
}

/* ---- stepping with nothing to wait for (uv_run(UV_RUN_ONCE) semantics) ---- */

static double real_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}
/* Posts a callback to the loop after `ms` (a step blocked for nothing ends
 * then, so a wrong wait shows as a long one), or completes `ts`. */
struct later {
  ac_loop *loop;
  ac_tsfuture *ts;
  int ms;
  pthread_t th;
};
static void *later_main(void *p) {
  struct later *l = p;
  sleep_ms(l->ms);
  if (l->ts != NULL)
    ac_tsfuture_set_result_int64(l->ts, 7);
  else
    ac_loop_call_soon_threadsafe(l->loop, count_cb, NULL, NULL);
  return NULL;
}
static int sleepy_work(void *ud, ac_value *result) {
  (void)ud;
  sleep_ms(50);
  ac_value_set_int64(result, 42);
  return 0;
}

static void test_step_forever_with_nothing_to_wait_for_returns(void) {
  for (int clock = 0; clock < 2; ++clock) {
    ac_loop *loop;
    CHECK_RC(ac_loop_new(clock ? AC_LOOP_VIRTUAL_CLOCK : 0, &loop), 0);
    struct later l = {loop, NULL, 1500, 0};
    CHECK(pthread_create(&l.th, NULL, later_main, &l) == 0);
    /* A pending future nobody can complete is nothing to wait for. */
    ac_future *f;
    CHECK_RC(ac_future_new(loop, &f), 0);
    int pending = -1;
    double next = 0;
    double t0 = real_now();
    CHECK_RC(ac_loop_step(loop, INFINITY, &pending, &next), 0);
    CHECK(real_now() - t0 < 1.0);
    CHECK_INT(pending, 0);
    CHECK_DOUBLE(next, -1);
    CHECK_RC(ac_loop_step(loop, 1e300, &pending, NULL), 0);
    CHECK(real_now() - t0 < 1.0);
    pthread_join(l.th, NULL);
    /* The posted callback is something to run. */
    count_cb_runs = 0;
    CHECK_RC(ac_loop_step(loop, INFINITY, &pending, NULL), 1);
    CHECK_INT(count_cb_runs, 1);
    ac_future_unref(f);
    th_close(loop);
  }
}

/* Work on other threads is something to wait for: the step blocks until it
 * arrives, on both clocks. */
static void test_step_forever_waits_for_thread_work(void) {
  for (int clock = 0; clock < 2; ++clock) {
    ac_loop *loop;
    CHECK_RC(ac_loop_new(clock ? AC_LOOP_VIRTUAL_CLOCK : 0, &loop), 0);
    ac_executor *ex;
    CHECK_RC(ac_executor_new(1, &ex), 0);
    for (int pool = 0; pool < 2; ++pool) {
      ac_future *f;
      int pending = 0;
      CHECK_RC(ac_to_thread(loop, sleepy_work, NULL, NULL, pool ? ex : NULL, &f), 0);
      for (int i = 0; i < 3 && !ac_future_done(f); ++i)
        CHECK(ac_loop_step(loop, INFINITY, &pending, NULL) >= 0);
      CHECK_RC(ac_future_done(f), 1);
      int64_t v = 0;
      CHECK_RC(ac_future_result_int64(f, &v), 0);
      CHECK_INT(v, 42);
      ac_future_unref(f);
    }
    /* A loop future following a thread-safe future another thread
     * completes. */
    ac_tsfuture *ts;
    CHECK_RC(ac_tsfuture_new(&ts), 0);
    ac_future *w;
    CHECK_RC(ac_tsfuture_wrap(ts, loop, &w), 0);
    int pending = 0;
    CHECK_RC(ac_loop_step(loop, 0, &pending, NULL), 0);
    CHECK_INT(pending, 1);
    struct later l = {loop, ts, 50, 0};
    CHECK(pthread_create(&l.th, NULL, later_main, &l) == 0);
    for (int i = 0; i < 3 && !ac_future_done(w); ++i)
      CHECK(ac_loop_step(loop, INFINITY, &pending, NULL) >= 0);
    pthread_join(l.th, NULL);
    CHECK_RC(ac_future_done(w), 1);
    CHECK_INT(pending, 0);
    ac_future_unref(w);
    ac_tsfuture_unref(ts);
    ac_executor_shutdown(ex, AC_EXECUTOR_WAIT);
    ac_executor_unref(ex);
    th_close(loop);
  }
}

static void test_step_with_real_clock_blocks_at_most_max_block(void) {
  ac_loop *loop;
  CHECK_RC(ac_loop_new(0, &loop), 0);
  CHECK_RC(ac_loop_call_later(loop, 30, count_cb, NULL, NULL, NULL), 0);
  double t0 = ac_loop_time(loop);
  int pending;
  CHECK_RC(ac_loop_step(loop, 0.02, &pending, NULL), 0);
  double waited = ac_loop_time(loop) - t0;
  CHECK(waited >= 0.015 && waited < 5);
  CHECK_INT(pending, 1);
#ifdef _WIN32
  /* A Windows loop waits on a completion port: no descriptor to poll. */
  CHECK_RC(ac_loop_backend_fd(loop), AC_ENOTSUP);
#else
  CHECK(ac_loop_backend_fd(loop) >= 0);
#endif
  int ms = ac_loop_backend_timeout(loop);
  CHECK(ms > 25000 && ms <= 30000);
  CHECK_RC(ac_loop_call_soon(loop, count_cb, NULL, NULL, NULL), 0);
  CHECK_INT(ac_loop_backend_timeout(loop), 0);
  th_close(loop);
}

/* Short real-clock timers never leave the loop blocked. The poll is bounded
 * by a libuv timer, and libuv's UV_RUN_ONCE runs the timers already due
 * before it polls: a wake-up timer that fell due in between (a millisecond
 * boundary crossed between arming it and polling) was spent there, and the
 * poll then waited with no bound although a timer of ours was due. A
 * watchdog thread counts the stalls (a second with no 0.5 ms timer firing)
 * and wakes the loop so that the test ends. The window is narrow: a run
 * without the fix stalls now and then, and about always under valgrind. */
#define SHORT_TIMERS 1000
struct short_timers {
  ac_loop *loop;
  atomic_int fired, done;
  int stalls;
};
static void short_timer_cb(ac_loop *loop, void *ud) {
  struct short_timers *s = ud;
  if (atomic_fetch_add(&s->fired, 1) + 1 >= SHORT_TIMERS) {
    ac_loop_stop(loop);
    return;
  }
  CHECK_RC(ac_loop_call_later(loop, 0.0005, short_timer_cb, s, NULL, NULL), 0);
}
static void nothing_cb(ac_loop *loop, void *ud) {
  (void)loop;
  (void)ud;
}
static void *short_timers_watchdog(void *p) {
  struct short_timers *s = p;
  int last = -1, still = 0;
  while (!atomic_load(&s->done)) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int now = atomic_load(&s->fired);
    if (now != last) {
      last = now;
      still = 0;
    } else if (++still == 100) {
      ++s->stalls;
      ac_loop_call_soon_threadsafe(s->loop, nothing_cb, NULL, NULL);
      still = 0;
    }
  }
  return NULL;
}
static void test_short_real_timers_never_stall_the_poll(void) {
  static struct short_timers s;
  CHECK_RC(ac_loop_new(0, &s.loop), 0);
  atomic_store(&s.fired, 0);
  atomic_store(&s.done, 0);
  s.stalls = 0;
  pthread_t th;
  CHECK(pthread_create(&th, NULL, short_timers_watchdog, &s) == 0);
  CHECK_RC(ac_loop_call_later(s.loop, 0.0005, short_timer_cb, &s, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(s.loop), 0);
  atomic_store(&s.done, 1);
  pthread_join(th, NULL);
  CHECK_INT(atomic_load(&s.fired), SHORT_TIMERS);
  CHECK_INT(s.stalls, 0);
  th_close(s.loop);
}

#define TS_PER_THREAD 50000
struct ts_shared {
  ac_loop *loop;
  int seen[2][TS_PER_THREAD];
  int last[2];
  int out_of_order;
  int total;
};
struct ts_item {
  struct ts_shared *shared;
  int thread, seq;
};
static void ts_cb(ac_loop *loop, void *ud) {
  struct ts_item *it = ud;
  struct ts_shared *s = it->shared;
  s->seen[it->thread][it->seq]++;
  if (it->seq != s->last[it->thread] + 1) s->out_of_order++;
  s->last[it->thread] = it->seq;
  if (++s->total == 2 * TS_PER_THREAD) ac_loop_stop(loop);
}
struct ts_arg {
  struct ts_shared *shared;
  int thread;
};
static void *ts_thread(void *p) {
  struct ts_arg *a = p;
  for (int i = 0; i < TS_PER_THREAD; ++i) {
    struct ts_item *it = malloc(sizeof *it);
    it->shared = a->shared;
    it->thread = a->thread;
    it->seq = i;
    if (ac_loop_call_soon_threadsafe(a->shared->loop, ts_cb, it, free) != 0) abort();
  }
  return NULL;
}

static void test_threadsafe_100k_from_two_threads_none_lost_or_duplicated(void) {
  static struct ts_shared s;
  memset(&s, 0, sizeof s);
  s.last[0] = s.last[1] = -1;
  CHECK_RC(ac_loop_new(0, &s.loop), 0);
  pthread_t th[2];
  struct ts_arg args[2] = {{&s, 0}, {&s, 1}};
  for (int i = 0; i < 2; ++i) pthread_create(&th[i], NULL, ts_thread, &args[i]);
  CHECK_RC(ac_loop_run_forever(s.loop), 0);
  for (int i = 0; i < 2; ++i) pthread_join(th[i], NULL);
  CHECK_INT(s.total, 2 * TS_PER_THREAD);
  CHECK_INT(s.out_of_order, 0);
  for (int t = 0; t < 2; ++t)
    for (int i = 0; i < TS_PER_THREAD; ++i) CHECK_INT(s.seen[t][i], 1);
  th_close(s.loop);
}

struct wrong_thread_arg {
  ac_loop *loop;
  int rc_call_soon, rc_close, rc_run, rc_stop, rc_threadsafe;
};
static void *wrong_thread(void *p) {
  struct wrong_thread_arg *a = p;
  a->rc_call_soon = ac_loop_call_soon(a->loop, count_cb, NULL, NULL, NULL);
  a->rc_close = ac_loop_close(a->loop);
  a->rc_stop = ac_loop_stop(a->loop);
  a->rc_threadsafe = ac_loop_call_soon_threadsafe(a->loop, stop_cb, NULL, NULL);
  return NULL;
}
static void test_wrong_thread_is_refused(void) {
  ac_loop *loop = th_loop();
  struct wrong_thread_arg a = {loop, 0, 0, 0, 0, 0};
  pthread_t th;
  pthread_create(&th, NULL, wrong_thread, &a);
  pthread_join(th, NULL);
  CHECK_RC(a.rc_call_soon, AC_EWRONGTHREAD);
  CHECK_RC(a.rc_close, AC_EWRONGTHREAD);
  CHECK_RC(a.rc_stop, AC_EWRONGTHREAD);
  CHECK_RC(a.rc_threadsafe, 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_TRACE("stop\n");
  th_close(loop);
}

static void test_misuse_returns_codes(void) {
  frees = 0;
  CHECK_RC(ac_loop_new(0, NULL), AC_EINVAL);
  ac_loop *bad;
  CHECK_RC(ac_loop_new(0x100, &bad), AC_EINVAL);
  CHECK_RC(ac_loop_close(NULL), AC_EINVAL);
  CHECK_RC(ac_loop_run_forever(NULL), AC_EINVAL);
  CHECK_RC(ac_loop_stop(NULL), AC_EINVAL);
  CHECK_RC(ac_loop_call_soon(NULL, count_cb, NULL, count_free, NULL), AC_EINVAL);
  CHECK_INT(frees, 1);
  CHECK_RC(ac_loop_call_soon_threadsafe(NULL, count_cb, NULL, count_free), AC_EINVAL);
  CHECK_INT(frees, 2);
  CHECK_DOUBLE(ac_loop_time(NULL), -1);
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_call_soon(loop, NULL, NULL, count_free, NULL), AC_EINVAL);
  CHECK_RC(ac_loop_call_later(loop, NAN, count_cb, NULL, count_free, NULL), AC_EINVAL);
  CHECK_RC(ac_loop_call_at(loop, NAN, count_cb, NULL, count_free, NULL), AC_EINVAL);
  CHECK_INT(frees, 5);
  ac_future *f;
  CHECK_RC(ac_sleep(loop, NAN, &f), AC_EINVAL);
  CHECK_RC(ac_loop_set_slow_callback_duration(loop, -1), AC_EINVAL);
  CHECK_RC(ac_loop_close(loop), 0);
  /* Closed: every call says so; closing again is harmless. */
  CHECK_RC(ac_loop_close(loop), AC_ECLOSED);
  CHECK_RC(ac_loop_run_forever(loop), AC_ECLOSED);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), AC_ECLOSED);
  CHECK_RC(ac_loop_call_soon(loop, count_cb, NULL, count_free, NULL), AC_ECLOSED);
  CHECK_RC(ac_loop_call_soon_threadsafe(loop, count_cb, NULL, count_free), AC_ECLOSED);
  CHECK_INT(frees, 7);
  CHECK_RC(ac_sleep(loop, 1, &f), AC_ECLOSED);
  CHECK_RC(ac_future_new(loop, &f), AC_ECLOSED);
  CHECK_RC(ac_loop_is_closed(loop), 1);
  CHECK_RC(ac_loop_backend_fd(loop), AC_ECLOSED);
  ac_loop_unref(loop);
}

static void test_error_names_and_messages(void) {
  CHECK_STR(ac_err_name(AC_ECANCELLED), "AC_ECANCELLED");
  CHECK_STR(ac_err_name(AC_EWRONGTHREAD), "AC_EWRONGTHREAD");
  CHECK_STR(ac_err_name(AC_ECONNRESET), "ECONNRESET");
  CHECK_STR(ac_err_name(AC_EOF), "EOF");
  CHECK_STR(ac_err_name(12345), "UNKNOWN");
  /* Resolver errors have names, and asyncio's class socket.gaierror. */
  CHECK_STR(ac_err_name(AC_EAI_NONAME), "EAI_NONAME");
  CHECK_STR(ac_err_name(AC_EAI_AGAIN), "EAI_AGAIN");
  CHECK_STR(ac_err_class(AC_EAI_NONAME), "gaierror");
  CHECK_STR(ac_err_class(AC_EAI_PROTOCOL), "gaierror");
  CHECK_STR(ac_err_class(AC_ECONNRESET), "ConnectionResetError");
  CHECK_STR(ac_err_class(AC_EMISUSE), "RuntimeError");
  CHECK_STR(ac_err_class(AC_EINVAL), "ValueError");
  CHECK_STR(ac_err_class(AC_ESTATE), "InvalidStateError");
  CHECK_STR(ac_err_class(AC_ETIMEDOUT), "TimeoutError");
  CHECK_STR(ac_err_class(-99999), "OSError");
  CHECK_STR(ac_strerror(AC_ETIMEDOUT), "connection timed out");
  CHECK_STR(ac_strerror(AC_ESTATE), "invalid state");
  CHECK_STR(ac_strerror(-99999), "unknown error");
  CHECK_INT(ac_version(), AC_VERSION_HEX);
  CHECK_STR(ac_version_string(), "0.1.0");
}

static void test_error_objects(void) {
  ac_error *cause, *group, *c1, *c2;
  CHECK_RC(ac_error_new(0, "x", NULL, &cause), AC_EINVAL);
  CHECK_RC(ac_error_new(AC_ECONNRESET, NULL, NULL, &cause), 0);
  CHECK_STR(ac_error_message(cause), "connection reset by peer");
  CHECK_INT(ac_error_get_kind(cause), AC_ERROR_KIND_OS);
  CHECK_RC(ac_error_new(AC_EGROUP, "2 tasks failed", NULL, &group), 0);
  CHECK_RC(ac_error_new(AC_ETIMEDOUT, "slow", cause, &c1), 0);
  CHECK_RC(ac_error_new(AC_EHOST, "boom", NULL, &c2), 0);
  CHECK(ac_error_cause(c1) == cause);
  CHECK_RC(ac_error_add_child(group, c1), 0);
  CHECK_RC(ac_error_add_child(group, c2), 0);
  CHECK_RC(ac_error_add_child(group, group), AC_EINVAL);
  CHECK_INT(ac_error_child_count(group), 2);
  CHECK(ac_error_child(group, 1) == c2);
  CHECK(ac_error_child(group, 2) == NULL);
  CHECK_INT(ac_error_get_kind(group), AC_ERROR_KIND_GROUP);
  CHECK_INT(ac_error_get_kind(c1), AC_ERROR_KIND_TIMEOUT);
  CHECK_INT(ac_error_get_kind(c2), AC_ERROR_KIND_HOST);
  char *text = ac_error_format(group);
  CHECK_STR(text,
            "AC_EGROUP: 2 tasks failed\n"
            "  +-- 1 of 2\n"
            "    ETIMEDOUT: slow\n"
            "      caused by ECONNRESET: connection reset by peer\n"
            "  +-- 2 of 2\n"
            "    AC_EHOST: boom\n");
  ac_free(text);
  ac_value payload, seen;
  frees = 0;
  ac_value_set_pointer(&payload, &frees, count_free);
  CHECK_RC(ac_error_set_payload(c2, &payload), 0);
  CHECK_RC(ac_error_payload(c2, &seen), 0);
  CHECK(seen.kind == AC_VALUE_POINTER && seen.u.pointer.ptr == &frees);
  ac_error_unref(c1);
  ac_error_unref(c2);
  ac_error_unref(cause);
  CHECK_INT(frees, 0);
  ac_error_unref(group);
  CHECK_INT(frees, 1);
}

struct handler_log {
  int calls;
  char last[128];
};
static void log_handler(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                        void *ud) {
  (void)loop;
  (void)future;
  struct handler_log *log = ud;
  ++log->calls;
  snprintf(log->last, sizeof log->last, "%s", message);
  trace("handler: %.20s error=%s", message, error ? ac_err_name(ac_error_code(error)) : "none");
}
static void slow_cb(ac_loop *loop, void *ud) {
  (void)ud;
  ac_loop *real_clock_check = loop;
  (void)real_clock_check;
  struct timespec ts = {0, 30 * 1000 * 1000};
  nanosleep(&ts, NULL);
}

static void test_exception_handler_and_debug_slow_callbacks(void) {
  ac_loop *loop;
  CHECK_RC(ac_loop_new(AC_LOOP_DEBUG, &loop), 0);
  CHECK_RC(ac_loop_get_debug(loop), 1);
  struct handler_log log = {0, ""};
  CHECK_RC(ac_loop_set_exception_handler(loop, log_handler, &log, NULL), 0);
  CHECK_RC(ac_loop_set_slow_callback_duration(loop, 0.01), 0);
  CHECK_RC(ac_loop_call_soon(loop, slow_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_call_soon(loop, stop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  CHECK_INT(log.calls, 1);
  CHECK(strncmp(log.last, "Executing <Handle callback> took", 32) == 0);
  CHECK_TRACE("handler: Executing <Handle ca error=none\nstop\n");
  /* A failed future nobody looked at is reported when freed. */
  ac_future *f;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_set_error_code(f, AC_EPIPE, NULL), 0);
  ac_future_unref(f);
  CHECK_TRACE("handler: Future exception was error=EPIPE\n");
  /* ... but not when it was read. */
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_set_error_code(f, AC_EPIPE, NULL), 0);
  CHECK_RC(ac_future_result(f, NULL), AC_EPIPE);
  ac_future_unref(f);
  CHECK_TRACE("");
  /* Restoring the default handler. */
  CHECK_RC(ac_loop_set_exception_handler(loop, NULL, NULL, NULL), 0);
  th_close(loop);
}

static void close_on_unref_cb(ac_loop *loop, void *ud) {
  (void)loop;
  (void)ud;
}
static void test_last_unref_closes_the_loop(void) {
  ac_loop *loop = th_loop();
  frees = 0;
  CHECK_RC(ac_loop_call_later(loop, 1, close_on_unref_cb, NULL, count_free, NULL), 0);
  ac_loop *extra = ac_loop_ref(loop);
  ac_loop_unref(extra);
  CHECK_INT(frees, 0);
  ac_loop_unref(loop);
  CHECK_INT(frees, 1);
}

int main(void) {
  RUN(test_call_soon_is_fifo_and_never_inline);
  RUN(test_timers_in_deadline_order_ties_in_scheduling_order);
  RUN(test_virtual_clock_sleeps_an_hour_instantly);
  RUN(test_real_clock_is_monotonic_seconds);
  RUN(test_handle_cancel_runs_free_ud_once);
  RUN(test_free_ud_after_run_and_at_close);
  RUN(test_stop_runs_callbacks_already_ready);
  RUN(test_cancelling_a_due_timer_of_the_running_batch);
  RUN(test_cancel_storm_of_due_timers);
  RUN(test_reentrant_run_is_refused);
  RUN(test_running_inside_another_running_loop_is_refused);
  RUN(test_run_until_complete_reports_stop_and_errors);
  RUN(test_step_runs_at_most_the_budget);
  RUN(test_step_with_virtual_clock_jumps_to_next_timer);
  RUN(test_step_with_real_clock_blocks_at_most_max_block);
  RUN(test_short_real_timers_never_stall_the_poll);
  RUN(test_step_forever_with_nothing_to_wait_for_returns);
  RUN(test_step_forever_waits_for_thread_work);
  RUN(test_threadsafe_100k_from_two_threads_none_lost_or_duplicated);
  RUN(test_wrong_thread_is_refused);
  RUN(test_misuse_returns_codes);
  RUN(test_error_names_and_messages);
  RUN(test_error_objects);
  RUN(test_exception_handler_and_debug_slow_callbacks);
  RUN(test_last_unref_closes_the_loop);
  return th_finish();
}
