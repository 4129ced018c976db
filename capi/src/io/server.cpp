// server.cpp — ac_server_* at the boundary.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "io/net.hpp"
#include "io/server.hpp"
#include "io/stream.hpp"
#include "../shim.hpp"

using ac::shim::fail;

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::run_free;

namespace {

int check_server(const ac_server *s) noexcept {
  if (!ac::is_server(s)) return fail(AC_EINVAL);
  return check_loop_fast(s->loop);
}

// What a task-per-connection server starts for each connection.
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

bool valid_spec(ac_step_fn step, size_t state_size, size_t stream_offset) {
  return step != nullptr && stream_offset <= state_size &&
         state_size - stream_offset >= sizeof(ac_stream *) && state_size <= (SIZE_MAX >> 2);
}

int listen_common(ac_loop *loop, const char *host, int port, const char *path, int backlog,
                  ac_server_connection_fn fn, void *ud, ac_free_fn free_ud,
                  ac_server **out) noexcept {
  int rc = check_loop(loop);
  if (rc == 0 && (fn == nullptr || out == nullptr)) rc = fail(AC_EINVAL);
  if (rc == 0 && path == nullptr && (port < 0 || port > 65535)) rc = fail(AC_EINVAL);
  if (rc != 0) {
    run_free(free_ud, ud);
    return rc;
  }
  ac_server *srv;
  try {
    srv = new ac_server(loop, fn, ud, free_ud);
  } catch (...) {
    run_free(free_ud, ud);
    return fail(AC_ENOMEM);
  }
  rc = path != nullptr ? srv->listen_unix(path, backlog) : srv->listen_tcp(host, port, backlog);
  if (rc != 0) {
    srv->unref();  // runs free_ud
    return rc;
  }
  *out = srv;
  return 0;
}

int listen_tasks(ac_loop *loop, const char *host, int port, const char *path, int backlog,
                 ac_step_fn step, size_t state_size, size_t stream_offset,
                 ac_server **out) noexcept {
  if (!valid_spec(step, state_size, stream_offset)) return fail(AC_EINVAL);
  auto *spec = static_cast<TaskSpec *>(std::malloc(sizeof(TaskSpec)));
  if (spec == nullptr) return fail(AC_ENOMEM);
  spec->step = step;
  spec->state_size = state_size;
  spec->stream_offset = stream_offset;
  return listen_common(loop, host, port, path, backlog, spawn_connection, spec, std::free, out);
}

}  // namespace

AC_API int ac_server_listen_tcp(ac_loop *loop, const char *host, int port, int backlog,
                                ac_server_connection_fn fn, void *ud, ac_free_fn free_ud,
                                ac_server **out) noexcept {
  return listen_common(loop, host, port, nullptr, backlog, fn, ud, free_ud, out);
}

AC_API int ac_server_listen_unix(ac_loop *loop, const char *path, int backlog,
                                 ac_server_connection_fn fn, void *ud, ac_free_fn free_ud,
                                 ac_server **out) noexcept {
  if (path == nullptr) {
    run_free(free_ud, ud);
    return fail(AC_EINVAL);
  }
  return listen_common(loop, nullptr, 0, path, backlog, fn, ud, free_ud, out);
}

AC_API int ac_server_listen_tcp_tasks(ac_loop *loop, const char *host, int port, int backlog,
                                      ac_step_fn step, size_t state_size,
                                      size_t stream_offset, ac_server **out) noexcept {
  return listen_tasks(loop, host, port, nullptr, backlog, step, state_size, stream_offset, out);
}

AC_API int ac_server_listen_unix_tasks(ac_loop *loop, const char *path, int backlog,
                                       ac_step_fn step, size_t state_size,
                                       size_t stream_offset, ac_server **out) noexcept {
  if (path == nullptr) return fail(AC_EINVAL);
  return listen_tasks(loop, nullptr, 0, path, backlog, step, state_size, stream_offset, out);
}

AC_API ac_server *ac_server_ref(ac_server *srv) noexcept {
  if (ac::is_server(srv)) srv->ref();
  return srv;
}
AC_API void ac_server_unref(ac_server *srv) noexcept {
  if (ac::is_server(srv)) srv->unref();
}

AC_API int ac_server_address(const ac_server *srv, char **out) noexcept {
  int rc = check_server(srv);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  AC_GUARD({
    std::string text;
    rc = srv->address(&text);
    if (rc != 0) return rc;
    return ac::hand_out_string(text, out);
  })
}

AC_API int ac_server_port(const ac_server *srv) noexcept {
  int rc = check_server(srv);
  if (rc != 0) return rc;
  if (srv->is_unix) return fail(AC_EINVAL);
  if (srv->fd < 0) return fail(AC_ECLOSED);
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (::getsockname(srv->fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0) return ac::sys::last_error();
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port);
}

AC_API int64_t ac_server_accepted(const ac_server *srv) noexcept {
  if (!ac::is_server(srv)) return fail(AC_EINVAL);
  return srv->accepted;
}
AC_API int ac_server_accept_paused(const ac_server *srv) noexcept {
  if (!ac::is_server(srv)) return fail(AC_EINVAL);
  return srv->paused ? 1 : 0;
}

AC_API int ac_server_close(ac_server *srv) noexcept {
  int rc = check_server(srv);
  if (rc != 0) return rc;
  srv->close();
  return 0;
}
AC_API int ac_server_is_serving(const ac_server *srv) noexcept {
  if (!ac::is_server(srv)) return fail(AC_EINVAL);
  return srv->serving ? 1 : 0;
}
AC_API int ac_server_wait_closed(ac_server *srv, ac_future **out) noexcept {
  int rc = check_server(srv);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  if (srv->loop->closed) return fail(AC_ECLOSED);
  AC_GUARD(*out = srv->wait_closed(); return 0;)
}
