#include "io/net.hpp"

#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "core/value.hpp"

namespace ac {

int format_address(const sockaddr *sa, socklen_t len, std::string *out) {
  char host[INET6_ADDRSTRLEN];
  switch (sa->sa_family) {
    case AF_INET: {
      auto *in = reinterpret_cast<const sockaddr_in *>(sa);
      if (inet_ntop(AF_INET, &in->sin_addr, host, sizeof host) == nullptr) return sys::last_error();
      *out = host;
      *out += ':';
      *out += std::to_string(ntohs(in->sin_port));
      return 0;
    }
    case AF_INET6: {
      auto *in6 = reinterpret_cast<const sockaddr_in6 *>(sa);
      if (inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host) == nullptr) return sys::last_error();
      *out = '[';
      *out += host;
      *out += "]:";
      *out += std::to_string(ntohs(in6->sin6_port));
      return 0;
    }
    case AF_UNIX: {
      auto *un = reinterpret_cast<const sockaddr_un *>(sa);
      size_t off = offsetof(sockaddr_un, sun_path);
      size_t n = static_cast<size_t>(len) > off ? static_cast<size_t>(len) - off : 0;
      if (n > sizeof un->sun_path) n = sizeof un->sun_path;
      out->assign(un->sun_path, strnlen(un->sun_path, n));
      return 0;
    }
    default:
      return AC_EINVAL;
  }
}

int numeric_address(const char *host, int port, sockaddr_storage *out) noexcept {
  if (host == nullptr || port < 0 || port > 65535) return AC_EINVAL;
  std::memset(out, 0, sizeof *out);
  auto *in = reinterpret_cast<sockaddr_in *>(out);
  if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(port));
    return 0;
  }
  auto *in6 = reinterpret_cast<sockaddr_in6 *>(out);
  if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    return 0;
  }
  return AC_EINVAL;
}

int parse_address(const char *text, sockaddr_storage *out) noexcept {
  if (text == nullptr) return AC_EINVAL;
  char host[INET6_ADDRSTRLEN + 2];
  const char *colon;
  size_t hlen;
  if (text[0] == '[') {
    const char *close = std::strchr(text, ']');
    if (close == nullptr || close[1] != ':') return AC_EINVAL;
    hlen = static_cast<size_t>(close - text - 1);
    if (hlen >= sizeof host) return AC_EINVAL;
    std::memcpy(host, text + 1, hlen);
    colon = close + 1;
  } else {
    colon = std::strrchr(text, ':');
    if (colon == nullptr) return AC_EINVAL;
    hlen = static_cast<size_t>(colon - text);
    if (hlen >= sizeof host) return AC_EINVAL;
    std::memcpy(host, text, hlen);
  }
  host[hlen] = '\0';
  char *end;
  long port = std::strtol(colon + 1, &end, 10);
  if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535) return AC_EINVAL;
  return numeric_address(host, static_cast<int>(port), out);
}

int eai_code(int eai) noexcept {
  switch (eai) {
    case 0: return 0;
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY: return UV_EAI_ADDRFAMILY;
#endif
    case EAI_AGAIN: return UV_EAI_AGAIN;
    case EAI_BADFLAGS: return UV_EAI_BADFLAGS;
    case EAI_FAIL: return UV_EAI_FAIL;
    case EAI_FAMILY: return UV_EAI_FAMILY;
    case EAI_MEMORY: return UV_EAI_MEMORY;
#if defined(EAI_NODATA) && EAI_NODATA != EAI_NONAME
    case EAI_NODATA: return UV_EAI_NODATA;
#endif
    case EAI_NONAME: return UV_EAI_NONAME;
#ifdef EAI_OVERFLOW
    case EAI_OVERFLOW: return UV_EAI_OVERFLOW;
#endif
    case EAI_SERVICE: return UV_EAI_SERVICE;
    case EAI_SOCKTYPE: return UV_EAI_SOCKTYPE;
#ifdef EAI_SYSTEM
    case EAI_SYSTEM: return errno != 0 ? -errno : UV_EAI_FAIL;
#endif
    default: return UV_EAI_FAIL;
  }
}

int resolve_now(const char *host, int port, int socktype, sockaddr_storage *out) noexcept {
  if (port < 0 || port > 65535) return AC_EINVAL;
  if (host == nullptr) host = "0.0.0.0";
  if (numeric_address(host, port, out) == 0) return 0;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  addrinfo *res = nullptr;
  char service[8];
  std::snprintf(service, sizeof service, "%d", port);
  int rc = getaddrinfo(host, service, &hints, &res);
  if (rc != 0) return eai_code(rc);
  std::memset(out, 0, sizeof *out);
  std::memcpy(out, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  return 0;
}

int hand_out_string(const std::string &s, char **out) noexcept {
  auto *p = static_cast<char *>(std::malloc(s.size() + 1));
  if (p == nullptr) return AC_ENOMEM;
  std::memcpy(p, s.c_str(), s.size() + 1);
  *out = p;
  return 0;
}

ac_future *future_new(ac_loop *loop) { return new ac_future(loop); }

ac_future *future_done_none(ac_loop *loop) {
  auto *f = new ac_future(loop);
  ac_value none;
  value_init(&none);
  f->set_result(&none);
  return f;
}

ac_future *future_failed(ac_loop *loop, int code, const char *message) {
  auto *f = new ac_future(loop);
  future_fail(f, code, message);
  return f;
}

void future_set_bytes(ac_future *f, void *data, size_t len) noexcept {
  if (f->done()) {
    std::free(data);
    return;
  }
  ac_value v;
  v.kind = AC_VALUE_BYTES;
  v.reserved_ = 0;
  v.u.bytes.data = data;
  v.u.bytes.len = len;
  f->set_result(&v);
}

void future_copy_bytes(ac_future *f, const void *data, size_t len) noexcept {
  if (f->done()) return;
  void *copy = std::malloc(len + 1);
  if (copy == nullptr) {
    future_fail(f, AC_ENOMEM);
    return;
  }
  if (len != 0) std::memcpy(copy, data, len);
  static_cast<char *>(copy)[len] = '\0';
  future_set_bytes(f, copy, len);
}

void future_set_none(ac_future *f) noexcept {
  if (f->done()) return;
  ac_value none;
  value_init(&none);
  f->set_result(&none);
}

ac_future *future_listed(ac_loop *loop, std::vector<ac_future *> &waiters) {
  auto *f = new ac_future(loop);
  try {
    waiters.push_back(f);
  } catch (...) {
    f->refs = 0;
    delete f;
    throw;
  }
  f->ref();
  return f;
}

void complete_listed_none(std::vector<ac_future *> &waiters) noexcept {
  std::vector<ac_future *> taken;
  taken.swap(waiters);
  for (ac_future *f : taken) {
    future_set_none(f);
    f->unref();
  }
}

void future_fail(ac_future *f, int code, const char *message) noexcept {
  if (f->done()) return;
  ac_error *e = nullptr;
  try {
    e = error_new(code, message);
  } catch (...) {
  }
  if (e == nullptr) {
    // Out of memory: the future must still end; a cancellation needs no
    // error object.
    f->cancel_now(nullptr);
    return;
  }
  f->set_error(e);
  error_unref(e);
}

void future_fail_with_bytes(ac_future *f, int code, const char *message, void *data,
                            size_t len) noexcept {
  if (f->done()) {
    std::free(data);
    return;
  }
  ac_error *e = nullptr;
  try {
    e = error_new(code, message);
  } catch (...) {
  }
  if (e == nullptr) {
    std::free(data);
    f->cancel_now(nullptr);
    return;
  }
  e->payload.kind = AC_VALUE_BYTES;
  e->payload.u.bytes.data = data;
  e->payload.u.bytes.len = len;
  f->set_error(e);
  error_unref(e);
}

}  // namespace ac
