/**
 * \file
 * asyncore/task.h — tasks and the step protocol.
 *
 * A task is a future driven by a step function. The loop calls
 * step(task, state); the step runs until it must wait and returns one of:
 * \verbatim
 *   AC_STEP_AWAIT  after ac_task_await(task, fut) registered the one future
 *                  it waits on (return the call's value directly:
 *                  `return ac_task_await(task, fut);`);
 *   AC_STEP_YIELD  to be stepped again after the callbacks already ready
 *                  (asyncio's `await sleep(0)`);
 *   AC_STEP_DONE   finished: the result is what ac_task_return* stored, or
 *                  NONE;
 *   a negative code: failed with that code (or with the error stored by
 *                  ac_task_raise / ac_task_propagate); AC_ECANCELLED makes
 *                  the task cancelled.
 * \endverbatim
 * When the awaited future is done, the loop steps the task again; the step
 * reads the outcome with ac_task_outcome (0, an error code, or
 * AC_ECANCELLED) and the value through ac_task_awaited.
 *
 * Cancellation (asyncio.Task.cancel): cancelling a task that awaits a future
 * cancels that future, so the next step sees AC_ECANCELLED. A task cancelled
 * before its first step never runs its step (asyncio: the coroutine never
 * starts) and ends cancelled. Cancelling a task that is ready to run makes
 * its next step see AC_ECANCELLED. A step may swallow the cancellation (await something else,
 * or finish normally); ac_task_cancelling counts the requests and
 * ac_task_uncancel takes one back. A task that finishes while a
 * cancellation is pending ends cancelled, as in asyncio.
 *
 * Step functions are called only by the loop, on its thread. Every step
 * runs with the task as the loop's current task and with the task's context.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_TASK_H
#define ASYNCORE_TASK_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a step returns when it does not fail (see the top of this file). */
typedef enum ac_step_result {
  AC_STEP_DONE = 0,
  AC_STEP_AWAIT = 1,
  AC_STEP_YIELD = 2
} ac_step_result;

/** A task's step function: called by the loop with the task and its state;
 * returns an ac_step_result or a negative code. */
typedef int (*ac_step_fn)(ac_task *task, void *state);

/** Flags for ac_task_new. Append only. */
typedef enum ac_task_flags {
  AC_TASK_DEFAULT = 0,
  /** asyncio 3.12 eager_start: when the loop is running, run the first step
   * inside ac_task_new; a task that finishes there is never scheduled. */
  AC_TASK_EAGER = 1,
  /** `state` is a block of ac_task_state_alloc: the task is made in the
   * room in front of it (no allocation) and frees the block with itself,
   * after free_state (optional) has run on it. ac_task_new and
   * ac_taskgroup_spawn only; a state not from ac_task_state_alloc, or one
   * a task was made in already, is refused (AC_EINVAL; a mark in the room
   * tells them apart: give nothing else). */
  AC_TASK_IN_STATE = 2
} ac_task_flags;

/** Creates a task and schedules its first step. `free_state` (optional)
 * releases `state` exactly once, when the task finishes or is freed.
 * The task copies the current task-local context. `out` (optional)
 * receives a reference; the loop keeps its own until the task is done, so a
 * task nobody holds still runs. May run the step (AC_TASK_EAGER).
 * Errors: AC_EINVAL (NULL loop/step, unknown flag, AC_TASK_IN_STATE with
 * a state it refuses), AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM; on error
 * free_state runs at once. */
AC_EXPORT int ac_task_new(ac_loop *loop, ac_step_fn step, void *state,
                          ac_free_fn free_state, uint32_t flags,
                          ac_task **out) AC_NOEXCEPT;
/** As ac_task_new, with a zeroed state block of `state_size` bytes allocated
 * together with the task (one allocation), returned in *state_out and
 * freed with the task. The first step runs later, so fill the state after
 * this call. AC_TASK_EAGER is refused (AC_EINVAL). */
AC_EXPORT int ac_task_new_inline(ac_loop *loop, ac_step_fn step, size_t state_size,
                                 uint32_t flags, ac_task **out,
                                 void **state_out) AC_NOEXCEPT;
/** A state block of `size` bytes (uninitialised; size 0 counts as 1) with
 * room in front of it for a task: ac_task_new with AC_TASK_IN_STATE makes
 * the task there, so
 * that task and state are one allocation, freed together. For hosts that
 * allocate a task's state before they know whether it will be a task (the
 * C++ face allocates every coroutine frame here; the room costs some 200
 * bytes on a state that never becomes a task). NULL when out of memory.
 * Thread: any. */
AC_EXPORT void *ac_task_state_alloc(size_t size) AC_NOEXCEPT;
/** Frees a block of ac_task_state_alloc given the same size — unless a
 * task was made in it: the block is then the task's, and this call does
 * nothing (so a free_state function may call it). NULL is a no-op. */
AC_EXPORT void ac_task_state_free(void *state, size_t size) AC_NOEXCEPT;
/** As ac_task_new, with the state in a block of `state_size` bytes allocated
 * together with the task and filled by copying `init` (bitwise): the state
 * moves into the task, for hosts whose state is a value (a Rust future, a
 * C struct on the stack). `free_state` (optional) runs exactly once on the
 * block, when the task finishes or is freed; the block itself goes with the
 * task. AC_TASK_EAGER is allowed. `state_out` (optional) receives the block.
 * Errors: as ac_task_new, and AC_EINVAL for a NULL init or a zero size; on
 * error no copy is made and free_state runs at once on `init` itself. */
AC_EXPORT int ac_task_new_copy(ac_loop *loop, ac_step_fn step, const void *init,
                               size_t state_size, ac_free_fn free_state, uint32_t flags,
                               ac_task **out, void **state_out) AC_NOEXCEPT;

/** Adds a reference to `t` and returns it; NULL is accepted. */
AC_EXPORT ac_task *ac_task_ref(ac_task *t) AC_NOEXCEPT;
/** Drops a reference to `t`; NULL is accepted. The loop holds its own reference until the task is done. */
AC_EXPORT void ac_task_unref(ac_task *t) AC_NOEXCEPT;
/** A task is a future: this view is the same object (no new reference).
 * For a live task it is the task's own address, converted: a face that
 * holds a valid task may use `(ac_future *)t` without this call.
 * NULL for NULL or anything but a live task. */
AC_EXPORT ac_future *ac_task_future(ac_task *t) AC_NOEXCEPT;
/** The task behind a future, or NULL if it is a plain future. */
AC_EXPORT ac_task *ac_future_as_task(ac_future *f) AC_NOEXCEPT;
/** The task's loop (borrowed), NULL for NULL. */
AC_EXPORT ac_loop *ac_task_get_loop(const ac_task *t) AC_NOEXCEPT;

/** @{ */
/** Names, as asyncio's Task.set_name / get_name (default "Task-N", N
 * counting from 1 per process). The name is copied; ac_task_get_name's
 * string is borrowed until the next set_name; NULL for a bad handle.
 * Errors: AC_EINVAL, AC_ENOMEM. */
AC_EXPORT int ac_task_set_name(ac_task *t, const char *name) AC_NOEXCEPT;
AC_EXPORT const char *ac_task_get_name(const ac_task *t) AC_NOEXCEPT;
/** @} */
/** \deprecated The former name of ac_task_get_name (same function). */
AC_EXPORT const char *ac_task_name(const ac_task *t) AC_NOEXCEPT;

/** The task whose step is running on this loop, or NULL (borrowed). */
AC_EXPORT ac_task *ac_loop_current_task(const ac_loop *loop) AC_NOEXCEPT;
/** Calls fn(task, ud) for every task of the loop that is not done, in
 * creation order (asyncio.all_tasks). fn must not create or finish tasks.
 * Returns the count. Errors: AC_EINVAL, AC_ECLOSED. */
AC_EXPORT int64_t ac_loop_foreach_task(ac_loop *loop,
                                       void (*fn)(ac_task *task, void *ud),
                                       void *ud) AC_NOEXCEPT;

/** Requests cancellation (see above), with an optional message (copied).
 * Returns 1 if the request was made, 0 if the task is already done.
 * A task still pending when its loop closed never steps again, so no
 * request could reach it: cancelling it is refused with AC_ECLOSED and
 * changes nothing (the task stays pending; asyncio raises RuntimeError
 * "Event loop is closed" there). ac_future_cancel on the task's future
 * follows the same rule.
 * Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD (debug). */
AC_EXPORT int ac_task_cancel(ac_task *t, const char *message) AC_NOEXCEPT;
/** Number of pending cancellation requests (asyncio.Task.cancelling). */
AC_EXPORT int64_t ac_task_cancelling(const ac_task *t) AC_NOEXCEPT;
/** Takes one request back and returns the remaining count; when it reaches
 * 0 a cancellation not yet delivered is withdrawn (asyncio 3.13). */
AC_EXPORT int64_t ac_task_uncancel(ac_task *t) AC_NOEXCEPT;

/* ---- Called from inside the task's own step ---- */

/** Registers `fut` as what the task waits on (the task takes its own
 * reference) and returns AC_STEP_AWAIT, to be returned by the step.
 * A future that is already done does not suspend the task (asyncio's rule):
 * the step is called again as soon as it returns, with no loop trip and
 * no other callback in between. The exception: the future of ac_sleep(0)
 * always yields one iteration. A cancellation requested during the step
 * (the task cancelling itself, say) is not delivered at such an await
 * either: it waits, as in asyncio, for the next await of a future that is
 * not done (which it cancels) or ends the task cancelled when the step
 * finishes.
 * Errors (return them from the step and the task fails with them):
 * AC_EMISUSE (asyncio's RuntimeError, stored as the task's error and
 * given by ac_last_error_message: fut is the task itself, "Task cannot
 * await on itself", or a future of another loop, "Task got Future
 * attached to a different loop"), AC_EINVAL (NULL), AC_ESTATE (not called
 * from this task's running step, or a second await in one step). */
AC_EXPORT int ac_task_await(ac_task *task, ac_future *fut) AC_NOEXCEPT;
/** The same, taking over the caller's reference to `fut` (also on error),
 * so `return ac_task_await_owned(t, made_future)` leaks nothing. */
AC_EXPORT int ac_task_await_owned(ac_task *task, ac_future *fut) AC_NOEXCEPT;
/** ac_task_await for a face that goes on by itself when the future is
 * done: returns 0 and registers nothing when `fut` is done already (the
 * step goes on and reads the result; asyncio: awaiting a done future does
 * not suspend), except for a future that always yields (ac_sleep(0)'s).
 * Otherwise it registers the await as ac_task_await does and returns
 * AC_STEP_AWAIT, and the task takes over the caller's reference to `fut`
 * (on AC_STEP_AWAIT only: after 0 or an error the caller keeps it). While
 * the step that resumes from it runs, ac_task_awaited gives `fut`. One
 * call where a face would ask ac_future_done, then await, then drop its
 * reference. Errors: as ac_task_await. */
AC_EXPORT int ac_task_await_pending(ac_task *task, ac_future *fut) AC_NOEXCEPT;
/** Suspends the task for `seconds` (asyncio.sleep): the step returns what
 * this returns, AC_STEP_AWAIT. It behaves as ac_sleep + ac_task_await_owned
 * (the same order of wake-ups, the same cancellation rules), but sleeps on
 * the task's own timer, with no future and no allocation. When it resumes,
 * ac_task_awaited gives a future done with NONE (one the loop shares) or,
 * when the sleep was cancelled, a future cancelled with the request's
 * message. A delay <= 0 yields one iteration (asyncio.sleep(0)): it
 * returns AC_STEP_YIELD.
 * Errors: AC_EINVAL (NULL, NaN), AC_ESTATE (not called from this task's
 * running step, or the step awaits already), AC_ENOMEM. After it, the same
 * step cannot store an outcome (ac_task_return*, ac_task_raise,
 * ac_task_fail, ac_task_propagate return AC_ESTATE): it must return
 * AC_STEP_AWAIT. An outcome stored before it is kept (the sleep then uses
 * a future). */
AC_EXPORT int ac_task_sleep(ac_task *task, double seconds) AC_NOEXCEPT;

/** In a step: how the last await ended. 0 for a result (or on the first
 * step), the awaited future's error code, or AC_ECANCELLED when the task
 * is being cancelled. Errors: AC_EINVAL. */
AC_EXPORT int ac_task_outcome(const ac_task *task) AC_NOEXCEPT;
/** In a step: the future the last await waited on (borrowed until the step
 * returns), or NULL on the first step. */
AC_EXPORT ac_future *ac_task_awaited(const ac_task *task) AC_NOEXCEPT;
/** In a step: if the outcome is an error or a cancellation, stores that
 * error (the same ac_error, so message and cause survive) as the task's
 * error and returns its code, to be returned by the step; returns 0 when
 * the await succeeded. */
AC_EXPORT int ac_task_propagate(ac_task *task) AC_NOEXCEPT;
/** In a step: the error behind a failed outcome (borrowed until the step
 * returns): the awaited future's error, or the CancelledError being
 * delivered, with the message cancel() gave, also when the task was
 * cancelled while ready or in a yield and nothing it awaited failed.
 * NULL when the outcome is 0 (or out of memory made no error). What
 * ac_task_propagate stores. */
AC_EXPORT ac_error *ac_task_outcome_error(const ac_task *task) AC_NOEXCEPT;

/** @{ */
/** In a step: store the task's result; return AC_STEP_DONE next.
 * They return AC_STEP_DONE, or AC_EINVAL (NULL task, NULL or malformed
 * value), AC_EMISUSE (not called from the task's own running step: nothing
 * is stored, as only asyncio's coroutine itself can return). See value.h
 * for ownership. */
AC_EXPORT int ac_task_return(ac_task *task, const ac_value *v) AC_NOEXCEPT;
AC_EXPORT int ac_task_return_int64(ac_task *task, int64_t v) AC_NOEXCEPT;
AC_EXPORT int ac_task_return_double(ac_task *task, double v) AC_NOEXCEPT;
/** @} */
/** @{ */
/** In a step: store an error (new reference to err, or one made from code
 * and message) and return its code, to be returned by the step.
 * Errors: AC_EINVAL (NULL task or err, a code >= 0), AC_EMISUSE (not called
 * from the task's own running step: nothing is stored). */
AC_EXPORT int ac_task_raise(ac_task *task, ac_error *err) AC_NOEXCEPT;
AC_EXPORT int ac_task_fail(ac_task *task, int code, const char *message) AC_NOEXCEPT;
/** @} */

/**
 * @name C coroutines
 * C coroutines that read top to bottom (protothread style). The state
 * struct starts its fields with AC_ASYNC_FIELDS; locals that must survive
 * an await live in the state. Example:
 * \code
 *   struct greet { AC_ASYNC_FIELDS; const char *name; double delay; };
 *   static int greet_step(ac_task *t, void *p) {
 *     struct greet *s = p;
 *     AC_BEGIN(s);
 *     AC_AWAIT(s, ac_task_sleep(t, s->delay));
 *     AC_CHECK(t);                      // propagate error / cancellation
 *     printf("Hello, %s\n", s->name);
 *     AC_END(s);
 *   }
 * \endcode
 * AC_AWAIT returns from the step with the call's value when it is
 * AC_STEP_AWAIT/AC_STEP_YIELD or an error, and resumes on the next line
 * when the task is stepped again. Do not use `switch` around an AC_AWAIT.
 */
/** @{ */
#if defined(__GNUC__) && __GNUC__ >= 7
#define AC_FALLTHROUGH_ __attribute__((fallthrough))
#else
#define AC_FALLTHROUGH_ ((void)0)
#endif
/** The first field of a coroutine's state struct: where the step resumes. */
#define AC_ASYNC_FIELDS int ac_resume_point_
/** Opens the step's body: resumes after the AC_AWAIT the last step left at. */
#define AC_BEGIN(st)                                                         \
  switch ((st)->ac_resume_point_) {                                          \
  case 0:
/** Returns the value of `call` from the step; after AC_STEP_AWAIT or
 * AC_STEP_YIELD the next step resumes on the next line. */
#define AC_AWAIT(st, call)                                                   \
  do {                                                                       \
    int ac_rc_ = (call);                                                     \
    if (ac_rc_ <= 0) return ac_rc_;                                          \
    (st)->ac_resume_point_ = __LINE__;                                       \
    return ac_rc_;                                                           \
  case __LINE__:;                                                            \
  } while (0)
/** asyncio's `await sleep(0)`: AC_AWAIT of AC_STEP_YIELD. */
#define AC_YIELD(st) AC_AWAIT(st, AC_STEP_YIELD)
/** Ends the step with the awaited future's error or cancellation, if any
 * (ac_task_propagate). */
#define AC_CHECK(task)                                                       \
  do {                                                                       \
    int ac_rc_ = ac_task_propagate(task);                                    \
    if (ac_rc_ < 0) return ac_rc_;                                           \
  } while (0)
/** Closes the body opened by AC_BEGIN: the step returns AC_STEP_DONE. */
#define AC_END(st)                                                           \
  AC_FALLTHROUGH_;                                                           \
  default:                                                                   \
    break;                                                                   \
  }                                                                          \
  return AC_STEP_DONE
/** @} */

/** asyncio.run: creates a loop (flags as ac_loop_new), runs a task of
 * step/state to completion, cancels the tasks left and lets them finish
 * within AC_RUN_SHUTDOWN_TIMEOUT seconds (ac_loop_shutdown: asyncio waits
 * without a bound), closes and releases the loop. The main task's result is moved to `result`
 * (optional; ac_value_clear it) and its error to `error` (optional; a new
 * reference). Returns 0, the main task's error code, or AC_ECANCELLED.
 * Thread: any thread with no loop running on it. Errors: AC_EINVAL,
 * AC_ENOMEM, AC_ERUNNING (called from a callback or step of a loop running
 * on this thread: nothing is run, and `error` receives asyncio's
 * RuntimeError "asyncio.run() cannot be called from a running event
 * loop"); free_state runs exactly once in every case. */
AC_EXPORT int ac_run(ac_step_fn step, void *state, ac_free_fn free_state,
                     uint32_t loop_flags, ac_value *result,
                     ac_error **error) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
