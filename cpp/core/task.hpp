// task.hpp — struct ac_task: a future driven by a step function.
//
// Invariants:
//  - While pending, the task is on its loop's task list and the loop holds
//    one reference to it (`self_ref`), so an unreferenced task still runs.
//  - `waiter` is the future the task awaits between steps (reference held;
//    the task sits in its callback list). It is null while the task is
//    ready or stepping. During a step, `last_awaited` is the future the step
//    is resuming from.
//  - `must_cancel` means the next step sees AC_ECANCELLED; `num_cancels`
//    counts requests (cancelling()/uncancel()).
#pragma once

#include <asyncore/task.h>

#include "core/future.hpp"

struct ac_task final : ac_future, ac::Runnable {
  // The flags first: they fill the padding after Runnable's kind.
  // `state` is a block of inline_size bytes right after the task, in the
  // same allocation, when inline_state is set.
  bool inline_state = false;
  bool self_ref = true;
  bool stepping = false;
  bool must_cancel = false;
  bool scheduled = false;  // in the ready queue
  bool started = false;    // the step has been called once
  bool resume_now = false; // awaiting a done future: step again at once
  bool cancel_deferred = false; // must_cancel from the next resume on
  uint32_t inline_size = 0;
  int num_cancels = 0;
  int resume_code = 0;
  ac_step_fn step_fn;
  void *state;
  ac_free_fn free_state;
  uint64_t id;
  char *name = nullptr;
  char *cancel_message = nullptr;
  ac_future *waiter = nullptr;
  ac_future *last_awaited = nullptr;
  ac_error *resume_error = nullptr;  // the error behind resume_code
  ac_value pending_result{};
  ac_error *pending_error = nullptr;
  ac::Context *context;
  ac_task *prev_task = nullptr;
  ac_task *next_task = nullptr;

  ac_task(ac_loop *l, ac_step_fn fn, void *st, ac_free_fn fs) noexcept;
  ~ac_task() override;
  // A task and its inline state are one pool block; the destructor tells
  // the deallocation how much follows the task.
  static void operator delete(void *p, std::size_t n) noexcept;

  // Runnable: one step.
  void run() noexcept override;
  // The loop closes with the task ready: nothing to release (the loop's
  // reference is released by the task list).
  void drop() noexcept override { scheduled = false; }

  bool cancel(const char *message) noexcept override;
  int uncancel() noexcept;
  // A cancellation request delivered at the task's next await that
  // suspends, after the resume under way or coming (asyncio: cancel()
  // called from inside the task's own step).
  void cancel_after_resume() noexcept;
  void schedule_step();  // throws bad_alloc
  // Registers the await; returns AC_STEP_AWAIT or an error code.
  int await(ac_future *fut) noexcept;
  // asyncio's words for the awaits it refuses with RuntimeError.
  static constexpr const char *kAwaitItself = "Task cannot await on itself";
  static constexpr const char *kOtherLoop = "Task got Future attached to a different loop";
  const char *get_name() noexcept;
  // Called by the loop when it closes with the task pending.
  void detach_for_close() noexcept;

 private:
  int refuse_await(const char *message) noexcept;
  bool begin_resume(bool at_once) noexcept;
  void end_resume() noexcept;
  bool resume_at_once() noexcept;
  void finish_step(int rc) noexcept;
  void release_state() noexcept;
  void on_done() noexcept override;
};

namespace ac {
// With inline_state_size > 0 the task owns a zeroed state block of that size.
ac_task *task_new(ac_loop *loop, ac_step_fn fn, void *state, ac_free_fn free_state,
                  size_t inline_state_size);
void task_release_self(ac_task *t) noexcept;
}  // namespace ac
