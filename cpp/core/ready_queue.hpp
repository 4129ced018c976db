// ready_queue.hpp — the loop's FIFO of runnables: a growable ring buffer.
// Invariant: entries [head, head + size) modulo capacity are live; capacity
// is a power of two so the index wraps with a mask.
#pragma once

#include <cstdlib>
#include <new>

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
  Runnable *pop() noexcept {
    Runnable *r = slots_[head_];
    head_ = (head_ + 1) & (cap_ - 1);
    --size_;
    return r;
  }
  // Removes every occurrence of r (used when a task is detached at close).
  void remove(Runnable *r) noexcept {
    size_t kept = 0;
    for (size_t i = 0; i < size_; ++i) {
      Runnable *x = slots_[(head_ + i) & (cap_ - 1)];
      if (x != r) slots_[(head_ + kept++) & (cap_ - 1)] = x;
    }
    size_ = kept;
  }

 private:
  void grow() {
    size_t ncap = cap_ == 0 ? 256 : cap_ * 2;
    auto *n = static_cast<Runnable **>(std::malloc(ncap * sizeof(Runnable *)));
    if (n == nullptr) throw std::bad_alloc();
    for (size_t i = 0; i < size_; ++i) n[i] = slots_[(head_ + i) & (cap_ - 1)];
    std::free(slots_);
    slots_ = n;
    cap_ = ncap;
    head_ = 0;
  }

  Runnable **slots_ = nullptr;
  size_t cap_ = 0;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace ac
