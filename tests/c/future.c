/* future.c — futures: states, results, errors, callbacks never inline and in
 * order, removal, cancellation, thread-safe completion, misuse. */
#include <pthread.h>
#include <stdlib.h>

#include "harness.h"

static int frees;
static void count_free(void *ud) {
  (void)ud;
  ++frees;
}
static void trace_done(ac_future *f, void *ud) {
  trace("%s: state %d", (const char *)ud, ac_future_state_of(f));
}

static ac_future *new_future(ac_loop *loop) {
  ac_future *f = NULL;
  CHECK_RC(ac_future_new(loop, &f), 0);
  return f;
}

/* Runs the loop until every ready callback has run. */
static void drain(ac_loop *loop) {
  int pending = 1;
  for (int i = 0; i < 100 && pending; ++i) CHECK(ac_loop_step(loop, 0, &pending, NULL) >= 0);
}

static void test_result_kinds_round_trip(void) {
  ac_loop *loop = th_loop();
  ac_future *f = new_future(loop);
  ac_value v;
  CHECK_RC(ac_future_state_of(f), AC_FUTURE_PENDING);
  CHECK_RC(ac_future_result(f, &v), AC_ESTATE);
  CHECK(ac_future_error(f) == NULL);
  CHECK_RC(ac_future_set_result_int64(f, -42), 0);
  CHECK_RC(ac_future_done(f), 1);
  int64_t i = 0;
  CHECK_RC(ac_future_result_int64(f, &i), 0);
  CHECK_INT(i, -42);
  double d;
  CHECK_RC(ac_future_result_double(f, &d), AC_EINVAL);
  CHECK_RC(ac_future_set_result_int64(f, 1), AC_ESTATE);
  ac_future_unref(f);

  f = new_future(loop);
  CHECK_RC(ac_future_set_result_bytes(f, "hello", 5), 0);
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK_INT(v.kind, AC_VALUE_BYTES);
  CHECK_INT(v.u.bytes.len, 5);
  CHECK(memcmp(v.u.bytes.data, "hello", 5) == 0);
  ac_value taken;
  CHECK_RC(ac_future_take_result(f, &taken), 0);
  CHECK_INT(taken.kind, AC_VALUE_BYTES);
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK_INT(v.kind, AC_VALUE_NONE);
  ac_value_clear(&taken);
  ac_future_unref(f);

  /* A pointer's destructor runs exactly once, by the last owner. */
  frees = 0;
  f = new_future(loop);
  ac_value p;
  ac_value_set_pointer(&p, &frees, count_free);
  CHECK_RC(ac_future_set_result(f, &p), 0);
  CHECK_INT(frees, 0);
  ac_future_unref(f);
  CHECK_INT(frees, 1);
  th_close(loop);
}

static void test_errors_and_cancel_messages(void) {
  ac_loop *loop = th_loop();
  ac_future *f = new_future(loop);
  CHECK_RC(ac_future_set_error_code(f, AC_ECANCELLED, "no"), AC_EINVAL);
  CHECK_RC(ac_future_set_error_code(f, 3, "positive"), AC_EINVAL);
  CHECK_RC(ac_future_set_error_code(f, AC_ECONNREFUSED, "nobody home"), 0);
  CHECK_RC(ac_future_state_of(f), AC_FUTURE_ERROR);
  CHECK_RC(ac_future_result(f, NULL), AC_ECONNREFUSED);
  CHECK_STR(ac_error_message(ac_future_error(f)), "nobody home");
  ac_future_unref(f);

  f = new_future(loop);
  CHECK_RC(ac_future_cancel(f, "shutting down"), 1);
  CHECK_RC(ac_future_cancel(f, "again"), 0);
  CHECK_RC(ac_future_cancelled(f), 1);
  CHECK_RC(ac_future_result(f, NULL), AC_ECANCELLED);
  CHECK_RC(ac_error_code(ac_future_error(f)), AC_ECANCELLED);
  CHECK_STR(ac_error_message(ac_future_error(f)), "shutting down");
  CHECK_RC(ac_future_set_result_none(f), AC_ESTATE);
  ac_future_unref(f);

  ac_error *err;
  f = new_future(loop);
  CHECK_RC(ac_error_new(AC_EPIPE, "broken", NULL, &err), 0);
  CHECK_RC(ac_future_set_error(f, err), 0);
  CHECK(ac_future_error(f) == err);
  ac_error_unref(err);
  ac_future_unref(f);
  th_close(loop);
}

static void test_done_callbacks_scheduled_in_order_never_inline(void) {
  ac_loop *loop = th_loop();
  ac_future *f = new_future(loop);
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "first", NULL), 0);
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "second", NULL), 0);
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "third", NULL), 0);
  CHECK_RC(ac_future_set_result_none(f), 0);
  CHECK_TRACE("");
  /* Added after completion: still through the loop, after the others. */
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "late", NULL), 0);
  CHECK_TRACE("");
  drain(loop);
  CHECK_TRACE("first: state 1\nsecond: state 1\nthird: state 1\nlate: state 1\n");
  ac_future_unref(f);
  th_close(loop);
}

/* A free_ud that registers more done-callbacks on the same future (here
 * forty, so the list grows and moves) while the removal is under way:
 * what it adds runs after what was kept, nothing is lost or run twice. */
static ac_future *readding_future;
static void add_forty(void *ud) {
  (void)ud;
  ++frees;
  for (int i = 0; i < 40; ++i) ac_future_add_done_callback(readding_future, trace_done, "late", NULL);
}

static void test_free_ud_of_a_removed_callback_adds_more(void) {
  ac_loop *loop = th_loop();
  ac_future *f = new_future(loop);
  readding_future = f;
  frees = 0;
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "keep", NULL), 0);
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "drop", add_forty), 0);
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "drop", add_forty), 0);
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "keep2", NULL), 0);
  CHECK_RC(ac_future_remove_done_callback(f, trace_done, "drop"), 2);
  CHECK_INT(frees, 2);
  CHECK_RC(ac_future_remove_done_callback(f, trace_done, "late"), 80);
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "last", NULL), 0);
  CHECK_RC(ac_future_cancel(f, NULL), 1);
  drain(loop);
  CHECK_TRACE("keep: state 3\nkeep2: state 3\nlast: state 3\n");
  ac_future_unref(f);
  th_close(loop);
}

static void test_remove_done_callback(void) {
  ac_loop *loop = th_loop();
  ac_future *f = new_future(loop);
  frees = 0;
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "keep", count_free), 0);
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "drop", count_free), 0);
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "drop", count_free), 0);
  CHECK_RC(ac_future_remove_done_callback(f, trace_done, "drop"), 2);
  CHECK_INT(frees, 2);
  CHECK_RC(ac_future_remove_done_callback(f, trace_done, "absent"), 0);
  CHECK_RC(ac_future_cancel(f, NULL), 1);
  drain(loop);
  CHECK_TRACE("keep: state 3\n");
  CHECK_INT(frees, 3);
  ac_future_unref(f);
  th_close(loop);
}

static void test_callbacks_of_a_future_freed_pending_are_released(void) {
  ac_loop *loop = th_loop();
  ac_future *f = new_future(loop);
  frees = 0;
  CHECK_RC(ac_future_add_done_callback(f, trace_done, "never", count_free), 0);
  ac_future_unref(f);
  CHECK_INT(frees, 1);
  drain(loop);
  CHECK_TRACE("");
  th_close(loop);
}

static void test_sleep_zero_is_one_iteration_and_sleep_cancel_stops_timer(void) {
  ac_loop *loop = th_loop();
  ac_future *zero, *long_sleep;
  CHECK_RC(ac_sleep(loop, 0, &zero), 0);
  CHECK_RC(ac_future_done(zero), 1);
  CHECK_RC(ac_sleep(loop, 100, &long_sleep), 0);
  CHECK_RC(ac_future_cancel(long_sleep, NULL), 1);
  int pending = -1;
  double next = 0;
  CHECK_RC(ac_loop_step(loop, 0, &pending, &next), 0);
  CHECK_INT(pending, 0);  /* the cancelled timer is gone */
  CHECK_DOUBLE(next, -1);
  CHECK_DOUBLE(ac_loop_time(loop), 0);
  ac_future_unref(zero);
  ac_future_unref(long_sleep);
  th_close(loop);
}

struct completer {
  ac_future *f;
  int rc;
};
static void *complete_from_thread(void *p) {
  struct completer *c = p;
  ac_value v;
  ac_value_set_int64(&v, 7);
  c->rc = ac_future_complete_threadsafe(c->f, 0, &v, NULL);
  return NULL;
}

static void test_complete_threadsafe(void) {
  ac_loop *loop;
  CHECK_RC(ac_loop_new(0, &loop), 0);
  ac_future *f = new_future(loop);
  struct completer c = {ac_future_ref(f), -1};
  pthread_t th;
  pthread_create(&th, NULL, complete_from_thread, &c);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  pthread_join(th, NULL);
  CHECK_RC(c.rc, 0);
  int64_t i;
  CHECK_RC(ac_future_result_int64(f, &i), 0);
  CHECK_INT(i, 7);
  /* An error and a cancellation through the same road. */
  ac_future *g = new_future(loop);
  CHECK_RC(ac_future_complete_threadsafe(ac_future_ref(g), AC_ETIMEDOUT, NULL, "late"), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), AC_ETIMEDOUT);
  CHECK_STR(ac_error_message(ac_future_error(g)), "late");
  ac_future *h = new_future(loop);
  CHECK_RC(ac_future_complete_threadsafe(ac_future_ref(h), AC_ECANCELLED, NULL, "stop"), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, h), AC_ECANCELLED);
  /* Completing one that is already done is harmless; the value is freed. */
  frees = 0;
  ac_value p;
  ac_value_set_pointer(&p, &frees, count_free);
  CHECK_RC(ac_future_complete_threadsafe(ac_future_ref(f), 0, &p, NULL), 0);
  ac_future *s;
  CHECK_RC(ac_sleep(loop, 0, &s), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, s), 0);
  CHECK_INT(frees, 1);
  CHECK_RC(ac_future_result_int64(f, &i), 0);
  CHECK_INT(i, 7);
  ac_future_unref(s);
  ac_future_unref(f);
  ac_future_unref(g);
  ac_future_unref(h);
  th_close(loop);
}

static void test_complete_threadsafe_on_closed_loop_keeps_the_reference(void) {
  ac_loop *loop = th_loop();
  ac_future *f = new_future(loop);
  CHECK_RC(ac_loop_close(loop), 0);
  frees = 0;
  ac_value p;
  ac_value_set_pointer(&p, &frees, count_free);
  CHECK_RC(ac_future_complete_threadsafe(f, 0, &p, NULL), AC_ECLOSED);
  CHECK_INT(frees, 1);                /* the value was released at once */
  CHECK_RC(ac_future_done(f), 0);     /* and the future left as it was */
  CHECK_RC(ac_future_complete_threadsafe(f, AC_EPIPE, NULL, "x"), AC_ECLOSED);
  ac_future_unref(f);                 /* the caller still held its reference */
  ac_loop_unref(loop);
}

/* A future outlives its loop's close: completing or cancelling it then
 * runs no callback (nothing runs on a closed loop) but each
 * registration's free_ud runs exactly once, at the completion, and nothing
 * keeps the loop alive. */
static int wait_step(ac_task *t, void *ud) {
  if (ac_task_awaited(t) == NULL) return ac_task_await(t, (ac_future *)ud);
  trace("task resumed");
  return AC_STEP_DONE;
}
static int reports;
static void count_report(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                         void *ud) {
  (void)loop, (void)message, (void)error, (void)future, (void)ud;
  ++reports;
}
static void test_completing_after_close_releases_callbacks(void) {
  ac_loop *loop = th_loop();
  reports = 0;
  CHECK_RC(ac_loop_set_exception_handler(loop, count_report, NULL, NULL), 0);
  ac_future *fs[6];
  for (int i = 0; i < 6; ++i) fs[i] = new_future(loop);
  frees = 0;
  CHECK_RC(ac_future_add_done_callback(fs[0], trace_done, "r1", count_free), 0);
  CHECK_RC(ac_future_add_done_callback(fs[0], trace_done, "r2", count_free), 0);
  CHECK_RC(ac_future_add_done_callback(fs[1], trace_done, "e", count_free), 0);
  CHECK_RC(ac_future_add_done_callback(fs[2], trace_done, "c", count_free), 0);
  CHECK_RC(ac_future_add_done_callback(fs[3], trace_done, "u", count_free), 0);
  CHECK_RC(ac_future_add_done_callback(fs[4], trace_done, "ts", count_free), 0);
  /* A task waits on fs[5]. */
  ac_task *t;
  CHECK_RC(ac_task_new(loop, wait_step, fs[5], NULL, 0, &t), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 1);
  /* A completion posted before the close is dropped by it. */
  CHECK_RC(ac_future_complete_threadsafe(ac_future_ref(fs[4]), AC_EPIPE, NULL, "late"), 0);
  CHECK_RC(ac_future_add_done_callback(fs[5], trace_done, "t", count_free), 0);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_INT(frees, 0);
  CHECK_INT(reports, 1); /* the pending task */

  CHECK_RC(ac_future_set_result_int64(fs[0], 1), 0);
  CHECK_INT(frees, 2);
  CHECK_RC(ac_future_set_error_code(fs[1], AC_EPIPE, "after close"), 0);
  CHECK_INT(frees, 3);
  CHECK_RC(ac_future_result(fs[1], NULL), AC_EPIPE);
  CHECK_RC(ac_future_cancel(fs[2], "after close"), 1);
  CHECK_INT(frees, 4);
  CHECK_RC(ac_future_state_of(fs[4]), AC_FUTURE_PENDING);
  CHECK_RC(ac_future_set_result_none(fs[5]), 0);
  CHECK_INT(frees, 5);
  CHECK_RC(ac_future_done(ac_task_future(t)), 0);
  for (int i = 0; i < 6; ++i) ac_future_unref(fs[i]);
  CHECK_INT(frees, 7); /* fs[3] and fs[4], never completed, at their release */
  CHECK_TRACE("");
  ac_task_unref(t);
  ac_loop_unref(loop); /* the last reference: valgrind sees nothing left */
}

static void test_misuse(void) {
  ac_loop *loop = th_loop();
  ac_future *f;
  frees = 0;
  CHECK_RC(ac_future_new(NULL, &f), AC_EINVAL);
  CHECK_RC(ac_future_new(loop, NULL), AC_EINVAL);
  CHECK_RC(ac_future_set_result_none(NULL), AC_EINVAL);
  CHECK_RC(ac_future_cancel(NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_future_result(NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_future_done(NULL), AC_EINVAL);
  CHECK_RC(ac_future_state_of(NULL), AC_EINVAL);
  CHECK_RC(ac_future_add_done_callback(NULL, trace_done, NULL, count_free), AC_EINVAL);
  CHECK_INT(frees, 1);
  CHECK_RC(ac_future_set_error(NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_future_complete_threadsafe(NULL, 0, NULL, NULL), AC_EINVAL);
  f = new_future(loop);
  CHECK_RC(ac_future_add_done_callback(f, NULL, NULL, count_free), AC_EINVAL);
  CHECK_INT(frees, 2);
  CHECK_RC(ac_future_set_error(f, NULL), AC_EINVAL);
  ac_value bad;
  ac_value_set_none(&bad);
  bad.kind = 99;
  CHECK_RC(ac_future_set_result(f, &bad), AC_EINVAL);
  ac_value_set_bytes(&bad, NULL, 3);
  CHECK_RC(ac_future_set_result(f, &bad), AC_EINVAL);
  CHECK_RC(ac_future_done(f), 0);
  /* A pending future passed to a closed loop's run. */
  ac_loop *other = th_loop();
  CHECK_RC(ac_loop_run_until_complete(other, f), AC_EINVAL);
  th_close(other);
  ac_future_unref(f);
  th_close(loop);
}

struct wrong_thread_arg {
  ac_future *f;
  int rc;
};
static void *set_from_wrong_thread(void *p) {
  struct wrong_thread_arg *a = p;
  a->rc = ac_future_set_result_none(a->f);
  return NULL;
}
static void test_debug_mode_checks_future_thread(void) {
  ac_loop *loop;
  CHECK_RC(ac_loop_new(AC_LOOP_DEBUG | AC_LOOP_VIRTUAL_CLOCK, &loop), 0);
  struct wrong_thread_arg a = {new_future(loop), 0};
  pthread_t th;
  pthread_create(&th, NULL, set_from_wrong_thread, &a);
  pthread_join(th, NULL);
  CHECK_RC(a.rc, AC_EWRONGTHREAD);
  CHECK_RC(ac_future_done(a.f), 0);
  ac_future_unref(a.f);
  th_close(loop);
}

static int named_step(ac_task *t, void *state) {
  (void)state;
  return ac_task_return_int64(t, 0);
}

/* The getters' names (common.h, "Names") and their former names, which
 * stay as aliases of the same functions. */
static void test_getters_and_their_former_names(void) {
  ac_loop *loop = th_loop();
  ac_future *f;
  ac_tsfuture *ts;
  ac_task *t;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_INT(ac_future_get_state(f), AC_FUTURE_PENDING);
  CHECK_INT(ac_future_state_of(f), AC_FUTURE_PENDING);
  CHECK_RC(ac_future_cancel(f, NULL), 1);
  CHECK_INT(ac_future_get_state(f), AC_FUTURE_CANCELLED);
  CHECK_INT(ac_future_state_of(f), AC_FUTURE_CANCELLED);
  CHECK_INT(ac_future_get_state(NULL), AC_EINVAL);
  CHECK_RC(ac_tsfuture_new(&ts), 0);
  CHECK_INT(ac_tsfuture_get_state(ts), AC_FUTURE_PENDING);
  CHECK_RC(ac_tsfuture_set_result_int64(ts, 1), 0);
  CHECK_INT(ac_tsfuture_get_state(ts), AC_FUTURE_RESULT);
  CHECK_INT(ac_tsfuture_state_of(ts), AC_FUTURE_RESULT);
  CHECK_INT(ac_tsfuture_get_state(NULL), AC_EINVAL);
  void *state;
  CHECK_RC(ac_task_new_inline(loop, named_step, sizeof(int), 0, &t, &state), 0);
  CHECK_RC(ac_task_set_name(t, "worker"), 0);
  CHECK_STR(ac_task_get_name(t), "worker");
  CHECK_STR(ac_task_name(t), "worker");
  CHECK(ac_task_get_name(NULL) == NULL);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  ac_task_unref(t);
  ac_tsfuture_unref(ts);
  ac_future_unref(f);
  th_close(loop);
}

int main(void) {
  RUN(test_getters_and_their_former_names);
  RUN(test_result_kinds_round_trip);
  RUN(test_errors_and_cancel_messages);
  RUN(test_done_callbacks_scheduled_in_order_never_inline);
  RUN(test_remove_done_callback);
  RUN(test_free_ud_of_a_removed_callback_adds_more);
  RUN(test_callbacks_of_a_future_freed_pending_are_released);
  RUN(test_sleep_zero_is_one_iteration_and_sleep_cancel_stops_timer);
  RUN(test_complete_threadsafe);
  RUN(test_complete_threadsafe_on_closed_loop_keeps_the_reference);
  RUN(test_completing_after_close_releases_callbacks);
  RUN(test_misuse);
  RUN(test_debug_mode_checks_future_thread);
  return th_finish();
}
