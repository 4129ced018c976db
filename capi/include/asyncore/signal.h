/**
 * \file
 * asyncore/signal.h — Unix signal handlers on a loop (asyncio's
 * loop.add_signal_handler / remove_signal_handler).
 *
 * A handler runs on its loop's thread as an ordinary callback (scheduled
 * like call_soon), never in signal context, so it may use the whole API.
 * Deliveries that arrive before the handler ran may be merged into one
 * call, as the operating system merges pending signals. A loop holds one
 * handler per signal; adding another replaces it. The handler is
 * installed with libuv's signal watchers: while any loop of the process
 * watches a signal, its disposition is libuv's handler; when the last
 * watcher goes, it is the default again (SIG_DFL), as asyncio restores it.
 * Each loop sees only its own handlers: a signal some other loop watches
 * is not delivered to a loop that has no handler for it. Closing the loop
 * removes its handlers.
 *
 * ac_run (task.h) installs, for its duration, asyncio.run's SIGINT
 * handling when SIGINT has its default disposition: the first SIGINT
 * cancels the main task (which may catch the cancellation and clean up)
 * and ac_run then returns -EINTR (asyncio's KeyboardInterrupt) unless the
 * task finished otherwise; a second SIGINT restores the default
 * disposition and raises SIGINT again, which ends the process as Ctrl-C
 * would have without ac_run. (libuv's signal machinery opens a pipe pair
 * once per process the first time a signal is watched; it stays open.)
 *
 * Threads: loop thread only, checked.
 *
 * Stability: experimental (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_SIGNAL_H
#define ASYNCORE_SIGNAL_H

#include "common.h"
#include "error.h"
#include "loop.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A signal handler: returns 0, or a negative code, which the loop hands to
 * its exception handler (message "Exception in signal handler", subject
 * "handle") as it does for a callback that raised. */
typedef int (*ac_signal_fn)(ac_loop *loop, int signum, void *ud);

/** Calls fn(loop, signum, ud) on the loop each time `signum` arrives,
 * replacing the loop's handler for that signal (whose free_ud runs).
 * free_ud runs when the handler is replaced, removed, or the loop closes.
 * Errors (free_ud runs at once): AC_EINVAL (NULL fn, a number out of
 * range: asyncio's ValueError), AC_EMISUSE ("sig 9 cannot be caught":
 * SIGKILL, SIGSTOP), AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM, OS errors. */
AC_EXPORT int ac_loop_add_signal_handler(ac_loop *loop, int signum, ac_signal_fn fn,
                                         void *ud, ac_free_fn free_ud) AC_NOEXCEPT;
/** Removes the loop's handler for `signum`: 1 when there was one, 0 when
 * not. Errors: AC_EINVAL (NULL loop, number out of range), AC_EWRONGTHREAD. */
AC_EXPORT int ac_loop_remove_signal_handler(ac_loop *loop, int signum) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
