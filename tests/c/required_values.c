/* required_values.c — a value argument is required: every function taking
 * `const ac_value *` refuses NULL with AC_EINVAL and changes nothing (NONE
 * is a value; NULL is not), and the calls that store a task's outcome are
 * refused with AC_EMISUSE outside the task's own running step. */
#include <stdlib.h>

#include "harness.h"

static int destructors;
static void count_destructor(void *p) {
  (void)p;
  ++destructors;
}

static void test_null_values_are_refused(void) {
  ac_loop *loop = th_loop();

  /* Loop futures. */
  ac_future *f;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_set_result(f, NULL), AC_EINVAL);
  CHECK_INT(ac_future_state_of(f), AC_FUTURE_PENDING);
  CHECK_RC(ac_future_set_result_none(f), 0);
  ac_value v;
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK_INT(v.kind, AC_VALUE_NONE);
  ac_future_unref(f);

  /* Completion from any thread: the value is required for a result and
   * ignored for an error. */
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_complete_threadsafe(f, 0, NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_future_complete_threadsafe(ac_future_ref(f), AC_EPIPE, NULL, "gone"), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), AC_EPIPE);
  ac_future_unref(f);

  /* Thread-safe futures. */
  ac_tsfuture *ts;
  CHECK_RC(ac_tsfuture_new(&ts), 0);
  CHECK_RC(ac_tsfuture_set_result(ts, NULL), AC_EINVAL);
  CHECK_INT(ac_tsfuture_state_of(ts), AC_FUTURE_PENDING);
  CHECK_RC(ac_tsfuture_set_result_none(ts), 0);
  CHECK_RC(ac_tsfuture_result(ts, &v), 0);
  CHECK_INT(v.kind, AC_VALUE_NONE);
  CHECK_RC(ac_tsfuture_set_result_none(ts), AC_ESTATE);
  ac_tsfuture_unref(ts);

  /* Queues: nothing is put. */
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  CHECK_RC(ac_queue_put_nowait(q, NULL), AC_EINVAL);
  CHECK_RC(ac_queue_put(q, NULL, &f), AC_EINVAL);
  CHECK_INT(ac_queue_qsize(q), 0);
  ac_queue_unref(q);
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_PRIORITY, 0, &q), 0);
  CHECK_RC(ac_queue_put_priority_nowait(q, 1, NULL), AC_EINVAL);
  CHECK_RC(ac_queue_put_priority(q, 1, NULL, &f), AC_EINVAL);
  CHECK_INT(ac_queue_qsize(q), 0);
  ac_queue_unref(q);

  /* Context values. */
  ac_context_key key;
  CHECK_RC(ac_context_key_new(&key), 0);
  CHECK_RC(ac_context_set(loop, key, NULL), AC_EINVAL);
  CHECK_RC(ac_context_get(loop, key, &v), 0);

  /* Error payloads: NULL is refused, NONE removes the payload. */
  ac_error *e;
  CHECK_RC(ac_error_new(AC_EHOST, "x", NULL, &e), 0);
  ac_value p;
  destructors = 0;
  ac_value_set_pointer(&p, &destructors, count_destructor);
  CHECK_RC(ac_error_set_payload(e, &p), 0);
  CHECK_RC(ac_error_set_payload(e, NULL), AC_EINVAL);
  CHECK_RC(ac_error_payload(e, &v), 0);
  CHECK_INT(v.kind, AC_VALUE_POINTER);
  CHECK_INT(destructors, 0);
  ac_value_set_none(&p);
  CHECK_RC(ac_error_set_payload(e, &p), 0);
  CHECK_INT(destructors, 1);
  CHECK_RC(ac_error_payload(e, &v), 0);
  CHECK_INT(v.kind, AC_VALUE_NONE);
  ac_error_unref(e);

  th_close(loop);
}

/* ---- storing a task's outcome belongs to its own step ---- */

struct other {
  ac_task *victim;
  int rcs[4];
};

/* Returns NONE unless something else was stored. */
static int plain_step(ac_task *t, void *p) {
  (void)t;
  (void)p;
  return AC_STEP_DONE;
}

/* Sleeps a second, then returns NONE unless something else was stored. */
struct sleeper {
  AC_ASYNC_FIELDS;
};
static int sleeper_step(ac_task *t, void *p) {
  struct sleeper *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  AC_END(s);
}

static int return_null_step(ac_task *t, void *p) {
  (void)p;
  CHECK_RC(ac_task_return(t, NULL), AC_EINVAL);
  return ac_task_return_int64(t, 3);
}

/* Another task's step tries to complete the victim. */
static int meddling_step(ac_task *t, void *p) {
  (void)t;
  struct other *o = p;
  ac_error *e;
  ac_error_new(AC_EHOST, "not mine", NULL, &e);
  o->rcs[0] = ac_task_return_int64(o->victim, 7);
  o->rcs[1] = ac_task_fail(o->victim, AC_EPIPE, "not mine");
  o->rcs[2] = ac_task_raise(o->victim, e);
  o->rcs[3] = ac_task_return_double(o->victim, 1.5);
  ac_error_unref(e);
  return AC_STEP_DONE;
}

static void meddle_from_callback(ac_loop *loop, void *ud) {
  (void)loop;
  struct other *o = ud;
  ac_value v;
  ac_value_set_int64(&v, 9);
  o->rcs[0] = ac_task_return(o->victim, &v);
  o->rcs[1] = ac_task_fail(o->victim, AC_EPIPE, NULL);
}

static void test_storing_outside_the_own_step_is_refused(void) {
  ac_loop *loop = th_loop();
  ac_task *t;

  /* From outside the loop, before the first step: nothing stored (a
   * pointer stays the caller's). */
  CHECK_RC(ac_task_new(loop, plain_step, NULL, NULL, 0, &t), 0);
  ac_value v;
  destructors = 0;
  ac_value_set_pointer(&v, &destructors, count_destructor);
  CHECK_RC(ac_task_return(t, &v), AC_EMISUSE);
  CHECK_RC(ac_task_return_int64(t, 5), AC_EMISUSE);
  CHECK_RC(ac_task_return_double(t, 5.5), AC_EMISUSE);
  CHECK_RC(ac_task_fail(t, AC_EPIPE, "early"), AC_EMISUSE);
  ac_error *e;
  CHECK_RC(ac_error_new(AC_EHOST, "early", NULL, &e), 0);
  CHECK_RC(ac_task_raise(t, e), AC_EMISUSE);
  ac_error_unref(e);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_RC(ac_future_result(ac_task_future(t), &v), 0);
  CHECK_INT(v.kind, AC_VALUE_NONE);
  CHECK_INT(destructors, 0);
  /* After it finished, too. */
  CHECK_RC(ac_task_return_int64(t, 5), AC_EMISUSE);
  CHECK_RC(ac_task_fail(t, AC_EPIPE, NULL), AC_EMISUSE);
  ac_task_unref(t);

  /* From another task's step. */
  struct other o = {0};
  struct sleeper sl = {0};
  CHECK_RC(ac_task_new(loop, sleeper_step, &sl, NULL, 0, &o.victim), 0);
  CHECK_RC(ac_task_new(loop, meddling_step, &o, NULL, AC_TASK_DEFAULT, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  for (int i = 0; i < 4; ++i) CHECK_RC(o.rcs[i], AC_EMISUSE);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(o.victim)), 0);
  CHECK_RC(ac_future_result(ac_task_future(o.victim), &v), 0);
  CHECK_INT(v.kind, AC_VALUE_NONE);
  ac_task_unref(t);
  ac_task_unref(o.victim);

  /* From a callback of the loop. */
  memset(&o, 0, sizeof o);
  memset(&sl, 0, sizeof sl);
  CHECK_RC(ac_task_new(loop, sleeper_step, &sl, NULL, 0, &o.victim), 0);
  CHECK_RC(ac_loop_call_soon(loop, meddle_from_callback, &o, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(o.victim)), 0);
  CHECK_RC(o.rcs[0], AC_EMISUSE);
  CHECK_RC(o.rcs[1], AC_EMISUSE);
  CHECK_RC(ac_future_result(ac_task_future(o.victim), &v), 0);
  CHECK_INT(v.kind, AC_VALUE_NONE);
  ac_task_unref(o.victim);

  /* In its own step, a NULL value is refused and the step goes on. */
  CHECK_RC(ac_task_new(loop, return_null_step, NULL, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  int64_t n = 0;
  CHECK_RC(ac_future_result_int64(ac_task_future(t), &n), 0);
  CHECK_INT(n, 3);
  ac_task_unref(t);
  CHECK_RC(ac_task_return_int64(NULL, 1), AC_EINVAL);
  th_close(loop);
}

int main(void) {
  RUN(test_null_values_are_refused);
  RUN(test_storing_outside_the_own_step_is_refused);
  return th_finish();
}
