/* gather.c — ac_gather: argument order, first error, return_exceptions,
 * cancellation in both directions, and misuse. */
#include "workers.h"

#define W(...) ((struct worker){__VA_ARGS__})

static void unref_all(ac_task **t, int n) {
  for (int i = 0; i < n; ++i) ac_task_unref(t[i]);
}

static void test_results_in_argument_order(void) {
  ac_loop *loop = th_loop();
  ac_task *t[3] = {spawn_worker(loop, W(.name = "A", .delay = 3, .value = 1)),
                   spawn_worker(loop, W(.name = "B", .delay = 1, .value = 2)),
                   spawn_worker(loop, W(.name = "C", .delay = 2, .value = 3))};
  ac_future *items[3] = {ac_task_future(t[0]), ac_task_future(t[1]), ac_task_future(t[2])};
  ac_future *g;
  CHECK_RC(ac_gather(loop, items, 3, 0, &g), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 3);
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\nB done at 1\nC done at 2\nA done at 3\n");
  CHECK_INT(ac_gather_count(g), 3);
  for (int i = 0; i < 3; ++i) {
    ac_value v;
    CHECK_RC(ac_gather_result_at(g, (size_t)i, &v), 0);
    CHECK_INT(v.u.i64, i + 1);
    CHECK(ac_gather_item(g, (size_t)i) == items[i]);
  }
  ac_future_unref(g);
  unref_all(t, 3);
  th_close(loop);
}

static void test_first_error_propagates_others_keep_running(void) {
  ac_loop *loop = th_loop();
  ac_task *t[2] = {spawn_worker(loop, W(.name = "A", .delay = 1, .fail = AC_EPIPE)),
                   spawn_worker(loop, W(.name = "B", .delay = 2, .value = 7))};
  ac_future *items[2] = {ac_task_future(t[0]), ac_task_future(t[1])};
  ac_future *g;
  CHECK_RC(ac_gather(loop, items, 2, 0, &g), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), AC_EPIPE);
  CHECK_DOUBLE(ac_loop_time(loop), 1);
  CHECK(ac_future_error(g) == ac_future_error(items[0]));  // the same error
  CHECK_STR(ac_error_message(ac_future_error(g)), "A");
  CHECK_INT(ac_future_done(items[1]), 0);  // B keeps running
  CHECK_RC(ac_loop_run_until_complete(loop, items[1]), 0);
  CHECK_TRACE("A start at 0\nB start at 0\nA fails at 1\nB done at 2\n");
  ac_future_unref(g);
  unref_all(t, 2);
  th_close(loop);
}

static void test_later_errors_after_failure_are_not_reported(void) {
  ac_loop *loop = th_loop();
  reports = 0;
  CHECK_RC(ac_loop_set_exception_handler(loop, count_reports, NULL, NULL), 0);
  ac_task *t[2] = {spawn_worker(loop, W(.name = "A", .delay = 1, .fail = AC_EPIPE)),
                   spawn_worker(loop, W(.name = "B", .delay = 2, .fail = AC_ENOENT))};
  ac_future *items[2] = {ac_task_future(t[0]), ac_task_future(t[1])};
  ac_future *g;
  CHECK_RC(ac_gather(loop, items, 2, 0, &g), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), AC_EPIPE);
  CHECK_RC(ac_loop_run_until_complete(loop, items[1]), AC_ENOENT);
  ac_future *sleep;
  CHECK_RC(ac_sleep(loop, 0, &sleep), 0);  // let the gather see B's failure
  CHECK_RC(ac_loop_run_until_complete(loop, sleep), 0);
  ac_future_unref(sleep);
  ac_future_unref(g);
  unref_all(t, 2);
  CHECK_INT(reports, 0);
  th_close(loop);
}

static void test_return_exceptions_makes_errors_results(void) {
  ac_loop *loop = th_loop();
  ac_task *t[3] = {spawn_worker(loop, W(.name = "A", .delay = 1, .fail = AC_EPIPE)),
                   spawn_worker(loop, W(.name = "B", .delay = 3, .value = 2)),
                   spawn_worker(loop, W(.name = "C", .delay = 2, .value = 3))};
  ac_future *items[3] = {ac_task_future(t[0]), ac_task_future(t[1]), ac_task_future(t[2])};
  ac_future *g;
  CHECK_RC(ac_gather(loop, items, 3, AC_GATHER_RETURN_EXCEPTIONS, &g), 0);
  CHECK_RC(ac_loop_call_later(loop, 1.5, cancel_task_cb, t[1], NULL, NULL), 0);  // someone else
  CHECK_RC(ac_loop_run_until_complete(loop, g), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 2);
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\nA fails at 1\ncancel task at 1.5\n"
              "B cancelled at 1.5\nC done at 2\n");
  ac_value v;
  CHECK_RC(ac_gather_result_at(g, 0, &v), AC_EPIPE);
  CHECK_RC(ac_gather_result_at(g, 1, &v), AC_ECANCELLED);
  CHECK_RC(ac_gather_result_at(g, 2, &v), 0);
  CHECK_INT(v.u.i64, 3);
  ac_future_unref(g);
  unref_all(t, 3);
  th_close(loop);
}

/* asyncio: a child cancelled by someone else fails the gather with a
 * CancelledError set as its exception; "the outer Future is not cancelled
 * in this case", and the other children go on. */
static void test_child_cancelled_by_someone_else_fails_gather_with_a_cancellation_error(void) {
  ac_loop *loop = th_loop();
  ac_task *t[2] = {spawn_worker(loop, W(.name = "A", .delay = 2)),
                   spawn_worker(loop, W(.name = "B", .delay = 3))};
  ac_future *items[2] = {ac_task_future(t[0]), ac_task_future(t[1])};
  ac_future *g;
  CHECK_RC(ac_gather(loop, items, 2, 0, &g), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, cancel_task_cb, t[0], NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), AC_ECANCELLED);
  CHECK_INT(ac_future_cancelled(g), 0);
  CHECK_INT(ac_future_state_of(g), AC_FUTURE_ERROR);
  CHECK_INT(ac_error_code(ac_future_error(g)), AC_ECANCELLED);
  CHECK_INT(ac_future_done(items[1]), 0);  // B is not cancelled
  CHECK_RC(ac_loop_run_until_complete(loop, items[1]), 0);
  CHECK_TRACE("A start at 0\nB start at 0\ncancel task at 1\nA cancelled at 1\nB done at 3\n");
  ac_future_unref(g);
  unref_all(t, 2);
  th_close(loop);
}

static void test_cancelling_gather_cancels_children_and_waits(void) {
  ac_loop *loop = th_loop();
  ac_task *t[2] = {spawn_worker(loop, W(.name = "A", .delay = 5, .cleanup = 1)),
                   spawn_worker(loop, W(.name = "B", .delay = 5))};
  ac_future *items[2] = {ac_task_future(t[0]), ac_task_future(t[1])};
  ac_future *g;
  CHECK_RC(ac_gather(loop, items, 2, AC_GATHER_RETURN_EXCEPTIONS, &g), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, cancel_cb, g, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), AC_ECANCELLED);
  CHECK_DOUBLE(ac_loop_time(loop), 2);  // after A's cleanup
  CHECK_TRACE("A start at 0\nB start at 0\ncancel at 1\nA cancelled at 1\nB cancelled at 1\n"
              "A cleaned up at 2\n");
  CHECK_INT(ac_future_cancelled(items[0]), 1);
  CHECK_INT(ac_future_cancelled(items[1]), 1);
  /* asyncio: once the children are done, the cancelled gather gets a
   * CancelledError set as its exception (set_exception, not cancel). */
  CHECK_INT(ac_future_state_of(g), AC_FUTURE_ERROR);
  CHECK_INT(ac_error_code(ac_future_error(g)), AC_ECANCELLED);
  ac_future_unref(g);
  unref_all(t, 2);
  th_close(loop);
}

/* asyncio: cancelling a gather cancels each argument, so a task passed
 * twice is asked twice (its cancelling() count is 2). */
static void test_cancel_reaches_a_task_passed_twice_twice(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 5));
  ac_future *items[2] = {ac_task_future(t), ac_task_future(t)};
  ac_future *g;
  CHECK_RC(ac_gather(loop, items, 2, 0, &g), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, cancel_cb, g, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), AC_ECANCELLED);
  CHECK_TRACE("A start at 0\ncancel at 1\nA cancelled at 1\n");
  CHECK_INT(ac_task_cancelling(t), 2);
  CHECK_INT(ac_future_cancelled(ac_task_future(t)), 1);
  ac_future_unref(g);
  ac_task_unref(t);
  th_close(loop);
}

static void test_cancel_stays_cancel_when_child_swallows(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 5, .swallow = 1, .value = 9));
  ac_future *item = ac_task_future(t);
  ac_future *g;
  CHECK_RC(ac_gather(loop, &item, 1, 0, &g), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, cancel_cb, g, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), AC_ECANCELLED);
  CHECK_RC(ac_future_result(item, NULL), 0);  // A returned normally
  CHECK_TRACE("A start at 0\ncancel at 1\nA cancelled at 1\n");
  ac_future_unref(g);
  ac_task_unref(t);
  th_close(loop);
}

/* asyncio 3.12+: a gather whose children are all done is done when made;
 * cancelling a done gather does nothing. */
static void test_gather_of_done_children_is_done_when_made_and_cancel_returns_zero(void) {
  ac_loop *loop = th_loop();
  ac_future *f, *g;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_set_result_int64(f, 1), 0);
  CHECK_RC(ac_gather(loop, &f, 1, 0, &g), 0);
  CHECK_INT(ac_future_done(g), 1);
  CHECK_RC(ac_loop_run_until_complete(loop, g), 0);
  CHECK_RC(ac_future_cancel(g, NULL), 0);
  ac_future_unref(g);
  ac_future_unref(f);
  th_close(loop);
}

struct awaiter {
  AC_ASYNC_FIELDS;
  ac_future *g;
};
static int await_gather(ac_task *t, void *p) {
  struct awaiter *a = p;
  AC_BEGIN(a);
  AC_AWAIT(a, ac_task_await(t, a->g));
  trace("awaiter resumed with %s at %g", ac_err_name(ac_task_outcome(t)), now_of(t));
  AC_CHECK(t);
  AC_END(a);
}

static void test_cancelling_awaiting_task_cancels_children(void) {
  ac_loop *loop = th_loop();
  ac_task *t[2] = {spawn_worker(loop, W(.name = "A", .delay = 5)),
                   spawn_worker(loop, W(.name = "B", .delay = 5))};
  ac_future *items[2] = {ac_task_future(t[0]), ac_task_future(t[1])};
  ac_future *g;
  CHECK_RC(ac_gather(loop, items, 2, 0, &g), 0);
  struct awaiter *a;
  ac_task *main;
  CHECK_RC(ac_task_new_inline(loop, await_gather, sizeof *a, 0, &main, (void **)&a), 0);
  a->g = g;
  CHECK_RC(ac_loop_call_later(loop, 1, cancel_task_cb, main, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(main)), AC_ECANCELLED);
  CHECK_TRACE("A start at 0\nB start at 0\ncancel task at 1\nA cancelled at 1\nB cancelled at 1\n"
              "awaiter resumed with AC_ECANCELLED at 1\n");
  ac_task_unref(main);
  ac_future_unref(g);
  unref_all(t, 2);
  th_close(loop);
}

static void test_empty_gather_is_done_with_no_results(void) {
  ac_loop *loop = th_loop();
  ac_future *g;
  CHECK_RC(ac_gather(loop, NULL, 0, 0, &g), 0);
  CHECK_INT(ac_future_done(g), 1);
  CHECK_RC(ac_future_result(g, NULL), 0);
  CHECK_INT(ac_gather_count(g), 0);
  CHECK(ac_gather_item(g, 0) == NULL);
  ac_future_unref(g);
  th_close(loop);
}

static void test_misuse(void) {
  ac_loop *loop = th_loop(), *other = th_loop();
  ac_future *f, *foreign, *g = NULL;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_new(other, &foreign), 0);
  ac_future *mixed[2] = {f, foreign};
  ac_future *with_null[2] = {f, NULL};
  CHECK_RC(ac_gather(NULL, &f, 1, 0, &g), AC_EINVAL);
  CHECK_RC(ac_gather(loop, &f, 1, 0, NULL), AC_EINVAL);
  CHECK_RC(ac_gather(loop, NULL, 2, 0, &g), AC_EINVAL);
  CHECK_RC(ac_gather(loop, with_null, 2, 0, &g), AC_EINVAL);
  CHECK_RC(ac_gather(loop, mixed, 2, 0, &g), AC_EINVAL);
  CHECK_RC(ac_gather(loop, &f, 1, 0x80, &g), AC_EINVAL);
  CHECK(g == NULL);
  CHECK_RC(ac_gather_count(f), AC_EINVAL);
  CHECK_RC(ac_gather_count(NULL), AC_EINVAL);
  CHECK(ac_gather_item(f, 0) == NULL);
  CHECK_RC(ac_gather_result_at(f, 0, NULL), AC_EINVAL);
  CHECK_RC(ac_gather(loop, &f, 1, 0, &g), 0);
  CHECK_RC(ac_gather_result_at(g, 1, NULL), AC_EINVAL);
  CHECK_RC(ac_gather_result_at(g, 0, NULL), AC_ESTATE);  // pending child
  ac_future_unref(g);
  ac_future_unref(f);
  ac_future_unref(foreign);
  th_close(other);
  th_close(loop);
}

int main(void) {
  RUN(test_results_in_argument_order);
  RUN(test_first_error_propagates_others_keep_running);
  RUN(test_later_errors_after_failure_are_not_reported);
  RUN(test_return_exceptions_makes_errors_results);
  RUN(test_child_cancelled_by_someone_else_fails_gather_with_a_cancellation_error);
  RUN(test_cancelling_gather_cancels_children_and_waits);
  RUN(test_cancel_reaches_a_task_passed_twice_twice);
  RUN(test_cancel_stays_cancel_when_child_swallows);
  RUN(test_gather_of_done_children_is_done_when_made_and_cancel_returns_zero);
  RUN(test_cancelling_awaiting_task_cancels_children);
  RUN(test_empty_gather_is_done_with_no_results);
  RUN(test_misuse);
  return th_finish();
}
