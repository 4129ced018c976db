/* shield.c — ac_shield: mirrors the inner work, survives cancellation of
 * its awaiter, and misuse. */
#include "workers.h"

#define W(...) ((struct worker){__VA_ARGS__})

static void test_mirrors_result(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 2, .value = 4));
  ac_future *s;
  int64_t v = 0;
  CHECK_RC(ac_shield(loop, ac_task_future(t), &s), 0);
  CHECK(s != ac_task_future(t));
  CHECK_RC(ac_loop_run_until_complete(loop, s), 0);
  CHECK_RC(ac_future_result_int64(s, &v), 0);
  CHECK_INT(v, 4);
  ac_future_unref(s);
  ac_task_unref(t);
  th_close(loop);
}

static void test_mirrors_error(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 2, .fail = AC_EPIPE));
  ac_future *s;
  CHECK_RC(ac_shield(loop, ac_task_future(t), &s), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, s), AC_EPIPE);
  CHECK(ac_future_error(s) == ac_future_error(ac_task_future(t)));
  ac_future_unref(s);
  ac_task_unref(t);
  th_close(loop);
}

struct awaiter {
  AC_ASYNC_FIELDS;
  ac_future *s;
};
static int await_s(ac_task *t, void *p) {
  struct awaiter *a = p;
  AC_BEGIN(a);
  AC_AWAIT(a, ac_task_await(t, a->s));
  trace("awaiter resumed with %s at %g", ac_err_name(ac_task_outcome(t)), now_of(t));
  AC_CHECK(t);
  AC_END(a);
}

static void test_inner_survives_cancellation_of_awaiter(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 3, .value = 1));
  ac_future *s;
  CHECK_RC(ac_shield(loop, ac_task_future(t), &s), 0);
  struct awaiter *a;
  ac_task *main;
  CHECK_RC(ac_task_new_inline(loop, await_s, sizeof *a, 0, &main, (void **)&a), 0);
  a->s = s;
  CHECK_RC(ac_loop_call_later(loop, 1, cancel_task_cb, main, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(main)), AC_ECANCELLED);
  CHECK_INT(ac_future_cancelled(s), 1);
  CHECK_INT(ac_future_done(ac_task_future(t)), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("A start at 0\ncancel task at 1\nawaiter resumed with AC_ECANCELLED at 1\nA done at 3\n");
  ac_task_unref(main);
  ac_future_unref(s);
  ac_task_unref(t);
  th_close(loop);
}

static void test_error_after_cancelled_shield_is_reported(void) {
  ac_loop *loop = th_loop();
  reports = 0;
  CHECK_RC(ac_loop_set_exception_handler(loop, count_reports, NULL, NULL), 0);
  ac_future *inner, *s, *later;
  CHECK_RC(ac_future_new(loop, &inner), 0);
  CHECK_RC(ac_shield(loop, inner, &s), 0);
  CHECK_RC(ac_future_cancel(s, NULL), 1);
  CHECK_INT(ac_future_done(inner), 0);
  CHECK_RC(ac_future_set_error_code(inner, AC_EPIPE, "lost"), 0);
  CHECK_RC(ac_sleep(loop, 0, &later), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, later), 0);
  ac_future_unref(later);
  ac_future_unref(s);
  CHECK_INT(reports, 0);
  ac_future_unref(inner);  /* nobody read it */
  CHECK_INT(reports, 1);
  CHECK_TRACE("report: Future exception was never retrieved\n");
  th_close(loop);
}

static void test_done_inner_is_returned_itself(void) {
  ac_loop *loop = th_loop();
  ac_future *f, *s;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_set_result_none(f), 0);
  CHECK_RC(ac_shield(loop, f, &s), 0);
  CHECK(s == f);
  ac_future_unref(s);
  ac_future_unref(f);
  th_close(loop);
}

static void test_misuse(void) {
  ac_loop *loop = th_loop(), *other = th_loop();
  ac_future *f, *foreign, *s = NULL;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_new(other, &foreign), 0);
  CHECK_RC(ac_shield(NULL, f, &s), AC_EINVAL);
  CHECK_RC(ac_shield(loop, NULL, &s), AC_EINVAL);
  CHECK_RC(ac_shield(loop, f, NULL), AC_EINVAL);
  CHECK_RC(ac_shield(loop, foreign, &s), AC_EINVAL);
  CHECK(s == NULL);
  ac_future_unref(f);
  ac_future_unref(foreign);
  th_close(other);
  th_close(loop);
}

/* A storm: 48,000 shields of one future; two thirds are cancelled in a
 * scrambled order (their awaiters gave up), each leaving the inner
 * future's callback list without a walk over it. The inner future's result
 * then reaches the shields left, in the order they were made. */
enum { kStorm = 48000 };
static int storm_next, storm_in_order;
static void storm_shield_done(ac_future *s, void *ud) {
  int i = (int)(intptr_t)ud;
  int64_t v = 0;
  if (i == storm_next && ac_future_result_int64(s, &v) == 0 && v == 42) ++storm_in_order;
  storm_next = i + 3;
}

static void test_storm_of_shields_cancelled(void) {
  ac_loop *loop = th_loop();
  static ac_future *s[kStorm], *left[kStorm];
  ac_future *inner, *g;
  CHECK_RC(ac_future_new(loop, &inner), 0);
  for (int i = 0; i < kStorm; ++i) CHECK_RC(ac_shield(loop, inner, &s[i]), 0);
  for (int k = 0; k < kStorm; ++k) {
    int i = (int)(((long long)k * 7919) % kStorm); /* a permutation */
    if (i % 3 != 0) CHECK_INT(ac_future_cancel(s[i], NULL), 1);
  }
  int n = 0;
  for (int i = 0; i < kStorm; i += 3) {
    CHECK_RC(ac_future_add_done_callback(s[i], storm_shield_done, (void *)(intptr_t)i, NULL), 0);
    left[n++] = s[i];
  }
  CHECK_RC(ac_future_set_result_int64(inner, 42), 0);
  CHECK_RC(ac_gather(loop, left, (size_t)n, 0, &g), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), 0);
  ac_future_unref(g);
  CHECK_INT(storm_in_order, n);
  for (int i = 0; i < kStorm; ++i) {
    CHECK_INT(ac_future_cancelled(s[i]), i % 3 != 0);
    ac_future_unref(s[i]);
  }
  ac_future_unref(inner);
  th_close(loop);
}

int main(void) {
  RUN(test_mirrors_result);
  RUN(test_mirrors_error);
  RUN(test_inner_survives_cancellation_of_awaiter);
  RUN(test_error_after_cancelled_shield_is_reported);
  RUN(test_done_inner_is_returned_itself);
  RUN(test_misuse);
  RUN(test_storm_of_shields_cancelled);
  return th_finish();
}
