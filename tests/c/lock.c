/* lock.c — ac_lock as asyncio.Lock: acquire/release, FIFO order, the lock
 * free between a release and the woken waiter's turn yet not open to a
 * newcomer, cancellation of queued and of woken waiters, an acquire that
 * does not suspend, destruction with waiters, misuse. */
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

/* asyncio: release() of an unlocked Lock raises RuntimeError("Lock is not
 * acquired."). */
static void test_free_lock_is_acquired_at_once_and_releasing_it_unlocked_is_misuse(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_future *f;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_locked(lock), 0);
  CHECK_RC(ac_lock_release(lock), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Lock is not acquired.");
  CHECK_STR(ac_err_class(AC_EMISUSE), "RuntimeError");
  CHECK_RC(ac_lock_acquire(lock, &f), 0);
  CHECK_RC(ac_future_done(f), 1);
  CHECK_RC(ac_future_result(f, NULL), 0);
  CHECK_RC(ac_lock_locked(lock), 1);
  CHECK_RC(ac_lock_try_acquire(lock), 0);
  CHECK_RC(ac_lock_release(lock), 0);
  CHECK_RC(ac_lock_locked(lock), 0);
  CHECK_RC(ac_lock_release(lock), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Lock is not acquired.");
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

/* asyncio: release() wakes the first waiter and leaves the lock unlocked
 * (locked() is False) until that waiter's task runs and takes it; a
 * newcomer's acquire meanwhile sees a waiter that is not cancelled and
 * queues behind it instead of taking the free lock. */
static void test_unlocked_until_the_woken_waiter_runs_but_a_newcomer_queues_behind_it(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_future *f, *fn;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_try_acquire(lock), 1);
  CHECK_RC(ac_lock_acquire(lock, &f), 0);
  ac_task *a = spawn_awaiter(loop, "a", f);
  run_all(loop);
  CHECK_RC(ac_lock_release(lock), 0);
  CHECK_RC(ac_lock_locked(lock), 0);        // woken, not yet taken
  CHECK_RC(ac_lock_try_acquire(lock), 0);   // a newcomer does not overtake "a"
  CHECK_RC(ac_lock_acquire(lock, &fn), 0);  // it waits behind "a"
  CHECK_RC(ac_future_done(fn), 0);
  ac_task *n = spawn_awaiter(loop, "newcomer", fn);
  run_all(loop);
  CHECK_TRACE("a: ok at 0\n");
  CHECK_RC(ac_lock_locked(lock), 1);  // "a" took it on its turn
  CHECK_RC(ac_lock_release(lock), 0);
  run_all(loop);
  CHECK_TRACE("newcomer: ok at 0\n");
  CHECK_RC(ac_lock_release(lock), 0);
  CHECK_RC(ac_lock_locked(lock), 0);
  ac_task_unref(a);
  ac_task_unref(n);
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

/* asyncio: a woken waiter whose task is cancelled before it runs does not
 * take the lock and wakes the next waiter (test_locks.py
 * LockTests.test_cancel_release_race). */
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
  CHECK_RC(ac_lock_release(lock), 0);    // wakes "a"
  CHECK_RC(ac_task_cancel(a, NULL), 1);  // before "a" could run: it takes nothing
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\nb: ok at 0\n");
  CHECK_RC(ac_lock_locked(lock), 1);  // "a" woke "b", which holds it
  CHECK_RC(ac_lock_release(lock), 0);
  CHECK_RC(ac_lock_locked(lock), 0);
  ac_task_unref(a);
  ac_task_unref(b);
  ac_lock_unref(lock);
  th_close(loop);
}

/* Cancels itself, then acquires a free lock, then sleeps(0), releasing
 * the lock on the way out (asyncio's `async with lock`). */
struct self_cancelling_holder {
  AC_ASYNC_FIELDS;
  ac_lock *lock;
};
static int self_cancelling_holder_step(ac_task *t, void *p) {
  struct self_cancelling_holder *s = p;
  ac_future *f;
  AC_BEGIN(s);
  CHECK_RC(ac_task_cancel(t, NULL), 1);
  if (ac_lock_acquire(s->lock, &f) != 0) return AC_EINVAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  trace("acquire: %s, locked %d", ac_err_name(ac_task_outcome(t)), ac_lock_locked(s->lock));
  AC_AWAIT(s, ac_task_sleep(t, 0));
  trace("sleep(0): %s", ac_err_name(ac_task_outcome(t)));
  if (ac_lock_release(s->lock) != 0) return AC_EMISUSE;
  return ac_task_propagate(t);
  AC_END(s);
}

/* asyncio: acquiring a free lock does not suspend, so a cancellation
 * requested before it is not delivered there: the task holds the lock and
 * sees the cancellation at its next await that suspends. */
static void test_acquire_of_a_free_lock_does_not_deliver_a_pending_cancellation(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  struct self_cancelling_holder *s;
  ac_task *t;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_task_new_inline(loop, self_cancelling_holder_step, sizeof *s, 0, &t, (void **)&s), 0);
  s->lock = lock;
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  CHECK_TRACE("acquire: AC_OK, locked 1\nsleep(0): AC_ECANCELLED\n");
  CHECK_RC(ac_lock_locked(lock), 0);
  ac_task_unref(t);
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
  RUN(test_free_lock_is_acquired_at_once_and_releasing_it_unlocked_is_misuse);
  RUN(test_waiters_get_the_lock_in_arrival_order);
  RUN(test_unlocked_until_the_woken_waiter_runs_but_a_newcomer_queues_behind_it);
  RUN(test_cancelled_queued_waiter_leaves_the_queue);
  RUN(test_woken_waiter_cancelled_before_it_runs_passes_the_lock_on);
  RUN(test_acquire_of_a_free_lock_does_not_deliver_a_pending_cancellation);
  RUN(test_destroying_a_lock_fails_its_waiters);
  RUN(test_lock_misuse_returns_codes);
  return th_finish();
}
