// handle.hpp — a scheduled callback (call_soon, call_later, call_at,
// call_soon_threadsafe): struct ac_call.
#pragma once

#include <asyncore/loop.h>

#include "core/context.hpp"
#include "core/pool.hpp"
#include "core/runnable.hpp"

// Invariants: `fn` is non-null until the handle ran or was cancelled; then
// free_ud has run and fn/ud/free_ud are cleared. A handle in the ready
// queue or timer heap holds one reference for it.
struct ac_call final : ac::TimerNode {
  int refs = 1;
  bool cancelled = false;
  bool is_timer = false;
  ac_loop *loop;
  ac_callback_fn fn;
  void *ud;
  ac_free_fn free_ud;
  ac::Context *context = nullptr;  // captured at scheduling time

  ac_call(ac_loop *l, ac_callback_fn f, void *u, ac_free_fn fu) noexcept
      : loop(l), fn(f), ud(u), free_ud(fu) {}

  AC_POOLED
  // Runs the callback (call_soon: reached in the ready queue; a timer:
  // due and reached there), then releases the queue's or heap's claim.
  void fire() noexcept override;
  void drop_timer() noexcept override {
    release_callback();
    unref();
  }

  bool cancel() noexcept;
  void release_callback() noexcept;
  void unref() noexcept {
    if (--refs == 0) delete this;
  }
  ~ac_call() { release_callback(); }
};
