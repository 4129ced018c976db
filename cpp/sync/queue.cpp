#include "sync/queue.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "core/value.hpp"

using ac::Op;
using ac::OpFuture;
using ac::Outcome;
using ac::QueueItem;
using ac::Waiter;

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
}  // namespace

}  // namespace ac

ac_queue::~ac_queue() {
  while (size() > 0) {
    QueueItem it = take();
    ac::value_release(&it.value);
  }
  getters.close_all();
  putters.close_all();
  finished->unref();
}

void ac_queue::reserve_one() {
  if (kind == AC_QUEUE_PRIORITY)
    ac::reserve_one_more(heap);
  else
    ring.reserve_one();
}

void ac_queue::store(const QueueItem &it) noexcept {
  if (kind == AC_QUEUE_PRIORITY) {
    heap.push_back(it);  // capacity reserved: does not throw
    std::push_heap(heap.begin(), heap.end(), ac::comes_later);
  } else {
    ring.push_back(it);
  }
}

QueueItem ac_queue::take() noexcept {
  switch (kind) {
    case AC_QUEUE_FIFO:
      return ring.pop_front();
    case AC_QUEUE_LIFO:
      return ring.pop_back();
    default: {
      std::pop_heap(heap.begin(), heap.end(), ac::comes_later);
      QueueItem it = heap.back();
      heap.pop_back();
      return it;
    }
  }
}

void ac_queue::wakeup_next(ac::WaitList &waiters) noexcept {
  while (Waiter *w = waiters.pop()) {
    if (!w->done()) {
      w->wake();
      break;
    }
  }
}

int ac_queue::put_nowait(ac_value *item, int64_t priority) {
  if (shut) return AC_ESHUTDOWN;
  if (full()) return AC_EFULL;
  reserve_one();
  store(QueueItem{*item, priority, next_seq++});
  ac::value_init(item);
  ++unfinished;
  finished->clear();
  wakeup_next(getters);
  return 0;
}

Op ac_queue::put_wait(ac_value item, int64_t priority) {
  OpFuture *op = co_await ac::ThisOp{};
  int rc = 0;
  while (full()) {
    if (shut) {
      rc = AC_ESHUTDOWN;
      break;
    }
    Waiter w(op);
    putters.push(&w);
    rc = co_await w;
    if (rc == AC_ECLOSED) break;
    if (rc != 0) {
      // except: take ourselves out; woken but leaving, pass the wake-up on.
      putters.remove(&w);
      if (!full() && !w.cancelled()) wakeup_next(putters);
      break;
    }
  }
  if (rc == 0) {
    try {
      rc = put_nowait(&item, priority);
    } catch (...) {
      rc = AC_ENOMEM;
    }
  }
  ac::value_release(&item);  // NONE when the queue took it
  switch (rc) {
    case 0:
      co_return Outcome::none();
    case AC_ECANCELLED:
      co_return Outcome::cancelled();
    case AC_ESHUTDOWN:
      co_return Outcome::error(rc, "");
    case AC_ECLOSED:
      co_return Outcome::error(rc, "queue destroyed while waited for");
    default:
      co_return Outcome::error(rc, nullptr);
  }
}

int ac_queue::put(ac_value *item, int64_t priority, ac_future **out) {
  if (!full()) {
    // No wait: put_nowait's outcome at once (QueueShutDown included).
    if (shut) return AC_ESHUTDOWN;
    ac_future *f = ac::done_future(loop);
    try {
      put_nowait(item, priority);
    } catch (...) {
      f->unref();
      throw;
    }
    *out = f;
    return 0;
  }
  if (shut) return AC_ESHUTDOWN;
  Op op = put_wait(*item, priority);
  if (op.future == nullptr) throw std::bad_alloc();
  ac::value_init(item);
  *out = op.future;
  return 0;
}

int ac_queue::get_nowait(ac_value *out, int64_t *priority) noexcept {
  if (empty()) return shut ? AC_ESHUTDOWN : AC_EEMPTY;
  QueueItem it = take();
  wakeup_next(putters);
  *out = it.value;
  if (priority != nullptr) *priority = it.priority;
  return 0;
}

Op ac_queue::get_wait() {
  OpFuture *op = co_await ac::ThisOp{};
  int rc = 0;
  while (empty()) {
    if (shut) {
      rc = AC_ESHUTDOWN;
      break;
    }
    Waiter w(op);
    getters.push(&w);
    rc = co_await w;
    if (rc == AC_ECLOSED) break;
    if (rc != 0) {
      getters.remove(&w);
      if (!empty() && !w.cancelled()) wakeup_next(getters);
      break;
    }
  }
  if (rc == 0) {
    ac_value v;
    get_nowait(&v, nullptr);
    co_return Outcome::item(v);
  }
  if (rc == AC_ECANCELLED) co_return Outcome::cancelled();
  if (rc == AC_ECLOSED) co_return Outcome::error(rc, "queue destroyed while waited for");
  co_return Outcome::error(rc, "");
}

int ac_queue::get(ac_future **out) {
  if (!empty()) {
    auto *f = new ac_future(loop);  // before taking: nothing to lose if it throws
    ac_value v;
    get_nowait(&v, nullptr);
    f->set_result(&v);
    *out = f;
    return 0;
  }
  if (shut) return AC_ESHUTDOWN;
  *out = ac::op_future(get_wait());
  return 0;
}

int ac_queue::task_done() noexcept {
  if (unfinished == 0) return AC_EINVAL;
  if (--unfinished == 0) finished->set();
  return 0;
}

ac_future *ac_queue::join() {
  if (unfinished == 0) return ac::done_future(loop);
  ac_future *f = finished->wait();
  if (f->is_op) {
    // Named after the queue in ac_loop_dump.
    auto *op = static_cast<ac::OpFuture *>(f);
    op->origin_magic = magic;
    op->origin = this;
  }
  return f;
}

void ac_queue::shutdown(bool immediate) noexcept {
  shut = true;
  if (immediate) {
    while (!empty()) {
      QueueItem it = take();
      ac::value_release(&it.value);
      if (unfinished > 0) --unfinished;
    }
    if (unfinished == 0) finished->set();
  }
  // Every waiter looks again: getters find the queue empty and shut down,
  // putters find it shut down.
  while (Waiter *w = getters.pop()) w->wake();
  while (Waiter *w = putters.pop()) w->wake();
}
