// udp.hpp — struct ac_udp: a UDP endpoint with a bounded receive queue.
//
// Lifetime as ac_stream's: `user_refs` counts the API's references (at
// zero an open endpoint closes); the memory goes once, in addition, the
// libuv handle's close callback has run. Sends that could not go at once
// own their copy of the data (SendReq) and are freed by their callback,
// which libuv runs (with UV_ECANCELED) before the handle's close callback.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include <uv.h>

#include <asyncore/udp.h>

#include "core/future.hpp"
#include "core/loop.hpp"

namespace ac {
constexpr uint32_t kUdpMagic = 0x55647031;  // "Udp1"
}

struct ac_udp final : ac::Closable {
  struct Datagram {
    char *data;  // malloc'd; `len` bytes of which the first `addr_len` are
                 // "ADDRESS\n" (recvfrom's prefix)
    size_t len;
    size_t addr_len;
  };

  uint32_t magic = ac::kUdpMagic;
  int user_refs = 1;
  ac_loop *loop;
  uv_udp_t h{};
  bool handle_live = false;
  bool registered = false;
  bool closed = false;
  bool receiving = false;
  bool connected = false;
  // Invariant: queue.size() <= max_queue, except after the bound was
  // lowered; datagrams arriving past it are counted in `dropped`.
  std::deque<Datagram> queue;
  size_t max_queue = 64;
  int64_t dropped = 0;
  // The one pending receive (reference held) and whether it wants the
  // sender's address.
  ac_future *recv_future = nullptr;
  bool recv_with_addr = false;
  int recv_error = 0;  // a receive error not yet delivered
  char *rbuf = nullptr;  // 64 KiB, where libuv receives

  explicit ac_udp(ac_loop *l) noexcept;
  ~ac_udp();
  ac_udp(const ac_udp &) = delete;
  ac_udp &operator=(const ac_udp &) = delete;

  // reuse_port: SO_REUSEPORT set before binding.
  int bind(const char *host, int port, bool reuse_port = false) noexcept;
  int connect(const char *host, int port) noexcept;
  int send(const void *data, size_t len, const char *address) noexcept;
  int recv(bool with_addr, ac_future **out);  // throws bad_alloc
  void ref() noexcept { ++user_refs; }
  void unref() noexcept;
  void close() noexcept;
  void close_for_loop() noexcept override;

  void on_recv(ssize_t nread, const sockaddr *addr) noexcept;
  void on_alloc(uv_buf_t *buf) noexcept;
  void on_close() noexcept;

 private:
  void deliver(ac_future *f, const Datagram &d, bool with_addr) noexcept;
};

namespace ac {
inline bool is_udp(const ac_udp *u) noexcept { return u != nullptr && u->magic == kUdpMagic; }
}
