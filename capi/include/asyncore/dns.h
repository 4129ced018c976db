/**
 * \file
 * asyncore/dns.h — name resolution as futures (asyncio's getaddrinfo and
 * getnameinfo), run on libuv's thread pool.
 *
 * Results are text in AC_VALUE_BYTES (the bytes are also NUL-terminated
 * just past `len`, so C code can use them as a string).
 *
 * Cancelling the future cancels the request when it has not started;
 * otherwise its result is discarded when it comes. Closing the loop fails
 * pending requests with AC_ECLOSED.
 * Threads: loop thread only (checked).
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_DNS_H
#define ASYNCORE_DNS_H

#include "common.h"
#include "error.h"
#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Address families for ac_getaddrinfo. */
typedef enum ac_family {
  AC_FAMILY_ANY = 0,
  AC_FAMILY_IPV4 = 4,
  AC_FAMILY_IPV6 = 6
} ac_family;

/** Socket types for ac_getaddrinfo (what the addresses are for). */
typedef enum ac_socktype {
  AC_SOCKTYPE_STREAM = 1,
  AC_SOCKTYPE_DGRAM = 2
} ac_socktype;

/** Resolves `host` (a name or numeric address; NULL with a port means the
 * loopback address) and `port` (a number or a service name such as "http";
 * NULL means 0). The result lists the addresses in the resolver's order,
 * one per line, each "1.2.3.4:80" or "[::1]:80" and ended by '\n',
 * duplicates removed. Resolver failures fail the future with a negative
 * code (libuv's UV_EAI_* values, e.g. UV_EAI_NONAME; ac_strerror does not
 * know them, libuv's uv_strerror does).
 * Errors: AC_EINVAL (NULL host and port, unknown family or socktype),
 * AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_getaddrinfo(ac_loop *loop, const char *host, const char *port,
                             int family, int socktype, ac_future **out) AC_NOEXCEPT;

/** Flags for ac_getnameinfo; or them together. */
typedef enum ac_nameinfo_flags {
  AC_NI_NUMERICHOST = 1, /**< the host as a numeric address */
  AC_NI_NUMERICSERV = 2, /**< the service as a port number */
  AC_NI_NAMEREQD = 4,    /**< fail when the host has no name */
  AC_NI_DGRAM = 8        /**< look the service up as a UDP one */
} ac_nameinfo_flags;

/** Looks up the host and service names of `address` ("1.2.3.4:80",
 * "[::1]:80"). The result is "HOST\nSERVICE\n".
 * Errors: AC_EINVAL (NULL, unparsable address, unknown flag), AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM; resolver failures fail the future. */
AC_EXPORT int ac_getnameinfo(ac_loop *loop, const char *address, int flags,
                             ac_future **out) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
