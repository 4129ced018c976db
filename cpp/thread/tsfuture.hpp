// tsfuture.hpp — struct ac_tsfuture: a future any thread may complete, read
// or wait on (concurrent.futures.Future), and the bridges between it and a
// loop: a loop future that follows one (wrap), and a task started from any
// thread whose outcome lands in one (run_threadsafe).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include <asyncore/thread.h>

#include "core/error.hpp"
#include "core/loop.hpp"
#include "core/placed_list.hpp"

namespace ac {
constexpr uint32_t kTsFutureMagic = 0x54734675;  // "TsFu"
}

// Invariants:
//  - `state` goes PENDING -> RESULT | ERROR | CANCELLED once, written under
//    `mu` after `result`/`error` are set (release), so a reader that sees it
//    done (acquire) sees them too. After that `error` never changes and
//    `result` changes only through take_result, under `mu`.
//  - `callbacks` holds registrations only while pending (under `mu`); the
//    completing thread swaps them out and runs them after unlocking, so a
//    callback may call back into this future.
//  - complete() holds its own reference while it wakes waiters and runs
//    callbacks, so a waiter that drops the last reference of its caller's
//    as soon as it sees the future done never frees it under the completer.
struct ac_tsfuture {
  struct Callback {
    ac_tsfuture_callback_fn fn;  // null: a hole (ac::PlacedList)
    void *ud;
    ac_free_fn free_ud;
  };
  // Registrations are found by their user data (a follower's link is
  // unique), so a follower dropped early leaves in O(1).
  struct CallbackKey {
    using Key = void *;
    static Key key(const Callback &c) noexcept { return c.ud; }
    static bool is_hole(const Callback &c) noexcept { return c.fn == nullptr; }
    static void make_hole(Callback &c) noexcept { c.fn = nullptr; }
  };

  uint32_t magic = ac::kTsFutureMagic;
  std::atomic<int> refs{1};
  std::atomic<int> state{AC_FUTURE_PENDING};
  mutable std::mutex mu;
  std::condition_variable cv;
  ac_value result{};
  ac_error *error = nullptr;
  ac::PlacedList<Callback, CallbackKey> callbacks;

  ac_tsfuture() noexcept;
  ~ac_tsfuture();

  bool done() const noexcept { return state.load(std::memory_order_acquire) != AC_FUTURE_PENDING; }
  void ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void unref() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // Completes with `new_state`, taking over `owned` (moved, may be NULL) and
  // the reference `err`. When already done returns AC_ESTATE, releases
  // `err` and leaves `owned` to the caller. Wakes waiters, then runs the
  // callbacks on this thread.
  int complete(int new_state, ac_value *owned, ac_error *err) noexcept;
  int complete_held(int new_state, ac_value *owned, ac_error *err) noexcept;
  // Cancels a pending future; false when already done.
  bool cancel(const char *message) noexcept;
  // Adds a callback, or runs it now if done. Throws bad_alloc (nothing
  // registered then; the caller still owns ud).
  void add_callback(ac_tsfuture_callback_fn fn, void *ud, ac_free_fn free_ud);
  int remove_callbacks(ac_tsfuture_callback_fn fn, void *ud) noexcept;
  // True when done before `timeout` seconds (negative: forever).
  bool wait(double timeout) noexcept;
  // The outcome code of a done future (0, error code, AC_ECANCELLED).
  int outcome() const noexcept;
};

namespace ac {
inline bool is_tsfuture(const ac_tsfuture *ts) noexcept {
  return ts != nullptr && ts->magic == kTsFutureMagic;
}

// Posts fn(loop, ud) to the loop's thread (ac_loop_call_soon_threadsafe
// without the boundary): returns 0, or AC_ECLOSED / AC_ENOMEM after running
// free_ud on this thread. The caller keeps the loop's memory alive.
int post_threadsafe(ac_loop *loop, ac_callback_fn fn, void *ud, ac_free_fn free_ud) noexcept;

// A new loop future following `ts` (one reference). Loop thread; throws
// bad_alloc. `held`: while pending it holds the virtual clock (counted in
// loop->thread_jobs, as an executor job).
ac_future *tsfuture_wrap(ac_tsfuture *ts, ac_loop *loop, bool held = false);

// Starts a task of step/state on `loop` from any thread, its outcome going
// to a new tsfuture (returned with one reference for the caller, or NULL
// with *rc set; free_state has run then).
ac_tsfuture *run_threadsafe(ac_loop *loop, ac_step_fn step, void *state, ac_free_fn free_state,
                            int *rc) noexcept;
}  // namespace ac
