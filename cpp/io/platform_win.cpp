// platform_win.cpp — the platform seam (platform.hpp) on Windows (Winsock).
//
// Sockets are made with WSASocketW(WSA_FLAG_NO_HANDLE_INHERIT) (Windows'
// close-on-exec: child processes do not inherit them) and set non-blocking
// with ioctlsocket(FIONBIO); accepted sockets get the same by hand. Windows
// has no SIGPIPE: a send to a peer that left fails with WSAECONNRESET or
// WSAESHUTDOWN. Errors come from WSAGetLastError() and go through libuv's
// uv_translate_sys_error, so they are the codes libuv itself reports (and
// the AC_E* constants of asyncore/error.h name on Windows).
#include "io/platform.hpp"

#include <asyncore/error.h>

#include <fcntl.h>
#include <io.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <mutex>

// The public codes are libuv's on Windows (asyncore/error.h).
#define AC_SAME_CODE(name) \
  static_assert(static_cast<int>(AC_##name) == static_cast<int>(UV_##name), #name)
AC_SAME_CODE(EINVAL);
AC_SAME_CODE(ENOMEM);
AC_SAME_CODE(ETIMEDOUT);
AC_SAME_CODE(EAGAIN);
AC_SAME_CODE(EBADF);
AC_SAME_CODE(ENOENT);
AC_SAME_CODE(EEXIST);
AC_SAME_CODE(EPIPE);
AC_SAME_CODE(ECONNREFUSED);
AC_SAME_CODE(ECONNRESET);
AC_SAME_CODE(EADDRINUSE);
AC_SAME_CODE(EMFILE);
AC_SAME_CODE(ENOSPC);
AC_SAME_CODE(ENOTSUP);
#undef AC_SAME_CODE

namespace ac::sys {

namespace {

// Winsock needs WSAStartup once per process before any call; libuv does
// it when the first loop is made, this makes the seam independent of that.
// The reference it takes is never given back (the process ends it).
void winsock() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
  });
}

int wsa_error() noexcept {
  int e = WSAGetLastError();
  if (e == WSAEWOULDBLOCK) return AC_EAGAIN;
  return uv_translate_sys_error(e);
}

SOCKET as_socket(int fd) noexcept { return static_cast<SOCKET>(static_cast<unsigned int>(fd)); }

// A SOCKET as the int the runtime keeps (platform.hpp: handles use their
// low 32 bits), or AC_EMFILE for a value that would not round-trip.
int as_int(SOCKET s) noexcept {
  if (s > static_cast<SOCKET>(INT_MAX)) {
    closesocket(s);
    return AC_EMFILE;
  }
  return static_cast<int>(s);
}

int set_nonblocking(SOCKET s) noexcept {
  u_long on = 1;
  return ioctlsocket(s, FIONBIO, &on) == 0 ? 0 : wsa_error();
}

}  // namespace

const char *io_path() noexcept { return "windows"; }

int open_socket(int family, int type) noexcept {
  winsock();
  SOCKET s = WSASocketW(family, type, 0, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return wsa_error();
  if (int rc = set_nonblocking(s); rc != 0) {
    closesocket(s);
    return rc;
  }
  return as_int(s);
}

int accept(int fd) noexcept {
  SOCKET c = ::accept(as_socket(fd), nullptr, nullptr);
  if (c == INVALID_SOCKET) return wsa_error();
  SetHandleInformation(reinterpret_cast<HANDLE>(c), HANDLE_FLAG_INHERIT, 0);
  if (int rc = set_nonblocking(c); rc != 0) {
    closesocket(c);
    return rc;
  }
  return as_int(c);
}

int connect(int fd, const sockaddr *addr, socklen_t len) noexcept {
  if (::connect(as_socket(fd), addr, len) == 0) return 0;
  int e = WSAGetLastError();
  if (e == WSAEWOULDBLOCK || e == WSAEINPROGRESS) return kInProgress;
  return uv_translate_sys_error(e);
}

int pending_error(int fd) noexcept {
  int e = 0;
  int len = sizeof e;
  if (getsockopt(as_socket(fd), SOL_SOCKET, SO_ERROR, reinterpret_cast<char *>(&e), &len) != 0)
    return wsa_error();
  return e == 0 ? 0 : uv_translate_sys_error(e);
}

ac_ssize_t send(int fd, const void *data, size_t len) noexcept {
  int n = ::send(as_socket(fd), static_cast<const char *>(data),
                 len > INT_MAX ? INT_MAX : static_cast<int>(len), 0);
  return n == SOCKET_ERROR ? wsa_error() : n;
}

ac_ssize_t recv(int fd, void *buf, size_t len) noexcept {
  int n = ::recv(as_socket(fd), static_cast<char *>(buf),
                 len > INT_MAX ? INT_MAX : static_cast<int>(len), 0);
  if (n != SOCKET_ERROR) return n;
  // A graceful close seen as an error by some stacks: end of stream.
  if (WSAGetLastError() == WSAESHUTDOWN) return 0;
  return wsa_error();
}

int shutdown_write(int fd) noexcept {
  return ::shutdown(as_socket(fd), SD_SEND) == 0 ? 0 : wsa_error();
}

void close(int fd) noexcept {
  if (fd >= 0) closesocket(as_socket(fd));
}

int last_error() noexcept { return wsa_error(); }

int python_errno(int code) noexcept {
  switch (code) {
#define AC_CRT(name) \
  case UV_##name: return name;
#define AC_WSA(name) \
  case UV_##name: return WSA##name;
    AC_CRT(EPERM) AC_CRT(ENOENT) AC_CRT(ESRCH) AC_CRT(EINTR) AC_CRT(EIO) AC_CRT(ENXIO)
    AC_CRT(E2BIG) AC_CRT(EBADF) AC_CRT(EAGAIN) AC_CRT(ENOMEM) AC_CRT(EACCES) AC_CRT(EBUSY)
    AC_CRT(EEXIST) AC_CRT(EXDEV) AC_CRT(ENODEV) AC_CRT(ENOTDIR) AC_CRT(EISDIR) AC_CRT(EINVAL)
    AC_CRT(ENFILE) AC_CRT(EMFILE) AC_CRT(EFBIG) AC_CRT(ENOSPC) AC_CRT(ESPIPE) AC_CRT(EROFS)
    AC_CRT(EMLINK) AC_CRT(EPIPE) AC_CRT(ENAMETOOLONG) AC_CRT(ENOSYS) AC_CRT(ENOTEMPTY)
    AC_WSA(ECONNREFUSED) AC_WSA(ECONNRESET) AC_WSA(ECONNABORTED) AC_WSA(ETIMEDOUT)
    AC_WSA(ENETUNREACH) AC_WSA(EHOSTUNREACH) AC_WSA(EADDRINUSE) AC_WSA(EADDRNOTAVAIL)
    AC_WSA(ENOTCONN) AC_WSA(EAFNOSUPPORT)
#undef AC_CRT
#undef AC_WSA
    default: return -code;
  }
}

void reuse_address(int) noexcept {}

int set_int_option(int fd, int level, int name, int value) noexcept {
  return setsockopt(as_socket(fd), level, name, reinterpret_cast<const char *>(&value),
                    sizeof value) == 0
             ? 0
             : wsa_error();
}

ac_ssize_t send_file(int, int, int64_t, size_t) noexcept { return UV_ENOSYS; }

// Windows has no socketpair(): a loopback TCP connection stands in. Our
// end is made as open_socket makes every socket (overlapped, non-blocking,
// not inherited), so uv_poll watches it as any other. The child's end is
// accepted from a listener made without WSA_FLAG_OVERLAPPED: a child reads
// and writes its standard streams with ReadFile/WriteFile, which work on a
// socket handle only when it is not overlapped. It goes back as a C runtime
// descriptor (_open_osfhandle), which is what uv_spawn takes for
// UV_INHERIT_FD and what close_file closes once the child has its copy.
// The accepted peer is checked to be our end (another local program could
// connect to the listener first).
int socket_pair(int sv[2], bool parent_writes) noexcept {
  winsock();
  SOCKET lst = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
  if (lst == INVALID_SOCKET) return wsa_error();
  SOCKET ours = INVALID_SOCKET, theirs = INVALID_SOCKET;
  int rc = 0;
  sockaddr_in a{}, mine{}, peer{};
  int alen = sizeof a, mlen = sizeof mine, plen = sizeof peer;
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto *sa = reinterpret_cast<sockaddr *>(&a);
  if (::bind(lst, sa, sizeof a) != 0 || ::listen(lst, 1) != 0 || getsockname(lst, sa, &alen) != 0) {
    rc = wsa_error();
  } else {
    ours = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                      WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (ours == INVALID_SOCKET || ::connect(ours, sa, sizeof a) != 0) {
      rc = wsa_error();
    } else {
      theirs = ::accept(lst, reinterpret_cast<sockaddr *>(&peer), &plen);
      if (theirs == INVALID_SOCKET ||
          getsockname(ours, reinterpret_cast<sockaddr *>(&mine), &mlen) != 0)
        rc = wsa_error();
      else if (peer.sin_port != mine.sin_port || peer.sin_addr.s_addr != mine.sin_addr.s_addr)
        rc = UV_ECONNREFUSED;  // somebody else's connection
    }
  }
  closesocket(lst);
  if (rc == 0) rc = set_nonblocking(ours);
  int child = -1;
  if (rc == 0) {
    SetHandleInformation(reinterpret_cast<HANDLE>(theirs), HANDLE_FLAG_INHERIT, 0);
    child = _open_osfhandle(static_cast<intptr_t>(theirs), _O_BINARY);
    if (child < 0) rc = UV_EMFILE;
  }
  if (rc != 0) {
    if (ours != INVALID_SOCKET) closesocket(ours);
    if (theirs != INVALID_SOCKET) closesocket(theirs);
    return rc;
  }
  // Our end reads or writes, never both; a reading end tells the child at
  // once that nothing will come (a writing end keeps its receive side: a
  // Windows socket that shut it answers late data with a reset).
  if (!parent_writes) ::shutdown(ours, SD_SEND);
  int fd = as_int(ours);
  if (fd < 0) {
    _close(child);
    return fd;
  }
  sv[0] = fd;
  sv[1] = child;
  return 0;
}

int open_null() noexcept {
  int fd = _open("NUL", _O_RDWR | _O_BINARY | _O_NOINHERIT);
  return fd >= 0 ? fd : uv_translate_sys_error(static_cast<int>(_doserrno));
}

void reap_child(int) noexcept {}

ac_ssize_t read_file(int fd, void *buf, size_t len, int64_t offset) noexcept {
  if (offset >= 0 && _lseeki64(fd, offset, SEEK_SET) < 0) return UV_ESPIPE;
  int n = _read(fd, buf, len > INT_MAX ? INT_MAX : static_cast<unsigned>(len));
  return n >= 0 ? n : uv_translate_sys_error(static_cast<int>(GetLastError()));
}

void seek_file(int fd, int64_t offset) noexcept { _lseeki64(fd, offset, SEEK_SET); }

int open_read(const char *path) noexcept {
  int fd = _open(path, _O_RDONLY | _O_BINARY | _O_NOINHERIT);
  return fd >= 0 ? fd : uv_translate_sys_error(static_cast<int>(_doserrno));
}

int get_int_option(int fd, int level, int name, int *value) noexcept {
  int len = sizeof *value;
  return getsockopt(as_socket(fd), level, name, reinterpret_cast<char *>(value), &len) == 0
             ? 0
             : wsa_error();
}

bool is_socket(int fd) noexcept { return check_open(fd) == 0; }

ac_ssize_t pipe_read(int, void *, size_t) noexcept { return UV_ENOSYS; }
ac_ssize_t pipe_write(int, const void *, size_t) noexcept { return UV_ENOSYS; }
void restore_terminal(int, const termios *) noexcept {}

int check_open(int fd) noexcept {
  int type = 0;
  int len = sizeof type;
  if (fd < 0 || getsockopt(as_socket(fd), SOL_SOCKET, SO_TYPE, reinterpret_cast<char *>(&type),
                           &len) != 0)
    return UV_EBADF;
  return 0;
}

void close_file(int fd) noexcept {
  if (fd >= 0) _close(fd);
}

int unlink_path(const char *path) noexcept {
  return std::remove(path) == 0 ? 0 : uv_translate_sys_error(static_cast<int>(GetLastError()));
}

}  // namespace ac::sys
