// timeout.cpp — ac_timeout_* at the boundary.
#include <cmath>
#include <new>

#include "structured/timeout.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::fail;

static ac_timeout *valid_scope(const ac_timeout *s) noexcept {
  return s != nullptr && s->magic == ac::kTimeoutMagic ? const_cast<ac_timeout *>(s) : nullptr;
}

static int make_scope(ac_loop *loop, double when, ac_timeout **out) noexcept {
  auto *s = new (std::nothrow) ac_timeout(loop, when);
  if (s == nullptr) return fail(AC_ENOMEM);
  *out = s;
  return 0;
}

AC_API int ac_timeout_new(ac_loop *loop, double delay, ac_timeout **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  // A negative delay is a deadline already past (asyncio accepts it).
  if (out == nullptr || std::isnan(delay)) return fail(AC_EINVAL, nullptr);
  return make_scope(loop, std::isinf(delay) ? delay : loop->now() + delay, out);
}

AC_API int ac_timeout_new_at(ac_loop *loop, double when, ac_timeout **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || std::isnan(when)) return fail(AC_EINVAL);
  return make_scope(loop, when, out);
}

AC_API ac_timeout *ac_timeout_ref(ac_timeout *scope) noexcept {
  if (valid_scope(scope) != nullptr) scope->ref();
  return scope;
}
AC_API void ac_timeout_unref(ac_timeout *scope) noexcept {
  if (valid_scope(scope) != nullptr) scope->unref();
}

AC_API int ac_timeout_enter(ac_timeout *scope, ac_task *task) noexcept {
  if (valid_scope(scope) == nullptr || ac_task_future(task) == nullptr) return fail(AC_EINVAL);
  if (task->loop != scope->loop) return fail(AC_EINVAL);
  int rc = check_loop(scope->loop);
  if (rc != 0) return rc;
  if (scope->state != ac_timeout::kCreated) return fail(AC_EMISUSE, "Timeout has already been entered");
  if (scope->loop->current_task != task || !task->stepping())
    return fail(AC_EMISUSE, "Timeout should be used inside a task");
  AC_GUARD(return scope->enter(task);)
}

AC_API int ac_timeout_exit(ac_timeout *scope, int outcome) noexcept {
  if (valid_scope(scope) == nullptr) return fail(AC_EINVAL);
  int rc = check_loop_fast(scope->loop);
  if (rc != 0) return rc;
  if (scope->state != ac_timeout::kEntered && scope->state != ac_timeout::kExpiring)
    return fail(AC_EMISUSE, scope->state == ac_timeout::kCreated ? "Timeout has not been entered"
                                                                  : "Timeout has already been exited");
  rc = scope->exit(outcome);
  return rc == AC_EMISUSE ? fail(rc, "Timeout exited from another task") : rc;
}

AC_API ac_error *ac_timeout_error(const ac_timeout *scope) noexcept {
  return valid_scope(scope) != nullptr ? scope->timeout_error : nullptr;
}

AC_API int ac_timeout_reschedule(ac_timeout *scope, double when) noexcept {
  if (valid_scope(scope) == nullptr || std::isnan(when)) return fail(AC_EINVAL);
  int rc = check_loop(scope->loop);
  if (rc != 0) return rc;
  if (scope->state == ac_timeout::kCreated) return fail(AC_EMISUSE, "Timeout has not been entered");
  if (scope->state != ac_timeout::kEntered) {
    // "Cannot change state of <state> Timeout", asyncio's words.
    static const char *const texts[] = {
        "", "", "Cannot change state of expiring Timeout", "Cannot change state of expired Timeout",
        "Cannot change state of finished Timeout"};
    return fail(AC_EMISUSE, texts[scope->state]);
  }
  AC_GUARD(return scope->reschedule(when);)
}

AC_API double ac_timeout_when(const ac_timeout *scope) noexcept {
  return valid_scope(scope) != nullptr ? scope->deadline : std::nan("");
}

AC_API int ac_timeout_expired(const ac_timeout *scope) noexcept {
  return valid_scope(scope) != nullptr ? (scope->expired() ? 1 : 0) : fail(AC_EINVAL);
}
