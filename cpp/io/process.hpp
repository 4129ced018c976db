// process.hpp — struct ac_process: a child started with uv_spawn, its exit
// status, and the parent's ends of its pipes (ordinary ac_streams).
//
// Lifetime. `user_refs` counts the API's references. The memory goes when
// there are none and the uv_process_t is closed: libuv holds the handle
// until the child exited (its exit callback reaps it), so a child nobody
// references is still reaped. While the handle is open the process is on
// the loop's closables; a loop that closes kills a running child with
// SIGKILL, reaps it and fails the pending waits with AC_ECLOSED.
#pragma once

#include <cstdint>
#include <vector>

#include <uv.h>

#include <asyncore/process.h>

#include "core/future.hpp"
#include "core/loop.hpp"

namespace ac {
constexpr uint32_t kProcessMagic = 0x50726f63;  // "Proc"
}

struct ac_process final : ac::Closable {
  uint32_t magic = ac::kProcessMagic;
  int user_refs = 1;
  ac_loop *loop;
  uv_process_t proc{};
  int pid = 0;
  bool handle_live = false;   // uv_spawn initialised it, close callback not run yet
  bool registered = false;    // on the loop's closables list
  bool exited = false;
  int returncode = 0;
  ac_stream *pipes[3] = {nullptr, nullptr, nullptr};  // references held
  std::vector<ac_future *> waiters;  // wait() futures, one reference each
  // communicate: running, and the output of the last one that completed.
  bool communicating = false;
  bool have_output = false;
  ac_value out_bytes{}, err_bytes{};

  explicit ac_process(ac_loop *l) noexcept;
  ~ac_process();
  ac_process(const ac_process &) = delete;
  ac_process &operator=(const ac_process &) = delete;

  void ref() noexcept { ++user_refs; }
  void unref() noexcept;

  // Starts the child; 0 or a negative code (nothing left open then except
  // the handle, which closes on its own). Throws bad_alloc.
  // `verbatim`: on Windows, argv[1..] form the command line as written
  // (libuv's UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS; the shell's quoting).
  int spawn(const char *const *argv, const ac_process_options &o, bool verbatim = false);
  ac_future *wait();  // a new reference; throws bad_alloc
  int send_signal(int sig) noexcept;

  void close_for_loop() noexcept override;
  void on_exit(int64_t status, int term_signal) noexcept;
  void on_close() noexcept;

 private:
  void close_handle() noexcept;
  void maybe_free() noexcept;
};

namespace ac {
inline bool is_process(const ac_process *p) noexcept {
  return p != nullptr && p->magic == kProcessMagic;
}
}  // namespace ac
