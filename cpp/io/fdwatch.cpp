// fdwatch.cpp — any descriptor (asyncore/fdwatch.h): readers and writers,
// readiness futures and the sock_* operations, on one uv_poll_t per
// descriptor per loop.
//
// Each loop that watches descriptors has a table (fd -> watch), found
// through a process-wide map, and a prepare handle that runs before every
// poll: it drops the watches whose descriptor was closed behind the loop's
// back, before libuv would hand that descriptor to epoll (where a closed
// one would be fatal to libuv) or wait on it forever. libuv hands epoll
// only the descriptors whose polling changed since the last poll: those
// (the table's dirty list) are checked before every poll; all of them are
// checked every watches / kSweepSlice polls (kSweepSlice checks per poll
// on average), so a loop watching many descriptors does not pay a system
// call per descriptor per iteration.
#include "io/fdwatch.hpp"


#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/future.hpp"
#include "core/value.hpp"
#include "io/net.hpp"

namespace ac {
namespace {

struct FdTable;
struct FdWatch;

// A future waiting for readiness; attempt() runs when the descriptor is
// ready and answers whether the operation is over.
struct SockOp : ac_future {
  FdWatch *watch = nullptr;
  bool write_side = false;
  int fd;
  SockOp(ac_loop *l, int d) noexcept : ac_future(l), fd(d) {}
  virtual bool attempt() noexcept = 0;
  bool cancel(const char *message) noexcept override;
  const char *dump_kind() const noexcept override { return "fdwatch"; }
};

struct Cb {
  ac_callback_fn fn = nullptr;
  void *ud = nullptr;
  ac_free_fn free_ud = nullptr;
};

struct FdWatch {
  FdTable *table;
  ac_loop *loop;
  int fd;
  uv_poll_t poll{};
  int events = 0;
  int holds = 1;  // the poll handle's, until its close callback
  bool closing = false;
  bool dirty = false;  // in the table's dirty list
  Cb reader, writer;
  std::vector<SockOp *> rwait, wwait;
  std::vector<Cb> to_free;  // released while their callback ran
  int running = 0;

  struct Hop final : Runnable {
    FdWatch *w;
    bool write;
    bool queued = false;
    Hop(FdWatch *ww, bool wr) noexcept : w(ww), write(wr) {}
    void run() noexcept override;
    void drop() noexcept override {
      queued = false;
      w->release();
    }
  } rhop{this, false}, whop{this, true};

  FdWatch(FdTable *t, ac_loop *l, int d) noexcept : table(t), loop(l), fd(d) {}
  void release() noexcept {
    if (--holds == 0) delete this;
  }
  void free_cb(Cb &c) noexcept {
    Cb old = c;
    c = Cb{};
    if (old.free_ud == nullptr) return;
    if (running > 0) {
      try {
        to_free.push_back(old);
        return;
      } catch (...) {
      }
    }
    old.free_ud(old.ud);
  }
  int update() noexcept;
  void fail_all(int code) noexcept;
  void shut() noexcept;
};

struct FdTable final : Closable {
  ac_loop *loop;
  uv_prepare_t prepare{};
  std::unordered_map<int, FdWatch *> watches;
  // Watches whose polling changed since the last poll (libuv gives them to
  // epoll next); a watch is listed once (its dirty flag), holding it (a
  // watch shut meanwhile stays listed, and is skipped).
  std::vector<FdWatch *> dirty;
  // The descriptors checked in turn: watches.size() / kSweepSlice polls
  // go by between two checks of the same watch.
  static constexpr size_t kSweepSlice = 64;
  size_t polls_since_sweep = 0;
  explicit FdTable(ac_loop *l) noexcept : loop(l) {}
  void close_for_loop() noexcept override;
  void check_closed() noexcept;
  void mark_dirty(FdWatch *w) noexcept;
};

std::mutex g_tables_mutex;
std::unordered_map<const ac_loop *, FdTable *> *g_tables = nullptr;

FdTable *find_table(const ac_loop *loop) noexcept {
  std::lock_guard<std::mutex> lock(g_tables_mutex);
  if (g_tables == nullptr) return nullptr;
  auto it = g_tables->find(loop);
  return it == g_tables->end() ? nullptr : it->second;
}

void on_prepare(uv_prepare_t *p) { static_cast<FdTable *>(p->data)->check_closed(); }

FdTable *table_for(ac_loop *loop) {
  FdTable *t = find_table(loop);
  if (t != nullptr) return t;
  t = new FdTable(loop);
  {
    std::lock_guard<std::mutex> lock(g_tables_mutex);
    try {
      if (g_tables == nullptr) g_tables = new std::unordered_map<const ac_loop *, FdTable *>();
      (*g_tables)[loop] = t;
    } catch (...) {
      delete t;
      throw;
    }
  }
  uv_prepare_init(loop->uvl, &t->prepare);
  t->prepare.data = t;
  uv_prepare_start(&t->prepare, on_prepare);
  uv_unref(reinterpret_cast<uv_handle_t *>(&t->prepare));
  loop->add_closable(t);
  return t;
}

void on_poll_closed(uv_handle_t *h) { static_cast<FdWatch *>(h->data)->release(); }

void FdWatch::shut() noexcept {
  if (closing) return;
  closing = true;
  table->watches.erase(fd);
  uv_poll_stop(&poll);
  uv_close(reinterpret_cast<uv_handle_t *>(&poll), on_poll_closed);
}

void on_poll(uv_poll_t *p, int status, int events);

int FdWatch::update() noexcept {
  if (closing) return 0;
  // Forget the waiters that were completed or cancelled.
  for (auto *list : {&rwait, &wwait}) {
    size_t k = 0;
    for (SockOp *op : *list) {
      if (op->done()) {
        op->watch = nullptr;
        op->unref();
      } else {
        (*list)[k++] = op;
      }
    }
    list->resize(k);
  }
  int want = ((reader.fn != nullptr || !rwait.empty()) ? UV_READABLE : 0) |
             ((writer.fn != nullptr || !wwait.empty()) ? UV_WRITABLE : 0);
  if (want == 0) {
    shut();
    return 0;
  }
  if (want == events) return 0;
  int rc = uv_poll_start(&poll, want, on_poll);
  if (rc == 0) {
    events = want;
    table->mark_dirty(this);
  }
  return rc;
}

void FdWatch::fail_all(int code) noexcept {
  for (auto *list : {&rwait, &wwait}) {
    for (SockOp *op : *list) {
      op->watch = nullptr;
      future_fail(op, code);
      op->unref();
    }
    list->clear();
  }
}

void run_waiters(std::vector<SockOp *> &list) noexcept {
  // attempt() completes futures only (no user code runs here), so the list
  // does not change under the loop.
  for (SockOp *op : list)
    if (!op->done()) op->attempt();
}

void on_poll(uv_poll_t *p, int status, int events) {
  auto *w = static_cast<FdWatch *>(p->data);
  if (w->closing) return;
  if (status < 0) {
    // libuv stops a poll that reports POLLERR (a socket with a pending
    // error: a refused connect, a reset). asyncio's selector calls such a
    // descriptor ready, and the operation's own system call tells the
    // error: do the same, and poll again if someone still waits.
    w->events = 0;
    events = UV_READABLE | UV_WRITABLE;
  }
  // Errors and hang-ups wake both sides, as they do in asyncio's selector.
  if ((events & UV_READABLE) != 0 || (events & UV_DISCONNECT) != 0) {
    if (w->reader.fn != nullptr && !w->rhop.queued) {
      w->rhop.queued = true;
      ++w->holds;
      w->loop->schedule(&w->rhop);
    }
    run_waiters(w->rwait);
  }
  if ((events & UV_WRITABLE) != 0) {
    if (w->writer.fn != nullptr && !w->whop.queued) {
      w->whop.queued = true;
      ++w->holds;
      w->loop->schedule(&w->whop);
    }
    run_waiters(w->wwait);
  }
  w->update();
}

void FdWatch::Hop::run() noexcept {
  queued = false;
  Cb c = write ? w->writer : w->reader;
  if (c.fn != nullptr && !w->closing) {
    ++w->running;
    bool saved = w->loop->in_callback;
    w->loop->in_callback = true;
    c.fn(w->loop, c.ud);
    w->loop->in_callback = saved;
    if (--w->running == 0) {
      std::vector<Cb> later;
      later.swap(w->to_free);
      for (Cb &x : later) x.free_ud(x.ud);
    }
  }
  w->release();
}

bool SockOp::cancel(const char *message) noexcept {
  if (!ac_future::cancel(message)) return false;
  if (watch != nullptr) watch->update();  // stops polling if nobody is left
  return true;
}

void FdTable::mark_dirty(FdWatch *w) noexcept {
  if (w->dirty) return;
  try {
    dirty.push_back(w);
    w->dirty = true;
    ++w->holds;
  } catch (...) {
    polls_since_sweep = SIZE_MAX;  // out of memory: check them all next time
  }
}

void FdTable::check_closed() noexcept {
  std::vector<FdWatch *> gone;
  auto check = [&gone](FdWatch *w) {
    if (sys::check_open(w->fd) == UV_EBADF) {
      try {
        gone.push_back(w);
      } catch (...) {
      }
    }
  };
  std::vector<FdWatch *> listed;
  listed.swap(dirty);
  for (FdWatch *w : listed) w->dirty = false;
  if (polls_since_sweep == SIZE_MAX || ++polls_since_sweep * kSweepSlice >= watches.size()) {
    // All of them: every poll while they are few, else every
    // watches.size() / kSweepSlice polls.
    polls_since_sweep = 0;
    for (auto &kv : watches) check(kv.second);
  } else {
    for (FdWatch *w : listed)
      if (!w->closing) check(w);
  }
  for (FdWatch *w : gone) {
    ++w->holds;
    w->shut();  // stop polling first: libuv must never see a closed fd
    std::string msg = "descriptor " + std::to_string(w->fd) +
                      " was closed while the loop watched it";
    if (w->reader.fn != nullptr || w->writer.fn != nullptr) {
      ac_error *e = nullptr;
      try {
        e = error_new(AC_EBADF, msg.c_str());
      } catch (...) {
      }
      loop->report(msg.c_str(), e, nullptr);
      error_unref(e);
    }
    w->free_cb(w->reader);
    w->free_cb(w->writer);
    w->fail_all(AC_EBADF);
    w->release();
  }
  for (FdWatch *w : listed) w->release();  // the dirty list's holds
  // The list's room serves the next poll (unless a report's handler
  // listed watches meanwhile).
  if (dirty.empty()) {
    listed.clear();
    dirty.swap(listed);
  }
}

void on_table_closed(uv_handle_t *h) { delete static_cast<FdTable *>(h->data); }

void FdTable::close_for_loop() noexcept {
  {
    std::lock_guard<std::mutex> lock(g_tables_mutex);
    if (g_tables != nullptr) g_tables->erase(loop);
  }
  std::vector<FdWatch *> all;
  try {
    for (auto &kv : watches) all.push_back(kv.second);
  } catch (...) {
  }
  for (FdWatch *w : all) {
    ++w->holds;
    w->shut();
    w->free_cb(w->reader);
    w->free_cb(w->writer);
    w->fail_all(AC_ECLOSED);
    w->release();
  }
  std::vector<FdWatch *> listed;
  listed.swap(dirty);
  for (FdWatch *w : listed) {
    w->dirty = false;
    w->release();
  }
  uv_prepare_stop(&prepare);
  uv_close(reinterpret_cast<uv_handle_t *>(&prepare), on_table_closed);
}

// The watch of `fd`, made (and its poll handle opened) if needed.
int watch_for(ac_loop *loop, int fd, FdWatch **out) {
  FdTable *t = table_for(loop);
  auto it = t->watches.find(fd);
  if (it != t->watches.end()) {
    *out = it->second;
    return 0;
  }
  if (int e = sys::check_open(fd); e != 0) return e;
  auto *w = new FdWatch(t, loop, fd);
  int rc = uv_poll_init_socket(loop->uvl, &w->poll, fd);  // any descriptor on POSIX
  if (rc != 0) {
    delete w;
    return rc;
  }
  w->poll.data = w;
  try {
    t->watches[fd] = w;
  } catch (...) {
    w->closing = true;
    uv_close(reinterpret_cast<uv_handle_t *>(&w->poll), on_poll_closed);
    throw;
  }
  *out = w;
  return 0;
}

// ---- the operations

struct WaitOp final : SockOp {
  using SockOp::SockOp;
  bool attempt() noexcept override {
    future_set_none(this);
    return true;
  }
};

struct RecvOp final : SockOp {
  size_t n;
  RecvOp(ac_loop *l, int d, size_t nn) noexcept : SockOp(l, d), n(nn) {}
  bool attempt() noexcept override {
    char *buf = static_cast<char *>(std::malloc(n + 1));
    if (buf == nullptr) {
      future_fail(this, AC_ENOMEM);
      return true;
    }
    ac_ssize_t r = sys::recv(fd, buf, n);
    if (r < 0) {
      std::free(buf);
      if (r == AC_EAGAIN) return false;
      future_fail(this, static_cast<int>(r));
      return true;
    }
    buf[r] = '\0';
    future_set_bytes(this, buf, static_cast<size_t>(r));
    return true;
  }
};

struct SendOp final : SockOp {
  std::string data;
  size_t sent = 0;
  using SockOp::SockOp;
  bool attempt() noexcept override {
    while (sent < data.size()) {
      ac_ssize_t r = sys::send(fd, data.data() + sent, data.size() - sent);
      if (r < 0) {
        if (r == AC_EAGAIN) return false;
        future_fail(this, static_cast<int>(r));
        return true;
      }
      sent += static_cast<size_t>(r);
    }
    future_set_none(this);
    return true;
  }
};

struct ConnectOp final : SockOp {
  using SockOp::SockOp;
  bool attempt() noexcept override {
    int err = sys::pending_error(fd);
    if (err == -EINPROGRESS || err == UV_EALREADY) return false;
    if (err != 0)
      future_fail(this, err);
    else
      future_set_none(this);
    return true;
  }
};

struct AcceptOp final : SockOp {
  using SockOp::SockOp;
  bool attempt() noexcept override {
    for (;;) {
      int c = sys::accept(fd);
      if (c >= 0) {
        ac_value v;
        value_init(&v);
        v.kind = AC_VALUE_INT64;
        v.u.i64 = c;
        set_result(&v);
        return true;
      }
      if (c == UV_ECONNABORTED) continue;
      if (c == AC_EAGAIN) return false;
      future_fail(this, c);
      return true;
    }
  }
};

// Tries `op` now; if it would block, lists it on the fd's watch.
int start_op(ac_loop *loop, SockOp *op, bool write_side, bool try_first, ac_future **out) {
  struct Del {
    SockOp *op;
    ~Del() {
      if (op != nullptr) {
        op->refs = 0;
        delete op;
      }
    }
  } guard{op};
  if (try_first && op->attempt()) {
    guard.op = nullptr;
    *out = op;
    return 0;
  }
  FdWatch *w = nullptr;
  int rc = watch_for(loop, op->fd, &w);
  if (rc != 0) return rc;
  auto &list = write_side ? w->wwait : w->rwait;
  list.push_back(op);
  op->ref();  // the list's
  op->watch = w;
  op->write_side = write_side;
  guard.op = nullptr;
  rc = w->update();
  if (rc != 0) {
    // The poll refused the descriptor: nothing can wake this op.
    future_fail(op, rc);
    w->update();
  }
  *out = op;
  return 0;
}

}  // namespace

int fd_add_callback(ac_loop *loop, int fd, bool write, ac_callback_fn fn, void *ud,
                    ac_free_fn free_ud) {
  FdWatch *w = nullptr;
  int rc = watch_for(loop, fd, &w);
  if (rc != 0) {
    if (free_ud != nullptr) free_ud(ud);
    return rc;
  }
  Cb &slot = write ? w->writer : w->reader;
  w->free_cb(slot);
  slot.fn = fn;
  slot.ud = ud;
  slot.free_ud = free_ud;
  rc = w->update();
  if (rc != 0) {
    w->free_cb(slot);
    w->update();
  }
  return rc;
}

int fd_remove_callback(ac_loop *loop, int fd, bool write) noexcept {
  FdTable *t = find_table(loop);
  if (t == nullptr) return 0;
  auto it = t->watches.find(fd);
  if (it == t->watches.end()) return 0;
  FdWatch *w = it->second;
  Cb &slot = write ? w->writer : w->reader;
  if (slot.fn == nullptr) return 0;
  w->free_cb(slot);
  w->update();
  return 1;
}

int fd_wait(ac_loop *loop, int fd, bool write, ac_future **out) {
  return start_op(loop, new WaitOp(loop, fd), write, false, out);
}

int sock_recv(ac_loop *loop, int fd, size_t n, ac_future **out) {
  return start_op(loop, new RecvOp(loop, fd, n), false, true, out);
}

int sock_sendall(ac_loop *loop, int fd, const void *data, size_t len, ac_future **out) {
  auto *op = new SendOp(loop, fd);
  try {
    op->data.assign(static_cast<const char *>(data), len);
  } catch (...) {
    op->refs = 0;
    delete op;
    throw;
  }
  return start_op(loop, op, true, true, out);
}

int sock_connect(ac_loop *loop, int fd, const char *address, ac_future **out) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (address[0] == '/' || address[0] == '.') {
    auto *un = reinterpret_cast<sockaddr_un *>(&ss);
    size_t n = std::strlen(address);
    if (n >= sizeof un->sun_path) return AC_EINVAL;
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, address, n + 1);
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n + 1);
  } else {
    if (parse_address(address, &ss) != 0) return AC_EINVAL;
    len = ss.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  }
  auto *op = new ConnectOp(loop, fd);
  int r = sys::connect(fd, reinterpret_cast<sockaddr *>(&ss), len);
  if (r != sys::kInProgress) {
    if (r == 0)
      future_set_none(op);
    else
      future_fail(op, r);
    *out = op;
    return 0;
  }
  return start_op(loop, op, true, false, out);
}

int sock_accept(ac_loop *loop, int fd, ac_future **out) {
  return start_op(loop, new AcceptOp(loop, fd), false, true, out);
}

}  // namespace ac
