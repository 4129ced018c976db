// watch.hpp — how composite futures (gather, wait, as_completed, wait_for,
// shield, task groups) hear that the futures they combine are done, and how
// they pass an outcome on.
//
// A Watcher registers a done-callback entry on each watched future. The
// entries of the futures watched together (a gather's children) are one
// block, allocated once. A watcher that never reads the index, and can
// find the futures it watches again (a gather's children, a group's
// tasks), may watch a pending task nobody else waits for without any
// entry (allow_direct_watches): the task's callback
// list is then the watcher's address, and the task, once done, goes to
// the ready queue itself to tell it; the watch becomes an entry if another
// callback comes. An entry points back to its watcher only weakly:
// the watched futures never keep their watcher alive, so a watcher holding
// references to what it watches makes no reference cycle. When the watcher
// goes away (or stops watching), the watches are cut: entries not yet
// scheduled are removed, entries already in the ready queue find the cut
// and do nothing.
#pragma once

#include <cstddef>
#include <vector>

#include "core/future.hpp"

namespace ac {

struct WatchBlock;

class Watcher {
 public:
  Watcher() = default;
  Watcher(const Watcher &) = delete;
  Watcher &operator=(const Watcher &) = delete;

  // Called through the loop (never inline) once `f` is done, with the
  // `index` given to watch(), unless the watch was cut first.
  virtual void on_watched_done(ac_future *f, size_t index) noexcept = 0;

  // Registers a watch on `f` (which must stay alive while watched: callers
  // hold a reference). Throws std::bad_alloc.
  void watch(ac_future *f, size_t index);
  // Cuts every watch still in place.
  void unwatch_all() noexcept;
  // Room for the next n watches in one block (one allocation for all of
  // them, made by the first of them), as a gather over n futures needs.
  void reserve_watches(size_t n) noexcept { reserve_ = n; }
  // The blocks this watcher still holds (tests/cpp/watch_test.cpp).
  size_t blocks_held() const noexcept;
  // The context of the direct watches (current when the first was made).
  Context *direct_context() const noexcept { return direct_context_; }
  // A direct watch ended by its notice (the task is done and told this
  // watcher) rather than by a cut.
  void direct_watch_ended() noexcept { --direct_live_; }

 protected:
  // Direct watches from now on. The watcher must find again every future
  // it watches directly when it cuts its watches: cut_direct_watches()
  // calls cut_direct(f) for each, and by default walks `*targets`. The
  // derived watcher's destructor cuts them (unwatch_all) before its
  // members go.
  void allow_direct_watches(const std::vector<ac_future *> *targets) noexcept {
    direct_ok_ = true;
    direct_futures_ = targets;
  }
  virtual void cut_direct_watches() noexcept;
  // Cuts f's direct watch if it is this watcher's; false once none is
  // left to cut (the walk may stop).
  bool cut_direct(ac_future *f) noexcept;
  ~Watcher() {
    AC_DEBUG_ASSERT(!direct_, "direct watches cut by the derived watcher");
    unwatch_all();
  }

 private:
  friend struct WatchBlock;
  friend Runnable *direct_watch_entry(ac_future *f, Watcher *w);
  // An entry for `f` in context `c`, in a block of this watcher's, listed
  // but not yet in f's callback list. Throws std::bad_alloc.
  Runnable *make_entry(ac_future *f, size_t index, Context *c);
  // The blocks with watches still in place, the one being filled first.
  // A block leaves the list when every entry it will hold has run.
  WatchBlock *blocks_ = nullptr;
  size_t reserve_ = 0;
  bool direct_ok_ = false;
  const std::vector<ac_future *> *direct_futures_ = nullptr;
  // Direct watches may be in place (since the first, until unwatch_all),
  // all made in direct_context_ (a reference; null is the empty context).
  bool direct_ = false;
  Context *direct_context_ = nullptr;
  // Direct watches not yet ended by a notice or turned into an entry: the
  // cut walks the targets only while some may be left.
  size_t direct_live_ = 0;
};

// The future side of a watch (Runnable::kWatch entries of a future's
// callback list, watch.cpp's WatchLink): `f` is done and the entry goes to
// the ready queue, holding a reference to `f`; or `f` lets the entry go
// without scheduling it (released, never run).
void watch_entry_scheduled(Runnable *r, ac_future *f) noexcept;
void watch_entry_released(Runnable *r) noexcept;

// Completes `dst` (pending, not a task) with the outcome of `src` (done):
// a result is copied (bytes duplicated; a POINTER is shared without its
// destructor, `src` keeps ownership, so `dst`'s owner must keep `src`
// alive), an error is the same ac_error, a cancellation stays one.
// Marks src's error as retrieved: dst now carries it.
void complete_like(ac_future *dst, ac_future *src) noexcept;

// A cancellation error for `f` (its own, or a new default one); NULL only
// when out of memory. Returns a new reference.
ac_error *cancel_error_of(ac_future *f) noexcept;

}  // namespace ac
