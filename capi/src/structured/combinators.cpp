// combinators.cpp — ac_gather, ac_wait, ac_as_completed_*, ac_wait_for,
// ac_shield at the boundary.
#include <cmath>
#include <new>

#include "core/pool.hpp"
#include "core/value.hpp"
#include "structured/combinators.hpp"
#include "../shim.hpp"

using ac::shim::fail;

using ac::shim::check_loop;
using ac::shim::check_loop_fast;

namespace {

// Futures of `loop`, none NULL; items may be NULL only when n == 0.
int check_items(const ac_loop *loop, ac_future *const *items, size_t n) noexcept {
  if (n != 0 && items == nullptr) return fail(AC_EINVAL);
  for (size_t i = 0; i < n; ++i)
    if (!ac::is_future(items[i]) || items[i]->loop != loop) return fail(AC_EINVAL);
  return 0;
}

// Any number but NaN: a timeout <= 0 is due at once (asyncio).
bool valid_timeout(double t) noexcept { return !std::isnan(t); }

// Arms `node`'s timer for `timeout` seconds; the heap holds a reference
// to `f` while armed.
void arm(ac_loop *loop, ac::TimerNode *node, ac_future *f, double timeout) {
  if (std::isinf(timeout)) return;
  f->ref();
  try {
    loop->add_timer(node, loop->now() + timeout);
  } catch (...) {
    f->unref();
    throw;
  }
}

template <class T>
T *as(const ac_future *f) noexcept {
  return ac::is_future(f) && f->combinator_kind == T::kKind
             ? static_cast<T *>(const_cast<ac_future *>(f))
             : nullptr;
}

}  // namespace

// Runs `build` on a new object; on an exception the object is released
// (its destructor cuts watches and drops references) and the error code
// returned.
template <class T, class Build>
int make(T *obj, ac_future **out, Build build) noexcept {
  try {
    build(obj);
  } catch (const std::bad_alloc &) {
    obj->unref();
    return fail(AC_ENOMEM);
  } catch (...) {
    obj->unref();
    return fail(AC_EINTERNAL);
  }
  *out = obj;
  return 0;
}

// Each item's first occurrence, without allocating: a future passed more
// than once counts once. The constructor marks every distinct future
// (count() of them); walking the items in order, take(i) is then true for
// the first occurrence of each and clears its mark, so the repeats after
// it are false. Marks left (an exception on the way) are cleared by the
// destructor.
namespace {
class FirstOccurrences {
 public:
  FirstOccurrences(ac_future *const *items, size_t n) noexcept : items_(items), n_(n) {
    for (size_t i = 0; i < n; ++i) {
      if (items[i]->seen_mark) continue;
      items[i]->seen_mark = true;
      ++count_;
    }
  }
  FirstOccurrences(const FirstOccurrences &) = delete;
  FirstOccurrences &operator=(const FirstOccurrences &) = delete;
  ~FirstOccurrences() {
    if (taken_ == count_) return;  // every mark cleared already
    for (size_t i = 0; i < n_; ++i) items_[i]->seen_mark = false;
  }
  size_t count() const noexcept { return count_; }
  bool take(size_t i) noexcept {
    if (!items_[i]->seen_mark) return false;
    items_[i]->seen_mark = false;
    ++taken_;
    return true;
  }

 private:
  ac_future *const *items_;
  size_t n_;
  size_t count_ = 0;
  size_t taken_ = 0;
};
}  // namespace

// ---- gather ----

AC_API int ac_gather(ac_loop *loop, ac_future *const *items, size_t n, uint32_t flags,
                     ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || (flags & ~uint32_t{AC_GATHER_RETURN_EXCEPTIONS}) != 0) return fail(AC_EINVAL);
  if ((rc = check_items(loop, items, n)) != 0) return rc;
  auto *g = new (std::nothrow) ac::GatherFuture(loop);
  if (g == nullptr) return fail(AC_ENOMEM);
  return make(g, out, [&](ac::GatherFuture *x) {
    x->return_exceptions = (flags & AC_GATHER_RETURN_EXCEPTIONS) != 0;
    x->children.reserve(n);
    ac::prefault(x->children.data(), n * sizeof(ac_future *));  // filled at once
    for (size_t i = 0; i < n; ++i) {
      items[i]->ref();
      x->children.push_back(items[i]);
    }
    if (n == 0) {
      ac_value none;
      ac::value_init(&none);
      x->set_result(&none);
      return;
    }
    // Each distinct child once: watched when pending; when already done,
    // its outcome counts at once, in argument order, so a gather of done
    // children is done when made (asyncio 3.12).
    FirstOccurrences firsts(items, n);
    x->nfuts = firsts.count();
    x->reserve_watches(firsts.count());
    std::vector<ac_future *> done_now;
    for (size_t i = 0; i < n; ++i) {
      if (!firsts.take(i)) continue;
      if (items[i]->done())
        done_now.push_back(items[i]);
      else
        x->watch(items[i], i);
    }
    for (ac_future *f : done_now) x->on_watched_done(f, 0);
  });
}

AC_API int64_t ac_gather_count(const ac_future *gather) noexcept {
  auto *g = as<ac::GatherFuture>(gather);
  return g != nullptr ? static_cast<int64_t>(g->children.size()) : fail(AC_EINVAL);
}

AC_API ac_future *ac_gather_item(const ac_future *gather, size_t index) noexcept {
  auto *g = as<ac::GatherFuture>(gather);
  return g != nullptr && index < g->children.size() ? g->children[index] : nullptr;
}

AC_API int ac_gather_result_at(ac_future *gather, size_t index, ac_value *out) noexcept {
  auto *g = as<ac::GatherFuture>(gather);
  if (g == nullptr || index >= g->children.size()) return fail(AC_EINVAL);
  return ac_future_result(g->children[index], out);
}

// ---- wait ----

AC_API int ac_wait(ac_loop *loop, ac_future *const *items, size_t n, int mode, double timeout,
                   ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || n == 0 || !valid_timeout(timeout) || mode < AC_WAIT_ALL_COMPLETED ||
      mode > AC_WAIT_FIRST_EXCEPTION)
    return fail(AC_EINVAL);
  if ((rc = check_items(loop, items, n)) != 0) return rc;
  auto *w = new (std::nothrow) ac::WaitFuture(loop, mode);
  if (w == nullptr) return fail(AC_ENOMEM);
  return make(w, out, [&](ac::WaitFuture *x) {
    FirstOccurrences firsts(items, n);
    x->items.reserve(firsts.count());
    x->reserve_watches(firsts.count());
    for (size_t i = 0; i < n; ++i) {
      if (!firsts.take(i)) continue;
      items[i]->ref();
      x->items.push_back(items[i]);
    }
    x->remaining = x->items.size();
    for (size_t i = 0; i < x->items.size(); ++i) x->watch(x->items[i], i);
    arm(loop, x, x, timeout);
  });
}

static ac::WaitFuture *completed_wait(ac_future *wait, int *rc) noexcept {
  auto *w = as<ac::WaitFuture>(wait);
  if (w == nullptr) {
    *rc = fail(AC_EINVAL);
    return nullptr;
  }
  if (w->state != AC_FUTURE_RESULT) {
    *rc = fail(AC_ESTATE);
    return nullptr;
  }
  try {
    w->partition();
  } catch (...) {
    *rc = fail(AC_ENOMEM);
    return nullptr;
  }
  return w;
}

AC_API int64_t ac_wait_done_count(ac_future *wait) noexcept {
  int rc = 0;
  ac::WaitFuture *w = completed_wait(wait, &rc);
  return w != nullptr ? static_cast<int64_t>(w->done_set.size()) : rc;
}
AC_API int64_t ac_wait_pending_count(ac_future *wait) noexcept {
  int rc = 0;
  ac::WaitFuture *w = completed_wait(wait, &rc);
  return w != nullptr ? static_cast<int64_t>(w->pending_set.size()) : rc;
}
AC_API ac_future *ac_wait_done_at(ac_future *wait, size_t index) noexcept {
  int rc = 0;
  ac::WaitFuture *w = completed_wait(wait, &rc);
  return w != nullptr && index < w->done_set.size() ? w->done_set[index] : nullptr;
}
AC_API ac_future *ac_wait_pending_at(ac_future *wait, size_t index) noexcept {
  int rc = 0;
  ac::WaitFuture *w = completed_wait(wait, &rc);
  return w != nullptr && index < w->pending_set.size() ? w->pending_set[index] : nullptr;
}

// ---- as_completed ----

static ac_as_completed *valid_iter(ac_as_completed *it) noexcept {
  return it != nullptr && it->magic == ac::kAsCompletedMagic ? it : nullptr;
}

AC_API int ac_as_completed_new(ac_loop *loop, ac_future *const *items, size_t n, double timeout,
                               ac_as_completed **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || !valid_timeout(timeout)) return fail(AC_EINVAL);
  if ((rc = check_items(loop, items, n)) != 0) return rc;
  auto *it = new (std::nothrow) ac_as_completed(loop);
  if (it == nullptr) return fail(AC_ENOMEM);
  try {
    // Each distinct input once (asyncio iterates a set of them).
    FirstOccurrences firsts(items, n);
    it->inputs.reserve(firsts.count());
    it->index_of.reserve(firsts.count());
    it->reserve_watches(firsts.count());
    for (size_t i = 0; i < n; ++i) {
      if (!firsts.take(i)) continue;
      items[i]->ref();
      it->inputs.push_back(items[i]);
      it->index_of.push_back(static_cast<int64_t>(i));
    }
    it->finished.assign(it->inputs.size(), false);
    for (size_t i = 0; i < it->inputs.size(); ++i) {
      it->watch(it->inputs[i], i);
      ++it->unfinished;
    }
    if (n != 0 && !std::isinf(timeout)) {
      it->ref();
      try {
        loop->add_timer(it, loop->now() + timeout);
      } catch (...) {
        it->refs--;
        throw;
      }
      it->timer_armed = true;
    }
  } catch (...) {
    it->unref();
    return fail(AC_ENOMEM);
  }
  *out = it;
  return 0;
}

AC_API ac_as_completed *ac_as_completed_ref(ac_as_completed *it) noexcept {
  if (valid_iter(it) != nullptr) it->ref();
  return it;
}
AC_API void ac_as_completed_unref(ac_as_completed *it) noexcept {
  if (valid_iter(it) != nullptr) it->unref();
}

AC_API int ac_as_completed_next(ac_as_completed *it, ac_future **out) noexcept {
  if (valid_iter(it) == nullptr || out == nullptr) return fail(AC_EINVAL);
  int rc = check_loop_fast(it->loop);
  if (rc != 0) return rc;
  *out = nullptr;
  AC_GUARD(return it->next(out);)
}

AC_API int64_t ac_as_completed_index(const ac_future *next) noexcept {
  auto *nf = as<ac::NextFuture>(next);
  return nf != nullptr ? nf->index : static_cast<int64_t>(AC_EINVAL);
}

// ---- wait_for ----

AC_API int ac_wait_for(ac_loop *loop, ac_future *fut, double timeout, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || !valid_timeout(timeout) || !ac::is_future(fut) || fut->loop != loop)
    return fail(AC_EINVAL);
  // Already done: its outcome as it is, without a wait (asyncio 3.12
  // awaits it directly, which does not suspend).
  if (fut->done()) {
    fut->ref();
    *out = fut;
    return 0;
  }
  auto *w = new (std::nothrow) ac::WaitForFuture(loop);
  if (w == nullptr) return fail(AC_ENOMEM);
  return make(w, out, [&](ac::WaitForFuture *x) {
    fut->ref();
    x->inner = fut;
    x->watch(fut, 0);
    if (timeout <= 0) {
      // No time at all: cancelled now, in the call, so work not started
      // never starts; the outcome once it has finished cancelling.
      x->expired = true;
      fut->cancel(nullptr);
    } else {
      arm(loop, x, x, timeout);
    }
  });
}

// ---- shield ----

AC_API int ac_shield(ac_loop *loop, ac_future *fut, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || !ac::is_future(fut) || fut->loop != loop) return fail(AC_EINVAL);
  if (fut->done()) {
    fut->ref();
    *out = fut;
    return 0;
  }
  auto *s = new (std::nothrow) ac::ShieldFuture(loop);
  if (s == nullptr) return fail(AC_ENOMEM);
  return make(s, out, [&](ac::ShieldFuture *x) {
    fut->ref();
    x->inner = fut;
    x->watch(fut, 0);
  });
}
