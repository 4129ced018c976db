/**
 * \file
 * asyncore/value.h — the tagged value every result, queue item and
 * context variable is made of.
 *
 * A value is small and passed by pointer. Ints and doubles need no
 * allocation. Bytes are copied in by whoever stores them. A pointer comes
 * with its destructor, so a host can park its own object (a Lua reference,
 * a Go handle, a Rust Box) in a future or a queue and have it released
 * exactly once, by whoever owns the value last.
 *
 * Ownership of a value the caller passes in: functions that store a value
 * (ac_future_set_result, queue puts …) copy bytes and take over a pointer's
 * destructor on success; on failure the caller still owns it. Values handed
 * out by getters are borrowed views into the storing object unless the
 * function says it moves them out.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_VALUE_H
#define ASYNCORE_VALUE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What an ac_value holds. */
typedef enum ac_value_kind {
  AC_VALUE_NONE = 0,
  AC_VALUE_INT64 = 1,
  AC_VALUE_DOUBLE = 2,
  AC_VALUE_BYTES = 3,  /**< data/len; data may be NULL when len is 0 */
  AC_VALUE_POINTER = 4 /**< ptr plus optional destructor free_fn(ptr) */
} ac_value_kind;

/** A tagged value: `kind` says which member of `u` holds it. */
typedef struct ac_value {
  int32_t kind; /**< ac_value_kind */
  int32_t reserved_; /**< padding, reserved */
  union {
    int64_t i64;
    double f64;
    struct {
      void *data;
      size_t len;
    } bytes;
    struct {
      void *ptr;
      ac_free_fn free_fn;
    } pointer;
  } u; /**< the value: i64, f64, bytes or pointer, as `kind` says */
} ac_value;

/** @{ */
/** Initialisers, for the caller's own stack values. */
AC_EXPORT void ac_value_set_none(ac_value *v) AC_NOEXCEPT;
AC_EXPORT void ac_value_set_int64(ac_value *v, int64_t i) AC_NOEXCEPT;
AC_EXPORT void ac_value_set_double(ac_value *v, double d) AC_NOEXCEPT;
/** @} */
/** Borrows `data` (no copy): fine for passing to a storing function. */
AC_EXPORT void ac_value_set_bytes(ac_value *v, const void *data, size_t len) AC_NOEXCEPT;
/** A pointer with its optional destructor `free_fn(ptr)`. */
AC_EXPORT void ac_value_set_pointer(ac_value *v, void *ptr, ac_free_fn free_fn) AC_NOEXCEPT;

/** Releases a value the caller owns (one it was handed by a function that
 * "moves a value out"): frees bytes with ac_free, runs a pointer's
 * destructor, then sets the value to NONE. Thread: any. NULL is a no-op. */
AC_EXPORT void ac_value_clear(ac_value *v) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
