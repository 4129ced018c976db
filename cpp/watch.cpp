#include "watch.hpp"

#include "pool.hpp"
#include "value.hpp"

namespace ac {

// One watch: shared by the watcher (until it cuts the link) and by the
// done-callback registration (until the callback ran or was removed).
// Invariant: `owner` is non-null exactly while the link is in
// owner->links_ at position `slot`.
struct WatchLink {
  Watcher *owner;
  ac_future *target;
  size_t index;
  size_t slot;
  int refs = 2;
  AC_POOLED

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
  static void on_done(ac_future *f, void *ud) {
    auto *link = static_cast<WatchLink *>(ud);
    if (link->owner == nullptr) return;
    Watcher *w = link->owner;
    link->detach();
    link->unref();  // the watcher's share
    w->on_watched_done(f, link->index);
  }
  static void release(void *ud) { static_cast<WatchLink *>(ud)->unref(); }
};

void Watcher::watch(ac_future *f, size_t index) {
  auto *link = new WatchLink{this, f, index, links_.size()};
  try {
    links_.push_back(link);
  } catch (...) {
    delete link;
    throw;
  }
  FutureCallback *cb;
  try {
    cb = new FutureCallback(&WatchLink::on_done, link, &WatchLink::release,
                            context_ref(*f->loop->current_context));
  } catch (...) {
    links_.pop_back();
    delete link;
    throw;
  }
  try {
    f->add_callback(cb);
  } catch (...) {
    link->detach();
    link->unref();
    delete cb;  // runs free_ud: the registration's share
    throw;
  }
}

void Watcher::unwatch_all() noexcept {
  while (!links_.empty()) {
    WatchLink *link = links_.back();
    links_.pop_back();
    link->owner = nullptr;
    // A registration not yet scheduled is removed now (its free_ud drops
    // the registration's share); a scheduled one finds owner == nullptr.
    link->target->remove_user_callbacks(&WatchLink::on_done, link);
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
      src->error_retrieved = true;
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
