/**
 * \file
 * asyncore/tls.h — TLS streams on OpenSSL (asyncio's `ssl=` argument of
 * open_connection and start_server, and StreamWriter.start_tls).
 *
 * A TLS stream is an ordinary ac_stream: read, readexactly, readuntil,
 * readline, write, drain, close and wait_closed work on it unchanged, on
 * the decrypted bytes. The encryption runs on the loop thread over memory
 * buffers; the handshake, reads, writes and the closing never block.
 *
 * Contexts. An ac_tls_context holds the settings of one side, as Python's
 * ssl.SSLContext: a client context verifies the server's certificate
 * against the system's CA store and checks its name by default (as
 * ssl.create_default_context()); a server context asks for no client
 * certificate unless told. Minimum version TLS 1.2 on both. Configure a
 * context before its first use; it is reference counted (atomically: it may
 * be shared by loops on several threads once configured).
 *
 * Errors. A handshake that fails completes the connect or handshake future
 * with an error whose message names what failed, in OpenSSL's words:
 * AC_ETLSVERIFY (asyncio's ssl.SSLCertVerificationError) when the peer's
 * certificate was refused ("certificate verify failed: certificate has
 * expired", "... Hostname mismatch ...", "... unable to get local issuer
 * certificate"), AC_ETLS (ssl.SSLError) for any other protocol failure
 * ("wrong version number", "no application protocol" ...), AC_ECONNRESET
 * when the peer closed or reset the connection during the handshake, and
 * -ECONNABORTED (ConnectionAbortedError) when the handshake timeout
 * passed. A TLS error after the handshake fails reads with AC_ETLS; a reset
 * with AC_ECONNRESET as on plain streams.
 *
 * Closing. ac_stream_close sends close_notify after the buffered data,
 * then keeps the connection open, reading (and dropping data), until the
 * peer's close_notify comes back, the peer closes or resets the TCP
 * connection, or the shutdown timeout passes — whichever first — and only
 * then closes the socket and completes wait_closed (asyncio's SSLProtocol
 * shutdown). A close_notify received reads as EOF (our answer goes out when
 * the stream is closed); so does a plain EOF of the TCP connection after
 * the handshake (as asyncio 3.11 does). ac_stream_write_eof gives
 * AC_ENOTSUP on a TLS stream (TLS has no half-close).
 *
 * Without TLS support built in (the Meson option tls=disabled, or no
 * OpenSSL 3), every function here returns AC_ENOTSUP, and
 * ac_tls_available() returns 0.
 *
 * Threads: a context may be created, configured and released on any
 * thread; streams and servers are used on their loop's thread only.
 *
 * Stability: experimental (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_TLS_H
#define ASYNCORE_TLS_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "server.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The settings of one side of TLS connections (ssl.SSLContext). */
typedef struct ac_tls_context ac_tls_context;

/** Which side a context serves. */
typedef enum ac_tls_side { AC_TLS_CLIENT = 0, AC_TLS_SERVER = 1 } ac_tls_side;

/** How the peer's certificate is asked for and checked (ssl.CERT_NONE,
 * ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED). */
typedef enum ac_tls_verify {
  AC_TLS_VERIFY_NONE = 0,
  AC_TLS_VERIFY_OPTIONAL = 1,
  AC_TLS_VERIFY_REQUIRED = 2
} ac_tls_verify;

/** Protocol versions, as on the wire (ssl.TLSVersion). */
#define AC_TLS_VERSION_1_2 0x0303 /**< TLS 1.2 */
#define AC_TLS_VERSION_1_3 0x0304 /**< TLS 1.3 */

/** 1 when the library was built with TLS support, else 0. Thread: any. */
AC_EXPORT int ac_tls_available(void) AC_NOEXCEPT;

/** A new context for `side` (*out: one reference). A client context
 * verifies the server (AC_TLS_VERIFY_REQUIRED, hostname checked) against
 * the system CA store; a server context verifies nobody.
 * Errors: AC_EINVAL, AC_ENOMEM, AC_ETLS (OpenSSL refused; the reason in
 * ac_last_error_message), AC_ENOTSUP (no TLS support). Thread: any. */
AC_EXPORT int ac_tls_context_new(ac_tls_side side, ac_tls_context **out) AC_NOEXCEPT;
/** @{ */
/** Reference counting (any thread); ref returns its argument, both accept
 * NULL. Streams using the context hold their own reference. */
AC_EXPORT ac_tls_context *ac_tls_context_ref(ac_tls_context *ctx) AC_NOEXCEPT;
AC_EXPORT void ac_tls_context_unref(ac_tls_context *ctx) AC_NOEXCEPT;
/** @} */

/** Trusts the CA certificates in the PEM file `cafile` and/or the hashed
 * directory `capath` (either may be NULL, not both), in addition to what is
 * trusted already (SSLContext.load_verify_locations). Errors: AC_EINVAL,
 * AC_ETLS (the reason names the file problem), AC_ENOTSUP. */
AC_EXPORT int ac_tls_context_load_verify_locations(ac_tls_context *ctx, const char *cafile,
                                                   const char *capath) AC_NOEXCEPT;
/** The same from PEM text in memory (`len` bytes, one or more
 * certificates; cadata=). Errors: as above. */
AC_EXPORT int ac_tls_context_load_verify_pem(ac_tls_context *ctx, const char *pem,
                                             size_t len) AC_NOEXCEPT;
/** This side's certificate chain (PEM file, leaf first) and private key
 * (PEM file; NULL: the key is in `certfile`), optionally encrypted with
 * `password` (NULL: none) — SSLContext.load_cert_chain. A server needs one;
 * a client presents it when the server asks (mutual TLS). The key must
 * match the certificate. Errors: AC_EINVAL, AC_ETLS (reason), AC_ENOTSUP. */
AC_EXPORT int ac_tls_context_load_cert_chain(ac_tls_context *ctx, const char *certfile,
                                             const char *keyfile,
                                             const char *password) AC_NOEXCEPT;
/** The same from PEM text in memory (`key_pem` NULL: the key is in
 * `cert_pem`). Errors: as above. */
AC_EXPORT int ac_tls_context_load_cert_chain_pem(ac_tls_context *ctx, const char *cert_pem,
                                                 size_t cert_len, const char *key_pem,
                                                 size_t key_len,
                                                 const char *password) AC_NOEXCEPT;
/** How the peer's certificate is asked for and checked. AC_TLS_VERIFY_NONE
 * while hostname checking is on gives AC_EINVAL ("Cannot set verify_mode
 * to CERT_NONE when check_hostname is enabled.", as Python). On a server,
 * REQUIRED refuses clients without a certificate the trusted CAs signed.
 * Errors: AC_EINVAL, AC_ENOTSUP. */
AC_EXPORT int ac_tls_context_set_verify(ac_tls_context *ctx, ac_tls_verify mode) AC_NOEXCEPT;
/** Whether a client checks that the server's certificate names the host
 * it asked for (check_hostname; default on for clients). Turning it on
 * while the verify mode is NONE makes the mode REQUIRED (as Python).
 * Errors: AC_EINVAL, AC_ENOTSUP. */
AC_EXPORT int ac_tls_context_set_check_hostname(ac_tls_context *ctx, int on) AC_NOEXCEPT;
/** The lowest / highest protocol version allowed (AC_TLS_VERSION_*; 0:
 * no bound). Errors: AC_EINVAL, AC_ENOTSUP. */
AC_EXPORT int ac_tls_context_set_min_version(ac_tls_context *ctx, int version) AC_NOEXCEPT;
/** The highest protocol version allowed: as ac_tls_context_set_min_version. */
AC_EXPORT int ac_tls_context_set_max_version(ac_tls_context *ctx, int version) AC_NOEXCEPT;
/** OpenSSL cipher lists: `tls12` for TLS 1.2 and below (set_ciphers), and
 * `tls13` for TLS 1.3 suites ("TLS_AES_128_GCM_SHA256:..."); either may be
 * NULL (unchanged). Errors: AC_EINVAL, AC_ETLS (no cipher matched),
 * AC_ENOTSUP. */
AC_EXPORT int ac_tls_context_set_ciphers(ac_tls_context *ctx, const char *tls12,
                                         const char *tls13) AC_NOEXCEPT;
/** The application protocols offered (client) or accepted (server), in
 * order of preference (set_alpn_protocols): `n` names of 1..255 bytes. A
 * server picks the first of its names the client offered; when none is,
 * the handshake goes on without ALPN (as Python). n == 0 clears.
 * Errors: AC_EINVAL, AC_ENOMEM, AC_ENOTSUP. */
AC_EXPORT int ac_tls_context_set_alpn_protocols(ac_tls_context *ctx, const char *const *names,
                                                size_t n) AC_NOEXCEPT;

/** A server's choice of context for the name a client asked for (SNI).
 * `server_name` is the name (never NULL; a client that sent none gets no
 * call). Return a context to use for this connection (borrowed: it must
 * live until the call returns; the connection takes its own reference) or
 * NULL to keep the current one. Runs on the loop thread during the
 * handshake; it must not call into the loop. */
typedef ac_tls_context *(*ac_tls_sni_fn)(const char *server_name, void *ud);
/** Sets the SNI callback of a server context (sni_callback); fn NULL
 * removes it. free_ud runs on `ud` when replaced or when the context is
 * freed. Errors: AC_EINVAL (also: a client context), AC_ENOTSUP. */
AC_EXPORT int ac_tls_context_set_sni_callback(ac_tls_context *ctx, ac_tls_sni_fn fn, void *ud,
                                              ac_free_fn free_ud) AC_NOEXCEPT;

/** Timeouts in seconds for the handshake and the closing
 * (ssl_handshake_timeout, ssl_shutdown_timeout); <= 0 means asyncio's
 * defaults, 60 and 30. */
typedef struct ac_tls_timeouts {
  double handshake; /**< seconds for the handshake (ssl_handshake_timeout) */
  double shutdown;  /**< seconds for the closing (ssl_shutdown_timeout) */
} ac_tls_timeouts;

/** Opens a TCP connection as ac_stream_connect_tcp does, then performs a
 * TLS client handshake with `ctx` (open_connection(ssl=ctx,
 * server_hostname=...)). `server_hostname` is the name sent as SNI and
 * checked against the certificate; NULL means `host`; "" sends none and
 * checks none (AC_EINVAL while the context checks hostnames: "check_hostname
 * requires server_hostname"). *connected_out completes once the handshake
 * is done, or fails with the connection's or the handshake's error (see the
 * top of this file); the stream is then closed. `timeouts` may be NULL.
 * Errors: as ac_stream_connect_tcp, AC_ENOTSUP. */
AC_EXPORT int ac_stream_connect_tls(ac_loop *loop, const char *host, int port,
                                    ac_tls_context *ctx, const char *server_hostname,
                                    const ac_tls_timeouts *timeouts, ac_stream **stream_out,
                                    ac_future **connected_out) AC_NOEXCEPT;
/** Upgrades an open plain stream to TLS (StreamWriter.start_tls), as a
 * client or a server as `ctx` says. Bytes written before are sent in the
 * clear first; bytes already read into the stream's buffer and not
 * consumed are taken as the start of the TLS stream. *out completes with
 * NONE when the handshake is done (reads and writes meanwhile wait for it)
 * or fails with its error (the stream is then closed).
 * Errors: AC_EINVAL, AC_ESTATE (a read is pending, the stream is not
 * connected yet, or is TLS already), AC_ECLOSED, AC_ENOMEM, AC_ENOTSUP. */
AC_EXPORT int ac_stream_start_tls(ac_stream *s, ac_tls_context *ctx,
                                  const char *server_hostname,
                                  const ac_tls_timeouts *timeouts,
                                  ac_future **out) AC_NOEXCEPT;

/** @{ */
/** A TLS server (start_server(ssl=ctx)): as ac_server_listen_tcp and
 * ac_server_listen_tcp_tasks, but each accepted connection first completes
 * a TLS handshake with `ctx` (a server context); `fn` runs, or the task
 * starts, only for connections whose handshake succeeded. A failed
 * handshake closes its connection quietly (asyncio only logs it in debug
 * mode). Errors: as those, AC_EINVAL (ctx not a server context),
 * AC_ENOTSUP. */
AC_EXPORT int ac_server_listen_tls(ac_loop *loop, const char *host, int port, int backlog,
                                   ac_tls_context *ctx, const ac_tls_timeouts *timeouts,
                                   ac_server_connection_fn fn, void *ud, ac_free_fn free_ud,
                                   ac_server **out) AC_NOEXCEPT;
AC_EXPORT int ac_server_listen_tls_tasks(ac_loop *loop, const char *host, int port,
                                         int backlog, ac_tls_context *ctx,
                                         const ac_tls_timeouts *timeouts, ac_step_fn step,
                                         size_t state_size, size_t stream_offset,
                                         ac_server **out) AC_NOEXCEPT;
/** @} */

/** 1 for a TLS stream (connected with TLS or upgraded), 0 for a plain one,
 * AC_EINVAL for NULL. */
AC_EXPORT int ac_stream_is_tls(const ac_stream *s) AC_NOEXCEPT;

/** What a TLS stream's handshake settled, as kinds of AC_TLS_INFO_*. */
typedef enum ac_tls_info {
  AC_TLS_INFO_VERSION = 0,      /**< "TLSv1.3" (SSLObject.version()) */
  AC_TLS_INFO_CIPHER = 1,       /**< "TLS_AES_256_GCM_SHA384" (cipher()[0]) */
  AC_TLS_INFO_ALPN = 2,         /**< the protocol chosen, "" for none */
  AC_TLS_INFO_SERVER_NAME = 3,  /**< the SNI name (server: received; client: sent), "" for none */
  AC_TLS_INFO_PEER_SUBJECT = 4, /**< the peer certificate's subject, RFC 2253 ("CN=a,O=b"), "" for none */
  AC_TLS_INFO_PEER_CERT_DER = 5 /**< the peer certificate, DER bytes (getpeercert(True)); empty for none */
} ac_tls_info;
/** One item of what the handshake settled, as a new buffer in *out (free it
 * with ac_free; NUL-terminated after *len_out bytes; len_out may be NULL).
 * Errors: AC_EINVAL (NULL, not a TLS stream, unknown item), AC_ESTATE (the
 * handshake is not done), AC_ENOMEM, AC_ENOTSUP. */
AC_EXPORT int ac_stream_tls_info(const ac_stream *s, ac_tls_info what, char **out,
                                 size_t *len_out) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
