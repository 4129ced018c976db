/* wait.c — ac_wait: the three modes, the timeout, the partition, nothing
 * cancelled, and misuse. */
#include "workers.h"

#define W(...) ((struct worker){__VA_ARGS__})

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
  ac_future *all;  /* let every worker finish before closing */
  CHECK_RC(ac_gather(fx->loop, fx->items, 3, AC_GATHER_RETURN_EXCEPTIONS, &all), 0);
  CHECK_RC(ac_loop_run_until_complete(fx->loop, all), 0);
  ac_future_unref(all);
  for (int i = 0; i < 3; ++i) ac_task_unref(fx->t[i]);
  th_close(fx->loop);
}

static int index_of(struct fixture *fx, ac_future *f) {
  for (int i = 0; i < 3; ++i)
    if (fx->items[i] == f) return i;
  return -1;
}

static void check_partition(struct fixture *fx, ac_future *w, const char *done, const char *pending) {
  char d[8] = {0}, p[8] = {0};
  int nd = ac_wait_done_count(w), np = ac_wait_pending_count(w);
  CHECK(nd >= 0 && np >= 0 && nd + np <= 3);
  for (int i = 0; i < nd; ++i) d[i] = (char)('A' + index_of(fx, ac_wait_done_at(w, (size_t)i)));
  for (int i = 0; i < np; ++i) p[i] = (char)('A' + index_of(fx, ac_wait_pending_at(w, (size_t)i)));
  CHECK_STR(d, done);
  CHECK_STR(p, pending);
}

static void test_first_completed(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 3), W(.name = "B", .delay = 1), W(.name = "C", .delay = 2));
  ac_future *w;
  CHECK_RC(ac_wait(fx.loop, fx.items, 3, AC_WAIT_FIRST_COMPLETED, AC_NO_TIMEOUT, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, w), 0);
  CHECK_DOUBLE(ac_loop_time(fx.loop), 1);
  check_partition(&fx, w, "B", "AC");
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\nB done at 1\n");
  ac_future_unref(w);
  teardown(&fx);
}

static void test_first_exception_ignores_cancellation(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 3), W(.name = "B", .delay = 1), W(.name = "C", .delay = 2, .fail = AC_EPIPE));
  ac_future *w;
  CHECK_RC(ac_wait(fx.loop, fx.items, 3, AC_WAIT_FIRST_EXCEPTION, AC_NO_TIMEOUT, &w), 0);
  CHECK_RC(ac_loop_call_later(fx.loop, 0.5, cancel_task_cb, fx.t[0], NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, w), 0);
  CHECK_DOUBLE(ac_loop_time(fx.loop), 2);
  check_partition(&fx, w, "ABC", "");
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\ncancel task at 0.5\nA cancelled at 0.5\n"
              "B done at 1\nC fails at 2\n");
  CHECK_RC(ac_future_result(fx.items[2], NULL), AC_EPIPE);
  ac_future_unref(w);
  teardown(&fx);
}

static void test_first_exception_returns_early(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 3), W(.name = "B", .delay = 1, .fail = AC_EPIPE), W(.name = "C", .delay = 2));
  ac_future *w;
  CHECK_RC(ac_wait(fx.loop, fx.items, 3, AC_WAIT_FIRST_EXCEPTION, AC_NO_TIMEOUT, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, w), 0);
  CHECK_DOUBLE(ac_loop_time(fx.loop), 1);
  check_partition(&fx, w, "B", "AC");
  CHECK_RC(ac_future_result(fx.items[1], NULL), AC_EPIPE);
  ac_future_unref(w);
  teardown(&fx);
}

static void test_all_completed(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 3), W(.name = "B", .delay = 1, .fail = AC_EPIPE), W(.name = "C", .delay = 2));
  ac_future *w;
  CHECK_RC(ac_wait(fx.loop, fx.items, 3, AC_WAIT_ALL_COMPLETED, AC_NO_TIMEOUT, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, w), 0);
  CHECK_DOUBLE(ac_loop_time(fx.loop), 3);
  check_partition(&fx, w, "ABC", "");
  CHECK_RC(ac_future_result(fx.items[1], NULL), AC_EPIPE);
  ac_future_unref(w);
  teardown(&fx);
}

static void test_timeout_returns_partition_and_cancels_nothing(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 3), W(.name = "B", .delay = 1), W(.name = "C", .delay = 2));
  ac_future *w;
  CHECK_RC(ac_wait(fx.loop, fx.items, 3, AC_WAIT_ALL_COMPLETED, 1.5, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, w), 0);
  CHECK_DOUBLE(ac_loop_time(fx.loop), 1.5);
  check_partition(&fx, w, "B", "AC");
  CHECK_INT(ac_future_done(fx.items[0]), 0);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, fx.items[0]), 0);  // still running
  check_partition(&fx, w, "B", "AC");                              // the partition stays
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\nB done at 1\nC done at 2\nA done at 3\n");
  ac_future_unref(w);
  teardown(&fx);
}

static void test_cancelling_wait_cancels_only_the_wait(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 3), W(.name = "B", .delay = 1), W(.name = "C", .delay = 2));
  ac_future *w;
  CHECK_RC(ac_wait(fx.loop, fx.items, 3, AC_WAIT_ALL_COMPLETED, 10, &w), 0);
  CHECK_RC(ac_loop_call_later(fx.loop, 0.5, cancel_cb, w, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, w), AC_ECANCELLED);
  CHECK_RC(ac_wait_done_count(w), AC_ESTATE);
  ac_future *g;
  CHECK_RC(ac_gather(fx.loop, fx.items, 3, 0, &g), 0);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, g), 0);
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\ncancel at 0.5\nB done at 1\nC done at 2\nA done at 3\n");
  ac_future_unref(g);
  ac_future_unref(w);
  teardown(&fx);
}

static void test_duplicates_count_once(void) {
  ac_loop *loop = th_loop();
  ac_future *f, *w;
  CHECK_RC(ac_future_new(loop, &f), 0);
  ac_future *items[2] = {f, f};
  CHECK_RC(ac_wait(loop, items, 2, AC_WAIT_ALL_COMPLETED, AC_NO_TIMEOUT, &w), 0);
  CHECK_RC(ac_future_set_result_none(f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, w), 0);
  CHECK_INT(ac_wait_done_count(w), 1);
  CHECK_INT(ac_wait_pending_count(w), 0);
  ac_future_unref(w);
  ac_future_unref(f);
  th_close(loop);
}

static void test_partition_taken_when_first_read(void) {
  /* Two futures complete in the same iteration: the FIRST_COMPLETED wait
   * completes on the first, but when read both are done (asyncio builds
   * the sets when the waiter resumes). */
  ac_loop *loop = th_loop();
  ac_future *a, *b, *w;
  CHECK_RC(ac_sleep(loop, 1, &a), 0);
  CHECK_RC(ac_sleep(loop, 1, &b), 0);
  ac_future *items[2] = {a, b};
  CHECK_RC(ac_wait(loop, items, 2, AC_WAIT_FIRST_COMPLETED, AC_NO_TIMEOUT, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, w), 0);
  CHECK_INT(ac_wait_done_count(w), 2);
  ac_future_unref(w);
  ac_future_unref(a);
  ac_future_unref(b);
  th_close(loop);
}

/* asyncio: a timeout <= 0 is due at once (call_later with a negative
 * delay): the wait completes on the loop's next turn with everything
 * pending, and cancels nothing. */
static void test_negative_timeout_is_due_at_once(void) {
  struct fixture fx;
  setup(&fx, W(.name = "A", .delay = 1), W(.name = "B", .delay = 2), W(.name = "C", .delay = 3));
  ac_future *w;
  CHECK_RC(ac_wait(fx.loop, fx.items, 3, AC_WAIT_ALL_COMPLETED, -1, &w), 0);
  CHECK_RC(ac_loop_run_until_complete(fx.loop, w), 0);
  CHECK_DOUBLE(ac_loop_time(fx.loop), 0);
  check_partition(&fx, w, "", "ABC");
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\n");
  ac_future_unref(w);
  teardown(&fx);
  CHECK_TRACE("A done at 1\nB done at 2\nC done at 3\n");
}

static void test_misuse(void) {
  ac_loop *loop = th_loop(), *other = th_loop();
  ac_future *f, *foreign, *w = NULL;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_new(other, &foreign), 0);
  ac_future *mixed[2] = {f, foreign};
  CHECK_RC(ac_wait(loop, NULL, 0, 0, AC_NO_TIMEOUT, &w), AC_EINVAL);  // empty
  CHECK_RC(ac_wait(loop, &f, 0, 0, AC_NO_TIMEOUT, &w), AC_EINVAL);
  CHECK_RC(ac_wait(NULL, &f, 1, 0, AC_NO_TIMEOUT, &w), AC_EINVAL);
  CHECK_RC(ac_wait(loop, NULL, 1, 0, AC_NO_TIMEOUT, &w), AC_EINVAL);
  CHECK_RC(ac_wait(loop, &f, 1, 0, AC_NO_TIMEOUT, NULL), AC_EINVAL);
  CHECK_RC(ac_wait(loop, mixed, 2, 0, AC_NO_TIMEOUT, &w), AC_EINVAL);
  CHECK_RC(ac_wait(loop, &f, 1, 3, AC_NO_TIMEOUT, &w), AC_EINVAL);
  CHECK_RC(ac_wait(loop, &f, 1, -1, AC_NO_TIMEOUT, &w), AC_EINVAL);
  CHECK_RC(ac_wait(loop, &f, 1, 0, 0.0 / 0.0, &w), AC_EINVAL);
  CHECK(w == NULL);
  CHECK_RC(ac_wait_done_count(f), AC_EINVAL);
  CHECK_RC(ac_wait_pending_count(NULL), AC_EINVAL);
  CHECK(ac_wait_done_at(f, 0) == NULL);
  CHECK_RC(ac_wait(loop, &f, 1, 0, AC_NO_TIMEOUT, &w), 0);
  CHECK_RC(ac_wait_done_count(w), AC_ESTATE);  // pending
  CHECK(ac_wait_pending_at(w, 0) == NULL);
  ac_future_unref(w);
  ac_future_unref(f);
  ac_future_unref(foreign);
  th_close(other);
  th_close(loop);
}

/* A storm: 48,000 waits of (shared, own), FIRST_COMPLETED, as a server's
 * connections each wait for their read or the shutdown. Two thirds see
 * their own future complete, in a scrambled order, and leave the shared
 * future's callback list: each leaving is found without a walk over the
 * list (before, 48,000 leavings cost some 800 million steps). Then the
 * shared future completes: the waits still on it end in the order they
 * began. */
enum { kStorm = 48000 };
static int storm_next, storm_in_order, storm_fired;
static void storm_wait_done(ac_future *w, void *ud) {
  int i = (int)(intptr_t)ud;
  (void)w;
  if (i == storm_next) ++storm_in_order;
  storm_next = i + 3;
}
static void storm_shared_done(ac_future *f, void *ud) {
  (void)f;
  (void)ud;
  ++storm_fired;
}

static void test_storm_of_waits_leaving_a_shared_future(void) {
  ac_loop *loop = th_loop();
  static ac_future *own[kStorm], *w[kStorm], *left[kStorm];
  ac_future *shared, *g;
  CHECK_RC(ac_future_new(loop, &shared), 0);
  for (int i = 0; i < kStorm; ++i) {
    CHECK_RC(ac_future_new(loop, &own[i]), 0);
    ac_future *items[2] = {shared, own[i]};
    CHECK_RC(ac_wait(loop, items, 2, AC_WAIT_FIRST_COMPLETED, AC_NO_TIMEOUT, &w[i]), 0);
  }
  /* 7919 is prime: i -> i * 7919 mod kStorm is a permutation. */
  int n = 0;
  for (int k = 0; k < kStorm; ++k) {
    int i = (int)(((long long)k * 7919) % kStorm);
    if (i % 3 == 0) continue;
    CHECK_RC(ac_future_set_result_int64(own[i], i), 0);
    left[n++] = w[i];
  }
  CHECK_RC(ac_gather(loop, left, (size_t)n, 0, &g), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), 0);
  ac_future_unref(g);
  for (int i = 1; i < kStorm; i += 3) {
    CHECK_INT(ac_wait_done_count(w[i]), 1);
    CHECK(ac_wait_done_at(w[i], 0) == own[i]);
    CHECK(ac_wait_pending_at(w[i], 0) == shared);
  }
  /* The rest: the shared future wakes them in the order they began, and a
   * callback added after them all runs once. */
  n = 0;
  for (int i = 0; i < kStorm; i += 3) {
    CHECK_INT(ac_future_done(w[i]), 0);
    CHECK_RC(ac_future_add_done_callback(w[i], storm_wait_done, (void *)(intptr_t)i, NULL), 0);
    left[n++] = w[i];
  }
  CHECK_RC(ac_future_add_done_callback(shared, storm_shared_done, NULL, NULL), 0);
  CHECK_RC(ac_future_set_result_none(shared), 0);
  CHECK_RC(ac_gather(loop, left, (size_t)n, 0, &g), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, g), 0);
  ac_future_unref(g);
  CHECK_INT(storm_in_order, n);
  CHECK_INT(storm_fired, 1);
  CHECK_INT(ac_wait_done_count(w[0]), 1);
  CHECK(ac_wait_done_at(w[0], 0) == shared);
  for (int i = 0; i < kStorm; ++i) {
    ac_future_unref(w[i]);
    ac_future_unref(own[i]);
  }
  ac_future_unref(shared);
  th_close(loop);
}

int main(void) {
  RUN(test_first_completed);
  RUN(test_first_exception_ignores_cancellation);
  RUN(test_first_exception_returns_early);
  RUN(test_all_completed);
  RUN(test_timeout_returns_partition_and_cancels_nothing);
  RUN(test_cancelling_wait_cancels_only_the_wait);
  RUN(test_duplicates_count_once);
  RUN(test_partition_taken_when_first_read);
  RUN(test_negative_timeout_is_due_at_once);
  RUN(test_misuse);
  RUN(test_storm_of_waits_leaving_a_shared_future);
  return th_finish();
}
