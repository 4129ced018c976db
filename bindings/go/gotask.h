// The C side of Go tasks and of the binding's one-crossing helpers.
// Included by the cgo preamble of gotask_cgo.go; what Go calls is declared
// here and defined in gotask.c (small inline helpers stay here).
#ifndef ACGO_GOTASK_H
#define ACGO_GOTASK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <asyncore.h>

// The callbacks Go exports (c_callbacks.go); declared here so Go can take
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
// One definition (gotask.c), so that C and Go compare the same address.
extern _Thread_local char acgo_thread_byte;
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

int acgo_grow(void **arr, size_t *cap, size_t elem);

acgo_loop *acgo_loop_new(uintptr_t loop);

void acgo_loop_free(acgo_loop *lp);

void acgo_push_freed(acgo_loop *lp, uintptr_t h);

// Moves the handles freed on other threads to the loop's list (holder).
void acgo_merge_freed(acgo_loop *lp);

// Ends the current run before its next callback.
void acgo_break(acgo_loop *lp);

// As asyncio's run_until_complete, the future's done-callback stops the
// loop: the rest of the iteration still runs.
void acgo_until_cb(ac_future *f, void *ud);

// The run's future gets a done-callback that ends the run.
int acgo_watch_until(acgo_loop *lp, uintptr_t fut);

void acgo_unwatch_until(acgo_loop *lp, uintptr_t fut);

// Makes the next run's future ahead of time (loop thread).
int acgo_prepare(acgo_loop *lp);

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
acgo_run_out acgo_run(uintptr_t lpp, double step);

// Records how the last await ended.
void acgo_record(acgo_co *c, int rc, ac_future *aw);

// The outcome code of a done future, as an await of it would see it.
int acgo_done_code(ac_future *f);

// The task woke: note it and end the run (see acgo_wake).
int acgo_note_wake(acgo_co *c, ac_task *t, int first);

// The task woke: note it, end the run, step again when the goroutine has
// made its next request.
int acgo_wake(acgo_co *c, ac_task *t, int first);

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

void acgo_yield_turn(ac_loop *loop, void *ud);

void acgo_yield_free(void *ud);

// The request: the turn is posted now (loop thread). 0, or a code.
int acgo_req_yield(acgo_co *c);

// A cancellation the step took (ac_task_outcome said AC_ECANCELLED) but
// that must reach the goroutine's next await: ask for it again.
void acgo_recancel(acgo_co *c, ac_task *t);

void acgo_clear_value(ac_value *v);

int acgo_co_step(ac_task *t, void *p);

void acgo_co_free(void *p);

acgo_co *acgo_co_new(acgo_loop *lp, uintptr_t h);

// Creates a Go task (loop thread) with the state above, in group when not
// 0, after checking the thread is expect_tok's (when not 0). rc 1: wrong
// thread, 2: no memory (nothing made); rc < 0: the library's code (the
// state is gone: its handle is on the freed list).
typedef struct acgo_spawned {
  int rc;
  acgo_co *c;
  uintptr_t task, fut;
} acgo_spawned;

acgo_spawned acgo_co_spawn(uintptr_t lpp, uintptr_t h, uint32_t flags, uintptr_t group,
                                  uintptr_t expect_tok);

// ac_run_threadsafe for a Go task (any thread); fut is the thread-safe
// future.
acgo_spawned acgo_co_spawn_threadsafe(uintptr_t lpp, uintptr_t h);

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

acgo_op acgo_settle(ac_future *g);

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

acgo_op acgo_queue_put(uintptr_t tok, uintptr_t q, int prio_on, int64_t prio, int kind,
                              uint64_t u0, uint64_t u1);

acgo_op acgo_queue_get(uintptr_t tok, uintptr_t q);

acgo_op acgo_lock_acquire(uintptr_t tok, uintptr_t lock);

acgo_op acgo_semaphore_acquire(uintptr_t tok, uintptr_t s);

// A future just made by the caller (its reference passed in): settled as
// above.
acgo_op acgo_settle_made(uintptr_t g);

// Release calls: 2 from another thread, else the library's code.
int acgo_lock_release(uintptr_t tok, uintptr_t lock);

int acgo_semaphore_release(uintptr_t tok, uintptr_t s);

// The state of a future (future.h), or 2+16 from another thread.
int acgo_future_state(uintptr_t tok, uintptr_t f);

// ac_error_new with the message as given, an empty one included (SWIG
// passes an empty Go string as NULL, which means the code's description).
int acgo_error_new(int code, const char *msg, uintptr_t cause, uintptr_t *out);

// Releases a pointer value moved out of the library (its destructor).
void acgo_free_pointer(uintptr_t p, uintptr_t fn);

// Drops a reference on each future of ptrs.
void acgo_unref_futures(const uintptr_t *ptrs, size_t n);

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

#endif
