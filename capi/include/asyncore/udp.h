/**
 * \file
 * asyncore/udp.h — UDP endpoints (asyncio's datagram endpoints).
 *
 * An endpoint is bound to a local address, optionally connected to one
 * peer. Datagrams that arrive are kept in a bounded queue (default 64
 * datagrams, see ac_udp_set_recv_queue) until ac_udp_recv takes them; when
 * the queue is full, new datagrams are dropped and counted
 * (ac_udp_dropped) — the kernel would drop them anyway, and this bounds the
 * memory a flood can take. Receiving starts with the first ac_udp_recv.
 *
 * A received datagram is AC_VALUE_BYTES (ac_udp_recv); ac_udp_recvfrom
 * prefixes it with the sender's address and a '\n'.
 *
 * Cancelling a pending receive loses no datagram: datagrams leave the queue
 * only when a receive completes with them.
 *
 * Closing the endpoint (or the loop) fails pending receives with
 * AC_ECLOSED. Dropping the last reference closes it.
 * Threads: loop thread only, checked (AC_EWRONGTHREAD) in debug mode.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_UDP_H
#define ASYNCORE_UDP_H

#include "common.h"
#include "error.h"
#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A UDP endpoint; reference counted. */
typedef struct ac_udp ac_udp;

/** Creates an endpoint bound to `host` (numeric IPv4/IPv6 address or a name
 * resolved synchronously; NULL means "0.0.0.0") and `port` (0: any free
 * port). *out gets a new reference.
 * Errors: AC_EINVAL, AC_ECLOSED, AC_EWRONGTHREAD, AC_EADDRINUSE, OS and
 * name-resolution errors, AC_ENOMEM. */
AC_EXPORT int ac_udp_bind(ac_loop *loop, const char *host, int port,
                          ac_udp **out) AC_NOEXCEPT;
/** Sets the default peer (numeric address, or a name resolved
 * synchronously): ac_udp_send with a NULL address goes there, and only its
 * datagrams are received. Errors: AC_EINVAL, AC_ECLOSED, OS errors. */
AC_EXPORT int ac_udp_connect(ac_udp *u, const char *host, int port) AC_NOEXCEPT;

/** Adds a reference to `u` and returns it; NULL is accepted. */
AC_EXPORT ac_udp *ac_udp_ref(ac_udp *u) AC_NOEXCEPT;
/** Drops a reference to `u`; NULL is accepted. Dropping the last one closes the endpoint. */
AC_EXPORT void ac_udp_unref(ac_udp *u) AC_NOEXCEPT;

/** Sends one datagram to `address` ("host:port", "[v6]:port", numeric) or,
 * when NULL, to the connected peer. Tries to send at once; if the socket
 * is busy the datagram is copied and queued. Never waits. Errors: AC_EINVAL
 * (bad address, NULL address while not connected), AC_ECLOSED, OS errors
 * (e.g. AC_ECONNREFUSED reported for an earlier datagram on a connected
 * endpoint), AC_ENOMEM. */
AC_EXPORT int ac_udp_send(ac_udp *u, const void *data, size_t len,
                          const char *address) AC_NOEXCEPT;
/** A future for the next datagram: AC_VALUE_BYTES with its payload.
 * One receive at a time: AC_ESTATE while one is pending.
 * Errors: AC_EINVAL, AC_ECLOSED, AC_ESTATE, AC_ENOMEM; OS errors fail the
 * future. */
AC_EXPORT int ac_udp_recv(ac_udp *u, ac_future **out) AC_NOEXCEPT;
/** As ac_udp_recv, the result being the sender's address, a '\n', then the
 * payload (so a C caller splits at the first '\n'). */
AC_EXPORT int ac_udp_recvfrom(ac_udp *u, ac_future **out) AC_NOEXCEPT;
/** Bounds the receive queue to `max_datagrams` (>= 1). Datagrams beyond a
 * lowered bound already queued stay. Errors: AC_EINVAL. */
AC_EXPORT int ac_udp_set_recv_queue(ac_udp *u, size_t max_datagrams) AC_NOEXCEPT;
/** Datagrams dropped because the queue was full (>= 0), or AC_EINVAL. */
AC_EXPORT int64_t ac_udp_dropped(const ac_udp *u) AC_NOEXCEPT;
/** Datagrams waiting in the queue (>= 0), or AC_EINVAL. */
AC_EXPORT int64_t ac_udp_queued(const ac_udp *u) AC_NOEXCEPT;

/** The bound address ("127.0.0.1:5353") as a new string (ac_free it).
 * Errors: AC_EINVAL, AC_ECLOSED, OS errors, AC_ENOMEM. */
AC_EXPORT int ac_udp_local_address(const ac_udp *u, char **out) AC_NOEXCEPT;

/** Closes the endpoint (idempotent: 0 every time). Errors: AC_EINVAL. */
AC_EXPORT int ac_udp_close(ac_udp *u) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
