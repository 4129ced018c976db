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
// A due timer does not fire at once: it joins the ready queue (through its
// embedded `hop`) behind the callbacks already ready, and fires when the
// loop reaches it, as asyncio moves due timer handles to its ready queue.
// So a result and a deadline that fall due together resolve in scheduling
// order. Between the two, `hop_queued()` is set; ac_loop::remove_timer takes
// the node out of either place.
struct TimerNode {
  static constexpr size_t npos = static_cast<size_t>(-1);
  double when = 0;
  uint64_t seq = 0;

  // The heap position and the queued flag live in the hop, in the padding
  // after Runnable's kind: a node costs 48 bytes, not 64 (a sleep future
  // fits a 128-byte block).
  struct Hop final : Runnable {
    static constexpr uint32_t kNoIndex = UINT32_MAX;
    bool queued = false;         // hop_queued()
    uint32_t index = kNoIndex;   // heap_index()
    TimerNode *owner;
    explicit Hop(TimerNode *o) noexcept : owner(o) {}
    void run() noexcept override {
      owner->hop.queued = false;
      owner->fire();
    }
    void drop() noexcept override {
      owner->hop.queued = false;
      owner->drop_timer();
    }
  } hop{this};

  size_t heap_index() const noexcept { return hop.index == Hop::kNoIndex ? npos : hop.index; }
  // A heap of 2^32 - 1 nodes (48 bytes each) cannot be allocated first.
  void set_heap_index(size_t i) noexcept {
    hop.index = i == npos ? Hop::kNoIndex : static_cast<uint32_t>(i);
  }
  bool hop_queued() const noexcept { return hop.queued; }
  void set_hop_queued(bool q) noexcept { hop.queued = q; }

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

#if defined(__GNUC__) && UINTPTR_MAX == UINT64_MAX
// The Itanium C++ ABI (GCC, Clang, MinGW) lays a derived class's members
// into a polymorphic base's tail padding: the hop's fields share
// Runnable's last eight bytes.
static_assert(sizeof(TimerNode::Hop) == 24, "the hop's fields fill Runnable's padding");
static_assert(sizeof(TimerNode) == 48, "a timer node is 48 bytes");
#endif

}  // namespace ac
