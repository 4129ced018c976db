/*
 * gotask.c — the C side of Go tasks (their step function and state), the
 * loop's record of woken Go tasks, and operations done in one crossing of
 * cgo. What Go calls is declared in gotask.h, which SWIG wraps for package
 * raw; the records below are private to this file.
 */
#include "gotask.h"

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- Records --------------------------------------------------------- */

/* The fields first in acgo_loop and acgo_co are read and written in place
 * by the Go side (the holder of the loop, on its thread, between runs;
 * mirror types in package asyncore, checked against acgo_layout): keep
 * their order and types in step with acgo_layout and the mirrors. */

/* A loop's Go-side scheduling state (C memory, owned by the Go Loop). */
struct acgo_loop {
  /* Shared with Go. */
  acgo_co **woke; /* Go tasks woken during the current run, in order */
  size_t nwoke;   /* Go clears it once it took them */
  int until_done; /* the run's future is done (Go resets it) */
  /* Slots the holder hands to acgo_run, to the operations and to
   * acgo_co_wake: C memory, so that no Go pointer crosses on the hot path
   * (the helpers only write them on the holder's thread). */
  uint64_t run[ACGO_RUN_NSLOTS];
  uint64_t op[ACGO_NSLOTS];
  uint64_t wake[ACGO_NSLOTS];
  /* C only. */
  size_t capwoke;
  ac_loop *loop;
  acgo_co_call_fn co_call; /* the Go function behind ACGO_REQ_CALL */
  ac_future *slice;        /* the future the current run waits for, or NULL */
  ac_future *next_slice;   /* made ahead of time, on the loop's thread */
  uintptr_t *freed; /* Go handles of task states the library released */
  size_t nfreed, capfreed;
  int lost;       /* out of memory while recording (the loop is broken) */
  int inner_stop; /* the run was stopped to hand over to Go tasks */
  /* States of tasks started from other threads (ac_run_threadsafe) may be
   * released on the submitting thread: their handles wait here. */
  pthread_mutex_t ts_mu;
  uintptr_t *freed_ts;
  size_t nfreed_ts, capfreed_ts;
  atomic_int has_freed_ts;
};

/* A value's fields. */
typedef struct acgo_fields {
  uint64_t bits; /* int64, the double's bits, or the address */
  size_t n;      /* bytes: the length */
  uintptr_t fn;  /* pointer: the destructor */
} acgo_fields;

/* A yield (asyncio.sleep(0)) takes its turn where asyncio's task would:
 * behind what is ready when the goroutine asks, not behind its step, which
 * was queued when the task last woke. The request posts the turn (a
 * callback) at once; the step parks the task on the turn's future; the
 * turn wakes the goroutine there and then completes the future (the step
 * it schedules waits for the next request, as after any wake-up). */
typedef struct acgo_yield {
  acgo_co *c;     /* NULL once the task's state is gone */
  ac_future *fut; /* what the task awaits meanwhile (a reference) */
  int parked;     /* the step awaits fut */
} acgo_yield;

struct acgo_co {
  /* Shared with Go: the request (written by Go for AWAIT of an owned
   * future, SLEEP and CALL), who the state is, and the record of the last
   * wake-up (read by Go). */
  int req;
  int rc;             /* the last wake-up: 0, an error code, AC_ECANCELLED */
  ac_future *fut;     /* ACGO_REQ_AWAIT (owned) */
  double delay;       /* ACGO_REQ_SLEEP */
  uintptr_t h;        /* Go handle of the Co */
  ac_task *task;      /* borrowed: the task owns this state */
  int n_wake;         /* ac_task_cancelling when the task last woke */
  int kind;           /* the result's kind when rc is 0 */
  acgo_fields f;      /* ... and its fields */
  ac_future *awaited; /* the future awaited (a reference), or NULL */
  int ret_kind;       /* ACGO_REQ_RETURN_FIELDS: the value's kind ... */
  uint64_t ret_u0;    /* ... and its two words (written by Go in place) */
  uint64_t ret_u1;
  /* C only. */
  acgo_loop *lp;
  int threadsafe;    /* started with ac_run_threadsafe */
  int turn_pending;  /* woke, and the goroutine has not made its next request yet */
  int stepped;       /* a step ran (the first one starts with others) */
  ac_value val;      /* ACGO_REQ_RETURN (owned; bytes are ac_alloc'ed) */
  ac_error *err;     /* ACGO_REQ_RAISE (owned) */
  int code;          /* ACGO_REQ_RAISE without err */
  acgo_yield *yield; /* ACGO_REQ_YIELD: the yield's turn, posted when asked */
  int n_end;         /* ... when the goroutine finished (RETURN, RAISE) */
  char *cancel_msg;  /* message of the last cancel requested through Go (ac_alloc'ed) */
};

static _Thread_local char thread_byte;

void *acgo_thread_token(void) { return &thread_byte; }

size_t acgo_layout(uint64_t *list, size_t list_len) {
#define FIELD(i, type, member) \
  do { \
    list[2 * (i)] = offsetof(type, member); \
    list[2 * (i) + 1] = sizeof(((type *)0)->member); \
  } while (0)
  if (list_len < 2 * ACGO_LAYOUT_NFIELDS) return 2 * ACGO_LAYOUT_NFIELDS;
  FIELD(ACGO_LAYOUT_LOOP_WOKE, acgo_loop, woke);
  FIELD(ACGO_LAYOUT_LOOP_NWOKE, acgo_loop, nwoke);
  FIELD(ACGO_LAYOUT_LOOP_UNTIL_DONE, acgo_loop, until_done);
  FIELD(ACGO_LAYOUT_LOOP_RUN, acgo_loop, run);
  FIELD(ACGO_LAYOUT_LOOP_OP, acgo_loop, op);
  FIELD(ACGO_LAYOUT_LOOP_WAKE, acgo_loop, wake);
  FIELD(ACGO_LAYOUT_CO_REQ, acgo_co, req);
  FIELD(ACGO_LAYOUT_CO_RC, acgo_co, rc);
  FIELD(ACGO_LAYOUT_CO_FUT, acgo_co, fut);
  FIELD(ACGO_LAYOUT_CO_DELAY, acgo_co, delay);
  FIELD(ACGO_LAYOUT_CO_H, acgo_co, h);
  FIELD(ACGO_LAYOUT_CO_TASK, acgo_co, task);
  FIELD(ACGO_LAYOUT_CO_N_WAKE, acgo_co, n_wake);
  FIELD(ACGO_LAYOUT_CO_KIND, acgo_co, kind);
  FIELD(ACGO_LAYOUT_CO_BITS, acgo_co, f.bits);
  FIELD(ACGO_LAYOUT_CO_LEN, acgo_co, f.n);
  FIELD(ACGO_LAYOUT_CO_AWAITED, acgo_co, awaited);
  FIELD(ACGO_LAYOUT_CO_RET_KIND, acgo_co, ret_kind);
  FIELD(ACGO_LAYOUT_CO_RET_U0, acgo_co, ret_u0);
  FIELD(ACGO_LAYOUT_CO_RET_U1, acgo_co, ret_u1);
#undef FIELD
  return 2 * ACGO_LAYOUT_NFIELDS;
}

#define TOKEN_CHECK(tok) \
  if ((tok) != acgo_thread_token()) return ACGO_OP_WRONG

static int fields_of(const ac_value *v, acgo_fields *f) {
  switch (v->kind) {
  case AC_VALUE_INT64: memcpy(&f->bits, &v->u.i64, sizeof f->bits); break;
  case AC_VALUE_DOUBLE: memcpy(&f->bits, &v->u.f64, sizeof f->bits); break;
  case AC_VALUE_BYTES:
    f->bits = (uintptr_t)v->u.bytes.data;
    f->n = v->u.bytes.len;
    break;
  case AC_VALUE_POINTER:
    f->bits = (uintptr_t)v->u.pointer.ptr;
    f->fn = (uintptr_t)v->u.pointer.free_fn;
    break;
  default: break;
  }
  return v->kind;
}

static void put_slots(uint64_t *slots, int kind, const acgo_fields *f) {
  slots[ACGO_KIND] = (uint64_t)kind;
  slots[ACGO_BITS] = f->bits;
  slots[ACGO_LEN] = f->n;
  slots[ACGO_FREEFN] = f->fn;
}

/* ---- Threads and memory ------------------------------------------------ */

void *acgo_copy_in(const void *data, size_t len) {
  if (len == 0) return NULL;
  void *p = malloc(len);
  if (p != NULL) memcpy(p, data, len);
  return p;
}

void acgo_free(void *p) { free(p); }

void acgo_copy_out(void *src, void *dst, size_t dst_len) {
  if (dst_len > 0) memcpy(dst, src, dst_len);
}

char *acgo_string(void *p) { return (char *)p; }

void acgo_value_set_bytes(void *v, void *data, size_t len) {
  ac_value_set_bytes((ac_value *)v, data, len);
}

int acgo_value_read(void *v, uint64_t *slots) {
  acgo_fields f = {0, 0, 0};
  int kind = fields_of((const ac_value *)v, &f);
  put_slots(slots, kind, &f);
  return kind;
}

int acgo_future_outcome(ac_future *fut, uint64_t *slots) {
  ac_value v;
  int rc = ac_future_result(fut, &v);
  if (rc == 0) acgo_value_read(&v, slots);
  return rc;
}

int acgo_task_outcome(ac_task *task, uint64_t *slots) {
  int rc = ac_task_outcome(task);
  ac_future *aw = ac_task_awaited(task);
  slots[ACGO_FUT] = (uintptr_t)aw;
  slots[ACGO_KIND] = AC_VALUE_NONE;
  if (rc == 0 && aw != NULL && ac_future_state_of(aw) == AC_FUTURE_RESULT) {
    ac_value v;
    if (ac_future_result(aw, &v) == 0) acgo_value_read(&v, slots);
  }
  return rc;
}

/* ---- The loop's record ------------------------------------------------- */

static int grow(void **arr, size_t *cap, size_t elem) {
  size_t ncap = *cap == 0 ? 16 : *cap * 2;
  void *n = realloc(*arr, ncap * elem);
  if (n == NULL) return -1;
  *arr = n;
  *cap = ncap;
  return 0;
}

acgo_loop *acgo_loop_new(ac_loop *loop, acgo_co_call_fn co_call) {
  acgo_loop *lp = (acgo_loop *)calloc(1, sizeof *lp);
  if (lp == NULL) return NULL;
  lp->loop = loop;
  lp->co_call = co_call;
  pthread_mutex_init(&lp->ts_mu, NULL);
  return lp;
}

void acgo_loop_free(acgo_loop *lp) {
  if (lp == NULL) return;
  if (lp->next_slice != NULL) ac_future_unref(lp->next_slice);
  pthread_mutex_destroy(&lp->ts_mu);
  free(lp->woke);
  free(lp->freed);
  free(lp->freed_ts);
  free(lp);
}

static void push_freed(acgo_loop *lp, uintptr_t h) {
  if (lp->nfreed == lp->capfreed &&
      grow((void **)&lp->freed, &lp->capfreed, sizeof *lp->freed) != 0) {
    lp->lost = 1;
    return;
  }
  lp->freed[lp->nfreed++] = h;
}

static void merge_freed(acgo_loop *lp) {
  if (!atomic_load_explicit(&lp->has_freed_ts, memory_order_acquire)) return;
  pthread_mutex_lock(&lp->ts_mu);
  for (size_t i = 0; i < lp->nfreed_ts; i++) push_freed(lp, lp->freed_ts[i]);
  lp->nfreed_ts = 0;
  atomic_store_explicit(&lp->has_freed_ts, 0, memory_order_relaxed);
  pthread_mutex_unlock(&lp->ts_mu);
}

/* Ends the current run before its next callback. */
static void end_run(acgo_loop *lp) {
  if (lp->slice != NULL && !ac_future_done(lp->slice)) ac_future_set_result_none(lp->slice);
  ac_loop_interrupt(lp->loop);
}

void acgo_end_run_early(acgo_loop *lp) {
  if (lp->slice != NULL) {
    /* The binding's own stop (as for a first step: note_wake), which the
     * Go side tells from the host's stop; ending the slice instead would
     * let a stop asked in the same iteration pass unseen. */
    lp->inner_stop = 1;
    ac_loop_stop(lp->loop);
  }
}

/* As asyncio's run_until_complete, the future's done-callback stops the
 * loop: the rest of the iteration still runs. */
static void until_cb(ac_future *f, void *ud) {
  (void)f;
  acgo_loop *lp = (acgo_loop *)ud;
  lp->until_done = 1;
  lp->inner_stop = 1;
  ac_loop_stop(lp->loop);
}

int acgo_watch_until(acgo_loop *lp, ac_future *fut) {
  return ac_future_add_done_callback(fut, until_cb, lp, NULL);
}

void acgo_unwatch_until(acgo_loop *lp, ac_future *fut) {
  ac_future_remove_done_callback(fut, until_cb, lp);
}

int acgo_prepare(acgo_loop *lp) {
  if (lp->next_slice != NULL) return 0;
  return ac_future_new(lp->loop, &lp->next_slice);
}

int acgo_run(acgo_loop *lp, double step, uint64_t *run_out) {
  int rc = 0, pending = 0;
  double next = 0;
  int inner_stop = 0;
  if (step >= 0) {
    rc = ac_loop_step(lp->loop, step, &pending, &next);
  } else {
    ac_future *s = lp->next_slice;
    if (s == NULL) {
      rc = AC_ENOMEM;
    } else {
      lp->next_slice = NULL;
      lp->slice = s;
      lp->inner_stop = 0;
      rc = ac_loop_run_until_complete(lp->loop, s);
      inner_stop = lp->inner_stop;
      lp->slice = NULL;
      ac_future_unref(s);
      if (rc >= 0 || rc == AC_ESTOPPED) acgo_prepare(lp);
    }
  }
  merge_freed(lp);
  run_out[ACGO_RUN_TOK] = (uintptr_t)acgo_thread_token();
  run_out[ACGO_RUN_UNTIL_DONE] = (uint64_t)lp->until_done;
  run_out[ACGO_RUN_NWOKE] = lp->nwoke;
  run_out[ACGO_RUN_PENDING] = (uint64_t)pending;
  memcpy(&run_out[ACGO_RUN_NEXT], &next, sizeof next);
  run_out[ACGO_RUN_INNER_STOP] = (uint64_t)inner_stop;
  run_out[ACGO_RUN_NFREED] = lp->nfreed;
  run_out[ACGO_RUN_LOST] = (uint64_t)lp->lost;
  return rc;
}

size_t acgo_take_freed(acgo_loop *lp, int merge, uint64_t *list, size_t list_len) {
  if (merge) merge_freed(lp);
  size_t n = lp->nfreed;
  if (n > list_len) return n;
  for (size_t i = 0; i < n; i++) list[i] = lp->freed[i];
  lp->nfreed = 0;
  return n;
}

/* ---- Go tasks ---------------------------------------------------------- */

/* Records how the last await ended. */
static void record(acgo_co *c, int rc, ac_future *aw) {
  if (c->awaited != NULL) ac_future_unref(c->awaited);
  c->awaited = aw != NULL ? ac_future_ref(aw) : NULL;
  c->rc = rc;
  c->kind = AC_VALUE_NONE;
  memset(&c->f, 0, sizeof c->f);
  if (rc == 0 && aw != NULL && ac_future_state_of(aw) == AC_FUTURE_RESULT) {
    ac_value v;
    if (ac_future_result(aw, &v) == 0) c->kind = fields_of(&v, &c->f);
  }
}
/* The outcome code of a done future, as an await of it would see it. */
static int done_code(ac_future *f) {
  switch (ac_future_state_of(f)) {
  case AC_FUTURE_RESULT: return 0;
  case AC_FUTURE_CANCELLED: return AC_ECANCELLED;
  default: {
    ac_error *e = ac_future_error(f);
    return e != NULL ? ac_error_code(e) : AC_EINTERNAL;
  }
  }
}

/* The task woke: note it and end the run (see wake). */
static int note_wake(acgo_co *c, ac_task *t, int first) {
  acgo_loop *lp = c->lp;
  c->n_wake = ac_task_cancelling(t);
  c->turn_pending = 1;
  if (lp->nwoke == lp->capwoke &&
      grow((void **)&lp->woke, &lp->capwoke, sizeof *lp->woke) != 0) {
    lp->lost = 1;
    return AC_ENOMEM;
  }
  lp->woke[lp->nwoke++] = c;
  if (lp->slice != NULL && !first) {
    end_run(lp);
  } else {
    // A first step (tasks created together start together: their first
    // steps follow each other in the ready queue), or one iteration
    // (ac_loop_step): what is ready now still runs, not the task's next
    // step, which waits for the goroutine's request. The goroutines then
    // run in order, and the Go callbacks met meanwhile wait their turn
    // (loopturns.go).
    lp->inner_stop = 1;
    ac_loop_stop(lp->loop);
  }
  return 0;
}

/* The task woke: note it, end the run, step again when the goroutine has
 * made its next request. */
static int wake(acgo_co *c, ac_task *t, int first) {
  int rc = note_wake(c, t, first);
  return rc < 0 ? rc : AC_STEP_YIELD;
}

static void yield_turn(ac_loop *loop, void *ud) {
  (void)loop;
  acgo_yield *y = (acgo_yield *)ud;
  acgo_co *c = y->c;
  if (c == NULL || ac_future_done(y->fut)) return;  // gone, or cancelled meanwhile
  if (y->parked) {
    record(c, 0, NULL);
    note_wake(c, c->task, 0);
  }
  // Not parked yet (a run moved the step behind the turn): the step finds
  // the turn gone (yield_free) and wakes the task then.
  ac_future_set_result_none(y->fut);
}

static void yield_free(void *ud) {
  acgo_yield *y = (acgo_yield *)ud;
  if (y->c != NULL && y->c->yield == y) y->c->yield = NULL;
  ac_future_unref(y->fut);
  free(y);
}

int acgo_req_yield(void *tok, acgo_co *c) {
  if (tok != acgo_thread_token()) return ACGO_WRONG_THREAD;
  acgo_yield *y = (acgo_yield *)calloc(1, sizeof *y);
  if (y == NULL) return AC_ENOMEM;
  int rc = ac_future_new(c->lp->loop, &y->fut);
  if (rc < 0) {
    free(y);
    return rc;
  }
  y->c = c;
  rc = ac_loop_call_soon(c->lp->loop, yield_turn, y, yield_free, NULL);
  if (rc < 0) return rc;  // yield_free ran
  c->yield = y;
  c->req = ACGO_REQ_YIELD;
  return 0;
}

/* A cancellation the step took (ac_task_outcome said AC_ECANCELLED) but
 * that must reach the goroutine's next await: ask for it again. */
static void recancel(acgo_co *c, ac_task *t) {
  ac_task_cancel(t, c->cancel_msg);
  ac_task_uncancel(t);
}

static void clear_value(ac_value *v) {
  if (v->kind == AC_VALUE_BYTES) {
    ac_free(v->u.bytes.data);
    ac_value_set_none(v);
  } else {
    ac_value_clear(v);
  }
}

/* ACGO_REQ_RETURN_FIELDS becomes ACGO_REQ_RETURN: the value Go wrote in
 * place is stored as acgo_req_return stores one, at the wake-up's
 * cancellation count. */
static void take_return_fields(acgo_co *c) {
  acgo_req_return(c, c->ret_kind, c->ret_u0, c->ret_u1, 0);
}

static int co_step(ac_task *t, void *p) {
  acgo_co *c = (acgo_co *)p;
  acgo_loop *lp = c->lp;
  c->task = t;
  int first = !c->stepped;
  c->stepped = 1;
  for (;;) {
    int rc = ac_task_outcome(t);
    if (c->req == ACGO_REQ_RETURN_FIELDS) take_return_fields(c);
    int req = c->req;
    c->req = ACGO_REQ_NONE;
    if (req != ACGO_REQ_NONE) c->turn_pending = 0;
    switch (req) {
    case ACGO_REQ_NONE:
      if (c->turn_pending) {
        // Stepped again before the goroutine's turn came: keep waiting
        // (a cancellation waits for the request).
        if (rc == AC_ECANCELLED) recancel(c, t);
        return AC_STEP_YIELD;
      }
      record(c, rc, ac_task_awaited(t));
      return wake(c, t, first);
    case ACGO_REQ_AWAIT: {
      ac_future *f = c->fut;
      c->fut = NULL;
      if (rc == AC_ECANCELLED) {
        // Cancelled since the goroutine asked: as if the request had been
        // made first. The step asks again and awaits, so the library
        // cancels the future (or, when it is done already, lets it pass on
        // what it holds, a lock or an item) and the task sees the
        // cancellation at this await.
        recancel(c, t);
      } else if (ac_future_done(f)) {
        record(c, done_code(f), f);
        ac_future_unref(f);
        return wake(c, t, 0);
      }
      return ac_task_await_owned(t, f);
    }
    case ACGO_REQ_SLEEP:
      // Cancelled since the goroutine asked: the sleep is made and the
      // library cancels it, so the task learns of the cancellation through
      // the loop, after what is ready now (as asyncio's task does).
      if (rc == AC_ECANCELLED) recancel(c, t);
      return ac_task_sleep(t, c->delay);
    case ACGO_REQ_YIELD: {
      acgo_yield *y = c->yield;
      if (y == NULL) {
        // The turn came before the step (a run moved the step behind it).
        record(c, rc, NULL);
        return wake(c, t, 0);
      }
      // Parked on the turn's future; a cancellation cancels it, so the
      // task learns of it through the loop.
      if (rc == AC_ECANCELLED) recancel(c, t);
      y->parked = 1;
      return ac_task_await(t, y->fut);
    }
    case ACGO_REQ_RETURN:
    case ACGO_REQ_RAISE: {
      int out;
      if (rc == AC_ECANCELLED && c->n_end > c->n_wake) {
        // Cancelled while the goroutine ran: it ends cancelled.
        clear_value(&c->val);
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
          clear_value(&c->val);
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
      int r = lp->co_call((void *)c->h, rc);
      if (r == ACGO_WAKE_NOW || c->req == ACGO_REQ_NONE) {
        // The cancellation the step took is for the task's next await.
        c->req = ACGO_REQ_NONE;
        if (rc == AC_ECANCELLED) recancel(c, t);
        record(c, 0, NULL);
        return wake(c, t, 0);
      }
      continue;  // the await the Go code asked for (it gets the cancellation)
    }
    default:
      return AC_EINTERNAL;
    }
  }
}

static void co_free(void *p) {
  acgo_co *c = (acgo_co *)p;
  acgo_loop *lp = c->lp;
  if (c->threadsafe) {
    pthread_mutex_lock(&lp->ts_mu);
    if (lp->nfreed_ts == lp->capfreed_ts &&
        grow((void **)&lp->freed_ts, &lp->capfreed_ts, sizeof *lp->freed_ts) != 0) {
      lp->lost = 1;
    } else {
      lp->freed_ts[lp->nfreed_ts++] = c->h;
      atomic_store_explicit(&lp->has_freed_ts, 1, memory_order_release);
    }
    pthread_mutex_unlock(&lp->ts_mu);
  } else {
    push_freed(lp, c->h);
  }
  if (c->fut != NULL) ac_future_unref(c->fut);
  if (c->yield != NULL) c->yield->c = NULL;
  if (c->awaited != NULL) ac_future_unref(c->awaited);
  if (c->err != NULL) ac_error_unref(c->err);
  if (c->req == ACGO_REQ_RETURN_FIELDS) take_return_fields(c);  /* a boxed value's release */
  clear_value(&c->val);
  ac_free(c->cancel_msg);
  ac_task_state_free(c, sizeof *c);  /* a task's block: it goes with the task */
}

/* The block has room for the task in front (AC_TASK_IN_STATE): one
 * allocation per task. */
static acgo_co *co_new(acgo_loop *lp, uintptr_t h) {
  acgo_co *c = (acgo_co *)ac_task_state_alloc(sizeof *c);
  if (c == NULL) return NULL;
  memset(c, 0, sizeof *c);
  c->lp = lp;
  c->h = h;
  return c;
}

int acgo_co_spawn(acgo_loop *lp, void *h, uint32_t flags, ac_taskgroup *group, void *expect_tok,
                  uint64_t *rec_slots) {
  if (expect_tok != NULL && expect_tok != acgo_thread_token()) return ACGO_WRONG_THREAD;
  acgo_co *c = co_new(lp, (uintptr_t)h);
  if (c == NULL) return ACGO_NO_MEMORY;
  ac_task *t = NULL;
  flags |= AC_TASK_IN_STATE;
  int rc = group != NULL ? ac_taskgroup_spawn(group, co_step, c, co_free, flags, &t)
                         : ac_task_new(lp->loop, co_step, c, co_free, flags, &t);
  if (rc < 0) return rc;
  c->task = t;
  rec_slots[ACGO_SPAWN_CO] = (uintptr_t)c;
  rec_slots[ACGO_SPAWN_TASK] = (uintptr_t)t;
  rec_slots[ACGO_SPAWN_FUT] = (uintptr_t)ac_task_future(t);
  return 0;
}

int acgo_co_spawn_threadsafe(acgo_loop *lp, void *h, ac_tsfuture **out) {
  acgo_co *c = co_new(lp, (uintptr_t)h);
  if (c == NULL) return ACGO_NO_MEMORY;
  c->threadsafe = 1;
  return ac_run_threadsafe(lp->loop, co_step, c, co_free, out);
}

void acgo_req_await(acgo_co *c, ac_future *fut, int owned) {
  c->fut = owned ? fut : ac_future_ref(fut);
  c->req = ACGO_REQ_AWAIT;
}

static void end_count(acgo_co *c, int exact_end) {
  c->n_end = exact_end ? ac_task_cancelling(c->task) : c->n_wake;
}

/* A value passed by its fields (no pointer crosses). */
static void value_from(ac_value *v, int kind, uint64_t u0, uint64_t u1) {
  memset(v, 0, sizeof *v);
  v->kind = kind;
  memcpy((char *)&v->u, &u0, sizeof u0);
  memcpy((char *)&v->u + sizeof u0, &u1, sizeof u1);
}

int acgo_req_return(acgo_co *c, int kind, uint64_t u0, uint64_t u1, int exact_end) {
  clear_value(&c->val);
  value_from(&c->val, kind, u0, u1);
  end_count(c, exact_end);
  c->req = ACGO_REQ_RETURN;
  return c->n_end > c->n_wake;
}

int acgo_req_return_bytes(acgo_co *c, const void *data, size_t len, int exact_end) {
  void *p = NULL;
  if (len > 0) {
    p = ac_alloc(len);
    if (p == NULL) return AC_ENOMEM;
    memcpy(p, data, len);
  }
  clear_value(&c->val);
  ac_value_set_bytes(&c->val, p, len);
  end_count(c, exact_end);
  c->req = ACGO_REQ_RETURN;
  return c->n_end > c->n_wake;
}

void acgo_req_raise(acgo_co *c, ac_error *err, int code) {
  c->n_end = ac_task_cancelling(c->task);
  c->err = err;
  c->code = code;
  c->req = ACGO_REQ_RAISE;
}

int acgo_co_wake(acgo_co *c, uint64_t *slots) {
  put_slots(slots, c->kind, &c->f);
  slots[ACGO_FUT] = (uintptr_t)c->awaited;
  return c->rc;
}



char *acgo_co_cancel_msg(acgo_co *c) { return c->cancel_msg; }

void acgo_co_set_cancel_msg(acgo_co *c, const char *msg, size_t msg_len) {
  ac_free(c->cancel_msg);
  c->cancel_msg = NULL;
  if (msg_len == 0) return;
  c->cancel_msg = (char *)ac_alloc(msg_len + 1);
  if (c->cancel_msg != NULL) {
    memcpy(c->cancel_msg, msg, msg_len);
    c->cancel_msg[msg_len] = '\0';
  }
}

/* ---- Operations in one crossing ---------------------------------------- */

/* Settles a future an operation made (see gotask.h). */
static int settle(ac_future *g, uint64_t *slots) {
  slots[ACGO_FUT] = (uintptr_t)g;
  if (!ac_future_done(g)) return ACGO_OP_PENDING;
  ac_value v;
  if (ac_future_state_of(g) != AC_FUTURE_RESULT || ac_future_take_result(g, &v) != 0)
    return ACGO_OP_FAILED;
  acgo_value_read(&v, slots);
  ac_future_unref(g);
  slots[ACGO_FUT] = 0;
  return ACGO_OP_DONE;
}

int acgo_queue_put(void *tok, ac_queue *q, int prio_on, int64_t prio, int kind, uint64_t u0,
                   uint64_t u1, uint64_t *slots) {
  TOKEN_CHECK(tok);
  ac_value v;
  value_from(&v, kind, u0, u1);
  ac_future *g;
  int rc = prio_on ? ac_queue_put_priority(q, prio, &v, &g) : ac_queue_put(q, &v, &g);
  return rc < 0 ? rc : settle(g, slots);
}

int acgo_queue_get(void *tok, ac_queue *q, uint64_t *slots) {
  TOKEN_CHECK(tok);
  ac_future *g;
  int rc = ac_queue_get(q, &g);
  return rc < 0 ? rc : settle(g, slots);
}

int acgo_lock_acquire(void *tok, ac_lock *lock, uint64_t *slots) {
  TOKEN_CHECK(tok);
  ac_future *g;
  int rc = ac_lock_acquire(lock, &g);
  return rc < 0 ? rc : settle(g, slots);
}

int acgo_semaphore_acquire(void *tok, ac_semaphore *s, uint64_t *slots) {
  TOKEN_CHECK(tok);
  ac_future *g;
  int rc = ac_semaphore_acquire(s, &g);
  return rc < 0 ? rc : settle(g, slots);
}

int acgo_settle_made(ac_future *fut, uint64_t *slots) { return settle(fut, slots); }

int acgo_lock_release(void *tok, ac_lock *lock) {
  TOKEN_CHECK(tok);
  return ac_lock_release(lock);
}

int acgo_semaphore_release(void *tok, ac_semaphore *s) {
  TOKEN_CHECK(tok);
  return ac_semaphore_release(s);
}

int acgo_future_state(void *tok, ac_future *f) {
  if (tok != acgo_thread_token()) return ACGO_OP_WRONG + 16;
  if (f == NULL) return -1;
  return ac_future_state_of(f);
}

int acgo_error_new(int code, const char *msg, size_t msg_len, ac_error *cause, ac_error **out) {
  char *m = (char *)malloc(msg_len + 1);
  if (m == NULL) return AC_ENOMEM;
  if (msg_len > 0) memcpy(m, msg, msg_len);
  m[msg_len] = '\0';
  int rc = ac_error_new(code, m, cause, out);
  free(m);
  return rc;
}

void acgo_free_pointer(void *p, void *free_fn) {
  if (free_fn != NULL) ((ac_free_fn)free_fn)(p);
}

void acgo_unref_futures(ac_future *const *items, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (items[i] != NULL) ac_future_unref(items[i]);
}
