#define _POSIX_C_SOURCE 200809L
/* tsfuture.c — thread-safe futures: completion from another thread,
 * blocking waits with timeouts, callbacks and where they run, result
 * ownership, the loop future that follows one (wrap), cancellation both
 * ways, and misuse. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static atomic_int frees, destructors;
static void count_free(void *ud) {
  (void)ud;
  atomic_fetch_add(&frees, 1);
}
static void count_destructor(void *p) {
  free(p);
  atomic_fetch_add(&destructors, 1);
}

static ac_tsfuture *new_ts(void) {
  ac_tsfuture *ts = NULL;
  CHECK_RC(ac_tsfuture_new(&ts), 0);
  return ts;
}

static void *complete_with_7(void *ts) {
  ac_tsfuture_set_result_int64(ts, 7);
  return NULL;
}
static void *cancel_it(void *ts) {
  ac_tsfuture_cancel(ts, "from a thread");
  return NULL;
}

static void test_completed_by_another_thread_wait_returns(void) {
  ac_tsfuture *ts = new_ts();
  pthread_t th;
  int64_t v = 0;
  pthread_create(&th, NULL, complete_with_7, ts);
  CHECK_RC(ac_tsfuture_wait(ts, -1), 0);
  CHECK_RC(ac_tsfuture_result_int64(ts, &v), 0);
  CHECK_INT(v, 7);
  CHECK_INT(ac_tsfuture_state_of(ts), AC_FUTURE_RESULT);
  pthread_join(th, NULL);
  ac_tsfuture_unref(ts);
}

static void test_wait_times_out_on_a_pending_future(void) {
  ac_tsfuture *ts = new_ts();
  CHECK_RC(ac_tsfuture_wait(ts, 0), AC_ETIMEDOUT);
  CHECK_RC(ac_tsfuture_wait(ts, 0.001), AC_ETIMEDOUT);
  CHECK_RC(ac_tsfuture_result(ts, NULL), AC_ESTATE);
  CHECK_INT(ac_tsfuture_done(ts), 0);
  ac_tsfuture_set_result_none(ts);
  CHECK_RC(ac_tsfuture_wait(ts, 0), 0);
  ac_tsfuture_unref(ts);
}

static void test_completes_once(void) {
  ac_tsfuture *ts = new_ts();
  CHECK_RC(ac_tsfuture_set_result_int64(ts, 1), 0);
  CHECK_RC(ac_tsfuture_set_result_int64(ts, 2), AC_ESTATE);
  CHECK_RC(ac_tsfuture_set_error_code(ts, AC_EPIPE, NULL), AC_ESTATE);
  CHECK_RC(ac_tsfuture_cancel(ts, NULL), 0);
  int64_t v;
  CHECK_RC(ac_tsfuture_result_int64(ts, &v), 0);
  CHECK_INT(v, 1);
  ac_tsfuture_unref(ts);
}

static void test_refused_pointer_stays_with_the_caller(void) {
  ac_tsfuture *ts = new_ts();
  ac_value v;
  void *p = malloc(4);
  atomic_store(&destructors, 0);
  ac_tsfuture_set_result_none(ts);
  ac_value_set_pointer(&v, p, count_destructor);
  CHECK_RC(ac_tsfuture_set_result(ts, &v), AC_ESTATE);
  CHECK_INT(atomic_load(&destructors), 0);
  ac_value_clear(&v);
  CHECK_INT(atomic_load(&destructors), 1);
  ac_tsfuture_unref(ts);
}

static void test_error_and_cancel_outcomes(void) {
  ac_tsfuture *ts = new_ts();
  CHECK_RC(ac_tsfuture_set_error_code(ts, AC_EPIPE, "pipe gone"), 0);
  CHECK_RC(ac_tsfuture_result(ts, NULL), AC_EPIPE);
  CHECK_STR(ac_error_message(ac_tsfuture_error(ts)), "pipe gone");
  ac_tsfuture_unref(ts);

  ts = new_ts();
  CHECK_RC(ac_tsfuture_cancel(ts, "stop"), 1);
  CHECK_RC(ac_tsfuture_cancelled(ts), 1);
  CHECK_RC(ac_tsfuture_result(ts, NULL), AC_ECANCELLED);
  CHECK_STR(ac_error_message(ac_tsfuture_error(ts)), "stop");
  ac_tsfuture_unref(ts);

  ac_error *e;
  ts = new_ts();
  CHECK_RC(ac_error_new(AC_ENOENT, "missing", NULL, &e), 0);
  CHECK_RC(ac_tsfuture_set_error(ts, e), 0);
  ac_error_unref(e);
  CHECK(ac_tsfuture_error(ts) == e); /* the same object, shared */
  CHECK_RC(ac_tsfuture_result(ts, NULL), AC_ENOENT);
  ac_tsfuture_unref(ts);
}

static void test_take_result_moves_the_pointer_out(void) {
  ac_tsfuture *ts = new_ts();
  ac_value v;
  atomic_store(&destructors, 0);
  ac_value_set_pointer(&v, malloc(4), count_destructor);
  CHECK_RC(ac_tsfuture_set_result(ts, &v), 0);
  ac_value out;
  CHECK_RC(ac_tsfuture_take_result(ts, &out), 0);
  CHECK_INT(out.kind, AC_VALUE_POINTER);
  ac_tsfuture_unref(ts);
  CHECK_INT(atomic_load(&destructors), 0);
  ac_value_clear(&out);
  CHECK_INT(atomic_load(&destructors), 1);

  ts = new_ts();
  ac_value_set_pointer(&v, malloc(4), count_destructor);
  CHECK_RC(ac_tsfuture_set_result(ts, &v), 0);
  ac_tsfuture_unref(ts); /* kept: freed with the future */
  CHECK_INT(atomic_load(&destructors), 2);
}

/* ---- callbacks ---- */

static pthread_t callback_thread;
static void trace_cb(ac_tsfuture *ts, void *ud) {
  callback_thread = pthread_self();
  trace("%s state %d", (const char *)ud, ac_tsfuture_state_of(ts));
}

static void test_callbacks_run_in_order_on_the_completing_thread(void) {
  ac_tsfuture *ts = new_ts();
  pthread_t th;
  atomic_store(&frees, 0);
  CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, "first", count_free), 0);
  CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, "second", count_free), 0);
  CHECK_TRACE("");
  pthread_create(&th, NULL, complete_with_7, ts);
  pthread_join(th, NULL);
  CHECK(pthread_equal(callback_thread, th));
  CHECK_TRACE("first state 1\nsecond state 1\n");
  CHECK_INT(atomic_load(&frees), 2);
  /* Added when done: runs at once, here. */
  CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, "late", count_free), 0);
  CHECK(pthread_equal(callback_thread, pthread_self()));
  CHECK_TRACE("late state 1\n");
  CHECK_INT(atomic_load(&frees), 3);
  ac_tsfuture_unref(ts);
}

static void test_remove_callback_and_drop_pending_free_ud_once(void) {
  ac_tsfuture *ts = new_ts();
  atomic_store(&frees, 0);
  CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, "a", count_free), 0);
  CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, "b", count_free), 0);
  CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, "a", count_free), 0);
  CHECK_RC(ac_tsfuture_remove_done_callback(ts, trace_cb, "a"), 2);
  CHECK_INT(atomic_load(&frees), 2);
  ac_tsfuture_unref(ts); /* dropped pending: "b" never runs, is freed */
  CHECK_INT(atomic_load(&frees), 3);
  CHECK_TRACE("");
}

/* A long list (40 registrations and more, found by their user data): the
 * same rules. "a" under trace_cb twice and under other_cb once; removing
 * (trace_cb, "a") takes both and leaves other_cb's; the rest run in order,
 * each freed once. */
static void other_cb(ac_tsfuture *ts, void *ud) {
  trace("other %s state %d", (const char *)ud, ac_tsfuture_state_of(ts));
}
static char long_names[40][4];

static void test_remove_callback_from_a_long_list(void) {
  ac_tsfuture *ts = new_ts();
  atomic_store(&frees, 0);
  CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, "a", count_free), 0);
  for (int i = 0; i < 40; ++i) {
    snprintf(long_names[i], sizeof long_names[i], "n%d", i);
    CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, long_names[i], count_free), 0);
  }
  CHECK_RC(ac_tsfuture_add_done_callback(ts, other_cb, "a", count_free), 0);
  CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, "a", count_free), 0);
  /* Every other one of the forty, from the last, then both "a"s: the
   * holes pass half the list and are squeezed out. */
  for (int i = 39; i >= 0; i -= 2)
    CHECK_INT(ac_tsfuture_remove_done_callback(ts, trace_cb, long_names[i]), 1);
  CHECK_INT(ac_tsfuture_remove_done_callback(ts, trace_cb, long_names[39]), 0);
  CHECK_INT(ac_tsfuture_remove_done_callback(ts, trace_cb, "a"), 2);
  CHECK_INT(ac_tsfuture_remove_done_callback(ts, trace_cb, "a"), 0);
  CHECK_INT(atomic_load(&frees), 22);
  CHECK_RC(ac_tsfuture_add_done_callback(ts, trace_cb, "z", count_free), 0);
  CHECK_RC(ac_tsfuture_set_result_int64(ts, 7), 0);
  char want[1024] = "", line[32];
  for (int i = 0; i < 40; i += 2) {
    snprintf(line, sizeof line, "n%d state 1\n", i);
    strcat(want, line);
  }
  strcat(want, "other a state 1\nz state 1\n");
  CHECK_TRACE(want);
  CHECK_INT(atomic_load(&frees), 44);
  ac_tsfuture_unref(ts);
}

/* ---- a loop future following a tsfuture ---- */

struct awaiter {
  AC_ASYNC_FIELDS;
  ac_tsfuture *ts;
};
static int await_ts_step(ac_task *t, void *p) {
  struct awaiter *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_await_tsfuture(t, s->ts));
  trace("outcome %s", ac_err_name(ac_task_outcome(t)));
  AC_CHECK(t);
  {
    ac_value v;
    ac_future_result(ac_task_awaited(t), &v);
    if (v.kind == AC_VALUE_INT64) trace("got %lld", (long long)v.u.i64);
    if (v.kind == AC_VALUE_BYTES) trace("got %.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
    if (v.kind == AC_VALUE_POINTER) trace("got pointer, destructor %s", v.u.pointer.free_fn ? "set" : "none");
  }
  AC_END(s);
}

static void test_task_awaits_a_tsfuture_completed_by_a_thread(void) {
  ac_loop *loop = th_loop();
  struct awaiter s = {0};
  ac_task *t;
  pthread_t th;
  s.ts = new_ts();
  CHECK_RC(ac_task_new(loop, await_ts_step, &s, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 1);
  pthread_create(&th, NULL, complete_with_7, s.ts);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  pthread_join(th, NULL);
  CHECK_TRACE("outcome AC_OK\ngot 7\n");
  ac_task_unref(t);
  ac_tsfuture_unref(s.ts);
  th_close(loop);
}

static void test_wrap_copies_bytes_and_lends_pointers(void) {
  ac_loop *loop = th_loop();
  struct awaiter bytes = {0}, ptr = {0};
  ac_task *t1, *t2;
  ac_value v;
  atomic_store(&destructors, 0);
  bytes.ts = new_ts();
  ptr.ts = new_ts();
  CHECK_RC(ac_task_new(loop, await_ts_step, &bytes, NULL, 0, &t1), 0);
  CHECK_RC(ac_task_new(loop, await_ts_step, &ptr, NULL, 0, &t2), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 2);
  {
    char buf[8] = "bytes";
    ac_value_set_bytes(&v, buf, 5);
    CHECK_RC(ac_tsfuture_set_result(bytes.ts, &v), 0);
  }
  ac_value_set_pointer(&v, malloc(4), count_destructor);
  CHECK_RC(ac_tsfuture_set_result(ptr.ts, &v), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t1)), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t2)), 0);
  CHECK_TRACE("outcome AC_OK\ngot bytes\noutcome AC_OK\ngot pointer, destructor none\n");
  ac_task_unref(t1);
  ac_task_unref(t2);
  ac_tsfuture_unref(bytes.ts);
  CHECK_INT(atomic_load(&destructors), 0);
  ac_tsfuture_unref(ptr.ts); /* the owner of the pointer */
  CHECK_INT(atomic_load(&destructors), 1);
  th_close(loop);
}

static void test_cancelling_the_follower_cancels_the_tsfuture(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts = new_ts();
  ac_future *f;
  CHECK_RC(ac_tsfuture_wrap(ts, loop, &f), 0);
  CHECK_RC(ac_future_cancel(f, "enough"), 1);
  CHECK_RC(ac_tsfuture_cancelled(ts), 1);
  CHECK_STR(ac_error_message(ac_tsfuture_error(ts)), "enough");
  CHECK_RC(ac_loop_run_until_complete(loop, f), AC_ECANCELLED);
  ac_future_unref(f);
  ac_tsfuture_unref(ts);
  th_close(loop);
}

static void test_tsfuture_cancelled_by_a_thread_cancels_the_awaiting_task(void) {
  ac_loop *loop = th_loop();
  struct awaiter s = {0};
  ac_task *t;
  pthread_t th;
  s.ts = new_ts();
  CHECK_RC(ac_task_new(loop, await_ts_step, &s, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 1);
  pthread_create(&th, NULL, cancel_it, s.ts);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  pthread_join(th, NULL);
  CHECK_TRACE("outcome AC_ECANCELLED\n");
  CHECK_STR(ac_error_message(ac_future_error(ac_task_future(t))), "from a thread");
  ac_task_unref(t);
  ac_tsfuture_unref(s.ts);
  th_close(loop);
}

static void test_error_reaches_the_follower(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts = new_ts();
  ac_future *f;
  CHECK_RC(ac_tsfuture_set_error_code(ts, AC_ECONNRESET, "reset"), 0);
  CHECK_RC(ac_tsfuture_wrap(ts, loop, &f), 0); /* already done: still via the loop */
  CHECK_INT(ac_future_done(f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), AC_ECONNRESET);
  CHECK_STR(ac_error_message(ac_future_error(f)), "reset");
  ac_future_unref(f);
  ac_tsfuture_unref(ts);
  th_close(loop);
}

static void test_follower_dropped_early_leaves_nothing_behind(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts = new_ts();
  ac_future *f;
  for (int i = 0; i < 10; ++i) {
    CHECK_RC(ac_tsfuture_wrap(ts, loop, &f), 0);
    ac_future_unref(f);
  }
  CHECK_RC(ac_tsfuture_set_result_int64(ts, 1), 0);
  th_close(loop);
  ac_tsfuture_unref(ts);
}

/* A storm: 48,000 followers of one tsfuture, two thirds dropped in a
 * scrambled order while it is pending. Each drop takes its registration
 * off the tsfuture, under its lock, without a walk over the others (before,
 * 40,000 drops took 1.2 s). The rest complete in the order they were made,
 * with the value. */
enum { kStorm = 48000 };
static int storm_next, storm_in_order;
static void storm_follower_done(ac_future *f, void *ud) {
  int i = (int)(intptr_t)ud;
  int64_t v = 0;
  if (i == storm_next && ac_future_result_int64(f, &v) == 0 && v == 5) ++storm_in_order;
  storm_next = i + 3;
}

static void test_storm_of_followers_dropped_early(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts = new_ts();
  static ac_future *f[kStorm], *left[kStorm];
  ac_future *g;
  for (int i = 0; i < kStorm; ++i) CHECK_RC(ac_tsfuture_wrap(ts, loop, &f[i]), 0);
  for (int k = 0; k < kStorm; ++k) {
    int i = (int)(((long long)k * 7919) % kStorm); /* a permutation */
    if (i % 3 != 0) {
      ac_future_unref(f[i]);
      f[i] = NULL;
    }
  }
  int n = 0;
  for (int i = 0; i < kStorm; i += 3) {
    CHECK_RC(ac_future_add_done_callback(f[i], storm_follower_done, (void *)(intptr_t)i, NULL), 0);
    left[n++] = f[i];
  }
  CHECK_RC(ac_tsfuture_set_result_int64(ts, 5), 0);
  CHECK_RC(ac_gather(loop, left, (size_t)n, 0, &g), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), 0);
  ac_future_unref(g);
  CHECK_INT(storm_in_order, n);
  for (int i = 0; i < kStorm; i += 3) ac_future_unref(f[i]);
  ac_tsfuture_unref(ts);
  th_close(loop);
}

/* ---- a held follower holds the virtual clock ---- */

static void sleep_ms(int ms) {
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}
/* Work of this test's own on a plain thread: 20 ms of real time, then 42. */
static void *slow_answer(void *ts) {
  sleep_ms(20);
  ac_tsfuture_set_result_int64(ts, 42);
  return NULL;
}
struct held_awaiter {
  AC_ASYNC_FIELDS;
  ac_tsfuture *ts;
  ac_future *f;
  pthread_t th;
};
static int held_await_step(ac_task *t, void *p) {
  struct held_awaiter *s = p;
  ac_loop *loop = ac_task_get_loop(t);
  int64_t v = 0;
  int rc;
  AC_BEGIN(s);
  rc = ac_tsfuture_wrap_held(s->ts, loop, &s->f);
  if (rc < 0) return rc;
  pthread_create(&s->th, NULL, slow_answer, s->ts);
  AC_AWAIT(s, ac_task_await(t, s->f));
  AC_CHECK(t);
  ac_future_result_int64(s->f, &v);
  trace("result %d at %g", (int)v, ac_loop_time(loop));
  AC_END(s);
}

/* A held follower of work that really takes 20 ms on another thread, while
 * a 10 s virtual sleep is pending: the result arrives at virtual time 0
 * (as an ac_to_thread job's), the sleep still ends at 10 s. */
static void test_held_wrap_holds_the_virtual_clock(void) {
  ac_loop *loop = th_loop();
  struct held_awaiter s = {0};
  ac_task *t;
  ac_future *nap;
  s.ts = new_ts();
  CHECK_RC(ac_sleep(loop, 10, &nap), 0);
  CHECK_RC(ac_task_new(loop, held_await_step, &s, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 0);
  pthread_join(s.th, NULL);
  CHECK_RC(ac_loop_run_until_complete(loop, nap), 0);
  trace("sleep ends at %g", ac_loop_time(loop));
  CHECK_TRACE("result 42 at 0\nsleep ends at 10\n");
  ac_future_unref(s.f);
  ac_future_unref(nap);
  ac_task_unref(t);
  ac_tsfuture_unref(s.ts);
  th_close(loop);
}

/* A plain follower does not hold the clock: its source may be completed
 * by anything, or never; the sleep ends while it is pending. */
static void test_plain_wrap_leaves_the_virtual_clock_alone(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts = new_ts();
  ac_future *f, *nap;
  CHECK_RC(ac_tsfuture_wrap(ts, loop, &f), 0);
  CHECK_RC(ac_sleep(loop, 10, &nap), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, nap), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 10);
  CHECK_INT(ac_future_done(f), 0);
  CHECK_RC(ac_tsfuture_set_result_none(ts), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  ac_future_unref(f);
  ac_future_unref(nap);
  ac_tsfuture_unref(ts);
  th_close(loop);
}

/* Cancelling a held follower gives the clock back at once (its source,
 * cancelled with it, is never completed by anyone here); so does dropping
 * one, and so does its completion. */
static void test_cancelled_or_dropped_held_wrap_releases_the_clock(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts = new_ts();
  ac_future *f, *nap;
  CHECK_RC(ac_tsfuture_wrap_held(ts, loop, &f), 0);
  CHECK_RC(ac_sleep(loop, 10, &nap), 0);
  CHECK_RC(ac_future_cancel(f, "no more"), 1);
  CHECK_RC(ac_tsfuture_cancelled(ts), 1);
  CHECK_RC(ac_loop_run_until_complete(loop, nap), 0); /* no deadlock */
  CHECK_DOUBLE(ac_loop_time(loop), 10);
  ac_future_unref(f);
  ac_future_unref(nap);
  ac_tsfuture_unref(ts);

  ts = new_ts();
  CHECK_RC(ac_tsfuture_wrap_held(ts, loop, &f), 0);
  ac_future_unref(f); /* dropped pending */
  CHECK_RC(ac_sleep(loop, 5, &nap), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, nap), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 15);
  ac_future_unref(nap);
  CHECK_INT(ac_tsfuture_done(ts), 0);

  CHECK_RC(ac_tsfuture_wrap_held(ts, loop, &f), 0);
  CHECK_RC(ac_tsfuture_set_error_code(ts, AC_EPIPE, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), AC_EPIPE);
  CHECK_RC(ac_sleep(loop, 5, &nap), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, nap), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 20);
  ac_future_unref(nap);
  ac_future_unref(f);
  ac_tsfuture_unref(ts);
  th_close(loop);
}

struct wrap_from_thread {
  ac_tsfuture *ts;
  ac_loop *loop;
  ac_future *f;
  int rc;
};
static void *wrap_held_from_another_thread(void *p) {
  struct wrap_from_thread *a = p;
  a->rc = ac_tsfuture_wrap_held(a->ts, a->loop, &a->f);
  return NULL;
}

static void test_wrap_held_misuse(void) {
  ac_tsfuture *ts = new_ts();
  ac_loop *loop = th_loop();
  ac_future *f = NULL;
  pthread_t th;
  struct wrap_from_thread a = {ts, loop, NULL, 0};
  CHECK_RC(ac_tsfuture_wrap_held(NULL, loop, &f), AC_EINVAL);
  CHECK_RC(ac_tsfuture_wrap_held(ts, NULL, &f), AC_EINVAL);
  CHECK_RC(ac_tsfuture_wrap_held(ts, loop, NULL), AC_EINVAL);
  pthread_create(&th, NULL, wrap_held_from_another_thread, &a);
  pthread_join(th, NULL);
  CHECK_RC(a.rc, AC_EWRONGTHREAD);
  CHECK(a.f == NULL);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_tsfuture_wrap_held(ts, loop, &f), AC_ECLOSED);
  CHECK(f == NULL);
  ac_loop_unref(loop);
  ac_tsfuture_unref(ts);
}

/* ---- misuse ---- */

static void test_misuse(void) {
  ac_tsfuture *ts = new_ts();
  ac_loop *loop = th_loop();
  ac_future *f = NULL;
  atomic_store(&frees, 0);
  CHECK_RC(ac_tsfuture_new(NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_state_of(NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_done(NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_set_result(NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_set_result_none(NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_set_error_code(ts, AC_ECANCELLED, NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_set_error_code(ts, 5, NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_set_error(ts, NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_cancel(NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_wait(NULL, 0), AC_EINVAL);
  CHECK_RC(ac_tsfuture_wait(ts, 0.0 / 0.0), AC_EINVAL);
  CHECK_RC(ac_tsfuture_take_result(ts, NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_add_done_callback(ts, NULL, NULL, count_free), AC_EINVAL);
  CHECK_INT(atomic_load(&frees), 1);
  CHECK_RC(ac_tsfuture_wrap(NULL, loop, &f), AC_EINVAL);
  CHECK_RC(ac_tsfuture_wrap(ts, NULL, &f), AC_EINVAL);
  CHECK_RC(ac_tsfuture_wrap(ts, loop, NULL), AC_EINVAL);
  CHECK(ac_tsfuture_error(ts) == NULL);
  CHECK(ac_tsfuture_ref(NULL) == NULL);
  ac_tsfuture_unref(NULL);
  {
    ac_value bad;
    ac_value_set_bytes(&bad, NULL, 3);
    CHECK_RC(ac_tsfuture_set_result(ts, &bad), AC_EINVAL);
  }
  CHECK_INT(ac_tsfuture_done(ts), 0);
  CHECK_RC(ac_task_await_tsfuture(NULL, ts), AC_EINVAL);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_tsfuture_wrap(ts, loop, &f), AC_ECLOSED);
  CHECK(f == NULL);
  ac_loop_unref(loop);
  ac_tsfuture_unref(ts);
}

int main(void) {
  RUN(test_completed_by_another_thread_wait_returns);
  RUN(test_wait_times_out_on_a_pending_future);
  RUN(test_completes_once);
  RUN(test_refused_pointer_stays_with_the_caller);
  RUN(test_error_and_cancel_outcomes);
  RUN(test_take_result_moves_the_pointer_out);
  RUN(test_callbacks_run_in_order_on_the_completing_thread);
  RUN(test_remove_callback_and_drop_pending_free_ud_once);
  RUN(test_remove_callback_from_a_long_list);
  RUN(test_task_awaits_a_tsfuture_completed_by_a_thread);
  RUN(test_wrap_copies_bytes_and_lends_pointers);
  RUN(test_cancelling_the_follower_cancels_the_tsfuture);
  RUN(test_tsfuture_cancelled_by_a_thread_cancels_the_awaiting_task);
  RUN(test_error_reaches_the_follower);
  RUN(test_follower_dropped_early_leaves_nothing_behind);
  RUN(test_storm_of_followers_dropped_early);
  RUN(test_misuse);
  RUN(test_held_wrap_holds_the_virtual_clock);
  RUN(test_plain_wrap_leaves_the_virtual_clock_alone);
  RUN(test_cancelled_or_dropped_held_wrap_releases_the_clock);
  RUN(test_wrap_held_misuse);
  return th_finish();
}
