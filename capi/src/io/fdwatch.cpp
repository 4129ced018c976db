// fdwatch.cpp — asyncore/fdwatch.h at the boundary.
#include <fcntl.h>

#include <cerrno>

#include "io/fdwatch.hpp"
#include "io/platform.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::fail;

namespace {

int add(ac_loop *loop, int fd, bool write, ac_callback_fn fn, void *ud,
        ac_free_fn free_ud) noexcept {
  int rc = check_loop(loop);
  if (rc == 0 && (fn == nullptr || fd < 0))
    rc = fail(AC_EINVAL, fd < 0 ? "Invalid file descriptor" : nullptr);
  if (rc != 0) {
    ac::shim::run_free(free_ud, ud);
    return rc;
  }
  try {
    rc = ac::fd_add_callback(loop, fd, write, fn, ud, free_ud);  // runs free_ud on failure
  } catch (...) {
    ac::shim::run_free(free_ud, ud);
    return fail(AC_ENOMEM);
  }
  if (rc == AC_EBADF) return fail(rc, "Invalid file descriptor");
  return rc < 0 ? fail(rc) : 0;
}

int remove(ac_loop *loop, int fd, bool write) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (fd < 0) return fail(AC_EINVAL, "Invalid file descriptor");
  return ac::fd_remove_callback(loop, fd, write);
}

// The checks the sock_* functions share: a usable loop, an open
// non-blocking descriptor, an out pointer.
int sock_check(ac_loop *loop, int fd, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || fd < 0) return fail(AC_EINVAL);
#ifdef _WIN32
  // Winsock cannot tell whether a socket is non-blocking: only that it is one.
  if (ac::sys::check_open(fd) != 0) return fail(AC_EBADF, "Invalid file descriptor");
#else
  int fl = ::fcntl(fd, F_GETFL);
  if (fl == -1) return fail(-errno, "Invalid file descriptor");
  if ((fl & O_NONBLOCK) == 0) return fail(AC_EINVAL, "the socket must be non-blocking");
#endif
  return 0;
}

int done(int rc) noexcept {
  if (rc == AC_EBADF) return fail(rc, "Invalid file descriptor");
  return rc < 0 ? fail(rc) : rc;
}

}  // namespace

AC_API int ac_loop_add_reader(ac_loop *loop, int fd, ac_callback_fn fn, void *ud,
                              ac_free_fn free_ud) noexcept {
  return add(loop, fd, false, fn, ud, free_ud);
}
AC_API int ac_loop_add_writer(ac_loop *loop, int fd, ac_callback_fn fn, void *ud,
                              ac_free_fn free_ud) noexcept {
  return add(loop, fd, true, fn, ud, free_ud);
}
AC_API int ac_loop_remove_reader(ac_loop *loop, int fd) noexcept { return remove(loop, fd, false); }
AC_API int ac_loop_remove_writer(ac_loop *loop, int fd) noexcept { return remove(loop, fd, true); }

AC_API int ac_wait_readable(ac_loop *loop, int fd, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || fd < 0) return fail(AC_EINVAL);
  AC_GUARD(return done(ac::fd_wait(loop, fd, false, out));)
}
AC_API int ac_wait_writable(ac_loop *loop, int fd, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || fd < 0) return fail(AC_EINVAL);
  AC_GUARD(return done(ac::fd_wait(loop, fd, true, out));)
}

AC_API int ac_sock_recv(ac_loop *loop, int fd, size_t n, ac_future **out) noexcept {
  int rc = sock_check(loop, fd, out);
  if (rc != 0) return rc;
  if (n == 0) return fail(AC_EINVAL);
  AC_GUARD(return done(ac::sock_recv(loop, fd, n, out));)
}
AC_API int ac_sock_sendall(ac_loop *loop, int fd, const void *data, size_t len,
                           ac_future **out) noexcept {
  int rc = sock_check(loop, fd, out);
  if (rc != 0) return rc;
  if (data == nullptr && len != 0) return fail(AC_EINVAL);
  AC_GUARD(return done(ac::sock_sendall(loop, fd, data, len, out));)
}
AC_API int ac_sock_connect(ac_loop *loop, int fd, const char *address,
                           ac_future **out) noexcept {
  int rc = sock_check(loop, fd, out);
  if (rc != 0) return rc;
  if (address == nullptr) return fail(AC_EINVAL);
  AC_GUARD(return done(ac::sock_connect(loop, fd, address, out));)
}
AC_API int ac_sock_accept(ac_loop *loop, int fd, ac_future **out) noexcept {
  int rc = sock_check(loop, fd, out);
  if (rc != 0) return rc;
  AC_GUARD(return done(ac::sock_accept(loop, fd, out));)
}
