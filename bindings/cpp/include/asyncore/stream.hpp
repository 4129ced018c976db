// asyncore/stream.hpp — byte streams and servers (asyncio's
// open_connection, StreamReader/StreamWriter, start_server), over
// asyncore/stream.h and asyncore/server.h.
//
//   ac::Stream s = co_await ac::open_connection("127.0.0.1", 8888);
//   s.write("hello\n");
//   co_await s.drain();
//   std::string line = co_await s.readline();
//
//   auto server = ac::start_server([](ac::Stream s) -> ac::Task<> { ... },
//                                  "127.0.0.1", 0);
//
// Reads give std::string (bytes). The C side keeps its guarantees: a
// cancelled read loses no data (it stays buffered for the next read), one
// read at a time (a second gives InvalidStateError), connection errors as
// OSError (asyncio_class() ConnectionResetError, BrokenPipeError …), a
// short readexactly as IncompleteReadError.
#pragma once

#include <asyncore.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "error.hpp"
#include "future.hpp"
#include "loop.hpp"
#include "task.hpp"

namespace asyncore {

namespace detail {
// A future out-parameter call made into an awaiter (errors thrown when
// awaited).
template <class T, class Call>
FutureAwaiter<T> future_call(Call call) {
  ac_future *f = nullptr;
  int rc = call(&f);
  return await_made<T>(rc, f);
}

inline std::string take_string(char *s) {
  std::string out = s != nullptr ? s : "";
  ac_free(s);
  return out;
}
}  // namespace detail

// One connection: reader and writer in one move-only handle. Dropping the
// last reference closes it (buffered output is written out first).
class Stream {
 public:
  Stream() noexcept = default;
  static Stream adopt(ac_stream *s) noexcept {
    Stream x;
    x.s_ = s;
    return x;
  }
  static Stream borrow(ac_stream *s) noexcept { return adopt(ac_stream_ref(s)); }
  Stream(Stream &&o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Stream &operator=(Stream o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~Stream() { ac_stream_unref(s_); }

  // Up to n bytes (at least 1 unless at EOF: then ""); n = SIZE_MAX reads
  // until EOF (asyncio's read(-1)).
  detail::FutureAwaiter<std::string> read(size_t n = SIZE_MAX) {
    return detail::future_call<std::string>([&](ac_future **f) { return ac_stream_read(s_, n, f); });
  }
  detail::FutureAwaiter<std::string> readexactly(size_t n) {
    return detail::future_call<std::string>([&](ac_future **f) { return ac_stream_readexactly(s_, n, f); });
  }
  // A line with its "\n"; at EOF the partial line ("" when none).
  detail::FutureAwaiter<std::string> readline() {
    return detail::future_call<std::string>([&](ac_future **f) { return ac_stream_readline(s_, f); });
  }
  detail::FutureAwaiter<std::string> readuntil(std::string_view sep) {
    return detail::future_call<std::string>(
        [&](ac_future **f) { return ac_stream_readuntil(s_, sep.data(), sep.size(), f); });
  }
  bool at_eof() const noexcept { return ac_stream_at_eof(s_) == 1; }

  // Queues bytes (never waits); await drain() for flow control.
  void write(std::string_view data) { check(ac_stream_write(s_, data.data(), data.size())); }
  detail::FutureAwaiter<void> drain() {
    return detail::future_call<void>([&](ac_future **f) { return ac_stream_drain(s_, f); });
  }
  void write_eof() { check(ac_stream_write_eof(s_)); }
  void close() {
    int rc = ac_stream_close(s_);
    if (rc != AC_ECLOSED) check(rc);
  }
  bool is_closing() const noexcept { return ac_stream_is_closing(s_) == 1; }
  detail::FutureAwaiter<void> wait_closed() {
    return detail::future_call<void>([&](ac_future **f) { return ac_stream_wait_closed(s_, f); });
  }

  std::string peer_address() const {
    char *a = nullptr;
    check(ac_stream_peer_address(s_, &a));
    return detail::take_string(a);
  }
  std::string local_address() const {
    char *a = nullptr;
    check(ac_stream_local_address(s_, &a));
    return detail::take_string(a);
  }
  ac_stream *get() const noexcept { return s_; }

 private:
  ac_stream *s_ = nullptr;
};

namespace detail {
inline Task<Stream> connected(ac_stream *s, ac_future *f) {
  Stream stream = Stream::adopt(s);
  Future connecting = Future::adopt(f);
  co_await connecting;
  co_return stream;
}
}  // namespace detail

// Opens a TCP connection (asyncio.open_connection); the Stream once
// connected, or the connection's error.
inline Task<Stream> open_connection(const std::string &host, int port) {
  ac_stream *s = nullptr;
  ac_future *f = nullptr;
  check(ac_stream_connect_tcp(get_running_loop(), host.c_str(), port, &s, &f));
  return detail::connected(s, f);
}
// The same over a Unix-domain socket.
inline Task<Stream> open_unix_connection(const std::string &path) {
  ac_stream *s = nullptr;
  ac_future *f = nullptr;
  check(ac_stream_connect_unix(get_running_loop(), path.c_str(), &s, &f));
  return detail::connected(s, f);
}

// A listening server; every connection runs handler(Stream) as a task of
// its own (asyncio.start_server). Move-only; close() stops accepting.
class Server {
 public:
  Server() noexcept = default;
  Server(Server &&o) noexcept : srv_(std::exchange(o.srv_, nullptr)) {}
  Server &operator=(Server o) noexcept {
    std::swap(srv_, o.srv_);
    return *this;
  }
  ~Server() { ac_server_unref(srv_); }
  // Takes over a reference to a server made elsewhere (e.g. tls.hpp).
  static Server adopt(ac_server *srv) noexcept {
    Server s;
    s.srv_ = srv;
    return s;
  }

  // TCP: host NULL means "0.0.0.0", port 0 any free port.
  template <class F>
  static Server listen_tcp(F handler, const char *host, int port, int backlog = 0) {
    using Fn = std::decay_t<F>;
    Server s;
    check(ac_server_listen_tcp(get_running_loop(), host, port, backlog, &on_connection<Fn>,
                               new Fn(std::move(handler)), &detail::delete_callable<Fn>, &s.srv_));
    return s;
  }
  template <class F>
  static Server listen_unix(F handler, const char *path, int backlog = 0) {
    using Fn = std::decay_t<F>;
    Server s;
    check(ac_server_listen_unix(get_running_loop(), path, backlog, &on_connection<Fn>,
                                new Fn(std::move(handler)), &detail::delete_callable<Fn>, &s.srv_));
    return s;
  }

  std::string address() const {
    char *a = nullptr;
    check(ac_server_address(srv_, &a));
    return detail::take_string(a);
  }
  int port() const { return check(ac_server_port(srv_)); }
  int64_t accepted() const noexcept { return ac_server_accepted(srv_); }
  bool is_serving() const noexcept { return ac_server_is_serving(srv_) == 1; }
  void close() {
    int rc = ac_server_close(srv_);
    if (rc != AC_ECLOSED) check(rc);
  }
  detail::FutureAwaiter<void> wait_closed() {
    return detail::future_call<void>([&](ac_future **f) { return ac_server_wait_closed(srv_, f); });
  }
  ac_server *get() const noexcept { return srv_; }

 private:
  template <class Fn>
  static void on_connection(ac_server *, ac_stream *stream, void *ud) noexcept {
    ac_loop *loop = ac_stream_get_loop(stream);
    detail::RunningScope scope(nullptr, loop);
    try {
      // The task holds the stream; its failure, if nobody reads it, goes to
      // the exception handler like any task's.
      (void)spawn(loop, (*static_cast<Fn *>(ud))(Stream::borrow(stream)));
    } catch (...) {
      detail::report_callback_exception(loop, std::current_exception());
    }
  }
  ac_server *srv_ = nullptr;
};

// asyncio.start_server(handler, host, port).
template <class F>
Server start_server(F handler, const char *host, int port, int backlog = 0) {
  return Server::listen_tcp(std::move(handler), host, port, backlog);
}
template <class F>
Server start_unix_server(F handler, const char *path, int backlog = 0) {
  return Server::listen_unix(std::move(handler), path, backlog);
}

}  // namespace asyncore
