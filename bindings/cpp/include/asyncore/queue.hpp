// asyncore/queue.hpp — Queue<T>, typed over the tagged values of
// asyncore/queue.h (asyncio.Queue, LifoQueue, PriorityQueue).
//
//   ac::Queue<std::string> q;            // FIFO, unbounded
//   co_await q.put("item");              // waits while full
//   std::string s = co_await q.get();    // waits while empty
//   q.task_done(); co_await q.join();
//
// Items cross as value.hpp encodes them (a std::optional<T> that is empty
// travels as NONE, so a C consumer sees the sentinel too). The C side keeps
// asyncio's rules: FIFO service, and a woken getter (putter) takes its
// item (slot) when its task runs, so one cancelled before it runs takes
// nothing. put(), get() and join() start when awaited, as asyncio's
// coroutines. Errors are QueueEmpty, QueueFull and QueueShutDown (no
// message, as asyncio's) and ValueError for task_done() called too many
// times.
#pragma once

#include <asyncore.h>

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "error.hpp"
#include "future.hpp"
#include "loop.hpp"
#include "value.hpp"

namespace asyncore {

namespace detail {

// NONE <-> an empty optional.
template <class U>
struct Codec<std::optional<U>> {
  static void encode(const std::optional<U> &v, ac_value *out) {
    if (v) {
      Codec<U>::encode(*v, out);
    } else {
      ac_value_set_none(out);
    }
  }
  static void encode(std::optional<U> &&v, ac_value *out) {
    if (v) {
      Codec<U>::encode(std::move(*v), out);
    } else {
      ac_value_set_none(out);
    }
  }
  static void discard(ac_value *out) noexcept { Codec<U>::discard(out); }
  static std::optional<U> decode(const ac_value &v) {
    if (v.kind == AC_VALUE_NONE) return std::nullopt;
    return Codec<U>::decode(v);
  }
};

// Moves a get's item out of its future.
template <class T>
struct TakeItem {
  T operator()(ac_future *f) const {
    OwnedValue item;
    int rc = ac_future_take_result(f, &item.v);
    if (rc != 0) {
      ac_error *e = ac_future_error(f);
      if (e != nullptr) throw_error(e);
      throw_code(rc);
    }
    return Codec<T>::decode(item.v);  // the box (if any) goes with `item`
  }
};

// A put's call: encodes the item when the put starts; the queue owns it
// from then on (and releases it if the put fails or is cancelled).
template <class T>
struct PutCall {
  ac_queue *q;
  bool with_priority;
  int64_t priority;
  T item;
  int operator()(ac_future **f) {
    ac_value v;
    Codec<T>::encode(std::move(item), &v);
    int rc = with_priority ? ac_queue_put_priority(q, priority, &v, f) : ac_queue_put(q, &v, f);
    if (rc < 0) Codec<T>::discard(&v);
    return rc;
  }
};

}  // namespace detail

template <class T>
class Queue {
 public:
  // A queue of at most `maxsize` items (0 or less: unbounded, as asyncio)
  // on `loop` (default: the running loop).
  explicit Queue(int64_t maxsize = 0, ac_queue_kind kind = AC_QUEUE_FIFO, ac_loop *loop = nullptr) {
    check(ac_queue_new(loop != nullptr ? loop : get_running_loop(), kind, static_cast<size_t>(maxsize), &q_));
  }
  Queue(Queue &&o) noexcept : q_(std::exchange(o.q_, nullptr)) {}
  Queue &operator=(Queue o) noexcept {
    std::swap(q_, o.q_);
    return *this;
  }
  ~Queue() { if (q_ != nullptr) ac_queue_unref(q_); }

  // `co_await q.put(item);` waits while full; QueueShutDown once shut down.
  // Starts when awaited (asyncio's put() is a coroutine).
  auto put(T item) {
    return detail::op_awaiter<void>(detail::PutCall<T>{q_, false, 0, std::move(item)});
  }
  // Priority queues: lower priorities first, FIFO among equals.
  auto put(int64_t priority, T item) {
    return detail::op_awaiter<void>(detail::PutCall<T>{q_, true, priority, std::move(item)});
  }
  void put_nowait(T item) {
    ac_value v;
    detail::Codec<T>::encode(std::move(item), &v);
    int rc = ac_queue_put_nowait(q_, &v);
    if (rc < 0) {
      detail::Codec<T>::discard(&v);
      throw_code(rc);
    }
  }

  // `T item = co_await q.get();` waits while empty; QueueShutDown once shut
  // down and empty. Starts when awaited (asyncio's get() is a coroutine).
  auto get() {
    ac_queue *q = q_;
    return detail::op_awaiter<void>([q](ac_future **f) { return ac_queue_get(q, f); }, detail::TakeItem<T>{});
  }
  T get_nowait() {
    detail::OwnedValue item;
    int rc = ac_queue_get_nowait(q_, &item.v, nullptr);
    if (rc < 0) throw_code(rc);
    return detail::Codec<T>::decode(item.v);
  }

  // ValueError when called more times than items were put.
  void task_done() { check(ac_queue_task_done(q_)); }
  // `co_await q.join();` until every item put was marked done.
  auto join() {
    ac_queue *q = q_;
    return detail::op_awaiter<void>([q](ac_future **f) { return ac_queue_join(q, f); });
  }
  void shutdown(bool immediate = false) { check(ac_queue_shutdown(q_, immediate ? 1 : 0)); }
  bool is_shutdown() const noexcept { return ac_queue_is_shutdown(q_) == 1; }

  size_t qsize() const noexcept { return static_cast<size_t>(ac_queue_qsize(q_)); }
  bool empty() const noexcept { return ac_queue_empty(q_) == 1; }
  bool full() const noexcept { return ac_queue_full(q_) == 1; }
  int64_t maxsize() const noexcept { return ac_queue_maxsize(q_); }
  ac_queue *get_raw() const noexcept { return q_; }

 private:
  ac_queue *q_ = nullptr;
};

}  // namespace asyncore
