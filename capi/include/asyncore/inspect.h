/**
 * \file
 * asyncore/inspect.h — seeing into a loop: what every task waits for
 * (ac_loop_dump), and the loop's counters (ac_loop_get_stats).
 *
 * Both read the loop's state and change nothing; both may be called from
 * inside a callback or a task step of the loop (a watchdog timer of a
 * program that seems stuck) as well as between runs.
 *
 * Stability: experimental (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_INSPECT_H
#define ASYNCORE_INSPECT_H

#include "common.h"
#include "loop.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Formats for ac_loop_dump. Append only. */
typedef enum ac_dump_format {
  /** Text for a person: one line per task, each task under the task that
   * awaits it (an await tree, as asyncio's `ps`/`pstree` and Trio's task
   * tree show it). */
  AC_DUMP_TEXT = 0,
  /** JSON lines: one object per task, in creation order, each ending with a
   * newline. Keys: "id", "name", "state" ("running", "ready", "waiting" or
   * "cancelling": a cancellation requested and not yet delivered),
   * "cancelling" (the task's cancel-request count), "awaits" (null, or an
   * object whose "kind" says what the task waits for, with the kind's own
   * keys) and "awaited_by" (ids of the tasks awaiting this one: directly,
   * through a combinator, or as the body of its task group); "timeout"
   * (seconds left of the innermost timeout scope the task is in) when
   * there is one. */
  AC_DUMP_JSON = 1
} ac_dump_format;

/** Every pending task of the loop with its id (creation order), name,
 * state and what it awaits: another task, a plain future, a lock,
 * semaphore, event, condition, barrier or queue get/put/join (the
 * primitive's address, and the task's place in its waiter queue), a sleep
 * (time left on the loop clock), a stream read, drain, connect or close,
 * a task group (its tasks still running), gather, wait, wait_for, shield,
 * as_completed, an ac_to_thread job, a name resolution, a thread-safe
 * future. Nested combinators are followed; a task awaited through any of
 * them appears under (text) or in the "awaited_by" of (JSON) its awaiter.
 * `*out` receives a new NUL-terminated string, freed with ac_free (an
 * empty string when no task is pending). The format is for reading, not a
 * contract: kinds and keys are only added to.
 * Errors: AC_EINVAL (NULL loop or out, unknown format), AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_loop_dump(ac_loop *loop, int format, char **out) AC_NOEXCEPT;

/** The task's id: its place in creation order among all the tasks of the
 * process (from 1), as ac_loop_dump shows it and the default name
 * "Task-<id>" uses. Thread: any. Returns 0 for NULL. */
AC_EXPORT uint64_t ac_task_get_id(const ac_task *t) AC_NOEXCEPT;

/** The loop's counters since it was created. Append only: a caller built
 * against an older header passes its smaller size and gets the fields it
 * knows. */
typedef struct ac_loop_stats {
  uint64_t tasks_alive;    /**< tasks pending now */
  uint64_t tasks_created;  /**< tasks created on the loop */
  uint64_t ready;          /**< callbacks in the ready queue now */
  uint64_t timers;         /**< armed timers now (call_later, sleeps, deadlines) */
  uint64_t callbacks_run;  /**< callbacks and task steps run */
  uint64_t iterations;     /**< loop iterations (one poll, then ready callbacks) */
  uint64_t poll_ns;        /**< time spent in the I/O poll, blocked or not */
  uint64_t callbacks_ns;   /**< time spent running batches of ready callbacks */
} ac_loop_stats;

/** Copies min(size, sizeof(ac_loop_stats)) bytes of the counters into
 * `out`. Times are real time (uv_hrtime), even under the virtual clock:
 * the poll is timed once per poll and callbacks once per batch, never
 * one by one. Returns the number of bytes written.
 * Errors: AC_EINVAL (NULL loop or out), AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_loop_get_stats(const ac_loop *loop, ac_loop_stats *out,
                                size_t size) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
