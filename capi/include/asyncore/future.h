/**
 * \file
 * asyncore/future.h — futures: a value that will be there later.
 *
 * States: pending, then exactly one of result, error or cancelled
 * (asyncio.Future). Done-callbacks are always scheduled through the loop's
 * ready queue, never run inline, in the order they were added.
 *
 * A future may outlive its loop's close. Completing it then (set_result,
 * set_error, cancel) still changes its state, but nothing runs on a closed
 * loop: its done-callbacks never run, and each one's free_ud runs during
 * the completing call instead (or when the future is freed, if it never
 * completes). A task awaiting it was detached at the close and stays
 * pending. Nothing keeps the closed loop's memory once its futures are
 * gone.
 *
 * Reference counting is not atomic: refs and unrefs happen on the loop's
 * thread. To complete a future from another thread, use
 * ac_future_complete_threadsafe.
 *
 * A future that failed and is freed without anyone having read its error
 * (ac_future_result, ac_future_error, or a task awaiting it) is reported to
 * the loop's exception handler, as asyncio's "exception was never
 * retrieved".
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_FUTURE_H
#define ASYNCORE_FUTURE_H

#include "common.h"
#include "error.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The states of a future (ac_future_get_state). */
typedef enum ac_future_state {
  AC_FUTURE_PENDING = 0,
  AC_FUTURE_RESULT = 1,
  AC_FUTURE_ERROR = 2,
  AC_FUTURE_CANCELLED = 3
} ac_future_state;

/** A done-callback (ac_future_add_done_callback), run through the loop
 * once the future is done. */
typedef void (*ac_future_callback_fn)(ac_future *future, void *ud);

/** Creates a pending future on `loop`. Errors: AC_EINVAL, AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_future_new(ac_loop *loop, ac_future **out) AC_NOEXCEPT;
/** Adds a reference to `f` and returns it; NULL is accepted. */
AC_EXPORT ac_future *ac_future_ref(ac_future *f) AC_NOEXCEPT;
/** Drops a reference to `f`; NULL is accepted. The last one frees the future. */
AC_EXPORT void ac_future_unref(ac_future *f) AC_NOEXCEPT;
/** Borrowed; NULL for NULL. */
AC_EXPORT ac_loop *ac_future_get_loop(const ac_future *f) AC_NOEXCEPT;

/** @{ */
/** State queries; AC_EINVAL for NULL. get_state: an ac_future_state value;
 * done: 1/0, cancelled: 1/0. */
AC_EXPORT int ac_future_get_state(const ac_future *f) AC_NOEXCEPT;
AC_EXPORT int ac_future_done(const ac_future *f) AC_NOEXCEPT;
AC_EXPORT int ac_future_cancelled(const ac_future *f) AC_NOEXCEPT;
/** @} */
/** \deprecated The former name of ac_future_get_state (same function). */
AC_EXPORT int ac_future_state_of(const ac_future *f) AC_NOEXCEPT;

/** @{ */
/** Completes the future with a result (see value.h for ownership) and
 * schedules its callbacks. Tasks cannot be completed this way. The value
 * is required: NULL is refused (complete with NONE through
 * ac_future_set_result_none or a NONE value).
 * Errors: AC_EINVAL (NULL f or v, a task, a malformed value), AC_ESTATE
 * (already done), AC_EWRONGTHREAD (debug mode). */
AC_EXPORT int ac_future_set_result(ac_future *f, const ac_value *v) AC_NOEXCEPT;
AC_EXPORT int ac_future_set_result_none(ac_future *f) AC_NOEXCEPT;
AC_EXPORT int ac_future_set_result_int64(ac_future *f, int64_t v) AC_NOEXCEPT;
AC_EXPORT int ac_future_set_result_double(ac_future *f, double v) AC_NOEXCEPT;
AC_EXPORT int ac_future_set_result_bytes(ac_future *f, const void *data, size_t len) AC_NOEXCEPT;
/** @} */
/** @{ */
/** Completes with an error. set_error takes a new reference to err;
 * set_error_code creates one (message NULL: the code's description).
 * A code of AC_ECANCELLED is refused (AC_EINVAL): use ac_future_cancel. */
AC_EXPORT int ac_future_set_error(ac_future *f, ac_error *err) AC_NOEXCEPT;
AC_EXPORT int ac_future_set_error_code(ac_future *f, int code, const char *message) AC_NOEXCEPT;
/** @} */
/** Cancels a pending future with an optional message (copied). Returns 1 if
 * cancelled now, 0 if already done. A task's cancel follows
 * ac_task_cancel's rules (AC_ECLOSED for a pending task of a closed loop).
 * Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD (debug). */
AC_EXPORT int ac_future_cancel(ac_future *f, const char *message) AC_NOEXCEPT;

/** Thread: any. Completes the future on its loop's thread: with `v` when
 * `code` is 0 (then required: NULL is refused), else with an error of
 * `code` (AC_ECANCELLED cancels) and `message` (`v` is ignored). On success the call gives up one reference to `f` that the
 * caller took on the loop's thread (ac_future_ref) before handing it over;
 * the loop drops it after completing. Bytes are copied now; a pointer's
 * destructor runs exactly once (by the future, by the loop if the future
 * was already done, or now when the call fails).
 * Errors: AC_EINVAL, AC_ENOMEM, AC_ECLOSED (the loop is closed). On error
 * the caller keeps its reference: reference counts of futures are not
 * atomic, so it must drop it on the loop's thread (or, the loop being
 * closed, keep it until that thread releases the loop's objects). */
AC_EXPORT int ac_future_complete_threadsafe(ac_future *f, int code, const ac_value *v,
                                            const char *message) AC_NOEXCEPT;

/** Reads the outcome: 0 and a borrowed view of the result in `out`
 * (optional); the error's code when failed; AC_ECANCELLED when cancelled;
 * AC_ESTATE while pending ("Result is not set."). Marks the error as retrieved.
 * Errors: AC_EINVAL. */
AC_EXPORT int ac_future_result(ac_future *f, ac_value *out) AC_NOEXCEPT;
/** @{ */
/** Convenience getters. AC_EINVAL when the result has another kind. */
AC_EXPORT int ac_future_result_int64(ac_future *f, int64_t *out) AC_NOEXCEPT;
AC_EXPORT int ac_future_result_double(ac_future *f, double *out) AC_NOEXCEPT;
/** @} */
/** Moves the result out: the caller owns it (ac_value_clear), the future
 * keeps NONE. Same returns as ac_future_result. */
AC_EXPORT int ac_future_take_result(ac_future *f, ac_value *out) AC_NOEXCEPT;
/** asyncio's Future.exception(): 0 with *out the error of a failed future
 * (borrowed), or NULL when it holds a result. Marks the error retrieved.
 * Errors: AC_ESTATE while pending ("Exception is not set."), AC_ECANCELLED
 * for a cancelled future (read its cancellation with ac_future_error),
 * AC_EINVAL. */
AC_EXPORT int ac_future_exception(ac_future *f, ac_error **out) AC_NOEXCEPT;
/** The error of a failed or cancelled future (borrowed; a cancelled future
 * gives an AC_ECANCELLED error with the cancel message), or NULL when it has
 * a result, is pending, or f is NULL. Marks it retrieved. */
AC_EXPORT ac_error *ac_future_error(ac_future *f) AC_NOEXCEPT;

/** Adds a done-callback, run through the loop (never inline) once the future
 * is done, or soon if it already is; in the context current now.
 * Errors: AC_EINVAL, AC_ECLOSED, AC_ENOMEM (free_ud runs at once). */
AC_EXPORT int ac_future_add_done_callback(ac_future *f, ac_future_callback_fn fn,
                                          void *ud, ac_free_fn free_ud) AC_NOEXCEPT;
/** Removes every registration with this fn and ud that has not been
 * scheduled yet, running their free_ud. Returns how many were removed.
 * Errors: AC_EINVAL. */
AC_EXPORT int64_t ac_future_remove_done_callback(ac_future *f, ac_future_callback_fn fn,
                                                 void *ud) AC_NOEXCEPT;

/** A future that completes with NONE after `seconds`; <= 0 yields one
 * iteration (asyncio.sleep(0)). Cancelling it cancels the timer.
 * Errors: AC_EINVAL (NaN), AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_sleep(ac_loop *loop, double seconds, ac_future **out) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
