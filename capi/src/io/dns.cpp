// dns.cpp — ac_getaddrinfo / ac_getnameinfo at the boundary.
#include "io/net.hpp"
#include "../shim.hpp"

using ac::shim::fail;

using ac::shim::check_loop;

AC_API int ac_getaddrinfo(ac_loop *loop, const char *host, const char *port, int family,
                          int socktype, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || (host == nullptr && port == nullptr)) return fail(AC_EINVAL);
  if (family != AC_FAMILY_ANY && family != AC_FAMILY_IPV4 && family != AC_FAMILY_IPV6)
    return fail(AC_EINVAL);
  if (socktype != AC_SOCKTYPE_STREAM && socktype != AC_SOCKTYPE_DGRAM) return fail(AC_EINVAL);
  AC_GUARD(return ac::getaddrinfo_future(loop, host, port, family, socktype, out);)
}

AC_API int ac_getnameinfo(ac_loop *loop, const char *address, int flags,
                          ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  constexpr int known = AC_NI_NUMERICHOST | AC_NI_NUMERICSERV | AC_NI_NAMEREQD | AC_NI_DGRAM;
  if (out == nullptr || (flags & ~known) != 0) return fail(AC_EINVAL);
  sockaddr_storage ss;
  if (ac::parse_address(address, &ss) != 0) return fail(AC_EINVAL);
  AC_GUARD(return ac::getnameinfo_future(loop, &ss, flags, out);)
}
