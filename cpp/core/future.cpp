#include "core/future.hpp"

#include <memory>

#include "core/placed_list.hpp"
#include "core/task.hpp"
#include "core/value.hpp"
#include "core/watch.hpp"

namespace ac {

// The callbacks of a future that has had two or more, in registration
// order; a removal costs O(1) once the list is long (placed_list.hpp).
struct RunnableKey {
  using Key = Runnable *;
  static Key key(Runnable *r) noexcept { return r; }
  static bool is_hole(Runnable *r) noexcept { return r == nullptr; }
  static void make_hole(Runnable *&r) noexcept { r = nullptr; }
};
struct CallbackList : PlacedList<Runnable *, RunnableKey> {};

FutureCallback::~FutureCallback() {
  if (free_ud != nullptr) free_ud(ud);
  context_unref(context);
  if (future != nullptr) future->unref();
}

void FutureCallback::run() noexcept {
  {
    DoneCallbackScope scope(future->loop, context);
    fn(future, ud);
  }
  delete this;
}

void FutureCallback::drop() noexcept { delete this; }

ac_error *make_cancel_error(const char *message) {
  // asyncio: cancel() without a message raises a CancelledError with none.
  return error_new(AC_ECANCELLED, message != nullptr ? message : "");
}

ac_error *make_cancel_error_noexcept(const char *message) noexcept {
  try {
    return make_cancel_error(message);
  } catch (...) {
    return nullptr;
  }
}

}  // namespace ac

ac_future::ac_future(ac_loop *l) noexcept : loop(l) {
  ac::value_init(&result);
  loop->refs.fetch_add(1, std::memory_order_relaxed);
}

ac_future::~ac_future() {
  release_callbacks();
  ac::value_release(&result);
  ac::error_unref(error);
  magic = 0;
  ac_loop *l = loop;
  if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) l->destroy();
}

void ac_future::last_unref() noexcept {
  if (state == AC_FUTURE_ERROR && !error_retrieved) {
    // asyncio's "exception was never retrieved". The handler may look at the
    // future (we lend it a reference) but must not keep it.
    refs = 1;
    mark_error_retrieved();
    loop->report(is_task ? "Task exception was never retrieved"
                         : "Future exception was never retrieved",
                 error, this);
    if (--refs != 0) return;
  }
  if (is_op)
    ac::destroy_op(this);  // lives in a coroutine frame
  else
    delete this;
}

void ac_future::release_callbacks_slow() noexcept {
  // Registered but never scheduled: tasks are not owned by the list; user
  // callbacks are (their free_ud runs now).
  auto release = [](ac::Runnable *r) {
    if (r->kind == ac::Runnable::kFutureCallback) {
      delete static_cast<ac::FutureCallback *>(r);
    } else if (r->kind == ac::Runnable::kWatch) {
      ac::watch_entry_released(r);
    }
  };
  uintptr_t cbs = cbs_;
  cbs_ = 0;
  // A direct watch holds nothing: its watcher is never told.
  if (cbs == 0 || (cbs & kCbTags) == kWatcherCb) return;
  if ((cbs & kCbTags) == 0) {
    release(reinterpret_cast<ac::Runnable *>(cbs));
    return;
  }
  auto *list = reinterpret_cast<ac::CallbackList *>(cbs & ~kCbTags);
  for (ac::Runnable *r : list->items())
    if (r != nullptr) release(r);
  delete list;
}

// What a waiter needs before the loop runs it because f is done: a done
// callback learns its future (and holds it), a watch entry is told, a task
// is marked scheduled.
static inline void prepare_wakeup(ac_future *f, ac::Runnable *r) noexcept {
  if (r->kind == ac::Runnable::kFutureCallback) {
    static_cast<ac::FutureCallback *>(r)->future = f;
    f->ref();
  } else if (r->kind == ac::Runnable::kWatch) {
    ac::watch_entry_scheduled(r, f);
  } else {
    static_cast<ac_task *>(r)->mark_scheduled();
  }
}

// Puts one waiter in the ready queue.
static inline void schedule_wakeup(ac_future *f, ac::Runnable *r) noexcept {
  prepare_wakeup(f, r);
  try {
    f->loop->schedule(r);
  } catch (...) {
    // Out of memory while growing the ready queue: the callback cannot
    // run; release it rather than lose track of it.
    r->drop();
    f->loop->report("out of memory scheduling a done-callback", nullptr, f);
  }
}

// Two waiters or more (out of line: one waiter is the rule).
[[gnu::noinline]] static void schedule_more(ac_future *f, ac::CallbackList *more) noexcept {
  for (ac::Runnable *r : more->items())
    if (r != nullptr) schedule_wakeup(f, r);
  delete more;
}

void ac_future::schedule_callbacks() noexcept {
  if (loop->closed) [[unlikely]] {
    release_on_closed_loop();
    return;
  }
  uintptr_t cbs = cbs_;
  if (cbs == 0) return;
  if ((cbs & kCbTags) == 0) [[likely]] {
    cbs_ = 0;
    schedule_wakeup(this, reinterpret_cast<ac::Runnable *>(cbs));
    return;
  }
  if ((cbs & kCbTags) == kWatcherCb) {
    // The word stays: the notice reads its watcher when it runs.
    ac::task_schedule_watch_notice(this);
    return;
  }
  cbs_ = 0;
  schedule_more(this, reinterpret_cast<ac::CallbackList *>(cbs & ~kCbTags));
}

// Nothing runs on a closed loop: the callbacks are released instead, each
// user registration's free_ud now (tasks were detached from what they
// awaited when the loop closed). A free_ud may drop the last reference the
// caller relied on: hold one meanwhile.
void ac_future::release_on_closed_loop() noexcept {
  ref();
  release_callbacks();
  unref();
}

int ac_future::set_result(ac_value *owned) noexcept {
  if (done()) return AC_ESTATE;
  ac::value_move(&result, owned);
  state = AC_FUTURE_RESULT;
  on_done();
  schedule_callbacks();
  return 0;
}

int ac_future::set_error(ac_error *err) noexcept {
  if (done()) return AC_ESTATE;
  error = ac::error_ref(err);
  state = AC_FUTURE_ERROR;
  on_done();
  schedule_callbacks();
  return 0;
}

bool ac_future::cancel_now(ac_error *cancel_error) noexcept {
  if (done()) {
    ac::error_unref(cancel_error);
    return false;
  }
  error = cancel_error;
  state = AC_FUTURE_CANCELLED;
  on_done();
  schedule_callbacks();
  return true;
}

bool ac_future::cancel(const char *message) noexcept {
  if (done()) return false;
  return cancel_now(ac::make_cancel_error_noexcept(message));
}

void ac_future::add_callback_slow(ac::Runnable *r) {
  if (done()) {
    prepare_wakeup(this, r);
    loop->schedule(r);
    return;
  }
  if (cbs_ == 0) {
    cbs_ = reinterpret_cast<uintptr_t>(r);
    return;
  }
  if (auto *list = callback_list()) {
    list->push(r);
    return;
  }
  // A second entry: the word becomes a list (a direct watch becomes an
  // entry first, keeping its place).
  auto list = std::make_unique<ac::CallbackList>();
  list->reserve(2);
  ac::Runnable *first = sole_callback();
  if (first == nullptr) first = ac::direct_watch_entry(this, direct_watcher());
  list->push(first);
  list->push(r);
  cbs_ = reinterpret_cast<uintptr_t>(list.release()) | kManyCbs;
}

bool ac_future::remove_callback(ac::Runnable *r) noexcept {
  if (cbs_ == reinterpret_cast<uintptr_t>(r)) {
    cbs_ = 0;
    return true;
  }
  if (auto *list = callback_list()) return list->remove_first(r, [](ac::Runnable *) { return true; });
  return false;
}

int ac_future::remove_user_callbacks(ac_future_callback_fn fn, void *ud) noexcept {
  auto matches = [&](ac::Runnable *r) {
    if (r->kind != ac::Runnable::kFutureCallback) return false;
    auto *cb = static_cast<ac::FutureCallback *>(r);
    return cb->fn == fn && cb->ud == ud;
  };
  // What is removed is chained, in registration order, and freed once the
  // list is whole again: a free_ud is user code, which may add or remove
  // callbacks of this very future.
  ac::FutureCallback *removed = nullptr, **tail = &removed;
  int n = 0;
  auto take = [&](ac::Runnable *r) {
    auto *cb = static_cast<ac::FutureCallback *>(r);
    *tail = cb;
    tail = &cb->next_removed;
    ++n;
  };
  if (ac::Runnable *r = sole_callback(); r != nullptr && matches(r)) {
    cbs_ = 0;
    take(r);
  } else if (auto *list = callback_list()) {
    list->filter([&](ac::Runnable *r) {
      if (!matches(r)) return true;
      take(r);
      return false;
    });
  }
  while (removed != nullptr) {
    ac::FutureCallback *next = removed->next_removed;
    delete removed;
    removed = next;
  }
  return n;
}
