// sync.hpp — Lock, Semaphore (bounded or not), Event, Condition, Barrier:
// asyncio's primitives (3.12/3.13) over sync_wait.hpp.
//
// Lock and Semaphore share one core (PermitObject): a count of free
// permits and a FIFO of waiters. A release hands its permit straight to the
// first waiter instead of banking it, so a newcomer can never overtake a
// waiter (asyncio's fairness fix, bpo-45997) and a lock is never free while
// someone waits for it.
#pragma once

#include <asyncore/sync.h>

#include "sync_wait.hpp"

namespace ac {

constexpr uint32_t kLockMagic = 0x4c6f636b;       // "Lock"
constexpr uint32_t kSemaphoreMagic = 0x53656d61;  // "Sema"
constexpr uint32_t kEventMagic = 0x45766e74;      // "Evnt"
constexpr uint32_t kConditionMagic = 0x436f6e64;  // "Cond"
constexpr uint32_t kBarrierMagic = 0x42617272;    // "Barr"

struct PermitWaiter;

struct PermitObject : SyncObject {
  // Invariant: waiters non-empty implies value == 0 (permits go to waiters
  // first). value <= bound.
  int64_t value;
  int64_t bound;  // releases beyond it fail (INT64_MAX: no bound)
  WaitList waiters;  // PermitWaiter futures, FIFO

  PermitObject(uint32_t m, ac_loop *l, int64_t v, int64_t b) noexcept
      : SyncObject(m, l), value(v), bound(b) {}
  ~PermitObject() override;

  // A future that completes once a permit is ours. Throws bad_alloc.
  ac_future *acquire();
  bool try_acquire() noexcept {
    if (value == 0) return false;
    --value;
    return true;
  }
  // Queues w, or grants at once when a permit is free.
  void acquire_for(PermitWaiter *w) noexcept;
  // AC_ESTATE when it would exceed the bound.
  int release() noexcept;
  // Hands one permit to the first waiter, or banks it.
  void release_one() noexcept;
  bool locked() const noexcept { return value == 0; }
};

// Something that waits for a permit (an acquire, a condition re-acquiring
// its lock). granted() runs with the list's reference already passed to it.
struct PermitWaiter : ListedFuture {
  explicit PermitWaiter(ac_loop *l) noexcept : ListedFuture(l) {}
  // The permit of `from` is ours now. Consumes one reference (the list's,
  // or one acquire_for took).
  virtual void granted(PermitObject *from) noexcept = 0;
};

// The future ac_lock_acquire / ac_semaphore_acquire hand out.
struct PermitAcquire final : PermitWaiter {
  // Held (a reference) from the grant until a task resumes from it: a task
  // cancelled in between gives the permit back.
  PermitObject *owner = nullptr;
  explicit PermitAcquire(ac_loop *l) noexcept : PermitWaiter(l) {}
  ~PermitAcquire() override;
  void granted(PermitObject *from) noexcept override;
  void on_task_resume(bool delivered) noexcept override;
  // Arms the hook and completes with NONE.
  void grant_to(PermitObject *o) noexcept;
};

}  // namespace ac

struct ac_lock final : ac::PermitObject {
  explicit ac_lock(ac_loop *l) noexcept : PermitObject(ac::kLockMagic, l, 1, 1) {}
};

struct ac_semaphore final : ac::PermitObject {
  ac_semaphore(ac_loop *l, int64_t v, bool bounded) noexcept
      : PermitObject(ac::kSemaphoreMagic, l, v, bounded ? v : INT64_MAX) {}
};

struct ac_event final : ac::SyncObject {
  bool is_set = false;
  ac::WaitList waiters;  // empty while is_set
  explicit ac_event(ac_loop *l) noexcept : SyncObject(ac::kEventMagic, l) {}
  ~ac_event() override;
  ac_future *wait();  // throws bad_alloc
  void set() noexcept;
};

namespace ac {
struct CondWait;
}

struct ac_condition final : ac::SyncObject {
  ac_lock *lock;         // a reference
  ac::WaitList waiters;  // CondWait futures not yet notified, FIFO
  ac_condition(ac_loop *l, ac_lock *lk) noexcept : SyncObject(ac::kConditionMagic, l), lock(lk) {
    lock->ref();
  }
  ~ac_condition() override;
  // Releases the lock and waits for a notification, then re-acquires.
  // The lock must be held (checked by the caller). Throws bad_alloc.
  ac_future *wait(ac_condition_predicate_fn pred, void *ud, ac_free_fn free_ud);
  // Wakes up to n waiters (n < 0: all); returns how many.
  int notify(int64_t n) noexcept;
};

namespace ac {

// One ac_condition_wait / wait_for. Phases: queued on the condition
// (`list` = &cond->waiters), then queued on the lock (or granted at once),
// then done. The future completes only with the lock held again, whatever
// happened meanwhile (cancellation is remembered and reported then), except
// when a primitive is destroyed under it (AC_ECLOSED, lock not held).
struct CondWait final : PermitWaiter {
  // While queued on the condition this pointer is weak (the condition's
  // destructor fails us and clears it). From the notification on we hold a
  // reference (`cond_ref`), until done, or until a task resumes when the
  // resume hook is armed: a woken waiter whose task is cancelled before it
  // resumes passes its notification on (asyncio 3.13 Condition.wait).
  ac_condition *cond;
  bool cond_ref = false;
  ac_condition_predicate_fn pred;
  void *pred_ud;
  ac_free_fn pred_free;
  bool notified = false;
  ac_error *cancel_error = nullptr;  // a cancellation waiting for the lock
  bool cancel_requested = false;

  CondWait(ac_loop *l, ac_condition *c, ac_condition_predicate_fn p, void *ud, ac_free_fn fu) noexcept
      : PermitWaiter(l), cond(c), pred(p), pred_ud(ud), pred_free(fu) {}
  ~CondWait() override;
  bool cancel(const char *message) noexcept override;
  void granted(PermitObject *from) noexcept override;
  void on_task_resume(bool delivered) noexcept override;
  void on_done() noexcept override;
  void hold_cond() noexcept;
  void drop_cond() noexcept;
  // Notified (or cancelled while waiting for it): go for the lock.
  void reacquire() noexcept;
};

}  // namespace ac

namespace ac {
// One ac_barrier_wait; `index` is its arrival index.
struct BarrierWait final : ListedFuture {
  ac_barrier *barrier;  // weak: used only while queued
  int64_t index;
  BarrierWait(ac_loop *l, ac_barrier *b, int64_t i) noexcept : ListedFuture(l), barrier(b), index(i) {}
  void before_cancel(bool queued) noexcept override;
};
}  // namespace ac

struct ac_barrier final : ac::SyncObject {
  int64_t parties;
  int64_t count = 0;  // waiters of the current round (asyncio's _count)
  bool broken = false;
  ac::WaitList waiters;
  ac_barrier(ac_loop *l, int64_t p) noexcept : SyncObject(ac::kBarrierMagic, l), parties(p) {}
  ~ac_barrier() override;
  // AC_EBROKEN, or 0 with *out set. Throws bad_alloc.
  int wait(ac_future **out);
  void reset() noexcept;
  void abort() noexcept;
};
