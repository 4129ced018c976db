// runnable.hpp — what the loop's ready queue and timer heap hold.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ac {

// An entry of the ready queue. The queue owns one claim on it: run() or
// drop() (when the loop closes before it ran) releases that claim.
struct Runnable {
  enum Kind : uint8_t { kOther = 0, kTask = 1, kFutureCallback = 2, kWatch = 3 };
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
//
// A due timer does not fire at once: it joins the ready queue (through its
// embedded `hop`) behind the callbacks already ready, and fires when the
// loop reaches it, as asyncio moves due timer handles to its ready queue.
// So a result and a deadline that fall due together resolve in scheduling
// order. Between the two, `hop_queued` is set; ac_loop::remove_timer takes
// the node out of either place.
struct TimerNode {
  static constexpr size_t npos = static_cast<size_t>(-1);
  double when = 0;
  uint64_t seq = 0;
  size_t heap_index = npos;
  bool hop_queued = false;

  struct Hop final : Runnable {
    TimerNode *owner;
    explicit Hop(TimerNode *o) noexcept : owner(o) {}
    void run() noexcept override {
      owner->hop_queued = false;
      owner->fire();
    }
    void drop() noexcept override {
      owner->hop_queued = false;
      owner->drop_timer();
    }
  } hop{this};

  // Due, and reached in the ready queue: the heap's claim passes to fire(),
  // which releases it.
  virtual void fire() noexcept = 0;
  // The loop closes: release the heap's claim without firing.
  virtual void drop_timer() noexcept = 0;

  TimerNode() noexcept = default;
  TimerNode(const TimerNode &) = delete;
  TimerNode &operator=(const TimerNode &) = delete;

 protected:
  ~TimerNode() = default;
};

}  // namespace ac
