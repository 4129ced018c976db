// server.hpp — struct ac_server: a listening socket that accepts
// connections itself (accept4 on a uv_poll watcher) so that running out of
// descriptors pauses accepting instead of dropping clients: libuv's own
// uv_listen answers EMFILE by accepting and closing the waiting
// connections, which would disconnect them.
//
// Lifetime: `user_refs` counts the API's references (and one held while
// the accept loop runs user callbacks); at zero a listening server closes.
// The memory goes when there are no references and both libuv handles
// (the poll watcher and the retry timer) have run their close callbacks.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include <uv.h>

#include <asyncore/server.h>

#include "core/future.hpp"
#include "core/loop.hpp"

namespace ac {
constexpr uint32_t kServerMagic = 0x53727672;  // "Srvr"
}

struct ac_server final : ac::Closable {
  uint32_t magic = ac::kServerMagic;
  int user_refs = 1;
  ac_loop *loop;
  int fd = -1;                // the listening socket; -1 once closed
  bool is_unix = false;
  std::string unix_path;      // removed at close
  uv_poll_t poll{};
  uv_timer_t retry{};         // re-arms accepting after EMFILE
  int live_handles = 0;       // handles whose close callback has not run
  bool serving = false;       // listening and not closed
  bool paused = false;        // accepting paused for lack of descriptors
  bool registered = false;    // on the loop's closables list
  int64_t accepted = 0;
  ac_server_connection_fn fn;
  void *ud;
  ac_free_fn free_ud;
  std::vector<ac_future *> closed_waiters;

  // ---- connections and serve_forever (sockopt.cpp) ----
  std::unordered_set<ac_stream *> clients;  // accepted, socket not closed
  ac_future *forever = nullptr;             // serve_forever's (reference)
  void attach(ac_stream *s) noexcept;       // hand_over
  void detach(ac_stream *s) noexcept;       // the stream's socket closed
  bool all_closed() const noexcept { return !serving && live_handles == 0 && clients.empty(); }
  int listen_tcp_opts(const char *host, int port, int backlog, int reuse_address,
                      int reuse_port, int ipv6_only) noexcept;
  int close_clients(bool abort) noexcept;
  int serve_forever(ac_future **out);  // throws bad_alloc
  void extras_close() noexcept;         // close()
  void extras_free() noexcept;          // destructor

  ac_server(ac_loop *l, ac_server_connection_fn f, void *u, ac_free_fn fu) noexcept;
  ~ac_server();
  ac_server(const ac_server &) = delete;
  ac_server &operator=(const ac_server &) = delete;

  // Binds and listens; 0 or a negative code (then the caller unrefs).
  int listen_tcp(const char *host, int port, int backlog) noexcept;
  int listen_unix(const char *path, int backlog) noexcept;

  void ref() noexcept { ++user_refs; }
  void unref() noexcept;
  void close() noexcept;
  ac_future *wait_closed();  // throws bad_alloc
  int address(std::string *out) const;

  void close_for_loop() noexcept override;

  // libuv plumbing.
  void on_readable() noexcept;
  void on_retry() noexcept;
  void on_handle_closed() noexcept;

 private:
  int start(int backlog) noexcept;
  void pause_accepting() noexcept;
  void hand_over(int client) noexcept;
  void complete_closed() noexcept;
};

namespace ac {
inline bool is_server(const ac_server *s) noexcept { return s != nullptr && s->magic == kServerMagic; }
// How long accepting pauses when descriptors run out.
constexpr uint64_t kAcceptRetryMs = 50;
}  // namespace ac
