// asyncore/udp.hpp — typed UDP endpoints and name resolution (asyncio's
// create_datagram_endpoint, getaddrinfo, getnameinfo), over
// asyncore/udp.h and asyncore/dns.h.
//
//   auto ep = ac::DatagramEndpoint::bind("127.0.0.1", 0);
//   ep.send("ping", "127.0.0.1:9999");
//   ac::Datagram d = co_await ep.recvfrom();   // d.data, d.sender
//   auto shared = ac::DatagramEndpoint::bind("0.0.0.0", 5353, {.reuse_port = true});
//
//   for (const ac::SocketAddress &a : co_await ac::getaddrinfo("localhost", 80))
//     ...  // a.host, a.port, a.family (4 or 6), a.text()
//
// Errors as everywhere in the face: OSError and its asyncio subclasses,
// gaierror for resolver failures, InvalidStateError for a second receive.
#pragma once

#include <asyncore.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "error.hpp"
#include "future.hpp"
#include "loop.hpp"
#include "stream.hpp"
#include "task.hpp"

namespace asyncore {

// A numeric address and port, as the C side writes them: "1.2.3.4:80" or
// "[::1]:80".
struct SocketAddress {
  std::string host;  // numeric, without brackets
  int port = 0;
  int family = 0;    // 4 or 6

  std::string text() const {
    return family == 6 ? "[" + host + "]:" + std::to_string(port) : host + ":" + std::to_string(port);
  }
  // Parses the C side's form; family 0 when it is not one.
  static SocketAddress parse(std::string_view s) {
    SocketAddress a;
    size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) return a;
    std::string_view h = s.substr(0, colon);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
      a.host = std::string(h.substr(1, h.size() - 2));
      a.family = 6;
    } else {
      a.host = std::string(h);
      a.family = 4;
    }
    a.port = std::stoi(std::string(s.substr(colon + 1)));
    return a;
  }
  bool operator==(const SocketAddress &) const = default;
};

// A received datagram and who sent it.
struct Datagram {
  std::string data;
  SocketAddress sender;
};

// Options of a UDP endpoint (asyncio's create_datagram_endpoint keywords;
// as there, no reuse_address).
struct DatagramOptions {
  bool reuse_port = false;       // SO_REUSEPORT: several endpoints share a port
  bool allow_broadcast = false;  // SO_BROADCAST

  ac_udp_options to_c() const noexcept {
    ac_udp_options o;
    ac_udp_options_init(&o);
    o.reuse_port = reuse_port ? 1 : 0;
    o.allow_broadcast = allow_broadcast ? 1 : 0;
    return o;
  }
};

// A UDP endpoint: move-only; dropping it closes the socket.
class DatagramEndpoint {
 public:
  DatagramEndpoint() noexcept = default;
  DatagramEndpoint(DatagramEndpoint &&o) noexcept : u_(std::exchange(o.u_, nullptr)) {}
  DatagramEndpoint &operator=(DatagramEndpoint o) noexcept {
    std::swap(u_, o.u_);
    return *this;
  }
  ~DatagramEndpoint() { if (u_ != nullptr) ac_udp_unref(u_); }

  // Bound to host (nullptr: "0.0.0.0") and port (0: any free port), on the
  // running loop.
  static DatagramEndpoint bind(const char *host, int port) {
    DatagramEndpoint e;
    check(ac_udp_bind(get_running_loop(), host, port, &e.u_));
    return e;
  }
  // The same with options.
  static DatagramEndpoint bind(const char *host, int port, const DatagramOptions &opts) {
    DatagramEndpoint e;
    ac_udp_options o = opts.to_c();
    check(ac_udp_bind_ex(get_running_loop(), host, port, &o, &e.u_));
    return e;
  }
  // SO_BROADCAST now.
  void set_broadcast(bool on) { check(ac_udp_set_broadcast(u_, on ? 1 : 0)); }
  // The socket (borrowed), -1 once closed.
  int fileno() const noexcept { return ac_udp_fileno(u_); }
  // The default peer: send() without an address goes there, and only its
  // datagrams are received.
  void connect(const std::string &host, int port) { check(ac_udp_connect(u_, host.c_str(), port)); }
  // One datagram, to `address` ("host:port") or, empty, the connected peer.
  void send(std::string_view data, const std::string &address = {}) {
    check(ac_udp_send(u_, data.data(), data.size(), address.empty() ? nullptr : address.c_str()));
  }
  void send(std::string_view data, const SocketAddress &to) { send(data, to.text()); }
  // The next datagram's payload.
  detail::FutureAwaiter<std::string> recv() {
    return detail::future_call<std::string>([&](ac_future **f) { return ac_udp_recv(u_, f); });
  }
  // The next datagram with its sender.
  Task<Datagram> recvfrom() {
    ac_future *f = nullptr;
    check(ac_udp_recvfrom(u_, &f));
    return split(Future::adopt(f));
  }
  SocketAddress local_address() const {
    char *a = nullptr;
    check(ac_udp_local_address(u_, &a));
    return SocketAddress::parse(detail::take_string(a));
  }
  void set_recv_queue(size_t max_datagrams) { check(ac_udp_set_recv_queue(u_, max_datagrams)); }
  int64_t dropped() const noexcept { return ac_udp_dropped(u_); }
  int64_t queued() const noexcept { return ac_udp_queued(u_); }
  void close() { check(ac_udp_close(u_)); }
  ac_udp *get() const noexcept { return u_; }

 private:
  static Task<Datagram> split(Future f) {
    std::string raw = co_await f.as<std::string>();
    size_t nl = raw.find('\n');
    Datagram d;
    d.sender = SocketAddress::parse(std::string_view(raw).substr(0, nl));
    d.data = raw.substr(nl + 1);
    co_return d;
  }
  ac_udp *u_ = nullptr;
};

enum class Family : int { any = AC_FAMILY_ANY, ipv4 = AC_FAMILY_IPV4, ipv6 = AC_FAMILY_IPV6 };
enum class SockType : int { stream = AC_SOCKTYPE_STREAM, dgram = AC_SOCKTYPE_DGRAM };

namespace detail {
inline Task<std::vector<SocketAddress>> addresses_of(Future f) {
  std::string text = co_await f.as<std::string>();
  std::vector<SocketAddress> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    if (nl > start) out.push_back(SocketAddress::parse(std::string_view(text).substr(start, nl - start)));
    start = nl + 1;
  }
  co_return out;
}
}  // namespace detail

// asyncio's loop.getaddrinfo: the addresses of host for `port` (a number
// or a service name), in the resolver's order, duplicates removed.
inline Task<std::vector<SocketAddress>> getaddrinfo(const std::string &host, const std::string &port,
                                                    Family family = Family::any,
                                                    SockType type = SockType::stream) {
  ac_future *f = nullptr;
  check(ac_getaddrinfo(get_running_loop(), host.c_str(), port.c_str(), static_cast<int>(family),
                       static_cast<int>(type), &f));
  return detail::addresses_of(Future::adopt(f));
}
inline Task<std::vector<SocketAddress>> getaddrinfo(const std::string &host, int port,
                                                    Family family = Family::any,
                                                    SockType type = SockType::stream) {
  return getaddrinfo(host, std::to_string(port), family, type);
}

// asyncio's loop.getnameinfo: host and service names of an address.
struct NameInfo {
  std::string host;
  std::string service;
};
namespace detail {
inline Task<NameInfo> nameinfo_of(Future f) {
  std::string text = co_await f.as<std::string>();
  size_t nl = text.find('\n');
  NameInfo n;
  n.host = text.substr(0, nl);
  if (nl != std::string::npos) {
    n.service = text.substr(nl + 1);
    if (!n.service.empty() && n.service.back() == '\n') n.service.pop_back();
  }
  co_return n;
}
}  // namespace detail
inline Task<NameInfo> getnameinfo(const SocketAddress &address, int flags = 0) {
  ac_future *f = nullptr;
  check(ac_getnameinfo(get_running_loop(), address.text().c_str(), flags, &f));
  return detail::nameinfo_of(Future::adopt(f));
}

}  // namespace asyncore
