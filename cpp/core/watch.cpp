#include "core/watch.hpp"

#include <cstdint>
#include <new>

#include "core/assert.hpp"
#include "core/pool.hpp"
#include "core/value.hpp"

namespace ac {

// The watches a Watcher made together: a header, then `capacity` entries,
// in one allocation. Each entry is the done-callback entry of one watched
// future (Runnable::kWatch in its callback list), then, once that future is
// done, a ready-queue entry holding a reference to it.
//
// An entry is LISTED (in its target's callback list), FIRED (in the ready
// queue, holding a reference to the target) or FREE (not in use, or done
// with). `live` counts the entries LISTED or FIRED: the block is freed
// when none is left and no entry will be added any more (every slot used,
// or the watcher cut its watches). `owner` is non-null while the block is
// in its watcher's list; entries that run after the cut do nothing but
// let their target go.
struct WatchEntry final : Runnable {
  enum State : uint8_t { kFree = 0, kListed = 1, kFired = 2 };
  State state = kFree;
  uint32_t slot;   // position in the block
  uint32_t index;  // what watch() was given
  ac_future *target;

  inline WatchBlock *block() noexcept;
  void run() noexcept override;
  void drop() noexcept override;
};
static_assert(sizeof(WatchEntry) == 32, "a watch entry is 32 bytes");

struct WatchBlock {
  Watcher *owner;
  Context *context;  // the context current when the watches were made
  WatchBlock *prev = nullptr, *next = nullptr;
  uint32_t capacity, used = 0, live = 0;

  static size_t bytes(uint32_t capacity) noexcept { return sizeof(WatchBlock) + capacity * sizeof(WatchEntry); }
  WatchEntry *entries() noexcept { return reinterpret_cast<WatchEntry *>(this + 1); }

  // A block for `capacity` watches of `owner` in context `c`, first in its
  // list. Throws std::bad_alloc.
  static WatchBlock *make(Watcher *owner, uint32_t capacity, Context *c) {
    void *mem = pool_alloc(bytes(capacity));
    prefault(mem, bytes(capacity));  // a gather's: filled entry by entry at once
    auto *b = new (mem) WatchBlock(owner, c, capacity);
    b->next = owner->blocks_;
    if (b->next != nullptr) b->next->prev = b;
    owner->blocks_ = b;
    return b;
  }
  void unlink() noexcept {
    if (prev != nullptr) prev->next = next;
    else owner->blocks_ = next;
    if (next != nullptr) next->prev = prev;
    prev = next = nullptr;
  }
  void destroy() noexcept {
    uint32_t cap = capacity;
    context_unref(context);
    this->~WatchBlock();
    pool_free(this, bytes(cap));
  }
  // An entry is done with: the block goes once nothing more can happen in it.
  void entry_finished() noexcept {
    if (--live != 0) return;
    if (owner == nullptr) {
      destroy();
    } else if (used == capacity) {
      unlink();
      destroy();
    }
  }

 private:
  WatchBlock(Watcher *o, Context *c, uint32_t cap) noexcept : owner(o), context(context_ref(c)), capacity(cap) {}
};
static_assert(sizeof(WatchBlock) % alignof(WatchEntry) == 0, "entries follow the header aligned");

WatchBlock *WatchEntry::block() noexcept { return reinterpret_cast<WatchBlock *>(this - slot) - 1; }

void WatchEntry::run() noexcept {
  ac_future *f = target;
  state = kFree;
  WatchBlock *b = block();
  if (Watcher *w = b->owner) {
    DoneCallbackScope scope(f->loop, b->context);  // as a done-callback
    w->on_watched_done(f, index);
  }
  f->unref();  // the ready queue's reference
  b->entry_finished();
}

void WatchEntry::drop() noexcept {
  if (state == kFired) target->unref();
  state = kFree;
  block()->entry_finished();
}

void watch_entry_scheduled(Runnable *r, ac_future *f) noexcept {
  auto *e = static_cast<WatchEntry *>(r);
  AC_DEBUG_ASSERT(e->target == f && e->state == WatchEntry::kListed, "an entry is scheduled once, by its target");
  f->ref();
  e->state = WatchEntry::kFired;
}

void watch_entry_released(Runnable *r) noexcept {
  auto *e = static_cast<WatchEntry *>(r);
  e->state = WatchEntry::kFree;
  e->block()->entry_finished();
}

Runnable *Watcher::make_entry(ac_future *f, size_t index, Context *c) {
  // An index is a position among the futures combined: 2^32 of them would
  // not fit in memory with their entries.
  if (index > UINT32_MAX) throw std::bad_alloc();
  WatchBlock *b = blocks_;
  if (b == nullptr || b->used == b->capacity || b->context != c) {
    size_t cap = reserve_ > 1 && reserve_ <= UINT32_MAX ? reserve_ : 1;
    b = WatchBlock::make(this, static_cast<uint32_t>(cap), c);
  }
  WatchEntry *e = new (b->entries() + b->used) WatchEntry;
  e->kind = Runnable::kWatch;
  e->slot = b->used;
  e->index = static_cast<uint32_t>(index);
  e->target = f;
  e->state = WatchEntry::kListed;
  ++b->used;
  ++b->live;
  return e;
}

Runnable *direct_watch_entry(ac_future *f, Watcher *w) {
  AC_DEBUG_ASSERT(w != nullptr && w->direct_, "a direct watch to turn into an entry");
  Runnable *e = w->make_entry(f, 0, w->direct_context_);
  f->clear_direct_watcher();  // the caller puts the entry in its place
  --w->direct_live_;
  return e;
}

void Watcher::watch(ac_future *f, size_t index) {
  Context *c = *f->loop->current_context;
  if (direct_ok_ && f->is_task && !f->done() && !f->has_callbacks() &&
      (!direct_ || direct_context_ == c)) {
    if (!direct_) {
      direct_ = true;
      direct_context_ = context_ref(c);
    }
    if (reserve_ > 0) --reserve_;
    f->set_direct_watcher(this);
    ++direct_live_;
    return;
  }
  auto *e = static_cast<WatchEntry *>(make_entry(f, index, c));
  if (reserve_ > 0) --reserve_;
  try {
    f->add_callback(e);
  } catch (...) {
    // Not registered (out of memory growing the callback list, or the
    // ready queue when `f` is done: then it holds a reference already).
    if (e->state == WatchEntry::kFired) f->unref();
    e->state = WatchEntry::kFree;
    e->block()->entry_finished();
    throw;
  }
}

bool Watcher::cut_direct(ac_future *f) noexcept {
  if (f->direct_watcher() == this) {
    f->clear_direct_watcher();
    --direct_live_;
  }
  return direct_live_ != 0;
}

void Watcher::cut_direct_watches() noexcept {
  if (direct_futures_ == nullptr) return;
  for (ac_future *f : *direct_futures_)
    if (!cut_direct(f)) return;
}

size_t Watcher::blocks_held() const noexcept {
  size_t n = 0;
  for (const WatchBlock *b = blocks_; b != nullptr; b = b->next) ++n;
  return n;
}

void Watcher::unwatch_all() noexcept {
  reserve_ = 0;
  if (direct_) {
    // A task still watched directly stops being so; one whose notice is
    // in the ready queue finds nobody to tell when it runs.
    // (A watch the loop's close or a failed scheduling let go counts as
    // live: the walk then finds nothing to cut.)
    if (direct_live_ != 0) cut_direct_watches();
    direct_live_ = 0;
    context_unref(direct_context_);
    direct_context_ = nullptr;
    direct_ = false;
  }
  while (WatchBlock *b = blocks_) {
    b->unlink();
    b->owner = nullptr;
    // An entry not yet scheduled is taken off its target's list now; a
    // scheduled one finds owner == nullptr when it runs.
    WatchEntry *e = b->entries();
    for (uint32_t i = 0; i < b->used && b->live != 0; ++i) {
      if (e[i].state == WatchEntry::kListed && e[i].target->remove_callback(&e[i])) {
        e[i].state = WatchEntry::kFree;
        --b->live;
      }
    }
    if (b->live == 0) b->destroy();
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
