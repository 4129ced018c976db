// error.hpp — the rich error object behind ac_error, and the code table.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include <asyncore/error.h>

// Immutable once shared (children are added before an error is handed to a
// future); the reference count is atomic because errors cross threads.
struct ac_error {
  std::atomic<int> refs{1};
  int code = 0;
  std::string message;
  ac_error *cause = nullptr;
  std::vector<ac_error *> children;
  ac_value payload{};
  // Links errors being released together (error_release), so that a long
  // chain of causes or children is freed without recursion.
  ac_error *next_dead = nullptr;

  ~ac_error();
};

namespace ac {

// A new error (one reference). `message` NULL means the code's description.
// Throws std::bad_alloc.
ac_error *error_new(int code, const char *message, ac_error *cause = nullptr);
inline ac_error *error_ref(ac_error *e) noexcept {
  if (e != nullptr) e->refs.fetch_add(1, std::memory_order_relaxed);
  return e;
}
void error_release(ac_error *e) noexcept;  // the last reference went
inline void error_unref(ac_error *e) noexcept {
  if (e != nullptr && e->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) error_release(e);
}

// Appends `child` to `err`'s children (a new reference). AC_EINVAL when it
// would make a cycle: child is err, or err is among child's children or
// causes, at any depth. Throws std::bad_alloc.
int error_add_child(ac_error *err, ac_error *child);

const char *strerror(int code) noexcept;
const char *err_name(int code) noexcept;
const char *err_class(int code) noexcept;
ac_error_kind error_kind_of(int code) noexcept;
// How much of a group error_format shows, as Python's traceback does for
// exception groups: the first kFormatMaxWidth children of each error, groups
// nested kFormatMaxDepth deep; and kFormatMaxEntries errors in all.
constexpr size_t kFormatMaxWidth = 15;
constexpr int kFormatMaxDepth = 10;
constexpr size_t kFormatMaxEntries = 1000;
// Renders an error, its causes and children; throws std::bad_alloc.
std::string error_format(const ac_error *e);

}  // namespace ac
