/*
 * tasks.c — the C implementation of the task scenarios numbered from 100:
 * futures, tasks, cancellation, callbacks, context, the loop and errors;
 * and from 180: work on other threads and the virtual clock.
 *
 * Where asyncio raises an exception from a call, the C call returns a
 * code; the trace then names it as a binding would raise it: asyncio's
 * class for the code (ac_err_class) and the call's reason
 * (ac_last_error_message), see describe_code.
 */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "conformance.h"

struct ts {
  AC_ASYNC_FIELDS;
  ac_task *a, *b, *me;
  ac_future *f, *g;
  const char *name;
  double delay;
  int i, rc;
  char buf[64]; /* a worker's result (119) */
};

/* ---- helpers ---- */


/* "Class: message" of an error object ("none" for NULL). */
static const char *describe(char *buf, size_t size, const ac_error *e) {
  if (e == NULL) snprintf(buf, size, "none");
  else describe_error(buf, size, e);
  return buf;
}

/* describe() of the error the last await ended with. */
static const char *describe_awaited(char *buf, size_t size, ac_task *t) {
  return describe(buf, size, ac_future_error(ac_task_awaited(t)));
}

/* The keys asyncio's handler context would hold, sorted. */
/* The keys of asyncio's context dict, sorted: 'exception', 'message' and
 * the subject's key the loop names (future, task or handle). */
static const char *handler_keys(char *buf, size_t size, ac_loop *loop, const char *message,
                                ac_error *error) {
  const char *keys[3];
  int n = 0;
  const char *subject = ac_loop_exception_subject(loop);
  if (error != NULL) keys[n++] = "exception";
  if (subject != NULL && strcmp(subject, "message") < 0) keys[n++] = subject;
  if (message != NULL) keys[n++] = "message";
  if (subject != NULL && strcmp(subject, "message") > 0) keys[n++] = subject;
  buf[0] = '\0';
  for (int i = 0; i < n; ++i) snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? ", " : "", keys[i]);
  return buf;
}

/* A bytes result as a string (into buf). */
static const char *bytes_of(ac_future *f, char *buf, size_t size) {
  ac_value v;
  if (ac_future_result(f, &v) != 0 || v.kind != AC_VALUE_BYTES) return "?";
  snprintf(buf, size, "%.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  return buf;
}

static int return_str(ac_task *t, const char *s) {
  ac_value v;
  ac_value_set_bytes(&v, s, strlen(s));
  return ac_task_return(t, &v);
}

static struct ts *spawn_ts(ac_task *parent, ac_step_fn step, const char *name, ac_task **out) {
  struct ts *st = spawn(parent, step, sizeof(struct ts), out);
  st->name = name;
  return st;
}

/* The context key K of the context scenarios (created once). */
static ac_context_key key;
static int key_made;

static void k_set(ac_loop *loop, const char *v) {
  ac_value x;
  if (!key_made) {
    if (ac_context_key_new(&key) < 0) die("ac_context_key_new", AC_ENOMEM);
    key_made = 1;
  }
  ac_value_set_bytes(&x, v, strlen(v));
  ac_context_set(loop, key, &x);
}

static const char *k_get(ac_loop *loop, char *buf, size_t size) {
  ac_value v;
  if (!key_made || ac_context_get(loop, key, &v) != 1 || v.kind != AC_VALUE_BYTES) return "unset";
  snprintf(buf, size, "%.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  return buf;
}

static void cb_say(ac_loop *loop, void *ud) {
  (void)loop;
  TRACE("%s", (const char *)ud);
}
static void cb_trace(ac_loop *loop, void *ud) { TRACE_T(loop, "%s", (const char *)ud); }

/* ---- 100 set_result / set_exception on a done future ---- */

static int s100_main(ac_task *t, void *p) {
  char buf[128];
  int64_t v = 0;
  int rc;
  ac_future *f, *g;
  (void)p;
  if ((rc = ac_future_new(loop_of(t), &f)) < 0) return rc;
  ac_future_set_result_int64(f, 1);
  if ((rc = ac_future_set_result_int64(f, 2)) < 0)
    TRACE("set_result again: %s", describe_code(buf, sizeof buf, rc));
  if ((rc = ac_future_set_error_code(f, AC_EINVAL, "late")) < 0)
    TRACE("set_exception after result: %s", describe_code(buf, sizeof buf, rc));
  ac_future_result_int64(f, &v);
  TRACE("result still %lld", (long long)v);
  if ((rc = ac_future_new(loop_of(t), &g)) < 0) return rc;
  ac_future_cancel(g, NULL);
  if ((rc = ac_future_set_result_int64(g, 3)) < 0)
    TRACE("set_result after cancel: %s", describe_code(buf, sizeof buf, rc));
  TRACE("cancelled=%d", ac_future_cancelled(g));
  ac_future_unref(f);
  ac_future_unref(g);
  return AC_STEP_DONE;
}

/* ---- 101 result() / exception() of a pending future ---- */

static int s101_main(ac_task *t, void *p) {
  char buf[128];
  int rc;
  ac_future *f, *g;
  (void)p;
  if ((rc = ac_future_new(loop_of(t), &f)) < 0) return rc;
  if ((rc = ac_future_result(f, NULL)) < 0)
    TRACE("result() pending: %s", describe_code(buf, sizeof buf, rc));
  ac_error *e;
  if ((rc = ac_future_exception(f, &e)) < 0)
    TRACE("exception() pending: %s", describe_code(buf, sizeof buf, rc));
  ac_future_set_error_code(f, AC_EINVAL, "bad value");
  if (ac_future_exception(f, &e) == 0)
    TRACE("exception() failed: %s", describe(buf, sizeof buf, e));
  if (ac_future_result(f, NULL) < 0)
    TRACE("result() failed: %s", describe(buf, sizeof buf, ac_future_error(f)));
  if ((rc = ac_future_new(loop_of(t), &g)) < 0) return rc;
  ac_future_cancel(g, NULL);
  if (ac_future_result(g, NULL) == AC_ECANCELLED)
    TRACE("result() cancelled: %s", describe(buf, sizeof buf, ac_future_error(g)));
  if (ac_future_exception(g, &e) == AC_ECANCELLED)
    TRACE("exception() cancelled: %s", describe(buf, sizeof buf, ac_future_error(g)));
  ac_future_unref(f);
  ac_future_unref(g);
  return AC_STEP_DONE;
}

/* ---- 102 done-callbacks in order, through the ready queue ---- */

static void cb_named_result(ac_future *f, void *ud) {
  int64_t v = -1;
  ac_future_result_int64(f, &v);
  TRACE("%s: result=%lld", (const char *)ud, (long long)v);
}

static int s102_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  if ((s->rc = ac_future_new(loop_of(t), &s->f)) < 0) return s->rc;
  ac_future_add_done_callback(s->f, cb_named_result, "cb1", NULL);
  ac_future_add_done_callback(s->f, cb_named_result, "cb2", NULL);
  ac_future_set_result_int64(s->f, 5);
  TRACE("main: set_result returned");
  ac_loop_call_soon(loop_of(t), cb_say, "soon: X", NULL, NULL);
  ac_future_add_done_callback(s->f, cb_named_result, "cb3", NULL);
  TRACE("main: cb3 added");
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE("main: resumed");
  ac_future_unref(s->f);
  AC_END(s);
}

/* ---- 103 remove_done_callback ---- */

static void cb_a(ac_future *f, void *ud) {
  (void)f;
  (void)ud;
  TRACE("A ran");
}
static void cb_b(ac_future *f, void *ud) {
  (void)f;
  (void)ud;
  TRACE("B ran");
}

static int s103_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  if ((s->rc = ac_future_new(loop_of(t), &s->f)) < 0) return s->rc;
  ac_future_add_done_callback(s->f, cb_a, NULL, NULL);
  ac_future_add_done_callback(s->f, cb_b, NULL, NULL);
  ac_future_add_done_callback(s->f, cb_a, NULL, NULL);
  ac_future_add_done_callback(s->f, cb_b, NULL, NULL);
  ac_future_add_done_callback(s->f, cb_a, NULL, NULL);
  TRACE("remove A -> %d", (int)ac_future_remove_done_callback(s->f, cb_a, NULL));
  TRACE("remove A again -> %d", (int)ac_future_remove_done_callback(s->f, cb_a, NULL));
  ac_future_set_result_none(s->f);
  TRACE("remove B after done -> %d", (int)ac_future_remove_done_callback(s->f, cb_b, NULL));
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE("main: done");
  ac_future_unref(s->f);
  AC_END(s);
}

/* ---- 104 / 105 errors nobody retrieved ---- */

static void handler_timed(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                          void *ud) {
  char keys[64];
  (void)ud;
  (void)future;
  TRACE_T(loop, "handler: %s; keys=%s; error=%s", message != NULL ? message : "",
          handler_keys(keys, sizeof keys, loop, message, error),
          ac_err_name(ac_error_code(error)));
}

static int s104_main(ac_task *t, void *p) {
  ac_future *read, *unread;
  int rc;
  (void)p;
  ac_loop_set_exception_handler(loop_of(t), handler_timed, NULL, NULL);
  if ((rc = ac_future_new(loop_of(t), &read)) < 0) return rc;
  ac_future_set_error_code(read, AC_ECONNRESET, "peer reset");
  TRACE_T(loop_of(t), "main: read error=%s", ac_err_name(ac_error_code(ac_future_error(read))));
  ac_future_unref(read);
  TRACE_T(loop_of(t), "main: dropped the read one");
  if ((rc = ac_future_new(loop_of(t), &unread)) < 0) return rc;
  ac_future_set_error_code(unread, AC_EPIPE, "pipe closed");
  ac_future_unref(unread);
  TRACE_T(loop_of(t), "main: dropped the unread one");
  return AC_STEP_DONE;
}

static int fail_after_step(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, s->delay));
  AC_CHECK(t);
  return ac_task_fail(t, AC_ECONNRESET, "peer reset");
  AC_END(s);
}

static int s105_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  ac_loop_set_exception_handler(loop_of(t), handler_timed, NULL, NULL);
  spawn_ts(t, fail_after_step, NULL, &s->a)->delay = 1;
  spawn_ts(t, fail_after_step, NULL, &s->b)->delay = 2;
  ac_task_unref(s->b);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) == AC_ECONNRESET)
    TRACE_T(loop_of(t), "main: caught %s", ac_err_name(ac_task_outcome(t)));
  else AC_CHECK(t);
  AC_AWAIT(s, ac_task_sleep(t, 5));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

/* ---- 106 cancel messages ---- */

static int cancel_seer_step(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[128];
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED) {
    const char *m = awaited_message(t);
    TRACE_T(loop_of(t), "%s: sees %s (str empty=%d)", s->name, describe_awaited(buf, sizeof buf, t),
            m[0] == '\0');
  }
  AC_CHECK(t);
  AC_END(s);
}

static int never_runs_step(ac_task *t, void *p) {
  (void)t;
  (void)p;
  TRACE("never printed");
  return AC_STEP_DONE;
}

static int s106_main(ac_task *t, void *p) {
  struct ts *s = p;
  static const char *const names[2] = {"T1", "T2"};
  static const char *const messages[2] = {NULL, "stop now"};
  char buf[128];
  AC_BEGIN(s);
  for (s->i = 0; s->i < 2; ++s->i) {
    spawn_ts(t, cancel_seer_step, names[s->i], &s->a);
    AC_AWAIT(s, ac_task_sleep(t, 1));
    AC_CHECK(t);
    ac_task_cancel(s->a, messages[s->i]);
    AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
    if (ac_task_outcome(t) != AC_ECANCELLED) AC_CHECK(t);
    else TRACE_T(loop_of(t), "main: %s gave %s", names[s->i], describe_awaited(buf, sizeof buf, t));
  }
  spawn_ts(t, never_runs_step, NULL, &s->a);
  ac_task_cancel(s->a, "too early");
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) != AC_ECANCELLED) AC_CHECK(t);
  else TRACE_T(loop_of(t), "main: T3 gave %s", describe_awaited(buf, sizeof buf, t));
  AC_END(s);
}

/* ---- 107 a cancel message through a chain ---- */

static int chain_inner_step(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[128];
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "%s: %s", s->name, describe_awaited(buf, sizeof buf, t));
  AC_CHECK(t);
  AC_END(s);
}

static int chain_outer_step(ac_task *t, void *p) {
  struct ts *s = p; /* s->f: the inner task, borrowed */
  char buf[128];
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_await(t, s->f));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "%s: %s", s->name, describe_awaited(buf, sizeof buf, t));
  AC_CHECK(t);
  AC_END(s);
}

static int s107_main(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[128];
  AC_BEGIN(s);
  for (s->i = 0; s->i < 2; ++s->i) {
    spawn_ts(t, chain_inner_step, "B", &s->b);
    spawn_ts(t, chain_outer_step, "A", &s->a)->f = ac_task_future(s->b);
    AC_AWAIT(s, ac_task_sleep(t, 1));
    AC_CHECK(t);
    if (s->i == 0) ac_task_cancel(s->a, "from the top");
    else ac_task_cancel(s->b, "from the bottom");
    AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
    if (ac_task_outcome(t) != AC_ECANCELLED) AC_CHECK(t);
    else
      TRACE_T(loop_of(t), "main: %s; A cancelled=%d B cancelled=%d", describe_awaited(buf, sizeof buf, t),
              ac_future_cancelled(ac_task_future(s->a)), ac_future_cancelled(ac_task_future(s->b)));
    ac_task_unref(s->a);
    ac_task_unref(s->b);
  }
  AC_END(s);
}

/* ---- 108 cancelled twice ---- */

static int twice_step(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[128];
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED) {
    TRACE_T(loop_of(t), "T: %s; cancelling=%d", describe_awaited(buf, sizeof buf, t), (int)ac_task_cancelling(t));
    TRACE_T(loop_of(t), "T: uncancel -> %d", (int)ac_task_uncancel(t));
  }
  AC_CHECK(t);
  AC_END(s);
}

static int s108_main(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[128];
  AC_BEGIN(s);
  spawn_ts(t, twice_step, NULL, &s->a);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: cancel -> %d", ac_task_cancel(s->a, "first"));
  TRACE_T(loop_of(t), "main: cancel -> %d", ac_task_cancel(s->a, "second"));
  TRACE_T(loop_of(t), "main: cancelling=%d", (int)ac_task_cancelling(s->a));
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) != AC_ECANCELLED) AC_CHECK(t);
  else TRACE_T(loop_of(t), "main: %s", describe_awaited(buf, sizeof buf, t));
  s->rc = ac_task_cancel(s->a, NULL);
  TRACE_T(loop_of(t), "main: cancel done -> %d; cancelling=%d", s->rc, (int)ac_task_cancelling(s->a));
  ac_task_unref(s->a);
  AC_END(s);
}

/* ---- 109 a swallowed cancellation ---- */

static int stubborn_step(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "T: swallowed, cancelling=%d", (int)ac_task_cancelling(t));
  else AC_CHECK(t);
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "T: slept 2 more");
  TRACE_T(loop_of(t), "T: uncancel -> %d", (int)ac_task_uncancel(t));
  return return_str(t, "kept going");
  AC_END(s);
}

static int s109_main(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[64];
  AC_BEGIN(s);
  spawn_ts(t, stubborn_step, NULL, &s->a);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->a, NULL);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: %s; cancelled=%d cancelling=%d", bytes_of(ac_task_future(s->a), buf, sizeof buf),
          ac_future_cancelled(ac_task_future(s->a)), (int)ac_task_cancelling(s->a));
  ac_task_unref(s->a);
  AC_END(s);
}

/* ---- 110 self-cancel, then await a done and a pending future ---- */

static int self_cancel_step(ac_task *t, void *p) {
  struct ts *s = p; /* f: done, g: pending (borrowed) */
  int64_t v = 0;
  AC_BEGIN(s);
  TRACE("T: cancel self -> %d", ac_task_cancel(t, NULL));
  AC_AWAIT(s, ac_task_await(t, s->f));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE("T: done future gave %lld", (long long)v);
  AC_AWAIT(s, ac_task_await(t, s->g));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE("T: cancelled at the pending await; future cancelled=%d", ac_future_cancelled(s->g));
  else AC_CHECK(t);
  return return_str(t, "survived");
  AC_END(s);
}

static int s110_main(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[64];
  AC_BEGIN(s);
  if ((s->rc = ac_future_new(loop_of(t), &s->f)) < 0) return s->rc;
  ac_future_set_result_int64(s->f, 7);
  if ((s->rc = ac_future_new(loop_of(t), &s->g)) < 0) return s->rc;
  {
    struct ts *c = spawn_ts(t, self_cancel_step, NULL, &s->a);
    c->f = s->f;
    c->g = s->g;
  }
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE("main: T returned %s", bytes_of(ac_task_awaited(t), buf, sizeof buf));
  ac_future_unref(s->f);
  ac_future_unref(s->g);
  AC_END(s);
}

/* ---- 111 awaiting a done future or task does not suspend ---- */

static int quick_result_step(ac_task *t, void *p) {
  (void)p;
  return return_str(t, "quick result");
}

static int bystander_step(ac_task *t, void *p) {
  (void)t;
  (void)p;
  TRACE("B: runs");
  return AC_STEP_DONE;
}

static int s111_main(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[64];
  int64_t v = 0;
  AC_BEGIN(s);
  spawn_ts(t, quick_result_step, NULL, &s->a);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE("main: awaited pending task: %s", bytes_of(ac_task_awaited(t), buf, sizeof buf));
  spawn_ts(t, bystander_step, NULL, &s->b);
  if ((s->rc = ac_future_new(loop_of(t), &s->f)) < 0) return s->rc;
  ac_future_set_result_int64(s->f, 11);
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE("main: done future: %lld", (long long)v);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE("main: done task: %s", bytes_of(ac_task_awaited(t), buf, sizeof buf));
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE("main: done task again: %s", bytes_of(ac_task_awaited(t), buf, sizeof buf));
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE("main: after sleep(0)");
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->b)));
  AC_CHECK(t);
  AC_END(s);
}

/* ---- 112 sleep(0) yields; a negative delay acts as 0 ---- */

static int s112_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  ac_loop_call_soon(loop_of(t), cb_trace, "cb X", NULL, NULL);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: after sleep(0)");
  ac_loop_call_soon(loop_of(t), cb_trace, "cb Y", NULL, NULL);
  AC_AWAIT(s, ac_task_sleep(t, -1));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: after sleep(-1)");
  AC_AWAIT(s, ac_task_sleep(t, 0.5));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: after sleep(0.5)");
  AC_END(s);
}

/* ---- 113 a task awaiting itself ---- */

/* The message up to its first colon. */
static void trace_class_and_head(const char *who, int code, const char *message) {
  const char *colon = strchr(message, ':');
  int n = colon != NULL ? (int)(colon - message) : (int)strlen(message);
  TRACE("%s: %s: %.*s", who, ac_err_class(code), n, message);
}

static int await_self_step(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  s->rc = ac_task_await(t, ac_task_future(t));
  if (s->rc == AC_STEP_AWAIT) {
    AC_AWAIT(s, AC_STEP_AWAIT);
    s->rc = ac_task_outcome(t);
    if (s->rc < 0) trace_class_and_head("T", s->rc, awaited_message(t));
  } else if (s->rc < 0) {
    /* Refused by the call itself: the code is all there is. */
    trace_class_and_head("T", s->rc, ac_last_error_message(s->rc));
  }
  return return_str(t, "recovered");
  AC_END(s);
}

static int s113_main(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[64];
  AC_BEGIN(s);
  spawn_ts(t, await_self_step, NULL, &s->a);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE("main: T returned %s", bytes_of(ac_task_awaited(t), buf, sizeof buf));
  AC_END(s);
}

/* ---- 114 running a loop from inside a running loop ---- */

static void cb_set_none(ac_loop *loop, void *ud) {
  (void)loop;
  ac_future_set_result_none(ud);
}

static int s114_main(ac_task *t, void *p) {
  char buf[128];
  int rc;
  ac_future *fut, *other_fut;
  ac_loop *other;
  (void)p;
  rc = ac_run(never_runs_step, NULL, NULL, AC_LOOP_VIRTUAL_CLOCK, NULL, NULL);
  if (rc < 0) TRACE("run: %s", describe_code(buf, sizeof buf, rc));
  else TRACE("run: ran");
  if ((rc = ac_future_new(loop_of(t), &fut)) < 0) return rc;
  rc = ac_loop_run_until_complete(loop_of(t), fut);
  if (rc < 0) TRACE("run_until_complete, same loop: %s", describe_code(buf, sizeof buf, rc));
  else TRACE("run_until_complete, same loop: ran");
  if ((rc = ac_loop_new(AC_LOOP_VIRTUAL_CLOCK, &other)) < 0) return rc;
  if ((rc = ac_future_new(other, &other_fut)) < 0) return rc;
  ac_loop_call_soon(other, cb_set_none, other_fut, NULL, NULL);
  rc = ac_loop_run_until_complete(other, other_fut);
  if (rc < 0) TRACE("run_until_complete, other loop: %s", describe_code(buf, sizeof buf, rc));
  else TRACE("run_until_complete, other loop: ran");
  ac_future_unref(other_fut);
  ac_loop_close(other);
  ac_loop_unref(other);
  TRACE("main: still running=%d, fut done=%d", ac_loop_is_running(loop_of(t)), ac_future_done(fut));
  ac_future_unref(fut);
  return AC_STEP_DONE;
}

/* ---- 115 a closed loop ---- */

static int s115_main(ac_task *t, void *p) {
  char buf[128];
  int rc;
  ac_loop *loop;
  ac_future *fut;
  (void)t;
  (void)p;
  if ((rc = ac_loop_new(AC_LOOP_VIRTUAL_CLOCK, &loop)) < 0) return rc;
  if ((rc = ac_future_new(loop, &fut)) < 0) return rc;
  TRACE("new loop: closed=%d", ac_loop_is_closed(loop));
  ac_loop_close(loop);
  TRACE("after close: closed=%d", ac_loop_is_closed(loop));
  if ((rc = ac_loop_call_soon(loop, cb_say, "never printed", NULL, NULL)) < 0)
    TRACE("call_soon: %s", describe_code(buf, sizeof buf, rc));
  if ((rc = ac_loop_call_later(loop, 1, cb_say, "never printed", NULL, NULL)) < 0)
    TRACE("call_later: %s", describe_code(buf, sizeof buf, rc));
  if ((rc = ac_loop_run_until_complete(loop, fut)) < 0)
    TRACE("run_until_complete: %s", describe_code(buf, sizeof buf, rc));
  ac_loop_close(loop); /* again: no effect */
  TRACE("closed twice: closed=%d", ac_loop_is_closed(loop));
  ac_future_unref(fut);
  ac_loop_unref(loop);
  return AC_STEP_DONE;
}

/* ---- 116 run() shutdown: a leftover failing while cancelled ---- */

static void handler_untimed(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                            void *ud) {
  char keys[64], buf[128];
  (void)future;
  (void)ud;
  TRACE("handler: %s; keys=%s; error=%s", message != NULL ? message : "",
        handler_keys(keys, sizeof keys, loop, message, error), describe(buf, sizeof buf, error));
}

static int failing_leftover_step(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 100));
  if (ac_task_outcome(t) == AC_ECANCELLED) {
    TRACE_T(loop_of(t), "L: cancelled, cleanup fails");
    return ac_task_fail(t, AC_EINVAL, "cleanup failed");
  }
  AC_CHECK(t);
  AC_END(s);
}

static int s116_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  ac_loop_set_exception_handler(loop_of(t), handler_untimed, NULL, NULL);
  spawn_ts(t, failing_leftover_step, NULL, &s->a);
  ac_task_unref(s->a);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: returns");
  return ac_task_return_int64(t, 7);
  AC_END(s);
}

/* ---- 117 / 118 context ---- */

static void show(ac_loop *loop, const char *who) {
  char buf[64];
  TRACE_T(loop, "%s sees %s", who, k_get(loop, buf, sizeof buf));
}
static void cb_show(ac_loop *loop, void *ud) { show(loop, ud); }
static void cb_show_done(ac_future *f, void *ud) { show(ac_future_get_loop(f), ud); }

static int ctx_worker_step(ac_task *t, void *p) {
  ac_loop *loop = loop_of(t);
  ac_future *f;
  int rc;
  (void)p;
  k_set(loop, "worker");
  ac_loop_call_soon(loop, cb_show, "soon", NULL, NULL);
  ac_loop_call_later(loop, 1, cb_show, "later", NULL, NULL);
  if ((rc = ac_future_new(loop, &f)) < 0) return rc;
  ac_future_add_done_callback(f, cb_show_done, "done-callback", NULL);
  k_set(loop, "worker, changed");
  ac_future_set_result_none(f);
  ac_future_unref(f);
  show(loop, "worker");
  return AC_STEP_DONE;
}

static int s117_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  k_set(loop_of(t), "main");
  spawn_ts(t, ctx_worker_step, NULL, &s->a);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  show(loop_of(t), "main");
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  AC_END(s);
}

static void say_k(ac_loop *loop, const char *fmt) {
  char buf[64];
  TRACE(fmt, k_get(loop, buf, sizeof buf));
}

static int grandchild_step(ac_task *t, void *p) {
  (void)p;
  say_k(loop_of(t), "G sees %s");
  return AC_STEP_DONE;
}

static int ctx_child_step(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  say_k(loop_of(t), "C sees %s");
  k_set(loop_of(t), "child");
  spawn_ts(t, grandchild_step, NULL, &s->a);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  say_k(loop_of(t), "C still sees %s");
  AC_END(s);
}

static int s118_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  k_set(loop_of(t), "before create");
  spawn_ts(t, ctx_child_step, NULL, &s->a);
  k_set(loop_of(t), "after create");
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  say_k(loop_of(t), "main sees %s");
  AC_END(s);
}

/* ---- 119 to_thread and the caller's context ---- */

/* The function runs in a copy of the calling task's context: ac_context_*
 * with a NULL loop reach that copy from the worker thread. The result's
 * bytes must outlive the call: they are copied into a buffer of `ud`. */
static int read_k_work(void *ud, ac_value *result) {
  char *buf = ud;
  const char *v = k_get(NULL, buf, 64);
  if (v != buf) snprintf(buf, 64, "%s", v);
  ac_value_set_bytes(result, buf, strlen(buf));
  return 0;
}
static int write_k_work(void *ud, ac_value *result) {
  k_set(NULL, "worker");
  return read_k_work(ud, result);
}

static int thread_job_step(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[64];
  AC_BEGIN(s);
  k_set(loop_of(t), "job");
  if ((s->rc = ac_to_thread(loop_of(t), read_k_work, s->buf, NULL, NULL, &s->f)) < 0) return s->rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  AC_CHECK(t);
  TRACE("worker read %s", bytes_of(ac_task_awaited(t), buf, sizeof buf));
  if ((s->rc = ac_to_thread(loop_of(t), write_k_work, s->buf, NULL, NULL, &s->f)) < 0) return s->rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  AC_CHECK(t);
  TRACE("worker set %s", bytes_of(ac_task_awaited(t), buf, sizeof buf));
  say_k(loop_of(t), "job sees %s");
  AC_END(s);
}

static int s119_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  k_set(loop_of(t), "main");
  spawn_ts(t, thread_job_step, NULL, &s->a);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  say_k(loop_of(t), "main sees %s");
  AC_END(s);
}

/* ---- 120 a worker's error with message and cause ---- */

/* raise ValueError('bad reply') from ConnectionResetError('peer reset'):
 * the worker fails with an error object it made, cause and all. */
static int failing_work(void *ud, ac_value *result, ac_error **error) {
  ac_error *reset;
  (void)ud;
  (void)result;
  if (ac_error_new(AC_ECONNRESET, "peer reset", NULL, &reset) < 0) return AC_ENOMEM;
  if (ac_error_new(AC_EINVAL, "bad reply", reset, error) < 0) *error = NULL;
  ac_error_unref(reset);
  return AC_EINVAL;
}

static int s120_main(ac_task *t, void *p) {
  struct ts *s = p;
  ac_error *e, *c;
  AC_BEGIN(s);
  if ((s->rc = ac_to_thread_v2(loop_of(t), failing_work, NULL, NULL, NULL, &s->f)) < 0) return s->rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  if (ac_task_outcome(t) != AC_EINVAL) AC_CHECK(t);
  e = ac_future_error(ac_task_awaited(t));
  TRACE("main: %s: %s", ac_err_name(ac_error_code(e)), ac_error_message(e));
  c = ac_error_cause(e);
  if (c != NULL) TRACE("main: cause %s: %s", ac_err_name(ac_error_code(c)), ac_error_message(c));
  else TRACE("main: cause none");
  AC_END(s);
}

/* ---- 121 equal deadlines, a cancelled timer ---- */

static int s121_main(ac_task *t, void *p) {
  struct ts *s = p;
  ac_call *dropped;
  ac_loop *loop = loop_of(t);
  AC_BEGIN(s);
  ac_loop_call_later(loop, 1, cb_trace, "A: call_later(1)", NULL, NULL);
  ac_loop_call_at(loop, 1.0, cb_trace, "B: call_at(1)", NULL, NULL);
  if ((s->rc = ac_loop_call_later(loop, 0.5, cb_trace, "never printed", NULL, &dropped)) < 0) return s->rc;
  ac_loop_call_at(loop, 2.0, cb_trace, "C: call_at(2)", NULL, NULL);
  ac_loop_call_later(loop, 2, cb_trace, "D: call_later(2)", NULL, NULL);
  ac_call_cancel(dropped);
  TRACE_T(loop, "main: dropped cancelled=%d", ac_call_cancelled(dropped));
  ac_call_unref(dropped);
  AC_AWAIT(s, ac_task_sleep(t, 3));
  AC_CHECK(t);
  TRACE_T(loop, "main: done");
  AC_END(s);
}

/* ---- 122 a due timer joins the ready queue at its end ---- */

static int s122_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  ac_loop_call_later(loop_of(t), 0, cb_say, "timer: call_later(0)", NULL, NULL);
  ac_loop_call_soon(loop_of(t), cb_say, "soon 1", NULL, NULL);
  ac_loop_call_soon(loop_of(t), cb_say, "soon 2", NULL, NULL);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE("main: after sleep(0)");
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE("main: after second sleep(0)");
  AC_END(s);
}

/* ---- 123 negative delays ---- */

static int s123_main(ac_task *t, void *p) {
  struct ts *s = p;
  ac_call *zero, *neg, *past;
  ac_loop *loop = loop_of(t);
  AC_BEGIN(s);
  if ((s->rc = ac_loop_call_later(loop, 0, cb_trace, "zero", NULL, &zero)) < 0) return s->rc;
  if ((s->rc = ac_loop_call_later(loop, -1, cb_trace, "negative", NULL, &neg)) < 0) {
    ac_call_unref(zero);
    return s->rc;
  }
  if ((s->rc = ac_loop_call_at(loop, ac_loop_time(loop) - 5, cb_trace, "past", NULL, &past)) < 0) {
    ac_call_unref(zero);
    ac_call_unref(neg);
    return s->rc;
  }
  TRACE_T(loop, "main: when %lld, %lld, %lld", llround(ac_call_when(zero) * 1000),
          llround(ac_call_when(neg) * 1000), llround(ac_call_when(past) * 1000));
  ac_call_unref(zero);
  ac_call_unref(neg);
  ac_call_unref(past);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  TRACE_T(loop, "main: done");
  AC_END(s);
}

/* ---- 124 handles: cancel, cancelled, when ---- */

static int s124_main(ac_task *t, void *p) {
  struct ts *s = p;
  ac_call *soon, *later, *kept;
  ac_loop *loop = loop_of(t);
  AC_BEGIN(s);
  if ((s->rc = ac_loop_call_soon(loop, cb_trace, "never printed", NULL, &soon)) < 0) return s->rc;
  if ((s->rc = ac_loop_call_later(loop, 1.5, cb_trace, "never printed", NULL, &later)) < 0) return s->rc;
  if ((s->rc = ac_loop_call_later(loop, 2.5, cb_trace, "kept: ran", NULL, &kept)) < 0) return s->rc;
  TRACE_T(loop, "main: cancelled=%d, when=%lld, %lld", ac_call_cancelled(soon),
          llround(ac_call_when(later) * 1000), llround(ac_call_when(kept) * 1000));
  ac_call_cancel(soon);
  ac_call_cancel(later);
  ac_call_cancel(later);
  TRACE_T(loop, "main: cancelled=%d, %d, %d", ac_call_cancelled(soon), ac_call_cancelled(later),
          ac_call_cancelled(kept));
  ac_call_unref(soon);
  ac_call_unref(later);
  ac_call_unref(kept);
  AC_AWAIT(s, ac_task_sleep(t, 3));
  AC_CHECK(t);
  TRACE_T(loop, "main: done");
  AC_END(s);
}

/* ---- 125 / 126 eager tasks ---- */

static int eager_quick_step(ac_task *t, void *p) {
  (void)p;
  TRACE("E: runs");
  return ac_task_return_int64(t, 5);
}

static void cb_e_callback(ac_future *f, void *ud) {
  (void)f;
  (void)ud;
  TRACE("E: callback");
}

static int s125_main(ac_task *t, void *p) {
  struct ts *s = p;
  int64_t v = 0;
  AC_BEGIN(s);
  if ((s->rc = ac_task_new(loop_of(t), eager_quick_step, NULL, NULL, AC_TASK_EAGER, &s->a)) < 0)
    return s->rc;
  TRACE("main: created, done=%d", ac_future_done(ac_task_future(s->a)));
  ac_future_add_done_callback(ac_task_future(s->a), cb_e_callback, NULL, NULL);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE("main: awaited %lld", (long long)v);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE("main: after sleep(0)");
  AC_END(s);
}

static int eager_ctx_step(ac_task *t, void *p) {
  struct ts *s = p; /* s->me: the creator */
  char buf[64];
  AC_BEGIN(s);
  TRACE("E: first step, is main=%d, sees %s", ac_loop_current_task(loop_of(t)) == s->me,
        k_get(loop_of(t), buf, sizeof buf));
  k_set(loop_of(t), "eager");
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  say_k(loop_of(t), "E: second step, sees %s");
  AC_END(s);
}

static int s126_main(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[64];
  AC_BEGIN(s);
  k_set(loop_of(t), "main");
  {
    struct ts init;
    memset(&init, 0, sizeof init);
    init.me = t;
    if ((s->rc = ac_task_new_copy(loop_of(t), eager_ctx_step, &init, sizeof init, NULL, AC_TASK_EAGER,
                                  &s->a, NULL)) < 0)
      return s->rc;
  }
  TRACE("main: created, current is main=%d, sees %s", ac_loop_current_task(loop_of(t)) == t,
        k_get(loop_of(t), buf, sizeof buf));
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE("main: done");
  AC_END(s);
}

/* ---- 127 cancelling a future ---- */

static void cb_cancelled(ac_future *f, void *ud) {
  (void)ud;
  TRACE("callback: cancelled=%d", ac_future_cancelled(f));
}

static int s127_main(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[128];
  int64_t v = 0;
  AC_BEGIN(s);
  if ((s->rc = ac_future_new(loop_of(t), &s->f)) < 0) return s->rc;
  ac_future_add_done_callback(s->f, cb_cancelled, NULL, NULL);
  TRACE("cancel -> %d", ac_future_cancel(s->f, "first"));
  TRACE("cancel again -> %d", ac_future_cancel(s->f, "second"));
  TRACE("done=%d cancelled=%d", ac_future_done(s->f), ac_future_cancelled(s->f));
  if (ac_future_result(s->f, NULL) == AC_ECANCELLED)
    TRACE("result(): %s", describe(buf, sizeof buf, ac_future_error(s->f)));
  if ((s->rc = ac_future_new(loop_of(t), &s->g)) < 0) return s->rc;
  ac_future_set_result_int64(s->g, 4);
  s->rc = ac_future_cancel(s->g, NULL);
  ac_future_result_int64(s->g, &v);
  TRACE("cancel a done future -> %d; result=%lld", s->rc, (long long)v);
  ac_future_unref(s->g);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  ac_future_unref(s->f);
  AC_END(s);
}

/* ---- 128 the awaiter's turn among the done-callbacks ---- */

static int work_w_step(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  return return_str(t, "w");
  AC_END(s);
}

static int got_waiter_step(ac_task *t, void *p) {
  struct ts *s = p; /* s->f borrowed */
  char buf[64];
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_await(t, s->f));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "%s: got %s", s->name, bytes_of(ac_task_awaited(t), buf, sizeof buf));
  AC_END(s);
}

static void cb_trace_done(ac_future *f, void *ud) { TRACE_T(ac_future_get_loop(f), "%s", (const char *)ud); }

static int s128_main(ac_task *t, void *p) {
  struct ts *s = p;
  char buf[64];
  AC_BEGIN(s);
  spawn_ts(t, work_w_step, NULL, &s->a);
  ac_future_add_done_callback(ac_task_future(s->a), cb_trace_done, "cb1", NULL);
  spawn_ts(t, got_waiter_step, "W", &s->b)->f = ac_task_future(s->a);
  AC_AWAIT(s, ac_task_sleep(t, 0.5));
  AC_CHECK(t);
  ac_future_add_done_callback(ac_task_future(s->a), cb_trace_done, "cb2", NULL);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: got %s", bytes_of(ac_task_awaited(t), buf, sizeof buf));
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->b)));
  AC_CHECK(t);
  ac_task_unref(s->a);
  AC_END(s);
}

/* ---- 129 current_task, all_tasks ---- */

static void cb_current(ac_loop *loop, void *ud) {
  (void)ud;
  TRACE_T(loop, "callback: current is None=%d", ac_loop_current_task(loop) == NULL);
}

static int current_child_step(ac_task *t, void *p) {
  struct ts *s = p;
  ac_value v;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, s->delay));
  AC_CHECK(t);
  ac_value_set_pointer(&v, ac_loop_current_task(loop_of(t)), NULL);
  return ac_task_return(t, &v);
  AC_END(s);
}

struct count_ud {
  ac_task *me;
  int found;
};
static void count_task(ac_task *task, void *ud) {
  struct count_ud *c = ud;
  if (task == c->me) c->found = 1;
}

static int s129_main(ac_task *t, void *p) {
  struct ts *s = p;
  struct count_ud c = {t, 0};
  ac_value v;
  int n;
  AC_BEGIN(s);
  ac_loop_call_soon(loop_of(t), cb_current, NULL, NULL, NULL);
  spawn_ts(t, current_child_step, NULL, &s->a)->delay = 1;
  spawn_ts(t, current_child_step, NULL, &s->b)->delay = 2;
  n = ac_loop_foreach_task(loop_of(t), count_task, &c);
  TRACE_T(loop_of(t), "main: all_tasks=%d, main in it=%d", n, c.found);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  ac_future_result(ac_task_awaited(t), &v);
  TRACE_T(loop_of(t), "main: A saw itself=%d", v.kind == AC_VALUE_POINTER && v.u.pointer.ptr == (void *)s->a);
  ac_task_unref(s->a);
  TRACE_T(loop_of(t), "main: all_tasks=%d", (int)ac_loop_foreach_task(loop_of(t), count_task, &c));
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->b)));
  AC_CHECK(t);
  n = ac_loop_foreach_task(loop_of(t), count_task, &c);
  TRACE_T(loop_of(t), "main: all_tasks=%d, current is main=%d", n, ac_loop_current_task(loop_of(t)) == t);
  AC_END(s);
}

/* ---- 130 an error raised by a callback ---- */

static void handler_keys_only(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                              void *ud) {
  char keys[64], buf[128];
  (void)future;
  (void)ud;
  TRACE("handler: keys=%s; error=%s", handler_keys(keys, sizeof keys, loop, message, error),
        describe(buf, sizeof buf, error));
}

/* A C callback cannot raise: it reports its error as a binding does for a
 * callback that raised, through ac_loop_call_exception_handler. */
static void report_failure(ac_loop *loop, const char *what, ac_future *future) {
  char text[64];
  ac_error *e = NULL;
  snprintf(text, sizeof text, "%s failed", what);
  if (ac_error_new(AC_EINVAL, text, NULL, &e) < 0) return;
  ac_loop_call_exception_handler(loop, "Exception in callback", e, future);
  ac_error_unref(e);
}
static void cb_bad(ac_loop *loop, void *ud) { report_failure(loop, ud, NULL); }
static void cb_bad_done(ac_future *f, void *ud) { report_failure(ac_future_get_loop(f), ud, f); }
static void cb_say_done(ac_future *f, void *ud) {
  (void)f;
  TRACE("%s", (const char *)ud);
}

static int s130_main(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  ac_loop_set_exception_handler(loop_of(t), handler_keys_only, NULL, NULL);
  ac_loop_call_soon(loop_of(t), cb_bad, "callback", NULL, NULL);
  ac_loop_call_soon(loop_of(t), cb_say, "next callback runs", NULL, NULL);
  if ((s->rc = ac_future_new(loop_of(t), &s->f)) < 0) return s->rc;
  ac_future_add_done_callback(s->f, cb_bad_done, "done-callback", NULL);
  ac_future_add_done_callback(s->f, cb_say_done, "next done-callback runs", NULL);
  ac_future_set_result_none(s->f);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE("main: done");
  ac_future_unref(s->f);
  AC_END(s);
}

/* ---- the table ---- */

#define TS(name, fn) {name, fn, sizeof(struct ts)}

/* ---- 131 run() finishes the iteration in which main completes ---- */

static int other131_step(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  TRACE_T(loop_of(t), "other: started");
  AC_AWAIT(s, ac_task_sleep(t, 1));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "other: cancelled");
  AC_CHECK(t);
  AC_END(s);
}

static int s131_main(ac_task *t, void *p) {
  ac_task *other;
  (void)p;
  spawn(t, other131_step, sizeof(struct ts), &other);
  ac_task_unref(other);
  TRACE_T(loop_of(t), "main: done");
  return ac_task_return_int64(t, 3);
}

/* ---- 180 to_thread work holds the virtual clock ---- */

/* Real work: 20 ms of real time on the worker, then 7. */
static int slow_job_work(void *ud, ac_value *result) {
  struct timespec nap = {0, 20 * 1000000L};
  (void)ud;
  nanosleep(&nap, NULL);
  ac_value_set_int64(result, 7);
  return 0;
}

static int sleeper180_step(ac_task *t, void *p) {
  struct ts *s = p;
  AC_BEGIN(s);
  TRACE_T(loop_of(t), "sleeper: sleeping 10");
  AC_AWAIT(s, ac_task_sleep(t, 10));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "sleeper: woke");
  AC_END(s);
}

static int s180_main(ac_task *t, void *p) {
  struct ts *s = p;
  int64_t v = 0;
  AC_BEGIN(s);
  spawn_ts(t, sleeper180_step, NULL, &s->a);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  if ((s->rc = ac_to_thread(loop_of(t), slow_job_work, NULL, NULL, NULL, &s->f)) < 0) return s->rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &v);
  TRACE_T(loop_of(t), "main: job gave %lld", (long long)v);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

const struct scenario task_scenarios[] = {
    TS("100-future-set-when-done", s100_main),
    TS("101-future-result-not-ready", s101_main),
    TS("102-done-callbacks-order", s102_main),
    TS("103-remove-done-callback", s103_main),
    TS("104-unretrieved-future-error", s104_main),
    TS("105-unretrieved-task-error", s105_main),
    TS("106-cancel-message", s106_main),
    TS("107-cancel-message-chain", s107_main),
    TS("108-cancel-twice", s108_main),
    TS("109-cancel-swallowed-continues", s109_main),
    TS("110-self-cancel-then-await", s110_main),
    TS("111-await-done-no-suspend", s111_main),
    TS("112-sleep-zero-yields", s112_main),
    TS("113-task-awaits-itself", s113_main),
    TS("114-run-inside-running-loop", s114_main),
    TS("115-closed-loop", s115_main),
    TS("116-run-shutdown-error", s116_main),
    TS("117-callback-context", s117_main),
    TS("118-task-context-copy", s118_main),
    TS("119-to-thread-context", s119_main),
    TS("120-to-thread-error-cause", s120_main),
    TS("121-timers-equal-deadline", s121_main),
    TS("122-timer-joins-ready-queue", s122_main),
    TS("123-call-later-negative", s123_main),
    TS("124-handle-cancel", s124_main),
    TS("125-eager-finishes-at-once", s125_main),
    TS("126-eager-step-context", s126_main),
    TS("127-future-cancel", s127_main),
    TS("128-awaiter-wakeup-order", s128_main),
    TS("129-current-task-all-tasks", s129_main),
    TS("130-callback-error-reported", s130_main),
    TS("131-run-finishes-the-iteration", s131_main),
    TS("180-to-thread-holds-clock", s180_main),
    {NULL, NULL, 0},
};
