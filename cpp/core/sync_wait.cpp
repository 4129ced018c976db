#include "core/sync_wait.hpp"

#include "core/task.hpp"
#include "core/value.hpp"

namespace ac {

// ---- Waiter ----

Waiter::~Waiter() {
  if (list != nullptr) list->unlink(this);
  if (op->waiting_on == this) op->waiting_on = nullptr;
}

void Waiter::wake() noexcept {
  if (state != kPending) return;
  state = kWoken;
  op->continue_soon();
}

bool Waiter::cancel() noexcept {
  if (state != kPending) return false;
  state = kCancelled;
  if (list != nullptr) ++list->cancelled;
  op->continue_soon();
  return true;
}

void Waiter::close() noexcept {
  if (list != nullptr) list->unlink(this);
  if (state != kPending) return;
  state = kClosed;
  op->continue_soon();
}

void Waiter::await_suspend(std::coroutine_handle<> h) noexcept {
  op->resume_at = h;
  op->waiting_on = this;
}

int Waiter::await_resume() noexcept {
  if (op->waiting_on == this) op->waiting_on = nullptr;
  if (state == kClosed) return AC_ECLOSED;
  if (op->cancel_pending) {
    op->cancel_pending = false;
    return AC_ECANCELLED;
  }
  return state == kCancelled ? AC_ECANCELLED : 0;
}

// ---- OpFuture ----

OpFuture::~OpFuture() { error_unref(cancel_error); }

void OpFuture::continue_soon() noexcept {
  if (queued || done() || loop->closed) return;
  // The common case: one task awaits the op and nothing else does. The op
  // goes on inside that task's next step, as asyncio runs the coroutine
  // inside its task.
  if (Runnable *r = sole_callback(); r != nullptr && r->kind == Runnable::kTask) {
    auto *t = static_cast<ac_task *>(r);
    if (!t->scheduled()) {
      try {
        t->schedule_step();
        take_sole_callback();
        return;
      } catch (...) {
        // Out of memory: fall through to the op's own turn, which needs
        // a slot too; failing that the op stays pending.
      }
    }
  }
  try {
    loop->schedule(this);
    queued = true;
    ref();
  } catch (...) {
    loop->report("out of memory scheduling a waiting operation", nullptr, this);
  }
}

void OpFuture::resume_in_task(bool cancel, const char *message) noexcept {
  if (cancel) {
    // asyncio throws the CancelledError the awaited future raised when it
    // was cancelled already (its message kept), a new one otherwise.
    if (cancel_error == nullptr || waiting_on == nullptr || !waiting_on->cancelled()) {
      error_unref(cancel_error);
      cancel_error = make_cancel_error_noexcept(message);
    }
    cancel_pending = true;
  }
  std::coroutine_handle<> h = resume_at;
  resume_at = nullptr;
  if (h) h.resume();
  cancel_pending = false;
}

ac_error *OpFuture::take_cancel_error() noexcept {
  ac_error *e = cancel_error;
  cancel_error = nullptr;
  return e != nullptr ? e : make_cancel_error_noexcept(nullptr);
}

bool OpFuture::cancel(const char *message) noexcept {
  if (done()) return false;
  // Pending: the waiter is cancelled and the op goes on to handle it.
  // Woken already: as asyncio's done future, the cancel is refused here
  // and the task throws it in when the op goes on.
  if (waiting_on == nullptr || waiting_on->done()) return false;
  error_unref(cancel_error);
  cancel_error = make_cancel_error_noexcept(message);
  waiting_on->cancel();
  return true;
}

void OpFuture::run() noexcept {
  queued = false;
  if (!done()) {
    if (Runnable *r = sole_callback(); r != nullptr && r->kind == Runnable::kTask) {
      // A task came to await the op since it was woken: this turn is that
      // task's, as asyncio runs a coroutine inside the task that awaits
      // it. The task's resume lets the op go on (with a cancellation the
      // task has pending thrown in), then steps the task.
      auto *t = static_cast<ac_task *>(r);
      take_sole_callback();
      t->run_for_op(this);
    } else {
      // Nobody, or not a task alone, awaits it: the op is a task of its
      // own (asyncio's ensure_future of the coroutine).
      resume_in_task(false, nullptr);
    }
  }
  unref();  // the ready queue's reference
}

void OpFuture::drop() noexcept {
  queued = false;
  unref();
}

void OpFuture::finish(Outcome o) noexcept {
  if (o.code == 0) {
    set_result(&o.value);
    return;
  }
  if (o.code == AC_ECANCELLED) {
    cancel_now(take_cancel_error());
    return;
  }
  ac_error *e = nullptr;
  try {
    e = error_new(o.code, o.message);
  } catch (...) {
  }
  if (e == nullptr) {
    cancel_now(nullptr);
    return;
  }
  set_error(e);
  error_unref(e);
}

// ---- shared pieces ----

SyncObject::~SyncObject() {
  magic = 0;
  ac_loop *l = loop;
  if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) l->destroy();
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

ac_future *done_future_with(ac_loop *loop, ac_value *v) {
  auto *f = new ac_future(loop);
  f->set_result(v);
  return f;
}

ac_future *failed_future(ac_loop *loop, int code, const char *message) {
  ac_error *e = error_new(code, message);
  ac_future *f;
  try {
    f = new ac_future(loop);
  } catch (...) {
    error_unref(e);
    throw;
  }
  f->set_error(e);
  error_unref(e);
  return f;
}

void destroy_op(ac_future *f) noexcept { static_cast<OpFuture *>(f)->destroy_frame(); }

ac_future *op_future(Op op) {
  if (op.future == nullptr) throw std::bad_alloc();
  return op.future;
}

}  // namespace ac
