#include "io/server.hpp"

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "io/net.hpp"
#include "io/stream.hpp"

namespace {
ac_server *of(uv_handle_t *h) { return static_cast<ac_server *>(h->data); }
void on_poll_cb(uv_poll_t *p, int, int) { of(reinterpret_cast<uv_handle_t *>(p))->on_readable(); }
void on_retry_cb(uv_timer_t *t) { of(reinterpret_cast<uv_handle_t *>(t))->on_retry(); }
void on_closed_cb(uv_handle_t *h) { of(h)->on_handle_closed(); }
}  // namespace

ac_server::ac_server(ac_loop *l, ac_server_connection_fn f, void *u, ac_free_fn fu) noexcept
    : loop(l), fn(f), ud(u), free_ud(fu) {
  loop->refs.fetch_add(1, std::memory_order_relaxed);
}

ac_server::~ac_server() {
  magic = 0;
  if (registered) loop->remove_closable(this);
  if (fd >= 0) ac::sys::close(fd);
  for (ac_future *f : closed_waiters) f->unref();
  extras_free();
  if (free_ud != nullptr) free_ud(ud);
  ac_loop *l = loop;
  if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) l->destroy();
}

void ac_server::unref() noexcept {
  if (--user_refs != 0) return;
  close();
  if (live_handles == 0) delete this;
}

int ac_server::listen_tcp(const char *host, int port, int backlog) noexcept {
  sockaddr_storage ss;
  int rc = ac::resolve_now(host, port, SOCK_STREAM, &ss);
  if (rc != 0) return rc;
  if (int s = ac::sys::open_socket(ss.ss_family, SOCK_STREAM); s >= 0) fd = s; else return s;
  ac::sys::reuse_address(fd);
  socklen_t len = ss.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  if (::bind(fd, reinterpret_cast<sockaddr *>(&ss), len) != 0) return ac::sys::last_error();
  return start(backlog);
}

int ac_server::listen_unix(const char *path, int backlog) noexcept {
  sockaddr_un un{};
  size_t n = std::strlen(path);
  if (n == 0 || n >= sizeof un.sun_path) return AC_EINVAL;
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, path, n + 1);
  is_unix = true;
  if (int s = ac::sys::open_socket(AF_UNIX, SOCK_STREAM); s >= 0) fd = s; else return s;
  if (::bind(fd, reinterpret_cast<sockaddr *>(&un), sizeof un) != 0) return ac::sys::last_error();
  try {
    unix_path = path;
  } catch (...) {
    ac::sys::unlink_path(path);
    return AC_ENOMEM;
  }
  return start(backlog);
}

int ac_server::start(int backlog) noexcept {
  if (::listen(fd, backlog > 0 ? backlog : 128) != 0) return ac::sys::last_error();
  int rc = uv_poll_init_socket(loop->uvl, &poll, fd);
  if (rc != 0) return rc;
  poll.data = this;
  ++live_handles;
  uv_timer_init(loop->uvl, &retry);
  retry.data = this;
  ++live_handles;
  rc = uv_poll_start(&poll, UV_READABLE, on_poll_cb);
  if (rc != 0) return rc;
  serving = true;
  loop->add_closable(this);
  registered = true;
  return 0;
}

void ac_server::on_readable() noexcept {
  // The user's callbacks may drop the last reference or close the server:
  // hold one until the loop ends.
  ref();
  // A bounded batch per wake-up, so one busy listener cannot starve the
  // loop's other work.
  for (int i = 0; i < 64 && serving && !paused; ++i) {
    int c = ac::sys::accept(fd);
    if (c >= 0) {
      hand_over(c);
      continue;
    }
    int e = c;  // a negative code; EINTR was retried
    if (e == UV_ECONNABORTED || e == UV_EPROTO) continue;
    if (e == AC_EAGAIN) break;
    if (e == UV_EMFILE || e == UV_ENFILE || e == UV_ENOBUFS || e == UV_ENOMEM) {
      // Out of descriptors: the clients wait in the backlog; try again
      // later, and keep serving the connections already made.
      pause_accepting();
      break;
    }
    ac_error *err = nullptr;
    try {
      err = ac::error_new(e, nullptr);
    } catch (...) {
    }
    loop->report("accept failed", err, nullptr);
    ac::error_unref(err);
    break;
  }
  unref();
}

void ac_server::hand_over(int client) noexcept {
  ++accepted;
  ac_stream *s;
  try {
    s = ac::stream_new(loop, is_unix);
  } catch (...) {
    ac::sys::close(client);
    loop->report("out of memory accepting a connection", nullptr, nullptr);
    return;
  }
  int rc = s->adopt(client);
  if (rc != 0) {  // the stream owns the descriptor and closes it
    s->close();
    s->unref();
    return;
  }
  attach(s);
  if (fn != nullptr) {
    // On a hosted loop this runs from the host's poll, outside any step.
    ac::HostCallbackScope scope(loop);
    fn(this, s, ud);
  }
  s->unref();  // a stream nobody kept closes now
}

void ac_server::pause_accepting() noexcept {
  paused = true;
  uv_poll_stop(&poll);
  uv_timer_start(&retry, on_retry_cb, ac::kAcceptRetryMs, 0);
}

void ac_server::on_retry() noexcept {
  if (!serving) return;
  paused = false;
  uv_poll_start(&poll, UV_READABLE, on_poll_cb);
  on_readable();  // waiting clients do not make the socket readable again
}

void ac_server::close() noexcept {
  if (registered) {
    loop->remove_closable(this);
    registered = false;
  }
  if (live_handles == 2 && !uv_is_closing(reinterpret_cast<uv_handle_t *>(&poll))) {
    uv_close(reinterpret_cast<uv_handle_t *>(&poll), on_closed_cb);
    uv_close(reinterpret_cast<uv_handle_t *>(&retry), on_closed_cb);
  } else if (live_handles == 1 && !uv_is_closing(reinterpret_cast<uv_handle_t *>(&poll))) {
    // start() failed after the poll handle was initialised.
    uv_close(reinterpret_cast<uv_handle_t *>(&poll), on_closed_cb);
  }
  serving = false;
  paused = false;
  if (fd >= 0) {
    // Safe now: closing the poll handle removed the descriptor from epoll.
    ac::sys::close(fd);
    fd = -1;
    if (is_unix && !unix_path.empty()) ac::sys::unlink_path(unix_path.c_str());
  }
  extras_close();
  if (live_handles == 0) complete_closed();
}

void ac_server::on_handle_closed() noexcept {
  if (--live_handles != 0) return;
  complete_closed();
  if (user_refs == 0) delete this;
}

void ac_server::complete_closed() noexcept {
  // asyncio 3.12.1+: closed, and every connection gone.
  if (clients.empty()) ac::complete_listed_none(closed_waiters);
}

void ac_server::close_for_loop() noexcept {
  registered = false;
  close();
  // The close callbacks come during the loop's final uv_run, too late for
  // futures: complete them now.
  ac::complete_listed_none(closed_waiters);
}

ac_future *ac_server::wait_closed() {
  if (all_closed()) return ac::future_done_none(loop);
  return ac::future_listed(loop, closed_waiters);
}

int ac_server::address(std::string *out) const {
  if (fd < 0) return AC_ECLOSED;
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0) return ac::sys::last_error();
  return ac::format_address(reinterpret_cast<sockaddr *>(&ss), len, out);
}
