// asyncore/context.hpp — task-local variables (Python's contextvars).
//
// A ContextVar<T> is a process-wide key; its value lives in the current
// task's context (a copy of its creator's, taken when the task was
// created), so a value set in a task is seen by the tasks it creates after
// and never by its parent. Values are stored as value.hpp encodes them.
//
// A function run by to_thread runs in a copy of the calling task's context
// (asyncio.to_thread copies the contextvars): there get() reads the task's
// values and set() / reset() change the copy only.
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

  // Sets the value in the current context: the running task's, or a
  // to_thread worker's copy.
  void set(const T &v) const {
    ac_value c;
    detail::Codec<T>::encode(v, &c);
    ac_loop *loop = running_loop();
    int rc = ac_context_set(loop, key_, &c);
    if (rc < 0) {
      detail::Codec<T>::discard(&c);
      refuse(loop, rc);
    }
  }
  std::optional<T> get() const {
    ac_value c;
    ac_loop *loop = running_loop();
    int rc = ac_context_get(loop, key_, &c);
    if (rc < 0) refuse(loop, rc);
    if (rc == 0) return std::nullopt;
    return detail::Codec<T>::decode(c);
  }
  T get_or(T fallback) const {
    std::optional<T> v = get();
    return v ? *v : fallback;
  }
  // Removes the value; true if it was set.
  bool reset() const {
    ac_loop *loop = running_loop();
    int rc = ac_context_delete(loop, key_);
    if (rc < 0) refuse(loop, rc);
    return rc == 1;
  }
  ac_context_key key() const noexcept { return key_; }

 private:
  // With no running loop and no worker's copy there is no context at all.
  [[noreturn]] static void refuse(ac_loop *loop, int rc) {
    if (loop == nullptr && rc == AC_EINVAL) throw RuntimeError("no running event loop");
    throw_code(rc);
  }

  ac_context_key key_ = 0;
};

}  // namespace asyncore
