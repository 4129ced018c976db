/*
 * asyncore/sync.h — Lock, Event, Condition, Semaphore, BoundedSemaphore and
 * Barrier, with asyncio's semantics (3.12/3.13).
 *
 * Every operation that may wait hands out a future (`ac_future **out`, one
 * reference) that a task awaits: `return ac_task_await_owned(task, fut);`.
 * None of these functions runs callbacks inline: completions wake their
 * awaiters through the loop, in FIFO order.
 *
 * Guarantees:
 *  - Fairness: waiters are served in arrival order; a release hands the
 *    lock or permit straight to the first waiter, so a newcomer never
 *    overtakes one (asyncio's semaphore fix, bpo-45997).
 *  - No lost wake-up: a waiter cancelled while queued is removed at once
 *    and never woken. A waiter that was already handed the lock or permit,
 *    but whose task is cancelled before it resumes, gives it back and it
 *    goes to the next waiter: the task sees AC_ECANCELLED and does not
 *    hold it. (This applies when a task awaits the future; a future read
 *    any other way keeps what it was handed.)
 *  - Destroying a primitive (dropping its last reference) fails the futures
 *    still waiting on it with AC_ECLOSED instead of leaving them pending.
 *
 * Handles are reference counted (ac_X_ref / ac_X_unref; both accept NULL,
 * ref returns its argument) and belong to the loop they were made on: all
 * functions are loop-thread only. Misuse returns AC_EINVAL (NULL or a handle
 * of the wrong type), AC_ECLOSED (the loop is closed) or AC_EWRONGTHREAD
 * (another thread; checked in debug mode on the fast paths). Out-parameters
 * are written only on success.
 */
#ifndef ASYNCORE_SYNC_H
#define ASYNCORE_SYNC_H

#include "common.h"
#include "error.h"
#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ac_lock ac_lock;
typedef struct ac_event ac_event;
typedef struct ac_condition ac_condition;
typedef struct ac_semaphore ac_semaphore;
typedef struct ac_barrier ac_barrier;

/* ---- Lock (asyncio.Lock) ---- */

/* Creates an unlocked lock. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD,
 * AC_ENOMEM. */
AC_EXPORT int ac_lock_new(ac_loop *loop, ac_lock **out) AC_NOEXCEPT;
AC_EXPORT ac_lock *ac_lock_ref(ac_lock *lock) AC_NOEXCEPT;
/* Dropping the last reference fails pending acquires with AC_ECLOSED. */
AC_EXPORT void ac_lock_unref(ac_lock *lock) AC_NOEXCEPT;
/* A future that completes (result NONE) once the caller holds the lock;
 * already done when the lock was free. Cancelling it while it waits leaves
 * the queue. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_lock_acquire(ac_lock *lock, ac_future **out) AC_NOEXCEPT;
/* Takes the lock without waiting: 1 when taken, 0 when it is held (or
 * waiters are queued). Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_lock_try_acquire(ac_lock *lock) AC_NOEXCEPT;
/* Releases the lock; the first waiter gets it. Errors: AC_ESTATE when it is
 * not locked, AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_lock_release(ac_lock *lock) AC_NOEXCEPT;
/* 1 when held (including handed to a waiter that has not resumed yet),
 * 0 when free, AC_EINVAL. */
AC_EXPORT int ac_lock_locked(const ac_lock *lock) AC_NOEXCEPT;

/* ---- Event (asyncio.Event) ---- */

/* Creates an event that is not set. Errors as ac_lock_new. */
AC_EXPORT int ac_event_new(ac_loop *loop, ac_event **out) AC_NOEXCEPT;
AC_EXPORT ac_event *ac_event_ref(ac_event *ev) AC_NOEXCEPT;
/* Dropping the last reference fails pending waits with AC_ECLOSED. */
AC_EXPORT void ac_event_unref(ac_event *ev) AC_NOEXCEPT;
/* A future that completes (NONE) once the event is set; already done when
 * it is set. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_event_wait(ac_event *ev, ac_future **out) AC_NOEXCEPT;
/* Sets the event and wakes every waiter. Errors: AC_EINVAL, AC_ECLOSED,
 * AC_EWRONGTHREAD. */
AC_EXPORT int ac_event_set(ac_event *ev) AC_NOEXCEPT;
/* Clears the event: later waits wait for the next set. Errors as set. */
AC_EXPORT int ac_event_clear(ac_event *ev) AC_NOEXCEPT;
/* 1 when set, 0 when not, AC_EINVAL. */
AC_EXPORT int ac_event_is_set(const ac_event *ev) AC_NOEXCEPT;

/* ---- Condition (asyncio.Condition) ---- */

/* A predicate for ac_condition_wait_for: called with the lock held;
 * nonzero means satisfied. It must not destroy the condition. */
typedef int (*ac_condition_predicate_fn)(void *ud);

/* Creates a condition over `lock` (a new reference is taken), or over a
 * lock of its own when lock is NULL. Errors: AC_EINVAL (NULL loop or out,
 * a lock of another loop), AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_condition_new(ac_loop *loop, ac_lock *lock,
                               ac_condition **out) AC_NOEXCEPT;
AC_EXPORT ac_condition *ac_condition_ref(ac_condition *cond) AC_NOEXCEPT;
/* Dropping the last reference fails waits not yet notified with
 * AC_ECLOSED (they do not hold the lock then). */
AC_EXPORT void ac_condition_unref(ac_condition *cond) AC_NOEXCEPT;
/* The underlying lock (borrowed, valid while the condition lives). NULL
 * for NULL or a non-condition. */
AC_EXPORT ac_lock *ac_condition_lock(ac_condition *cond) AC_NOEXCEPT;
/* The lock's acquire, try_acquire, release and locked, for convenience. */
AC_EXPORT int ac_condition_acquire(ac_condition *cond, ac_future **out) AC_NOEXCEPT;
AC_EXPORT int ac_condition_release(ac_condition *cond) AC_NOEXCEPT;
AC_EXPORT int ac_condition_locked(const ac_condition *cond) AC_NOEXCEPT;

/* Releases the lock (which the caller must hold), waits until notified,
 * re-acquires the lock, then completes with NONE. The future completes
 * only once the lock is held again, also when the wait is cancelled: the
 * cancellation is then reported (AC_ECANCELLED) with the lock held, as in
 * asyncio. A waiter that was notified but ends cancelled passes the
 * notification to the next waiter. The only outcome without the lock is
 * AC_ECLOSED (the condition or its lock was destroyed meanwhile).
 * Errors: AC_ESTATE (the lock is not held), AC_EINVAL, AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_condition_wait(ac_condition *cond, ac_future **out) AC_NOEXCEPT;
/* Waits until pred(ud) is nonzero (asyncio's wait_for): the predicate is
 * called now, and again each time the waiter holds the lock after a
 * notification. The future completes with the predicate's last value as
 * INT64, with the lock held (already done when the predicate holds at
 * once). free_ud runs exactly once, when the future is done or the call
 * fails. May call pred inline. Errors as ac_condition_wait. */
AC_EXPORT int ac_condition_wait_for(ac_condition *cond, ac_condition_predicate_fn pred,
                                    void *ud, ac_free_fn free_ud,
                                    ac_future **out) AC_NOEXCEPT;
/* Wakes up to n waiters (n >= 0) in FIFO order; each completes once it has
 * re-acquired the lock. Returns how many were woken. Errors: AC_ESTATE
 * (the lock is not held), AC_EINVAL (negative n), AC_ECLOSED,
 * AC_EWRONGTHREAD. */
AC_EXPORT int ac_condition_notify(ac_condition *cond, int n) AC_NOEXCEPT;
/* Wakes every waiter. Errors as ac_condition_notify. */
AC_EXPORT int ac_condition_notify_all(ac_condition *cond) AC_NOEXCEPT;

/* ---- Semaphore and BoundedSemaphore (asyncio.Semaphore) ---- */

/* Creates a semaphore with `value` permits (>= 0); a bounded one refuses
 * releases that would exceed its initial value. Errors: AC_EINVAL
 * (negative value, NULL), AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_semaphore_new(ac_loop *loop, int64_t value,
                               ac_semaphore **out) AC_NOEXCEPT;
AC_EXPORT int ac_semaphore_new_bounded(ac_loop *loop, int64_t value,
                                       ac_semaphore **out) AC_NOEXCEPT;
AC_EXPORT ac_semaphore *ac_semaphore_ref(ac_semaphore *sem) AC_NOEXCEPT;
/* Dropping the last reference fails pending acquires with AC_ECLOSED. */
AC_EXPORT void ac_semaphore_unref(ac_semaphore *sem) AC_NOEXCEPT;
/* A future that completes (NONE) once the caller holds a permit; already
 * done when one was free and nobody waits. Errors as ac_lock_acquire. */
AC_EXPORT int ac_semaphore_acquire(ac_semaphore *sem, ac_future **out) AC_NOEXCEPT;
/* 1 when a permit was taken, 0 when none is free. Errors as
 * ac_lock_try_acquire. */
AC_EXPORT int ac_semaphore_try_acquire(ac_semaphore *sem) AC_NOEXCEPT;
/* Returns a permit; the first waiter gets it. Errors: AC_ESTATE (a bounded
 * semaphore already at its initial value, or the count would overflow),
 * AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_semaphore_release(ac_semaphore *sem) AC_NOEXCEPT;
/* 1 when an acquire would wait, 0 when not, AC_EINVAL. */
AC_EXPORT int ac_semaphore_locked(const ac_semaphore *sem) AC_NOEXCEPT;
/* The number of free permits (>= 0), or AC_EINVAL. */
AC_EXPORT int64_t ac_semaphore_value(const ac_semaphore *sem) AC_NOEXCEPT;

/* ---- Barrier (asyncio.Barrier, 3.11) ---- */

/* Creates a barrier for `parties` (>= 1) tasks. Errors: AC_EINVAL,
 * AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_barrier_new(ac_loop *loop, int64_t parties, ac_barrier **out) AC_NOEXCEPT;
AC_EXPORT ac_barrier *ac_barrier_ref(ac_barrier *b) AC_NOEXCEPT;
/* Dropping the last reference fails pending waits with AC_ECLOSED. */
AC_EXPORT void ac_barrier_unref(ac_barrier *b) AC_NOEXCEPT;
/* A future that completes with the caller's arrival index (INT64, 0 to
 * parties-1) once `parties` waits are pending; the last arrival's future is
 * done at once and the round starts over. A wait cancelled before the round
 * is complete leaves it. The futures of a round fail with AC_EBROKEN when
 * the barrier is reset or aborted. Errors: AC_EBROKEN (the barrier is
 * broken; no future), AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_barrier_wait(ac_barrier *b, ac_future **out) AC_NOEXCEPT;
/* Back to the empty, unbroken state; pending waits fail with AC_EBROKEN.
 * Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_barrier_reset(ac_barrier *b) AC_NOEXCEPT;
/* Breaks the barrier: pending and later waits fail with AC_EBROKEN until
 * ac_barrier_reset. Errors as reset. */
AC_EXPORT int ac_barrier_abort(ac_barrier *b) AC_NOEXCEPT;
/* 1 when broken, 0 when not, AC_EINVAL. */
AC_EXPORT int ac_barrier_broken(const ac_barrier *b) AC_NOEXCEPT;
/* The number of parties, or AC_EINVAL. */
AC_EXPORT int64_t ac_barrier_parties(const ac_barrier *b) AC_NOEXCEPT;
/* How many waits of the current round are pending, or AC_EINVAL. */
AC_EXPORT int64_t ac_barrier_n_waiting(const ac_barrier *b) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
