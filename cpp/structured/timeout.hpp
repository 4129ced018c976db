// timeout.hpp — struct ac_timeout: a deadline around a stretch of awaits
// in one task (asyncio.timeout / timeout_at, Trio's move_on_after).
//
// Invariants:
//  - state goes CREATED -> ENTERED -> (EXPIRING ->) EXITED/EXPIRED, once.
//  - `task` holds a reference from enter to exit; while it does, the scope
//    is on the loop's closable list, so closing the loop drops it (a task
//    left pending inside a scope would otherwise keep itself alive through
//    its own state).
//  - the timer is armed (heap_index() != npos, one reference for the heap)
//    only while ENTERED with a finite deadline.
//  - `cancelling` is the task's cancelling() count at enter: at exit, only
//    a count back at or below it means the cancellation was ours.
#pragma once

#include <cstdint>

#include "core/task.hpp"

namespace ac {
constexpr uint32_t kTimeoutMagic = 0x546d6f31;  // "Tmo1"
}

struct ac_timeout final : ac::TimerNode, ac::Closable {
  enum State : uint8_t { kCreated, kEntered, kExpiring, kExpired, kExited };
  uint32_t magic = ac::kTimeoutMagic;
  State state = kCreated;
  int refs = 1;
  int cancelling = 0;
  double deadline;  // loop time; +inf for none
  ac_loop *loop;
  ac_task *task = nullptr;
  // After an exit that timed out: the TimeoutError (cause: the task's
  // CancelledError).
  ac_error *timeout_error = nullptr;

  ac_timeout(ac_loop *l, double when) noexcept;
  ~ac_timeout();
  void ref() noexcept { ++refs; }
  void unref() noexcept {
    if (--refs == 0) delete this;
  }

  int enter(ac_task *t);
  int exit(int outcome) noexcept;
  int reschedule(double when);
  bool expired() const noexcept { return state == kExpiring || state == kExpired; }

  void fire() noexcept override;
  void drop_timer() noexcept override { unref(); }
  void close_for_loop() noexcept override;

 private:
  void arm();  // throws bad_alloc
  void disarm() noexcept;
  void release_task() noexcept;
};
