// sockopt.hpp — connection options of a stream (local bind address, happy
// eyeballs, interleave, TCP_NODELAY) and the listening options of servers.
#pragma once

#include "io/platform.hpp"

#include <cstdint>
#include <vector>

#include <asyncore/sockopt.h>

namespace ac {

struct ConnectOptions {
  sockaddr_storage local{};  // local_host parsed (family AF_UNSPEC: none)
  int local_port = 0;
  double delay = -1;         // happy eyeballs; < 0: off
  int interleave = 0;
  int nodelay = 1;
  bool prepared = false;     // targets reordered, race decided
};

// Validates and copies the caller's options; AC_EINVAL when bad.
int connect_options_parse(const ac_connect_options *in, ConnectOptions *out) noexcept;
// Reorders addresses by family as asyncio's _interleave_addrinfos.
void interleave_addresses(std::vector<sockaddr_storage> &addrs, int first_count);

// Starts a sendfile on `s`: 0 and a new future in *out, or a code (the
// caller still owns fd then). Throws bad_alloc.
int stream_sendfile(ac_stream *s, int fd, bool own_fd, int64_t offset, int64_t count,
                    ac_future **out);

}  // namespace ac
