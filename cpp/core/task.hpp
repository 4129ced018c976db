// task.hpp — struct ac_task: a future driven by a step function.
//
// The task's own state is a handful of bits, each documented below where it
// is defined, and private: it changes only through the named transitions
// listed with it, each of which checks where it starts (AC_DEBUG_ASSERT,
// live in debug builds). Everything else reads it through the getters.
//
// Where a pending task is, between steps — exactly one of:
//  - ready: in the loop's ready queue (`scheduled_`), `waiter_` null or the
//    future whose completion scheduled it (taken over by the next step);
//  - waiting: in the callback list of `waiter_` (the task holds a reference
//    to it), not scheduled;
//  - sleeping (`sleeping_`, ac_task_sleep): its own timer (`sleep_node()`),
//    in the loop's timer heap or, due, in the ready queue; `waiter_` null,
//    not scheduled. When the sleep ends it is ready, `waiter_` a future
//    done as asyncio's sleep future would be (the loop's shared done one,
//    or one cancelled with the request's message);
//  - new and eager: neither, until ac_task_new runs its first step.
// A task that is stepping (`stepping_`, the loop's current_task) may also
// be scheduled already: the future it awaits can complete, or it can yield,
// before the step returns. A done task is in no list and has no waiter;
// it is in the ready queue only as a watch notice (run_watch_notice), to
// tell the watcher that watches it directly (watch.hpp).
//
// The ways into a step (each checks its start, then steps):
//  - run(): the ready queue reached the task (it was scheduled);
//  - run_for_op(op): the turn of an operation the task awaits alone
//    (sync_wait.hpp: the op goes on inside the task, which was waiting on
//    it and is not scheduled);
//  - run_eager(): the first step of an eager task, inside ac_task_new.
// Invariants:
//  - While pending, the task is on its loop's task list and the loop holds
//    one reference to it (`self_ref_`), so an unreferenced task still runs.
//  - During a step, `last_awaited_` is the future the step is resuming
//    from, `resume_code_`/`resume_error_` its outcome.
//  - While pending, the future's own `result` and `error` hold what the
//    running step stores for its end (ac_task_return*, ac_task_raise,
//    ac_task_propagate); finish_step completes the task with them in
//    place. A step that fails or is cancelled empties them first
//    (drop_outcome), as every other completion of the task does.
//  - The sleep's timer (sleep_node()) lives in those same 32 bytes while
//    `sleeping_`. A sleep is armed only with the outcome empty (else a
//    sleep future carries it), and nothing stores an outcome while it is
//    armed (the calls that would are refused), so neither is ever lost to
//    the other; nothing reads a pending future's `result` or `error`.
#pragma once

#include <asyncore/task.h>

#include <new>

#include "core/assert.hpp"
#include "core/future.hpp"
#include "core/value.hpp"

struct ac_task;
namespace ac {
void task_release_self(ac_task *t) noexcept;
ac_task *task_new(ac_loop *loop, ac_step_fn fn, void *state, ac_free_fn free_state,
                  size_t inline_state_size, const void *init = nullptr);
// Makes the task in `mem`: kHead bytes, then `tail` (see ac_task::tail_size_).
ac_task *task_make(void *mem, ac_loop *loop, ac_step_fn fn, void *state, ac_free_fn free_state,
                   bool inline_state, size_t tail) noexcept;

// The timer of ac_task_sleep: it lives in the task's outcome slot, the
// future's `result` and `error` (see ac_task), so a sleeping task costs no
// block, and no byte, beyond its own.
struct TaskSleep final : TimerNode {
  // Due and reached in the ready queue: the task wakes.
  void fire() noexcept override;
  // The loop closes: the slot is the outcome's again.
  void drop_timer() noexcept override;
  ac_task *task() noexcept;
};
}  // namespace ac

struct ac_task final : ac_future, ac::Runnable {
  // The flags first: one bit each, in the padding after Runnable's kind
  // (all of them change on the loop's thread only).
  // `state` is a block right after the task, in the same allocation, when
  // inline_state is set (at creation, never after).
  bool inline_state : 1 = false;

 private:
  // The loop's reference (see Invariants). Set at creation; cleared once,
  // by ac::task_release_self, when the task is done or its loop closes.
  bool self_ref_ : 1 = true;
  // Inside step_fn (the loop's current_task is this task).
  // begin_step sets it, end_step clears it.
  bool stepping_ : 1 = false;
  // A cancellation the next step delivers (AC_ECANCELLED), or the next
  // await delivers by cancelling what it awaits. Set by cancel() (not while
  // the waiter takes the cancellation itself) and cancel_after_resume();
  // taken (cleared) by the step that delivers it (take_must_cancel); cleared
  // by uncancel() at zero. Combines with any other state of a pending task.
  bool must_cancel_ : 1 = false;
  // In the loop's ready queue. mark_scheduled sets it (the caller then
  // pushes the task); leave_ready_queue clears it (run() from the queue,
  // drop() at close, finish_step taking a failed task out).
  bool scheduled_ : 1 = false;
  // The step has been called once (begin_first_step). A task cancelled
  // before that never runs its step.
  bool started_ : 1 = false;
  // The step awaited a future already done: step again right after this
  // step returns, without a loop trip. Set by await(); cleared when the
  // next resume takes the waiter (take_waiter) or when no resume follows
  // (resume_at_once).
  bool resume_now_ : 1 = false;
  // must_cancel_ from the next resume on (a cancel() from inside the
  // task's own step, asyncio: after the resume under way). Set by
  // cancel_after_resume while not stepping; moved to must_cancel_ by the
  // next resume; cleared by uncancel() at zero.
  bool cancel_deferred_ : 1 = false;
  // The task sleeps on its own timer (sleep_node() is live). Set by
  // sleep(); cleared by end_sleep() when the timer fires, is cancelled,
  // is disarmed by a step that ends otherwise, or is dropped at close.
  bool sleeping_ : 1 = false;
  // The state has a function that frees it (free_state_slot()). Set at
  // creation; cleared by release_state, which calls it once.
  bool has_free_ : 1 = false;
  // The state is a block of the host's: its address is the first word of
  // the tail (step_state()). Set at creation; cleared by release_state.
  bool ext_state_ : 1 = false;
  // The bytes of the block after the task's own (kHead): the inline
  // state rounded up to 8, or the external state's address, then the free
  // function's slot if has_free_.
  uint32_t tail_size_ = 0;

 private:
  // cancel() requests minus uncancel()s (asyncio's cancelling()); changed
  // by cancel(), cancel_after_resume() and uncancel() only.
  int num_cancels_ = 0;
  // The outcome the running step resumes with: 0, AC_ECANCELLED or the
  // awaited future's error code (the error behind it: Text's
  // resume_error). Set by begin_resume, cleared by end_resume.
  int resume_code_ = 0;

 public:
  ac_step_fn step_fn;
  uint64_t id;

 private:
  // What few tasks need, in one small block made when the first of it is,
  // instead of three pointers in every task: the name (once set or asked
  // for), the message of a cancellation the next step delivers, and the
  // error behind a failed outcome while the step resuming with it runs (a
  // reference; set by begin_resume, released by end_resume; none when
  // out of memory, which ac_task_outcome_error allows).
  struct Text {
    char *name;
    char *cancel_message;
    ac_error *resume_error;
  };
  Text *text_ = nullptr;

  // The future the task awaits (a reference; the task is in its callback
  // list until it completes). Set by await() during a step (set_waiter),
  // from null; taken by the next resume (take_waiter: waiter_ ->
  // last_awaited_); dropped by drop_waiter (finish_step failing the task,
  // detach_for_close, the destructor) or release_waiter (an awaited op
  // that could not take the task back).
  ac_future *waiter_ = nullptr;
  // The future the step under way resumes from (a reference): set from
  // waiter_ by take_waiter, released by end_resume.
  ac_future *last_awaited_ = nullptr;

 public:
  ac::Context *context;
  ac_task *prev_task = nullptr;
  ac_task *next_task = nullptr;

  ac_task(ac_loop *l, ac_step_fn fn) noexcept;
  ~ac_task() override;
  // A task and its inline state are one pool block; the destructor tells
  // the deallocation how much follows the task.
  static void operator delete(void *p, std::size_t n) noexcept;

  // ---- reading the state ----
  bool scheduled() const noexcept { return scheduled_; }
  bool stepping() const noexcept { return stepping_; }
  bool must_cancel() const noexcept { return must_cancel_; }
  bool cancel_deferred() const noexcept { return cancel_deferred_; }
  int cancelling() const noexcept { return num_cancels_; }
  int resume_code() const noexcept { return resume_code_; }
  ac_error *resume_error() const noexcept { return text_ != nullptr ? text_->resume_error : nullptr; }
  // The state the step is called with: the inline block after the task,
  // the host's block, or null (none, or released).
  void *step_state() noexcept;
  ac_future *waiter() const noexcept { return waiter_; }
  ac_future *last_awaited() const noexcept { return last_awaited_; }
  bool sleeping() const noexcept { return sleeping_; }
  // The sleep's timer, while sleeping().
  const ac::TimerNode &sleep_timer() const noexcept { return *const_cast<ac_task *>(this)->sleep_node(); }

  // ---- the ready queue ----
  // The task goes into the ready queue: the caller pushes it right after
  // (loop->schedule), and a push that fails drops it (drop()). From a
  // pending task not in the queue.
  void mark_scheduled() noexcept {
    AC_DEBUG_ASSERT(!scheduled_ && !done(), "a pending task enters the ready queue once");
    scheduled_ = true;
  }
  // mark_scheduled and the push (throws bad_alloc, leaving it unscheduled).
  // Inline: the wake-up of a task waiting on a lock or a queue is this.
  void schedule_step() {
    mark_scheduled();
    try {
      loop->schedule(this);  // on a closed loop: dropped at once (drop())
    } catch (...) {
      leave_ready_queue();
      throw;
    }
  }

  // ---- the ways into a step (see the header comment) ----
  // Runnable: the ready queue reached the task.
  void run() noexcept override;
  // The first step of an eager task, never scheduled.
  void run_eager() noexcept;
  // The turn of `op`, which the task awaits alone.
  void run_for_op(ac_future *op) noexcept;
  // The loop closes with the task ready: nothing to release (the loop's
  // reference is released by the task list). A done task in the queue is
  // a watch notice (run_watch_notice): its watcher is not told, and the
  // queue's reference goes.
  void drop() noexcept override {
    leave_ready_queue();
    if (done()) [[unlikely]] {
      if (direct_watcher() != nullptr) clear_direct_watcher();
      unref();
    }
  }

  bool cancel(const char *message) noexcept override;
  int uncancel() noexcept;
  // A cancellation request delivered at the task's next await that
  // suspends, after the resume under way or coming (asyncio: cancel()
  // called from inside the task's own step).
  void cancel_after_resume() noexcept;
  // Registers the await; returns AC_STEP_AWAIT or an error code.
  int await(ac_future *fut) noexcept;
  // The same for a future not done (taking over the caller's reference);
  // 0, registering nothing, for one done (ac_task_await_pending).
  int await_pending(ac_future *fut) noexcept;
  // ac_task_sleep for seconds > 0 on the task's own timer: AC_STEP_AWAIT,
  // AC_ESTATE (not in this task's step, or it awaits already), AC_ENOMEM,
  // or kSleepAsFuture when the step has stored an outcome already (the
  // caller then sleeps on a future instead).
  int sleep(double seconds) noexcept;
  static constexpr int kSleepAsFuture = 1000;  // no AC_STEP_* value, no error code
  // asyncio's words for the awaits it refuses with RuntimeError.
  static constexpr const char *kAwaitItself = "Task cannot await on itself";
  static constexpr const char *kOtherLoop = "Task got Future attached to a different loop";
  const char *get_name() noexcept;
  // Takes over `name` (malloc'd); false, freeing it, when out of memory.
  bool set_name(char *name) noexcept;
  // The message of the cancellation requested (asyncio's _cancel_message).
  const char *cancel_message() const noexcept {
    return text_ != nullptr ? text_->cancel_message : nullptr;
  }
  // Called by the loop when it closes with the task pending (the ready
  // queue is empty by then).
  void detach_for_close() noexcept;

 private:
  friend void ac::task_release_self(ac_task *t) noexcept;
  friend void ac::task_schedule_watch_notice(ac_future *f) noexcept;
  // The task is done and was in the ready queue to tell the watcher that
  // watches it directly (watch.hpp), unless the watch was cut meanwhile;
  // the queue's reference goes.
  [[gnu::noinline]] void run_watch_notice() noexcept;
  // run() for a pending task.
  [[gnu::noinline]] void run_scheduled_step() noexcept;
  friend ac_task *ac::task_make(void *, ac_loop *, ac_step_fn, void *, ac_free_fn, bool, size_t) noexcept;
  friend struct ac::TaskSleep;
  // The sleep's timer node, in the bytes of `result` and `error` (sleep()).
  ac::TaskSleep *sleep_node() noexcept { return std::launder(reinterpret_cast<ac::TaskSleep *>(&result)); }
  // The slot is the outcome's again, empty.
  void end_sleep() noexcept {
    AC_DEBUG_ASSERT(sleeping_, "a sleep to end");
    sleeping_ = false;
    // The node's last reads stay before the outcome's first writes (the
    // two types never alias as far as the optimiser knows).
    asm volatile("" ::: "memory");
    new (&result) ac_value;
    ac::value_init(&result);
    error = nullptr;
  }
  // Empties the stored outcome before the task completes otherwise.
  void drop_outcome() noexcept {
    ac::value_release(&result);
    ac::error_unref(error);
    error = nullptr;
  }
  void disarm_sleep() noexcept;
  void cancel_sleep(const char *message) noexcept;
  void wake_from_sleep(ac_future *by) noexcept;
  void leave_ready_queue() noexcept {
    AC_DEBUG_ASSERT(scheduled_, "a task leaves the ready queue it is in");
    scheduled_ = false;
  }
  void step_now() noexcept;
  void begin_step() noexcept {
    AC_DEBUG_ASSERT(!stepping_ && !scheduled_ && waiter_ == nullptr && !done() &&
                        loop->current_task == this,
                    "a step begins on the current task, unscheduled, awaiting nothing");
    stepping_ = true;
  }
  void end_step() noexcept {
    AC_DEBUG_ASSERT(stepping_ && loop->current_task == this, "a step ends on the stepping task");
    stepping_ = false;
  }
  void set_waiter(ac_future *fut, bool at_once) noexcept {
    AC_DEBUG_ASSERT(stepping_ && waiter_ == nullptr && !resume_now_,
                    "one await per step, from inside it");
    waiter_ = fut;
    resume_now_ = at_once;
  }
  void take_waiter() noexcept {
    AC_DEBUG_ASSERT(!stepping_ && last_awaited_ == nullptr,
                    "a resume takes the waiter between steps, the last one released");
    last_awaited_ = waiter_;
    waiter_ = nullptr;
    resume_now_ = false;
  }
  void drop_waiter() noexcept;
  void release_waiter() noexcept {
    AC_DEBUG_ASSERT(waiter_ != nullptr, "a waiter to release");
    ac_future *w = waiter_;
    waiter_ = nullptr;
    w->unref();
  }
  bool take_must_cancel() noexcept {
    bool was = must_cancel_;
    must_cancel_ = false;
    return was;
  }
  void set_must_cancel() noexcept {
    AC_DEBUG_ASSERT(!done(), "a cancellation for a pending task");
    must_cancel_ = true;
  }
  void begin_first_step() noexcept {
    AC_DEBUG_ASSERT(!stepping_, "the first step starts outside a step");
    started_ = true;
  }
  [[gnu::cold]] int refuse_await(const char *message) noexcept;
  int check_await(ac_future *fut) noexcept;
  bool begin_resume(bool at_once) noexcept;
  void end_resume() noexcept;
  bool resume_at_once() noexcept;
  void finish_step(int rc) noexcept;
  void release_state() noexcept;
  Text *text() noexcept;
  void set_cancel_message(const char *message) noexcept;
  void set_resume_error(ac_error *e) noexcept;
  ac_free_fn *free_state_slot() noexcept;
  void on_done() noexcept override;
};

namespace ac {
// With inline_state_size > 0 the task owns a state block of that size
// (`state` is ignored), zeroed, or a copy of `init`'s bytes when given.
// free_state, if not null, is called once with the state when the task is
// done or freed. Throws std::bad_alloc.
ac_task *task_new(ac_loop *loop, ac_step_fn fn, void *state, ac_free_fn free_state,
                  size_t inline_state_size, const void *init);
// A state block with room in front for a task (ac_task_state_alloc); null
// when out of memory. Freed by task_state_free, or with the task made in it.
void *task_state_alloc(size_t size) noexcept;
void task_state_free(void *state, size_t size) noexcept;
// Makes the task in the room in front of `state`: task and state are then
// one block, freed together. Null, and nothing done, when `state` is not
// a block of task_state_alloc no task was made in yet (its mark says so).
ac_task *task_new_in(ac_loop *loop, ac_step_fn fn, void *state, ac_free_fn free_state) noexcept;
// Releases the loop's reference (once; later calls do nothing): when the
// task is done, or its loop closes.
void task_release_self(ac_task *t) noexcept;
}  // namespace ac
