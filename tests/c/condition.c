/* condition.c — ac_condition: notify order, the lock held again whenever a
 * wait completes (also cancelled), no lost notification, wait_for,
 * destruction, misuse. */
#include "sync_helpers.h"

static int counter;
static int counter_at_least_3(void *ud) {
  (void)ud;
  return counter >= 3 ? counter : 0;
}

/* acquire; wait (or wait_for); trace the outcome and whether the lock is
 * held; release. */
struct cond_waiter {
  AC_ASYNC_FIELDS;
  ac_condition *cond;
  const char *name;
  int use_pred;
};
static int cond_waiter_step(ac_task *t, void *p) {
  struct cond_waiter *s = p;
  ac_future *f;
  double now = ac_loop_time(ac_task_get_loop(t));
  AC_BEGIN(s);
  if (ac_condition_acquire(s->cond, &f) != 0) return AC_EINVAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  AC_CHECK(t);
  trace("%s: waits at %g", s->name, now);
  if (s->use_pred) {
    if (ac_condition_wait_for(s->cond, counter_at_least_3, NULL, count_free, &f) != 0) return AC_EINVAL;
  } else if (ac_condition_wait(s->cond, &f) != 0) {
    return AC_EINVAL;
  }
  AC_AWAIT(s, ac_task_await_owned(t, f));
  trace_outcome(t, s->name);
  if (ac_task_outcome(t) == AC_ECLOSED) return AC_STEP_DONE;  // the condition is gone
  trace("%s: locked %d", s->name, ac_condition_locked(s->cond));
  if (ac_condition_release(s->cond) != 0) return AC_ESTATE;
  AC_END(s);
}
static ac_task *spawn_cond_waiter(ac_loop *loop, ac_condition *c, const char *name, int use_pred) {
  struct cond_waiter *s;
  ac_task *t = NULL;
  if (ac_task_new_inline(loop, cond_waiter_step, sizeof *s, 0, &t, (void **)&s) != 0) return NULL;
  s->cond = c;
  s->name = name;
  s->use_pred = use_pred;
  return t;
}

static void notify_cb(ac_loop *loop, void *ud) {
  ac_condition *c = ud;
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
  int n = ac_condition_notify(c, 1);
  trace("notify(1) woke %d at %g", n, ac_loop_time(loop));
  CHECK_RC(ac_condition_release(c), 0);
}
static void notify_all_cb(ac_loop *loop, void *ud) {
  ac_condition *c = ud;
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
  ++counter;
  int n = ac_condition_notify_all(c);
  trace("notify_all woke %d at %g", n, ac_loop_time(loop));
  CHECK_RC(ac_condition_release(c), 0);
}

static void test_notify_wakes_waiters_in_order_with_the_lock_held(void) {
  ac_loop *loop = th_loop();
  ac_condition *c;
  CHECK_RC(ac_condition_new(loop, NULL, &c), 0);
  ac_task *t[3];
  t[0] = spawn_cond_waiter(loop, c, "a", 0);
  t[1] = spawn_cond_waiter(loop, c, "b", 0);
  t[2] = spawn_cond_waiter(loop, c, "c", 0);
  CHECK_RC(ac_loop_call_later(loop, 1, notify_cb, c, NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 2, notify_all_cb, c, NULL, NULL), 0);
  run_all(loop);
  CHECK_TRACE(
      "a: waits at 0\nb: waits at 0\nc: waits at 0\n"
      "notify(1) woke 1 at 1\na: ok at 1\na: locked 1\n"
      "notify_all woke 2 at 2\nb: ok at 2\nb: locked 1\nc: ok at 2\nc: locked 1\n");
  CHECK_RC(ac_condition_locked(c), 0);
  for (int i = 0; i < 3; ++i) ac_task_unref(t[i]);
  ac_condition_unref(c);
  th_close(loop);
}

static void test_cancelled_wait_completes_only_with_the_lock_held(void) {
  ac_loop *loop = th_loop();
  ac_condition *c;
  CHECK_RC(ac_condition_new(loop, NULL, &c), 0);
  ac_task *a = spawn_cond_waiter(loop, c, "a", 0);
  run_all(loop);
  CHECK_TRACE("a: waits at 0\n");
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);  // someone else holds it
  CHECK_RC(ac_task_cancel(a, NULL), 1);
  run_all(loop);
  CHECK_TRACE("");  // "a" cannot finish before it has the lock again
  CHECK_RC(ac_future_done(ac_task_future(a)), 0);
  CHECK_RC(ac_condition_release(c), 0);
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\na: locked 1\n");
  CHECK_RC(ac_condition_locked(c), 0);
  ac_task_unref(a);
  ac_condition_unref(c);
  th_close(loop);
}

/* asyncio 3.13 (gh-112202): a waiter notified and then cancelled reports
 * the cancellation with the lock held and passes the notification on, so
 * the next waiter is not left waiting. */
static void test_notified_waiter_cancelled_passes_the_notification_on(void) {
  ac_loop *loop = th_loop();
  ac_condition *c;
  CHECK_RC(ac_condition_new(loop, NULL, &c), 0);
  ac_task *a = spawn_cond_waiter(loop, c, "a", 0);
  ac_task *b = spawn_cond_waiter(loop, c, "b", 0);
  run_all(loop);
  CHECK_TRACE("a: waits at 0\nb: waits at 0\n");
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
  CHECK_RC(ac_condition_notify(c, 1), 1);  // "a" is notified ...
  CHECK_RC(ac_task_cancel(a, NULL), 1);    // ... and cancelled
  CHECK_RC(ac_condition_release(c), 0);
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\na: locked 1\nb: ok at 0\nb: locked 1\n");
  ac_task_unref(a);
  ac_task_unref(b);
  ac_condition_unref(c);
  th_close(loop);
}

/* The same when the cancellation comes after the notifier released the
 * lock, before the woken waiter's task runs (asyncio 3.13). */
static void test_woken_waiter_cancelled_before_it_runs_passes_the_notification_on(void) {
  ac_loop *loop = th_loop();
  ac_condition *c;
  CHECK_RC(ac_condition_new(loop, NULL, &c), 0);
  ac_task *a = spawn_cond_waiter(loop, c, "a", 0);
  ac_task *b = spawn_cond_waiter(loop, c, "b", 0);
  run_all(loop);
  CHECK_TRACE("a: waits at 0\nb: waits at 0\n");
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
  CHECK_RC(ac_condition_notify(c, 1), 1);
  CHECK_RC(ac_condition_release(c), 0);  // "a" is woken, the lock free
  CHECK_RC(ac_task_cancel(a, NULL), 1);  // before "a" runs
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\na: locked 1\nb: ok at 0\nb: locked 1\n");
  ac_task_unref(a);
  ac_task_unref(b);
  ac_condition_unref(c);
  th_close(loop);
}

static void test_wait_for_returns_once_the_predicate_holds(void) {
  ac_loop *loop = th_loop();
  ac_condition *c;
  CHECK_RC(ac_condition_new(loop, NULL, &c), 0);
  counter = 0;
  g_frees = 0;
  ac_task *a = spawn_cond_waiter(loop, c, "a", 1);
  for (int i = 1; i <= 3; ++i)
    CHECK_RC(ac_loop_call_later(loop, i, notify_all_cb, c, NULL, NULL), 0);
  run_all(loop);
  CHECK_TRACE(
      "a: waits at 0\nnotify_all woke 1 at 1\nnotify_all woke 1 at 2\n"
      "notify_all woke 1 at 3\na: ok 3 at 3\na: locked 1\n");
  CHECK_INT(g_frees, 1);
  /* Already true: done at once, the lock is kept. */
  ac_future *f;
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
  CHECK_RC(ac_condition_wait_for(c, counter_at_least_3, NULL, count_free, &f), 0);
  CHECK_RC(ac_future_done(f), 1);
  CHECK_INT(g_frees, 2);
  CHECK_RC(ac_condition_locked(c), 1);
  ac_future_unref(f);
  CHECK_RC(ac_condition_release(c), 0);
  ac_task_unref(a);
  ac_condition_unref(c);
  th_close(loop);
}

static void test_condition_over_a_given_lock_shares_it(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_condition *c;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_condition_new(loop, lock, &c), 0);
  CHECK(ac_condition_lock(c) == lock);
  CHECK_RC(ac_lock_try_acquire(lock), 1);
  CHECK_RC(ac_condition_locked(c), 1);
  ac_lock_unref(lock);  // the condition keeps it alive
  CHECK_RC(ac_condition_release(c), 0);
  CHECK_RC(ac_condition_locked(c), 0);
  ac_condition_unref(c);
  th_close(loop);
}

static void test_destroying_a_condition_fails_its_waiters(void) {
  ac_loop *loop = th_loop();
  ac_condition *c;
  CHECK_RC(ac_condition_new(loop, NULL, &c), 0);
  g_frees = 0;
  counter = 0;
  ac_task *a = spawn_cond_waiter(loop, c, "a", 1);
  run_all(loop);
  CHECK_TRACE("a: waits at 0\n");
  ac_condition_unref(c);
  run_all(loop);
  CHECK_TRACE("a: AC_ECLOSED at 0\n");
  CHECK_INT(g_frees, 1);
  ac_task_unref(a);
  th_close(loop);
}

/* asyncio: wait() and notify() without the lock raise RuntimeError
 * ("cannot wait on un-acquired lock", "cannot notify on un-acquired
 * lock"); wait_for() calls its predicate first and returns a true result
 * without needing the lock. */
static void test_condition_misuse_returns_codes(void) {
  ac_loop *loop = th_loop();
  ac_condition *c;
  ac_future *f;
  ac_semaphore *sem;
  CHECK_RC(ac_condition_new(NULL, NULL, &c), AC_EINVAL);
  CHECK_RC(ac_condition_new(loop, NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_semaphore_new(loop, 1, &sem), 0);
  CHECK_RC(ac_condition_new(loop, (ac_lock *)sem, &c), AC_EINVAL);
  ac_semaphore_unref(sem);
  CHECK_RC(ac_condition_new(loop, NULL, &c), 0);
  /* Waiting and notifying need the lock. */
  CHECK_RC(ac_condition_wait(c, &f), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "cannot wait on un-acquired lock");
  counter = 0;
  g_frees = 0;
  CHECK_RC(ac_condition_wait_for(c, counter_at_least_3, NULL, count_free, &f), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "cannot wait on un-acquired lock");
  CHECK_INT(g_frees, 1);  // free_ud runs when the call fails
  /* A predicate already true: its value at once, the lock not needed. */
  counter = 4;
  CHECK_RC(ac_condition_wait_for(c, counter_at_least_3, NULL, count_free, &f), 0);
  CHECK_INT(g_frees, 2);
  int64_t v = 0;
  CHECK_RC(ac_future_result_int64(f, &v), 0);
  CHECK_INT(v, 4);
  ac_future_unref(f);
  CHECK_RC(ac_condition_locked(c), 0);
  CHECK_RC(ac_condition_notify(c, 1), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "cannot notify on un-acquired lock");
  CHECK_RC(ac_condition_notify_all(c), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "cannot notify on un-acquired lock");
  CHECK_RC(ac_condition_release(c), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Lock is not acquired.");
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
  CHECK_RC(ac_condition_notify(c, 5), 0);  // nobody waits
  CHECK_RC(ac_condition_notify(c, 0), 0);
  g_frees = 0;
  CHECK_RC(ac_condition_wait_for(c, NULL, NULL, count_free, &f), AC_EINVAL);
  CHECK_INT(g_frees, 1);
  CHECK_RC(ac_condition_wait(c, NULL), AC_EINVAL);
  CHECK_RC(ac_condition_wait(NULL, &f), AC_EINVAL);
  CHECK(ac_condition_lock(NULL) == NULL);
  CHECK_RC(ac_condition_locked(NULL), AC_EINVAL);
  CHECK_RC(ac_condition_notify(NULL, 1), AC_EINVAL);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_condition_wait(c, &f), AC_ECLOSED);
  CHECK_RC(ac_condition_notify_all(c), AC_ECLOSED);
  ac_condition_unref(c);
  ac_loop_unref(loop);
}

/* asyncio: notify(n) wakes at most n waiters, so any n <= 0 (-1 included)
 * wakes nobody and is no error. */
static void test_notify_of_zero_or_a_negative_count_wakes_nobody(void) {
  ac_loop *loop = th_loop();
  ac_condition *c;
  CHECK_RC(ac_condition_new(loop, NULL, &c), 0);
  ac_task *a = spawn_cond_waiter(loop, c, "a", 0);
  run_all(loop);
  CHECK_TRACE("a: waits at 0\n");
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
  CHECK_RC(ac_condition_notify(c, 0), 0);
  CHECK_RC(ac_condition_notify(c, -1), 0);
  CHECK_RC(ac_condition_release(c), 0);
  run_all(loop);
  CHECK_TRACE("");
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
  CHECK_RC(ac_condition_notify(c, 1), 1);
  CHECK_RC(ac_condition_release(c), 0);
  run_all(loop);
  CHECK_TRACE("a: ok at 0\na: locked 1\n");
  ac_task_unref(a);
  ac_condition_unref(c);
  th_close(loop);
}

/* A storm: 50,000 waiters, then 50,000 notify(1) in one go. Each wakes the
 * first waiter not woken yet, past the woken ones still queued, without a
 * walk over them (some 1.25 billion steps here). Each wait completes with
 * the lock held, in arrival order; its done-callback releases the lock for
 * the next. */
enum { kStorm = 50000 };
static int storm_order_ok, storm_next;
static void storm_done(ac_future *f, void *ud) {
  ac_condition *c = ud;
  if (ac_future_get_state(f) == AC_FUTURE_RESULT && ac_condition_locked(c) == 1) ++storm_order_ok;
  ++storm_next;
  CHECK_RC(ac_condition_release(c), 0);
}

static void test_notify_storm_wakes_each_waiter_once_in_order(void) {
  ac_loop *loop = th_loop();
  ac_condition *c;
  static ac_future *f[kStorm];
  CHECK_RC(ac_condition_new(loop, NULL, &c), 0);
  for (int i = 0; i < kStorm; ++i) {
    /* Each wait lets the lock go: take it again for the next. */
    CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
    CHECK_RC(ac_condition_wait(c, &f[i]), 0);
    CHECK_RC(ac_future_add_done_callback(f[i], storm_done, c, NULL), 0);
  }
  int woken = 0;
  CHECK_RC(ac_lock_try_acquire(ac_condition_lock(c)), 1);
  for (int i = 0; i < kStorm; ++i) woken += ac_condition_notify(c, 1);
  CHECK_INT(woken, kStorm);
  CHECK_INT(ac_condition_notify(c, 1), 0);  // nobody left to wake
  CHECK_RC(ac_condition_release(c), 0);
  run_all(loop);
  CHECK_INT(storm_next, kStorm);
  CHECK_INT(storm_order_ok, kStorm);
  CHECK_RC(ac_condition_locked(c), 0);
  for (int i = 0; i < kStorm; ++i) ac_future_unref(f[i]);
  ac_condition_unref(c);
  th_close(loop);
}

int main(void) {
  RUN(test_notify_wakes_waiters_in_order_with_the_lock_held);
  RUN(test_cancelled_wait_completes_only_with_the_lock_held);
  RUN(test_notified_waiter_cancelled_passes_the_notification_on);
  RUN(test_woken_waiter_cancelled_before_it_runs_passes_the_notification_on);
  RUN(test_wait_for_returns_once_the_predicate_holds);
  RUN(test_condition_over_a_given_lock_shares_it);
  RUN(test_destroying_a_condition_fails_its_waiters);
  RUN(test_condition_misuse_returns_codes);
  RUN(test_notify_of_zero_or_a_negative_count_wakes_nobody);
  RUN(test_notify_storm_wakes_each_waiter_once_in_order);
  return th_finish();
}
