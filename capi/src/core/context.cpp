// context.cpp — ac_context_* at the boundary.
#include "core/context.hpp"
#include "thread/executor.hpp"
#include "../shim.hpp"

using ac::shim::fail;

using ac::shim::check_loop;

// Where the calling code's context lives: a worker running a function of
// ac_to_thread has the job's copy; the loop's thread has the loop's current
// one. Null with *rc set otherwise.
static ac::Context **current_slot(ac_loop *loop, int *rc) noexcept {
  if (ac::Context **w = ac::worker_context(loop)) {
    *rc = 0;
    return w;
  }
  *rc = check_loop(loop);
  return *rc == 0 ? loop->current_context : nullptr;
}

AC_API int ac_context_key_new(ac_context_key *out) noexcept {
  if (out == nullptr) return fail(AC_EINVAL);
  return ac::context_key_new(out);
}

static int replace_current(ac_loop *loop, ac_context_key key, const ac_value *v) noexcept {
  int rc;
  ac::Context **slot = current_slot(loop, &rc);
  if (slot == nullptr) return rc;
  // v NULL: delete.
  if (!ac::context_key_valid(key) || (v != nullptr && !ac::shim::valid_value(v))) return fail(AC_EINVAL);
  bool found = false;
  // The new context is current before the old one is released: releasing
  // it may run a value's destructor (user code), which may read or change
  // the context again.
  AC_GUARD(ac::Context *next = ac::context_with(*slot, key, v, &found); ac::Context *old = *slot;
           *slot = next; ac::context_unref(old); return found ? 1 : 0;)
}

AC_API int ac_context_set(ac_loop *loop, ac_context_key key, const ac_value *v) noexcept {
  if (v == nullptr) return fail(AC_EINVAL);
  int rc = replace_current(loop, key, v);
  return rc < 0 ? rc : 0;
}

AC_API int ac_context_delete(ac_loop *loop, ac_context_key key) noexcept {
  return replace_current(loop, key, nullptr);
}

AC_API int ac_context_get(ac_loop *loop, ac_context_key key, ac_value *out) noexcept {
  int rc;
  ac::Context **slot = current_slot(loop, &rc);
  if (slot == nullptr) return rc;
  if (!ac::context_key_valid(key) || out == nullptr) return fail(AC_EINVAL);
  const ac_value *v = ac::context_find(*slot, key);
  if (v == nullptr) return 0;
  *out = *v;
  return 1;
}
