// shim.hpp — what every exported function does at the boundary: validate
// the handle and the calling thread, and turn any C++ exception into a code.
#pragma once

#include <new>

#include <asyncore.h>

#include "../../cpp/loop.hpp"

#define AC_API extern "C" AC_EXPORT

// Wraps a body that returns int; no exception leaves it.
#define AC_GUARD(body)                        \
  try {                                       \
    body                                      \
  } catch (const std::bad_alloc &) {          \
    return AC_ENOMEM;                         \
  } catch (...) {                             \
    return AC_EINTERNAL;                      \
  }

namespace ac::shim {

// Fails a call with `code`, recording `message` (static storage; asyncio's
// wording where it has one) for ac_last_error_message on this thread.
int fail(int code, const char *message) noexcept;

// asyncio's words for the loop's common refusals.
constexpr const char *kLoopClosed = "Event loop is closed";
constexpr const char *kWrongThread =
    "Non-thread-safe operation invoked on an event loop other than the current one";

// A usable loop on its own thread.
inline int check_loop(const ac_loop *loop) noexcept {
  if (loop == nullptr) return fail(AC_EINVAL, nullptr);
  if (loop->closed) return fail(AC_ECLOSED, kLoopClosed);
  if (!loop->owned_by_caller()) return fail(AC_EWRONGTHREAD, kWrongThread);
  return 0;
}

// For per-object hot paths: the thread is checked in debug mode only.
inline int check_loop_fast(const ac_loop *loop) noexcept {
  if (loop->debug && !loop->owned_by_caller()) return fail(AC_EWRONGTHREAD, kWrongThread);
  return 0;
}

inline void run_free(ac_free_fn f, void *ud) noexcept {
  if (f != nullptr) f(ud);
}

// A well-formed value; NULL is refused (every value argument of the
// contract is required: NONE is a value, NULL is not).
inline bool valid_value(const ac_value *v) noexcept {
  if (v == nullptr) return false;
  if (v->kind < AC_VALUE_NONE || v->kind > AC_VALUE_POINTER) return false;
  return !(v->kind == AC_VALUE_BYTES && v->u.bytes.len != 0 && v->u.bytes.data == nullptr);
}

}  // namespace ac::shim
