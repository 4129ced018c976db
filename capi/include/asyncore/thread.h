/**
 * \file
 * asyncore/thread.h — every safe road between a loop and other threads.
 *
 *  - Blocking work on a worker pool (asyncio.to_thread / run_in_executor):
 *    ac_to_thread runs a plain C function on libuv's thread pool or on a
 *    dedicated ac_executor and hands back a loop future of its result.
 *  - Thread-safe futures (concurrent.futures.Future): ac_tsfuture, which any
 *    thread may complete, read or wait on (blocking, with a timeout), and
 *    ac_tsfuture_wrap, which gives a loop future that follows one so a task
 *    can await it (asyncio.wrap_future).
 *  - ac_run_threadsafe (asyncio.run_coroutine_threadsafe): from any thread,
 *    start a task on a loop and get an ac_tsfuture of its outcome.
 *
 * Together with ac_loop_call_soon_threadsafe and
 * ac_future_complete_threadsafe (loop.h, future.h) these are the only ways
 * to reach a loop from another thread. Several loops may run on several
 * threads at once; they hand work and results to each other with
 * ac_run_threadsafe + ac_tsfuture_wrap, and no lock is ever held across an
 * await. Submitting to a loop that is closed (or closing) returns
 * AC_ECLOSED; it never crashes, provided the caller holds a reference to the
 * loop for the duration of the call.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_THREAD_H
#define ASYNCORE_THREAD_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "task.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A dedicated pool of worker threads (ac_executor_new). */
typedef struct ac_executor ac_executor;
/** A thread-safe future, which belongs to no loop (ac_tsfuture_new). */
typedef struct ac_tsfuture ac_tsfuture;

/* ------------------------------------------------------------ workers */

/** A blocking function run on a worker thread. It stores its result in
 * `*result` (NONE on entry; set it with ac_value_set_*) and returns 0, or
 * returns a negative code to fail (AC_ECANCELLED makes the future
 * cancelled; a positive return counts as AC_EINVAL). Bytes are copied just
 * after the function returns, so they must point at memory that outlives the
 * call (static data, or memory of `ud`, which free_ud releases later); a
 * pointer value's ownership passes to the library (its destructor runs exactly once:
 * by the future that holds it, or when nobody can receive it any more). A
 * value set by a failing function is released. It must not call functions
 * of a loop other than those marked "Thread: any", and the ac_context_*
 * calls, which work on the worker's copy of the submitter's context (see
 * ac_to_thread). */
typedef int (*ac_work_fn)(void *ud, ac_value *result);

/** As ac_work_fn, for a function that can fail with an error object, as a
 * Python function run by asyncio.to_thread raises an exception: on failure
 * it may store in `*error` (NULL on entry) an error it made
 * (ac_error_new: a message, a cause, children, a host payload), handing
 * its reference over; the future then fails with that very error, and its
 * code (not the return value) is the future's code (AC_ECANCELLED: the
 * future is cancelled, with that error). An error stored by a function that
 * returns 0, or one whose code is not negative, is released and ignored. */
typedef int (*ac_work_v2_fn)(void *ud, ac_value *result, ac_error **error);

/** Creates a dedicated pool of `n_threads` worker threads (1 to 1024),
 * started now. Work runs in submission order (FIFO) as threads free up.
 * Thread: any. Errors: AC_EINVAL (n_threads out of range, out NULL),
 * AC_ENOMEM, or the error of creating a thread (no thread is left running). */
AC_EXPORT int ac_executor_new(uint32_t n_threads, ac_executor **out) AC_NOEXCEPT;
/** @{ */
/** Thread: any (atomic). ref returns its argument; both accept NULL.
 * Dropping the last reference of a pool that was not shut down shuts it
 * down without waiting (AC_EXECUTOR_DEFAULT below): queued work still runs,
 * and the threads exit on their own when the queue is empty. */
AC_EXPORT ac_executor *ac_executor_ref(ac_executor *ex) AC_NOEXCEPT;
AC_EXPORT void ac_executor_unref(ac_executor *ex) AC_NOEXCEPT;
/** @} */

/** Flags for ac_executor_shutdown. Append only. */
typedef enum ac_executor_shutdown_flags {
  AC_EXECUTOR_DEFAULT = 0,
  /** Block until every worker thread has exited (after the queue drained
   * or was cancelled). Never use it from a thread whose loop has work
   * running on this pool that waits for that loop. */
  AC_EXECUTOR_WAIT = 1,
  /** Cancel the work still queued (not yet started): each of its futures
   * becomes cancelled on its loop and its free_ud runs there. Work already
   * running is never interrupted. */
  AC_EXECUTOR_CANCEL_PENDING = 2
} ac_executor_shutdown_flags;

/** Stops accepting work (ac_to_thread then returns AC_ECLOSED), as
 * concurrent.futures' shutdown(wait, cancel_futures). May be called again,
 * e.g. with AC_EXECUTOR_WAIT after a first call without it.
 * Thread: any but one of the pool's own workers when AC_EXECUTOR_WAIT is
 * given. Runs no callback of the caller's (cancelled work's free_ud runs on
 * its loop). Errors: AC_EINVAL (NULL, unknown flag), AC_EWRONGTHREAD
 * (AC_EXECUTOR_WAIT from one of the pool's workers; nothing is done). */
AC_EXPORT int ac_executor_shutdown(ac_executor *ex, uint32_t flags) AC_NOEXCEPT;

/** Runs fn(ud, &result) on a worker: of `ex`, or of libuv's shared pool when
 * `ex` is NULL (its size is libuv's, UV_THREADPOOL_SIZE, default 4). `*out`
 * receives a new future of the loop that completes with the function's
 * result or error. Never blocks: a saturated pool queues the work.
 * Loop thread only.
 *
 * free_ud(ud) runs exactly once, on the loop's thread, after the function
 * has returned (or when it will never run) — with one exception: when the
 * loop is already closed by the time a dedicated executor hands the work
 * back (the function returned, or ac_executor_shutdown cancelled it),
 * free_ud and the result's destructor run on that executor's thread.
 *
 * On a loop with AC_LOOP_VIRTUAL_CLOCK the job holds the clock until its
 * result is delivered or its future cancelled (loop.h): its result arrives
 * at the virtual time it was started.
 *
 * Cancelling the future (ac_future_cancel, or cancelling a task awaiting
 * it) before the work started removes it from the pool: fn never runs.
 * Once the work has started, it runs to the end; its result is then dropped
 * (its destructor runs once). The future itself is cancelled at once either
 * way. Dropping the future without cancelling lets the work run.
 *
 * Closing the loop cancels the work of this loop that has not started.
 * Work already running on libuv's pool keeps the loop's libuv memory in
 * use, so ac_loop_close waits for it to return (as asyncio.run waits for
 * the default executor); work running on a dedicated executor is not
 * waited for. The futures of such work stay pending.
 *
 * Task-local context: as asyncio.to_thread, the function runs in a copy of
 * the context current at this call (the calling task's). During the call,
 * ac_context_get / _set / _delete from the worker thread, with this `loop`
 * (or NULL), read and change that copy as they would the task's context on
 * the loop's thread; changes stay in the copy (the task never sees them).
 * Views handed out by ac_context_get stay valid until the function returns
 * (or the value is replaced). The copy goes with the job; when it holds
 * the last reference to a pointer value, that value's destructor runs where
 * free_ud does.
 *
 * Errors: AC_EINVAL (NULL loop, fn or out), AC_ECLOSED (closed loop or
 * shut-down executor), AC_EWRONGTHREAD, AC_ENOMEM; on error free_ud runs at
 * once. */
AC_EXPORT int ac_to_thread(ac_loop *loop, ac_work_fn fn, void *ud, ac_free_fn free_ud,
                           ac_executor *ex, ac_future **out) AC_NOEXCEPT;
/** As ac_to_thread, for a function that may fail with an error object
 * (ac_work_v2_fn). Same rules and errors. */
AC_EXPORT int ac_to_thread_v2(ac_loop *loop, ac_work_v2_fn fn, void *ud, ac_free_fn free_ud,
                              ac_executor *ex, ac_future **out) AC_NOEXCEPT;

/* ------------------------------------------------- thread-safe futures */

/** A callback of a thread-safe future: runs on the thread that completes the
 * future, in registration order, after waiters have been woken — or at
 * once, on the registering thread, when the future is already done. */
typedef void (*ac_tsfuture_callback_fn)(ac_tsfuture *ts, void *ud);

/** Creates a pending thread-safe future (one reference for the caller).
 * Unlike ac_future it belongs to no loop; every function below may be
 * called from any thread by a caller that holds a reference.
 * Errors: AC_EINVAL (out NULL), AC_ENOMEM. */
AC_EXPORT int ac_tsfuture_new(ac_tsfuture **out) AC_NOEXCEPT;
/** @{ */
/** Thread: any (atomic). ref returns its argument; both accept NULL. A
 * pointer result's destructor runs on the thread dropping the last
 * reference, or registered callbacks' free_ud when it is dropped pending. */
AC_EXPORT ac_tsfuture *ac_tsfuture_ref(ac_tsfuture *ts) AC_NOEXCEPT;
AC_EXPORT void ac_tsfuture_unref(ac_tsfuture *ts) AC_NOEXCEPT;
/** @} */

/** @{ */
/** State (ac_future_state values), done 1/0, cancelled 1/0; AC_EINVAL for
 * NULL. Thread: any. */
AC_EXPORT int ac_tsfuture_get_state(const ac_tsfuture *ts) AC_NOEXCEPT;
AC_EXPORT int ac_tsfuture_done(const ac_tsfuture *ts) AC_NOEXCEPT;
AC_EXPORT int ac_tsfuture_cancelled(const ac_tsfuture *ts) AC_NOEXCEPT;
/** @} */
/** \deprecated The former name of ac_tsfuture_get_state (same function). */
AC_EXPORT int ac_tsfuture_state_of(const ac_tsfuture *ts) AC_NOEXCEPT;

/** @{ */
/** Completes the future, wakes its waiters and runs its callbacks on the
 * calling thread before returning. Thread: any. Ownership of `v` as in
 * value.h; `v` is required (NULL is refused: set_result_none completes
 * with NONE). Errors: AC_EINVAL (NULL ts or v, malformed value, a code >= 0
 * or AC_ECANCELLED for set_error*: use ac_tsfuture_cancel), AC_ESTATE
 * (already done; the caller keeps `v`), AC_ENOMEM. */
AC_EXPORT int ac_tsfuture_set_result(ac_tsfuture *ts, const ac_value *v) AC_NOEXCEPT;
AC_EXPORT int ac_tsfuture_set_result_none(ac_tsfuture *ts) AC_NOEXCEPT;
AC_EXPORT int ac_tsfuture_set_result_int64(ac_tsfuture *ts, int64_t v) AC_NOEXCEPT;
/** @} */
/** @{ */
/** set_error takes a new reference to err; set_error_code makes one
 * (message NULL: the code's description). */
AC_EXPORT int ac_tsfuture_set_error(ac_tsfuture *ts, ac_error *err) AC_NOEXCEPT;
AC_EXPORT int ac_tsfuture_set_error_code(ac_tsfuture *ts, int code,
                                         const char *message) AC_NOEXCEPT;
/** @} */
/** Cancels a pending future (message copied, may be NULL). Returns 1 if
 * cancelled now, 0 if it was already done. Runs callbacks as above.
 * Errors: AC_EINVAL. */
AC_EXPORT int ac_tsfuture_cancel(ac_tsfuture *ts, const char *message) AC_NOEXCEPT;

/** Blocks the calling thread until the future is done or `timeout` seconds
 * have passed (a negative timeout waits forever; 0 only polls). Returns 0
 * when done, AC_ETIMEDOUT otherwise. Thread: any, but never a thread in the
 * middle of running a loop that would complete the future: that deadlocks
 * (a task awaits ac_tsfuture_wrap instead).
 * Errors: AC_EINVAL (NULL, NaN timeout). */
AC_EXPORT int ac_tsfuture_wait(ac_tsfuture *ts, double timeout) AC_NOEXCEPT;

/** Reads the outcome without blocking: 0 with a borrowed view of the result
 * in `out` (optional; valid while the caller holds its reference and nobody
 * takes the result), the error's code, AC_ECANCELLED, or AC_ESTATE while
 * pending. Thread: any. Errors: AC_EINVAL. */
AC_EXPORT int ac_tsfuture_result(ac_tsfuture *ts, ac_value *out) AC_NOEXCEPT;
/** As ac_tsfuture_result; AC_EINVAL when the result is not an INT64. */
AC_EXPORT int ac_tsfuture_result_int64(ac_tsfuture *ts, int64_t *out) AC_NOEXCEPT;
/** Moves the result out (the caller ac_value_clear's it; the future keeps
 * NONE). Same returns as ac_tsfuture_result; AC_EINVAL for out NULL. */
AC_EXPORT int ac_tsfuture_take_result(ac_tsfuture *ts, ac_value *out) AC_NOEXCEPT;
/** The error of a failed or cancelled future (borrowed from the future,
 * valid while the caller holds its reference; cancelled gives an
 * AC_ECANCELLED error with the message), or NULL when it has a result, is
 * pending, or ts is NULL. Thread: any. */
AC_EXPORT ac_error *ac_tsfuture_error(ac_tsfuture *ts) AC_NOEXCEPT;

/** Adds a callback (see ac_tsfuture_callback_fn for where it runs).
 * Thread: any. Errors: AC_EINVAL (NULL ts or fn), AC_ENOMEM; on error
 * free_ud runs at once. */
AC_EXPORT int ac_tsfuture_add_done_callback(ac_tsfuture *ts, ac_tsfuture_callback_fn fn,
                                            void *ud, ac_free_fn free_ud) AC_NOEXCEPT;
/** Removes every registration of fn with ud that has not run, running their
 * free_ud. Returns how many. Thread: any. Errors: AC_EINVAL. */
AC_EXPORT int64_t ac_tsfuture_remove_done_callback(ac_tsfuture *ts, ac_tsfuture_callback_fn fn,
                                                   void *ud) AC_NOEXCEPT;

/** A new future of `loop` that follows `ts` (asyncio.wrap_future): it
 * completes on the loop's thread once `ts` is done, with a copy of its
 * outcome (bytes copied; a POINTER result is lent: the loop future's value
 * has the same pointer and no destructor, and the loop future keeps `ts`
 * alive, so the pointer stays valid as long as the loop future lives).
 * Cancelling the loop future cancels `ts` too. Loop thread only.
 * Errors: AC_EINVAL (NULL argument), AC_ECLOSED, AC_EWRONGTHREAD,
 * AC_ENOMEM. */
AC_EXPORT int ac_tsfuture_wrap(ac_tsfuture *ts, ac_loop *loop, ac_future **out) AC_NOEXCEPT;
/** As ac_tsfuture_wrap, for a source that stands for work the caller
 * started on another thread and that will be completed (a binding's own
 * worker thread, as ac_to_thread's): on a loop with AC_LOOP_VIRTUAL_CLOCK
 * the new loop future holds the clock while it is pending, as an
 * ac_to_thread job does (loop.h), so the work's result arrives at the
 * virtual time it was started. A plain ac_tsfuture_wrap never holds the
 * clock: its source may be completed by anything, or never. The hold ends
 * when the loop future is done (result, error or cancelled) or destroyed;
 * a source that is never completed keeps the clock held (the loop waits
 * for it for real) until then. Loop thread only.
 * Errors: AC_EINVAL (NULL argument), AC_ECLOSED, AC_EWRONGTHREAD,
 * AC_ENOMEM. */
AC_EXPORT int ac_tsfuture_wrap_held(ac_tsfuture *ts, ac_loop *loop,
                                    ac_future **out) AC_NOEXCEPT;
/** In a step: ac_tsfuture_wrap on the task's loop + ac_task_await_owned.
 * Returns AC_STEP_AWAIT or an error code (as ac_task_await). */
AC_EXPORT int ac_task_await_tsfuture(ac_task *task, ac_tsfuture *ts) AC_NOEXCEPT;

/* ------------------------------------------ tasks started from anywhere */

/** Thread: any. asyncio.run_coroutine_threadsafe: schedules the creation of
 * a task of step/state on `loop` (as ac_task_new, on the loop's thread) and
 * gives a thread-safe future of its outcome in `*out` (optional). The
 * task's result is moved into the future; its error is shared; a cancelled
 * task cancels the future. Cancelling the future cancels the task (or, if
 * it has not started, keeps it from being created: free_state runs on the
 * loop). If the loop closes before the task finished, the future fails with
 * AC_ECLOSED, so a foreign waiter never waits forever.
 * free_state runs exactly once: with the task, or at once when this call
 * fails. The caller must hold a reference to the loop during the call.
 * Errors: AC_EINVAL (NULL loop or step), AC_ECLOSED, AC_ENOMEM. */
AC_EXPORT int ac_run_threadsafe(ac_loop *loop, ac_step_fn step, void *state,
                                ac_free_fn free_state, ac_tsfuture **out) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
