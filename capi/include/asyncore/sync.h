/**
 * \file
 * asyncore/sync.h — Lock, Event, Condition, Semaphore, BoundedSemaphore and
 * Barrier, with asyncio's semantics (3.12/3.13).
 *
 * Every operation that may wait hands out a future (`ac_future **out`, one
 * reference) that a task awaits: `return ac_task_await_owned(task, fut);`.
 * None of these functions runs callbacks inline: completions wake their
 * awaiters through the loop, in FIFO order.
 *
 * The rules are asyncio 3.13's, step for step:
 *  - An acquire or wait that cannot complete at once is an operation that
 *    queues itself and waits; a release, set or notify only *wakes* it.
 *    The woken operation goes on when its task next runs (inside that
 *    task's step, before the task's own code), and only then takes the
 *    lock or permit. So a waiter woken and then cancelled before it runs
 *    takes nothing and passes the wake-up on; the task sees AC_ECANCELLED
 *    and holds nothing. A future awaited by something other than a task
 *    (a gather, a done-callback) goes on from the ready queue by itself,
 *    as asyncio's wrapping task would.
 *  - Fairness: waiters are woken in arrival order; a newcomer queues behind
 *    waiters that were woken but have not run yet (ac_lock_try_acquire and
 *    ac_semaphore_try_acquire refuse then), as in asyncio.
 *  - Destroying a primitive (dropping its last reference) fails the futures
 *    still waiting on it with AC_ECLOSED instead of leaving them pending.
 *  - Misuse is asyncio's RuntimeError (AC_EMISUSE) or ValueError
 *    (AC_EINVAL), with asyncio's message from ac_last_error_message.
 *
 * Handles are reference counted (ac_X_ref / ac_X_unref; both accept NULL,
 * ref returns its argument) and belong to the loop they were made on: all
 * functions are loop-thread only. Misuse returns AC_EINVAL (NULL or a handle
 * of the wrong type), AC_ECLOSED (the loop is closed) or AC_EWRONGTHREAD
 * (another thread; checked in debug mode on the fast paths). Out-parameters
 * are written only on success.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_SYNC_H
#define ASYNCORE_SYNC_H

#include "common.h"
#include "error.h"
#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

/** asyncio.Lock; reference counted, as every object below. */
typedef struct ac_lock ac_lock;
/** asyncio.Event. */
typedef struct ac_event ac_event;
/** asyncio.Condition. */
typedef struct ac_condition ac_condition;
/** asyncio.Semaphore and asyncio.BoundedSemaphore. */
typedef struct ac_semaphore ac_semaphore;
/** asyncio.Barrier. */
typedef struct ac_barrier ac_barrier;

/* ---- Lock (asyncio.Lock) ---- */

/** Creates an unlocked lock. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD,
 * AC_ENOMEM. */
AC_EXPORT int ac_lock_new(ac_loop *loop, ac_lock **out) AC_NOEXCEPT;
/** Adds a reference to `lock` and returns it; NULL is accepted. */
AC_EXPORT ac_lock *ac_lock_ref(ac_lock *lock) AC_NOEXCEPT;
/** Dropping the last reference fails pending acquires with AC_ECLOSED. */
AC_EXPORT void ac_lock_unref(ac_lock *lock) AC_NOEXCEPT;
/** A future that completes (result NONE) once the caller holds the lock;
 * already done when the lock was free. Cancelling it while it waits leaves
 * the queue. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_lock_acquire(ac_lock *lock, ac_future **out) AC_NOEXCEPT;
/** Takes the lock without waiting, as acquire would at once: 1 when taken,
 * 0 when it is held or someone not cancelled waits for it.
 * Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_lock_try_acquire(ac_lock *lock) AC_NOEXCEPT;
/** Releases the lock and wakes the first waiter, which takes it when its
 * task runs. Errors: AC_EMISUSE when it is not locked ("Lock is not
 * acquired."), AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_lock_release(ac_lock *lock) AC_NOEXCEPT;
/** 1 when held, 0 when not (asyncio's locked(): 0 from a release until the
 * woken waiter runs, though a newcomer still queues behind it),
 * AC_EINVAL. */
AC_EXPORT int ac_lock_locked(const ac_lock *lock) AC_NOEXCEPT;

/* ---- Event (asyncio.Event) ---- */

/** Creates an event that is not set. Errors as ac_lock_new. */
AC_EXPORT int ac_event_new(ac_loop *loop, ac_event **out) AC_NOEXCEPT;
/** Adds a reference to `ev` and returns it; NULL is accepted. */
AC_EXPORT ac_event *ac_event_ref(ac_event *ev) AC_NOEXCEPT;
/** Dropping the last reference fails pending waits with AC_ECLOSED. */
AC_EXPORT void ac_event_unref(ac_event *ev) AC_NOEXCEPT;
/** A future that completes (NONE) once the event is set; already done when
 * it is set. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_event_wait(ac_event *ev, ac_future **out) AC_NOEXCEPT;
/** Sets the event and wakes every waiter. Errors: AC_EINVAL, AC_ECLOSED,
 * AC_EWRONGTHREAD. */
AC_EXPORT int ac_event_set(ac_event *ev) AC_NOEXCEPT;
/** Clears the event: later waits wait for the next set. Errors as set. */
AC_EXPORT int ac_event_clear(ac_event *ev) AC_NOEXCEPT;
/** 1 when set, 0 when not, AC_EINVAL. */
AC_EXPORT int ac_event_is_set(const ac_event *ev) AC_NOEXCEPT;

/* ---- Condition (asyncio.Condition) ---- */

/** A predicate for ac_condition_wait_for: called with the lock held;
 * nonzero means satisfied. It must not destroy the condition. */
typedef int (*ac_condition_predicate_fn)(void *ud);

/** Creates a condition over `lock` (a new reference is taken), or over a
 * lock of its own when lock is NULL. Errors: AC_EINVAL (NULL loop or out,
 * a lock of another loop), AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_condition_new(ac_loop *loop, ac_lock *lock,
                               ac_condition **out) AC_NOEXCEPT;
/** Adds a reference to `cond` and returns it; NULL is accepted. */
AC_EXPORT ac_condition *ac_condition_ref(ac_condition *cond) AC_NOEXCEPT;
/** Dropping the last reference fails waits not yet notified with
 * AC_ECLOSED (they do not hold the lock then). */
AC_EXPORT void ac_condition_unref(ac_condition *cond) AC_NOEXCEPT;
/** The underlying lock (borrowed, valid while the condition lives). NULL
 * for NULL or a non-condition. */
AC_EXPORT ac_lock *ac_condition_lock(ac_condition *cond) AC_NOEXCEPT;
/** @{ */
/** The lock's acquire, try_acquire, release and locked, for convenience. */
AC_EXPORT int ac_condition_acquire(ac_condition *cond, ac_future **out) AC_NOEXCEPT;
AC_EXPORT int ac_condition_release(ac_condition *cond) AC_NOEXCEPT;
AC_EXPORT int ac_condition_locked(const ac_condition *cond) AC_NOEXCEPT;
/** @} */

/** Releases the lock (which the caller must hold), waits until notified,
 * re-acquires the lock, then completes with NONE. The future completes
 * only once the lock is held again, also when the wait is cancelled: the
 * cancellation is then reported (AC_ECANCELLED) with the lock held, as in
 * asyncio. A waiter that was notified but ends cancelled passes the
 * notification to the next waiter. The only outcome without the lock is
 * AC_ECLOSED (the condition or its lock was destroyed meanwhile). A
 * waiter cancelled on its way out notifies the next one in its place
 * (asyncio 3.13: a spurious wake-up is allowed, a lost one is not).
 * Errors: AC_EMISUSE (the lock is not held: "cannot wait on un-acquired
 * lock"), AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_condition_wait(ac_condition *cond, ac_future **out) AC_NOEXCEPT;
/** Waits until pred(ud) is nonzero (asyncio's wait_for): the predicate is
 * called now, and again each time the waiter holds the lock after a
 * notification. The future completes with the predicate's last value as
 * INT64, with the lock held; it is already done when the predicate holds
 * at once, and then the lock need not be held (asyncio calls wait() only
 * when the predicate is false). free_ud runs exactly once, when the future
 * is done or the call fails. Calls pred inline. Errors as
 * ac_condition_wait. */
AC_EXPORT int ac_condition_wait_for(ac_condition *cond, ac_condition_predicate_fn pred,
                                    void *ud, ac_free_fn free_ud,
                                    ac_future **out) AC_NOEXCEPT;
/** Wakes up to n waiters in FIFO order (none for n <= 0, as asyncio); each
 * completes once it has re-acquired the lock. Returns how many were woken.
 * Errors: AC_EMISUSE (the lock is not held: "cannot notify on un-acquired
 * lock"), AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int64_t ac_condition_notify(ac_condition *cond, int64_t n) AC_NOEXCEPT;
/** Wakes every waiter. Errors as ac_condition_notify. */
AC_EXPORT int64_t ac_condition_notify_all(ac_condition *cond) AC_NOEXCEPT;

/* ---- Semaphore and BoundedSemaphore (asyncio.Semaphore) ---- */

/** @{ */
/** Creates a semaphore with `value` permits (>= 0); a bounded one refuses
 * releases that would exceed its initial value. Errors: AC_EINVAL
 * (negative value: "Semaphore initial value must be >= 0"; NULL),
 * AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_semaphore_new(ac_loop *loop, int64_t value,
                               ac_semaphore **out) AC_NOEXCEPT;
AC_EXPORT int ac_semaphore_new_bounded(ac_loop *loop, int64_t value,
                                       ac_semaphore **out) AC_NOEXCEPT;
/** @} */
/** Adds a reference to `sem` and returns it; NULL is accepted. */
AC_EXPORT ac_semaphore *ac_semaphore_ref(ac_semaphore *sem) AC_NOEXCEPT;
/** Dropping the last reference fails pending acquires with AC_ECLOSED. */
AC_EXPORT void ac_semaphore_unref(ac_semaphore *sem) AC_NOEXCEPT;
/** A future that completes (NONE) once the caller holds a permit; already
 * done when the semaphore is not locked (below). A release sets a permit
 * aside for the first waiter not yet woken; a woken waiter that runs wakes
 * as many more as there are free permits (asyncio 3.13).
 * Errors as ac_lock_acquire. */
AC_EXPORT int ac_semaphore_acquire(ac_semaphore *sem, ac_future **out) AC_NOEXCEPT;
/** 1 when a permit was taken, 0 when the semaphore is locked. Errors as
 * ac_lock_try_acquire. */
AC_EXPORT int ac_semaphore_try_acquire(ac_semaphore *sem) AC_NOEXCEPT;
/** Returns a permit and wakes the first waiter not yet woken. Errors:
 * AC_EINVAL (a bounded semaphore already at its initial value:
 * "BoundedSemaphore released too many times"; or NULL), AC_ECLOSED,
 * AC_EWRONGTHREAD. */
AC_EXPORT int ac_semaphore_release(ac_semaphore *sem) AC_NOEXCEPT;
/** 1 when an acquire would wait (3.13: no free permit, or someone not
 * cancelled waits, woken or not), 0 when not, AC_EINVAL. */
AC_EXPORT int ac_semaphore_locked(const ac_semaphore *sem) AC_NOEXCEPT;
/** The number of free permits (>= 0), or AC_EINVAL. */
AC_EXPORT int64_t ac_semaphore_value(const ac_semaphore *sem) AC_NOEXCEPT;

/* ---- Barrier (asyncio.Barrier, 3.11) ---- */

/** Creates a barrier for `parties` (>= 1) tasks, built as asyncio's on a
 * condition of its own: a round fills, then drains (a newcomer waits for
 * the released parties to leave), then fills again. Errors: AC_EINVAL
 * (parties < 1: "parties must be >= 1"), AC_ECLOSED, AC_EWRONGTHREAD,
 * AC_ENOMEM. */
AC_EXPORT int ac_barrier_new(ac_loop *loop, int64_t parties, ac_barrier **out) AC_NOEXCEPT;
/** Adds a reference to `b` and returns it; NULL is accepted. */
AC_EXPORT ac_barrier *ac_barrier_ref(ac_barrier *b) AC_NOEXCEPT;
/** Dropping the last reference fails pending waits with AC_ECLOSED. */
AC_EXPORT void ac_barrier_unref(ac_barrier *b) AC_NOEXCEPT;
/** A future that completes with the caller's arrival index (INT64, 0 to
 * parties-1) once `parties` waits are pending. A wait cancelled before the
 * round is complete leaves it. The waits of a round fail with AC_EBROKEN
 * ("Abort or reset of barrier") when the barrier is reset or aborted, and
 * a wait on a broken barrier fails with AC_EBROKEN ("Barrier aborted")
 * when it runs. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD,
 * AC_ENOMEM. */
AC_EXPORT int ac_barrier_wait(ac_barrier *b, ac_future **out) AC_NOEXCEPT;
/** asyncio's reset(): pending waits fail with AC_EBROKEN, and the barrier
 * fills again once they have left. Acts at once (asyncio's reset() is a
 * coroutine that first takes the barrier's internal lock; see
 * docs/asyncio-differences.md). Errors: AC_EINVAL, AC_ECLOSED,
 * AC_EWRONGTHREAD. */
AC_EXPORT int ac_barrier_reset(ac_barrier *b) AC_NOEXCEPT;
/** Breaks the barrier: pending and later waits fail with AC_EBROKEN until
 * ac_barrier_reset. Acts at once, as ac_barrier_reset. Errors as reset. */
AC_EXPORT int ac_barrier_abort(ac_barrier *b) AC_NOEXCEPT;
/** 1 when broken, 0 when not, AC_EINVAL. */
AC_EXPORT int ac_barrier_broken(const ac_barrier *b) AC_NOEXCEPT;
/** The number of parties, or AC_EINVAL. */
AC_EXPORT int64_t ac_barrier_parties(const ac_barrier *b) AC_NOEXCEPT;
/** How many waits of the current round are pending (0 while the barrier
 * drains or resets, as asyncio's n_waiting), or AC_EINVAL. */
AC_EXPORT int64_t ac_barrier_n_waiting(const ac_barrier *b) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
