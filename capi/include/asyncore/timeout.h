/**
 * \file
 * asyncore/timeout.h — timeout scopes: a deadline around any stretch of
 * awaits in one task (asyncio.timeout / asyncio.timeout_at; Trio's
 * move_on_after when the step simply goes on after AC_ETIMEDOUT).
 *
 * A step enters the scope, awaits whatever it likes, and exits the scope
 * with the outcome it got, which the exit turns into what the step should
 * act on:
 *
 *   AC_BEGIN(s);
 *   ac_timeout_new(loop, 2.0, &s->scope);
 *   ac_timeout_enter(s->scope, task);
 *   AC_AWAIT(s, ac_task_sleep(task, 5));
 *   rc = ac_timeout_exit(s->scope, ac_task_outcome(task));
 *   if (rc == AC_ETIMEDOUT) ...             // the deadline passed
 *   else if (rc < 0) return ac_task_propagate(task);
 *
 * When the deadline passes while the scope is entered, the task is
 * cancelled (ac_task_cancel: its next await sees AC_ECANCELLED). At exit
 * the scope takes its request back (ac_task_uncancel); if that leaves the
 * task's cancelling() count no higher than at enter and the outcome is
 * AC_ECANCELLED, the cancellation was the scope's own and the exit returns
 * AC_ETIMEDOUT. Any other cancellation (ac_task_cancel from elsewhere, an
 * enclosing scope that expired too) passes through as AC_ECANCELLED, so
 * nested scopes each see only their own deadline. Exactly asyncio's rule.
 *
 * Deadlines are loop times in seconds; +infinity (AC_NO_TIMEOUT from
 * combinators.h, or HUGE_VAL) means none. A deadline already due when the
 * scope is entered (or rescheduled) expires as a ready callback, behind
 * those already ready (asyncio's call_soon): a scope of 0 seconds cancels
 * the task at its first await that suspends.
 *
 * Misuse fails with AC_EMISUSE (asyncio's RuntimeError) and asyncio's
 * words, through ac_last_error_message: "Timeout has already been
 * entered", "Timeout should be used inside a task", "Timeout has not been
 * entered", "Cannot change state of expired Timeout" …
 *
 * Reference counted; loop thread only; none of these runs callbacks.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_TIMEOUT_H
#define ASYNCORE_TIMEOUT_H

#include "common.h"
#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A timeout scope (asyncio.timeout); reference counted. */
typedef struct ac_timeout ac_timeout;

/** A scope expiring `delay` seconds after it is created (asyncio.timeout);
 * a negative delay (-infinity too) is a deadline already past, +infinity
 * none. Errors: AC_EINVAL (NULL, NaN), AC_ECLOSED, AC_EWRONGTHREAD,
 * AC_ENOMEM. */
AC_EXPORT int ac_timeout_new(ac_loop *loop, double delay, ac_timeout **out) AC_NOEXCEPT;
/** A scope expiring at loop time `when` (asyncio.timeout_at): any number
 * but NaN. Errors: as ac_timeout_new. */
AC_EXPORT int ac_timeout_new_at(ac_loop *loop, double when, ac_timeout **out) AC_NOEXCEPT;
/** Adds a reference to `scope` and returns it; NULL is accepted. */
AC_EXPORT ac_timeout *ac_timeout_ref(ac_timeout *scope) AC_NOEXCEPT;
/** Drops a reference to `scope`; NULL is accepted. */
AC_EXPORT void ac_timeout_unref(ac_timeout *scope) AC_NOEXCEPT;

/** Enters the scope for `task`, which must be the task whose step is
 * running; arms the deadline. The scope holds a reference to the task
 * until it exits. Errors: AC_EINVAL (NULL), AC_EMISUSE (entered before, or
 * not called from the task's own step), AC_ENOMEM. */
AC_EXPORT int ac_timeout_enter(ac_timeout *scope, ac_task *task) AC_NOEXCEPT;
/** Exits the scope, from the same task's step, with the outcome the step
 * got (0, an error code, AC_ECANCELLED; see above). Returns the outcome to
 * act on: AC_ETIMEDOUT when the scope's own deadline cancelled the task,
 * else `outcome` unchanged. After an exit the scope cannot be entered
 * again. Errors: AC_EINVAL (NULL), AC_EMISUSE (not entered, already
 * exited, or called from another task). */
AC_EXPORT int ac_timeout_exit(ac_timeout *scope, int outcome) AC_NOEXCEPT;
/** After an exit that returned AC_ETIMEDOUT: the TimeoutError as an error
 * object (code AC_ETIMEDOUT, empty message as asyncio's), whose cause is
 * the cancellation the task was resumed with (asyncio's `raise
 * TimeoutError from exc`). Borrowed from the scope (ac_error_ref to keep
 * it, e.g. to fail the task with ac_task_raise); NULL before such an exit
 * or for NULL. */
AC_EXPORT ac_error *ac_timeout_error(const ac_timeout *scope) AC_NOEXCEPT;

/** Moves the deadline to loop time `when` (+infinity: none) while the
 * scope is entered (asyncio's Timeout.reschedule).
 * Errors: AC_EINVAL (NULL, NaN), AC_EMISUSE (not entered yet, expiring,
 * expired or exited), AC_ENOMEM. */
AC_EXPORT int ac_timeout_reschedule(ac_timeout *scope, double when) AC_NOEXCEPT;
/** The deadline (loop time; +infinity for none), or NaN for NULL. */
AC_EXPORT double ac_timeout_when(const ac_timeout *scope) AC_NOEXCEPT;
/** 1 once the deadline has passed while entered (the scope cancelled its
 * task), else 0; AC_EINVAL for NULL. */
AC_EXPORT int ac_timeout_expired(const ac_timeout *scope) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
