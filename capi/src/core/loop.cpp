// loop.cpp — ac_loop_* and ac_handle_* at the boundary.
#include <cmath>

#include "core/future.hpp"
#include "core/handle.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::fail;
using ac::shim::run_free;

AC_API int ac_loop_new(uint32_t flags, ac_loop **out) noexcept {
  if (out == nullptr || (flags & ~uint32_t{AC_LOOP_VIRTUAL_CLOCK | AC_LOOP_DEBUG}) != 0)
    return fail(AC_EINVAL);
  AC_GUARD(int rc = 0; ac_loop *l = ac_loop::create(flags, &rc); if (l == nullptr) return rc;
           *out = l; return 0;)
}

AC_API int ac_loop_new_on_uv(uv_loop_t *host, uint32_t flags, ac_loop **out) noexcept {
  // The virtual clock would jump over the host's own timers: refused.
  if (host == nullptr || out == nullptr || (flags & ~uint32_t{AC_LOOP_DEBUG}) != 0)
    return fail(AC_EINVAL);
  AC_GUARD(int rc = 0; ac_loop *l = ac_loop::create_on(host, flags, &rc);
           if (l == nullptr) return rc; *out = l; return 0;)
}

AC_API ac_loop *ac_loop_ref(ac_loop *loop) noexcept {
  if (loop != nullptr) loop->user_refs.fetch_add(1, std::memory_order_relaxed);
  return loop;
}

AC_API void ac_loop_unref(ac_loop *loop) noexcept {
  if (loop == nullptr) return;
  if (loop->user_refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // The last user reference: close (if we may), then drop the users' share.
  if (!loop->closed && !loop->running && loop->owned_by_caller()) loop->close();
  if (loop->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) loop->destroy();
}

AC_API int ac_loop_close(ac_loop *loop) noexcept {
  if (loop == nullptr) return fail(AC_EINVAL, nullptr);
  if (loop->closed) return fail(AC_ECLOSED, ac::shim::kLoopClosed);
  if (loop->running) return fail(AC_ERUNNING, "Cannot close a running event loop");
  if (!loop->owned_by_caller()) return fail(AC_EWRONGTHREAD, ac::shim::kWrongThread);
  return loop->close();
}

AC_API int ac_loop_is_closed(const ac_loop *loop) noexcept {
  return loop == nullptr ? AC_EINVAL : loop->closed ? 1 : 0;
}
AC_API int ac_loop_is_running(const ac_loop *loop) noexcept {
  return loop == nullptr ? AC_EINVAL : loop->running ? 1 : 0;
}

// Checks shared by every way of running the loop, in asyncio's order:
// this loop already running ("This event loop is already running"), then
// another loop running on this thread ("Cannot run the event loop while
// another loop is running"). Only the owner runs it: a run never moves the
// loop to another thread (ac_loop_bind_thread does).
static int check_can_run(ac_loop *loop) noexcept {
  if (loop == nullptr) return fail(AC_EINVAL, nullptr);
  if (loop->closed) return fail(AC_ECLOSED, ac::shim::kLoopClosed);
  if (!loop->owned_by_caller()) return fail(AC_EWRONGTHREAD, ac::shim::kWrongThread);
  if (loop->hosted) return fail(AC_ENOTSUP, "a loop on a host's libuv loop runs in the host's uv_run");
  if (loop->running) return fail(AC_ERUNNING, "This event loop is already running");
  if (ac::running_loop() != nullptr)
    return fail(AC_ERUNNING, "Cannot run the event loop while another loop is running");
  return 0;
}

AC_API int ac_loop_interrupt(ac_loop *loop) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (!loop->running) return ac::shim::fail(AC_ESTATE, "the loop is not running");
  loop->interrupt();
  return 0;
}

AC_API int ac_loop_bind_thread(ac_loop *loop) noexcept {
  if (loop == nullptr) return fail(AC_EINVAL);
  return loop->bind_thread();
}

AC_API int ac_loop_run_until_complete(ac_loop *loop, ac_future *future) noexcept {
  int rc = check_can_run(loop);
  if (rc != 0) return rc;
  if (!ac::is_future(future) || future->loop != loop) return fail(AC_EINVAL);
  AC_GUARD(return loop->run_until_complete(future);)
}

AC_API int ac_loop_run_forever(ac_loop *loop) noexcept {
  int rc = check_can_run(loop);
  if (rc != 0) return rc;
  AC_GUARD(return loop->run_forever();)
}

AC_API int ac_loop_stop(ac_loop *loop) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  loop->stop();
  return 0;
}

AC_API int64_t ac_loop_step(ac_loop *loop, double max_block, int *pending,
                            double *next_deadline) noexcept {
  int rc = check_can_run(loop);
  if (rc != 0) return rc;
  if (!(max_block >= 0)) return fail(AC_EINVAL);  // also NaN
  // As uv_run(UV_RUN_ONCE) with no active handles: with nothing to wait
  // for, one iteration that does not block.
  if (max_block > 0 && !loop->has_pending_work()) max_block = 0;
  AC_GUARD(return loop->step(max_block, pending, next_deadline);)
}

AC_API int ac_loop_backend_fd(const ac_loop *loop) noexcept {
  if (loop == nullptr) return fail(AC_EINVAL);
  if (loop->closed) return fail(AC_ECLOSED);
  if (loop->hosted) return fail(AC_ENOTSUP);  // the host's loop polls
  int fd = uv_backend_fd(loop->uvl);
  return fd >= 0 ? fd : fail(AC_ENOTSUP);
}

AC_API int ac_loop_backend_timeout(const ac_loop *loop) noexcept {
  if (loop == nullptr) return fail(AC_EINVAL);
  if (loop->closed) return fail(AC_ECLOSED);
  if (loop->hosted) return fail(AC_ENOTSUP);
  if (!loop->running && loop->owned_by_caller()) {
    // What was started since the last step reaches the backend before the
    // host polls it (loop.h). The loop is not running: nothing else of it
    // is under way, so this is the loop's own business despite `const`.
    const_cast<ac_loop *>(loop)->flush_backend();
  }
  return loop->backend_timeout();
}

AC_API int ac_loop_set_time_budget(ac_loop *loop, double seconds) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (!(seconds >= 0)) return fail(AC_EINVAL);  // also NaN
  loop->time_budget_ns = seconds >= 1e9 ? 0 : static_cast<uint64_t>(seconds * 1e9);
  if (seconds > 0 && loop->time_budget_ns == 0) loop->time_budget_ns = 1;
  return 0;
}

AC_API int ac_loop_set_ready_budget(ac_loop *loop, uint32_t budget) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (budget == 0) return fail(AC_EINVAL);
  loop->ready_budget = budget;
  return 0;
}

AC_API double ac_loop_time(const ac_loop *loop) noexcept {
  return loop == nullptr ? -1.0 : loop->now();
}

// Makes a handle (the loop's reference included) or returns an error,
// in which case free_ud has run.
static int make_handle(ac_loop *loop, ac_callback_fn fn, void *ud, ac_free_fn free_ud,
                       ac_call **h) noexcept {
  int rc = check_loop(loop);
  if (rc == 0 && fn == nullptr) rc = fail(AC_EINVAL);
  if (rc == 0) {
    *h = new (std::nothrow) ac_call(loop, fn, ud, free_ud);
    if (*h == nullptr) rc = fail(AC_ENOMEM);
  }
  if (rc != 0) {
    run_free(free_ud, ud);
    return rc;
  }
  (*h)->context = ac::context_ref(*loop->current_context);
  return 0;
}

static void hand_out(ac_call *h, ac_call **out) noexcept {
  if (out != nullptr) {
    ++h->refs;
    *out = h;
  }
}

AC_API int ac_loop_call_soon(ac_loop *loop, ac_callback_fn fn, void *ud, ac_free_fn free_ud,
                             ac_call **out) noexcept {
  ac_call *h;
  int rc = make_handle(loop, fn, ud, free_ud, &h);
  if (rc != 0) return rc;
  try {
    loop->schedule(h);
  } catch (...) {
    h->drop();
    return fail(AC_ENOMEM);
  }
  hand_out(h, out);
  return 0;
}

AC_API int ac_loop_call_at(ac_loop *loop, double when, ac_callback_fn fn, void *ud,
                           ac_free_fn free_ud, ac_call **out) noexcept {
  if (std::isnan(when)) {
    run_free(free_ud, ud);
    return fail(AC_EINVAL);
  }
  ac_call *h;
  int rc = make_handle(loop, fn, ud, free_ud, &h);
  if (rc != 0) return rc;
  h->is_timer = true;
  try {
    loop->add_timer(h, when);
  } catch (...) {
    h->drop();
    return fail(AC_ENOMEM);
  }
  hand_out(h, out);
  return 0;
}

AC_API int ac_loop_call_later(ac_loop *loop, double delay, ac_callback_fn fn, void *ud,
                              ac_free_fn free_ud, ac_call **out) noexcept {
  if (std::isnan(delay) || loop == nullptr) {
    run_free(free_ud, ud);
    return fail(AC_EINVAL);
  }
  // asyncio: call_at(time() + delay); a negative delay is a deadline past.
  return ac_loop_call_at(loop, loop->now() + delay, fn, ud, free_ud, out);
}

AC_API int ac_loop_call_soon_threadsafe(ac_loop *loop, ac_callback_fn fn, void *ud,
                                        ac_free_fn free_ud) noexcept {
  if (loop == nullptr || fn == nullptr) {
    run_free(free_ud, ud);
    return fail(AC_EINVAL);
  }
  auto *h = new (std::nothrow) ac_call(loop, fn, ud, free_ud);
  if (h == nullptr) {
    run_free(free_ud, ud);
    return fail(AC_ENOMEM);
  }
  // Handles hold no loop reference: the loop owns them until they run.
  int rc = loop->submit_threadsafe(h);
  if (rc != 0) {
    h->release_callback();
    delete h;
  }
  return rc;
}

AC_API ac_call *ac_call_ref(ac_call *h) noexcept {
  if (h != nullptr) ++h->refs;
  return h;
}
AC_API void ac_call_unref(ac_call *h) noexcept {
  if (h != nullptr) h->unref();
}
AC_API int ac_call_cancel(ac_call *h) noexcept {
  if (h == nullptr) return fail(AC_EINVAL);
  return h->cancel() ? 1 : 0;
}
AC_API int ac_call_cancelled(const ac_call *h) noexcept {
  if (h == nullptr) return fail(AC_EINVAL);
  return h->cancelled ? 1 : 0;
}
AC_API double ac_call_when(const ac_call *h) noexcept {
  if (h == nullptr || !h->is_timer) return -1.0;
  return h->when;
}
// The former names (common.h, "Names").
AC_API ac_call *ac_handle_ref(ac_call *h) noexcept { return ac_call_ref(h); }
AC_API void ac_handle_unref(ac_call *h) noexcept { ac_call_unref(h); }
AC_API int ac_handle_cancel(ac_call *h) noexcept { return ac_call_cancel(h); }
AC_API int ac_handle_cancelled(const ac_call *h) noexcept { return ac_call_cancelled(h); }
AC_API double ac_handle_when(const ac_call *h) noexcept { return ac_call_when(h); }

AC_API int ac_loop_set_exception_handler(ac_loop *loop, ac_exception_handler_fn fn, void *ud,
                                         ac_free_fn free_ud) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) {
    run_free(free_ud, ud);
    return rc;
  }
  ac_free_fn old_free = loop->exc_free;
  void *old_ud = loop->exc_ud;
  loop->exc_fn = fn;
  loop->exc_ud = fn != nullptr ? ud : nullptr;
  loop->exc_free = fn != nullptr ? free_ud : nullptr;
  if (fn == nullptr) run_free(free_ud, ud);
  run_free(old_free, old_ud);
  return 0;
}

AC_API int ac_loop_call_exception_handler(ac_loop *loop, const char *message, ac_error *error,
                                          ac_future *future) noexcept {
  if (loop == nullptr) return fail(AC_EINVAL);
  // From inside a callback, the report is about that callback (asyncio's
  // Handle._run reports with 'handle'), whatever future it was given.
  if (loop->in_callback)
    loop->report(message, error, nullptr);
  else
    loop->report(message, error, future);
  return 0;
}

AC_API const char *ac_loop_exception_subject(const ac_loop *loop) noexcept {
  return loop != nullptr ? loop->report_subject : nullptr;
}

AC_API ac_call *ac_loop_exception_call(const ac_loop *loop) noexcept {
  return loop != nullptr ? loop->report_handle : nullptr;
}
AC_API ac_call *ac_loop_exception_handle(const ac_loop *loop) noexcept {
  return ac_loop_exception_call(loop);
}

AC_API void ac_loop_default_exception_handler(ac_loop *loop, const char *message,
                                              ac_error *error, ac_future *future) noexcept {
  if (loop == nullptr) return;
  ac_exception_handler_fn saved = loop->exc_fn;
  loop->exc_fn = nullptr;
  loop->report(message, error, future);
  loop->exc_fn = saved;
}

AC_API int ac_loop_set_debug(ac_loop *loop, int enabled) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  loop->debug = enabled != 0;
  return 0;
}
AC_API int ac_loop_get_debug(const ac_loop *loop) noexcept {
  return loop == nullptr ? AC_EINVAL : loop->debug ? 1 : 0;
}
AC_API int ac_loop_set_slow_callback_duration(ac_loop *loop, double seconds) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (!(seconds >= 0)) return fail(AC_EINVAL);
  loop->slow_callback_duration = seconds;
  return 0;
}
