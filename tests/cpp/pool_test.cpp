// The small-object pool: freed blocks are handed out again by size class,
// on the thread that freed them, and sizes above the largest class go
// straight back to malloc.
#include "core/pool.hpp"

#include <gtest/gtest.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

TEST(Pool, FreedBlockIsReusedForTheSameClass) {
  if (!ac::pool_enabled()) GTEST_SKIP() << "no pool under a sanitizer or valgrind, nor on Windows";
  void *a = ac::pool_alloc(200);
  ac::pool_free(a, 200);
  // 193..208 bytes share a 16-byte class.
  void *b = ac::pool_alloc(208);
  EXPECT_EQ(a, b);
  ac::pool_free(b, 208);
}

TEST(Pool, ClassesAreSeparateAndLastInFirstOut) {
  if (!ac::pool_enabled()) GTEST_SKIP() << "no pool under a sanitizer or valgrind, nor on Windows";
  void *small1 = ac::pool_alloc(32);
  void *small2 = ac::pool_alloc(32);
  void *big = ac::pool_alloc(512);
  ac::pool_free(small1, 32);
  ac::pool_free(small2, 32);
  ac::pool_free(big, 512);
  EXPECT_EQ(ac::pool_alloc(32), small2);
  EXPECT_EQ(ac::pool_alloc(32), small1);
  EXPECT_EQ(ac::pool_alloc(512), big);
  ac::pool_free(small1, 32);
  ac::pool_free(small2, 32);
  ac::pool_free(big, 512);
}

TEST(Pool, EachThreadHasItsOwnLists) {
  if (!ac::pool_enabled()) GTEST_SKIP() << "no pool under a sanitizer or valgrind, nor on Windows";
  void *mine = ac::pool_alloc(96);
  ac::pool_free(mine, 96);
  void *theirs = nullptr;
  std::thread t([&] {
    theirs = ac::pool_alloc(96);  // not the block this thread freed
    ac::pool_free(theirs, 96);    // cached by that thread, freed at its exit
  });
  t.join();
  EXPECT_NE(theirs, mine);
  EXPECT_EQ(ac::pool_alloc(96), mine);
  ac::pool_free(mine, 96);
}

// An exiting thread's list goes to the depot whole (one chain per thread
// and class); another thread takes the chains one at a time as it needs
// blocks, before it carves a slab of its own.
TEST(Pool, ExitedThreadsListsAreTakenWholeByOthers) {
  if (!ac::pool_enabled()) GTEST_SKIP() << "no pool under a sanitizer or valgrind, nor on Windows";
  constexpr size_t kSize = 1000;  // a class no other test uses
  constexpr int kPerThread = 100;
  // Made by one thread, all held; freed by two others, which then exit:
  // two chains in the depot.
  std::vector<void *> blocks;
  std::thread([&] {
    for (int i = 0; i < 2 * kPerThread; ++i) blocks.push_back(ac::pool_alloc(kSize));
  }).join();
  std::set<void *> freed(blocks.begin(), blocks.end());
  ASSERT_EQ(freed.size(), size_t{2 * kPerThread});
  for (int half = 0; half < 2; ++half)
    std::thread([&] {
      for (int i = 0; i < kPerThread; ++i) ac::pool_free(blocks[half * kPerThread + i], kSize);
    }).join();
  std::vector<void *> mine;
  for (int i = 0; i < 2 * kPerThread; ++i) {
    mine.push_back(ac::pool_alloc(kSize));
    EXPECT_EQ(freed.count(mine.back()), 1u) << "block " << i << " is not one the threads freed";
  }
  EXPECT_EQ(std::set<void *>(mine.begin(), mine.end()).size(), mine.size());
  for (void *b : mine) ac::pool_free(b, kSize);
  // Trimming takes the depot's chains and this thread's lists apart and
  // puts back what it keeps: every block is still handed out once.
  std::thread t2([&] {
    for (int i = 0; i < kPerThread; ++i) ac::pool_free(ac::pool_alloc(kSize), kSize);
  });
  t2.join();
  EXPECT_GE(ac::pool_trim(), 0);
  std::set<void *> again;
  for (int i = 0; i < 3 * kPerThread; ++i) again.insert(ac::pool_alloc(kSize));
  EXPECT_EQ(again.size(), size_t{3 * kPerThread});
  for (void *b : again) ac::pool_free(b, kSize);
}

TEST(Pool, LargeAndEmptySizesWork) {
  void *big = ac::pool_alloc(ac::kPoolMaxSize + 1);
  ASSERT_NE(big, nullptr);
  static_cast<char *>(big)[ac::kPoolMaxSize] = 1;
  ac::pool_free(big, ac::kPoolMaxSize + 1);
  void *none = ac::pool_alloc(0);
  ASSERT_NE(none, nullptr);
  ac::pool_free(none, 0);
  ac::pool_free(nullptr, 64);
}

#if defined(__linux__)
// One mapping of /proc/self/smaps: its range and whether it is advised
// huge pages (VmFlags "hg").
struct Mapping {
  uintptr_t start = 0, end = 0;
  bool huge_advised = false;
};
std::vector<Mapping> mappings() {
  std::vector<Mapping> out;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  while (std::getline(smaps, line)) {
    if (line.rfind("VmFlags:", 0) == 0) {
      if (!out.empty()) out.back().huge_advised = (line + " ").find(" hg ") != std::string::npos;
      continue;
    }
    // A mapping's first line: "start-end perms ...", in hex.
    size_t dash = line.find('-');
    size_t space = line.find(' ');
    if (dash == std::string::npos || space == std::string::npos || dash > space) continue;
    char *stop = nullptr;
    uintptr_t start = std::strtoull(line.c_str(), &stop, 16);
    if (stop != line.c_str() + dash) continue;  // a field line ("Rss: ...")
    uintptr_t end = std::strtoull(line.c_str() + dash + 1, &stop, 16);
    if (stop != line.c_str() + space) continue;
    out.push_back({start, end, false});
  }
  return out;
}

// With ASYNCORE_HUGEPAGES=1 (the meson test pool_hugepages), the arena
// past its first 4 MiB is advised huge pages (a burst of tasks then takes
// one page fault per 2 MiB, not one per 4 KiB) and its first 4 MiB are
// not; without it (the default) none of the arena is.
TEST(Pool, ArenaPastItsFirstMiBsIsAdvisedHugePagesWhenAsked) {
  if (!ac::pool_enabled()) GTEST_SKIP() << "no pool under a sanitizer or valgrind, nor on Windows";
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) GTEST_SKIP() << "no transparent huge pages";
  const char *env = std::getenv("ASYNCORE_HUGEPAGES");
  const bool asked = env != nullptr && std::string(env) == "1";
  // 8 MiB of 512-byte blocks: the last ones are carved past the first 4 MiB
  // whatever earlier tests carved.
  constexpr size_t kSize = 512, kCount = (size_t{8} << 20) / kSize;
  std::vector<void *> blocks;
  for (size_t i = 0; i < kCount; ++i) blocks.push_back(ac::pool_alloc(kSize));
  auto first = reinterpret_cast<uintptr_t>(blocks.front());
  auto last = reinterpret_cast<uintptr_t>(blocks.back());
  std::vector<Mapping> ms = mappings();
  const Mapping *head = nullptr, *tail = nullptr, *before = nullptr;
  for (size_t i = 0; i < ms.size(); ++i) {
    if (first >= ms[i].start && first < ms[i].end) head = &ms[i];
    if (last >= ms[i].start && last < ms[i].end) {
      tail = &ms[i];
      if (i > 0 && ms[i - 1].end == ms[i].start) before = &ms[i - 1];
    }
  }
  ASSERT_NE(head, nullptr) << "the first block is in no mapping";
  ASSERT_NE(tail, nullptr) << "the last block is in no mapping";
  EXPECT_EQ(tail->huge_advised, asked);
  if (asked) {
    EXPECT_EQ(tail->start % (uintptr_t{2} << 20), 0u) << "the advice starts on a 2 MiB boundary";
    ASSERT_NE(before, nullptr) << "the arena's first part is a mapping of its own";
    EXPECT_FALSE(before->huge_advised);
    EXPECT_GE(before->end - before->start, uintptr_t{4} << 20);
  } else {
    EXPECT_EQ(head, tail) << "one mapping, not split by advice";
  }
  for (void *b : blocks) ac::pool_free(b, kSize);
}

// Past the arena's first 4 MiB, a slab's pages are faulted in when it is
// carved (one call), not one by one as its blocks are first written: the
// first block of a fresh slab, never written, has its slab's pages
// resident. (Slabs that ac_trim gave back are carved again first, so a
// slab start may still be one of the first 4 MiB: the test walks on.)
TEST(Pool, SlabsPastTheFirstMiBsArePrefaulted) {
  if (!ac::pool_enabled()) GTEST_SKIP() << "no pool under a sanitizer or valgrind, nor on Windows";
  {
    // A kernel without MADV_POPULATE_WRITE (before 5.14) refuses it.
    void *probe = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(probe, MAP_FAILED);
    bool supported = madvise(probe, 4096, 23 /* MADV_POPULATE_WRITE */) == 0;
    munmap(probe, 4096);
    if (!supported) GTEST_SKIP() << "no MADV_POPULATE_WRITE";
  }
  // Blocks of a class no other test uses (so none is on a free list), up
  // to 12 MiB of them: each block that does not follow its predecessor
  // starts a slab.
  constexpr size_t kSize = 944, kCount = (size_t{12} << 20) / kSize;
  constexpr size_t kPages = 16;  // the pages after a slab's first block
  std::vector<void *> blocks;
  bool prefaulted = false;
  uintptr_t prev = 0;
  for (size_t i = 0; i < kCount && !prefaulted; ++i) {
    void *b = ac::pool_alloc(kSize);
    blocks.push_back(b);
    auto at = reinterpret_cast<uintptr_t>(b);
    if (prev == 0 || at != prev + kSize) {
      auto page = (at + 4095) & ~uintptr_t{4095};
      unsigned char resident[kPages] = {};
      ASSERT_EQ(mincore(reinterpret_cast<void *>(page), kPages * 4096, resident), 0);
      size_t in = 0;
      for (unsigned char r : resident) in += r & 1;
      prefaulted = in == kPages;
    }
    prev = at;
  }
  EXPECT_TRUE(prefaulted) << "no slab of the 12 MiB had its pages resident before they were written";
  for (void *x : blocks) ac::pool_free(x, kSize);
}
#endif

}  // namespace
