// assert.hpp — the runtime's debug checks.
//
// AC_DEBUG_ASSERT(cond, "what") states an invariant of the runtime's own
// state (a task's, a future's, the loop's): a check that fails is a bug of
// the library, never a misuse by its caller (the C API answers those with
// error codes). Live when NDEBUG is not defined — Meson's debug and
// debugoptimized builds, so every test and sanitizer build — where a failure
// prints the file, the line, the condition and `what` to stderr and aborts.
// Release builds (b_ndebug=if-release) compile the checks out: the
// condition is not evaluated, only named, so it costs nothing there.
#pragma once

#ifdef NDEBUG
#  define AC_DEBUG_ASSERT(cond, what) static_cast<void>(sizeof((cond) ? 1 : 0))
#else
#  define AC_DEBUG_ASSERT(cond, what) \
    ((cond) ? static_cast<void>(0) : ::ac::debug_assert_failed(__FILE__, __LINE__, #cond, what))
#endif

namespace ac {
// Prints "asyncore: FILE:LINE: check failed: what (cond)" and aborts.
[[noreturn]] void debug_assert_failed(const char *file, int line, const char *cond,
                                      const char *what) noexcept;
}  // namespace ac
