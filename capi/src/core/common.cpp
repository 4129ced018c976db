// common.cpp — version, allocation, values and errors at the boundary.
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "core/pool.hpp"
#include "core/value.hpp"
#include "../shim.hpp"

#define AC_STR2_(x) #x
#define AC_STR_(x) AC_STR2_(x)

AC_API unsigned ac_version(void) noexcept { return AC_VERSION_HEX; }
AC_API const char *ac_version_string(void) noexcept {
  return AC_STR_(AC_VERSION_MAJOR) "." AC_STR_(AC_VERSION_MINOR) "." AC_STR_(AC_VERSION_PATCH);
}

AC_API void *ac_alloc(size_t size) noexcept { return std::malloc(size == 0 ? 1 : size); }
AC_API void ac_free(void *ptr) noexcept { std::free(ptr); }
AC_API void *ac_alloc_small(size_t size) noexcept { return ac::pool_alloc_nothrow(size == 0 ? 1 : size); }
AC_API void ac_free_small(void *ptr, size_t size) noexcept {
  if (ptr != nullptr) ac::pool_free(ptr, size == 0 ? 1 : size);
}
AC_API int64_t ac_trim(void) noexcept {
  int64_t n = ac::pool_trim();
  return n >= 0 ? n : ac::shim::fail(AC_ENOTSUP, "the runtime keeps no blocks for reuse here");
}

// ---- values

AC_API void ac_value_set_none(ac_value *v) noexcept {
  if (v != nullptr) ac::value_init(v);
}
AC_API void ac_value_set_int64(ac_value *v, int64_t i) noexcept {
  if (v == nullptr) return;
  ac::value_init(v);
  v->kind = AC_VALUE_INT64;
  v->u.i64 = i;
}
AC_API void ac_value_set_double(ac_value *v, double d) noexcept {
  if (v == nullptr) return;
  ac::value_init(v);
  v->kind = AC_VALUE_DOUBLE;
  v->u.f64 = d;
}
AC_API void ac_value_set_bytes(ac_value *v, const void *data, size_t len) noexcept {
  if (v == nullptr) return;
  ac::value_init(v);
  v->kind = AC_VALUE_BYTES;
  v->u.bytes.data = const_cast<void *>(data);
  v->u.bytes.len = len;
}
AC_API void ac_value_set_pointer(ac_value *v, void *ptr, ac_free_fn free_fn) noexcept {
  if (v == nullptr) return;
  ac::value_init(v);
  v->kind = AC_VALUE_POINTER;
  v->u.pointer.ptr = ptr;
  v->u.pointer.free_fn = free_fn;
}
AC_API void ac_value_clear(ac_value *v) noexcept { ac::value_release(v); }

// ---- errors

AC_API const char *ac_strerror(int code) noexcept { return ac::strerror(code); }
AC_API const char *ac_err_name(int code) noexcept { return ac::err_name(code); }
AC_API const char *ac_err_class(int code) noexcept { return ac::err_class(code); }

constinit thread_local int ac::shim::tl_last_code __attribute__((tls_model("initial-exec"))) = 0;
using ac::shim::fail;
using ac::shim::tl_last_code;
namespace {
thread_local const char *tl_last_message __attribute__((tls_model("initial-exec"))) = nullptr;
}  // namespace

int ac::shim::fail(int code, const char *message) noexcept {
  tl_last_code = code;
  tl_last_message = message;
  return code;
}

AC_API const char *ac_last_error_message(int code) noexcept {
  if (code != 0 && code == tl_last_code && tl_last_message != nullptr) return tl_last_message;
  return ac::strerror(code);
}

AC_API int ac_error_new(int code, const char *message, ac_error *cause, ac_error **out) noexcept {
  if (code >= 0 || out == nullptr) return fail(AC_EINVAL);
  AC_GUARD(*out = ac::error_new(code, message, cause); return 0;)
}
AC_API ac_error *ac_error_ref(ac_error *err) noexcept { return ac::error_ref(err); }
AC_API void ac_error_unref(ac_error *err) noexcept { ac::error_unref(err); }
AC_API int ac_error_code(const ac_error *err) noexcept { return err != nullptr ? err->code : 0; }
AC_API ac_error_kind ac_error_get_kind(const ac_error *err) noexcept {
  return err != nullptr ? ac::error_kind_of(err->code) : static_cast<ac_error_kind>(0);
}
AC_API const char *ac_error_message(const ac_error *err) noexcept {
  return err != nullptr ? err->message.c_str() : nullptr;
}
AC_API ac_error *ac_error_cause(const ac_error *err) noexcept {
  return err != nullptr ? err->cause : nullptr;
}
AC_API int64_t ac_error_child_count(const ac_error *err) noexcept {
  return err != nullptr ? static_cast<int64_t>(err->children.size()) : 0;
}
AC_API ac_error *ac_error_child(const ac_error *err, size_t index) noexcept {
  if (err == nullptr || index >= err->children.size()) return nullptr;
  return err->children[index];
}
AC_API int ac_error_add_child(ac_error *err, ac_error *child) noexcept {
  if (err == nullptr || child == nullptr) return fail(AC_EINVAL);
  AC_GUARD(return ac::error_add_child(err, child);)
}
AC_API int ac_error_set_payload(ac_error *err, const ac_value *payload) noexcept {
  if (err == nullptr || !ac::shim::valid_value(payload)) return fail(AC_EINVAL);
  ac_value owned;
  int rc = ac::value_copy_in(&owned, payload);
  if (rc != 0) return rc;
  ac::value_release(&err->payload);
  err->payload = owned;
  return 0;
}
AC_API int ac_error_payload(const ac_error *err, ac_value *out) noexcept {
  if (err == nullptr || out == nullptr) return fail(AC_EINVAL);
  *out = err->payload;
  return 0;
}
AC_API char *ac_error_format(const ac_error *err) noexcept {
  if (err == nullptr) return nullptr;
  try {
    std::string s = ac::error_format(err);
    auto *out = static_cast<char *>(std::malloc(s.size() + 1));
    if (out != nullptr) std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
  } catch (...) {
    return nullptr;
  }
}
