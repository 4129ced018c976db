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

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
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
  ~Stream() { if (s_ != nullptr) ac_stream_unref(s_); }

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

  // ---- socket options (asyncore/sockopt.h) ----
  // The socket (borrowed), -1 while connecting or once closed.
  int fileno() const { return check(ac_stream_fileno(s_)); }
  // TCP_NODELAY: on by default for every TCP stream.
  void set_nodelay(bool on) { check(ac_stream_set_nodelay(s_, on ? 1 : 0)); }
  bool nodelay() const { return check(ac_stream_get_nodelay(s_)) == 1; }
  // SO_KEEPALIVE; zero durations / count leave the system's values.
  void set_keepalive(bool on, std::chrono::seconds idle = {}, std::chrono::seconds interval = {},
                     int count = 0) {
    check(ac_stream_set_keepalive(s_, on ? 1 : 0, static_cast<int>(idle.count()),
                                  static_cast<int>(interval.count()), count));
  }
  // Closes at once, dropping buffered output (asyncio's transport.abort()).
  void abort() { check(ac_stream_abort(s_)); }
  // loop.sendfile: the bytes sent (count 0: to the end of the file).
  detail::FutureAwaiter<int64_t> sendfile(int fd, int64_t offset = 0, int64_t count = 0) {
    return detail::future_call<int64_t>(
        [&](ac_future **f) { return ac_stream_sendfile(s_, fd, offset, count, f); });
  }
  detail::FutureAwaiter<int64_t> sendfile(const std::string &path, int64_t offset = 0,
                                          int64_t count = 0) {
    return detail::future_call<int64_t>(
        [&](ac_future **f) { return ac_stream_sendfile_path(s_, path.c_str(), offset, count, f); });
  }

 private:
  ac_stream *s_ = nullptr;
};

// Options of open_connection (asyncio's create_connection keywords).
struct ConnectOptions {
  std::string local_host;  // empty: any
  int local_port = 0;
  // Happy eyeballs: the delay between attempts; none: one after the other.
  std::optional<std::chrono::duration<double>> happy_eyeballs_delay;
  int interleave = 0;
  bool nodelay = true;

  ac_connect_options to_c() const noexcept {
    ac_connect_options o;
    ac_connect_options_init(&o);
    o.local_host = local_host.empty() ? nullptr : local_host.c_str();
    o.local_port = local_port;
    if (happy_eyeballs_delay) o.happy_eyeballs_delay = happy_eyeballs_delay->count();
    o.interleave = interleave;
    o.nodelay = nodelay ? 1 : 0;
    return o;
  }
};

// Options of a TCP server.
struct ServerOptions {
  bool reuse_address = true;
  bool reuse_port = false;
  std::optional<bool> ipv6_only;  // none: the system's setting

  ac_server_options to_c() const noexcept {
    ac_server_options o;
    ac_server_options_init(&o);
    o.reuse_address = reuse_address ? 1 : 0;
    o.reuse_port = reuse_port ? 1 : 0;
    o.ipv6_only = ipv6_only ? (*ipv6_only ? 1 : 0) : -1;
    return o;
  }
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
// With options (local address, happy eyeballs, TCP_NODELAY).
inline Task<Stream> open_connection(const std::string &host, int port, const ConnectOptions &opts) {
  ac_stream *s = nullptr;
  ac_future *f = nullptr;
  ac_connect_options o = opts.to_c();
  check(ac_stream_connect_tcp_ex(get_running_loop(), host.c_str(), port, &o, &s, &f));
  return detail::connected(s, f);
}
// To the first of these numeric addresses that answers (raced with
// happy_eyeballs_delay).
inline Task<Stream> open_connection_addresses(const std::vector<std::string> &addresses,
                                              int port, const ConnectOptions &opts = {}) {
  std::vector<const char *> hosts;
  for (const auto &a : addresses) hosts.push_back(a.c_str());
  ac_stream *s = nullptr;
  ac_future *f = nullptr;
  ac_connect_options o = opts.to_c();
  check(ac_stream_connect_tcp_addresses(get_running_loop(), hosts.data(), hosts.size(), port, &o,
                                        &s, &f));
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
  ~Server() { if (srv_ != nullptr) ac_server_unref(srv_); }
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
  static Server listen_tcp(F handler, const char *host, int port, const ServerOptions &opts,
                           int backlog = 0) {
    using Fn = std::decay_t<F>;
    Server s;
    ac_server_options o = opts.to_c();
    check(ac_server_listen_tcp_ex(get_running_loop(), host, port, backlog, &o, &on_connection<Fn>,
                                  new Fn(std::move(handler)), &detail::delete_callable<Fn>,
                                  &s.srv_));
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

  // Connections accepted and not yet closed.
  int64_t connections() const noexcept { return ac_server_connections(srv_); }
  // asyncio 3.13: close every connection (flushing) / abort them.
  int close_clients() { return check(ac_server_close_clients(srv_)); }
  int abort_clients() { return check(ac_server_abort_clients(srv_)); }
  // Awaits until close() (then CancelledError, as asyncio); cancelling the
  // awaiting task closes the server.
  detail::FutureAwaiter<void> serve_forever() {
    return detail::future_call<void>([&](ac_future **f) { return ac_server_serve_forever(srv_, f); });
  }
  int fileno() const { return check(ac_server_fileno(srv_)); }

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
Server start_server(F handler, const char *host, int port, const ServerOptions &opts,
                    int backlog = 0) {
  return Server::listen_tcp(std::move(handler), host, port, opts, backlog);
}
template <class F>
Server start_unix_server(F handler, const char *path, int backlog = 0) {
  return Server::listen_unix(std::move(handler), path, backlog);
}

}  // namespace asyncore
