// ready_queue.hpp — the loop's FIFO of runnables: a growable ring buffer.
// Positions are absolute: head_ counts the entries ever taken, the entry
// at position p sits in slot p & (cap_ - 1) (cap_ a power of two), and the
// slots of positions [head_, head_ + size_) hold the entries and the
// tombstones of removed ones (dead_ of them).
//
// The batch: the loop runs the entries ready when a batch begins and no
// others (asyncio's ntodo): those scheduled meanwhile wait for the next one.
// begin_batch(n) marks the first n entries; pop_batch() takes them in
// order; an entry of the batch taken out by remove() (a timer cancelled
// after it fell due, a task failing while ready) leaves the batch with it,
// as asyncio skips a cancelled handle.
//
// Removal leaves a tombstone in the entry's slot (asyncio leaves the
// cancelled handle in its deque and skips it): the entries around it do not
// move, so an entry is found again from its position, its ticket
// (next_ticket() just before the push), and remove_at() costs O(1)
// whatever the queue's length. Tombstones are skipped where the queue is
// read; size() and empty() count the live entries only.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <new>

#include "core/assert.hpp"
#include "core/runnable.hpp"

namespace ac {

class ReadyQueue {
 public:
  ReadyQueue() = default;
  ReadyQueue(const ReadyQueue &) = delete;
  ReadyQueue &operator=(const ReadyQueue &) = delete;
  ~ReadyQueue() { std::free(slots_); }

  // Live entries (tombstones are not counted).
  bool empty() const noexcept { return size_ == dead_; }
  size_t size() const noexcept { return size_ - dead_; }

  // Throws std::bad_alloc when growing fails; the queue is unchanged then.
  void push(Runnable *r) {
    if (size_ == cap_) grow();
    slots_[(head_ + size_) & (cap_ - 1)] = r;
    ++size_;
  }
  // The ticket the next push gets: its position.
  uint64_t next_ticket() const noexcept { return head_ + size_; }
  // The first live entry (outside a batch: the loop's close drains the
  // queue).
  Runnable *pop() noexcept {
    AC_DEBUG_ASSERT(batch_live_ == 0 && !empty(), "pop: no batch under way, an entry to take");
    return take_live();
  }
  // Removes r, the live entry pushed with `ticket`; inside the batch it
  // leaves it. O(1).
  void remove_at(uint64_t ticket, Runnable *r) noexcept {
    AC_DEBUG_ASSERT(ticket - head_ < size_ && slots_[ticket & (cap_ - 1)] == r,
                    "remove_at: the entry pushed with that ticket, still queued");
    (void)r;
    bury(ticket);
  }
  // Removes every occurrence of r; those inside the batch leave it. A walk
  // over the queue: for entries whose ticket nobody kept.
  void remove(Runnable *r) noexcept {
    for (uint64_t p = head_; p - head_ < size_; ++p) {
      if (slots_[p & (cap_ - 1)] != r) continue;
      bury(p);
      if (size_ == 0) return;  // the queue emptied (bury resets it)
    }
  }

  // ---- the batch (see the header comment) ----
  // The whole queue.
  void begin_batch_all() noexcept {
    AC_DEBUG_ASSERT(batch_live_ == 0, "a batch begins with none under way");
    batch_live_ = size_ - dead_;
    batch_end_ = head_ + size_;
  }
  // The first n live entries.
  void begin_batch(size_t n) noexcept {
    AC_DEBUG_ASSERT(batch_live_ == 0 && n <= size(), "a batch begins with none under way, within the queue");
    batch_live_ = n;
    // The slots up to the n-th live entry: a walk over what the batch runs.
    uint64_t p = head_;
    for (size_t live = 0; live < n; ++p)
      if (slots_[p & (cap_ - 1)] != tombstone()) ++live;
    batch_end_ = p;
  }
  // Entries of the batch not yet taken.
  size_t batch_left() const noexcept { return batch_live_; }
  Runnable *pop_batch() noexcept {
    AC_DEBUG_ASSERT(batch_live_ > 0 && batch_live_ <= size(), "pop_batch within the batch");
    --batch_live_;
    return take_live();
  }
  // Ends the batch early (an interruption, the time budget) or on time.
  void end_batch() noexcept { batch_live_ = 0; }

 private:
  // What a removed entry's slot holds; never run (the queue skips it).
  struct Tombstone final : Runnable {
    void run() noexcept override {}
    void drop() noexcept override {}
  };
  static constinit inline Tombstone tombstone_{};
  static Runnable *tombstone() noexcept { return &tombstone_; }

  [[gnu::noinline, gnu::cold]] void grow() {
    size_t ncap = cap_ == 0 ? 256 : cap_ * 2;
    auto *n = static_cast<Runnable **>(std::malloc(ncap * sizeof(Runnable *)));
    if (n == nullptr) throw std::bad_alloc();
    for (uint64_t p = head_; p - head_ < size_; ++p) n[p & (ncap - 1)] = slots_[p & (cap_ - 1)];
    std::free(slots_);
    slots_ = n;
    cap_ = ncap;
  }

  void bury(uint64_t ticket) noexcept {
    slots_[ticket & (cap_ - 1)] = tombstone();
    ++dead_;
    if (batch_live_ > 0 && ticket < batch_end_) --batch_live_;
    if (size_ == dead_) {
      // Nothing live is left: drop the tombstones at once.
      head_ += size_;
      size_ = dead_ = 0;
    }
  }

  // The first live entry, past the tombstones before it (there is one).
  Runnable *take_live() noexcept {
    for (;;) {
      Runnable *r = slots_[head_ & (cap_ - 1)];
      ++head_;
      --size_;
      if (r != tombstone()) [[likely]] return r;
      --dead_;
    }
  }

  Runnable **slots_ = nullptr;
  size_t cap_ = 0;
  uint64_t head_ = 0;       // the first entry's position (entries ever taken)
  size_t size_ = 0;         // slots in use: entries and tombstones
  size_t dead_ = 0;         // tombstones among them
  size_t batch_live_ = 0;   // live entries of the batch under way not yet taken
  uint64_t batch_end_ = 0;  // positions below this are in the batch
};

}  // namespace ac
