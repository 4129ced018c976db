// The small-object pool: freed blocks are handed out again by size class,
// on the thread that freed them, and sizes above the largest class go
// straight back to malloc.
#include "core/pool.hpp"

#include <gtest/gtest.h>

#include <set>
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

}  // namespace
