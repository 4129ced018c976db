/*
 * gotask.h — the C side of the Go binding's tasks and of its one-crossing
 * operations, defined in gotask.c and compiled with this package. SWIG
 * reads this file (bindings/go/go.i includes it), so package raw wraps
 * every function below like a function of the library's contract
 * (acgo_run -> raw.Acgo_run); package asyncore reaches them only there.
 *
 * Shapes that keep each call one crossing of cgo:
 *  - Go handles (the integers naming Go values, handles.go) and thread
 *    tokens travel as `void *`: plain integers (uintptr) in Go.
 *  - A C value comes out as slots of a Go [ACGO_NSLOTS]uint64 (`slots`):
 *    its kind, its 64 bits (int64, the double's bits or the address), the
 *    length of bytes, a pointer value's destructor, and for an operation
 *    the future it left to await.
 *  - The list of freed handles is copied into a Go []uint64.
 *  - What a hand-over exchanges (the request of an await, a sleep or a
 *    call; the woken tasks and their wake-up records) is read and written
 *    by Go in place, with no crossing (see Shared memory below).
 *  - C calls Go only through the function pointers it is given (the
 *    //export functions of callbacks.go), never by name, so this package
 *    links without the Go one.
 *
 * A Go task is a library task whose step function is acgo_co_step, in C:
 * it never calls into Go (but for ACGO_REQ_CALL). Its state (acgo_co)
 * carries the request the task's goroutine made when it last stopped
 * (await this future, sleep, yield, return this value ...), which the step
 * carries out, and the record of how the task's last await ended, which
 * the goroutine reads. When the task wakes, the step records the outcome,
 * notes the task in the loop's list of woken Go tasks and ends the loop's
 * current run (acgo_run), so the run returns before the next callback and
 * the binding hands the loop to the woken task's goroutine (loopturns.go).
 */
#ifndef ACGO_GOTASK_H
#define ACGO_GOTASK_H

#include <stddef.h>
#include <stdint.h>

#include <asyncore.h>

/* A loop's Go-side scheduling record, and a Go task's state (opaque). */
typedef struct acgo_loop acgo_loop;
typedef struct acgo_co acgo_co;

/* The Go function a step calls for ACGO_REQ_CALL (acgoCoCall): runs the
 * code the task asked to run inside its step; 0 when that code asked for
 * an await, ACGO_WAKE_NOW when the task goes on at once. */
typedef int (*acgo_co_call_fn)(void *h, int rc);

/* Slots of a value or an operation's outcome (see the top comment). */
#define ACGO_KIND 0
#define ACGO_BITS 1
#define ACGO_LEN 2
#define ACGO_FREEFN 3
#define ACGO_FUT 4
#define ACGO_NSLOTS 5

/* acgo_co_call_fn's "the task goes on at once": a wake-up is due now. */
#define ACGO_WAKE_NOW (-1)

/* Codes of the helpers for "nothing was done" (apart from the library's
 * negative codes): called from another thread than the loop's holder, no
 * memory (the caller still owns its handle). */
#define ACGO_WRONG_THREAD 1
#define ACGO_NO_MEMORY 2

/* Results of the one-crossing operations: done at once (the result is in
 * the slots), pending (await the future in slots[ACGO_FUT]), called from
 * another thread (nothing done), done at once but failed (read the error
 * of the future in slots[ACGO_FUT]). */
#define ACGO_OP_DONE 0
#define ACGO_OP_PENDING 1
#define ACGO_OP_WRONG 2
#define ACGO_OP_FAILED 3

/* Requests a goroutine makes of its task's next step. */
#define ACGO_REQ_NONE 0   /* the next step is a wake-up */
#define ACGO_REQ_AWAIT 1  /* await a future (the state owns a reference) */
#define ACGO_REQ_SLEEP 2  /* sleep */
#define ACGO_REQ_YIELD 3  /* let the ready callbacks run first */
#define ACGO_REQ_RETURN 4 /* finish with a value */
#define ACGO_REQ_RAISE 5  /* fail with an error, or a code */
#define ACGO_REQ_CALL 6   /* run Go code inside the step, then carry on */
/* finish with the value whose kind and words Go wrote into ret_kind,
 * ret_u0 and ret_u1, at the wake-up's cancellation count: a return in no
 * crossing */
#define ACGO_REQ_RETURN_FIELDS 7

/* ---- Shared memory ------------------------------------------------------ */
/*
 * The hot path of a hand-over crosses cgo only to run the loop: the
 * holder of the loop reads and writes the first fields of the loop's
 * record and of a task's state in place, through Go mirror types over
 * their C addresses (callpath.go), between runs and on the loop's thread:
 *  - acgo_loop: woke (acgo_co **, the Go tasks woken during the current
 *    run, in order), nwoke (size_t; Go sets it to 0 once it took them),
 *    until_done (int, the run's future is done; Go resets it), and the
 *    slots (uint64_t arrays) the holder passes to acgo_run (run,
 *    ACGO_RUN_NSLOTS), to the operations (op) and to acgo_co_wake (wake,
 *    ACGO_NSLOTS each): C memory, so that no Go pointer crosses;
 *  - acgo_co: req (int; ACGO_REQ_AWAIT with fut a reference Go owns,
 *    ACGO_REQ_SLEEP with delay, ACGO_REQ_CALL), rc (int), fut, delay
 *    (double), h (uintptr_t, the Go handle), task (ac_task *), n_wake
 *    (int, the cancellation count at the wake-up), kind (int) and the
 *    result's bits (uint64_t) and length (size_t), awaited (ac_future *):
 *    the record of the last wake-up, kept until the next request; then
 *    ret_kind (int), ret_u0 and ret_u1 (uint64_t), a result Go writes in
 *    place with ACGO_REQ_RETURN_FIELDS.
 * acgo_layout gives each one's offset and size, in this order, as pairs:
 * the Go side compares them with its mirrors' at start-up and in a test.
 * A parameter named rec_slots or run_out is always such slots of the
 * loop's record: Go passes its address as a plain integer (go.i), since
 * cgo checks every pointer argument of unknown pointee for Go pointers
 * (about 200 instructions a call) and this one is never one.
 */
#define ACGO_LAYOUT_LOOP_WOKE 0
#define ACGO_LAYOUT_LOOP_NWOKE 1
#define ACGO_LAYOUT_LOOP_UNTIL_DONE 2
#define ACGO_LAYOUT_LOOP_RUN 3
#define ACGO_LAYOUT_LOOP_OP 4
#define ACGO_LAYOUT_LOOP_WAKE 5
#define ACGO_LAYOUT_CO_REQ 6
#define ACGO_LAYOUT_CO_RC 7
#define ACGO_LAYOUT_CO_FUT 8
#define ACGO_LAYOUT_CO_DELAY 9
#define ACGO_LAYOUT_CO_H 10
#define ACGO_LAYOUT_CO_TASK 11
#define ACGO_LAYOUT_CO_N_WAKE 12
#define ACGO_LAYOUT_CO_KIND 13
#define ACGO_LAYOUT_CO_BITS 14
#define ACGO_LAYOUT_CO_LEN 15
#define ACGO_LAYOUT_CO_AWAITED 16
#define ACGO_LAYOUT_CO_RET_KIND 17
#define ACGO_LAYOUT_CO_RET_U0 18
#define ACGO_LAYOUT_CO_RET_U1 19
#define ACGO_LAYOUT_NFIELDS 20
/* Fills list with (offset, size) of each shared field, when it has room
 * for 2 * ACGO_LAYOUT_NFIELDS; returns that number. */
size_t acgo_layout(uint64_t *list, size_t list_len);

/* ---- Threads and memory ------------------------------------------------ */

/* A token of the calling OS thread (the address of a thread-local byte).
 * The goroutine holding a loop is locked to its thread, so comparing
 * tokens tells whether a call comes from it. */
void *acgo_thread_token(void);

/* A malloc'd copy of bytes (NULL when empty); freed with acgo_free. */
void *acgo_copy_in(const void *data, size_t len);
void acgo_free(void *p);
/* Copies len bytes at the C address src into dst (Go memory). */
void acgo_copy_out(void *src, void *dst, size_t dst_len);
/* The NUL-terminated string at a C address, copied to Go. */
char *acgo_string(void *p);

/* Makes the ac_value at v a bytes value over C memory (borrowed). */
void acgo_value_set_bytes(void *v, void *data, size_t len);
/* Reads the ac_value at v into slots (kind, bits, length, destructor). */
int acgo_value_read(void *v, uint64_t *slots);
/* A done future's outcome: ac_future_result's code, and the result in
 * slots when it is 0. */
int acgo_future_outcome(ac_future *fut, uint64_t *slots);
/* How a task's last await ended: ac_task_outcome, the awaited future
 * (slots[ACGO_FUT]) and its result when the outcome is 0. */
int acgo_task_outcome(ac_task *task, uint64_t *slots);

/* ---- The loop's record ------------------------------------------------- */

acgo_loop *acgo_loop_new(ac_loop *loop, acgo_co_call_fn co_call);
void acgo_loop_free(acgo_loop *lp);

/* Makes the next run's future ahead of time (loop thread). */
int acgo_prepare(acgo_loop *lp);

/* Runs the loop on the calling thread until a Go task wakes, the run's
 * future is done, or the loop stops: ac_loop_run_until_complete on the
 * slice future. With step >= 0 it is one ac_loop_step blocking at most
 * step seconds (a Go task that wakes stops it after what was ready).
 * Returns the library's code; run_out gets the calling thread's token, the
 * run's future is done (1/0), the tasks woken, ac_loop_step's pending and
 * next, a Go task's first step stopped the run (1/0), the task states
 * released (acgo_take_freed), the record lost memory (acgo_lost). */
#define ACGO_RUN_TOK 0
#define ACGO_RUN_UNTIL_DONE 1
#define ACGO_RUN_NWOKE 2
#define ACGO_RUN_PENDING 3
#define ACGO_RUN_NEXT 4 /* the double's bits */
#define ACGO_RUN_INNER_STOP 5
#define ACGO_RUN_NFREED 6
#define ACGO_RUN_LOST 7
#define ACGO_RUN_NSLOTS 8
int acgo_run(acgo_loop *lp, double step, uint64_t *run_out);

/* The Go handles of task states the library released since the last call
 * (merge: also those released on other threads), copied into list: their
 * number; cleared only when they all fitted. */
/* Ends the current run of acgo_run (step < 0) after the callbacks ready now:
 * a Go callback readied a goroutine outside the loop, to which the run's
 * goroutine yields before it runs the loop again (loopturns.go). No
 * effect between runs. */
void acgo_end_run_early(acgo_loop *lp);
size_t acgo_take_freed(acgo_loop *lp, int merge, uint64_t *list, size_t list_len);
/* The run's future gets a done-callback that ends the run (and loses it). */
int acgo_watch_until(acgo_loop *lp, ac_future *fut);
void acgo_unwatch_until(acgo_loop *lp, ac_future *fut);

/* ---- Go tasks ---------------------------------------------------------- */

/* Creates a Go task (loop thread) whose state names the Go handle h, in
 * group when not NULL, after checking the thread is expect_tok's (when not
 * NULL). Returns 0 with the state, the task and its future in
 * rec_slots[ACGO_SPAWN_CO], [ACGO_SPAWN_TASK] and [ACGO_SPAWN_FUT] (the
 * loop record's op slots, written last: a first step run at once, an
 * eager task's, may use them before); ACGO_WRONG_THREAD or ACGO_NO_MEMORY
 * (nothing made); or the library's code (the state is gone: h is on the
 * freed list). */
#define ACGO_SPAWN_CO 0
#define ACGO_SPAWN_TASK 1
#define ACGO_SPAWN_FUT 2
int acgo_co_spawn(acgo_loop *lp, void *h, uint32_t flags, ac_taskgroup *group, void *expect_tok,
                  uint64_t *rec_slots);
/* ac_run_threadsafe for a Go task (any thread). */
int acgo_co_spawn_threadsafe(acgo_loop *lp, void *h, ac_tsfuture **out);

/* Requests (the goroutine's side; it holds the loop). Go writes the
 * request of an await of a future it owns a reference to, of a sleep and
 * of a call in place (see Shared memory); the others go through these. */
void acgo_req_await(acgo_co *c, ac_future *fut, int owned);
/* A yield, whose turn is posted now: 0, or a code; ACGO_WRONG_THREAD
 * (nothing done) when tok is not the calling thread's. */
int acgo_req_yield(void *tok, acgo_co *c);
/* RETURN a value given by its kind and 64-bit words (bytes: see below);
 * exact_end reads the task's cancellation count from the library, else
 * the count at the last wake-up is kept. Returns 1 when the task was
 * cancelled while its goroutine ran (it will end cancelled), else 0. */
int acgo_req_return(acgo_co *c, int kind, uint64_t u0, uint64_t u1, int exact_end);
/* RETURN bytes (copied with ac_alloc): as acgo_req_return, or AC_ENOMEM. */
int acgo_req_return_bytes(acgo_co *c, const void *data, size_t len, int exact_end);
void acgo_req_raise(acgo_co *c, ac_error *err, int code);

/* How the last wake-up ended: its code, and the awaited future
 * (slots[ACGO_FUT]) and its result in slots. */
int acgo_co_wake(acgo_co *c, uint64_t *rec_slots);
/* The message of the last cancel asked through Go ("" for none). */
char *acgo_co_cancel_msg(acgo_co *c);
void acgo_co_set_cancel_msg(acgo_co *c, const char *msg, size_t msg_len);

/* ---- Operations in one crossing ---------------------------------------- */
/*
 * Each takes the token of the thread holding the loop (tok) and returns
 * ACGO_OP_WRONG when called from another thread, without doing anything.
 * An operation that makes a future settles it when it is done already
 * (ACGO_OP_DONE: the result moved into the slots, the future released;
 * ACGO_OP_FAILED), or hands it out to await (ACGO_OP_PENDING); or it is
 * the library's negative code.
 */
int acgo_queue_put(void *tok, ac_queue *q, int prio_on, int64_t prio, int kind, uint64_t u0,
                   uint64_t u1, uint64_t *rec_slots);
int acgo_queue_get(void *tok, ac_queue *q, uint64_t *rec_slots);
int acgo_lock_acquire(void *tok, ac_lock *lock, uint64_t *rec_slots);
int acgo_semaphore_acquire(void *tok, ac_semaphore *s, uint64_t *rec_slots);
/* A future just made by the caller (its reference passed in). */
int acgo_settle_made(ac_future *fut, uint64_t *rec_slots);

/* Release calls: ACGO_OP_WRONG from another thread, else the library's
 * code. */
int acgo_lock_release(void *tok, ac_lock *lock);
int acgo_semaphore_release(void *tok, ac_semaphore *s);

/* The state of a future (future.h), or ACGO_OP_WRONG+16 from another
 * thread. */
int acgo_future_state(void *tok, ac_future *f);

/* ac_error_new with the message as given, an empty one included. */
int acgo_error_new(int code, const char *msg, size_t msg_len, ac_error *cause, ac_error **out);

/* Releases a pointer value moved out of the library (its destructor). */
void acgo_free_pointer(void *p, void *free_fn);

/* Drops a reference on each future of a list. */
void acgo_unref_futures(ac_future *const *items, size_t n);

#endif
