// stream.hpp — struct ac_stream: one TCP or Unix-domain connection with a
// read buffer (asyncio's StreamReader) and a write buffer (StreamWriter).
//
// Lifetime. `user_refs` counts the API's references (and the tasks bound
// by ac_stream_spawn); when it reaches zero an open stream starts closing.
// The memory goes when there are no user references and the libuv handle
// is closed (its close callback ran), because libuv writes into the handle
// until then. While its handle is open the stream is on the loop's list of
// closables, so a loop that closes closes it.
//
// Reading. Bytes go from the socket straight into `rbuf` (alloc_cb hands
// out its free tail); a read future takes bytes out of rbuf only when it
// completes, so a cancelled read leaves them for the next one.
//
// Writing. A write first tries the socket directly (uv_try_write); what the
// kernel does not take is appended to `wpending`. At most one uv_write is in
// flight, on `winflight`; when it completes, the two buffers swap, so all
// the bytes written meanwhile go out in one write (batching), and the
// buffers' capacity is reused: no allocation in the steady state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <sys/socket.h>
#include <uv.h>

#include <asyncore/stream.h>

#include "future.hpp"
#include "loop.hpp"

struct addrinfo;

namespace ac {
constexpr uint32_t kStreamMagic = 0x5374726d;  // "Strm"
struct ConnectResolve;
}  // namespace ac

struct ac_stream final : ac::Closable {
  uint32_t magic = ac::kStreamMagic;
  int user_refs = 1;
  ac_loop *loop;
  union {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } h{};
  bool is_unix;

  // ---- lifecycle ----
  // kConnecting -> kOpen -> kClosing (flushing) -> kClosed (uv_close called).
  // A failed connection goes straight to kClosed.
  enum Phase : uint8_t { kConnecting, kOpen, kClosing, kClosed };
  Phase phase = kConnecting;
  bool handle_live = false;    // initialised, close callback not run yet
  bool retrying = false;       // handle closed to connect to the next address
  bool registered = false;     // on the loop's closables list
  ac_future *connect_future = nullptr;  // pending connect (reference held)
  ac::ConnectResolve *resolve = nullptr;  // pending name resolution
  std::vector<sockaddr_storage> targets;  // addresses to try, in order
  size_t next_target = 0;
  int connect_error = 0;
  uv_connect_t creq{};

  // ---- read side ----
  char *rbuf = nullptr;
  size_t rstart = 0, rend = 0, rcap = 0;  // bytes are rbuf[rstart, rend)
  size_t limit = AC_STREAM_DEFAULT_LIMIT;
  bool eof = false;
  bool reading = false;       // uv_read_start is in effect
  bool read_paused = false;   // stopped by flow control (buffer > 2 * limit)
  int read_error = 0;         // sticky connection error seen by a read
  enum ReadKind : uint8_t { kNone, kRead, kExactly, kUntil, kLine };
  // The one pending read: its future (reference held) and parameters.
  ReadKind op = kNone;
  ac_future *op_future = nullptr;
  size_t op_n = 0;
  size_t op_searched = 0;  // readuntil: bytes of rbuf already scanned
  std::string op_sep;

  // ---- write side ----
  std::vector<char> wpending;   // written, not yet handed to libuv
  std::vector<char> winflight;  // the bytes of the uv_write in flight
  bool write_active = false;
  uv_write_t wreq{};
  uv_shutdown_t sreq{};
  bool eof_requested = false;   // write_eof called
  bool eof_sent = false;        // shutdown issued
  size_t high_water = AC_STREAM_DEFAULT_HIGH_WATER;
  size_t low_water = AC_STREAM_DEFAULT_HIGH_WATER / 4;
  bool write_paused = false;    // went above high water, not yet <= low
  int write_error = 0;
  std::vector<ac_future *> drain_waiters;
  std::vector<ac_future *> closed_waiters;
  ac_future *done_none = nullptr;  // shared completed future for drains

  ac_stream(ac_loop *l, bool unix_socket) noexcept;
  ~ac_stream();
  ac_stream(const ac_stream &) = delete;
  ac_stream &operator=(const ac_stream &) = delete;

  void ref() noexcept { ++user_refs; }
  void unref() noexcept;

  // Set up for an accepted socket; returns 0 or a libuv error.
  int adopt(uv_os_sock_t fd) noexcept;
  // Outgoing connections; return the connect future (a reference for the
  // caller). Throw bad_alloc.
  ac_future *connect_tcp(const char *host, int port);
  ac_future *connect_unix(const char *path);

  // Operations behind the API. Throw bad_alloc.
  int start_read(ReadKind kind, size_t n, const void *sep, size_t sep_len, ac_future **out);
  int write(const void *data, size_t len);
  ac_future *drain();
  int write_eof() noexcept;
  void close() noexcept;
  ac_future *wait_closed();
  int address(bool peer, std::string *out) const;
  size_t write_buffer_size() const noexcept { return wpending.size() + winflight.size(); }
  size_t buffered() const noexcept { return rend - rstart; }

  void close_for_loop() noexcept override;

  // libuv plumbing (public for the C callbacks).
  void on_read(ssize_t nread) noexcept;
  void on_write(int status) noexcept;
  void on_shutdown(int status) noexcept;
  void on_connect(int status) noexcept;
  void on_resolved(int status, addrinfo *res) noexcept;
  void on_close() noexcept;
  void alloc(uv_buf_t *buf) noexcept;

 private:
  void start_reading() noexcept;
  void start_write() noexcept;
  void maybe_shutdown() noexcept;
  void start_connect_tcp(const char *host, int port);
  void try_connect_next() noexcept;
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
