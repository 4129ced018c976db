/* wait_for.c — ac_wait_for: result in time, timeout after the inner work
 * finished cancelling, outer cancellation, a result arriving with the
 * deadline, a swallowed cancellation, and misuse. */
#include <math.h>

#include "workers.h"

#define W(...) ((struct worker){__VA_ARGS__})

static void test_result_before_deadline(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 1, .value = 5));
  ac_future *w;
  int64_t v = 0;
  CHECK_RC(ac_wait_for(loop, ac_task_future(t), 2, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, w), 0);
  CHECK_RC(ac_future_result_int64(w, &v), 0);
  CHECK_INT(v, 5);
  CHECK_DOUBLE(ac_loop_time(loop), 1);
  CHECK_TRACE("A start at 0\nA done at 1\n");
  ac_future_unref(w);
  ac_task_unref(t);
  th_close(loop);
}

static void test_timeout_waits_for_cleanup_then_times_out(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 5, .cleanup = 1));
  ac_future *w;
  CHECK_RC(ac_wait_for(loop, ac_task_future(t), 2.5, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, w), AC_ETIMEDOUT);
  CHECK_DOUBLE(ac_loop_time(loop), 3.5);
  CHECK_TRACE("A start at 0\nA cancelled at 2.5\nA cleaned up at 3.5\n");
  CHECK_INT(ac_future_cancelled(ac_task_future(t)), 1);
  ac_error *e = ac_future_error(w);
  CHECK_INT(ac_error_code(e), AC_ETIMEDOUT);
  CHECK_INT(ac_error_code(ac_error_cause(e)), AC_ECANCELLED);
  ac_future_unref(w);
  ac_task_unref(t);
  th_close(loop);
}

struct awaiter {
  AC_ASYNC_FIELDS;
  ac_future *w;
};
static int await_w(ac_task *t, void *p) {
  struct awaiter *a = p;
  AC_BEGIN(a);
  AC_AWAIT(a, ac_task_await(t, a->w));
  trace("awaiter resumed with %s at %g", ac_err_name(ac_task_outcome(t)), now_of(t));
  AC_CHECK(t);
  AC_END(a);
}

static void test_outer_cancel_stays_cancellation(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 5, .cleanup = 1));
  ac_future *w;
  CHECK_RC(ac_wait_for(loop, ac_task_future(t), 3, &w), 0);
  struct awaiter *a;
  ac_task *main;
  CHECK_RC(ac_task_new_inline(loop, await_w, sizeof *a, 0, &main, (void **)&a), 0);
  a->w = w;
  CHECK_RC(ac_loop_call_later(loop, 1, cancel_task_cb, main, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(main)), AC_ECANCELLED);
  /* The cleanup runs past the deadline (3): still a cancellation. */
  CHECK_TRACE("A start at 0\ncancel task at 1\nA cancelled at 1\nA cleaned up at 2\n"
              "awaiter resumed with AC_ECANCELLED at 2\n");
  CHECK_INT(ac_future_cancelled(w), 1);
  ac_task_unref(main);
  ac_future_unref(w);
  ac_task_unref(t);
  th_close(loop);
}

static void test_outer_cancel_after_deadline_stays_cancellation(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 5, .cleanup = 1));
  ac_future *w;
  CHECK_RC(ac_wait_for(loop, ac_task_future(t), 1, &w), 0);
  CHECK_RC(ac_loop_call_later(loop, 1.5, cancel_cb, w, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, w), AC_ECANCELLED);
  CHECK_TRACE("A start at 0\nA cancelled at 1\ncancel at 1.5\nA cleaned up at 1.5\n");
  ac_future_unref(w);
  ac_task_unref(t);
  th_close(loop);
}

static void test_result_with_the_deadline_is_returned(void) {
  ac_loop *loop = th_loop();
  ac_future *s, *w;
  CHECK_RC(ac_sleep(loop, 2, &s), 0);
  CHECK_RC(ac_wait_for(loop, s, 2, &w), 0);  /* same deadline, timer after */
  CHECK_RC(ac_loop_run_until_complete(loop, w), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 2);
  CHECK_INT(ac_future_cancelled(s), 0);
  ac_future_unref(w);
  ac_future_unref(s);
  th_close(loop);
}

static void test_swallowed_cancellation_returns_result(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 5, .swallow = 1, .value = 9));
  ac_future *w;
  int64_t v = 0;
  CHECK_RC(ac_wait_for(loop, ac_task_future(t), 1, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, w), 0);
  CHECK_RC(ac_future_result_int64(w, &v), 0);
  CHECK_INT(v, 9);
  CHECK_TRACE("A start at 0\nA cancelled at 1\n");
  ac_future_unref(w);
  ac_task_unref(t);
  th_close(loop);
}

static void test_error_passes_through(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 1, .fail = AC_EPIPE));
  ac_future *w;
  CHECK_RC(ac_wait_for(loop, ac_task_future(t), 5, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, w), AC_EPIPE);
  CHECK(ac_future_error(w) == ac_future_error(ac_task_future(t)));
  ac_future_unref(w);
  ac_task_unref(t);
  th_close(loop);
}

/* asyncio 3.12+: wait_for of a done future returns it without waiting;
 * with a timeout <= 0 (negative and -infinity too) a pending one is
 * cancelled in the call and the wait fails with TimeoutError. */
static void test_zero_or_negative_timeout_cancels_in_the_call(void) {
  static const double timeouts[] = {0, -1, -HUGE_VAL};
  for (int i = 0; i < 3; ++i) {
    ac_loop *loop = th_loop();
    ac_future *done, *pending, *w1, *w2;
    CHECK_RC(ac_future_new(loop, &done), 0);
    CHECK_RC(ac_future_set_result_int64(done, 3), 0);
    CHECK_RC(ac_future_new(loop, &pending), 0);
    CHECK_RC(ac_wait_for(loop, done, timeouts[i], &w1), 0);
    CHECK(w1 == done);  // the done future itself
    CHECK_RC(ac_wait_for(loop, pending, timeouts[i], &w2), 0);
    CHECK_INT(ac_future_cancelled(pending), 1);  // in the call
    CHECK_RC(ac_loop_run_until_complete(loop, w1), 0);
    CHECK_RC(ac_loop_run_until_complete(loop, w2), AC_ETIMEDOUT);
    CHECK_STR(ac_error_message(ac_future_error(w2)), "");
    CHECK_INT(ac_error_code(ac_error_cause(ac_future_error(w2))), AC_ECANCELLED);
    CHECK_DOUBLE(ac_loop_time(loop), 0);
    ac_future_unref(w1);
    ac_future_unref(w2);
    ac_future_unref(done);
    ac_future_unref(pending);
    th_close(loop);
  }
}

static void test_no_timeout_waits(void) {
  ac_loop *loop = th_loop();
  ac_future *s, *w;
  CHECK_RC(ac_sleep(loop, 1000, &s), 0);
  CHECK_RC(ac_wait_for(loop, s, AC_NO_TIMEOUT, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, w), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 1000);
  ac_future_unref(w);
  ac_future_unref(s);
  th_close(loop);
}

/* ac_wait_for reports one loop turn after the future it waits on (a
 * combinator's done-callback; asyncio 3.12 runs wait_for inside the
 * awaiting task): f completed in turn 1, w done in turn 2, not before
 * (docs/asyncio-differences.md). */
static void test_reports_one_turn_after_the_future(void) {
  ac_loop *loop = th_loop();
  ac_future *f, *w;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_wait_for(loop, f, 5, &w), 0);
  CHECK_INT(ac_future_done(w), 0);
  CHECK_RC(ac_future_set_result_int64(f, 3), 0);
  CHECK_INT(ac_future_done(w), 0);  /* not in the call */
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 1);  /* one turn: f's callback */
  CHECK_INT(ac_future_done(w), 1);
  CHECK_DOUBLE(ac_loop_time(loop), 0);
  ac_future_unref(w);
  ac_future_unref(f);
  th_close(loop);
}

static void test_pointer_result_is_shared(void) {
  ac_loop *loop = th_loop();
  ac_future *f, *w;
  static int payload;
  ac_value in, out;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_wait_for(loop, f, 1, &w), 0);
  ac_value_set_pointer(&in, &payload, NULL);
  CHECK_RC(ac_future_set_result(f, &in), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, w), 0);
  CHECK_RC(ac_future_result(w, &out), 0);
  CHECK_INT(out.kind, AC_VALUE_POINTER);
  CHECK(out.u.pointer.ptr == &payload);
  CHECK(out.u.pointer.free_fn == NULL);
  ac_future_unref(f);  /* w keeps f alive */
  ac_future_unref(w);
  th_close(loop);
}

static void test_misuse(void) {
  ac_loop *loop = th_loop(), *other = th_loop();
  ac_future *f, *foreign, *w = NULL;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_new(other, &foreign), 0);
  CHECK_RC(ac_wait_for(NULL, f, 1, &w), AC_EINVAL);
  CHECK_RC(ac_wait_for(loop, NULL, 1, &w), AC_EINVAL);
  CHECK_RC(ac_wait_for(loop, f, 1, NULL), AC_EINVAL);
  CHECK_RC(ac_wait_for(loop, f, NAN, &w), AC_EINVAL);
  CHECK_RC(ac_wait_for(loop, foreign, 1, &w), AC_EINVAL);
  CHECK(w == NULL);
  ac_future_unref(f);
  ac_future_unref(foreign);
  th_close(other);
  th_close(loop);
}

int main(void) {
  RUN(test_result_before_deadline);
  RUN(test_timeout_waits_for_cleanup_then_times_out);
  RUN(test_outer_cancel_stays_cancellation);
  RUN(test_outer_cancel_after_deadline_stays_cancellation);
  RUN(test_result_with_the_deadline_is_returned);
  RUN(test_swallowed_cancellation_returns_result);
  RUN(test_error_passes_through);
  RUN(test_zero_or_negative_timeout_cancels_in_the_call);
  RUN(test_no_timeout_waits);
  RUN(test_reports_one_turn_after_the_future);
  RUN(test_pointer_result_is_shared);
  RUN(test_misuse);
  return th_finish();
}
