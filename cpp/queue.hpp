// queue.hpp — struct ac_queue: asyncio's Queue, LifoQueue and
// PriorityQueue with 3.13's shutdown, over sync_wait.hpp.
//
// Items move by hand-off: a put finds a waiting getter and completes it with
// the item directly; a get that frees a slot moves the first waiting
// putter's item in. Hence the invariants
//   getters non-empty  =>  no item is stored;
//   putters non-empty  =>  the queue is full (and not shut down).
// A getter handed an item whose task is cancelled before it resumes puts
// the item back at the head (GetWait::on_task_resume), so no item is lost.
#pragma once

#include <cstdint>
#include <vector>

#include <asyncore/queue.h>

#include "sync_wait.hpp"

namespace ac {

constexpr uint32_t kQueueMagic = 0x51756575;  // "Queu"

struct QueueItem {
  ac_value value;
  int64_t priority;
  uint64_t seq;  // put order: FIFO among equal priorities
};

// A ring of items for FIFO and LIFO queues: both ends push and pop in O(1).
class ItemRing {
 public:
  ItemRing() = default;
  ItemRing(const ItemRing &) = delete;
  ItemRing &operator=(const ItemRing &) = delete;
  ~ItemRing() { std::free(slots_); }
  size_t size() const noexcept { return size_; }
  // Makes room for one more item; throws std::bad_alloc.
  void reserve_one() {
    if (size_ == cap_) grow();
  }
  // After reserve_one.
  void push_back(const QueueItem &it) noexcept {
    slots_[(head_ + size_) & (cap_ - 1)] = it;
    ++size_;
  }
  void push_front(const QueueItem &it) noexcept {
    head_ = (head_ + cap_ - 1) & (cap_ - 1);
    slots_[head_] = it;
    ++size_;
  }
  QueueItem pop_front() noexcept {
    QueueItem it = slots_[head_];
    head_ = (head_ + 1) & (cap_ - 1);
    --size_;
    return it;
  }
  QueueItem pop_back() noexcept {
    --size_;
    return slots_[(head_ + size_) & (cap_ - 1)];
  }

 private:
  void grow();
  QueueItem *slots_ = nullptr;
  size_t cap_ = 0;  // a power of two
  size_t head_ = 0;
  size_t size_ = 0;
};

struct GetWait;

}  // namespace ac

struct ac_queue final : ac::SyncObject {
  int kind;
  size_t maxsize;  // 0: unbounded
  ac::ItemRing ring;                 // FIFO and LIFO items
  std::vector<ac::QueueItem> heap;   // PRIORITY items: a min-heap on (priority, seq)
  uint64_t next_seq = 0;
  // Items put and not yet marked done (asyncio's _unfinished_tasks); join
  // waiters complete when it reaches zero.
  uint64_t unfinished = 0;
  bool shut = false;
  bool shut_immediate = false;  // items put back after it are dropped
  ac::WaitList getters;  // GetWait
  ac::WaitList putters;  // PutWait
  ac::WaitList joiners;  // plain ListedFuture

  ac_queue(ac_loop *l, int k, size_t max) noexcept
      : SyncObject(ac::kQueueMagic, l), kind(k), maxsize(max) {}
  ~ac_queue() override;

  size_t size() const noexcept { return kind == AC_QUEUE_PRIORITY ? heap.size() : ring.size(); }
  bool full() const noexcept { return maxsize != 0 && size() >= maxsize; }

  // Each takes over *item (an owned value) when it returns 0 and leaves it
  // to the caller otherwise. May throw bad_alloc before taking it.
  int put(ac_value *item, int64_t priority, ac_future **out);
  int put_nowait(ac_value *item, int64_t priority);
  int get(ac_future **out);
  int get_nowait(ac_value *out, int64_t *priority) noexcept;
  int task_done() noexcept;
  ac_future *join();
  void shutdown(bool immediate) noexcept;

  // A getter gave back the item it was handed (its task was cancelled).
  void give_back(ac::QueueItem it) noexcept;

 private:
  // Room for one more stored item; throws bad_alloc.
  void reserve_one();
  // A new item (after reserve_one): to the first getter, else stored.
  void deliver(ac::QueueItem it) noexcept;
  void store(const ac::QueueItem &it) noexcept;  // after reserve_one
  ac::QueueItem take() noexcept;                 // size() > 0
  // A slot became free: the first waiting putter's item moves in.
  void admit_putter() noexcept;
  void finish_one() noexcept;  // one unfinished item fewer
};

namespace ac {

// A get: completes with the item as its result.
struct GetWait final : ListedFuture {
  // Held (a reference) from the hand-off until a task resumes from it.
  ac_queue *owner = nullptr;
  int64_t priority = 0;
  uint64_t seq = 0;
  explicit GetWait(ac_loop *l) noexcept : ListedFuture(l) {}
  ~GetWait() override;
  // Completes with `it` and arms the resume hook.
  void hand(ac_queue *q, QueueItem it) noexcept;
  void on_task_resume(bool delivered) noexcept override;
};

// A put waiting for room; owns its item until it moves into the queue.
struct PutWait final : ListedFuture {
  QueueItem item;
  PutWait(ac_loop *l, const ac_value &v, int64_t prio) noexcept : ListedFuture(l), item{v, prio, 0} {}
  ~PutWait() override;
  void before_cancel(bool queued) noexcept override;
};

}  // namespace ac
