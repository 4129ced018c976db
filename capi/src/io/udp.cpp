// udp.cpp — ac_udp_* at the boundary.
#include <string>

#include "io/net.hpp"
#include "io/udp.hpp"
#include "../shim.hpp"

using ac::shim::fail;

using ac::shim::check_loop;
using ac::shim::check_loop_fast;

static int check_udp(const ac_udp *u) noexcept {
  if (!ac::is_udp(u)) return fail(AC_EINVAL);
  return check_loop_fast(u->loop);
}

AC_API int ac_udp_bind(ac_loop *loop, const char *host, int port, ac_udp **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || port < 0 || port > 65535) return fail(AC_EINVAL);
  ac_udp *u;
  AC_GUARD(u = new ac_udp(loop);)
  rc = u->bind(host, port);
  if (rc != 0) {
    u->unref();
    return rc;
  }
  *out = u;
  return 0;
}

AC_API int ac_udp_connect(ac_udp *u, const char *host, int port) noexcept {
  int rc = check_udp(u);
  if (rc != 0) return rc;
  if (host == nullptr || port < 1 || port > 65535) return fail(AC_EINVAL);
  return u->connect(host, port);
}

AC_API ac_udp *ac_udp_ref(ac_udp *u) noexcept {
  if (ac::is_udp(u)) u->ref();
  return u;
}
AC_API void ac_udp_unref(ac_udp *u) noexcept {
  if (ac::is_udp(u)) u->unref();
}

AC_API int ac_udp_send(ac_udp *u, const void *data, size_t len, const char *address) noexcept {
  int rc = check_udp(u);
  if (rc != 0) return rc;
  if (data == nullptr && len != 0) return fail(AC_EINVAL);
  return u->send(data != nullptr ? data : "", len, address);
}

AC_API int ac_udp_recv(ac_udp *u, ac_future **out) noexcept {
  int rc = check_udp(u);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  AC_GUARD(return u->recv(false, out);)
}
AC_API int ac_udp_recvfrom(ac_udp *u, ac_future **out) noexcept {
  int rc = check_udp(u);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  AC_GUARD(return u->recv(true, out);)
}

AC_API int ac_udp_set_recv_queue(ac_udp *u, size_t max_datagrams) noexcept {
  int rc = check_udp(u);
  if (rc != 0) return rc;
  if (max_datagrams == 0) return fail(AC_EINVAL);
  u->max_queue = max_datagrams;
  return 0;
}
AC_API int64_t ac_udp_dropped(const ac_udp *u) noexcept {
  return ac::is_udp(u) ? u->dropped : int64_t{AC_EINVAL};
}
AC_API int64_t ac_udp_queued(const ac_udp *u) noexcept {
  return ac::is_udp(u) ? static_cast<int64_t>(u->queue.size()) : int64_t{AC_EINVAL};
}

AC_API int ac_udp_local_address(const ac_udp *u, char **out) noexcept {
  int rc = check_udp(u);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  if (u->closed) return fail(AC_ECLOSED);
  AC_GUARD({
    sockaddr_storage ss;
    int len = sizeof ss;
    rc = uv_udp_getsockname(&u->h, reinterpret_cast<sockaddr *>(&ss), &len);
    if (rc != 0) return rc;
    std::string text;
    rc = ac::format_address(reinterpret_cast<sockaddr *>(&ss), static_cast<socklen_t>(len), &text);
    if (rc != 0) return rc;
    return ac::hand_out_string(text, out);
  })
}

AC_API int ac_udp_close(ac_udp *u) noexcept {
  int rc = check_udp(u);
  if (rc != 0) return rc;
  u->close();
  return 0;
}
