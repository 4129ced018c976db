/* taskgroup.c — task groups: join waits for all, the first failure cancels
 * siblings and body, errors aggregate (cancellations not counted), parent
 * cancellation, refusal after finish, misuse. */
#include "workers.h"

#define W(...) ((struct worker){__VA_ARGS__})

struct body {
  AC_ASYNC_FIELDS;
  struct worker cfg[3];
  int n;
  double body_sleep;
  int body_fail;   /* the body joins with this error */
  double after;    /* the parent goes on after the group */
  int spawn_late;  /* spawn one more task while joining */
  ac_taskgroup *tg;
  ac_task *kids[4];
  ac_future *join;
};

static void trace_group_error(ac_error *e) {
  trace("group error: %s", ac_error_message(e));
  for (int64_t i = 0; i < ac_error_child_count(e); ++i)
    trace("  child %s: %s", ac_err_name(ac_error_code(ac_error_child(e, i))),
          ac_error_message(ac_error_child(e, i)));
}

/* asyncio: create_task on a finished group or one shutting down raises
 * RuntimeError ("TaskGroup <repr> is finished" / "... is shutting down"). */
static void trace_spawn(const char *what, int rc) {
  if (rc == 0)
    trace("%s -> AC_OK", what);
  else
    trace("%s -> %s %s (%s)", what, ac_err_name(rc), ac_err_class(rc), ac_last_error_message(rc));
}

static int spawn_into(ac_taskgroup *tg, struct worker cfg, ac_task **out) {
  struct worker *w;
  int rc = ac_taskgroup_spawn_inline(tg, worker_step, sizeof *w, 0, out, (void **)&w);
  if (rc == 0) *w = cfg;
  return rc;
}

static int body_step(ac_task *t, void *p) {
  struct body *b = p;
  int rc;
  AC_BEGIN(b);
  if ((rc = ac_taskgroup_new(t, &b->tg)) < 0) return rc;
  for (int i = 0; i < b->n; ++i)
    if ((rc = spawn_into(b->tg, b->cfg[i], &b->kids[i])) < 0) return rc;
  AC_AWAIT(b, ac_task_sleep(t, b->body_sleep));
  rc = ac_task_outcome(t);
  trace("body resumed with %s at %g", ac_err_name(rc), now_of(t));
  if (b->body_fail != 0 && rc == 0) rc = b->body_fail;
  if ((rc = ac_taskgroup_join(b->tg, rc, NULL, &b->join)) < 0) return rc;
  if (b->spawn_late) trace_spawn("late spawn", spawn_into(b->tg, W(.name = "L", .delay = 1), &b->kids[3]));
  AC_AWAIT(b, ac_task_await(t, b->join));
  rc = ac_task_outcome(t);
  trace("join -> %s at %g, cancelling %d", ac_err_name(rc), now_of(t), (int)ac_task_cancelling(t));
  if (rc == AC_EGROUP) trace_group_error(ac_future_error(b->join));
  trace_spawn("spawn after finish", ac_taskgroup_spawn(b->tg, worker_step, NULL, NULL, 0, NULL));
  if (rc == AC_ECANCELLED) return ac_task_propagate(t);
  AC_AWAIT(b, ac_task_sleep(t, b->after));
  trace("after the group: %s at %g", ac_err_name(ac_task_outcome(t)), now_of(t));
  AC_CHECK(t);
  AC_END(b);
}

static void free_body(void *p) {
  struct body *b = p;
  for (int i = 0; i < 4; ++i) ac_task_unref(b->kids[i]);
  ac_future_unref(b->join);
  ac_taskgroup_unref(b->tg);
}

static int run_body(ac_loop *loop, struct body *b, double cancel_at) {
  ac_task *t;
  CHECK_RC(ac_task_new(loop, body_step, b, free_body, 0, &t), 0);
  if (cancel_at >= 0) CHECK_RC(ac_loop_call_later(loop, cancel_at, cancel_task_cb, t, NULL, NULL), 0);
  int rc = ac_loop_run_until_complete(loop, ac_task_future(t));
  ac_task_unref(t);
  return rc;
}

static void test_join_waits_for_all(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 2, .cfg = {W(.name = "A", .delay = 1), W(.name = "B", .delay = 3)},
                   .body_sleep = 2, .after = 1};
  CHECK_RC(run_body(loop, &b, -1), 0);
  CHECK_TRACE("A start at 0\nB start at 0\nA done at 1\nbody resumed with AC_OK at 2\nB done at 3\n"
              "join -> AC_OK at 3, cancelling 0\nspawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\n"
              "after the group: AC_OK at 4\n");
  th_close(loop);
}

static void test_first_failure_cancels_siblings_and_body(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 2,
                   .cfg = {W(.name = "A", .delay = 1, .fail = AC_EPIPE),
                           W(.name = "B", .delay = 5, .cleanup = 0.5)},
                   .body_sleep = 10, .after = 1};
  CHECK_RC(run_body(loop, &b, -1), 0);
  CHECK_TRACE("A start at 0\nB start at 0\nA fails at 1\nB cancelled at 1\n"
              "body resumed with AC_ECANCELLED at 1\nB cleaned up at 1.5\njoin -> AC_EGROUP at 1.5, cancelling 0\n"
              "group error: unhandled errors in a TaskGroup (1 sub-exception)\n"
              "  child EPIPE: A\nspawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\nafter the group: AC_OK at 2.5\n");
  th_close(loop);
}

/* An aborting group cancels its tasks in the order they were created
 * (CPython keeps them in a set: its order is chance; see
 * docs/asyncio-differences.md): B and C, both sleeping, see their
 * cancellations in creation order. */
static void test_abort_cancels_in_creation_order(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 3,
                   .cfg = {W(.name = "A", .delay = 1, .fail = AC_EPIPE), W(.name = "B", .delay = 5),
                           W(.name = "C", .delay = 5)},
                   .body_sleep = 0};
  CHECK_RC(run_body(loop, &b, -1), 0);
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\nbody resumed with AC_OK at 0\nA fails at 1\n"
              "B cancelled at 1\nC cancelled at 1\njoin -> AC_EGROUP at 1, cancelling 0\n"
              "group error: unhandled errors in a TaskGroup (1 sub-exception)\n"
              "  child EPIPE: A\nspawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\n"
              "after the group: AC_OK at 1\n");
  th_close(loop);
}

static void test_errors_aggregate_cancellations_not_counted(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 3,
                   .cfg = {W(.name = "A", .delay = 1, .fail = AC_EPIPE),
                           W(.name = "B", .delay = 1, .fail = AC_ENOENT),
                           W(.name = "C", .delay = 5)},
                   .body_sleep = 10};
  CHECK_RC(run_body(loop, &b, -1), 0);
  CHECK_TRACE("A start at 0\nB start at 0\nC start at 0\nA fails at 1\nB fails at 1\n"
              "C cancelled at 1\nbody resumed with AC_ECANCELLED at 1\n"
              "join -> AC_EGROUP at 1, cancelling 0\n"
              "group error: unhandled errors in a TaskGroup (2 sub-exceptions)\n"
              "  child EPIPE: A\n  child ENOENT: B\nspawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\n"
              "after the group: AC_OK at 1\n");
  th_close(loop);
}

static void test_body_error_cancels_tasks_and_joins_the_group_error(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 1, .cfg = {W(.name = "A", .delay = 5)}, .body_sleep = 1,
                   .body_fail = AC_EEXIST};
  CHECK_RC(run_body(loop, &b, -1), 0);
  CHECK_TRACE("A start at 0\nbody resumed with AC_OK at 1\nA cancelled at 1\n"
              "join -> AC_EGROUP at 1, cancelling 0\n"
              "group error: unhandled errors in a TaskGroup (1 sub-exception)\n"
              "  child EEXIST: file already exists\nspawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\n"
              "after the group: AC_OK at 1\n");
  th_close(loop);
}

static void test_parent_cancelled_in_body_cancels_group(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 1, .cfg = {W(.name = "A", .delay = 5, .cleanup = 1)}, .body_sleep = 10};
  CHECK_RC(run_body(loop, &b, 2), AC_ECANCELLED);
  CHECK_TRACE("A start at 0\ncancel task at 2\nbody resumed with AC_ECANCELLED at 2\n"
              "A cancelled at 2\nA cleaned up at 3\njoin -> AC_ECANCELLED at 3, cancelling 1\n"
              "spawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\n");
  th_close(loop);
}

static void test_parent_cancelled_while_joining_cancels_group(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 1, .cfg = {W(.name = "A", .delay = 5, .cleanup = 1)}, .body_sleep = 1};
  CHECK_RC(run_body(loop, &b, 2), AC_ECANCELLED);
  CHECK_TRACE("A start at 0\nbody resumed with AC_OK at 1\ncancel task at 2\nA cancelled at 2\n"
              "A cleaned up at 3\njoin -> AC_ECANCELLED at 3, cancelling 1\n"
              "spawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\n");
  th_close(loop);
}

/* asyncio's parent, cancelled while it waits to leave the group, aborts the
 * group when it runs, not when the cancellation is requested: B's sleep
 * ends in the same turn as the cancellation (timers of equal deadlines, the
 * cancel's first), so B is woken before the abort and sees the
 * cancellation first (found by the randomized differential test:
 * tests/random/found/s1-17.scn). */
static void test_parent_cancelled_while_joining_aborts_when_it_runs(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 2, .cfg = {W(.name = "A", .delay = 10), W(.name = "B", .delay = 3)},
                   .body_sleep = 0};
  CHECK_RC(run_body(loop, &b, 3), AC_ECANCELLED);
  CHECK_TRACE("A start at 0\nB start at 0\nbody resumed with AC_OK at 0\ncancel task at 3\n"
              "B cancelled at 3\nA cancelled at 3\njoin -> AC_ECANCELLED at 3, cancelling 1\n"
              "spawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\n");
  th_close(loop);
}

static void test_task_cancelled_by_someone_else_is_not_an_error(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 2, .cfg = {W(.name = "A", .delay = 5), W(.name = "B", .delay = 2)},
                   .body_sleep = 0};
  ac_task *t;
  CHECK_RC(ac_task_new(loop, body_step, &b, free_body, 0, &t), 0);
  ac_future *one;
  CHECK_RC(ac_sleep(loop, 1, &one), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, one), 0);  /* the group is running */
  ac_future_unref(one);
  CHECK_RC(ac_task_cancel(b.kids[0], NULL), 1);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("A start at 0\nB start at 0\nbody resumed with AC_OK at 0\nA cancelled at 1\n"
              "B done at 2\njoin -> AC_OK at 2, cancelling 0\nspawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\n"
              "after the group: AC_OK at 2\n");
  ac_task_unref(t);
  th_close(loop);
}

static void test_spawn_while_joining_is_allowed(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 1, .cfg = {W(.name = "A", .delay = 2)}, .body_sleep = 1, .spawn_late = 1};
  CHECK_RC(run_body(loop, &b, -1), 0);
  CHECK_TRACE("A start at 0\nbody resumed with AC_OK at 1\nlate spawn -> AC_OK\nL start at 1\n"
              "A done at 2\nL done at 2\njoin -> AC_OK at 2, cancelling 0\n"
              "spawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\nafter the group: AC_OK at 2\n");
  th_close(loop);
}

static void test_spawn_while_aborting_is_refused(void) {
  ac_loop *loop = th_loop();
  struct body b = {.n = 2,
                   .cfg = {W(.name = "A", .delay = 1, .fail = AC_EPIPE), W(.name = "B", .delay = 5, .cleanup = 1)},
                   .body_sleep = 10, .spawn_late = 1};
  CHECK_RC(run_body(loop, &b, -1), 0);
  /* The siblings are cancelled before the parent (asyncio's order). */
  CHECK_TRACE("A start at 0\nB start at 0\nA fails at 1\nB cancelled at 1\n"
              "body resumed with AC_ECANCELLED at 1\nlate spawn -> AC_EMISUSE RuntimeError (TaskGroup is shutting down)\nB cleaned up at 2\n"
              "join -> AC_EGROUP at 2, cancelling 0\n"
              "group error: unhandled errors in a TaskGroup (1 sub-exception)\n"
              "  child EPIPE: A\nspawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\nafter the group: AC_OK at 2\n");
  th_close(loop);
}

static void test_outside_cancel_with_failure_is_redelivered(void) {
  /* A fails at 1 while B cleans up until 3; the parent is also cancelled
   * from outside at 2. The join reports the group error (errors win) and
   * the outside cancellation hits the parent's next await. */
  ac_loop *loop = th_loop();
  struct body b = {.n = 2,
                   .cfg = {W(.name = "A", .delay = 1, .fail = AC_EPIPE), W(.name = "B", .delay = 5, .cleanup = 2)},
                   .body_sleep = 0.5, .after = 10};
  CHECK_RC(run_body(loop, &b, 2), AC_ECANCELLED);
  CHECK_TRACE("A start at 0\nB start at 0\nbody resumed with AC_OK at 0.5\nA fails at 1\n"
              "B cancelled at 1\ncancel task at 2\nB cleaned up at 3\n"
              "join -> AC_EGROUP at 3, cancelling 1\n"
              "group error: unhandled errors in a TaskGroup (1 sub-exception)\n"
              "  child EPIPE: A\nspawn after finish -> AC_EMISUSE RuntimeError (TaskGroup is finished)\n"
              "after the group: AC_ECANCELLED at 3\n");
  th_close(loop);
}

static int idle_step(ac_task *t, void *p) {
  (void)t;
  (void)p;
  return AC_STEP_DONE;
}

struct misuse {
  AC_ASYNC_FIELDS;
  ac_taskgroup *tg;
  ac_task *other;
  ac_future *join;
};
static int other_join_step(ac_task *t, void *p) {
  (void)t;
  struct misuse *m = p;
  ac_future *j = NULL;
  trace("join from another task: %s", ac_err_name(ac_taskgroup_join(m->tg, 0, NULL, &j)));
  return AC_STEP_DONE;
}
static int misuse_step(ac_task *t, void *p) {
  struct misuse *m = p;
  ac_error *e = NULL;
  ac_future *j = NULL;
  AC_BEGIN(m);
  CHECK_RC(ac_taskgroup_new(t, NULL), AC_EINVAL);
  CHECK_RC(ac_taskgroup_new(t, &m->tg), 0);
  CHECK_RC(ac_taskgroup_spawn(m->tg, NULL, NULL, NULL, 0, NULL), AC_EINVAL);
  CHECK_RC(ac_taskgroup_spawn(m->tg, idle_step, NULL, NULL, 0x40, NULL), AC_EINVAL);
  CHECK_RC(ac_taskgroup_size(m->tg), 0);
  CHECK_RC(ac_taskgroup_spawn(m->tg, idle_step, NULL, NULL, 0, NULL), 0);
  CHECK_RC(ac_taskgroup_size(m->tg), 1);
  CHECK_RC(ac_task_new(ac_task_get_loop(t), other_join_step, m, NULL, 0, &m->other), 0);
  AC_AWAIT(m, ac_task_await(t, ac_task_future(m->other)));
  CHECK_RC(ac_taskgroup_join(m->tg, 1, NULL, &j), AC_EINVAL);
  CHECK_RC(ac_error_new(AC_EPIPE, NULL, NULL, &e), 0);
  CHECK_RC(ac_taskgroup_join(m->tg, AC_ENOENT, e, &j), AC_EINVAL);  /* code differs */
  CHECK_RC(ac_taskgroup_join(m->tg, 0, e, &j), AC_EINVAL);
  ac_error_unref(e);
  CHECK_RC(ac_taskgroup_join(m->tg, 0, NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_taskgroup_join(m->tg, 0, NULL, &m->join), 0);
  CHECK_RC(ac_taskgroup_join(m->tg, 0, NULL, &j), AC_EMISUSE);  /* twice */
  AC_AWAIT(m, ac_task_await(t, m->join));
  AC_CHECK(t);
  AC_END(m);
}
static void free_misuse(void *p) {
  struct misuse *m = p;
  ac_taskgroup_unref(m->tg);
  ac_task_unref(m->other);
  ac_future_unref(m->join);
}

/* asyncio's parent, cancelled by a failing task while it waits in
 * __aexit__, wakes at that turn; when the other tasks have ended by then it
 * leaves the group from there, ahead of what was scheduled after the
 * failure (found by the randomized differential test:
 * tests/random/found/s3-495.scn). A fails; B schedules X and ends; X
 * schedules Y. CPython: A fails, B done, X, the parent leaves, Y. */
static void y_cb(ac_loop *loop, void *ud) {
  (void)loop;
  (void)ud;
  trace("Y");
}
static void x_cb(ac_loop *loop, void *ud) {
  (void)ud;
  trace("X");
  CHECK_RC(ac_loop_call_soon(loop, y_cb, NULL, NULL, NULL), 0);
}
static int fail_now_step(ac_task *t, void *p) {
  (void)p;
  trace("A fails");
  return ac_task_fail(t, AC_EPIPE, "A");
}
static int schedule_x_step(ac_task *t, void *p) {
  (void)p;
  CHECK_RC(ac_loop_call_soon(ac_task_get_loop(t), x_cb, NULL, NULL, NULL), 0);
  trace("B done");
  return AC_STEP_DONE;
}
struct leave {
  AC_ASYNC_FIELDS;
  ac_taskgroup *tg;
  ac_future *join;
};
static int leave_step(ac_task *t, void *p) {
  struct leave *l = p;
  AC_BEGIN(l);
  CHECK_RC(ac_taskgroup_new(t, &l->tg), 0);
  CHECK_RC(ac_taskgroup_spawn(l->tg, fail_now_step, NULL, NULL, 0, NULL), 0);
  CHECK_RC(ac_taskgroup_spawn(l->tg, schedule_x_step, NULL, NULL, 0, NULL), 0);
  CHECK_RC(ac_taskgroup_join(l->tg, 0, NULL, &l->join), 0);
  AC_AWAIT(l, ac_task_await(t, l->join));
  trace("parent leaves the group: %s", ac_err_name(ac_task_outcome(t)));
  AC_AWAIT(l, ac_task_sleep(t, 0));
  AC_END(l);
}

static void test_parent_leaves_at_the_turn_of_its_cancellation(void) {
  ac_loop *loop = th_loop();
  struct leave l = {0};
  ac_task *t;
  CHECK_RC(ac_task_new(loop, leave_step, &l, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("A fails\nB done\nX\nparent leaves the group: AC_EGROUP\nY\n");
  ac_task_unref(t);
  ac_future_unref(l.join);
  ac_taskgroup_unref(l.tg);
  th_close(loop);
}

static void test_misuse(void) {
  ac_loop *loop = th_loop();
  ac_taskgroup *tg = NULL;
  ac_future *f;
  CHECK_RC(ac_taskgroup_new(NULL, &tg), AC_EINVAL);
  ac_task *t = spawn_worker(loop, W(.name = "A", .delay = 1));
  CHECK_RC(ac_taskgroup_new(t, &tg), AC_EMISUSE);  /* not from its step */
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "TaskGroup cannot determine the parent task");
  CHECK(tg == NULL);
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_taskgroup_size((ac_taskgroup *)f), AC_EINVAL);
  CHECK_RC(ac_taskgroup_size(NULL), AC_EINVAL);
  CHECK_RC(ac_taskgroup_spawn((ac_taskgroup *)f, idle_step, NULL, NULL, 0, NULL), AC_EINVAL);
  CHECK_RC(ac_taskgroup_join(NULL, 0, NULL, &f), AC_EINVAL);
  CHECK(ac_taskgroup_ref(NULL) == NULL);
  ac_taskgroup_unref(NULL);
  ac_future_unref(f);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  ac_task_unref(t);
  trace_clear();
  struct misuse m = {0};
  ac_task *mt;
  CHECK_RC(ac_task_new(loop, misuse_step, &m, free_misuse, 0, &mt), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(mt)), 0);
  CHECK_TRACE("join from another task: AC_EMISUSE\n");
  ac_task_unref(mt);
  th_close(loop);
}

static void test_loop_closed_with_group_pending_leaks_nothing(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_set_exception_handler(loop, count_reports, NULL, NULL), 0);
  struct body b = {.n = 1, .cfg = {W(.name = "A", .delay = 50)}, .body_sleep = 1};
  ac_task *t;
  CHECK_RC(ac_task_new(loop, body_step, &b, free_body, 0, &t), 0);
  ac_future *two;
  CHECK_RC(ac_sleep(loop, 2, &two), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, two), 0);
  ac_future_unref(two);
  ac_task_unref(t);
  th_close(loop);
  CHECK_TRACE("A start at 0\nbody resumed with AC_OK at 1\n"
              "report: Task was destroyed but it is pending\n"
              "report: Task was destroyed but it is pending\n");
}

/* Runs a task of `step` on `state` (the caller's) until it is done. */
static void run_to_end(ac_loop *loop, ac_step_fn step, void *state) {
  ac_task *t;
  CHECK_RC(ac_task_new(loop, step, state, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  ac_task_unref(t);
}

/* Many tasks leaving in an order of their own: task i of N finishes at
 * ((i * 7919) % N + 1) ms, a permutation, so exactly k have left at k ms
 * + 0.5 (the group finds each by its id among the holes the others left,
 * and closes the holes up as they grow). */
enum { kMany = 3000 };
struct many {
  AC_ASYNC_FIELDS;
  ac_taskgroup *tg;
  ac_future *join;
};
struct sleeper_ms {
  AC_ASYNC_FIELDS;
  int ms;
};
static int sleeper_ms_step(ac_task *t, void *p) {
  struct sleeper_ms *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, s->ms * 0.001));
  AC_CHECK(t);
  return ac_task_return_int64(t, s->ms);
  AC_END(s);
}
static void size_at_cb(ac_loop *loop, void *ud) {
  trace("left at %g ms: %lld", ac_loop_time(loop) * 1e3, (long long)ac_taskgroup_size(ud));
}
static int many_step(ac_task *t, void *p) {
  struct many *m = p;
  int rc;
  AC_BEGIN(m);
  if ((rc = ac_taskgroup_new(t, &m->tg)) < 0) return rc;
  for (int i = 0; i < kMany; ++i) {
    struct sleeper_ms *s;
    if ((rc = ac_taskgroup_spawn_inline(m->tg, sleeper_ms_step, sizeof *s, 0, NULL, (void **)&s)) < 0) return rc;
    s->ms = (int)(((int64_t)i * 7919) % kMany) + 1;
  }
  trace("spawned: %lld", (long long)ac_taskgroup_size(m->tg));
  {
    static const double at[] = {0.5, 1.5, 10.5, 1500.5, 2999.5};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; ++k)
      if ((rc = ac_loop_call_later(ac_task_get_loop(t), at[k] * 0.001, size_at_cb, m->tg, NULL, NULL)) < 0) return rc;
  }
  if ((rc = ac_taskgroup_join(m->tg, 0, NULL, &m->join)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(t, m->join));
  AC_CHECK(t);
  trace("joined at %g ms: %lld left", now_of(t) * 1e3, (long long)ac_taskgroup_size(m->tg));
  ac_future_unref(m->join);
  ac_taskgroup_unref(m->tg);
  AC_END(m);
}

static void test_many_tasks_leave_in_any_order(void) {
  ac_loop *loop = th_loop();
  struct many m = {0};
  run_to_end(loop, many_step, &m);
  CHECK_TRACE("spawned: 3000\nleft at 0.5 ms: 3000\nleft at 1.5 ms: 2999\nleft at 10.5 ms: 2990\n"
              "left at 1500.5 ms: 1500\nleft at 2999.5 ms: 1\njoined at 3000 ms: 0 left\n");
  th_close(loop);
}

/* An eager task's first step spawns S into the same group before the
 * eager task E itself is added: the group keeps them in creation order (E,
 * then S), finds both when they leave, and an abort cancels E first. */
struct eager_body {
  AC_ASYNC_FIELDS;
  ac_taskgroup *tg;
  ac_future *join;
};
static ac_taskgroup *g_eager_group;
static int eager_spawner_step(ac_task *t, void *p) {
  struct worker *w = p;
  AC_BEGIN(w);
  {
    struct worker *s;
    int rc = ac_taskgroup_spawn_inline(g_eager_group, worker_step, sizeof *s, 0, NULL, (void **)&s);
    if (rc < 0) return rc;
    *s = W(.name = "S", .delay = 5);
  }
  trace("E start at %g", now_of(t));
  AC_AWAIT(w, ac_task_sleep(t, 5));
  if (ac_task_outcome(t) == AC_ECANCELLED) trace("E cancelled at %g", now_of(t));
  return ac_task_propagate(t);
  AC_END(w);
}
static int eager_body_step(ac_task *t, void *p) {
  struct eager_body *b = p;
  int rc;
  AC_BEGIN(b);
  if ((rc = ac_taskgroup_new(t, &b->tg)) < 0) return rc;
  g_eager_group = b->tg;
  {
    struct worker e = W(.name = "E");  /* copied in before its eager first step */
    if ((rc = ac_taskgroup_spawn_copy(b->tg, eager_spawner_step, &e, sizeof e, NULL, AC_TASK_EAGER, NULL, NULL)) < 0)
      return rc;
  }
  if ((rc = spawn_into(b->tg, W(.name = "F", .delay = 1, .fail = AC_EPIPE), NULL)) < 0) return rc;
  trace("in the group: %lld", (long long)ac_taskgroup_size(b->tg));
  if ((rc = ac_taskgroup_join(b->tg, 0, NULL, &b->join)) < 0) return rc;
  AC_AWAIT(b, ac_task_await(t, b->join));
  trace("join -> %s at %g, %lld left", ac_err_name(ac_task_outcome(t)), now_of(t),
        (long long)ac_taskgroup_size(b->tg));
  ac_future_unref(b->join);
  ac_taskgroup_unref(b->tg);
  AC_END(b);
}

static void test_eager_task_spawning_a_sibling_keeps_creation_order(void) {
  ac_loop *loop = th_loop();
  struct eager_body b = {0};
  run_to_end(loop, eager_body_step, &b);
  CHECK_TRACE("E start at 0\nin the group: 3\nS start at 0\nF start at 0\nF fails at 1\n"
              "E cancelled at 1\nS cancelled at 1\njoin -> AC_EGROUP at 1, 0 left\n");
  th_close(loop);
}

int main(void) {
  RUN(test_join_waits_for_all);
  RUN(test_first_failure_cancels_siblings_and_body);
  RUN(test_abort_cancels_in_creation_order);
  RUN(test_errors_aggregate_cancellations_not_counted);
  RUN(test_body_error_cancels_tasks_and_joins_the_group_error);
  RUN(test_parent_cancelled_in_body_cancels_group);
  RUN(test_parent_cancelled_while_joining_cancels_group);
  RUN(test_parent_cancelled_while_joining_aborts_when_it_runs);
  RUN(test_task_cancelled_by_someone_else_is_not_an_error);
  RUN(test_spawn_while_joining_is_allowed);
  RUN(test_spawn_while_aborting_is_refused);
  RUN(test_outside_cancel_with_failure_is_redelivered);
  RUN(test_parent_leaves_at_the_turn_of_its_cancellation);
  RUN(test_misuse);
  RUN(test_loop_closed_with_group_pending_leaks_nothing);
  RUN(test_many_tasks_leave_in_any_order);
  RUN(test_eager_task_spawning_a_sibling_keeps_creation_order);
  return th_finish();
}
