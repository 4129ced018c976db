/**
 * \file
 * asyncore/queue.h — asyncio.Queue, LifoQueue and PriorityQueue, with
 * shutdown (asyncio 3.13).
 *
 * Items are tagged values (asyncore/value.h): a put copies bytes and takes
 * over a pointer's destructor when the call succeeds; the queue then owns
 * the item until a get hands it out. Every item is released exactly once:
 * by whoever takes it from a get, or by the queue when the item is dropped
 * (a put that ends cancelled or failed, ac_queue_shutdown with immediate,
 * items still queued when the queue is destroyed).
 *
 * A priority queue hands out the item with the lowest int64 priority first,
 * and items of equal priority in the order they were put.
 *
 * Operations that may wait hand out a future (one reference) a task
 * awaits; none runs callbacks inline. The rules are asyncio 3.13's:
 *  - A put makes room for nothing and a get takes nothing on anyone's
 *    behalf: put_nowait wakes the first waiting getter and get_nowait the
 *    first waiting putter, and the woken get (put) takes the item (puts
 *    its own) when its task next runs, after checking the queue again — an
 *    item taken meanwhile sends it back to wait, at the end of the line.
 *  - A get or put cancelled before its task runs takes or puts nothing,
 *    and passes its wake-up to the next waiter; no item is lost or put
 *    twice, and a retried put puts once.
 *  - Getters and putters are woken in arrival order.
 *  - Destroying a queue (dropping its last reference) fails pending gets,
 *    puts and joins with AC_ECLOSED and releases the items it holds.
 *  - QueueEmpty, QueueFull and QueueShutDown (AC_EEMPTY, AC_EFULL,
 *    AC_ESHUTDOWN) carry no message, as asyncio's.
 *
 * Handles are reference counted, loop-thread only. Misuse returns AC_EINVAL
 * (NULL, a bad value or kind), AC_ECLOSED (the loop is closed) or
 * AC_EWRONGTHREAD (checked in debug mode). Out-parameters are written only
 * on success.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_QUEUE_H
#define ASYNCORE_QUEUE_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A queue of values (asyncio.Queue, LifoQueue, PriorityQueue); reference
 * counted. */
typedef struct ac_queue ac_queue;

/** The order in which a queue hands out its items. */
typedef enum ac_queue_kind {
  AC_QUEUE_FIFO = 0,    /**< asyncio.Queue */
  AC_QUEUE_LIFO = 1,    /**< asyncio.LifoQueue */
  AC_QUEUE_PRIORITY = 2 /**< asyncio.PriorityQueue, by int64 priority */
} ac_queue_kind;

/** Creates a queue of `kind` holding at most `maxsize` items. 0 means no
 * limit, and so does a size above INT64_MAX, which is what a negative
 * size passed through size_t becomes (asyncio: maxsize <= 0 is
 * unbounded). Errors: AC_EINVAL (NULL, unknown kind), AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_queue_new(ac_loop *loop, int kind, size_t maxsize,
                           ac_queue **out) AC_NOEXCEPT;
/** Adds a reference to `q` and returns it; NULL is accepted. */
AC_EXPORT ac_queue *ac_queue_ref(ac_queue *q) AC_NOEXCEPT;
/** Dropping the last reference fails pending operations with AC_ECLOSED
 * and releases the queued items. */
AC_EXPORT void ac_queue_unref(ac_queue *q) AC_NOEXCEPT;

/** Puts `item` (see ownership above), waiting while the queue is full. The
 * future completes with NONE once the item is in the queue; it fails with
 * AC_ESHUTDOWN when the queue is shut down meanwhile (the put releases the
 * item then, as it does when it is cancelled). In a priority queue the
 * priority is 0.
 * Errors (the caller keeps the item): AC_ESHUTDOWN (shut down), AC_EINVAL,
 * AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_queue_put(ac_queue *q, const ac_value *item, ac_future **out) AC_NOEXCEPT;
/** Puts without waiting. Errors (the caller keeps the item): AC_EFULL,
 * AC_ESHUTDOWN, AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_queue_put_nowait(ac_queue *q, const ac_value *item) AC_NOEXCEPT;
/** @{ */
/** The same with a priority, for priority queues only (AC_EINVAL for the
 * others). */
AC_EXPORT int ac_queue_put_priority(ac_queue *q, int64_t priority, const ac_value *item,
                                    ac_future **out) AC_NOEXCEPT;
AC_EXPORT int ac_queue_put_priority_nowait(ac_queue *q, int64_t priority,
                                           const ac_value *item) AC_NOEXCEPT;
/** @} */

/** Gets the next item, waiting while the queue is empty. The future
 * completes with the item as its result: move it out with
 * ac_future_take_result (otherwise the future releases it when freed). It
 * fails with AC_ESHUTDOWN when the queue is shut down and empty.
 * Errors: AC_ESHUTDOWN (shut down and empty), AC_EINVAL, AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_queue_get(ac_queue *q, ac_future **out) AC_NOEXCEPT;
/** Gets without waiting; the item is moved to *out (the caller owns it:
 * ac_value_clear). `priority` (optional) receives its priority (0 outside
 * priority queues). Errors: AC_EEMPTY, AC_ESHUTDOWN (shut down and empty),
 * AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_queue_get_nowait(ac_queue *q, ac_value *out, int64_t *priority) AC_NOEXCEPT;

/** @{ */
/** Sizes: number of items, 1/0 for empty and full (never full when
 * unbounded), the maxsize (a negative one for a size above INT64_MAX).
 * AC_EINVAL for a bad handle (as a negative number). */
AC_EXPORT int64_t ac_queue_qsize(const ac_queue *q) AC_NOEXCEPT;
AC_EXPORT int ac_queue_empty(const ac_queue *q) AC_NOEXCEPT;
AC_EXPORT int ac_queue_full(const ac_queue *q) AC_NOEXCEPT;
AC_EXPORT int64_t ac_queue_maxsize(const ac_queue *q) AC_NOEXCEPT;
/** @} */

/** Marks one item taken by a get as processed (asyncio's task_done). Every
 * successful put counts one unfinished item; when the count reaches zero,
 * joins complete. Errors: AC_EINVAL (called more times than items were
 * put: "task_done() called too many times"; or NULL), AC_ECLOSED,
 * AC_EWRONGTHREAD. */
AC_EXPORT int ac_queue_task_done(ac_queue *q) AC_NOEXCEPT;
/** A future that completes (NONE) once every item put has been marked done;
 * already done when none is unfinished. Errors: AC_EINVAL, AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_queue_join(ac_queue *q, ac_future **out) AC_NOEXCEPT;

/** Shuts the queue down (asyncio 3.13): puts fail with AC_ESHUTDOWN from
 * now on (pending ones too), gets return the remaining items and then fail
 * with AC_ESHUTDOWN (pending ones at once, since the queue is empty when
 * gets wait). With `immediate` nonzero the queued items are released now
 * and each counts as done for join. Calling it again is harmless (an
 * immediate call after a plain one still drops the items).
 * Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_queue_shutdown(ac_queue *q, int immediate) AC_NOEXCEPT;
/** 1 when shut down, 0 when not, AC_EINVAL. */
AC_EXPORT int ac_queue_is_shutdown(const ac_queue *q) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
