#include "structured/combinators.hpp"

#include <unordered_set>

#include <asyncore/combinators.h>

#include "core/value.hpp"

namespace ac {
namespace {

// Keeps a future alive across a completion that may drop its last
// reference from inside (a timer's reference released in on_done).
struct Hold {
  ac_future *f;
  explicit Hold(ac_future *x) noexcept : f(x) { f->ref(); }
  ~Hold() { f->unref(); }
  Hold(const Hold &) = delete;
  Hold &operator=(const Hold &) = delete;
};

void set_none(ac_future *f) noexcept {
  ac_value none;
  value_init(&none);
  f->set_result(&none);
}

// Fails f with `code` and no message (asyncio's TimeoutError() has none).
void set_error_code(ac_future *f, int code, ac_error *cause) noexcept {
  ac_error *e = nullptr;
  try {
    e = error_new(code, "", cause);
  } catch (...) {
  }
  f->set_error(e);
  error_unref(e);
}

void mark_retrieved(ac_future *f) noexcept {
  if (f->state == AC_FUTURE_ERROR) f->mark_error_retrieved();
}

}  // namespace

// ---- gather ----

GatherFuture::~GatherFuture() {
  unwatch_all();
  for (ac_future *c : children) c->unref();
}

bool GatherFuture::cancel(const char *message) noexcept {
  if (done()) return false;
  Hold hold(this);
  bool any = false;
  // Every argument, as asyncio's _GatheringFuture.cancel: a task passed
  // twice is asked twice (its cancelling() counts both).
  for (ac_future *c : children) {
    if (c->cancel(message)) any = true;
  }
  if (any) cancel_requested = true;
  return any;
}

void GatherFuture::on_watched_done(ac_future *f, size_t) noexcept {
  Hold hold(this);
  ++finished;
  if (done()) {
    // The outcome is decided; later failures are not "never retrieved".
    mark_retrieved(f);
    return;
  }
  if (!return_exceptions) {
    if (f->state == AC_FUTURE_CANCELLED) {
      ac_error *e = cancel_error_of(f);
      set_error(e);
      error_unref(e);
      return;
    }
    if (f->state == AC_FUTURE_ERROR) {
      f->mark_error_retrieved();
      set_error(f->error);
      return;
    }
  }
  if (finished < nfuts) return;
  for (ac_future *c : children) mark_retrieved(c);
  if (cancel_requested) {
    ac_error *e = cancel_error_of(f);
    set_error(e);
    error_unref(e);
  } else {
    set_none(this);
  }
}

// ---- wait ----

WaitFuture::~WaitFuture() {
  unwatch_all();
  for (ac_future *c : items) c->unref();
}

void WaitFuture::on_watched_done(ac_future *f, size_t) noexcept {
  if (done()) return;
  Hold hold(this);
  --remaining;
  if (remaining == 0 || mode == AC_WAIT_FIRST_COMPLETED ||
      (mode == AC_WAIT_FIRST_EXCEPTION && f->state == AC_FUTURE_ERROR))
    set_none(this);
}

void WaitFuture::fire() noexcept {
  // The heap's reference passed to us; on_done finds the timer unarmed.
  if (!done()) set_none(this);
  unref();
}

void WaitFuture::on_done() noexcept {
  unwatch_all();
  if (loop->remove_timer(this)) unref();  // the heap's; every completing path holds another
}

void WaitFuture::partition() {
  if (partitioned) return;
  for (ac_future *c : items) (c->done() ? done_set : pending_set).push_back(c);
  partitioned = true;
}

// ---- wait_for ----

WaitForFuture::~WaitForFuture() {
  unwatch_all();
  if (inner != nullptr) inner->unref();
}

bool WaitForFuture::cancel(const char *message) noexcept {
  if (done()) return false;
  Hold hold(this);
  if (inner->cancel(message)) {
    // Finish once inner has finished cancelling, as asyncio's wait_for
    // waits for the cancelled work.
    cancel_requested = true;
    return true;
  }
  // inner is already done (its outcome not yet delivered): nothing to
  // wait for, the cancellation wins.
  return ac_future::cancel(message);
}

void WaitForFuture::on_watched_done(ac_future *f, size_t) noexcept {
  if (done()) {
    mark_retrieved(f);
    return;
  }
  Hold hold(this);
  if (f->state == AC_FUTURE_CANCELLED && cancel_requested) {
    // The awaiting side was cancelled: that stays a cancellation even if
    // the deadline passed too (asyncio: the outer cancel is not ours).
    cancel_now(cancel_error_of(f));
  } else if (f->state == AC_FUTURE_CANCELLED && expired) {
    ac_error *cause = cancel_error_of(f);
    set_error_code(this, AC_ETIMEDOUT, cause);
    error_unref(cause);
  } else {
    // A result (also one that arrived with the deadline, or after inner
    // swallowed the cancellation), an error, or a cancellation by a third
    // party: passed on as it is.
    complete_like(this, f);
  }
}

void WaitForFuture::fire() noexcept {
  if (!done() && !inner->done()) {
    expired = true;
    inner->cancel(nullptr);
  }
  unref();  // the heap's reference
}

void WaitForFuture::on_done() noexcept {
  unwatch_all();
  if (loop->remove_timer(this)) unref();  // the heap's
}

// ---- shield ----

ShieldFuture::~ShieldFuture() {
  unwatch_all();
  if (inner != nullptr) inner->unref();
}

void ShieldFuture::on_watched_done(ac_future *f, size_t) noexcept {
  if (!done()) complete_like(this, f);
}

void ShieldFuture::on_done() noexcept {
  // Cancelled from outside (or completed): stop listening. When the
  // shield was cancelled, inner goes on, and an error it ends with is
  // reported as never retrieved unless someone else reads it (asyncio).
  unwatch_all();
}

}  // namespace ac

// ---- as_completed ----

ac_as_completed::ac_as_completed(ac_loop *l) noexcept : loop(l), unfinished(0) {
  loop->refs.fetch_add(1, std::memory_order_relaxed);
}

ac_as_completed::~ac_as_completed() {
  unwatch_all();
  // Futures handed out and still waiting would never complete: they are
  // cancelled (documented).
  while (!waiters.empty()) {
    ac::NextFuture *nf = waiters.front();
    waiters.pop_front();
    nf->cancel(nullptr);
    nf->unref();
  }
  for (ac_future *f : inputs) f->unref();
  magic = 0;
  ac_loop *l = loop;
  if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) l->destroy();
}

int ac_as_completed::next(ac_future **out) {
  if (handed == inputs.size()) return 0;
  auto *nf = new ac::NextFuture(loop);
  if (!ready.empty()) {
    int64_t index = ready.front();
    ready.pop_front();
    complete_next(nf, index);
  } else {
    try {
      waiters.push_back(nf);
    } catch (...) {
      nf->unref();
      throw;
    }
    nf->ref();  // the waiters queue's
  }
  ++handed;
  *out = nf;
  return 1;
}

void ac_as_completed::complete_next(ac::NextFuture *nf, int64_t index) noexcept {
  if (index < 0) {
    ac::set_error_code(nf, AC_ETIMEDOUT, nullptr);
    return;
  }
  ac_future *src = inputs[static_cast<size_t>(index)];
  nf->index = index_of[static_cast<size_t>(index)];
  nf->source = src;
  src->ref();  // a shared POINTER result stays valid while nf lives
  ac::complete_like(nf, src);
}

void ac_as_completed::deliver() noexcept {
  while (!ready.empty() && !waiters.empty()) {
    ac::NextFuture *nf = waiters.front();
    waiters.pop_front();
    if (!nf->done()) {
      // A waiter cancelled by its awaiter takes nothing: the input goes to
      // the next one (no completion is lost).
      complete_next(nf, ready.front());
      ready.pop_front();
    }
    nf->unref();
  }
}

void ac_as_completed::on_watched_done(ac_future *, size_t index) noexcept {
  ref();
  finished[index] = true;
  try {
    ready.push_back(static_cast<int64_t>(index));
  } catch (...) {
    // Cannot queue it: report rather than lose track silently.
    loop->report("out of memory in as_completed", nullptr, inputs[index]);
  }
  if (--unfinished == 0 && timer_armed) {
    loop->remove_timer(this);
    timer_armed = false;
    unref();  // the heap's
  }
  deliver();
  unref();
}

void ac_as_completed::fire() noexcept {
  timer_armed = false;
  unwatch_all();
  unfinished = 0;
  // Every input not reported yet times out, also one already done whose
  // callback has not run (asyncio 3.13 removes the callbacks and queues a
  // timeout for each input left).
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (finished[i]) continue;
    finished[i] = true;
    try {
      ready.push_back(-1);
    } catch (...) {
    }
  }
  deliver();
  unref();  // the heap's reference
}
