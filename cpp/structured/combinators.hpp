// combinators.hpp — futures made of other futures: gather, wait,
// as_completed, wait_for, shield (asyncio.tasks' combinators).
//
// Each holds a reference to every future it combines and watches them
// through ac::Watcher (weak links back), so no reference cycle forms.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "core/future.hpp"
#include "core/watch.hpp"

namespace ac {

// ac_future::combinator_kind of each combinator's future.
enum : uint8_t { kGatherKind = 1, kWaitKind = 2, kNextKind = 3 };

// gather: results in argument order (asyncio 3.13's gather).
// Invariants: `children` keeps one reference per argument (duplicates
// included); each distinct child is watched once, and `nfuts` counts the
// distinct ones; the future is done once `finished` reaches nfuts, or at
// the first failure when !return_exceptions. A cancelled child fails the
// gather with a CancelledError as its *error*: the gather itself is not
// cancelled (asyncio: "the outer Future is not cancelled in this case").
struct GatherFuture final : ac_future, Watcher {
  std::vector<ac_future *> children;
  size_t nfuts = 0;
  size_t finished = 0;
  bool return_exceptions = false;
  // cancel() reached at least one child: the outcome becomes a
  // CancelledError once every child is done (asyncio's _cancel_requested).
  bool cancel_requested = false;

  static constexpr uint8_t kKind = kGatherKind;
  explicit GatherFuture(ac_loop *l) noexcept : ac_future(l) {
    combinator_kind = kKind;
    allow_direct_watches(&children);  // a pending task child costs no entry
  }
  ~GatherFuture() override;
  bool cancel(const char *message) noexcept override;
  void on_watched_done(ac_future *f, size_t index) noexcept override;
};

// wait: completes with NONE when the condition holds or the timeout
// passes; never cancels what it waits on.
struct WaitFuture final : ac_future, Watcher, TimerNode {
  std::vector<ac_future *> items;  // distinct, argument order; one ref each
  int mode;
  size_t remaining;
  bool partitioned = false;
  std::vector<ac_future *> done_set, pending_set;  // borrowed from items

  static constexpr uint8_t kKind = kWaitKind;
  WaitFuture(ac_loop *l, int m) noexcept : ac_future(l), mode(m) {
    combinator_kind = kKind;
    allow_direct_watches(&items);  // a pending task costs no entry
  }
  ~WaitFuture() override;
  void on_watched_done(ac_future *f, size_t index) noexcept override;
  void fire() noexcept override;
  void drop_timer() noexcept override { unref(); }
  // Splits items into done and pending the first time it is asked after
  // completion (asyncio computes the sets when the waiter resumes).
  void partition();

 protected:
  void on_done() noexcept override;
};

// wait_for: the outcome of `inner`, or AC_ETIMEDOUT once the deadline has
// cancelled it and it has finished cancelling.
struct WaitForFuture final : ac_future, Watcher, TimerNode {
  ac_future *inner = nullptr;  // one reference, kept until freed
  bool expired = false;          // the deadline cancelled inner
  bool cancel_requested = false; // cancel() was passed on to inner

  explicit WaitForFuture(ac_loop *l) noexcept : ac_future(l) {}
  ~WaitForFuture() override;
  bool cancel(const char *message) noexcept override;
  void on_watched_done(ac_future *f, size_t index) noexcept override;
  void fire() noexcept override;
  void drop_timer() noexcept override { unref(); }

 protected:
  void on_done() noexcept override;
};

// shield: mirrors `inner`; cancelling it leaves inner running.
struct ShieldFuture final : ac_future, Watcher {
  ac_future *inner = nullptr;  // one reference, kept until freed

  explicit ShieldFuture(ac_loop *l) noexcept : ac_future(l) {}
  ~ShieldFuture() override;
  void on_watched_done(ac_future *f, size_t index) noexcept override;

 protected:
  void on_done() noexcept override;
};

// The future as_completed's next() hands out; `index` is the input it
// reports (-1 until it completes, or for a timeout).
struct NextFuture final : ac_future {
  int64_t index = -1;
  ac_future *source = nullptr;  // the input reported (one reference)
  static constexpr uint8_t kKind = kNextKind;
  explicit NextFuture(ac_loop *l) noexcept : ac_future(l) { combinator_kind = kKind; }
  ~NextFuture() override {
    if (source != nullptr) source->unref();
  }
};

constexpr uint32_t kAsCompletedMagic = 0x41734331;  // "AsC1"

}  // namespace ac

// as_completed's iterator (asyncio 3.13's _AsCompletedIterator). Inputs
// are distinct (asyncio takes a set); `index_of` gives each one's index
// among the items given. Invariants: every input is either watched,
// queued in `ready` (finished, not yet handed out), or handed out;
// `handed` counts next() calls that produced a future (at most n).
// `waiters` are futures handed out before anything was ready, oldest
// first; a waiter cancelled by its awaiter is skipped on delivery.
struct ac_as_completed final : ac::Watcher, ac::TimerNode {
  uint32_t magic = ac::kAsCompletedMagic;
  int refs = 1;
  ac_loop *loop;
  std::vector<ac_future *> inputs;  // distinct, one reference each
  std::vector<int64_t> index_of;    // per input: its first index in the items given
  std::vector<bool> finished;       // per input: queued or handed out
  std::deque<int64_t> ready;        // input index, or -1 for "timed out"
  std::deque<ac::NextFuture *> waiters;  // one reference each
  size_t handed = 0;
  size_t unfinished;  // inputs still watched
  bool timer_armed = false;

  explicit ac_as_completed(ac_loop *l) noexcept;
  ~ac_as_completed();
  void ref() noexcept { ++refs; }
  void unref() noexcept {
    if (--refs == 0) delete this;
  }
  // next(): 1 and a new future, or 0 when every input was handed out.
  int next(ac_future **out);
  void on_watched_done(ac_future *f, size_t index) noexcept override;
  void fire() noexcept override;
  void drop_timer() noexcept override {
    timer_armed = false;
    unref();
  }

 private:
  void deliver() noexcept;
  void complete_next(ac::NextFuture *nf, int64_t index) noexcept;
};
