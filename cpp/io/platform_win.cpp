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

void reuse_address(int) noexcept {}

int set_int_option(int fd, int level, int name, int value) noexcept {
  return setsockopt(as_socket(fd), level, name, reinterpret_cast<const char *>(&value),
                    sizeof value) == 0
             ? 0
             : wsa_error();
}

ac_ssize_t send_file(int, int, int64_t, size_t) noexcept { return UV_ENOSYS; }

int socket_pair(int *, bool) noexcept { return UV_ENOSYS; }

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
