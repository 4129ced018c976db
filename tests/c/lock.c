/* lock.c — ac_lock: acquire/release, FIFO order, cancellation of queued and
 * of woken waiters, destruction with waiters, misuse. */
#include "sync_helpers.h"

/* acquire, hold for `hold` seconds, release. */
struct locker {
  AC_ASYNC_FIELDS;
  ac_lock *lock;
  const char *name;
  double hold;
};
static int locker_step(ac_task *t, void *p) {
  struct locker *s = p;
  ac_future *f;
  AC_BEGIN(s);
  trace("%s: wants at %g", s->name, ac_loop_time(ac_task_get_loop(t)));
  if (ac_lock_acquire(s->lock, &f) != 0) return AC_EINVAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  if (ac_task_outcome(t) != 0) {
    trace("%s: %s", s->name, ac_err_name(ac_task_outcome(t)));
    return ac_task_propagate(t);
  }
  trace("%s: acquired at %g", s->name, ac_loop_time(ac_task_get_loop(t)));
  AC_AWAIT(s, ac_task_sleep(t, s->hold));
  trace("%s: releases at %g", s->name, ac_loop_time(ac_task_get_loop(t)));
  if (ac_lock_release(s->lock) != 0) return AC_ESTATE;
  AC_END(s);
}
static ac_task *spawn_locker(ac_loop *loop, ac_lock *lock, const char *name, double hold) {
  struct locker *s;
  ac_task *t = NULL;
  if (ac_task_new_inline(loop, locker_step, sizeof *s, 0, &t, (void **)&s) != 0) return NULL;
  s->lock = lock;
  s->name = name;
  s->hold = hold;
  return t;
}

static void test_free_lock_is_acquired_at_once_and_release_needs_it_held(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_future *f;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_locked(lock), 0);
  CHECK_RC(ac_lock_release(lock), AC_ESTATE);
  CHECK_RC(ac_lock_acquire(lock, &f), 0);
  CHECK_RC(ac_future_done(f), 1);
  CHECK_RC(ac_future_result(f, NULL), 0);
  CHECK_RC(ac_lock_locked(lock), 1);
  CHECK_RC(ac_lock_try_acquire(lock), 0);
  CHECK_RC(ac_lock_release(lock), 0);
  CHECK_RC(ac_lock_locked(lock), 0);
  CHECK_RC(ac_lock_release(lock), AC_ESTATE);
  CHECK_RC(ac_lock_try_acquire(lock), 1);
  CHECK_RC(ac_lock_release(lock), 0);
  ac_future_unref(f);
  ac_lock_unref(lock);
  th_close(loop);
}

static void test_waiters_get_the_lock_in_arrival_order(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  ac_task *t[3];
  t[0] = spawn_locker(loop, lock, "a", 1);
  t[1] = spawn_locker(loop, lock, "b", 1);
  t[2] = spawn_locker(loop, lock, "c", 1);
  run_all(loop);
  CHECK_TRACE(
      "a: wants at 0\na: acquired at 0\nb: wants at 0\nc: wants at 0\n"
      "a: releases at 1\nb: acquired at 1\n"
      "b: releases at 2\nc: acquired at 2\nc: releases at 3\n");
  CHECK_RC(ac_lock_locked(lock), 0);
  for (int i = 0; i < 3; ++i) ac_task_unref(t[i]);
  ac_lock_unref(lock);
  th_close(loop);
}

static void test_newcomer_does_not_overtake_a_woken_waiter(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_future *f;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_try_acquire(lock), 1);
  CHECK_RC(ac_lock_acquire(lock, &f), 0);
  ac_task *a = spawn_awaiter(loop, "a", f);
  run_all(loop);
  CHECK_RC(ac_lock_release(lock), 0);
  // Handed to "a" already: a newcomer cannot take it before "a" runs.
  CHECK_RC(ac_lock_locked(lock), 1);
  CHECK_RC(ac_lock_try_acquire(lock), 0);
  run_all(loop);
  CHECK_TRACE("a: ok at 0\n");
  CHECK_RC(ac_lock_release(lock), 0);
  ac_task_unref(a);
  ac_lock_unref(lock);
  th_close(loop);
}

static void test_cancelled_queued_waiter_leaves_the_queue(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_future *fa, *fb;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_try_acquire(lock), 1);
  CHECK_RC(ac_lock_acquire(lock, &fa), 0);
  CHECK_RC(ac_lock_acquire(lock, &fb), 0);
  ac_task *a = spawn_awaiter(loop, "a", fa);
  ac_task *b = spawn_awaiter(loop, "b", fb);
  run_all(loop);
  CHECK_RC(ac_task_cancel(a, NULL), 1);
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\n");
  CHECK_RC(ac_lock_release(lock), 0);
  run_all(loop);
  CHECK_TRACE("b: ok at 0\n");
  CHECK_RC(ac_lock_release(lock), 0);
  CHECK_RC(ac_lock_locked(lock), 0);
  ac_task_unref(a);
  ac_task_unref(b);
  ac_lock_unref(lock);
  th_close(loop);
}

static void test_woken_waiter_cancelled_before_it_runs_passes_the_lock_on(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_future *fa, *fb;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_try_acquire(lock), 1);
  CHECK_RC(ac_lock_acquire(lock, &fa), 0);
  CHECK_RC(ac_lock_acquire(lock, &fb), 0);
  ac_task *a = spawn_awaiter(loop, "a", fa);
  ac_task *b = spawn_awaiter(loop, "b", fb);
  run_all(loop);
  CHECK_RC(ac_lock_release(lock), 0);  // handed to "a"
  CHECK_RC(ac_task_cancel(a, NULL), 1);  // before "a" could resume
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\nb: ok at 0\n");
  CHECK_RC(ac_lock_locked(lock), 1);  // held by "b" only
  CHECK_RC(ac_lock_release(lock), 0);
  CHECK_RC(ac_lock_locked(lock), 0);
  ac_task_unref(a);
  ac_task_unref(b);
  ac_lock_unref(lock);
  th_close(loop);
}

static void test_cancelled_task_does_not_keep_a_lock_acquired_at_once(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_future *f;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_acquire(lock, &f), 0);  // free: done at once
  // "a" is cancelled in the step that awaits the done future: it resumes
  // with the cancellation, and the lock it was given is released.
  ac_task *a = spawn_self_cancelling_awaiter(loop, "a", f);
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\n");
  CHECK_RC(ac_lock_locked(lock), 0);
  ac_task_unref(a);
  ac_lock_unref(lock);
  th_close(loop);
}

static void test_destroying_a_lock_fails_its_waiters(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_future *f;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_try_acquire(lock), 1);
  CHECK_RC(ac_lock_acquire(lock, &f), 0);
  ac_task *a = spawn_awaiter(loop, "a", f);
  run_all(loop);
  ac_lock_unref(lock);
  run_all(loop);
  CHECK_TRACE("a: AC_ECLOSED at 0\n");
  ac_task_unref(a);
  th_close(loop);
}

static void test_lock_misuse_returns_codes(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_future *f;
  CHECK_RC(ac_lock_new(NULL, &lock), AC_EINVAL);
  CHECK_RC(ac_lock_new(loop, NULL), AC_EINVAL);
  CHECK_RC(ac_lock_acquire(NULL, &f), AC_EINVAL);
  CHECK_RC(ac_lock_try_acquire(NULL), AC_EINVAL);
  CHECK_RC(ac_lock_release(NULL), AC_EINVAL);
  CHECK_RC(ac_lock_locked(NULL), AC_EINVAL);
  CHECK(ac_lock_ref(NULL) == NULL);
  ac_lock_unref(NULL);
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_acquire(lock, NULL), AC_EINVAL);
  /* A handle of another type is refused. */
  ac_event *ev;
  CHECK_RC(ac_event_new(loop, &ev), 0);
  CHECK_RC(ac_lock_release((ac_lock *)ev), AC_EINVAL);
  ac_event_unref(ev);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_lock_acquire(lock, &f), AC_ECLOSED);
  CHECK_RC(ac_lock_release(lock), AC_ECLOSED);
  CHECK_RC(ac_lock_new(loop, &lock), AC_ECLOSED);
  ac_lock_unref(lock);
  ac_loop_unref(loop);
}

int main(void) {
  RUN(test_free_lock_is_acquired_at_once_and_release_needs_it_held);
  RUN(test_waiters_get_the_lock_in_arrival_order);
  RUN(test_newcomer_does_not_overtake_a_woken_waiter);
  RUN(test_cancelled_queued_waiter_leaves_the_queue);
  RUN(test_woken_waiter_cancelled_before_it_runs_passes_the_lock_on);
  RUN(test_cancelled_task_does_not_keep_a_lock_acquired_at_once);
  RUN(test_destroying_a_lock_fails_its_waiters);
  RUN(test_lock_misuse_returns_codes);
  return th_finish();
}
