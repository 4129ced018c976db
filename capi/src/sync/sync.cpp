// sync.cpp — Lock, Event, Condition, Semaphore, Barrier at the boundary.
#include "sync/sync.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::fail;

namespace {

template <typename T>
bool is(const T *obj, uint32_t magic) noexcept {
  return obj != nullptr && obj->magic == magic;
}

// A handle of the right type whose loop is usable from here. Queries on
// hot paths check the thread in debug mode only.
template <typename T>
int check(const T *obj, uint32_t magic) noexcept {
  if (!is(obj, magic)) return fail(AC_EINVAL, nullptr);
  if (obj->loop->closed) return fail(AC_ECLOSED, "Event loop is closed");
  return check_loop_fast(obj->loop);
}

template <typename T>
T *ref_of(T *obj, uint32_t magic) noexcept {
  if (is(obj, magic)) obj->ref();
  return obj;
}
template <typename T>
void unref_of(T *obj, uint32_t magic) noexcept {
  if (is(obj, magic)) obj->unref();
}

int new_lock(ac_loop *loop, ac_lock **out) {
  *out = new ac_lock(loop);
  return 0;
}

}  // namespace

// ---- Lock ----

AC_API int ac_lock_new(ac_loop *loop, ac_lock **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  AC_GUARD(return new_lock(loop, out);)
}
AC_API ac_lock *ac_lock_ref(ac_lock *lock) noexcept { return ref_of(lock, ac::kLockMagic); }
AC_API void ac_lock_unref(ac_lock *lock) noexcept { unref_of(lock, ac::kLockMagic); }
AC_API int ac_lock_acquire(ac_lock *lock, ac_future **out) noexcept {
  int rc = check(lock, ac::kLockMagic);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  AC_GUARD(*out = lock->acquire(); return 0;)
}
AC_API int ac_lock_try_acquire(ac_lock *lock) noexcept {
  int rc = check(lock, ac::kLockMagic);
  if (rc != 0) return rc;
  return lock->try_acquire() ? 1 : 0;
}
AC_API int ac_lock_release(ac_lock *lock) noexcept {
  int rc = check(lock, ac::kLockMagic);
  if (rc != 0) return rc;
  rc = lock->release();
  return rc == 0 ? 0 : fail(rc, "Lock is not acquired.");
}
AC_API int ac_lock_locked(const ac_lock *lock) noexcept {
  if (!is(lock, ac::kLockMagic)) return fail(AC_EINVAL, nullptr);
  return lock->locked ? 1 : 0;
}

// ---- Event ----

AC_API int ac_event_new(ac_loop *loop, ac_event **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  AC_GUARD(*out = new ac_event(loop); return 0;)
}
AC_API ac_event *ac_event_ref(ac_event *ev) noexcept { return ref_of(ev, ac::kEventMagic); }
AC_API void ac_event_unref(ac_event *ev) noexcept { unref_of(ev, ac::kEventMagic); }
AC_API int ac_event_wait(ac_event *ev, ac_future **out) noexcept {
  int rc = check(ev, ac::kEventMagic);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  AC_GUARD(*out = ev->wait(); return 0;)
}
AC_API int ac_event_set(ac_event *ev) noexcept {
  int rc = check(ev, ac::kEventMagic);
  if (rc != 0) return rc;
  ev->set();
  return 0;
}
AC_API int ac_event_clear(ac_event *ev) noexcept {
  int rc = check(ev, ac::kEventMagic);
  if (rc != 0) return rc;
  ev->clear();
  return 0;
}
AC_API int ac_event_is_set(const ac_event *ev) noexcept {
  if (!is(ev, ac::kEventMagic)) return fail(AC_EINVAL, nullptr);
  return ev->is_set ? 1 : 0;
}

// ---- Condition ----

AC_API int ac_condition_new(ac_loop *loop, ac_lock *lock, ac_condition **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  if (lock != nullptr && (!is(lock, ac::kLockMagic) || lock->loop != loop)) return fail(AC_EINVAL, nullptr);
  AC_GUARD({
    ac_lock *own = nullptr;
    if (lock == nullptr) {
      new_lock(loop, &own);
      lock = own;
    }
    try {
      *out = new ac_condition(loop, lock);
    } catch (...) {
      if (own != nullptr) own->unref();
      throw;
    }
    if (own != nullptr) own->unref();  // the condition holds its own reference
    return 0;
  })
}
AC_API ac_condition *ac_condition_ref(ac_condition *cond) noexcept {
  return ref_of(cond, ac::kConditionMagic);
}
AC_API void ac_condition_unref(ac_condition *cond) noexcept { unref_of(cond, ac::kConditionMagic); }
AC_API ac_lock *ac_condition_lock(ac_condition *cond) noexcept {
  return is(cond, ac::kConditionMagic) ? cond->lock : nullptr;
}
AC_API int ac_condition_acquire(ac_condition *cond, ac_future **out) noexcept {
  return ac_lock_acquire(ac_condition_lock(cond), out);
}
AC_API int ac_condition_release(ac_condition *cond) noexcept {
  return ac_lock_release(ac_condition_lock(cond));
}
AC_API int ac_condition_locked(const ac_condition *cond) noexcept {
  return is(cond, ac::kConditionMagic) ? ac_lock_locked(cond->lock) : fail(AC_EINVAL);
}

static int condition_wait(ac_condition *cond, ac_condition_predicate_fn pred, void *ud,
                          ac_free_fn free_ud, ac_future **out) noexcept {
  int rc = check(cond, ac::kConditionMagic);
  if (rc == 0 && out == nullptr) rc = fail(AC_EINVAL, nullptr);
  if (rc != 0) {
    ac::shim::run_free(free_ud, ud);
    return rc;
  }
  // wait() releases free_ud itself, also when it throws.
  AC_GUARD({
    rc = cond->wait(pred, ud, free_ud, out);
    return rc == 0 ? 0 : fail(rc, "cannot wait on un-acquired lock");
  })
}
AC_API int ac_condition_wait(ac_condition *cond, ac_future **out) noexcept {
  return condition_wait(cond, nullptr, nullptr, nullptr, out);
}
AC_API int ac_condition_wait_for(ac_condition *cond, ac_condition_predicate_fn pred, void *ud,
                                 ac_free_fn free_ud, ac_future **out) noexcept {
  if (pred == nullptr) {
    ac::shim::run_free(free_ud, ud);
    return fail(AC_EINVAL, nullptr);
  }
  return condition_wait(cond, pred, ud, free_ud, out);
}
AC_API int64_t ac_condition_notify(ac_condition *cond, int64_t n) noexcept {
  int rc = check(cond, ac::kConditionMagic);
  if (rc != 0) return rc;
  if (!cond->lock->locked) return fail(AC_EMISUSE, "cannot notify on un-acquired lock");
  // asyncio: notify(n) wakes nobody for n <= 0.
  return n > 0 ? cond->notify(n) : 0;
}
AC_API int64_t ac_condition_notify_all(ac_condition *cond) noexcept {
  int rc = check(cond, ac::kConditionMagic);
  if (rc != 0) return rc;
  if (!cond->lock->locked) return fail(AC_EMISUSE, "cannot notify on un-acquired lock");
  return cond->notify(-1);
}

// ---- Semaphore ----

static int semaphore_new(ac_loop *loop, int64_t value, bool bounded, ac_semaphore **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  if (value < 0) return fail(AC_EINVAL, "Semaphore initial value must be >= 0");
  AC_GUARD(*out = new ac_semaphore(loop, value, bounded); return 0;)
}
AC_API int ac_semaphore_new(ac_loop *loop, int64_t value, ac_semaphore **out) noexcept {
  return semaphore_new(loop, value, false, out);
}
AC_API int ac_semaphore_new_bounded(ac_loop *loop, int64_t value, ac_semaphore **out) noexcept {
  return semaphore_new(loop, value, true, out);
}
AC_API ac_semaphore *ac_semaphore_ref(ac_semaphore *sem) noexcept {
  return ref_of(sem, ac::kSemaphoreMagic);
}
AC_API void ac_semaphore_unref(ac_semaphore *sem) noexcept { unref_of(sem, ac::kSemaphoreMagic); }
AC_API int ac_semaphore_acquire(ac_semaphore *sem, ac_future **out) noexcept {
  int rc = check(sem, ac::kSemaphoreMagic);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  AC_GUARD(*out = sem->acquire(); return 0;)
}
AC_API int ac_semaphore_try_acquire(ac_semaphore *sem) noexcept {
  int rc = check(sem, ac::kSemaphoreMagic);
  if (rc != 0) return rc;
  return sem->try_acquire() ? 1 : 0;
}
AC_API int ac_semaphore_release(ac_semaphore *sem) noexcept {
  int rc = check(sem, ac::kSemaphoreMagic);
  if (rc != 0) return rc;
  rc = sem->release();
  return rc == 0 ? 0 : fail(rc, "BoundedSemaphore released too many times");
}
AC_API int ac_semaphore_locked(const ac_semaphore *sem) noexcept {
  if (!is(sem, ac::kSemaphoreMagic)) return fail(AC_EINVAL, nullptr);
  return sem->locked() ? 1 : 0;
}
AC_API int64_t ac_semaphore_value(const ac_semaphore *sem) noexcept {
  if (!is(sem, ac::kSemaphoreMagic)) return fail(AC_EINVAL, nullptr);
  return sem->value;
}

// ---- Barrier ----

AC_API int ac_barrier_new(ac_loop *loop, int64_t parties, ac_barrier **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  if (parties < 1) return fail(AC_EINVAL, "parties must be >= 1");
  AC_GUARD({
    ac_lock *lock = new ac_lock(loop);
    ac_condition *cond;
    try {
      cond = new ac_condition(loop, lock);
    } catch (...) {
      lock->unref();
      throw;
    }
    lock->unref();  // the condition holds it
    try {
      *out = new ac_barrier(loop, parties, cond);
    } catch (...) {
      cond->unref();
      throw;
    }
    return 0;
  })
}
AC_API ac_barrier *ac_barrier_ref(ac_barrier *b) noexcept { return ref_of(b, ac::kBarrierMagic); }
AC_API void ac_barrier_unref(ac_barrier *b) noexcept { unref_of(b, ac::kBarrierMagic); }
AC_API int ac_barrier_wait(ac_barrier *b, ac_future **out) noexcept {
  int rc = check(b, ac::kBarrierMagic);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  AC_GUARD(*out = b->wait(); return 0;)
}
AC_API int ac_barrier_reset(ac_barrier *b) noexcept {
  int rc = check(b, ac::kBarrierMagic);
  if (rc != 0) return rc;
  b->reset();
  return 0;
}
AC_API int ac_barrier_abort(ac_barrier *b) noexcept {
  int rc = check(b, ac::kBarrierMagic);
  if (rc != 0) return rc;
  b->abort();
  return 0;
}
AC_API int ac_barrier_broken(const ac_barrier *b) noexcept {
  if (!is(b, ac::kBarrierMagic)) return fail(AC_EINVAL, nullptr);
  return b->state == ac_barrier::kBroken ? 1 : 0;
}
AC_API int64_t ac_barrier_parties(const ac_barrier *b) noexcept {
  if (!is(b, ac::kBarrierMagic)) return fail(AC_EINVAL, nullptr);
  return b->parties;
}
AC_API int64_t ac_barrier_n_waiting(const ac_barrier *b) noexcept {
  if (!is(b, ac::kBarrierMagic)) return fail(AC_EINVAL, nullptr);
  return b->n_waiting();
}
