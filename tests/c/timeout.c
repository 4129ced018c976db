/* timeout.c — timeout scopes: expiry becomes AC_ETIMEDOUT, an outer
 * cancellation passes through, nesting, reschedule, expired(), misuse. */
#include <math.h>

#include "workers.h"

/* A task that enters a scope of `delay` (or at `at` when use_at), sleeps
 * `work`, exits, then sleeps `after` (to show it goes on) and returns. */
struct scoped {
  AC_ASYNC_FIELDS;
  double delay, at, work, after, resched;
  int use_at, do_resched;
  int show_error;  /* trace ac_timeout_error after the exit */
  ac_timeout *scope;
};

static int scoped_step(ac_task *t, void *p) {
  struct scoped *s = p;
  int rc;
  AC_BEGIN(s);
  rc = s->use_at ? ac_timeout_new_at(ac_task_get_loop(t), s->at, &s->scope)
                 : ac_timeout_new(ac_task_get_loop(t), s->delay, &s->scope);
  if (rc < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  if (s->do_resched) ac_timeout_reschedule(s->scope, s->resched);
  trace("entered at %g, deadline %g", now_of(t), ac_timeout_when(s->scope));
  AC_AWAIT(s, ac_task_sleep(t, s->work));
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  trace("exit -> %s at %g, expired %d, cancelling %d", ac_err_name(rc), now_of(t),
        ac_timeout_expired(s->scope), ac_task_cancelling(t));
  if (s->show_error) {
    ac_error *e = ac_timeout_error(s->scope);
    trace("timeout error: %s \"%s\", cause %s", ac_err_name(ac_error_code(e)),
          e != NULL ? ac_error_message(e) : "(none)", ac_err_name(ac_error_code(ac_error_cause(e))));
  }
  if (rc == AC_ECANCELLED) return ac_task_propagate(t);
  AC_AWAIT(s, ac_task_sleep(t, s->after));
  AC_CHECK(t);
  trace("went on until %g", now_of(t));
  AC_END(s);
}

static void free_scoped(void *p) { ac_timeout_unref(((struct scoped *)p)->scope); }

static ac_task *start(ac_loop *loop, struct scoped *s) {
  ac_task *t;
  CHECK_RC(ac_task_new(loop, scoped_step, s, free_scoped, 0, &t), 0);
  return t;
}

static void test_expiry_becomes_timed_out(void) {
  ac_loop *loop = th_loop();
  struct scoped s = {.delay = 2, .work = 5, .after = 1, .show_error = 1};
  ac_task *t = start(loop, &s);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  /* asyncio: `raise TimeoutError from exc_val` — an empty message, the
   * CancelledError as its cause. */
  CHECK_TRACE("entered at 0, deadline 2\nexit -> ETIMEDOUT at 2, expired 1, cancelling 0\n"
              "timeout error: ETIMEDOUT \"\", cause AC_ECANCELLED\n"
              "went on until 3\n");
  ac_task_unref(t);
  th_close(loop);
}

static void test_no_expiry_leaves_outcome(void) {
  ac_loop *loop = th_loop();
  struct scoped s = {.delay = 5, .work = 1, .after = 1};
  ac_task *t = start(loop, &s);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("entered at 0, deadline 5\nexit -> AC_OK at 1, expired 0, cancelling 0\n"
              "went on until 2\n");
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 2);  /* the deadline was disarmed */
  ac_task_unref(t);
  th_close(loop);
}

static void test_outer_cancel_passes_through(void) {
  ac_loop *loop = th_loop();
  struct scoped s = {.delay = 5, .work = 10};
  ac_task *t = start(loop, &s);
  CHECK_RC(ac_loop_call_later(loop, 1, cancel_task_cb, t, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  CHECK_TRACE("entered at 0, deadline 5\ncancel task at 1\n"
              "exit -> AC_ECANCELLED at 1, expired 0, cancelling 1\n");
  ac_task_unref(t);
  th_close(loop);
}

static void test_outer_cancel_with_expiry_stays_cancellation(void) {
  ac_loop *loop = th_loop();
  struct scoped s = {.delay = 2, .work = 10};
  ac_task *t = start(loop, &s);
  /* Scheduled at the deadline, after the scope's timer. */
  CHECK_RC(ac_loop_call_later(loop, 2, cancel_task_cb, t, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  CHECK_TRACE("entered at 0, deadline 2\ncancel task at 2\n"
              "exit -> AC_ECANCELLED at 2, expired 1, cancelling 1\n");
  ac_task_unref(t);
  th_close(loop);
}

/* Two nested scopes. */
struct nested {
  AC_ASYNC_FIELDS;
  double outer, inner, work1, work2;
  ac_timeout *a, *b;
};
static int nested_step(ac_task *t, void *p) {
  struct nested *n = p;
  int rc;
  AC_BEGIN(n);
  ac_timeout_new(ac_task_get_loop(t), n->outer, &n->a);
  ac_timeout_enter(n->a, t);
  ac_timeout_new(ac_task_get_loop(t), n->inner, &n->b);
  ac_timeout_enter(n->b, t);
  AC_AWAIT(n, ac_task_sleep(t, n->work1));
  rc = ac_timeout_exit(n->b, ac_task_outcome(t));
  trace("inner exit -> %s at %g", ac_err_name(rc), now_of(t));
  if (rc != AC_ECANCELLED) {
    AC_AWAIT(n, ac_task_sleep(t, n->work2));
    rc = ac_task_outcome(t);
  }
  rc = ac_timeout_exit(n->a, rc);
  trace("outer exit -> %s at %g, cancelling %d", ac_err_name(rc), now_of(t), (int)ac_task_cancelling(t));
  AC_END(n);
}
static void free_nested(void *p) {
  struct nested *n = p;
  ac_timeout_unref(n->a);
  ac_timeout_unref(n->b);
}

static void test_nested_each_sees_its_own_deadline(void) {
  ac_loop *loop = th_loop();
  struct nested n = {.outer = 10, .inner = 1, .work1 = 5, .work2 = 20};
  ac_task *t;
  CHECK_RC(ac_task_new(loop, nested_step, &n, free_nested, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("inner exit -> ETIMEDOUT at 1\nouter exit -> ETIMEDOUT at 10, cancelling 0\n");
  ac_task_unref(t);
  th_close(loop);
}

static void test_nested_both_expire_outer_reports(void) {
  ac_loop *loop = th_loop();
  struct nested n = {.outer = 1, .inner = 1, .work1 = 5, .work2 = 20};
  ac_task *t;
  CHECK_RC(ac_task_new(loop, nested_step, &n, free_nested, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("inner exit -> AC_ECANCELLED at 1\nouter exit -> ETIMEDOUT at 1, cancelling 0\n");
  ac_task_unref(t);
  th_close(loop);
}

static void test_reschedule_moves_deadline(void) {
  ac_loop *loop = th_loop();
  struct scoped s = {.delay = 1, .work = 10, .do_resched = 1, .resched = 3};
  ac_task *t = start(loop, &s);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("entered at 0, deadline 3\nexit -> ETIMEDOUT at 3, expired 1, cancelling 0\n"
              "went on until 3\n");
  ac_task_unref(t);
  th_close(loop);
}

static void test_reschedule_to_never(void) {
  ac_loop *loop = th_loop();
  struct scoped s = {.delay = 1, .work = 10, .do_resched = 1, .resched = HUGE_VAL};
  ac_task *t = start(loop, &s);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("entered at 0, deadline inf\nexit -> AC_OK at 10, expired 0, cancelling 0\n"
              "went on until 10\n");
  ac_task_unref(t);
  th_close(loop);
}

static void test_deadline_in_the_past_expires_at_once(void) {
  ac_loop *loop = th_loop();
  struct scoped s = {.use_at = 1, .at = -5, .work = 10};
  ac_task *t = start(loop, &s);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("entered at 0, deadline -5\nexit -> ETIMEDOUT at 0, expired 1, cancelling 0\n"
              "went on until 0\n");
  ac_task_unref(t);
  th_close(loop);
}

static void check_expires_at_once(double delay, const char *expected) {
  ac_loop *loop = th_loop();
  struct scoped s = {.delay = delay, .work = 10};
  ac_task *t = start(loop, &s);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE(expected);
  ac_task_unref(t);
  th_close(loop);
}

/* asyncio: timeout(delay) with a negative delay is a deadline already past,
 * which expires as a ready callback (call_soon): the first await that
 * suspends is cancelled and the exit reports TimeoutError. */
static void test_negative_delay_expires_at_once(void) {
  check_expires_at_once(-1, "entered at 0, deadline -1\nexit -> ETIMEDOUT at 0, expired 1, cancelling 0\n"
                            "went on until 0\n");
}

/* The same for -infinity: asyncio.timeout(-math.inf) is a deadline of
 * -inf, past like any other. */
static void test_negative_infinite_delay_expires_at_once(void) {
  check_expires_at_once(-HUGE_VAL, "entered at 0, deadline -inf\nexit -> ETIMEDOUT at 0, expired 1, cancelling 0\n"
                                   "went on until 0\n");
}

/* Misuse from inside a step: asyncio's RuntimeErrors. */
struct misuse {
  AC_ASYNC_FIELDS;
  ac_timeout *scope;
  ac_task *other;
};
static int other_exit_step(ac_task *t, void *p) {
  (void)t;
  struct misuse *m = p;
  trace("exit from another task: %s", ac_err_name(ac_timeout_exit(m->scope, 0)));
  return AC_STEP_DONE;
}
static int misuse_step(ac_task *t, void *p) {
  struct misuse *m = p;
  ac_loop *loop = ac_task_get_loop(t);
  AC_BEGIN(m);
  CHECK_RC(ac_timeout_new(loop, 1, &m->scope), 0);
  CHECK_RC(ac_timeout_exit(m->scope, 0), AC_EMISUSE);  /* not entered */
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Timeout has not been entered");
  CHECK_RC(ac_timeout_enter(m->scope, NULL), AC_EINVAL);
  CHECK_RC(ac_timeout_enter(m->scope, t), 0);
  CHECK_RC(ac_timeout_enter(m->scope, t), AC_EMISUSE);  /* twice */
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Timeout has already been entered");
  CHECK_RC(ac_timeout_reschedule(m->scope, NAN), AC_EINVAL);
  CHECK_RC(ac_task_new(loop, other_exit_step, m, NULL, 0, &m->other), 0);
  AC_AWAIT(m, ac_task_await(t, ac_task_future(m->other)));
  CHECK_RC(ac_timeout_exit(m->scope, 0), 0);
  CHECK_RC(ac_timeout_exit(m->scope, 0), AC_EMISUSE);  /* twice */
  CHECK_RC(ac_timeout_reschedule(m->scope, 5), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Cannot change state of finished Timeout");
  CHECK_RC(ac_timeout_enter(m->scope, t), AC_EMISUSE);  /* no re-entry */
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Timeout has already been entered");
  AC_END(m);
}
static void free_misuse(void *p) {
  struct misuse *m = p;
  ac_timeout_unref(m->scope);
  ac_task_unref(m->other);
}

static void test_misuse(void) {
  ac_loop *loop = th_loop();
  ac_timeout *scope = NULL;
  CHECK_RC(ac_timeout_new(NULL, 1, &scope), AC_EINVAL);
  CHECK_RC(ac_timeout_new(loop, NAN, &scope), AC_EINVAL);
  CHECK_RC(ac_timeout_new(loop, 1, NULL), AC_EINVAL);
  CHECK_RC(ac_timeout_new_at(loop, NAN, &scope), AC_EINVAL);
  CHECK(scope == NULL);
  CHECK_RC(ac_timeout_exit(NULL, 0), AC_EINVAL);
  CHECK_RC(ac_timeout_expired(NULL), AC_EINVAL);
  CHECK(isnan(ac_timeout_when(NULL)));
  CHECK_RC(ac_timeout_reschedule(NULL, 1), AC_EINVAL);
  CHECK(ac_timeout_ref(NULL) == NULL);
  ac_timeout_unref(NULL);
  /* Entering from outside any step. */
  ac_task *t = spawn_worker(loop, (struct worker){.name = "A", .delay = 1});
  CHECK_RC(ac_timeout_new(loop, 1, &scope), 0);
  CHECK_RC(ac_timeout_enter(scope, t), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Timeout should be used inside a task");
  /* asyncio 3.13: reschedule() before the scope is entered is refused. */
  CHECK_RC(ac_timeout_reschedule(scope, 7), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Timeout has not been entered");
  CHECK_DOUBLE(ac_timeout_when(scope), 1);
  CHECK_INT(ac_timeout_expired(scope), 0);
  ac_timeout_unref(scope);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  ac_task_unref(t);
  trace_clear();
  /* From inside a step. */
  struct misuse m = {0};
  ac_task *mt;
  CHECK_RC(ac_task_new(loop, misuse_step, &m, free_misuse, 0, &mt), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(mt)), 0);
  CHECK_TRACE("exit from another task: AC_EMISUSE\n");
  ac_task_unref(mt);
  th_close(loop);
}

static void test_loop_closed_inside_scope_leaks_nothing(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_set_exception_handler(loop, count_reports, NULL, NULL), 0);
  struct scoped s = {.delay = HUGE_VAL, .work = 10};
  ac_task *t = start(loop, &s);
  ac_future *sl;
  CHECK_RC(ac_sleep(loop, 1, &sl), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, sl), 0);
  ac_future_unref(sl);
  ac_task_unref(t);
  th_close(loop);  /* the task is pending inside its scope */
  CHECK_TRACE("entered at 0, deadline inf\nreport: Task was destroyed but it is pending\n");
}

int main(void) {
  RUN(test_expiry_becomes_timed_out);
  RUN(test_no_expiry_leaves_outcome);
  RUN(test_outer_cancel_passes_through);
  RUN(test_outer_cancel_with_expiry_stays_cancellation);
  RUN(test_nested_each_sees_its_own_deadline);
  RUN(test_nested_both_expire_outer_reports);
  RUN(test_reschedule_moves_deadline);
  RUN(test_reschedule_to_never);
  RUN(test_deadline_in_the_past_expires_at_once);
  RUN(test_negative_delay_expires_at_once);
  RUN(test_negative_infinite_delay_expires_at_once);
  RUN(test_misuse);
  RUN(test_loop_closed_inside_scope_leaks_nothing);
  return th_finish();
}
