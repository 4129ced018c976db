// sockopt.cpp — what streams and servers gained beyond plain connections:
// connection options (local bind, happy eyeballs, interleave, TCP_NODELAY),
// abort, sendfile, a server's record of its connections (close_clients,
// abort_clients, wait_closed that waits for them) and serve_forever.
//
// Happy eyeballs. A Racer owns the attempts of one connection: each is a
// non-blocking socket with its own uv_poll watcher. The next attempt starts
// when the delay has passed (a TimerNode on the loop's clock) or as soon as
// the latest attempt failed. The winner's socket goes to the stream, which
// watches it with its own poll handle from then on; the others are closed.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/value.hpp"
#include "io/net.hpp"
#include "io/server.hpp"
#include "io/sockopt.hpp"
#include "io/stream.hpp"

namespace ac {

int connect_options_parse(const ac_connect_options *in, ConnectOptions *out) noexcept {
  *out = ConnectOptions{};
  if (in == nullptr) return 0;
  if (in->local_port < 0 || in->local_port > 65535) return AC_EINVAL;
  if (in->interleave < 0) return AC_EINVAL;
  if (in->nodelay != 0 && in->nodelay != 1) return AC_EINVAL;
  if (in->local_host != nullptr && numeric_address(in->local_host, 0, &out->local) != 0)
    return AC_EINVAL;
  out->local_port = in->local_port;
  out->delay = in->happy_eyeballs_delay;
  if (!(out->delay >= 0)) out->delay = -1;  // NaN too
  out->interleave = in->interleave;
  out->nodelay = in->nodelay;
  return 0;
}

void interleave_addresses(std::vector<sockaddr_storage> &addrs, int first_count) {
  std::vector<int> families;
  std::vector<std::vector<sockaddr_storage>> groups;
  for (const auto &a : addrs) {
    auto it = std::find(families.begin(), families.end(), a.ss_family);
    size_t i = static_cast<size_t>(it - families.begin());
    if (it == families.end()) {
      families.push_back(a.ss_family);
      groups.emplace_back();
    }
    groups[i].push_back(a);
  }
  std::vector<sockaddr_storage> out;
  out.reserve(addrs.size());
  std::vector<size_t> pos(groups.size(), 0);
  if (first_count > 1 && !groups.empty()) {
    size_t n = std::min(groups[0].size(), static_cast<size_t>(first_count - 1));
    for (; pos[0] < n; ++pos[0]) out.push_back(groups[0][pos[0]]);
  }
  for (bool more = true; more;) {
    more = false;
    for (size_t g = 0; g < groups.size(); ++g) {
      if (pos[g] < groups[g].size()) {
        out.push_back(groups[g][pos[g]++]);
        more = true;
      }
    }
  }
  addrs.swap(out);
}

namespace {

socklen_t sa_len(const sockaddr_storage &ss) {
  return ss.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
}

int bind_local_fd(const ConnectOptions *o, int fd, int family) noexcept {
  bool has_host = o->local.ss_family != AF_UNSPEC;
  if (!has_host && o->local_port == 0) return 0;
  sockaddr_storage ss{};
  if (has_host) {
    if (o->local.ss_family != family) return UV_EADDRNOTAVAIL;
    ss = o->local;
  } else {
    ss.ss_family = static_cast<decltype(ss.ss_family)>(family);
  }
  auto port = htons(static_cast<uint16_t>(o->local_port));
  if (family == AF_INET)
    reinterpret_cast<sockaddr_in *>(&ss)->sin_port = port;
  else
    reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port = port;
  if (::bind(fd, reinterpret_cast<sockaddr *>(&ss), sa_len(ss)) != 0) return sys::last_error();
  return 0;
}

}  // namespace

// ------------------------------------------------------------ happy eyeballs

struct Racer final : TimerNode {
  struct Attempt {
    uv_poll_t poll{};
    int fd = -1;
    size_t index = 0;
    Racer *racer = nullptr;
  };
  ac_stream *stream;
  ac_loop *loop;
  std::vector<sockaddr_storage> addrs;
  size_t next = 0;
  std::vector<Attempt *> running;
  double delay;
  int last_error = 0;
  bool armed = false;

  Racer(ac_stream *s, double d) : stream(s), loop(s->loop), delay(d) {}
  ~Racer() { disarm(); }

  void fire() noexcept override {
    armed = false;
    start_next();
  }
  void drop_timer() noexcept override { armed = false; }
  void disarm() noexcept {
    if (armed) loop->remove_timer(this);
    armed = false;
  }
  void arm() noexcept {
    disarm();
    if (next >= addrs.size()) return;
    try {
      loop->add_timer(this, loop->now() + delay);
      armed = true;
    } catch (...) {
      // No timer: the next attempt starts when this one fails.
    }
  }

  static void on_poll_cb(uv_poll_t *p, int status, int) {
    auto *a = static_cast<Attempt *>(p->data);
    a->racer->on_event(a, status);
  }
  static void on_closed_cb(uv_handle_t *h) { delete static_cast<Attempt *>(h->data); }

  void close_attempt(Attempt *a, bool close_fd) noexcept {
    running.erase(std::find(running.begin(), running.end(), a));
    a->racer = nullptr;
    uv_close(reinterpret_cast<uv_handle_t *>(&a->poll), on_closed_cb);
    if (close_fd) sys::close(a->fd);
  }

  // Starts attempts until one is in progress (or none is left), then
  // arms the timer for the next.
  void start_next() noexcept {
    while (next < addrs.size()) {
      size_t i = next++;
      int rc = start_one(i);
      if (rc == 1) return;  // won at once: this racer is gone
      if (rc == 0) {
        arm();
        return;
      }
      last_error = rc;
      stream->note_connect_failure(addrs[i], rc);
    }
    disarm();
    maybe_lost();
  }

  // 0: in progress; 1: connected (handed over); < 0: failed.
  int start_one(size_t i) noexcept {
    const sockaddr_storage &ss = addrs[i];
    int fd = sys::open_socket(ss.ss_family, SOCK_STREAM);
    if (fd < 0) return fd;
    int rc = bind_local_fd(stream->copts, fd, ss.ss_family);
    if (rc == 0) {
      rc = sys::connect(fd, reinterpret_cast<const sockaddr *>(&ss), sa_len(ss));
      if (rc == 0) rc = 2;  // connected at once (kInProgress is 1)
    }
    if (rc < 0) {
      sys::close(fd);
      return rc;
    }
    if (rc == 2) {
      won(fd);
      return 1;
    }
    Attempt *a = nullptr;
    try {
      a = new Attempt();
    } catch (...) {
      sys::close(fd);
      return AC_ENOMEM;
    }
    a->fd = fd;
    a->index = i;
    a->racer = this;
    a->poll.data = a;
    rc = uv_poll_init_socket(loop->uvl, &a->poll, fd);
    if (rc != 0) {
      sys::close(fd);
      delete a;
      return rc;
    }
    try {
      running.push_back(a);
    } catch (...) {
      uv_close(reinterpret_cast<uv_handle_t *>(&a->poll), on_closed_cb);
      sys::close(fd);
      return AC_ENOMEM;
    }
    uv_poll_start(&a->poll, UV_WRITABLE, on_poll_cb);
    return 0;
  }

  void on_event(Attempt *a, int) noexcept {
    int err = sys::pending_error(a->fd);
    if (err == 0) {
      int fd = a->fd;
      close_attempt(a, false);
      won(fd);
      return;
    }
    bool latest = a->index + 1 == next;
    last_error = err;
    stream->note_connect_failure(addrs[a->index], err);
    close_attempt(a, true);
    if (latest && next < addrs.size()) {
      start_next();  // the one before failed: no need to wait
      return;
    }
    maybe_lost();
  }

  void maybe_lost() noexcept {
    if (!running.empty() || next < addrs.size()) return;
    ac_stream *s = stream;
    int code = last_error != 0 ? last_error : AC_ECONNREFUSED;
    s->racer = nullptr;
    delete this;
    s->race_lost(code);
  }

  void won(int fd) noexcept {
    ac_stream *s = stream;
    cancel_all();
    s->racer = nullptr;
    delete this;
    s->race_won(fd);
  }

  void cancel_all() noexcept {
    disarm();
    while (!running.empty()) close_attempt(running.back(), true);
  }
};

}  // namespace ac

// ---------------------------------------------------------------- stream

bool ac_stream::connect_hook() noexcept {
  if (copts->prepared) return false;
  copts->prepared = true;
  int il = copts->interleave;
  if (il == 0 && copts->delay >= 0) il = 1;
  try {
    if (il > 0) ac::interleave_addresses(targets, il);
  } catch (...) {
  }
  if (copts->delay < 0 || targets.size() < 2) return false;
  ac::Racer *r;
  try {
    r = new ac::Racer(this, copts->delay);
    r->addrs = targets;
  } catch (...) {
    return false;  // out of memory: one address after the other
  }
  racer = r;
  r->start_next();
  return true;
}

int ac_stream::bind_local(int family) noexcept {
  return ac::bind_local_fd(copts, fd, family);
}

void ac_stream::set_default_nodelay() noexcept {
  if (is_unix || copts->nodelay != 0) return;
  ac::sys::set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 0);
}

void ac_stream::race_won(int sock) noexcept {
  if (phase != kConnecting) {
    ac::sys::close(sock);
    return;
  }
  fd = sock;
  int rc = uv_poll_init_socket(loop->uvl, &poll, fd);
  if (rc != 0) {
    connect_failed(rc);  // closes fd (no handle)
    return;
  }
  poll.data = this;
  handle_live = true;
  poll_events = 0;
  connected();
}

void ac_stream::race_lost(int code) noexcept {
  if (code == 0) {  // the stream closes: stop the attempts
    ac::Racer *r = racer;
    racer = nullptr;
    r->cancel_all();
    delete r;
    return;
  }
  connect_failed_all(code);
}

void ac_stream::note_connect_failure(const sockaddr_storage &ss, int code) noexcept {
  try {
    connect_failures.emplace_back(ss, code);
  } catch (...) {
    // Out of memory: the message lists fewer attempts.
  }
}

void ac_stream::abort() noexcept {
  if (phase == kClosed) return;
  if (phase == kConnecting) {
    close();
    return;
  }
  wbuf.clear();
  woff = 0;
  reading = false;
  fail_waiters(AC_ECLOSED);
  phase = kClosed;
  close_handle();
}

// ---------------------------------------------------------------- sendfile

namespace ac {

struct SendfileFuture;

struct SendfileJob {
  SendfileFuture *future;
  int in_fd;
  bool own_fd;
  bool fallback = false;
  bool seekable = true;
  int64_t offset;
  int64_t remaining;  // < 0: to the end of the file
  int64_t sent = 0;
};

struct SendfileFuture final : ac_future {
  ac_stream *stream = nullptr;  // set while its job runs
  explicit SendfileFuture(ac_loop *l) noexcept : ac_future(l) {}
  bool cancel(const char *message) noexcept override {
    if (!ac_future::cancel(message)) return false;
    if (stream != nullptr) stream->sendfile_pump();  // sees the cancel, ends
    return true;
  }
};

namespace {
void sendfile_end(ac_stream *s, int code) noexcept {
  SendfileJob *j = s->sendfile_job;
  s->sendfile_job = nullptr;
  if (j->seekable && !j->own_fd) sys::seek_file(j->in_fd, j->offset + j->sent);
  if (j->own_fd) sys::close_file(j->in_fd);
  SendfileFuture *f = j->future;
  f->stream = nullptr;
  if (!f->done()) {
    if (code == 0) {
      ac_value v;
      v.kind = AC_VALUE_INT64;
      v.reserved_ = 0;
      v.u.i64 = j->sent;
      f->set_result(&v);
    } else {
      future_fail(f, code);
    }
  }
  f->unref();
  delete j;
}
}  // namespace

}  // namespace ac

void ac_stream::sendfile_pump() noexcept {
  ac::SendfileJob *j = sendfile_job;
  if (j == nullptr) return;
  if (j->future->done()) {  // cancelled
    ac::sendfile_end(this, 0);
    watch();
    return;
  }
  if (write_error != 0) return ac::sendfile_end(this, write_error);
  if (phase != kOpen) return ac::sendfile_end(this, AC_ECLOSED);
  if (write_buffer_size() != 0) return;  // asyncio drains the buffer first
  constexpr int64_t kChunk = 1 << 20;
  while (!j->fallback) {
    if (j->remaining == 0) return ac::sendfile_end(this, 0), watch();
    size_t chunk = static_cast<size_t>(j->remaining < 0 ? kChunk : std::min(j->remaining, kChunk));
    ac_ssize_t n = ac::sys::send_file(fd, j->in_fd, j->offset + j->sent, chunk);
    if (n > 0) {
      j->sent += n;
      if (j->remaining > 0) j->remaining -= n;
      continue;
    }
    if (n == 0) return ac::sendfile_end(this, 0), watch();
    int e = static_cast<int>(n);  // a negative code (libuv's)
    if (e == AC_EAGAIN) return watch();
    if (j->sent == 0 && (e == UV_EINVAL || e == UV_ENOSYS || e == UV_EOVERFLOW || e == UV_ESPIPE)) {
      j->fallback = true;  // no sendfile for this file (or this system): read and write
      break;
    }
    if (e == UV_EPIPE || e == UV_ECONNRESET || e == UV_ENOTCONN) {
      write_error = e;
      release_drains();
    }
    return ac::sendfile_end(this, e), watch();
  }
  // Fallback: at most the high water mark in the buffer at a time.
  for (;;) {
    while (j->remaining != 0 && write_buffer_size() < high_water) {
      size_t chunk = static_cast<size_t>(
          j->remaining < 0 ? 65536 : std::min<int64_t>(j->remaining, 65536));
      size_t old = wbuf.size();
      try {
        wbuf.resize(old + chunk);
      } catch (...) {
        wbuf.resize(old);
        return ac::sendfile_end(this, AC_ENOMEM), watch();
      }
      ac_ssize_t n = ac::sys::read_file(j->in_fd, wbuf.data() + old, chunk,
                                        j->seekable ? j->offset + j->sent : -1);
      if (n == UV_ESPIPE && j->seekable && j->sent == 0 && j->offset == 0) {
        j->seekable = false;
        wbuf.resize(old);
        continue;
      }
      wbuf.resize(old + static_cast<size_t>(n > 0 ? n : 0));
      if (n < 0) return ac::sendfile_end(this, static_cast<int>(n)), watch();
      if (n == 0) {
        j->remaining = 0;
        break;
      }
      j->sent += n;
      if (j->remaining > 0) j->remaining -= n;
    }
    if (write_buffer_size() != 0) {
      flush();  // what the kernel does not take waits for writable
      if (sendfile_job == nullptr) return;
      if (write_error != 0) return ac::sendfile_end(this, write_error), watch();
      if (write_buffer_size() != 0) return watch();
    }
    if (j->remaining == 0) return ac::sendfile_end(this, 0), watch();
  }
}

void ac_stream::extras_closed() noexcept {
  if (sendfile_job != nullptr) ac::sendfile_end(this, write_error != 0 ? write_error : AC_ECLOSED);
  if (server != nullptr) {
    ac_server *srv = server;
    server = nullptr;
    srv->detach(this);
  }
}

void ac_stream::extras_free() noexcept {
  if (sendfile_job != nullptr) ac::sendfile_end(this, AC_ECLOSED);
  if (server != nullptr) {
    server->clients.erase(this);
    server = nullptr;
  }
  if (racer != nullptr) race_lost(0);
  delete copts;
  copts = nullptr;
}

namespace ac {
// Starts a sendfile on `s` (0, *out a new reference) or returns a code.
int stream_sendfile(ac_stream *s, int fd, bool own_fd, int64_t offset, int64_t count,
                    ac_future **out) {
  if (s->phase == ac_stream::kConnecting || s->sendfile_job != nullptr || s->eof_requested)
    return AC_ESTATE;
  if (s->phase != ac_stream::kOpen) return AC_ECLOSED;
  if (s->write_error != 0) return s->write_error;
  auto *f = new SendfileFuture(s->loop);
  SendfileJob *j;
  try {
    j = new SendfileJob{f, fd, own_fd, false, true, offset, count == 0 ? -1 : count, 0};
  } catch (...) {
    f->refs = 0;
    delete f;
    throw;
  }
  f->ref();  // the job's
  f->stream = s;
  s->sendfile_job = j;
  *out = f;
  s->sendfile_pump();
  return 0;
}
}  // namespace ac

// ---------------------------------------------------------------- server

namespace ac {
namespace {
// serve_forever's future: cancelling it closes the server.
struct ForeverFuture final : ac_future {
  ac_server *server = nullptr;
  explicit ForeverFuture(ac_loop *l) noexcept : ac_future(l) {}
  bool cancel(const char *message) noexcept override {
    if (!ac_future::cancel(message)) return false;
    if (server != nullptr) server->close();
    return true;
  }
};
}  // namespace
}  // namespace ac

void ac_server::attach(ac_stream *s) noexcept {
  try {
    clients.insert(s);
    s->server = this;
  } catch (...) {
    // Out of memory: the connection goes unrecorded (close_clients and
    // wait_closed will not see it).
  }
}

void ac_server::detach(ac_stream *s) noexcept {
  clients.erase(s);
  if (all_closed()) ac::complete_listed_none(closed_waiters);
}

int ac_server::listen_tcp_opts(const char *host, int port, int backlog, int reuse_address,
                               int reuse_port, int ipv6_only) noexcept {
  sockaddr_storage ss;
  int rc = ac::resolve_now(host, port, SOCK_STREAM, &ss);
  if (rc != 0) return rc;
  fd = ac::sys::open_socket(ss.ss_family, SOCK_STREAM);
  if (fd < 0) return fd;
  if (reuse_address != 0) {
    if (int e = ac::sys::set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1); e != 0) return e;
  }
  if (reuse_port != 0) {
#ifdef SO_REUSEPORT
    if (int e = ac::sys::set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1); e != 0) return e;
#else
    return AC_ENOTSUP;  // as asyncio: no reuse_port where the system lacks it
#endif
  }
  if (ss.ss_family == AF_INET6 && ipv6_only >= 0) {
    if (int e = ac::sys::set_int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, ipv6_only); e != 0) return e;
  }
  if (::bind(fd, reinterpret_cast<sockaddr *>(&ss), ac::sa_len(ss)) != 0)
    return ac::sys::last_error();
  return start(backlog);
}

int ac_server::close_clients(bool abort) noexcept {
  std::vector<ac_stream *> list;
  try {
    list.assign(clients.begin(), clients.end());
  } catch (...) {
    return AC_ENOMEM;
  }
  for (ac_stream *s : list) s->ref();
  for (ac_stream *s : list) {
    if (abort)
      s->abort();
    else
      s->close();
  }
  for (ac_stream *s : list) s->unref();
  return static_cast<int>(list.size());
}

int ac_server::serve_forever(ac_future **out) {
  if (forever != nullptr) return AC_ESTATE;
  if (!serving) return AC_ECLOSED;
  auto *f = new ac::ForeverFuture(loop);
  f->ref();  // the server's
  f->server = this;
  forever = f;
  *out = f;
  return 0;
}

void ac_server::extras_close() noexcept {
  if (forever == nullptr) return;
  auto *f = static_cast<ac::ForeverFuture *>(forever);
  forever = nullptr;
  f->server = nullptr;
  f->cancel(nullptr);
  f->unref();
}

void ac_server::extras_free() noexcept {
  for (ac_stream *s : clients) s->server = nullptr;
  clients.clear();
  if (forever != nullptr) {
    static_cast<ac::ForeverFuture *>(forever)->server = nullptr;
    forever->unref();
    forever = nullptr;
  }
}
