// asyncore/tls.hpp — TLS streams (asyncio's ssl= and start_tls), over
// asyncore/tls.h.
//
//   auto ctx = ac::TlsContext::client();          // system CAs, hostname checked
//   ctx.load_verify_locations("ca.pem");
//   ac::Stream s = co_await ac::open_connection("localhost", 8443, ctx);
//
//   auto sctx = ac::TlsContext::server();
//   sctx.load_cert_chain("server.pem", "server.key");
//   auto server = ac::start_server(handler, "127.0.0.1", 0, sctx);
//
// A TLS stream is an ac::Stream: the same reads, writes, drain and close.
// Handshake failures throw ac::Error with asyncio_class()
// "SSLCertVerificationError" (AC_ETLSVERIFY) or "SSLError" (AC_ETLS) and
// OpenSSL's reason as the message.
#pragma once

#include <asyncore.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "error.hpp"
#include "stream.hpp"

namespace asyncore {

// A TLS context (ssl.SSLContext), reference counted by the C side; copies
// share it.
class TlsContext {
 public:
  TlsContext() noexcept = default;
  static TlsContext client() { return TlsContext(AC_TLS_CLIENT); }
  static TlsContext server() { return TlsContext(AC_TLS_SERVER); }
  TlsContext(const TlsContext &o) noexcept : c_(ac_tls_context_ref(o.c_)) {}
  TlsContext(TlsContext &&o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  TlsContext &operator=(TlsContext o) noexcept {
    std::swap(c_, o.c_);
    return *this;
  }
  ~TlsContext() { if (c_ != nullptr) ac_tls_context_unref(c_); }

  TlsContext &load_verify_locations(const std::string &cafile) {
    check(ac_tls_context_load_verify_locations(c_, cafile.c_str(), nullptr));
    return *this;
  }
  TlsContext &load_verify_pem(std::string_view pem) {
    check(ac_tls_context_load_verify_pem(c_, pem.data(), pem.size()));
    return *this;
  }
  TlsContext &load_cert_chain(const std::string &certfile, const std::string &keyfile = "",
                              const char *password = nullptr) {
    check(ac_tls_context_load_cert_chain(c_, certfile.c_str(),
                                         keyfile.empty() ? nullptr : keyfile.c_str(), password));
    return *this;
  }
  TlsContext &load_cert_chain_pem(std::string_view cert, std::string_view key = {}) {
    check(ac_tls_context_load_cert_chain_pem(c_, cert.data(), cert.size(),
                                             key.empty() ? nullptr : key.data(), key.size(),
                                             nullptr));
    return *this;
  }
  TlsContext &set_verify(ac_tls_verify mode) {
    check(ac_tls_context_set_verify(c_, mode));
    return *this;
  }
  TlsContext &set_check_hostname(bool on) {
    check(ac_tls_context_set_check_hostname(c_, on ? 1 : 0));
    return *this;
  }
  TlsContext &set_min_version(int v) {
    check(ac_tls_context_set_min_version(c_, v));
    return *this;
  }
  TlsContext &set_ciphers(const char *tls12, const char *tls13 = nullptr) {
    check(ac_tls_context_set_ciphers(c_, tls12, tls13));
    return *this;
  }
  TlsContext &set_alpn_protocols(const std::vector<std::string> &names) {
    std::vector<const char *> p;
    for (const auto &n : names) p.push_back(n.c_str());
    check(ac_tls_context_set_alpn_protocols(c_, p.data(), p.size()));
    return *this;
  }
  // The server's choice of context for a name (sni_callback): return the
  // context to use, or nullptr to keep this one. The returned context must
  // outlive the call. No exception may leave `fn` (it is caught and the
  // handshake goes on with this context).
  using SniFn = std::function<const TlsContext *(const std::string &)>;
  TlsContext &set_sni_callback(SniFn fn) {
    auto *p = new SniFn(std::move(fn));
    check(ac_tls_context_set_sni_callback(c_, &on_sni, p, &free_sni));
    return *this;
  }
  ac_tls_context *get() const noexcept { return c_; }

 private:
  explicit TlsContext(ac_tls_side side) { check(ac_tls_context_new(side, &c_)); }
  static ac_tls_context *on_sni(const char *name, void *ud) noexcept {
    try {
      const TlsContext *c = (*static_cast<SniFn *>(ud))(name);
      return c != nullptr ? c->c_ : nullptr;
    } catch (...) {
      return nullptr;
    }
  }
  static void free_sni(void *ud) noexcept { delete static_cast<SniFn *>(ud); }
  ac_tls_context *c_ = nullptr;
};

// ssl_handshake_timeout / ssl_shutdown_timeout in seconds (0: 60 and 30).
struct TlsTimeouts {
  double handshake = 0;
  double shutdown = 0;
};

// open_connection(host, port, ssl=ctx, server_hostname=...): the Stream
// once the handshake is done. server_hostname: nullopt means `host`, ""
// none.
inline Task<Stream> open_connection(const std::string &host, int port, const TlsContext &ctx,
                                    std::optional<std::string> server_hostname = std::nullopt,
                                    TlsTimeouts timeouts = {}) {
  ac_stream *s = nullptr;
  ac_future *f = nullptr;
  ac_tls_timeouts t{timeouts.handshake, timeouts.shutdown};
  check(ac_stream_connect_tls(get_running_loop(), host.c_str(), port, ctx.get(),
                              server_hostname ? server_hostname->c_str() : nullptr, &t, &s, &f));
  return detail::connected(s, f);
}

// StreamWriter.start_tls: upgrades `s` in place; awaits the handshake.
inline detail::FutureAwaiter<void> start_tls(Stream &s, const TlsContext &ctx,
                                             const std::string &server_hostname = "",
                                             TlsTimeouts timeouts = {}) {
  ac_tls_timeouts t{timeouts.handshake, timeouts.shutdown};
  return detail::future_call<void>([&](ac_future **f) {
    return ac_stream_start_tls(s.get(), ctx.get(),
                               server_hostname.empty() ? nullptr : server_hostname.c_str(), &t, f);
  });
}

namespace detail {
template <class Fn>
void on_tls_connection(ac_server *, ac_stream *stream, void *ud) noexcept {
  ac_loop *loop = ac_stream_get_loop(stream);
  RunningScope scope(nullptr, loop);
  try {
    (void)spawn(loop, (*static_cast<Fn *>(ud))(Stream::borrow(stream)));
  } catch (...) {
    report_callback_exception(loop, std::current_exception());
  }
}
inline std::string tls_info(const Stream &s, ac_tls_info what) {
  char *p = nullptr;
  size_t n = 0;
  check(ac_stream_tls_info(s.get(), what, &p, &n));
  std::string out(p != nullptr ? p : "", n);
  ac_free(p);
  return out;
}
}  // namespace detail

// start_server(handler, host, port, ssl=ctx): handler(Stream) runs for each
// connection whose handshake succeeded.
template <class F>
Server start_server(F handler, const char *host, int port, const TlsContext &ctx,
                    TlsTimeouts timeouts = {}, int backlog = 0) {
  using Fn = std::decay_t<F>;
  ac_server *srv = nullptr;
  ac_tls_timeouts t{timeouts.handshake, timeouts.shutdown};
  check(ac_server_listen_tls(get_running_loop(), host, port, backlog, ctx.get(), &t,
                             &detail::on_tls_connection<Fn>, new Fn(std::move(handler)),
                             &detail::delete_callable<Fn>, &srv));
  return Server::adopt(srv);
}

// What the handshake settled (SSLObject.version(), cipher(),
// selected_alpn_protocol(), getpeercert(True), the SNI name).
inline bool is_tls(const Stream &s) { return ac_stream_is_tls(s.get()) == 1; }
inline std::string tls_version(const Stream &s) { return detail::tls_info(s, AC_TLS_INFO_VERSION); }
inline std::string tls_cipher(const Stream &s) { return detail::tls_info(s, AC_TLS_INFO_CIPHER); }
inline std::string tls_alpn(const Stream &s) { return detail::tls_info(s, AC_TLS_INFO_ALPN); }
inline std::string tls_server_name(const Stream &s) {
  return detail::tls_info(s, AC_TLS_INFO_SERVER_NAME);
}
inline std::string tls_peer_subject(const Stream &s) {
  return detail::tls_info(s, AC_TLS_INFO_PEER_SUBJECT);
}
inline std::string tls_peer_certificate(const Stream &s) {
  return detail::tls_info(s, AC_TLS_INFO_PEER_CERT_DER);
}

}  // namespace asyncore
