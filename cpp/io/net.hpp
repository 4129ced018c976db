// net.hpp — what streams, servers, UDP endpoints and DNS share: address
// text <-> sockaddr, name resolution, and the futures they hand out.
#pragma once

#include <string>
#include <vector>

#include <uv.h>

#include "io/platform.hpp"

#include "core/future.hpp"

namespace ac {

// "1.2.3.4:80", "[::1]:80", or the path of a Unix socket. Returns 0 or a
// negative code; throws bad_alloc.
int format_address(const sockaddr *sa, socklen_t len, std::string *out);
// Parses "1.2.3.4:80" / "[::1]:80" (numeric only). AC_EINVAL when malformed.
int parse_address(const char *text, sockaddr_storage *out) noexcept;
// Numeric host + port (no resolution). AC_EINVAL when not numeric.
int numeric_address(const char *host, int port, sockaddr_storage *out) noexcept;
// A getaddrinfo() failure as libuv's UV_EAI_* code.
int eai_code(int eai) noexcept;
// Numeric, or resolved synchronously (first result wins): for binds,
// where asyncio resolves too before listening.
int resolve_now(const char *host, int port, int socktype, sockaddr_storage *out) noexcept;

// A new string for the C caller (ac_alloc'd copy of s) or AC_ENOMEM.
int hand_out_string(const std::string &s, char **out) noexcept;

// Futures handed out by this subsystem. Throw bad_alloc.
ac_future *future_new(ac_loop *loop);
ac_future *future_done_none(ac_loop *loop);
ac_future *future_failed(ac_loop *loop, int code, const char *message = nullptr);
// Completes f (if still pending) with owned bytes or an error code.
void future_set_bytes(ac_future *f, void *data, size_t len) noexcept;
void future_copy_bytes(ac_future *f, const void *data, size_t len) noexcept;
void future_set_none(ac_future *f) noexcept;
// A new pending future listed in `waiters`, which holds one reference; the
// caller gets another. Throws bad_alloc (nothing listed then).
ac_future *future_listed(ac_loop *loop, std::vector<ac_future *> &waiters);
// Completes every listed future with NONE and drops the list's references.
void complete_listed_none(std::vector<ac_future *> &waiters) noexcept;
void future_fail(ac_future *f, int code, const char *message = nullptr) noexcept;
// Fails with an error whose payload is the owned bytes (partial reads).
void future_fail_with_bytes(ac_future *f, int code, const char *message, void *data,
                            size_t len) noexcept;

}  // namespace ac

namespace ac {
// Name resolution futures (ac_getaddrinfo / ac_getnameinfo). Return 0 and a
// new future in *out, or a negative code. Throw bad_alloc.
int getaddrinfo_future(ac_loop *loop, const char *host, const char *port, int family,
                       int socktype, ac_future **out);
int getnameinfo_future(ac_loop *loop, const sockaddr_storage *addr, int flags, ac_future **out);
}  // namespace ac
