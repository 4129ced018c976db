#include "core/context.hpp"

#include <algorithm>
#include <atomic>
#include <new>

#include <asyncore/error.h>

#include "core/value.hpp"

namespace ac {

[[gnu::noinline]] void context_destroy(Context *c) noexcept { delete c; }

ContextValue::~ContextValue() { value_release(&value); }

static std::atomic<uint32_t> g_next_key{1};

int context_key_new(uint32_t *out) noexcept {
  uint32_t k = g_next_key.fetch_add(1, std::memory_order_relaxed);
  if (k == 0) return AC_ENOMEM;  // wrapped after four billion keys
  *out = k;
  return 0;
}

bool context_key_valid(uint32_t key) noexcept {
  return key != 0 && key < g_next_key.load(std::memory_order_relaxed);
}

Context *context_with(const Context *base, uint32_t key, const ac_value *v, bool *changed) {
  auto *c = new Context();
  if (base != nullptr) c->entries = base->entries;
  auto it = std::lower_bound(c->entries.begin(), c->entries.end(), key,
                             [](const auto &e, uint32_t k) { return e.first < k; });
  bool found = it != c->entries.end() && it->first == key;
  if (v == nullptr) {
    if (found) c->entries.erase(it);
  } else {
    ac_value owned;
    int rc = value_copy_in(&owned, v);
    if (rc != 0) {
      delete c;
      throw std::bad_alloc();
    }
    std::shared_ptr<ContextValue> box;
    try {
      box = std::make_shared<ContextValue>(owned);
    } catch (...) {
      value_release(&owned);
      delete c;
      throw;
    }
    if (found)
      it->second = std::move(box);
    else
      c->entries.insert(it, {key, std::move(box)});
  }
  if (changed != nullptr) *changed = found;
  return c;
}

const ac_value *context_find(const Context *c, uint32_t key) noexcept {
  if (c == nullptr) return nullptr;
  auto it = std::lower_bound(c->entries.begin(), c->entries.end(), key,
                             [](const auto &e, uint32_t k) { return e.first < k; });
  if (it == c->entries.end() || it->first != key) return nullptr;
  return &it->second->value;
}

}  // namespace ac
