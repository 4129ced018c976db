// platform_posix.cpp — the platform seam (platform.hpp) on POSIX systems.
//
// Linux takes the fast path: SOCK_NONBLOCK | SOCK_CLOEXEC at socket(),
// accept4(), send(MSG_NOSIGNAL). Every other POSIX system (macOS, the BSDs)
// takes the portable path, which the build option portable_posix also
// forces on Linux (AC_PORTABLE_POSIX) so that it is compiled and tested
// there: fcntl() for O_NONBLOCK and FD_CLOEXEC, accept() then the same, and
// for SIGPIPE, in order of preference, MSG_NOSIGNAL when the system has it
// (the BSDs), SO_NOSIGPIPE on the socket (macOS), or, when the system has
// neither (and on Linux with the option, where MSG_NOSIGNAL is not used),
// SIGPIPE blocked in the calling thread for the send() and a SIGPIPE the
// send raised taken back before unblocking; the process's disposition is
// never touched.
#include "io/platform.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include <asyncore/error.h>

#if defined(__linux__) && !defined(AC_PORTABLE_POSIX)
#  define AC_LINUX_FAST 1
#else
#  define AC_LINUX_FAST 0
#endif

// The portable path's answer to SIGPIPE.
#if !AC_LINUX_FAST && defined(MSG_NOSIGNAL) && !defined(AC_PORTABLE_POSIX)
#  define AC_SEND_FLAGS MSG_NOSIGNAL
#  define AC_SIGPIPE_BY_MASK 0
#elif !AC_LINUX_FAST && defined(SO_NOSIGPIPE)
#  define AC_SEND_FLAGS 0
#  define AC_SIGPIPE_BY_MASK 0
#elif AC_LINUX_FAST
#  define AC_SEND_FLAGS (MSG_NOSIGNAL | MSG_DONTWAIT)
#  define AC_SIGPIPE_BY_MASK 0
#else
#  define AC_SEND_FLAGS 0
#  define AC_SIGPIPE_BY_MASK 1
#endif
#if AC_LINUX_FAST
#  include <sys/sendfile.h>
#endif

namespace ac::sys {

namespace {

int err() noexcept { return -errno; }

#if !AC_LINUX_FAST
// O_NONBLOCK and FD_CLOEXEC (and SO_NOSIGPIPE where that is the answer).
int set_flags(int fd) noexcept {
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) return err();
  int fdfl = ::fcntl(fd, F_GETFD);
  if (fdfl < 0 || ::fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) != 0) return err();
#  if defined(SO_NOSIGPIPE) && AC_SEND_FLAGS == 0 && !AC_SIGPIPE_BY_MASK
  int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on) != 0) return err();
#  endif
  return 0;
}

int setup(int fd) noexcept {
  if (fd < 0) return err();
  int rc = set_flags(fd);
  if (rc != 0) {
    ::close(fd);
    return rc;
  }
  return fd;
}
#endif

#if AC_SIGPIPE_BY_MASK
// send() with SIGPIPE blocked in this thread; a SIGPIPE it raised (EPIPE)
// is taken back unless one was already pending before.
ac_ssize_t send_masked(int fd, const void *data, size_t len) noexcept {
  sigset_t pipe_set, old_set, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigemptyset(&pending);
  bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
  if (pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set) != 0) return AC_EINVAL;
  ac_ssize_t n;
  do {
    n = ::send(fd, data, len, AC_SEND_FLAGS);
  } while (n < 0 && errno == EINTR);
  int e = errno;
  if (n < 0 && e == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = e;
  return n;
}
#endif

}  // namespace

const char *io_path() noexcept { return AC_LINUX_FAST ? "linux" : "posix"; }

int open_socket(int family, int type) noexcept {
#if AC_LINUX_FAST
  int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return fd >= 0 ? fd : err();
#else
  return setup(::socket(family, type, 0));
#endif
}

int accept(int fd) noexcept {
  for (;;) {
#if AC_LINUX_FAST
    int c = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c >= 0) return c;
#else
    int c = ::accept(fd, nullptr, nullptr);
    if (c >= 0) return setup(c);
#endif
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return AC_EAGAIN;
    return err();
  }
}

int connect(int fd, const sockaddr *addr, socklen_t len) noexcept {
  if (::connect(fd, addr, len) == 0) return 0;
  // An interrupted connect goes on in the background, as one in progress.
  if (errno == EINPROGRESS || errno == EINTR) return kInProgress;
  return err();
}

int pending_error(int fd) noexcept {
  int e = 0;
  socklen_t len = sizeof e;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) return err();
  return -e;
}

ac_ssize_t send(int fd, const void *data, size_t len) noexcept {
  for (;;) {
#if AC_SIGPIPE_BY_MASK
    ac_ssize_t n = send_masked(fd, data, len);
#else
    ac_ssize_t n = ::send(fd, data, len, AC_SEND_FLAGS);
#endif
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return AC_EAGAIN;
    return err();
  }
}

ac_ssize_t recv(int fd, void *buf, size_t len) noexcept {
  for (;;) {
    ac_ssize_t n = ::recv(fd, buf, len, 0);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return AC_EAGAIN;
    return err();
  }
}

int shutdown_write(int fd) noexcept { return ::shutdown(fd, SHUT_WR) == 0 ? 0 : err(); }

void close(int fd) noexcept {
  if (fd >= 0) ::close(fd);
}

int last_error() noexcept { return err(); }

int python_errno(int code) noexcept { return -code; }

void reuse_address(int fd) noexcept {
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
}

int set_int_option(int fd, int level, int name, int value) noexcept {
  return ::setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : err();
}

#if AC_LINUX_FAST
// sendfile(2) has no MSG_NOSIGNAL: a peer that has gone would raise
// SIGPIPE. The signal is blocked on this thread for the call, and one it
// raised is taken back before the mask is restored, so the process never
// sees it and its mask is unchanged afterwards.
ac_ssize_t send_file(int sock, int file, int64_t offset, size_t count) noexcept {
  sigset_t pipe_set, old, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  sigemptyset(&pending);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  off_t off = static_cast<off_t>(offset);
  ac_ssize_t n;
  do {
    n = ::sendfile(sock, file, &off, count);
  } while (n < 0 && errno == EINTR);
  int e = errno;
  if (n < 0 && e == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (n >= 0) return n;
  if (e == EAGAIN || e == EWOULDBLOCK) return AC_EAGAIN;
  return -e;
}
#else
// The BSDs' and macOS's sendfile() differ from Linux's and from each other;
// the portable path reads and writes instead.
ac_ssize_t send_file(int, int, int64_t, size_t) noexcept { return UV_ENOSYS; }
#endif

int socket_pair(int sv[2], bool parent_writes) noexcept {
#if AC_LINUX_FAST
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return err();
#else
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return err();
  for (int i = 0; i < 2; ++i) {
    int fl = ::fcntl(sv[i], F_GETFD);
    if (fl < 0 || ::fcntl(sv[i], F_SETFD, fl | FD_CLOEXEC) != 0) {
      int e = err();
      ::close(sv[0]);
      ::close(sv[1]);
      return e;
    }
  }
#endif
  ::shutdown(sv[0], parent_writes ? SHUT_RD : SHUT_WR);
  int fl = ::fcntl(sv[0], F_GETFL);
  ::fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
  return 0;
}

int open_null() noexcept {
  int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  return fd >= 0 ? fd : err();
}

void reap_child(int pid) noexcept {
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

ac_ssize_t read_file(int fd, void *buf, size_t len, int64_t offset) noexcept {
  ac_ssize_t n;
  do {
    n = offset < 0 ? ::read(fd, buf, len) : ::pread(fd, buf, len, static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  return n >= 0 ? n : err();
}

void seek_file(int fd, int64_t offset) noexcept { ::lseek(fd, static_cast<off_t>(offset), SEEK_SET); }

int open_read(const char *path) noexcept {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  return fd >= 0 ? fd : err();
}

int get_int_option(int fd, int level, int name, int *value) noexcept {
  socklen_t len = sizeof *value;
  return ::getsockopt(fd, level, name, value, &len) == 0 ? 0 : err();
}

bool is_socket(int fd) noexcept {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

ac_ssize_t pipe_read(int fd, void *buf, size_t len) noexcept {
  for (;;) {
    ac_ssize_t n = ::read(fd, buf, len);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return AC_EAGAIN;
    return err();
  }
}

ac_ssize_t pipe_write(int fd, const void *data, size_t len) noexcept {
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigemptyset(&pending);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  ac_ssize_t n;
  do {
    n = ::write(fd, data, len);
  } while (n < 0 && errno == EINTR);
  int saved = errno;
  if (n < 0 && saved == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (n >= 0) return n;
  if (saved == EAGAIN || saved == EWOULDBLOCK) return AC_EAGAIN;
  return -saved;
}

void restore_terminal(int fd, const termios *mode) noexcept { ::tcsetattr(fd, TCSANOW, mode); }

int check_open(int fd) noexcept { return ::fcntl(fd, F_GETFD) == -1 ? err() : 0; }

void close_file(int fd) noexcept {
  if (fd >= 0) ::close(fd);
}

int unlink_path(const char *path) noexcept { return ::unlink(path) == 0 ? 0 : err(); }

}  // namespace ac::sys
