// fs.cpp — file-system requests as futures (uv_fs_* on libuv's thread
// pool) and the buffered file object.
#include "io/fs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/value.hpp"
#include "io/net.hpp"
#include "io/platform.hpp"

namespace ac {

std::string fs_error_message(int code, const char *path, const char *path2) {
  std::string m = "[Errno ";
  int number = sys::python_errno(code);
  m += std::to_string(number);
  m += "] ";
  m += std::strerror(number);
  if (path != nullptr) {
    m += ": '";
    m += path;
    m += "'";
    if (path2 != nullptr) {
      m += " -> '";
      m += path2;
      m += "'";
    }
  }
  return m;
}

bool fs_mode_flags(const char *mode, int *flags) noexcept {
  if (mode == nullptr || *mode == '\0') return false;
  int base = 0;
  bool plus = false, seen_bt = false;
  switch (mode[0]) {
    case 'r': base = O_RDONLY; break;
    case 'w': base = O_WRONLY | O_CREAT | O_TRUNC; break;
    case 'a': base = O_WRONLY | O_CREAT | O_APPEND; break;
    case 'x': base = O_WRONLY | O_CREAT | O_EXCL; break;
    default: return false;
  }
  for (const char *p = mode + 1; *p != '\0'; ++p) {
    if (*p == '+' && !plus) {
      plus = true;
    } else if ((*p == 'b' || *p == 't') && !seen_bt) {
      seen_bt = true;
    } else {
      return false;
    }
  }
  if (plus) base = (base & ~(O_RDONLY | O_WRONLY)) | O_RDWR;
  *flags = base | ac::sys::kOpenNoInherit;
  return true;
}

namespace {

void copy_stat(const uv_stat_t &s, ac_stat *o) noexcept {
  o->dev = s.st_dev;
  o->ino = s.st_ino;
  o->mode = s.st_mode;
  o->nlink = s.st_nlink;
  o->uid = s.st_uid;
  o->gid = s.st_gid;
  o->rdev = s.st_rdev;
  o->size = s.st_size;
  o->blksize = s.st_blksize;
  o->blocks = s.st_blocks;
  auto secs = [](const uv_timespec_t &t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
  };
  o->atime = secs(s.st_atim);
  o->mtime = secs(s.st_mtim);
  o->ctime = secs(s.st_ctim);
  o->birthtime = secs(s.st_birthtim);
}

void set_int(ac_future *f, int64_t n) noexcept {
  if (f->done()) return;
  ac_value v;
  value_init(&v);
  v.kind = AC_VALUE_INT64;
  v.u.i64 = n;
  f->set_result(&v);
}

// The future is its own request. While the request is in flight libuv's
// callback holds one reference (it always comes, with UV_ECANCELED when
// cancelled in time), the loop's clock is held (as for an executor job)
// and the future is a closable of the loop.
struct FsFuture final : ac_future, Closable {
  uv_fs_t req{};
  FsOp op;
  bool registered = false;
  bool holds_clock = false;
  std::string path, path2;
  char *buf = nullptr;  // a read's destination or a write's copy; ours
  size_t len = 0;
  size_t moved = 0;  // bytes written / sent so far
  int fd = -1, fd2 = -1, flags = 0, mode = 0;
  int64_t offset = -1;

  FsFuture(ac_loop *l, FsOp o) noexcept : ac_future(l), op(o) {}
  ~FsFuture() override { std::free(buf); }
  const char *dump_kind() const noexcept override { return "fs"; }

  bool cancel(const char *message) noexcept override {
    if (!ac_future::cancel(message)) return false;
    uv_cancel(reinterpret_cast<uv_req_t *>(&req));  // may be too late: fine
    return true;
  }
  void close_for_loop() noexcept override {
    registered = false;
    future_fail(this, AC_ECLOSED);
    uv_cancel(reinterpret_cast<uv_req_t *>(&req));
  }
  void finished() noexcept {
    if (registered) {
      loop->remove_closable(this);
      registered = false;
    }
    if (holds_clock) {
      holds_clock = false;
      if (loop->thread_jobs > 0) --loop->thread_jobs;
    }
  }
  int submit() noexcept;
  void fail_os(int code) noexcept {
    if (done()) return;
    const bool has_path = op != FsOp::Close && op != FsOp::Read && op != FsOp::Write &&
                          op != FsOp::Fsync && op != FsOp::Fstat && op != FsOp::Sendfile;
    try {
      std::string m = fs_error_message(code, has_path ? path.c_str() : nullptr,
                                       op == FsOp::Rename ? path2.c_str() : nullptr);
      future_fail(this, code, m.c_str());
    } catch (...) {
      future_fail(this, code);
    }
  }
};

void on_fs(uv_fs_t *req);

int FsFuture::submit() noexcept {
  uv_loop_t *uvl = loop->uvl;
  req.data = this;
  uv_buf_t b;
  switch (op) {
    case FsOp::Open: return uv_fs_open(uvl, &req, path.c_str(), flags, mode, on_fs);
    case FsOp::Close: return uv_fs_close(uvl, &req, fd, on_fs);
    case FsOp::Read:
      b = uv_buf_init(buf, static_cast<unsigned>(len));
      return uv_fs_read(uvl, &req, fd, &b, 1, offset, on_fs);
    case FsOp::Write:
      // At most 1 GiB per system call (uv_buf_t's length is 32-bit); the
      // rest follows as a partial write does.
      b = uv_buf_init(buf + moved, static_cast<unsigned>(
          len - moved > (1u << 30) ? (1u << 30) : len - moved));
      return uv_fs_write(uvl, &req, fd, &b, 1,
                         offset < 0 ? -1 : offset + static_cast<int64_t>(moved), on_fs);
    case FsOp::Fsync: return uv_fs_fsync(uvl, &req, fd, on_fs);
    case FsOp::Stat: return uv_fs_stat(uvl, &req, path.c_str(), on_fs);
    case FsOp::Lstat: return uv_fs_lstat(uvl, &req, path.c_str(), on_fs);
    case FsOp::Fstat: return uv_fs_fstat(uvl, &req, fd, on_fs);
    case FsOp::Rename: return uv_fs_rename(uvl, &req, path.c_str(), path2.c_str(), on_fs);
    case FsOp::Unlink: return uv_fs_unlink(uvl, &req, path.c_str(), on_fs);
    case FsOp::Mkdir: return uv_fs_mkdir(uvl, &req, path.c_str(), mode, on_fs);
    case FsOp::Rmdir: return uv_fs_rmdir(uvl, &req, path.c_str(), on_fs);
    case FsOp::Scandir: return uv_fs_scandir(uvl, &req, path.c_str(), 0, on_fs);
    case FsOp::Sendfile:
      return uv_fs_sendfile(uvl, &req, fd2, fd, offset + static_cast<int64_t>(moved),
                            len - moved, on_fs);
  }
  return AC_EINTERNAL;
}

void complete(FsFuture *f, ssize_t r) noexcept {
  switch (f->op) {
    case FsOp::Open: set_int(f, r); break;
    case FsOp::Read: {
      char *data = f->buf;
      f->buf = nullptr;
      data[r] = '\0';
      future_set_bytes(f, data, static_cast<size_t>(r));
      break;
    }
    case FsOp::Write:
    case FsOp::Sendfile: set_int(f, static_cast<int64_t>(f->moved)); break;
    case FsOp::Stat:
    case FsOp::Lstat:
    case FsOp::Fstat: {
      ac_stat st;
      std::memset(&st, 0, sizeof st);
      copy_stat(f->req.statbuf, &st);
      future_copy_bytes(f, &st, sizeof st);
      break;
    }
    case FsOp::Scandir: {
      std::string names;
      try {
        uv_dirent_t ent;
        while (uv_fs_scandir_next(&f->req, &ent) == 0) {
          names += ent.name;
          names += '\0';
        }
      } catch (...) {
        future_fail(f, AC_ENOMEM);
        break;
      }
      future_copy_bytes(f, names.data(), names.size());
      break;
    }
    default: future_set_none(f); break;
  }
}

void on_fs(uv_fs_t *req) {
  auto *f = static_cast<FsFuture *>(req->data);
  ssize_t r = req->result;
  if (r >= 0 && !f->done() && !f->loop->closed &&
      ((f->op == FsOp::Write && r > 0) || (f->op == FsOp::Sendfile && r > 0))) {
    f->moved += static_cast<size_t>(r);
    if (f->moved < f->len) {  // a partial transfer: go on from where it stopped
      uv_fs_req_cleanup(req);
      int rc = f->submit();
      if (rc == 0) return;
      r = rc;
    } else {
      r = 0;
    }
  }
  if (f->done() || f->loop->closed) {
    // Cancelled too late, or the loop closed: drop the result, but never
    // leak what it made.
    if (f->op == FsOp::Open && r >= 0) ac::sys::close_file(static_cast<int>(r));
  } else if (r < 0) {
    f->fail_os(static_cast<int>(r));
  } else {
    complete(f, r);
  }
  uv_fs_req_cleanup(req);
  f->finished();
  f->unref();  // the request's reference
}

}  // namespace

int fs_request(ac_loop *loop, const FsArgs &a, ac_future **out) {
  auto *f = new FsFuture(loop, a.op);
  struct Del {
    FsFuture *f;
    ~Del() {
      if (f != nullptr) {
        f->refs = 0;
        delete f;
      }
    }
  } guard{f};
  if (a.path != nullptr) f->path = a.path;
  if (a.path2 != nullptr) f->path2 = a.path2;
  f->fd = a.fd;
  f->fd2 = a.fd2;
  f->flags = a.flags;
  f->mode = a.mode;
  f->offset = a.offset;
  f->len = a.len;
  if (a.op == FsOp::Read) {
    f->buf = static_cast<char *>(std::malloc(a.len + 1));
    if (f->buf == nullptr) throw std::bad_alloc();
  } else if (a.op == FsOp::Write) {
    f->buf = static_cast<char *>(std::malloc(a.len == 0 ? 1 : a.len));
    if (f->buf == nullptr) throw std::bad_alloc();
    if (a.len != 0) std::memcpy(f->buf, a.data, a.len);
  }
  if ((a.op == FsOp::Write || a.op == FsOp::Sendfile) && a.len == 0) {
    // Nothing to move: done at once, through the loop.
    guard.f = nullptr;
    set_int(f, 0);
    *out = f;
    return 0;
  }
  int rc = f->submit();
  if (rc != 0) return rc;
  guard.f = nullptr;
  f->ref();  // the request's
  loop->add_closable(f);
  f->registered = true;
  ++loop->thread_jobs;
  f->holds_clock = true;
  *out = f;
  return 0;
}

}  // namespace ac

// ---------------------------------------------------------------- ac_file

struct ac_file final : ac::Closable {
  ac_loop *loop;
  int refs = 1;
  int fd = -1;
  enum State : uint8_t { Opening, Open, Closing, Closed } state = Opening;
  bool append = false;
  bool busy = false;          // a request is in flight (it holds a reference)
  bool close_requested = false;
  bool eof = false;           // the last read from the kernel found the end
  int error = 0;              // the open's error, or a write's (sticky)
  std::string path;
  uv_fs_t req{};
  int64_t off = 0;            // the file offset after the buffered bytes
  // Read buffer: the unread bytes are rbuf[rpos..].
  std::string rbuf;
  size_t rpos = 0;
  std::vector<char> chunk;    // a read's destination while in flight
  // A sized read(n) with nothing buffered reads straight into the block it
  // will hand to its future (malloc'd, n + 1 bytes: no copy on the way);
  // the request owns it until it ends (on_file_req frees what it keeps).
  char *direct = nullptr;
  // The pending read.
  ac_future *rfut = nullptr;
  int rkind = 0;
  size_t rn = 0;
  std::string sep;
  // Bytes from rpos that the pending readline/readuntil searched already
  // without a match: each chunk read is searched once (with the
  // separator's length less one before it), not the whole line again.
  size_t rsearched = 0;
  // Writing: `wbuf` waits, `wflight` is being written.
  std::string wbuf, wflight;
  size_t wdone = 0;
  std::vector<ac_future *> drainers;
  std::vector<ac_future *> closers;
  ac_future *opened = nullptr;
  bool registered = false;

  explicit ac_file(ac_loop *l) noexcept : loop(l) { l->refs.fetch_add(1); }
  ~ac_file() {
    std::free(direct);
    if (registered) loop->remove_closable(this);
    if (loop->refs.fetch_sub(1) == 1) loop->destroy();
  }

  size_t avail() const noexcept { return rbuf.size() - rpos; }
  void unref() noexcept {
    if (--refs == 0) {
      delete this;
    }
  }
  void last_user_gone() noexcept;
  void close_for_loop() noexcept override;
  void pump() noexcept;
  bool try_serve() noexcept;
  void fail_reader(int code, const char *message = nullptr) noexcept {
    if (rfut == nullptr) return;
    ac::future_fail(rfut, code, message);
    rfut->unref();
    rfut = nullptr;
  }
  void end_drainers() noexcept {
    for (ac_future *d : drainers) {
      if (error != 0)
        ac::future_fail(d, error);
      else
        ac::future_set_none(d);
      d->unref();
    }
    drainers.clear();
  }
  void start(int rc_of_submit) noexcept;
  void take(size_t n) noexcept;
};

namespace {

void on_file_req(uv_fs_t *req);

}  // namespace

void ac_file::take(size_t n) noexcept {
  char *data = static_cast<char *>(std::malloc(n + 1));
  if (data == nullptr) {
    ac::future_fail(rfut, AC_ENOMEM);
  } else {
    if (n != 0) std::memcpy(data, rbuf.data() + rpos, n);
    data[n] = '\0';
    rpos += n;
    ac::future_set_bytes(rfut, data, n);
  }
  rfut->unref();
  rfut = nullptr;
  if (rpos == rbuf.size()) {
    rbuf.clear();
    rpos = 0;
  } else if (rpos > 65536 && rpos > rbuf.size() / 2) {
    rbuf.erase(0, rpos);
    rpos = 0;
  }
}

// Serves the pending read from the buffer if it can; true when it did (or
// when there is no pending read any more).
bool ac_file::try_serve() noexcept {
  if (rfut == nullptr) return true;
  if (rfut->done()) {  // cancelled: its bytes stay in the buffer
    rfut->unref();
    rfut = nullptr;
    return true;
  }
  size_t n = avail();
  switch (rkind) {
    case ac::kFileRead:
      if (rn == SIZE_MAX) {
        if (!eof) return false;
        eof = false;
        take(n);
        return true;
      }
      if (n > 0) {
        take(n < rn ? n : rn);
        return true;
      }
      if (eof) {
        eof = false;
        take(0);
        return true;
      }
      return false;
    default: {
      const char *s = rkind == ac::kFileLine ? "\n" : sep.data();
      size_t sl = rkind == ac::kFileLine ? 1 : sep.size();
      size_t at = rbuf.find(s, rpos + (rsearched >= sl ? rsearched - (sl - 1) : 0), sl);
      if (at != std::string::npos) {
        take(at - rpos + sl);
        return true;
      }
      rsearched = n;
      if (!eof) return false;
      eof = false;
      if (rkind == ac::kFileLine) {
        take(n);
        return true;
      }
      char *data = static_cast<char *>(std::malloc(n + 1));
      if (data == nullptr) {
        fail_reader(AC_ENOMEM);
        return true;
      }
      if (n != 0) std::memcpy(data, rbuf.data() + rpos, n);
      data[n] = '\0';
      rbuf.clear();
      rpos = 0;
      ac::future_fail_with_bytes(rfut, AC_EINCOMPLETE, nullptr, data, n);
      rfut->unref();
      rfut = nullptr;
      return true;
    }
  }
}

void ac_file::start(int rc) noexcept {
  if (rc == 0) {
    busy = true;
    ++refs;  // the request's
    ++loop->thread_jobs;
    return;
  }
  // libuv refused the request: treat it as its failure.
  error = rc;
  fail_reader(rc);
  end_drainers();
}

// Starts the next request, if any is needed and none is in flight.
void ac_file::pump() noexcept {
  if (busy || loop->closed || state == Closed || state == Opening) return;
  if (!wbuf.empty() && error == 0) {
    wflight.swap(wbuf);
    wbuf.clear();
    wdone = 0;
    uv_buf_t b = uv_buf_init(wflight.data(), static_cast<unsigned>(
        wflight.size() > (1u << 30) ? (1u << 30) : wflight.size()));
    req.data = this;
    start(uv_fs_write(loop->uvl, &req, fd, &b, 1, append ? -1 : off, on_file_req));
    if (busy) return;
  }
  if (wbuf.empty() && wflight.empty() && !drainers.empty()) end_drainers();
  if (rfut != nullptr) {
    if (try_serve()) {
      // served; a new read may come later
    } else if (error != 0) {
      fail_reader(error);
    } else {
      size_t want = rkind == ac::kFileRead && rn != SIZE_MAX && rn > 65536 ? rn : 65536;
      if (want > (16u << 20)) want = 16u << 20;
      char *dest;
      if (rkind == ac::kFileRead && rn != SIZE_MAX && avail() == 0) {
        if (want > rn) want = rn;
        direct = static_cast<char *>(std::malloc(want + 1));
        if (direct == nullptr) {
          fail_reader(AC_ENOMEM);
          return;
        }
        dest = direct;
      } else {
        try {
          chunk.resize(want);
        } catch (...) {
          fail_reader(AC_ENOMEM);
          return;
        }
        dest = chunk.data();
      }
      uv_buf_t b = uv_buf_init(dest, static_cast<unsigned>(want));
      req.data = this;
      start(uv_fs_read(loop->uvl, &req, fd, &b, 1, off, on_file_req));
      if (busy) return;
    }
  }
  if (close_requested && state == Open && wbuf.empty()) {
    state = Closing;
    fail_reader(AC_ECLOSED);
    req.data = this;
    int rc = uv_fs_close(loop->uvl, &req, fd, on_file_req);
    if (rc == 0) {
      start(0);
    } else {
      ac::sys::close_file(fd);
      fd = -1;
      state = Closed;
      for (ac_future *c : closers) {
        if (error != 0)
          ac::future_fail(c, error);
        else
          ac::future_set_none(c);
        c->unref();
      }
      closers.clear();
    }
  }
}

namespace {

void on_file_req(uv_fs_t *req) {
  auto *f = static_cast<ac_file *>(req->data);
  ssize_t r = req->result;
  uv_fs_type type = req->fs_type;
  uv_fs_req_cleanup(req);
  f->busy = false;
  char *direct = f->direct;  // this request's block, if it read into one
  f->direct = nullptr;
  if (f->loop->thread_jobs > 0) --f->loop->thread_jobs;
  if (f->loop->closed) {
    // The loop closed while the request ran: close_for_loop already
    // failed everything; close what the request leaves open.
    if (type == UV_FS_OPEN && r >= 0) ac::sys::close_file(static_cast<int>(r));
    std::free(direct);
    if (type != UV_FS_OPEN && type != UV_FS_CLOSE && f->fd >= 0) ac::sys::close_file(f->fd);
    f->fd = -1;
    f->state = ac_file::Closed;
    f->unref();
    return;
  }
  switch (type) {
    case UV_FS_OPEN:
      if (r < 0) {
        f->error = static_cast<int>(r);
        f->state = ac_file::Closed;
        std::string m;
        try {
          m = ac::fs_error_message(f->error, f->path.c_str());
        } catch (...) {
        }
        if (f->opened != nullptr)
          ac::future_fail(f->opened, f->error, m.empty() ? nullptr : m.c_str());
        f->fail_reader(f->error, m.empty() ? nullptr : m.c_str());
        f->end_drainers();
        for (ac_future *c : f->closers) {
          ac::future_set_none(c);
          c->unref();
        }
        f->closers.clear();
      } else {
        f->fd = static_cast<int>(r);
        f->state = ac_file::Open;
        if (f->opened != nullptr) ac::future_set_none(f->opened);
      }
      if (f->opened != nullptr) {
        f->opened->unref();
        f->opened = nullptr;
      }
      break;
    case UV_FS_READ:
      if (r < 0) {
        f->fail_reader(static_cast<int>(r), nullptr);
      } else if (r == 0) {
        f->eof = true;
      } else if (direct != nullptr && f->rfut != nullptr && !f->rfut->done() &&
                 f->rkind == ac::kFileRead && f->avail() == 0 && static_cast<size_t>(r) <= f->rn) {
        // The read(n) it was made for still waits: the block is its result.
        f->eof = false;
        f->off += r;
        direct[r] = '\0';
        ac::future_set_bytes(f->rfut, direct, static_cast<size_t>(r));
        direct = nullptr;
        f->rfut->unref();
        f->rfut = nullptr;
      } else {
        f->eof = false;
        try {
          f->rbuf.append(direct != nullptr ? direct : f->chunk.data(), static_cast<size_t>(r));
          f->off += r;
        } catch (...) {
          f->fail_reader(AC_ENOMEM);
        }
      }
      std::free(direct);
      break;
    case UV_FS_WRITE:
      if (r < 0) {
        f->error = static_cast<int>(r);
        f->wflight.clear();
        f->wbuf.clear();
        f->end_drainers();
      } else {
        f->wdone += static_cast<size_t>(r);
        if (!f->append) f->off += r;
        if (f->wdone < f->wflight.size()) {
          uv_buf_t b = uv_buf_init(f->wflight.data() + f->wdone,
                                   static_cast<unsigned>(f->wflight.size() - f->wdone > (1u << 30)
                                                             ? (1u << 30)
                                                             : f->wflight.size() - f->wdone));
          req->data = f;
          f->start(uv_fs_write(f->loop->uvl, req, f->fd, &b, 1, f->append ? -1 : f->off,
                               on_file_req));
          if (f->busy) {
            f->unref();  // the finished request's; the new one took its own
            return;
          }
        }
        f->wflight.clear();
      }
      break;
    case UV_FS_CLOSE: {
      int err = f->error;
      if (err == 0 && r < 0) err = static_cast<int>(r);
      f->fd = -1;
      f->state = ac_file::Closed;
      for (ac_future *c : f->closers) {
        if (err != 0)
          ac::future_fail(c, err);
        else
          ac::future_set_none(c);
        c->unref();
      }
      f->closers.clear();
      break;
    }
    default: break;
  }
  f->pump();
  f->unref();  // the request's
}

}  // namespace

void ac_file::close_for_loop() noexcept {
  registered = false;
  if (opened != nullptr) {
    ac::future_fail(opened, AC_ECLOSED);
    opened->unref();
    opened = nullptr;
  }
  fail_reader(AC_ECLOSED);
  error = error != 0 ? error : AC_ECLOSED;
  wbuf.clear();
  end_drainers();
  for (ac_future *c : closers) {
    ac::future_fail(c, AC_ECLOSED);
    c->unref();
  }
  closers.clear();
  if (!busy) {
    if (fd >= 0) ac::sys::close_file(fd);
    fd = -1;
    state = Closed;
  }
  // A request in flight closes the descriptor when it ends (on_file_req).
}

void ac_file::last_user_gone() noexcept {
  // Write out and close in the background; the request holds the file.
  if (state == Open || state == Opening) {
    close_requested = true;
    pump();
  }
}

namespace ac {

int file_open(ac_loop *loop, const char *path, int flags, ac_file **file_out,
              ac_future **opened_out) {
  auto *f = new ac_file(loop);
  try {
    f->path = path;
    f->opened = new ac_future(loop);
  } catch (...) {
    delete f;
    throw;
  }
  f->append = (flags & O_APPEND) != 0;
  f->req.data = f;
  int rc = uv_fs_open(loop->uvl, &f->req, path, flags, 0666, on_file_req);
  if (rc != 0) {
    f->opened->unref();
    f->opened = nullptr;
    delete f;
    return rc;
  }
  f->start(0);
  loop->add_closable(f);
  f->registered = true;
  f->opened->ref();
  *opened_out = f->opened;
  *file_out = f;
  return 0;
}

void file_ref(ac_file *f) noexcept { ++f->refs; }

void file_unref(ac_file *f) noexcept {
  // The users' last reference is the one not held by a request.
  if (f->refs == 1 + (f->busy ? 1 : 0)) {
    f->refs += 1;  // hold it while deciding
    f->last_user_gone();
    f->refs -= 1;
  }
  f->unref();
}

ac_loop *file_loop(const ac_file *f) noexcept { return f->loop; }

int file_fileno(const ac_file *f) noexcept {
  if (f->state == ac_file::Opening) return AC_ESTATE;
  if (f->state == ac_file::Closed || f->fd < 0) return AC_ECLOSED;
  return f->fd;
}

int file_read(ac_file *f, int kind, size_t n, const void *sep, size_t sep_len,
              ac_future **out) {
  if (f->rfut != nullptr && !f->rfut->done()) return AC_ESTATE;
  if (f->rfut != nullptr) {
    f->rfut->unref();
    f->rfut = nullptr;
  }
  if (f->close_requested || f->state == ac_file::Closing ||
      (f->state == ac_file::Closed && f->error == 0) || f->loop->closed)
    return AC_ECLOSED;
  auto *fut = new ac_future(f->loop);
  if (kind == kFileUntil) {
    try {
      f->sep.assign(static_cast<const char *>(sep), sep_len);
    } catch (...) {
      fut->refs = 0;
      delete fut;
      throw;
    }
  }
  f->rkind = kind;
  f->rn = n;
  f->rsearched = 0;
  f->rfut = fut;
  fut->ref();  // the file's
  *out = fut;
  if (f->state == ac_file::Closed) {
    f->fail_reader(f->error);
    return 0;
  }
  f->pump();
  return 0;
}

int file_write(ac_file *f, const void *data, size_t len) {
  if (f->close_requested || f->state == ac_file::Closing || f->loop->closed) return AC_ECLOSED;
  if (f->error != 0) return f->error;
  if (f->state == ac_file::Closed) return AC_ECLOSED;
  if (len == 0) return 0;
  // Give up what was read ahead: the write goes where the reader stands.
  if (f->avail() > 0 && !f->append) f->off -= static_cast<int64_t>(f->avail());
  f->rbuf.clear();
  f->rpos = 0;
  f->rsearched = 0;
  f->eof = false;
  f->wbuf.append(static_cast<const char *>(data), len);
  f->pump();
  return 0;
}

int file_drain(ac_file *f, ac_future **out) {
  auto *fut = new ac_future(f->loop);
  if (f->wbuf.empty() && f->wflight.empty()) {
    if (f->error != 0 && f->state != ac_file::Closed)
      future_fail(fut, f->error);
    else
      future_set_none(fut);
    *out = fut;
    return 0;
  }
  try {
    f->drainers.push_back(fut);
  } catch (...) {
    fut->refs = 0;
    delete fut;
    throw;
  }
  fut->ref();
  *out = fut;
  return 0;
}

int file_close(ac_file *f, ac_future **out) {
  auto *fut = new ac_future(f->loop);
  if (f->state == ac_file::Closed) {
    future_set_none(fut);
    *out = fut;
    return 0;
  }
  try {
    f->closers.push_back(fut);
  } catch (...) {
    fut->refs = 0;
    delete fut;
    throw;
  }
  fut->ref();
  *out = fut;
  f->close_requested = true;
  f->fail_reader(AC_ECLOSED);
  f->pump();
  return 0;
}

}  // namespace ac
