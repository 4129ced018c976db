// sync_wait.hpp — what locks, events, conditions, semaphores, barriers and
// queues are made of: a reference-counted handle base, the waiters asyncio
// keeps in its deques, and operations written as asyncio writes them.
//
// asyncio's primitives are coroutines: `await lock.acquire()` runs the
// acquire coroutine inside the awaiting task; it appends a future to the
// lock's deque, suspends on it, and when woken (or cancelled) carries on in
// that same task, on the task's next step: it removes its future, takes the
// lock or passes the wake-up on. What an operation does after its wait is
// therefore decided when its task runs, not when it is woken — a waiter
// woken and then cancelled takes nothing and leaves no trace.
//
// Here each such operation (an "op") is a C++ coroutine whose promise is the
// ac_future the C API hands out:
//  - A Waiter, in the op's coroutine frame, is the future asyncio would
//    append to its deque: pending, then woken or cancelled, once. Lists
//    hold Waiters in FIFO order; a Waiter unlinks itself when destroyed.
//  - `co_await waiter` suspends the op. A wake-up or cancellation of the
//    waiter asks the op to go on (OpFuture::continue_soon): when a task
//    awaits the op and nothing else does, that task is scheduled and the op
//    goes on inside the task's next step, before the task's own code, as
//    in asyncio; otherwise the op goes on from the ready queue by itself,
//    as asyncio's wrapping task would (gather, wait_for, a done-callback).
//  - Cancelling the op (a task's cancel reaches the future it awaits)
//    cancels the waiter while it is pending; once it was woken the
//    cancellation is thrown in when the op goes on (asyncio's must_cancel),
//    and the op decides what that means, as asyncio's except-clauses do.
//  - An op may await a nested operation (Sub): a Condition re-acquiring its
//    lock, a Barrier waiting on its condition.
//  - Dropping a primitive's last reference closes its waiters: the ops go
//    on with AC_ECLOSED and must not touch the primitive any more.
#pragma once

#include <coroutine>
#include <cstdint>

#include "core/future.hpp"

namespace ac {

struct OpFuture;
struct WaitList;
struct SyncObject;

// One entry of a primitive's deque.
struct Waiter {
  enum State : uint8_t { kPending, kWoken, kCancelled, kClosed };
  State state = kPending;
  Waiter *prev = nullptr;
  Waiter *next = nullptr;
  WaitList *list = nullptr;  // the list holding it, null when not queued
  OpFuture *op;              // whose coroutine waits here

  explicit Waiter(OpFuture *o) noexcept : op(o) {}
  ~Waiter();
  Waiter(const Waiter &) = delete;
  Waiter &operator=(const Waiter &) = delete;

  bool done() const noexcept { return state != kPending; }
  bool cancelled() const noexcept { return state == kCancelled; }
  // asyncio's set_result on the waiter: the op goes on soon.
  void wake() noexcept;
  // asyncio's cancel on the waiter: true when it was pending.
  bool cancel() noexcept;
  // The primitive is going away: the op goes on with AC_ECLOSED.
  void close() noexcept;

  // `int rc = co_await w;` suspends until woken, cancelled or closed; rc is
  // 0, AC_ECANCELLED (the waiter was cancelled, or the op's task was
  // cancelled meanwhile) or AC_ECLOSED.
  bool await_ready() const noexcept { return done(); }
  void await_suspend(std::coroutine_handle<> h) noexcept;
  int await_resume() noexcept;
};

// FIFO of Waiters, intrusive, owning nothing. `cancelled` counts the
// cancelled waiters still linked (asyncio keeps them until their task runs).
struct WaitList {
  Waiter *head = nullptr;
  Waiter *tail = nullptr;
  size_t count = 0;
  size_t cancelled = 0;
  // The last waiter of a prefix of the list whose waiters are all done
  // (null: the prefix is empty). Waiters never go back to pending, so
  // first_pending() resumes its walk there: waking the waiters one at a
  // time costs O(1) each, however many woken ones are still linked.
  Waiter *done_upto = nullptr;
  // The primitive the list belongs to (ac_loop_dump reads it through a
  // waiter still linked, so it is alive).
  SyncObject *owner;

  explicit WaitList(SyncObject *o) noexcept : owner(o) {}
  WaitList(const WaitList &) = delete;
  WaitList &operator=(const WaitList &) = delete;

  bool empty() const noexcept { return head == nullptr; }
  // asyncio's all(w.cancelled() for w in waiters).
  bool all_cancelled() const noexcept { return cancelled == count; }
  void push(Waiter *w) noexcept {
    w->list = this;
    w->prev = tail;
    w->next = nullptr;
    if (tail != nullptr)
      tail->next = w;
    else
      head = w;
    tail = w;
    ++count;
    if (w->cancelled()) ++cancelled;
  }
  void unlink(Waiter *w) noexcept {
    if (w->prev != nullptr)
      w->prev->next = w->next;
    else
      head = w->next;
    if (w->next != nullptr)
      w->next->prev = w->prev;
    else
      tail = w->prev;
    if (w == done_upto) done_upto = w->prev;  // the rest of the prefix is done
    w->prev = w->next = nullptr;
    w->list = nullptr;
    --count;
    if (w->cancelled()) --cancelled;
  }
  // The first waiter not done yet, or null.
  Waiter *first_pending() noexcept {
    Waiter *w = done_upto != nullptr ? done_upto->next : head;
    while (w != nullptr && w->done()) {
      done_upto = w;
      w = w->next;
    }
    return w;
  }
  // Unlinks w if it is still in this list (asyncio's "try: remove").
  void remove(Waiter *w) noexcept {
    if (w->list == this) unlink(w);
  }
  Waiter *pop() noexcept {
    Waiter *w = head;
    if (w != nullptr) unlink(w);
    return w;
  }
  // Closes every waiter (the primitive is destroyed) and empties the list.
  void close_all() noexcept {
    while (Waiter *w = pop()) w->close();
  }
};

// How an op ends: co_return one of these.
struct Outcome {
  int code = 0;  // 0: result `value`; AC_ECANCELLED; another error code
  ac_value value{};
  const char *message = nullptr;  // for an error (static storage)

  static Outcome none() noexcept { return {}; }
  static Outcome int64(int64_t v) noexcept {
    Outcome o;
    o.value.kind = AC_VALUE_INT64;
    o.value.u.i64 = v;
    return o;
  }
  static Outcome item(const ac_value &v) noexcept {
    Outcome o;
    o.value = v;
    return o;
  }
  static Outcome cancelled() noexcept { return Outcome{AC_ECANCELLED, {}, nullptr}; }
  static Outcome error(int code, const char *message) noexcept { return Outcome{code, {}, message}; }
};

// The future of an op, and its coroutine's promise.
struct OpFuture : ac_future, Runnable {
  // The innermost frame suspended on `waiting_on` (the op's own or a
  // nested Sub's), resumed when the op goes on.
  std::coroutine_handle<> resume_at;
  Waiter *waiting_on = nullptr;
  // The cancellation the op resumes with or reports (message kept).
  ac_error *cancel_error = nullptr;
  // A cancellation to throw in at the next resume (asyncio's must_cancel
  // reaching the coroutine): set by the task that resumes the op.
  bool cancel_pending = false;
  // Going on from the ready queue (the op itself is queued, with a
  // reference).
  bool queued = false;
  // What started the op, for ac_loop_dump: the primitive's magic, and its
  // address (shown, never read: it may be gone once no waiter of the op is
  // linked). A queue's join waits on its event but names the queue.
  uint32_t origin_magic = 0;
  const SyncObject *origin = nullptr;

  explicit OpFuture(ac_loop *l) noexcept : ac_future(l) {
    is_op = true;
    kind = kOther;
  }
  ~OpFuture() override;

  // A waiter of this op was woken, cancelled or closed: arrange for the op
  // to go on (see the file comment).
  void continue_soon() noexcept;
  // Goes on now, inside `task`'s resume; `cancel` throws a cancellation in
  // (message `message`). On return the op is done, or waits again.
  void resume_in_task(bool cancel, const char *message) noexcept;
  // The pending cancellation's error, taken (a new reference, or a fresh
  // one without a message).
  ac_error *take_cancel_error() noexcept;

  bool cancel(const char *message) noexcept override;
  // Runnable: going on from the ready queue.
  void run() noexcept override;
  void drop() noexcept override;

  // The promise side.
  void finish(Outcome o) noexcept;
  // Frees the coroutine frame holding this future (its last reference).
  virtual void destroy_frame() noexcept = 0;
};

// The coroutine type of an op: `Op ac_lock::acquire_wait() { ... }`. The
// first coroutine parameter (for a member coroutine, the object) must have
// a `loop` member: the future is made on that loop. Starts at once and runs
// until its first wait. A null `future` means out of memory.
struct Op {
  struct promise_type final : OpFuture {
    template <typename Owner, typename... Args>
    explicit promise_type(Owner &owner, Args &...) noexcept : OpFuture(owner.loop) {
      origin_magic = owner.magic;
      origin = &owner;
    }
    template <typename Owner, typename... Args>
    explicit promise_type(Owner *owner, Args &...) noexcept : OpFuture(owner->loop) {
      origin_magic = owner->magic;
      origin = owner;
    }
    static void *operator new(std::size_t n) noexcept { return pool_alloc_nothrow(n); }
    static void operator delete(void *p, std::size_t n) noexcept { pool_free(p, n); }
    static Op get_return_object_on_allocation_failure() noexcept { return Op{nullptr}; }
    Op get_return_object() noexcept { return Op{this}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(Outcome o) noexcept { finish(o); }
    void unhandled_exception() noexcept { std::terminate(); }
    void destroy_frame() noexcept override {
      std::coroutine_handle<promise_type>::from_promise(*this).destroy();
    }
  };
  OpFuture *future;
};

// `OpFuture *op = co_await ThisOp{};` inside an Op: its own future.
struct ThisOp {
  OpFuture *op = nullptr;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<Op::promise_type> h) noexcept {
    op = &h.promise();
    return false;  // carry on at once
  }
  OpFuture *await_resume() const noexcept { return op; }
};

// A nested operation: a coroutine returning a code (0 or an error, with an
// optional int64 value) that an Op or another Sub awaits. Lazy; owned by
// the Sub object in the awaiting frame.
struct Sub {
  struct promise_type {
    std::coroutine_handle<> parent;
    int code = 0;
    static void *operator new(std::size_t n) noexcept { return pool_alloc_nothrow(n); }
    static void operator delete(void *p, std::size_t n) noexcept { pool_free(p, n); }
    static Sub get_return_object_on_allocation_failure() noexcept { return Sub{nullptr}; }
    Sub get_return_object() noexcept {
      return Sub{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct Back {
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        return h.promise().parent;
      }
      void await_resume() const noexcept {}
    };
    Back final_suspend() noexcept { return {}; }
    void return_value(int rc) noexcept { code = rc; }
    void unhandled_exception() noexcept { std::terminate(); }
  };

  std::coroutine_handle<promise_type> h;
  explicit Sub(std::coroutine_handle<promise_type> c) noexcept : h(c) {}
  explicit Sub(std::nullptr_t) noexcept : h(nullptr) {}
  Sub(Sub &&o) noexcept : h(o.h) { o.h = nullptr; }
  Sub(const Sub &) = delete;
  ~Sub() {
    if (h) h.destroy();
  }
  bool await_ready() const noexcept { return !h; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
    h.promise().parent = parent;
    return h;
  }
  int await_resume() const noexcept { return h ? h.promise().code : AC_ENOMEM; }
};

// Base of every handle. Loop thread only; the loop reference is atomic
// like a future's, so the loop's memory outlives the handle.
struct SyncObject {
  uint32_t magic;
  int refs = 1;
  ac_loop *loop;

  SyncObject(uint32_t m, ac_loop *l) noexcept : magic(m), loop(l) {
    loop->refs.fetch_add(1, std::memory_order_relaxed);
  }
  virtual ~SyncObject();
  SyncObject(const SyncObject &) = delete;
  SyncObject &operator=(const SyncObject &) = delete;
  void ref() noexcept { ++refs; }
  void unref() noexcept {
    if (--refs == 0) delete this;
  }
};

// A done future with a NONE result, shared: the loop's done_none (throws
// bad_alloc).
ac_future *done_future(ac_loop *loop);
// A new done future with `v` as its result (taken over; throws bad_alloc,
// leaving v to the caller).
ac_future *done_future_with(ac_loop *loop, ac_value *v);
// A new future failed with `code` and `message` (throws bad_alloc).
ac_future *failed_future(ac_loop *loop, int code, const char *message);
// The future an op coroutine returned: its future, or bad_alloc.
ac_future *op_future(Op op);

}  // namespace ac
