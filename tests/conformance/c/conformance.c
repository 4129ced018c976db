/*
 * conformance.c — the C implementation of the conformance scenarios.
 *
 *   conformance_c NAME     runs scenario NAME (e.g. 04-tasks-run-concurrently)
 *                          and prints its trace on stdout
 *   conformance_c --list   prints the names it implements
 *
 * This file holds the scenarios 01-56 and main; the others live in one
 * file per area (sync.c, tasks.c, structured.c). The expected trace of a
 * scenario is what CPython prints for ../scenarios/NAME.py.
 */
#include <pthread.h>

#include "conformance.h"

struct plain {
  AC_ASYNC_FIELDS;
  ac_task *a, *b;
  ac_future *f;
  int i;
};

/* ---- 01 call_soon FIFO ---- */

static void cb_trace_name(ac_loop *loop, void *ud) {
  const char *name = ud;
  TRACE("%s", name);
  if (strcmp(name, "A") == 0) ac_loop_call_soon(loop, cb_trace_name, "D", NULL, NULL);
}

static int s01_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  ac_loop_call_soon(loop_of(t), cb_trace_name, "A", NULL, NULL);
  ac_loop_call_soon(loop_of(t), cb_trace_name, "B", NULL, NULL);
  ac_loop_call_soon(loop_of(t), cb_trace_name, "C", NULL, NULL);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

/* ---- 02 timers ---- */

static void cb_trace_timed(ac_loop *loop, void *ud) { TRACE_T(loop, "%s", (const char *)ud); }

static int s02_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  ac_loop_call_later(loop_of(t), 0.2, cb_trace_timed, "late", NULL, NULL);
  ac_loop_call_later(loop_of(t), 0.1, cb_trace_timed, "first", NULL, NULL);
  ac_loop_call_later(loop_of(t), 0.1, cb_trace_timed, "second", NULL, NULL);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

/* ---- 03 done-callbacks ---- */

static void cb_result(ac_future *f, void *ud) {
  int64_t v = -1;
  ac_future_result_int64(f, &v);
  TRACE("%s: result=%lld", (const char *)ud, (long long)v);
}

static int s03_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  ac_future_new(loop_of(t), &s->f);
  ac_future_add_done_callback(s->f, cb_result, "cb1", NULL);
  ac_future_set_result_int64(s->f, 7);
  TRACE("main: set_result returned");
  ac_future_add_done_callback(s->f, cb_result, "cb2", NULL);
  TRACE("main: add after done returned");
  AC_YIELD(s);
  TRACE("main: resumed");
  ac_future_unref(s->f);
  AC_END(s);
}

/* ---- 04 / 05 workers ---- */

struct worker {
  AC_ASYNC_FIELDS;
  const char *name;
  double delay;
};

static int worker_step(ac_task *t, void *p) {
  struct worker *w = p;
  AC_BEGIN(w);
  AC_AWAIT(w, ac_task_sleep(t, w->delay));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "%s: woke", w->name);
  AC_END(w);
}

static ac_task *spawn_worker(ac_task *parent, const char *name, double delay) {
  ac_task *out;
  struct worker *w = spawn(parent, worker_step, sizeof *w, &out);
  w->name = name;
  w->delay = delay;
  return out;
}

static int s04_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  s->a = spawn_worker(t, "A", 2);
  s->b = spawn_worker(t, "B", 1);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->b)));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

static int s05_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(spawn_worker(t, "A", 2))));
  AC_CHECK(t);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(spawn_worker(t, "B", 1))));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

/* ---- 06 shared result ---- */

static int producer_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  return ac_task_return_int64(t, 42);
  AC_END(s);
}

struct waiter {
  AC_ASYNC_FIELDS;
  const char *name;
  ac_future *f; /* borrowed: main holds it */
};

static int waiter_step(ac_task *t, void *p) {
  struct waiter *w = p;
  int64_t v = 0;
  AC_BEGIN(w);
  AC_AWAIT(w, ac_task_await(t, w->f));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE_T(loop_of(t), "%s: got %lld", w->name, (long long)v);
  AC_END(w);
}

static ac_task *spawn_waiter(ac_task *parent, const char *name, ac_future *f) {
  ac_task *out;
  struct waiter *w = spawn(parent, waiter_step, sizeof *w, &out);
  w->name = name;
  w->f = f;
  return out;
}

static int s06_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  {
    ac_task *prod;
    spawn(t, producer_step, sizeof(struct plain), &prod);
    s->f = ac_task_future(prod);
  }
  s->a = spawn_waiter(t, "W1", s->f);
  s->b = spawn_waiter(t, "W2", s->f);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->b)));
  AC_CHECK(t);
  TRACE("main: cancel after done -> %d", ac_task_cancel(ac_future_as_task(s->f), NULL));
  ac_future_unref(s->f);
  AC_END(s);
}

/* ---- 07 error propagates ---- */

static int failing_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  return ac_task_fail(t, AC_ECONNRESET, "peer reset");
  AC_END(s);
}

static int s07_main(ac_task *t, void *p) {
  struct plain *s = p;
  int rc;
  AC_BEGIN(s);
  spawn(t, failing_step, sizeof(struct plain), &s->a);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  rc = ac_task_outcome(t);
  if (rc < 0) TRACE_T(loop_of(t), "main: caught %s: %s", ac_err_name(rc), awaited_message(t));
  AC_END(s);
}

/* ---- 08 cancel before start ---- */

static int started_step(ac_task *t, void *p) {
  (void)t;
  (void)p;
  TRACE("T: started");
  return AC_STEP_DONE;
}

static int s08_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  spawn(t, started_step, sizeof(struct plain), &s->a);
  TRACE("main: cancel -> %d", ac_task_cancel(s->a, NULL));
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE("main: T cancelled");
  AC_END(s);
}

/* ---- 09 cancel at await ---- */

static int sleeper_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  TRACE("T: sleeping");
  AC_AWAIT(s, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "T: cancelled (%s)", awaited_message(t));
  TRACE_T(loop_of(t), "T: cleanup");
  AC_CHECK(t);
  AC_END(s);
}

static int s09_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  spawn(t, sleeper_step, sizeof(struct plain), &s->a);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->a, "stop");
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "main: T cancelled (%s), cancelled=%d", awaited_message(t),
            ac_future_cancelled(ac_task_future(s->a)));
  ac_task_unref(s->a);
  AC_END(s);
}

/* ---- 10 swallowed ---- */

static int swallower_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "T: swallowed");
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  return ac_task_return_int64(t, 5);
  AC_END(s);
}

static int s10_main(ac_task *t, void *p) {
  struct plain *s = p;
  int64_t v = 0;
  AC_BEGIN(s);
  spawn(t, swallower_step, sizeof(struct plain), &s->a);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->a, NULL);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_future(s->a), &v);
  TRACE_T(loop_of(t), "main: T returned %lld, cancelling=%d", (long long)v, (int)ac_task_cancelling(s->a));
  ac_task_unref(s->a);
  AC_END(s);
}

/* ---- 11 uncancel ---- */

static int ran_to_end_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "T: ran to the end");
  return ac_task_return_int64(t, 1);
  AC_END(s);
}

static int s11_main(ac_task *t, void *p) {
  struct plain *s = p;
  int64_t v = 0;
  AC_BEGIN(s);
  spawn(t, ran_to_end_step, sizeof(struct plain), &s->a);
  ac_task_cancel(s->a, NULL);
  TRACE("main: cancelling=%d", (int)ac_task_cancelling(s->a));
  TRACE("main: uncancel -> %d", (int)ac_task_uncancel(s->a));
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE_T(loop_of(t), "main: T returned %lld", (long long)v);
  AC_END(s);
}

/* ---- 12 cancel propagates ---- */

static int inner_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "inner: cancelled");
  AC_CHECK(t);
  AC_END(s);
}

static int outer_step(ac_task *t, void *p) {
  struct plain *s = p; /* s->f: the inner task, borrowed */
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_await(t, s->f));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "outer: cancelled");
  AC_CHECK(t);
  AC_END(s);
}

static int s12_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  spawn(t, inner_step, sizeof(struct plain), &s->a);
  {
    struct plain *o = spawn(t, outer_step, sizeof(struct plain), &s->b);
    o->f = ac_task_future(s->a);
  }
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->b, NULL);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->b)));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "main: outer cancelled, inner cancelled=%d",
            ac_future_cancelled(ac_task_future(s->a)));
  ac_task_unref(s->a);
  AC_END(s);
}

/* ---- 13 / 14 self-cancellation ---- */

static int finish_cancelled_step(ac_task *t, void *p) {
  (void)p;
  ac_task_cancel(t, NULL);
  TRACE("T: cancel requested");
  return ac_task_return_int64(t, 3);
}

static int s13_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  spawn(t, finish_cancelled_step, sizeof(struct plain), &s->a);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE("main: T cancelled=%d", ac_future_cancelled(ac_task_future(s->a)));
  ac_task_unref(s->a);
  AC_END(s);
}

static int cancel_self_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  ac_task_cancel(t, NULL);
  AC_AWAIT(s, ac_task_sleep(t, 5));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE("T: cancelled at its await");
  AC_CHECK(t);
  AC_END(s);
}

static int s14_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  spawn(t, cancel_self_step, sizeof(struct plain), &s->a);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE("main: T cancelled");
  AC_END(s);
}

/* ---- 15 round robin ---- */

struct spinner {
  AC_ASYNC_FIELDS;
  const char *name;
  int i;
};

static int spinner_step(ac_task *t, void *p) {
  struct spinner *s = p;
  AC_BEGIN(s);
  for (s->i = 0; s->i < 3; ++s->i) {
    TRACE("%s %d", s->name, s->i);
    AC_YIELD(s);
    AC_CHECK(t);
  }
  AC_END(s);
}

static int s15_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  ((struct spinner *)spawn(t, spinner_step, sizeof(struct spinner), &s->a))->name = "A";
  ((struct spinner *)spawn(t, spinner_step, sizeof(struct spinner), &s->b))->name = "B";
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->b)));
  AC_CHECK(t);
  AC_END(s);
}

/* ---- 16 eager ---- */

static int eager_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  TRACE("E: first step");
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "E: done");
  AC_END(s);
}

static int s16_main(ac_task *t, void *p) {
  struct plain *s = p;
  int rc;
  AC_BEGIN(s);
  rc = ac_task_new(loop_of(t), eager_step, calloc(1, sizeof(struct plain)), free, AC_TASK_EAGER,
                   &s->a);
  if (rc < 0) return rc;
  TRACE("main: after create");
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  AC_END(s);
}

/* ---- 17 / 18 context ---- */

static ac_context_key key_k;

static void set_k(ac_loop *loop, const char *v) {
  ac_value x;
  ac_value_set_bytes(&x, v, strlen(v));
  ac_context_set(loop, key_k, &x);
}
/* The value of K in the current context, as a printable string. */
static const char *get_k(ac_loop *loop, char *buf, size_t size) {
  ac_value v;
  if (ac_context_get(loop, key_k, &v) != 1 || v.kind != AC_VALUE_BYTES) return "none";
  snprintf(buf, size, "%.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  return buf;
}

struct child {
  AC_ASYNC_FIELDS;
  const char *name;
};

static int child_step(ac_task *t, void *p) {
  struct child *c = p;
  char buf[32];
  TRACE("%s sees %s", c->name, get_k(loop_of(t), buf, sizeof buf));
  set_k(loop_of(t), c->name);
  return AC_STEP_DONE;
}

static int s17_main(ac_task *t, void *p) {
  struct plain *s = p;
  char buf[32];
  AC_BEGIN(s);
  set_k(loop_of(t), "main");
  ((struct child *)spawn(t, child_step, sizeof(struct child), &s->a))->name = "C1";
  set_k(loop_of(t), "main2");
  ((struct child *)spawn(t, child_step, sizeof(struct child), &s->b))->name = "C2";
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->b)));
  AC_CHECK(t);
  TRACE("main sees %s", get_k(loop_of(t), buf, sizeof buf));
  AC_END(s);
}

static void cb_sees_k(ac_loop *loop, void *ud) {
  char buf[32];
  TRACE("%s sees %s", (const char *)ud, get_k(loop, buf, sizeof buf));
}

static int s18_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  set_k(loop_of(t), "one");
  ac_loop_call_soon(loop_of(t), cb_sees_k, "cb1", NULL, NULL);
  set_k(loop_of(t), "two");
  ac_loop_call_soon(loop_of(t), cb_sees_k, "cb2", NULL, NULL);
  AC_YIELD(s);
  AC_CHECK(t);
  AC_END(s);
}

/* ---- 19 run cancels leftovers ---- */

static int leftover_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 100));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "L: cancelled");
  AC_CHECK(t);
  AC_END(s);
}

static int s19_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  spawn(t, leftover_step, sizeof(struct plain), &s->a);
  ac_task_unref(s->a);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  return ac_task_return_int64(t, 7);
  AC_END(s);
}

/* ---- 20 unretrieved error ---- */

static void trace_handler(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                          void *ud) {
  (void)message;
  (void)future;
  (void)ud;
  TRACE_T(loop, "handler: %s", ac_err_name(ac_error_code(error)));
}

static int failing_plain_step(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  return ac_task_fail(t, AC_ECONNRESET, NULL);
  AC_END(s);
}

static int s20_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  ac_loop_set_exception_handler(loop_of(t), trace_handler, NULL, NULL);
  spawn(t, failing_plain_step, sizeof(struct plain), &s->a);
  ac_task_unref(s->a);
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

/* ---- 21 virtual clock ---- */

static int s21_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  TRACE_T(loop_of(t), "start");
  AC_AWAIT(s, ac_task_sleep(t, 1.5));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "after 1.5");
  AC_AWAIT(s, ac_task_sleep(t, 0.25));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "after 0.25");
  AC_END(s);
}

/* ---- 22 future cancel wakes awaiter ---- */

static int future_waiter_step(ac_task *t, void *p) {
  struct plain *s = p; /* s->f borrowed */
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_await(t, s->f));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "W: cancelled (%s)", awaited_message(t));
  AC_CHECK(t);
  AC_END(s);
}

static int s22_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  ac_future_new(loop_of(t), &s->f);
  ((struct plain *)spawn(t, future_waiter_step, sizeof(struct plain), &s->a))->f = s->f;
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_future_cancel(s->f, "bye");
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "main: W cancelled=%d", ac_future_cancelled(ac_task_future(s->a)));
  ac_task_unref(s->a);
  ac_future_unref(s->f);
  AC_END(s);
}

/* ---- 23 names ---- */

static int named_step(ac_task *t, void *p) {
  (void)p;
  TRACE("T: my name is %s", ac_task_name(ac_loop_current_task(loop_of(t))));
  return AC_STEP_DONE;
}

static int s23_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  spawn(t, named_step, sizeof(struct plain), &s->a);
  ac_task_set_name(s->a, "worker-1");
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  AC_END(s);
}

/* ---- 24 timer cancel ---- */

static int s24_main(ac_task *t, void *p) {
  struct plain *s = p;
  AC_BEGIN(s);
  {
    ac_call *h;
    ac_loop_call_later(loop_of(t), 1, cb_trace_timed, "dropped", NULL, &h);
    ac_loop_call_later(loop_of(t), 1, cb_trace_timed, "kept", NULL, NULL);
    TRACE("main: cancel -> %d", ac_call_cancel(h));
    ac_call_unref(h);
  }
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}


/* ==== structured concurrency (25-41) ==== */

struct cworker {
  AC_ASYNC_FIELDS;
  const char *name;
  double delay;
  int64_t value;
  int code;
};

/* worker(name, delay, value) */
static int cworker_step(ac_task *t, void *p) {
  struct cworker *w = p;
  AC_BEGIN(w);
  AC_AWAIT(w, ac_task_sleep(t, w->delay));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "%s: done", w->name);
  return ac_task_return_int64(t, w->value);
  AC_END(w);
}

/* failing(delay, code) */
static int cfailing_step(ac_task *t, void *p) {
  struct cworker *w = p;
  AC_BEGIN(w);
  AC_AWAIT(w, ac_task_sleep(t, w->delay));
  AC_CHECK(t);
  return ac_task_fail(t, w->code, NULL);
  AC_END(w);
}

/* sleeper(name) */
static int csleeper_step(ac_task *t, void *p) {
  struct cworker *w = p;
  AC_BEGIN(w);
  AC_AWAIT(w, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "%s: cancelled", w->name);
  AC_CHECK(t);
  AC_END(w);
}

/* Creates a task of `step` in `tg` (or plainly when tg is NULL). */
static struct cworker *make(ac_task *parent, ac_taskgroup *tg, ac_step_fn step, ac_task **out) {
  void *st = NULL;
  int rc = tg != NULL ? ac_taskgroup_spawn_inline(tg, step, sizeof(struct cworker), 0, out, &st)
                      : ac_task_new_inline(loop_of(parent), step, sizeof(struct cworker), 0, out, &st);
  if (rc < 0) die("spawn", rc);
  return st;
}
static ac_task *worker(ac_task *parent, ac_taskgroup *tg, const char *name, double delay, int64_t value) {
  ac_task *out;
  struct cworker *w = make(parent, tg, cworker_step, &out);
  w->name = name;
  w->delay = delay;
  w->value = value;
  return out;
}
static ac_task *failing(ac_task *parent, ac_taskgroup *tg, double delay, int code) {
  ac_task *out;
  struct cworker *w = make(parent, tg, cfailing_step, &out);
  w->delay = delay;
  w->code = code;
  return out;
}
static ac_task *sleeper(ac_task *parent, ac_taskgroup *tg, const char *name) {
  ac_task *out;
  make(parent, tg, csleeper_step, &out)->name = name;
  return out;
}

struct sc {
  AC_ASYNC_FIELDS;
  ac_task *t[3];
  ac_future *f, *g;
  ac_timeout *outer, *inner;
  ac_taskgroup *tg;
  ac_as_completed *it;
  ac_tsfuture *ts;
  int i;
};

static ac_future *gather_of(ac_task *parent, ac_task **tasks, size_t n, uint32_t flags) {
  ac_future *items[8], *g;
  if (n > 8) die("gather_of", AC_EINVAL);
  for (size_t i = 0; i < n; ++i) items[i] = ac_task_future(tasks[i]);
  int rc = ac_gather(loop_of(parent), items, n, flags, &g);
  if (rc < 0) die("ac_gather", rc);
  return g;
}
static void unref_tasks(ac_task **tasks, size_t n) {
  for (size_t i = 0; i < n; ++i) ac_task_unref(tasks[i]);
}

static int s25_main(ac_task *t, void *p) {
  struct sc *s = p;
  int64_t r[3];
  AC_BEGIN(s);
  s->t[0] = worker(t, NULL, "A", 3, 30);
  s->t[1] = worker(t, NULL, "B", 1, 10);
  s->t[2] = worker(t, NULL, "C", 2, 20);
  s->g = gather_of(t, s->t, 3, AC_GATHER_DEFAULT);
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  for (int i = 0; i < 3; ++i) {
    ac_value v;
    ac_gather_result_at(s->g, (size_t)i, &v);
    r[i] = v.u.i64;
  }
  TRACE_T(loop_of(t), "main: results=[%lld, %lld, %lld]", (long long)r[0], (long long)r[1], (long long)r[2]);
  unref_tasks(s->t, 3);
  ac_future_unref(s->g);
  AC_END(s);
}

static int s26_main(ac_task *t, void *p) {
  struct sc *s = p;
  int64_t v = 0;
  AC_BEGIN(s);
  s->t[1] = worker(t, NULL, "B", 2, 2);
  s->t[0] = failing(t, NULL, 1, AC_ECONNRESET);
  AC_AWAIT(s, ac_task_await_owned(t, gather_of(t, s->t, 2, AC_GATHER_DEFAULT)));
  if (ac_task_outcome(t) < 0) TRACE_T(loop_of(t), "main: gather failed with %s", ac_err_name(ac_task_outcome(t)));
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->t[1])));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE_T(loop_of(t), "main: B returned %lld", (long long)v);
  unref_tasks(s->t, 2);
  AC_END(s);
}

static int s27_main(ac_task *t, void *p) {
  struct sc *s = p;
  ac_value v;
  int rc0;
  AC_BEGIN(s);
  s->t[0] = failing(t, NULL, 1, AC_ECONNRESET);
  s->t[1] = worker(t, NULL, "B", 2, 2);
  s->g = gather_of(t, s->t, 2, AC_GATHER_RETURN_EXCEPTIONS);
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  rc0 = ac_gather_result_at(s->g, 0, NULL);
  ac_gather_result_at(s->g, 1, &v);
  TRACE_T(loop_of(t), "main: results=[%s, %lld]", ac_err_name(rc0), (long long)v.u.i64);
  unref_tasks(s->t, 2);
  ac_future_unref(s->g);
  AC_END(s);
}

static int gather_waiter_step(ac_task *t, void *p) {
  struct sc *s = p;
  AC_BEGIN(s);
  s->t[0] = sleeper(t, NULL, "A");
  s->t[1] = sleeper(t, NULL, "B");
  s->g = gather_of(t, s->t, 2, AC_GATHER_DEFAULT);
  unref_tasks(s->t, 2); /* the gather holds them */
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  AC_END(s);
}

static int s28_main(ac_task *t, void *p) {
  struct sc *s = p;
  AC_BEGIN(s);
  spawn(t, gather_waiter_step, sizeof(struct sc), &s->t[0]);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->t[0], NULL);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[0])));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "main: waiter cancelled");
  AC_END(s);
}

static const char *name_of(struct sc *s, ac_future *f) {
  static const char *const names[3] = {"A", "B", "C"};
  for (int i = 0; i < 3; ++i)
    if (ac_task_future(s->t[i]) == f) return names[i];
  return "?";
}

static void trace_partition(ac_task *t, struct sc *s, ac_future *w) {
  char buf[64] = "";
  int nd = ac_wait_done_count(w), np = ac_wait_pending_count(w);
  printf("t=%lld main: done=[", ms(loop_of(t)));
  for (int i = 0; i < nd; ++i) printf("%s%s", i ? ", " : "", name_of(s, ac_wait_done_at(w, (size_t)i)));
  printf("] pending=[");
  for (int i = 0; i < np; ++i) printf("%s%s", i ? ", " : "", name_of(s, ac_wait_pending_at(w, (size_t)i)));
  printf("]%s\n", buf);
}

static void three_workers(ac_task *t, struct sc *s, int64_t a, int64_t b, int64_t c, double da,
                          double db, double dc) {
  s->t[0] = worker(t, NULL, "A", da, a);
  s->t[1] = worker(t, NULL, "B", db, b);
  s->t[2] = worker(t, NULL, "C", dc, c);
}

static ac_future *wait_of(ac_task *t, struct sc *s, int mode, double timeout) {
  ac_future *items[3] = {ac_task_future(s->t[0]), ac_task_future(s->t[1]), ac_task_future(s->t[2])};
  ac_future *w;
  int rc = ac_wait(loop_of(t), items, 3, mode, timeout, &w);
  if (rc < 0) die("ac_wait", rc);
  return w;
}

static int s29_main(ac_task *t, void *p) {
  struct sc *s = p;
  AC_BEGIN(s);
  three_workers(t, s, 0, 0, 0, 2, 1, 3);
  s->g = wait_of(t, s, AC_WAIT_FIRST_COMPLETED, AC_NO_TIMEOUT);
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  trace_partition(t, s, s->g);
  ac_future_unref(s->g);
  unref_tasks(s->t, 3);
  AC_END(s);
}

static int s30_main(ac_task *t, void *p) {
  struct sc *s = p;
  AC_BEGIN(s);
  three_workers(t, s, 0, 0, 0, 2, 1, 3);
  s->g = wait_of(t, s, AC_WAIT_ALL_COMPLETED, 1.5);
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  trace_partition(t, s, s->g);
  ac_future_unref(s->g);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->t[0])));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: A still finished");
  unref_tasks(s->t, 3);
  AC_END(s);
}

static int s31_main(ac_task *t, void *p) {
  struct sc *s = p;
  int64_t v = 0;
  AC_BEGIN(s);
  three_workers(t, s, 30, 10, 20, 3, 1, 2);
  {
    ac_future *items[3] = {ac_task_future(s->t[0]), ac_task_future(s->t[1]), ac_task_future(s->t[2])};
    int rc = ac_as_completed_new(loop_of(t), items, 3, AC_NO_TIMEOUT, &s->it);
    if (rc < 0) return rc;
  }
  for (;;) {
    if (ac_as_completed_next(s->it, &s->f) != 1) break;
    AC_AWAIT(s, ac_task_await_owned(t, s->f));
    AC_CHECK(t);
    ac_future_result_int64(ac_task_awaited(t), &v);
    TRACE_T(loop_of(t), "main: next=%lld", (long long)v);
  }
  ac_as_completed_unref(s->it);
  unref_tasks(s->t, 3);
  AC_END(s);
}

static int long_step(ac_task *t, void *p) {
  struct sc *s = p;
  AC_BEGIN(s);
  for (s->i = 1; s->i <= 5; ++s->i) {
    AC_AWAIT(s, ac_task_sleep(t, 1));
    if (ac_task_outcome(t) == AC_ECANCELLED) {
      TRACE_T(loop_of(t), "T: cancelled");
      TRACE_T(loop_of(t), "T: cleanup");
      return ac_task_propagate(t);
    }
    TRACE_T(loop_of(t), "T: %d", s->i);
  }
  TRACE_T(loop_of(t), "T: cleanup");
  AC_END(s);
}

static int s32_main(ac_task *t, void *p) {
  struct sc *s = p;
  AC_BEGIN(s);
  spawn(t, long_step, sizeof(struct sc), &s->t[0]);
  {
    int rc = ac_wait_for(loop_of(t), ac_task_future(s->t[0]), 2.5, &s->g);
    ac_task_unref(s->t[0]);
    if (rc < 0) return rc;
  }
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  if (ac_task_outcome(t) == AC_ETIMEDOUT) TRACE_T(loop_of(t), "main: timed out");
  AC_END(s);
}

static int s33_main(ac_task *t, void *p) {
  struct sc *s = p;
  int64_t v = 0;
  AC_BEGIN(s);
  s->t[0] = worker(t, NULL, "A", 1, 5);
  {
    int rc = ac_wait_for(loop_of(t), ac_task_future(s->t[0]), 2, &s->g);
    ac_task_unref(s->t[0]);
    if (rc < 0) return rc;
  }
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE_T(loop_of(t), "main: got %lld", (long long)v);
  AC_END(s);
}

static int s34_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 1.5, &s->outer)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->outer, t)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 10));
  rc = ac_timeout_exit(s->outer, ac_task_outcome(t));
  ac_timeout_unref(s->outer);
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "main: timed out");
  else if (rc < 0) return ac_task_propagate(t);
  TRACE("main: cancelling=%d", (int)ac_task_cancelling(t));
  AC_END(s);
}

static int s35_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 1, &s->outer)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->outer, t)) < 0) return rc;
  if ((rc = ac_timeout_new(loop_of(t), 5, &s->inner)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->inner, t)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 10));
  rc = ac_timeout_exit(s->inner, ac_task_outcome(t));
  ac_timeout_unref(s->inner);
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "inner: timed out");
  else if (rc == AC_ECANCELLED) TRACE_T(loop_of(t), "inner: cancelled");
  rc = ac_timeout_exit(s->outer, rc == AC_ETIMEDOUT ? 0 : rc);
  ac_timeout_unref(s->outer);
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "outer: timed out");
  else if (rc < 0) return ac_task_propagate(t);
  AC_END(s);
}

static int work9_step(ac_task *t, void *p) {
  struct sc *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 3));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "work: done");
  return ac_task_return_int64(t, 9);
  AC_END(s);
}

static int shield_waiter_step(ac_task *t, void *p) {
  struct sc *s = p; /* s->f: the work, borrowed */
  AC_BEGIN(s);
  {
    int rc = ac_shield(loop_of(t), s->f, &s->g);
    if (rc < 0) return rc;
  }
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  AC_END(s);
}

static int s36_main(ac_task *t, void *p) {
  struct sc *s = p;
  int64_t v = 0;
  AC_BEGIN(s);
  spawn(t, work9_step, sizeof(struct sc), &s->t[0]);
  ((struct sc *)spawn(t, shield_waiter_step, sizeof(struct sc), &s->t[1]))->f = ac_task_future(s->t[0]);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->t[1], NULL);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[1])));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "main: shielded waiter cancelled");
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[0])));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE_T(loop_of(t), "main: work returned %lld", (long long)v);
  AC_END(s);
}

/* Joins s->tg with the body's outcome (error `code` made here when it is
 * an error) and awaits the join. */
static int join_group(ac_task *t, struct sc *s, int outcome) {
  ac_error *body = NULL;
  ac_future *join;
  if (outcome < 0 && outcome != AC_ECANCELLED) ac_error_new(outcome, NULL, NULL, &body);
  int rc = ac_taskgroup_join(s->tg, outcome, body, &join);
  ac_error_unref(body);
  if (rc < 0) return rc;
  return ac_task_await_owned(t, join);
}

static void trace_group_error(ac_task *t, const char *prefix, int with_message) {
  ac_error *e = ac_future_error(ac_task_awaited(t));
  int64_t n = ac_error_child_count(e);
  printf("t=%lld main: ", ms(loop_of(t)));
  if (with_message) printf("%s: ", ac_error_message(e));
  else printf("%lld %s: ", (long long)n, prefix);
  for (int64_t i = 0; i < n; ++i) printf("%s%s", i ? ", " : "", ac_err_name(ac_error_code(ac_error_child(e, i))));
  printf("\n");
}

static int s37_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  ac_task_unref(worker(t, s->tg, "A", 2, 0));
  ac_task_unref(worker(t, s->tg, "B", 1, 0));
  AC_AWAIT(s, join_group(t, s, 0));
  ac_taskgroup_unref(s->tg);
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: group done");
  AC_END(s);
}

static int s38_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  ac_task_unref(sleeper(t, s->tg, "B"));
  ac_task_unref(failing(t, s->tg, 1, AC_ECONNRESET));
  AC_AWAIT(s, ac_task_sleep(t, 100));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "body: cancelled");
  AC_AWAIT(s, join_group(t, s, ac_task_outcome(t)));
  ac_taskgroup_unref(s->tg);
  if (ac_task_outcome(t) == AC_EGROUP) trace_group_error(t, "", 1);
  AC_END(s);
}

static int s39_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  ac_task_unref(failing(t, s->tg, 1, AC_ECONNRESET));
  ac_task_unref(failing(t, s->tg, 1, AC_EPIPE));
  AC_AWAIT(s, join_group(t, s, 0));
  ac_taskgroup_unref(s->tg);
  if (ac_task_outcome(t) == AC_EGROUP) trace_group_error(t, "errors", 0);
  AC_END(s);
}

static int s40_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  ac_task_unref(sleeper(t, s->tg, "B"));
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  AC_AWAIT(s, join_group(t, s, AC_EINVAL)); /* the body raised EINVAL */
  ac_taskgroup_unref(s->tg);
  if (ac_task_outcome(t) == AC_EGROUP) trace_group_error(t, "errors", 0);
  AC_END(s);
}

static int group_parent_step(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  ac_task_unref(sleeper(t, s->tg, "A"));
  ac_task_unref(sleeper(t, s->tg, "B"));
  AC_AWAIT(s, join_group(t, s, 0));
  ac_taskgroup_unref(s->tg);
  AC_CHECK(t);
  AC_END(s);
}

static int s41_main(ac_task *t, void *p) {
  struct sc *s = p;
  AC_BEGIN(s);
  spawn(t, group_parent_step, sizeof(struct sc), &s->t[0]);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->t[0], NULL);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[0])));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "main: parent cancelled");
  AC_END(s);
}

/* ==== threads (42-45) ==== */

static int work_42(void *ud, ac_value *result) {
  (void)ud;
  ac_value_set_int64(result, 42);
  return 0;
}
static int work_epipe(void *ud, ac_value *result) {
  (void)ud;
  (void)result;
  return AC_EPIPE;
}

static int s42_main(ac_task *t, void *p) {
  struct sc *s = p;
  int64_t v = 0;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_to_thread(loop_of(t), work_42, NULL, NULL, NULL, &s->f)) < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE("main: got %lld", (long long)v);
  AC_END(s);
}

static int s43_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_to_thread(loop_of(t), work_epipe, NULL, NULL, NULL, &s->f)) < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  if (ac_task_outcome(t) < 0) TRACE("main: caught %s", ac_err_name(ac_task_outcome(t)));
  AC_END(s);
}

static pthread_t other_thread;
static pthread_t loop_thread;

static void *complete_with_7(void *ud) {
  ac_tsfuture *ts = ud;
  ac_tsfuture_set_result_int64(ts, 7);
  ac_tsfuture_unref(ts);
  return NULL;
}

static int s44_main(ac_task *t, void *p) {
  struct sc *s = p;
  int64_t v = 0;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_tsfuture_new(&s->ts)) < 0) return rc;
  if (pthread_create(&other_thread, NULL, complete_with_7, ac_tsfuture_ref(s->ts)) != 0) die("pthread_create", 0);
  AC_AWAIT(s, ac_task_await_tsfuture(t, s->ts));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE("main: got %lld", (long long)v);
  pthread_join(other_thread, NULL);
  ac_tsfuture_unref(s->ts);
  AC_END(s);
}

static void cb_on_loop(ac_loop *loop, void *ud) {
  (void)loop;
  TRACE("callback: on the loop thread=%d", pthread_equal(pthread_self(), loop_thread) ? 1 : 0);
  ac_future_set_result_none(ud);
}

struct post {
  ac_loop *loop;
  ac_future *f;
};

static void *post_callback(void *ud) {
  struct post *pc = ud;
  ac_loop_call_soon_threadsafe(pc->loop, cb_on_loop, pc->f, NULL);
  return NULL;
}

static int s45_main(ac_task *t, void *p) {
  struct sc *s = p;
  static struct post pc;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_future_new(loop_of(t), &s->f)) < 0) return rc;
  loop_thread = pthread_self();
  pc.loop = loop_of(t);
  pc.f = s->f;
  if (pthread_create(&other_thread, NULL, post_callback, &pc) != 0) die("pthread_create", 0);
  AC_AWAIT(s, ac_task_await(t, s->f));
  AC_CHECK(t);
  TRACE("main: done");
  pthread_join(other_thread, NULL);
  ac_future_unref(s->f);
  AC_END(s);
}


/* ==== primitives and queues (46-56) ==== */

/* asyncio: an operation whose result is ready does not suspend. Awaits `f`
 * only when it is pending; ready_outcome then tells how it ended. */
#define AWAIT_READY(st, t, f)                        \
  do {                                               \
    (st)->awaited = !ac_future_done(f);              \
    if ((st)->awaited) AC_AWAIT(st, ac_task_await(t, f)); \
  } while (0)

static int ready_outcome(ac_task *t, ac_future *f, int awaited) {
  return awaited ? ac_task_outcome(t) : ac_future_result(f, NULL);
}

struct sy {
  AC_ASYNC_FIELDS;
  const char *name;
  double delay;
  int i, awaited;
  int64_t v;
  ac_future *f;
  ac_task *t[4];
};

static ac_lock *g_lock;
static ac_semaphore *g_sem;
static ac_event *g_event;
static ac_condition *g_cond;
static ac_queue *g_queue;
static ac_barrier *g_barrier;
static int g_inside, g_max_inside;

static struct sy *spawn_sy(ac_task *parent, ac_step_fn step, const char *name, ac_task **out) {
  struct sy *st = spawn(parent, step, sizeof(struct sy), out);
  st->name = name;
  return st;
}

/* Awaits every task in s->t[0..n) through one gather (return_exceptions). */
static ac_future *gather_all(ac_task *t, ac_task **tasks, int n) {
  return gather_of(t, tasks, (size_t)n, AC_GATHER_RETURN_EXCEPTIONS);
}

static int holder_step(ac_task *t, void *p) {
  struct sy *s = p;
  int rc;
  AC_BEGIN(s);
  TRACE_T(loop_of(t), "%s wants", s->name);
  if ((rc = ac_lock_acquire(g_lock, &s->f)) < 0) return rc;
  AWAIT_READY(s, t, s->f);
  rc = ready_outcome(t, s->f, s->awaited);
  ac_future_unref(s->f);
  if (rc == AC_ECANCELLED) {
    TRACE_T(loop_of(t), "%s: cancelled", s->name);
    return ac_task_fail(t, AC_ECANCELLED, NULL);
  }
  if (rc < 0) return rc;
  TRACE_T(loop_of(t), "%s holds", s->name);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  if (ac_task_outcome(t) == 0) TRACE_T(loop_of(t), "%s releases", s->name);
  ac_lock_release(g_lock);
  AC_CHECK(t);
  AC_END(s);
}

static int s46_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_lock_new(loop_of(t), &g_lock)) < 0) return rc;
  spawn_sy(t, holder_step, "A", &s->t[0]);
  spawn_sy(t, holder_step, "B", &s->t[1]);
  spawn_sy(t, holder_step, "C", &s->t[2]);
  s->g = gather_of(t, s->t, 3, AC_GATHER_DEFAULT);
  unref_tasks(s->t, 3);
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  ac_lock_unref(g_lock);
  AC_END(s);
}

static int s47_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_lock_new(loop_of(t), &g_lock)) < 0) return rc;
  if (ac_lock_try_acquire(g_lock) != 1) return AC_ESTATE; /* the lock is free: taken at once */
  spawn_sy(t, holder_step, "W", &s->t[0]);
  spawn_sy(t, holder_step, "N", &s->t[1]);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->t[0], NULL);
  ac_lock_release(g_lock);
  s->g = gather_all(t, s->t, 2);
  unref_tasks(s->t, 2);
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: locked=%d", ac_lock_locked(g_lock));
  ac_lock_unref(g_lock);
  AC_END(s);
}

static int sem_worker_step(ac_task *t, void *p) {
  struct sy *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_semaphore_acquire(g_sem, &s->f)) < 0) return rc;
  AWAIT_READY(s, t, s->f);
  rc = ready_outcome(t, s->f, s->awaited);
  ac_future_unref(s->f);
  if (rc < 0) return rc;
  if (++g_inside > g_max_inside) g_max_inside = g_inside;
  TRACE_T(loop_of(t), "W%d in (inside=%d)", s->i, g_inside);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  --g_inside;
  if (ac_task_outcome(t) == 0) TRACE_T(loop_of(t), "W%d out", s->i);
  ac_semaphore_release(g_sem);
  AC_CHECK(t);
  AC_END(s);
}

static int s48_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  ac_task *tasks[4];
  AC_BEGIN(s);
  if ((rc = ac_semaphore_new(loop_of(t), 2, &g_sem)) < 0) return rc;
  for (int i = 0; i < 4; ++i) spawn_sy(t, sem_worker_step, NULL, &tasks[i])->i = i;
  s->g = gather_of(t, tasks, 4, AC_GATHER_DEFAULT);
  unref_tasks(tasks, 4);
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: max inside=%d", g_max_inside);
  ac_semaphore_unref(g_sem);
  AC_END(s);
}

static int event_waiter_step(ac_task *t, void *p) {
  struct sy *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_event_wait(g_event, &s->f)) < 0) return rc;
  AWAIT_READY(s, t, s->f);
  rc = ready_outcome(t, s->f, s->awaited);
  ac_future_unref(s->f);
  if (rc < 0) return rc;
  TRACE_T(loop_of(t), "%s woke", s->name);
  AC_END(s);
}

static int s49_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_event_new(loop_of(t), &g_event)) < 0) return rc;
  spawn_sy(t, event_waiter_step, "A", &s->t[0]);
  spawn_sy(t, event_waiter_step, "B", &s->t[1]);
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  ac_event_set(g_event);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[0])));
  AC_CHECK(t);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[1])));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: is_set=%d", ac_event_is_set(g_event));
  ac_event_unref(g_event);
  AC_END(s);
}

static int cond_waiter_step(ac_task *t, void *p) {
  struct sy *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_condition_acquire(g_cond, &s->f)) < 0) return rc;
  AWAIT_READY(s, t, s->f);
  rc = ready_outcome(t, s->f, s->awaited);
  ac_future_unref(s->f);
  if (rc < 0) return rc;
  if ((rc = ac_condition_wait(g_cond, &s->f)) < 0) return rc;
  AWAIT_READY(s, t, s->f);
  rc = ready_outcome(t, s->f, s->awaited);
  ac_future_unref(s->f);
  if (rc == 0) TRACE_T(loop_of(t), "%s notified", s->name);
  if (rc != AC_ECLOSED) ac_condition_release(g_cond); /* held again, even when cancelled */
  if (rc < 0) return rc;
  AC_END(s);
}

/* Takes the condition's lock (free here: no wait) and notifies n (-1: all). */
static int notify_now(int n) {
  ac_future *f;
  int rc = ac_condition_acquire(g_cond, &f);
  if (rc < 0) return rc;
  rc = ac_future_result(f, NULL);
  ac_future_unref(f);
  if (rc < 0) return rc;
  rc = n < 0 ? ac_condition_notify_all(g_cond) : ac_condition_notify(g_cond, n);
  ac_condition_release(g_cond);
  return rc < 0 ? rc : 0;
}

static int s50_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_condition_new(loop_of(t), NULL, &g_cond)) < 0) return rc;
  spawn_sy(t, cond_waiter_step, "W1", &s->t[0]);
  spawn_sy(t, cond_waiter_step, "W2", &s->t[1]);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  if ((rc = notify_now(1)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  if ((rc = notify_now(-1)) < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[0])));
  AC_CHECK(t);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[1])));
  AC_CHECK(t);
  ac_condition_unref(g_cond);
  AC_END(s);
}

/* Gets the next item (an INT64 or BYTES) into s->v / the trace. */
static int got_item(ac_task *t, struct sy *s, int rc) {
  ac_value v;
  if (rc < 0) return rc;
  ac_future_result(s->f, &v);
  if (v.kind == AC_VALUE_INT64) TRACE_T(loop_of(t), "got %lld", (long long)v.u.i64);
  else TRACE_T(loop_of(t), "got %.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  return 0;
}

static int fifo_consumer_step(ac_task *t, void *p) {
  struct sy *s = p;
  int rc;
  AC_BEGIN(s);
  for (s->i = 0; s->i < 3; ++s->i) {
    if ((rc = ac_queue_get(g_queue, &s->f)) < 0) return rc;
    AWAIT_READY(s, t, s->f);
    rc = got_item(t, s, ready_outcome(t, s->f, s->awaited));
    ac_future_unref(s->f);
    if (rc < 0) return rc;
    AC_AWAIT(s, ac_task_sleep(t, 1));
    AC_CHECK(t);
    ac_queue_task_done(g_queue);
  }
  AC_END(s);
}

static int s51_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_queue)) < 0) return rc;
  for (int i = 1; i <= 3; ++i) {
    ac_value v;
    ac_value_set_int64(&v, i);
    ac_queue_put_nowait(g_queue, &v);
  }
  spawn_sy(t, fifo_consumer_step, NULL, &s->t[0]);
  if ((rc = ac_queue_join(g_queue, &s->f)) < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: joined");
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[0])));
  AC_CHECK(t);
  ac_queue_unref(g_queue);
  AC_END(s);
}

static int bounded_producer_step(ac_task *t, void *p) {
  struct sy *s = p;
  int rc;
  AC_BEGIN(s);
  for (s->i = 0; s->i < 3; ++s->i) {
    {
      ac_value v;
      ac_value_set_int64(&v, s->i);
      if ((rc = ac_queue_put(g_queue, &v, &s->f)) < 0) return rc;
    }
    AWAIT_READY(s, t, s->f);
    rc = ready_outcome(t, s->f, s->awaited);
    ac_future_unref(s->f);
    if (rc < 0) return rc;
    TRACE_T(loop_of(t), "put %d", s->i);
  }
  AC_END(s);
}

static int slow_consumer_step(ac_task *t, void *p) {
  struct sy *s = p;
  int rc;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  for (s->i = 0; s->i < 3; ++s->i) {
    if ((rc = ac_queue_get(g_queue, &s->f)) < 0) return rc;
    AWAIT_READY(s, t, s->f);
    rc = got_item(t, s, ready_outcome(t, s->f, s->awaited));
    ac_future_unref(s->f);
    if (rc < 0) return rc;
    AC_AWAIT(s, ac_task_sleep(t, 1));
    AC_CHECK(t);
  }
  AC_END(s);
}

static int s52_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 1, &g_queue)) < 0) return rc;
  spawn_sy(t, bounded_producer_step, NULL, &s->t[0]);
  spawn_sy(t, slow_consumer_step, NULL, &s->t[1]);
  s->g = gather_of(t, s->t, 2, AC_GATHER_DEFAULT);
  unref_tasks(s->t, 2);
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  ac_queue_unref(g_queue);
  AC_END(s);
}

static int queue_getter_step(ac_task *t, void *p) {
  struct sy *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_get(g_queue, &s->f)) < 0) return rc;
  AWAIT_READY(s, t, s->f);
  rc = ready_outcome(t, s->f, s->awaited);
  if (rc == 0) {
    int64_t v = 0;
    ac_future_result_int64(s->f, &v);
    TRACE_T(loop_of(t), "%s: got %lld", s->name, (long long)v);
  } else if (rc == AC_ECANCELLED) {
    TRACE_T(loop_of(t), "%s: cancelled", s->name);
  } else if (rc == AC_ESHUTDOWN) {
    TRACE_T(loop_of(t), "%s: shut down", s->name);
    rc = 0;
  }
  ac_future_unref(s->f);
  if (rc < 0) return ac_task_fail(t, rc, NULL);
  AC_END(s);
}

static int s53_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_queue)) < 0) return rc;
  spawn_sy(t, queue_getter_step, "G1", &s->t[0]);
  spawn_sy(t, queue_getter_step, "G2", &s->t[1]);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  {
    ac_value v;
    ac_value_set_int64(&v, 42);
    ac_queue_put_nowait(g_queue, &v);
  }
  ac_task_cancel(s->t[0], NULL);
  s->g = gather_all(t, s->t, 2);
  unref_tasks(s->t, 2);
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  ac_queue_unref(g_queue);
  AC_END(s);
}

static int s54_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_queue)) < 0) return rc;
  spawn_sy(t, queue_getter_step, "G", &s->t[0]);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_queue_shutdown(g_queue, 0);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->t[0])));
  AC_CHECK(t);
  {
    ac_value v;
    ac_future *f = NULL;
    ac_value_set_int64(&v, 1);
    rc = ac_queue_put(g_queue, &v, &f);
    if (rc < 0) TRACE_T(loop_of(t), "main: put refused %s", ac_err_name(rc));
    ac_future_unref(f);
  }
  ac_queue_unref(g_queue);
  AC_END(s);
}

static int s55_main(ac_task *t, void *p) {
  struct sy *w = p;
  int rc;
  AC_BEGIN(w);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_PRIORITY, 0, &g_queue)) < 0) return rc;
  {
    static const char *const items[3] = {"five", "one", "five again"};
    static const int64_t prio[3] = {5, 1, 5};
    for (int i = 0; i < 3; ++i) {
      ac_value v;
      ac_value_set_bytes(&v, items[i], strlen(items[i]));
      ac_queue_put_priority_nowait(g_queue, prio[i], &v);
    }
  }
  for (w->i = 0; w->i < 3; ++w->i) {
    if ((rc = ac_queue_get(g_queue, &w->f)) < 0) return rc;
    AWAIT_READY(w, t, w->f);
    rc = got_item(t, w, ready_outcome(t, w->f, w->awaited));
    ac_future_unref(w->f);
    if (rc < 0) return rc;
  }
  ac_queue_unref(g_queue);
  AC_END(w);
}

static int party_step(ac_task *t, void *p) {
  struct sy *s = p;
  int rc;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, s->delay));
  AC_CHECK(t);
  if ((rc = ac_barrier_wait(g_barrier, &s->f)) < 0) return rc;
  AWAIT_READY(s, t, s->f);
  rc = ready_outcome(t, s->f, s->awaited);
  if (rc == 0) ac_future_result_int64(s->f, &s->v);
  ac_future_unref(s->f);
  if (rc < 0) return rc;
  TRACE_T(loop_of(t), "%s passed index=%lld", s->name, (long long)s->v);
  AC_END(s);
}

static int s56_main(ac_task *t, void *p) {
  struct sc *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_barrier_new(loop_of(t), 3, &g_barrier)) < 0) return rc;
  spawn_sy(t, party_step, "A", &s->t[0])->delay = 2;
  spawn_sy(t, party_step, "B", &s->t[1])->delay = 1;
  spawn_sy(t, party_step, "C", &s->t[2])->delay = 3;
  s->g = gather_of(t, s->t, 3, AC_GATHER_DEFAULT);
  unref_tasks(s->t, 3);
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  ac_barrier_unref(g_barrier);
  AC_END(s);
}

/* ---- the table ---- */

static const struct scenario scenarios[] = {
    {"01-call-soon-fifo", s01_main},
    {"02-call-later-order", s02_main},
    {"03-done-callbacks-never-inline", s03_main},
    {"04-tasks-run-concurrently", s04_main},
    {"05-await-in-sequence", s05_main},
    {"06-task-result-shared", s06_main},
    {"07-task-error-propagates", s07_main},
    {"08-cancel-before-start", s08_main},
    {"09-cancel-at-await", s09_main},
    {"10-cancel-swallowed", s10_main},
    {"11-uncancel-withdraws", s11_main},
    {"12-cancel-propagates-to-awaited", s12_main},
    {"13-finish-with-pending-cancel", s13_main},
    {"14-cancel-self-then-await", s14_main},
    {"15-yield-round-robin", s15_main},
    {"16-eager-task", s16_main},
    {"17-context-flows-down", s17_main},
    {"18-callback-context", s18_main},
    {"19-run-cancels-leftovers", s19_main},
    {"20-unretrieved-error-reported", s20_main},
    {"21-virtual-clock", s21_main},
    {"22-future-cancel-wakes-awaiter", s22_main},
    {"23-task-name", s23_main},
    {"24-timer-cancel", s24_main},
    {"25-gather-results-in-order", s25_main},
    {"26-gather-first-error", s26_main},
    {"27-gather-return-exceptions", s27_main},
    {"28-gather-cancel-cancels-children", s28_main},
    {"29-wait-first-completed", s29_main},
    {"30-wait-timeout", s30_main},
    {"31-as-completed-order", s31_main},
    {"32-wait-for-timeout-cleanup", s32_main},
    {"33-wait-for-in-time", s33_main},
    {"34-timeout-scope-expires", s34_main},
    {"35-timeout-scopes-nested", s35_main},
    {"36-shield", s36_main},
    {"37-taskgroup-waits-for-all", s37_main},
    {"38-taskgroup-failure-cancels-the-rest", s38_main},
    {"39-taskgroup-aggregates-errors", s39_main},
    {"40-taskgroup-body-error", s40_main},
    {"41-taskgroup-parent-cancelled", s41_main},
    {"42-to-thread-result", s42_main},
    {"43-to-thread-error", s43_main},
    {"44-threadsafe-future", s44_main},
    {"45-call-soon-threadsafe", s45_main},
    {"46-lock-fifo", s46_main},
    {"47-lock-cancelled-waiter", s47_main},
    {"48-semaphore-bound", s48_main},
    {"49-event-wakes-all", s49_main},
    {"50-condition-notify", s50_main},
    {"51-queue-fifo-and-join", s51_main},
    {"52-queue-bounded-put-waits", s52_main},
    {"53-queue-cancelled-get-loses-nothing", s53_main},
    {"54-queue-shutdown", s54_main},
    {"55-priority-queue", s55_main},
    {"56-barrier", s56_main},
};

static const struct scenario *const tables[] = {scenarios, sync_scenarios, task_scenarios,
                                                structured_scenarios};

int main(int argc, char **argv) {
  size_t n = sizeof scenarios / sizeof scenarios[0];
  const size_t own_size = sizeof(union { struct plain a; struct sc b; struct sy c; });
  if (argc != 2) {
    fprintf(stderr, "usage: %s NAME | --list\n", argv[0]);
    return 2;
  }
  int list = strcmp(argv[1], "--list") == 0;
  if (ac_context_key_new(&key_k) < 0) die("ac_context_key_new", AC_ENOMEM);
  for (size_t k = 0; k < sizeof tables / sizeof tables[0]; ++k) {
    for (const struct scenario *sc = tables[k]; k == 0 ? sc < scenarios + n : sc->name != NULL; ++sc) {
      if (list) {
        printf("%s\n", sc->name);
        continue;
      }
      if (strcmp(argv[1], sc->name) != 0) continue;
      ac_value result;
      int rc = run_main(sc->main, sc->state_size != 0 ? sc->state_size : own_size, &result);
      if ((strcmp(argv[1], "19-run-cancels-leftovers") == 0 ||
           strcmp(argv[1], "131-run-finishes-the-iteration") == 0) && rc == 0)
        TRACE("run returned %lld", (long long)result.u.i64);
      ac_value_clear(&result);
      if (rc != 0) {
        printf("main failed: %s\n", ac_err_name(rc));
        return 1;
      }
      return 0;
    }
  }
  if (list) return 0;
  fprintf(stderr, "unknown scenario %s\n", argv[1]);
  return 2;
}
