// dns.cpp — getaddrinfo / getnameinfo on libuv's thread pool as futures.

#include <asyncore/dns.h>

#include <cstring>
#include <string>
#include <vector>

#include "io/net.hpp"

namespace ac {
namespace {

// The future is its own request. While the request is in flight, libuv's
// callback holds one reference (it always comes, with UV_EAI_CANCELED when
// cancelled) and the future is on the loop's closables, so closing the loop
// fails it while its callbacks can still be discarded.
struct DnsFuture final : ac_future, Closable {
  union {
    uv_getaddrinfo_t ai;
    uv_getnameinfo_t ni;
  } req{};
  bool registered = false;

  explicit DnsFuture(ac_loop *l) noexcept : ac_future(l) {}
  const char *dump_kind() const noexcept override { return "dns"; }

  bool cancel(const char *message) noexcept override {
    if (!ac_future::cancel(message)) return false;
    uv_cancel(reinterpret_cast<uv_req_t *>(&req));  // may be too late: fine
    return true;
  }
  void close_for_loop() noexcept override {
    registered = false;
    future_fail(this, AC_ECLOSED);
    uv_cancel(reinterpret_cast<uv_req_t *>(&req));
  }
  // From libuv's callback: no longer in flight.
  void finished() noexcept {
    if (registered) {
      loop->remove_closable(this);
      registered = false;
    }
  }
};

void on_getaddrinfo(uv_getaddrinfo_t *req, int status, addrinfo *res) {
  auto *f = static_cast<DnsFuture *>(req->data);
  f->finished();
  if (!f->done()) {
    if (status != 0) {
      future_fail(f, status);
    } else {
      std::string text;
      std::vector<std::string> seen;
      int rc = 0;
      try {
        for (addrinfo *a = res; a != nullptr; a = a->ai_next) {
          std::string one;
          if (format_address(a->ai_addr, a->ai_addrlen, &one) != 0) continue;
          bool dup = false;
          for (const std::string &s : seen) dup = dup || s == one;
          if (dup) continue;
          seen.push_back(one);
          text += one;
          text += '\n';
        }
      } catch (...) {
        rc = AC_ENOMEM;
      }
      if (rc != 0)
        future_fail(f, rc);
      else
        future_copy_bytes(f, text.data(), text.size());
    }
  }
  if (res != nullptr) uv_freeaddrinfo(res);
  f->unref();  // the request's reference
}

void on_getnameinfo(uv_getnameinfo_t *req, int status, const char *host, const char *service) {
  auto *f = static_cast<DnsFuture *>(req->data);
  f->finished();
  if (!f->done()) {
    if (status != 0) {
      future_fail(f, status);
    } else {
      try {
        std::string text = host;
        text += '\n';
        text += service;
        text += '\n';
        future_copy_bytes(f, text.data(), text.size());
      } catch (...) {
        future_fail(f, AC_ENOMEM);
      }
    }
  }
  f->unref();
}

}  // namespace

int getaddrinfo_future(ac_loop *loop, const char *host, const char *port, int family,
                       int socktype, ac_future **out) {
  addrinfo hints{};
  hints.ai_family = family == AC_FAMILY_IPV4 ? AF_INET : family == AC_FAMILY_IPV6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = socktype == AC_SOCKTYPE_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
  auto *f = new DnsFuture(loop);
  f->req.ai.data = f;
  f->ref();  // the request's
  int rc = uv_getaddrinfo(loop->uvl, &f->req.ai, on_getaddrinfo, host, port, &hints);
  if (rc != 0) {
    f->refs = 0;
    delete f;
    return rc;
  }
  loop->add_closable(f);
  f->registered = true;
  *out = f;
  return 0;
}

int getnameinfo_future(ac_loop *loop, const sockaddr_storage *addr, int flags, ac_future **out) {
  int ni = 0;
  if (flags & AC_NI_NUMERICHOST) ni |= NI_NUMERICHOST;
  if (flags & AC_NI_NUMERICSERV) ni |= NI_NUMERICSERV;
  if (flags & AC_NI_NAMEREQD) ni |= NI_NAMEREQD;
  if (flags & AC_NI_DGRAM) ni |= NI_DGRAM;
  auto *f = new DnsFuture(loop);
  f->req.ni.data = f;
  f->ref();
  int rc = uv_getnameinfo(loop->uvl, &f->req.ni, on_getnameinfo,
                          reinterpret_cast<const sockaddr *>(addr), ni);
  if (rc != 0) {
    f->refs = 0;
    delete f;
    return rc;
  }
  loop->add_closable(f);
  f->registered = true;
  *out = f;
  return 0;
}

}  // namespace ac
