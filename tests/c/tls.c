#define _GNU_SOURCE
/* tls.c — TLS streams (asyncore/tls.h) against real peers: our own client
 * and server, Python's ssl module and the openssl tool, with certificates
 * made at test time (tests/tls/make_certs.sh): verification, unknown CA,
 * wrong hostname, expired, ALPN, SNI, mutual TLS, start_tls, handshake
 * timeout, garbage instead of a ClientHello, a reset mid-handshake,
 * close_notify both ways, 64 MiB intact and 1,000 concurrent
 * connections. */
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "net_util.h"

#ifndef TLS_DIR
#error TLS_DIR (the tests/tls folder) must be defined
#endif

static char certs[256];
static char path_buf[8][320];
static int path_next;

/* certs/<name>, in a small ring of buffers. */
static const char *cert(const char *name) {
  char *b = path_buf[path_next++ % 8];
  snprintf(b, sizeof path_buf[0], "%s/%s", certs, name);
  return b;
}

static ac_tls_context *server_ctx(const char *leaf) {
  ac_tls_context *c = NULL;
  char pem[64], key[64];
  snprintf(pem, sizeof pem, "%s.pem", leaf);
  snprintf(key, sizeof key, "%s.key", leaf);
  CHECK_RC(ac_tls_context_new(AC_TLS_SERVER, &c), 0);
  CHECK_RC(ac_tls_context_load_cert_chain(c, cert(pem), cert(key), NULL), 0);
  return c;
}

static ac_tls_context *client_ctx(int trust_ca) {
  ac_tls_context *c = NULL;
  CHECK_RC(ac_tls_context_new(AC_TLS_CLIENT, &c), 0);
  if (trust_ca) CHECK_RC(ac_tls_context_load_verify_locations(c, cert("ca.pem"), NULL), 0);
  return c;
}

/* ---- an echo task: line by line until EOF, then close ---- */

struct echo {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};
static int echo_closed_by_eof;

static int echo_step(ac_task *t, void *p) {
  struct echo *e = p;
  ac_future *f;
  ac_value v;
  AC_BEGIN(e);
  for (;;) {
    if (ac_stream_read(e->stream, 1 << 20, &f) != 0) return AC_EINTERNAL;
    AC_AWAIT(e, ac_task_await_owned(t, f));
    AC_CHECK(t);
    ac_future_result(ac_task_awaited(t), &v);
    if (v.u.bytes.len == 0) break; /* EOF: the client's close_notify */
    if (ac_stream_write(e->stream, v.u.bytes.data, v.u.bytes.len) != 0) break;
    if (ac_stream_drain(e->stream, &f) != 0) return AC_EINTERNAL;
    AC_AWAIT(e, ac_task_await_owned(t, f));
    AC_CHECK(t);
  }
  ++echo_closed_by_eof;
  ac_stream_close(e->stream);
  AC_END(e);
}

static ac_server *tls_echo_server(ac_loop *loop, ac_tls_context *ctx, int *port) {
  ac_server *srv = NULL;
  CHECK_RC(ac_server_listen_tls_tasks(loop, "127.0.0.1", 0, 0, ctx, NULL, echo_step,
                                      sizeof(struct echo), offsetof(struct echo, stream), &srv),
           0);
  *port = ac_server_port(srv);
  CHECK(*port > 0);
  return srv;
}

/* Connects with TLS; returns the connect outcome, *msg the error text. */
static int tls_dial(ac_loop *loop, int port, ac_tls_context *ctx, const char *name,
                    ac_stream **out, char *msg, size_t cap) {
  ac_future *c = NULL;
  CHECK_RC(ac_stream_connect_tls(loop, "127.0.0.1", port, ctx, name, NULL, out, &c), 0);
  int rc = net_wait(loop, c, 10);
  if (msg != NULL) {
    msg[0] = '\0';
    ac_error *e = ac_future_error(c);
    if (e != NULL) snprintf(msg, cap, "%s", ac_error_message(e));
  }
  ac_future_unref(c);
  return rc;
}

static char *info(ac_stream *s, ac_tls_info what) {
  static char buf[4][256];
  static int k;
  char *b = buf[k++ % 4];
  char *p = NULL;
  size_t n = 0;
  int rc = ac_stream_tls_info(s, what, &p, &n);
  if (rc != 0) {
    snprintf(b, 256, "<%s>", ac_err_name(rc));
  } else {
    snprintf(b, 256, "%s", p);
    ac_free(p);
  }
  return b;
}

static void finish(ac_loop *loop) {
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

/* ---- our client, our server ---- */

static void test_own_client_and_server_verify_alpn_close_notify(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server"), *cc = client_ctx(1);
  const char *sp[] = {"h2", "http/1.1"}, *cp[] = {"x-other", "http/1.1", "h2"};
  CHECK_RC(ac_tls_context_set_alpn_protocols(sc, sp, 2), 0);
  CHECK_RC(ac_tls_context_set_alpn_protocols(cc, cp, 3), 0);
  int port;
  echo_closed_by_eof = 0;
  ac_server *srv = tls_echo_server(loop, sc, &port);
  ac_stream *s = NULL;
  char msg[256], buf[128];
  CHECK_RC(tls_dial(loop, port, cc, "localhost", &s, msg, sizeof msg), 0);
  CHECK_INT(ac_stream_is_tls(s), 1);
  CHECK_STR(info(s, AC_TLS_INFO_VERSION), "TLSv1.3");
  CHECK_STR(info(s, AC_TLS_INFO_ALPN), "h2"); /* the server's preference */
  CHECK_STR(info(s, AC_TLS_INFO_PEER_SUBJECT), "CN=localhost");
  CHECK_STR(info(s, AC_TLS_INFO_SERVER_NAME), "localhost");
  CHECK(strlen(info(s, AC_TLS_INFO_CIPHER)) > 4);
  CHECK_RC(ac_stream_write(s, "hello\nworld\n", 12), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "hello\n");
  NET_TEXT(loop, ac_stream_readexactly(s, 6, &nt_f_), buf);
  CHECK_STR(buf, "world\n");
  CHECK_RC(ac_stream_write_eof(s), AC_ENOTSUP);
  /* Our close sends close_notify: the server's task reads EOF and closes,
   * its close_notify reaching... nobody: we are closed. */
  ac_future *w = NULL;
  CHECK_RC(ac_stream_close(s), 0);
  CHECK_RC(ac_stream_wait_closed(s, &w), 0);
  CHECK_RC(net_wait(loop, w, 5), 0);
  ac_future_unref(w);
  net_run_until(loop, &echo_closed_by_eof, 5);
  CHECK_INT(echo_closed_by_eof, 1);
  ac_stream_unref(s);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  finish(loop);
}

/* The server closes first: the client reads EOF from its close_notify. */
struct closer {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};
static int closer_step(ac_task *t, void *p) {
  struct closer *c = p;
  (void)t;
  AC_BEGIN(c);
  ac_stream_write(c->stream, "bye\n", 4);
  ac_stream_close(c->stream);
  AC_END(c);
}

static void test_server_close_notify_reads_as_eof(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server"), *cc = client_ctx(1);
  ac_server *srv = NULL;
  CHECK_RC(ac_server_listen_tls_tasks(loop, "127.0.0.1", 0, 0, sc, NULL, closer_step,
                                      sizeof(struct closer), offsetof(struct closer, stream),
                                      &srv),
           0);
  ac_stream *s = NULL;
  char buf[128];
  CHECK_RC(tls_dial(loop, ac_server_port(srv), cc, "localhost", &s, NULL, 0), 0);
  NET_TEXT(loop, ac_stream_read(s, SIZE_MAX, &nt_f_), buf);
  CHECK_STR(buf, "bye\n");
  CHECK_INT(ac_stream_at_eof(s), 1);
  ac_stream_unref(s);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  finish(loop);
}

/* Refusals: unknown CA, wrong hostname, expired. */
static void refused(const char *leaf, int trust, const char *name, int code, const char *text) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx(leaf), *cc = client_ctx(trust);
  int port;
  ac_server *srv = tls_echo_server(loop, sc, &port);
  ac_stream *s = NULL;
  char msg[256];
  CHECK_RC(tls_dial(loop, port, cc, name, &s, msg, sizeof msg), code);
  if (strstr(msg, text) == NULL) th_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", msg, text);
  CHECK_INT(ac_stream_is_closing(s), 1);
  CHECK_STR(ac_err_class(code), "SSLCertVerificationError");
  ac_stream_unref(s);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  finish(loop);
}
static void test_unknown_ca_refused(void) {
  refused("rogue", 1, "localhost", AC_ETLSVERIFY,
          "certificate verify failed: unable to get local issuer certificate");
  /* The system store does not know our CA either. */
  refused("server", 0, "localhost", AC_ETLSVERIFY, "certificate verify failed");
}
static void test_wrong_hostname_refused(void) {
  refused("wrong", 1, "localhost", AC_ETLSVERIFY, "certificate verify failed: hostname mismatch");
}
static void test_expired_refused(void) {
  refused("expired", 1, "localhost", AC_ETLSVERIFY, "certificate verify failed: certificate has expired");
}

static void test_context_misuse(void) {
  ac_tls_context *c = client_ctx(0);
  CHECK_RC(ac_tls_context_set_verify(c, AC_TLS_VERIFY_NONE), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL),
            "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
  CHECK_RC(ac_tls_context_load_cert_chain(c, cert("nonexistent.pem"), NULL, NULL), AC_ETLS);
  CHECK(strstr(ac_last_error_message(AC_ETLS), "cannot load the certificate chain") != NULL);
  CHECK_RC(ac_tls_context_load_cert_chain(c, cert("server.pem"), cert("client.key"), NULL), AC_ETLS);
  CHECK(strstr(ac_last_error_message(AC_ETLS), "key") != NULL);
  CHECK_RC(ac_tls_context_set_sni_callback(c, NULL, NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_tls_context_set_check_hostname(c, 0), 0);
  CHECK_RC(ac_tls_context_set_verify(c, AC_TLS_VERIFY_NONE), 0);
  CHECK_RC(ac_tls_context_set_min_version(c, 0x0301), AC_EINVAL);
  CHECK_RC(ac_tls_context_set_min_version(c, AC_TLS_VERSION_1_3), 0);
  ac_tls_context_unref(c);
  /* A client that checks hostnames needs one. */
  ac_loop *loop = net_loop();
  ac_tls_context *cc = client_ctx(1);
  ac_stream *s = NULL;
  ac_future *f = NULL;
  CHECK_RC(ac_stream_connect_tls(loop, "127.0.0.1", 9, cc, "", NULL, &s, &f), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "check_hostname requires server_hostname");
  ac_tls_context_unref(cc);
  finish(loop);
}

/* Certificates from memory, and the server's certificate checked by IP. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  static char bufs[3][8192];
  static int k;
  char *b = bufs[k++ % 3];
  *len = fread(b, 1, sizeof bufs[0] - 1, f);
  b[*len] = '\0';
  fclose(f);
  return b;
}

static void test_pem_in_memory_and_ip_check(void) {
  ac_loop *loop = net_loop();
  size_t cl, kl, al;
  char *c = slurp(cert("server.pem"), &cl), *k = slurp(cert("server.key"), &kl),
       *a = slurp(cert("ca.pem"), &al);
  CHECK(c != NULL && k != NULL && a != NULL);
  ac_tls_context *sc = NULL, *cc = NULL;
  CHECK_RC(ac_tls_context_new(AC_TLS_SERVER, &sc), 0);
  CHECK_RC(ac_tls_context_load_cert_chain_pem(sc, c, cl, k, kl, NULL), 0);
  CHECK_RC(ac_tls_context_new(AC_TLS_CLIENT, &cc), 0);
  CHECK_RC(ac_tls_context_load_verify_pem(cc, a, al), 0);
  int port;
  ac_server *srv = tls_echo_server(loop, sc, &port);
  ac_stream *s = NULL;
  char msg[256];
  CHECK_RC(tls_dial(loop, port, cc, NULL, &s, msg, sizeof msg), 0); /* 127.0.0.1 */
  CHECK_STR(info(s, AC_TLS_INFO_SERVER_NAME), "127.0.0.1");
  ac_stream_unref(s);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  finish(loop);
}

/* SNI: the server's callback picks the context of the name asked for. */
static ac_tls_context *other_ctx;
static char sni_seen[64];
static ac_tls_context *pick(const char *name, void *ud) {
  (void)ud;
  snprintf(sni_seen, sizeof sni_seen, "%s", name);
  return strcmp(name, "other.test") == 0 ? other_ctx : NULL;
}

static void test_sni_selects_the_certificate(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server"), *cc = client_ctx(1);
  other_ctx = server_ctx("other");
  CHECK_RC(ac_tls_context_set_sni_callback(sc, pick, NULL, NULL), 0);
  int port;
  ac_server *srv = tls_echo_server(loop, sc, &port);
  ac_stream *s = NULL;
  char msg[256];
  CHECK_RC(tls_dial(loop, port, cc, "other.test", &s, msg, sizeof msg), 0);
  CHECK_STR(sni_seen, "other.test");
  CHECK_STR(info(s, AC_TLS_INFO_PEER_SUBJECT), "CN=other.test");
  ac_stream_unref(s);
  CHECK_RC(tls_dial(loop, port, cc, "localhost", &s, msg, sizeof msg), 0);
  CHECK_STR(info(s, AC_TLS_INFO_PEER_SUBJECT), "CN=localhost");
  ac_stream_unref(s);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  ac_tls_context_unref(other_ctx);
  finish(loop);
}

/* Mutual TLS: a server that requires client certificates. */
static void test_mutual_tls(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server"), *cc = client_ctx(1), *anon = client_ctx(1);
  CHECK_RC(ac_tls_context_load_verify_locations(sc, cert("ca.pem"), NULL), 0);
  CHECK_RC(ac_tls_context_set_verify(sc, AC_TLS_VERIFY_REQUIRED), 0);
  CHECK_RC(ac_tls_context_load_cert_chain(cc, cert("client.pem"), cert("client.key"), NULL), 0);
  int port;
  ac_server *srv = tls_echo_server(loop, sc, &port);
  ac_stream *s = NULL;
  char msg[256], buf[128];
  CHECK_RC(tls_dial(loop, port, cc, "localhost", &s, msg, sizeof msg), 0);
  CHECK_RC(ac_stream_write(s, "m\n", 2), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "m\n");
  ac_stream_unref(s);
  /* Without a certificate: TLS 1.3 lets the client finish first; the
   * server's refusal arrives as an alert on the first read. */
  CHECK_RC(tls_dial(loop, port, anon, "localhost", &s, msg, sizeof msg), 0);
  CHECK_RC(ac_stream_write(s, "m\n", 2), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "<error AC_ETLS>");
  ac_stream_unref(s);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  ac_tls_context_unref(anon);
  finish(loop);
}

/* ---- plain connections: start_tls, garbage, resets, silence ---- */

static ac_stream *accepted[4];
static int n_accepted;
static void keep(ac_server *srv, ac_stream *s, void *ud) {
  (void)srv;
  (void)ud;
  if (n_accepted < 4) accepted[n_accepted++] = ac_stream_ref(s);
}
static ac_server *plain_server(ac_loop *loop, int *port) {
  ac_server *srv = NULL;
  n_accepted = 0;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep, NULL, NULL, &srv), 0);
  *port = ac_server_port(srv);
  return srv;
}

static void test_start_tls_on_a_plain_connection(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server"), *cc = client_ctx(1);
  int port;
  ac_server *srv = plain_server(loop, &port);
  ac_stream *c = NULL;
  ac_future *f = NULL;
  char buf[128];
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", port, &c, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  ac_future_unref(f);
  net_run_until(loop, &n_accepted, 5);
  ac_stream *se = accepted[0];
  CHECK_RC(ac_stream_write(c, "STARTTLS\n", 9), 0);
  NET_TEXT(loop, ac_stream_readline(se, &nt_f_), buf);
  CHECK_STR(buf, "STARTTLS\n");
  CHECK_RC(ac_stream_write(se, "GO\n", 3), 0);
  ac_future *hs = NULL, *hc = NULL;
  CHECK_RC(ac_stream_start_tls(se, sc, NULL, NULL, &hs), 0);
  CHECK_RC(ac_stream_start_tls(se, sc, NULL, NULL, &f), AC_ESTATE);
  NET_TEXT(loop, ac_stream_readline(c, &nt_f_), buf);
  CHECK_STR(buf, "GO\n");
  CHECK_RC(ac_stream_start_tls(c, cc, "localhost", NULL, &hc), 0);
  CHECK_RC(ac_stream_write(c, "secret\n", 7), 0); /* waits for the handshake */
  CHECK_RC(net_wait(loop, hc, 5), 0);
  CHECK_RC(net_wait(loop, hs, 5), 0);
  ac_future_unref(hs);
  ac_future_unref(hc);
  NET_TEXT(loop, ac_stream_readline(se, &nt_f_), buf);
  CHECK_STR(buf, "secret\n");
  CHECK_STR(info(se, AC_TLS_INFO_SERVER_NAME), "localhost");
  ac_stream_unref(c);
  ac_stream_unref(se);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  finish(loop);
}

/* A peer that never reads: drain waits, the write buffer stays bounded
 * by what was written (the encrypted bytes wait in it, as on a plain
 * stream). */
static void test_backpressure_against_a_peer_that_never_reads(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server"), *cc = client_ctx(1);
  int port;
  ac_server *srv = plain_server(loop, &port);
  ac_stream *c = NULL;
  ac_future *f = NULL, *hs = NULL, *hc = NULL;
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", port, &c, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  ac_future_unref(f);
  net_run_until(loop, &n_accepted, 5);
  CHECK_RC(ac_stream_start_tls(accepted[0], sc, NULL, NULL, &hs), 0);
  CHECK_RC(ac_stream_start_tls(c, cc, "localhost", NULL, &hc), 0);
  CHECK_RC(net_wait(loop, hc, 5), 0);
  CHECK_RC(net_wait(loop, hs, 5), 0);
  ac_future_unref(hs);
  ac_future_unref(hc);
  /* The server's end stops reading past twice its limit: make it small. */
  CHECK_RC(ac_stream_set_limit(accepted[0], 1024), 0);
  static char chunk[65536];
  size_t written = 0;
  for (int i = 0; i < 256; ++i) { /* 16 MiB */
    CHECK_RC(ac_stream_write(c, chunk, sizeof chunk), 0);
    written += sizeof chunk;
  }
  CHECK_RC(ac_stream_drain(c, &f), 0);
  net_run_for(loop, 0.5);
  CHECK_INT(ac_future_done(f), 0); /* drain blocks */
  int64_t queued = ac_stream_write_buffer_size(c);
  CHECK(queued > AC_STREAM_DEFAULT_HIGH_WATER);
  CHECK(queued <= (int64_t)(written + written / 16)); /* records add little */
  CHECK(ac_stream_buffered(accepted[0]) < 4 * 1024 + 4 * 65536);
  ac_future_unref(f);
  ac_stream_unref(c);
  ac_stream_unref(accepted[0]);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  finish(loop);
}

/* A raw client socket of the test's own (blocking). */
static int raw_connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(0x7f000001);
  CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
  return fd;
}

/* The server's end of a raw connection, upgraded: its handshake future. */
static ac_future *server_handshake(ac_loop *loop, ac_server **srv, int *fd, ac_tls_context *sc,
                                   double timeout) {
  int port;
  *srv = plain_server(loop, &port);
  *fd = raw_connect(port);
  net_run_until(loop, &n_accepted, 5);
  CHECK_INT(n_accepted, 1);
  ac_tls_timeouts t = {timeout, 0};
  ac_future *hs = NULL;
  CHECK_RC(ac_stream_start_tls(accepted[0], sc, NULL, &t, &hs), 0);
  return hs;
}

static void test_garbage_instead_of_client_hello(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server");
  ac_server *srv;
  int fd;
  ac_future *hs = server_handshake(loop, &srv, &fd, sc, 0);
  CHECK(write(fd, "GET / HTTP/1.0\r\n\r\n", 18) == 18);
  CHECK_RC(net_wait(loop, hs, 5), AC_ETLS);
  ac_error *e = ac_future_error(hs);
  CHECK(e != NULL && strlen(ac_error_message(e)) > 0);
  CHECK_STR(ac_err_class(AC_ETLS), "SSLError");
  CHECK_INT(ac_stream_is_closing(accepted[0]), 1);
  ac_future_unref(hs);
  close(fd);
  ac_stream_unref(accepted[0]);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  finish(loop);
}

static void test_reset_mid_handshake(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server");
  ac_server *srv;
  int fd;
  ac_future *hs = server_handshake(loop, &srv, &fd, sc, 0);
  /* The first bytes of a ClientHello record, then a reset. */
  CHECK(write(fd, "\x16\x03\x01\x02\x00\x01\x00\x01", 8) == 8);
  net_run_for(loop, 0.1);
  struct linger l = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
  CHECK_RC(net_wait(loop, hs, 5), AC_ECONNRESET);
  ac_future_unref(hs);
  ac_stream_unref(accepted[0]);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  finish(loop);
}

static void test_handshake_timeout_against_a_silent_peer(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server");
  ac_server *srv;
  int fd;
  ac_future *hs = server_handshake(loop, &srv, &fd, sc, 0.2);
  CHECK_RC(net_wait(loop, hs, 5), -ECONNABORTED);
  CHECK_STR(ac_error_message(ac_future_error(hs)),
            "SSL handshake is taking longer than 0.2 seconds: aborting the connection");
  CHECK_STR(ac_err_class(-ECONNABORTED), "ConnectionAbortedError");
  ac_future_unref(hs);
  close(fd);
  ac_stream_unref(accepted[0]);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  finish(loop);
}

/* ---- volume: 64 MiB and 1,000 connections ---- */

struct big {
  AC_ASYNC_FIELDS;
  ac_stream *s;
  size_t sent;
  char *data;
};

static void test_64_mib_round_trip_intact(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server"), *cc = client_ctx(1);
  int port;
  ac_server *srv = tls_echo_server(loop, sc, &port);
  ac_stream *s = NULL;
  CHECK_RC(tls_dial(loop, port, cc, "localhost", &s, NULL, 0), 0);
  /* Under valgrind (ASYNCORE_TLS_QUICK) 4 MiB: the same paths, in time. */
  size_t n = getenv("ASYNCORE_TLS_QUICK") != NULL ? (size_t)4 << 20 : (size_t)64 << 20;
  unsigned char *data = malloc(n);
  CHECK(data != NULL);
  uint32_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    data[i] = (unsigned char)(x >> 16);
  }
  CHECK_RC(ac_stream_write(s, data, n), 0);
  ac_future *f = NULL;
  CHECK_RC(ac_stream_readexactly(s, n, &f), 0);
  CHECK_RC(net_wait(loop, f, 60), 0);
  ac_value v;
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK(v.u.bytes.len == n && memcmp(v.u.bytes.data, data, n) == 0);
  ac_future_unref(f);
  free(data);
  echo_closed_by_eof = 0;
  ac_stream_unref(s);
  net_run_until(loop, &echo_closed_by_eof, 10);
  CHECK_INT(echo_closed_by_eof, 1);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  finish(loop);
}

#define N_MAX 1000
static int conc_done, conc_ok;
static void conc_connected(ac_future *f, void *ud) {
  ac_stream *s = ud;
  if (ac_future_get_state(f) == AC_FUTURE_RESULT) {
    ++conc_ok;
    ac_stream_write(s, "x\n", 2);
  }
  ++conc_done;
}

static void test_thousand_concurrent_connections(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server"), *cc = client_ctx(1);
  int port;
  ac_server *srv = NULL;
  CHECK_RC(ac_server_listen_tls_tasks(loop, "127.0.0.1", 0, 2048, sc, NULL, echo_step,
                                      sizeof(struct echo), offsetof(struct echo, stream), &srv),
           0);
  port = ac_server_port(srv);
  static ac_stream *ss[N_MAX];
  const int N_CONC = getenv("ASYNCORE_TLS_QUICK") != NULL ? 100 : N_MAX;
  conc_done = conc_ok = 0;
  for (int i = 0; i < N_CONC; ++i) {
    ac_future *f = NULL;
    CHECK_RC(ac_stream_connect_tls(loop, "127.0.0.1", port, cc, "localhost", NULL, &ss[i], &f), 0);
    CHECK_RC(ac_future_add_done_callback(f, conc_connected, ss[i], NULL), 0);
    ac_future_unref(f);
  }
  double end = ac_loop_time(loop) + 60;
  while (conc_done < N_CONC && ac_loop_time(loop) < end) ac_loop_step(loop, 0.05, NULL, NULL);
  CHECK_INT(conc_ok, N_CONC);
  /* Every connection echoes its line. */
  int lines = 0;
  for (int i = 0; i < N_CONC; ++i) {
    ac_future *f = NULL;
    CHECK_RC(ac_stream_readline(ss[i], &f), 0);
    if (net_wait(loop, f, 10) == 0 && strcmp(net_text(f), "x\n") == 0) ++lines;
    ac_future_unref(f);
  }
  CHECK_INT(lines, N_CONC);
  /* Closing sends close_notify: every server task sees EOF and ends. */
  echo_closed_by_eof = 0;
  for (int i = 0; i < N_CONC; ++i) ac_stream_unref(ss[i]);
  end = ac_loop_time(loop) + 30;
  while (echo_closed_by_eof < N_CONC && ac_loop_time(loop) < end)
    ac_loop_step(loop, 0.05, NULL, NULL);
  CHECK_INT(echo_closed_by_eof, N_CONC);
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  ac_tls_context_unref(cc);
  finish(loop);
}

/* ---- other peers: Python's ssl, openssl s_client ---- */

static void test_python_server_our_client_alpn(void) {
  const char *py = net_python();
  if (py == NULL) {
    printf("# skipped: no /usr/bin/python3\n");
    return;
  }
  char script[300];
  snprintf(script, sizeof script, "%s/peer.py", TLS_DIR);
  char *argv[] = {(char *)py, script, "server", (char *)cert("server.pem"),
                  (char *)cert("server.key"), "--alpn", "h2,http/1.1", NULL};
  int out = -1;
  pid_t pid = net_spawn(argv, &out);
  CHECK(pid > 0);
  char line[64];
  net_read_line(out, line, sizeof line);
  int port = atoi(line);
  CHECK(port > 0);
  ac_loop *loop = net_loop();
  ac_tls_context *cc = client_ctx(1);
  const char *cp[] = {"http/1.1"};
  CHECK_RC(ac_tls_context_set_alpn_protocols(cc, cp, 1), 0);
  ac_stream *s = NULL;
  char msg[256], buf[128];
  CHECK_RC(tls_dial(loop, port, cc, "localhost", &s, msg, sizeof msg), 0);
  CHECK_STR(info(s, AC_TLS_INFO_ALPN), "http/1.1");
  CHECK_RC(ac_stream_write(s, "hi\n", 3), 0);
  NET_TEXT(loop, ac_stream_read(s, SIZE_MAX, &nt_f_), buf); /* until its close_notify */
  CHECK_STR(buf, "py:hi\n");
  ac_stream_unref(s);
  ac_tls_context_unref(cc);
  finish(loop);
  char rest[256];
  CHECK_INT(net_collect(pid, out, rest, sizeof rest), 0);
}

static void test_python_client_mutual_tls(void) {
  const char *py = net_python();
  if (py == NULL) {
    printf("# skipped: no /usr/bin/python3\n");
    return;
  }
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server");
  CHECK_RC(ac_tls_context_load_verify_locations(sc, cert("ca.pem"), NULL), 0);
  CHECK_RC(ac_tls_context_set_verify(sc, AC_TLS_VERIFY_REQUIRED), 0);
  const char *sp[] = {"h2"};
  CHECK_RC(ac_tls_context_set_alpn_protocols(sc, sp, 1), 0);
  int port;
  echo_closed_by_eof = 0;
  ac_server *srv = tls_echo_server(loop, sc, &port);
  char script[300], ps[16];
  snprintf(script, sizeof script, "%s/peer.py", TLS_DIR);
  snprintf(ps, sizeof ps, "%d", port);
  char *argv[] = {(char *)py, script, "client", ps, (char *)cert("ca.pem"), "localhost",
                  "--cert", (char *)cert("client.pem"), (char *)cert("client.key"),
                  "--alpn", "h2", NULL};
  int out = -1;
  pid_t pid = net_spawn(argv, &out);
  CHECK(pid > 0);
  /* The client closes after the echo: the task sees EOF. */
  net_run_until(loop, &echo_closed_by_eof, 10);
  CHECK_INT(echo_closed_by_eof, 1);
  net_run_for(loop, 0.1);
  char text[256];
  CHECK_INT(net_collect(pid, out, text, sizeof text), 0);
  CHECK_STR(text, "hello TLSv1.3 h2\nclosed\n");
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  finish(loop);
}

static int openssl_found(void) { return system("openssl version >/dev/null 2>&1") == 0; }

static void test_openssl_s_client(void) {
  if (!openssl_found()) {
    printf("# skipped: no openssl tool\n");
    return;
  }
  ac_loop *loop = net_loop();
  ac_tls_context *sc = server_ctx("server");
  int port;
  echo_closed_by_eof = 0;
  ac_server *srv = tls_echo_server(loop, sc, &port);
  char cmd[900];
  /* s_client stays until its input ends: long enough for the echo to
   * come back, also under valgrind on a busy machine. */
  snprintf(cmd, sizeof cmd,
           "(echo ping; sleep %s) | openssl s_client -connect 127.0.0.1:%d -servername localhost "
           "-CAfile %s -verify_return_error -verify_hostname localhost -quiet -no_ign_eof 2>/dev/null",
           getenv("ASYNCORE_TLS_QUICK") != NULL ? "5" : "1", port, cert("ca.pem"));
  char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  int out = -1;
  pid_t pid = net_spawn(argv, &out);
  CHECK(pid > 0);
  net_run_until(loop, &echo_closed_by_eof, 10);
  CHECK_INT(echo_closed_by_eof, 1);
  char text[256];
  net_collect(pid, out, text, sizeof text);
  CHECK_STR(text, "ping\n");
  ac_server_unref(srv);
  ac_tls_context_unref(sc);
  finish(loop);
}

static void test_openssl_s_server_our_client(void) {
  if (!openssl_found()) {
    printf("# skipped: no openssl tool\n");
    return;
  }
  /* A port of our choosing: bind one, read it, let it go. */
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(0x7f000001);
  socklen_t al = sizeof a;
  CHECK(bind(probe, (struct sockaddr *)&a, sizeof a) == 0);
  getsockname(probe, (struct sockaddr *)&a, &al);
  int port = ntohs(a.sin_port);
  close(probe);
  char cmd[900];
  snprintf(cmd, sizeof cmd,
           "exec openssl s_server -accept 127.0.0.1:%d -cert %s -key %s -naccept 1 -rev "
           "-alpn h2 -quiet 2>&1 </dev/null",
           port, cert("server.pem"), cert("server.key"));
  char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  int out = -1;
  pid_t pid = net_spawn(argv, &out);
  CHECK(pid > 0);
  ac_loop *loop = net_loop();
  ac_tls_context *cc = client_ctx(1);
  const char *cp[] = {"h2"};
  CHECK_RC(ac_tls_context_set_alpn_protocols(cc, cp, 1), 0);
  ac_stream *s = NULL;
  char msg[256], buf[128];
  int rc = AC_ECONNREFUSED;
  for (int i = 0; i < 50 && rc == AC_ECONNREFUSED; ++i) {
    if (s != NULL) ac_stream_unref(s);
    s = NULL;
    rc = tls_dial(loop, port, cc, "localhost", &s, msg, sizeof msg);
    if (rc == AC_ECONNREFUSED) net_run_for(loop, 0.05);
  }
  CHECK_RC(rc, 0);
  CHECK_STR(info(s, AC_TLS_INFO_ALPN), "h2");
  CHECK_RC(ac_stream_write(s, "abc\n", 4), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, "cba\n");
  ac_stream_unref(s);
  ac_tls_context_unref(cc);
  finish(loop);
  kill(pid, SIGTERM);
  char rest[512];
  net_collect(pid, out, rest, sizeof rest);
}

/* ---- closing, against Python's ssl (tests/tls/close_peer.py) ---- */

/* Starts close_peer.py MODE; *port is its port. 0 when Python is missing. */
static pid_t close_peer(const char *mode, int *out, int *port) {
  const char *py = net_python();
  if (py == NULL) {
    printf("# skipped: no /usr/bin/python3\n");
    return 0;
  }
  char script[300];
  snprintf(script, sizeof script, "%s/close_peer.py", TLS_DIR);
  char *argv[] = {(char *)py, script, (char *)mode, (char *)cert("server.pem"),
                  (char *)cert("server.key"), NULL};
  pid_t pid = net_spawn(argv, out);
  CHECK(pid > 0);
  char line[64];
  net_read_line(*out, line, sizeof line);
  *port = atoi(line);
  CHECK(*port > 0);
  return pid;
}

/* Our close sends close_notify and keeps the TCP connection open until the
 * peer's close_notify comes (asyncio's SSLProtocol._do_shutdown). */
static void test_close_waits_for_the_peers_close_notify(void) {
  /* The loop and the context first: loading the system's CAs is slow
   * under valgrind, and the peer waits for its connection. */
  ac_loop *loop = net_loop();
  ac_tls_context *cc = client_ctx(1);
  int out, port;
  pid_t pid = close_peer("hold", &out, &port);
  if (pid == 0) {
    ac_tls_context_unref(cc);
    finish(loop);
    return;
  }
  ac_stream *s = NULL;
  char line[64];
  CHECK_RC(tls_dial(loop, port, cc, "localhost", &s, NULL, 0), 0);
  ac_future *w = NULL;
  CHECK_RC(ac_stream_close(s), 0);
  CHECK_RC(ac_stream_wait_closed(s, &w), 0);
  net_read_line(out, line, sizeof line);
  CHECK_STR(line, "got close_notify");
  net_read_line(out, line, sizeof line);
  CHECK_STR(line, "tcp open");
  net_run_for(loop, 0.1);
  CHECK_INT(ac_future_done(w), 0); /* still waiting for the answer */
  CHECK_INT(ac_stream_is_closing(s), 1);
  kill(pid, SIGUSR1);
  CHECK_RC(net_wait(loop, w, 10), 0);
  ac_future_unref(w);
  char rest[256];
  CHECK_INT(net_collect(pid, out, rest, sizeof rest), 0);
  CHECK_STR(rest, "answered\ntcp eof\n");
  ac_stream_unref(s);
  ac_tls_context_unref(cc);
  finish(loop);
}

/* A peer that never answers our close_notify: the socket closes when the
 * shutdown timeout passes (ssl_shutdown_timeout). */
static void test_close_gives_up_after_the_shutdown_timeout(void) {
  ac_loop *loop = net_loop();
  ac_tls_context *cc = client_ctx(1);
  int out, port;
  pid_t pid = close_peer("silent", &out, &port);
  if (pid == 0) {
    ac_tls_context_unref(cc);
    finish(loop);
    return;
  }
  ac_tls_timeouts t = {10, 0.3};
  ac_stream *s = NULL;
  ac_future *c = NULL, *w = NULL;
  CHECK_RC(ac_stream_connect_tls(loop, "127.0.0.1", port, cc, "localhost", &t, &s, &c), 0);
  CHECK_RC(net_wait(loop, c, 10), 0);
  ac_future_unref(c);
  CHECK_RC(ac_stream_close(s), 0);
  CHECK_RC(ac_stream_wait_closed(s, &w), 0);
  char line[64];
  net_read_line(out, line, sizeof line);
  CHECK_STR(line, "got close_notify");
  CHECK_INT(ac_future_done(w), 0);
  CHECK_RC(net_wait(loop, w, 10), 0);
  ac_future_unref(w);
  char rest[256];
  CHECK_INT(net_collect(pid, out, rest, sizeof rest), 0);
  CHECK_STR(rest, "tcp eof without our close_notify\n");
  ac_stream_unref(s);
  ac_tls_context_unref(cc);
  finish(loop);
}

/* The peer (close_peer.py MODE) sends `line`, then ends; we read the line,
 * then EOF (at_eof), close, and the peer prints `peer_says`. */
static void eof_then_close(const char *mode, const char *line, const char *peer_says) {
  ac_loop *loop = net_loop();
  ac_tls_context *cc = client_ctx(1);
  int out, port;
  pid_t pid = close_peer(mode, &out, &port);
  if (pid == 0) {
    ac_tls_context_unref(cc);
    finish(loop);
    return;
  }
  ac_stream *s = NULL;
  char buf[128];
  CHECK_RC(tls_dial(loop, port, cc, "localhost", &s, NULL, 0), 0);
  NET_TEXT(loop, ac_stream_readline(s, &nt_f_), buf);
  CHECK_STR(buf, line);
  NET_TEXT(loop, ac_stream_read(s, 100, &nt_f_), buf);
  CHECK_STR(buf, "");
  CHECK_INT(ac_stream_at_eof(s), 1);
  ac_future *w = NULL;
  CHECK_RC(ac_stream_close(s), 0);
  CHECK_RC(ac_stream_wait_closed(s, &w), 0);
  CHECK_RC(net_wait(loop, w, 10), 0);
  ac_future_unref(w);
  char rest[256];
  CHECK_INT(net_collect(pid, out, rest, sizeof rest), 0);
  CHECK_STR(rest, peer_says);
  ac_stream_unref(s);
  ac_tls_context_unref(cc);
  finish(loop);
}

/* The peer's close_notify reads as EOF (at_eof); our close then answers it
 * and closes at once (the peer unwraps). */
static void test_peers_close_notify_is_eof_and_answered(void) {
  eof_then_close("notify", "bye\n", "unwrap ok\n");
}

/* A TCP EOF without close_notify after the handshake reads as EOF, not as
 * an error (asyncio 3.11 and 3.13: the reader gets b"", at_eof()); the
 * close does not wait: the peer is gone. */
static void test_tcp_eof_without_close_notify_is_eof(void) {
  eof_then_close("tcp-eof", "x\n", "tcp eof\n");
}

int main(void) {
  if (!ac_tls_available()) {
    printf("1..0 # SKIP built without TLS\n");
    return 0;
  }
  char tmpl[] = "/tmp/asyncore-tls-XXXXXX";
  if (mkdtemp(tmpl) == NULL) return 1;
  snprintf(certs, sizeof certs, "%s", tmpl);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "sh %s/make_certs.sh %s >/dev/null 2>&1", TLS_DIR, certs);
  if (system(cmd) != 0) {
    printf("1..0 # SKIP cannot make certificates with the openssl tool\n");
    return 0;
  }
  RUN(test_own_client_and_server_verify_alpn_close_notify);
  RUN(test_server_close_notify_reads_as_eof);
  RUN(test_unknown_ca_refused);
  RUN(test_wrong_hostname_refused);
  RUN(test_expired_refused);
  RUN(test_context_misuse);
  RUN(test_pem_in_memory_and_ip_check);
  RUN(test_sni_selects_the_certificate);
  RUN(test_mutual_tls);
  RUN(test_start_tls_on_a_plain_connection);
  RUN(test_backpressure_against_a_peer_that_never_reads);
  RUN(test_garbage_instead_of_client_hello);
  RUN(test_reset_mid_handshake);
  RUN(test_handshake_timeout_against_a_silent_peer);
  RUN(test_64_mib_round_trip_intact);
  RUN(test_thousand_concurrent_connections);
  RUN(test_python_server_our_client_alpn);
  RUN(test_python_client_mutual_tls);
  RUN(test_openssl_s_client);
  RUN(test_openssl_s_server_our_client);
  RUN(test_close_waits_for_the_peers_close_notify);
  RUN(test_close_gives_up_after_the_shutdown_timeout);
  RUN(test_peers_close_notify_is_eof_and_answered);
  RUN(test_tcp_eof_without_close_notify_is_eof);
  snprintf(cmd, sizeof cmd, "rm -rf %s", certs);
  if (system(cmd) != 0) return 1;
  return th_finish();
}
