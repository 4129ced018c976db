#include "structured/timeout.hpp"

#include <cmath>

ac_timeout::ac_timeout(ac_loop *l, double when) noexcept : deadline(when), loop(l) {
  loop->refs.fetch_add(1, std::memory_order_relaxed);
}

ac_timeout::~ac_timeout() {
  release_task();
  ac::error_unref(timeout_error);
  magic = 0;
  ac_loop *l = loop;
  if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) l->destroy();
}

void ac_timeout::arm() {
  if (deadline == HUGE_VAL || loop->closed) return;  // +inf: no deadline; -inf: due
  ref();
  try {
    if (deadline <= loop->now()) {
      // Already due: the expiry is a ready callback, behind those already
      // ready (asyncio's call_soon(_on_timeout)), not a timer.
      loop->schedule_due(this);
    } else {
      loop->add_timer(this, deadline);
    }
  } catch (...) {
    --refs;
    throw;
  }
}

void ac_timeout::disarm() noexcept {
  if (loop->remove_timer(this)) --refs;  // the heap's; the caller holds another
}

void ac_timeout::release_task() noexcept {
  if (task == nullptr) return;
  loop->remove_closable(this);
  ac_task *t = task;
  task = nullptr;
  t->unref();
}

int ac_timeout::enter(ac_task *t) {
  if (state != kCreated) return AC_EMISUSE;
  if (loop->current_task != t || !t->stepping()) return AC_EMISUSE;
  arm();
  t->ref();
  task = t;
  loop->add_closable(this);
  cancelling = t->cancelling();
  state = kEntered;
  return 0;
}

int ac_timeout::exit(int outcome) noexcept {
  if (state != kEntered && state != kExpiring) return AC_EMISUSE;
  if (task == nullptr || loop->current_task != task) return AC_EMISUSE;
  disarm();
  if (state == kExpiring) {
    state = kExpired;
    // Ours only if taking our request back leaves no more than there were
    // at enter: an outer scope or an explicit cancel passes through.
    if (task->uncancel() <= cancelling && outcome == AC_ECANCELLED) {
      outcome = AC_ETIMEDOUT;
      // asyncio: raise TimeoutError from the CancelledError the task got.
      ac::error_unref(timeout_error);
      timeout_error = nullptr;
      ac_error *cause = task->resume_code() == AC_ECANCELLED ? task->resume_error() : nullptr;
      try {
        timeout_error = ac::error_new(AC_ETIMEDOUT, "", cause);
      } catch (...) {
      }
    }
  } else {
    state = kExited;
  }
  release_task();
  return outcome;
}

int ac_timeout::reschedule(double when) {
  if (state != kEntered) return AC_EMISUSE;
  disarm();
  deadline = when;
  if (state == kEntered) arm();
  return 0;
}

void ac_timeout::fire() noexcept {
  // The heap's reference passed to us.
  if (state == kEntered && task != nullptr && !task->done()) {
    state = kExpiring;
    task->cancel(nullptr);
  }
  unref();
}

void ac_timeout::close_for_loop() noexcept {
  // Removed from the list by the loop already.
  ac_task *t = task;
  task = nullptr;
  if (t != nullptr) t->unref();
}
