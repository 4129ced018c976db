/* barrier.c — ac_barrier: arrival indices, rounds, a cancelled wait leaving,
 * reset, abort, destruction, misuse. */
#include "sync_helpers.h"

static ac_task *wait_as(ac_loop *loop, ac_barrier *b, const char *name) {
  ac_future *f;
  if (ac_barrier_wait(b, &f) != 0) return NULL;
  return spawn_awaiter(loop, name, f);
}

static void test_parties_pass_together_with_their_arrival_index(void) {
  ac_loop *loop = th_loop();
  ac_barrier *b;
  CHECK_RC(ac_barrier_new(loop, 3, &b), 0);
  CHECK_INT(ac_barrier_parties(b), 3);
  ac_task *t1 = wait_as(loop, b, "a");
  ac_task *t2 = wait_as(loop, b, "b");
  run_all(loop);
  CHECK_TRACE("");
  CHECK_INT(ac_barrier_n_waiting(b), 2);
  ac_task *t3 = wait_as(loop, b, "c");
  CHECK_INT(ac_barrier_n_waiting(b), 0);  // a new round starts at once
  run_all(loop);
  CHECK_TRACE("a: ok 0 at 0\nb: ok 1 at 0\nc: ok 2 at 0\n");
  /* The next round counts from 0 again. */
  ac_task *t4 = wait_as(loop, b, "d");
  CHECK_INT(ac_barrier_n_waiting(b), 1);
  CHECK_RC(ac_barrier_reset(b), 0);
  run_all(loop);
  CHECK_TRACE("d: AC_EBROKEN at 0\n");
  CHECK_RC(ac_barrier_broken(b), 0);
  ac_task_unref(t1);
  ac_task_unref(t2);
  ac_task_unref(t3);
  ac_task_unref(t4);
  ac_barrier_unref(b);
  th_close(loop);
}

/* asyncio: a wait cancelled before the round is complete leaves it
 * (test_locks.py BarrierTests). The waits here are made outside any task
 * and awaited by tasks made for them: a woken wait goes on in the turn of
 * the task awaiting it, as a coroutine runs inside the task that awaits
 * it, so b, woken first, is also the first to finish. */
static void test_cancelled_wait_leaves_the_round(void) {
  ac_loop *loop = th_loop();
  ac_barrier *b;
  CHECK_RC(ac_barrier_new(loop, 2, &b), 0);
  ac_task *t1 = wait_as(loop, b, "a");
  run_all(loop);
  CHECK_RC(ac_task_cancel(t1, NULL), 1);
  run_all(loop);
  CHECK_TRACE("a: AC_ECANCELLED at 0\n");
  CHECK_INT(ac_barrier_n_waiting(b), 0);
  ac_task *t2 = wait_as(loop, b, "b");
  ac_task *t3 = wait_as(loop, b, "c");
  run_all(loop);
  CHECK_TRACE("b: ok 0 at 0\nc: ok 1 at 0\n");
  ac_task_unref(t1);
  ac_task_unref(t2);
  ac_task_unref(t3);
  ac_barrier_unref(b);
  th_close(loop);
}

/* asyncio: abort() fails the pending waits with BrokenBarrierError("Abort
 * or reset of barrier"); a wait on a broken barrier fails with
 * BrokenBarrierError("Barrier aborted") without waiting; reset() mends it. */
static void test_abort_breaks_the_barrier_until_reset(void) {
  ac_loop *loop = th_loop();
  ac_barrier *b;
  ac_future *f;
  CHECK_RC(ac_barrier_new(loop, 2, &b), 0);
  ac_future *fa;
  CHECK_RC(ac_barrier_wait(b, &fa), 0);
  ac_task *t1 = spawn_awaiter(loop, "a", ac_future_ref(fa));
  run_all(loop);
  CHECK_RC(ac_barrier_abort(b), 0);
  run_all(loop);
  CHECK_TRACE("a: AC_EBROKEN at 0\n");
  CHECK_STR(ac_error_message(ac_future_error(fa)), "Abort or reset of barrier");
  ac_future_unref(fa);
  CHECK_RC(ac_barrier_broken(b), 1);
  CHECK_RC(ac_barrier_wait(b, &f), 0);
  CHECK_RC(ac_future_done(f), 1);
  CHECK_INT(ac_future_state_of(f), AC_FUTURE_ERROR);
  CHECK_INT(ac_error_code(ac_future_error(f)), AC_EBROKEN);
  CHECK_STR(ac_error_message(ac_future_error(f)), "Barrier aborted");
  CHECK_STR(ac_err_class(AC_EBROKEN), "BrokenBarrierError");
  ac_future_unref(f);
  CHECK_INT(ac_barrier_n_waiting(b), 0);
  CHECK_RC(ac_barrier_reset(b), 0);
  CHECK_RC(ac_barrier_broken(b), 0);
  ac_task *t2 = wait_as(loop, b, "b");
  ac_task *t3 = wait_as(loop, b, "c");
  run_all(loop);
  CHECK_TRACE("b: ok 0 at 0\nc: ok 1 at 0\n");
  ac_task_unref(t1);
  ac_task_unref(t2);
  ac_task_unref(t3);
  ac_barrier_unref(b);
  th_close(loop);
}

static void test_single_party_barrier_never_waits(void) {
  ac_loop *loop = th_loop();
  ac_barrier *b;
  ac_future *f;
  CHECK_RC(ac_barrier_new(loop, 1, &b), 0);
  CHECK_RC(ac_barrier_wait(b, &f), 0);
  int64_t index = -1;
  CHECK_RC(ac_future_result_int64(f, &index), 0);
  CHECK_INT(index, 0);
  ac_future_unref(f);
  ac_barrier_unref(b);
  th_close(loop);
}

static void test_destroying_a_barrier_fails_its_waiters(void) {
  ac_loop *loop = th_loop();
  ac_barrier *b;
  CHECK_RC(ac_barrier_new(loop, 2, &b), 0);
  ac_task *t1 = wait_as(loop, b, "a");
  run_all(loop);
  ac_barrier_unref(b);
  run_all(loop);
  CHECK_TRACE("a: AC_ECLOSED at 0\n");
  ac_task_unref(t1);
  th_close(loop);
}

static void test_barrier_misuse_returns_codes(void) {
  ac_loop *loop = th_loop();
  ac_barrier *b;
  ac_future *f;
  CHECK_RC(ac_barrier_new(loop, 0, &b), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "parties must be >= 1");
  CHECK_RC(ac_barrier_new(NULL, 2, &b), AC_EINVAL);
  CHECK_RC(ac_barrier_new(loop, 2, NULL), AC_EINVAL);
  CHECK_RC(ac_barrier_wait(NULL, &f), AC_EINVAL);
  CHECK_RC(ac_barrier_reset(NULL), AC_EINVAL);
  CHECK_RC(ac_barrier_abort(NULL), AC_EINVAL);
  CHECK_RC(ac_barrier_broken(NULL), AC_EINVAL);
  CHECK_INT(ac_barrier_parties(NULL), AC_EINVAL);
  CHECK_INT(ac_barrier_n_waiting(NULL), AC_EINVAL);
  CHECK_RC(ac_barrier_new(loop, 2, &b), 0);
  CHECK_RC(ac_barrier_wait(b, NULL), AC_EINVAL);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_barrier_wait(b, &f), AC_ECLOSED);
  CHECK_RC(ac_barrier_abort(b), AC_ECLOSED);
  ac_barrier_unref(b);
  ac_loop_unref(loop);
}

int main(void) {
  RUN(test_parties_pass_together_with_their_arrival_index);
  RUN(test_cancelled_wait_leaves_the_round);
  RUN(test_abort_breaks_the_barrier_until_reset);
  RUN(test_single_party_barrier_never_waits);
  RUN(test_destroying_a_barrier_fails_its_waiters);
  RUN(test_barrier_misuse_returns_codes);
  return th_finish();
}
