// watch.hpp — how composite futures (gather, wait, as_completed, wait_for,
// shield, task groups) hear that the futures they combine are done, and how
// they pass an outcome on.
//
// A Watcher registers a done-callback entry on each watched future. The
// entries of the futures watched together (a gather's children) are one
// block, allocated once. An entry points back to its watcher only weakly:
// the watched futures never keep their watcher alive, so a watcher holding
// references to what it watches makes no reference cycle. When the watcher
// goes away (or stops watching), the watches are cut: entries not yet
// scheduled are removed, entries already in the ready queue find the cut
// and do nothing.
#pragma once

#include <cstddef>

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

 protected:
  ~Watcher() { unwatch_all(); }

 private:
  friend struct WatchBlock;
  // The blocks with watches still in place, the one being filled first.
  // A block leaves the list when every entry it will hold has run.
  WatchBlock *blocks_ = nullptr;
  size_t reserve_ = 0;
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
