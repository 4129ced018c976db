/**
 * \file
 * asyncore/stream.h — byte streams over TCP and Unix-domain sockets
 * (asyncio's open_connection, StreamReader and StreamWriter in one object).
 *
 * An ac_stream is one connection: a reader with a buffer (read, readexactly,
 * readline, readuntil, at_eof) and a buffered writer (write, drain,
 * write_eof, close, wait_closed). Every waiting operation returns a future
 * that a task awaits; none blocks the thread.
 *
 * Results that carry data are AC_VALUE_BYTES values in the future (read
 * them with ac_future_result, or move them out with ac_future_take_result).
 * Addresses are strings: "1.2.3.4:80", "[::1]:80", or a Unix socket path.
 *
 * Reading. The stream reads from the socket into its own buffer as data
 * arrives; a read future takes its bytes out of that buffer only when it
 * completes. So cancelling a pending read loses nothing: the bytes stay for
 * the next read. (If the read had already completed when its task was
 * cancelled — data and cancellation in the same iteration — the bytes are
 * the result of that read future, reachable with ac_task_awaited in the step
 * that sees AC_ECANCELLED.) One read at a time: a second read while one is
 * pending returns AC_ESTATE, as asyncio's "already waiting" RuntimeError.
 * Flow control: the stream stops reading from the socket while its buffer
 * holds more than twice the limit, and resumes once it holds the limit or
 * less (asyncio's StreamReader).
 *
 * Connection errors. A reset by the peer fails the reads that cannot be
 * served from the buffer with AC_ECONNRESET (bytes already buffered are
 * delivered first). A write to a peer that has gone fails drain with
 * AC_EPIPE or AC_ECONNRESET, and later writes return that code. SIGPIPE
 * never kills the process: the library sends with MSG_NOSIGNAL, so the
 * kernel reports EPIPE instead of raising the signal; it installs no signal
 * handler and changes no signal mask or disposition.
 *
 * Closing. ac_stream_close writes out what is buffered, then closes the
 * socket; reads pending at that moment fail with AC_ECLOSED. Closing the
 * loop closes every open stream at once (buffered output is discarded),
 * fails pending reads and drains with AC_ECLOSED and completes wait_closed.
 * Dropping the last reference to an open stream closes it as
 * ac_stream_close does.
 *
 * Threads: loop thread only, checked (AC_EWRONGTHREAD) in debug mode.
 * None of these functions runs callbacks inline; futures complete through
 * the loop.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_STREAM_H
#define ASYNCORE_STREAM_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A connected byte stream (asyncio's StreamReader and StreamWriter in
 * one); reference counted. */
typedef struct ac_stream ac_stream;

/** @{ */
/** Defaults, as asyncio's: the reader's limit, and the writer's water
 * marks (low defaults to high / 4). */
#define AC_STREAM_DEFAULT_LIMIT 65536
#define AC_STREAM_DEFAULT_HIGH_WATER 65536
/** @} */

/** Opens a TCP connection to `host` (a name, resolved, or a numeric IPv4 or
 * IPv6 address) and `port` (1..65535), trying each resolved address in turn
 * (asyncio's open_connection). The stream is handed out at once in
 * *stream_out; *connected_out completes with NONE once connected, or fails
 * with the error of the first address to fail (AC_ECONNREFUSED, a
 * name-resolution error …; with several addresses tried, the message lists
 * each, as asyncio's: see sockopt.h). Reads issued before the connection is made wait for it; writes are
 * buffered and sent once connected; when the connection fails, they fail
 * with its error. Cancelling *connected_out abandons the attempt and closes
 * the stream. Both outputs are new references.
 * Errors: AC_EINVAL (NULL argument, port out of range), AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM; outputs untouched on error. */
AC_EXPORT int ac_stream_connect_tcp(ac_loop *loop, const char *host, int port,
                                    ac_stream **stream_out,
                                    ac_future **connected_out) AC_NOEXCEPT;
/** The same over a Unix-domain socket at `path`
 * (asyncio's open_unix_connection). Errors as above; AC_ENOENT or
 * AC_ECONNREFUSED come through the future. */
AC_EXPORT int ac_stream_connect_unix(ac_loop *loop, const char *path,
                                     ac_stream **stream_out,
                                     ac_future **connected_out) AC_NOEXCEPT;

/** @{ */
/** Reference counting (loop thread). ref returns its argument; both accept
 * NULL. The last unref of an open stream closes it (see "Closing"). */
AC_EXPORT ac_stream *ac_stream_ref(ac_stream *s) AC_NOEXCEPT;
AC_EXPORT void ac_stream_unref(ac_stream *s) AC_NOEXCEPT;
/** @} */
/** The stream's loop (borrowed), NULL for NULL. */
AC_EXPORT ac_loop *ac_stream_get_loop(const ac_stream *s) AC_NOEXCEPT;

/* ---- Reading. Each fills *out with a new future (see the rules above). */

/** Up to `n` bytes (at least 1 unless at EOF: then empty bytes). n == 0
 * gives empty bytes at once. n == SIZE_MAX reads until EOF (asyncio's
 * read(-1)). Errors: AC_EINVAL, AC_ESTATE (a read is pending),
 * AC_ECLOSED (the stream was closed), AC_ENOMEM. A connection error fails
 * the future with that code once the buffer is empty. */
AC_EXPORT int ac_stream_read(ac_stream *s, size_t n, ac_future **out) AC_NOEXCEPT;
/** Exactly `n` bytes. If EOF comes first the future fails with
 * AC_EINCOMPLETE; the partial bytes (all the stream had, now taken out of
 * its buffer) are the error's payload (ac_error_payload: AC_VALUE_BYTES),
 * as asyncio's IncompleteReadError.partial. Errors as ac_stream_read. */
AC_EXPORT int ac_stream_readexactly(ac_stream *s, size_t n, ac_future **out) AC_NOEXCEPT;
/** Bytes up to and including `sep` (sep_len >= 1). Fails with AC_ELIMIT when
 * the separator is not found within the limit (or found beyond it); unlike
 * asyncio's readline nothing is discarded: the bytes stay in the buffer for
 * ac_stream_read. Fails with AC_EINCOMPLETE at EOF without a separator, the
 * partial bytes (taken out) being the error's payload. Errors as
 * ac_stream_read, and AC_EINVAL for an empty separator. */
AC_EXPORT int ac_stream_readuntil(ac_stream *s, const void *sep, size_t sep_len,
                                  ac_future **out) AC_NOEXCEPT;
/** ac_stream_readuntil with "\n", except that at EOF it completes with the
 * partial line (possibly empty) instead of failing, as asyncio's readline. */
AC_EXPORT int ac_stream_readline(ac_stream *s, ac_future **out) AC_NOEXCEPT;
/** 1 when EOF was received and the buffer is empty (asyncio's at_eof),
 * 0 otherwise. Errors: AC_EINVAL. */
AC_EXPORT int ac_stream_at_eof(const ac_stream *s) AC_NOEXCEPT;
/** Bytes in the read buffer now (>= 0), or AC_EINVAL. */
AC_EXPORT int64_t ac_stream_buffered(const ac_stream *s) AC_NOEXCEPT;
/** The reader's buffer limit (>= 1; default AC_STREAM_DEFAULT_LIMIT).
 * Errors: AC_EINVAL. */
AC_EXPORT int ac_stream_set_limit(ac_stream *s, size_t limit) AC_NOEXCEPT;

/* ---- Writing ---- */

/** Queues `len` bytes (copied when they cannot be sent at once); never
 * blocks and never waits. Returns 0, or: AC_EINVAL (NULL s, or NULL data
 * with len > 0), AC_ECLOSED (closed or closing), AC_ESTATE (after
 * write_eof), the connection's error (AC_EPIPE, AC_ECONNRESET …) once one
 * was seen, AC_ENOMEM. */
AC_EXPORT int ac_stream_write(ac_stream *s, const void *data, size_t len) AC_NOEXCEPT;
/** A future that completes once the write buffer is at or below the low
 * water mark if it had gone above the high one (asyncio's drain: at once,
 * through the loop, when not above). Fails with the connection's error when
 * the connection broke, AC_ECLOSED when the stream is closed before the
 * buffer drained. Errors: AC_EINVAL, AC_ENOMEM. */
AC_EXPORT int ac_stream_drain(ac_stream *s, ac_future **out) AC_NOEXCEPT;
/** Water marks in bytes: high >= low; both 0 means "the defaults" (64 KiB
 * and 16 KiB). Errors: AC_EINVAL. */
AC_EXPORT int ac_stream_set_write_buffer_limits(ac_stream *s, size_t high,
                                                size_t low) AC_NOEXCEPT;
/** Bytes written but not yet handed to the kernel (>= 0), or AC_EINVAL. */
AC_EXPORT int64_t ac_stream_write_buffer_size(const ac_stream *s) AC_NOEXCEPT;
/** Half-closes: once the buffered bytes are sent, shuts down the sending
 * side (the peer reads EOF); reading goes on. Idempotent.
 * Errors: AC_EINVAL, AC_ECLOSED. */
AC_EXPORT int ac_stream_write_eof(ac_stream *s) AC_NOEXCEPT;

/* ---- Closing ---- */

/** Starts closing: sends what is buffered, then closes the socket. Pending
 * reads fail with AC_ECLOSED now. Idempotent: 0 every time.
 * Errors: AC_EINVAL. */
AC_EXPORT int ac_stream_close(ac_stream *s) AC_NOEXCEPT;
/** 1 once close started (by ac_stream_close, the loop, or a failed
 * connection), 0 before. Errors: AC_EINVAL. */
AC_EXPORT int ac_stream_is_closing(const ac_stream *s) AC_NOEXCEPT;
/** A future that completes with NONE once the socket is closed
 * (asyncio's wait_closed; done at once, through the loop, if it is).
 * It does not start closing. Errors: AC_EINVAL, AC_ENOMEM. */
AC_EXPORT int ac_stream_wait_closed(ac_stream *s, ac_future **out) AC_NOEXCEPT;

/** Closes at once (asyncio's transport.abort()): buffered output is
 * dropped, pending reads and drains fail with AC_ECLOSED, the socket is
 * closed without waiting (the peer reads EOF, or a reset when bytes it
 * sent were never read). Idempotent. Errors: AC_EINVAL. */
AC_EXPORT int ac_stream_abort(ac_stream *s) AC_NOEXCEPT;

/* ---- Sending files ---- */

/** Sends `count` bytes (0: up to the end of the file) of the file `fd`
 * from byte `offset` (asyncio's loop.sendfile). The stream's buffered
 * output goes first; then the kernel's sendfile(2) copies file to socket
 * without passing through user space. Where the kernel refuses (a file
 * sendfile cannot read, e.g. a pipe) the bytes are read with pread (read()
 * when the descriptor cannot seek; it must not block then) and written
 * through the stream's buffer, never more than the high water mark at a
 * time (drain semantics), as asyncio's fallback. The future completes with
 * INT64, the bytes sent (fewer than `count` when the file ended). A
 * seekable `fd` is left positioned after the last byte sent, as asyncio
 * does; it is borrowed and must stay open until the future completes.
 * While it runs, ac_stream_write returns AC_ESTATE (asyncio: "sendfile is
 * in progress"). Fails with the connection's error, a read error of the
 * file, or AC_ECLOSED when the stream closes first. Cancelling the future
 * stops sending (bytes already handed to the kernel are gone).
 * Errors: AC_EINVAL (NULL, fd < 0, offset or count < 0), AC_ESTATE (still
 * connecting, after write_eof, or a sendfile is running), AC_ECLOSED,
 * AC_ENOMEM. */
AC_EXPORT int ac_stream_sendfile(ac_stream *s, int fd, int64_t offset, int64_t count,
                                 ac_future **out) AC_NOEXCEPT;
/** The same for the file at `path`, opened read-only here and closed when
 * the future completes. Errors: as above, and the open's error (AC_ENOENT,
 * AC_EACCES …) through the return value. */
AC_EXPORT int ac_stream_sendfile_path(ac_stream *s, const char *path, int64_t offset,
                                      int64_t count, ac_future **out) AC_NOEXCEPT;

/* ---- Addresses ---- */

/** @{ */
/** The peer's / the local address as a new string (free it with ac_free):
 * "host:port", "[v6]:port", or the socket path for Unix sockets (may be
 * empty for an unnamed socket). Errors: AC_EINVAL, AC_ESTATE (not
 * connected), AC_ECLOSED, OS errors, AC_ENOMEM. */
AC_EXPORT int ac_stream_peer_address(const ac_stream *s, char **out) AC_NOEXCEPT;
AC_EXPORT int ac_stream_local_address(const ac_stream *s, char **out) AC_NOEXCEPT;
/** @} */

/* ---- Tasks bound to a stream ---- */

/** Starts a task running `step` with a zeroed state block of `state_size`
 * bytes (>= stream_offset + sizeof(ac_stream *)) in which the pointer at
 * byte `stream_offset` is set to `s`, holding a reference that is dropped
 * when the task ends. The typical connection handler:
 * \code
 *   struct conn { AC_ASYNC_FIELDS; ac_stream *stream; char line[64]; };
 *   ac_stream_spawn(s, conn_step, sizeof(struct conn),
 *                   offsetof(struct conn, stream), NULL);
 * \endcode
 * `out` (optional) receives a reference to the task.
 * Errors: AC_EINVAL (NULL s or step, bad sizes), AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_stream_spawn(ac_stream *s, ac_step_fn step, size_t state_size,
                              size_t stream_offset, ac_task **out) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
