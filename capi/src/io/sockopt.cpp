// sockopt.cpp — socket options, connection and listening options, server
// connection control and sendfile at the boundary.

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "io/net.hpp"
#include "io/server.hpp"
#include "io/sockopt.hpp"
#include "io/stream.hpp"
#include "io/udp.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::fail;
using ac::shim::run_free;

namespace {

int check_stream(const ac_stream *s) noexcept {
  if (!ac::is_stream(s)) return fail(AC_EINVAL);
  return check_loop_fast(s->loop);
}

int check_server(const ac_server *s) noexcept {
  if (!ac::is_server(s)) return fail(AC_EINVAL);
  return check_loop_fast(s->loop);
}

// A TCP stream with a socket to set options on.
int check_tcp_open(const ac_stream *s) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (s->is_unix) return fail(AC_EINVAL, "not a TCP stream");
  if (s->phase == ac_stream::kConnecting) return fail(AC_ESTATE, "not connected yet");
  if (s->phase == ac_stream::kClosed || s->fd < 0) return fail(AC_ECLOSED);
  return 0;
}

int connect_with(ac_loop *loop, const char *host, const std::vector<sockaddr_storage> *addrs,
                 int port, const ac_connect_options *opts, ac_stream **stream_out,
                 ac_future **connected_out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if ((host == nullptr && addrs == nullptr) || stream_out == nullptr || connected_out == nullptr)
    return fail(AC_EINVAL);
  if (port < 1 || port > 65535) return fail(AC_EINVAL);
  AC_GUARD({
    auto *o = new ac::ConnectOptions();
    rc = ac::connect_options_parse(opts, o);
    if (rc != 0) {
      delete o;
      return fail(rc, "invalid connection options");
    }
    ac_stream *s = ac::stream_new(loop, false);
    s->copts = o;  // the stream frees it
    ac_future *f;
    try {
      if (addrs != nullptr) {
        s->targets = *addrs;
        f = s->connect_addresses();
      } else {
        f = s->connect_tcp(host, port);
      }
    } catch (...) {
      s->unref();
      throw;
    }
    *stream_out = s;
    *connected_out = f;
    return 0;
  })
}

int validate_server_options(const ac_server_options *o) noexcept {
  if (o == nullptr) return 0;
  if ((o->reuse_address != 0 && o->reuse_address != 1) ||
      (o->reuse_port != 0 && o->reuse_port != 1) || o->ipv6_only < -1 || o->ipv6_only > 1)
    return AC_EINVAL;
  return 0;
}

struct TaskSpec {
  ac_step_fn step;
  size_t state_size;
  size_t stream_offset;
};

void spawn_connection(ac_server *srv, ac_stream *stream, void *ud) {
  auto *spec = static_cast<TaskSpec *>(ud);
  int rc = ac_stream_spawn(stream, spec->step, spec->state_size, spec->stream_offset, nullptr);
  if (rc != 0) {
    ac_error *err = nullptr;
    ac_error_new(rc, "could not start a connection task", nullptr, &err);
    srv->loop->report("could not start a connection task", err, nullptr);
    ac_error_unref(err);
  }
}

int listen_ex(ac_loop *loop, const char *host, int port, int backlog,
              const ac_server_options *opts, ac_server_connection_fn fn, void *ud,
              ac_free_fn free_ud, ac_server **out) noexcept {
  int rc = check_loop(loop);
  if (rc == 0 && (fn == nullptr || out == nullptr || port < 0 || port > 65535))
    rc = fail(AC_EINVAL);
  if (rc == 0 && validate_server_options(opts) != 0)
    rc = fail(AC_EINVAL, "invalid server options");
  if (rc != 0) {
    run_free(free_ud, ud);
    return rc;
  }
  ac_server_options o;
  ac_server_options_init(&o);
  if (opts != nullptr) o = *opts;
  ac_server *srv;
  try {
    srv = new ac_server(loop, fn, ud, free_ud);
  } catch (...) {
    run_free(free_ud, ud);
    return fail(AC_ENOMEM);
  }
  rc = srv->listen_tcp_opts(host, port, backlog, o.reuse_address, o.reuse_port, o.ipv6_only);
  if (rc != 0) {
    srv->unref();
    return fail(rc);
  }
  *out = srv;
  return 0;
}

}  // namespace

AC_API void ac_connect_options_init(ac_connect_options *opts) noexcept {
  if (opts == nullptr) return;
  opts->local_host = nullptr;
  opts->local_port = 0;
  opts->happy_eyeballs_delay = -1;
  opts->interleave = 0;
  opts->nodelay = 1;
}

AC_API int ac_stream_connect_tcp_ex(ac_loop *loop, const char *host, int port,
                                    const ac_connect_options *opts, ac_stream **stream_out,
                                    ac_future **connected_out) noexcept {
  if (host == nullptr) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL);
  }
  return connect_with(loop, host, nullptr, port, opts, stream_out, connected_out);
}

AC_API int ac_stream_connect_tcp_addresses(ac_loop *loop, const char *const *hosts,
                                           size_t count, int port,
                                           const ac_connect_options *opts,
                                           ac_stream **stream_out,
                                           ac_future **connected_out) noexcept {
  ac::shim::clear_failure();
  if (hosts == nullptr || count == 0 || port < 1 || port > 65535) return fail(AC_EINVAL);
  AC_GUARD({
    std::vector<sockaddr_storage> addrs(count);
    for (size_t i = 0; i < count; ++i) {
      if (hosts[i] == nullptr || ac::numeric_address(hosts[i], port, &addrs[i]) != 0)
        return fail(AC_EINVAL, "not a numeric address");
    }
    return connect_with(loop, nullptr, &addrs, port, opts, stream_out, connected_out);
  })
}

AC_API int ac_stream_fileno(const ac_stream *s) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (s->phase == ac_stream::kClosed) return -1;
  return s->fd;
}

AC_API int ac_stream_set_nodelay(ac_stream *s, int on) noexcept {
  int rc = check_tcp_open(s);
  if (rc != 0) return rc;
  if (on != 0 && on != 1) return fail(AC_EINVAL);
  if (int e = ac::sys::set_int_option(s->fd, IPPROTO_TCP, TCP_NODELAY, on); e != 0) return fail(e);
  return 0;
}

AC_API int ac_stream_get_nodelay(const ac_stream *s) noexcept {
  int rc = check_tcp_open(s);
  if (rc != 0) return rc;
  int v = 0;
  if (int e = ac::sys::get_int_option(s->fd, IPPROTO_TCP, TCP_NODELAY, &v); e != 0) return fail(e);
  return v != 0 ? 1 : 0;
}

AC_API int ac_stream_set_keepalive(ac_stream *s, int on, int idle, int interval,
                                   int count) noexcept {
  int rc = check_tcp_open(s);
  if (rc != 0) return rc;
  if ((on != 0 && on != 1) || idle < 0 || interval < 0 || count < 0) return fail(AC_EINVAL);
  if (on == 1) {
#if defined(TCP_KEEPIDLE)
    constexpr int kIdle = TCP_KEEPIDLE;
#elif defined(TCP_KEEPALIVE)
    constexpr int kIdle = TCP_KEEPALIVE;  // macOS's name for it
#else
    constexpr int kIdle = -1;
#endif
#if defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
    constexpr int kInterval = TCP_KEEPINTVL, kCount = TCP_KEEPCNT;
#else
    constexpr int kInterval = -1, kCount = -1;
#endif
    // A system without the option (Windows' MinGW headers): not supported.
    if ((idle > 0 && kIdle < 0) || (interval > 0 && kInterval < 0) || (count > 0 && kCount < 0))
      return fail(AC_ENOTSUP);
    if (idle > 0) {
      if (int e = ac::sys::set_int_option(s->fd, IPPROTO_TCP, kIdle, idle); e != 0) return fail(e);
    }
    if (interval > 0) {
      if (int e = ac::sys::set_int_option(s->fd, IPPROTO_TCP, kInterval, interval); e != 0)
        return fail(e);
    }
    if (count > 0) {
      if (int e = ac::sys::set_int_option(s->fd, IPPROTO_TCP, kCount, count); e != 0)
        return fail(e);
    }
  }
  if (int e = ac::sys::set_int_option(s->fd, SOL_SOCKET, SO_KEEPALIVE, on); e != 0) return fail(e);
  return 0;
}

AC_API void ac_server_options_init(ac_server_options *opts) noexcept {
  if (opts == nullptr) return;
  opts->reuse_address = 1;
  opts->reuse_port = 0;
  opts->ipv6_only = -1;
}

AC_API int ac_server_listen_tcp_ex(ac_loop *loop, const char *host, int port, int backlog,
                                   const ac_server_options *opts, ac_server_connection_fn fn,
                                   void *ud, ac_free_fn free_ud, ac_server **out) noexcept {
  return listen_ex(loop, host, port, backlog, opts, fn, ud, free_ud, out);
}

AC_API int ac_server_listen_tcp_tasks_ex(ac_loop *loop, const char *host, int port,
                                         int backlog, const ac_server_options *opts,
                                         ac_step_fn step, size_t state_size,
                                         size_t stream_offset, ac_server **out) noexcept {
  ac::shim::clear_failure();
  if (step == nullptr || stream_offset > state_size ||
      state_size - stream_offset < sizeof(ac_stream *) || state_size > (SIZE_MAX >> 2))
    return fail(AC_EINVAL);
  auto *spec = static_cast<TaskSpec *>(std::malloc(sizeof(TaskSpec)));
  if (spec == nullptr) return fail(AC_ENOMEM);
  spec->step = step;
  spec->state_size = state_size;
  spec->stream_offset = stream_offset;
  return listen_ex(loop, host, port, backlog, opts, spawn_connection, spec, std::free, out);
}

AC_API int ac_server_fileno(const ac_server *srv) noexcept {
  int rc = check_server(srv);
  if (rc != 0) return rc;
  return srv->fd;
}

AC_API int64_t ac_server_connections(const ac_server *srv) noexcept {
  if (!ac::is_server(srv)) return fail(AC_EINVAL);
  return static_cast<int64_t>(srv->clients.size());
}

AC_API int ac_server_close_clients(ac_server *srv) noexcept {
  int rc = check_server(srv);
  if (rc != 0) return rc;
  rc = srv->close_clients(false);
  return rc < 0 ? fail(rc) : rc;
}

AC_API int ac_server_abort_clients(ac_server *srv) noexcept {
  int rc = check_server(srv);
  if (rc != 0) return rc;
  rc = srv->close_clients(true);
  return rc < 0 ? fail(rc) : rc;
}

AC_API int ac_server_serve_forever(ac_server *srv, ac_future **out) noexcept {
  int rc = check_server(srv);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  if (srv->loop->closed) return fail(AC_ECLOSED);
  AC_GUARD({
    rc = srv->serve_forever(out);
    if (rc == AC_ESTATE) return fail(rc, "server is already being awaited on serve_forever()");
    if (rc != 0) return fail(rc, "server is closed");
    return 0;
  })
}

AC_API int ac_stream_abort(ac_stream *s) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  s->abort();
  return 0;
}

AC_API int ac_stream_sendfile(ac_stream *s, int fd, int64_t offset, int64_t count,
                              ac_future **out) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (fd < 0 || offset < 0 || count < 0 || out == nullptr) return fail(AC_EINVAL);
  AC_GUARD({
    rc = ac::stream_sendfile(s, fd, false, offset, count, out);
    return rc != 0 ? fail(rc) : 0;
  })
}

AC_API int ac_stream_sendfile_path(ac_stream *s, const char *path, int64_t offset,
                                   int64_t count, ac_future **out) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (path == nullptr || offset < 0 || count < 0 || out == nullptr) return fail(AC_EINVAL);
  int fd = ac::sys::open_read(path);
  if (fd < 0) return fail(fd);
  try {
    rc = ac::stream_sendfile(s, fd, true, offset, count, out);
  } catch (...) {
    rc = AC_ENOMEM;
  }
  if (rc != 0) {
    ac::sys::close_file(fd);
    return fail(rc);
  }
  return 0;
}

// ---- UDP options ----

AC_API void ac_udp_options_init(ac_udp_options *opts) noexcept {
  if (opts == nullptr) return;
  opts->reuse_port = 0;
  opts->allow_broadcast = 0;
}

namespace {

int check_udp_open(const ac_udp *u) noexcept {
  if (!ac::is_udp(u)) return fail(AC_EINVAL);
  int rc = check_loop_fast(u->loop);
  if (rc != 0) return rc;
  if (u->closed || !u->handle_live) return fail(AC_ECLOSED);
  return 0;
}

bool is_flag(int v) noexcept { return v == 0 || v == 1; }

}  // namespace

AC_API int ac_udp_bind_ex(ac_loop *loop, const char *host, int port, const ac_udp_options *opts,
                          ac_udp **out) noexcept {
  ac_udp_options o;
  ac_udp_options_init(&o);
  if (opts != nullptr) o = *opts;
  if (!is_flag(o.reuse_port) || !is_flag(o.allow_broadcast))
    return fail(AC_EINVAL, "invalid UDP options");
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || port < 0 || port > 65535) return fail(AC_EINVAL);
  ac_udp *u;
  AC_GUARD(u = new ac_udp(loop);)
  rc = u->bind(host, port, o.reuse_port == 1);
  if (rc == 0 && o.allow_broadcast == 1) rc = uv_udp_set_broadcast(&u->h, 1);
  if (rc != 0) {
    u->unref();
    return fail(rc);
  }
  *out = u;
  return 0;
}

AC_API int ac_udp_set_broadcast(ac_udp *u, int on) noexcept {
  int rc = check_udp_open(u);
  if (rc != 0) return rc;
  if (!is_flag(on)) return fail(AC_EINVAL);
  rc = uv_udp_set_broadcast(&u->h, on);
  return rc != 0 ? fail(rc) : 0;
}

AC_API int ac_udp_fileno(const ac_udp *u) noexcept {
  if (!ac::is_udp(u)) return fail(AC_EINVAL);
  if (u->closed || !u->handle_live) return -1;
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<const uv_handle_t *>(&u->h), &fd) != 0) return -1;
#ifdef _WIN32
  // A SOCKET in the int every descriptor is kept in (cpp/platform.hpp).
  return static_cast<int>(reinterpret_cast<uintptr_t>(fd));
#else
  return fd;
#endif
}
