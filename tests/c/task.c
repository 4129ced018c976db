/* task.c — tasks and the step protocol: scheduling, awaiting, results and
 * errors, every cancellation rule, eager start, names, the task list,
 * unobserved errors, close with pending tasks, ac_run, misuse. */
#include <stdlib.h>

#include "harness.h"

static int frees;
static void count_free(void *ud) {
  (void)ud;
  ++frees;
}

/* A sleeper: sleeps `delay`, traces, returns `value`. */
struct sleeper {
  AC_ASYNC_FIELDS;
  const char *name;
  double delay;
  int64_t value;
};
static int sleeper_step(ac_task *t, void *p) {
  struct sleeper *s = p;
  AC_BEGIN(s);
  trace("%s start", s->name);
  AC_AWAIT(s, ac_task_sleep(t, s->delay));
  if (ac_task_outcome(t) < 0) {
    trace("%s sees %s", s->name, ac_err_name(ac_task_outcome(t)));
    AC_CHECK(t);
  }
  trace("%s woke at %g", s->name, ac_loop_time(ac_task_get_loop(t)));
  return ac_task_return_int64(t, s->value);
  AC_END(s);
}
static ac_task *spawn_sleeper(ac_loop *loop, const char *name, double delay, int64_t value) {
  struct sleeper *s;
  ac_task *t = NULL;
  CHECK_RC(ac_task_new_inline(loop, sleeper_step, sizeof *s, 0, &t, (void **)&s), 0);
  s->name = name;
  s->delay = delay;
  s->value = value;
  return t;
}

static void test_task_starts_later_and_returns_result(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_sleeper(loop, "a", 1.5, 99);
  CHECK_TRACE("");  /* not started inline */
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("a start\na woke at 1.5\n");
  int64_t v;
  CHECK_RC(ac_future_result_int64(ac_task_future(t), &v), 0);
  CHECK_INT(v, 99);
  CHECK(ac_future_as_task(ac_task_future(t)) == t);
  /* The view is the task's own address (the faces rely on it). */
  CHECK((void *)ac_task_future(t) == (void *)t);
  CHECK(ac_task_future(NULL) == NULL);
  ac_task_unref(t);
  th_close(loop);
}

/* A parent that awaits two children in sequence (asyncio's create_task
 * example) and sums their results. */
struct parent {
  AC_ASYNC_FIELDS;
  ac_task *a, *b;
  int64_t sum;
};
static int parent_step(ac_task *t, void *p) {
  struct parent *s = p;
  int64_t v;
  AC_BEGIN(s);
  s->a = spawn_sleeper(ac_task_get_loop(t), "slow", 2, 20);
  s->b = spawn_sleeper(ac_task_get_loop(t), "fast", 1, 22);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  s->sum += v;
  trace("parent got slow");
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->b)));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  s->sum += v;
  trace("parent got fast");
  return ac_task_return_int64(t, s->sum);
  AC_END(s);
}
static void free_parent(void *p) {
  struct parent *s = p;
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  free(s);
}

static void test_concurrent_children_awaited_in_sequence(void) {
  ac_loop *loop = th_loop();
  struct parent *s = calloc(1, sizeof *s);
  ac_task *t;
  CHECK_RC(ac_task_new(loop, parent_step, s, free_parent, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("slow start\nfast start\nfast woke at 1\nslow woke at 2\nparent got slow\nparent got fast\n");
  int64_t v;
  CHECK_RC(ac_future_result_int64(ac_task_future(t), &v), 0);
  CHECK_INT(v, 42);
  CHECK_DOUBLE(ac_loop_time(loop), 2);
  ac_task_unref(t);
  th_close(loop);
}

static void test_cancel_before_first_step(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_sleeper(loop, "early", 1, 0);
  CHECK_RC(ac_task_cancel(t, "before start"), 1);
  CHECK_RC(ac_task_cancelling(t), 1);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  /* asyncio: a coroutine cancelled before it starts never runs. */
  CHECK_TRACE("");
  CHECK_RC(ac_future_cancelled(ac_task_future(t)), 1);
  CHECK_STR(ac_error_message(ac_future_error(ac_task_future(t))), "before start");
  CHECK_RC(ac_task_cancel(t, NULL), 0); /* done: nothing to cancel */
  ac_task_unref(t);
  th_close(loop);
}

static void test_cancel_while_awaiting_cancels_the_awaited_future(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_sleeper(loop, "sleepy", 10, 0);
  ac_future *probe;
  CHECK_RC(ac_sleep(loop, 1, &probe), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, probe), 0);
  CHECK_TRACE("sleepy start\n");
  CHECK_RC(ac_task_cancel(t, "enough"), 1);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  CHECK_TRACE("sleepy sees AC_ECANCELLED\n");
  CHECK_DOUBLE(ac_loop_time(loop), 1); /* the 10 s timer was cancelled */
  CHECK_STR(ac_error_message(ac_future_error(ac_task_future(t))), "enough");
  ac_future_unref(probe);
  ac_task_unref(t);
  th_close(loop);
}

/* Swallows the first cancellation, then sleeps again and finishes. */
struct stubborn {
  AC_ASYNC_FIELDS;
};
static int stubborn_step(ac_task *t, void *p) {
  struct stubborn *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 5));
  trace("outcome %s cancelling %d", ac_err_name(ac_task_outcome(t)), (int)ac_task_cancelling(t));
  trace("uncancel -> %d", (int)ac_task_uncancel(t));
  AC_AWAIT(s, ac_task_sleep(t, 1));
  trace("second sleep outcome %s at %g", ac_err_name(ac_task_outcome(t)),
        ac_loop_time(ac_task_get_loop(t)));
  return ac_task_return_int64(t, 5);
  AC_END(s);
}

static void test_step_may_swallow_cancellation_and_uncancel(void) {
  ac_loop *loop = th_loop();
  ac_task *t;
  void *st;
  CHECK_RC(ac_task_new_inline(loop, stubborn_step, sizeof(struct stubborn), 0, &t, &st), 0);
  ac_future *probe;
  CHECK_RC(ac_sleep(loop, 2, &probe), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, probe), 0);
  CHECK_RC(ac_task_cancel(t, NULL), 1);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("outcome AC_ECANCELLED cancelling 1\nuncancel -> 0\nsecond sleep outcome AC_OK at 3\n");
  CHECK_RC(ac_future_cancelled(ac_task_future(t)), 0);
  ac_future_unref(probe);
  ac_task_unref(t);
  th_close(loop);
}

/* ac_task_outcome_error: what a step is resumed with, message included. A
 * task cancelled (here by itself) while it yields is handed the CancelledError cancel()
 * made (asyncio: the message reaches the coroutine), though nothing it
 * awaited failed; a failed await hands over the future's own error; a
 * result hands over nothing. */
static int outcome_error_step(ac_task *t, void *p) {
  int *n = p;
  ac_error *e = ac_task_outcome_error(t);
  trace("step %d outcome %s error %s", *n, ac_err_name(ac_task_outcome(t)),
        e != NULL ? ac_error_message(e) : "none");
  switch ((*n)++) {
    case 0:
      /* As `current_task().cancel("m1"); await sleep(0)`. */
      CHECK_RC(ac_task_cancel(t, "m1"), 1);
      return AC_STEP_YIELD;
    case 1: {
      CHECK_RC(ac_task_uncancel(t), 0);
      ac_future *f = NULL;
      CHECK_RC(ac_future_new(ac_task_get_loop(t), &f), 0);
      ac_error *err = NULL;
      CHECK_RC(ac_error_new(AC_EHOST, "boom", NULL, &err), 0);
      CHECK_RC(ac_future_set_error(f, err), 0);
      ac_error_unref(err);
      return ac_task_await_owned(t, f);
    }
    case 2:
      return ac_task_sleep(t, 0);
    default:
      return AC_STEP_DONE;
  }
}

static void test_outcome_error_carries_the_cancel_message(void) {
  ac_loop *loop = th_loop();
  int n = 0;
  ac_task *t;
  CHECK_RC(ac_task_new(loop, outcome_error_step, &n, NULL, 0, &t), 0);
  CHECK(ac_task_outcome_error(NULL) == NULL);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("step 0 outcome AC_OK error none\n"
              "step 1 outcome AC_ECANCELLED error m1\n"
              "step 2 outcome AC_EHOST error boom\n"
              "step 3 outcome AC_OK error none\n");
  ac_task_unref(t);
  th_close(loop);
}

/* Cancels itself and then finishes normally: asyncio ends it cancelled. */
static int self_cancel_step(ac_task *t, void *p) {
  (void)p;
  trace("self cancel -> %d", ac_task_cancel(t, "from inside"));
  return ac_task_return_int64(t, 1);
}

static void test_finishing_with_cancel_pending_ends_cancelled(void) {
  ac_loop *loop = th_loop();
  ac_task *t;
  CHECK_RC(ac_task_new(loop, self_cancel_step, NULL, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  CHECK_TRACE("self cancel -> 1\n");
  CHECK_STR(ac_error_message(ac_future_error(ac_task_future(t))), "from inside");
  ac_task_unref(t);
  th_close(loop);
}

/* Double cancel while awaiting: cancelling() counts both. */
static void test_cancelling_counts_requests(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_sleeper(loop, "counted", 3, 0);
  ac_future *probe;
  CHECK_RC(ac_sleep(loop, 1, &probe), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, probe), 0);
  CHECK_RC(ac_task_cancel(t, NULL), 1);
  CHECK_RC(ac_task_cancel(t, NULL), 1);
  CHECK_RC(ac_task_cancelling(t), 2);
  CHECK_RC(ac_task_uncancel(t), 1);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  ac_future_unref(probe);
  ac_task_unref(t);
  th_close(loop);
}

/* Uncancel before delivery withdraws the cancellation (3.13). */
static void test_uncancel_before_delivery_withdraws(void) {
  ac_loop *loop = th_loop();
  ac_task *t = spawn_sleeper(loop, "spared", 1, 3);
  CHECK_RC(ac_task_cancel(t, NULL), 1);
  CHECK_RC(ac_task_uncancel(t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("spared start\nspared woke at 1\n");
  ac_task_unref(t);
  th_close(loop);
}

/* A failing child; the parent propagates its error unchanged. */
static int failing_step(ac_task *t, void *p) {
  (void)p;
  trace("failing runs");
  return ac_task_fail(t, AC_ECONNRESET, "peer reset during handshake");
}
struct propagator {
  AC_ASYNC_FIELDS;
  ac_task *child;
};
static int propagator_step(ac_task *t, void *p) {
  struct propagator *s = p;
  AC_BEGIN(s);
  CHECK_RC(ac_task_new(ac_task_get_loop(t), failing_step, NULL, NULL, 0, &s->child), 0);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->child)));
  trace("parent outcome %s", ac_err_name(ac_task_outcome(t)));
  AC_CHECK(t);
  trace("not reached");
  AC_END(s);
}
static void free_propagator(void *p) {
  struct propagator *s = p;
  ac_task_unref(s->child);
}

static void test_errors_propagate_with_their_message(void) {
  ac_loop *loop = th_loop();
  struct propagator s = {0, NULL};
  ac_task *t;
  CHECK_RC(ac_task_new(loop, propagator_step, &s, free_propagator, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECONNRESET);
  CHECK_TRACE("failing runs\nparent outcome ECONNRESET\n");
  ac_error *e = ac_future_error(ac_task_future(t));
  CHECK_STR(ac_error_message(e), "peer reset during handshake");
  ac_task_unref(t);
  th_close(loop);
}

static int yield_step(ac_task *t, void *p) {
  int *n = p;
  trace("%s %d", ac_task_name(t), *n);
  if (++*n == 3) return AC_STEP_DONE;
  return AC_STEP_YIELD;
}

static void test_yield_interleaves_tasks_fifo(void) {
  ac_loop *loop = th_loop();
  int na = 0, nb = 0;
  ac_task *a, *b;
  CHECK_RC(ac_task_new(loop, yield_step, &na, NULL, 0, &a), 0);
  CHECK_RC(ac_task_new(loop, yield_step, &nb, NULL, 0, &b), 0);
  CHECK_RC(ac_task_set_name(a, "A"), 0);
  CHECK_RC(ac_task_set_name(b, "B"), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(b)), 0);
  CHECK_TRACE("A 0\nB 0\nA 1\nB 1\nA 2\nB 2\n");
  ac_task_unref(a);
  ac_task_unref(b);
  th_close(loop);
}

/* asyncio's rule: awaiting a done future does not suspend. "A" awaits a
 * done future three times in a row and "B", ready all along, runs only
 * when A suspends for real; sleep(0)'s done future always yields. */
struct done_awaiter {
  AC_ASYNC_FIELDS;
  int i;
  ac_future *done;
};

static int done_awaiter_step(ac_task *t, void *p) {
  struct done_awaiter *s = p;
  AC_BEGIN(s);
  for (s->i = 0; s->i < 3; s->i++) {
    trace("A await %d", s->i);
    AC_AWAIT(s, ac_task_await(t, s->done));
    AC_CHECK(t);
    trace("A resumed %d", s->i);
  }
  AC_AWAIT(s, ac_task_sleep(t, 0));
  trace("A after sleep(0)");
  AC_END(s);
}

static ac_future *done_future(ac_loop *loop) {
  ac_future *f;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_set_result_int64(f, 7), 0);
  return f;
}

static int note_step(ac_task *t, void *p) {
  (void)p;
  trace("%s runs", ac_task_name(t));
  return AC_STEP_DONE;
}

static void test_await_done_future_does_not_suspend(void) {
  ac_loop *loop = th_loop();
  ac_future *done = done_future(loop);
  struct done_awaiter st = {0, 0, done};
  ac_task *a, *b;
  CHECK_RC(ac_task_new(loop, done_awaiter_step, &st, NULL, 0, &a), 0);
  CHECK_RC(ac_task_new(loop, note_step, NULL, NULL, 0, &b), 0);
  CHECK_RC(ac_task_set_name(b, "B"), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(a)), 0);
  CHECK_TRACE("A await 0\nA resumed 0\nA await 1\nA resumed 1\nA await 2\nA resumed 2\n"
              "B runs\nA after sleep(0)\n");
  ac_task_unref(a);
  ac_task_unref(b);
  ac_future_unref(done);
  th_close(loop);
}

/* A cancellation requested during the step is not delivered at an await
 * of a done future (asyncio: that await does not suspend); the step goes
 * on, and the task ends cancelled when it finishes with the request still
 * pending. */
static int self_cancel_done_step(ac_task *t, void *p) {
  struct done_awaiter *s = p;
  AC_BEGIN(s);
  ac_task_cancel(t, "stop");
  trace("A cancels itself");
  AC_AWAIT(s, ac_task_await(t, s->done));
  trace("A resumed: %s", ac_err_name(ac_task_outcome(t)));
  AC_CHECK(t);
  AC_END(s);
}

static void test_cancel_during_step_then_await_done_future(void) {
  ac_loop *loop = th_loop();
  ac_future *done = done_future(loop);
  struct done_awaiter st = {0, 0, done};
  ac_task *a, *b;
  CHECK_RC(ac_task_new(loop, self_cancel_done_step, &st, NULL, 0, &a), 0);
  CHECK_RC(ac_task_new(loop, note_step, NULL, NULL, 0, &b), 0);
  CHECK_RC(ac_task_set_name(b, "B"), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(a)), AC_ECANCELLED);
  CHECK_TRACE("A cancels itself\nA resumed: AC_OK\nB runs\n");
  CHECK_INT(ac_future_state_of(ac_task_future(a)), AC_FUTURE_CANCELLED);
  ac_task_unref(a);
  ac_task_unref(b);
  ac_future_unref(done);
  th_close(loop);
}

/* ac_task_new_copy: the state is copied into the task's own block, and
 * free_state runs once on that block; on error, once on the original. */
struct copied {
  AC_ASYNC_FIELDS;
  int64_t value;
};
static void *g_freed_state;
static int g_copied_frees;
static void free_copied(void *p) {
  g_freed_state = p;
  ++g_copied_frees;
}
static int copied_step(ac_task *t, void *p) {
  struct copied *c = p;
  AC_BEGIN(c);
  trace("step sees %lld", (long long)c->value);
  AC_AWAIT(c, ac_task_sleep(t, 1));
  AC_END(c);
}

static void test_task_new_copy_moves_the_state_in(void) {
  ac_loop *loop = th_loop();
  struct copied init = {0, 41};
  ac_task *t;
  void *block = NULL;
  g_copied_frees = 0;
  CHECK_RC(ac_task_new_copy(loop, copied_step, &init, sizeof init, free_copied, 0, &t, &block), 0);
  CHECK(block != NULL && block != (void *)&init);
  init.value = 0;  /* the task has its own copy */
  ((struct copied *)block)->value = 42;
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("step sees 42\n");
  CHECK_INT(g_copied_frees, 1);
  CHECK(g_freed_state == block);
  ac_task_unref(t);
  CHECK_INT(g_copied_frees, 1);
  /* Eager: the first step runs inside the call, on the copy. */
  struct copied eager = {0, 7};
  CHECK_RC(ac_task_new_copy(loop, copied_step, &eager, sizeof eager, free_copied, AC_TASK_EAGER,
                            &t, NULL), 0);
  CHECK_TRACE("");  /* the loop is not running: scheduled, not run */
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("step sees 7\n");
  CHECK_INT(g_copied_frees, 2);
  ac_task_unref(t);
  /* Refused: free_state runs at once on init itself, nothing is made. */
  t = NULL;
  CHECK_RC(ac_task_new_copy(loop, NULL, &init, sizeof init, free_copied, 0, &t, NULL), AC_EINVAL);
  CHECK_INT(g_copied_frees, 3);
  CHECK(g_freed_state == (void *)&init);
  CHECK(t == NULL);
  CHECK_RC(ac_task_new_copy(loop, copied_step, &init, 0, free_copied, 0, &t, NULL), AC_EINVAL);
  CHECK_INT(g_copied_frees, 4);
  CHECK_RC(ac_task_new_copy(loop, copied_step, &init, sizeof init, free_copied, 0x80, &t, NULL),
           AC_EINVAL);
  CHECK_INT(g_copied_frees, 5);
  th_close(loop);
}

/* AC_TASK_IN_STATE: the task is made in the room in front of a block of
 * ac_task_state_alloc, and frees the block with itself. */
static int g_room_frees;
static void free_room(void *p) {
  g_room_frees++;
  g_freed_state = p;
  /* A task's block: a no-op. A block no task was made in: freed here. */
  ac_task_state_free(p, sizeof(struct copied));
}

static struct copied *new_room(int64_t value) {
  struct copied *c = ac_task_state_alloc(sizeof *c);
  CHECK(c != NULL);
  memset(c, 0, sizeof *c);
  c->value = value;
  return c;
}

static void test_task_made_in_the_state_room(void) {
  ac_loop *loop = th_loop();
  ac_task *t;
  g_room_frees = 0;
  struct copied *c = new_room(42);
  CHECK_RC(ac_task_new(loop, copied_step, c, free_room, AC_TASK_IN_STATE, &t), 0);
  CHECK(ac_task_get_loop(t) == loop);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("step sees 42\n");
  /* free_state ran once, when the task finished; the block lives on with
   * the task, which still reads as a task, not as a free room. */
  CHECK_INT(g_room_frees, 1);
  CHECK(g_freed_state == c);
  CHECK_RC(ac_task_new(loop, copied_step, c, free_room, AC_TASK_IN_STATE, NULL), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL),
            "AC_TASK_IN_STATE: the state is not a block of ac_task_state_alloc, or a task was made "
            "in it already");
  CHECK_INT(g_room_frees, 2);  /* run on refusal; the block stays the task's */
  CHECK(ac_future_done(ac_task_future(t)) == 1);
  ac_task_unref(t);  /* the task and the block go together (valgrind/ASan: no leak) */

  /* Without a free function; eager (scheduled, as the loop is not running). */
  c = new_room(5);
  CHECK_RC(ac_task_new(loop, copied_step, c, NULL, AC_TASK_IN_STATE | AC_TASK_EAGER, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("step sees 5\n");
  ac_task_unref(t);

  /* Refusals: free_state runs at once, and frees the room no task took. */
  char plain[512];
  memset(plain, 0, sizeof plain);
  CHECK_RC(ac_task_new(loop, copied_step, plain + 256, free_copied, AC_TASK_IN_STATE, NULL),
           AC_EINVAL);
  CHECK(g_freed_state == plain + 256);
  CHECK_RC(ac_task_new(loop, copied_step, NULL, NULL, AC_TASK_IN_STATE, NULL), AC_EINVAL);
  g_room_frees = 0;
  c = new_room(1);
  CHECK_RC(ac_task_new(loop, NULL, c, free_room, AC_TASK_IN_STATE, NULL), AC_EINVAL);
  c = new_room(1);
  CHECK_RC(ac_task_new(loop, copied_step, c, free_room, AC_TASK_IN_STATE | 0x80, NULL), AC_EINVAL);
  c = new_room(1);
  CHECK_RC(ac_task_new(NULL, copied_step, c, free_room, AC_TASK_IN_STATE, NULL), AC_EINVAL);
  CHECK_INT(g_room_frees, 3);
  /* Only ac_task_new (and ac_taskgroup_spawn) take the flag. */
  struct copied init = {0, 1};
  CHECK_RC(ac_task_new_copy(loop, copied_step, &init, sizeof init, NULL, AC_TASK_IN_STATE, &t, NULL),
           AC_EINVAL);
  void *st;
  CHECK_RC(ac_task_new_inline(loop, copied_step, 16, AC_TASK_IN_STATE, &t, &st), AC_EINVAL);
  /* A block no task was made in is freed by ac_task_state_free; NULL is a no-op. */
  c = new_room(1);
  ac_task_state_free(c, sizeof *c);
  ac_task_state_free(NULL, 8);
  void *one = ac_task_state_alloc(0);
  CHECK(one != NULL);
  ac_task_state_free(one, 0);
  CHECK_TRACE("");
  th_close(loop);
}

static int trivial_step(ac_task *t, void *p) {
  (void)p;
  trace("trivial ran, current is self: %d", ac_loop_current_task(ac_task_get_loop(t)) == t);
  return ac_task_return_int64(t, 11);
}
struct eager_parent {
  AC_ASYNC_FIELDS;
  ac_task *child;
};
static int eager_parent_step(ac_task *t, void *p) {
  struct eager_parent *s = p;
  AC_BEGIN(s);
  trace("parent before");
  CHECK_RC(ac_task_new(ac_task_get_loop(t), trivial_step, NULL, NULL, AC_TASK_EAGER, &s->child), 0);
  trace("parent after: child done %d, current restored %d", ac_future_done(ac_task_future(s->child)),
        ac_loop_current_task(ac_task_get_loop(t)) == t);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->child)));
  AC_END(s);
}
static void free_eager_parent(void *p) { ac_task_unref(((struct eager_parent *)p)->child); }

static void test_eager_start_runs_first_step_inline(void) {
  ac_loop *loop = th_loop();
  struct eager_parent s = {0, NULL};
  ac_task *t;
  CHECK_RC(ac_task_new(loop, eager_parent_step, &s, free_eager_parent, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("parent before\ntrivial ran, current is self: 1\nparent after: child done 1, current restored 1\n");
  /* Outside a running loop, eager tasks are scheduled like any other. */
  ac_task *lazy;
  CHECK_RC(ac_task_new(loop, trivial_step, NULL, NULL, AC_TASK_EAGER, &lazy), 0);
  CHECK_RC(ac_future_done(ac_task_future(lazy)), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(lazy)), 0);
  CHECK_TRACE("trivial ran, current is self: 1\n");
  ac_task_unref(lazy);
  ac_task_unref(t);
  th_close(loop);
}

static void collect_name(ac_task *t, void *ud) {
  (void)ud;
  trace("listed %s", ac_task_name(t));
}

static void test_names_current_task_and_task_list(void) {
  ac_loop *loop = th_loop();
  ac_task *a = spawn_sleeper(loop, "x", 1, 0);
  ac_task *b = spawn_sleeper(loop, "y", 2, 0);
  CHECK(strncmp(ac_task_name(a), "Task-", 5) == 0);
  CHECK(strcmp(ac_task_name(a), ac_task_name(b)) != 0);
  CHECK_RC(ac_task_set_name(b, "worker-b"), 0);
  CHECK_STR(ac_task_name(b), "worker-b");
  CHECK_RC(ac_task_set_name(b, NULL), AC_EINVAL);
  CHECK(ac_loop_current_task(loop) == NULL);
  CHECK_RC(ac_task_set_name(a, "worker-a"), 0);
  CHECK_RC(ac_loop_foreach_task(loop, collect_name, NULL), 2);
  CHECK_TRACE("listed worker-a\nlisted worker-b\n");
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(a)), 0);
  trace_clear();
  CHECK_RC(ac_loop_foreach_task(loop, collect_name, NULL), 1);
  CHECK_TRACE("listed worker-b\n");
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(b)), 0);
  ac_task_unref(a);
  ac_task_unref(b);
  th_close(loop);
}

static void record_handler(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                           void *ud) {
  (void)loop;
  (void)ud;
  ac_task *t = ac_future_as_task(future);
  trace("handler: %s [%s] %s", message, t ? ac_task_name(t) : "-",
        error ? ac_error_message(error) : "-");
}

static void test_unobserved_task_error_is_reported(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_set_exception_handler(loop, record_handler, NULL, NULL), 0);
  ac_task *t;
  CHECK_RC(ac_task_new(loop, failing_step, NULL, NULL, 0, &t), 0);
  CHECK_RC(ac_task_set_name(t, "lonely"), 0);
  ac_task_unref(t); /* nobody holds it: the loop still runs it */
  ac_future *s;
  CHECK_RC(ac_sleep(loop, 1, &s), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, s), 0);
  CHECK_TRACE("failing runs\nhandler: Task exception was never retrieved [lonely] peer reset during handshake\n");
  ac_future_unref(s);
  th_close(loop);
}

static void test_close_with_pending_tasks_reports_and_frees_state(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_set_exception_handler(loop, record_handler, NULL, NULL), 0);
  frees = 0;
  struct stubborn *st = calloc(1, sizeof *st);
  ac_task *held, *unheld;
  CHECK_RC(ac_task_new(loop, stubborn_step, st, count_free, 0, &held), 0);
  CHECK_RC(ac_task_set_name(held, "held"), 0);
  struct stubborn *st2 = calloc(1, sizeof *st2);
  CHECK_RC(ac_task_new(loop, stubborn_step, st2, free, 0, &unheld), 0);
  CHECK_RC(ac_task_set_name(unheld, "unheld"), 0);
  ac_task_unref(unheld);
  int pending;
  CHECK(ac_loop_step(loop, 0, &pending, NULL) >= 0);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_TRACE("handler: Task was destroyed but it is pending [held] -\nhandler: Task was destroyed but it is pending [unheld] -\n");
  CHECK_INT(frees, 0); /* still referenced: state lives with the task */
  CHECK_RC(ac_future_done(ac_task_future(held)), 0);
  CHECK_RC(ac_task_cancel(held, NULL), AC_ECLOSED);
  ac_task_unref(held);
  CHECK_INT(frees, 1);
  free(st);
  ac_loop_unref(loop);
}

/* A task left pending by the loop's close can never step again: a cancel
 * request could not reach it, so it is refused (AC_ECLOSED) and changes
 * nothing. A task that finished before the close answers 0 as usual. */
static void test_cancel_on_closed_loop_is_refused(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_set_exception_handler(loop, record_handler, NULL, NULL), 0);
  struct stubborn *st = calloc(1, sizeof *st);
  ac_task *waiting, *unstarted, *finished;
  CHECK_RC(ac_task_new(loop, trivial_step, NULL, NULL, 0, &finished), 0);
  CHECK_RC(ac_task_new(loop, stubborn_step, st, free, 0, &waiting), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(finished)), 0);
  CHECK_RC(ac_task_new(loop, trivial_step, NULL, NULL, 0, &unstarted), 0);
  CHECK_RC(ac_loop_close(loop), 0);
  trace_clear();
  ac_task *pending[2] = {waiting, unstarted};
  for (int i = 0; i < 2; ++i) {
    CHECK_RC(ac_task_cancel(pending[i], "late"), AC_ECLOSED);
    CHECK_RC(ac_future_cancel(ac_task_future(pending[i]), "late"), AC_ECLOSED);
    CHECK_INT(ac_task_cancelling(pending[i]), 0);
    CHECK_RC(ac_future_state_of(ac_task_future(pending[i])), AC_FUTURE_PENDING);
  }
  CHECK_RC(ac_task_cancel(finished, NULL), 0);
  CHECK_RC(ac_future_cancel(ac_task_future(finished), NULL), 0);
  ac_task_unref(waiting);
  ac_task_unref(unstarted);
  ac_task_unref(finished);
  CHECK_TRACE("");
  ac_loop_unref(loop);
}

static ac_context_key key_user, key_depth;

struct ctx_child {
  AC_ASYNC_FIELDS;
};
static void ctx_callback(ac_loop *loop, void *ud) {
  ac_value v;
  int found = ac_context_get(loop, key_user, &v);
  trace("callback from %s sees user=%s", (const char *)ud,
        found == 1 ? (const char *)v.u.bytes.data : "unset");
}
static int ctx_child_step(ac_task *t, void *p) {
  struct ctx_child *s = p;
  ac_loop *loop = ac_task_get_loop(t);
  ac_value v;
  AC_BEGIN(s);
  CHECK_RC(ac_context_get(loop, key_user, &v), 1);
  trace("child inherits user=%s", (const char *)v.u.bytes.data);
  ac_value_set_bytes(&v, "child", 6);
  CHECK_RC(ac_context_set(loop, key_user, &v), 0);
  CHECK_RC(ac_loop_call_soon(loop, ctx_callback, "child", NULL, NULL), 0);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  CHECK_RC(ac_context_get(loop, key_user, &v), 1);
  trace("child after await user=%s", (const char *)v.u.bytes.data);
  AC_END(s);
}
struct ctx_parent {
  AC_ASYNC_FIELDS;
  ac_task *child;
};
static int ctx_parent_step(ac_task *t, void *p) {
  struct ctx_parent *s = p;
  ac_loop *loop = ac_task_get_loop(t);
  ac_value v;
  void *st;
  AC_BEGIN(s);
  CHECK_RC(ac_context_get(loop, key_user, &v), 1);
  trace("parent inherits user=%s", (const char *)v.u.bytes.data);
  ac_value_set_bytes(&v, "parent", 7);
  CHECK_RC(ac_context_set(loop, key_user, &v), 0);
  ac_value_set_int64(&v, 1);
  CHECK_RC(ac_context_set(loop, key_depth, &v), 0);
  CHECK_RC(ac_task_new_inline(loop, ctx_child_step, sizeof(struct ctx_child), 0, &s->child, &st), 0);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->child)));
  CHECK_RC(ac_context_get(loop, key_user, &v), 1);
  trace("parent keeps user=%s", (const char *)v.u.bytes.data);
  CHECK_RC(ac_context_delete(loop, key_depth), 1);
  CHECK_RC(ac_context_delete(loop, key_depth), 0);
  CHECK_RC(ac_context_get(loop, key_depth, &v), 0);
  AC_END(s);
}
static void free_ctx_parent(void *p) { ac_task_unref(((struct ctx_parent *)p)->child); }

static void test_task_local_context(void) {
  CHECK_RC(ac_context_key_new(&key_user), 0);
  CHECK_RC(ac_context_key_new(&key_depth), 0);
  CHECK(key_user != key_depth);
  ac_loop *loop = th_loop();
  ac_value v;
  ac_value_set_bytes(&v, "base", 5);
  CHECK_RC(ac_context_set(loop, key_user, &v), 0);
  struct ctx_parent s = {0, NULL};
  ac_task *t;
  CHECK_RC(ac_task_new(loop, ctx_parent_step, &s, free_ctx_parent, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE(
      "parent inherits user=base\n"
      "child inherits user=parent\n"
      "callback from child sees user=child\n"
      "child after await user=child\n"
      "parent keeps user=parent\n");
  CHECK_RC(ac_context_get(loop, key_user, &v), 1);
  CHECK_STR((const char *)v.u.bytes.data, "base");
  CHECK_RC(ac_context_get(loop, 9999999, &v), AC_EINVAL);
  CHECK_RC(ac_context_set(loop, key_user, NULL), AC_EINVAL);
  ac_task_unref(t);
  th_close(loop);
}

/* A context value's destructor that reads and changes the context: the
 * value replaced is released after the new context is current, so what
 * the destructor sets stays, and a callback it schedules sees the new
 * context (before, the old one was half freed: a use after free, and the
 * destructor's own change was lost). */
static ac_loop *ctx_reentry_loop;
static int ctx_reentry_frees;
static void ctx_later(ac_loop *loop, void *ud) {
  (void)ud;
  ac_value v;
  CHECK_RC(ac_context_get(loop, key_user, &v), 1);
  trace("later: user=%lld", (long long)v.u.i64);
  CHECK_RC(ac_context_get(loop, key_depth, &v), 1);
  trace("later: depth=%lld", (long long)v.u.i64);
}
static void ctx_free_reenters(void *p) {
  ac_value v;
  free(p);
  ++ctx_reentry_frees;
  CHECK_RC(ac_context_get(ctx_reentry_loop, key_user, &v), 1);
  trace("free: user=%lld", (long long)v.u.i64);
  ac_value_set_int64(&v, 5);
  CHECK_RC(ac_context_set(ctx_reentry_loop, key_depth, &v), 0);
  CHECK_RC(ac_loop_call_soon(ctx_reentry_loop, ctx_later, NULL, NULL, NULL), 0);
}

static void test_context_value_destructor_reenters(void) {
  CHECK_RC(ac_context_key_new(&key_user), 0);
  CHECK_RC(ac_context_key_new(&key_depth), 0);
  ac_loop *loop = th_loop();
  ctx_reentry_loop = loop;
  ctx_reentry_frees = 0;
  ac_value v;
  ac_value_set_pointer(&v, malloc(16), ctx_free_reenters);
  CHECK_RC(ac_context_set(loop, key_user, &v), 0); /* the base context, one reference */
  ac_value_set_int64(&v, 2);
  CHECK_RC(ac_context_set(loop, key_user, &v), 0); /* the old one goes: the destructor runs */
  CHECK_INT(ctx_reentry_frees, 1);
  CHECK_RC(ac_context_get(loop, key_depth, &v), 1);
  CHECK_INT(v.u.i64, 5);
  CHECK_INT(ac_loop_step(loop, 0, NULL, NULL), 1); /* ctx_later */
  CHECK_TRACE("free: user=2\nlater: user=2\nlater: depth=5\n");
  th_close(loop);
}

/* ac_run: the main task's result comes back; tasks left are cancelled and
 * allowed to finish. */
struct run_main {
  AC_ASYNC_FIELDS;
};
static int run_main_step(ac_task *t, void *p) {
  struct run_main *s = p;
  AC_BEGIN(s);
  ac_task_unref(spawn_sleeper(ac_task_get_loop(t), "orphan", 100, 0));
  AC_AWAIT(s, ac_task_sleep(t, 2));
  trace("main done at %g", ac_loop_time(ac_task_get_loop(t)));
  return ac_task_return_double(t, 2.5);
  AC_END(s);
}

static void test_run_returns_result_and_cancels_leftovers(void) {
  frees = 0;
  ac_value result;
  struct run_main *s = calloc(1, sizeof *s);
  ac_error *err = (ac_error *)&result; /* must be overwritten */
  CHECK_RC(ac_run(run_main_step, s, free, AC_LOOP_VIRTUAL_CLOCK, &result, &err), 0);
  CHECK(err == NULL);
  CHECK_INT(result.kind, AC_VALUE_DOUBLE);
  CHECK_DOUBLE(result.u.f64, 2.5);
  CHECK_TRACE("orphan start\nmain done at 2\norphan sees AC_ECANCELLED\n");
  ac_value_clear(&result);
}

static void test_run_reports_main_error(void) {
  ac_error *err = NULL;
  CHECK_RC(ac_run(failing_step, NULL, count_free, AC_LOOP_VIRTUAL_CLOCK, NULL, &err), AC_ECONNRESET);
  CHECK_STR(ac_error_message(err), "peer reset during handshake");
  ac_error_unref(err);
  frees = 0;
  CHECK_RC(ac_run(NULL, &frees, count_free, 0, NULL, NULL), AC_EINVAL);
  CHECK_INT(frees, 1);
  trace_clear();
}

/* Misuse inside a step: every wrong call returns a code, the task fails
 * with it when the step returns it. */
struct misuse {
  AC_ASYNC_FIELDS;
  ac_loop *other;
  ac_future *foreign;
};
static int misuse_step(ac_task *t, void *p) {
  struct misuse *s = p;
  ac_future *f;
  AC_BEGIN(s);
  CHECK_RC(ac_task_await(t, NULL), AC_EINVAL);
  CHECK_RC(ac_task_await(t, ac_task_future(t)), AC_EMISUSE);
  CHECK_RC(ac_task_await(t, s->foreign), AC_EMISUSE);  // asyncio's RuntimeError
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Task got Future attached to a different loop");
  CHECK_RC(ac_task_sleep(t, NAN), AC_EINVAL);
  CHECK_RC(ac_task_sleep(t, -1), AC_STEP_YIELD);  // asyncio: sleep(-1) is sleep(0)
  CHECK_RC(ac_task_fail(t, 5, "positive"), AC_EINVAL);
  CHECK_RC(ac_sleep(ac_task_get_loop(t), 1, &f), 0);
  CHECK_RC(ac_task_await_owned(t, f), AC_STEP_AWAIT);
  CHECK_RC(ac_sleep(ac_task_get_loop(t), 1, &f), 0);
  CHECK_RC(ac_task_await_owned(t, f), AC_ESTATE); /* second await in one step */
  /* Returning DONE after awaiting is a protocol error. */
  return AC_STEP_DONE;
  AC_END(s);
}
static int awaits_nothing_step(ac_task *t, void *p) {
  (void)t;
  (void)p;
  return AC_STEP_AWAIT;
}
static int weird_return_step(ac_task *t, void *p) {
  (void)t;
  (void)p;
  return 17;
}

static void test_step_protocol_misuse(void) {
  ac_loop *loop = th_loop();
  struct misuse s = {0, NULL, NULL};
  s.other = th_loop();
  CHECK_RC(ac_future_new(s.other, &s.foreign), 0);
  ac_task *t;
  CHECK_RC(ac_task_new(loop, misuse_step, &s, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ESTATE);
  CHECK_STR(ac_error_message(ac_future_error(ac_task_future(t))),
            "step returned AC_STEP_DONE after ac_task_await");
  /* Outside its step, a task cannot await. */
  ac_future *f;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_task_await(t, f), AC_ESTATE);
  ac_task_unref(t);
  CHECK_RC(ac_task_new(loop, awaits_nothing_step, NULL, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ESTATE);
  ac_task_unref(t);
  CHECK_RC(ac_task_new(loop, weird_return_step, NULL, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_EINVAL);
  ac_task_unref(t);
  /* Tasks cannot be completed like plain futures. */
  CHECK_RC(ac_task_new(loop, trivial_step, NULL, NULL, 0, &t), 0);
  CHECK_RC(ac_future_set_result_int64(ac_task_future(t), 1), AC_EINVAL);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  ac_task_unref(t);
  trace_clear();
  /* Creation misuse: free_state runs once on every failure. */
  frees = 0;
  CHECK_RC(ac_task_new(NULL, trivial_step, &s, count_free, 0, &t), AC_EINVAL);
  CHECK_RC(ac_task_new(loop, NULL, &s, count_free, 0, &t), AC_EINVAL);
  CHECK_RC(ac_task_new(loop, trivial_step, &s, count_free, 0x80, &t), AC_EINVAL);
  CHECK_INT(frees, 3);
  void *st;
  CHECK_RC(ac_task_new_inline(loop, trivial_step, 16, AC_TASK_EAGER, &t, &st), AC_EINVAL);
  CHECK_RC(ac_task_new_inline(loop, trivial_step, 0, 0, &t, &st), AC_EINVAL);
  CHECK_RC(ac_task_cancel(NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_task_cancelling(NULL), AC_EINVAL);
  CHECK_RC(ac_task_outcome(NULL), AC_EINVAL);
  CHECK(ac_task_name(NULL) == NULL);
  /* A plain future is not a task. */
  CHECK(ac_future_as_task(f) == NULL);
  CHECK_RC(ac_task_cancel((ac_task *)f, NULL), AC_EINVAL);
  ac_future_unref(f);
  ac_future_unref(s.foreign);
  th_close(s.other);
  th_close(loop);
}

/* asyncio: `await` on the running task itself raises RuntimeError("Task
 * cannot await on itself") inside it. */
static int await_self_step(ac_task *t, void *p) {
  (void)p;
  return ac_task_await(t, ac_task_future(t));
}
static int await_self_owned_step(ac_task *t, void *p) {
  (void)p;
  return ac_task_await_owned(t, ac_future_ref(ac_task_future(t)));
}

static void test_task_awaiting_itself_fails_with_runtime_error(void) {
  ac_loop *loop = th_loop();
  ac_step_fn steps[2] = {await_self_step, await_self_owned_step};
  for (int i = 0; i < 2; ++i) {
    ac_task *t;
    CHECK_RC(ac_task_new(loop, steps[i], NULL, NULL, 0, &t), 0);
    CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_EMISUSE);
    ac_error *e = ac_future_error(ac_task_future(t));
    CHECK_RC(ac_error_code(e), AC_EMISUSE);
    CHECK_STR(ac_error_message(e), "Task cannot await on itself");
    CHECK_STR(ac_err_class(ac_error_code(e)), "RuntimeError");
    ac_task_unref(t);
  }
  th_close(loop);
}

/* ac_task_sleep runs on the task's own timer (no future): the trace, the
 * awaited future and the outcome are what a sleep future gives, and a step
 * that misuses the protocol around it is refused. */
struct sleep_probe {
  AC_ASYNC_FIELDS;
  int mode;
  int rc;
  int rc2;
};
enum {
  SLEEP_READ_AWAITED,   /* sleep, then look at what the resume sees */
  SLEEP_THEN_RETURN,    /* store a result after arming a sleep */
  SLEEP_THEN_AWAIT,     /* a second await after arming a sleep */
  SLEEP_THEN_YIELD,     /* arm a sleep, return AC_STEP_YIELD */
  RETURN_THEN_SLEEP,    /* a result stored first: the sleep uses a future */
  CANCEL_SELF_THEN_SLEEP,
  SLEEP_THEN_CANCEL_SELF
};
static int sleep_probe_step(ac_task *t, void *p) {
  struct sleep_probe *s = p;
  ac_loop *loop = ac_task_get_loop(t);
  /* No switch here: the AC_* macros are one. */
  AC_BEGIN(s);
  if (s->mode == SLEEP_READ_AWAITED) {
    AC_AWAIT(s, ac_task_sleep(t, 2));
    ac_value v;
    ac_future *f = ac_task_awaited(t);
    CHECK(f != NULL);
    CHECK_RC(ac_future_result(f, &v), 0);
    CHECK_INT(v.kind, AC_VALUE_NONE);
    trace("woke at %g, outcome %d", ac_loop_time(loop), ac_task_outcome(t));
    return ac_task_return_int64(t, 7);
  }
  if (s->mode == SLEEP_THEN_RETURN) {
    CHECK_RC(ac_task_sleep(t, 2), AC_STEP_AWAIT);
    s->rc = ac_task_return_int64(t, 1);
    trace("return after sleep -> %s: %s", ac_err_name(s->rc), ac_last_error_message(s->rc));
    return s->rc;
  }
  if (s->mode == SLEEP_THEN_AWAIT) {
    ac_future *f;
    CHECK_RC(ac_future_new(loop, &f), 0);
    CHECK_RC(ac_task_sleep(t, 2), AC_STEP_AWAIT);
    s->rc = ac_task_await(t, f);
    s->rc2 = ac_task_sleep(t, 1);
    ac_future_unref(f);
    trace("await after sleep -> %s, sleep again -> %s", ac_err_name(s->rc), ac_err_name(s->rc2));
    AC_AWAIT(s, AC_STEP_AWAIT);
    trace("woke at %g", ac_loop_time(loop));
    return ac_task_return_int64(t, 2);
  }
  if (s->mode == SLEEP_THEN_YIELD) {
    CHECK_RC(ac_task_sleep(t, 2), AC_STEP_AWAIT);
    return AC_STEP_YIELD;
  }
  if (s->mode == RETURN_THEN_SLEEP) {
    CHECK_RC(ac_task_return_int64(t, 41), AC_STEP_DONE);
    AC_AWAIT(s, ac_task_sleep(t, 1));
    trace("woke at %g from a future: %d", ac_loop_time(loop), ac_task_awaited(t) != NULL);
    return AC_STEP_DONE; /* the result stored before the sleep */
  }
  if (s->mode == CANCEL_SELF_THEN_SLEEP) {
    CHECK_RC(ac_task_cancel(t, "self"), 1);
    AC_AWAIT(s, ac_task_sleep(t, 5));
  } else {
    CHECK_RC(ac_task_sleep(t, 5), AC_STEP_AWAIT);
    CHECK_RC(ac_task_cancel(t, "after"), 1);
    AC_AWAIT(s, AC_STEP_AWAIT);
  }
  trace("outcome %s at %g: %s", ac_err_name(ac_task_outcome(t)), ac_loop_time(loop),
        ac_error_message(ac_task_outcome_error(t)));
  return ac_task_propagate(t);
  AC_END(s);
}
static ac_task *spawn_probe(ac_loop *loop, int mode) {
  struct sleep_probe *s;
  ac_task *t = NULL;
  CHECK_RC(ac_task_new_inline(loop, sleep_probe_step, sizeof *s, 0, &t, (void **)&s), 0);
  s->mode = mode;
  return t;
}
static uint64_t timers_armed(ac_loop *loop) {
  ac_loop_stats st;
  CHECK_INT(ac_loop_get_stats(loop, &st, sizeof st), (int)sizeof st);
  return st.timers;
}

static void test_sleep_on_the_tasks_own_timer(void) {
  ac_loop *loop = th_loop();
  int64_t v;

  ac_task *t = spawn_probe(loop, SLEEP_READ_AWAITED);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("woke at 2, outcome 0\n");
  CHECK_RC(ac_future_result_int64(ac_task_future(t), &v), 0);
  CHECK_INT(v, 7);
  ac_task_unref(t);

  /* The step that armed the sleep cannot store an outcome: it fails the
   * task, the sleep is disarmed with it. */
  t = spawn_probe(loop, SLEEP_THEN_RETURN);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ESTATE);
  CHECK_TRACE("return after sleep -> AC_ESTATE: the step awaits a sleep: it must return "
              "AC_STEP_AWAIT; the step that resumes stores the outcome\n");
  CHECK_INT(timers_armed(loop), 0);
  CHECK_DOUBLE(ac_loop_time(loop), 2);
  ac_task_unref(t);

  /* One await per step, the sleep counting as one. */
  t = spawn_probe(loop, SLEEP_THEN_AWAIT);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("await after sleep -> AC_ESTATE, sleep again -> AC_ESTATE\nwoke at 4\n");
  ac_task_unref(t);

  t = spawn_probe(loop, SLEEP_THEN_YIELD);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ESTATE);
  CHECK_STR(ac_error_message(ac_future_error(ac_task_future(t))),
            "step returned AC_STEP_YIELD after ac_task_await");
  CHECK_INT(timers_armed(loop), 0);
  ac_task_unref(t);

  /* A result stored before the sleep stays (the sleep takes a future). */
  t = spawn_probe(loop, RETURN_THEN_SLEEP);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("woke at 5 from a future: 1\n");
  CHECK_RC(ac_future_result_int64(ac_task_future(t), &v), 0);
  CHECK_INT(v, 41);
  ac_task_unref(t);

  /* A cancellation requested in the step, before or after the sleep, ends
   * the sleep at once with its message (asyncio cancels the sleep future). */
  int modes[2] = {CANCEL_SELF_THEN_SLEEP, SLEEP_THEN_CANCEL_SELF};
  const char *want[2] = {"outcome AC_ECANCELLED at 5: self\n", "outcome AC_ECANCELLED at 5: after\n"};
  for (int i = 0; i < 2; ++i) {
    t = spawn_probe(loop, modes[i]);
    CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
    CHECK_TRACE(want[i]);
    CHECK_INT(timers_armed(loop), 0);
    ac_task_unref(t);
  }

  /* A loop closed with tasks asleep lets them go (no leak), reported as
   * asyncio reports a pending task destroyed. */
  CHECK_RC(ac_loop_set_exception_handler(loop, record_handler, NULL, NULL), 0);
  ac_task *a = spawn_probe(loop, SLEEP_READ_AWAITED);
  ac_task *b = spawn_probe(loop, SLEEP_READ_AWAITED);
  CHECK_RC(ac_task_set_name(a, "a"), 0);
  CHECK_RC(ac_task_set_name(b, "b"), 0);
  CHECK_INT(ac_loop_step(loop, 0, NULL, NULL), 2);
  CHECK_INT(timers_armed(loop), 2);
  ac_task_unref(a);
  th_close(loop);
  CHECK_TRACE("handler: Task was destroyed but it is pending [a] -\n"
              "handler: Task was destroyed but it is pending [b] -\n");
  ac_task_unref(b);
}

/* Cancelled while asleep, twice, then uncancel(): the sleep's own
 * CancelledError (the first message) is delivered all the same. */
static int sleep_catch_step(ac_task *t, void *p) {
  struct sleep_probe *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  trace("woke %s: %s, cancelling %d", ac_err_name(ac_task_outcome(t)),
        ac_error_message(ac_task_outcome_error(t)), (int)ac_task_cancelling(t));
  return ac_task_propagate(t);
  AC_END(s);
}
static void test_sleep_cancelled_twice_then_uncancelled(void) {
  ac_loop *loop = th_loop();
  struct sleep_probe *s;
  ac_task *t;
  CHECK_RC(ac_task_new_inline(loop, sleep_catch_step, sizeof *s, 0, &t, (void **)&s), 0);
  CHECK_INT(ac_loop_step(loop, 0, NULL, NULL), 1);
  CHECK_RC(ac_task_cancel(t, "first"), 1);
  CHECK_INT(timers_armed(loop), 0);
  CHECK_RC(ac_task_cancel(t, "second"), 1);
  CHECK_INT(ac_task_uncancel(t), 1);
  CHECK_INT(ac_task_uncancel(t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  CHECK_TRACE("woke AC_ECANCELLED: first, cancelling 0\n");
  CHECK_DOUBLE(ac_loop_time(loop), 0);
  ac_task_unref(t);
  th_close(loop);
}

/* ac_task_await_pending: a done future lets the step go on (0, nothing
 * registered, the caller's reference kept); a pending one, or one that
 * always yields, is awaited with the caller's reference taken over. */
static void set_future_later(ac_loop *loop, void *ud) {
  (void)loop;
  CHECK_RC(ac_future_set_result_none(ud), 0);
}
struct pending_probe {
  AC_ASYNC_FIELDS;
  ac_future *done;
  ac_future *pending;
  ac_future *zero;
  ac_future *foreign;
};
static int pending_probe_step(ac_task *t, void *p) {
  struct pending_probe *s = p;
  ac_loop *loop = ac_task_get_loop(t);
  AC_BEGIN(s);
  CHECK_RC(ac_task_await_pending(t, s->done), 0);
  trace("done: goes on");
  CHECK_RC(ac_task_await_pending(NULL, s->done), AC_EINVAL);
  CHECK_RC(ac_task_await_pending(t, NULL), AC_EINVAL);
  CHECK_RC(ac_task_await_pending(t, ac_task_future(t)), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Task cannot await on itself");
  CHECK_RC(ac_task_await_pending(t, s->foreign), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Task got Future attached to a different loop");
  CHECK_RC(ac_future_new(loop, &s->pending), 0);
  ac_future_ref(s->pending); /* one for the test, one handed over */
  CHECK_RC(ac_loop_call_later(loop, 1, set_future_later, s->pending, NULL, NULL), 0);
  AC_AWAIT(s, ac_task_await_pending(t, s->pending));
  CHECK(ac_task_awaited(t) == s->pending);
  trace("pending: resumed at %g, outcome %d", ac_loop_time(loop), ac_task_outcome(t));
  CHECK_RC(ac_sleep(loop, 0, &s->zero), 0);
  ac_future_ref(s->zero);
  AC_AWAIT(s, ac_task_await_pending(t, s->zero)); /* always yields */
  trace("sleep(0): yielded");
  /* One await per step, this one included. */
  CHECK_RC(ac_task_sleep(t, 1), AC_STEP_AWAIT);
  CHECK_RC(ac_task_await_pending(t, s->done), AC_ESTATE);
  AC_AWAIT(s, AC_STEP_AWAIT);
  return ac_task_return_int64(t, 3);
  AC_END(s);
}
static void test_await_pending_goes_on_when_done(void) {
  ac_loop *loop = th_loop();
  ac_loop *other = th_loop();
  struct pending_probe *s;
  ac_task *t;
  CHECK_RC(ac_task_new_inline(loop, pending_probe_step, sizeof *s, 0, &t, (void **)&s), 0);
  CHECK_RC(ac_future_new(loop, &s->done), 0);
  CHECK_RC(ac_future_set_result_int64(s->done, 1), 0);
  CHECK_RC(ac_future_new(other, &s->foreign), 0);
  ac_future *done = s->done, *foreign = s->foreign;
  CHECK_RC(ac_task_await_pending(t, done), AC_ESTATE); /* outside its step */
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("done: goes on\npending: resumed at 1, outcome 0\nsleep(0): yielded\n");
  CHECK_INT(ac_future_done(s->pending), 1);
  ac_future_unref(s->pending); /* the test's own; the task's went with its await */
  ac_future_unref(s->zero);
  ac_future_unref(done);
  ac_future_unref(foreign);
  ac_task_unref(t);
  th_close(other);
  th_close(loop);
}

/* What a step stores for the task's end (ac_task_return, ac_task_fail) is
 * kept while the task goes on awaiting, becomes its result when a later
 * step returns AC_STEP_DONE, and is let go (the valgrind pass sees a leak
 * otherwise) when the task ends with an error or a cancellation instead. */
struct stored_probe {
  AC_ASYNC_FIELDS;
  int mode;
  ac_future *gate;
};
enum {
  STORED_KEPT,           /* bytes stored, an await, then AC_STEP_DONE */
  STORED_THEN_FAIL,      /* bytes stored, an await, then an error */
  STORED_THEN_CANCELLED, /* bytes stored, cancelled while awaiting */
  STORED_CANCEL_SELF,    /* an error stored, a cancellation, AC_STEP_DONE */
  FAILED_THEN_DONE       /* an error stored, an await, then a result */
};
static int stored_step(ac_task *t, void *p) {
  struct stored_probe *s = p;
  ac_value v;
  AC_BEGIN(s);
  if (s->mode == FAILED_THEN_DONE || s->mode == STORED_CANCEL_SELF) {
    CHECK_RC(ac_task_fail(t, AC_EPIPE, "stored, then overruled"), AC_EPIPE);
  } else {
    ac_value_set_bytes(&v, "stored bytes", 12);
    CHECK_RC(ac_task_return(t, &v), AC_STEP_DONE);
  }
  if (s->mode == STORED_CANCEL_SELF) {
    CHECK_RC(ac_task_cancel(t, "self"), 1);
    return AC_STEP_DONE; /* finishing with a cancellation pending */
  }
  AC_AWAIT(s, ac_task_await(t, s->gate));
  if (ac_task_outcome(t) < 0) return ac_task_propagate(t); /* the cancellation */
  if (s->mode == STORED_THEN_FAIL) return ac_task_fail(t, AC_ENOENT, "later");
  if (s->mode == FAILED_THEN_DONE) {
    CHECK_RC(ac_task_return_int64(t, 5), AC_STEP_DONE);
  }
  return AC_STEP_DONE;
  AC_END(s);
}

static void test_stored_outcome_kept_across_awaits_or_let_go(void) {
  ac_loop *loop = th_loop();
  int modes[5] = {STORED_KEPT, STORED_THEN_FAIL, STORED_THEN_CANCELLED, STORED_CANCEL_SELF,
                  FAILED_THEN_DONE};
  int want[5] = {0, AC_ENOENT, AC_ECANCELLED, AC_ECANCELLED, 0};
  for (int i = 0; i < 5; ++i) {
    struct stored_probe *s;
    ac_task *t;
    CHECK_RC(ac_task_new_inline(loop, stored_step, sizeof *s, 0, &t, (void **)&s), 0);
    s->mode = modes[i];
    CHECK_RC(ac_future_new(loop, &s->gate), 0);
    ac_future *gate = s->gate;
    CHECK_INT(ac_loop_step(loop, 0, NULL, NULL), 1);
    if (modes[i] == STORED_THEN_CANCELLED) {
      /* asyncio: the request cancels the awaited gate, which wakes the task. */
      CHECK_RC(ac_task_cancel(t, "from outside"), 1);
      CHECK(ac_future_cancelled(gate));
    } else if (modes[i] != STORED_CANCEL_SELF) {
      CHECK_RC(ac_future_set_result_none(gate), 0);
    }
    CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), want[i]);
    ac_value r;
    int64_t n;
    if (modes[i] == STORED_KEPT) {
      CHECK_RC(ac_future_result(ac_task_future(t), &r), 0);
      CHECK_INT(r.kind, AC_VALUE_BYTES);
      CHECK_INT((int)r.u.bytes.len, 12);
      CHECK(memcmp(r.u.bytes.data, "stored bytes", 12) == 0);
    } else if (modes[i] == FAILED_THEN_DONE) {
      CHECK_RC(ac_future_result_int64(ac_task_future(t), &n), 0);
      CHECK_INT(n, 5);
      CHECK(ac_future_error(ac_task_future(t)) == NULL);
    } else if (modes[i] == STORED_THEN_FAIL) {
      CHECK_STR(ac_error_message(ac_future_error(ac_task_future(t))), "later");
    } else {
      CHECK_RC(ac_future_result(ac_task_future(t), &r), AC_ECANCELLED);
      CHECK_STR(ac_error_message(ac_future_error(ac_task_future(t))),
                modes[i] == STORED_CANCEL_SELF ? "self" : "from outside");
    }
    ac_future_unref(gate);
    ac_task_unref(t);
  }
  th_close(loop);
}

int main(void) {
  RUN(test_task_starts_later_and_returns_result);
  RUN(test_concurrent_children_awaited_in_sequence);
  RUN(test_cancel_before_first_step);
  RUN(test_cancel_while_awaiting_cancels_the_awaited_future);
  RUN(test_step_may_swallow_cancellation_and_uncancel);
  RUN(test_finishing_with_cancel_pending_ends_cancelled);
  RUN(test_cancelling_counts_requests);
  RUN(test_uncancel_before_delivery_withdraws);
  RUN(test_errors_propagate_with_their_message);
  RUN(test_yield_interleaves_tasks_fifo);
  RUN(test_await_done_future_does_not_suspend);
  RUN(test_task_new_copy_moves_the_state_in);
  RUN(test_task_made_in_the_state_room);
  RUN(test_cancel_during_step_then_await_done_future);
  RUN(test_eager_start_runs_first_step_inline);
  RUN(test_names_current_task_and_task_list);
  RUN(test_unobserved_task_error_is_reported);
  RUN(test_close_with_pending_tasks_reports_and_frees_state);
  RUN(test_cancel_on_closed_loop_is_refused);
  RUN(test_task_local_context);
  RUN(test_context_value_destructor_reenters);
  RUN(test_run_returns_result_and_cancels_leftovers);
  RUN(test_run_reports_main_error);
  RUN(test_step_protocol_misuse);
  RUN(test_outcome_error_carries_the_cancel_message);
  RUN(test_task_awaiting_itself_fails_with_runtime_error);
  RUN(test_sleep_on_the_tasks_own_timer);
  RUN(test_sleep_cancelled_twice_then_uncancelled);
  RUN(test_await_pending_goes_on_when_done);
  RUN(test_stored_outcome_kept_across_awaits_or_let_go);
  return th_finish();
}
