// asyncore/sync.hpp — Lock, Semaphore, Event, Condition, Barrier
// (asyncio's primitives, over asyncore/sync.h).
//
//   ac::Lock lock;
//   {
//     auto guard = co_await lock;     // async with lock:
//     ...                             // released when `guard` goes
//   }
//
// `co_await lock` (or `co_await sem`) waits for the lock (a permit) and
// gives a scoped guard that releases it on destruction, also when an
// exception or a cancellation unwinds the scope. The rules are asyncio's:
// waiters are served in order, and a woken waiter takes the lock when its
// task runs (locked() is false in between), so a waiter cancelled before
// it runs takes nothing and a CancelledError never leaves a lock held.
// Errors are asyncio's: RuntimeError for a lock released unlocked or a
// condition used without its lock, ValueError for a negative semaphore
// value, an over-released BoundedSemaphore or a barrier of no parties,
// BrokenBarrierError — each with asyncio's message.
//
// Every primitive belongs to the loop it was made on (default: the running
// loop) and is a move-only handle over its C object.
#pragma once

#include <asyncore.h>

#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>

#include "error.hpp"
#include "future.hpp"
#include "loop.hpp"

namespace asyncore {

namespace detail {
inline ac_loop *loop_or_running(ac_loop *loop) { return loop != nullptr ? loop : get_running_loop(); }
}  // namespace detail

// Holds a lock (or a semaphore permit) until destroyed or unlock()ed.
template <int (*Release)(void *)>
class [[nodiscard]] BasicGuard {
 public:
  BasicGuard() noexcept = default;
  explicit BasicGuard(void *prim) noexcept : prim_(prim) {}
  BasicGuard(BasicGuard &&o) noexcept : prim_(std::exchange(o.prim_, nullptr)) {}
  BasicGuard &operator=(BasicGuard o) noexcept {
    std::swap(prim_, o.prim_);
    return *this;
  }
  ~BasicGuard() { unlock(); }
  bool owns() const noexcept { return prim_ != nullptr; }
  // Releases early; later calls do nothing.
  void unlock() noexcept {
    if (prim_ != nullptr) Release(std::exchange(prim_, nullptr));
  }

 private:
  void *prim_ = nullptr;
};

namespace detail {
inline int release_lock(void *l) noexcept { return ac_lock_release(static_cast<ac_lock *>(l)); }
inline int release_semaphore(void *s) noexcept { return ac_semaphore_release(static_cast<ac_semaphore *>(s)); }
inline int release_condition(void *c) noexcept { return ac_condition_release(static_cast<ac_condition *>(c)); }

// The awaiter of an acquire-like call on `prim` that gives a guard.
template <class Guard, class Call>
auto guard_awaiter(void *prim, Call call) {
  return op_awaiter<void>(std::move(call), [prim](ac_future *) { return Guard(prim); });
}
}  // namespace detail

using LockGuard = BasicGuard<&detail::release_lock>;
using SemaphoreGuard = BasicGuard<&detail::release_semaphore>;
using ConditionGuard = BasicGuard<&detail::release_condition>;

// asyncio.Lock.
class Lock {
 public:
  explicit Lock(ac_loop *loop = nullptr) { check(ac_lock_new(detail::loop_or_running(loop), &l_)); }
  Lock(Lock &&o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
  Lock &operator=(Lock o) noexcept {
    std::swap(l_, o.l_);
    return *this;
  }
  ~Lock() { if (l_ != nullptr) ac_lock_unref(l_); }

  // `auto guard = co_await lock;` (async with lock:)
  auto operator co_await() {
    ac_lock *l = l_;
    return detail::guard_awaiter<LockGuard>(l, [l](ac_future **f) { return ac_lock_acquire(l, f); });
  }
  // `co_await lock.acquire();` without a guard: pair with release().
  auto acquire() {
    ac_lock *l = l_;
    return detail::op_awaiter<void>([l](ac_future **f) { return ac_lock_acquire(l, f); });
  }
  bool try_acquire() { return check(ac_lock_try_acquire(l_)) == 1; }
  // RuntimeError "Lock is not acquired." when it is not held.
  void release() { check(ac_lock_release(l_)); }
  bool locked() const noexcept { return ac_lock_locked(l_) == 1; }
  ac_lock *get() const noexcept { return l_; }

 private:
  ac_lock *l_ = nullptr;
};

// asyncio.Semaphore (bounded: asyncio.BoundedSemaphore). ValueError for a
// negative value.
class Semaphore {
 public:
  explicit Semaphore(int64_t value = 1, bool bounded = false, ac_loop *loop = nullptr) {
    ac_loop *l = detail::loop_or_running(loop);
    check(bounded ? ac_semaphore_new_bounded(l, value, &s_) : ac_semaphore_new(l, value, &s_));
  }
  Semaphore(Semaphore &&o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Semaphore &operator=(Semaphore o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~Semaphore() { if (s_ != nullptr) ac_semaphore_unref(s_); }

  // `auto permit = co_await sem;`
  auto operator co_await() {
    ac_semaphore *s = s_;
    return detail::guard_awaiter<SemaphoreGuard>(s, [s](ac_future **f) { return ac_semaphore_acquire(s, f); });
  }
  auto acquire() {
    ac_semaphore *s = s_;
    return detail::op_awaiter<void>([s](ac_future **f) { return ac_semaphore_acquire(s, f); });
  }
  bool try_acquire() { return check(ac_semaphore_try_acquire(s_)) == 1; }
  // ValueError "BoundedSemaphore released too many times" past a bounded
  // semaphore's initial value.
  void release() { check(ac_semaphore_release(s_)); }
  bool locked() const noexcept { return ac_semaphore_locked(s_) == 1; }
  int64_t value() const noexcept { return ac_semaphore_value(s_); }
  ac_semaphore *get() const noexcept { return s_; }

 private:
  ac_semaphore *s_ = nullptr;
};

// asyncio.BoundedSemaphore.
class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(int64_t value = 1, ac_loop *loop = nullptr) : Semaphore(value, true, loop) {}
};

// asyncio.Event.
class Event {
 public:
  explicit Event(ac_loop *loop = nullptr) { check(ac_event_new(detail::loop_or_running(loop), &e_)); }
  Event(Event &&o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  Event &operator=(Event o) noexcept {
    std::swap(e_, o.e_);
    return *this;
  }
  ~Event() { if (e_ != nullptr) ac_event_unref(e_); }

  // `co_await ev.wait();`
  auto wait() {
    ac_event *e = e_;
    return detail::op_awaiter<void>([e](ac_future **f) { return ac_event_wait(e, f); });
  }
  void set() { check(ac_event_set(e_)); }
  void clear() { check(ac_event_clear(e_)); }
  bool is_set() const noexcept { return ac_event_is_set(e_) == 1; }
  ac_event *get() const noexcept { return e_; }

 private:
  ac_event *e_ = nullptr;
};

// asyncio.Condition, over its own lock or a Lock given (shared with it).
class Condition {
 public:
  explicit Condition(ac_loop *loop = nullptr) {
    check(ac_condition_new(detail::loop_or_running(loop), nullptr, &c_));
  }
  explicit Condition(const Lock &lock, ac_loop *loop = nullptr) {
    check(ac_condition_new(detail::loop_or_running(loop), lock.get(), &c_));
  }
  Condition(Condition &&o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  Condition &operator=(Condition o) noexcept {
    std::swap(c_, o.c_);
    return *this;
  }
  ~Condition() { if (c_ != nullptr) ac_condition_unref(c_); }

  // `auto guard = co_await cond;` (async with cond:)
  auto operator co_await() {
    ac_condition *c = c_;
    return detail::guard_awaiter<ConditionGuard>(c, [c](ac_future **f) { return ac_condition_acquire(c, f); });
  }
  // The lock's acquire and release, without a guard.
  auto acquire() {
    ac_condition *c = c_;
    return detail::op_awaiter<void>([c](ac_future **f) { return ac_condition_acquire(c, f); });
  }
  void release() { check(ac_condition_release(c_)); }
  // With the lock held: releases it, waits for a notify, holds it again
  // (also when cancelled: the CancelledError comes with the lock held).
  // RuntimeError "cannot wait on un-acquired lock" without the lock.
  auto wait() {
    ac_condition *c = c_;
    return detail::op_awaiter<void>([c](ac_future **f) { return ac_condition_wait(c, f); });
  }
  // Waits until pred() is true (asyncio's wait_for): checked first, and
  // again each time the waiter holds the lock after a notification; gives
  // pred's last value (an integer; a bool gives 1). Needs the lock held
  // unless pred() is true at once.
  template <class Pred>
  auto wait_for(Pred pred) {
    // The predicate runs with the lock held: at once, or from the loop
    // when a woken waiter takes the lock (then the loop is made running
    // for it, as for any callback).
    struct Held {
      std::decay_t<Pred> pred;
      ac_loop *loop;
    };
    ac_condition *c = c_;
    return detail::op_awaiter<int64_t>([c, pred = std::decay_t<Pred>(std::move(pred))](ac_future **f) mutable {
      auto *held = new Held{std::move(pred), running_loop()};
      return ac_condition_wait_for(
          c,
          [](void *ud) -> int {
            auto *h = static_cast<Held *>(ud);
            detail::RunningScope scope(detail::tls_running.driver, h->loop);
            try {
              return static_cast<int>(h->pred());
            } catch (...) {
              return 1;  // a throwing predicate ends the wait rather than hang
            }
          },
          held, &detail::delete_callable<Held>, f);
    });
  }
  // Wake up to n waiters / all of them, with the lock held (RuntimeError
  // "cannot notify on un-acquired lock" else); how many were woken.
  int64_t notify(int64_t n = 1) { return check_count(ac_condition_notify(c_, n)); }
  int64_t notify_all() { return check_count(ac_condition_notify_all(c_)); }
  bool locked() const noexcept { return ac_condition_locked(c_) == 1; }
  ac_condition *get() const noexcept { return c_; }

 private:
  ac_condition *c_ = nullptr;
};

// asyncio.Barrier. ValueError for fewer than one party.
class Barrier {
 public:
  explicit Barrier(int64_t parties, ac_loop *loop = nullptr) {
    check(ac_barrier_new(detail::loop_or_running(loop), parties, &b_));
  }
  Barrier(Barrier &&o) noexcept : b_(std::exchange(o.b_, nullptr)) {}
  Barrier &operator=(Barrier o) noexcept {
    std::swap(b_, o.b_);
    return *this;
  }
  ~Barrier() { if (b_ != nullptr) ac_barrier_unref(b_); }

  // `int64_t index = co_await barrier.wait();` (BrokenBarrierError when
  // the barrier is broken, or reset or aborted meanwhile)
  auto wait() {
    ac_barrier *b = b_;
    return detail::op_awaiter<int64_t>([b](ac_future **f) { return ac_barrier_wait(b, f); });
  }
  void reset() { check(ac_barrier_reset(b_)); }
  void abort() { check(ac_barrier_abort(b_)); }
  bool broken() const noexcept { return ac_barrier_broken(b_) == 1; }
  int64_t parties() const noexcept { return ac_barrier_parties(b_); }
  int64_t n_waiting() const noexcept { return ac_barrier_n_waiting(b_); }
  ac_barrier *get() const noexcept { return b_; }

 private:
  ac_barrier *b_ = nullptr;
};

}  // namespace asyncore
