// sync.hpp — Lock, Event, Condition, Semaphore (bounded or not), Barrier:
// asyncio 3.13's primitives, rule for rule, over sync_wait.hpp.
//
// Each class keeps asyncio's state and deque and each operation follows
// asyncio's code: the part before the first wait runs in the call, the rest
// in the awaiting task when it is woken (see sync_wait.hpp). Fast paths
// (a free lock, a set event) complete at once without an op.
#pragma once

#include <asyncore/sync.h>

#include "core/sync_wait.hpp"

namespace ac {
constexpr uint32_t kLockMagic = 0x4c6f636b;       // "Lock"
constexpr uint32_t kSemaphoreMagic = 0x53656d61;  // "Sema"
constexpr uint32_t kEventMagic = 0x45766e74;      // "Evnt"
constexpr uint32_t kConditionMagic = 0x436f6e64;  // "Cond"
constexpr uint32_t kBarrierMagic = 0x42617272;    // "Barr"
}  // namespace ac

struct ac_lock final : ac::SyncObject {
  bool locked = false;     // asyncio's _locked
  ac::WaitList waiters{this};  // asyncio's _waiters, woken ones included

  explicit ac_lock(ac_loop *l) noexcept : SyncObject(ac::kLockMagic, l) {}
  ~ac_lock() override { waiters.close_all(); }

  // asyncio's fast path: free, and nobody waits but cancelled waiters.
  bool try_acquire() noexcept {
    if (locked || !waiters.all_cancelled()) return false;
    locked = true;
    return true;
  }
  // A done future when taken at once, else the op. Throws bad_alloc.
  ac_future *acquire();
  // The same as a nested operation of `op` (Condition.wait re-acquiring).
  ac::Sub acquire_in(ac::OpFuture *op);
  // AC_EMISUSE when not locked ("Lock is not acquired.").
  int release() noexcept;

 private:
  ac::Op acquire_wait();
  // After the wait of an acquire: asyncio's `finally: remove` and
  // `except CancelledError: if not locked: wake_up_first()`.
  int after_wait(ac::Waiter &w, int rc) noexcept;
  void wake_up_first() noexcept;
};

struct ac_semaphore final : ac::SyncObject {
  int64_t value;        // asyncio's _value
  int64_t bound;        // releases beyond it fail (INT64_MAX: no bound)
  ac::WaitList waiters{this};

  ac_semaphore(ac_loop *l, int64_t v, bool bounded) noexcept
      : SyncObject(ac::kSemaphoreMagic, l), value(v), bound(bounded ? v : INT64_MAX) {}
  ~ac_semaphore() override { waiters.close_all(); }

  // 3.13: no permit, or someone not cancelled waits (woken ones included:
  // newcomers queue behind them).
  bool locked() const noexcept { return value == 0 || !waiters.all_cancelled(); }
  bool try_acquire() noexcept {
    if (locked()) return false;
    --value;
    return true;
  }
  ac_future *acquire();  // throws bad_alloc
  // AC_EINVAL for a bounded semaphore released too often.
  int release() noexcept;

 private:
  ac::Op acquire_wait();
  bool wake_up_next() noexcept;
  void wake_while_free() noexcept;
};

struct ac_event final : ac::SyncObject {
  bool is_set = false;
  ac::WaitList waiters{this};
  explicit ac_event(ac_loop *l) noexcept : SyncObject(ac::kEventMagic, l) {}
  ~ac_event() override { waiters.close_all(); }
  ac_future *wait();  // throws bad_alloc
  void set() noexcept;
  void clear() noexcept { is_set = false; }

 private:
  ac::Op wait_op();
};

struct ac_condition final : ac::SyncObject {
  ac_lock *lock;         // a reference
  ac::WaitList waiters{this};  // asyncio's _waiters
  ac_condition(ac_loop *l, ac_lock *lk) noexcept : SyncObject(ac::kConditionMagic, l), lock(lk) {
    lock->ref();
  }
  ~ac_condition() override;
  // wait(), or wait_for(pred) when pred is set: AC_EMISUSE when it must
  // wait and the lock is not held. free_ud runs once the future is done,
  // or before the call returns when no op keeps the predicate. Throws
  // bad_alloc.
  int wait(ac_condition_predicate_fn pred, void *ud, ac_free_fn free_ud, ac_future **out);
  // Nested forms for ops of other primitives (Barrier).
  ac::Sub wait_in(ac::OpFuture *op);
  // asyncio's _notify(n): wakes up to n waiters not done; n < 0: all.
  int notify(int64_t n) noexcept;

 private:
  ac::Op wait_op();
  ac::Op wait_for_op(ac_condition_predicate_fn pred, void *ud, ac_free_fn free_ud);
};

struct ac_barrier final : ac::SyncObject {
  enum State { kFilling, kDraining, kResetting, kBroken };
  int64_t parties;
  int64_t count = 0;  // tasks in the barrier (asyncio's _count)
  State state = kFilling;
  ac_condition *cond;  // its own, over its own lock

  ac_barrier(ac_loop *l, int64_t p, ac_condition *c) noexcept
      : SyncObject(ac::kBarrierMagic, l), parties(p), cond(c) {}
  ~ac_barrier() override;
  ac_future *wait();  // throws bad_alloc
  // asyncio's reset() and abort() without taking the condition's lock
  // first (they act at once; see docs/asyncio-differences.md).
  void reset() noexcept;
  void abort() noexcept;
  int64_t n_waiting() const noexcept { return state == kFilling ? count : 0; }

 private:
  ac::Op wait_op();
  // Waits on the condition until `pred` holds (the lock held meanwhile,
  // as cond.wait_for).
  ac::Sub wait_until(ac::OpFuture *op, bool (*pred)(const ac_barrier *));
  void exit_one() noexcept;
};
