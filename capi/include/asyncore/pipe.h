/**
 * \file
 * asyncore/pipe.h — streams over descriptors the caller already has: pipes
 * and FIFOs (asyncio's loop.connect_read_pipe / connect_write_pipe), and
 * terminals.
 *
 * The descriptor is handed over: the stream owns it, makes it non-blocking
 * and closes it when the stream closes (as asyncio's pipe transports close
 * their file). To keep the process's own stdin or stdout open, pass a
 * dup() of it. Note that O_NONBLOCK belongs to the open file, which a
 * terminal or a pipe inherited from a shell shares with other processes.
 *
 * The result is an ordinary ac_stream (stream.h). A read pipe only reads
 * (writes fail with the OS's EBADF); a write pipe only writes, and its
 * ac_stream_at_eof is 1. Writing to a pipe whose reader is gone fails with
 * AC_EPIPE and never raises SIGPIPE: the signal is blocked on the calling
 * thread around the write, taken back if the write raised it, and the mask
 * restored. ac_stream_write_eof on a pipe or terminal closes it once the
 * buffered bytes are written (a pipe has no half-close).
 *
 * Threads: loop thread only, checked.
 *
 * Stability: experimental (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_PIPE_H
#define ASYNCORE_PIPE_H

#include "common.h"
#include "error.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @{ */
/** A stream that reads from / writes to `fd` (a pipe, FIFO, socket or
 * character device). *out gets a new reference; the stream owns `fd` from
 * here on, also when the call fails (it is closed then).
 * Errors: AC_EINVAL (NULL out, fd < 0, fd not a pipe, socket or character
 * device: asyncio's "Pipe transport is for pipes/sockets only."),
 * AC_EBADF, AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_pipe_connect_read(ac_loop *loop, int fd, ac_stream **out) AC_NOEXCEPT;
AC_EXPORT int ac_pipe_connect_write(ac_loop *loop, int fd, ac_stream **out) AC_NOEXCEPT;
/** @} */

/** A read-write stream over the terminal `fd` (owned as above).
 * Errors: as above, and -ENOTTY when fd is not a terminal. */
AC_EXPORT int ac_tty_open(ac_loop *loop, int fd, ac_stream **out) AC_NOEXCEPT;
/** Raw mode on (1: no line editing, no echo, no signals from keys, bytes
 * as typed) or back to the mode the terminal had when raw mode was first
 * switched on (0). Errors: AC_EINVAL (not a stream from ac_tty_open),
 * AC_ECLOSED, OS errors. */
AC_EXPORT int ac_tty_set_raw(ac_stream *tty, int raw) AC_NOEXCEPT;
/** The terminal's size in character cells. Errors: AC_EINVAL (NULL
 * argument, not a terminal stream), AC_ECLOSED, OS errors. */
AC_EXPORT int ac_tty_get_winsize(const ac_stream *tty, int *columns,
                                 int *rows) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
