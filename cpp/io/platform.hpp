// platform.hpp — the platform seam: every operation the runtime performs on
// a socket descriptor itself goes through these functions, so that the rest
// of cpp/ is the same on Linux, the other POSIX systems and Windows.
//
// What lives behind the seam (platform_posix.cpp, platform_win.cpp):
// - making a socket: non-blocking, not inherited by child processes
//   (close-on-exec), and never raising SIGPIPE when written to after the
//   peer left. Linux does all three in the socket()/accept4() call and
//   send(MSG_NOSIGNAL) (the fast path); other POSIX systems use fcntl(),
//   SO_NOSIGPIPE where MSG_NOSIGNAL is missing, and a SIGPIPE blocked in the
//   calling thread around send() where both are missing; Windows uses
//   WSASocketW(WSA_FLAG_NO_HANDLE_INHERIT) and ioctlsocket(FIONBIO).
// - reading, writing, connecting, accepting, shutting down and closing, with
//   EINTR retried inside and "would block" reported as AC_EAGAIN;
// - errors: every function returns the library's negative codes, which are
//   libuv's (the negated errno on POSIX; on Windows WSAGetLastError() goes
//   through uv_translate_sys_error, so a refused connection is
//   AC_ECONNREFUSED everywhere).
//
// A descriptor is an `int` on every platform. On Windows it holds a SOCKET:
// kernel handles use only their low 32 bits (documented so for 32/64-bit
// interoperability), so the value round-trips; kNoSocket (-1) is
// INVALID_SOCKET. uv_poll_init_socket takes it as uv_os_sock_t.
//
// The event loop watches these sockets with uv_poll_t on every platform
// (libuv polls sockets on Windows too), so the streams and servers keep one
// implementation of asyncio's stream rules.
//
// Thread: the functions touch only their arguments (and, on Windows, a
// one-time Winsock start-up); any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#ifdef _WIN32
#  include <winsock2.h>
#  include <ws2tcpip.h>
#  if __has_include(<afunix.h>)
#    include <afunix.h>
#    define AC_HAVE_AF_UNIX 1
#  else
#    define AC_HAVE_AF_UNIX 0
#  endif
using ac_ssize_t = std::ptrdiff_t;
#else
#  include <arpa/inet.h>
#  include <netdb.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <sys/socket.h>
#  include <sys/un.h>
#  define AC_HAVE_AF_UNIX 1
using ac_ssize_t = std::ptrdiff_t;
#endif

#include <fcntl.h>
#include <uv.h>

#ifdef _WIN32
#  include <string_view>
#else
#  include <cstring>
#endif

struct termios;

namespace ac::sys {

// The first occurrence of needle[0, m) in hay[0, n), or nullptr: memmem()
// where the C library has it (every POSIX system this builds on), a
// string_view search on Windows.
inline const void *find_bytes(const void *hay, size_t n, const void *needle, size_t m) noexcept {
#ifdef _WIN32
  std::string_view h(static_cast<const char *>(hay), n);
  size_t at = h.find(std::string_view(static_cast<const char *>(needle), m));
  return at == std::string_view::npos ? nullptr : static_cast<const char *>(hay) + at;
#else
  return ::memmem(hay, n, needle, m);
#endif
}

// The open() flag that keeps a file from child processes: O_CLOEXEC on
// POSIX; none on Windows, where libuv opens files not inheritable.
#ifdef _WIN32
constexpr int kOpenNoInherit = 0;
#else
constexpr int kOpenNoInherit = O_CLOEXEC;
#endif

constexpr int kNoSocket = -1;
// connect(): the attempt goes on; the socket becomes writable when it ends.
constexpr int kInProgress = 1;

// Names of the paths this build compiled, for docs and tests:
// "linux" (SOCK_NONBLOCK|SOCK_CLOEXEC, accept4, MSG_NOSIGNAL),
// "posix" (fcntl, accept, SO_NOSIGPIPE or MSG_NOSIGNAL or a blocked SIGPIPE),
// "windows" (Winsock).
const char *io_path() noexcept;

// A new socket of `family` and `type` (SOCK_STREAM, SOCK_DGRAM): the
// descriptor, or a negative code.
int open_socket(int family, int type) noexcept;
// Accepts one waiting connection on a listening socket: the new socket
// (set up as open_socket's), AC_EAGAIN when none waits, or a negative code
// (AC_ECONNABORTED and the like for a client that left meanwhile).
int accept(int fd) noexcept;
// Starts connecting: 0 when connected at once, kInProgress, or a negative code.
int connect(int fd, const sockaddr *addr, socklen_t len) noexcept;
// The outcome of a connection attempt that went on (SO_ERROR): 0 or a
// negative code.
int pending_error(int fd) noexcept;
// Bytes sent or received (recv: 0 at end of stream), AC_EAGAIN when the
// socket is full / empty, or a negative code. Never raises SIGPIPE.
ac_ssize_t send(int fd, const void *data, size_t len) noexcept;
ac_ssize_t recv(int fd, void *buf, size_t len) noexcept;
// Half-close: 0 or a negative code.
int shutdown_write(int fd) noexcept;
// Closes the descriptor (errors are not reported: the descriptor is gone).
void close(int fd) noexcept;
// The negative code of the last failed socket call on this thread (errno
// on POSIX, WSAGetLastError() on Windows). For calls made directly
// (bind, listen, getsockname, setsockopt).
int last_error() noexcept;
// The number Python shows in "[Errno N] ..." for one of our codes: the
// errno (-code) on POSIX. On Windows our codes are libuv's (UV_ENOENT is
// -4058), and Python shows the C runtime's errno for file errors (ENOENT
// 2, EEXIST 17 ...) and the Winsock code for socket errors (a refused
// connection 10061); a code without either comes back as -code.
int python_errno(int code) noexcept;
// The listening socket's address-reuse option as asyncio sets it:
// SO_REUSEADDR on POSIX; nothing on Windows, where SO_REUSEADDR would let
// another socket take the port (asyncio leaves it off there too).
void reuse_address(int fd) noexcept;
// setsockopt() of an int option (Windows takes it as a char pointer): 0 or
// a negative code.
int set_int_option(int fd, int level, int name, int value) noexcept;
// Sends up to `count` bytes of the file `file` from `offset` on the socket
// `sock` in the kernel (sendfile): bytes sent, AC_EAGAIN when the socket is
// full, UV_ENOSYS where the system has no such call the runtime uses (every
// system but Linux's fast path: the caller reads and writes instead), or
// another negative code. Never raises SIGPIPE.
ac_ssize_t send_file(int sock, int file, int64_t offset, size_t count) noexcept;
// A connected pair of stream sockets for a child's standard stream, both
// close-on-exec: sv[1] the child's (blocking), sv[0] ours (non-blocking,
// one direction: written when parent_writes, else read). POSIX: a Unix
// socket pair. Windows: a loopback TCP connection whose child end is a C
// runtime descriptor (what uv_spawn inherits; close it with close_file).
// 0 or a negative code.
int socket_pair(int sv[2], bool parent_writes) noexcept;
// /dev/null (NUL on Windows) opened for reading and writing, not inherited
// (libuv hands it to the child explicitly): the descriptor or a negative code.
int open_null() noexcept;
// Waits for a child that was killed after its libuv handle was closed
// (POSIX waitpid; Windows needs nothing: the process handle is closed).
void reap_child(int pid) noexcept;
// Reads from a file at `offset` (pread), or at its position when offset is
// -1: bytes (0 at end of file) or a negative code (UV_ESPIPE: not seekable).
ac_ssize_t read_file(int fd, void *buf, size_t len, int64_t offset) noexcept;
// Moves a file's position to `offset` (errors are not reported).
void seek_file(int fd, int64_t offset) noexcept;
// Opens a file for reading, not inherited by children: the descriptor or a
// negative code.
int open_read(const char *path) noexcept;
// getsockopt() of an int option: 0 or a negative code.
int get_int_option(int fd, int level, int name, int *value) noexcept;
// Whether `fd` is a socket (else a pipe, a terminal or a file).
bool is_socket(int fd) noexcept;
// A pipe's or terminal's read and write (ac_stream over a descriptor that
// is not a socket): as recv/send above, and a write to a pipe whose reader
// left is EPIPE, never SIGPIPE: the signal is blocked in the calling thread
// for the write and one it raised is taken back before the mask is
// restored, so the process's disposition and mask end as they were.
// UV_ENOSYS on Windows (pipes there are not descriptors libuv can poll).
ac_ssize_t pipe_read(int fd, void *buf, size_t len) noexcept;
ac_ssize_t pipe_write(int fd, const void *data, size_t len) noexcept;
// Puts a terminal back in the mode saved before raw mode (no-op on Windows).
void restore_terminal(int fd, const termios *mode) noexcept;
// Whether `fd` is an open descriptor the loop can watch: 0, or UV_EBADF.
// On Windows only sockets can be watched (as in asyncio), and anything
// else is UV_EBADF.
int check_open(int fd) noexcept;
// Closes a file descriptor (one from uv_fs_open / ac_fs_open; not a socket).
void close_file(int fd) noexcept;
// Removes a Unix-domain socket's file: 0 or a negative code.
int unlink_path(const char *path) noexcept;

}  // namespace ac::sys
