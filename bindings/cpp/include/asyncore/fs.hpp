// asyncore/fs.hpp — files and any descriptor, over asyncore/fs.h and
// asyncore/fdwatch.h.
//
//   ac::File f = co_await ac::File::open("log.txt", "r");
//   for (std::string line; !(line = co_await f.readline()).empty();) ...
//   co_await f.close();
//
//   int fd = co_await ac::fs::open("data.bin", O_RDONLY);
//   std::string tail = co_await ac::fs::read(fd, 64, size - 64);  // pread
//
//   loop.add_reader(fd, [] { ... });          // asyncio's add_reader
//   co_await ac::wait_readable(fd);
//   std::string got = co_await ac::sock_recv(sock, 4096);
//
// OS errors are thrown as Error with asyncio_class() FileNotFoundError,
// PermissionError, IsADirectoryError … and Python's message with the path.
#pragma once

#include <asyncore.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "error.hpp"
#include "future.hpp"
#include "loop.hpp"
#include "stream.hpp"
#include "task.hpp"

namespace asyncore {

namespace fs {

// open(2) flags from Python's open() mode ("r", "w", "a", "x", "+", "b").
inline int mode_flags(const char *mode) {
  int flags = 0;
  check(ac_fs_open_flags(mode, &flags));
  return flags;
}

// The descriptor; the caller closes it (fs::close).
inline detail::FutureAwaiter<int64_t> open(const std::string &path, int flags, int mode = 0666) {
  return detail::future_call<int64_t>(
      [&](ac_future **f) { return ac_fs_open(get_running_loop(), path.c_str(), flags, mode, f); });
}
inline detail::FutureAwaiter<void> close(int fd) {
  return detail::future_call<void>([&](ac_future **f) { return ac_fs_close(get_running_loop(), fd, f); });
}
// Up to n bytes at `offset` (pread), or at the position with -1.
inline detail::FutureAwaiter<std::string> read(int fd, size_t n, int64_t offset = -1) {
  return detail::future_call<std::string>(
      [&](ac_future **f) { return ac_fs_read(get_running_loop(), fd, n, offset, f); });
}
// Writes all of `data` (copied now); the count written.
inline detail::FutureAwaiter<int64_t> write(int fd, std::string_view data, int64_t offset = -1) {
  return detail::future_call<int64_t>([&](ac_future **f) {
    return ac_fs_write(get_running_loop(), fd, data.data(), data.size(), offset, f);
  });
}
inline detail::FutureAwaiter<void> fsync(int fd) {
  return detail::future_call<void>([&](ac_future **f) { return ac_fs_fsync(get_running_loop(), fd, f); });
}
inline detail::FutureAwaiter<void> rename(const std::string &from, const std::string &to) {
  return detail::future_call<void>([&](ac_future **f) {
    return ac_fs_rename(get_running_loop(), from.c_str(), to.c_str(), f);
  });
}
inline detail::FutureAwaiter<void> unlink(const std::string &path) {
  return detail::future_call<void>(
      [&](ac_future **f) { return ac_fs_unlink(get_running_loop(), path.c_str(), f); });
}
inline detail::FutureAwaiter<void> mkdir(const std::string &path, int mode = 0777) {
  return detail::future_call<void>(
      [&](ac_future **f) { return ac_fs_mkdir(get_running_loop(), path.c_str(), mode, f); });
}
inline detail::FutureAwaiter<void> rmdir(const std::string &path) {
  return detail::future_call<void>(
      [&](ac_future **f) { return ac_fs_rmdir(get_running_loop(), path.c_str(), f); });
}
// Copies up to len bytes of in_fd from in_offset to out_fd; the count.
inline detail::FutureAwaiter<int64_t> sendfile(int out_fd, int in_fd, int64_t in_offset, size_t len) {
  return detail::future_call<int64_t>([&](ac_future **f) {
    return ac_fs_sendfile(get_running_loop(), out_fd, in_fd, in_offset, len, f);
  });
}

namespace detail_fs {
inline Task<ac_stat> stat_of(int rc, ac_future *made) {
  check(rc);
  Future f = Future::adopt(made);
  co_await f;
  ac_stat st{};
  check(ac_fs_stat_result(f.get(), &st));
  co_return st;
}
}  // namespace detail_fs

inline Task<ac_stat> stat(const std::string &path) {
  ac_future *f = nullptr;
  int rc = ac_fs_stat(get_running_loop(), path.c_str(), &f);
  return detail_fs::stat_of(rc, f);
}
inline Task<ac_stat> lstat(const std::string &path) {
  ac_future *f = nullptr;
  int rc = ac_fs_lstat(get_running_loop(), path.c_str(), &f);
  return detail_fs::stat_of(rc, f);
}
inline Task<ac_stat> fstat(int fd) {
  ac_future *f = nullptr;
  int rc = ac_fs_fstat(get_running_loop(), fd, &f);
  return detail_fs::stat_of(rc, f);
}

// The names in a directory, sorted, without "." and "..".
inline Task<std::vector<std::string>> scandir(std::string path) {
  std::string all = co_await detail::future_call<std::string>(
      [&](ac_future **f) { return ac_fs_scandir(get_running_loop(), path.c_str(), f); });
  std::vector<std::string> names;
  for (size_t at = 0; at < all.size();) {
    size_t end = all.find('\0', at);
    names.emplace_back(all, at, end - at);
    at = end + 1;
  }
  co_return names;
}

}  // namespace fs

// A buffered file (ac_file): reads like a Stream. Move-only; the
// destructor never blocks: a file still open is written out and closed in
// the background.
class File {
 public:
  File() noexcept = default;
  File(File &&o) noexcept : f_(std::exchange(o.f_, nullptr)) {}
  File &operator=(File o) noexcept {
    std::swap(f_, o.f_);
    return *this;
  }
  ~File() { if (f_ != nullptr) ac_file_unref(f_); }

  // Python's open() modes: "r", "w", "a", "x", with "+".
  static Task<File> open(std::string path, std::string mode = "r") {
    File file;
    ac_future *opened = nullptr;
    check(ac_file_open(get_running_loop(), path.c_str(), mode.c_str(), &file.f_, &opened));
    Future f = Future::adopt(opened);
    co_await f;
    co_return file;
  }

  detail::FutureAwaiter<std::string> read(size_t n = SIZE_MAX) {
    return detail::future_call<std::string>([&](ac_future **f) { return ac_file_read(f_, n, f); });
  }
  // A line with its "\n"; "" at the end of the file.
  detail::FutureAwaiter<std::string> readline() {
    return detail::future_call<std::string>([&](ac_future **f) { return ac_file_readline(f_, f); });
  }
  detail::FutureAwaiter<std::string> readuntil(std::string_view sep) {
    return detail::future_call<std::string>(
        [&](ac_future **f) { return ac_file_readuntil(f_, sep.data(), sep.size(), f); });
  }
  void write(std::string_view data) { check(ac_file_write(f_, data.data(), data.size())); }
  detail::FutureAwaiter<void> drain() {
    return detail::future_call<void>([&](ac_future **f) { return ac_file_drain(f_, f); });
  }
  detail::FutureAwaiter<void> close() {
    return detail::future_call<void>([&](ac_future **f) { return ac_file_close(f_, f); });
  }
  int fileno() const { return check(ac_file_fileno(f_)); }
  ac_file *get() const noexcept { return f_; }

 private:
  ac_file *f_ = nullptr;
};

// ---- any descriptor

// asyncio's loop.add_reader / add_writer: fn() runs whenever fd is
// readable (writable); a second add replaces the first.
template <class F>
void add_reader(int fd, F &&fn) {
  using Fn = std::decay_t<F>;
  check(ac_loop_add_reader(get_running_loop(), fd, &detail::callback_trampoline<Fn>,
                           new Fn(std::forward<F>(fn)), &detail::delete_callable<Fn>));
}
template <class F>
void add_writer(int fd, F &&fn) {
  using Fn = std::decay_t<F>;
  check(ac_loop_add_writer(get_running_loop(), fd, &detail::callback_trampoline<Fn>,
                           new Fn(std::forward<F>(fn)), &detail::delete_callable<Fn>));
}
// True if there was one.
inline bool remove_reader(int fd) { return check(ac_loop_remove_reader(get_running_loop(), fd)) == 1; }
inline bool remove_writer(int fd) { return check(ac_loop_remove_writer(get_running_loop(), fd)) == 1; }

inline detail::FutureAwaiter<void> wait_readable(int fd) {
  return detail::future_call<void>([&](ac_future **f) { return ac_wait_readable(get_running_loop(), fd, f); });
}
inline detail::FutureAwaiter<void> wait_writable(int fd) {
  return detail::future_call<void>([&](ac_future **f) { return ac_wait_writable(get_running_loop(), fd, f); });
}

// asyncio's loop.sock_*, on a non-blocking socket the caller owns.
inline detail::FutureAwaiter<std::string> sock_recv(int fd, size_t n) {
  return detail::future_call<std::string>([&](ac_future **f) { return ac_sock_recv(get_running_loop(), fd, n, f); });
}
inline detail::FutureAwaiter<void> sock_sendall(int fd, std::string_view data) {
  return detail::future_call<void>([&](ac_future **f) {
    return ac_sock_sendall(get_running_loop(), fd, data.data(), data.size(), f);
  });
}
inline detail::FutureAwaiter<void> sock_connect(int fd, const std::string &address) {
  return detail::future_call<void>(
      [&](ac_future **f) { return ac_sock_connect(get_running_loop(), fd, address.c_str(), f); });
}
// The accepted descriptor (non-blocking), owned by the caller.
inline detail::FutureAwaiter<int64_t> sock_accept(int fd) {
  return detail::future_call<int64_t>([&](ac_future **f) { return ac_sock_accept(get_running_loop(), fd, f); });
}

}  // namespace asyncore
