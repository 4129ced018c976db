// sleep.hpp — the future behind ac_sleep: a future that is its own timer.
#pragma once

#include "core/future.hpp"

namespace ac {

// The timer heap (then the ready queue, see TimerNode) holds one reference
// while the timer is armed.
struct SleepFuture final : ac_future, TimerNode {
  explicit SleepFuture(ac_loop *l) noexcept : ac_future(l) {}
  void fire() noexcept override;
  void drop_timer() noexcept override { unref(); }
  bool cancel(const char *message) noexcept override;
};

// A new sleep future (one reference for the caller). Throws bad_alloc.
ac_future *sleep_new(ac_loop *loop, double seconds);

}  // namespace ac
