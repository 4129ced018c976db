// tls.hpp — TLS on OpenSSL as a layer of ac_stream (ac::StreamLayer).
//
// The layer keeps an SSL object between two memory BIOs: bytes read from
// the socket are written into `in`, what OpenSSL produces (handshake
// records, encrypted application data, alerts, close_notify) is taken out
// of `out` and sent with the stream's own raw write path (so its write
// buffer, water marks and drain apply to the encrypted bytes). Decrypted
// bytes go into the stream's read buffer, where readline, readexactly,
// readuntil and read find them as on a plain stream. Nothing blocks: the
// socket is only ever touched by the stream's non-blocking calls.
//
// ac_tls_context wraps an SSL_CTX with the settings OpenSSL does not keep
// (hostname checking, ALPN list, SNI callback). Its reference count is
// atomic; configuring it while connections use it is not supported.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include <asyncore/tls.h>

#include "io/stream.hpp"

typedef struct ssl_ctx_st SSL_CTX;

namespace ac {
constexpr uint32_t kTlsContextMagic = 0x544c5343;  // "TLSC"
}

struct ac_tls_context {
  uint32_t magic = ac::kTlsContextMagic;
  std::atomic<int> refs{1};
  SSL_CTX *ctx = nullptr;
  bool server = false;
  bool check_hostname = false;
  int verify_mode = AC_TLS_VERIFY_NONE;
  std::vector<unsigned char> alpn;  // wire format: length-prefixed names
  ac_tls_sni_fn sni_fn = nullptr;
  void *sni_ud = nullptr;
  ac_free_fn sni_free = nullptr;

  ~ac_tls_context();
  void ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void unref() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

namespace ac {
inline bool is_tls_context(const ac_tls_context *c) noexcept {
  return c != nullptr && c->magic == kTlsContextMagic;
}

// A new context (one reference) or nullptr with *code and *message set.
ac_tls_context *tls_context_new(bool server, int *code, std::string *message) noexcept;

// The last OpenSSL error queue entry as text (and the queue cleared).
std::string tls_error_text();

// Starts TLS on `s`: a client (server_hostname: SNI and the name checked,
// may be empty) or a server. For a stream still connecting, the handshake
// starts once connected and s->connect_future completes when it is done;
// otherwise the handshake starts now and *handshake_out (a new reference)
// completes with NONE when it is done or fails with its error. Timeouts in
// seconds (<= 0: asyncio's defaults, 60 and 30). Returns 0 or a code with
// *message set.
int tls_start(ac_stream *s, ac_tls_context *ctx, const char *server_hostname,
              double handshake_timeout, double shutdown_timeout, ac_future **handshake_out,
              std::string *message) noexcept;

// What the stream negotiated; nullptr when it is not a TLS stream.
TlsLayer *tls_of(const ac_stream *s) noexcept;
enum class TlsInfo { kVersion, kCipher, kAlpn, kServerName, kPeerSubject, kPeerCertDer };
// 0 and *out set (empty: none), AC_EINVAL (not TLS), AC_ESTATE (no handshake yet).
int tls_info(const ac_stream *s, TlsInfo what, std::string *out);
}  // namespace ac
