/*
 * structured.c — the C implementation of the structured scenarios
 * (140-179): timeout scopes, wait_for, gather, wait, as_completed, shield
 * and task groups.
 *
 * Each port follows its Python program step by step. Where asyncio raises
 * an exception from a call the C API answers with a return code, the port
 * prints the code's class and the call's reason (describe_code).
 */
#include "conformance.h"

/* ---- shared helpers ---- */


static const char *describe(char *buf, size_t size, const ac_error *e) {
  describe_error(buf, size, e);
  return buf;
}

/* An ExceptionGroup with its sub-exceptions, nested groups in brackets. */
static void print_tree(const ac_error *e) {
  char buf[256];
  printf("%s", describe(buf, sizeof buf, e));
  if (ac_error_code(e) != AC_EGROUP) return;
  printf(" [");
  for (int64_t i = 0; i < ac_error_child_count(e); ++i) {
    if (i) printf(", ");
    print_tree(ac_error_child(e, i));
  }
  printf("]");
}

static int64_t result_int(ac_future *f) {
  int64_t v = -1;
  ac_future_result_int64(f, &v);
  return v;
}

static void free_task_ref(void *p) { ac_task_unref(p); }
static void cb_cancel(ac_loop *loop, void *ud) {
  (void)loop;
  ac_task_cancel(ud, NULL);
}
/* loop.call_later(delay, task.cancel) */
static void cancel_later(ac_task *t, double delay, ac_task *victim) {
  int rc = ac_loop_call_later(loop_of(t), delay, cb_cancel, ac_task_ref(victim), free_task_ref, NULL);
  if (rc < 0) die("ac_loop_call_later", rc);
}

/* A child task: sleeps `delay`, then fails with `code`/`message` or returns
 * `value`. `trace_finish` traces "<name>: finished"; `trace_cancel` traces
 * "<name>: cancelled" when its sleep is cancelled. */
struct kid {
  AC_ASYNC_FIELDS;
  const char *name;
  double delay;
  int64_t value;
  int code;
  const char *message;
  int trace_finish, trace_cancel;
};

static int kid_step(ac_task *t, void *p) {
  struct kid *k = p;
  AC_BEGIN(k);
  /* A negative delay: returns at once, without awaiting anything. */
  if (k->delay >= 0) AC_AWAIT(k, ac_task_sleep(t, k->delay));
  if (ac_task_outcome(t) == AC_ECANCELLED && k->trace_cancel) TRACE_T(loop_of(t), "%s: cancelled", k->name);
  AC_CHECK(t);
  if (k->code < 0) return ac_task_fail(t, k->code, k->message);
  if (k->trace_finish) TRACE_T(loop_of(t), "%s: finished", k->name);
  return ac_task_return_int64(t, k->value);
  AC_END(k);
}

/* A kid (in group `tg` when given); returns a reference to its task. */
static struct kid *kid_in(ac_task *parent, ac_taskgroup *tg, const char *name, double delay,
                          ac_task **out) {
  struct kid *k = NULL;
  int rc = tg != NULL ? ac_taskgroup_spawn_inline(tg, kid_step, sizeof *k, 0, out, (void **)&k)
                      : ac_task_new_inline(loop_of(parent), kid_step, sizeof *k, 0, out, (void **)&k);
  if (rc < 0) die("spawn", rc);
  k->name = name;
  k->delay = delay;
  return k;
}
static ac_task *value_kid(ac_task *parent, const char *name, double delay, int64_t value) {
  ac_task *out;
  kid_in(parent, NULL, name, delay, &out)->value = value;
  return out;
}
static ac_task *failing_kid(ac_task *parent, ac_taskgroup *tg, const char *name, double delay,
                            int code, const char *message) {
  ac_task *out;
  struct kid *k = kid_in(parent, tg, name, delay, &out);
  k->code = code;
  k->message = message;
  return out;
}

/* Prints, joined by ", ", the names (names[i] for tasks[i]) of the futures
 * `w` reports through `count`/`at` (a wait's done or pending part). */
static void print_names(ac_future *w, int64_t (*count)(ac_future *), ac_future *(*at)(ac_future *, size_t),
                        ac_task **tasks, const char *const *names, int n) {
  int c = (int)count(w);
  for (int i = 0; i < c; ++i) {
    ac_future *f = at(w, (size_t)i);
    const char *name = "?";
    for (int j = 0; j < n; ++j)
      if (ac_task_future(tasks[j]) == f) name = names[j];
    printf("%s%s", i ? ", " : "", name);
  }
}

static ac_future *gather2(ac_task *t, ac_task *a, ac_task *b, uint32_t flags) {
  ac_future *items[2] = {ac_task_future(a), ac_task_future(b)}, *g;
  int rc = ac_gather(loop_of(t), items, 2, flags, &g);
  if (rc < 0) die("ac_gather", rc);
  return g;
}

/* The main state every scenario of this file uses. */
struct st {
  AC_ASYNC_FIELDS;
  ac_task *a, *b, *c, *d;
  ac_future *f, *g;
  ac_timeout *scope, *scope2;
  ac_taskgroup *tg, *tg2;
  ac_as_completed *it;
  ac_task *caller;
  int i, n, rc, awaited;
  int64_t got[4];
  const char *label;
  int inner_fails, outer_fails, outside_cancel;
};

#define ST_SIZE sizeof(struct st)

/* ==== timeout scopes (140-151) ==== */

/* 140 timeout(0) */
static int s140_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 0, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  TRACE_T(loop_of(t), "body: entered");
  AC_AWAIT(s, ac_task_sleep(t, 1));
  if (ac_task_outcome(t) == 0) TRACE_T(loop_of(t), "body: after the sleep");
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "main: caught %s", ac_err_name(rc));
  else if (rc < 0) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "main: expired=%d", ac_timeout_expired(s->scope));
  ac_timeout_unref(s->scope);
  AC_END(s);
}

/* 141 timeout_at(now - 1), timeout(-1) */
static int s141_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[128];
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  for (s->i = 0; s->i < 2; ++s->i) {
    s->label = s->i == 0 ? "timeout_at(now - 1)" : "timeout(-1)";
    rc = s->i == 0 ? ac_timeout_new_at(loop_of(t), ac_loop_time(loop_of(t)) - 1, &s->scope)
                   : ac_timeout_new(loop_of(t), -1, &s->scope);
    if (rc < 0) {
      TRACE_T(loop_of(t), "%s: refused: %s", s->label, describe_code(buf, sizeof buf, rc));
      continue;
    }
    if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
    AC_AWAIT(s, ac_task_sleep(t, 1));
    if (ac_task_outcome(t) == 0) TRACE_T(loop_of(t), "%s: after the sleep", s->label);
    rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
    if (rc == AC_ETIMEDOUT)
      TRACE_T(loop_of(t), "%s: caught %s when=%lld expired=%d", s->label, ac_err_name(rc),
              llround(ac_timeout_when(s->scope) * 1000), ac_timeout_expired(s->scope));
    ac_timeout_unref(s->scope);
    if (rc < 0 && rc != AC_ETIMEDOUT) return ac_task_propagate(t);
  }
  AC_END(s);
}

/* 142 timeout(0) around sleep(0) */
static int other_step(ac_task *t, void *p) {
  (void)p;
  TRACE_T(loop_of(t), "other: ran");
  return AC_STEP_DONE;
}

static int s142_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 0, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  spawn(t, other_step, sizeof(int), &s->a);
  ac_task_unref(s->a);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  if (ac_task_outcome(t) == 0) TRACE_T(loop_of(t), "body: after sleep(0)");
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "main: caught %s", ac_err_name(rc));
  else if (rc < 0) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "main: expired=%d", ac_timeout_expired(s->scope));
  ac_timeout_unref(s->scope);
  AC_END(s);
}

/* 143 timeout(0) and a cancel of the task itself */
static int s143_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 0, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  ac_task_cancel(t, NULL);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  if (ac_task_outcome(t) == 0) TRACE_T(loop_of(t), "body: after the sleep");
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "main: caught TimeoutError %s", ac_err_name(rc));
  else if (rc == AC_ECANCELLED) TRACE_T(loop_of(t), "main: caught %s", ac_err_name(rc));
  TRACE_T(loop_of(t), "main: expired=%d cancelling=%d", ac_timeout_expired(s->scope), (int)ac_task_cancelling(t));
  ac_timeout_unref(s->scope);
  AC_END(s);
}

/* 144 the TimeoutError's cause: the scope's error object (ac_timeout_error). */
static int s144_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 1, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 5));
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  if (rc == AC_ETIMEDOUT) {
    const ac_error *cause = ac_error_cause(ac_timeout_error(s->scope));
    TRACE_T(loop_of(t), "main: caught %s cause=%s", ac_err_name(rc),
            cause != NULL ? ac_err_name(ac_error_code(cause)) : "none");
  }
  ac_timeout_unref(s->scope);
  if (rc < 0 && rc != AC_ETIMEDOUT) return ac_task_propagate(t);
  AC_END(s);
}

/* 145 reschedule() before enter */
static int s145_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[128];
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 5, &s->scope)) < 0) return rc;
  rc = ac_timeout_reschedule(s->scope, ac_loop_time(loop_of(t)) + 1);
  if (rc == 0) TRACE_T(loop_of(t), "main: rescheduled");
  else TRACE_T(loop_of(t), "main: reschedule refused: %s", describe_code(buf, sizeof buf, rc));
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 10));
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  ac_timeout_unref(s->scope);
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "main: timed out");
  else if (rc < 0) return ac_task_propagate(t);
  AC_END(s);
}

/* 146 entering twice */
static int s146_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[128];
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 5, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  rc = ac_timeout_enter(s->scope, t);
  if (rc == 0) {
    TRACE_T(loop_of(t), "main: entered while active");
    ac_timeout_exit(s->scope, 0);
  } else {
    TRACE_T(loop_of(t), "main: nested enter refused: %s", describe_code(buf, sizeof buf, rc));
  }
  AC_AWAIT(s, ac_task_sleep(t, 1));
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  if (rc < 0) {
    TRACE_T(loop_of(t), "main: %s", describe_code(buf, sizeof buf, rc));
  } else {
    TRACE_T(loop_of(t), "main: first use done");
    rc = ac_timeout_enter(s->scope, t);
    if (rc == 0) {
      TRACE_T(loop_of(t), "main: entered again");
      ac_timeout_exit(s->scope, 0);
    } else {
      TRACE_T(loop_of(t), "main: %s", describe_code(buf, sizeof buf, rc));
    }
  }
  TRACE_T(loop_of(t), "main: expired=%d", ac_timeout_expired(s->scope));
  ac_timeout_unref(s->scope);
  AC_END(s);
}

/* 147 reschedule() after exit, while expiring, after expiry */
static void try_reschedule(ac_loop *loop, const char *label, ac_timeout *scope) {
  char buf[128];
  int rc = ac_timeout_reschedule(scope, AC_NO_TIMEOUT);
  if (rc == 0) TRACE_T(loop, "%s: rescheduled", label);
  else TRACE_T(loop, "%s: %s", label, describe_code(buf, sizeof buf, rc));
}

static int s147_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 5, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 1));
  if ((rc = ac_timeout_exit(s->scope, ac_task_outcome(t))) < 0) return ac_task_propagate(t);
  try_reschedule(loop_of(t), "after exit", s->scope);
  ac_timeout_unref(s->scope);

  if ((rc = ac_timeout_new(loop_of(t), 1, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 5));
  if (ac_task_outcome(t) == AC_ECANCELLED) try_reschedule(loop_of(t), "while expiring", s->scope);
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "main: timed out");
  else if (rc < 0) return ac_task_propagate(t);
  try_reschedule(loop_of(t), "after expiry", s->scope);
  ac_timeout_unref(s->scope);
  AC_END(s);
}

/* 148 the body swallows the scope's cancellation */
static int s148_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 1, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 5));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "body: cancelled, carrying on");
  else if (ac_task_outcome(t) < 0) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "body: cancelling=%d", (int)ac_task_cancelling(t));
  if ((rc = ac_timeout_exit(s->scope, 0)) < 0) return rc;
  TRACE_T(loop_of(t), "main: left the scope expired=%d cancelling=%d", ac_timeout_expired(s->scope),
          (int)ac_task_cancelling(t));
  ac_timeout_unref(s->scope);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: next await ran");
  AC_END(s);
}

/* 149 reschedule() moves the deadline */
static const char *when_of(char *buf, size_t size, ac_timeout *scope) {
  double w = ac_timeout_when(scope);
  if (isinf(w)) snprintf(buf, size, "none");
  else snprintf(buf, size, "%lld", llround(w * 1000));
  return buf;
}

static int s149_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[32];
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), AC_NO_TIMEOUT, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  TRACE_T(loop_of(t), "A: when=%s", when_of(buf, sizeof buf, s->scope));
  if ((rc = ac_timeout_reschedule(s->scope, ac_loop_time(loop_of(t)) + 1)) < 0) return rc;
  TRACE_T(loop_of(t), "A: when=%s", when_of(buf, sizeof buf, s->scope));
  AC_AWAIT(s, ac_task_sleep(t, 5));
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  ac_timeout_unref(s->scope);
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "A: caught %s", ac_err_name(rc));
  else if (rc < 0) return ac_task_propagate(t);

  if ((rc = ac_timeout_new(loop_of(t), 1, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  if ((rc = ac_timeout_reschedule(s->scope, ac_loop_time(loop_of(t)) + 3)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 2));
  if (ac_task_outcome(t) < 0) goto exit_b;
  TRACE_T(loop_of(t), "B: still inside, when=%s", when_of(buf, sizeof buf, s->scope));
  if ((rc = ac_timeout_reschedule(s->scope, AC_NO_TIMEOUT)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 5));
  if (ac_task_outcome(t) < 0) goto exit_b;
  TRACE_T(loop_of(t), "B: done, when=%s expired=%d", when_of(buf, sizeof buf, s->scope),
          ac_timeout_expired(s->scope));
exit_b:
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  ac_timeout_unref(s->scope);
  if (rc == AC_ETIMEDOUT) TRACE_T(loop_of(t), "B: caught %s", ac_err_name(rc));
  else if (rc < 0) return ac_task_propagate(t);
  AC_END(s);
}

/* 150 nested scopes with the same deadline */
static int s150_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_timeout_new(loop_of(t), 1, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  if ((rc = ac_timeout_new(loop_of(t), 1, &s->scope2)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope2, t)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 5));
  rc = ac_timeout_exit(s->scope2, ac_task_outcome(t));
  if (rc < 0) TRACE_T(loop_of(t), "inner: %s expired=%d", ac_err_name(rc), ac_timeout_expired(s->scope2));
  ac_timeout_unref(s->scope2);
  rc = ac_timeout_exit(s->scope, rc);
  if (rc == AC_ETIMEDOUT)
    TRACE_T(loop_of(t), "outer: %s expired=%d", ac_err_name(rc), ac_timeout_expired(s->scope));
  ac_timeout_unref(s->scope);
  if (rc < 0 && rc != AC_ETIMEDOUT) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "main: cancelling=%d", (int)ac_task_cancelling(t));
  AC_END(s);
}

/* 151 a scope in a task that is being cancelled */
static int s151_worker(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) != AC_ECANCELLED) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "worker: cancelled, cancelling=%d", (int)ac_task_cancelling(t));
  if ((rc = ac_timeout_new(loop_of(t), 1, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  AC_AWAIT(s, ac_task_sleep(t, 5));
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  ac_timeout_unref(s->scope);
  TRACE_T(loop_of(t), "worker: cleanup ended with %s", rc < 0 ? ac_err_name(rc) : "no error");
  return AC_ECANCELLED; /* raise: the cancellation goes on */
  AC_END(s);
}

static int s151_main(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  spawn(t, s151_worker, ST_SIZE, &s->a);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->a, NULL);
  AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "main: worker cancelled");
  AC_END(s);
}

/* ==== wait_for (152-159) ==== */

/* A traced piece of work: "work: started", sleeps 1, returns 1. */
static int started_work_step(ac_task *t, void *p) {
  struct kid *k = p;
  AC_BEGIN(k);
  TRACE_T(loop_of(t), "work: started");
  AC_AWAIT(k, ac_task_sleep(t, 1));
  AC_CHECK(t);
  return ac_task_return_int64(t, 1);
  AC_END(k);
}

/* 152 wait_for(coroutine, 0): the coroutine becomes a task first */
static int s152_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  spawn(t, started_work_step, sizeof(struct kid), &s->a);
  rc = ac_wait_for(loop_of(t), ac_task_future(s->a), 0, &s->f);
  ac_task_unref(s->a);
  if (rc < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  if (ac_task_outcome(t) == 0) {
    TRACE_T(loop_of(t), "main: got a result");
  } else if (ac_task_outcome(t) == AC_ETIMEDOUT) {
    const ac_error *cause = ac_error_cause(ac_future_error(ac_task_awaited(t)));
    TRACE_T(loop_of(t), "main: caught %s cause=%s", ac_err_name(ac_task_outcome(t)),
            cause != NULL ? ac_err_name(ac_error_code(cause)) : "none");
  } else {
    return ac_task_propagate(t);
  }
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

/* 153 wait_for(task, -1) */
static int s153_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[128];
  AC_BEGIN(s);
  kid_in(t, NULL, "slow", 5, &s->a)->trace_cancel = 1;
  kid_in(t, NULL, "quick", 0, &s->b)->value = 7;
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  rc = ac_wait_for(loop_of(t), ac_task_future(s->a), -1, &s->f);
  if (rc < 0) {
    TRACE_T(loop_of(t), "main: slow -> refused: %s", describe_code(buf, sizeof buf, rc));
  } else {
    AC_AWAIT(s, ac_task_await_owned(t, s->f));
    if (ac_task_outcome(t) != AC_ETIMEDOUT) return ac_task_propagate(t);
    TRACE_T(loop_of(t), "main: slow -> %s cancelled=%d", ac_err_name(ac_task_outcome(t)),
            ac_future_cancelled(ac_task_future(s->a)));
  }
  rc = ac_wait_for(loop_of(t), ac_task_future(s->b), -1, &s->f);
  if (rc < 0) {
    TRACE_T(loop_of(t), "main: quick -> refused: %s", describe_code(buf, sizeof buf, rc));
  } else {
    AC_AWAIT(s, ac_task_await_owned(t, s->f));
    AC_CHECK(t);
    TRACE_T(loop_of(t), "main: quick -> %lld", (long long)result_int(ac_task_awaited(t)));
  }
  ac_task_cancel(s->a, NULL); /* the slow task, if the refusal left it running */
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_END(s);
}

/* 154 wait_for on a done task */
static int bystander_step(ac_task *t, void *p) {
  (void)p;
  TRACE_T(loop_of(t), "bystander: ran");
  return AC_STEP_DONE;
}

static int s154_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  s->a = value_kid(t, "value", -1, 3);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  spawn(t, bystander_step, sizeof(int), &s->b);
  ac_task_unref(s->b);
  for (s->i = 0; s->i < 2; ++s->i) {
    if ((rc = ac_wait_for(loop_of(t), ac_task_future(s->a), s->i == 0 ? 0 : 5, &s->f)) < 0) return rc;
    AC_AWAIT(s, ac_task_await_owned(t, s->f));
    AC_CHECK(t);
    TRACE_T(loop_of(t), "main: timeout %d -> %lld", s->i == 0 ? 0 : 5,
            (long long)result_int(ac_task_awaited(t)));
  }
  TRACE_T(loop_of(t), "main: before yielding");
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  ac_task_unref(s->a);
  AC_END(s);
}

/* 155 wait_for(coroutine, 2). A C coroutine is code in the caller's own
 * step, so asyncio 3.12's wait_for (async with timeout(t): return await
 * coro) is that code between ac_timeout_enter and ac_timeout_exit. */
static int s155_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  spawn(t, bystander_step, sizeof(int), &s->b);
  ac_task_unref(s->b);
  if ((rc = ac_timeout_new(loop_of(t), 2, &s->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(s->scope, t)) < 0) return rc;
  /* work(caller), inline */
  TRACE_T(loop_of(t), "work: started, in the caller task=%d", ac_loop_current_task(loop_of(t)) == t);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  rc = ac_timeout_exit(s->scope, ac_task_outcome(t));
  ac_timeout_unref(s->scope);
  if (rc < 0) return rc == AC_ETIMEDOUT ? rc : ac_task_propagate(t);
  TRACE_T(loop_of(t), "main: got %d", 5);
  AC_END(s);
}

/* 156 the waiter of wait_for cancelled */
static int s156_waiter(ac_task *t, void *p) {
  struct st *s = p; /* s->a: the inner task, borrowed */
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_wait_for(loop_of(t), ac_task_future(s->a), 5, &s->f)) < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  if (ac_task_outcome(t) < 0) TRACE_T(loop_of(t), "waiter: %s", ac_err_name(ac_task_outcome(t)));
  AC_CHECK(t);
  AC_END(s);
}

static int s156_main(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  kid_in(t, NULL, "inner", 10, &s->a)->trace_cancel = 1;
  ((struct st *)spawn(t, s156_waiter, ST_SIZE, &s->b))->a = s->a;
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->b, NULL);
  AC_AWAIT(s, ac_task_sleep(t, 0.5));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: waiter cancelled=%d inner cancelled=%d",
          ac_future_cancelled(ac_task_future(s->b)), ac_future_cancelled(ac_task_future(s->a)));
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_END(s);
}

/* 157 the awaited task swallows the cancellation */
static int stubborn_step(ac_task *t, void *p) {
  struct kid *k = p;
  AC_BEGIN(k);
  AC_AWAIT(k, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED) {
    TRACE_T(loop_of(t), "stubborn: cancelled, returning 42 anyway");
    AC_AWAIT(k, ac_task_sleep(t, 0.5));
    AC_CHECK(t);
  } else {
    AC_CHECK(t);
  }
  return ac_task_return_int64(t, 42);
  AC_END(k);
}

static int s157_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  spawn(t, stubborn_step, sizeof(struct kid), &s->a);
  rc = ac_wait_for(loop_of(t), ac_task_future(s->a), 1, &s->f);
  ac_task_unref(s->a);
  if (rc < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: got %lld", (long long)result_int(ac_task_awaited(t)));
  AC_END(s);
}

/* 158 an error in the cleanup after the timeout's cancellation */
static int fragile_step(ac_task *t, void *p) {
  struct kid *k = p;
  AC_BEGIN(k);
  AC_AWAIT(k, ac_task_sleep(t, 10));
  TRACE_T(loop_of(t), "fragile: cleaning up"); /* finally: */
  return ac_task_fail(t, AC_EINVAL, "cleanup failed");
  AC_END(k);
}

static int s158_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[128];
  AC_BEGIN(s);
  spawn(t, fragile_step, sizeof(struct kid), &s->a);
  rc = ac_wait_for(loop_of(t), ac_task_future(s->a), 1, &s->f);
  ac_task_unref(s->a);
  if (rc < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  if (ac_task_outcome(t) < 0)
    TRACE_T(loop_of(t), "main: caught %s", describe(buf, sizeof buf, ac_future_error(ac_task_awaited(t))));
  AC_END(s);
}

/* 159 wait_for(shield(task), 0) */
static int s159_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  {
    struct kid *k = kid_in(t, NULL, "work", 1, &s->a);
    k->value = 9;
    k->trace_finish = 1;
  }
  if ((rc = ac_shield(loop_of(t), ac_task_future(s->a), &s->g)) < 0) return rc;
  if ((rc = ac_wait_for(loop_of(t), s->g, 0, &s->f)) < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->f));
  if (ac_task_outcome(t) == AC_ETIMEDOUT)
    TRACE_T(loop_of(t), "main: caught %s", ac_err_name(ac_task_outcome(t)));
  else if (ac_task_outcome(t) < 0) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "main: shield cancelled=%d task done=%d", ac_future_cancelled(s->g),
          ac_future_done(ac_task_future(s->a)));
  ac_future_unref(s->g);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: task -> %lld", (long long)result_int(ac_task_awaited(t)));
  ac_task_unref(s->a);
  AC_END(s);
}

/* ==== gather (160-165) ==== */

/* 160 a child cancelled on its own */
static int s160_main(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  {
    struct kid *k = kid_in(t, NULL, "A", 1, &s->a);
    k->value = 1;
    k->trace_finish = 1;
    k = kid_in(t, NULL, "B", 2, &s->b);
    k->value = 2;
    k->trace_finish = 1;
  }
  s->g = gather2(t, s->a, s->b, AC_GATHER_DEFAULT);
  AC_AWAIT(s, ac_task_sleep(t, 0.5));
  AC_CHECK(t);
  ac_task_cancel(s->a, NULL);
  AC_AWAIT(s, ac_task_await(t, s->g));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "main: gather raised %s", ac_err_name(ac_task_outcome(t)));
  else if (ac_task_outcome(t) < 0) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "main: gather cancelled=%d done=%d", ac_future_cancelled(s->g), ac_future_done(s->g));
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->b)));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: B -> %lld", (long long)result_int(ac_task_awaited(t)));
  ac_future_unref(s->g);
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_END(s);
}

/* 161 return_exceptions: the cancelled child's slot */
static int s161_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  s->a = value_kid(t, "a", 1, 1);
  s->b = value_kid(t, "b", 5, 2);
  s->c = value_kid(t, "c", 2, 3);
  {
    ac_future *items[3] = {ac_task_future(s->a), ac_task_future(s->b), ac_task_future(s->c)};
    if ((rc = ac_gather(loop_of(t), items, 3, AC_GATHER_RETURN_EXCEPTIONS, &s->g)) < 0) return rc;
  }
  AC_AWAIT(s, ac_task_sleep(t, 0.5));
  AC_CHECK(t);
  ac_task_cancel(s->b, NULL);
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  printf("t=%lld main: results=[", ms(loop_of(t)));
  for (int i = 0; i < ac_gather_count(s->g); ++i) {
    ac_value v;
    rc = ac_gather_result_at(s->g, (size_t)i, &v);
    if (rc == 0) printf("%s%lld", i ? ", " : "", (long long)v.u.i64);
    else printf("%s%s", i ? ", " : "", ac_err_class(rc));
  }
  printf("]\n");
  TRACE_T(loop_of(t), "main: gather cancelled=%d", ac_future_cancelled(s->g));
  ac_future_unref(s->g);
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  ac_task_unref(s->c);
  AC_END(s);
}

/* 162 the gather cancelled from outside */
static int s162_main(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  {
    struct kid *k = kid_in(t, NULL, "A", 1, &s->a);
    k->trace_finish = k->trace_cancel = 1;
    k = kid_in(t, NULL, "B", 5, &s->b);
    k->trace_finish = k->trace_cancel = 1;
  }
  s->g = gather2(t, s->a, s->b, AC_GATHER_RETURN_EXCEPTIONS);
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: cancel -> %d", ac_future_cancel(s->g, NULL));
  AC_AWAIT(s, ac_task_await(t, s->g));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "main: gather raised %s", ac_err_name(ac_task_outcome(t)));
  else if (ac_task_outcome(t) < 0) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "main: gather cancelled=%d B cancelled=%d", ac_future_cancelled(s->g),
          ac_future_cancelled(ac_task_future(s->b)));
  TRACE_T(loop_of(t), "main: cancel again -> %d", ac_future_cancel(s->g, NULL));
  ac_future_unref(s->g);
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_END(s);
}

/* 163 the same task twice */
static int s163_main(ac_task *t, void *p) {
  struct st *s = p;
  ac_value v0, v1;
  AC_BEGIN(s);
  s->a = value_kid(t, "t", 1, 4);
  s->g = gather2(t, s->a, s->a, AC_GATHER_DEFAULT);
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  ac_gather_result_at(ac_task_awaited(t), 0, &v0);
  ac_gather_result_at(ac_task_awaited(t), 1, &v1);
  TRACE_T(loop_of(t), "main: results=[%lld, %lld]", (long long)v0.u.i64, (long long)v1.u.i64);
  ac_task_unref(s->a);

  s->b = value_kid(t, "u", 5, 5);
  s->g = gather2(t, s->b, s->b, AC_GATHER_DEFAULT);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_future_cancel(s->g, NULL);
  TRACE_T(loop_of(t), "main: after gather.cancel(), cancelling=%d", (int)ac_task_cancelling(s->b));
  AC_AWAIT(s, ac_task_await(t, s->g));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "main: gather cancelled=%d task cancelled=%d", ac_future_cancelled(s->g),
            ac_future_cancelled(ac_task_future(s->b)));
  else if (ac_task_outcome(t) < 0) return ac_task_propagate(t);
  ac_future_unref(s->g);
  ac_task_unref(s->b);
  AC_END(s);
}

/* 164 gather() */
static int s164_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  spawn(t, bystander_step, sizeof(int), &s->b);
  ac_task_unref(s->b);
  if ((rc = ac_gather(loop_of(t), NULL, 0, AC_GATHER_DEFAULT, &s->g)) < 0) return rc;
  TRACE_T(loop_of(t), "main: done before awaiting=%d", ac_future_done(s->g));
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: results=[] count=%d", (int)ac_gather_count(s->g));
  ac_future_unref(s->g);
  if ((rc = ac_gather(loop_of(t), NULL, 0, AC_GATHER_RETURN_EXCEPTIONS, &s->g)) < 0) return rc;
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: with return_exceptions count=%d", (int)ac_gather_count(s->g));
  ac_future_unref(s->g);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  AC_END(s);
}

/* 165 gather of children already done */
static int s165_main(ac_task *t, void *p) {
  struct st *s = p;
  ac_value v0, v1;
  AC_BEGIN(s);
  s->a = value_kid(t, "a", -1, 1);
  s->b = value_kid(t, "b", -1, 2);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  spawn(t, bystander_step, sizeof(int), &s->c);
  ac_task_unref(s->c);
  s->g = gather2(t, s->a, s->b, AC_GATHER_DEFAULT);
  TRACE_T(loop_of(t), "main: gather done at once=%d", ac_future_done(s->g));
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  AC_CHECK(t);
  ac_gather_result_at(ac_task_awaited(t), 0, &v0);
  ac_gather_result_at(ac_task_awaited(t), 1, &v1);
  TRACE_T(loop_of(t), "main: results=[%lld, %lld]", (long long)v0.u.i64, (long long)v1.u.i64);
  AC_AWAIT(s, ac_task_sleep(t, 0));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: done");
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_END(s);
}

/* ==== wait (166-168) ==== */

static const char *const ABCD[4] = {"A", "B", "C", "D"};

static void trace_wait(ac_task *t, const char *prefix, ac_future *w, ac_task **tasks, int n) {
  printf("t=%lld main: %sdone=[", ms(loop_of(t)), prefix);
  print_names(w, ac_wait_done_count, ac_wait_done_at, tasks, ABCD, n);
  printf("] pending=[");
  print_names(w, ac_wait_pending_count, ac_wait_pending_at, tasks, ABCD, n);
  printf("]");
}

/* 166 FIRST_EXCEPTION */
static int s166_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[128];
  AC_BEGIN(s);
  kid_in(t, NULL, "A", 3, &s->a)->trace_finish = 1;
  s->b = failing_kid(t, NULL, "B", 1, AC_EINVAL, "B");
  kid_in(t, NULL, "C", 5, &s->c)->trace_finish = 1;
  cancel_later(t, 0.5, s->c);
  {
    ac_future *items[3] = {ac_task_future(s->a), ac_task_future(s->b), ac_task_future(s->c)};
    if ((rc = ac_wait(loop_of(t), items, 3, AC_WAIT_FIRST_EXCEPTION, AC_NO_TIMEOUT, &s->g)) < 0) return rc;
  }
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  {
    ac_task *tasks[3] = {s->a, s->b, s->c};
    trace_wait(t, "", s->g, tasks, 3);
    printf("\n");
  }
  ac_future_unref(s->g);
  TRACE_T(loop_of(t), "main: B raised %s, A cancelled=%d",
          describe(buf, sizeof buf, ac_future_error(ac_task_future(s->b))),
          ac_future_cancelled(ac_task_future(s->a)));
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  ac_task_unref(s->c);
  AC_END(s);
}

/* 167 ALL_COMPLETED with an error; FIRST_EXCEPTION without; a duplicate */
static int s167_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[128];
  AC_BEGIN(s);
  s->a = value_kid(t, "A", 2, 0);
  s->b = failing_kid(t, NULL, "B", 1, AC_EINVAL, "B failed");
  {
    ac_future *items[2] = {ac_task_future(s->a), ac_task_future(s->b)};
    if ((rc = ac_wait(loop_of(t), items, 2, AC_WAIT_ALL_COMPLETED, AC_NO_TIMEOUT, &s->g)) < 0) return rc;
  }
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  {
    ac_task *tasks[2] = {s->a, s->b};
    trace_wait(t, "all: ", s->g, tasks, 2);
    printf("\n");
  }
  ac_future_unref(s->g);
  TRACE_T(loop_of(t), "main: B -> %s", describe(buf, sizeof buf, ac_future_error(ac_task_future(s->b))));

  s->c = value_kid(t, "C", 1, 0);
  s->d = value_kid(t, "D", 2, 0);
  {
    ac_future *items[3] = {ac_task_future(s->c), ac_task_future(s->d), ac_task_future(s->c)};
    if ((rc = ac_wait(loop_of(t), items, 3, AC_WAIT_FIRST_EXCEPTION, AC_NO_TIMEOUT, &s->g)) < 0) return rc;
  }
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  {
    ac_task *tasks[4] = {s->a, s->b, s->c, s->d};
    trace_wait(t, "first exception: ", s->g, tasks, 4);
    printf(" count=%d\n", (int)ac_wait_done_count(s->g));
  }
  ac_future_unref(s->g);
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  ac_task_unref(s->c);
  ac_task_unref(s->d);
  AC_END(s);
}

/* 168 wait's timeout */
static int s168_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  {
    struct kid *k = kid_in(t, NULL, "A", 2, &s->a);
    k->value = 2;
    k->trace_finish = 1;
    k = kid_in(t, NULL, "B", 3, &s->b);
    k->value = 3;
    k->trace_finish = 1;
  }
  {
    ac_future *items[2] = {ac_task_future(s->a), ac_task_future(s->b)};
    if ((rc = ac_wait(loop_of(t), items, 2, AC_WAIT_FIRST_COMPLETED, 1, &s->g)) < 0) return rc;
  }
  AC_AWAIT(s, ac_task_await(t, s->g));
  AC_CHECK(t);
  {
    ac_task *tasks[2] = {s->a, s->b};
    trace_wait(t, "", s->g, tasks, 2);
    printf("\n");
  }
  ac_future_unref(s->g);
  TRACE_T(loop_of(t), "main: A cancelled=%d B cancelled=%d", ac_future_cancelled(ac_task_future(s->a)),
          ac_future_cancelled(ac_task_future(s->b)));
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->b)));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: B -> %lld", (long long)result_int(ac_task_awaited(t)));
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_END(s);
}

/* ==== as_completed (169-170) ==== */

/* 169 the same task twice */
static int s169_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  s->a = value_kid(t, "a", 2, 1);
  s->b = value_kid(t, "b", 1, 2);
  {
    ac_future *items[3] = {ac_task_future(s->a), ac_task_future(s->b), ac_task_future(s->a)};
    if ((rc = ac_as_completed_new(loop_of(t), items, 3, AC_NO_TIMEOUT, &s->it)) < 0) return rc;
  }
  for (s->n = 0;; ++s->n) {
    if ((rc = ac_as_completed_next(s->it, &s->f)) < 0) return rc;
    if (rc == 0) break;
    AC_AWAIT(s, ac_task_await_owned(t, s->f));
    AC_CHECK(t);
    TRACE_T(loop_of(t), "main: next=%lld", (long long)result_int(ac_task_awaited(t)));
  }
  TRACE_T(loop_of(t), "main: steps=%d", s->n);
  ac_as_completed_unref(s->it);
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_END(s);
}

/* 170 with a timeout */
static int s170_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  {
    struct kid *k = kid_in(t, NULL, "work 1", 1, &s->a);
    k->value = 1;
    k->trace_finish = 1;
    k = kid_in(t, NULL, "work 2", 3, &s->b);
    k->value = 2;
    k->trace_finish = 1;
  }
  {
    ac_future *items[2] = {ac_task_future(s->a), ac_task_future(s->b)};
    if ((rc = ac_as_completed_new(loop_of(t), items, 2, 2, &s->it)) < 0) return rc;
  }
  for (;;) {
    if ((rc = ac_as_completed_next(s->it, &s->f)) < 0) return rc;
    if (rc == 0) break;
    AC_AWAIT(s, ac_task_await_owned(t, s->f));
    if (ac_task_outcome(t) == AC_ETIMEDOUT) {
      TRACE_T(loop_of(t), "main: caught %s", ac_err_name(ac_task_outcome(t)));
      break;
    }
    AC_CHECK(t);
    TRACE_T(loop_of(t), "main: next=%lld", (long long)result_int(ac_task_awaited(t)));
  }
  ac_as_completed_unref(s->it);
  TRACE_T(loop_of(t), "main: B cancelled=%d", ac_future_cancelled(ac_task_future(s->b)));
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->b)));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: B -> %lld", (long long)result_int(ac_task_awaited(t)));
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_END(s);
}

/* ==== shield (171-172) ==== */

/* 171 the awaiter cancelled */
static int s171_waiter(ac_task *t, void *p) {
  struct st *s = p; /* s->g: the shield, borrowed */
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_await(t, s->g));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "waiter: %s", ac_err_name(ac_task_outcome(t)));
  AC_CHECK(t);
  AC_END(s);
}

static int s171_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  {
    struct kid *k = kid_in(t, NULL, "work", 2, &s->a);
    k->value = 9;
    k->trace_finish = 1;
  }
  if ((rc = ac_shield(loop_of(t), ac_task_future(s->a), &s->g)) < 0) return rc;
  ((struct st *)spawn(t, s171_waiter, ST_SIZE, &s->b))->g = s->g;
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  ac_task_cancel(s->b, NULL);
  AC_AWAIT(s, ac_task_sleep(t, 0.5));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: shield cancelled=%d inner cancelling=%d done=%d", ac_future_cancelled(s->g),
          (int)ac_task_cancelling(s->a), ac_future_done(ac_task_future(s->a)));
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: inner -> %lld", (long long)result_int(ac_task_awaited(t)));
  ac_future_unref(s->g);
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_END(s);
}

/* 172 the inner task's error, then its cancellation */
static int s172_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[128];
  AC_BEGIN(s);
  s->a = failing_kid(t, NULL, "failing", 1, AC_EINVAL, "inner failed");
  if ((rc = ac_shield(loop_of(t), ac_task_future(s->a), &s->g)) < 0) return rc;
  AC_AWAIT(s, ac_task_await_owned(t, s->g));
  if (ac_task_outcome(t) == AC_EINVAL) {
    ac_error *e = ac_future_error(ac_task_awaited(t));
    TRACE_T(loop_of(t), "main: caught %s same=%d", describe(buf, sizeof buf, e),
            e == ac_future_error(ac_task_future(s->a)));
  } else if (ac_task_outcome(t) < 0) {
    return ac_task_propagate(t);
  }
  ac_task_unref(s->a);

  s->b = value_kid(t, "sleeping", 10, 0);
  if ((rc = ac_shield(loop_of(t), ac_task_future(s->b), &s->g)) < 0) return rc;
  cancel_later(t, 1, s->b);
  AC_AWAIT(s, ac_task_await(t, s->g));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "main: caught %s shield cancelled=%d", ac_err_name(ac_task_outcome(t)),
            ac_future_cancelled(s->g));
  else if (ac_task_outcome(t) < 0) return ac_task_propagate(t);
  ac_future_unref(s->g);
  ac_task_unref(s->b);
  AC_END(s);
}

/* ==== task groups (173-179) ==== */

/* Joins `tg` with the body's outcome (and, for an error, `body_error`, or
 * one made from the code) and awaits the join. */
static int join(ac_task *t, ac_taskgroup *tg, int outcome, ac_error *body_error) {
  ac_error *made = NULL;
  ac_future *j;
  if (outcome < 0 && outcome != AC_ECANCELLED && body_error == NULL) {
    ac_error_new(outcome, NULL, NULL, &made);
    body_error = made;
  }
  int rc = ac_taskgroup_join(tg, outcome, outcome < 0 && outcome != AC_ECANCELLED ? body_error : NULL, &j);
  ac_error_unref(made);
  if (rc < 0) return rc;
  return ac_task_await_owned(t, j);
}

static void trace_group(ac_task *t, const char *prefix, const ac_error *e) {
  char buf[256];
  printf("t=%lld %s%s [", ms(loop_of(t)), prefix, describe(buf, sizeof buf, e));
  for (int64_t i = 0; i < ac_error_child_count(e); ++i)
    printf("%s%s", i ? ", " : "", describe(buf, sizeof buf, ac_error_child(e, i)));
  printf("]\n");
}

/* 173 a child fails while the body awaits */
static int s173_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  {
    ac_task *k;
    kid_in(t, s->tg, "idle", 10, &k)->trace_cancel = 1;
    ac_task_unref(k);
    ac_task_unref(failing_kid(t, s->tg, "fail", 1, AC_EINVAL, "child failed"));
  }
  AC_AWAIT(s, ac_task_sleep(t, 5));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "body: cancelled, cancelling=%d", (int)ac_task_cancelling(t));
  AC_AWAIT(s, join(t, s->tg, ac_task_outcome(t), ac_future_error(ac_task_awaited(t))));
  ac_taskgroup_unref(s->tg);
  if (ac_task_outcome(t) == AC_EGROUP) trace_group(t, "main: ", ac_future_error(ac_task_awaited(t)));
  else if (ac_task_outcome(t) < 0) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "main: cancelling=%d", (int)ac_task_cancelling(t));
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: next await ran");
  AC_END(s);
}

/* 174 the body fails too */
static int s174_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  ac_task_unref(failing_kid(t, s->tg, "fail", 1, AC_EINVAL, "child failed"));
  AC_AWAIT(s, ac_task_sleep(t, 5));
  if (ac_task_outcome(t) == AC_ECANCELLED) {
    ac_error *body = NULL;
    ac_error_new(AC_ECONNRESET, "body failed", NULL, &body);
    rc = join(t, s->tg, AC_ECONNRESET, body);
    ac_error_unref(body);
    AC_AWAIT(s, rc);
  } else {
    AC_AWAIT(s, join(t, s->tg, ac_task_outcome(t), NULL));
  }
  ac_taskgroup_unref(s->tg);
  if (ac_task_outcome(t) == AC_EGROUP) trace_group(t, "main: ", ac_future_error(ac_task_awaited(t)));
  else if (ac_task_outcome(t) < 0) return ac_task_propagate(t);
  TRACE_T(loop_of(t), "main: cancelling=%d", (int)ac_task_cancelling(t));
  AC_END(s);
}

/* 175 create_task refused */
static int noop_step(ac_task *t, void *p) {
  (void)t;
  (void)p;
  return AC_STEP_DONE;
}

static void try_spawn(ac_task *t, const char *who, ac_taskgroup *tg) {
  ac_task *k = NULL;
  void *st = NULL;
  int rc = ac_taskgroup_spawn_inline(tg, noop_step, sizeof(int), 0, &k, &st);
  if (rc == 0) {
    TRACE_T(loop_of(t), "%s: created a task", who);
    ac_task_unref(k);
  } else {
    /* Python prints the reason after the group's repr; ours reads
     * "TaskGroup <reason>". */
    const char *why = ac_last_error_message(rc);
    if (strncmp(why, "TaskGroup ", 10) == 0) why += 10;
    TRACE_T(loop_of(t), "%s: refused: %s (%s)", who, ac_err_class(rc), why);
  }
}

static int s175_late(ac_task *t, void *p) {
  struct st *s = p; /* s->tg: the group, borrowed */
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 5));
  if (ac_task_outcome(t) == AC_ECANCELLED) try_spawn(t, "late", s->tg);
  AC_CHECK(t);
  AC_END(s);
}

static int s175_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  char buf[256];
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  ac_task_unref(failing_kid(t, s->tg, "fail", 1, AC_EINVAL, "child failed"));
  {
    struct st *late = NULL;
    if ((rc = ac_taskgroup_spawn_inline(s->tg, s175_late, ST_SIZE, 0, &s->a, (void **)&late)) < 0) return rc;
    late->tg = s->tg;
    ac_task_unref(s->a);
  }
  AC_AWAIT(s, join(t, s->tg, 0, NULL));
  ac_taskgroup_unref(s->tg);
  if (ac_task_outcome(t) == AC_EGROUP)
    TRACE_T(loop_of(t), "main: %s", describe(buf, sizeof buf, ac_future_error(ac_task_awaited(t))));
  else if (ac_task_outcome(t) < 0) return ac_task_propagate(t);

  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  {
    ac_task *k = NULL;
    void *st = NULL;
    if ((rc = ac_taskgroup_spawn_inline(s->tg, noop_step, sizeof(int), 0, &k, &st)) < 0) return rc;
    ac_task_unref(k);
  }
  AC_AWAIT(s, join(t, s->tg, 0, NULL));
  AC_CHECK(t);
  try_spawn(t, "main", s->tg);
  ac_taskgroup_unref(s->tg);
  AC_END(s);
}

/* 176 / 177 nested groups */
static int idle_step(ac_task *t, void *p) {
  struct kid *k = p;
  AC_BEGIN(k);
  AC_AWAIT(k, ac_task_sleep(t, 10));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "%s: cancelled", k->name);
  AC_CHECK(t);
  AC_END(k);
}

static ac_task *nested_child(ac_taskgroup *tg, const char *name, int fails) {
  ac_task *out;
  struct kid *k = NULL;
  int rc = ac_taskgroup_spawn_inline(tg, fails ? kid_step : idle_step, sizeof *k, 0, &out, (void **)&k);
  if (rc < 0) die("ac_taskgroup_spawn_inline", rc);
  k->name = name;
  k->delay = fails ? 1 : 10;
  k->code = fails ? AC_EINVAL : 0;
  k->message = name;
  return out;
}

static void cb_cancel_parent(ac_future *f, void *ud) {
  (void)f;
  ac_task_cancel(ud, NULL);
}

static int nested_step(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  s->a = nested_child(s->tg, "outer child", s->outer_fails);
  if ((rc = ac_taskgroup_new(t, &s->tg2)) < 0) return rc;
  s->b = nested_child(s->tg2, "inner child", s->inner_fails);
  if (s->outside_cancel) {
    /* The outside cancel comes right after the last child failed. */
    ac_future_add_done_callback(ac_task_future(s->inner_fails ? s->b : s->a), cb_cancel_parent,
                                ac_task_ref(t), free_task_ref);
  }
  ac_task_unref(s->a);
  ac_task_unref(s->b);
  AC_AWAIT(s, ac_task_sleep(t, 5));
  AC_AWAIT(s, join(t, s->tg2, ac_task_outcome(t), ac_future_error(ac_task_awaited(t))));
  ac_taskgroup_unref(s->tg2);
  AC_AWAIT(s, join(t, s->tg, ac_task_outcome(t), ac_future_error(ac_task_awaited(t))));
  ac_taskgroup_unref(s->tg);
  if (ac_task_outcome(t) < 0) {
    printf("t=%lld %s: ", ms(loop_of(t)), s->label);
    print_tree(ac_future_error(ac_task_awaited(t)));
    printf("\n");
  }
  TRACE_T(loop_of(t), "%s: cancelling=%d", s->label, (int)ac_task_cancelling(t));
  if (!s->outside_cancel) return AC_STEP_DONE;
  AC_AWAIT(s, ac_task_sleep(t, 0));
  if (ac_task_outcome(t) == AC_ECANCELLED) TRACE_T(loop_of(t), "%s: next await cancelled", s->label);
  else TRACE_T(loop_of(t), "%s: next await ran", s->label);
  AC_END(s);
}

static int nested_main(ac_task *t, struct st *s, int outside_cancel) {
  static const char *const labels[3] = {"inner error", "outer error", "both errors"};
  AC_BEGIN(s);
  for (s->i = 0; s->i < 3; ++s->i) {
    {
      struct st *n = spawn(t, nested_step, ST_SIZE, &s->a);
      n->label = labels[s->i];
      n->inner_fails = s->i != 1;
      n->outer_fails = s->i != 0;
      n->outside_cancel = outside_cancel;
    }
    AC_AWAIT(s, ac_task_await_owned(t, ac_task_future(s->a)));
    AC_CHECK(t);
  }
  AC_END(s);
}

static int s176_main(ac_task *t, void *p) { return nested_main(t, p, 0); }
static int s177_main(ac_task *t, void *p) { return nested_main(t, p, 1); }

/* 178 the parent cancelled while the group joins */
static int cleaning_step(ac_task *t, void *p) {
  struct kid *k = p;
  AC_BEGIN(k);
  /* A negative delay: returns at once, without awaiting anything. */
  if (k->delay >= 0) AC_AWAIT(k, ac_task_sleep(t, k->delay));
  if (ac_task_outcome(t) == AC_ECANCELLED) {
    TRACE_T(loop_of(t), "%s: cancelled, cleaning up", k->name);
    AC_AWAIT(k, ac_task_sleep(t, 0.5));
    TRACE_T(loop_of(t), "%s: cleaned up", k->name);
    return AC_ECANCELLED;
  }
  AC_CHECK(t);
  TRACE_T(loop_of(t), "%s: finished", k->name);
  AC_END(k);
}

static void cleaning_child(ac_taskgroup *tg, const char *name, double delay) {
  ac_task *out;
  struct kid *k = NULL;
  int rc = ac_taskgroup_spawn_inline(tg, cleaning_step, sizeof *k, 0, &out, (void **)&k);
  if (rc < 0) die("ac_taskgroup_spawn_inline", rc);
  k->name = name;
  k->delay = delay;
  ac_task_unref(out);
}

static int s178_parent(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  cleaning_child(s->tg, "A", 1);
  cleaning_child(s->tg, "B", 5);
  AC_AWAIT(s, join(t, s->tg, 0, NULL));
  ac_taskgroup_unref(s->tg);
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "parent: %s cancelling=%d", ac_err_name(ac_task_outcome(t)), (int)ac_task_cancelling(t));
  AC_CHECK(t);
  AC_END(s);
}

static int s178_main(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  spawn(t, s178_parent, ST_SIZE, &s->a);
  AC_AWAIT(s, ac_task_sleep(t, 2));
  AC_CHECK(t);
  ac_task_cancel(s->a, NULL);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->a)));
  if (ac_task_outcome(t) == AC_ECANCELLED)
    TRACE_T(loop_of(t), "main: parent cancelled=%d", ac_future_cancelled(ac_task_future(s->a)));
  ac_task_unref(s->a);
  AC_END(s);
}

/* 179 a child adds tasks while the group joins */
static int root_step(ac_task *t, void *p) {
  struct st *s = p; /* s->tg: the group, borrowed */
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 1));
  AC_CHECK(t);
  {
    ac_task *k;
    kid_in(t, s->tg, "leaf 1", 1, &k)->trace_finish = 1;
    ac_task_unref(k);
    kid_in(t, s->tg, "leaf 2", 2, &k)->trace_finish = 1;
    ac_task_unref(k);
  }
  TRACE_T(loop_of(t), "root: added two tasks");
  AC_END(s);
}

static int s179_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  {
    struct st *root = NULL;
    if ((rc = ac_taskgroup_spawn_inline(s->tg, root_step, ST_SIZE, 0, &s->a, (void **)&root)) < 0) return rc;
    root->tg = s->tg;
    ac_task_unref(s->a);
  }
  TRACE_T(loop_of(t), "body: done");
  AC_AWAIT(s, join(t, s->tg, 0, NULL));
  ac_taskgroup_unref(s->tg);
  AC_CHECK(t);
  TRACE_T(loop_of(t), "main: group done");
  AC_END(s);
}

const struct scenario structured_scenarios[] = {
    {"140-timeout-zero-expires-at-once", s140_main, ST_SIZE},
    {"141-timeout-past-deadline-and-negative", s141_main, ST_SIZE},
    {"142-timeout-zero-sleep-zero-raises", s142_main, ST_SIZE},
    {"143-timeout-zero-self-cancel", s143_main, ST_SIZE},
    {"144-timeout-error-cause", s144_main, ST_SIZE},
    {"145-timeout-reschedule-before-enter", s145_main, ST_SIZE},
    {"146-timeout-reenter-refused", s146_main, ST_SIZE},
    {"147-timeout-reschedule-after-exit-or-expiry", s147_main, ST_SIZE},
    {"148-timeout-swallowed-cancel", s148_main, ST_SIZE},
    {"149-timeout-reschedule-moves-deadline", s149_main, ST_SIZE},
    {"150-timeouts-nested-same-deadline", s150_main, ST_SIZE},
    {"151-timeout-while-cancelling", s151_main, ST_SIZE},
    {"152-wait-for-zero-never-starts", s152_main, ST_SIZE},
    {"153-wait-for-negative-cancels", s153_main, ST_SIZE},
    {"154-wait-for-done-task-no-suspend", s154_main, ST_SIZE},
    {"155-wait-for-coroutine-in-caller", s155_main, ST_SIZE},
    {"156-wait-for-cancelled-from-outside", s156_main, ST_SIZE},
    {"157-wait-for-inner-swallows-cancel", s157_main, ST_SIZE},
    {"158-wait-for-cleanup-error-wins", s158_main, ST_SIZE},
    {"159-wait-for-shield-zero", s159_main, ST_SIZE},
    {"160-gather-child-cancelled-alone", s160_main, ST_SIZE},
    {"161-gather-child-cancelled-return-exceptions", s161_main, ST_SIZE},
    {"162-gather-cancelled-from-outside", s162_main, ST_SIZE},
    {"163-gather-same-task-twice", s163_main, ST_SIZE},
    {"164-gather-zero", s164_main, ST_SIZE},
    {"165-gather-done-children-no-suspend", s165_main, ST_SIZE},
    {"166-wait-first-exception", s166_main, ST_SIZE},
    {"167-wait-all-completed-with-errors", s167_main, ST_SIZE},
    {"168-wait-timeout-does-not-cancel", s168_main, ST_SIZE},
    {"169-as-completed-duplicates", s169_main, ST_SIZE},
    {"170-as-completed-timeout", s170_main, ST_SIZE},
    {"171-shield-outer-cancelled-inner-goes-on", s171_main, ST_SIZE},
    {"172-shield-inner-outcome-reaches-awaiter", s172_main, ST_SIZE},
    {"173-taskgroup-child-error-while-body-awaits", s173_main, ST_SIZE},
    {"174-taskgroup-body-error-and-child-error", s174_main, ST_SIZE},
    {"175-taskgroup-create-task-refused", s175_main, ST_SIZE},
    {"176-taskgroups-nested-errors", s176_main, ST_SIZE},
    {"177-taskgroups-nested-errors-outer-cancelled", s177_main, ST_SIZE},
    {"178-taskgroup-cancelled-while-joining", s178_main, ST_SIZE},
    {"179-taskgroup-spawn-while-joining", s179_main, ST_SIZE},
    {NULL, NULL, 0},
};
