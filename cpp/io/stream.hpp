// stream.hpp — struct ac_stream: one TCP or Unix-domain connection with a
// read buffer (asyncio's StreamReader) and a write buffer (StreamWriter).
//
// I/O. The stream owns its non-blocking socket and watches it with a
// uv_poll_t; it reads with recv() and writes with send(MSG_NOSIGNAL) itself.
// libuv's uv_write uses writev(), which raises SIGPIPE on a connection the
// peer has closed and so would kill a process that did not ignore SIGPIPE;
// MSG_NOSIGNAL reports EPIPE instead, and no signal disposition or mask is
// touched. It also lets bytes go from the kernel straight into the read
// buffer, and writes go out without a request object.
//
// Lifetime. `user_refs` counts the API's references (and the tasks bound
// by ac_stream_spawn); when it reaches zero an open stream starts closing.
// The memory goes when there are no user references and the poll handle is
// closed (its close callback ran), because libuv uses the handle until
// then. While its handle is open the stream is on the loop's list of
// closables, so a loop that closes closes it.
//
// Reading. Bytes go from the socket straight into `rbuf`; a read future
// takes bytes out of rbuf only when it completes, so a cancelled read
// leaves them for the next one.
//
// Writing. A write goes straight to the socket when nothing is queued;
// what the kernel does not take is appended to `wbuf` and sent when the
// socket is writable again, everything queued meanwhile in one send
// (batching). The buffer's capacity is reused: no allocation in the steady
// state.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <uv.h>

#include "io/platform.hpp"

#include <asyncore/stream.h>

#include "core/future.hpp"
#include "core/loop.hpp"

struct addrinfo;
struct ac_server;
struct termios;

namespace ac {
constexpr uint32_t kStreamMagic = 0x5374726d;  // "Strm"
struct ConnectResolve;
struct ReadFuture;
struct ConnectOptions;
struct Racer;
struct SendfileJob;
struct TlsLayer;

// A layer between the stream's buffers and its socket (TLS: cpp/io/tls.cpp).
// With one, the socket's bytes go to the layer, which puts what it decodes
// into the read buffer; written bytes go through it, and what it encodes
// goes out through write_raw. Owned by the stream.
struct StreamLayer {
  virtual ~StreamLayer() = default;
  // The socket is readable (replaces the plain read; ends with after_read).
  virtual void on_readable(ac_stream *s) noexcept = 0;
  // Application bytes to send; returns 0 or the error for the write.
  virtual int write(ac_stream *s, const char *p, size_t n) noexcept = 0;
  // The connection is made: true when the layer completes connect_future
  // itself (once its handshake is done).
  virtual bool on_connected(ac_stream *s) noexcept = 0;
  // close() starts on an open stream (before the phase changes).
  virtual void on_close(ac_stream *s) noexcept = 0;
  // The stream fails its waiters with `code`.
  virtual void fail(ac_stream *s, int code) noexcept = 0;
  // A closing stream has written everything and would close its socket:
  // true when the layer keeps it open a while longer (TLS waits for the
  // peer's close_notify); the layer then closes it itself.
  virtual bool hold_open(ac_stream *) noexcept { return false; }
};
}  // namespace ac

struct ac_stream final : ac::Closable {
  uint32_t magic = ac::kStreamMagic;
  int user_refs = 1;
  ac_loop *loop;
  uv_poll_t poll{};
  int fd = -1;                 // the socket, owned; -1 when none
  int poll_events = 0;         // what `poll` watches now (UV_READABLE ...)
  bool is_unix;
  // A pipe, FIFO or terminal rather than a socket (ac_pipe_connect_*,
  // ac_tty_open): read()/write() instead of recv()/send(), SIGPIPE held
  // back around each write (see io_write in stream.cpp).
  bool is_pipe = false;
  bool pipe_writer_only = false;  // connect_write_pipe: never reads
  bool is_tty = false;            // ac_tty_open
  termios *tty_mode = nullptr;    // the mode before raw mode (owned)
  ac::StreamLayer *layer = nullptr;  // TLS, when set (owned)

  // ---- lifecycle ----
  // kConnecting -> kOpen -> kClosing (flushing) -> kClosed (uv_close called).
  // A failed connection goes straight to kClosed.
  enum Phase : uint8_t { kConnecting, kOpen, kClosing, kClosed };
  Phase phase = kConnecting;
  bool handle_live = false;    // poll initialised, close callback not run yet
  bool retrying = false;       // handle closed to connect to the next address
  bool registered = false;     // on the loop's closables list
  ac_future *connect_future = nullptr;  // pending connect (reference held)
  ac::ConnectResolve *resolve = nullptr;  // pending name resolution
  std::vector<sockaddr_storage> targets;  // addresses to try, in order
  size_t next_target = 0;
  int connect_error = 0;
  // Each failed attempt of a connection, in the order they failed (the
  // message of a connection to several addresses that all failed).
  std::vector<std::pair<sockaddr_storage, int>> connect_failures;
  sockaddr_storage unix_target{};  // connect_unix's address

  // ---- read side ----
  char *rbuf = nullptr;
  size_t rstart = 0, rend = 0, rcap = 0;  // bytes are rbuf[rstart, rend)
  size_t limit = AC_STREAM_DEFAULT_LIMIT;
  bool eof = false;
  bool reading = false;       // wants readable events
  bool read_paused = false;   // stopped by flow control (buffer > 2 * limit)
  int read_error = 0;         // sticky connection error seen by a read
  enum ReadKind : uint8_t { kNone, kRead, kExactly, kUntil, kLine };
  // The one pending read: its future (reference held) and parameters.
  ReadKind op = kNone;
  ac_future *op_future = nullptr;
  // The last read completed with bytes, while no read has started since:
  // its bytes can still go back to the front of the buffer (give_back).
  ac::ReadFuture *last_read = nullptr;
  void give_back(ac::ReadFuture *f) noexcept;
  void forget_last_read() noexcept;
  size_t op_n = 0;
  size_t op_searched = 0;  // readuntil: bytes of rbuf already scanned
  std::string op_sep;

  // ---- write side ----
  // Invariant: bytes wbuf[woff, size) are queued; wbuf is empty when
  // nothing is, and then writes go straight to the socket.
  std::vector<char> wbuf;
  size_t woff = 0;
  // flush() drops the bytes sent from wbuf's front once they are this many
  // and half of it (see there).
  static constexpr size_t kCompactAt = 64 * 1024;
  bool eof_requested = false;   // write_eof called
  bool eof_sent = false;        // shutdown(SHUT_WR) done
  size_t high_water = AC_STREAM_DEFAULT_HIGH_WATER;
  size_t low_water = AC_STREAM_DEFAULT_HIGH_WATER / 4;
  bool write_paused = false;    // went above high water, not yet <= low
  int write_error = 0;
  std::vector<ac_future *> drain_waiters;
  std::vector<ac_future *> closed_waiters;
  ac_future *done_none = nullptr;  // shared completed future for drains

  // ---- socket options, servers, sendfile (sockopt.cpp) ----
  ac::ConnectOptions *copts = nullptr;  // connect_tcp_ex's options (owned)
  ac::Racer *racer = nullptr;           // happy-eyeballs attempts running
  ac_server *server = nullptr;          // the server that accepted us
  ac::SendfileJob *sendfile_job = nullptr;  // a sendfile running
  // Hooks from the core stream code into sockopt.cpp.
  bool connect_hook() noexcept;            // true: the options took over
  int bind_local(int family) noexcept;     // before connect()
  void set_default_nodelay() noexcept;     // once connected
  void sendfile_pump() noexcept;           // writable, or flushed
  void extras_closed() noexcept;           // the socket is closed
  void extras_free() noexcept;             // destructor
  // Operations (sockopt.cpp).
  void abort() noexcept;
  void race_won(int sock) noexcept;
  void race_lost(int code) noexcept;
  void note_connect_failure(const sockaddr_storage &ss, int code) noexcept;
  void connect_failed_all(int code) noexcept;  // after every attempt failed

  ac_stream(ac_loop *l, bool unix_socket) noexcept;
  ~ac_stream();
  ac_stream(const ac_stream &) = delete;
  ac_stream &operator=(const ac_stream &) = delete;

  void ref() noexcept { ++user_refs; }
  void unref() noexcept;

  // Set up for an accepted socket; returns 0 or a libuv error.
  int adopt(int sock) noexcept;  // takes the socket (closed on failure)
  // The same for a non-blocking pipe, FIFO, terminal or socket `fd` the
  // caller hands over: reading starts unless `write_only`.
  int adopt_pipe(int pfd, bool write_only) noexcept;
  // Outgoing connections; return the connect future (a reference for the
  // caller). Throw bad_alloc.
  ac_future *connect_tcp(const char *host, int port);
  ac_future *connect_unix(const char *path);
  ac_future *connect_addresses();  // to `targets`, filled by the caller

  // Operations behind the API. Throw bad_alloc.
  int start_read(ReadKind kind, size_t n, const void *sep, size_t sep_len, ac_future **out);
  int write(const void *data, size_t len);
  ac_future *drain();
  int write_eof() noexcept;
  void close() noexcept;
  ac_future *wait_closed();
  int address(bool peer, std::string *out) const;
  size_t write_buffer_size() const noexcept { return wbuf.size() - woff; }
  size_t buffered() const noexcept { return rend - rstart; }

  void close_for_loop() noexcept override;

  // libuv plumbing (public for the C callbacks).
  void on_poll(int status, int events) noexcept;
  void on_resolved(int status, addrinfo *res) noexcept;
  void on_close() noexcept;

  // Sends or queues bytes as they are (below any layer).
  int write_raw(const char *p, size_t len) noexcept;
  // Unlinks connect_future (taken out of the stream by a layer) from us.
  static void detach_connect_future(ac_future *f) noexcept;

 private:
  friend struct ac::TlsLayer;
  void after_read() noexcept;
  int open_socket(int family) noexcept;
  void watch() noexcept;
  void start_reading() noexcept;
  void do_read() noexcept;
  void flush() noexcept;
  void after_flush() noexcept;
  ac_ssize_t io_write(const void *p, size_t len) noexcept;
  ac_ssize_t pipe_read(void *p, size_t len) noexcept;
  void maybe_shutdown() noexcept;
  void start_connect_tcp(const char *host, int port);
  void try_connect_next() noexcept;
  void finish_connect() noexcept;
  void retry_or_fail(int code) noexcept;
  void connected() noexcept;
  void connect_failed(int code) noexcept;
  void service_read() noexcept;
  bool complete_read() noexcept;
  void consumed() noexcept;
  void fail_read(int code) noexcept;
  void fail_waiters(int code) noexcept;
  void release_drains() noexcept;
  void close_handle() noexcept;
  void finish_closed() noexcept;
  void *take(size_t n) noexcept;
  void maybe_free() noexcept;
};

namespace ac {
inline bool is_stream(const ac_stream *s) noexcept { return s != nullptr && s->magic == kStreamMagic; }
// A new stream for `loop`; throws bad_alloc.
ac_stream *stream_new(ac_loop *loop, bool unix_socket);
// The state block of a stream-bound task (ac_stream_spawn): zeroed, freed
// by spawn_state_free(), which also drops the stream reference stored at
// `stream_offset`. NULL when out of memory.
void *spawn_state_new(size_t state_size, size_t stream_offset) noexcept;
ac_free_fn spawn_state_free() noexcept;
}  // namespace ac
