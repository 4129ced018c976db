/**
 * \file
 * asyncore/server.h — listening sockets that hand each accepted connection
 * to a callback or a task (asyncio's start_server / start_unix_server).
 *
 * A server listens on a TCP host and port or on a Unix-domain socket path.
 * For every accepted connection it makes an ac_stream and either calls the
 * connection callback with it, or starts a task whose state holds it
 * (ac_stream_spawn).
 *
 * Running out of file descriptors (EMFILE / ENFILE) at accept: the server
 * stops accepting, keeps serving the connections it has, and tries again
 * on a timer (every 50 ms of loop time) until descriptors are free; the
 * waiting connections stay in the kernel's backlog meanwhile. Other accept
 * errors are reported to the loop's exception handler and the server goes
 * on listening.
 *
 * Closing (ac_server_close) stops listening and removes a Unix socket file
 * the server created; connections already accepted stay open (asyncio's
 * Server.close); ac_server_close_clients / ac_server_abort_clients close
 * them, and ac_server_wait_closed waits for them. Closing the loop closes
 * its servers. Dropping the last
 * reference to a listening server closes it.
 *
 * Threads: loop thread only, checked (AC_EWRONGTHREAD) in debug mode.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_SERVER_H
#define ASYNCORE_SERVER_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "stream.h"
#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A listening server (asyncio.Server); reference counted. */
typedef struct ac_server ac_server;

/** Called by the loop for each accepted connection. `stream` is borrowed
 * for the call: take a reference (ac_stream_ref, or ac_stream_spawn) to
 * keep it; a stream nobody keeps is closed after the call. */
typedef void (*ac_server_connection_fn)(ac_server *server, ac_stream *stream,
                                        void *ud);

/** Binds and listens on `host` ("127.0.0.1", "::1", "0.0.0.0", "::" or a
 * name, resolved synchronously, first address wins; NULL means
 * "0.0.0.0") and `port` (0..65535; 0 asks the system for a free port:
 * read it with ac_server_address). `backlog` <= 0 means 128. SO_REUSEADDR
 * is set. `fn` runs for every connection; free_ud runs when the server is
 * freed, or at once on error. *out gets a new reference.
 * Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_EADDRINUSE, other OS
 * or name-resolution errors, AC_ENOMEM. */
AC_EXPORT int ac_server_listen_tcp(ac_loop *loop, const char *host, int port,
                                   int backlog, ac_server_connection_fn fn,
                                   void *ud, ac_free_fn free_ud,
                                   ac_server **out) AC_NOEXCEPT;
/** The same on a Unix-domain socket at `path` (created; an existing file
 * gives AC_EADDRINUSE). */
AC_EXPORT int ac_server_listen_unix(ac_loop *loop, const char *path, int backlog,
                                    ac_server_connection_fn fn, void *ud,
                                    ac_free_fn free_ud, ac_server **out) AC_NOEXCEPT;
/** @{ */
/** Task per connection: as the two above, but every connection starts a
 * task as ac_stream_spawn(stream, step, state_size, stream_offset) does.
 * Errors: as above, and AC_EINVAL for bad sizes. */
AC_EXPORT int ac_server_listen_tcp_tasks(ac_loop *loop, const char *host, int port,
                                         int backlog, ac_step_fn step,
                                         size_t state_size, size_t stream_offset,
                                         ac_server **out) AC_NOEXCEPT;
AC_EXPORT int ac_server_listen_unix_tasks(ac_loop *loop, const char *path,
                                          int backlog, ac_step_fn step,
                                          size_t state_size, size_t stream_offset,
                                          ac_server **out) AC_NOEXCEPT;
/** @} */

/** @{ */
/** Reference counting (loop thread); both accept NULL. */
AC_EXPORT ac_server *ac_server_ref(ac_server *srv) AC_NOEXCEPT;
AC_EXPORT void ac_server_unref(ac_server *srv) AC_NOEXCEPT;
/** @} */

/** The bound address as a new string (ac_free it): "127.0.0.1:40123" with
 * the real port when 0 was asked, "[::1]:40123", or the socket path.
 * Errors: AC_EINVAL, AC_ECLOSED, OS errors, AC_ENOMEM. */
AC_EXPORT int ac_server_address(const ac_server *srv, char **out) AC_NOEXCEPT;
/** The bound port (1..65535) of a TCP server; AC_EINVAL for a Unix one or
 * NULL, AC_ECLOSED once closed. */
AC_EXPORT int ac_server_port(const ac_server *srv) AC_NOEXCEPT;
/** Connections accepted so far (>= 0), or AC_EINVAL. */
AC_EXPORT int64_t ac_server_accepted(const ac_server *srv) AC_NOEXCEPT;
/** 1 while accepting is paused because descriptors ran out, else 0;
 * AC_EINVAL for NULL. */
AC_EXPORT int ac_server_accept_paused(const ac_server *srv) AC_NOEXCEPT;

/** Stops listening (see above). Idempotent: 0 every time. Errors: AC_EINVAL. */
AC_EXPORT int ac_server_close(ac_server *srv) AC_NOEXCEPT;
/** 1 while listening, 0 once closed, AC_EINVAL for NULL. */
AC_EXPORT int ac_server_is_serving(const ac_server *srv) AC_NOEXCEPT;
/** A future that completes with NONE once the server is closed AND every
 * connection it accepted is closed, in either order (asyncio 3.12.1+'s
 * Server.wait_closed; done at once, through the loop, when both hold).
 * asyncio 3.11 differs: there it returns at once when the server is
 * already closed, even with connections still open. A connection counts
 * until its socket is closed (ac_stream_close has flushed, or
 * ac_stream_abort, or its last reference went), so a handler that never
 * closes its stream keeps wait_closed waiting, as in asyncio; see
 * ac_server_close_clients. Closing the loop completes it.
 * Errors: AC_EINVAL, AC_ECLOSED (loop closed), AC_ENOMEM. */
AC_EXPORT int ac_server_wait_closed(ac_server *srv, ac_future **out) AC_NOEXCEPT;

/** Connections accepted and not yet closed (>= 0), or AC_EINVAL. */
AC_EXPORT int64_t ac_server_connections(const ac_server *srv) AC_NOEXCEPT;
/** Closes every open connection of the server with ac_stream_close
 * (buffered output is sent first; asyncio 3.13's Server.close_clients).
 * The server keeps listening unless closed. Returns how many connections
 * were told to close (>= 0). Errors: AC_EINVAL. */
AC_EXPORT int ac_server_close_clients(ac_server *srv) AC_NOEXCEPT;
/** The same with ac_stream_abort: buffered output is dropped and the
 * sockets close at once (asyncio 3.13's Server.abort_clients). */
AC_EXPORT int ac_server_abort_clients(ac_server *srv) AC_NOEXCEPT;
/** asyncio's serve_forever: a future that never completes by itself. The
 * server is already accepting; ac_server_close cancels the future (the
 * awaiting task sees AC_ECANCELLED, as asyncio raises CancelledError), and
 * cancelling the future closes the server. Unlike asyncio, cancelling does
 * not wait for the connections: await ac_server_wait_closed for that.
 * Errors: AC_EINVAL, AC_ECLOSED (server or loop closed), AC_ESTATE (a
 * serve_forever future is already pending: asyncio's "already being
 * awaited on serve_forever()"), AC_ENOMEM. */
AC_EXPORT int ac_server_serve_forever(ac_server *srv, ac_future **out) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
