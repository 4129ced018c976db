// The C side of Go tasks: their step function and state, the loop's
// record of woken Go tasks, and helpers that do an operation in one
// crossing of cgo (declared in gotask.h).
#include "gotask.h"

_Thread_local char acgo_thread_byte;

int acgo_grow(void **arr, size_t *cap, size_t elem) {
  size_t ncap = *cap == 0 ? 16 : *cap * 2;
  void *n = realloc(*arr, ncap * elem);
  if (n == NULL) return -1;
  *arr = n;
  *cap = ncap;
  return 0;
}

acgo_loop *acgo_loop_new(uintptr_t loop) {
  acgo_loop *lp = (acgo_loop *)calloc(1, sizeof *lp);
  if (lp == NULL) return NULL;
  lp->loop = (ac_loop *)loop;
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

void acgo_push_freed(acgo_loop *lp, uintptr_t h) {
  if (lp->nfreed == lp->capfreed &&
      acgo_grow((void **)&lp->freed, &lp->capfreed, sizeof *lp->freed) != 0) {
    lp->lost = 1;
    return;
  }
  lp->freed[lp->nfreed++] = h;
}

void acgo_merge_freed(acgo_loop *lp) {
  if (!atomic_load_explicit(&lp->has_freed_ts, memory_order_acquire)) return;
  pthread_mutex_lock(&lp->ts_mu);
  for (size_t i = 0; i < lp->nfreed_ts; i++) acgo_push_freed(lp, lp->freed_ts[i]);
  lp->nfreed_ts = 0;
  atomic_store_explicit(&lp->has_freed_ts, 0, memory_order_relaxed);
  pthread_mutex_unlock(&lp->ts_mu);
}

void acgo_break(acgo_loop *lp) {
  if (lp->slice != NULL && !ac_future_done(lp->slice)) ac_future_set_result_none(lp->slice);
  ac_loop_interrupt(lp->loop);
}

void acgo_until_cb(ac_future *f, void *ud) {
  (void)f;
  acgo_loop *lp = (acgo_loop *)ud;
  lp->until_done = 1;
  lp->inner_stop = 1;
  ac_loop_stop(lp->loop);
}

int acgo_watch_until(acgo_loop *lp, uintptr_t fut) {
  return ac_future_add_done_callback((ac_future *)fut, acgo_until_cb, lp, NULL);
}

void acgo_unwatch_until(acgo_loop *lp, uintptr_t fut) {
  ac_future_remove_done_callback((ac_future *)fut, acgo_until_cb, lp);
}

int acgo_prepare(acgo_loop *lp) {
  if (lp->next_slice != NULL) return 0;
  return ac_future_new(lp->loop, &lp->next_slice);
}

acgo_run_out acgo_run(uintptr_t lpp, double step) {
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

void acgo_record(acgo_co *c, int rc, ac_future *aw) {
  if (c->awaited != NULL) ac_future_unref(c->awaited);
  c->awaited = aw != NULL ? ac_future_ref(aw) : NULL;
  c->rc = rc;
  c->kind = AC_VALUE_NONE;
  if (rc == 0 && aw != NULL && ac_future_state_of(aw) == AC_FUTURE_RESULT) {
    ac_value v;
    if (ac_future_result(aw, &v) == 0) c->kind = acgo_fields_of(&v, &c->f);
  }
}

int acgo_done_code(ac_future *f) {
  switch (ac_future_state_of(f)) {
  case AC_FUTURE_RESULT: return 0;
  case AC_FUTURE_CANCELLED: return AC_ECANCELLED;
  default: {
    ac_error *e = ac_future_error(f);
    return e != NULL ? ac_error_code(e) : AC_EINTERNAL;
  }
  }
}

int acgo_note_wake(acgo_co *c, ac_task *t, int first) {
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
    // (loopturns.go).
    lp->inner_stop = 1;
    ac_loop_stop(lp->loop);
  }
  return 0;
}

int acgo_wake(acgo_co *c, ac_task *t, int first) {
  int rc = acgo_note_wake(c, t, first);
  return rc < 0 ? rc : AC_STEP_YIELD;
}

void acgo_yield_turn(ac_loop *loop, void *ud) {
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

void acgo_yield_free(void *ud) {
  acgo_yield *y = (acgo_yield *)ud;
  if (y->c != NULL && y->c->yield == y) y->c->yield = NULL;
  ac_future_unref(y->fut);
  free(y);
}

int acgo_req_yield(acgo_co *c) {
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

void acgo_recancel(acgo_co *c, ac_task *t) {
  ac_task_cancel(t, c->cancel_msg);
  ac_task_uncancel(t);
}

void acgo_clear_value(ac_value *v) {
  if (v->kind == AC_VALUE_BYTES) {
    ac_free(v->u.bytes.data);
    ac_value_set_none(v);
  } else {
    ac_value_clear(v);
  }
}

int acgo_co_step(ac_task *t, void *p) {
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

void acgo_co_free(void *p) {
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

acgo_co *acgo_co_new(acgo_loop *lp, uintptr_t h) {
  acgo_co *c = (acgo_co *)calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->lp = lp;
  c->h = h;
  return c;
}

acgo_spawned acgo_co_spawn(uintptr_t lpp, uintptr_t h, uint32_t flags, uintptr_t group,
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

acgo_spawned acgo_co_spawn_threadsafe(uintptr_t lpp, uintptr_t h) {
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

acgo_op acgo_settle(ac_future *g) {
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

acgo_op acgo_queue_put(uintptr_t tok, uintptr_t q, int prio_on, int64_t prio, int kind,
                              uint64_t u0, uint64_t u1) {
  ACGO_OP_TOK(tok);
  ac_value v;
  acgo_value_from(&v, kind, u0, u1);
  ac_future *g;
  int rc = prio_on ? ac_queue_put_priority((ac_queue *)q, prio, &v, &g)
                   : ac_queue_put((ac_queue *)q, &v, &g);
  return rc < 0 ? acgo_op_rc(rc) : acgo_settle(g);
}

acgo_op acgo_queue_get(uintptr_t tok, uintptr_t q) {
  ACGO_OP_TOK(tok);
  ac_future *g;
  int rc = ac_queue_get((ac_queue *)q, &g);
  return rc < 0 ? acgo_op_rc(rc) : acgo_settle(g);
}

acgo_op acgo_lock_acquire(uintptr_t tok, uintptr_t lock) {
  ACGO_OP_TOK(tok);
  ac_future *g;
  int rc = ac_lock_acquire((ac_lock *)lock, &g);
  return rc < 0 ? acgo_op_rc(rc) : acgo_settle(g);
}

acgo_op acgo_semaphore_acquire(uintptr_t tok, uintptr_t s) {
  ACGO_OP_TOK(tok);
  ac_future *g;
  int rc = ac_semaphore_acquire((ac_semaphore *)s, &g);
  return rc < 0 ? acgo_op_rc(rc) : acgo_settle(g);
}

acgo_op acgo_settle_made(uintptr_t g) { return acgo_settle((ac_future *)g); }

// Release calls: 2 from another thread, else the library's code.
int acgo_lock_release(uintptr_t tok, uintptr_t lock) {
  ACGO_TOK(tok);
  return ac_lock_release((ac_lock *)lock);
}

int acgo_semaphore_release(uintptr_t tok, uintptr_t s) {
  ACGO_TOK(tok);
  return ac_semaphore_release((ac_semaphore *)s);
}

int acgo_future_state(uintptr_t tok, uintptr_t f) {
  if (tok != acgo_thread_token()) return 18;
  if (f == 0) return -1;
  return ac_future_state_of((const ac_future *)f);
}

int acgo_error_new(int code, const char *msg, uintptr_t cause, uintptr_t *out) {
  ac_error *e = NULL;
  int rc = ac_error_new(code, msg, (ac_error *)cause, &e);
  if (rc == 0) *out = (uintptr_t)e;
  return rc;
}

void acgo_free_pointer(uintptr_t p, uintptr_t fn) {
  if (fn != 0) ((ac_free_fn)fn)((void *)p);
}

void acgo_unref_futures(const uintptr_t *ptrs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (ptrs[i] != 0) ac_future_unref((ac_future *)ptrs[i]);
}
