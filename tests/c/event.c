/* event.c — ac_event: wait, set, clear, cancellation, destruction, misuse. */
#include "sync_helpers.h"

static void set_cb(ac_loop *loop, void *ud) {
  trace("set at %g", ac_loop_time(loop));
  ac_event_set(ud);
}

static void test_set_wakes_every_waiter_in_order(void) {
  ac_loop *loop = th_loop();
  ac_event *ev;
  ac_future *f1, *f2;
  CHECK_RC(ac_event_new(loop, &ev), 0);
  CHECK_RC(ac_event_is_set(ev), 0);
  CHECK_RC(ac_event_wait(ev, &f1), 0);
  CHECK_RC(ac_event_wait(ev, &f2), 0);
  CHECK_RC(ac_future_done(f1), 0);
  ac_task *a = spawn_awaiter(loop, "a", f1);
  ac_task *b = spawn_awaiter(loop, "b", f2);
  CHECK_RC(ac_loop_call_later(loop, 2, set_cb, ev, NULL, NULL), 0);
  run_all(loop);
  CHECK_TRACE("set at 2\na: ok at 2\nb: ok at 2\n");
  CHECK_RC(ac_event_is_set(ev), 1);
  ac_task_unref(a);
  ac_task_unref(b);
  ac_event_unref(ev);
  th_close(loop);
}

/* asyncio: wait() on a set event returns without suspending; on a cleared
 * one it waits, and set() wakes it: the wait completes on its own turn in
 * the loop, not inside set(). */
static void test_wait_on_a_set_event_is_done_and_a_woken_wait_completes_on_its_turn(void) {
  ac_loop *loop = th_loop();
  ac_event *ev;
  ac_future *f;
  CHECK_RC(ac_event_new(loop, &ev), 0);
  CHECK_RC(ac_event_set(ev), 0);
  CHECK_RC(ac_event_set(ev), 0);  // twice is harmless
  CHECK_RC(ac_event_wait(ev, &f), 0);
  CHECK_RC(ac_future_done(f), 1);
  ac_future_unref(f);
  CHECK_RC(ac_event_clear(ev), 0);
  CHECK_RC(ac_event_is_set(ev), 0);
  CHECK_RC(ac_event_wait(ev, &f), 0);
  CHECK_RC(ac_future_done(f), 0);
  CHECK_RC(ac_event_set(ev), 0);
  CHECK_RC(ac_future_done(f), 0);  // woken; completes when it runs
  run_all(loop);
  CHECK_RC(ac_future_done(f), 1);
  CHECK_RC(ac_future_result(f, NULL), 0);
  ac_future_unref(f);
  ac_event_unref(ev);
  th_close(loop);
}

static void test_cancelled_waiter_is_not_woken(void) {
  ac_loop *loop = th_loop();
  ac_event *ev;
  ac_future *f1, *f2;
  CHECK_RC(ac_event_new(loop, &ev), 0);
  CHECK_RC(ac_event_wait(ev, &f1), 0);
  CHECK_RC(ac_event_wait(ev, &f2), 0);
  ac_task *a = spawn_awaiter(loop, "a", f1);
  ac_task *b = spawn_awaiter(loop, "b", f2);
  run_all(loop);
  CHECK_RC(ac_task_cancel(a, NULL), 1);
  CHECK_RC(ac_event_set(ev), 0);
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\nb: ok at 0\n");
  ac_task_unref(a);
  ac_task_unref(b);
  ac_event_unref(ev);
  th_close(loop);
}

static void test_destroying_an_event_fails_its_waiters(void) {
  ac_loop *loop = th_loop();
  ac_event *ev;
  ac_future *f;
  CHECK_RC(ac_event_new(loop, &ev), 0);
  CHECK_RC(ac_event_wait(ev, &f), 0);
  ac_task *a = spawn_awaiter(loop, "a", f);
  run_all(loop);
  ac_event_unref(ev);
  run_all(loop);
  CHECK_TRACE("a: AC_ECLOSED at 0\n");
  ac_task_unref(a);
  th_close(loop);
}

/* asyncio: a task whose awaited future was cancelled already (here by the
 * task's own cancel("first")) gets that future's CancelledError, message
 * and all, even when cancel() is called again before it runs: the second
 * request finds the future done and only marks the task (found by the
 * randomized differential test). */
struct twice {
  AC_ASYNC_FIELDS;
  ac_event *ev;
};
static void cancel_again_cb(ac_loop *loop, void *ud) {
  (void)loop;
  trace("cancel again: %d", ac_task_cancel(ud, "second"));
}
static int cancelled_twice_step(ac_task *t, void *p) {
  struct twice *w = p;
  ac_future *f = NULL;
  AC_BEGIN(w);
  CHECK_RC(ac_task_cancel(t, "first"), 1);
  CHECK_RC(ac_loop_call_soon(ac_task_get_loop(t), cancel_again_cb, t, NULL, NULL), 0);
  CHECK_RC(ac_event_wait(w->ev, &f), 0);
  AC_AWAIT(w, ac_task_await_owned(t, f));
  CHECK_RC(ac_task_outcome(t), AC_ECANCELLED);
  trace("woken with: %s", ac_error_message(ac_future_error(ac_task_awaited(t))));
  return ac_task_propagate(t);
  AC_END(w);
}

static void test_cancelled_wait_keeps_the_first_message(void) {
  ac_loop *loop = th_loop();
  struct twice w = {0};
  ac_task *t;
  CHECK_RC(ac_event_new(loop, &w.ev), 0);
  CHECK_RC(ac_task_new(loop, cancelled_twice_step, &w, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  CHECK_TRACE("cancel again: 1\nwoken with: first\n");
  ac_task_unref(t);
  ac_event_unref(w.ev);
  th_close(loop);
}

static void test_event_misuse_returns_codes(void) {
  ac_loop *loop = th_loop();
  ac_event *ev;
  ac_future *f;
  CHECK_RC(ac_event_new(NULL, &ev), AC_EINVAL);
  CHECK_RC(ac_event_new(loop, NULL), AC_EINVAL);
  CHECK_RC(ac_event_wait(NULL, &f), AC_EINVAL);
  CHECK_RC(ac_event_set(NULL), AC_EINVAL);
  CHECK_RC(ac_event_clear(NULL), AC_EINVAL);
  CHECK_RC(ac_event_is_set(NULL), AC_EINVAL);
  CHECK_RC(ac_event_new(loop, &ev), 0);
  CHECK_RC(ac_event_wait(ev, NULL), AC_EINVAL);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_event_wait(ev, &f), AC_ECLOSED);
  CHECK_RC(ac_event_set(ev), AC_ECLOSED);
  ac_event_unref(ev);
  ac_loop_unref(loop);
}

int main(void) {
  RUN(test_set_wakes_every_waiter_in_order);
  RUN(test_wait_on_a_set_event_is_done_and_a_woken_wait_completes_on_its_turn);
  RUN(test_cancelled_waiter_is_not_woken);
  RUN(test_destroying_an_event_fails_its_waiters);
  RUN(test_cancelled_wait_keeps_the_first_message);
  RUN(test_event_misuse_returns_codes);
  return th_finish();
}
