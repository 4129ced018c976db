#include "io/stream.hpp"


#include <cerrno>
#include <csignal>
#include <ctime>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/value.hpp"
#include "io/net.hpp"

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

// The future of a read. Once completed with bytes it may give them back
// (ac_future::unclaimed), while it is still the stream's last read.
struct ReadFuture final : ac_future {
  ac_stream *stream = nullptr;  // set while it is the stream's last_read
  explicit ReadFuture(ac_loop *l) noexcept : ac_future(l) {}
  ~ReadFuture() override {
    if (stream != nullptr) stream->last_read = nullptr;
  }
  void unclaimed() noexcept override {
    if (stream != nullptr) stream->give_back(this);
  }
};

namespace {

ac_stream *of(uv_handle_t *h) { return static_cast<ac_stream *>(h->data); }

void on_poll_cb(uv_poll_t *p, int status, int events) {
  of(reinterpret_cast<uv_handle_t *>(p))->on_poll(status, events);
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
  poll.data = this;
  loop->add_closable(this);
  registered = true;
}

ac_stream::~ac_stream() {
  magic = 0;
  if (registered) loop->remove_closable(this);
  if (op_future != nullptr) op_future->unref();
  if (last_read != nullptr) last_read->stream = nullptr;
  if (connect_future != nullptr) {
    static_cast<ac::ConnectFuture *>(connect_future)->stream = nullptr;
    connect_future->unref();
  }
  for (ac_future *f : drain_waiters) f->unref();
  for (ac_future *f : closed_waiters) f->unref();
  if (done_none != nullptr) done_none->unref();
  extras_free();
  delete layer;
  std::free(rbuf);
  std::free(tty_mode);
  if (fd >= 0) ac::sys::close(fd);
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

int ac_stream::open_socket(int family) noexcept {
  int s = ac::sys::open_socket(family, SOCK_STREAM);
  if (s < 0) return s;
  fd = s;
  int rc = uv_poll_init_socket(loop->uvl, &poll, fd);
  if (rc != 0) {
    ac::sys::close(fd);
    fd = -1;
    return rc;
  }
  poll.data = this;
  handle_live = true;
  poll_events = 0;
  return 0;
}

// Makes the poll watcher watch what the stream needs now: readable while
// reading, writable while connecting or while bytes are queued.
void ac_stream::watch() noexcept {
  if (!handle_live || retrying || uv_is_closing(reinterpret_cast<uv_handle_t *>(&poll))) return;
  int want = 0;
  if (phase == kConnecting) {
    want = UV_WRITABLE;
  } else if (phase != kClosed) {
    if (reading) want |= UV_READABLE;
    if (write_buffer_size() != 0 && write_error == 0) want |= UV_WRITABLE;
    if (sendfile_job != nullptr && write_error == 0) want |= UV_WRITABLE;
  }
  if (want == poll_events) return;
  poll_events = want;
  if (want == 0)
    uv_poll_stop(&poll);
  else
    uv_poll_start(&poll, want, ac::on_poll_cb);
}

int ac_stream::adopt(int sock) noexcept {
  fd = sock;
  int rc = uv_poll_init_socket(loop->uvl, &poll, fd);
  if (rc != 0) return rc;  // the destructor closes the socket
  poll.data = this;
  handle_live = true;
  phase = kOpen;
  if (!is_unix) {
    int on = 1;
    ac::sys::set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, on);
  }
  start_reading();
  return 0;
}

int ac_stream::adopt_pipe(int pfd, bool write_only) noexcept {
  fd = pfd;
  is_pipe = !ac::sys::is_socket(fd);
  pipe_writer_only = write_only;
  // Pipes and terminals: POSIX only. A socket (a child's stdio on Windows,
  // where a descriptor number is not a C runtime one) is watched as such.
  int rc = is_pipe ? uv_poll_init(loop->uvl, &poll, fd) : uv_poll_init_socket(loop->uvl, &poll, fd);
  if (rc != 0) return rc;  // the destructor closes the descriptor
  poll.data = this;
  handle_live = true;
  phase = kOpen;
  if (write_only)
    eof = true;  // nothing will ever be read
  else
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
  int rc = uv_getaddrinfo(loop->uvl, &r->req, ac::on_getaddrinfo_cb, host, service, &hints);
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
  auto *un = reinterpret_cast<sockaddr_un *>(&unix_target);
  size_t n = std::strlen(path);
  if (n == 0 || n >= sizeof un->sun_path) {
    connect_failed(AC_EINVAL);
    return caller;
  }
  un->sun_family = AF_UNIX;
  std::memcpy(un->sun_path, path, n + 1);
  targets.push_back(unix_target);
  try_connect_next();
  return caller;
}

ac_future *ac_stream::connect_addresses() {
  connect_future = new ac::ConnectFuture(loop, this);
  connect_future->ref();  // the caller's
  ac_future *caller = connect_future;
  try_connect_next();
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

static socklen_t addr_len(const sockaddr_storage &ss) {
  switch (ss.ss_family) {
    case AF_INET: return sizeof(sockaddr_in);
    case AF_INET6: return sizeof(sockaddr_in6);
    default: return sizeof(sockaddr_un);
  }
}

void ac_stream::try_connect_next() noexcept {
  if (phase != kConnecting) return;
  if (next_target >= targets.size()) {
    connect_failed_all(connect_error != 0 ? connect_error : AC_ECONNREFUSED);
    return;
  }
  if (next_target == 0 && copts != nullptr && connect_hook()) return;
  const sockaddr_storage &ss = targets[next_target++];
  int rc = open_socket(ss.ss_family);
  if (rc == 0 && copts != nullptr) rc = bind_local(ss.ss_family);
  if (rc != 0) {
    retry_or_fail(rc);
    return;
  }
  rc = ac::sys::connect(fd, reinterpret_cast<const sockaddr *>(&ss), addr_len(ss));
  if (rc == 0) {
    connected();
    return;
  }
  if (rc == ac::sys::kInProgress) {
    watch();  // writable when the attempt ends
    return;
  }
  retry_or_fail(rc);
}

// The socket became writable while connecting: the attempt ended.
void ac_stream::finish_connect() noexcept {
  int err = ac::sys::pending_error(fd);
  if (err == 0) {
    connected();
    return;
  }
  retry_or_fail(err);
}

void ac_stream::retry_or_fail(int code) noexcept {
  connect_error = code;
  if (next_target > 0 && next_target <= targets.size())
    note_connect_failure(targets[next_target - 1], code);
  if (next_target >= targets.size()) {
    connect_failed_all(code);
    return;
  }
  if (!handle_live) {
    try_connect_next();
    return;
  }
  // The watcher must be closed before it watches another socket.
  retrying = true;
  uv_close(reinterpret_cast<uv_handle_t *>(&poll), ac::on_close_cb);
  ac::sys::close(fd);
  fd = -1;
}

void ac_stream::connected() noexcept {
  phase = kOpen;
  if (!is_unix) {
    int on = 1;
    ac::sys::set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, on);
  }
  if (copts != nullptr) set_default_nodelay();
  start_reading();
  if (write_buffer_size() != 0) flush();
  maybe_shutdown();
  watch();
  if (layer != nullptr && layer->on_connected(this)) {
    service_read();
    return;
  }
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

void ac_stream::detach_connect_future(ac_future *f) noexcept {
  static_cast<ac::ConnectFuture *>(f)->stream = nullptr;
}

void ac_stream::connect_failed(int code) noexcept {
  connect_error = code;
  read_error = code;
  write_error = code;
  wbuf.clear();
  woff = 0;
  fail_waiters(code);
  phase = kClosed;
  close_handle();
}

namespace {

// Python's repr of a socket address: ('127.0.0.1', 80) or
// ('::1', 80, 0, 0).
std::string python_address(const sockaddr_storage &ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  std::string out = "('";
  if (ss.ss_family == AF_INET6) {
    const auto *a = reinterpret_cast<const sockaddr_in6 *>(&ss);
    uv_inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    out += host;
    out += "', " + std::to_string(ntohs(a->sin6_port)) + ", " +
           std::to_string(ntohl(a->sin6_flowinfo)) + ", " + std::to_string(a->sin6_scope_id) + ")";
  } else {
    const auto *a = reinterpret_cast<const sockaddr_in *>(&ss);
    uv_inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    out += host;
    out += "', " + std::to_string(ntohs(a->sin_port)) + ")";
  }
  return out;
}

}  // namespace

// Every attempt failed. With one attempt, its error. With several, as
// asyncio's create_connection: the first attempt to fail gives the code
// and the message lists every attempt in the order they failed, "Multiple
// exceptions: [Errno 111] Connect call failed ('127.0.0.3', 80), ..."
// (asyncio raises a plain OSError without errno there; the code is kept so
// that a program can still tell a refusal from a timeout).
void ac_stream::connect_failed_all(int code) noexcept {
  if (connect_failures.size() < 2 || connect_future == nullptr) {
    connect_failed(code);
    return;
  }
  code = connect_failures.front().second;
  std::string m;
  try {
    m = "Multiple exceptions: ";
    bool first = true;
    for (const auto &f : connect_failures) {
      if (!first) m += ", ";
      first = false;
      m += "[Errno " + std::to_string(ac::sys::python_errno(f.second)) + "] Connect call failed " +
           python_address(f.first);
    }
  } catch (...) {
    connect_failed(code);
    return;
  }
  ac_future *f = connect_future;
  connect_future = nullptr;
  static_cast<ac::ConnectFuture *>(f)->stream = nullptr;
  ac::future_fail(f, code, m.c_str());
  f->unref();
  connect_failed(code);
}

// ---------------------------------------------------------------- reading

void ac_stream::start_reading() noexcept {
  if (!handle_live || phase != kOpen || reading || eof || read_error != 0 || read_paused) return;
  reading = true;
  watch();
}

void ac_stream::on_poll(int status, int events) noexcept {
  if (status < 0) {
    // libuv reports POLLERR as UV_EBADF and stops the watcher; the socket
    // itself tells the real error (SO_ERROR, recv, send).
    poll_events = 0;
    events = UV_READABLE | UV_WRITABLE;
  }
  if (phase == kConnecting) {
    if ((events & UV_WRITABLE) != 0) finish_connect();
    return;
  }
  if ((events & UV_READABLE) != 0 && reading) do_read();
  if ((events & UV_WRITABLE) != 0 && write_buffer_size() != 0) flush();
  if ((events & UV_WRITABLE) != 0 && sendfile_job != nullptr) sendfile_pump();
  if (status < 0) watch();
}

void ac_stream::do_read() noexcept {
  if (layer != nullptr) {
    layer->on_readable(this);
    return;
  }
  constexpr size_t kChunk = 65536;
  // A few reads per wake-up at most, so one fast peer cannot starve the
  // loop; level-triggered polling brings us back for the rest.
  for (int round = 0; round < 4; ++round) {
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
        read_error = AC_ENOMEM;
        break;
      }
      rbuf = p;
      rcap = want;
    }
    size_t room = rcap - rend;
    ac_ssize_t n = is_pipe ? pipe_read(rbuf + rend, room) : ac::sys::recv(fd, rbuf + rend, room);
    if (n > 0) {
      rend += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < room) break;  // drained
      continue;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    if (n == AC_EAGAIN) break;
    read_error = static_cast<int>(n);
    // The connection is gone both ways.
    if (write_error == 0) {
      write_error = read_error;
      wbuf.clear();
      woff = 0;
      release_drains();
    }
    break;
  }
  after_read();
}

void ac_stream::after_read() noexcept {
  if (eof || read_error != 0) reading = false;
  service_read();
  // Flow control, as asyncio's StreamReader: stop reading past twice the
  // limit, unless a read still waits for more (asyncio's _wait_for_data
  // resumes reading for any waiter: readexactly and read-until-EOF may
  // need more than twice the limit).
  if (reading && buffered() > 2 * limit && op == kNone) {
    reading = false;
    read_paused = true;
  }
  watch();
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

void ac_stream::forget_last_read() noexcept {
  if (last_read != nullptr) {
    last_read->stream = nullptr;
    last_read = nullptr;
  }
}

void ac_stream::give_back(ac::ReadFuture *f) noexcept {
  forget_last_read();
  if (op != kNone || phase >= kClosing || f->result.kind != AC_VALUE_BYTES) return;
  size_t len = f->result.u.bytes.len;
  const char *data = static_cast<const char *>(f->result.u.bytes.data);
  if (len == 0 || data == nullptr) return;
  if (rstart < len) {
    // Make room in front: the buffered bytes move back by what returns.
    size_t have = rend - rstart;
    if (rcap < have + len) {
      auto *p = static_cast<char *>(std::realloc(rbuf, have + len));
      if (p == nullptr) return;  // out of memory: the bytes stay lost
      rbuf = p;
      rcap = have + len;
    }
    std::memmove(rbuf + len, rbuf + rstart, have);
    rstart = len;
    rend = len + have;
  }
  rstart -= len;
  std::memcpy(rbuf + rstart, data, len);
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
      if (k > 0 && f->state == AC_FUTURE_RESULT) {
        forget_last_read();
        last_read = static_cast<ac::ReadFuture *>(f);
        last_read->stream = this;
      }
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
        const void *hit = ac::sys::find_bytes(base + op_searched, avail - op_searched, op_sep.data(), sl);
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
  auto *f = new ac::ReadFuture(loop);
  forget_last_read();  // its bytes could only go back in front of these
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
  if (!complete_read() && read_paused) {
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

// A pipe's read, in the seam's terms: bytes, 0 at end of file, or an error
// code (AC_EAGAIN when nothing is there).
ac_ssize_t ac_stream::pipe_read(void *p, size_t len) noexcept { return ac::sys::pipe_read(fd, p, len); }

// One non-blocking write: bytes written, or an error code (AC_EAGAIN when
// the kernel takes none). Neither a socket's nor a pipe's raises SIGPIPE
// (platform.hpp).
ac_ssize_t ac_stream::io_write(const void *p, size_t len) noexcept {
  return is_pipe ? ac::sys::pipe_write(fd, p, len) : ac::sys::send(fd, p, len);
}

int ac_stream::write(const void *data, size_t len) {
  if (write_error != 0) return write_error;
  if (phase >= kClosing) return AC_ECLOSED;
  if (eof_requested) return AC_ESTATE;
  if (sendfile_job != nullptr) return AC_ESTATE;
  if (len == 0) return 0;
  if (layer != nullptr) return layer->write(this, static_cast<const char *>(data), len);
  return write_raw(static_cast<const char *>(data), len);
}

int ac_stream::write_raw(const char *p, size_t len) noexcept {
  if (write_error != 0) return write_error;
  if (len == 0) return 0;
  if (phase == kOpen && write_buffer_size() == 0) {
    // Fast path: straight to the kernel, no copy.
    for (;;) {
      ac_ssize_t n = io_write(p, len);
      if (n >= 0) {
        if (static_cast<size_t>(n) == len) return 0;
        p += n;
        len -= static_cast<size_t>(n);
        break;
      }
      if (n == AC_EAGAIN) break;
      write_error = static_cast<int>(n);
      release_drains();
      return write_error;
    }
  }
  try {
    wbuf.insert(wbuf.end(), p, p + len);
  } catch (...) {
    return AC_ENOMEM;
  }
  if (write_buffer_size() > high_water) write_paused = true;
  watch();
  return 0;
}

// Sends what is queued, as far as the kernel takes it.
void ac_stream::flush() noexcept {
  while (woff < wbuf.size()) {
    ac_ssize_t n = io_write(wbuf.data() + woff, wbuf.size() - woff);
    if (n > 0) {
      woff += static_cast<size_t>(n);
      continue;
    }
    if (n == AC_EAGAIN) break;
    if (write_error == 0) write_error = n < 0 ? static_cast<int>(n) : AC_EPIPE;
    break;
  }
  if (woff == wbuf.size() || write_error != 0) {
    wbuf.clear();  // keeps the capacity
    woff = 0;
  } else if (woff >= kCompactAt && woff >= wbuf.size() / 2) {
    // A writer that tops the buffer up before it empties (drain wakes at
    // the low-water mark) never lets woff reach the end: the bytes sent
    // go, so the buffer holds what is queued, not all that was written.
    // Amortised: at least half the vector is moved away each time.
    wbuf.erase(wbuf.begin(), wbuf.begin() + static_cast<std::ptrdiff_t>(woff));
    woff = 0;
  }
  after_flush();
}

void ac_stream::after_flush() noexcept {
  if (write_error != 0) {
    release_drains();
  } else if (write_paused && write_buffer_size() <= low_water) {
    write_paused = false;
    release_drains();
  }
  if (write_buffer_size() == 0) {
    maybe_shutdown();
    if (phase == kClosing) {
      if (write_error == 0 && layer != nullptr && layer->hold_open(this)) {
        watch();
        return;
      }
      phase = kClosed;
      close_handle();
      return;
    }
  }
  watch();
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
  return ac::future_listed(loop, drain_waiters);
}

int ac_stream::write_eof() noexcept {
  if (phase >= kClosing) return AC_ECLOSED;
  if (layer != nullptr) return AC_ENOTSUP;  // TLS has no half-close
  eof_requested = true;
  maybe_shutdown();
  return 0;
}

void ac_stream::maybe_shutdown() noexcept {
  if (!eof_requested || eof_sent || phase != kOpen || write_buffer_size() != 0 ||
      write_error != 0)
    return;
  eof_sent = true;
  if (is_pipe) {
    // A pipe has no half-close: its end of file is closing it.
    close();
    return;
  }
  if (int e = ac::sys::shutdown_write(fd); e != 0) write_error = e;
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
  if (layer != nullptr) layer->on_close(this);
  phase = kClosing;
  fail_read(AC_ECLOSED);
  reading = false;
  if (write_buffer_size() == 0 || write_error != 0) {
    if (write_error == 0 && layer != nullptr && layer->hold_open(this)) {
      watch();
      return;
    }
    phase = kClosed;
    close_handle();
    return;
  }
  watch();  // flushing: writable only
}

void ac_stream::close_handle() noexcept {
  if (tty_mode != nullptr && fd >= 0) ac::sys::restore_terminal(fd, tty_mode);  // leave as found
  if (registered) {
    loop->remove_closable(this);
    registered = false;
  }
  if (resolve != nullptr) {
    resolve->stream = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t *>(&resolve->req));
    resolve = nullptr;
  }
  if (racer != nullptr) race_lost(0);
  if (handle_live) {
    auto *hh = reinterpret_cast<uv_handle_t *>(&poll);
    if (!uv_is_closing(hh)) uv_close(hh, ac::on_close_cb);
    // Safe now: closing the watcher took the socket out of epoll.
    if (fd >= 0) ac::sys::close(fd);
    fd = -1;
    return;  // finish_closed runs from the close callback
  }
  if (fd >= 0) ac::sys::close(fd);
  fd = -1;
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
  if (layer != nullptr) layer->fail(this, code);
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
  extras_closed();
  fail_waiters(write_error != 0 ? write_error : AC_ECLOSED);
  ac::complete_listed_none(closed_waiters);
}

void ac_stream::close_for_loop() noexcept {
  // The loop took us off its list. Everything ends now: the futures are
  // completed while the loop can still discard their callbacks; libuv's
  // close callback comes during the loop's final uv_run and only frees.
  // Their tasks are reported as destroyed while pending; the futures'
  // own errors are not reported again.
  registered = false;
  phase = kClosed;
  wbuf.clear();
  woff = 0;
  if (op_future != nullptr) op_future->mark_error_retrieved();
  for (ac_future *f : drain_waiters) f->mark_error_retrieved();
  if (connect_future != nullptr) connect_future->mark_error_retrieved();
  fail_waiters(AC_ECLOSED);
  close_handle();
  finish_closed();
}

ac_future *ac_stream::wait_closed() {
  if (phase == kClosed && !handle_live) return ac::future_done_none(loop);
  return ac::future_listed(loop, closed_waiters);
}

int ac_stream::address(bool peer, std::string *out) const {
  if (phase == kConnecting) return AC_ESTATE;
  if (phase == kClosed || fd < 0) return AC_ECLOSED;
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
  if (rc != 0) return ac::sys::last_error();
  return ac::format_address(reinterpret_cast<sockaddr *>(&ss), len, out);
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
