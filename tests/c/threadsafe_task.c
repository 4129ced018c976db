#define _POSIX_C_SOURCE 200809L
/* threadsafe_task.c — ac_run_threadsafe (asyncio.run_coroutine_threadsafe):
 * results, errors, cancellation from the submitting side before and after
 * the task started, loops that close first, misuse, and 100,000
 * submissions from 4 threads with none lost. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "harness.h"

static atomic_int frees, steps;
static void count_free(void *ud) {
  (void)ud;
  atomic_fetch_add(&frees, 1);
}

/* A loop run by its own thread until stopped (the loop is made there, so
 * that thread owns it). */
struct loop_thread {
  pthread_t th;
  ac_loop *loop;
  ac_tsfuture *ready;
  int close_at_end;
};
static void *loop_main(void *p) {
  struct loop_thread *lt = p;
  ac_loop_new(AC_LOOP_DEFAULT, &lt->loop); /* real time: work arrives from threads */
  ac_tsfuture_set_result_none(lt->ready);
  ac_loop_run_forever(lt->loop);
  if (lt->close_at_end) ac_loop_close(lt->loop);
  return NULL;
}
static void start_loop_thread(struct loop_thread *lt) {
  ac_tsfuture_new(&lt->ready);
  lt->close_at_end = 1;
  pthread_create(&lt->th, NULL, loop_main, lt);
  ac_tsfuture_wait(lt->ready, -1);
  ac_tsfuture_unref(lt->ready);
}
static void stop_cb(ac_loop *loop, void *ud) {
  (void)ud;
  ac_loop_stop(loop);
}
static void stop_loop_thread(struct loop_thread *lt) {
  CHECK_RC(ac_loop_call_soon_threadsafe(lt->loop, stop_cb, NULL, NULL), 0);
  pthread_join(lt->th, NULL);
  ac_loop_unref(lt->loop);
}

/* ---- steps ---- */

static int return_ud(ac_task *t, void *st) {
  atomic_fetch_add(&steps, 1);
  return ac_task_return_int64(t, (int64_t)(intptr_t)st);
}
static int fail_epipe(ac_task *t, void *st) {
  (void)st;
  return ac_task_fail(t, AC_EPIPE, "broken on the loop");
}
struct sleeper {
  AC_ASYNC_FIELDS;
  double seconds;
  ac_tsfuture *started;
  ac_tsfuture *ended;  // set once the step has seen how its sleep ended
};
static ac_tsfuture *g_sleeper_ended;
static int sleeper_step(ac_task *t, void *p) {
  struct sleeper *s = p;
  AC_BEGIN(s);
  atomic_fetch_add(&steps, 1);
  if (s->started != NULL) ac_tsfuture_set_result_none(s->started);
  AC_AWAIT(s, ac_task_sleep(t, s->seconds));
  trace("sleeper outcome %s", ac_err_name(ac_task_outcome(t)));
  if (s->ended != NULL) ac_tsfuture_set_result_none(s->ended);
  AC_CHECK(t);
  AC_END(s);
}
static void free_sleeper(void *p) {
  struct sleeper *s = p;
  ac_tsfuture_unref(s->started);
  ac_tsfuture_unref(s->ended);
  free(p);
  atomic_fetch_add(&frees, 1);
}
static struct sleeper *new_sleeper(double seconds, ac_tsfuture **started) {
  struct sleeper *s = calloc(1, sizeof *s);
  s->seconds = seconds;
  if (started != NULL) {
    ac_tsfuture_new(&s->started);
    *started = ac_tsfuture_ref(s->started);
    ac_tsfuture_new(&s->ended);
    ac_tsfuture_unref(g_sleeper_ended);
    g_sleeper_ended = ac_tsfuture_ref(s->ended);
  }
  return s;
}

/* ---- results ---- */

static void test_result_from_a_foreign_thread(void) {
  struct loop_thread lt;
  ac_tsfuture *ts;
  int64_t v = 0;
  atomic_store(&frees, 0);
  start_loop_thread(&lt);
  CHECK_RC(ac_run_threadsafe(lt.loop, return_ud, (void *)(intptr_t)99, count_free, &ts), 0);
  CHECK_RC(ac_tsfuture_wait(ts, -1), 0);
  CHECK_RC(ac_tsfuture_result_int64(ts, &v), 0);
  CHECK_INT(v, 99);
  stop_loop_thread(&lt);
  CHECK_INT(atomic_load(&frees), 1);
  ac_tsfuture_unref(ts);
}

static void test_error_from_the_task(void) {
  struct loop_thread lt;
  ac_tsfuture *ts;
  start_loop_thread(&lt);
  CHECK_RC(ac_run_threadsafe(lt.loop, fail_epipe, NULL, NULL, &ts), 0);
  CHECK_RC(ac_tsfuture_wait(ts, -1), 0);
  CHECK_RC(ac_tsfuture_result(ts, NULL), AC_EPIPE);
  CHECK_STR(ac_error_message(ac_tsfuture_error(ts)), "broken on the loop");
  stop_loop_thread(&lt);
  ac_tsfuture_unref(ts);
}

static void test_submitted_from_the_loop_thread_itself(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts;
  ac_future *f;
  int64_t v;
  CHECK_RC(ac_run_threadsafe(loop, return_ud, (void *)(intptr_t)5, NULL, &ts), 0);
  CHECK_RC(ac_tsfuture_wrap(ts, loop, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  CHECK_RC(ac_future_result_int64(f, &v), 0);
  CHECK_INT(v, 5);
  ac_future_unref(f);
  ac_tsfuture_unref(ts);
  th_close(loop);
}

/* ---- cancellation ---- */

static void test_cancelling_the_tsfuture_cancels_the_running_task(void) {
  struct loop_thread lt;
  ac_tsfuture *ts, *started;
  atomic_store(&frees, 0);
  start_loop_thread(&lt);
  CHECK_RC(ac_run_threadsafe(lt.loop, sleeper_step, new_sleeper(3600, &started), free_sleeper, &ts), 0);
  CHECK_RC(ac_tsfuture_wait(started, -1), 0);
  CHECK_RC(ac_tsfuture_cancel(ts, "caller gave up"), 1);
  CHECK_RC(ac_tsfuture_cancelled(ts), 1);
  /* The cancelled task takes its step in the loop's next iteration (a stop
   * asked for meanwhile would end the loop before it, as asyncio's does):
   * wait for that step, then stop. */
  CHECK_RC(ac_tsfuture_wait(g_sleeper_ended, -1), 0);
  ac_tsfuture_unref(g_sleeper_ended);
  g_sleeper_ended = NULL;
  stop_loop_thread(&lt);
  CHECK_TRACE("sleeper outcome AC_ECANCELLED\n");
  CHECK_INT(atomic_load(&frees), 1);
  ac_tsfuture_unref(started);
  ac_tsfuture_unref(ts);
}

static void test_cancelled_before_start_the_task_is_never_made(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts;
  atomic_store(&frees, 0);
  atomic_store(&steps, 0);
  CHECK_RC(ac_run_threadsafe(loop, sleeper_step, new_sleeper(1, NULL), free_sleeper, &ts), 0);
  CHECK_RC(ac_tsfuture_cancel(ts, NULL), 1);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 2); /* start (skipped), cancel */
  CHECK_INT(atomic_load(&steps), 0);
  CHECK_INT(atomic_load(&frees), 1);
  ac_tsfuture_unref(ts);
  th_close(loop);
}

struct swallower {
  AC_ASYNC_FIELDS;
};
static int swallow_step(ac_task *t, void *p) {
  struct swallower *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  trace("swallowed %s", ac_err_name(ac_task_outcome(t)));
  ac_task_uncancel(t);
  AC_END(s);
}
static void test_the_task_swallowing_the_cancel_keeps_the_future_cancelled(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts;
  struct swallower *st = calloc(1, sizeof *st);
  CHECK_RC(ac_run_threadsafe(loop, swallow_step, st, free, &ts), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 2); /* made, then sleeping */
  CHECK_RC(ac_tsfuture_cancel(ts, NULL), 1);
  for (int i = 0; i < 4; ++i) ac_loop_step(loop, 0, NULL, NULL);
  CHECK_TRACE("swallowed AC_ECANCELLED\n");
  CHECK_RC(ac_tsfuture_result(ts, NULL), AC_ECANCELLED);
  CHECK_INT(ac_loop_time(loop) < 10, 1);
  ac_tsfuture_unref(ts);
  th_close(loop);
}

/* ---- loops that close ---- */

static void test_loop_closed_before_the_task_started(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts;
  atomic_store(&frees, 0);
  atomic_store(&steps, 0);
  CHECK_RC(ac_run_threadsafe(loop, sleeper_step, new_sleeper(1, NULL), free_sleeper, &ts), 0);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_INT(atomic_load(&steps), 0);
  CHECK_INT(atomic_load(&frees), 1);
  CHECK_RC(ac_tsfuture_wait(ts, 0), 0); /* a foreign waiter would wake */
  CHECK_RC(ac_tsfuture_result(ts, NULL), AC_ECLOSED);
  ac_tsfuture_unref(ts);
  ac_loop_unref(loop);
}

static void quiet_handler(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                          void *ud) {
  (void)loop;
  (void)error;
  (void)future;
  (void)ud;
  trace("handler: %s", message);
}

static void test_loop_closed_with_the_task_pending(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts;
  atomic_store(&frees, 0);
  CHECK_RC(ac_loop_set_exception_handler(loop, quiet_handler, NULL, NULL), 0);
  CHECK_RC(ac_run_threadsafe(loop, sleeper_step, new_sleeper(10, NULL), free_sleeper, &ts), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 2); /* made, then sleeping */
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_TRACE("handler: Task was destroyed but it is pending\n");
  CHECK_INT(atomic_load(&frees), 1);
  CHECK_RC(ac_tsfuture_result(ts, NULL), AC_ECLOSED);
  ac_tsfuture_unref(ts);
  ac_loop_unref(loop);
}

static void test_closed_loop_refuses_and_frees_the_state(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts = NULL;
  atomic_store(&frees, 0);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_run_threadsafe(loop, return_ud, NULL, count_free, &ts), AC_ECLOSED);
  CHECK(ts == NULL);
  CHECK_INT(atomic_load(&frees), 1);
  ac_loop_unref(loop);
}

static void test_misuse(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *ts = NULL;
  atomic_store(&frees, 0);
  CHECK_RC(ac_run_threadsafe(NULL, return_ud, NULL, count_free, &ts), AC_EINVAL);
  CHECK_RC(ac_run_threadsafe(loop, NULL, NULL, count_free, &ts), AC_EINVAL);
  CHECK_INT(atomic_load(&frees), 2);
  CHECK(ts == NULL);
  /* Without out: fire and forget. */
  CHECK_RC(ac_run_threadsafe(loop, return_ud, NULL, count_free, NULL), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 3); /* made, stepped, reported */
  CHECK_INT(atomic_load(&frees), 3);
  th_close(loop);
}

/* ---- stress: 100,000 submissions from 4 threads ---- */

enum { STRESS_THREADS = 4, STRESS_EACH = 25000 };
struct submitter {
  pthread_t th;
  ac_loop *loop;
  int64_t base;
  int64_t sum;
  int failures;
};
static void *submit_many(void *p) {
  struct submitter *s = p;
  ac_tsfuture **all = malloc(sizeof *all * STRESS_EACH);
  for (int i = 0; i < STRESS_EACH; ++i)
    if (ac_run_threadsafe(s->loop, return_ud, (void *)(intptr_t)(s->base + i), count_free, &all[i]) != 0)
      ++s->failures;
  for (int i = 0; i < STRESS_EACH; ++i) {
    int64_t v = 0;
    if (ac_tsfuture_wait(all[i], -1) != 0 || ac_tsfuture_result_int64(all[i], &v) != 0 ||
        v != s->base + i)
      ++s->failures;
    s->sum += v;
    ac_tsfuture_unref(all[i]);
  }
  free(all);
  return NULL;
}
static void test_stress_100000_submissions_from_4_threads_none_lost(void) {
  struct loop_thread lt;
  struct submitter sub[STRESS_THREADS];
  atomic_store(&frees, 0);
  atomic_store(&steps, 0);
  start_loop_thread(&lt);
  for (int i = 0; i < STRESS_THREADS; ++i) {
    sub[i] = (struct submitter){.loop = ac_loop_ref(lt.loop), .base = (int64_t)i * STRESS_EACH};
    pthread_create(&sub[i].th, NULL, submit_many, &sub[i]);
  }
  int64_t sum = 0;
  for (int i = 0; i < STRESS_THREADS; ++i) {
    pthread_join(sub[i].th, NULL);
    CHECK_INT(sub[i].failures, 0);
    sum += sub[i].sum;
    ac_loop_unref(sub[i].loop);
  }
  stop_loop_thread(&lt);
  const int64_t n = (int64_t)STRESS_THREADS * STRESS_EACH;
  CHECK_INT(atomic_load(&steps), n);
  CHECK_INT(atomic_load(&frees), n);
  CHECK_INT(sum, n * (n - 1) / 2);
}

int main(void) {
  RUN(test_result_from_a_foreign_thread);
  RUN(test_error_from_the_task);
  RUN(test_submitted_from_the_loop_thread_itself);
  RUN(test_cancelling_the_tsfuture_cancels_the_running_task);
  RUN(test_cancelled_before_start_the_task_is_never_made);
  RUN(test_the_task_swallowing_the_cancel_keeps_the_future_cancelled);
  RUN(test_loop_closed_before_the_task_started);
  RUN(test_loop_closed_with_the_task_pending);
  RUN(test_closed_loop_refuses_and_frees_the_state);
  RUN(test_misuse);
  RUN(test_stress_100000_submissions_from_4_threads_none_lost);
  return th_finish();
}
