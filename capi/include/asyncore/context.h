/**
 * \file
 * asyncore/context.h — task-local context (Python's contextvars).
 *
 * A key is created once per process. Each task has its own context: a copy
 * of the context current when the task was created, so a value set in a
 * task is seen by the tasks it creates afterwards and by the callbacks it
 * schedules (call_soon, call_later, done-callbacks), but never by its
 * parent. Outside any task, the loop's own base context is current.
 * Copies are cheap (contexts are immutable maps shared until written).
 *
 * Worker threads: a function run by ac_to_thread / ac_to_thread_v2 runs in
 * a copy of the context current when it was submitted (asyncio.to_thread
 * copies the contextvars). While it runs, the calls below made from its
 * worker thread with that loop (or with loop NULL) work on that copy, as
 * they would on the loop's thread; what it sets stays in the copy.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_CONTEXT_H
#define ASYNCORE_CONTEXT_H

#include "common.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A context variable (Python's ContextVar), named by a key from
 * ac_context_key_new. */
typedef uint32_t ac_context_key;

/** A new key, distinct from all others in the process. Thread: any.
 * Errors: AC_EINVAL (out NULL), AC_ENOMEM (keys exhausted). */
AC_EXPORT int ac_context_key_new(ac_context_key *out) AC_NOEXCEPT;

/** Sets `key` in the current context of `loop` (the running task's, or the
 * loop's base context). Bytes are copied; a pointer's destructor runs when
 * the last context holding the value is gone. Loop thread only, or a
 * worker running a function of ac_to_thread (see above; `loop` may be
 * NULL there).
 * Errors: AC_EINVAL (NULL, key never created, malformed value),
 * AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_context_set(ac_loop *loop, ac_context_key key, const ac_value *v) AC_NOEXCEPT;
/** Reads `key` from the current context: 1 and a borrowed view in `out`
 * (valid until the value is replaced in this context or the step returns;
 * in a worker, until its function returns), or 0 when unset. Threads: as
 * ac_context_set. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_context_get(ac_loop *loop, ac_context_key key, ac_value *out) AC_NOEXCEPT;
/** Removes `key` from the current context; returns 1 if it was set, 0 if
 * not. Errors: as ac_context_set. */
AC_EXPORT int ac_context_delete(ac_loop *loop, ac_context_key key) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
