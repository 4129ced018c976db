#include "thread/tsfuture.hpp"

#include <chrono>
#include <cmath>
#include <new>

#include "core/future.hpp"
#include "core/handle.hpp"
#include "core/task.hpp"
#include "core/value.hpp"

// ---------------------------------------------------------------- the future

ac_tsfuture::ac_tsfuture() noexcept { ac::value_init(&result); }

ac_tsfuture::~ac_tsfuture() {
  // Dropped while pending: nobody will run the callbacks, but each free_ud
  // still runs exactly once.
  for (const Callback &c : callbacks.items())
    if (c.fn != nullptr && c.free_ud != nullptr) c.free_ud(c.ud);
  ac::value_release(&result);
  ac::error_unref(error);
  magic = 0;
}

int ac_tsfuture::complete(int new_state, ac_value *owned, ac_error *err) noexcept {
  // A completer often borrows a reference of the thread that waits (a
  // gate); once that thread sees the future done it may drop it. Hold our
  // own until the waiters are woken and the callbacks have run.
  ref();
  int rc = complete_held(new_state, owned, err);
  unref();
  return rc;
}

int ac_tsfuture::complete_held(int new_state, ac_value *owned, ac_error *err) noexcept {
  std::vector<Callback> to_run;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (state.load(std::memory_order_relaxed) != AC_FUTURE_PENDING) {
      ac::error_unref(err);
      return AC_ESTATE;
    }
    if (owned != nullptr) ac::value_move(&result, owned);
    error = err;
    callbacks.take_all(to_run);
    state.store(new_state, std::memory_order_release);
  }
  cv.notify_all();
  for (Callback &c : to_run) {
    if (c.fn == nullptr) continue;  // a hole
    c.fn(this, c.ud);
    if (c.free_ud != nullptr) c.free_ud(c.ud);
  }
  return 0;
}

bool ac_tsfuture::cancel(const char *message) noexcept {
  if (done()) return false;
  return complete(AC_FUTURE_CANCELLED, nullptr, ac::make_cancel_error_noexcept(message)) == 0;
}

void ac_tsfuture::add_callback(ac_tsfuture_callback_fn fn, void *ud, ac_free_fn free_ud) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (state.load(std::memory_order_relaxed) == AC_FUTURE_PENDING) {
      callbacks.push(Callback{fn, ud, free_ud});
      return;
    }
  }
  fn(this, ud);
  if (free_ud != nullptr) free_ud(ud);
}

int ac_tsfuture::remove_callbacks(ac_tsfuture_callback_fn fn, void *ud) noexcept {
  std::vector<Callback> removed;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto same_fn = [fn](const Callback &c) { return c.fn == fn; };
    for (;;) {
      // Room to remember it first, to free it outside the lock: out of
      // memory, it stays registered (it will run and be freed normally).
      try {
        if (removed.size() == removed.capacity()) removed.reserve(removed.empty() ? 1 : 2 * removed.size());
      } catch (...) {
        break;
      }
      Callback c;
      if (!callbacks.remove_first(ud, same_fn, &c)) break;
      removed.push_back(c);
    }
  }
  for (Callback &c : removed)
    if (c.free_ud != nullptr) c.free_ud(c.ud);
  return static_cast<int>(removed.size());
}

bool ac_tsfuture::wait(double timeout) noexcept {
  if (done()) return true;
  std::unique_lock<std::mutex> lock(mu);
  auto is_done = [this] { return state.load(std::memory_order_relaxed) != AC_FUTURE_PENDING; };
  // Beyond about three years the wait is as good as forever.
  if (timeout < 0 || timeout > 1e8) {
    cv.wait(lock, is_done);
    return true;
  }
  return cv.wait_for(lock, std::chrono::duration<double>(timeout), is_done);
}

int ac_tsfuture::outcome() const noexcept {
  int s = state.load(std::memory_order_acquire);
  if (s == AC_FUTURE_PENDING) return AC_ESTATE;
  if (s == AC_FUTURE_RESULT) return 0;
  if (s == AC_FUTURE_CANCELLED || error == nullptr) return AC_ECANCELLED;
  return error->code;
}

namespace ac {

int post_threadsafe(ac_loop *loop, ac_callback_fn fn, void *ud, ac_free_fn free_ud) noexcept {
  auto *h = new (std::nothrow) ac_call(loop, fn, ud, free_ud);
  if (h == nullptr) {
    if (free_ud != nullptr) free_ud(ud);
    return AC_ENOMEM;
  }
  int rc = loop->submit_threadsafe(h);
  if (rc != 0) {
    h->release_callback();  // runs free_ud here
    delete h;
  }
  return rc;
}

static ac_error *error_new_noexcept(int code) noexcept {
  try {
    return error_new(code, nullptr);
  } catch (...) {
    return nullptr;
  }
}

// ------------------------------------------------------------------ wrap

namespace {

struct FollowFuture;

// Joins a tsfuture (any thread) and the loop future following it (loop
// thread). Freed when the last of its claims is released, from any thread:
//  - one for the follower future, released when it is destroyed;
//  - one for the registration on the tsfuture, released by its free_ud;
//  - one per delivery posted to the loop, released by the handle's free_ud.
// `follower` is touched on the loop's thread only and cleared when the
// follower is destroyed, so a late delivery finds nobody to deliver to.
struct FollowLink {
  std::atomic<int> claims{2};
  ac_loop *loop;
  ac_tsfuture *ts;
  FollowFuture *follower = nullptr;

  FollowLink(ac_loop *l, ac_tsfuture *t) noexcept : loop(l), ts(t) {
    loop_hold(loop);
    ts->ref();
  }
  void release() noexcept {
    if (claims.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    ts->unref();
    loop_release(loop);
    delete this;
  }
};

void release_link(void *ud) { static_cast<FollowLink *>(ud)->release(); }

struct FollowFuture final : ac_future {
  FollowLink *link;
  // Counted in loop->ts_waits while pending (loop thread only); a held
  // follower (its source is work started on another thread, bound to be
  // completed) is counted in loop->thread_jobs too, so it holds the
  // virtual clock as an executor job does.
  bool counted = false;
  bool held = false;
  FollowFuture(ac_loop *l, FollowLink *k) noexcept : ac_future(l), link(k) {}
  const char *dump_kind() const noexcept override { return "threadsafe_future"; }
  ~FollowFuture() override;
  void count(bool hold) noexcept {
    counted = true;
    held = hold;
    ++loop->ts_waits;
    if (held) ++loop->thread_jobs;
  }
  void uncount() noexcept {
    if (counted) {
      counted = false;
      --loop->ts_waits;
      if (held) --loop->thread_jobs;
    }
  }
  void on_done() noexcept override { uncount(); }
  // asyncio.wrap_future: cancelling the follower cancels the source.
  bool cancel(const char *message) noexcept override {
    if (!ac_future::cancel(message)) return false;
    link->ts->cancel(message);
    return true;
  }
  // Copies the source's outcome in (loop thread; the source is done).
  void deliver() noexcept;
};

void on_source_done(ac_tsfuture *, void *ud);

FollowFuture::~FollowFuture() {
  uncount();
  link->follower = nullptr;
  // Drop the registration if the source is still pending (a follower
  // dropped early must not pile up callbacks on a long-lived source).
  link->ts->remove_callbacks(on_source_done, link);
  link->release();
}

void FollowFuture::deliver() noexcept {
  if (done()) return;
  ac_tsfuture *ts = link->ts;
  int s = ts->state.load(std::memory_order_acquire);
  if (s == AC_FUTURE_RESULT) {
    ac_value v;
    int rc;
    {
      std::lock_guard<std::mutex> lock(ts->mu);
      if (ts->result.kind == AC_VALUE_POINTER) {
        // Lent: the source keeps ownership and we keep the source alive.
        v = ts->result;
        v.u.pointer.free_fn = nullptr;
        rc = 0;
      } else {
        rc = value_copy_in(&v, &ts->result);
      }
    }
    if (rc == 0) {
      set_result(&v);
    } else {
      ac_error *e = error_new_noexcept(rc);
      set_error(e);
      error_unref(e);
    }
  } else if (s == AC_FUTURE_ERROR) {
    set_error(ts->error);
  } else {
    ac_future::cancel(ts->error != nullptr ? ts->error->message.c_str() : nullptr);
  }
}

void deliver_on_loop(ac_loop *, void *ud) {
  auto *link = static_cast<FollowLink *>(ud);
  if (link->follower != nullptr) link->follower->deliver();
}

// Runs on the thread that completed the source.
void on_source_done(ac_tsfuture *, void *ud) {
  auto *link = static_cast<FollowLink *>(ud);
  link->claims.fetch_add(1, std::memory_order_relaxed);
  post_threadsafe(link->loop, deliver_on_loop, link, release_link);
}

}  // namespace

ac_future *tsfuture_wrap(ac_tsfuture *ts, ac_loop *loop, bool held) {
  auto *link = new FollowLink(loop, ts);
  FollowFuture *f;
  try {
    f = new FollowFuture(loop, link);
  } catch (...) {
    link->claims.store(1, std::memory_order_relaxed);
    link->release();
    throw;
  }
  link->follower = f;
  f->count(held);
  try {
    ts->add_callback(on_source_done, link, release_link);
  } catch (...) {
    link->claims.fetch_sub(1, std::memory_order_relaxed);  // never registered
    f->refs = 0;
    delete f;
    throw;
  }
  return f;
}

// --------------------------------------------------------- run_threadsafe

namespace {

// One task started from another thread. Freed when the last claim goes:
//  - one for the start handle posted to the loop (its free_ud);
//  - one for the registration on the tsfuture (its free_ud);
//  - one for the task's done-callback, once the task exists (its free_ud);
//  - one per cancellation posted to the loop (the handle's free_ud).
// `task` is touched on the loop's thread only: set when the task is made,
// cleared when its done-callback runs or is released (the task is done or
// being destroyed), so it is never a dangling pointer when read. The
// bridge holds no reference to the task: the loop does while it is pending.
struct Bridge {
  std::atomic<int> claims{2};
  ac_loop *loop;
  ac_tsfuture *ts;
  ac_step_fn step;
  void *state;
  ac_free_fn free_state;  // owned until the task takes the state
  bool task_made = false;  // loop thread, then read by start_released
  ac_task *task = nullptr;

  Bridge(ac_loop *l, ac_tsfuture *t, ac_step_fn s, void *st, ac_free_fn fs) noexcept
      : loop(l), ts(t), step(s), state(st), free_state(fs) {
    loop_hold(loop);
    ts->ref();
  }
  void free_state_now() noexcept {
    ac_free_fn f = free_state;
    free_state = nullptr;
    if (f != nullptr) f(state);
  }
  void release() noexcept {
    if (claims.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    free_state_now();
    ts->unref();
    loop_release(loop);
    delete this;
  }
  // The loop went away before the task could finish: a foreign waiter must
  // not wait forever.
  void fail_closed() noexcept {
    if (ts->done()) return;
    ac_error *e = nullptr;
    try {
      e = error_new(AC_ECLOSED, "the event loop closed before the task finished");
    } catch (...) {
    }
    if (e == nullptr) {
      ts->cancel(nullptr);
    } else {
      ts->complete(AC_FUTURE_ERROR, nullptr, e);
    }
  }
};

void release_bridge(void *ud) { static_cast<Bridge *>(ud)->release(); }

// The task is done (loop thread): hand its outcome over.
void on_task_done(ac_future *f, void *ud) {
  auto *b = static_cast<Bridge *>(ud);
  b->task = nullptr;
  if (f->state == AC_FUTURE_RESULT) {
    ac_value v;
    value_move(&v, &f->result);
    // Already cancelled from outside: the result has nobody to go to.
    if (b->ts->complete(AC_FUTURE_RESULT, &v, nullptr) != 0) value_release(&v);
  } else if (f->state == AC_FUTURE_ERROR) {
    f->mark_error_retrieved();
    b->ts->complete(AC_FUTURE_ERROR, nullptr, error_ref(f->error));
  } else {
    b->ts->complete(AC_FUTURE_CANCELLED, nullptr, error_ref(f->error));
  }
}

// The done-callback is released: after on_task_done, or without it when the
// task is destroyed pending at loop close.
void on_task_callback_released(void *ud) {
  auto *b = static_cast<Bridge *>(ud);
  b->task = nullptr;
  b->fail_closed();
  b->release();
}

void start_on_loop(ac_loop *loop, void *ud) {
  auto *b = static_cast<Bridge *>(ud);
  if (b->ts->done()) return;  // cancelled before it started
  auto *cb = new (std::nothrow) FutureCallback(on_task_done, b, on_task_callback_released, nullptr);
  ac_task *t = nullptr;
  if (cb != nullptr) {
    try {
      t = task_new(loop, b->step, b->state, b->free_state, 0);
    } catch (...) {
      cb->free_ud = nullptr;
      delete cb;
      cb = nullptr;
    }
  }
  if (t == nullptr) {
    // Out of memory: no task. The state stays ours (freed by start_released).
    b->ts->complete(AC_FUTURE_ERROR, nullptr, error_new_noexcept(AC_ENOMEM));
    return;
  }
  b->free_state = nullptr;  // the task owns the state now
  b->task_made = true;
  b->claims.fetch_add(1, std::memory_order_relaxed);
  cb->context = context_ref(*loop->current_context);
  t->add_callback(cb);  // the first callback of a new task: no allocation
  b->task = t;
  try {
    t->schedule_step();
  } catch (...) {
    // The task never runs; failing it hands the failure to the tsfuture
    // through the callback, as for any other error.
    ac_error *e = error_new_noexcept(AC_ENOMEM);
    t->set_error(e);
    error_unref(e);
    t->mark_error_retrieved();
    task_release_self(t);
  }
}

void start_released(void *ud) {
  auto *b = static_cast<Bridge *>(ud);
  if (!b->task_made) {
    // The task was never made: cancelled first, or the loop closed.
    b->free_state_now();
    b->fail_closed();
  }
  b->release();
}

void cancel_on_loop(ac_loop *, void *ud) {
  auto *b = static_cast<Bridge *>(ud);
  if (b->task != nullptr) {
    ac_error *e = b->ts->error;  // immutable once cancelled
    b->task->cancel(e != nullptr ? e->message.c_str() : nullptr);
  }
}

// Runs on the thread that completed the tsfuture.
void on_ts_done(ac_tsfuture *ts, void *ud) {
  auto *b = static_cast<Bridge *>(ud);
  if (ts->state.load(std::memory_order_acquire) != AC_FUTURE_CANCELLED) return;
  b->claims.fetch_add(1, std::memory_order_relaxed);
  post_threadsafe(b->loop, cancel_on_loop, b, release_bridge);
}

}  // namespace

ac_tsfuture *run_threadsafe(ac_loop *loop, ac_step_fn step, void *state, ac_free_fn free_state,
                            int *rc) noexcept {
  auto *ts = new (std::nothrow) ac_tsfuture();
  auto *b = ts != nullptr ? new (std::nothrow) Bridge(loop, ts, step, state, free_state) : nullptr;
  if (b == nullptr) {
    if (ts != nullptr) ts->unref();
    if (free_state != nullptr) free_state(state);
    *rc = AC_ENOMEM;
    return nullptr;
  }
  try {
    ts->add_callback(on_ts_done, b, release_bridge);
  } catch (...) {
    b->claims.store(1, std::memory_order_relaxed);
    b->release();  // frees the state
    ts->unref();
    *rc = AC_ENOMEM;
    return nullptr;
  }
  *rc = post_threadsafe(loop, start_on_loop, b, start_released);
  if (*rc != 0) {
    // start_released ran: the state is freed and ts failed with
    // AC_ECLOSED, which released its registration.
    ts->unref();
    return nullptr;
  }
  return ts;
}

}  // namespace ac
