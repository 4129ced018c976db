// stream.cpp — ac_stream_* at the boundary.
#include <cstdint>
#include <cstring>
#include <string>

#include "io/net.hpp"
#include "io/stream.hpp"
#include "../shim.hpp"

using ac::shim::fail;

using ac::shim::check_loop;
using ac::shim::check_loop_fast;

// A stream that may be used from here.
static int check_stream(const ac_stream *s) noexcept {
  if (!ac::is_stream(s)) return fail(AC_EINVAL);
  return check_loop_fast(s->loop);
}

static int connect_common(ac_loop *loop, const char *target, int port, bool unix_socket,
                          ac_stream **stream_out, ac_future **connected_out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (target == nullptr || stream_out == nullptr || connected_out == nullptr) return fail(AC_EINVAL);
  if (!unix_socket && (port < 1 || port > 65535)) return fail(AC_EINVAL);
  ac_stream *s = nullptr;
  AC_GUARD({
    s = ac::stream_new(loop, unix_socket);
    ac_future *f;
    try {
      f = unix_socket ? s->connect_unix(target) : s->connect_tcp(target, port);
    } catch (...) {
      s->unref();
      throw;
    }
    *stream_out = s;
    *connected_out = f;
    return 0;
  })
}

AC_API int ac_stream_connect_tcp(ac_loop *loop, const char *host, int port,
                                 ac_stream **stream_out, ac_future **connected_out) noexcept {
  return connect_common(loop, host, port, false, stream_out, connected_out);
}

AC_API int ac_stream_connect_unix(ac_loop *loop, const char *path, ac_stream **stream_out,
                                  ac_future **connected_out) noexcept {
  return connect_common(loop, path, 0, true, stream_out, connected_out);
}

AC_API ac_stream *ac_stream_ref(ac_stream *s) noexcept {
  if (ac::is_stream(s)) s->ref();
  return s;
}
AC_API void ac_stream_unref(ac_stream *s) noexcept {
  if (ac::is_stream(s)) s->unref();
}
AC_API ac_loop *ac_stream_get_loop(const ac_stream *s) noexcept {
  return ac::is_stream(s) ? s->loop : nullptr;
}

static int read_common(ac_stream *s, ac_stream::ReadKind kind, size_t n, const void *sep,
                       size_t sep_len, ac_future **out) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  if (s->loop->closed) return fail(AC_ECLOSED);
  AC_GUARD(return s->start_read(kind, n, sep, sep_len, out);)
}

AC_API int ac_stream_read(ac_stream *s, size_t n, ac_future **out) noexcept {
  return read_common(s, ac_stream::kRead, n, nullptr, 0, out);
}
AC_API int ac_stream_readexactly(ac_stream *s, size_t n, ac_future **out) noexcept {
  return read_common(s, ac_stream::kExactly, n, nullptr, 0, out);
}
AC_API int ac_stream_readuntil(ac_stream *s, const void *sep, size_t sep_len,
                               ac_future **out) noexcept {
  if (sep == nullptr || sep_len == 0) return fail(AC_EINVAL);
  return read_common(s, ac_stream::kUntil, 0, sep, sep_len, out);
}
AC_API int ac_stream_readline(ac_stream *s, ac_future **out) noexcept {
  return read_common(s, ac_stream::kLine, 0, "\n", 1, out);
}
AC_API int ac_stream_at_eof(const ac_stream *s) noexcept {
  if (!ac::is_stream(s)) return fail(AC_EINVAL);
  return s->eof && s->buffered() == 0 ? 1 : 0;
}
AC_API int64_t ac_stream_buffered(const ac_stream *s) noexcept {
  if (!ac::is_stream(s)) return fail(AC_EINVAL);
  return static_cast<int64_t>(s->buffered());
}
AC_API int ac_stream_set_limit(ac_stream *s, size_t limit) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (limit == 0 || limit > SIZE_MAX / 4) return fail(AC_EINVAL);
  s->limit = limit;
  return 0;
}

AC_API int ac_stream_write(ac_stream *s, const void *data, size_t len) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (data == nullptr && len != 0) return fail(AC_EINVAL);
  if (s->loop->closed) return fail(AC_ECLOSED);
  AC_GUARD(return s->write(data, len);)
}
AC_API int ac_stream_drain(ac_stream *s, ac_future **out) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  if (s->loop->closed) return fail(AC_ECLOSED);
  AC_GUARD(*out = s->drain(); return 0;)
}
AC_API int ac_stream_set_write_buffer_limits(ac_stream *s, size_t high, size_t low) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (high == 0 && low == 0) {
    high = AC_STREAM_DEFAULT_HIGH_WATER;
    low = high / 4;
  }
  if (low > high) return fail(AC_EINVAL);
  s->high_water = high;
  s->low_water = low;
  if (s->write_buffer_size() > high) s->write_paused = true;
  return 0;
}
AC_API int64_t ac_stream_write_buffer_size(const ac_stream *s) noexcept {
  if (!ac::is_stream(s)) return fail(AC_EINVAL);
  return static_cast<int64_t>(s->write_buffer_size());
}
AC_API int ac_stream_write_eof(ac_stream *s) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  return s->write_eof();
}

AC_API int ac_stream_close(ac_stream *s) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  s->close();
  return 0;
}
AC_API int ac_stream_is_closing(const ac_stream *s) noexcept {
  if (!ac::is_stream(s)) return fail(AC_EINVAL);
  return s->phase >= ac_stream::kClosing ? 1 : 0;
}
AC_API int ac_stream_wait_closed(ac_stream *s, ac_future **out) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  if (s->loop->closed) return fail(AC_ECLOSED);
  AC_GUARD(*out = s->wait_closed(); return 0;)
}

static int address_common(const ac_stream *s, bool peer, char **out) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  AC_GUARD({
    std::string text;
    rc = s->address(peer, &text);
    if (rc != 0) return rc;
    return ac::hand_out_string(text, out);
  })
}
AC_API int ac_stream_peer_address(const ac_stream *s, char **out) noexcept {
  return address_common(s, true, out);
}
AC_API int ac_stream_local_address(const ac_stream *s, char **out) noexcept {
  return address_common(s, false, out);
}

AC_API int ac_stream_spawn(ac_stream *s, ac_step_fn step, size_t state_size,
                           size_t stream_offset, ac_task **out) noexcept {
  int rc = check_stream(s);
  if (rc != 0) return rc;
  if (step == nullptr || stream_offset > state_size ||
      state_size - stream_offset < sizeof(ac_stream *) || state_size > (SIZE_MAX >> 2))
    return fail(AC_EINVAL);
  void *state = ac::spawn_state_new(state_size, stream_offset);
  if (state == nullptr) return fail(AC_ENOMEM);
  s->ref();
  std::memcpy(static_cast<char *>(state) + stream_offset, &s, sizeof s);
  // ac_task_new runs the free function (dropping the reference) on error.
  return ac_task_new(s->loop, step, state, ac::spawn_state_free(), AC_TASK_DEFAULT, out);
}
