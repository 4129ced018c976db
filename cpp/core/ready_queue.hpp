// ready_queue.hpp — the loop's FIFO of runnables: a growable ring buffer.
// Invariant: entries [head, head + size) modulo capacity are live; capacity
// is a power of two so the index wraps with a mask.
//
// The batch: the loop runs the entries ready when a batch begins and no
// others (asyncio's ntodo): those scheduled meanwhile wait for the next one.
// begin_batch(n) snapshots the first n entries; pop_batch() takes them in
// order; an entry of the batch taken out by remove() (a timer cancelled
// after it fell due, a task failing while ready) leaves the batch with it,
// as asyncio skips a cancelled handle. Invariant: batch_ <= size_, and the
// batch is the first batch_ entries.
#pragma once

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

  bool empty() const noexcept { return size_ == 0; }
  size_t size() const noexcept { return size_; }

  // Throws std::bad_alloc when growing fails; the queue is unchanged then.
  void push(Runnable *r) {
    if (size_ == cap_) grow();
    slots_[(head_ + size_) & (cap_ - 1)] = r;
    ++size_;
  }
  // The first entry (outside a batch: the loop's close drains the queue).
  Runnable *pop() noexcept {
    AC_DEBUG_ASSERT(batch_ == 0 && size_ > 0, "pop: no batch under way, an entry to take");
    return take_head();
  }
  // Removes every occurrence of r; those inside the batch leave it.
  void remove(Runnable *r) noexcept {
    size_t kept = 0;
    size_t batch_kept = 0;
    for (size_t i = 0; i < size_; ++i) {
      Runnable *x = slots_[(head_ + i) & (cap_ - 1)];
      if (x != r) {
        slots_[(head_ + kept++) & (cap_ - 1)] = x;
        if (i < batch_) ++batch_kept;
      }
    }
    size_ = kept;
    batch_ = batch_kept;
  }

  // ---- the batch (see the header comment) ----
  void begin_batch(size_t n) noexcept {
    AC_DEBUG_ASSERT(batch_ == 0 && n <= size_, "a batch begins with none under way, within the queue");
    batch_ = n;
  }
  // Entries of the batch not yet taken.
  size_t batch_left() const noexcept { return batch_; }
  Runnable *pop_batch() noexcept {
    AC_DEBUG_ASSERT(batch_ > 0 && batch_ <= size_, "pop_batch within the batch");
    --batch_;
    return take_head();
  }
  // Ends the batch early (an interruption, the time budget) or on time.
  void end_batch() noexcept { batch_ = 0; }

 private:
  [[gnu::noinline, gnu::cold]] void grow() {
    size_t ncap = cap_ == 0 ? 256 : cap_ * 2;
    auto *n = static_cast<Runnable **>(std::malloc(ncap * sizeof(Runnable *)));
    if (n == nullptr) throw std::bad_alloc();
    for (size_t i = 0; i < size_; ++i) n[i] = slots_[(head_ + i) & (cap_ - 1)];
    std::free(slots_);
    slots_ = n;
    cap_ = ncap;
    head_ = 0;
  }

  Runnable *take_head() noexcept {
    Runnable *r = slots_[head_];
    head_ = (head_ + 1) & (cap_ - 1);
    --size_;
    return r;
  }

  Runnable **slots_ = nullptr;
  size_t cap_ = 0;
  size_t head_ = 0;
  size_t size_ = 0;
  size_t batch_ = 0;  // entries of the batch under way not yet taken
};

}  // namespace ac
