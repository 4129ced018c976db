// shim.hpp — what every exported function does at the boundary: validate
// the handle and the calling thread, and turn any C++ exception into a code.
#pragma once

#include <new>

#include <asyncore.h>

#include "core/loop.hpp"

#define AC_API extern "C" AC_EXPORT

// Wraps a body that returns int; no exception leaves it.
#define AC_GUARD(body)                        \
  try {                                       \
    body                                      \
  } catch (const std::bad_alloc &) {          \
    return ac::shim::fail(AC_ENOMEM);         \
  } catch (...) {                             \
    return ac::shim::fail(AC_EINTERNAL);      \
  }

namespace ac::shim {

// Fails a call with `code`, recording `message` (static storage; asyncio's
// wording where it has one; NULL: ac_strerror's) for ac_last_error_message
// on this thread. Every failing return of the contract goes through it, so
// a reason never outlives the call that gave it.
int fail(int code, const char *message = nullptr) noexcept;

// The reason of the last failure on this thread (code 0: none). The checks
// below clear it as a call starts, so a code passed up from libuv or the
// runtime is never paired with an older call's words. Every call writes it
// (clear_failure), so it is in the static TLS block (initial-exec): a plain
// store, not a __tls_get_addr call per entry into the library.
// constinit: no dynamic initialisation, so no TLS wrapper call per use.
extern constinit thread_local int tl_last_code __attribute__((tls_model("initial-exec")));
inline void clear_failure() noexcept { tl_last_code = 0; }

// asyncio's words for the loop's common refusals.
constexpr const char *kLoopClosed = "Event loop is closed";
constexpr const char *kWrongThread =
    "Non-thread-safe operation invoked on an event loop other than the current one";

// A usable loop on its own thread.
inline int check_loop(const ac_loop *loop) noexcept {
  clear_failure();
  if (loop == nullptr) return fail(AC_EINVAL, nullptr);
  if (loop->closed) return fail(AC_ECLOSED, kLoopClosed);
  if (!loop->owned_by_caller()) return fail(AC_EWRONGTHREAD, kWrongThread);
  return 0;
}

// For per-object hot paths: the thread is checked in debug mode only.
inline int check_loop_fast(const ac_loop *loop) noexcept {
  clear_failure();
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
