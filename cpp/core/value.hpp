// value.hpp — owning helpers for the contract's tagged value (ac_value).
//
// The runtime stores values it owns in a plain ac_value: bytes live in a
// buffer from ac::value_alloc, a pointer carries its destructor. Exactly one
// owner releases it, through value_release.
#pragma once

#include <asyncore/value.h>

namespace ac {

// Validates `in` and makes an owned copy in `out` (bytes copied, pointer
// ownership taken over). Returns 0, AC_EINVAL for a malformed value, or
// AC_ENOMEM; on failure `out` is NONE and the caller still owns `in`.
int value_copy_in(ac_value *out, const ac_value *in) noexcept;
inline void value_init(ac_value *v) noexcept {
  v->kind = AC_VALUE_NONE;
  v->reserved_ = 0;
  v->u.i64 = 0;
}
// value_copy_in for a value already validated (shim::valid_value): a
// number or a pointer is copied as it is, inline (a task's result, on
// every task's way out); none and bytes take the general path.
inline int value_copy_in_valid(ac_value *out, const ac_value *in) noexcept {
  if (in->kind == AC_VALUE_INT64 || in->kind == AC_VALUE_DOUBLE || in->kind == AC_VALUE_POINTER) {
    *out = *in;
    return 0;
  }
  return value_copy_in(out, in);
}
// value_release's out-of-line part: bytes, or a pointer with a destructor.
void value_release_owned(ac_value *v) noexcept;
// Releases an owned value and leaves it NONE.
inline void value_release(ac_value *v) noexcept {
  if (v == nullptr) return;
  if (v->kind == AC_VALUE_BYTES || v->kind == AC_VALUE_POINTER)
    value_release_owned(v);
  else
    value_init(v);
}
// Moves an owned value: `to` takes it, `from` becomes NONE.
inline void value_move(ac_value *to, ac_value *from) noexcept {
  *to = *from;
  from->kind = AC_VALUE_NONE;
  from->u.i64 = 0;
}

}  // namespace ac
