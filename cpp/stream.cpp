#include "stream.hpp"

#include <netdb.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "net.hpp"
#include "value.hpp"

namespace ac {

// A name resolution started by connect_tcp. `stream` is cleared when the
// stream gives up on it (closed meanwhile); libuv's callback always comes
// (with UV_EAI_CANCELED when cancelled) and frees the request.
struct ConnectResolve {
  uv_getaddrinfo_t req{};
  ac_stream *stream = nullptr;
};

// The future of a connection attempt: cancelling it closes the stream.
struct ConnectFuture final : ac_future {
  ac_stream *stream;  // cleared when the stream lets go of this future
  ConnectFuture(ac_loop *l, ac_stream *s) noexcept : ac_future(l), stream(s) {}
  bool cancel(const char *message) noexcept override {
    if (!ac_future::cancel(message)) return false;
    if (stream != nullptr) stream->close();
    return true;
  }
};

namespace {

ac_stream *of(uv_handle_t *h) { return static_cast<ac_stream *>(h->data); }

void on_alloc_cb(uv_handle_t *h, size_t, uv_buf_t *buf) { of(h)->alloc(buf); }
void on_read_cb(uv_stream_t *st, ssize_t nread, const uv_buf_t *) {
  of(reinterpret_cast<uv_handle_t *>(st))->on_read(nread);
}
void on_write_cb(uv_write_t *req, int status) {
  static_cast<ac_stream *>(req->data)->on_write(status);
}
void on_shutdown_cb(uv_shutdown_t *req, int status) {
  static_cast<ac_stream *>(req->data)->on_shutdown(status);
}
void on_connect_cb(uv_connect_t *req, int status) {
  static_cast<ac_stream *>(req->data)->on_connect(status);
}
void on_close_cb(uv_handle_t *h) { of(h)->on_close(); }
void on_getaddrinfo_cb(uv_getaddrinfo_t *req, int status, addrinfo *res) {
  auto *r = static_cast<ConnectResolve *>(req->data);
  if (r->stream != nullptr) {
    ac_stream *s = r->stream;
    s->resolve = nullptr;
    s->on_resolved(status, res);
  } else if (res != nullptr) {
    uv_freeaddrinfo(res);
  }
  delete r;
}

// Frees what a stream-bound task's state holds: the state block starts
// `kSpawnHead` bytes into its allocation, after the offset of the stream
// pointer.
constexpr size_t kSpawnHead = alignof(std::max_align_t) > sizeof(size_t)
                                  ? alignof(std::max_align_t)
                                  : sizeof(size_t);
void spawn_free(void *state) {
  char *base = static_cast<char *>(state) - kSpawnHead;
  size_t offset;
  std::memcpy(&offset, base, sizeof offset);
  ac_stream *s;
  std::memcpy(&s, static_cast<char *>(state) + offset, sizeof s);
  if (s != nullptr) s->unref();
  std::free(base);
}

}  // namespace

ac_stream *stream_new(ac_loop *loop, bool unix_socket) { return new ac_stream(loop, unix_socket); }

}  // namespace ac

ac_stream::ac_stream(ac_loop *l, bool unix_socket) noexcept : loop(l), is_unix(unix_socket) {
  loop->refs.fetch_add(1, std::memory_order_relaxed);
  h.handle.data = this;
  wreq.data = this;
  sreq.data = this;
  creq.data = this;
  loop->add_closable(this);
  registered = true;
}

ac_stream::~ac_stream() {
  magic = 0;
  if (registered) loop->remove_closable(this);
  if (op_future != nullptr) op_future->unref();
  if (connect_future != nullptr) {
    static_cast<ac::ConnectFuture *>(connect_future)->stream = nullptr;
    connect_future->unref();
  }
  for (ac_future *f : drain_waiters) f->unref();
  for (ac_future *f : closed_waiters) f->unref();
  if (done_none != nullptr) done_none->unref();
  std::free(rbuf);
  ac_loop *l = loop;
  if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) l->destroy();
}

void ac_stream::unref() noexcept {
  if (--user_refs != 0) return;
  if (phase < kClosing) close();
  maybe_free();
}

void ac_stream::maybe_free() noexcept {
  if (user_refs == 0 && !handle_live) delete this;
}

// ---------------------------------------------------------------- connect

int ac_stream::adopt(uv_os_sock_t fd) noexcept {
  int rc = is_unix ? uv_pipe_init(&loop->uv, &h.pipe, 0) : uv_tcp_init(&loop->uv, &h.tcp);
  if (rc != 0) return rc;
  h.handle.data = this;
  handle_live = true;
  rc = is_unix ? uv_pipe_open(&h.pipe, fd) : uv_tcp_open(&h.tcp, fd);
  if (rc != 0) return rc;  // the caller closes the stream (and the fd)
  phase = kOpen;
  if (!is_unix) uv_tcp_nodelay(&h.tcp, 1);
  start_reading();
  return 0;
}

ac_future *ac_stream::connect_tcp(const char *host, int port) {
  connect_future = new ac::ConnectFuture(loop, this);
  ac_future *caller = connect_future;
  caller->ref();
  try {
    start_connect_tcp(host, port);
  } catch (...) {
    caller->unref();
    throw;
  }
  return caller;
}

void ac_stream::start_connect_tcp(const char *host, int port) {
  sockaddr_storage ss;
  if (ac::numeric_address(host, port, &ss) == 0) {
    targets.push_back(ss);
    try_connect_next();
    return;
  }
  auto *r = new ac::ConnectResolve();
  r->req.data = r;
  r->stream = this;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  char service[8];
  std::snprintf(service, sizeof service, "%d", port);
  int rc = uv_getaddrinfo(&loop->uv, &r->req, ac::on_getaddrinfo_cb, host, service, &hints);
  if (rc != 0) {
    delete r;
    connect_failed(rc);
    return;
  }
  resolve = r;
}

ac_future *ac_stream::connect_unix(const char *path) {
  connect_future = new ac::ConnectFuture(loop, this);
  connect_future->ref();  // the caller's
  ac_future *caller = connect_future;
  int rc = uv_pipe_init(&loop->uv, &h.pipe, 0);
  if (rc != 0) {
    connect_failed(rc);
    return caller;
  }
  h.handle.data = this;
  handle_live = true;
  uv_pipe_connect(&creq, &h.pipe, path, ac::on_connect_cb);
  return caller;
}

void ac_stream::on_resolved(int status, addrinfo *res) noexcept {
  if (status == 0) {
    try {
      for (addrinfo *a = res; a != nullptr; a = a->ai_next) {
        sockaddr_storage ss{};
        std::memcpy(&ss, a->ai_addr, a->ai_addrlen);
        targets.push_back(ss);
      }
    } catch (...) {
      status = AC_ENOMEM;
    }
  }
  if (res != nullptr) uv_freeaddrinfo(res);
  if (phase != kConnecting) return;
  if (status != 0) {
    connect_failed(status);
    return;
  }
  try_connect_next();
}

void ac_stream::try_connect_next() noexcept {
  while (phase == kConnecting) {
    if (next_target >= targets.size()) {
      connect_failed(connect_error != 0 ? connect_error : AC_ECONNREFUSED);
      return;
    }
    const sockaddr_storage &ss = targets[next_target++];
    int rc = uv_tcp_init(&loop->uv, &h.tcp);
    if (rc != 0) {
      connect_failed(rc);
      return;
    }
    h.handle.data = this;
    handle_live = true;
    rc = uv_tcp_connect(&creq, &h.tcp, reinterpret_cast<const sockaddr *>(&ss), ac::on_connect_cb);
    if (rc == 0) return;
    connect_error = rc;
    // The handle must be closed before it is initialised again.
    retrying = true;
    uv_close(&h.handle, ac::on_close_cb);
    return;
  }
}

void ac_stream::on_connect(int status) noexcept {
  if (phase != kConnecting) return;  // closed meanwhile (UV_ECANCELED)
  if (status == 0) {
    connected();
    return;
  }
  connect_error = status;
  if (!is_unix && next_target < targets.size()) {
    retrying = true;
    uv_close(&h.handle, ac::on_close_cb);
    return;
  }
  connect_failed(status);
}

void ac_stream::connected() noexcept {
  phase = kOpen;
  if (!is_unix) uv_tcp_nodelay(&h.tcp, 1);
  start_reading();
  if (!wpending.empty()) start_write();
  maybe_shutdown();
  if (connect_future != nullptr) {
    ac_future *f = connect_future;
    connect_future = nullptr;
    static_cast<ac::ConnectFuture *>(f)->stream = nullptr;
    ac::future_set_none(f);
    f->unref();
  }
  // Reads that were waiting for the connection.
  service_read();
}

void ac_stream::connect_failed(int code) noexcept {
  connect_error = code;
  read_error = code;
  write_error = code;
  wpending.clear();
  fail_waiters(code);
  phase = kClosed;
  close_handle();
}

// ---------------------------------------------------------------- reading

void ac_stream::alloc(uv_buf_t *buf) noexcept {
  constexpr size_t kChunk = 65536;
  if (rstart == rend) rstart = rend = 0;
  if (rcap - rend < kChunk && rstart > 0) {
    std::memmove(rbuf, rbuf + rstart, rend - rstart);
    rend -= rstart;
    rstart = 0;
  }
  if (rcap - rend < kChunk) {
    size_t want = rcap * 2 > rend + kChunk ? rcap * 2 : rend + kChunk;
    auto *p = static_cast<char *>(std::realloc(rbuf, want));
    if (p == nullptr) {
      *buf = uv_buf_init(nullptr, 0);  // libuv reports UV_ENOBUFS
      return;
    }
    rbuf = p;
    rcap = want;
  }
  *buf = uv_buf_init(rbuf + rend, static_cast<unsigned>(rcap - rend));
}

void ac_stream::start_reading() noexcept {
  if (!handle_live || phase != kOpen || reading || eof || read_error != 0 || read_paused) return;
  int rc = uv_read_start(&h.stream, ac::on_alloc_cb, ac::on_read_cb);
  if (rc == 0)
    reading = true;
  else
    read_error = rc;
}

void ac_stream::on_read(ssize_t nread) noexcept {
  if (nread > 0) {
    rend += static_cast<size_t>(nread);
  } else if (nread == 0) {
    return;  // EAGAIN: nothing read
  } else if (nread == UV_EOF) {
    eof = true;
    reading = false;  // libuv stopped reading
  } else {
    uv_read_stop(&h.stream);
    reading = false;
    read_error = static_cast<int>(nread);
    // The connection is gone both ways.
    if (write_error == 0) {
      write_error = read_error;
      wpending.clear();
      release_drains();
    }
  }
  service_read();
  // Flow control, as asyncio's StreamReader: stop reading past twice the
  // limit (a read-until-EOF is exempt: it needs everything).
  if (reading && buffered() > 2 * limit && !(op == kRead && op_n == SIZE_MAX)) {
    uv_read_stop(&h.stream);
    reading = false;
    read_paused = true;
  }
}

void *ac_stream::take(size_t n) noexcept {
  // One byte more than asked, NUL, so C callers may treat text as a string.
  auto *p = static_cast<char *>(std::malloc(n + 1));
  if (p == nullptr) return nullptr;
  if (n != 0) std::memcpy(p, rbuf + rstart, n);
  p[n] = '\0';
  rstart += n;
  if (rstart == rend) rstart = rend = 0;
  return p;
}

void ac_stream::consumed() noexcept {
  if (read_paused && buffered() <= limit) {
    read_paused = false;
    start_reading();
  }
}

void ac_stream::service_read() noexcept {
  if (op == kNone) return;
  if (op_future->done()) {  // cancelled: the bytes stay in the buffer
    op_future->unref();
    op_future = nullptr;
    op = kNone;
    return;
  }
  complete_read();
}

// Tries to finish the pending read from the buffer, EOF or the error.
// Returns true when the read's future was completed.
bool ac_stream::complete_read() noexcept {
  size_t avail = buffered();
  ac_future *f = op_future;
  auto finish = [this]() {
    op_future->unref();
    op_future = nullptr;
    op = kNone;
  };
  auto deliver = [&](size_t k) {
    void *p = take(k);
    if (p == nullptr) {
      ac::future_fail(f, AC_ENOMEM);
    } else {
      ac::future_set_bytes(f, p, k);
    }
    finish();
    consumed();
    return true;
  };
  auto incomplete = [&](const char *what) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "%zu bytes read before EOF, %s", avail, what);
    void *p = take(avail);
    ac::future_fail_with_bytes(f, AC_EINCOMPLETE, msg, p, p != nullptr ? avail : 0);
    finish();
    consumed();
    return true;
  };
  auto fail = [&](int code) {
    ac::future_fail(f, code);
    finish();
    return true;
  };
  int err = read_error != 0 ? read_error : (phase >= kClosing && !eof ? AC_ECLOSED : 0);

  switch (op) {
    case kRead:
      if (op_n == SIZE_MAX) {
        if (eof) return deliver(avail);
      } else {
        if (avail > 0) return deliver(avail < op_n ? avail : op_n);
        if (eof) return deliver(0);
      }
      if (err != 0) return fail(err);
      return false;
    case kExactly:
      if (avail >= op_n) return deliver(op_n);
      if (eof) {
        char what[48];
        std::snprintf(what, sizeof what, "%zu expected", op_n);
        return incomplete(what);
      }
      if (err != 0) return fail(err);
      return false;
    case kUntil:
    case kLine: {
      size_t sl = op_sep.size();
      if (avail >= sl) {
        const char *base = rbuf + rstart;
        const void *hit = memmem(base + op_searched, avail - op_searched, op_sep.data(), sl);
        if (hit != nullptr) {
          size_t at = static_cast<size_t>(static_cast<const char *>(hit) - base);
          if (at > limit) return fail(AC_ELIMIT);  // bytes stay in the buffer
          return deliver(at + sl);
        }
        // Next time, scan only what may start a match across new bytes.
        op_searched = avail - sl + 1;
      }
      if (avail + 1 > limit + sl) return fail(AC_ELIMIT);  // asyncio's test
      if (eof) {
        if (op == kLine) return deliver(avail);
        return incomplete("separator not found");
      }
      if (err != 0) return fail(err);
      return false;
    }
    case kNone:
      break;
  }
  return false;
}

int ac_stream::start_read(ReadKind kind, size_t n, const void *sep, size_t sep_len,
                          ac_future **out) {
  if (op != kNone) {
    if (!op_future->done()) return AC_ESTATE;
    op_future->unref();  // a cancelled read: forget it, keep the bytes
    op_future = nullptr;
    op = kNone;
  }
  if (phase >= kClosing && read_error == 0) return AC_ECLOSED;
  auto *f = new ac_future(loop);
  if (kind == kUntil || kind == kLine) {
    try {
      op_sep.assign(static_cast<const char *>(sep), sep_len);
    } catch (...) {
      f->refs = 0;
      delete f;
      throw;
    }
  }
  op = kind;
  op_future = f;
  op_n = n;
  op_searched = 0;
  f->ref();  // one for the caller, one for the stream while pending
  *out = f;
  if (kind == kRead && n == 0) {
    ac::future_copy_bytes(f, "", 0);
    op_future->unref();
    op_future = nullptr;
    op = kNone;
    return 0;
  }
  if (phase == kConnecting) return 0;  // served once connected
  if (!complete_read() && read_paused && kind == kRead && n == SIZE_MAX) {
    read_paused = false;
    start_reading();
  }
  return 0;
}

void ac_stream::fail_read(int code) noexcept {
  if (op == kNone) return;
  ac::future_fail(op_future, code);
  op_future->unref();
  op_future = nullptr;
  op = kNone;
}

// ---------------------------------------------------------------- writing

int ac_stream::write(const void *data, size_t len) {
  if (write_error != 0) return write_error;
  if (phase >= kClosing) return AC_ECLOSED;
  if (eof_requested) return AC_ESTATE;
  if (len == 0) return 0;
  const char *p = static_cast<const char *>(data);
  if (phase == kOpen && !write_active && wpending.empty()) {
    // Fast path: straight to the kernel, no copy.
    uv_buf_t b = uv_buf_init(const_cast<char *>(p), static_cast<unsigned>(len));
    int r = uv_try_write(&h.stream, &b, 1);
    if (r >= 0) {
      if (static_cast<size_t>(r) == len) return 0;
      p += r;
      len -= static_cast<size_t>(r);
    } else if (r != UV_EAGAIN && r != UV_ENOSYS) {
      write_error = r;
      release_drains();
      return r;
    }
  }
  wpending.insert(wpending.end(), p, p + len);
  if (phase == kOpen && !write_active) start_write();
  if (write_buffer_size() > high_water) write_paused = true;
  return 0;
}

void ac_stream::start_write() noexcept {
  winflight.swap(wpending);  // winflight was empty: capacities are reused
  uv_buf_t b = uv_buf_init(winflight.data(), static_cast<unsigned>(winflight.size()));
  int rc = uv_write(&wreq, &h.stream, &b, 1, ac::on_write_cb);
  if (rc != 0) {
    winflight.clear();
    wpending.clear();
    write_error = rc;
    release_drains();
    return;
  }
  write_active = true;
}

void ac_stream::on_write(int status) noexcept {
  write_active = false;
  winflight.clear();
  if (status == UV_ECANCELED) return;  // the handle is closing
  if (status < 0) {
    if (write_error == 0) write_error = status;
    wpending.clear();
    release_drains();
  } else if (!wpending.empty()) {
    start_write();
  }
  if (write_paused && write_buffer_size() <= low_water) {
    write_paused = false;
    release_drains();
  }
  if (!write_active) {
    maybe_shutdown();
    if (phase == kClosing) {
      phase = kClosed;
      close_handle();
    }
  }
}

void ac_stream::release_drains() noexcept {
  std::vector<ac_future *> waiters;
  waiters.swap(drain_waiters);
  for (ac_future *f : waiters) {
    if (write_error != 0)
      ac::future_fail(f, write_error);
    else
      ac::future_set_none(f);
    f->unref();
  }
}

ac_future *ac_stream::drain() {
  if (write_error != 0) return ac::future_failed(loop, write_error);
  if (!write_paused) {
    if (done_none == nullptr) done_none = ac::future_done_none(loop);
    done_none->ref();
    return done_none;
  }
  auto *f = new ac_future(loop);
  try {
    drain_waiters.push_back(f);
  } catch (...) {
    f->refs = 0;
    delete f;
    throw;
  }
  f->ref();
  return f;
}

int ac_stream::write_eof() noexcept {
  if (phase >= kClosing) return AC_ECLOSED;
  eof_requested = true;
  maybe_shutdown();
  return 0;
}

void ac_stream::maybe_shutdown() noexcept {
  if (!eof_requested || eof_sent || phase != kOpen || write_active || !wpending.empty() ||
      write_error != 0)
    return;
  eof_sent = true;
  int rc = uv_shutdown(&sreq, &h.stream, ac::on_shutdown_cb);
  if (rc != 0) write_error = rc;
}

void ac_stream::on_shutdown(int status) noexcept {
  if (status < 0 && status != UV_ECANCELED && write_error == 0) write_error = status;
}

// ---------------------------------------------------------------- closing

void ac_stream::close() noexcept {
  if (phase >= kClosing) return;
  if (phase == kConnecting) {
    fail_waiters(AC_ECLOSED);
    phase = kClosed;
    close_handle();
    return;
  }
  phase = kClosing;
  fail_read(AC_ECLOSED);
  if (reading) {
    uv_read_stop(&h.stream);
    reading = false;
  }
  if (!write_active) {  // nothing to flush (a pending buffer always has a write in flight)
    phase = kClosed;
    close_handle();
  }
}

void ac_stream::close_handle() noexcept {
  if (registered) {
    loop->remove_closable(this);
    registered = false;
  }
  if (resolve != nullptr) {
    resolve->stream = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t *>(&resolve->req));
    resolve = nullptr;
  }
  if (handle_live) {
    if (!uv_is_closing(&h.handle)) uv_close(&h.handle, ac::on_close_cb);
    return;  // finish_closed runs from the close callback
  }
  finish_closed();
}

void ac_stream::on_close() noexcept {
  handle_live = false;
  if (retrying) {
    retrying = false;
    if (phase == kConnecting) {
      try_connect_next();
      if (handle_live || phase == kConnecting) return;
    }
  }
  finish_closed();
  maybe_free();
}

void ac_stream::fail_waiters(int code) noexcept {
  fail_read(code);
  if (connect_future != nullptr) {
    ac_future *f = connect_future;
    connect_future = nullptr;
    static_cast<ac::ConnectFuture *>(f)->stream = nullptr;
    ac::future_fail(f, code);
    f->unref();
  }
  std::vector<ac_future *> waiters;
  waiters.swap(drain_waiters);
  for (ac_future *f : waiters) {
    ac::future_fail(f, code);
    f->unref();
  }
}

void ac_stream::finish_closed() noexcept {
  phase = kClosed;
  fail_waiters(write_error != 0 ? write_error : AC_ECLOSED);
  std::vector<ac_future *> waiters;
  waiters.swap(closed_waiters);
  for (ac_future *f : waiters) {
    ac::future_set_none(f);
    f->unref();
  }
}

void ac_stream::close_for_loop() noexcept {
  // The loop took us off its list. Everything ends now: the futures are
  // completed while the loop can still discard their callbacks; libuv's
  // close callback comes during the loop's final uv_run and only frees.
  // Their tasks are reported as destroyed while pending; the futures'
  // own errors are not reported again.
  registered = false;
  phase = kClosed;
  wpending.clear();
  if (op_future != nullptr) op_future->error_retrieved = true;
  for (ac_future *f : drain_waiters) f->error_retrieved = true;
  if (connect_future != nullptr) connect_future->error_retrieved = true;
  fail_waiters(AC_ECLOSED);
  close_handle();
  finish_closed();
}

ac_future *ac_stream::wait_closed() {
  if (phase == kClosed && !handle_live) return ac::future_done_none(loop);
  auto *f = new ac_future(loop);
  try {
    closed_waiters.push_back(f);
  } catch (...) {
    f->refs = 0;
    delete f;
    throw;
  }
  f->ref();
  return f;
}

int ac_stream::address(bool peer, std::string *out) const {
  if (phase == kClosed || !handle_live) return phase == kConnecting ? AC_ESTATE : AC_ECLOSED;
  if (phase == kConnecting) return AC_ESTATE;
  if (is_unix) {
    char buf[256];
    size_t len = sizeof buf;
    int rc = peer ? uv_pipe_getpeername(&h.pipe, buf, &len) : uv_pipe_getsockname(&h.pipe, buf, &len);
    if (rc == UV_ENOBUFS) return rc;
    if (rc != 0) return rc;
    out->assign(buf, strnlen(buf, len));
    return 0;
  }
  sockaddr_storage ss;
  int len = sizeof ss;
  int rc = peer ? uv_tcp_getpeername(&h.tcp, reinterpret_cast<sockaddr *>(&ss), &len)
                : uv_tcp_getsockname(&h.tcp, reinterpret_cast<sockaddr *>(&ss), &len);
  if (rc != 0) return rc;
  return ac::format_address(reinterpret_cast<sockaddr *>(&ss), static_cast<socklen_t>(len), out);
}

namespace ac {
void *spawn_state_new(size_t state_size, size_t stream_offset) noexcept {
  auto *base = static_cast<char *>(std::calloc(1, kSpawnHead + state_size));
  if (base == nullptr) return nullptr;
  std::memcpy(base, &stream_offset, sizeof stream_offset);
  return base + kSpawnHead;
}
ac_free_fn spawn_state_free() noexcept { return spawn_free; }
}  // namespace ac
