// pipe.cpp — streams over descriptors the caller hands over: pipes, FIFOs,
// terminals (ac_pipe_connect_read/write, ac_tty_*).
#ifndef _WIN32
#  include <fcntl.h>
#  include <sys/ioctl.h>
#  include <sys/stat.h>
#  include <termios.h>
#  include <unistd.h>
#endif

#include <cerrno>
#include <cstdlib>

#include "io/platform.hpp"
#include "io/stream.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::fail;

namespace {
enum Mode { kRead, kWrite, kTty };

#ifdef _WIN32
// Windows pipes and consoles are handles libuv cannot poll as descriptors:
// these streams are POSIX only (the descriptor is still taken and closed).
int connect_fd(ac_loop *loop, int fd, Mode, ac_stream **) noexcept {
  int rc = check_loop(loop);
  if (fd >= 0) ac::sys::close_file(fd);
  return rc != 0 ? rc : fail(AC_ENOTSUP, "pipes and terminals as streams are POSIX only");
}
#else
int connect_fd(ac_loop *loop, int fd, Mode mode, ac_stream **out) noexcept {
  int rc = check_loop(loop);
  if (rc == 0 && (out == nullptr || fd < 0)) rc = fail(AC_EINVAL);
  struct stat st {};
  if (rc == 0 && ::fstat(fd, &st) != 0) rc = fail(-errno);
  if (rc == 0 && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISCHR(st.st_mode))
    rc = fail(AC_EINVAL, "Pipe transport is for pipes/sockets only.");
  if (rc == 0 && mode == kTty && ::isatty(fd) != 1) rc = fail(-ENOTTY);
  if (rc == 0) {
    int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) rc = fail(-errno);
  }
  if (rc != 0) {
    if (fd >= 0) ::close(fd);
    return rc;
  }
  ac_stream *s = nullptr;
  try {
    s = ac::stream_new(loop, true);
  } catch (...) {
    ::close(fd);
    return fail(AC_ENOMEM);
  }
  s->is_tty = mode == kTty;
  rc = s->adopt_pipe(fd, mode == kWrite);
  if (rc != 0) {
    s->unref();  // closes fd
    return fail(rc);
  }
  *out = s;
  return 0;
}
#endif

int check_tty(const ac_stream *s) noexcept {
  ac::shim::clear_failure();
  if (!ac::is_stream(s) || !s->is_tty) return fail(AC_EINVAL);
  int rc = ac::shim::check_loop_fast(s->loop);
  if (rc != 0) return rc;
  if (s->fd < 0) return fail(AC_ECLOSED);
  return 0;
}
}  // namespace

AC_API int ac_pipe_connect_read(ac_loop *loop, int fd, ac_stream **out) noexcept {
  return connect_fd(loop, fd, kRead, out);
}
AC_API int ac_pipe_connect_write(ac_loop *loop, int fd, ac_stream **out) noexcept {
  return connect_fd(loop, fd, kWrite, out);
}
AC_API int ac_tty_open(ac_loop *loop, int fd, ac_stream **out) noexcept {
  return connect_fd(loop, fd, kTty, out);
}

AC_API int ac_tty_set_raw(ac_stream *tty, int raw) noexcept {
  int rc = check_tty(tty);
  if (rc != 0) return rc;
#ifdef _WIN32
  (void)raw;
  return fail(AC_ENOTSUP);
#else
  if (raw != 0) {
    if (tty->tty_mode == nullptr) {
      auto *saved = static_cast<termios *>(std::malloc(sizeof(termios)));
      if (saved == nullptr) return fail(AC_ENOMEM);
      if (::tcgetattr(tty->fd, saved) != 0) {
        int e = errno;
        std::free(saved);
        return fail(-e);
      }
      tty->tty_mode = saved;
    }
    termios t = *tty->tty_mode;
    ::cfmakeraw(&t);
    if (::tcsetattr(tty->fd, TCSADRAIN, &t) != 0) return fail(-errno);
    return 0;
  }
  if (tty->tty_mode != nullptr && ::tcsetattr(tty->fd, TCSADRAIN, tty->tty_mode) != 0)
    return fail(-errno);
  return 0;
#endif
}

AC_API int ac_tty_get_winsize(const ac_stream *tty, int *columns, int *rows) noexcept {
  int rc = check_tty(tty);
  if (rc != 0) return rc;
  if (columns == nullptr || rows == nullptr) return fail(AC_EINVAL);
#ifdef _WIN32
  return fail(AC_ENOTSUP);
#else
  winsize ws{};
  if (::ioctl(tty->fd, TIOCGWINSZ, &ws) != 0) return fail(-errno);
  *columns = ws.ws_col;
  *rows = ws.ws_row;
  return 0;
#endif
}
