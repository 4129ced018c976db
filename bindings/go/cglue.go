package asyncore

/*
#cgo pkg-config: libasyncore
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <asyncore.h>

// The callbacks Go exports (trampolines.go); declared here so Go can take
// their addresses and hand them to the library.
extern void acgoFreeHandle(void *ud);
extern void acgoFreeBox(void *ptr);
extern void acgoCallback(ac_loop *loop, void *ud);
extern void acgoFutureDone(ac_future *fut, void *ud);
extern int acgoStepFunc(ac_task *task, void *state);
extern void acgoForeachTask(ac_task *task, void *ud);
extern int acgoPredicate(void *ud);
extern int acgoWork(void *ud, ac_value *result);
extern void acgoTSDone(ac_tsfuture *ts, void *ud);
extern void acgoServerConn(ac_server *server, ac_stream *stream, void *ud);
extern void acgoExceptionHandler(ac_loop *loop, char *message, ac_error *error,
                                 ac_future *future, void *ud);

// A token of the calling OS thread: the address of a thread-local byte.
// The goroutine holding a loop is locked to its thread, so comparing
// tokens tells whether a call comes from it, for the price of one cgo call.
static _Thread_local char acgo_thread_byte;
static inline uintptr_t acgo_thread_token(void) { return (uintptr_t)&acgo_thread_byte; }

// An address as the library's pointer type; keeps uintptr-to-pointer
// conversions on the C side of the boundary.
static inline void *acgo_ptr(uintptr_t p) { return (void *)p; }

// A bytes value over C memory (ac_value_set_bytes only borrows it).
static inline void acgo_value_set_bytes(uintptr_t v, uintptr_t data, size_t len) {
  ac_value_set_bytes((ac_value *)v, (const void *)data, len);
}

// How a value's fields come out in one crossing.
typedef struct acgo_fields {
  int64_t i;
  double d;
  uintptr_t p;
  size_t n;
} acgo_fields;

static inline int acgo_fields_of(const ac_value *v, acgo_fields *f) {
  switch (v->kind) {
  case AC_VALUE_INT64: f->i = v->u.i64; break;
  case AC_VALUE_DOUBLE: f->d = v->u.f64; break;
  case AC_VALUE_BYTES: f->p = (uintptr_t)v->u.bytes.data; f->n = v->u.bytes.len; break;
  case AC_VALUE_POINTER: f->p = (uintptr_t)v->u.pointer.ptr; break;
  default: break;
  }
  return v->kind;
}

// A done future's outcome in one crossing: ac_future_result's code, and
// the result's kind and fields when it is 0.
static inline int acgo_future_outcome(uintptr_t fut, int *kind, acgo_fields *f) {
  ac_value v;
  int rc = ac_future_result((ac_future *)fut, &v);
  if (rc == 0) *kind = acgo_fields_of(&v, f);
  return rc;
}

// How a task's last await ended, in one crossing (the hot path of every
// step of a step task): ac_task_outcome, the awaited future, and its
// result when the outcome is 0.
static inline int acgo_task_outcome(uintptr_t task, uintptr_t *awaited, int *kind,
                                    acgo_fields *f) {
  int rc = ac_task_outcome((const ac_task *)task);
  ac_future *aw = ac_task_awaited((const ac_task *)task);
  *awaited = (uintptr_t)aw;
  *kind = AC_VALUE_NONE;
  if (rc == 0 && aw != NULL && ac_future_state_of(aw) == AC_FUTURE_RESULT) {
    ac_value v;
    if (ac_future_result(aw, &v) == 0) *kind = acgo_fields_of(&v, f);
  }
  return rc;
}

// One crossing to read a value (instead of one per field through SWIG).
static inline int acgo_value_read(uintptr_t vp, int64_t *i, double *d, uintptr_t *p,
                                  size_t *n, uintptr_t *fn) {
  const ac_value *v = (const ac_value *)vp;
  switch (v->kind) {
  case AC_VALUE_INT64: *i = v->u.i64; break;
  case AC_VALUE_DOUBLE: *d = v->u.f64; break;
  case AC_VALUE_BYTES: *p = (uintptr_t)v->u.bytes.data; *n = v->u.bytes.len; break;
  case AC_VALUE_POINTER: *p = (uintptr_t)v->u.pointer.ptr; *fn = (uintptr_t)v->u.pointer.free_fn; break;
  default: break;
  }
  return v->kind;
}

// ---- Go tasks ------------------------------------------------------------
//
// A Go task is a library task whose step function is acgo_co_step below,
// in C: it never calls into Go. Its state (acgo_co) carries the request the
// task's goroutine made when it last stopped (await this future, sleep,
// yield, return this value ...), which the step carries out, and the
// record of how the task's last await ended, which the goroutine reads.
// When the task wakes, the step records the outcome, notes the task in the
// loop's list of woken Go tasks and completes the loop's slice future: the
// binding runs the loop with ac_loop_run_until_complete on that future and
// ends the run with ac_loop_interrupt,
// so the run returns before the next callback and the binding hands the
// loop to the woken task's goroutine, which runs on the thread that ran the
// loop. The step returns AC_STEP_YIELD; when the goroutine stops again, the
// task's next step carries out its new request. See co.go.

enum {
  ACGO_REQ_NONE = 0,   // the next step is a wake-up
  ACGO_REQ_AWAIT = 1,  // await fut (the state owns a reference)
  ACGO_REQ_SLEEP = 2,  // sleep delay seconds
  ACGO_REQ_YIELD = 3,  // let the ready callbacks run first
  ACGO_REQ_RETURN = 4, // finish with val
  ACGO_REQ_RAISE = 5,  // fail with err (a reference), or code when err is NULL
  ACGO_REQ_CALL = 6    // run Go code inside the step (acgoCoCall), then carry on
};

// The goroutine's stop was cut short: a wake-up is due at once.
#define ACGO_WAKE_NOW (-1)

typedef struct acgo_co acgo_co;

// A loop's Go-side scheduling state (C memory, owned by the Go Loop).
typedef struct acgo_loop {
  ac_loop *loop;
  ac_future *slice;      // the future the current run waits for, or NULL
  ac_future *next_slice; // made ahead of time, on the loop's thread
  acgo_co **woke;        // Go tasks woken during the current run, in order
  size_t nwoke, capwoke;
  uintptr_t *freed;      // Go handles of task states the library released
  size_t nfreed, capfreed;
  int until_done;        // the run's future is done
  int lost;              // out of memory while recording (the loop is broken)
  int inner_stop;        // the run was stopped to hand over to Go tasks
  // States of tasks started from other threads (ac_run_threadsafe) may be
  // released on the submitting thread: their handles wait here.
  pthread_mutex_t ts_mu;
  uintptr_t *freed_ts;
  size_t nfreed_ts, capfreed_ts;
  atomic_int has_freed_ts;
} acgo_loop;

struct acgo_co {
  acgo_loop *lp;
  uintptr_t h;           // Go handle of the Co
  int threadsafe;        // started with ac_run_threadsafe
  int turn_pending;      // woke, and the goroutine has not made its next request yet
  int stepped;           // a step ran (the first one starts with others)
  ac_task *task;         // borrowed: the task owns this state
  // The request.
  int req;
  ac_future *fut;        // ACGO_REQ_AWAIT (owned)
  double delay;          // ACGO_REQ_SLEEP
  ac_value val;          // ACGO_REQ_RETURN (owned; bytes are ac_alloc'ed)
  ac_error *err;         // ACGO_REQ_RAISE (owned)
  int code;              // ACGO_REQ_RAISE without err
  struct acgo_yield *yield; // ACGO_REQ_YIELD: the yield's turn, posted when asked
  int n_wake;            // ac_task_cancelling when the task last woke
  int n_end;             // ... when the goroutine finished (RETURN, RAISE)
  char *cancel_msg;      // message of the last cancel requested through Go (ac_alloc'ed)
  // The record of the last wake-up.
  int rc;                // 0, an error code, AC_ECANCELLED
  int kind;              // the result's kind when rc is 0
  acgo_fields f;         // ... and its fields
  ac_future *awaited;    // the future awaited (a reference), or NULL
};

extern int acgoCoCall(uintptr_t h, int rc);

static int acgo_grow(void **arr, size_t *cap, size_t elem) {
  size_t ncap = *cap == 0 ? 16 : *cap * 2;
  void *n = realloc(*arr, ncap * elem);
  if (n == NULL) return -1;
  *arr = n;
  *cap = ncap;
  return 0;
}

static acgo_loop *acgo_loop_new(uintptr_t loop) {
  acgo_loop *lp = (acgo_loop *)calloc(1, sizeof *lp);
  if (lp == NULL) return NULL;
  lp->loop = (ac_loop *)loop;
  pthread_mutex_init(&lp->ts_mu, NULL);
  return lp;
}

static void acgo_loop_free(acgo_loop *lp) {
  if (lp == NULL) return;
  if (lp->next_slice != NULL) ac_future_unref(lp->next_slice);
  pthread_mutex_destroy(&lp->ts_mu);
  free(lp->woke);
  free(lp->freed);
  free(lp->freed_ts);
  free(lp);
}

static void acgo_push_freed(acgo_loop *lp, uintptr_t h) {
  if (lp->nfreed == lp->capfreed &&
      acgo_grow((void **)&lp->freed, &lp->capfreed, sizeof *lp->freed) != 0) {
    lp->lost = 1;
    return;
  }
  lp->freed[lp->nfreed++] = h;
}

// Moves the handles freed on other threads to the loop's list (holder).
static void acgo_merge_freed(acgo_loop *lp) {
  if (!atomic_load_explicit(&lp->has_freed_ts, memory_order_acquire)) return;
  pthread_mutex_lock(&lp->ts_mu);
  for (size_t i = 0; i < lp->nfreed_ts; i++) acgo_push_freed(lp, lp->freed_ts[i]);
  lp->nfreed_ts = 0;
  atomic_store_explicit(&lp->has_freed_ts, 0, memory_order_relaxed);
  pthread_mutex_unlock(&lp->ts_mu);
}

// Ends the current run before its next callback.
static void acgo_break(acgo_loop *lp) {
  if (lp->slice != NULL && !ac_future_done(lp->slice)) ac_future_set_result_none(lp->slice);
  ac_loop_interrupt(lp->loop);
}

// As asyncio's run_until_complete, the future's done-callback stops the
// loop: the rest of the iteration still runs.
static void acgo_until_cb(ac_future *f, void *ud) {
  (void)f;
  acgo_loop *lp = (acgo_loop *)ud;
  lp->until_done = 1;
  lp->inner_stop = 1;
  ac_loop_stop(lp->loop);
}

// The run's future gets a done-callback that ends the run.
static int acgo_watch_until(acgo_loop *lp, uintptr_t fut) {
  return ac_future_add_done_callback((ac_future *)fut, acgo_until_cb, lp, NULL);
}
static void acgo_unwatch_until(acgo_loop *lp, uintptr_t fut) {
  ac_future_remove_done_callback((ac_future *)fut, acgo_until_cb, lp);
}

// Makes the next run's future ahead of time (loop thread).
static int acgo_prepare(acgo_loop *lp) {
  if (lp->next_slice != NULL) return 0;
  return ac_future_new(lp->loop, &lp->next_slice);
}

// How a run went (acgo_run).
typedef struct acgo_run_out {
  int rc;          // the library's code
  int until_done;  // the run's future is done
  uintptr_t tok;   // the calling thread
  size_t nwoke;    // Go tasks woken
  int pending;     // ac_loop_step's
  double next;
  int inner_stop;  // a Go task's first step stopped the run
} acgo_run_out;

// Runs the loop on the calling thread until a Go task wakes, the run's
// future is done, or the loop stops: ac_loop_run_until_complete on the
// slice future. With step >= 0 it is one ac_loop_step blocking at most
// step seconds (a Go task that wakes stops it after what was ready).
static acgo_run_out acgo_run(uintptr_t lpp, double step) {
  acgo_loop *lp = (acgo_loop *)lpp;
  acgo_run_out out;
  memset(&out, 0, sizeof out);
  out.tok = acgo_thread_token();
  if (step >= 0) {
    out.rc = ac_loop_step(lp->loop, step, &out.pending, &out.next);
  } else {
    ac_future *s = lp->next_slice;
    if (s == NULL) {
      out.rc = AC_ENOMEM;
      return out;
    }
    lp->next_slice = NULL;
    lp->slice = s;
    lp->inner_stop = 0;
    if (out.rc == 0) out.rc = ac_loop_run_until_complete(lp->loop, s);
    out.inner_stop = lp->inner_stop;
    lp->slice = NULL;
    ac_future_unref(s);
    if (out.rc >= 0 || out.rc == AC_ESTOPPED) acgo_prepare(lp);
  }
  acgo_merge_freed(lp);
  out.until_done = lp->until_done;
  out.nwoke = lp->nwoke;
  return out;
}


// Records how the last await ended.
static void acgo_record(acgo_co *c, int rc, ac_future *aw) {
  if (c->awaited != NULL) ac_future_unref(c->awaited);
  c->awaited = aw != NULL ? ac_future_ref(aw) : NULL;
  c->rc = rc;
  c->kind = AC_VALUE_NONE;
  if (rc == 0 && aw != NULL && ac_future_state_of(aw) == AC_FUTURE_RESULT) {
    ac_value v;
    if (ac_future_result(aw, &v) == 0) c->kind = acgo_fields_of(&v, &c->f);
  }
}

// The outcome code of a done future, as an await of it would see it.
static int acgo_done_code(ac_future *f) {
  switch (ac_future_state_of(f)) {
  case AC_FUTURE_RESULT: return 0;
  case AC_FUTURE_CANCELLED: return AC_ECANCELLED;
  default: {
    ac_error *e = ac_future_error(f);
    return e != NULL ? ac_error_code(e) : AC_EINTERNAL;
  }
  }
}

// The task woke: note it and end the run (see acgo_wake).
static int acgo_note_wake(acgo_co *c, ac_task *t, int first) {
  acgo_loop *lp = c->lp;
  c->n_wake = ac_task_cancelling(t);
  c->turn_pending = 1;
  if (lp->nwoke == lp->capwoke &&
      acgo_grow((void **)&lp->woke, &lp->capwoke, sizeof *lp->woke) != 0) {
    lp->lost = 1;
    return AC_ENOMEM;
  }
  lp->woke[lp->nwoke++] = c;
  if (lp->slice != NULL && !first) {
    acgo_break(lp);
  } else {
    // A first step (tasks created together start together: their first
    // steps follow each other in the ready queue), or one iteration
    // (ac_loop_step): what is ready now still runs, not the task's next
    // step, which waits for the goroutine's request. The goroutines then
    // run in order, and the Go callbacks met meanwhile wait their turn
    // (sched.go).
    lp->inner_stop = 1;
    ac_loop_stop(lp->loop);
  }
  return 0;
}

// The task woke: note it, end the run, step again when the goroutine has
// made its next request.
static int acgo_wake(acgo_co *c, ac_task *t, int first) {
  int rc = acgo_note_wake(c, t, first);
  return rc < 0 ? rc : AC_STEP_YIELD;
}

// A yield (asyncio.sleep(0)) takes its turn where asyncio's task would:
// behind what is ready when the goroutine asks, not behind its step, which
// was queued when the task last woke. The request posts the turn (a
// callback) at once; the step parks the task on the turn's future; the
// turn wakes the goroutine there and then completes the future (the step
// it schedules waits for the next request, as after any wake-up).
typedef struct acgo_yield {
  acgo_co *c;      // NULL once the task's state is gone
  ac_future *fut;  // what the task awaits meanwhile (a reference)
  int parked;      // the step awaits fut
} acgo_yield;

static void acgo_yield_turn(ac_loop *loop, void *ud) {
  (void)loop;
  acgo_yield *y = (acgo_yield *)ud;
  acgo_co *c = y->c;
  if (c == NULL || ac_future_done(y->fut)) return;  // gone, or cancelled meanwhile
  if (y->parked) {
    acgo_record(c, 0, NULL);
    acgo_note_wake(c, c->task, 0);
  }
  // Not parked yet (a run moved the step behind the turn): the step finds
  // the turn gone (acgo_yield_free) and wakes the task then.
  ac_future_set_result_none(y->fut);
}

static void acgo_yield_free(void *ud) {
  acgo_yield *y = (acgo_yield *)ud;
  if (y->c != NULL && y->c->yield == y) y->c->yield = NULL;
  ac_future_unref(y->fut);
  free(y);
}

// The request: the turn is posted now (loop thread). 0, or a code.
static int acgo_req_yield(acgo_co *c) {
  acgo_yield *y = (acgo_yield *)calloc(1, sizeof *y);
  if (y == NULL) return AC_ENOMEM;
  int rc = ac_future_new(c->lp->loop, &y->fut);
  if (rc < 0) {
    free(y);
    return rc;
  }
  y->c = c;
  rc = ac_loop_call_soon(c->lp->loop, acgo_yield_turn, y, acgo_yield_free, NULL);
  if (rc < 0) return rc;  // acgo_yield_free ran
  c->yield = y;
  c->req = ACGO_REQ_YIELD;
  return 0;
}

// A cancellation the step took (ac_task_outcome said AC_ECANCELLED) but
// that must reach the goroutine's next await: ask for it again.
static void acgo_recancel(acgo_co *c, ac_task *t) {
  ac_task_cancel(t, c->cancel_msg);
  ac_task_uncancel(t);
}

static void acgo_clear_value(ac_value *v) {
  if (v->kind == AC_VALUE_BYTES) {
    ac_free(v->u.bytes.data);
    ac_value_set_none(v);
  } else {
    ac_value_clear(v);
  }
}

static int acgo_co_step(ac_task *t, void *p) {
  acgo_co *c = (acgo_co *)p;
  acgo_loop *lp = c->lp;
  c->task = t;
  int first = !c->stepped;
  c->stepped = 1;
  for (;;) {
    int rc = ac_task_outcome(t);
    int req = c->req;
    c->req = ACGO_REQ_NONE;
    if (req != ACGO_REQ_NONE) c->turn_pending = 0;
    switch (req) {
    case ACGO_REQ_NONE:
      if (c->turn_pending) {
        // Stepped again before the goroutine's turn came: keep waiting
        // (a cancellation waits for the request).
        if (rc == AC_ECANCELLED) acgo_recancel(c, t);
        return AC_STEP_YIELD;
      }
      acgo_record(c, rc, ac_task_awaited(t));
      return acgo_wake(c, t, first);
    case ACGO_REQ_AWAIT: {
      ac_future *f = c->fut;
      c->fut = NULL;
      if (rc == AC_ECANCELLED) {
        // Cancelled since the goroutine asked: as if the request had been
        // made first. The step asks again and awaits, so the library
        // cancels the future (or, when it is done already, lets it pass on
        // what it holds, a lock or an item) and the task sees the
        // cancellation at this await.
        acgo_recancel(c, t);
      } else if (ac_future_done(f)) {
        acgo_record(c, acgo_done_code(f), f);
        ac_future_unref(f);
        return acgo_wake(c, t, 0);
      }
      return ac_task_await_owned(t, f);
    }
    case ACGO_REQ_SLEEP:
      // Cancelled since the goroutine asked: the sleep is made and the
      // library cancels it, so the task learns of the cancellation through
      // the loop, after what is ready now (as asyncio's task does).
      if (rc == AC_ECANCELLED) acgo_recancel(c, t);
      return ac_task_sleep(t, c->delay);
    case ACGO_REQ_YIELD: {
      acgo_yield *y = c->yield;
      if (y == NULL) {
        // The turn came before the step (a run moved the step behind it).
        acgo_record(c, rc, NULL);
        return acgo_wake(c, t, 0);
      }
      // Parked on the turn's future; a cancellation cancels it, so the
      // task learns of it through the loop.
      if (rc == AC_ECANCELLED) acgo_recancel(c, t);
      y->parked = 1;
      return ac_task_await(t, y->fut);
    }
    case ACGO_REQ_RETURN:
    case ACGO_REQ_RAISE: {
      int out;
      if (rc == AC_ECANCELLED && c->n_end > c->n_wake) {
        // Cancelled while the goroutine ran: it ends cancelled.
        acgo_clear_value(&c->val);
        if (c->err != NULL) ac_error_unref(c->err);
        c->err = NULL;
        out = ac_task_propagate(t);
      } else {
        // Cancellations that came after the goroutine finished came too
        // late: a finished task is not cancelled.
        while (rc == AC_ECANCELLED && ac_task_cancelling(t) > c->n_end) ac_task_uncancel(t);
        if (req == ACGO_REQ_RETURN) {
          out = ac_task_return(t, &c->val);
          if (out >= 0 && c->val.kind == AC_VALUE_POINTER) ac_value_set_none(&c->val);
          acgo_clear_value(&c->val);
        } else if (c->err != NULL) {
          out = ac_task_raise(t, c->err);
          ac_error_unref(c->err);
          c->err = NULL;
        } else {
          out = ac_task_fail(t, c->code, NULL);
        }
      }
      return out;
    }
    case ACGO_REQ_CALL: {
      int r = acgoCoCall(c->h, rc);
      if (r == ACGO_WAKE_NOW || c->req == ACGO_REQ_NONE) {
        // The cancellation the step took is for the task's next await.
        c->req = ACGO_REQ_NONE;
        if (rc == AC_ECANCELLED) acgo_recancel(c, t);
        acgo_record(c, 0, NULL);
        return acgo_wake(c, t, 0);
      }
      continue;  // the await the Go code asked for (it gets the cancellation)
    }
    default:
      return AC_EINTERNAL;
    }
  }
}

static void acgo_co_free(void *p) {
  acgo_co *c = (acgo_co *)p;
  acgo_loop *lp = c->lp;
  if (c->threadsafe) {
    pthread_mutex_lock(&lp->ts_mu);
    if (lp->nfreed_ts == lp->capfreed_ts &&
        acgo_grow((void **)&lp->freed_ts, &lp->capfreed_ts, sizeof *lp->freed_ts) != 0) {
      lp->lost = 1;
    } else {
      lp->freed_ts[lp->nfreed_ts++] = c->h;
      atomic_store_explicit(&lp->has_freed_ts, 1, memory_order_release);
    }
    pthread_mutex_unlock(&lp->ts_mu);
  } else {
    acgo_push_freed(lp, c->h);
  }
  if (c->fut != NULL) ac_future_unref(c->fut);
  if (c->yield != NULL) c->yield->c = NULL;
  if (c->awaited != NULL) ac_future_unref(c->awaited);
  if (c->err != NULL) ac_error_unref(c->err);
  acgo_clear_value(&c->val);
  ac_free(c->cancel_msg);
  free(c);
}

static acgo_co *acgo_co_new(acgo_loop *lp, uintptr_t h) {
  acgo_co *c = (acgo_co *)calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->lp = lp;
  c->h = h;
  return c;
}

// Creates a Go task (loop thread) with the state above, in group when not
// 0, after checking the thread is expect_tok's (when not 0). rc 1: wrong
// thread, 2: no memory (nothing made); rc < 0: the library's code (the
// state is gone: its handle is on the freed list).
typedef struct acgo_spawned {
  int rc;
  acgo_co *c;
  uintptr_t task, fut;
} acgo_spawned;

static acgo_spawned acgo_co_spawn(uintptr_t lpp, uintptr_t h, uint32_t flags, uintptr_t group,
                                  uintptr_t expect_tok) {
  acgo_loop *lp = (acgo_loop *)lpp;
  acgo_spawned out = {0, NULL, 0, 0};
  if (expect_tok != 0 && expect_tok != acgo_thread_token()) {
    out.rc = 1;
    return out;
  }
  acgo_co *c = acgo_co_new(lp, h);
  if (c == NULL) {
    out.rc = 2;
    return out;
  }
  ac_task *t = NULL;
  if (group != 0)
    out.rc = ac_taskgroup_spawn((ac_taskgroup *)group, acgo_co_step, c, acgo_co_free, flags, &t);
  else
    out.rc = ac_task_new(lp->loop, acgo_co_step, c, acgo_co_free, flags, &t);
  if (out.rc < 0) return out;
  c->task = t;
  out.c = c;
  out.task = (uintptr_t)t;
  out.fut = (uintptr_t)ac_task_future(t);
  return out;
}

// ac_run_threadsafe for a Go task (any thread); fut is the thread-safe
// future.
static acgo_spawned acgo_co_spawn_threadsafe(uintptr_t lpp, uintptr_t h) {
  acgo_loop *lp = (acgo_loop *)lpp;
  acgo_spawned out = {0, NULL, 0, 0};
  acgo_co *c = acgo_co_new(lp, h);
  if (c == NULL) {
    out.rc = 2;
    return out;
  }
  c->threadsafe = 1;
  ac_tsfuture *ts = NULL;
  out.rc = ac_run_threadsafe(lp->loop, acgo_co_step, c, acgo_co_free, &ts);
  if (out.rc < 0) return out;
  out.fut = (uintptr_t)ts;
  return out;
}

// ---- Operations in one crossing --------------------------------------
//
// Each takes the token of the thread holding the loop (tok) and returns 2
// when called from another thread, without doing anything. An operation
// that hands out a future settles it when it is done already: 0 with the
// result moved into *kind/*f (and *freefn for a pointer) and the future
// released; 3 when it failed (the future in *fut, for its error); 1 when it
// is pending (the future in *fut, to await).

typedef struct acgo_op {
  int rc;
  int kind;
  acgo_fields f;
  uintptr_t fut;
  uintptr_t freefn;
} acgo_op;

static acgo_op acgo_settle(ac_future *g) {
  acgo_op o;
  memset(&o, 0, sizeof o);
  o.fut = (uintptr_t)g;
  if (!ac_future_done(g)) {
    o.rc = 1;
    return o;
  }
  ac_value v;
  if (ac_future_state_of(g) != AC_FUTURE_RESULT || ac_future_take_result(g, &v) != 0) {
    o.rc = 3;
    return o;
  }
  o.kind = acgo_fields_of(&v, &o.f);
  if (v.kind == AC_VALUE_POINTER) o.freefn = (uintptr_t)v.u.pointer.free_fn;
  ac_future_unref(g);
  o.fut = 0;
  return o;
}

static inline acgo_op acgo_op_rc(int rc) {
  acgo_op o;
  memset(&o, 0, sizeof o);
  o.rc = rc;
  return o;
}

#define ACGO_TOK(tok) \
  if ((tok) != acgo_thread_token()) return 2
#define ACGO_OP_TOK(tok) \
  if ((tok) != acgo_thread_token()) return acgo_op_rc(2)

// A value passed by its fields (no pointer crosses).
static inline void acgo_value_from(ac_value *v, int kind, uint64_t u0, uint64_t u1) {
  memset(v, 0, sizeof *v);
  v->kind = kind;
  memcpy((char *)&v->u, &u0, sizeof u0);
  memcpy((char *)&v->u + sizeof u0, &u1, sizeof u1);
}

static acgo_op acgo_queue_put(uintptr_t tok, uintptr_t q, int prio_on, int64_t prio, int kind,
                              uint64_t u0, uint64_t u1) {
  ACGO_OP_TOK(tok);
  ac_value v;
  acgo_value_from(&v, kind, u0, u1);
  ac_future *g;
  int rc = prio_on ? ac_queue_put_priority((ac_queue *)q, prio, &v, &g)
                   : ac_queue_put((ac_queue *)q, &v, &g);
  return rc < 0 ? acgo_op_rc(rc) : acgo_settle(g);
}

static acgo_op acgo_queue_get(uintptr_t tok, uintptr_t q) {
  ACGO_OP_TOK(tok);
  ac_future *g;
  int rc = ac_queue_get((ac_queue *)q, &g);
  return rc < 0 ? acgo_op_rc(rc) : acgo_settle(g);
}

static acgo_op acgo_lock_acquire(uintptr_t tok, uintptr_t lock) {
  ACGO_OP_TOK(tok);
  ac_future *g;
  int rc = ac_lock_acquire((ac_lock *)lock, &g);
  return rc < 0 ? acgo_op_rc(rc) : acgo_settle(g);
}

static acgo_op acgo_semaphore_acquire(uintptr_t tok, uintptr_t s) {
  ACGO_OP_TOK(tok);
  ac_future *g;
  int rc = ac_semaphore_acquire((ac_semaphore *)s, &g);
  return rc < 0 ? acgo_op_rc(rc) : acgo_settle(g);
}

// A future just made by the caller (its reference passed in): settled as
// above.
static acgo_op acgo_settle_made(uintptr_t g) { return acgo_settle((ac_future *)g); }

// Release calls: 2 from another thread, else the library's code.
static int acgo_lock_release(uintptr_t tok, uintptr_t lock) {
  ACGO_TOK(tok);
  return ac_lock_release((ac_lock *)lock);
}
static int acgo_semaphore_release(uintptr_t tok, uintptr_t s) {
  ACGO_TOK(tok);
  return ac_semaphore_release((ac_semaphore *)s);
}

// The state of a future (future.h), or 2+16 from another thread.
static int acgo_future_state(uintptr_t tok, uintptr_t f) {
  if (tok != acgo_thread_token()) return 18;
  if (f == 0) return -1;
  return ac_future_state_of((const ac_future *)f);
}

// ac_error_new with the message as given, an empty one included (SWIG
// passes an empty Go string as NULL, which means the code's description).
static int acgo_error_new(int code, const char *msg, uintptr_t cause, uintptr_t *out) {
  ac_error *e = NULL;
  int rc = ac_error_new(code, msg, (ac_error *)cause, &e);
  if (rc == 0) *out = (uintptr_t)e;
  return rc;
}

// Releases a pointer value moved out of the library (its destructor).
static void acgo_free_pointer(uintptr_t p, uintptr_t fn) {
  if (fn != 0) ((ac_free_fn)fn)((void *)p);
}

// Drops a reference on each future of ptrs.
static void acgo_unref_futures(const uintptr_t *ptrs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (ptrs[i] != 0) ac_future_unref((ac_future *)ptrs[i]);
}

// Requests (the goroutine's side; it holds the loop).
// RETURN: the value was written into c->val.
static inline void acgo_req_return(acgo_co *c) {
  c->n_end = ac_task_cancelling(c->task);
  c->req = ACGO_REQ_RETURN;
}
static inline void acgo_req_raise(acgo_co *c, uintptr_t err, int code) {
  c->n_end = ac_task_cancelling(c->task);
  c->err = (ac_error *)err;
  c->code = code;
  c->req = ACGO_REQ_RAISE;
}
static inline void acgo_set_cancel_msg(acgo_co *c, const char *msg, size_t n) {
  ac_free(c->cancel_msg);
  c->cancel_msg = NULL;
  if (n == 0) return;
  c->cancel_msg = (char *)ac_alloc(n + 1);
  if (c->cancel_msg != NULL) {
    memcpy(c->cancel_msg, msg, n);
    c->cancel_msg[n] = '\0';
  }
}
*/
import "C"

import (
	"math"
	"unsafe"

	"libasyncore.org/go/asyncore/internal/raw"
)

// C addresses of the trampolines, in the type SWIG uses for function
// pointers (*byte).
var (
	fnFreeHandle       = (*byte)(unsafe.Pointer(C.acgoFreeHandle))
	fnFreeBox          = (*byte)(unsafe.Pointer(C.acgoFreeBox))
	fnCallback         = (*byte)(unsafe.Pointer(C.acgoCallback))
	fnFutureDone       = (*byte)(unsafe.Pointer(C.acgoFutureDone))
	fnStepFunc         = (*byte)(unsafe.Pointer(C.acgoStepFunc))
	fnForeachTask      = (*byte)(unsafe.Pointer(C.acgoForeachTask))
	fnPredicate        = (*byte)(unsafe.Pointer(C.acgoPredicate))
	fnWork             = (*byte)(unsafe.Pointer(C.acgoWork))
	fnTSDone           = (*byte)(unsafe.Pointer(C.acgoTSDone))
	fnServerConn       = (*byte)(unsafe.Pointer(C.acgoServerConn))
	fnExceptionHandler = (*byte)(unsafe.Pointer(C.acgoExceptionHandler))
)

// threadToken identifies the calling OS thread.
func threadToken() uintptr { return uintptr(C.acgo_thread_token()) }

// cBytes copies b into memory the C side may keep for the duration of a
// call; the caller frees it with cFree.
func cBytes(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(C.CBytes(b))
}

func cFree(p uintptr) {
	if p != 0 {
		C.free(C.acgo_ptr(C.uintptr_t(p)))
	}
}

// setBytesValue makes v a bytes value over the C memory data.
func setBytesValue(v uintptr, data uintptr, n int) {
	C.acgo_value_set_bytes(C.uintptr_t(v), C.uintptr_t(data), C.size_t(n))
}

// goString copies the NUL-terminated C string at p.
func goString(p uintptr) string { return C.GoString((*C.char)(C.acgo_ptr(C.uintptr_t(p)))) }

// goBytes copies n bytes at the C address p into a new Go slice.
func goBytes(p uintptr, n int64) []byte {
	if n == 0 || p == 0 {
		return []byte{}
	}
	return C.GoBytes(C.acgo_ptr(C.uintptr_t(p)), C.int(n))
}

// fieldsValue is the Go value of a C value read as fields.
func fieldsValue(kind C.int, f *C.acgo_fields) any {
	return valueOf(int(kind), int64(f.i), float64(f.d), uintptr(f.p), int64(f.n))
}

// futureOutcome reads a done future: 0 and its result, or the code of its
// failure (read the error with ac_future_error).
func futureOutcome(c uintptr) (int, any) {
	var kind C.int
	var f C.acgo_fields
	rc := C.acgo_future_outcome(C.uintptr_t(c), &kind, &f)
	if rc != 0 {
		return int(rc), nil
	}
	return 0, fieldsValue(kind, &f)
}

// taskOutcome reads how a task's last await ended: the code, the awaited
// future (0 for none) and, when the code is 0, its result.
func taskOutcome(t uintptr) (int, uintptr, any) {
	var kind C.int
	var f C.acgo_fields
	var aw C.uintptr_t
	rc := C.acgo_task_outcome(C.uintptr_t(t), &aw, &kind, &f)
	if rc != 0 || aw == 0 {
		return int(rc), uintptr(aw), nil
	}
	return 0, uintptr(aw), fieldsValue(kind, &f)
}

// valueFields reads a C ac_value in one crossing.
func valueFields(v uintptr) (kind int, i int64, d float64, p uintptr, n int64, fn uintptr) {
	var ci C.int64_t
	var cd C.double
	var cp, cfn C.uintptr_t
	var cn C.size_t
	k := C.acgo_value_read(C.uintptr_t(v), &ci, &cd, &cp, &cn, &cfn)
	return int(k), int64(ci), float64(cd), uintptr(cp), int64(cn), uintptr(cfn)
}

// ---- Go tasks (the C side is above) ----

type cCo = C.acgo_co
type cLoop = C.acgo_loop

// Codes of the C helpers for "nothing was allocated" (the caller still
// owns the handle), apart from the library's negative codes.
const (
	ccWrongThread = 1
	ccNoMemory    = 2
)

// ccode maps a helper's positive code to the library's.
func ccode(rc int) int {
	switch rc {
	case ccWrongThread:
		return codeWrongThread
	case ccNoMemory:
		return -int(12) // ENOMEM
	}
	return rc
}

func newCLoop(loop raw.SwigcptrLoop) *cLoop { return C.acgo_loop_new(C.uintptr_t(loop)) }

func freeCLoop(lp *cLoop) { C.acgo_loop_free(lp) }

// prepareRun makes the next run's future (loop thread).
func prepareRun(lp *cLoop) int { return int(C.acgo_prepare(lp)) }

// runOut is how one run of the loop went.
type runOut struct {
	rc        int
	untilDone bool
	tok       uintptr
	pending   bool
	next      float64
	innerStop bool // stopped (also) to hand over to Go tasks
}

// runLoop runs the loop on this thread: until a Go task wakes (step < 0),
// or one iteration blocking at most step seconds.
func runLoop(lp *cLoop, step float64) runOut {
	// Addresses of C memory pass as integers: cgo checks no pointer.
	out := C.acgo_run(C.uintptr_t(uintptr(unsafe.Pointer(lp))), C.double(step))
	return runOut{rc: int(out.rc), untilDone: out.until_done != 0, tok: uintptr(out.tok),
		pending: out.pending != 0, next: float64(out.next), innerStop: out.inner_stop != 0}
}

// wokenTasks appends the Go tasks the last run woke, in order, with the
// Go callbacks held back during the run (deferred) in their place, and
// clears both lists.
func wokenTasks(lp *cLoop, into []wakeEntry, deferred []deferredCall) []wakeEntry {
	n := int(lp.nwoke)
	var arr []*C.acgo_co
	if n > 0 {
		arr = unsafe.Slice(lp.woke, n)
	}
	d := 0
	for i := 0; i <= n; i++ {
		for d < len(deferred) && deferred[d].pos == i {
			into = append(into, wakeEntry{cb: deferred[d].cb})
			d++
		}
		if i == n {
			break
		}
		c := arr[i]
		co := handle(uintptr(c.h)).Value().(*Co)
		co.c = c
		if !co.started {
			// Cancellations before the first step are the library's to
			// deliver; only later ones matter to body.
			co.cancelTouched = false
		}
		into = append(into, wakeEntry{co: co})
	}
	lp.nwoke = 0
	return into
}

// wokenSoFar is the number of Go tasks the current run woke yet.
func wokenSoFar(lp *cLoop) int { return int(lp.nwoke) }

// freedHandles lists the handles of the Go task states the library
// released since the last call, and clears the list.
func freedHandles(lp *cLoop, merge bool) []handle {
	if merge {
		C.acgo_merge_freed(lp)
	}
	n := int(lp.nfreed)
	if n == 0 {
		return nil
	}
	arr := unsafe.Slice(lp.freed, n)
	out := make([]handle, n)
	for i, h := range arr {
		out[i] = handle(uintptr(h))
	}
	lp.nfreed = 0
	return out
}

func lostRecords(lp *cLoop) bool { return lp.lost != 0 }

// resetUntil forgets the end of the last run's future.
func resetUntil(lp *cLoop) { lp.until_done = 0 }

func watchUntil(lp *cLoop, f raw.SwigcptrFuture) int {
	return int(C.acgo_watch_until(lp, C.uintptr_t(f)))
}

func unwatchUntil(lp *cLoop, f raw.SwigcptrFuture) { C.acgo_unwatch_until(lp, C.uintptr_t(f)) }

// spawnCo creates a Go task (loop thread): the C state and the task, in
// group when not 0. rc > 0: nothing was made (the caller deletes h); rc
// < 0: the library's code (h is on the freed list).
func spawnCo(l *Loop, h handle, flags uint32, group uintptr) (*cCo, raw.SwigcptrTask, raw.SwigcptrFuture, int) {
	return spawnCoChecked(l, h, flags, group, 0)
}

// spawnCoChecked is spawnCo that first checks the calling thread is tok's.
func spawnCoChecked(l *Loop, h handle, flags uint32, group uintptr, tok uintptr) (*cCo, raw.SwigcptrTask, raw.SwigcptrFuture, int) {
	out := C.acgo_co_spawn(C.uintptr_t(uintptr(unsafe.Pointer(l.lp))), C.uintptr_t(h), C.uint32_t(flags),
		C.uintptr_t(group), C.uintptr_t(tok))
	return out.c, raw.SwigcptrTask(out.task), raw.SwigcptrFuture(out.fut), int(out.rc)
}

// spawnCoThreadsafe is ac_run_threadsafe for a Go task (any thread).
func spawnCoThreadsafe(l *Loop, h handle) (raw.SwigcptrTsfuture, int) {
	out := C.acgo_co_spawn_threadsafe(C.uintptr_t(uintptr(unsafe.Pointer(l.lp))), C.uintptr_t(h))
	return raw.SwigcptrTsfuture(out.fut), int(out.rc)
}

func reqAwait(c *cCo, f uintptr, owned bool) {
	if !owned {
		raw.Future_ref(raw.SwigcptrFuture(f))
	}
	*(*uintptr)(unsafe.Pointer(&c.fut)) = f
	c.req = C.ACGO_REQ_AWAIT
}

func reqSleep(c *cCo, d float64) { c.delay = C.double(d); c.req = C.ACGO_REQ_SLEEP }
func reqCall(c *cCo)             { c.req = C.ACGO_REQ_CALL }

// reqYield asks for a yield, whose turn is posted now (holder).
func reqYield(c *cCo) error { return codeError(int(C.acgo_req_yield(c))) }

// reqReturn stores val as the task's result to come; false when it could
// not be stored. exactEnd reads the task's cancellation count from the
// library (its code asked for cancellations while it ran); otherwise it is
// the count at the wake-up.
func reqReturn(l *Loop, c *cCo, val any, exactEnd bool) bool {
	v := (*C.ac_value)(unsafe.Pointer(&c.val))
	switch x := val.(type) {
	case nil:
		v.kind = C.AC_VALUE_NONE
	case int64:
		v.kind = C.AC_VALUE_INT64
		*(*int64)(unsafe.Pointer(&v.u)) = x
	case float64:
		v.kind = C.AC_VALUE_DOUBLE
		*(*float64)(unsafe.Pointer(&v.u)) = x
	case []byte:
		var p unsafe.Pointer
		if len(x) > 0 {
			p = C.ac_alloc(C.size_t(len(x)))
			if p == nil {
				return false
			}
			copy(unsafe.Slice((*byte)(p), len(x)), x)
		}
		C.acgo_value_set_bytes(C.uintptr_t(uintptr(unsafe.Pointer(v))), C.uintptr_t(uintptr(p)), C.size_t(len(x)))
	default:
		h := newHandle(x)
		v.kind = C.AC_VALUE_POINTER
		u := (*[2]uintptr)(unsafe.Pointer(&v.u))
		u[0] = boxPointer(h)
		u[1] = uintptr(unsafe.Pointer(fnFreeBox))
	}
	if exactEnd {
		C.acgo_req_return(c)
	} else {
		c.n_end = c.n_wake
		c.req = C.ACGO_REQ_RETURN
	}
	return true
}

// reqRaise stores the task's failure to come.
func reqRaise(c *cCo, e raw.SwigcptrError, code int) {
	C.acgo_req_raise(c, C.uintptr_t(e), C.int(code))
}

// awaitedOf is the future the task's last await waited on (0 for none).
func awaitedOf(c *cCo) uintptr {
	return uintptr(unsafe.Pointer(c.awaited))
}

// wakeValue is the result the last wake-up recorded.
func wakeValue(c *cCo, kind int) any {
	f := &c.f
	return valueOf(kind, int64(f.i), float64(f.d), uintptr(f.p), int64(f.n))
}

func cancelMessage(c *cCo) string {
	if c == nil || c.cancel_msg == nil {
		return ""
	}
	return C.GoString(c.cancel_msg)
}

func setCancelMessage(c *cCo, msg string) {
	cs := C.CString(msg)
	C.acgo_set_cancel_msg(c, cs, C.size_t(len(msg)))
	C.free(unsafe.Pointer(cs))
}

// nWake and nEnd: the cancellation counts the C state recorded.
func cancelsAtWake(c *cCo) int { return int(c.n_wake) }
func cancelsAtEnd(c *cCo) int  { return int(c.n_end) }

// ctaskOf is the library task of a Go task's C state.
func ctaskOf(c *cCo) raw.SwigcptrTask { return raw.SwigcptrTask(uintptr(unsafe.Pointer(c.task))) }

// ---- operations (the C helpers above) ----

// Results of the operation helpers.
const (
	opDone    = 0 // done at once: the result came out
	opPending = 1 // await the future
	opWrong   = 2 // called from another thread than the loop's holder
	opFailed  = 3 // done at once, failed: read the future's error
)

// opOut is what an operation helper handed back.
type opOut struct {
	rc  int
	out C.acgo_op
}

func mkOp(o C.acgo_op) opOut { return opOut{rc: int(o.rc), out: o} }

// value is the result moved out (opDone): a boxed Go value comes back as
// itself, and whatever the library no longer owns is released.
func (o *opOut) value() any {
	kind := int(o.out.kind)
	f := &o.out.f
	p := uintptr(f.p)
	switch kind {
	case valueBytes:
		b := goBytes(p, int64(f.n))
		C.ac_free(C.acgo_ptr(C.uintptr_t(p)))
		return b
	case valuePointer:
		if h, ok := unboxPointer(p); ok {
			v := h.Value()
			deleteHandle(h)
			return v
		}
		C.acgo_free_pointer(C.uintptr_t(p), C.uintptr_t(o.out.freefn))
		return ForeignPointer(p)
	}
	return valueOf(kind, int64(f.i), float64(f.d), p, int64(f.n))
}

func (o *opOut) future() raw.SwigcptrFuture { return raw.SwigcptrFuture(uintptr(o.out.fut)) }

// goValue is a Go value as the fields of a C value, for one storing call
// (no cgo crossing for ints, floats, nil and boxes).
type goValue struct {
	kind   int
	u0, u1 uint64
	box    handle
	buf    uintptr
}

func (g *goValue) set(x any) {
	switch t := x.(type) {
	case nil:
		g.kind = valueNone
	case int64:
		g.kind, g.u0 = valueInt64, uint64(t)
	case float64:
		g.kind, g.u0 = valueDouble, math.Float64bits(t)
	case []byte:
		g.buf = cBytes(t)
		g.kind, g.u0, g.u1 = valueBytes, uint64(g.buf), uint64(len(t))
	default:
		g.box = newHandle(x)
		g.kind, g.u0, g.u1 = valuePointer, uint64(boxPointer(g.box)), uint64(uintptr(unsafe.Pointer(fnFreeBox)))
	}
}

// release ends the storing call (the library took the value over when
// stored).
func (g *goValue) release(stored bool) {
	cFree(g.buf)
	if !stored && g.box != 0 {
		deleteHandle(g.box)
	}
}

func opQueuePut(tok uintptr, q raw.SwigcptrQueue, prio int64, withPrio bool, v any) opOut {
	var gv goValue
	gv.set(v)
	p := C.int(0)
	if withPrio {
		p = 1
	}
	o := mkOp(C.acgo_queue_put(C.uintptr_t(tok), C.uintptr_t(q), p, C.int64_t(prio), C.int(gv.kind),
		C.uint64_t(gv.u0), C.uint64_t(gv.u1)))
	gv.release(o.rc >= 0 && o.rc != opWrong)
	return o
}

func opQueueGet(tok uintptr, q raw.SwigcptrQueue) opOut {
	return mkOp(C.acgo_queue_get(C.uintptr_t(tok), C.uintptr_t(q)))
}

func opLockAcquire(tok uintptr, lk raw.SwigcptrLock) opOut {
	return mkOp(C.acgo_lock_acquire(C.uintptr_t(tok), C.uintptr_t(lk)))
}

func opSemaphoreAcquire(tok uintptr, s raw.SwigcptrSemaphore) opOut {
	return mkOp(C.acgo_semaphore_acquire(C.uintptr_t(tok), C.uintptr_t(s)))
}

// opSettle settles a future just made (its reference passed in).
func opSettle(f raw.SwigcptrFuture) opOut { return mkOp(C.acgo_settle_made(C.uintptr_t(f))) }

func lockRelease(tok uintptr, lk raw.SwigcptrLock) int {
	return int(C.acgo_lock_release(C.uintptr_t(tok), C.uintptr_t(lk)))
}

func semaphoreRelease(tok uintptr, s raw.SwigcptrSemaphore) int {
	return int(C.acgo_semaphore_release(C.uintptr_t(tok), C.uintptr_t(s)))
}

// futureStateOn is the future's state, or opWrong+16 from another thread.
func futureStateOn(tok uintptr, f raw.SwigcptrFuture) int {
	return int(C.acgo_future_state(C.uintptr_t(tok), C.uintptr_t(f)))
}

// newCError makes a C error with code, message msg (kept as is, empty
// included) and cause (0 for none; a new reference is taken).
func newCError(code int, msg string, cause raw.SwigcptrError) (uintptr, int) {
	var out C.uintptr_t
	p := C.CString(msg)
	rc := C.acgo_error_new(C.int(code), p, C.uintptr_t(cause), &out)
	C.free(unsafe.Pointer(p))
	return uintptr(out), int(rc)
}

// unrefFutures drops a reference on each future of ptrs, in one crossing.
func unrefFutures(ptrs []uintptr) {
	if len(ptrs) > 0 {
		C.acgo_unref_futures((*C.uintptr_t)(unsafe.Pointer(&ptrs[0])), C.size_t(len(ptrs)))
	}
}
