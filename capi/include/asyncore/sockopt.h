/**
 * \file
 * asyncore/sockopt.h — socket options, connection options (local bind
 * address, happy eyeballs) and listening options for streams and servers
 * (the keyword arguments of asyncio's create_connection / create_server and
 * the options a program sets on `transport.get_extra_info("socket")`).
 *
 * TCP_NODELAY. Every TCP stream, connected or accepted, has Nagle's
 * algorithm switched off (TCP_NODELAY on), as asyncio does since 3.7:
 * small writes go out at once. ac_stream_set_nodelay switches it back on;
 * ac_connect_options.nodelay = 0 starts a connection with it.
 *
 * Happy eyeballs (RFC 8305, asyncio's happy_eyeballs_delay). Without it a
 * connection tries the resolved addresses one after another, each until it
 * fails. With it, the first attempt starts, and the next one starts when
 * the delay has passed on the loop's clock or as soon as the one before it
 * failed, whichever comes first; the first attempt to connect wins and the
 * others are closed. When every attempt failed, the connection fails with
 * the code of the first attempt to fail; with several attempts its message
 * is asyncio's, each attempt in the order they failed: "Multiple
 * exceptions: [Errno 111] Connect call failed ('127.0.0.3', 80), ..."
 * (asyncio's OSError there has no errno; the code is kept). The same holds
 * without happy eyeballs and for a name with several addresses
 * (ac_stream_connect_tcp). `interleave` reorders the
 * addresses by family before trying them (asyncio's _interleave_addrinfos):
 * the first interleave - 1 addresses of the first family, then the
 * families in turn.
 *
 * Threads: loop thread only, checked (AC_EWRONGTHREAD) in debug mode.
 *
 * Stability: experimental (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_SOCKOPT_H
#define ASYNCORE_SOCKOPT_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "server.h"
#include "stream.h"
#include "udp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options of an outgoing TCP connection. Fill with
 * ac_connect_options_init, then change what you need; fields may be added
 * at the end in later versions, which the init function sets. */
typedef struct ac_connect_options {
  /** Local address to bind before connecting (asyncio's local_addr):
   * a numeric IPv4 or IPv6 address, or NULL for any. */
  const char *local_host;
  /** Local port (0..65535; 0: any). Used with or without local_host. */
  int local_port;
  /** Seconds between the starts of attempts (asyncio's
   * happy_eyeballs_delay); < 0 (the default) tries the addresses one after
   * the other. 0.25 is RFC 8305's recommendation. */
  double happy_eyeballs_delay;
  /** Reorder addresses by family (asyncio's interleave): 0 means 1 when
   * happy_eyeballs_delay >= 0, no reordering otherwise; n >= 1 interleaves
   * with n - 1 addresses of the first family first. */
  int interleave;
  /** TCP_NODELAY once connected: 1 (the default) or 0. */
  int nodelay;
} ac_connect_options;

/** Sets the defaults: no local address, no happy eyeballs, no interleave,
 * nodelay 1. Accepts NULL. */
AC_EXPORT void ac_connect_options_init(ac_connect_options *opts) AC_NOEXCEPT;

/** ac_stream_connect_tcp with options (NULL: the defaults). `host` is a
 * name (resolved; all its addresses are tried) or a numeric address.
 * A local address of the wrong family for a target fails that attempt.
 * Errors: as ac_stream_connect_tcp, and AC_EINVAL for bad options (a
 * local_host that is not a numeric address, a port out of range). */
AC_EXPORT int ac_stream_connect_tcp_ex(ac_loop *loop, const char *host, int port,
                                       const ac_connect_options *opts,
                                       ac_stream **stream_out,
                                       ac_future **connected_out) AC_NOEXCEPT;

/** Connects to the first of `count` numeric addresses (IPv4 "1.2.3.4",
 * IPv6 "::1", no names) on `port` that answers, as a resolved name's
 * addresses are tried: in this order (after interleaving, if asked),
 * raced when opts->happy_eyeballs_delay >= 0. The strings are copied.
 * Errors: AC_EINVAL (count 0, a name or malformed address, a bad option),
 * and as ac_stream_connect_tcp. */
AC_EXPORT int ac_stream_connect_tcp_addresses(ac_loop *loop, const char *const *hosts,
                                              size_t count, int port,
                                              const ac_connect_options *opts,
                                              ac_stream **stream_out,
                                              ac_future **connected_out) AC_NOEXCEPT;

/* ---- Options of a connected stream ---- */

/** The stream's socket (borrowed: do not close it), for getsockopt and
 * other options (asyncio's get_extra_info("socket")); -1 while connecting
 * (no socket chosen yet) and once closed. Errors: AC_EINVAL. */
AC_EXPORT int ac_stream_fileno(const ac_stream *s) AC_NOEXCEPT;
/** Switches TCP_NODELAY on (1) or off (0) now; it stays for the rest of
 * the connection. Errors: AC_EINVAL (NULL, a Unix-domain stream),
 * AC_ESTATE (still connecting), AC_ECLOSED, OS errors. */
AC_EXPORT int ac_stream_set_nodelay(ac_stream *s, int on) AC_NOEXCEPT;
/** TCP_NODELAY read back from the socket: 1 or 0; errors as above. */
AC_EXPORT int ac_stream_get_nodelay(const ac_stream *s) AC_NOEXCEPT;
/** SO_KEEPALIVE on (1) or off (0). With on, `idle` (seconds of silence
 * before the first probe, TCP_KEEPIDLE), `interval` (seconds between
 * probes, TCP_KEEPINTVL) and `count` (unanswered probes before the
 * connection is dropped, TCP_KEEPCNT) are set when > 0 and left to the
 * system when 0. A connection dropped this way fails reads with
 * AC_ETIMEDOUT. Errors: AC_EINVAL (NULL, negative values, a Unix-domain
 * stream), AC_ESTATE, AC_ECLOSED, OS errors (e.g. an interval above the
 * system's limit). */
AC_EXPORT int ac_stream_set_keepalive(ac_stream *s, int on, int idle, int interval,
                                      int count) AC_NOEXCEPT;

/* ---- Listening options ---- */

/** Options of a TCP server. Fill with ac_server_options_init. */
typedef struct ac_server_options {
  /** SO_REUSEADDR: 1 (the default, as asyncio on Unix) or 0. */
  int reuse_address;
  /** SO_REUSEPORT: 0 (the default) or 1, so that several sockets (of this
   * or other processes) listen on one port and the kernel spreads the
   * connections among them. */
  int reuse_port;
  /** IPV6_V6ONLY on an IPv6 listener: -1 (the default) leaves the system's
   * setting, 0 also accepts IPv4 (as mapped addresses), 1 IPv6 only.
   * Ignored for IPv4. */
  int ipv6_only;
} ac_server_options;

/** Sets the defaults (reuse_address 1, reuse_port 0, ipv6_only -1).
 * Accepts NULL. */
AC_EXPORT void ac_server_options_init(ac_server_options *opts) AC_NOEXCEPT;

/** ac_server_listen_tcp with options (NULL: the defaults).
 * Errors: as ac_server_listen_tcp, and AC_EINVAL for bad options. */
AC_EXPORT int ac_server_listen_tcp_ex(ac_loop *loop, const char *host, int port, int backlog,
                                      const ac_server_options *opts,
                                      ac_server_connection_fn fn, void *ud,
                                      ac_free_fn free_ud, ac_server **out) AC_NOEXCEPT;
/** The same starting a task per connection (ac_server_listen_tcp_tasks). */
AC_EXPORT int ac_server_listen_tcp_tasks_ex(ac_loop *loop, const char *host, int port,
                                            int backlog, const ac_server_options *opts,
                                            ac_step_fn step, size_t state_size,
                                            size_t stream_offset,
                                            ac_server **out) AC_NOEXCEPT;
/** The listening socket (borrowed), -1 once closed. Errors: AC_EINVAL. */
AC_EXPORT int ac_server_fileno(const ac_server *srv) AC_NOEXCEPT;

/* ---- UDP options (asyncio's create_datagram_endpoint keywords) ---- */

/** Options of a UDP endpoint. Fill with ac_udp_options_init; fields may be
 * added at the end in later versions, which the init function sets.
 * There is no reuse_address: as asyncio (3.8.1+, which refuses it), the
 * library never sets SO_REUSEADDR on a UDP socket, since another process
 * could then receive its datagrams; reuse_port shares a port on purpose. */
typedef struct ac_udp_options {
  /** SO_REUSEPORT: 0 (the default) or 1, so that several endpoints (of
   * this or other processes of the same user) bind one port; the kernel
   * spreads unicast datagrams among them. */
  int reuse_port;
  /** SO_BROADCAST: 0 (the default) or 1, allowing sends to a broadcast
   * address (asyncio's allow_broadcast). */
  int allow_broadcast;
} ac_udp_options;

/** Sets the defaults (reuse_port 0, allow_broadcast 0). Accepts NULL. */
AC_EXPORT void ac_udp_options_init(ac_udp_options *opts) AC_NOEXCEPT;

/** ac_udp_bind with options (NULL: the defaults). SO_REUSEPORT is set
 * before the bind. Errors: as ac_udp_bind, AC_EINVAL for bad options
 * (a field not 0 or 1), and AC_ENOTSUP for reuse_port on a system without
 * SO_REUSEPORT (Windows). */
AC_EXPORT int ac_udp_bind_ex(ac_loop *loop, const char *host, int port,
                             const ac_udp_options *opts, ac_udp **out) AC_NOEXCEPT;
/** SO_BROADCAST on (1) or off (0) now. Errors: AC_EINVAL (NULL, on not 0
 * or 1), AC_ECLOSED, OS errors. */
AC_EXPORT int ac_udp_set_broadcast(ac_udp *u, int on) AC_NOEXCEPT;
/** The endpoint's socket (borrowed: do not close it), for getsockopt and
 * other options; -1 once closed. Errors: AC_EINVAL. */
AC_EXPORT int ac_udp_fileno(const ac_udp *u) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
