#include "queue.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "value.hpp"

namespace ac {

void ItemRing::grow() {
  size_t ncap = cap_ == 0 ? 16 : cap_ * 2;
  auto *n = static_cast<QueueItem *>(std::malloc(ncap * sizeof(QueueItem)));
  if (n == nullptr) throw std::bad_alloc();
  for (size_t i = 0; i < size_; ++i) n[i] = slots_[(head_ + i) & (cap_ - 1)];
  std::free(slots_);
  slots_ = n;
  cap_ = ncap;
  head_ = 0;
}

namespace {
// std heap functions build a max-heap: "less" means "comes out later".
bool comes_later(const QueueItem &a, const QueueItem &b) noexcept {
  return a.priority != b.priority ? a.priority > b.priority : a.seq > b.seq;
}
void set_none(ac_future *f) noexcept {
  ac_value none;
  value_init(&none);
  f->set_result(&none);
}
void complete_all(WaitList &list) noexcept {
  while (ListedFuture *f = list.pop()) {
    set_none(f);
    f->unref();
  }
}
}  // namespace

GetWait::~GetWait() {
  if (owner != nullptr) owner->unref();
}

void GetWait::hand(ac_queue *q, QueueItem it) noexcept {
  priority = it.priority;
  seq = it.seq;
  q->ref();
  owner = q;
  resume_hook = true;
  set_result(&it.value);
}

void GetWait::on_task_resume(bool delivered) noexcept {
  resume_hook = false;
  ac_queue *q = owner;
  owner = nullptr;
  if (!delivered) {
    // The task never saw the item: back to the head of the queue.
    QueueItem it{result, priority, seq};
    value_init(&result);
    q->give_back(it);
  }
  q->unref();
}

PutWait::~PutWait() { value_release(&item.value); }

void PutWait::before_cancel(bool) noexcept { value_release(&item.value); }

}  // namespace ac

ac_queue::~ac_queue() {
  while (size() > 0) {
    ac::QueueItem it = take();
    ac::value_release(&it.value);
  }
  for (ac::ListedFuture *f = putters.head; f != nullptr; f = f->next)
    ac::value_release(&static_cast<ac::PutWait *>(f)->item.value);
  ac::fail_all(getters, AC_ECLOSED, "queue destroyed while waited for");
  ac::fail_all(putters, AC_ECLOSED, "queue destroyed while waited for");
  ac::fail_all(joiners, AC_ECLOSED, "queue destroyed while waited for");
}

void ac_queue::reserve_one() {
  if (kind == AC_QUEUE_PRIORITY)
    heap.reserve(heap.size() + 1);
  else
    ring.reserve_one();
}

void ac_queue::store(const ac::QueueItem &it) noexcept {
  if (kind == AC_QUEUE_PRIORITY) {
    heap.push_back(it);  // capacity reserved: does not throw
    std::push_heap(heap.begin(), heap.end(), ac::comes_later);
  } else {
    ring.push_back(it);
  }
}

ac::QueueItem ac_queue::take() noexcept {
  switch (kind) {
    case AC_QUEUE_FIFO:
      return ring.pop_front();
    case AC_QUEUE_LIFO:
      return ring.pop_back();
    default: {
      std::pop_heap(heap.begin(), heap.end(), ac::comes_later);
      ac::QueueItem it = heap.back();
      heap.pop_back();
      return it;
    }
  }
}

void ac_queue::deliver(ac::QueueItem it) noexcept {
  ++unfinished;
  it.seq = next_seq++;
  if (ac::ListedFuture *g = getters.pop()) {
    static_cast<ac::GetWait *>(g)->hand(this, it);
    g->unref();
  } else {
    store(it);
  }
}

void ac_queue::admit_putter() noexcept {
  // A take leaves its slot's capacity behind, so storing cannot fail.
  while (!putters.empty() && !full()) {
    auto *p = static_cast<ac::PutWait *>(putters.pop());
    ac::QueueItem it = p->item;
    ac::value_init(&p->item.value);
    deliver(it);
    ac::set_none(p);
    p->unref();
  }
}

void ac_queue::finish_one() noexcept {
  if (unfinished > 0 && --unfinished == 0) ac::complete_all(joiners);
}

int ac_queue::put(ac_value *item, int64_t priority, ac_future **out) {
  if (shut) return AC_ESHUTDOWN;
  if (!full()) {
    ac_future *f = ac::done_future(loop);
    try {
      if (getters.empty()) reserve_one();
    } catch (...) {
      f->unref();
      throw;
    }
    deliver(ac::QueueItem{*item, priority, 0});
    ac::value_init(item);
    *out = f;
    return 0;
  }
  auto *w = new ac::PutWait(loop, *item, priority);
  ac::value_init(item);
  putters.push(w);
  *out = w;
  return 0;
}

int ac_queue::put_nowait(ac_value *item, int64_t priority) {
  if (shut) return AC_ESHUTDOWN;
  if (full()) return AC_EFULL;
  if (getters.empty()) reserve_one();
  deliver(ac::QueueItem{*item, priority, 0});
  ac::value_init(item);
  return 0;
}

int ac_queue::get(ac_future **out) {
  if (size() > 0) {
    auto *w = new ac::GetWait(loop);  // before taking: nothing to lose if it throws
    w->hand(this, take());
    admit_putter();
    *out = w;
    return 0;
  }
  if (shut) return AC_ESHUTDOWN;
  auto *w = new ac::GetWait(loop);
  getters.push(w);
  *out = w;
  return 0;
}

int ac_queue::get_nowait(ac_value *out, int64_t *priority) noexcept {
  if (size() == 0) return shut ? AC_ESHUTDOWN : AC_EEMPTY;
  ac::QueueItem it = take();
  admit_putter();
  *out = it.value;
  if (priority != nullptr) *priority = it.priority;
  return 0;
}

int ac_queue::task_done() noexcept {
  if (unfinished == 0) return AC_ESTATE;
  finish_one();
  return 0;
}

ac_future *ac_queue::join() {
  if (unfinished == 0) return ac::done_future(loop);
  auto *w = new ac::ListedFuture(loop);
  joiners.push(w);
  return w;
}

void ac_queue::shutdown(bool immediate) noexcept {
  shut = true;
  if (immediate) {
    shut_immediate = true;
    // Dropped items count as done, so join does not wait for them.
    while (size() > 0) {
      ac::QueueItem it = take();
      ac::value_release(&it.value);
      if (unfinished > 0) --unfinished;
    }
    if (unfinished == 0) ac::complete_all(joiners);
  }
  // Waiting getters imply an empty queue: they all fail. Waiting putters
  // fail too; their items are released now.
  ac::fail_all(getters, AC_ESHUTDOWN, "queue shut down");
  for (ac::ListedFuture *f = putters.head; f != nullptr; f = f->next)
    ac::value_release(&static_cast<ac::PutWait *>(f)->item.value);
  ac::fail_all(putters, AC_ESHUTDOWN, "queue shut down");
}

void ac_queue::give_back(ac::QueueItem it) noexcept {
  if (shut_immediate) {
    ac::value_release(&it.value);
    finish_one();
    return;
  }
  if (ac::ListedFuture *g = getters.pop()) {
    static_cast<ac::GetWait *>(g)->hand(this, it);
    g->unref();
    return;
  }
  try {
    reserve_one();
  } catch (...) {
    loop->report("out of memory: a queue item handed back by a cancelled get was dropped",
                 nullptr, nullptr);
    ac::value_release(&it.value);
    finish_one();
    return;
  }
  if (kind == AC_QUEUE_PRIORITY)
    store(it);  // keeps its original place among equal priorities
  else
    ring.push_front(it);  // it is older than everything stored
}
