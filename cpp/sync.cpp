#include "sync.hpp"

#include "value.hpp"

namespace ac {

// ---- shared pieces ----

SyncObject::~SyncObject() {
  magic = 0;
  ac_loop *l = loop;
  if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) l->destroy();
}

void fail_all(WaitList &list, int code, const char *message) noexcept {
  if (list.empty()) return;
  ac_error *err = nullptr;
  try {
    err = error_new(code, message);
  } catch (...) {
    // Out of memory: the waiters end cancelled instead, never pending.
  }
  while (ListedFuture *f = list.pop()) {
    fail_waiter(f, err);
    f->unref();
  }
  error_unref(err);
}

ac_future *done_future(ac_loop *loop) {
  if (loop->done_none != nullptr) {
    loop->done_none->ref();
    return loop->done_none;
  }
  auto *f = new ac_future(loop);
  ac_value none;
  value_init(&none);
  f->set_result(&none);
  if (!loop->closed) {
    f->ref();
    loop->done_none = f;
  }
  return f;
}

namespace {
void set_none(ac_future *f) noexcept {
  ac_value none;
  value_init(&none);
  f->set_result(&none);
}
void set_int64(ac_future *f, int64_t v) noexcept {
  ac_value x;
  value_init(&x);
  x.kind = AC_VALUE_INT64;
  x.u.i64 = v;
  f->set_result(&x);
}
}  // namespace

// ---- Lock and Semaphore ----

PermitObject::~PermitObject() {
  fail_all(waiters, AC_ECLOSED,
           magic == kLockMagic ? "lock destroyed while waited for"
                               : "semaphore destroyed while waited for");
}

ac_future *PermitObject::acquire() {
  auto *w = new PermitAcquire(loop);
  if (value > 0) {
    // A free permit implies nobody waits (see the invariant).
    --value;
    w->grant_to(this);
  } else {
    waiters.push(w);
  }
  return w;
}

void PermitObject::acquire_for(PermitWaiter *w) noexcept {
  if (value > 0) {
    --value;
    w->ref();  // granted() consumes one reference
    w->granted(this);
  } else {
    waiters.push(w);
  }
}

int PermitObject::release() noexcept {
  if (value >= bound) return AC_ESTATE;
  release_one();
  return 0;
}

void PermitObject::release_one() noexcept {
  if (ListedFuture *f = waiters.pop()) {
    static_cast<PermitWaiter *>(f)->granted(this);
  } else {
    ++value;
  }
}

PermitAcquire::~PermitAcquire() {
  if (owner != nullptr) owner->unref();
}

void PermitAcquire::grant_to(PermitObject *o) noexcept {
  o->ref();
  owner = o;
  resume_hook = true;
  set_none(this);
}

void PermitAcquire::granted(PermitObject *from) noexcept {
  grant_to(from);
  unref();  // the list's reference
}

void PermitAcquire::on_task_resume(bool delivered) noexcept {
  resume_hook = false;
  PermitObject *o = owner;
  owner = nullptr;
  // The task never saw the permit: the next waiter gets it.
  if (!delivered) o->release_one();
  o->unref();
}

}  // namespace ac

// ---- Event ----

ac_event::~ac_event() { ac::fail_all(waiters, AC_ECLOSED, "event destroyed while waited for"); }

ac_future *ac_event::wait() {
  if (is_set) return ac::done_future(loop);
  auto *w = new ac::ListedFuture(loop);
  waiters.push(w);
  return w;
}

void ac_event::set() noexcept {
  if (is_set) return;
  is_set = true;
  while (ac::ListedFuture *f = waiters.pop()) {
    ac::set_none(f);
    f->unref();
  }
}

// ---- Condition ----

ac_condition::~ac_condition() {
  // Only waiters not yet notified can be left: the others hold a
  // reference to the condition until they are done.
  if (!waiters.empty()) {
    ac_error *err = nullptr;
    try {
      err = ac::error_new(AC_ECLOSED, "condition destroyed while waited for");
    } catch (...) {
    }
    while (ac::ListedFuture *f = waiters.pop()) {
      static_cast<ac::CondWait *>(f)->cond = nullptr;
      ac::fail_waiter(f, err);
      f->unref();
    }
    ac::error_unref(err);
  }
  lock->unref();
}

ac_future *ac_condition::wait(ac_condition_predicate_fn pred, void *ud, ac_free_fn free_ud) {
  ac::CondWait *w;
  try {
    w = new ac::CondWait(loop, this, pred, ud, free_ud);
  } catch (...) {
    if (free_ud != nullptr) free_ud(ud);
    throw;
  }
  if (pred != nullptr) {
    int r = pred(ud);
    if (r != 0) {
      // Satisfied at once: the lock stays held, nothing to wait for.
      ac::set_int64(w, r);
      return w;
    }
  }
  lock->release_one();
  waiters.push(w);
  return w;
}

int ac_condition::notify(int64_t n) noexcept {
  int woken = 0;
  while ((n < 0 || woken < n) && !waiters.empty()) {
    auto *w = static_cast<ac::CondWait *>(waiters.pop());
    w->notified = true;
    w->reacquire();
    w->unref();  // the list's reference
    ++woken;
  }
  return woken;
}

namespace ac {

CondWait::~CondWait() {
  error_unref(cancel_error);
  if (cond_ref) cond->unref();
}

void CondWait::hold_cond() noexcept {
  if (!cond_ref) {
    cond->ref();
    cond_ref = true;
  }
}

void CondWait::drop_cond() noexcept {
  if (cond_ref) {
    cond_ref = false;
    cond->unref();  // may destroy the condition (never this waiter)
  }
}

void CondWait::reacquire() noexcept {
  hold_cond();
  cond->lock->acquire_for(this);
}

bool CondWait::cancel(const char *message) noexcept {
  if (done()) return false;
  if (cancel_requested) return true;
  cancel_requested = true;
  cancel_error = make_cancel_error_noexcept(message);
  if (list != nullptr && !notified) {
    // Waiting for a notification: stop, but take the lock back first.
    list->unlink(this);  // its reference keeps us alive meanwhile
    reacquire();
    unref();
  }
  // Otherwise the lock is on its way: completion reports the cancellation.
  return true;
}

void CondWait::granted(PermitObject *) noexcept {
  // The lock is held again on the waiter's behalf.
  if (cancel_requested) {
    bool pass_on = notified;
    ac_error *e = cancel_error;
    cancel_error = nullptr;
    cancel_now(e);
    // A notification we consumed must not be lost (asyncio 3.13).
    if (pass_on) cond->notify(1);
    drop_cond();
    unref();
    return;
  }
  int r = 1;
  if (pred != nullptr) {
    r = pred(pred_ud);
    if (r == 0) {
      // Not yet: release and wait for the next notification.
      notified = false;
      cond->lock->release_one();
      cond->waiters.push(this);
      drop_cond();
      unref();
      return;
    }
  }
  if (notified) {
    resume_hook = true;  // keeps the reference to the condition
  }
  if (pred != nullptr)
    set_int64(this, r);
  else
    set_none(this);
  if (!resume_hook) drop_cond();
  unref();
}

void CondWait::on_task_resume(bool delivered) noexcept {
  resume_hook = false;
  // The task resumes cancelled (it still holds the lock, as in asyncio);
  // the notification it consumed goes to the next waiter.
  if (!delivered) cond->notify(1);
  drop_cond();
}

void CondWait::on_done() noexcept {
  if (pred_free != nullptr) {
    ac_free_fn f = pred_free;
    pred_free = nullptr;
    f(pred_ud);
  }
  pred = nullptr;
}

// ---- Barrier ----

void BarrierWait::before_cancel(bool queued) noexcept {
  // A wait that leaves before the round completes no longer counts
  // (asyncio's `finally: self._count -= 1`).
  if (queued && barrier != nullptr) --barrier->count;
}

}  // namespace ac

ac_barrier::~ac_barrier() {
  for (ac::ListedFuture *f = waiters.head; f != nullptr; f = f->next)
    static_cast<ac::BarrierWait *>(f)->barrier = nullptr;
  ac::fail_all(waiters, AC_ECLOSED, "barrier destroyed while waited for");
}

int ac_barrier::wait(ac_future **out) {
  if (broken) return AC_EBROKEN;
  int64_t index = count;
  auto *w = new ac::BarrierWait(loop, this, index);
  if (index + 1 >= parties) {
    // The last party: everyone passes, the barrier starts a new round.
    while (ac::ListedFuture *f = waiters.pop()) {
      ac::set_int64(f, static_cast<ac::BarrierWait *>(f)->index);
      f->unref();
    }
    count = 0;
    ac::set_int64(w, index);
  } else {
    waiters.push(w);
    ++count;
  }
  *out = w;
  return 0;
}

void ac_barrier::reset() noexcept {
  ac::fail_all(waiters, AC_EBROKEN, "barrier reset");
  count = 0;
  broken = false;
}

void ac_barrier::abort() noexcept {
  broken = true;
  ac::fail_all(waiters, AC_EBROKEN, "barrier aborted");
  count = 0;
}
