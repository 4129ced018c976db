// tls.cpp — ac_tls_* and the TLS entry points of streams and servers at
// the boundary. Without TLS support built in, each returns AC_ENOTSUP.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "io/net.hpp"
#include "io/server.hpp"
#include "io/stream.hpp"
#include "../shim.hpp"

#ifdef AC_HAVE_TLS
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "io/tls.hpp"
#endif

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::fail;

#ifndef AC_HAVE_TLS

namespace {
constexpr const char *kNoTls = "TLS support is not built in (Meson option tls)";
}

AC_API int ac_tls_available(void) noexcept { return 0; }
AC_API int ac_tls_context_new(ac_tls_side, ac_tls_context **) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API ac_tls_context *ac_tls_context_ref(ac_tls_context *ctx) noexcept { return ctx; }
AC_API void ac_tls_context_unref(ac_tls_context *) noexcept {}
AC_API int ac_tls_context_load_verify_locations(ac_tls_context *, const char *,
                                                const char *) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_load_verify_pem(ac_tls_context *, const char *, size_t) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_load_cert_chain(ac_tls_context *, const char *, const char *,
                                          const char *) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_load_cert_chain_pem(ac_tls_context *, const char *, size_t,
                                              const char *, size_t, const char *) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_set_verify(ac_tls_context *, ac_tls_verify) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_set_check_hostname(ac_tls_context *, int) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_set_min_version(ac_tls_context *, int) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_set_max_version(ac_tls_context *, int) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_set_ciphers(ac_tls_context *, const char *, const char *) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_set_alpn_protocols(ac_tls_context *, const char *const *,
                                             size_t) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_tls_context_set_sni_callback(ac_tls_context *, ac_tls_sni_fn, void *ud,
                                           ac_free_fn free_ud) noexcept {
  if (free_ud != nullptr) free_ud(ud);
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_stream_connect_tls(ac_loop *, const char *, int, ac_tls_context *, const char *,
                                 const ac_tls_timeouts *, ac_stream **, ac_future **) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_stream_start_tls(ac_stream *, ac_tls_context *, const char *,
                               const ac_tls_timeouts *, ac_future **) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_server_listen_tls(ac_loop *, const char *, int, int, ac_tls_context *,
                                const ac_tls_timeouts *, ac_server_connection_fn, void *ud,
                                ac_free_fn free_ud, ac_server **) noexcept {
  if (free_ud != nullptr) free_ud(ud);
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_server_listen_tls_tasks(ac_loop *, const char *, int, int, ac_tls_context *,
                                      const ac_tls_timeouts *, ac_step_fn, size_t, size_t,
                                      ac_server **) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}
AC_API int ac_stream_is_tls(const ac_stream *s) noexcept {
  return ac::is_stream(s) ? 0 : fail(AC_EINVAL);
}
AC_API int ac_stream_tls_info(const ac_stream *, ac_tls_info, char **, size_t *) noexcept {
  return fail(AC_ENOTSUP, kNoTls);
}

#else  // AC_HAVE_TLS

namespace {

// The reason of the last TLS failure on this thread, for
// ac_last_error_message (which keeps a pointer to it).
thread_local char tl_reason[512];

int fail_with(int code, const std::string &message) noexcept {
  if (message.empty()) return fail(code);
  std::snprintf(tl_reason, sizeof tl_reason, "%s", message.c_str());
  return fail(code, tl_reason);
}

// OpenSSL's reason for the failure of `what`.
int fail_openssl(const char *what) noexcept {
  std::string m;
  try {
    m = what;
    std::string r = ac::tls_error_text();
    if (!r.empty()) m += ": " + r;
  } catch (...) {
    ERR_clear_error();
  }
  return fail_with(AC_ETLS, m);
}

int check_ctx(const ac_tls_context *c) noexcept {
  ac::shim::clear_failure();
  return ac::is_tls_context(c) ? 0 : fail(AC_EINVAL);
}

int check_stream(const ac_stream *s) noexcept {
  if (!ac::is_stream(s)) return fail(AC_EINVAL);
  return check_loop_fast(s->loop);
}

int password_cb(char *buf, int size, int, void *ud) {
  const char *pw = static_cast<const char *>(ud);
  if (pw == nullptr) return 0;
  size_t n = std::strlen(pw);
  if (n > static_cast<size_t>(size)) n = static_cast<size_t>(size);
  std::memcpy(buf, pw, n);
  return static_cast<int>(n);
}

// Loads a chain and key into ctx; `load` does the format-specific part.
int cert_chain_common(ac_tls_context *c, const char *password,
                      int (*load)(SSL_CTX *, const void *, const void *), const void *a,
                      const void *b) noexcept {
  ERR_clear_error();
  SSL_CTX_set_default_passwd_cb(c->ctx, password_cb);
  SSL_CTX_set_default_passwd_cb_userdata(c->ctx, const_cast<char *>(password));
  int ok = load(c->ctx, a, b);
  SSL_CTX_set_default_passwd_cb_userdata(c->ctx, nullptr);
  if (ok != 1) return fail_openssl("cannot load the certificate chain or key");
  if (SSL_CTX_check_private_key(c->ctx) != 1)
    return fail_openssl("the private key does not match the certificate");
  return 0;
}

int load_files(SSL_CTX *ctx, const void *cert, const void *key) {
  const char *certfile = static_cast<const char *>(cert);
  const char *keyfile = key != nullptr ? static_cast<const char *>(key) : certfile;
  if (SSL_CTX_use_certificate_chain_file(ctx, certfile) != 1) return 0;
  return SSL_CTX_use_PrivateKey_file(ctx, keyfile, SSL_FILETYPE_PEM);
}

struct PemPair {
  const char *cert;
  size_t cert_len;
  const char *key;
  size_t key_len;
};

int load_pem(SSL_CTX *ctx, const void *pair, const void *) {
  const auto *p = static_cast<const PemPair *>(pair);
  BIO *b = BIO_new_mem_buf(p->cert, static_cast<int>(p->cert_len));
  if (b == nullptr) return 0;
  pem_password_cb *cb = SSL_CTX_get_default_passwd_cb(ctx);
  void *ud = SSL_CTX_get_default_passwd_cb_userdata(ctx);
  X509 *leaf = PEM_read_bio_X509_AUX(b, nullptr, cb, ud);
  int ok = leaf != nullptr && SSL_CTX_use_certificate(ctx, leaf) == 1;
  X509_free(leaf);
  if (ok) {
    SSL_CTX_clear_chain_certs(ctx);
    X509 *extra;
    while ((extra = PEM_read_bio_X509(b, nullptr, cb, ud)) != nullptr) {
      if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
        X509_free(extra);
        ok = 0;
        break;
      }
    }
    ERR_clear_error();  // the end of the certificates
  }
  BIO_free(b);
  if (!ok) return 0;
  const char *kp = p->key != nullptr ? p->key : p->cert;
  size_t kl = p->key != nullptr ? p->key_len : p->cert_len;
  b = BIO_new_mem_buf(kp, static_cast<int>(kl));
  if (b == nullptr) return 0;
  EVP_PKEY *pk = PEM_read_bio_PrivateKey(b, nullptr, cb, ud);
  BIO_free(b);
  ok = pk != nullptr && SSL_CTX_use_PrivateKey(ctx, pk) == 1;
  EVP_PKEY_free(pk);
  return ok ? 1 : 0;
}

void apply_verify(ac_tls_context *c) {
  int mode = SSL_VERIFY_NONE;
  if (c->verify_mode == AC_TLS_VERIFY_OPTIONAL) mode = SSL_VERIFY_PEER;
  if (c->verify_mode == AC_TLS_VERIFY_REQUIRED)
    mode = SSL_VERIFY_PEER | (c->server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
  SSL_CTX_set_verify(c->ctx, mode, nullptr);
}

void timeouts_of(const ac_tls_timeouts *t, double *hs, double *sd) {
  *hs = t != nullptr ? t->handshake : 0;
  *sd = t != nullptr ? t->shutdown : 0;
}

}  // namespace

AC_API int ac_tls_available(void) noexcept { return 1; }

AC_API int ac_tls_context_new(ac_tls_side side, ac_tls_context **out) noexcept {
  ac::shim::clear_failure();
  if (out == nullptr || (side != AC_TLS_CLIENT && side != AC_TLS_SERVER)) return fail(AC_EINVAL);
  int code = 0;
  std::string message;
  ac_tls_context *c = ac::tls_context_new(side == AC_TLS_SERVER, &code, &message);
  if (c == nullptr) return fail_with(code, message);
  *out = c;
  return 0;
}

AC_API ac_tls_context *ac_tls_context_ref(ac_tls_context *ctx) noexcept {
  if (ac::is_tls_context(ctx)) ctx->ref();
  return ctx;
}
AC_API void ac_tls_context_unref(ac_tls_context *ctx) noexcept {
  if (ac::is_tls_context(ctx)) ctx->unref();
}

AC_API int ac_tls_context_load_verify_locations(ac_tls_context *ctx, const char *cafile,
                                                const char *capath) noexcept {
  int rc = check_ctx(ctx);
  if (rc != 0) return rc;
  if (cafile == nullptr && capath == nullptr) return fail(AC_EINVAL);
  ERR_clear_error();
  if (SSL_CTX_load_verify_locations(ctx->ctx, cafile, capath) != 1)
    return fail_openssl("cannot load the CA certificates");
  if (ctx->server && cafile != nullptr) {
    // The names a server sends when it asks for a client certificate.
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cafile);
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx->ctx, names);
    ERR_clear_error();
  }
  return 0;
}

AC_API int ac_tls_context_load_verify_pem(ac_tls_context *ctx, const char *pem,
                                          size_t len) noexcept {
  int rc = check_ctx(ctx);
  if (rc != 0) return rc;
  if (pem == nullptr || len == 0 || len > INT32_MAX) return fail(AC_EINVAL);
  ERR_clear_error();
  BIO *b = BIO_new_mem_buf(pem, static_cast<int>(len));
  if (b == nullptr) return fail(AC_ENOMEM);
  X509_STORE *store = SSL_CTX_get_cert_store(ctx->ctx);
  int added = 0;
  X509 *x;
  while ((x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr)) != nullptr) {
    if (X509_STORE_add_cert(store, x) == 1) ++added;
    X509_free(x);
  }
  BIO_free(b);
  if (added == 0) return fail_openssl("no CA certificate in the PEM data");
  ERR_clear_error();
  return 0;
}

AC_API int ac_tls_context_load_cert_chain(ac_tls_context *ctx, const char *certfile,
                                          const char *keyfile, const char *password) noexcept {
  int rc = check_ctx(ctx);
  if (rc != 0) return rc;
  if (certfile == nullptr) return fail(AC_EINVAL);
  return cert_chain_common(ctx, password, load_files, certfile, keyfile);
}

AC_API int ac_tls_context_load_cert_chain_pem(ac_tls_context *ctx, const char *cert_pem,
                                              size_t cert_len, const char *key_pem,
                                              size_t key_len, const char *password) noexcept {
  int rc = check_ctx(ctx);
  if (rc != 0) return rc;
  if (cert_pem == nullptr || cert_len == 0 || cert_len > INT32_MAX || key_len > INT32_MAX ||
      (key_pem != nullptr && key_len == 0))
    return fail(AC_EINVAL);
  PemPair pair{cert_pem, cert_len, key_pem, key_len};
  return cert_chain_common(ctx, password, load_pem, &pair, nullptr);
}

AC_API int ac_tls_context_set_verify(ac_tls_context *ctx, ac_tls_verify mode) noexcept {
  int rc = check_ctx(ctx);
  if (rc != 0) return rc;
  if (mode < AC_TLS_VERIFY_NONE || mode > AC_TLS_VERIFY_REQUIRED) return fail(AC_EINVAL);
  if (mode == AC_TLS_VERIFY_NONE && ctx->check_hostname)
    return fail(AC_EINVAL, "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
  ctx->verify_mode = mode;
  apply_verify(ctx);
  return 0;
}

AC_API int ac_tls_context_set_check_hostname(ac_tls_context *ctx, int on) noexcept {
  int rc = check_ctx(ctx);
  if (rc != 0) return rc;
  ctx->check_hostname = on != 0;
  if (on != 0 && ctx->verify_mode == AC_TLS_VERIFY_NONE) {
    ctx->verify_mode = AC_TLS_VERIFY_REQUIRED;
    apply_verify(ctx);
  }
  return 0;
}

static int set_version(ac_tls_context *ctx, int version, bool min) noexcept {
  int rc = check_ctx(ctx);
  if (rc != 0) return rc;
  if (version != 0 && version != AC_TLS_VERSION_1_2 && version != AC_TLS_VERSION_1_3)
    return fail(AC_EINVAL);
  int ok = min ? SSL_CTX_set_min_proto_version(ctx->ctx, version)
               : SSL_CTX_set_max_proto_version(ctx->ctx, version);
  return ok == 1 ? 0 : fail_openssl("cannot set the protocol version");
}

AC_API int ac_tls_context_set_min_version(ac_tls_context *ctx, int version) noexcept {
  return set_version(ctx, version, true);
}
AC_API int ac_tls_context_set_max_version(ac_tls_context *ctx, int version) noexcept {
  return set_version(ctx, version, false);
}

AC_API int ac_tls_context_set_ciphers(ac_tls_context *ctx, const char *tls12,
                                      const char *tls13) noexcept {
  int rc = check_ctx(ctx);
  if (rc != 0) return rc;
  ERR_clear_error();
  if (tls12 != nullptr && SSL_CTX_set_cipher_list(ctx->ctx, tls12) != 1)
    return fail_openssl("No cipher can be selected.");
  if (tls13 != nullptr && SSL_CTX_set_ciphersuites(ctx->ctx, tls13) != 1)
    return fail_openssl("No cipher suite can be selected.");
  return 0;
}

AC_API int ac_tls_context_set_alpn_protocols(ac_tls_context *ctx, const char *const *names,
                                             size_t n) noexcept {
  int rc = check_ctx(ctx);
  if (rc != 0) return rc;
  if (n > 0 && names == nullptr) return fail(AC_EINVAL);
  AC_GUARD({
    std::vector<unsigned char> wire;
    for (size_t i = 0; i < n; ++i) {
      size_t len = names[i] != nullptr ? std::strlen(names[i]) : 0;
      if (len == 0 || len > 255) return fail(AC_EINVAL, "invalid ALPN protocol name");
      wire.push_back(static_cast<unsigned char>(len));
      wire.insert(wire.end(), names[i], names[i] + len);
    }
    ctx->alpn.swap(wire);
    return 0;
  })
}

AC_API int ac_tls_context_set_sni_callback(ac_tls_context *ctx, ac_tls_sni_fn fn, void *ud,
                                           ac_free_fn free_ud) noexcept {
  int rc = check_ctx(ctx);
  if (rc == 0 && !ctx->server) rc = fail(AC_EINVAL, "sni_callback is for server contexts");
  if (rc != 0) {
    if (free_ud != nullptr) free_ud(ud);
    return rc;
  }
  if (ctx->sni_free != nullptr) ctx->sni_free(ctx->sni_ud);
  ctx->sni_fn = fn;
  ctx->sni_ud = ud;
  ctx->sni_free = fn != nullptr ? free_ud : nullptr;
  if (fn == nullptr && free_ud != nullptr) free_ud(ud);
  return 0;
}

AC_API int ac_stream_connect_tls(ac_loop *loop, const char *host, int port,
                                 ac_tls_context *ctx, const char *server_hostname,
                                 const ac_tls_timeouts *timeouts, ac_stream **stream_out,
                                 ac_future **connected_out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (host == nullptr || stream_out == nullptr || connected_out == nullptr ||
      !ac::is_tls_context(ctx) || ctx->server || port < 1 || port > 65535)
    return fail(AC_EINVAL);
  double hs, sd;
  timeouts_of(timeouts, &hs, &sd);
  AC_GUARD({
    ac_stream *s = ac::stream_new(loop, false);
    std::string message;
    rc = ac::tls_start(s, ctx, server_hostname != nullptr ? server_hostname : host, hs, sd,
                       nullptr, &message);
    if (rc != 0) {
      s->unref();
      return fail_with(rc, message);
    }
    ac_future *f;
    try {
      f = s->connect_tcp(host, port);
    } catch (...) {
      s->unref();
      throw;
    }
    *stream_out = s;
    *connected_out = f;
    return 0;
  })
}

AC_API int ac_stream_start_tls(ac_stream *s, ac_tls_context *ctx, const char *server_hostname,
                               const ac_tls_timeouts *timeouts, ac_future **out) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (!ac::is_tls_context(ctx) || out == nullptr) return fail(AC_EINVAL);
  if (s->phase >= ac_stream::kClosing) return fail(AC_ECLOSED);
  if (s->phase != ac_stream::kOpen) return fail(AC_ESTATE);
  if (s->op != ac_stream::kNone) return fail(AC_ESTATE, "start_tls with a read pending");
  if (s->layer != nullptr) return fail(AC_ESTATE, "the stream is TLS already");
  double hs, sd;
  timeouts_of(timeouts, &hs, &sd);
  std::string message;
  AC_GUARD({
    rc = ac::tls_start(s, ctx, server_hostname, hs, sd, out, &message);
    return rc != 0 ? fail_with(rc, message) : 0;
  })
}

namespace {

// A TLS server's state: the user's callback (or task), held by the server
// (its ud) and by each connection whose handshake is under way.
struct TlsServer {
  int refs = 1;
  ac_server *srv = nullptr;  // cleared when the server lets go of us
  ac_tls_context *ctx = nullptr;
  double hs = 0, sd = 0;
  ac_server_connection_fn fn = nullptr;
  void *ud = nullptr;
  ac_free_fn free_ud = nullptr;
  ac_step_fn step = nullptr;
  size_t state_size = 0, stream_offset = 0;

  void unref() noexcept {
    if (--refs != 0) return;
    if (ctx != nullptr) ctx->unref();
    delete this;
  }
};

void tls_server_release(void *p) {
  auto *t = static_cast<TlsServer *>(p);
  t->srv = nullptr;
  if (t->free_ud != nullptr) t->free_ud(t->ud);
  t->free_ud = nullptr;
  t->unref();
}

struct Handshake {
  TlsServer *server;
  ac_stream *stream;
};

void handshake_free(void *p) {
  auto *h = static_cast<Handshake *>(p);
  h->stream->unref();  // a stream nobody kept closes now
  h->server->unref();
  delete h;
}

void handshake_done(ac_future *f, void *p) {
  auto *h = static_cast<Handshake *>(p);
  TlsServer *t = h->server;
  if (f->state != AC_FUTURE_RESULT || t->srv == nullptr) {
    h->stream->close();
    return;
  }
  if (t->step != nullptr) {
    int rc = ac_stream_spawn(h->stream, t->step, t->state_size, t->stream_offset, nullptr);
    if (rc != 0) {
      ac_error *err = nullptr;
      ac_error_new(rc, "could not start a connection task", nullptr, &err);
      h->stream->loop->report("could not start a connection task", err, nullptr);
      ac_error_unref(err);
    }
  } else {
    t->fn(t->srv, h->stream, t->ud);
  }
}

void tls_accept(ac_server *srv, ac_stream *s, void *ud) {
  auto *t = static_cast<TlsServer *>(ud);
  t->srv = srv;
  ac_future *f = nullptr;
  std::string message;
  int rc;
  try {
    rc = ac::tls_start(s, t->ctx, nullptr, t->hs, t->sd, &f, &message);
  } catch (...) {
    rc = AC_ENOMEM;
  }
  if (rc != 0) {
    s->close();
    return;
  }
  f->mark_error_retrieved();  // a failed handshake only closes its connection
  auto *h = new (std::nothrow) Handshake{t, s};
  if (h == nullptr) {
    s->close();
    f->unref();
    return;
  }
  s->ref();
  ++t->refs;
  if (ac_future_add_done_callback(f, handshake_done, h, handshake_free) != 0) s->close();
  f->unref();
}

int listen_tls_common(ac_loop *loop, const char *host, int port, int backlog,
                      ac_tls_context *ctx, const ac_tls_timeouts *timeouts, TlsServer *t,
                      ac_server **out) noexcept {
  t->ctx = ctx;
  ctx->ref();
  timeouts_of(timeouts, &t->hs, &t->sd);
  ac_server *srv = nullptr;
  int rc = ac_server_listen_tcp(loop, host, port, backlog, tls_accept, t, tls_server_release,
                                &srv);
  if (rc != 0) return rc;
  t->srv = srv;
  *out = srv;
  return 0;
}

}  // namespace

AC_API int ac_server_listen_tls(ac_loop *loop, const char *host, int port, int backlog,
                                ac_tls_context *ctx, const ac_tls_timeouts *timeouts,
                                ac_server_connection_fn fn, void *ud, ac_free_fn free_ud,
                                ac_server **out) noexcept {
  ac::shim::clear_failure();
  if (!ac::is_tls_context(ctx) || !ctx->server || fn == nullptr || out == nullptr) {
    if (free_ud != nullptr) free_ud(ud);
    return fail(AC_EINVAL);
  }
  auto *t = new (std::nothrow) TlsServer();
  if (t == nullptr) {
    if (free_ud != nullptr) free_ud(ud);
    return fail(AC_ENOMEM);
  }
  t->fn = fn;
  t->ud = ud;
  t->free_ud = free_ud;
  return listen_tls_common(loop, host, port, backlog, ctx, timeouts, t, out);
}

AC_API int ac_server_listen_tls_tasks(ac_loop *loop, const char *host, int port, int backlog,
                                      ac_tls_context *ctx, const ac_tls_timeouts *timeouts,
                                      ac_step_fn step, size_t state_size, size_t stream_offset,
                                      ac_server **out) noexcept {
  ac::shim::clear_failure();
  if (!ac::is_tls_context(ctx) || !ctx->server || out == nullptr || step == nullptr ||
      stream_offset > state_size || state_size - stream_offset < sizeof(ac_stream *) ||
      state_size > (SIZE_MAX >> 2))
    return fail(AC_EINVAL);
  auto *t = new (std::nothrow) TlsServer();
  if (t == nullptr) return fail(AC_ENOMEM);
  t->step = step;
  t->state_size = state_size;
  t->stream_offset = stream_offset;
  return listen_tls_common(loop, host, port, backlog, ctx, timeouts, t, out);
}

AC_API int ac_stream_is_tls(const ac_stream *s) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  return ac::tls_of(s) != nullptr ? 1 : 0;
}

AC_API int ac_stream_tls_info(const ac_stream *s, ac_tls_info what, char **out,
                              size_t *len_out) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (out == nullptr || what < AC_TLS_INFO_VERSION || what > AC_TLS_INFO_PEER_CERT_DER)
    return fail(AC_EINVAL);
  AC_GUARD({
    std::string text;
    rc = ac::tls_info(s, static_cast<ac::TlsInfo>(what), &text);
    if (rc != 0) return fail(rc, rc == AC_ESTATE ? "the TLS handshake is not done" : nullptr);
    auto *p = static_cast<char *>(ac_alloc(text.size() + 1));
    if (p == nullptr) return fail(AC_ENOMEM);
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
    p[text.size()] = '\0';
    *out = p;
    if (len_out != nullptr) *len_out = text.size();
    return 0;
  })
}

#endif  // AC_HAVE_TLS
