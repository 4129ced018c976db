#include "core/task.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/sync_wait.hpp"
#include "core/value.hpp"
#include "core/watch.hpp"
#include "structured/taskgroup.hpp"

namespace {
std::atomic<uint64_t> g_task_ids{0};

// The task's own bytes, rounded so an inline state after it is aligned for
// any type.
constexpr size_t kHead =
    (sizeof(ac_task) + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) *
    alignof(std::max_align_t);

// Set by ~ac_task for the deallocation that follows it: the bytes after
// the task's own. Under-reporting (a nested task deletion in between
// resets it) only files the block in a smaller size class, which is safe.
__thread size_t tl_inline_bytes __attribute__((tls_model("initial-exec")));

char *dup_or_null(const char *s) noexcept {
  if (s == nullptr) return nullptr;
  size_t n = std::strlen(s) + 1;
  auto *d = static_cast<char *>(std::malloc(n));
  if (d != nullptr) std::memcpy(d, s, n);
  return d;
}
}  // namespace

ac_task::ac_task(ac_loop *l, ac_step_fn fn) noexcept : ac_future(l), step_fn(fn) {
  is_task = true;
  kind = kTask;
  id = g_task_ids.fetch_add(1, std::memory_order_relaxed) + 1;
  context = ac::context_ref(*l->current_context);
}

ac_task::~ac_task() {
  AC_DEBUG_ASSERT(!sleeping_, "a sleeping task is pending, and the loop holds it");
  if (waiter_ != nullptr) drop_waiter();
  release_state();
  if (text_ != nullptr) {
    ac::error_unref(text_->resume_error);  // null: a resume ends before its task goes
    std::free(text_->name);
    std::free(text_->cancel_message);
    std::free(text_);
  }
  ac::context_unref(context);
  tl_inline_bytes = kHead - sizeof(ac_task) + tail_size_;
}

void ac_task::operator delete(void *p, std::size_t n) noexcept {
  size_t extra = tl_inline_bytes;
  tl_inline_bytes = 0;
  ac::pool_free(p, n + extra);
}

ac_free_fn *ac_task::free_state_slot() noexcept {
  AC_DEBUG_ASSERT(has_free_, "a task with a free function");
  char *end = reinterpret_cast<char *>(this) + kHead + tail_size_;
  return reinterpret_cast<ac_free_fn *>(end - sizeof(ac_free_fn));
}

void *ac_task::step_state() noexcept {
  char *tail = reinterpret_cast<char *>(this) + kHead;
  if (inline_state) return tail;
  if (ext_state_) return *reinterpret_cast<void **>(tail);
  return nullptr;
}

void ac_task::release_state() noexcept {
  if (has_free_) {
    ac_free_fn f = *free_state_slot();
    has_free_ = false;  // once
    f(step_state());
  }
  ext_state_ = false;  // an inline state stays: it is the block's
}

ac_task::Text *ac_task::text() noexcept {
  if (text_ == nullptr) text_ = static_cast<Text *>(std::calloc(1, sizeof(Text)));
  return text_;
}

// Holds `e` (a reference, or null) as the error behind the outcome; none
// when out of memory.
void ac_task::set_resume_error(ac_error *e) noexcept {
  if (e == nullptr && text_ == nullptr) return;
  Text *t = text();
  if (t == nullptr) {
    ac::error_unref(e);
    return;
  }
  ac::error_unref(t->resume_error);
  t->resume_error = e;
}

// Replaces the cancellation's message (a copy; none when out of memory).
void ac_task::set_cancel_message(const char *message) noexcept {
  if (text_ == nullptr && message == nullptr) return;
  Text *t = text();
  if (t == nullptr) return;
  char *copy = dup_or_null(message);  // first: `message` may be the old one
  std::free(t->cancel_message);
  t->cancel_message = copy;
}

bool ac_task::set_name(char *n) noexcept {
  Text *t = text();
  if (t == nullptr) {
    std::free(n);
    return false;
  }
  std::free(t->name);
  t->name = n;
  return true;
}

void ac_task::on_done() noexcept {
  loop->task_list_remove(this);
  release_state();
  set_cancel_message(nullptr);
}

const char *ac_task::get_name() noexcept {
  if (text_ == nullptr || text_->name == nullptr) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "Task-%llu", static_cast<unsigned long long>(id));
    char *n = dup_or_null(buf);
    if (n == nullptr || !set_name(n)) return "Task";
  }
  return text_->name;
}

bool ac_task::cancel(const char *message) noexcept {
  if (done()) return false;
  ++num_cancels_;
  if (sleeping_ && !stepping_) {
    cancel_sleep(message);
    return true;
  }
  // Cancel what we wait on; its completion wakes us with AC_ECANCELLED.
  if (waiter_ != nullptr && !stepping_ && waiter_->cancel(message)) return true;
  // Otherwise the next step sees the cancellation.
  set_must_cancel();
  set_cancel_message(message);
  return true;
}

int ac_task::uncancel() noexcept {
  if (num_cancels_ > 0) {
    --num_cancels_;
    if (num_cancels_ == 0) must_cancel_ = cancel_deferred_ = false;  // withdrawn
  }
  return num_cancels_;
}

// A RuntimeError asyncio raises into the coroutine at an await: stored,
// so a step that returns the code fails the task with it.
int ac_task::refuse_await(const char *message) noexcept {
  if (sleeping_) return AC_ESTATE;  // a second await; the outcome slot is the sleep's
  ac_error *e = nullptr;
  try {
    e = ac::error_new(AC_EMISUSE, message);
  } catch (...) {
  }
  if (e != nullptr) {
    ac::error_unref(error);
    error = e;
  }
  return AC_EMISUSE;
}

// 0 when this step may await `fut`, else the refusal's code.
[[gnu::always_inline]] inline int ac_task::check_await(ac_future *fut) noexcept {
  if (!stepping_ || loop->current_task != this) return AC_ESTATE;
  if (fut == this) return refuse_await(kAwaitItself);
  if (!ac::is_future(fut)) return AC_EINVAL;
  if (fut->loop != loop) return refuse_await(kOtherLoop);
  if (waiter_ != nullptr || sleeping_) [[unlikely]] return AC_ESTATE;  // one await per step
  return 0;
}

int ac_task::await(ac_future *fut) noexcept {
  if (int rc = check_await(fut)) return rc;
  fut->ref();
  if (fut->done() && !fut->always_yields) {
    // Resumed by run() right after this step returns, with no loop trip.
    set_waiter(fut, true);
    return AC_STEP_AWAIT;
  }
  try {
    fut->add_callback(this);
  } catch (...) {
    fut->unref();
    return AC_ENOMEM;
  }
  set_waiter(fut, false);
  return AC_STEP_AWAIT;
}

int ac_task::await_pending(ac_future *fut) noexcept {
  if (int rc = check_await(fut)) return rc;
  if (fut->done() && !fut->always_yields) return 0;  // the step goes on: nothing registered
  try {
    fut->add_callback(this);
  } catch (...) {
    return AC_ENOMEM;
  }
  set_waiter(fut, false);  // the caller's reference, taken over
  return AC_STEP_AWAIT;
}

// Sets up what the step resumes from: the awaited future's outcome, or a
// pending cancellation. False when the awaited operation waits again (the
// step must not run).
bool ac_task::begin_resume(bool at_once) noexcept {
  if (waiter_ != nullptr && waiter_->is_op && !waiter_->done()) {
    // An operation woken for us goes on first, inside this step, as
    // asyncio runs the operation's coroutine inside its task; a pending
    // cancellation is thrown into it.
    auto *op = static_cast<ac::OpFuture *>(waiter_);
    bool cancel = take_must_cancel();
    op->resume_in_task(cancel, cancel_message());
    if (!op->done()) {
      try {
        op->add_callback(this);
      } catch (...) {
        // Out of memory: the task cannot wait any more; it ends failed.
        release_waiter();
        drop_outcome();
        cancel_now(ac::make_cancel_error_noexcept(nullptr));
      }
      return false;
    }
  }
  if (waiter_ != nullptr && waiter_->is_group && !waiter_->done() &&
      !static_cast<ac_taskgroup *>(waiter_)->resume_parent()) {
    // Woken by a cancellation of the group's join with tasks still
    // running: wait on for them (asyncio's __aexit__ loop).
    try {
      waiter_->add_callback(this);
    } catch (...) {
      // Out of memory: the task cannot wait any more; it ends cancelled.
      release_waiter();
      drop_outcome();
      cancel_now(ac::make_cancel_error_noexcept(nullptr));
    }
    return false;
  }
  take_waiter();
  resume_code_ = 0;
  // Awaiting a done future does not suspend, so it does not deliver a
  // cancellation requested meanwhile either: that waits for the next
  // suspension (asyncio).
  if (must_cancel_ && !at_once) {
    take_must_cancel();
    resume_code_ = AC_ECANCELLED;
    if (last_awaited_ != nullptr && last_awaited_->state == AC_FUTURE_RESULT) last_awaited_->unclaimed();
    if (last_awaited_ != nullptr && last_awaited_->error != nullptr &&
        last_awaited_->error->code == AC_ECANCELLED) {
      // Woken by a cancellation already: that one is delivered, message
      // and all (asyncio keeps a CancelledError the future raised).
      set_resume_error(ac::error_ref(last_awaited_->error));
    } else {
      set_resume_error(ac::make_cancel_error_noexcept(cancel_message()));
    }
  } else if (last_awaited_ != nullptr && last_awaited_->state != AC_FUTURE_RESULT) {
    last_awaited_->mark_error_retrieved();
    ac_error *e = last_awaited_->error;
    resume_code_ = last_awaited_->state == AC_FUTURE_CANCELLED || e == nullptr ? AC_ECANCELLED : e->code;
    set_resume_error(ac::error_ref(e));
  }
  if (last_awaited_ != nullptr) last_awaited_->mark_error_retrieved();
  if (cancel_deferred_) {
    // Requested for after this resume: the step runs as if it had called
    // cancel() itself.
    cancel_deferred_ = false;
    set_must_cancel();
  }
  return true;
}

void ac_task::cancel_after_resume() noexcept {
  ++num_cancels_;
  set_cancel_message(nullptr);
  if (stepping_) {
    set_must_cancel();
  } else {
    AC_DEBUG_ASSERT(!done(), "a deferred cancellation for a pending task");
    cancel_deferred_ = true;
  }
}

void ac_task::end_resume() noexcept {
  AC_DEBUG_ASSERT(!stepping_, "a resume ends after its step");
  if (last_awaited_ != nullptr) {
    last_awaited_->unref();
    last_awaited_ = nullptr;
  }
  if (text_ != nullptr && text_->resume_error != nullptr) {
    ac::error_unref(text_->resume_error);
    text_->resume_error = nullptr;
  }
}

// After a step that awaited a done future: true to step again now, with
// no loop trip (a cancellation requested meanwhile stays pending).
bool ac_task::resume_at_once() noexcept {
  if (!resume_now_) return false;
  resume_now_ = false;
  return waiter_ != nullptr && !done();
}

// One body for the three ways in, inlined into each (run() is the hot one).
[[gnu::always_inline]] inline void ac_task::step_now() noexcept {
  AC_DEBUG_ASSERT(!scheduled_ && !stepping_ && loop->current_task != this,
                  "steps start outside the ready queue, not stepping");
  if (done()) return;
  if (!started_ && must_cancel_) {
    // asyncio: a coroutine cancelled before it started never runs.
    take_must_cancel();
    cancel_now(ac::make_cancel_error_noexcept(cancel_message()));
    ac::task_release_self(this);
    return;
  }
  begin_first_step();
  ac_loop *l = loop;
  ac_task *prev_task = l->current_task;
  ac::Context **prev_context = l->current_context;
  l->current_task = this;
  l->current_context = &context;

  bool at_once = false;
  do {
    if (!begin_resume(at_once)) break;  // the awaited operation waits again
    at_once = true;
    begin_step();
    int rc = step_fn(this, step_state());
    end_step();
    // The common outcome, awaiting with no cancellation requested, needs
    // nothing from finish_step.
    if (rc != AC_STEP_AWAIT || waiter_ == nullptr || must_cancel_) finish_step(rc);
    end_resume();
  } while (resume_at_once());
  l->current_task = prev_task;
  l->current_context = prev_context;
  if (done()) ac::task_release_self(this);  // may free the task: last
}

void ac_task::run() noexcept {
  // A done task here is a watch notice. Two tail calls: the test comes
  // before the step's frame is set up.
  if (done()) [[unlikely]] return run_watch_notice();
  return run_scheduled_step();
}

void ac_task::run_scheduled_step() noexcept {
  leave_ready_queue();
  step_now();
}

void ac_task::run_watch_notice() noexcept {
  leave_ready_queue();
  if (ac::Watcher *w = direct_watcher()) {
    clear_direct_watcher();
    w->direct_watch_ended();
    ac::DoneCallbackScope scope(loop, w->direct_context());  // as a done-callback
    w->on_watched_done(this, 0);
  }
  unref();  // the ready queue's
}

// A done task watched directly goes to the ready queue, holding a
// reference, in the place its watch entry would have taken; its callback
// word keeps the watcher until the notice runs (or the watch is cut).
void ac::task_schedule_watch_notice(ac_future *f) noexcept {
  auto *t = static_cast<ac_task *>(f);
  AC_DEBUG_ASSERT(t->done() && !t->scheduled_ && t->direct_watcher() != nullptr,
                  "a done task watched directly, out of the ready queue");
  t->ref();
  t->scheduled_ = true;
  try {
    t->loop->schedule(t);  // on a closed loop: dropped at once (drop())
  } catch (...) {
    // Out of memory growing the ready queue: the watcher cannot be told,
    // as a watch entry that could not be scheduled.
    t->scheduled_ = false;
    t->clear_direct_watcher();
    t->loop->report("out of memory scheduling a done-callback", nullptr, t);
    t->unref();
  }
}

void ac_task::run_eager() noexcept {
  AC_DEBUG_ASSERT(!started_ && !scheduled_ && waiter_ == nullptr,
                  "an eager task's first step, never scheduled");
  step_now();
}

void ac_task::run_for_op(ac_future *op) noexcept {
  AC_DEBUG_ASSERT(waiter_ == op && !scheduled_ && !stepping_,
                  "an op's turn goes to the task waiting on it");
  step_now();
}


// The task stops waiting: out of its waiter's callback list, out of the
// ready queue if the waiter's completion put it there, the reference
// released.
void ac_task::drop_waiter() noexcept {
  AC_DEBUG_ASSERT(waiter_ != nullptr && !stepping_, "a waiter to drop, between steps");
  waiter_->remove_callback(this);
  if (scheduled_) {
    loop->ready.remove(this);
    leave_ready_queue();
  }
  release_waiter();
  resume_now_ = false;
}

void ac_task::finish_step(int rc) noexcept {
  auto fail = [this](int code, const char *msg) {
    if (waiter_ != nullptr) drop_waiter();
    if (sleeping_) disarm_sleep();
    drop_outcome();
    ac_error *e = nullptr;
    try {
      e = ac::error_new(code, msg);
    } catch (...) {
    }
    set_error(e);
    ac::error_unref(e);
  };

  if (rc == AC_STEP_AWAIT) {
    if (sleeping_) {
      // Cancelled during this step: the sleep ends cancelled.
      if (take_must_cancel()) cancel_sleep(cancel_message());
    } else if (waiter_ == nullptr) {
      fail(AC_ESTATE, "step returned AC_STEP_AWAIT without a successful ac_task_await");
    } else if (must_cancel_ && waiter_->cancel(cancel_message())) {
      // Cancelled during this step: deliver through the awaited future.
      take_must_cancel();
    }
    return;
  }
  if (rc == AC_STEP_YIELD) {
    if (waiter_ != nullptr || sleeping_) {
      fail(AC_ESTATE, "step returned AC_STEP_YIELD after ac_task_await");
      return;
    }
    try {
      schedule_step();
    } catch (...) {
      fail(AC_ENOMEM, nullptr);
    }
    return;
  }
  if (rc == AC_STEP_DONE) {
    if (waiter_ != nullptr || sleeping_) {
      fail(AC_ESTATE, "step returned AC_STEP_DONE after ac_task_await");
      return;
    }
    if (must_cancel_) {
      // asyncio: a task that finishes while a cancellation is pending ends
      // cancelled.
      drop_outcome();
      cancel_now(ac::make_cancel_error_noexcept(cancel_message()));
    } else {
      // The value the step stored is the result already, in place.
      ac::error_unref(error);
      error = nullptr;
      set_result_in_place();
    }
    return;
  }
  if (rc < 0) {
    if (waiter_ != nullptr) drop_waiter();
    if (sleeping_) disarm_sleep();
    ac_error *e = error;
    error = nullptr;
    ac::value_release(&result);
    if (rc == AC_ECANCELLED) {
      if (e == nullptr || e->code != AC_ECANCELLED) {
        ac::error_unref(e);
        e = ac::make_cancel_error_noexcept(cancel_message());
      }
      cancel_now(e);
      return;
    }
    if (e == nullptr) {
      try {
        e = ac::error_new(rc, nullptr);
      } catch (...) {
      }
    }
    set_error(e);
    ac::error_unref(e);
    return;
  }
  fail(AC_EINVAL, "step returned an unknown value");
}

// ---- ac_task_sleep on the task's own timer ----

ac_task *ac::TaskSleep::task() noexcept {
  // The timer lives in its task's result and error (sleep()), nowhere else.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
  constexpr size_t kAt = offsetof(ac_future, result);
  static_assert(offsetof(ac_future, error) == kAt + sizeof(ac_value) &&
                    sizeof(ac::TaskSleep) <= sizeof(ac_value) + sizeof(ac_error *) &&
                    alignof(ac::TaskSleep) <= alignof(ac_value),
                "the sleep's timer fits the future's result and error");
#pragma GCC diagnostic pop
  return static_cast<ac_task *>(reinterpret_cast<ac_future *>(reinterpret_cast<char *>(this) - kAt));
}

void ac::TaskSleep::fire() noexcept {
  ac_task *t = task();
  t->end_sleep();
  // The resume reads a future done with NONE, as from asyncio's sleep
  // future: the loop's shared one (out of memory: none, which resumes the
  // same but leaves ac_task_awaited NULL).
  ac_future *done = nullptr;
  try {
    done = ac::done_future(t->loop);
  } catch (...) {
  }
  t->wake_from_sleep(done);  // may free the task (out of memory): last
}

void ac::TaskSleep::drop_timer() noexcept { task()->end_sleep(); }

int ac_task::sleep(double seconds) noexcept {
  if (!stepping_ || loop->current_task != this || waiter_ != nullptr || sleeping_) return AC_ESTATE;
  if (result.kind != AC_VALUE_NONE || error != nullptr) return kSleepAsFuture;
  // The node spans `result` and `error` (TaskSleep::task() checks they
  // are adjacent and large enough).
#if defined(__GNUC__) && !defined(__clang__)  // GCC's size check; clang has none
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wplacement-new"
#endif
  auto *node = new (&result) ac::TaskSleep();
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  sleeping_ = true;
  try {
    loop->add_timer(node, loop->now() + seconds);
  } catch (...) {
    end_sleep();
    return AC_ENOMEM;
  }
  return AC_STEP_AWAIT;
}

// A step that armed the sleep ended otherwise (an error, a misuse).
void ac_task::disarm_sleep() noexcept {
  loop->remove_timer(sleep_node());
  end_sleep();
}

// asyncio cancels the sleep's future: the task wakes (one hop, as the
// future's done-callback would) from a future cancelled with `message`,
// which the resume delivers as the sleep future's own (kept by a second
// request, not withdrawn by uncancel()).
void ac_task::cancel_sleep(const char *message) noexcept {
  disarm_sleep();
  ac_future *cancelled = nullptr;
  try {
    cancelled = new ac_future(loop);
  } catch (...) {
  }
  if (cancelled != nullptr) {
    cancelled->cancel_now(ac::make_cancel_error_noexcept(message));
  } else {
    // Out of memory: the request is delivered as one made while ready.
    set_must_cancel();
    set_cancel_message(message);
  }
  wake_from_sleep(cancelled);
}

// The sleep is over: the task is ready, resuming from `by` (a reference,
// or null), as a task woken by the future it awaited.
void ac_task::wake_from_sleep(ac_future *by) noexcept {
  AC_DEBUG_ASSERT(!sleeping_ && waiter_ == nullptr && !stepping_, "a sleep ended, no other wait");
  waiter_ = by;
  try {
    schedule_step();
  } catch (...) {
    // Out of memory: the task can never be stepped again; it ends
    // cancelled, as one that cannot wait any more does (begin_resume).
    if (waiter_ != nullptr) release_waiter();
    cancel_now(ac::make_cancel_error_noexcept(nullptr));
    // Inside its own step_now (finish_step) the step's end releases it.
    if (loop->current_task != this) ac::task_release_self(this);
  }
}

void ac_task::detach_for_close() noexcept {
  AC_DEBUG_ASSERT(loop->closed && loop->ready.empty() && !scheduled_,
                  "a task is detached by its loop's close, the ready queue drained");
  if (waiter_ != nullptr) drop_waiter();
}

namespace ac {

namespace {
constexpr size_t kSlot = sizeof(ac_free_fn);

// The bytes after kHead for a state of `size`: the state rounded up to 8,
// then the free function's slot (`with_slot`).
constexpr size_t tail_bytes(size_t size, bool with_slot) noexcept {
  return (size + kSlot - 1) / kSlot * kSlot + (with_slot ? kSlot : 0);
}

// Stands in the slot of a task made in a state block without a free
// function: the slot non-null says "a task owns this block".
void no_free(void *) noexcept {}

// What a block of task_state_alloc holds where the task will be, until a
// task is made there. Its mark is where that task has its vtable pointer,
// and no address can equal it (its top bits are set), so a live task never
// reads as a free room.
struct StateRoom {
  uint64_t magic;
  uint64_t size;
};
constexpr uint64_t kStateRoomMagic = 0xac7a5c0000000000 | 0x526f6f6d;  // "Room"
static_assert(sizeof(StateRoom) <= kHead, "the room's header fits where the task goes");

ac_free_fn *room_slot(void *state, size_t size) noexcept {
  return reinterpret_cast<ac_free_fn *>(static_cast<char *>(state) + tail_bytes(size, false));
}

}  // namespace

// Makes the task in `mem` (kHead bytes, then a tail of `tail` bytes) and
// enters it in the loop's list of tasks.
[[gnu::always_inline]] inline ac_task *task_make(void *mem, ac_loop *loop, ac_step_fn fn,
                                                 void *state, ac_free_fn free_state,
                                                 bool inline_state, size_t tail) noexcept {
  auto *t = new (mem) ac_task(loop, fn);
  t->inline_state = inline_state;
  t->tail_size_ = static_cast<uint32_t>(tail);
  if (!inline_state && state != nullptr) {
    // The host's block: its address is the tail's first word.
    t->ext_state_ = true;
    *reinterpret_cast<void **>(static_cast<char *>(mem) + kHead) = state;
  }
  if (free_state != nullptr) {
    t->has_free_ = true;
    *t->free_state_slot() = free_state;
  }
  loop->task_list_add(t);
  return t;
}

ac_task *task_new(ac_loop *loop, ac_step_fn fn, void *state, ac_free_fn free_state,
                  size_t inline_state_size, const void *init) {
  // One block: the task, its inline state (rounded up to 8) or the
  // address of the host's, the free function's slot.
  if (inline_state_size > UINT32_MAX - kHead - 2 * kSlot) throw std::bad_alloc();
  size_t state_bytes = inline_state_size != 0 ? inline_state_size : state != nullptr ? sizeof(void *) : 0;
  size_t tail = tail_bytes(state_bytes, free_state != nullptr);
  void *mem = ac::pool_alloc(kHead + tail);
  char *after = static_cast<char *>(mem) + kHead;
  if (inline_state_size != 0) {
    if (init != nullptr)
      std::memcpy(after, init, inline_state_size);  // ac_task_new_copy: no zeroing first
    else
      std::memset(after, 0, inline_state_size);
    state = after;
  }
  return task_make(mem, loop, fn, state, free_state, inline_state_size != 0, tail);
}

void *task_state_alloc(size_t size) noexcept {
  if (size - 1 >= UINT32_MAX - kHead - 2 * kSlot) [[unlikely]] {  // 0 counts as 1
    if (size != 0) return nullptr;
    size = 1;
  }
  void *mem = ac::pool_alloc_nothrow(kHead + tail_bytes(size, true));
  if (mem == nullptr) return nullptr;
  auto *room = static_cast<StateRoom *>(mem);
  room->magic = kStateRoomMagic;
  room->size = size;
  void *state = static_cast<char *>(mem) + kHead;
  *room_slot(state, size) = nullptr;  // no task owns the block
  return state;
}

void task_state_free(void *state, size_t size) noexcept {
  if (state == nullptr) return;
  if (size == 0) size = 1;
  // A task made in the block frees it with itself (this runs from the
  // task's release of its state, or later: the block is the task's).
  if (*room_slot(state, size) != nullptr) return;
  void *mem = static_cast<char *>(state) - kHead;
  static_cast<StateRoom *>(mem)->magic = 0;
  ac::pool_free(mem, kHead + tail_bytes(size, true));
}

ac_task *task_new_in(ac_loop *loop, ac_step_fn fn, void *state, ac_free_fn free_state) noexcept {
  if (state == nullptr) return nullptr;
  void *mem = static_cast<char *>(state) - kHead;
  auto *room = static_cast<StateRoom *>(mem);
  if (room->magic != kStateRoomMagic) return nullptr;
  size_t size = room->size;
  room->magic = 0;
  // The slot, the task's last word, says "owned by a task" from now on:
  // task_make writes the free function there, or, with none, no_free does.
  if (free_state == nullptr) *room_slot(state, size) = &no_free;
  return task_make(mem, loop, fn, state, free_state, true, tail_bytes(size, true));
}

void task_release_self(ac_task *t) noexcept {
  AC_DEBUG_ASSERT(t->done() || t->loop->closed, "the loop's reference goes when the task is done");
  if (t->self_ref_) {
    t->self_ref_ = false;
    t->unref();
  }
}

}  // namespace ac
