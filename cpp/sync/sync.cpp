// sync.cpp — asyncio 3.13's Lock, Semaphore, Event, Condition and Barrier.
// Each op follows asyncio's coroutine line by line; the comments name the
// asyncio statement a line stands for where the mapping is not obvious.
#include "sync/sync.hpp"

#include "core/value.hpp"

using ac::Op;
using ac::OpFuture;
using ac::Outcome;
using ac::Sub;
using ac::Waiter;

// ---- Lock ----

ac_future *ac_lock::acquire() {
  if (try_acquire()) return ac::done_future(loop);
  return ac::op_future(acquire_wait());
}

// After a wait that did not end with AC_ECLOSED (the lock destroyed: the
// caller must not touch it, nor call this, which is a member).
int ac_lock::after_wait(Waiter &w, int rc) noexcept {
  waiters.remove(&w);               // finally: self._waiters.remove(fut)
  if (rc == AC_ECANCELLED) {
    // Whoever the lock would have gone to next must still get it.
    if (!locked) wake_up_first();
    return rc;
  }
  locked = true;
  return 0;
}

Op ac_lock::acquire_wait() {
  OpFuture *op = co_await ac::ThisOp{};
  Waiter w(op);
  waiters.push(&w);
  int rc = co_await w;
  if (rc == AC_ECLOSED) co_return Outcome::error(rc, "lock destroyed while waited for");
  rc = after_wait(w, rc);
  co_return rc == 0 ? Outcome::none() : Outcome::cancelled();
}

Sub ac_lock::acquire_in(OpFuture *op) {
  if (try_acquire()) co_return 0;
  Waiter w(op);
  waiters.push(&w);
  int rc = co_await w;
  if (rc == AC_ECLOSED) co_return rc;  // the lock is gone: touch nothing
  co_return after_wait(w, rc);
}

int ac_lock::release() noexcept {
  if (!locked) return AC_EMISUSE;
  locked = false;
  wake_up_first();
  return 0;
}

void ac_lock::wake_up_first() noexcept {
  // Only the first waiter: when it is done already (woken, or cancelled
  // and not yet gone) nobody else is woken — its task will see to it.
  if (waiters.head != nullptr) waiters.head->wake();
}

// ---- Semaphore ----

ac_future *ac_semaphore::acquire() {
  if (try_acquire()) return ac::done_future(loop);
  return ac::op_future(acquire_wait());
}

Op ac_semaphore::acquire_wait() {
  OpFuture *op = co_await ac::ThisOp{};
  Waiter w(op);
  waiters.push(&w);
  int rc = co_await w;
  if (rc == AC_ECLOSED) co_return Outcome::error(rc, "semaphore destroyed while waited for");
  waiters.remove(&w);
  // Woken (a permit set aside for us) but cancelled: give the permit back.
  if (rc == AC_ECANCELLED && w.done() && !w.cancelled()) ++value;
  // finally: newcomers may have queued behind us; wake as many as allowed.
  wake_while_free();
  co_return rc == 0 ? Outcome::none() : Outcome::cancelled();
}

bool ac_semaphore::wake_up_next() noexcept {
  // asyncio walks its deque from the front; the woken waiters still linked
  // are skipped without a walk over them (first_pending).
  Waiter *w = waiters.first_pending();
  if (w == nullptr) return false;
  --value;
  w->wake();
  return true;
}

void ac_semaphore::wake_while_free() noexcept {
  while (value > 0) {
    if (!wake_up_next()) break;
  }
}

int ac_semaphore::release() noexcept {
  if (value >= bound) return AC_EINVAL;
  ++value;
  wake_up_next();
  return 0;
}

// ---- Event ----

ac_future *ac_event::wait() {
  if (is_set) return ac::done_future(loop);
  return ac::op_future(wait_op());
}

Op ac_event::wait_op() {
  OpFuture *op = co_await ac::ThisOp{};
  Waiter w(op);
  waiters.push(&w);
  int rc = co_await w;
  if (rc == AC_ECLOSED) co_return Outcome::error(rc, "event destroyed while waited for");
  waiters.remove(&w);
  co_return rc == 0 ? Outcome::none() : Outcome::cancelled();
}

void ac_event::set() noexcept {
  if (is_set) return;
  is_set = true;
  for (Waiter *w = waiters.head; w != nullptr;) {
    Waiter *next = w->next;
    w->wake();
    w = next;
  }
}

// ---- Condition ----

ac_condition::~ac_condition() {
  waiters.close_all();
  lock->unref();
}

Sub ac_condition::wait_in(OpFuture *op) {
  Waiter w(op);
  lock->release();
  waiters.push(&w);
  int rc = co_await w;
  if (rc == AC_ECLOSED) co_return rc;
  waiters.remove(&w);
  // finally: re-acquire the lock whatever happened, remembering the most
  // recent cancellation and trying again after each.
  bool cancelled = rc == AC_ECANCELLED;
  for (;;) {
    int arc = co_await lock->acquire_in(op);
    if (arc == AC_ECLOSED || arc == AC_ENOMEM) co_return arc;
    if (arc == 0) break;
    cancelled = true;
  }
  if (cancelled) {
    // except BaseException: whatever the notification meant, pass it on
    // (3.13: a spurious wake-up is allowed, a lost one is not).
    notify(1);
    co_return AC_ECANCELLED;
  }
  co_return 0;
}

Op ac_condition::wait_op() {
  OpFuture *op = co_await ac::ThisOp{};
  int rc = co_await wait_in(op);
  if (rc == AC_ECLOSED) co_return Outcome::error(rc, "condition destroyed while waited for");
  if (rc == AC_ENOMEM) co_return Outcome::error(rc, nullptr);
  co_return rc == 0 ? Outcome::none() : Outcome::cancelled();
}

Op ac_condition::wait_for_op(ac_condition_predicate_fn pred, void *ud, ac_free_fn free_ud) {
  OpFuture *op = co_await ac::ThisOp{};
  // The predicate was false when called: while not result: await wait();
  // result = predicate()
  int rc = 0;
  int result = 0;
  do {
    rc = co_await wait_in(op);
  } while (rc == 0 && (result = pred(ud)) == 0);
  if (free_ud != nullptr) free_ud(ud);
  if (rc == AC_ECLOSED) co_return Outcome::error(rc, "condition destroyed while waited for");
  if (rc == AC_ENOMEM) co_return Outcome::error(rc, nullptr);
  co_return rc == 0 ? Outcome::int64(result) : Outcome::cancelled();
}

int ac_condition::wait(ac_condition_predicate_fn pred, void *ud, ac_free_fn free_ud,
                       ac_future **out) {
  struct FreeUd {  // runs free_ud unless the op took it over
    ac_free_fn fn;
    void *ud;
    ~FreeUd() {
      if (fn != nullptr) fn(ud);
    }
  } owned{free_ud, ud};
  if (pred != nullptr) {
    // wait_for checks the predicate first, before it needs the lock.
    int r = pred(ud);
    if (r != 0) {
      ac_value v;
      ac::value_init(&v);
      v.kind = AC_VALUE_INT64;
      v.u.i64 = r;
      *out = ac::done_future_with(loop, &v);
      return 0;
    }
  }
  if (!lock->locked) return AC_EMISUSE;
  if (pred == nullptr) {
    *out = ac::op_future(wait_op());
    return 0;
  }
  Op op = wait_for_op(pred, ud, free_ud);
  if (op.future == nullptr) throw std::bad_alloc();
  owned.fn = nullptr;
  *out = op.future;
  return 0;
}

int ac_condition::notify(int64_t n) noexcept {
  int woken = 0;
  for (Waiter *w = waiters.first_pending(); w != nullptr && (n < 0 || woken < n);) {
    Waiter *next = w->next;
    if (!w->done()) {
      ++woken;
      w->wake();
    }
    w = next;
  }
  return woken;
}

// ---- Barrier ----

ac_barrier::~ac_barrier() { cond->unref(); }

ac_future *ac_barrier::wait() { return ac::op_future(wait_op()); }

Sub ac_barrier::wait_until(OpFuture *op, bool (*pred)(const ac_barrier *)) {
  while (!pred(this)) {
    int rc = co_await cond->wait_in(op);
    if (rc != 0) co_return rc;
  }
  co_return 0;
}

Op ac_barrier::wait_op() {
  OpFuture *op = co_await ac::ThisOp{};
  ac_lock *lock = cond->lock;
  // async with self._cond:
  int rc = co_await lock->acquire_in(op);
  if (rc == AC_ECLOSED) co_return Outcome::error(rc, "barrier destroyed while waited for");
  if (rc != 0) co_return rc == AC_ECANCELLED ? Outcome::cancelled() : Outcome::error(rc, nullptr);
  // _block(): wait while the barrier drains or resets.
  rc = co_await wait_until(op, [](const ac_barrier *b) {
    return b->state != kDraining && b->state != kResetting;
  });
  if (rc == AC_ECLOSED) co_return Outcome::error(rc, "barrier destroyed while waited for");
  if (rc == 0 && state == kBroken) rc = AC_EBROKEN;
  if (rc != 0) {
    lock->release();
    if (rc == AC_EBROKEN) co_return Outcome::error(rc, "Barrier aborted");
    co_return rc == AC_ECANCELLED ? Outcome::cancelled() : Outcome::error(rc, nullptr);
  }
  int64_t index = count;
  ++count;
  if (index + 1 == parties) {
    // _release(): the last one in lets everyone go.
    state = kDraining;
    cond->notify(-1);
  } else {
    // _wait(): until filling ends.
    rc = co_await wait_until(op, [](const ac_barrier *b) { return b->state != kFilling; });
    if (rc == AC_ECLOSED) co_return Outcome::error(rc, "barrier destroyed while waited for");
    if (rc == 0 && (state == kBroken || state == kResetting)) rc = AC_EBROKEN;
  }
  // finally: count -= 1; _exit()
  --count;
  exit_one();
  lock->release();
  if (rc == AC_EBROKEN) co_return Outcome::error(rc, "Abort or reset of barrier");
  if (rc == AC_ECANCELLED) co_return Outcome::cancelled();
  if (rc != 0) co_return Outcome::error(rc, nullptr);
  co_return Outcome::int64(index);
}

void ac_barrier::exit_one() noexcept {
  // The last task out of a draining or resetting barrier opens it again.
  if (count == 0) {
    if (state == kResetting || state == kDraining) state = kFilling;
    cond->notify(-1);
  }
}

void ac_barrier::reset() noexcept {
  if (count > 0) {
    if (state != kResetting) state = kResetting;
  } else {
    state = kFilling;
  }
  cond->notify(-1);
}

void ac_barrier::abort() noexcept {
  state = kBroken;
  cond->notify(-1);
}
