#define _POSIX_C_SOURCE 200809L
/* to_thread.c — blocking work on worker threads: results and errors, who
 * frees what and when, cancelling before and after the work started, a
 * saturated pool that never blocks the loop, dedicated executors, closing
 * a loop with work outstanding, and misuse. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "harness.h"

static atomic_int frees, runs, destructors;

static void reset(void) {
  atomic_store(&frees, 0);
  atomic_store(&runs, 0);
  atomic_store(&destructors, 0);
}
static void count_free(void *ud) {
  (void)ud;
  atomic_fetch_add(&frees, 1);
}
static void count_destructor(void *p) {
  free(p);
  atomic_fetch_add(&destructors, 1);
}

/* Steps the loop until `counter` reaches n (work finishing on a worker is
 * not a timer, so this is how a test waits for it). */
static void step_until(ac_loop *loop, atomic_int *counter, int n) {
  for (int i = 0; i < 100000 && atomic_load(counter) < n; ++i) ac_loop_step(loop, 0.01, NULL, NULL);
  CHECK_INT(atomic_load(counter), n);
}

/* ---- worker functions ---- */

static int answer(void *ud, ac_value *result) {
  (void)ud;
  atomic_fetch_add(&runs, 1);
  ac_value_set_int64(result, 42);
  return 0;
}
static int fail_enoent(void *ud, ac_value *result) {
  (void)ud;
  ac_value_set_int64(result, 1);
  return AC_ENOENT;
}
/* Bytes in memory of ud: still valid when the library copies them. */
static int bytes_from_ud(void *ud, ac_value *result) {
  memcpy(ud, "from the buffer", 15);
  ac_value_set_bytes(result, ud, 15);
  return 0;
}
static int owned_pointer(void *ud, ac_value *result) {
  (void)ud;
  atomic_fetch_add(&runs, 1);
  ac_value_set_pointer(result, malloc(8), count_destructor);
  return 0;
}
/* Waits for the gate (a thread-safe future) to open; marks `started`. */
struct gated {
  ac_tsfuture *started; /* optional */
  ac_tsfuture *gate;
  int64_t value;
};
static int gated_work(void *ud, ac_value *result) {
  struct gated *g = ud;
  if (g->started != NULL) ac_tsfuture_set_result_int64(g->started, g->value);
  ac_tsfuture_wait(g->gate, -1);
  atomic_fetch_add(&runs, 1);
  ac_value_set_pointer(result, malloc(8), count_destructor);
  return 0;
}
static void free_gated(void *ud) {
  struct gated *g = ud;
  ac_tsfuture_unref(g->started);
  ac_tsfuture_unref(g->gate);
  free(g);
  atomic_fetch_add(&frees, 1);
}
static struct gated *new_gated(ac_tsfuture *gate, int with_started, int64_t value) {
  struct gated *g = calloc(1, sizeof *g);
  g->gate = ac_tsfuture_ref(gate);
  if (with_started) ac_tsfuture_new(&g->started);
  g->value = value;
  return g;
}

static ac_tsfuture *new_gate(void) {
  ac_tsfuture *gate = NULL;
  CHECK_RC(ac_tsfuture_new(&gate), 0);
  return gate;
}

/* ---- results ---- */

static void test_result_from_libuv_pool(void) {
  ac_loop *loop = th_loop();
  ac_future *f;
  int64_t v = 0;
  reset();
  CHECK_RC(ac_to_thread(loop, answer, NULL, count_free, NULL, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  CHECK_RC(ac_future_result_int64(f, &v), 0);
  CHECK_INT(v, 42);
  CHECK_INT(atomic_load(&frees), 1);
  ac_future_unref(f);
  th_close(loop);
}

static void test_error_code_fails_the_future(void) {
  ac_loop *loop = th_loop();
  ac_future *f;
  CHECK_RC(ac_to_thread(loop, fail_enoent, NULL, NULL, NULL, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), AC_ENOENT);
  CHECK_RC(ac_error_code(ac_future_error(f)), AC_ENOENT);
  ac_future_unref(f);
  th_close(loop);
}

static void test_bytes_are_copied_before_free_ud(void) {
  ac_loop *loop = th_loop();
  ac_future *f;
  ac_value v;
  CHECK_RC(ac_to_thread(loop, bytes_from_ud, malloc(16), free, NULL, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK_INT(v.kind, AC_VALUE_BYTES);
  CHECK_INT(v.u.bytes.len, 15);
  CHECK(memcmp(v.u.bytes.data, "from the buffer", 15) == 0);
  ac_future_unref(f);
  th_close(loop);
}

static void test_pointer_result_destructor_runs_once_with_the_future(void) {
  ac_loop *loop = th_loop();
  ac_future *f;
  reset();
  CHECK_RC(ac_to_thread(loop, owned_pointer, NULL, NULL, NULL, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  CHECK_INT(atomic_load(&destructors), 0);
  ac_future_unref(f);
  CHECK_INT(atomic_load(&destructors), 1);
  th_close(loop);
}

/* The loop keeps running while a worker blocks: a sleep on the loop ends
 * first, then the loop opens the gate the worker waits on. (On the real
 * clock: on the virtual one the job would hold the clock, and the sleep
 * could never end while the worker waits for it.) */
struct overlap {
  AC_ASYNC_FIELDS;
  ac_tsfuture *gate;
  ac_future *work;
};
static int overlap_step(ac_task *t, void *p) {
  struct overlap *s = p;
  int rc;
  AC_BEGIN(s);
  rc = ac_to_thread(ac_task_get_loop(t), gated_work, new_gated(s->gate, 0, 0), free_gated, NULL,
                    &s->work);
  if (rc < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 0.02));
  AC_CHECK(t);
  trace("sleep done, work done: %d", ac_future_done(s->work));
  ac_tsfuture_set_result_none(s->gate);
  AC_AWAIT(s, ac_task_await(t, s->work));
  AC_CHECK(t);
  trace("work done");
  AC_END(s);
}
static void test_loop_runs_while_the_worker_blocks(void) {
  ac_loop *loop;
  CHECK_RC(ac_loop_new(AC_LOOP_DEFAULT, &loop), 0);
  struct overlap s = {0};
  ac_task *t;
  reset();
  s.gate = new_gate();
  CHECK_RC(ac_task_new(loop, overlap_step, &s, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_TRACE("sleep done, work done: 0\nwork done\n");
  CHECK_INT(atomic_load(&frees), 1);
  ac_future_unref(s.work);
  CHECK_INT(atomic_load(&destructors), 1);
  ac_task_unref(t);
  ac_tsfuture_unref(s.gate);
  th_close(loop);
}

/* ---- cancellation ---- */

static void test_cancel_before_start_removes_it_from_a_dedicated_pool(void) {
  ac_loop *loop = th_loop();
  ac_executor *ex;
  ac_tsfuture *gate = new_gate();
  ac_future *busy, *queued;
  reset();
  CHECK_RC(ac_executor_new(1, &ex), 0);
  struct gated *g = new_gated(gate, 1, 0);
  ac_tsfuture *started = ac_tsfuture_ref(g->started);
  CHECK_RC(ac_to_thread(loop, gated_work, g, free_gated, ex, &busy), 0);
  CHECK_RC(ac_tsfuture_wait(started, -1), 0); /* the only worker is busy */
  CHECK_RC(ac_to_thread(loop, owned_pointer, NULL, count_free, ex, &queued), 0);
  CHECK_RC(ac_future_cancel(queued, NULL), 1);
  CHECK_INT(atomic_load(&frees), 1); /* removed at once: free_ud ran */
  CHECK_RC(ac_future_cancelled(queued), 1);
  ac_tsfuture_set_result_none(gate);
  CHECK_RC(ac_loop_run_until_complete(loop, busy), 0);
  CHECK_INT(atomic_load(&runs), 1); /* owned_pointer never ran */
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0);
  ac_executor_unref(ex);
  ac_future_unref(busy);
  ac_future_unref(queued);
  ac_tsfuture_unref(started);
  ac_tsfuture_unref(gate);
  CHECK_INT(atomic_load(&frees), 2);
  CHECK_INT(atomic_load(&destructors), 1);
  th_close(loop);
}

/* libuv's pool has UV_THREADPOOL_SIZE (set to 2 in main) threads. */
static void test_cancel_before_start_removes_it_from_libuv_pool(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *gate = new_gate();
  ac_future *busy[2], *queued;
  ac_tsfuture *started[2];
  reset();
  for (int i = 0; i < 2; ++i) {
    struct gated *g = new_gated(gate, 1, i);
    started[i] = ac_tsfuture_ref(g->started);
    CHECK_RC(ac_to_thread(loop, gated_work, g, free_gated, NULL, &busy[i]), 0);
  }
  for (int i = 0; i < 2; ++i) CHECK_RC(ac_tsfuture_wait(started[i], -1), 0);
  CHECK_RC(ac_to_thread(loop, owned_pointer, NULL, count_free, NULL, &queued), 0);
  CHECK_RC(ac_future_cancel(queued, "no longer needed"), 1);
  CHECK_RC(ac_future_cancelled(queued), 1);
  CHECK_STR(ac_error_message(ac_future_error(queued)), "no longer needed");
  step_until(loop, &frees, 1); /* libuv reports the removal through the loop */
  ac_tsfuture_set_result_none(gate);
  for (int i = 0; i < 2; ++i) CHECK_RC(ac_loop_run_until_complete(loop, busy[i]), 0);
  CHECK_INT(atomic_load(&runs), 2); /* owned_pointer never ran */
  for (int i = 0; i < 2; ++i) {
    ac_future_unref(busy[i]);
    ac_tsfuture_unref(started[i]);
  }
  ac_future_unref(queued);
  ac_tsfuture_unref(gate);
  CHECK_INT(atomic_load(&frees), 3);
  CHECK_INT(atomic_load(&destructors), 2);
  th_close(loop);
}

static void cancel_after_start(ac_executor *ex) {
  ac_loop *loop = th_loop();
  ac_tsfuture *gate = new_gate();
  ac_future *f;
  reset();
  struct gated *g = new_gated(gate, 1, 0);
  ac_tsfuture *started = ac_tsfuture_ref(g->started);
  CHECK_RC(ac_to_thread(loop, gated_work, g, free_gated, ex, &f), 0);
  CHECK_RC(ac_tsfuture_wait(started, -1), 0);
  CHECK_RC(ac_future_cancel(f, NULL), 1);
  CHECK_RC(ac_future_cancelled(f), 1); /* at once */
  CHECK_INT(atomic_load(&frees), 0);   /* the work is still running */
  ac_future_unref(f);                  /* dropping it early is fine too */
  ac_tsfuture_set_result_none(gate);
  step_until(loop, &frees, 1);
  CHECK_INT(atomic_load(&runs), 1);
  CHECK_INT(atomic_load(&destructors), 1); /* the dropped result */
  ac_tsfuture_unref(started);
  ac_tsfuture_unref(gate);
  th_close(loop);
}
static void test_cancel_after_start_drops_the_result_libuv(void) { cancel_after_start(NULL); }
static void test_cancel_after_start_drops_the_result_executor(void) {
  ac_executor *ex;
  CHECK_RC(ac_executor_new(2, &ex), 0);
  cancel_after_start(ex);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0);
  ac_executor_unref(ex);
}

struct canceller {
  AC_ASYNC_FIELDS;
  ac_tsfuture *gate;
};
static int await_work_step(ac_task *t, void *p) {
  struct canceller *s = p;
  AC_BEGIN(s);
  {
    ac_future *f;
    int rc = ac_to_thread(ac_task_get_loop(t), gated_work, new_gated(s->gate, 0, 0), free_gated,
                          NULL, &f);
    if (rc < 0) return rc;
    AC_AWAIT(s, ac_task_await_owned(t, f));
  }
  trace("outcome %s", ac_err_name(ac_task_outcome(t)));
  AC_CHECK(t);
  AC_END(s);
}
static void test_cancelling_the_awaiting_task_cancels_the_work_future(void) {
  ac_loop *loop = th_loop();
  struct canceller s = {0};
  ac_task *t;
  reset();
  s.gate = new_gate();
  CHECK_RC(ac_task_new(loop, await_work_step, &s, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 1);
  CHECK_RC(ac_task_cancel(t, NULL), 1);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  CHECK_TRACE("outcome AC_ECANCELLED\n");
  ac_tsfuture_set_result_none(s.gate);
  step_until(loop, &frees, 1);
  CHECK_INT(atomic_load(&destructors), atomic_load(&runs));
  ac_task_unref(t);
  ac_tsfuture_unref(s.gate);
  th_close(loop);
}

/* ---- saturation ---- */

/* On the real clock: on the virtual one the pending jobs would hold it. */
static void test_saturated_pool_never_blocks_the_loop(void) {
  ac_loop *loop;
  CHECK_RC(ac_loop_new(AC_LOOP_DEFAULT, &loop), 0);
  ac_executor *ex;
  ac_tsfuture *gate = new_gate();
  ac_future *busy, *more[100], *nap;
  reset();
  CHECK_RC(ac_executor_new(1, &ex), 0);
  CHECK_RC(ac_to_thread(loop, gated_work, new_gated(gate, 0, 0), free_gated, ex, &busy), 0);
  for (int i = 0; i < 100; ++i) CHECK_RC(ac_to_thread(loop, answer, NULL, count_free, ex, &more[i]), 0);
  CHECK_RC(ac_sleep(loop, 0.01, &nap), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, nap), 0); /* the loop is free */
  CHECK_INT(ac_future_done(busy), 0);
  ac_tsfuture_set_result_none(gate);
  for (int i = 0; i < 100; ++i) {
    int64_t v = 0;
    CHECK_RC(ac_loop_run_until_complete(loop, more[i]), 0);
    CHECK_RC(ac_future_result_int64(more[i], &v), 0);
    CHECK_INT(v, 42);
    ac_future_unref(more[i]);
  }
  CHECK_RC(ac_loop_run_until_complete(loop, busy), 0);
  CHECK_INT(atomic_load(&frees), 101);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0);
  ac_executor_unref(ex);
  ac_future_unref(busy);
  ac_future_unref(nap);
  ac_tsfuture_unref(gate);
  th_close(loop);
}

/* ---- the virtual clock waits for workers ---- */

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}
static int sleepy_answer(void *ud, ac_value *result) {
  (void)ud;
  sleep_ms(50);
  ac_value_set_int64(result, 42);
  return 0;
}
struct napper {
  AC_ASYNC_FIELDS;
};
static int napper_step(ac_task *t, void *p) {
  struct napper *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  AC_CHECK(t);
  trace("sleep ends at %g", ac_loop_time(ac_task_get_loop(t)));
  AC_END(s);
}
struct holder {
  AC_ASYNC_FIELDS;
  ac_executor *ex;
  ac_task *napper;
  ac_future *work;
  struct napper nap;
};
static int holder_step(ac_task *t, void *p) {
  struct holder *s = p;
  ac_loop *loop = ac_task_get_loop(t);
  int64_t v = 0;
  int rc;
  AC_BEGIN(s);
  rc = ac_task_new(loop, napper_step, &s->nap, NULL, 0, &s->napper);
  if (rc < 0) return rc;
  rc = ac_to_thread(loop, sleepy_answer, NULL, NULL, s->ex, &s->work);
  if (rc < 0) return rc;
  AC_AWAIT(s, ac_task_await(t, s->work));
  AC_CHECK(t);
  ac_future_result_int64(s->work, &v);
  trace("result %d at %g", (int)v, ac_loop_time(loop));
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->napper)));
  AC_CHECK(t);
  AC_END(s);
}

/* A job that really takes 50 ms while a 10 s virtual sleep is pending: its
 * result arrives at virtual time 0, the sleep ends at 10 s (libuv's pool,
 * then a dedicated executor). */
static void test_worker_holds_the_virtual_clock(void) {
  ac_executor *ex;
  CHECK_RC(ac_executor_new(1, &ex), 0);
  for (int pool = 0; pool < 2; ++pool) {
    ac_loop *loop = th_loop();
    struct holder s;
    memset(&s, 0, sizeof s);
    s.ex = pool ? ex : NULL;
    ac_task *t;
    CHECK_RC(ac_task_new(loop, holder_step, &s, NULL, 0, &t), 0);
    CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
    CHECK_TRACE("result 42 at 0\nsleep ends at 10\n");
    ac_future_unref(s.work);
    ac_task_unref(s.napper);
    ac_task_unref(t);
    th_close(loop);
  }
  ac_executor_shutdown(ex, AC_EXECUTOR_WAIT);
  ac_executor_unref(ex);
}

/* Cancelling the job's future gives the clock back at once, even though
 * the work goes on (asyncio's wrapped future is done then). */
static void test_cancelled_job_releases_the_virtual_clock(void) {
  ac_loop *loop = th_loop();
  ac_tsfuture *gate = new_gate();
  ac_tsfuture *started = NULL;
  struct gated *g = new_gated(gate, 1, 0);
  started = ac_tsfuture_ref(g->started);
  ac_future *work, *nap;
  reset();
  CHECK_RC(ac_to_thread(loop, gated_work, g, free_gated, NULL, &work), 0);
  CHECK_RC(ac_tsfuture_wait(started, -1), 0);
  CHECK_RC(ac_sleep(loop, 10, &nap), 0);
  CHECK_RC(ac_future_cancel(work, NULL), 1);
  CHECK_RC(ac_loop_run_until_complete(loop, nap), 0); /* no deadlock */
  CHECK_DOUBLE(ac_loop_time(loop), 10);
  ac_tsfuture_set_result_none(gate);
  ac_future_unref(work);
  ac_future_unref(nap);
  ac_tsfuture_unref(started);
  ac_tsfuture_unref(gate);
  th_close(loop); /* waits for the running work */
  CHECK_INT(atomic_load(&frees), 1);
}

/* ---- the worker runs in a copy of the task's context ---- */

static ac_context_key ctx_user, ctx_level;

struct ctx_work {
  ac_loop *loop;
  ac_loop *other;
  int rc_other;
  int rc_null_loop;
  char seen[64];
};
/* Reads the submitter's values, changes its own copy, reads again. */
static int context_work(void *ud, ac_value *result) {
  struct ctx_work *w = ud;
  ac_value v;
  char user[32] = "unset";
  int64_t level = -1;
  if (ac_context_get(w->loop, ctx_user, &v) == 1)
    snprintf(user, sizeof user, "%.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  if (ac_context_get(NULL, ctx_level, &v) == 1) level = v.u.i64;
  w->rc_null_loop = ac_context_get(NULL, ctx_user, &v);
  w->rc_other = w->other != NULL ? ac_context_get(w->other, ctx_user, &v) : 0;
  ac_value_set_bytes(&v, "worker", 6);
  ac_context_set(w->loop, ctx_user, &v);
  ac_context_delete(NULL, ctx_level);
  char after[32] = "unset";
  if (ac_context_get(w->loop, ctx_user, &v) == 1)
    snprintf(after, sizeof after, "%.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  int still = ac_context_get(w->loop, ctx_level, &v);
  snprintf(w->seen, sizeof w->seen, "%s/%d then %s/%d", user, (int)level, after, still);
  ac_value_set_int64(result, level);
  return 0;
}
struct ctx_task {
  AC_ASYNC_FIELDS;
  ac_executor *ex;
  struct ctx_work work;
  ac_future *f;
};
static int ctx_task_step(ac_task *t, void *p) {
  struct ctx_task *s = p;
  ac_loop *loop = ac_task_get_loop(t);
  ac_value v;
  int rc;
  AC_BEGIN(s);
  ac_value_set_bytes(&v, "alice", 5);
  ac_context_set(loop, ctx_user, &v);
  ac_value_set_int64(&v, 3);
  ac_context_set(loop, ctx_level, &v);
  s->work.loop = loop;
  rc = ac_to_thread(loop, context_work, &s->work, NULL, s->ex, &s->f);
  if (rc < 0) return rc;
  /* Set after the submission: the worker's copy was made before. */
  ac_value_set_bytes(&v, "bob", 3);
  ac_context_set(loop, ctx_user, &v);
  AC_AWAIT(s, ac_task_await(t, s->f));
  AC_CHECK(t);
  /* The worker's changes stayed in its copy. */
  {
    ac_value lv;
    int level = ac_context_get(loop, ctx_level, &lv) == 1 ? (int)lv.u.i64 : -1;
    ac_context_get(loop, ctx_user, &v);
    trace("worker saw %s; task has %.*s, level %d", s->work.seen, (int)v.u.bytes.len,
          (const char *)v.u.bytes.data, level);
  }
  AC_END(s);
}

static void test_worker_sees_a_copy_of_the_task_context(void) {
  if (ctx_user == 0) {
    CHECK_RC(ac_context_key_new(&ctx_user), 0);
    CHECK_RC(ac_context_key_new(&ctx_level), 0);
  }
  ac_executor *ex;
  CHECK_RC(ac_executor_new(1, &ex), 0);
  ac_loop *other = th_loop();
  for (int pool = 0; pool < 2; ++pool) {
    ac_loop *loop = th_loop();
    struct ctx_task s;
    memset(&s, 0, sizeof s);
    s.ex = pool ? ex : NULL;
    s.work.other = other;
    ac_task *t;
    CHECK_RC(ac_task_new(loop, ctx_task_step, &s, NULL, 0, &t), 0);
    CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
    CHECK_TRACE("worker saw alice/3 then worker/0; task has bob, level 3\n");
    CHECK_RC(s.work.rc_null_loop, 1);
    CHECK_RC(s.work.rc_other, AC_EWRONGTHREAD); /* only the submitting loop's copy */
    ac_future_unref(s.f);
    ac_task_unref(t);
    th_close(loop);
  }
  /* Submitted outside any task: the loop's base context; empty here. */
  ac_loop *loop = th_loop();
  struct ctx_work w;
  memset(&w, 0, sizeof w);
  w.loop = loop;
  ac_future *f;
  CHECK_RC(ac_to_thread(loop, context_work, &w, NULL, NULL, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  CHECK_STR(w.seen, "unset/-1 then worker/0");
  ac_future_unref(f);
  /* On the loop's thread, outside a worker, NULL is no loop. */
  ac_value v;
  CHECK_RC(ac_context_get(NULL, ctx_user, &v), AC_EINVAL);
  th_close(loop);
  th_close(other);
  ac_executor_shutdown(ex, AC_EXECUTOR_WAIT);
  ac_executor_unref(ex);
}

/* ---- a worker fails with an error object ---- */

static int raise_with_cause(void *ud, ac_value *result, ac_error **error) {
  (void)ud;
  ac_value_set_pointer(result, malloc(8), count_destructor); /* dropped: it failed */
  ac_error *cause;
  ac_error_new(AC_ECONNRESET, "peer went away", NULL, &cause);
  ac_error_new(AC_EHOST, "fetch failed", cause, error);
  ac_error_unref(cause);
  return AC_EHOST;
}
static int raise_other_code(void *ud, ac_value *result, ac_error **error) {
  (void)ud;
  (void)result;
  ac_error_new(AC_ETIMEDOUT, "too slow", NULL, error);
  return AC_EPIPE; /* the error's code wins */
}
static int raise_cancelled(void *ud, ac_value *result, ac_error **error) {
  (void)ud;
  (void)result;
  ac_error_new(AC_ECANCELLED, "worker gave up", NULL, error);
  return AC_ECANCELLED;
}
static int succeed_despite_error(void *ud, ac_value *result, ac_error **error) {
  (void)ud;
  ac_error_new(AC_EPIPE, "ignored", NULL, error);
  ac_value_set_int64(result, 7);
  return 0;
}
static int fail_with_code_only(void *ud, ac_value *result, ac_error **error) {
  (void)ud;
  (void)result;
  (void)error;
  return AC_ENOENT;
}

static void test_worker_fails_with_an_error_object(void) {
  ac_executor *ex;
  CHECK_RC(ac_executor_new(1, &ex), 0);
  for (int pool = 0; pool < 2; ++pool) {
    ac_loop *loop = th_loop();
    ac_executor *on = pool ? ex : NULL;
    ac_future *f;
    reset();
    CHECK_RC(ac_to_thread_v2(loop, raise_with_cause, NULL, count_free, on, &f), 0);
    CHECK_RC(ac_loop_run_until_complete(loop, f), AC_EHOST);
    ac_error *e = ac_future_error(f);
    CHECK_STR(ac_error_message(e), "fetch failed");
    CHECK_RC(ac_error_code(ac_error_cause(e)), AC_ECONNRESET);
    CHECK_STR(ac_error_message(ac_error_cause(e)), "peer went away");
    CHECK_INT(atomic_load(&destructors), 1);
    CHECK_INT(atomic_load(&frees), 1);
    ac_future_unref(f);

    CHECK_RC(ac_to_thread_v2(loop, raise_other_code, NULL, NULL, on, &f), 0);
    CHECK_RC(ac_loop_run_until_complete(loop, f), AC_ETIMEDOUT);
    CHECK_STR(ac_error_message(ac_future_error(f)), "too slow");
    ac_future_unref(f);

    CHECK_RC(ac_to_thread_v2(loop, raise_cancelled, NULL, NULL, on, &f), 0);
    CHECK_RC(ac_loop_run_until_complete(loop, f), AC_ECANCELLED);
    CHECK_RC(ac_future_cancelled(f), 1);
    CHECK_STR(ac_error_message(ac_future_error(f)), "worker gave up");
    ac_future_unref(f);

    CHECK_RC(ac_to_thread_v2(loop, succeed_despite_error, NULL, NULL, on, &f), 0);
    CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
    int64_t v = 0;
    CHECK_RC(ac_future_result_int64(f, &v), 0);
    CHECK_INT(v, 7);
    ac_future_unref(f);

    CHECK_RC(ac_to_thread_v2(loop, fail_with_code_only, NULL, NULL, on, &f), 0);
    CHECK_RC(ac_loop_run_until_complete(loop, f), AC_ENOENT);
    CHECK_RC(ac_error_code(ac_future_error(f)), AC_ENOENT);
    ac_future_unref(f);

    CHECK_RC(ac_to_thread_v2(loop, NULL, NULL, count_free, on, &f), AC_EINVAL);
    th_close(loop);
  }
  ac_executor_shutdown(ex, AC_EXECUTOR_WAIT);
  ac_executor_unref(ex);
}

/* ---- dedicated executors ---- */

static int64_t order[8];
static atomic_int order_len;
static int record_order(void *ud, ac_value *result) {
  int64_t i = (int64_t)(intptr_t)ud;
  order[atomic_fetch_add(&order_len, 1)] = i;
  ac_value_set_int64(result, i * 10);
  return 0;
}
static void test_single_thread_executor_runs_in_submission_order(void) {
  ac_loop *loop = th_loop();
  ac_executor *ex;
  ac_future *f[8];
  atomic_store(&order_len, 0);
  CHECK_RC(ac_executor_new(1, &ex), 0);
  for (int i = 0; i < 8; ++i)
    CHECK_RC(ac_to_thread(loop, record_order, (void *)(intptr_t)i, NULL, ex, &f[i]), 0);
  for (int i = 0; i < 8; ++i) {
    int64_t v;
    CHECK_RC(ac_loop_run_until_complete(loop, f[i]), 0);
    CHECK_RC(ac_future_result_int64(f[i], &v), 0);
    CHECK_INT(v, i * 10);
    CHECK_INT(order[i], i);
    ac_future_unref(f[i]);
  }
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0);
  ac_executor_unref(ex);
  th_close(loop);
}

static void test_shutdown_refuses_new_work(void) {
  ac_loop *loop = th_loop();
  ac_executor *ex;
  ac_future *f = NULL;
  reset();
  CHECK_RC(ac_executor_new(2, &ex), 0);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_DEFAULT), 0);
  CHECK_RC(ac_to_thread(loop, answer, NULL, count_free, ex, &f), AC_ECLOSED);
  CHECK(f == NULL);
  CHECK_INT(atomic_load(&frees), 1);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0); /* again, now waiting */
  ac_executor_unref(ex);
  th_close(loop);
}

static void test_shutdown_cancel_pending_cancels_queued_work(void) {
  ac_loop *loop = th_loop();
  ac_executor *ex;
  ac_tsfuture *gate = new_gate();
  ac_future *busy, *queued[3];
  reset();
  CHECK_RC(ac_executor_new(1, &ex), 0);
  struct gated *g = new_gated(gate, 1, 0);
  ac_tsfuture *started = ac_tsfuture_ref(g->started);
  CHECK_RC(ac_to_thread(loop, gated_work, g, free_gated, ex, &busy), 0);
  CHECK_RC(ac_tsfuture_wait(started, -1), 0);
  for (int i = 0; i < 3; ++i) CHECK_RC(ac_to_thread(loop, answer, NULL, count_free, ex, &queued[i]), 0);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_CANCEL_PENDING), 0);
  for (int i = 0; i < 3; ++i) CHECK_RC(ac_loop_run_until_complete(loop, queued[i]), AC_ECANCELLED);
  CHECK_INT(atomic_load(&frees), 3);
  ac_tsfuture_set_result_none(gate); /* running work is never interrupted */
  CHECK_RC(ac_loop_run_until_complete(loop, busy), 0);
  CHECK_INT(atomic_load(&runs), 1);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0);
  ac_executor_unref(ex);
  for (int i = 0; i < 3; ++i) ac_future_unref(queued[i]);
  ac_future_unref(busy);
  ac_tsfuture_unref(started);
  ac_tsfuture_unref(gate);
  th_close(loop);
}

static atomic_int wrongthread_rc;
static int shutdown_from_worker(void *ud, ac_value *result) {
  (void)result;
  atomic_store(&wrongthread_rc, ac_executor_shutdown(ud, AC_EXECUTOR_WAIT));
  return 0;
}
static void test_shutdown_wait_from_own_worker_is_refused(void) {
  ac_loop *loop = th_loop();
  ac_executor *ex;
  ac_future *f;
  CHECK_RC(ac_executor_new(1, &ex), 0);
  CHECK_RC(ac_to_thread(loop, shutdown_from_worker, ex, NULL, ex, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  CHECK_RC(atomic_load(&wrongthread_rc), AC_EWRONGTHREAD);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0);
  ac_executor_unref(ex);
  ac_future_unref(f);
  th_close(loop);
}

static void test_dropping_the_executor_lets_queued_work_finish(void) {
  ac_loop *loop = th_loop();
  ac_executor *ex;
  ac_future *f[4];
  reset();
  CHECK_RC(ac_executor_new(2, &ex), 0);
  for (int i = 0; i < 4; ++i) CHECK_RC(ac_to_thread(loop, answer, NULL, count_free, ex, &f[i]), 0);
  ac_executor_unref(ex); /* shuts down without waiting */
  for (int i = 0; i < 4; ++i) {
    CHECK_RC(ac_loop_run_until_complete(loop, f[i]), 0);
    ac_future_unref(f[i]);
  }
  CHECK_INT(atomic_load(&frees), 4);
  th_close(loop);
}

/* ---- closing the loop with work outstanding ---- */

static void test_close_with_libuv_work_outstanding(void) {
  ac_loop *loop = th_loop();
  ac_future *f[40];
  reset();
  for (int i = 0; i < 40; ++i) CHECK_RC(ac_to_thread(loop, owned_pointer, NULL, count_free, NULL, &f[i]), 0);
  /* Some queued (cancelled by close), some running (close waits). */
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_INT(atomic_load(&frees), 40);
  CHECK_INT(atomic_load(&destructors), atomic_load(&runs)); /* undelivered: dropped */
  for (int i = 0; i < 40; ++i) {
    CHECK_RC(ac_future_done(f[i]), 0); /* pending forever, as asyncio's */
    ac_future_unref(f[i]);
  }
  ac_loop_unref(loop);
}

static void test_close_with_executor_work_running(void) {
  ac_loop *loop = th_loop();
  ac_executor *ex;
  ac_tsfuture *gate = new_gate();
  ac_future *running, *queued;
  reset();
  CHECK_RC(ac_executor_new(1, &ex), 0);
  struct gated *g = new_gated(gate, 1, 0);
  ac_tsfuture *started = ac_tsfuture_ref(g->started);
  CHECK_RC(ac_to_thread(loop, gated_work, g, free_gated, ex, &running), 0);
  CHECK_RC(ac_tsfuture_wait(started, -1), 0);
  CHECK_RC(ac_to_thread(loop, owned_pointer, NULL, count_free, ex, &queued), 0);
  CHECK_RC(ac_loop_close(loop), 0); /* does not wait for the running work */
  CHECK_INT(atomic_load(&frees), 1); /* the queued one, removed */
  ac_future_unref(running);
  ac_future_unref(queued);
  ac_loop_unref(loop);
  ac_tsfuture_set_result_none(gate);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0);
  /* The worker finished into a closed loop: it released everything. */
  CHECK_INT(atomic_load(&frees), 2);
  CHECK_INT(atomic_load(&runs), 1);
  CHECK_INT(atomic_load(&destructors), 1);
  ac_executor_unref(ex);
  ac_tsfuture_unref(started);
  ac_tsfuture_unref(gate);
}

/* ---- misuse ---- */

static void *to_thread_from_other_thread(void *loop) {
  ac_future *f = NULL;
  atomic_store(&wrongthread_rc, ac_to_thread(loop, answer, NULL, count_free, NULL, &f));
  return NULL;
}
static void test_misuse(void) {
  ac_loop *loop = th_loop();
  ac_future *f = NULL;
  ac_executor *ex = NULL;
  reset();
  CHECK_RC(ac_to_thread(NULL, answer, NULL, count_free, NULL, &f), AC_EINVAL);
  CHECK_RC(ac_to_thread(loop, NULL, NULL, count_free, NULL, &f), AC_EINVAL);
  CHECK_RC(ac_to_thread(loop, answer, NULL, count_free, NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_to_thread(loop, answer, NULL, count_free, (ac_executor *)loop, &f), AC_EINVAL);
  CHECK_INT(atomic_load(&frees), 4);
  pthread_t th;
  pthread_create(&th, NULL, to_thread_from_other_thread, loop);
  pthread_join(th, NULL);
  CHECK_RC(atomic_load(&wrongthread_rc), AC_EWRONGTHREAD);
  CHECK_INT(atomic_load(&frees), 5);
  CHECK_RC(ac_executor_new(0, &ex), AC_EINVAL);
  CHECK_RC(ac_executor_new(1025, &ex), AC_EINVAL);
  CHECK_RC(ac_executor_new(1, NULL), AC_EINVAL);
  CHECK_RC(ac_executor_shutdown(NULL, 0), AC_EINVAL);
  CHECK_RC(ac_executor_new(1, &ex), 0);
  CHECK_RC(ac_executor_shutdown(ex, 4), AC_EINVAL);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0);
  ac_executor_unref(ex);
  ac_executor_unref(NULL);
  CHECK(ac_executor_ref(NULL) == NULL);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_to_thread(loop, answer, NULL, count_free, NULL, &f), AC_ECLOSED);
  CHECK_INT(atomic_load(&frees), 6);
  CHECK(f == NULL);
  ac_loop_unref(loop);
}

int main(void) {
  /* A small libuv pool makes saturating it cheap; set before first use. */
#ifdef _WIN32
  _putenv_s("UV_THREADPOOL_SIZE", "2");
#else
  setenv("UV_THREADPOOL_SIZE", "2", 1);
#endif
  RUN(test_result_from_libuv_pool);
  RUN(test_error_code_fails_the_future);
  RUN(test_bytes_are_copied_before_free_ud);
  RUN(test_pointer_result_destructor_runs_once_with_the_future);
  RUN(test_loop_runs_while_the_worker_blocks);
  RUN(test_cancel_before_start_removes_it_from_a_dedicated_pool);
  RUN(test_cancel_before_start_removes_it_from_libuv_pool);
  RUN(test_cancel_after_start_drops_the_result_libuv);
  RUN(test_cancel_after_start_drops_the_result_executor);
  RUN(test_cancelling_the_awaiting_task_cancels_the_work_future);
  RUN(test_saturated_pool_never_blocks_the_loop);
  RUN(test_worker_holds_the_virtual_clock);
  RUN(test_cancelled_job_releases_the_virtual_clock);
  RUN(test_worker_sees_a_copy_of_the_task_context);
  RUN(test_worker_fails_with_an_error_object);
  RUN(test_single_thread_executor_runs_in_submission_order);
  RUN(test_shutdown_refuses_new_work);
  RUN(test_shutdown_cancel_pending_cancels_queued_work);
  RUN(test_shutdown_wait_from_own_worker_is_refused);
  RUN(test_dropping_the_executor_lets_queued_work_finish);
  RUN(test_close_with_libuv_work_outstanding);
  RUN(test_close_with_executor_work_running);
  RUN(test_misuse);
  return th_finish();
}
