/* as_completed.c — ac_as_completed_*: completion order, the timeout, errors,
 * cancelled next()-futures losing nothing, and misuse. */
#include <math.h>

#include "workers.h"

#define W(...) ((struct worker){__VA_ARGS__})

struct consumer {
  AC_ASYNC_FIELDS;
  ac_as_completed *it;
  ac_future *next;
};

static int consume(ac_task *t, void *p) {
  struct consumer *c = p;
  AC_BEGIN(c);
  while (ac_as_completed_next(c->it, &c->next) == 1) {
    AC_AWAIT(c, ac_task_await(t, c->next));
    {
      int64_t v = -1;
      int rc = ac_future_result_int64(c->next, &v);
      trace("got #%lld: %s %lld at %g", (long long)ac_as_completed_index(c->next), ac_err_name(rc),
            (long long)v, now_of(t));
    }
    ac_future_unref(c->next);
    c->next = NULL;
  }
  trace("exhausted");
  AC_END(c);
}

static void free_consumer(void *p) {
  struct consumer *c = p;
  ac_future_unref(c->next);
}

static void run_consumer(ac_loop *loop, ac_as_completed *it) {
  struct consumer c = {0};
  c.it = it;
  ac_task *t;
  CHECK_RC(ac_task_new(loop, consume, &c, free_consumer, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  ac_task_unref(t);
}

struct fixture {
  ac_loop *loop;
  ac_task *t[3];
  ac_future *items[3];
};

static void setup(struct fixture *fx, struct worker a, struct worker b, struct worker c) {
  fx->loop = th_loop();
  fx->t[0] = spawn_worker(fx->loop, a);
  fx->t[1] = spawn_worker(fx->loop, b);
  fx->t[2] = spawn_worker(fx->loop, c);
  for (int i = 0; i < 3; ++i) fx->items[i] = ac_task_future(fx->t[i]);
}

static void teardown(struct fixture *fx) {
  ac_future *all;
  CHECK_RC(ac_gather(fx->loop, fx->items, 3, AC_GATHER_RETURN_EXCEPTIONS, &all), 0);
  CHECK_RC(ac_loop_run_until_complete(fx->loop, all), 0);
  ac_future_unref(all);
  for (int i = 0; i < 3; ++i) ac_task_unref(fx->t[i]);
  th_close(fx->loop);
}

static void test_yields_in_completion_order(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 3, .value = 1), W(.name = "B", .delay = 1, .value = 2),
        W(.name = "C", .delay = 2, .value = 3));
  ac_as_completed *it;
  CHECK_RC(ac_as_completed_new(fx.loop, fx.items, 3, AC_NO_TIMEOUT, &it), 0);
  run_consumer(fx.loop, it);
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\nB done at 1\ngot #1: AC_OK 2 at 1\n"
              "C done at 2\ngot #2: AC_OK 3 at 2\nA done at 3\ngot #0: AC_OK 1 at 3\nexhausted\n");
  ac_as_completed_unref(it);
  teardown(&fx);
}

static void test_timeout_fails_the_rest(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 3, .value = 1), W(.name = "B", .delay = 1, .value = 2),
        W(.name = "C", .delay = 2, .value = 3));
  ac_as_completed *it;
  CHECK_RC(ac_as_completed_new(fx.loop, fx.items, 3, 1.5, &it), 0);
  run_consumer(fx.loop, it);
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\nB done at 1\ngot #1: AC_OK 2 at 1\n"
              "got #-1: ETIMEDOUT -1 at 1.5\ngot #-1: ETIMEDOUT -1 at 1.5\nexhausted\n");
  CHECK_INT(ac_future_done(fx.items[0]), 0);  // nothing was cancelled
  ac_as_completed_unref(it);
  teardown(&fx);
  trace_clear();
}

static void test_errors_pass_through(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 3, .value = 1), W(.name = "B", .delay = 1, .fail = AC_EPIPE),
        W(.name = "C", .delay = 2, .value = 3));
  ac_as_completed *it;
  ac_future *n;
  CHECK_RC(ac_as_completed_new(fx.loop, fx.items, 3, AC_NO_TIMEOUT, &it), 0);
  CHECK_RC(ac_as_completed_next(it, &n), 1);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, n), AC_EPIPE);
  CHECK(ac_future_error(n) == ac_future_error(fx.items[1]));
  CHECK_INT(ac_as_completed_index(n), 1);
  ac_future_unref(n);
  ac_as_completed_unref(it);
  teardown(&fx);
}

static void test_cancelled_next_loses_nothing(void) {
  ac_loop *loop = th_loop();
  ac_future *a, *n1, *n2;
  CHECK_RC(ac_future_new(loop, &a), 0);
  ac_as_completed *it;
  CHECK_RC(ac_as_completed_new(loop, &a, 1, AC_NO_TIMEOUT, &it), 0);
  CHECK_RC(ac_as_completed_next(it, &n1), 1);
  CHECK_RC(ac_as_completed_next(it, &n2), 0);  // one input: exhausted
  CHECK(n2 == NULL);
  CHECK_RC(ac_future_cancel(n1, NULL), 1);
  ac_future_unref(n1);
  CHECK_RC(ac_future_set_result_int64(a, 5), 0);
  ac_as_completed_unref(it);
  ac_future_unref(a);
  th_close(loop);
}

static void test_waiter_cancelled_completion_goes_to_next_waiter(void) {
  ac_loop *loop = th_loop();
  ac_future *a, *b, *n1, *n2;
  CHECK_RC(ac_future_new(loop, &a), 0);
  CHECK_RC(ac_future_new(loop, &b), 0);
  ac_future *items[2] = {a, b};
  ac_as_completed *it;
  CHECK_RC(ac_as_completed_new(loop, items, 2, AC_NO_TIMEOUT, &it), 0);
  CHECK_RC(ac_as_completed_next(it, &n1), 1);
  CHECK_RC(ac_as_completed_next(it, &n2), 1);
  CHECK_RC(ac_future_cancel(n1, NULL), 1);
  CHECK_RC(ac_future_set_result_int64(b, 7), 0);
  int64_t v = 0;
  CHECK_RC(ac_loop_run_until_complete(loop, n2), 0);
  CHECK_RC(ac_future_result_int64(n2, &v), 0);
  CHECK_INT(v, 7);
  CHECK_INT(ac_as_completed_index(n2), 1);
  ac_future_unref(n1);
  ac_future_unref(n2);
  ac_as_completed_unref(it);
  ac_future_unref(a);
  ac_future_unref(b);
  th_close(loop);
}

static void test_dropping_iterator_cancels_pending_next(void) {
  ac_loop *loop = th_loop();
  ac_future *a, *n;
  CHECK_RC(ac_future_new(loop, &a), 0);
  ac_as_completed *it;
  CHECK_RC(ac_as_completed_new(loop, &a, 1, 5, &it), 0);
  CHECK_RC(ac_as_completed_next(it, &n), 1);
  CHECK_INT(ac_as_completed_index(n), -1);
  ac_as_completed_unref(it);  /* the timer still holds it */
  CHECK_RC(ac_loop_run_until_complete(loop, n), AC_ETIMEDOUT);
  CHECK_DOUBLE(ac_loop_time(loop), 5);
  ac_future_unref(n);
  CHECK_RC(ac_as_completed_new(loop, &a, 1, AC_NO_TIMEOUT, &it), 0);
  CHECK_RC(ac_as_completed_next(it, &n), 1);
  ac_as_completed_unref(it);  /* no timer: gone, n cancelled */
  CHECK_INT(ac_future_cancelled(n), 1);
  ac_future_unref(n);
  ac_future_unref(a);
  th_close(loop);
}

static void test_inputs_already_done_come_in_argument_order(void) {
  ac_loop *loop = th_loop();
  ac_future *f[3];
  for (int i = 0; i < 3; ++i) {
    CHECK_RC(ac_future_new(loop, &f[i]), 0);
    CHECK_RC(ac_future_set_result_int64(f[i], 10 + i), 0);
  }
  ac_as_completed *it;
  CHECK_RC(ac_as_completed_new(loop, f, 3, 0, &it), 0);  /* timeout 0: already done wins */
  run_consumer(loop, it);
  CHECK_TRACE("got #0: AC_OK 10 at 0\ngot #1: AC_OK 11 at 0\ngot #2: AC_OK 12 at 0\nexhausted\n");
  ac_as_completed_unref(it);
  for (int i = 0; i < 3; ++i) ac_future_unref(f[i]);
  th_close(loop);
}

/* asyncio: as_completed takes a set, so an input passed twice is reported
 * once (here under its first index). */
static void test_duplicates_are_reported_once(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 2, .value = 1), W(.name = "B", .delay = 1, .value = 2),
        W(.name = "C", .delay = 3, .value = 3));
  ac_future *items[3] = {fx.items[0], fx.items[1], fx.items[0]};
  ac_as_completed *it;
  CHECK_RC(ac_as_completed_new(fx.loop, items, 3, AC_NO_TIMEOUT, &it), 0);
  run_consumer(fx.loop, it);
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\nB done at 1\ngot #1: AC_OK 2 at 1\n"
              "A done at 2\ngot #0: AC_OK 1 at 2\nexhausted\n");
  ac_as_completed_unref(it);
  teardown(&fx);
}

static void test_empty_is_exhausted(void) {
  ac_loop *loop = th_loop();
  ac_as_completed *it;
  ac_future *n = (ac_future *)1;
  CHECK_RC(ac_as_completed_new(loop, NULL, 0, AC_NO_TIMEOUT, &it), 0);
  CHECK_RC(ac_as_completed_next(it, &n), 0);
  CHECK(n == NULL);
  ac_as_completed_unref(it);
  th_close(loop);
}

/* asyncio: a timeout <= 0 is due at once (call_later with a negative
 * delay): every next() fails with TimeoutError on the loop's next turn. */
static void test_negative_timeout_is_due_at_once(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 1, .value = 1), W(.name = "B", .delay = 2, .value = 2),
        W(.name = "C", .delay = 3, .value = 3));
  ac_as_completed *it;
  CHECK_RC(ac_as_completed_new(fx.loop, fx.items, 3, -0.5, &it), 0);
  run_consumer(fx.loop, it);
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\n"
              "got #-1: ETIMEDOUT -1 at 0\ngot #-1: ETIMEDOUT -1 at 0\ngot #-1: ETIMEDOUT -1 at 0\n"
              "exhausted\n");
  ac_as_completed_unref(it);
  teardown(&fx);
}

static void test_misuse(void) {
  ac_loop *loop = th_loop(), *other = th_loop();
  ac_future *f, *foreign, *n;
  ac_as_completed *it = NULL;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_new(other, &foreign), 0);
  ac_future *mixed[2] = {f, foreign};
  ac_future *with_null[2] = {f, NULL};
  CHECK_RC(ac_as_completed_new(NULL, &f, 1, AC_NO_TIMEOUT, &it), AC_EINVAL);
  CHECK_RC(ac_as_completed_new(loop, NULL, 1, AC_NO_TIMEOUT, &it), AC_EINVAL);
  CHECK_RC(ac_as_completed_new(loop, with_null, 2, AC_NO_TIMEOUT, &it), AC_EINVAL);
  CHECK_RC(ac_as_completed_new(loop, mixed, 2, AC_NO_TIMEOUT, &it), AC_EINVAL);
  CHECK_RC(ac_as_completed_new(loop, &f, 1, NAN, &it), AC_EINVAL);
  CHECK_RC(ac_as_completed_new(loop, &f, 1, AC_NO_TIMEOUT, NULL), AC_EINVAL);
  CHECK(it == NULL);
  CHECK_RC(ac_as_completed_next(NULL, &n), AC_EINVAL);
  CHECK_INT(ac_as_completed_index(f), AC_EINVAL);
  CHECK_INT(ac_as_completed_index(NULL), AC_EINVAL);
  CHECK_RC(ac_as_completed_new(loop, &f, 1, AC_NO_TIMEOUT, &it), 0);
  CHECK_RC(ac_as_completed_next(it, NULL), AC_EINVAL);
  ac_as_completed_unref(NULL);
  CHECK(ac_as_completed_ref(NULL) == NULL);
  ac_as_completed_unref(it);
  ac_future_unref(f);
  ac_future_unref(foreign);
  th_close(other);
  th_close(loop);
}

int main(void) {
  RUN(test_yields_in_completion_order);
  RUN(test_timeout_fails_the_rest);
  RUN(test_errors_pass_through);
  RUN(test_cancelled_next_loses_nothing);
  RUN(test_waiter_cancelled_completion_goes_to_next_waiter);
  RUN(test_dropping_iterator_cancels_pending_next);
  RUN(test_inputs_already_done_come_in_argument_order);
  RUN(test_duplicates_are_reported_once);
  RUN(test_empty_is_exhausted);
  RUN(test_negative_timeout_is_due_at_once);
  RUN(test_misuse);
  return th_finish();
}
