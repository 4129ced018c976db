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
// the order they were scheduled. heap_index() is maintained by TimerHeap
// (npos while not in a heap).
//
// A due timer does not fire at once: it joins the ready queue (a timer is
// a Runnable: itself) behind the callbacks already ready, and fires when
// the loop reaches it, as asyncio moves due timer handles to its ready
// queue. So a result and a deadline that fall due together resolve in
// scheduling order. Between the two, `hop_queued()` is set;
// ac_loop::remove_timer takes the node out of either place.
struct TimerNode : Runnable {
  static constexpr size_t npos = static_cast<size_t>(-1);

 private:
  // The queued flag and the heap position live in Runnable's tail padding,
  // after its kind: a node costs 32 bytes (a sleep future fits a 112-byte
  // block, a task's sleep the task's outcome slot).
  static constexpr uint32_t kNoIndex = UINT32_MAX;
  bool queued_ = false;        // hop_queued()
  uint32_t index_ = kNoIndex;  // heap_index()

 public:
  double when = 0;
  uint64_t seq = 0;

  size_t heap_index() const noexcept { return index_ == kNoIndex ? npos : index_; }
  // A heap of 2^32 - 1 nodes (32 bytes each) cannot be allocated first.
  void set_heap_index(size_t i) noexcept { index_ = i == npos ? kNoIndex : static_cast<uint32_t>(i); }
  bool hop_queued() const noexcept { return queued_; }
  void set_hop_queued(bool q) noexcept { queued_ = q; }

  // The ready queue reached the due node: the heap's claim passes to
  // fire(), which releases it.
  void run() noexcept final {
    queued_ = false;
    fire();
  }
  // The loop closes with the node due: released without firing.
  void drop() noexcept final {
    queued_ = false;
    drop_timer();
  }

  // Due, and reached in the ready queue (or, for a scheduled callback that
  // is no timer, reached there): releases the heap's claim.
  virtual void fire() noexcept = 0;
  // The loop closes: release the heap's claim without firing.
  virtual void drop_timer() noexcept = 0;

  TimerNode() noexcept = default;
  TimerNode(const TimerNode &) = delete;
  TimerNode &operator=(const TimerNode &) = delete;

 protected:
  ~TimerNode() = default;
};

#if defined(__GNUC__) && UINTPTR_MAX == UINT64_MAX
// The Itanium C++ ABI (GCC, Clang, MinGW) lays a derived class's members
// into a polymorphic base's tail padding: the node's flag and index share
// Runnable's last eight bytes.
static_assert(sizeof(TimerNode) == 32, "a timer node is 32 bytes");
#endif

}  // namespace ac
