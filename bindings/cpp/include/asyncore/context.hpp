// asyncore/context.hpp — task-local variables (Python's contextvars).
//
// A ContextVar<T> is a process-wide key; its value lives in the current
// task's context (a copy of its creator's, taken when the task was
// created), so a value set in a task is seen by the tasks it creates after
// and never by its parent. Values are stored as value.hpp encodes them.
#pragma once

#include <asyncore.h>

#include <optional>
#include <type_traits>

#include "error.hpp"
#include "loop.hpp"
#include "value.hpp"

namespace asyncore {

template <class T>
class ContextVar {
  static_assert(std::is_copy_constructible_v<T>, "ContextVar<T> needs a copyable T");

 public:
  ContextVar() { check(ac_context_key_new(&key_)); }

  // Sets the value in the running loop's current context.
  void set(const T &v) const {
    ac_value c;
    detail::Codec<T>::encode(v, &c);
    int rc = ac_context_set(get_running_loop(), key_, &c);
    if (rc < 0) {
      detail::Codec<T>::discard(&c);
      throw_code(rc);
    }
  }
  std::optional<T> get() const {
    ac_value c;
    if (check(ac_context_get(get_running_loop(), key_, &c)) == 0) return std::nullopt;
    return detail::Codec<T>::decode(c);
  }
  T get_or(T fallback) const {
    std::optional<T> v = get();
    return v ? *v : fallback;
  }
  // Removes the value; true if it was set.
  bool reset() const { return check(ac_context_delete(get_running_loop(), key_)) == 1; }
  ac_context_key key() const noexcept { return key_; }

 private:
  ac_context_key key_ = 0;
};

}  // namespace asyncore
