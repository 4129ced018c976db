#include "core/pool.hpp"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

#if !defined(_WIN32)
#include <sys/mman.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

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
#if defined(_WIN32)
  // MinGW-w64 keeps thread_local variables in emulated TLS, whose storage
  // for an exiting thread is freed before the destructors of its
  // thread_local objects run (those run later, when the thread detaches
  // from the DLL): the Reaper below would walk freed memory, which hung or
  // crashed threads' exits (tests/c/loop.c, 100k thread-safe calls, under
  // Wine). With no sound way to give a thread's lists back there, the
  // Windows build allocates with malloc.
  return false;
#endif
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
  // In the depot, on the first block of a chain: the next chain (every
  // block has room for it: the smallest class is 16 bytes).
  FreeBlock *next_chain;
};

// ---- The arena: where fresh blocks are carved ----
//
// malloc's slow case is a great many small blocks alive at once (N tasks
// started, then gathered): every fresh block paid for a malloc, and for a
// free at the thread's exit. Fresh blocks are carved instead, a slab of
// kSlabBytes at a time, from one address range reserved for the process
// (pages are touched, and so committed, only as slabs are carved). A block
// of the arena never goes back to malloc: freed, it joins its thread's free
// list; when that thread exits, its lists go to the depot, from which other
// threads take whole chains. So the arena holds, for reuse, the process's
// peak of small objects (at most kArenaBytes); a block from anywhere else
// (the arena full or unavailable) goes through the per-thread cache with
// its kPoolMaxCached bound as before.
#if !defined(_WIN32)
constexpr size_t kArenaBytes = size_t{256} << 20;
constexpr size_t kSlabBytes = size_t{64} << 10;

// Set once, before any block of the arena exists: a thread holding one has
// seen them set (relaxed loads suffice, and cost nothing more than plain
// ones); a thread that has not may find them unset, for blocks that are
// not the arena's.
std::atomic<char *> g_arena_base{nullptr};
std::atomic<char *> g_arena_end{nullptr};
std::atomic<char *> g_arena_next{nullptr};
std::once_flag g_arena_once;

// ASYNCORE_HUGEPAGES=1: the arena past its first kSmallPagesBytes is
// advised huge pages. A burst of tasks touches its blocks' pages for the
// first time as fast as it makes them: in 4 KiB pages one fault per 16
// tasks, and in a loop of bursts on an idle machine those faults took as
// long as the tasks' own work (W1 gather: 352 ns per task, 211 ns in
// 2 MiB pages). It is not the default because a huge page costs more
// where memory was just freed by another process: in a virtual machine
// (whose host, by all signs, takes back the guest's free 2 MiB blocks),
// the first touch took 420-650 ns per task against 170-230 in small
// pages. The first 4 MiB stay in small pages, so a program with few
// objects does not hold a 2 MiB page for them; the kernel decides in the
// end (transparent_hugepage "never" ignores the advice); ac_trim drops
// slabs inside a huge page as before (the kernel splits it).
constexpr size_t kSmallPagesBytes = size_t{4} << 20;
constexpr uintptr_t kHugePageBytes = uintptr_t{2} << 20;

void advise_huge_pages(char *base) noexcept {
#if defined(MADV_HUGEPAGE)
  const char *env = std::getenv("ASYNCORE_HUGEPAGES");
  if (env == nullptr || env[0] != '1' || env[1] != '\0') return;
  uintptr_t from = reinterpret_cast<uintptr_t>(base) + kSmallPagesBytes;
  from = (from + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  uintptr_t end = reinterpret_cast<uintptr_t>(base) + kArenaBytes;
  (void)madvise(reinterpret_cast<void *>(from), end - from, MADV_HUGEPAGE);  // advice only
#else
  (void)base;
#endif
}

void reserve_arena() noexcept {
  // ASYNCORE_ARENA=0: every fresh block from malloc (bench/callgrind.py
  // counts heap bytes with valgrind's dhat, which sees only malloc's).
  const char *env = std::getenv("ASYNCORE_ARENA");
  if (env != nullptr && env[0] == '0' && env[1] == '\0') return;
  void *p = mmap(nullptr, kArenaBytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;  // malloc serves every block
  auto *base = static_cast<char *>(p);
  advise_huge_pages(base);
  g_arena_next.store(base, std::memory_order_relaxed);
  g_arena_end.store(base + kArenaBytes, std::memory_order_relaxed);
  g_arena_base.store(base, std::memory_order_release);
}

inline bool in_arena(const void *p) noexcept {
  auto *c = static_cast<const char *>(p);
  return c >= g_arena_base.load(std::memory_order_relaxed) &&
         c < g_arena_end.load(std::memory_order_relaxed);
}

// Slabs given back to the system by pool_trim, whose address ranges are
// carved again before new ones (guarded by g_depot_mutex, defined below).
std::vector<char *> g_spare_slabs;
std::atomic<bool> g_spare_any{false};
char *take_spare_slab() noexcept;

// Past the arena's first kSmallPagesBytes, a program is making small
// objects in bulk (a burst of tasks): the pages of each slab it carves are
// faulted in with one call (MADV_POPULATE_WRITE, Linux 5.14) rather than
// one fault per 4 KiB page as its blocks are first written. The W1 gather
// took 17% less time so (median 276 -> 229 ns per task, 6 interleaved
// pairs, each run after the Tokio peer had freed its memory). A kernel
// without it answers EINVAL once, and is not asked again.
std::atomic<bool> g_prefault_works{true};

void prefault_range(char *from, size_t bytes) noexcept {
#if defined(MADV_POPULATE_WRITE)
  if (!g_prefault_works.load(std::memory_order_relaxed)) return;
  if (madvise(from, bytes, MADV_POPULATE_WRITE) != 0 && errno == EINVAL)
    g_prefault_works.store(false, std::memory_order_relaxed);
#else
  (void)from;
  (void)bytes;
#endif
}
void prefault_slab(char *slab) noexcept { prefault_range(slab, kSlabBytes); }

// A fresh slab, or null when the arena is full or unavailable.
char *carve_slab() noexcept {
  std::call_once(g_arena_once, reserve_arena);
  char *base = g_arena_base.load(std::memory_order_acquire);
  if (base == nullptr) return nullptr;
  if (g_spare_any.load(std::memory_order_relaxed)) {
    if (char *spare = take_spare_slab()) {
      // Its pages were given back.
      if (static_cast<size_t>(spare - base) >= kSmallPagesBytes) prefault_slab(spare);
      return spare;
    }
  }
  char *s = g_arena_next.fetch_add(kSlabBytes, std::memory_order_relaxed);
  if (s >= g_arena_end.load(std::memory_order_relaxed) || s < base) return nullptr;  // full (the pointer only grows)
  if (static_cast<size_t>(s - base) >= kSmallPagesBytes) prefault_slab(s);
  return s;
}
#else
inline bool in_arena(const void *) noexcept { return false; }
inline char *carve_slab() noexcept { return nullptr; }
constexpr size_t kSlabBytes = size_t{64} << 10;
#endif

// Chains of arena blocks left by threads that exited, one per class.
std::mutex g_depot_mutex;
FreeBlock *g_depot[kClasses];
std::atomic<bool> g_depot_any[kClasses];

#if !defined(_WIN32)
char *take_spare_slab() noexcept {
  std::lock_guard<std::mutex> lock(g_depot_mutex);
  if (g_spare_slabs.empty()) return nullptr;
  char *s = g_spare_slabs.back();
  g_spare_slabs.pop_back();
  g_spare_any.store(!g_spare_slabs.empty(), std::memory_order_relaxed);
  return s;
}
#endif

struct Lists {
  FreeBlock *heads[kClasses];
  char *bump[kClasses];  // the class's current slab: next block and end
  char *bump_end[kClasses];
  size_t cached;  // bytes of malloc's blocks on the lists
};
// The thread's lists, made by its first allocation or free. One pointer in
// the static TLS block (as the loop's thread token), so reaching it is a
// single load.
__thread Lists *tl_lists __attribute__((tls_model("initial-exec")));
// Set once the thread's cache is released: blocks freed later in the
// thread's exit (by other thread-local or static destructors) go straight
// back to malloc, or to the depot for the arena's.
__thread bool tl_reaped __attribute__((tls_model("initial-exec")));

// The depot holds, per class, a stack of chains (linked through their
// first blocks' next_chain): a chain goes in and out whole, so a thread's
// list is given in one step, however long.
void depot_push_chain(size_t c, FreeBlock *first) noexcept {
  std::lock_guard<std::mutex> lock(g_depot_mutex);
  first->next_chain = g_depot[c];
  g_depot[c] = first;
  g_depot_any[c].store(true, std::memory_order_relaxed);
}

void depot_push(size_t c, FreeBlock *b) noexcept {
  b->next = nullptr;
  depot_push_chain(c, b);
}

// Takes the depot's chains of class c (the caller holds g_depot_mutex)
// as one list.
FreeBlock *depot_take_all(size_t c) noexcept {
  FreeBlock *all = nullptr;
  for (FreeBlock *chain = g_depot[c]; chain != nullptr;) {
    FreeBlock *next_chain = chain->next_chain;
    FreeBlock *tail = chain;
    while (tail->next != nullptr) tail = tail->next;
    tail->next = all;
    all = chain;
    chain = next_chain;
  }
  g_depot[c] = nullptr;
  g_depot_any[c].store(false, std::memory_order_relaxed);
  return all;
}

// Frees the thread's cache when the thread exits: malloc's blocks go back
// to malloc, the arena's to the depot.
struct Reaper {
  Lists *lists = nullptr;
  ~Reaper() {
    if (lists == nullptr) return;
    for (size_t c = 0; c < kClasses; ++c) {
      if (lists->heads[c] == nullptr) continue;
      if (lists->cached == 0) {
        // Arena blocks only: the list goes to the depot as it is.
        depot_push_chain(c, lists->heads[c]);
        continue;
      }
      FreeBlock *kept = nullptr;
      for (FreeBlock *b = lists->heads[c]; b != nullptr;) {
        FreeBlock *next = b->next;
        if (in_arena(b)) {
          b->next = kept;
          kept = b;
        } else {
          std::free(b);
        }
        b = next;
      }
      // The rest of the thread's slab is of no use to anybody else
      // (address space only: its pages were never touched).
      if (kept != nullptr) depot_push_chain(c, kept);
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

// The slow path of an allocation of class c: the depot, then a slab, then
// malloc.
void *refill(Lists *l, size_t c) noexcept {
  size_t bytes = (c + 1) * kGrain;
  if (l != nullptr) {
    if (g_depot_any[c].load(std::memory_order_relaxed)) {
      FreeBlock *chain;
      {
        std::lock_guard<std::mutex> lock(g_depot_mutex);
        chain = g_depot[c];
        if (chain != nullptr) g_depot[c] = chain->next_chain;
        g_depot_any[c].store(g_depot[c] != nullptr, std::memory_order_relaxed);
      }
      if (chain != nullptr) {
        l->heads[c] = chain->next;
        return chain;
      }
    }
    char *s = carve_slab();
    if (s != nullptr) {
      l->bump[c] = s + bytes;
      l->bump_end[c] = s + kSlabBytes / bytes * bytes;
      return s;
    }
  }
  return std::malloc(bytes);
}

}  // namespace

namespace ac {

bool pool_enabled() noexcept { return g_pool_on; }

void prefault(void *p, size_t size) noexcept {
#if !defined(_WIN32)
  if (size < kSlabBytes) return;
  auto from = (reinterpret_cast<uintptr_t>(p) + 4095) & ~uintptr_t{4095};
  auto to = (reinterpret_cast<uintptr_t>(p) + size) & ~uintptr_t{4095};
  if (to > from) prefault_range(reinterpret_cast<char *>(from), to - from);
#else
  (void)p;
  (void)size;
#endif
}

namespace {
// Every case of an allocation: the fast path below hands the others here.
// Out of line, so the fast path saves no registers.
[[gnu::noinline]] void *alloc_any(size_t size) noexcept {
  if (g_pool_on && size != 0 && size <= kPoolMaxSize) {
    size_t c = class_of(size);
    Lists *l = tl_lists;
    if (l == nullptr) l = make_lists();
    if (l != nullptr) {
      FreeBlock *b = l->heads[c];
      if (b != nullptr) {
        l->heads[c] = b->next;
        if (!in_arena(b)) l->cached -= (c + 1) * kGrain;
        return b;
      }
      char *p = l->bump[c];
      if (p != l->bump_end[c]) {
        l->bump[c] = p + (c + 1) * kGrain;
        return p;
      }
    }
    return refill(l, c);
  }
  return std::malloc(size != 0 ? size : 1);
}
}  // namespace

// The common cases inline: an arena block off the thread's list, or the
// next block of the class's slab.
void *pool_alloc_nothrow(size_t size) noexcept {
  if (g_pool_on && size - 1 < kPoolMaxSize) [[likely]] {
    size_t c = class_of(size);
    Lists *l = tl_lists;
    if (l != nullptr) [[likely]] {
      FreeBlock *b = l->heads[c];
      if (b != nullptr) {
        if (in_arena(b)) [[likely]] {
          l->heads[c] = b->next;
          return b;
        }
      } else if (char *p = l->bump[c]; p != l->bump_end[c]) {
        l->bump[c] = p + (c + 1) * kGrain;
        return p;
      }
    }
  }
  return alloc_any(size);
}

void *pool_alloc(size_t size) {
  void *p = pool_alloc_nothrow(size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

namespace {
// Every case of a free: the fast path below hands the others here.
[[gnu::noinline]] void free_any(void *p, size_t size) noexcept {
  if (p == nullptr) return;
  if (!g_pool_on || size == 0 || size > kPoolMaxSize) {
    std::free(p);
    return;
  }
  size_t c = class_of(size);
  auto *b = static_cast<FreeBlock *>(p);
  bool arena = in_arena(p);
  Lists *l = tl_lists;
  if (l == nullptr && (l = make_lists()) == nullptr) {
    // The thread is exiting (its cache is gone): an arena block is kept
    // for the other threads.
    if (arena) {
      depot_push(c, b);
    } else {
      std::free(p);
    }
    return;
  }
  if (!arena) {
    if (l->cached + (c + 1) * kGrain > kPoolMaxCached) {
      std::free(p);
      return;
    }
    l->cached += (c + 1) * kGrain;
  }
  b->next = l->heads[c];
  l->heads[c] = b;
}
}  // namespace

// The common case inline: an arena block onto the thread's list.
void pool_free(void *p, size_t size) noexcept {
  if (g_pool_on && size - 1 < kPoolMaxSize && in_arena(p)) [[likely]] {
    if (Lists *l = tl_lists; l != nullptr) [[likely]] {
      auto *b = static_cast<FreeBlock *>(p);
      size_t c = class_of(size);
      b->next = l->heads[c];
      l->heads[c] = b;
      return;
    }
  }
  free_any(p, size);
}

#if !defined(_WIN32)
namespace {
// Releases a slab's pages: on Linux they are dropped at once (the next
// touch maps zeroed pages); elsewhere the system may take them lazily.
void release_pages(char *slab) noexcept {
#if defined(__linux__)
  (void)madvise(slab, kSlabBytes, MADV_DONTNEED);
#elif defined(MADV_FREE)
  (void)madvise(slab, kSlabBytes, MADV_FREE);
#else
  (void)madvise(slab, kSlabBytes, MADV_DONTNEED);
#endif
}
}  // namespace
#endif

int64_t pool_trim() noexcept {
  if (!g_pool_on) return -1;
  int64_t released = 0;
  Lists *l = tl_lists;
  // The depot's chains (arena blocks only) and this thread's lists: malloc's
  // blocks go back to malloc; the arena's are gathered per class.
  FreeBlock *arena[kClasses] = {};
  {
    std::lock_guard<std::mutex> lock(g_depot_mutex);
    for (size_t c = 0; c < kClasses; ++c) arena[c] = depot_take_all(c);
  }
  if (l != nullptr) {
    for (size_t c = 0; c < kClasses; ++c) {
      for (FreeBlock *b = l->heads[c]; b != nullptr;) {
        FreeBlock *next = b->next;
        if (in_arena(b)) {
          b->next = arena[c];
          arena[c] = b;
        } else {
          std::free(b);
          released += static_cast<int64_t>((c + 1) * kGrain);
        }
        b = next;
      }
      l->heads[c] = nullptr;
    }
    l->cached = 0;
  }
#if !defined(_WIN32)
  // A slab all of whose blocks are free here goes back to the system, and
  // its address range to the spare slabs. A slab is carved for one class;
  // one another thread is still carving, or whose blocks other threads
  // hold, never counts full here. This thread's own current slab counts
  // the blocks carved so far.
  char *base = g_arena_base.load(std::memory_order_acquire);
  auto slab_of = [base](const FreeBlock *b) {
    return static_cast<size_t>(reinterpret_cast<const char *>(b) - base) / kSlabBytes;
  };
  std::vector<uint32_t> count;
  if (base != nullptr) {
    size_t carved = static_cast<size_t>(g_arena_next.load(std::memory_order_relaxed) - base);
    if (carved > kArenaBytes) carved = kArenaBytes;
    try {
      count.assign(carved / kSlabBytes, 0);
    } catch (...) {
      count.clear();  // out of memory: the blocks are kept, nothing is released
    }
  }
  constexpr uint32_t kReleased = UINT32_MAX;
  std::vector<char *> slabs;
  if (!count.empty()) {
    for (size_t c = 0; c < kClasses; ++c)
      for (FreeBlock *b = arena[c]; b != nullptr; b = b->next) ++count[slab_of(b)];
    for (size_t c = 0; c < kClasses; ++c) {
      size_t bytes = (c + 1) * kGrain;
      size_t per_slab = kSlabBytes / bytes;
      for (FreeBlock *b = arena[c]; b != nullptr; b = b->next) {
        size_t i = slab_of(b);
        if (count[i] == kReleased) continue;
        char *slab = base + i * kSlabBytes;
        size_t need = per_slab;
        bool own_current = l != nullptr && l->bump_end[c] != nullptr && l->bump_end[c] - per_slab * bytes == slab;
        if (own_current) need = static_cast<size_t>(l->bump[c] - slab) / bytes;
        if (count[i] != need) continue;
        try {
          slabs.push_back(slab);
        } catch (...) {
          continue;  // kept
        }
        count[i] = kReleased;
        if (own_current) l->bump[c] = l->bump_end[c] = nullptr;
      }
    }
  }
#endif
  // What is not released goes back to this thread's lists (or, with none,
  // to the depot).
  for (size_t c = 0; c < kClasses; ++c) {
    FreeBlock *kept = nullptr;
    FreeBlock *kept_tail = nullptr;
    for (FreeBlock *b = arena[c]; b != nullptr;) {
      FreeBlock *next = b->next;
#if !defined(_WIN32)
      bool gone = !count.empty() && count[slab_of(b)] == kReleased;
#else
      bool gone = false;
#endif
      if (!gone) {
        b->next = kept;
        kept = b;
        if (kept_tail == nullptr) kept_tail = b;
      }
      b = next;
    }
    if (kept == nullptr) continue;
    if (l != nullptr) {
      kept_tail->next = l->heads[c];
      l->heads[c] = kept;
    } else {
      depot_push_chain(c, kept);
    }
  }
#if defined(__GLIBC__)
  // The malloc'ed blocks just freed (and those the arena could not hold)
  // sit in glibc's heap, which keeps its free pages: ask for them back.
  if (released > 0) (void)malloc_trim(0);
#endif
#if !defined(_WIN32)
  for (char *slab : slabs) release_pages(slab);
  released += static_cast<int64_t>(slabs.size() * kSlabBytes);
  if (!slabs.empty()) {
    std::lock_guard<std::mutex> lock(g_depot_mutex);
    try {
      g_spare_slabs.insert(g_spare_slabs.end(), slabs.begin(), slabs.end());
      g_spare_any.store(true, std::memory_order_relaxed);
    } catch (...) {
      // Out of memory: those ranges stay unused (address space only).
    }
  }
#endif
  return released;
}

}  // namespace ac
