/**
 * \file
 * asyncore/fdwatch.h — watching any descriptor the host owns (asyncio's
 * loop.add_reader / add_writer), awaiting readiness from a task, and
 * asyncio's loop.sock_recv / sock_sendall / sock_connect / sock_accept on
 * a non-blocking socket the host owns.
 *
 * One reader and one writer per descriptor per loop: adding a second
 * replaces the first (its free_ud runs), as asyncio's add_reader does. The
 * callbacks are level-triggered: while the descriptor stays readable the
 * reader runs once per loop iteration, from the ready queue (never inside
 * the add call). The loop never closes a descriptor it watches; the host
 * removes its callbacks before it closes the descriptor.
 *
 * A descriptor closed behind the loop's back. Before each poll the loop
 * checks that every descriptor it watches is still open; one that is not
 * is dropped (never polled, never spinning): its reader and writer are
 * removed (free_ud runs) and reported once to the exception handler with
 * -EBADF, and every future waiting on it fails with -EBADF. A descriptor
 * that is already closed when it is added is refused with -EBADF.
 * (A number reused by a new descriptor before the check cannot be told
 * apart: remove before closing.) Regular files cannot be watched (epoll
 * refuses them): -EPERM.
 *
 * Closing the loop removes every reader and writer (free_ud runs) and
 * fails the waiting futures with AC_ECLOSED.
 *
 * Threads: loop thread only (checked).
 *
 * Stability: experimental (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_FDWATCH_H
#define ASYNCORE_FDWATCH_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "loop.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @{ */
/** Calls `fn(loop, ud)` whenever `fd` is readable (writable), until
 * removed. Replaces the fd's earlier reader (writer), whose free_ud runs.
 * Errors: AC_EINVAL (NULL loop or fn, negative fd), -EBADF (not an open
 * descriptor), -EPERM (a regular file), AC_ECLOSED, AC_EWRONGTHREAD,
 * AC_ENOMEM; free_ud runs at once on error. */
AC_EXPORT int ac_loop_add_reader(ac_loop *loop, int fd, ac_callback_fn fn, void *ud,
                                 ac_free_fn free_ud) AC_NOEXCEPT;
AC_EXPORT int ac_loop_add_writer(ac_loop *loop, int fd, ac_callback_fn fn, void *ud,
                                 ac_free_fn free_ud) AC_NOEXCEPT;
/** @} */
/** @{ */
/** Removes the fd's reader (writer): 1 if there was one (its free_ud runs
 * now), 0 if not. Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD. */
AC_EXPORT int ac_loop_remove_reader(ac_loop *loop, int fd) AC_NOEXCEPT;
AC_EXPORT int ac_loop_remove_writer(ac_loop *loop, int fd) AC_NOEXCEPT;
/** @} */

/** @{ */
/** A future that completes with NONE once `fd` is readable (writable).
 * Any number may wait on one descriptor, beside its reader and writer.
 * Cancelling one stops its wait. Errors as ac_loop_add_reader. */
AC_EXPORT int ac_wait_readable(ac_loop *loop, int fd, ac_future **out) AC_NOEXCEPT;
AC_EXPORT int ac_wait_writable(ac_loop *loop, int fd, ac_future **out) AC_NOEXCEPT;
/** @} */

/* ---- asyncio's loop.sock_* on a socket the host owns. `fd` must be in
 * non-blocking mode (AC_EINVAL otherwise, as asyncio's ValueError "the
 * socket must be non-blocking"); it stays the host's. Each tries the
 * system call first and waits for readiness only when it would block.
 * Errors at once: AC_EINVAL, -EBADF, AC_ECLOSED, AC_EWRONGTHREAD,
 * AC_ENOMEM; system-call errors fail the future. */

/** Receives up to `n` bytes (n >= 1). Result: the bytes (empty at EOF). */
AC_EXPORT int ac_sock_recv(ac_loop *loop, int fd, size_t n, ac_future **out) AC_NOEXCEPT;
/** Sends all `len` bytes of `data` (copied now). Result: NONE once all are
 * handed to the kernel. If cancelled part-way, the bytes already sent
 * stay sent (as asyncio's). SIGPIPE is not raised (MSG_NOSIGNAL): a
 * closed peer fails it with -EPIPE. */
AC_EXPORT int ac_sock_sendall(ac_loop *loop, int fd, const void *data, size_t len,
                              ac_future **out) AC_NOEXCEPT;
/** Connects to `address` ("1.2.3.4:80", "[::1]:80", or a Unix socket path
 * starting with '/' or '.'; numeric addresses only). Result: NONE once
 * connected; failures such as -ECONNREFUSED fail it. */
AC_EXPORT int ac_sock_connect(ac_loop *loop, int fd, const char *address,
                              ac_future **out) AC_NOEXCEPT;
/** Accepts one connection on the listening socket `fd`. Result: the new
 * descriptor (AC_VALUE_INT64, non-blocking and close-on-exec), owned by
 * the caller. */
AC_EXPORT int ac_sock_accept(ac_loop *loop, int fd, ac_future **out) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
