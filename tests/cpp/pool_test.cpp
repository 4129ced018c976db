// The small-object pool: freed blocks are handed out again by size class,
// on the thread that freed them, and sizes above the largest class go
// straight back to malloc.
#include "core/pool.hpp"

#include <gtest/gtest.h>

#include <thread>

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
