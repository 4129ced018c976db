/*
 * workers.h — a configurable worker task for the structured-concurrency
 * tests: it sleeps, then returns a value or fails; when cancelled it
 * traces it, optionally cleans up (sleeps again) and optionally swallows
 * the cancellation. Every event is traced with the loop time.
 */
#ifndef ASYNCORE_TEST_WORKERS_H
#define ASYNCORE_TEST_WORKERS_H

#include "harness.h"

struct worker {
  AC_ASYNC_FIELDS;
  const char *name;
  double delay;    /* the work */
  int fail;        /* error code to fail with after the work, or 0 */
  double cleanup;  /* seconds of cleanup when cancelled */
  int swallow;     /* finish normally after a cancellation */
  int64_t value;
};

static inline double now_of(ac_task *t) { return ac_loop_time(ac_task_get_loop(t)); }

static inline int worker_step(ac_task *t, void *p) {
  struct worker *w = p;
  AC_BEGIN(w);
  trace("%s start at %g", w->name, now_of(t));
  AC_AWAIT(w, ac_task_sleep(t, w->delay));
  if (ac_task_outcome(t) == AC_ECANCELLED) {
    trace("%s cancelled at %g", w->name, now_of(t));
    if (w->cleanup > 0) {
      AC_AWAIT(w, ac_task_sleep(t, w->cleanup));
      trace("%s cleaned up at %g", w->name, now_of(t));
    }
    if (w->swallow) return ac_task_return_int64(t, w->value);
    return AC_ECANCELLED;
  }
  AC_CHECK(t);
  if (w->fail != 0) {
    trace("%s fails at %g", w->name, now_of(t));
    return ac_task_fail(t, w->fail, w->name);
  }
  trace("%s done at %g", w->name, now_of(t));
  return ac_task_return_int64(t, w->value);
  AC_END(w);
}

/* A worker task (one reference for the caller). */
static inline ac_task *spawn_worker(ac_loop *loop, struct worker cfg) {
  struct worker *w = NULL;
  ac_task *t = NULL;
  CHECK_RC(ac_task_new_inline(loop, worker_step, sizeof *w, 0, &t, (void **)&w), 0);
  *w = cfg;
  w->ac_resume_point_ = 0;
  return t;
}

/* Cancels the future in ud, from a timer (ac_loop_call_later). */
static inline void cancel_cb(ac_loop *loop, void *ud) {
  trace("cancel at %g", ac_loop_time(loop));
  ac_future_cancel(ud, NULL);
}
static inline void cancel_task_cb(ac_loop *loop, void *ud) {
  trace("cancel task at %g", ac_loop_time(loop));
  ac_task_cancel(ud, NULL);
}

/* Counts reports to the exception handler. */
static int reports;
static inline void count_reports(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                          void *ud) {
  (void)loop;
  (void)error;
  (void)future;
  (void)ud;
  trace("report: %s", message);
  ++reports;
}

#endif
