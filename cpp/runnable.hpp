// runnable.hpp — what the loop's ready queue and timer heap hold.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ac {

// An entry of the ready queue. The queue owns one claim on it: run() or
// drop() (when the loop closes before it ran) releases that claim.
struct Runnable {
  enum Kind : uint8_t { kOther = 0, kTask = 1, kFutureCallback = 2 };
  // Lets hot paths tell tasks and done-callbacks apart without RTTI.
  Kind kind = kOther;
  virtual void run() noexcept = 0;
  virtual void drop() noexcept = 0;

 protected:
  ~Runnable() = default;
};

// An entry of the timer heap, ordered by (when, seq): equal deadlines fire in
// the order they were scheduled. heap_index is maintained by TimerHeap
// (npos while not in a heap).
struct TimerNode {
  static constexpr size_t npos = static_cast<size_t>(-1);
  double when = 0;
  uint64_t seq = 0;
  size_t heap_index = npos;

  // Due: the heap has already removed the node. The heap's claim passes to
  // fire(), which releases it.
  virtual void fire() noexcept = 0;
  // The loop closes: release the heap's claim without firing.
  virtual void drop_timer() noexcept = 0;

 protected:
  ~TimerNode() = default;
};

}  // namespace ac
