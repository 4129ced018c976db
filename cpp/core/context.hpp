// context.hpp — task-local context: an immutable map from key to value,
// shared by reference count (loop thread only) and copied on write.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <asyncore/value.h>

namespace ac {

// A value set in a context; shared by every context copied from it.
struct ContextValue {
  ac_value value;
  explicit ContextValue(const ac_value &v) : value(v) {}
  ~ContextValue();
  ContextValue(const ContextValue &) = delete;
  ContextValue &operator=(const ContextValue &) = delete;
};

struct Context {
  int refs = 1;
  // Sorted by key; small, so a vector beats a tree.
  std::vector<std::pair<uint32_t, std::shared_ptr<ContextValue>>> entries;
};

inline Context *context_ref(Context *c) noexcept {
  if (c != nullptr) ++c->refs;
  return c;
}
// Frees a context whose last reference went (context.cpp): out of line,
// so the callers' inline unref stays small.
void context_destroy(Context *c) noexcept;
inline void context_unref(Context *c) noexcept {
  if (c != nullptr && --c->refs == 0) context_destroy(c);
}

// Keys are process-wide; 0 is never a valid key.
int context_key_new(uint32_t *out) noexcept;
bool context_key_valid(uint32_t key) noexcept;

// A copy of `base` (may be NULL) with `key` set to an owned copy of `v`
// (or removed when v is NULL). Throws std::bad_alloc. *changed tells whether
// a remove found the key.
Context *context_with(const Context *base, uint32_t key, const ac_value *v, bool *changed);
// The value of key in c, or NULL.
const ac_value *context_find(const Context *c, uint32_t key) noexcept;

}  // namespace ac
