/*
 * sync_helpers.h — shared pieces of the sync and queue tests: a task that
 * awaits one future and traces how it ended, and a loop driver.
 */
#ifndef ASYNCORE_TEST_SYNC_HELPERS_H
#define ASYNCORE_TEST_SYNC_HELPERS_H

#include <stdlib.h>

#include "harness.h"

/* Awaits `fut` (taking the reference) and traces
 * "<name>: ok[ <int>|<bytes>] at <t>" or "<name>: <error name> at <t>". */
struct awaiter {
  AC_ASYNC_FIELDS;
  const char *name;
  ac_future *fut;
  int cancel_first;  /* cancel its own task in the step that awaits */
};

static inline void trace_outcome(ac_task *t, const char *name) {
  double now = ac_loop_time(ac_task_get_loop(t));
  int rc = ac_task_outcome(t);
  if (rc != 0) {
    trace("%s: %s at %g", name, ac_err_name(rc), now);
    return;
  }
  ac_value v;
  ac_future_result(ac_task_awaited(t), &v);
  if (v.kind == AC_VALUE_INT64)
    trace("%s: ok %lld at %g", name, (long long)v.u.i64, now);
  else if (v.kind == AC_VALUE_BYTES)
    trace("%s: ok %.*s at %g", name, (int)v.u.bytes.len, (const char *)v.u.bytes.data, now);
  else
    trace("%s: ok at %g", name, now);
}

static inline int awaiter_step(ac_task *t, void *p) {
  struct awaiter *a = p;
  AC_BEGIN(a);
  if (a->cancel_first) ac_task_cancel(t, NULL);
  AC_AWAIT(a, ac_task_await_owned(t, a->fut));
  trace_outcome(t, a->name);
  AC_END(a);
}

/* A task awaiting fut (its reference is taken). The caller gets a task
 * reference to drop with ac_task_unref. */
static inline ac_task *spawn_awaiter_with(ac_loop *loop, const char *name, ac_future *fut,
                                          int cancel_first) {
  struct awaiter *a;
  ac_task *t = NULL;
  if (ac_task_new_inline(loop, awaiter_step, sizeof *a, 0, &t, (void **)&a) != 0) {
    ac_future_unref(fut);
    return NULL;
  }
  a->name = name;
  a->fut = fut;
  a->cancel_first = cancel_first;
  return t;
}
static inline ac_task *spawn_awaiter(ac_loop *loop, const char *name, ac_future *fut) {
  return spawn_awaiter_with(loop, name, fut, 0);
}

/* The same, but the task cancels itself just before it awaits fut. */
static inline ac_task *spawn_self_cancelling_awaiter(ac_loop *loop, const char *name,
                                                     ac_future *fut) {
  return spawn_awaiter_with(loop, name, fut, 1);
}

/* Runs the loop until nothing is ready and no timer is left. */
static inline void run_all(ac_loop *loop) {
  for (int i = 0; i < 1000000; ++i) {
    int pending = 0;
    if (ac_loop_step(loop, 0, &pending, NULL) < 0 || !pending) return;
  }
}

/* Counts pointer destructor calls (queue items, user data). */
static int g_frees;
static inline void count_free(void *p) {
  (void)p;
  ++g_frees;
}

#endif
