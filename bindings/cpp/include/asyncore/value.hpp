// asyncore/value.hpp — C++ values <-> the tagged ac_value.
//
// A typed result crosses the C ABI as the kind C code can read:
//
//   C++ type                 ac_value kind
//   void                     NONE
//   bool, integral types     INT64
//   float, double            DOUBLE
//   std::string              BYTES (copied)
//   Value                    whatever it holds
//   any other T              POINTER to a heap T, with its deleter
//
// Reading back checks the kind and, for POINTER, that the deleter is the
// one of T, so a value of another type is refused (ValueError) rather
// than misread. A POINTER result is copied out when T is copyable (every
// awaiter gets its own copy, as every asyncio awaiter sees the same object);
// a move-only T is moved out, so only the first reader gets it.
#pragma once

#include <asyncore.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "error.hpp"

namespace asyncore {

// An owning copy of any ac_value; a POINTER value is borrowed (its owner,
// the future or queue it came from, keeps it alive).
class Value {
 public:
  Value() noexcept = default;
  static Value none() noexcept { return {}; }
  static Value of(int64_t i) noexcept {
    Value v;
    v.kind_ = AC_VALUE_INT64;
    v.i64_ = i;
    return v;
  }
  static Value of(double d) noexcept {
    Value v;
    v.kind_ = AC_VALUE_DOUBLE;
    v.f64_ = d;
    return v;
  }
  static Value of(std::string s) {
    Value v;
    v.kind_ = AC_VALUE_BYTES;
    v.bytes_ = std::move(s);
    return v;
  }
  // A copy of a C value (bytes copied, pointer borrowed).
  static Value copy_of(const ac_value &c) {
    Value v;
    v.kind_ = static_cast<ac_value_kind>(c.kind);
    switch (c.kind) {
      case AC_VALUE_INT64:
        v.i64_ = c.u.i64;
        break;
      case AC_VALUE_DOUBLE:
        v.f64_ = c.u.f64;
        break;
      case AC_VALUE_BYTES:
        if (c.u.bytes.len != 0) v.bytes_.assign(static_cast<const char *>(c.u.bytes.data), c.u.bytes.len);
        break;
      case AC_VALUE_POINTER:
        v.ptr_ = c.u.pointer.ptr;
        break;
      default:
        v.kind_ = AC_VALUE_NONE;
        break;
    }
    return v;
  }

  ac_value_kind kind() const noexcept { return kind_; }
  bool is_none() const noexcept { return kind_ == AC_VALUE_NONE; }
  int64_t as_int() const {
    if (kind_ != AC_VALUE_INT64) throw ValueError("value is not an int64");
    return i64_;
  }
  double as_double() const {
    if (kind_ == AC_VALUE_INT64) return static_cast<double>(i64_);
    if (kind_ != AC_VALUE_DOUBLE) throw ValueError("value is not a double");
    return f64_;
  }
  const std::string &as_bytes() const {
    if (kind_ != AC_VALUE_BYTES) throw ValueError("value is not bytes");
    return bytes_;
  }
  void *as_pointer() const {
    if (kind_ != AC_VALUE_POINTER) throw ValueError("value is not a pointer");
    return ptr_;
  }
  // A borrowed C view (bytes point into this object; no pointer destructor).
  ac_value view() const noexcept {
    ac_value c;
    switch (kind_) {
      case AC_VALUE_INT64:
        ac_value_set_int64(&c, i64_);
        break;
      case AC_VALUE_DOUBLE:
        ac_value_set_double(&c, f64_);
        break;
      case AC_VALUE_BYTES:
        ac_value_set_bytes(&c, bytes_.data(), bytes_.size());
        break;
      case AC_VALUE_POINTER:
        ac_value_set_pointer(&c, ptr_, nullptr);
        break;
      default:
        ac_value_set_none(&c);
        break;
    }
    return c;
  }

 private:
  ac_value_kind kind_ = AC_VALUE_NONE;
  int64_t i64_ = 0;
  double f64_ = 0;
  std::string bytes_;
  void *ptr_ = nullptr;
};

namespace detail {

// An owned C value, released on scope exit.
struct OwnedValue {
  ac_value v;
  OwnedValue() noexcept { ac_value_set_none(&v); }
  OwnedValue(const OwnedValue &) = delete;
  OwnedValue &operator=(const OwnedValue &) = delete;
  ~OwnedValue() { ac_value_clear(&v); }
};

template <class T>
inline constexpr bool is_int_like = std::is_integral_v<T> || std::is_enum_v<T>;

// Codec<T>: encode(T) -> an ac_value the caller hands to a storing function
// (which copies bytes and takes over a pointer), decode(view) -> T.
template <class T, class = void>
struct Codec {
  static void destroy(void *p) noexcept { delete static_cast<T *>(p); }
  // Encodes into `out`; the POINTER case allocates: pass `out` to a storing
  // function, and call `discard` if that fails.
  template <class U>
  static void encode(U &&v, ac_value *out) {
    ac_value_set_pointer(out, new T(std::forward<U>(v)), &destroy);
  }
  static void discard(ac_value *out) noexcept {
    if (out->kind == AC_VALUE_POINTER && out->u.pointer.free_fn == &destroy) destroy(out->u.pointer.ptr);
    ac_value_set_none(out);
  }
  static T decode(const ac_value &v) {
    if (v.kind != AC_VALUE_POINTER || v.u.pointer.free_fn != &destroy || v.u.pointer.ptr == nullptr)
      throw ValueError("value does not hold the expected C++ type");
    T *p = static_cast<T *>(v.u.pointer.ptr);
    if constexpr (std::is_copy_constructible_v<T>) {
      return *p;
    } else {
      return std::move(*p);
    }
  }
};

template <class T>
struct Codec<T, std::enable_if_t<is_int_like<T>>> {
  static void encode(T v, ac_value *out) noexcept {  // ac_value_set_int64, inline
    out->kind = AC_VALUE_INT64;
    out->reserved_ = 0;
    out->u.i64 = static_cast<int64_t>(v);
  }
  static void discard(ac_value *) noexcept {}
  static T decode(const ac_value &v) {
    if (v.kind != AC_VALUE_INT64) throw ValueError("value is not an int64");
    return static_cast<T>(v.u.i64);
  }
};

template <class T>
struct Codec<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static void encode(T v, ac_value *out) noexcept {  // ac_value_set_double, inline
    out->kind = AC_VALUE_DOUBLE;
    out->reserved_ = 0;
    out->u.f64 = static_cast<double>(v);
  }
  static void discard(ac_value *) noexcept {}
  static T decode(const ac_value &v) {
    if (v.kind == AC_VALUE_INT64) return static_cast<T>(v.u.i64);
    if (v.kind != AC_VALUE_DOUBLE) throw ValueError("value is not a double");
    return static_cast<T>(v.u.f64);
  }
};

template <>
struct Codec<std::string> {
  // Borrows the string's bytes: the storing function copies them.
  static void encode(const std::string &s, ac_value *out) noexcept {
    ac_value_set_bytes(out, s.data(), s.size());
  }
  static void discard(ac_value *) noexcept {}
  static std::string decode(const ac_value &v) {
    if (v.kind != AC_VALUE_BYTES) throw ValueError("value is not bytes");
    return v.u.bytes.len == 0 ? std::string()
                              : std::string(static_cast<const char *>(v.u.bytes.data), v.u.bytes.len);
  }
};

template <>
struct Codec<Value> {
  static void encode(const Value &v, ac_value *out) noexcept { *out = v.view(); }
  static void discard(ac_value *) noexcept {}
  static Value decode(const ac_value &v) { return Value::copy_of(v); }
};

// void results: NONE, whatever the future holds.
struct VoidTag {};

}  // namespace detail
}  // namespace asyncore
