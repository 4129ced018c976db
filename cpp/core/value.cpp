#include "core/value.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <asyncore/error.h>

namespace ac {

int value_copy_in(ac_value *out, const ac_value *in) noexcept {
  value_init(out);
  if (in == nullptr) return 0;
  switch (in->kind) {
    case AC_VALUE_NONE:
      return 0;
    case AC_VALUE_INT64:
    case AC_VALUE_DOUBLE:
    case AC_VALUE_POINTER:
      *out = *in;
      return 0;
    case AC_VALUE_BYTES: {
      if (in->u.bytes.len != 0 && in->u.bytes.data == nullptr) return AC_EINVAL;
      void *copy = nullptr;
      if (in->u.bytes.len != 0) {
        copy = std::malloc(in->u.bytes.len);
        if (copy == nullptr) return AC_ENOMEM;
        std::memcpy(copy, in->u.bytes.data, in->u.bytes.len);
      }
      out->kind = AC_VALUE_BYTES;
      out->u.bytes.data = copy;
      out->u.bytes.len = in->u.bytes.len;
      return 0;
    }
    default:
      return AC_EINVAL;
  }
}

void value_release_owned(ac_value *v) noexcept {
  if (v->kind == AC_VALUE_BYTES) {
    std::free(v->u.bytes.data);
  } else if (v->kind == AC_VALUE_POINTER && v->u.pointer.free_fn != nullptr) {
    ac_free_fn fn = v->u.pointer.free_fn;
    void *p = v->u.pointer.ptr;
    value_init(v);
    fn(p);
    return;
  }
  value_init(v);
}

}  // namespace ac
