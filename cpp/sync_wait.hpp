// sync_wait.hpp — what locks, events, conditions, semaphores, barriers and
// queues are made of: a reference-counted handle base and an intrusive FIFO
// of waiter futures.
//
// The rules every primitive follows:
//  - A waiter is a future the caller awaits. While queued, the primitive's
//    list holds one reference to it; the waiter points back at the list
//    (`list`), so cancelling it unlinks it at once (O(1)): a cancelled
//    waiter is never woken, and the wake-up goes to the next one.
//  - Lists hold waiters, waiters never hold the primitive while queued, so
//    dropping the last reference to a primitive destroys it, and its
//    destructor fails every queued waiter with AC_ECLOSED.
//  - A wake-up hands over what was waited for (the lock, a permit, an item)
//    by completing the waiter with a result. If the task awaiting it is
//    cancelled before it resumes, on_task_resume(false) passes it on; for
//    that the waiter holds a reference to its primitive from the grant
//    until the task resumes (`resume_hook`).
#pragma once

#include <cstdint>

#include "future.hpp"

namespace ac {

struct WaitList;

// A future that can sit in a WaitList.
struct ListedFuture : ac_future {
  ListedFuture *prev = nullptr;
  ListedFuture *next = nullptr;
  WaitList *list = nullptr;  // the list holding it, null when not queued

  explicit ListedFuture(ac_loop *l) noexcept : ac_future(l) {}
  // Unlinks a queued waiter, lets the primitive account for it
  // (before_cancel), then cancels it.
  bool cancel(const char *message) noexcept override;

 protected:
  // Called after unlinking (`queued`: it was in a list), before the state
  // changes.
  virtual void before_cancel(bool queued) noexcept { (void)queued; }
};

// FIFO of waiters; holds one reference to each.
struct WaitList {
  ListedFuture *head = nullptr;
  ListedFuture *tail = nullptr;
  size_t count = 0;

  WaitList() = default;
  WaitList(const WaitList &) = delete;
  WaitList &operator=(const WaitList &) = delete;

  bool empty() const noexcept { return head == nullptr; }
  void push(ListedFuture *f) noexcept {
    f->ref();
    f->list = this;
    f->prev = tail;
    f->next = nullptr;
    if (tail != nullptr)
      tail->next = f;
    else
      head = f;
    tail = f;
    ++count;
  }
  // Unlinks f; the list's reference passes to the caller.
  void unlink(ListedFuture *f) noexcept {
    if (f->prev != nullptr)
      f->prev->next = f->next;
    else
      head = f->next;
    if (f->next != nullptr)
      f->next->prev = f->prev;
    else
      tail = f->prev;
    f->prev = f->next = nullptr;
    f->list = nullptr;
    --count;
  }
  // The head, unlinked (the list's reference passes to the caller), or null.
  ListedFuture *pop() noexcept {
    ListedFuture *f = head;
    if (f != nullptr) unlink(f);
    return f;
  }
};

inline bool ListedFuture::cancel(const char *message) noexcept {
  if (done()) return false;
  WaitList *l = list;
  if (l != nullptr) l->unlink(this);
  before_cancel(l != nullptr);
  // The canceller holds its own reference (a task holds what it awaits),
  // so dropping the list's one after cancelling is safe.
  ref();
  bool r = ac_future::cancel(message);
  if (l != nullptr) unref();
  unref();
  return r;
}

// Completes a waiter with `err` (a cancellation when err is null, which
// only happens out of memory). On a closed loop nothing can run any more:
// the waiter stays pending and is released with its last reference.
inline void fail_waiter(ListedFuture *f, ac_error *err) noexcept {
  if (f->loop->closed || f->done()) return;
  if (err != nullptr)
    f->set_error(err);
  else
    f->cancel_now(nullptr);
}

// Fails every waiter of `list` with `code` and empties it.
void fail_all(WaitList &list, int code, const char *message) noexcept;

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

}  // namespace ac
