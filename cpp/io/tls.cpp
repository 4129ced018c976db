// tls.cpp — the TLS layer of ac_stream (see tls.hpp).
#include "io/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/runnable.hpp"
#include "io/net.hpp"

ac_tls_context::~ac_tls_context() {
  magic = 0;
  if (ctx != nullptr) SSL_CTX_free(ctx);
  if (sni_free != nullptr) sni_free(sni_ud);
}

namespace ac {

namespace {

constexpr double kDefaultHandshakeTimeout = 60.0;
constexpr double kDefaultShutdownTimeout = 30.0;
constexpr size_t kWriteChunk = 256 * 1024;  // plaintext encrypted at a time

int alpn_select_cb(SSL *, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg) {
  auto *c = static_cast<ac_tls_context *>(arg);
  if (c == nullptr || c->alpn.empty()) return SSL_TLSEXT_ERR_NOACK;
  unsigned char *sel = nullptr;
  unsigned char sel_len = 0;
  // The server's order of preference, as Python's.
  if (SSL_select_next_proto(&sel, &sel_len, c->alpn.data(),
                            static_cast<unsigned int>(c->alpn.size()), in,
                            inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = sel;
  *outlen = sel_len;
  return SSL_TLSEXT_ERR_OK;
}

int servername_cb(SSL *ssl, int *, void *arg);

// SSL_get_error needs an empty error queue before the call it explains.
// Clearing it costs some 800 instructions (every slot of the thread's
// queue is reset); looking at it, a fraction: the steady state clears
// nothing (every failure path below leaves the queue empty).
inline void clear_errors() noexcept {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

}  // namespace

std::string tls_error_text() {
  std::string text;
  unsigned long e;
  unsigned long last = 0;
  while ((e = ERR_get_error()) != 0) last = e;
  if (last != 0) {
    const char *r = ERR_reason_error_string(last);
    if (r != nullptr) {
      text = r;
    } else {
      char buf[256];
      ERR_error_string_n(last, buf, sizeof buf);
      text = buf;
    }
  }
  return text;
}

ac_tls_context *tls_context_new(bool server, int *code, std::string *message) noexcept {
  ac_tls_context *c = nullptr;
  try {
    c = new ac_tls_context();
  } catch (...) {
    *code = AC_ENOMEM;
    return nullptr;
  }
  c->server = server;
  c->ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (c->ctx == nullptr) {
    try {
      *message = "cannot create a TLS context: " + tls_error_text();
    } catch (...) {
    }
    *code = AC_ETLS;
    delete c;
    return nullptr;
  }
  SSL_CTX_set_app_data(c->ctx, c);
  SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
  // Buffers stay allocated per connection (SSL_MODE_RELEASE_BUFFERS would
  // free and allocate them around every record).
  SSL_CTX_set_mode(c->ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A peer that closes the TCP connection without close_notify gives EOF
  // (asyncio 3.11), not an error.
  SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
  if (server) {
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_alpn_select_cb(c->ctx, alpn_select_cb, c);
    SSL_CTX_set_tlsext_servername_callback(c->ctx, servername_cb);
    SSL_CTX_set_tlsext_servername_arg(c->ctx, c);
  } else {
    c->verify_mode = AC_TLS_VERIFY_REQUIRED;
    c->check_hostname = true;
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_set_default_verify_paths(c->ctx) != 1) ERR_clear_error();
  }
  return c;
}

// ---------------------------------------------------------------- the layer

struct TlsTimer;

struct TlsLayer final : StreamLayer {
  ac_stream *stream;
  ac_tls_context *context;            // a reference
  ac_tls_context *sni_context = nullptr;  // chosen by the SNI callback (a reference)
  SSL *ssl = nullptr;
  BIO *in = nullptr;   // socket -> OpenSSL
  BIO *out = nullptr;  // OpenSSL -> socket
  bool server;
  bool handshake_done = false;
  bool handshake_started = false;
  bool failed = false;
  bool raw_eof = false;
  bool lingering = false;  // closing: close_notify sent, waiting for the peer's
  uint64_t out_flushed = 0;  // BIO_number_written(out) at the last flush_out
  double handshake_timeout;
  double shutdown_timeout;
  std::string pending;           // written before the handshake ended
  std::string server_name;       // SNI: sent (client) or received (server)
  ac_future *handshake_future = nullptr;  // start_tls's (a reference)
  TlsTimer *timer = nullptr;
  std::vector<char> raw;         // one recv's bytes

  TlsLayer(ac_stream *s, ac_tls_context *c, bool srv) noexcept
      : stream(s), context(c), server(srv) {
    c->ref();
  }
  ~TlsLayer() override;

  void on_readable(ac_stream *s) noexcept override;
  int write(ac_stream *s, const char *p, size_t n) noexcept override;
  bool on_connected(ac_stream *s) noexcept override;
  void on_close(ac_stream *s) noexcept override;
  void fail(ac_stream *s, int code) noexcept override;
  bool hold_open(ac_stream *s) noexcept override;

  void begin() noexcept;
  void receive(ac_stream *s) noexcept;
  void linger_read(ac_stream *s) noexcept;
  void end_linger(ac_stream *s) noexcept;
  void start_open() noexcept;
  void pump() noexcept;
  void flush_out() noexcept;
  void handshake_ok() noexcept;
  void handshake_failed(int code, const std::string &message) noexcept;
  int ssl_failure(int ret, std::string *message) noexcept;
  bool decrypt() noexcept;
  void arm(double seconds) noexcept;
  void disarm() noexcept;
  void on_timer() noexcept;
};

struct TlsTimer final : TimerNode {
  TlsLayer *layer;
  explicit TlsTimer(TlsLayer *l) noexcept : layer(l) {}
  void fire() noexcept override {
    TlsLayer *l = layer;
    if (l != nullptr) l->timer = nullptr;
    delete this;
    if (l != nullptr) l->on_timer();
  }
  void drop_timer() noexcept override {
    if (layer != nullptr) layer->timer = nullptr;
    delete this;
  }
};

namespace {

int servername_cb(SSL *ssl, int *, void *arg) {
  auto *c = static_cast<ac_tls_context *>(arg);
  auto *layer = static_cast<TlsLayer *>(SSL_get_app_data(ssl));
  const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr || layer == nullptr) return SSL_TLSEXT_ERR_OK;
  try {
    layer->server_name = name;
  } catch (...) {
  }
  if (c->sni_fn == nullptr) return SSL_TLSEXT_ERR_OK;
  ac_tls_context *chosen = c->sni_fn(name, c->sni_ud);
  if (chosen == nullptr || chosen == c || !is_tls_context(chosen)) return SSL_TLSEXT_ERR_OK;
  if (SSL_set_SSL_CTX(ssl, chosen->ctx) == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
  chosen->ref();
  if (layer->sni_context != nullptr) layer->sni_context->unref();
  layer->sni_context = chosen;
  // The chosen context's own verification settings apply too.
  SSL_set_verify(ssl, SSL_CTX_get_verify_mode(chosen->ctx), nullptr);
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

TlsLayer::~TlsLayer() {
  disarm();
  if (handshake_future != nullptr) handshake_future->unref();
  if (ssl != nullptr) SSL_free(ssl);  // frees the BIOs too
  if (sni_context != nullptr) sni_context->unref();
  context->unref();
}

void TlsLayer::arm(double seconds) noexcept {
  disarm();
  auto *t = new (std::nothrow) TlsTimer(this);
  if (t == nullptr) return;  // no timeout rather than no connection
  try {
    stream->loop->add_timer(t, stream->loop->now() + seconds);
  } catch (...) {
    delete t;
    return;
  }
  timer = t;
}

void TlsLayer::disarm() noexcept {
  if (timer == nullptr) return;
  TlsTimer *t = timer;
  timer = nullptr;
  if (stream->loop->remove_timer(t)) {
    delete t;
  } else {
    t->layer = nullptr;
  }
}

void TlsLayer::on_timer() noexcept {
  ac_stream *s = stream;
  s->ref();
  if (!handshake_done && !failed) {
    char msg[96];
    std::snprintf(msg, sizeof msg,
                  "SSL handshake is taking longer than %.1f seconds: aborting the connection",
                  handshake_timeout);
    try {
      handshake_failed(-ECONNABORTED, msg);
    } catch (...) {
    }
  } else if (s->phase == ac_stream::kClosing) {
    // The peer did not take our close_notify or did not answer it in
    // time (asyncio's ssl_shutdown_timeout): drop what is queued.
    lingering = false;
    s->reading = false;
    s->wbuf.clear();
    s->woff = 0;
    s->phase = ac_stream::kClosed;
    s->close_handle();
  }
  s->unref();
}

// start_tls on an open stream.
void TlsLayer::start_open() noexcept {
  ac_stream *s = stream;
  // Bytes read already but not consumed are the start of the TLS stream.
  if (s->rend > s->rstart) {
    BIO_write(in, s->rbuf + s->rstart, static_cast<int>(s->rend - s->rstart));
    s->rstart = s->rend = 0;
  }
  s->forget_last_read();
  s->read_paused = false;
  s->start_reading();
  begin();
}

// Starts the handshake: the client's ClientHello goes out now.
void TlsLayer::begin() noexcept {
  handshake_started = true;
  arm(handshake_timeout);
  pump();
}

bool TlsLayer::on_connected(ac_stream *) noexcept {
  begin();
  return true;
}

// Takes what OpenSSL produced and sends it through the stream.
void TlsLayer::flush_out() noexcept {
  // The BIO's byte counter, not a control call: most calls find nothing.
  uint64_t written = BIO_number_written(out);
  if (written == out_flushed) return;
  out_flushed = written;
  char *p = nullptr;
  long n = BIO_get_mem_data(out, &p);
  if (n <= 0) return;
  stream->write_raw(p, static_cast<size_t>(n));
  (void)BIO_reset(out);
}

// The failure of an SSL call: a code and a message naming what failed.
int TlsLayer::ssl_failure(int ret, std::string *message) noexcept {
  int e = SSL_get_error(ssl, ret);
  unsigned long err = ERR_peek_last_error();
  try {
    if (e == SSL_ERROR_SSL && ERR_GET_REASON(err) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
      long v = SSL_get_verify_result(ssl);
      ERR_clear_error();
      *message = "certificate verify failed: ";
      *message += X509_verify_cert_error_string(v);
      if (v == X509_V_ERR_HOSTNAME_MISMATCH && !server_name.empty())
        *message += ", certificate is not valid for '" + server_name + "'";
      return AC_ETLSVERIFY;
    }
    if (e == SSL_ERROR_SSL) {
      std::string r = tls_error_text();
      *message = r.empty() ? "TLS protocol error" : r;
      return AC_ETLS;
    }
    ERR_clear_error();
    if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN) {
      *message = "connection lost during the TLS handshake";
      return AC_ECONNRESET;
    }
    *message = "TLS error";
  } catch (...) {
  }
  return AC_ETLS;
}

void TlsLayer::pump() noexcept {
  ac_stream *s = stream;
  if (failed) return;
  if (!handshake_done) {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl);
    flush_out();  // the next flight, or the alert that explains a failure
    if (r == 1) {
      handshake_ok();
      if (failed || s->phase >= ac_stream::kClosing) return;
    } else {
      int e = SSL_get_error(ssl, r);
      std::string message;
      int code = 0;
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (s->read_error != 0) {
          code = s->read_error;
          message = "connection lost during the TLS handshake";
        } else if (raw_eof) {
          code = AC_ECONNRESET;
          message = "connection closed by the peer during the TLS handshake";
        } else {
          return;  // more bytes to come
        }
      } else {
        code = ssl_failure(r, &message);
      }
      try {
        handshake_failed(code, message);
      } catch (...) {
      }
      return;
    }
  }
  decrypt();
}

// Moves every decrypted byte into the stream's read buffer. False after a
// TLS error (read_error set).
bool TlsLayer::decrypt() noexcept {
  ac_stream *s = stream;
  constexpr size_t kRoom = 16384 + 512;
  clear_errors();
  for (;;) {
    if (s->rstart == s->rend) s->rstart = s->rend = 0;
    if (s->rcap - s->rend < kRoom && s->rstart > 0) {
      std::memmove(s->rbuf, s->rbuf + s->rstart, s->rend - s->rstart);
      s->rend -= s->rstart;
      s->rstart = 0;
    }
    if (s->rcap - s->rend < kRoom) {
      size_t want = s->rcap * 2 > s->rend + 65536 ? s->rcap * 2 : s->rend + 65536;
      auto *p = static_cast<char *>(std::realloc(s->rbuf, want));
      if (p == nullptr) {
        s->read_error = AC_ENOMEM;
        return false;
      }
      s->rbuf = p;
      s->rcap = want;
    }
    size_t got = 0;
    int r = SSL_read_ex(ssl, s->rbuf + s->rend, s->rcap - s->rend, &got);
    if (r == 1) {
      s->rend += got;
      // Nothing more buffered, in OpenSSL or in the input BIO: the next
      // call could only want more bytes (skipping it saves a failed read
      // and its error bookkeeping per record).
      if (SSL_has_pending(ssl) == 0 && BIO_number_written(in) == BIO_number_read(in)) {
        flush_out();  // key updates
        if (raw_eof) s->eof = true;  // plain EOF without close_notify
        return true;
      }
      continue;
    }
    int e = SSL_get_error(ssl, r);
    flush_out();  // key updates, alerts
    if (e == SSL_ERROR_WANT_READ) {
      if (raw_eof) s->eof = true;  // plain EOF without close_notify
      return true;
    }
    if (e == SSL_ERROR_ZERO_RETURN) {  // close_notify
      s->eof = true;
      return true;
    }
    if (e == SSL_ERROR_SSL) {
      std::string r2 = tls_error_text();
      if (s->read_error == 0) s->read_error = AC_ETLS;
      if (s->write_error == 0) {
        s->write_error = AC_ETLS;
        s->wbuf.clear();
        s->woff = 0;
        s->release_drains();
      }
      return false;
    }
    if (raw_eof) s->eof = true;
    ERR_clear_error();
    return true;
  }
}

// Moves what the socket has into the input BIO (a few reads at most).
void TlsLayer::receive(ac_stream *s) noexcept {
  for (int round = 0; round < 4; ++round) {
    ssize_t n = ::recv(s->fd, raw.data(), raw.size(), 0);
    if (n > 0) {
      BIO_write(in, raw.data(), static_cast<int>(n));
      if (static_cast<size_t>(n) < raw.size()) break;
      continue;
    }
    if (n == 0) {
      raw_eof = true;
      BIO_set_mem_eof_return(in, 0);
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    s->read_error = -errno;
    if (s->write_error == 0) {
      s->write_error = s->read_error;
      s->wbuf.clear();
      s->woff = 0;
      s->release_drains();
    }
    break;
  }
}

void TlsLayer::on_readable(ac_stream *s) noexcept {
  if (raw.empty()) {
    try {
      raw.resize(65536);
    } catch (...) {
      s->read_error = AC_ENOMEM;
      if (s->phase == ac_stream::kClosing) {
        end_linger(s);
        return;
      }
      s->after_read();
      return;
    }
  }
  if (s->phase == ac_stream::kClosing) {
    linger_read(s);
    return;
  }
  receive(s);
  s->ref();
  pump();
  if (raw_eof && handshake_done && !s->eof && s->read_error == 0) s->eof = true;
  if (s->phase < ac_stream::kClosed) s->after_read();
  s->unref();
}

int TlsLayer::write(ac_stream *s, const char *p, size_t n) noexcept {
  if (failed) return s->write_error != 0 ? s->write_error : AC_ETLS;
  if (!handshake_done) {
    try {
      pending.append(p, n);
    } catch (...) {
      return AC_ENOMEM;
    }
    return 0;
  }
  clear_errors();
  while (n > 0) {
    size_t chunk = n < kWriteChunk ? n : kWriteChunk;
    size_t done = 0;
    if (SSL_write_ex(ssl, p, chunk, &done) != 1) {
      std::string ignored;
      int code = ssl_failure(0, &ignored);
      if (s->write_error == 0) s->write_error = code;
      s->release_drains();
      return code;
    }
    flush_out();
    if (s->write_error != 0) return s->write_error;
    p += done;
    n -= done;
  }
  return 0;
}

void TlsLayer::handshake_ok() noexcept {
  ac_stream *s = stream;
  handshake_done = true;
  disarm();
  if (!pending.empty()) {
    std::string p;
    p.swap(pending);
    write(s, p.data(), p.size());
  }
  if (s->connect_future != nullptr) {
    ac_future *f = s->connect_future;
    s->connect_future = nullptr;
    s->detach_connect_future(f);
    future_set_none(f);
    f->unref();
  }
  if (handshake_future != nullptr) {
    ac_future *f = handshake_future;
    handshake_future = nullptr;
    future_set_none(f);
    f->unref();
  }
}

void TlsLayer::handshake_failed(int code, const std::string &message) noexcept {
  ac_stream *s = stream;
  failed = true;
  disarm();
  pending.clear();
  const char *msg = message.empty() ? nullptr : message.c_str();
  if (s->connect_future != nullptr) {
    ac_future *f = s->connect_future;
    s->connect_future = nullptr;
    s->detach_connect_future(f);
    future_fail(f, code, msg);
    f->unref();
  }
  if (handshake_future != nullptr) {
    ac_future *f = handshake_future;
    handshake_future = nullptr;
    future_fail(f, code, msg);
    f->unref();
  }
  if (s->read_error == 0) s->read_error = code;
  // The alert explaining the failure, if any, was flushed already; what
  // is still queued goes with the connection.
  s->write_error = code;
  s->wbuf.clear();
  s->woff = 0;
  s->fail_waiters(code);
  s->close();
}

// Closing, as asyncio's SSLProtocol (_start_shutdown, _do_shutdown):
// close_notify goes out after the buffered data; then, unless the peer's
// close_notify came already (or its TCP EOF), the socket stays open,
// reading, until the peer's close_notify arrives, the peer closes or
// resets, or the shutdown timeout passes — whichever first.
void TlsLayer::on_close(ac_stream *s) noexcept {
  if (handshake_done && !failed && s->write_error == 0) {
    ERR_clear_error();
    SSL_shutdown(ssl);  // queues close_notify
    ERR_clear_error();
    flush_out();
    bool peer_done = (SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN) != 0 || raw_eof ||
                     s->read_error != 0;
    lingering = !peer_done;
    if (lingering || s->write_buffer_size() != 0) arm(shutdown_timeout);
  } else {
    disarm();
  }
}

bool TlsLayer::hold_open(ac_stream *s) noexcept {
  if (!lingering || raw_eof || s->read_error != 0 || s->fd < 0) {
    lingering = false;
    return false;
  }
  s->reading = true;  // for the peer's close_notify
  return true;
}

// Closing, our close_notify sent: reads what comes, discarding data, until
// the peer's close_notify, its EOF or an error.
void TlsLayer::linger_read(ac_stream *s) noexcept {
  receive(s);
  bool done = raw_eof || s->read_error != 0;
  for (;;) {
    ERR_clear_error();
    size_t got = 0;
    int r = SSL_read_ex(ssl, raw.data(), raw.size(), &got);
    if (r == 1) continue;  // data after our close: dropped, as asyncio does
    int e = SSL_get_error(ssl, r);
    ERR_clear_error();
    if (e != SSL_ERROR_WANT_READ) done = true;  // close_notify, or an error
    break;
  }
  flush_out();  // (a key update's answer)
  if (done) end_linger(s);
}

void TlsLayer::end_linger(ac_stream *s) noexcept {
  lingering = false;
  s->reading = false;
  if (s->write_buffer_size() != 0 && s->write_error == 0) {
    s->watch();  // after_flush closes once written
    return;
  }
  disarm();
  s->ref();
  s->wbuf.clear();
  s->woff = 0;
  s->phase = ac_stream::kClosed;
  s->close_handle();
  s->unref();
}

void TlsLayer::fail(ac_stream *, int code) noexcept {
  pending.clear();
  disarm();
  if (handshake_future != nullptr) {
    ac_future *f = handshake_future;
    handshake_future = nullptr;
    future_fail(f, code);
    f->unref();
  }
}

// ---------------------------------------------------------------- starting

int tls_start(ac_stream *s, ac_tls_context *ctx, const char *server_hostname,
              double handshake_timeout, double shutdown_timeout, ac_future **handshake_out,
              std::string *message) noexcept {
  if (s->layer != nullptr) return AC_ESTATE;
  bool server = ctx->server;
  const char *name = server_hostname != nullptr ? server_hostname : "";
  if (!server && ctx->check_hostname && name[0] == '\0') {
    *message = "check_hostname requires server_hostname";
    return AC_EINVAL;
  }
  auto *layer = new (std::nothrow) TlsLayer(s, ctx, server);
  if (layer == nullptr) return AC_ENOMEM;
  layer->handshake_timeout = handshake_timeout > 0 ? handshake_timeout : kDefaultHandshakeTimeout;
  layer->shutdown_timeout = shutdown_timeout > 0 ? shutdown_timeout : kDefaultShutdownTimeout;
  ERR_clear_error();
  layer->ssl = SSL_new(ctx->ctx);
  layer->in = BIO_new(BIO_s_mem());
  layer->out = BIO_new(BIO_s_mem());
  if (layer->ssl == nullptr || layer->in == nullptr || layer->out == nullptr) {
    BIO_free(layer->in);
    BIO_free(layer->out);
    layer->in = layer->out = nullptr;
    delete layer;
    return AC_ENOMEM;
  }
  SSL_set_bio(layer->ssl, layer->in, layer->out);
  // Records come from memory: take all that is there in one BIO read
  // rather than a header and a body per record.
  SSL_set_read_ahead(layer->ssl, 1);
  SSL_set_app_data(layer->ssl, layer);
  if (server) {
    SSL_set_accept_state(layer->ssl);
  } else {
    SSL_set_connect_state(layer->ssl);
    if (name[0] != '\0') {
      try {
        layer->server_name = name;
      } catch (...) {
        delete layer;
        return AC_ENOMEM;
      }
      bool is_ip = false;
      sockaddr_storage ss;
      if (numeric_address(name, 1, &ss) == 0) is_ip = true;
      if (!is_ip) SSL_set_tlsext_host_name(layer->ssl, name);
      if (ctx->check_hostname) {
        X509_VERIFY_PARAM *param = SSL_get0_param(layer->ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name)
                       : X509_VERIFY_PARAM_set1_host(param, name, 0);
        if (ok != 1) {
          *message = "invalid server_hostname";
          delete layer;
          return AC_EINVAL;
        }
      }
    }
    if (!ctx->alpn.empty())
      SSL_set_alpn_protos(layer->ssl, ctx->alpn.data(), static_cast<unsigned int>(ctx->alpn.size()));
  }
  if (handshake_out != nullptr) {
    try {
      layer->handshake_future = future_new(s->loop);
    } catch (...) {
      delete layer;
      return AC_ENOMEM;
    }
    layer->handshake_future->ref();  // the caller's
    *handshake_out = layer->handshake_future;
  }
  s->layer = layer;
  if (s->phase == ac_stream::kOpen) layer->start_open();
  return 0;
}

TlsLayer *tls_of(const ac_stream *s) noexcept {
  return s != nullptr ? dynamic_cast<TlsLayer *>(s->layer) : nullptr;
}

int tls_info(const ac_stream *s, TlsInfo what, std::string *out) {
  TlsLayer *l = tls_of(s);
  if (l == nullptr) return AC_EINVAL;
  if (what == TlsInfo::kServerName) {
    *out = l->server_name;
    return 0;
  }
  if (!l->handshake_done || l->ssl == nullptr) return AC_ESTATE;
  out->clear();
  switch (what) {
    case TlsInfo::kVersion:
      *out = SSL_get_version(l->ssl);
      return 0;
    case TlsInfo::kCipher: {
      const SSL_CIPHER *c = SSL_get_current_cipher(l->ssl);
      if (c != nullptr) *out = SSL_CIPHER_standard_name(c) != nullptr
                                   ? SSL_CIPHER_standard_name(c)
                                   : SSL_CIPHER_get_name(c);
      return 0;
    }
    case TlsInfo::kAlpn: {
      const unsigned char *p = nullptr;
      unsigned int n = 0;
      SSL_get0_alpn_selected(l->ssl, &p, &n);
      if (p != nullptr) out->assign(reinterpret_cast<const char *>(p), n);
      return 0;
    }
    case TlsInfo::kPeerSubject:
    case TlsInfo::kPeerCertDer: {
      X509 *cert = SSL_get1_peer_certificate(l->ssl);
      if (cert == nullptr) return 0;
      if (what == TlsInfo::kPeerCertDer) {
        unsigned char *der = nullptr;
        int n = i2d_X509(cert, &der);
        if (n > 0) {
          try {
            out->assign(reinterpret_cast<const char *>(der), static_cast<size_t>(n));
          } catch (...) {
            OPENSSL_free(der);
            X509_free(cert);
            throw;
          }
          OPENSSL_free(der);
        }
      } else {
        BIO *b = BIO_new(BIO_s_mem());
        if (b != nullptr) {
          X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
          char *p = nullptr;
          long n = BIO_get_mem_data(b, &p);
          if (n > 0) out->assign(p, static_cast<size_t>(n));
          BIO_free(b);
        }
      }
      X509_free(cert);
      return 0;
    }
    case TlsInfo::kServerName:
      break;
  }
  return AC_EINVAL;
}

}  // namespace ac
