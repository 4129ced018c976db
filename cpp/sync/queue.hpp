// queue.hpp — struct ac_queue: asyncio 3.13's Queue, LifoQueue and
// PriorityQueue, shutdown included, over sync_wait.hpp.
//
// As in asyncio, a wake-up hands nothing over: put_nowait wakes the first
// waiting getter and get_nowait the first waiting putter, and the woken
// operation takes the item (or puts its own) when its task runs — after
// checking the queue again, so an item taken meanwhile sends it back to
// wait, and a getter or putter cancelled before it runs takes or puts
// nothing and passes its wake-up on.
#pragma once

#include <cstdint>
#include <vector>

#include <asyncore/queue.h>

#include "sync/sync.hpp"

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

}  // namespace ac

struct ac_queue final : ac::SyncObject {
  int kind;
  int64_t maxsize;  // <= 0: unbounded (asyncio)
  ac::ItemRing ring;                // FIFO and LIFO items
  std::vector<ac::QueueItem> heap;  // PRIORITY items: a min-heap on (priority, seq)
  uint64_t next_seq = 0;
  // Items put and not yet marked done (asyncio's _unfinished_tasks); join
  // waits on `finished`, set while it is zero.
  uint64_t unfinished = 0;
  bool shut = false;  // asyncio's _is_shutdown
  ac::WaitList getters{this};
  ac::WaitList putters{this};
  ac_event *finished;  // a reference

  ac_queue(ac_loop *l, int k, int64_t max, ac_event *fin) noexcept
      : SyncObject(ac::kQueueMagic, l), kind(k), maxsize(max), finished(fin) {
    finished->set();
  }
  ~ac_queue() override;

  size_t size() const noexcept { return kind == AC_QUEUE_PRIORITY ? heap.size() : ring.size(); }
  bool empty() const noexcept { return size() == 0; }
  bool full() const noexcept { return maxsize > 0 && size() >= static_cast<uint64_t>(maxsize); }

  // put takes over *item (an owned value) when it returns 0 and leaves it
  // to the caller otherwise; put_nowait likewise. May throw bad_alloc
  // before taking it.
  int put(ac_value *item, int64_t priority, ac_future **out);
  int put_nowait(ac_value *item, int64_t priority);
  int get(ac_future **out);
  int get_nowait(ac_value *out, int64_t *priority) noexcept;
  int task_done() noexcept;
  ac_future *join();  // throws bad_alloc
  void shutdown(bool immediate) noexcept;

 private:
  ac::Op put_wait(ac_value item, int64_t priority);
  ac::Op get_wait();
  void reserve_one();                            // throws bad_alloc
  void store(const ac::QueueItem &it) noexcept;  // after reserve_one
  ac::QueueItem take() noexcept;                 // size() > 0
  // asyncio's _wakeup_next: the first waiter not done leaves the list and
  // is woken.
  static void wakeup_next(ac::WaitList &waiters) noexcept;
};
