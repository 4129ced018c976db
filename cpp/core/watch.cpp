#include "core/watch.hpp"

#include <cstdint>
#include <new>

#include "core/assert.hpp"
#include "core/pool.hpp"
#include "core/value.hpp"

namespace ac {

// One watch: shared by the watcher (until it cuts the link) and by the
// watched future's callback list, then the ready queue (until it ran, was
// dropped, or was removed unscheduled). It is its own done-callback entry:
// no callback object per watch.
// Invariant: `owner` is non-null exactly while the link is in
// owner->links_ at position `slot`; `fired` is set, with a reference held
// to the target, while the entry waits in the ready queue.
struct WatchLink final : Runnable {
  // These three sit in Runnable's tail padding, after its kind: a link is
  // a 48-byte block (the static_assert below), one per watched future.
  bool fired = false;
  uint8_t refs = 2;
  uint32_t index;
  Watcher *owner;
  ac_future *target;
  Context *context;  // the context current when the watch was made
  size_t slot;
  AC_POOLED

  WatchLink(Watcher *o, ac_future *t, uint32_t i, size_t s, Context *c) noexcept
      : index(i), owner(o), target(t), context(c), slot(s) {
    kind = kWatch;
  }
  ~WatchLink() { context_unref(context); }

  void unref() noexcept {
    if (--refs == 0) delete this;
  }
  // Leaves the owner's list (swap-remove).
  void detach() noexcept {
    auto &links = owner->links_;
    WatchLink *last = links.back();
    links[slot] = last;
    last->slot = slot;
    links.pop_back();
    owner = nullptr;
  }
  void run() noexcept override {
    ac_future *f = target;
    fired = false;
    if (owner != nullptr) {
      DoneCallbackScope scope(f->loop, context);  // as a done-callback
      Watcher *w = owner;
      detach();
      unref();  // the watcher's share
      w->on_watched_done(f, index);
    }
    f->unref();  // the ready queue's reference
    unref();     // the callback list's share
  }
  void drop() noexcept override {
    if (fired) target->unref();
    fired = false;
    unref();
  }
};
static_assert(sizeof(WatchLink) == 48, "a watch link fits a 48-byte block");

void watch_entry_scheduled(Runnable *r, ac_future *f) noexcept {
  auto *link = static_cast<WatchLink *>(r);
  AC_DEBUG_ASSERT(link->target == f && !link->fired, "a link is scheduled once, by its target");
  f->ref();
  link->fired = true;
}

void watch_entry_released(Runnable *r) noexcept { static_cast<WatchLink *>(r)->unref(); }

void Watcher::watch(ac_future *f, size_t index) {
  // An index is a position among the futures combined: 2^32 of them would
  // not fit in memory with their links.
  if (index > UINT32_MAX) throw std::bad_alloc();
  auto *link = new WatchLink(this, f, static_cast<uint32_t>(index), links_.size(),
                             context_ref(*f->loop->current_context));
  try {
    links_.push_back(link);
  } catch (...) {
    delete link;
    throw;
  }
  try {
    f->add_callback(link);
  } catch (...) {
    link->detach();
    delete link;
    throw;
  }
}

void Watcher::unwatch_all() noexcept {
  while (!links_.empty()) {
    WatchLink *link = links_.back();
    links_.pop_back();
    link->owner = nullptr;
    // An entry not yet scheduled is taken off the list now (the list's
    // share goes with it); a scheduled one finds owner == nullptr.
    if (link->target->remove_callback(link)) link->unref();
    link->unref();
  }
}

ac_error *cancel_error_of(ac_future *f) noexcept {
  if (f != nullptr && f->state == AC_FUTURE_CANCELLED && f->error != nullptr)
    return error_ref(f->error);
  return make_cancel_error_noexcept(nullptr);
}

void complete_like(ac_future *dst, ac_future *src) noexcept {
  if (dst->done()) return;
  switch (src->state) {
    case AC_FUTURE_RESULT: {
      ac_value v;
      value_init(&v);
      if (src->result.kind == AC_VALUE_POINTER) {
        v = src->result;
        v.u.pointer.free_fn = nullptr;  // shared: src keeps ownership
      } else if (value_copy_in(&v, &src->result) != 0) {
        ac_error *e = nullptr;
        try {
          e = error_new(AC_ENOMEM, nullptr);
        } catch (...) {
        }
        dst->set_error(e);
        error_unref(e);
        return;
      }
      dst->set_result(&v);
      return;
    }
    case AC_FUTURE_ERROR:
      src->mark_error_retrieved();
      dst->set_error(src->error);
      return;
    case AC_FUTURE_CANCELLED:
      dst->cancel_now(cancel_error_of(src));
      return;
    default:
      return;
  }
}

}  // namespace ac
