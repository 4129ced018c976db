/* semaphore.c — ac_semaphore: permits, FIFO fairness (bpo-45997), passing a
 * permit on from a cancelled waiter, the bound, destruction, misuse. */
#include "sync_helpers.h"

/* acquire, trace, hold, release; checks at most `limit` are inside. */
static int inside, max_inside;
struct worker {
  AC_ASYNC_FIELDS;
  ac_semaphore *sem;
  const char *name;
  double hold;
};
static int worker_step(ac_task *t, void *p) {
  struct worker *s = p;
  ac_future *f;
  AC_BEGIN(s);
  if (ac_semaphore_acquire(s->sem, &f) != 0) return AC_EINVAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  AC_CHECK(t);
  if (++inside > max_inside) max_inside = inside;
  trace("%s: in at %g", s->name, ac_loop_time(ac_task_get_loop(t)));
  AC_AWAIT(s, ac_task_sleep(t, s->hold));
  --inside;
  trace("%s: out at %g", s->name, ac_loop_time(ac_task_get_loop(t)));
  if (ac_semaphore_release(s->sem) != 0) return AC_ESTATE;
  AC_END(s);
}
static ac_task *spawn_worker(ac_loop *loop, ac_semaphore *sem, const char *name, double hold) {
  struct worker *s;
  ac_task *t = NULL;
  if (ac_task_new_inline(loop, worker_step, sizeof *s, 0, &t, (void **)&s) != 0) return NULL;
  s->sem = sem;
  s->name = name;
  s->hold = hold;
  return t;
}

static void test_value_counts_free_permits(void) {
  ac_loop *loop = th_loop();
  ac_semaphore *sem;
  ac_future *f;
  CHECK_RC(ac_semaphore_new(loop, 2, &sem), 0);
  CHECK_INT(ac_semaphore_value(sem), 2);
  CHECK_RC(ac_semaphore_locked(sem), 0);
  CHECK_RC(ac_semaphore_acquire(sem, &f), 0);
  CHECK_RC(ac_future_done(f), 1);
  ac_future_unref(f);
  CHECK_RC(ac_semaphore_try_acquire(sem), 1);
  CHECK_INT(ac_semaphore_value(sem), 0);
  CHECK_RC(ac_semaphore_locked(sem), 1);
  CHECK_RC(ac_semaphore_try_acquire(sem), 0);
  CHECK_RC(ac_semaphore_release(sem), 0);
  CHECK_RC(ac_semaphore_release(sem), 0);
  CHECK_RC(ac_semaphore_release(sem), 0);  // unbounded: above the start is fine
  CHECK_INT(ac_semaphore_value(sem), 3);
  ac_semaphore_unref(sem);
  th_close(loop);
}

static void test_at_most_value_holders_served_in_arrival_order(void) {
  ac_loop *loop = th_loop();
  ac_semaphore *sem;
  CHECK_RC(ac_semaphore_new(loop, 2, &sem), 0);
  ac_task *t[4];
  static const char *names[] = {"a", "b", "c", "d"};
  inside = max_inside = 0;
  for (int i = 0; i < 4; ++i) t[i] = spawn_worker(loop, sem, names[i], 1 + i);
  run_all(loop);
  CHECK_TRACE(
      "a: in at 0\nb: in at 0\na: out at 1\nc: in at 1\nb: out at 2\nd: in at 2\n"
      "c: out at 4\nd: out at 6\n");
  CHECK_INT(max_inside, 2);
  for (int i = 0; i < 4; ++i) ac_task_unref(t[i]);
  ac_semaphore_unref(sem);
  th_close(loop);
}

static void test_release_does_not_let_a_newcomer_overtake_a_waiter(void) {
  /* bpo-45997: a released permit goes to the waiter, not to whoever asks
   * before the waiter runs. */
  ac_loop *loop = th_loop();
  ac_semaphore *sem;
  ac_future *f;
  CHECK_RC(ac_semaphore_new(loop, 0, &sem), 0);
  CHECK_RC(ac_semaphore_acquire(sem, &f), 0);
  ac_task *a = spawn_awaiter(loop, "a", f);
  run_all(loop);
  CHECK_RC(ac_semaphore_release(sem), 0);
  CHECK_RC(ac_semaphore_try_acquire(sem), 0);
  CHECK_RC(ac_semaphore_acquire(sem, &f), 0);
  CHECK_RC(ac_future_done(f), 0);
  ac_task *b = spawn_awaiter(loop, "b", f);
  run_all(loop);
  CHECK_TRACE("a: ok at 0\n");
  CHECK_RC(ac_semaphore_release(sem), 0);
  run_all(loop);
  CHECK_TRACE("b: ok at 0\n");
  ac_task_unref(a);
  ac_task_unref(b);
  ac_semaphore_unref(sem);
  th_close(loop);
}

static void test_woken_waiter_cancelled_before_it_runs_passes_the_permit_on(void) {
  ac_loop *loop = th_loop();
  ac_semaphore *sem;
  ac_future *fa, *fb;
  CHECK_RC(ac_semaphore_new(loop, 0, &sem), 0);
  CHECK_RC(ac_semaphore_acquire(sem, &fa), 0);
  CHECK_RC(ac_semaphore_acquire(sem, &fb), 0);
  ac_task *a = spawn_awaiter(loop, "a", fa);
  ac_task *b = spawn_awaiter(loop, "b", fb);
  run_all(loop);
  CHECK_RC(ac_semaphore_release(sem), 0);
  CHECK_RC(ac_task_cancel(a, NULL), 1);
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\nb: ok at 0\n");
  CHECK_INT(ac_semaphore_value(sem), 0);
  CHECK_RC(ac_semaphore_release(sem), 0);
  CHECK_INT(ac_semaphore_value(sem), 1);
  ac_task_unref(a);
  ac_task_unref(b);
  ac_semaphore_unref(sem);
  th_close(loop);
}

/* asyncio: releasing a BoundedSemaphore above its initial value raises
 * ValueError("BoundedSemaphore released too many times"). */
static void test_bounded_semaphore_release_above_its_start_is_a_value_error(void) {
  ac_loop *loop = th_loop();
  ac_semaphore *sem;
  CHECK_RC(ac_semaphore_new_bounded(loop, 1, &sem), 0);
  CHECK_RC(ac_semaphore_release(sem), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "BoundedSemaphore released too many times");
  CHECK_STR(ac_err_class(AC_EINVAL), "ValueError");
  CHECK_RC(ac_semaphore_try_acquire(sem), 1);
  CHECK_RC(ac_semaphore_release(sem), 0);
  CHECK_RC(ac_semaphore_release(sem), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "BoundedSemaphore released too many times");
  CHECK_INT(ac_semaphore_value(sem), 1);
  ac_semaphore_unref(sem);
  th_close(loop);
}

static void test_destroying_a_semaphore_fails_its_waiters(void) {
  ac_loop *loop = th_loop();
  ac_semaphore *sem;
  ac_future *f;
  CHECK_RC(ac_semaphore_new(loop, 0, &sem), 0);
  CHECK_RC(ac_semaphore_acquire(sem, &f), 0);
  ac_task *a = spawn_awaiter(loop, "a", f);
  run_all(loop);
  ac_semaphore_unref(sem);
  run_all(loop);
  CHECK_TRACE("a: AC_ECLOSED at 0\n");
  ac_task_unref(a);
  th_close(loop);
}

static void test_semaphore_misuse_returns_codes(void) {
  ac_loop *loop = th_loop();
  ac_semaphore *sem;
  ac_future *f;
  CHECK_RC(ac_semaphore_new(loop, -1, &sem), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "Semaphore initial value must be >= 0");
  CHECK_RC(ac_semaphore_new_bounded(loop, -1, &sem), AC_EINVAL);
  CHECK_RC(ac_semaphore_new(NULL, 1, &sem), AC_EINVAL);
  CHECK_RC(ac_semaphore_new(loop, 1, NULL), AC_EINVAL);
  CHECK_RC(ac_semaphore_acquire(NULL, &f), AC_EINVAL);
  CHECK_RC(ac_semaphore_release(NULL), AC_EINVAL);
  CHECK_RC(ac_semaphore_try_acquire(NULL), AC_EINVAL);
  CHECK_RC(ac_semaphore_locked(NULL), AC_EINVAL);
  CHECK_INT(ac_semaphore_value(NULL), AC_EINVAL);
  CHECK_RC(ac_semaphore_new(loop, 1, &sem), 0);
  CHECK_RC(ac_semaphore_acquire(sem, NULL), AC_EINVAL);
  CHECK_RC(ac_lock_release((ac_lock *)sem), AC_EINVAL);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_semaphore_acquire(sem, &f), AC_ECLOSED);
  CHECK_RC(ac_semaphore_release(sem), AC_ECLOSED);
  ac_semaphore_unref(sem);
  ac_loop_unref(loop);
}

/* A storm: 50,000 waiters, then 50,000 releases in one go. Each release
 * wakes the first waiter not woken yet, past those woken and still queued
 * (they leave when their turn comes) without a walk over them: a walk each
 * would be some 1.25 billion steps here. They get their permits in arrival
 * order. */
enum { kStorm = 50000 };
static int storm_order_ok, storm_next;
static void storm_done(ac_future *f, void *ud) {
  int i = (int)(intptr_t)ud;
  if (i == storm_next && ac_future_get_state(f) == AC_FUTURE_RESULT) ++storm_order_ok;
  ++storm_next;
}

static void test_release_storm_wakes_each_waiter_once_in_order(void) {
  ac_loop *loop = th_loop();
  ac_semaphore *sem;
  static ac_future *f[kStorm];
  CHECK_RC(ac_semaphore_new(loop, 0, &sem), 0);
  for (int i = 0; i < kStorm; ++i) {
    CHECK_RC(ac_semaphore_acquire(sem, &f[i]), 0);
    CHECK_RC(ac_future_add_done_callback(f[i], storm_done, (void *)(intptr_t)i, NULL), 0);
  }
  for (int i = 0; i < kStorm; ++i) CHECK_RC(ac_semaphore_release(sem), 0);
  CHECK_INT(ac_semaphore_value(sem), 0);  // each permit set aside for a waiter
  CHECK_RC(ac_semaphore_release(sem), 0); // one more: nobody left to wake
  run_all(loop);
  CHECK_INT(storm_order_ok, kStorm);
  CHECK_INT(ac_semaphore_value(sem), 1);
  for (int i = 0; i < kStorm; ++i) ac_future_unref(f[i]);
  ac_semaphore_unref(sem);
  th_close(loop);
}

int main(void) {
  RUN(test_value_counts_free_permits);
  RUN(test_at_most_value_holders_served_in_arrival_order);
  RUN(test_release_does_not_let_a_newcomer_overtake_a_waiter);
  RUN(test_woken_waiter_cancelled_before_it_runs_passes_the_permit_on);
  RUN(test_bounded_semaphore_release_above_its_start_is_a_value_error);
  RUN(test_destroying_a_semaphore_fails_its_waiters);
  RUN(test_semaphore_misuse_returns_codes);
  RUN(test_release_storm_wakes_each_waiter_once_in_order);
  return th_finish();
}
