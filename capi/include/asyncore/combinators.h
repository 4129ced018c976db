/**
 * \file
 * asyncore/combinators.h — waiting on several futures at once: gather,
 * wait, as_completed, wait_for, shield (asyncio.gather, asyncio.wait,
 * asyncio.as_completed, asyncio.wait_for, asyncio.shield).
 *
 * Every combinator takes futures (a task is a future: ac_task_future) of
 * one loop and returns a new future, so C code awaits it like any other
 * (ac_task_await) or runs it with ac_loop_run_until_complete. The new
 * future holds a reference to each future it combines; the combined
 * futures do not hold the new one, so dropping it simply stops listening.
 *
 * Outcomes are reached through the loop: a combinator hears that a future
 * is done through a done-callback, so it reacts one callback turn after
 * the completion, as asyncio does. None of these calls runs callbacks.
 *
 * Timeouts are in seconds of loop time, AC_NO_TIMEOUT (positive infinity)
 * for none; one <= 0 is due at once, as in asyncio. NaN is refused
 * (AC_EINVAL). A timeout fails with AC_ETIMEDOUT and an empty message, as
 * asyncio's TimeoutError().
 *
 * Common errors: AC_EINVAL (NULL loop or out, NULL items with n > 0, a
 * NULL item, an item of another loop, a bad timeout or mode), AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM. Loop thread only.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_COMBINATORS_H
#define ASYNCORE_COMBINATORS_H

#include <math.h>

#include "common.h"
#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

/** No timeout: wait as long as it takes. */
#define AC_NO_TIMEOUT HUGE_VAL

/* ---- gather ---- */

/** Flags for ac_gather. Append only. */
typedef enum ac_gather_flags {
  AC_GATHER_DEFAULT = 0,
  /** Errors and cancellations of children count as their results: the
   * gather completes when every child is done and never fails because of
   * one (asyncio's return_exceptions=True). */
  AC_GATHER_RETURN_EXCEPTIONS = 1
} ac_gather_flags;

/** Runs the children concurrently and completes when all are done, with
 * NONE: read each child's outcome in argument order with
 * ac_gather_result_at (or the child itself, ac_gather_item).
 *
 * Without AC_GATHER_RETURN_EXCEPTIONS, the first child to fail makes the
 * gather fail with that same ac_error, while the other children keep
 * running (asyncio). A cancelled child makes it fail with a cancellation
 * *error* (code AC_ECANCELLED, state AC_FUTURE_ERROR): awaiting it sees
 * AC_ECANCELLED, but the gather itself is not cancelled (asyncio: "the
 * outer Future is not cancelled in this case"). With the flag, such a
 * child's slot reads AC_ECANCELLED.
 * Cancelling the gather cancels every child not yet done, once per
 * argument (a task passed twice is asked twice); once the children are
 * done the gather fails with a cancellation error, even if one of them
 * swallowed its cancellation, and with or without the flag.
 * A child passed more than once counts once. Children already done when
 * the gather is made count at once: a gather of done children is done
 * when made (asyncio 3.12).
 * n == 0 gives a gather that is already done with no results (asyncio's
 * gather() returns []). `out` receives one reference. */
AC_EXPORT int ac_gather(ac_loop *loop, ac_future *const *items, size_t n, uint32_t flags,
                        ac_future **out) AC_NOEXCEPT;
/** The number of children of a gather; AC_EINVAL if `gather` is not one. */
AC_EXPORT int64_t ac_gather_count(const ac_future *gather) AC_NOEXCEPT;
/** Child `index` (borrowed while the gather lives), or NULL if out of
 * range or not a gather. */
AC_EXPORT ac_future *ac_gather_item(const ac_future *gather, size_t index) AC_NOEXCEPT;
/** Child `index`'s outcome, as ac_future_result reads it: 0 and a borrowed
 * view of its result in `out` (optional), its error code, AC_ECANCELLED,
 * or AC_ESTATE while that child is pending. Errors: AC_EINVAL (not a
 * gather, index out of range). */
AC_EXPORT int ac_gather_result_at(ac_future *gather, size_t index, ac_value *out) AC_NOEXCEPT;

/* ---- wait ---- */

/** When ac_wait completes. Values as asyncio's constants' meaning. */
typedef enum ac_wait_mode {
  AC_WAIT_ALL_COMPLETED = 0,   /**< every future is done */
  AC_WAIT_FIRST_COMPLETED = 1, /**< any future is done */
  AC_WAIT_FIRST_EXCEPTION = 2  /**< any future failed (a cancellation is not
                                  an exception), or all are done */
} ac_wait_mode;

/** Waits until `mode` is satisfied or `timeout` passes, then completes with
 * NONE; it never fails for a timeout and never cancels the futures.
 * Futures passed more than once count once (asyncio takes a set). Read
 * the partition with ac_wait_done_* and ac_wait_pending_*. Cancelling the
 * wait cancels only the wait. n == 0 is refused (AC_EINVAL, as asyncio's
 * ValueError). `out` receives one reference. */
AC_EXPORT int ac_wait(ac_loop *loop, ac_future *const *items, size_t n, int mode,
                      double timeout, ac_future **out) AC_NOEXCEPT;
/** @{ */
/** The done and pending futures, each in argument order. The partition is
 * taken the first time one of these is called after the wait completed
 * (asyncio computes it when the waiting task resumes) and then stays.
 * Counts: >= 0, AC_EINVAL (not a wait), AC_ESTATE (the wait is pending or
 * was cancelled). *_at: borrowed while the wait lives, or NULL. */
AC_EXPORT int64_t ac_wait_done_count(ac_future *wait) AC_NOEXCEPT;
AC_EXPORT int64_t ac_wait_pending_count(ac_future *wait) AC_NOEXCEPT;
AC_EXPORT ac_future *ac_wait_done_at(ac_future *wait, size_t index) AC_NOEXCEPT;
AC_EXPORT ac_future *ac_wait_pending_at(ac_future *wait, size_t index) AC_NOEXCEPT;
/** @} */

/* ---- as_completed ---- */

/** An as_completed iterator (ac_as_completed_new); reference counted. */
typedef struct ac_as_completed ac_as_completed;

/** An iterator over the futures in the order they complete. Each
 * ac_as_completed_next hands out a new future that completes with the
 * outcome of the next input to finish (the same rules as ac_shield's
 * copy, below); the input it reports is ac_as_completed_index. After
 * `timeout`, the next()-futures of the inputs not finished yet fail with
 * AC_ETIMEDOUT (after those already finished), as asyncio's iterator
 * raises TimeoutError; an input done but not yet reported when the timeout
 * comes times out too (asyncio 3.13). An input passed more than once is
 * reported once (asyncio takes a set), under its first index.
 * n == 0 gives an iterator that is already exhausted.
 * Dropping the iterator cancels the next()-futures still pending.
 * `out` receives one reference. */
AC_EXPORT int ac_as_completed_new(ac_loop *loop, ac_future *const *items, size_t n,
                                  double timeout, ac_as_completed **out) AC_NOEXCEPT;
/** Adds a reference to `it` and returns it; NULL is accepted. */
AC_EXPORT ac_as_completed *ac_as_completed_ref(ac_as_completed *it) AC_NOEXCEPT;
/** Drops a reference to `it`; NULL is accepted. Dropping the last one drops the iterator (see ac_as_completed_new). */
AC_EXPORT void ac_as_completed_unref(ac_as_completed *it) AC_NOEXCEPT;
/** Returns 1 and a new future in `out` (one reference), or 0 (out set to
 * NULL) once every input has been handed out. A future handed out whose
 * awaiter is cancelled takes nothing: the completion goes to the next one.
 * Errors: AC_EINVAL, AC_EWRONGTHREAD (debug), AC_ENOMEM. */
AC_EXPORT int ac_as_completed_next(ac_as_completed *it, ac_future **out) AC_NOEXCEPT;
/** The index (in the items given to ac_as_completed_new) of the input a
 * next()-future reports, once it is done; -1 while pending or for a
 * timeout; AC_EINVAL if `next` is not such a future. */
AC_EXPORT int64_t ac_as_completed_index(const ac_future *next) AC_NOEXCEPT;

/* ---- wait_for ---- */

/** Completes with `fut`'s outcome, or, once `timeout` passes, cancels
 * `fut`, waits until it has finished cancelling (a task's cleanup runs
 * first), then fails with AC_ETIMEDOUT (its cause: the cancellation).
 *  - If `fut` is already done, `out` receives `fut` itself: no wait
 *    (asyncio 3.12 awaits it directly, which does not suspend).
 *  - A timeout <= 0 cancels `fut` in the call, so a task that has not
 *    started never starts (asyncio 3.12).
 *  - If `fut` was already done when the deadline came (its outcome not yet
 *    delivered), that outcome is returned, never lost to the timeout.
 *  - If `fut` swallows the cancellation and finishes anyway, its outcome
 *    is returned (asyncio 3.12).
 *  - Cancelling the returned future cancels `fut` and completes once
 *    `fut` is done: cancelled (also when the deadline passed as well), or
 *    with `fut`'s outcome if it swallowed the cancellation.
 * The outcome is copied as ac_shield does. `out`: one reference.
 * asyncio 3.12 runs wait_for inside the awaiting task, under a timeout
 * scope; this future reports one loop turn after `fut` completes. To get
 * 3.12's exact timing in a step, use a timeout scope (timeout.h) around
 * the await instead. */
AC_EXPORT int ac_wait_for(ac_loop *loop, ac_future *fut, double timeout,
                          ac_future **out) AC_NOEXCEPT;

/* ---- shield ---- */

/** A future that mirrors `fut`, except that cancelling it does not cancel
 * `fut`: the awaiting task is cancelled, the work goes on. Once the shield
 * is cancelled it stops listening, and an error `fut` later ends with is
 * reported as never retrieved unless someone reads it (asyncio).
 * If `fut` is already done, `out` receives `fut` itself (asyncio).
 * Copying the outcome: NONE, numbers and bytes are copied; a POINTER
 * result is shared without its destructor (`fut` keeps ownership and the
 * shield keeps `fut` alive); an error is the same ac_error; a cancellation
 * stays one. `out` receives one reference. */
AC_EXPORT int ac_shield(ac_loop *loop, ac_future *fut, ac_future **out) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
