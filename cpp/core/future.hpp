// future.hpp — struct ac_future: a result that will be there later.
//
// State machine: PENDING -> RESULT | ERROR | CANCELLED, once. On the
// transition every registered callback is moved to the loop's ready queue in
// registration order (never run inline). Reference counting is loop-thread
// only; the loop reference is atomic.
#pragma once

#include <cstdint>

#include <asyncore/future.h>

#include "core/assert.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/loop.hpp"
#include "core/pool.hpp"
#include "core/runnable.hpp"

namespace ac {
constexpr uint32_t kFutureMagic = 0x46757431;  // "Fut1"
class Watcher;
struct CallbackList;  // a list of two callbacks or more (future.cpp)

// While alive, the loop runs a done-callback: a handle of its own (as in
// asyncio), in the context `c` (a reference is held for the duration).
class DoneCallbackScope {
 public:
  DoneCallbackScope(ac_loop *loop, Context *c) noexcept
      : loop_(loop), ctx_(context_ref(c)), saved_(loop->current_context),
        saved_handle_(loop->running_handle), saved_in_(loop->in_callback) {
    loop->current_context = &ctx_;
    loop->running_handle = nullptr;
    loop->in_callback = true;
  }
  ~DoneCallbackScope() {
    loop_->current_context = saved_;
    loop_->running_handle = saved_handle_;
    loop_->in_callback = saved_in_;
    context_unref(ctx_);
  }
  DoneCallbackScope(const DoneCallbackScope &) = delete;
  DoneCallbackScope &operator=(const DoneCallbackScope &) = delete;

 private:
  ac_loop *loop_;
  Context *ctx_;
  Context **saved_;
  ac_call *saved_handle_;
  bool saved_in_;
};

// A done-callback registered by user code. While registered it sits in the
// future's callback list; once scheduled it holds a reference to the future.
struct FutureCallback final : Runnable {
  ac_future *future = nullptr;  // set when scheduled
  ac_future_callback_fn fn;
  void *ud;
  ac_free_fn free_ud;
  Context *context;
  // Chains the callbacks a removal took out until their free_ud runs
  // (ac_future::remove_user_callbacks). It makes the callback 64 bytes,
  // the pool's size class of the 56 it had.
  FutureCallback *next_removed = nullptr;
  FutureCallback(ac_future_callback_fn f, void *u, ac_free_fn fu, Context *c) noexcept
      : fn(f), ud(u), free_ud(fu), context(c) {
    kind = kFutureCallback;
  }
  ~FutureCallback();
  AC_POOLED
  void run() noexcept override;
  void drop() noexcept override;
};
}  // namespace ac

// The future's state and who changes it:
//  - `state`: PENDING, then RESULT, ERROR or CANCELLED, once; written only
//    by set_result, set_error and cancel_now (which refuse a done future).
//  - `is_task`, `is_op`, `is_group`, `always_yields`, `combinator_kind`:
//    what the future is, set by its constructor (or its maker, before
//    anyone else sees it), never changed.
//  - `error_retrieved`: someone read the error, or it needs no report;
//    written only by mark_error_retrieved (any state; stays set). A failed future
//    freed without it is reported ("exception was never retrieved").
//  - `seen_mark`: scratch of one combinator call (gather's duplicate
//    check), false outside it.
struct ac_future {
  uint32_t magic = ac::kFutureMagic;
  uint8_t state = AC_FUTURE_PENDING;
  bool is_task = false;
  bool error_retrieved = false;
  // An operation of a primitive (sync_wait.hpp's OpFuture): a task
  // resuming from it while it is pending lets it go on first.
  bool is_op = false;
  // A task group's join (taskgroup.hpp): a task woken from it while it is
  // pending looks again whether the group can finish.
  bool is_group = false;
  // A done future normally lets its awaiter go on without a loop trip
  // (asyncio: awaiting a done future does not suspend). sleep(0)'s future
  // sets this so awaiting it always yields one iteration.
  bool always_yields = false;
  // Scratch mark for a combinator taking a list (gather: a child passed
  // twice counts once); false outside that call.
  bool seen_mark = false;
  // Which combinator's future this is (combinators.hpp's kinds; 0 for any
  // other), so the C API tells them apart without a dynamic_cast.
  uint8_t combinator_kind = 0;
  int refs = 1;
  ac_loop *loop;
  ac_value result{};
  ac_error *error = nullptr;  // ERROR or CANCELLED (made lazily for cancel)

 private:
  // The callback list, in one word: 0 when empty; the entry itself when
  // there is one (the common single awaiter); once a second came, a
  // CallbackList of all of them in order (future.cpp: removal is O(1) once
  // it is long), its address tagged kManyCbs; or, in a task's
  // list only, the address of a Watcher watching the task directly,
  // tagged kWatcherCb (watch.hpp: no entry at all; it becomes one if a
  // second callback comes). Entries are tasks to wake, FutureCallback
  // objects and watch entries.
  static constexpr uintptr_t kManyCbs = 1;
  static constexpr uintptr_t kWatcherCb = 2;
  static constexpr uintptr_t kCbTags = 3;
  uintptr_t cbs_ = 0;

 public:
  bool has_callbacks() const noexcept { return cbs_ != 0; }
  // The one entry when the list is that entry alone, else null.
  ac::Runnable *sole_callback() const noexcept {
    return (cbs_ & kCbTags) != 0 ? nullptr : reinterpret_cast<ac::Runnable *>(cbs_);
  }
  // Empties a list that is sole_callback() alone (the caller took it over).
  void take_sole_callback() noexcept { cbs_ = 0; }
  // The watcher of a direct watch (watch.hpp), else null.
  ac::Watcher *direct_watcher() const noexcept {
    return (cbs_ & kCbTags) == kWatcherCb ? reinterpret_cast<ac::Watcher *>(cbs_ & ~kCbTags) : nullptr;
  }
  // A direct watch: the list of a pending task, empty until now, is `w`.
  void set_direct_watcher(ac::Watcher *w) noexcept {
    AC_DEBUG_ASSERT(is_task && !done() && cbs_ == 0, "a direct watch of a pending task nobody waits for");
    cbs_ = reinterpret_cast<uintptr_t>(w) | kWatcherCb;
  }
  // Ends a direct watch (the list is empty after).
  void clear_direct_watcher() noexcept {
    AC_DEBUG_ASSERT((cbs_ & kCbTags) == kWatcherCb, "a direct watch to end");
    cbs_ = 0;
  }

  explicit ac_future(ac_loop *l) noexcept;
  AC_POOLED
  virtual ~ac_future();
  ac_future(const ac_future &) = delete;
  ac_future &operator=(const ac_future &) = delete;

  bool done() const noexcept { return state != AC_FUTURE_PENDING; }
  // The error is taken care of: no report when the future goes.
  void mark_error_retrieved() noexcept { error_retrieved = true; }
  void ref() noexcept { ++refs; }
  void unref() noexcept {
    if (--refs == 0) last_unref();
  }

  // Completion; each returns AC_ESTATE when already done. Throw bad_alloc
  // only from scheduling (the state change is made first).
  int set_result(ac_value *owned) noexcept;  // takes the owned value
  int set_error(ac_error *err) noexcept;     // takes a reference
  // Cancels a pending future; false when already done. Tasks override.
  virtual bool cancel(const char *message) noexcept;
  // What ac_loop_dump calls a future of a type private to one file (a
  // to_thread job, a name resolution ...); null for the others.
  virtual const char *dump_kind() const noexcept { return nullptr; }
  // The task that awaited this future resumed with a cancellation instead
  // of its result (woken, then cancelled before it ran): the result was
  // never taken. A stream read gives its bytes back to the stream, as
  // asyncio's StreamReader keeps them in its buffer until the reading
  // coroutine runs.
  virtual void unclaimed() noexcept {}
  bool cancel_now(ac_error *cancel_error) noexcept;  // takes a reference

  // Registers r to be scheduled when done (scheduled now if already done).
  // The common case, a sole awaiter of a pending future, is inline.
  void add_callback(ac::Runnable *r) {
    if (!done() && cbs_ == 0) {
      cbs_ = reinterpret_cast<uintptr_t>(r);
      return;
    }
    add_callback_slow(r);
  }
  // Unregisters r if still registered; true if found.
  bool remove_callback(ac::Runnable *r) noexcept;
  int remove_user_callbacks(ac_future_callback_fn fn, void *ud) noexcept;

 protected:
  // set_result for a value already in `result` (a task's stored outcome).
  void set_result_in_place() noexcept {
    state = AC_FUTURE_RESULT;
    on_done();
    schedule_callbacks();
  }
  void add_callback_slow(ac::Runnable *r);
  void last_unref() noexcept;
  void schedule_callbacks() noexcept;
  [[gnu::noinline, gnu::cold]] void release_on_closed_loop() noexcept;
  virtual void on_done() noexcept {}
  // Callbacks still registered: none, the common case, is checked inline.
  void release_callbacks() noexcept {
    if (cbs_ != 0) release_callbacks_slow();
  }
  void release_callbacks_slow() noexcept;

 private:
  ac::CallbackList *callback_list() const noexcept {
    return (cbs_ & kCbTags) == kManyCbs ? reinterpret_cast<ac::CallbackList *>(cbs_ & ~kCbTags) : nullptr;
  }
};

namespace ac {
inline bool is_future(const ac_future *f) noexcept { return f != nullptr && f->magic == kFutureMagic; }
// A cancellation error with `message` (NULL: none, as asyncio's cancel()).
ac_error *make_cancel_error(const char *message);
// The same, or NULL when out of memory (a cancelled future needs no error
// object to be cancelled).
ac_error *make_cancel_error_noexcept(const char *message) noexcept;
// Frees an operation's future with its coroutine frame (sync_wait.cpp).
void destroy_op(ac_future *f) noexcept;
// A task watched directly is done: it goes to the ready queue itself, to
// tell its watcher (task.cpp).
void task_schedule_watch_notice(ac_future *task) noexcept;
// The entry a direct watch of `f` becomes when a second callback comes
// (watch.cpp). Throws std::bad_alloc.
Runnable *direct_watch_entry(ac_future *f, Watcher *w);
}  // namespace ac
