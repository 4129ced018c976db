/**
 * \file
 * asyncore/loop.h — the event loop.
 *
 * One loop per thread. A loop runs ready callbacks in FIFO order, fires due
 * timers (equal deadlines in the order they were scheduled) and polls I/O.
 * It runs many ready callbacks per I/O poll, bounded by the ready budget
 * (ac_loop_set_ready_budget) so that I/O is never starved.
 *
 * Reference counting: ac_loop_new hands out one reference. A loop's memory
 * lives until its last reference is dropped; futures and tasks hold a
 * reference to their loop. Closing is separate and explicit (ac_loop_close):
 * it releases everything the loop holds, after which calls on the loop
 * return AC_ECLOSED. Dropping the last reference of an open loop closes it.
 *
 * Threads: the loop belongs to one thread, its owner: the thread that
 * created it, until it is handed to another with ac_loop_bind_thread. Only
 * the owner runs it (run_forever, run_until_complete, step) and calls the
 * functions not marked "Thread: any"; from another thread they return
 * AC_EWRONGTHREAD, also while the owner is idle: a run never moves the loop.
 * ac_loop_ref/ac_loop_unref are thread-safe, so another thread may hold a
 * loop while submitting work.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_LOOP_H
#define ASYNCORE_LOOP_H

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** libuv's loop (uv_loop_t in uv.h), for ac_loop_new_on_uv. */
struct uv_loop_s;

/** Flags for ac_loop_new. Append only. */
typedef enum ac_loop_flags {
  AC_LOOP_DEFAULT = 0,
  /** Virtual clock (Trio's autojump clock, Tokio's paused time): time stands
   * still while there is work, and when the loop has nothing ready and no
   * I/O has arrived, it jumps straight to the next timer. Sleeps cost no
   * real time and runs are deterministic. Work on worker threads holds the
   * clock: while an ac_to_thread job of this loop (libuv's pool or an
   * ac_executor) is pending — from submission until its result is
   * delivered, or its future is cancelled — the loop waits for it for real
   * instead of jumping, so the job's result arrives at the virtual time it
   * was started, however long it really takes (Tokio does the same for
   * spawn_blocking). Thread-safe futures the loop waits on
   * (ac_tsfuture_wrap) do not hold it: nothing tells the loop whether
   * anyone will ever complete them, and holding the clock for one that
   * never completes would turn every timeout on it into a real hang. A
   * worker must therefore not wait for the loop's virtual time to pass
   * (e.g. for a sleep of the loop to end): that would wait forever. */
  AC_LOOP_VIRTUAL_CLOCK = 1,
  /** Debug mode from the start (see ac_loop_set_debug). */
  AC_LOOP_DEBUG = 2
} ac_loop_flags;

/** A plain callback run by the loop. */
typedef void (*ac_callback_fn)(ac_loop *loop, void *ud);

/** Creates a loop owned by the calling thread. Thread: any.
 * Errors: AC_EINVAL (out NULL, unknown flag), AC_ENOMEM, libuv errors. */
AC_EXPORT int ac_loop_new(uint32_t flags, ac_loop **out) AC_NOEXCEPT;
/** Creates a loop that lives on a libuv loop the host owns and runs (an
 * engine, a Node addon, an editor already built on libuv): a hosted loop.
 * The host goes on calling uv_run on `host` as before; the loop's ready
 * callbacks, timers, thread-safe submissions and all its I/O (streams,
 * servers, UDP, DNS, ac_to_thread jobs) ride on it: after each poll of
 * the host's loop, a check handle of ours runs one step (due timers, then
 * ready callbacks up to the ready budget), with the loop running on the
 * thread as in ac_loop_step, so tasks work as usual.
 *
 * What keeps the host's uv_run(UV_RUN_DEFAULT) alive, as asyncio's work
 * does: ready callbacks, pending timers, active I/O (a stream reading or
 * writing, a listening server, a UDP endpoint, a DNS resolution) and
 * ac_to_thread jobs whose future is pending. A bare loop, tasks waiting
 * for futures nobody completes, and thread-safe futures
 * (ac_tsfuture_wrap) do not: a submission from another thread
 * (ac_loop_call_soon_threadsafe) wakes the host's loop while it runs but
 * does not keep it running.
 *
 * Rules: create, use and close it on the host loop's thread (its owner),
 * from anywhere on that thread: before uv_run, from the host's callbacks,
 * from ours. The loop never touches `host->data`, never calls uv_run, and
 * several loops may share one host loop. ac_loop_run_until_complete,
 * ac_loop_run_forever and ac_loop_step return AC_ENOTSUP (the host's
 * uv_run is the only driver), as do ac_loop_backend_fd and
 * ac_loop_backend_timeout (the host polls) and ac_loop_shutdown (cancel
 * the tasks, let uv_run finish them, then close); ac_loop_stop and
 * ac_loop_interrupt end the step under way only. Closing
 * (ac_loop_close, or dropping the last reference) closes every handle the
 * loop made on `host` and leaves the host's loop running and usable: the
 * close callbacks run during the host's next iteration, and the loop's
 * memory stays valid until they have run (the host must run its loop once
 * more before uv_loop_close(host), as for its own closed handles).
 * Requests in flight at the close (resolutions, ac_to_thread jobs on
 * libuv's pool) are cancelled where libuv can; their completions come to
 * the host's loop later and only free. `host` must outlive all that.
 * A host that closes every handle of its loop at exit (uv_walk) closes
 * its hosted loops first: a handle of ours it closed is not closed again,
 * but the loop stops working and its memory is not freed.
 * `host` must be run by the same libuv the library was built against.
 * Thread: any (the calling thread becomes the owner).
 * Errors: AC_EINVAL (host or out NULL, an unknown flag, or
 * AC_LOOP_VIRTUAL_CLOCK: the host's own timers run in real time),
 * AC_ENOMEM, libuv errors (uv_async_init). */
AC_EXPORT int ac_loop_new_on_uv(struct uv_loop_s *host, uint32_t flags,
                                ac_loop **out) AC_NOEXCEPT;
/** @{ */
/** Thread: any (atomic). ref returns its argument; both accept NULL. */
AC_EXPORT ac_loop *ac_loop_ref(ac_loop *loop) AC_NOEXCEPT;
AC_EXPORT void ac_loop_unref(ac_loop *loop) AC_NOEXCEPT;
/** @} */

/** Closes the loop: discards ready callbacks and timers (running their
 * free_ud), drops the loop's hold on pending tasks (each one still pending
 * is reported to the exception handler, as asyncio reports "Task was
 * destroyed but it is pending"), closes its libuv handles.
 * Calls exception handlers; runs no other callback.
 * Errors: AC_EINVAL (NULL), AC_ERUNNING (the loop is running),
 * AC_EWRONGTHREAD, AC_ECLOSED (already closed: the call has no effect,
 * so closing twice is harmless). */
AC_EXPORT int ac_loop_close(ac_loop *loop) AC_NOEXCEPT;
/** Hands the loop to the calling thread, which becomes its owner (see
 * "Threads" above): for a host that creates a loop on one thread and runs
 * it on another (a worker it starts, a goroutine moved to another OS
 * thread). Thread: any, but the hand-over must not overlap the previous
 * owner's use of the loop: call it when the previous owner has made its
 * last call on the loop and that is ordered before this call (a mutex, a
 * channel, a thread join), as for any object moved between threads; the
 * previous owner makes no further call but those marked "Thread: any". The
 * loop's objects (futures, tasks, handles) move with it.
 * Errors: AC_EINVAL (NULL), AC_ECLOSED, AC_ERUNNING (a run is in progress,
 * on any thread, including a call from one of the loop's own callbacks). */
AC_EXPORT int ac_loop_bind_thread(ac_loop *loop) AC_NOEXCEPT;

/** 1 when closed, 0 when open, AC_EINVAL on NULL. Thread: any. */
AC_EXPORT int ac_loop_is_closed(const ac_loop *loop) AC_NOEXCEPT;
/** 1 while a run (run_forever, run_until_complete, step) is in progress. */
AC_EXPORT int ac_loop_is_running(const ac_loop *loop) AC_NOEXCEPT;

/** Runs until `future` is done, then returns: 0 when it holds a result, its
 * error code when it failed, AC_ECANCELLED when cancelled (read the details
 * from the future). As in asyncio, a done-callback of the future stops the
 * loop, so the iteration after the one that completed it still runs in
 * full before the call returns. Runs callbacks. Unlike ac_loop_step it keeps waiting
 * when nothing is left to wait for, as asyncio does: another thread may
 * still submit work (ac_loop_call_soon_threadsafe).
 * Errors: AC_EINVAL (NULL, or a future of another loop), AC_ECLOSED,
 * AC_ERUNNING (called from a callback or step on the loop's thread while a
 * run is in progress: of this loop, asyncio's "This event loop is already
 * running"; of another loop, asyncio's "Cannot run the event loop while
 * another loop is running"), AC_EWRONGTHREAD (not the owner's thread),
 * AC_ESTOPPED (ac_loop_stop was called before the future completed),
 * AC_ENOTSUP (a loop on a host's libuv loop: see ac_loop_new_on_uv). */
AC_EXPORT int ac_loop_run_until_complete(ac_loop *loop, ac_future *future) AC_NOEXCEPT;
/** Runs until ac_loop_stop. Errors as run_until_complete. */
AC_EXPORT int ac_loop_run_forever(ac_loop *loop) AC_NOEXCEPT;
/** Asks the running loop to return once the callbacks already ready have
 * run (asyncio's stop). On a loop that is not running, the next run returns
 * after one iteration. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD.
 * From another thread, post it: ac_loop_call_soon_threadsafe. */
AC_EXPORT int ac_loop_stop(ac_loop *loop) AC_NOEXCEPT;
/** For hosts that hand the loop's thread to other code between callbacks
 * (the Go binding runs a task's goroutine there): from a callback or step
 * of the running loop, the run in progress (run_forever,
 * run_until_complete, step) returns as soon as the callback running now
 * returns. The callbacks already ready stay queued, in order, for the next
 * run; run_until_complete returns AC_ESTOPPED unless its future is done.
 * Unlike ac_loop_stop this ends the iteration early, which asyncio never
 * does: the host must run the loop again at once to keep asyncio's order.
 * Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_ESTATE (not running). */
AC_EXPORT int ac_loop_interrupt(ac_loop *loop) AC_NOEXCEPT;

/** Host stepping, for a host that owns the frame loop (a game engine, a GUI).
 * One iteration: polls I/O, blocking at most `max_block` seconds (0 never
 * blocks; INFINITY blocks as long as needed; it never blocks while
 * callbacks are ready), moves due timers to the ready queue, runs ready
 * callbacks up to the ready budget. With the virtual clock, an iteration
 * that finds nothing to do jumps to the next timer.
 * With nothing to wait for — no callbacks ready, no timers, no active
 * handles or requests (servers, streams, resolutions), no work on other
 * threads the loop waits for (ac_to_thread jobs whose future is pending,
 * pending futures of ac_tsfuture_wrap) — it does not block at all, as
 * uv_run(UV_RUN_ONCE) returns at once with no active handles: only a
 * submission from another thread (ac_loop_call_soon_threadsafe,
 * ac_run_threadsafe) could wake it then, and the host decides how long to
 * wait for that.
 * On return `*pending` (optional) is 1 if there is something to wait for in
 * that sense, and `*next_deadline` (optional) is the loop time of the next
 * timer, or -1 when there is none.
 * Returns the number of callbacks run (>= 0). Runs callbacks.
 * Errors: AC_EINVAL (NULL loop, negative or NaN max_block), AC_ECLOSED,
 * AC_ERUNNING (called from inside a callback or step of this loop or of
 * another loop running on this thread, as run_until_complete),
 * AC_EWRONGTHREAD, AC_ENOTSUP (a loop on a host's libuv loop). */
AC_EXPORT int64_t ac_loop_step(ac_loop *loop, double max_block, int *pending,
                               double *next_deadline) AC_NOEXCEPT;

/** @{ */
/** For hosts that poll themselves: libuv's backend fd (readable when the
 * loop has I/O to process) and the time in milliseconds the host may block
 * before stepping (0 when callbacks are ready, -1 when nothing is due).
 * The host's frame: `poll(backend_fd, backend_timeout)`, then
 * ac_loop_step(loop, 0, ...). Everything a step started (a socket opened,
 * a read begun, a handle closed, a timer, a thread-safe call) is visible
 * to that poll when the step returns: the step hands libuv's pending
 * registrations to the backend before it returns (libuv itself does so
 * only at its next poll). What code outside a step starts between two
 * steps is handed over by ac_loop_backend_timeout on the loop's thread, so
 * call it after such code and just before polling.
 * Errors: AC_EINVAL, AC_ECLOSED, AC_ENOTSUP (no backend fd; a loop on a
 * host's libuv loop, which the host polls). */
AC_EXPORT int ac_loop_backend_fd(const ac_loop *loop) AC_NOEXCEPT;
AC_EXPORT int ac_loop_backend_timeout(const ac_loop *loop) AC_NOEXCEPT;
/** @} */

/** How many callbacks one iteration runs at most before it polls I/O again
 * (default 1024; >= 1). Errors: AC_EINVAL, AC_ECLOSED. */
AC_EXPORT int ac_loop_set_ready_budget(ac_loop *loop, uint32_t budget) AC_NOEXCEPT;

/** A time budget for ac_loop_step, in seconds of real time (0, the
 * default, sets none): once that much time has passed since the step's
 * first callback, the step runs no further callback and returns; those
 * still ready run in the next step, in order. A step therefore exceeds the
 * budget by at most the one callback running when it ran out. Time spent
 * blocking in the poll does not count. Only ac_loop_step uses it
 * (run_forever and run_until_complete do not). Loop thread.
 * Errors: AC_EINVAL (negative or NaN), AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_loop_set_time_budget(ac_loop *loop, double seconds) AC_NOEXCEPT;

/** What asyncio.run does when its main coroutine has finished, with a
 * bound: cancels every task of the loop that is not done, runs the loop
 * until they have finished, or `timeout` seconds of real time have passed
 * (INFINITY: no time limit, as asyncio), or nothing is left that could end
 * them (no callbacks ready, timers, I/O, or work on other threads the loop
 * knows of: tasks deadlocked on each other, or waiting for futures nobody
 * holds; asyncio would wait for ever), reports each that
 * ended with an error other than cancellation to the exception handler
 * ("unhandled exception during asyncio.run() shutdown"), waits (within the
 * same time) for work on other threads that a future of the loop still
 * waits for, then closes the loop (ac_loop_close). Tasks still pending
 * then — they ignored the cancellation and kept waiting — are abandoned:
 * each is reported as by ac_loop_close ("Task was destroyed but it is
 * pending", with what it awaits) and never steps again. The caller keeps
 * its reference (ac_loop_unref).
 * Returns the number of tasks abandoned (0 when every task ended).
 * A function of ac_to_thread already running on libuv's thread pool is
 * still waited for by the close (a thread cannot be stopped): give work
 * that may block for ever a dedicated executor (asyncore/thread.h).
 * Errors: AC_EINVAL (NULL, negative or NaN timeout), AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ERUNNING (inside a callback or step of a loop of
 * this thread), AC_ENOTSUP (a loop on a host's libuv loop, which only the
 * host's uv_run runs: cancel its tasks, let uv_run finish them, close). */
AC_EXPORT int64_t ac_loop_shutdown(ac_loop *loop, double timeout) AC_NOEXCEPT;

/** How long ac_run gives the tasks left when its main task ends to finish
 * once cancelled (seconds; see ac_loop_shutdown). */
#define AC_RUN_SHUTDOWN_TIMEOUT 5.0

/** The loop's clock in seconds: monotonic real time, or the virtual time
 * (starting at 0) under AC_LOOP_VIRTUAL_CLOCK. Returns -1 on NULL. */
AC_EXPORT double ac_loop_time(const ac_loop *loop) AC_NOEXCEPT;

/** Schedules fn(loop, ud) to run once, after the callbacks already ready
 * (FIFO). `out` (optional) receives a handle that can cancel it. The
 * callback runs in the task-local context current at this call.
 * Never runs the callback inline. Errors: AC_EINVAL (NULL loop or fn),
 * AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM; on error free_ud runs at once. */
AC_EXPORT int ac_loop_call_soon(ac_loop *loop, ac_callback_fn fn, void *ud,
                                ac_free_fn free_ud, ac_call **out) AC_NOEXCEPT;
/** @{ */
/** Schedules fn after `delay` seconds (>= 0), or at loop time `when`.
 * Callbacks with equal deadlines run in the order they were scheduled.
 * call_later(delay) is call_at(time() + delay), as in asyncio: a negative
 * delay is a deadline already past, due at the next iteration (earliest
 * first). Errors: as call_soon, and AC_EINVAL for a NaN delay or when. */
AC_EXPORT int ac_loop_call_later(ac_loop *loop, double delay, ac_callback_fn fn,
                                 void *ud, ac_free_fn free_ud,
                                 ac_call **out) AC_NOEXCEPT;
AC_EXPORT int ac_loop_call_at(ac_loop *loop, double when, ac_callback_fn fn,
                              void *ud, ac_free_fn free_ud,
                              ac_call **out) AC_NOEXCEPT;
/** @} */

/** Thread: any. Schedules fn(loop, ud) on the loop's thread and wakes the
 * loop. Each submission runs exactly once, in submission order per thread,
 * or — if the loop closes first — never, with free_ud run at the close.
 * The caller must hold a reference to the loop for the duration of the call.
 * Errors: AC_EINVAL, AC_ECLOSED (free_ud runs at once), AC_ENOMEM. */
AC_EXPORT int ac_loop_call_soon_threadsafe(ac_loop *loop, ac_callback_fn fn,
                                           void *ud, ac_free_fn free_ud) AC_NOEXCEPT;

/** @{ */
/** Handles of scheduled callbacks. Loop thread only. */
AC_EXPORT ac_call *ac_call_ref(ac_call *h) AC_NOEXCEPT;
AC_EXPORT void ac_call_unref(ac_call *h) AC_NOEXCEPT;
/** @} */
/** Cancels the callback if it has not run: free_ud runs now. Returns 1 if
 * this call cancelled it, 0 if it had already run or been cancelled.
 * Errors: AC_EINVAL. */
AC_EXPORT int ac_call_cancel(ac_call *h) AC_NOEXCEPT;
/** 1 if cancelled, 0 if not, AC_EINVAL on NULL. */
AC_EXPORT int ac_call_cancelled(const ac_call *h) AC_NOEXCEPT;
/** Loop time a timer handle is due; -1 for call_soon handles or NULL. */
AC_EXPORT double ac_call_when(const ac_call *h) AC_NOEXCEPT;
/** @{ */
/** \deprecated The former names of ac_call_ref, ac_call_unref,
 * ac_call_cancel, ac_call_cancelled and ac_call_when (same functions). */
AC_EXPORT ac_call *ac_handle_ref(ac_call *h) AC_NOEXCEPT;
AC_EXPORT void ac_handle_unref(ac_call *h) AC_NOEXCEPT;
AC_EXPORT int ac_handle_cancel(ac_call *h) AC_NOEXCEPT;
AC_EXPORT int ac_handle_cancelled(const ac_call *h) AC_NOEXCEPT;
AC_EXPORT double ac_handle_when(const ac_call *h) AC_NOEXCEPT;
/** @} */

/** The exception handler receives what nobody else could: errors of tasks
 * and futures freed without anyone reading them, pending tasks destroyed at
 * close, slow-callback warnings in debug mode, errors a binding reports.
 * `error` and `future` may be NULL and are borrowed for the call. */
typedef void (*ac_exception_handler_fn)(ac_loop *loop, const char *message,
                                        ac_error *error, ac_future *future,
                                        void *ud);
/** Replaces the handler (NULL fn restores the default; the previous ud is
 * freed). The handler must not close the loop. Errors: AC_EINVAL,
 * AC_ECLOSED (free_ud runs at once), AC_EWRONGTHREAD. */
AC_EXPORT int ac_loop_set_exception_handler(ac_loop *loop,
                                            ac_exception_handler_fn fn,
                                            void *ud, ac_free_fn free_ud) AC_NOEXCEPT;
/** Calls the installed handler (bindings use it for errors raised in their
 * callbacks). Called while a callback of this loop runs (a call_soon or
 * call_later handle, or a done-callback), the report is about that
 * callback, as asyncio's: the handler gets no future and its subject is
 * "handle" (below). Errors: AC_EINVAL. */
AC_EXPORT int ac_loop_call_exception_handler(ac_loop *loop, const char *message,
                                             ac_error *error,
                                             ac_future *future) AC_NOEXCEPT;
/** @{ */
/** During a call of the exception handler, what asyncio's context dict
 * holds besides 'message' and 'exception': the key under which it puts the
 * report's subject — "future" (the handler's `future`: an error never
 * retrieved), "task" (the handler's `future` is a task: one destroyed
 * while pending, one that failed during ac_run's shutdown), "handle" (a
 * callback that failed) — or NULL when it has none; and the callback's
 * handle for "handle" when it is a call_soon/call_later handle (NULL for a
 * done-callback). Borrowed, for the duration of the call. NULL outside a
 * handler call. Thread: the loop's. */
AC_EXPORT const char *ac_loop_exception_subject(const ac_loop *loop) AC_NOEXCEPT;
AC_EXPORT ac_call *ac_loop_exception_call(const ac_loop *loop) AC_NOEXCEPT;
/** \deprecated The former name of ac_loop_exception_call. */
AC_EXPORT ac_call *ac_loop_exception_handle(const ac_loop *loop) AC_NOEXCEPT;
/** @} */
/** The default handler: writes the message and the formatted error to
 * stderr. Never exits. */
AC_EXPORT void ac_loop_default_exception_handler(ac_loop *loop, const char *message,
                                                 ac_error *error,
                                                 ac_future *future) AC_NOEXCEPT;

/** @{ */
/** Debug mode: callbacks slower than the slow-callback duration (default
 * 0.1 s) are reported to the exception handler as warnings, and futures
 * check the calling thread too. Errors: AC_EINVAL, AC_ECLOSED. */
AC_EXPORT int ac_loop_set_debug(ac_loop *loop, int enabled) AC_NOEXCEPT;
AC_EXPORT int ac_loop_get_debug(const ac_loop *loop) AC_NOEXCEPT;
AC_EXPORT int ac_loop_set_slow_callback_duration(ac_loop *loop, double seconds) AC_NOEXCEPT;
/** @} */

#ifdef __cplusplus
}
#endif
#endif
