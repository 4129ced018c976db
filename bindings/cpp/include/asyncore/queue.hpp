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
// the guarantees: FIFO service, and no item lost to a cancelled get (the
// item goes back to the head of the queue). Errors are QueueEmpty,
// QueueFull and QueueShutDown (error.hpp; asyncio's names).
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

// Awaits a get future and moves its item out. A failure of the get call
// itself (a queue shut down and empty) is thrown when awaited.
template <class T>
class GetAwaiter {
 public:
  explicit GetAwaiter(ac_future *f) noexcept : inner_(f) {}
  explicit GetAwaiter(Failure failure) noexcept : inner_(std::move(failure)) {}
  bool await_ready() const noexcept { return inner_.await_ready(); }
  bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
  T await_resume() {
    inner_.await_resume();  // throws the get's failure, or the cancellation
    OwnedValue item;
    int rc = ac_future_take_result(inner_.get(), &item.v);
    if (rc != 0) {
      ac_error *e = ac_future_error(inner_.get());
      if (e != nullptr) throw_error(e);
      throw_code(rc);
    }
    return Codec<T>::decode(item.v);  // the box (if any) goes with `item`
  }

 private:
  FutureAwaiter<void> inner_;
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
  ~Queue() { ac_queue_unref(q_); }

  // `co_await q.put(item);` waits while full; QueueShutDown once shut down.
  detail::FutureAwaiter<void> put(T item) { return put_with(&ac_queue_put, std::move(item)); }
  // Priority queues: lower priorities first, FIFO among equals.
  detail::FutureAwaiter<void> put(int64_t priority, T item) {
    ac_value v;
    detail::Codec<T>::encode(std::move(item), &v);
    ac_future *f = nullptr;
    int rc = ac_queue_put_priority(q_, priority, &v, &f);
    return finish_put(rc, &v, f);
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
  // down and empty.
  detail::GetAwaiter<T> get() {
    ac_future *f = nullptr;
    int rc = ac_queue_get(q_, &f);
    if (rc < 0) return detail::GetAwaiter<T>(detail::Failure::of(rc));
    detail::GetAwaiter<T> a(f);
    ac_future_unref(f);
    return a;
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
  detail::FutureAwaiter<void> join() {
    ac_future *f = nullptr;
    int rc = ac_queue_join(q_, &f);
    return detail::await_made<void>(rc, f);
  }
  void shutdown(bool immediate = false) { check(ac_queue_shutdown(q_, immediate ? 1 : 0)); }
  bool is_shutdown() const noexcept { return ac_queue_is_shutdown(q_) == 1; }

  size_t qsize() const noexcept { return static_cast<size_t>(ac_queue_qsize(q_)); }
  bool empty() const noexcept { return ac_queue_empty(q_) == 1; }
  bool full() const noexcept { return ac_queue_full(q_) == 1; }
  int64_t maxsize() const noexcept { return ac_queue_maxsize(q_); }
  ac_queue *get_raw() const noexcept { return q_; }

 private:
  detail::FutureAwaiter<void> put_with(int (*fn)(ac_queue *, const ac_value *, ac_future **), T item) {
    ac_value v;
    detail::Codec<T>::encode(std::move(item), &v);
    ac_future *f = nullptr;
    int rc = fn(q_, &v, &f);
    return finish_put(rc, &v, f);
  }
  detail::FutureAwaiter<void> finish_put(int rc, ac_value *v, ac_future *f) {
    if (rc < 0) {
      detail::Failure failure = detail::Failure::of(rc);
      detail::Codec<T>::discard(v);
      return detail::FutureAwaiter<void>(std::move(failure));
    }
    return detail::await_made<void>(rc, f);
  }
  ac_queue *q_ = nullptr;
};

}  // namespace asyncore
