/*
 * sync.c — the C implementation of the sync scenarios numbered from 57:
 * Lock, Event, Condition, Semaphore, Barrier and the queues.
 *
 * Each scenario ports ../scenarios/NN-name.py step by step: a Python task
 * is a step function spawned with spawn(), `await asyncio.sleep(d)` is
 * ac_task_sleep, `task.cancel()` is ac_task_cancel. An awaited operation
 * whose result may be ready (a free lock, a set event, a queued item) is
 * awaited only when its future is pending (AWAIT_OP), as asyncio does not
 * suspend then. Errors are printed as asyncio's "Class: message": a code
 * returned by a call as the error made from that code, a failed future by
 * its error.
 */
#include "conformance.h"

struct st {
  AC_ASYNC_FIELDS;
  const char *name;
  const char *item; /* what a putter puts */
  double delay;
  int i, j, awaited, rc;
  int64_t v, w;
  ac_future *f;
  ac_task *t[6];
  char text[64];
};

static ac_lock *g_lock;
static ac_semaphore *g_sem;
static ac_event *g_ev;
static ac_condition *g_cond;
static ac_barrier *g_bar, *g_bar1;
static ac_queue *g_q, *g_q2;
static ac_loop *g_loop;
static int g_items;

#define T(...) TRACE_T(loop_of(t), __VA_ARGS__)

/* `call` hands out s->f for an operation asyncio awaits; it is awaited only
 * while pending. Afterwards s->rc is the outcome (0, an error code,
 * AC_ECANCELLED) and s->f the future to read and release (drop), or NULL
 * when the call itself failed (s->rc is then its code). */
#define AWAIT_OP(s, t, call)                                      \
  do {                                                            \
    (s)->f = NULL;                                                \
    (s)->rc = (call);                                             \
    if ((s)->rc < 0) {                                            \
      (s)->f = NULL;                                              \
    } else {                                                      \
      (s)->awaited = !ac_future_done((s)->f);                     \
      if ((s)->awaited) AC_AWAIT(s, ac_task_await(t, (s)->f));    \
      (s)->rc = (s)->awaited ? ac_task_outcome(t) : ac_future_result((s)->f, NULL); \
    }                                                             \
  } while (0)

/* Awaits a task (done or not); s->rc is how it ended. */
#define AWAIT_TASK(s, t, child)                                   \
  do {                                                            \
    AC_AWAIT(s, ac_task_await(t, ac_task_future(child)));         \
    (s)->rc = ac_task_outcome(t);                                 \
  } while (0)

#define SLEEP(s, t, d)                                            \
  do {                                                            \
    AC_AWAIT(s, ac_task_sleep(t, d));                             \
    AC_CHECK(t);                                                  \
  } while (0)

static void drop(struct st *s) {
  ac_future_unref(s->f);
  s->f = NULL;
}


/* The error an AWAIT_OP ended with, as "Class: message". */
static const char *describe_op(char *buf, size_t size, struct st *s) {
  ac_error *e = s->f != NULL ? ac_future_error(s->f) : NULL;
  if (e == NULL) return describe_code(buf, size, s->rc);
  describe_error(buf, size, e);
  return buf;
}

static const char *value_text(char *buf, size_t size, const ac_value *v) {
  if (v->kind == AC_VALUE_INT64)
    snprintf(buf, size, "%lld", (long long)v->u.i64);
  else if (v->kind == AC_VALUE_BYTES)
    snprintf(buf, size, "%.*s", (int)v->u.bytes.len, (const char *)v->u.bytes.data);
  else
    snprintf(buf, size, "<kind %d>", (int)v->kind);
  return buf;
}

/* The item an AWAIT_OP get completed with (s->rc == 0). */
static const char *got_text(struct st *s) {
  ac_value v;
  if (ac_future_result(s->f, &v) < 0) return "<no result>";
  return value_text(s->text, sizeof s->text, &v);
}

/* get_nowait(): the item, or the error as "Class: message". */
static const char *take_now(char *buf, size_t size) {
  ac_value v;
  int rc = ac_queue_get_nowait(g_q, &v, NULL);
  if (rc < 0) return describe_code(buf, size, rc);
  value_text(buf, size, &v);
  ac_value_clear(&v);
  return buf;
}

static ac_value int_item(int64_t i) {
  ac_value v;
  ac_value_set_int64(&v, i);
  return v;
}

static ac_value str_item(const char *s) {
  ac_value v;
  ac_value_set_bytes(&v, s, strlen(s));
  return v;
}

static int put_nowait_int(int64_t i) {
  ac_value v = int_item(i);
  return ac_queue_put_nowait(g_q, &v);
}

static int put_nowait_str(const char *s) {
  ac_value v = str_item(s);
  return ac_queue_put_nowait(g_q, &v);
}

static int put_str(const char *s, ac_future **out) {
  ac_value v = str_item(s);
  return ac_queue_put(g_q, &v, out);
}

static int put_int(int64_t i, ac_future **out) {
  ac_value v = int_item(i);
  return ac_queue_put(g_q, &v, out);
}

static struct st *child(ac_task *parent, ac_step_fn step, const char *name, double delay,
                        ac_task **out) {
  struct st *c = spawn(parent, step, sizeof(struct st), out);
  c->name = name;
  c->delay = delay;
  return c;
}

static void unref_all(struct st *s) {
  for (size_t i = 0; i < sizeof s->t / sizeof s->t[0]; ++i) {
    if (s->t[i] != NULL) ac_task_unref(s->t[i]);
    s->t[i] = NULL;
  }
}

static int done_of(ac_task *task) { return ac_future_done(ac_task_future(task)); }

/* ==== 57 Lock.release() unlocked ==== */

static int s57_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_lock_new(loop_of(t), &g_lock)) < 0) return rc;
  if ((rc = ac_lock_release(g_lock)) < 0) T("fresh lock: %s", describe_code(buf, sizeof buf, rc));
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("acquired: locked=%d", ac_lock_locked(g_lock));
  ac_lock_release(g_lock);
  T("released: locked=%d", ac_lock_locked(g_lock));
  if ((rc = ac_lock_release(g_lock)) < 0) T("released again: %s", describe_code(buf, sizeof buf, rc));
  ac_lock_unref(g_lock);
  g_lock = NULL;
  AC_END(s);
}

/* ==== 58 locked() until the woken waiter runs ==== */

static int w58_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  T("W wants");
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("W holds: locked=%d", ac_lock_locked(g_lock));
  SLEEP(s, t, 1);
  T("W releases");
  ac_lock_release(g_lock);
  AC_END(s);
}

static int s58_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_lock_new(loop_of(t), &g_lock)) < 0) return rc;
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  child(t, w58_step, "W", 0, &s->t[0]);
  SLEEP(s, t, 1);
  ac_lock_release(g_lock);
  T("main released: locked=%d", ac_lock_locked(g_lock));
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("main holds again: locked=%d", ac_lock_locked(g_lock));
  ac_lock_release(g_lock);
  AWAIT_TASK(s, t, s->t[0]);
  unref_all(s);
  ac_lock_unref(g_lock);
  g_lock = NULL;
  AC_END(s);
}

/* ==== 59 a woken lock waiter cancelled before it runs ==== */

static int holder59_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  T("%s wants", s->name);
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc == AC_ECANCELLED) {
    T("%s: cancelled", s->name);
    return ac_task_fail(t, AC_ECANCELLED, NULL);
  }
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s holds", s->name);
  SLEEP(s, t, 1);
  T("%s releases", s->name);
  ac_lock_release(g_lock);
  AC_END(s);
}

static int s59_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_lock_new(loop_of(t), &g_lock)) < 0) return rc;
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  child(t, holder59_step, "A", 0, &s->t[0]);
  child(t, holder59_step, "B", 0, &s->t[1]);
  SLEEP(s, t, 1);
  ac_lock_release(g_lock);     /* wakes A ... */
  ac_task_cancel(s->t[0], NULL); /* ... which is cancelled before it runs */
  AWAIT_TASK(s, t, s->t[0]);
  if (s->rc == AC_ECANCELLED) T("main: A ended cancelled");
  AWAIT_TASK(s, t, s->t[1]);
  T("main: locked=%d", ac_lock_locked(g_lock));
  unref_all(s);
  ac_lock_unref(g_lock);
  g_lock = NULL;
  AC_END(s);
}

/* ==== 60 ready operations do not suspend ==== */

static int other60_step(ac_task *t, void *p) {
  (void)p;
  T("other task runs");
  return AC_STEP_DONE;
}

static int pred_seven(void *ud) {
  (void)ud;
  return 7;
}

static int s60_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  child(t, other60_step, NULL, 0, &s->t[0]);
  if ((rc = ac_lock_new(loop_of(t), &g_lock)) < 0) return rc;
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("lock acquired");
  if ((rc = ac_semaphore_new(loop_of(t), 1, &g_sem)) < 0) return rc;
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("semaphore acquired");
  if ((rc = ac_event_new(loop_of(t), &g_ev)) < 0) return rc;
  ac_event_set(g_ev);
  AWAIT_OP(s, t, ac_event_wait(g_ev, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("event waited");
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 1, &g_q)) < 0) return rc;
  AWAIT_OP(s, t, put_int(5, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("put 5");
  AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
  if (s->rc < 0) return s->rc;
  T("got %s", got_text(s));
  drop(s);
  ac_queue_task_done(g_q);
  AWAIT_OP(s, t, ac_queue_join(g_q, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("joined");
  if ((rc = ac_condition_new(loop_of(t), NULL, &g_cond)) < 0) return rc;
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  AWAIT_OP(s, t, ac_condition_wait_for(g_cond, pred_seven, NULL, NULL, &s->f));
  if (s->rc < 0) return s->rc;
  ac_future_result_int64(s->f, &s->v);
  drop(s);
  T("wait_for returned %lld", (long long)s->v);
  ac_condition_release(g_cond);
  if ((rc = ac_barrier_new(loop_of(t), 1, &g_bar)) < 0) return rc;
  AWAIT_OP(s, t, ac_barrier_wait(g_bar, &s->f));
  if (s->rc < 0) return s->rc;
  ac_future_result_int64(s->f, &s->v);
  drop(s);
  T("barrier passed: index=%lld", (long long)s->v);
  AWAIT_TASK(s, t, s->t[0]);
  unref_all(s);
  ac_lock_unref(g_lock);
  g_lock = NULL;
  ac_semaphore_unref(g_sem);
  g_sem = NULL;
  ac_event_unref(g_ev);
  g_ev = NULL;
  ac_queue_unref(g_q);
  g_q = NULL;
  ac_condition_unref(g_cond);
  g_cond = NULL;
  ac_barrier_unref(g_bar);
  g_bar = NULL;
  AC_END(s);
}

/* ==== 61 clear() before the woken waiter runs ==== */

static int w61_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  T("%s waits", s->name);
  AWAIT_OP(s, t, ac_event_wait(g_ev, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s woke: is_set=%d", s->name, ac_event_is_set(g_ev));
  AC_END(s);
}

static int s61_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_event_new(loop_of(t), &g_ev)) < 0) return rc;
  child(t, w61_step, "A", 0, &s->t[0]);
  SLEEP(s, t, 1);
  ac_event_set(g_ev);
  ac_event_clear(g_ev);
  T("main: set then clear, is_set=%d", ac_event_is_set(g_ev));
  child(t, w61_step, "B", 0, &s->t[1]);
  AWAIT_TASK(s, t, s->t[0]);
  SLEEP(s, t, 1);
  ac_event_set(g_ev);
  ac_event_set(g_ev);
  T("main: set twice, is_set=%d", ac_event_is_set(g_ev));
  AWAIT_TASK(s, t, s->t[1]);
  unref_all(s);
  ac_event_unref(g_ev);
  g_ev = NULL;
  AC_END(s);
}

/* ==== 62 a wait() after set() passes first ==== */

static int w62_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  T("%s waits", s->name);
  AWAIT_OP(s, t, ac_event_wait(g_ev, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s passed", s->name);
  AC_END(s);
}

static int s62_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_event_new(loop_of(t), &g_ev)) < 0) return rc;
  child(t, w62_step, "A", 0, &s->t[0]);
  child(t, w62_step, "B", 0, &s->t[1]);
  SLEEP(s, t, 1);
  child(t, w62_step, "C", 0, &s->t[2]);
  ac_event_set(g_ev);
  T("main: set");
  for (s->i = 0; s->i < 3; ++s->i) AWAIT_TASK(s, t, s->t[s->i]);
  unref_all(s);
  ac_event_unref(g_ev);
  g_ev = NULL;
  AC_END(s);
}

/* ==== 63 a woken event waiter cancelled before it resumes ==== */

static int w63_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_event_wait(g_ev, &s->f));
  drop(s);
  if (s->rc == AC_ECANCELLED) {
    T("%s: cancelled", s->name);
    return ac_task_fail(t, AC_ECANCELLED, NULL);
  }
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s passed", s->name);
  AC_END(s);
}

static int s63_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_event_new(loop_of(t), &g_ev)) < 0) return rc;
  child(t, w63_step, "A", 0, &s->t[0]);
  child(t, w63_step, "B", 0, &s->t[1]);
  SLEEP(s, t, 1);
  ac_event_set(g_ev);
  ac_task_cancel(s->t[0], NULL);
  AWAIT_TASK(s, t, s->t[0]);
  if (s->rc == AC_ECANCELLED) T("main: A ended cancelled");
  AWAIT_TASK(s, t, s->t[1]);
  T("main: is_set=%d", ac_event_is_set(g_ev));
  unref_all(s);
  ac_event_unref(g_ev);
  g_ev = NULL;
  AC_END(s);
}

/* ==== 64 / 65 Condition.notify(n), notify_all() ==== */

/* async with cond: trace waits; await cond.wait(); trace woke (s->i: with
 * locked(), s->j: "notified" instead). */
static int cond_waiter_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s waits", s->name);
  AWAIT_OP(s, t, ac_condition_wait(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) {
    if (s->rc != AC_ECLOSED) ac_condition_release(g_cond);
    return ac_task_fail(t, s->rc, NULL);
  }
  if (s->i)
    T("%s woke: locked=%d", s->name, ac_condition_locked(g_cond));
  else if (s->j)
    T("%s notified", s->name);
  else
    T("%s woke", s->name);
  ac_condition_release(g_cond);
  AC_END(s);
}

static int s64_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_condition_new(loop_of(t), NULL, &g_cond)) < 0) return rc;
  child(t, cond_waiter_step, "A", 0, &s->t[0])->i = 1;
  child(t, cond_waiter_step, "B", 0, &s->t[1])->i = 1;
  child(t, cond_waiter_step, "C", 0, &s->t[2])->i = 1;
  SLEEP(s, t, 1);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  ac_condition_notify(g_cond, 1);
  T("main: notify(1)");
  SLEEP(s, t, 1);
  T("main: releases");
  ac_condition_release(g_cond);
  SLEEP(s, t, 1);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  ac_condition_notify(g_cond, 5);
  T("main: notify(5)");
  ac_condition_release(g_cond);
  for (s->i = 0; s->i < 3; ++s->i) AWAIT_TASK(s, t, s->t[s->i]);
  T("main: locked=%d", ac_condition_locked(g_cond));
  unref_all(s);
  ac_condition_unref(g_cond);
  g_cond = NULL;
  AC_END(s);
}

static int s65_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_condition_new(loop_of(t), NULL, &g_cond)) < 0) return rc;
  child(t, cond_waiter_step, "A", 0, &s->t[0]);
  child(t, cond_waiter_step, "B", 0, &s->t[1]);
  SLEEP(s, t, 1);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  ac_condition_notify_all(g_cond);
  T("main: notify_all");
  child(t, cond_waiter_step, "C", 0, &s->t[2]);
  ac_condition_release(g_cond);
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_TASK(s, t, s->t[1]);
  SLEEP(s, t, 1);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  ac_condition_notify_all(g_cond);
  T("main: notify_all again");
  ac_condition_release(g_cond);
  AWAIT_TASK(s, t, s->t[2]);
  unref_all(s);
  ac_condition_unref(g_cond);
  g_cond = NULL;
  AC_END(s);
}

/* ==== 66 Condition.wait_for() ==== */

static int pred_two_items(void *ud) {
  (void)ud;
  TRACE_T(g_loop, "predicate: %d items", g_items);
  return g_items >= 2 ? g_items : 0;
}

static int consumer66_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  AWAIT_OP(s, t, ac_condition_wait_for(g_cond, pred_two_items, NULL, NULL, &s->f));
  if (s->rc == 0) ac_future_result_int64(s->f, &s->v);
  drop(s);
  if (s->rc < 0) {
    if (s->rc != AC_ECLOSED) ac_condition_release(g_cond);
    return ac_task_fail(t, s->rc, NULL);
  }
  T("consumer: wait_for returned %lld, locked=%d", (long long)s->v, ac_condition_locked(g_cond));
  ac_condition_release(g_cond);
  AC_END(s);
}

static int s66_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  g_loop = loop_of(t);
  if ((rc = ac_condition_new(loop_of(t), NULL, &g_cond)) < 0) return rc;
  child(t, consumer66_step, NULL, 0, &s->t[0]);
  for (s->i = 0; s->i < 2; ++s->i) {
    SLEEP(s, t, 1);
    AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
    drop(s);
    if (s->rc < 0) return s->rc;
    ++g_items;
    ac_condition_notify(g_cond, 1);
    T("main: added item %d", s->i);
    ac_condition_release(g_cond);
  }
  AWAIT_TASK(s, t, s->t[0]);
  unref_all(s);
  ac_condition_unref(g_cond);
  g_cond = NULL;
  AC_END(s);
}

/* ==== 67 the condition's operations need its lock ==== */

static int pred_three(void *ud) {
  (void)ud;
  return 3;
}

static int pred_zero(void *ud) {
  (void)ud;
  return 0;
}

static int s67_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_condition_new(loop_of(t), NULL, &g_cond)) < 0) return rc;
  AWAIT_OP(s, t, ac_condition_wait(g_cond, &s->f));
  if (s->rc < 0) T("wait: %s", describe_op(buf, sizeof buf, s));
  drop(s);
  if ((rc = ac_condition_notify(g_cond, 1)) < 0) T("notify: %s", describe_code(buf, sizeof buf, rc));
  if ((rc = ac_condition_notify_all(g_cond)) < 0) T("notify_all: %s", describe_code(buf, sizeof buf, rc));
  AWAIT_OP(s, t, ac_condition_wait_for(g_cond, pred_three, NULL, NULL, &s->f));
  if (s->rc == 0) {
    ac_future_result_int64(s->f, &s->v);
    T("wait_for(true) returned %lld, locked=%d", (long long)s->v, ac_condition_locked(g_cond));
  } else {
    T("wait_for(true): %s", describe_op(buf, sizeof buf, s));
  }
  drop(s);
  AWAIT_OP(s, t, ac_condition_wait_for(g_cond, pred_zero, NULL, NULL, &s->f));
  if (s->rc < 0) T("wait_for(false): %s", describe_op(buf, sizeof buf, s));
  drop(s);
  ac_condition_unref(g_cond);
  g_cond = NULL;
  AC_END(s);
}

/* ==== 68 a cancelled wait() takes the lock back first ==== */

static int w68_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("W waits");
  AWAIT_OP(s, t, ac_condition_wait(g_cond, &s->f));
  drop(s);
  if (s->rc == AC_ECANCELLED) T("W cancelled: locked=%d", ac_condition_locked(g_cond));
  if (s->rc != AC_ECLOSED) ac_condition_release(g_cond);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  AC_END(s);
}

static int s68_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_condition_new(loop_of(t), NULL, &g_cond)) < 0) return rc;
  child(t, w68_step, NULL, 0, &s->t[0]);
  SLEEP(s, t, 1);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("main holds the lock; cancels W");
  ac_task_cancel(s->t[0], NULL);
  SLEEP(s, t, 1);
  T("main releases");
  ac_condition_release(g_cond);
  AWAIT_TASK(s, t, s->t[0]);
  if (s->rc == AC_ECANCELLED) T("main: W ended cancelled");
  T("main: locked=%d", ac_condition_locked(g_cond));
  unref_all(s);
  ac_condition_unref(g_cond);
  g_cond = NULL;
  AC_END(s);
}

/* ==== 69 a notified waiter cancelled before it resumes passes it on ==== */

static int w69_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s waits", s->name);
  AWAIT_OP(s, t, ac_condition_wait(g_cond, &s->f));
  drop(s);
  if (s->rc == AC_ECANCELLED) T("%s: cancelled", s->name);
  else if (s->rc == 0) T("%s notified", s->name);
  if (s->rc != AC_ECLOSED) ac_condition_release(g_cond);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  AC_END(s);
}

static int s69_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_condition_new(loop_of(t), NULL, &g_cond)) < 0) return rc;
  child(t, w69_step, "A", 0, &s->t[0]);
  child(t, w69_step, "B", 0, &s->t[1]);
  SLEEP(s, t, 1);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  ac_condition_notify(g_cond, 1);
  ac_task_cancel(s->t[0], NULL);
  T("main: notify(1), cancel A");
  ac_condition_release(g_cond);
  SLEEP(s, t, 1);
  T("main: B done=%d", done_of(s->t[1]));
  if (!done_of(s->t[1])) {
    AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
    drop(s);
    if (s->rc < 0) return s->rc;
    ac_condition_notify_all(g_cond);
    ac_condition_release(g_cond);
  }
  AWAIT_TASK(s, t, s->t[0]);
  if (s->rc == AC_ECANCELLED) T("main: A ended cancelled");
  AWAIT_TASK(s, t, s->t[1]);
  unref_all(s);
  ac_condition_unref(g_cond);
  g_cond = NULL;
  AC_END(s);
}

/* ==== 70 a Condition over a given Lock ==== */

static int s70_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_lock_new(loop_of(t), &g_lock)) < 0) return rc;
  if ((rc = ac_condition_new(loop_of(t), g_lock, &g_cond)) < 0) return rc;
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("lock held: cond.locked=%d", ac_condition_locked(g_cond));
  ac_lock_release(g_lock);
  AWAIT_OP(s, t, ac_condition_acquire(g_cond, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("cond held: lock.locked=%d", ac_lock_locked(g_lock));
  ac_condition_release(g_cond);
  child(t, cond_waiter_step, "W", 0, &s->t[0])->j = 1;
  SLEEP(s, t, 1);
  T("W waiting: lock.locked=%d", ac_lock_locked(g_lock));
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  ac_condition_notify(g_cond, 1);
  T("main: notify under the lock");
  ac_lock_release(g_lock);
  AWAIT_TASK(s, t, s->t[0]);
  T("main: lock.locked=%d", ac_lock_locked(g_lock));
  unref_all(s);
  ac_condition_unref(g_cond);
  g_cond = NULL;
  ac_lock_unref(g_lock);
  g_lock = NULL;
  AC_END(s);
}

/* ==== 71 Semaphore value errors ==== */

static int s71_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  int rc;
  AC_BEGIN(s);
  {
    ac_semaphore *bad = NULL;
    if ((rc = ac_semaphore_new(loop_of(t), -1, &bad)) < 0)
      T("Semaphore(-1): %s", describe_code(buf, sizeof buf, rc));
    ac_semaphore_unref(bad);
  }
  if ((rc = ac_semaphore_new_bounded(loop_of(t), 2, &g_sem)) < 0) return rc;
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  ac_semaphore_release(g_sem);
  T("acquired and released: locked=%d", ac_semaphore_locked(g_sem));
  if ((rc = ac_semaphore_release(g_sem)) < 0) T("extra release: %s", describe_code(buf, sizeof buf, rc));
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("one taken: locked=%d", ac_semaphore_locked(g_sem));
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("two taken: locked=%d", ac_semaphore_locked(g_sem));
  ac_semaphore_unref(g_sem);
  g_sem = NULL;
  AC_END(s);
}

/* ==== 72 release and re-acquire queues behind the waiters ==== */

static int repeat72_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("A holds");
  SLEEP(s, t, 1);
  ac_semaphore_release(g_sem);
  T("A released: locked=%d", ac_semaphore_locked(g_sem));
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("A holds again");
  SLEEP(s, t, 1);
  ac_semaphore_release(g_sem);
  AC_END(s);
}

static int once72_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s holds", s->name);
  SLEEP(s, t, 1);
  ac_semaphore_release(g_sem);
  AC_END(s);
}

static int s72_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_semaphore_new(loop_of(t), 1, &g_sem)) < 0) return rc;
  child(t, repeat72_step, "A", 0, &s->t[0]);
  child(t, once72_step, "B", 0, &s->t[1]);
  child(t, once72_step, "C", 0, &s->t[2]);
  for (s->i = 0; s->i < 3; ++s->i) AWAIT_TASK(s, t, s->t[s->i]);
  T("main: locked=%d", ac_semaphore_locked(g_sem));
  unref_all(s);
  ac_semaphore_unref(g_sem);
  g_sem = NULL;
  AC_END(s);
}

/* ==== 73 locked while woken waiters have not run ==== */

static int late73_step(ac_task *t, void *p) {
  (void)p;
  T("D runs");
  return AC_STEP_DONE;
}

static int first73_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("A acquired");
  spawn(t, late73_step, sizeof(struct st), NULL);
  AC_END(s);
}

static int releaser73_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  ac_semaphore_release(g_sem);
  ac_semaphore_release(g_sem);
  ac_semaphore_release(g_sem);
  T("R released three: locked=%d", ac_semaphore_locked(g_sem));
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("R acquired");
  AC_END(s);
}

static int newcomer73_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("B acquired");
  AC_END(s);
}

static int s73_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_semaphore_new(loop_of(t), 0, &g_sem)) < 0) return rc;
  child(t, first73_step, "A", 0, &s->t[0]);
  SLEEP(s, t, 1);
  child(t, releaser73_step, "R", 0, &s->t[1]);
  child(t, newcomer73_step, "B", 0, &s->t[2]);
  SLEEP(s, t, 1);
  T("main: locked=%d", ac_semaphore_locked(g_sem));
  unref_all(s);
  ac_semaphore_unref(g_sem);
  g_sem = NULL;
  AC_END(s);
}

/* ==== 74 / 75 cancelled semaphore waiters ==== */

static int sem_worker_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc == AC_ECANCELLED) {
    T("%s: cancelled", s->name);
    return ac_task_fail(t, AC_ECANCELLED, NULL);
  }
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s acquired", s->name);
  AC_END(s);
}

static int s74_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_semaphore_new(loop_of(t), 0, &g_sem)) < 0) return rc;
  child(t, sem_worker_step, "A", 0, &s->t[0]);
  child(t, sem_worker_step, "B", 0, &s->t[1]);
  SLEEP(s, t, 1);
  ac_semaphore_release(g_sem);   /* wakes A ... */
  ac_task_cancel(s->t[0], NULL); /* ... which is cancelled before it runs */
  AWAIT_TASK(s, t, s->t[0]);
  if (s->rc == AC_ECANCELLED) T("main: A ended cancelled");
  AWAIT_TASK(s, t, s->t[1]);
  T("main: locked=%d", ac_semaphore_locked(g_sem));
  ac_semaphore_release(g_sem);
  T("main: released, locked=%d", ac_semaphore_locked(g_sem));
  unref_all(s);
  ac_semaphore_unref(g_sem);
  g_sem = NULL;
  AC_END(s);
}

static int s75_main(ac_task *t, void *p) {
  struct st *s = p;
  static const char *const names[4] = {"A", "B", "C", "D"};
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_semaphore_new(loop_of(t), 0, &g_sem)) < 0) return rc;
  for (int k = 0; k < 4; ++k) child(t, sem_worker_step, names[k], 0, &s->t[k]);
  SLEEP(s, t, 1);
  ac_task_cancel(s->t[0], NULL);
  ac_task_cancel(s->t[1], NULL);
  ac_semaphore_release(g_sem);
  SLEEP(s, t, 1);
  T("main: C done=%d D done=%d", done_of(s->t[2]), done_of(s->t[3]));
  ac_semaphore_release(g_sem);
  for (s->i = 0; s->i < 4; ++s->i) AWAIT_TASK(s, t, s->t[s->i]);
  T("main: locked=%d", ac_semaphore_locked(g_sem));
  unref_all(s);
  ac_semaphore_unref(g_sem);
  g_sem = NULL;
  AC_END(s);
}

/* ==== 76 two releases wake the first two waiters ==== */

static int w76_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  T("%s wants", s->name);
  AWAIT_OP(s, t, ac_semaphore_acquire(g_sem, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s acquired", s->name);
  AC_END(s);
}

static int s76_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_semaphore_new(loop_of(t), 0, &g_sem)) < 0) return rc;
  child(t, w76_step, "A", 0, &s->t[0]);
  child(t, w76_step, "B", 0, &s->t[1]);
  SLEEP(s, t, 1);
  ac_semaphore_release(g_sem);
  child(t, w76_step, "X", 0, &s->t[2]);
  ac_semaphore_release(g_sem);
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_TASK(s, t, s->t[1]);
  SLEEP(s, t, 1);
  T("main: X done=%d", done_of(s->t[2]));
  ac_semaphore_release(g_sem);
  AWAIT_TASK(s, t, s->t[2]);
  unref_all(s);
  ac_semaphore_unref(g_sem);
  g_sem = NULL;
  AC_END(s);
}

/* ==== 77-83 Barrier ==== */

/* sleep(delay) unless 0; [trace arrives]; index = await b.wait(); trace
 * passed. s->i: 1 to trace the arrival; s->j: 1 to report a cancellation,
 * 2 to report a BrokenBarrierError (and end normally). */
static int party_step(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  AC_BEGIN(s);
  if (s->delay > 0) SLEEP(s, t, s->delay);
  if (s->i) T("%s arrives: n_waiting=%lld", s->name, (long long)ac_barrier_n_waiting(g_bar));
  AWAIT_OP(s, t, ac_barrier_wait(g_bar, &s->f));
  if (s->rc == 0) ac_future_result_int64(s->f, &s->v);
  if (s->rc == AC_ECANCELLED && s->j == 1) {
    drop(s);
    T("%s: cancelled", s->name);
    return ac_task_fail(t, AC_ECANCELLED, NULL);
  }
  if (s->rc < 0 && s->j == 2) {
    T("%s: %s", s->name, describe_op(buf, sizeof buf, s));
    drop(s);
    return AC_STEP_DONE;
  }
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s passed: index=%lld", s->name, (long long)s->v);
  AC_END(s);
}

static struct st *party(ac_task *parent, const char *name, double delay, int arrive, int report,
                        ac_task **out) {
  struct st *c = child(parent, party_step, name, delay, out);
  c->i = arrive;
  c->j = report;
  return c;
}

static int s77_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_barrier_new(loop_of(t), 3, &g_bar)) < 0) return rc;
  party(t, "A", 2, 1, 0, &s->t[0]);
  party(t, "B", 1, 1, 0, &s->t[1]);
  party(t, "C", 3, 1, 0, &s->t[2]);
  for (s->i = 0; s->i < 3; ++s->i) AWAIT_TASK(s, t, s->t[s->i]);
  T("main: parties=%lld n_waiting=%lld broken=%d", (long long)ac_barrier_parties(g_bar),
    (long long)ac_barrier_n_waiting(g_bar), ac_barrier_broken(g_bar));
  if ((rc = ac_barrier_new(loop_of(t), 1, &g_bar1)) < 0) return rc;
  AWAIT_OP(s, t, ac_barrier_wait(g_bar1, &s->f));
  if (s->rc < 0) return s->rc;
  ac_future_result_int64(s->f, &s->v);
  drop(s);
  AWAIT_OP(s, t, ac_barrier_wait(g_bar1, &s->f));
  if (s->rc < 0) return s->rc;
  ac_future_result_int64(s->f, &s->w);
  drop(s);
  T("main: Barrier(1) passed twice: index=%lld, %lld", (long long)s->v, (long long)s->w);
  unref_all(s);
  ac_barrier_unref(g_bar);
  g_bar = NULL;
  ac_barrier_unref(g_bar1);
  g_bar1 = NULL;
  AC_END(s);
}

static int s78_main(ac_task *t, void *p) {
  struct st *s = p;
  static const char *const names[4] = {"A", "B", "C", "D"};
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_barrier_new(loop_of(t), 2, &g_bar)) < 0) return rc;
  for (int k = 0; k < 4; ++k) party(t, names[k], 0, 1, 0, &s->t[k]);
  for (s->i = 0; s->i < 4; ++s->i) AWAIT_TASK(s, t, s->t[s->i]);
  T("main: n_waiting=%lld broken=%d", (long long)ac_barrier_n_waiting(g_bar), ac_barrier_broken(g_bar));
  unref_all(s);
  ac_barrier_unref(g_bar);
  g_bar = NULL;
  AC_END(s);
}

static int s79_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_barrier_new(loop_of(t), 3, &g_bar)) < 0) return rc;
  party(t, "A", 0, 0, 1, &s->t[0]);
  party(t, "X", 1, 0, 1, &s->t[1]);
  SLEEP(s, t, 2);
  T("main: n_waiting=%lld, cancels X", (long long)ac_barrier_n_waiting(g_bar));
  ac_task_cancel(s->t[1], NULL);
  AWAIT_TASK(s, t, s->t[1]);
  T("main: n_waiting=%lld", (long long)ac_barrier_n_waiting(g_bar));
  party(t, "C", 1, 0, 1, &s->t[2]);
  party(t, "D", 2, 0, 1, &s->t[3]);
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_TASK(s, t, s->t[2]);
  AWAIT_TASK(s, t, s->t[3]);
  T("main: n_waiting=%lld broken=%d", (long long)ac_barrier_n_waiting(g_bar), ac_barrier_broken(g_bar));
  unref_all(s);
  ac_barrier_unref(g_bar);
  g_bar = NULL;
  AC_END(s);
}

static int s80_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_barrier_new(loop_of(t), 3, &g_bar)) < 0) return rc;
  party(t, "A", 0, 0, 2, &s->t[0]);
  party(t, "B", 0, 0, 2, &s->t[1]);
  SLEEP(s, t, 1);
  ac_barrier_abort(g_bar);
  T("main: aborted, broken=%d n_waiting=%lld", ac_barrier_broken(g_bar),
    (long long)ac_barrier_n_waiting(g_bar));
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_TASK(s, t, s->t[1]);
  AWAIT_OP(s, t, ac_barrier_wait(g_bar, &s->f));
  if (s->rc < 0) T("main: later wait: %s", describe_op(buf, sizeof buf, s));
  drop(s);
  unref_all(s);
  ac_barrier_unref(g_bar);
  g_bar = NULL;
  AC_END(s);
}

static int s81_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_barrier_new(loop_of(t), 3, &g_bar)) < 0) return rc;
  party(t, "A", 0, 0, 2, &s->t[0]);
  party(t, "B", 0, 0, 2, &s->t[1]);
  SLEEP(s, t, 1);
  ac_barrier_reset(g_bar);
  T("main: reset");
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_TASK(s, t, s->t[1]);
  T("main: broken=%d n_waiting=%lld", ac_barrier_broken(g_bar), (long long)ac_barrier_n_waiting(g_bar));
  party(t, "X", 1, 0, 2, &s->t[2]);
  party(t, "Y", 2, 0, 2, &s->t[3]);
  party(t, "Z", 3, 0, 2, &s->t[4]);
  for (s->i = 2; s->i < 5; ++s->i) AWAIT_TASK(s, t, s->t[s->i]);
  unref_all(s);
  ac_barrier_unref(g_bar);
  g_bar = NULL;
  AC_END(s);
}

static int s82_main(ac_task *t, void *p) {
  struct st *s = p;
  static const int64_t bad[2] = {0, -4};
  char buf[160];
  int rc;
  AC_BEGIN(s);
  for (int k = 0; k < 2; ++k) {
    ac_barrier *b = NULL;
    if ((rc = ac_barrier_new(loop_of(t), bad[k], &b)) < 0)
      T("Barrier(%lld): %s", (long long)bad[k], describe_code(buf, sizeof buf, rc));
    ac_barrier_unref(b);
  }
  if ((rc = ac_barrier_new(loop_of(t), 1, &g_bar)) < 0) return rc;
  T("Barrier(1): parties=%lld", (long long)ac_barrier_parties(g_bar));
  ac_barrier_unref(g_bar);
  g_bar = NULL;
  AC_END(s);
}

static int s83_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_barrier_new(loop_of(t), 2, &g_bar)) < 0) return rc;
  party(t, "A", 0, 0, 1, &s->t[0]);
  SLEEP(s, t, 1);
  AWAIT_OP(s, t, ac_barrier_wait(g_bar, &s->f));
  if (s->rc < 0) return s->rc;
  ac_future_result_int64(s->f, &s->v);
  drop(s);
  T("main passed: index=%lld; cancels A", (long long)s->v);
  ac_task_cancel(s->t[0], NULL);
  AWAIT_TASK(s, t, s->t[0]);
  if (s->rc == AC_ECANCELLED) T("main: A ended cancelled");
  T("main: broken=%d n_waiting=%lld", ac_barrier_broken(g_bar), (long long)ac_barrier_n_waiting(g_bar));
  party(t, "C", 0, 0, 1, &s->t[1]);
  SLEEP(s, t, 1);
  AWAIT_OP(s, t, ac_barrier_wait(g_bar, &s->f));
  if (s->rc < 0) return s->rc;
  ac_future_result_int64(s->f, &s->v);
  drop(s);
  T("main passed again: index=%lld", (long long)s->v);
  AWAIT_TASK(s, t, s->t[1]);
  unref_all(s);
  ac_barrier_unref(g_bar);
  g_bar = NULL;
  AC_END(s);
}

/* ==== 84-96 queues ==== */

/* await q.put(item); s->i: 1 to trace qsize; s->j: 1 to report a
 * cancellation. */
static int putter_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, put_str(s->item, &s->f));
  drop(s);
  if (s->rc == AC_ECANCELLED && s->j) {
    if (s->i)
      T("%s: cancelled, qsize=%lld", s->name, (long long)ac_queue_qsize(g_q));
    else
      T("%s: cancelled", s->name);
    return ac_task_fail(t, AC_ECANCELLED, NULL);
  }
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  if (s->i)
    T("%s: put %s, qsize=%lld", s->name, s->item, (long long)ac_queue_qsize(g_q));
  else
    T("%s: put %s", s->name, s->item);
  AC_END(s);
}

static struct st *putter(ac_task *parent, const char *name, const char *item, int qsize,
                         int report, ac_task **out) {
  struct st *c = child(parent, putter_step, name, 0, out);
  c->item = item;
  c->i = qsize;
  c->j = report;
  return c;
}

/* v = await q.get(); s->i: 1 to trace qsize on cancellation; s->j: 1 to
 * report a cancellation. */
static int getter_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
  if (s->rc == AC_ECANCELLED && s->j) {
    drop(s);
    if (s->i)
      T("%s: cancelled, qsize=%lld", s->name, (long long)ac_queue_qsize(g_q));
    else
      T("%s: cancelled", s->name);
    return ac_task_fail(t, AC_ECANCELLED, NULL);
  }
  if (s->rc < 0) {
    drop(s);
    return ac_task_fail(t, s->rc, NULL);
  }
  T("%s: got %s", s->name, got_text(s));
  drop(s);
  AC_END(s);
}

static struct st *getter(ac_task *parent, const char *name, int qsize, int report, ac_task **out) {
  struct st *c = child(parent, getter_step, name, 0, out);
  c->i = qsize;
  c->j = report;
  return c;
}

static int s84_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 1, &g_q)) < 0) return rc;
  put_nowait_str("x");
  putter(t, "P1", "a", 1, 1, &s->t[0]);
  putter(t, "P2", "b", 1, 1, &s->t[1]);
  SLEEP(s, t, 1);
  T("main: got %s", take_now(buf, sizeof buf)); /* frees the slot: P1 is woken ... */
  ac_task_cancel(s->t[0], NULL);                /* ... and cancelled before it runs */
  SLEEP(s, t, 1);
  T("main: P1 cancelled=%d P2 done=%d, qsize=%lld", ac_future_cancelled(ac_task_future(s->t[0])),
    done_of(s->t[1]), (long long)ac_queue_qsize(g_q));
  putter(t, "P1 again", "a", 1, 1, &s->t[2]);
  SLEEP(s, t, 1);
  T("main: got %s", take_now(buf, sizeof buf));
  SLEEP(s, t, 1);
  take_now(buf, sizeof buf);
  T("main: got %s, qsize=%lld", buf, (long long)ac_queue_qsize(g_q));
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int s85_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_q)) < 0) return rc;
  getter(t, "G", 1, 1, &s->t[0]);
  SLEEP(s, t, 1);
  put_nowait_int(1); /* wakes G ... */
  put_nowait_int(2);
  ac_task_cancel(s->t[0], NULL); /* ... which is cancelled before it runs */
  AWAIT_TASK(s, t, s->t[0]);
  if (s->rc == AC_ECANCELLED) T("main: G ended cancelled");
  getter(t, "G2", 1, 1, &s->t[1]);
  AWAIT_TASK(s, t, s->t[1]);
  getter(t, "G3", 1, 1, &s->t[2]);
  AWAIT_TASK(s, t, s->t[2]);
  T("main: qsize=%lld", (long long)ac_queue_qsize(g_q));
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int s86_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_q)) < 0) return rc;
  getter(t, "G", 0, 0, &s->t[0]);
  SLEEP(s, t, 1);
  put_nowait_int(1);
  {
    ac_value v;
    char buf[64];
    rc = ac_queue_get_nowait(g_q, &v, NULL);
    if (rc == 0) {
      T("main: get_nowait -> %s", value_text(buf, sizeof buf, &v));
      ac_value_clear(&v);
    } else if (rc == AC_EEMPTY) {
      T("main: get_nowait -> QueueEmpty");
    } else {
      return rc;
    }
  }
  SLEEP(s, t, 1);
  T("main: G done=%d, qsize=%lld", done_of(s->t[0]), (long long)ac_queue_qsize(g_q));
  put_nowait_int(2);
  AWAIT_TASK(s, t, s->t[0]);
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int p87_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, put_str("p", &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("P: put p, qsize=%lld", (long long)ac_queue_qsize(g_q));
  AC_END(s);
}

static int s87_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 1, &g_q)) < 0) return rc;
  put_nowait_str("x");
  child(t, p87_step, "P", 0, &s->t[0]);
  SLEEP(s, t, 1);
  T("main: got %s", take_now(buf, sizeof buf));
  rc = put_nowait_str("m");
  if (rc == 0)
    T("main: put_nowait m done");
  else if (rc == AC_EFULL)
    T("main: put_nowait m -> QueueFull");
  else
    return rc;
  SLEEP(s, t, 1);
  {
    int done = done_of(s->t[0]);
    T("main: P done=%d, got %s", done, take_now(buf, sizeof buf));
  }
  AWAIT_TASK(s, t, s->t[0]);
  T("main: got %s", take_now(buf, sizeof buf));
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int s88_main(ac_task *t, void *p) {
  struct st *s = p;
  static const int64_t sizes[2] = {0, -1};
  int rc;
  AC_BEGIN(s);
  for (s->j = 0; s->j < 2; ++s->j) {
    /* The C API takes the bound as a size_t: a negative maxsize arrives as
     * its two's complement. */
    if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, (size_t)sizes[s->j], &g_q)) < 0) return rc;
    for (s->i = 0; s->i < 5; ++s->i) {
      AWAIT_OP(s, t, put_int(s->i, &s->f));
      drop(s);
      if (s->rc < 0) return s->rc;
    }
    if ((rc = put_nowait_int(5)) < 0) return rc;
    T("Queue(%lld): maxsize=%lld qsize=%lld full=%d", (long long)sizes[s->j],
      (long long)ac_queue_maxsize(g_q), (long long)ac_queue_qsize(g_q), ac_queue_full(g_q));
    ac_queue_unref(g_q);
    g_q = NULL;
  }
  AC_END(s);
}

static int s89_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 1, &g_q)) < 0) return rc;
  {
    ac_value v;
    if ((rc = ac_queue_get_nowait(g_q, &v, NULL)) < 0)
      T("get_nowait on empty: %s", describe_code(buf, sizeof buf, rc));
    else
      ac_value_clear(&v);
  }
  put_nowait_int(1);
  if ((rc = put_nowait_int(2)) < 0)
    T("put_nowait on full: %s, qsize=%lld", describe_code(buf, sizeof buf, rc),
      (long long)ac_queue_qsize(g_q));
  T("got %s", take_now(buf, sizeof buf));
  ac_queue_task_done(g_q);
  if ((rc = ac_queue_task_done(g_q)) < 0) T("task_done again: %s", describe_code(buf, sizeof buf, rc));
  AWAIT_OP(s, t, ac_queue_join(g_q, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("joined");
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int p90_step(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  AC_BEGIN(s);
  AWAIT_OP(s, t, put_str("b", &s->f));
  if (s->rc < 0 && s->rc != AC_ECANCELLED) T("P: %s", describe_op(buf, sizeof buf, s));
  drop(s);
  if (s->rc == AC_ECANCELLED) return ac_task_fail(t, AC_ECANCELLED, NULL);
  AC_END(s);
}

static int joiner_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_queue_join(g_q, &s->f));
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("%s: joined", s->name);
  AC_END(s);
}

static int s90_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 1, &g_q)) < 0) return rc;
  put_nowait_str("a");
  child(t, p90_step, "P", 0, &s->t[0]);
  child(t, joiner_step, "J", 0, &s->t[1]);
  SLEEP(s, t, 1);
  ac_queue_shutdown(g_q, 0);
  T("main: shut down, qsize=%lld", (long long)ac_queue_qsize(g_q));
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
  if (s->rc < 0) return s->rc;
  T("main: got %s", got_text(s));
  drop(s);
  AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
  if (s->rc < 0) T("main: get: %s", describe_op(buf, sizeof buf, s));
  drop(s);
  {
    ac_value v;
    if ((rc = ac_queue_get_nowait(g_q, &v, NULL)) < 0)
      T("main: get_nowait: %s", describe_code(buf, sizeof buf, rc));
    else
      ac_value_clear(&v);
  }
  if ((rc = put_nowait_str("c")) < 0) T("main: put_nowait: %s", describe_code(buf, sizeof buf, rc));
  SLEEP(s, t, 1);
  T("main: J done=%d", done_of(s->t[1]));
  ac_queue_task_done(g_q);
  AWAIT_TASK(s, t, s->t[1]);
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int s91_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_q)) < 0) return rc;
  put_nowait_str("a");
  put_nowait_str("b");
  put_nowait_str("c");
  AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
  if (s->rc < 0) return s->rc;
  T("main: got %s", got_text(s));
  drop(s);
  child(t, joiner_step, "J", 0, &s->t[0]);
  SLEEP(s, t, 1);
  ac_queue_shutdown(g_q, 1);
  T("main: shut down now, qsize=%lld", (long long)ac_queue_qsize(g_q));
  AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
  if (s->rc < 0) T("main: get: %s", describe_op(buf, sizeof buf, s));
  drop(s);
  AWAIT_OP(s, t, put_str("d", &s->f));
  if (s->rc < 0) T("main: put: %s", describe_op(buf, sizeof buf, s));
  drop(s);
  SLEEP(s, t, 1);
  T("main: J done=%d", done_of(s->t[0]));
  ac_queue_task_done(g_q);
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_OP(s, t, ac_queue_join(g_q, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("main: joined after shutdown");
  if ((rc = ac_queue_task_done(g_q)) < 0) T("main: task_done: %s", describe_code(buf, sizeof buf, rc));
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int s92_main(ac_task *t, void *p) {
  struct st *s = p;
  static const int64_t first[3] = {1, 3, 2};
  char a[64], b[64], c[64];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_LIFO, 0, &g_q)) < 0) return rc;
  getter(t, "G", 0, 0, &s->t[0]);
  SLEEP(s, t, 1);
  for (s->i = 0; s->i < 3; ++s->i) {
    AWAIT_OP(s, t, put_int(first[s->i], &s->f));
    drop(s);
    if (s->rc < 0) return s->rc;
  }
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
  if (s->rc < 0) return s->rc;
  ac_future_result_int64(s->f, &s->v);
  drop(s);
  AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
  if (s->rc < 0) return s->rc;
  ac_future_result_int64(s->f, &s->w);
  drop(s);
  T("main: got %lld, %lld", (long long)s->v, (long long)s->w);
  put_nowait_int(4);
  put_nowait_int(5);
  put_nowait_int(6);
  take_now(a, sizeof a);
  take_now(b, sizeof b);
  take_now(c, sizeof c);
  T("main: got %s, %s, %s", a, b, c);
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int s93_main(ac_task *t, void *p) {
  struct st *s = p;
  char buf[64];
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_q)) < 0) return rc;
  AWAIT_OP(s, t, ac_queue_join(g_q, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("main: join on a fresh queue returned");
  put_nowait_int(1);
  put_nowait_int(2);
  child(t, joiner_step, "J1", 0, &s->t[0]);
  child(t, joiner_step, "J2", 0, &s->t[1]);
  take_now(buf, sizeof buf);
  take_now(buf, sizeof buf);
  SLEEP(s, t, 1);
  ac_queue_task_done(g_q);
  T("main: one task_done");
  SLEEP(s, t, 1);
  ac_queue_task_done(g_q);
  T("main: second task_done");
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_TASK(s, t, s->t[1]);
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int s94_main(ac_task *t, void *p) {
  struct st *s = p;
  static const char *const names[4] = {"A", "B", "C", "D"};
  static const char *const items[4] = {"a", "b", "c", "d"};
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 1, &g_q)) < 0) return rc;
  for (int k = 0; k < 4; ++k) putter(t, names[k], items[k], 0, 1, &s->t[k]);
  SLEEP(s, t, 1);
  ac_task_cancel(s->t[2], NULL);
  SLEEP(s, t, 1);
  s->text[0] = '\0';
  for (s->i = 0; s->i < 3; ++s->i) {
    AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
    if (s->rc < 0) return s->rc;
    {
      ac_value v;
      char item[16];
      ac_future_result(s->f, &v);
      value_text(item, sizeof item, &v);
      if (s->i > 0) strncat(s->text, ", ", sizeof s->text - strlen(s->text) - 1);
      strncat(s->text, item, sizeof s->text - strlen(s->text) - 1);
    }
    drop(s);
  }
  T("main: got %s, qsize=%lld", s->text, (long long)ac_queue_qsize(g_q));
  for (s->i = 0; s->i < 4; ++s->i) AWAIT_TASK(s, t, s->t[s->i]);
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int s95_main(ac_task *t, void *p) {
  struct st *s = p;
  static const char *const names[4] = {"G1", "G2", "G3", "G4"};
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_q)) < 0) return rc;
  for (int k = 0; k < 4; ++k) getter(t, names[k], 0, 1, &s->t[k]);
  SLEEP(s, t, 1);
  ac_task_cancel(s->t[1], NULL);
  SLEEP(s, t, 1);
  put_nowait_int(10);
  put_nowait_int(20);
  put_nowait_int(30);
  for (s->i = 0; s->i < 4; ++s->i) AWAIT_TASK(s, t, s->t[s->i]);
  T("main: qsize=%lld", (long long)ac_queue_qsize(g_q));
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

static int p96_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  {
    ac_value v = str_item("one");
    AWAIT_OP(s, t, ac_queue_put_priority(g_q, 1, &v, &s->f));
  }
  drop(s);
  if (s->rc < 0) return ac_task_fail(t, s->rc, NULL);
  T("put one (priority 1), qsize=%lld", (long long)ac_queue_qsize(g_q));
  AC_END(s);
}

static int s96_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_PRIORITY, 2, &g_q)) < 0) return rc;
  {
    ac_value v = str_item("five");
    AWAIT_OP(s, t, ac_queue_put_priority(g_q, 5, &v, &s->f));
  }
  drop(s);
  if (s->rc < 0) return s->rc;
  {
    ac_value v = str_item("three");
    AWAIT_OP(s, t, ac_queue_put_priority(g_q, 3, &v, &s->f));
  }
  drop(s);
  if (s->rc < 0) return s->rc;
  child(t, p96_step, "P", 0, &s->t[0]);
  SLEEP(s, t, 1);
  T("main: full=%d", ac_queue_full(g_q));
  AWAIT_OP(s, t, ac_queue_get(g_q, &s->f));
  if (s->rc < 0) return s->rc;
  T("main: got %s", got_text(s));
  drop(s);
  AWAIT_TASK(s, t, s->t[0]);
  s->text[0] = '\0';
  while (!ac_queue_empty(g_q)) {
    char item[16];
    take_now(item, sizeof item);
    if (s->text[0] != '\0') strncat(s->text, ", ", sizeof s->text - strlen(s->text) - 1);
    strncat(s->text, item, sizeof s->text - strlen(s->text) - 1);
  }
  T("main: got %s", s->text);
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

/* ==== 97 shutdown(immediate) wakes blocked gets and puts ==== */

static int g97_step(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  AC_BEGIN(s);
  AWAIT_OP(s, t, ac_queue_get(g_q2, &s->f));
  if (s->rc == 0)
    T("G: got %s", got_text(s));
  else if (s->rc != AC_ECANCELLED)
    T("G: %s", describe_op(buf, sizeof buf, s));
  drop(s);
  if (s->rc == AC_ECANCELLED) return ac_task_fail(t, AC_ECANCELLED, NULL);
  AC_END(s);
}

static int p97_step(ac_task *t, void *p) {
  struct st *s = p;
  char buf[160];
  AC_BEGIN(s);
  AWAIT_OP(s, t, put_str("y", &s->f));
  if (s->rc == 0)
    T("P: put y");
  else if (s->rc != AC_ECANCELLED)
    T("P: %s, qsize=%lld", describe_op(buf, sizeof buf, s), (long long)ac_queue_qsize(g_q));
  drop(s);
  if (s->rc == AC_ECANCELLED) return ac_task_fail(t, AC_ECANCELLED, NULL);
  AC_END(s);
}

static int s97_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_q2)) < 0) return rc; /* empty */
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 1, &g_q)) < 0) return rc;  /* full */
  put_nowait_str("x");
  child(t, g97_step, "G", 0, &s->t[0]);
  child(t, p97_step, "P", 0, &s->t[1]);
  SLEEP(s, t, 1);
  ac_queue_shutdown(g_q2, 1);
  ac_queue_shutdown(g_q, 1);
  T("main: shut down, qsize=%lld", (long long)ac_queue_qsize(g_q));
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_TASK(s, t, s->t[1]);
  AWAIT_OP(s, t, ac_queue_join(g_q, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  T("main: joined");
  unref_all(s);
  ac_queue_unref(g_q);
  g_q = NULL;
  ac_queue_unref(g_q2);
  g_q2 = NULL;
  AC_END(s);
}

/* ==== 98 waiters abandoned by a timeout ==== */

static int lockwait98_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  if ((s->rc = ac_lock_acquire(g_lock, &s->f)) < 0) return ac_task_fail(t, s->rc, NULL);
  {
    ac_future *wf = NULL;
    int rc = ac_wait_for(loop_of(t), s->f, 1, &wf);
    drop(s);
    if (rc < 0) return ac_task_fail(t, rc, NULL);
    AC_AWAIT(s, ac_task_await_owned(t, wf));
  }
  s->rc = ac_task_outcome(t);
  if (s->rc == 0)
    T("W: acquired");
  else if (s->rc == AC_ETIMEDOUT)
    T("W: timed out, locked=%d", ac_lock_locked(g_lock));
  else
    return ac_task_fail(t, s->rc, NULL);
  AC_END(s);
}

static int getwait98_step(ac_task *t, void *p) {
  struct st *s = p;
  AC_BEGIN(s);
  if ((s->rc = ac_queue_get(g_q, &s->f)) < 0) return ac_task_fail(t, s->rc, NULL);
  {
    ac_future *wf = NULL;
    int rc = ac_wait_for(loop_of(t), s->f, 1, &wf);
    drop(s);
    if (rc < 0) return ac_task_fail(t, rc, NULL);
    AC_AWAIT(s, ac_task_await_owned(t, wf));
  }
  s->rc = ac_task_outcome(t);
  if (s->rc == 0) {
    ac_value v;
    char buf[64];
    ac_future_result(ac_task_awaited(t), &v);
    T("G: got %s", value_text(buf, sizeof buf, &v));
  } else if (s->rc == AC_ETIMEDOUT) {
    T("G: timed out, qsize=%lld", (long long)ac_queue_qsize(g_q));
  } else {
    return ac_task_fail(t, s->rc, NULL);
  }
  AC_END(s);
}

static int s98_main(ac_task *t, void *p) {
  struct st *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_lock_new(loop_of(t), &g_lock)) < 0) return rc;
  if ((rc = ac_queue_new(loop_of(t), AC_QUEUE_FIFO, 0, &g_q)) < 0) return rc;
  AWAIT_OP(s, t, ac_lock_acquire(g_lock, &s->f));
  drop(s);
  if (s->rc < 0) return s->rc;
  child(t, lockwait98_step, "W", 0, &s->t[0]);
  child(t, getwait98_step, "G", 0, &s->t[1]);
  SLEEP(s, t, 2);
  ac_lock_release(g_lock);
  put_nowait_int(7);
  T("main: released, locked=%d; put 7, qsize=%lld", ac_lock_locked(g_lock), (long long)ac_queue_qsize(g_q));
  AWAIT_TASK(s, t, s->t[0]);
  AWAIT_TASK(s, t, s->t[1]);
  unref_all(s);
  ac_lock_unref(g_lock);
  g_lock = NULL;
  ac_queue_unref(g_q);
  g_q = NULL;
  AC_END(s);
}

#define SYNC(name, fn) {name, fn, sizeof(struct st)}

const struct scenario sync_scenarios[] = {
    SYNC("57-lock-release-unlocked", s57_main),
    SYNC("58-lock-locked-until-waiter-runs", s58_main),
    SYNC("59-lock-woken-waiter-cancelled", s59_main),
    SYNC("60-ready-operations-do-not-suspend", s60_main),
    SYNC("61-event-clear-before-waiter-runs", s61_main),
    SYNC("62-event-wait-after-set-passes", s62_main),
    SYNC("63-event-woken-waiter-cancelled", s63_main),
    SYNC("64-condition-notify-n", s64_main),
    SYNC("65-condition-notify-all", s65_main),
    SYNC("66-condition-wait-for", s66_main),
    SYNC("67-condition-needs-the-lock", s67_main),
    SYNC("68-condition-cancelled-waiter-reacquires", s68_main),
    SYNC("69-condition-notified-then-cancelled", s69_main),
    SYNC("70-condition-shared-lock", s70_main),
    SYNC("71-semaphore-value-errors", s71_main),
    SYNC("72-semaphore-reacquire-queues-behind", s72_main),
    SYNC("73-semaphore-locked-while-woken-waiters", s73_main),
    SYNC("74-semaphore-woken-waiter-cancelled", s74_main),
    SYNC("75-semaphore-cancelled-waiters-skipped", s75_main),
    SYNC("76-semaphore-two-releases-first-two-waiters", s76_main),
    SYNC("77-barrier-indexes", s77_main),
    SYNC("78-barrier-draining", s78_main),
    SYNC("79-barrier-cancelled-waiter", s79_main),
    SYNC("80-barrier-abort", s80_main),
    SYNC("81-barrier-reset", s81_main),
    SYNC("82-barrier-parties-error", s82_main),
    SYNC("83-barrier-released-party-cancelled", s83_main),
    SYNC("84-queue-woken-put-cancelled", s84_main),
    SYNC("85-queue-woken-get-cancelled-keeps-order", s85_main),
    SYNC("86-queue-woken-get-not-reserved", s86_main),
    SYNC("87-queue-woken-put-not-reserved", s87_main),
    SYNC("88-queue-maxsize-not-positive", s88_main),
    SYNC("89-queue-errors", s89_main),
    SYNC("90-queue-shutdown-drains", s90_main),
    SYNC("91-queue-shutdown-immediate", s91_main),
    SYNC("92-lifo-queue-order", s92_main),
    SYNC("93-queue-join-waits-for-every-item", s93_main),
    SYNC("94-queue-put-cancelled-while-waiting", s94_main),
    SYNC("95-queue-getters-served-in-order", s95_main),
    SYNC("96-priority-queue-blocked-put", s96_main),
    SYNC("97-queue-shutdown-wakes-waiters", s97_main),
    SYNC("98-acquire-timeout-leaves-no-trace", s98_main),
    {NULL, NULL, 0},
};
