/*
 * conformance.c — the C implementation of the conformance scenarios.
 *
 *   conformance_c NAME     runs scenario NAME (e.g. 04-tasks-run-concurrently)
 *                          and prints its trace on stdout
 *   conformance_c --list   prints the names it implements
 *
 * Every scenario runs on the virtual clock; "t=N" is the loop time in
 * milliseconds. The expected traces are ../scenarios/NAME.trace.
 */
#include <asyncore.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static long long ms(const ac_loop *loop) { return llround(ac_loop_time(loop) * 1000.0); }
static ac_loop *loop_of(ac_task *t) { return ac_task_get_loop(t); }

#define TRACE(...)          \
  do {                      \
    printf(__VA_ARGS__);    \
    putchar('\n');          \
  } while (0)
#define TRACE_T(loop, ...)                 \
  do {                                     \
    printf("t=%lld ", ms(loop));           \
    printf(__VA_ARGS__);                   \
    putchar('\n');                         \
  } while (0)

static void die(const char *what, int rc) {
  fprintf(stderr, "setup failed: %s: %s\n", what, ac_strerror(rc));
  exit(3);
}

/* A task of `step` with a zeroed state of `size` bytes; `out` gets a
 * reference. */
static void *spawn(ac_task *parent, ac_step_fn step, size_t size, ac_task **out) {
  void *st = NULL;
  int rc = ac_task_new_inline(loop_of(parent), step, size, 0, out, &st);
  if (rc < 0) die("ac_task_new_inline", rc);
  return st;
}

/* The message of the error the last await ended with ("" if none). */
static const char *awaited_message(ac_task *t) {
  ac_error *e = ac_future_error(ac_task_awaited(t));
  return e != NULL ? ac_error_message(e) : "";
}

/* asyncio.run(main()) on the virtual clock; main's state is zeroed. */
static int run_main(ac_step_fn step, size_t size, ac_value *result) {
  void *st = calloc(1, size);
  if (st == NULL) die("calloc", AC_ENOMEM);
  return ac_run(step, st, free, AC_LOOP_VIRTUAL_CLOCK, result, NULL);
}

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
  TRACE_T(loop_of(t), "main: T returned %lld, cancelling=%d", (long long)v, ac_task_cancelling(s->a));
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
  TRACE("main: cancelling=%d", ac_task_cancelling(s->a));
  TRACE("main: uncancel -> %d", ac_task_uncancel(s->a));
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
    ac_handle *h;
    ac_loop_call_later(loop_of(t), 1, cb_trace_timed, "dropped", NULL, &h);
    ac_loop_call_later(loop_of(t), 1, cb_trace_timed, "kept", NULL, NULL);
    TRACE("main: cancel -> %d", ac_handle_cancel(h));
    ac_handle_unref(h);
  }
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

/* ---- the table ---- */

struct scenario {
  const char *name;
  ac_step_fn main;
};

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
};

int main(int argc, char **argv) {
  size_t n = sizeof scenarios / sizeof scenarios[0];
  if (argc != 2) {
    fprintf(stderr, "usage: %s NAME | --list\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < n; ++i) printf("%s\n", scenarios[i].name);
    return 0;
  }
  if (ac_context_key_new(&key_k) < 0) die("ac_context_key_new", AC_ENOMEM);
  for (size_t i = 0; i < n; ++i) {
    if (strcmp(argv[1], scenarios[i].name) != 0) continue;
    ac_value result;
    int rc = run_main(scenarios[i].main, sizeof(struct plain), &result);
    if (strcmp(argv[1], "19-run-cancels-leftovers") == 0 && rc == 0)
      TRACE("run returned %lld", (long long)result.u.i64);
    ac_value_clear(&result);
    if (rc != 0) {
      printf("main failed: %s\n", ac_err_name(rc));
      return 1;
    }
    return 0;
  }
  fprintf(stderr, "unknown scenario %s\n", argv[1]);
  return 2;
}
