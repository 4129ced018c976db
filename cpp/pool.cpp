#include "pool.hpp"

#include <cstdlib>

#if defined(AC_HAVE_VALGRIND_H)
#include <valgrind/valgrind.h>
#endif

namespace {

// A reused block hides a use after free from AddressSanitizer and from
// valgrind's memcheck; under either, every block goes back to malloc.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// ASYNCORE_POOL=0 or 1 overrides the choice (bench/callgrind.py counts
// instructions under valgrind with the pool on).
bool pool_wanted() noexcept {
  if (kSanitized) return false;
  const char *env = std::getenv("ASYNCORE_POOL");
  if (env != nullptr && (env[0] == '0' || env[0] == '1') && env[1] == '\0') return env[0] == '1';
#if defined(AC_HAVE_VALGRIND_H)
  if (RUNNING_ON_VALGRIND) return false;
#endif
  return true;
}
const bool g_pool_on = pool_wanted();

constexpr size_t kGrain = 16;
constexpr size_t kClasses = ac::kPoolMaxSize / kGrain;

struct FreeBlock {
  FreeBlock *next;
};

struct Lists {
  FreeBlock *heads[kClasses];
  size_t cached;  // bytes on the lists
};
// The thread's lists, made by its first free. One pointer in the static TLS
// block (as the loop's thread token), so reaching it is a single load.
__thread Lists *tl_lists __attribute__((tls_model("initial-exec")));
// Set once the thread's cache is released: blocks freed later in the
// thread's exit (by other thread-local or static destructors) go straight
// back to malloc.
__thread bool tl_reaped __attribute__((tls_model("initial-exec")));

// Frees the thread's cache when the thread exits.
struct Reaper {
  Lists *lists = nullptr;
  ~Reaper() {
    if (lists == nullptr) return;
    for (FreeBlock *&head : lists->heads) {
      while (head != nullptr) {
        FreeBlock *b = head;
        head = b->next;
        std::free(b);
      }
    }
    std::free(lists);
    tl_lists = nullptr;
    tl_reaped = true;
  }
};
thread_local Reaper tl_reaper;

Lists *make_lists() noexcept {
  if (tl_reaped) return nullptr;
  auto *l = static_cast<Lists *>(std::calloc(1, sizeof(Lists)));
  if (l == nullptr) return nullptr;
  tl_reaper.lists = l;  // first use registers the reaper for this thread
  tl_lists = l;
  return l;
}

inline size_t class_of(size_t size) noexcept { return (size + kGrain - 1) / kGrain - 1; }

}  // namespace

namespace ac {

bool pool_enabled() noexcept { return g_pool_on; }

void *pool_alloc_nothrow(size_t size) noexcept {
  if (g_pool_on && size != 0 && size <= kPoolMaxSize) {
    size_t c = class_of(size);
    Lists *l = tl_lists;
    FreeBlock *b = l != nullptr ? l->heads[c] : nullptr;
    if (b != nullptr) {
      l->heads[c] = b->next;
      l->cached -= (c + 1) * kGrain;
      return b;
    }
    return std::malloc((c + 1) * kGrain);
  }
  return std::malloc(size != 0 ? size : 1);
}

void *pool_alloc(size_t size) {
  void *p = pool_alloc_nothrow(size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void pool_free(void *p, size_t size) noexcept {
  if (p == nullptr) return;
  if (!g_pool_on || size == 0 || size > kPoolMaxSize) {
    std::free(p);
    return;
  }
  size_t c = class_of(size);
  Lists *l = tl_lists;
  if (l == nullptr && (l = make_lists()) == nullptr) {
    std::free(p);
    return;
  }
  if (l->cached + (c + 1) * kGrain > kPoolMaxCached) {
    std::free(p);
    return;
  }
  auto *b = static_cast<FreeBlock *>(p);
  b->next = l->heads[c];
  l->heads[c] = b;
  l->cached += (c + 1) * kGrain;
}

}  // namespace ac
